"""A build with a broken online geocoder: how long it takes and how many requests it makes.

    python bench/bench_services.py         # prints a table
run() returns rows {"metric", "value", "unit", "note"} for bench/run.py.

Three whole `tourmap build` processes, side by side with the same build offline:
  - 20 articles (the sample articles, copied) with a geocoder that accepts connections and never
    answers (`timeout_s: 1`);
  - one article with a geocoder that answers one byte a second (`timeout_s: 2`): the deadline
    must hold for the whole request, not for each read.
The geocoder is a stub on 127.0.0.1; the figures count its requests and the warning lines.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = Path(sys.executable)
TOURMAP = [str(PY.parent / "tourmap")] if (PY.parent / "tourmap").exists() else [sys.executable, "-m", "tourmap.cli"]
SAMPLES = sorted((ROOT / "tests" / "data" / "eval").glob("0[1-8]_*.md"))
N_ARTICLES = 20
TIMEOUT_S = float(os.environ.get("BENCH_SERVICES_TIMEOUT_S", "150"))  # a build cut here shows as inf


class Stub:
    """`drip`: a valid answer, one byte every `every` s; `hang`: accepts and never answers."""

    def __init__(self, mode: str, every: float = 1.0):
        self.mode, self.every, self.requests = mode, every, 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()

    def _one(self, conn):
        try:
            conn.recv(65536)
            self.requests += 1
            if self.mode == "hang":
                self.stop.wait(600)
                return
            answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n[]"
            for i in range(len(answer)):
                if self.stop.wait(self.every):
                    return
                conn.sendall(answer[i:i + 1])
        except OSError:
            pass
        finally:
            conn.close()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def __enter__(self):
        threading.Thread(target=self._serve, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.sock.close()


def _config(d: Path, port: int | None, timeout_s: float) -> Path:
    cfg = d / f"cfg-{port}.yaml"
    geo = ("geocoder:\n  service: nominatim\n"
           f"  options: {{domain: '127.0.0.1:{port}', scheme: http, user_agent: tourmap-bench}}\n"
           f"  timeout_s: {timeout_s}\n  min_delay_s: 0\n  cache: {d / f'cache-{port}.json'}\n") if port else ""
    cfg.write_text(geo + "map:\n  static_images: false\n", encoding="utf-8")
    return cfg


def _build(src: Path, out: Path, cfg: Path) -> tuple[float, int, list[str]]:
    env = dict(os.environ, NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost", TOURMAP_QUIET="1")
    t0 = time.perf_counter()
    # its own process group, so that a run cut at TIMEOUT_S goes with every process it started
    p = subprocess.Popen([*TOURMAP, "build", str(src), "-o", str(out), "--config", str(cfg)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=out.parent,
                         start_new_session=True)
    try:
        _, err = p.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        return float("inf"), -9, []
    took = time.perf_counter() - t0
    warnings = [ln for ln in err.decode("utf-8", "replace").splitlines() if "geocod" in ln.lower()]
    return took, p.returncode, warnings


def run() -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="tourmap-bench-services-") as tmp:
        d = Path(tmp)
        many = d / "many"
        many.mkdir()
        for i in range(N_ARTICLES):
            src = SAMPLES[i % len(SAMPLES)]
            shutil.copy(src, many / f"{i:02d}_{src.name}")
        one = d / "one"
        one.mkdir()
        shutil.copy(SAMPLES[0], one / SAMPLES[0].name)

        off_s, rc, _ = _build(many, d / "out-offline", _config(d, None, 1))
        rows.append({"metric": f"build {N_ARTICLES} articles, offline", "value": round(off_s, 2), "unit": "s",
                     "note": f"exit {rc}"})
        with Stub("hang") as stub:
            s, rc, warn = _build(many, d / "out-hang", _config(d, stub.port, 1))
        rows.append({"metric": f"build {N_ARTICLES} articles, geocoder never answers", "value": round(s, 2),
                     "unit": "s", "note": f"exit {rc}; {stub.requests} requests, {len(warn)} warning lines; "
                                          f"timeout_s 1; {s / off_s:.1f}x offline"})
        one_off, _, _ = _build(one, d / "one-offline", _config(d, None, 1))
        with Stub("drip", every=1.0) as stub:
            s, rc, warn = _build(one, d / "one-drip", _config(d, stub.port, 2))
        rows.append({"metric": "build 1 article, geocoder drips 1 byte/s", "value": round(s, 2), "unit": "s",
                     "note": f"exit {rc}; {stub.requests} requests, timeout_s 2 (offline {one_off:.2f} s)"})
    return rows


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _table import print_rows

    print_rows(run())


if __name__ == "__main__":
    main()
