"""What a tour says, in the tour's one language: labels, dates, distances, titles, conflicts.

Shared by the merge stage (titles, subtitles and conflicts are worded once the tour is merged), the
interactive page (render.py), the static images (static.py) and the site (site.py).
"""
from __future__ import annotations

import datetime as dt
import functools
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
        "unconfirmed": "por confirmar", "and": "y", "more": "{n} más", "as_of": "al {date}",
        "title_who": "Gira de {who}: {places}", "title_anon": "Gira: {places}",
        "stops_one": "parada", "stops_many": "paradas", "done_one": "realizada", "done_many": "realizadas",
        "plan_one": "prevista", "plan_many": "previstas", "border": "Frontera {countries} ({town})",
        "f_date": "fecha", "f_date_end": "fecha final", "f_status": "estado", "f_landmark": "lugar",
        "r_first_hand": "relato directo", "r_newer": "artículo más reciente", "r_precise": "fecha más precisa",
        "r_completed": "un artículo la da por realizada",
        "conflict": "{stop}: {field} {a} ({a_src}) frente a {b} ({b_src}): se mantiene {kept} ({why})",
        "met_elsewhere": "{stop}: {who} ({src}, mención de paso) ya figura en {where}: se mantiene allí",
        "conflicts": "Discrepancias entre artículos", "moved": "Este mapa se mudó a una nueva dirección",
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
        "unconfirmed": "to be confirmed", "and": "and", "more": "{n} more", "as_of": "as of {date}",
        "title_who": "{who}'s trip: {places}", "title_anon": "Trip: {places}",
        "stops_one": "stop", "stops_many": "stops", "done_one": "made", "done_many": "made",
        "plan_one": "planned", "plan_many": "planned", "border": "{countries} border ({town})",
        "f_date": "date", "f_date_end": "end date", "f_status": "status", "f_landmark": "landmark",
        "r_first_hand": "first-hand report", "r_newer": "newer article", "r_precise": "more precise date",
        "r_completed": "an article reports it made",
        "conflict": "{stop}: {field} {a} ({a_src}) vs {b} ({b_src}): kept {kept} ({why})",
        "met_elsewhere": "{stop}: {who} ({src}, passing mention) is already met at {where}: kept there",
        "conflicts": "Where the articles disagree", "moved": "This map has moved to a new address",
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
        "unconfirmed": "a confirmar", "and": "e", "more": "mais {n}", "as_of": "até {date}",
        "title_who": "Viagem de {who}: {places}", "title_anon": "Viagem: {places}",
        "stops_one": "parada", "stops_many": "paradas", "done_one": "realizada", "done_many": "realizadas",
        "plan_one": "prevista", "plan_many": "previstas", "border": "Fronteira {countries} ({town})",
        "f_date": "data", "f_date_end": "data final", "f_status": "situação", "f_landmark": "local",
        "r_first_hand": "relato direto", "r_newer": "artigo mais recente", "r_precise": "data mais precisa",
        "r_completed": "um artigo a dá como realizada",
        "conflict": "{stop}: {field} {a} ({a_src}) contra {b} ({b_src}): mantido {kept} ({why})",
        "met_elsewhere": "{stop}: {who} ({src}, menção de passagem) já consta em {where}: mantido lá",
        "conflicts": "Divergências entre artigos", "moved": "Este mapa mudou para um novo endereço",
        "zoom_in": "Aproximar", "zoom_out": "Afastar", "close": "Fechar", "info": "Legenda e paradas",
    },
}

DATA_CREDIT = ("Natural Earth", "https://www.naturalearthdata.com/")
CREDITS = [DATA_CREDIT, ("GeoNames", "https://www.geonames.org/"), ("Leaflet", "https://leafletjs.com/")]


def lang_of(tour: Tour) -> str:
    """The tour's one language (set by the merge stage), as a key of LABELS."""
    return known_language(tour.language)


def known_language(lang: str | None) -> str:
    lang = (lang or "es").split("-")[0].lower()
    return lang if lang in LABELS else "en"


def majority_language(langs) -> str:
    """The most frequent language; a tie goes to the one seen first."""
    counts: dict[str, int] = {}
    for lang in langs:
        counts[lang] = counts.get(lang, 0) + 1
    return known_language(max(counts, key=counts.get) if counts else "es")


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


@functools.lru_cache(maxsize=1024)
def country_name(code: str | None, lang: str) -> str:
    if not code:
        return ""
    return Locale.parse(lang).territories.get(code.upper(), code.upper())


def join_names(names: list[str], lang: str, *, most: int = 0) -> str:
    """"Ecuador, Colombia y Perú"; with `most`, the rest counted: "A, B, C y 2 más"."""
    lab = LABELS[lang]
    if most and len(names) > most:
        names = names[:most] + [lab["more"].format(n=len(names) - most)]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {lab['and']} " + names[-1]


def tour_title(tour: Tour) -> str:
    """The merged tour's title: who, and where it went (countries; cities when it stayed in one)."""
    lang = lang_of(tour)
    lab = LABELS[lang]
    stops = [s for s in tour.stops if not s.unconfirmed] or tour.stops  # a headline states what is sure
    countries = list(dict.fromkeys(s.country for s in stops if s.country))
    if len(countries) >= 2:
        places = join_names([country_name(c, lang) for c in countries], lang, most=4)
    else:
        suffix = f" ({lab['unconfirmed']})"
        names = [s.name[:-len(suffix)] if s.unconfirmed and s.name.endswith(suffix) else s.name for s in stops]
        places = join_names(list(dict.fromkeys(names)), lang, most=3)
    if not places:
        return lab["trip_of"].format(who=tour.traveler) if tour.traveler else lab["default_title"]
    if tour.traveler:
        return lab["title_who"].format(who=tour.traveler, places=places)
    return lab["title_anon"].format(places=places)


def _count(n: int, lab: dict[str, str], key: str) -> str:
    return f"{n} {lab[key + ('_one' if n == 1 else '_many')]}"


def tour_subtitle(tour: Tour) -> str:
    """"5 paradas (3 realizadas, 2 previstas) · al 10 feb 2026", counted on the merged tour."""
    lang = lang_of(tour)
    lab = LABELS[lang]
    n = len(tour.stops)
    done = sum(s.status == "completed" for s in tour.stops)
    if done and done < n:
        text = f"{_count(n, lab, 'stops')} ({_count(done, lab, 'done')}, {_count(n - done, lab, 'plan')})"
    else:
        text = f"{_count(n, lab, 'stops')} {lab[('done' if done else 'plan') + ('_one' if n == 1 else '_many')]}"
    if tour.published:
        text += " · " + lab["as_of"].format(date=date_text(tour.published, lang, short=True))
    return text


def titles(tour: Tour) -> tuple[str, str]:
    """(title, subtitle): the merge stage's (or the editor's), else worded from the tour itself."""
    title = tour.title or tour_title(tour)
    sub = tour.subtitle or tour_subtitle(tour)
    return " ".join(title.split()), " ".join(sub.split())


def border_name(countries: list[str], town: str, lang: str) -> str:
    """"Frontera Chile-Perú (Arica)", "Chile–Peru border (Arica)", "Fronteira Chile-Peru (Arica)"."""
    dash = "–" if lang == "en" else "-"
    names = dash.join(country_name(c, lang) for c in countries)
    return LABELS[lang]["border"].format(countries=names, town=town)


def conflict_text(lang: str, *, stop: str, field: str, a: str, a_src: str, b: str, b_src: str, kept: str,
                  why: str) -> str:
    """One disagreement between two articles (the older first), for the editor and the tour's page."""
    lab = LABELS[lang]

    def value(v: str) -> str:
        return lab.get(v, v) if field == "status" else v

    return lab["conflict"].format(stop=stop, field=lab["f_" + field], a=value(a), a_src=a_src, b=value(b),
                                  b_src=b_src, kept=value(kept), why=lab["r_" + why])


def met_elsewhere_text(lang: str, *, stop: str, who: str, src: str, where: str) -> str:
    return LABELS[lang]["met_elsewhere"].format(stop=stop, who=who, src=src, where=where)


def article_name(art, lang: str) -> str:
    """How an article is named in credits: its headline, else "article of <date>"."""
    if art.title.strip():
        return " ".join(art.title.split())
    if art.published:
        return LABELS[lang]["article_of"].format(date=date_text(art.published, lang, short=True))
    return LABELS[lang]["article"]


