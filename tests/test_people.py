"""Person mentions and the traveler, on short texts written for the test."""
from __future__ import annotations

from tourmap.config import Settings
from tourmap.mentions import find_mentions
from tourmap.models import Article
from tourmap.tour import assemble_tour


def _mentions(text: str, *, title: str = "", lang: str = "es", published: str = "2023-12-14"):
    art = Article(id="t", path="t.txt", title=title, text=text, published=published, language=lang)
    return find_mentions(art, settings=Settings())


def test_a_named_train_is_not_a_person():
    m = _mentions("El presidente Andrés Manuel López Obrador inaugurará el Tren Maya y luego el Tren "
                  "Interoceánico.")
    assert [p.name for p in m.people] == ["Andrés Manuel López Obrador"]


def test_the_leader_not_the_project_in_the_headline_is_the_traveler():
    text = ("El presidente Andrés Manuel López Obrador viajará mañana a Cancún en el primer convoy del Tren Maya. "
            "El Tren Maya tendrá 14 estaciones. La empresa Tren Maya depende de la Defensa.")
    art = Article(id="t", path="t.txt", title="López Obrador inaugura el Tren Maya", text=text,
                  published="2023-12-14", language="es")
    t = assemble_tour(find_mentions(art, settings=Settings()), settings=Settings())
    assert t.traveler == "Andrés Manuel López Obrador"


def test_a_monument_or_a_stadium_named_after_someone_is_not_a_person():
    m = _mentions("Obama depositó una ofrenda ante el memorial de José Martí y por la tarde el papa "
                  "se reunió con familias en el estadio de Tuxtla Gutiérrez, frente a la Torre Eiffel.")
    names = [p.name for p in m.people]
    assert "José Martí" not in names and "Tuxtla Gutiérrez" not in names and "Torre Eiffel" not in names


def test_a_king_met_by_a_king_is_not_the_traveler():
    # "Felipe VI" and "Mohamed VI" share only the ordinal: the host is still met
    tour = assemble_tour(_mentions(
        "Felipe VI llegará a Rabat el miércoles 13, donde lo recibirá Mohamed VI con honores militares.",
        title="Felipe VI viaja a Marruecos", published="2019-02-11"), settings=Settings())
    assert [s.met for s in tour.stops if s.name == "Rabat"] == [["Mohamed VI"]]


def test_a_family_a_house_or_a_corps_is_not_a_person():
    m = _mentions("La Familia Real asistirá a la Reunión de Alto Nivel con el Corpo de Bombeiros y la Casa Rosada.")
    names = [p.name for p in m.people]
    assert not {"Familia Real", "Alto Nivel", "Corpo de Bombeiros", "Casa Rosada"} & set(names)


def test_a_family_name_alone_after_the_full_name_is_the_same_leader():
    # "Lee Jae Myung" (the office-holders file writes "Lee Jae-myung"), then "Lee" as Korean papers do
    text = ("CAIRO — South Korean President Lee Jae Myung left Egypt on Friday for South Africa. In Cairo, Lee met "
            "President Abdel Fattah el-Sisi. Lee will then fly to Ankara, and Lee returns to Seoul on Wednesday.")
    art = Article(id="t", path="t.txt", title="Lee heads to Johannesburg", text=text, published="2025-11-21",
                  language="en")
    m = find_mentions(art, settings=Settings())
    assert [p.name for p in m.people].count("Lee Jae-myung") == 4
    assert assemble_tour(m, settings=Settings()).traveler == "Lee Jae-myung"


def test_a_presidential_residence_is_not_a_person():
    m = _mentions("Tinubu hosted Wang at the Presidential Villa in Abuja.", lang="en")
    assert "Presidential Villa" not in [p.name for p in m.people]
