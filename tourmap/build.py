"""`tourmap build`: articles -> one folder per tour with the map and its data.

One straight line: hash the articles (the ones named, plus those earlier builds recorded in the
manifest, so a tour keeps all of its articles), take each article's extraction from the cache or
extract it (in a process pool), skip articles that tell no trip, merge into tours (each keeping the
slug it was first built under), decide from the manifest which of the named articles' tours
changed, write those (in the pool too: rendering is the slow part), leave a redirect page where an
editor renamed a tour, save the manifest. Tours of articles not named are left as they are; a tour
with no article left is only removed when asked (`prune`). Each tour folder is written aside and
swapped in whole, so a failed build never leaves a half-written folder where a good one was; a
no-op rebuild writes nothing at all.
"""
from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import signal
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, TypeVar

from . import netguard
from .config import Settings
from .errors import BuildError, ConfigError, InputError, TourmapError
from .manifest import (ExtractCache, Manifest, TourEntry, TourStates, cache_key, code_version,
                       extraction_hash, extractor_id, fell_back, file_sha256, read_by, tour_config_hasher,
                       why_rebuild)
from .models import Tour, TourGeometry

ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm")
LOCK_NAME = ".tourmap.lock"
EXIT_BUSY = 75  # EX_TEMPFAIL: another run holds the lock; a scheduler may just try again later
POOL_MIN = 4  # fewer items than this: a process pool costs more than it saves
T = TypeVar("T")
log = logging.getLogger("tourmap")


@dataclass(frozen=True)
class BuiltTour:
    slug: str
    folder: Path
    tour: Tour
    reason: str = ""  # why it was (re)built, for the log
    # "rebuilt", "unchanged", "kept" (not named, or no article left: left as it was), "removed"
    # (pruned), "redirect" (an old address that sends readers to `tour.slug`'s folder) or
    # "held" (every stop awaits an editor's review: nothing to publish yet)
    status: str = "rebuilt"


class BuildReport(list):
    """The BuiltTour of every tour the output holds, plus what the build skipped or found wrong."""

    def __init__(self, items=(), *, skipped=(), problems=()):
        super().__init__(items)
        self.skipped: list[tuple[Path, str]] = list(skipped)  # articles that tell no trip
        self.problems = list(problems)  # config corrections that hit nothing (merge.Problem)


class Busy(BuildError):
    """Another run holds the lock on the output."""

    exit_code = EXIT_BUSY


def gather_articles(paths: list[str | Path]) -> list[Path]:
    """Article files named directly or found (not recursively) in named folders, sorted."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.iterdir() if f.suffix.lower() in ARTICLE_SUFFIXES and f.is_file())
        elif p.exists():
            out.append(p)
        else:
            raise InputError(f"{p}: no such file or folder")
    return out


def tour_files(tour: Tour, settings: Settings, *, geom: TourGeometry | None = None, page: bool = True,
               images: bool = True) -> dict[str, str | bytes]:
    """The files of one tour's folder: the page and its data, and/or the static images."""
    if geom is None:
        from .geometry import build_geometry

        geom = build_geometry(tour, settings=settings)
    files: dict[str, str | bytes] = {}
    if page:
        from .export import dumps, stops_csv, tour_geojson
        from .embed import embed_snippet
        from .render import render_map

        files.update({
            "index.html": render_map(tour, geom, settings=settings),
            "tour.json": dumps(tour.to_json()),
            "tour.geojson": dumps(tour_geojson(tour, geom)),
            "stops.csv": stops_csv(tour),
            "embed.html": embed_snippet(tour, settings=settings),
        })
    if images and settings.map.static_images:
        from .static import render_static

        files.update(render_static(tour, geom, settings=settings))
    return files


def write_tour(tour: Tour, out_dir: Path, settings: Settings) -> BuiltTour:
    target = out_dir / tour.slug
    swap_in(target, tour_files(tour, settings))
    return BuiltTour(tour.slug, target, tour)


class Warm:
    """A forked child that imports what a job needs while this process extracts, then runs the
    jobs it is sent, one at a time.

    Drawing a tour needs folium, pandas, shapely, pyproj, Pillow and the boundary data: over
    half a second of imports and loading before the first line is drawn, longer than reading a
    few articles. For a small build with a second core free, two such children (`WarmPair`)
    pay that while the articles are read, then draw one tour's two halves side by side.
    A large build uses the process pool instead and they are stopped unused.
    """

    def __init__(self, preload: Callable[[], None]) -> None:
        import multiprocessing as mp

        ctx = mp.get_context("fork")
        self._conn, child_end = ctx.Pipe()
        self._proc = ctx.Process(target=_warm_main, args=(child_end, preload, os.getpid()), daemon=True)
        self._proc.start()
        child_end.close()

    @staticmethod
    def wanted(jobs: int) -> bool:
        import multiprocessing as mp

        return jobs >= 2 and mp.parent_process() is None and "fork" in mp.get_all_start_methods()

    def submit(self, fn: Callable, *args, **kwargs) -> None:
        self._conn.send((fn, args, kwargs))

    def result(self):
        try:
            ok, payload = self._conn.recv()
        except EOFError:
            raise BuildError("rendering failed: its worker process died") from None
        if not ok:
            raise payload
        return payload

    def close(self) -> None:
        try:
            self._conn.send(None)
        except OSError:
            pass
        self._conn.close()
        self._proc.join(timeout=5)
        if self._proc.is_alive():
            self._proc.kill()
            self._proc.join()

    def kill(self) -> None:
        """Stop it now, mid-job (the build is failing or being stopped)."""
        self._proc.kill()
        self._conn.close()
        self._proc.join(timeout=5)


def child_init(parent: int) -> None:
    """First thing in every worker process: die with the parent, leave signals to it.

    A scheduler's timeout or the OOM killer may kill the main process with SIGKILL, which it
    cannot pass on: the kernel then kills the workers (PR_SET_PDEATHSIG), so none is left running,
    holding memory and the command's output open. A SIGTERM or Ctrl-C is the main process's to
    handle (it stops the workers itself): workers take SIGTERM's default and ignore SIGINT, which a
    terminal sends to the whole process group.
    """
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the line above: nobody to work for
        os._exit(1)


@contextlib.contextmanager
def held_signals():
    """SIGTERM and SIGINT wait until the block is over: the steps inside happen all or not at all."""
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    except (AttributeError, ValueError, OSError):
        old = None
    try:
        yield
    finally:
        if old is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _warm_main(conn, preload: Callable[[], None], parent: int) -> None:
    child_init(parent)
    preload()
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        fn, args, kwargs = job
        try:
            reply = (True, fn(*args, **kwargs))
        except TourmapError as exc:
            reply = (False, exc)
        except Exception as exc:  # noqa: BLE001 - crosses a process boundary as one line
            reply = (False, BuildError(f"rendering failed ({type(exc).__name__}: {exc})"))
        try:
            conn.send(reply)
        except Exception as exc:  # noqa: BLE001 - an unpicklable result or error
            conn.send((False, BuildError(f"rendering failed ({type(exc).__name__}: {exc})")))


def _geometry(tour: Tour, settings: Settings) -> tuple[Tour, TourGeometry]:
    from .geometry import build_geometry

    return tour, build_geometry(tour, settings=settings)


def _preload_page() -> None:
    from . import export, render  # noqa: F401 - imported now, used by the jobs sent later


def _preload_shapes() -> None:
    from PIL import Image, PngImagePlugin  # noqa: F401

    from . import static
    from .geometry import countries

    countries()
    static.font(15, True)


@dataclass
class WarmPair:
    """The page child (folium, pandas) and the shapes child (shapely, pyproj, boundaries, Pillow)."""

    page: Warm
    shapes: Warm

    @classmethod
    def start(cls) -> "WarmPair":
        return cls(Warm(_preload_page), Warm(_preload_shapes))

    def write(self, tour: Tour, out_dir: Path, settings: Settings) -> BuiltTour:
        """write_tour with its two halves drawn side by side: the shapes child, whose imports
        are done first, works out the geometry (with the basemap) and draws the images; the page
        child draws the page from the same geometry."""
        self.shapes.submit(_geometry, tour, settings)
        tour, geom = self.shapes.result()  # the tour too: its corridors and regions got shapes
        if settings.map.static_images:
            self.shapes.submit(tour_files, tour, settings, geom=geom, page=False)
        self.page.submit(tour_files, tour, settings, geom=geom, images=False)
        files = self.page.result()
        if settings.map.static_images:
            files.update(self.shapes.result())
        target = out_dir / tour.slug
        swap_in(target, files)
        return BuiltTour(tour.slug, target, tour)

    def close(self) -> None:
        self.page.close()
        self.shapes.close()

    def kill(self) -> None:
        self.page.kill()
        self.shapes.kill()


def swap_in(target: Path, files: dict[str, str | bytes]) -> None:
    """Write `files` into a sibling temp folder, then replace `target` with it."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    except OSError as exc:
        raise BuildError(f"{target.parent}: cannot write output ({exc.strerror or exc})") from None
    try:
        for name, data in files.items():
            dest = tmp / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, bytes):
                dest.write_bytes(data)
            else:
                dest.write_text(data, encoding="utf-8", newline="\n")
        os.chmod(tmp, 0o755)
        old = None
        if target.exists():
            old = target.with_name(f".{target.name}.old")
            shutil.rmtree(old, ignore_errors=True)
        with held_signals():  # a SIGTERM between the two renames would leave no folder at all
            if old:
                target.rename(old)
            tmp.rename(target)
        if old:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise BuildError(f"{target}: cannot write output ({exc.strerror or exc})") from None


def make_folder(folder: Path) -> None:
    """mkdir -p with a message that names the real obstacle (a file where a folder should be)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        blocker = next((p for p in [folder, *folder.parents] if p.exists() and not p.is_dir()), None)
        if blocker is not None:
            where = "" if blocker == folder else f" (cannot write {folder})"
            raise BuildError(f"{blocker}: is a file, not a folder{where}") from None
        raise BuildError(f"{folder}: cannot write output ({exc.strerror or exc})") from None


def hold_lock(lock_path: Path, *, timeout: float, what: str = "build"):
    """Take the lock file or, after `timeout` seconds, fail with Busy (another run is on)."""
    from filelock import FileLock, Timeout

    make_folder(lock_path.parent)
    lock = FileLock(str(lock_path), timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        raise Busy(f"{lock_path}: another tourmap {what} is running (lock held); try again later") from None
    except OSError as exc:
        raise BuildError(f"{lock_path}: cannot take the lock ({exc.strerror or exc})") from None
    return lock


# --- running many things ----------------------------------------------------------------------


def _progress(items: Iterable[T], *, total: int, desc: str, show: bool, unit: str = "it") -> Iterator[T]:
    """A tqdm bar on a terminal; otherwise a few plain log lines a scheduler's log can keep."""
    if not show or total == 0:
        yield from items
        return
    if sys.stderr.isatty():
        from tqdm import tqdm

        tqdm.monitor_interval = 0  # no monitor thread: the render pool forks after this bar
        yield from tqdm(items, total=total, desc=desc, unit=unit, file=sys.stderr, leave=False)
        return
    if total < 20:  # a handful of items: the summary lines say enough
        yield from items
        return
    step = max(1, total // 10)
    for i, item in enumerate(items, 1):
        yield item
        if i % step == 0 or i == total:
            print(f"tourmap: {desc} {i}/{total} {unit}s", file=sys.stderr, flush=True)


def _imap(fn: Callable, args: list[tuple], *, jobs: int, desc: str, show: bool, unit: str) -> Iterator:
    """fn(*a) for each a, in a process pool when worth it; results in the order of `args`."""
    if jobs <= 1 or len(args) < POOL_MIN:
        yield from _progress((fn(*a) for a in args), total=len(args), desc=desc, show=show, unit=unit)
        return
    import multiprocessing as mp

    # fork: workers start with everything already imported (and tests' monkeypatches).
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(args)), mp_context=ctx, initializer=child_init,
                               initargs=(os.getpid(),))
    try:
        results = pool.map(_call, [(fn, a) for a in args], chunksize=max(1, len(args) // (jobs * 8)))
        yield from _progress(results, total=len(args), desc=desc, show=show, unit=unit)
    except BaseException:
        # One bad article, a SIGTERM, Ctrl-C: stop the workers now, mid-job, rather than after
        # the rest of the batch, and leave none behind.
        _kill_pool(pool)
        raise
    pool.shutdown()


def _kill_pool(pool: ProcessPoolExecutor) -> None:
    procs = list((getattr(pool, "_processes", None) or {}).values())
    for p in procs:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            p.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        with contextlib.suppress(OSError, ValueError, AttributeError, AssertionError):
            p.join(timeout=5)


def _call(job):
    fn, args = job
    return fn(*args)


def _extract(path: Path, settings: Settings, refresh: bool = False) -> Tour:
    from . import pipeline  # looked up at call time so tests can replace pipeline.extract_one

    if refresh:
        return pipeline.extract_one(path, settings, refresh=True)
    return pipeline.extract_one(path, settings)


def _write(tour: Tour, out_dir: Path, settings: Settings) -> BuiltTour:
    return sys.modules[__name__].write_tour(tour, out_dir, settings)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


# --- the build --------------------------------------------------------------------------------


def extract_articles(files: list[Path], settings: Settings, *, cache_dir: Path, jobs: int,
                     progress: bool = False, extraction: str | None = None,
                     on_miss: Callable[[list[Path]], None] | None = None,
                     refresh: bool = False) -> tuple[list[Tour], dict[Path, str]]:
    """One tour per article, from the cache when the article, settings and code are unchanged.

    `on_miss` is told which articles must be extracted before that starts. With a language model
    configured, the model is asked about all of them first, concurrently; `refresh` asks again
    instead of using cached answers and extractions."""
    version, xhash = code_version(), extraction or extraction_hash(settings)
    if extractor_id(settings):  # the model, prompt and schema versions change what is extracted
        from .manifest import stable_hash

        xhash = stable_hash([xhash, extractor_id(settings)])
    try:
        shas = {f: file_sha256(f) for f in files}
    except OSError as exc:
        raise InputError(f"{exc.filename}: cannot read ({exc.strerror})") from None
    cache = ExtractCache(cache_dir)
    keys = {f: cache_key(shas[f], f.name, version=version, extraction=xhash) for f in files}
    tours: dict[Path, Tour] = {}
    todo: list[Path] = []
    for f in files:
        hit = None if refresh else cache.get(keys[f])
        if hit is None:
            todo.append(f)
        else:
            tours[f] = _moved(hit, f)
    if todo and on_miss is not None:
        on_miss(todo)
    if todo and settings.extractor.backend != "rules":
        from . import pipeline

        pipeline.read_articles_with_model(
            todo, settings, refresh=refresh,
            progress=lambda it, n: _progress(it, total=n, desc="asking the model", show=progress, unit="article"))
    fresh = _imap(_extract, [(f, settings, refresh) for f in todo], jobs=jobs, desc="extracting", show=progress,
                  unit="article")
    for f, t in zip(todo, fresh, strict=True):  # strict: runs `fresh` to its end (pool shutdown)
        if not fell_back(t):  # the model failed: ask again next build
            cache.put(keys[f], t)  # as they come: a batch that fails later keeps what it extracted
        tours[f] = t
    for line in netguard.summary():  # one line per online service that failed, from every worker
        log.warning("%s", line)
    return [tours[f] for f in files], shas


def _moved(tour: Tour, path: Path) -> Tour:
    """A cached tour of an article read from another folder: point it at where the file is now."""
    import dataclasses

    now = str(path)
    for i, a in enumerate(tour.articles):
        if a.path != now and Path(a.path).name == path.name:
            source = now if a.source == a.path else a.source
            tour.articles[i] = dataclasses.replace(a, path=now, source=source)
    return tour


def redirect_files(old: str, new: str, settings: Settings, lang: str) -> dict[str, str]:
    """The pages left at an old address: the map and the tour page send readers to the new one
    (meta refresh: works in an iframe, without JavaScript, and tells search engines)."""
    from .site import esc
    from .wording import LABELS, known_language

    lang = known_language(lang)
    base = settings.site.base_url
    files = {}
    for page in ("index.html", "tour.html"):
        rel = f"../{new}/{page}"
        canonical = f"{base}{new}/{page}" if base else rel
        files[page] = (
            f'<!doctype html>\n<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="refresh" content="0; url={esc(rel)}">\n'
            f'<link rel="canonical" href="{esc(canonical)}">\n<meta name="robots" content="noindex">\n'
            f"<title>{esc(LABELS[lang]['moved'])}</title>\n</head>\n<body>\n"
            f'<p><a href="{esc(rel)}">{esc(LABELS[lang]["moved"])}: {esc(new)}</a></p>\n</body>\n</html>\n')
    return files


def _write_if_changed(target: Path, files: dict[str, str]) -> bool:
    try:
        if all((target / n).read_text(encoding="utf-8") == t for n, t in files.items()) and \
                {p.name for p in target.iterdir()} == set(files):
            return False
    except OSError:
        pass
    swap_in(target, dict(files))
    return True


def _rel(path: Path, out_dir: Path) -> str:
    return Path(os.path.relpath(path.absolute(), out_dir.absolute())).as_posix()


def build(paths: list[str | Path], out_dir: Path, settings: Settings, *, force: bool = False,
          jobs: int | None = None, progress: bool = False, refresh: bool = False, prune: bool = False,
          write: bool = True, check_config: bool | None = None) -> BuildReport:
    """Build (or bring up to date) the folders of the tours of the articles in `paths`.

    Only those tours are written; the output's other tours are left as they were ("kept"). With
    `prune`, tours with no article left are removed (and listed); `write=False` only works out
    what a build would do (`tourmap prune --dry-run`, `tourmap review`). `check_config` (default:
    when every path is a folder, i.e. the whole collection) makes a config entry naming a tour
    that does not exist an error; a correction whose `match` hits no stop always is one.
    `refresh`: ask the language model again (extractor llm or hybrid) and rebuild every tour."""
    force = force or refresh
    from .merge import article_file, merge_tours

    out_dir = Path(out_dir)
    named = gather_articles(paths)
    if not named:
        raise InputError(f"{', '.join(map(str, paths))}: no articles (.txt, .md, .html) found")
    if check_config is None:
        check_config = all(Path(p).is_dir() for p in paths)
    jobs = jobs or default_jobs()
    lock = hold_lock(out_dir / LOCK_NAME, timeout=settings.site.lock_timeout_s)
    netguard.start_run()  # before any worker is forked: they share the run's circuit breakers
    clear_leftovers(out_dir)
    warm: WarmPair | None = None

    def warm_up(todo: list[Path]) -> None:
        # New articles: something will most likely be drawn. Few of them: no process pool.
        nonlocal warm
        if write and warm is None and len(todo) < POOL_MIN and Warm.wanted(jobs):
            warm = WarmPair.start()

    try:
        old = Manifest.load(out_dir)
        named_names = {f.name for f in named}
        # Articles of earlier builds that still exist: a tour named now keeps all of its articles.
        extra = [p for n, p in old.article_files(out_dir).items() if n not in named_names]
        files = named + extra
        if force:
            warm_up(files)
        xhash = extraction_hash(settings)
        per_article, shas = extract_articles(files, settings, cache_dir=out_dir / ".cache" / "extract",
                                             jobs=jobs, progress=progress, extraction=xhash, on_miss=warm_up,
                                             refresh=refresh)
        file_of = {f.name: f for f in files}
        skipped = [(f, "no trip in it (no stops found)") for f, t in zip(files, per_article)
                   if not t.stops and f.name in named_names]
        with_trip = [t for t in per_article if t.stops]
        renames = {was: o.slug for o in settings.tours for was in o.renamed_from}
        problems: list = []
        tours = merge_tours(with_trip, settings=settings, slugs=old.slug_of(),
                            reserved=set(old.tours) | set(old.redirects), review=True,
                            problems=problems, check_slugs=check_config)
        if write and problems:
            raise ConfigError(str(problems[0]))
        new = Manifest(version=code_version())
        sha_of = {f.name: shas[f] for f in files}
        config_hash = tour_config_hasher(settings, extraction=xhash)
        states = TourStates(out_dir / ".cache" / "tours")
        plan: list[tuple[Tour, str | None]] = []
        out = BuildReport(skipped=skipped, problems=problems)
        produced: dict[str, Tour] = {}
        for t in tours:
            names = sorted({article_file(a) for a in t.articles})
            entry = TourEntry(articles={n: sha_of.get(n, "") for n in names},
                              paths={n: _rel(file_of[n], out_dir) for n in names if n in file_of},
                              config=config_hash(t.slug), version=new.version, extractor=read_by(t))
            produced[t.slug] = t
            if not named_names & set(names):
                # Only articles no one named this time: left exactly as the last build made it.
                if t.slug in old.tours:
                    new.tours[t.slug] = old.tours[t.slug]
                    why = why_rebuild(old.tours[t.slug], entry, folder_ok=True, force=False)
                    # Outdated: what the folder was drawn from, not what its articles say now.
                    out.append(BuiltTour(t.slug, out_dir / t.slug, (states.get(t.slug) if why else None) or t,
                                         status="kept", reason=f"not named ({why}); build its articles to update it"
                                         if why else "unchanged"))
                continue
            if not t.stops:
                if t.slug in old.tours:
                    new.tours[t.slug] = old.tours[t.slug]
                out.append(BuiltTour(t.slug, out_dir / t.slug, t, status="held",
                                     reason=f"every stop is below the review threshold "
                                            f"({settings.review.min_confidence:g}); confirm them in config"))
                continue
            new.tours[t.slug] = entry
            folder_ok = (out_dir / t.slug / "index.html").is_file()
            plan.append((t, why_rebuild(old.tours.get(t.slug), entry, folder_ok=folder_ok, force=force)))
        # Old addresses: a rename in config, or a tour whose articles all went into another one.
        redirects = {k: v for k, v in old.redirects.items() if k not in produced}
        where = {n: t.slug for t in tours for n in {article_file(a) for a in t.articles}}
        stale = []
        for slug, entry in sorted(old.tours.items()):
            if slug in produced:
                continue
            targets = sorted({where[n] for n in entry.articles if n in where})
            if slug in renames and renames[slug] in produced:
                redirects[slug] = renames[slug]
            elif len(targets) == 1:
                redirects[slug] = targets[0]
            elif targets:  # split: where most of them went
                redirects[slug] = max(targets, key=lambda s: (sum(where.get(n) == s for n in entry.articles), s))
            else:
                stale.append(slug)
        for _ in range(len(redirects)):  # a -> b -> c: a -> c
            redirects = {k: redirects.get(v, v) for k, v in redirects.items()}
        redirects = {k: v for k, v in redirects.items() if k != v}
        gone = set(stale) if prune else set()
        redirects = {k: v for k, v in redirects.items() if v not in gone}
        for slug in stale:
            if slug in gone:
                out.append(BuiltTour(slug, out_dir / slug, states.get(slug) or Tour(articles=[], slug=slug),
                                     status="removed", reason="no article left for it"))
            else:
                new.tours[slug] = old.tours[slug]
                out.append(BuiltTour(slug, out_dir / slug, states.get(slug) or Tour(articles=[], slug=slug),
                                     status="kept", reason="no article left for it (`tourmap prune` removes it)"))
        new.redirects = redirects
        if not write:
            for t, why in plan:
                out.append(BuiltTour(t.slug, out_dir / t.slug, t, reason=why or "unchanged",
                                     status="rebuilt" if why else "unchanged"))
            return out
        todo = [t for t, why in plan if why]
        if warm is not None and len(todo) < POOL_MIN:
            written = [warm.write(t, out_dir, settings) for t in todo]
        else:
            written = list(_imap(_write, [(t, out_dir, settings) for t in todo], jobs=jobs, desc="rendering",
                                 show=progress, unit="tour"))
        done = {b.slug: b for b in written}
        built: list[BuiltTour] = []
        for t, why in plan:
            if why:
                b = done[t.slug]
                states.put(t)
                built.append(BuiltTour(b.slug, b.folder, t, reason=why, status="rebuilt"))
            else:
                if not states.has(t.slug):
                    states.put(t)
                built.append(BuiltTour(t.slug, out_dir / t.slug, t, reason="unchanged", status="unchanged"))
        out[:0] = built
        for slug in sorted(gone):
            # Only folders this build made (listed in its manifest) are ever removed.
            shutil.rmtree(out_dir / slug, ignore_errors=True)
            states.drop(slug)
        for slug in sorted(set(old.redirects) - set(redirects)):
            if slug not in produced:
                shutil.rmtree(out_dir / slug, ignore_errors=True)
        for slug, target in sorted(redirects.items()):
            lang = produced[target].language if target in produced else settings.site.language or "es"
            changed = _write_if_changed(out_dir / slug, redirect_files(slug, target, settings, lang))
            out.append(BuiltTour(slug, out_dir / slug, Tour(articles=[], slug=target), status="redirect",
                                 reason=f"now at {target}" + ("" if changed else ", unchanged")))
        try:
            new.save(out_dir)
        except OSError as exc:
            raise BuildError(f"{out_dir / 'manifest.json'}: cannot write ({exc.strerror or exc})") from None
        return out
    except BaseException:
        if warm is not None:  # failing or stopped: do not wait for a drawing nobody will use
            warm.kill()
            warm = None
        raise
    finally:
        if warm is not None:
            warm.close()
        lock.release()


# What a killed run can leave in an output folder: a tour folder written aside (mkdtemp's
# ".<slug>.<8 chars>"), the previous folder of a swap (".<slug>.old"), a temp file of an atomic
# write (".<name>.<8 chars>"). Only names of that shape are removed, and only under the lock.
_LEFTOVER = re.compile(r"^\.[a-z0-9][a-z0-9-]*(?:\.json)?\.(?:old|[a-z0-9_]{8})$")


def clear_leftovers(out_dir: Path) -> list[str]:
    """Remove what an interrupted build left in `out_dir` (and its extraction cache)."""
    gone = []
    for folder in (out_dir, out_dir / ".cache" / "extract"):
        try:
            names = [p for p in folder.iterdir() if _LEFTOVER.match(p.name)]
        except OSError:
            continue
        for p in names:
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    p.unlink()
            gone.append(p.name)
    return gone
