"""Checking values read from YAML: the config file and articles' front matter.

Each checker takes `(value, where)` and returns the clean value or raises the error of `where`
(ConfigError for a config file, InputError for an article) with one line naming the file, the key
path and the value:

    config/tourmap.yaml: geocoder.timeout_s: expected a number above 0, got nan
    inbox/gira.md: source_urls: expected a URL or a list of URLs, got int 5

A new setting is one line in its section's reader (config.py), e.g.
`d.retries = whole(raw["retries"], w / "retries", lo=0, hi=10)`. Booleans are never numbers,
NaN and infinities are never numbers, numbers are accepted as text (YAML reads `title: 2025` as
a number; the editor meant the text), and YAML never turns text into dates here (`Loader`).
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import fields as dataclass_fields
from dataclasses import is_dataclass
from typing import Any, Iterable

import yaml

from .errors import ConfigError, TourmapError

DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
SHOW = 60  # characters of a wrong value shown in a message


class Loader(yaml.SafeLoader):
    """YAML without timestamp parsing: dates stay text ("2025-12-23", "2026-01") and a wrong
    one ("2025-13-01") gets our message instead of a crash inside the YAML parser."""


Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str) -> Any:
    """YAML text -> Python values; ValueError (with the line when known) for anything wrong."""
    try:
        return yaml.load(text, Loader=Loader)
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise ValueError(f"not valid YAML{at} ({first})") from None
    except RecursionError:
        raise ValueError("not valid YAML (nested too deeply)") from None


class Where:
    """A file and a key path in it ("tours[0].stops[1].date"); `fail` makes the error to raise."""

    def __init__(self, file: str, key: str = "", error: type[TourmapError] = ConfigError):
        self.file, self.key, self.error = file, key, error

    def __truediv__(self, key: str | int) -> "Where":
        if isinstance(key, int):
            return Where(self.file, f"{self.key}[{key}]", self.error)
        if not key.isprintable():  # a control character in a key would break the one-line message
            key = repr(key)
        return Where(self.file, f"{self.key}.{key}" if self.key else key, self.error)

    def fail(self, problem: str) -> TourmapError:
        return self.error(f"{self.file}: {self.key}: {problem}" if self.key else f"{self.file}: {problem}")


def show(v: Any) -> str:
    """A value as a message shows it: repr, one line, not too long."""
    r = repr(v)
    return r if len(r) <= SHOW else r[: SHOW - 3] + "..."


def kind(v: Any) -> str:
    if v is None:
        return "nothing (null)"
    if isinstance(v, bool):
        return f"{v!r}".lower()
    if isinstance(v, dict):
        return "a mapping"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, str):
        return f"text {show(v)}"
    return f"{type(v).__name__} {show(v)}"


def text(v: Any, w: Where, *, optional: bool = False) -> str | None:
    if v is None and optional:
        return None
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return str(v)
    if not isinstance(v, str):
        raise w.fail(f"expected text, got {kind(v)}")
    return v


def number(v: Any, w: Where, *, optional: bool = False, lo: float | None = None, hi: float | None = None,
           positive: bool = False) -> float | None:
    if v is None and optional:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise w.fail(f"expected a number, got {kind(v)}")
    if not math.isfinite(v):
        raise w.fail(f"expected a finite number, got {v!r}")
    if positive and v <= 0:
        raise w.fail(f"expected a number above 0, got {show(v)}")
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        low = "-inf" if lo is None else f"{lo:g}"
        high = "inf" if hi is None else f"{hi:g}"
        raise w.fail(f"expected a number from {low} to {high}, got {show(v)}")
    return float(v)


def whole(v: Any, w: Where, *, lo: int | None = None, hi: int | None = None, what: str = "a whole number") -> int:
    if isinstance(v, bool) or not isinstance(v, int) or (lo is not None and v < lo) or (hi is not None and v > hi):
        rng = f" from {lo} to {hi}" if lo is not None and hi is not None else ""
        raise w.fail(f"expected {what}{rng}, got {show(v)}")
    return v


def boolean(v: Any, w: Where) -> bool:
    if not isinstance(v, bool):
        raise w.fail(f"expected true or false, got {kind(v)}")
    return v


def text_list(v: Any, w: Where, *, optional: bool = False) -> list[str] | None:
    if v is None and optional:
        return None
    if not isinstance(v, list):
        raise w.fail(f"expected a list, got {kind(v)}")
    return [text(x, w / i) for i, x in enumerate(v)]


def choice(v: Any, w: Where, options: Iterable[str]) -> str:
    options = list(options)
    if not isinstance(v, str) or v not in options:
        said = " or ".join(", ".join(repr(o) for o in options).rsplit(", ", 1))
        raise w.fail(f"expected {said}, got {show(v)}")
    return v


def date(v: Any, w: Where) -> str | None:
    """YYYY, YYYY-MM or YYYY-MM-DD (a stop's date may be as vague as the reporting)."""
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        v = v.date()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, int) and not isinstance(v, bool):
        v = str(v)  # `date: 2026`
    if not isinstance(v, str) or not DATE_RE.match(v):
        raise w.fail(f"expected YYYY, YYYY-MM or YYYY-MM-DD, got {show(v)}")
    try:
        dt.date.fromisoformat((v + "-01-01")[:10] if len(v) < 10 else v)
    except ValueError:
        raise w.fail(f"expected YYYY, YYYY-MM or YYYY-MM-DD, got {show(v)}") from None
    return v


def day(v: Any, w: Where) -> str | None:
    """A full date, YYYY-MM-DD (a time after it, as in "2025-12-21T10:00:00Z", is dropped)."""
    if v is None or v == "":
        return None
    if isinstance(v, dt.datetime):
        v = v.date()
    if isinstance(v, dt.date):
        return v.isoformat()
    m = re.match(r"^(\d{4}-\d{2}-\d{2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$", v.strip()) \
        if isinstance(v, str) else None
    try:
        if m:
            return dt.date.fromisoformat(m.group(1)).isoformat()
    except ValueError:
        pass
    raise w.fail(f"expected a date YYYY-MM-DD, got {show(v)}")


def country(v: Any, w: Where) -> str | None:
    if v is None:
        return None
    if not isinstance(v, str) or not COUNTRY_RE.match(v.upper()):
        raise w.fail(f"expected a two-letter ISO country code like 'EC', got {show(v)}")
    return v.upper()


def mapping(raw: Any, known: type | Iterable[str], w: Where, *, required: tuple[str, ...] = ()) -> dict:
    """`raw` as a dict whose keys are all `known` (a dataclass's fields or names), with `required` set."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise w.fail(f"expected a mapping, got {kind(raw)}")
    names = [f.name for f in dataclass_fields(known)] if is_dataclass(known) else list(known)
    for key in raw:
        if key not in names:
            raise (w / str(key)).fail(f"unknown key (known: {', '.join(sorted(names))})")
    for key in required:
        if raw.get(key) in (None, ""):
            raise (w / key).fail("required")
    return raw
