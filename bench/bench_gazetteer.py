"""Gazetteer speed and size: cold load (fresh subprocess), lookups/s, match words/s, memory, disk,
and how often it finds a place in news text (matches per 1,000 words of the sample articles).

    python bench/bench_gazetteer.py
    python bench/bench_gazetteer.py --against OLD_INDEX [--against-places OLD_PLACES]

With --against, an older index (e.g. `git show REV:tourmap/data/gazetteer/index.tsv > old.tsv`)
is measured side by side and each figure is given as a ratio new / old.
"""
from __future__ import annotations

import argparse
import glob
import json
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_COLD = r"""
import json, sys, time
t0 = time.perf_counter()
from tourmap.gazetteer import Gazetteer
t1 = time.perf_counter()
c1 = time.process_time()
g = Gazetteer(sys.argv[1], sys.argv[2])
c2 = time.process_time()
t2 = time.perf_counter()
g.match("Llegó a Quito y luego a Lima.")
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "load_cpu": c2 - c1, "first_match": t3 - t2}))
"""


def _sample_text() -> str:
    texts = []
    for pattern in ("/work/shared/eval/dev/*.md", str(ROOT / "seeds" / "*.txt")):
        for f in sorted(glob.glob(pattern)):
            texts.append(Path(f).read_text(encoding="utf-8"))
    if not texts:  # a fixed paragraph when no sample articles are around
        texts = ["El presidente viajará a Lima, Quito y Bogotá; luego irá a Nueva York y a "
                 "Ciudad de México, donde visitará el Palacio Nacional. " * 50]
    return "\n\n".join(texts)


def run(index: Path | None = None, places: Path | None = None) -> list[dict]:
    from tourmap.gazetteer import INDEX_PATH, PLACES_PATH, Gazetteer

    index, places = index or INDEX_PATH, places or PLACES_PATH
    rows = []
    loads = []
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", _COLD, str(index), str(places)], capture_output=True,
                             text=True, cwd=ROOT, check=True)
        loads.append(json.loads(out.stdout.strip().splitlines()[-1]))
    med = lambda k: sorted(x[k] for x in loads)[len(loads) // 2]
    rows.append({"metric": "cold import", "value": round(med("import") * 1000, 1), "unit": "ms",
                 "note": "import tourmap.gazetteer in a fresh process (median of 5)"})
    rows.append({"metric": "cold load", "value": round(med("load") * 1000, 1), "unit": "ms",
                 "note": "default_gazetteer(): index + config/places.yaml (median of 5)"})
    rows.append({"metric": "cold load CPU", "value": round(med("load_cpu") * 1000, 1), "unit": "ms",
                 "note": "process CPU time of the same load (less sensitive to a busy machine)"})
    rows.append({"metric": "first match", "value": round(med("first_match") * 1000, 2), "unit": "ms",
                 "note": "first match() call after load"})

    tracemalloc.start()
    g = Gazetteer(index, places)
    cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rows.append({"metric": "memory after load", "value": round(cur / 1e6, 1), "unit": "MB",
                 "note": f"tracemalloc; peak while loading {peak / 1e6:.1f} MB"})

    names = ["Santiago", "La Paz", "Nueva York", "Pekín", "Córdoba", "Casa Rosada", "Tacna",
             "Estados Unidos", "bogota", "Riad"]
    t = time.process_time()
    g.lookup("x")  # builds the accent-insensitive table once
    rows.append({"metric": "first inexact lookup", "value": round((time.process_time() - t) * 1000, 1),
                 "unit": "ms", "note": "one-time CPU to build the case/accent-insensitive table"})
    t = time.process_time()
    g.nearest(0.0, 0.0)
    rows.append({"metric": "first reverse lookup", "value": round((time.process_time() - t) * 1000, 1),
                 "unit": "ms", "note": "one-time CPU to parse every place into the 1-degree grid"})
    n = 0
    t = time.perf_counter()
    while time.perf_counter() - t < 0.5:
        for name in names:
            g.lookup(name)
        n += len(names)
    dt = time.perf_counter() - t
    rows.append({"metric": "lookups", "value": round(n / dt), "unit": "1/s",
                 "note": f"lookup() over {len(names)} names, {1e6 * dt / n:.1f} us each"})

    text = _sample_text()
    words = len(text.split())
    found = g.match(text)
    rows.append({"metric": "matches", "value": round(1000 * len(found) / words, 1), "unit": "/1k words",
                 "note": f"place names found in {words} words of sample articles"})
    t = time.perf_counter()
    reps = 0
    while time.perf_counter() - t < 1.0:
        g.match(text)
        reps += 1
    dt = time.perf_counter() - t
    rows.append({"metric": "match throughput", "value": round(words * reps / dt), "unit": "words/s",
                 "note": f"match() over {words} words of sample articles"})

    size = Path(index).stat().st_size
    rows.append({"metric": "index size on disk", "value": round(size / 1e6, 2), "unit": "MB",
                 "note": f"{Path(index).name}; {len(g)} places incl. curated"})
    size = Path(places).stat().st_size if Path(places).exists() else 0
    rows.append({"metric": "curated places size", "value": round(size / 1e3, 1), "unit": "KB",
                 "note": Path(places).name})
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--against", type=Path, help="an older index to measure side by side")
    ap.add_argument("--against-places", type=Path, help="its curated places (default: the current ones)")
    args = ap.parse_args(argv)
    res = run()
    w = max(len(r["metric"]) for r in res)
    if not args.against:
        for r in res:
            print(f"{r['metric']:<{w}}  {r['value']:>12} {r['unit']:<10} {r['note']}")
        return 0
    old = {r["metric"]: r for r in run(args.against, args.against_places)}
    print(f"{'metric':<{w}}  {'new':>12} {'old':>12} {'new/old':>8} unit")
    for r in res:
        o = old[r["metric"]]["value"]
        ratio = f"{r['value'] / o:.2f}x" if o else "-"
        print(f"{r['metric']:<{w}}  {r['value']:>12} {o:>12} {ratio:>8} {r['unit']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
