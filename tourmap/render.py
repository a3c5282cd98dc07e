"""Map stage: the tour and its geometry as one self-contained, deterministic HTML page.

The page inlines Leaflet (tourmap/vendor) and an offline basemap clipped from Natural Earth
outlines, so it loads nothing from any other host. Article and config text reaches the page
two ways only: HTML-escaped into the markup (title, stop list, credits), or inside a JSON data
block with every `<`, `>` and `&` escaped, which the page's script turns into DOM nodes with
`textContent`, never `innerHTML`. A Content-Security-Policy with script hashes backs that up.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from babel import Locale
from babel.dates import format_date, format_interval, format_skeleton
from babel.numbers import format_decimal
from shapely.geometry import Point, shape
from shapely.ops import polylabel, unary_union

from .config import Settings
from .errors import BuildError
from .geometry import basemap, bearing_on_screen, located, route_points, view_window
from .models import Stop, Tour, TourGeometry

VENDOR = Path(__file__).resolve().parent / "vendor" / "leaflet"

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


def safe_url(url: str | None) -> str | None:
    """`url` when it is an absolute http(s) URL with a host; anything else (javascript:...) is dropped."""
    if not url or any(c in url for c in "\x00\r\n\t <>\"'`\\"):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


def esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def json_for_html(obj: Any) -> str:
    """JSON safe inside a <script> element: no `<`, `>`, `&` or line separators survive raw."""
    text = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


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


def stop_source(tour: Tour, stop: Stop) -> tuple[str | None, str]:
    """(http(s) URL or None, article title) of the article a stop's evidence comes from."""
    by_id = {a.id: a for a in tour.articles}
    ids = [e.article for e in stop.evidence] + list(stop.sources)
    art = next((by_id[i] for i in ids if i in by_id), tour.articles[0] if tour.articles else None)
    if art is None:
        return None, ""
    url = safe_url(art.source) or next((u for u in map(safe_url, art.source_urls) if u), None)
    return url, article_name(art, lang_of(tour))


# --- the page's data ---------------------------------------------------------------------------

def page_data(tour: Tour, geom: TourGeometry, *, settings: Settings) -> dict[str, Any]:
    """Everything the page script draws, as plain JSON (all text still raw: escaped on output)."""
    lang = lang_of(tour)
    lab = LABELS[lang]
    pts = route_points(tour)
    offset = 1 if tour.origin else 0
    stops = []
    seen: list[tuple[float, float]] = []
    for i, s in enumerate(tour.stops):
        lat, lon = pts[i + offset]
        if not located(lat, lon):
            continue  # no marker; the stop list below the map still names it
        url, src_title = stop_source(tour, s)
        # Stops at one place (a return visit) fan out instead of hiding each other's numbers.
        stack = sum(1 for p in seen if abs(p[0] - lat) < 0.02 and abs(p[1] - lon) < 0.02)
        seen.append((lat, lon))
        stops.append({
            "n": i + 1, "stack": stack, "name": s.name, "lat": round(lat, 5), "lon": round(lon, 5),
            "status": s.status,
            "country": country_name(s.country, lang), "landmark": s.landmark or "",
            "date": date_text(s.date, lang, end=s.date_end), "iso": s.date or "",
            "met": list(s.met), "quote": s.evidence[0].quote if s.evidence else "",
            "url": url, "source": src_title,
        })
    origin = None
    if tour.origin and located(*pts[0]):
        o = tour.origin
        origin = {"name": o.name, "lat": round(pts[0][0], 5), "lon": round(pts[0][1], 5),
                  "country": country_name(o.country, lang)}
    placed = [p for p in pts if located(*p)]
    legs = []
    for leg in geom.legs:
        mid = len(leg.coords) // 2
        a, b = leg.coords[max(mid - 1, 0)], leg.coords[min(mid + 1, len(leg.coords) - 1)]
        when = date_text(leg.date, lang, short=True) if leg.date else ""
        legs.append({
            "coords": [[la, lo] for la, lo in leg.coords], "status": leg.status,
            "mid": list(leg.coords[mid]), "angle": round(bearing_on_screen(a[0], a[1], b[0], b[1]), 1),
            "label": " · ".join(x for x in (when, km_text(leg.distance_km, lang)) if x),
            "title": f"{leg.start.name} → {leg.end.name}",
        })
    areas = []
    for c in geom.corridors:
        if c.geometry:
            status = lab["proposed"] if c.status == "proposed" else c.status
            label = f"{c.name[:1].upper()}{c.name[1:]} ({status})"
            areas.append({"kind": "corridor", "name": label, "geometry": c.geometry,
                          "at": _label_point(c.geometry, [(w.lat, w.lon) for w in c.waypoints], placed)})
    for r in geom.regions:
        if r.geometry:
            at = [(r.anchor.lat, r.anchor.lon)] if r.anchor else []
            areas.append({"kind": "region" if r.kind == "border" else "admin", "name": r.name,
                          "geometry": r.geometry, "at": _label_point(r.geometry, at, placed)})
    if settings.map.tiles:
        base, window = None, _padded(geom.bounds)
    else:
        base, window = basemap(geom.bounds)
    return {
        "lang": lang, "labels": {k: lab[k] for k in ("stop", "origin", "met_done", "met_plan", "source",
                                                     "completed", "planned")},
        "bounds": [list(p) for p in geom.bounds] if geom.bounds else None,
        "window": [[round(v, 3) for v in p] for p in window], "basemap": pack_basemap(base) if base else None,
        "focus": sorted({c.upper() for c in _tour_countries(tour)}),
        "countryLabels": _country_labels(base, tour, lang, geom.bounds) if base else [],
        "stops": stops, "origin": origin, "legs": legs, "areas": areas,
        "tiles": _tiles(settings),
    }


def pack_basemap(fc: dict[str, Any], *, digits: int = 2) -> dict[str, Any]:
    """Country outlines as integer deltas (about a third of the bytes of GeoJSON); the page unpacks them.

    {"q": 100, "f": [[iso2, [[ring, ring...] per polygon]]]}, each ring x0,y0,dx1,dy1,... in 1/q degrees.
    """
    q = 10 ** digits
    out = []
    for f in fc["features"]:
        g = f["geometry"]
        polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
        packed = []
        for poly in polys:
            rings = []
            for ring in poly:
                flat, px, py = [], 0, 0
                for x, y in ring[:-1]:  # the closing point is implied
                    ix, iy = round(x * q), round(y * q)
                    flat += [ix - px, iy - py]
                    px, py = ix, iy
                rings.append(flat)
            packed.append(rings)
        out.append([f["properties"]["iso2"], packed])
    return {"q": q, "f": out}


def _padded(bounds):
    s, w, n, e = view_window(bounds)
    return ((s, w), (n, e))


def _tiles(settings: Settings) -> dict[str, str] | None:
    url = settings.map.tiles
    if not url:
        return None
    probe = url.replace("{s}", "a").replace("{z}", "0").replace("{x}", "0").replace("{y}", "0").replace("{r}", "")
    if not safe_url(probe):
        raise BuildError(f"map.tiles: expected an http(s) URL template, got {url!r}")
    return {"url": url}


def _tile_origin(url: str) -> str:
    parts = urlsplit(url.replace("{s}", "SUBDOMAIN"))
    host = parts.netloc.replace("SUBDOMAIN", "*")
    return f"{parts.scheme}://{host}"


def _tour_countries(tour: Tour) -> set[str]:
    codes = {s.country for s in tour.stops if s.country}
    if tour.origin and tour.origin.country:
        codes.add(tour.origin.country)
    return {c for c in codes if c}


def _label_point(geometry: dict[str, Any], line: list[tuple[float, float]],
                 avoid: list[tuple[float, float]]) -> list[float]:
    """Where an area's label goes: the middle of the waypoint segment farthest from any stop
    (labels beside markers collide), else a point inside the shape."""
    if len(line) >= 2:
        mids = [((a[0] + b[0]) / 2, (a[1] + b[1]) / 2) for a, b in zip(line, line[1:])]
        best = max(mids, key=lambda m: min((math.hypot(m[0] - p[0], m[1] - p[1]) for p in avoid), default=0))
        return [round(best[0], 4), round(best[1], 4)]
    if line:
        return [round(line[0][0], 4), round(line[0][1], 4)]
    p = shape(geometry).representative_point()
    return [round(p.y, 4), round(p.x, 4)]


def _country_labels(base: dict[str, Any], tour: Tour, lang: str, bounds) -> list[dict[str, Any]]:
    """Names of the countries on the route, at a point well inside each one and away from the
    stops (whose own labels would cover it)."""
    wanted = _tour_countries(tour) | {c.upper() for r in tour.regions for c in r.countries}
    wanted |= {c.upper() for c in (x for k in tour.corridors for x in k.countries)}
    span = max(bounds[1][0] - bounds[0][0], bounds[1][1] - bounds[0][1], 1.0) if bounds else 10.0
    spots = [Point(lon, lat).buffer(0.05 * span) for lat, lon in route_points(tour) if located(lat, lon)]
    busy = unary_union(spots) if spots else None
    out = []
    for f in base["features"]:
        code = f["properties"]["iso2"]
        if code not in wanted:
            continue
        g = shape(f["geometry"])
        free = g.difference(busy) if busy is not None else g
        pieces = getattr(free, "geoms", [free]) if not free.is_empty else getattr(g, "geoms", [g])
        biggest = max((p for p in pieces if p.geom_type == "Polygon"), key=lambda p: p.area, default=None)
        if biggest is None:
            continue
        p = polylabel(biggest, tolerance=0.2)
        out.append({"text": country_name(code, lang).upper(), "lat": round(p.y, 3), "lon": round(p.x, 3)})
    return out


# --- the page ------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _leaflet() -> tuple[str, str]:
    try:
        js = (VENDOR / "leaflet.js").read_text(encoding="utf-8")
        css = (VENDOR / "leaflet.css").read_text(encoding="utf-8")
    except OSError:
        raise BuildError(f"{VENDOR}: Leaflet is missing; run scripts/vendor_assets.py") from None
    # Image rules point at files we do not ship (default icons, layer control): drop them so the
    # page never asks for them.
    css = re.sub(r"[^{}]*\{[^{}]*url\(images/[^{}]*\}", "", css)
    css = re.sub(r"\s*behavior: url\(#default#VML\);", "", css)
    return js, css


def _sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


PAGE_CSS = """
html,body{height:100%;margin:0}
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1b1b1b;background:#fff}
.tm{display:flex;flex-direction:column;height:100%;min-height:440px}
.tm-head{padding:10px 14px 8px;border-bottom:1px solid #e6e6e6}
.tm-head h1{font-size:19px;line-height:1.2;margin:0;font-weight:700}
.tm-sub{margin:3px 0 0;color:#5a5a5a;font-size:13px}
.tm-map{flex:1 1 auto;min-height:250px;background:#d7e5ee}
.tm-foot{flex:0 1 auto;max-height:38%;overflow:auto;padding:6px 14px 8px;font-size:12px;color:#333;border-top:1px solid #e6e6e6}
.tm-legend{display:flex;flex-wrap:wrap;gap:2px 14px;margin:0 0 4px;padding:0;list-style:none}
.tm-legend li{display:inline-flex;align-items:center;gap:5px;white-space:nowrap}
.tm-legend svg{flex:none}
.tm-foot h2{font-size:12px;margin:4px 0 2px;color:#555;font-weight:600}
.tm-stops{margin:0 0 4px;padding-left:20px}
.tm-stops li{margin:0}
.tm-stops .tm-st{color:#666}
.tm-credit{margin:4px 0 0;color:#6a6a6a;font-size:11px}
.tm-credit a,.tm-pop a{color:#1f4e79}
.leaflet-container{font:inherit;background:#d7e5ee}
.leaflet-container .leaflet-control-attribution{font-size:10px;color:#555}
.tm-pin{display:flex;align-items:center;justify-content:center;box-sizing:border-box;width:26px;height:26px;border-radius:50%;font:700 13px/1 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;border:2.5px solid #1f4e79;box-shadow:0 1px 3px rgba(0,0,0,.35)}
.tm-completed .tm-pin{background:#1f4e79;color:#fff}
.tm-planned .tm-pin{background:#fff;color:#1f4e79;border-style:solid}
.tm-origin .tm-pin{width:16px;height:16px;border-radius:3px;background:#c0392b;border:2.5px solid #fff;box-shadow:0 0 0 1.5px #c0392b}
.leaflet-marker-icon:focus-visible .tm-pin{outline:3px solid #f39c12;outline-offset:2px}
.tm-arrow svg{display:block}
.leaflet-tooltip.tm-label{background:transparent;border:0;box-shadow:none;padding:0 2px;font-weight:700;font-size:12.5px;color:#1b1b1b;text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff,0 0 4px #fff}
.leaflet-tooltip.tm-label:before{display:none}
.leaflet-tooltip.tm-leg-label{background:rgba(255,255,255,.85);border:0;box-shadow:none;border-radius:3px;padding:0 4px;font-size:11px;color:#1f4e79}
.leaflet-tooltip.tm-leg-label:before{display:none}
.leaflet-tooltip.tm-area-label{background:transparent;border:0;box-shadow:none;padding:0;font-size:11px;font-style:italic;color:#8a4b08;text-shadow:0 0 2px #fff,0 0 3px #fff}
.leaflet-tooltip.tm-area-label.tm-region{color:#7b1f3a}
.leaflet-tooltip.tm-area-label:before{display:none}
.tm-country{color:#9a9485;font-size:11px;letter-spacing:.12em;font-weight:600;white-space:nowrap;text-align:center;pointer-events:none;text-shadow:0 0 2px #f6f4ef}
.tm-pop h3{margin:0 0 2px;font-size:15px}
.tm-pop p{margin:2px 0}
.tm-pop .tm-k{color:#666;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.tm-pop blockquote{margin:6px 0;padding-left:8px;border-left:3px solid #c8d3dc;color:#333;font-style:italic}
@media (max-width:600px){.tm{height:auto}.tm-map{flex:none;height:64vh;min-height:300px}.tm-foot{max-height:none;overflow:visible}
.tm-head h1{font-size:16px}.tm-leg-label,.tm-area-label{display:none}.tm-country{font-size:10px}}
@media (prefers-reduced-motion:reduce){.leaflet-zoom-anim .leaflet-zoom-animated{transition:none}}
"""

# The page script: static text, no interpolation. All tour text arrives through the JSON block
# and is put into the page with textContent.
PAGE_JS = r"""
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("tm-data").textContent);
  var LB = D.labels;
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  var map = L.map("map", {
    zoomSnap: 0.25, scrollWheelZoom: false, keyboard: true, worldCopyJump: false,
    maxBounds: D.window, maxBoundsViscosity: 0.9, attributionControl: true
  });
  function fit() {
    // More room on the right: stop labels sit right of their pins.
    map.fitBounds(D.bounds || D.window, { paddingTopLeft: [30, 30], paddingBottomRight: [90, 24], animate: false });
  }
  fit();  // vector layers need a view before they are added
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Natural Earth \u00b7 GeoNames \u00b7 Leaflet");
  L.control.scale({ imperial: false, maxWidth: 110 }).addTo(map);
  map.createPane("tm-base").style.zIndex = 200;
  map.createPane("tm-labels").style.zIndex = 450;
  map.getPane("tm-labels").style.pointerEvents = "none";
  if (D.tiles) {
    L.tileLayer(D.tiles.url, { maxZoom: 18 }).addTo(map);
  }
  if (D.basemap) {
    var focus = {};
    D.focus.forEach(function (c) { focus[c] = true; });
    var q = D.basemap.q;
    var countries = D.basemap.f.map(function (c) {
      var polys = c[1].map(function (rings) {
        return rings.map(function (flat) {
          var pts = [], x = 0, y = 0;
          for (var i = 0; i < flat.length; i += 2) {
            x += flat[i]; y += flat[i + 1]; pts.push([x / q, y / q]);
          }
          pts.push(pts[0]);
          return pts;
        });
      });
      return { type: "Feature", properties: { iso2: c[0] }, geometry: { type: "MultiPolygon", coordinates: polys } };
    });
    L.geoJSON({ type: "FeatureCollection", features: countries }, {
      pane: "tm-base", interactive: false, renderer: L.canvas({ pane: "tm-base", padding: 0.5 }),
      style: function (f) {
        return { stroke: true, color: "#ffffff", weight: 1, opacity: 1, fillOpacity: 1,
                 fillColor: focus[f.properties.iso2] ? "#efe9dc" : "#f7f5f0" };
      }
    }).addTo(map);
    D.countryLabels.forEach(function (c) {
      L.marker([c.lat, c.lon], {
        pane: "tm-labels", interactive: false, keyboard: false,
        icon: L.divIcon({ className: "tm-country", html: el("span", "", c.text), iconSize: [140, 14] })
      }).addTo(map);
    });
  }
  var areaLayers = [];
  D.areas.forEach(function (a) {
    var corridor = a.kind === "corridor";
    var layer = L.geoJSON(a.geometry, {
      style: corridor
        ? { color: "#b35806", weight: 1.5, dashArray: "6 4", fillColor: "url(#tm-hatch)", fillOpacity: 1 }
        : { color: "#9e2a4b", weight: 1, fillColor: "#c2405f", fillOpacity: 0.28 }
    }).addTo(map);
    layer.bindTooltip(el("span", "", a.name), { sticky: true });
    areaLayers.push(layer);
    L.marker(a.at, { interactive: false, keyboard: false, opacity: 0,
                     icon: L.divIcon({ className: "", iconSize: [0, 0] }) })
      .bindTooltip(el("span", "", a.name), { permanent: true, direction: corridor ? "right" : "left",
                                             className: "tm-area-label" + (corridor ? "" : " tm-region"),
                                             offset: corridor ? [6, 0] : [-6, 0] })
      .addTo(map);
  });
  D.legs.forEach(function (g) {
    var done = g.status === "completed";
    L.polyline(g.coords, { color: "#ffffff", weight: 6, opacity: 0.8, interactive: false }).addTo(map);
    var line = L.polyline(g.coords, { color: "#1f4e79", weight: 2.5, opacity: 0.95,
                                      dashArray: done ? null : "7 6", className: "tm-leg tm-leg-" + g.status });
    line.bindTooltip(el("span", "", g.title + " \u00b7 " + g.label), { sticky: true });
    line.addTo(map);
    var arrow = el("div", "");
    arrow.style.transform = "rotate(" + g.angle + "deg)";
    var NS = "http://www.w3.org/2000/svg";
    var s = document.createElementNS(NS, "svg");
    s.setAttribute("width", "14"); s.setAttribute("height", "14"); s.setAttribute("viewBox", "0 0 14 14");
    s.setAttribute("aria-hidden", "true");
    var tri = document.createElementNS(NS, "path");
    tri.setAttribute("d", "M7 1 L13 13 L7 10 L1 13 Z"); tri.setAttribute("fill", "#1f4e79");
    tri.setAttribute("stroke", "#fff"); tri.setAttribute("stroke-width", "1.2");
    s.appendChild(tri); arrow.appendChild(s);
    L.marker(g.mid, { interactive: false, keyboard: false,
                      icon: L.divIcon({ className: "tm-arrow", html: arrow, iconSize: [14, 14] }) })
      .bindTooltip(el("span", "", g.label), {
        permanent: true, className: "tm-leg-label",
        // Beside the line, not on it: above a leg that runs east-west, right of one running north-south.
        direction: (g.angle % 180 > 45 && g.angle % 180 < 135) ? "top" : "right",
        offset: (g.angle % 180 > 45 && g.angle % 180 < 135) ? [0, -8] : [8, 0] })
      .addTo(map);
  });
  if (D.origin) {
    var o = D.origin;
    var om = L.marker([o.lat, o.lon], {
      keyboard: true, title: LB.origin + ": " + o.name, alt: LB.origin + ": " + o.name,
      icon: L.divIcon({ className: "tm-origin", html: el("div", "tm-pin"), iconSize: [16, 16] })
    });
    var op = el("div", "tm-pop");
    op.appendChild(el("p", "tm-k", LB.origin));
    op.appendChild(el("h3", "", o.name));
    if (o.country) { op.appendChild(el("p", "", o.country)); }
    // Below the square: the origin is often the route's west or east end, where a side label
    // would run off a phone screen.
    om.bindPopup(op).bindTooltip(el("span", "", o.name), { permanent: true, direction: "bottom",
                                                          offset: [0, 6], className: "tm-label" });
    om.addTo(map);
  }
  D.stops.forEach(function (s) {
    var done = s.status === "completed";
    var name = s.n + ". " + s.name;
    var m = L.marker([s.lat, s.lon], {
      keyboard: true, riseOnHover: true, zIndexOffset: 1000 + s.n, title: name, alt: name,
      icon: L.divIcon({ className: "tm-stop tm-" + s.status, html: el("div", "tm-pin", s.n),
                        iconSize: [26, 26], iconAnchor: [13 - 20 * s.stack, 13] })
    });
    var p = el("div", "tm-pop");
    p.appendChild(el("p", "tm-k", LB.stop + " " + s.n + " \u00b7 " + (done ? LB.completed : LB.planned)));
    p.appendChild(el("h3", "", s.name + (s.country ? ", " + s.country : "")));
    if (s.landmark) { p.appendChild(el("p", "tm-landmark", s.landmark)); }
    var t = el("time", "tm-date", s.date);
    if (s.iso) { t.setAttribute("datetime", s.iso); }
    var dp = el("p", ""); dp.appendChild(t); p.appendChild(dp);
    if (s.met.length) {
      p.appendChild(el("p", "tm-met", (done ? LB.met_done : LB.met_plan) + ": " + s.met.join(", ")));
    }
    if (s.quote) { p.appendChild(el("blockquote", "", "\u201c" + s.quote + "\u201d")); }
    if (s.url) {
      var a = el("a", "", LB.source + ": " + (s.source || s.url));
      a.href = s.url; a.target = "_blank"; a.rel = "noopener noreferrer";
      var sp = el("p", ""); sp.appendChild(a); p.appendChild(sp);
    } else if (s.source) {
      p.appendChild(el("p", "tm-k", LB.source + ": " + s.source));
    }
    // On a phone the map is short: a long popup scrolls inside instead of leaving the map.
    m.bindPopup(p, { maxWidth: 280, maxHeight: Math.max(140, map.getSize().y - 70), autoPanPadding: [12, 12] });
    m.bindTooltip(el("span", "", s.name), { permanent: true, direction: "right", offset: [14, 0],
                                           className: "tm-label" });
    m.addTo(map);
  });
  map.setMinZoom(Math.max(map.getZoom() - 2, 1));
  map.setMaxZoom(D.tiles ? 18 : 9);
  window.addEventListener("resize", function () { map.invalidateSize(false); fit(); });
  if (window.ResizeObserver) {
    // The container can change size without a window resize (fonts, the footer wrapping).
    new ResizeObserver(function () { map.invalidateSize(false); }).observe(document.getElementById("map"));
  }
  // Marks the map as drawn: tests and screenshot tools wait for it.
  window.requestAnimationFrame(function () {
    document.getElementById("map").classList.add("tm-ready");
  });
})();
"""


# The corridor's hatching, referenced as fill="url(#tm-hatch)". It lives in its own hidden SVG:
# the same pattern inside Leaflet's overlay SVG made Chromium leave parts of the basemap unpainted.
HATCH_DEFS = (
    '<svg width="0" height="0" style="position:absolute" aria-hidden="true" focusable="false"><defs>'
    '<pattern id="tm-hatch" width="8" height="8" patternUnits="userSpaceOnUse">'
    '<rect width="8" height="8" fill="rgba(241,163,64,0.16)"/>'
    '<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="rgba(179,88,6,0.5)" stroke-width="1.5"/>'
    '</pattern></defs></svg>\n'
)


@dataclass(frozen=True)
class _Swatch:
    svg: str
    text: str


def _legend(tour: Tour, geom: TourGeometry, lang: str) -> list[_Swatch]:
    lab = LABELS[lang]
    sw = []
    statuses = {s.status for s in tour.stops}
    if "completed" in statuses:
        sw.append(_Swatch('<svg width="16" height="16" aria-hidden="true"><circle cx="8" cy="8" r="6.5" '
                          'fill="#1f4e79" stroke="#1f4e79" stroke-width="2"/></svg>', lab["stop_done"]))
    if "planned" in statuses:
        sw.append(_Swatch('<svg width="16" height="16" aria-hidden="true"><circle cx="8" cy="8" r="6.5" '
                          'fill="#fff" stroke="#1f4e79" stroke-width="2"/></svg>', lab["stop_plan"]))
    if tour.origin:
        sw.append(_Swatch('<svg width="16" height="16" aria-hidden="true"><rect x="3" y="3" width="10" '
                          'height="10" rx="2" fill="#c0392b"/></svg>', lab["origin"]))
    if any(leg.status == "completed" for leg in geom.legs):
        sw.append(_Swatch('<svg width="26" height="10" aria-hidden="true"><path d="M1 5H25" stroke="#1f4e79" '
                          'stroke-width="2.5"/></svg>', lab["leg_done"]))
    if any(leg.status != "completed" for leg in geom.legs):
        sw.append(_Swatch('<svg width="26" height="10" aria-hidden="true"><path d="M1 5H25" stroke="#1f4e79" '
                          'stroke-width="2.5" stroke-dasharray="5 4"/></svg>', lab["leg_plan"]))
    if any(c.geometry for c in geom.corridors):
        sw.append(_Swatch('<svg width="22" height="14" aria-hidden="true"><defs><pattern id="tm-lh" width="5" '
                          'height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="5" '
                          'height="5" fill="#fdebd3"/><line x1="0" y1="0" x2="0" y2="5" stroke="#d08a3c" '
                          'stroke-width="1.6"/></pattern></defs><rect x="1" y="1" width="20" height="12" '
                          'fill="url(#tm-lh)" stroke="#b35806" stroke-dasharray="3 2"/></svg>', lab["corridor"]))
    kinds = {r.kind for r in geom.regions if r.geometry}
    for kind in sorted(kinds):
        sw.append(_Swatch('<svg width="22" height="14" aria-hidden="true"><rect x="1" y="1" width="20" '
                          'height="12" fill="#e7b3bf" stroke="#9e2a4b"/></svg>',
                          lab["region"] if kind == "border" else lab["admin"]))
    return sw


def render_map(tour: Tour, geom: TourGeometry, *, settings: Settings) -> str:
    """index.html: a self-contained Leaflet map of the tour, same input -> same bytes."""
    lang = lang_of(tour)
    lab = LABELS[lang]
    title, subtitle = titles(tour)
    data = page_data(tour, geom, settings=settings)
    leaflet_js, leaflet_css = _leaflet()
    img_src = "data:"
    if data["tiles"]:
        img_src += " " + _tile_origin(data["tiles"]["url"])
    csp = (f"default-src 'none'; script-src {_sha(leaflet_js)} {_sha(PAGE_JS)}; style-src 'unsafe-inline'; "
           f"img-src {img_src}; base-uri 'none'; form-action 'none'")
    items = []
    for i, s in enumerate(tour.stops, 1):
        bits = [date_text(s.date, lang, end=s.date_end), lab["completed"] if s.status == "completed" else lab["planned"]]
        if s.met:
            bits.append(f"{lab['with']} {', '.join(s.met)}")
        place = s.name + (f" ({country_name(s.country, lang)})" if s.country else "")
        if s.landmark:
            place += f", {s.landmark}"
        iso = f' datetime="{esc(s.date)}"' if s.date else ""
        items.append(f'<li><strong>{esc(place)}</strong> <span class="tm-st">— <time{iso}>'
                     f'{esc(bits[0])}</time> · {esc(" · ".join(bits[1:]))}</span></li>')
    origin_line = ""
    if tour.origin:
        origin_line = (f'<p class="tm-credit">{esc(lab["origin"])}: '
                       f'{esc(tour.origin.name)}</p>')
    legend = "".join(f"<li>{s.svg}<span>{esc(s.text)}</span></li>" for s in _legend(tour, geom, lang))
    credits = []
    for art in tour.articles:
        url = safe_url(art.source)
        name = article_name(art, lang)
        credits.append(f'<a href="{esc(url)}" rel="noopener noreferrer" target="_blank">{esc(name)}</a>'
                       if url else esc(name))
    data_credit = " · ".join(f'<a href="{u}" rel="noopener noreferrer" target="_blank">{n}</a>' for n, u in CREDITS)
    if settings.map.tiles and settings.map.tiles_attribution:
        data_credit += f" · {esc(lab['basemap'])}: {esc(settings.map.tiles_attribution)}"
    credit_line = f'{esc(lab["source"])}: {" · ".join(credits)}' if credits else ""
    own = f" · {esc(settings.map.credit)}" if settings.map.credit else ""
    description = f"{title}. {subtitle}" if subtitle else title
    return "".join([
        "<!DOCTYPE html>\n",
        f'<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        f'<meta http-equiv="Content-Security-Policy" content="{esc(csp)}">\n',
        '<meta name="referrer" content="strict-origin-when-cross-origin">\n',
        f"<title>{esc(title)}</title>\n",
        f'<meta name="description" content="{esc(description)}">\n',
        f"<style>{leaflet_css}</style>\n<style>{PAGE_CSS}</style>\n</head>\n<body>\n",
        '<div class="tm">\n<header class="tm-head">\n',
        f"<h1>{esc(title)}</h1>\n",
        f'<p class="tm-sub">{esc(subtitle)}</p>\n' if subtitle else "",
        "</header>\n",
        f'<div id="map" class="tm-map" role="region" aria-label="{esc(lab["map"])}" '
        'aria-describedby="tm-stops-h"></div>\n',
        '<footer class="tm-foot">\n',
        f'<ul class="tm-legend" aria-label="{esc(lab["legend"])}">{legend}</ul>\n',
        f'<h2 id="tm-stops-h">{esc(lab["stops"])}</h2>\n',
        f'<ol class="tm-stops">{"".join(items)}</ol>\n',
        origin_line,
        f'<p class="tm-credit">{credit_line}{" · " if credit_line else ""}{esc(lab["data"])}: {data_credit}{own}</p>\n',
        "</footer>\n</div>\n",
        HATCH_DEFS,
        f"<script>{leaflet_js}</script>\n",
        f'<script type="application/json" id="tm-data">{json_for_html(data)}</script>\n',
        f"<script>{PAGE_JS}</script>\n",
        "</body>\n</html>\n",
    ])


def embed_snippet(tour: Tour, *, settings: Settings) -> str:
    """embed.html: a responsive iframe to paste beside the article (lazy, titled, sandboxed)."""
    title, _ = titles(tour)
    base = getattr(getattr(settings, "site", None), "base_url", "") or ""
    src = f"{base.rstrip('/')}/{tour.slug}/index.html" if safe_url(base) and tour.slug else "index.html"
    return (
        f'<div class="tourmap-embed" style="position:relative;width:100%;max-width:980px;'
        f'aspect-ratio:4/3;min-height:520px;margin:0 auto">'
        f'<iframe src="{esc(src)}" title="{esc(title)}" loading="lazy" '
        f'sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox" '
        f'referrerpolicy="strict-origin-when-cross-origin" '
        f'style="position:absolute;inset:0;width:100%;height:100%;border:0"></iframe></div>\n'
    )


def render_static(tour: Tour, geom: TourGeometry, *, settings: Settings) -> dict[str, bytes | str]:
    """{"map.png": bytes, "map.svg": str}: the same map drawn offline with matplotlib."""
    from .static import render_static as draw

    return draw(tour, geom, settings=settings)
