"""What a graphics desk checks, measured in Debian's Chromium for every sample tour.

At 1280x800 (the page), 720x600 (the embed, inside a host page's iframe) and 390x844 (a phone):
no two visible label boxes overlap and no label box overlaps a marker (boxes from the rendered
DOM); the map is at least 60% of the frame; nothing overflows sideways; the basemap covers the
view at the lowest and the highest zoom the map allows (no pixel of the map's own background
shows: the basemap's canvas is opaque under the whole view); axe-core finds nothing serious or critical on the map, the embed and the site's pages.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from test_browser import browser  # noqa: F401 - the module's Chromium, shared

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]
ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "data" / "eval"
SIZES = [(1280, 800), (720, 600), (390, 844)]

MEASURE = """() => {
  const vis = el => { const s = getComputedStyle(el); return s.display !== 'none' && s.visibility !== 'hidden'; };
  const box = el => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const map = document.querySelector('.tm-map');
  const labels = [...document.querySelectorAll('.tm-lbl:not(.tm-lbl-arrow)')].filter(vis)
    .map(el => ({text: el.textContent, kind: el.className, box: box(el)}));
  const markers = [...document.querySelectorAll('.tm-pin, .tm-lbl-arrow')].filter(vis)
    .map(el => ({text: el.textContent || el.className, box: box(el)}));
  // How much of each label's text the browser drew inside its box (a font wider than measured).
  const spill = [...document.querySelectorAll('.tm-lbl:not(.tm-lbl-arrow) span')].filter(vis).map(s => {
    const r = document.createRange(); r.selectNodeContents(s); const t = r.getBoundingClientRect();
    return t.width - s.parentElement.getBoundingClientRect().width; });
  const m = map.getBoundingClientRect();
  return {labels, markers, spill: Math.max(0, ...spill), hidden: +map.dataset.tmHidden,
          mapArea: m.width * m.height, frame: innerWidth * innerHeight,
          overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
          mapBox: [m.left, m.top, m.right, m.bottom]};
}"""


def overlaps(a, b, slack=0.5) -> bool:
    return a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The sample articles published as a site (which also builds every tour's map)."""
    from tourmap.config import Settings
    from tourmap.site import publish

    out = tmp_path_factory.mktemp("frame") / "site"
    publish([SAMPLE], out, Settings(), jobs=2)
    tours = sorted(p.parent for p in out.glob("*/index.html"))
    assert len(tours) >= 8
    for t in tours:  # a host page for the embed snippet, as an article would paste it
        (t / "host.html").write_text(
            '<!doctype html><html lang="es"><head><meta charset="utf-8"><title>Artículo</title>'
            '<meta name="viewport" content="width=device-width, initial-scale=1"></head><body style="margin:0">'
            f'<main><h1 style="font-size:1px;margin:0">Artículo</h1>{(t / "embed.html").read_text()}</main>'
            "</body></html>", encoding="utf-8")
    return out, tours


def axe_source() -> str:
    from importlib.resources import files

    return (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


def serious(page) -> list[str]:
    page.evaluate(axe_source())
    res = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in res["violations"] if v["impact"] in ("serious", "critical")]


def ready(page):
    page.wait_for_selector(".tm-map.tm-ready", state="attached", timeout=10_000)


def check_layout(m: dict, where: str) -> list[str]:
    bad = []
    labels, markers = m["labels"], m["markers"]
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            if overlaps(a["box"], b["box"]):
                bad.append(f"{where}: label {a['text']!r} overlaps label {b['text']!r}")
        for mk in markers:
            if overlaps(a["box"], mk["box"]):
                bad.append(f"{where}: label {a['text']!r} overlaps marker {mk['text']!r}")
    if m["hidden"]:
        bad.append(f"{where}: the page's check had to hide {m['hidden']} label(s) the placer put down")
    if m["spill"] > 1:
        bad.append(f"{where}: text {m['spill']:.1f}px wider than its label box")
    if m["mapArea"] < 0.6 * m["frame"]:
        bad.append(f"{where}: map is {m['mapArea'] / m['frame']:.0%} of the frame")
    if m["overflow"] > 0:
        bad.append(f"{where}: {m['overflow']}px sideways overflow")
    return bad


GAPS = """async ([at, wait]) => {
  const map = Object.values(window).find(v => v instanceof L.Map);
  if (at === 'min') map.setZoom(map.getMinZoom(), {animate: false});
  else map.setView(at, map.getMaxZoom(), {animate: false});
  // Leaflet redraws its canvas on the next animation frame after the move ends.
  for (let i = 0; i < 3; i++) await new Promise(r => requestAnimationFrame(r));
  await new Promise(r => setTimeout(r, wait));
  // The basemap's canvas (sea and land) under every pixel of the map's own box.
  const c = document.querySelector('.leaflet-tm-base-pane canvas'), m = map.getContainer().getBoundingClientRect();
  const r = c.getBoundingClientRect(), k = c.width / r.width;
  const x0 = Math.floor((m.left - r.left) * k), y0 = Math.floor((m.top - r.top) * k);
  const w = Math.floor(m.width * k), h = Math.floor(m.height * k);
  if (x0 < 0 || y0 < 0 || x0 + w > c.width || y0 + h > c.height) return w * h;
  const px = c.getContext('2d').getImageData(x0, y0, w, h).data;
  let gaps = 0;
  for (let i = 3; i < px.length; i += 4) if (px[i] < 255) gaps++;
  return {gaps, zoom: map.getZoom()};
}"""
CORNERS = """() => { const b = Object.values(window).find(v => v instanceof L.Map).options.maxBounds;
  return [b.getSouthWest(), b.getNorthEast()].map(p => [p.lat, p.lng]); }"""


def test_labels_frame_and_coverage_of_every_sample_tour(browser, site):
    _, tours = site
    bad, figures = [], []
    for w, h in SIZES:
        embed = (w, h) == (720, 600)
        page = browser.new_page(viewport={"width": w, "height": h})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        try:
            for t in tours:
                where = f"{t.name} {w}x{h}"
                if embed:
                    page.goto((t / "host.html").as_uri())
                    frame = page.locator("iframe").element_handle().content_frame()
                    frame.wait_for_selector(".tm-map.tm-ready", state="attached", timeout=10_000)
                    m = frame.evaluate(MEASURE)
                    m["overflow"] = max(m["overflow"], page.evaluate(
                        "document.documentElement.scrollWidth - document.documentElement.clientWidth"))
                else:
                    page.goto((t / "index.html").as_uri())
                    ready(page)
                    m = page.evaluate(MEASURE)
                bad += check_layout(m, where)
                figures.append((where, len(m["labels"]), m["mapArea"] / m["frame"]))
                if not embed:
                    # The basemap under the whole view at the lowest zoom and, at the highest, with
                    # the view pushed into two opposite corners of the area it may move in.
                    for at in ["min"] + page.evaluate(CORNERS):
                        got = page.evaluate(GAPS, [at, 20])
                        if not isinstance(got, dict) or got["gaps"]:
                            got = page.evaluate(GAPS, [at, 400])  # a slow frame: measure again
                        if not isinstance(got, dict) or got["gaps"]:
                            bad.append(f"{where}: {got} pixels without basemap at {at}")
        finally:
            page.close()
        assert errors == [], errors
    print("\n" + "\n".join(f"{w}: {n} labels, map {s:.0%} of frame" for w, n, s in figures))
    assert bad == [], "\n".join(bad)


def test_axe_finds_nothing_serious(browser, site):
    out, tours = site
    kast = next(t for t in tours if t.name.startswith("kast"))  # the one with a corridor and a border band
    pages = [(out / "index.html", 390), (kast / "index.html", 390)] + [
        (kast / p, 1280) for p in ("index.html", "tour.html", "host.html")]
    bad = []
    for path, w in pages:
        for h in (844 if w == 390 else 800,):
            page = browser.new_page(viewport={"width": w, "height": h}, bypass_csp=True)
            try:
                page.goto(path.as_uri())
                if path.name == "index.html" and path.parent != out:
                    ready(page)
                page.wait_for_timeout(100)
                bad += [f"{path.relative_to(out)} {w}x{h}: {v}" for v in serious(page)]
                overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
                if overflow > 0:
                    bad.append(f"{path.relative_to(out)} {w}x{h}: {overflow}px sideways overflow")
            finally:
                page.close()
    assert bad == [], "\n".join(bad)
