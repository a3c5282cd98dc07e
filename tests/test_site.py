"""`tourmap publish`: the static site, its atomic swap, recovery after a kill, the lock."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

import tourmap.build
from tourmap.cli import cli
from tourmap.config import Settings, SiteSettings, TourOverride
from tourmap.errors import BuildError
from tourmap.site import publish

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "merge"
sys.path.insert(0, str(DATA))
import fakes  # noqa: E402

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def news(tmp_path, monkeypatch):
    monkeypatch.setenv("TOURMAP_QUIET", "1")
    # Knowledge files in config/ may change under a running suite (others edit them): pin the hash.
    monkeypatch.setattr(tourmap.build, "extraction_hash", lambda settings: "pinned")
    fakes.install(monkeypatch)
    arts = tmp_path / "articles"
    fakes.write_article(arts, "000_seed.md", traveler="José Antonio Kast", published="2025-12-21",
                        title="Kast <b>gira</b> & \"Noboa\"",
                        stops=[dict(fakes.QUITO, date="2025-12-22"), dict(fakes.LIMA, date="2026-01")])
    fakes.write_article(arts, "002_mx.md", traveler="Claudia Sheinbaum Pardo", published="2025-09-17",
                        title="Sheinbaum en el sureste", stops=[fakes.MEXICO])
    return arts, tmp_path / "www" / "maps"


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_site_pages_feed_and_sitemap(news):
    arts, site = news
    titled = Settings(tours=[TourOverride(slug="kast-2025-12", title='Kast <b>gira</b> & "Noboa"')])
    summary = publish([arts], site, titled, jobs=1)
    assert summary == f"published 2 tours to {site} (2 changed)"
    # no sitemap.xml without site.base_url: the protocol wants absolute addresses
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()) == sorted(
        ["index.html", "feed.xml"]
        + [f"{slug}/{n}" for slug in ("kast-2025-12", "sheinbaum-2025-09")
           for n in ("index.html", "tour.html", "tour.json", "tour.geojson", "stops.csv", "embed.html", "map.png")])
    index = (site / "index.html").read_text(encoding="utf-8")
    # newest first, escaped, with thumbnail and last-updated date
    assert index.index("kast-2025-12/tour.html") < index.index("sheinbaum-2025-09/tour.html")
    assert "Kast &lt;b&gt;gira&lt;/b&gt; &amp; &quot;Noboa&quot;" in index and "<b>gira" not in index
    assert '<img src="kast-2025-12/map.png" alt="Mapa: Kast &lt;b&gt;gira' in index
    assert 'Actualizado <time datetime="2025-12-21">2025-12-21</time>' in index
    assert "José Antonio Kast · 2025-12-22 – 2026-01 · 2 paradas" in index
    assert "Claudia Sheinbaum Pardo · 1 parada<" in index
    assert "sitemap.xml" not in index
    page = (site / "kast-2025-12" / "tour.html").read_text(encoding="utf-8")
    assert '<iframe class="map" src="index.html"' in page
    assert "<td>2</td><td>Lima</td><td>PE</td><td>2026-01</td><td>prevista</td>" in page
    assert '<a href="tour.geojson" download>' in page and '<a href="stops.csv" download>' in page
    assert "&lt;iframe src=&quot;index.html&quot;" in page  # the embed snippet, shown as code
    for html_file in (index, page):  # relative links only: works from any sub-path or from disk
        for link in re.findall(r'(?:href|src)="([^"]*)"', html_file):
            assert not link.startswith(("/", "http:", "https:", "file:")), link
    feed = ET.parse(site / "feed.xml").getroot()
    assert feed.findtext(f"{ATOM}updated") == "2025-12-21T00:00:00Z"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}id") for e in entries] == ["urn:tourmap:tour:kast-2025-12",
                                                         "urn:tourmap:tour:sheinbaum-2025-09"]
    assert entries[0].findtext(f"{ATOM}title") == 'Kast <b>gira</b> & "Noboa"'
    assert entries[1].findtext(f"{ATOM}title") == "Gira de Claudia Sheinbaum Pardo: Ciudad de México"
    assert entries[1].findtext(f"{ATOM}updated") == "2025-09-17T00:00:00Z"


def test_base_url_makes_feed_and_sitemap_absolute(news):
    arts, site = news
    publish([arts], site, Settings(site=SiteSettings(base_url="https://example.org/maps/")), jobs=1)
    feed = ET.parse(site / "feed.xml").getroot()
    assert feed.findtext(f"{ATOM}id") == "https://example.org/maps/"
    assert feed.find(f"{ATOM}entry/{ATOM}link").get("href") == "https://example.org/maps/kast-2025-12/tour.html"
    locs = [e.text for e in ET.parse(site / "sitemap.xml").getroot().iter(
        "{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locs[:3] == ["https://example.org/maps/", "https://example.org/maps/kast-2025-12/tour.html",
                        "https://example.org/maps/kast-2025-12/"]
    assert all(loc.startswith("https://example.org/maps/") for loc in locs)


def test_republish_unchanged_touches_nothing(news):
    arts, site = news
    publish([arts], site, Settings(), jobs=1)
    before = snapshot(site)
    assert publish([arts], site, Settings(), jobs=1) == f"site unchanged: 2 tours in {site}"
    assert snapshot(site) == before
    res = CliRunner().invoke(cli, ["publish", str(arts), "-o", str(site)])
    assert (res.exit_code, res.stdout) == (0, f"site unchanged: 2 tours in {site}\n")
    assert snapshot(site) == before
    assert not list(site.parent.glob(".maps.new-*"))


def test_new_article_updates_only_what_changed(news):
    arts, site = news
    publish([arts], site, Settings(), jobs=1)
    before = snapshot(site)
    fakes.write_article(arts, "001_later.md", traveler="Kast", published="2025-12-24",
                        stops=[dict(fakes.QUITO, date="2025-12-23", status="completed")])
    assert publish([arts], site, Settings(), jobs=1) == f"published 2 tours to {site} (1 changed)"
    after = snapshot(site)
    assert after["sheinbaum-2025-09/index.html"] == before["sheinbaum-2025-09/index.html"]  # mtime kept
    assert after["kast-2025-12/tour.json"] != before["kast-2025-12/tour.json"]
    feed = ET.parse(site / "feed.xml").getroot()
    assert feed.findtext(f"{ATOM}updated") == "2025-12-24T00:00:00Z"


def test_failed_build_keeps_the_last_good_site(news, monkeypatch):
    arts, site = news
    publish([arts], site, Settings(), jobs=1)
    before = snapshot(site)
    fakes.write_article(arts, "001_later.md", traveler="Kast", published="2025-12-24", stops=[fakes.QUITO])

    def broken(target, files):  # where a full disk shows, whichever process drew the tour
        raise BuildError(f"{target}: cannot write output (No space left on device)")

    swap_in = tourmap.build.swap_in
    monkeypatch.setattr(tourmap.build, "swap_in", broken)
    res = CliRunner().invoke(cli, ["publish", str(arts), "-o", str(site)])
    assert res.exit_code == 1
    assert res.stderr.startswith("Error: ") and res.stderr.endswith("(No space left on device)\n")
    assert snapshot(site) == before
    monkeypatch.setattr(tourmap.build, "swap_in", swap_in)  # the disk has room again
    res = CliRunner().invoke(cli, ["publish", str(arts), "-o", str(site)])
    assert res.exit_code == 0 and res.stdout.endswith(f"published 2 tours to {site} (1 changed)\n")


def run_cli(*args, env=None, **kw):
    full = {**os.environ, "TOURMAP_QUIET": "1", **(env or {})}
    return subprocess.Popen([sys.executable, str(DATA / "fakes.py"), *args], env=full,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def test_killed_publish_leaves_the_site_and_next_run_recovers(news):
    arts, site = news
    first = run_cli("publish", str(arts), "-o", str(site))
    assert first.wait(60) == 0, first.stderr.read()
    before = snapshot(site)
    fakes.write_article(arts, "001_later.md", traveler="Kast", published="2025-12-24", stops=[fakes.QUITO])
    slow = run_cli("publish", str(arts), "-o", str(site), env={"TOURMAP_TEST_SLOW": "30"})
    deadline = time.monotonic() + 30
    while not list(site.parent.glob(".maps.new-*/feed.xml")):  # the new site is written, swap pending
        assert slow.poll() is None and time.monotonic() < deadline, slow.stderr.read() if slow.poll() else "slow"
        time.sleep(0.05)
    slow.send_signal(signal.SIGKILL)
    slow.wait(10)
    assert snapshot(site) == before
    assert list(site.parent.glob(".maps.new-*"))  # debris of the killed run
    again = run_cli("publish", str(arts), "-o", str(site))
    out, err = again.communicate(timeout=60)
    assert again.returncode == 0, err
    assert out.splitlines()[0].startswith("removed .maps.new-") and "left by an interrupted run" in out
    assert out.splitlines()[-1] == f"published 2 tours to {site} (1 changed)"
    assert not list(site.parent.glob(".maps.new-*"))
    assert "2025-12-24" in (site / "index.html").read_text(encoding="utf-8")


def test_interrupted_swap_is_undone(news):
    arts, site = news
    publish([arts], site, Settings(), jobs=1)
    before = snapshot(site)
    site.rename(site.with_name(".maps.old"))  # as if killed between the two renames of the fallback swap
    lines = []
    publish([arts], site, Settings(), jobs=1, log=lines.append)
    assert lines[0] == f"restored {site} from an interrupted run"
    assert snapshot(site) == before


def test_lock_held_is_a_clear_error(news, tmp_path):
    from filelock import FileLock

    arts, site = news
    cfg = tmp_path / "fast.yaml"
    cfg.write_text("site:\n  lock_timeout_s: 0.1\n", encoding="utf-8")
    site.parent.mkdir(parents=True)
    with FileLock(str(site.parent / ".maps.lock")):
        res = CliRunner().invoke(cli, ["publish", str(arts), "-o", str(site), "--config", str(cfg)])
    assert res.exit_code == 75
    assert res.stderr == (f"Error: {site.parent}/.maps.lock: another tourmap publish is running (lock held); "
                          "try again later\n")
    assert not site.exists()


def test_site_that_is_a_file_is_refused(news):
    arts, site = news
    site.parent.mkdir(parents=True)
    site.write_text("not a folder")
    res = CliRunner().invoke(cli, ["publish", str(arts), "-o", str(site)])  # click checks -o: usage error
    assert res.exit_code == 2 and f"'{site}' is a file" in res.stderr
    with pytest.raises(BuildError, match=f"^{re.escape(str(site))}: is a file, not a folder$"):
        publish([arts], site, Settings(), jobs=1)
    assert site.read_text() == "not a folder"


def test_sigterm_cleans_up_and_keeps_the_site(news):
    arts, site = news
    assert run_cli("publish", str(arts), "-o", str(site)).wait(60) == 0
    before = snapshot(site)
    fakes.write_article(arts, "001_later.md", traveler="Kast", published="2025-12-24", stops=[fakes.QUITO])
    slow = run_cli("publish", str(arts), "-o", str(site), env={"TOURMAP_TEST_SLOW": "30"})
    deadline = time.monotonic() + 30
    while not list(site.parent.glob(".maps.new-*/feed.xml")):
        assert slow.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    slow.send_signal(signal.SIGTERM)
    _, err = slow.communicate(timeout=30)
    assert slow.returncode == 143
    assert err == "Error: stopped by SIGTERM; the last good output is kept\n"
    assert snapshot(site) == before and not list(site.parent.glob(".maps.new-*"))


def test_real_publish_links_resolve(tmp_path):
    """The real stages: every local link of every page resolves, the thumbnail is there."""
    import shutil

    arts = tmp_path / "articles"
    arts.mkdir()
    shutil.copy(ROOT / "seeds" / "000_ef3bafede1ed9db9.txt", arts)
    site = tmp_path / "site"
    res = CliRunner(env={"TOURMAP_QUIET": "1"}).invoke(cli, ["publish", str(arts), "-o", str(site), "-j", "1"])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == ["rebuilt kast-2025-12: new tour", f"published 1 tour to {site} (1 changed)"]
    for page in site.rglob("*.html"):
        for ref in re.findall(r'(?:href|src)="([^"#?]+)"', page.read_text(encoding="utf-8")):
            if re.match(r"^[a-z][a-z0-9+.-]*:", ref):
                continue
            target = (page.parent / ref).resolve()
            assert target.is_file() or (target / "index.html").is_file(), f"{page.relative_to(site)} -> {ref}"
    assert '<img src="kast-2025-12/map-social.png"' in (site / "index.html").read_text(encoding="utf-8")
