"""`tourmap build`: articles -> one folder per tour with the map and its data.

Each tour folder is written aside and swapped in whole, so a failed build never leaves a
half-written folder where a good one was.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .config import Settings
from .errors import BuildError, InputError
from .models import Tour

ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm")


@dataclass(frozen=True)
class BuiltTour:
    slug: str
    folder: Path
    tour: Tour
    reason: str = ""  # why it was (re)built, for the log


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


def write_tour(tour: Tour, out_dir: Path, settings: Settings) -> BuiltTour:
    from .export import dumps, stops_csv, tour_geojson
    from .geometry import build_geometry
    from .render import embed_snippet, render_map, render_static

    geom = build_geometry(tour, settings=settings)
    files: dict[str, str | bytes] = {
        "index.html": render_map(tour, geom, settings=settings),
        "tour.json": dumps(tour.to_json()),
        "tour.geojson": dumps(tour_geojson(tour, geom)),
        "stops.csv": stops_csv(tour),
        "embed.html": embed_snippet(tour, settings=settings),
    }
    if settings.map.static_images:
        files.update(render_static(tour, geom, settings=settings))
    target = out_dir / tour.slug
    swap_in(target, files)
    return BuiltTour(tour.slug, target, tour)


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
            target.rename(old)
        tmp.rename(target)
        if old:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise BuildError(f"{target}: cannot write output ({exc.strerror or exc})") from None


def build(paths: list[str | Path], out_dir: Path, settings: Settings, *, force: bool = False) -> list[BuiltTour]:
    from .pipeline import extract_many

    articles = gather_articles(paths)
    if not articles:
        raise InputError(f"{', '.join(map(str, paths))}: no articles (.txt, .md, .html) found")
    tours = extract_many(articles, settings)
    return [write_tour(t, out_dir, settings) for t in tours]
