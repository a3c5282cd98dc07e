"""Online geocoding through geopy against a local stub server: answers, cache, and every failure
falling back to the offline gazetteer with a warning, in bounded time."""
from __future__ import annotations

import json
import logging
import threading
import time
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlparse

import pytest

from tourmap import netguard
from tourmap.config import GeocoderSettings, Settings
from tourmap.errors import ConfigError
from tourmap.geocode import (
    OfflineGeocoder,
    ResilientGeocoder,
    locate_tour,
    make_geocoder,
)
from tourmap.models import Stop, Tour

# What the stub answers, per query word: a Nominatim-style JSON list.
ANSWERS = {
    "Lima": {"lat": "-12.0464", "lon": "-77.0428", "display_name": "Lima, Perú"},
    "Quito": {"lat": "-0.2202", "lon": "-78.5125", "display_name": "Quito, Ecuador"},
    # a homonym on another continent: must not move the stop
    "Santiago": {"lat": "42.8805", "lon": "-8.5457", "display_name": "Santiago de Compostela, España"},
}


class Stub(BaseHTTPRequestHandler):
    mode = "ok"
    requests: ClassVar[list[str]] = []

    def log_message(self, *args):  # keep test output clean
        pass

    def do_GET(self):
        q = parse_qs(urlparse(self.path).query).get("q", [""])[0]
        type(self).requests.append(q)
        mode = type(self).mode
        if mode == "hang":
            time.sleep(2.0)
            body, status = b"[]", 200
        elif mode == "500":
            body, status = b"internal error", 500
        elif mode == "garbage":
            body, status = b"<html>not json at all", 200
        elif mode == "badcoords":
            body, status = json.dumps([{"lat": "999", "lon": "abc", "display_name": "?"}]).encode(), 200
        else:
            hit = next((v for k, v in ANSWERS.items() if q.startswith(k)), None)
            body, status = json.dumps([hit] if hit else []).encode(), 200
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
            pass


@pytest.fixture()
def stub(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    Stub.mode = "ok"
    Stub.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    netguard.start_run()  # each test is a run of its own: no breaker left open by the last one
    yield server
    server.shutdown()
    server.server_close()


def settings_for(server, tmp_path: Path, **kw) -> GeocoderSettings:
    host, port = server.server_address[:2]
    return GeocoderSettings(service="nominatim",
                            options={"domain": f"{host}:{port}", "scheme": "http"},
                            timeout_s=kw.pop("timeout_s", 0.5), min_delay_s=0.0,
                            cache=str(tmp_path / "cache" / "geocode.json"))


def tour() -> Tour:
    return Tour(articles=[], stops=[
        Stop(name="Lima", lat=-12.0432, lon=-77.0282, country="PE"),
        Stop(name="Quito", lat=-0.2299, lon=-78.5249, country="EC"),
        Stop(name="Santiago", lat=-33.4569, lon=-70.6483, country="CL"),
    ])


def test_nominatim_compatible_stub_works_through_geopy(stub, tmp_path):
    geo = make_geocoder(settings_for(stub, tmp_path))
    loc = geo.geocode("Lima, Perú")
    assert (round(loc.latitude, 4), round(loc.longitude, 4)) == (-12.0464, -77.0428)
    assert geo.offline_answers == 0 and Stub.requests == ["Lima, Perú"]


def test_locate_tour_moves_near_answers_and_keeps_far_ones(stub, tmp_path, caplog):
    gs = settings_for(stub, tmp_path)
    original = tour()
    with caplog.at_level(logging.WARNING, logger="tourmap.geocode"):
        located = locate_tour(original, settings=Settings(geocoder=gs))
    lima, quito, santiago = located.stops
    assert (lima.lat, lima.lon) == (-12.0464, -77.0428)
    assert (quito.lat, quito.lon) == (-0.2202, -78.5125)
    assert (santiago.lat, santiago.lon) == (-33.4569, -70.6483)  # 9,000 km away: kept
    assert "Santiago" in caplog.text and "km" in caplog.text
    assert original.stops[0].lat == -12.0432  # the input tour is not modified


def test_cache_hit_avoids_a_second_request(stub, tmp_path):
    gs = settings_for(stub, tmp_path)
    locate_tour(tour(), settings=Settings(geocoder=gs))
    first = len(Stub.requests)
    assert first == 3
    cache = Path(gs.cache)
    data = json.loads(cache.read_text(encoding="utf-8"))
    host, port = stub.server_address[:2]
    assert data["answers"][f"nominatim@{host}:{port}|Lima, Perú"]["lat"] == -12.0464
    again = locate_tour(tour(), settings=Settings(geocoder=gs))
    assert len(Stub.requests) == first  # all answers came from the cache
    assert again.stops[0].lat == -12.0464
    before = cache.read_bytes()
    locate_tour(tour(), settings=Settings(geocoder=gs))
    assert cache.read_bytes() == before  # deterministic file


def test_pinned_stops_do_not_move(stub, tmp_path):
    t = tour()
    t.stops[0].pinned = True
    located = locate_tour(t, settings=Settings(geocoder=settings_for(stub, tmp_path)))
    assert located.stops[0].lat == -12.0432
    assert "Lima, Perú" not in Stub.requests


@pytest.mark.parametrize("mode", ["hang", "500", "garbage", "badcoords"])
def test_failing_service_falls_back_offline_with_a_warning(stub, tmp_path, caplog, mode):
    Stub.mode = mode
    gs = settings_for(stub, tmp_path, timeout_s=0.3)
    t0 = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="tourmap.geocode"), \
            warnings.catch_warnings(record=True) as python_warnings:
        warnings.simplefilter("always")
        located = locate_tour(tour(), settings=Settings(geocoder=gs))
        again = locate_tour(tour(), settings=Settings(geocoder=gs))  # the next article of the run
        loc = ResilientGeocoder(gs).geocode("Quito, Ecuador")
    elapsed = time.monotonic() - t0
    assert not python_warnings  # one tourmap log line, not a library's multi-line warning
    assert not caplog.text  # no line per failure: the run's summary says it once
    assert [(s.lat, s.lon) for s in located.stops] == [(s.lat, s.lon) for s in tour().stops]
    assert [(s.lat, s.lon) for s in again.stops] == [(s.lat, s.lon) for s in tour().stops]
    assert loc is not None and loc.raw["country"] == "EC"  # the offline gazetteer answered
    # the breaker opened after its threshold of consecutive failures: no request after that
    assert len(Stub.requests) == netguard.DEFAULT_THRESHOLD
    assert elapsed < 3.0
    [line] = netguard.summary()
    assert f"failed {netguard.DEFAULT_THRESHOLD} times in a row" in line and "skipped" in line, line
    assert "2 of 2 articles used the offline gazetteer" in line, line


def test_unreachable_service_falls_back(tmp_path, caplog):
    gs = GeocoderSettings(service="nominatim", options={"domain": "127.0.0.1:9", "scheme": "http"},
                          timeout_s=0.5, min_delay_s=0.0, cache=str(tmp_path / "g.json"))
    netguard.start_run()
    located = locate_tour(tour(), settings=Settings(geocoder=gs))
    assert located.stops[0].lat == -12.0432
    [line] = netguard.summary()
    assert "ConnectionRefusedError" in line and "1 of 1 article used the offline gazetteer" in line, line


def test_offline_service_returns_the_tour_as_is():
    t = tour()
    assert locate_tour(t, settings=Settings()) is t
    assert isinstance(make_geocoder(GeocoderSettings()), OfflineGeocoder)


def test_unknown_service_or_bad_options_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="unknown geocoder 'nowhere'"):
        make_geocoder(GeocoderSettings(service="nowhere"))
    with pytest.raises(ConfigError, match="geocoder.options"):
        make_geocoder(GeocoderSettings(service="nominatim", options={"no_such_option": 1},
                                       cache=str(tmp_path / "c.json")))


def test_corrupt_cache_is_replaced_not_fatal(stub, tmp_path, caplog):
    gs = settings_for(stub, tmp_path)
    Path(gs.cache).parent.mkdir(parents=True)
    Path(gs.cache).write_text("{not json", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="tourmap.geocode"):
        loc = make_geocoder(gs).geocode("Quito, Ecuador")
    assert round(loc.latitude, 4) == -0.2202
    assert json.loads(Path(gs.cache).read_text(encoding="utf-8"))["version"] == 1
