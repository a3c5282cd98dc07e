"""Several articles about one trip -> one tour: grouping, stop matching, conflicts, corrections."""
from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings as hsettings, strategies as st

from tourmap.cli import cli
from tourmap.config import Settings, StopOverride, TourOverride
from tourmap.merge import (dates_compatible, merge_tours, order_stops, same_person, surname, tour_slug)
from tourmap.models import Article, Evidence, Stop, Tour

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "merge"
SEED = HERE.parent / "seeds" / "000_ef3bafede1ed9db9.txt"
LATER = DATA / "001_kast_quito_later.md"
sys.path.insert(0, str(DATA))
import fakes  # noqa: E402


def art(id: str, published: str | None) -> Article:
    return Article(id=id, path=f"/news/{id}.md", title=id, text="", published=published)


def stop(name, lat, lon, *, date=None, status="planned", met=(), landmark=None, article="a") -> Stop:
    return Stop(name=name, lat=lat, lon=lon, date=date, status=status, met=list(met), landmark=landmark,
                evidence=[Evidence(article, f"{name} quote", 0, 10)])


QUITO = (-0.2201, -78.5123)
LIMA = (-12.0453, -77.0311)
BSAS = (-34.6081, -58.3703)


def seed_tour() -> Tour:
    a = "000_ef3bafede1ed9db9"
    return Tour(articles=[art(a, "2025-12-21")], traveler="José Antonio Kast", stops=[
        stop("Buenos Aires", *BSAS, status="completed", met=["Javier Milei"], landmark="Casa Rosada", article=a),
        stop("Quito", *QUITO, date="2025-12-22", met=["Daniel Noboa"], article=a),
        stop("Lima", *LIMA, date="2026-01", met=["José Jerí"], landmark="Palacio de Gobierno", article=a),
    ])


def later_tour() -> Tour:
    a = "001_kast_quito_later"
    return Tour(articles=[art(a, "2025-12-24")], traveler="Kast", stops=[
        stop("Quito", -0.2186, -78.5097, date="2025-12-23", status="completed", met=["Noboa"],
             landmark="Palacio de Carondelet", article=a),
        stop("Lima", *LIMA, date="2026-01", met=["José Jerí"], article=a),
    ])


def test_later_report_updates_the_tour():
    [tour] = merge_tours([seed_tour(), later_tour()], settings=Settings())
    assert tour.slug == "kast-2025-12"
    assert [s.name for s in tour.stops] == ["Buenos Aires", "Quito", "Lima"]
    quito = tour.stops[1]
    assert (quito.date, quito.status, quito.landmark) == ("2025-12-23", "completed", "Palacio de Carondelet")
    assert quito.met == ["Daniel Noboa"]  # "Noboa" is the same person: the fuller name is kept
    assert quito.sources == ["000_ef3bafede1ed9db9", "001_kast_quito_later"]
    assert {e.article for e in quito.evidence} == set(quito.sources)
    assert tour.stops[2].sources == ["000_ef3bafede1ed9db9", "001_kast_quito_later"]
    assert tour.conflicts == [
        "Quito: fecha 2025-12-22 (000_ef3bafede1ed9db9) frente a 2025-12-23 (001_kast_quito_later): "
        "se mantiene 2025-12-23 (artículo más reciente)"]
    assert quito.provenance == {"place": "000_ef3bafede1ed9db9", "date": "001_kast_quito_later",
                                "status": "001_kast_quito_later", "landmark": "001_kast_quito_later",
                                "met": {"Daniel Noboa": "000_ef3bafede1ed9db9"}}
    assert [a.id for a in tour.articles] == ["000_ef3bafede1ed9db9", "001_kast_quito_later"]
    assert tour.traveler == "José Antonio Kast"


def test_merge_is_order_independent_and_leaves_inputs_alone():
    a, b = seed_tour(), later_tour()
    one = merge_tours([a, b], settings=Settings())
    two = merge_tours([later_tour(), seed_tour()], settings=Settings())
    assert [t.to_json() for t in one] == [t.to_json() for t in two]
    assert a.stops[1].date == "2025-12-22" and a.stops[1].sources == []


def test_slug_is_stable_when_a_newer_article_joins():
    [first] = merge_tours([seed_tour()], settings=Settings())
    [both] = merge_tours([seed_tour(), later_tour()], settings=Settings())
    assert first.slug == both.slug == "kast-2025-12"


def test_window_and_traveler_split_tours():
    s = Settings(tour_window_days=10)
    far = Tour(articles=[art("x", "2026-03-01")], traveler="José Antonio Kast",
               stops=[stop("Lima", *LIMA, date="2026-03-02")])
    other = Tour(articles=[art("y", "2025-12-22")], traveler="Daniel Noboa", stops=[stop("Quito", *QUITO)])
    tours = merge_tours([seed_tour(), far, other], settings=s)
    assert [t.slug for t in tours] == ["kast-2025-12", "noboa-2025-12", "kast-2026-03"]


def test_same_month_second_trip_gets_a_suffix():
    s = Settings(tour_window_days=1)
    a = Tour(articles=[art("a", "2025-12-01")], traveler="Kast", stops=[stop("Lima", *LIMA)])
    b = Tour(articles=[art("b", "2025-12-20")], traveler="Kast", stops=[stop("Quito", *QUITO)])
    assert [t.slug for t in merge_tours([b, a], settings=s)] == ["kast-2025-12", "kast-2025-12-2"]


def test_same_city_on_two_days_stays_two_stops():
    bsas2 = (-34.6037, -58.3816)
    a = Tour(articles=[art("a", "2024-09-30")], traveler="Nayib Bukele", stops=[
        stop("Buenos Aires", *BSAS, date="2024-09-30", status="completed", article="a"),
        stop("Buenos Aires", *bsas2, date="2024-10-01", article="a")])
    b = Tour(articles=[art("b", "2024-10-02")], traveler="Bukele", stops=[
        stop("Buenos Aires", *bsas2, date="2024-10-01", status="completed", article="b")])
    [t] = merge_tours([a, b], settings=Settings())
    assert [(s.date, s.status, s.sources) for s in t.stops] == [
        ("2024-09-30", "completed", ["a"]), ("2024-10-01", "completed", ["a", "b"])]
    assert t.conflicts == []


def test_month_refined_to_a_day_is_not_a_conflict_and_far_places_do_not_match():
    a = Tour(articles=[art("a", "2025-12-21")], traveler="Kast", stops=[stop("Lima", *LIMA, date="2026-01")])
    b = Tour(articles=[art("b", "2026-01-05")], traveler="Kast", stops=[
        stop("Lima", *LIMA, date="2026-01-08"), stop("Quito", *QUITO, date="2026-01-08")])
    [t] = merge_tours([a, b], settings=Settings())
    assert [(s.name, s.date) for s in t.stops] == [("Lima", "2026-01-08"), ("Quito", "2026-01-08")]
    assert t.conflicts == []


def test_newer_planned_does_not_undo_completed():
    a = Tour(articles=[art("a", "2025-12-23")], traveler="Kast",
             stops=[stop("Quito", *QUITO, date="2025-12-23", status="completed")])
    b = Tour(articles=[art("b", "2025-12-24")], traveler="Kast",
             stops=[stop("Quito", *QUITO, date="2025-12-23", status="planned")])
    [t] = merge_tours([a, b], settings=Settings())
    assert t.stops[0].status == "completed"
    assert t.conflicts == ["Quito: estado realizada (a) frente a prevista (b): se mantiene realizada "
                           "(un artículo la da por realizada)"]


def test_undated_article_joins_and_the_dated_report_wins():
    undated = seed_tour()
    undated.articles = [art("000_ef3bafede1ed9db9", None)]
    [t] = merge_tours([later_tour(), undated], settings=Settings())
    assert t.slug == "kast-2025-12" and t.stops[1].date == "2025-12-23"


def test_order_by_date_keeps_undated_in_place():
    s = [Stop("A", 0, 0), Stop("C", 0, 0, date="2025-12-23"), Stop("B", 0, 0, date="2025-12-20"),
         Stop("D", 0, 0)]
    # D was reported right after B (dated), so it stays right after B.
    assert [x.name for x in order_stops(s)] == ["A", "B", "D", "C"]


def test_config_groups_articles_and_corrects_stops():
    s = Settings(tours=[TourOverride(
        slug="gira-andina", articles=["000_ef3bafede1ed9db9.md", "zzz"], title="Gira andina",
        corridor_countries=["CL", "PE", "EC"], corridor_width_km=80,
        stops=[StopOverride(match="lima", date="2026-01-15", status="completed"),
               StopOverride(match="Casa Rosada", drop=True),
               StopOverride(match="Santiago", add=True, lat=-33.44, lon=-70.65, country="CL", date="2026-03")])])
    zzz = Tour(articles=[art("zzz", "2025-10-01")], traveler="Someone Else", stops=[])
    [t] = merge_tours([seed_tour(), zzz], settings=s)
    assert (t.slug, t.title) == ("gira-andina", "Gira andina")
    assert [(x.name, x.date, x.status, x.pinned) for x in t.stops] == [
        ("Quito", "2025-12-22", "planned", False), ("Lima", "2026-01-15", "completed", True),
        ("Santiago", "2026-03", "planned", True)]
    assert t.corridors[0].countries == ["CL", "PE", "EC"] and t.corridors[0].width_km == 80
    assert t.conflicts == []


def test_slug_only_override_corrects_the_automatic_tour():
    s = Settings(tours=[TourOverride(slug="kast-2025-12", stops=[StopOverride(match="Quito", date="2025-12-23")])])
    [t] = merge_tours([seed_tour()], settings=s)
    assert t.stops[1].date == "2025-12-23" and t.stops[1].pinned


def test_helpers():
    assert same_person("Kast", "José Antonio Kast") and not same_person("José Jerí", "José Antonio Kast")
    assert same_person("J. A. Kast", "José Antonio Kast") and same_person("Lula", "Luiz Inácio Lula da Silva")
    assert not same_person("Cristina Kirchner", "Néstor Kirchner") and not same_person("Kast", None)
    assert [surname(n) for n in ("José Antonio Kast", "Claudia Sheinbaum Pardo", "Luiz Inácio Lula da Silva",
                                 "Pope Leo XIV", "Gustavo Petro")] == ["kast", "sheinbaum", "lula", "leo", "petro"]
    assert dates_compatible("2025-12-22", "2025-12-23") and dates_compatible(None, "2026")
    assert not dates_compatible("2025-12-01", "2026-01-20")
    assert tour_slug(Tour(articles=[art("x_y", None)])) == "x-y"


# --- end to end, through the real extraction (skipped until the extraction stages exist) -----

needs_pipeline = pytest.mark.skipif(
    not all(importlib.util.find_spec(f"tourmap.{m}") for m in ("article", "mentions", "tour", "geocode")),
    reason="extraction stages not in the tree yet")


@needs_pipeline
def test_extract_two_articles_in_sequence():
    """The seed announces Quito on Monday 22; a later report says the meeting was on Tuesday 23."""
    runner = CliRunner()
    res = runner.invoke(cli, ["extract", str(SEED), str(LATER), "--format", "json"])
    assert res.exit_code == 0, res.output
    tour = json.loads(res.stdout)
    assert [a["id"] for a in tour["articles"]] == ["000_ef3bafede1ed9db9", "001_kast_quito_later"]
    quito = next(s for s in tour["stops"] if s["name"] == "Quito")
    assert (quito["date"], quito["status"]) == ("2025-12-23", "completed")
    assert quito["sources"] == ["000_ef3bafede1ed9db9", "001_kast_quito_later"]
    assert {e["article"] for e in quito["evidence"]} == set(quito["sources"])
    assert [s["name"] for s in tour["stops"]].count("Quito") == 1
    first = json.loads(runner.invoke(cli, ["extract", str(SEED)]).stdout)
    q0 = next(s for s in first["stops"] if s["name"] == "Quito")
    if q0["date"] != "2025-12-22":
        pytest.xfail(f"extraction gives {q0['date']!r} for Quito in the seed, so there is no conflict to record")
    assert ("Quito: fecha 2025-12-22 (000_ef3bafede1ed9db9) frente a 2025-12-23 (001_kast_quito_later): "
            "se mantiene 2025-12-23 (artículo más reciente)" in tour["conflicts"])
    table = runner.invoke(cli, ["extract", str(SEED), str(LATER), "--format", "table"])
    assert "Conflicts:" in table.stdout and "se mantiene 2025-12-23" in table.stdout


def test_extract_two_fake_articles_in_sequence(tmp_path, monkeypatch):
    """The same story through the CLI with the extraction stubbed (runs before extraction exists)."""
    fakes.install(monkeypatch)
    a = fakes.write_article(tmp_path, "000_seed.md", traveler="José Antonio Kast", published="2025-12-21",
                            stops=[dict(fakes.QUITO, date="2025-12-22", met=["Daniel Noboa"])])
    b = fakes.write_article(tmp_path, "001_later.md", traveler="Kast", published="2025-12-24",
                            stops=[dict(fakes.QUITO, date="2025-12-23", status="completed")])
    res = CliRunner().invoke(cli, ["extract", str(a), str(b), "--format", "table"])
    assert res.exit_code == 0, res.output
    assert ("  - Quito: fecha 2025-12-22 (000_seed) frente a 2025-12-23 (001_later): se mantiene 2025-12-23 "
            "(artículo más reciente)\n") in res.stdout
    assert "000_seed; 001_later" in res.stdout


# --- properties -------------------------------------------------------------------------------

PLACES = [("Quito", *QUITO), ("Lima", *LIMA), ("Buenos Aires", *BSAS)]
TRAVELERS = ["José Antonio Kast", "Kast", "Daniel Noboa", None]


@st.composite
def article_tours(draw):
    n = draw(st.integers(1, 5))
    tours = []
    for i in range(n):
        pub = draw(st.one_of(st.none(), st.dates(min_value=dt.date(2025, 10, 1), max_value=dt.date(2026, 3, 1))))
        stops = []
        for name, lat, lon in draw(st.lists(st.sampled_from(PLACES), max_size=3)):
            day = draw(st.one_of(st.none(), st.integers(1, 28)))
            stops.append(stop(name, lat, lon, date=f"2025-12-{day:02d}" if day else None,
                              status=draw(st.sampled_from(["planned", "completed"])), article=f"a{i}"))
        tours.append(Tour(articles=[art(f"a{i}", pub.isoformat() if pub else None)],
                          traveler=draw(st.sampled_from(TRAVELERS)), stops=stops))
    return tours


@hsettings(max_examples=60, deadline=None)
@given(tours=article_tours(), seed=st.randoms())
def test_merge_properties(tours, seed):
    merged = merge_tours(tours, settings=Settings())
    shuffled = list(tours)
    seed.shuffle(shuffled)
    assert [t.to_json() for t in merge_tours(shuffled, settings=Settings())] == [t.to_json() for t in merged]
    assert len({t.slug for t in merged}) == len(merged)
    for t in tours:  # every reported stop is in some tour, citing its article
        for s in t.stops:
            assert any(s.name == m.name and t.articles[0].id in m.sources for mt in merged for m in mt.stops)
    for mt in merged:
        dated = [m.date for m in mt.stops if m.date]
        assert dated == sorted(dated)


def test_stops_only_the_newer_article_has_go_where_it_tells_them():
    bogota = (4.711, -74.0721)
    a = Tour(articles=[art("a", "2025-12-20")], traveler="Kast",
             stops=[stop("Quito", *QUITO), stop("Lima", *LIMA)])
    b = Tour(articles=[art("b", "2025-12-22")], traveler="Kast",
             stops=[stop("Bogotá", *bogota), stop("Quito", *QUITO), stop("Buenos Aires", *BSAS),
                    stop("Lima", *LIMA)])
    [t] = merge_tours([a, b], settings=Settings())
    assert [s.name for s in t.stops] == ["Bogotá", "Quito", "Buenos Aires", "Lima"]
