"""The straight line from one article file to its tour; the CLI and the build call only this.

Merging several articles into one tour is the merge stage (merge.py), called after this.
"""
from __future__ import annotations

from pathlib import Path

from .config import Settings
from .models import Tour


def extract_one(path: str | Path, settings: Settings, *, published: str | None = None,
                language: str | None = None, refresh: bool = False) -> Tour:
    """article -> mentions -> tour -> geocode, for one article file.

    With `extractor.backend` llm or hybrid, a language model also reads the article and its answer,
    grounded in the text (grounding.py), gives the stops; the rules' tour is still made (it is
    cheap next to the model) for what the model is not asked and for the fallback. `refresh` asks
    the model again instead of using its cached answer.
    """
    from .article import read_article
    from .mentions import find_mentions
    from .tour import assemble_tour

    article = read_article(path, published=published, language=language)
    mentions = find_mentions(article, settings=settings)
    tour = assemble_tour(mentions, settings=settings)
    if settings.extractor.backend != "rules":
        from .grounding import read_with_model  # the rules path never imports the model's code

        tour = read_with_model(article, tour, settings, refresh=refresh)
    if not settings.geocoder.online:
        return tour  # the gazetteer placed every stop; geopy and requests need not even be imported
    from .geocode import locate_tour

    return locate_tour(tour, settings=settings)


def read_articles_with_model(paths: list[Path], settings: Settings, *, published: str | None = None,
                             language: str | None = None, refresh: bool = False, progress=None) -> None:
    """Ask the model about many articles at once (up to llm.max_concurrency requests in flight), so
    that extract_one for each then finds its answer ready. Nothing to do for the rules backend."""
    if settings.extractor.backend == "rules" or not paths:
        return
    from . import llm

    llm.reset()  # a new run: a new breaker, nothing remembered from an earlier batch
    from .article import read_article
    from .errors import TourmapError

    articles = []
    for p in paths:
        try:
            articles.append(read_article(p, published=published, language=language))
        except TourmapError:
            continue  # extract_one reports it, in order
    llm.read_many(articles, settings.extractor.llm, refresh=refresh, progress=progress)
