"""Everything an article names: sentences, places, people and dates (no decisions yet).

Places come from the gazetteer (case-sensitive, longest match) plus the ones the text only
implies: "la capital oaxaqueña", "the Lebanese capital", "el barrio porteño", a dateline
("BEIRUT —"), and national institutions ("irá al Congreso", resolved later to the host
country's capital). Dates are resolved against the publication date (dates.py); people come
from people.py.
"""
from __future__ import annotations

import re

from .config import Settings
from .dates import find_dates
from .knowledge import Knowledge, knowledge_for
from .lexicon import Lexicon, fold, fold_aligned
from .models import Article, DateMention, Mentions, Place, PlaceMention, Span
from .people import LOCATIVE_BEFORE, LOCATIVE_OR_OF_BEFORE, find_people

_ABBREV = {"sr", "sra", "srta", "dr", "dra", "ee", "uu", "st", "mr", "mrs", "ms", "gen", "lic", "ing", "prof",
           "no", "núm", "art", "av", "avda", "vs", "etc", "jr", "sto", "sta", "mt", "ft", "p", "pp", "n", "dc"}
DATELINE = re.compile(r"^(?P<name>[A-ZÁÉÍÓÚÑÂÊÔÃÕÇÜ][A-ZÁÉÍÓÚÑÂÊÔÃÕÇÜ .'’-]{1,40}?)\s*(?:\([^)]*\)\s*)?[.,]?\s*[—–-]{1,2}\s*")


def split_sentences(text: str) -> tuple[Span, ...]:
    """Sentences as spans: paragraphs first, then full stops followed by a capital."""
    out: list[Span] = []
    for para in re.finditer(r"[^\n]+", text):
        p0, ptxt = para.start(), para.group(0)
        start = 0
        for m in re.finditer(r"[.!?…]+[\"”’»)]*\s+(?=[\"“‘«¿¡(—–-]?\s*[A-ZÁÉÍÓÚÑÂÊÔÃÕÇÜ0-9#@])", ptxt):
            before = ptxt[start:m.start()]
            last = re.search(r"([\wÀ-ÿ]+)$", before)
            word = last.group(1) if last else ""
            if ptxt[m.start()] == "." and (fold(word) in _ABBREV or len(word) == 1 and word.isupper()):
                continue
            seg_end = m.end()
            seg = ptxt[start:seg_end].rstrip()
            if seg.strip():
                s = start + (len(ptxt[start:seg_end]) - len(ptxt[start:seg_end].lstrip()))
                out.append(Span(p0 + s, p0 + start + len(seg), ptxt[s:start + len(seg)]))
            start = seg_end
        seg = ptxt[start:].rstrip()
        if seg.strip():
            s = start + (len(ptxt[start:]) - len(ptxt[start:].lstrip()))
            out.append(Span(p0 + s, p0 + len(ptxt.rstrip()), ptxt[s:len(ptxt.rstrip())]))
    return tuple(out)


def sentence_index(sentences: tuple[Span, ...], pos: int) -> int:
    lo, hi = 0, len(sentences) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        s = sentences[mid]
        if pos < s.start:
            hi = mid - 1
        elif pos >= s.end:
            lo = mid + 1
        else:
            return mid
    return max(0, min(lo, len(sentences) - 1))


def _implied_places(text: str, lex: Lexicon, g, holders) -> list[tuple[int, int, tuple]]:
    """Places named only by a demonym: "la capital catarí", "the Lebanese capital", "barrio porteño"."""
    out = []
    dem = "|".join(sorted((re.escape(d) for d in lex.demonyms), key=len, reverse=True))
    cap = "|".join(re.escape(fold(w)) for w in lex.words("capital_words")) or "capital"
    low = fold_aligned(text)
    if lex.lang == "en":
        rx = re.compile(rf"\b(?:the\s+)(?P<dem>{dem})\s+(?:{cap})\b")
    else:
        rx = re.compile(rf"(?<![\w])(?:la|a|na|en\s+la|da)\s+(?:{cap})\s+(?P<dem>{dem})(?![\w])")
    for m in rx.finditer(low):
        code = lex.demonyms.get(m.group("dem"))
        place = g.capital(code) if code else None
        if place is None and code:
            name = holders.capital_name(code)
            found = g.lookup(name) if name else []
            place = found[0] if found else None
        if place is not None:
            s = m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
            out.append((s, m.end(), (place,)))
    if lex.city_demonyms:
        cd = "|".join(sorted((re.escape(d) for d in lex.city_demonyms), key=len, reverse=True))
        for m in re.finditer(rf"(?<![\w])(?:{cd})(?![\w])", low):
            if text[m.start()].isupper():
                continue  # "Porteño" as a name or headline word
            cands = g.lookup(lex.city_demonyms[m.group(0)], kinds=("city", "capital"))
            if cands:
                out.append((m.start(), m.end(), tuple(cands[:3])))
    return out


def _dateline(text: str, g) -> tuple[int, int, tuple] | None:
    m = DATELINE.match(text)
    if not m:
        return None
    name = m.group("name").strip(" .-")
    if not name or not name.replace(" ", "").isupper():
        return None
    for form in (name, name.title(), name.capitalize()):
        cands = g.lookup(form, kinds=("city", "capital"))
        if cands:
            return (m.start("name"), m.start("name") + len(name), tuple(cands[:3]))
    # "SANTIAGO DE CHILE": the city, then its country
    parts = re.split(r"\s+DE\s+|\s+DO\s+|\s*,\s*", name)
    if len(parts) == 2:
        for form in (parts[0].title(),):
            cands = g.lookup(form, kinds=("city", "capital"))
            ctry = [c for c in cands if c.country and g.country(c.country) and
                    fold(g.country(c.country).name) == fold(parts[1])]
            if ctry:
                return (m.start("name"), m.start("name") + len(name), tuple(ctry[:1]))
    return None


def _drop_surnames(text: str, places: tuple[PlaceMention, ...], people) -> tuple[PlaceMention, ...]:
    """"Ortega dijo", "según Santos": a town's name that is the surname of someone the article
    names in full is that person, unless a preposition of place stands before it."""
    surnames = {p.span.text.split()[-1] for p in people if len(p.span.text.split()) >= 2}
    if not surnames:
        return places
    out = []
    for pm in places:
        if pm.span.text in surnames and pm.candidates and pm.candidates[0].kind in ("city", "capital", "country") \
                and not re.search(LOCATIVE_OR_OF_BEFORE, text[max(0, pm.span.start - 12):pm.span.start]):
            continue
        out.append(pm)
    return tuple(out)


_HYPHEN_BEFORE = re.compile(r"[A-ZÁÉÍÓÚÑÂÊÔÃÕÇÜ][\wÀ-ÿ'’]+-$")
_HYPHEN_AFTER = re.compile(r"-[A-ZÁÉÍÓÚÑÂÊÔÃÕÇÜ][\wÀ-ÿ'’]+")


def _drop_hyphen_parts(text: str, places: tuple[PlaceMention, ...], people) -> tuple[PlaceMention, ...]:
    """"José Ramos-Horta": a town's name joined by a hyphen to a capitalised word is part of a compound
    name when that word is no place or the compound is a person's surname; "la ruta Quito-Guayaquil"
    joins two places and keeps both."""
    ends = {pm.span.end for pm in places if pm.candidates}
    starts = {pm.span.start for pm in places if pm.candidates}
    surnames = {w for p in people for w in p.span.text.split() if "-" in w}
    out = []
    for pm in places:
        s, e = pm.span.start, pm.span.end
        before = _HYPHEN_BEFORE.search(text[max(0, s - 30):s])
        after = _HYPHEN_AFTER.match(text, e)
        compound = (before.group(0) if before else "") + pm.span.text + (after.group(0) if after else "")
        if pm.candidates and ((before and (s - 1 not in ends or compound in surnames)) or
                              (after and (e + 1 not in starts or compound in surnames))):
            continue
        out.append(pm)
    return tuple(out)


def _drop_common_words(text: str, places: tuple[PlaceMention, ...]) -> tuple[PlaceMention, ...]:
    """"Ministério da Saúde", "Nísia Trindade (Saúde)": a town named by a word the article also
    writes in lower case ("saúde pública") is that word, unless a preposition of place stands before it."""
    out = []
    lowered: dict[str, bool] = {}
    for pm in places:
        w = pm.span.text
        if pm.candidates and pm.candidates[0].kind == "city" and w.isalpha() and w[:1].isupper():
            low = w.lower()
            if low not in lowered:
                lowered[low] = re.search(rf"(?<![\w]){re.escape(low)}(?![\w])", text) is not None
            if lowered[low] and not re.search(LOCATIVE_BEFORE, text[max(0, pm.span.start - 12):pm.span.start]):
                continue
        out.append(pm)
    return tuple(out)


_IN_TOWN = re.compile(r"[ \u00a0]+(?:en|in|em|at|na|no)[ \u00a0]+(?:(?:la|the|a|esta|this|essa)[ \u00a0]+"
                      r"(?P<noun>ciudad|capital|city|cidade)(?![\w])|(?P<name>[A-ZÁÉÍÓÚÑ]))")


def _drop_elsewhere_landmarks(text: str, places: tuple[PlaceMention, ...]) -> tuple[PlaceMention, ...]:
    """"la sede de Naciones Unidas en la ciudad" (Nairobi), "the UN offices in Geneva": an
    institution's building said to be in the town of the story, or in a town of another country,
    is not the landmark of that name elsewhere."""
    starts = {pm.span.start: pm for pm in places}
    out = []
    for pm in places:
        if pm.candidates and pm.candidates[0].kind == "landmark":
            m = _IN_TOWN.match(text, pm.span.end)
            if m and m.group("noun"):
                continue
            nxt = starts.get(m.start("name")) if m and m.group("name") else None
            if nxt is not None and nxt.candidates and nxt.candidates[0].country and \
                    nxt.candidates[0].country != pm.candidates[0].country:
                continue
        out.append(pm)
    return tuple(out)


def _country_short_forms(places: tuple[PlaceMention, ...]) -> tuple[PlaceMention, ...]:
    """"São Vicente e Granadinas" ... "na ilha de São Vicente": once the text names a two-part
    country in full, its first part alone is that country, not the Brazilian town of the name."""
    short: dict[str, Place] = {}
    for pm in places:
        c = pm.candidates[0] if pm.candidates else None
        if c is not None and c.kind == "country":
            m = re.match(r"(.+?)\s+(?:e|y|and|&)\s+\S", pm.span.text)
            if m:
                short.setdefault(m.group(1), c)
    if not short:
        return places
    return tuple(PlaceMention(span=pm.span, sentence=pm.sentence, candidates=(short[pm.span.text],))
                 if pm.span.text in short and pm.candidates and pm.candidates[0].kind != "country" else pm
                 for pm in places)


def find_mentions(article: Article, *, settings: Settings | None = None, knowledge: Knowledge | None = None
                  ) -> Mentions:
    """Sentences, place mentions (gazetteer), person mentions and date mentions of one article.

    `knowledge` (else the one `settings` points at) holds the words, places and office-holders.
    """
    k = knowledge or knowledge_for(settings or Settings())
    text = article.text
    lex = k.lexicon(article.language)
    sentences = split_sentences(text)
    g = k.gazetteer
    holders = k.officeholders
    raw = list(g.match(text))
    taken = [(s, e) for s, e, _ in raw]
    for s, e, c in _implied_places(text, lex, g, holders):
        if all(e <= a or s >= b for a, b in taken):
            raw.append((s, e, c))
            taken.append((s, e))
    dl = _dateline(text, g)
    if dl and all(dl[1] <= a or dl[0] >= b for a, b in taken):
        raw.append(dl)
    for m in lex.find("institutions", text):
        if all(m.end() <= a or m.start() >= b for a, b in taken):
            raw.append((m.start(), m.end(), ()))
    raw.sort(key=lambda x: x[0])
    places = tuple(PlaceMention(span=Span(s, e, text[s:e]), sentence=sentence_index(sentences, s), candidates=tuple(c))
                   for s, e, c in raw)
    people = tuple(find_people(text, sentences=sentences, lex=lex, date=article.published,
                               place_spans=[(p.span.start, p.span.end) for p in places if p.candidates],
                               holders=holders, words=k.people_words,
                               country_spans=[(p.span.start, p.span.end, p.candidates[0].country) for p in places
                                              if p.candidates and p.candidates[0].kind == "country"
                                              and p.candidates[0].country]))
    places = _country_short_forms(places)
    places = _drop_hyphen_parts(text, places, people)
    places = _drop_elsewhere_landmarks(text, _drop_common_words(text, _drop_surnames(text, places, people)))
    dates = []
    for d in find_dates(text, published=article.published, lex=lex):
        if d.value is None or d.role != "point":
            continue
        dates.append(DateMention(span=Span(d.start, d.end, text[d.start:d.end]),
                                 sentence=sentence_index(sentences, d.start), value=d.value, value_end=d.value_end))
    return Mentions(article=article, sentences=sentences, places=places, people=people, dates=tuple(dates))
