#!/usr/bin/env python3
"""The date grammar's recall of gold dates: for each gold stop, does some date expression in its
article resolve to the gold date (or one of its alt_dates)?

    python bench/date_recall.py                      # every set of corpus/sets.json, one line per gold stop
    python bench/date_recall.py --misses             # only the gold stops no expression reaches
    python bench/date_recall.py --quiet DIR [DIR..]  # totals only, for the given sets

This measures the grammar alone (tourmap/dates.py over the whole article), not which expression
the tour assigns to a stop: a stop whose date is never produced cannot be dated right by any later
step. A gold stop with a `date_end` also counts as a range hit when one expression gives both ends.
The blind set (bench/blind) is left out on purpose: it stays blind.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # appended: a PYTHONPATH copy of tourmap (a baseline) wins


def _sets() -> list[str]:
    """The labelled sets developed on (corpus/sets.json; a set may list its reworded twin too)."""
    listed = json.loads((ROOT / "corpus" / "sets.json").read_text(encoding="utf-8"))["sets"].values()
    dirs = [d for v in listed for d in ([v] if isinstance(v, str) else v)]
    return sorted(dirs, key=lambda d: (not d.startswith("tests/"), d))


SETS = _sets()
SUFFIXES = (".md", ".txt", ".html", ".htm")


def _articles(d: Path):
    for gold in sorted(d.glob("*.gold.json")):
        stem = gold.name[:-len(".gold.json")]
        art = next((d / (stem + s) for s in SUFFIXES if (d / (stem + s)).exists()), None)
        if art:
            yield art, json.loads(gold.read_text(encoding="utf-8"))


def main() -> int:
    from tourmap.article import read_article
    from tourmap.dates import find_dates
    from tourmap.lexicon import load_lexicon

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="*", help="sets (default: every developed-on set)")
    ap.add_argument("--misses", action="store_true", help="list only gold stops no expression reaches")
    ap.add_argument("--quiet", action="store_true", help="totals only")
    args = ap.parse_args()
    dirs = [Path(d) for d in args.dirs] or [ROOT / s for s in SETS]
    by_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # hit, dated, range hit, ranges
    by_set: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for d in dirs:
        for art_path, gold in _articles(d):
            art = read_article(art_path)
            found = find_dates(art.text, published=art.published, lex=load_lexicon(art.language))
            values = {x.value for x in found if x.value}
            pairs = {(x.value, x.value_end) for x in found if x.value_end}
            for stop in gold.get("stops", []):
                if not stop.get("date"):
                    continue
                want = {stop["date"], *(stop.get("alt_dates") or [])}
                hit = bool(want & values)
                c = by_lang[art.language]
                c[0] += hit
                c[1] += 1
                by_set[d.name][0] += hit
                by_set[d.name][1] += 1
                rng = ""
                if stop.get("date_end"):
                    c[3] += 1
                    rhit = (stop["date"], stop["date_end"]) in pairs
                    c[2] += rhit
                    rng = f" range {stop['date']}..{stop['date_end']} {'ok' if rhit else 'MISS'}"
                if not args.quiet and (not hit or not args.misses):
                    print(f"{'ok  ' if hit else 'MISS'} {d.name}/{art_path.name} {stop.get('name')} "
                          f"{stop['date']}{rng}")
    print()
    for name, (h, n) in by_set.items():
        print(f"set {name:10s} {h}/{n} = {h / n if n else 1:.3f}")
    tot = [0, 0, 0, 0]
    for lang in sorted(by_lang):
        h, n, rh, rn = by_lang[lang]
        tot = [a + b for a, b in zip(tot, by_lang[lang])]
        print(f"lang {lang}  gold dates reached {h}/{n} = {h / n:.3f}   ranges {rh}/{rn}")
    print(f"TOTAL    gold dates reached {tot[0]}/{tot[1]} = {tot[0] / max(tot[1], 1):.3f}   ranges {tot[2]}/{tot[3]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
