"""Several articles about one trip -> one tour, then the editor's corrections from config.

Grouping is by the trip the articles report, not only by when they were published: articles whose
travelers are one person form one tour when the dates of their stops run on from each other (a few
days apart, or a little more when the places are near) or they report the same stop, and each was
published within `tour_window_days` of another of them; a return home or a "nueva gira" ends a trip. A config entry that names articles puts them together whatever the
traveler.

Inside a tour, a stop reported by several articles is one stop (same place within MATCH_KM,
compatible dates). Each value is weighed by the report it comes from: a first-hand report of the
stop beats a passing mention ("after stopping in X and Y"), a date with a day beats a month, and a
newer report beats an older one. Every kept value records its article (`Stop.provenance`) and every
disagreement is written, in the tour's language, to `tour.conflicts` for an editor.

Slugs are permanent: `merge_tours` is told which slug each article was published under (the build's
manifest) and keeps it; a new slug (traveler's surname and month) is only made for a new trip.
Titles and subtitles are worded here, once the tour is merged, in the tour's one language.
"""
from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

from typing import Iterable, Mapping

from . import wording
from .config import Settings, StopOverride, TourOverride
from .errors import ConfigError
from .models import Article, Corridor, Stop, Tour

MATCH_KM = 25.0
DATE_SLACK_DAYS = 7  # a meeting moved by up to a week is the same meeting, with a corrected date
TRIP_GAP_DAYS = 3  # stops this close in time are one trip wherever they are
NEAR_GAP_DAYS = 10  # ...and this close when the places are near each other
NEAR_KM = 2500.0
# How a report tells a stop: in a sentence of its own (or naming its landmark); only in sentences
# that tell other stops too but with someone met there; or only in passing ("tras pasar por X e Y").
FIRST_HAND, SHARED, PASSING = 3, 2, 1
# A stop only ever mentioned in passing is wrong 2.5x as often as one told first-hand (10 of 40
# against 26 of 244 on the gold sets; bench/bench_review.py): its confidence stays below the
# default review threshold, so an editor sees it before the public does.
PASSING_CONFIDENCE = 0.45

# Words that end a trip or start another. Data, like the lexicon: they belong in the knowledge
# files once those are loaded in one place (issue 13, "knowledge loaded once").
NEW_TRIP = {
    "es": r"\b(?:nueva|otra|segunda|tercera) (?:gira|viaje|visita oficial)|\bnuevo viaje\b",
    "en": r"\b(?:new|another|second|third) (?:tour|trip|foreign trip)\b",
    "pt": r"\b(?:nova|outra|segunda|terceira) (?:viagem|turn[eê]|visita oficial)\b",
}
RETURN_HOME = {
    "es": r"\b(?:regres\w*|volv\w*|retorn\w*|de vuelta|de regreso)\b[^.\n]{0,50}?",
    "en": r"\b(?:return\w*|(?:flew|fly|flies|flown|head\w*|went|go(?:es)?|came|come|was|is|be) back)\b[^.\n]{0,50}?",
    "pt": r"\b(?:regress\w*|volt\w*|retorn\w*|de volta)\b[^.\n]{0,50}?",
}
HOME_WORDS = {"es": ["su país"], "en": ["home"], "pt": ["seu país"]}  # "casa": Casa Rosada, Casa Branca
PARTICLES = {"de", "del", "la", "las", "los", "da", "das", "do", "dos", "di", "y", "e", "van", "von", "le"}
TITLES = {"pope", "papa", "president", "presidente", "presidenta", "king", "rey", "queen", "reina",
          "prince", "principe", "princesa", "princess", "sr", "sra", "dr", "mr", "mrs", "ms", "don", "dona",
          "general", "premier", "primer", "prime", "minister", "ministro", "ministra", "canciller"}
# Common given names: in "José Antonio Kast" or "Claudia Sheinbaum Pardo" the surname that people
# use is the first word after the given names, not the last word.
GIVEN = set("""
jose antonio maria juan luis carlos claudia luiz inacio daniel javier gabriel gustavo nayib andres
manuel pedro pablo miguel francisco jorge alberto fernando ricardo eduardo sebastian michelle
cristina alejandro diego rafael enrique felipe mauricio ivan evo nicolas dina lenin guillermo
alvaro ernesto hugo oscar xiomara bernardo laurentino lucia ana marcelo jair dilma fernando
martin santiago sergio rodrigo gonzalo mario victor raul julio cesar ignacio vicente jeanine
""".split())


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", _fold(text)).strip("-")[:60] or "tour"


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


@functools.lru_cache(maxsize=4096)
def name_tokens(name: str | None) -> tuple[str, ...]:
    """A person's name as comparable words: accents, case, particles and titles dropped."""
    words = re.findall(r"[a-z0-9]+", _fold(name or ""))
    return tuple(w for w in words if w not in PARTICLES and w not in TITLES)


def same_person(a: str | None, b: str | None) -> bool:
    """'Kast', 'J. A. Kast' and 'José Antonio Kast' are one person; 'Cristina Kirchner' and
    'Néstor Kirchner' are not: all of one name's words are in the other, or the surnames agree
    and the other words agree too (an initial agrees with a word it begins)."""
    ta, tb = set(name_tokens(a)), set(name_tokens(b))
    if not ta or not tb:
        return False
    if ta <= tb or tb <= ta:
        return True
    sur = surname(a)
    if not sur or sur != surname(b):
        return False
    short, long = sorted((ta - {sur}, tb - {sur}), key=len)
    return all(any(_agree(x, y) for y in long) for x in short)


def _agree(x: str, y: str) -> bool:
    return x == y or (len(x) == 1 and y.startswith(x)) or (len(y) == 1 and x.startswith(y))


@functools.lru_cache(maxsize=4096)
def surname(name: str | None) -> str:
    # "Leo XIV": a regnal number is not a surname.
    words = [w for i, w in enumerate(name_tokens(name)) if i == 0 or not re.fullmatch(r"[ivxlc]+", w)]
    words = [w for w in words if len(w) > 1] or words  # "J. A. Kast": initials are not surnames
    if not words:
        return ""
    if len(words) <= 2:
        return words[-1]
    for w in words:
        if w not in GIVEN:
            return w
    return words[-1]


# --- dates ------------------------------------------------------------------------------------


def _span(value: str) -> tuple[dt.date, dt.date]:
    """First and last day a YYYY[-MM[-DD]] date can mean."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31)
    if len(parts) == 2:
        first = dt.date(parts[0], parts[1], 1)
        nxt = dt.date(parts[0] + (parts[1] == 12), parts[1] % 12 + 1, 1)
        return first, nxt - dt.timedelta(days=1)
    d = dt.date(*parts[:3])
    return d, d


def _parse(value: str | None) -> tuple[dt.date, dt.date] | None:
    if not value:
        return None
    try:
        return _span(value)
    except (ValueError, TypeError):
        return None


def dates_compatible(a: str | None, b: str | None) -> bool:
    """Same visit as far as the dates say: one is missing, they overlap, or are a week apart."""
    sa, sb = _parse(a), _parse(b)
    if sa is None or sb is None:
        return True
    gap = max((sb[0] - sa[1]).days, (sa[0] - sb[1]).days, 0)
    return gap <= DATE_SLACK_DAYS


def _refines(coarse: str, fine: str) -> bool:
    """'2026-01-08' only makes '2026-01' more precise; it does not contradict it."""
    return fine.startswith(coarse) and len(fine) > len(coarse)


def _days_apart(a: str | None, b: str | None) -> int:
    sa, sb = _parse(a), _parse(b)
    if sa is None or sb is None:
        return 0
    return abs((sa[0] - sb[0]).days)


def km_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


# --- grouping ----------------------------------------------------------------------------------


def _article_names(a: Article) -> set[str]:
    return {a.id, Path(a.path).name if a.path else a.id}


def article_file(a: Article) -> str:
    """The name an article is known by in config and in the build's manifest: its file name."""
    return Path(a.path).name if a.path else a.id


def _first_article(t: Tour) -> tuple[str, str]:
    return min(((a.published or "9999", a.id) for a in t.articles), default=("9999", ""))


def _published(t: Tour) -> dt.date | None:
    p = _parse(t.published)
    return p[0] if p else None


@dataclass
class _Trip:
    """What one article says about when and where its trip is."""

    tour: Tour
    spans: list[tuple[dt.date, dt.date]]  # the stops' dates (day or month); else the publication day
    points: list[tuple[float, float]]
    published: dt.date | None
    new_trip: bool = False  # the lede says this is a new trip
    home_by: dt.date | None = None  # the traveler is back home by then

    @functools.cached_property
    def start(self) -> dt.date | None:
        return min((a for a, _ in self.spans), default=None)

    @functools.cached_property
    def end(self) -> dt.date | None:
        return max((b for _, b in self.spans), default=None)


def _trip(t: Tour) -> _Trip:
    spans = []
    for s in t.stops:
        for value in (s.date, s.date_end):
            if value and len(value) >= 7:  # a year says too little to place a trip
                span = _parse(value)
                if span:
                    spans.append(span)
    pub = _published(t)
    if not spans and pub:
        spans = [(pub, pub)]
    trip = _Trip(t, spans, [(s.lat, s.lon) for s in t.stops], pub)
    lang = wording.known_language(t.articles[0].language if t.articles else "es")
    for a in t.articles:
        if re.search(NEW_TRIP[lang], f"{a.title}\n{a.text[:400]}", re.I):  # the lede
            trip.new_trip = True
        if _returns_home(t, a.text, lang):
            trip.home_by = max([d for d in (trip.end, pub) if d], default=None)
    return trip


def _returns_home(t: Tour, text: str, lang: str) -> bool:
    """The text says the traveler goes back home ("regresará el miércoles a Brasilia")."""
    homes = list(HOME_WORDS[lang])
    if t.origin:
        homes.append(t.origin.name)
        if t.origin.country:
            homes.append(wording.country_name(t.origin.country, lang))
    home_rx = re.compile(r"\b(?:" + "|".join(re.escape(_fold(h)) for h in homes if h) + r")\b")
    # Only the few stretches after a verb of returning are folded (folding a whole text costs more
    # than the rest of the merge).
    for m in re.finditer(RETURN_HOME[lang], text, re.I):
        if home_rx.search(_fold(text[m.start():m.end() + 60])):
            return True
    return False


@dataclass
class _Group:
    tours: list[Tour] = field(default_factory=list)
    override: TourOverride | None = None
    traveler: str | None = None
    spans: list[tuple[dt.date, dt.date]] = field(default_factory=list)
    points: list[tuple[float, float]] = field(default_factory=list)
    stops: list[Stop] = field(default_factory=list)
    home_by: dt.date | None = None
    published: list[dt.date] = field(default_factory=list)
    end: dt.date | None = None  # its latest date
    index: int = 0

    def add(self, trip: _Trip) -> None:
        self.tours.append(trip.tour)
        if trip.published:
            self.published.append(trip.published)
        if trip.end and (self.end is None or trip.end > self.end):
            self.end = trip.end
        self.spans += trip.spans
        self.points += trip.points
        self.stops += trip.tour.stops
        if trip.home_by and (self.home_by is None or trip.home_by > self.home_by):
            self.home_by = trip.home_by
        if len(name_tokens(trip.tour.traveler)) > len(name_tokens(self.traveler)):
            self.traveler = trip.tour.traveler


def _gap_days(a: list[tuple[dt.date, dt.date]], b: list[tuple[dt.date, dt.date]]) -> int | None:
    """Days between the nearest dates of two trips (0 when they overlap); None when one has none."""
    if not a or not b:
        return None
    return min(max((y0 - x1).days, (x0 - y1).days, 0) for x0, x1 in a for y0, y1 in b)


def _near(a: list[tuple[float, float]], b: list[tuple[float, float]]) -> bool:
    return any(km_between(*p, *q) <= NEAR_KM for p in a for q in b)


def _shares_stop(g: _Group, t: Tour) -> bool:
    return any(km_between(s.lat, s.lon, x.lat, x.lon) <= MATCH_KM and dates_compatible(s.date, x.date)
               for s in t.stops for x in g.stops)


def _continues(g: _Group, trip: _Trip, window: int) -> int | None:
    """How far (in days) `trip` is from the trip of group `g` when it continues it, else None."""
    gap = _gap_days(g.spans, trip.spans)
    if gap is None:
        return 0  # an article that dates nothing joins its traveler's latest trip
    if trip.published:
        if trip.published - max(b for _, b in g.spans) > dt.timedelta(days=window):
            return None  # published long after: a look back, or another trip
        if g.published and min(abs(trip.published - p) for p in g.published) > dt.timedelta(days=window):
            return None  # a trip's reports follow each other: each within the window of another
    if trip.new_trip and trip.start and min(a for a, _ in g.spans) < trip.start - dt.timedelta(days=TRIP_GAP_DAYS):
        return None  # "nueva gira": not the end of an earlier trip, only other reports of this one
    shared = _shares_stop(g, trip.tour)
    if g.home_by and trip.start and trip.start > g.home_by and not shared:
        return None  # the traveler went home in between
    if shared and gap <= window:
        return gap
    if gap <= TRIP_GAP_DAYS or (gap <= NEAR_GAP_DAYS and _near(g.points, trip.points)):
        return gap
    return None


def group_tours(tours: list[Tour], *, settings: Settings) -> list[_Group]:
    """Which article tours are one trip: config first, then traveler and the trip's dates and places."""
    claims = {name: o for o in settings.tours for name in o.articles}
    groups: dict[str, _Group] = {}
    free: list[_Trip] = []
    for t in tours:
        owner = next((claims[n] for a in t.articles for n in sorted(_article_names(a)) if n in claims), None)
        if owner:
            groups.setdefault(owner.slug, _Group(override=owner)).add(_trip(t))
        else:
            free.append(_trip(t))
    # In the order of the trips' first dates, so a group grows along its trip; undated last.
    free.sort(key=lambda tr: (tr.start is None, tr.start or dt.date.min, _first_article(tr.tour)))
    auto: list[_Group] = []
    by_word: dict[str, list[int]] = {}  # a word of a traveler's name -> groups (by index) with it
    for trip in free:
        t = trip.tour
        home = None
        if t.traveler:
            seen = {i for w in name_tokens(t.traveler) for i in by_word.get(w, ())}
            best = None
            for i in sorted(seen, reverse=True):  # the latest trip first
                g = auto[i]
                if g.end and trip.start and (trip.start - g.end).days > settings.tour_window_days:
                    continue  # long over (cheap to tell: most of a traveler's trips are)
                if not same_person(g.traveler, t.traveler):
                    continue
                gap = _continues(g, trip, settings.tour_window_days)
                if gap is not None and (best is None or gap < best[0]):
                    best = (gap, g)
                if not trip.spans:
                    break
            home = best[1] if best else None
        if home is None:
            home = _Group(traveler=t.traveler, index=len(auto))
            auto.append(home)
        home.add(trip)
        for w in name_tokens(home.traveler):
            if home.index not in by_word.setdefault(w, [])[-1:]:
                by_word[w].append(home.index)
    out = [groups[o.slug] for o in settings.tours if o.slug in groups]
    for g in auto:
        g.override = None
        out.append(g)
    # A config entry with only a slug corrects whichever automatic tour gets that slug.
    return out


# --- merging ----------------------------------------------------------------------------------

# How strongly a report supports a value: (first-hand or passing, publication date, article id).
Rank = tuple[int, str, str]


def _tiers(t: Tour) -> list[tuple[int, int]]:
    """For each stop of one article's tour: how the article tells it, and who it met there.

    A stop is told FIRST_HAND when a sentence tells it alone or the article names its landmark;
    SHARED when every sentence that tells it also tells other stops but someone is met there;
    in PASSING when nothing else is said of it ("tras pasar por Quito y Bogotá"). Who was met
    where is only certain from a sentence about that stop alone: from a shared one it is PASSING."""
    count: dict[tuple, int] = {}
    for s in t.stops:
        for key in {(e.start, e.end, e.quote) for e in s.evidence}:
            count[key] = count.get(key, 0) + 1
    out = []
    for s in t.stops:
        alone = not s.evidence or any(count[(e.start, e.end, e.quote)] == 1 for e in s.evidence)
        tier = FIRST_HAND if alone or s.landmark else SHARED if s.met else PASSING
        out.append((tier, FIRST_HAND if alone else PASSING))
    return out


class _Merger:
    """Folds the tours of one trip's articles together, remembering the rank of each kept value."""

    def __init__(self, lang: str):
        self.lang = lang
        self.rank: dict[int, dict[str, Rank]] = {}  # id(stop) -> field (or "met:" + name) -> rank

    def fresh(self, t: Tour) -> Tour:
        """A copy whose stops name their articles, so merging never edits the caller's tours.

        Copies what merging changes (lists, stops, corridors); shares the frozen parts (articles,
        evidence, places). Much cheaper than deepcopy, which mattered for 1,000-article rebuilds."""
        t = replace(
            t, articles=list(t.articles), regions=list(t.regions), conflicts=list(t.conflicts),
            stops=[replace(s, met=list(s.met), evidence=list(s.evidence), sources=list(s.sources),
                           provenance=dict(s.provenance)) for s in t.stops],
            corridors=[replace(c, countries=list(c.countries), waypoints=list(c.waypoints),
                               evidence=list(c.evidence)) for c in t.corridors])
        ids = [a.id for a in t.articles]
        pub = t.published or ""
        for s, (tier, met_tier) in zip(t.stops, _tiers(t)):
            if not s.sources:
                s.sources = list(dict.fromkeys([e.article for e in s.evidence] or ids))
            src = ids[0] if len(ids) == 1 else (s.sources[-1] if s.sources else "?")
            if not s.provenance:
                s.provenance = {k: src for k in ("place", "date", "date_end", "status", "landmark")
                                if k == "place" or k == "status" or getattr(s, k)}
                if s.met:
                    s.provenance["met"] = {p: src for p in s.met}
            if tier == PASSING:
                s.confidence = min(s.confidence, PASSING_CONFIDENCE)
            rank = (tier, pub, src)
            self.rank[id(s)] = {k: rank for k in ("place", "date", "date_end", "status", "landmark")}
            self.rank[id(s)].update({"met:" + p: (met_tier, pub, src) for p in s.met})
        return t

    def conflict(self, stop: str, field: str, a: str, a_src: str, b: str, b_src: str, kept: str, why: str,
                 out: list[str]) -> None:
        out.append(wording.conflict_text(self.lang, stop=stop, field=field, a=a, a_src=a_src, b=b, b_src=b_src,
                                         kept=kept, why=why))

    def merge_stop(self, base: Tour, old: Stop, new: Stop) -> None:
        """Fold another report of the same stop into `old`, value by value, the stronger report winning."""
        ro, rn = self.rank[id(old)], self.rank[id(new)]
        prov = old.provenance
        out = base.conflicts
        for attr in ("date", "date_end"):
            a, b = getattr(old, attr), getattr(new, attr)
            if b is None or a == b:
                continue
            if a is None:
                setattr(old, attr, b)
                prov[attr], ro[attr] = new.provenance.get(attr, rn[attr][2]), rn[attr]
                continue
            ka = (ro[attr][0], len(a), ro[attr][1], ro[attr][2])
            kb = (rn[attr][0], len(b), rn[attr][1], rn[attr][2])
            new_wins = kb > ka
            if not (_refines(a, b) or _refines(b, a)):
                why = "first_hand" if ka[0] != kb[0] else "precise" if ka[1] != kb[1] else "newer"
                first, second = sorted([(ro[attr], a, prov.get(attr, "?")), (rn[attr], b, new.provenance.get(attr, "?"))],
                                       key=lambda x: (x[0][1], x[0][2]))
                self.conflict(old.name, attr, first[1], first[2], second[1], second[2], b if new_wins else a,
                              why, out)
            if new_wins:
                setattr(old, attr, b)
                prov[attr], ro[attr] = new.provenance.get(attr, rn[attr][2]), rn[attr]
        if old.date and old.date_end and _parse(old.date_end) and _parse(old.date) and \
                _parse(old.date_end)[1] <= _parse(old.date)[0]:
            old.date_end = None  # the end came from a report whose start lost
            prov.pop("date_end", None)
        if new.status != old.status:
            done, plan = (new, old) if new.status == "completed" else (old, new)
            done_src = new.provenance.get("status", "?") if done is new else prov.get("status", "?")
            plan_src = prov.get("status", "?") if done is new else new.provenance.get("status", "?")
            done_rank, plan_rank = (rn, ro) if done is new else (ro, rn)
            if plan_rank["status"][1:] > done_rank["status"][1:]:  # a newer report still calls it planned
                self.conflict(old.name, "status", "completed", done_src, "planned", plan_src, "completed",
                              "completed", out)
            if done is new:
                old.status = "completed"
                prov["status"], ro["status"] = done_src, rn["status"]
        if new.landmark and new.landmark != old.landmark:
            if old.landmark is None or rn["landmark"] > ro["landmark"]:
                if old.landmark:
                    self.conflict(old.name, "landmark", old.landmark, prov.get("landmark", "?"), new.landmark,
                                  new.provenance.get("landmark", "?"), new.landmark,
                                  "first_hand" if rn["landmark"][0] != ro["landmark"][0] else "newer", out)
                old.landmark = new.landmark
                prov["landmark"], ro["landmark"] = new.provenance.get("landmark", "?"), rn["landmark"]
            else:
                self.conflict(old.name, "landmark", new.landmark, new.provenance.get("landmark", "?"), old.landmark,
                              prov.get("landmark", "?"), old.landmark,
                              "first_hand" if rn["landmark"][0] != ro["landmark"][0] else "newer", out)
        for person in new.met:
            self.add_met(base, old, new, person)
        seen = {(e.article, e.start, e.end) for e in old.evidence}
        old.evidence += [e for e in new.evidence if (e.article, e.start, e.end) not in seen]
        old.sources += [s for s in new.sources if s not in old.sources]
        old.confidence = max(old.confidence, new.confidence)
        if old.kind == "country" and new.kind != "country":
            # The newer article says where in the country: take its place.
            old.name, old.lat, old.lon, old.kind = new.name, new.lat, new.lon, new.kind
            prov["place"] = new.provenance.get("place", "?")
        old.country = old.country or new.country

    def add_met(self, base: Tour, stop: Stop, report: Stop, person: str) -> None:
        """A person met, as one report tells it. A report that only implies where someone was met
        (a sentence telling several stops) does not add them to a stop when a surer report has
        them at another one: the passing mention would move them to the wrong stop."""
        rank = self.rank[id(report)]["met:" + person]
        src = report.provenance.get("met", {}).get(person, rank[2])
        mine = next((p for p in stop.met if same_person(person, p)), None)
        if mine is not None:
            if len(name_tokens(person)) > len(name_tokens(mine)):  # keep the fuller form of the name
                i = stop.met.index(mine)
                stop.met[i] = person
                met = stop.provenance.setdefault("met", {})
                met[person] = met.pop(mine, src)
                self.rank[id(stop)]["met:" + person] = self.rank[id(stop)].pop("met:" + mine, rank)
            return
        for other in base.stops:
            theirs = next((p for p in other.met if same_person(person, p)), None) if other is not stop else None
            if theirs is not None and rank[0] < self.rank[id(other)].get("met:" + theirs, (FIRST_HAND,))[0]:
                base.conflicts.append(wording.met_elsewhere_text(self.lang, stop=stop.name, who=person, src=src,
                                                                 where=other.name))
                return
        stop.met.append(person)
        stop.provenance.setdefault("met", {})[person] = src
        self.rank[id(stop)]["met:" + person] = rank

    def fold(self, base: Tour, new: Tour) -> None:
        taken: set[int] = set()
        matched: list[Stop | None] = []  # for each new stop, the base stop it updates
        for s in new.stops:
            i = _match(base.stops, s, taken)
            if i is None:
                matched.append(None)
                continue
            taken.add(i)
            self.merge_stop(base, base.stops[i], s)
            matched.append(base.stops[i])
        _insert_new_stops(base.stops, new.stops, matched)
        known = {a.id for a in base.articles}
        base.articles += [a for a in new.articles if a.id not in known]
        base.origin = new.origin or base.origin
        base.traveler = base.traveler if len(name_tokens(base.traveler)) >= len(name_tokens(new.traveler)) \
            else new.traveler
        base.conflicts += [c for c in new.conflicts if c not in base.conflicts]
        if new.extractor:  # new dicts and lists: the caller's tours stay as they were
            read_by = {**((base.extractor or {}).get("articles") or {}), **(new.extractor.get("articles") or {})}
            base.extractor = {**(base.extractor or new.extractor), "articles": read_by}
            base.rejected = base.rejected + [r for r in new.rejected if r not in base.rejected]
        by_key = {(r.kind, tuple(sorted(r.countries)) or r.name): i for i, r in enumerate(base.regions)}
        for r in new.regions:
            key = (r.kind, tuple(sorted(r.countries)) or r.name)
            if key in by_key:
                base.regions[by_key[key]] = r
            else:
                base.regions.append(r)
        by_name = {c.name: i for i, c in enumerate(base.corridors)}
        for c in new.corridors:
            if c.name in by_name:
                base.corridors[by_name[c.name]] = c
            else:
                base.corridors.append(c)


def _match(stops: list[Stop], new: Stop, taken: set[int]) -> int | None:
    best = None
    for i, s in enumerate(stops):
        if i in taken or s.pinned:
            continue
        if km_between(s.lat, s.lon, new.lat, new.lon) > MATCH_KM:
            continue
        if not dates_compatible(s.date, new.date):
            continue
        score = (s.date != new.date, _days_apart(s.date, new.date), i)
        if best is None or score < best[0]:
            best = (score, i)
    return best[1] if best else None


def _insert_new_stops(stops: list[Stop], new: list[Stop], matched: list[Stop | None]) -> None:
    """Add the stops only the newer article has where it tells them: after the stop they
    follow there, else before the first stop it shares with the tour, else at the end (the
    date order applied afterwards moves dated ones anyway)."""
    def at(stop: Stop) -> int:
        return next(i for i, x in enumerate(stops) if x is stop)

    first_shared = next((m for m in matched if m is not None), None)
    prev: Stop | None = None
    for s, m in zip(new, matched):
        if m is not None:
            prev = m
            continue
        if prev is not None:
            stops.insert(at(prev) + 1, s)
        elif first_shared is not None:
            stops.insert(at(first_shared), s)
        else:
            stops.append(s)
        prev = s


def order_stops(stops: list[Stop]) -> list[Stop]:
    """By date, moving a stop only when the dates say so for certain.

    A dated stop goes before another only when its whole date span ends before the other's
    starts: "2025-12" (some day in December) and "2025-12-04" keep the order the report gave.
    An undated stop travels with the stop it was reported after (leading undated stops stay
    first). Stable insertion keeps this a deterministic function of the input order.
    """
    groups: list[tuple[tuple | None, list[Stop]]] = []
    for s in stops:
        span = _parse(s.date)
        if span is None and groups:
            groups[-1][1].append(s)
        else:
            groups.append((span, [s]))
    ordered: list[tuple[tuple | None, list[Stop]]] = []
    for span, members in groups:
        pos = len(ordered)
        while span is not None and pos > 0:
            prev = ordered[pos - 1][0]
            if prev is None or not span[1] < prev[0]:
                break
            pos -= 1
        ordered.insert(pos, (span, members))
    return [s for _, members in ordered for s in members]


def tour_language(tours: Iterable[Tour], settings: Settings, override: TourOverride | None = None) -> str:
    """The tour's one language: the editor's for this tour, the site's, else most of its articles'."""
    if override and override.language:
        return override.language
    if settings.site.language:
        return wording.known_language(settings.site.language)
    arts = sorted((a for t in tours for a in t.articles), key=lambda a: (a.published or "9999", a.id))
    return wording.majority_language(a.language for a in arts)


def merge_group(tours: list[Tour], lang: str = "") -> Tour:
    """One tour from the tours of several articles about the same trip, oldest first.

    An article without a date counts as the oldest: a dated report is known to be current."""
    lang = lang or tour_language(tours, Settings())
    m = _Merger(lang)
    ordered = sorted((m.fresh(t) for t in tours), key=lambda t: (_published(t) is not None, _first_article(t)))
    base = ordered[0]
    for t in ordered[1:]:
        m.fold(base, t)
    base.articles.sort(key=lambda a: (a.published or "9999", a.id))
    base.stops = order_stops(base.stops)
    base.lang = lang
    return base


# --- editor corrections -----------------------------------------------------------------------


def _norm(text: str | None) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", _fold(text or "")))


@dataclass(frozen=True)
class Problem:
    """A correction in config that hits nothing: `where` names the file and the entry."""

    where: str
    message: str
    slug: str | None = None

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def _config_name(settings: Settings) -> str:
    return str(settings.path) if settings.path else "config"


def apply_override(tour: Tour, o: TourOverride, *, where: str = "config",
                   problems: list[Problem] | None = None) -> Tour:
    """The editor's corrections: they win over every article and are marked pinned. A correction
    whose `match` names no stop of the tour is a Problem (raised as a ConfigError without `problems`)."""
    if o.title is not None:
        tour.title = o.title
    if o.subtitle is not None:
        tour.subtitle = o.subtitle
    for j, so in enumerate(o.stops):
        if so.add:
            tour.stops.append(_added_stop(so))
            continue
        hits = [s for s in tour.stops if _norm(so.match) in (_norm(s.name), _norm(s.landmark))]
        if not hits:
            names = ", ".join(dict.fromkeys(s.name for s in tour.stops)) or "none"
            p = Problem(f"{where}.stops[{j}]", f"match {so.match!r} names no stop of tour {tour.slug or '?'} "
                                               f"(its stops: {names})", tour.slug)
            if problems is None:
                raise ConfigError(str(p))
            problems.append(p)
            continue
        for s in hits:
            if so.drop:
                tour.stops.remove(s)
            else:
                _pin(s, so)
    if o.corridor_countries is not None or o.corridor_width_km is not None:
        if not tour.corridors and o.corridor_countries:
            tour.corridors.append(Corridor(name="corridor"))
        for c in tour.corridors:
            if o.corridor_countries is not None:
                c.countries = list(o.corridor_countries)
            if o.corridor_width_km is not None:
                c.width_km = o.corridor_width_km
    tour.stops = order_stops(tour.stops)
    return tour


def _pin(s: Stop, so: StopOverride) -> None:
    for attr in ("name", "date", "status", "country", "landmark", "lat", "lon"):
        value = getattr(so, attr)
        if value is not None:
            setattr(s, attr, value)
            s.provenance["place" if attr in ("lat", "lon", "name", "country") else attr] = "config"
    if so.met is not None:
        s.met = list(so.met)
        s.provenance["met"] = {p: "config" for p in s.met}
    s.pinned = True


def _added_stop(so: StopOverride) -> Stop:
    s = Stop(name=so.name or so.match, lat=so.lat or 0.0, lon=so.lon or 0.0, country=so.country,
             date=so.date, status=so.status or "planned", met=list(so.met or []),
             landmark=so.landmark, confidence=1.0, pinned=True, sources=["config"])
    s.provenance = {k: "config" for k in ("place", "date", "status", "landmark") if k in ("place", "status")
                    or getattr(s, k)}
    if s.met:
        s.provenance["met"] = {p: "config" for p in s.met}
    return s


def hold_for_review(tour: Tour, settings: Settings) -> list[Stop]:
    """Stops below the review threshold that no editor confirmed: off the map (`hold`, returned) or
    marked "por confirmar" in the tour's language (`mark`)."""
    threshold, held = settings.review.min_confidence, []
    label = wording.LABELS[wording.lang_of(tour)]["unconfirmed"]
    for s in list(tour.stops):
        if s.pinned or s.confidence >= threshold:
            continue
        if settings.review.below == "hold":
            tour.stops.remove(s)
            held.append(s)
        elif not s.unconfirmed:
            s.unconfirmed = True
            s.name = f"{s.name} ({label})"
    return held


def word_tour(tour: Tour, override: TourOverride | None = None) -> None:
    """Title, subtitle and region names from the merged tour, in its language (or the editor's)."""
    lang = wording.lang_of(tour)
    for r in tour.regions:
        if r.kind == "border" and r.anchor and len(r.countries) >= 2:
            r.name = wording.border_name(r.countries, r.anchor.name, lang)
    tour.title = override.title if override and override.title is not None else wording.tour_title(tour)
    tour.subtitle = (override.subtitle if override and override.subtitle is not None
                     else wording.tour_subtitle(tour))


# --- the stage --------------------------------------------------------------------------------


def tour_slug(tour: Tour) -> str:
    """traveler's surname + month of the earliest article: stable when newer articles join."""
    first = _first_article(tour)
    month = first[0][:7] if first[0] != "9999" else ""
    name = surname(tour.traveler)
    if name:
        return slugify(f"{name}-{month}" if month else name)
    return slugify(first[1] or tour.title or "tour")


def merge_tours(tours: list[Tour], *, settings: Settings, slugs: Mapping[str, str] | None = None,
                reserved: Iterable[str] = (), review: bool = False,
                problems: list[Problem] | None = None, check_slugs: bool = False) -> list[Tour]:
    """One tour per trip, with provenance, conflicts, the config's corrections, titles and language.

    `slugs` maps an article's file name to the slug it was published under: a tour keeps the slug
    most of its articles had (permanent URLs); `reserved` are slugs a new tour must not take (old
    addresses). A config entry's `renamed_from` gives a tour its new slug. With `review`, stops
    below the review threshold are held or marked (`hold_for_review`; held ones in `tour.held`).
    Corrections that hit nothing (with `check_slugs`, also a slug no tour has) are Problems: added
    to `problems`, or raised as a ConfigError naming the file and entry.

    Deterministic: the result does not depend on the order of `tours`.
    """
    slugs = slugs or {}
    overrides = {o.slug: (i, o) for i, o in enumerate(settings.tours)}
    renames = {old: o.slug for o in settings.tours for old in o.renamed_from}
    groups = group_tours(tours, settings=settings)
    # Each trip's articles and traveler, enough to name it before merging it.
    protos = [Tour(articles=[a for t in g.tours for a in t.articles],
                   traveler=max((t.traveler for t in g.tours if t.traveler), key=lambda n: len(name_tokens(n)),
                                default=None)) for g in groups]
    # Permanent slugs: the slug most of a tour's articles were published under, taken greedily
    # (most votes first) so a trip that split keeps its slug where most of it went.
    chosen: dict[int, str] = {i: g.override.slug for i, g in enumerate(groups) if g.override}
    used = set(chosen.values())
    votes = []
    for i, proto in enumerate(protos):
        if i in chosen:
            continue
        count: dict[str, int] = {}
        for a in proto.articles:
            old = slugs.get(article_file(a))
            if old:
                count[old] = count.get(old, 0) + 1
        votes += [(-n, i, s) for s, n in count.items()]
    for _, i, s in sorted(votes):
        target = renames.get(s, s)
        if i not in chosen and target not in used:
            chosen[i] = target
            used.add(target)
    claimed = {o for o in overrides if overrides[o][1].articles}
    taken = used | claimed | set(reserved) | set(renames) | set(slugs.values())
    for i, proto in enumerate(protos):
        if i in chosen:
            continue
        slug = tour_slug(proto)
        if renames.get(slug) and renames[slug] not in used:
            chosen[i] = renames[slug]  # renamed before it was ever built
        else:
            if slug in taken:
                n = 2
                while f"{slug}-{n}" in taken:
                    n += 1
                slug = f"{slug}-{n}"
            chosen[i] = slug
        taken.add(chosen[i])
        used.add(chosen[i])
    merged = []
    for i, g in enumerate(groups):
        o = overrides.get(chosen[i])
        tour = merge_group(g.tours, tour_language(g.tours, settings, o[1] if o else None))
        if g.traveler and len(name_tokens(g.traveler)) > len(name_tokens(tour.traveler)):
            tour.traveler = g.traveler
        merged.append(tour)
    cfg = _config_name(settings)
    out = []
    for i, tour in enumerate(merged):
        tour.slug = chosen[i]
        o = overrides.get(tour.slug)
        if o:
            apply_override(tour, o[1], where=f"{cfg}: tours[{o[0]}]", problems=problems)
        if review:
            tour.held = hold_for_review(tour, settings)
        word_tour(tour, o[1] if o else None)
        out.append(tour)
    if check_slugs:
        known = {t.slug for t in out} | set(reserved)
        for slug, (i, o) in overrides.items():
            if slug not in known:
                p = Problem(f"{cfg}: tours[{i}]", f"slug {slug!r} names no tour (tours: "
                            f"{', '.join(sorted(known)) or 'none'})", slug)
                if problems is None:
                    raise ConfigError(str(p))
                problems.append(p)
    return out
