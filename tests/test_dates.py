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
    ("A week ago today, Modi left the capital", "2024-01-09", "en", "2024-01-02"),
    ("Hoy hace una semana, el presidente llegó a Lima", "2024-01-09", "es", "2024-01-02"),
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


# --- issue 12: dates that hold on real text -------------------------------------------------------

def _found(text: str, published: str, lang: str) -> list[tuple[str, str | None, str | None]]:
    return [(text[d.start:d.end], d.value, d.value_end)
            for d in find_dates(text, published=published, lex=load_lexicon(lang)) if d.value]


@pytest.mark.parametrize("lang,text,value", [
    ("es", "El lunes 28 había sido recibido en Lima.", "2024-10-28"),
    ("pt", "Na segunda-feira 28 havia sido recebido em Lima.", "2024-10-28"),
    ("en", "On Monday 28 he had been received in Lima.", "2024-10-28"),
])
def test_a_day_number_is_never_cut(lang, text, value):
    # "28 había" is not "2" followed by something: the whole number is the day
    assert resolve_one(text, published="2024-10-29", lang=lang) == value


@pytest.mark.parametrize("lang,text", [
    ("pt", "Bolsonaro prometeu regressar a 7 de setembro."),
    ("es", "El presidente prometió volver el 7 de septiembre."),
    ("en", "He promised to return on September 7."),
])
def test_a_promise_with_an_infinitive_points_forward(lang, text):
    assert resolve_one(text, published="2022-07-10", lang=lang) == "2022-09-07"


@pytest.mark.parametrize("lang,text", [
    ("es", "La gira tendrá un epílogo a finales de mes en Nueva York."),
    ("es", "Viajará a fin de mes."),
    ("en", "He will be in New York at the end of the month."),
    ("pt", "Ele vai a Nova York no fim do mês."),
])
def test_end_of_the_month_is_the_month(lang, text):
    assert resolve_one(text, published="2023-04-19", lang=lang) == "2023-04"


@pytest.mark.parametrize("text,published,values", [
    ("He arrives Feb. 4 and will leave on Aug 22.", "2025-02-01", ["2025-02-04", "2025-08-22"]),
    ("The talks end Sept. 12.", "2025-09-01", ["2025-09-12"]),
    ("She will arrive in Singapore on Sunday (Aug 22) for a three-day visit.", "2021-08-19", ["2021-08-22"]),
    ("The summit opens Tuesday, Feb. 4, in Riyadh.", "2025-01-30", ["2025-02-04"]),
    ("The summit is scheduled for Monday, Aug. 25 (U.S. time).", "2025-08-19", ["2025-08-25"]),
])
def test_english_abbreviated_months(text, published, values):
    assert [v for _, v, _ in _found(text, published, "en")] == values


@pytest.mark.parametrize("lang,text,published,first,last", [
    ("es", "Estará el 3 y 4 de marzo en Lima.", "2025-02-20", "2025-03-03", "2025-03-04"),
    ("es", "Recorrerá el país del lunes 3 al miércoles 5.", "2025-02-20", "2025-03-03", "2025-03-05"),
    ("es", "Del jueves al viernes estará en Belém.", "2025-10-31", "2025-11-06", "2025-11-07"),
    ("es", "del 18 al 20 de noviembre", "2025-12-04", "2025-11-18", "2025-11-20"),
    ("es", "Estará del 30 de junio al 2 de julio en Lima.", "2025-06-20", "2025-06-30", "2025-07-02"),
    ("en", "From Tuesday to Thursday he will be in Rome.", "2025-02-20", "2025-02-25", "2025-02-27"),
    ("en", "He will be in Paris between March 3 and 5.", "2025-02-20", "2025-03-03", "2025-03-05"),
    ("en", "The forum runs 3-5 March.", "2025-02-20", "2025-03-03", "2025-03-05"),
    ("en", "The forum runs March 3–5.", "2025-02-20", "2025-03-03", "2025-03-05"),
    ("en", "The APEC summit, from Nov. 14 to 16, was in Lima.", "2024-11-21", "2024-11-14", "2024-11-16"),
    ("en", "Wednesday (Aug 25) to Thursday (Aug 26): meetings in Hanoi", "2021-08-19", "2021-08-25", "2021-08-26"),
    ("pt", "Estará entre os dias 8 e 10 de julho em Lisboa.", "2025-06-20", "2025-07-08", "2025-07-10"),
    ("pt", "Estará de 8 a 10 de julho no Porto.", "2025-06-20", "2025-07-08", "2025-07-10"),
    ("pt", "A cúpula vai de terça (22) a quinta-feira (24).", "2024-10-20", "2024-10-22", "2024-10-24"),
])
def test_ranges_give_first_and_last_day(lang, text, published, first, last):
    found = _found(text, published, lang)
    assert [(v, e) for _, v, e in found] == [(first, last)]


def test_days_joined_by_and_that_do_not_follow_each_other_are_two_days():
    found = _found("Estará en Lima los días 3 y 10 de marzo.", "2025-02-20", "es")
    assert [(v, e) for _, v, e in found] == [("2025-03-03", None), ("2025-03-10", None)]


@pytest.mark.parametrize("lang,text,published,values", [
    # the eve: the day before the day told just before; with none told, an unknown time
    ("es", "El 18 de junio llegó a Lima. La víspera había estado en Quito.", "2025-06-20", ["2025-06-18", "2025-06-17"]),
    ("es", "Fue recibido esta mañana por el papa. La víspera, en Roma, se había reunido con Mattarella.",
     "2025-01-24", ["2025-01-24", "2025-01-23"]),
    ("pt", "Chegou na quinta-feira (19). Na véspera, esteve em Quito.", "2025-06-20", ["2025-06-19", "2025-06-18"]),
    ("en", "He landed on June 18. The day before he had been in Quito.", "2025-06-20", ["2025-06-18", "2025-06-17"]),
    ("es", "la noche del martes llegó", "2025-06-20", ["2025-06-17"]),
    ("es", "Anoche llegó a Lima.", "2025-06-20", ["2025-06-19"]),
    ("es", "Ayer estuvo en Quito.", "2025-06-20", ["2025-06-19"]),
    ("pt", "Ontem à noite chegou a Brasília.", "2025-06-20", ["2025-06-19"]),
    ("en", "He arrived last night.", "2025-06-20", ["2025-06-19"]),
    # "mañana jueves": one day, the weekday checking the word
    ("es", "Mañana jueves viajará a Zúrich.", "2024-01-17", ["2024-01-18"]),
    ("pt", "Amanhã, sábado, viaja para Roma.", "2025-06-20", ["2025-06-21"]),
    ("en", "Tomorrow (Thursday) he flies to Zurich.", "2024-01-17", ["2024-01-18"]),
    ("es", "Recordatorio: ayer lunes fue Biden quien visitó Kiev.", "2023-02-21", ["2023-02-20"]),
])
def test_relative_days(lang, text, published, values):
    assert [v for _, v, _ in _found(text, published, lang)] == values


def test_the_eve_with_no_day_before_is_an_unknown_time():
    found = find_dates("La víspera llegó a Lima.", published="2025-06-20", lex=load_lexicon("es"))
    assert [(d.value, d.role) for d in found] == [(None, "vague")]


@pytest.mark.parametrize("lang,text", [
    ("es", "Este fin de semana irá a Cusco."),
    ("en", "This weekend he will visit Rome."),
    ("pt", "Neste fim de semana vai a Roma."),
])
def test_this_weekend_is_saturday_to_sunday(lang, text):
    # documented choice: the coming weekend (the current one on a Saturday or a Sunday)
    assert [(v, e) for _, v, e in _found(text, "2025-06-18", lang)] == [("2025-06-21", "2025-06-22")]
    assert [(v, e) for _, v, e in _found(text, "2025-06-22", lang)] == [("2025-06-21", "2025-06-22")]


@pytest.mark.parametrize("lang,text,published,values", [
    # each weekday takes the tense of its own clause, not the other clause's verb
    ("es", "Llegó a Lima el lunes; el jueves viajará a Quito.", "2025-06-18", ["2025-06-16", "2025-06-19"]),
    ("es", "Bukele, que llegó el jueves, será recibido el lunes por Milei.", "2025-06-21", ["2025-06-19", "2025-06-23"]),
    ("es", "El Mandatario anunció que el martes volverá a la zona.", "2024-02-05", ["2024-02-06"]),
    ("en", "Biden, who visited Tel Aviv on Wednesday, is expected to ask Congress for aid.", "2023-10-20", ["2023-10-18"]),
    ("pt", "Chegou a Lisboa na segunda-feira e na quarta-feira vai ao Porto.", "2025-06-17", ["2025-06-16", "2025-06-18"]),
    # an hour's colon does not end the clause
    ("es", "Abinader dio a la 1:30 de la tarde del domingo, en Dajabón, el palazo con el que comienza la obra.",
     "2022-02-21", ["2022-02-20"]),
    # present tense of a schedule: the coming day
    ("es", "Lula viaja el sábado a Roma.", "2025-06-16", ["2025-06-21"]),
    ("en", "Tillerson is expected on Monday in N'Djamena.", "2018-03-10", ["2018-03-12"]),
    ("en", "On Saturday he will say Mass in Trujillo, and his trip ends on Sunday with a Mass in Lima.",
     "2018-01-17", ["2018-01-20", "2018-01-21"]),
    ("pt", "O presidente regressa ao país na segunda-feira.", "2025-02-15", ["2025-02-17"]),
    # a promise or a plan with an infinitive points forward
    ("es", "Prometió volver el lunes a Lima.", "2025-06-18", ["2025-06-23"]),
    # the day something is set for
    ("es", '"Los aranceles programados para el lunes quedan suspendidos", escribió Trump.', "2019-06-08", ["2019-06-10"]),
    # a live blog's time stamp: the clause has no verb, its sentence tells the past in the present
    ("pt", "Entradas em ordem cronológica.\n\n**Sábado, 18:30** — O presidente parte para Haia.", "2018-10-01",
     ["2018-09-29"]),
    # a subheading without a verb reads with the paragraph it heads
    ("pt", "BANGALORE, O VALE DO SILÍCIO\n\nNo domingo, a comitiva voou para Bangalore.", "2017-01-13", ["2017-01-08"]),
])
def test_a_weekday_takes_the_tense_of_its_own_clause(lang, text, published, values):
    assert [v for _, v, _ in _found(text, published, lang)] == values


def test_a_schedule_told_by_weekdays_runs_forward():
    text = ("King Charles will begin his state visit in Germany next Wednesday, the palace said on Friday. "
            "On Thursday he will address the Bundestag. On Friday they will take the train to Hamburg.")
    assert [(t, v) for t, v, _ in _found(text, "2023-03-24", "en")] == [
        ("next Wednesday", "2023-03-29"), ("on Friday", "2023-03-24"),
        ("On Thursday", "2023-03-30"), ("On Friday", "2023-03-31")]
    agenda = ("El martes por la tarde volará a Yakarta. El miércoles se reunirá con Prabowo. "
              "El jueves ambos visitarán Borobudur. El viernes hablará en Singapur.")
    assert [v for _, v, _ in _found(agenda, "2025-05-22", "es")] == ["2025-05-27", "2025-05-28", "2025-05-29", "2025-05-30"]


@pytest.mark.parametrize("lang,text,published,value", [
    ("es", "El martes 4 viajó a Lima.", "2025-11-10", "2025-11-04"),
    ("pt", "foi recebido nesta quarta-feira (17) pelo colega", "2024-04-17", "2024-04-17"),
    ("pt", "- **Segunda-feira, 25** — chegada a Lisboa", "2024-11-26", "2024-11-25"),
    ("pt", "a reunião é com Modi, na segunda-feira (17) de manhã, ainda em Goa", "2016-10-13", "2016-10-17"),
    ("en", "He will arrive on Tuesday, Feb. 4.", "2025-01-30", "2025-02-04"),
])
def test_a_weekday_with_its_day_is_that_day(lang, text, published, value):
    assert resolve_one(text, published=published, lang=lang) == value


@pytest.mark.parametrize("lang,text,published,value", [
    ("en", "The trip was scheduled for October.", "2023-04-14", "2023-10"),
    ("en", "The trip was originally scheduled for October but was postponed.", "2024-12-03", "2024-10"),
    ("pt", "A viagem à China estava prevista para março, mas foi adiada.", "2023-04-14", "2023-03"),
    ("pt", "A eleição presidencial da Venezuela, marcada para 28 de julho, esteve na pauta.", "2024-04-17", "2024-07-28"),
])
def test_the_day_or_month_a_plan_is_set_for(lang, text, published, value):
    assert resolve_one(text, published=published, lang=lang) == value


@pytest.mark.parametrize("lang,text", [
    ("es", "El mandatario llegó en helicóptero desde Santo Domingo."),
    ("pt", "Será a segunda viagem de Lula à África."),
    ("es", "El acto será a las 10.30 horas."),
])
def test_names_and_ordinals_are_not_weekdays(lang, text):
    assert _found(text, "2025-06-18", lang) == []


def test_windows_around_anchors_find_what_a_whole_scan_finds(monkeypatch):
    """Patterns run only around month, weekday, number and date-word anchors: the same expressions
    as running every pattern over the whole text."""
    from pathlib import Path

    from tourmap import dates
    from tourmap.article import read_article

    root = Path(__file__).parent / "data"
    arts = [read_article(p) for p in sorted((root / "eval").glob("*.md"))[:6]]
    text = "\n\n".join(a.text for a in arts if a.language == "es")
    windowed = find_dates(text, published="2025-12-21", lex=load_lexicon("es"))
    monkeypatch.setattr(dates._Reader, "_windows", lambda self: {c: [(0, len(self.text))] for c in
                                                                  ("num", "mon", "wd", "yearend", "word", "vague")})
    assert find_dates(text + "", published="2025-12-21", lex=load_lexicon("es")) == windowed
    assert len(windowed) > 20


def test_a_source_aside_carries_no_tense():
    lex = load_lexicon("es")
    s = "Para este lunes, según informó la Presidencia, la mandataria tiene previsto trasladarse a Hidalgo."
    assert tense_at(s, s.index("lunes"), lex) == "future"
