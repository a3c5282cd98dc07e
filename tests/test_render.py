"""The map page: built with folium, self-contained, deterministic, accessible, and inert to hostile text."""
from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from html.parser import HTMLParser

import pytest
from map_fixtures import seed_tour, settings

from tourmap.config import Settings
from tourmap.errors import BuildError
from tourmap.geometry import build_geometry
from tourmap.static import render_static
from tourmap.render import (
    date_text,
    json_for_html,
    page_data,
    render_map,
    safe_url,
    text_html,
)


def render(tour=None, s: Settings | None = None) -> str:
    tour = tour or seed_tour()
    s = s or settings()
    return render_map(tour, build_geometry(tour, settings=s), settings=s)


@pytest.fixture(scope="module")
def page() -> str:
    return render()


@pytest.fixture(scope="module")
def hostile_page() -> str:
    return render(seed_tour(hostile=True, source="javascript:alert(1)"))


class Loads(HTMLParser):
    """Every URL the page would fetch: src attributes, stylesheet links, CSS url()."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("src"):
            self.urls.append(a["src"])
        if tag == "link" and a.get("href"):
            self.urls.append(a["href"])
        self._in_script = tag == "script" and a.get("type") != "application/json"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def data_of(tour=None, s: Settings | None = None) -> dict:
    """What the map draws, before folium turns it into Leaflet calls."""
    tour = tour or seed_tour()
    s = s or settings()
    return page_data(tour, build_geometry(tour, settings=s), settings=s)


def map_script(page: str) -> str:
    """folium's script: the one inline script after the map's <div>."""
    return re.search(r'<div class="folium-map.*?<script>(.*?)</script>', page, re.DOTALL).group(1)


def test_two_renders_are_byte_identical(page):
    assert render() == page
    tour = seed_tour()
    g = build_geometry(tour, settings=settings())
    a = render_static(tour, g, settings=settings())
    b = render_static(tour, g, settings=settings())
    assert a == b and a["map.png"].startswith(b"\x89PNG") and "<svg" in a["map.svg"]


def test_page_loads_nothing_from_elsewhere(page):
    p = Loads()
    p.feed(page)
    assert p.urls == []
    assert not re.search(r"url\((?!#)", page.split("<script")[0])  # no CSS url() but fragment refs
    assert 'http-equiv="Content-Security-Policy"' in page and "default-src &#x27;none&#x27;" in page
    # None of folium's default CDN assets (jQuery, Bootstrap, Font Awesome, awesome-markers...).
    for host in ("cdn.jsdelivr.net", "code.jquery.com", "cdnjs.cloudflare.com", "netdna.bootstrapcdn.com",
                 "openstreetmap.org"):
        assert host not in page, host


def test_page_is_built_by_folium(page):
    js = map_script(page)
    assert len(re.findall(r"\bL\.map\(", page)) == 1
    assert re.search(r'<div class="folium-map tm-map" id="(map_\d+)"', page)
    name = re.search(r'id="(map_\d+)"', page).group(1)
    assert f"var {name} = L.map(\"{name}\"" in js and f"{name}.fitBounds(" in js
    assert js.count("L.marker(") == 3 + 1  # stops and origin (labels and arrowheads: the label layer)
    assert js.count("L.polyline(") == 2 * 3  # a white casing under each leg
    assert js.count("L.geoJson(") == 1 + 1 + 2  # basemap, corridor, border band and its halo
    assert "L.control.scale(" in js and ".bindPopup(" in js and ".bindTooltip(" in js
    assert '"maxZoom":8' in js.replace(" ", "").replace("\n", "")  # no zooming past what 1:50m supports
    # Zoom buttons in the page's language.
    assert '"zoomInTitle":"Acercar"' in js and '"zoomOutTitle":"Alejar"' in js
    assert "$(" not in js and "setIcon(" not in js  # no jQuery; no default-icon <img> before the DivIcon


def test_csp_hashes_are_those_of_the_inline_scripts(page):
    csp = html.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1))
    scripts = re.findall(r"<script>(.*?)</script>", page, re.DOTALL)
    assert len(scripts) == 2  # Leaflet and folium's map script
    for body in scripts:
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]


def test_accessibility_basics(page):
    assert page.startswith('<!DOCTYPE html>\n<html lang="es">')
    assert "<title>La gira regional de José Antonio Kast</title>" in page
    ol = re.search(r'<ol class="tm-stops">(.*?)</ol>', page, re.DOTALL).group(1)
    items = re.findall(r"<li>(.*?)</li>", ol)
    assert [re.sub("<[^>]+>", "", i).split(" (")[0] for i in items] == ["Buenos Aires", "Quito", "Lima"]
    assert "fecha no indicada" in items[0] and "lunes, 22 de diciembre de 2025" in items[1]
    assert "enero de 2026" in items[2] and "José Jerí" in items[2]
    assert 'aria-describedby="tm-stops-h"' in page


def test_page_data_matches_the_tour(page):
    d = data_of()
    assert [s["name"] for s in d["stops"]] == ["Buenos Aires", "Quito", "Lima"]
    assert [s["status"] for s in d["stops"]] == ["completed", "planned", "planned"]
    assert d["stops"][1]["date"] == "lunes, 22 de diciembre de 2025"
    assert d["stops"][0]["url"] == "https://www.example.com/kast-gira"
    assert [g["status"] for g in d["legs"]] == ["completed", "planned", "planned"]
    assert d["legs"][2]["label"] == "ene 2026 · 1.318 km"
    assert d["origin"]["name"] == "Santiago"
    assert {a["kind"] for a in d["areas"]} == {"corridor", "region"}
    assert "CL" in {f["properties"]["iso2"] for f in d["basemap"]["features"]}
    # ...and the page draws it: names in tooltips, dates in popups, the leg label beside its arrow.
    js = map_script(page)
    assert "lunes, 22 de diciembre de 2025" in js and "ene 2026 · 1.318 km" in js
    assert '["CL",' in js and 'case "CL"' in js and "https://www.example.com/kast-gira" in js


def test_legend_and_credits(page):
    for text in ("Parada realizada", "Parada prevista", "Punto de partida", "Tramo recorrido", "Tramo previsto",
                 "Corredor propuesto", "Zona fronteriza", "Natural Earth", "GeoNames", "Leaflet"):
        assert text in page, text


@pytest.mark.parametrize("value,lang,expected", [
    ("2025-12-22", "es", "lunes, 22 de diciembre de 2025"),
    ("2025-12-22", "en", "Monday, December 22, 2025"),
    ("2025-12-22", "pt", "segunda-feira, 22 de dezembro de 2025"),
    ("2026-01", "es", "enero de 2026"),
    ("2026-01", "en", "January 2026"),
    ("2026", "pt", "2026"),
    (None, "es", "fecha no indicada"),
    (None, "en", "date not given"),
    (None, "pt", "data não indicada"),
])
def test_dates_in_the_article_language(value, lang, expected):
    assert date_text(value, lang) == expected


def test_date_ranges():
    assert date_text("2025-12-22", "es", end="2025-12-24") == "22–24 de diciembre de 2025"


def test_hostile_text_is_escaped_everywhere(hostile_page):
    page = hostile_page
    # Only our own two scripts exist; nothing from the article opened another.
    assert page.count("<script") == 2 and page.count("</script>") == 2
    assert "<img src=x" not in page and "onerror=\"window" not in page
    # In markup: entity-escaped.
    assert "&lt;/script&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    # In folium's script: tooltip and popup HTML escaped, `${` and backticks too (tooltips sit in
    # template literals), marker titles as JS strings with no raw angle brackets.
    js = map_script(page)
    assert "<script" not in js and "<img" not in js and "${window" not in js
    assert "&lt;/script&gt;" in js and "&#96;&#36;&#123;window.__pwned=3&#125;&#96;" in js
    assert "Buenos Aires\\u003c/script\\u003e" in js  # the stop's title attribute
    # Every template literal folium wrote holds nothing from the article but entity-escaped text.
    for lit in re.findall(r"`([^`]*)`", js):
        assert "${" not in lit and "<" not in lit.replace("<div>", "").replace("</div>", "")


def test_jinja_syntax_in_text_is_not_evaluated():
    """branca re-reads every macro's output as a Jinja template: `{{ 7*7 }}` in a name must stay text."""
    tour = seed_tour()
    tour.stops[1].name = "Quito {{ 7*7 }} {% if true %}x{% endif %} {# c #}"
    tour.stops[1].met = ["{{ this.__class__ }}"]
    tour.title = "Gira {{ 6*7 }}"
    page = render(tour)
    assert "Quito 49" not in page and "Gira 42" not in page and "Element" not in map_script(page)
    assert "Quito &#123;&#123; 7*7 &#125;&#125;" in page  # tooltip / popup
    assert "<title>Gira {{ 6*7 }}</title>" in page
    assert "Quito \\u007b\\u007b 7*7 \\u007d\\u007d" in page  # the marker's title
    assert text_html("{{`$\\") == "&#123;&#123;&#96;&#36;&#92;"


def test_folium_ids_are_random_again_after_a_build(page):
    from branca.element import Element

    a, b = Element(), Element()
    assert a._id != b._id and not a._id.isdigit()


def test_javascript_source_url_is_dropped(hostile_page):
    assert "javascript:" not in hostile_page
    assert data_of(seed_tour(hostile=True, source="javascript:alert(1)"))["stops"][0]["url"] is None
    assert "href=" not in map_script(hostile_page)
    assert safe_url("javascript:alert(1)") is None and safe_url("JaVaScRiPt:alert(1)") is None
    assert safe_url("data:text/html,x") is None and safe_url("//evil.example/x") is None
    assert safe_url("https://example.org/a?b=1") == "https://example.org/a?b=1"


def test_json_for_html_neutralises_script_breakouts():
    text = json_for_html({"a": "</script><!-- \u2028 & >"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><!-- \u2028 & >"}


def test_static_images_escape_and_ignore_math(tmp_path):
    tour = seed_tour(hostile=True)
    out = render_static(tour, build_geometry(tour, settings=settings()), settings=settings())
    svg = out["map.svg"]
    assert "<script" not in svg and "<img" not in svg
    assert "&lt;/script&gt;" in svg
    assert "${window.__pwned=3}" in html.unescape(svg)  # a dollar sign stays text, not mathtext


def test_tiles_option_is_validated_and_allowed_by_csp():
    s = Settings()
    s.map.tiles = "https://{s}.tile.example.org/{z}/{x}/{y}.png"
    s.map.tiles_attribution = "© Example <b>contributors</b>"
    page = render(s=s)
    assert "img-src data: https://*.tile.example.org" in html.unescape(page)
    assert "&lt;b&gt;contributors&lt;/b&gt;" in page
    assert data_of(s=s)["basemap"] is None and "L.canvas(" not in page and "tm_base" not in page
    assert "L.tileLayer(" in map_script(page) and "https://{s}.tile.example.org/{z}/{x}/{y}.png" in page
    assert '"maxZoom":18' in map_script(page).replace(" ", "").replace("\n", "")
    for bad in ("javascript:alert(1)//{z}/{x}/{y}", "https://t.example.org/{{ 7*7 }}/{z}/{x}/{y}.png"):
        s.map.tiles = bad
        with pytest.raises(BuildError, match="map.tiles"):
            render(s=s)


def test_english_tour_uses_english_labels():
    tour = seed_tour()
    tour.articles[0] = type(tour.articles[0])(**{**tour.articles[0].__dict__, "language": "en"})
    page = render(tour)
    assert '<html lang="en">' in page and "date not given" in page and "Monday, December 22, 2025" in page


def test_unlocated_and_repeated_stops():
    from tourmap.models import Stop

    tour = seed_tour()
    tour.stops[1].lat = float("nan")
    tour.stops.append(Stop(name="Buenos Aires", lat=-34.6081, lon=-58.3703, country="AR", status="planned"))
    page = render(tour)
    d = data_of(tour)
    assert [s["n"] for s in d["stops"]] == [1, 3, 4]  # numbers stay those of the stop list
    assert [s["stack"] for s in d["stops"]] == [0, 0, 1]
    assert page.count("<li><strong>") == 4  # the unlocated stop is still listed
    js = map_script(page)
    assert '"1. Buenos Aires"' in js and '"4. Buenos Aires"' in js and '"2. Quito"' not in js


def test_static_images_show_the_tour():
    """Each desk size is written; the SVG is well-formed, with a named group per layer, and names
    every stop in order; every stop's label lies inside the image; the PNG draws accented letters
    with the vendored font (not the empty boxes of a font without them)."""
    import io
    import xml.etree.ElementTree as ET

    from PIL import Image, ImageDraw

    from tourmap.static import FORMATS, font, layout

    tour = seed_tour()
    geom = build_geometry(tour, settings=settings())
    out = render_static(tour, geom, settings=settings())
    sizes = {"map.png": (1240, None), "map-social.png": (1200, 630), "map-square.png": (1080, 1080)}
    for name, (w, h) in sizes.items():
        png = Image.open(io.BytesIO(out[name]))
        assert png.size[0] == w and (h is None or png.size[1] == h), name
        assert len(png.getcolors(1 << 20)) > 50  # drawn, not blank
    assert Image.open(io.BytesIO(out["map.png"])).info["dpi"][0] == pytest.approx(300, abs=1)  # print
    svg = "{http://www.w3.org/2000/svg}"
    for name in ("map.svg", "map-social.svg", "map-square.svg"):
        root = ET.fromstring(out[name])
        texts = [t.text for t in root.iter(f"{svg}text")]
        names = [s.name for s in tour.stops]
        assert all(n in texts for n in names)
        assert [t for t in texts if t in {"1", "2", "3"}] == ["1", "2", "3"]
        assert root.findtext(f"{svg}title")
        groups = [g.get("id") for g in root.findall(f"{svg}g")]
        assert {"land", "areas", "routes", "markers", "labels", "legend", "title", "credits"} <= set(groups)
        labels = root.find(f"{svg}g[@id='labels']")
        assert "22 dic 2025" in [t.text for t in labels.iter(f"{svg}text")]  # dates on the stops
    for fmt in FORMATS:
        scene = layout(tour, geom, fmt, settings())
        stops = [p for p in scene.placed if p["kind"] in ("stop", "origin")]
        assert len(stops) == 4, fmt.name  # every stop and the origin named...
        x0, y0, x1, y1 = scene.clip
        for p in scene.placed:  # ...and every label inside the map area
            bx0, by0, bx1, by1 = p["box"]
            assert x0 <= bx0 and bx1 <= x1 and y0 <= by0 and by1 <= y1, (fmt.name, p)
        for i, a in enumerate(scene.placed):  # no two overlap
            for b in scene.placed[i + 1:]:
                assert not (a["box"][0] < b["box"][2] and b["box"][0] < a["box"][2]
                            and a["box"][1] < b["box"][3] and b["box"][1] < a["box"][3]), (a, b)
        texts = [it.text for it in scene.items if type(it).__name__ == "Label"]
        assert any("Fuente:" in t and "Natural Earth" in t for t in texts)  # source and credit
        assert any("Corredor humanitario" in t for t in texts)  # the corridor named...
        assert any("Chacalluta" in t for t in texts) and any("Bolívar" in t for t in texts)  # ...at both ends

    def ink(ch: str) -> bytes:
        im = Image.new("L", (40, 40))
        ImageDraw.Draw(im).text((5, 5), ch, font=font(24), fill=255)
        return im.tobytes()

    assert len({ink(c) for c in "áéíóúñçãüŁ"}) == 10  # ten different glyphs, none missing


def test_static_title_too_long_is_cut_to_fit():
    from tourmap.static import fit_text, text_width

    WIDTH = 960
    long = "La gira " * 40
    cut = fit_text(long, 20, True, WIDTH - 38)
    assert cut.endswith("…") and text_width(cut, 20, True) <= WIDTH - 38 and len(cut) < len(long)
    assert fit_text("Quito", 20, True, WIDTH) == "Quito"
