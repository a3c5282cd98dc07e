"""Mentions: sentences, places (gazetteer and implied), people (names, office-holders, roles)."""
from __future__ import annotations

from tourmap.config import Settings
from tourmap.lexicon import load_lexicon
from tourmap.mentions import find_mentions, split_sentences
from tourmap.models import Article, Span
from tourmap.people import find_people, load_officeholders


def _art(text: str, *, lang: str = "es", published: str = "2025-12-21") -> Article:
    return Article(id="t", path="t.txt", title="", text=text, published=published, language=lang)


def _mentions(text: str, **kw):
    return find_mentions(_art(text, **kw), settings=Settings())


def test_sentences_keep_abbreviations_and_datelines():
    text = "El Sr. Pérez llegó a EE.UU. el lunes. Luego viajó a Lima.\n\nNuevo párrafo aquí."
    sents = split_sentences(text)
    assert [s.text for s in sents] == ["El Sr. Pérez llegó a EE.UU. el lunes.", "Luego viajó a Lima.", "Nuevo párrafo aquí."]
    assert all(text[s.start:s.end] == s.text for s in sents)


def test_places_from_gazetteer_and_implied():
    m = _mentions("El mandatario llegó a la capital catarí y luego a Lima. Recorrió el barrio porteño de Retiro.")
    names = {p.candidates[0].name for p in m.places if p.candidates}
    assert "Doha" in names and "Lima" in names and "Buenos Aires" in names


def test_implied_capital_english():
    m = _mentions("Bells rang across the Lebanese capital on Sunday.", lang="en", published="2025-11-30")
    assert any(p.candidates and p.candidates[0].name == "Beirut" for p in m.places)


def test_dateline_place():
    m = _mentions("BEIRUT — The pope landed on Sunday.", lang="en", published="2025-11-30")
    assert m.places[0].span.text == "BEIRUT" and m.places[0].candidates[0].country == "LB"


def test_people_office_holders_and_surnames():
    text = "El presidente argentino, Javier Milei, recibió a Kast. Luego Milei habló con AMLO y con Ana Pérez de Castro."
    lex = load_lexicon("es")
    ppl = find_people(text, sentences=split_sentences(text), lex=lex, date="2022-11-22", holders=load_officeholders())
    names = [p.name for p in ppl]
    assert "Javier Milei" in names and names.count("Javier Milei") == 2
    assert "Andrés Manuel López Obrador" in names
    assert "Ana Pérez de Castro" in names


def test_role_reference_depends_on_date():
    lex = load_lexicon("es")
    t = "Se reunirá con el mandatario peruano en Lima."
    s = (Span(0, len(t), t),)
    assert [p.name for p in find_people(t, sentences=s, lex=lex, date="2025-12-21")] == ["José Jerí"]
    assert [p.name for p in find_people(t, sentences=s, lex=lex, date="2023-05-01")] == ["Dina Boluarte"]


def test_not_people():
    lex = load_lexicon("es")
    t = "Firmó en el Salón Eva Perón del Ministerio de Relaciones Exteriores y en la Casa Rosada."
    ppl = find_people(t, sentences=(Span(0, len(t), t),), lex=lex, date="2024-09-30", place_spans=[])
    assert ppl == []


def test_names_with_particles_and_titles():
    lex = load_lexicon("en")
    t = "He met President Joseph Aoun and the Maronite Patriarch, Bechara al-Rai, and Ecumenical Patriarch Bartholomew I."
    ppl = find_people(t, sentences=(Span(0, len(t), t),), lex=lex, date="2025-11-30")
    assert [p.name for p in ppl] == ["Joseph Aoun", "Bechara al-Rai", "Bartholomew I"]


def test_dates_in_mentions():
    m = _mentions("Este lunes 22 viajará a Quito.")
    assert [d.value for d in m.dates] == ["2025-12-22"]


def test_single_name_after_an_office_word():
    lex = load_lexicon("pt")
    t = "Lula foi recebido pelo imperador Naruhito e pelo vicepresidente de Chevron."
    names = [p.name for p in find_people(t, sentences=(Span(0, len(t), t),), lex=lex, date="2025-03-26")]
    assert "Naruhito" in names and "Chevron" not in names


def test_role_of_a_named_country_is_the_office_holder_of_the_day():
    m = _mentions("Gustavo Petro viajó el lunes a París, donde se reunió con el presidente de Francia.",
                  published="2025-12-02")
    assert [p.name for p in m.people] == ["Gustavo Petro", "Emmanuel Macron"]


def test_possessive_country_before_a_name_is_not_part_of_it():
    m = _mentions("The four leaders, Biden, Albanese, Kishida and India's Narendra Modi, will meet.",
                  lang="en", published="2023-05-17")
    assert "Narendra Modi" in {p.name for p in m.people}
    assert not any("India" in p.name for p in m.people)


def test_buildings_islands_and_laws_are_not_people():
    m = _mentions("Modi visited the Al-Hakim Mosque on Sunday.", lang="en", published="2023-06-25")
    assert not any("Mosque" in p.name for p in m.people)
    m = _mentions("Farão um passeio até a Ilha do Combu, onde visitarão uma fábrica.", lang="pt",
                  published="2024-03-25")
    assert not any("Combu" in p.name for p in m.people)


def test_region_capital_by_its_demonym():
    m = _mentions("El mandatario había llegado a la capital tucumana el lunes.", published="2024-07-09")
    assert [p.candidates[0].name for p in m.places if p.candidates] == ["San Miguel de Tucumán"]
    m = _mentions("Na capital paraense, Macron será recebido por Lula.", lang="pt", published="2024-03-25")
    assert "Belém" in [p.candidates[0].name for p in m.places if p.candidates]


def test_town_that_is_the_surname_of_a_person_named_in_full_is_the_person():
    m = _mentions("El presidente Juan Manuel Santos llegó a Lima. Santos dijo que la visita fue un éxito. "
                  "Luego viajó a Santos, en Brasil.")
    towns = [p.span.text for p in m.places if p.candidates]
    assert towns.count("Santos") == 1 and "Lima" in towns


def test_compound_surname_of_an_office_holder_is_one_name():
    from tourmap.config import Settings
    from tourmap.mentions import find_mentions
    from tourmap.models import Article

    art = Article(id="t", path="t.txt", title="", text="Zelenski se reunió con el primer ministro, Ulisses Correia e Silva.",
                  published="2023-12-11", language="es")
    people = find_mentions(art, settings=Settings()).people
    assert [p.name for p in people if "Correia" in p.name] == ["Ulisses Correia e Silva"]


def test_country_that_is_the_surname_of_a_person_named_in_full_is_the_person():
    m = _mentions("O primeiro-ministro, Luís Montenegro, visita as tropas na Roménia. Montenegro segue para "
                  "Bucareste na sexta-feira.", lang="pt", published="2024-12-14")
    assert "ME" not in {p.candidates[0].country for p in m.places if p.candidates}


def test_town_named_by_a_word_the_article_writes_in_lower_case_is_that_word():
    m = _mentions("O Ministério da Saúde declarou emergência em saúde pública. Lula viajou a Boa Vista.",
                  lang="pt", published="2023-01-21")
    towns = [p.span.text for p in m.places if p.candidates]
    assert "Saúde" not in towns and "Boa Vista" in towns


def test_the_king_and_queen_are_not_a_town():
    m = _mentions("Por la noche, los Reyes ofrecerán una recepción en Buenos Aires.", published="2019-03-24")
    assert [p.span.text for p in m.places if p.candidates] == ["Buenos Aires"]


def test_a_landmark_said_to_be_in_the_town_of_the_story_is_not_the_one_elsewhere():
    m = _mentions("El papa llegará a Nairobi el miércoles. El jueves visitará la sede de Naciones Unidas en la "
                  "ciudad.", published="2015-11-24")
    assert [p.candidates[0].name for p in m.places if p.candidates] == ["Nairobi"]


def test_residences_labs_events_and_a_country_long_name_are_not_people():
    cases = [("es", "Almuerzo privado en la Residencia Presidencial de Olivos con Mauricio Macri.", "Residencia"),
             ("en", "Modi received him at Hyderabad House.", "House"),
             ("pt", "Visitou o Laboratório Central Agroalimentar em Luanda.", "Laboratório"),
             ("es", "Abrirá la Puerta Santa por el Jubileo de la Misericordia.", "Jubileo"),
             ("pt", "João Lourenço foi recebido nos Estados Unidos da América por Joe Biden.", "Estados"),
             ("es", "Visitó a las Misioneras de la Caridad antes de hablar de los Juegos Olímpicos de Tokio.", "s de"),
             ("en", "Obama cruised Resurrection Bay with Senator Dan Sullivan.", "Bay")]
    for lang, text, word in cases:
        assert not any(word in p.name for p in _mentions(text, lang=lang, published="2019-03-24").people), text


def test_a_portfolio_and_office_before_a_name_are_not_part_of_it():
    m = _mentions("In Songea he met Culture Minister Damas Ndumbaro.", lang="en", published="2023-11-01")
    assert [p.name for p in m.people] == ["Damas Ndumbaro"]


def test_a_two_part_country_named_by_its_first_part_is_that_country():
    m = _mentions("Lula vai à Guiana e a São Vicente e Granadinas. A cúpula será num resort na ilha de São Vicente.",
                  lang="pt", published="2024-02-24")
    assert {p.candidates[0].country for p in m.places if p.candidates} == {"GY", "VC"}


def test_a_building_named_english_fashion_is_in_its_town():
    m = _mentions("On Monday Widodo will receive him at the Bogor Presidential Palace.", lang="en",
                  published="2022-09-02")
    assert [p.span.text for p in m.places if p.candidates] == ["Bogor"]


def test_a_town_alone_is_the_office_holder_named_in_full_before():
    m = _mentions("Llamaron al presidente Juan Manuel Santos de madrugada. El propio Santos describió las jornadas "
                  "como las más duras.", published="2017-04-02")
    assert [p.name for p in m.people] == ["Juan Manuel Santos", "Juan Manuel Santos"]
    assert not [p for p in m.places if p.span.text == "Santos"]


def test_a_possessive_is_not_part_of_the_name_and_the_kings_are_not_a_governor():
    m = _mentions("President Moon Jae-in's third summit began on Tuesday. Moon told Kim he would climb.", lang="en",
                  published="2018-09-21")
    assert [p.name for p in m.people if "Moon" in p.span.text] == ["Moon Jae-in", "Moon Jae-in"]
    m = _mentions("Les acompañará el gobernador, Miguel Alonso Reyes. Los Reyes volarán a Zacatecas.",
                  published="2015-06-28")
    assert [p.span.text for p in m.people] == ["Miguel Alonso Reyes"]


def test_the_fortress_of_a_town_is_no_town():
    m = _mentions("À tarde, Montenegro passou pela Fortaleza de São Miguel.", lang="pt", published="2024-07-24")
    assert not [p for p in m.places if p.span.text == "Fortaleza"]


def test_a_name_written_with_accents_its_source_lacks_is_found():
    from tourmap.config import Settings
    from tourmap.knowledge import knowledge_for
    g = knowledge_for(Settings()).gazetteer
    text = "Orbán hizo una parada en Shushá, en Karabaj."
    assert "Shushá" in [text[s:e] for s, e, _ in g.match(text)]
