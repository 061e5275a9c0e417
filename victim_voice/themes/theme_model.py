"""The themes' decision: a logistic regression per (theme, polarity) over what the cues found and
the comment's words, word pairs and character n-grams.

The cues (:mod:`victim_voice.themes.cues`) read a comment the way they were written, by one
writer for one writer's comments; on other people's writing they miss much and raise some
wrongly. A model per label, trained on the ``dev`` comments of the labelled set (several
writers and voices), reads the cues' hits (which theme, which way, by a cue or by tone) as
features beside the comment's words and word pairs and the 3- and 4-letter pieces of its words
(TF-IDF, each group scaled to unit length), so that misspellings, text-speak and unseen
phrasings still count. A label is raised when its score (log-odds) reaches the label's
``threshold``. ``theme_model.npz`` holds the model; :mod:`victim_voice.themes.training` writes
it and :mod:`victim_voice.themes.cross_validation` chose how, by cross-validation on ``dev``.

Scoring needs NumPy only (no scikit-learn at run time, which would add 0.8 s of imports to
the monthly run).

>>> words, pieces = terms("Nobody rang")
>>> words, pieces[-7:]
(['nobody', 'rang', 'nobody rang'], [' ra', 'ran', 'ang', 'ng ', ' ran', 'rang', 'ang '])
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from itertools import pairwise
from pathlib import Path
from typing import TypeVar

import numpy as np

from victim_voice.themes import codeframe, rules

MODEL_FILE = Path(__file__).with_name("theme_model.npz")
_TOKEN = re.compile(r"\b\w\w+\b")
_LETTERS = re.compile(r"[a-z0-9']+")
CHAR_SIZES = (3, 4)
Label = tuple[str, str]
Key = TypeVar("Key")


def terms(text: str) -> tuple[list[str], list[str]]:
    """A comment's words (two letters or more) with its word pairs, and the 3- and 4-letter pieces
    of each word, the word padded with a space each side (as scikit-learn's ``char_wb``), so that
    "rang" and "rung", "ring" and "ringing" share pieces; normalised once. 2-letter pieces as well
    scored the same by cross-validation on dev (0.710) and cost time."""
    normal = rules.normalise(text)
    words = _TOKEN.findall(normal)
    pieces: list[str] = []
    for word in _LETTERS.findall(normal):
        padded = f" {word} "
        pieces += [padded[i : i + size] for size in CHAR_SIZES for i in range(len(padded) - size + 1)]
    return words + [f"{a} {b}" for a, b in pairwise(words)], pieces


def named(idf: dict[str, float], prefix: str) -> dict[str, tuple[str, float]]:
    """Each term's feature name (``prefix`` + term) and IDF: the index :func:`features` reads."""
    return {term: (prefix + term, value) for term, value in idf.items()}


def tf_idf(terms: Iterable[str], index: Mapping[str, tuple[Key, float]]) -> list[tuple[Key, float]]:
    """Each known term's key with its TF-IDF: (1 + log count) x IDF, the comment's terms of one kind
    scaled to unit length. ``index`` maps a term to its key (a feature's name when training, its
    row of the weights when scoring) and its IDF."""
    found = [(known, n) for term, n in Counter(terms).items() if (known := index.get(term)) is not None]
    weights = [idf if n == 1 else (1.0 + math.log(n)) * idf for (_, idf), n in found]
    norm = math.hypot(*weights) or 1.0
    return [(key, w / norm) for ((key, _), _), w in zip(found, weights, strict=True)]


def cue_features(hits: list[rules.Hit]) -> dict[str, float]:
    """What the cues found: each label, each label with how, and each theme."""
    found: dict[str, float] = {}
    for hit in hits:
        found[f"r={hit.theme}:{hit.polarity}"] = 1.0
        found[f"r={hit.theme}:{hit.polarity}:{hit.how}"] = 1.0
        found[f"t={hit.theme}"] = 1.0
    return found


def features(
    text: str, hits: list[rules.Hit], words: Mapping[str, tuple[str, float]], pieces: Mapping[str, tuple[str, float]]
) -> dict[str, float]:
    """A comment's features by name: the cues' hits, TF-IDF words and word pairs, TF-IDF pieces
    (``words`` and ``pieces``: the indexes :func:`named` gives)."""
    word_terms, piece_terms = terms(text)
    return {**cue_features(hits), **dict(tf_idf(word_terms, words)), **dict(tf_idf(piece_terms, pieces))}


@dataclass(frozen=True)
class ThemeModel:
    """Per label a bias, a weight per feature and a threshold (log-odds): a label is raised when
    ``bias + weights . features`` reaches its threshold.

    >>> model = ThemeModel.of({"adjourned": 1.0}, {}, {"w=adjourned": {("court", "NEG"): 3.0}},
    ...                       bias={("court", "NEG"): -1.0})
    >>> sorted(model.labels("Adjourned again", [])), sorted(model.labels("Fine", []))
    ([('court', 'NEG')], [])
    """

    labels_: tuple[Label, ...]
    word_idf: dict[str, float]
    char_idf: dict[str, float]
    column: dict[str, int]  # feature name -> row of ``weights``
    weights: np.ndarray  # features x labels
    bias: np.ndarray  # labels
    threshold: np.ndarray  # labels

    @classmethod
    def of(
        cls,
        word_idf: dict[str, float],
        char_idf: dict[str, float],
        weights: dict[str, dict[Label, float]],
        bias: dict[Label, float],
        threshold: dict[Label, float] | None = None,
    ) -> ThemeModel:
        """A model from plain dicts (every label of the codeframe; those not given score -inf)."""
        labels = codeframe.LABELS
        names = sorted(weights)
        matrix = np.zeros((len(names), len(labels)), dtype=np.float32)
        for i, name in enumerate(names):
            for label, weight in weights[name].items():
                matrix[i, labels.index(label)] = weight
        return cls(
            labels,
            word_idf,
            char_idf,
            {name: i for i, name in enumerate(names)},
            matrix,
            np.array([bias.get(label, -np.inf) for label in labels], dtype=np.float64),
            np.array([(threshold or {}).get(label, 0.0) for label in labels], dtype=np.float64),
        )

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> ThemeModel:
        with np.load(path, allow_pickle=False) as data:
            labels = tuple(tuple(label.split(":")) for label in data["labels"].tolist())
            names: list[str] = data["features"].tolist()
            idf: list[float] = data["idf"].tolist()
            word_idf = {n[2:]: v for n, v in zip(names, idf, strict=True) if n[:2] == "w="}
            char_idf = {n[2:]: v for n, v in zip(names, idf, strict=True) if n[:2] == "c="}
            return cls(
                labels,  # type: ignore[arg-type]
                word_idf,
                char_idf,
                {name: i for i, name in enumerate(names)},
                data["weights"].astype(np.float32),  # stored in half precision
                data["bias"].astype(np.float64),
                data["threshold"].astype(np.float64),
            )

    def scores(self, text: str, hits: list[rules.Hit]) -> dict[Label, float]:
        """Each label's score (log-odds) for a comment."""
        return dict(zip(self.labels_, self._scores(text, hits).tolist(), strict=True))

    @cached_property
    def _indexes(self) -> tuple[dict[str, tuple[int, float]], dict[str, tuple[int, float]]]:
        """Per known word and piece: its row of ``weights`` and its IDF (one look-up while scoring)."""
        column = self.column
        words = {t: (column["w=" + t], v) for t, v in self.word_idf.items()}
        chars = {t: (column["c=" + t], v) for t, v in self.char_idf.items()}
        return words, chars

    def _scores(self, text: str, hits: list[rules.Hit]) -> np.ndarray:
        """The scores of what :func:`features` gives, read by row rather than by name."""
        words, pieces = self._indexes
        word_terms, piece_terms = terms(text)
        found = [(self.column[name], 1.0) for name in cue_features(hits) if name in self.column]
        found += tf_idf(word_terms, words) + tf_idf(piece_terms, pieces)
        if not found:
            return self.bias.copy()
        rows, values = zip(*found, strict=True)
        return self.bias + np.array(values, dtype=np.float32) @ self.weights[list(rows)]

    def labels(self, text: str, hits: list[rules.Hit]) -> set[Label]:
        """The labels whose score reaches their threshold; but a theme a cue raised one way only
        (by its own polarity or by a negation it read, not by the clause's tone) keeps that way
        when the model would raise it both ways.

        Words alone cannot tell "nobody believed me" from "they believed me", and the model
        raises both ways twice as often as the coders do (523 themes against 242 on dev); the
        cues read the negation and the phrasing. By cross-validation on dev the rule costs
        little (macro F1 0.7093 to 0.7077) and mends what a reader notices first: a complaint
        coded as praise too.
        """
        above = self._scores(text, hits) >= self.threshold
        raised = {label for label, up in zip(self.labels_, above.tolist(), strict=True) if up}
        for theme in {hit.theme for hit in hits if hit.how != "tone"}:
            ways = {hit.polarity for hit in hits if hit.theme == theme}
            if len(ways) == 1 and {(theme, "POS"), (theme, "NEG")} <= raised:
                raised.discard((theme, "NEG" if ways == {"POS"} else "POS"))
        return raised


@cache
def default_model() -> ThemeModel | None:
    """The committed model (None if there is none: the cues alone)."""
    return ThemeModel.load() if MODEL_FILE.is_file() else None
