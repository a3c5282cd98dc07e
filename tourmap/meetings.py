"""Who the traveler met at which stop.

Each assembled stop is paired with the people named in and around its sentences; each pair gets
a feature record (a meeting word before the name, a host verb after it, a companion or source
word, the person's office and country against the stop's and the traveler's, whether the
hand-written rules put the person at this stop or another...), and the trained `met` decision
(decide.py) keeps the people whose probability clears its threshold. The traveler is never met.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .dates import clause_bounds
from .lexicon import fold
from .models import PersonMention
from .people import ROMAN

WINDOW = 1  # sentences around a stop's own sentences where the people it met may be named
LEADERS = ("president", "head_of_government", "monarch", "crown_prince", "pope")
_ACCORDING = re.compile(r"(?i)(?<![\wÀ-ÿ])(?:según|segundo|conforme|according\s+to|said|dijo|disse|afirmó|afirmou)"
                        r"[^.;:]{0,40}$")


@dataclass
class MetChoice:
    """One person considered for one stop (every mention of them near it, the strongest kept)."""

    name: str  # canonical name
    shown: str  # as the article writes it in full
    features: dict[str, float]
    first: int  # where they are first named near the stop
    prob: float = 0.0


def surname(name: str) -> str:
    """The word that names a person on its own: "Felipe VI" is Felipe, not "VI"."""
    parts = [w for w in fold(name).replace(".", " ").split() if not ROMAN.match(w.upper())]
    return parts[-1] if parts else fold(name)


def met_choices(ctx, stop, *, people_in: dict[int, list[PersonMention]], traveler: str | None,
                home: str | None, rule_met: set[str], elsewhere: set[str], written: dict[str, str],
                counts: dict[str, int], others: list[list[int]] = ()) -> list[MetChoice]:
    """The people a stop could have met, each with its features.

    `rule_met` / `elsewhere`: surnames the rules put at this stop / at another stop; `written`:
    canonical name -> the fullest form in the text; `counts`: mentions per canonical name;
    `others`: where the other stops are named (text offsets).
    """
    own = sorted(set(stop.evidence))
    if not own:
        return []
    lex, sents = ctx.lex, ctx.sents
    own_office_country = home
    positions = [stop.pos, *stop.positions]
    lo_s, hi_s = max(0, own[0] - WINDOW), min(len(sents) - 1, own[-1] + WINDOW)
    best: dict[str, MetChoice] = {}
    for si in range(lo_s, hi_s + 1):
        s = sents[si]
        for p in people_in.get(si, ()):
            if traveler and (p.name == traveler or surname(p.name) == surname(traveler)):
                continue
            rel = p.span.start - s.start
            end = p.span.end - s.start
            before = s.text[max(0, rel - 70):rel]
            after = s.text[end:end + 60]
            lo, hi = clause_bounds(s.text, rel)
            f: dict[str, float] = {}
            dist = min(abs(si - o) for o in own)
            f["same_sentence"] = float(dist == 0)
            f["sentence_distance"] = float(dist)
            near = [q - s.start for q in positions if s.start <= q < s.end]
            f["place_in_sentence"] = float(bool(near))
            f["char_distance"] = (min(abs(q - rel) for q in near) / 200.0) if near else 1.0
            f["place_after"] = float(bool(near) and min(near) > rel)
            # the stop named closest to the person, of all the stops ("a Lomé, onde será recebido pelo
            # Presidente togolês ... e depois à Nigéria"): people are met where the text puts them
            # "...fue el turno de Cotonú. Allí, junto al presidente beninés": "there" is the stop just told
            there = lex.find("anaphoric_there", s.text[:40])
            f["there_after_stop"] = float(bool(there) and there[0].start() < 12 and si - 1 in own and not near)
            here = min(abs(q - p.span.start) for q in positions)
            f["nearest_stop"] = float(all(here <= abs(q - p.span.start) for o in others for q in o))
            for key, text in (("before", before), ("after", after), ("clause", s.text[lo:hi])):
                for cue in ("meet_cues", "host_cues", "companion_cues", "speech_verbs", "remote_cues", "negations",
                            "cancelled", "stop_cues"):
                    if lex.has(cue, text):
                        f[f"{key}:{cue}"] = 1.0
            f["source_before"] = float(bool(_ACCORDING.search(before)))
            f["in_parentheses"] = float(s.text[:rel].count("(") > s.text[:rel].count(")"))
            f["background"] = float(si in ctx.background)
            f["header"] = float(si in ctx.headers)
            office = ctx.oh.by_name(p.name, date=ctx.pub)
            role = (office.role if office else p.role) or ""
            country = (office.country if office else p.country) or ""
            f["known_office"] = float(office is not None)
            f["leader"] = float(role in LEADERS)
            f["minister"] = float("minister" in role)
            f["role_known"] = float(bool(role))
            f["same_country_as_stop"] = float(bool(country) and country == stop.place.country)
            f["home_country"] = float(bool(country) and country == own_office_country)
            f["foreign_other"] = float(bool(country) and country not in (stop.place.country, own_office_country))
            f["one_word"] = float(len(p.span.text.split()) == 1)
            f["mentions"] = math.log1p(counts.get(p.name, 1))
            key = surname(p.name)
            f["rule_here"] = float(key in rule_met)
            f["rule_elsewhere"] = float(key in elsewhere and key not in rule_met)
            prev = best.get(p.name)
            if prev is None:
                best[p.name] = MetChoice(p.name, written.get(p.name, p.name), f, p.span.start)
                continue
            # every mention of the person near the stop counts: the strongest signal of each kind
            for k, v in f.items():
                old = prev.features.get(k)
                prev.features[k] = v if old is None else (min(old, v) if k in _NEAREST else max(old, v))
    return sorted(best.values(), key=lambda c: c.first)


_NEAREST = {"sentence_distance", "char_distance"}


def choose(choices: list[MetChoice], model) -> list[str]:
    """The people the decision keeps (the rules' choice stands unless it is sure otherwise), in the
    order the text names them."""
    out = []
    for c in choices:
        keep, c.prob = model.keep(c.features, ruled=bool(c.features.get("rule_here")))
        if keep:
            out.append(c.shown)
    return out
