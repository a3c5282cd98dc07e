#!/usr/bin/env python3
# Copied from the team's evaluation kit (shared/eval/score.py, the project's own scorer, same
# licence as tourmap: MIT) so that `make bench` runs without the shared folder beside the checkout.
# Keep it byte-for-byte in step with the original below this note: bench/run.py prefers
# ../shared/eval/score.py when it exists and falls back to this copy.
"""Score tour extraction against gold annotations.

Usage:
    python score.py CORPUS_DIR [--cmd 'tourmap extract {article} --format json'] [--json OUT]

CORPUS_DIR holds articles (NAME.md, NAME.txt or NAME.html) each with NAME.gold.json beside it.
For every article the command is run with {article} replaced by the article's path; its
standard output must be one JSON document in the tour format described in README.md here.

Prints one row per article and a closing line:
    TOTAL stops P=.. R=.. F1=.. date=.. status=.. met=.. order=.. km_median=.. fp_notstop=N
Exit status: 0 when every command ran and printed valid JSON, 1 otherwise.
Standard library only, so it runs anywhere the project does.
"""
from __future__ import annotations

import argparse
import json
import math
import shlex
import statistics
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

MATCH_KM = 50.0
ARTICLE_SUFFIXES = (".md", ".txt", ".html", ".htm")


def fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s or "")
    return "".join(c for c in s if not unicodedata.combining(c)).casefold().strip()


def km(a: dict, b: dict) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a["lat"], a["lon"], b["lat"], b["lon"]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def surname_set(names) -> set[str]:
    out = set()
    for n in names or []:
        parts = fold(n).replace(".", " ").split()
        if parts:
            out.add(parts[-1])
    return out


def greedy_match(gold: list[dict], pred: list[dict]) -> list[tuple[int, int, float]]:
    pairs = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            if p.get("lat") is None or p.get("lon") is None:
                continue
            d = km(g, p)
            if d <= MATCH_KM:
                pairs.append((d, gi, pi))
    pairs.sort()
    used_g, used_p, out = set(), set(), []
    for d, gi, pi in pairs:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        out.append((gi, pi, d))
    return out


def norm_date(v):
    if v in (None, "", "null"):
        return None
    return str(v)[:10]


def score_article(gold: dict, pred: dict) -> dict:
    gstops = gold.get("stops", [])
    optional = gold.get("optional_stops", [])
    pstops = [p for p in pred.get("stops", []) if p.get("lat") is not None]
    matches = greedy_match(gstops, pstops)
    matched_p = {pi for _, pi, _ in matches}
    # Predictions that only hit an optional stop are neither right nor wrong.
    rest = [p for i, p in enumerate(pstops) if i not in matched_p]
    opt_hits = {pi for _, pi, _ in greedy_match(optional, rest)}
    n_pred = len(pstops) - len(opt_hits)
    not_stops = {fold(x) for x in gold.get("not_stops", [])}
    fp_notstop = sum(1 for i, p in enumerate(rest) if i not in opt_hits and fold(p.get("name", "")) in not_stops)
    date_ok = status_ok = 0
    met_scores, dists = [], []
    for gi, pi, d in matches:
        g, p = gstops[gi], pstops[pi]
        dists.append(d)
        date_ok += norm_date(p.get("date")) in {norm_date(g.get("date")), *map(norm_date, g.get("alt_dates") or [])}
        status_ok += (g.get("status") or "") == (p.get("status") or "")
        gs, ps = surname_set(g.get("met")), surname_set(p.get("met"))
        if gs or ps:
            met_scores.append(len(gs & ps) / len(gs | ps))
    # Order: of matched stops taken in gold order, the share of adjacent pairs also in predicted order.
    seq = [pi for gi, pi, _ in sorted(matches)]
    pairs = list(zip(seq, seq[1:]))
    order_ok = sum(1 for a, b in pairs if a < b)
    return {
        "gold": len(gstops), "pred": n_pred, "tp": len(matches),
        "date_ok": date_ok, "status_ok": status_ok,
        "met_sum": sum(met_scores), "met_n": len(met_scores),
        "order_ok": order_ok, "order_n": len(pairs),
        "dists": dists, "fp_notstop": fp_notstop,
    }


def ratio(a, b):
    return a / b if b else 1.0


def find_articles(corpus: Path) -> list[Path]:
    out = []
    for gold in sorted(corpus.glob("*.gold.json")):
        stem = gold.name[: -len(".gold.json")]
        for suf in ARTICLE_SUFFIXES:
            art = corpus / (stem + suf)
            if art.exists():
                out.append(art)
                break
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--cmd", default="tourmap extract {article} --format json")
    ap.add_argument("--json", type=Path, help="also write per-article results here")
    ap.add_argument("--timeout", type=float, default=120.0)
    args = ap.parse_args()

    articles = find_articles(args.corpus)
    if not articles:
        print(f"no articles with .gold.json in {args.corpus}", file=sys.stderr)
        return 1
    tot = {k: 0 for k in ("gold", "pred", "tp", "date_ok", "status_ok", "met_n", "order_ok", "order_n", "fp_notstop")}
    tot["met_sum"] = 0.0
    all_d, rows, failures, times = [], [], 0, []
    for art in articles:
        gold = json.loads(art.with_name(art.name.rsplit(".", 1)[0] + ".gold.json").read_text(encoding="utf-8"))
        cmd = [part.replace("{article}", str(art)) for part in shlex.split(args.cmd)]
        t0 = time.perf_counter()
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
            pred = json.loads(proc.stdout)
            if proc.returncode != 0:
                raise ValueError(f"exit {proc.returncode}: {proc.stderr.strip()[-300:]}")
        except Exception as exc:  # a broken run scores as an empty prediction
            failures += 1
            print(f"FAIL {art.name}: {str(exc)[:300]}", file=sys.stderr)
            pred = {"stops": []}
        times.append(time.perf_counter() - t0)
        s = score_article(gold, pred)
        for k in tot:
            tot[k] += s[k]
        all_d += s["dists"]
        p, r = ratio(s["tp"], s["pred"]), ratio(s["tp"], s["gold"])
        rows.append({"article": art.name, **{k: v for k, v in s.items() if k != "dists"}, "seconds": round(times[-1], 2)})
        print(f"{art.name:45s} gold={s['gold']} pred={s['pred']} tp={s['tp']} P={p:.2f} R={r:.2f} "
              f"date={s['date_ok']}/{s['tp']} status={s['status_ok']}/{s['tp']} fp_notstop={s['fp_notstop']} "
              f"{times[-1]:.2f}s")
    P, R = ratio(tot["tp"], tot["pred"]), ratio(tot["tp"], tot["gold"])
    F1 = 2 * P * R / (P + R) if P + R else 0.0
    line = (f"TOTAL stops P={P:.2f} R={R:.2f} F1={F1:.2f} date={ratio(tot['date_ok'], tot['tp']):.2f} "
            f"status={ratio(tot['status_ok'], tot['tp']):.2f} met={ratio(tot['met_sum'], tot['met_n']):.2f} "
            f"order={ratio(tot['order_ok'], tot['order_n']):.2f} "
            f"km_median={statistics.median(all_d) if all_d else float('nan'):.1f} "
            f"fp_notstop={tot['fp_notstop']} failed_runs={failures} "
            f"median_s={statistics.median(times):.2f}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "total": line}, indent=2, ensure_ascii=False), encoding="utf-8")
    print(line)
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
