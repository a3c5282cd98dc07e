"""Train the extraction's decisions on the labelled corpus and ship them as plain JSON.

The extraction turns every place mention into a candidate with named features (tourmap/tour.py);
this script runs it over every labelled article, labels each candidate from the gold file (a
visit of the trip or not), fits small gradient-boosted trees with scikit-learn (fixed seed),
calibrates their probabilities on out-of-fold predictions (isotonic, folds grouped by set so
that no set is both trained and tested on) and writes `tourmap/data/model/*.json`, which tourmap
reads at run time without scikit-learn.

    .venv/bin/python scripts/train_decisions.py            # train on every set, write the models
    .venv/bin/python scripts/train_decisions.py --loso     # leave-one-set-out scores (writes nothing)
    .venv/bin/python scripts/train_decisions.py --exclude h --report   # hold a set out, print the table

Needs the `train` extra (`pip install -e '.[train]'`: scikit-learn, numpy). A few seconds on 2 cores.
"""
from __future__ import annotations

import os

# one thread per fit: scikit-learn's OpenMP threads fight each other (and anything else running) on a
# small machine, making a 2-second fit take a minute
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import dataclasses
import hashlib
import json
import math
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from score import score_article  # noqa: E402  (the team's scorer, copied in bench/)

from tourmap.article import read_article  # noqa: E402
from tourmap.config import Settings  # noqa: E402
from tourmap.decide import Decisions, Model, Tree  # noqa: E402
from tourmap.knowledge import Knowledge, knowledge_for  # noqa: E402
from tourmap.meetings import surname  # noqa: E402
from tourmap.mentions import find_mentions  # noqa: E402
from tourmap.tour import assemble_tour  # noqa: E402

SEED = 20261202
MODEL_DIR = ROOT / "tourmap" / "data" / "model"


def labelled_sets() -> dict[str, list[Path]]:
    """Every labelled set: `corpus/sets.json` names them (set -> folder, or a set's folders: an
    article set and its reworded twin are one set, never split between training and testing)."""
    listing = json.loads((ROOT / "corpus" / "sets.json").read_text(encoding="utf-8"))
    return {name: [ROOT / f for f in ([folders] if isinstance(folders, str) else folders)]
            for name, folders in listing["sets"].items()}


def articles(group: Path | list[Path]) -> list[tuple[Path, dict]]:
    out = []
    for folder in [group] if isinstance(group, Path) else group:
        out += _articles(folder)
    return out


def _articles(folder: Path) -> list[tuple[Path, dict]]:
    out = []
    for g in sorted(folder.glob("*.gold.json")):
        stem = g.name[: -len(".gold.json")]
        for suf in (".md", ".txt", ".html"):
            a = folder / (stem + suf)
            if a.exists():
                out.append((a, json.loads(g.read_text(encoding="utf-8"))))
                break
    return out


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def mention_label(c, gold: dict) -> int | None:
    """1 when the candidate's place is a gold stop (a country: one of its stops), 0 when not,
    None when it only matches an optional stop or cannot be placed yet (an institution)."""
    stops, opt = gold.get("stops") or [], gold.get("optional_stops") or []
    if c.level == "institution":
        return None
    if c.level == "country":
        if any(g["country"] == c.place.country for g in stops):
            return 1
        return None if any(g["country"] == c.place.country for g in opt) else 0
    here = (c.place.lat, c.place.lon)
    radius = 300.0 if c.level == "admin" else 50.0
    if any(km(here, (g["lat"], g["lon"])) <= radius and (c.level != "admin" or g["country"] == c.place.country)
           for g in stops):
        return 1
    return None if any(km(here, (g["lat"], g["lon"])) <= radius for g in opt) else 0


def _norm(text: str) -> str:
    return " ".join(text.replace("\u201c", '"').replace("\u201d", '"').replace("\u2019", "'").split())


def visit_mention(c, gold: dict, sentence: str) -> bool | None:
    """Is a mention of a gold stop's place the one that tells the visit? The gold evidence says
    so where the annotators gave it; older sets have none, and there the hand-written rules (tuned
    on them) stand in. None: cannot tell, left out of training."""
    here = (c.place.lat, c.place.lon)
    ev = [_norm(e) for g in gold.get("stops") or [] if c.level == "country" and g["country"] == c.place.country
          or km(here, (g["lat"], g["lon"])) <= 50.0 for e in g.get("evidence") or []]
    if ev:
        sent = _norm(sentence)
        return True if any(sent in e or e in sent for e in ev) else None
    return True if not c.exits else None


def collect(sets: dict[str, Path], knowledge: Knowledge) -> list[dict]:
    """One row per candidate: set, article, features, label."""
    rows = []
    for name, folder in sets.items():
        for path, gold in articles(folder):
            art = read_article(path)
            trace: list = []
            m = find_mentions(art, knowledge=knowledge)
            assemble_tour(m, knowledge=knowledge, trace=trace)
            for kind, c, *_ in trace:
                if kind not in ("mention", "seat"):
                    continue
                y = mention_label(c, gold)
                if y == 1:
                    v = visit_mention(c, gold, m.sentences[c.sentence].text)
                    y = None if v is None else 1
                if y is not None:
                    rows.append({"set": name, "article": path.stem, "kind": kind, "f": dict(c.features), "y": y})
    return rows


def match_gold(cands: list, gold: dict) -> list[int | None]:
    """The scorer's matching: assembled stops paired one to one with gold stops within 50 km,
    nearest pairs first. For each stop: the gold stop's index, -1 when it matches none, None when it
    matches only an optional stop (neither right nor wrong)."""
    # nearest first, as the scorer; two stops at one place (equally near) go strongest first, so
    # that the label says which of them the decision should keep
    pairs = sorted((round(km((c.place.lat, c.place.lon), (g["lat"], g["lon"])), 1),
                    -max([c.prob, *c.support]), i, j)
                   for i, c in enumerate(cands) for j, g in enumerate(gold.get("stops") or []))
    pairs = [(d, i, j) for d, _, i, j in pairs]
    got: dict[int, int] = {}
    used_g: set[int] = set()
    for d, i, j in pairs:
        if d <= 50.0 and i not in got and j not in used_g:
            got[i] = j
            used_g.add(j)
    out: list[int | None] = []
    for i, c in enumerate(cands):
        if i in got:
            out.append(got[i])
        elif any(km((c.place.lat, c.place.lon), (g["lat"], g["lon"])) <= 50.0 for g in gold.get("optional_stops") or []):
            out.append(None)
        else:
            out.append(-1)
    return out


def stop_labels(cands: list, gold: dict) -> list[int | None]:
    return [None if j is None else int(j >= 0) for j in match_gold(cands, gold)]


def assembled_rows(name: str, folder: Path, knowledge: Knowledge) -> dict[str, list[dict]]:
    """Rows for the decisions taken on assembled stops: is it a stop; which date is its own."""
    rows: dict[str, list[dict]] = {"stop": [], "date": [], "met": []}
    for path, gold in articles(folder):
        art = read_article(path)
        trace: list = []
        assemble_tour(find_mentions(art, knowledge=knowledge), knowledge=knowledge, trace=trace)
        stops = [e[1] for e in trace if e[0] == "stop"]
        match = dict(zip(map(id, stops), match_gold(stops, gold)))
        for c in stops:
            j = match[id(c)]
            if j is not None:
                rows["stop"].append({"set": name, "article": path.stem, "f": dict(c.stop_features), "y": int(j >= 0)})
        for _, c, choices in (e for e in trace if e[0] == "date"):
            j = match.get(id(c))
            if j is None or j < 0:
                continue
            g = gold["stops"][j]
            good = {v for v in (g.get("date"), *(g.get("alt_dates") or [])) if v}
            for ch in choices:
                rows["date"].append({"set": name, "article": path.stem, "f": dict(ch.features),
                                     "y": int(ch.expr.value in good)})
        for _, c, choices in (e for e in trace if e[0] == "met"):
            j = match.get(id(c))
            if j is None or j < 0:
                continue
            met = {surname(n) for n in gold["stops"][j].get("met") or []}
            for ch in choices:
                rows["met"].append({"set": name, "article": path.stem, "f": dict(ch.features),
                                    "y": int(surname(ch.name) in met or surname(ch.shown) in met)})
    return rows


def cross_fitted(sets: dict[str, Path], rows: list[dict], base: Knowledge) -> dict[str, list[dict]]:
    """Assembled-stop rows of each set, made with a mention model that never saw that set."""
    out: dict[str, list[dict]] = {"stop": [], "date": [], "met": []}
    for name, folder in sets.items():
        mention = fit("mention", [r for r in rows if r["set"] != name])
        k = dataclasses.replace(base, decisions=Decisions(mention=mention))
        for kind, rs in assembled_rows(name, folder, k).items():
            out[kind] += rs
    return out


# --- fitting --------------------------------------------------------------------------------------

def _matrix(rows: list[dict], names: list[str]):
    import numpy as np

    idx = {n: i for i, n in enumerate(names)}
    X = np.zeros((len(rows), len(names)))
    for r, row in enumerate(rows):
        for k, v in row["f"].items():
            if k in idx:
                X[r, idx[k]] = v
    return X, np.array([row["y"] for row in rows])


def _gbdt(X, y):
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(max_iter=200, max_depth=4, learning_rate=0.06, min_samples_leaf=12,
                                          l2_regularization=1.0, early_stopping=False,
                                          random_state=SEED).fit(X, y)


def _r(v) -> float:
    return float(f"{float(v):.6g}")


def _export(name: str, est, names: list[str], X) -> Model:
    trees = []
    for (pred,) in est._predictors:
        nodes = pred.nodes
        # leaves carry no split and their values are rounded, so that the shipped JSON stays small; cut
        # points stay exact (a feature value can sit right on one)
        trees.append(Tree(feature=tuple(-1 if n["is_leaf"] else int(n["feature_idx"]) for n in nodes),
                          threshold=tuple(0.0 if n["is_leaf"] else float(n["num_threshold"]) for n in nodes),
                          left=tuple(int(n["left"]) for n in nodes), right=tuple(int(n["right"]) for n in nodes),
                          value=tuple(_r(n["value"]) for n in nodes)))
    return Model(name=name, features=tuple(names), bias=float(est._baseline_prediction.ravel()[0]), rate=1.0,
                 trees=tuple(trees))


# (bar for what the rules reject, bar for what they accept): mentions pass freely and the stop decision
# weighs them; a stop the rules stand behind is kept down to 0.35 (a domestic tour told as a list, each
# stop at ~0.4, is the trip; README; the blind-style sets H, P, Q, R gain from it, the older trap-heavy ones
# lose a little). People met at 0.5: the scorer's share (Jaccard) rewards a person as
# soon as they are more likely met than not.
THRESHOLDS = {"mention": (0.3, 0.05), "stop": (0.5, 0.35), "date": (0.5, 0.5), "met": (0.5, 0.3)}


def _feature_names(rows: list[dict], *, min_articles: int = 6) -> list[str]:
    """Every named feature; the words around a mention ("w1:", "w2:", "n1:") only when they occur in
    enough articles, so that no model learns one article's phrasing."""
    seen: dict[str, set] = {}
    for r in rows:
        for k in r["f"]:
            seen.setdefault(k, set()).add(r["article"])
    return sorted(k for k, arts in seen.items() if ":" not in k[:3] or len(arts) >= min_articles)


def fit(name: str, rows: list[dict], *, calibrate: bool = True) -> Model:
    """Gradient-boosted trees on `rows`, calibrated on out-of-fold predictions grouped by set."""
    import numpy as np
    from sklearn.isotonic import IsotonicRegression

    names = _feature_names(rows)
    X, y = _matrix(rows, names)
    est = _gbdt(X, y)
    model = _export(name, est, names, X)
    check = np.array([model.raw(dict(zip(names, x))) for x in X[:200]])
    assert np.allclose(check, est.decision_function(X[:200]), atol=1e-4), "exported trees disagree"
    if calibrate:
        # out-of-fold probabilities, folds of whole sets (no set both trained and tested on)
        groups = sorted({r["set"] for r in rows})
        folds = [groups[i::4] for i in range(min(4, len(groups)))]
        oof = np.zeros(len(rows))
        for fold in folds:
            te = np.array([r["set"] in fold for r in rows])
            if te.all() or not te.any() or len(set(y[~te])) < 2:
                continue
            m = _export(name, _gbdt(X[~te], y[~te]), names, X[~te])
            oof[te] = [1 / (1 + math.exp(-m.raw(dict(zip(names, x))))) for x in X[te]]
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(oof, y)
        xs = [_r(v) for v in iso.X_thresholds_]
        ys = [_r(v) for v in iso.y_thresholds_]
        model = dataclasses.replace(model, cal_x=tuple(xs), cal_y=tuple(ys))
    add, veto = THRESHOLDS.get(name, (0.5, 0.5))
    model = dataclasses.replace(model, threshold=add, veto=veto)
    # the version names the content, so that caches and build manifests change when a model does
    digest = hashlib.sha256(json.dumps(model.to_json(), sort_keys=True).encode()).hexdigest()[:12]
    meta = {"trained": digest, "rows": len(rows), "positives": int(y.sum()),
            "sets": sorted({r["set"] for r in rows}), "seed": SEED}
    return dataclasses.replace(model, meta=meta)


# The sets whose whole stops teach what a stop probability means to a reader: written blind by colleagues
# from the same brief as every new blind set, so they look like the articles the confidence is judged on
# (the older sets are harder and were written to over-represent traps).
CONFIDENCE_SETS = ("h", "p", "q", "r", "s", "t", "u", "v", "w", "x", "y")


def fit_confidence(sets: dict, rows: list[dict], crossed: dict, rules: Knowledge, held: list[str]) -> Model:
    """A logistic map from the stop decision's logit to how often such a stop is right, fitted on
    the stops of `held` sets, each extracted by decisions trained without it (Platt scaling: two
    numbers, so that ~300 stops are enough)."""
    import numpy as np
    from bench_calibration import binned, judged
    from sklearn.linear_model import LogisticRegression

    pairs: list[tuple[float, int]] = []
    for name in held:
        dec = Decisions(mention=fit("mention", [r for r in rows if r["set"] != name]),
                        **{k: fit(k, [r for r in crossed[k] if r["set"] != name]) for k in ("stop", "date", "met")})
        for folder in sets[name]:
            for gold, pred, _ in extract_set(folder, dataclasses.replace(rules, decisions=dec)):
                pairs += judged(gold, pred["stops"])
    p = np.clip([c for c, _ in pairs], 0.01, 0.99)
    X = np.log(p / (1 - p)).reshape(-1, 1)
    y = np.array([r for _, r in pairs])
    lr = LogisticRegression(C=100.0).fit(X, y)
    model = Model(name="confidence", features=("logit",), bias=_r(lr.intercept_[0]), weights=(_r(lr.coef_[0][0]),))
    after = [(Decisions(confidence=model).stop_confidence(c), r) for c, r in pairs]
    meta = {"rows": len(pairs), "positives": int(y.sum()), "sets": held,
            "ece_before": round(binned(pairs)[1], 3), "ece_after": round(binned(after)[1], 3)}
    digest = hashlib.sha256(json.dumps(model.to_json(), sort_keys=True).encode()).hexdigest()[:12]
    print(f"confidence: {len(pairs)} stops of {', '.join(held)}, ECE {meta['ece_before']} -> {meta['ece_after']}",
          file=sys.stderr)
    return dataclasses.replace(model, meta={"trained": digest, **meta})


# --- evaluation -----------------------------------------------------------------------------------

def extract_set(folder: Path, knowledge: Knowledge) -> list[tuple[dict, dict, object]]:
    out = []
    for path, gold in articles(folder):
        art = read_article(path)
        tour = assemble_tour(find_mentions(art, knowledge=knowledge), knowledge=knowledge)
        out.append((gold, tour.to_json(), tour))
    return out


def totals(results: list[tuple[dict, dict, object]]) -> dict:
    t = Counter()
    for gold, pred, _ in results:
        s = score_article(gold, pred)
        for k in ("gold", "pred", "tp", "date_ok", "status_ok", "met_n", "order_ok", "order_n", "fp_notstop"):
            t[k] += s[k]
        t["met_sum"] += s["met_sum"]
    P = t["tp"] / t["pred"] if t["pred"] else 1.0
    R = t["tp"] / t["gold"] if t["gold"] else 1.0
    return {"P": P, "R": R, "F1": 2 * P * R / (P + R) if P + R else 0.0,
            "date": t["date_ok"] / t["tp"] if t["tp"] else 1.0, "status": t["status_ok"] / t["tp"] if t["tp"] else 1.0,
            "met": t["met_sum"] / t["met_n"] if t["met_n"] else 1.0, "fp_notstop": t["fp_notstop"],
            "n": len(results), "gold": t["gold"], "pred": t["pred"], "tp": t["tp"]}


def line(name: str, s: dict) -> str:
    return (f"| {name} | {s['n']} | {s['P']:.2f} | {s['R']:.2f} | {s['F1']:.2f} | {s['date']:.2f} | "
            f"{s['status']:.2f} | {s['met']:.2f} | {s['fp_notstop']} |")


def dump_model(model: Model) -> str:
    """Compact JSON, one tree per line: small to ship, and a retrained model diffs tree by tree."""
    d = model.to_json()
    trees = d.pop("trees")
    head = json.dumps(d, sort_keys=True, separators=(",", ":"))
    body = ",\n".join(json.dumps(t, sort_keys=True, separators=(",", ":")) for t in trees)
    return head[:-1] + ',"trees":[\n' + body + "\n]}\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--loso", action="store_true", help="leave-one-set-out table; writes nothing")
    ap.add_argument("--exclude", action="append", default=[], help="a set to leave out of training")
    ap.add_argument("--out", type=Path, default=MODEL_DIR)
    ap.add_argument("--only", default="", help="with --loso: hold out only these sets (comma-separated)")
    ap.add_argument("--grid", default="", help="with --loso: also try these stop bars, e.g. '0.6/0.1;0.8/0.1'")
    ap.add_argument("--bars", default="", help="name=add/veto,... e.g. stop=0.7/0.25 (see THRESHOLDS)")
    args = ap.parse_args()
    for item in filter(None, args.bars.split(",")):
        name, _, v = item.partition("=")
        THRESHOLDS[name] = tuple(float(x) for x in v.split("/"))

    t0 = time.perf_counter()
    sets = {k: v for k, v in labelled_sets().items() if k not in args.exclude}
    rules = dataclasses.replace(knowledge_for(Settings()), decisions=Decisions())
    rows = collect(sets, rules)
    print(f"{len(rows)} candidates from {len(sets)} sets in {time.perf_counter() - t0:.1f} s", file=sys.stderr)

    if args.loso:
        print("| held-out set | articles | P | R | F1 | date | status | met | fp_notstop |")
        print("|---|---|---|---|---|---|---|---|---|")
        results: dict[str, list] = {}
        crossed = cross_fitted(sets, rows, rules)
        for name, folder in sets.items():
            if args.only and name not in args.only.split(","):
                continue
            mention = fit("mention", [r for r in rows if r["set"] != name])
            stop = fit("stop", [r for r in crossed["stop"] if r["set"] != name])
            date = fit("date", [r for r in crossed["date"] if r["set"] != name])
            met = fit("met", [r for r in crossed["met"] if r["set"] != name])
            variants = {"rules": Decisions(), "**all**": Decisions(mention=mention, stop=stop, date=date, met=met)}
            for bars in args.grid.split(";") if args.grid else []:
                # other bars for the stop decision: add/veto
                add, veto = (float(x) for x in bars.split("/"))
                variants[f"stop {bars}"] = Decisions(mention=mention, date=date, met=met,
                                                     stop=dataclasses.replace(stop, threshold=add, veto=veto))
            for v, dec in variants.items():
                for one in folder:
                    res = extract_set(one, dataclasses.replace(rules, decisions=dec))
                    results[v + (" (twins)" if one.name.endswith("_twin") else "")] = \
                        results.get(v + (" (twins)" if one.name.endswith("_twin") else ""), []) + res
                    print(line(f"{one.name} {v}", totals(res)), flush=True)
        for v, res in results.items():
            print(line(f"ALL {v}", totals(res)))
        return 0

    crossed = cross_fitted(sets, rows, rules)
    models = {"mention": fit("mention", rows), **{k: fit(k, crossed[k]) for k in ("stop", "date", "met")}}
    held = [n for n in CONFIDENCE_SETS if n in sets]
    if held:
        models["confidence"] = fit_confidence(sets, rows, crossed, rules, held)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, model in models.items():
        (args.out / f"{name}.json").write_text(dump_model(model), encoding="utf-8")
        print(f"wrote {args.out / name}.json ({len(model.trees)} trees, {len(model.features)} features)",
              file=sys.stderr)
    print(f"in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
