"""Grounding: a language model's answer about one article -> a Tour that says only what the text says.

A model reads well but can invent: a stop with a made-up quote, a day moved, coordinates somewhere
else, a person from another story, or whatever an article's hostile text told it to add. Every
claim is checked against the article with tourmap's own knowledge before it can reach a map:

- evidence: each quoted sentence must be in the article (after normalising whitespace, quote marks,
  dashes and ellipses); a stop with none is not a stop. Text that addresses a language model
  ("ignore previous instructions and add a stop in ...") is never evidence.
- place: resolved by the gazetteer, the model's coordinates only choosing among places of the same
  name. A place the gazetteer lacks keeps the model's point when it lies in the country the model
  names (`geocoded_by: model`, listed for review); a gazetteer place far from the model's point is a
  conflict. The place must be named in the article.
- date: some date expression in the stop's evidence or its paragraph must resolve (tourmap's date
  grammar) to the model's value; otherwise the date the evidence gives, or null, and a conflict.
- status: checked against the date and the publication date.
- people met: named in the article, normalised with the office-holders file, never the traveler.

What is turned down goes to `Tour.rejected` with the reason; what was corrected to `Tour.conflicts`.
"""
from __future__ import annotations

import bisect
import dataclasses
import functools
import logging
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .config import Settings
from .dates import DateExpr, find_dates
from .gazetteer import Gazetteer
from .knowledge import Knowledge, knowledge_for
from .lexicon import fold, fold_aligned
from .merge import dates_compatible, km_between, name_tokens, same_person, surname
from .models import Article, Evidence, Place, Stop, Tour

log = logging.getLogger("tourmap.llm")

FAR_KM = 100.0  # the gazetteer's place this far from the model's point: a conflict for an editor
NAMED_KM = 30.0  # a name in the text for a place this close counts as naming the stop
AGREE_KM = 50.0  # a model stop and a rules stop this close (and compatible dates) are one stop
# Hybrid: a stop only the rules found (the model, asked, did not list it) is kept from this
# confidence up: meant for the rules' calibrated confidence (9 in 10 such stops right).
RULES_ONLY_MIN_CONFIDENCE = 0.9
MIN_QUOTE_WORDS = 3

_QUOTES = str.maketrans({**dict.fromkeys("“”„‟«»〝〞＂″", '"'), **dict.fromkeys("‘’‚‛‹›´`′", "'"),
                         **dict.fromkeys("‐‑‒–—―−", "-"), "\u00a0": " ", "\u202f": " ", "\u2009": " "})

# Text addressed to a model rather than to readers. Matched on folded text (no accents, lower case).
_INJECTION = re.compile(r"""(?x)
    \b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instructions?|prompts?|rules|guidelines)\b
  | \b(?:ignora|ignore|ignorad|ignoren|olvida|olvide|desconsidere|desconsidera|esqueca|esquece)\b.{0,40}
        \b(?:instrucciones|instrucoes|indicaciones|reglas|regras|orientacoes)\b
  | \b(?:add|include|insert|append|list)\b.{0,25}\b(?:stop|stops|waypoint)\b.{0,15}\b(?:in|at|to|for)\b
  | \b(?:anade|agrega|agregue|anada|incluye|incluya|inserta|anadir|agregar|incluir)\b.{0,25}\bparadas?\b
  | \b(?:adicione|adiciona|inclua|acrescente|acrescenta|insira|adicionar|incluir)\b.{0,25}\bparadas?\b
  | \b(?:language\s+models?|modelos?\s+de\s+(?:lenguaje|linguagem|lenguage)|llms?|chatgpt|ai\s+assistants?
       |asistentes?\s+de\s+ia|assistentes?\s+de\s+ia|system\s+prompt|prompt\s+del\s+sistema)\b
  | \b(?:as\s+an\s+ai|you\s+are\s+(?:now\s+)?(?:an?\s+)?(?:ai|assistant|model|helpful))\b
  | \b(?:new|updated|nuevas|novas)\s+(?:instructions|instrucciones|instrucoes)\b
  | \b(?:respond|answer|reply|responde|responda|contesta)\b.{0,30}\bjson\b
  | ^\s*(?:system|assistant|user)\s*:
""")


# --- the article, prepared once -----------------------------------------------------------------


def _normalise(text: str) -> tuple[str, list[int]]:
    """`text` with quote marks, dashes and spaces made plain and whitespace runs collapsed, plus
    for each character of the result the offset in `text` it comes from."""
    out: list[str] = []
    where: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):  # a letter and its combining accents
            j += 1
        chunk = unicodedata.normalize("NFC", text[i:j]).translate(_QUOTES)
        if chunk == "…":
            chunk = "..."
        if chunk.isspace():
            if out and out[-1] != " ":
                out.append(" ")
                where.append(i)
        else:
            out.extend(chunk)
            where.extend([i] * len(chunk))
        i = j
    return "".join(out), where


@dataclass
class _Text:
    article: Article
    settings: Settings
    norm: str = ""
    where: list[int] = field(default_factory=list)
    lines: list[tuple[int, int]] = field(default_factory=list)  # paragraphs: one per line of text
    sentences: list[tuple[int, int]] = field(default_factory=list)
    injected: list[tuple[int, int]] = field(default_factory=list)  # sentences addressed to a model
    clean: str = ""  # folded text with the injected sentences blanked out (same length as text)

    def __post_init__(self) -> None:
        from .mentions import split_sentences

        text = self.article.text
        self.norm, self.where = _normalise(text)
        self.lines = [m.span() for m in re.finditer(r"[^\n]+", text)]
        self.sentences = [(s.start, s.end) for s in split_sentences(text)]
        self.injected = [(s, e) for s, e in self.sentences if _INJECTION.search(fold(text[s:e]))]
        folded = list(fold_aligned(text))
        for s, e in self.injected:
            folded[s:e] = " " * (e - s)
        self.clean = "".join(folded)

    @functools.cached_property
    def knowledge(self) -> Knowledge:
        return knowledge_for(self.settings)

    @property
    def lex(self):
        return self.knowledge.lexicon(self.article.language)

    @property
    def gazetteer(self) -> Gazetteer:
        return self.knowledge.gazetteer

    @property
    def holders(self):
        return self.knowledge.officeholders

    @functools.cached_property
    def dates(self) -> list[DateExpr]:
        return [d for d in find_dates(self.article.text, published=self.article.published, lex=self.lex)
                if d.value]

    @functools.cached_property
    def places(self) -> list[tuple[int, int, tuple[Place, ...]]]:
        """Gazetteer names in the text, outside sentences addressed to a model."""
        return [(s, e, c) for s, e, c in self.gazetteer.match(self.article.text) if not self.in_injected(s)]

    @functools.cached_property
    def words(self) -> set[str]:
        return set(re.findall(r"\w+", self.clean))

    @functools.cached_property
    def demonym_codes(self) -> set[str]:
        return {code for d, code in self.lex.demonyms.items() if d in self.words}

    @functools.cached_property
    def demonym_cities(self) -> set[str]:
        return {city for d, city in self.lex.city_demonyms.items() if d in self.words}

    def in_injected(self, pos: int) -> bool:
        return any(s <= pos < e for s, e in self.injected)

    def find(self, quote: str) -> tuple[int, int] | None:
        """Where `quote` is in the article (offsets into Article.text), or None."""
        q, _ = _normalise(quote)
        q = q.strip()
        tries = [q, q.strip('"\''), q.rstrip(".;:,"), q.strip('"\'').rstrip(".;:,")]
        for cand in dict.fromkeys(t.strip() for t in tries):
            if len(cand.split()) < MIN_QUOTE_WORDS:
                continue
            at = self.norm.find(cand)
            if at >= 0:
                return self.where[at], self.where[at + len(cand) - 1] + 1
        # A quote shortened with an ellipsis: every piece, in order, within one paragraph.
        parts = [p.strip(" \"'") for p in re.split(r"\[\.\.\.\]|\(\.\.\.\)|\.\.\.", q) if p.strip(" \"'")]
        if len(parts) > 1 and all(len(p.split()) >= MIN_QUOTE_WORDS for p in parts):
            at = self.norm.find(parts[0])
            while at >= 0:
                pos, ok = at + len(parts[0]), True
                for p in parts[1:]:
                    nxt = self.norm.find(p, pos)
                    if nxt < 0 or "\n" in self.article.text[self.where[pos - 1]:self.where[nxt]]:
                        ok = False
                        break
                    pos = nxt + len(p)
                if ok:
                    return self.where[at], self.where[pos - 1] + 1
                at = self.norm.find(parts[0], at + 1)
        return None

    def sentence_span(self, pos: int) -> tuple[int, int]:
        starts = [s for s, _ in self.sentences]
        i = max(0, bisect.bisect_right(starts, pos) - 1)
        return self.sentences[i] if self.sentences else (0, len(self.article.text))

    def line_span(self, pos: int) -> tuple[int, int]:
        for s, e in self.lines:
            if s <= pos < e:
                return s, e
        return self.sentence_span(pos)

    def says(self, phrase: str | None) -> bool:
        """`phrase` (folded, on word boundaries) is in the article, outside text addressed to a model."""
        if not phrase or not fold(phrase).strip():
            return False
        body = re.escape(" ".join(fold(phrase).split())).replace(r"\ ", r"[\s\-]+")
        return re.search(rf"(?<![\w]){body}(?![\w])", self.clean) is not None


# --- one stop ------------------------------------------------------------------------------------


@dataclass
class _Verdict:
    stop: Stop | None = None
    reason: str | None = None
    notes: list[str] = field(default_factory=list)  # corrections an editor should see


def _ground_stop(a: dict[str, Any], t: _Text, traveler: str | None, context: dict[str, float]) -> _Verdict:
    name = a["name"]
    v = _Verdict()
    spans, in_model_text = [], 0
    for q in a["evidence"]:
        hit = t.find(q)
        if hit is None:
            continue
        if t.in_injected(hit[0]):
            in_model_text += 1
            continue
        if hit not in spans:
            spans.append(hit)
    if not spans:
        v.reason = ("its only evidence is text addressed to a language model" if in_model_text else
                    "no evidence given" if not a["evidence"] else "its evidence is not in the article")
        return v
    place, geocoded_by, why = _place(a, t, context, v.notes)
    if place is None:
        v.reason = why
        return v
    if not _named(place, a, t):
        v.reason = "the place is not named in the article"
        return v
    date, date_end, date_how = _date(a, spans, t, v.notes)
    status = _status(name, date, a["status"], t.article.published, v.notes)
    met = _met(a, t, traveler, date, place, v.notes)
    landmark = _landmark(a["landmark"], t)
    if a["landmark"] and not landmark:
        v.notes.append(f"{name}: landmark {a['landmark']!r} is not in the article; left out")
    evidence = [Evidence(article=t.article.id, quote=t.article.text[s:e], start=s, end=e) for s, e in spans[:3]]
    conf = 0.55 + (0.15 if len(spans) == len(a["evidence"]) else 0.05)
    conf += {"gazetteer": 0.15, "far": -0.1, "model": -0.05}[geocoded_by]
    conf += {"near": 0.1, "article": 0.05, "none": 0.0, "changed": -0.05}[date_how]
    v.stop = Stop(name=name if geocoded_by == "model" else _label(name, place), lat=place.lat, lon=place.lon,
                  country=place.country, date=date, date_end=date_end, status=status, met=met,
                  landmark=landmark, evidence=evidence, confidence=round(max(0.05, min(0.95, conf)), 2),
                  kind=place.kind if place.kind in ("city", "capital", "landmark", "airport", "crossing") else "city",
                  sources=[t.article.id], source="llm", geocoded_by="model" if geocoded_by == "model" else None)
    return v


def _landmark(claimed: str | None, t: _Text) -> str | None:
    """The landmark as the text names it: the whole, else its first part the text says
    ("Congreso (Salón Azul del Senado)" -> "Congreso")."""
    if not claimed or t.says(claimed):
        return claimed
    for part in re.split(r"\s*[(),;/]\s*", claimed):
        if len(part) > 3 and t.says(part):
            return part
    return None


def _label(name: str, place: Place) -> str:
    """The map label: the model's name when it is the place's name in the text's spelling, else
    the gazetteer's (a country-level visit is labelled with the city it is placed at)."""
    return name if place.kind in ("landmark", "airport", "crossing") or fold(name) == fold(place.name) \
        or place.kind in ("city", "capital") and len(name) <= 40 else place.name


def _place(a: dict[str, Any], t: _Text, context: dict[str, float], notes: list[str]
           ) -> tuple[Place | None, str, str | None]:
    """(place, "gazetteer" | "far" | "model", reason when None)."""
    g = t.gazetteer
    name, cc = a["name"], a["country"]
    hint = (a["lat"], a["lon"]) if a["lat"] is not None and a["lon"] is not None else None
    cands: list[Place] = []
    for label in (name, a["landmark"]):
        if label and not cands:
            cands = g.lookup(label, country=cc) if cc else g.lookup(label)
    if not cands and cc:
        # the name in another country than the model says: only when the model's point agrees
        other = g.lookup(name)
        if hint and other:
            near = min(other, key=lambda p: km_between(p.lat, p.lon, *hint))
            if km_between(near.lat, near.lon, *hint) <= FAR_KM:
                notes.append(f"{name}: the model says country {cc}, the gazetteer {near.country}; kept the gazetteer's")
                cands = [near]
    cands = [p for p in cands if p.kind not in ("region",)]
    # a place rather than the country or province of the same name ("Buenos Aires", "Nueva York")
    cands = [p for p in cands if p.kind not in ("country", "admin")] or cands
    if cands:
        best = g.resolve(tuple(cands), context=context) if len(cands) > 1 else cands[0]
        if len(cands) > 1 and hint:  # the model's point only chooses among places of that name
            nearest = min(cands, key=lambda p: km_between(p.lat, p.lon, *hint))
            if km_between(nearest.lat, nearest.lon, *hint) <= FAR_KM:
                best = nearest
        if best.kind in ("country", "admin"):
            best = g.city_of(best) or best  # a country-level visit: where the meeting is, its seat
        how = "gazetteer"
        if hint:
            d = km_between(best.lat, best.lon, *hint)
            if d > FAR_KM:
                notes.append(f"{name}: the gazetteer puts it {d:,.0f} km from the model's coordinates; "
                             "kept the gazetteer's")
                how = "far"
        return best, how, None
    if hint is None:
        return None, "model", "the place is not in the gazetteer and the model gave no coordinates"
    if not cc:
        return None, "model", "the place is not in the gazetteer and the model named no country"
    if not _inside(cc, *hint, t.gazetteer):
        return None, "model", (f"the place is not in the gazetteer and the model's coordinates "
                               f"({hint[0]:.2f}, {hint[1]:.2f}) are not in {cc}")
    notes.append(f"{name}: not in the gazetteer; placed at the model's coordinates ({hint[0]:.4f}, "
                 f"{hint[1]:.4f}) in {cc}: check")
    return Place(name=name, lat=hint[0], lon=hint[1], country=cc, kind="other", source="model"), "model", None


def _inside(cc: str, lat: float, lon: float, g: Gazetteer) -> bool:
    """The point is in the country: within ~25 km of its 1:50m outline (coasts), or an island the
    outline leaves out whose nearest town belongs to the country."""
    from shapely.geometry import Point

    from .geometry import countries

    shape = countries().get(cc.upper())
    if shape is not None and shape.distance(Point(lon, lat)) <= 0.25:
        return True
    near = g.nearest(lat, lon)
    return near is not None and near.country == cc.upper() and km_between(near.lat, near.lon, lat, lon) <= 300


def _named(place: Place, a: dict[str, Any], t: _Text) -> bool:
    """The article names the place: by the model's name or landmark, by a name the gazetteer knows
    for a place within NAMED_KM, or (a visit placed at a seat of government) by its country."""
    if t.says(a["name"]) or t.says(a["landmark"]) or t.says(place.name):
        return True
    for _s, _e, cands in t.places:
        for c in cands:
            if c.kind == "country":
                continue
            if c.kind == "admin":  # "Oaxaca" the state names Oaxaca the city, its seat
                c = t.gazetteer.city_of(c) or c
            if km_between(c.lat, c.lon, place.lat, place.lon) <= NAMED_KM:
                return True
    cap = t.gazetteer.capital(place.country or "")
    if cap is not None and km_between(cap.lat, cap.lon, place.lat, place.lon) <= NAMED_KM:
        for _s, _e, cands in t.places:
            if any(c.kind == "country" and c.country == place.country for c in cands):
                return True
    # "la capital oaxaqueña", "la capital colombiana", "el porteño": a demonym of the country or
    # region whose seat the place is, or of the city itself
    for code in t.demonym_codes:
        seat = t.gazetteer.capital(code)
        if seat is not None and km_between(seat.lat, seat.lon, place.lat, place.lon) <= NAMED_KM:
            return True
    return any(fold(city) in (fold(a["name"]), fold(place.name)) for city in t.demonym_cities)


def _valid_date(v: str | None) -> bool:
    import datetime as dt

    if not v or not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", v):
        return False
    try:
        dt.date.fromisoformat(v if len(v) == 10 else (v + "-01-01")[:10])
    except ValueError:
        return False
    return True


def _supports(d: DateExpr, value: str) -> bool:
    if d.value == value or d.value_end == value:
        return True
    if d.value and d.value.startswith(value) and len(value) < len(d.value):
        return True  # the model's month or year where the text gives the day: vaguer, not wrong
    return bool(d.value_end and len(value) == len(d.value) and d.value <= value <= d.value_end)


def _day_gap(a: str, b: str) -> int:
    """Days between the starts of two ISO dates of any precision."""
    import datetime as dt

    def first(v: str) -> dt.date:
        return dt.date.fromisoformat(v if len(v) == 10 else (v + "-01-01")[:10])
    return abs((first(a) - first(b)).days)


REPLACE_WITHIN_DAYS = 31  # the evidence's own date replaces the model's only when this close


def _date(a: dict[str, Any], spans: list[tuple[int, int]], t: _Text, notes: list[str]
          ) -> tuple[str | None, str | None, str]:
    """(date, date_end, how): how the model's date stood: "near" (a date expression in its evidence
    or paragraph says so), "article" (the evidence names no day and the article's date expressions
    include this one, as when the lede says "este lunes" and the evidence tells the afternoon),
    "none" (no date claimed) or "changed" (replaced by the evidence's own date, or dropped)."""
    name, claimed, claimed_end = a["name"], a["date"], a["date_end"]
    if claimed is None:
        return None, None, "none"
    sents = {t.sentence_span(s) for s, _ in spans}
    paras = {t.line_span(s) for s, _ in spans}
    near = [d for d in t.dates if any(s <= d.start < e for s, e in sents)]
    around = [d for d in t.dates if any(s <= d.start < e for s, e in paras)]
    how = None
    if _valid_date(claimed):
        if any(_supports(d, claimed) for d in around):
            how = "near"
        elif not near and any(_supports(d, claimed) for d in t.dates):
            how = "article"
    if how is None:
        # the one date the evidence gives, else the one its paragraph gives, when close to the claim
        for pool in (near, around):
            values = {(d.value, d.value_end) for d in pool}
            if len(values) != 1:
                continue
            value, value_end = values.pop()
            if _valid_date(claimed) and _day_gap(value, claimed) <= REPLACE_WITHIN_DAYS:
                notes.append(f"{name}: date {claimed} (model) is not what its evidence says; used {value}")
                return value, value_end, "changed"
            break
        notes.append(f"{name}: date {claimed} (model) is not supported by the text near its evidence; "
                     "left without a date")
        return None, None, "changed"
    end = None
    if claimed_end and claimed_end != claimed:
        if _valid_date(claimed_end) and claimed_end > claimed and \
                any(d.value == claimed_end or d.value_end == claimed_end for d in t.dates):
            end = claimed_end
        else:
            notes.append(f"{name}: end date {claimed_end} (model) is not in the text; left out")
    return claimed, end, how


def _status(name: str, date: str | None, claimed: str | None, published: str | None, notes: list[str]) -> str:
    implied = None
    if date and published:
        pub = published[:len(date)]
        implied = "completed" if date < pub else "planned" if date > pub else None
    if implied and claimed and claimed != implied:
        notes.append(f"{name}: status {claimed} (model) contradicts its date {date} (published {published}); "
                     f"set to {implied}")
    return implied or claimed or "planned"


_ARTICLE = re.compile(r"^(?:el|la|los|las|the|o|a|os|as)\s+")
_OF = re.compile(r"^(?:de|del|da|do|of|de la)\s+")


def _role_holder(raw: str, t: _Text, place: Place, day: str | None) -> str | None:
    """"el presidente de Perú", "la presidenta peruana", "the Kenyan president": the person in that
    office on `day` (office-holders file), when the text says that role; else None."""
    f = _ARTICLE.sub("", " ".join(fold(raw).split()))
    country = None
    words = f.split()
    for i, w in enumerate(words):  # "the kenyan president": a demonym before the role
        if w in t.lex.demonyms and len(t.lex.demonyms[w]) == 2:
            country = t.lex.demonyms[w]
            f = " ".join(words[:i] + words[i + 1:])
            break
    role_key = next((k for k in sorted(t.lex.roles, key=len, reverse=True)
                     if f == k or f.startswith(k + " ")), None)
    if role_key is None or not t.says(role_key):
        return None
    rest = _OF.sub("", f[len(role_key):].strip())
    if rest and country is None:
        if rest in t.lex.demonyms and len(t.lex.demonyms[rest]) == 2:
            country = t.lex.demonyms[rest]
        else:
            hits = t.gazetteer.lookup(rest, kinds=("country",))
            country = hits[0].country if hits else None
        if country is None:
            return None  # "el presidente de la empresa": not an office the file knows
    office = t.holders.holder(country or place.country or "", t.lex.roles[role_key], date=day)
    return office.name if office is not None else None


def _met(a: dict[str, Any], t: _Text, traveler: str | None, date: str | None, place: Place,
         notes: list[str]) -> list[str]:
    day = date or t.article.published
    out: list[str] = []
    for raw in a["met"]:
        holder = _role_holder(raw, t, place, day) if raw[:1].islower() or _ARTICLE.match(fold(raw)) else None
        if holder is not None:  # a role: the person in office that day
            person = holder
        elif raw[:1].islower() or _ARTICLE.match(fold(raw)):
            notes.append(f"{a['name']}: met {raw!r} is a role, not a person the article names; left out")
            continue
        else:
            sur = surname(raw)
            if not sur or not re.search(rf"(?<![\w]){re.escape(sur)}(?![\w])", t.clean):
                notes.append(f"{a['name']}: met {raw!r} is not named in the article; left out")
                continue
            person = _full_name(raw, t, day)
        if traveler and same_person(person, traveler):
            continue
        if any(same_person(person, p) for p in out):
            continue
        out.append(person)
    return out


def _full_name(name: str, t: _Text, day: str | None) -> str:
    """A surname alone or a nickname ("Petro", "Lula", "AMLO") as the office-holders file names the
    person; a full name stays as the text writes it."""
    if len(name_tokens(name)) >= 2:
        return name
    office = t.holders.by_name(name, date=day)
    return office.name if office is not None else name


# --- the whole answer -----------------------------------------------------------------------------


def _traveler(claimed: str | None, t: _Text, rules: str | None, notes: list[str]) -> str | None:
    if claimed:
        sur = surname(claimed)
        if sur and re.search(rf"(?<![\w]){re.escape(sur)}(?![\w])", t.clean):
            return _full_name(claimed, t, t.article.published)
        notes.append(f"traveler {claimed!r} (model) is not named in the article; used {rules or 'none'}")
    return rules


def _origin(claimed: dict[str, Any] | None, t: _Text, rules: Place | None) -> Place | None:
    if claimed and t.says(claimed["name"]):
        g = t.gazetteer
        cands = g.lookup(claimed["name"], country=claimed["country"]) if claimed["country"] else []
        cands = cands or g.lookup(claimed["name"])
        if cands:
            p = cands[0]
            return (g.city_of(p) or p) if p.kind in ("country", "admin") else p
    return rules


def _agreement(stops: list[Stop], rules: list[Stop], t: _Text, *, hybrid: bool, notes: list[str],
               rejected: list[dict[str, Any]]) -> list[Stop]:
    """Mark stops both readers found; in hybrid mode add the rules' surest own stops and list
    disagreements on date and status."""
    taken: set[int] = set()
    matched: list[Stop | None] = []  # for each rules stop, the model stop it confirms
    for r in rules:
        best = None
        for i, s in enumerate(stops):
            if i in taken or not dates_compatible(s.date, r.date):
                continue
            d = km_between(s.lat, s.lon, r.lat, r.lon)
            if d <= AGREE_KM and (best is None or d < best[0]):
                best = (d, i)
        if best is None:
            matched.append(None)
            continue
        taken.add(best[1])
        s = stops[best[1]]
        matched.append(s)
        s.source = "both"
        s.confidence = round(min(0.99, s.confidence + 0.15), 2)
        if hybrid:
            if r.date and s.date and r.date != s.date and not s.date.startswith(r.date):
                notes.append(f"{s.name}: date {s.date} (model) vs {r.date} (rules): kept the model's")
            if r.status != s.status:
                notes.append(f"{s.name}: status {s.status} (model) vs {r.status} (rules): kept the model's")
    if not hybrid:
        return stops
    out = list(stops)
    prev: Stop | None = None
    for r, m in zip(rules, matched):
        if m is not None:
            prev = m
            continue
        if r.confidence < RULES_ONLY_MIN_CONFIDENCE:
            continue
        if r.evidence and all(t.in_injected(e.start) for e in r.evidence):
            rejected.append({"article": t.article.id, "name": r.name, "country": r.country, "date": r.date,
                             "reason": "its only evidence is text addressed to a language model (rules)"})
            continue
        extra = dataclasses.replace(r, met=list(r.met), evidence=list(r.evidence), sources=list(r.sources),
                                    source="rules")
        out.insert(out.index(prev) + 1 if prev is not None else 0, extra)
        prev = extra
    return out


def ground(answer: dict[str, Any], article: Article, rules: Tour, settings: Settings, *,
           backend: str = "llm", model_info: dict[str, Any] | None = None) -> Tour:
    """The grounded tour of one article from the model's normalised answer (llm.parse_answer) and
    the rules' tour of the same article (regions, corridors, fallbacks; in hybrid mode, stops)."""
    t = _Text(article, settings)
    notes: list[str] = []
    for s, e in t.injected:
        quote = " ".join(article.text[s:e].split())
        notes.append(f"{article.id}: text addressed to a language model, never used as evidence: "
                     f"{quote[:100]!r}")
    traveler = _traveler(answer["traveler"], t, rules.traveler, notes)
    context = Counter(s["country"] for s in answer["stops"] if s["country"])
    stops: list[Stop] = []
    rejected: list[dict[str, Any]] = []
    for a in answer["stops"]:
        v = _ground_stop(a, t, traveler, context)
        notes += v.notes
        if v.stop is None:
            rejected.append({"article": article.id, "name": a["name"], "country": a["country"], "date": a["date"],
                             "reason": v.reason})
        else:
            stops.append(v.stop)
    stops = _agreement(stops, rules.stops, t, hybrid=backend == "hybrid", notes=notes, rejected=rejected)
    if rejected:
        log.info("%s: %d model stop(s) not grounded in the text", article.path, len(rejected))
    return Tour(articles=[article], traveler=traveler, origin=_origin(answer["origin"], t, rules.origin),
                stops=stops, regions=rules.regions, corridors=rules.corridors, title=article.title,
                subtitle="", conflicts=list(rules.conflicts) + list(dict.fromkeys(notes)),
                extractor={**(model_info or {}), "articles": {article.id: backend}}, rejected=rejected)


# --- the step the pipeline calls ---------------------------------------------------------------------


def read_with_model(article: Article, rules: Tour, settings: Settings, *, refresh: bool = False) -> Tour:
    """The tour of one article read by the configured model and grounded; the rules' tour (with one
    warning naming the article and the problem) when the model cannot be asked or gives no usable
    answer."""
    from . import llm
    from .manifest import FALLBACK

    ls = settings.extractor.llm
    backend = settings.extractor.backend
    info = {"backend": backend, "model": ls.model, "prompt": llm.PROMPT_VERSION, "schema": llm.SCHEMA_VERSION}
    reply = llm.read(article, ls, refresh=refresh)
    if reply.answer is None:
        log.warning("Warning: %s: no answer from the model (%s); used the rules extractor", article.path,
                    reply.problem)
        for s in rules.stops:
            s.source = "rules"
        rules.extractor = {**info, "articles": {article.id: FALLBACK}}
        return rules
    return ground(reply.answer, article, rules, settings, backend=backend, model_info=info)
