"""Every field of a config file and of an article's front matter is checked by type and range.

A wrong value is one `Error: FILE: KEY: ...` line and exit 1, never "internal error" or a
traceback. The property tests throw values of every YAML type at every field; the config's
fields are read from the Settings dataclasses, so a setting added later is covered too.
"""
from __future__ import annotations

import dataclasses
import re
import typing
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hostile_fixtures import TRIP
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tourmap.cli import cli
from tourmap.config import Settings

PROPERTY = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def extract(*args) -> tuple[int, str, BaseException | None]:
    res = CliRunner().invoke(cli, ["extract", *map(str, args)], catch_exceptions=True)
    return res.exit_code, res.stderr, res.exception


def assert_named_error(code, err, exc, file: Path, *keys: str) -> str:
    assert not isinstance(exc, Exception) or isinstance(exc, SystemExit), repr(exc)
    assert "Traceback" not in err and "internal error" not in err, err
    assert code == 1, (code, err)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith(f"Error: {file}: "), lines[0]
    for k in keys:
        assert k in lines[0], (k, lines[0])
    return lines[0]


# --- front matter ----------------------------------------------------------------------------------

@pytest.mark.parametrize("front, message", [
    ("source_urls: 5", "source_urls: expected a URL or a list of URLs, got int 5"),
    ("source_urls: [https://a.example, 7]", "source_urls: expected a URL or a list of URLs, got a list"),
    ("sources: {a: 1}", "sources: expected a URL or a list of URLs, got a mapping"),
    ("published: 2026-13-45", "published: expected a date YYYY-MM-DD, got '2026-13-45'"),
    ("published: 2025", "published: expected a date YYYY-MM-DD, got 2025"),
    ("date: [2025-12-21]", "date: expected a date YYYY-MM-DD, got ['2025-12-21']"),
    ("title: [a, b]", "title: expected text, got a list"),
    ("title: {es: Gira}", "title: expected text, got a mapping"),
    ("language: fr", "language: expected 'es', 'en' or 'pt', got 'fr'"),
    ("lang: true", "lang: expected text, got true"),
])
def test_a_wrong_front_matter_field_is_named_with_its_value(tmp_path, front, message):
    art = tmp_path / "gira.md"
    art.write_text(f"---\n{front}\n---\n\n{TRIP}", encoding="utf-8")
    line = assert_named_error(*extract(art), art)
    assert line == f"Error: {art}: {message}", line


def test_good_front_matter_variants_are_read(tmp_path):
    art = tmp_path / "gira.md"
    art.write_text("---\ntitle: 2025\npublished: 2025-12-21T09:30:00Z\nlanguage: es-CL\n"
                   "source: https://example.org/a\nauthor: [not, ours]\n---\n\n" + TRIP, encoding="utf-8")
    from tourmap.article import read_article

    a = read_article(art)
    assert (a.title, a.published, a.language, a.source_urls) == ("2025", "2025-12-21", "es", ("https://example.org/a",))


def test_unterminated_front_matter_is_an_error_not_the_title(tmp_path):
    art = tmp_path / "gira.md"
    art.write_text("---\ntitle: Gira\npublished: 2025-12-21\n\n" + TRIP, encoding="utf-8")
    line = assert_named_error(*extract(art), art)
    assert "front matter opened by '---' on line 1 is never closed" in line


def test_front_matter_that_breaks_yaml_constructors_is_named(tmp_path):
    for i, front in enumerate(["published: !!timestamp 2026-13-45", "title: !!python/object:os.system x",
                               "title: " + "[" * 5000 + "]" * 5000, "a: &x [*x]"]):
        art = tmp_path / f"g{i}.md"
        art.write_text(f"---\n{front}\n---\n\n{TRIP}", encoding="utf-8")
        code, err, exc = extract(art)
        assert "internal error" not in err and "Traceback" not in err, (front, err)
        assert not isinstance(exc, Exception) or isinstance(exc, SystemExit), (front, repr(exc))
        if code:
            assert_named_error(code, err, exc, art)


# Any YAML value, of any type.
scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**30, max_value=10**30),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=40),
                    st.sampled_from(["2026-13-45", "2025-12-21", "2025", "es", "fr", "https://x.example/a", "",
                                     "nominatim", "offline", "completed", "CL", "-1", "1e999"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=6)
# YAML written by hand: tags, anchors, unclosed brackets, dates that are not dates.
raw_yaml = st.sampled_from(["2026-13-45", "[", "{a: ", "!!binary AAAA", "!!float x", "*nope", "&a [*a]",
                            "!!python/name:os.system", "'unclosed", "|\n  block\n  text", "- a\n- b", ".nan",
                            "-.inf", "0x1F", "0o17", "~", "{? [a]: b}", "!!set {a, b}", "2025-12-21 25:00:00"])

FRONT_FIELDS = ["title", "published", "date", "language", "lang", "source_urls", "sources", "source"]


@PROPERTY
@given(field=st.sampled_from(FRONT_FIELDS), value=values)
def test_any_value_in_any_front_matter_field_is_read_or_named(tmp_path_factory, field, value):
    d = tmp_path_factory.mktemp("fm")
    art = d / "gira.md"
    art.write_text("---\n" + yaml.safe_dump({field: value}, allow_unicode=True) + "---\n\n" + TRIP, encoding="utf-8")
    code, err, exc = extract(art)
    assert code in (0, 1), (code, err, exc)
    if code:
        assert_named_error(code, err, exc, art)


@PROPERTY
@given(field=st.sampled_from(FRONT_FIELDS), raw=raw_yaml)
def test_any_hand_written_yaml_in_front_matter_is_read_or_named(tmp_path_factory, field, raw):
    d = tmp_path_factory.mktemp("fm")
    art = d / "gira.md"
    art.write_text(f"---\n{field}: {raw}\n---\n\n{TRIP}", encoding="utf-8")
    code, err, exc = extract(art)
    assert code in (0, 1), (code, err, exc)
    if code:
        assert_named_error(code, err, exc, art)


# --- config ----------------------------------------------------------------------------------------

def config_paths(cls=Settings, prefix=()) -> list[tuple]:
    """Every settable key path of the config, from the dataclasses: ("geocoder", "timeout_s"),
    ("tours", 0, "stops", 0, "date"), ... and each section itself."""
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        if cls is Settings and f.name in ("path", "config_dir"):
            continue
        tp = hints[f.name]
        path = (*prefix, f.name)
        out.append(path)
        if dataclasses.is_dataclass(tp):
            out += config_paths(tp, path)
        elif typing.get_origin(tp) is list and dataclasses.is_dataclass(typing.get_args(tp)[0]):
            out += config_paths(typing.get_args(tp)[0], (*path, 0))
    return out


CONFIG_PATHS = config_paths()


def test_the_config_paths_cover_every_section():
    have = {".".join(map(str, p)) for p in CONFIG_PATHS}
    assert {"geocoder.timeout_s", "map.static_images", "site.base_url", "tour_window_days",
            "tours.0.stops.0.date", "tours.0.corridor_width_km"} <= have


def with_value(path: tuple, value) -> dict:
    """A valid config (one tour, one stop correction) with `value` put at `path`."""
    cfg = {"tours": [{"slug": "kast", "stops": [{"match": "Lima"}]}]}
    node = cfg
    for key, nxt in zip(path, path[1:]):
        if isinstance(key, int):
            node = node[key]
            continue
        if key not in node or not isinstance(node[key], (dict, list)):
            node[key] = [{"slug": "kast"} if key == "tours" else {"match": "Lima"}] if isinstance(nxt, int) else {}
        node = node[key]
    node[path[-1]] = value
    return cfg


@pytest.mark.parametrize("path, value, message", [
    (("geocoder", "timeout_s"), float("nan"), "geocoder.timeout_s: expected a finite number, got nan"),
    (("geocoder", "service"), "nowhere", "geocoder.service: unknown geocoder 'nowhere'"),
    (("geocoder", "cache"), [1], "geocoder.cache: expected text, got a list"),
    (("site", "lock_timeout_s"), "soon", "site.lock_timeout_s: expected a number, got text 'soon'"),
    (("tours", 0, "stops", 0, "lat"), float("inf"), "tours[0].stops[0].lat: expected a finite number, got inf"),
])
def test_a_wrong_config_field_is_named_with_the_file(tmp_path, path, value, message):
    cfg = tmp_path / "tourmap.yaml"
    cfg.write_text(yaml.safe_dump(with_value(path, value)), encoding="utf-8")
    art = tmp_path / "gira.md"
    art.write_text(TRIP, encoding="utf-8")
    line = assert_named_error(*extract(art, "--config", cfg), cfg)
    assert line.startswith(f"Error: {cfg}: {message}"), line


@PROPERTY
@given(path=st.sampled_from(CONFIG_PATHS), value=values)
def test_any_value_in_any_config_field_is_used_or_named(tmp_path_factory, path, value):
    d = tmp_path_factory.mktemp("cfg")
    cfg = d / "tourmap.yaml"
    cfg.write_text(yaml.safe_dump(with_value(path, value), allow_unicode=True), encoding="utf-8")
    art = d / "gira.md"
    art.write_text(TRIP, encoding="utf-8")
    code, err, exc = extract(art, "--config", cfg)
    assert code in (0, 1), (code, err, exc)
    if code:
        line = assert_named_error(code, err, exc, cfg)
        assert re.search(rf"\b{re.escape(str(path[0]))}\b", line), (path, line)


@PROPERTY
@given(path=st.sampled_from(CONFIG_PATHS), raw=raw_yaml)
def test_any_hand_written_yaml_in_any_config_field_is_used_or_named(tmp_path_factory, path, raw):
    d = tmp_path_factory.mktemp("cfg")
    cfg = d / "tourmap.yaml"
    text = yaml.safe_dump(with_value(path, "PLACEHOLDER"), allow_unicode=True)
    cfg.write_text(text.replace("PLACEHOLDER", raw.replace("\n", " ")), encoding="utf-8")
    art = d / "gira.md"
    art.write_text(TRIP, encoding="utf-8")
    code, err, exc = extract(art, "--config", cfg)
    assert code in (0, 1), (code, err, exc)
    if code:
        assert_named_error(code, err, exc, cfg)
