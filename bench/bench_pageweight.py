"""Page weight and build time of the map page, beside folium's default map of the same tour.

    python bench/bench_pageweight.py

Ours: index.html is the whole page, built with folium but without its CDN assets (Leaflet, basemap
and data inlined; it loads no other file).
folium: folium.Map + Markers + PolyLine saved with its default CDN assets; the size of each CDN file
is taken from the npm package of the same version (`npm pack`, cached in .cache/npm). Files with
no npm twin (awesome-markers, glyphicons, rotate CSS) and OSM tiles are not counted, so the folium
figure is a lower bound and the ratio errs in folium's favour.
"""
from __future__ import annotations

import gzip
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
CACHE = ROOT / ".cache" / "npm"

# CDN URL fragment -> (npm package, version, file inside the tarball)
NPM_TWINS = {
    "leaflet@1.9.3/dist/leaflet.js": ("leaflet", "1.9.3", "package/dist/leaflet.js"),
    "leaflet@1.9.3/dist/leaflet.css": ("leaflet", "1.9.3", "package/dist/leaflet.css"),
    "jquery-3.7.1.min.js": ("jquery", "3.7.1", "package/dist/jquery.min.js"),
    "bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js": ("bootstrap", "5.2.2", "package/dist/js/bootstrap.bundle.min.js"),
    "bootstrap@5.2.2/dist/css/bootstrap.min.css": ("bootstrap", "5.2.2", "package/dist/css/bootstrap.min.css"),
    "fontawesome-free@6.2.0/css/all.min.css": ("@fortawesome/fontawesome-free", "6.2.0", "package/css/all.min.css"),
}


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def npm_file(name: str, version: str, member: str) -> bytes | None:
    CACHE.mkdir(parents=True, exist_ok=True)
    tgz = CACHE / f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"
    try:
        if not tgz.exists():
            out = subprocess.run(["npm", "pack", f"{name}@{version}", "--silent"], cwd=CACHE, check=True,
                                 capture_output=True, text=True, timeout=120).stdout.strip().splitlines()[-1]
            (CACHE / out).rename(tgz) if (CACHE / out) != tgz else None
        with tarfile.open(tgz) as tar:
            return tar.extractfile(member).read()
    except Exception:  # noqa: BLE001 - offline: that file is left out of the folium total
        return None


def folium_default(tour) -> tuple[bytes, list[tuple[str, bytes | None]]]:
    import folium

    m = folium.Map(location=[tour.stops[0].lat, tour.stops[0].lon], zoom_start=4)
    pts = ([(tour.origin.lat, tour.origin.lon)] if tour.origin else []) + [(s.lat, s.lon) for s in tour.stops]
    for s in tour.stops:
        folium.Marker([s.lat, s.lon], popup=s.name, tooltip=s.name).add_to(m)
    folium.PolyLine(pts).add_to(m)
    page = m.get_root().render().encode("utf-8")
    assets = []
    for _name, url in m.default_js + m.default_css:
        twin = next((v for k, v in NPM_TWINS.items() if k in url), None)
        assets.append((url, npm_file(*twin) if twin else None))
    return page, assets


def run() -> list[dict]:
    from map_fixtures import seed_tour, settings

    from tourmap.geometry import build_geometry
    from tourmap.render import render_map
    from tourmap.static import render_static

    s = settings()
    t0 = time.perf_counter()
    tour = seed_tour()
    geom = build_geometry(tour, settings=s)
    t1 = time.perf_counter()
    ours = render_map(tour, geom, settings=s).encode("utf-8")
    t2 = time.perf_counter()
    render_static(tour, geom, settings=s)
    t3 = time.perf_counter()
    from tourmap.render import _leaflet

    leaflet = sum(len(x.encode("utf-8")) for x in _leaflet())
    text = ours.decode("utf-8")
    map_js = text[text.rindex("<script>") + 8:text.rindex("</script>")].encode("utf-8")
    page, assets = folium_default(seed_tour())
    counted = [(u, d) for u, d in assets if d is not None]
    f_raw = len(page) + sum(len(d) for _u, d in counted)
    f_gz = gz(page) + sum(gz(d) for _u, d in counted)
    rows = [
        {"metric": "ours: index.html raw (whole page)", "value": len(ours), "unit": "bytes",
         "note": "Leaflet, basemap and data inlined; 0 other requests"},
        {"metric": "ours: index.html gzip", "value": gz(ours), "unit": "bytes", "note": "gzip -9"},
        {"metric": "ours: of which Leaflet js+css raw", "value": leaflet, "unit": "bytes",
         "note": "vendored Leaflet 1.9.4, the floor for a Leaflet page"},
        {"metric": "ours: of which folium's map script raw", "value": len(map_js), "unit": "bytes",
         "note": f"gzip {gz(map_js)}; basemap, layers, popups, tooltips"},
        {"metric": "folium default: page + CDN files raw", "value": f_raw, "unit": "bytes",
         "note": f"{len(counted)} of {len(assets)} CDN files measured from npm twins; tiles not counted"},
        {"metric": "folium default: gzip", "value": f_gz, "unit": "bytes", "note": "each file gzip -9"},
        {"metric": "ratio raw ours/folium", "value": round(len(ours) / f_raw, 3), "unit": "x", "note": "target < 0.25"},
        {"metric": "ratio gzip ours/folium", "value": round(gz(ours) / f_gz, 3), "unit": "x", "note": ""},
        {"metric": "folium default: third-party hosts", "value": len({u.split('/')[2] for u, _d in assets}),
         "unit": "hosts", "note": "ours: 0"},
        {"metric": "build_geometry time", "value": round((t1 - t0) * 1000, 1), "unit": "ms", "note": "seed-shaped tour"},
        {"metric": "render_map time", "value": round((t2 - t1) * 1000, 1), "unit": "ms", "note": ""},
        {"metric": "render_static time (png+svg)", "value": round((t3 - t2) * 1000, 1), "unit": "ms", "note": ""},
    ]
    return rows


def main() -> None:
    from _table import print_rows  # bench/ is on sys.path when a bench is run as a script

    print_rows(run())


if __name__ == "__main__":
    main()
