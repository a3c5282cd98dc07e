"""Soak: `tourmap publish` again and again on a changing folder, killed at random moments.

    python bench/bench_soak.py                      # prints a table
    SOAK_RUNS=60 SOAK_SECONDS=900 SOAK_SEED=7 python bench/bench_soak.py
run() returns rows {"metric", "value", "unit", "note"} for bench/run.py.

Before each run the inbox changes (an article added, edited or removed; now and then a corrupt
file appears or goes), then the run is left alone, killed with SIGKILL (a scheduler's timeout,
the OOM killer) or stopped with SIGTERM at a random moment. After each run:
  - 2 s later no process of the run is alive (the run has its own process group);
  - the site parses: index.html (HTML), feed.xml and sitemap.xml (XML), and every URL they
    publish resolves to a file of the site;
  - a run that was not killed left no temporary folder (beside the site or in its build folder);
  - a run that ended by itself: exit 0, or exit 1 with one `Error:` line naming the corrupt
    file while the site stays as it was.
Bounded by SOAK_RUNS (default 30) and SOAK_SECONDS (default 300).
"""
from __future__ import annotations

import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = Path(sys.executable)
TOURMAP = [str(PY.parent / "tourmap")] if (PY.parent / "tourmap").exists() else [sys.executable, "-m", "tourmap.cli"]
POOL = sorted((ROOT / "tests" / "data" / "eval").glob("*.md")) + sorted((ROOT / "tests" / "data" / "extra").glob("*.md"))
RUNS = int(os.environ.get("SOAK_RUNS", "30"))
SECONDS = float(os.environ.get("SOAK_SECONDS", "300"))
SEED = int(os.environ.get("SOAK_SEED", "15"))
CORRUPT = "zz_roto.txt"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def group_alive(pgid: int) -> list[int]:
    pids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z" and int(fields[2]) == pgid:
                pids.append(int(d.name))
    return pids


def snapshot(folder: Path) -> dict[str, str]:
    if not folder.is_dir():
        return {}
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("href", "src") and v:
                self.links.append(v)


def site_problems(site: Path) -> list[str]:
    """What is wrong with the published site: unparsable pages, URLs that do not resolve."""
    if not site.exists():
        return []  # nothing published yet
    problems = []

    def resolves(rel: str, base: Path) -> bool:
        rel = rel.split("#")[0].split("?")[0]
        if re.match(r"^[a-z][a-z0-9+.-]*:|^//", rel, re.I) or not rel:
            return True
        target = (base / rel).resolve()
        return target.is_file() or (target.is_dir() and (target / "index.html").is_file())

    for page in [site / "index.html", *sorted(site.glob("*/tour.html"))]:
        try:
            p = _Links()
            p.feed(page.read_text(encoding="utf-8"))
            p.close()
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{page.relative_to(site)}: {exc}")
            continue
        problems += [f"{page.relative_to(site)} -> {u}" for u in p.links if not resolves(u, page.parent)]
    for name, tag in (("feed.xml", f"{ATOM}link"), ("sitemap.xml", f"{SITEMAP}loc")):
        try:
            root = ET.parse(site / name).getroot()
        except (OSError, ET.ParseError) as exc:
            problems.append(f"{name}: {exc}")
            continue
        urls = [e.get("href") if tag.endswith("link") else e.text for e in root.iter(tag)]
        problems += [f"{name} -> {u}" for u in urls if u and not u.endswith(".xml") and not resolves(u, site)]
    return problems


def temp_left(site: Path) -> list[str]:
    """Temporary folders and files left beside the site or in its build folder."""
    left = [p.name for p in site.parent.glob(f".{site.name}.new-*")]
    left += [p.name for p in site.parent.glob(f".{site.name}.old")]
    build = site.parent / f".{site.name}.build"
    if build.is_dir():
        left += [f"{build.name}/{p.name}" for p in build.iterdir()
                 if re.match(r"^\.[^.]+.*\.(old|[a-z0-9_]{8})$", p.name)]
    return left


def mutate(inbox: Path, rng: random.Random, log: list[str]) -> None:
    have = sorted(p for p in inbox.iterdir() if p.name != CORRUPT)
    unused = [p for p in POOL if not (inbox / p.name).exists()]
    actions = ["add"] * (3 if unused else 0) + ["edit"] * 3 + ["remove"] * (2 if len(have) > 2 else 0) + ["corrupt"]
    act = rng.choice(actions)
    if act == "add":
        src = rng.choice(unused)
        shutil.copy(src, inbox / src.name)
        log.append(f"add {src.name}")
    elif act == "edit":
        p = rng.choice(have)
        p.write_text(p.read_text(encoding="utf-8") + f"\n\nActualización {rng.randrange(10**6)}: la gira continúa.\n",
                     encoding="utf-8")
        log.append(f"edit {p.name}")
    elif act == "remove":
        p = rng.choice(have)
        p.unlink()
        log.append(f"remove {p.name}")
    else:
        bad = inbox / CORRUPT
        if bad.exists():
            bad.unlink()
            log.append("corrupt file removed")
        else:
            bad.write_bytes(b"\x00\x01\x02binary\xff\xfe" * 200)
            log.append("corrupt file added")


def run() -> list[dict]:
    rng = random.Random(SEED)
    counts = {"runs": 0, "ok": 0, "refused": 0, "sigkill": 0, "sigterm": 0, "finished_before_kill": 0,
              "site_whole": 0, "site_broken": 0, "orphans": 0, "runs_with_orphans": 0, "temp_after_clean_exit": 0,
              "temp_after_kill": 0, "unexpected": 0}
    notes: list[str] = []
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="tourmap-soak-") as tmp:
        d = Path(tmp)
        inbox = d / "inbox"
        inbox.mkdir()
        for src in POOL[:4]:
            shutil.copy(src, inbox / src.name)
        site = d / "www" / "site"
        cfg = d / "tourmap.yaml"
        cfg.write_text("site:\n  lock_timeout_s: 1\n", encoding="utf-8")
        env = dict(os.environ, TOURMAP_QUIET="1")
        last = 4.0
        for i in range(RUNS + 1):
            final = i == RUNS or time.monotonic() - start > SECONDS
            changes: list[str] = []
            if final:  # a last, quiet run on a clean inbox: it must publish
                (inbox / CORRUPT).unlink(missing_ok=True)
            else:
                mutate(inbox, rng, changes)
            before = snapshot(site)
            kill = None if final else rng.choice([None, None, signal.SIGKILL, signal.SIGKILL, signal.SIGTERM])
            t0 = time.monotonic()
            errf = tempfile.TemporaryFile()  # not a pipe: a worker left alive must not stall this loop
            p = subprocess.Popen([*TOURMAP, "publish", str(inbox), "-o", str(site), "--config", str(cfg)],
                                 stdout=subprocess.DEVNULL, stderr=errf, env=env, cwd=d, start_new_session=True)
            if kill is not None:
                try:
                    p.wait(timeout=rng.uniform(0.05, 1.2) * last)
                    counts["finished_before_kill"] += 1
                except subprocess.TimeoutExpired:
                    p.send_signal(kill)
            try:
                p.wait(timeout=300)
            except subprocess.TimeoutExpired:
                notes.append(f"run {i}: hung for 300 s")
                p.kill()
                p.wait()
            took = time.monotonic() - t0
            counts["runs"] += 1
            time.sleep(2.0)
            alive = group_alive(p.pid)
            counts["orphans"] += len(alive)
            counts["runs_with_orphans"] += bool(alive)
            for pid in alive:
                os.kill(pid, signal.SIGKILL)
            errf.seek(0)
            err = errf.read().decode("utf-8", "replace")
            errf.close()
            killed = p.returncode in (-signal.SIGKILL, 143, -signal.SIGTERM)
            if p.returncode == -signal.SIGKILL:
                counts["sigkill"] += 1
            elif p.returncode in (143, -signal.SIGTERM):
                counts["sigterm"] += 1
            elif p.returncode == 0:
                counts["ok"] += 1
                last = 0.7 * last + 0.3 * took
            elif p.returncode == 1 and (inbox / CORRUPT).exists():
                lines = [ln for ln in err.splitlines() if ln.strip()]
                if len(lines) == 1 and lines[0].startswith("Error: ") and CORRUPT in lines[0] \
                        and snapshot(site) == before:
                    counts["refused"] += 1
                else:
                    counts["unexpected"] += 1
                    notes.append(f"run {i}: refused badly: {err.strip()[-200:]}")
            else:
                counts["unexpected"] += 1
                notes.append(f"run {i}: exit {p.returncode}: {err.strip()[-200:]}")
            problems = site_problems(site)
            if problems:
                counts["site_broken"] += 1
                notes.append(f"run {i} ({', '.join(changes)}): {problems[:3]}")
            else:
                counts["site_whole"] += 1
            left = temp_left(site)
            if killed:
                counts["temp_after_kill"] += bool(left)
            elif left:
                counts["temp_after_clean_exit"] += 1
                notes.append(f"run {i}: left {left}")
            if final:
                if p.returncode != 0:
                    notes.append(f"final run: exit {p.returncode}")
                break
    secs = time.monotonic() - start
    c = counts
    rows = [
        {"metric": "soak: publish runs", "value": c["runs"], "unit": "runs",
         "note": f"{secs:.0f} s; {c['ok']} published, {c['refused']} refused the corrupt file, "
                 f"{c['sigkill']} SIGKILL, {c['sigterm']} SIGTERM, {c['finished_before_kill']} ended before the kill"},
        {"metric": "soak: runs after which the site was whole", "value": c["site_whole"], "unit": "runs",
         "note": f"{c['site_broken']} broken (HTML, feed, sitemap parse; every URL resolves)"},
        {"metric": "soak: processes alive 2 s after a run", "value": c["orphans"], "unit": "processes",
         "note": f"after {c['runs_with_orphans']} of {c['runs']} runs"},
        {"metric": "soak: temp folders left by runs that ended by themselves", "value": c["temp_after_clean_exit"],
         "unit": "runs", "note": f"after a kill: {c['temp_after_kill']} (cleared by the next run)"},
        {"metric": "soak: unexpected exits", "value": c["unexpected"], "unit": "runs",
         "note": "; ".join(notes)[:300]},
    ]
    return rows


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _table import print_rows

    print_rows(run())


if __name__ == "__main__":
    main()
