"""Settings: one YAML file (the project file) validated into typed sections.

The project file is `tourmap.yaml` or `config/tourmap.yaml`, found like git finds its folder: in the
working directory or the nearest folder above it (or named with `--config`). Paths in it are relative
to the project folder (the one holding `tourmap.yaml`, or the parent of `config/`). With no project
file, the working directory is the project folder and every setting has its default.

Knowledge files (office-holders, curated places, corridors) are data in `config/` too; the stage
that uses each one loads it. Errors name the file, the key and what is wrong:

    config/tourmap.yaml: tours[0].stops[1].date: expected YYYY, YYYY-MM or YYYY-MM-DD, got '2025-13-01'
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import fields
from .errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The config/ folder that ships with the package (knowledge files, defaults).
DEFAULT_CONFIG_DIR = PROJECT_ROOT / "config"
DEFAULT_CONFIG = DEFAULT_CONFIG_DIR / "tourmap.yaml"

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass
class GeocoderSettings:
    service: str = "offline"  # or any geopy service name: "nominatim", "photon", ...
    options: dict[str, Any] = field(default_factory=dict)  # passed to the geopy class
    timeout_s: float = 5.0
    min_delay_s: float = 1.0
    cache: str = ".cache/geocode.json"

    @property
    def online(self) -> bool:
        return self.service not in ("offline", "", None)


@dataclass
class MapSettings:
    tiles: str | None = None  # None: offline basemap from embedded boundaries
    tiles_attribution: str | None = None
    static_images: bool = True  # write map.png and map.svg beside index.html
    credit: str = "tourmap"


@dataclass
class SiteSettings:
    """What `tourmap publish` needs beyond the tours."""

    title: str = "Tours"
    description: str = ""
    # The language of every tour and page ("es", "en", "pt"). Empty: each tour speaks the
    # language of most of its articles, and the site's own pages that of most of its tours.
    language: str = ""
    # Absolute URL the site is served from ("https://example.org/maps/"): the embed snippet,
    # sitemap.xml and the Atom feed need absolute links. Empty: an embed pasted into an article
    # cannot find its map, and publish says so.
    base_url: str = ""
    lock_timeout_s: float = 2.0  # how long a second run waits for the first before giving up


LANGUAGES = ("es", "en", "pt")
REVIEW_ACTIONS = ("hold", "mark")


@dataclass
class PathSettings:
    """Where the commands look when given no paths, relative to the project folder."""

    articles: str = "."  # the article files (not searched recursively)
    output: str = "outputs"  # `tourmap build`
    site: str = "outputs/site"  # `tourmap publish`


@dataclass
class ReviewSettings:
    """Stops an editor should confirm before the public sees them.

    A stop whose confidence is below `min_confidence` is held off the map (`below: hold`) or shown
    marked "por confirmar" (`below: mark`) by build and publish, until a correction in `tours`
    names it (`confirm: true`, or any change to it). `tourmap review` lists them."""

    min_confidence: float = 0.5
    below: str = "mark"


@dataclass
class LLMSettings:
    """An OpenAI-compatible chat-completions server (Ollama, llama.cpp's server, vLLM, a hosted API)."""

    base_url: str = "http://127.0.0.1:11434/v1"
    model: str = "qwen2.5:14b-instruct"
    api_key_env: str | None = None  # the NAME of an environment variable holding the key, never the key
    timeout_s: float = 60.0  # the whole request, connection to last byte
    max_retries: int = 2
    max_concurrency: int = 4
    cache: str = ".cache/llm"


@dataclass
class ExtractorSettings:
    """Who reads the articles: tourmap's rules (offline, the default), a language model, or both."""

    backend: str = "rules"  # rules | llm | hybrid
    llm: LLMSettings = field(default_factory=LLMSettings)


BACKENDS = ("rules", "llm", "hybrid")


@dataclass
class StopOverride:
    """An editor's correction to one stop, matched by name (or added when `add` is true)."""

    match: str
    name: str | None = None
    date: str | None = None
    status: str | None = None
    lat: float | None = None
    lon: float | None = None
    country: str | None = None
    landmark: str | None = None
    met: list[str] | None = None
    drop: bool = False
    add: bool = False
    confirm: bool = False  # an editor checked it: publish it whatever its confidence


@dataclass
class TourOverride:
    """Per-tour settings: which articles form the tour and what an editor corrected."""

    slug: str
    articles: list[str] = field(default_factory=list)
    renamed_from: list[str] = field(default_factory=list)  # earlier slugs: they become redirects
    language: str | None = None
    title: str | None = None
    subtitle: str | None = None
    stops: list[StopOverride] = field(default_factory=list)
    corridor_countries: list[str] | None = None
    corridor_width_km: float | None = None


@dataclass
class Settings:
    path: Path | None = None
    config_dir: Path = DEFAULT_CONFIG_DIR
    geocoder: GeocoderSettings = field(default_factory=GeocoderSettings)
    map: MapSettings = field(default_factory=MapSettings)
    tour_window_days: int = 45  # articles about one traveler within this window form one tour
    tours: list[TourOverride] = field(default_factory=list)
    site: SiteSettings = field(default_factory=SiteSettings)
    extractor: ExtractorSettings = field(default_factory=ExtractorSettings)
    paths: PathSettings = field(default_factory=PathSettings)
    review: ReviewSettings = field(default_factory=ReviewSettings)
    root: Path | None = None  # the project folder; None: the working directory

    @property
    def project(self) -> Path:
        return (self.root or Path.cwd()).absolute()

    def default_path(self, which: str) -> Path:
        """paths.articles / output / site, resolved against the project folder."""
        return self.project / getattr(self.paths, which)

    def knowledge(self, name: str) -> Path:
        """Path of a knowledge file: the config's own folder first, then the shipped one."""
        own = self.config_dir / name
        return own if own.exists() else DEFAULT_CONFIG_DIR / name


# --- validation -------------------------------------------------------------------------------
# Each checker takes (value, where) and returns the clean value or raises ConfigError naming
# the file, the key path ("tours[0].stops[1].date") and the value; they live in fields.py, which
# article front matter shares. The short names below are what the section readers use.

_Loader = fields.Loader
_Where = fields.Where
_str, _num, _bool, _strlist = fields.text, fields.number, fields.boolean, fields.text_list
_date, _country, _kind, _mapping = fields.date, fields.country, fields.kind, fields.mapping


def _geocoder(raw, w: _Where) -> GeocoderSettings:
    raw = _mapping(raw, GeocoderSettings, w)
    d = GeocoderSettings()
    if "service" in raw:
        d.service = (_str(raw["service"], w / "service", optional=True) or "offline").strip()
    if "options" in raw:
        if not isinstance(raw["options"], dict):
            raise (w / "options").fail(f"expected a mapping, got {_kind(raw['options'])}")
        d.options = dict(raw["options"])
    if "timeout_s" in raw:
        d.timeout_s = _num(raw["timeout_s"], w / "timeout_s", positive=True, hi=3600)
    if "min_delay_s" in raw:
        d.min_delay_s = _num(raw["min_delay_s"], w / "min_delay_s", lo=0, hi=3600)
    if "cache" in raw:
        d.cache = _str(raw["cache"], w / "cache", optional=True)
    if d.online:
        _geopy_service(d, w)
    return d


def _geopy_service(d: GeocoderSettings, w: _Where) -> None:
    """The service is one geopy knows and every option is one its class takes (geopy is imported
    only for an online service: offline runs never load it)."""
    import inspect

    from geopy.exc import GeocoderNotFound
    from geopy.geocoders import get_geocoder_for_service

    try:
        cls = get_geocoder_for_service(d.service)
    except GeocoderNotFound:
        raise (w / "service").fail(f"unknown geocoder {d.service!r} (use \"offline\" or a geopy service name "
                                   "such as \"nominatim\")") from None
    try:
        params = set(inspect.signature(cls.__init__).parameters) - {"self", "args", "kwargs"}
    except (TypeError, ValueError):
        return
    for key in d.options:
        where = w / "options" / str(key)
        if key in ("timeout", "adapter_factory"):
            raise where.fail("set by tourmap (use geocoder.timeout_s)" if key == "timeout" else "set by tourmap")
        if key not in params:
            raise where.fail(f"not an option of geopy's {cls.__name__} (known: {', '.join(sorted(params))})")


def _map(raw, w: _Where) -> MapSettings:
    raw = _mapping(raw, MapSettings, w)
    d = MapSettings()
    for key in ("tiles", "tiles_attribution"):
        if key in raw:
            setattr(d, key, _str(raw[key], w / key, optional=True))
    if "static_images" in raw:
        d.static_images = _bool(raw["static_images"], w / "static_images")
    if "credit" in raw:
        d.credit = _str(raw["credit"], w / "credit")
    return d


def _site(raw, w: _Where) -> SiteSettings:
    raw = _mapping(raw, SiteSettings, w)
    d = SiteSettings()
    for key in ("title", "description"):
        if key in raw:
            setattr(d, key, _str(raw[key], w / key))
    if "language" in raw:
        d.language = _language(raw["language"], w / "language", empty=True)
    if "base_url" in raw:
        url = _str(raw["base_url"], w / "base_url", optional=True) or ""
        if url and not re.match(r"^https?://[^\s/]+", url):
            raise (w / "base_url").fail(f"expected an absolute http(s) URL, got {url!r}")
        d.base_url = url if not url or url.endswith("/") else url + "/"
    if "lock_timeout_s" in raw:
        d.lock_timeout_s = _num(raw["lock_timeout_s"], w / "lock_timeout_s", lo=0, hi=3600)
    return d


def _llm(raw, w: _Where) -> LLMSettings:
    raw = _mapping(raw, LLMSettings, w)
    d = LLMSettings()
    if "base_url" in raw:
        url = _str(raw["base_url"], w / "base_url")
        if not re.match(r"^https?://[^\s/]+", url):
            raise (w / "base_url").fail(f"expected an http(s) URL like 'http://127.0.0.1:11434/v1', got {url!r}")
        d.base_url = url.rstrip("/")
    if "model" in raw:
        d.model = _str(raw["model"], w / "model")
        if not d.model.strip():
            raise (w / "model").fail("expected a model name, got an empty text")
    if "api_key_env" in raw:
        name = _str(raw["api_key_env"], w / "api_key_env", optional=True)
        if name is not None and not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name):
            # never echo the value: someone may have pasted the key itself here
            raise (w / "api_key_env").fail("expected the name of an environment variable (letters, digits, _), "
                                           "not the key itself")
        d.api_key_env = name
    if "timeout_s" in raw:
        d.timeout_s = _num(raw["timeout_s"], w / "timeout_s", positive=True)
    for key, hi in (("max_retries", 10), ("max_concurrency", 64)):
        if key in raw:
            v = raw[key]
            lo = 0 if key == "max_retries" else 1
            if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
                raise (w / key).fail(f"expected a whole number from {lo} to {hi}, got {_kind(v)}")
            setattr(d, key, v)
    if "cache" in raw:
        d.cache = _str(raw["cache"], w / "cache")
    return d


def _extractor(raw, w: _Where) -> ExtractorSettings:
    raw = _mapping(raw, ExtractorSettings, w)
    d = ExtractorSettings()
    if "backend" in raw:
        b = raw["backend"]
        if b not in BACKENDS:
            raise (w / "backend").fail(f"expected one of {', '.join(BACKENDS)}, got {_kind(b)}")
        d.backend = b
    if "llm" in raw:
        d.llm = _llm(raw["llm"], w / "llm")
    return d


def _language(v, w: _Where, *, empty: bool = False) -> str:
    v = (_str(v, w, optional=True) or "").strip().lower()
    if v == "" and empty:
        return ""
    if v not in LANGUAGES:
        raise w.fail(f"expected one of {', '.join(LANGUAGES)}" + (" or empty" if empty else "") + f", got {v!r}")
    return v


def _paths(raw, w: _Where) -> PathSettings:
    raw = _mapping(raw, PathSettings, w)
    d = PathSettings()
    for key in ("articles", "output", "site"):
        if key in raw:
            value = _str(raw[key], w / key)
            if not value.strip():
                raise (w / key).fail("expected a path, got an empty text")
            setattr(d, key, value)
    return d


def _review(raw, w: _Where) -> ReviewSettings:
    raw = _mapping(raw, ReviewSettings, w)
    d = ReviewSettings()
    if "min_confidence" in raw:
        d.min_confidence = _num(raw["min_confidence"], w / "min_confidence", lo=0, hi=1)
    if "below" in raw:
        if raw["below"] not in REVIEW_ACTIONS:
            raise (w / "below").fail(f"expected 'hold' or 'mark', got {raw['below']!r}")
        d.below = raw["below"]
    return d


def _stop(raw, w: _Where) -> StopOverride:
    raw = _mapping(raw, StopOverride, w, required=("match",))
    s = StopOverride(match=_str(raw["match"], w / "match"))
    for key in ("name", "landmark"):
        if key in raw:
            setattr(s, key, _str(raw[key], w / key, optional=True))
    if "date" in raw:
        s.date = _date(raw["date"], w / "date")
    if "status" in raw and raw["status"] is not None:
        if raw["status"] not in ("completed", "planned"):
            raise (w / "status").fail(f"expected 'completed' or 'planned', got {raw['status']!r}")
        s.status = raw["status"]
    if "lat" in raw:
        s.lat = _num(raw["lat"], w / "lat", optional=True, lo=-90, hi=90)
    if "lon" in raw:
        s.lon = _num(raw["lon"], w / "lon", optional=True, lo=-180, hi=180)
    if "country" in raw:
        s.country = _country(raw["country"], w / "country")
    if "met" in raw:
        s.met = _strlist(raw["met"], w / "met", optional=True)
    if "drop" in raw:
        s.drop = _bool(raw["drop"], w / "drop")
    if "add" in raw:
        s.add = _bool(raw["add"], w / "add")
    if "confirm" in raw:
        s.confirm = _bool(raw["confirm"], w / "confirm")
    if (s.lat is None) != (s.lon is None):
        raise (w / ("lon" if s.lon is None else "lat")).fail("lat and lon go together: give both")
    if s.drop and s.add:
        raise (w / "drop").fail("a stop cannot be both dropped and added")
    if s.add and s.lat is None:
        raise (w / "lat").fail("an added stop needs lat and lon")
    return s


def _tour(raw, w: _Where) -> TourOverride:
    raw = _mapping(raw, TourOverride, w, required=("slug",))
    slug = _str(raw["slug"], w / "slug")
    if not SLUG_RE.match(slug):
        raise (w / "slug").fail(f"expected lowercase letters, digits and '-', got {slug!r}")
    t = TourOverride(slug=slug)
    if "articles" in raw:
        t.articles = _strlist(raw["articles"], w / "articles", optional=True) or []
    if raw.get("renamed_from") is not None:
        was = raw["renamed_from"]
        was = [was] if isinstance(was, str) else was
        t.renamed_from = _strlist(was, w / "renamed_from")
        for i, old in enumerate(t.renamed_from):
            if not SLUG_RE.match(old):
                raise (w / "renamed_from" / i).fail(f"expected lowercase letters, digits and '-', got {old!r}")
            if old == slug:
                raise (w / "renamed_from" / i).fail(f"a tour cannot be renamed from its own slug {old!r}")
    if raw.get("language") is not None:
        t.language = _language(raw["language"], w / "language")
    for key in ("title", "subtitle"):
        if key in raw:
            setattr(t, key, _str(raw[key], w / key, optional=True))
    if raw.get("stops") is not None:
        if not isinstance(raw["stops"], list):
            raise (w / "stops").fail(f"expected a list, got {_kind(raw['stops'])}")
        t.stops = [_stop(s, w / "stops" / i) for i, s in enumerate(raw["stops"])]
    if raw.get("corridor_countries") is not None:
        cw = w / "corridor_countries"
        codes = _strlist(raw["corridor_countries"], cw)
        t.corridor_countries = [_country(c, cw / i) for i, c in enumerate(codes)]
    if "corridor_width_km" in raw:
        t.corridor_width_km = _num(raw["corridor_width_km"], w / "corridor_width_km", optional=True,
                                   positive=True, hi=5000)
    return t


TOP_KEYS = ("extractor", "geocoder", "map", "paths", "review", "site", "tour_window_days", "tours")
PROJECT_FILES = ("tourmap.yaml", "config/tourmap.yaml")


def find_project_file(start: str | Path | None = None) -> Path | None:
    """The project file in `start` (default: the working directory) or the nearest folder above."""
    here = Path(start or Path.cwd()).absolute()
    for folder in (here, *here.parents):
        for name in PROJECT_FILES:
            p = folder / name
            if p.is_file():
                return p
    return None


def project_root(cfg_path: Path) -> Path:
    """The project folder of a settings file: its folder, or the parent of a `config/` folder."""
    folder = cfg_path.absolute().parent
    return folder.parent if folder.name == "config" else folder


def load_settings(path: str | Path | None = None, *, start: str | Path | None = None) -> Settings:
    """Read and validate a settings file; with no path, the project file found upward from
    `start` (the working directory), else the defaults with `start` as the project folder."""
    cfg_path = Path(path) if path else find_project_file(start)
    if cfg_path is None:
        return Settings(root=Path(start or Path.cwd()).absolute())
    if not cfg_path.exists():
        raise ConfigError(f"{cfg_path}: config file not found")
    try:
        raw = fields.load_yaml(cfg_path.read_text(encoding="utf-8")) or {}
    except UnicodeDecodeError:
        raise ConfigError(f"{cfg_path}: not valid YAML (not UTF-8 text)") from None
    except ValueError as exc:
        raise ConfigError(f"{cfg_path}: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{cfg_path}: cannot read ({exc.strerror or exc})") from None
    w = _Where(str(cfg_path))
    if not isinstance(raw, dict):
        raise w.fail(f"expected a mapping at the top level, got {_kind(raw)}")
    for key in raw:
        if key not in TOP_KEYS:
            raise (w / str(key)).fail(f"unknown key (known: {', '.join(sorted(TOP_KEYS))})")
    window = fields.whole(raw.get("tour_window_days", 45), w / "tour_window_days", lo=0, hi=3660,
                          what="a whole number of days")
    tours_raw = raw.get("tours")
    if tours_raw is not None and not isinstance(tours_raw, list):
        raise (w / "tours").fail(f"expected a list, got {_kind(tours_raw)}")
    tours = [_tour(t, w / "tours" / i) for i, t in enumerate(tours_raw or [])]
    seen: dict[str, int] = {}
    claimed: dict[str, int] = {}
    for i, t in enumerate(tours):
        if t.slug in seen:
            raise (w / "tours" / i / "slug").fail(f"{t.slug!r} is already used by tours[{seen[t.slug]}]")
        seen[t.slug] = i
    renamed: dict[str, int] = {}
    for i, t in enumerate(tours):
        for j, old in enumerate(t.renamed_from):
            if old in seen:
                raise (w / "tours" / i / "renamed_from" / j).fail(
                    f"{old!r} is the slug of tours[{seen[old]}]; an old address cannot also be a tour")
            if old in renamed and renamed[old] != i:
                raise (w / "tours" / i / "renamed_from" / j).fail(
                    f"{old!r} is already renamed by tours[{renamed[old]}]")
            renamed[old] = i
        for a in t.articles:
            if a in claimed and claimed[a] != i:
                raise (w / "tours" / i / "articles").fail(
                    f"{a!r} is already listed in tours[{claimed[a]}]")
            claimed[a] = i
    return Settings(
        path=cfg_path,
        config_dir=cfg_path.parent,
        geocoder=_geocoder(raw.get("geocoder"), w / "geocoder"),
        map=_map(raw.get("map"), w / "map"),
        tour_window_days=window,
        tours=tours,
        site=_site(raw.get("site"), w / "site"),
        extractor=_extractor(raw.get("extractor"), w / "extractor"),
        paths=_paths(raw.get("paths"), w / "paths"),
        review=_review(raw.get("review"), w / "review"),
        root=project_root(cfg_path),
    )
