"""Geocoding through geopy: the offline gazetteer by default, any geopy service on request.

The tour stage already places every stop from the gazetteer, so with service "offline"
`locate_tour` changes nothing. With an online service (settings `geocoder.service`, any name
geopy's `get_geocoder_for_service` knows) each stop is asked again as "<name>, <country>"
(or "<landmark>, <name>, <country>") and the answer replaces the offline point only when it is
within `MAX_SHIFT_KM` of it: a service that answers a homonym on another continent, garbage, an
error or nothing at all leaves the offline point in place.

Every request goes through netguard: `timeout_s` bounds the whole request (a server that drips
one byte a second is cut at the deadline), and after a few consecutive failures the service is
skipped for the rest of the run, in every worker process of the build. The build then logs one
warning saying how many articles used the offline gazetteer (`netguard.summary()`).

Answers are kept in a JSON cache file (settings `geocoder.cache`, relative to the working
directory), written atomically with sorted keys, so a second run makes no request.
"""
from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from geopy.adapters import AdapterHTTPError, BaseSyncAdapter
from geopy.distance import geodesic
from geopy.exc import GeocoderNotFound, GeocoderParseError, GeocoderTimedOut, GeocoderUnavailable
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import get_geocoder_for_service
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from . import netguard
from .config import GeocoderSettings, Settings
from .errors import ConfigError
from .gazetteer import Gazetteer, default_gazetteer, gazetteer_for
from .models import Place, Tour

log = logging.getLogger("tourmap.geocode")

MAX_SHIFT_KM = 100.0  # an online answer farther than this from the offline point is a homonym
USER_AGENT = "tourmap (offline-first news trip maps)"
CACHE_VERSION = 1


def _location(place: Place, gazetteer: Gazetteer) -> Location:
    country = gazetteer.country(place.country) if place.country and place.kind != "country" else None
    address = f"{place.name}, {country.name}" if country else place.name
    raw = {"name": place.name, "country": place.country, "kind": place.kind, "admin1": place.admin1,
           "population": place.population, "id": place.id, "source": place.source}
    return Location(address, Point(place.lat, place.lon), raw)


class OfflineGeocoder(Geocoder):
    """A geopy geocoder answered from the embedded gazetteer: no network, microseconds a query.

    Parameters
    ----------
    gazetteer : the gazetteer to ask (default: the shipped one)

    Examples
    --------
    >>> g = OfflineGeocoder()
    >>> loc = g.geocode("Santiago, Chile")
    >>> loc.raw["country"], round(loc.latitude)
    ('CL', -33)
    >>> g.geocode("Nowhere-at-all") is None
    True
    """

    def __init__(self, gazetteer: Gazetteer | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.gazetteer = gazetteer or default_gazetteer()

    def geocode(self, query: str, *, exactly_one: bool = True, timeout: Any = None,
                country_codes: str | list[str] | None = None,
                kinds: tuple[str, ...] | None = None) -> Location | list[Location] | None:
        """Places for "name[, region][, country]"; the most likely one, or all when not exactly_one.

        Later comma parts that name a country or first-level region restrict and weigh the choice
        ("Córdoba, España", "La Paz, Baja California Sur").
        """
        g = self.gazetteer
        parts = [p.strip() for p in str(query or "").split(",") if p.strip()]
        if not parts:
            return None if exactly_one else []
        codes = [country_codes] if isinstance(country_codes, str) else list(country_codes or [])
        codes = [c.upper() for c in codes]
        context: dict[str, float] = {}
        for part in parts[1:]:
            for p in g.lookup(part, kinds=("country",))[:1]:
                codes.append(p.country or "")
            for p in g.lookup(part, kinds=("admin",)):
                if not codes or p.country in codes:
                    context[p.admin1 or ""] = 1.0
                    context.setdefault(p.country or "", 0.5)
                    break
        candidates = g.lookup(parts[0], kinds=kinds)
        if not candidates and len(parts) > 1:  # "Casa Rosada, Buenos Aires": try the next part
            candidates = g.lookup(parts[1], kinds=kinds)
        if codes:
            candidates = [p for p in candidates if p.country in codes]
            for c in codes:
                context[c] = 2.0
        if not candidates:
            return None if exactly_one else []
        best = g.resolve(tuple(candidates), context=context or None)
        if exactly_one:
            return _location(best, g)
        return [_location(best, g)] + [_location(p, g) for p in candidates if p != best]

    def reverse(self, query: Any, *, exactly_one: bool = True, timeout: Any = None,
                kinds: tuple[str, ...] = ("city", "capital")) -> Location | list[Location] | None:
        """The nearest city to a point ("lat, lon", (lat, lon) or geopy Point)."""
        try:
            point = Point(query)
        except (TypeError, ValueError):
            return None if exactly_one else []
        place = self.gazetteer.nearest(point.latitude, point.longitude, kinds=kinds)
        if place is None:
            return None if exactly_one else []
        loc = _location(place, self.gazetteer)
        return loc if exactly_one else [loc]


class GeocodeCache:
    """A JSON file of query -> answer (or null for "no answer"), written atomically."""

    def __init__(self, path: str | Path | None):
        self.path = Path(path) if path else None
        self.data: dict[str, Any] = {}
        if self.path and self.path.exists():
            try:
                raw = json.loads(self.path.read_text(encoding="utf-8"))
                if isinstance(raw, dict) and raw.get("version") == CACHE_VERSION:
                    self.data = dict(raw.get("answers") or {})
                else:
                    log.warning("%s: not a tourmap geocode cache; starting a new one", self.path)
            except (OSError, ValueError, UnicodeDecodeError) as exc:
                log.warning("%s: unreadable geocode cache (%s); starting a new one", self.path,
                            type(exc).__name__)

    def get(self, key: str) -> tuple[bool, Any]:
        return (key in self.data, self.data.get(key))

    def put(self, key: str, value: Any) -> None:
        self.data[key] = value
        if not self.path:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps({"version": CACHE_VERSION, "answers": self.data}, ensure_ascii=False,
                              sort_keys=True, indent=1) + "\n"
            fd, tmp = tempfile.mkstemp(prefix=self.path.name, suffix=".tmp", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(text)
                os.replace(tmp, self.path)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        except OSError as exc:  # a read-only cache folder must not stop a build
            log.warning("%s: cannot write the geocode cache (%s)", self.path, exc.strerror or exc)


def _valid(loc: Any) -> bool:
    try:
        lat, lon = float(loc.latitude), float(loc.longitude)
    except (AttributeError, TypeError, ValueError):
        return False
    return math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180


class ResilientGeocoder:
    """Any geopy service behind a rate limiter, a JSON cache and an offline fallback.

    `geocode(query)` returns the service's answer as a Location, or the offline gazetteer's
    answer when the service fails, hangs past the deadline or answers garbage. It never raises
    for a service problem. `offline_answers` counts the fallbacks; `breaker` is the run's circuit
    breaker for this service (shared with the build's other processes), which has the failures.
    """

    def __init__(self, settings: GeocoderSettings, *, offline: OfflineGeocoder | None = None,
                 geocoder: Geocoder | None = None):
        self.settings = settings
        self.offline = offline or OfflineGeocoder()
        self.service = settings.service
        self.online = geocoder if geocoder is not None else _build_online(settings)
        self.cache = GeocodeCache(settings.cache)
        self.requests = 0
        self.offline_answers = 0
        domain = settings.options.get("domain")
        self.breaker = netguard.breaker(f"geocoder {self.service!r}" + (f" at {domain}" if domain else ""),
                                        unit="article", fallback="the offline gazetteer")
        self._rate: Callable[..., Any] = RateLimiter(
            self.online.geocode, min_delay_seconds=settings.min_delay_s, max_retries=0,
            swallow_exceptions=False)

    def _key(self, query: str) -> str:
        # the same service at another address (a newsroom's own Nominatim) answers separately
        domain = self.settings.options.get("domain")
        return f"{self.service}@{domain}|{query}" if domain else f"{self.service}|{query}"

    def ask_online(self, query: str) -> tuple[str, Location | None]:
        """("ok" | "none" | "cached" | "failed", answer) from the service or the cache."""
        hit, value = self.cache.get(self._key(query))
        if hit:
            if value is None:
                return "cached", None
            return "cached", Location(value["address"], Point(value["lat"], value["lon"]),
                                      {"cached": True})
        if not self.breaker.allow():
            return "failed", None
        self.requests += 1
        try:
            # geopy warns (multi-line, via `warnings`) about absurd coordinates before raising:
            # the run's one summary line (netguard.summary) is what the editor should read
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                loc = self._rate(query, exactly_one=True, timeout=self.settings.timeout_s)
        except Exception as exc:  # noqa: BLE001 - any service problem means: use the offline answer
            reason = f"{type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''}"
            self.breaker.failure(reason)
            log.debug("geocoder %r failed for %r (%s)", self.service, query, reason)
            return "failed", None
        if isinstance(loc, list):
            loc = loc[0] if loc else None
        if loc is None:
            self.breaker.success()
            self.cache.put(self._key(query), None)
            return "none", None
        if not _valid(loc):
            self.breaker.failure(f"unusable answer {str(loc)[:80]!r} for {query!r}")
            return "failed", None
        self.breaker.success()
        self.cache.put(self._key(query), {"address": str(loc.address or query),
                                          "lat": round(float(loc.latitude), 6),
                                          "lon": round(float(loc.longitude), 6)})
        return "ok", loc

    def geocode(self, query: str) -> Location | None:
        """The service's answer, else the offline gazetteer's (never raises for service trouble)."""
        _status, loc = self.ask_online(query)
        if loc is not None:
            return loc
        self.offline_answers += 1
        return self.offline.geocode(query)


def _build_online(settings: GeocoderSettings) -> Geocoder:
    try:
        cls = get_geocoder_for_service(settings.service)
    except GeocoderNotFound:
        raise ConfigError(f"geocoder.service: unknown geocoder {settings.service!r} "
                          "(use \"offline\" or a geopy service name such as \"nominatim\")") from None
    options = dict(settings.options)
    options.setdefault("timeout", settings.timeout_s)
    params = _init_params(cls)
    if "user_agent" in params:
        options.setdefault("user_agent", USER_AGENT)
    if "adapter_factory" in params:
        # geopy's own adapters bound each socket read, not the request, and retry: see DeadlineAdapter
        options.setdefault("adapter_factory", DeadlineAdapter)
    try:
        return cls(**options)
    except Exception as exc:  # noqa: BLE001 - geopy raises ConfigurationError, TypeError, ValueError
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(f"geocoder.options: {settings.service} cannot start ({first})") from None


class DeadlineAdapter(BaseSyncAdapter):
    """geopy's HTTP layer over netguard.http_request: the geocoder's `timeout` bounds the whole
    request (geopy's requests and urllib adapters bound each socket read, so a server sending a
    byte a second holds them for ever), one try, no retries."""

    is_available = True

    def __init__(self, *, proxies, ssl_context):
        super().__init__(proxies=proxies, ssl_context=ssl_context)
        if isinstance(proxies, str):
            proxies = {"http": proxies, "https": proxies}
        self.proxies = proxies
        self.ssl_context = ssl_context

    def get_text(self, url, *, timeout, headers):
        try:
            r = netguard.http_request(url, deadline=timeout or 10, headers=headers, proxies=self.proxies,
                                      ssl_context=self.ssl_context)
        except netguard.DeadlineExceeded as exc:
            raise GeocoderTimedOut(str(exc)) from None
        except OSError as exc:
            raise GeocoderUnavailable(f"{type(exc).__name__}: {exc}") from None
        if r.status >= 400:
            raise AdapterHTTPError(f"HTTP status {r.status}", status_code=r.status, headers=r.headers,
                                   text=r.text())
        return r.text()

    def get_json(self, url, *, timeout, headers):
        text = self.get_text(url, timeout=timeout, headers=headers)
        try:
            return json.loads(text)
        except ValueError:
            raise GeocoderParseError(f"not JSON: {text[:60]!r}") from None


def _init_params(cls: type) -> set[str]:
    import inspect

    try:
        return set(inspect.signature(cls.__init__).parameters)
    except (TypeError, ValueError):
        return set()


def make_geocoder(settings: GeocoderSettings, *,
                  gazetteer: Gazetteer | None = None) -> OfflineGeocoder | ResilientGeocoder:
    """The geocoder the settings name: OfflineGeocoder for "offline", else the service behind a
    rate limiter, the JSON cache and the offline fallback. Bad settings raise ConfigError."""
    offline = OfflineGeocoder(gazetteer)
    if settings.service in ("offline", "", None):
        return offline
    return ResilientGeocoder(settings, offline=offline)


def _query(name: str, country: str | None, landmark: str | None, gazetteer: Gazetteer) -> str:
    parts = [landmark] if landmark and landmark != name else []
    parts.append(name)
    cplace = gazetteer.country(country) if country else None
    if cplace and cplace.name != name:
        parts.append(cplace.name)
    return ", ".join(parts)


def locate_tour(tour: Tour, *, settings: Settings) -> Tour:
    """Re-geocode the stops with the configured online service; offline, the tour as it is.

    A stop moves to the service's point only when that point is within MAX_SHIFT_KM of the
    gazetteer's (the same place, more precisely); pinned stops never move. The input is not
    modified. The article is counted on the run's breaker, as falling back when any of its stops
    could not be asked (netguard.summary() reports it).
    """
    gs = settings.geocoder
    if not gs.online or not tour.stops:
        return tour
    gaz = gazetteer_for(settings)
    geo = ResilientGeocoder(gs, offline=OfflineGeocoder(gaz))
    stops = []
    fell_back = False
    for stop in tour.stops:
        if stop.pinned:
            stops.append(stop)
            continue
        status, loc = geo.ask_online(_query(stop.name, stop.country, stop.landmark, gaz))
        fell_back |= status == "failed"
        if loc is None:
            stops.append(stop)
            continue
        shift = geodesic((stop.lat, stop.lon), (loc.latitude, loc.longitude)).km
        if shift > MAX_SHIFT_KM:
            log.warning("geocoder %r put %r %.0f km from the gazetteer's point; keeping the "
                        "gazetteer's", gs.service, stop.name, shift)
            stops.append(stop)
            continue
        stops.append(dataclasses.replace(stop, lat=round(float(loc.latitude), 6),
                                         lon=round(float(loc.longitude), 6)))
    geo.breaker.done(fell_back)
    return dataclasses.replace(tour, stops=stops)
