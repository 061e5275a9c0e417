"""A comment's overall sentiment: POSITIVE, NEGATIVE, MIXED or NEUTRAL.

VADER alone (a lexicon for social media) reads victims' comments poorly: "not once did
anyone call me back" has no negative word for it. So the tone is a small logistic
regression over what the comment raised (how many themes each way, from
:mod:`victim_voice.themes.rules`), its clauses' tone, VADER's scores and its words, trained
by :mod:`victim_voice.themes.training` (``make themes-model``) on the ``dev`` part of the
labelled set. The weights are ``sentiment_model.json``; scoring is plain Python and VADER's
lexicon ships inside its package: nothing is downloaded.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from victim_voice.themes import rules

MODEL_FILE = Path(__file__).with_name("sentiment_model.json")
_WORD = re.compile(r"[a-z][a-z']*")


@cache
def _vader():  # the analyser's type lives in vaderSentiment
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


# VADER's scores, the model's only features dear to compute, and the range each can take.
VADER_RANGES: dict[str, tuple[float, float]] = {
    "vader_compound": (-1.0, 1.0),
    "vader_pos": (0.0, 1.0),
    "vader_neg": (0.0, 1.0),
}


def features(text: str, hits: list[rules.Hit], vader: bool = True) -> dict[str, float]:
    """The sentiment model's features of a comment, given its cue hits (``vader=False``: all but VADER's).

    >>> f = features("Not once did anyone call me back.", rules.comment_hits("Not once did anyone call me back."))
    >>> f["themes_neg"], f["themes_pos"], f["w=call"]
    (1.0, 0.0, 1.0)
    """
    labels = {(hit.theme, hit.polarity) for hit in hits}
    positive = sum(1 for _, p in labels if p == "POS")
    negative = sum(1 for _, p in labels if p == "NEG")
    normalised = rules.normalise(text)
    tones = [rules.tone(clause) for clause in rules.clauses(normalised)]
    found = vader_features(text) if vader else {}
    found.update(
        {
            "themes_pos": float(min(positive, 3)),
            "themes_neg": float(min(negative, 3)),
            "any_pos": float(positive > 0),
            "any_neg": float(negative > 0),
            "both": float(positive > 0 and negative > 0),
            "none": float(positive + negative == 0),
            "tone_pos_clauses": float(min(sum(t > 0 for t in tones), 3)),
            "tone_neg_clauses": float(min(sum(t < 0 for t in tones), 3)),
            "short": float(len(text) < 25),
        }
    )
    for word in _WORD.findall(normalised):
        found[f"w={word}"] = 1.0
    return found


def vader_features(text: str) -> dict[str, float]:
    """VADER's compound, positive and negative scores of a comment."""
    scores = _vader().polarity_scores(text)
    return {"vader_compound": scores["compound"], "vader_pos": scores["pos"], "vader_neg": scores["neg"]}


def sentiment_of(text: str, hits: list[rules.Hit], model: SentimentModel | None = None) -> str:
    """A comment's sentiment, asking VADER only when its scores could change the answer.

    The same answer as ``model.predict(features(text, hits))``: the model is linear, so when one
    class wins whatever VADER's scores (each anywhere in its range), VADER is not run.
    """
    model = model or default_model()
    found = features(text, hits, vader=False)
    settled = model.winner_whatever(found, VADER_RANGES)
    if settled is not None:
        return settled
    found.update(vader_features(text))
    return model.predict(found)


@dataclass(frozen=True)
class SentimentModel:
    classes: tuple[str, ...]
    bias: tuple[float, ...]
    weights: dict[str, list[float]]

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> SentimentModel:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(classes=tuple(data["classes"]), bias=tuple(data["bias"]), weights=data["weights"])

    def probabilities(self, found: dict[str, float]) -> dict[str, float]:
        """Each sentiment's probability (softmax of the classes' scores)."""
        scores = self.scores(found)
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return {c: e / total for c, e in zip(self.classes, exps, strict=True)}

    def scores(self, found: dict[str, float]) -> list[float]:
        """Each class's score (bias plus weighted features), in the order of ``classes``."""
        scores = list(self.bias)
        for name, value in found.items():
            row = self.weights.get(name)
            if row is not None:
                for k, weight in enumerate(row):
                    scores[k] += weight * value
        return scores

    def predict(self, found: dict[str, float]) -> str:
        scores = self.scores(found)
        return self.classes[max(range(len(scores)), key=scores.__getitem__)]

    def winner_whatever(self, found: dict[str, float], unknown: dict[str, tuple[float, float]]) -> str | None:
        """The class that wins whatever values the ``unknown`` features (absent from ``found``) take
        in their ranges; None when they could change the winner.

        >>> model = SentimentModel(("NEG", "POS"), (0.0, 0.0), {"x": [-1.0, 1.0], "v": [-0.5, 0.5]})
        >>> model.winner_whatever({"x": 2.0}, {"v": (-1.0, 1.0)}), model.winner_whatever({"x": 0.2}, {"v": (-1.0, 1.0)})
        ('POS', None)
        """
        scores = self.scores(found)
        best = max(range(len(scores)), key=scores.__getitem__)
        for k in range(len(scores)):
            if k == best:
                continue
            worst_margin = scores[best] - scores[k]
            for name, (low, high) in unknown.items():
                row = self.weights.get(name)
                if row is not None:
                    difference = row[best] - row[k]
                    worst_margin += min(difference * low, difference * high)
            if worst_margin <= 0:
                return None
        return self.classes[best]


@cache
def default_model() -> SentimentModel:
    return SentimentModel.load()
