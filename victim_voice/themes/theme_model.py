"""A second opinion on some themes: a logistic regression per (theme, polarity) over the cues' hits
and the words, which may drop a label the cues raised or raise one they missed.

The cues (:mod:`victim_voice.themes.cues`) read a comment the way they were written; for
some labels they raise too much, for others too little. A model per label, trained on the
``dev`` comments, reads what the cues found (which theme, which way, by a cue or by tone)
and the comment's words and word pairs (TF-IDF). Each label it decides has a rule: a label
the cues raised is dropped when the model's score is under ``keep``, and one they did not
raise is added when the score reaches ``add`` (either may be absent). ``theme_model.json``
holds a model and rule for each label where that helped by cross-validation on ``dev``
(:mod:`victim_voice.themes.cross_validation`, :mod:`victim_voice.themes.training`); the cues
alone decide the others. Scoring is plain Python: no scikit-learn at run time.

>>> sorted(word_features("Nobody rang back", {"rang": 1.0, "nobody rang": 2.0}))
['w=nobody rang', 'w=rang']
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache, cached_property
from itertools import pairwise
from pathlib import Path

from victim_voice.themes import rules

MODEL_FILE = Path(__file__).with_name("theme_model.json")
_TOKEN = re.compile(r"\b\w\w+\b")
Label = tuple[str, str]


def terms(text: str) -> list[str]:
    """A comment's words (two letters or more) and word pairs, normalised."""
    words = _TOKEN.findall(rules.normalise(text))
    return words + [f"{a} {b}" for a, b in pairwise(words)]


def word_features(text: str, idf: dict[str, float]) -> dict[str, float]:
    """TF-IDF of the comment's known terms (log-scaled counts, unit length)."""
    counts = Counter(term for term in terms(text) if term in idf)
    weights = {term: (1.0 + math.log(n)) * idf[term] for term, n in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {f"w={term}": w / norm for term, w in weights.items()}


def cue_features(hits: list[rules.Hit]) -> dict[str, float]:
    """What the cues found: each label, each label with how, and each theme."""
    found: dict[str, float] = {}
    for hit in hits:
        found[f"r={hit.theme}:{hit.polarity}"] = 1.0
        found[f"r={hit.theme}:{hit.polarity}:{hit.how}"] = 1.0
        found[f"t={hit.theme}"] = 1.0
    return found


def features(text: str, hits: list[rules.Hit], idf: dict[str, float]) -> dict[str, float]:
    return {**cue_features(hits), **word_features(text, idf)}


@dataclass(frozen=True)
class ThemeModel:
    """Per label: a bias, weights and a rule. A label the cues raised stands when its score reaches
    ``keep`` (always, if None); one they did not is raised when its score reaches ``add`` (never, if None).

    >>> model = ThemeModel({"adjourned": 1.0}, {("court", "NEG"): 0.0}, {"w=adjourned": {("court", "NEG"): 3.0}},
    ...                    keep={("court", "NEG"): None}, add={("court", "NEG"): 1.0})
    >>> sorted(model.labels("Adjourned again", [])), sorted(model.labels("Fine", []))
    ([('court', 'NEG')], [])
    """

    idf: dict[str, float]
    bias: dict[Label, float]
    weights: dict[str, dict[Label, float]]
    keep: dict[Label, float | None]
    add: dict[Label, float | None]

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> ThemeModel:
        data = json.loads(path.read_text(encoding="utf-8"))
        labels = [tuple(label.split(":")) for label in data["labels"]]
        weights: dict[str, dict[Label, float]] = {}
        for name, row in data["weights"].items():
            weights[name] = {label: w for label, w in zip(labels, row, strict=True) if w}
        bias = dict(zip(labels, data["bias"], strict=True))
        keep = dict(zip(labels, data["keep"], strict=True))
        add = dict(zip(labels, data["add"], strict=True))
        return cls(idf=data["idf"], bias=bias, weights=weights, keep=keep, add=add)

    def scores(self, text: str, hits: list[rules.Hit]) -> dict[Label, float]:
        """Each label's score (log-odds) for a comment."""
        scores = dict(self.bias)
        for name, value in features(text, hits, self.idf).items():
            for label, weight in self.weights.get(name, {}).items():
                scores[label] += weight * value
        return scores

    @cached_property
    def adds(self) -> bool:
        return any(threshold is not None for threshold in self.add.values())

    def labels(self, text: str, hits: list[rules.Hit]) -> set[Label]:
        """The cues' labels less those the model vetoes, with those it adds."""
        found = {(hit.theme, hit.polarity) for hit in hits}
        if not self.adds and not found & self.bias.keys():
            return found
        for label, score in self.scores(text, hits).items():
            threshold = self.keep[label] if label in found else self.add[label]
            if label in found and threshold is not None and score < threshold:
                found.discard(label)
            elif label not in found and threshold is not None and score >= threshold:
                found.add(label)
        return found


@cache
def default_model() -> ThemeModel | None:
    """The committed model (None if there is none: the cues alone)."""
    return ThemeModel.load() if MODEL_FILE.is_file() else None
