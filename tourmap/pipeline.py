"""The straight line from one article file to its tour; the CLI and the build call only this.

Merging several articles into one tour is the merge stage (merge.py), called after this.
"""
from __future__ import annotations

from pathlib import Path

from .config import Settings
from .models import Tour


def extract_one(path: str | Path, settings: Settings, *, published: str | None = None,
                language: str | None = None) -> Tour:
    """article -> mentions -> tour -> geocode, for one article file."""
    from .article import read_article
    from .mentions import find_mentions
    from .tour import assemble_tour

    article = read_article(path, published=published, language=language)
    mentions = find_mentions(article, settings=settings)
    tour = assemble_tour(mentions, settings=settings)
    if not settings.geocoder.online:
        return tour  # the gazetteer placed every stop; geopy and requests need not even be imported
    from .geocode import locate_tour

    return locate_tour(tour, settings=settings)
