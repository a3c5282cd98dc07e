"""Print the tour JSON of one article using only the extraction stages (no geocoding stage).

    .venv/bin/python bench/_dev_extract.py ARTICLE
Used with ../shared/eval/score.py --cmd while other stages are being built.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tourmap.article import read_article  # noqa: E402
from tourmap.config import load_settings  # noqa: E402
from tourmap.errors import TourmapError  # noqa: E402
from tourmap.export import dumps  # noqa: E402
from tourmap.mentions import find_mentions  # noqa: E402
from tourmap.tour import assemble_tour  # noqa: E402


def main(argv: list[str]) -> int:
    settings = load_settings()
    try:
        art = read_article(argv[0])
        tour = assemble_tour(find_mentions(art, settings=settings), settings=settings)
    except TourmapError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    sys.stdout.write(dumps(tour.to_json()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
