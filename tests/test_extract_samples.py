"""The sample articles end to end through the extraction stages (article -> mentions -> tour).

tests/data/eval/ holds the eight dev articles with their gold (a copy of ../shared/eval/dev);
tests/data/extra/ holds four more trips written for these tests (es, en, pt) with the small gold
below, to check that the rules are not fitted to the dev texts.
"""
from __future__ import annotations

import json
import math
import unicodedata
from functools import lru_cache
from pathlib import Path

import pytest

from tourmap.article import read_article
from tourmap.config import Settings
from tourmap.mentions import find_mentions
from tourmap.tour import assemble_tour

DATA = Path(__file__).parent / "data"
EVAL = DATA / "eval"
EXTRA = DATA / "extra"


def _fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s or "")
    return "".join(c for c in s if not unicodedata.combining(c)).casefold().strip()


def _km(a, b) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (a["lat"], a["lon"], b["lat"], b["lon"]))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _surnames(names) -> set[str]:
    return {_fold(n).replace(".", " ").split()[-1] for n in names or [] if n.strip()}


@lru_cache(maxsize=None)
def extract(path: str) -> dict:
    settings = Settings()
    art = read_article(path)
    return assemble_tour(find_mentions(art, settings=settings), settings=settings).to_json()


def match(gold: list[dict], pred: list[dict]) -> list[tuple[int, int]]:
    pairs = sorted((_km(g, p), gi, pi) for gi, g in enumerate(gold) for pi, p in enumerate(pred) if _km(g, p) <= 50)
    used_g, used_p, out = set(), set(), []
    for _, gi, pi in pairs:
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            out.append((gi, pi))
    return sorted(out)


def score(cases: list[tuple[dict, dict]]) -> dict:
    tp = n_pred = n_gold = date_ok = status_ok = fp_not = 0
    met: list[float] = []
    for gold, pred in cases:
        pstops = pred["stops"]
        m = match(gold["stops"], pstops)
        matched = {pi for _, pi in m}
        rest = [p for i, p in enumerate(pstops) if i not in matched]
        opt = {pi for _, pi in match(gold.get("optional_stops", []), rest)}
        tp += len(m)
        n_pred += len(pstops) - len(opt)
        n_gold += len(gold["stops"])
        not_stops = {_fold(x) for x in gold.get("not_stops", [])}
        fp_not += sum(1 for i, p in enumerate(rest) if i not in opt and _fold(p["name"]) in not_stops)
        for gi, pi in m:
            g, p = gold["stops"][gi], pstops[pi]
            date_ok += p["date"] in {g.get("date"), *(g.get("alt_dates") or [])}
            status_ok += g["status"] == p["status"]
            gs, ps = _surnames(g.get("met")), _surnames(p.get("met"))
            if gs or ps:
                met.append(len(gs & ps) / len(gs | ps))
    P, R = tp / max(n_pred, 1), tp / max(n_gold, 1)
    return {"F1": 2 * P * R / (P + R) if P + R else 0.0, "date": date_ok / max(tp, 1),
            "status": status_ok / max(tp, 1), "met": sum(met) / max(len(met), 1), "fp_notstop": fp_not}


def dev_cases() -> list[tuple[Path, dict]]:
    out = []
    for g in sorted(EVAL.glob("*.gold.json")):
        stem = g.name[: -len(".gold.json")]
        art = next(p for p in (EVAL / f"{stem}.md", EVAL / f"{stem}.txt") if p.exists())
        out.append((art, json.loads(g.read_text(encoding="utf-8"))))
    return out


@pytest.mark.parametrize("art,gold", dev_cases(), ids=lambda x: x.stem if isinstance(x, Path) else "")
def test_dev_article_stop_count(art, gold):
    pred = extract(str(art))
    assert abs(len(pred["stops"]) - len(gold["stops"])) <= 1
    assert pred["traveler"] and _surnames([pred["traveler"]["name"]]) == _surnames([gold["traveler"]])


def test_dev_totals():
    s = score([(gold, extract(str(art))) for art, gold in dev_cases()])
    assert s["F1"] >= 0.9 and s["date"] >= 0.85 and s["status"] >= 0.9 and s["met"] >= 0.75
    assert s["fp_notstop"] == 0


def test_seed_specifics():
    t = extract(str(EVAL / "000_ef3bafede1ed9db9.txt"))
    art = t["articles"][0]
    assert art["published"] == "2025-12-21" and art["published_inferred"] is True
    stops = {s["name"]: s for s in t["stops"]}
    assert list(stops) == ["Buenos Aires", "Quito", "Lima"]
    ba, quito, lima = stops["Buenos Aires"], stops["Quito"], stops["Lima"]
    assert ba["status"] == "completed" and ba["date"] is None and _surnames(ba["met"]) == {"milei"}
    assert ba["landmark"] == "Casa Rosada"
    assert quito["date"] == "2025-12-22" and quito["status"] == "planned" and _surnames(quito["met"]) == {"noboa"}
    assert lima["date"] == "2026-01" and lima["status"] == "planned" and _surnames(lima["met"]) == {"jeri"}
    assert lima["landmark"] == "Palacio de Gobierno"
    assert not {"chile", "arica", "la tercera"} & {_fold(s["name"]) for s in t["stops"]}
    assert t["traveler"]["name"] == "José Antonio Kast"
    assert t["origin"] and t["origin"]["country"] == "CL"
    region = t["regions"][0]
    assert region["kind"] == "border" and region["countries"] == ["CL", "PE"] and "Arica" in region["name"]
    corridor = t["corridors"][0]
    assert corridor["name"] == "corredor humanitario" and corridor["status"] == "proposed"
    assert corridor["countries"] == ["PE", "EC"]
    for s in t["stops"]:
        for e in s["evidence"]:
            assert read_article(EVAL / "000_ef3bafede1ed9db9.txt").text[e["start"]:e["end"]] == e["quote"]


def test_seed_is_deterministic():
    p = str(EVAL / "000_ef3bafede1ed9db9.txt")
    settings = Settings()
    a = assemble_tour(find_mentions(read_article(p), settings=settings), settings=settings).to_json()
    b = assemble_tour(find_mentions(read_article(p), settings=settings), settings=settings).to_json()
    assert a == b


# Four more real trips, written for these tests; coordinates are city centres.
EXTRA_GOLD = {
    "sanchez_vietnam_china.md": {
        "traveler": "Pedro Sánchez",
        "stops": [
            {"name": "Hanói", "lat": 21.0285, "lon": 105.8542, "date": "2025-04-09", "status": "completed",
             "met": ["Pham Minh Chinh"]},
            {"name": "Pekín", "lat": 39.9042, "lon": 116.4074, "date": "2025-04-11", "alt_dates": ["2025-04-10"],
             "status": "completed", "met": ["Xi Jinping"]},
        ],
        "not_stops": ["Madrid", "Shanghái", "Hainan", "Estados Unidos"],
    },
    "biden_angola.md": {
        "traveler": "Joe Biden",
        "stops": [
            {"name": "Luanda", "lat": -8.8390, "lon": 13.2894, "date": "2024-12-03", "alt_dates": ["2024-12-02"],
             "status": "completed", "met": ["João Lourenço"]},
            {"name": "Lobito", "lat": -12.3644, "lon": 13.5360, "date": "2024-12-04", "status": "planned", "met": []},
        ],
        "not_stops": ["Cape Verde", "Cabo Verde", "Washington", "Scranton", "Zambia", "Tanzania", "Lusaka", "Dodoma"],
    },
    "lula_china.md": {
        "traveler": "Luiz Inácio Lula da Silva",
        "stops": [
            {"name": "Xangai", "lat": 31.2304, "lon": 121.4737, "date": "2023-04-13", "alt_dates": ["2023-04-12"],
             "status": "completed", "met": []},
            {"name": "Pequim", "lat": 39.9042, "lon": 116.4074, "date": "2023-04-14", "status": "completed",
             "met": ["Xi Jinping"]},
            {"name": "Abu Dhabi", "lat": 24.4539, "lon": 54.3773, "date": "2023-04-15", "status": "planned",
             "met": ["Mohamed bin Zayed Al Nahyan"]},
        ],
        "not_stops": ["Brasil", "Brasília"],
    },
    "trump_gulf.md": {
        "traveler": "Donald Trump",
        "stops": [
            {"name": "Riyadh", "lat": 24.7136, "lon": 46.6753, "date": "2025-05-13", "status": "completed",
             "met": ["Mohammed bin Salman"]},
            {"name": "Doha", "lat": 25.2854, "lon": 51.5310, "date": "2025-05-14", "status": "completed",
             "met": ["Tamim bin Hamad Al Thani"]},
            {"name": "Abu Dhabi", "lat": 24.4539, "lon": 54.3773, "date": "2025-05-15", "status": "completed",
             "met": ["Mohamed bin Zayed Al Nahyan"]},
        ],
        "not_stops": ["Ankara", "Turkey", "Estambul", "Istanbul", "Washington", "Kyiv", "Ukraine"],
    },
}


@pytest.mark.parametrize("name", sorted(EXTRA_GOLD))
def test_extra_article(name):
    gold = EXTRA_GOLD[name]
    pred = extract(str(EXTRA / name))
    s = score([(gold, pred)])
    assert s["F1"] == 1.0 and s["fp_notstop"] == 0 and s["status"] == 1.0
    assert s["date"] == 1.0 and s["met"] >= 0.99
    assert _surnames([pred["traveler"]["name"]]) == _surnames([gold["traveler"]])


# ---------------------------------------------------------------- held-out set (written by someone else)
# tests/data/heldout_a/ holds ten articles written apart from the rules (es, en, pt), with gold in the
# evaluation format; bench/score.py is the team's scorer (a copy of the evaluation's), so the totals
# here are the ones `score.py tests/data/heldout_a` prints.
HELDOUT = DATA / "heldout_a"


def _scorer():
    import importlib.util

    spec = importlib.util.spec_from_file_location("tourmap_score", DATA.parent.parent / "bench" / "score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def heldout_totals(folder: Path = HELDOUT) -> dict:
    from tourmap.pipeline import extract_one

    sc = _scorer()
    tot = {k: 0.0 for k in ("gold", "pred", "tp", "date_ok", "status_ok", "met_sum", "met_n", "fp_notstop")}
    for gold_path in sorted(folder.glob("*.gold.json")):
        stem = gold_path.name[: -len(".gold.json")]
        art = next((gold_path.with_name(stem + ext) for ext in (".md", ".txt", ".html")
                    if gold_path.with_name(stem + ext).exists()), gold_path.with_name(stem + ".md"))
        pred = extract_one(art, Settings()).to_json()
        s = sc.score_article(json.loads(gold_path.read_text(encoding="utf-8")), pred)
        for k in tot:
            tot[k] += s[k]
    P, R = sc.ratio(tot["tp"], tot["pred"]), sc.ratio(tot["tp"], tot["gold"])
    return {"P": P, "R": R, "F1": 2 * P * R / (P + R) if P + R else 0.0,
            "date": sc.ratio(tot["date_ok"], tot["tp"]), "status": sc.ratio(tot["status_ok"], tot["tp"]),
            "met": sc.ratio(tot["met_sum"], tot["met_n"]), "fp_notstop": tot["fp_notstop"]}


# tests/data/heldout_b/ holds ten more articles (es, en, pt) kept apart while the previous rules were written;
# it was then used to find general causes of misses (refuelling stops with a meeting, returns with an
# activity, fronted "En X," scenes, passive agents, dates naming events, "vindo de X, onde...").
HELDOUT_B = DATA / "heldout_b"
# tests/data/heldout_c/ holds eight articles written blind by another annotator; it was used to find
# general causes of misses (a host who travels on with the visitor, "la gira arrancó la semana pasada
# en X", "aterrizó el martes procedente de X", a country name that is also a town elsewhere).
HELDOUT_C = DATA / "heldout_c"
# tests/data/heldout_d/ holds eight articles written blind by another annotator and kept as the blind set
# (bench/blind) until a newer one replaced it: measured blind at F1=0.74, then used to find general
# causes ("llegó a X desde Y, donde...", seats of organisations, "the port city of X", "will visit X").
HELDOUT_D = DATA / "heldout_d"
# tests/data/heldout_e/ holds ten articles written blind (the blind set after D): measured blind at F1=0.66,
# then used to find general causes (countries far from any visit word, "entre X y Y", a dropped plan told in
# the next sentence, an appositive officeholder as subject, "desde donde continuó", "la isla de Sal").
HELDOUT_E = DATA / "heldout_e"
# tests/data/heldout_f/ holds ten articles written blind (the blind set after E): measured blind at F1=0.74,
# then used to find general causes (a dateline in a sentence that cancels something else, people met on the
# sidelines of a summit, "X y el viajero firmaron", "la cita" as an event, a leg after days back home).
HELDOUT_F = DATA / "heldout_f"
# tests/data/heldout_g/ holds ten articles written blind (the blind set after F): measured blind at F1=0.75,
# then used briefly ("terminó en X", "no pisaba X desde", orders and parties named like people).
HELDOUT_G = DATA / "heldout_g"


# Minimums per set, a little below what each measured with the shipped decisions (2026-12-03, models trained
# at the freeze before set S, on these sets among others: in-sample figures, a guard against regressions,
# not a measure of quality; see the README for leave-one-set-out and blind figures), so that one or two
# articles may move without hiding a general regression:
#   A: P=0.97 R=0.97 F1=0.97 date=1.00 status=1.00 met=0.75 fp_notstop=1
#   B: P=1.00 R=1.00 F1=1.00 date=1.00 status=1.00 met=0.87 fp_notstop=0
#   (decisions retrained with S and T, this commit: B P=0.94 F1=0.97 fp_notstop=2 (Madrid, Balneário Camboriú);
#    E P=0.76 F1=0.82 fp_notstop=4 (Ezeiza for Buenos Aires, Brussels of a 2019 agreement, two route towns); F P=0.83 F1=0.87 fp_notstop=4;
#    retrained with U as well: B 0.97, C 0.95, D 0.90, E 0.83, F 0.88, G 0.89, each fp_notstop <= 3;
#    retrained with V and W (f764fa4, eaa4e51): F1 A 0.98 B 0.99 C 0.98 D 0.92 E 0.86 F 0.88 G 0.92; F's date 0.91)
#   C: P=0.93 R=0.96 F1=0.95 date=0.88 status=0.96 met=0.78 fp_notstop=2
#   D: P=0.92 R=0.88 F1=0.90 date=0.86 status=0.91 met=0.74 fp_notstop=2
#   E: P=0.86 R=0.91 F1=0.88 date=0.90 status=0.97 met=0.86 fp_notstop=2
#   F: P=0.91 R=0.89 F1=0.90 date=0.94 status=0.91 met=0.88 fp_notstop=1
#   G: P=0.91 R=0.89 F1=0.90 date=0.77 status=0.87 met=0.48 fp_notstop=1
@pytest.mark.parametrize("folder, floor, most_fp", [
    (HELDOUT, {"F1": 0.92, "P": 0.92, "R": 0.92, "date": 0.95, "status": 0.95, "met": 0.64}, 2),
    (HELDOUT_B, {"F1": 0.95, "P": 0.92, "R": 0.95, "date": 0.95, "status": 0.92, "met": 0.75}, 2),
    (HELDOUT_C, {"F1": 0.88, "P": 0.88, "R": 0.84, "date": 0.78, "status": 0.90, "met": 0.70}, 2),
    (HELDOUT_D, {"F1": 0.85, "P": 0.86, "R": 0.82, "date": 0.80, "status": 0.86, "met": 0.68}, 3),
    (HELDOUT_E, {"F1": 0.80, "P": 0.74, "R": 0.82, "date": 0.85, "status": 0.92, "met": 0.70}, 4),
    (HELDOUT_F, {"F1": 0.82, "P": 0.80, "R": 0.78, "date": 0.90, "status": 0.85, "met": 0.74}, 4),
    (HELDOUT_G, {"F1": 0.85, "P": 0.86, "R": 0.80, "date": 0.70, "status": 0.82, "met": 0.38}, 3),
], ids=["heldout_a", "heldout_b", "heldout_c", "heldout_d", "heldout_e", "heldout_f", "heldout_g"])
def test_heldout_totals(folder, floor, most_fp):
    s = heldout_totals(folder)
    for key, minimum in floor.items():
        assert s[key] >= minimum, (key, s)
    assert s["fp_notstop"] <= most_fp, s
