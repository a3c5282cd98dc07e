"""What the map says, in the article's language: labels, dates, distances, titles.

Shared by the interactive page (render.py) and the static images (static.py).
"""
from __future__ import annotations

import datetime as dt
import re

from babel import Locale
from babel.dates import format_date, format_interval, format_skeleton
from babel.numbers import format_decimal

from .models import Tour

LABELS: dict[str, dict[str, str]] = {
    "es": {
        "no_date": "fecha no indicada", "completed": "realizada", "planned": "prevista",
        "stop": "Parada", "origin": "Punto de partida", "met_done": "Se reunió con",
        "met_plan": "Se reunirá con", "with": "con", "source": "Fuente", "stops": "Paradas, en orden de viaje",
        "leg_done": "Tramo recorrido", "leg_plan": "Tramo previsto", "corridor": "Corredor propuesto",
        "region": "Zona fronteriza", "admin": "Región", "proposed": "propuesto", "map": "Mapa de la gira",
        "legend": "Leyenda", "data": "Datos", "basemap": "Mapa base", "stop_done": "Parada realizada",
        "stop_plan": "Parada prevista", "default_title": "La gira", "n_stops": "{n} paradas",
        "trip_of": "Gira de {who}", "article": "artículo", "article_of": "artículo del {date}",
        "zoom_in": "Acercar", "zoom_out": "Alejar", "close": "Cerrar", "info": "Leyenda y paradas",
    },
    "en": {
        "no_date": "date not given", "completed": "done", "planned": "planned",
        "stop": "Stop", "origin": "Starting point", "met_done": "Met", "met_plan": "To meet",
        "with": "with", "source": "Source", "stops": "Stops, in travel order",
        "leg_done": "Leg travelled", "leg_plan": "Leg planned", "corridor": "Proposed corridor",
        "region": "Border area", "admin": "Region", "proposed": "proposed", "map": "Map of the trip",
        "legend": "Legend", "data": "Data", "basemap": "Basemap", "stop_done": "Stop made",
        "stop_plan": "Stop planned", "default_title": "The trip", "n_stops": "{n} stops",
        "trip_of": "{who}'s trip", "article": "article", "article_of": "article of {date}",
        "zoom_in": "Zoom in", "zoom_out": "Zoom out", "close": "Close", "info": "Legend and stops",
    },
    "pt": {
        "no_date": "data não indicada", "completed": "realizada", "planned": "prevista",
        "stop": "Parada", "origin": "Ponto de partida", "met_done": "Reuniu-se com",
        "met_plan": "Vai se reunir com", "with": "com", "source": "Fonte", "stops": "Paradas, em ordem de viagem",
        "leg_done": "Trecho percorrido", "leg_plan": "Trecho previsto", "corridor": "Corredor proposto",
        "region": "Zona de fronteira", "admin": "Região", "proposed": "proposto", "map": "Mapa da viagem",
        "legend": "Legenda", "data": "Dados", "basemap": "Mapa base", "stop_done": "Parada realizada",
        "stop_plan": "Parada prevista", "default_title": "A viagem", "n_stops": "{n} paradas",
        "trip_of": "Viagem de {who}", "article": "artigo", "article_of": "artigo de {date}",
        "zoom_in": "Aproximar", "zoom_out": "Afastar", "close": "Fechar", "info": "Legenda e paradas",
    },
}

DATA_CREDIT = ("Natural Earth", "https://www.naturalearthdata.com/")
CREDITS = [DATA_CREDIT, ("GeoNames", "https://www.geonames.org/"), ("Leaflet", "https://leafletjs.com/")]


def lang_of(tour: Tour) -> str:
    lang = (tour.language or "es").split("-")[0].lower()
    return lang if lang in LABELS else "en"


# --- text helpers ------------------------------------------------------------------------------

def _parse(value: str) -> tuple[dt.date, str] | None:
    """An ISO date of any precision as (first day, precision)."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return dt.date.fromisoformat(value), "day"
        if re.fullmatch(r"\d{4}-\d{2}", value):
            return dt.date(int(value[:4]), int(value[5:]), 1), "month"
        if re.fullmatch(r"\d{4}", value):
            return dt.date(int(value), 1, 1), "year"
    except ValueError:
        return None
    return None


def date_text(value: str | None, lang: str, *, end: str | None = None, short: bool = False) -> str:
    """A date as readers of `lang` write it, at the precision the article gave.

    >>> date_text("2025-12-22", "es")
    'lunes, 22 de diciembre de 2025'
    >>> date_text("2026-01", "es"), date_text("2026", "es"), date_text(None, "en")
    ('enero de 2026', '2026', 'date not given')
    """
    if not value:
        return LABELS[lang]["no_date"]
    parsed = _parse(value)
    if parsed is None:
        return value
    day, precision = parsed
    if end and end != value:
        parsed_end = _parse(end)
        if parsed_end and parsed_end[1] == precision == "day":
            return format_interval(day, parsed_end[0], "yMMMd" if short else "yMMMMd", locale=lang)
        if parsed_end:
            return f"{date_text(value, lang, short=short)} – {date_text(end, lang, short=short)}"
    if precision == "day":
        return format_skeleton("yMMMd", day, locale=lang) if short else format_date(day, "full", locale=lang)
    if precision == "month":
        return format_skeleton("yMMM" if short else "yMMMM", day, locale=lang)
    return str(day.year)


def km_text(km: float, lang: str) -> str:
    return f"{format_decimal(round(km), '#,##0', locale=lang)} km"


def country_name(code: str | None, lang: str) -> str:
    if not code:
        return ""
    return Locale.parse(lang).territories.get(code.upper(), code.upper())


def titles(tour: Tour) -> tuple[str, str]:
    """(title, subtitle), falling back to the article's headline and the traveler."""
    lab = LABELS[lang_of(tour)]
    title = (tour.title or (tour.articles[0].title if tour.articles else "") or
             (lab["trip_of"].format(who=tour.traveler) if tour.traveler else lab["default_title"]))
    sub = tour.subtitle
    if not sub:
        bits = [tour.traveler or "", lab["n_stops"].format(n=len(tour.stops))]
        if tour.published:
            bits.append(date_text(tour.published, lang_of(tour), short=True))
        sub = " · ".join(b for b in bits if b)
    return " ".join(title.split()), " ".join(sub.split())


def article_name(art, lang: str) -> str:
    """How an article is named in credits: its headline, else "article of <date>"."""
    if art.title.strip():
        return " ".join(art.title.split())
    if art.published:
        return LABELS[lang]["article_of"].format(date=date_text(art.published, lang, short=True))
    return LABELS[lang]["article"]


