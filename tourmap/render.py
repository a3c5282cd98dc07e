"""Map stage: the tour and its geometry as one self-contained, deterministic HTML page.

The page is a folium map (folium.Map, GeoJson, PolyLine, Marker with DivIcon, Tooltip, Popup) in
a branca Figure. folium's CDN links are dropped: Leaflet (tourmap/vendor) is inlined, and the
basemap is Natural Earth outlines clipped to the tour, so the page loads nothing from any other
host. Element ids come from a counter during the build, so the same input gives the same bytes.

Article and config text is hostile. It reaches the page only HTML-escaped (`esc` in markup,
`text_html` for what folium puts into scripts: it also neutralises template-literal syntax and
the `{{ }}` that branca would otherwise evaluate as Jinja) or as JS string literals with no `<`,
`&` or braces raw. A Content-Security-Policy with hashes of the final inline scripts backs that up.
"""
from __future__ import annotations

import base64
import hashlib
import html
import itertools
import json
import math
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import folium
from branca.element import Element, Figure, MacroElement, Template
from branca.element import Html as BrancaHtml
from folium.features import DivIcon
from folium.map import FitBounds
from folium.template import Template as FoliumTemplate
from folium.utilities import JsCode
from shapely.geometry import Point, shape
from shapely.ops import polylabel, unary_union

from .config import Settings
from .embed import height_reporter
from .errors import BuildError
from .geometry import bearing_on_screen, located, route_points, view_window
from .models import Stop, Tour, TourGeometry
from .wording import (CREDITS, DATA_CREDIT, LABELS, article_name, country_name, date_text,  # noqa: F401
                      km_text, lang_of, titles)

VENDOR = Path(__file__).resolve().parent / "vendor" / "leaflet"


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
    """Everything the map draws, as plain data (all text still raw: escaped on output)."""
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
    # Offline, the map stops at zoom 9, where a pixel is ~300 m: 3 decimals (~110 m) draw the same line.
    digits = 5 if settings.map.tiles else 3
    legs = []
    for leg in geom.legs:
        mid = len(leg.coords) // 2
        a, b = leg.coords[max(mid - 1, 0)], leg.coords[min(mid + 1, len(leg.coords) - 1)]
        when = date_text(leg.date, lang, short=True) if leg.date else ""
        legs.append({
            "coords": [[round(la, digits), round(lo, digits)] for la, lo in leg.coords], "status": leg.status,
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
        base, window = geom.basemap, geom.window
    return {
        "lang": lang, "labels": {k: lab[k] for k in ("stop", "origin", "met_done", "met_plan", "source",
                                                     "completed", "planned")},
        "bounds": [list(p) for p in geom.bounds] if geom.bounds else None,
        "window": [[round(v, 3) for v in p] for p in window], "basemap": base,
        "focus": sorted({c.upper() for c in _tour_countries(tour)}),
        "countryLabels": _country_labels(base, tour, lang, geom.bounds) if base else [],
        "stops": stops, "origin": origin, "legs": legs, "areas": areas,
        "tiles": _tiles(settings),
    }


def pack_basemap(fc: dict[str, Any], *, digits: int = 2) -> dict[str, Any]:
    """Country outlines as integer deltas (about 40% of the bytes of GeoJSON); the page unpacks them.

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
    if not safe_url(probe) or "{" in probe or "}" in probe:
        # Other braces are no tile placeholder, and folium's output is read as a Jinja template.
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


def text_html(text: Any) -> str:
    """Text as HTML that stays text in every place folium puts it.

    Besides the usual HTML escaping: folium writes tooltip HTML into JS template literals
    (backtick, `${` and backslash mean something there), and branca re-reads the output of every
    macro as a Jinja template, so `{{ ... }}` in an article would be evaluated while building.
    """
    out = html.escape(str(text), quote=True)
    for raw, ref in (("`", "&#96;"), ("$", "&#36;"), ("\\", "&#92;"), ("{", "&#123;"), ("}", "&#125;"),
                     ("\x00", "\ufffd")):
        out = out.replace(raw, ref)
    return out


def js_string(text: str) -> JsCode:
    """A JS string literal for plain text (marker titles): JSON with no `<`, `&` or braces raw."""
    lit = json_for_html(str(text).replace("\x00", "\ufffd"))
    return JsCode(lit.replace("{", "\\u007b").replace("}", "\\u007d"))


@contextmanager
def _deterministic_folium() -> Iterator[None]:
    """For one build: element ids from a counter instead of random bytes (same input, same page),
    and compact JSON from folium's `tojson` (the basemap is most of the page)."""
    counter = itertools.count(1)
    env = FoliumTemplate("").environment
    with _BUILD_LOCK:
        saved_id = Element.__dict__["_generate_id"]
        saved_json = env.policies.get("json.dumps_kwargs")
        Element._generate_id = classmethod(lambda cls: str(next(counter)))  # type: ignore[method-assign]
        env.policies["json.dumps_kwargs"] = {"sort_keys": True, "separators": (",", ":")}
        try:
            yield
        finally:
            Element._generate_id = saved_id  # type: ignore[method-assign]
            env.policies["json.dumps_kwargs"] = saved_json


_BUILD_LOCK = threading.Lock()
CSP_SLOT = "tourmap-csp-slot"
# More room on the right: stop labels sit right of their pins.
FIT = {"paddingTopLeft": [30, 30], "paddingBottomRight": [90, 24], "animate": False}


class Markup(Element):
    """A piece of finished, escaped HTML. Never parsed as a template: braces in it stay text."""

    _template = Template("{{ this.markup }}")

    def __init__(self, markup: str):
        super().__init__()
        self._name = "Markup"
        self.markup = markup


class Page(Figure):
    """branca's Figure with a language, the map's script inside <body>, and the page's own layout."""

    _template = Template(
        "<!DOCTYPE html>\n"
        '<html lang="{{ this.lang }}">\n<head>\n{{ this.header.render(**kwargs) }}</head>\n<body>\n'
        '<div class="tm">\n{{ this.html.render(**kwargs) }}</div>\n'
        "<script>{{ this.compact(this.script.render(**kwargs)) }}</script>\n</body>\n</html>\n"
    )

    @staticmethod
    def compact(js: str) -> str:
        """folium's script without the indentation and blank lines of its templates. Safe for JS:
        no string literal spans lines, and inside tooltip template literals the whitespace is HTML."""
        return "\n".join(line.strip() for line in js.splitlines() if line.strip()) + "\n"

    def __init__(self, lang: str):
        super().__init__(height="100%")
        self._name = "Page"
        self.lang = esc(lang)
        self.header._children.clear()  # branca's http-equiv charset: ours is <meta charset> first


class TourMap(folium.Map):
    """folium.Map without CDN assets, the touch-zoom lock or global switches, with ARIA on its div."""

    _template = FoliumTemplate(
        """
{% macro html(this, kwargs) %}<div class="folium-map tm-map" id={{ this.get_name()|tojson }} role="region" aria-label="{{ this.aria_label|e }}" aria-describedby="tm-stops-h"></div>
{% endmacro %}
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.map({{ this.get_name()|tojson }}, {center: {{ this.location|tojson }}, crs: L.CRS.{{ this.crs }}, ...{{ this.options|tojavascript }}});
{%- if this.control_scale %}
L.control.scale({imperial: false, maxWidth: 110}).addTo({{ this.get_name() }});
{%- endif %}
{% endmacro %}
"""
    )

    def __init__(self, *args: Any, aria_label: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.aria_label = aria_label
        # folium's class lists name jQuery, Bootstrap, Font Awesome... on CDNs; JSCSSMixin reads
        # these, and the vendored Leaflet is inlined in the page's header instead.
        self.default_js, self.default_css = [], []


class Popup(folium.Popup):
    """folium.Popup whose content goes in as a JSON string: folium's own template builds it with
    jQuery's `$()` from a template literal, and this page ships no jQuery."""

    _template = FoliumTemplate(
        """
var {{ this.get_name() }} = L.popup({{ this.options|tojavascript }});
{%- for name, element in this.html._children.items() %}
{{ this.get_name() }}.setContent({{ element.render(**kwargs)|tojson }});
{%- endfor %}
{{ this._parent.get_name() }}.bindPopup({{ this.get_name() }});
"""
    )


class PackedGeoJson(folium.GeoJson):
    """folium.GeoJson for the basemap, shipped as integer deltas (`pack_basemap`) and unpacked in
    the page: 20 KB instead of 50 KB for a continent. folium's style_function machinery is kept
    (the style map is computed from the real features); only the data line and the per-feature
    event hooks, which a non-interactive basemap does not need, differ from folium's template."""

    _template = FoliumTemplate(
        """
{% macro script(this, kwargs) %}
function {{ this.get_name() }}_styler(feature) {
switch({{ this.feature_identifier }}) {
{%- for style, ids_list in this.style_map.items() if not style == 'default' %}
{% for id_val in ids_list %}case {{ id_val|tojson }}: {% endfor %}return {{ style }};
{%- endfor %}
default: return {{ this.style_map['default'] }};
}
}
var {{ this.get_name() }} = L.geoJson(null, {style: {{ this.get_name() }}_styler, ...{{ this.options|tojavascript }}});
{{ this.get_name() }}.addData((function (p) {
  return {type: "FeatureCollection", features: p.f.map(function (c) {
    return {type: "Feature", properties: {iso2: c[0]}, geometry: {type: "MultiPolygon", coordinates: c[1].map(function (rings) {
      return rings.map(function (flat) {
        var pts = [], x = 0, y = 0;
        for (var i = 0; i < flat.length; i += 2) { x += flat[i]; y += flat[i + 1]; pts.push([x / p.q, y / p.q]); }
        pts.push(pts[0]);
        return pts;
      });
    })}};
  })};
})({{ this.packed|tojson }}));
{% endmacro %}
"""
    )

    def __init__(self, data: dict[str, Any], **kwargs: Any):
        super().__init__(data, **kwargs)
        self.packed = pack_basemap(data)


class Behaviour(MacroElement):
    """What the map does after its layers are in: attribution, zoom limits, refit on resize, and
    the `tm-ready` class that tests and screenshot tools wait for."""

    _template = FoliumTemplate(
        """
{% macro script(this, kwargs) %}
(function (map) {
  var view = {{ this.view|tojson }}, pad = {{ this.padding|tojson }};
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution({{ this.attribution|tojson }});
  map.setMinZoom(Math.max(map.getZoom() - 2, 1));
  window.addEventListener("resize", function () { map.invalidateSize(false); map.fitBounds(view, pad); });
  if (window.ResizeObserver) {
    // The container can change size without a window resize (fonts, the footer wrapping).
    new ResizeObserver(function () { map.invalidateSize(false); }).observe(map.getContainer());
  }
  window.requestAnimationFrame(function () { map.getContainer().classList.add("tm-ready"); });
})({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(self, view, padding: dict[str, Any], attribution: str):
        super().__init__()
        self._name = "Behaviour"
        self.view, self.padding, self.attribution = view, padding, attribution


class Footer(MacroElement):
    """Escaped HTML for the page body below the map: added as the map's child, it renders after it."""

    _template = FoliumTemplate("{% macro html(this, kwargs) %}{{ this.markup }}{% endmacro %}")

    def __init__(self, markup: str):
        super().__init__()
        self._name = "Footer"
        # branca turns macro output into a template of its own: keep Jinja delimiters out of it.
        self.markup = markup.replace("{", "&#123;").replace("}", "&#125;")


def _marker(m: folium.Map, location, icon: DivIcon, **kwargs: Any) -> folium.Marker:
    """A folium.Marker created with its DivIcon. folium adds a marker with Leaflet's default icon
    and swaps the icon afterwards; that first icon is an <img> of a file this page does not ship."""
    m.add_child(icon)  # its `var div_icon_N = L.divIcon(...)` comes before the marker's script
    marker = folium.Marker(location, **kwargs)
    marker.options["icon"] = icon  # folium's tojavascript writes an element as its variable name
    return marker.add_to(m)


def _tooltip(text: str, **options: Any) -> folium.Tooltip:
    return folium.Tooltip(text_html(text), sticky=options.pop("sticky", False), **options)


def _stop_popup(s: dict[str, Any], lab: dict[str, str], map_name: str) -> Popup:
    done = s["status"] == "completed"
    parts = [(f'<p class="tm-k">{text_html(lab["stop"])} {s["n"]} · '
              f'{text_html(lab["completed"] if done else lab["planned"])}</p>'),
             f'<h3>{text_html(s["name"] + (", " + s["country"] if s["country"] else ""))}</h3>']
    if s["landmark"]:
        parts.append(f'<p class="tm-landmark">{text_html(s["landmark"])}</p>')
    when = f' datetime="{text_html(s["iso"])}"' if s["iso"] else ""
    parts.append(f'<p><time class="tm-date"{when}>{text_html(s["date"])}</time></p>')
    if s["met"]:
        who = lab["met_done"] if done else lab["met_plan"]
        parts.append(f'<p class="tm-met">{text_html(who + ": " + ", ".join(s["met"]))}</p>')
    if s["quote"]:
        parts.append(f"<blockquote>{text_html('“' + s['quote'] + '”')}</blockquote>")
    source = lab["source"] + ": " + (s["source"] or s["url"] or "")
    if s["url"]:
        parts.append(f'<p><a href="{text_html(s["url"])}" target="_blank" rel="noopener noreferrer">'
                     f"{text_html(source)}</a></p>")
    elif s["source"]:
        parts.append(f'<p class="tm-k">{text_html(source)}</p>')
    # On a phone the map is short: a long popup scrolls inside instead of leaving the map.
    return Popup(BrancaHtml(f'<div class="tm-pop">{"".join(parts)}</div>', script=True), max_width=280,
                 max_height=JsCode(f"Math.max(140, {map_name}.getSize().y - 70)"), auto_pan_padding=[12, 12])


ARROW_SVG = ('<svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true"><path d="M7 1 L13 13 L7 10 L1 13 Z" '
             'fill="#1f4e79" stroke="#fff" stroke-width="1.2"/></svg>')
BASE_STYLE = {"stroke": True, "color": "#ffffff", "weight": 1, "opacity": 1, "fillOpacity": 1}
CORRIDOR_STYLE = {"color": "#b35806", "weight": 1.5, "dashArray": "6 4", "fillColor": "url(#tm-hatch)",
                  "fillOpacity": 1}
# A border band is a few kilometres wide: at a whole-tour zoom that is a pixel or two, so a wide
# translucent halo (a stroke, constant in pixels) carries it, with the band itself drawn solid on top.
REGION_HALO = {"color": "#d6336c", "weight": 16, "opacity": 0.4, "fill": False, "lineJoin": "round"}
REGION_STYLE = {"color": "#9e2a4b", "weight": 2.5, "opacity": 1, "fillColor": "#c2405f", "fillOpacity": 0.7}
ADMIN_STYLE = {"color": "#9e2a4b", "weight": 1.5, "opacity": 1, "fillColor": "#c2405f", "fillOpacity": 0.28}


def build_page(tour: Tour, geom: TourGeometry, *, settings: Settings) -> tuple[Page, folium.Map]:
    """The page as folium / branca objects (call inside `_deterministic_folium`)."""
    lang = lang_of(tour)
    lab = LABELS[lang]
    title, subtitle = titles(tour)
    data = page_data(tour, geom, settings=settings)
    leaflet_js, leaflet_css = _leaflet()
    description = f"{title}. {subtitle}" if subtitle else title

    page = Page(lang)
    for name, markup in (
        ("charset", '<meta charset="utf-8">\n'),
        ("viewport", '<meta name="viewport" content="width=device-width, initial-scale=1">\n'),
        ("csp", f'<meta http-equiv="Content-Security-Policy" content="{CSP_SLOT}">\n'),
        ("referrer", '<meta name="referrer" content="strict-origin-when-cross-origin">\n'),
        ("title", f"<title>{esc(title)}</title>\n"),
        ("description", f'<meta name="description" content="{esc(description)}">\n'),
        ("leaflet_css", f"<style>{leaflet_css}</style>\n"),
        ("page_css", f"<style>{PAGE_CSS}</style>\n"),
        ("leaflet_js", f"<script>{leaflet_js}</script>\n"),
    ):
        page.header.add_child(Markup(markup), name=name)
    page.html.add_child(Markup(
        '<header class="tm-head">\n'
        f"<h1>{esc(title)}</h1>\n" + (f'<p class="tm-sub">{esc(subtitle)}</p>\n' if subtitle else "") +
        "</header>\n"), name="head")

    (s, w), (n, e) = data["window"]
    view = data["bounds"] or data["window"]
    m = TourMap(
        location=[round((view[0][0] + view[1][0]) / 2, 4), round((view[0][1] + view[1][1]) / 2, 4)],
        zoom_start=3, tiles=None, control_scale=True, max_bounds=True, min_lat=s, max_lat=n, min_lon=w,
        max_lon=e, zoom_snap=0.25, scroll_wheel_zoom=False, world_copy_jump=False, max_bounds_viscosity=0.9,
        aria_label=lab["map"],
    )
    m.options["max_zoom"] = 18 if data["tiles"] else 9  # folium's own max_zoom only reaches its tile layer
    page.add_child(m)
    mname = m.get_name()
    fit = FitBounds(view)
    fit.options = dict(FIT)
    m.add_child(fit)  # first: vector layers need a view before they are added
    folium.map.CustomPane("tm-base", z_index=200, pointer_events=True).add_to(m)
    folium.map.CustomPane("tm-labels", z_index=450, pointer_events=False).add_to(m)

    if data["tiles"]:
        attribution = settings.map.tiles_attribution or _tile_origin(data["tiles"]["url"])
        folium.TileLayer(data["tiles"]["url"], attr=text_html(attribution), max_zoom=18).add_to(m)
    if data["basemap"]:
        focus = set(data["focus"])
        PackedGeoJson(
            data["basemap"], interactive=False, pane="tm-base",
            renderer=JsCode('L.canvas({pane: "tm-base", padding: 0.5})'),
            style_function=lambda f: {**BASE_STYLE,
                                      "fillColor": "#efe9dc" if f["properties"]["iso2"] in focus else "#f7f5f0"},
        ).add_to(m)
        for c in data["countryLabels"]:
            _marker(m, [c["lat"], c["lon"]], DivIcon(html=f"<span>{text_html(c['text'])}</span>",
                                                     class_name="tm-country", icon_size=(140, 14)),
                    pane="tm-labels", interactive=False, keyboard=False)

    for a in data["areas"]:
        corridor = a["kind"] == "corridor"
        if a["kind"] == "region":
            folium.GeoJson(a["geometry"], interactive=False, style_function=lambda f: REGION_HALO).add_to(m)
        style = CORRIDOR_STYLE if corridor else REGION_STYLE if a["kind"] == "region" else ADMIN_STYLE
        folium.GeoJson(a["geometry"], style_function=lambda f, style=style: style,
                       tooltip=_tooltip(a["name"], sticky=True)).add_to(m)
        _marker(m, a["at"], DivIcon(class_name="", icon_size=(0, 0)), interactive=False, keyboard=False, opacity=0,
                tooltip=_tooltip(a["name"], permanent=True, direction="right" if corridor else "left",
                                 class_name="tm-area-label" + ("" if corridor else " tm-region"),
                                 offset=[6, 0] if corridor else [-6, 0]))

    for g in data["legs"]:
        done = g["status"] == "completed"
        folium.PolyLine(g["coords"], color="#ffffff", weight=6, opacity=0.8, interactive=False).add_to(m)
        folium.PolyLine(g["coords"], color="#1f4e79", weight=2.5, opacity=0.95, dash_array=None if done else "7 6",
                        class_name=f"tm-leg tm-leg-{g['status']}",
                        tooltip=_tooltip(f"{g['title']} · {g['label']}", sticky=True)).add_to(m)
        # Beside the line, not on it: above a leg that runs east-west, right of one running north-south.
        across = 45 < g["angle"] % 180 < 135
        _marker(m, g["mid"], DivIcon(html=f'<div style="transform:rotate({g["angle"]}deg)">{ARROW_SVG}</div>',
                                     class_name="tm-arrow", icon_size=(14, 14)),
                interactive=False, keyboard=False,
                tooltip=_tooltip(g["label"], permanent=True, class_name="tm-leg-label",
                                 direction="top" if across else "right", offset=[0, -8] if across else [8, 0]))

    if data["origin"]:
        o = data["origin"]
        name = f"{lab['origin']}: {o['name']}"
        body = (f'<div class="tm-pop"><p class="tm-k">{text_html(lab["origin"])}</p><h3>{text_html(o["name"])}</h3>'
                + (f"<p>{text_html(o['country'])}</p>" if o["country"] else "") + "</div>")
        # The label goes below the square: the origin is often the route's west or east end, where
        # a side label would run off a phone screen.
        _marker(m, [o["lat"], o["lon"]], DivIcon(html='<div class="tm-pin"></div>', class_name="tm-origin",
                                                 icon_size=(16, 16)),
                keyboard=True, title=js_string(name), alt=js_string(name),
                popup=Popup(BrancaHtml(body, script=True), max_width=280),
                tooltip=_tooltip(o["name"], permanent=True, direction="bottom", offset=[0, 6], class_name="tm-label"))

    for st in data["stops"]:
        name = f"{st['n']}. {st['name']}"
        _marker(m, [st["lat"], st["lon"]],
                DivIcon(html=f'<div class="tm-pin">{st["n"]}</div>', class_name=f"tm-stop tm-{st['status']}",
                        icon_size=(26, 26), icon_anchor=(13 - 20 * st["stack"], 13)),
                keyboard=True, rise_on_hover=True, z_index_offset=1000 + st["n"], title=js_string(name),
                alt=js_string(name), popup=_stop_popup(st, lab, mname),
                tooltip=_tooltip(st["name"], permanent=True, direction="right", offset=[14, 0], class_name="tm-label"))

    m.add_child(Footer(_footer(tour, geom, settings, lang)))
    m.add_child(Behaviour(view, FIT, "Natural Earth · GeoNames · Leaflet"))
    m.add_child(height_reporter())  # tells an embedding article how tall the page wants to be
    return page, m


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
.leaflet-tooltip.tm-area-label.tm-region{color:#7b1f3a;font-weight:700;font-style:normal}
.leaflet-tooltip.tm-area-label:before{display:none}
.tm-country{color:#9a9485;font-size:11px;letter-spacing:.12em;font-weight:600;white-space:nowrap;text-align:center;pointer-events:none;text-shadow:0 0 2px #f6f4ef}
.tm-pop h3{margin:0 0 2px;font-size:15px}
.tm-pop p{margin:2px 0}
.tm-pop .tm-k{color:#666;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.tm-pop blockquote{margin:6px 0;padding-left:8px;border-left:3px solid #c8d3dc;color:#333;font-style:italic}
@media (max-width:600px){.tm{height:auto}.tm-map{flex:none;height:64vh;min-height:300px}.tm-foot{max-height:none;overflow:visible}
.tm-head h1{font-size:16px}.tm-leg-label,.tm-area-label:not(.tm-region){display:none}
.leaflet-tooltip.tm-area-label.tm-region{white-space:normal;width:max-content;max-width:8.5em;text-align:right;line-height:1.15}.tm-country{font-size:10px}}
@media (prefers-reduced-motion:reduce){.leaflet-zoom-anim .leaflet-zoom-animated{transition:none}}
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
        sw.append(_Swatch('<svg width="22" height="14" aria-hidden="true"><rect x="0.5" y="0.5" width="21" '
                          'height="13" rx="3" fill="#f0b3c4"/><rect x="3" y="3" width="16" height="8" fill="#cf6a82" '
                          'stroke="#9e2a4b" stroke-width="1.5"/></svg>',
                          lab["region"] if kind == "border" else lab["admin"]))
    return sw


def _footer(tour: Tour, geom: TourGeometry, settings: Settings, lang: str) -> str:
    """Legend, the stop list (what the map says, without JavaScript) and credits, as escaped HTML."""
    lab = LABELS[lang]
    items = []
    for s in tour.stops:
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
        origin_line = f'<p class="tm-credit">{esc(lab["origin"])}: {esc(tour.origin.name)}</p>\n'
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
    return "".join([
        '<footer class="tm-foot">\n',
        f'<ul class="tm-legend" aria-label="{esc(lab["legend"])}">{legend}</ul>\n',
        f'<h2 id="tm-stops-h">{esc(lab["stops"])}</h2>\n',
        f'<ol class="tm-stops">{"".join(items)}</ol>\n',
        origin_line,
        f'<p class="tm-credit">{credit_line}{" · " if credit_line else ""}{esc(lab["data"])}: {data_credit}{own}</p>\n',
        "</footer>\n",
        HATCH_DEFS,
    ])


def _csp(page: str, tiles: dict[str, str] | None) -> str:
    """The policy for the finished page: a hash for each inline script exactly as folium wrote it."""
    scripts = re.findall(r"<script>(.*?)</script>", page, re.DOTALL)
    img_src = "data:" + (f" {_tile_origin(tiles['url'])}" if tiles else "")
    return (f"default-src 'none'; script-src {' '.join(_sha(s) for s in scripts)}; style-src 'unsafe-inline'; "
            f"img-src {img_src}; base-uri 'none'; form-action 'none'")


def render_map(tour: Tour, geom: TourGeometry, *, settings: Settings) -> str:
    """index.html: the tour as a folium map in one self-contained page, same input -> same bytes."""
    with _deterministic_folium():
        page, _map = build_page(tour, geom, settings=settings)
        out = page.render()
    tiles = _tiles(settings)
    head, sep, body = out.partition("</head>")
    if head.count(CSP_SLOT) != 1:
        raise BuildError("map page: the Content-Security-Policy slot is missing")
    return head.replace(CSP_SLOT, esc(_csp(out, tiles))) + sep + body
