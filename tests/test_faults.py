"""Faults around a nightly run, end to end through the CLI.

An online geocoder that hangs, fails or answers garbage must not stop the build: it finishes in
bounded time on the offline gazetteer and says so. A publish killed half-way (kill -9) or stopped
by a full disk leaves the last good site in place, and the next run recovers by itself.
"""
from __future__ import annotations

import errno
import io
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hostile_fixtures import (
    SEED,
    TOURMAP,
    TRIP_DOC,
    assert_one_line_error,
    cli_env,
    snapshot,
    tourmap,
)

# A hung run fails the test instead of the whole suite.
pytestmark = pytest.mark.timeout(180)

GEOCODE_BOUND_S = 45  # a whole build against a dead service, with a 1 s timeout per request


# --- a misbehaving geocoding service on 127.0.0.1 ---------------------------------------------------

class StubGeocoder:
    """Answers like a broken Nominatim: `mode` is hang, error, garbage or absurd."""

    def __init__(self, mode: str):
        self.mode = mode
        self.requests: list[str] = []
        self.release = threading.Event()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                stub.requests.append(self.path)
                if stub.mode == "hang":
                    stub.release.wait(60)
                    body, code, ctype = b"[]", 200, "application/json"
                elif stub.mode == "error":
                    body, code, ctype = b"<html><body>502 Bad Gateway</body></html>", 502, "text/html"
                elif stub.mode == "garbage":
                    body, code, ctype = b"\x00\xff{not json at all <script>", 200, "application/json"
                else:  # absurd: valid JSON, impossible places
                    body = json.dumps([{"lat": "999", "lon": "-500", "display_name": "<script>x</script>",
                                        "place_id": 1, "importance": 1.0}]).encode()
                    code, ctype = 200, "application/json"
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the client gave up (timed out): that is the point of "hang"

            def log_message(self, *args):  # keep test output clean
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def online_config(tmp_path: Path, port: int) -> Path:
    cfg = tmp_path / "online.yaml"
    cfg.write_text(
        "geocoder:\n"
        "  service: nominatim\n"
        f"  options: {{domain: '127.0.0.1:{port}', scheme: http, user_agent: tourmap-tests}}\n"
        "  timeout_s: 1\n"
        "  min_delay_s: 0\n"
        f"  cache: {tmp_path / 'geocode-cache.json'}\n"
        "map:\n  static_images: false\n",
        encoding="utf-8")
    return cfg


@pytest.fixture(scope="module")
def offline_stops(tmp_path_factory):
    """The seed's stops with the offline gazetteer: what a failing online service falls back to."""
    d = tmp_path_factory.mktemp("offline")
    cfg = d / "offline.yaml"
    cfg.write_text("map:\n  static_images: false\n", encoding="utf-8")
    run = tourmap("build", SEED, "-o", d / "out", "--config", cfg)
    assert run.rc == 0, run
    return stops_of(d / "out")


def stops_of(out: Path) -> list[tuple[str, float, float]]:
    tour = json.loads(next(out.glob("*/tour.json")).read_text(encoding="utf-8"))
    return [(s["name"], s["lat"], s["lon"]) for s in tour["stops"]]


@pytest.mark.parametrize("mode", ["hang", "error", "garbage", "absurd"])
def test_broken_online_geocoder_falls_back_to_offline(mode, tmp_path, offline_stops):
    with StubGeocoder(mode) as stub:
        cfg = online_config(tmp_path, stub.port)
        run = tourmap("build", SEED, "-o", tmp_path / "out", "--config", cfg, timeout=GEOCODE_BOUND_S + 30)
    assert run.rc == 0, run
    assert run.seconds < GEOCODE_BOUND_S, run
    assert "Traceback" not in run.err, run
    assert stub.requests, "the configured service was never asked: this test proves nothing"
    assert stops_of(tmp_path / "out") == offline_stops
    # The editor must learn that the online service was not used: in tourmap's own words, on one
    # line, not as a library's multi-line Python warning in the nightly log.
    assert re.search(r"warn|offline|nominatim|geocod", run.err, re.I), run
    assert not re.search(r"\.py:\d+: \w*Warning", run.err), run
    for s in stops_of(tmp_path / "out"):
        assert -90 <= s[1] <= 90 and -180 <= s[2] <= 180, s


def test_unreachable_online_geocoder_falls_back_to_offline(tmp_path, offline_stops):
    """Nothing listens on the port (the service is down): connection refused, at once."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    run = tourmap("build", SEED, "-o", tmp_path / "out", "--config", online_config(tmp_path, port),
                  timeout=GEOCODE_BOUND_S + 30)
    assert run.rc == 0, run
    assert run.seconds < GEOCODE_BOUND_S, run
    assert "Traceback" not in run.err, run
    assert stops_of(tmp_path / "out") == offline_stops
    assert re.search(r"warn|offline|nominatim|geocod", run.err, re.I), run


def test_corrupt_geocode_cache_is_ignored_not_fatal(tmp_path, offline_stops):
    with StubGeocoder("error") as stub:
        cfg = online_config(tmp_path, stub.port)
        (tmp_path / "geocode-cache.json").write_bytes(b"\x00{\"Lima\": [1, 2, <<<")
        run = tourmap("build", SEED, "-o", tmp_path / "out", "--config", cfg, timeout=GEOCODE_BOUND_S + 30)
    assert run.rc == 0, run
    assert "Traceback" not in run.err, run
    assert stops_of(tmp_path / "out") == offline_stops


# --- publish: killed half-way, disk full ---------------------------------------------------------------

def site_consistent(site: Path) -> list[str]:
    """Broken local links in the site's pages: a half-swapped site shows up here."""
    problems = []
    if not (site / "index.html").is_file():
        return [f"{site}/index.html missing"]
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8", errors="replace")
        refs = re.findall(r"""(?:href|src)\s*=\s*["']([^"'#?]+)""", html)
        for ref in refs:
            if re.match(r"^[a-z][a-z0-9+.-]*:|^//", ref, re.I):
                continue
            target = (page.parent / ref).resolve()
            if not (target.is_file() or (target.is_dir() and (target / "index.html").is_file())):
                problems.append(f"{page.relative_to(site)} -> {ref}")
    return problems


@pytest.fixture
def two_inputs(tmp_path):
    """First the seed alone, then the seed and another trip: the second site differs from the first."""
    one = tmp_path / "in1"
    two = tmp_path / "in2"
    one.mkdir()
    two.mkdir()
    shutil.copy(SEED, one / SEED.name)
    shutil.copy(SEED, two / SEED.name)
    (two / "boric-lima.md").write_text(TRIP_DOC, encoding="utf-8")
    cfg = tmp_path / "site.yaml"
    cfg.write_text("map:\n  static_images: false\nsite:\n  lock_timeout_s: 1\n", encoding="utf-8")
    return one, two, cfg


def test_publish_killed_midway_keeps_the_last_good_site(tmp_path, two_inputs):
    one, two, cfg = two_inputs
    site = tmp_path / "www" / "site"
    good = tourmap("publish", one, "-o", site, "--config", cfg)
    assert good.rc == 0, good
    assert site_consistent(site) == []
    before = snapshot(site)
    # Once exactly between "new site written aside" and "swapped in" (site.py's test seam).
    p = subprocess.Popen([str(TOURMAP), "publish", str(two), "-o", str(site), "--config", str(cfg)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         env=cli_env(TOURMAP_TEST_SLOW="30"))
    deadline = time.monotonic() + 60
    while not list(site.parent.glob(f".{site.name}.new-*")) and p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # let it finish writing the new tree
    assert p.poll() is None, "publish ended before the kill: is site.py's TOURMAP_TEST_SLOW pause gone?"
    p.send_signal(signal.SIGKILL)
    p.wait(timeout=60)
    assert snapshot(site) == before, "killed before the swap: the old site must be untouched"
    full = good.seconds
    outcomes = []
    for frac in (0.1, 0.3, 0.5, 0.7, 0.9):
        # --force: every run does the whole work again (a no-op publish is over before any kill).
        cmd = [str(TOURMAP), "publish", str(two), "-o", str(site), "--config", str(cfg), "--force"]
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=cli_env())
        time.sleep(full * frac)
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
        p.wait(timeout=60)
        outcomes.append(p.returncode)
        assert site.is_dir(), f"killed at {frac:.0%}: the site folder is gone"
        if snapshot(site) != before:  # the new site was swapped in whole before the kill
            assert site_consistent(site) == [], f"killed at {frac:.0%}: half-written site"
    assert -signal.SIGKILL in outcomes, f"never killed mid-run: {outcomes}"
    # The next run recovers: no stale lock, no leftovers in the way.
    again = tourmap("publish", two, "-o", site, "--config", cfg)
    assert again.rc == 0, again
    assert site_consistent(site) == []
    assert snapshot(site) != before
    stray = [p.name for p in site.iterdir() if p.name.startswith(".") and p.is_dir()]
    stray += [p.name for p in site.parent.glob(f".{site.name}.new-*")]
    assert stray == [], stray


class DiskFull:
    """Every file opened for writing under `root` fails with ENOSPC, as on a full disk.

    Reads, lock files (os.open) and paths elsewhere work. A file opened from a descriptor
    (mkstemp + fdopen) is caught by the path the descriptor points to.
    """

    def __init__(self, root: Path):
        self.root = str(root)
        self.real_open = io.open
        self.hits = 0

    def _target(self, file) -> str:
        if isinstance(file, int):
            try:
                return os.readlink(f"/proc/self/fd/{file}")
            except OSError:
                return ""
        try:
            return os.path.abspath(os.fsdecode(file))
        except TypeError:
            return ""

    def open(self, file, mode="r", *args, **kwargs):
        if any(c in mode for c in "wax+"):
            target = self._target(file)
            if target.startswith(self.root):
                self.hits += 1
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), target)
        return self.real_open(file, mode, *args, **kwargs)

    def install(self, monkeypatch):
        import builtins

        monkeypatch.setattr(builtins, "open", self.open)
        monkeypatch.setattr(io, "open", self.open)


def invoke(args: list[str]):
    from click.testing import CliRunner

    from tourmap.cli import cli

    return CliRunner().invoke(cli, args, catch_exceptions=True)


def _one_error_line(result) -> str:
    assert result.exit_code == 1, (result.exit_code, result.output, result.exception)
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


@pytest.mark.parametrize("command", ["build", "publish"])
def test_disk_full_keeps_the_last_good_output_and_next_run_recovers(command, tmp_path, two_inputs, monkeypatch):
    one, two, cfg = two_inputs
    out = tmp_path / "www" / "out"
    first = invoke([command, str(one), "-o", str(out), "--config", str(cfg)])
    assert first.exit_code == 0, (first.output, first.exception)
    before = snapshot(out)
    assert before
    full = DiskFull(tmp_path / "www")
    with monkeypatch.context() as mp:
        full.install(mp)
        failed = invoke([command, str(two), "-o", str(out), "--config", str(cfg), *(["--force"] if command == "build" else [])])
    assert full.hits, "no write was attempted: the test proves nothing"
    line = _one_error_line(failed)
    assert line.startswith("Error: ") and "No space left on device" in line, line
    assert "internal error" not in line, line
    assert snapshot(out) == before
    recovered = invoke([command, str(two), "-o", str(out), "--config", str(cfg)])
    assert recovered.exit_code == 0, (recovered.output, recovered.exception)
    assert snapshot(out) != before
    if command == "publish":
        assert site_consistent(out) == []


def test_publish_never_links_a_missing_page_after_a_failed_build(tmp_path, two_inputs):
    """A bad article among good ones: the run fails in one line and the old site stays whole."""
    one, two, cfg = two_inputs
    site = tmp_path / "site"
    assert tourmap("publish", one, "-o", site, "--config", cfg).rc == 0
    before = snapshot(site)
    (two / "roto.txt").write_bytes(b"")
    run = tourmap("publish", two, "-o", site, "--config", cfg)
    if run.rc != 0:  # refusing the run is fine; it must say why in one line and keep the site
        assert_one_line_error(run, two / "roto.txt")
        assert snapshot(site) == before
    else:  # skipping the bad article is fine too, if the site stays whole
        assert site_consistent(site) == []
