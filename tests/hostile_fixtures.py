"""Hostile and broken inputs shared by test_hostile.py, test_faults.py and test_properties.py.

Every payload, when it runs, sets `window.__pwned` (or opens a dialog): the browser tests only
have to look at that one flag. The articles are realistic Spanish trip reports, so the payloads
travel the same way real text does: into the title, the evidence sentence, a person's name.
"""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOURMAP = ROOT / ".venv" / "bin" / "tourmap"
SEED = ROOT / "seeds" / "000_ef3bafede1ed9db9.txt"
# A run that does not finish in this many seconds has hung: an unattended nightly job must not.
RUN_TIMEOUT_S = 60

# A plain, harmless trip report (Spanish, with curly quotes and a dash, as newspapers write).
TRIP = (
    "El presidente de Chile, Gabriel Boric, llegó este lunes a Lima, donde se reunió con el presidente "
    "José Jerí en Palacio de Gobierno. Según la Cancillería, el mandatario viajará el miércoles 24 a "
    "Quito para reunirse con Daniel Noboa. “Es una visita de trabajo”, dijo el canciller — sin más detalles.\n"
)
TRIP_TITLE = "Boric llegó a Lima y viajará a Quito: “gira andina”"
TRIP_DOC = f"---\ntitle: \"{TRIP_TITLE}\"\npublished: 2025-12-21\nlanguage: es\n---\n\n{TRIP}"

# --- payloads ------------------------------------------------------------------------------------

SCRIPT = "<script>window.__pwned=1</script>"
CLOSE_SCRIPT = "</script><script>window.__pwned=2</script>"
IMG = '<img src=x onerror="window.__pwned=3">'
ATTR_DQ = '" onmouseover="window.__pwned=4" data-x="'
ATTR_SQ = "' onfocus='window.__pwned=5' autofocus data-x='"
TEMPLATE = "`${window.__pwned=6}`"
SVG_ALERT = "<svg onload=alert(7)>"
JS_URL = "javascript:window.__pwned=8"
HTML_COMMENT = "<!-- --><script>window.__pwned=9</script>"
# Jinja (folium/branca render templates, and re-read their output as templates): evaluated, it
# prints "zqxj"; left as text, the page shows the braces.
JINJA = "{{ 'zq' ~ 'xj' }}{% if true %}{% endif %}"
JINJA_EVALUATED = "zqxj"

PAYLOADS = (SCRIPT, CLOSE_SCRIPT, IMG, ATTR_DQ, ATTR_SQ, TEMPLATE, SVG_ALERT, HTML_COMMENT, JINJA)
ALL = " ".join(PAYLOADS)

TITLE = f"Boric {SCRIPT} llega a Lima {TEMPLATE} y se reúne con Jerí {IMG}"
PERSON = f"José {ATTR_DQ}Jerí"  # what the text puts where a name goes
MET_TEMPLATE = "María `${window.__pwned=11}` Pérez"


def _yaml_dq(s: str) -> str:
    """A YAML double-quoted scalar holding s exactly."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def hostile_article(*, published: str = "2025-12-21") -> str:
    """A Spanish trip article with payloads in the title, the evidence sentences and a name."""
    return f"""---
title: {_yaml_dq(TITLE)}
published: {published}
language: es
source_urls:
  - "{JS_URL}"
  - "https://example.org/nota?a=1&b=<script>window.__pwned=10</script>"
---

El presidente de Chile, Gabriel Boric, llegó este lunes a Lima {SCRIPT}, donde se reunió con el presidente {PERSON} en Palacio de Gobierno {CLOSE_SCRIPT}.

Según la Cancillería, Boric viajará el miércoles 24 a Quito {IMG} para reunirse con el mandatario Daniel Noboa {TEMPLATE} en el Palacio de Carondelet.

La gira terminará en Bogotá {SVG_ALERT} {ATTR_SQ} {JINJA}, donde el presidente Gustavo Petro {HTML_COMMENT} lo recibirá en la Casa de Nariño.
"""


def hostile_config(article_name: str) -> str:
    """Settings whose editor-typed values carry payloads too: titles, credit, an added stop."""
    q = _yaml_dq
    return f"""geocoder:
  service: offline
map:
  tiles: null
  static_images: false
  credit: {q("tourmap " + IMG + " " + TEMPLATE)}
site:
  title: {q("Giras " + SCRIPT)}
  description: {q("Mapas " + ATTR_DQ + " " + CLOSE_SCRIPT)}
tours:
  - slug: gira-hostil
    articles: [{article_name}]
    title: {q("Gira " + SCRIPT + " " + TEMPLATE + " " + JINJA)}
    subtitle: {q("Subtítulo " + IMG + ATTR_SQ)}
    stops:
      - match: {q("Santiago " + SVG_ALERT)}
        add: true
        name: {q("Santiago " + SVG_ALERT + " " + TEMPLATE)}
        country: CL
        lat: -33.4429
        lon: -70.6539
        date: 2026-03
        landmark: {q("La Moneda " + CLOSE_SCRIPT)}
        met: [{q("Ana " + IMG)}, {q("Luis " + ATTR_DQ)}]
      - match: Lima
        met: [{q(PERSON)}, {q(MET_TEMPLATE)}]
        landmark: {q("Palacio " + HTML_COMMENT)}
"""


# --- running the CLI -----------------------------------------------------------------------------

@dataclass
class Run:
    rc: int
    out: str
    err: str
    seconds: float

    @property
    def err_lines(self) -> list[str]:
        return [ln for ln in self.err.splitlines() if ln.strip()]

    def __str__(self) -> str:  # shown by pytest when an assertion on a run fails
        return f"exit {self.rc} after {self.seconds:.1f}s\n--- stderr:\n{self.err[-3000:]}\n--- stdout:\n{self.out[-1500:]}"


def cli_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    # Stub servers live on 127.0.0.1: a proxy from the environment must not swallow those requests.
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env.pop("TOURMAP_DEBUG", None)
    env["PYTHONWARNINGS"] = env.get("PYTHONWARNINGS", "")
    env.update(extra)
    return env


def tourmap(*args: str | Path, cwd: Path | None = None, timeout: float = RUN_TIMEOUT_S,
            env: dict[str, str] | None = None, stdin: bytes | None = None) -> Run:
    cmd = [str(TOURMAP) if TOURMAP.exists() else sys.executable] + (
        [] if TOURMAP.exists() else ["-m", "tourmap.cli"]) + [str(a) for a in args]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, cwd=cwd or ROOT, timeout=timeout, env=env or cli_env(),
                       input=stdin or b"")
    return Run(p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"),
               time.perf_counter() - t0)


def assert_one_line_error(run: Run, *names: str | Path, max_s: float | None = None) -> str:
    """What an unattended job relies on: exit 1, one `Error: ...` line naming the file, no traceback."""
    assert run.rc == 1, run
    assert "Traceback" not in run.err + run.out, run
    lines = run.err_lines
    assert len(lines) == 1, run
    line = lines[0]
    assert line.startswith("Error: "), run
    assert "internal error" not in line, run  # an expected failure must be named, not caught as a crash
    for n in names:
        assert str(n) in line, f"{n!s} not named in {line!r}"
    if max_s is not None:
        assert run.seconds < max_s, run
    return line


# --- comparing outputs -----------------------------------------------------------------------------

def snapshot(folder: Path) -> dict[str, str]:
    """relative path -> sha256 of every file under folder (hidden files included)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            out[str(p.relative_to(folder))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


# --- static checks on HTML -------------------------------------------------------------------------

EVENT_ATTR = re.compile(r"^on[a-z]+$")


class _Audit(HTMLParser):
    """Collects what a payload would have to create to run: elements, handlers, scripts, links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.handlers: list[tuple[str, str, str]] = []
        self.js_urls: list[tuple[str, str, str]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for k, v in attrs:
            if EVENT_ATTR.match(k or ""):
                self.handlers.append((tag, k, v or ""))
            if k in ("href", "src", "action", "formaction", "data", "xlink:href") and v and \
                    re.sub(r"[\s\x00-\x1f]", "", v).lower().startswith(("javascript:", "vbscript:", "data:text/html")):
                self.js_urls.append((tag, k, v))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self._in_script = False

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def audit_html(html: str) -> _Audit:
    a = _Audit()
    a.feed(html)
    a.close()
    return a


def injected(html: str) -> list[str]:
    """Problems a payload caused in this HTML; empty when every payload stayed text."""
    a = audit_html(html)
    bad = []
    bad += [f"event handler {k}={v!r} on <{t}>" for t, k, v in a.handlers if "__pwned" in v or "alert(" in v]
    bad += [f"script URL {k}={v!r} on <{t}>" for t, k, v in a.js_urls]
    for s in a.scripts:
        body = s.strip()
        if body.startswith(("window.__pwned", "alert(")):
            bad.append(f"injected <script>{body[:60]}")
    if JINJA_EVALUATED in html:
        bad.append("a Jinja expression from the text was evaluated while building")
    # Raw markup of a payload anywhere (even inside a JS string) is one innerHTML away from running.
    for raw in ("<script>window.__pwned", "<img src=x", "<svg onload", "</script><script>window"):
        if raw.lower() in html.lower():
            i = html.lower().index(raw.lower())
            bad.append(f"raw {raw!r} at {i}: ...{html[max(0, i - 80):i + 60]!r}")
    return bad


# --- JavaScript string state, for payloads that end up inside a <script> ------------------------

def js_context_at(src: str, index: int) -> str:
    """Lexical state of a JS source at `index`: 'code', 'dq', 'sq', 'tpl', 'tpl-expr', 'comment'.

    Just enough of JavaScript for generated code (folium / Leaflet calls with JSON arguments):
    strings, template literals with ${...} nesting, comments. Regex literals are not handled.
    """
    stack = ["code"]
    i = 0
    while i < index:
        c = src[i]
        st = stack[-1]
        nxt = src[i + 1] if i + 1 < len(src) else ""
        if st in ("dq", "sq"):
            if c == "\\":
                i += 2
                continue
            if (c == '"' and st == "dq") or (c == "'" and st == "sq") or c == "\n":
                stack.pop()
        elif st == "tpl":
            if c == "\\":
                i += 2
                continue
            if c == "`":
                stack.pop()
            elif c == "$" and nxt == "{":
                stack.append("tpl-expr")
                i += 2
                continue
        elif st == "line-comment":
            if c == "\n":
                stack.pop()
        elif st == "block-comment":
            if c == "*" and nxt == "/":
                stack.pop()
                i += 2
                continue
        else:  # code or tpl-expr
            if c == '"':
                stack.append("dq")
            elif c == "'":
                stack.append("sq")
            elif c == "`":
                stack.append("tpl")
            elif c == "/" and nxt == "/":
                stack.append("line-comment")
            elif c == "/" and nxt == "*":
                stack.append("block-comment")
                i += 2
                continue
            elif c == "{" and st == "tpl-expr":
                stack.append("tpl-expr")
            elif c == "}" and st == "tpl-expr":
                stack.pop()
        i += 1
    st = stack[-1]
    return "comment" if st.endswith("comment") else st


def raw_in_template_literal(html: str, needle: str) -> list[str]:
    """Places where `needle` sits raw inside a JS template literal or as code in an inline script."""
    out = []
    for script in audit_html(html).scripts:
        start = 0
        while (i := script.find(needle, start)) >= 0:
            ctx = js_context_at(script, i)
            if ctx not in ("dq", "sq", "comment"):
                out.append(f"{needle!r} in JS {ctx}: ...{script[max(0, i - 60):i + len(needle) + 20]!r}")
            start = i + 1
    return out


# --- a tour object with payloads everywhere, for the renderer alone ------------------------------

def hostile_tour():
    """A Tour as the pipeline would hand it to the renderer, every text field a payload."""
    from tourmap.models import Article, Corridor, Evidence, Place, Region, Stop, Tour

    text = f"El presidente llegó este lunes a Lima {SCRIPT}. Viajará a Quito {IMG}. {TEMPLATE}"
    art = Article(id=f"gira{ATTR_SQ}", path="gira.md", title=TITLE, text=text, published="2025-12-21",
                  source=JS_URL, source_urls=(JS_URL, f"https://example.org/?q={CLOSE_SCRIPT}"))

    def ev(quote: str) -> Evidence:
        i = max(text.find(quote), 0)
        return Evidence(article=art.id, quote=quote, start=i, end=i + len(quote))

    stops = [
        Stop(name=f"Lima {SVG_ALERT}", lat=-12.0453, lon=-77.0311, country="PE", date="2025-12-22",
             status="completed", met=[PERSON, MET_TEMPLATE], landmark=f"Palacio {HTML_COMMENT}",
             evidence=[ev(f"Lima {SCRIPT}")], sources=[art.id]),
        Stop(name=f"Quito {TEMPLATE}", lat=-0.2201, lon=-78.5123, country="EC", date="2026-01",
             status="planned", met=[f"Daniel {IMG} Noboa", f"Ana {JINJA}"], landmark=None,
             evidence=[ev(f"Quito {IMG}")], sources=[art.id]),
        Stop(name=f"Bogotá {ATTR_DQ} {JINJA}", lat=4.5981, lon=-74.0758, country="CO", date=None,
             status="planned", met=[], evidence=[ev(TEMPLATE)], sources=[art.id]),
    ]
    anchor = Place(name=f"Arica {IMG}", lat=-18.4783, lon=-70.3126, country="CL", admin1="CL-AP")
    return Tour(
        articles=[art], traveler=f"Gabriel {SCRIPT} Boric",
        origin=Place(name=f"Santiago {CLOSE_SCRIPT}", lat=-33.4429, lon=-70.6539, country="CL"),
        stops=stops,
        regions=[Region(name=f"Frontera {SCRIPT}", kind="border", countries=["CL", "PE"], anchor=anchor,
                        evidence=[ev(f"Lima {SCRIPT}")])],
        corridors=[Corridor(name=f"corredor humanitario {TEMPLATE}", countries=["PE", "EC"],
                            evidence=[ev(TEMPLATE)])],
        title=f"Gira {SCRIPT} {TEMPLATE}", subtitle=f"Subtítulo {IMG} {ATTR_SQ}", slug="gira-hostil",
        conflicts=[f"fecha {SCRIPT} en conflicto"],
    )
