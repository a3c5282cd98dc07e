"""Settings: one YAML file (default `config/tourmap.yaml`) validated into typed sections.

Knowledge files (office-holders, curated places, corridors) are data in `config/` too; the stage
that uses each one loads it. Errors name the file, the key and what is wrong.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The config/ folder that ships with the package (knowledge files, defaults).
DEFAULT_CONFIG_DIR = PROJECT_ROOT / "config"
DEFAULT_CONFIG = DEFAULT_CONFIG_DIR / "tourmap.yaml"


@dataclass
class GeocoderSettings:
    service: str = "offline"  # or any geopy service name: "nominatim", "photon", ...
    options: dict[str, Any] = field(default_factory=dict)  # passed to the geopy class
    timeout_s: float = 5.0
    min_delay_s: float = 1.0
    cache: str = ".cache/geocode.json"


@dataclass
class MapSettings:
    tiles: str | None = None  # None: offline basemap from embedded boundaries
    tiles_attribution: str | None = None
    static_images: bool = True  # write map.png and map.svg beside index.html
    credit: str = "tourmap"


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


@dataclass
class TourOverride:
    """Per-tour settings: which articles form the tour and what an editor corrected."""

    slug: str
    articles: list[str] = field(default_factory=list)
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

    def knowledge(self, name: str) -> Path:
        """Path of a knowledge file: the config's own folder first, then the shipped one."""
        own = self.config_dir / name
        return own if own.exists() else DEFAULT_CONFIG_DIR / name


def _section(cls, raw: Any, where: str):
    if raw is None:
        return cls()
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping, got {type(raw).__name__}")
    known = set(cls.__dataclass_fields__)
    for key in raw:
        if key not in known:
            raise ConfigError(f"{where}.{key}: unknown key (known: {', '.join(sorted(known))})")
    try:
        return cls(**raw)
    except TypeError as exc:  # missing required key
        raise ConfigError(f"{where}: {exc}") from None


def load_settings(path: str | Path | None = None) -> Settings:
    """Read and validate a settings file; with no path, the shipped defaults."""
    cfg_path = Path(path) if path else DEFAULT_CONFIG
    if not cfg_path.exists():
        if path:
            raise ConfigError(f"{cfg_path}: config file not found")
        return Settings()
    try:
        raw = yaml.safe_load(cfg_path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(f"{cfg_path}: not valid YAML ({first})") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{cfg_path}: expected a mapping at the top level")
    where = str(cfg_path)
    known = {"geocoder", "map", "tour_window_days", "tours"}
    for key in raw:
        if key not in known:
            raise ConfigError(f"{where}: {key}: unknown key (known: {', '.join(sorted(known))})")
    window = raw.get("tour_window_days", 45)
    if not isinstance(window, int) or window < 0:
        raise ConfigError(f"{where}: tour_window_days: expected a whole number of days, got {window!r}")
    tours = []
    for i, t in enumerate(raw.get("tours") or []):
        tw = f"{where}: tours[{i}]"
        tour = _section(TourOverride, t, tw)
        tour.stops = [_section(StopOverride, s, f"{tw}.stops[{j}]") for j, s in enumerate(tour.stops or [])]
        tours.append(tour)
    return Settings(
        path=cfg_path,
        config_dir=cfg_path.parent,
        geocoder=_section(GeocoderSettings, raw.get("geocoder"), f"{where}: geocoder"),
        map=_section(MapSettings, raw.get("map"), f"{where}: map"),
        tour_window_days=window,
        tours=tours,
    )
