"""Static images of the map (map.png, map.svg) drawn offline with matplotlib.

Used as the site's thumbnail and for print. Output is deterministic: a fixed SVG hash salt, no
dates in metadata, text kept as text in the SVG (escaped by matplotlib's SVG writer) and never
read as mathtext, so a `$` in article text is just a dollar sign.
"""
from __future__ import annotations

import io
import math
from typing import Any

from .config import Settings
from .geometry import basemap, located, route_points
from .models import Tour, TourGeometry
from .wording import LABELS, lang_of, titles

BLUE = "#1f4e79"
WIDTH_IN, DPI = 8.0, 120


def _rings(geometry: dict[str, Any]):
    polys = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    for poly in polys:
        yield poly


def _merc_y(lat: float) -> float:
    lat = max(min(lat, 85.0), -85.0)
    return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))


def _legend(ax, tour: Tour, geom: TourGeometry, lab: dict[str, str]) -> None:
    """The same key as the web page, in the lower left corner."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = []
    statuses = {s.status for s in tour.stops}
    if "completed" in statuses:
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=9, markerfacecolor=BLUE,
                              markeredgecolor=BLUE, label=lab["stop_done"]))
    if "planned" in statuses:
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=9, markerfacecolor="white",
                              markeredgecolor=BLUE, markeredgewidth=2, label=lab["stop_plan"]))
    if tour.origin:
        handles.append(Line2D([], [], marker="s", linestyle="", markersize=7, color="#c0392b", label=lab["origin"]))
    if any(leg.status == "completed" for leg in geom.legs):
        handles.append(Line2D([], [], color=BLUE, linewidth=1.8, label=lab["leg_done"]))
    if any(leg.status != "completed" for leg in geom.legs):
        handles.append(Line2D([], [], color=BLUE, linewidth=1.8, linestyle=(0, (4, 3)), label=lab["leg_plan"]))
    if any(c.geometry for c in geom.corridors):
        handles.append(Patch(facecolor=(0.99, 0.92, 0.83), edgecolor="#b35806", hatch="///", linestyle=(0, (4, 3)),
                             label=lab["corridor"]))
    if any(r.geometry for r in geom.regions):
        handles.append(Patch(facecolor=(0.76, 0.25, 0.37, 0.7), edgecolor="#9e2a4b", label=lab["region"]))
    if handles:
        leg = ax.legend(handles=handles, loc="lower left", fontsize=7.5, frameon=True, framealpha=0.92,
                        edgecolor="#cccccc", fancybox=False)
        leg.set_zorder(10)


def render_static(tour: Tour, geom: TourGeometry, *, settings: Settings) -> dict[str, bytes | str]:
    # The object API with the Agg canvas, not pyplot: no global figure state, and pyplot's
    # import alone cost a third of a second per build.
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MPath


    lab = LABELS[lang_of(tour)]
    title, subtitle = titles(tour)
    base, _window = basemap(geom.bounds)
    rc = {"svg.hashsalt": "tourmap", "hatch.linewidth": 0.5, "svg.fonttype": "none", "path.simplify": False,
          "font.family": "DejaVu Sans", "text.parse_math": False}
    with matplotlib.rc_context(rc):
        if geom.bounds:
            (s, w), (n, e) = geom.bounds
        else:
            (s, w), (n, e) = (-60.0, -180.0), (80.0, 180.0)
        pad_x, pad_y = max(2.0, 0.12 * (e - w)), max(2.0, 0.08 * (n - s))
        x0, x1 = w - pad_x, e + pad_x + 0.1 * (e - w)  # room for the labels right of the pins
        y0, y1 = _merc_y(s - pad_y), _merc_y(n + pad_y)
        # A tall tour is drawn wider rather than as a strip: at most 1.1 times as tall as wide.
        if (y1 - y0) > 1.1 * (x1 - x0):
            grow = ((y1 - y0) / 1.1 - (x1 - x0)) / 2
            x0, x1 = x0 - grow, x1 + grow
        aspect = (y1 - y0) / (x1 - x0)
        height = min(max(WIDTH_IN * aspect, 4.5), 9.0)
        fig = Figure(figsize=(WIDTH_IN, height + 0.9), dpi=DPI)
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0, 0, 1, height / (height + 0.9)))
        ax.set_facecolor("#d7e5ee")
        focus = {s.country for s in tour.stops if s.country} | ({tour.origin.country} if tour.origin else set())

        def patch(geometry, **kw):
            verts, codes = [], []
            for poly in _rings(geometry):
                for ring in poly:
                    pts = [(x, _merc_y(y)) for x, y in ring]
                    verts += pts
                    codes += [MPath.MOVETO] + [MPath.LINETO] * (len(pts) - 2) + [MPath.CLOSEPOLY]
            if verts:
                ax.add_patch(PathPatch(MPath(verts, codes), **kw))

        for f in base["features"]:
            patch(f["geometry"], facecolor="#efe9dc" if f["properties"]["iso2"] in focus else "#f7f5f0",
                  edgecolor="white", linewidth=0.8, zorder=1)
        for c in geom.corridors:
            if c.geometry:
                patch(c.geometry, facecolor=(0.99, 0.92, 0.83, 0.9), edgecolor="#b35806", hatch="///",
                      linewidth=0.9, linestyle=(0, (4, 3)), zorder=2)
        for r in geom.regions:
            if r.geometry:
                # A border band is a few pixels wide at this scale: a wide translucent halo carries it.
                patch(r.geometry, facecolor="none", edgecolor=(0.84, 0.2, 0.42, 0.4), linewidth=7,
                      joinstyle="round", zorder=2)
                patch(r.geometry, facecolor=(0.76, 0.25, 0.37, 0.7), edgecolor="#9e2a4b", linewidth=1.4, zorder=2)
                if r.anchor and located(r.anchor.lat, r.anchor.lon):
                    ax.annotate(r.name, (r.anchor.lon, _merc_y(r.anchor.lat)), xytext=(-12, 0),
                                textcoords="offset points", ha="right", va="center", fontsize=8, fontweight="bold",
                                color="#7b1f3a", zorder=7, annotation_clip=False)
        for leg in geom.legs:
            xs = [lo for _la, lo in leg.coords]
            ys = [_merc_y(la) for la, _lo in leg.coords]
            ax.plot(xs, ys, color="white", linewidth=4, solid_capstyle="round", zorder=3)
            ax.plot(xs, ys, color=BLUE, linewidth=1.8, zorder=4,
                    linestyle="-" if leg.status == "completed" else (0, (4, 3)))
            m = len(xs) // 2
            ax.annotate("", xy=(xs[m + 1 if m + 1 < len(xs) else m], ys[m + 1 if m + 1 < len(ys) else m]),
                        xytext=(xs[m - 1], ys[m - 1]),
                        arrowprops={"arrowstyle": "-|>", "color": BLUE, "lw": 0, "mutation_scale": 14}, zorder=5)
        pts = route_points(tour)
        if tour.origin and located(*pts[0]):
            lat, lon = pts[0]
            ax.scatter([lon], [_merc_y(lat)], marker="s", s=60, color="#c0392b", edgecolors="white", zorder=6)
            ax.annotate(tour.origin.name, (lon, _merc_y(lat)), xytext=(-8, 0), textcoords="offset points",
                        ha="right", va="center", fontsize=9, fontweight="bold", zorder=7, annotation_clip=False)
        offset = 1 if tour.origin else 0
        for i, stop in enumerate(tour.stops):
            lat, lon = pts[i + offset]
            if not located(lat, lon):
                continue
            y = _merc_y(lat)
            done = stop.status == "completed"
            ax.scatter([lon], [y], s=230, color=BLUE if done else "white", edgecolors=BLUE, linewidths=2, zorder=6)
            ax.text(lon, y, str(i + 1), ha="center", va="center", fontsize=8.5, fontweight="bold",
                    color="white" if done else BLUE, zorder=7)
            ax.annotate(stop.name, (lon, y), xytext=(10, 0), textcoords="offset points", ha="left",
                        va="center", fontsize=9, fontweight="bold", zorder=7, annotation_clip=False)
        _legend(ax, tour, geom, lab)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
        top = 1 - 0.25 / (height + 0.9)
        fig.text(0.02, top, title, fontsize=12, fontweight="bold", va="top")
        if subtitle:
            fig.text(0.02, top - 0.3 / (height + 0.9), subtitle, fontsize=9, color="#555555", va="top")
        fig.text(0.99, 0.01, f"{lab['data']}: Natural Earth · GeoNames", fontsize=6.5, color="#555555",
                 ha="right", va="bottom")
        png, svg = io.BytesIO(), io.BytesIO()
        fig.savefig(png, format="png", metadata={"Software": None})
        fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    return {"map.png": png.getvalue(), "map.svg": svg.getvalue().decode("utf-8")}
