"""What the extraction knows, loaded once from the settings' files and passed to every stage.

Lexicons (per-language words and patterns), office-holders, places (the shipped gazetteer plus
the newsroom's own `places.yaml`) and the trained decisions. A newsroom's config folder can hold
its own copy of any knowledge file; each file is read once per process, and everything compiled
from it (patterns, word sets) hangs on the object built from that file, so two configs never
share each other's patterns.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from .decide import Decisions, load_decisions
from .gazetteer import INDEX_PATH, Gazetteer, load_gazetteer
from .lexicon import Lexicon, all_lexicons
from .people import Officeholders, PeopleWords, load_officeholders, people_words


@dataclass(frozen=True, eq=False)
class Knowledge:
    lexicons: dict[str, Lexicon]
    officeholders: Officeholders
    gazetteer: Gazetteer
    decisions: Decisions = field(default_factory=Decisions)
    files: tuple[str, ...] = ()  # where it came from

    def lexicon(self, lang: str) -> Lexicon:
        """One language's words; an unknown language reads as Spanish."""
        return self.lexicons.get(lang) or self.lexicons.get("es") or next(iter(self.lexicons.values()))

    @cached_property
    def people_words(self) -> PeopleWords:
        return people_words(tuple(self.lexicons.values()))


def knowledge_for(settings) -> Knowledge:
    """The knowledge a `tourmap.config.Settings` points at (its config folder first, then the shipped files)."""
    return load_knowledge(str(settings.knowledge("lexicon.yaml")), str(settings.knowledge("officeholders.yaml")),
                          str(settings.knowledge("places.yaml")))


@lru_cache(maxsize=4)
def load_knowledge(lexicon: str, officeholders: str, places: str, models: str | None = None) -> Knowledge:
    return Knowledge(
        lexicons=all_lexicons(path=lexicon),
        officeholders=load_officeholders(officeholders),
        gazetteer=load_gazetteer(INDEX_PATH, Path(places)),
        decisions=load_decisions(models),
        files=(lexicon, officeholders, places, models or "models"),
    )
