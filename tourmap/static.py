"""Static images of the map (map.png, map.svg): the site's thumbnail and a picture for print.

One scene, two writers. `layout` places every shape, line, marker and label in pixels once (a
Mercator view fitted to the tour, the same key as the web page); `to_svg` writes that scene as
text and `to_png` rasterises it with Pillow, at twice the size then halved, because Pillow draws
without anti-aliasing. A plotting library did this before at three times the cost of the whole
extraction; the images only ever need these few primitives.

Output is deterministic (fixed number formatting, no dates or software names in metadata).
Article text reaches the SVG only HTML-escaped and inside <text>; the PNG draws it with the
vendored DejaVu Sans (tourmap/vendor/fonts), which has the accents of place names.
"""
from __future__ import annotations

import html
import io
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from .config import Settings
from .geometry import located, merc_y, route_points
from .models import Tour, TourGeometry
from .wording import LABELS, lang_of, titles

FONTS = Path(__file__).parent / "vendor" / "fonts"
FONT_FAMILY = "DejaVu Sans, Verdana, Arial, sans-serif"
WIDTH, HEADER = 960, 108  # pixels; the header holds title and subtitle above the map
MAP_MIN, MAP_MAX = 540, 1080
SS = 2  # supersampling factor of the PNG

BLUE, RED, WHITE, INK, GREY = "#1f4e79", "#c0392b", "#ffffff", "#000000", "#555555"
OCEAN, LAND, LAND_FOCUS = "#d7e5ee", "#f7f5f0", "#efe9dc"
CORRIDOR_FILL, CORRIDOR_EDGE = ("#fdebd4", 0.9), "#b35806"
REGION_FILL, REGION_EDGE, REGION_HALO, REGION_TEXT = ("#c2405e", 0.7), "#9e2a4b", ("#d6336b", 0.4), "#7b1f3a"

Color = str | tuple[str, float]  # "#rrggbb" or ("#rrggbb", opacity)
XY = tuple[float, float]


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


@dataclass(frozen=True)
class Line:
    points: tuple[XY, ...]
    stroke: Color
    width: float
    dash: tuple[float, float] | None = None


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    r: float
    fill: Color
    stroke: Color
    width: float
    square: bool = False


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


@dataclass
class Scene:
    width: int
    height: int
    title: str
    items: list[Shape | Line | Marker | Label] = field(default_factory=list)

    def add(self, *items: Shape | Line | Marker | Label) -> None:
        self.items.extend(items)


@lru_cache(maxsize=64)
def font(size: float, bold: bool = False):
    from PIL import ImageFont

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONTS / name), size=max(1, round(size)))


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Measured at 4x and scaled: whole-pixel font sizes would round small labels unevenly."""
    return font(size * 4, bold).getlength(text) / 4


def fit_text(text: str, size: float, bold: bool, room: float) -> str:
    """`text`, cut with an ellipsis so it fits in `room` pixels."""
    if text_width(text, size, bold) <= room:
        return text
    while text and text_width(text + "…", size, bold) > room:
        text = text[:-1]
    return text.rstrip() + "…"


# --- layout -----------------------------------------------------------------------------------

def _polygons(geometry: dict[str, Any]) -> Iterable[list]:
    return geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]


def layout(tour: Tour, geom: TourGeometry) -> Scene:
    """Everything the images show, in pixels."""
    lab = LABELS[lang_of(tour)]
    title, subtitle = titles(tour)
    if geom.bounds:
        (s, w), (n, e) = geom.bounds
    else:
        (s, w), (n, e) = (-60.0, -180.0), (80.0, 180.0)
    pad_x, pad_y = max(2.0, 0.12 * (e - w)), max(2.0, 0.08 * (n - s))
    x0, x1 = w - pad_x, e + pad_x + 0.1 * (e - w)  # room for the labels right of the pins
    y0, y1 = merc_y(s - pad_y), merc_y(n + pad_y)
    # A tall tour is drawn wider rather than as a strip: at most 1.1 times as tall as wide.
    if (y1 - y0) > 1.1 * (x1 - x0):
        grow = ((y1 - y0) / 1.1 - (x1 - x0)) / 2
        x0, x1 = x0 - grow, x1 + grow
    map_h = round(min(max(WIDTH * (y1 - y0) / (x1 - x0), MAP_MIN), MAP_MAX))
    if map_h > WIDTH * (y1 - y0) / (x1 - x0):  # a wide, flat tour: show more sky and sea, not a squashed map
        grow = (map_h / WIDTH * (x1 - x0) - (y1 - y0)) / 2
        y0, y1 = y0 - grow, y1 + grow
    scale = WIDTH / (x1 - x0)

    def px(lat: float, lon: float) -> XY:
        return ((lon - x0) * scale, HEADER + (y1 - merc_y(lat)) * scale)

    scene = Scene(WIDTH, HEADER + map_h, title)
    scene.add(Shape((((0, HEADER), (WIDTH, HEADER), (WIDTH, HEADER + map_h), (0, HEADER + map_h)),), fill=OCEAN))

    def shape(geometry: dict[str, Any], **style) -> list[Shape]:
        return [Shape(tuple(tuple(px(la, lo) for lo, la in ring) for ring in poly), **style)
                for poly in _polygons(geometry)]

    focus = {st.country for st in tour.stops if st.country} | ({tour.origin.country} if tour.origin else set())
    for f in (geom.basemap or {}).get("features", []):
        scene.add(*shape(f["geometry"], fill=LAND_FOCUS if f["properties"]["iso2"] in focus else LAND,
                         stroke=WHITE, width=1.3))
    for c in geom.corridors:
        if c.geometry:
            scene.add(*shape(c.geometry, fill=CORRIDOR_FILL, stroke=CORRIDOR_EDGE, width=1.5, dash=(6, 4.5),
                             hatch=CORRIDOR_EDGE))
    for r in geom.regions:
        if r.geometry:
            # A border band is a few pixels wide at this scale: a wide translucent halo carries it.
            scene.add(*shape(r.geometry, stroke=REGION_HALO, width=11.7))
            scene.add(*shape(r.geometry, fill=REGION_FILL, stroke=REGION_EDGE, width=2.3))
    for leg in geom.legs:
        pts = tuple(px(la, lo) for la, lo in leg.coords)
        scene.add(Line(pts, WHITE, 6.7), Line(pts, BLUE, 3.0, None if leg.status == "completed" else (12, 9)))
        scene.add(_arrow(pts))
    for r in geom.regions:
        if r.geometry and r.anchor and located(r.anchor.lat, r.anchor.lon):
            x, y = px(r.anchor.lat, r.anchor.lon)
            scene.add(Label(x - 20, y, r.name, 13, REGION_TEXT, bold=True, align="end", halo=True))
    pts = route_points(tour)
    if tour.origin and located(*pts[0]):
        x, y = px(*pts[0])
        scene.add(Marker(x, y, 6.5, RED, WHITE, 1.5, square=True),
                  Label(x - 13, y, tour.origin.name, 15, bold=True, align="end", halo=True))
    offset = 1 if tour.origin else 0
    for i, stop in enumerate(tour.stops):
        lat, lon = pts[i + offset]
        if not located(lat, lon):
            continue
        x, y = px(lat, lon)
        done = stop.status == "completed"
        scene.add(Marker(x, y, 12.6, BLUE if done else WHITE, BLUE, 3.3),
                  Label(x, y, str(i + 1), 14, WHITE if done else BLUE, bold=True, align="middle"),
                  Label(x + 17, y, stop.name, 15, bold=True, halo=True))
    _legend(scene, tour, geom, lab)
    # The header is drawn last, over any land that reaches above the map.
    room = WIDTH - 2 * 19
    scene.add(Shape((((0, 0), (WIDTH, 0), (WIDTH, HEADER), (0, HEADER)),), fill=WHITE),
              Label(19, 46, fit_text(title, 20, True, room), 20, bold=True, valign="baseline"))
    if subtitle:
        scene.add(Label(19, 78, fit_text(subtitle, 15, False, room), 15, GREY, valign="baseline"))
    scene.add(Label(WIDTH - 10, scene.height - 12, f"{lab['data']}: Natural Earth · GeoNames", 11, GREY,
                    align="end", valign="baseline", halo=True))
    return scene


def _arrow(pts: tuple[XY, ...]) -> Shape:
    """A small arrowhead halfway along a leg, pointing the way of travel."""
    m = len(pts) // 2
    (ax, ay), (bx, by) = pts[max(m - 1, 0)], pts[min(m + 1, len(pts) - 1)]
    ang = math.atan2(by - ay, bx - ax)
    cx, cy = pts[m]
    tip = (cx + 9 * math.cos(ang), cy + 9 * math.sin(ang))
    left = (cx - 6 * math.cos(ang) + 6 * math.sin(ang), cy - 6 * math.sin(ang) - 6 * math.cos(ang))
    right = (cx - 6 * math.cos(ang) - 6 * math.sin(ang), cy - 6 * math.sin(ang) + 6 * math.cos(ang))
    return Shape(((tip, left, right),), fill=BLUE)


def _legend(scene: Scene, tour: Tour, geom: TourGeometry, lab: dict[str, str]) -> None:
    """The same key as the web page, in the lower left corner."""
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
    if not rows:
        return
    size, step, key_w = 12.5, 20, 28
    box_w = 10 + key_w + 8 + max(text_width(t, size) for _k, t in rows) + 10
    box_h = 8 + step * len(rows) + 4
    left, top = 8, scene.height - 8 - box_h
    scene.add(Shape((((left, top), (left + box_w, top), (left + box_w, top + box_h), (left, top + box_h)),),
                    fill=(WHITE, 0.92), stroke="#cccccc", width=1.0))
    for i, (kind, text) in enumerate(rows):
        y = top + 8 + step * i + step / 2
        kx = left + 10 + key_w / 2
        box = (((kx - 12, y - 6), (kx + 12, y - 6), (kx + 12, y + 6), (kx - 12, y + 6)),)
        if kind == "stop_done":
            scene.add(Marker(kx, y, 7, BLUE, BLUE, 1.5))
        elif kind == "stop_plan":
            scene.add(Marker(kx, y, 6.5, WHITE, BLUE, 3))
        elif kind == "origin":
            scene.add(Marker(kx, y, 5.5, RED, RED, 0, square=True))
        elif kind == "leg_done":
            scene.add(Line(((kx - 13, y), (kx + 13, y)), BLUE, 3))
        elif kind == "leg_plan":
            scene.add(Line(((kx - 13, y), (kx + 13, y)), BLUE, 3, (7, 5)))
        elif kind == "corridor":
            scene.add(Shape(box, fill=CORRIDOR_FILL, stroke=CORRIDOR_EDGE, width=1.5, dash=(4, 3), hatch=CORRIDOR_EDGE))
        else:
            scene.add(Shape(box, fill=REGION_FILL, stroke=REGION_EDGE, width=2))
        scene.add(Label(left + 10 + key_w + 8, y, text, size))


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


def to_svg(scene: Scene) -> str:
    esc = html.escape
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{scene.width}" height="{scene.height}" '
           f'viewBox="0 0 {scene.width} {scene.height}" role="img" aria-label="{esc(scene.title)}">',
           f"<title>{esc(scene.title)}</title>",
           '<defs><pattern id="hatch" patternUnits="userSpaceOnUse" width="8" height="8" '
           'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="8" stroke="{}" stroke-width="1"/>'
           "</pattern></defs>".format(CORRIDOR_EDGE),
           f'<rect width="{scene.width}" height="{scene.height}" fill="{WHITE}"/>']
    for it in scene.items:
        if isinstance(it, Shape):
            d = " ".join("M" + " L".join(f"{_n(x)},{_n(y)}" for x, y in ring) + " Z" for ring in it.rings if ring)
            style = _paint("fill", it.fill) + _paint("stroke", it.stroke if it.width else None)
            if it.width:
                style += f' stroke-width="{_n(it.width)}" stroke-linejoin="round"'
            if it.dash:
                style += f' stroke-dasharray="{_n(it.dash[0])} {_n(it.dash[1])}"'
            out.append(f'<path d="{d}" fill-rule="evenodd"{style}/>')
            if it.hatch:
                out.append(f'<path d="{d}" fill-rule="evenodd" fill="url(#hatch)"/>')
        elif isinstance(it, Line):
            pts = " ".join(f"{_n(x)},{_n(y)}" for x, y in it.points)
            dash = f' stroke-dasharray="{_n(it.dash[0])} {_n(it.dash[1])}"' if it.dash else ""
            out.append(f'<polyline points="{pts}" fill="none"{_paint("stroke", it.stroke)} '
                       f'stroke-width="{_n(it.width)}" stroke-linecap="round" stroke-linejoin="round"{dash}/>')
        elif isinstance(it, Marker):
            paint = _paint("fill", it.fill) + (_paint("stroke", it.stroke) + f' stroke-width="{_n(it.width)}"'
                                               if it.width else "")
            if it.square:
                out.append(f'<rect x="{_n(it.x - it.r)}" y="{_n(it.y - it.r)}" width="{_n(2 * it.r)}" '
                           f'height="{_n(2 * it.r)}"{paint}/>')
            else:
                out.append(f'<circle cx="{_n(it.x)}" cy="{_n(it.y)}" r="{_n(it.r)}"{paint}/>')
        else:
            halo = ' stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"' if it.halo else ""
            weight = ' font-weight="bold"' if it.bold else ""
            out.append(f'<text x="{_n(it.x)}" y="{_n(_baseline(it))}" font-family="{FONT_FAMILY}" '
                       f'font-size="{_n(it.size)}"{weight} fill="{it.color}" text-anchor="{it.align}"{halo}>'
                       f"{esc(it.text)}</text>")
    out.append("</svg>\n")
    return "\n".join(out)


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

    W, H = scene.width * SS, scene.height * SS
    img = Image.new("RGBA", (W, H), WHITE)
    draw = ImageDraw.Draw(img, "RGBA")

    def scaled(points: Iterable[XY]) -> list[XY]:
        return [(x * SS, y * SS) for x, y in points]

    def stroke(points: list[XY], color: Color, width: float, dash=None, closed=False) -> None:
        if closed:
            points = points + points[:1]
        runs = _dashes(points, dash[0] * SS, dash[1] * SS) if dash else [points]
        w = max(1, round(width * SS))
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
        tile = Image.new("RGBA", mask.size, (r, g, b, 255))
        img.paste(tile, (x0, y0), mask.point(lambda v: v * a // 255))
        if hatch:
            lines = Image.new("L", mask.size, 0)
            ld = ImageDraw.Draw(lines)
            step = 8 * SS * math.sqrt(2)
            n = int((mask.size[0] + mask.size[1]) / step) + 2
            for i in range(n):
                # Diagonals on a grid fixed to the image, so neighbouring shapes line up.
                c = (math.floor((x0 + y0) / step) + i) * step - (x0 + y0)
                ld.line([(c, 0), (c - mask.size[1], mask.size[1])], fill=255, width=SS)
            hr, hg, hb, _ = _rgba(hatch)
            img.paste(Image.new("RGBA", mask.size, (hr, hg, hb, 255)), (x0, y0),
                      ImageChops.multiply(lines, mask))

    for it in scene.items:
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
            x, y, r = it.x * SS, it.y * SS, it.r * SS
            box = (x - r, y - r, x + r, y + r)
            w = round(it.width * SS)
            if it.square:
                draw.rectangle(box, fill=_rgba(it.fill), outline=_rgba(it.stroke) if w else None, width=w)
            else:
                draw.ellipse(box, fill=_rgba(it.fill), outline=_rgba(it.stroke) if w else None, width=w)
        else:
            f = font(it.size * SS, it.bold)
            anchor = {"start": "l", "middle": "m", "end": "r"}[it.align] + "s"
            draw.text((it.x * SS, _baseline(it) * SS), it.text, font=f, fill=_rgba(it.color), anchor=anchor,
                      stroke_width=3 if it.halo else 0, stroke_fill=_rgba(WHITE))
    small = img.reduce(SS).convert("RGB")
    buf = io.BytesIO()
    small.save(buf, format="PNG", optimize=False, compress_level=6)
    return buf.getvalue()


def render_static(tour: Tour, geom: TourGeometry, *, settings: Settings) -> dict[str, bytes | str]:
    scene = layout(tour, geom)
    return {"map.png": to_png(scene), "map.svg": to_svg(scene)}
