"""What a build remembers between runs: content hashes, the extraction cache, the manifest.

A tour is rebuilt only when one of its articles, its config or tourmap itself changed. "tourmap
itself" is the version plus a hash of the package's code and data, so an edited gazetteer or rule
invalidates old results even without a version bump.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import tempfile
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from . import __version__
from .config import Settings
from .models import Tour

PACKAGE_DIR = Path(__file__).resolve().parent
MANIFEST = "manifest.json"
CACHE_FORMAT = 1  # bump when the cache entry layout changes


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _tree_hash(root: Path, *, skip: set[Path] = frozenset()) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p in skip or not p.is_file() or "__pycache__" in p.parts or p.suffix == ".pyc":
            continue
        h.update(p.relative_to(root).as_posix().encode() + b"\0")
        h.update(file_sha256(p).encode())
    return h.hexdigest()


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """tourmap's version and a hash of its code and data files, e.g. '0.1.0+3f2a9c1b0d4e'."""
    return f"{__version__}+{_tree_hash(PACKAGE_DIR)[:12]}"


def _knowledge_files(settings: Settings) -> list[Path]:
    """Data files in the config folders (office-holders, places...), not the settings file."""
    from .config import DEFAULT_CONFIG_DIR

    names: set[str] = set()
    for d in {DEFAULT_CONFIG_DIR, settings.config_dir}:
        if d.is_dir():
            names |= {p.name for p in d.iterdir() if p.is_file() and not p.name.startswith(".")}
    skip = {"tourmap.yaml", "tourmap.yml"} | ({settings.path.name} if settings.path else set())
    return [settings.knowledge(n) for n in sorted(names - skip)]


def stable_hash(obj: Any) -> str:
    return sha256_bytes(json.dumps(obj, sort_keys=True, ensure_ascii=True, default=str).encode())


def extraction_hash(settings: Settings) -> str:
    """Everything besides the article and the code that changes what extraction finds."""
    files = {p.name: file_sha256(p) for p in _knowledge_files(settings) if p.is_file()}
    return stable_hash({"geocoder": dataclasses.asdict(settings.geocoder), "knowledge": files})


def extractor_id(settings: Settings) -> str:
    """What reads the articles when it is not the rules alone: backend, model, prompt and schema
    versions. A change of any of them re-extracts and rebuilds like a change of tourmap."""
    x = settings.extractor
    if x.backend == "rules":
        return ""
    from .llm import PROMPT_VERSION, SCHEMA_VERSION

    return f"{x.backend} {x.llm.model} prompt {PROMPT_VERSION} schema {SCHEMA_VERSION}"


FALLBACK = "rules (fallback)"  # Tour.extractor["articles"][id] when the model gave no usable answer


def fell_back(tour: Tour) -> bool:
    return FALLBACK in ((tour.extractor or {}).get("articles") or {}).values()


def read_by(tour: Tour) -> str:
    """The manifest's note of what read a tour's articles ("" for the rules alone)."""
    info = tour.extractor
    if not info:
        return ""
    desc = f"{info.get('backend')} {info.get('model')} prompt {info.get('prompt')} schema {info.get('schema')}"
    failed = sorted(a for a, how in (info.get("articles") or {}).items() if how == FALLBACK)
    return desc + (f"; the rules for {', '.join(failed)} (model failed)" if failed else "")


def tour_config_hasher(settings: Settings, *, extraction: str) -> Callable[[str], str]:
    """slug -> hash of everything in config that changes that tour's output."""
    common = stable_hash({
        "extraction": extraction,
        "map": dataclasses.asdict(settings.map),
        # the map's embed snippet uses the site's base_url
        "site": {k: v for k, v in dataclasses.asdict(settings.site).items() if k != "lock_timeout_s"},
        "window": settings.tour_window_days,
        "review": dataclasses.asdict(settings.review),
    })
    overrides = {o.slug: stable_hash(dataclasses.asdict(o)) for o in settings.tours}
    return lambda slug: stable_hash([common, overrides.get(slug)])[:16]


# --- the extraction cache ---------------------------------------------------------------------


def cache_key(article_sha: str, name: str, *, version: str, extraction: str) -> str:
    # The file name is part of the key because the article id (its stem) comes from it.
    return stable_hash([CACHE_FORMAT, article_sha, name, version, extraction])[:32]


class ExtractCache:
    """One JSON file per article extraction: out_dir/.cache/extract/<key>.json."""

    def __init__(self, root: Path):
        self.root = root

    def get(self, key: str) -> Tour | None:
        try:
            data = json.loads((self.root / f"{key}.json").read_text(encoding="utf-8"))
            return decode(Tour, data)
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None  # missing or unreadable: extract again

    def put(self, key: str, tour: Tour) -> None:
        text = json.dumps(dataclasses.asdict(tour), ensure_ascii=False, sort_keys=True)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            write_atomic(self.root / f"{key}.json", text.encode("utf-8"))
        except OSError:
            pass  # a cache that cannot be written only costs time


class TourStates:
    """The merged tour each folder was last drawn from (out_dir/.cache/tours/<slug>.json), so a
    tour this run does not touch can still be listed by `publish` exactly as it was built."""

    def __init__(self, root: Path):
        self.root = root

    def get(self, slug: str) -> Tour | None:
        try:
            return decode(Tour, json.loads((self.root / f"{slug}.json").read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None

    def has(self, slug: str) -> bool:
        return (self.root / f"{slug}.json").is_file()

    def put(self, tour: Tour) -> None:
        text = json.dumps(dataclasses.asdict(tour), ensure_ascii=False, sort_keys=True)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            write_atomic(self.root / f"{tour.slug}.json", text.encode("utf-8"))
        except OSError:
            pass

    def drop(self, slug: str) -> None:
        (self.root / f"{slug}.json").unlink(missing_ok=True)


def write_atomic(path: Path, data: bytes) -> bool:
    """Replace `path` with `data` unless it already holds exactly that; True if written."""
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def decode(tp: Any, value: Any) -> Any:
    """Rebuild typed dataclasses from `dataclasses.asdict` output (lists back to tuples...)."""
    return _decoder(tp)(value)


@functools.lru_cache(maxsize=None)
def _decoder(tp: Any) -> Callable[[Any], Any]:
    """A function that decodes values of type `tp`, worked out once per type (the cache of a
    1,000-article rebuild decodes tens of thousands of values)."""
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        fields = {f.name: _decoder(hints[f.name]) for f in dataclasses.fields(tp) if f.init}

        def obj(v):
            return None if v is None else tp(**{k: fields[k](x) for k, x in v.items() if k in fields})
        return obj
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        real = [a for a in args if a is not type(None)]
        return _decoder(real[0]) if len(real) == 1 else _same
    if origin is list:
        item = _decoder(args[0])
        if item is _same:
            return lambda v: None if v is None else list(v)
        return lambda v: None if v is None else [item(x) for x in v]
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = _decoder(args[0])
            return lambda v: None if v is None else tuple(item(x) for x in v)
        items = [_decoder(a) for a in args]
        return lambda v: None if v is None else tuple(f(x) for f, x in zip(items, v))
    return _same


def _same(v: Any) -> Any:
    return v


# --- the manifest -----------------------------------------------------------------------------


@dataclass
class TourEntry:
    articles: dict[str, str] = field(default_factory=dict)  # article file name -> sha256
    config: str = ""
    version: str = ""
    extractor: str = ""  # read_by(): "" for the rules alone
    # article file name -> where it was read, relative to the output folder: a later build that
    # names only some articles still sees the others, so a tour keeps all of its articles.
    paths: dict[str, str] = field(default_factory=dict)


@dataclass
class Manifest:
    """out_dir/manifest.json: what each tour folder was built from, and the old addresses that
    redirect to a tour (`redirects`, old slug -> slug). No dates: same input, same bytes.

    A tour's slug is fixed the first time it is built and kept here: a later article never moves
    it; only an editor's rename does, and the old address then holds a redirect page."""

    version: str = ""
    tours: dict[str, TourEntry] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, out_dir: Path) -> "Manifest":
        try:
            raw = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
            return cls(version=str(raw.get("version", "")),
                       tours={slug: TourEntry(articles=dict(t.get("articles", {})), config=t.get("config", ""),
                                              version=t.get("version", ""), extractor=t.get("extractor", ""),
                                              paths=dict(t.get("paths", {})))
                              for slug, t in raw.get("tours", {}).items()},
                       redirects={str(k): str(v) for k, v in dict(raw.get("redirects", {})).items()})
        except (OSError, ValueError, TypeError, AttributeError):
            return cls()  # no manifest (first build) or a damaged one: rebuild everything

    def slug_of(self) -> dict[str, str]:
        """article file name -> the slug of the tour it was built into."""
        return {name: slug for slug in sorted(self.tours) for name in self.tours[slug].articles}

    def article_files(self, out_dir: Path) -> dict[str, Path]:
        """article file name -> its file, for the articles of earlier builds that still exist."""
        out: dict[str, Path] = {}
        for slug in sorted(self.tours):
            for name, rel in sorted(self.tours[slug].paths.items()):
                p = Path(os.path.normpath(out_dir.absolute() / rel))
                if name not in out and p.is_file():
                    out[name] = p
        return out

    def dumps(self) -> str:
        # an empty `extractor` (the rules) is left out: rules-only manifests stay as they were
        obj = {"version": self.version,
               "tours": {slug: {k: v for k, v in dataclasses.asdict(self.tours[slug]).items()
                                if k != "extractor" or v} for slug in sorted(self.tours)},
               "redirects": dict(sorted(self.redirects.items()))}
        return json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    def save(self, out_dir: Path) -> bool:
        return write_atomic(out_dir / MANIFEST, self.dumps().encode("utf-8"))


def why_rebuild(old: TourEntry | None, new: TourEntry, *, folder_ok: bool, force: bool) -> str | None:
    """The reason to rebuild a tour, or None when its folder is up to date."""
    if force:
        return "forced"
    if old is None:
        return "new tour"
    added = sorted(set(new.articles) - set(old.articles))
    changed = sorted(a for a in new.articles if a in old.articles and old.articles[a] != new.articles[a])
    gone = sorted(set(old.articles) - set(new.articles))
    parts = []
    if added:
        parts.append(f"new article{'s' if len(added) > 1 else ''} {', '.join(added)}")
    if changed:
        parts.append(f"changed article{'s' if len(changed) > 1 else ''} {', '.join(changed)}")
    if gone:
        parts.append(f"article{'s' if len(gone) > 1 else ''} gone {', '.join(gone)}")
    if old.config != new.config:
        parts.append("config changed")
    if old.version != new.version:
        parts.append(f"tourmap changed ({old.version or '?'} -> {new.version})")
    if old.extractor != new.extractor:
        parts.append(f"extractor changed ({old.extractor or 'rules'} -> {new.extractor or 'rules'})")
    if not parts and not folder_ok:
        parts.append("output missing")
    return "; ".join(parts) or None
