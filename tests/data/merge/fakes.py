"""Stand-ins for the extraction and rendering stages, so build/site tests run without them.

A fake article is YAML front matter with the answer in it (traveler, stops) and any body.
`install()` patches tourmap; running this file as a script runs the CLI with the fakes installed
(for subprocess tests): python fakes.py publish ARTICLES -o SITE
"""
from __future__ import annotations

import html
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent


def fake_extract(path, settings, *, published=None, language=None):
    from tourmap.models import Article, Evidence, Stop, Tour

    path = Path(path)
    raw = path.read_text(encoding="utf-8")
    _, front, body = raw.split("---", 2)
    meta = yaml.safe_load(front) or {}
    pub = published or (str(meta["published"]) if meta.get("published") else None)
    art = Article(id=path.stem, path=str(path), title=str(meta.get("title", path.stem)), text=body,
                  published=pub, language=meta.get("language", "es"), source=str(path))
    stops = []
    for s in meta.get("stops") or []:
        quote = s.get("quote", s["name"])
        start = max(body.find(quote), 0)
        stops.append(Stop(name=s["name"], lat=s["lat"], lon=s["lon"], country=s.get("country"),
                          date=str(s["date"]) if s.get("date") else None,
                          status=s.get("status", "planned"), met=list(s.get("met") or []),
                          landmark=s.get("landmark"),
                          evidence=[Evidence(path.stem, quote, start, start + len(quote))]))
    return Tour(articles=[art], traveler=meta.get("traveler"), stops=stops,
                title=str(meta.get("title", "")))


def fake_write_tour(tour, out_dir, settings):
    from tourmap.build import BuiltTour, swap_in
    from tourmap.embed import embed_snippet
    from tourmap.export import dumps, stops_csv, tour_geojson
    from tourmap.models import TourGeometry

    names = ", ".join(html.escape(s.name) for s in tour.stops)
    files = {
        "index.html": f"<!doctype html><title>{html.escape(tour.title)}</title><p>{names}</p>\n",
        "tour.json": dumps(tour.to_json()),
        "tour.geojson": dumps(tour_geojson(tour, TourGeometry())),
        "stops.csv": stops_csv(tour),
        "embed.html": embed_snippet(tour, settings=settings),
        "map.png": b"\x89PNG\r\n\x1a\n" + tour.slug.encode(),
    }
    target = Path(out_dir) / tour.slug
    swap_in(target, files)
    return BuiltTour(tour.slug, target, tour)


def install(monkeypatch=None):
    import tourmap.build
    import tourmap.pipeline

    if monkeypatch is not None:
        monkeypatch.setattr(tourmap.pipeline, "extract_one", fake_extract)
        monkeypatch.setattr(tourmap.build, "write_tour", fake_write_tour)
    else:
        tourmap.pipeline.extract_one = fake_extract
        tourmap.build.write_tour = fake_write_tour


def write_article(folder: Path, name: str, *, traveler: str, published: str, stops: list[dict],
                  title: str = "", body: str = "Texto de prueba.") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    meta = {"title": title or f"{traveler} {published}", "published": published, "traveler": traveler,
            "stops": stops}
    p = folder / name
    p.write_text("---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=True) + "---\n" + body + "\n",
                 encoding="utf-8")
    return p


QUITO = {"name": "Quito", "lat": -0.2201, "lon": -78.5123, "country": "EC"}
LIMA = {"name": "Lima", "lat": -12.0453, "lon": -77.0311, "country": "PE"}
BSAS = {"name": "Buenos Aires", "lat": -34.6081, "lon": -58.3703, "country": "AR"}
MEXICO = {"name": "Ciudad de México", "lat": 19.4326, "lon": -99.1332, "country": "MX"}
MADRID = {"name": "Madrid", "lat": 40.4168, "lon": -3.7038, "country": "ES"}


if __name__ == "__main__":
    install()
    from tourmap.cli import main

    sys.argv[0] = "tourmap"
    main()
