"""Label placement: one collision-aware placer for the web page and the static images.

Every piece of text on the map (stop names with their dates, leg distances, country names, the
border region, the corridor and its two ends) and every arrowhead is an `Item` with candidate
positions around its anchor, in order of preference. `place` puts them down greedily in priority
order (arrowheads, stops, origin, regions, corridor, corridor ends, legs, countries): a candidate
is taken only when its box hits no marker, arrowhead or label already placed and none of the
features the item's kind must keep clear of (country names keep off routes; a leg's distance keeps
off its own line; arrowheads keep off every other feature); among those that pass, the cheapest
wins, where crossing a line or an area costs extra. A stop name that fits nowhere beside its pin
moves out on a leader line; what fits nowhere at all is dropped, least important first.

Geometry is in "world units": x = display longitude, y = minus the Mercator northing in the same
degree-like units (`geometry.merc_y`), so one world unit is `scale` pixels at any zoom and the web
page's Web Mercator pixels are world units times 256 * 2**zoom / 360. Box sizes and offsets are in
pixels, fixed at every zoom. The page gets the placement for every zoom step it allows
(`place_levels`); an image gets one level at its own scale.

Text is measured with the vendored DejaVu Sans (the images draw with it and the page's labels ask
for it first, then for Verdana, which has the same widths).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon

FONTS = Path(__file__).resolve().parent / "vendor" / "fonts"
HARD = None  # in RULES: the candidate is refused
IGNORE = -1.0  # not in an item's rules: no effect

# What each kind of item must keep clear of (HARD) or pays for touching (a cost); a class missing
# from an item's rules is ignored. "own*" is the item's own feature.
_BASE = {"marker": HARD, "arrow": HARD, "label": HARD, "leader": HARD}
RULES: dict[str, dict[str, float | None]] = {
    "arrow": {**_BASE, "leg": HARD, "region": HARD, "corridor": HARD},
    "stop": {**_BASE, "leg": 3.0, "region": 2.0, "corridor": 0.6},
    "origin": {**_BASE, "leg": 3.0, "region": 2.0, "corridor": 0.6},
    "region": {**_BASE, "leg": 3.0, "region": 2.0, "ownregion": 0.5, "corridor": 0.6},
    "corridor": {**_BASE, "leg": 3.0, "region": HARD, "corridor": 0.6},
    "end": {**_BASE, "leg": 2.0, "region": 1.5},
    "leg": {**_BASE, "leg": 3.0, "ownleg": HARD, "region": HARD, "corridor": 1.0},
    "country": {**_BASE, "leg": HARD, "region": HARD, "corridor": HARD},
}
OWN = {"arrow": "leg", "leg": "leg", "region": "region", "corridor": "corridor", "end": "corridor"}
ORDER = ("arrow", "stop", "origin", "region", "corridor", "end", "leg", "country")
GAP = 2.0  # pixels kept free between two labels, or a label and a marker


# --- text ---------------------------------------------------------------------------------------

@lru_cache(maxsize=64)
def font(size: float, bold: bool = False):
    from PIL import ImageFont

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONTS / name), size=max(1, round(size)))


@lru_cache(maxsize=4096)
def text_width(text: str, size: float, bold: bool = False, spacing: float = 0.0) -> float:
    """Advance width in pixels, measured at 4x (whole-pixel font sizes round small text unevenly);
    `spacing` is CSS letter-spacing in pixels, added after every character as browsers do."""
    try:
        width = font(size * 4, bold).getlength(text)
    except (RuntimeError, ValueError):  # a text the shaping library refuses (stray format characters)
        width = font(size * 4, bold).getlength(clean(text).encode("ascii", "replace").decode())
    return width / 4 + spacing * len(text)


def clean(text: str) -> str:
    """One line of text: line and paragraph separators, control characters and runs of spaces as
    one space (a label is one line; the browser would show them as spaces too)."""
    return " ".join("".join(" " if (ord(c) < 32 or 0x7F <= ord(c) < 0xA0) else c for c in str(text)).split())


@dataclass(frozen=True)
class TextStyle:
    size: float
    bold: bool = False
    line: float = 0.0  # line height in pixels (0: 1.25 x size)
    pad: float = 0.0  # horizontal padding each side
    spacing: float = 0.0
    upper: bool = False

    @property
    def line_height(self) -> float:
        return self.line or round(self.size * 1.25, 1)

    def width(self, text: str) -> float:
        return text_width(text.upper() if self.upper else text, self.size, self.bold, self.spacing) + 2 * self.pad


@dataclass(frozen=True)
class Style:
    """Sizes of one medium (the page, or one image format), in its pixels."""

    stop: TextStyle = TextStyle(12.5, True, 15, 2)
    date: TextStyle = TextStyle(10.5, False, 13, 2)
    leg: TextStyle = TextStyle(10.5, False, 14, 3)
    country: TextStyle = TextStyle(10.5, True, 13, 1, 1.2, True)
    region: TextStyle = TextStyle(11.5, True, 14, 2)
    corridor: TextStyle = TextStyle(11, False, 14, 2)
    end: TextStyle = TextStyle(10, False, 12, 2)
    pin: float = 13.0  # stop marker radius
    origin: float = 9.0  # origin marker half-side (with its white ring)
    arrow: float = 7.0  # arrowhead half-size
    leg_half: float = 3.0  # half the width of a drawn leg with its casing
    region_half: float = 8.0  # half the border band's halo
    unit: float = 1.0  # everything above is multiplied by this

    def scaled(self, k: float) -> "Style":
        def ts(t: TextStyle) -> TextStyle:
            return TextStyle(t.size * k, t.bold, t.line * k, t.pad * k, t.spacing * k, t.upper)

        return Style(ts(self.stop), ts(self.date), ts(self.leg), ts(self.country), ts(self.region),
                     ts(self.corridor), ts(self.end), self.pin * k, self.origin * k, self.arrow * k,
                     self.leg_half * k, self.region_half * k, self.unit * k)


# --- the problem --------------------------------------------------------------------------------

def world(lat: float, lon: float) -> tuple[float, float]:
    """(x, y) in world units: display longitude, minus the Mercator northing (y grows down)."""
    lat = max(min(lat, 85.0), -85.0)
    return (lon, -math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))))


@dataclass
class Cand:
    """One place a label may go: its box is `(dx, dy, w, h)` from the anchor's pixel position."""

    anchor: int  # index into Problem.anchors
    dx: float
    dy: float
    w: float
    h: float
    cost: float
    variant: int = 0  # which text (Item.texts)
    leader: bool = False
    angle: float = 0.0  # arrowheads: direction of travel on screen, degrees clockwise from north
    ox: float = 0.0  # where a leader starts: pixel offset of the marker from the anchor
    oy: float = 0.0
    r: float = 0.0  # radius of the marker a leader starts from


@dataclass
class Item:
    kind: str
    texts: list[list[str]]  # variants, each a list of lines
    cands: list[Cand]
    ref: int = -1  # the leg / region / corridor it belongs to ("own" rules)
    inside: Any = None  # country labels: the polygon (world units) their middle must stay in
    min_len: float = 0.0  # arrowheads: world length of the leg, shown only when long enough on screen
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Problem:
    anchors: list[tuple[float, float]]  # (lat, lon)
    items: list[Item]
    markers: list[tuple[int, float, float, float]]  # (anchor, ox, oy, half size): stop pins, origin
    lines: list[tuple[Any, float, str, int]]  # (LineString in world units, half width px, class, ref)
    areas: list[tuple[Any, float, str, int]]  # (Polygon in world units, halo px, class, ref)
    unit: float = 1.0  # the style's size factor

    def anchor(self, lat: float, lon: float) -> int:
        self.anchors.append((lat, lon))
        return len(self.anchors) - 1


# --- candidates ---------------------------------------------------------------------------------

# Around a point, in order of preference: right, left, upper right, lower right, above, below...
_AROUND = ((1, 0, 0.0), (-1, 0, 0.4), (0.7, -0.7, 0.6), (0.7, 0.7, 0.7), (0, -1, 0.9), (0, 1, 1.0),
           (-0.7, -0.7, 1.1), (-0.7, 0.7, 1.2))


def _attach(px: float, py: float, ux: float, uy: float, w: float, h: float) -> tuple[float, float]:
    """Top-left of a w x h box whose side (or corner, on a diagonal) facing back along (ux, uy)
    touches (px, py)."""
    if abs(ux) > 0.35 and abs(uy) > 0.35:
        return (px if ux > 0 else px - w), (py - h if uy < 0 else py)
    if ux > 0.35:
        return px, py - h / 2
    if ux < -0.35:
        return px - w, py - h / 2
    if uy < 0:
        return px - w / 2, py - h
    return px - w / 2, py


def around(anchor: int, sizes: Sequence[tuple[float, float]], r: float, *, leaders: bool,
           ox: float = 0.0, oy: float = 0.0, base: float = 0.0, variant_cost: float = 2.5) -> list[Cand]:
    """Candidates around a marker of radius r: eight beside it, then (with `leaders`) two rings
    farther out joined to it by a leader line. One set per text variant, later ones dearer."""
    out = []
    for v, (w, h) in enumerate(sizes):
        vc = base + v * variant_cost
        for ux, uy, c in _AROUND:
            n = math.hypot(ux, uy)
            dx, dy = _attach(ox + r * ux / n, oy + r * uy / n, ux / n, uy / n, w, h)
            out.append(Cand(anchor, dx, dy, w, h, vc + c, v, ox=ox, oy=oy, r=r))
    if leaders:
        for v, (w, h) in enumerate(sizes):
            vc = base + v * variant_cost
            for ring, far in enumerate((24.0, 48.0)):
                for k in range(12):
                    a = math.radians(k * 30)
                    ux, uy = math.cos(a), math.sin(a)
                    px, py = ox + (r + far) * ux, oy + (r + far) * uy
                    dx, dy = _attach(px, py, ux, uy, w, h)
                    pref = 0.0 if ux > 0.35 else 0.2
                    out.append(Cand(anchor, dx, dy, w, h, vc + 3.0 + ring + pref, v, leader=True,
                                    ox=ox, oy=oy, r=r))
    return out


def along(line: Sequence[tuple[float, float]], ts: Sequence[float]) -> list[tuple[float, float, float, float]]:
    """(x, y, ux, uy): points at fractions `ts` of a polyline in world units (the same fraction of
    its length on screen at any zoom), with the unit direction of travel there."""
    xs = np.array([p[0] for p in line])
    ys = np.array([p[1] for p in line])
    seg = np.hypot(np.diff(xs), np.diff(ys))
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    total = cum[-1]
    out = []
    for t in ts:
        d = t * total
        i = int(min(max(np.searchsorted(cum, d, side="right") - 1, 0), len(seg) - 1))
        f = (d - cum[i]) / seg[i] if seg[i] > 0 else 0.0
        x, y = xs[i] + f * (xs[i + 1] - xs[i]), ys[i] + f * (ys[i + 1] - ys[i])
        ux, uy = (xs[i + 1] - xs[i]) / (seg[i] or 1), (ys[i + 1] - ys[i]) / (seg[i] or 1)
        out.append((float(x), float(y), float(ux), float(uy)))
    return out


def line_length(line: Sequence[tuple[float, float]]) -> float:
    return float(sum(math.hypot(b[0] - a[0], b[1] - a[1]) for a, b in zip(line, line[1:])))


T_ALONG = (0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.18, 0.82)


# --- placing ------------------------------------------------------------------------------------

@dataclass
class Placed:
    item: int
    cand: int


def _overlap(a: np.ndarray, b: np.ndarray, gap: float) -> np.ndarray:
    """(len(a), len(b)) bool: boxes (x0, y0, x1, y1) closer than `gap`."""
    return ((a[:, None, 0] < b[None, :, 2] + gap) & (b[None, :, 0] < a[:, None, 2] + gap)
            & (a[:, None, 1] < b[None, :, 3] + gap) & (b[None, :, 1] < a[:, None, 3] + gap))


class Placer:
    """The problem prepared once; `level(scale, frame)` places it at one zoom."""

    def __init__(self, problem: Problem):
        self.p = problem
        self.p_unit = problem.unit
        self.order = sorted(range(len(problem.items)), key=lambda i: (ORDER.index(problem.items[i].kind), i))
        wx = np.array([world(la, lo) for la, lo in problem.anchors] or np.zeros((0, 2)), dtype=float)
        self.wx = wx.reshape(-1, 2)
        rows, owner = [], []
        self.ranges = []
        for i, it in enumerate(problem.items):
            start = len(rows)
            rows += [(c.anchor, c.dx, c.dy, c.w, c.h, c.cost) for c in it.cands]
            owner += [i] * len(it.cands)
            self.ranges.append((start, len(rows)))
        self.c = np.array(rows, dtype=float).reshape(-1, 6)
        self.anchor_idx = self.c[:, 0].astype(int)
        owner_a = np.array(owner, dtype=int)
        # Per candidate: what each class of feature means to it (np.inf refused, nan ignored), for
        # a feature of another item and for its own.
        self.geoms = [(g, half, cls, ref) for g, half, cls, ref in problem.lines + problem.areas]
        self.rule: dict[tuple[str, bool], np.ndarray] = {}
        for cls in ("leg", "region", "corridor"):
            for own in (False, True):
                per_item = []
                for it in problem.items:
                    v = RULES[it.kind].get(("own" if own else "") + cls, IGNORE)
                    per_item.append(np.inf if v is HARD else (np.nan if v == IGNORE else v))
                self.rule[(cls, own)] = np.array(per_item, dtype=float)[owner_a] if owner else np.zeros(0)
        self.own_cls = np.array([OWN.get(problem.items[i].kind, "") for i in owner], dtype=object)
        self.ref = np.array([problem.items[i].ref for i in owner], dtype=int)
        for g, *_ in self.geoms:
            shapely.prepare(g)
        for it in problem.items:
            if it.inside is not None:
                shapely.prepare(it.inside)

    def boxes(self, scale: float) -> np.ndarray:
        """Candidate boxes in pixels (x0, y0, x1, y1), the anchor at world position * scale."""
        a = self.wx[self.anchor_idx] * scale if len(self.c) else np.zeros((0, 2))
        x0 = a[:, 0] + self.c[:, 1]
        y0 = a[:, 1] + self.c[:, 2]
        return np.column_stack([x0, y0, x0 + self.c[:, 3], y0 + self.c[:, 4]])

    def level(self, scale: float, frame: tuple[float, float, float, float],
              inner: tuple[float, float, float, float] | None = None) -> dict[int, int]:
        """item index -> chosen candidate index, for one scale (pixels per world unit) and a frame
        (x0, y0, x1, y1) in the same pixels that every label must stay inside. A label reaching
        out of `inner` costs a little more: it makes the page zoom out to fit it."""
        p = self.p
        boxes = self.boxes(scale)
        self.last_boxes = boxes
        fx0, fy0, fx1, fy1 = frame
        ok = (boxes[:, 0] >= fx0) & (boxes[:, 1] >= fy0) & (boxes[:, 2] <= fx1) & (boxes[:, 3] <= fy1)
        cost = self.c[:, 5].copy()
        if inner is not None:
            ix0, iy0, ix1, iy1 = inner
            cost += 1.0 * ~((boxes[:, 0] >= ix0) & (boxes[:, 1] >= iy0) & (boxes[:, 2] <= ix1) & (boxes[:, 3] <= iy1))
        # Features: every candidate box near a line or area, grown by the feature's half width,
        # tested with `intersects` against the prepared geometry (as strict as a distance test,
        # with square corners, and far cheaper).
        w = boxes / scale
        for g, half, cls, ref in self.geoms:
            d = (half + 1.0) / scale
            gx0, gy0, gx1, gy1 = g.bounds
            near = np.nonzero(ok & (w[:, 2] >= gx0 - d) & (w[:, 0] <= gx1 + d) & (w[:, 3] >= gy0 - d)
                              & (w[:, 1] <= gy1 + d))[0]
            if not len(near):
                continue
            b = w[near]
            touch = near[shapely.intersects(g, shapely.box(b[:, 0] - d, b[:, 1] - d, b[:, 2] + d, b[:, 3] + d))]
            if not len(touch):
                continue
            own = (self.own_cls[touch] == cls) & (self.ref[touch] == ref)
            val = np.where(own, self.rule[(cls, True)][touch], self.rule[(cls, False)][touch])
            ok[touch[np.isinf(val)]] = False
            add = np.where(np.isnan(val) | np.isinf(val), 0.0, val)
            cost[touch] += add
        markers = []
        for a, ox, oy, half in p.markers:
            x, y = self.wx[a] * scale
            markers.append((x + ox - half, y + oy - half, x + ox + half, y + oy + half))
        placed = np.zeros((len(markers) + len(p.items), 4))
        placed[:len(markers)] = np.array(markers, dtype=float).reshape(-1, 4)
        count = len(markers)
        is_arrow = np.zeros(len(placed), dtype=bool)
        leaders: list[tuple[float, float, float, float]] = []
        out: dict[int, int] = {}
        for i in self.order:
            it = p.items[i]
            lo, hi = self.ranges[i]
            if hi == lo:
                continue
            if it.min_len and it.min_len * scale < 80 * self.p_unit:
                continue  # a leg too short on screen for its arrowhead
            good = ok[lo:hi].copy()
            if it.inside is not None:
                bb = w[lo:hi]
                ys = (bb[:, 1] + bb[:, 3]) / 2
                for fx in (0.5, 0.12, 0.88):
                    good &= shapely.contains_xy(it.inside, bb[:, 0] + fx * (bb[:, 2] - bb[:, 0]), ys)
            if not good.any():
                continue
            if count:
                # Markers, arrowheads and labels already down are all refused (every kind's rule).
                good &= ~_overlap(boxes[lo:hi], placed[:count], GAP).any(axis=1)
            if leaders and good.any():
                good &= ~self._on_leaders(boxes[lo:hi], leaders)
            order = np.nonzero(good)[0]
            if not len(order):
                continue
            best = None
            for k in order[np.argsort(cost[lo:hi][order], kind="stable")]:
                c = it.cands[k]
                if c.leader:
                    seg = self._leader(c, self.wx[c.anchor] * scale, boxes[lo + k])
                    if self._leader_blocked(seg, placed[:count], lo + k):
                        continue
                    leaders.append(seg)
                best = int(k)
                break
            if best is None:
                continue
            out[i] = best
            placed[count] = boxes[lo + best]
            is_arrow[count] = it.kind == "arrow"
            count += 1
        return out

    @staticmethod
    def _leader(c: Cand, at: np.ndarray, box: np.ndarray) -> tuple[float, float, float, float]:
        """From the marker's edge to the nearest point of the label's box."""
        sx, sy = at[0] + c.ox, at[1] + c.oy
        ex = min(max(sx, box[0]), box[2])
        ey = min(max(sy, box[1]), box[3])
        d = math.hypot(ex - sx, ey - sy) or 1.0
        return (sx + (ex - sx) * c.r / d, sy + (ey - sy) * c.r / d, ex, ey)

    @staticmethod
    def _leader_blocked(seg, placed: np.ndarray, _k: int) -> bool:
        if not len(placed):
            return False
        x0, y0, x1, y1 = seg
        for t in (0.15, 0.35, 0.55, 0.75, 0.92):
            x, y = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
            if np.any((placed[:, 0] - 1 < x) & (x < placed[:, 2] + 1) & (placed[:, 1] - 1 < y) & (y < placed[:, 3] + 1)):
                return True
        return False

    @staticmethod
    def _on_leaders(boxes: np.ndarray, leaders) -> np.ndarray:
        hit = np.zeros(len(boxes), dtype=bool)
        for x0, y0, x1, y1 in leaders:
            for t in (0.1, 0.3, 0.5, 0.7, 0.9):
                x, y = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
                hit |= (boxes[:, 0] - 1 < x) & (x < boxes[:, 2] + 1) & (boxes[:, 1] - 1 < y) & (y < boxes[:, 3] + 1)
        return hit


def place(problem: Problem, scale: float, frame: tuple[float, float, float, float]) -> dict[int, int]:
    """One level: item index -> candidate index (items left out were dropped)."""
    return Placer(problem).level(scale, frame)


# --- the tour as a placement problem --------------------------------------------------------------

def _lines_of(text: str, style: TextStyle, max_w: float) -> list[str]:
    """`text` on two lines, broken at the space nearest its middle, when it is wider than max_w."""
    if style.width(text) <= max_w or " " not in text.strip():
        return [text]
    mid = len(text) / 2
    cut = min((i for i, ch in enumerate(text) if ch == " "), key=lambda i: abs(i - mid))
    return [text[:cut].strip(), text[cut + 1:].strip()]


def _size(lines: list[str], styles: list[TextStyle]) -> tuple[float, float]:
    w = max(s.width(t) for t, s in zip(lines, styles))
    h = sum(s.line_height for s in styles[:len(lines)])
    return (math.ceil(w), math.ceil(h))


def tour_problem(data: dict[str, Any], style: Style) -> Problem:
    """The placement problem of a map, from the plain data both media draw (`scene_data`)."""
    p = Problem(anchors=[], items=[], markers=[], lines=[], areas=[], unit=style.unit)
    st = style
    # Markers: stop pins (fanned out when several stops share a place) and the origin's square.
    for s in data["stops"]:
        a = p.anchor(s["lat"], s["lon"])
        s["_a"] = a
        p.markers.append((a, -s["stack"] * 20 * st.unit, 0.0, st.pin + 1))
    o = data.get("origin")
    if o:
        o["_a"] = p.anchor(o["lat"], o["lon"])
        p.markers.append((o["_a"], 0.0, 0.0, st.origin + 1))
    # Features in world units.
    for i, g in enumerate(data["legs"]):
        line = [world(la, lo) for la, lo in g["coords"]]
        g["_w"] = line
        if len(line) >= 2:
            p.lines.append((LineString(line), st.leg_half, "leg", i))
    for i, a in enumerate(data["areas"]):
        for poly in _world_polys(a["geometry"]):
            if a["kind"] == "corridor":
                p.areas.append((poly, 0.0, "corridor", i))
            else:
                p.areas.append((poly, st.region_half, "region", i))
    # Arrowheads: on the leg, away from everything else.
    for i, g in enumerate(data["legs"]):
        line = g["_w"]
        if len(line) < 2 or line_length(line) == 0:
            continue
        cands = []
        for t, (x, y, ux, uy) in zip(T_ALONG, along(line, T_ALONG)):
            a = p.anchor(*_latlon(x, y))
            ang = math.degrees(math.atan2(ux, -uy)) % 360
            # The arrowhead is drawn turned: its box is the turned square's bounding box.
            half = round(st.arrow * (abs(ux) + abs(uy)) / max(math.hypot(ux, uy), 1e-9), 2)
            cands.append(Cand(a, -half, -half, 2 * half, 2 * half, abs(t - 0.5) * 4, angle=ang))
        p.items.append(Item("arrow", [[]], cands, ref=i, min_len=line_length(line)))
    # Stop names, with the date on a second line when there is room.
    for s in data["stops"]:
        variants = [[s["name"], s["when"]], [s["name"]]] if s.get("when") else [[s["name"]]]
        sizes = [_size(v, [st.stop, st.date]) for v in variants]
        cands = around(s["_a"], sizes, st.pin + 4, leaders=True, ox=-s["stack"] * 20 * st.unit)
        p.items.append(Item("stop", variants, cands, data={"n": s["n"]}))
    if o:
        sizes = [_size([o["name"]], [st.stop])]
        p.items.append(Item("origin", [[o["name"]]], around(o["_a"], sizes, st.origin + 3, leaders=True)))
    # Border regions and other areas: beside the shape, never on a stop.
    for i, a in enumerate(data["areas"]):
        polys = _world_polys(a["geometry"])
        if not polys:
            continue
        if a["kind"] == "corridor":
            p.items += _corridor_items(p, a, i, st)
            continue
        x0, y0, x1, y1 = shapely.union_all(polys).bounds
        name = a["name"]
        short = name.split(" (")[0] if " (" in name else ""
        variants = [[name]] + ([_lines_of(name, st.region, 0)] if " " in name else []) + ([[short]] if short else [])
        sizes = [_size(v, [st.region] * len(v)) for v in variants]
        cands = []
        g = st.region_half + 3
        for v, (w, h) in enumerate(sizes):
            vc = v * 1.5
            for (ax, ay), (dx, dy), c in (
                ((x0, (y0 + y1) / 2), (-g - w, -h / 2), 0.0), ((x1, (y0 + y1) / 2), (g, -h / 2), 0.3),
                (((x0 + x1) / 2, y0), (-w / 2, -g - h), 0.6), (((x0 + x1) / 2, y1), (-w / 2, g), 0.7),
                ((x0, y0), (-g - w, -g - h), 0.9), ((x1, y0), (g, -g - h), 1.0),
                ((x0, y1), (-g - w, g), 1.1), ((x1, y1), (g, g), 1.2),
                ((x0, (y0 + y1) / 2), (-3 * g - w, -h / 2), 1.6), ((x1, (y0 + y1) / 2), (3 * g, -h / 2), 1.8),
            ):
                cands.append(Cand(p.anchor(*_latlon(ax, ay)), dx, dy, w, h, vc + c, v))
        p.items.append(Item("region", variants, cands, ref=i))
    # Distances beside each leg (the date is on the stop it leads to).
    for i, g in enumerate(data["legs"]):
        line = g["_w"]
        if len(line) < 2 or not g.get("km") or line_length(line) == 0:
            continue
        p.items.append(_beside_line(p, "leg", [[g["km"]]], [_size([g["km"]], [st.leg])], line,
                                    st.arrow + 2, i))
    # Country names, inside their country and off the routes.
    for c in data.get("countries", []):
        poly = c["poly"]
        if poly is None or poly.is_empty:
            continue
        size = _size([c["text"]], [st.country])
        cands = [Cand(p.anchor(*_latlon(x, y)), -size[0] / 2, -size[1] / 2, size[0], size[1], cost)
                 for x, y, cost in c["spots"]]
        p.items.append(Item("country", [[c["text"]]], cands, inside=poly))
    return p


def _beside_line(p: Problem, kind: str, variants, sizes, line, off: float, ref: int,
                 ts: Sequence[float] = T_ALONG, shift: float = 0.0) -> Item:
    cands = []
    for v, (w, h) in enumerate(sizes):
        for t, (x, y, ux, uy) in zip(ts, along(line, ts)):
            a = p.anchor(*_latlon(x, y))
            for side, sc in ((1, 0.0), (-1, 0.15)):
                nx, ny = -uy * side, ux * side  # left of the direction of travel, then right
                e = abs(nx) * w / 2 + abs(ny) * h / 2
                cx, cy = nx * (off + e), ny * (off + e)
                cands.append(Cand(a, cx - w / 2, cy - h / 2, w, h, abs(t - 0.5) * 3 + sc + v * 1.5 + shift, v))
    return Item(kind, variants, cands, ref=ref)


def _corridor_items(p: Problem, a: dict[str, Any], i: int, st: Style) -> list[Item]:
    out = []
    way = [world(la, lo) for la, lo in a.get("line", [])]
    name = a["name"]
    variants = [[name]] + ([_lines_of(name, st.corridor, 0)] if " " in name else [])
    sizes = [_size(v, [st.corridor] * len(v)) for v in variants]
    if len(way) >= 2 and line_length(way) > 0:
        # Beside the corridor: half its width on the ground, then a few pixels.
        half = a.get("half_world", 0.0)
        item = _beside_line(p, "corridor", variants, sizes, way, 4.0, i)
        for c in item.cands:
            lat, lon = p.anchors[c.anchor]
            x, y = world(lat, lon)
            # push the anchor out by the corridor's half width, on the side the box is
            cx, cy = c.dx + c.w / 2, c.dy + c.h / 2
            n = math.hypot(cx, cy) or 1.0
            p.anchors.append(_latlon(x + cx / n * half, y + cy / n * half))
            c.anchor = len(p.anchors) - 1
        out.append(item)
    else:
        polys = _world_polys(a["geometry"])
        pt = shapely.union_all(polys).representative_point()
        sizes0 = sizes[:1]
        out.append(Item("corridor", variants[:1], around(p.anchor(*_latlon(pt.x, pt.y)), sizes0, 4, leaders=False),
                        ref=i))
    for end in a.get("ends", []):
        lines = _lines_of(end["name"], st.end, 150 * st.unit)
        size = _size(lines, [st.end] * len(lines))
        out.append(Item("end", [lines], around(p.anchor(end["lat"], end["lon"]), [size], 5 * st.unit, leaders=True),
                        ref=i))
    return out


def _latlon(x: float, y: float) -> tuple[float, float]:
    """World units back to (lat, lon)."""
    lat = math.degrees(2 * math.atan(math.exp(math.radians(-y))) - math.pi / 2)
    return (round(lat, 6), round(x, 6))


def _world_polys(geometry: dict[str, Any] | None) -> list[Polygon]:
    if not geometry:
        return []
    polys = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    out = []
    for poly in polys:
        rings = [[world(la, lo) for lo, la in ring] for ring in poly]
        g = Polygon(rings[0], rings[1:])
        if not g.is_valid:
            g = shapely.make_valid(g)
        out.extend(x for x in getattr(g, "geoms", [g]) if isinstance(x, Polygon) and not x.is_empty)
    return out


def country_spots(poly_world, *, n: int = 24) -> list[tuple[float, float, float]]:
    """Places for a country's name, best first: its pole of inaccessibility, then points inside it
    on a grid, dearer the farther they are."""
    from shapely.ops import polylabel

    pieces = [g for g in getattr(poly_world, "geoms", [poly_world]) if isinstance(g, Polygon)]
    if not pieces:
        return []
    big = max(pieces, key=lambda g: g.area)
    x0, y0, x1, y1 = big.bounds
    size = max(x1 - x0, y1 - y0) or 1.0
    best = polylabel(big, tolerance=size / 100)
    spots = [(best.x, best.y, 0.0)]
    k = 9
    pts = []
    for ix in range(k):
        for iy in range(k):
            x = x0 + (ix + 0.5) * (x1 - x0) / k
            y = y0 + (iy + 0.5) * (y1 - y0) / k
            if big.contains(Point(x, y)):
                d = math.hypot(x - best.x, y - best.y) / size
                pts.append((x, y, 0.5 + 3 * d))
    pts.sort(key=lambda t: (t[2], t[0], t[1]))
    return spots + pts[: n - 1]


# --- what both media draw -------------------------------------------------------------------------

def map_data(tour, geom) -> dict[str, Any]:
    """The map as plain data, shared by the page (render.py) and the images (static.py): located
    stops with their short dates, the origin, legs with distances, areas (the corridor with its
    waypoint line and named ends) and the countries to name. Text is raw: escaped on output."""
    from shapely.geometry import shape

    from .geometry import located, route_points
    from .wording import LABELS, country_name, date_text, km_text, lang_of

    lang = lang_of(tour)
    lab = LABELS[lang]
    pts = route_points(tour)
    offset = 1 if tour.origin else 0
    stops, seen = [], []
    for i, s in enumerate(tour.stops):
        lat, lon = pts[i + offset]
        if not located(lat, lon):
            continue
        # Stops at one place (a return visit) fan out instead of hiding each other's numbers.
        stack = sum(1 for q in seen if abs(q[0] - lat) < 0.02 and abs(q[1] - lon) < 0.02)
        seen.append((lat, lon))
        stops.append({"n": i + 1, "stack": stack, "name": clean(s.name), "lat": round(lat, 5), "lon": round(lon, 5),
                      "status": s.status, "when": date_text(s.date, lang, end=s.date_end, short=True) if s.date else ""})
    origin = None
    if tour.origin and located(*pts[0]):
        origin = {"name": clean(tour.origin.name), "lat": round(pts[0][0], 5), "lon": round(pts[0][1], 5)}
    legs = [{"coords": [list(c) for c in leg.coords], "status": leg.status,
             "km": km_text(leg.distance_km, lang), "title": f"{leg.start.name} → {leg.end.name}",
             "when": date_text(leg.date, lang, short=True) if leg.date else ""} for leg in geom.legs]
    areas = []
    for c in geom.corridors:
        if not c.geometry:
            continue
        status = lab["proposed"] if c.status == "proposed" else c.status
        way = [(w.lat, w.lon) for w in c.waypoints if located(w.lat, w.lon)]
        from .geometry import display_lons

        lons = display_lons(way)
        line = [(la, lo) for (la, _), lo in zip(way, lons)]
        mid = sum(la for la, _ in line) / len(line) if line else 0.0
        half = (c.width_km or 50) / 2 / (111.32 * max(math.cos(math.radians(mid)), 0.2))
        ends = []
        if len(line) >= 2:
            ends = [{"name": clean(c.waypoints[0].name), "lat": line[0][0], "lon": line[0][1]},
                    {"name": clean(c.waypoints[-1].name), "lat": line[-1][0], "lon": line[-1][1]}]
        name = clean(c.name)
        areas.append({"kind": "corridor", "name": f"{name[:1].upper()}{name[1:]} ({status})",
                      "geometry": c.geometry, "line": line, "ends": ends, "half_world": half})
    for r in geom.regions:
        if r.geometry:
            areas.append({"kind": "region" if r.kind == "border" else "admin", "name": clean(r.name),
                          "geometry": r.geometry})
    countries = []
    base = geom.basemap or {}
    wanted = {s.country.upper() for s in tour.stops if s.country}
    if tour.origin and tour.origin.country:
        wanted.add(tour.origin.country.upper())
    wanted |= {c.upper() for r in tour.regions for c in r.countries}
    wanted |= {c.upper() for k in tour.corridors for c in k.countries}
    for f in base.get("features", []):
        code = f["properties"]["iso2"]
        if code not in wanted:
            continue
        polys = _world_polys(f["geometry"])
        if not polys:
            continue
        poly = shapely.union_all(polys)
        countries.append({"code": code, "text": country_name(code, lang).upper(), "poly": poly,
                          "spots": country_spots(poly), "area": poly.area})
    countries.sort(key=lambda c: (-c["area"], c["code"]))
    return {"lang": lang, "stops": stops, "origin": origin, "legs": legs, "areas": areas, "countries": countries}
