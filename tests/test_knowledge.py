"""Knowledge is loaded once from the settings' files and reaches every stage (issue 13, case 11)."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tourmap.cli import cli
from tourmap.config import DEFAULT_CONFIG_DIR
from tourmap.decide import Decisions, Model, Tree, load_decisions
from tourmap.knowledge import knowledge_for
from tourmap.config import Settings

ARTICLE = """---
title: "Boric visita Villa Quetrupillán"
published: 2025-03-10
language: es
---

Gabriel Boric viajó este lunes 10 a Villa Quetrupillán, donde se reunió con los vecinos afectados por los incendios.
"""


def _config(tmp_path: Path, *, places: str | None = None, lexicon_extra: str | None = None) -> Path:
    cfg = tmp_path / "config"
    cfg.mkdir()
    (cfg / "tourmap.yaml").write_text("{}\n", encoding="utf-8")
    if places is not None:
        shipped = (DEFAULT_CONFIG_DIR / "places.yaml").read_text(encoding="utf-8")
        (cfg / "places.yaml").write_text(shipped.replace("\nplaces:\n", "\nplaces:\n" + places, 1), encoding="utf-8")
    if lexicon_extra is not None:
        text = (DEFAULT_CONFIG_DIR / "lexicon.yaml").read_text(encoding="utf-8")
        (cfg / "lexicon.yaml").write_text(text.replace("  stop_cues: [", "  stop_cues: [" + lexicon_extra + ", ", 1),
                                          encoding="utf-8")
    return cfg / "tourmap.yaml"


def _extract(article: Path, config: Path | None = None) -> dict:
    args = ["extract", str(article), "--format", "json"] + (["--config", str(config)] if config else [])
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def test_a_newsrooms_own_place_reaches_extraction(tmp_path):
    art = tmp_path / "a.md"
    art.write_text(ARTICLE, encoding="utf-8")
    assert "Villa Quetrupillán" not in [s["name"] for s in _extract(art)["stops"]]
    cfg = _config(tmp_path, places="""  - id: villa-quetrupillan
    name: Villa Quetrupillán
    kind: city
    lat: -39.52
    lon: -71.70
    country: CL
    source: "newsroom's own survey"
""")
    stops = _extract(art, cfg)["stops"]
    assert [s["name"] for s in stops] == ["Villa Quetrupillán"]
    assert stops[0]["date"] == "2025-03-10" and stops[0]["country"] == "CL"


def test_two_lexicon_files_for_one_language_keep_their_own_patterns(tmp_path):
    text = "Gabriel Boric zarpó hacia Valparaíso este lunes 10 para encabezar la ceremonia."
    art = tmp_path / "b.md"
    art.write_text(ARTICLE.split("---\n\n")[0] + "---\n\n" + text + "\n", encoding="utf-8")
    shipped = Settings()
    own = Settings(config_dir=_config(tmp_path, lexicon_extra='"zarpó hacia"').parent)
    k_shipped, k_own = knowledge_for(shipped), knowledge_for(own)
    assert k_shipped is not k_own and k_shipped is knowledge_for(Settings())  # loaded once per set of files
    # the same process asks both: each lexicon answers with its own words
    assert not k_shipped.lexicon("es").has("stop_cues", "zarpó hacia")
    assert k_own.lexicon("es").has("stop_cues", "zarpó hacia")
    assert k_shipped.lexicon("es").compiled("t", lambda: 1) == 1
    assert k_own.lexicon("es").compiled("t", lambda: 2) == 2


def test_models_are_plain_json_and_round_trip(tmp_path):
    tree = Tree(feature=(0, -1, -1), threshold=(0.5, 0.0, 0.0), left=(1, -1, -1), right=(2, -1, -1),
                value=(0.0, -1.0, 2.0))
    m = Model(name="mention", features=("cue",), bias=0.1, rate=1.0, trees=(tree,), cal_x=(0.0, 1.0),
              cal_y=(0.0, 1.0), threshold=0.4)
    assert round(m.prob({"cue": 1.0}), 4) == round(1 / (1 + 2.718281828459045 ** -2.1), 4)
    assert m.prob({"cue": 0.0}) < 0.5 < m.prob({"cue": 1.0})
    (tmp_path / "mention.json").write_text(json.dumps(m.to_json()), encoding="utf-8")
    back = load_decisions(tmp_path)
    assert back.mention == m and back.stop is None and back.date is None
    assert Decisions().version == "rules"


def test_shipped_models_load_and_decide():
    d = load_decisions()
    for name in ("mention", "stop", "date", "met"):
        model = getattr(d, name)
        if model is None:
            continue
        p = model.prob({})
        assert 0.0 <= p <= 1.0 and model.features


def test_stop_confidence_maps_the_stop_probability_monotonically():
    # what a reader sees: the stop decision's probability through the shipped logistic map
    conf = Model(name="confidence", features=("logit",), bias=0.5, weights=(1.5,))
    d = Decisions(confidence=conf)
    got = [d.stop_confidence(p) for p in (0.0, 0.3, 0.5, 0.7, 0.9, 1.0)]
    assert got == sorted(got) and all(0.0 < g < 1.0 for g in got)
    assert Decisions().stop_confidence(0.42) == 0.42  # no map shipped: the probability as it is
    shipped = load_decisions()
    if shipped.confidence is not None:
        assert shipped.confidence.features == ("logit",) and shipped.confidence.meta.get("sets")


def test_a_lexicon_entry_can_combine_word_lists_into_phrases():
    from tourmap.lexicon import Lexicon

    lex = Lexicon(lang="es", raw={"cancelled": ["descartada", {"combine": [["suspende", "aplaza"], ["su", ""],
                                                                          ["viaje", "visita"]]}]})
    assert {"descartada", "suspende su viaje", "aplaza visita"} <= set(lex.words("cancelled"))
    assert lex.has("cancelled", "el ministro suspende su viaje a Chile")
    assert not lex.has("cancelled", "el ministro suspende la sesión")
    # the shipped Spanish list: a cancellation told with a verb and a trip noun
    es = knowledge_for(Settings()).lexicon("es")
    assert es.has("cancelled", "el ministro suspende su desplazamiento a Chile")
