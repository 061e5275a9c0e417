"""Training the sentiment model and the theme model (``make themes-model``): scikit-learn's
logistic regression.

Reads the ``dev`` part of the labelled set (``labelled/comments.jsonl``; the ``test`` part is
never read here), and writes ``sentiment_model.json`` and ``theme_model.npz``. Deterministic:
the same data and cues give the same files. Needs the dev extras (scikit-learn).

    .venv/bin/python -m victim_voice.themes.training

Sentiment: multinomial, C = 1, chosen by 5-fold cross-validation on the 4,911 dev comments
(accuracy 0.830; C = 3 0.826, C = 10 0.818).

Themes: one logistic regression per label (classes balanced, C = ``THEME_C``) over the cues'
hits, TF-IDF words and word pairs and TF-IDF 3- and 4-letter pieces of words, each seen in two
comments or more (:mod:`victim_voice.themes.theme_model`); a label is raised from probability
0.5. ``python -m victim_voice.themes.evaluation --cross-validate``
(:mod:`victim_voice.themes.cross_validation`) compares the choices on dev. On the 4,911 dev
comments (5 folds): the cues alone 0.587 macro F1, the model 0.709 (C = 10 the same, 100 no
better); a threshold per label chosen on the folds 0.713 there but 0.708 nested, so one
threshold. On 3,695 of them, 2-letter pieces as well scored the same (0.710 both) and words
marked as following a negation no better (0.709). How the method came about: the
cues and a veto model, built on 714 comments by one writer, scored 0.781 by cross-validation on
those but 0.685 on the first 1,251 comments from four writers, where a model over words and
letters already scored 0.72; each further 1,200 comments from new writers added 0.037 and then
0.022 to the model's cross-validated F1 on the first writers' comments.
"""

from __future__ import annotations

import json
import math
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from victim_voice.themes import codeframe, rules, sentiment, theme_model

LABELLED = Path(__file__).with_name("labelled") / "comments.jsonl"
C = 1.0
# The theme model: C and the probability from which a label is raised, chosen by
# cross-validation on dev (victim_voice.themes.cross_validation).
THEME_C = 30.0
THRESHOLD = 0.5
Label = tuple[str, str]


def load(path: Path = LABELLED, split: str | None = None) -> list[dict]:
    """The labelled comments (of one split, if given)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row for row in rows if split is None or row["split"] == split]


def train(examples: list[dict]) -> dict:
    """The sentiment model's weights, as written to ``sentiment_model.json``."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    rows = [sentiment.features(e["text"], rules.comment_hits(e["text"])) for e in examples]
    vectoriser = DictVectorizer()
    matrix = vectoriser.fit_transform(rows)
    model = LogisticRegression(C=C, max_iter=10000).fit(matrix, [e["sentiment"] for e in examples])
    names = vectoriser.get_feature_names_out()
    weights = {
        name: [round(float(model.coef_[k][j]), 4) for k in range(len(model.classes_))]
        for j, name in enumerate(names)
        if any(abs(model.coef_[k][j]) >= 1e-4 for k in range(len(model.classes_)))
    }
    return {
        "about": "Multinomial logistic regression over theme counts, clause tone, VADER scores and words; see "
        f"victim_voice/themes/sentiment.py. Trained on the {len(examples)} dev comments of labelled/comments.jsonl.",
        "classes": [str(c) for c in model.classes_],
        "bias": [round(float(b), 4) for b in model.intercept_],
        "weights": dict(sorted(weights.items())),
    }


def inverse_document_frequency(documents: list[list[str]]) -> dict[str, float]:
    """Each term's IDF (smoothed, as scikit-learn's), for terms in two comments or more."""
    seen = Counter(term for terms in documents for term in set(terms))
    n = len(documents)
    return {term: round(math.log((1 + n) / (1 + k)) + 1, 6) for term, k in sorted(seen.items()) if k >= 2}


@dataclass(frozen=True)
class Prepared:
    """The comments with what the cues found (computed once: the cues do not learn)."""

    texts: list[str]
    hits: list[list[rules.Hit]]
    gold: list[set[Label]]

    @classmethod
    def of(cls, examples: Sequence[dict]) -> Prepared:
        texts = [e["text"] for e in examples]
        return cls(texts, [rules.comment_hits(t) for t in texts], [codeframe.raised(e["themes"]) for e in examples])

    @cached_property
    def raised_by_cues(self) -> list[set[Label]]:
        return [{(hit.theme, hit.polarity) for hit in hits} for hits in self.hits]

    def subset(self, indexes: Sequence[int]) -> Prepared:
        pick = [self.texts[i] for i in indexes], [self.hits[i] for i in indexes], [self.gold[i] for i in indexes]
        return Prepared(*pick)

    def idfs(self) -> tuple[dict[str, float], dict[str, float]]:
        """The words' and the pieces' IDF over these comments."""
        split = [theme_model.terms(t) for t in self.texts]
        return inverse_document_frequency([w for w, _ in split]), inverse_document_frequency([c for _, c in split])

    def rows(self, word_idf: dict[str, float], char_idf: dict[str, float]) -> list[dict[str, float]]:
        words, pieces = theme_model.named(word_idf, "w="), theme_model.named(char_idf, "c=")
        return [theme_model.features(t, h, words, pieces) for t, h in zip(self.texts, self.hits, strict=True)]


def _fit_label(matrix, gold: list[set[Label]], label: Label, c: float = THEME_C):
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, class_weight="balanced", max_iter=10000)
    return model.fit(matrix, [int(label in g) for g in gold])


@dataclass(frozen=True)
class Fitted:
    """A model per label trained on some comments, with the vocabulary it reads."""

    word_idf: dict[str, float]
    char_idf: dict[str, float]
    vectoriser: object
    models: dict[Label, object]

    @classmethod
    def on(cls, data: Prepared, c: float = THEME_C) -> Fitted:
        from sklearn.feature_extraction import DictVectorizer

        word_idf, char_idf = data.idfs()
        vectoriser = DictVectorizer()
        matrix = vectoriser.fit_transform(data.rows(word_idf, char_idf))
        models = {label: _fit_label(matrix, data.gold, label, c) for label in codeframe.LABELS}
        return cls(word_idf, char_idf, vectoriser, models)

    def probabilities(self, other: Prepared) -> list[dict[Label, float]]:
        """Other comments' probability per label."""
        rows = self.vectoriser.transform(other.rows(self.word_idf, self.char_idf))
        columns = {label: model.predict_proba(rows)[:, 1] for label, model in self.models.items()}
        return [{label: float(column[i]) for label, column in columns.items()} for i in range(len(other.texts))]


def _logit(probability: float) -> float:
    return round(math.log(probability / (1 - probability)), 6)


def train_themes(examples: list[dict]) -> dict[str, np.ndarray]:
    """The theme model as the arrays written to ``theme_model.npz``: every label raised from ``THRESHOLD``."""
    fitted = Fitted.on(Prepared.of(examples))
    names = list(fitted.vectoriser.get_feature_names_out())
    labels = codeframe.LABELS
    # Half precision: the file is half the size and loads faster; scores move by about 0.001.
    weights = np.array([fitted.models[label].coef_[0] for label in labels], dtype=np.float16).T
    idf = [
        fitted.word_idf[n[2:]] if n.startswith("w=") else fitted.char_idf[n[2:]] if n.startswith("c=") else 0.0
        for n in names
    ]
    return {
        "labels": np.array([f"{theme}:{polarity}" for theme, polarity in labels]),
        "features": np.array(names),
        "idf": np.array(idf, dtype=np.float32),
        "weights": weights,
        "bias": np.array([fitted.models[label].intercept_[0] for label in labels], dtype=np.float64),
        "threshold": np.full(len(labels), _logit(THRESHOLD), dtype=np.float64),
        "trained_on": np.array(len(examples)),
    }


def write_themes(path: Path, model: dict[str, np.ndarray]) -> None:
    """The arrays to ``path`` (compressed NumPy, no pickles: read with ``allow_pickle=False``)."""
    with path.open("wb") as file:
        np.savez_compressed(file, **model)


def write(path: Path, model: dict) -> None:
    path.write_text(json.dumps(model, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    dev = load(split="dev")
    model = train(dev)
    write(sentiment.MODEL_FILE, model)
    print(f"wrote {sentiment.MODEL_FILE.name}: {len(model['weights'])} weights, classes {', '.join(model['classes'])}")
    themes = train_themes(dev)
    write_themes(theme_model.MODEL_FILE, themes)
    print(f"wrote {theme_model.MODEL_FILE.name}: {len(themes['features'])} features, {len(themes['labels'])} labels")
    return 0


if __name__ == "__main__":
    sys.exit(main())
