"""From mentions to the tour: which places are stops, when, in which order, and who was met.

The unit of decision is a place mention in its clause. A mention is a stop candidate when the
traveler is (or will be) there: a travel, visit or meeting cue in the same stretch of the
sentence, a foreign dateline, or a meeting with a foreign leader (placed at that leader's seat).
It is not when the clause is background (an earlier trip, a cancelled leg, a technical layover,
a birthplace), when the place is part of a title, an organisation, a street or a
neighbourhood, when it is the return home, or when another person does the travelling.
Candidates at one place in a row become one stop; dates and status come from the clause
(tense, date grammar) and the stops are put in travel order.
"""
from __future__ import annotations

import bisect
import datetime as dt
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from .config import Settings
from .dates import DateExpr, clause_bounds, find_dates, names_event, tense_at
from .dating import choose, date_choices
from .meetings import choose as choose_met, met_choices, surname
from .knowledge import Knowledge, knowledge_for
from .lexicon import Lexicon, fold
from .mentions import sentence_index
from .models import Corridor, Evidence, Mentions, PersonMention, Place, PlaceMention, Region, Span, Stop, Tour
from .people import Officeholders, find_people

FAR_CUE = 100  # characters from a visit or meeting word to a country it can still govern
CITY_STATES = {"VA", "MC", "SG", "SM", "LI", "AD", "MT", "BH", "QA", "LU", "HK", "MO"}
LEADER_ROLES = ("president", "head_of_government", "monarch", "crown_prince", "pope")
HOME_TOUR_RATIO = 2.0  # a trip is abroad unless its places at home weigh more than twice those abroad
SEAT_VETO = 0.3  # a meeting placed at a leader's seat needs the rules and this much of the decision
_SEGMENT = re.compile(r";|\s[—–]\s|\n")


@dataclass
class Candidate:
    """One place mention (or implied place) the traveler is at."""

    place: Place  # the resolved place (city, landmark...)
    pos: int  # character offset of the mention
    sentence: int
    mention: str  # the text as written
    status: str = "planned"
    date: str | None = None
    date_end: str | None = None
    landmark: str | None = None
    met: list[str] = field(default_factory=list)
    evidence: list[int] = field(default_factory=list)  # sentence indexes
    strength: float = 0.5
    level: str = "city"  # "city" | "country" | "admin" | "seat"
    origin_kind: str = "mention"
    next_leg: bool = False  # "antes de seguir hacia X": X comes after the stop being told
    cue_pos: int | None = None  # where the travel word that makes it a stop stands
    cue_meets: bool = False  # that word is a meeting or hosting word ("recibió"), not a journey
    came_from: bool = False  # "chegou a Doha, vindo de Abu Dhabi": the leg right before the arrival told
    prev_leg: bool = False  # "Antes, estuvo en Lima": told after, happened before the stops told so far
    arrival_day: str | None = None  # came_from: the day of the arrival its sentence tells
    began: bool = False  # "La gira arrancó en Argelia": the first leg, wherever it is told
    again: bool = False  # "volverá a Cancún para estrenar...": a second visit, told as one
    arrived_from: str | None = None  # "llegó a Santiago procedente de Buenos Aires": that place's name
    prob: float = 0.5  # the decision's probability that this is a visit of the trip
    stop_prob: float | None = None  # the stop decision's calibrated probability, once assembled
    rule_support: bool = True  # the hand-written rules keep it (or a mention merged into it)
    support: list[float] = field(default_factory=list)  # probabilities of the mentions merged into it
    positions: list[int] = field(default_factory=list)  # where the mentions merged into it stand
    stop_features: dict[str, float] = field(default_factory=dict)  # the assembled stop's, for the stop decision
    features: dict[str, float] = field(default_factory=dict)  # named checks, computed once
    exits: list[str] = field(default_factory=list)  # the hand-written rules' reasons to drop it


def _km(a: Place, b: Place) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _segment(text: str, pos: int) -> tuple[int, int]:
    """The stretch of a sentence between semicolons or spaced dashes around a position."""
    return clause_bounds(text, pos, breaks=_SEGMENT)


def _interval(date: str | None, status: str, pub: str | None) -> tuple[str, str]:
    """The span of days a (partial) date covers, for ordering; unknown dates are open-ended."""
    if date:
        if len(date) == 10:
            return date, date
        if len(date) == 7:
            return date + "-01", date + "-31"
        return date + "-01-01", date + "-12-31"
    if pub:
        return ("0000-00-00", pub) if status == "completed" else (pub, "9999-99-99")
    return "0000-00-00", "9999-99-99"


def _days_before(value: str, pub: dt.date) -> int:
    """How many days before publication a (partial) date ends; negative when after."""
    try:
        if len(value) == 10:
            end = dt.date.fromisoformat(value)
        elif len(value) == 7:
            y, m = int(value[:4]), int(value[5:7])
            end = dt.date(y + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)
        else:
            end = dt.date(int(value[:4]), 12, 31)
    except ValueError:
        return 0
    return (pub - end).days


def _same_tense(ctx: "_Ctx", sent: Span, d: DateExpr, status: str | None) -> bool:
    """A date told in a past clause does not date a planned stop, nor the reverse."""
    rel = d.start - sent.start
    # the date's own clause decides; a tense elsewhere in the sentence ("..., informou o Itamaraty")
    # belongs to another verb
    tense = tense_at(sent.text, rel, ctx.lex, window=clause_bounds(sent.text, rel))
    ts = {"past": "completed", "future": "planned"}.get(tense or "")
    if ts is None:
        ts = _tense_status(ctx, sent.text, rel)
        if ts and not _speech_only(ctx, sent.text, ts):
            return not (status and ts != status)
        return True
    return not (status and ts != status)


def _speech_only(ctx: "_Ctx", sent: str, ts: str) -> bool:
    """The sentence's only past tense is a reporting verb ("informou", "said")."""
    return ts == "completed" and bool(ctx.lex.find("speech_verbs", sent))


def _consistent(date: str | None, status: str | None, pub: str | None) -> bool:
    if not date or not pub or not status:
        return True
    n = len(date)
    if status == "completed":
        return date <= pub[:n]
    return date >= pub[:n]


_THAT_DAY = re.compile(r"(?i)\s*(?:ese|aquel|that|naquele|nesse|neste\s+mesmo|en\s+esa|en\s+aquella|on\s+that|"
                       r"esa|aquella|nessa|naquela)\s+(?:mismo\s+|mesmo\s+|same\s+)?"
                       r"(?:día|dia|day|jornada|fecha|data|date|ocasión|ocasião|occasion|oportunidad|vez|time)\b")


# "días después de que Milei participara en", "weeks after he attended", "dias depois de participar",
# "una semana después de su viaje a China": the sentence dates this trip by an earlier event or trip,
# which is not part of it
_EARLIER_EVENT = re.compile(
    r"(?i)(?:(?:días|semanas?|mes|meses|poco|poco\s+tiempo)\s+(?:después|luego)\s+de\s+que\s+(?:[\wÀ-ÿ]+\s+){0,3}?"
    r"[\wÀ-ÿ]+(?:ara|iera|ase|iese|aran|ieran)\b"
    r"|(?:days|weeks|months|shortly)\s+after\s+(?:he|she|they|[A-Z][\w-]+)\s+(?:had\s+)?[a-z]+ed\b"
    r"|(?:dias|semanas|meses)\s+(?:depois|após)\s+(?:de\s+(?:que\s+)?)?(?:[\wÀ-ÿ]+\s+){0,2}?"
    r"(?:participar|visitar|estar|viajar|ir|comparecer|participou|visitou|esteve|viajou)"
    # "uma semana depois da viagem à China", "a week after his trip to Beijing": an earlier trip
    r"|(?:semanas?|mes|meses|días|dias|weeks?|months?|days)\s+(?:después|luego|depois|após|after)\s+"
    r"(?:(?:de|da|do|del)\s+)?(?:(?:la|el|su|a|o|sua|seu|his|her|the|their)\s+)?"
    r"(?:viaje|visita|gira|viagem|trip|visit|tour|journey)\b)")


class _Ctx:
    """What every rule needs about one article."""

    def __init__(self, mentions: Mentions, knowledge: Knowledge):
        self.m = mentions
        self.k = knowledge
        self.art = mentions.article
        self.text = self.art.text
        self.pub = self.art.published
        self.lex: Lexicon = knowledge.lexicon(self.art.language)
        self.g = knowledge.gazetteer
        self.oh: Officeholders = knowledge.officeholders
        self.sents = mentions.sentences
        self.dates: list[DateExpr] = sorted(find_dates(self.text, published=self.pub, lex=self.lex),
                                            key=lambda d: d.start)
        self._date_starts = [d.start for d in self.dates]
        self.places_in: dict[int, list[PlaceMention]] = {}
        for pm in mentions.places:
            self.places_in.setdefault(pm.sentence, []).append(pm)
        self.people_index: dict[int, dict[int, list[PersonMention]]] = {}
        self.paragraph_of = self._paragraphs()
        self.background = self._background_sentences()
        self.headers = {i for i, s in enumerate(self.sents) if self._is_header(i)}
        self.called_off = self._called_off_countries()
        self._venues: set[int] | None = None
        self._cue_memo: dict[tuple[str, str], list[tuple[int, int]]] = {}
        self._folded: dict[int, str] = {}
        self.all_cands: list = []  # every candidate with its probability, kept or not
        self.enclave_seat: Place | None = None  # set by `_set_home` when home is a city-state
        # dates outside background sentences, by where they end: the narrative's dates so far
        self._narrative = sorted((d for d in self.dates if sentence_index(self.sents, d.start) not in self.background),
                                 key=lambda d: d.end)
        self._narrative_ends = [d.end for d in self._narrative]
        self._bg_paragraphs = {self.paragraph_of[i] for i in self.background}

    def _called_off_countries(self) -> dict[str, int]:
        """Countries a cancelled or postponed trip was to visit, with the sentence that calls it off:
        "ha aplazado el viaje a la República Democrática del Congo y a Sudán del Sur" leaves Kinshasa,
        Goma and Juba, told later from the old programme, off the map."""
        nouns = self.lex.rx("trip_nouns")
        out: dict[str, int] = {}
        if nouns is None:
            return out
        for si, pms in self.places_in.items():
            sent = self.sents[si]
            for m in self.lex.find("cancelled", sent.text):
                for pm in pms:
                    if not pm.candidates or pm.candidates[0].kind != "country":
                        continue
                    rel = pm.span.start - sent.start
                    if m.start() <= rel < m.end() + 160:
                        between = sent.text[m.start():rel]
                    elif m.start() - 120 < rel < m.start():
                        between = sent.text[max(0, rel - 40):rel]
                    else:
                        continue
                    if nouns.search(between):
                        out.setdefault(pm.candidates[0].country, si)
        return out

    def _is_header(self, i: int) -> bool:
        """A subheading: a short line of its own without a final full stop."""
        s = self.sents[i]
        line_start = self.text.rfind("\n", 0, s.start) + 1
        line_end = self.text.find("\n", s.end)
        line_end = len(self.text) if line_end < 0 else line_end
        whole = self.text[line_start:line_end].strip() == s.text.strip()
        return whole and len(s.text) < 80 and not s.text.rstrip().endswith((".", "!", "?", "…", '"', "”", ":"))

    def dates_in(self, a: int, b: int) -> list[DateExpr]:
        """Dates that start in [a, b)."""
        return self.dates[bisect.bisect_left(self._date_starts, a):bisect.bisect_left(self._date_starts, b)]

    def narrative_before(self, pos: int) -> list[DateExpr]:
        """Dates of non-background sentences that end by `pos`, in order of their end."""
        return self._narrative[:bisect.bisect_right(self._narrative_ends, pos)]

    def cue_spans(self, key: str, text: str) -> list[tuple[int, int]]:
        """Where a word list matches in a (sentence) text, found once per text."""
        memo = self._cue_memo.get((key, text))
        if memo is None:
            memo = self._cue_memo[(key, text)] = [m.span() for m in self.lex.find(key, text)]
        return memo

    def folded_sentence(self, i: int) -> str:
        memo = self._folded.get(i)
        if memo is None:
            memo = self._folded[i] = fold(self.sents[i].text)
        return memo

    def sentence_text(self, i: int) -> str:
        return self.sents[i].text

    def _paragraphs(self) -> list[int]:
        out, para, last_end = [], 0, None
        for s in self.sents:
            if last_end is not None and "\n" in self.text[last_end:s.start]:
                para += 1
            out.append(para)
            last_end = s.end
        return out

    def _this_trip_began(self, sent: str) -> bool:
        """The sentence is about the trip told ("La gira, la primera desde..., arrancó la semana
        pasada en Argelia"): its time words date a leg, they do not point at an earlier trip."""
        nouns = self.lex.words("trip_nouns")
        if not nouns:
            return False
        head = re.match(r"\s*(?:\S+\s+){0,1}(\S+)", sent)
        return bool(head and fold(head.group(1)).strip(",") in {fold(n) for n in nouns}
                    and self.lex.has("trip_began", sent))

    def _future_elsewhere(self, s: Span, ds: list) -> bool:
        """"visitará el muelle que en 2020 se convirtió en símbolo...": the old date is a relative
        clause's; the sentence itself tells a visit still to come."""
        spans = [clause_bounds(s.text, d.start - s.start) for d in ds]
        for key in ("stop_cues", "meet_cues"):
            for m in self.lex.find(key, s.text):
                if not any(lo <= m.start() < hi for lo, hi in spans) and \
                        tense_at(s.text, m.start(), self.lex) == "future" and \
                        not _NEGATED.search(s.text[max(0, m.start() - 30):m.start()]):
                    return True
        return False

    def _cancels_what_came_before(self, sent: str) -> bool:
        """A sentence that opens by dropping the plan just told ("La descartó", "It was later scrapped")."""
        head = " ".join(sent.split()[:4])
        if not re.match(r"(?:La|Lo|Las|Los|Esa|Ese|Esta|Este|Aquella|It|That|This|The\s+plan|A|O|Essa|Esse|Ela)\b",
                        head):
            return False  # only a sentence that points back at the plan ("La descartó", "It was scrapped")
        return any(m.start() <= len(head) for m in self.lex.find("cancelled", head))

    def _background_sentences(self) -> set[int]:
        """Sentences about something else than this trip: earlier trips, cancelled plans, and
        sentences whose only dates lie weeks before publication."""
        out = set()
        pub = None
        if self.pub:
            pub = dt.date.fromisoformat(self.pub[:10])
        starts = [d.start for d in self.dates]
        for i, s in enumerate(self.sents):
            if self.lex.has("cancelled", s.text) or \
                    self.lex.has("background", s.text) and not self._this_trip_began(s.text):
                out.add(i)
                continue
            if _EARLIER_EVENT.search(s.text):
                out.add(i)
                continue
            if i - 1 in out and _THAT_DAY.match(s.text):
                out.add(i)  # "Ese día...": the day of the background sentence before
                continue
            if i + 1 < len(self.sents) and self._cancels_what_came_before(self.sents[i + 1].text):
                out.add(i)  # "Se estudió una parada en Japón. La descartó...": a plan dropped
                continue
            lo = bisect.bisect_left(starts, s.start)
            hi = bisect.bisect_left(starts, s.end)
            # "voló a Gyumri, todavía marcada por el terremoto de 1988": a date naming an event is no day of the story
            ds = [d for d in self.dates[lo:hi] if d.value and not names_event(self.text, d.start, d.end, self.lex)]
            if pub and ds and all(_days_before(d.value, pub) > 20 for d in ds) and not self._future_elsewhere(s, ds):
                out.add(i)
        return out


# --- the traveler -----------------------------------------------------------------------------

def _pick_traveler(ctx: _Ctx, people: list[PersonMention], title_people: list[PersonMention],
                   place_countries: Counter) -> tuple[str | None, str | None]:
    """The person the trip is about, and their country."""
    if not people and not title_people:
        return None, None
    score: Counter = Counter()
    country: dict[str, str | None] = {}
    for p in people:
        score[p.name] += 1.0
        country.setdefault(p.name, p.country)
        if p.country and not country.get(p.name):
            country[p.name] = p.country
    for p in title_people:
        score[p.name] += 3.0
        country.setdefault(p.name, p.country)
    # a surname alone in the headline ("Boric viaja a México") names a person of the text
    lex = ctx.lex
    # "los Reyes" in a headline is the King and Queen, not Governor Alonso Reyes
    title_words = {fold(w) for w in re.findall(r"[\wÀ-ÿ'’-]+", ctx.art.title or "") if w[:1].isupper()} - set(lex.roles)
    named = {p.name for p in title_people}
    for nm in {p.name for p in people} - named:
        words = [w for w in nm.split() if not re.fullmatch(r"(?:Jr|Sr|[IVX]+)\.?", w)] or nm.split()
        if fold(words[-1]) in title_words:
            score[nm] += 3.0
    if ctx.art.title:
        # "El papa viaja mañana a África", "El Rey viaja a Montevideo para el relevo de Vázquez": the
        # headline names the traveler by office, before anyone it names
        title = fold(ctx.art.title)
        first_name = min((p.span.start for p in title_people), default=len(title))
        stop_rx = lex.rx("stop_cues")
        bonus: dict[str, float] = {}
        for word, role in lex.roles.items():
            m = re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", title)
            if not m or m.start() > first_name:
                continue
            after = title[m.end():m.end() + 30]
            cue = stop_rx.search(after) if stop_rx else None
            bonus[role] = max(bonus.get(role, 0.0), 4.5 if cue and "," not in after[:cue.start()] else 2.0)
        for role, b in bonus.items():
            holders = {p.name for p in people if p.role == role}
            if len(holders) == 1 or not title_people:
                for nm in holders:
                    score[nm] += b
        # "EN VIVO | Santiago Peña en Taiwán: ...": the person the headline opens with
        lead = re.match(r"[A-ZÁÉÍÓÚÑ0-9 ]{2,}\s*[|:—–-]\s*", ctx.art.title)
        for p in title_people:
            if p.country and p.span.start == (lead.end() if lead else 0):
                score[p.name] += 1.5
        # "EMBALÓ EM DIGRESSÃO: ...", "Boric, en Pekín": a headline that opens with a surname of the text
        first = re.match(r"\W*([\wÀ-ÿ'’-]+)", ctx.art.title)
        if first and all(p.span.start > first.end() for p in title_people):
            for nm in {p.name for p in people}:
                if fold(nm.split()[-1]) == fold(first.group(1)) and len(nm.split()) >= 2:
                    score[nm] += 1.5
    for src, plist in ((ctx.text, people), (ctx.art.title, title_people)):
        host_rx = lex.rx("host_cues")
        stop_rx = lex.rx("stop_cues")
        meet_verb_rx = _meet_verb_rx(lex)
        for p in plist:
            after = re.split(r"(?<=[.!?])\s", src[p.span.end:p.span.end + 60], maxsplit=1)[0]  # its own sentence
            before = src[max(0, p.span.start - 45):p.span.start]
            # "X recibió a Y": X hosts; "recibió a Y" / "Y fue recibido": Y travels
            if host_rx and host_rx.match(after.lstrip(" ,").split(",")[0][:30] or "") or \
                    host_rx and re.match(r"\s*(?:lo|la|le)?\s*(recibi|receb|welcom|host|greet)", after, re.I):
                score[p.name] -= 2.5
            m_rec = re.search(r"(recibió|recibe|recibirá|recebeu|received|welcomed|hosted|greeted)\s+(?:a|al|à|ao)?\s*"
                              r"(?:su|seu|sua|his|her)?\s*[\wÀ-ÿ ,]{0,35}$", before, re.I)
            if m_rec and re.search(r"(?i)(?<![\wÀ-ÿ])(?:lo|la|le|los|les|o|os)\s+$", before[:m_rec.start()]):
                score[p.name] -= 2.5  # "Lo recibirá la presidenta X": the verb's subject, after it, hosts
            elif m_rec:
                score[p.name] += 2.0
            if re.match(r"\s*(?:(?:é|fue|foi|was|será|will\s+be)\s+)(?:recibid|recebid|received|welcomed|saudad)", after, re.I):
                score[p.name] += 2.0
            m_stop = stop_rx.search(after[:40]) if stop_rx else None
            if m_stop and not re.search(r"[,;:]", after[:m_stop.start()]):
                score[p.name] += 2.5  # "Keir Starmer will fly to": the subject of a travel verb
            elif m_stop:
                score[p.name] += 1.0
            if meet_verb_rx and meet_verb_rx.search(before[-40:]):
                score[p.name] -= 1.5  # "will meet Fumio Kishida", "se reunirá con el presidente X": the one met
            if re.search(r"(?i)(?<![\wÀ-ÿ])(con|with|com|junto\s+a|por|by|pelo|pela)\s+(?:(?:el|la|the|o|a|su|his|seu|sua)\s+)?"
                         r"(?:[\wÀ-ÿ-]+\s+){0,3}$", before[-40:]) and ctx.lex.has("meet_cues", before):
                score[p.name] -= 1.5  # "a meeting with President Donald Trump": the one met
    # a person of the country where the places are is the host, not the traveler
    foreign = [c for c in place_countries if c]
    if foreign:
        top, n = place_countries.most_common(1)[0]
        if len({country.get(nm) for nm in score if country.get(nm)}) > 1:
            for nm in score:
                if country.get(nm) == top:
                    score[nm] -= 3.0 if n >= 2 else 1.5  # one town told is weaker evidence, not none
                elif country.get(nm) and country.get(nm) != top and n >= 2:
                    score[nm] += 1.0  # an office-holder from elsewhere, where the places are: the visitor
    best, best_score = sorted(score.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    if best_score <= 0:
        return None, None  # only people met or talked about: the traveler is not named
    return best, country.get(best)


def _meet_verb_rx(lex: Lexicon) -> re.Pattern[str] | None:
    """A meeting verb right before a name, with only articles, roles and demonyms between."""
    def build():
        verbs = [w for w in lex.words("meet_cues") if _VERBISH.search(w.lower()) or " " in w]
        if not verbs:
            return None
        rx = "|".join(re.escape(v) for v in sorted(verbs, key=len, reverse=True))
        return re.compile(rf"(?i)(?<![\wÀ-ÿ])(?:{rx})\s+(?:(?:con|with|com|a|al|ao|à)\s+)?"
                          rf"(?:(?:el|la|the|o|a|su|his|her|seu|sua)\s+)?(?:[a-záéíóúâêôãõçñü-]+\s+){{0,3}}$")
    return _cached(lex, "meet_verb", build)


# A city-state, whose country point lies this close to its seat (the Vatican, Monaco, San Marino;
# not Malta or Singapore): its leader is home anywhere in the city around it (a pope back in Rome).
_CITY_STATE_KM = 5.0
_ENCLAVE_KM = 10.0


def _set_home(ctx: _Ctx, home: str | None) -> None:
    seat = ctx.g.capital(home) if home else None
    land = ctx.g.country(home) if home else None
    ctx.enclave_seat = seat if seat is not None and land is not None and _km(seat, land) < _CITY_STATE_KM else None


def _at_home(ctx: _Ctx, place: Place, home: str | None) -> bool:
    if not home:
        return False
    if place.country == home:
        return True
    seat = ctx.enclave_seat
    return seat is not None and place.kind not in ("country", "admin") and _km(seat, place) < _ENCLAVE_KM


def _home_country(ctx: _Ctx, traveler: str | None, traveler_country: str | None,
                  people: list[PersonMention]) -> str | None:
    if traveler_country:
        return traveler_country
    if not traveler:
        return None
    # "su par salvadoreño, Nayib Bukele" / "the Chilean president-elect": a demonym next to the name
    for p in people:
        if p.name != traveler:
            continue
        window = fold(ctx.text[max(0, p.span.start - 40):p.span.start])
        for w in re.findall(r"[\wÀ-ÿ-]+", window)[::-1]:
            if w in ctx.lex.demonyms and "-" not in ctx.lex.demonyms[w]:
                return ctx.lex.demonyms[w]
    return None


# --- stop candidates --------------------------------------------------------------------------

def _cached(lex: Lexicon, name: str, build) -> re.Pattern[str] | None:
    return lex.compiled("tour:" + name, build)


def _role_rx(lex: Lexicon) -> re.Pattern[str] | None:
    offices = lex.words("offices")
    if not offices:
        return None
    rx = r"(?i:" + "|".join(re.escape(o) for o in sorted(offices, key=len, reverse=True)) + r")"
    link = r"(?:de|del|da|do|dos|das|of|en|in|em|no|na|at)"
    # "presidente electo de", "ministro de Relaciones Exteriores de", "jefa de Gobierno de la"
    adj = r"(?:\s+(?:electo|electa|eleito|eleita|elect|interino|interina|interim|acting|saliente|entrante|adjunto|" \
          r"adjunta|general|regional|departamental|provincial|federal|nacional|municipal|heredero|heredera|herdeiro))?"
    inst = r"(?:\s+(?:de|del|da|do|of|for)(?:\s+(?:la|el|the|los|las|o|a|os|as))?(?:\s+[A-ZÁÉÍÓÚ][\wÀ-ÿ]+){1,3})?"
    return re.compile(rf"(?<![\wÀ-ÿ]){rx}{adj}{inst}\s+{link}(?:\s+(?:la|el|los|las|the|o|a))?\s*$")


def _org_rxs(lex: Lexicon) -> tuple[re.Pattern[str], re.Pattern[str]]:
    orgs = list(lex.words("org_words")) + ["Palacio", "Palácio", "Casa", "Embassy", "Ministry", "Universidad",
                                           "Universidade", "University", "Church"]
    rx_org = r"(?:" + "|".join(re.escape(o) for o in orgs) + r")"
    a = re.compile(rf"(?<![\wÀ-ÿ]){rx_org}(?:\s+(?:[A-ZÁÉÍÓÚÑ0-9][\wÀ-ÿ.]*|de|del|da|do|dos|de\s+la|para|el|la|of|the|y|e|and|for)){{0,7}}"
                   rf"\s+(?:de|del|da|do|dos|of|en)(?:\s+(?:la|el|the|o|a))?\s*$")
    b = re.compile(rf"(?<![\wÀ-ÿ]){rx_org}\s+(?:[A-ZÁÉÍÓÚ][\wÀ-ÿ]*\s+){{0,3}}(?:de|del|of|da|do)\s+(?:la|el|the)?\s*$")
    return a, b


def _role_phrase_before(ctx: _Ctx, sent: str, rel: int) -> bool:
    """"gobernador de Arica", "embajador en Washington", "Ministerio de ... de Perú"."""
    before = sent[max(0, rel - 70):rel]
    rx = _cached(ctx.lex, "role", lambda: _role_rx(ctx.lex))
    if rx and rx.search(before):
        return True
    # an organisation's name: a capitalised organisation word then capitalised words up to the place
    a, b = _cached(ctx.lex, "org", lambda: _org_rxs(ctx.lex))
    if a.search(before):
        return True
    if re.search(r"(?:de|del|of|da|do)\s+(?:la|el|the)?\s*$", before) and b.search(before):
        return True
    return False


_GEO_NOUNS = {"ciudad", "capital", "municipio", "estado", "provincia", "region", "departamento", "localidad",
              "pueblo", "villa", "city", "town", "capital", "state", "province", "region", "village", "cidade",
              "estado", "provincia", "municipio", "turno", "paso", "etapa", "escala", "parada", "visita", "gira",
              "viaje", "viagem", "trip", "tour", "visit", "passagem", "alrededores", "afueras", "centro",
              "isla", "island", "ilha", "islas", "islands", "ilhas", "aeropuerto", "aeroporto", "airport"}


def _genitive_or_alias(ctx: _Ctx, sent: str, rel: int) -> bool:
    """"la reconstrucción de Gaza", "el foro conocido como Davos": a place as a noun's complement."""
    before = sent[max(0, rel - 40):rel]
    if re.search(r"(?i)(?<![\wÀ-ÿ])(sobre|acerca\s+de|about|regarding|concerning|on\s+the\s+future\s+of)"
                 r"(?:\s+(?:el|la|los|las|the|o|a|os|as))?\s*$", before):
        return True  # "la conferencia de paz sobre Ucrania": what is talked about
    if re.search(r"(?i)(conocid[oa]s?\s+como|llamad[oa]s?|denominad[oa]s?|known\s+as|so-called|called|"
                 r"conhecid[oa]s?\s+como|chamad[oa]s?)\s+(?:el|la|the|o|a)?\s*[\"“'‘«]?\s*$", before):
        return True
    m = re.search(r"([a-záéíóúâêôãõçñü]+)(?:\s+([a-záéíóúâêôãõçñü]+))?\s+(?:en|in|em|no|na|nos|nas|on)"
                  r"(?:\s+(?:la|el|los|las|o|a|os|as|the))?\s*$", before)
    if m and any(w and ctx.lex.has("context_nouns", w) for w in m.groups()):
        return True  # "la crisis en Venezuela", "the war in Ukraine", "la crisis política en": a topic
    m = re.search(r"(?i)([a-záéíóúâêôãõçñü]+)\s+(?:entre|between|among)\s+(?:(?:la|el|los|las|the|o|a|os|as)\s+)?"
                  r"(?:[^,.;:]{1,40}?\s+(?:y|and|e)\s+(?:(?:la|el|los|las|the|o|a|os|as)\s+)?)?$", before)
    if m and not ctx.lex.has("stop_cues", m.group(1)) and not ctx.lex.has("border_words", m.group(1)):
        return True  # "la tensión entre Pekín y Washington": the two governments, not a visit
    m = re.search(r"([a-záéíóúâêôãõçñü]+)\s+(?:de|del|da|do|das|dos)(?:\s+(?:la|el|los|las|o|a|os|as))?\s*$", before)
    if m and fold(m.group(1)) not in _GEO_NOUNS and not ctx.lex.has("stop_cues", m.group(1)):
        return True
    m = re.search(r"([a-z]+)\s+of(?:\s+the)?\s*$", before)
    if m and fold(m.group(1)) not in _GEO_NOUNS and not ctx.lex.has("stop_cues", m.group(1)):
        return True
    return False


_LIST_ITEM = re.compile(r"((?:[A-ZÁÉÍÓÚÑ][\wÀ-ÿ'’.-]*)(?:\s+(?:de|del|of|the|da|do|[A-ZÁÉÍÓÚÑ][\wÀ-ÿ'’.-]*))*)"
                        r"(?:\s*,\s*|\s+(?:y|e|and)\s+|\s*,\s+(?:y|e|and)\s+)$")


def _list_head(sent: str, rel: int) -> int:
    """Where a list of names that ends at `rel` begins: "the leaders of Congo, Zambia and Tanzania"."""
    pos = rel
    for _ in range(8):
        m = _LIST_ITEM.search(sent[:pos])
        if not m:
            break
        pos = m.start(1)
    return pos


def _immediately_before(ctx: _Ctx, key: str, sent: str, rel: int, *, span: int = 30) -> bool:
    before = sent[max(0, rel - span):rel]
    for m in ctx.lex.find(key, before):
        tail = before[m.end():]
        if len(tail.strip().split()) <= 2 and not re.search(r"[,.;:]", tail):
            return True
    return False


def _words_before_rx(words: list[str], tail: str) -> re.Pattern[str] | None:
    """Any of `words` (longest first, whole word) followed by `tail` at the end of the text."""
    if not words:
        return None
    rx = r"(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")"
    return re.compile(rf"(?<![\wÀ-ÿ]){rx}{tail}", re.I)


def _facility_rx(lex: Lexicon) -> re.Pattern[str] | None:
    words = list(lex.words("facility_words")) + list(lex.words("subcity_words"))
    # "por carretera hasta Salina Cruz": a road taken to a place, not a road named after it
    return _words_before_rx(words, r"(?:\s+(?!(?:hasta|hacia|para|towards?|até|rumo|into)\b)[a-záéíóúñ]+)?"
                                   r"(?:\s+(?:de|del|da|do|of|de\s+la))?\s*$")


def _facility_before(ctx: _Ctx, sent: str, rel: int) -> bool:
    """"plaza San Martín", "aeropuerto El Dorado", "alcaldía de Coyoacán"."""
    rx = _cached(ctx.lex, "facility", lambda: _facility_rx(ctx.lex))
    m = rx.search(sent[max(0, rel - 30):rel]) if rx else None
    if m and re.search(r"(?i)(?<![\wÀ-ÿ])(?:city|town|ciudad|cidade|villa|pueblo)\s+(?:of|de|da|do)\s*$", m.group(0)):
        return False  # "the port city of Iquique", "la ciudad puerto de...": the town itself
    if m and re.search(r"(?i)(?<![\wÀ-ÿ])(?:aeropuerto|aeroporto|airport)(?:\s+internacional)?\s+(?:of|de|del|da|do)\s*$",
                       m.group(0)):
        return False  # "aterrizar en el aeropuerto de Košice": the town's airport, arriving in the town
    return bool(m)


def _border_rx(lex: Lexicon) -> re.Pattern[str] | None:
    return _words_before_rx(list(lex.words("border_words")),
                            r"\s+(?:con|de|del|with|of|com|entre|between|da|do)(?:\s+(?:la|el|the|o|a))?\s*$")


def _border_before(ctx: _Ctx, sent: str, rel: int) -> bool:
    """"la frontera con Guatemala": the neighbour across a border, not a stop."""
    rx = _cached(ctx.lex, "border", lambda: _border_rx(ctx.lex))
    return bool(rx and rx.search(sent[max(0, rel - 40):rel]))


_AGENT = re.compile(r"(?i)(?<![\wÀ-ÿ])(?!pas+ad|pass|travell?ed|viajad)[a-záéíóúâêôãõçñ]{3,}(?:ada|ado|adas|ados|ida|ido|idas|idos|ed)\s+"
                    r"(?:por|by|pel[oa]s?)\s+(?:(?:el|la|los|las|the|o|a|os|as)\s+)?$")


_LIST_GLUE = {",", "y", "e", "and", "en", "em", "in", "no", "na", "nos", "nas", "el", "la", "los", "las", "the", "o", "a",
              "os", "as", "de", "do", "da", "del", "of"}


_AFTER_WORDS = re.compile(r"(?i)(?<![\wÀ-ÿ])(?:después\s+de|tras|luego\s+de|depois\s+de|após|after|following)(?![\wÀ-ÿ])")


def _only_names_between(gap: str) -> bool:
    """Nothing but names, their prepositions and list joins: "em Luanda, em Angola, e em"."""
    toks = re.findall(r"[\wÀ-ÿ'’.-]+|\S", gap)
    return all(t in _LIST_GLUE or t[:1].isupper() for t in toks)


_TITLE_AGENT = re.compile(r"(?<![\wÀ-ÿ])(?i:[a-záéíóúâêôãõçñ]{3,}(?:ada|ado|adas|ados|ida|ido|idas|idos|ed)"
                          r"(?:\s+[a-záéíóúâêôãõçñ]+){0,2}\s+(?:por|by|pel[oa]s?)\s+(?:(?:el|la|los|las|the|o|a|os|as)\s+)?)"
                          r"([A-ZÁÉÍÓÚÑ][\wÀ-ÿ'’-]*(?:\s+(?:de|del|do|da)?\s*[A-ZÁÉÍÓÚÑ][\wÀ-ÿ'’-]*)*)")


def _title_places(title: str) -> str:
    """The headline, folded, without the agent of a passive ("una gira vigilada de cerca por Pekín"):
    a government watching is no place the headline puts the traveler in."""
    return fold(_TITLE_AGENT.sub(lambda m: m.group(0)[:m.start(1) - m.start()], title))


def _not_stop_applies(ctx: _Ctx, sent: str, rel: int, places_rel: list[int]) -> bool:
    """A layover, a birthplace, a cancelled leg or an earlier trip, each with its own reach."""
    # layover, birthplace, "fuera de": the next place after the cue, or the one right before it
    for m in ctx.lex.find("not_stop", sent):
        if m.end() <= rel and rel - m.end() < 40 and not ctx.lex.has("stop_cues", sent[m.end():rel]):
            if not [p for p in places_rel if m.end() <= p < rel]:
                return True
        # "escalas técnicas em Luanda, em Angola, e em Nairóbi": the cue governs the whole list
        if m.end() <= rel and rel - m.end() < 90 and _only_names_between(sent[m.end():rel]):
            return True
        if m.start() > rel and m.start() - rel < 25 and not [p for p in places_rel if rel < p < m.start()] and \
                not _AFTER_WORDS.search(sent[rel:m.start()]):
            return True  # "Nairobi, escala técnica", not "Tokio después de escalas técnicas en Lisboa"
    # the agent of a passive ("sancionada por Washington", "backed by Moscow", "criticado pelo
    # Brasil"): a government acting, not a place visited; "ha pasado por Madrid" is a visit
    m = _AGENT.search(sent[max(0, rel - 40):rel])
    if m and not re.search(r"(?i)(?<![\wÀ-ÿ])(ha|había|habría|han|has|hemos|habían|have|has|had|tem|tinha|têm)\s+$",
                           sent[max(0, rel - 40):rel][:m.start()]):
        return True
    # cancelled legs: the clause that holds the cue, and the nearest place told before it
    for m in ctx.lex.find("cancelled", sent):
        clo, chi = clause_bounds(sent, m.start())
        if clo <= rel < chi:
            return True
        before = [p for p in places_rel if p < m.start()]
        if before and max(before) == rel and m.start() - rel < 90:
            return True
    # an earlier trip: every place after the cue in the sentence, and the cue's clause
    for m in ([] if ctx._this_trip_began(sent) else ctx.lex.find("background", sent)):
        if m.start() <= rel:
            return True
        clo, _ = clause_bounds(sent, m.start())
        if clo <= rel:
            return True
    return False


_APPOS = re.compile(
    r"^[^\S\n]*,[^\S\n]*(?:(?:en|in|no|na|em|at|near|cerca\s+de|perto\s+de)\s+(?:(?:el|la|o|a|the)\s+)?"
    r"(?:(?:litoral|costa|coast|sur|sul|norte|north|south|este|east|oeste|west|centro|center|centre|interior|"
    r"noreste|noroeste|sureste|suroeste|nordeste|sudeste|northeast|northwest|southeast|southwest)"
    r"(?:\s+[a-záéíóúâêôãõç]+)?\s+(?:de|del|do|da|of)\s+(?:(?:la|el|o|a|the)\s+)?)?"
    r"(?:(?:estado|provincia|província|state|province|región|região|region|departamento|isla|ilha|island)"
    r"\s+(?:de|del|do|da|of)\s+(?:(?:la|el|o|a|the)\s+)?)?)?$", re.I)


def _apposition(sent: str, rel: int, before_rels: list[int], pms: list[PlaceMention], sent_start: int) -> bool:
    """"Itaguaí, no litoral sul do estado do Rio de Janeiro", "Dili, en Timor Oriental", "Anchorage,
    Alaska": a place set off by a comma right after another place says where that one lies."""
    if not before_rels:
        return False
    prev = max(before_rels)
    prev_pm = next((p for p in pms if p.span.start - sent_start == prev), None)
    if prev_pm is None:
        return False
    gap = sent[prev_pm.span.end - sent_start:rel]
    if len(gap) >= 70 or not _APPOS.match(gap):
        return False
    this = next((p for p in pms if p.span.start - sent_start == rel), None)
    if this is None or not this.candidates or not prev_pm.candidates:
        return False
    # it lies in the same country; a bare comma ("Lima, Cusco y Puno" is a list) needs a region or
    # country that holds the place before ("Anchorage, Alaska")
    same = {c.country for c in prev_pm.candidates} & {c.country for c in this.candidates}
    if not same:
        return False
    if gap.strip(" ,\u00a0"):
        return True
    if this.candidates[0].kind in ("admin", "country", "region"):
        return True
    # "Salina Cruz, Oaxaca": a name that is both a city and a state, after a town of that state
    regions = {c.admin1 for c in this.candidates if c.kind in ("admin", "region") and c.admin1}
    return bool(regions & {c.admin1 for c in prev_pm.candidates[:1] if c.admin1 and c.kind not in ("admin", "region")})


_REVISIT = re.compile(
    r"(?i)(?<![\wÀ-ÿ])(?:después\s+de|luego\s+de|tras|desde|after|since|following|após|depois\s+de|desde)"
    r"\s+(?:(?:su|sus|his|her|their|seu|sua|la|el|the|a|o)\s+)?(?:[\wÀ-ÿ]+\s+){0,2}?"
    r"(?:paso|visita|estancia|estadía|escala|stay|visit|stop|stopover|passagem|estadia|parada)s?\s+"
    r"(?:por|en|a|in|to|at|em|no|na|pel[oa])(?:\s+(?:la|el|the|o|a))?\s*$")


def _speaks(ctx: _Ctx, sent: str, rel: int, end: int) -> bool:
    """A seat of government as the subject of a speech verb, before it or (inverted) after it."""
    if ctx.lex.has("speech_verbs", sent[end:end + 20]):
        return True
    before = sent[max(0, rel - 45):rel]
    for m in ctx.lex.find("speech_verbs", before):
        tail = before[m.end():]
        if not re.search(r"[,;:.]", tail) and len(tail.split()) <= 4:
            return True
    return False


_OFFICE_OF = re.compile(r"(?i)(?<![\wÀ-ÿ])(?:(?:jefe|jefa|inquilino|inquilina|head|chief|occupant|tenant|chefe)"
                        r"\s+(?:del|de\s+la|de|of\s+the|of|do|da)|(?:candidat[oa]s?|candidates?|carrera|race|corrida|"
                        r"aspirante|bid)\s+(?:a\s+la|al|a|hacia\s+la|por\s+la|for\s+the|to\s+the|à|ao|pela|pelo))\s*$")
_AGENDA_ITEM = re.compile(r"\s*[-*•]\s+(?:\*\*)?[^:—–.]{3,40}?(?:\*\*)?\s*[:—–]")
_AIRPORT_OF = re.compile(r"(?i)(?<![\wÀ-ÿ])(?:aeropuerto|airport|aeroporto)(?:\s+internacional|\s+international)?"
                         r"\s+(?:de|of|do|da)?\s*$")
_LANDED_IN = re.compile(r"(?i)(?<![\wÀ-ÿ])(?:aterriz[óoaá]\w*|landed|lands|touched\s+down|pous(?:ou|a|ará)|aterriss\w*)"
                        r"(?:\s+[\wÀ-ÿ]+){0,5}?\s+(?:en|in|at|em|no|na)\s+$")
_DATELINE_HEAD = re.compile(r"[A-ZÁÉÍÓÚÑÂÊÔÃÕÇÜ .'’/,-]{0,40}")


def _in_dateline(sent: str, rel: int, name: str) -> bool:
    """"SEÚL/MOSCÚ, 19 jun (EFE).-": every place of the capitals that open the story is the dateline."""
    return name.isupper() and _DATELINE_HEAD.fullmatch(sent[:rel]) is not None


_CLAUSE_START = re.compile(r"(?i)(?:^|[.;:,(—–]\s*|(?<![\wÀ-ÿ])(?:y|and|e|que|that|but|pero|mas|while|mientras)\s+)$")
_AND_ANOTHER = re.compile(r"\s+(?:y|and|e)\s+[A-ZÁÉÍÓÚÑ][\wÀ-ÿ'’-]*(?:\s+[A-ZÁÉÍÓÚÑ][\wÀ-ÿ'’-]*)?")


def _state_subject(ctx: _Ctx, sent: str, rel: int, end: int) -> bool:
    """"Berlin signed a similar accord", "algo que Moscú y Pyongyang niegan": a capital or country as the
    subject of what a government does or says is the state, not a place visited."""
    if not _CLAUSE_START.search(sent[:rel]):
        return False
    m = _AND_ANOTHER.match(sent, end)
    after = " ".join(sent[m.end() if m else end:].split()[:3])
    return any(v.start() == 0 for key in ("state_verbs", "speech_verbs") for v in ctx.lex.find(key, after))


def _revisit_reference(sent: str, rel: int) -> bool:
    """"dos días después de su paso por Madrid": a stop already told, used to date the next one."""
    return bool(_REVISIT.search(sent[max(0, rel - 60):rel]))


_ACCORDING_TO = re.compile(r"(?i)(?<![\wÀ-ÿ])(?:según|segundo|conforme|according\s+to)\s+(?:(?:el|la|lo|o|a|the)\s+)?"
                           r"(?:[a-záéíóúâêôãõç]+\s+){0,3}$")
_SAME_DAY_THERE = re.compile(r"(?i)[^.;:]{0,25}?,\s*(?:donde|where|onde)\s+(?:(?:he|she|ele|ela)\s+)?"
                             r"(?:ese|esse|nesse|that|el|o|on\s+that)\s+(?:mismo|mesmo|same)\s+(?:día|dia|day)")


_BROADCAST_FROM = re.compile(
    r"(?i)(?<![\wÀ-ÿ])(?:conferencia|mañanera|discurso|mensaje|transmisión|rueda\s+de\s+prensa|"
    r"press\s+conference|briefing|speech|address|broadcast|coletiva|pronunciamento|entrevista\s+coletiva)"
    r"(?:\s+[\wÀ-ÿ]+){0,2}\s+(?:desde|from|direto\s+de|desde\s+el|desde\s+la)\s+(?:la|el|o|a|the)?\s*$")


def _broadcast_from(sent: str, rel: int) -> bool:
    """"dará su conferencia matutina desde Campeche", "gave his address from Kyiv": "from" says
    where the traveler is speaking, not where the trip leaves from."""
    return bool(_BROADCAST_FROM.search(sent[max(0, rel - 80):rel]))


_PURPOSE = re.compile(r"\s*,?\s*(?:para|a\s+fin\s+de|in\s+order\s+to|to)\s+(?:[a-záéíóúâêôãõç]+(?:ar|er|ir|ir-se|ar-se)\b|"
                      r"(?:open|inaugurate|launch|attend|lead|host|sign|meet|visit|inspect|unveil)\b)")


def _purpose_there(ctx: _Ctx, sent: str, end: int, place: Place | None, home: str | None) -> bool:
    """Going back to a town, not the traveler's capital, to do something there is another stop."""
    if place is None or not home or place.country != home or place.kind not in ("city",):
        return False
    cap = ctx.g.capital(home)
    if cap is not None and (cap.name == place.name or _km(cap, place) < 60.0):
        return False
    return bool(_PURPOSE.match(sent[end:end + 40]))


def _where_clause(sent: str, end: int, intro: str = r"donde|where|onde") -> str | None:
    """The clause ", donde ..." (or another `intro`) right after a place ending at `end`."""
    m = re.match(rf"[^.;:]{{0,25}}?,\s*(?:{intro})\b([^.;]{{0,90}})", sent[end:])
    return m.group(1) if m else None


def _unnegated_cue(ctx: _Ctx, clause: str, *keys: str) -> bool:
    return any(not _NEGATED.search(clause[max(0, c.start() - 30):c.start()])
               for key in keys for c in ctx.lex.find(key, clause))


def _meeting_at_layover(ctx: _Ctx, sent: str, end: int) -> bool:
    """"a refuelling stop in Anchorage, where he met the governor": a layover with a meeting is a stop
    (never a cancelled leg or an earlier trip)."""
    if ctx.lex.has("cancelled", sent) or ctx.lex.has("background", sent):
        return False
    clause = _where_clause(sent, end, r"donde|where|onde|en\s+la\s+que|in\s+which")
    return clause is not None and _unnegated_cue(ctx, clause, "meet_cues")


def _activity_there(ctx: _Ctx, sent: str, end: int) -> bool:
    """"regresará a Buenos Aires, donde encabezará el desfile": going back to a place to do something
    there on the trip makes it a stop, not just the way home."""
    if ctx.lex.has("cancelled", sent) or ctx.lex.has("background", sent):
        return False
    clause = _where_clause(sent, end)
    return clause is not None and _unnegated_cue(ctx, clause, "stop_cues", "meet_cues")


def _activity_next(ctx: _Ctx, si: int, pms: list[PlaceMention], pm: PlaceMention) -> bool:
    """"...procedente de Cali. En esa ciudad, el sábado, se reunió con Petro": the next sentence of the
    paragraph opens with "there" and tells what was done; only for the last place its sentence names."""
    if pms and pms[-1] is not pm or si + 1 >= len(ctx.sents) or ctx.paragraph_of[si + 1] != ctx.paragraph_of[si]:
        return False
    nxt = ctx.sents[si + 1]
    there = ctx.lex.find("anaphoric_there", nxt.text[:40])
    named = ctx.places_in.get(si + 1)  # "Allí" after a place of its own points to that place
    if not there or there[0].start() > 12 or named and named[0].span.start - nxt.start < there[0].start():
        return False
    return _unnegated_cue(ctx, nxt.text, "stop_cues", "meet_cues", "activity_stems")


def _attributive(ctx: _Ctx, sent: str, rel: int, end: int) -> bool:
    """"the Kosovo war", "the Gaza crisis": an English place name used as a modifier of a topic noun."""
    if ctx.lex.lang != "en" or not re.search(r"(?i)(?<![\w])the\s+$", sent[max(0, rel - 5):rel]):
        return False
    m = re.match(r"\s+([a-z]+)", sent[end:end + 20])
    return bool(m and ctx.lex.has("context_nouns", m.group(1)))


_CAME_FROM = re.compile(r"(?i)(?<![\wÀ-ÿ])(?:vind[oa]s?|procedentes?|provenientes?|viniendo|coming|arriving|"
                        r"flying\s+in|(?:tras|luego\s+de|después\s+de|depois\s+de|após)\s+(?:salir|partir|sair))"
                        r"\s+(?:de|del|da|do|from)(?:\s+(?:la|el|a|o|the))?\s*$|(?<![\wÀ-ÿ])after\s+leaving\s+(?:the\s+)?$")
# "llegó a Santiago desde Buenos Aires, donde el sábado se reunió": after an arrival verb, the
# place the traveler came from (with what was done there) is the leg before
# "left Luanda on Monday for Addis Ababa", "partió de Lima rumbo a Quito": the place after is where he went
_LEFT_FOR = re.compile(r"(?<![\wÀ-ÿ])(?i:leave|leaves|left|leaving|depart(?:s|ed|ing)?\s+from|sale|salió|saldrá|parte|partió|"
                       r"partirá|deja|dejó|sai|saiu|sairá|deixa|deixou|deixará|partiu)\s+(?:de\s+|from\s+)?"
                       r"[A-ZÁÉÍÓÚÑ][^.;:()]{1,60}?\s(?i:for|hacia|rumbo\s+a|con\s+destino\s+a|para|rumo\s+a|com\s+destino\s+a)"
                       r"\s+(?i:the\s+|la\s+|el\s+|a\s+|o\s+)?$")
_ARRIVED_FROM = re.compile(r"(?i)(?<![\wÀ-ÿ])(?:lleg[óoa]\w*|arrib[óoa]\w*|aterriz\w*|arriv\w+|landed|flew\s+in|"
                           r"cheg\w+|aterriss\w+)\b[^.;]{1,70}?\s(?:desde|from)\s+(?:la\s+|el\s+|the\s+)?$")
_BACK_HOME_FIRST = re.compile(r"(?i)(?<![\wÀ-ÿ])(?:depois\s+de|después\s+de|tras|after)\s+"
                              r"(?:(?:alguns|algunos|unos|uns|a\s+few|some|several|varios|vários|dos|two|três|tres|three)\s+)?"
                              r"(?:dias|días|days)\s+(?:de\s+vuelta\s+|back\s+)?(?:em|en|in|at|na|no)\s")
_FRONTED = re.compile(r"^\s*(?:[Ee]n|[Ii]n|[Ee]m|[Nn][ao]|[Aa]t)\s+(?:(?:la|el|the|a|o)\s+)?"
                      r"(?:(?:paso|puente|ciudad|localidad|pueblo|villa|crossing|city|town|village|passagem|cidade)"
                      r"\s+(?:fronteriz[oa]\s+|border\s+)?(?:de|del|of|da|do)\s+)?$")


def _fronted_locative_cue(ctx: _Ctx, sent: str, rel: int, end: int, base: int) -> tuple[int, str] | None:
    """"En Buenos Aires, el ucraniano mantuvo un encuentro con Peña": a place set before the sentence
    as its scene is where the main clause's visit or meeting happens."""
    if not _FRONTED.match(sent[:rel]):
        return None
    comma = re.match(r"[^,;.:]{0,30}?,", sent[end:])
    if not comma:
        # "In Abidjan he watched the match": the scene of what the traveler did next
        pron = re.match(r"\s+(?:he|she|ele|ela)\s+([a-z]+)", sent[end:])
        if not pron or not re.search(r"(?:ed|ou|eu|iu)$|^(?:met|saw|went|held|gave|took|made|spoke|sat)$",
                                                 pron.group(1)):
            return None
        return end, pron.group(0)
    main = re.split(r"[;:]", sent[end + comma.end():])[0]
    if ctx.lex.has("speech_verbs", main):
        return None  # "In Washington on Monday, officials said ...": the news from elsewhere
    if comma.end() > 1:
        # "In Paris on Monday, Macron pressed him": a scene with its own day is a leg of the trip
        if any(d.value for d in ctx.dates_in(base + end, base + end + comma.end())):
            return end, sent[end:end + comma.end()]
        return None
    rest = sent[end:]
    stop = re.search(r"[;:]", rest)
    rest = rest[:stop.start()] if stop else rest
    if ctx.lex.has("cancelled", rest) or ctx.lex.has("background", rest):
        return None
    nouns = ctx.lex.compiled("tour:stop_nouns", lambda: {fold(w) for w in ctx.lex.words("stop_nouns")})
    for key in ("meet_cues", "stop_cues"):
        for m in ctx.lex.find(key, rest):
            if key == "stop_cues" and fold(re.sub(r"\s+", " ", m.group(0))) in nouns:
                continue  # "En San Rafael, la visita se siguió con atención": the trip followed from afar
            if not _NEGATED.search(rest[max(0, m.start() - 30):m.start()]):
                return end + m.start(), m.group(0)
    return None


def _stop_cue_near(ctx: _Ctx, sent: str, rel: int) -> tuple[int, str] | None:
    """The stop cue governing a place: nearest before it in its stretch, else after it."""
    lo, hi = _segment(sent, rel)
    nouns = ctx.lex.compiled("tour:stop_nouns", lambda: {fold(w) for w in ctx.lex.words("stop_nouns")})
    cues = []
    negated = []
    for m in ctx.lex.find("stop_cues", sent):
        if not lo <= m.start() < hi:
            continue
        if fold(re.sub(r"\s+", " ", m.group(0))) in nouns:
            gap = sent[m.end():max(m.end(), _list_head(sent, rel))]  # "la agenda incluye Lima, Cusco y Puno"
            # a cue noun governs a place a few words after it, behind a preposition; right before
            # the place it is the verb ("will visit Puerto Maldonado", "visita Lima"); before a dash
            # or a colon it introduces a list
            if not (gap.strip() and not re.fullmatch(r"\s*[—–:]\s*", gap)) and m.end() <= rel:
                # "sus tres etapas —Madrid, Barcelona y Canarias—", "the stops: Lima, Cusco"
                cues.append(m)
                continue
            if not (0 <= len(gap) <= 60 and re.search(
                    r"(?i)(?<![\wÀ-ÿ])(en|a|al|por|de|del|in|at|to|em|na|no|à|ao|para|hacia|rumo\s+a|"
                    r"será|serán|es|son|fue|fueron|sería|is|was|will\s+be|would\s+be|é|foi|são|seria|"
                    r"incluye|incluirá|incluía|comprende|abarca|contempla|includes|included|will\s+include|"
                    r"covers|inclui|incluirá|incluía|abrange|prevê)"
                    r"(?:\s+(?:la|el|los|las|the|o|a|os|as))?\s*$", gap)):
                continue
        # "did not travel", "no viajará": a negated cue
        if (ctx.lex.has("negations", " ".join(sent[max(0, m.start() - 14):m.start()].split()[-2:])) or
                _NEGATED.search(sent[max(0, m.start() - 30):m.start()])) and \
                not _NOT_ONLY.search(sent[max(0, m.start() - 30):m.start()]):
            negated.append(m)
            continue
        cues.append(m)
    if not cues:
        return None
    head = _list_head(sent, rel)
    # "arrived on Tuesday, on the anniversary of the bombing of the embassy in Belgrade": past a comma,
    # a place two "of" links down a noun phrase is that noun's, not the verb's
    cues = [m for m in cues if not (m.end() <= head and "," in sent[m.end():head]
                                    and len(re.findall(r"\b[a-z]+\s+of\b", sent[m.end():head].rsplit(",", 1)[-1])) >= 2)]
    before = [m for m in cues if m.end() <= rel and head - m.end() <= 110]
    if before:
        m = max(before, key=lambda m: m.end())
        # "cutting short a foreign tour and would not attend the forum in Davos": the verb that
        # governs the place is negated; a cue further back does not reach past it
        if any(m.end() <= n.start() and n.end() <= rel for n in negated):
            return None
        return m.start(), m.group(0)
    # a cue after the place governs it only inside its clause ("en Emiratos Noboa tiene previsto reunirse")
    clo, chi = clause_bounds(sent, rel)
    after = [m for m in cues if m.start() < chi and m.start() - rel < 80]
    if not after:
        return None
    m = min(after, key=lambda m: m.start())
    return m.start(), m.group(0)


def _other_subject(ctx: _Ctx, sent_i: int, cue_rel: int, traveler: str | None, people: list[PersonMention]) -> bool:
    """Someone else travels: "En junio, Milei viajó a San Salvador" in a story about Bukele."""
    if not traveler:
        return False
    s = ctx.sents[sent_i]
    lo, _ = clause_bounds(s.text, cue_rel)
    ppl = [p for p in _in_sentence(ctx, people, sent_i) if s.start + lo <= p.span.start < s.start + cue_rel]
    if not ppl:
        # "The prime minister himself is due at the White House" in a story about the King: an
        # office the traveler does not hold, as the clause's subject
        m = re.match(r"\s*(?:El|La|O|A|The)\s+([a-záéíóúâêôãõçñ -]{3,40}?)(?:\s+(?:himself|herself|mismo|misma|mesmo|mesma))?"
                     r"(?:\s+(?:is|was|will|has|had|se|ha|había|va|irá|viajará|viajó|vai|foi|viajou|flew|travels|"
                     r"travelled|traveled|heads|headed)\b|\s*$)", s.text[lo:cue_rel])
        if not m:
            return False
        role = ctx.lex.roles.get(fold(m.group(1)))
        mine = {p.role for p in people if p.name == traveler and p.role}
        return bool(role and mine and role not in mine)
    last = max(ppl, key=lambda p: p.span.start)
    if last.name == traveler:
        return False
    between = s.text[last.span.end - s.start:cue_rel]
    before = s.text[max(0, last.span.start - s.start - 30):last.span.start - s.start]
    if ctx.lex.has("host_cues", s.text[lo:]) or re.search(r"\b(a|al|à|ao|to)\s*$", between):
        return False
    # an object ("reunirse con Milei") or a name set off by commas is not the one travelling
    if re.search(r"(?i)(?<![\wÀ-ÿ])(con|com|with|a|al|ao|à|por|pelo|pela|by|de|del|da|do|of)"
                 r"(\s+[a-záéíóúâêôãõçñü-]+){0,3}\s*$", before):
        return False
    lead = s.text[lo:last.span.start - s.start]
    if re.match(r"\s*(?:El|La|O|A|The)\s+[^,;]{3,60},\s*$", lead) and re.match(r"\s*,\s*[^,;]{0,30}$", between) \
            and ctx.lex.has("offices", lead):
        return True  # "El ministro de Economía, Carlos Cuerpo, viajará a Washington": he is the subject
    if re.search(r"[,;:()—]", between) or len(between) > 40:
        return False
    return True


def _date_for(ctx: _Ctx, pos: int, status: str | None, *, own_sentence_only: bool = False
              ) -> tuple[str | None, str | None]:
    """The date of a stop mentioned at `pos`: its clause, then the sentence, then the narrative."""
    si = sentence_index(ctx.sents, pos)
    s = ctx.sents[si]
    rel = pos - s.start
    in_sent = [d for d in ctx.dates_in(s.start, s.end) if d.role != "end" and not _reporting_date(ctx, d)]
    lo, hi = clause_bounds(s.text, rel)
    clause = [d for d in in_sent if lo <= d.start - s.start < hi]
    if any(d.value for d in clause):  # a vague "antes," does not undo a day told in the same clause
        clause = [d for d in clause if d.value]
    for pool in (clause,):
        if pool:
            best = min(pool, key=lambda d: (abs(d.start - pos) if d.start > pos else abs(pos - d.end)) + (25 if d.role == "start" else 0))
            if best.value is None:
                return None, None
            if _consistent(best.value, status, ctx.pub) and _same_tense(ctx, s, best, status):
                a, b = sorted((best.end, pos))
                if any(a < pm.span.start < b and pm.candidates and pm.candidates[0].kind != "country"
                       for pm in ctx.places_in.get(si, ())):
                    # "el domingo rumbo a Bruselas, gira que lo llevará a París": the day is Brussels'
                    return _Inherited(best.value), best.value_end
                return best.value, best.value_end
            return None, None
    before = [d for d in in_sent if d.end <= pos]
    if before:
        best = max(before, key=lambda d: d.end)
        if best.value is None:
            return None, None
        if _consistent(best.value, status, ctx.pub) and _same_tense(ctx, s, best, status):
            # another clause's date ("partirá este domingo a Bruselas, gira que lo llevará a París"):
            # it dates the place only until the text gives the place a day of its own
            return _Inherited(best.value), best.value_end
        return None, None
    if in_sent and any(d.value for d in in_sent):
        return None, None  # the sentence's dates belong to other clauses
    if own_sentence_only:
        return None, None
    # the narrative date: the last date told before, when nothing has moved the story elsewhere
    prev = ctx.narrative_before(s.start)
    if not prev:
        return None, None
    last = max(prev, key=lambda d: d.end)
    if last.value is None or last.role == "start":
        points = [d for d in prev if d.role == "point" and d.value]
        if last.value is None or not points:
            return None, None
        last = max(points, key=lambda d: d.end)
        if any(d.value is None and d.start > last.end for d in prev):
            return None, None
    if last.precision != "day":
        # "ayer lunes ... desde el inicio de la invasión, en febrero": a coarser date before the
        # day told is backstory and does not move the narrative off that day
        days = [d for d in prev if d.role == "point" and d.value and d.precision == "day"]
        day = max(days, key=lambda d: d.end) if days else None
        if day is not None and all(d.value and d.value < day.value[:len(d.value)]
                                   for d in prev if d.end > day.end):
            last = day
    if si - sentence_index(ctx.sents, last.start) > 12:
        return None, None
    if last.precision != "day" or not _consistent(last.value, status, ctx.pub):
        return None, None
    ls = ctx.sents[sentence_index(ctx.sents, last.start)]
    if not _same_tense(ctx, ls, last, status) and not ctx.lex.has("same_day", s.text):
        return None, None  # "cumplió hoy en Madrid... Luego viajará a Emiratos": another day
    return _Inherited(last.value), last.value_end


def _reporting_date(ctx: _Ctx, d: DateExpr) -> bool:
    """"informou nesta segunda-feira", "said on Tuesday": when the news was told, not the visit."""
    memo = ctx.__dict__.setdefault("_reporting", {})
    if d.start not in memo:
        memo[d.start] = _reporting_date_uncached(ctx, d)
    return memo[d.start]


def _reporting_date_uncached(ctx: _Ctx, d: DateExpr) -> bool:
    before = ctx.text[max(0, d.start - 20):d.start]
    after = ctx.text[d.end:d.end + 20]
    for m in ctx.lex.find("speech_verbs", before):
        if not before[m.end():].strip():
            return True
    for m in ctx.lex.find("speech_verbs", after):
        if not after[:m.start()].strip(" ,"):
            return True
    return False


class _Inherited(str):
    """A date carried over from an earlier sentence (weaker than one told in the stop's clause)."""


def _first_date_pos(ctx: _Ctx, si: int, default: int) -> int:
    """A dateline stands for the whole first sentence: date it by that sentence's first date."""
    s = ctx.sents[si]
    ds = [d for d in ctx.dates_in(s.start, s.end) if d.value and d.role == "point"]
    return ds[0].start if ds else default


def _tense_status(ctx: _Ctx, sent: str, anchor_rel: int) -> str | None:
    """completed / planned as the verbs tell it (clause first, then sentence), else None."""
    tense = tense_at(sent, anchor_rel, ctx.lex, window=clause_bounds(sent, anchor_rel))
    if tense is None:
        tense = tense_at(sent, anchor_rel, ctx.lex, window=(0, len(sent)))
    if re.search(r"(?i)\b(tras|luego\s+de|después\s+de|after|após|depois\s+de)\s+\w+$", sent[max(0, anchor_rel - 25):anchor_rel + 1].rstrip()):
        tense = "past"
    return {"past": "completed", "future": "planned"}.get(tense or "")


def _status(ctx: _Ctx, sent: str, anchor_rel: int, date: str | None) -> str:
    """Tense decides; without tense the date against publication; without either, planned."""
    ts = _tense_status(ctx, sent, anchor_rel)
    if ts:
        return ts
    if date and ctx.pub:
        # a day up to publication told without a future form has happened (news present tense)
        return "completed" if date <= ctx.pub[:len(date)] and len(date) == 10 or date < ctx.pub[:len(date)] \
            else "planned"
    return "planned"


def _resolve(ctx: _Ctx, pm: PlaceMention, context: dict[str, float], home: str | None) -> Place | None:
    """The place a mention means: story context, the traveler's home counting less (a trip goes
    abroad), and the unambiguous places of the same sentence counting more."""
    if not pm.candidates:
        return None
    if len(pm.candidates) == 1:
        return pm.candidates[0]
    qualified = _qualified(ctx, pm)
    if len(qualified) == 1:
        return qualified[0]
    local = dict(context)
    if home and home in local:
        local[home] = local[home] / 2
    elif home:
        local[home] = 0.5  # a story with no other pointer: the traveler's own country
    for other in ctx.places_in.get(pm.sentence, ()):
        if other is not pm and len(other.candidates) == 1 and other.candidates[0].country:
            code = other.candidates[0].country
            local[code] = local.get(code, 0.0) + 2.0
    try:
        return ctx.g.resolve(pm.candidates, context=local)
    except Exception:  # noqa: BLE001 - a resolver problem must not lose the article
        return pm.candidates[0]


def _qualified(ctx: _Ctx, pm: PlaceMention) -> tuple[Place, ...]:
    """"Greenville, South Carolina", "Córdoba (España)": the region or country written right after
    a name picks among its namesakes, whatever the rest of the story points at."""
    for other in ctx.places_in.get(pm.sentence, ()):
        gap = ctx.text[pm.span.end:other.span.start]
        if other is pm or other.span.start < pm.span.end or gap not in (", ", " (", ",\u00a0"):
            continue
        codes = {q.admin1 for q in other.candidates if q.kind == "admin" and q.admin1} or \
            {q.country for q in other.candidates if q.kind == "country" and q.country}
        keep = tuple(p for p in pm.candidates if p.admin1 in codes or p.country in codes)
        return keep or pm.candidates
    return pm.candidates


def _referenced_countries(ctx: _Ctx) -> Counter:
    """How often the story points at each country: country and capital names, demonyms, and the
    office-holders named."""
    if getattr(ctx, "_refs", None) is not None:
        return ctx._refs
    refs: Counter = Counter()
    by_name: Counter = Counter()
    for pm in ctx.m.places:
        if pm.candidates and pm.candidates[0].kind in ("country", "capital") and pm.candidates[0].country:
            refs[pm.candidates[0].country] += 1
        elif len(pm.candidates) == 1 and pm.candidates[0].country:
            refs[pm.candidates[0].country] += 1
            by_name[(pm.candidates[0].country, pm.candidates[0].name)] += 1
    ctx._refs_by_name = by_name
    low = fold(ctx.text)
    for w in set(re.findall(r"[a-z][a-z-]+", low)):
        code = ctx.lex.demonyms.get(w)
        if code:
            refs[code[:2]] += 1
    for p in ctx.m.people:
        if p.country:
            refs[p.country] += 1
    ctx._refs = refs
    return refs


def _unreferenced_country(ctx: _Ctx, place: Place) -> bool:
    """A town abroad in a country the story never otherwise names, while it keeps naming another:
    more likely a namesake the gazetteer lacks (a neighbourhood, a village) than a trip there."""
    if not place.country:
        return False
    refs = _referenced_countries(ctx)
    if refs.get(place.country, 0) - ctx._refs_by_name.get((place.country, place.name), 0) > 0:
        return False  # another name, a demonym or a person points there
    top = refs.most_common(1)
    return bool(top) and top[0][1] >= 4


def _context_weights(ctx: _Ctx) -> dict[str, float]:
    w: Counter = Counter()
    for pm in ctx.m.places:
        # one country whichever candidate is meant ("Buenos Aires": the city or the province) counts too
        # a country name that is also a town elsewhere ("Santa Elena") points at neither
        if len(pm.candidates) == 1 or (pm.candidates and pm.candidates[0].kind == "country"
                                       and all(c.kind == "country" or c.country == pm.candidates[0].country
                                               for c in pm.candidates)) or \
                (pm.candidates and pm.candidates[0].country and
                 all(c.country == pm.candidates[0].country for c in pm.candidates)):
            c = pm.candidates[0]
            if c.country:
                w[c.country] += 1.0
            if c.admin1:
                w[c.admin1] += 0.5
    return dict(w)


def _admin1_of(ctx: _Ctx, place: Place) -> str | None:
    """A place's first-level region; a landmark (Mar-a-Lago, the Tourmalet) has that of the town it lies by."""
    if place.admin1 or place.kind in ("country", "admin", "region"):
        return place.admin1
    town = ctx.g.nearest(place.lat, place.lon)
    return town.admin1 if town is not None and _km(town, place) <= 30.0 else None


def _place_level(place: Place) -> str:
    if place.kind == "country":
        return "country"
    if place.kind in ("admin", "region"):
        return "admin"
    return "city"


def _candidates(ctx: _Ctx, traveler: str | None, home: str | None, people: list[PersonMention]
                ) -> tuple[list[Candidate], list[Place], list[Place]]:
    """Every place mention as a candidate with its feature record, in text order, plus places
    named as the return home / departure. `Candidate.rule_keep` is the hand-written decision."""
    context = _context_weights(ctx)
    out: list[Candidate] = []
    returns: list[Place] = []
    departures: list[Place] = []
    person_spans = sorted((p.span.start, p.span.end) for p in people)
    person_starts = [a for a, _ in person_spans]
    by_sent: dict[int, list[PlaceMention]] = {}
    for pm in ctx.m.places:
        by_sent.setdefault(pm.sentence, []).append(pm)
    for si, pms in sorted(by_sent.items()):
        s = ctx.sents[si]
        rels = [pm.span.start - s.start for pm in pms]
        state_rels = {r for r, pm in zip(rels, pms) if pm.candidates and pm.candidates[0].kind in ("capital", "country")
                      and _state_subject(ctx, s.text, r, pm.span.end - s.start)}
        for pm in pms:
            rel = pm.span.start - s.start
            end_rel = pm.span.end - s.start
            k = bisect.bisect_right(person_starts, pm.span.start) - 1
            if k >= 0 and person_spans[k][0] <= pm.span.start < person_spans[k][1]:
                continue  # part of a person's name ("Santiago Peña"): not a place at all
            sent = s.text
            if re.match(r"-(born|nacid|nascid)", sent[end_rel:end_rel + 8], re.I):
                continue
            # None: a national institution, placed in the host country's capital later
            place = _resolve(ctx, pm, context, home) if pm.candidates else None
            if place is not None and place.kind == "landmark" and _OFFICE_OF.search(sent[max(0, rel - 25):rel]):
                continue  # "el jefe del Kremlin", "candidato a la Casa Blanca": a person or an office, not a visit
            f: dict[str, float] = {}
            exits: list[str] = []  # the hand-written rules' reasons to drop, in their order

            def flag(name: str, value: bool, *, exit_: bool = True) -> bool:
                f[name] = 1.0 if value else 0.0
                if value and exit_:
                    exits.append(name)
                return value

            flag("attributive", _attributive(ctx, sent, rel, end_rel))
            activity = _activity_there(ctx, sent, end_rel)
            f["activity_there"] = float(activity)
            activity_next = not activity and _activity_next(ctx, si, pms, pm)
            f["activity_next"] = float(activity_next)
            came_from = bool(_CAME_FROM.search(sent[max(0, rel - 25):rel]) or
                             _ARRIVED_FROM.search(sent[max(0, rel - 100):rel])) and (activity or activity_next)
            f["came_from"] = float(came_from)
            back_to_act = False
            return_cue = _immediately_before(ctx, "return", sent, rel)
            f["return_cue"] = float(return_cue)
            if return_cue:
                if _purpose_there(ctx, sent, end_rel, place, home):
                    back_to_act = True  # "volverá a Cancún para estrenar el tramo": back to a stop, not home
                elif place and not exits:
                    returns.append(place)
            f["back_to_act"] = float(back_to_act)
            flag("return_home", return_cue and not back_to_act and not activity)
            broadcast = _broadcast_from(sent, rel)
            f["broadcast_from"] = float(broadcast)
            # "visit the Phoenix Settlement outside Durban", "tour the camp near Nadi": the venue is by the stop
            near_venue = _immediately_before(ctx, "near_place", sent, rel, span=30) and \
                ctx.lex.has("stop_cues", sent[:rel])
            f["near_venue"] = float(near_venue)
            departure = not came_from and not broadcast and not near_venue and (
                _immediately_before(ctx, "departure", sent, rel, span=20) or
                bool(re.search(r"(?i)(fuera\s+de|fora\s+d[eo]|outside|lejos\s+de|desde|from|de\s+salida)"
                               r"\s*(?:la|el|o|the)?\s*$", sent[max(0, rel - 20):rel])))
            if departure and place and not exits:
                departures.append(place)
            flag("departure", departure)
            flag("unreferenced_country", place is not None and place.kind in ("city", "admin")
                 and _unreferenced_country(ctx, place))
            demonym = pm.span.text[:1].islower()
            f["demonym"] = float(demonym)
            heads = tuple(dict.fromkeys((rel, _list_head(sent, rel))))
            f["in_list"] = float(len(heads) > 1)
            # how many places the list holding this one names ("Brasil, Rusia, India, China y Sudáfrica")
            head = heads[-1]
            tail = re.match(r"(?:\s*(?:,|y|e|and)\s*[A-ZÁÉÍÓÚÑ][\wÀ-ÿ'’.-]*(?:\s+(?:de|del|of|the|da|do|[A-ZÁÉÍÓÚÑ][\wÀ-ÿ'’.-]*))*)*",
                            sent[end_rel:end_rel + 200])
            f["list_size"] = min(sum(1 for r in rels if head <= r < end_rel + (tail.end() if tail else 0)), 8) / 8.0
            f["in_parentheses"] = float(sent[:rel].count("(") > sent[:rel].count(")"))
            years = [int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", sent)]
            pub_year = int(ctx.pub[:4]) if ctx.pub else None
            f["other_year_in_sentence"] = float(bool(pub_year) and any(y < pub_year for y in years))
            f["future_year_in_sentence"] = float(bool(pub_year) and any(y > pub_year for y in years))
            # "desde que Juan Pablo II estuvo en Casablanca en 1985": a stretch dated years back
            seg_lo = max((m.end() for m in re.finditer(r"[,;:(—–]", sent[:rel])), default=0)
            seg_hi = next((m.start() for m in re.finditer(r"[,;:)—–]", sent[end_rel:])), len(sent) - end_rel) + end_rel
            seg_years = [int(y) for y in re.findall(r"(?i)(?<![\wÀ-ÿ])(?:en|in|em|desde|since|durante|during)\s+((?:19|20)\d\d)(?!\d)",
                                                    sent[seg_lo:seg_hi])]
            flag("old_year_segment", bool(pub_year) and bool(seg_years) and all(y <= pub_year - 2 for y in seg_years))
            f["traveler_before"] = float(bool(traveler) and surname(traveler) in fold(sent[max(0, rel - 150):rel]))
            flag("role_phrase", any(_role_phrase_before(ctx, sent, at) for at in heads))
            flag("facility_before", not demonym and any(_facility_before(ctx, sent, at) for at in heads))
            flag("border_before", any(_border_before(ctx, sent, at) for at in heads))
            flag("genitive", not came_from and any(_genitive_or_alias(ctx, sent, at) for at in heads))
            # "la cumbre de Davos", "the Madrid summit": an event held at the place
            ev_before, ev_after = _event_rxs(ctx.lex)
            f["event_genitive"] = float(bool(ev_before and (ev_before.search(sent[max(0, rel - 60):rel]) or
                                                            ev_after.match(sent[end_rel:end_rel + 30]))))
            lo_c, hi_c = clause_bounds(sent, rel)
            clause = sent[lo_c:hi_c]
            f["negated_cue"] = float(any(_NEGATED.search(clause[max(0, m.start() - 30):m.start()])
                                         for key in ("stop_cues", "meet_cues")
                                         for m in ctx.lex.find(key, clause)))
            met_here = _meeting_at_layover(ctx, sent, end_rel)
            f["met_here"] = float(met_here)
            transit = _where_clause(sent, end_rel, r"desde\s+donde|de\s+donde|de\s+onde|from\s+where")
            flag("transit", transit is not None and not ctx.lex.has("meet_cues", transit))
            flag("not_stop_cue", _not_stop_applies(ctx, sent, rel, rels) and not met_here and not near_venue)
            home_break = _BACK_HOME_FIRST.search(sent[:rel])
            flag("next_trip_after_home", bool(home_break and home and any(
                x.candidates and x.candidates[0].country == home and home_break.start() < x.span.start - s.start < rel
                for x in pms)))
            flag("background_sentence", si in ctx.background and not (
                si == 0 and _in_dateline(sent, rel, pm.span.text)
                and ctx.lex.has("cancelled", sent) and not ctx.lex.has("background", sent)))
            flag("apposition", _apposition(sent, rel, [r for r in rels if r < rel], pms, s.start))
            # the old programme of a trip called off ("preveía que Francisco aterrizara en Kinshasa")
            flag("called_off_country", place is not None and ctx.called_off.get(place.country, si) < si)
            flag("revisit_reference", _revisit_reference(sent, rel))
            flag("speaks", (place is None or place.kind == "landmark") and _speaks(ctx, sent, rel, end_rel))
            flag("state_subject", rel in state_rels)
            # "Berlin signed a similar accord with Kenya": the state's act, not the traveler's visit
            flag("state_clause", any(r < rel and not re.search(r"[.;:]", sent[r:rel]) for r in state_rels))
            is_dateline = si == 0 and _in_dateline(sent, rel, pm.span.text)
            f["dateline"] = float(is_dateline)
            cue = _stop_cue_near(ctx, sent, rel)
            f["stop_cue"] = float(cue is not None)
            if cue is None and came_from:
                cue = (rel, pm.span.text)  # "vindo de Abu Dhabi, onde foi recebido": the leg before
            if cue is None and _LEFT_FOR.search(sent[max(0, rel - 90):rel]):
                cue = (rel, pm.span.text)  # "was due to leave Luanda on Monday evening for Addis Ababa"
            if cue is None and met_here:
                cue = (rel, pm.span.text)  # "Anchorage, where he met the governor": met there
            if cue is None and (back_to_act or near_venue):
                cue = (rel, pm.span.text)
            # "## SÁBADO 9 — MEDELLÍN", "**Monday 21 October: Canberra**": an agenda's day heading
            # "- Saturday: summit with President Prabowo at the palace in Bogor": an agenda's day item
            item = _AGENDA_ITEM.match(sent)
            agenda = (si in ctx.headers or item is not None and any(
                d.value and d.precision == "day" for d in ctx.dates_in(s.start, s.start + item.end()))) and \
                any(d.value and d.precision == "day" for d in ctx.dates_in(s.start, s.end))
            f["agenda_heading"] = float(agenda)
            if cue is None and agenda:
                cue = (rel, pm.span.text)
            fronted = None
            if cue is None and not is_dateline:
                fronted = cue = _fronted_locative_cue(ctx, sent, rel, end_rel, s.start)
            f["fronted_scene"] = float(fronted is not None)
            meeting_nearby = any(not _NEGATED.search(sent[max(0, m.start() - 30):m.start()])
                                 for m in ctx.lex.find("meet_cues", sent))
            f["meet_cue_in_sentence"] = float(meeting_nearby)
            speech_after = ctx.lex.has("speech_verbs", sent[end_rel:end_rel + 20])
            f["speech_after"] = float(speech_after)
            # a landmark or seat where a meeting happens is a stop without a travel verb, unless it
            # speaks for the government ("Downing Street said", "la Casa Blanca informó")
            flag("no_cue", cue is None and not is_dateline and not (
                place is not None and place.kind in ("landmark", "airport") and meeting_nearby and not speech_after))
            anchor = cue[0] if cue else rel
            flag("other_subject", bool(cue) and _other_subject(ctx, si, anchor, traveler, people))
            if place is None:
                _window_cues(ctx, f, sent, rel, end_rel)
                out.append(Candidate(place=Place(name=pm.span.text, lat=0.0, lon=0.0, kind="other"), pos=pm.span.start,
                                     sentence=si, mention=pm.span.text, level="institution", evidence=[si],
                                     features=f, exits=exits))
                continue
            level = _place_level(place)
            flag("country_far_from_cue", level == "country" and bool(cue) and rel - cue[0] > FAR_CUE
                 and place.country not in CITY_STATES)
            f["cue_distance"] = min(abs(rel - anchor), 200) / 200.0
            cand = Candidate(place=place, pos=pm.span.start, sentence=si, mention=pm.span.text, level=level,
                             evidence=[si], strength=0.7 if cue else 0.4,
                             origin_kind="dateline" if is_dateline else "mention", features=f, exits=exits)
            cand.cue_pos = s.start + cue[0] if cue else None
            for other in pms:  # "llegó a Santiago el sábado, procedente de Buenos Aires"
                orel = other.span.start - s.start
                if other is not pm and other.candidates and 0 < orel - rel <= 90 and \
                        (_CAME_FROM.search(sent[max(0, orel - 25):orel]) or
                         re.search(r"(?i)(?<![\wÀ-ÿ])(?:desde|from)\s+(?:la\s+|el\s+|the\s+)?$", sent[max(0, orel - 12):orel])
                         and _ARRIVED_FROM.search(sent[max(0, orel - 100):orel])):
                    cand.arrived_from = other.candidates[0].name
                    break
            cand.prev_leg = bool(re.match(r"(?i)\s*(antes|before\s+that|earlier|previously|anteriormente|previamente|"
                                          r"antes\s+disso|con\s+anterioridad)\s*,", sent))
            cand.cue_meets = bool(cue and (ctx.lex.has("meet_cues", cue[1]) or ctx.lex.has("host_cues", cue[1])))
            f["cue_meets"] = float(cand.cue_meets)
            if is_dateline:
                cand.strength = 0.45
            cand.next_leg = bool(re.search(
                r"(?i)(antes\s+de\s+(?:seguir|partir|viajar|continuar|volar|dirigirse|trasladarse)|before\s+(?:heading|flying|"
                r"travell?ing|continuing|leaving\s+for|moving\s+on)|antes\s+de\s+(?:seguir|partir|viajar|ir|voar))"
                r"[\wÀ-ÿ\s]{0,20}$", sent[max(0, rel - 60):rel]))
            ts = _tense_status(ctx, sent, anchor)
            date_pos = pm.span.start if not is_dateline else _first_date_pos(ctx, si, pm.span.start)
            where = re.match(r"[^.;:]{0,25}?,\s*(?:donde|where|onde)\b", sent[end_rel:])
            if where and any(end_rel < r < end_rel + where.end() for r in rels):
                where = None  # "llegó a Santiago desde Buenos Aires, donde...": the other place's clause
            if where and not is_dateline and activity:
                # "partió anoche rumbo a Washington, donde el martes será recibido": what is done there
                # tells when and whether, not the departure
                wrel = end_rel + where.end() + 1
                ts = _tense_status(ctx, sent, wrel) or ts
                _, whi = clause_bounds(sent, wrel)
                if any(x.value for x in ctx.dates_in(s.start + wrel, s.start + whi)):
                    date_pos = s.start + wrel
            f["tense_past"] = float(ts == "completed")
            f["tense_future"] = float(ts == "planned")
            d, de = _date_for(ctx, date_pos, ts)
            if came_from:
                cand.prev_leg = cand.came_from = True
                if d and len(d) == 10 and not de:
                    cand.arrival_day = d
                # "procedente de Moscú, donde ese mismo día se reunió": the arrival's day was spent there too
                same_day = bool(cand.arrival_day and _SAME_DAY_THERE.match(sent[end_rel:]))
                if date_pos == pm.span.start and not same_day:
                    d, de = None, None  # "chegou a Doha no domingo, vindo de Abu Dhabi": Doha's day
            cand.date, cand.date_end = d, de
            cand.began = ctx._this_trip_began(sent)
            cand.again = back_to_act
            if cand.began and isinstance(cand.date, _Inherited):
                cand.date, cand.date_end = None, None  # the first leg is before the days told so far
            clo, _ = clause_bounds(sent, rel)
            if d and not isinstance(d, _Inherited) and date_pos == pm.span.start and \
                    any(clo <= m.start() < rel for m in ctx.lex.find("departure", sent)):
                cand.date = _Inherited(d)  # "leaves on Wednesday for Hiroshima": the day it sets off
            cand.status = ts or _status(ctx, sent, anchor, d)
            if cand.next_leg and cand.date:
                lo, hi = clause_bounds(sent, rel)
                if not any(d.start > s.start + rel and d.value == cand.date for d in ctx.dates_in(s.start + rel, s.start + hi)):
                    cand.date, cand.date_end = None, None  # the clause's date is the stop before
            f["own_date"] = float(bool(cand.date) and not isinstance(cand.date, _Inherited))
            f["inherited_date"] = float(isinstance(cand.date, _Inherited))
            _window_cues(ctx, f, sent, rel, end_rel)
            out.append(cand)
    return out, returns, departures


_PREPS = ("a", "al", "en", "in", "to", "em", "para", "hacia", "de", "del", "from", "desde", "por", "at", "no", "na",
          "à", "ao", "with", "con", "com", "of", "do", "da", "y", "e", "and", "on", "entre", "between", "sobre",
          "about", "hasta", "até", "until", "rumo")
_KINDS = ("city", "capital", "country", "admin", "landmark", "airport", "crossing", "region", "other")
_SUMMIT = re.compile(r"(?i)(?<![\wÀ-ÿ])(cumbre|summit|cúpula|cimeira|foro|forum|fórum|asamblea|assembly|assembleia|"
                     r"conferencia|conference|conferência|reunión\s+de\s+líderes|G\d+|COP\d*)(?![\wÀ-ÿ])")


def _context_features(ctx: _Ctx, cands: list[Candidate], traveler: str | None, home: str | None,
                      people: list[PersonMention]) -> None:
    """Features that look at the whole article around a candidate (computed once it has them all)."""
    n_sents = max(1, len(ctx.sents))
    by_name = Counter((c.place.name, c.place.country) for c in cands)
    kept_by_name = Counter((c.place.name, c.place.country) for c in cands if not c.exits)
    first_seen: set = set()
    foreign_kept = {c.place.country for c in cands if not c.exits and c.place.country and home
                    and c.place.country != home}
    # how much of what the rules keep is at home: a tour at home with one doubtful foreign name
    n_home_ruled = sum(1 for c in cands if not c.exits and home and c.place.country == home)
    n_foreign_ruled = sum(1 for c in cands if not c.exits and home and c.place.country and c.place.country != home)
    title = _title_places(ctx.art.title or "")
    name_key = surname(traveler) if traveler else None
    dateline = next((c for c in cands if c.origin_kind == "dateline"), None)
    countries = {c.place.country for c in cands if c.place.country}
    sent_people: dict[int, list[PersonMention]] = {}
    for p in people:
        sent_people.setdefault(p.sentence, []).append(p)
    office = ctx.oh.by_name(traveler, date=ctx.pub) if traveler else None
    office_words = {fold(w) for w, role in ctx.lex.roles.items() if office and role == office.role
                    for w in [w] if " " not in w}
    for c in cands:
        f = c.features
        key = (c.place.name, c.place.country)
        s = ctx.sents[c.sentence]
        rel = c.pos - s.start
        f["rule_keep"] = float(not c.exits)
        f["n_exits"] = float(len(c.exits))
        for k in _KINDS:
            f["kind_" + k] = float(c.place.kind == k)
        f["level_country"] = float(c.level == "country")
        f["level_institution"] = float(c.level == "institution")
        f["home"] = float(_at_home(ctx, c.place, home))
        f["home_unknown"] = float(not home)
        f["abroad_trip"] = float(bool(foreign_kept))
        f["home_share"] = n_home_ruled / max(1, n_home_ruled + n_foreign_ruled)
        f["n_same_place"] = math.log1p(by_name[key])
        f["n_same_place_kept"] = math.log1p(kept_by_name[key] - (0 if c.exits else 1))
        f["first_mention"] = float(key not in first_seen)
        first_seen.add(key)
        f["sent_pos"] = c.sentence / n_sents
        f["first_paragraph"] = float(ctx.paragraph_of[c.sentence] == 0)
        f["header"] = float(c.sentence in ctx.headers)
        f["in_title"] = float(bool(title) and fold(c.mention) in title)
        f["population"] = min(math.log10(1 + c.place.population), 8.0) / 8.0
        before = s.text[max(0, rel - 14):rel].split()
        prev = fold(before[-1]) if before else ""
        prev2 = fold(before[-2]) if len(before) > 1 else ""
        for w in _PREPS:
            if prev == w or (prev in ("la", "el", "the", "o", "a", "los", "las") and prev2 == w):
                f["prep_" + w] = 1.0
        quote_before = s.text[:rel].count("\"") + s.text[:rel].count("“") - s.text[:rel].count("”")
        f["in_quote"] = float(quote_before % 2 == 1)
        ppl = sent_people.get(c.sentence, [])
        f["traveler_in_sentence"] = float(bool(name_key) and name_key in ctx.folded_sentence(c.sentence))
        others = [p for p in ppl if p.name != traveler]
        f["other_person_in_sentence"] = float(bool(others))
        f["person_of_place_country"] = float(any(p.country and p.country == c.place.country for p in others))
        f["summit_in_sentence"] = float(bool(_SUMMIT.search(s.text)))
        f["sentence_dates"] = float(any(d.value for d in ctx.dates_in(s.start, s.end)))
        days = None
        if c.date and ctx.pub and len(c.date) == 10:
            days = (dt.date.fromisoformat(c.date) - dt.date.fromisoformat(ctx.pub[:10])).days
        f["date_days_from_pub"] = 0.0 if days is None else max(-60, min(60, days)) / 60.0
        f["date_far_past"] = float(days is not None and days < -20)
        f["status_completed"] = float(c.status == "completed")
        f["background_paragraph_hint"] = float(ctx.paragraph_of[c.sentence] in ctx._bg_paragraphs)
        f["same_as_dateline"] = float(dateline is not None and dateline is not c and
                                      (dateline.place.name, dateline.place.country) == key)
        f["n_countries"] = min(len(countries), 12) / 12.0
        f["leader_of_place_country"] = float(any(p.country == c.place.country and p.role in LEADER_ROLES
                                                 for p in others))
        # the traveler named by office as the clause's subject ("el mandatario llegó a...")
        lo, _ = clause_bounds(s.text, rel)
        f["traveler_role_before"] = float(bool(office_words) and any(
            w in office_words for w in re.findall(r"[\wÀ-ÿ]+", fold(s.text[max(lo, rel - 120):rel]))))
        # the words right before and after the mention, as themselves: the decision learns which
        # count (only words seen across many training articles end up in a model)
        words = re.findall(r"[\wÀ-ÿ]+", fold(s.text[max(0, rel - 40):rel]))
        if words:
            f["w1:" + words[-1]] = 1.0
            if len(words) > 1:
                f["w2:" + " ".join(words[-2:])] = 1.0
        nxt = re.findall(r"[\wÀ-ÿ]+", fold(s.text[c.pos - s.start + len(c.mention):c.pos - s.start + len(c.mention) + 25]))
        if nxt:
            f["n1:" + nxt[0]] = 1.0


# word lists whose presence around a mention the decision weighs (the lexicon's, so every language)
_CUE_LISTS = ("stop_cues", "meet_cues", "host_cues", "departure", "return", "not_stop", "cancelled", "background",
              "speech_verbs", "planned", "future", "past", "context_nouns", "companion_cues", "negations",
              "sidelines", "border_words", "facility_words", "offices", "trip_nouns", "institutions",
              "activity_stems", "event_nouns", "remote_cues", "companion_cues")


def _event_rxs(lex: Lexicon) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """"la cumbre de Davos" (an event noun, then "de" right before the place) and, in English, "the
    Madrid summit" (the event noun right after it)."""
    def build():
        ev = lex.rx("event_nouns")
        if ev is None:
            return None, None
        before = re.compile(r"(?:" + ev.pattern + r")\s+(?:[\wÀ-ÿ]+\s+){0,3}?(?:de|del|da|do|of|en|in|em)\s+"
                            r"(?:(?:la|el|the|o|a)\s+)?$", ev.flags)
        after = re.compile(r"\s+(?:" + ev.pattern + ")" if lex.lang == "en" else r"(?!)", ev.flags)
        return before, after
    return lex.compiled("tour:event", build)


def _window_cues(ctx: _Ctx, f: dict[str, float], sent: str, rel: int, end: int) -> None:
    """Which cue lists occur in the mention's clause, just before it and just after it."""
    lo, hi = clause_bounds(sent, rel)
    windows = (("clause", lo, hi), ("before", max(0, rel - 50), rel), ("after", end, end + 40))
    for key in _CUE_LISTS:
        for a, b in ctx.cue_spans(key, sent):  # found once per sentence
            for w, wlo, whi in windows:
                if wlo <= a and b <= whi:
                    f[f"{w}:{key}"] = 1.0


def _seat_place(ctx: _Ctx, office) -> tuple[Place | None, str | None]:
    """Where a leader receives visitors: (place, landmark name)."""
    kinds = ("landmark", "capital", "city", "airport")
    for name in ctx.oh.seat_names(office):
        found = ctx.g.lookup(name, country=office.country if len(office.country) == 2 else None, kinds=kinds)
        if not found:
            found = ctx.g.lookup(name, kinds=kinds)
        if found:
            p = found[0]
            return p, (p.name if p.kind == "landmark" else None)
    return (ctx.g.capital(office.country) if len(office.country) == 2 else None), None


_NOT_PERSON_HEADS = {"gobierno", "government", "governo", "regimen", "régimen", "administracion", "administration",
                     "partido", "party", "equipo", "team", "familia", "family", "pais", "country", "empresa",
                     "company", "ejercito", "army", "delegacion", "delegation", "delegacao", "comitiva"}
_VERBISH = re.compile(r"(ó|aron|aban|ará|arán|erá|irá|ed|ou|iu|eu|ing)$|^(met|meets|meet|host|hosts|will\s|se\s|lo\s|la\s|was|were)")

# --- people met -------------------------------------------------------------------------------

def _in_sentence(ctx: _Ctx, people: list[PersonMention], sent_i: int) -> list[PersonMention]:
    """People of one sentence (indexed once per list of people)."""
    key = id(people)
    idx = ctx.people_index.get(key)
    if idx is None:
        idx = {}
        for p in people:
            idx.setdefault(p.sentence, []).append(p)
        ctx.people_index[key] = idx
    return idx.get(sent_i, [])


_ACTS_ON_GUEST = re.compile(r"(?<![\w])(?:[a-z]+(?:ed|ook|ew|ave|ent)\s+(?:him|her|his\s+guest|her\s+guest)|"
                            r"(?:lo|le)\s+[a-záéíóú]+(?:ó|ió))(?![\w])")


def _met_people(ctx: _Ctx, sent_i: int, traveler: str | None, people: list[PersonMention], *,
                with_visit: bool = False, acting_hosts: bool = False) -> list[PersonMention]:
    """People the traveler meets in one sentence: after a meeting word, hosts, and their lists."""
    s = ctx.sents[sent_i]
    sent = s.text
    ppl = sorted(_in_sentence(ctx, people, sent_i), key=lambda p: p.span.start)
    # "según el canciller X", "according to spokesman Y": the source of the report, not someone met
    ppl = [p for p in ppl if not _ACCORDING_TO.search(sent[max(0, p.span.start - s.start - 60):p.span.start - s.start])]
    if not ppl:
        return []
    lex = ctx.lex
    meet = [m for m in lex.find("meet_cues", sent)]
    foreign_only = False
    # a foreign leader acting on the traveler ("Macron took his guest to the Tourmalet", "Macron
    # pressed him", "Lula lo abrazó"): the host
    own_office = ctx.oh.by_name(traveler, date=ctx.art.published) if traveler else None
    acting = set()
    if own_office is not None and acting_hosts:  # not a reason to place a visit at the host's seat
        for i, p in enumerate(ppl):
            o = ctx.oh.by_name(p.name, date=ctx.art.published)
            if o is None or o.country == own_office.country or o.role not in LEADER_ROLES:
                continue
            after = re.split(r"[.;:]", sent[p.span.end - s.start:p.span.end - s.start + 90])[0]
            if _ACTS_ON_GUEST.search(after):
                acting.add(i)
    # "Alberto Fernández y Xi Jinping firmaron": a foreign office-holder acting together with the traveler
    if own_office is not None:
        for i, p in enumerate(ppl):
            o = ctx.oh.by_name(p.name, date=ctx.art.published)
            if o is None or o.country == own_office.country or p.name == traveler:
                continue
            for q in ppl:
                if q.name != traveler:
                    continue
                a, b = sorted((p, q), key=lambda x: x.span.start)
                gap = sent[a.span.end - s.start:b.span.start - s.start]
                if re.fullmatch(r"\s+(?:y|e|and)\s+", gap) and \
                        re.match(r"\s+(?:se\s+)?[a-záéíóúâêôãõç]+", sent[b.span.end - s.start:]):
                    acting.add(i)
    if not meet and not with_visit and not acting:
        return []
    if not meet and not acting:
        # "concluirá su gira en San José, con el presidente de Costa Rica": a visit "with" a foreign
        # office-holder is a meeting; the traveler's own ministers along are the delegation
        meet = [m for m in lex.find("stop_cues", sent)]
        foreign_only = True
        if not meet:
            return []
    comp = lex.find("companion_cues", sent)
    link = r"(?:con|com|with|junto\s+a|junto\s+con|alongside|por|pelo|pela|by|a|al|à|ao|together\s+with|e|y|and)"
    role_words = set()
    for w in lex.words("offices"):
        role_words |= set(fold(w).split())
    label: dict[int, str] = {}
    for i, p in enumerate(ppl):
        if i in acting:
            label[i] = "met"
            continue
        rel_s, rel_e = p.span.start - s.start, p.span.end - s.start
        before = sent[max(0, rel_s - 70):rel_s]
        lo, hi = clause_bounds(sent, rel_s)
        # companions: right after "acompañado por", "comitiva", "su asesor"
        if any(c.end() <= rel_s and rel_s - c.end() < 70 and not re.search(r"[;.]", sent[c.end():rel_s])
               and not any(c.end() <= mc.start() < rel_s for mc in meet) for c in comp):
            label[i] = "companion"
            continue
        # the chain of words between a link word and the name may hold only articles, roles, demonyms
        # and "de <Place>"
        m = re.search(rf"(?<![\wÀ-ÿ]){link}((?:\s+[\wÀ-ÿ.'’-]+|\s*,){{0,9}})\s*$", before, re.I)
        if m:
            chain = [w for w in re.findall(r"[\wÀ-ÿ.'’-]+", m.group(1))]
            body = m.group(1)
            head, _, tail = body.rpartition(",")
            tail_words = re.findall(r"[\wÀ-ÿ.'’-]+", tail)
            head_words = re.findall(r"[\wÀ-ÿ.'’-]+", head)
            light = {"el", "la", "los", "las", "su", "sus", "the", "o", "a", "os", "as", "de", "del", "da", "do",
                     "of", "his", "her", "seu", "sua", "y", "e", "and", "jeque", "sheikh", "xeque"}
            ok = all(fold(w) not in _NOT_PERSON_HEADS for w in chain) and \
                sum(1 for w in head_words + tail_words if w[:1].islower() and fold(w) not in role_words
                    and fold(w) not in light and fold(w) not in lex.demonyms) <= 2 and \
                (not head or all(fold(w) in role_words or fold(w) in light or w[:1].isupper() for w in tail_words))
            cue_before = any(c.end() <= rel_s for c in meet)
            if ok and cue_before and len(chain) <= 9:
                label[i] = "met"
                continue
        # a meeting word shortly before in the same clause ("lo espera la jefa de Gobierno ..., Claudia")
        if any(c.end() <= rel_s and rel_s - c.end() < 70 and c.start() >= lo for c in meet):
            label[i] = "met"
            continue
        # the subject of a meeting or host verb ("Milei lo recibió", "Aoun was waiting")
        verbs = [c for c in meet if _VERBISH.search(c.group(0).lower())]
        if any(c.start() >= rel_e and c.start() - rel_e < 60 and c.start() < hi for c in verbs) and \
                not re.search(r"[;.]", sent[rel_e:min(c.start() for c in verbs if c.start() >= rel_e)]):
            label[i] = "met"
            continue
    # lists: "A, B y C" share the label of any member
    groups: list[list[int]] = []
    for i in range(len(ppl)):
        if i and re.fullmatch(r"[\s,]*(?:(?:y|e|and|,)\s+)?(?:(?:el|la|los|las|the|o|a)\s+)?(?:[\wÀ-ÿ'’-]+\s+){0,4}?",
                              sent[ppl[i - 1].span.end - s.start:ppl[i].span.start - s.start] + " ") and \
                all(fold(w) in role_words or fold(w) in ("y", "e", "and", "el", "la", "the", "los", "las", "o", "a",
                                                        "de", "del", "of") or w[:1].isupper()
                    for w in re.findall(r"[\wÀ-ÿ'’-]+", sent[ppl[i - 1].span.end - s.start:ppl[i].span.start - s.start])):
            groups[-1].append(i)
        else:
            groups.append([i])
    for grp in groups:
        labs = {label.get(i) for i in grp}
        if "companion" in labs:
            for i in grp:
                label[i] = "companion"
        elif "met" in labs:
            for i in grp:
                label[i] = "met"
    own = ctx.oh.by_name(traveler, date=ctx.art.published) if traveler and foreign_only else None
    out = []
    for i, p in enumerate(ppl):
        if label.get(i) != "met" or p.name == traveler:
            continue
        if foreign_only:
            office = ctx.oh.by_name(p.name, date=ctx.art.published)
            if office is None or own is None or office.country == own.country:
                continue
        # "No está prevista ninguna reunión con Pedro Sánchez", "will not meet": a meeting denied
        rel_s = p.span.start - s.start
        cues = [c for c in meet if c.end() <= rel_s]
        if cues:
            c = max(cues, key=lambda c: c.end())
            if _NEGATED.search(sent[max(0, c.start() - 30):c.start()]):
                continue
        out.append(p)
    return out


_NOT_ONLY = re.compile(r"(?i)(?<![\wÀ-ÿ])(?:no|not|não)\s+(?:solo|sólo|só|somente|apenas|only|just|merely)"
                       r"(?:\s+[\wÀ-ÿ]+){0,2}\s*$")
_NEGATED = re.compile(r"(?i)(?<![\wÀ-ÿ])(no|ni|ninguna|ningún|ninguno|sin|tampoco|tampouco|not|without|não|nem|nenhuma|nenhum|sem|"
                      r"never|nunca|won't|will\s+not|did\s+not|didn't)"
                      r"(?!\s+(?:solo|sólo|só|somente|apenas|only|just|merely)\b)(?:\s+[\wÀ-ÿ]+){0,3}\s*$")


# --- assembling -------------------------------------------------------------------------------

def _order(cands: list[Candidate], pub: str | None, paragraph_of: list[int] | None = None) -> list[Candidate]:
    """Travel order: text order, moved only where the dates say one comes before the other."""
    out: list[Candidate] = []
    floor: dict[int, str] = {}
    ceiling: dict[int, str] = {}
    for c in cands:
        if c.prev_leg and not c.date and paragraph_of is not None:
            # "Antes, estuvo en Lima": before every day told earlier in its paragraph
            days = [x.date for x in cands if x.date and len(x.date) == 10
                    and (x.sentence < c.sentence or x.sentence == c.sentence and x.pos < c.pos)
                    and paragraph_of[x.sentence] == paragraph_of[c.sentence]]
            if c.came_from:  # right before the arrival its sentence tells
                days = [x.date for x in cands if x.date and len(x.date) == 10
                        and x.sentence == c.sentence and x.pos < c.pos] or days
            if days:
                ceiling[id(c)] = (dt.date.fromisoformat(min(days)) - dt.timedelta(days=1)).isoformat()
                if c.came_from:
                    floor[id(c)] = ceiling[id(c)]
            elif c.came_from and c.arrival_day:
                # "aterrizó el martes procedente de Moscú": there that day at the latest
                ceiling[id(c)] = c.arrival_day
        if c.began and not c.date:
            days = [x.date for x in cands if x.date and len(x.date) == 10]
            if days:
                ceiling[id(c)] = (dt.date.fromisoformat(min(days)) - dt.timedelta(days=1)).isoformat()
        if c.next_leg and not c.date and paragraph_of is not None:
            # the next leg starts after every day told for the stops of its paragraph
            days = [x.date for x in cands if x.date and len(x.date) == 10
                    and paragraph_of[x.sentence] == paragraph_of[c.sentence]]
            if days:
                nxt = dt.date.fromisoformat(max(days)) + dt.timedelta(days=1)
                floor[id(c)] = nxt.isoformat()

    def interval(x: Candidate) -> tuple[str, str]:
        lo, hi = _interval(x.date, x.status, pub)
        if id(x) in floor:
            lo = max(lo, floor[id(x)])
        if id(x) in ceiling:
            hi = min(hi, ceiling[id(x)])
        return lo, hi

    for c in cands:
        ci = interval(c)
        k = len(out)
        while k > 0:
            pi = interval(out[k - 1])
            if pi[0] > ci[1]:
                k -= 1
            else:
                break
        out.insert(k, c)
    # an arrival told before the place it came from, on the same day: the place it came from first
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        if a.arrived_from and b.place.name == a.arrived_from and (b.date or "") <= (a.date or "~"):
            out[i], out[i + 1] = b, a
    # the leg the trip began with goes first unless its own day says otherwise
    first = [c for c in out if c.began and not c.date]
    if first and len(first) < len(out):
        out = first + [c for c in out if not (c.began and not c.date)]
    return out


def _same_place(a: Candidate, b: Candidate) -> bool:
    """One visit: the same city, or a site a few kilometres away on the same day (Rome, the Vatican)."""
    if a.place.name == b.place.name and a.place.country == b.place.country:
        return True
    same_day = not a.date or not b.date or a.date == b.date
    km = _km(a.place, b.place)
    if km < (5.0 if same_day else 2.0):
        return True
    # Delhi and New Delhi, four kilometres apart: one city under two names that share a word, any day
    if km < 5.0 and a.place.country == b.place.country and {a.place.kind, b.place.kind} <= {"city", "capital"} \
            and {w for w in fold(a.place.name).split() if len(w) > 3} & {w for w in fold(b.place.name).split() if len(w) > 3}:
        return True
    # a borough of the capital (Benito Juárez, Coyoacán in Mexico City) or a landmark by a city (Filoli,
    # Woodside) on the same day is that city's visit; a town of the next province is not (Baabda above
    # Beirut, Olivos outside Buenos Aires)
    small, big = sorted((a.place, b.place), key=lambda p: p.population)
    if same_day and km < 15.0 and small.population * 5 < big.population and (
            small.kind == "city" and big.kind == "capital" and small.admin1 and small.admin1 == big.admin1
            or small.kind == "landmark" and big.kind in ("city", "capital") and small.country == big.country):
        return True
    # landing at a city's airport (the evening before) is arriving in the city: airports lie far out
    if "airport" in (a.place.kind, b.place.kind) and a.place.kind != b.place.kind and km < 35.0 \
            and (same_day or len(a.date) == len(b.date) == 10
                 and abs((dt.date.fromisoformat(b.date) - dt.date.fromisoformat(a.date)).days) == 1):
        return True
    # "pasó la noche en Viña del Mar" then the ceremony in Valparaíso the next morning: one visit
    return bool(not a.met and a.date and b.date and len(a.date) == len(b.date) == 10 and _km(a.place, b.place) < 15.0
                and (dt.date.fromisoformat(b.date) - dt.date.fromisoformat(a.date)).days == 1)


def _merge(cands: list[Candidate]) -> list[Candidate]:
    out: list[Candidate] = []
    for c in cands:
        if out and _same_place(out[-1], c):
            p = out[-1]
            if c.rule_support and not p.rule_support:
                # a mention the rules stand behind tells the visit; one only the decision let in does not
                p.date, p.date_end, p.status = c.date, c.date_end, c.status
            if p.place.name != c.place.name and (c.met and not p.met or p.place.kind == "airport"):
                # where the meeting was; the city rather than the airport the traveler landed at
                p.place, p.mention, p.landmark = c.place, c.mention, c.landmark
            # a visit is dated by its first day there: the arrival, not the day of the meeting
            dates = [d for d in (p.date, c.date) if d and not isinstance(d, _Inherited)] or \
                [d for d in (p.date, c.date) if d]
            if dates:
                best_len = max(len(d) for d in dates)
                p.date = min(d for d in dates if len(d) == best_len)
                if p.date == c.date and c.date_end:
                    p.date_end = c.date_end
            if c.status == "completed":
                p.status = "completed"
            p.landmark = p.landmark or c.landmark
            for n in c.met:
                if n not in p.met:
                    p.met.append(n)
            for e in c.evidence:
                if e not in p.evidence:
                    p.evidence.append(e)
            p.strength = max(p.strength, c.strength)
            p.support += [c.prob] + c.support
            p.positions += [c.pos] + c.positions
            p.rule_support = p.rule_support or c.rule_support

            continue
        out.append(c)
    return out


def _drop_earlier_trips(cands: list[Candidate], pub: str | None) -> list[Candidate]:
    """A cluster of dated stops well before the rest is an earlier trip told as background; a
    month or a year that lies wholly outside the trip's days (the summit it hosted last
    November, the conference it will host next year) is another trip too."""
    dated = sorted({c.date[:10] for c in cands if c.date and len(c.date) == 10})
    if not dated:
        return cands
    days = [dt.date.fromisoformat(d) for d in dated]
    cut = None
    for a, b in zip(days, days[1:]):
        if (b - a).days > 10:
            cut = b
    if cut is not None:
        cands = [c for c in cands if not (c.date and len(c.date) == 10 and dt.date.fromisoformat(c.date) < cut)]
        days = [d for d in days if d >= cut]
    # a month wholly over before the trip's first told day is an earlier trip ("en junio estuvo en
    # Alemania" in a report of a July tour); a later month is often the next leg ("en enero, Lima")
    lo = (days[0] - dt.timedelta(days=5)).isoformat()
    hi = (days[-1] + dt.timedelta(days=15)).isoformat()
    out = []
    for c in cands:
        if c.date and len(c.date) < 10:
            a, b = _interval(c.date, c.status, pub)
            if b < lo or a > hi:
                continue
        out.append(c)
    return out


def _drop_previews(cands: list[Candidate]) -> list[Candidate]:
    """A place named in an overview ("una gira que lo llevará a París y Madrid") and later told with
    a day of its own is one visit: the undated or borrowed-date mention folds into the dated one.
    Two mentions each with their own day stay two visits (Beirut on arrival and on departure)."""
    def firm(c: Candidate) -> bool:
        return bool(c.date) and len(c.date) == 10 and not isinstance(c.date, _Inherited)

    out = []
    for c in cands:
        if firm(c):
            out.append(c)
            continue
        same = [x for x in cands if x is not c and firm(x) and x.place.name == c.place.name
                and x.place.country == c.place.country and not (x.again and x.pos > c.pos)]
        if not same and not c.date:
            # "the visit followed three days in New York" and "after landing in New York on Monday":
            # an undated mention is the visit the text dates elsewhere, even by inference
            same = [x for x in cands if x is not c and x.date and x.place.name == c.place.name
                    and x.place.country == c.place.country]
        if not same or (c.date and any(x.date == c.date for x in same)):
            out.append(c)
            continue
        if c.date and len(c.date) == 10 and c.date > max(x.date for x in same):
            out.append(c)  # a borrowed day after the dated visit: coming back (Beirut before flying home)
            continue
        keep = min(same, key=lambda x: abs(x.pos - c.pos))
        keep.support += [c.prob] + c.support
        keep.positions += [c.pos] + c.positions
        keep.rule_support = keep.rule_support or c.rule_support
        for nm in c.met:
            if nm not in keep.met:
                keep.met.append(nm)
        keep.landmark = keep.landmark or c.landmark
        for e in c.evidence:
            if e not in keep.evidence:
                keep.evidence.append(e)
    return out


def _fill_month(cands: list[Candidate]) -> None:
    """An undated stop between two dated stops of one month happens in that month."""
    for i, c in enumerate(cands):
        if c.date:
            continue
        prev = next((x.date for x in reversed(cands[:i]) if x.date), None)
        nxt = next((x.date for x in cands[i + 1:] if x.date), None)
        if prev and nxt and prev[:7] == nxt[:7]:
            c.date = prev[:7]


def assemble_tour(mentions: Mentions, *, settings: Settings | None = None, knowledge: Knowledge | None = None,
                  trace: list | None = None) -> Tour:
    """Decide the stops (in travel order) and the story's context for one article.

    `knowledge` (else the one `settings` points at) carries the words, office-holders, places and
    trained decisions; `trace`, when given, collects every candidate with its features.
    """
    ctx = _Ctx(mentions, knowledge or knowledge_for(settings or Settings()))
    art = ctx.art
    people = list(mentions.people)
    title_people = find_people(art.title, sentences=(Span(0, len(art.title), art.title),), lex=ctx.lex,
                               date=art.published, holders=ctx.oh, words=ctx.k.people_words) if art.title else []
    # where the visits seem to be, before knowing who travels: the host lives there
    rough = [c for c in _candidates(ctx, None, None, people)[0] if not c.exits]
    place_countries: Counter = Counter(c.place.country for c in rough
                                       if c.place.country and c.level != "institution" and c.origin_kind != "dateline")
    traveler, tcountry = _pick_traveler(ctx, people, title_people, place_countries)
    home = _home_country(ctx, traveler, tcountry, people)
    _set_home(ctx, home)

    cands, returns, departures = _candidates(ctx, traveler, home, people)
    _context_features(ctx, cands, traveler, home, people)
    if trace is not None:
        trace.extend(("mention", c) for c in cands)
    kept = [c for c in cands if _keep(ctx, c)]
    ctx.all_cands = list(cands)
    cands = kept

    # meetings with a foreign leader in sentences that name no place: the leader's seat
    cands += _seat_candidates(ctx, cands, traveler, home, people, trace)
    venue_sents = _venue_sentences(ctx)
    cands.sort(key=lambda c: c.pos)

    # institutions ("irá al Congreso") stand in the capital of the country being visited
    resolved: list[Candidate] = []
    for c in cands:
        if c.level == "institution":
            prev = [x for x in resolved if x.place.country and x.place.country != home and x.origin_kind != "dateline"]
            code = prev[-1].place.country if prev else None
            # the country its paragraph last named ("llegó a la Argentina ... ante la Asamblea
            # Legislativa") rather than the last stop told, which may be another leg
            named = [pm for pm in ctx.m.places if pm.span.start < c.pos and pm.candidates
                     and pm.candidates[0].kind in ("country", "capital") and pm.candidates[0].country
                     and pm.candidates[0].country != home
                     and ctx.paragraph_of[pm.sentence] == ctx.paragraph_of[c.sentence]]
            if named:
                code = named[-1].candidates[0].country
            cap = ctx.g.capital(code) if code else None
            if cap is None:
                continue
            sent = ctx.sents[c.sentence].text
            rel = c.pos - ctx.sents[c.sentence].start
            c.place, c.level, c.landmark = cap, "city", c.mention
            ts = _tense_status(ctx, sent, rel)
            c.date, c.date_end = _date_for(ctx, c.pos, ts)
            c.status = ts or _status(ctx, sent, rel, c.date)
        resolved.append(c)
    cands = resolved

    # landmarks and airports stand for their city unless they are a place of their own
    for c in cands:
        if c.place.kind in ("landmark", "airport"):
            city = ctx.g.city_of(c.place)
            c.landmark = c.landmark or (_told(ctx, c.place.name) if c.origin_kind == "seat" else c.place.name)
            # an airport serves a city from well outside it (Quito's lies 22 km out)
            if city is not None and _km(city, c.place) <= (45.0 if c.place.kind == "airport" else 12.0):
                c.place = city
    # "aterrizó en el aeropuerto de Sunan": a district that names the airport stands for the city it serves
    for c in cands:
        s0 = ctx.sents[c.sentence]
        before = s0.text[max(0, c.pos - s0.start - 40):c.pos - s0.start]
        airport = _AIRPORT_OF.search(before)
        # "aterrizó ayer por la tarde en Ezeiza": a small town where the plane lands serves the
        # city the visit is to
        landed = not airport and _LANDED_IN.search(before)
        if c.place.kind == "city" and (airport or landed):
            served = [x.place for x in cands if x.place.kind in ("city", "capital") and x.place.country == c.place.country
                      and x.place.population > c.place.population * (5 if landed else 1)
                      and _km(x.place, c.place) <= 45.0]
            if served:
                c.landmark = c.landmark or c.mention
                c.place = min(served, key=lambda p: _km(p, c.place))

    # trip abroad: places at home are the departure, the return or home politics
    # (a trip abroad weeks before, told as background, does not make a tour at home a trip abroad)
    # With trained decisions these rules become the stop decision's features instead of cuts:
    # one doubtful foreign mention must not wipe out a whole tour at home.
    foreign = [c for c in _drop_earlier_trips(cands, art.published)
               if c.place.country and home and not _at_home(ctx, c.place, home)]
    # a tour at home told at length outweighs a doubtful foreign name or two ("the government in Malé")
    at_home = sum(c.prob for c in cands if home and _at_home(ctx, c.place, home) and c.origin_kind != "dateline")
    if home and foreign and sum(c.prob for c in foreign) * HOME_TOUR_RATIO < at_home:
        foreign = []
    if home and foreign:
        cut = [c for c in cands if _at_home(ctx, c.place, home) and not _hosting_on_trip(ctx, c, traveler, people, home)]
        why = "home_while_abroad"
    elif home:  # a tour at home: the dateline is where the story is written
        cut = [c for c in cands if c.origin_kind == "dateline"]
        why = "dateline_at_home"
    else:
        cut = [c for c in cands if c.origin_kind == "dateline" and len(cands) <= 1]
        why = "lone_dateline"
    cands = _cut(ctx, cands, cut, why)
    # "MADRID, 13 Jul. (EUROPA PRESS) - Raisi ha llegado este jueves a Harare": the desk files from
    # the dateline while the lead already has the traveler somewhere else
    lead = [c for c in cands if c.origin_kind != "dateline" and ctx.paragraph_of[c.sentence] <= 1
            and c.status != "planned"]
    cut = [d for d in cands if d.origin_kind == "dateline" and any(
        c.place.country != d.place.country if c.level == "country" else _km(c.place, d.place) > 50.0
        for c in lead if c.place.name != d.arrived_from and d.place.name != c.arrived_from)]
    cands = _cut(ctx, cands, cut, "dateline_elsewhere")

    # people met are named as the article writes them in full ("Claudia Sheinbaum"), else canonically
    written: dict[str, str] = {}
    for p in people:
        t = p.span.text
        if len(t.split()) >= 2 and t[:1].isupper() and len(t) > len(written.get(p.name, "")):
            if fold(t.split()[-1]) in fold(p.name) or fold(p.name.split()[-1]) in fold(t):
                written[p.name] = t
    for p in people:  # "Pope Francis" in English for the canonical "Francisco"
        t = p.span.text
        if p.name not in written and len(t.split()) == 1 and t[:1].isupper() and \
                fold(t) not in fold(p.name).split() and not t.isupper():
            written[p.name] = t

    # people met, sentence by sentence, go to the stop of their sentence or the story's current stop
    bg_paras = _background_paragraphs(ctx, cands)
    by_sentence: dict[int, list[Candidate]] = {}
    for c in cands:
        by_sentence.setdefault(c.sentence, []).append(c)
    positions = [c.pos for c in cands]
    dated = sorted((c.date, c.pos, i) for i, c in enumerate(cands) if c.date and len(c.date) == 10)
    for si in range(len(ctx.sents)):
        if si in ctx.background or ctx.paragraph_of[si] in bg_paras or si in ctx.headers:
            continue
        here = by_sentence.get(si, [])
        met = _met_people(ctx, si, traveler, people, with_visit=bool(here), acting_hosts=True)
        if not met:
            continue
        if not here and si in venue_sents and not any(_km(pm.candidates[0], c.place) < 50
                                                       for pm in ctx.places_in.get(si, ()) if pm.candidates
                                                       for c in cands):
            continue  # met somewhere the sentence names and the trip does not go
        for p in met:
            target = None
            # someone named before the travel word of a stop of the same sentence was met at the stop
            # before ("se reúne con Ishiba y después viaja a Hanói")
            eligible = [c for c in here if c.cue_pos is None or c.cue_meets or c.cue_pos <= p.span.start
                        or c.pos <= p.span.start]
            if eligible:
                target = min(eligible, key=lambda c: abs(c.pos - p.span.start))
            else:
                k = bisect.bisect_left(positions, ctx.sents[si].start)
                target = cands[k - 1] if k else None
                # "On Friday, Harris will host a lunch for Modi": the stop the traveler is at that day
                day = next((d.value for d in ctx.dates_in(ctx.sents[si].start, ctx.sents[si].end)
                            if d.value and len(d.value) == 10 and d.role == "point"
                            and not _reporting_date(ctx, d)), None)
                if day and not here:
                    lo = (dt.date.fromisoformat(day) - dt.timedelta(days=1)).isoformat()
                    on = [cands[i] for _, _, i in dated[bisect.bisect_left(dated, (lo,)):
                                                        bisect.bisect_right(dated, (day, float("inf")))]]
                    if on:
                        target = max(on, key=lambda c: (c.date, c.pos))
                        if target.date == lo and not target.met:
                            # "flew to Budapest on Wednesday. He is due to hold talks on Thursday with
                            # Orban": the meeting is the stop's main activity, its day and its status
                            rel = p.span.start - ctx.sents[si].start
                            ts = _tense_status(ctx, ctx.sents[si].text, rel)
                            if ts and _consistent(day, ts, ctx.pub):
                                target.date, target.date_end, target.status = day, None, ts
            shown = written.get(p.name, p.name)
            if target is not None and shown not in target.met:
                target.met.append(shown)
                if si not in target.evidence:
                    target.evidence.append(si)


    # a country or a region named as a whole is a stop only when no city in it is
    specific = [c for c in cands if c.level in ("city", "seat")]
    kept = []
    for c in cands:
        if c.level == "country":
            code = c.place.country
            same = [x for x in specific if x.place.country == code]
            if same:
                # the people met on the country-level mention go to that country's nearest stop
                near = min(same, key=lambda x: abs(x.pos - c.pos))
                near.support += [c.prob] + c.support
                near.positions += [c.pos] + c.positions
                near.rule_support = near.rule_support or c.rule_support

                for nm in c.met:
                    if nm not in near.met:
                        near.met.append(nm)
                if c.date and not near.date and c.status == near.status:
                    near.date, near.date_end = c.date, c.date_end
                continue
            office = None
            for nm in c.met:
                o = ctx.oh.by_name(nm, date=art.published)
                if o and o.country == code:
                    office = o
                    break
            if office is None:
                for role in ("president", "head_of_government", "monarch"):
                    o = ctx.oh.holder(code, role, date=art.published) if code else None
                    if o:
                        office = o
                        break
            place, landmark = _seat_place(ctx, office) if office else (None, None)
            if place is None and code:
                place = ctx.g.capital(code)
            if place is None:
                continue
            if place.kind in ("landmark", "airport"):
                city = ctx.g.city_of(place)
                c.landmark = c.landmark or _told(ctx, landmark or place.name)
                if city is not None and _km(city, place) <= 12.0:
                    place = city
            c.place, c.level = place, "city"
        elif c.level == "admin":
            inside = [x for x in specific if x.place.country == c.place.country
                      and (not c.place.admin1 or _admin1_of(ctx, x.place) == c.place.admin1)]
            if inside:
                near = min(inside, key=lambda x: abs(x.pos - c.pos))
                near.support += [c.prob] + c.support
                near.positions += [c.pos] + c.positions
                near.rule_support = near.rule_support or c.rule_support

                for nm in c.met:
                    if nm not in near.met:
                        near.met.append(nm)
                continue
            cap = ctx.g.capital(c.place.admin1) if c.place.admin1 else None
            if cap is None:
                continue
            c.place, c.level = cap, "city"
        kept.append(c)
    cands = kept

    kept_ids = {id(c) for c in _drop_earlier_trips(cands, art.published)}
    cands = _cut(ctx, cands, [c for c in cands if id(c) not in kept_ids], "earlier_trip")
    cands = _drop_previews(cands)
    cands = _order(cands, art.published, ctx.paragraph_of)
    cands = _merge(cands)
    if ctx.k.decisions.mention is not None:
        cands = _fold_repeats(cands)
    _fill_month(cands)
    _assign_dates(ctx, cands, trace)
    _assign_met(ctx, cands, trace, people=people, traveler=traveler, home=home, written=written)
    _stop_features(ctx, cands, home)
    if trace is not None:
        trace.extend(("stop", c) for c in cands)
    kept = [c for c in cands if _keep_stop(ctx, c)]
    _carry_met(kept, [c for c in cands if not any(c is k for k in kept)])
    cands = kept
    if ctx.k.decisions.stop is not None:
        cands = _merge(cands)  # a place told twice around a mention the decision dropped: one visit

    stops = [_to_stop(ctx, c) for c in cands]
    origin = _origin(ctx, home, returns, departures)
    tour = Tour(articles=[art], traveler=traveler, origin=origin, stops=stops)
    tour.regions = _regions(ctx, stops, home)
    tour.corridors = _corridors(ctx)
    tour.title = art.title or _generated_title(ctx, traveler, stops)
    tour.subtitle = _subtitle(ctx, traveler, stops)
    return tour


def _assign_dates(ctx: _Ctx, cands: list[Candidate], trace: list | None) -> None:
    """Each stop's date from the expressions told near it, when a trained date decision exists
    (the rules' choice is one of its features); otherwise the rules' date stays."""
    model = ctx.k.decisions.date
    if model is None and trace is None:
        return
    users: Counter = Counter()
    for c in cands:
        for si in set(c.evidence):
            for d in ctx.dates_in(ctx.sents[si].start, ctx.sents[si].end):
                users[d.start] += 1
    for c in cands:
        choices = date_choices(ctx, c, status=c.status, rule_value=c.date, users=users,
                               others=[[o.pos, *o.positions] for o in cands if o is not c])
        if trace is not None:
            trace.append(("date", c, choices))
        if model is None:
            continue
        # the rules' date stands unless the decision is sure of another one
        best = choose(choices, model)
        ruled = max((x.prob for x in choices if x.features.get("rule_choice")), default=None)
        # where the rules found no date, the decision's must agree with the status: a visit already
        # made is not dated after publication ("Tras reunirse con Milei, este lunes 22 se verá con Noboa")
        if best is not None and best.expr.value != c.date and (ruled is None or best.prob > ruled + 0.15) \
                and (c.date or _consistent(best.expr.value, c.status, ctx.pub)):
            c.date, c.date_end = best.expr.value, best.expr.value_end
        elif ruled is not None and ruled < 0.2:
            c.date = c.date_end = None  # the decision is sure the rules' pick is not this stop's date


MET_MARGIN = 0.3  # how much less sure of a person the decision may be at their second stop


def _assign_met(ctx: _Ctx, cands: list[Candidate], trace: list | None, *, people: list[PersonMention],
                traveler: str | None, home: str | None, written: dict[str, str]) -> None:
    """Each stop's people met, when a trained decision exists (the rules' choice is one of its
    features); otherwise the rules' people stay."""
    model = ctx.k.decisions.met
    if model is None and trace is None:
        return
    people_in: dict[int, list[PersonMention]] = {}
    counts: Counter = Counter()
    for p in people:
        people_in.setdefault(p.sentence, []).append(p)
        counts[p.name] += 1
    placed = [{surname(n) for n in c.met} for c in cands]
    chosen: list[tuple[Candidate, dict[str, float]]] = []
    for i, c in enumerate(cands):
        elsewhere = set().union(*(placed[:i] + placed[i + 1:])) if len(placed) > 1 else set()
        choices = met_choices(ctx, c, people_in=people_in, traveler=traveler, home=home, rule_met=placed[i],
                              elsewhere=elsewhere, written=written, counts=counts,
                              others=[[o.pos, *o.positions] for o in cands if o is not c])
        if trace is not None:
            trace.append(("met", c, choices))
        if model is not None:
            c.met = choose_met(choices, model)
            chosen.append((c, {x.shown: x.prob for x in choices if x.shown in c.met}))
    # one person near several stops: kept where the decision is surest of them, and elsewhere only
    # when it is nearly as sure (a host who travels on with the visitor)
    best: dict[str, float] = {}
    for _, probs in chosen:
        for n, p in probs.items():
            best[n] = max(best.get(n, 0.0), p)
    for c, probs in chosen:
        c.met = [n for n in c.met if probs.get(n, 1.0) >= min(best.get(n, 0.0) - MET_MARGIN, 0.8)]


def _carry_met(kept: list[Candidate], dropped: list[Candidate]) -> None:
    """A place told several times is one visit however many of its tellings the stop decision
    keeps: the people met at a dropped telling were met at the kept visit of that place (the
    nearest in the text when the place is visited twice)."""
    for d in dropped:
        same = [k for k in kept if (k.place.name, k.place.country) == (d.place.name, d.place.country)]
        if not d.met or not same:
            continue
        k = min(same, key=lambda k: abs(k.pos - d.pos))
        k.met.extend(n for n in d.met if n not in k.met)


def _firm(c: Candidate) -> bool:
    return bool(c.date) and len(c.date) == 10 and not isinstance(c.date, _Inherited)


def _fold_repeats(cands: list[Candidate]) -> list[Candidate]:
    """One stop per place unless the text dates a second visit on a day of its own: with every
    plausible mention let in, a weak mention with a borrowed date is the same visit told again."""
    keep: list[Candidate] = []
    for c in sorted(cands, key=lambda c: -max([c.prob, *c.support])):
        same = [k for k in keep if _same_place(k, c) or (k.place.name, k.place.country) == (c.place.name, c.place.country)]
        # the rules' own second visits stand when the text dates them or says the traveler came back
        # ("disse Ramos-Horta em Maputo" after the Maputo days is the same stay told again); only
        # what the decision let in besides them folds
        told_again = not c.date or not (c.features.get("own_date") or c.features.get("sentence_dates"))
        back = c.features.get("return_cue", 0.0) > 0 or c.features.get("back_to_act", 0.0) > 0
        if not same or c.rule_support and (not told_again or back) or \
                _firm(c) and all(_firm(k) and k.date != c.date for k in same):
            keep.append(c)
            continue
        k = min(same, key=lambda k: abs(k.pos - c.pos))
        k.support += [c.prob] + c.support
        k.positions += [c.pos] + c.positions
        k.rule_support = k.rule_support or c.rule_support
        for nm in c.met:
            if nm not in k.met:
                k.met.append(nm)
        k.evidence += [e for e in c.evidence if e not in k.evidence]
        k.landmark = k.landmark or c.landmark
    kept = {id(k) for k in keep}
    return [c for c in cands if id(c) in kept]


def _cut(ctx: _Ctx, cands: list[Candidate], cut: list[Candidate], why: str) -> list[Candidate]:
    """Drop what a trip-level rule rules out, or, when a trained decision judges the mentions, keep
    it marked with the rule's reason for the stop decision to weigh."""
    if ctx.k.decisions.mention is None:
        gone = {id(c) for c in cut}
        return [c for c in cands if id(c) not in gone]
    for c in cut:
        c.stop_features["cut_" + why] = 1.0
        c.rule_support = False
    return cands


def _stop_features(ctx: _Ctx, cands: list[Candidate], home: str | None) -> None:
    """Features of each assembled stop: how its mentions were judged, what it carries, and how it
    sits among the other stops (a second stop at the same place, a day far from the rest)."""
    days = sorted(dt.date.fromisoformat(c.date) for c in cands if c.date and len(c.date) == 10)
    mid = days[len(days) // 2] if days else None
    best_at: dict[tuple, float] = {}
    for c in cands:
        key = (c.place.name, c.place.country)
        best_at[key] = max(best_at.get(key, 0.0), c.prob)
    title = _title_places(ctx.art.title or "")
    pub = ctx.art.published
    n = len(cands)
    # a tour at home (an earthquake zone, a state's towns): several home places the rules stand behind and
    # nothing abroad, where home places are otherwise the departure and the return
    at_home = {(c.place.name, c.place.country) for c in cands if _at_home(ctx, c.place, home) and not c.exits}
    abroad = any(not _at_home(ctx, c.place, home) for c in cands) if home else True
    for i, c in enumerate(cands):
        probs = [c.prob] + c.support
        key = (c.place.name, c.place.country)
        f = c.stop_features
        f["p_max"] = max(probs)
        f["p_mean"] = sum(probs) / len(probs)
        f["p_own"] = c.prob
        f["n_support"] = math.log1p(len(probs) - 1)
        f["rule_keep"] = float(not c.exits)
        f["n_exits"] = float(len(c.exits))
        f["origin_seat"] = float(c.origin_kind == "seat")
        f["origin_dateline"] = float(c.origin_kind == "dateline")
        f["was_institution"] = float(c.level == "institution" or c.features.get("level_institution", 0.0) > 0)
        f["was_country"] = float(c.features.get("level_country", 0.0) > 0)
        f["kind_landmark"] = float(c.place.kind in ("landmark", "airport", "crossing"))
        f["has_date"] = float(bool(c.date))
        f["date_day"] = float(bool(c.date) and len(c.date) == 10)
        f["date_month"] = float(bool(c.date) and len(c.date) == 7)
        f["date_inherited"] = float(isinstance(c.date, _Inherited))
        far = None
        if mid and c.date and len(c.date) == 10:
            far = abs((dt.date.fromisoformat(c.date) - mid).days)
        f["days_from_trip"] = 0.0 if far is None else min(far, 60) / 60.0
        f["far_from_trip"] = float(far is not None and far > 10)
        # a trip announced after this one ("next month he goes to Georgetown") is reported as a
        # visit; a far day in the past is an earlier trip told as background
        later = bool(c.date and mid) and c.date > mid.isoformat()[:len(c.date)]
        f["later_planned"] = float(later and c.status == "planned")
        f["after_publication"] = float(bool(c.date and pub) and c.date > pub[:len(c.date)])
        f["status_completed"] = float(c.status == "completed")
        f["n_met"] = min(len(c.met), 4) / 4.0
        f["home"] = float(_at_home(ctx, c.place, home))
        f["home_unknown"] = float(not home)
        f["home_tour"] = float(not abroad)
        f["home_places_ruled"] = math.log1p(len(at_home))
        f["duplicate_weaker"] = float(best_at[key] > c.prob + 1e-9)
        f["duplicate"] = float(sum(1 for x in cands if (x.place.name, x.place.country) == key) > 1)
        f["n_evidence"] = min(len(set(c.evidence)), 4) / 4.0
        f["in_title"] = float(bool(title) and fold(c.place.name) in title)
        f["population"] = c.features.get("population", 0.0)
        f["first_paragraph"] = float(ctx.paragraph_of[c.sentence] == 0)
        # every mention of the place, kept or not: how the text as a whole talks about it
        near = [x for x in ctx.all_cands if x.level not in ("country", "institution") and _km(x.place, c.place) <= 15.0]
        ps = [x.prob for x in near] or [c.prob]
        f["place_p_max"] = max(ps)
        f["place_p_sum"] = min(sum(ps), 5.0) / 5.0
        f["place_n"] = math.log1p(len(near))
        f["place_rule_any"] = float(any(not x.exits for x in near))
        f["place_cue_any"] = float(any(x.features.get("stop_cue") for x in near))
        f["place_in_title"] = float(any(x.features.get("in_title") for x in near))
        f["place_background_all"] = float(bool(near) and all(x.features.get("background_sentence") for x in near))
        ctry = [x.prob for x in ctx.all_cands if x.level == "country" and x.place.country == c.place.country]
        f["country_p_max"] = max(ctry, default=0.0)
        f["country_n"] = math.log1p(len(ctry))


def _keep_stop(ctx: _Ctx, c: Candidate) -> bool:
    """The stop decision: a calibrated probability that the assembled stop is a visit of the trip."""
    model = ctx.k.decisions.stop
    if model is None:
        return True
    keep, c.stop_prob = model.keep(c.stop_features, ruled=c.rule_support)
    return keep


def _keep(ctx: _Ctx, c: Candidate) -> bool:
    """The decision: the trained model's calibrated probability when there is one, else the rules."""
    model = ctx.k.decisions.mention
    c.rule_support = not c.exits
    if model is None or c.level == "institution":
        c.prob = 0.7 if not c.exits else 0.2
        return not c.exits
    keep, c.prob = model.keep(c.features, ruled=not c.exits)
    if c.origin_kind == "seat":
        # a leader's seat stands in for a place the sentence does not name: only where the rules
        # allow it (else the visit is told elsewhere), and the decision may still overrule them
        return not c.exits and c.prob >= SEAT_VETO
    return keep


def _venue_sentences(ctx: _Ctx) -> set[int]:
    """Sentences that name where a meeting happened ("en la cumbre del G7 en Apulia, donde saludó
    al papa"): when that place is not a stop, the meeting was not on this trip."""
    if ctx._venues is None:
        ctx._venues = {pm.sentence for pm in ctx.m.places
                       if pm.candidates and pm.candidates[0].kind not in ("country",)
                       and re.search(r"(?<![\wÀ-ÿ])(?:[Ee]n|[Ii]n|[Ee]m|[Nn]o|[Nn]a|[Aa]t)\s+"
                                     r"(?:[a-záéíóúâêôãõçñü]+\s+){0,3}?(?:(?:de|del|do|da|of)\s+)?$",
                                     ctx.text[max(0, pm.span.start - 45):pm.span.start])
                       and not _role_phrase_before(ctx, ctx.sents[pm.sentence].text,
                                                   pm.span.start - ctx.sents[pm.sentence].start)}
    return ctx._venues


def _seat_candidates(ctx: _Ctx, cands: list[Candidate], traveler: str | None, home: str | None,
                     people: list[PersonMention], trace: list | None) -> list[Candidate]:
    """A meeting with a foreign leader in a sentence that names no place of the trip: the leader's
    seat, with the reasons it may not be a visit as features (a summit elsewhere, background...)."""
    art = ctx.art
    cand_sents = {c.sentence for c in cands}
    early_bg = _background_paragraphs(ctx, cands)
    venue_sents = _venue_sentences(ctx)
    summit_paras = {ctx.paragraph_of[i] for i, s in enumerate(ctx.sents) if _SUMMIT.search(s.text)}
    out: list[Candidate] = []
    cand_pos, out_pos = [c.pos for c in cands], []
    for si in range(len(ctx.sents)):
        sent = ctx.sents[si].text
        base: dict[str, float] = {
            "seat_place_in_sentence": float(si in cand_sents),
            "background_sentence": float(si in ctx.background),
            "background_paragraph": float(ctx.paragraph_of[si] in early_bg),
            "header": float(si in ctx.headers),
            "venue_sentence": float(si in venue_sents),
        }
        taken = False
        for p in _met_people(ctx, si, traveler, people):
            office = ctx.oh.by_name(p.name, date=art.published)
            if not office or office.role not in LEADER_ROLES or office.country == home:
                continue
            f = dict(base)
            start = ctx.sents[si].start
            last = [x[bisect.bisect_left(xp, start) - 1] for x, xp in ((cands, cand_pos), (out, out_pos))
                    if x and x[0].pos < start]
            current = max(last, key=lambda c: c.pos) if last else None
            f["seat_same_country_as_current"] = float(current is not None and current.place.country == office.country)
            sidelines = current is not None and current.place.country != home and ctx.lex.has("sidelines", sent)
            f["seat_sidelines"] = float(sidelines)
            f["seat_second_in_sentence"] = float(taken)
            place, landmark = _seat_place(ctx, office)
            if place is None:
                continue
            exits = [k for k, v in f.items() if v]
            if sidelines and exits == ["seat_sidelines"]:
                # "on the sidelines he met Lula": at the summit the story is filed from, else the last stop told
                at = next((c for c in cands[:1] if c.origin_kind == "dateline" and c.place.country != home
                           and c.pos < start), current)
                if p.name not in at.met:
                    at.met.append(p.name)
            rel = p.span.start - ctx.sents[si].start
            ts = _tense_status(ctx, sent, rel)
            d, de = _date_for(ctx, p.span.start, ts)
            status = ts or _status(ctx, sent, rel, d)
            f["origin_seat"] = 1.0
            # the article names another place in the leader's country that the trip is at: the
            # meeting was there, not at the seat ("met Netanyahu in Tel Aviv")
            f["seat_country_named"] = float(any(x.place.country == office.country and x.level != "country"
                                                and _km(x.place, place) > 30.0 for x in cands))
            f["summit_in_sentence"] = float(bool(_SUMMIT.search(sent)))
            f["summit_in_paragraph"] = float(ctx.paragraph_of[si] in summit_paras)
            f["home"] = float(_at_home(ctx, place, home))
            f["tense_past"] = float(ts == "completed")
            f["tense_future"] = float(ts == "planned")
            f["own_date"] = float(bool(d) and not isinstance(d, _Inherited))
            f["inherited_date"] = float(isinstance(d, _Inherited))
            f["sent_pos"] = si / max(1, len(ctx.sents))
            f["n_exits"] = float(len(exits))
            f["rule_keep"] = float(not exits)
            c = Candidate(place=place, pos=p.span.start, sentence=si, mention=p.span.text, status=status,
                          date=d, date_end=de, landmark=_told(ctx, landmark), evidence=[si], strength=0.6,
                          level="seat", origin_kind="seat", features=f, exits=exits)
            if trace is not None:
                trace.append(("seat", c))
            ctx.all_cands.append(c)
            if _keep(ctx, c):
                out.append(c)
                out_pos.append(c.pos)
                taken = True
    return out


def _hosting_on_trip(ctx: _Ctx, c: Candidate, traveler: str | None, people: list[PersonMention],
                     home: str) -> bool:
    """A host who receives a foreign leader away from the capital and then travels on with them
    ("recibirá a Sheinbaum en Petén y viajará con ella a Calakmul"): that town is the first leg."""
    if c.origin_kind != "mention" or not c.cue_meets or c.place.kind not in ("city", "landmark") \
            or c.level != "city" or c.status != "planned" and not c.date:
        return False
    cap = ctx.g.capital(home)
    if cap is not None and (cap.name == c.place.name or _km(cap, c.place) < 60.0):
        return False
    for p in _met_people(ctx, c.sentence, traveler, people):
        office = ctx.oh.by_name(p.name, date=ctx.pub)
        if office and office.role in LEADER_ROLES and office.country and office.country != home:
            return True
    return False


def _told(ctx: _Ctx, landmark: str | None) -> str | None:
    """A seat of government places a visit, but is its landmark only when the text names it."""
    if not landmark:
        return None
    key = getattr(ctx, "_folded_text", None)
    if key is None:
        key = ctx._folded_text = fold(ctx.text)
    return landmark if fold(landmark) in key else None


def _background_paragraphs(ctx: _Ctx, cands: list[Candidate]) -> set[int]:
    """Paragraphs that open with background (an earlier trip, a cancelled plan) and hold no stop."""
    with_stop = {ctx.paragraph_of[c.sentence] for c in cands}
    out = set()
    first: dict[int, int] = {}
    for i, p in enumerate(ctx.paragraph_of):
        first.setdefault(p, i)
    for p, i in first.items():
        if p in with_stop:
            continue
        if any(j in ctx.background for j, q in enumerate(ctx.paragraph_of) if q == p):
            out.add(p)
    return out


def _to_stop(ctx: _Ctx, c: Candidate) -> Stop:
    ev = []
    for si in sorted(set(c.evidence))[:4]:
        s = ctx.sents[si]
        ev.append(Evidence(article=ctx.art.id, quote=s.text, start=s.start, end=s.end))
    if c.stop_prob is not None:
        conf = min(0.99, ctx.k.decisions.stop_confidence(c.stop_prob))
    else:
        conf = min(0.95, c.strength + (0.1 if c.date else 0.0) + (0.1 if c.met else 0.0) + 0.05 * (len(c.evidence) - 1))
    return Stop(name=c.place.name, lat=c.place.lat, lon=c.place.lon, country=c.place.country, date=c.date,
                date_end=c.date_end if c.date_end and c.date_end != c.date else None, status=c.status,
                met=list(c.met), landmark=c.landmark, evidence=ev, confidence=round(conf, 2),
                kind=c.place.kind if c.place.kind in ("city", "capital", "landmark", "airport", "crossing") else "city",
                sources=[ctx.art.id])


def _origin(ctx: _Ctx, home: str | None, returns: list[Place], departures: list[Place]) -> Place | None:
    """Home: the traveler's capital when the text says the trip leaves from or returns to it."""
    text = ctx.text
    # "regresa a Antananarivo" on the way is a return to a stop, not home
    for p in [r for r in returns if not home or _at_home(ctx, r, home)] + \
            [d for d in departures if _at_home(ctx, d, home)]:
        if p.kind in ("city", "capital"):
            return p
        if p.kind == "country" and p.country:
            cap = _capital(ctx, p.country)
            if cap:
                return cap
    if not home:
        return None
    cues = r"(dejó el país|dejó el país|salió del país|saldrá del país|dejará el país|left the country|deixou o país|" \
           r"regreso a|regresará a|de vuelta|volver a|voltar ao|back to)"
    dl = next((pm for pm in ctx.m.places if pm.sentence == 0 and pm.span.start < 3 and pm.span.text.isupper()), None)
    if dl and dl.candidates and dl.candidates[0].country == home:
        return dl.candidates[0]
    if re.search(cues, text, re.I):
        return _capital(ctx, home)
    return None


def _capital(ctx: _Ctx, code: str) -> Place | None:
    name = ctx.oh.capital_name(code)
    if name:
        found = ctx.g.lookup(name, country=code, kinds=("capital", "city"))
        if found:
            return found[0]
    return ctx.g.capital(code)


def _regions(ctx: _Ctx, stops: list[Stop], home: str | None) -> list[Region]:
    """Border regions the story is about: "control fronterizo" plus a border town or region named."""
    lex = ctx.lex
    hits = lex.find("border_words", ctx.text)
    if not hits:
        return []
    stop_names = {s.name for s in stops}
    # the other country: "frontera con Guatemala", "fronteras de Perú"
    other = None
    for m in hits:
        after = ctx.text[m.end():m.end() + 30]
        for pm in ctx.m.places:
            if pm.span.start >= m.end() and pm.span.start - m.end() < 15 and pm.candidates and \
                    pm.candidates[0].kind == "country" and re.match(r"\s*(?:con|de|del|with|of|com|da|do)\s", after):
                other = pm.candidates[0].country
                break
        if other:
            break
    border_sents = {sentence_index(ctx.sents, m.start()) for m in hits}
    anchor = None
    best = None
    hit_pos = [m.start() for m in hits]
    for pm in ctx.m.places:
        if not pm.candidates:
            continue
        c = pm.candidates[0]
        d = min(abs(pm.sentence - b) for b in border_sents)
        # a stop can be the border town only when the sentence itself says so ("Tapachula, vecina de
        # la frontera con Guatemala"); otherwise the border place is one the trip does not visit
        if c.kind in ("country",) or (c.name in stop_names and d > 0) or d > 1:
            continue
        if c.country and other and c.country == other:
            continue
        chars = min(abs(pm.span.start - h) for h in hit_pos)
        sent = ctx.sents[pm.sentence]
        lo, hi = _segment(sent.text, pm.span.start - sent.start)
        apart = not any(sent.start + lo <= h < sent.start + hi for h in hit_pos)
        rank = (c.kind not in ("city", "admin"), d, apart, chars)
        if best is None or rank < best:
            best, anchor = rank, c
    if anchor is None:
        return []
    countries = [x for x in (anchor.country, other) if x]
    if len(countries) < 2:
        return []
    name = _region_name(ctx.art.language, countries, anchor.name)
    s = ctx.sents[sentence_index(ctx.sents, next(m.start() for m in hits))]
    return [Region(name=name, kind="border", countries=countries, anchor=anchor,
                   evidence=[Evidence(article=ctx.art.id, quote=s.text, start=s.start, end=s.end)])]


def _country_name(code: str, lang: str) -> str:
    try:
        from babel import Locale

        return Locale.parse(lang if lang in ("es", "en", "pt") else "es").territories.get(code, code)
    except Exception:  # noqa: BLE001 - a missing locale must not lose the region
        return code


def _region_name(lang: str, countries: list[str], town: str) -> str:
    """"Frontera Chile-Perú (Arica)", "Chile–Peru border (Arica)", "Fronteira Chile-Peru (Arica)"."""
    names = [_country_name(c, lang) for c in countries]
    if lang == "en":
        return f"{'–'.join(names)} border ({town})"
    word = "Fronteira" if lang == "pt" else "Frontera"
    return f"{word} {'-'.join(names)} ({town})"


def _corridors(ctx: _Ctx) -> list[Corridor]:
    out = []
    for m in ctx.lex.find("corridor_words", ctx.text):
        name = re.sub(r"\s+", " ", m.group(0)).lower()
        if len(name.split()) < 2:
            continue
        si = sentence_index(ctx.sents, m.start())
        s = ctx.sents[si]
        countries = []
        for pm in ctx.m.places:
            if pm.sentence == si and pm.span.start > m.start() and pm.candidates and pm.candidates[0].country:
                code = pm.candidates[0].country
                if pm.candidates[0].kind == "country" and code not in countries:
                    countries.append(code)
        if any(c.name == name for c in out):
            continue
        out.append(Corridor(name=name, status="proposed", countries=countries,
                            evidence=[Evidence(article=ctx.art.id, quote=s.text, start=s.start, end=s.end)]))
    return out


def _join(names: list[str], lang: str) -> str:
    conj = {"es": "y", "pt": "e", "en": "and"}.get(lang, "y")
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {conj} " + names[-1]


def _generated_title(ctx: _Ctx, traveler: str | None, stops: list[Stop]) -> str:
    names = list(dict.fromkeys(s.name for s in stops))
    lead = {"es": "Gira de", "pt": "Viagem de", "en": "Trip of"}.get(ctx.art.language, "Gira de")
    if not traveler:
        lead = {"es": "Gira", "pt": "Viagem", "en": "Trip"}.get(ctx.art.language, "Gira")
        return f"{lead}: {_join(names, ctx.art.language)}" if names else lead
    return f"{lead} {traveler}: {_join(names, ctx.art.language)}" if names else f"{lead} {traveler}"


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _subtitle(ctx: _Ctx, traveler: str | None, stops: list[Stop]) -> str:
    """"1 parada (1 realizada, 0 previstas)": nouns and participles agree with their number."""
    done = sum(1 for s in stops if s.status == "completed")
    todo = len(stops) - done
    lang = ctx.art.language
    if lang == "en":
        return f"{_n(len(stops), 'stop', 'stops')} ({done} completed, {todo} planned) as of {ctx.pub or 'unknown date'}"
    if lang == "pt":
        return (f"{_n(len(stops), 'parada', 'paradas')} ({_n(done, 'realizada', 'realizadas')}, "
                f"{_n(todo, 'prevista', 'previstas')}) em {ctx.pub or 'data desconhecida'}")
    return (f"{_n(len(stops), 'parada', 'paradas')} ({_n(done, 'realizada', 'realizadas')}, "
            f"{_n(todo, 'prevista', 'previstas')}) al {ctx.pub or 'fecha desconocida'}")
