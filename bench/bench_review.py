"""How well `review.min_confidence` separates right stops from wrong ones, on the gold sets.

For each threshold: how many predicted stops fall below it, and what share of those (and of the
ones above it) the scorer counts right (matched to a gold stop within 50 km) or wrong (a false
stop; a prediction that only hits an optional stop counts neither way). Run alone:

    .venv/bin/python bench/bench_review.py [DIR ...]   (default: the eval, held-out and blind sets)
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from score import greedy_match  # noqa: E402  (the team's scorer, copied in bench/score.py)

from tourmap.config import Settings  # noqa: E402
from tourmap.merge import merge_tours  # noqa: E402
from tourmap.pipeline import extract_one  # noqa: E402

THRESHOLDS = (0.4, 0.5, 0.6, 0.7)


def stops_of(folder: Path) -> list[tuple[float, bool | None]]:
    """(confidence, right?) for every predicted stop of every article with a gold file."""
    out = []
    for gold_path in sorted(folder.glob("*.gold.json")):
        article = next((p for p in folder.glob(gold_path.name.replace(".gold.json", ".*"))
                        if not p.name.endswith(".gold.json")), None)
        if article is None:
            continue
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        [tour] = merge_tours([extract_one(article, Settings())], settings=Settings())
        pred = [s.to_json() for s in tour.stops]
        hits = {pi for _, pi, _ in greedy_match(gold.get("stops", []), pred)}
        optional = {pi for _, pi, _ in greedy_match(gold.get("optional_stops", []),
                                                     [p for i, p in enumerate(pred) if i not in hits])}
        rest = [i for i in range(len(pred)) if i not in hits]
        opt = {rest[j] for j in optional}
        out += [(s["confidence"], True if i in hits else None if i in opt else False) for i, s in enumerate(pred)]
    return out


def main(argv: list[str]) -> None:
    dirs = [Path(a) for a in argv] or sorted(
        [ROOT / "tests" / "data" / "eval", *sorted((ROOT / "tests" / "data").glob("heldout_*")), ROOT / "bench" / "blind"])
    rows = []
    for d in dirs:
        rows += stops_of(d)
    scored = [(c, ok) for c, ok in rows if ok is not None]
    print(f"{len(rows)} predicted stops in {len(dirs)} sets; {sum(ok for _, ok in scored)} right, "
          f"{sum(not ok for _, ok in scored)} wrong, {len(rows) - len(scored)} optional")
    print("| threshold | stops below | right below | wrong below | share wrong below | share wrong above |")
    print("|---|---|---|---|---|---|")
    for t in THRESHOLDS:
        below = [ok for c, ok in scored if c < t]
        above = [ok for c, ok in scored if c >= t]
        wrong_b, wrong_a = below.count(False), above.count(False)
        print(f"| {t:.1f} | {len(below)} | {below.count(True)} | {wrong_b} | "
              f"{wrong_b / len(below) if below else 0:.2f} | {wrong_a / len(above) if above else 0:.2f} |")


if __name__ == "__main__":
    main(sys.argv[1:])
