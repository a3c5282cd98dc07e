"""Geometry stage: legs as great circles, the proposed corridor and border bands as polygons.

tour (geocoded) -> TourGeometry. Buffers are computed in an azimuthal equidistant projection
centred on the shape, so "50 km wide" means 50 km on the ground wherever the tour is.
Country and admin-1 outlines come from tourmap/data/boundaries (Natural Earth, built by
scripts/build_boundaries.py); the same data draws the offline basemap.
"""
from __future__ import annotations

import gzip
import json
import math
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import shapely
import shapely.affinity
import yaml
from geopy.distance import geodesic
from pyproj import CRS, Geod, Transformer
from shapely.geometry import (GeometryCollection, LineString, MultiPoint, MultiPolygon, Point, Polygon, box,
                              mapping, shape)
from shapely.validation import make_valid

from .config import Settings
from .errors import BuildError, ConfigError
from .models import Corridor, Leg, Place, Region, Stop, Tour, TourGeometry

BOUNDARIES = Path(__file__).resolve().parent / "data" / "boundaries"
GEOD = Geod(ellps="WGS84")
SAME_POINT_KM = 5.0  # two stops this close are one place on a locator map: no leg between them
BORDER_RADIUS_KM = 150.0  # how much of a shared border around the anchor a region covers
BORDER_HALF_WIDTH_KM = 12.0
CIRCLE_RADIUS_KM = 40.0  # a region we cannot find an outline for: a circle around its anchor
DIGITS = 4  # ~10 m: GeoJSON precision of the shapes we compute
BASE_TOLERANCE = 0.02  # degrees: what scripts/build_boundaries.py kept of Natural Earth 1:50m


# --- boundaries ------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def countries() -> dict[str, Any]:
    """ISO alpha-2 -> shapely (Multi)Polygon of Natural Earth 1:50m countries."""
    feats = _read_geojson("countries.geojson")
    return {f["id"]: shape(f["geometry"]) for f in feats}


@lru_cache(maxsize=1)
def admin1() -> list[tuple[dict[str, Any], Any]]:
    """(properties, shape) of the shipped admin-1 regions (the Americas)."""
    return [(f["properties"], shape(f["geometry"])) for f in _read_geojson("admin1.geojson")]


def _read_geojson(name: str) -> list[dict[str, Any]]:
    path = BOUNDARIES / f"{name}.gz"
    try:
        return json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))["features"]
    except (OSError, ValueError, KeyError) as exc:
        raise BuildError(f"{path}: boundary data missing or unreadable ({type(exc).__name__}); "
                         f"run scripts/build_boundaries.py") from None


def basemap(bounds: tuple[tuple[float, float], tuple[float, float]] | None, *,
            tolerance: float | None = None, digits: int = 2) -> tuple[dict[str, Any], tuple]:
    """Countries clipped to a window around `bounds`, simplified for that scale.

    Returns (GeoJSON FeatureCollection with properties iso2, window ((s, w), (n, e))).
    Simplification is coverage-aware so neighbours keep one shared border.
    """
    win = view_window(bounds)
    span = max(win[2] - win[0], win[3] - win[1])
    # The shipped outlines' own detail (0.02 degrees), coarser only for a window of half the world.
    tol = tolerance if tolerance is not None else max(BASE_TOLERANCE, span / 3000)
    codes, geoms = [], []
    for code, geom in sorted(countries().items()):
        # A window past 180 degrees (a route across the Pacific) takes the world one turn over.
        pieces = []
        w, s, e, n = geom.bounds
        for k in (-1, 0, 1):
            if w > win[3] + 360 * k or e < win[1] + 360 * k or s > win[2] or n < win[0]:
                continue  # cheap test first: most countries are nowhere near the window
            clip = box(win[1] + 360 * k, win[0], win[3] + 360 * k, win[2])
            if w >= win[1] + 360 * k and e <= win[3] + 360 * k and s >= win[0] and n <= win[2]:
                cut = geom  # wholly inside: nothing to cut
            elif geom.intersects(clip):
                cut = geom.intersection(clip)
            else:
                continue
            pieces.append(shapely.transform(cut, lambda c, k=k: c - [360 * k, 0]) if k else cut)
        part = (_polygons(pieces[0]) if len(pieces) == 1 else _polygons(shapely.union_all(pieces))) if pieces else None
        if part is not None:
            # Islets smaller than a few pixels only add bytes.
            part = _polygons(MultiPolygon([p for p in getattr(part, "geoms", [part]) if p.area > 6 * tol * tol]))
        if part is not None:
            codes.append(code)
            geoms.append(part)
    if geoms and tol > 0:
        geoms = list(shapely.coverage_simplify(geoms, tol))
    feats = []
    # All at once (set_precision over the array), and plain lists straight from the coordinates:
    # the basemap is the largest thing a build computes.
    fixed = shapely.set_precision(geoms, 10 ** -digits) if geoms else []
    for code, geom in zip(codes, fixed):
        geom = _polygons(geom)
        if geom is None or geom.is_empty:
            continue
        if hasattr(shapely, "orient_polygons"):
            geom = shapely.orient_polygons(geom)
        polys = [[[list(c) for c in ring.coords] for ring in (p.exterior, *p.interiors)]
                 for p in getattr(geom, "geoms", [geom])]
        feats.append({"type": "Feature", "properties": {"iso2": code},
                      "geometry": {"type": "MultiPolygon", "coordinates": polys}})
    return {"type": "FeatureCollection", "features": feats}, ((win[0], win[1]), (win[2], win[3]))


def view_window(bounds) -> tuple[float, float, float, float]:
    """(south, west, north, east) the basemap must cover: the tour's bounds seen on any screen shape.

    The page never shows more than this window (its lowest zoom keeps the view inside it), so it
    is made large enough for the whole tour fitted on a phone (0.55:1) or a wide screen (1.9:1),
    and most of a zoom step out from there.
    """
    (s, w), (n, e) = bounds or ((-60.0, -180.0), (80.0, 180.0))
    ys, yn = merc_y(s), merc_y(n)
    # At least what the page shows at its closest fit (zoom 6) on a large screen.
    dx, dy = max(e - w, 12.0), max(yn - ys, 8.0)
    half_x = min(max(dx, 1.9 * dy), 180.0)
    half_y = max(dy, dx / 0.55)
    cy, cx = (ys + yn) / 2, (w + e) / 2
    return (max(_lat(cy - half_y), -85.0), cx - half_x, min(_lat(cy + half_y), 85.0), cx + half_x)


def _lat(y: float) -> float:
    """Inverse of merc_y."""
    return math.degrees(2 * math.atan(math.exp(math.radians(y))) - math.pi / 2)


# --- legs --------------------------------------------------------------------------------------

def stop_place(stop: Stop) -> Place:
    return Place(name=stop.name, lat=stop.lat, lon=stop.lon, country=stop.country, kind=stop.kind)


def located(lat: float, lon: float) -> bool:
    """A usable coordinate: finite and on the globe (an unlocated stop is left off the map)."""
    try:
        return math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -540 <= lon <= 540
    except TypeError:
        return False


def display_lons(points: Iterable[tuple[float, float]]) -> list[float]:
    """Longitudes shifted by whole turns so the route never jumps across the antimeridian."""
    out: list[float] = []
    last: float | None = None
    for lat, lon in points:
        if not located(lat, lon):
            out.append(lon)  # carried through unchanged; callers skip it
            continue
        if last is not None:
            lon += 360.0 * round((last - lon) / 360.0)
        out.append(lon)
        last = lon
    return out


def route_points(tour: Tour) -> list[tuple[float, float]]:
    """(lat, display lon) of the origin (if any) then each stop, in travel order."""
    pts = ([(tour.origin.lat, tour.origin.lon)] if tour.origin else []) + [(s.lat, s.lon) for s in tour.stops]
    return list(zip([p[0] for p in pts], display_lons(pts)))


def great_circle(lat1: float, lon1: float, lat2: float, lon2: float, *, km_per_point: float = 40.0
                 ) -> tuple[tuple[float, float], ...]:
    """(lat, lon) points along the geodesic, longitudes continuous from lon1."""
    _az, _baz, dist_m = GEOD.inv(lon1, lat1, lon2, lat2)
    n = max(2, min(256, int(dist_m / 1000 / km_per_point)))
    mids = GEOD.npts(lon1, lat1, lon2, lat2, n - 1) if n > 2 else []
    pts = [(lat1, lon1)] + [(la, lo) for lo, la in mids] + [(lat2, lon2)]
    lons = display_lons(pts)
    return tuple((round(la, 5), round(lo, 5)) for (la, _), lo in zip(pts, lons))


def build_legs(tour: Tour) -> list[Leg]:
    """One leg between each pair of consecutive located points (origin first), skipping
    pairs at the same place."""
    places = ([tour.origin] if tour.origin else []) + [stop_place(s) for s in tour.stops]
    stops = ([None] if tour.origin else []) + list(tour.stops)
    disp = route_points(tour)
    idx = [i for i, p in enumerate(places) if located(p.lat, p.lon)]
    legs = []
    for i, j in zip(idx, idx[1:]):
        a, b = places[i], places[j]
        km = geodesic((a.lat, a.lon), (b.lat, b.lon)).km
        if km < SAME_POINT_KM:
            continue
        stop = stops[j]
        (la1, lo1), (la2, lo2) = disp[i], disp[j]
        legs.append(Leg(start=a, end=b, coords=great_circle(la1, lo1, la2, lo2), distance_km=round(km, 1),
                        date=stop.date, status=stop.status))
    return legs


# --- corridors -------------------------------------------------------------------------------

@dataclass(frozen=True)
class CorridorKnowledge:
    default_width_km: float
    crossings: dict[str, Place]  # "CL-PE" -> crossing
    named: list[dict[str, Any]]


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).casefold().split())


def load_corridors(path: Path) -> CorridorKnowledge:
    """Read config/corridors.yaml (crossings by country pair, named corridors)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    crossings = {}
    for key, c in (raw.get("crossings") or {}).items():
        try:
            pair = "-".join(sorted(str(key).upper().split("-")))
            crossings[pair] = Place(name=str(c["name"]), lat=float(c["lat"]), lon=float(c["lon"]),
                                    kind="crossing", id=f"corridors:{pair}", source=str(path.name))
        except (KeyError, TypeError, ValueError):
            raise ConfigError(f"{path}: crossings.{key}: needs name, lat and lon") from None
    named = raw.get("corridors") or []
    if not isinstance(named, list) or any(not isinstance(c, dict) or "countries" not in c for c in named):
        raise ConfigError(f"{path}: corridors: expected a list of mappings with countries")
    try:
        width = float(raw.get("default_width_km", 50))
    except (TypeError, ValueError):
        raise ConfigError(f"{path}: default_width_km: expected a number") from None
    return CorridorKnowledge(width, crossings, named)


def _gazetteer_crossing(name: str) -> Place | None:
    """The gazetteer's entry for a crossing name, when the gazetteer module and entry exist."""
    try:
        from .gazetteer import default_gazetteer

        found = default_gazetteer().lookup(name, kinds=("crossing",))
    except Exception:  # noqa: BLE001 - the gazetteer is optional here: corridors.yaml has coordinates
        return None
    if isinstance(found, Place):
        return found
    if isinstance(found, (list, tuple)) and found and isinstance(found[0], Place):
        return found[0]
    return None


def corridor_chain(corridor: Corridor, kb: CorridorKnowledge) -> tuple[list[str], float | None]:
    """The country chain to draw, and a named corridor's width if it has one."""
    own = [c.upper() for c in corridor.countries]
    for spec in kb.named:
        names = [_fold(str(m)) for m in (spec.get("match") or [spec.get("name", "")])]
        if _fold(corridor.name) in names or any(n and n in _fold(corridor.name) for n in names):
            chain = [str(c).upper() for c in spec["countries"]]
            if len(own) < len(chain) and all(c in chain for c in own):
                return chain, spec.get("width_km")
            return own, spec.get("width_km")
    return own, None


def corridor_waypoints(countries_chain: list[str], kb: CorridorKnowledge) -> list[Place]:
    pts = []
    for a, b in zip(countries_chain, countries_chain[1:]):
        known = kb.crossings.get("-".join(sorted((a, b))))
        if known is None:
            continue
        found = _gazetteer_crossing(known.name)
        # Trust the gazetteer only when it agrees with our own coordinates (same crossing).
        if found and geodesic((found.lat, found.lon), (known.lat, known.lon)).km < 30:
            pts.append(found)
        else:
            pts.append(known)
    return pts


def aeqd(lat: float, lon: float) -> tuple[Transformer, Transformer]:
    crs = CRS.from_proj4(f"+proj=aeqd +lat_0={lat:.6f} +lon_0={lon:.6f} +datum=WGS84 +units=m +no_defs")
    wgs = CRS.from_epsg(4326)
    return (Transformer.from_crs(wgs, crs, always_xy=True), Transformer.from_crs(crs, wgs, always_xy=True))


def _project(geom, tr: Transformer):
    return shapely.transform(geom, lambda xy: _xy(tr, xy))


def _xy(tr: Transformer, xy, lon0: float | None = None):
    import numpy as np

    x, y = tr.transform(xy[:, 0], xy[:, 1])
    if lon0 is not None:
        # Back in degrees: keep longitudes within half a turn of the centre, so a shape that
        # straddles 180 degrees stays one piece instead of spanning the whole world.
        x = x + 360.0 * np.round((lon0 - x) / 360.0)
    return np.column_stack([x, y])


def _unproject(geom, tr: Transformer, lon0: float):
    return shapely.transform(geom, lambda xy: _xy(tr, xy, lon0))


def buffer_km(geom, km: float, *, centre: tuple[float, float] | None = None):
    """`geom` (lon/lat) buffered by `km` on the ground, back in lon/lat."""
    c = geom.centroid if centre is None else Point(centre[1], centre[0])
    fwd, back = aeqd(c.y, c.x)
    # 200 m of simplification is invisible at any zoom the map allows and halves the vertices.
    # Each part on its own, then the union: GEOS buffering a collection whose line loops back over
    # one of its points could leave that point in a hole.
    parts = getattr(geom, "geoms", [geom])
    flat = shapely.union_all([_project(g, fwd).buffer(km * 1000, quad_segs=16) for g in parts])
    out = _unproject(flat.simplify(200), back, c.x)
    # Back in degrees, two stretches of outline that nearly touched may cross: union the rings
    # ("structure") rather than read the crossing as a hole around a waypoint.
    return _polygons(shapely.make_valid(out, method="structure"))


def build_corridor(corridor: Corridor, kb: CorridorKnowledge) -> None:
    """Fill the corridor's waypoints (when the article gave none) and its polygon, in place."""
    chain, named_width = corridor_chain(corridor, kb)
    if not corridor.waypoints:
        corridor.waypoints = corridor_waypoints(chain, kb)
    pts = corridor.waypoints
    width = corridor.width_km if corridor.width_km and corridor.width_km > 0 else (named_width or kb.default_width_km)
    if not pts:
        corridor.geometry = None
        return
    # Continuous longitudes along the route, so a corridor across 180 degrees stays one shape.
    lons = display_lons([(w.lat, w.lon) for w in pts])
    stops = [(lo, w.lat) for w, lo in zip(pts, lons)]
    if len(pts) == 1:
        line = Point(stops[0])
    else:
        coords: list[tuple[float, float]] = []
        for (lo1, la1), (lo2, la2) in zip(stops, stops[1:]):
            seg = great_circle(la1, lo1, la2, lo2, km_per_point=25)
            coords += [(lo, la) for la, lo in (seg if not coords else seg[1:])]
        # The waypoints are buffered too: a route that comes back on itself is a closed line,
        # and GEOS gives closed lines no end caps.
        line = GeometryCollection([LineString(coords), MultiPoint(stops)])
    poly = buffer_km(line, width / 2)
    if poly is not None:
        poly = _on_land(poly, stops)
    corridor.geometry = _geojson(poly, DIGITS) if poly is not None else None
    if poly is not None:
        # What the map shows is what the data says: the countries the drawn corridor crosses, in
        # the order its route meets them (an article's "Peru and Ecuador" becomes the chain drawn).
        crossed = corridor_countries(poly, line)
        if crossed:
            corridor.countries = crossed


def _on_land(poly, ends):
    """A corridor is a land route: the part of its buffer over the sea is cut away, keeping a
    small disc around each waypoint so that it still reaches them. A corridor mostly at sea (a
    sea lane) is left as it is."""
    # Country by country: each piece is small, where a union of whole countries is not.
    pieces = [make_valid(poly.intersection(g)) for _code, g in _countries_near(poly)]
    out = _polygons(shapely.union_all(pieces)) if pieces else None
    if out is None or out.area < 0.5 * poly.area:
        return poly
    # 2 km discs: small enough that degrees scaled by latitude are exact enough.
    discs = [shapely.affinity.scale(Point(lon, lat).buffer(2.0 / 111.32, quad_segs=8),
                                    xfact=1 / max(math.cos(math.radians(lat)), 0.05), yfact=1.0)
             for lon, lat in ends]
    return _polygons(make_valid(shapely.union_all([out] + discs))) or out


@lru_cache(maxsize=1)
def _country_index() -> tuple[list[str], list[Any], Any]:
    codes = sorted(countries())
    geoms = [countries()[c] for c in codes]
    return codes, geoms, shapely.STRtree(geoms)


def _countries_near(geom) -> list[tuple[str, Any]]:
    """(code, shape) of the countries `geom` intersects, in code order."""
    codes, geoms, tree = _country_index()
    return [(codes[i], geoms[i]) for i in sorted(tree.query(geom, predicate="intersects").tolist())]


def corridor_countries(poly, line) -> list[str]:
    """ISO codes of the countries a corridor polygon crosses (more than a sliver), in route order."""
    route = line.geoms[0] if hasattr(line, "geoms") else line
    found = []
    for code, g in _countries_near(poly):
        part = g.intersection(poly)
        if part.is_empty or part.area < 0.03 * poly.area and part.area < 0.05:
            continue
        found.append((route.project(part.representative_point()) if route.length else 0.0, code))
    return [code for _, code in sorted(found)]


# --- regions ---------------------------------------------------------------------------------

def find_admin1(region: Region) -> Any | None:
    """The admin-1 polygon a region names: by ISO code of its anchor, its name, or containment."""
    wanted = {c.upper() for c in region.countries}
    rows = [(p, g) for p, g in admin1() if not wanted or p.get("iso_a2") in wanted]
    code = region.anchor.admin1 if region.anchor else None
    if code:
        hits = [g for p, g in rows if p.get("iso_3166_2") == code]
        if hits:
            return shapely.union_all(hits)
    name = _fold(region.name.split("(")[0])
    for p, g in rows:
        if name and name in {_fold(str(p.get(k) or "")) for k in ("name", "name_es", "name_en", "name_pt")}:
            return g
    if region.anchor:
        pt = Point(region.anchor.lon, region.anchor.lat)
        for p, g in rows:
            if g.contains(pt):
                return g
    return None


def border_band(region: Region) -> Any | None:
    """The stretch of the shared border of two countries near the anchor, as a band."""
    codes = [c.upper() for c in region.countries[:2]]
    polys = countries()
    if len(codes) < 2 or any(c not in polys for c in codes):
        return None
    a, b = polys[codes[0]], polys[codes[1]]
    # Both outlines come from one topology, so the shared border is the same line in both;
    # the tiny buffer only guards against rounding.
    shared = a.boundary.intersection(b.buffer(0.01))
    if shared.is_empty or shared.length == 0:
        return None
    if region.anchor:
        centre = (region.anchor.lat, region.anchor.lon)
        fwd, back = aeqd(*centre)
        local = _project(shared, fwd).intersection(Point(0, 0).buffer(BORDER_RADIUS_KM * 1000, quad_segs=32))
        if local.is_empty:
            return None
        return _polygons(make_valid(_unproject(local.buffer(BORDER_HALF_WIDTH_KM * 1000, quad_segs=16).simplify(200), back,
                                               region.anchor.lon)))
    return buffer_km(shared, BORDER_HALF_WIDTH_KM)


def build_region(region: Region) -> None:
    """Fill region.geometry in place: border band, admin-1 polygon, else a circle at the anchor."""
    geom = None
    if region.kind == "admin":
        geom = find_admin1(region)
    if geom is None and len(region.countries) >= 2:
        geom = border_band(region)
    if geom is None and region.kind != "admin" and region.anchor and region.anchor.admin1:
        geom = find_admin1(region)
    if geom is None and region.anchor:
        geom = buffer_km(Point(region.anchor.lon, region.anchor.lat), CIRCLE_RADIUS_KM)
    region.geometry = _geojson(geom, DIGITS) if geom is not None else None


# --- the stage -------------------------------------------------------------------------------

def build_geometry(tour: Tour, *, settings: Settings) -> TourGeometry:
    """Legs, corridor polygons, region shapes, the bounds the map fits to and the basemap.

    Fills `geometry` (and a corridor's empty `waypoints`) on the tour's own regions and
    corridors, so tour.json carries the same shapes the map draws.
    """
    kb = load_corridors(settings.knowledge("corridors.yaml"))
    legs = build_legs(tour)
    for c in tour.corridors:
        if c.geometry is None:
            build_corridor(c, kb)
    for r in tour.regions:
        if r.geometry is None:
            build_region(r)
    bounds = tour_bounds(tour)
    base, window = basemap(bounds)
    return TourGeometry(legs=legs, regions=list(tour.regions), corridors=list(tour.corridors),
                        bounds=bounds, basemap=base, window=window)


def tour_bounds(tour: Tour) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """((south, west), (north, east)) around stops, origin, regions and corridors."""
    pts = [p for p in route_points(tour) if located(*p)]
    lats = [p[0] for p in pts]
    lons = [p[1] for p in pts]
    for g in [r.geometry for r in tour.regions] + [c.geometry for c in tour.corridors]:
        if g:
            w, s, e, n = shape(g).bounds
            lats += [s, n]
            lons += [w, e]
    if not lats:
        return None
    return ((round(min(lats), 4), round(min(lons), 4)), (round(max(lats), 4), round(max(lons), 4)))


# --- helpers ---------------------------------------------------------------------------------

def _polygons(geom) -> Polygon | MultiPolygon | None:
    if geom is None or geom.is_empty:
        return None
    parts = [g for g in getattr(geom, "geoms", [geom]) if isinstance(g, (Polygon, MultiPolygon))]
    flat = [p for g in parts for p in getattr(g, "geoms", [g]) if not p.is_empty and p.area > 0]
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else MultiPolygon(flat)


def _geojson(geom, digits: int) -> dict[str, Any]:
    """GeoJSON with rounded coordinates, exterior rings counter-clockwise (RFC 7946)."""
    geom = shapely.set_precision(geom, 10 ** -digits)
    geom = _polygons(make_valid(geom)) or geom
    if isinstance(geom, (Polygon, MultiPolygon)):
        geom = shapely.orient_polygons(geom) if hasattr(shapely, "orient_polygons") else geom
    out = mapping(geom)
    return json.loads(json.dumps(out))  # tuples -> lists: plain JSON data


def merc_y(lat: float) -> float:
    """Web Mercator northing in degree-like units (same scale as longitude), clamped at 85 degrees."""
    lat = max(min(lat, 85.0), -85.0)
    return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))


def bearing_on_screen(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Direction from point 1 to point 2 as drawn in Web Mercator, degrees clockwise from north."""
    return math.degrees(math.atan2(lon2 - lon1, merc_y(lat2) - merc_y(lat1))) % 360
