"""Date expressions in news text, resolved against the publication date with their precision.

A small grammar over month and weekday names from the lexicon (one per language): full dates
("21 de diciembre de 2025", "December 21, 2025"), weekday with day ("el martes 28",
"quarta-feira (17)"), weekday alone ("el pasado martes", "on Thursday") resolved by tense, month
alone ("en enero": the next one when the clause is about the future, the past one otherwise),
month and year, relative words (mañana, el próximo mes, una semana más tarde). Values are ISO
strings with the precision the text gives: "2025-12-22", "2026-01", "2026". Nothing is invented:
an expression that cannot be resolved yields no date.
"""
from __future__ import annotations

import bisect
import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from .lexicon import Lexicon, fold

Tense = str | None  # "past" | "future" | None
_DETERMINER = re.compile(r"(?i)(?<![\wÀ-ÿ])(la|las|el|los|una|un|su|sus|esta|este|esa|ese|a|o|as|os|uma|um|the|an|its|his|her)\s+$")

_CLAUSE_BREAK = re.compile(r"[;:()—–]|\s-\s|,\s+(?:y|e|and|pero|but|mas|mientras|while)\s|\s(?:y|e|and)\s*,|\.\s")


@dataclass(frozen=True)
class DateExpr:
    """One date expression found in a text (offsets relative to that text)."""

    start: int
    end: int
    value: str | None  # None: a vague time ("más adelante") that ends the previous date's reach
    value_end: str | None = None
    role: str = "point"  # "point" | "start" (desde) | "end" (hasta) | "vague"
    precision: str = "day"  # "day" | "month" | "year"
    relative: bool = False  # a weekday or word resolved by tense, not written as a number


def _alt(words) -> str:
    items = sorted({w for w in words if w}, key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in items)


def _add_month(year: int, month: int, k: int) -> tuple[int, int]:
    m = month - 1 + k
    return year + m // 12, m % 12 + 1


def _valid(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def clause_bounds(text: str, pos: int, *, breaks: re.Pattern[str] = _CLAUSE_BREAK) -> tuple[int, int]:
    """The stretch of `text` around `pos` between two matches of `breaks`.

    By default a clause: between semicolons, colons, dashes, ", y" and the like. The breaks of a
    text are found once (the last few texts are remembered), so asking for many positions of one
    long text stays linear.
    """
    starts, ends = _breaks(text, breaks)
    k = bisect.bisect_right(ends, pos)  # matches wholly before pos
    start = ends[k - 1] if k else 0
    j = bisect.bisect_left(starts, pos, lo=k)
    return start, starts[j] if j < len(starts) else len(text)


@lru_cache(maxsize=32)
def _breaks(text: str, breaks: re.Pattern[str]) -> tuple[list[int], list[int]]:
    found = [(m.start(), m.end()) for m in breaks.finditer(text)]
    return [a for a, _ in found], [b for _, b in found]


def tense_at(text: str, pos: int, lex: Lexicon, *, window: tuple[int, int] | None = None) -> Tense:
    """The tense nearest a position inside its clause: planned cues and future/past forms."""
    lo, hi = window or clause_bounds(text, pos)
    seg = text[lo:hi]
    best: tuple[int, str] | None = None

    def consider(s: int, e: int, tense: str) -> None:
        nonlocal best
        a, b = lo + s, lo + e
        d = 0 if a <= pos < b else min(abs(pos - a), abs(pos - b))
        if best is None or d < best[0]:
            best = (d, tense)

    planned_spans = []
    for m in lex.find("planned", seg):
        consider(m.start(), m.end(), "future")
        planned_spans.append((m.start(), m.end()))
    for m in lex.find("future", seg):
        consider(m.start(), m.end(), "future")
    for m in lex.find("past", seg):
        if any(s <= m.start() < e for s, e in planned_spans):
            continue
        consider(m.start(), m.end(), "past")
    fut = tuple(lex.words("future_suffixes"))
    past = tuple(lex.words("past_suffixes"))
    for m in re.finditer(r"[a-záéíóúâêôãõçàüñ]+", seg):
        w = m.group(0)
        if len(w) < 5 or m.start() and seg[m.start() - 1].isupper():
            continue
        if _DETERMINER.search(seg[max(0, m.start() - 6):m.start()]):
            continue  # "la cancillería", "una galería": a noun, not a verb
        if fut and w.endswith(fut):
            consider(m.start(), m.end(), "future")
        elif past and w.endswith(past) and len(w) >= 5:
            if re.match(r"\s+by\b", seg[m.end():m.end() + 4]):
                continue  # "communities threatened by mining": a participle, not the story's tense
            consider(m.start(), m.end(), "past")
    return best[1] if best else None


def _names_event(text: str, s: int, e: int, lex: Lexicon) -> bool:
    """"the September 11 attacks", "los atentados del 11 de septiembre": a date that names a past event
    (a topic noun right after it, or before it behind "de"), not a day of the story."""
    m = re.match(r"\s+([a-záéíóúâêôãõçñ]+)", text[e:e + 25])
    if lex.lang == "en" and m and lex.has("context_nouns", m.group(1)):
        return True
    m = re.search(r"([a-záéíóúâêôãõçñ]+)\s+(?:del|de|do|da|of\s+the|of)\s*$", text[max(0, s - 30):s])
    return bool(m and lex.has("context_nouns", m.group(1)))


class DateGrammar:
    """The compiled date patterns of one language."""

    def __init__(self, lex: Lexicon):
        self.lex = lex
        L = lex.lang
        months = _alt(list((lex.raw.get("months") or {}).keys()))
        wdays = _alt(list((lex.raw.get("weekdays") or {}).keys()))
        self.month_rx = months
        nxt = _alt(lex.words("next"))
        last = _alt(lex.words("last"))
        this = _alt(lex.words("this"))
        parts = r"(?:(?:la|de\s+la|por\s+la|en\s+la)\s+(?:noche|madrugada|mañana|tarde)\s+(?:del?|de\s+este|de\s+esta)\s+" \
                r"|(?:na|à|pela)\s+(?:noite|madrugada|manhã|tarde)\s+(?:de|da|do|desta|deste)\s+)?"
        B, E = r"(?<![\wÀ-ÿ])", r"(?![\wÀ-ÿ])"
        wd = rf"(?P<wd>{wdays})"
        pats: list[tuple[str, str]] = []
        if L == "en":
            pats += [
                ("range", rf"{B}(?:from\s+)?(?P<mon>{months})\s+(?P<d1>\d{{1,2}})\s*(?:-|–|to|through)\s*(?P<d2>\d{{1,2}})(?:,?\s+(?P<y>\d{{4}}))?{E}"),
                ("full", rf"{B}(?:{wd},?\s+)?(?P<mon>{months})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<y>\d{{4}}))?{E}"),
                ("full", rf"{B}(?:{wd},?\s+)?(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>{months})(?:,?\s+(?P<y>\d{{4}}))?{E}"),
                ("monyear", rf"{B}(?P<mon>{months})\s+(?:of\s+)?(?P<y>\d{{4}}){E}"),
            ]
        else:
            de = r"(?:de|del|do|da)"
            pats += [
                ("range", rf"{B}(?:del?|el|los|dos?|entre\s+el|entre\s+os?)\s+(?P<d1>\d{{1,2}})\s+(?:al|a|e|y|ao)\s+(?P<d2>\d{{1,2}})\s+{de}\s+(?P<mon>{months})(?:\s+{de}\s+(?P<y>\d{{4}}))?{E}"),
                ("full", rf"{B}(?:{wd},?\s+)?(?P<d>\d{{1,2}})(?:º|°|o)?\s+{de}\s+(?P<mon>{months})(?:\s+{de}\s+(?P<y>\d{{4}}))?{E}"),
                ("monyear", rf"{B}(?P<mon>{months})\s+{de}\s+(?P<y>\d{{4}}){E}"),
            ]
        pats += [
            # "no dia 22", "el día 22", "on the 22nd": a day of the month with no month, near publication
            ("dom", rf"{B}(?:(?:el|en\s+el|no|o|do|del|desde\s+el|hasta\s+el|on|the|on\s+the)\s+)(?:d[ií]a\s+(?P<d>\d{{1,2}})|(?P<d2>\d{{1,2}})(?:st|nd|rd|th))(?!\s*(?:de|of|h|:|%)\s*\w)(?![\d.,:]\d){E}"),
            ("wdnum", rf"{B}{parts}(?:(?P<mod>{this}|{nxt})\s+)?{wd}\s*(?:\(\s*(?P<d>\d{{1,2}})\s*\)|(?P<d_>\d{{1,2}}))(?!\s*(?:de|of|h|:)\s*\w)(?![\d.,:]\d)"),
            ("wd", rf"{B}{parts}(?:(?P<pre>{nxt}|{last}|{this})\s+)?{wd}(?:\s+(?P<post>{nxt}|{last}))?{E}"),
            ("year", rf"{B}(?:en|in|em|durante|during|de|del|of|for|para)\s+(?:el\s+año\s+|o\s+ano\s+de\s+)?(?P<y>(?:19|20)\d\d){E}(?![\d.,]\d)"),
            # "el último día del año", "on the last day of the year", "no último dia do ano"
            ("yearend", rf"{B}(?:(?:el|o|the|on\s+the|no)\s+)?(?:último|ultimo|last)\s+(?:día|dia|day)\s+(?:del|do|of\s+the)\s+(?:año|ano|year){E}"),
            # "last November", "el pasado noviembre", "noviembre pasado", "o último novembro"
            ("relmonth", rf"{B}(?:(?P<rl>{nxt}|{last})\s+(?P<mon>{months})|(?P<mon2>{months})\s+(?P<rl2>{nxt}|{last})){E}"),
            ("month", rf"{B}(?P<pre>(?:en|in|em|para|for|hacia|desde|hasta|until|since|a\s+principios\s+de|a\s+fines\s+de|a\s+finales\s+de|a\s+mediados\s+de|early|late|mid|no\s+início\s+de|no\s+fim\s+de|em\s+meados\s+de|de|del|do|da)\s+)?(?P<mon>{months})(?P<yr>\s+(?:del|do|de|of)\s+(?:(?:año|ano)\s+(?P<rel>pasado|passado|próximo|que\s+viene|que\s+vem|anterior|siguiente)|(?:este|esse|deste)\s+(?:año|ano)|(?P<rel2>last|next|this)\s+year)|\s+(?P<rel3>last|next|this)\s+year)?{E}"),
        ]
        self.patterns = [(k, re.compile(p, re.IGNORECASE)) for k, p in pats]
        words = []
        for key in ("day_after_tomorrow", "day_before_yesterday", "today", "tomorrow", "yesterday",
                    "next_month", "last_month", "next_year", "last_year", "week_later", "day_later"):
            for w in lex.date_words(key):
                words.append((w, key))
        self.word_rx = [(key, re.compile(B + _alt([w]) + E, re.IGNORECASE))
                        for w, key in sorted(words, key=lambda x: -len(x[0]))]
        self.next_words = {fold(w) for w in lex.words("next")}
        self.last_words = {fold(w) for w in lex.words("last")}
        self.range_start = lex.rx("range_start")
        self.range_end = lex.rx("range_end")
        self.day_parts = lex.rx("day_parts")


_GRAMMARS: dict[int, DateGrammar] = {}


def grammar(lex: Lexicon) -> DateGrammar:
    g = _GRAMMARS.get(id(lex))
    if g is None:
        g = _GRAMMARS[id(lex)] = DateGrammar(lex)
    return g


def _month_num(lex: Lexicon, name: str) -> int | None:
    return lex.months.get(fold(name).rstrip("."))


def _year_for(month: int, day: int | None, pub: dt.date, tense: Tense) -> int:
    """Year of a month (and day) written without one: nearest to publication, tense breaking ties."""
    best = None
    for y in (pub.year - 1, pub.year, pub.year + 1):
        d = _valid(y, month, min(day or 15, calendar.monthrange(y, month)[1]))
        if d is None:
            continue
        if day is None:  # a month: distance in months, 0 for the publication month
            dist = abs((y - pub.year) * 12 + month - pub.month)
            if tense == "future" and (y, month) < (pub.year, pub.month):
                dist += 100
            if tense == "past" and (y, month) > (pub.year, pub.month):
                dist += 100
        else:
            dist = abs((d - pub).days)
            if tense == "future" and d < pub:
                dist += 1000
            if tense == "past" and d > pub:
                dist += 1000
        if best is None or dist < best[0]:
            best = (dist, y)
    return best[1] if best else pub.year


def _weekday_date(wd: int, pub: dt.date, *, mode: str) -> dt.date:
    """The weekday relative to publication: mode next/last/this/past/future/near."""
    delta = (wd - pub.weekday()) % 7  # days forward to the next such weekday (0 = today)
    fwd = pub + dt.timedelta(days=delta)
    back = pub - dt.timedelta(days=(7 - delta) % 7)  # same day counts as back when delta == 0
    if mode == "next":
        return fwd if delta else pub + dt.timedelta(days=7)
    if mode == "last":
        return back if delta else pub - dt.timedelta(days=7)
    if mode == "future":
        return fwd if delta else pub
    if mode == "past":
        return back
    # "this" or unknown tense: the nearest one (today when it is today)
    return fwd if delta <= 3 else back


def _wdnum_date(wd: int, day: int, pub: dt.date) -> dt.date | None:
    """Weekday named with a day of the month: the nearest such day whose weekday agrees."""
    good = []
    for k in (-3, -2, -1, 0, 1, 2, 3):
        y, m = _add_month(pub.year, pub.month, k)
        d = _valid(y, m, day)
        if d and d.weekday() == wd and abs((d - pub).days) <= 92:
            good.append(d)
    # no such weekday-and-day near publication: the text is inconsistent, so no date
    return min(good, key=lambda d: (abs((d - pub).days), d)) if good else None


def find_dates(text: str, *, published: str | None, lex: Lexicon, offset: int = 0) -> list[DateExpr]:
    """Every date expression in `text`, resolved against `published` (YYYY-MM-DD)."""
    g = grammar(lex)
    pub = None
    if published:
        try:
            pub = dt.date.fromisoformat(published[:10])
        except ValueError:
            pub = None
    taken: list[tuple[int, int]] = []
    out: list[DateExpr] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    def role_at(s: int) -> str:
        before = text[max(0, s - 20):s]
        if re.search(r"(sino|not|só|solo|sólo)\s+(hasta|until|till|até)\s*(el|the|o|a)?\s*$", before, re.I):
            return "point"  # "no saldrá sino hasta el viernes": the day it happens
        if g.range_end and g.range_end.search(before + " ") and re.search(r"(hasta|until|till|até|through)\s*(el|the|o|a)?\s*$", before, re.I):
            return "end"
        if re.search(r"(desde|since|a\s+partir\s+de|a\s+partir\s+del)\s*(el|the|o|a)?\s*$", before, re.I):
            return "start"
        return "point"

    def add(s: int, e: int, value: str | None, *, precision: str = "day", relative: bool = False,
            value_end: str | None = None, role: str | None = None) -> None:
        taken.append((s, e))
        out.append(DateExpr(offset + s, offset + e, value, value_end, role or role_at(s), precision, relative))

    for kind, rx in g.patterns:
        for m in rx.finditer(text):
            s, e = m.span()
            if not free(s, e):
                continue
            gd = m.groupdict()
            if kind == "range":
                mon = _month_num(lex, gd["mon"])
                if not mon or pub is None and not gd.get("y"):
                    continue
                y = int(gd["y"]) if gd.get("y") else _year_for(mon, int(gd["d1"]), pub, None)
                d1, d2 = _valid(y, mon, int(gd["d1"])), _valid(y, mon, int(gd["d2"]))
                if d1 and d2:
                    add(s, e, d1.isoformat(), value_end=d2.isoformat(), role="point")
            elif kind == "full":
                mon = _month_num(lex, gd["mon"])
                if not mon:
                    continue
                if not gd.get("y") and _names_event(text, s, e, lex):
                    continue
                if gd.get("y"):
                    y = int(gd["y"])
                elif pub is not None:
                    y = _year_for(mon, int(gd["d"]), pub, tense_at(text, s, lex))
                    if gd.get("wd"):
                        wdn = lex.weekdays.get(fold(gd["wd"]))
                        for yy in (y, pub.year - 1, pub.year, pub.year + 1):
                            d = _valid(yy, mon, int(gd["d"]))
                            if d and d.weekday() == wdn:
                                y = yy
                                break
                else:
                    continue
                d = _valid(y, mon, int(gd["d"]))
                if d:
                    add(s, e, d.isoformat())
            elif kind == "monyear":
                mon = _month_num(lex, gd["mon"])
                if mon and (lex.lang == "en" or gd["mon"][0].islower() or s == 0 or text[s - 2:s].strip() in (".", "")):
                    add(s, e, f"{int(gd['y']):04d}-{mon:02d}", precision="month")
            elif kind == "dom":
                if pub is None:
                    continue
                day = int(gd.get("d") or gd.get("d2") or 0)
                if not 1 <= day <= 31:
                    continue
                tense = tense_at(text, s, lex)
                k = 0
                if tense == "past" and day > pub.day:
                    k = -1
                elif tense == "future" and day < pub.day:
                    k = 1
                elif tense is None and abs(day - pub.day) > 15:
                    k = -1 if day > pub.day else 1
                y, mo = _add_month(pub.year, pub.month, k)
                d = _valid(y, mo, day)
                if d:
                    add(s, e, d.isoformat())
            elif kind == "wdnum":
                if pub is None:
                    continue
                wdn = lex.weekdays.get(fold(gd["wd"]))
                day = int(gd.get("d") or gd.get("d_") or 0)
                if wdn is None or not 1 <= day <= 31:
                    continue
                d = _wdnum_date(wdn, day, pub)
                if d:
                    add(s, e, d.isoformat())
                else:
                    taken.append((s, e))  # inconsistent weekday and day: no date, not the weekday alone
            elif kind == "wd":
                if pub is None:
                    continue
                wdn = lex.weekdays.get(fold(gd["wd"]))
                if wdn is None:
                    continue
                if lex.lang == "pt" and fold(gd["wd"]) in ("segunda", "terca", "quarta", "quinta", "sexta") \
                        and not gd.get("pre"):
                    continue  # "segunda" alone is mostly "second"
                mods = {fold(x) for x in (gd.get("pre"), gd.get("post")) if x}
                if mods & g.next_words:
                    mode = "next"
                elif mods & g.last_words:
                    mode = "last"
                elif mods & {fold(w) for w in lex.words("this") if len(w) > 3 and w not in ("this coming",)}:
                    mode = "this"
                else:
                    mode = tense_at(text, s, lex) or ("past" if role_at(s) == "start" else "near")
                d = _weekday_date(wdn, pub, mode=mode)
                add(s, e, d.isoformat(), relative=True)
            elif kind == "year":
                y = int(gd["y"])
                add(s, e, f"{y:04d}", precision="year")
            elif kind == "yearend":
                if pub is None:
                    continue
                add(s, e, f"{pub.year:04d}-12-31")
            elif kind == "relmonth":
                word = gd.get("mon") or gd.get("mon2")
                mon = _month_num(lex, word)
                rl = fold(gd.get("rl") or gd.get("rl2") or "")
                if not mon or pub is None or lex.lang == "en" and word[0].islower():
                    continue
                if lex.lang != "en" and word[0].isupper() and s > 0 and text[max(0, s - 2):s].strip() not in ("", ".", "—"):
                    continue
                if rl in g.last_words:
                    y = pub.year if mon < pub.month else pub.year - 1
                elif rl in g.next_words:
                    y = pub.year if mon > pub.month else pub.year + 1
                else:
                    continue
                add(s, e, f"{y:04d}-{mon:02d}", precision="month")
            elif kind == "month":
                mon = _month_num(lex, gd["mon"])
                if not mon or pub is None:
                    continue
                word = gd["mon"]
                # Spanish and Portuguese write months in lower case; "Plaza de Mayo" is a name.
                if lex.lang != "en" and word[0].isupper() and s > 0 and text[max(0, s - 2):s].strip() not in ("", ".", "—"):
                    continue
                if lex.lang == "en" and (word[0].islower() or fold(word) == "may" and not gd.get("pre")):
                    continue
                if not gd.get("pre") and not gd.get("yr"):
                    continue  # a bare month name is too often something else
                if re.search(r"\d\s+$", text[max(0, s - 4):m.start("mon") - len(gd["pre"] or "")] + " "):
                    continue  # the month of a day set aside above ("los atentados del 11 de septiembre")
                rel = fold(gd.get("rel") or gd.get("rel2") or gd.get("rel3") or "")
                if gd.get("yr"):
                    if rel in ("pasado", "passado", "anterior", "last"):
                        y = pub.year - 1
                    elif rel in ("proximo", "que viene", "que vem", "siguiente", "next"):
                        y = pub.year + 1
                    else:
                        y = pub.year
                else:
                    y = _year_for(mon, None, pub, tense_at(text, s, lex))
                # the span starts at the month, so "desde"/"hasta" before it still give the role
                add(m.start("mon"), e, f"{y:04d}-{mon:02d}", precision="month")
    if pub is not None:
        for key, rx in g.word_rx:
            for m in rx.finditer(text):
                s, e = m.span()
                if not free(s, e):
                    continue
                if key == "tomorrow" and lex.lang == "es":
                    before = text[max(0, s - 12):s].lower()
                    if re.search(r"(la|esta|por la|de la|media|toda la)\s*$", before) or \
                            re.match(r"\s+(del|de\s+(este|esta|hoy))", text[e:e + 12].lower()):
                        continue  # "la mañana del lunes": the morning
                if key == "tomorrow" and lex.lang == "pt" and re.search(r"(de|da|pela|na)\s*$", text[max(0, s - 6):s].lower()):
                    continue
                val: str | None
                prec = "day"
                if key == "today":
                    val = pub.isoformat()
                elif key == "tomorrow":
                    val = (pub + dt.timedelta(days=1)).isoformat()
                elif key == "day_after_tomorrow":
                    val = (pub + dt.timedelta(days=2)).isoformat()
                elif key == "yesterday":
                    val = (pub - dt.timedelta(days=1)).isoformat()
                elif key == "day_before_yesterday":
                    val = (pub - dt.timedelta(days=2)).isoformat()
                elif key in ("next_month", "last_month"):
                    y, mo = _add_month(pub.year, pub.month, 1 if key == "next_month" else -1)
                    val, prec = f"{y:04d}-{mo:02d}", "month"
                elif key in ("next_year", "last_year"):
                    val, prec = f"{pub.year + (1 if key == 'next_year' else -1):04d}", "year"
                else:  # a week / a day after the previous date in the text
                    if re.match(r"\s+(de|del|da|do|of|after|que)\b", text[e:e + 8], re.I):
                        continue  # "un día después de su paso por X": counted from an event, not a date
                    prev = [d for d in out if d.start < offset + s and d.value and len(d.value) == 10]
                    if not prev:
                        continue
                    base = dt.date.fromisoformat(max(prev, key=lambda d: d.start).value)
                    val = (base + dt.timedelta(days=7 if key == "week_later" else 1)).isoformat()
                add(s, e, val, precision=prec, relative=True)
    for m in (lex.find("vague_time", text)):
        if free(*m.span()):
            add(m.start(), m.end(), None, role="vague", precision="none")
    out.sort(key=lambda d: d.start)
    return out


def resolve_one(phrase: str, *, published: str, lang: str = "es") -> str | None:
    """The value of the first date expression in a short phrase (for tests and quick checks)."""
    from .lexicon import load_lexicon

    found = [d for d in find_dates(phrase, published=published, lex=load_lexicon(lang)) if d.value]
    return found[0].value if found else None
