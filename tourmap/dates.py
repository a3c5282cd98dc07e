"""Date expressions in news text, resolved against the publication date with their precision.

A small grammar over the date words of the lexicon (one section per language): full dates
("21 de diciembre de 2025", "December 21, 2025", "Feb. 4", "Sunday (Aug 22)"), ranges ("del 18 al 20
de noviembre", "el 3 y 4 de marzo", "March 3–5", "entre os dias 8 e 10 de julho", "from Tuesday to
Thursday": `value` is the first day, `value_end` the last), weekday with day ("el martes 28",
"quarta-feira (17)"), weekday alone ("el pasado martes", "on Thursday") resolved by the tense of its
own clause, month alone ("en enero": the next one when the clause is about the future, the past one
otherwise), month and year, relative words (mañana, anoche, "mañana jueves", el próximo mes, "a
finales de mes", "este fin de semana", una semana más tarde, la víspera). Values are ISO strings with
the precision the text gives: "2025-12-22", "2026-01", "2026". Nothing is invented: an expression
that cannot be resolved yields no date.

The direction of a weekday alone comes from the verb nearest it in its own clause: past -> the last
such day; future, a plan, the day something is set for ("programada para el lunes"), a promise or
plan followed by an infinitive ("prometió regresar"), or a present-tense schedule verb close to it
("viaja el sábado", "his trip ends on Sunday") -> the next one (today when it is today). A verb
before a "que"/"that" belongs to the main clause and a comma between weighs against a verb. A
clause with no verb falls back on its sentence (there a present tense, as in a live blog's time
stamp, does not decide) and a subheading on the paragraph it heads; with nothing, the nearest such
day. In a schedule told by weekdays ("El miércoles... El jueves... El viernes..."), a weekday that
would fall today or before while the day just told is in the coming days is on or after that day.

"Este fin de semana" / "this weekend" is a range, Saturday to Sunday: the coming weekend (the current
one on a Saturday or Sunday). "La víspera" / "the day before" is the day before the day told just
before it (an unknown time, as before, when none was).

Time is linear in the length of the text: the anchors (months, weekdays, numbers, date words) are
found once, each pattern runs only in the stretches around its anchors, the characters already
taken are marked in a byte array (no list of spans scanned per match), and the tense of a date is
looked for within its clause, at most a few hundred characters either side.
"""
from __future__ import annotations

import bisect
import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from .lexicon import Lexicon, fold

Tense = str | None  # "past" | "future" | None (tense_at); dates also use "present"
_DETERMINER = re.compile(r"(?i)(?<![\wÀ-ÿ])(la|las|el|los|una|un|su|sus|esta|este|esa|ese|a|o|as|os|uma|um|the|an|its|his|her)\s+$")

_CLAUSE_BREAK = re.compile(r"[;:()—–]|\s-\s|,\s+(?:y|e|and|pero|but|mas|mientras|while)\s|\s(?:y|e|and)\s*,|\.\s")
# A date's own clause also ends at a line break (a heading, a list item) but not at the full stop of
# an abbreviation ("1 p. m. del domingo"). A clause without a verb falls back on its sentence (a live
# blog's "**Sábado, 18:30** — El presidente parte..."), and a subheading without a verb on the
# sentence it heads (a title, "# ...", stands alone).
_STOP = r"(?<![\s.(][A-Za-z])\.\s"
_DATE_CLAUSE = re.compile(_CLAUSE_BREAK.pattern.replace(r"\.\s", _STOP).replace("[;:()—–]", r"[;()—–]|(?<!\d):(?!\d)")
                          + r"|\n")  # ... nor at the colon of an hour ("a la 1:30 de la tarde del domingo")
_SENTENCE = re.compile(_STOP + r"|[!?…]\s|\.(?:\*\*|[\"”»'])\s|\n")
_TITLE = re.compile(r"\s*#")
_PRESENT_REACH = 60  # a present-tense verb dates a weekday only this close to it
_SCHEDULE_REACH = 1000  # a weekday of a clause without a verb follows a schedule's day only this close,
_LIST_REACH = 80  # ... and when it would be today, only right after it (the next line of a list)
_REACH = 400  # characters either side of a date within which its tense is looked for
_SCHEDULE_DAYS = 10  # a weekday chains after a day told just before only when that day is this close
_WORD = re.compile(r"[a-záéíóúâêôãõçàüñ]+")
_TOKEN = re.compile(r"[^\W_]+")
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s")
# Every pattern holds an anchor token (a month, a weekday, a number, a date word); patterns run only
# around their anchors, this far before and after (longer than any expression the grammar reads).
_REACH_OF = {"word": (50, 60), "vague": (50, 60)}
_BEFORE, _AFTER = 80, 150
# the anchor each kind of pattern holds
_ANCHOR = {"xrange": "mon", "drange": "mon", "full": "mon", "monyear": "mon", "relmonth": "mon", "month": "mon",
           "wrange": "wd", "wordwd": "wd", "wdnum": "wd", "wd": "wd", "dom": "num", "year": "num",
           "yearend": "yearend"}


@dataclass(frozen=True)
class DateExpr:
    """One date expression found in a text (offsets relative to that text)."""

    start: int
    end: int
    value: str | None  # None: a vague time ("más adelante") that ends the previous date's reach
    value_end: str | None = None  # the last day of a range ("del 18 al 20 de noviembre")
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


def _infinitive_rx(lex: Lexicon) -> re.Pattern[str] | None:
    """An infinitive right after a word: "regresar", "regressar", "to return" (from the lexicon)."""
    def build():
        marks = _alt(lex.words("infinitive_words"))
        if marks:
            return re.compile(rf"\s+(?:{marks})\s+[a-z]+", re.IGNORECASE)
        suf = _alt(lex.words("infinitive_suffixes"))
        if not suf:
            return None
        # one short word may come between ("se comprometió a volver")
        return re.compile(rf"(?:\s+[a-zçãõ]{{1,3}})?\s+[a-záéíóúâêôãõçñ]{{2,}}(?:{suf})(?:se|lo|la|le|los|las|nos|me)?(?![\wÀ-ÿ])",
                          re.IGNORECASE)
    return lex.compiled("dates.infinitive", build)


# "según informó la Presidencia", "como disse o ministro": the source's verb, an aside with no tense of its own
_ASIDE = re.compile(r"(?i)(?<![\wÀ-ÿ])(?:según|segundo|conforme|como|as)\s+$")


def _cues(seg: str, lex: Lexicon, *, present: bool = False, short: bool = False) -> list[tuple[int, int, str]]:
    """Tense cues in a stretch of text, in the order they are preferred on a tie: (start, end, tense).

    With `short` (for dates), a promise or plan followed by an infinitive ("prometeu regressar",
    "promised to return") is future and its own past tense does not count, four-letter inflected
    verbs ("voou", "pasó"), irregular past forms and a capitalised verb opening a clause count, and a
    capitalised cue inside a sentence is a name. With `present`, present-tense schedule verbs count
    as "present".
    """
    out: list[tuple[int, int, str]] = []
    masked: list[tuple[int, int]] = []
    inf = _infinitive_rx(lex) if short else None  # (for dates only: the stages' tense_at is unchanged)
    if inf is not None:
        for m in lex.find("intention", seg):
            i = inf.match(seg, m.end())
            if i:
                out.append((m.start(), i.end(), "future"))
                masked.append((m.start(), i.end()))

    def free(a: int) -> bool:
        return not any(s <= a < e for s, e in masked)

    def aside(a: int) -> bool:
        return bool(_ASIDE.search(seg[max(0, a - 12):a]))

    def name(m: re.Match) -> bool:
        """(for dates) a capitalised word inside a sentence is a name: "Irán" is not "irán" (they will go)."""
        k = m.start()
        if not short or not seg[k].isupper() or k == 0:
            return False
        before = seg[max(0, k - 3):k].rstrip(" *")
        return not before or before[-1] not in ".!?\n—–:;\"“«(-"

    for m in lex.find("planned", seg):
        out.append((m.start(), m.end(), "future"))
        masked.append((m.start(), m.end()))
    for m in lex.find("future", seg):
        if not name(m):
            out.append((m.start(), m.end(), "future"))
    for m in lex.find("past", seg):
        if free(m.start()) and not name(m) and not aside(m.start()):
            out.append((m.start(), m.end(), "past"))
    if short:  # irregular past forms the endings miss ("told", "voou")
        for m in lex.find("past_forms", seg):
            if free(m.start()):
                out.append((m.start(), m.end(), "past"))
    if present:
        for m in lex.find("present_verbs", seg):
            if free(m.start()) and not _DETERMINER.search(seg[max(0, m.start() - 6):m.start()]):
                out.append((m.start(), m.end(), "present"))
    fut = tuple(lex.words("future_suffixes"))
    past = tuple(lex.words("past_suffixes"))
    least = 4 if short and lex.lang != "en" else 5
    for m in _WORD.finditer(seg):
        w = m.group(0)
        if m.start() and seg[m.start() - 1].isupper():
            # a capital: a name, unless (for dates) the word opens the clause or sentence ("Llegó a Lima...")
            k = m.start() - 1
            before = seg[max(0, k - 3):k].rstrip(" *")
            if not short or k and seg[k - 1].isalpha() or before and before[-1] not in ".!?\n—–:;\"“«(-":
                continue
            w = seg[k].lower() + w
        if len(w) < least:
            continue
        if _DETERMINER.search(seg[max(0, m.start() - 6):m.start()]):
            continue  # "la cancillería", "una galería": a noun, not a verb
        if fut and w.endswith(fut):
            out.append((m.start(), m.end(), "future"))
        elif past and w.endswith(past) and free(m.start()) and not aside(m.start()):
            if re.match(r"\s+by\b", seg[m.end():m.end() + 4]) or re.search(r"\b(?:be|been|being)\s+$", seg[max(0, m.start() - 7):m.start()]):
                continue  # "communities threatened by mining", "will be greeted": a participle, not the story's tense
            if short and re.search(r"\b(?:is|are|am)\s+$", seg[max(0, m.start() - 5):m.start()]):
                continue  # "is expected on Monday": present
            out.append((m.start(), m.end(), "past"))
    return out


_THAT = re.compile(r"(?i)(?<![\wÀ-ÿ])(?:que|that)(?![\wÀ-ÿ])")
_COMMA = re.compile(r"[,()]")


def _nearest(cues: list[tuple[int, int, str]], lo: int, pos: int, *, end: int | None = None,
             present_reach: int | None = None, text: str | None = None) -> str | None:
    """The tense of the cue nearest [pos, end). With `text`, a cue before a "que"/"that" that comes
    before the date is the main clause's ("Anunció que el martes volverá"): it counts only when
    nothing nearer does."""
    best: tuple[int, str] | None = None
    end = pos if end is None else end
    for s, e, tense in cues:
        a, b = lo + s, lo + e
        d = 0 if a < end and pos < b else (pos - b if b <= pos else a - end)
        if text is not None and b <= pos and _THAT.search(text, b, pos):
            d += 1000
        if text is not None and _COMMA.search(text, *((b, pos) if b <= pos else (end, a))):
            d += 15  # "Biden, who visited Tel Aviv on Wednesday, is expected to...": a comma between weighs
        if tense == "present" and present_reach is not None and d > present_reach:
            continue
        if best is None or d < best[0]:
            best = (d, tense)
    return best[1] if best else None


def tense_at(text: str, pos: int, lex: Lexicon, *, window: tuple[int, int] | None = None) -> Tense:
    """The tense nearest a position inside its clause: planned cues and future/past forms."""
    lo, hi = window or clause_bounds(text, pos)
    return _nearest(_cues(text[lo:hi], lex), lo, pos)


def names_event(text: str, s: int, e: int, lex: Lexicon) -> bool:
    """"the September 11 attacks", "los atentados del 11 de septiembre": a date that names a past event
    (a topic noun right after it, or before it behind "de"), not a day of the story."""
    m = re.match(r"\s+([a-záéíóúâêôãõçñ]+)", text[e:e + 25])
    if lex.lang == "en" and m and lex.has("context_nouns", m.group(1)):
        return True
    m = re.search(r"([a-záéíóúâêôãõçñ]+)\s+(?:del|de|do|da|of\s+the|of)\s*$", text[max(0, s - 30):s])
    return bool(m and lex.has("context_nouns", m.group(1)))


def _link(words: list, *, required: bool) -> str:
    """The words between a day and its month (or a date and its year), as a regex."""
    optional = "" in words or not required
    body = _alt([w for w in words if w])
    if not body:
        return r"\s+"
    sep = r"\s*" if all(not w[-1].isalpha() for w in words if w) else r"\s+"
    return rf"(?:\s*(?:{body}){sep}|\s+)" if optional else rf"\s+(?:{body})\s+"


class DateGrammar:
    """The compiled date patterns of one language, built from its lexicon section."""

    def __init__(self, lex: Lexicon):
        self.lex = lex
        names = [str(k) for k in (lex.raw.get("months") or {})]
        # an abbreviation ("Feb", "Sept") may take a dot; a full name's dot ends the sentence
        short = [n for n in names if any(o != n and o.startswith(n) for o in names)]
        months = _alt(names)
        month_tok = rf"(?:{_alt(short)})\.(?!\d)|{months}" if short else months
        wdays = _alt(list((lex.raw.get("weekdays") or {}).keys()))
        nxt = _alt(lex.words("next"))
        last = _alt(lex.words("last"))
        this = _alt(lex.words("this"))
        order = lex.words("date_order") or ["day_month"]
        link = _link(lex.words("day_month_link") or ["de"], required=True)
        ylink = _link(lex.words("year_link") or ["de"], required=True)
        rw = lex.raw.get("range_words") or {}
        r_from = _alt(rw.get("from") or [])
        r_to = _alt(rw.get("to") or [])
        r_and = _alt(rw.get("and") or [])
        r_art = _alt(rw.get("article") or [])
        r_day = _alt(rw.get("day") or [])
        self.between = {fold(w) for w in rw.get("between") or []}
        self.and_words = {fold(w) for w in rw.get("and") or []}
        parts = r"(?:(?:la|de\s+la|por\s+la|en\s+la)\s+(?:noche|madrugada|mañana|tarde)\s+(?:del?|de\s+este|de\s+esta)\s+" \
                r"|(?:na|à|pela)\s+(?:noite|madrugada|manhã|tarde)\s+(?:de|da|do|desta|deste)\s+)?"
        B, E = r"(?<![\wÀ-ÿ])", r"(?![\wÀ-ÿ])"

        def day(name: str) -> str:
            # a day of the month, whole ("28" is never "2"), not an hour, a score or a figure
            return (rf"(?P<{name}>\d{{1,2}})(?!\d)(?:º|°|\.º|st|nd|rd|th)?(?![.,:h]\d)"
                    r"(?!\s*(?:h|hs|hrs|horas|hours|am|pm|a\.\s?m|p\.\s?m|%|mil|millones|million|km)(?![\wÀ-ÿ]))")

        def mon(name: str) -> str:
            return rf"(?P<{name}>{month_tok})"

        year = r"(?P<y>\d{4})(?!\d)"
        join = rf"(?P<join>\s*[-–—]\s*|\s+(?:{r_to}|{r_and})\s+)" if r_to or r_and else r"(?P<join>\s*[-–—]\s*)"
        art = rf"(?:(?:{r_art})\s+)?" if r_art else ""
        days = rf"(?:(?:{r_day})\s+)?" if r_day else ""
        opener = rf"(?:(?P<open>{r_from})\s+)?" if r_from else ""
        wd = rf"(?P<wd>{wdays})"
        pats: list[tuple[str, str]] = []
        # ranges first: "del 30 de junio al 2 de julio", "March 30 to April 2"
        for o in order:
            if o == "day_month":
                pats.append(("xrange", rf"{B}{opener}{days}{day('d1')}{link}{mon('m1')}{join}{art}{day('d2')}{link}{mon('m2')}(?:{ylink}{year})?{E}"))
            else:
                pats.append(("xrange", rf"{B}{opener}{mon('m1')}\s+{day('d1')}{join}{mon('m2')}\s+{day('d2')}(?:{ylink}{year})?{E}"))
        # "del 18 al 20 de noviembre", "los días 3, 4 y 5 de marzo", "3-5 March", "March 3–5", "between March 3 and 5"
        for o in order:
            more = rf"(?P<more>(?:\s*,\s*\d{{1,2}}(?!\d))*)"
            if o == "day_month":
                pats.append(("drange", rf"{B}{opener}{days}{day('d1')}{more}{join}{art}{day('d2')}{link}{mon('m2')}(?:{ylink}{year})?{E}"))
            else:
                pats.append(("drange", rf"{B}{opener}{mon('m2')}\s+{day('d1')}{more}{join}{art}{day('d2')}(?:{ylink}{year})?{E}"))
        # "del lunes 3 al miércoles 5", "from Tuesday to Thursday", "este viernes y sábado", "de terça a quinta-feira"
        wnum = lambda i: rf"(?:\s*,?\s*\(?\s*(?:{mon('ma' + i)}\s+)?{day('n' + i)}\s*\)?)?"  # noqa: E731
        pats.append(("wrange", rf"{B}{parts}{opener}(?:(?P<mod>{this}|{nxt}|{last})\s+)?(?P<w1>{wdays}){wnum('1')}{join}{art}(?P<w2>{wdays}){wnum('2')}(?:{link}{mon('mon')}(?:{ylink}{year})?)?{E}"))
        for o in order:  # "martes 4 de noviembre", "Tuesday, Feb. 4", "Sunday (Aug 22)", "el domingo (22 de agosto)"
            lead = rf"(?:{wd}\s*,?\s*(?P<par>\()?\s*)?"
            if o == "day_month":
                pats.append(("full", rf"{B}{lead}(?:the\s+)?{day('d')}{link}{mon('mon')}(?:{ylink}{year})?{E}(?:\s*\))?"))
            else:
                pats.append(("full", rf"{B}{lead}{mon('mon')}\s+{day('d')}(?:{ylink}{year})?{E}(?:\s*\))?"))
        pats.append(("monyear", rf"{B}{mon('mon')}{ylink}{year}{E}"))
        # "mañana jueves", "ayer lunes", "hoy, martes 4", "tomorrow (Thursday)"
        rel_words = []
        for key in ("today", "tomorrow", "yesterday"):
            rel_words += lex.date_words(key)
        if rel_words:
            pats.append(("wordwd", rf"{B}(?P<word>{_alt(rel_words)})\s*,?\s*\(?\s*{wd}(?:\s*,?\s*\(?\s*{day('d')}\s*\)?)?(?:\s*\))?{E}"))
        pats += [
            # "no dia 22", "el día 22", "on the 22nd": a day of the month with no month, near publication
            # "no próximo dia 9", "nos dias 9 e 10", "los días 9 y 10": the same, ahead, or two days
            ("dom", rf"{B}(?:(?:el|en\s+el|no|o|do|del|desde\s+el|hasta\s+el|on|the|on\s+the|los|nos|os)\s+)"
                    rf"(?:(?P<ahead>pr[oó]ximo|next)\s+)?(?:d[ií]as?\s+{day('d')}"
                    rf"(?:\s+(?:y|e|al|a|and)\s+(?P<dend>\d{{1,2}})(?![\d.,:]\d))?|(?P<d2>\d{{1,2}})(?:st|nd|rd|th))"
                    rf"(?!\s*(?:de|of)\s+\w)(?![\d.,:]\d){E}"),
            ("wdnum", rf"{B}{parts}(?:(?P<mod>{this}|{nxt})\s+)?{wd}(?P<comma>\s*,)?\s*(?:\(\s*{day('d')}\s*\)|{day('d_')})(?!\s*(?:de|of)\s+(?:{months}){E}){E}"),
            ("wd", rf"{B}{parts}(?:(?P<pre>{nxt}|{last}|{this})\s+)?{wd}(?:\s+(?P<post>{nxt}|{last}))?{E}"),
            ("year", rf"{B}(?:en|in|em|durante|during|de|del|of|for|para)\s+(?:el\s+año\s+|o\s+ano\s+de\s+)?(?P<y>(?:19|20)\d\d){E}(?![\d.,]\d)"),
            # "el último día del año", "on the last day of the year", "no último dia do ano"
            ("yearend", rf"{B}(?:(?:el|o|the|on\s+the|no)\s+)?(?:último|ultimo|last)\s+(?:día|dia|day)\s+(?:del|do|of\s+the)\s+(?:año|ano|year){E}"),
            # "last November", "el pasado noviembre", "noviembre pasado", "o último novembro"
            ("relmonth", rf"{B}(?:(?P<rl>{nxt}|{last})\s+(?P<mon>{months})|(?P<mon2>{months})\s+(?P<rl2>{nxt}|{last})){E}"),
            ("month", rf"{B}(?P<pre>(?:en|in|em|para|for|hacia|desde|hasta|until|since|a\s+principios\s+de|a\s+fines\s+de|a\s+finales\s+de|a\s+mediados\s+de|early|late|mid|no\s+início\s+de|no\s+fim\s+de|em\s+meados\s+de|de|del|do|da)\s+)?(?P<mon>{months})(?P<yr>\s+(?:del|do|de|of)\s+(?:(?:año|ano)\s+(?P<rel>pasado|passado|próximo|que\s+viene|que\s+vem|anterior|siguiente)|(?:este|esse|deste)\s+(?:año|ano)|(?P<rel2>last|next|this)\s+year)|\s+(?P<rel3>last|next|this)\s+year)?{E}"),
        ]
        self.patterns = [(k, re.compile(p, re.IGNORECASE)) for k, p in pats]
        # anchor tokens (lower case, as written and without accents) -> the anchor classes they belong to
        anchors: dict[str, set[str]] = {}

        def anchor(word: str, cls: str) -> None:
            for w in {word.lower(), fold(word)}:
                anchors.setdefault(w, set()).add(cls)

        for name in names:
            anchor(name, "mon")
        for name in (lex.raw.get("weekdays") or {}):
            anchor(str(name).split("-")[0], "wd")
        for w in ("año", "ano", "year"):
            anchor(w, "yearend")
        words = []
        for key in ("day_after_tomorrow", "day_before_yesterday", "today", "tomorrow", "yesterday",
                    "next_month", "last_month", "this_month", "next_year", "last_year", "week_later", "day_later",
                    "day_before", "this_weekend", "last_weekend", "week_ago"):
            for w in lex.date_words(key):
                words.append((w, key))
        # one pattern for every date word, longest first; the group that matched names the word's key
        self.word_keys: dict[str, str] = {}
        alts = []
        for i, (w, key) in enumerate(sorted(words, key=lambda x: -len(x[0]))):
            self.word_keys[f"w{i}"] = key
            alts.append(rf"(?P<w{i}>{_alt([w])})")
        self.words_rx = re.compile(B + "(?:" + "|".join(alts) + ")" + E, re.IGNORECASE) if alts else None
        common = {fold(w) for key in ("stopwords", "this", "next", "last") for w in lex.words(key)}
        for cls, phrases in (("word", [w for w, _ in words]), ("vague", lex.words("vague_time"))):
            for phrase in phrases:  # a phrase's longest uncommon word anchors it
                toks = _TOKEN.findall(phrase)
                if toks:
                    rare = [t for t in toks if fold(t) not in common] or toks
                    anchor(max(rare, key=len), cls)
        self.anchors = sorted((w, tuple(sorted(c))) for w, c in anchors.items())
        self.next_words = {fold(w) for w in lex.words("next")}
        self.last_words = {fold(w) for w in lex.words("last")}
        self.this_words = {fold(w) for w in lex.words("this") if len(w) > 3 and w != "this coming"}
        fd = _alt(lex.words("for_day"))
        self.for_day = re.compile(rf"(?<![\wÀ-ÿ])(?:{fd})\s+$", re.IGNORECASE) if fd else None
        self.past_aux = lex.rx("past_auxiliaries")
        self.range_end = lex.rx("range_end")


_GRAMMARS: dict[int, DateGrammar] = {}


def grammar(lex: Lexicon) -> DateGrammar:
    g = _GRAMMARS.get(id(lex))
    if g is None:
        g = _GRAMMARS[id(lex)] = DateGrammar(lex)
    return g


def _month_num(lex: Lexicon, name: str | None) -> int | None:
    return lex.months.get(fold(name).rstrip(".")) if name else None


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


def _dom_date(day: int, pub: dt.date, tense: Tense) -> dt.date | None:
    """A day of the month written alone ("el día 22"): this month, or the one before or after by tense."""
    k = 0
    if tense == "past" and day > pub.day:
        k = -1
    elif tense == "future" and day < pub.day:
        k = 1
    elif tense not in ("past", "future") and abs(day - pub.day) > 15:
        k = -1 if day > pub.day else 1
    y, mo = _add_month(pub.year, pub.month, k)
    return _valid(y, mo, day)


def _weekend(pub: dt.date, *, last: bool) -> tuple[dt.date, dt.date]:
    """Saturday and Sunday of the coming weekend (the current one on a Saturday or Sunday), or the last one."""
    wd = pub.weekday()
    if last:  # the weekend before this week's (on a weekend day, the one before it)
        sat = pub - dt.timedelta(days=(wd - 5) % 7 + (7 if wd >= 5 else 0))
    else:
        sat = pub + dt.timedelta(days=5 - wd) if wd <= 5 else pub - dt.timedelta(days=1)
    return sat, sat + dt.timedelta(days=1)


class _Found:
    """A date expression while the text is read (DateExpr is built at the end)."""

    __slots__ = ("start", "end", "value", "value_end", "role", "precision", "relative", "chain", "wd", "after")

    def __init__(self, start, end, value, value_end, role, precision, relative, *, chain=False, wd=None, after=None):
        self.start, self.end, self.value, self.value_end = start, end, value, value_end
        self.role, self.precision, self.relative = role, precision, relative
        self.chain = chain  # a weekday alone that may follow the day told before it: "future" | "none" | False
        self.wd = wd  # the weekday the text names, if any
        self.after = after  # counted from the day told before: +7, +1, -1 days


class _Reader:
    """One pass of the grammar over one text."""

    def __init__(self, text: str, pub: dt.date | None, lex: Lexicon):
        self.text, self.pub, self.lex = text, pub, lex
        self.g = grammar(lex)
        self.taken = bytearray(len(text))  # 1 where an expression already matched
        self.found: list[_Found] = []
        self._cue_memo: dict[tuple[int, int], list] = {}

    # -- bookkeeping
    def free(self, s: int, e: int) -> bool:
        return self.taken.find(1, s, e) < 0

    def take(self, s: int, e: int) -> None:
        self.taken[s:e] = b"\x01" * (e - s)

    def add(self, s: int, e: int, value: str | None, *, precision: str = "day", relative: bool = False,
            value_end: str | None = None, role: str | None = None, **kw) -> None:
        self.take(s, e)
        self.found.append(_Found(s, e, value, value_end, role or self.role_at(s), precision, relative, **kw))

    def role_at(self, s: int) -> str:
        text, g = self.text, self.g
        before = text[max(0, s - 20):s]
        if re.search(r"(sino|not|só|solo|sólo)\s+(hasta|until|till|até)\s*(el|the|o|a)?\s*$", before, re.I):
            return "point"  # "no saldrá sino hasta el viernes": the day it happens
        if g.range_end and g.range_end.search(before + " ") and re.search(r"(hasta|until|till|até|through)\s*(el|the|o|a)?\s*$", before, re.I):
            return "end"
        if re.search(r"(desde|since|a\s+partir\s+de|a\s+partir\s+del)\s*(el|the|o|a)?\s*$", before, re.I):
            return "start"
        return "point"

    # -- tense
    def _tense_in(self, lo: int, hi: int, pos: int, end: int, *, present_reach: int | None) -> str | None:
        cues = self._cue_memo.get((lo, hi))
        if cues is None:
            cues = self._cue_memo[(lo, hi)] = _cues(self.text[lo:hi], self.lex, present=True, short=True)
        return _nearest(cues, lo, pos, end=end, present_reach=present_reach, text=self.text)

    def tense(self, s: int, e: int) -> tuple[str | None, bool]:
        """The tense of the clause of [s, e) (past, future or present), else of its sentence; and
        whether it came from the clause itself. A present-tense verb counts only close to the date."""
        text = self.text
        for own, breaks in ((True, _DATE_CLAUSE), (False, _SENTENCE)):
            lo, hi = clause_bounds(text, s, breaks=breaks)
            lo, hi = max(lo, s - _REACH), min(hi, e + _REACH)
            t = self._tense_in(lo, hi, s, e, present_reach=_PRESENT_REACH if own else None)
            if t:
                return t, own
        line = text.rfind("\n", 0, s) + 1
        if text.startswith("\n", hi) and not _TITLE.match(text, line):
            nxt = hi + len(text[hi:hi + 8]) - len(text[hi:hi + 8].lstrip())  # the line below a subheading
            if nxt < len(text):
                lo2, hi2 = clause_bounds(text, nxt, breaks=_SENTENCE)
                t = self._tense_in(lo2, min(hi2, lo2 + _REACH), lo2, lo2, present_reach=None)
                if t:
                    return t, False
        return None, False

    def _for_day(self, s: int) -> bool:
        """"marcada para el lunes", "set for October": the day or month something is set for, ahead
        unless a past auxiliary says the plan itself is over ("was scheduled for October but...")."""
        g, text = self.g, self.text
        m = g.for_day.search(text, max(0, s - 12), s) if g.for_day else None
        if not m:
            return False
        if g.past_aux and g.past_aux.search(text, max(0, m.start() - 30), m.start()):
            lo, hi = clause_bounds(text, s, breaks=_SENTENCE)
            return not self.lex.has("cancelled", text[lo:hi])  # "estava prevista para março, mas foi adiada"
        return True

    def year_tense(self, s: int) -> Tense:
        """Past or future, to choose the year of a month or a day written without one."""
        if self._for_day(s):
            return "future"  # "marcou as eleições para março"; not "was scheduled for October"
        t, _ = self.tense(s, s + 1)
        return t if t in ("past", "future") else None

    def weekday_mode(self, s: int, e: int, mods: set[str]) -> tuple[str, str | bool]:
        """How to resolve a weekday: (mode, how it may chain after the day told before it: "future"
        for a future or present clause, "none" for a clause without a verb, False not at all)."""
        g = self.g
        if mods & g.next_words:
            return "next", False
        if mods & g.last_words:
            return "last", False
        if self._for_day(s):
            return "future", "future"  # "programados para el lunes", "scheduled for Monday"
        t, own = self.tense(s, e)
        if t != "future" and self.role_at(s) == "start":
            return "past", False  # "se encuentra en el país desde el jueves": since a day gone by
        if t == "present" and not own:
            t = None  # a live blog's "**Sábado, 18:30** — parte...": the present tells the past as well
        if mods & g.this_words:
            return {"past": "past", "future": "future", "present": "future"}.get(t or "", "near"), False
        if t == "past":
            return "past", False
        if t in ("future", "present"):
            return "future", "future"
        return "near", "none"

    # -- the patterns
    def _anchors(self) -> dict[str, list[tuple[int, int]]]:
        """Where the anchor words are, by class (each word's occurrences found by str.find, at C speed)."""
        text = self.text
        low = text.lower()
        found: dict[str, list[tuple[int, int]]] = {"num": [m.span() for m in _DIGITS.finditer(text)]}
        if len(low) != len(text):  # a character whose lower case is longer: look word by word
            for m in _TOKEN.finditer(text):
                for w in {m.group().lower(), fold(m.group())}:
                    for cls in dict(self.g.anchors).get(w, ()):
                        found.setdefault(cls, []).append(m.span())
            return found
        n = len(text)
        for w, classes in self.g.anchors:
            i = low.find(w)
            while i >= 0:
                j = i + len(w)
                if (i == 0 or not low[i - 1].isalnum()) and (j == n or not low[j].isalnum()):
                    for cls in classes:
                        found.setdefault(cls, []).append((i, j))
                i = low.find(w, j)
        return found

    def _windows(self) -> dict[str, list[tuple[int, int]]]:
        """Where each class of anchor is, as merged stretches of text a pattern may match in."""
        text = self.text
        spans: dict[str, list[tuple[int, int]]] = {}
        for cls, where in self._anchors().items():
            before, after = _REACH_OF.get(cls, (_BEFORE, _AFTER))
            out: list[tuple[int, int]] = []
            for a, b in sorted(where):
                lo, hi = max(0, a - before), b + after
                if out and lo <= out[-1][1]:
                    out[-1] = (out[-1][0], hi)
                else:
                    out.append((lo, hi))
            for i, (lo, hi) in enumerate(out):
                sp = _SPACE.search(text, hi) if hi < len(text) else None
                out[i] = (lo, sp.start() if sp else len(text))  # never end a stretch inside a word
            spans[cls] = out
        return spans

    def _matches(self, rx: re.Pattern[str] | None, windows: list[tuple[int, int]]):
        if rx is not None:
            for lo, hi in windows:
                yield from rx.finditer(self.text, lo, hi)

    def read(self) -> None:
        windows = self._windows()
        for kind, rx in self.g.patterns:
            handle = getattr(self, "_" + kind)
            for m in self._matches(rx, windows.get(_ANCHOR[kind], [])):
                if self.free(*m.span()):
                    handle(m)
        if self.pub is not None:
            self._words(self._matches(self.g.words_rx, windows.get("word", [])))
        for m in self._matches(self.lex.rx("vague_time"), windows.get("vague", [])):
            if self.free(*m.span()):
                self.add(m.start(), m.end(), None, role="vague", precision="none")
        self.found.sort(key=lambda f: f.start)
        if self.pub is not None:
            self._in_order()

    def _full_date(self, mon: int, day: int, y: str | None, s: int, wdn: int | None = None) -> dt.date | None:
        pub = self.pub
        if y:
            return _valid(int(y), mon, day)
        if pub is None:
            return None
        yy = _year_for(mon, day, pub, self.year_tense(s))
        if wdn is not None:
            for cand in (yy, pub.year, pub.year - 1, pub.year + 1):
                d = _valid(cand, mon, day)
                if d and d.weekday() == wdn:
                    return d
        return _valid(yy, mon, day)

    def _range(self, m: re.Match, s: int, e: int, d1: dt.date | None, d2: dt.date | None, *, relative=False) -> bool:
        if d1 and d2 and d1 < d2 and (d2 - d1).days <= 62:
            self.add(s, e, d1.isoformat(), value_end=d2.isoformat(), role="point", relative=relative)
            return True
        return False

    def _is_and(self, m: re.Match) -> bool:
        return fold(m.group("join").strip()) in self.g.and_words

    def _between(self, m: re.Match) -> bool:
        op = m.groupdict().get("open")
        return bool(op) and fold(op.split()[0]) in self.g.between

    def _xrange(self, m: re.Match) -> None:
        gd = m.groupdict()
        m1, m2 = _month_num(self.lex, gd["m1"]), _month_num(self.lex, gd["m2"])
        if not m1 or not m2 or self.pub is None and not gd.get("y"):
            return
        if self._is_and(m) and not self._between(m):
            return  # "el 3 de marzo y el 5 de abril": two days, each read on its own
        day1, day2 = int(gd["d1"]), int(gd["d2"])
        if gd.get("y"):
            y2 = int(gd["y"])
            d2 = _valid(y2, m2, day2)
            d1 = _valid(y2 - (1 if m1 > m2 else 0), m1, day1)
        else:
            d1 = self._full_date(m1, day1, None, m.start())
            d2 = _valid(d1.year + (1 if m1 > m2 else 0), m2, day2) if d1 else None
        self._range(m, m.start(), m.end(), d1, d2)

    def _drange(self, m: re.Match) -> None:
        gd = m.groupdict()
        mon = _month_num(self.lex, gd["m2"])
        if not mon or self.pub is None and not gd.get("y"):
            return
        first, last = int(gd["d1"]), int(gd["d2"])
        days = [first] + [int(x) for x in re.findall(r"\d{1,2}", gd.get("more") or "")] + [last]
        d1 = self._full_date(mon, first, gd.get("y"), m.start())
        if d1 is None:
            return
        consecutive = all(b == a + 1 for a, b in zip(days, days[1:]))
        if self._is_and(m) and not self._between(m) and not consecutive:
            # "los días 3 y 10 de marzo": two days of the same month, each a point
            if not all(1 <= x <= 31 for x in days) or any(b <= a for a, b in zip(days, days[1:])):
                return
            self.take(m.start(), m.end())
            spans = [(m.start(), m.end("d1"))]
            if gd.get("more"):
                base = m.start("more")
                spans += [(base + x.start(), base + x.end()) for x in re.finditer(r"\d{1,2}", gd["more"])]
            spans.append((m.start("d2"), m.end()))
            for (a, b), x in zip(spans, days):
                d = _valid(d1.year, mon, x)
                if d:
                    self.found.append(_Found(a, b, d.isoformat(), None, self.role_at(a), "day", False))
            return
        d2 = _valid(d1.year, mon, last)
        self._range(m, m.start(), m.end(), d1, d2)

    def _wrange(self, m: re.Match) -> None:
        gd = m.groupdict()
        lex, pub = self.lex, self.pub
        w1, w2 = lex.weekdays.get(fold(gd["w1"])), lex.weekdays.get(fold(gd["w2"]))
        if w1 is None or w2 is None or pub is None:
            return
        if lex.lang == "pt" and "-" not in gd["w1"] + gd["w2"] and not gd.get("open") and not gd.get("mod"):
            return  # "segunda e terça" alone may be ordinals
        n1, n2 = gd.get("n1"), gd.get("n2")
        mon = _month_num(lex, gd.get("mon") or gd.get("ma2") or gd.get("ma1"))
        if n1 and n2:
            if mon:
                d2 = self._full_date(mon, int(n2), gd.get("y"), m.start(), w2)
                m1 = _month_num(lex, gd.get("ma1")) or (mon if int(n1) < int(n2) else mon - 1 or 12)
                d1 = _valid(d2.year - (1 if m1 > mon else 0), m1, int(n1)) if d2 else None
            else:
                d1, d2 = _wdnum_date(w1, int(n1), pub), _wdnum_date(w2, int(n2), pub)
            if not (d1 and d1.weekday() == w1 and d2 and d2.weekday() == w2):
                return
            if self._range(m, m.start(), m.end(), d1, d2):
                self.found[-1].wd = w1
            return
        if n1 or n2 or mon:
            return
        if self._is_and(m) and not self._between(m) and (w2 - w1) % 7 != 1:
            return  # "el lunes y el jueves": two days, each read on its own
        mods = {fold(gd["mod"])} if gd.get("mod") else set()
        mode, chain = self.weekday_mode(m.start(), m.end(), mods)
        d1 = _weekday_date(w1, pub, mode=mode)
        d2 = d1 + dt.timedelta(days=(w2 - w1) % 7 or 7)
        if self._range(m, m.start(), m.end(), d1, d2, relative=True):
            self.found[-1].chain, self.found[-1].wd = chain, w1

    def _full(self, m: re.Match) -> None:
        gd = m.groupdict()
        mon = _month_num(self.lex, gd["mon"])
        if not mon:
            return
        s, e = m.span()
        if gd.get("par") is None and self.text[e - 1:e] == ")":
            e = len(self.text[:e].rstrip(")").rstrip())
        if not gd.get("y") and names_event(self.text, s, e, self.lex):
            return
        wdn = self.lex.weekdays.get(fold(gd["wd"])) if gd.get("wd") else None
        d = self._full_date(mon, int(gd["d"]), gd.get("y"), s, wdn)
        if d:
            self.add(s, e, d.isoformat(), wd=wdn)

    def _monyear(self, m: re.Match) -> None:
        gd = m.groupdict()
        mon = _month_num(self.lex, gd["mon"])
        s = m.start()
        if mon and (self.lex.lang == "en" or gd["mon"][0].islower() or s == 0 or self.text[s - 2:s].strip() in (".", "")):
            self.add(s, m.end(), f"{int(gd['y']):04d}-{mon:02d}", precision="month")

    def _wordwd(self, m: re.Match) -> None:
        """"mañana jueves", "ayer lunes", "hoy, martes 4": the word's day, the weekday checking it."""
        pub = self.pub
        if pub is None:
            return
        key = self._word_key(m.group("word"))
        if key is None or key == "tomorrow" and self._morning(m.start(), m.start() + len(m.group("word"))):
            return
        base = pub + dt.timedelta(days={"today": 0, "tomorrow": 1, "yesterday": -1}[key])
        wdn = self.lex.weekdays.get(fold(m.group("wd")))
        if wdn is None:
            return
        if base.weekday() != wdn:
            # written the day before it was published, or the other way round: the weekday decides
            near = [base + dt.timedelta(days=k) for k in (-1, 1, -2, 2) if (base + dt.timedelta(days=k)).weekday() == wdn]
            if not near:
                return
            base = near[0]
        if m.group("d") and int(m.group("d")) != base.day:
            return
        self.add(m.start(), m.end(), base.isoformat(), relative=True, wd=wdn)

    def _word_key(self, word: str) -> str | None:
        w = fold(" ".join(word.split()))
        for key in ("today", "tomorrow", "yesterday"):
            if w in {fold(x) for x in self.lex.date_words(key)}:
                return key
        return None

    def _dom(self, m: re.Match) -> None:
        if self.pub is None:
            return
        gd = m.groupdict()
        day = int(gd.get("d") or gd.get("d2") or 0)
        if not 1 <= day <= 31:
            return
        d = _dom_date(day, self.pub, "future" if gd.get("ahead") else self.year_tense(m.start()))
        if not d:
            return
        end = int(gd.get("dend") or 0)
        if end > day:
            d_end = _valid(d.year, d.month, end)
            self.add(m.start(), m.end(), d.isoformat(), value_end=d_end.isoformat() if d_end else None)
        else:
            self.add(m.start(), m.end(), d.isoformat())

    def _wdnum(self, m: re.Match) -> None:
        pub = self.pub
        if pub is None:
            return
        gd = m.groupdict()
        wdn = self.lex.weekdays.get(fold(gd["wd"]))
        day = int(gd.get("d") or gd.get("d_") or 0)
        if wdn is None or not 1 <= day <= 31:
            return
        d = _wdnum_date(wdn, day, pub)
        if d:
            self.add(m.start(), m.end(), d.isoformat(), wd=wdn)
        elif gd.get("comma"):
            # "el martes, 25 personas...": a number after the comma that is not the weekday's day
            self._weekday(m.start(), m.end("wd"), wdn, {fold(gd["mod"])} if gd.get("mod") else set())
        else:
            self.take(m.start(), m.end())  # inconsistent weekday and day: no date, not the weekday alone

    def _wd(self, m: re.Match) -> None:
        pub, lex = self.pub, self.lex
        if pub is None:
            return
        gd = m.groupdict()
        wdn = lex.weekdays.get(fold(gd["wd"]))
        if wdn is None:
            return
        if lex.lang == "pt" and fold(gd["wd"]) in ("segunda", "terca", "quarta", "quinta", "sexta") and \
                fold(gd.get("pre") or "a") in ("a", "o", "as", "os"):
            return  # "segunda" alone, or "a segunda vez", is mostly "second"
        if self._a_name(m.start("wd")) and not gd.get("pre"):
            return
        self._weekday(m.start(), m.end(), wdn, {fold(x) for x in (gd.get("pre"), gd.get("post")) if x})

    def _a_name(self, s: int) -> bool:
        """"Santo Domingo", "Hotel Casa Santo Domingo": Spanish and Portuguese write weekdays in lower
        case, so a capitalised one inside a sentence is (part of) a name."""
        if self.lex.lang == "en" or not self.text[s].isupper():
            return False
        before = self.text[max(0, s - 3):s].rstrip(" \t")
        return bool(before) and before[-1] not in ".\n*#-—–:(¿¡\"“«>|"

    def _weekday(self, s: int, e: int, wdn: int, mods: set[str]) -> None:
        mode, chain = self.weekday_mode(s, e, mods)
        d = _weekday_date(wdn, self.pub, mode=mode)
        self.add(s, e, d.isoformat(), relative=True, chain=chain, wd=wdn)

    def _year(self, m: re.Match) -> None:
        self.add(m.start(), m.end(), f"{int(m.group('y')):04d}", precision="year")

    def _yearend(self, m: re.Match) -> None:
        if self.pub is not None:
            self.add(m.start(), m.end(), f"{self.pub.year:04d}-12-31")

    def _relmonth(self, m: re.Match) -> None:
        gd, lex, pub, text = m.groupdict(), self.lex, self.pub, self.text
        word = gd.get("mon") or gd.get("mon2")
        mon = _month_num(lex, word)
        rl = fold(gd.get("rl") or gd.get("rl2") or "")
        s = m.start()
        if not mon or pub is None or lex.lang == "en" and word[0].islower():
            return
        if lex.lang != "en" and word[0].isupper() and s > 0 and text[max(0, s - 2):s].strip() not in ("", ".", "—"):
            return
        if rl in self.g.last_words:
            y = pub.year if mon < pub.month else pub.year - 1
        elif rl in self.g.next_words:
            y = pub.year if mon > pub.month else pub.year + 1
        else:
            return
        self.add(s, m.end(), f"{y:04d}-{mon:02d}", precision="month")

    def _month(self, m: re.Match) -> None:
        gd, lex, pub, text = m.groupdict(), self.lex, self.pub, self.text
        mon = _month_num(lex, gd["mon"])
        if not mon or pub is None:
            return
        s, e = m.span()
        word = gd["mon"]
        # Spanish and Portuguese write months in lower case; "Plaza de Mayo" is a name.
        if lex.lang != "en" and word[0].isupper() and s > 0 and text[max(0, s - 2):s].strip() not in ("", ".", "—"):
            return
        if lex.lang == "en" and (word[0].islower() or fold(word) == "may" and not gd.get("pre")):
            return
        if not gd.get("pre") and not gd.get("yr"):
            return  # a bare month name is too often something else
        if re.search(r"\d\s+$", text[max(0, s - 4):m.start("mon") - len(gd["pre"] or "")] + " "):
            return  # the month of a day set aside above ("los atentados del 11 de septiembre")
        rel = fold(gd.get("rel") or gd.get("rel2") or gd.get("rel3") or "")
        if gd.get("yr"):
            if rel in ("pasado", "passado", "anterior", "last"):
                y = pub.year - 1
            elif rel in ("proximo", "que viene", "que vem", "siguiente", "next"):
                y = pub.year + 1
            else:
                y = pub.year
        else:
            y = _year_for(mon, None, pub, self.year_tense(m.start("mon")))
        # the span starts at the month, so "desde"/"hasta" before it still give the role
        self.add(m.start("mon"), e, f"{y:04d}-{mon:02d}", precision="month")

    # -- date words
    def _morning(self, s: int, e: int) -> bool:
        """"la mañana del lunes", "de manhã": the morning, not tomorrow."""
        text, lang = self.text, self.lex.lang
        if lang == "es":
            before = text[max(0, s - 12):s].lower()
            return bool(re.search(r"(la|esta|por la|de la|media|toda la)\s*$", before) or
                        re.match(r"\s+(del|de\s+(este|esta|hoy))", text[e:e + 12].lower()))
        if lang == "pt":
            return bool(re.search(r"(de|da|pela|na)\s*$", text[max(0, s - 6):s].lower()))
        return False

    def _words(self, matches) -> None:
        g, pub, text = self.g, self.pub, self.text
        for m in matches:
            s, e = m.span()
            if not self.free(s, e):
                continue
            key = g.word_keys[m.lastgroup]
            if key == "tomorrow" and self._morning(s, e):
                continue
            val: str | None
            val_end = None
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
            elif key == "week_ago":
                val = (pub - dt.timedelta(days=7)).isoformat()
            elif key in ("next_month", "last_month", "this_month"):
                y, mo = _add_month(pub.year, pub.month, {"next_month": 1, "last_month": -1}.get(key, 0))
                val, prec = f"{y:04d}-{mo:02d}", "month"
            elif key in ("next_year", "last_year"):
                val, prec = f"{pub.year + (1 if key == 'next_year' else -1):04d}", "year"
            elif key in ("this_weekend", "last_weekend"):
                sat, sun = _weekend(pub, last=key == "last_weekend")
                val, val_end = sat.isoformat(), sun.isoformat()
            else:  # a week / a day after (or the day before) the day told before it in the text
                if re.match(r"\s+(de|del|da|do|of|after|before|que|the|his|her|its|their)\b", text[e:e + 8], re.I):
                    if key == "day_before":
                        self.add(s, e, None, role="vague", precision="none")
                    continue  # "un día después de su paso por X": counted from an event, not a date
                self.add(s, e, None, relative=True, after={"week_later": 7, "day_later": 1, "day_before": -1}[key])
                continue
            self.add(s, e, val, precision=prec, relative=True, value_end=val_end)

    # -- what needs the dates before it: counted days and schedules told by weekday
    def _in_order(self) -> None:
        pub = self.pub
        last_day: dt.date | None = None  # the day told last (a range's last day): what "al día siguiente" counts from
        first_day: dt.date | None = None  # ... and its first day: what "la víspera" counts from
        sched: dt.date | None = None  # the first day of the last point told with a weekday (a schedule)
        sched_end = 0  # ... where it ends in the text
        shifted = False  # ... and whether that one followed the day before it
        soon = pub + dt.timedelta(days=_SCHEDULE_DAYS)
        for f in self.found:
            moved = False
            if f.after is not None:
                if last_day is None:
                    f.role, f.precision, f.relative = "vague", "none", False
                    continue  # "la víspera" with no day told before it: a time, unknown
                base = first_day if f.after < 0 else last_day  # the eve of a range is before its first day
                f.value = (base + dt.timedelta(days=f.after)).isoformat()
            elif f.chain and f.value and sched is not None and pub < sched <= soon:
                d = dt.date.fromisoformat(f.value)
                # "El miércoles... El jueves... El viernes...": a weekday told after a day of the coming
                # days is on or after that day when it would otherwise fall today or before (or when the
                # schedule already ran past this week)
                gap = f.start - sched_end
                near = f.chain == "future" or gap <= (_LIST_REACH if d == pub else _SCHEDULE_REACH)
                if d < sched and near and (d <= pub or shifted):
                    shift = (sched - d).days + (d.weekday() - sched.weekday()) % 7
                    f.value = (d + dt.timedelta(days=shift)).isoformat()
                    if f.value_end:
                        f.value_end = (dt.date.fromisoformat(f.value_end) + dt.timedelta(days=shift)).isoformat()
                    moved = True
            if f.value and f.precision == "day" and f.role != "vague":
                last_day = dt.date.fromisoformat(f.value_end or f.value)
                first_day = dt.date.fromisoformat(f.value)
                if f.role == "point" and f.wd is not None:
                    sched, sched_end, shifted = dt.date.fromisoformat(f.value), f.end, moved


def find_dates(text: str, *, published: str | None, lex: Lexicon, offset: int = 0) -> list[DateExpr]:
    """Every date expression in `text`, resolved against `published` (YYYY-MM-DD), in text order."""
    pub = None
    if published:
        try:
            pub = dt.date.fromisoformat(published[:10])
        except ValueError:
            pub = None
    r = _Reader(text, pub, lex)
    r.read()
    return [DateExpr(offset + f.start, offset + f.end, f.value, f.value_end, f.role, f.precision, f.relative)
            for f in r.found]


def resolve_one(phrase: str, *, published: str, lang: str = "es") -> str | None:
    """The value of the first date expression in a short phrase (for tests and quick checks)."""
    from .lexicon import load_lexicon

    found = [d for d in find_dates(phrase, published=published, lex=load_lexicon(lang)) if d.value]
    return found[0].value if found else None
