"""`tourmap publish`: the built tours as a static site, safe to run unattended.

One straight line under a lock: build the tours (incrementally, into a hidden sibling folder),
write the whole new site into a sibling temp folder, then swap it in with one atomic rename. A run
that fails or is killed leaves the last good site as it was; the next run clears what it left.
Nothing in the output depends on the clock (dates come from the articles), and a file whose bytes
did not change keeps its modification time, so an unchanged site is left exactly as it was.

Site layout (relative links between its pages, so it works from any sub-path or straight from disk):

    index.html          the tours, newest first, with thumbnails
    feed.xml            Atom feed, one entry per tour, `updated` = newest article date
    sitemap.xml         absolute addresses, so only with `site.base_url`
    <slug>/tour.html    the tour's page: map, stops, disagreements, sources, embed snippet, downloads
    <slug>/index.html   the map itself (what `tourmap build` wrote), plus its data files
    <old-slug>/         a renamed tour's old address: pages that send readers to the new one

Each tour's page speaks the tour's language; the index and the feed speak `site.language`, else the
language of most tours. The embed snippet (embed.py) must name the map by its absolute address to
work inside an article: without `site.base_url`, publish warns once.
"""
from __future__ import annotations

import ctypes
import errno
import filecmp
import html
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import __version__
from .build import build, hold_lock
from .config import Settings
from .errors import BuildError
from .models import Tour
from .wording import LABELS, lang_of, majority_language

DOWNLOADS = (("tour.geojson", "GeoJSON"), ("stops.csv", "CSV"), ("tour.json", "JSON"),
             ("map.png", "PNG"), ("map.svg", "SVG"), ("map-social.png", "PNG 1200x630"),
             ("map-square.png", "PNG 1080x1080"))
# The index's thumbnail: the social card (1200x630) holds every stop at its own shape; the
# print picture (taller) is the fallback for a tour built before it existed.
THUMBS = (("map-social.png", "1200 / 630"), ("map.png", "auto"))
_BAD_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def esc(text: object) -> str:
    """Text from an article or the config, safe in HTML and XML text and attributes."""
    return html.escape(_BAD_XML.sub("", str(text)), quote=True)


@dataclass(frozen=True)
class SiteTour:
    slug: str
    tour: Tour
    folder: Path  # the built tour folder

    @property
    def title(self) -> str:
        return self.tour.title or (f"{self.tour.traveler}" if self.tour.traveler else self.slug)

    @property
    def updated(self) -> str | None:
        return self.tour.published

    @property
    def dates(self) -> str:
        days = sorted(d for s in self.tour.stops for d in (s.date, s.date_end) if d)
        if not days:
            return ""
        return days[0] if days[0] == days[-1] else f"{days[0]} – {days[-1]}"

    def has(self, name: str) -> bool:
        return (self.folder / name).is_file()


# --- pages ------------------------------------------------------------------------------------

# The site's own words, in the site's language (settings.site.language); article text stays as written.
UI = {
    "en": {"map": "Map", "stop": "stop", "stops": "stops", "updated": "Last updated", "no_tours": "No tours yet.",
           "feed": "Atom feed", "sitemap": "Sitemap", "h_stops": "Stops", "no_stops": "No stops found.",
           "cols": ("#", "Stop", "Country", "Date", "Status", "Met", "Where"), "sources": "Sources",
           "data": "Data", "embed": "Embed this map", "full": "Open the map full screen",
           "completed": "completed", "planned": "planned"},
    "es": {"map": "Mapa", "stop": "parada", "stops": "paradas", "updated": "Actualizado", "no_tours": "Aún no hay giras.",
           "feed": "Feed Atom", "sitemap": "Mapa del sitio", "h_stops": "Paradas", "no_stops": "Sin paradas.",
           "cols": ("#", "Parada", "País", "Fecha", "Estado", "Con", "Lugar"), "sources": "Fuentes",
           "data": "Datos", "embed": "Insertar este mapa", "full": "Abrir el mapa a pantalla completa",
           "completed": "realizada", "planned": "prevista"},
    "pt": {"map": "Mapa", "stop": "parada", "stops": "paradas", "updated": "Atualizado", "no_tours": "Ainda não há viagens.",
           "feed": "Feed Atom", "sitemap": "Mapa do site", "h_stops": "Paradas", "no_stops": "Nenhuma parada.",
           "cols": ("#", "Parada", "País", "Data", "Situação", "Com", "Local"), "sources": "Fontes",
           "data": "Dados", "embed": "Incorporar este mapa", "full": "Abrir o mapa em tela cheia",
           "completed": "realizada", "planned": "prevista"},
}


def ui(lang: str) -> dict:
    return UI.get((lang or "es").split("-")[0].lower(), UI["en"])


def site_language(tours: list[SiteTour], settings: Settings) -> str:
    """The index's and the feed's language: the site's, else that of most of its tours."""
    return settings.site.language or majority_language(lang_of(t.tour) for t in tours)


NO_BASE_URL = ("warning: site.base_url is not set, so the embed snippets point at index.html relative to "
               "the article they are pasted into (a broken frame) and sitemap.xml is left out (it needs "
               "absolute addresses); set site.base_url to the address the site is served from, e.g. "
               "https://example.org/maps/")


CSS = """body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#222}
a{color:#0b5cad}ul.tours{list-style:none;padding:0;display:grid;gap:1rem;
grid-template-columns:repeat(auto-fill,minmax(16rem,1fr))}ul.tours li{border:1px solid #ddd;border-radius:6px;
padding:.75rem}ul.tours img{width:100%;height:auto;display:block;margin-bottom:.5rem}
.meta{color:#555;font-size:.9rem}iframe.map{width:100%;height:32rem;border:1px solid #ddd}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border-bottom:1px solid #eee;padding:.25rem;
text-align:left;vertical-align:top}pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f6f6;padding:.5rem;
overflow:auto;max-width:100%}pre:focus-visible{outline:3px solid #f39c12}.table{overflow-x:auto}
img,iframe{max-width:100%}"""


def _page(title: str, body: str, *, lang: str, up: str = "", head: str = "") -> str:
    return (f'<!doctype html>\n<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{esc(title)}</title>\n"
            f'<link rel="alternate" type="application/atom+xml" title="{esc(title)}" href="{up}feed.xml">\n'
            f"{head}<style>{CSS}</style>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n")


def index_html(tours: list[SiteTour], settings: Settings) -> str:
    lang = site_language(tours, settings)
    st, w = settings.site, ui(lang)
    items = []
    for t in tours:
        pic = next(((name, ratio) for name, ratio in THUMBS if t.has(name)), None)
        thumb = (f'<a href="{t.slug}/tour.html"><img src="{t.slug}/{pic[0]}" alt="{esc(w["map"] + ": " + t.title)}" '
                 f'style="aspect-ratio:{pic[1]}" loading="lazy"></a>\n' if pic else "")
        n = len(t.tour.stops)
        meta = [f"{esc(t.tour.traveler)}" if t.tour.traveler else "", esc(t.dates),
                f"{n} {w['stop'] if n == 1 else w['stops']}"]
        updated = (f'<br>{w["updated"]} <time datetime="{esc(t.updated)}">{esc(t.updated)}</time>'
                   if t.updated else "")
        items.append(f'<li>\n{thumb}<h2><a href="{t.slug}/tour.html">{esc(t.title)}</a></h2>\n'
                     f'<p class="meta">{" · ".join(m for m in meta if m)}{updated}</p>\n</li>\n')
    desc = f"<p>{esc(st.description)}</p>\n" if st.description else ""
    listing = f'<ul class="tours">\n{"".join(items)}</ul>\n' if items else f"<p>{w['no_tours']}</p>\n"
    sitemap = f' · <a href="sitemap.xml">{w["sitemap"]}</a>' if st.base_url else ""
    body = (f"<h1>{esc(st.title)}</h1>\n{desc}{listing}"
            f'<p class="meta"><a href="feed.xml">{w["feed"]}</a>{sitemap}</p>\n')
    return _page(st.title, body, lang=lang)


def _safe_url(url: str) -> str | None:
    return url if re.match(r"^https?://", url or "") else None


def tour_html(t: SiteTour, settings: Settings) -> str:
    lang = lang_of(t.tour)
    tour, w = t.tour, ui(lang)
    rows = []
    for i, s in enumerate(tour.stops, 1):
        date = s.date or ""
        if s.date_end and s.date_end != s.date:
            date += f" – {s.date_end}"
        rows.append("<tr>" + "".join(f"<td>{esc(v)}</td>" for v in (
            i, s.name, s.country or "", date, w.get(s.status, s.status), ", ".join(s.met), s.landmark or ""))
            + "</tr>\n")
    head = "".join(f"<th>{c}</th>" for c in w["cols"])
    table = (f'<div class="table" tabindex="0" role="region" aria-label="{w["h_stops"]}">'
             f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{''.join(rows)}</tbody>\n</table></div>\n"
             if rows else f"<p>{w['no_stops']}</p>\n")
    sources = []
    for a in tour.articles:
        url = _safe_url(a.source)
        name = f'<a href="{esc(url)}" rel="nofollow">{esc(a.title or a.id)}</a>' if url else esc(a.title or a.id)
        sources.append(f"<li>{name}" + (f" ({esc(a.published)})" if a.published else "") + "</li>\n")
    downloads = [f'<li><a href="{n}" download>{n}</a> ({kind})</li>\n' for n, kind in DOWNLOADS if t.has(n)]
    embed = ""
    if t.has("embed.html"):
        snippet = (t.folder / "embed.html").read_text(encoding="utf-8", errors="replace")
        # Focusable so that a keyboard can scroll it; wrapped so that a phone never scrolls sideways.
        embed = (f"<h2 id=\"embed\">{w['embed']}</h2>\n<pre tabindex=\"0\" aria-labelledby=\"embed\">"
                 f"<code>{esc(snippet.strip())}</code></pre>\n")
    meta = [esc(tour.traveler) if tour.traveler else "", esc(t.dates),
            f"{w['updated']} {esc(t.updated)}" if t.updated else ""]
    sub = f"<p>{esc(tour.subtitle)}</p>\n" if tour.subtitle else ""
    conflicts = "".join(f"<li>{esc(c)}</li>\n" for c in tour.conflicts)
    if conflicts:
        conflicts = f"<h2>{esc(LABELS[lang]['conflicts'])}</h2>\n<ul class=\"conflicts\">\n{conflicts}</ul>\n"
    body = (f'<p><a href="../index.html">← {esc(settings.site.title)}</a></p>\n'
            f"<h1>{esc(t.title)}</h1>\n{sub}"
            f'<p class="meta">{" · ".join(m for m in meta if m)}</p>\n'
            f'<iframe class="map" src="index.html" title="{esc(w["map"] + ": " + t.title)}" loading="lazy">'
            f"</iframe>\n"
            f'<p><a href="index.html">{w["full"]}</a></p>\n'
            f"<h2>{w['h_stops']}</h2>\n{table}"
            + conflicts
            + (f"<h2>{w['sources']}</h2>\n<ul>\n{''.join(sources)}</ul>\n" if sources else "")
            + (f"<h2>{w['data']}</h2>\n<ul>\n{''.join(downloads)}</ul>\n" if downloads else "")
            + embed)
    return _page(t.title, body, lang=lang, up="../")


def _stamp(day: str | None) -> str:
    """An Atom date from an article date (never the clock)."""
    day = day or "1970-01-01"
    day += {4: "-01-01", 7: "-01"}.get(len(day), "")
    return f"{day}T00:00:00Z"


def feed_xml(tours: list[SiteTour], settings: Settings) -> str:
    st = settings.site
    lang = site_language(tours, settings)
    base = st.base_url
    feed_id = base or f"urn:tourmap:site:{_slug(st.title)}"
    newest = max((t.updated for t in tours if t.updated), default=None)
    entries = []
    for t in tours:
        stops = "; ".join(f"{s.name} ({', '.join(x for x in (s.date, s.status) if x)})" for s in t.tour.stops)
        summary = " · ".join(x for x in (t.tour.traveler or "", t.dates, stops) if x)
        own = lang_of(t.tour)
        entries.append(
            (f'  <entry xml:lang="{esc(own)}">\n' if own != lang else "  <entry>\n")
            + f"    <title>{esc(t.title)}</title>\n"
            f"    <id>{esc(base + t.slug + '/' if base else 'urn:tourmap:tour:' + t.slug)}</id>\n"
            f'    <link rel="alternate" type="text/html" href="{esc(base)}{t.slug}/tour.html"/>\n'
            f"    <updated>{_stamp(t.updated)}</updated>\n"
            f"    <summary>{esc(summary)}</summary>\n  </entry>\n")
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{esc(lang)}">\n'
            f"  <title>{esc(st.title)}</title>\n"
            + (f"  <subtitle>{esc(st.description)}</subtitle>\n" if st.description else "")
            + f"  <id>{esc(feed_id)}</id>\n"
            f'  <link rel="self" type="application/atom+xml" href="{esc(base)}feed.xml"/>\n'
            f'  <link rel="alternate" type="text/html" href="{esc(base) or "index.html"}"/>\n'
            f"  <updated>{_stamp(newest)}</updated>\n"
            f"  <author><name>{esc(settings.map.credit or 'tourmap')}</name></author>\n"
            f'  <generator version="{esc(__version__)}">tourmap</generator>\n'
            + "".join(entries) + "</feed>\n")


def sitemap_xml(tours: list[SiteTour], settings: Settings) -> str:
    """The sitemap protocol wants absolute addresses: only written with `site.base_url`."""
    base = settings.site.base_url
    newest = max((t.updated for t in tours if t.updated), default=None)
    urls = [(base, newest)]
    for t in tours:
        urls += [(f"{base}{t.slug}/tour.html", t.updated), (f"{base}{t.slug}/", t.updated)]
    body = "".join(f"  <url><loc>{esc(u)}</loc>" + (f"<lastmod>{esc(d)}</lastmod>" if d else "") + "</url>\n"
                   for u, d in urls)
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{body}</urlset>\n')


def _slug(text: str) -> str:
    from .merge import slugify

    return slugify(text)


# --- writing and swapping ---------------------------------------------------------------------


def _put(dest: Path, data: bytes | None, *, src: Path | None, current: Path) -> bool:
    """Write one file of the new site; reuse the live site's file (and its mtime) when identical.

    Returns True when the file is new or differs from the live one."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    if current.is_file():
        same = (current.read_bytes() == data) if data is not None else filecmp.cmp(src, current, shallow=False)
        if same:
            try:
                # A hard link: no copy, same bytes and mtime. Safe because nothing ever writes a
                # site file in place; the old name goes away with the old site.
                os.link(current, dest)
            except OSError:
                shutil.copy2(current, dest)
            return False
    if data is not None:
        dest.write_bytes(data)
    else:
        shutil.copyfile(src, dest)
    os.chmod(dest, 0o644)
    return True


def write_site(tmp: Path, tours: list[SiteTour], settings: Settings, *,
               current: Path, moved: list[tuple[str, Path]] = ()) -> tuple[list[str], bool]:
    """Write the whole site into `tmp`: the tours, the old addresses in `moved` (slug, folder of
    redirect pages) and the site's own pages.

    Returns the slugs of tours that differ from the live site `current`, and whether the new
    site differs from it at all (a changed page, or a file added or gone)."""
    changed = []
    for t in tours:
        new = False
        for src in sorted(t.folder.rglob("*")):
            if src.is_file():
                rel = src.relative_to(t.folder)
                new |= _put(tmp / t.slug / rel, None, src=src, current=current / t.slug / rel)
        new |= _put(tmp / t.slug / "tour.html", tour_html(t, settings).encode(), src=None,
                    current=current / t.slug / "tour.html")
        if new:
            changed.append(t.slug)
    differs = bool(changed)
    for slug, folder in moved:
        for src in sorted(folder.glob("*.html")):
            differs |= _put(tmp / slug / src.name, None, src=src, current=current / slug / src.name)
    pages = {"index.html": index_html(tours, settings), "feed.xml": feed_xml(tours, settings)}
    if settings.site.base_url:
        pages["sitemap.xml"] = sitemap_xml(tours, settings)
    for name, text in pages.items():
        differs |= _put(tmp / name, text.encode("utf-8"), src=None, current=current / name)
    for d in [tmp, *sorted(p for p in tmp.rglob("*") if p.is_dir())]:
        os.chmod(d, 0o755)  # mkdtemp makes 0700: a web server must be able to read the site
    return changed, differs or _names(tmp) != _names(current)


def _names(root: Path) -> list[str]:
    if not root.is_dir():
        return []
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories in one atomic step (Linux renameat2); False where not supported."""
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def swap_dir(new: Path, site_dir: Path) -> None:
    """Put `new` where `site_dir` is: readers see the old site or the new one, never a mix."""
    if not site_dir.exists():
        new.rename(site_dir)
        return
    if _exchange(new, site_dir):
        shutil.rmtree(new, ignore_errors=True)  # `new` now holds the previous site
        return
    old = site_dir.with_name(f".{site_dir.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    site_dir.rename(old)
    new.rename(site_dir)
    shutil.rmtree(old, ignore_errors=True)


def recover(site_dir: Path) -> list[str]:
    """Clear what a killed run left beside the site; put the old site back if it was mid-swap."""
    notes = []
    old = site_dir.with_name(f".{site_dir.name}.old")
    if not site_dir.exists() and old.is_dir():
        old.rename(site_dir)
        notes.append(f"restored {site_dir} from an interrupted run")
    for p in sorted(site_dir.parent.glob(f".{site_dir.name}.new-*")) + ([old] if old.exists() else []):
        shutil.rmtree(p, ignore_errors=True)
        notes.append(f"removed {p.name} left by an interrupted run")
    return notes


def _test_pause() -> None:
    # Test seam: lets a test kill a publish after the new site is written but before the swap.
    delay = os.environ.get("TOURMAP_TEST_SLOW")
    if delay:
        time.sleep(float(delay))


def publish(paths, site_dir: Path, settings: Settings, *, force: bool = False, jobs: int | None = None,
            progress: bool = False, log: Callable[[str], None] | None = None,
            warn: Callable[[str], None] | None = None, refresh: bool = False, prune: bool = False,
            check_config: bool | None = None) -> str:
    """Build the tours from `paths` and publish them to `site_dir`; returns a one-line summary.

    The site holds every tour the build folder holds (those of `paths` brought up to date, the
    others as they were); with `prune`, tours with no article left are removed."""
    site_dir = Path(site_dir).absolute()
    say = log or (lambda line: None)
    warn = warn or say
    lock = hold_lock(site_dir.parent / f".{site_dir.name}.lock", timeout=settings.site.lock_timeout_s,
                     what="publish")
    try:
        for note in recover(site_dir):
            say(note)
        if site_dir.exists() and not site_dir.is_dir():
            raise BuildError(f"{site_dir}: is a file, not a folder")
        built = build(paths, site_dir.parent / f".{site_dir.name}.build", settings, force=force, jobs=jobs,
                      progress=progress, refresh=refresh, prune=prune, check_config=check_config)
        for path, why in built.skipped:
            say(f"skipped {path.name}: {why}")
        for b in built:  # only changes: a scheduler's log gets a line per change, not per tour
            if b.status not in ("unchanged", "redirect") and b.reason != "unchanged":
                say(f"{b.status} {b.slug}: {b.reason}")
        tours = [SiteTour(b.slug, b.tour, b.folder) for b in built
                 if b.status in ("rebuilt", "unchanged", "kept") and b.tour.stops
                 and (b.folder / "index.html").is_file()]
        moved = [(b.slug, b.folder) for b in built if b.status == "redirect" and b.folder.is_dir()]
        tours.sort(key=lambda t: (t.updated or "", t.slug), reverse=True)
        tours.sort(key=lambda t: t.updated is None)  # undated last, the rest newest first
        try:
            tmp = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.new-", dir=site_dir.parent))
        except OSError as exc:
            raise BuildError(f"{site_dir.parent}: cannot write output ({exc.strerror or exc})") from None
        try:
            changed, differs = write_site(tmp, tours, settings, current=site_dir, moved=moved)
            _test_pause()
            n = f"{len(tours)} tour{'s' if len(tours) != 1 else ''}"
            if not differs and site_dir.is_dir():
                shutil.rmtree(tmp, ignore_errors=True)
                result = f"site unchanged: {n} in {site_dir}"
            else:
                swap_dir(tmp, site_dir)
                result = ""
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise BuildError(f"{site_dir}: cannot publish ({exc.strerror or exc})") from None
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        if not settings.site.base_url:  # once a run, after the site is in place
            warn(NO_BASE_URL)
        gone = sum(b.status == "removed" for b in built)
        return result or (f"published {n} to {site_dir} ({len(changed)} changed"
                          + (f", {gone} removed)" if gone else ")"))
    finally:
        lock.release()
