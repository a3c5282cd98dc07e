"""Incremental rebuilds: manifest, extraction cache, reasons, process pool, failure safety."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import tourmap.build
import tourmap.manifest
from tourmap.build import build
from tourmap.cli import cli
from tourmap.config import Settings, StopOverride, TourOverride
from tourmap.errors import BuildError

DATA = Path(__file__).resolve().parent / "data" / "merge"
sys.path.insert(0, str(DATA))
import fakes  # noqa: E402


@pytest.fixture
def news(tmp_path, monkeypatch):
    """Three articles: two about Kast's trip, one about Sheinbaum; stages stubbed, calls counted."""
    monkeypatch.setenv("TOURMAP_QUIET", "1")
    # Knowledge files in config/ may change under a running suite (others edit them): pin the hash.
    monkeypatch.setattr(tourmap.build, "extraction_hash", lambda settings: "pinned")
    calls = {"extract": [], "write": []}

    def extract(path, settings, **kw):
        calls["extract"].append(Path(path).name)
        return fakes.fake_extract(path, settings, **kw)

    def write(tour, out_dir, settings):
        calls["write"].append(tour.slug)
        return fakes.fake_write_tour(tour, out_dir, settings)

    monkeypatch.setattr("tourmap.pipeline.extract_one", extract)
    monkeypatch.setattr(tourmap.build, "write_tour", write)
    arts = tmp_path / "articles"
    fakes.write_article(arts, "000_seed.md", traveler="José Antonio Kast", published="2025-12-21",
                        stops=[dict(fakes.QUITO, date="2025-12-22"), dict(fakes.LIMA, date="2026-01")])
    fakes.write_article(arts, "001_later.md", traveler="Kast", published="2025-12-24",
                        stops=[dict(fakes.QUITO, date="2025-12-23", status="completed")])
    fakes.write_article(arts, "002_mx.md", traveler="Claudia Sheinbaum Pardo", published="2025-09-17",
                        stops=[fakes.MEXICO])
    return arts, tmp_path / "out", calls


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".tourmap.lock"}


def statuses(built) -> list[tuple[str, str, str]]:
    return [(b.slug, b.status, b.reason) for b in built]


def test_first_build_then_noop(news):
    arts, out, calls = news
    first = build([arts], out, Settings(), jobs=1)
    # Tours come in the order of their first article.
    assert statuses(first) == [("sheinbaum-2025-09", "rebuilt", "new tour"),
                               ("kast-2025-12", "rebuilt", "new tour")]
    assert [s.name for s in first[1].tour.stops] == ["Quito", "Lima"]
    before = snapshot(out)
    calls["extract"].clear(), calls["write"].clear()
    again = build([arts], out, Settings(), jobs=1)
    assert statuses(again) == [("sheinbaum-2025-09", "unchanged", "unchanged"),
                               ("kast-2025-12", "unchanged", "unchanged")]
    assert calls == {"extract": [], "write": []}  # no article re-read, nothing rendered
    assert snapshot(out) == before  # same bytes, same mtimes: nothing rewritten
    assert again[1].tour.to_json() == first[1].tour.to_json()  # the cache gives back the same tour


def test_touching_one_article_rebuilds_only_its_tour(news):
    arts, out, calls = news
    build([arts], out, Settings(), jobs=1)
    mx_before = snapshot(out / "sheinbaum-2025-09")
    calls["extract"].clear(), calls["write"].clear()
    later = arts / "001_later.md"
    later.write_text(later.read_text(encoding="utf-8").replace("Texto", "Texto corregido"), encoding="utf-8")
    built = build([arts], out, Settings(), jobs=1)
    assert statuses(built) == [("sheinbaum-2025-09", "unchanged", "unchanged"),
                               ("kast-2025-12", "rebuilt", "changed article 001_later.md")]
    assert calls == {"extract": ["001_later.md"], "write": ["kast-2025-12"]}
    assert snapshot(out / "sheinbaum-2025-09") == mx_before


def test_new_article_joins_its_tour_and_keeps_the_slug(news):
    arts, out, calls = news
    (arts / "001_later.md").rename(arts.parent / "held_back.md")
    assert [b.slug for b in build([arts], out, Settings(), jobs=1)] == ["sheinbaum-2025-09", "kast-2025-12"]
    (arts.parent / "held_back.md").rename(arts / "001_later.md")
    built = build([arts], out, Settings(), jobs=1)
    assert statuses(built)[1] == ("kast-2025-12", "rebuilt", "new article 001_later.md")
    tour = json.loads((out / "kast-2025-12" / "tour.json").read_text(encoding="utf-8"))
    assert tour["stops"][0]["date"] == "2025-12-23" and tour["stops"][0]["status"] == "completed"
    assert tour["conflicts"] == [
        "Quito: fecha 2025-12-22 (000_seed) frente a 2025-12-23 (001_later): se mantiene 2025-12-23 (artículo más reciente)"]


def test_config_version_force_and_removal(news, monkeypatch):
    arts, out, calls = news
    build([arts], out, Settings(), jobs=1)
    edited = Settings(tours=[TourOverride(slug="sheinbaum-2025-09", title="Gira por el sureste",
                                          stops=[StopOverride(match="Ciudad de México", date="2025-09-19")])])
    assert statuses(build([arts], out, edited, jobs=1)) == [
        ("sheinbaum-2025-09", "rebuilt", "config changed"), ("kast-2025-12", "unchanged", "unchanged")]
    monkeypatch.setattr(tourmap.build, "code_version", lambda: "9.9.9+test")
    assert [b.reason.split(" (")[0] for b in build([arts], out, edited, jobs=1)] == ["tourmap changed"] * 2
    assert [b.reason for b in build([arts], out, edited, jobs=1, force=True)] == ["forced"] * 2
    (arts / "002_mx.md").unlink()
    built = build([arts], out, edited, jobs=1)  # removal is explicit: kept, and the build says why
    assert statuses(built)[-1] == ("sheinbaum-2025-09", "kept", "no article left for it (`tourmap prune` removes it)")
    assert (out / "sheinbaum-2025-09" / "index.html").exists()
    built = build([arts], out, edited, jobs=1, prune=True)
    assert statuses(built)[-1] == ("sheinbaum-2025-09", "removed", "no article left for it")
    assert not (out / "sheinbaum-2025-09").exists() and (out / "kast-2025-12" / "index.html").exists()


def test_a_failed_build_keeps_the_previous_output(news, monkeypatch):
    arts, out, calls = news
    build([arts], out, Settings(), jobs=1)
    before = snapshot(out)

    def broken(tour, out_dir, settings):
        raise BuildError(f"{out_dir / tour.slug}: cannot write output (disk full)")

    monkeypatch.setattr(tourmap.build, "write_tour", broken)
    with pytest.raises(BuildError, match="disk full"):
        build([arts], out, Settings(), jobs=1, force=True)
    assert snapshot(out) == before  # manifest included: the next run still knows what is there


def test_output_is_deterministic_and_pool_matches_serial(news, tmp_path):
    arts, out, calls = news
    for i in range(3, 9):  # enough articles for the process pool
        fakes.write_article(arts, f"00{i}_lula.md", traveler="Luiz Inácio Lula da Silva",
                            published=f"2024-0{i}-17", stops=[dict(fakes.MADRID, date=f"2024-0{i}-18")])
    serial = build([arts], tmp_path / "a", Settings(), jobs=1)
    pooled = build([arts], tmp_path / "b", Settings(), jobs=2)
    assert [b.slug for b in serial] == [b.slug for b in pooled]
    files = lambda d: {k: v[1] for k, v in snapshot(d).items() if not k.startswith(".cache")}  # noqa: E731
    assert files(tmp_path / "a") == files(tmp_path / "b")
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["tours"]["kast-2025-12"]["articles"]) == ["000_seed.md", "001_later.md"]


def test_damaged_cache_and_manifest_mean_rebuild(news):
    arts, out, calls = news
    build([arts], out, Settings(), jobs=1)
    for f in (out / ".cache" / "extract").iterdir():
        f.write_text("{not json", encoding="utf-8")
    (out / "manifest.json").write_text("[]", encoding="utf-8")
    calls["extract"].clear()
    built = build([arts], out, Settings(), jobs=1)
    assert [b.reason for b in built] == ["new tour", "new tour"]
    assert sorted(calls["extract"]) == ["000_seed.md", "001_later.md", "002_mx.md"]


def test_cli_build_lines_and_errors(news):
    arts, out, calls = news
    runner = CliRunner()
    res = runner.invoke(cli, ["build", str(arts), "-o", str(out), "-j", "1"])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == [
        f"rebuilt sheinbaum-2025-09: new tour ({out}/sheinbaum-2025-09/index.html, 1 stops)",
        f"rebuilt kast-2025-12: new tour ({out}/kast-2025-12/index.html, 2 stops)",
        "  conflict: Quito: fecha 2025-12-22 (000_seed) frente a 2025-12-23 (001_later): se mantiene 2025-12-23 "
        "(artículo más reciente)",
        f"2 rebuilt, 0 unchanged, 0 removed in {out}"]
    res = runner.invoke(cli, ["build", str(arts), "-o", str(out)])
    assert res.stdout.splitlines() == ["unchanged sheinbaum-2025-09", "unchanged kast-2025-12",
                                       f"0 rebuilt, 2 unchanged, 0 removed in {out}"]
    res = runner.invoke(cli, ["build", str(arts / "nope.md"), "-o", str(out)])
    assert (res.exit_code, res.stderr) == (1, f"Error: {arts / 'nope.md'}: no such file or folder\n")
    empty = arts.parent / "empty"
    empty.mkdir()
    res = runner.invoke(cli, ["build", str(empty), "-o", str(out)])
    assert (res.exit_code, res.stderr) == (1, f"Error: {empty}: no articles (.txt, .md, .html) found\n")
    res = runner.invoke(cli, ["build", str(arts), "-j", "0"])
    assert res.exit_code == 2


def test_lock_held_means_busy(news):
    from filelock import FileLock

    arts, out, calls = news
    out.mkdir()
    cfg = out.parent / "fast.yaml"
    cfg.write_text("site:\n  lock_timeout_s: 0.1\n", encoding="utf-8")
    with FileLock(str(out / ".tourmap.lock")):
        res = CliRunner().invoke(cli, ["build", str(arts), "-o", str(out), "--config", str(cfg)])
    assert res.exit_code == 75
    assert res.stderr == (f"Error: {out}/.tourmap.lock: another tourmap build is running (lock held); "
                          "try again later\n")


def test_version_hash_covers_package_files():
    v = tourmap.manifest.code_version()
    assert v.startswith(tourmap.__version__ + "+") and len(v.split("+")[1]) == 12


# --- end to end through the real stages -------------------------------------------------------

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_ef3bafede1ed9db9.txt"


def test_real_build_then_a_later_article(tmp_path):
    import shutil

    arts, out = tmp_path / "articles", tmp_path / "out"
    arts.mkdir()
    shutil.copy(SEED, arts / SEED.name)
    runner = CliRunner(env={"TOURMAP_QUIET": "1"})
    res = runner.invoke(cli, ["build", str(arts), "-o", str(out), "-j", "1"])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[0].startswith(f"rebuilt kast-2025-12: new tour ({out}/kast-2025-12/index.html")
    files = {p.name for p in (out / "kast-2025-12").iterdir()}
    assert {"index.html", "tour.json", "tour.geojson", "stops.csv", "embed.html"} <= files
    shutil.copy(DATA / "001_kast_quito_later.md", arts)
    res = runner.invoke(cli, ["build", str(arts), "-o", str(out), "-j", "1"])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[0].startswith(
        "rebuilt kast-2025-12: new article 001_kast_quito_later.md (")
    tour = json.loads((out / "kast-2025-12" / "tour.json").read_text(encoding="utf-8"))
    quito = next(s for s in tour["stops"] if s["name"] == "Quito")
    assert (quito["date"], quito["status"]) == ("2025-12-23", "completed")
    assert quito["sources"] == ["000_ef3bafede1ed9db9", "001_kast_quito_later"]
    before = snapshot(out)
    res = runner.invoke(cli, ["build", str(arts), "-o", str(out)])
    assert res.stdout == f"unchanged kast-2025-12\n0 rebuilt, 1 unchanged, 0 removed in {out}\n"
    assert snapshot(out) == before


def test_bad_article_in_a_pooled_batch_is_one_error(news, monkeypatch):
    from tourmap.errors import InputError

    arts, out, calls = news
    for i in range(3, 7):
        fakes.write_article(arts, f"00{i}_x.md", traveler="Gustavo Petro", published=f"2025-0{i}-01", stops=[])

    def extract(path, settings, **kw):
        if Path(path).name == "004_x.md":
            raise InputError(f"{path}: empty file")
        return fakes.fake_extract(path, settings, **kw)

    monkeypatch.setattr("tourmap.pipeline.extract_one", extract)
    with pytest.raises(InputError, match=r"004_x\.md: empty file$"):
        build([arts], out, Settings(), jobs=2)
    assert not (out / "manifest.json").exists()
    again = []
    monkeypatch.setattr("tourmap.pipeline.extract_one",
                        lambda path, settings, **kw: again.append(Path(path).name) or fakes.fake_extract(path, settings))
    build([arts], out, Settings(), jobs=1)  # the articles before the bad one come from the cache
    assert "004_x.md" in again
    assert not {"000_seed.md", "001_later.md", "002_mx.md", "003_x.md"} & set(again)


SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def test_small_build_with_two_cores_matches_one_core_byte_for_byte(tmp_path):
    """With a second core a small build draws in two forked children (page, images) that did
    their imports while the articles were read; the files are the same as drawn in turn."""
    one = build([SEEDS], tmp_path / "one", Settings(), jobs=1)
    two = build([SEEDS], tmp_path / "two", Settings(), jobs=2)
    assert [b.slug for b in one] == [b.slug for b in two]
    for b in one:
        files = sorted(p.name for p in b.folder.iterdir())
        assert "map.png" in files and "index.html" in files
        assert files == sorted(p.name for p in (tmp_path / "two" / b.slug).iterdir())
        for name in files:
            assert (b.folder / name).read_bytes() == (tmp_path / "two" / b.slug / name).read_bytes(), name


def test_a_crash_while_drawing_in_a_child_is_one_error(tmp_path, monkeypatch):
    import tourmap.static

    def boom(*a, **k):
        raise RuntimeError("no ink")

    monkeypatch.setattr(tourmap.static, "render_static", boom)  # the children are forked: they see it
    res = CliRunner().invoke(cli, ["build", str(SEEDS), "-o", str(tmp_path / "out"), "-j", "2"])
    assert res.exit_code == 1
    assert res.stderr == "Error: rendering failed (RuntimeError: no ink)\n"
    assert not (tmp_path / "out" / "manifest.json").exists()
