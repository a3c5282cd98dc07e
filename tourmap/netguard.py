"""Deadlines and circuit breakers for the network services a build may use.

An unattended build must end in bounded time whatever a service does: refuse connections, answer
errors, hang, or send one byte a second forever. Two small pieces, used by the online geocoder
(geocode.py) and meant for any other HTTP dependency (a language-model endpoint):

`http_request(url, deadline=...)` -> `Response`
    One HTTP(S) request (urllib: the environment's proxies, TLS checks) that ends by the
    deadline: the whole request, from DNS to the last body byte, not each socket read. At the
    deadline the socket is cut and `DeadlineExceeded` is raised in the caller; the request's
    thread ends by itself a moment later. Any status comes back as a `Response` (4xx/5xx are not
    exceptions); connection problems raise `OSError` (DeadlineExceeded is a TimeoutError, an
    OSError too). `deadline` is seconds or a shared `Deadline`, so several calls can share one.

    >>> r = http_request("http://127.0.0.1:8080/v1/chat/completions", deadline=30,
    ...                  method="POST", data=b'{...}', headers={"Content-Type": "application/json"})
    >>> r.status, r.json()

`breaker(name, unit=..., fallback=..., threshold=3)` -> `Breaker`
    The run's circuit breaker for one service (name it with what identifies the service: kind,
    name, host). After `threshold` consecutive failures it opens: `allow()` says False and the
    caller uses its fallback without asking, for the rest of the run. Its state lives in memory
    shared with the processes forked after `start_run()` (a build's workers), so the workers of
    one build share one count: a dead service costs `threshold` timeouts per build, not one per
    article or per worker. The caller reports each unit of work (an article) with `done(fell_back)`.

    >>> b = breaker("geocoder nominatim@example.org", unit="article", fallback="the offline gazetteer")
    >>> if b.allow():
    ...     try:
    ...         answer = ask(...); b.success()
    ...     except OSError as exc:
    ...         b.failure(f"{type(exc).__name__}: {exc}")

`start_run()` at the start of a build (before its workers are forked) clears every breaker;
`summary()` at its end gives one line per service that failed, saying how many units fell back:

    geocoder 'nominatim' failed 3 times in a row and was skipped for the rest of the run
    (DeadlineExceeded: no complete answer within 2 s): 20 of 20 articles used the offline gazetteer

Only the standard library; nothing is imported that an offline build would not otherwise load.
"""
from __future__ import annotations

import fcntl
import json as _json
import mmap
import os
import socket
import struct
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Any

DEFAULT_THRESHOLD = 3
MAX_BODY = 16 * 1024 * 1024  # a service answer larger than this is not an answer


class DeadlineExceeded(TimeoutError):
    """The whole request did not finish by its deadline."""


class Deadline:
    """A point in time (monotonic clock) that several steps of one task share."""

    def __init__(self, seconds: float):
        self.seconds = float(seconds)
        self.end = time.monotonic() + self.seconds

    def remaining(self) -> float:
        return max(0.0, self.end - time.monotonic())

    @property
    def expired(self) -> bool:
        return time.monotonic() >= self.end


# --- one request, one deadline ------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, str] = field(default_factory=dict)  # names in lower case
    body: bytes = b""
    url: str = ""

    def text(self) -> str:
        charset = "utf-8"
        ctype = self.headers.get("content-type", "")
        if "charset=" in ctype:
            charset = ctype.split("charset=", 1)[1].split(";")[0].strip().strip('"') or "utf-8"
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body as JSON; ValueError when it is not."""
        return _json.loads(self.text())


def _opener(conns: list, proxies: dict[str, str] | None, ssl_context):
    """urllib's opener, remembering each connection it makes (to cut it at the deadline).
    urllib is imported here: an offline build never pays for it."""
    import http.client
    import urllib.request

    def tracked(cls: type):
        def make(host, **kwargs):
            conn = cls(host, **kwargs)
            conns.append(conn)
            return conn
        return make

    class HTTP(urllib.request.HTTPHandler):
        def http_open(self, req):
            return self.do_open(tracked(http.client.HTTPConnection), req)

    class HTTPS(urllib.request.HTTPSHandler):
        def https_open(self, req):
            return self.do_open(tracked(http.client.HTTPSConnection), req, context=ssl_context)

    return urllib.request.build_opener(
        urllib.request.ProxyHandler(proxies) if proxies is not None else urllib.request.ProxyHandler(),
        HTTP(), HTTPS(context=ssl_context))


def _cut(conns: list) -> None:
    """Unblock a read or write in progress on these connections (from another thread)."""
    for conn in list(conns):
        sock = getattr(conn, "sock", None)
        if sock is None:
            continue
        try:
            # socket.socket's shutdown, also on a TLS socket: the fd is shut, the TLS object left alone
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
        except OSError:
            pass


def _read(resp, limit: int) -> bytes:
    chunks, size = [], 0
    while True:
        chunk = resp.read(65536)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            raise OSError(f"answer larger than {limit // (1024 * 1024)} MB")
        chunks.append(chunk)


def http_request(url: str, *, deadline: float | Deadline, method: str | None = None, data: bytes | None = None,
                 headers: dict[str, str] | None = None, proxies: dict[str, str] | None = None,
                 ssl_context=None, max_bytes: int = MAX_BODY) -> Response:
    """One HTTP request that ends by `deadline` (seconds or a Deadline); see the module docstring."""
    import urllib.error
    import urllib.request

    dl = deadline if isinstance(deadline, Deadline) else Deadline(deadline)
    if dl.expired:
        raise DeadlineExceeded(f"no time left for {url}")
    conns: list = []
    opener = _opener(conns, proxies, ssl_context)
    req = urllib.request.Request(url, data=data, headers=dict(headers or {}), method=method)
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            try:
                resp = opener.open(req, timeout=max(dl.remaining(), 0.001))
            except urllib.error.HTTPError as err:  # a status >= 400 is an answer, not a failure here
                resp = err
            with resp:
                body = _read(resp, max_bytes)
                box["ok"] = Response(resp.status if hasattr(resp, "status") else resp.code,
                                     {k.lower(): v for k, v in resp.headers.items()}, body, resp.geturl())
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            box["error"] = exc

    worker = threading.Thread(target=work, name="netguard-request", daemon=True)
    worker.start()
    worker.join(dl.remaining())
    if worker.is_alive():
        _cut(conns)
        worker.join(0.2)  # usually ends at once; if not (a DNS lookup), it ends on its own later
        raise DeadlineExceeded(f"no complete answer within {dl.seconds:g} s")
    if "error" in box:
        exc = box["error"]
        if isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, BaseException):
            exc = exc.reason  # the socket's own error: ConnectionRefusedError, gaierror, timeout
        if isinstance(exc, (socket.timeout, TimeoutError)) and not isinstance(exc, DeadlineExceeded):
            raise DeadlineExceeded(f"no complete answer within {dl.seconds:g} s") from None
        if isinstance(exc, OSError):
            raise exc
        raise OSError(f"{type(exc).__name__}: {exc}") from None
    return box["ok"]


# --- circuit breakers shared by a build's processes ---------------------------------------------

_SLOTS = 32
_NAME = 120
_META = 120  # unit and fallback, for the summary written by a process that never asked
_REASON = 200
_HEAD = struct.Struct("<iiiiii")  # threshold, consecutive failures, failures, open, units, fallbacks
_SLOT = _NAME + _META + _HEAD.size + _REASON
_AT_HEAD = _NAME + _META
_AT_REASON = _AT_HEAD + _HEAD.size


def _shared_memory() -> tuple[int, mmap.mmap]:
    """A zeroed block of memory and a descriptor to lock it by, both inherited by forked children."""
    size = _SLOTS * _SLOT
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create("tourmap-netguard")  # close-on-exec: programs we run do not get it
    else:
        fh = tempfile.TemporaryFile()
        fd = os.dup(fh.fileno())
        fh.close()
        os.set_inheritable(fd, False)
    os.ftruncate(fd, size)
    return fd, mmap.mmap(fd, size)


_FD, _MEM = _shared_memory()
_THREADS = threading.Lock()


class _Locked:
    """Mutual exclusion between threads (a lock) and between processes (a POSIX record lock)."""

    def __enter__(self):
        _THREADS.acquire()
        fcntl.lockf(_FD, fcntl.LOCK_EX)

    def __exit__(self, *exc):
        fcntl.lockf(_FD, fcntl.LOCK_UN)
        _THREADS.release()


def _text(raw: bytes) -> str:
    return raw.split(b"\0", 1)[0].decode("utf-8", errors="replace")


def _fit(text: str, size: int) -> bytes:
    data = text.encode("utf-8")[: size - 1]
    return data.decode("utf-8", errors="ignore").encode("utf-8").ljust(size, b"\0")


@dataclass
class BreakerState:
    name: str
    consecutive: int
    failures: int
    open: bool
    units: int
    fallbacks: int
    reason: str


class Breaker:
    """One service's circuit breaker for the run; get it with `breaker(name, ...)`."""

    def __init__(self, slot: int, name: str, *, unit: str, fallback: str, threshold: int):
        self._at = slot * _SLOT
        self.name, self.unit, self.fallback, self.threshold = name, unit, fallback, max(1, threshold)

    def _get(self) -> tuple[int, int, int, int, int]:
        return _HEAD.unpack_from(_MEM, self._at + _AT_HEAD)[1:]

    def _put(self, values: tuple[int, ...], reason: str | None = None) -> None:
        _HEAD.pack_into(_MEM, self._at + _AT_HEAD, self.threshold, *values)
        if reason is not None:
            _MEM[self._at + _AT_REASON: self._at + _SLOT] = _fit(reason, _REASON)

    def allow(self) -> bool:
        """False once the breaker is open: use the fallback without asking the service."""
        return not self._get()[2]

    def success(self) -> None:
        with _Locked():
            c, f, o, u, fb = self._get()
            self._put((0, f, o, u, fb))

    def failure(self, reason: str) -> bool:
        """Count one failed request; True when this failure opened the breaker."""
        with _Locked():
            c, f, o, u, fb = self._get()
            c, f = c + 1, f + 1
            opened = not o and c >= self.threshold
            self._put((c, f, 1 if (o or opened) else 0, u, fb), reason.splitlines()[0] if reason else "failed")
            return opened

    def done(self, fell_back: bool) -> None:
        """Count one unit of work (an article) that used the service, and whether it did without."""
        with _Locked():
            c, f, o, u, fb = self._get()
            self._put((c, f, o, u + 1, fb + (1 if fell_back else 0)))

    def state(self) -> BreakerState:
        c, f, o, u, fb = self._get()
        return BreakerState(self.name, c, f, bool(o), u, fb,
                            _text(bytes(_MEM[self._at + _AT_REASON: self._at + _SLOT])))

    def summary(self) -> str | None:
        """One line for the log when the service failed in this run, else None."""
        s = self.state()
        if not s.failures:
            return None
        what = (f"failed {self.threshold} times in a row and was skipped for the rest of the run" if s.open
                else f"failed {s.failures} time{'s' if s.failures != 1 else ''}")
        units = f"{s.fallbacks} of {s.units} {self.unit}{'s' if s.units != 1 else ''}"
        return f"{self.name} {what} ({s.reason}): {units} used {self.fallback}"


def breaker(name: str, *, unit: str = "request", fallback: str = "the fallback",
            threshold: int = DEFAULT_THRESHOLD) -> Breaker:
    """The run's breaker for the service `name`, the same one in every process of the build."""
    key = _fit(name, _NAME)
    with _Locked():
        free = None
        for slot in range(_SLOTS):
            at = slot * _SLOT
            have = bytes(_MEM[at: at + _NAME])
            if have == key:
                break
            if free is None and not have.strip(b"\0"):
                free = slot
        else:
            slot = _SLOTS - 1 if free is None else free  # more services than slots: they share the last
            at = slot * _SLOT
            _MEM[at: at + _SLOT] = key + _fit(f"{unit}\t{fallback}", _META) + b"\0" * (_SLOT - _NAME - _META)
            _HEAD.pack_into(_MEM, at + _AT_HEAD, max(1, threshold), 0, 0, 0, 0, 0)
    return Breaker(slot, name, unit=unit, fallback=fallback, threshold=threshold)


def start_run() -> None:
    """Forget every breaker: a new build starts with every service allowed."""
    with _Locked():
        _MEM[:] = b"\0" * len(_MEM)


def summary() -> list[str]:
    """One line per service that failed in this run (also in a worker process), for the log."""
    lines = []
    with _Locked():
        slots = [bytes(_MEM[s * _SLOT: (s + 1) * _SLOT]) for s in range(_SLOTS)]
    for slot, raw in enumerate(slots):
        name = _text(raw[:_NAME])
        if not name:
            continue
        unit, _, fallback = _text(raw[_NAME: _AT_HEAD]).partition("\t")
        threshold = _HEAD.unpack_from(raw, _AT_HEAD)[0]
        line = Breaker(slot, name, unit=unit, fallback=fallback, threshold=threshold).summary()
        if line:
            lines.append(line)
    return lines
