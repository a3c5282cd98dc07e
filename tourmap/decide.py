"""Trained decisions: a feature record in, a calibrated probability out.

The extraction computes named features for each candidate (a place mention, a date for a stop,
a person for a stop); a small model trained by `scripts/train_decisions.py` on the labelled
corpus turns them into a probability. Models ship as plain JSON in `tourmap/data/model/`, so a
run needs no machine-learning library: a model is a few shallow regression trees (gradient
boosting) or a weight vector, followed by a monotone calibration map.

>>> m = Model(name="t", features=("a",), bias=0.0, weights=(2.0,))
>>> round(m.prob({"a": 1.0}), 3)
0.881
>>> m.prob({}) == 0.5
True
"""
from __future__ import annotations

import bisect
import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

MODEL_DIR = Path(__file__).parent / "data" / "model"
MODEL_NAMES = ("mention", "stop", "date", "met", "confidence")


@dataclass(frozen=True)
class Tree:
    """One regression tree in array form (sklearn's layout): a leaf has feature -1."""

    feature: tuple[int, ...]
    threshold: tuple[float, ...]
    left: tuple[int, ...]
    right: tuple[int, ...]
    value: tuple[float, ...]

    def __call__(self, x: list[float]) -> float:
        i = 0
        feature, threshold, left, right = self.feature, self.threshold, self.left, self.right
        while feature[i] >= 0:
            i = left[i] if x[feature[i]] <= threshold[i] else right[i]
        return self.value[i]


@dataclass(frozen=True)
class Model:
    """A binary decision: raw score = bias + weights·x + rate·Σ trees(x); p = calibrate(σ(raw))."""

    name: str
    features: tuple[str, ...]
    bias: float = 0.0
    weights: tuple[float, ...] = ()
    rate: float = 0.0
    trees: tuple[Tree, ...] = ()
    # isotonic calibration as knots (increasing x -> y), linear between them
    cal_x: tuple[float, ...] = ()
    cal_y: tuple[float, ...] = ()
    threshold: float = 0.5  # the bar for what the hand-written rules reject
    veto: float = 0.5  # the bar for what the rules accept: below it the decision overrules them
    meta: dict = field(default_factory=dict, compare=False)

    def keep(self, feats: dict[str, float], *, ruled: bool) -> tuple[bool, float]:
        """(keep?, probability): the rules' verdict stands unless the decision is sure otherwise."""
        p = self.prob(feats)
        return p >= (self.veto if ruled else self.threshold), p

    def vector(self, feats: dict[str, float]) -> list[float]:
        return [float(feats.get(n, 0.0)) for n in self.features]

    def raw(self, feats: dict[str, float]) -> float:
        x = self.vector(feats)
        s = self.bias + sum(w * v for w, v in zip(self.weights, x))
        if self.trees:
            s += self.rate * sum(t(x) for t in self.trees)
        return s

    def prob(self, feats: dict[str, float]) -> float:
        r = self.raw(feats)
        p = 1.0 / (1.0 + math.exp(-r)) if r > -40 else 0.0
        return self.calibrate(p)

    def calibrate(self, p: float) -> float:
        xs, ys = self.cal_x, self.cal_y
        if not xs:
            return p
        if p <= xs[0]:
            return ys[0]
        if p >= xs[-1]:
            return ys[-1]
        k = bisect.bisect_right(xs, p)
        x0, x1, y0, y1 = xs[k - 1], xs[k], ys[k - 1], ys[k]
        return y0 if x1 == x0 else y0 + (y1 - y0) * (p - x0) / (x1 - x0)

    def to_json(self) -> dict:
        return {
            "name": self.name, "features": list(self.features), "bias": self.bias,
            "weights": list(self.weights), "rate": self.rate,
            "trees": [{"feature": list(t.feature), "threshold": list(t.threshold), "left": list(t.left),
                       "right": list(t.right), "value": list(t.value)} for t in self.trees],
            "calibration": {"x": list(self.cal_x), "y": list(self.cal_y)},
            "threshold": self.threshold, "veto": self.veto, "meta": self.meta,
        }

    @classmethod
    def from_json(cls, d: dict) -> "Model":
        cal = d.get("calibration") or {}
        return cls(
            name=str(d["name"]), features=tuple(d["features"]), bias=float(d.get("bias", 0.0)),
            weights=tuple(float(w) for w in d.get("weights") or ()), rate=float(d.get("rate", 0.0)),
            trees=tuple(Tree(tuple(t["feature"]), tuple(t["threshold"]), tuple(t["left"]), tuple(t["right"]),
                             tuple(t["value"])) for t in d.get("trees") or ()),
            cal_x=tuple(cal.get("x") or ()), cal_y=tuple(cal.get("y") or ()),
            threshold=float(d.get("threshold", 0.5)), veto=float(d.get("veto", d.get("threshold", 0.5))),
            meta=dict(d.get("meta") or {}),
        )


@dataclass(frozen=True)
class Decisions:
    """The trained models the extraction uses; a missing model means the hand-written rule decides."""

    mention: Model | None = None
    stop: Model | None = None
    date: Model | None = None
    met: Model | None = None
    # the stop probability as a reader should take it: a one-feature logistic map of the stop
    # decision's logit, fitted on whole stops of sets the decisions were not trained on
    confidence: Model | None = None

    def stop_confidence(self, p: float) -> float:
        """How often a stop given probability `p` by the stop decision is right."""
        if self.confidence is None:
            return p
        q = min(max(p, 0.01), 0.99)
        return self.confidence.prob({"logit": math.log(q / (1 - q))})

    @property
    def version(self) -> str:
        """Identifies the models for caches and the build manifest."""
        return ",".join(f"{n}:{m.meta.get('trained', '?')}" for n in MODEL_NAMES
                        if (m := getattr(self, n)) is not None) or "rules"


def load_decisions(folder: str | Path | None = None) -> Decisions:
    """The models in `folder` (default: the shipped ones); absent files leave that decision to rules."""
    return _load(str(folder or MODEL_DIR))


@lru_cache(maxsize=4)
def _load(folder: str) -> Decisions:
    found = {}
    for n in MODEL_NAMES:
        p = Path(folder) / f"{n}.json"
        if p.exists():
            found[n] = Model.from_json(json.loads(p.read_text(encoding="utf-8")))
    return Decisions(**found)
