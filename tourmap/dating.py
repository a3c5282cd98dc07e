"""Which date belongs to which stop.

The date grammar (dates.py) finds every date expression of an article with its value; here each
assembled stop is paired with the expressions told near it, each pair gets a feature record
(same clause, sentence distance, tense agreement, precision, whether the hand-written rule chose
it...), and the trained `date` decision (decide.py) scores the pairs. The stop takes the best
expression when its probability clears the model's threshold, else no date: a date the text does
not give is worse than none.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .dates import DateExpr, clause_bounds, tense_at
from .mentions import sentence_index

WINDOW = 2  # sentences before and after a stop's own sentences whose dates it may take


@dataclass
class DateChoice:
    """One date expression considered for one stop."""

    expr: DateExpr
    features: dict[str, float]
    prob: float = 0.0


def reporting_date(text: str, d: DateExpr, lex) -> bool:
    """"informou nesta segunda-feira", "said on Tuesday": when the news was told, not the visit."""
    before = text[max(0, d.start - 20):d.start]
    after = text[d.end:d.end + 20]
    if any(not before[m.end():].strip() for m in lex.find("speech_verbs", before)):
        return True
    return any(not after[:m.start()].strip(" ,") for m in lex.find("speech_verbs", after))


def _days(value: str, pub: dt.date | None) -> int | None:
    if pub is None or len(value) != 10:
        return None
    try:
        return (dt.date.fromisoformat(value) - pub).days
    except ValueError:
        return None


_BREAK = re.compile(r"[,;:()\u2014\u2013]")


def _segment(text: str, start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
    """The stretch between punctuation marks around a date expression, within its sentence."""
    before = [m.end() for m in _BREAK.finditer(text, lo, start)]
    after = _BREAK.search(text, end, hi)
    return (before[-1] if before else lo), (after.start() if after else hi)


def date_choices(ctx, stop, *, status: str | None, rule_value: str | None, users: dict[int, int],
                 others: list[list[int]] = ()) -> list[DateChoice]:
    """The date expressions a stop could take, each with its features.

    `ctx` is the tour stage's article context, `stop` an assembled candidate (its sentences in
    `evidence`, its mentions at `pos` and `positions`), `rule_value` the date the rules gave it,
    `users` how many stops' sentences hold each expression (by start offset), `others` where the
    other stops are named (text offsets).
    """
    sents = ctx.sents
    own = sorted(set(stop.evidence))
    if not own:
        return []
    pub = dt.date.fromisoformat(ctx.pub[:10]) if ctx.pub else None
    lo_s, hi_s = max(0, own[0] - WINDOW), min(len(sents) - 1, own[-1] + WINDOW)
    positions = [stop.pos, *stop.positions]
    mention_sents = {sentence_index(sents, p) for p in positions}
    out = []
    for d in ctx.dates_in(sents[lo_s].start, sents[hi_s].end):
        if not d.value or d.role == "end":
            continue
        si = sentence_index(sents, d.start)
        s = sents[si]
        f: dict[str, float] = {}
        dist = min(abs(si - o) for o in own)
        f["same_sentence"] = float(dist == 0)
        f["mention_sentence"] = float(si in mention_sents)
        f["sentence_distance"] = dist / WINDOW
        f["before_stop"] = float(si < own[0])
        f["after_stop"] = float(si > own[-1])
        f["same_paragraph"] = float(ctx.paragraph_of[si] == ctx.paragraph_of[sentence_index(sents, stop.pos)])
        near = [p for p in positions if sentence_index(sents, p) == si]
        if near:
            p = min(near, key=lambda p: abs(p - d.start))
            rel_d, rel_p = d.start - s.start, p - s.start
            lo, hi = clause_bounds(s.text, rel_p)
            f["same_clause"] = float(lo <= rel_d < hi)
            f["char_distance"] = min(abs(rel_d - rel_p), 200) / 200.0
            f["date_first"] = float(rel_d < rel_p)
            a, b = sorted((d.start, p))
            f["place_between"] = float(any(a < pm.span.start < b and pm.candidates
                                           for pm in ctx.places_in.get(si, ())))
        else:
            f["char_distance"] = 1.0
        # "Tras reunirse con Milei en Argentina, este lunes 22 se verá con Noboa en Ecuador": a date
        # belongs to the stop named nearest to it
        here = min(abs(p - d.start) for p in positions)
        f["nearest_stop"] = float(all(here <= abs(q - d.start) for o in others for q in o))
        a, b = _segment(ctx.text, d.start, d.end, s.start, s.end)
        f["segment_has_stop"] = float(any(a <= p < b for p in positions))
        f["segment_has_other"] = float(any(a <= q < b for o in others for q in o))
        f["precision_day"] = float(d.precision == "day")
        f["precision_month"] = float(d.precision == "month")
        f["precision_year"] = float(d.precision == "year")
        f["relative"] = float(d.relative)
        f["range"] = float(bool(d.value_end))
        f["role_start"] = float(d.role == "start")
        f["rule_choice"] = float(bool(rule_value) and d.value == rule_value)
        f["rule_none"] = float(not rule_value)
        f["rule_other"] = float(bool(rule_value) and d.value != rule_value)
        days = _days(d.value, pub)
        f["days_from_pub"] = 0.0 if days is None else max(-30, min(30, days)) / 30.0
        f["far_from_pub"] = float(days is not None and abs(days) > 20)
        if pub is not None and status:
            n = len(d.value)
            before = d.value <= pub.isoformat()[:n]
            f["agrees_status"] = float(before if status == "completed" else d.value >= pub.isoformat()[:n])
        f["background"] = float(si in ctx.background)
        f["header"] = float(si in ctx.headers)
        f["reporting"] = float(reporting_date(ctx.text, d, ctx.lex))
        tense = tense_at(s.text, d.start - s.start, ctx.lex)
        f["tense_past"] = float(tense == "past")
        f["tense_future"] = float(tense == "future")
        f["shared"] = min(users.get(d.start, 0), 4) / 4.0
        f["n_choices_in_sentence"] = min(sum(1 for x in ctx.dates_in(s.start, s.end) if x.value), 4) / 4.0
        out.append(DateChoice(d, f))
    return out


def choose(choices: list[DateChoice], model) -> DateChoice | None:
    """The most probable expression when it clears the model's threshold."""
    if not choices:
        return None
    for c in choices:
        c.prob = model.prob(c.features)
    best = max(choices, key=lambda c: (c.prob, -c.expr.start))
    return best if best.prob >= model.threshold else None

