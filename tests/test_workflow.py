"""Issue 13, a newsroom workflow you can trust: one test (or a few) per case the issue lists.

1 naming articles builds only their tours      6 one language per tour
2 paths default to the working directory/project 7 first-hand reports beat passing mentions
3 permanent slugs, renames leave a redirect     8 trips, not publication windows
4 embeds that work when pasted                  9 corrections that hit nothing are errors
5 titles worded from the merged tour            10 bad `published`; articles with no trip skipped
(11, knowledge loaded once, is the extraction's: not here.)
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import tourmap.build
from tourmap.cli import cli
from tourmap.config import Settings, SiteSettings, TourOverride, load_settings
from tourmap.merge import merge_tours
from tourmap.models import Article, Evidence, Stop, Tour

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "merge"
SEED = ROOT / "seeds" / "000_ef3bafede1ed9db9.txt"
sys.path.insert(0, str(DATA))
import fakes  # noqa: E402

QUITO, LIMA, MEXICO, MADRID = fakes.QUITO, fakes.LIMA, fakes.MEXICO, fakes.MADRID
BOGOTA = {"name": "Bogotá", "lat": 4.711, "lon": -74.0721, "country": "CO"}
SANTIAGO = {"name": "Santiago", "lat": -33.4489, "lon": -70.6693, "country": "CL"}
CARACAS = {"name": "Caracas", "lat": 10.4806, "lon": -66.9036, "country": "VE"}
ROMA = {"name": "Roma", "lat": 41.9028, "lon": 12.4964, "country": "IT"}
LULA = "Luiz Inácio Lula da Silva"


def article(folder: Path, name: str, *, traveler: str, published: str, stops: list[dict], title: str = "",
            language: str = "es", body: str = "Texto de prueba.") -> Path:
    """A fake article: front matter with the extraction's answer (see data/merge/fakes.py)."""
    folder.mkdir(parents=True, exist_ok=True)
    meta = {"title": title or f"{traveler} {published}", "published": published, "traveler": traveler,
            "language": language, "stops": stops}
    p = folder / name
    p.write_text("---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=True) + "---\n" + body + "\n",
                 encoding="utf-8")
    return p


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def desk(tmp_path, monkeypatch):
    """A newsroom's project: tourmap.yaml at the top, articles in news/, maps into maps/."""
    monkeypatch.setenv("TOURMAP_QUIET", "1")
    monkeypatch.setattr(tourmap.build, "extraction_hash", lambda settings: "pinned")
    fakes.install(monkeypatch)
    # The fakes stand in for the drawing; the warm children a small build forks would draw for real.
    monkeypatch.setattr(tourmap.build.Warm, "wanted", staticmethod(lambda jobs: False))
    root = tmp_path / "desk"
    root.mkdir()
    (root / "tourmap.yaml").write_text("paths: {articles: news, output: maps, site: site}\n", encoding="utf-8")
    article(root / "news", "000_kast.md", traveler="José Antonio Kast", published="2025-12-21",
            stops=[dict(QUITO, date="2025-12-22"), dict(LIMA, date="2026-01")])
    article(root / "news", "002_mx.md", traveler="Claudia Sheinbaum Pardo", published="2025-09-17",
            stops=[dict(MEXICO, date="2025-09-18")])
    monkeypatch.chdir(root)
    return root


def run(*args: str):
    res = CliRunner().invoke(cli, list(args))
    assert res.exit_code == 0, res.output
    return res


# --- 1. naming articles builds only their tours; removal is explicit -------------------------------


def test_1_building_one_article_leaves_the_other_tours_alone(desk):
    run("build")
    assert sorted(p.name for p in (desk / "maps").iterdir() if p.is_dir() and not p.name.startswith(".")) == [
        "kast-2025-12", "sheinbaum-2025-09"]
    mx_before = snapshot(desk / "maps" / "sheinbaum-2025-09")
    later = article(desk / "news", "001_kast_later.md", traveler="Kast", published="2025-12-24",
                    stops=[dict(QUITO, date="2025-12-23", status="completed")])
    res = run("build", str(later))  # no -o: the project's output, and nothing else in it touched
    assert "removed" not in res.stdout.replace("0 removed", "")
    assert res.stdout.splitlines()[0].startswith("rebuilt kast-2025-12: new article 001_kast_later.md")
    assert snapshot(desk / "maps" / "sheinbaum-2025-09") == mx_before
    tour = json.loads((desk / "maps" / "kast-2025-12" / "tour.json").read_text(encoding="utf-8"))
    # the tour keeps the article that was not named this time
    assert [a["id"] for a in tour["articles"]] == ["000_kast", "001_kast_later"]
    assert [s["name"] for s in tour["stops"]] == ["Quito", "Lima"]


def test_1_removal_only_by_prune_listing_what_goes(desk):
    run("build")
    (desk / "news" / "002_mx.md").unlink()
    res = run("build")
    assert "kept sheinbaum-2025-09: no article left for it (`tourmap prune` removes it)" in res.stdout
    assert (desk / "maps" / "sheinbaum-2025-09" / "index.html").is_file()
    res = run("prune", "--dry-run")
    assert res.stdout.splitlines() == ["would remove sheinbaum-2025-09: no article left for it",
                                       f"1 to remove in {desk / 'maps'}"]
    assert (desk / "maps" / "sheinbaum-2025-09").is_dir()
    res = run("prune")
    assert res.stdout.splitlines() == ["removed sheinbaum-2025-09: no article left for it",
                                       f"1 removed in {desk / 'maps'}"]
    assert not (desk / "maps" / "sheinbaum-2025-09").exists()
    assert (desk / "maps" / "kast-2025-12" / "index.html").is_file()
    assert "sheinbaum-2025-09" not in (desk / "maps" / "manifest.json").read_text(encoding="utf-8")


def test_1_publish_of_one_article_keeps_the_site_whole_and_prune_removes(desk):
    run("publish")
    assert {p.name for p in (desk / "site").iterdir() if p.is_dir()} == {"kast-2025-12", "sheinbaum-2025-09"}
    later = article(desk / "news", "001_kast_later.md", traveler="Kast", published="2025-12-24",
                    stops=[dict(QUITO, date="2025-12-23", status="completed")])
    run("publish", str(later))
    index = (desk / "site" / "index.html").read_text(encoding="utf-8")
    assert "sheinbaum-2025-09/tour.html" in index and "kast-2025-12/tour.html" in index
    (desk / "news" / "002_mx.md").unlink()
    res = run("prune", "-o", "site")  # on the site folder: published again without the tour
    assert "removed sheinbaum-2025-09: no article left for it" in res.stdout
    assert not (desk / "site" / "sheinbaum-2025-09").exists()
    assert "sheinbaum" not in (desk / "site" / "index.html").read_text(encoding="utf-8")


# --- 2. paths default to the working directory or the project found upward -------------------------


def test_2_with_no_project_file_the_working_directory_is_the_project(tmp_path, monkeypatch):
    monkeypatch.setenv("TOURMAP_QUIET", "1")
    fakes.install(monkeypatch)
    monkeypatch.setattr(tourmap.build.Warm, "wanted", staticmethod(lambda jobs: False))
    here = tmp_path / "elsewhere"
    article(here, "lula.md", traveler=LULA, published="2026-02-03", stops=[dict(QUITO, date="2026-02-03")])
    monkeypatch.chdir(here)
    res = run("build")
    assert res.stdout.splitlines()[-1] == f"1 rebuilt, 0 unchanged, 0 removed in {here / 'outputs'}"
    assert (here / "outputs" / "lula-2026-02" / "index.html").is_file()
    help_text = run("build", "--help").stdout
    assert "Defaults here:" in help_text and "no project file" in help_text
    assert f"articles: {here}\n" in help_text and f"output: {here / 'outputs'}\n" in help_text


def test_2_a_project_file_is_found_upward_like_git(desk, monkeypatch):
    monkeypatch.chdir(desk / "news")
    res = run("build")
    assert res.stdout.splitlines()[-1] == f"2 rebuilt, 0 unchanged, 0 removed in {desk / 'maps'}"
    help_text = run("publish", "--help").stdout
    assert f"project file {desk / 'tourmap.yaml'}" in help_text
    assert f"articles: {desk / 'news'}\n" in help_text and f"site: {desk / 'site'}\n" in help_text


def test_2_the_installed_command_run_elsewhere_does_not_use_the_repository(tmp_path):
    here = tmp_path / "desk2"
    article(here, "lula.md", traveler=LULA, published="2026-02-03", stops=[dict(QUITO, date="2026-02-03")])
    before = sorted(p.name for p in (ROOT / "outputs").iterdir())
    proc = subprocess.run([sys.executable, str(DATA / "fakes.py"), "build", "-j", "1"], cwd=here, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "TOURMAP_QUIET": "1"})
    assert proc.returncode == 0, proc.stderr
    assert (here / "outputs" / "lula-2026-02" / "index.html").is_file()
    assert sorted(p.name for p in (ROOT / "outputs").iterdir()) == before


# --- 3. permanent slugs; a rename leaves a redirect ----------------------------------------------


def test_3_an_earlier_article_does_not_move_the_tour(desk):
    news = desk / "news"
    article(news, "010_lula.md", traveler=LULA, published="2026-02-02", stops=[dict(LIMA, date="2026-02-03")])
    run("build")
    assert (desk / "maps" / "lula-2026-02" / "index.html").is_file()
    # A report of the same trip published earlier arrives later: on its own it would be lula-2026-01.
    article(news, "009_lula.md", traveler="Lula", published="2026-01-30", stops=[dict(QUITO, date="2026-01-31")])
    res = run("build")
    assert "rebuilt lula-2026-02: new article 009_lula.md" in res.stdout
    assert not (desk / "maps" / "lula-2026-01").exists()
    tour = json.loads((desk / "maps" / "lula-2026-02" / "tour.json").read_text(encoding="utf-8"))
    assert [s["name"] for s in tour["stops"]] == ["Quito", "Lima"] and tour["slug"] == "lula-2026-02"
    manifest = json.loads((desk / "maps" / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["tours"]["lula-2026-02"]["articles"]) == ["009_lula.md", "010_lula.md"]


def test_3_a_rename_in_config_leaves_a_redirect_at_the_old_address(desk):
    run("build")
    run("publish")
    (desk / "tourmap.yaml").write_text(
        "paths: {articles: news, output: maps, site: site}\n"
        "tours:\n  - slug: gira-andina-de-kast\n    renamed_from: kast-2025-12\n", encoding="utf-8")
    res = run("build")
    assert "rebuilt gira-andina-de-kast: new tour" in res.stdout
    assert "redirect kast-2025-12 -> gira-andina-de-kast" in res.stdout
    old = (desk / "maps" / "kast-2025-12" / "index.html").read_text(encoding="utf-8")
    assert '<meta http-equiv="refresh" content="0; url=../gira-andina-de-kast/index.html">' in old
    assert (desk / "maps" / "gira-andina-de-kast" / "index.html").is_file()
    manifest = json.loads((desk / "maps" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["redirects"] == {"kast-2025-12": "gira-andina-de-kast"}
    assert "kast-2025-12" not in manifest["tours"]
    assert "unchanged gira-andina-de-kast" in run("build").stdout  # and it stays put
    run("publish")
    site = desk / "site"
    for page in ("index.html", "tour.html"):
        text = (site / "kast-2025-12" / page).read_text(encoding="utf-8")
        assert f"url=../gira-andina-de-kast/{page}" in text
    assert "kast-2025-12" not in (site / "index.html").read_text(encoding="utf-8")
    assert (site / "gira-andina-de-kast" / "tour.html").is_file()


# --- 4. embeds that work when pasted --------------------------------------------------------------


def test_4_with_base_url_the_embed_and_sitemap_are_absolute(desk):
    (desk / "tourmap.yaml").write_text("paths: {articles: news, output: maps, site: site}\n"
                                       "site: {base_url: 'https://example.org/maps'}\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["publish"])
    assert res.exit_code == 0 and res.stderr == ""
    snippet = (desk / "site" / "kast-2025-12" / "embed.html").read_text(encoding="utf-8")
    assert '<iframe src="https://example.org/maps/kast-2025-12/index.html"' in snippet
    assert "postMessage" not in snippet and "'tourmap-height'" in snippet  # the listening half
    noscript = re.search(r"<noscript>(.*)</noscript>", snippet).group(1)
    img = re.search(r'<img src="([^"]+)" alt="([^"]+)"', noscript)
    assert img.group(1) == "https://example.org/maps/kast-2025-12/map.png"
    assert img.group(2).startswith("Mapa de la gira: Gira de José Antonio Kast: Ecuador y Perú. 2 paradas previstas")
    assert "1. Quito (Ecuador), 22 dic 2025, prevista; 2. Lima (Perú), ene 2026, prevista" in img.group(2)
    locs = [e.text for e in ET.parse(desk / "site" / "sitemap.xml").getroot().iter(
        "{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locs and all(loc.startswith("https://example.org/maps/") for loc in locs)


def test_4_without_base_url_publish_warns_once(desk):
    res = CliRunner().invoke(cli, ["publish"])
    assert res.exit_code == 0
    [warning] = res.stderr.splitlines()
    assert warning.startswith("warning: site.base_url is not set") and "embed" in warning
    assert not (desk / "site" / "sitemap.xml").exists()


def test_4_the_map_page_reports_its_height(tmp_path):
    from map_fixtures import seed_tour, settings

    from tourmap.build import tour_files

    files = tour_files(seed_tour(), settings(), images=False)
    page = files["index.html"]
    assert 'window.parent.postMessage({"tourmap-height": h}, "*")' in page
    import html

    # the page's one script, the reporter in it, is allowed by its hash in the CSP
    assert "script-src 'sha256-" in html.unescape(page) and page.count("<script>") == 2  # Leaflet, the map


@pytest.mark.browser
@pytest.mark.timeout(90)
def test_4_a_pasted_embed_takes_the_height_its_map_reports_in_chromium():
    """The snippet in an article on another site, the map from the maps site, in Chromium."""
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    from map_fixtures import seed_tour, settings

    from tourmap.build import tour_files

    s = settings()
    s.site.base_url = "https://maps.example/"
    files = tour_files(seed_tour(), s, images=False)
    pages = {"https://news.example/article.html":
             f"<!doctype html><html><body><p>Texto del artículo.</p>{files['embed.html']}<p>Fin.</p></body></html>",
             "https://maps.example/kast-2025-12/index.html": files["index.html"]}
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 800})
            page.route("**/*", lambda r: r.fulfill(body=pages[r.request.url], content_type="text/html")
                       if r.request.url in pages else r.abort())
            page.goto("https://news.example/article.html")
            page.wait_for_function("document.querySelector('iframe').style.height !== '640px'", timeout=30_000)
            wide = page.evaluate("document.querySelector('iframe').getBoundingClientRect().height")
            inside = page.frames[1].evaluate(
                "document.querySelector('.tm-head').offsetHeight + Math.round(window.innerWidth * 0.62)"
                " + document.querySelector('.tm-foot').scrollHeight + 1")
            assert wide == inside  # header + a map as tall as the width allows + the whole footer
            page.evaluate("window.postMessage({'tourmap-height': 3000}, '*')")  # not from its iframe: ignored
            page.wait_for_timeout(200)
            assert page.evaluate("document.querySelector('iframe').getBoundingClientRect().height") == wide
            page.set_viewport_size({"width": 360, "height": 700})
            page.wait_for_function(f"document.querySelector('iframe').getBoundingClientRect().height !== {wide}",
                                   timeout=30_000)
        finally:
            browser.close()


# --- 5. titles and subtitles from the merged tour --------------------------------------------------


def test_5_title_and_subtitle_are_worded_from_the_merged_tour(desk):
    news = desk / "news"
    article(news, "020_lula.md", traveler=LULA, published="2026-02-03", title="Lula llega a Quito",
            stops=[dict(QUITO, date="2026-02-03", status="completed"), dict(BOGOTA, date="2026-02-05"),
                   dict(LIMA, date="2026-02-07"), dict(SANTIAGO, date="2026-02-09")])
    article(news, "021_lula.md", traveler="Lula", published="2026-02-06",
            title="Lula habla de Caracas en Bogotá",  # the headline names a city not on the map
            stops=[dict(BOGOTA, date="2026-02-05", status="completed")])
    run("build")
    tour = json.loads((desk / "maps" / "lula-2026-02" / "tour.json").read_text(encoding="utf-8"))
    assert tour["title"] == f"Gira de {LULA}: Ecuador, Colombia, Perú y Chile"
    assert tour["subtitle"] == "4 paradas (2 realizadas, 2 previstas) · al 6 feb 2026"
    assert "Caracas" not in json.dumps({k: tour[k] for k in ("title", "subtitle")})
    # and from config when an editor words them
    (desk / "tourmap.yaml").write_text("paths: {articles: news, output: maps}\n"
                                       "tours: [{slug: lula-2026-02, title: La gira andina de Lula}]\n",
                                       encoding="utf-8")
    run("build")
    tour = json.loads((desk / "maps" / "lula-2026-02" / "tour.json").read_text(encoding="utf-8"))
    assert (tour["title"], tour["subtitle"]) == (
        "La gira andina de Lula", "4 paradas (2 realizadas, 2 previstas) · al 6 feb 2026")


# --- 6. one language per tour -----------------------------------------------------------------------


def _lula_tours(langs: list[str]) -> list[Tour]:
    out = []
    for i, lang in enumerate(langs):
        a = Article(id=f"a{i}", path=f"/news/a{i}.md", title=f"headline {i}", text="", language=lang,
                    published=f"2026-02-0{i + 2}")
        out.append(Tour(articles=[a], traveler=LULA, title=f"headline {i}", subtitle=f"{lang} subtitle",
                        stops=[Stop(name="Quito", lat=-0.22, lon=-78.51, country="EC", date=f"2026-02-0{i + 2}",
                                    status="completed", evidence=[Evidence(a.id, "q", 0, 1)])]))
    return out


def test_6_the_tour_speaks_the_language_of_most_of_its_articles_or_the_sites():
    from tourmap.geometry import build_geometry
    from tourmap.render import render_map
    from tourmap.wording import lang_of

    # newest article in Portuguese, most in English
    [tour] = merge_tours(_lula_tours(["en", "es", "en", "pt"]), settings=Settings())
    assert (tour.language, lang_of(tour)) == ("en", "en")  # what render receives
    assert tour.title == f"{LULA}'s trip: Quito" and tour.subtitle == "1 stop made · as of Feb 5, 2026"
    s = Settings()
    page = render_map(tour, build_geometry(tour, settings=s), settings=s)
    assert '<html lang="en">' in page and "Stops, in travel order" in page
    assert "Paradas" not in page and "subtitle" not in page and "headline" not in page.split("<footer")[0]
    [tour] = merge_tours(_lula_tours(["en", "es", "en", "pt"]), settings=Settings(site=SiteSettings(language="pt")))
    assert lang_of(tour) == "pt" and tour.title == f"Viagem de {LULA}: Quito"
    [tour] = merge_tours(_lula_tours(["en", "es"]), settings=Settings(tours=[TourOverride(slug="lula-2026-02",
                                                                                           language="es")]))
    assert tour.title == f"Gira de {LULA}: Quito"


def test_6_site_pages_and_feed_follow_the_tour(desk):
    news = desk / "news"
    for i in range(2):
        article(news, f"03{i}_lula.md", traveler=LULA, published=f"2026-02-0{i + 2}", language="en",
                stops=[dict(LIMA, date=f"2026-02-0{i + 2}", status="completed")])
    run("publish")
    page = (desk / "site" / "lula-2026-02" / "tour.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "<h2>Stops</h2>" in page and "Paradas" not in page
    es_page = (desk / "site" / "kast-2025-12" / "tour.html").read_text(encoding="utf-8")
    assert '<html lang="es">' in es_page and "<h2>Paradas</h2>" in es_page
    feed = ET.parse(desk / "site" / "feed.xml").getroot()
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert feed.get(xml_lang) == "es"  # two tours in Spanish, one in English
    entry = next(e for e in feed if e.findtext("{http://www.w3.org/2005/Atom}id", "").endswith("lula-2026-02"))
    assert entry.get(xml_lang) == "en"


# --- 7. merges that weigh evidence -----------------------------------------------------------------


def _report(aid: str, published: str, lang: str, stops: list[tuple]) -> Tour:
    """stops: (place dict, date, status, met, sentence); stops sharing a sentence share evidence."""
    a = Article(id=aid, path=f"/news/{aid}.md", title=aid, text="", published=published, language=lang)
    out = []
    for place, date, status, met, sentence in stops:
        out.append(Stop(name=place["name"], lat=place["lat"], lon=place["lon"], country=place["country"], date=date,
                        status=status, met=list(met), evidence=[Evidence(aid, sentence, 0, len(sentence))],
                        confidence=0.9))
    return Tour(articles=[a], traveler=LULA, stops=out)


def test_7_a_passing_mention_does_not_overwrite_first_hand_dates_or_move_people():
    # What the extraction gives for two real-looking reports (see the issue): the first tells Quito
    # and Bogotá; the newest tells Lima and, in the same sentence, "after stopping in Quito and Bogotá",
    # dated with Lima's day and with Lima's host.
    first = _report("b1", "2026-02-03", "en", [
        (QUITO, "2026-02-03", "completed", ["Daniel Noboa"], "Lula arrived in Quito on Tuesday, where he met Noboa."),
        (BOGOTA, "2026-02-05", "planned", ["Gustavo Petro"], "On Thursday Lula will travel to Bogotá to meet Petro."),
    ])
    said = "Lula met José Jerí in Lima on Monday, after stopping in Quito and Bogotá, where he met Noboa."
    newest = _report("b2", "2026-02-10", "en", [
        (LIMA, "2026-02-09", "completed", ["José Jerí"], said),
        (QUITO, "2026-02-09", "completed", [], said),
        (BOGOTA, "2026-02-09", "completed", ["Daniel Noboa"], said),
    ])
    [tour] = merge_tours([newest, first], settings=Settings())
    assert [(s.name, s.date, s.status, s.met) for s in tour.stops] == [
        ("Quito", "2026-02-03", "completed", ["Daniel Noboa"]),
        ("Bogotá", "2026-02-05", "completed", ["Gustavo Petro"]),  # it happened: the newer report says so
        ("Lima", "2026-02-09", "completed", ["José Jerí"])]
    quito, bogota, _ = tour.stops
    assert quito.provenance == {"place": "b1", "date": "b1", "status": "b1", "met": {"Daniel Noboa": "b1"}}
    assert bogota.provenance["status"] == "b2" and bogota.provenance["date"] == "b1"
    assert quito.sources == ["b1", "b2"]
    assert tour.conflicts == [
        "Quito: date 2026-02-03 (b1) vs 2026-02-09 (b2): kept 2026-02-03 (first-hand report)",
        "Bogotá: date 2026-02-05 (b1) vs 2026-02-09 (b2): kept 2026-02-05 (first-hand report)",
        "Bogotá: Daniel Noboa (b2, passing mention) is already met at Quito: kept there"]


def test_7_newer_first_hand_wins_and_a_day_beats_a_month():
    older = _report("a", "2026-02-01", "es", [(LIMA, "2026-02-10", "planned", ["José Jerí"], "Irá a Lima el 10.")])
    newer = _report("b", "2026-02-05", "es", [(LIMA, "2026-02-12", "planned", [], "Irá a Lima el 12.")])
    [t] = merge_tours([older, newer], settings=Settings())
    assert (t.stops[0].date, t.stops[0].provenance["date"]) == ("2026-02-12", "b")
    assert t.conflicts == ["Lima: fecha 2026-02-10 (a) frente a 2026-02-12 (b): se mantiene 2026-02-12 "
                           "(artículo más reciente)"]
    vaguer = _report("c", "2026-02-06", "es", [(LIMA, "2026-03", "planned", [], "Irá a Lima en marzo.")])
    exact = _report("d", "2026-02-04", "es", [(LIMA, "2026-02-27", "planned", [], "Irá a Lima el 27.")])
    [t] = merge_tours([exact, vaguer], settings=Settings())
    assert t.stops[0].date == "2026-02-27" and "(fecha más precisa)" in t.conflicts[0]


def test_7_build_prints_conflicts_and_the_tour_page_shows_them(desk):
    news = desk / "news"
    article(news, "001_kast_later.md", traveler="Kast", published="2025-12-24",
            stops=[dict(QUITO, date="2025-12-23", status="completed")])
    res = run("build")
    conflict = ("Quito: fecha 2025-12-22 (000_kast) frente a 2025-12-23 (001_kast_later): se mantiene 2025-12-23 "
                "(artículo más reciente)")
    assert f"  conflict: {conflict}" in res.stdout.splitlines()
    run("publish")
    page = (desk / "site" / "kast-2025-12" / "tour.html").read_text(encoding="utf-8")
    assert "<h2>Discrepancias entre artículos</h2>" in page and f"<li>{conflict}</li>" in page


# --- 8. trips, not publication windows --------------------------------------------------------------


def _trip_article(aid: str, published: str, stops: list[tuple], *, text: str = "", title: str = "") -> Tour:
    a = Article(id=aid, path=f"/news/{aid}.md", title=title or aid, text=text, published=published, language="en")
    return Tour(articles=[a], traveler=LULA, stops=[
        Stop(name=p["name"], lat=p["lat"], lon=p["lon"], country=p["country"], date=d, status="completed",
             evidence=[Evidence(aid, p["name"], 0, 1)]) for p, d in stops])


def test_8_a_second_trip_three_weeks_later_is_another_tour():
    a = _trip_article("a", "2026-01-06", [(QUITO, "2026-01-05"), (BOGOTA, "2026-01-07")])
    b = _trip_article("b", "2026-01-09", [(BOGOTA, "2026-01-07"), (LIMA, "2026-01-09")])
    c = _trip_article("c", "2026-01-29", [(MADRID, "2026-01-28"), (ROMA, "2026-01-30")])
    tours = merge_tours([c, b, a], settings=Settings())
    assert [(t.slug, [s.name for s in t.stops]) for t in tours] == [
        ("lula-2026-01", ["Quito", "Bogotá", "Lima"]), ("lula-2026-01-2", ["Madrid", "Roma"])]


def test_8_a_return_home_or_a_new_trip_ends_the_trip():
    a = _trip_article("a", "2026-01-08", [(QUITO, "2026-01-05"), (BOGOTA, "2026-01-07")],
                      text="Lula met Petro in Bogotá. He flew back home on Thursday.")
    b = _trip_article("b", "2026-01-11", [(CARACAS, "2026-01-10")])
    assert len(merge_tours([a, b], settings=Settings())) == 2
    a.articles[0] = Article(**{**a.articles[0].__dict__, "text": "Lula met Petro in Bogotá."})
    assert len(merge_tours([a, b], settings=Settings())) == 1  # the same dates without the return: one trip
    c = _trip_article("c", "2026-01-09", [(CARACAS, "2026-01-09")], title="Lula starts a new tour in Caracas")
    d = _trip_article("d", "2026-01-11", [(CARACAS, "2026-01-10")], title="Lula's new tour: Caracas")
    assert [[x.id for x in t.articles] for t in merge_tours([d, a, c], settings=Settings())] == [["a"], ["c", "d"]]


def test_8_reports_of_one_trip_follow_each_other():
    # The same trip dates (a recap months later, or a wrong year) do not pull in an article published
    # far from every other report of the trip.
    a = _trip_article("a", "2026-01-06", [(QUITO, "2026-01-05"), (BOGOTA, "2026-03-07")])
    b = _trip_article("b", "2026-03-01", [(BOGOTA, "2026-03-07")])
    assert len(merge_tours([a, b], settings=Settings())) == 2
    assert len(merge_tours([a, b], settings=Settings(tour_window_days=60))) == 1


def test_8_one_trip_reported_over_many_weeks_is_one_tour():
    # Announced in full in January; the last report, two months later, long past any publication window.
    plan = [(QUITO, "2026-01-20"), (BOGOTA, "2026-02-01"), (CARACAS, "2026-02-20"), (LIMA, "2026-03-15")]
    first = _trip_article("a", "2026-01-10", plan)
    middle = _trip_article("b", "2026-02-21", [(CARACAS, "2026-02-20")])
    last = _trip_article("c", "2026-03-16", [(LIMA, "2026-03-15"), (SANTIAGO, "2026-03-17")])
    [tour] = merge_tours([last, first, middle], settings=Settings())
    assert [s.name for s in tour.stops] == ["Quito", "Bogotá", "Caracas", "Lima", "Santiago"]
    assert [a.id for a in tour.articles] == ["a", "b", "c"]


# --- 9. corrections that hit nothing are errors --------------------------------------------------


@pytest.mark.parametrize("entry, message", [
    ("{slug: kast-2025-11, title: Gira}",
     "tours[0]: slug 'kast-2025-11' names no tour (tours: kast-2025-12, sheinbaum-2025-09)"),
    ("{slug: kast-2025-12, stops: [{match: Qito, date: 2025-12-23}]}",
     "tours[0].stops[0]: match 'Qito' names no stop of tour kast-2025-12 (its stops: Quito, Lima)"),
])
def test_9_a_correction_that_hits_nothing_is_an_error_naming_file_and_entry(desk, entry, message):
    run("build")
    before = snapshot(desk / "maps")
    cfg = desk / "tourmap.yaml"
    cfg.write_text(f"paths: {{articles: news, output: maps}}\ntours: [{entry}]\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["build"])
    assert (res.exit_code, res.stderr) == (1, f"Error: {cfg}: {message}\n")
    assert snapshot(desk / "maps") == before  # nothing built, nothing removed
    res = run("review")  # review lists it instead of failing
    assert f"correction: {cfg}: {message}" in res.stdout or f"  {cfg}: {message}" in res.stdout


def test_9_the_documented_corrections_work_on_the_seed(tmp_path):
    text = (ROOT / "config" / "tourmap.yaml").read_text(encoding="utf-8")
    example = "\n".join(re.sub(r"^# ?", "", line) for line in text[text.index("# tours:"):].splitlines())
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    snippet = re.search(r"An editor's correction.*?```yaml\n(.*?)```", readme, re.S).group(1)
    for i, cfg_text in enumerate((example, snippet)):
        cfg = tmp_path / f"c{i}.yaml"
        cfg.write_text(cfg_text, encoding="utf-8")
        res = CliRunner().invoke(cli, ["extract", str(SEED), "--config", str(cfg), "--format", "json"])
        assert res.exit_code == 0, res.output
        tour = json.loads(res.stdout)
        quito = next(s for s in tour["stops"] if s["name"] == "Quito")
        assert (quito["date"], quito["status"], quito["provenance"]["date"]) == ("2025-12-23", "completed", "config")


# --- 10. a bad `published`; an article with no trip ------------------------------------------------


def test_10_a_bad_published_date_names_file_field_and_value(tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_text("---\ntitle: Lula en Lima\npublished: 2026-13-45\n---\nLula llegó a Lima el lunes.\n",
                   encoding="utf-8")
    for args in (["extract", str(bad)], ["build", str(bad), "-o", str(tmp_path / "out")]):
        res = CliRunner().invoke(cli, args)
        assert (res.exit_code, res.stderr) == (1, f"Error: {bad}: published: expected a date YYYY-MM-DD, got '2026-13-45'\n")


def test_10_an_article_with_no_trip_is_skipped_with_one_line(desk):
    article(desk / "news", "003_opinion.md", traveler="Gabriel Boric", published="2025-12-01", stops=[],
            title="Opinión: la política exterior")
    res = run("build")
    assert "skipped 003_opinion.md: no trip in it (no stops found)" in res.stdout.splitlines()
    assert res.stdout.splitlines()[-1].endswith(f", 1 skipped in {desk / 'maps'}")
    assert not (desk / "maps" / "boric-2025-12").exists()
    res = run("publish")
    assert "skipped 003_opinion.md: no trip in it (no stops found)" in res.stdout
    index = (desk / "site" / "index.html").read_text(encoding="utf-8")
    assert "boric" not in index.lower() and index.count("<li>") == 2
    assert "003_opinion.md: no trip in it" in run("review").stdout


# --- review before publish ----------------------------------------------------------------------------


def test_review_lists_stops_below_the_threshold_and_publish_holds_them(desk):
    said = "Tras pasar por Quito y Bogotá, Lula llegó a Lima."
    article(desk / "news", "040_lula.md", traveler=LULA, published="2026-02-10", body=said,
            stops=[dict(LIMA, date="2026-02-09", status="completed", met=["José Jerí"], quote=said),
                   dict(BOGOTA, date="2026-02-08", status="completed", quote=said)])
    res = run("review")
    assert "lula-2026-02: Gira de Luiz Inácio Lula da Silva: Lima" in res.stdout  # the title says what is sure
    assert "  below 0.5 (marked): Bogotá (por confirmar), confidence 0.45, 2026-02-08, completed" in res.stdout
    assert f"      [040_lula] {said}" in res.stdout
    run("build")
    tour = json.loads((desk / "maps" / "lula-2026-02" / "tour.json").read_text(encoding="utf-8"))
    assert [(s["name"], s.get("unconfirmed", False)) for s in tour["stops"]] == [
        ("Bogotá (por confirmar)", True), ("Lima", False)]
    cfg = desk / "tourmap.yaml"
    cfg.write_text("paths: {articles: news, output: maps}\nreview: {below: hold}\n", encoding="utf-8")
    res = run("build")
    assert "rebuilt lula-2026-02: config changed" in res.stdout and "1 stops, 1 held for review" in res.stdout
    tour = json.loads((desk / "maps" / "lula-2026-02" / "tour.json").read_text(encoding="utf-8"))
    assert [s["name"] for s in tour["stops"]] == ["Lima"] and "Bogotá" not in json.dumps(tour)
    cfg.write_text("paths: {articles: news, output: maps}\nreview: {below: hold}\n"
                   "tours: [{slug: lula-2026-02, stops: [{match: Bogotá, confirm: true}]}]\n", encoding="utf-8")
    run("build")
    tour = json.loads((desk / "maps" / "lula-2026-02" / "tour.json").read_text(encoding="utf-8"))
    assert [s["name"] for s in tour["stops"]] == ["Bogotá", "Lima"]


def test_extract_table_shows_confidence_and_source(desk):
    res = run("extract", "news/000_kast.md", "--format", "table")
    header = next(line for line in res.stdout.splitlines() if line.strip().startswith("order"))
    assert header.split() == ["order", "name", "country", "date", "status", "met", "landmark", "confidence",
                              "sources"]
    assert re.search(r"Quito\s+EC\s+2025-12-22\s+planned\s+0\.5\s+000_kast", res.stdout)


def test_the_tour_json_contract_is_documented_in_the_repository():
    doc = (ROOT / "docs" / "tour-json.md").read_text(encoding="utf-8")
    from tourmap.pipeline import extract_one

    [tour] = merge_tours([extract_one(SEED, Settings())], settings=Settings())
    data = tour.to_json()
    for key in [*data, *data["stops"][0], *data["articles"][0]]:
        assert f"`{key}`" in doc, key
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## The tour JSON"):readme.index("## Extraction quality")]
    assert "docs/tour-json.md" in section and "../" not in section
