"""People in news text: names, office-holders and role references ("el mandatario peruano").

Names are found by rule: a run of capitalised words with name particles (de, da, bin, al...),
without place, organisation or office words. config/officeholders.yaml turns surnames and
nicknames into full names and answers "who was Peru's president on this date", so a role
reference becomes a person and a meeting with a head of state points to a seat of government.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import NamedTuple
from functools import lru_cache
from pathlib import Path

from .config import DEFAULT_CONFIG_DIR
from .errors import ConfigError
from .lexicon import Lexicon, all_lexicons, fold, fold_aligned, load_words_yaml
from .models import PersonMention, Span

_CAP = r"(?:[A-ZÁÉÍÓÚÑÂÊÔÃÕÇÜÖØÅÆİŞ][\wÀ-ÿ'’.\-]*[\wÀ-ÿ]|[A-ZÁÉÍÓÚÑ]\.?)"
_TOKEN = re.compile(r"[\wÀ-ÿ'’.\-@]+")
ROMAN = re.compile(r"^(?:I|II|III|IV|V|VI|VII|VIII|IX|X|XI|XII|XIII|XIV|XV|XVI|Jr\.?|Sr\.?)$")


@dataclass(frozen=True)
class Office:
    """One person in one office for a span of time."""

    name: str
    country: str
    role: str
    start: str
    end: str | None
    aliases: tuple[str, ...] = ()
    seat: str | None = None  # overrides the country's seat

    def active(self, date: str | None) -> bool:
        if not date:
            return self.end is None
        d = date[:10] if len(date) >= 10 else date + "-15" if len(date) == 7 else date + "-06-30"
        return self.start <= d and (self.end is None or d < self.end)


@dataclass
class Officeholders:
    offices: list[Office] = field(default_factory=list)
    seats: dict[str, dict[str, str]] = field(default_factory=dict)
    chancellor_heads: frozenset[str] = frozenset()
    family_name_first: frozenset[str] = frozenset()
    _alias: dict[str, list[Office]] = field(default_factory=dict)

    @staticmethod
    def _key(name: str) -> str:
        # "Lee Jae Myung" is "Lee Jae-myung": hyphens and case vary between newsrooms
        # "Ferdinand Marcos Jr" is "Ferdinand Marcos Jr.": a sentence's full stop may have taken the suffix's
        return " ".join(fold(name).replace("-", " ").replace(".", " ").split())

    def index(self) -> None:
        self._alias = {}
        for o in self.offices:
            for a in (o.name, *o.aliases):
                self._alias.setdefault(self._key(a), []).append(o)

    def by_name(self, name: str, *, date: str | None = None) -> Office | None:
        """The office-holder a name or alias means, preferring one in office on `date`."""
        cands = self._alias.get(self._key(name)) or []
        if not cands:
            return None
        active = [o for o in cands if o.active(date)]
        pool = active or cands
        # One name for several people (an alias shared by two leaders) only when one is in office.
        if len({o.name for o in pool}) > 1 and not active:
            return None
        rank = {"president": 0, "monarch": 0, "pope": 0, "head_of_government": 1, "crown_prince": 2,
                "vice_president": 3, "foreign_minister": 4}
        return sorted(pool, key=lambda o: (rank.get(o.role, 9), o.start))[0]

    def holder(self, country: str, role: str, *, date: str | None) -> Office | None:
        """Who held `role` in `country` on `date`."""
        c = [o for o in self.offices if o.country == country and o.role == role and o.active(date)]
        if not c and role == "president":  # "el mandatario" of a kingdom or a parliamentary state
            for alt in ("head_of_government", "monarch"):
                c = [o for o in self.offices if o.country == country and o.role == alt and o.active(date)]
                if c:
                    break
        return sorted(c, key=lambda o: o.start)[-1] if c else None

    def seat_names(self, office: Office) -> list[str]:
        """Names to look up for where this person receives visitors: landmark first, then city."""
        out = []
        if office.seat:
            out.append(office.seat)
        s = self.seats.get(office.country) or {}
        if s.get(office.role):
            out.append(s[office.role])
        if s.get("city"):
            out.append(s["city"])
        return out

    def capital_name(self, country: str) -> str | None:
        return (self.seats.get(country) or {}).get("city")


@lru_cache(maxsize=4)
def load_officeholders(path: str | None = None) -> Officeholders:
    p = Path(path) if path else DEFAULT_CONFIG_DIR / "officeholders.yaml"
    try:
        raw = load_words_yaml(p.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(f"{p}: office-holders file not found") from None
    except Exception as exc:  # noqa: BLE001 - YAML errors of any kind -> one line
        raise ConfigError(f"{p}: not valid YAML ({str(exc).splitlines()[0] if str(exc) else exc})") from None
    oh = Officeholders(seats={str(k): {str(a): str(b) for a, b in (v or {}).items()}
                              for k, v in (raw.get("seats") or {}).items()},
                       chancellor_heads=frozenset(str(c) for c in raw.get("chancellor_heads") or []),
                       family_name_first=frozenset(str(c) for c in raw.get("family_name_first") or []))
    for i, e in enumerate(raw.get("people") or []):
        if not isinstance(e, dict) or not e.get("name") or not e.get("country") or not e.get("role"):
            raise ConfigError(f"{p}: people[{i}]: needs name, country and role")
        start = str(e.get("start") or "1900-01-01")
        end = e.get("end")
        oh.offices.append(Office(
            name=str(e["name"]), country=str(e["country"]), role=str(e["role"]), start=start,
            end=str(end) if end not in (None, "", "null") else None,
            aliases=tuple(str(a) for a in e.get("aliases") or []), seat=e.get("seat"),
        ))
    oh.index()
    return oh


class PeopleWords(NamedTuple):
    """Folded word sets shared by every language (names in an article mix languages)."""

    org: frozenset[str]
    not_names: frozenset[str]
    offices: frozenset[str]
    particles: frozenset[str]
    calendar: frozenset[str]
    demonyms: frozenset[str]


@lru_cache(maxsize=1)
def _default_words() -> PeopleWords:
    return people_words(tuple(all_lexicons().values()))


def people_words(lexicons: tuple[Lexicon, ...]) -> PeopleWords:
    """The word sets of a set of lexicons (every language of one lexicon file)."""
    org, notn, office, part, cal = set(), set(), set(), set(), set()
    for lex in lexicons:
        org |= {fold(w) for w in lex.words("org_words") + lex.words("institutions")}
        org |= {fold(w) for w in lex.words("facility_words") if " " not in w}
        notn |= {fold(w) for w in lex.words("not_names")}
        for w in lex.words("offices"):
            office |= set(fold(w).split())
        part |= {fold(w) for w in lex.words("person_particles")}
        cal |= set(lex.months) | set(lex.weekdays)
    extra_org = {"palacio", "casa", "quinta", "salon", "salão", "lista", "union", "informe", "airport",
                 "international", "internacional", "monastery", "shrine", "cathedral", "street", "plaza",
                 "libro", "livro", "feria", "feira", "premio", "nobel", "honor", "honra", "dia", "día",
                 "republic", "república", "republica", "kingdom", "reino", "emirates", "emiratos", "union",
                 # bodies and regions, never a person: "Asamblea Legislativa", "América Latina"
                 "asamblea", "assembly", "assembleia", "conferencia", "conference", "conferencia",
                 "legislativa", "legislative", "nacional", "national", "latina",
                 # works and vehicles named like people: "Tren Maya", "Trem Intercidades", "Air Force One"
                 "tren", "trem", "train", "aeropuerto", "aeroporto", "carretera", "rodovia", "autopista",
                 "highway", "puerto", "porto", "refinería", "refinaria", "refinery", "corredor", "corridor",
                 "presa", "dam", "represa", "gasoducto", "pipeline", "metro", "metrô", "force",
                 # companies: "Delta Air Lines", "Aerolíneas Argentinas"
                 "airlines", "lines", "airways", "aerolineas", "aerolíneas", "linhas", "inc", "corp", "group",
                 # orders, parties and movements: "Compañía de Jesús", "Orden José Martí", "La Libertad Avanza"
                 "compañia", "compañía", "companhia", "company", "orden", "ordem", "order", "partido", "party",
                 "frente", "front", "movimiento", "movimento", "movement", "alianza", "aliança", "alliance",
                 "libertad", "liberdade", "franja", "strip", "gate", "puerta", "porta"}
    notn |= {"saint", "st", "san", "santa", "santo", "sao", "our", "lady", "nuestra", "senora", "nossa",
             "senhora", "dios", "god", "señor", "don", "doña"}
    dem = {d for lex in lexicons for d in lex.demonyms if " " not in d}
    return PeopleWords(frozenset(org | {fold(w) for w in extra_org}), frozenset(notn), frozenset(office),
                       frozenset(part), frozenset(cal), frozenset(dem))


@dataclass(frozen=True)
class NameSpan:
    start: int
    end: int
    text: str


def _name_runs(text: str, particles: frozenset[str]) -> list[NameSpan]:
    """Maximal runs of capitalised tokens joined by spaces and name particles."""
    runs: list[NameSpan] = []
    toks = [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"[\wÀ-ÿ'’\-.]+", text)]
    i = 0
    n = len(toks)
    while i < n:
        s, e, t = toks[i]
        t_clean = t.rstrip(".")
        if not (t_clean[:1].isupper() and re.match(_CAP, t_clean)):
            i += 1
            continue
        j = i
        last = i
        k = i + 1
        while k < n:
            gap = text[toks[k - 1][1]:toks[k][0]]
            if gap not in (" ", "\u00a0") or toks[k - 1][2].endswith(".") and not ROMAN.match(toks[k - 1][2]) \
                    and len(toks[k - 1][2]) > 2:
                break
            tk = toks[k][2]
            if tk[:1].isupper() or re.match(r"^(?:al|el|ad|as|ash|ibn|bin|ben|van|von|da|de|del|di|du|la|le)-[A-ZÁÉÍÓÚ]", tk):
                last = k
                k += 1
                continue
            if fold(tk) in particles:
                k += 1
                continue
            break
        j = last
        s0, e0 = toks[i][0], toks[j][1]
        raw = text[s0:e0]
        # trailing full stop of a sentence is not part of the name (keep "Jr.")
        while raw.endswith(".") and (not re.search(r"\b(Jr|Sr|[A-Z])\.$", raw)
                                     or ROMAN.match(raw.split()[-1].rstrip(".")) and len(raw.split()) > 1
                                     or not text[e0:e0 + 2].strip()):
            raw = raw[:-1]
            e0 -= 1
        if raw.endswith(("'s", "’s")) and len(raw) > 3:  # "Moon Jae-in's visit": the possessive is not the name
            raw, e0 = raw[:-2], e0 - 2
        runs.append(NameSpan(s0, e0, raw))
        i = j + 1
    return runs


# Capitalized runs headed or closed by these words name a thing, not a person: "Al-Hakim Mosque",
# "Ilha do Combu", "Fuerzas Armadas", "Ley Bases".
# A preposition of place right before a name: "viajó a Santos", "em Vitória", "from Lima". With "de"/"of"
# as well where a genitive also reads as the place ("el gobierno de Santos" is kept a place).
LOCATIVE_BEFORE = r"(?i)(?<![\w])(?:en|a|in|to|em|no|na|ao|à|para|hacia|rumo\s+a|at|from|desde)\s+$"
LOCATIVE_OR_OF_BEFORE = r"(?i)(?<![\w])(?:en|a|in|to|em|no|na|ao|à|para|hacia|rumo\s+a|at|from|desde|de|da|do|of)\s+$"
_THING_HEADS = {"isla", "islas", "ilha", "ilhas", "island", "islands", "rio", "river", "lago", "lake", "monte",
                "mount", "cerro", "volcan", "playa", "praia", "bahia", "baia", "bay", "ley", "lei", "law",
                "fuerzas", "forcas", "forces", "operacion", "operacao", "operation", "plan", "programa",
                "mezquita", "mesquita", "iglesia", "igreja", "catedral", "basilica", "palacio",
                "museo", "museu", "parque", "park", "comunidad", "comunidade", "community", "provincia",
                "torre", "mausoleo", "mausoleu", "monumento", "memorial", "tumba", "estatua",
                "santuario", "templo", "capilla", "capela", "monasterio", "mosteiro", "convento",
                "província", "region", "regiao", "departamento", "municipio", "municipalidad", "prefeitura",
                "familia", "family", "casa", "corpo", "cuerpo", "alto", "alta", "presidential",
                "residencia", "residence", "quinta", "estadio", "centro", "hotel", "salon", "sala",
                "laboratorio", "laboratory", "jubileo", "jubileu", "jubilee", "africa", "america", "europa",
                "europe", "asia", "oceania", "misioneras", "misioneros", "missionaries", "martires", "martyrs",
                "juegos", "jogos", "games", "negocios", "sudeste", "sureste", "nordeste", "noroeste", "southeast",
                "northeast", "bosque", "forest", "sistema", "system", "pacos"}
_THING_TAILS = {"house", "bay", "games", "mosque", "church", "cathedral", "basilica", "palace", "museum", "temple", "shrine", "memorial",
                "park", "square", "bridge", "tower", "hall", "center", "centre", "stadium", "university",
                "college", "institute", "foundation", "summit", "forum", "act", "accords", "agreement"}


_REGION_ADJECTIVES = {"european", "asian", "african", "american", "latin", "arab", "nordic", "balkan", "pacific",
                      "atlantic", "caribbean", "andean", "amazonian", "middle", "eastern", "western", "northern",
                      "southern", "central"}


def find_people(text: str, *, sentences: tuple[Span, ...], lex: Lexicon, date: str | None,
                place_spans: list[tuple[int, int]] | None = None, holders: Officeholders | None = None,
                country_spans: list[tuple[int, int, str]] | None = None,
                words: PeopleWords | None = None) -> list[PersonMention]:
    """Person mentions with canonical names (office-holders file, else the fullest form in the text).

    `country_spans` (start, end, ISO code) of country names let "el presidente de Francia" be
    resolved to the office-holder of the day.
    """
    holders = holders or load_officeholders()
    org, notn, office, part, cal, demonyms = words or _default_words()
    place_spans = sorted(place_spans or [])
    starts = [ps for ps, _ in place_spans]
    found: list[tuple[int, int, str, str | None, str | None]] = []  # start, end, name, role, country
    sent_starts = [s.start for s in sentences]

    def sent_of(pos: int) -> int:
        return max(0, bisect.bisect_right(sent_starts, pos) - 1)

    def spans_near(a: int, b: int) -> list[tuple[int, int]]:
        """Place spans that start within [a - 80, b] (place names are short)."""
        lo = bisect.bisect_left(starts, a - 80)
        hi = bisect.bisect_right(starts, b)
        return place_spans[lo:hi]

    full_names: dict[str, str] = {}  # folded surname / short form -> full name as written
    singles: list[NameSpan] = []
    placed: set[int] = set()  # single names that are also a place: only an office-holder's surname
    for run in _name_runs(text, part):
        words = run.text.split()
        if fold(words[0]) in org and fold(words[0]) not in office:
            continue  # "Ministerio de Relaciones Exteriores de Perú"
        # leading articles, office words and the like are not part of the name
        k = 0
        while k < len(words) - 1 and (fold(words[k]) in notn or fold(words[k]) in office
                                      or re.search(r"['’]s$", words[k])  # "India's Narendra Modi"
                                      or "-" in words[k] and all(fold(x) in office or fold(x) in notn
                                                                 for x in words[k].split("-"))  # "Vice-President"
                                      or fold(words[k]) in demonyms
                                      or fold(words[k]) in part or words[k].isupper() and len(words[k]) > 1
                                      and not ROMAN.match(words[k]) and fold(words[k]) not in ("amlo", "mbs", "mbz")):
            k += 1
        # "Atlanta Mayor Andre Dickens": a place and an office before the name are not part of it
        if k == 0 and len(words) > 2:
            near0 = spans_near(run.start, run.start + 1)
            lead_place = [pe for ps, pe in near0 if ps == run.start]
            if lead_place:
                rest = text[max(lead_place):run.end].split()
                j = 0
                while j < len(rest) - 1 and fold(rest[j]) in office:
                    j += 1
                if j:
                    k = len(words) - len(rest) + j
                elif len(rest) >= 2 and re.search(r"(?<![\w])(?:de|del|of|do|da)\s+$", text[max(0, run.start - 5):run.start]):
                    k = len(words) - len(rest)  # "la exalcaldesa de Milán Letizia Moratti": the town is hers
        # "Culture Minister Damas Ndumbaro": a portfolio and an office word before the name
        if len(words) - k > 2:
            j = max((i for i in range(k + 1, len(words) - 1) if fold(words[i]) in office and fold(words[i]) not in part
                     and words[i][:1].isupper()), default=0)
            if j and all(w[:1].isupper() for w in words[k:j]):
                k = j + 1
        if k:
            off = run.text.index(words[k], len(" ".join(words[:k])))
            run = NameSpan(run.start + off, run.end, run.text[off:])
            words = words[k:]
        fw = [fold(w) for w in words]
        if not words or fw[0] in notn or fw[0] in cal or fw[-1] in office and len(words) == 1:
            continue
        if any(w in org for w in fw):
            continue
        if any(w in _THING_HEADS for w in fw[:3][:len(fw) - 1]) or fw[-1] in _THING_TAILS:
            continue
        if fw[-1] in demonyms or fw[-1] in _REGION_ADJECTIVES:
            continue  # "Central European", "Southeast Asian": an adjective of place, not a name
        if fw[-1] in part or fw[-1] in office:
            continue
        if run.text.isupper() and len(run.text) > 4:  # DATELINE, headline shouting
            continue
        near = spans_near(run.start, run.end)
        if any(ps <= run.start and run.end <= pe for ps, pe in near):
            # "el propio Santos describió": a town's name alone may be the surname of someone named in
            # full (decided below, once every full name is known), unless a preposition of place precedes
            if len(words) == 1 and not re.search(LOCATIVE_OR_OF_BEFORE, text[max(0, run.start - 12):run.start]):
                singles.append(run)
                placed.add(run.start)
            continue  # the gazetteer's longer name covers it: a place
        # "en Emiratos Noboa": a place glued to a known name
        lead = [pe for ps, pe in near if ps == run.start and pe < run.end]
        if lead and any(cs == run.start for cs, _, _ in country_spans or ()):
            continue  # "Estados Unidos da América": a country's longer name
        if lead:
            rest = text[max(lead):run.end].strip()
            if holders.by_name(rest, date=date):
                off = run.text.index(rest, max(lead) - run.start)
                run = NameSpan(run.start + off, run.end, rest)
                words = rest.split()
                fw = [fold(w) for w in words]
            elif any(ps < run.end <= pe or (ps >= run.start and pe == run.end) for ps, pe in near):
                continue  # "Venezuela e Guiana": places on both ends
        # "Ulisses Correia e Silva": a compound surname joined by "e"/"y" that an office-holder carries
        ext = re.match(r" (?:e|y) [A-ZÁÉÍÓÚÑ][\wÀ-ÿ'’-]+", text[run.end:run.end + 30])
        if ext and holders.by_name(run.text + ext.group(0), date=date):
            run = NameSpan(run.start, run.end + ext.end(), run.text + ext.group(0))
            words = run.text.split()
            fw = [fold(w) for w in words]
        known = holders.by_name(run.text, date=date)
        if not known and re.search(r"(?i)(?<![\wÀ-ÿ])(en|in|em|na|no|desde|hacia|to|at|from|para|rumo\s+a)\s+$",
                                   text[max(0, run.start - 12):run.start]):
            continue  # "presencia en Vaca Muerta": a place the gazetteer does not know
        before = re.search(r"([a-záéíóúâêôãõçñü]+)\s+(?:(?:de|del|do|da|of)\s+(?:la\s+|the\s+)?)?$",
                           text[max(0, run.start - 28):run.start])
        if not known and before and (fold(before.group(1)) in org or fold(before.group(1)) in _THING_HEADS):
            continue  # "el puente Rodolfo Robles", "el memorial de José Martí": named after a person
        if not known and before and fold(before.group(1)) in office and len(words) <= 3 and \
                re.search(r"(?:de|del|da|do|of)\s+(?:la\s+|the\s+)?$", before.group(0)):
            continue  # "el ministro de Recursos del Petróleo", "Ministry of Health": a portfolio
        if known:
            found.append((run.start, run.end, known.name, known.role, known.country))
            for w in range(1, len(words)):
                full_names.setdefault(fold(" ".join(words[w:])), known.name)
            # "Felipe VI" is later "Felipe"; "Lee Jae-myung" is later "Lee" (family name first)
            if len(words) > 1 and (ROMAN.match(words[-1]) or known.country in holders.family_name_first):
                full_names.setdefault(fold(words[0]), known.name)
            continue
        if len(words) == 1:
            singles.append(run)
            continue
        if any(fold(w) in cal for w in words):
            continue
        # a place name plus one word ("Santiago Peña" is a person; "Buenos Aires" is not)
        found.append((run.start, run.end, run.text, None, None))
        if ROMAN.match(words[-1]):  # "Bartholomew I" is later just "Bartholomew"
            full_names.setdefault(fold(words[0]), run.text)
        for w in range(1, len(words)):
            tail = " ".join(words[w:])
            if fold(words[w]) not in part:
                full_names.setdefault(fold(tail), run.text)
    for run in singles:
        key = fold(run.text)
        if lex is not None and key in lex.roles:
            continue  # "los Reyes" are the King and Queen, not Governor Alonso Reyes
        name = full_names.get(key)
        if name and run.start in placed and not holders.by_name(name, date=date):
            continue
        if name:
            o = holders.by_name(name, date=date)
            found.append((run.start, run.end, name, o.role if o else None, o.country if o else None))
            continue
        # "el imperador Naruhito", "the emir Tamim": one name right after an office word
        prev = re.search(r"([\wÀ-ÿ-]+)\s+$", text[max(0, run.start - 30):run.start])
        if prev and prev.group(1)[:1].islower() and fold(prev.group(1)) in office and \
                fold(prev.group(1)) not in part and fold(prev.group(1)) not in ("of", "the", "y", "e", "and") and \
                fold(run.text) not in notn and fold(run.text) not in cal and fold(run.text) not in org and \
                not any(ps <= run.start < pe for ps, pe in spans_near(run.start, run.end)):
            found.append((run.start, run.end, run.text, None, None))
    found.extend(_role_references(text, lex=lex, date=date, holders=holders, taken=found))
    found.extend(_role_of_country(text, lex=lex, date=date, holders=holders, taken=found,
                                  country_spans=country_spans or []))
    found.sort()
    out, last_end = [], -1
    for s, e, name, role, country in found:
        if s < last_end:
            continue
        out.append(PersonMention(span=Span(s, e, text[s:e]), sentence=sent_of(s), name=name, role=role,
                                 country=country))
        last_end = e
    return out


def _role_ref_rx(lex: Lexicon) -> re.Pattern[str] | None:
    """"el mandatario peruano" / "the Lebanese president", compiled once per lexicon."""
    return lex.compiled("people:role_ref", lambda: _build_role_ref_rx(lex))


def _build_role_ref_rx(lex: Lexicon) -> re.Pattern[str] | None:
    roles = sorted(lex.roles.items(), key=lambda kv: -len(kv[0]))
    if not roles or not lex.demonyms:
        return None
    role_rx = "|".join(re.escape(r).replace(r"\ ", r"\s+") for r, _ in roles)
    dem = "|".join(sorted((re.escape(d) for d in lex.demonyms), key=len, reverse=True))
    if lex.lang == "en":
        return re.compile(rf"(?<![\w])(?P<dem>{dem})\s+(?:(?:acting|interim)\s+)?(?P<role>{role_rx})(?![\w])", re.I)
    return re.compile(rf"(?<![\wÀ-ÿ])(?P<role>{role_rx})\s+(?:(?:interino|interina|electo|electa)\s+)?(?P<dem>{dem})(?![\wÀ-ÿ])", re.I)


def _role_of_country(text: str, *, lex: Lexicon, date: str | None, holders: Officeholders, taken: list,
                     country_spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str, str, str]]:
    """"el presidente de Francia", "the president of Kenya" -> the office-holder of the day."""
    out = []
    if not lex.roles:
        return out
    role_rx = "|".join(re.escape(r).replace(r"\ ", r"\s+") for r in sorted(lex.roles, key=len, reverse=True))
    rx = re.compile(rf"(?<![\wÀ-ÿ])(?P<role>{role_rx})\s+(?:de|del|da|do|of)(?:\s+(?:la|el|the|o|a))?\s*$", re.I)
    spans = sorted((a, b) for a, b, *_ in taken)
    for cs, ce, code in country_spans:
        before = fold_aligned(text[max(0, cs - 60):cs])
        m = rx.search(before)
        if not m:
            continue
        s = cs - len(before) + m.start()
        if any(a < ce and s < b for a, b in spans):
            continue
        after = text[ce:ce + 40]
        if re.match(r"\s*,?\s*(?:el\s+|la\s+|o\s+|a\s+|the\s+)?(?:jeque\s+|sheikh\s+)?[A-ZÁÉÍÓÚÑ][\wÀ-ÿ]+(\s+[A-ZÁÉÍÓÚÑ]|,)", after):
            continue  # the name follows: it is its own mention
        role = lex.roles.get(re.sub(r"\s+", " ", m.group("role").lower()))
        o = holders.holder(code, role, date=date) if role else None
        if o:
            out.append((s, ce, o.name, o.role, o.country))
    return out


def _role_references(text: str, *, lex: Lexicon, date: str | None, holders: Officeholders,
                     taken: list) -> list[tuple[int, int, str, str, str]]:
    """"el mandatario peruano", "the Lebanese president", "el emir de Catar" -> the office-holder."""
    out = []
    rx = _role_ref_rx(lex)
    if rx is None:
        return out
    spans = sorted((a, b) for a, b, *_ in taken)
    starts = [a for a, _ in spans]
    for m in rx.finditer(fold_aligned(text)):
        s, e = m.span()
        i = bisect.bisect_right(starts, e)
        if any(a <= s < b or a < e <= b for a, b in spans[max(0, i - 3):i + 1]):
            continue
        # an apposition that names the person follows: the name is its own mention
        after = text[e:e + 40]
        if re.match(r"\s*,?\s*(?:el\s+|la\s+|o\s+|a\s+|the\s+)?(?:jeque\s+|sheikh\s+)?[A-ZÁÉÍÓÚÑ][\wÀ-ÿ]+\s+[A-ZÁÉÍÓÚÑ]", after):
            continue
        code = lex.demonyms.get(m.group("dem"))
        role = lex.roles.get(re.sub(r"\s+", " ", m.group("role")))
        if not code or not role or "-" in code:
            continue
        if role == "foreign_minister" and code in holders.chancellor_heads and \
                re.sub(r"\s+", " ", m.group("role")) in ("canciller", "chanceler", "chancellor"):
            role = "head_of_government"  # "el canciller alemán" is Germany's head of government
        o = holders.holder(code, role, date=date)
        if o:
            out.append((s, e, o.name, o.role, o.country))
    return out
