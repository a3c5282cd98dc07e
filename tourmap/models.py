"""Plain typed data passed between the stages.

article -> mentions -> tour -> geometry -> map -> site

Every stage takes and returns these dataclasses; no stage reads another's internals.
Dates are ISO strings with the precision the text gives: "2025-12-22", "2026-01", "2026".
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["completed", "planned"]
PlaceKind = Literal[
    "city", "capital", "country", "admin", "landmark", "crossing", "airport", "region", "other"
]


@dataclass(frozen=True)
class Place:
    """A point on the map with a name: a city, a country, a landmark, a border crossing."""

    name: str
    lat: float
    lon: float
    country: str | None = None  # ISO 3166-1 alpha-2
    kind: PlaceKind = "city"
    population: int = 0
    admin1: str | None = None  # ISO 3166-2 code when known ("CL-AP")
    id: str = ""  # stable id: "gn:3871336", "curated:la-moneda"
    source: str = ""  # where the coordinates come from

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "country": self.country,
            "lat": round(self.lat, 4),
            "lon": round(self.lon, 4),
            "kind": self.kind,
        }


@dataclass(frozen=True)
class Article:
    """One news article as read from disk: metadata plus plain body text."""

    id: str  # file stem
    path: str
    title: str
    text: str  # body text, the coordinate space of every offset downstream
    published: str | None  # YYYY-MM-DD
    published_inferred: bool = False
    language: str = "es"
    source: str = ""  # first source URL, else the path
    source_urls: tuple[str, ...] = ()
    sha256: str = ""

    def ref(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "published": self.published,
            "published_inferred": self.published_inferred,
            "language": self.language,
            "source": self.source,
        }


@dataclass(frozen=True)
class Evidence:
    article: str  # Article.id
    quote: str
    start: int  # character offsets into Article.text
    end: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Span:
    """A stretch of an article's text."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class PlaceMention:
    """A name in the text that the gazetteer knows, with the candidates it could mean."""

    span: Span
    sentence: int  # index into Mentions.sentences
    candidates: tuple[Place, ...]


@dataclass(frozen=True)
class PersonMention:
    span: Span
    sentence: int
    name: str  # canonical name when known (office-holders file), else as written
    role: str | None = None  # "president", "foreign minister"...
    country: str | None = None


@dataclass(frozen=True)
class DateMention:
    span: Span
    sentence: int
    value: str  # ISO with the precision the text gives
    value_end: str | None = None


@dataclass(frozen=True)
class Mentions:
    """Everything the extraction found in one article, before deciding what the trip is."""

    article: Article
    sentences: tuple[Span, ...]
    places: tuple[PlaceMention, ...] = ()
    people: tuple[PersonMention, ...] = ()
    dates: tuple[DateMention, ...] = ()


@dataclass
class Stop:
    """One stop of the tour."""

    name: str
    lat: float
    lon: float
    country: str | None = None
    date: str | None = None
    date_end: str | None = None
    status: Status = "planned"
    met: list[str] = field(default_factory=list)
    landmark: str | None = None
    evidence: list[Evidence] = field(default_factory=list)
    confidence: float = 0.5
    kind: PlaceKind = "city"
    sources: list[str] = field(default_factory=list)  # article ids that support the stop
    pinned: bool = False  # set by an editor in config: merges never override it
    # Set only when a language model read the article (extractor llm or hybrid): who found the
    # stop ("llm", "rules" or "both"), and "model" when the place is at the model's coordinates
    # because the gazetteer does not know it. None keeps the rules' JSON as it always was.
    source: str | None = None
    geocoded_by: str | None = None
    # Which article each kept value came from ("config" for an editor's): {"place": id, "date": id,
    # "status": id, "landmark": id, "met": {name: id}}; filled by the merge stage.
    provenance: dict[str, Any] = field(default_factory=dict)
    unconfirmed: bool = False  # below the review threshold, published marked "to be confirmed"

    def to_json(self) -> dict[str, Any]:
        out = {
            "name": self.name,
            "country": self.country,
            "lat": round(self.lat, 4),
            "lon": round(self.lon, 4),
            "date": self.date,
            "date_end": self.date_end,
            "status": self.status,
            "met": list(self.met),
            "landmark": self.landmark,
            "evidence": [e.to_json() for e in self.evidence],
            "confidence": round(self.confidence, 2),
            "kind": self.kind,
            "sources": list(self.sources),
            "provenance": self.provenance,
            **({"unconfirmed": True} if self.unconfirmed else {}),
        }
        if self.source is not None:
            out["source"] = self.source
        if self.geocoded_by is not None:
            out["geocoded_by"] = self.geocoded_by
        return out


@dataclass
class Region:
    """An area the story is about: a border stretch or a named first-level region."""

    name: str
    kind: Literal["border", "admin"] = "border"
    countries: list[str] = field(default_factory=list)
    anchor: Place | None = None  # the place the article names for it (Arica)
    geometry: dict[str, Any] | None = None  # GeoJSON, filled by the geometry stage
    evidence: list[Evidence] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "countries": list(self.countries),
            "anchor": self.anchor.to_json() if self.anchor else None,
            "geometry": self.geometry,
            "evidence": [e.to_json() for e in self.evidence],
        }


@dataclass
class Corridor:
    """A proposed route (a humanitarian corridor) through several countries."""

    name: str
    status: str = "proposed"
    countries: list[str] = field(default_factory=list)  # in order along the corridor
    waypoints: list[Place] = field(default_factory=list)
    width_km: float = 50.0
    geometry: dict[str, Any] | None = None  # GeoJSON polygon, filled by the geometry stage
    evidence: list[Evidence] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "countries": list(self.countries),
            "waypoints": [w.to_json() for w in self.waypoints],
            "width_km": self.width_km,
            "geometry": self.geometry,
            "evidence": [e.to_json() for e in self.evidence],
        }


@dataclass
class Tour:
    """The trip: who travels, where from, the stops in travel order, and the story's context."""

    articles: list[Article]
    traveler: str | None = None
    origin: Place | None = None
    stops: list[Stop] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)
    corridors: list[Corridor] = field(default_factory=list)
    title: str = ""
    subtitle: str = ""
    slug: str = ""
    conflicts: list[str] = field(default_factory=list)  # merge conflicts an editor should see
    # Set when a language model was asked (extractor llm or hybrid): what read each article
    # ({"backend", "model", "prompt", "schema"}, or the fallback and why) and the model's stops
    # that grounding turned down, each with its reason.
    extractor: dict[str, Any] | None = None
    rejected: list[dict[str, Any]] = field(default_factory=list)
    lang: str = ""  # the tour's one language, set by the merge stage; empty: most of its articles'
    held: list[Stop] = field(default_factory=list)  # below the review threshold: not published

    @property
    def language(self) -> str:
        if self.lang:
            return self.lang
        counts: dict[str, int] = {}
        for a in self.articles:  # ties: the earlier article's language
            counts[a.language] = counts.get(a.language, 0) + 1
        return max(counts, key=counts.get) if counts else "es"

    @property
    def published(self) -> str | None:
        dates = [a.published for a in self.articles if a.published]
        return max(dates) if dates else None

    def to_json(self) -> dict[str, Any]:
        """The tour JSON: docs/tour-json.md."""
        return {
            "articles": [a.ref() for a in self.articles],
            "slug": self.slug,
            "language": self.language,
            "title": self.title,
            "subtitle": self.subtitle,
            "traveler": {"name": self.traveler} if self.traveler else None,
            "origin": self.origin.to_json() if self.origin else None,
            "stops": [s.to_json() for s in self.stops],
            "regions": [r.to_json() for r in self.regions],
            "corridors": [c.to_json() for c in self.corridors],
            "conflicts": list(self.conflicts),
            **({"extractor": self.extractor, "rejected": list(self.rejected)} if self.extractor else {}),
        }


@dataclass(frozen=True)
class Leg:
    """The way from one stop (or the origin) to the next, as a great-circle curve."""

    start: Place
    end: Place
    coords: tuple[tuple[float, float], ...]  # (lat, lon) along the geodesic
    distance_km: float
    date: str | None
    status: Status  # "completed" when the arrival stop is completed


@dataclass
class TourGeometry:
    """What the map draws besides the stop markers."""

    legs: list[Leg] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)  # with geometry filled
    corridors: list[Corridor] = field(default_factory=list)  # with geometry filled
    bounds: tuple[tuple[float, float], tuple[float, float]] | None = None  # ((s, w), (n, e))
    # Country outlines (GeoJSON FeatureCollection, property iso2) clipped to `window` ((s, w), (n, e)),
    # the area any screen shape may show around `bounds`.
    basemap: dict[str, Any] | None = None
    window: tuple[tuple[float, float], tuple[float, float]] | None = None
