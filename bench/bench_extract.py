"""Extraction speed: start-up time and articles per second on one process after start-up.

    python bench/bench_extract.py          # prints a table
run() returns rows {"metric", "value", "unit", "note"} for bench/run.py.
The articles are the sample articles in tests/data/eval and tests/data/extra, repeated.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ARTICLES = sorted((ROOT / "tests" / "data" / "eval").glob("*.md")) + \
    sorted((ROOT / "tests" / "data" / "eval").glob("*.txt")) + sorted((ROOT / "tests" / "data" / "extra").glob("*.md"))
REPEAT = 10


def _startup_seconds() -> float:
    """A fresh interpreter: import, load the gazetteer and word lists, extract one article."""
    code = ("import time; t=time.perf_counter();"
            "from tourmap.article import read_article; from tourmap.config import Settings;"
            "from tourmap.mentions import find_mentions; from tourmap.tour import assemble_tour;"
            f"s=Settings(); assemble_tour(find_mentions(read_article({str(ARTICLES[0])!r}), settings=s), settings=s);"
            "print(time.perf_counter()-t)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def run() -> list[dict]:
    from tourmap.article import read_article
    from tourmap.config import Settings
    from tourmap.mentions import find_mentions
    from tourmap.tour import assemble_tour

    settings = Settings()
    startup = _startup_seconds()
    texts = [read_article(p) for p in ARTICLES]
    assemble_tour(find_mentions(texts[0], settings=settings), settings=settings)  # warm caches
    t0 = time.perf_counter()
    n = 0
    for _ in range(REPEAT):
        for art in texts:
            assemble_tour(find_mentions(art, settings=settings), settings=settings)
            n += 1
    dt = time.perf_counter() - t0
    t1 = time.perf_counter()
    for p in ARTICLES:
        read_article(p)
    read_s = (time.perf_counter() - t1) / len(ARTICLES)
    words = sum(len(a.text.split()) for a in texts) * REPEAT
    return [
        {"metric": "extract start-up", "value": round(startup, 3), "unit": "s",
         "note": "fresh process: imports, gazetteer, word lists, first article"},
        {"metric": "extract throughput", "value": round(n / dt, 1), "unit": "articles/s",
         "note": f"mentions + tour, one process, {len(texts)} sample articles x {REPEAT}"},
        {"metric": "extract throughput (words)", "value": round(words / dt), "unit": "words/s", "note": ""},
        {"metric": "read_article", "value": round(read_s * 1000, 2), "unit": "ms/article",
         "note": "reading and decoding the file, metadata, language"},
    ]


def main() -> None:
    from _table import print_rows  # bench/ is on sys.path when a bench is run as a script

    print_rows(run())


if __name__ == "__main__":
    main()
