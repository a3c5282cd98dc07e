"""Reading with a language model: recorded answers replayed through a stub server, raw vs grounded.

    python bench/bench_llm.py              # prints a table
    python bench/bench_llm.py --details    # also per set, and every injected error that got through

run() returns rows {"metric", "value", "unit", "note"} for bench/run.py.

The answers in tests/data/llm/<set>/ were written by colleagues reading each article the way a model
would (the instruction and schema of tourmap/prompts/, never the gold). They are served by the stub
OpenAI-compatible server of tests/llm_stub.py, and `tourmap extract --extractor llm` (in-process:
pipeline.extract_one) reads them through the real client, cache off. Scored with the team's scorer
(../shared/eval/score.py, else its copy bench/score.py):

- raw: each answer turned straight into the tour JSON (the model's own coordinates, dates, people),
  which is what a newsroom pasting articles into a model gets;
- grounded: tourmap's output for the same answers (extractor llm), and hybrid.

Then corrupted copies of every answer, one kind of error per round: an invented stop with an invented
quote (twice, different places), every dated stop moved to a day no date expression of the article
gives, every stop's coordinates moved 300-900 km, and a person from another article added to every
stop's people met. An error is caught when it does not reach the output: no stop at the invented
place, no stop with the moved date, no stop at the moved point, the person not among those met. A
true stop is lost when a gold stop the raw answer found has no grounded stop within 50 km.
"""
from __future__ import annotations

import copy
import importlib.util
import json
import math
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

SETS = [("shared sample (dev)", ROOT / "tests" / "data" / "eval", "dev"),
        ("held-out G", ROOT / "tests" / "data" / "heldout_g", "heldout_g"),
        ("blind H", ROOT / "bench" / "blind", "blind_h"),
        # answered after grounding was written, never used to develop it
        ("corpus K (fresh)", ROOT / "corpus" / "k", "k"),
        ("corpus M (fresh)", ROOT / "corpus" / "m", "m")]
ANSWERS = ROOT / "tests" / "data" / "llm"
MATCH_KM = 50.0

# Places to invent stops at: well-known cities; one is used only when the article never names it.
DECOYS = [("Caracas", "VE", 10.4806, -66.9036), ("Nairobi", "KE", -1.2864, 36.8172),
          ("Tokio", "JP", 35.6762, 139.6503), ("Montevideo", "UY", -34.9011, -56.1645),
          ("Varsovia", "PL", 52.2297, 21.0122), ("Lagos", "NG", 6.5244, 3.3792),
          ("Manila", "PH", 14.5995, 120.9842), ("Toronto", "CA", 43.6532, -79.3832),
          ("La Habana", "CU", 23.1136, -82.3666), ("Estocolmo", "SE", 59.3293, 18.0686),
          ("Hanói", "VN", 21.0278, 105.8342), ("Santiago de Chile", "CL", -33.4489, -70.6693),
          ("Lima", "PE", -12.0464, -77.0428), ("Atenas", "GR", 37.9838, 23.7275)]
INVENTED = {
    "es": "Ese mismo día el mandatario hará además una escala oficial en {city}, donde será recibido por las autoridades locales.",
    "en": "The same day the leader will also make an official stop in {city}, where local authorities will receive him.",
    "pt": "No mesmo dia, o líder fará ainda uma escala oficial em {city}, onde será recebido pelas autoridades locais.",
}


def scorer():
    shared = ROOT.parent / "shared" / "eval" / "score.py"
    path = shared if shared.exists() else ROOT / "bench" / "score.py"
    spec = importlib.util.spec_from_file_location("tourmap_scorer", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def km(a, b) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def load() -> list[dict]:
    """Every article with a recorded answer and a gold file: {set, path, gold, answer}."""
    items = []
    for label, folder, key in SETS:
        for ans in sorted((ANSWERS / key).glob("*.answer.json")):
            stem = ans.name[: -len(".answer.json")]
            art = next((folder / (stem + s) for s in (".md", ".txt") if (folder / (stem + s)).exists()), None)
            gold = folder / (stem + ".gold.json")
            if art and gold.exists():
                items.append({"set": label, "path": art, "answer": json.loads(ans.read_text(encoding="utf-8")),
                              "gold": json.loads(gold.read_text(encoding="utf-8"))})
    return items


def raw_json(answer: dict) -> dict:
    """The answer as a tour JSON, as a newsroom pasting articles into a model would map it."""
    return {"stops": [{"name": s.get("name"), "country": s.get("country"), "lat": s.get("lat"), "lon": s.get("lon"),
                       "date": s.get("date"), "status": s.get("status"), "met": s.get("met") or []}
                      for s in answer.get("stops", [])]}


def total(score_mod, pairs: list[tuple[dict, dict]]) -> dict:
    keys = ("gold", "pred", "tp", "date_ok", "status_ok", "met_n", "order_ok", "order_n", "fp_notstop")
    tot = dict.fromkeys(keys, 0)
    tot["met_sum"] = 0.0
    for gold, pred in pairs:
        s = score_mod.score_article(gold, pred)
        for k in tot:
            tot[k] += s[k]
    p = tot["tp"] / tot["pred"] if tot["pred"] else 1.0
    r = tot["tp"] / tot["gold"] if tot["gold"] else 1.0
    return {"P": p, "R": r, "F1": 2 * p * r / (p + r) if p + r else 0.0,
            "date": tot["date_ok"] / tot["tp"] if tot["tp"] else 1.0,
            "status": tot["status_ok"] / tot["tp"] if tot["tp"] else 1.0,
            "met": tot["met_sum"] / tot["met_n"] if tot["met_n"] else 1.0,
            "fp_notstop": tot["fp_notstop"], "tp": tot["tp"], "gold": tot["gold"], "pred": tot["pred"]}


class Runner:
    """extract_one over the items with the stub serving `answers` (article text -> answer)."""

    def __init__(self, items: list[dict]):
        from llm_stub import ChatStub

        from tourmap.article import read_article
        from tourmap.config import load_settings

        self.items = items
        self.articles = {str(it["path"]): read_article(it["path"]) for it in items}
        self.stub = ChatStub().start()
        self.settings = load_settings()
        self.settings.extractor.llm.base_url = self.stub.base_url
        self.settings.extractor.llm.cache = ""  # every run asks the stub
        self.settings.extractor.llm.timeout_s = 10

    def key(self, it: dict) -> str:
        return self.articles[str(it["path"])].text[:300]

    def run(self, answers: list[dict], backend: str = "llm") -> list[dict]:
        from tourmap import llm
        from tourmap.pipeline import extract_one

        llm.reset()
        self.stub.answers = {self.key(it): a for it, a in zip(self.items, answers)}
        self.settings.extractor.backend = backend
        return [extract_one(it["path"], self.settings).to_json() for it in self.items]

    def close(self) -> None:
        self.stub.stop()


# --- corrupted copies --------------------------------------------------------------------------


def _rng(it: dict, salt: str) -> random.Random:
    return random.Random(f"{it['path'].name}:{salt}")


def invent(it: dict, answer: dict, text: str, lang: str, salt: str) -> tuple[dict, dict]:
    rng = _rng(it, salt)
    free = [d for d in DECOYS if d[0].split()[0] not in text and
            all(km((d[2], d[3]), (s["lat"], s["lon"])) > 300 for s in answer["stops"] if s.get("lat") is not None)]
    city, cc, lat, lon = rng.choice(free)
    a = copy.deepcopy(answer)
    days = [s["date"] for s in a["stops"] if s.get("date")]
    stop = {"name": city, "country": cc, "date": days[-1] if days else None, "date_end": None, "status": "planned",
            "met": [], "landmark": None, "evidence": [INVENTED.get(lang, INVENTED["es"]).format(city=city)],
            "lat": lat, "lon": lon}
    a["stops"].insert(rng.randrange(len(a["stops"]) + 1), stop)
    return a, {"kind": "invented stop", "at": (lat, lon), "name": city}


def move_dates(it: dict, answer: dict, text_dates: set[str]) -> tuple[dict, list[dict]]:
    import datetime as dt

    rng = _rng(it, "dates")
    a = copy.deepcopy(answer)
    errors = []
    for s in a["stops"]:
        d = s.get("date")
        if not d or len(d) != 10 or s.get("lat") is None:
            continue
        day = dt.date.fromisoformat(d)
        for shift in rng.sample([-5, -4, -3, -2, 2, 3, 4, 5, 6], 9):
            moved = (day + dt.timedelta(days=shift)).isoformat()
            if moved not in text_dates:
                break
        s["date"], s["date_end"] = moved, None
        errors.append({"kind": "date moved", "at": (s["lat"], s["lon"]), "date": moved, "name": s["name"]})
    return a, errors


def move_coords(it: dict, answer: dict) -> tuple[dict, list[dict]]:
    rng = _rng(it, "coords")
    a = copy.deepcopy(answer)
    errors = []
    for s in a["stops"]:
        if s.get("lat") is None or s.get("lon") is None:
            continue
        dist, bearing = rng.uniform(300, 900), rng.uniform(0, 2 * math.pi)
        lat = max(-89.0, min(89.0, s["lat"] + dist / 111.0 * math.cos(bearing)))
        lon = s["lon"] + dist / (111.0 * max(0.2, math.cos(math.radians(s["lat"])))) * math.sin(bearing)
        lon = (lon + 180) % 360 - 180
        errors.append({"kind": "wrong coordinates", "at": (lat, lon), "true": (s["lat"], s["lon"]), "name": s["name"]})
        s["lat"], s["lon"] = round(lat, 4), round(lon, 4)
    return a, errors


def add_people(it: dict, answer: dict, text: str, others: list[str]) -> tuple[dict, list[dict]]:
    rng = _rng(it, "people")
    a = copy.deepcopy(answer)
    errors = []
    pool = [p for p in others if p.split()[-1] not in text]
    for s in a["stops"]:
        if s.get("lat") is None or not pool:
            continue
        person = rng.choice(pool)
        s["met"] = list(s.get("met") or []) + [person]
        errors.append({"kind": "person from another article", "at": (s["lat"], s["lon"]), "person": person,
                       "name": s["name"]})
    return a, errors


def caught(err: dict, out: dict) -> bool:
    stops = [s for s in out["stops"] if s.get("lat") is not None]
    if err["kind"] == "invented stop":
        return not any(km(err["at"], (s["lat"], s["lon"])) <= MATCH_KM for s in stops)
    if err["kind"] == "wrong coordinates":
        return not any(km(err["at"], (s["lat"], s["lon"])) <= MATCH_KM for s in stops)
    near = [s for s in stops if km(err["at"], (s["lat"], s["lon"])) <= MATCH_KM]
    if err["kind"] == "date moved":
        return not any(s.get("date") == err["date"] for s in near)
    surname = err["person"].split()[-1]
    return not any(surname in " ".join(s.get("met") or []) for s in near)


def lost(items: list[dict], raw: list[dict], outs: list[dict]) -> tuple[int, int, list[str]]:
    """(gold stops the raw answer found, of them without a grounded stop within 50 km, which)."""
    found = gone = 0
    which = []
    for it, r, o in zip(items, raw, outs):
        for g in it["gold"]["stops"]:
            gp = (g["lat"], g["lon"])
            if not any(s.get("lat") is not None and km(gp, (s["lat"], s["lon"])) <= MATCH_KM for s in r["stops"]):
                continue
            found += 1
            if not any(km(gp, (s["lat"], s["lon"])) <= MATCH_KM for s in o["stops"]):
                gone += 1
                which.append(f"{it['path'].name}: {g['name']}")
    return found, gone, which


def measure(details: bool = False) -> dict:
    from tourmap.article import read_article
    from tourmap.dates import find_dates
    from tourmap.grounding import ground
    from tourmap.lexicon import load_lexicon
    from tourmap.llm import parse_answer
    from tourmap.mentions import find_mentions
    from tourmap.tour import assemble_tour

    sc = scorer()
    items = load()
    runner = Runner(items)
    res: dict = {"n": len(items)}
    try:
        answers = [it["answer"] for it in items]
        raw = [raw_json(a) for a in answers]
        grounded = runner.run(answers, "llm")
        hybrid = runner.run(answers, "hybrid")
        golds = [it["gold"] for it in items]
        res["raw"] = total(sc, list(zip(golds, raw)))
        res["grounded"] = total(sc, list(zip(golds, grounded)))
        res["hybrid"] = total(sc, list(zip(golds, hybrid)))
        res["per_set"] = {}
        for label, _, _ in SETS:
            idx = [i for i, it in enumerate(items) if it["set"] == label]
            res["per_set"][label] = {k: total(sc, [(golds[i], v[i]) for i in idx])
                                     for k, v in (("raw", raw), ("grounded", grounded), ("hybrid", hybrid))}
        res["rejected_clean"] = sum(len(o.get("rejected", [])) for o in grounded)
        res["lost_clean"] = lost(items, raw, grounded)
        res["rejected_list"] = [f"{r['article']}: {r['name']}: {r['reason']}" for o in grounded
                                for r in o.get("rejected", [])]

        # corrupted copies
        texts = {str(it["path"]): runner.articles[str(it["path"])] for it in items}
        people = sorted({p for a in answers for s in a["stops"] for p in (s.get("met") or []) if len(p.split()) > 1})
        rounds: list[tuple[list[dict], list[list[dict]]]] = []
        for salt in ("invent-1", "invent-2"):
            pairs = [invent(it, a, texts[str(it["path"])].text, texts[str(it["path"])].language, salt)
                     for it, a in zip(items, answers)]
            rounds.append(([p[0] for p in pairs], [[p[1]] for p in pairs]))
        date_sets = []
        for it in items:
            art = texts[str(it["path"])]
            found = find_dates(art.text, published=art.published, lex=load_lexicon(art.language))
            date_sets.append({v for d in found for v in (d.value, d.value_end) if v})
        pairs = [move_dates(it, a, ds) for it, a, ds in zip(items, answers, date_sets)]
        rounds.append(([p[0] for p in pairs], [p[1] for p in pairs]))
        pairs = [move_coords(it, a) for it, a in zip(items, answers)]
        rounds.append(([p[0] for p in pairs], [p[1] for p in pairs]))
        pairs = [add_people(it, a, texts[str(it["path"])].text, people) for it, a in zip(items, answers)]
        rounds.append(([p[0] for p in pairs], [p[1] for p in pairs]))
        by_kind: dict[str, list[int]] = {}
        missed = []
        found_all = gone_all = 0
        for bad_answers, errors in rounds:
            outs = runner.run(bad_answers, "llm")
            for it, errs, out in zip(items, errors, outs):
                for e in errs:
                    ok = caught(e, out)
                    by_kind.setdefault(e["kind"], [0, 0])
                    by_kind[e["kind"]][0] += ok
                    by_kind[e["kind"]][1] += 1
                    if not ok:
                        missed.append(f"{e['kind']}: {it['path'].name}: {e['name']}")
            f, g, which = lost(items, raw, outs)
            found_all, gone_all = found_all + f, gone_all + g
            missed += [f"true stop lost ({errors[0][0]['kind'] if errors and errors[0] else '?'} round): {w}"
                       for w in which]
        res["caught"] = by_kind
        res["missed"] = missed
        res["lost_corrupted"] = (found_all, gone_all)

        # tourmap's own time per article, answer already in hand (no request): read + rules + grounding
        from tourmap.config import Settings

        settings = Settings()
        arts = [read_article(it["path"]) for it in items]
        parsed = [parse_answer(json.dumps(a)) for a in answers]
        rules_s, ground_s = [], []
        for _ in range(3):
            for art, ans in zip(arts, parsed):
                t0 = time.perf_counter()
                tour = assemble_tour(find_mentions(art, settings=settings), settings=settings)
                t1 = time.perf_counter()
                ground(ans, art, tour, settings, backend="llm")
                t2 = time.perf_counter()
                rules_s.append(t1 - t0)
                ground_s.append(t2 - t1)
        res["rules_ms"] = statistics.median(rules_s) * 1000
        res["ground_ms"] = statistics.median(ground_s) * 1000
        res["ground_p90_ms"] = sorted(ground_s)[int(len(ground_s) * 0.9)] * 1000
        # what a model is sent and writes back, in tokens (about 4 characters a token)
        from tourmap.llm import request_body

        sent = [sum(len(m["content"]) for m in request_body(a, settings.extractor.llm)["messages"]) for a in arts]
        back = [len(json.dumps(a, ensure_ascii=False)) for a in answers]
        res["tokens_in"] = statistics.median(sent) / 4
        res["tokens_out"] = statistics.median(back) / 4
        # the round trip through the client and the stub (no model time)
        t0 = time.perf_counter()
        runner.run(answers, "llm")
        res["pipeline_ms"] = (time.perf_counter() - t0) / len(items) * 1000
    finally:
        runner.close()
    return res


def rows(res: dict) -> list[dict]:
    def f1row(name: str, t: dict, note: str = "") -> dict:
        return {"metric": name, "value": round(t["F1"], 3), "unit": "F1",
                "note": f"P {t['P']:.2f} R {t['R']:.2f}, date {t['date']:.2f}, status {t['status']:.2f}, "
                        f"met {t['met']:.2f}, fp_notstop {t['fp_notstop']}" + (f"; {note}" if note else "")}

    out = [f1row("llm answers, raw (the model's own JSON)", res["raw"], f"{res['n']} articles"),
           f1row("llm answers, grounded by tourmap", res["grounded"],
                 f"{res['rejected_clean']} model stops rejected"),
           f1row("llm answers, hybrid (grounded + surest rules stops)", res["hybrid"])]
    out.append({"metric": "grounded F1 - raw F1", "value": round(res["grounded"]["F1"] - res["raw"]["F1"], 3),
                "unit": "F1", "note": "target: >= -0.02"})
    c = sum(v[0] for v in res["caught"].values())
    n = sum(v[1] for v in res["caught"].values())
    out.append({"metric": "injected errors caught", "value": round(100 * c / n, 1), "unit": "%",
                "note": f"{c}/{n}; " + ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in res["caught"].items())
                        + "; target >= 95%"})
    f, g, _ = res["lost_clean"]
    fc, gc = res["lost_corrupted"]
    out.append({"metric": "true stops lost", "value": round(100 * (g + gc) / (f + fc), 1) if f + fc else 0.0,
                "unit": "%", "note": f"{g}/{f} with the clean answers, {gc}/{fc} with the corrupted copies; "
                                     "target <= 2%"})
    out.append({"metric": "tourmap's own work per article", "value": round(res["rules_ms"] + res["ground_ms"], 1),
                "unit": "ms", "note": f"median: rules {res['rules_ms']:.1f} ms + grounding {res['ground_ms']:.1f} ms "
                                      f"(p90 {res['ground_p90_ms']:.1f} ms), answer in hand"})
    out.append({"metric": "whole extract_one via the client and stub", "value": round(res["pipeline_ms"], 1),
                "unit": "ms", "note": "per article, no model time (the stub answers at once)"})
    out.append({"metric": "sent / answered per article", "value": round(res["tokens_in"]), "unit": "tokens",
                "note": f"median; answer ~{res['tokens_out']:.0f} tokens (4 characters a token)"})
    return out


def run() -> list[dict]:
    return rows(measure())


if __name__ == "__main__":
    from _table import print_rows

    details = "--details" in sys.argv
    res = measure(details)
    print_rows(rows(res))
    if details:
        for label, t in res["per_set"].items():
            print(f"\n{label}: " + "; ".join(f"{k} F1 {v['F1']:.2f} (P {v['P']:.2f} R {v['R']:.2f}) date {v['date']:.2f} "
                                             f"status {v['status']:.2f} met {v['met']:.2f}" for k, v in t.items()))
        print("\nrejected from the clean answers:")
        for r in res["rejected_list"]:
            print("  " + r)
        print("true stops lost (clean):", res["lost_clean"][2])
        print("injected errors that got through:")
        for m in res["missed"]:
            print("  " + m)
