"""Reading one article file: .txt, .md with YAML front matter, or a saved .html news page.

Robust against what arrives in a newsroom inbox: missing or empty files, binary data, PDFs
renamed .txt, UTF-16 and Windows-1252 text, huge files and pathologically nested HTML. A file
that cannot be read raises InputError with one line naming the file and the problem.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import html as html_lib
import re
from pathlib import Path

from . import fields
from .errors import InputError
from .lexicon import all_lexicons, fold
from .models import Article

MAX_BYTES = 5 * 1024 * 1024  # a file: a saved news page is mostly markup
# The article's text, what extraction reads. Extraction time still grows faster than the text
# (bench/bench_scaling.py, CPU seconds after the linear-time rework: 64 KB 2.4, 256 KB 9.7, 1 MB 51,
# 2 MB 138; exponent 1.17, 1.4 between 1 and 2 MB; 5 MB would take ~400 s), so a longer text
# would stall an unattended publish for minutes; it is refused at once instead. A long news report
# is 10-40 KB; a transcript or live blog past 256 KB should be split into articles. Raise this
# when a 5 MB text extracts in seconds.
MAX_TEXT_BYTES = 256 * 1024
LANGUAGES = ("es", "en", "pt")
MAX_HTML_DEPTH = 300  # deeper pages go to the plain tag stripper (lxml and trafilatura recurse)
_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_FRONT_OPEN = re.compile(r"\A---[ \t]*\r?\n")


# Terminal escape sequences (CSI, OSC and the rest) and other control characters: scraped text
# can carry them, and printed by `extract --format table` they would retitle or clear the
# editor's terminal. Newlines and tabs stay.
_CONTROL = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"          # CSI: ESC [ params final
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: ESC ] ... BEL or ESC \\
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"     # DCS, SOS, PM, APC strings
    r"|\x1b[ -/]*[0-~]?"                 # other escapes
    r"|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
)


def strip_controls(text: str) -> str:
    return _CONTROL.sub("", text)


def _decode(data: bytes, name: str) -> str:
    """Text from bytes: BOMs first, then UTF-8, then Windows-1252 / Latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(f"{name}: declares UTF-16 but is not valid UTF-16") from None
    if data.startswith(b"%PDF"):
        raise InputError(f"{name}: is a PDF, not a text or HTML article (save the article text as .txt)")
    head = data[:4096]
    if b"\x00" in head:
        # UTF-16 without a BOM: every other byte NUL in mostly-ASCII text
        if head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4:
            enc = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
            try:
                return data.decode(enc)
            except UnicodeDecodeError:
                pass
        raise InputError(f"{name}: looks binary (NUL bytes), not a text article")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _html_depth(src: str) -> int:
    """Maximum element nesting, counted cheaply without parsing."""
    void = {"br", "img", "hr", "meta", "link", "input", "area", "base", "col", "embed", "source", "track", "wbr"}
    depth = best = 0
    for m in re.finditer(r"<(/?)([a-zA-Z][\w-]*)[^>]*?(/?)>", src):
        tag = m.group(2).lower()
        if tag in void or m.group(3):
            continue
        if m.group(1):
            depth = max(0, depth - 1)
        else:
            depth += 1
            best = max(best, depth)
            if best > MAX_HTML_DEPTH:
                return best
    return best


def _strip_tags(src: str) -> str:
    """A plain tag stripper: drops scripts, styles and page furniture, keeps paragraphs."""
    src = re.sub(r"<!--.*?-->", " ", src, flags=re.S)
    src = re.sub(r"<(script|style|noscript|template|svg|nav|header|footer|aside|form)\b[^>]*>.*?</\1\s*>", " ",
                 src, flags=re.S | re.I)
    src = re.sub(r"<(?:br|/p|/div|/h[1-6]|/li|/tr|/blockquote|/section|/article)\b[^>]*>", "\n", src, flags=re.I)
    src = re.sub(r"<[^>]*>", " ", src)
    text = html_lib.unescape(src)
    lines = [re.sub(r"[ \t\u00a0]+", " ", ln).strip() for ln in text.splitlines()]
    out, blank = [], False
    for ln in lines:
        if ln:
            out.append(ln)
            blank = False
        elif not blank and out:
            out.append("")
            blank = True
    return "\n\n".join(p for p in "\n".join(out).split("\n\n") if p.strip()).strip()


def _html_meta(src: str) -> tuple[str, str | None, str | None]:
    """Title, publication date and language from a page's metadata (regexes: robust to bad HTML)."""
    title = ""
    for rx in (r'<meta[^>]+property=["\']og:title["\'][^>]*content=["\']([^"\']+)',
               r'<meta[^>]+content=["\']([^"\']+)["\'][^>]*property=["\']og:title',
               r"<title[^>]*>(.*?)</title>", r"<h1[^>]*>(.*?)</h1>"):
        m = re.search(rx, src, re.I | re.S)
        if m:
            title = re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", "", m.group(1)))).strip()
            if title:
                break
    date = None
    for rx in (r'property=["\']article:published_time["\'][^>]*content=["\'](\d{4}-\d\d-\d\d)',
               r'content=["\'](\d{4}-\d\d-\d\d)[^"\']*["\'][^>]*property=["\']article:published_time',
               r'"datePublished"\s*:\s*"(\d{4}-\d\d-\d\d)',
               r'<meta[^>]+name=["\'](?:date|pubdate|publishdate|dc\.date)["\'][^>]*content=["\'](\d{4}-\d\d-\d\d)',
               r'<time[^>]+datetime=["\'](\d{4}-\d\d-\d\d)'):
        m = re.search(rx, src, re.I)
        if m:
            date = m.group(1)
            break
    m = re.search(r'<html[^>]*\blang=["\']([a-zA-Z]{2})', src, re.I)
    lang = m.group(1).lower() if m else None
    return title, date, lang


def _html_text(src: str, name: str) -> tuple[str, str, str | None, str | None]:
    title, date, lang = _html_meta(src)
    text = ""
    if _html_depth(src) <= MAX_HTML_DEPTH:
        try:
            import trafilatura

            text = trafilatura.extract(src, include_comments=False, include_tables=False,
                                       favor_precision=True, deduplicate=True) or ""
        except (RecursionError, Exception):  # noqa: BLE001 - any parser failure -> plain stripper
            text = ""
    if not text.strip():
        text = _strip_tags(src)
    if title and text.startswith(title):
        text = text[len(title):].lstrip()
    return text, title, date, lang


def detect_language(text: str) -> str:
    """es / en / pt by counting each language's commonest words (cheap, good on a paragraph)."""
    words = re.findall(r"[a-záéíóúâêôãõçàüñ]+", text[:20000].lower())
    best, best_n = "es", -1
    for lang, lex in sorted(all_lexicons().items()):
        sw = lex.stopwords
        n = sum(1 for w in words if w in sw)
        if n > best_n:
            best, best_n = lang, n
    return best


def _iso(value, name: str, what: str) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    s = str(value).strip()
    m = re.match(r"(\d{4}-\d\d-\d\d)", s)
    if not m:
        raise InputError(f"{name}: {what} {s!r} is not a date of the form YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(m.group(1)).isoformat()
    except ValueError:
        raise InputError(f"{name}: {what} {s!r} is not a valid date") from None


def infer_published(text: str, *, language: str) -> str | None:
    """The publication day told by the text itself.

    A weekday named with a day of the month ("domingo 21 de diciembre") is the strongest clue: it
    fixes the year among those the text mentions. Otherwise the latest full date written with a
    year ("December 21, 2025").
    """
    lexes = all_lexicons()
    years = sorted({int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", text)})
    explicit: list[dt.date] = []
    weekday_dates: list[dt.date] = []
    for lang in dict.fromkeys([language, "en", "es", "pt"]):
        lex = lexes.get(lang)
        if not lex:
            continue
        months = "|".join(sorted(map(re.escape, (lex.raw.get("months") or {}).keys()), key=len, reverse=True))
        wdays = "|".join(sorted(map(re.escape, (lex.raw.get("weekdays") or {}).keys()), key=len, reverse=True))
        if lang == "en":
            pats = [rf"(?:(?P<wd>{wdays}),?\s+)?(?P<mon>{months})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<y>\d{{4}}))?\b",
                    rf"(?:(?P<wd>{wdays}),?\s+)?(?P<d>\d{{1,2}})\s+(?P<mon>{months})(?:,?\s+(?P<y>\d{{4}}))?\b"]
        else:
            pats = [rf"(?:(?P<wd>{wdays}),?\s+)?(?P<d>\d{{1,2}})(?:º|°)?\s+de\s+(?P<mon>{months})(?:\s+(?:de|del)\s+(?P<y>\d{{4}}))?\b"]
        for p in pats:
            for m in re.finditer(p, text, re.I):
                mon = lex.months.get(fold(m.group("mon")).rstrip("."))
                day = int(m.group("d"))
                if not mon:
                    continue
                if m.group("y"):
                    try:
                        explicit.append(dt.date(int(m.group("y")), mon, day))
                    except ValueError:
                        pass
                    if not m.group("wd"):
                        continue
                if m.group("wd"):
                    wd = lex.weekdays.get(fold(m.group("wd")))
                    pool = [int(m.group("y"))] if m.group("y") else (years or [])
                    pool = sorted(set(pool) | {y - 1 for y in pool}, reverse=True)
                    for y in pool:
                        try:
                            d = dt.date(y, mon, day)
                        except ValueError:
                            continue
                        if d.weekday() == wd:
                            weekday_dates.append(d)
                            break
    if weekday_dates:
        return max(weekday_dates).isoformat()
    if explicit:
        return max(explicit).isoformat()
    return None


def _title_from_text(text: str) -> tuple[str, str]:
    """A short first line without a final full stop is the headline: title, and the rest."""
    first, _, rest = text.lstrip().partition("\n")
    first = first.strip().lstrip("#").strip()
    if 0 < len(first) <= 160 and not first.endswith((".", ":", ";", ",")) and rest.strip():
        return first, rest.lstrip("\n")
    return "", text


# Front matter keys tourmap reads (other keys are the newsroom's own and are left alone), each
# with its aliases: the first one present is used.
FRONT_KEYS = {"title": ("title",), "published": ("published", "date"), "language": ("language", "lang"),
              "source_urls": ("source_urls", "sources", "source")}


def front_matter(block: str, name: str) -> dict:
    """The front matter's keys, checked: title (text), published (YYYY-MM-DD), language (es, en,
    pt), source_urls (a URL or a list of them). A wrong one is an InputError naming the file,
    the key and the value."""
    try:
        meta = fields.load_yaml(block)
    except ValueError as exc:
        raise InputError(f"{name}: front matter is {exc}") from None
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise InputError(f"{name}: front matter must be a mapping of keys (title, published, ...), "
                         f"got {fields.kind(meta)}")
    w = fields.Where(name, error=InputError)
    out: dict = {}
    for field, aliases in FRONT_KEYS.items():
        key = next((k for k in aliases if meta.get(k) not in (None, "")), None)
        if key is None:
            continue
        v, at = meta[key], w / key
        if field == "title":
            out["title"] = fields.text(v, at)
        elif field == "published":
            out["published"] = fields.day(v, at)
        elif field == "language":
            code = fields.text(v, at).strip().lower().replace("_", "-").split("-")[0]  # "es-CL" is "es"
            if code not in LANGUAGES:
                raise at.fail(f"expected 'es', 'en' or 'pt', got {fields.show(v)}")
            out["language"] = code
        else:
            urls = [v] if isinstance(v, str) else v
            if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
                raise at.fail(f"expected a URL or a list of URLs, got {fields.kind(v)}")
            out["source_urls"] = tuple(u.strip() for u in urls if u.strip())
    return out


def _kb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


def read_article(path: str | Path, *, published: str | None = None, language: str | None = None) -> Article:
    """Read one article file into an Article (body text, title, publication date, language)."""
    p = Path(path)
    name = str(path)
    if not p.exists():
        raise InputError(f"{name}: no such file")
    if p.is_dir():
        raise InputError(f"{name}: is a folder, not an article file")
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise InputError(f"{name}: too large ({size // (1024 * 1024)} MB; articles are at most 5 MB)")
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{name}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    if not data.strip():
        raise InputError(f"{name}: is empty")
    raw = _decode(data, name).replace("\r\n", "\n").replace("\r", "\n")
    head = raw[:4096]
    if sum(1 for c in head if c < " " and c not in "\n\t" or "\x7f" <= c <= "\x9f") > len(head) // 10:
        raise InputError(f"{name}: looks binary (control bytes), not a text article")
    raw = strip_controls(raw)
    if not raw.strip():
        raise InputError(f"{name}: is empty")
    meta: dict = {}
    suffix = p.suffix.lower()
    html_date = html_lang = None
    looks_html = suffix in (".html", ".htm") or re.match(r"\s*(<!doctype html|<html)", raw[:500], re.I)
    if looks_html:
        text, title, html_date, html_lang = _html_text(raw, name)
    else:
        text, title = raw, ""
        m = _FRONT.match(raw)
        if m:
            meta = front_matter(m.group(1), name)
            text = raw[m.end():]
            title = strip_controls(meta.get("title") or "").strip()
        elif _FRONT_OPEN.match(raw):
            raise InputError(f"{name}: front matter opened by '---' on line 1 is never closed "
                             "(end it with a '---' line)")
        if not title:
            title, text = _title_from_text(text)
    text = text.strip("\n").rstrip()
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise InputError(f"{name}: has no article text")
    size = len(text.encode("utf-8", errors="replace"))
    if size > MAX_TEXT_BYTES:
        raise InputError(f"{name}: article text too long ({_kb(size)}; at most {_kb(MAX_TEXT_BYTES)} of text, "
                         "split it into several articles)")
    if sum(1 for c in text[:5000] if c.isalpha()) < min(20, len(text[:5000]) // 4):
        raise InputError(f"{name}: does not look like article text")
    lang = language or meta.get("language") or (html_lang or "").strip().lower()[:2]
    if lang not in LANGUAGES:
        lang = detect_language(title + "\n" + text)
    inferred = False
    pub = _iso(published, name, "--published") if published else None
    if pub is None:
        pub = meta.get("published") or html_date
    if pub is None:
        pub = infer_published(text, language=lang)
        inferred = pub is not None
    urls = meta.get("source_urls", ())
    return Article(
        id=p.stem, path=str(p), title=title, text=text, published=pub, published_inferred=inferred,
        language=lang, source=urls[0] if urls else str(p), source_urls=urls,
        sha256=hashlib.sha256(data).hexdigest(),
    )
