"""Network dependencies cost bounded time: one deadline per request, one breaker per run.

A server that sends one byte a second must not hold a build past its deadline; a dead service
must cost a few timeouts per build, not one per article, and be reported in one line.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
from hostile_fixtures import ROOT, SEED, tourmap

from tourmap import netguard

pytestmark = pytest.mark.timeout(120)


class DripServer:
    """Accepts, then sends a valid HTTP answer one byte every `every` seconds; or, with
    `accept_only`, never answers at all. Counts the requests it was sent."""

    def __init__(self, every: float = 0.5, accept_only: bool = False):
        self.every, self.accept_only = every, accept_only
        self.requests = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()

    def _serve(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn):
        try:
            conn.recv(65536)
            self.requests += 1
            if self.accept_only:
                self.stop.wait(60)
                return
            body = b"[]"
            answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n" + body
            for i in range(len(answer)):
                if self.stop.wait(self.every):
                    return
                conn.sendall(answer[i:i + 1])
        except OSError:
            pass
        finally:
            conn.close()

    def __enter__(self):
        threading.Thread(target=self._serve, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.sock.close()


def test_a_dripping_server_is_cut_at_the_deadline():
    with DripServer(every=0.2) as srv:
        t0 = time.monotonic()
        with pytest.raises(netguard.DeadlineExceeded):
            netguard.http_request(f"http://127.0.0.1:{srv.port}/", deadline=1.0)
        took = time.monotonic() - t0
    assert took < 1.6, f"{took:.2f} s for a 1 s deadline"


def test_statuses_are_answers_and_refusals_are_oserrors():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(OSError):
        netguard.http_request(f"http://127.0.0.1:{port}/", deadline=2)


def test_the_breaker_is_shared_by_forked_workers():
    netguard.start_run()
    b = netguard.breaker("svc", unit="article", fallback="plan B", threshold=3)
    pids = []
    for i in range(2):
        pid = os.fork()
        if pid == 0:  # a build's worker
            w = netguard.breaker("svc", unit="article", fallback="plan B", threshold=3)
            ok = w.allow()
            w.failure(f"boom {i}")
            w.done(fell_back=True)
            os._exit(0 if ok else 3)
        pids.append(pid)
        os.waitpid(pid, 0)
    assert b.allow()  # two failures: still closed
    b.failure("boom 2")
    b.done(fell_back=True)
    assert not b.allow()
    b.success()  # a late success does not reopen it for this run
    assert not b.allow()
    [line] = netguard.summary()
    assert line.startswith("svc failed 3 times in a row and was skipped") and "3 of 3 articles used plan B" in line
    netguard.start_run()
    assert b.allow() and netguard.summary() == []


def _articles(folder: Path, n: int) -> Path:
    folder.mkdir()
    samples = sorted((ROOT / "tests" / "data" / "eval").glob("0[1-8]_*.md"))
    for i in range(n):
        src = samples[i % len(samples)]
        shutil.copy(src, folder / f"{i:02d}_{src.name}")
    return folder


def _online(tmp_path: Path, port: int, timeout_s: float) -> Path:
    cfg = tmp_path / "online.yaml"
    cfg.write_text(
        "geocoder:\n  service: nominatim\n"
        f"  options: {{domain: '127.0.0.1:{port}', scheme: http, user_agent: tourmap-tests}}\n"
        f"  timeout_s: {timeout_s}\n  min_delay_s: 0\n  cache: {tmp_path / 'cache.json'}\n"
        "map:\n  static_images: false\n", encoding="utf-8")
    return cfg


def test_a_hanging_service_costs_a_few_timeouts_per_build_not_one_per_article(tmp_path):
    src = _articles(tmp_path / "in", 8)
    with DripServer(accept_only=True) as srv:
        run = tourmap("build", src, "-o", tmp_path / "out", "-j", "2", "--config", _online(tmp_path, srv.port, 1))
    assert run.rc == 0, run
    # the breaker opens after 3 consecutive failures; each of 2 workers may have one in flight
    assert srv.requests <= netguard.DEFAULT_THRESHOLD + 1, srv.requests
    warnings = [ln for ln in run.err_lines if "geocoder" in ln]
    assert len(warnings) == 1, run
    assert re.search(r"skipped for the rest of the run .*: 8 of 8 articles used the offline gazetteer",
                     warnings[0]), warnings[0]
    assert run.seconds < 30, run


def test_a_dripping_service_does_not_hold_a_build_past_its_deadline(tmp_path):
    with DripServer(every=1.0) as srv:
        run = tourmap("build", SEED, "-o", tmp_path / "out", "--config", _online(tmp_path, srv.port, 2))
    assert run.rc == 0, run
    assert srv.requests == netguard.DEFAULT_THRESHOLD, srv.requests
    # three requests of 2 s each, then the offline gazetteer: not a minute of dripping
    assert run.seconds < 20, run
    assert any("no complete answer within 2 s" in ln for ln in run.err_lines), run
