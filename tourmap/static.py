"""Static images of the map, in the sizes a desk posts: map.png / map.svg for a print column,
map-social.png (1200x630, a link card; also the site's thumbnail) and map-square.png (1080x1080),
each with its SVG.

One scene per format, two writers. `layout` fits the tour into the format's map area, places every
label with the same placer as the web page (labels.py: stop names with their dates, leg distances,
country, region and corridor names, both ends of the corridor, arrowheads), then adds the title,
legend, source and credit; `to_svg` writes the scene as text, one named group per layer
(`<g id="labels" inkscape:label="labels">`...) for Illustrator and Inkscape, and `to_png`
rasterises it with Pillow at twice the size then halved, because Pillow draws without anti-aliasing.

Output is deterministic (fixed number formatting, no dates or software names in metadata).
Article text reaches the SVG only HTML-escaped and inside <text>; the PNG draws it with the
vendored DejaVu Sans (tourmap/vendor/fonts), which has the accents of place names.
"""
from __future__ import annotations

import html
import io
import math
from dataclasses import dataclass, field
from typing import Any, Iterable

import shapely

from .config import Settings
from .geometry import located
from .labels import Placer, Style, TextStyle, _world_polys, font, map_data, text_width, tour_problem, world
from .models import Tour, TourGeometry
from .wording import LABELS, article_name, lang_of, titles

__all__ = ["FORMATS", "Format", "layout", "render_static", "to_png", "to_svg", "font", "text_width", "fit_text"]

FONT_FAMILY = "DejaVu Sans, Verdana, Arial, sans-serif"
SS = 2  # supersampling factor of the PNG

BLUE, RED, WHITE, INK, GREY = "#1f4e79", "#c0392b", "#ffffff", "#1b1b1b", "#555555"
OCEAN, LAND, LAND_FOCUS = "#d7e5ee", "#f7f5f0", "#efe9dc"
CORRIDOR_FILL, CORRIDOR_EDGE, CORRIDOR_TEXT = ("#fdebd4", 0.9), "#b35806", "#7a4006"
REGION_FILL, REGION_EDGE, REGION_HALO, REGION_TEXT = ("#c2405e", 0.7), "#9e2a4b", ("#d6336b", 0.4), "#7b1f3a"
COUNTRY_TEXT = "#6b6558"

Color = str | tuple[str, float]  # "#rrggbb" or ("#rrggbb", opacity)
XY = tuple[float, float]
LAYERS = ("background", "sea", "land", "areas", "routes", "markers", "leaders", "labels", "legend", "title",
          "credits")


@dataclass(frozen=True)
class Format:
    """A desk size: `width` x `height` layout units (height None: from the tour's shape), drawn at
    `px` image pixels per unit; `unit` scales type and markers; the legend goes on the `side` or
    along the bottom."""

    name: str
    width: int
    height: int | None
    unit: float
    px: float = 1.0
    side: bool = False
    dpi: int | None = None


FORMATS = (
    # Two print columns (105 mm): 620 units, written at 2x = 1240 px, 300 dpi; type at 6-9 pt.
    Format("map", 620, None, 1.0, px=2.0, dpi=300),
    Format("map-social", 1200, 630, 1.5, side=True),
    Format("map-square", 1080, 1080, 1.75),
)


# --- the scene --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Shape:
    """Polygons as rings (outer ring then holes, even-odd filled)."""

    rings: tuple[tuple[XY, ...], ...]
    fill: Color | None = None
    stroke: Color | None = None
    width: float = 0.0
    dash: tuple[float, float] | None = None
    hatch: str | None = None  # colour of 45-degree hatching, if any
    layer: str = "areas"


@dataclass(frozen=True)
class Line:
    points: tuple[XY, ...]
    stroke: Color
    width: float
    dash: tuple[float, float] | None = None
    layer: str = "routes"


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    r: float
    fill: Color
    stroke: Color
    width: float
    square: bool = False
    layer: str = "markers"


@dataclass(frozen=True)
class Label:
    """Text with its anchor point at the left/centre/right ("start"/"middle"/"end") of its
    baseline (`valign` "baseline") or of its middle ("middle")."""

    x: float
    y: float
    text: str
    size: float
    color: str = INK
    bold: bool = False
    align: str = "start"
    valign: str = "middle"
    halo: bool = False
    italic: bool = False
    spacing: float = 0.0  # letter spacing
    layer: str = "labels"


@dataclass
class Scene:
    width: int
    height: int
    title: str
    px: float = 1.0  # image pixels per unit
    dpi: int | None = None
    clip: tuple[float, float, float, float] | None = None  # the map area: sea, land, areas, routes
    items: list[Shape | Line | Marker | Label] = field(default_factory=list)
    placed: list[dict[str, Any]] = field(default_factory=list)  # what the placer put down, for tests

    def add(self, *items: Shape | Line | Marker | Label) -> None:
        self.items.extend(items)


def fit_text(text: str, size: float, bold: bool, room: float) -> str:
    """`text`, cut with an ellipsis so it fits in `room` pixels."""
    if text_width(text, size, bold) <= room:
        return text
    while text and text_width(text + "…", size, bold) > room:
        text = text[:-1]
    return text.rstrip() + "…"


def wrap(text: str, size: float, bold: bool, room: float, lines: int) -> list[str]:
    """`text` on at most `lines` lines of `room` pixels, the last one cut with an ellipsis."""
    words, out = text.split(), []
    while words and len(out) < lines:
        line = words.pop(0)
        while words and text_width(line + " " + words[0], size, bold) <= room:
            line += " " + words.pop(0)
        out.append(line)
    if words:
        out[-1] = fit_text(out[-1] + " " + " ".join(words), size, bold, room)
    return [fit_text(line, size, bold, room) for line in out]


# --- layout -----------------------------------------------------------------------------------

def _legend_rows(tour: Tour, geom: TourGeometry, lab: dict[str, str]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    statuses = {s.status for s in tour.stops}
    if "completed" in statuses:
        rows.append(("stop_done", lab["stop_done"]))
    if "planned" in statuses:
        rows.append(("stop_plan", lab["stop_plan"]))
    if tour.origin:
        rows.append(("origin", lab["origin"]))
    if any(leg.status == "completed" for leg in geom.legs):
        rows.append(("leg_done", lab["leg_done"]))
    if any(leg.status != "completed" for leg in geom.legs):
        rows.append(("leg_plan", lab["leg_plan"]))
    if any(c.geometry for c in geom.corridors):
        rows.append(("corridor", lab["corridor"]))
    if any(r.geometry for r in geom.regions):
        rows.append(("region", lab["region"]))
    return rows


def _source_line(tour: Tour, settings: Settings | None, lab: dict[str, str], lang: str) -> str:
    names = [article_name(a, lang) for a in tour.articles]
    bits = [f"{lab['source']}: {' · '.join(names)}"] if names else []
    bits.append(f"{lab['data']}: Natural Earth · GeoNames")
    credit = getattr(getattr(settings, "map", None), "credit", None)
    if credit:
        bits.append(credit)
    return " · ".join(bits)


def layout(tour: Tour, geom: TourGeometry, fmt: Format = FORMATS[0], settings: Settings | None = None,
           data: dict[str, Any] | None = None) -> Scene:
    """Everything one image shows, in layout units."""
    lang = lang_of(tour)
    lab = LABELS[lang]
    u = fmt.unit
    style = Style().scaled(u)
    title, subtitle = titles(tour)
    data = data if data is not None else map_data(tour, geom)
    margin = 14 * u
    rows = _legend_rows(tour, geom, lab)

    # Title block: the title on up to two lines, then the subtitle.
    t_size, s_size, c_size = 19 * u, 12.5 * u, 10 * u
    title_lines = wrap(title, t_size, True, fmt.width - 2 * margin, 2)
    header = margin + len(title_lines) * t_size * 1.22 + (s_size * 1.5 if subtitle else 0) + 6 * u
    footer = c_size * 2.2
    # Legend: a column on the right (side) or rows under the map.
    l_size = 10.5 * u
    key_w, gap_x, row_h = 26 * u, 8 * u, l_size * 1.75
    item_w = [key_w + 6 * u + text_width(t, l_size) for _k, t in rows]
    if fmt.side:
        legend_w = (max(item_w) if item_w else 0) + 2 * margin
        legend_h = 0.0
        layout_rows: list[list[int]] = [[i] for i in range(len(rows))]
    else:
        legend_w = 0.0
        layout_rows = []
        room, cur, used = fmt.width - 2 * margin, [], 0.0
        for i, w in enumerate(item_w):
            if cur and used + gap_x + w > room:
                layout_rows.append(cur)
                cur, used = [], 0.0
            used += (gap_x if cur else 0) + w
            cur.append(i)
        if cur:
            layout_rows.append(cur)
        legend_h = len(layout_rows) * row_h + 6 * u
    # The map area, and the scale that fits the tour's bounds in it.
    mx0, my0 = 0.0, header
    mx1 = fmt.width - legend_w
    if geom.bounds:
        (s, w), (n, e) = geom.bounds
    else:
        (s, w), (n, e) = (-60.0, -180.0), (80.0, 180.0)
    bx0, by0 = world(n, w)
    bx1, by1 = world(s, e)
    bw, bh = max(bx1 - bx0, 0.5), max(by1 - by0, 0.5)
    if fmt.height is None:
        # Print column: as tall as the tour needs, between 3:4 and 4:3 of the width.
        pad = 0.16
        want = (mx1 - mx0) * (1 - 2 * pad) * bh / bw / (1 - 2 * pad)
        map_h = min(max(want, 0.75 * fmt.width), 1.33 * fmt.width)
        height = round(header + map_h + legend_h + footer)
    else:
        height = fmt.height
        map_h = height - header - legend_h - footer
    my1 = my0 + map_h
    scene = Scene(fmt.width, height, title, px=fmt.px, dpi=fmt.dpi, clip=(mx0, my0, mx1, my1))
    scene.add(Shape((((0, 0), (fmt.width, 0), (fmt.width, height), (0, height)),), fill=WHITE, layer="background"))

    # Place: the bounds fitted with room for labels; if stop names had to be dropped, a little
    # further out (up to three times), keeping the try that names the most stops.
    problem = tour_problem(data, style)
    placer = Placer(problem)
    inset = 6 * u
    best = None
    for shrink in (1.0, 0.82, 0.68, 0.56):
        room_x = (mx1 - mx0) - 2 * (margin + 40 * u)
        room_y = (my1 - my0) - 2 * (margin + 16 * u)
        scale = max(min(room_x / bw, room_y / bh), 1e-6) * shrink
        ox = (mx0 + mx1) / 2 - (bx0 + bx1) / 2 * scale
        oy = (my0 + my1) / 2 - (by0 + by1) / 2 * scale
        frame = (mx0 + inset - ox, my0 + inset - oy, mx1 - inset - ox, my1 - inset - oy)
        got = placer.level(scale, frame)
        named = sum(1 for i in got if problem.items[i].kind in ("stop", "origin"))
        if best is None or named > best[0]:
            best = (named, scale, ox, oy, got, placer.last_boxes)
        if named == sum(1 for it in problem.items if it.kind in ("stop", "origin")):
            break
    _named, scale, ox, oy, got, boxes = best

    def px(lat: float, lon: float) -> XY:
        x, y = world(lat, lon)
        return (x * scale + ox, y * scale + oy)

    clip_box = shapely.box((mx0 - 4 - ox) / scale, (my0 - 4 - oy) / scale, (mx1 + 4 - ox) / scale,
                           (my1 + 4 - oy) / scale)

    def shapes(geometry: dict[str, Any], **style_) -> list[Shape]:
        out = []
        for poly in _world_polys(geometry):
            if not poly.intersects(clip_box):
                continue
            cut = poly.intersection(clip_box)
            for part in getattr(cut, "geoms", [cut]):
                if part.geom_type != "Polygon" or part.is_empty:
                    continue
                rings = [part.exterior] + list(part.interiors)
                out.append(Shape(tuple(tuple((x * scale + ox, y * scale + oy) for x, y in r.coords) for r in rings),
                                 **style_))
        return out

    scene.add(Shape((((mx0, my0), (mx1, my0), (mx1, my1), (mx0, my1)),), fill=OCEAN, layer="sea"))
    focus = {st.country for st in tour.stops if st.country} | ({tour.origin.country} if tour.origin else set())
    for f in (geom.basemap or {}).get("features", []):
        scene.add(*shapes(f["geometry"], fill=LAND_FOCUS if f["properties"]["iso2"] in focus else LAND,
                          stroke=WHITE, width=0.9 * u, layer="land"))
    for a in data["areas"]:
        if a["kind"] == "corridor":
            # Hatching reads as hatching in a wide shape; in a band a few steps wide it turns into
            # the rungs of a ladder, so a narrow corridor is a plain tint with its dashed edge.
            polys = _world_polys(a["geometry"])
            wide = polys and max(2 * p.area / p.length for p in polys) * scale > 40 * u
            scene.add(*shapes(a["geometry"], fill=CORRIDOR_FILL, stroke=CORRIDOR_EDGE, width=1.2 * u,
                              dash=(5 * u, 3.5 * u), hatch=CORRIDOR_EDGE if wide else None))
        else:
            # A border band is a few pixels wide at this scale: a wide translucent halo carries it.
            scene.add(*shapes(a["geometry"], stroke=REGION_HALO, width=2 * style.region_half))
            scene.add(*shapes(a["geometry"], fill=REGION_FILL, stroke=REGION_EDGE, width=1.8 * u))
    for g in data["legs"]:
        pts = tuple(px(la, lo) for la, lo in g["coords"])
        scene.add(Line(pts, WHITE, 2 * style.leg_half), Line(pts, BLUE, 2.3 * u,
                                                             None if g["status"] == "completed" else (8 * u, 6 * u)))
    o = data["origin"]
    if o:
        x, y = px(o["lat"], o["lon"])
        scene.add(Marker(x, y, style.origin - 2 * u, RED, WHITE, 1.8 * u, square=True))
    for st in data["stops"]:
        x, y = px(st["lat"], st["lon"])
        x -= st["stack"] * 20 * u
        done = st["status"] == "completed"
        scene.add(Marker(x, y, style.pin - 1.2 * u, BLUE if done else WHITE, BLUE, 2.4 * u),
                  Label(x, y, str(st["n"]), 12.5 * u, WHITE if done else BLUE, bold=True, align="middle",
                        layer="markers"))
    # Labels and arrowheads where the placer put them.
    for i, k in sorted(got.items(), key=lambda ik: placer.order.index(ik[0])):
        it = problem.items[i]
        c = it.cands[k]
        x0, y0, x1, y1 = (float(v) for v in boxes[placer.ranges[i][0] + k])
        x0, x1, y0, y1 = x0 + ox, x1 + ox, y0 + oy, y1 + oy
        scene.placed.append({"kind": it.kind, "text": " ".join(it.texts[c.variant]) if it.kind != "arrow" else "",
                             "box": (x0, y0, x1, y1)})
        if it.kind == "arrow":
            scene.add(_arrow(((x0 + x1) / 2, (y0 + y1) / 2), c.angle, style.arrow))
            continue
        ax, ay = px(*problem.anchors[c.anchor])
        if c.leader:
            sx, sy = ax + c.ox, ay + c.oy
            ex, ey = min(max(sx, x0), x1), min(max(sy, y0), y1)
            d = math.hypot(ex - sx, ey - sy) or 1.0
            scene.add(Line(((sx + (ex - sx) * c.r / d, sy + (ey - sy) * c.r / d), (ex, ey)), "#444444", 0.8 * u,
                           layer="leaders"))
        align = "end" if x1 <= ax + c.ox + 0.5 else "start" if x0 >= ax + c.ox - 0.5 else "middle"
        tx = {"start": x0, "middle": (x0 + x1) / 2, "end": x1}[align]
        lines = it.texts[c.variant]
        kinds = _text_styles(it.kind, style, len(lines))
        if it.kind == "leg":
            scene.add(Shape((((x0, y0), (x1, y0), (x1, y1), (x0, y1)),), fill=(WHITE, 0.85), layer="labels"))
        y = y0
        for text, (ts, color, italic) in zip(lines, kinds):
            lh = ts.line_height
            pad = ts.pad if align == "start" else -ts.pad if align == "end" else 0.0
            scene.add(Label(tx + pad, y + lh / 2, text.upper() if ts.upper else text, ts.size, color, bold=ts.bold,
                            align=align, halo=it.kind != "leg", italic=italic, spacing=ts.spacing))
            y += lh
    # Panels over the map's edges: header, legend, footer.
    scene.add(Shape((((0, 0), (fmt.width, 0), (fmt.width, header), (0, header)),), fill=WHITE, layer="title"))
    y = margin + t_size * 0.9
    for line in title_lines:
        scene.add(Label(margin, y, line, t_size, bold=True, valign="baseline", layer="title"))
        y += t_size * 1.22
    if subtitle:
        scene.add(Label(margin, y + s_size * 0.15, fit_text(subtitle, s_size, False, fmt.width - 2 * margin),
                        s_size, GREY, valign="baseline", layer="title"))
    scene.add(Line(((0, header - 0.5), (fmt.width, header - 0.5)), "#dddddd", 1.0, layer="title"))
    _legend(scene, rows, layout_rows, fmt, u, l_size, key_w, gap_x, row_h, margin, my1, mx1)
    fy = height - footer
    scene.add(Shape((((0, fy), (fmt.width, fy), (fmt.width, height), (0, height)),), fill=WHITE, layer="credits"),
              Line(((0, fy + 0.5), (fmt.width, fy + 0.5)), "#dddddd", 1.0, layer="credits"),
              Label(margin, fy + footer / 2, fit_text(_source_line(tour, settings, lab, lang), c_size, False,
                                                      fmt.width - 2 * margin), c_size, GREY, layer="credits"))
    return scene


def _text_styles(kind: str, st: Style, n: int) -> list[tuple[TextStyle, str, bool]]:
    if kind == "stop":
        return [(st.stop, INK, False), (st.date, BLUE, False)][:n]
    if kind == "origin":
        return [(st.stop, INK, False)] * n
    if kind == "leg":
        return [(st.leg, BLUE, False)] * n
    if kind == "country":
        return [(st.country, COUNTRY_TEXT, False)] * n
    if kind == "region":
        return [(st.region, REGION_TEXT, False)] * n
    if kind == "corridor":
        return [(st.corridor, CORRIDOR_TEXT, True)] * n
    return [(st.end, CORRIDOR_TEXT, True)] * n


def _arrow(at: XY, angle: float, half: float) -> Shape:
    """An arrowhead centred on `at`, pointing `angle` degrees clockwise from north on screen."""
    a = math.radians(angle)
    ux, uy = math.sin(a), -math.cos(a)  # forward
    vx, vy = -uy, ux  # to the right
    cx, cy = at
    tip = (cx + ux * half, cy + uy * half)
    back = (cx - ux * half * 0.45, cy - uy * half * 0.45)
    left = (cx - ux * half - vx * half * 0.85, cy - uy * half - vy * half * 0.85)
    right = (cx - ux * half + vx * half * 0.85, cy - uy * half + vy * half * 0.85)
    return Shape(((tip, right, back, left),), fill=BLUE, stroke=WHITE, width=half * 0.17, layer="routes")


def _legend(scene: Scene, rows, layout_rows, fmt: Format, u: float, size: float, key_w: float, gap_x: float,
            row_h: float, margin: float, map_bottom: float, map_right: float) -> None:
    """The same key as the web page: a column right of the map, or rows under it."""
    if not rows:
        return
    if fmt.side:
        left, top = map_right, scene.clip[1]
        scene.add(Shape((((left, top), (fmt.width, top), (fmt.width, map_bottom), (left, map_bottom)),), fill=WHITE,
                        layer="legend"),
                  Line(((left + 0.5, top), (left + 0.5, map_bottom)), "#dddddd", 1.0, layer="legend"))
        spots = [(left + margin, top + margin + row_h * (n + 0.5)) for n in range(len(rows))]
    else:
        top = map_bottom
        scene.add(Shape((((0, top), (fmt.width, top), (fmt.width, top + len(layout_rows) * row_h + 6 * u),
                          (0, top + len(layout_rows) * row_h + 6 * u)),), fill=WHITE, layer="legend"))
        spots = [None] * len(rows)
        for r, idx in enumerate(layout_rows):
            x = margin
            for i in idx:
                spots[i] = (x, top + 3 * u + row_h * (r + 0.5))
                x += key_w + 6 * u + text_width(rows[i][1], size) + gap_x
    for (kind, text), (x, y) in zip(rows, spots):
        kx = x + key_w / 2
        box = (((kx - 11 * u, y - 6 * u), (kx + 11 * u, y - 6 * u), (kx + 11 * u, y + 6 * u), (kx - 11 * u, y + 6 * u)),)
        if kind == "stop_done":
            scene.add(Marker(kx, y, 6 * u, BLUE, BLUE, 1.5 * u, layer="legend"))
        elif kind == "stop_plan":
            scene.add(Marker(kx, y, 5.5 * u, WHITE, BLUE, 2.4 * u, layer="legend"))
        elif kind == "origin":
            scene.add(Marker(kx, y, 5 * u, RED, RED, 0, square=True, layer="legend"))
        elif kind == "leg_done":
            scene.add(Line(((kx - 12 * u, y), (kx + 12 * u, y)), BLUE, 2.3 * u, layer="legend"))
        elif kind == "leg_plan":
            scene.add(Line(((kx - 12 * u, y), (kx + 12 * u, y)), BLUE, 2.3 * u, (5 * u, 4 * u), layer="legend"))
        elif kind == "corridor":
            scene.add(Shape(box, fill=CORRIDOR_FILL, stroke=CORRIDOR_EDGE, width=1.2 * u, dash=(4 * u, 3 * u),
                            hatch=CORRIDOR_EDGE, layer="legend"))
        else:
            scene.add(Shape(box, fill=REGION_FILL, stroke=REGION_EDGE, width=1.6 * u, layer="legend"))
        scene.add(Label(x + key_w + 6 * u, y, text, size, layer="legend"))


# --- writers ----------------------------------------------------------------------------------

def _n(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".") if math.isfinite(v) else "0"


def _paint(attr: str, color: Color | None) -> str:
    if color is None:
        return f' {attr}="none"'
    if isinstance(color, tuple):
        return f' {attr}="{color[0]}" {attr}-opacity="{_n(color[1] * 100)}%"' if color[1] < 1 else f' {attr}="{color[0]}"'
    return f' {attr}="{color}"'


def _baseline(lb: Label) -> float:
    """Where the baseline goes for a label centred on y: half the cap height below it."""
    return lb.y if lb.valign == "baseline" else lb.y + 0.36 * lb.size


CLIPPED = ("sea", "land", "areas", "routes")


def to_svg(scene: Scene) -> str:
    """The scene as SVG, one group per layer, named for editing (id, and Inkscape's layer label)."""
    esc = html.escape
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
           f'width="{scene.width}" height="{scene.height}" viewBox="0 0 {scene.width} {scene.height}" role="img" '
           f'aria-label="{esc(scene.title)}">',
           f"<title>{esc(scene.title)}</title>",
           '<defs><pattern id="hatch" patternUnits="userSpaceOnUse" width="6" height="6" '
           f'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="{CORRIDOR_EDGE}" '
           'stroke-width="1" stroke-opacity="0.6"/></pattern>']
    if scene.clip:
        x0, y0, x1, y1 = scene.clip
        out.append(f'<clipPath id="map-area"><rect x="{_n(x0)}" y="{_n(y0)}" width="{_n(x1 - x0)}" '
                   f'height="{_n(y1 - y0)}"/></clipPath>')
    out.append("</defs>")
    by_layer: dict[str, list[str]] = {name: [] for name in LAYERS}
    for it in scene.items:
        by_layer.setdefault(it.layer, []).append(_svg_item(it))
    for name, parts in by_layer.items():
        if not parts:
            continue
        clip = ' clip-path="url(#map-area)"' if name in CLIPPED and scene.clip else ""
        out.append(f'<g id="{name}" inkscape:groupmode="layer" inkscape:label="{name}"{clip}>')
        out.extend(parts)
        out.append("</g>")
    out.append("</svg>\n")
    return "\n".join(out)


def _svg_item(it) -> str:
    esc = html.escape
    if isinstance(it, Shape):
        d = " ".join("M" + " L".join(f"{_n(x)},{_n(y)}" for x, y in ring) + " Z" for ring in it.rings if ring)
        style = _paint("fill", it.fill) + _paint("stroke", it.stroke if it.width else None)
        if it.width:
            style += f' stroke-width="{_n(it.width)}" stroke-linejoin="round"'
        if it.dash:
            style += f' stroke-dasharray="{_n(it.dash[0])} {_n(it.dash[1])}"'
        out = f'<path d="{d}" fill-rule="evenodd"{style}/>'
        if it.hatch:
            out += f'\n<path d="{d}" fill-rule="evenodd" fill="url(#hatch)"/>'
        return out
    if isinstance(it, Line):
        pts = " ".join(f"{_n(x)},{_n(y)}" for x, y in it.points)
        dash = f' stroke-dasharray="{_n(it.dash[0])} {_n(it.dash[1])}"' if it.dash else ""
        return (f'<polyline points="{pts}" fill="none"{_paint("stroke", it.stroke)} '
                f'stroke-width="{_n(it.width)}" stroke-linecap="round" stroke-linejoin="round"{dash}/>')
    if isinstance(it, Marker):
        paint = _paint("fill", it.fill) + (_paint("stroke", it.stroke) + f' stroke-width="{_n(it.width)}"'
                                           if it.width else "")
        if it.square:
            return (f'<rect x="{_n(it.x - it.r)}" y="{_n(it.y - it.r)}" width="{_n(2 * it.r)}" '
                    f'height="{_n(2 * it.r)}"{paint}/>')
        return f'<circle cx="{_n(it.x)}" cy="{_n(it.y)}" r="{_n(it.r)}"{paint}/>'
    halo = ' stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"' if it.halo else ""
    weight = ' font-weight="bold"' if it.bold else ""
    italic = ' font-style="italic"' if it.italic else ""
    spacing = f' letter-spacing="{_n(it.spacing)}"' if it.spacing else ""
    return (f'<text x="{_n(it.x)}" y="{_n(_baseline(it))}" font-family="{FONT_FAMILY}" '
            f'font-size="{_n(it.size)}"{weight}{italic}{spacing} fill="{it.color}" text-anchor="{it.align}"{halo}>'
            f"{esc(it.text)}</text>")


def _rgba(color: Color) -> tuple[int, int, int, int]:
    hexa, alpha = color if isinstance(color, tuple) else (color, 1.0)
    return (int(hexa[1:3], 16), int(hexa[3:5], 16), int(hexa[5:7], 16), round(255 * alpha))


def _dashes(points: list[XY], on: float, off: float) -> list[list[XY]]:
    """A polyline cut into its dashes (Pillow draws no dashed lines)."""
    out: list[list[XY]] = []
    cur: list[XY] = [points[0]]
    drawing, left = True, on
    for (ax, ay), (bx, by) in zip(points, points[1:]):
        seg = math.hypot(bx - ax, by - ay)
        pos = 0.0
        while seg - pos > left:
            pos += left
            t = pos / seg
            p = (ax + (bx - ax) * t, ay + (by - ay) * t)
            if drawing:
                out.append(cur + [p])
            cur = [p]
            drawing = not drawing
            left = on if drawing else off
        left -= seg - pos
        if drawing:
            cur.append((bx, by))
    if drawing and len(cur) > 1:
        out.append(cur)
    return out


def to_png(scene: Scene) -> bytes:
    from PIL import Image, ImageChops, ImageDraw

    k = scene.px * SS  # drawn larger and scaled down: smooth edges
    W, H = round(scene.width * k), round(scene.height * k)
    # The sea is the canvas itself (the white panels are drawn over it): one fill less.
    img = Image.new("RGB", (W, H), OCEAN if scene.clip else WHITE)
    draw = ImageDraw.Draw(img, "RGBA")

    def scaled(points: Iterable[XY]) -> list[XY]:
        return [(x * k, y * k) for x, y in points]

    def stroke(points: list[XY], color: Color, width: float, dash=None, closed=False) -> None:
        if closed:
            points = points + points[:1]
        runs = _dashes(points, dash[0] * k, dash[1] * k) if dash else [points]
        w = max(1, round(width * k))
        for run in runs:
            draw.line(run, fill=_rgba(color), width=w, joint="curve")
            if w > 3:  # round caps
                for x, y in (run[0], run[-1]):
                    draw.ellipse((x - w / 2 + 0.5, y - w / 2 + 0.5, x + w / 2 - 0.5, y + w / 2 - 0.5),
                                 fill=_rgba(color))

    def fill(rings: list[list[XY]], color: Color, hatch: str | None) -> None:
        xs = [x for r in rings for x, _ in r]
        ys = [y for r in rings for _, y in r]
        x0, y0 = max(int(min(xs)) - 1, 0), max(int(min(ys)) - 1, 0)
        x1, y1 = min(int(max(xs)) + 2, W), min(int(max(ys)) + 2, H)
        if x1 <= x0 or y1 <= y0:
            return
        size = (x1 - x0, y1 - y0)
        mask = Image.new("1", size, 0)
        for ring in rings:  # even-odd: each ring flips what it covers, so holes stay open
            layer = Image.new("1", size, 0)
            ImageDraw.Draw(layer).polygon([(x - x0, y - y0) for x, y in ring], fill=1)
            mask = ImageChops.logical_xor(mask, layer)
        mask = mask.convert("L")
        r, g, b, a = _rgba(color)
        img.paste((r, g, b), (x0, y0, x1, y1), mask.point(lambda v: v * a // 255))
        if hatch:
            # Thin diagonals on a grid fixed to the image (neighbouring shapes line up), drawn
            # only where the shape is wider than two of their steps: in a narrow band they read
            # as the rungs of a ladder.
            step = 6 * k * math.sqrt(2) * (scene.px if scene.px < 1 else 1)
            if min(size) < 2.5 * step:
                return
            lines = Image.new("L", mask.size, 0)
            ld = ImageDraw.Draw(lines)
            n = int((mask.size[0] + mask.size[1]) / step) + 2
            for i in range(n):
                c = (math.floor((x0 + y0) / step) + i) * step - (x0 + y0)
                ld.line([(c, 0), (c - mask.size[1], mask.size[1])], fill=150, width=max(1, round(0.9 * k)))
            hr, hg, hb, _ = _rgba(hatch)
            img.paste((hr, hg, hb), (x0, y0, x1, y1), ImageChops.multiply(lines, mask))

    for it in scene.items:
        if it.layer in ("background", "sea") and scene.clip:
            continue
        if isinstance(it, Shape):
            rings = [scaled(r) for r in it.rings if len(r) > 2]
            if not rings:
                continue
            if it.fill is not None and (len(rings) > 1 or it.hatch):
                fill(rings, it.fill, it.hatch)
            elif it.fill is not None:  # one ring: Pillow fills it directly, blending any opacity
                draw.polygon(rings[0], fill=_rgba(it.fill))
            if it.stroke is not None and it.width:
                for ring in rings:
                    stroke(ring, it.stroke, it.width, it.dash, closed=True)
        elif isinstance(it, Line):
            stroke(scaled(it.points), it.stroke, it.width, it.dash)
        elif isinstance(it, Marker):
            x, y, r = it.x * k, it.y * k, it.r * k
            box = (x - r, y - r, x + r, y + r)
            w = round(it.width * k)
            if it.square:
                draw.rectangle(box, fill=_rgba(it.fill), outline=_rgba(it.stroke) if w else None, width=w)
            else:
                draw.ellipse(box, fill=_rgba(it.fill), outline=_rgba(it.stroke) if w else None, width=w)
        else:
            _text(draw, it, k)
    small = img.reduce(SS)
    buf = io.BytesIO()
    extra = {"dpi": (scene.dpi, scene.dpi)} if scene.dpi else {}
    small.save(buf, format="PNG", optimize=False, compress_level=3, **extra)
    return buf.getvalue()


def _text(draw, it: Label, k: float) -> None:
    f = font(it.size * k, it.bold)
    halo = {"stroke_width": max(1, round(1.6 * k)), "stroke_fill": _rgba(WHITE)} if it.halo else {}
    y = _baseline(it) * k
    if not it.spacing:
        anchor = {"start": "l", "middle": "m", "end": "r"}[it.align] + "s"
        draw.text((it.x * k, y), it.text, font=f, fill=_rgba(it.color), anchor=anchor, **halo)
        return
    # Letter-spaced text (country names): Pillow has no letter spacing, so one character at a time.
    total = text_width(it.text, it.size, it.bold, it.spacing) * k
    x = it.x * k - {"start": 0, "middle": total / 2, "end": total}[it.align]
    for ch in it.text:
        draw.text((x, y), ch, font=f, fill=_rgba(it.color), anchor="ls", **halo)
        x += (text_width(ch, it.size, it.bold) + it.spacing) * k


def render_static(tour: Tour, geom: TourGeometry, *, settings: Settings) -> dict[str, bytes | str]:
    """map.png / map.svg (print column), map-social.png / .svg (1200x630), map-square.png / .svg (1080x1080)."""
    data = map_data(tour, geom)
    out: dict[str, bytes | str] = {}
    for fmt in FORMATS:
        scene = layout(tour, geom, fmt, settings, data=data)
        out[f"{fmt.name}.png"] = to_png(scene)
        out[f"{fmt.name}.svg"] = to_svg(scene)
    return out
