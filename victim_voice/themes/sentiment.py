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


def features(text: str, hits: list[rules.Hit]) -> dict[str, float]:
    """The sentiment model's features of a comment, given its cue hits.

    >>> f = features("Not once did anyone call me back.", rules.comment_hits("Not once did anyone call me back."))
    >>> f["themes_neg"], f["themes_pos"], f["w=call"]
    (1.0, 0.0, 1.0)
    """
    labels = {(hit.theme, hit.polarity) for hit in hits}
    positive = sum(1 for _, p in labels if p == "POS")
    negative = sum(1 for _, p in labels if p == "NEG")
    normalised = rules.normalise(text)
    tones = [rules.tone(clause) for clause in rules.clauses(normalised)]
    scores = _vader().polarity_scores(text)
    found = {
        "vader_compound": scores["compound"],
        "vader_pos": scores["pos"],
        "vader_neg": scores["neg"],
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
    for word in _WORD.findall(normalised):
        found[f"w={word}"] = 1.0
    return found


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
        scores = list(self.bias)
        for name, value in found.items():
            row = self.weights.get(name)
            if row is not None:
                for k, weight in enumerate(row):
                    scores[k] += weight * value
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return {c: e / total for c, e in zip(self.classes, exps, strict=True)}

    def predict(self, found: dict[str, float]) -> str:
        probabilities = self.probabilities(found)
        return max(self.classes, key=lambda c: probabilities[c])


@cache
def default_model() -> SentimentModel:
    return SentimentModel.load()
