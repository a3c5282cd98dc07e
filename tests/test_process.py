"""Process hygiene of an unattended run: whatever stops the main process, no worker outlives it.

A scheduler's timeout or the OOM killer sends SIGKILL to the main process only; orphaned workers
would keep running, holding memory and the command's output open (a `| logger` never ends).
SIGTERM (systemd, `kill`) must stop the whole tree cleanly and keep the last good output.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from hostile_fixtures import ROOT, TOURMAP, cli_env, snapshot

pytestmark = pytest.mark.timeout(120)

ARTICLES = sorted((ROOT / "tests" / "data" / "eval").glob("0[1-8]_*.md"))


def group_alive(pgid: int) -> list[int]:
    """Live (not zombie) processes of a process group."""
    pids = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            pids.append(int(d.name))
    return pids


def start(*args, **env) -> subprocess.Popen:
    """The CLI in its own process group (the group is how we find every process of the run)."""
    return subprocess.Popen([str(TOURMAP), *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=cli_env(**env), start_new_session=True, cwd=ROOT)


def wait_for_workers(p: subprocess.Popen, n: int = 2, timeout: float = 30) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end and p.poll() is None:
        if len(group_alive(p.pid)) >= 1 + n:
            return True
        time.sleep(0.02)
    return False


def leftovers_after(p: subprocess.Popen, grace: float = 2.0) -> tuple[list[int], bool]:
    """Processes of the run still alive `grace` seconds after the main one died, and whether the
    command's output pipe was closed by then (the symptom a `| logger` sees)."""
    p.wait(timeout=30)
    os.set_blocking(p.stdout.fileno(), False)
    end = time.monotonic() + grace
    closed = False
    while time.monotonic() < end:
        try:
            if p.stdout.read() == b"":
                closed = True
                break
        except (BlockingIOError, TypeError):
            pass
        time.sleep(0.05)
    alive = group_alive(p.pid)
    for pid in alive:  # do not leave them to the rest of the suite
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return alive, closed


@pytest.fixture
def corpus(tmp_path) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    for a in ARTICLES:
        shutil.copy(a, src / a.name)
    return src


@pytest.mark.parametrize("when", ["extracting", "rendering", "late"])
def test_kill_9_of_a_big_build_leaves_no_process(corpus, tmp_path, when):
    """Eight new articles: extraction and rendering each in a pool of workers."""
    out = tmp_path / "out"
    p = start("build", corpus, "-o", out, "-j", "2", "--force")
    assert wait_for_workers(p), "no worker was started: this test proves nothing"
    if when == "rendering":  # the render pool starts when the first tour folder is being written
        end = time.monotonic() + 60
        while p.poll() is None and time.monotonic() < end and not any(out.glob(".*.*")) \
                and not any(out.glob("*/index.html")):
            time.sleep(0.02)
    elif when == "late":
        time.sleep(1.0)
    p.send_signal(signal.SIGKILL)
    alive, closed = leftovers_after(p)
    assert alive == [], f"killed while {when}: {len(alive)} processes of the run still alive after 2 s"
    assert closed, "the command's output is still held open by a process of the run"


def test_kill_9_of_a_small_build_leaves_no_process(tmp_path):
    """One article: two pre-warmed drawing children while the main process extracts."""
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(ARTICLES[0], src / ARTICLES[0].name)
    p = start("build", src, "-o", tmp_path / "out", "-j", "2")
    assert wait_for_workers(p), "no drawing child was started: this test proves nothing"
    time.sleep(0.3)
    p.send_signal(signal.SIGKILL)
    alive, closed = leftovers_after(p)
    assert alive == [] and closed


def test_sigterm_stops_the_tree_and_keeps_the_last_good_site(corpus, tmp_path):
    for extra in sorted(corpus.iterdir())[4:]:  # four articles: still a pool of workers, a faster test
        extra.unlink()
    cfg = tmp_path / "fast.yaml"
    cfg.write_text("map:\n  static_images: false\n", encoding="utf-8")
    site = tmp_path / "site"
    first = subprocess.run([str(TOURMAP), "publish", str(corpus), "-o", str(site), "-j", "2", "--config", str(cfg)],
                           capture_output=True, env=cli_env(), cwd=ROOT, timeout=120)
    assert first.returncode == 0, first.stderr.decode()
    before = snapshot(site)
    p = start("publish", corpus, "-o", site, "-j", "2", "--force", "--config", cfg)
    assert wait_for_workers(p)
    time.sleep(0.5)
    p.send_signal(signal.SIGTERM)
    alive, closed = leftovers_after(p)
    assert alive == [] and closed
    err = p.stderr.read().decode()
    if p.returncode != 0:  # it may have finished before the signal on a fast machine
        assert p.returncode == 143, (p.returncode, err)
        assert "Traceback" not in err and "stopped by SIGTERM" in err, err
        assert snapshot(site) == before
    again = subprocess.run([str(TOURMAP), "publish", str(corpus), "-o", str(site), "--config", str(cfg)],
                           capture_output=True, env=cli_env(), cwd=ROOT, timeout=120)
    assert again.returncode == 0, again.stderr.decode()
    assert not [q.name for q in site.parent.iterdir() if q.name.startswith(f".{site.name}.new-")]
    build_dir = site.parent / f".{site.name}.build"
    assert not [q.name for q in build_dir.iterdir() if q.name.count(".") >= 2 and q.name.startswith(".")
                and q.name != ".tourmap.lock"]
