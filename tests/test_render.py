"""The map page: self-contained, deterministic, accessible, and inert to hostile article text."""
from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

import pytest

from map_fixtures import seed_tour, settings
from tourmap.config import Settings
from tourmap.errors import BuildError
from tourmap.geometry import build_geometry
from tourmap.render import date_text, embed_snippet, json_for_html, render_map, render_static, safe_url


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


def data_block(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="tm-data">(.*?)</script>', page, re.S).group(1))


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


def test_accessibility_basics(page):
    assert page.startswith('<!DOCTYPE html>\n<html lang="es">')
    assert "<title>La gira regional de José Antonio Kast</title>" in page
    ol = re.search(r'<ol class="tm-stops">(.*?)</ol>', page, re.S).group(1)
    items = re.findall(r"<li>(.*?)</li>", ol)
    assert [re.sub("<[^>]+>", "", i).split(" (")[0] for i in items] == ["Buenos Aires", "Quito", "Lima"]
    assert "fecha no indicada" in items[0] and "lunes, 22 de diciembre de 2025" in items[1]
    assert "enero de 2026" in items[2] and "José Jerí" in items[2]
    assert 'aria-describedby="tm-stops-h"' in page


def test_page_data_matches_the_tour(page):
    d = data_block(page)
    assert [s["name"] for s in d["stops"]] == ["Buenos Aires", "Quito", "Lima"]
    assert [s["status"] for s in d["stops"]] == ["completed", "planned", "planned"]
    assert d["stops"][1]["date"] == "lunes, 22 de diciembre de 2025"
    assert d["stops"][0]["url"] == "https://www.example.com/kast-gira"
    assert [g["status"] for g in d["legs"]] == ["completed", "planned", "planned"]
    assert d["legs"][2]["label"] == "ene 2026 · 1.318 km"
    assert d["origin"]["name"] == "Santiago"
    assert {a["kind"] for a in d["areas"]} == {"corridor", "region"}
    assert d["basemap"]["f"] and "CL" in {f[0] for f in d["basemap"]["f"]}


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
    # Only our own three scripts exist; nothing from the article opened another.
    assert page.count("<script") == 3 and page.count("</script>") == 3
    assert "<img src=x" not in page and "onerror=\"window" not in page
    # In markup: entity-escaped.
    assert "&lt;/script&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    # In the data block: no raw angle brackets at all, and the text survives intact once parsed.
    block = re.search(r'id="tm-data">(.*?)</script>', page, re.S).group(1)
    assert "<" not in block and ">" not in block
    d = json.loads(block)
    assert d["stops"][0]["name"].endswith("`${window.__pwned=3}`'\"")
    # The page script takes no text from the data into innerHTML or template literals.
    p = Loads()
    p.feed(page)
    app = p.scripts[-1]
    assert "innerHTML" not in app and "`" not in app and "eval(" not in app


def test_javascript_source_url_is_dropped(hostile_page):
    assert "javascript:" not in hostile_page
    assert data_block(hostile_page)["stops"][0]["url"] is None
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


def test_embed_snippet():
    tour = seed_tour(hostile=True)
    snip = embed_snippet(tour, settings=settings())
    assert '<iframe src="index.html"' in snip and 'loading="lazy"' in snip and "aspect-ratio" in snip
    title = re.search(r'title="([^"]*)"', snip).group(1)
    assert "<" not in title and html.unescape(title).startswith("La gira regional")
    assert snip.count("<iframe") == 1


def test_tiles_option_is_validated_and_allowed_by_csp():
    s = Settings()
    s.map.tiles = "https://{s}.tile.example.org/{z}/{x}/{y}.png"
    s.map.tiles_attribution = "© Example <b>contributors</b>"
    page = render(s=s)
    assert "img-src data: https://*.tile.example.org" in html.unescape(page)
    assert "&lt;b&gt;contributors&lt;/b&gt;" in page
    assert data_block(page)["basemap"] is None
    s.map.tiles = "javascript:alert(1)//{z}/{x}/{y}"
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
    d = data_block(page)
    assert [s["n"] for s in d["stops"]] == [1, 3, 4]  # numbers stay those of the stop list
    assert [s["stack"] for s in d["stops"]] == [0, 0, 1]
    assert page.count("<li><strong>") == 4  # the unlocated stop is still listed
