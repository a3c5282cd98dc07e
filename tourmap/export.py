"""Tables of a tour for people and spreadsheets (pandas), and the GeoJSON of everything drawn."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .models import Tour, TourGeometry

if TYPE_CHECKING:
    import pandas as pd

STOP_COLUMNS = ["order", "name", "country", "lat", "lon", "date", "date_end", "status", "met",
                "landmark", "confidence", "sources", "evidence"]


def stops_frame(tour: Tour) -> "pd.DataFrame":
    import pandas as pd  # imported here: the JSON path of `extract` should not pay for pandas

    rows = []
    for i, s in enumerate(tour.stops, 1):
        rows.append({
            "order": i, "name": s.name, "country": s.country or "", "lat": round(s.lat, 4),
            "lon": round(s.lon, 4), "date": s.date or "", "date_end": s.date_end or "",
            "status": s.status, "met": "; ".join(s.met), "landmark": s.landmark or "",
            "confidence": round(s.confidence, 2), "sources": "; ".join(s.sources),
            "evidence": " | ".join(e.quote for e in s.evidence),
        })
    return pd.DataFrame(rows, columns=STOP_COLUMNS)


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _inert(value):
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def stops_csv(tour: Tour) -> str:
    frame = stops_frame(tour)
    for col in frame.columns:
        if frame[col].dtype == object or str(frame[col].dtype).startswith("str"):
            frame[col] = frame[col].map(_inert)
    return frame.to_csv(index=False, lineterminator="\n")


def tour_table(tour: Tour) -> str:
    """A plain-text view for the terminal: the stops, then anything an editor should check."""
    head = [f"Tour: {tour.title or tour.slug}" + (f" [{tour.slug}]" if tour.slug else ""),
            f"Traveler: {tour.traveler or '?'}"]
    if tour.origin:
        head.append(f"Origin: {tour.origin.name} ({tour.origin.country or '?'})")
    for a in tour.articles:
        inferred = " (inferred)" if a.published_inferred else ""
        head.append(f"Article: {a.id}  published {a.published or '?'}{inferred}")
    frame = stops_frame(tour)[["order", "name", "country", "date", "status", "met", "landmark", "confidence",
                               "sources"]]
    if any(s.source for s in tour.stops):  # a language model read it: who found each stop
        frame["found by"] = [s.source or "" for s in tour.stops]
    body = frame.to_string(index=False) if len(frame) else "(no stops found)"
    extra = []
    for r in tour.regions:
        extra.append(f"Region: {r.name} [{r.kind}] {'-'.join(r.countries)}")
    for c in tour.corridors:
        extra.append(f"Corridor: {c.name} ({c.status}) {' > '.join(c.countries)}")
    if tour.rejected:
        extra.append("Rejected (the model's stops the text does not support):")
        extra += [f"  - {r['name']} ({r['article']}): {r['reason']}" for r in tour.rejected]
    if tour.conflicts:
        extra.append("Conflicts:")
        extra += [f"  - {c}" for c in tour.conflicts]
    return "\n".join(head + ["", body, ""] + extra).rstrip() + "\n"


def tour_geojson(tour: Tour, geom: TourGeometry) -> dict[str, Any]:
    feats: list[dict[str, Any]] = []
    for i, s in enumerate(tour.stops, 1):
        props = {k: v for k, v in s.to_json().items() if k not in ("lat", "lon")}
        feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(s.lon, 5), round(s.lat, 5)]},
                      "properties": {"feature": "stop", "order": i, **props}})
    if tour.origin:
        o = tour.origin
        feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(o.lon, 5), round(o.lat, 5)]},
                      "properties": {"feature": "origin", "name": o.name, "country": o.country}})
    for leg in geom.legs:
        feats.append({"type": "Feature",
                      "geometry": {"type": "LineString", "coordinates": [[round(lon, 5), round(lat, 5)] for lat, lon in leg.coords]},
                      "properties": {"feature": "leg", "from": leg.start.name, "to": leg.end.name, "date": leg.date,
                                     "status": leg.status, "distance_km": round(leg.distance_km, 1)}})
    for c in geom.corridors:
        if c.geometry:
            feats.append({"type": "Feature", "geometry": c.geometry,
                          "properties": {"feature": "corridor", "name": c.name, "status": c.status,
                                         "countries": c.countries, "width_km": c.width_km}})
    for r in geom.regions:
        if r.geometry:
            feats.append({"type": "Feature", "geometry": r.geometry,
                          "properties": {"feature": "region", "name": r.name, "kind": r.kind, "countries": r.countries}})
    return {"type": "FeatureCollection", "features": feats}


def dumps(obj: Any) -> str:
    """Stable JSON text: same object, same bytes."""
    return json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
