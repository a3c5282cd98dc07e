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

import numpy as np
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

from .config import Settings
from .embed import height_reporter
from .errors import BuildError
from .geometry import merc_y, route_points, view_window
from .labels import Placer, Style, map_data, tour_problem
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

# Zoom: the map snaps to quarter steps, and labels are placed for every step it allows. The
# smallest map the page is laid out for sets the lowest step; the basemap's detail the highest.
ZOOM_STEP = 0.25
SMALLEST_MAP = (300, 220)  # pixels
MAX_ZOOM = 8  # Natural Earth 1:50m at 0.02 degrees is about 2-3 pixels off at zoom 7-8
TILE_MAX_ZOOM = 18
FIT_MAX_ZOOM = 6  # a single stop is shown with its surroundings, not at street level
LABEL_MARGIN = 20  # pixels around the tour's bounds that labels use freely
LABEL_REACH = 140  # ...and at a small cost, with the page zooming out to show them
# fitBounds padding: the label margin, plus room for the zoom buttons (top left), the scale bar
# (bottom left) and the attribution (bottom right), so that no label starts under a control.
FIT = {"paddingTopLeft": [LABEL_MARGIN + 30, LABEL_MARGIN + 8],
       "paddingBottomRight": [LABEL_MARGIN + 6, LABEL_MARGIN + 20], "animate": False}
# What the labels keep clear of when the page fits the tour and its labels (left, top, right,
# bottom pixels): the zoom buttons' column, the scale bar and attribution's row.
CLEAR = [50, 8, 8, 26]
PAGE_STYLE = Style()


def fit_zoom(bounds, width: float, height: float) -> float:
    """The zoom (a multiple of ZOOM_STEP) at which Leaflet's fitBounds shows `bounds` in a map of
    width x height pixels with the FIT padding."""
    (s, w), (n, e) = bounds
    pad_x = FIT["paddingTopLeft"][0] + FIT["paddingBottomRight"][0]
    pad_y = FIT["paddingTopLeft"][1] + FIT["paddingBottomRight"][1]
    bw = max(e - w, 1e-6) * 256 / 360
    bh = max(merc_y(n) - merc_y(s), 1e-6) * 256 / 360
    z = math.log2(max(min((width - pad_x) / bw, (height - pad_y) / bh), 1e-9))
    return math.floor(z / ZOOM_STEP) * ZOOM_STEP


def zoom_range(bounds, tiles: bool) -> tuple[float, float]:
    """(lowest, highest) zoom the page allows."""
    top = TILE_MAX_ZOOM if tiles else MAX_ZOOM
    if not bounds:
        return (1.0, top)
    low = max(1.0, min(fit_zoom(bounds, *SMALLEST_MAP) - 1.5, FIT_MAX_ZOOM - 1, top - 1))
    return (low, top)


def page_labels(data: dict[str, Any], bounds, zooms: tuple[float, float]) -> dict[str, Any]:
    """Every label and arrowhead with its candidate positions, and which one each zoom step uses:
    the placer (labels.py) run once per step, in Web Mercator pixels."""
    problem = tour_problem(data, PAGE_STYLE)
    placer = Placer(problem)
    lo, hi = zooms
    # Above the basemap's own limit (tiles go to 18) labels keep the placement of MAX_ZOOM.
    steps = [lo + ZOOM_STEP * k for k in range(int(round((min(hi, MAX_ZOOM) - lo) / ZOOM_STEP)) + 1)]
    if bounds:
        (s, w), (n, e) = bounds
        bx0, by0, bx1, by1 = w, -merc_y(n), e, -merc_y(s)
    else:
        bx0 = by0 = -1e9
        bx1 = by1 = 1e9
    choice: list[list[int]] = [[] for _ in problem.items]
    over = []
    for z in steps:
        scale = 256 * 2 ** z / 360
        # Labels may reach out of the bounds by a share of the tour's size on screen: a small map
        # (a phone, zoomed out) keeps them close and drops what does not fit; a large one lets
        # them out further and zooms out a little to show them.
        m = LABEL_MARGIN
        size = max(bx1 - bx0, by1 - by0) * scale
        big = min(LABEL_REACH, max(m, 0.2 * size, LABEL_REACH - 0.5 * size))  # a tiny tour: room all round
        box = (bx0 * scale, by0 * scale, bx1 * scale, by1 * scale)
        got = placer.level(scale, (box[0] - big, box[1] - big, box[2] + big, box[3] + big),
                           (box[0] - m, box[1] - m, box[2] + m, box[3] + m))
        for i in range(len(problem.items)):
            choice[i].append(got.get(i, -1))
        # How far the labels reach out of the tour's bounds at this step: the page fits both.
        drawn = placer.last_boxes[[placer.ranges[i][0] + c for i, c in got.items()]] if got else np.zeros((0, 4))
        over.append([round(max(0.0, box[0] - drawn[:, 0].min(initial=box[0])), 1),
                     round(max(0.0, box[1] - drawn[:, 1].min(initial=box[1])), 1),
                     round(max(0.0, drawn[:, 2].max(initial=box[2]) - box[2]), 1),
                     round(max(0.0, drawn[:, 3].max(initial=box[3]) - box[3]), 1)])
    used: dict[int, int] = {}
    anchors: list[list[float]] = []

    def anchor(k: int) -> int:
        if k not in used:
            used[k] = len(anchors)
            anchors.append([round(v, 5) for v in problem.anchors[k]])
        return used[k]

    items = []
    for i in placer.order:  # the order they were placed in: the page's check keeps it
        it = problem.items[i]
        picks = choice[i]
        if all(c < 0 for c in picks):
            continue
        keep = sorted({c for c in picks if c >= 0})
        remap = {c: j for j, c in enumerate(keep)}
        runs: list[int] = []
        for lv, c in enumerate(picks):
            c = remap.get(c, -1)
            if not runs or runs[-1] != c:
                runs += [lv, c]
        cands = []
        for c in keep:
            cd = it.cands[c]
            a = problem.anchors[cd.anchor]
            cands.append([anchor(cd.anchor), round(cd.dx, 1), round(cd.dy, 1), cd.w, cd.h, cd.variant,
                          _align(cd) + (4 if cd.leader else 0), round(cd.angle, 1),
                          round(cd.ox, 1), round(cd.oy, 1), round(cd.r, 1)])
        entry = {"k": it.kind, "c": cands, "p": runs}
        if it.kind != "arrow":
            entry["t"] = it.texts
        if it.kind == "stop":
            entry["s"] = it.data["n"]
        items.append(entry)
    return {"z0": lo, "step": ZOOM_STEP, "n": len(steps), "a": anchors, "items": items, "o": over,
            "b": [round(bx0, 5), round(by0, 5), round(bx1, 5), round(by1, 5)], "m": LABEL_MARGIN,
            # One place (or a few close together): not fitted closer than FIT_MAX_ZOOM, with its
            # surroundings; stops that are apart are fitted as close as the map goes.
            "fz": FIT_MAX_ZOOM if max(bx1 - bx0, by1 - by0) < 0.05 else zooms[1]}


def _align(c) -> int:
    """0 left, 1 centre, 2 right: text set against the side nearest its anchor."""
    if c.dx + c.w <= c.ox + 0.5:
        return 2
    if c.dx >= c.ox - 0.5:
        return 0
    return 1


def page_data(tour: Tour, geom: TourGeometry, *, settings: Settings) -> dict[str, Any]:
    """Everything the map draws, as plain data (all text still raw: escaped on output)."""
    lang = lang_of(tour)
    lab = LABELS[lang]
    shared = map_data(tour, geom)
    pts = route_points(tour)
    offset = 1 if tour.origin else 0
    by_n = {s["n"]: s for s in shared["stops"]}
    stops = []
    for i, s in enumerate(tour.stops):
        if i + 1 not in by_n:
            continue  # no marker; the stop list below the map still names it
        url, src_title = stop_source(tour, s)
        base = by_n[i + 1]
        stops.append({
            **{k: base[k] for k in ("n", "stack", "name", "lat", "lon", "status")},
            "country": country_name(s.country, lang), "landmark": s.landmark or "",
            "date": date_text(s.date, lang, end=s.date_end), "iso": s.date or "",
            "met": list(s.met), "quote": s.evidence[0].quote if s.evidence else "",
            "url": url, "source": src_title,
        })
    origin = None
    if shared["origin"]:
        o = tour.origin
        origin = {**shared["origin"], "country": country_name(o.country, lang)}
    # Offline, the map stops at zoom 8, where a pixel is ~600 m: 3 decimals (~110 m) draw the same line.
    digits = 5 if settings.map.tiles else 3
    legs = [{"coords": [[round(la, digits), round(lo, digits)] for la, lo in g["coords"]], "status": g["status"],
             "label": " · ".join(x for x in (g["when"], g["km"]) if x), "title": g["title"]}
            for g in shared["legs"]]
    areas = [{"kind": a["kind"], "name": a["name"], "geometry": a["geometry"]} for a in shared["areas"]]
    if settings.map.tiles:
        base_fc, window = None, _padded(geom.bounds)
    else:
        base_fc, window = geom.basemap, geom.window
    zooms = zoom_range(geom.bounds, bool(settings.map.tiles))
    if settings.map.tiles:
        shared["countries"] = []  # the tiles name the countries
    return {
        "lang": lang, "labels": {k: lab[k] for k in ("stop", "origin", "met_done", "met_plan", "source",
                                                     "completed", "planned")},
        "bounds": [list(p) for p in geom.bounds] if geom.bounds else None,
        "window": [[round(v, 3) for v in p] for p in window], "basemap": base_fc,
        "focus": sorted({c.upper() for c in _tour_countries(tour)}),
        "stops": stops, "origin": origin, "legs": legs, "areas": areas,
        "tiles": _tiles(settings), "zooms": list(zooms),
        "placement": page_labels(shared, geom.bounds, zooms),
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
    """folium.Map without CDN assets, the touch-zoom lock or global switches, with ARIA on its div
    and zoom buttons named in the page's language."""

    _template = FoliumTemplate(
        """
{% macro html(this, kwargs) %}<div class="folium-map tm-map" id={{ this.get_name()|tojson }} role="region" aria-label="{{ this.aria_label|e }}" aria-describedby="tm-stops-h"></div>
{% endmacro %}
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.map({{ this.get_name()|tojson }}, {center: {{ this.location|tojson }}, crs: L.CRS.{{ this.crs }}, zoomControl: false, ...{{ this.options|tojavascript }}});
L.control.zoom({{ this.zoom_words|tojson }}).addTo({{ this.get_name() }});
{%- if this.offline %}
var tm_base = L.canvas({pane: "tm-base", padding: 0.5});
{%- endif %}
{%- if this.control_scale %}
L.control.scale({imperial: false, maxWidth: 100}).addTo({{ this.get_name() }});
{%- endif %}
{% endmacro %}
"""
    )

    def __init__(self, *args: Any, aria_label: str, zoom_words: dict[str, str], offline: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.offline = offline
        self.aria_label = aria_label
        self.zoom_words = zoom_words
        self.options.pop("zoom_control", None)
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
    """What the map does after its layers are in: attribution, zoom limits, refit on resize,
    words for Leaflet's own buttons, the legend toggle, and the `tm-ready` class that tests and
    screenshot tools wait for.

    The zoom limits keep the basemap under the whole view: the lowest zoom is never one at which
    the view would be larger than the drawn window (`getBoundsZoom(window, true)`), and the view
    cannot be dragged out of it."""

    _template = FoliumTemplate(
        """
{% macro script(this, kwargs) %}
(function (map) {
  var view = {{ this.view|tojson }}, pad = {{ this.padding|tojson }}, win = L.latLngBounds({{ this.window|tojson }});
  var zooms = {{ this.zooms|tojson }}, words = {{ this.words|tojson }}, clear = {{ this.clear|tojson }};
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution({{ this.attribution|tojson }});
  function fit() {
    map.setMinZoom(0);
    map.setMaxBounds(null);
    var z = map.tmFit ? map.tmFit(clear) : (map.fitBounds(view, pad), map.getZoom());
    var inside = Math.ceil(map.getBoundsZoom(win, true) / zooms[2] - 1e-6) * zooms[2];
    map.setMinZoom(Math.min(Math.max(zooms[0], z - 1, inside), zooms[1]));
    map.setMaxBounds(win);
  }
  function refit() { map.invalidateSize(false); fit(); }
  var info = document.querySelector(".tm-info");
  function wide() { return window.matchMedia("(min-width: 900px) and (min-height: 520px)").matches; }
  // Narrow frames start with the legend and list folded under their button (open without JS).
  if (info && !wide()) info.open = false;
  refit();
  window.addEventListener("resize", refit);
  if (info) info.addEventListener("toggle", function () { window.requestAnimationFrame(refit); });
  map.on("popupopen", function () {
    var b = map.getContainer().querySelector(".leaflet-popup-close-button");
    if (b) { b.setAttribute("aria-label", words.close); b.setAttribute("title", words.close); }
  });
  window.requestAnimationFrame(function () { map.getContainer().classList.add("tm-ready"); });
})({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(self, view, padding: dict[str, Any], attribution: str, window, zooms, words: dict[str, str]):
        super().__init__()
        self._name = "Behaviour"
        self.view, self.padding, self.attribution = view, padding, attribution
        self.window, self.zooms, self.words = window, [zooms[0], zooms[1], ZOOM_STEP], words
        self.clear = CLEAR


class LabelLayer(MacroElement):
    """Labels and arrowheads where the placer put them for the current zoom step.

    They live in their own pane as plain elements, text set with textContent (never parsed as
    HTML). After each placement a check measures what the browser drew and hides any label that
    still touches an earlier one, a marker or a control (a font much wider than the one measured);
    the number hidden is left in the map's data-tm-hidden attribute."""

    _template = FoliumTemplate(
        """
{% macro script(this, kwargs) %}
(function (map, D) {
  var pane = map.getPane("tm-labels"), els = [];
  var ARROW = '<svg viewBox="0 0 14 14" width="14" height="14"><path d="M7 1 L13 13 L7 10 L1 13 Z"/></svg>';
  function line(el, cls, text) { L.DomUtil.create("span", cls, el).textContent = text; }
  D.items.forEach(function (it) {
    var el = L.DomUtil.create("div", "tm-lbl tm-lbl-" + it.k, pane), lead = null;
    if (it.k === "arrow") {
      el.innerHTML = ARROW;  // a constant: no article text
    } else {
      lead = L.DomUtil.create("div", "tm-leader", pane);
    }
    els.push({el: el, lead: lead, v: -1});
  });
  function pick(p, lv) { var c = -1; for (var j = 0; j < p.length; j += 2) { if (p[j] <= lv) c = p[j + 1]; else break; } return c; }
  function place() {
    var lv = Math.max(0, Math.min(D.n - 1, Math.round((map.getZoom() - D.z0) / D.step)));
    D.items.forEach(function (it, i) {
      var e = els[i], c = pick(it.p, lv);
      if (e.lead) e.lead.style.display = "none";
      if (c < 0) { e.el.style.display = "none"; return; }
      var k = it.c[c], at = map.latLngToLayerPoint(D.a[k[0]]);
      e.el.style.display = "";
      if (it.t && e.v !== k[5]) {
        e.el.textContent = "";
        it.t[k[5]].forEach(function (text, n) { line(e.el, n ? "tm-l2" : "tm-l1", text); });
        e.v = k[5];
      }
      var x = at.x + k[1], y = at.y + k[2];
      if (it.k === "arrow") {
        // A 14px square turned: the placer's box is its bounding box once turned.
        e.el.style.width = e.el.style.height = "14px";
        e.el.style.transform = "translate(" + (x + k[3] / 2 - 7) + "px," + (y + k[4] / 2 - 7) + "px) rotate(" + k[7] + "deg)";
        return;
      }
      e.el.style.width = k[3] + "px"; e.el.style.height = k[4] + "px";
      e.el.style.textAlign = ["left", "center", "right"][k[6] & 3];
      e.el.style.transform = "translate(" + x + "px," + y + "px)";
      if (k[6] & 4 && e.lead) {
        var sx = at.x + k[8], sy = at.y + k[9];
        var ex = Math.min(Math.max(sx, x), x + k[3]), ey = Math.min(Math.max(sy, y), y + k[4]);
        var len = Math.hypot(ex - sx, ey - sy), ang = Math.atan2(ey - sy, ex - sx);
        sx += Math.cos(ang) * k[10]; sy += Math.sin(ang) * k[10];
        e.lead.style.display = "";
        e.lead.style.width = Math.max(len - k[10], 0) + "px";
        e.lead.style.transform = "translate(" + sx + "px," + sy + "px) rotate(" + ang + "rad)";
      }
    });
    check();
  }
  function hit(a, b) { return a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5; }
  function check() {
    var fixed = [].map.call(map.getContainer().querySelectorAll(".tm-pin, .leaflet-control"), function (n) { return n.getBoundingClientRect(); });
    var seen = [], hidden = 0;
    els.forEach(function (e) { e.el.classList.remove("tm-off"); });
    els.forEach(function (e) {
      if (e.el.style.display === "none") return;
      var r = e.el.getBoundingClientRect();
      if (fixed.some(function (f) { return hit(r, f); }) || seen.some(function (f) { return hit(r, f); })) {
        e.el.classList.add("tm-off"); hidden += 1;
      } else { seen.push(r); }
    });
    map.getContainer().setAttribute("data-tm-hidden", hidden);
  }
  // Fit the tour and its labels: the highest zoom step at which the bounds, the labels' reach
  // out of them (o) and the padding all fit in the map.
  map.tmFit = function (clear) {
    var size = map.getSize(), b = D.b, m = D.m;
    var lv = Math.max(0, Math.min(D.n - 1, Math.round((D.fz - D.z0) / D.step)));
    function ext(lv) {
      var s = 256 * Math.pow(2, D.z0 + lv * D.step) / 360, o = D.o[lv];
      return [b[0] * s - Math.max(o[0], m), b[1] * s - Math.max(o[1], m), b[2] * s + Math.max(o[2], m), b[3] * s + Math.max(o[3], m), s];
    }
    for (; lv > 0; lv--) {
      var e = ext(lv);
      if (e[2] - e[0] + clear[0] + clear[2] <= size.x && e[3] - e[1] + clear[1] + clear[3] <= size.y) break;
    }
    var e2 = ext(lv), z = D.z0 + lv * D.step;
    // The box of the tour and its labels, centred in the room the controls leave.
    var cx = (e2[0] + e2[2]) / 2 - (clear[0] - clear[2]) / 2, cy = (e2[1] + e2[3]) / 2 - (clear[1] - clear[3]) / 2;
    var lon = cx / e2[4], lat = 2 * Math.atan(Math.exp(-cy / e2[4] * Math.PI / 180)) * 180 / Math.PI - 90;
    map.setView([lat, lon], z, {animate: false});
    return z;
  };
  map.on("zoomstart", function () { pane.style.visibility = "hidden"; });
  map.on("zoomend viewreset resize", function () { pane.style.visibility = ""; place(); });
  map.on("moveend", check);
  place();
})({{ this._parent.get_name() }}, {{ this.data }});
{% endmacro %}
"""
    )

    def __init__(self, placement: dict[str, Any]):
        super().__init__()
        self._name = "LabelLayer"
        self.data = template_safe_json(placement)


def template_safe_json(obj: Any) -> str:
    """JSON for a script that branca reads again as a Jinja template: inside strings, braces are
    written as \\u escapes (outside strings JSON never has `{{`, `{%` or `{#`)."""
    text = json_for_html(obj)
    return re.sub(r'"(?:[^"\\]|\\.)*"', lambda m: m.group(0).replace("{", "\\u007b").replace("}", "\\u007d"), text)


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


OCEAN = "#d7e5ee"
SEA = "~sea"  # the basemap's first feature: the sea over the whole window
SEA_STYLE = {"stroke": False, "fillColor": OCEAN, "fillOpacity": 1}
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
        '</header>\n<main class="tm-main">\n'), name="head")

    (s, w), (n, e) = data["window"]
    view = data["bounds"] or data["window"]
    m = TourMap(
        location=[round((view[0][0] + view[1][0]) / 2, 4), round((view[0][1] + view[1][1]) / 2, 4)],
        zoom_start=3, tiles=None, control_scale=True, max_bounds=True, min_lat=s, max_lat=n, min_lon=w,
        max_lon=e, zoom_snap=ZOOM_STEP, scroll_wheel_zoom=False, world_copy_jump=False, max_bounds_viscosity=1.0,
        aria_label=lab["map"], zoom_words={"zoomInTitle": lab["zoom_in"], "zoomOutTitle": lab["zoom_out"]},
        offline=bool(data["basemap"]),
    )
    m.options["max_zoom"] = data["zooms"][1]  # folium's own max_zoom only reaches its tile layer
    m.options["min_zoom"] = data["zooms"][0]
    page.add_child(m)
    mname = m.get_name()
    fit = FitBounds(view)
    fit.options = dict(FIT)
    m.add_child(fit)  # first: vector layers need a view before they are added
    folium.map.CustomPane("tm-base", z_index=200, pointer_events=True).add_to(m)
    folium.map.CustomPane("tm-labels", z_index=450, pointer_events=False).add_to(m)

    if data["tiles"]:
        attribution = settings.map.tiles_attribution or _tile_origin(data["tiles"]["url"])
        folium.TileLayer(data["tiles"]["url"], attr=text_html(attribution), max_zoom=TILE_MAX_ZOOM).add_to(m)
    if data["basemap"]:
        focus = set(data["focus"])
        # The sea is drawn too, as the first feature, over the whole window the view is kept in
        # (and a little past it, so its edge pixel is never half-drawn): where the map shows its
        # own background, the basemap has a gap (the browser tests look for it).
        (ws, ww), (wn, we) = data["window"]
        grow = 0.01 * max(wn - ws, we - ww)
        # (Leaflet's Mercator ends at 85.0511 degrees; the window at 85.)
        s0, w0, n0, e0 = max(ws - grow, -85.05), ww - grow, min(wn + grow, 85.05), we + grow
        sea = {"type": "Feature", "properties": {"iso2": SEA},
               "geometry": {"type": "Polygon", "coordinates": [[[w0, s0], [e0, s0], [e0, n0], [w0, n0], [w0, s0]]]}}
        basemap = {"type": "FeatureCollection", "features": [sea] + data["basemap"]["features"]}
        PackedGeoJson(
            basemap, interactive=False, pane="tm-base", renderer=JsCode("tm_base"),
            style_function=lambda f: SEA_STYLE if f["properties"]["iso2"] == SEA else {
                **BASE_STYLE, "fillColor": "#efe9dc" if f["properties"]["iso2"] in focus else "#f7f5f0"},
        ).add_to(m)

    for a in data["areas"]:
        corridor = a["kind"] == "corridor"
        if a["kind"] == "region":
            folium.GeoJson(a["geometry"], interactive=False, style_function=lambda f: REGION_HALO).add_to(m)
        style = CORRIDOR_STYLE if corridor else REGION_STYLE if a["kind"] == "region" else ADMIN_STYLE
        folium.GeoJson(a["geometry"], style_function=lambda f, style=style: style,
                       tooltip=_tooltip(a["name"], sticky=True)).add_to(m)

    for g in data["legs"]:
        done = g["status"] == "completed"
        folium.PolyLine(g["coords"], color="#ffffff", weight=6, opacity=0.8, interactive=False).add_to(m)
        folium.PolyLine(g["coords"], color="#1f4e79", weight=2.5, opacity=0.95, dash_array=None if done else "7 6",
                        class_name=f"tm-leg tm-leg-{g['status']}",
                        tooltip=_tooltip(f"{g['title']} · {g['label']}", sticky=True)).add_to(m)

    if data["origin"]:
        o = data["origin"]
        name = f"{lab['origin']}: {o['name']}"
        body = (f'<div class="tm-pop"><p class="tm-k">{text_html(lab["origin"])}</p><h3>{text_html(o["name"])}</h3>'
                + (f"<p>{text_html(o['country'])}</p>" if o["country"] else "") + "</div>")
        _marker(m, [o["lat"], o["lon"]], DivIcon(html='<div class="tm-pin"></div>', class_name="tm-origin",
                                                 icon_size=(16, 16)),
                keyboard=True, title=js_string(name), alt=js_string(name),
                popup=Popup(BrancaHtml(body, script=True), max_width=280))

    for st in data["stops"]:
        name = f"{st['n']}. {st['name']}"
        _marker(m, [st["lat"], st["lon"]],
                DivIcon(html=f'<div class="tm-pin">{st["n"]}</div>', class_name=f"tm-stop tm-{st['status']}",
                        icon_size=(26, 26), icon_anchor=(13 + 20 * st["stack"], 13)),
                keyboard=True, rise_on_hover=True, z_index_offset=1000 + st["n"], title=js_string(name),
                alt=js_string(name), popup=_stop_popup(st, lab, mname))

    m.add_child(LabelLayer(data["placement"]))
    m.add_child(Footer(_footer(tour, geom, settings, lang)))
    m.add_child(Behaviour(view, FIT, "Natural Earth · GeoNames · Leaflet", data["window"], data["zooms"],
                          {"close": lab["close"]}))
    m.add_child(height_reporter())  # tells an embedding article how tall the page wants to be
    return page, m


PAGE_CSS = """
html,body{height:100%;margin:0}
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1b1b1b;background:#fff;overflow:hidden}
.tm{display:flex;flex-direction:column;height:100%;min-height:300px}
.tm-head{flex:none;padding:8px 12px 6px;border-bottom:1px solid #e6e6e6}
.tm-head h1{font-size:19px;line-height:1.2;margin:0;font-weight:700;overflow:hidden;display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:2}
.tm-sub{margin:2px 0 0;color:#555;font-size:13px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.tm-main{flex:1 1 auto;display:flex;flex-direction:column;min-height:0}
.tm-map{flex:1 1 auto;min-height:0;background:#d7e5ee}
.tm-info{flex:none;border-top:1px solid #e6e6e6;font-size:12px;color:#333}
.tm-info summary{cursor:pointer;padding:5px 12px;font-weight:600;color:#1f4e79;font-size:13px}
.tm-info summary:focus-visible{outline:3px solid #f39c12;outline-offset:-3px}
.tm-info-body{max-height:34vh;overflow:auto;padding:2px 12px 6px}
.tm-info-body:focus-visible{outline:3px solid #f39c12;outline-offset:-3px}
.tm-legend{display:flex;flex-wrap:wrap;gap:2px 14px;margin:0 0 4px;padding:0;list-style:none}
.tm-legend li{display:inline-flex;align-items:center;gap:5px;white-space:nowrap}
.tm-legend svg{flex:none}
.tm-info h2{font-size:12px;margin:4px 0 2px;color:#555;font-weight:600}
.tm-stops{margin:0 0 4px;padding-left:20px}
.tm-stops li{margin:0}
.tm-stops .tm-st{color:#595959}
.tm-orig{margin:2px 0;color:#595959}
.tm-foot{flex:none;padding:3px 12px 4px;border-top:1px solid #e6e6e6}
.tm-credit{margin:0;color:#5f5f5f;font-size:11px;line-height:1.35;overflow:hidden;display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:2}
.tm-credit a,.tm-pop a{color:#1f4e79}
@media (min-width:900px) and (min-height:520px){
.tm-main{flex-direction:row}
.tm-info{width:290px;border-top:0;border-left:1px solid #e6e6e6;display:flex;flex-direction:column;overflow:hidden}
.tm-info[open]{overflow:auto}
.tm-info-body{max-height:none;flex:1 1 auto}
.tm-legend{flex-direction:column}
.tm-info:not([open]){width:auto;writing-mode:vertical-rl}
}
@media (max-width:600px){.tm-head h1{font-size:16px}.tm-sub{font-size:12px}.tm-credit{-webkit-line-clamp:3}}
.leaflet-container{font:inherit;background:#d7e5ee}
.leaflet-container .leaflet-control-attribution{font-size:10px;color:#444}
.tm-pin{display:flex;align-items:center;justify-content:center;box-sizing:border-box;width:26px;height:26px;border-radius:50%;font:700 13px/1 "DejaVu Sans",Verdana,system-ui,sans-serif;border:2.5px solid #1f4e79;box-shadow:0 1px 3px rgba(0,0,0,.35)}
.tm-completed .tm-pin{background:#1f4e79;color:#fff}
.tm-planned .tm-pin{background:#fff;color:#1f4e79;border-style:solid}
.tm-origin .tm-pin{width:16px;height:16px;border-radius:3px;background:#c0392b;border:2.5px solid #fff;box-shadow:0 0 0 1.5px #c0392b}
.leaflet-marker-icon:focus-visible .tm-pin{outline:3px solid #f39c12;outline-offset:2px}
.tm-lbl{position:absolute;left:0;top:0;box-sizing:border-box;white-space:nowrap;overflow:visible;font-family:"DejaVu Sans","Bitstream Vera Sans",Verdana,sans-serif;pointer-events:none;color:#1b1b1b;text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff,0 0 4px #fff}
.tm-lbl span{display:block}
.tm-lbl.tm-off,.tm-lbl.tm-off+.tm-leader{visibility:hidden}
.tm-lbl-stop,.tm-lbl-origin{padding:0 2px}
.tm-lbl-stop .tm-l1,.tm-lbl-origin .tm-l1{font-size:12.5px;line-height:15px;font-weight:700}
.tm-lbl-stop .tm-l2{font-size:10.5px;line-height:13px;color:#1f4e79}
.tm-lbl-leg{padding:0 3px;font-size:10.5px;line-height:14px;color:#1f4e79;background:rgba(255,255,255,.85);border-radius:3px;text-shadow:none}
.tm-lbl-country{padding:0 1px;font-size:10.5px;line-height:13px;font-weight:700;letter-spacing:1.2px;text-transform:uppercase;color:#6b6558;text-shadow:0 0 2px #f6f4ef,0 0 3px #f6f4ef}
.tm-lbl-region{padding:0 2px;font-size:11.5px;line-height:14px;font-weight:700;color:#7b1f3a}
.tm-lbl-corridor{padding:0 2px;font-size:11px;line-height:14px;font-style:italic;color:#7a4006}
.tm-lbl-end{padding:0 2px;font-size:10px;line-height:12px;font-style:italic;color:#7a4006}
.tm-lbl-arrow{text-shadow:none}
.tm-lbl-arrow svg{display:block}
.tm-lbl-arrow path{fill:#1f4e79;stroke:#fff;stroke-width:1.2}
.tm-leader{position:absolute;left:0;top:0;height:0;border-top:1px solid #444;transform-origin:0 0;pointer-events:none}
.tm-pop h3{margin:0 0 2px;font-size:15px}
.tm-pop p{margin:2px 0}
.tm-pop .tm-k{color:#595959;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.tm-pop blockquote{margin:6px 0;padding-left:8px;border-left:3px solid #c8d3dc;color:#333;font-style:italic}
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
        origin_line = f'<p class="tm-orig">{esc(lab["origin"])}: {esc(tour.origin.name)}</p>\n'
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
    # The legend and list fold under a button on narrow frames (the script closes it there; without
    # JavaScript it stays open); the credit line stays outside, always in view.
    return "".join([
        '<details class="tm-info" open>\n',
        f'<summary>{esc(lab["info"])}</summary>\n',
        f'<div class="tm-info-body" tabindex="0" role="region" aria-label="{esc(lab["info"])}">\n',
        f'<ul class="tm-legend" aria-label="{esc(lab["legend"])}">{legend}</ul>\n',
        f'<h2 id="tm-stops-h">{esc(lab["stops"])}</h2>\n',
        f'<ol class="tm-stops">{"".join(items)}</ol>\n',
        origin_line,
        "</div>\n</details>\n</main>\n",
        '<footer class="tm-foot">\n',
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
