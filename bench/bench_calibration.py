"""Does a stop's confidence mean what it says? Reliability of the shipped stop decision.

    python bench/bench_calibration.py [DIR ...]     # default: the blind sets in bench/ not in corpus/sets.json

Every article of the sets is extracted with the shipped models; each predicted stop's confidence is
put in a bin and compared with how often stops of that bin are right (matched to a gold stop
within 50 km, one to one, as the team's scorer matches). Prints the reliability table and the
expected calibration error (ECE: the bins' |confidence - observed| weighted by their size).

run() returns rows {"metric", "value", "unit", "note"} for bench/run.py.
"""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

BINS = (0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001)


def default_sets() -> list[Path]:
    """The blind sets in bench/ that neither trained the decisions nor fitted the confidence map."""
    listing = json.loads((ROOT / "corpus" / "sets.json").read_text(encoding="utf-8"))["sets"]
    used = {ROOT / f for fs in listing.values() for f in ([fs] if isinstance(fs, str) else fs)}
    return sorted(p for p in (ROOT / "bench").glob("blind*") if p.is_dir() and p not in used)


def _articles(folder: Path):
    for g in sorted(folder.glob("*.gold.json")):
        stem = g.name[: -len(".gold.json")]
        for suf in (".md", ".txt", ".html"):
            if (folder / (stem + suf)).exists():
                yield folder / (stem + suf), json.loads(g.read_text(encoding="utf-8"))
                break


def _km(a, b) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def reliability(folders: list[Path]) -> tuple[list[tuple[float, float, int, int]], float, int]:
    """(bin low, bin high, stops, right) per bin, the ECE, and the number of stops."""
    from tourmap.config import Settings
    from tourmap.pipeline import extract_one

    settings = Settings()
    pairs: list[tuple[float, int]] = []
    for folder in folders:
        for path, gold in _articles(folder):
            pairs += judged(gold, extract_one(path, settings).to_json()["stops"])
    table, ece = binned(pairs)
    return table, ece, len(pairs)


def judged(gold: dict, stops: list[dict]) -> list[tuple[float, int]]:
    """(confidence, right?) of each predicted stop, matched as the scorer matches; a stop that only
    hits one of the gold's optional stops counts neither way."""
    from score import greedy_match

    stops = [s for s in stops if s.get("lat") is not None]
    right = {pi for _, pi, _ in greedy_match(gold.get("stops") or [], stops)}
    optional = {pi for _, pi, _ in greedy_match(gold.get("optional_stops") or [],
                                                  [s for i, s in enumerate(stops) if i not in right])}
    rest = [i for i in range(len(stops)) if i not in right]
    skip = {rest[k] for k in optional}
    return [(float(s.get("confidence") or 0.0), int(i in right)) for i, s in enumerate(stops) if i not in skip]


def binned(pairs: list[tuple[float, int]]) -> tuple[list[tuple[float, float, int, int]], float]:
    """The reliability table and the expected calibration error of (confidence, right?) pairs."""
    table, ece = [], 0.0
    for lo, hi in zip(BINS, BINS[1:]):
        got = [(c, y) for c, y in pairs if lo <= c < hi]
        if got:
            mean_c = sum(c for c, _ in got) / len(got)
            obs = sum(y for _, y in got) / len(got)
            ece += len(got) / len(pairs) * abs(mean_c - obs)
        table.append((lo, min(hi, 1.0), len(got), sum(y for _, y in got)))
    return table, ece


def run(folders: list[Path] | None = None) -> list[dict]:
    folders = folders or default_sets()
    if not folders:
        return [{"metric": "stop confidence: expected calibration error", "value": None, "unit": "ECE",
                 "note": "no blind set left in bench/ that corpus/sets.json does not list: name the sets"}]
    table, ece, n = reliability(folders)
    rows = [{"metric": "stop confidence: expected calibration error", "value": round(ece, 3), "unit": "ECE",
             "note": f"{n} predicted stops in {', '.join(f.name for f in folders)}; target <= 0.05"}]
    for lo, hi, k, right in table:
        if k:
            rows.append({"metric": f"  confidence {lo:.1f}-{hi:.1f}", "value": round(right / k, 2), "unit": "right",
                         "note": f"{right}/{k} stops right"})
    return rows


if __name__ == "__main__":
    from _table import print_rows

    args = [Path(a) for a in sys.argv[1:]]
    print_rows(run(args or None))
