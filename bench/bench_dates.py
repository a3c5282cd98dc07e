"""The date grammar alone: find_dates per article, and whether its time stays linear in the text's length.

    python bench/bench_dates.py          # prints a table
run() returns rows {"metric", "value", "unit", "note"} for bench/run.py.

Texts: the sample articles (tests/data/eval and tests/data/extra). Linearity: a text dense with
date expressions, 250 and 2,000 sentences long; the time per character should not grow with the
length (a ratio near 1.0; a quadratic step shows as a ratio near 8).
Each figure is the median of several runs: the machine is shared, timings are noisy.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # appended: a PYTHONPATH copy of tourmap (a baseline) wins

ARTICLES = sorted((ROOT / "tests" / "data" / "eval").glob("*.md")) + \
    sorted((ROOT / "tests" / "data" / "eval").glob("*.txt")) + sorted((ROOT / "tests" / "data" / "extra").glob("*.md"))
RUNS = 7


def _median_time(fn, runs: int = RUNS) -> float:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out)


def run() -> list[dict]:
    from tourmap.article import read_article
    from tourmap.dates import find_dates
    from tourmap.lexicon import load_lexicon

    arts = [read_article(p) for p in ARTICLES]
    lexes = {a.language: load_lexicon(a.language) for a in arts}
    for a in arts:  # compile the grammars
        find_dates(a.text, published=a.published, lex=lexes[a.language])

    def all_articles():
        for a in arts:
            find_dates(a.text, published=a.published, lex=lexes[a.language])

    per_article = _median_time(all_articles) / len(arts)
    chars = sum(len(a.text) for a in arts)
    rows = [
        {"metric": "find_dates per article", "value": round(per_article * 1000, 2), "unit": "ms",
         "note": f"{len(arts)} sample articles, {chars // len(arts)} characters on average"},
    ]
    # A text dense with dates, 250 and 2,000 times over: the time per character should not grow
    # (before the taken spans were kept in a byte array, each match was checked against all of them).
    unit = ("El lunes 3 de marzo llegó a Lima y el martes viajará a Quito; del 18 al 20 de noviembre "
            "estuvo en Madrid. ")
    per_char = {}
    for k in (250, 2000):
        text = unit * k
        # a fresh string each run, so no cache keyed by the text is reused between runs
        t = _median_time(lambda: find_dates(text + " ", published="2025-03-05", lex=lexes["es"]), runs=3)
        per_char[k] = t / len(text)
        rows.append({"metric": f"find_dates on a text of {3 * k:,} date expressions", "value": round(per_char[k] * 1e6, 2),
                     "unit": "µs per character", "note": f"{len(text):,} characters, {t:.2f} s"})
    rows.append({"metric": "linearity: time per character, 2,000 / 250 units", "value": round(per_char[2000] / per_char[250], 2),
                 "unit": "ratio", "note": "about 1 when linear, about 8 when quadratic"})
    return rows


def main() -> None:
    from _table import print_rows  # bench/ is on sys.path when a bench is run as a script

    print_rows(run())


if __name__ == "__main__":
    main()
