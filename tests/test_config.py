"""Config validation: every mistake is one line naming the file, the key and the problem."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from tourmap.cli import cli
from tourmap.config import DEFAULT_CONFIG, Settings, load_settings

GOOD = """
tour_window_days: 30
site: {title: Giras, base_url: "https://example.org/maps"}
tours:
  - slug: kast-2025-12
    articles: [000_ef3bafede1ed9db9.txt]
    title: Gira de Kast
    corridor_countries: [cl, PE]
    corridor_width_km: 80
    stops:
      - {match: Quito, date: 2025-12-23, status: completed}
      - {match: Arica, drop: true}
      - {match: Santiago, add: true, lat: -33.44, lon: -70.65, date: 2026}
"""


def load(tmp_path: Path, text: str):
    p = tmp_path / "tourmap.yaml"
    p.write_text(text, encoding="utf-8")
    return p, load_settings(p)


def test_good_config(tmp_path):
    _, s = load(tmp_path, GOOD)
    assert s.tour_window_days == 30 and s.site.base_url == "https://example.org/maps/"
    [t] = s.tours
    assert t.corridor_countries == ["CL", "PE"] and t.corridor_width_km == 80.0
    assert [(x.match, x.date, x.status, x.drop, x.add) for x in t.stops] == [
        ("Quito", "2025-12-23", "completed", False, False), ("Arica", None, None, True, False),
        ("Santiago", "2026", None, False, True)]


def test_shipped_config_is_all_defaults_and_its_example_is_valid(tmp_path):
    shipped = load_settings(DEFAULT_CONFIG)
    assert shipped.tours == [] and shipped.geocoder == Settings().geocoder and shipped.map == Settings().map
    assert shipped.site == Settings().site and shipped.tour_window_days == Settings().tour_window_days
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    example = text[text.index("# tours:"):]
    uncommented = "\n".join(re.sub(r"^# ?", "", line) for line in example.splitlines())
    _, s = load(tmp_path, uncommented)
    assert s.tours[0].slug == "kast-2025-12" and len(s.tours[0].stops) == 4


@pytest.mark.parametrize("text, message", [
    ("tours: [\n", "not valid YAML at line 2"),
    ("- a\n- b\n", "expected a mapping at the top level, got a list"),
    ("colour: red\n", "colour: unknown key (known: extractor, geocoder, map, paths, review, site, tour_window_days, "
     "tours)"),
    ("tour_window_days: many\n", "tour_window_days: expected a whole number of days from 0 to 3660, got 'many'"),
    ("tour_window_days: true\n", "tour_window_days: expected a whole number of days from 0 to 3660, got True"),
    ("tour_window_days: 100000\n", "tour_window_days: expected a whole number of days from 0 to 3660, got 100000"),
    ("geocoder: {timeout_s: .nan}\n", "geocoder.timeout_s: expected a finite number, got nan"),
    ("geocoder: {timeout_s: .inf}\n", "geocoder.timeout_s: expected a finite number, got inf"),
    ("geocoder: {min_delay_s: [1]}\n", "geocoder.min_delay_s: expected a number, got a list"),
    ("geocoder: {service: nowhere}\n", "geocoder.service: unknown geocoder 'nowhere' (use \"offline\""),
    ("geocoder: {service: nominatim, options: {colour: red}}\n",
     "geocoder.options.colour: not an option of geopy's Nominatim (known: "),
    ("geocoder: {service: nominatim, options: {timeout: 3}}\n",
     "geocoder.options.timeout: set by tourmap (use geocoder.timeout_s)"),
    ("map: [1]\n", "map: expected a mapping, got a list"),
    ("map: {static_images: 'yes'}\n", "map.static_images: expected true or false, got text 'yes'"),
    ("map: {zoom: 3}\n", "map.zoom: unknown key (known: credit, static_images, tiles, tiles_attribution)"),
    ("geocoder: {timeout_s: -1}\n", "geocoder.timeout_s: expected a number above 0, got -1"),
    ("site: {base_url: example.org}\n", "site.base_url: expected an absolute http(s) URL, got 'example.org'"),
    ("tours: {slug: x}\n", "tours: expected a list, got a mapping"),
    ("tours: [{title: x}]\n", "tours[0].slug: required"),
    ("tours: [{slug: Kast 2025}]\n", "tours[0].slug: expected lowercase letters, digits and '-', got 'Kast 2025'"),
    ("tours: [{slug: a}, {slug: a}]\n", "tours[1].slug: 'a' is already used by tours[0]"),
    ("tours: [{slug: a, articles: [x.md]}, {slug: b, articles: [x.md]}]\n",
     "tours[1].articles: 'x.md' is already listed in tours[0]"),
    ("tours: [{slug: a, articles: x.md}]\n", "tours[0].articles: expected a list, got text 'x.md'"),
    ("tours: [{slug: a, corridor_countries: [Chile]}]\n",
     "tours[0].corridor_countries[0]: expected a two-letter ISO country code like 'EC', got 'Chile'"),
    ("tours: [{slug: a, corridor_width_km: 0}]\n", "tours[0].corridor_width_km: expected a number above 0, got 0"),
    ("tours: [{slug: a, stops: [{name: x}]}]\n", "tours[0].stops[0].match: required"),
    ("tours: [{slug: a, stops: [{match: x, date: 2025-13-01}]}]\n",
     "tours[0].stops[0].date: expected YYYY, YYYY-MM or YYYY-MM-DD, got '2025-13-01'"),
    ("tours: [{slug: a, stops: [{match: x, date: 23/12/2025}]}]\n",
     "tours[0].stops[0].date: expected YYYY, YYYY-MM or YYYY-MM-DD, got '23/12/2025'"),
    ("tours: [{slug: a, stops: [{match: x, status: done}]}]\n",
     "tours[0].stops[0].status: expected 'completed' or 'planned', got 'done'"),
    ("tours: [{slug: a, stops: [{match: x, lat: 95, lon: 0}]}]\n",
     "tours[0].stops[0].lat: expected a number from -90 to 90, got 95"),
    ("tours: [{slug: a, stops: [{match: x, lat: '1', lon: 0}]}]\n",
     "tours[0].stops[0].lat: expected a number, got text '1'"),
    ("tours: [{slug: a, stops: [{match: x, lat: 1}]}]\n", "tours[0].stops[0].lon: lat and lon go together: give both"),
    ("tours: [{slug: a, stops: [{match: x, add: true}]}]\n", "tours[0].stops[0].lat: an added stop needs lat and lon"),
    ("tours: [{slug: a, stops: [{match: x, drop: true, add: true}]}]\n",
     "tours[0].stops[0].drop: a stop cannot be both dropped and added"),
    ("tours: [{slug: a, stops: [{match: x, met: Noboa}]}]\n", "tours[0].stops[0].met: expected a list, got text 'Noboa'"),
    ("tours: [{slug: a, stops: [{match: x, when: 2025}]}]\n", "tours[0].stops[0].when: unknown key (known: add, "
     "confirm, country, date, drop, landmark, lat, lon, match, met, name, status)"),
])
def test_bad_config_names_file_key_and_problem(tmp_path, text, message):
    p = tmp_path / "tourmap.yaml"
    p.write_text(text, encoding="utf-8")
    res = CliRunner().invoke(cli, ["build", str(tmp_path), "--config", str(p)])
    assert res.exit_code == 1
    assert res.stderr.startswith(f"Error: {p}: {message}")
    assert res.stderr.count("\n") == 1 and "Traceback" not in res.output


def test_missing_and_binary_config(tmp_path):
    res = CliRunner().invoke(cli, ["build", "--config", str(tmp_path / "nope.yaml")])
    assert (res.exit_code, res.stderr) == (1, f"Error: {tmp_path / 'nope.yaml'}: config file not found\n")
    p = tmp_path / "bin.yaml"
    p.write_bytes(b"\xff\xfe\x00garbage")
    res = CliRunner().invoke(cli, ["build", "--config", str(p)])
    assert res.exit_code == 1 and res.stderr.startswith(f"Error: {p}: not valid YAML")
