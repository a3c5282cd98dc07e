#!/usr/bin/env python3
"""Rebuild benchmark: a generated corpus of 1,000 articles, built, then rebuilt.

    python bench/bench_rebuild.py                 # 1,000 articles, all cores
    BENCH_REBUILD_ARTICLES=200 python bench/bench_rebuild.py

The corpus comes from bench/corpus_seed/ (the dev sample articles): article i is seed i % 9 with
its publication date moved by 90 days every second round and a line of its own, so pairs of
articles 3 days apart form one tour (about 500 tours for 1,000 articles).

Rows: full build (cold: empty output, no cache), extraction alone (cold cache, in the pool),
no-op rebuild in-process and as a `tourmap build` process (must be under 2 s), incremental
rebuild after one article changed, and `tourmap publish` of an unchanged site.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SEEDS = BENCH / "corpus_seed"
sys.path.insert(0, str(ROOT))

NOOP_LIMIT_S = 2.0


def make_corpus(dest: Path, n: int) -> list[Path]:
    """n articles from the seeds: same text, shifted dates, own file names and one line of their own."""
    seeds = sorted(p for p in SEEDS.glob("*.md") if p.name[0].isdigit())
    dest.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        seed = seeds[i % len(seeds)]
        rnd = i // len(seeds)
        shift = dt.timedelta(days=(rnd // 2) * 90 + (rnd % 2) * 3)
        text = seed.read_text(encoding="utf-8")
        m = re.search(r"^published: (\d{4}-\d{2}-\d{2})$", text, re.M)
        day = dt.date.fromisoformat(m.group(1)) + shift
        text = text[:m.start(1)] + day.isoformat() + text[m.end(1):]
        text = text.rstrip("\n") + f"\n\n(Archivo {i:04d}.)\n"
        p = dest / f"{i:04d}_{seed.stem.split('_', 1)[1]}.md"
        p.write_text(text, encoding="utf-8")
        out.append(p)
    return out


def _timed(fn):
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def _cli(*args: str) -> tuple[float, subprocess.CompletedProcess]:
    # The tourmap of this checkout, like the in-process rows (run from a copy for a quiet tree).
    cmd = [sys.executable, "-m", "tourmap.cli"]
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "TOURMAP_QUIET": "1", "PYTHONPATH": path}
    t0 = time.perf_counter()
    res = subprocess.run([*cmd, *args], capture_output=True, text=True, env=env, timeout=3600)
    return time.perf_counter() - t0, res


def run(n: int | None = None) -> list[dict]:
    from tourmap.build import build, default_jobs, extract_articles
    from tourmap.config import load_settings

    n = n or int(os.environ.get("BENCH_REBUILD_ARTICLES", "1000"))
    settings = load_settings()
    jobs = default_jobs()
    rows: list[dict] = []
    work = Path(tempfile.mkdtemp(prefix="tourmap-bench-"))
    try:
        corpus = work / "articles"
        files = make_corpus(corpus, n)
        out = work / "out"
        secs, built = _timed(lambda: build([corpus], out, settings, jobs=jobs))
        tours = len(built)
        rows.append({"metric": "full build", "value": round(secs, 2), "unit": "s",
                     "note": f"{n} articles -> {tours} tours, {jobs} processes, cold"})
        rows.append({"metric": "full build per article", "value": round(1000 * secs / n, 1), "unit": "ms",
                     "note": "extraction + merge + geometry + map + static image, amortized"})
        xsecs, _ = _timed(lambda: extract_articles(files, settings, cache_dir=work / "xcache", jobs=jobs))
        rows.append({"metric": "extraction alone", "value": round(xsecs, 2), "unit": "s",
                     "note": f"{n} articles, cold cache; the rest of the full build is merge + rendering "
                             f"({(secs - xsecs) / max(tours, 1) * 1000:.0f} ms per tour)"})
        secs, again = _timed(lambda: build([corpus], out, settings, jobs=jobs))
        assert all(b.status == "unchanged" for b in again), "no-op rebuild rebuilt something"
        rows.append({"metric": "no-op rebuild (in-process)", "value": round(secs, 3), "unit": "s",
                     "note": f"hash {n} articles, {tours} tours unchanged; limit {NOOP_LIMIT_S} s"})
        secs, res = _cli("build", str(corpus), "-o", str(out))
        assert res.returncode == 0, res.stderr
        rows.append({"metric": "no-op rebuild (tourmap build)", "value": round(secs, 3), "unit": "s",
                     "note": f"whole process incl. start-up; {'OK' if secs < NOOP_LIMIT_S else 'OVER'} "
                             f"the {NOOP_LIMIT_S} s limit"})
        files[n // 2].write_text(files[n // 2].read_text(encoding="utf-8") + "\nActualización.\n",
                                 encoding="utf-8")
        secs, inc = _timed(lambda: build([corpus], out, settings, jobs=jobs))
        rebuilt = [b.slug for b in inc if b.status == "rebuilt"]
        rows.append({"metric": "incremental rebuild, 1 article changed", "value": round(secs, 2), "unit": "s",
                     "note": f"rebuilt {len(rebuilt)} of {tours} tours"})
        site = work / "site"
        # Publishing reuses a build folder beside the site: seed it with this build to time the site alone.
        shutil.copytree(out, work / ".site.build")
        secs, res = _cli("publish", str(corpus), "-o", str(site))
        assert res.returncode == 0, res.stderr
        rows.append({"metric": "publish (first, build up to date)", "value": round(secs, 2), "unit": "s",
                     "note": f"write {tours} tour pages, index, feed, sitemap; swap in"})
        secs, res = _cli("publish", str(corpus), "-o", str(site))
        assert res.returncode == 0 and "site unchanged" in res.stdout, res.stdout + res.stderr
        rows.append({"metric": "publish, nothing changed", "value": round(secs, 2), "unit": "s",
                     "note": "compares the new site with the live one; touches nothing"})
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return rows


def main() -> None:
    from _table import print_rows  # bench/ is on sys.path when a bench is run as a script

    print_rows(run())


if __name__ == "__main__":
    main()
