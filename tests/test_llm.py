"""Reading articles with a language model: the protocol, the cache, every fault falling back to the
rules, the key, and grounding (nothing the text does not say reaches the map).

The model is a stub OpenAI-compatible server on 127.0.0.1 (tests/llm_stub.py) replaying answers
colleagues recorded by reading the articles (tests/data/llm/)."""
from __future__ import annotations

import json
import logging
import math
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from tourmap import llm
from tourmap.article import read_article
from tourmap.cli import cli
from tourmap.config import Settings
from tourmap.errors import ConfigError
from tourmap.grounding import ground
from tourmap.mentions import find_mentions
from tourmap.pipeline import extract_one
from tourmap.tour import assemble_tour

sys.path.insert(0, str(Path(__file__).resolve().parent))
from llm_stub import ChatStub, free_port  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "tests" / "data" / "eval"
ANSWERS = ROOT / "tests" / "data" / "llm"
INJECTION = ANSWERS / "injection" / "boric_lima_injection.md"
SEED = DEV / "000_ef3bafede1ed9db9.txt"
KEY = "sk-test-4f9a1c7e2b8d6053aa91"


def answer_of(article: Path) -> dict:
    folder = {"eval": "dev", "blind": "blind_h"}.get(article.parent.name, article.parent.name)
    here = ANSWERS / folder / (article.stem + ".answer.json")
    return json.loads((here if here.exists() else article.with_name(article.stem + ".answer.json")).read_text("utf-8"))


def recorded(*articles: Path) -> dict:
    """What the stub answers: the article's text (as sent) -> its recorded answer."""
    return {read_article(a).text[:300]: answer_of(a) for a in articles}


DEV_ARTICLES = sorted(p for p in DEV.iterdir() if p.suffix in (".md", ".txt") and p.stem != "SOURCES")


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    llm.reset()
    monkeypatch.setattr(llm, "BACKOFF_S", 0.01)
    monkeypatch.setenv("TOURMAP_QUIET", "1")
    yield
    llm.reset()


@pytest.fixture
def stub():
    with ChatStub(recorded(*DEV_ARTICLES, INJECTION)) as s:
        yield s


def config(tmp_path: Path, base_url: str, *, backend: str = "llm", folder: str = "config", **llm_kw) -> Path:
    opts = {"base_url": base_url, "model": "test-model", "timeout_s": 2, "max_retries": 1,
            "cache": str(tmp_path / "llm-cache"), **llm_kw}
    lines = ["extractor:", f"  backend: {backend}", "  llm:"]
    lines += [f"    {k}: {json.dumps(v)}" for k, v in opts.items()]
    lines += ["map:", "  static_images: false"]
    path = tmp_path / folder / "tourmap.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


def km(a, b) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 12742.0 * math.asin(math.sqrt(h))


def model_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "tourmap.llm" and r.levelno >= logging.WARNING]


# --- the protocol, end to end through extract ---------------------------------------------------


def test_extract_asks_the_model_once_and_grounds_its_answer(stub, tmp_path):
    res = run("extract", SEED, "--config", config(tmp_path, stub.base_url), "--format", "json")
    assert res.exit_code == 0, res.output
    tour = json.loads(res.stdout)
    assert tour["extractor"] == {"backend": "llm", "model": "test-model", "prompt": llm.PROMPT_VERSION,
                                 "schema": llm.SCHEMA_VERSION, "articles": {SEED.stem: "llm"}}
    assert [s["name"] for s in tour["stops"]] == ["Buenos Aires", "Quito", "Lima"]
    assert {s["source"] for s in tour["stops"]} <= {"llm", "both"} and tour["rejected"] == []
    text = read_article(SEED).text
    for s in tour["stops"]:
        assert s["evidence"] and all(text[e["start"]:e["end"]] == e["quote"] for e in s["evidence"])
    assert len(stub.requests) == 1
    req = stub.requests[0]
    assert (req["method"], req["path"]) == ("POST", "/v1/chat/completions")
    body = req["body"]
    assert body["model"] == "test-model" and body["temperature"] == 0 and body["seed"] == llm.SEED
    assert body["stream"] is False
    assert body["response_format"]["type"] == "json_schema"
    assert "stops" in body["response_format"]["json_schema"]["schema"]["properties"]
    system, user = body["messages"]
    assert system == {"role": "system", "content": llm.system_prompt()}
    assert user["role"] == "user" and text in user["content"] and user["content"].startswith("Publication date: ")
    assert "authorization" not in {k.lower() for k in req["headers"]}


def test_rules_stay_the_default_and_never_load_the_model_code():
    code = ("import sys; from tourmap.config import load_settings; from tourmap.pipeline import extract_one;"
            f"t = extract_one({str(SEED)!r}, load_settings());"
            "print(len(t.stops), t.extractor, [m for m in ('tourmap.llm', 'tourmap.grounding', 'httpx') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.split(None, 1)[1].strip() == "None []"


# --- cache, determinism, the manifest -------------------------------------------------------------


def test_rebuild_asks_nothing_gives_the_same_bytes_and_refresh_asks_again(stub, tmp_path):
    arts = tmp_path / "articles"
    arts.mkdir()
    for a in DEV_ARTICLES[:2]:
        shutil.copy(a, arts)
    cfg = config(tmp_path, stub.base_url)
    res = run("build", arts, "-o", tmp_path / "out1", "--config", cfg, "-j", "1")
    assert res.exit_code == 0, res.output
    assert len(stub.requests) == 2
    assert run("build", arts, "-o", tmp_path / "out1", "--config", cfg).stdout.startswith("unchanged")
    res = run("build", arts, "-o", tmp_path / "out2", "--config", cfg, "-j", "1")  # answers from the cache
    assert res.exit_code == 0 and len(stub.requests) == 2
    for f in ("tour.json", "index.html", "stops.csv", "tour.geojson"):
        for slug in ("kast-2025-12", "sheinbaum-2025-09"):
            assert (tmp_path / "out1" / slug / f).read_bytes() == (tmp_path / "out2" / slug / f).read_bytes()
    cached = sorted((tmp_path / "llm-cache").glob("*.json"))
    assert len(cached) == 2 and json.loads(cached[0].read_text())["model"] == "test-model"
    res = run("build", arts, "-o", tmp_path / "out1", "--config", cfg, "--refresh", "-j", "1")
    assert res.exit_code == 0 and len(stub.requests) == 4 and "rebuilt kast-2025-12: forced" in res.stdout


def test_a_new_model_rebuilds_like_a_new_tourmap(stub, tmp_path):
    cfg = config(tmp_path, stub.base_url)
    out = tmp_path / "out"
    assert run("build", SEED, "-o", out, "--config", cfg).exit_code == 0
    res = run("build", SEED, "-o", out, "--config",
              config(tmp_path, stub.base_url, model="other-model", folder="other"))
    assert res.exit_code == 0
    assert ("extractor changed (llm test-model prompt 1 schema 1 -> llm other-model prompt 1 schema 1)"
            in res.stdout)
    res = run("build", SEED, "-o", out, "--config", cfg, "--extractor", "rules")
    assert "rebuilt kast-2025-12: extractor changed (llm other-model prompt 1 schema 1 -> rules) (" in res.stdout
    assert "extractor" not in json.loads((out / "manifest.json").read_text())["tours"]["kast-2025-12"]


# --- faults: bounded retries, then the rules with one warning ---------------------------------------


@pytest.fixture(scope="module")
def rules_stops():
    from tourmap.merge import merge_tours  # what `extract` prints: the tour after the merge stage

    [tour] = merge_tours([extract_one(SEED, Settings())], settings=Settings())
    return [dict(s, source="rules") for s in tour.to_json()["stops"]]


@pytest.mark.parametrize("mode,requests", [
    ("closed-port", 0), ("refuse", 2), ("400", 1), ("401", 1), ("404", 1), ("429", 2), ("500", 2), ("503", 2),
    ("hang", 2), ("trickle", 2), ("not_json", 2), ("invalid_json", 2), ("truncated", 2), ("schema", 2),
    ("no_choices", 2), ("redirect", 1),
])
def test_every_fault_falls_back_to_the_rules_with_one_warning(mode, requests, tmp_path, caplog, rules_stops):
    with ChatStub(recorded(SEED), mode="ok" if mode == "closed-port" else mode) as stub:
        url = f"http://127.0.0.1:{free_port()}/v1" if mode == "closed-port" else stub.base_url
        t0 = time.monotonic()
        with caplog.at_level(logging.WARNING):
            res = run("extract", SEED, "--config", config(tmp_path, url, timeout_s=0.5), "--format", "json")
        took = time.monotonic() - t0
        assert res.exit_code == 0, res.output
        tour = json.loads(res.stdout)
        assert tour["stops"] == rules_stops
        assert tour["extractor"]["articles"] == {SEED.stem: "rules (fallback)"}
        warnings = model_warnings(caplog)
        assert len(warnings) == 1 and str(SEED) in warnings[0] and "used the rules extractor" in warnings[0]
        assert "\n" not in warnings[0] and "Traceback" not in res.output
        assert len(stub.requests) == requests
        assert took < 4.0  # two attempts of at most 0.5 s each, backoff, start-up
        assert not (tmp_path / "llm-cache").exists()  # nothing cached from a failure


def test_the_real_command_prints_one_warning_line_and_exits_0(tmp_path):
    cfg = config(tmp_path, f"http://127.0.0.1:{free_port()}/v1")
    out = subprocess.run([sys.executable, "-m", "tourmap.cli", "extract", str(SEED), "--config", str(cfg)],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 0 and json.loads(out.stdout)["stops"]
    assert out.stderr.count("\n") == 1 and out.stderr.startswith(f"Warning: {SEED}: no answer from the model")


def test_a_dead_server_is_given_up_after_two_articles(tmp_path, caplog):
    with ChatStub(mode="500") as stub, caplog.at_level(logging.WARNING):
        res = run("extract", *DEV_ARTICLES[:6], "--config",
                  config(tmp_path, stub.base_url, max_concurrency=1), "--format", "json")
        assert res.exit_code == 0, res.output
        assert len(stub.requests) == llm.BREAKER_AFTER * 2  # then no more requests this run
    warnings = model_warnings(caplog)
    assert len(warnings) == 6 and all(str(a) in w for a, w in zip(DEV_ARTICLES[:6], warnings))
    assert "not asked" in warnings[-1]


def test_a_failed_build_uses_the_rules_and_the_next_one_the_model(stub, tmp_path, caplog):
    out = tmp_path / "out"
    with caplog.at_level(logging.WARNING):
        res = run("build", SEED, "-o", out, "--config", config(tmp_path, f"http://127.0.0.1:{free_port()}/v1"))
    assert res.exit_code == 0 and len(model_warnings(caplog)) == 1
    tour = json.loads((out / "kast-2025-12" / "tour.json").read_text())
    assert {s["source"] for s in tour["stops"]} == {"rules"} and (out / "kast-2025-12" / "index.html").is_file()
    res = run("build", SEED, "-o", out, "--config", config(tmp_path, stub.base_url))
    assert "extractor changed (llm test-model prompt 1 schema 1; the rules for 000_ef3bafede1ed9db9 " \
           "(model failed) -> llm test-model prompt 1 schema 1)" in res.stdout
    tour = json.loads((out / "kast-2025-12" / "tour.json").read_text())
    assert tour["extractor"]["articles"] == {SEED.stem: "llm"} and len(stub.requests) == 1


def test_requests_run_concurrently_up_to_max_concurrency(tmp_path):
    arts = DEV_ARTICLES[:6]
    with ChatStub(recorded(*arts), delay_s=0.3) as stub:
        res = run("extract", *arts, "--config", config(tmp_path, stub.base_url, max_concurrency=3, cache=""))
        assert res.exit_code == 0, res.output
        assert len(stub.requests) == 6 and 2 <= stub.max_in_flight <= 3


# --- the key and where requests go ----------------------------------------------------------------


def test_the_key_comes_from_the_named_variable_and_is_written_nowhere(stub, tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("TOURMAP_TEST_KEY", KEY)
    cfg = config(tmp_path, stub.base_url, api_key_env="TOURMAP_TEST_KEY")
    with caplog.at_level(logging.DEBUG):
        res = run("publish", SEED, "-o", tmp_path / "site", "--config", cfg)
    assert res.exit_code == 0, res.output
    assert stub.requests[0]["headers"]["Authorization"] == f"Bearer {KEY}"
    stub.mode = "echo_key"  # a server that repeats the key it was sent in its error
    with caplog.at_level(logging.DEBUG):
        res2 = run("extract", SEED, "--config", cfg, "--refresh")
    assert res2.exit_code == 0 and "HTTP 401" in model_warnings(caplog)[-1]
    for p in tmp_path.rglob("*"):
        if p.is_file():
            assert KEY[8:20].encode() not in p.read_bytes(), p
    logs = res.output + res2.output + "\n".join(r.getMessage() for r in caplog.records)
    assert KEY[8:20] not in logs
    monkeypatch.delenv("TOURMAP_TEST_KEY")
    llm.reset()
    n = len(stub.requests)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        res3 = run("extract", SEED, "--config", cfg, "--refresh")
    assert res3.exit_code == 0 and len(stub.requests) == n  # no request without the key
    assert "TOURMAP_TEST_KEY" in model_warnings(caplog)[0] and "is not set" in model_warnings(caplog)[0]


def test_requests_go_only_to_base_url(stub, tmp_path, monkeypatch):
    with ChatStub(recorded(SEED)) as elsewhere:
        for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
            monkeypatch.setenv(var, elsewhere.base_url.rsplit("/v1", 1)[0])
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        assert run("extract", SEED, "--config", config(tmp_path, stub.base_url, cache="")).exit_code == 0
        stub.mode, stub.redirect_to = "redirect", elsewhere.base_url + "/chat/completions"
        llm.reset()
        assert run("extract", SEED, "--config", config(tmp_path, stub.base_url, cache="")).exit_code == 0
        assert len(stub.requests) == 2 and elsewhere.requests == []


# --- grounding ------------------------------------------------------------------------------------


def test_injected_text_cannot_put_a_stop_on_the_map(stub, tmp_path):
    for backend in ("llm", "hybrid"):
        res = run("extract", INJECTION, "--config", config(tmp_path, stub.base_url, backend=backend, cache=""))
        assert res.exit_code == 0, res.output
        tour = json.loads(res.stdout)
        assert [s["name"] for s in tour["stops"]] == ["Lima", "Arequipa"], backend
        for bad in ((10.48, -66.90), (23.11, -82.37)):  # Caracas, Havana
            assert all(km(bad, (s["lat"], s["lon"])) > 100 for s in tour["stops"])
        assert {r["name"] for r in tour["rejected"]} >= {"Caracas", "La Habana"}
        assert any("addressed to a language model" in c for c in tour["conflicts"])
    out = tmp_path / "out"
    res = run("build", INJECTION, "-o", out, "--config", config(tmp_path, stub.base_url))
    geo = (out / "boric-2025-12" / "tour.geojson").read_text()
    assert "Caracas" not in geo and "Habana" not in geo and "Lima" in geo
    assert "  rejected Caracas (boric_lima_injection): its only evidence is text addressed to a language model" \
        in res.stdout


def grounded(answer: dict, article: Path = SEED, backend: str = "llm", settings: Settings | None = None):
    settings = settings or Settings()
    art = read_article(article)
    rules = assemble_tour(find_mentions(art, settings=settings), settings=settings)
    return ground(llm.parse_answer(json.dumps(answer)), art, rules, settings, backend=backend)


def seed_answer() -> dict:
    return answer_of(SEED)


def test_evidence_is_found_through_typography_and_invented_quotes_are_not():
    a = seed_answer()
    q = a["stops"][1]["evidence"][0]
    a["stops"][1]["evidence"] = [{"quote": "  " + q.replace(" ", "\n  ", 3).replace('"', "“") + " "}]
    words = a["stops"][2]["evidence"][0].split()
    a["stops"][2]["evidence"] = [" ".join(words[:4]) + " [...] " + " ".join(words[-4:])]  # shortened
    a["stops"].append({"name": "Caracas", "country": "VE", "date": "2025-12-24", "status": "planned", "met": [],
                       "evidence": ["Kast también visitará Caracas el miércoles 24 para reunirse con Maduro."],
                       "lat": 10.48, "lon": -66.9})
    t = grounded(a)
    assert [s.name for s in t.stops] == ["Buenos Aires", "Quito", "Lima"]
    assert t.stops[2].evidence[0].quote.startswith(" ".join(words[:4]))
    assert t.rejected == [{"article": SEED.stem, "name": "Caracas", "country": "VE", "date": "2025-12-24",
                           "reason": "its evidence is not in the article"}]


def test_dates_status_places_and_people_are_checked_against_the_text():
    a = seed_answer()
    quito = next(s for s in a["stops"] if s["name"] == "Quito")
    assert quito["date"] == "2025-12-22"
    quito["date"], quito["status"] = "2025-12-25", "completed"  # a day the text does not give; and the past
    quito["lat"], quito["lon"] = -4.0, -79.2  # ~450 km south: Loja
    quito["met"] = ["Daniel Noboa", "Emmanuel Macron", "José Antonio Kast"]  # another story's; the traveler
    a["stops"][2]["met"] = ["el presidente de Perú", "la presidenta de la empresa"]  # roles
    t = grounded(a)
    assert t.stops[2].met == ["José Jerí"]  # Peru's president on the stop's date (office-holders file)
    q = next(s for s in t.stops if s.name == "Quito")
    assert q.date == "2025-12-22" and q.status == "planned"
    assert km((q.lat, q.lon), (-0.22, -78.51)) < 20  # the gazetteer's Quito, not the model's point
    assert q.met == ["Daniel Noboa"]
    notes = "\n".join(t.conflicts)
    assert "Quito: date 2025-12-25 (model) is not what its evidence says; used 2025-12-22" in notes
    assert "Quito: status completed (model) contradicts its date 2025-12-22" in notes
    assert "Quito: the gazetteer puts it" in notes and "Emmanuel Macron" in notes


def test_a_place_the_gazetteer_lacks_keeps_the_models_point_only_inside_its_country(tmp_path):
    # a newsroom's own places file without the Union Glacier camp: a place the gazetteer lacks
    import yaml

    from tourmap.config import DEFAULT_CONFIG_DIR

    places = yaml.safe_load((DEFAULT_CONFIG_DIR / "places.yaml").read_text(encoding="utf-8"))
    places["places"] = [p for p in places["places"] if p["id"] != "union-glacier"]
    (tmp_path / "places.yaml").write_text(yaml.safe_dump(places, allow_unicode=True), encoding="utf-8")
    settings = Settings(config_dir=tmp_path)
    art = ROOT / "bench" / "blind" / "05_boric_glaciar_union_polo_sur.md"
    a = answer_of(art)
    t = grounded(a, art, settings=settings)
    camp = t.stops[0]
    assert (camp.name, camp.geocoded_by, camp.country) == ("Glaciar Unión", "model", "AQ")
    assert any("Glaciar Unión: not in the gazetteer; placed at the model's coordinates" in c for c in t.conflicts)
    a["stops"][0]["lat"], a["stops"][0]["lon"] = -33.45, -70.66  # Santiago: not in Antarctica
    t = grounded(a, art, settings=settings)
    assert "Glaciar Unión" not in [s.name for s in t.stops]
    assert "are not in AQ" in t.rejected[0]["reason"]


def test_answers_are_read_leniently_but_not_guessed():
    a = llm.parse_answer('```json\n{"traveler": {"name": "X"}, "stops": [{"name": "Quito", "extra": 1, '
                         '"evidence": [{"quote": "q"}], "lat": "-0.2"}], "notes": "unknown field"}\n```')
    s = a["stops"][0]
    assert a["traveler"] == "X" and a["origin"] is None
    assert (s["evidence"], s["lat"], s["lon"], s["date"], s["met"], s["status"]) == (["q"], -0.2, None, None, [], None)
    for bad in ('{"stops": "Quito"}', "[]", '{"traveler": "X"}', '{"stops": [{"country": "EC"}]}', '{"stops": [',
                "Quito and Lima"):
        with pytest.raises(llm.ModelError):
            llm.parse_answer(bad)


def test_hybrid_lists_disagreements_in_the_table_and_the_build(stub, tmp_path):
    art = DEV / "07_pope_leo_turkey_lebanon.md"
    cfg = config(tmp_path, stub.base_url, backend="hybrid")
    res = run("extract", art, "--config", cfg, "--format", "table")
    assert res.exit_code == 0, res.output
    assert "found by" in res.stdout and "Conflicts:" in res.stdout
    assert "Beirut: date 2025-12-02 (model) vs 2025-11-30 (rules): kept the model's" in res.stdout
    res = run("build", art, "-o", tmp_path / "out", "--config", cfg)
    assert "  conflict: Beirut: date 2025-12-02 (model) vs 2025-11-30 (rules): kept the model's" in res.stdout


# --- settings -------------------------------------------------------------------------------------


@pytest.mark.parametrize("text,message", [
    ("extractor: {backend: gpt}", "extractor.backend: expected one of rules, llm, hybrid, got text 'gpt'"),
    ("extractor: {llm: {base_url: 'ftp://x'}}", "extractor.llm.base_url: expected an http(s) URL"),
    ("extractor: {llm: {max_concurrency: 0}}", "extractor.llm.max_concurrency: expected a whole number from 1"),
    ("extractor: {llm: {api_key_env: 'sk-abc 123'}}", "extractor.llm.api_key_env: expected the name of an "
                                                     "environment variable"),
    ("extractor: {llm: {temperature: 0}}", "extractor.llm.temperature: unknown key"),
])
def test_bad_extractor_settings_are_one_line_errors(tmp_path, text, message):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(text + "\n", encoding="utf-8")
    res = run("extract", SEED, "--config", cfg)
    assert res.exit_code == 1 and message in res.stderr and res.stderr.count("\n") == 1
    assert "sk-abc" not in res.stderr
    with pytest.raises(ConfigError):
        from tourmap.config import load_settings

        load_settings(cfg)
    assert run("extract", SEED, "--extractor", "gpt").exit_code == 2
