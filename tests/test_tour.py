"""The hand-written rules of the tour stage, one phenomenon per test, on short texts written for the test.

The rules are the trained decisions' strongest features and the whole decision when no model ships
(a newsroom can run without them); these tests pin them down with the models switched off.
The shipped decisions are tested on whole articles (test_extract_samples.py, test_decisions.py).
"""
from __future__ import annotations

import dataclasses
from functools import lru_cache

from tourmap.config import Settings
from tourmap.decide import Decisions
from tourmap.knowledge import knowledge_for
from tourmap.mentions import find_mentions
from tourmap.models import Article
from tourmap.tour import assemble_tour


@lru_cache(maxsize=1)
def rules():
    return dataclasses.replace(knowledge_for(Settings()), decisions=Decisions())


def tour(text: str, *, lang: str = "es", published: str = "2025-12-21", title: str = ""):
    art = Article(id="t", path="t.txt", title=title, text=text, published=published, language=lang)
    return assemble_tour(find_mentions(art, knowledge=rules()), knowledge=rules())


def names(t):
    return [s.name for s in t.stops]


def test_travel_verb_makes_a_stop_with_date_and_status():
    t = tour("El presidente Gustavo Petro llegó este lunes a Lima, donde se reunió con José Jerí.",
             published="2025-12-23")
    assert names(t) == ["Lima"]
    s = t.stops[0]
    assert s.date == "2025-12-22" and s.status == "completed" and s.met == ["José Jerí"]
    assert s.evidence and t.articles[0].text[s.evidence[0].start:s.evidence[0].end] == s.evidence[0].quote


def test_future_and_planned_cues():
    t = tour("Gustavo Petro viajará el próximo martes a Quito. Además, tiene previsto visitar Lima en enero.")
    assert [(s.name, s.date, s.status) for s in t.stops] == [("Quito", "2025-12-23", "planned"),
                                                             ("Lima", "2026-01", "planned")]


def test_country_visit_goes_to_the_seat_of_the_leader_met():
    t = tour("Gustavo Petro viajará a Ecuador para reunirse con Daniel Noboa.")
    assert names(t) == ["Quito"] and t.stops[0].met == ["Daniel Noboa"]


def test_meeting_with_foreign_leader_without_place():
    t = tour("Este lunes 22, Gustavo Petro tiene previsto reunirse con el mandatario ecuatoriano Daniel Noboa.")
    assert names(t) == ["Quito"] and t.stops[0].date == "2025-12-22"


def test_not_stops_layover_cancelled_birthplace_earlier_trip():
    text = ("Javier Milei hizo una escala técnica en Lima antes de seguir hacia Madrid, adonde llegó el jueves. "
            "La parada en París fue cancelada. Milei, nacido en Buenos Aires, ya visitó Roma el año pasado.")
    t = tour(text, published="2025-09-05")
    assert names(t) == ["Madrid"]


def test_return_home_is_not_a_stop():
    t = tour("Gustavo Petro se reunió el martes en Riad con Mohamed bin Salmán. "
             "De vuelta en Bogotá, preparará la cumbre de Santa Marta.", published="2025-10-30")
    assert names(t) == ["Riad"]
    assert t.origin is not None and t.origin.name == "Bogotá"


def test_role_phrase_and_organisation_are_not_stops():
    t = tour("Gabriel Boric viajó a Quito acompañado por el gobernador de Arica y el embajador en Washington. "
             "Visitó la Universidad de Buenos Aires.", published="2025-12-21")
    assert names(t) == ["Quito"]


def test_other_person_travelling_is_not_the_traveler():
    t = tour("Gabriel Boric llegó el lunes a Lima. En junio, Javier Milei viajó a Asunción.",
             published="2025-12-21", title="Boric llega a Lima")
    assert t.traveler == "Gabriel Boric" and names(t) == ["Lima"]


def test_same_city_later_is_a_new_stop_and_order_follows_dates():
    text = ("Leo XIV landed in Beirut on Sunday. He began on Thursday in Ankara. "
            "On Monday he will travel to Harissa. On Tuesday he will pray in Beirut.")
    t = tour(text, lang="en", published="2025-11-30")
    assert [(s.name, s.date) for s in t.stops] == [("Ankara", "2025-11-27"), ("Beirut", "2025-11-30"),
                                                   ("Harissa", "2025-12-01"), ("Beirut", "2025-12-02")]


def test_consecutive_mentions_of_one_city_merge():
    t = tour("Lula desembarcou em Bogotá na noite de terça-feira (16). Nesta quarta-feira (17) foi recebido "
             "por Gustavo Petro na capital colombiana.", lang="pt", published="2024-04-17")
    assert names(t) == ["Bogotá"] and t.stops[0].met == ["Gustavo Petro"]


def test_landmark_stands_for_its_city_and_outside_one_is_its_own_stop():
    t = tour("Javier Milei recibió el lunes a Nayib Bukele en la Casa Rosada. Por la noche, Milei ofrecerá una "
             "cena en su honor en la Quinta de Olivos.", published="2024-09-30", title="Bukele en Argentina")
    assert t.traveler == "Nayib Bukele"
    assert [(s.name, s.landmark, s.status) for s in t.stops] == [
        ("Buenos Aires", "Casa Rosada", "completed"), ("Olivos", "Quinta de Olivos", "planned")]
    assert t.stops[0].met == ["Javier Milei"]


def test_companions_are_not_met():
    t = tour("Daniel Noboa llegó el jueves a Madrid acompañado por la canciller Gabriela Sommerfeld y se reunió "
             "con Pedro Sánchez.", published="2025-12-05")
    assert t.stops[0].met == ["Pedro Sánchez"]


def test_no_date_when_the_text_gives_none():
    t = tour("Tras reunirse con Javier Milei en Buenos Aires, Gabriel Boric viajará este lunes 22 a Quito.")
    assert [(s.name, s.date, s.status) for s in t.stops] == [("Buenos Aires", None, "completed"),
                                                             ("Quito", "2025-12-22", "planned")]


def test_month_between_two_dated_stops():
    text = ("Daniel Noboa cumplió este jueves en Madrid su primera actividad. Luego viajará a Emiratos Árabes "
            "Unidos. El cierre será el miércoles 10 de diciembre en Oslo.")
    t = tour(text, published="2025-12-04")
    assert [(s.name, s.date) for s in t.stops] == [("Madrid", "2025-12-04"), ("Abu Dhabi", "2025-12"),
                                                   ("Oslo", "2025-12-10")]


def test_region_and_corridor():
    text = ("José Antonio Kast viajará a Quito. Lo acompaña el gobernador de Arica, con énfasis en el control "
            "fronterizo. El encuentro tratará el corredor humanitario tras el cierre de fronteras de Perú y Ecuador.")
    t = tour(text)
    assert t.regions and t.regions[0].kind == "border" and t.regions[0].countries == ["CL", "PE"]
    assert t.regions[0].anchor.name == "Arica"
    assert t.corridors and t.corridors[0].name == "corredor humanitario" and t.corridors[0].status == "proposed"
    assert t.corridors[0].countries == ["PE", "EC"]


def test_english_and_negation():
    t = tour("Donald Trump arrived in Doha on Wednesday. He did not travel to Istanbul, and a visit to Ankara "
             "was ruled out.", lang="en", published="2025-05-15")
    assert names(t) == ["Doha"]


def test_generated_title_when_article_has_none():
    t = tour("Gustavo Petro llegó este lunes a Lima.", published="2025-12-23")
    assert t.title == "Gira de Gustavo Petro: Lima"


def test_empty_text_gives_empty_tour():
    t = tour("Sin noticias.")
    assert t.stops == [] and t.traveler is None


def test_landmark_speaking_for_a_government_is_not_a_stop_and_context_resolves_names():
    t = tour("LONDON — Prime Minister Keir Starmer will fly to Washington on Wednesday evening ahead of a meeting "
             "with President Donald Trump at the White House on Thursday, Downing Street said.",
             lang="en", published="2025-02-26", title="Starmer flies to Washington for talks with Trump")
    assert t.traveler == "Keir Starmer"
    assert [(s.name, s.country) for s in t.stops] == [("Washington", "US")]
    assert t.stops[0].met == ["Donald Trump"]


def test_next_leg_comes_after_the_days_of_its_paragraph():
    t = tour("Emmanuel Macron llegará el sábado a Buenos Aires antes de seguir hacia Río de Janeiro. "
             "El domingo será recibido por Javier Milei en la Quinta de Olivos.",
             published="2024-11-15", title="Milei recibirá a Macron")
    assert t.traveler == "Emmanuel Macron"
    assert [s.name for s in t.stops] == ["Buenos Aires", "Olivos", "Rio de Janeiro"]


def test_domestic_tour_weekend():
    t = tour("El presidente Bernardo Arévalo realizará este fin de semana una gira por el occidente del país. "
             "El sábado visitará Quetzaltenango y San Marcos, y el domingo cerrará la gira en Huehuetenango.",
             published="2025-03-05")
    assert [(s.name, s.date, s.status) for s in t.stops] == [
        ("Quetzaltenango", "2025-03-08", "planned"), ("San Marcos", "2025-03-08", "planned"),
        ("Huehuetenango", "2025-03-09", "planned")]


def test_person_met_before_the_next_journey_belongs_to_the_stop_before():
    t = tour("Lula chegou nesta segunda-feira (24) a Tóquio. Nesta quinta-feira (27), o presidente terá um encontro "
             "com o primeiro-ministro Shigeru Ishiba e depois viaja para Hanói, onde será recebido por To Lam.",
             lang="pt", published="2025-03-26")
    assert [(s.name, s.met) for s in t.stops] == [("Tokio", ["Shigeru Ishiba"]), ("Hanoi", ["To Lam"])]


def test_present_tense_today_is_completed():
    t = tour("Luiz Inácio Lula da Silva se reúne hoy con Gustavo Petro en la Casa de Nariño. Mañana viajará a "
             "Cartagena.", published="2024-04-17")
    assert [(s.name, s.date, s.status) for s in t.stops] == [("Bogotá", "2024-04-17", "completed"),
                                                             ("Cartagena", "2024-04-18", "planned")]


def test_topic_places_are_not_stops():
    t = tour("El presidente Gustavo Petro llegó el lunes a Lima, donde habló sobre la crisis en Venezuela y la "
             "situación en Haití.", published="2025-12-02")
    assert [s.name for s in t.stops] == ["Lima"]
    t = tour("Joe Biden arrived in Berlin on Friday to discuss the war in Ukraine and the ceasefire in Gaza.",
             lang="en", published="2025-12-06")
    assert [s.name for s in t.stops] == ["Berlín"]


def test_itinerary_list_after_a_cue_noun():
    t = tour("Gustavo Petro viajará el próximo lunes a Perú. La agenda incluye Lima, Cusco y Arequipa.",
             published="2025-12-02")
    assert [s.name for s in t.stops] == ["Lima", "Cusco", "Arequipa"]


def test_earlier_leg_told_later_goes_first():
    t = tour("Xi Jinping foi recebido nesta quarta-feira (20) por Lula em Brasília. Xi chegou na terça-feira (19), "
             "depois de participar da cúpula do G20 no Rio de Janeiro na segunda-feira (18). Antes, o líder chinês "
             "esteve em Lima, onde participou do fórum da Apec.", lang="pt", published="2024-11-20")
    assert [s.name for s in t.stops] == ["Lima", "Rio de Janeiro", "Brasília"]
    assert t.stops[0].date is None


# ---------------------------------------------------------------- generalisation rules (held-out failures)

def test_background_sentence_by_old_date_is_not_a_stop():
    t = tour("Joe Biden leaves on Wednesday for Hiroshima, where he will meet Fumio Kishida. "
             "In November he travelled to Phnom Penh for a summit and then to Jakarta.",
             lang="en", published="2023-05-17")
    assert names(t) == ["Hiroshima"]


def test_last_year_cue_inside_a_phrase_marks_background():
    t = tour("Pedro Sánchez aterrizará el miércoles en Hanói. En septiembre del año pasado una visita "
             "oficial le llevó a Shanghái.", published="2025-04-04")
    assert names(t) == ["Hanói"] or names(t) == ["Hanoi"]


def test_that_trip_refers_to_background():
    t = tour("Pedro Sánchez viajará el miércoles a Hanói. En 2023 visitó Pekín. Aquel viaje coincidió con el "
             "debate en Bruselas.", published="2025-04-04")
    assert "Bruselas" not in names(t) and "Bruselas" not in [s.name for s in t.stops]


def test_counterfactual_leg_is_cancelled():
    t = tour("Joe Biden will fly to Hiroshima on Thursday. Biden would have been the first president to visit "
             "Papua New Guinea, where he was to sign an agreement in Port Moresby with James Marape.",
             lang="en", published="2023-05-17")
    assert names(t) == ["Hiroshima"]


def test_refuelling_stop_is_not_a_stop():
    t = tour("Air Force One will make a refuelling stop in Anchorage before landing in Hiroshima on Thursday, "
             "where Joe Biden will meet Fumio Kishida.", lang="en", published="2023-05-17")
    assert names(t) == ["Hiroshima"]


def test_place_in_apposition_says_where_the_stop_is():
    t = tour("Na quarta-feira (27), Emmanuel Macron seguirá para Itaguaí, no litoral sul do estado do Rio de "
             "Janeiro, onde participará de uma cerimônia.", lang="pt", published="2024-03-25")
    assert [s.name for s in t.stops] == ["Itaguaí"]
    t = tour("El lunes, Francisco volará a Dili, en Timor Oriental, donde lo recibirá José Ramos-Horta.",
             published="2024-09-06")
    assert [s.name for s in t.stops] == ["Dili"]


def test_a_list_of_cities_is_not_an_apposition():
    t = tour("Gustavo Petro viajará el próximo lunes a Perú. La agenda incluye Lima, Cusco y Arequipa.",
             published="2025-12-02")
    assert names(t) == ["Lima", "Cusco", "Arequipa"]


def test_earlier_stop_named_to_date_the_next_is_not_a_new_stop():
    t = tour("El viernes Javier Milei llegará a Madrid. Al día siguiente volará a Hamburgo. Dos días después de "
             "su paso por Madrid, el domingo, Milei será recibido en Berlín por Olaf Scholz.", published="2024-06-17")
    assert [s.name for s in t.stops].count("Madrid") == 1


def test_future_venue_years_away_is_not_a_second_stop():
    t = tour("Emmanuel Macron desembarca na terça-feira (26) em Belém. Na quarta-feira (27) seguirá para São "
             "Paulo. O Brasil sediará em 2025 a COP30, justamente em Belém.", lang="pt", published="2024-03-25")
    assert [s.name for s in t.stops].count("Belém") == 1


def test_meeting_at_a_venue_the_trip_does_not_visit_is_not_a_seat_stop():
    t = tour("Javier Milei viajará el viernes a Madrid. El viaje llega días después de que Milei participara en "
             "la cumbre del G7 en Apulia, donde saludó a la primera ministra Giorgia Meloni.", published="2024-06-17")
    assert names(t) == ["Madrid"] and t.stops[0].met == []


def test_topic_after_sobre_is_not_a_stop():
    t = tour("Javier Milei viajará el viernes a Madrid para una conferencia sobre Ucrania.", published="2024-06-17")
    assert names(t) == ["Madrid"]


def test_government_speaking_through_its_seat_inverted_is_not_a_stop():
    t = tour("Emmanuel Macron desembarca nesta terça-feira (26) em Belém para uma visita de Estado, informou "
             "nesta segunda-feira o Itamaraty.", lang="pt", published="2024-03-25")
    assert [s.name for s in t.stops] == ["Belém"]


def test_region_capital_by_demonym():
    t = tour("Javier Milei había llegado a la capital tucumana el lunes por la noche, donde lo recibió el "
             "gobernador Osvaldo Jaldo.", published="2024-07-09")
    assert [s.name for s in t.stops] == ["San Miguel de Tucumán"] and t.stops[0].date == "2024-07-08"


def test_that_day_follows_a_background_sentence():
    t = tour("Javier Milei firmó el pacto en la capital tucumana el martes. Milei había convocado a los "
             "gobernadores el 25 de mayo en Córdoba, pero la convocatoria se postergó. Ese día el Presidente "
             "viajó a Córdoba para dar un discurso.", published="2024-07-09")
    assert "Córdoba" not in names(t)


def test_namesake_in_a_country_the_story_never_names_is_dropped():
    t = tour("Javier Milei llegó el lunes a la capital tucumana, donde lo recibió el gobernador Osvaldo Jaldo. "
             "El presidente argentino firmó el pacto con los gobernadores argentinos. Por la tarde encabezará "
             "en Palermo el desfile militar.", published="2024-07-09")
    assert "Palermo" not in names(t)


def test_denied_meeting_is_not_met():
    t = tour("La primera escala será el viernes en Madrid, donde Isabel Díaz Ayuso le entregará una medalla a "
             "Javier Milei. No está prevista ninguna reunión con Pedro Sánchez.", published="2024-06-17")
    assert names(t) == ["Madrid"]
    assert "Pedro Sánchez" not in t.stops[0].met


def test_seat_landmark_only_when_the_text_names_it():
    t = tour("Gustavo Petro viajará a Ecuador para reunirse con Daniel Noboa.")
    assert names(t) == ["Quito"] and t.stops[0].landmark is None
    t = tour("Gustavo Petro viajará a Ecuador para reunirse con Daniel Noboa en el Palacio de Carondelet.")
    assert names(t) == ["Quito"] and t.stops[0].landmark == "Palacio de Carondelet"


def test_region_named_in_the_article_language():
    from tourmap.tour import _region_name

    assert _region_name("es", ["CL", "PE"], "Arica") == "Frontera Chile-Perú (Arica)"
    assert _region_name("en", ["CL", "PE"], "Arica") == "Chile–Peru border (Arica)"
    assert _region_name("pt", ["CL", "PE"], "Arica") == "Fronteira Chile-Peru (Arica)"


def test_subtitle_agrees_in_number():
    t = tour("El presidente Gustavo Petro llegó este lunes a Lima, donde se reunió con José Jerí.",
             published="2025-12-23")
    assert t.subtitle.startswith("1 parada (1 realizada, 0 previstas)")
    t = tour("Joe Biden arrived in Hiroshima on Thursday, where he met Fumio Kishida.", lang="en",
             published="2023-05-19")
    assert t.subtitle.startswith("1 stop (1 completed, 0 planned)")


def test_date_of_the_report_is_not_the_date_of_the_visit():
    t = tour("Emmanuel Macron desembarca nesta terça-feira (26) em Belém para uma visita de Estado que passará "
             "por quatro cidades, informou nesta segunda-feira o governo.", lang="pt", published="2024-03-25")
    assert [(s.name, s.date, s.status) for s in t.stops] == [("Belém", "2024-03-26", "planned")]


def test_departure_day_gives_way_to_the_arrival_day():
    t = tour("Joe Biden leaves on Wednesday for Japan and the summit in Hiroshima. Biden is due to land on "
             "Thursday and travel on to Hiroshima, where he will hold talks with Fumio Kishida.",
             lang="en", published="2023-05-17")
    assert [(s.name, s.date) for s in t.stops] == [("Hiroshima", "2023-05-18")]


def test_traveler_is_not_the_one_met_after_a_meeting_verb():
    t = tour("Joe Biden leaves on Wednesday for Hiroshima, where he will meet Fumio Kishida.", lang="en",
             published="2023-05-17")
    assert t.traveler == "Joe Biden" and t.stops[0].met == ["Fumio Kishida"]


def test_hosts_in_the_plural_future_are_met():
    t = tour("El lunes, Francisco volará a Dili, en Timor Oriental, donde lo recibirán el presidente José "
             "Ramos-Horta y el primer ministro Xanana Gusmão.", published="2024-09-06")
    assert [s.name for s in t.stops] == ["Dili"]
    assert set(t.stops[0].met) == {"José Ramos-Horta", "Xanana Gusmão"}


def test_second_visit_is_still_this_trip():
    t = tour("Lula viajará el lunes a Montevideo; será la segunda vez que visita Uruguay este año, y se "
             "reunirá con Luis Lacalle Pou.", published="2023-01-22")
    assert [s.name for s in t.stops] == ["Montevideo"]


def test_not_only_is_not_a_negation():
    t = tour("Gustavo Petro no solo viajará el lunes a Quito: también visitará Lima.", published="2025-12-21")
    assert names(t) == ["Quito", "Lima"]


def test_overview_list_folds_into_the_dated_visits():
    t = tour("El presidente Gabriel Boric partirá este domingo rumbo a Bruselas, primera escala de una gira que lo "
             "llevará también a París y Madrid. Al día siguiente viajará a París, donde será recibido por Emmanuel "
             "Macron. La gira terminará el viernes en Madrid, donde se reunirá con Pedro Sánchez.",
             published="2023-06-10")
    assert [(s.name, s.date) for s in t.stops] == [("Bruselas", "2023-06-11"), ("París", "2023-06-12"),
                                                   ("Madrid", "2023-06-16")]


def test_coming_back_later_stays_a_second_visit():
    t = tour("Leo landed in Beirut on Sunday, where President Joseph Aoun was waiting. On Monday he will pray in "
             "Annaya. On Tuesday, before flying back to Rome, he will celebrate Mass in Beirut.",
             lang="en", published="2025-11-30")
    assert [s.name for s in t.stops] == ["Beirut", "Annaya", "Beirut"]


def test_people_met_on_a_told_day_go_to_the_stop_of_that_day():
    t = tour("WASHINGTON — Joe Biden welcomed Narendra Modi to the White House on Thursday. During his day in New "
             "York, where he landed on Tuesday, Modi met Elon Musk. On Friday, Kamala Harris will host a lunch "
             "for Modi.", lang="en", published="2023-06-22")
    by_name = {s.name: s.met for s in t.stops}
    assert "Kamala Harris" in by_name["Washington"]
    assert "Kamala Harris" not in by_name.get("Nueva York", [])


def test_region_of_a_country_the_story_never_names_is_dropped():
    t = tour("ANKARA — Turkish President Recep Tayyip Erdogan arrived in Budapest on Tuesday for talks with Prime "
             "Minister Viktor Orban, the first leg of a two-nation Balkan and Central European tour. Turkey "
             "and Hungary signed energy agreements.", lang="en", published="2024-05-08")
    assert [s.name for s in t.stops] == ["Budapest"]
    assert t.stops[0].met == ["Viktor Orban"]


def test_host_in_the_future_is_met():
    t = tour("On Wednesday Recep Tayyip Erdogan will travel to Belgrade, where Serbian President Aleksandar Vucic "
             "will host him for a business forum.", lang="en", published="2024-05-07")
    assert [s.name for s in t.stops] == ["Belgrado"] and t.stops[0].met == ["Aleksandar Vucic"]


def test_a_visit_told_with_arrival_and_meeting_is_dated_by_its_first_day_there():
    # the annotators' convention (eval notes: "dated by arrival; the meeting day is a defensible alternative")
    t = tour("Al día siguiente, el lunes, Gabriel Boric viajará a París. El miércoles, en París, será recibido por "
             "Emmanuel Macron en el Palacio del Elíseo.", published="2023-06-10")
    assert [(s.name, s.date) for s in t.stops] == [("París", "2023-06-12")]


def test_layover_with_a_meeting_is_a_stop():
    t = tour("El avión de Gustavo Petro hizo una escala técnica en Lima el martes, donde se reunió con la "
             "presidenta Dina Boluarte, antes de seguir hacia Madrid.", published="2023-05-17")
    assert [s.name for s in t.stops] == ["Lima", "Madrid"] and t.stops[0].met == ["Dina Boluarte"]
    t = tour("El avión de Gustavo Petro hizo una escala técnica en Lima el martes antes de seguir hacia Madrid, "
             "donde se reunirá con Pedro Sánchez.", published="2023-05-17")
    assert [s.name for s in t.stops] == ["Madrid"]


def test_return_with_an_activity_there_is_a_stop():
    t = tour("Gabriel Boric viajará el lunes a Arica. El martes regresará a Santiago, donde por la tarde "
             "encabezará una ceremonia militar.", published="2025-12-21")
    assert [(s.name, s.date) for s in t.stops] == [("Arica", "2025-12-22"), ("Santiago de Chile", "2025-12-23")]


def test_trip_abroad_weeks_before_does_not_make_a_tour_at_home_a_trip_abroad():
    t = tour("Javier Milei volará esta noche a Mendoza, donde firmará un acuerdo con los gobernadores. "
             "En junio estuvo en Alemania, donde se reunió con Olaf Scholz.", published="2024-07-08")
    assert [(s.name, s.date) for s in t.stops] == [("Mendoza", "2024-07-08")]


def test_destination_clause_with_where_gives_the_day_and_status():
    t = tour("Luiz Inácio Lula da Silva partió anoche de Brasilia rumbo a Lima, donde el martes 23 será "
             "recibido por José Jerí.", lang="es", published="2025-12-22")
    assert [(s.name, s.date, s.status) for s in t.stops] == [("Lima", "2025-12-23", "planned")]


def test_fronted_scene_is_where_the_main_clause_happens():
    t = tour("Gustavo Petro llegó el lunes a Quito. En Quito, el colombiano mantuvo además un encuentro con "
             "el presidente de Perú, José Jerí.", published="2025-12-23")
    assert names(t) == ["Quito"] and "José Jerí" in t.stops[0].met


def test_fronted_scene_with_a_day_is_a_leg():
    t = tour("The tour opened in Spain on Sunday. In Madrid on Monday, Pedro Sánchez pressed him on trade.",
             lang="en", published="2025-12-24")
    assert [(s.name, s.date) for s in t.stops][-1] == ("Madrid", "2025-12-22")


def test_agent_of_a_passive_is_not_a_stop():
    t = tour("Gustavo Petro visitó el jueves en Lima una empresa sancionada por Washington.",
             published="2025-12-21")
    assert names(t) == ["Lima"]


def test_english_place_as_modifier_of_a_topic_is_not_a_stop():
    t = tour("Emmanuel Macron arrived in Madrid on Monday, the anniversary of the Kosovo war.",
             lang="en", published="2025-12-23")
    assert names(t) == ["Madrid"]


def test_meeting_on_the_sidelines_stays_at_the_summit():
    t = tour("Gustavo Petro arrived in New York on Tuesday for the United Nations General Assembly. "
             "On the sidelines he met Brazilian President Luiz Inácio Lula da Silva.",
             lang="en", published="2025-09-24")
    assert names(t) == ["Nueva York"] and t.stops[0].met


def test_coming_from_a_place_where_something_happened_is_the_leg_before():
    t = tour("Jair Bolsonaro visitou Pequim no dia 25. Bolsonaro chegou a Doha na noite de domingo, vindo de "
             "Abu Dhabi, onde foi recebido pelo príncipe herdeiro.", lang="pt", published="2019-10-28")
    assert [s.country for s in t.stops] == ["CN", "AE", "QA"]


def test_refuelling_airport_with_a_meeting_is_a_stop():
    t = tour("El avión de Volodímir Zelenski hizo una escala el sábado en la isla de Sal, donde el mandatario "
             "se reunió en el aeropuerto con el primer ministro. El domingo llegó a Buenos Aires.",
             published="2023-12-11")
    assert [s.country for s in t.stops] == ["CV", "AR"]


def test_undated_mention_folds_into_the_dated_visit():
    t = tour("Volodymyr Zelensky's tour began with three days in New York for the United Nations. "
             "Shortly after landing in New York on Tuesday, Zelensky visited soldiers.",
             lang="en", published="2023-09-21")
    assert [(s.name, s.date) for s in t.stops] == [("Nueva York", "2023-09-19")]


def test_district_folds_into_its_city_stop():
    t = tour("Javier Milei regresará el martes a Buenos Aires, donde por la tarde encabezará el desfile "
             "en Palermo.", published="2024-07-08")
    assert [(s.name, s.date) for s in t.stops] == [("Buenos Aires", "2024-07-09")]


def test_visit_with_a_foreign_office_holder_is_a_meeting():
    t = tour("Pedro Sánchez concluirá su gira el jueves 30 en San José, con el presidente de Costa Rica, "
             "Carlos Alvarado.", published="2018-08-28")
    assert names(t) == ["San José"] and [m.split()[1] for m in t.stops[0].met] == ["Alvarado"]


def test_bodies_are_not_people_met():
    t = tour("Volodímir Zelenski llegó el domingo a Buenos Aires. Tras la jura ante la Asamblea Legislativa, "
             "Javier Milei lo recibió en la Casa Rosada.", published="2023-12-11")
    assert names(t) == ["Buenos Aires"] and "Asamblea Legislativa" not in t.stops[0].met


def test_meeting_the_day_after_arrival_dates_the_stop_and_its_status():
    t = tour("On Wednesday evening, Xi Jinping flew to Budapest. He is due to hold talks on Thursday with Prime "
             "Minister Viktor Orban.", lang="en", published="2024-05-08")
    assert [(s.name, s.date, s.status) for s in t.stops] == [("Budapest", "2024-05-09", "planned")]


def test_foreign_leader_acting_on_the_traveler_is_met():
    t = tour("Xi Jinping landed in France on Sunday. In Paris on Monday, Emmanuel Macron pressed him over trade.",
             lang="en", published="2024-05-08")
    assert [(s.name, s.met) for s in t.stops] == [("París", ["Emmanuel Macron"])]


def test_fronted_scene_where_others_speak_is_not_a_leg():
    t = tour("Xi Jinping arrived in Paris on Sunday for talks with Emmanuel Macron. In Washington on Monday, "
             "officials said the visit showed Beijing wanted to divide the West.", lang="en", published="2024-05-07")
    assert names(t) == ["París"]


def test_coming_from_in_english_is_the_leg_before():
    t = tour("Narendra Modi flew to Cairo on Saturday, coming from Washington, where he met Joe Biden on Thursday.",
             lang="en", published="2025-06-25")
    assert [(s.name, s.date) for s in t.stops] == [("Washington", "2025-06-19"), ("El Cairo", "2025-06-21")]


def test_trip_began_last_week_is_the_first_leg_not_an_earlier_trip():
    t = tour("El presidente de Cuba, Miguel Díaz-Canel, fue recibido este miércoles por Recep Tayyip Erdogan "
             "en Ankara. La gira, la primera desde la pandemia, arrancó la semana pasada en Argelia, donde "
             "Díaz-Canel habló con el presidente Abdelmadjid Tebboune.", published="2022-11-23")
    assert names(t) == ["Argel", "Ankara"]


def test_an_earlier_trip_last_week_stays_background():
    t = tour("El presidente de Cuba, Miguel Díaz-Canel, fue recibido este miércoles por Recep Tayyip Erdogan "
             "en Ankara. La semana pasada había viajado a Argelia.", published="2022-11-23")
    assert names(t) == ["Ankara"]


def test_came_from_is_ordered_by_the_arrival_day():
    t = tour("El presidente Miguel Díaz-Canel fue recibido este miércoles por Recep Tayyip Erdogan en Ankara. "
             "Díaz-Canel aterrizó el martes por la noche procedente de Moscú, donde se reunió con Vladímir Putin.",
             published="2022-11-23")
    assert names(t) == ["Moscú", "Ankara"]


def test_host_who_travels_on_with_the_visitor_keeps_the_meeting_town():
    t = tour("El presidente Bernardo Arévalo recibirá este viernes a la mandataria mexicana, Claudia Sheinbaum, "
             "en Flores, en el departamento de Petén. Tras reunirse con Sheinbaum, Arévalo viajará con ella a "
             "Calakmul, en Campeche.", published="2025-08-13")
    assert names(t)[0] == "Flores" and "Calakmul" in names(t)
    assert t.stops[0].country == "GT" and t.stops[0].date == "2025-08-15"


def test_country_name_that_is_also_a_town_does_not_pull_the_context():
    t = tour("El presidente Bernardo Arévalo recibirá este viernes a Claudia Sheinbaum en Santa Elena, Flores, "
             "en el departamento de Petén, en el norte de Guatemala, y luego viajará con ella a Calakmul, en Campeche.",
             published="2025-08-13")
    assert t.stops and t.stops[0].country == "GT"


def test_due_in_is_a_planned_stop_on_the_coming_weekday():
    t = tour("Modi held talks with Milei in Buenos Aires on Saturday. On Tuesday he is due in Brasília for a "
             "state visit hosted by President Luiz Inácio Lula da Silva.", lang="en", published="2025-07-05")
    assert [(s.name, s.date, s.status) for s in t.stops] == [
        ("Buenos Aires", "2025-07-05", "completed"), ("Brasília", "2025-07-08", "planned")]


def test_flies_to_is_the_next_leg():
    t = tour("Modi held talks with Milei in Buenos Aires on Saturday. Modi flies to Montevideo on Sunday.",
             lang="en", published="2025-07-05")
    assert names(t) == ["Buenos Aires", "Montevideo"]


def test_visit_last_november_is_an_earlier_trip():
    t = tour("Modi held talks with Milei in Buenos Aires on Saturday. The trip follows Modi's visit to "
             "Guyana last November.", lang="en", published="2025-07-05")
    assert names(t) == ["Buenos Aires"]


def test_state_that_shares_its_name_with_a_city_after_a_town_is_where_the_town_lies():
    t = tour("El 22 de diciembre el presidente Andrés Manuel López Obrador inaugurará en Salina Cruz, Oaxaca, el "
             "servicio del tren y viajará hasta Coatzacoalcos, Veracruz.", published="2023-12-14")
    assert names(t) == ["Salina Cruz", "Coatzacoalcos"]


def test_press_conference_from_a_town_puts_the_traveler_there():
    t = tour("El presidente Andrés Manuel López Obrador confirmó que mañana dará su conferencia matutina desde "
             "Campeche y después viajará a Cancún.", published="2023-12-14")
    assert names(t) == ["Campeche", "Cancún"]


def test_leaving_from_a_town_is_still_a_departure():
    t = tour("El presidente Andrés Manuel López Obrador saldrá mañana desde Toluca hacia Cancún.",
             published="2023-12-14")
    assert "Toluca" not in names(t)


def test_going_back_to_a_town_to_do_something_is_a_second_visit():
    t = tour("El presidente Andrés Manuel López Obrador viajará mañana a Cancún. El 22 de diciembre irá a "
             "Salina Cruz. Y el último día del año volverá a Cancún para estrenar el siguiente tramo.",
             published="2023-12-14")
    assert [(s.name, s.date) for s in t.stops] == [
        ("Cancún", "2023-12-15"), ("Salina Cruz", "2023-12-22"), ("Cancún", "2023-12-31")]


def test_going_back_to_the_capital_is_the_return_home():
    t = tour("El presidente Andrés Manuel López Obrador viajará mañana a Cancún. El sábado volverá a la "
             "Ciudad de México para reunirse con su gabinete.", published="2023-12-14")
    assert names(t) == ["Cancún"]


def test_came_from_where_that_same_day_takes_the_arrival_day():
    t = tour("El presidente Miguel Díaz-Canel fue recibido este miércoles por Recep Tayyip Erdogan en Ankara. "
             "Díaz-Canel aterrizó el martes por la noche procedente de Moscú, donde ese mismo día se reunió con "
             "Vladímir Putin.", published="2022-11-23")
    assert [(s.name, s.date) for s in t.stops] == [("Moscú", "2022-11-22"), ("Ankara", "2022-11-23")]


def test_the_source_of_a_report_is_not_someone_met():
    t = tour("El presidente Bernardo Arévalo viajará este viernes a Calakmul para una reunión con John Briceño "
             "en la que, según el canciller Carlos Ramiro Martínez, se presentará un proyecto.",
             published="2025-08-13")
    assert t.stops and "Carlos Ramiro Martínez" not in t.stops[0].met


def test_the_place_left_for_the_next_leg_with_what_was_done_there_in_the_next_sentence():
    t = tour("Andrés Manuel López Obrador llegó a Santiago el domingo, tras salir de Cali. Allí se había reunido el "
             "sábado 9 con Gustavo Petro.", published="2023-09-12")
    assert names(t) == ["Cali", "Santiago de Chile"]


def test_a_day_heading_of_an_agenda_is_a_stop():
    t = tour("El papa Francisco inicia su viaje a Colombia.\n\n## SÁBADO 9 — MEDELLÍN\n\n"
             "Misa en el aeropuerto y encuentro con seminaristas.", published="2017-09-06")
    assert "Medellín" in names(t)


def test_a_pope_back_in_rome_is_home():
    t = tour("El papa Francisco llegó el sábado a La Valeta, donde se reunió con George Vella. El domingo "
             "regresó a Roma.", published="2022-04-04")
    assert names(t) == ["Valletta"]


def test_a_trip_the_text_says_is_cancelled_is_not_a_stop():
    t = tour("José Manuel Albares se reunió ayer en Ciudad de México con Marcelo Ebrard. Exteriores confirmó que el "
             "ministro cancela el viaje a Chile que tenía previsto para el jueves en Santiago.", published="2022-03-09")
    assert "Santiago de Chile" not in names(t)


def test_headline_naming_the_traveler_by_office_picks_that_office_holder():
    t = tour("El papa Francisco despegará mañana rumbo a Nairobi. El domingo 29 llegará a Bangui. Lo recibirá la "
             "presidenta de transición, Catherine Samba-Panza, y después visitará un campo de desplazados.",
             published="2015-11-24", title="El papa viaja mañana a África")
    assert t.traveler == "Francisco"
    assert "Catherine Samba-Panza" in {p for s in t.stops for p in s.met}


def test_a_venue_near_a_town_after_a_visit_verb_puts_the_stop_in_that_town():
    t = tour("Modi arrived in Johannesburg on Friday. On Saturday he will visit the Phoenix Settlement, the "
             "community Gandhi founded just outside Durban.", lang="en", published="2016-07-08")
    assert "Durban" in names(t)


def test_headline_office_as_the_subject_of_a_travel_verb_names_the_traveler():
    t = tour("Felipe VI asistirá el domingo en Montevideo a la toma de posesión de Luis Lacalle Pou, que sucede a "
             "Tabaré Vázquez. Lacalle Pou recibirá después a las delegaciones en el Palacio Legislativo.",
             published="2020-02-28", title="El Rey viaja a Montevideo para el relevo de Vázquez por Lacalle Pou")
    assert t.traveler == "Felipe VI" and names(t) == ["Montevideo"]


def test_honorifics_and_name_suffixes_do_not_hide_the_traveler():
    t = tour("Don Felipe y doña Letizia aterrizan esta noche en Ciudad de México, donde los recibirá Enrique Peña "
             "Nieto. Es la primera visita de Estado de Felipe VI a México. Doña Letizia visitará un hospital.",
             published="2015-06-28", title="La agenda de los Reyes en México")
    assert t.traveler == "Felipe VI"
    t = tour("President Ferdinand Marcos Jr. will land in Jakarta on Sunday, where Joko Widodo will receive him.",
             lang="en", published="2022-09-02", title="Marcos to make first state visit to Indonesia")
    assert t.traveler == "Ferdinand Marcos Jr."


def test_a_borough_of_the_city_on_the_same_day_is_the_city_visit():
    t = tour("Los Reyes aterrizan el domingo 28 en el aeropuerto internacional Benito Juárez. Llegada a Ciudad de "
             "México el domingo 28 y traslado al hotel.", published="2015-06-27", title="Los Reyes en México")
    assert names(t) == ["Ciudad de México"]


def test_the_airport_of_a_town_is_arriving_in_the_town():
    t = tour("El papa pasó la mañana del martes en Prešov: nada más aterrizar en el aeropuerto de Košice se "
             "trasladó a esa ciudad.", published="2021-09-15")
    assert "Košice" in names(t) and "Prešov" in names(t)


def test_a_postponed_visit_is_no_stop():
    t = tour("Bin Salmán llegó el jueves a Bangkok. El sábado, Pakistán anunció el aplazamiento de la visita a "
             "Islamabad prevista para el 21 de noviembre.", published="2022-11-18")
    assert "Islamabad" not in names(t)


def test_an_agency_dateline_is_not_a_stop_when_the_lead_puts_the_traveler_elsewhere():
    t = tour("MADRID, 13 Jul. (EUROPA PRESS) -\n\nEl presidente de Irán, Ebrahim Raisi, ha llegado este jueves a "
             "Harare, última escala de una gira africana. Raisi se ha reunido con Emmerson Mnangagwa en la Casa de "
             "Gobierno.", published="2023-07-13")
    assert names(t) == ["Harare"] and t.stops[0].date == "2023-07-13"
    t = tour("SEÚL/MOSCÚ, 19 jun (EFE).- Vladímir Putin llegó este miércoles a Pyongyang, donde firmó con Kim "
             "Jong-un un tratado de ayuda mutua.", published="2024-06-19")
    assert names(t) == ["Pyongyang"]


def test_the_head_of_a_seat_of_power_is_a_person_and_a_capital_that_signs_is_the_state():
    t = tour("Putin aterrizó el miércoles en Pyongyang, en la primera visita del jefe del Kremlin a Corea del "
             "Norte en 24 años. Kim recibió a Putin, algo que Moscú y Washington niegan que implique ayuda militar.",
             published="2024-06-19")
    assert names(t) == ["Pyongyang"]
    t = tour("Scholz landed in Samarkand on Sunday. Berlin signed a similar accord with Kenya last Friday.",
             lang="en", published="2024-09-16")
    assert names(t) == ["Samarcanda"] or names(t) == ["Samarkand"]


def test_a_surname_joined_by_a_hyphen_is_no_town():
    t = tour("O Presidente timorense, José Ramos-Horta, chegou esta segunda-feira a Lisboa, onde Ramos-Horta se "
             "reuniu com Marcelo Rebelo de Sousa.", lang="pt", published="2022-10-31")
    assert names(t) == ["Lisboa"]


def test_a_month_of_backstory_does_not_move_the_day_of_the_narrative():
    t = tour("El presidente Giammattei llegó ayer lunes a Ucrania, el primer mandatario latinoamericano que la "
             "visita desde el inicio de la invasión, en febrero. Después recorrió Bucha, a las afueras de Kiev.",
             published="2022-07-26")
    assert [(s.name, s.date) for s in t.stops if s.name == "Bucha"] == [("Bucha", "2022-07-25")]


def test_an_agenda_item_of_a_day_is_that_days_stop():
    t = tour("Ishiba will visit Malaysia and Indonesia this week.\n\n"
             "- Thursday: arrival in Kuala Lumpur in the evening.\n"
             "- Saturday: summit with President Prabowo Subianto at the presidential palace in Bogor.\n",
             lang="en", published="2025-01-08", title="Ishiba heads to Southeast Asia")
    assert ("Bogor", "2025-01-11") in [(s.name, s.date) for s in t.stops]


def test_a_negated_verb_governs_its_place_before_an_earlier_cue():
    t = tour("Mnangagwa said on Sunday he was cutting short a foreign tour and would not attend the World Economic "
             "Forum in Davos. On Tuesday he held talks with Vladimir Putin in Moscow.", lang="en",
             published="2019-01-20")
    assert "Davos" not in names(t)


def test_a_region_named_after_a_stop_in_it_is_that_stop():
    t = tour("Orbán fue recibido el jueves por Donald Trump en Mar-a-Lago. Al terminar la cumbre tomó el avión hacia "
             "Florida.", published="2024-07-12")
    assert "Tallahassee" not in names(t)


def test_a_headline_that_opens_with_a_surname_names_the_traveler():
    t = tour("Umaro Sissoco Embaló partiu de Bissau para o Senegal. Na sexta-feira, Macky Sall recebeu-o no Palácio "
             "da República, em Dakar. No sábado, Denis Sassou Nguesso acolheu-o em Brazzaville.", lang="pt",
             published="2020-01-05", title="EMBALÓ EM DIGRESSÃO: agradece a Macky Sall e a Sassou Nguesso")
    assert t.traveler == "Umaro Sissoco Embaló"


def test_a_tour_called_off_in_the_lead_has_no_stops_abroad():
    t = tour("Tokio, 9 ago (EFE).- El primer ministro de Japón, Fumio Kishida, canceló este viernes la gira de cuatro "
             "días que iba a llevarlo a Kazajistán, Uzbekistán y Mongolia, tras un aviso de terremoto.",
             published="2024-08-09")
    assert not {"Astaná", "Astana", "Taskent", "Ulán Bator", "Ulan Bator"} & set(names(t))


def test_one_city_under_two_names_is_one_stop():
    t = tour("NOVA DELI — O Presidente João Lourenço foi recebido este sábado no Rashtrapati Bhavan. O Presidente "
             "deixou Luanda rumo à capital indiana e chegou na sexta-feira.", lang="pt", published="2025-05-03")
    assert len([s for s in t.stops if s.country == "IN"]) == 1


def test_a_city_told_again_without_a_day_is_the_same_stay():
    t = tour("Ramos-Horta inicia hoje uma visita de Estado a Angola. O programa arranca em Luanda com o encontro "
             "com João Lourenço. O Nobel da Paz chega a Luanda vindo de Maputo, onde esteve desde quarta-feira. "
             "\"Estamos gratos\", disse Ramos-Horta em Maputo. Na terça-feira, o Presidente visita a Academia "
             "Diplomática em Luanda.", lang="pt", published="2024-07-08")
    assert names(t).count("Maputo") <= 1


def test_legs_of_a_postponed_trip_told_from_the_old_programme_are_not_stops():
    t = tour("PARÍS, 10 feb (AFP).- El presidente francés aplazó sin nueva fecha su viaje a Nigeria y a Ghana, que "
             "debía comenzar el 3 de marzo. El programa preveía que aterrizara en Abuya el 3 de marzo y que viajara "
             "después a Lagos y a Acra, donde iba a reunirse con el presidente ghanés.", published="2024-02-10")
    assert not {"Abuya", "Abuja", "Lagos", "Acra", "Accra"} & set(names(t))


def test_a_layover_cue_covers_the_whole_list_after_it():
    t = tour("Lula llegó el sábado a Tokio después de escalas técnicas en Lisboa, en Portugal, y en Dubái, "
             "en los Emiratos. El domingo se reunió con el primer ministro.", published="2024-05-20")
    assert "Tokio" in names(t) or "Tokyo" in names(t)
    assert not {"Lisboa", "Lisbon", "Dubái", "Dubai"} & set(names(t))


def test_a_stretch_dated_years_back_is_not_this_trip():
    t = tour("El papa llegó este sábado a Rabat, en la primera visita de un pontífice a Marruecos desde que Juan "
             "Pablo II estuvo en Casablanca en 1985.", published="2019-03-30")
    assert "Rabat" in names(t) and "Casablanca" not in names(t)


def test_landing_at_a_small_town_by_the_capital_is_the_capital():
    t = tour("Boric aterrizó el domingo por la tarde en Ezeiza, procedente de Santiago. El lunes se reunió en "
             "Buenos Aires con el presidente Alberto Fernández.", published="2022-04-05")
    assert "Ezeiza" not in names(t) and "Buenos Aires" in names(t)


def test_a_river_is_not_a_town():
    t = tour("Lula llegó el martes a Puerto Iguazú, a orillas de los ríos Iguazú y Paraná, para la cumbre.",
             published="2023-07-05")
    assert "Paraná" not in names(t)


def test_a_project_named_after_a_town_is_not_a_stop():
    t = tour("Blinken flew to Luanda on Thursday, where he talked up the Lobito corridor with President Lourenco.",
             lang="en", published="2024-01-26")
    assert "Lobito" not in names(t)


def test_an_office_the_traveler_does_not_hold_travels_alone():
    t = tour("King Charles III opened the new Parliament in Ottawa on Tuesday with Prime Minister Mark Carney. The prime "
             "minister himself is due at the White House next Tuesday for talks with the president.", lang="en",
             published="2025-05-27", title="King Charles III opens Parliament in Ottawa")
    assert "Ottawa" in names(t) and "Washington" not in names(t)


def test_a_possible_trip_is_not_a_stop():
    t = tour("Duterte arrived in Tokyo on Tuesday. He floated a possible trip to Moscow to see Vladimir Putin.",
             lang="en", published="2016-10-25")
    assert "Moscow" not in names(t) and "Moscú" not in names(t)


def test_a_scene_set_before_the_traveler_is_a_stop():
    t = tour("Blinken landed in Praia on Sunday and met the prime minister. In Abidjan he watched the Africa Cup of "
             "Nations opener on Monday with President Alassane Ouattara.", lang="en", published="2024-01-28")
    assert "CI" in {s.country for s in t.stops}


def test_a_stop_nobody_had_planned_is_no_cancelled_plan():
    t = tour("Surgió una parada que nadie tenía previsto: el domingo el presidente Gabriel Boric visitó a la "
             "comunidad chilena en Mendoza antes de seguir hacia Buenos Aires.", published="2023-06-12")
    assert "Mendoza" in names(t)


def test_the_government_watching_from_the_headline_is_no_stop():
    art = Article(id="t", path="t.txt", title="Tsai Ing-wen recorre Centroamérica vigilada de cerca por Pekín",
                  text="La presidenta Tsai Ing-wen se reunió ayer en Managua con Daniel Ortega. Los países que la "
                       "reciben todavía reconocen a Taipéi y no a Pekín.", published="2017-01-11", language="es")
    trace: list = []
    t = assemble_tour(find_mentions(art, knowledge=rules()), knowledge=rules(), trace=trace)
    assert "Managua" in names(t) and "Beijing" not in names(t)
    # the decision learns from this feature: the headline does not put the traveler in Beijing
    assert [x[1].features["in_title"] for x in trace if x[0] == "mention" and x[1].place.name == "Beijing"] == [0.0]


def test_leaving_one_place_for_another_names_the_next_leg():
    t = tour("Pompeo met President Lourenco in Luanda on Monday. He was due to leave Luanda on Monday evening for "
             "Addis Ababa, the last stop of the tour.", lang="en", published="2020-02-17")
    assert "ET" in {s.country for s in t.stops}
