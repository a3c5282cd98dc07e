"""Date grammar: each phrase resolved against a publication date, keeping the precision."""
from __future__ import annotations

import pytest

from tourmap.dates import clause_bounds, find_dates, resolve_one, tense_at
from tourmap.lexicon import load_lexicon

CASES = [
    # (phrase, published, language, expected)
    ("este lunes 22 se verá con el presidente", "2025-12-21", "es", "2025-12-22"),
    ("el pasado martes llegó a Lima", "2025-12-21", "es", "2025-12-16"),
    ("el martes pasado llegó a Lima", "2025-12-21", "es", "2025-12-16"),
    ("el próximo jueves viajará", "2025-12-21", "es", "2025-12-25"),
    ("El martes 28 aterrizó en Riad", "2025-11-03", "es", "2025-10-28"),
    ("El viernes 31 fue el turno de El Cairo", "2025-11-03", "es", "2025-10-31"),
    ("la noche del lunes llegó", "2025-11-05", "es", "2025-11-03"),
    ("en la madrugada del martes partirá", "2025-11-05", "es", "2025-11-11"),
    ("Kast llegará en enero y visitará al presidente", "2025-12-21", "es", "2026-01"),
    ("en enero viajó a Davos", "2025-12-21", "es", "2025-01"),
    ("el próximo mes viajará a Brasil", "2025-12-21", "es", "2026-01"),
    ("la cita será el 11 de marzo", "2025-12-21", "es", "2026-03-11"),
    ("asumirá en marzo de 2026", "2025-12-21", "es", "2026-03"),
    ("adonde llegó el domingo", "2025-11-03", "es", "2025-11-02"),
    ("este jueves cumplió una agenda", "2025-09-04", "es", "2025-09-04"),
    ("termina mañana, martes 4 de noviembre", "2025-11-03", "es", "2025-11-04"),
    ("El domingo 21 será el turno de la península", "2025-09-17", "es", "2025-09-21"),
    ("desde el jueves por la noche", "2024-09-30", "es", "2024-09-26"),
    ("El martes, antes de emprender el regreso, irá al Congreso", "2024-09-30", "es", "2024-10-01"),
    ("del 18 al 20 de noviembre", "2025-12-04", "es", "2025-11-18"),
    ("On Thursday he began in Ankara", "2025-11-30", "en", "2025-11-27"),
    ("on Sunday afternoon as the pope landed", "2025-11-30", "en", "2025-11-30"),
    ("On Tuesday he will pray at the port", "2025-11-30", "en", "2025-12-02"),
    ("December 21, 2025", "2025-12-21", "en", "2025-12-21"),
    ("next month he will travel", "2025-12-21", "en", "2026-01"),
    ("foi recebido nesta quarta-feira (17) pelo colega", "2024-04-17", "pt", "2024-04-17"),
    ("na noite de terça-feira (16)", "2024-04-17", "pt", "2024-04-16"),
    ("Em julho do ano passado, os dois líderes", "2024-04-17", "pt", "2023-07"),
    ("No sábado (15), o presidente segue para Abu Dhabi", "2023-04-14", "pt", "2023-04-15"),
]


@pytest.mark.parametrize("phrase,published,lang,expected", CASES)
def test_resolves(phrase, published, lang, expected):
    assert resolve_one(phrase, published=published, lang=lang) == expected


@pytest.mark.parametrize("phrase", ["la plaza de Mayo", "a las 10.30 de la mañana", "el Gran Premio de 2020 Beirut"])
def test_no_invented_dates(phrase):
    lex = load_lexicon("es")
    assert [d.value for d in find_dates(phrase, published="2025-09-17", lex=lex) if d.value and len(d.value) == 10] == []


def test_morning_is_not_tomorrow():
    assert resolve_one("llegó a las 10.30 de la mañana del lunes", published="2025-09-17", lang="es") == "2025-09-15"


def test_vague_time_is_a_blocker():
    lex = load_lexicon("es")
    found = find_dates("y, más adelante, visitará Perú", published="2025-12-21", lex=lex)
    assert found and found[0].value is None and found[0].role == "vague"


def test_range_end_role():
    lex = load_lexicon("es")
    found = find_dates("una gira que se extenderá hasta el 11 de diciembre", published="2025-12-04", lex=lex)
    assert [(d.value, d.role) for d in found] == [("2025-12-11", "end")]


def test_week_later_is_relative_to_previous_date():
    lex = load_lexicon("es")
    found = find_dates("El 3 de mayo llegó a Quito. Una semana más tarde viajó a Lima.", published="2025-06-01", lex=lex)
    assert [d.value for d in found] == ["2025-05-03", "2025-05-10"]


def test_no_publication_date_gives_only_absolute_dates():
    lex = load_lexicon("es")
    values = [d.value for d in find_dates("el lunes llegó; el 4 de mayo de 2024 partió", published=None, lex=lex)]
    assert values == ["2024-05-04"]


def test_tense():
    lex = load_lexicon("es")
    s = "Kast se reunió con Milei y viajará a Quito"
    assert tense_at(s, s.index("Milei"), lex, window=(0, s.index(" y "))) == "past"
    assert tense_at(s, s.index("Quito"), lex) == "future"
    en = load_lexicon("en")
    s2 = "the pope is expected to head north"
    assert tense_at(s2, s2.index("north"), en) == "future"


def test_clause_bounds_split_on_conjunction_after_comma():
    s = "llegó a Lima el lunes, y después viajará a Quito"
    lo, hi = clause_bounds(s, s.index("Quito"))
    assert s[lo:hi].strip().startswith("después")


@pytest.mark.parametrize("phrase,published,lang,expected", [
    ("onde assistiu, no dia 22, à cerimônia", "2019-10-28", "pt", "2019-10-22"),
    ("llegará el día 3 a Lima", "2019-10-28", "es", "2019-11-03"),
    ("he arrived on the 22nd", "2019-10-28", "en", "2019-10-22"),
    ("volará esta noche a Tucumán", "2024-07-08", "es", "2024-07-08"),
    ("he flies to Ottawa tonight", "2023-09-21", "en", "2023-09-21"),
])
def test_day_of_month_and_tonight(phrase, published, lang, expected):
    assert resolve_one(phrase, published=published, lang=lang) == expected


@pytest.mark.parametrize("phrase,lang", [
    ("a memorial to the victims of the September 11 attacks", "en"),
    ("los atentados del 11 de septiembre", "es"),
    ("la agenda llega un día después de su paso por Madrid", "es"),
])
def test_dates_that_name_an_event_or_count_from_one_are_not_days(phrase, lang):
    assert resolve_one(phrase, published="2023-09-21", lang=lang) is None


@pytest.mark.parametrize("lang,text,value", [
    ("en", "It follows his visit to Guyana last November.", "2024-11"),
    ("en", "He will return next March.", "2026-03"),
    ("es", "Estuvo allí el pasado noviembre.", "2024-11"),
    ("es", "Volverá en marzo próximo.", "2026-03"),
    ("pt", "Esteve lá em novembro passado.", "2024-11"),
])
def test_month_named_with_last_or_next(lang, text, value):
    ds = find_dates(text, published="2025-07-05", lex=load_lexicon(lang))
    assert [d.value for d in ds] == [value]


@pytest.mark.parametrize("lang,text", [
    ("es", "Y el último día del año volverá a Cancún."),
    ("en", "On the last day of the year he will be in Rome."),
    ("pt", "No último dia do ano estará em Roma."),
])
def test_last_day_of_the_year(lang, text):
    ds = find_dates(text, published="2023-12-14", lex=load_lexicon(lang))
    assert [d.value for d in ds] == ["2023-12-31"]
