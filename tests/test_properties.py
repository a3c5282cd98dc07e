"""Properties that must hold for any input, checked with hypothesis on generated cases.

- dates: a date is only ever what the text supports ("este lunes 22" is a Monday 22 or nothing;
  a written full date is that date; text without date words gives no date);
- geometry: a corridor polygon is valid and contains every waypoint it was built from;
- rendering: whatever characters a stop's name, the people met, the evidence or the title carry,
  the page's markup and scripts stay the same shape: article text never becomes markup or code.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from hostile_fixtures import injected, raw_in_template_literal
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

FAST = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ISO = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")

published_dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31))


# --- dates -----------------------------------------------------------------------------------------

dates_mod = pytest.importorskip("tourmap.dates")
lexicon_mod = pytest.importorskip("tourmap.lexicon")

WEEKDAYS_ES = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]
MONTHS_ES = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
             "octubre", "noviembre", "diciembre"]
WEEKDAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# Words of trip reports that say nothing about when.
NO_DATE_WORDS = ["el", "la", "presidente", "llegó", "a", "Lima", "reunión", "con", "gobierno", "frontera",
                 "acuerdo", "seguridad", "Quito", "visitará", "canciller", "dijo", "que", "en", "Palacio",
                 "de", "Gobierno", "corredor", "humanitario", "según", "mandatario", "Boric", "Kast",
                 "comitiva", "crimen", "organizado", "región", "Perú", "Ecuador", ",", ".", ";", "—", "“", "”"]


def _values(text: str, published: str, lang: str = "es") -> list:
    lex = lexicon_mod.load_lexicon(lang)
    return [d for d in dates_mod.find_dates(text, published=published, lex=lex) if d.value]


def _is_real_date(value: str) -> bool:
    parts = value.split("-")
    try:
        if len(parts) == 3:
            dt.date(*map(int, parts))
        elif len(parts) == 2:
            return 1 <= int(parts[1]) <= 12
        return True
    except ValueError:
        return False
    return True


@FAST
@given(pub=published_dates, wd=st.integers(0, 6), day=st.integers(1, 31),
       lead=st.sampled_from(["este", "el", "el próximo", "el pasado", "", "desde el", "hasta el"]))
def test_weekday_with_day_is_that_weekday_and_day_or_nothing(pub, wd, day, lead):
    text = f"El presidente llegará {lead} {WEEKDAYS_ES[wd]} {day} a Lima.".replace("  ", " ")
    for d in _values(text, pub.isoformat()):
        assert ISO.match(d.value) and _is_real_date(d.value), (text, d)
        got = dt.date.fromisoformat(d.value)
        assert (got.weekday(), got.day) == (wd, day), (text, pub, d.value)
        assert abs((got - pub).days) <= 92, (text, pub, d.value)  # the nearest one, not any year's


@FAST
@given(pub=published_dates, day=st.integers(1, 31), month=st.integers(1, 12),
       year=st.integers(1995, 2035))
def test_a_written_full_date_is_exactly_that_date(pub, day, month, year):
    text = f"La cumbre se celebró el {day} de {MONTHS_ES[month - 1]} de {year} en Quito."
    got = [d.value for d in _values(text, pub.isoformat())]
    if day <= calendar.monthrange(year, month)[1]:
        assert got == [f"{year:04d}-{month:02d}-{day:02d}"], (text, got)
    else:  # 31 de febrero: no such day; never slide to March
        assert all(not v.startswith(f"{year:04d}-{month:02d}-{day:02d}") for v in got), (text, got)
        assert all(_is_real_date(v) for v in got), (text, got)
        assert all(v[:7] != f"{year:04d}-{month % 12 + 1:02d}" for v in got), (text, got)


@FAST
@given(pub=published_dates, month=st.integers(1, 12),
       lead=st.sampled_from(["en", "a principios de", "a fines de", "durante"]))
def test_a_month_alone_is_that_month_near_publication(pub, month, lead):
    text = f"Kast llegará {lead} {MONTHS_ES[month - 1]} a Lima."
    for d in _values(text, pub.isoformat()):
        assert re.match(r"^\d{4}-\d{2}$", d.value), (text, d)  # month precision: no invented day
        y, m = map(int, d.value.split("-"))
        assert m == month and abs(y - pub.year) <= 1, (text, pub, d.value)


@FAST
@given(words=st.lists(st.sampled_from(NO_DATE_WORDS), min_size=0, max_size=60), pub=published_dates)
def test_no_date_words_no_date(words, pub):
    text = " ".join(words)
    assert _values(text, pub.isoformat()) == [], text


@FAST
@given(text=st.lists(st.sampled_from(list("0123456789 -/.,:deyl") + WEEKDAYS_ES + MONTHS_ES
                                     + [" de ", " el ", " del ", " este ", " próximo ", " al ", " hasta "]),
                     max_size=40).map("".join),
       pub=published_dates)
def test_any_value_is_a_real_iso_date(text, pub):
    for d in _values(text, pub.isoformat()):
        assert ISO.match(d.value) and _is_real_date(d.value), (text, d)
        if d.value_end:
            assert ISO.match(d.value_end) and _is_real_date(d.value_end), (text, d)
            assert d.value_end >= d.value[: len(d.value_end)] or d.value_end >= d.value, (text, d)


@FAST
@given(pub=published_dates, wd=st.integers(0, 6), day=st.integers(1, 31))
def test_english_weekday_with_day_is_that_weekday_and_day_or_nothing(pub, wd, day):
    text = f"The president will arrive in Lima on {WEEKDAYS_EN[wd]} {day}."
    for d in _values(text, pub.isoformat(), "en"):
        got = dt.date.fromisoformat(d.value)
        assert (got.weekday(), got.day) == (wd, day), (text, pub, d.value)


# --- geometry ----------------------------------------------------------------------------------------

geometry = pytest.importorskip("tourmap.geometry")
shapely_geometry = pytest.importorskip("shapely.geometry")


@st.composite
def corridor_cases(draw):
    """2-5 waypoints inside one 40 x 40 degree box anywhere (some across the antimeridian), a width."""
    lat0 = draw(st.floats(-70, 30))
    lon0 = draw(st.floats(-200, 160))
    n = draw(st.integers(1, 5))
    pts = []
    for _ in range(n):
        lat = lat0 + draw(st.floats(0, 40))
        lon = lon0 + draw(st.floats(0, 40))
        lon = (lon + 180) % 360 - 180
        pts.append((round(lat, 4), round(lon, 4)))
    width = draw(st.floats(5, 300))
    return pts, width


def _covers_waypoint(poly, lat: float, lon: float) -> bool:
    # Longitudes are drawn continuous across the antimeridian: a waypoint may sit one turn away.
    return any(poly.buffer(1e-6).covers(shapely_geometry.Point(lon + k, lat)) for k in (0, 360, -360))


@FAST
@given(case=corridor_cases())
# a route that loops back through its first waypoint: its outline, back in degrees, crossed itself
# and the waypoint fell in a hole
@example(case=([(-19.0, 1.0), (-18.0, 0.0), (-19.0, 0.0), (-19.0, 18.0)], 5.0))
def test_corridor_polygon_is_valid_and_contains_its_waypoints(case):
    from tourmap.config import Settings
    from tourmap.models import Corridor, Place, Tour

    pts, width = case
    waypoints = [Place(name=f"P{i}", lat=la, lon=lo, kind="crossing") for i, (la, lo) in enumerate(pts)]
    corridor = Corridor(name="corredor de prueba", countries=[], waypoints=list(waypoints), width_km=width)
    geom = geometry.build_geometry(Tour(articles=[], corridors=[corridor]), settings=Settings())
    assert len(geom.corridors) == 1
    g = geom.corridors[0].geometry
    assert g is not None, case
    assert g["type"] in ("Polygon", "MultiPolygon"), g["type"]
    poly = shapely_geometry.shape(g)
    assert poly.is_valid and not poly.is_empty, case
    for w in waypoints:
        assert _covers_waypoint(poly, w.lat, w.lon), (case, w)


# --- rendering --------------------------------------------------------------------------------------

render = pytest.importorskip("tourmap.render")

DANGER = ["<", ">", "&", '"', "'", "`", "${", "}", "</script>", "<script>", "<!--", "-->", "]]>",
          "onerror=", "javascript:", "\\", "\u2028", "\u2029", "</", "<img src=x onerror=alert(1)>",
          "${globalThis.__pwned=1}", "{{", "}}", "%s", "\x00", "{{ 'zq' ~ 'xj' }}", "{% if true %}", "{%"]
hostile_text = st.lists(st.one_of(st.sampled_from(DANGER), st.text(min_size=0, max_size=6)),
                        min_size=1, max_size=8).map("".join)


class _Shape(HTMLParser):
    """The page's element structure: tag names and attribute names, in order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.shape: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.shape.append(tag + "[" + ",".join(sorted(k for k, _ in attrs)) + "]")

    def handle_endtag(self, tag):
        self.shape.append("/" + tag)


def _shape(html: str) -> list[str]:
    p = _Shape()
    p.feed(html)
    p.close()
    return p.shape


def _tour(title: str, name: str, met: str, quote: str, landmark: str):
    from tourmap.models import Article, Evidence, Place, Stop, Tour

    text = f"El presidente llegó a Lima. {quote}"
    art = Article(id="prop", path="prop.txt", title=title, text=text, published="2025-12-21",
                  source="https://example.org/a")
    ev = Evidence(article="prop", quote=quote, start=len(text) - len(quote), end=len(text))
    stops = [
        Stop(name=name, lat=-12.0453, lon=-77.0311, country="PE", date="2025-12-22", status="completed",
             met=[met, "José Jerí"], landmark=landmark, evidence=[ev], sources=["prop"]),
        Stop(name="Quito", lat=-0.2201, lon=-78.5123, country="EC", date="2026-01", status="planned",
             met=[met], evidence=[ev], sources=["prop"]),
    ]
    return Tour(articles=[art], traveler=met, stops=stops, title=title, subtitle=quote, slug="prop",
                origin=Place(name="Santiago", lat=-33.44, lon=-70.65, country="CL"))


def _render(tour) -> str:
    from tourmap.config import Settings

    settings = Settings()
    settings.map.static_images = False
    geom = geometry.build_geometry(tour, settings=settings)
    return render.render_map(tour, geom, settings=settings)


@pytest.fixture(scope="module")
def benign_shape():
    return _shape(_render(_tour("Gira", "Lima", "Ana", "Una frase.", "Palacio")))


@FAST
@given(title=hostile_text, name=hostile_text, met=hostile_text, quote=hostile_text, landmark=hostile_text)
def test_rendered_page_keeps_its_shape_whatever_the_text(benign_shape, title, name, met, quote, landmark):
    assume(all(f.strip() for f in (title, name, met, quote, landmark)))
    html = _render(_tour(title, name, met, quote, landmark))
    # Same elements and attributes as a page with plain words: nothing in the text became markup
    # (a `</script>` that closed the data block, an <img>, an attribute that broke out of its quotes).
    assert _shape(html) == benign_shape
    assert injected(html) == []
    assert raw_in_template_literal(html, "${globalThis.__pwned") == []


# --- extraction, whole stage chain ---------------------------------------------------------------------

FRAGMENTS = [
    "El presidente Gabriel Boric llegó este lunes a Lima", ", donde se reunió con José Jerí", ".",
    " Viajará el miércoles 24 a Quito", " para reunirse con Daniel Noboa", " en el Palacio de Carondelet",
    " El pasado martes estuvo en Buenos Aires con Javier Milei", " en la Casa Rosada", "\n\n", " en enero",
    " La frontera con Perú", " según La Tercera", " Bogotá", " Santiago", " el 21 de diciembre de 2025",
]
chain_text = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.sampled_from(DANGER), st.text(max_size=8)),
                      min_size=1, max_size=25).map("".join)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=chain_text, pub=published_dates)
def test_extraction_never_crashes_and_evidence_points_into_the_text(body, pub):
    """Whatever the text: an expected error or a tour whose evidence quotes are the text at their offsets."""
    import tempfile
    from pathlib import Path

    from tourmap.config import Settings
    from tourmap.errors import InputError
    from tourmap.pipeline import extract_one

    with tempfile.TemporaryDirectory() as d:
        art = Path(d) / "nota.txt"
        art.write_text(body, encoding="utf-8")
        try:
            tour = extract_one(art, Settings(), published=pub.isoformat(), language="es")
        except InputError:
            return  # empty, not text: the CLI turns it into one line
    text = tour.articles[0].text
    for s in tour.stops:
        assert -90 <= s.lat <= 90 and -180 <= s.lon <= 180, s
        for v in (s.date, s.date_end):
            assert v is None or (ISO.match(v) and _is_real_date(v)), s
        for e in s.evidence:
            assert text[e.start:e.end] == e.quote, (e, text[e.start:e.end])
