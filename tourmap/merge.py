"""Several articles about one trip -> one tour, then the editor's corrections from config.

Grouping: articles whose travelers share a surname and whose publication dates are within
`settings.tour_window_days` of the group's latest article form one tour; a config entry that names
articles puts them together whatever the traveler. Inside a tour, a stop reported by several
articles is one stop (same place within MATCH_KM, compatible dates); the newer article wins and any
disagreement is written to `tour.conflicts` for an editor.
"""
from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

from .config import Settings, StopOverride, TourOverride
from .models import Article, Corridor, Stop, Tour

MATCH_KM = 25.0
DATE_SLACK_DAYS = 7  # a meeting moved by up to a week is the same meeting, with a corrected date
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


# --- grouping ---------------------------------------------------------------------------------


def _article_names(a: Article) -> set[str]:
    return {a.id, Path(a.path).name if a.path else a.id}


def _first_article(t: Tour) -> tuple[str, str]:
    return min(((a.published or "9999", a.id) for a in t.articles), default=("9999", ""))


@dataclass
class _Group:
    tours: list[Tour] = field(default_factory=list)
    override: TourOverride | None = None
    traveler: str | None = None
    last: dt.date | None = None
    index: int = 0


def _published(t: Tour) -> dt.date | None:
    p = _parse(t.published)
    return p[0] if p else None


def group_tours(tours: list[Tour], *, settings: Settings) -> list[_Group]:
    """Which article tours are one trip: config first, then traveler and time window."""
    claims = {name: o for o in settings.tours for name in o.articles}
    groups: dict[str, _Group] = {}
    free: list[Tour] = []
    for t in tours:
        owner = next((claims[n] for a in t.articles for n in sorted(_article_names(a)) if n in claims), None)
        if owner:
            groups.setdefault(owner.slug, _Group(override=owner)).tours.append(t)
        else:
            free.append(t)
    # Oldest first so a tour's group (and slug) is fixed by its earliest article; undated last.
    free.sort(key=lambda t: (_published(t) is None, _first_article(t)))
    auto: list[_Group] = []
    by_word: dict[str, list[int]] = {}  # a word of a traveler's name -> groups (by index) with it
    window = dt.timedelta(days=settings.tour_window_days)
    for t in free:
        when = _published(t)
        home = None
        if t.traveler:
            seen = {i for w in name_tokens(t.traveler) for i in by_word.get(w, ())}
            for i in sorted(seen, reverse=True):
                g = auto[i]
                if not same_person(g.traveler, t.traveler):
                    continue
                if when is None or g.last is None or when - g.last <= window:
                    home = g
                break  # only the traveler's latest trip can be continued
        if home is None:
            home = _Group(traveler=t.traveler, index=len(auto))
            auto.append(home)
        home.tours.append(t)
        if len(name_tokens(t.traveler)) > len(name_tokens(home.traveler)):
            home.traveler = t.traveler
        for w in name_tokens(home.traveler):
            if home.index not in by_word.setdefault(w, [])[-1:]:
                by_word[w].append(home.index)
        if when and (home.last is None or when > home.last):
            home.last = when
    out = [groups[o.slug] for o in settings.tours if o.slug in groups]
    for g in auto:
        g.override = None
        out.append(g)
    # A config entry with only a slug corrects whichever automatic tour gets that slug.
    return out


# --- merging ----------------------------------------------------------------------------------


def _fresh(t: Tour) -> Tour:
    """A copy whose stops name their articles, so merging never edits the caller's tours.

    Copies what merging changes (lists, stops, corridors); shares the frozen parts (articles,
    evidence, places). Much cheaper than deepcopy, which mattered for 1,000-article rebuilds."""
    t = replace(
        t, articles=list(t.articles), regions=list(t.regions), conflicts=list(t.conflicts),
        stops=[replace(s, met=list(s.met), evidence=list(s.evidence), sources=list(s.sources)) for s in t.stops],
        corridors=[replace(c, countries=list(c.countries), waypoints=list(c.waypoints), evidence=list(c.evidence))
                   for c in t.corridors])
    ids = [a.id for a in t.articles]
    for s in t.stops:
        if not s.sources:
            s.sources = list(dict.fromkeys([e.article for e in s.evidence] or ids))
    return t


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


def _merge_stop(old: Stop, new: Stop, old_src: str, new_src: str, conflicts: list[str]) -> None:
    """Fold a newer report of the same stop into `old`: the newer article wins."""
    name = old.name
    for attr in ("date", "date_end"):
        a, b = getattr(old, attr), getattr(new, attr)
        if b is None or a == b:
            continue
        if a is None or _refines(a, b):
            setattr(old, attr, b)
        elif _refines(b, a):
            continue  # the newer article is only vaguer
        else:
            conflicts.append(f"{name}: {attr} {a} ({old_src}) vs {b} ({new_src}): kept the newer")
            setattr(old, attr, b)
    if new.status != old.status:
        if new.status == "completed":
            old.status = "completed"
        else:
            conflicts.append(f"{name}: status completed ({old_src}) vs planned ({new_src}): kept completed")
    if new.landmark and new.landmark != old.landmark:
        if old.landmark:
            conflicts.append(f"{name}: landmark {old.landmark} ({old_src}) vs {new.landmark} ({new_src}): "
                             "kept the newer")
        old.landmark = new.landmark
    for person in new.met:
        if not any(same_person(person, p) for p in old.met):
            old.met.append(person)
        else:  # keep the fuller form of the name
            for i, p in enumerate(old.met):
                if same_person(person, p) and len(name_tokens(person)) > len(name_tokens(p)):
                    old.met[i] = person
    seen = {(e.article, e.start, e.end) for e in old.evidence}
    old.evidence += [e for e in new.evidence if (e.article, e.start, e.end) not in seen]
    old.sources += [s for s in new.sources if s not in old.sources]
    old.confidence = max(old.confidence, new.confidence)
    if old.kind == "country" and new.kind != "country":
        # The newer article says where in the country: take its place.
        old.name, old.lat, old.lon, old.kind = new.name, new.lat, new.lon, new.kind
    old.country = old.country or new.country


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


def _fold_tour(base: Tour, new: Tour) -> None:
    new_src = ", ".join(a.id for a in new.articles) or "?"
    taken: set[int] = set()
    matched: list[Stop | None] = []  # for each new stop, the base stop it updates
    for s in new.stops:
        i = _match(base.stops, s, taken)
        if i is None:
            matched.append(None)
            continue
        taken.add(i)
        old = base.stops[i]
        # The stop's latest source is the report whose values the newer one may overrule.
        _merge_stop(old, s, old.sources[-1] if old.sources else "?", new_src, base.conflicts)
        matched.append(old)
    _insert_new_stops(base.stops, new.stops, matched)
    known = {a.id for a in base.articles}
    base.articles += [a for a in new.articles if a.id not in known]
    base.origin = new.origin or base.origin
    base.traveler = base.traveler if len(name_tokens(base.traveler)) >= len(name_tokens(new.traveler)) \
        else new.traveler
    base.title = new.title or base.title
    base.subtitle = new.subtitle or base.subtitle
    base.conflicts += [c for c in new.conflicts if c not in base.conflicts]
    if new.extractor:  # new dicts and lists: the caller's tours stay as they were
        read_by = {**((base.extractor or {}).get("articles") or {}), **(new.extractor.get("articles") or {})}
        base.extractor = {**(base.extractor or new.extractor), "articles": read_by}
        base.rejected = base.rejected + [r for r in new.rejected if r not in base.rejected]
    by_name = {r.name: i for i, r in enumerate(base.regions)}
    for r in new.regions:
        if r.name in by_name:
            base.regions[by_name[r.name]] = r
        else:
            base.regions.append(r)
    by_name = {c.name: i for i, c in enumerate(base.corridors)}
    for c in new.corridors:
        if c.name in by_name:
            base.corridors[by_name[c.name]] = c
        else:
            base.corridors.append(c)


def merge_group(tours: list[Tour]) -> Tour:
    """One tour from the tours of several articles about the same trip, oldest first.

    An article without a date counts as the oldest: a dated report is known to be current."""
    ordered = sorted((_fresh(t) for t in tours), key=lambda t: (_published(t) is not None, _first_article(t)))
    base = ordered[0]
    for t in ordered[1:]:
        _fold_tour(base, t)
    base.articles.sort(key=lambda a: (a.published or "9999", a.id))
    base.stops = order_stops(base.stops)
    return base


# --- editor corrections -----------------------------------------------------------------------


def _norm(text: str | None) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", _fold(text or "")))


def apply_override(tour: Tour, o: TourOverride, *, where: str = "config") -> Tour:
    """The editor's corrections: they win over every article and are marked pinned."""
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
            tour.conflicts.append(f"{where}: stops[{j}]: no stop named {so.match!r} in this tour")
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
    if so.met is not None:
        s.met = list(so.met)
    s.pinned = True


def _added_stop(so: StopOverride) -> Stop:
    return Stop(name=so.name or so.match, lat=so.lat or 0.0, lon=so.lon or 0.0, country=so.country,
                date=so.date, status=so.status or "planned", met=list(so.met or []),
                landmark=so.landmark, confidence=1.0, pinned=True)


# --- the stage --------------------------------------------------------------------------------


def tour_slug(tour: Tour) -> str:
    """traveler's surname + month of the earliest article: stable when newer articles join."""
    first = _first_article(tour)
    month = first[0][:7] if first[0] != "9999" else ""
    name = surname(tour.traveler)
    if name:
        return slugify(f"{name}-{month}" if month else name)
    return slugify(first[1] or tour.title or "tour")


def merge_tours(tours: list[Tour], *, settings: Settings) -> list[Tour]:
    """One tour per trip, with provenance, conflicts and the config's corrections applied.

    Deterministic: the result does not depend on the order of `tours`.
    """
    overrides = {o.slug: (i, o) for i, o in enumerate(settings.tours)}
    out: list[Tour] = []
    used: set[str] = set()
    for g in group_tours(tours, settings=settings):
        tour = merge_group(g.tours)
        if g.traveler and len(name_tokens(g.traveler)) > len(name_tokens(tour.traveler)):
            tour.traveler = g.traveler
        slug = g.override.slug if g.override else tour_slug(tour)
        if not g.override and slug in used | {o for o in overrides if overrides[o][1].articles}:
            n = 2
            while f"{slug}-{n}" in used:
                n += 1
            slug = f"{slug}-{n}"
        used.add(slug)
        tour.slug = slug
        if slug in overrides:
            i, o = overrides[slug]
            apply_override(tour, o, where=f"config tours[{i}]")
        out.append(tour)
    return out
