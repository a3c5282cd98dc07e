"""How extraction time grows with the size of one article, 64 KB to 5 MB.

    python bench/bench_scaling.py                        # prints a table
    BENCH_SCALING_BUDGET_S=600 python bench/bench_scaling.py
run() returns rows {"metric", "value", "unit", "note"} for bench/run.py.

Each article is made of the repository's sample articles (tests/data/eval, the seed), paragraph
after paragraph until it reaches the size, with one publication date in front matter, so it reads
like a long trip report (a pasted transcript, a scraped live blog). Each size is extracted in a
fresh process (read_article -> find_mentions -> assemble_tour, timed after start-up; the article
size limit is lifted there so the extraction itself is measured). The figure is the CPU time of
that process (wall time beside it): on a machine shared with other work the wall time says more
about the neighbours than about tourmap. A size that takes longer than
the budget (BENCH_SCALING_BUDGET_S, default 90 s) is stopped and the larger ones are not tried.

The exponent k is fitted by least squares on log(seconds) = k log(size) + c over the measured
sizes: 1 is linear; 2 means doubling the article quadruples the time.
"""
from __future__ import annotations

import json
import math
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KB = 1024
SIZES = [64 * KB, 128 * KB, 256 * KB, 512 * KB, 1024 * KB, 2048 * KB, 5 * 1024 * KB - 4 * KB]
BUDGET_S = float(os.environ.get("BENCH_SCALING_BUDGET_S", "90"))
TOTAL_S = float(os.environ.get("BENCH_SCALING_TOTAL_S", "400"))
SOURCES = sorted((ROOT / "tests" / "data" / "eval").glob("*.md")) + [ROOT / "seeds" / "000_ef3bafede1ed9db9.txt"]

CHILD = r"""
import json, sys, time
import tourmap.article as A
for name in ("MAX_BYTES", "MAX_TEXT_BYTES"):
    if hasattr(A, name):
        setattr(A, name, 1 << 40)  # measure the extraction, not the limit
from tourmap.config import Settings
from tourmap.mentions import find_mentions
from tourmap.tour import assemble_tour
s = Settings()
small, big = sys.argv[1], sys.argv[2]
assemble_tour(find_mentions(A.read_article(small), settings=s), settings=s)  # start-up: gazetteer, lexicons
t0 = time.perf_counter()
art = A.read_article(big)
t1, c1 = time.perf_counter(), time.process_time()
tour = assemble_tour(find_mentions(art, settings=s), settings=s)
t2, c2 = time.perf_counter(), time.process_time()
print(json.dumps({"read_s": t1 - t0, "wall_s": t2 - t1, "extract_s": c2 - c1, "chars": len(art.text),
                  "stops": len(tour.stops)}))
"""


def paragraphs() -> list[str]:
    out = []
    for p in SOURCES:
        text = p.read_text(encoding="utf-8")
        text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
        out += [para.strip() for para in re.split(r"\n\s*\n", text) if len(para.strip()) > 40]
    return out


def make_article(size: int, folder: Path) -> Path:
    paras = paragraphs()
    head = "---\ntitle: Gira larga\npublished: 2025-12-21\nlanguage: es\n---\n\n"
    parts, n, i = [head], len(head.encode()), 0
    while n < size:
        para = paras[i % len(paras)] + "\n\n"
        parts.append(para)
        n += len(para.encode())
        i += 1
    path = folder / f"long_{size // KB}k.md"
    path.write_text("".join(parts), encoding="utf-8")
    return path


def measure(size: int, folder: Path, budget: float) -> dict | None:
    big = make_article(size, folder)
    small = SOURCES[0]
    p = subprocess.Popen([sys.executable, "-c", CHILD, str(small), str(big)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, cwd=ROOT, start_new_session=True)
    try:
        out, err = p.communicate(timeout=budget)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        return None
    finally:
        big.unlink(missing_ok=True)
    if p.returncode != 0:
        raise RuntimeError(f"{size // KB} KB: extraction failed: {err.decode(errors='replace')[-400:]}")
    return json.loads(out.decode().strip().splitlines()[-1])


def fit(points: list[tuple[int, float]]) -> float | None:
    pts = [(math.log(s), math.log(t)) for s, t in points if t > 0]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    den = sum((x - mx) ** 2 for x, _ in pts)
    return sum((x - mx) * (y - my) for x, y in pts) / den if den else None


def label(size: int) -> str:
    return f"{size / (1024 * KB):.1f} MB" if size >= 1024 * KB else f"{size // KB} KB"


def run() -> list[dict]:
    rows, points = [], []
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="tourmap-bench-scaling-") as tmp:
        for size in SIZES:
            left = TOTAL_S - (time.monotonic() - start)
            budget = min(BUDGET_S, left)
            if budget < 5:
                rows.append({"metric": f"extract {label(size)}", "value": "-", "unit": "s",
                             "note": "not tried: total budget spent"})
                continue
            got = measure(size, Path(tmp), budget)
            if got is None:
                rows.append({"metric": f"extract {label(size)}", "value": f">{budget:.0f}", "unit": "s",
                             "note": "stopped at the budget; larger sizes not tried"})
                for rest in SIZES[SIZES.index(size) + 1:]:
                    rows.append({"metric": f"extract {label(rest)}", "value": "-", "unit": "s", "note": "not tried"})
                break
            points.append((size, got["extract_s"]))
            local = ""
            if len(points) >= 2:
                (s0, t0), (s1, t1) = points[-2], points[-1]
                local = f"; x{t1 / t0:.1f} for x{s1 / s0:.1f} size (k={math.log(t1 / t0) / math.log(s1 / s0):.2f})"
            rows.append({"metric": f"extract {label(size)}", "value": round(got["extract_s"], 2), "unit": "s",
                         "note": f"CPU; wall {got['wall_s']:.1f} s; {got['chars']:,} chars, {got['stops']} stops, "
                                 f"read {got['read_s']:.2f} s{local}"})
    k = fit(points)
    note = f"least squares over {len(points)} sizes"
    if k is not None and points:
        s_last, t_last = points[-1]
        five = t_last * ((5 * 1024 * KB) / s_last) ** k
        note += f"; 5 MB extrapolated: {five:,.0f} s"
    rows.append({"metric": "size exponent k (time ~ size^k)", "value": round(k, 2) if k is not None else "-",
                 "unit": "", "note": note})
    return rows


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _table import print_rows

    print_rows(run())


if __name__ == "__main__":
    main()
