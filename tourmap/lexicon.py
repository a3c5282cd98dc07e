"""The per-language word lists of config/lexicon.yaml, compiled once into regexes and lookups.

Every language goes through the same code: a rule asks the lexicon for "the stop cues" or
"the month names", never for Spanish words.
"""
from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from .config import DEFAULT_CONFIG_DIR
from .errors import ConfigError

LANGUAGES = ("es", "en", "pt")
WORD = r"[\wÀ-ÿ'’-]"


def fold(text: str) -> str:
    """Lower case without accents: for comparing words, never for offsets."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


_CHAR_FOLD: dict[str, str] = {}


def fold_aligned(text: str) -> str:
    """fold() one character at a time, so offsets in the result are offsets in `text`."""
    out = []
    for ch in text:
        f = _CHAR_FOLD.get(ch)
        if f is None:
            f = fold(ch)[:1] or ch.lower()[:1] or ch
            _CHAR_FOLD[ch] = f
        out.append(f)
    return "".join(out)


def _alternation(words) -> str:
    items = sorted({w for w in words if w}, key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in items)


def phrase_regex(phrases: list[str], *, case: bool = False, stems: bool = False,
                 combos: list[list[list[str]]] = ()) -> re.Pattern[str] | None:
    """One regex matching any phrase on word boundaries (longest first); with `stems`, any word
    that starts with one of them. A combo (lists of words, one from each in turn; an empty word
    leaves its slot out) is matched as a sequence of alternations, not as every phrase spelt out."""
    items = sorted({p for p in phrases if p}, key=len, reverse=True)
    seqs = []
    for combo in combos:
        slots = [[str(w) for w in slot] for slot in combo if slot]
        if not slots or not any(slots[0]):
            continue
        seq = f"(?:{_alternation(slots[0])})"
        for slot in slots[1:]:
            seg = rf"\s+(?:{_alternation(slot)})"
            seq += f"(?:{seg})?" if "" in slot else seg
        seqs.append(seq)
    if not items and not seqs:
        return None
    body = "|".join(seqs + [re.escape(p).replace(r"\ ", r"\s+") for p in items])
    flags = 0 if case else re.IGNORECASE
    end = r"[\wÀ-ÿ]*" if stems else r"(?![\wÀ-ÿ])"
    return re.compile(rf"(?<![\wÀ-ÿ])(?:{body}){end}", flags)


def _inflect(word: str, lang: str) -> list[str]:
    """The other forms of a Spanish or Portuguese adjective (argentino -> argentina, argentinos...)."""
    if lang == "en" or " " in word or word[:1].isupper():
        return [word, word + "s"] if lang == "en" and not word.endswith("s") else [word]
    w = word
    if w.endswith("o"):
        return [w, w[:-1] + "a", w + "s", w[:-1] + "as"]
    if w.endswith(("és", "ês")):
        stem = w[:-2]
        return [w, stem + "esa", stem + "eses", stem + "esas"]
    if w.endswith("án"):
        return [w, w[:-2] + "ana", w[:-2] + "anes", w[:-2] + "anas"]
    if w.endswith("ão"):
        return [w, w[:-2] + "ã", w[:-2] + "ães", w[:-2] + "ãs"]
    if w.endswith("ol"):
        return [w, w + "a", w + "es", w + "as"]
    if w.endswith(("í", "ú")):
        return [w, w + "es", w + "s"]
    if w.endswith(("e", "a")):
        return [w, w + "s"]
    if w.endswith(("n", "l", "r")):
        return [w, w + "a", w + "es", w + "as"]
    return [w]


@dataclass
class Lexicon:
    """One language's words, with the regexes the stages use."""

    lang: str
    raw: dict
    months: dict[str, int] = field(default_factory=dict)
    weekdays: dict[str, int] = field(default_factory=dict)
    demonyms: dict[str, str] = field(default_factory=dict)  # folded adjective -> country/region code
    city_demonyms: dict[str, str] = field(default_factory=dict)  # folded adjective -> city name
    roles: dict[str, str] = field(default_factory=dict)  # folded role phrase -> role key
    _rx: dict[str, re.Pattern[str] | None] = field(default_factory=dict)
    _found: dict[tuple[str, str], list[re.Match[str]]] = field(default_factory=dict, repr=False)

    def words(self, key: str) -> list[str]:
        """A word list; an entry `{combine: [[...], [...], ...]}` stands for every phrase made of one word
        of each list in turn ("suspende" "su" "viaje"), an empty word leaving its slot out."""
        val = self.raw.get(key) or []
        if not isinstance(val, list):
            return []
        out: list[str] = []
        for v in val:
            if isinstance(v, dict):
                out.extend(" ".join(w for w in map(str, parts) if w)
                           for parts in itertools.product(*(v.get("combine") or [])))
            else:
                out.append(v)
        return out

    def rx(self, key: str) -> re.Pattern[str] | None:
        """Regex of one word list (cached). A list named `*_stems` matches words that start with an
        entry ("inaugur" finds inauguró, inaugurará, inauguration)."""
        if key not in self._rx:
            case = key in ("org_words", "institutions", "not_names")
            val = self.raw.get(key) if isinstance(self.raw.get(key), list) else []
            self._rx[key] = phrase_regex([v for v in val if not isinstance(v, dict)], case=case,
                                         stems=key.endswith("_stems"),
                                         combos=[v.get("combine") or [] for v in val if isinstance(v, dict)])
        return self._rx[key]

    def compiled(self, name: str, build):
        """A pattern built from this lexicon by another stage, compiled once per lexicon object."""
        key = "\0" + name
        if key not in self._rx:
            self._rx[key] = build()
        return self._rx[key]

    def find(self, key: str, text: str) -> list[re.Match[str]]:
        # the stages ask about the same sentence for each place in it: remember the last answers
        memo = self._found.get((key, text))
        if memo is not None:
            return memo
        r = self.rx(key)
        found = list(r.finditer(text)) if r else []
        if key in _NEGATABLE and found:
            found = [m for m in found if not self._negated(text, m.start())]
        if len(self._found) > 20000:
            self._found.clear()
        self._found[(key, text)] = found
        return found

    def has(self, key: str, text: str) -> bool:
        if key in _NEGATABLE:
            return bool(self.find(key, text))
        r = self.rx(key)
        return bool(r and r.search(text))

    def _negated(self, text: str, at: int) -> bool:
        """A negation word right before (a pronoun or auxiliary may sit between): "no se canceló",
        "una paragem que ninguém tinha previsto", "was never postponed"."""
        rx = self.compiled("negated_before", lambda: re.compile(
            rf"(?<![\wÀ-ÿ])(?:{_alternation(self.words('negations'))})(?:\s+[\wÀ-ÿ]+)?\s+$", re.I)
            if self.words("negations") else None)
        return bool(rx and rx.search(text[max(0, at - 30):at]))

    def date_words(self, key: str) -> list[str]:
        return list((self.raw.get("date_words") or {}).get(key) or [])

    @property
    def stopwords(self) -> set[str]:
        return {fold(w) for w in self.words("stopwords")}


# a cancelled plan that is itself negated ("que nadie tenía previsto") was no plan called off
_NEGATABLE = frozenset({"cancelled"})


def _build(lang: str, raw: dict) -> Lexicon:
    lex = Lexicon(lang=lang, raw=raw)
    lex.months = {fold(k): int(v) for k, v in (raw.get("months") or {}).items()}
    lex.weekdays = {fold(k): int(v) for k, v in (raw.get("weekdays") or {}).items()}
    for code, forms in (raw.get("demonyms") or {}).items():
        for f in forms or []:
            for form in _inflect(str(f), lang):
                lex.demonyms.setdefault(fold(form), str(code))
    for city, forms in (raw.get("city_demonyms") or {}).items():
        for f in forms or []:
            for form in _inflect(str(f), lang):
                lex.city_demonyms.setdefault(fold(form), str(city))
    for role, forms in (raw.get("roles") or {}).items():
        for f in forms or []:
            lex.roles[fold(str(f))] = str(role)
    return lex


# libyaml's parser when PyYAML was built with it: the knowledge files are large, and the pure
# Python parser spent more time reading them than a whole extraction takes.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class WordLoader(_SafeLoader):
    """YAML without YAML 1.1 booleans: "no", "on" and "NO" (Norway) stay words."""


WordLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_words_yaml(text: str):
    return yaml.load(text, Loader=WordLoader)  # noqa: S506 - a SafeLoader subclass


@lru_cache(maxsize=8)
def _load(path: str) -> dict[str, Lexicon]:
    p = Path(path)
    try:
        raw = load_words_yaml(p.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(f"{p}: lexicon file not found") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(f"{p}: not valid YAML ({first})") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{p}: expected a mapping of languages at the top level")
    return {lang: _build(lang, sect or {}) for lang, sect in raw.items()}


def load_lexicon(lang: str, *, path: str | Path | None = None) -> Lexicon:
    """The lexicon of one language (falls back to Spanish for an unknown language)."""
    all_ = _load(str(path or DEFAULT_CONFIG_DIR / "lexicon.yaml"))
    if lang in all_:
        return all_[lang]
    if "es" in all_:
        return all_["es"]
    raise ConfigError(f"{path or 'config/lexicon.yaml'}: no section for language {lang!r}")


def all_lexicons(*, path: str | Path | None = None) -> dict[str, Lexicon]:
    return dict(_load(str(path or DEFAULT_CONFIG_DIR / "lexicon.yaml")))
