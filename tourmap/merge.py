"""Several articles about one trip -> one tour (placeholder: one tour per article)."""
from __future__ import annotations

import re
import unicodedata

from .config import Settings
from .models import Tour


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60] or "tour"


def merge_tours(tours: list[Tour], *, settings: Settings) -> list[Tour]:
    for t in tours:
        if not t.slug:
            t.slug = slugify(t.articles[0].id if t.articles else "tour")
    return tours
