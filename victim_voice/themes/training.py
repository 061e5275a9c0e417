"""Training the sentiment model and the themes' second opinion (``make themes-model``): scikit-learn's
logistic regression.

Reads the ``dev`` part of the labelled set (``labelled/comments.jsonl``; the ``test`` part is
never read here), and writes the weights to ``sentiment_model.json`` and ``theme_model.json``.
Deterministic: the same data and cues give the same files. Needs the dev extras
(scikit-learn). The themes come from the cues of :mod:`victim_voice.themes.cues`, with
:mod:`victim_voice.themes.theme_model` deciding the labels in ``MODEL_LABELS``.

    .venv/bin/python -m victim_voice.themes.training

C = 3 was chosen by 5-fold cross-validation on ``dev`` (accuracy 0.86 against 0.82 for the
cues' polarities with the clauses' tone and 0.45 for VADER alone; on the 674 dev comments
0.889, 0.878 without VADER's scores, and C = 1 or 10 within 0.002).

The theme model: one logistic regression per label (C = 10, classes balanced) over the cues'
hits and TF-IDF words and word pairs seen in two comments or more, with a rule per label
(``RULES``: keep, add). ``python -m victim_voice.themes.evaluation --cross-validate``
(:mod:`victim_voice.themes.cross_validation`) chooses them on dev: on the 714 dev comments
(5 folds, three shuffles) the cues alone score macro F1 0.781; a veto at 0.5 on the labels
where it gains 0.01 (the 11 of ``RULES``) 0.795 on the folds it was chosen on and 0.790 by
nested cross-validation; choosing among every keep and add threshold, the model also raising
labels, 0.804 on its own folds but 0.790 nested (0.7898 against 0.7904, and 0.7898 with only
an add at 0.8): no better, so the model only vetoes. C = 1 and 3 scored below 10 (0.801, 0.807
against 0.812, every rule, on the 674) and character 4-grams no better (0.813).
"""

from __future__ import annotations

import json
import math
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from victim_voice.themes import codeframe, rules, sentiment, theme_model

LABELLED = Path(__file__).with_name("labelled") / "comments.jsonl"
C = 3.0
THEME_C = 10.0
Label = tuple[str, str]
Rule = tuple[float | None, float | None]
# Per label the model decides: (keep, add) probabilities, chosen by cross-validation on dev
# (victim_voice.themes.cross_validation); the cues alone decide the other labels.
RULES: dict[Label, Rule] = {
    label: (0.5, None)
    for label in (
        ("kept_informed", "NEG"),
        ("timeliness", "POS"),
        ("investigation", "POS"),
        ("investigation", "NEG"),
        ("outcome_justice", "POS"),
        ("outcome_justice", "NEG"),
        ("safety", "POS"),
        ("emotional_support", "NEG"),
        ("practical_help", "NEG"),
        ("rights_information", "NEG"),
        ("children_family", "NEG"),
    )
}
MODEL_LABELS: tuple[Label, ...] = tuple(RULES)


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


def inverse_document_frequency(texts: list[str]) -> dict[str, float]:
    """Each term's IDF (smoothed, as scikit-learn's), for terms in two comments or more."""
    seen = Counter(term for text in texts for term in set(theme_model.terms(text)))
    return {term: round(math.log((1 + len(texts)) / (1 + n)) + 1, 6) for term, n in sorted(seen.items()) if n >= 2}


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

    def cue_labels(self, index: int) -> set[Label]:
        return self.raised_by_cues[index]

    @cached_property
    def raised_by_cues(self) -> list[set[Label]]:
        return [{(hit.theme, hit.polarity) for hit in hits} for hits in self.hits]

    def subset(self, indexes: Sequence[int]) -> Prepared:
        pick = [self.texts[i] for i in indexes], [self.hits[i] for i in indexes], [self.gold[i] for i in indexes]
        return Prepared(*pick)


def _theme_matrix(data: Prepared, idf: dict[str, float]) -> list[dict[str, float]]:
    return [theme_model.features(text, hits, idf) for text, hits in zip(data.texts, data.hits, strict=True)]


def _fit_label(matrix, gold: list[set[Label]], label: Label):
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=THEME_C, class_weight="balanced", max_iter=10000)
    return model.fit(matrix, [int(label in g) for g in gold])


def fit_theme_models(data: Prepared, labels: Sequence[Label]) -> Callable[[Prepared], list[dict[Label, float]]]:
    """A model per label trained on ``data``; returns a function giving other comments' probabilities per label."""
    from sklearn.feature_extraction import DictVectorizer

    idf = inverse_document_frequency(data.texts)
    vectoriser = DictVectorizer()
    matrix = vectoriser.fit_transform(_theme_matrix(data, idf))
    models = {label: _fit_label(matrix, data.gold, label) for label in labels}

    def predict(other: Prepared) -> list[dict[Label, float]]:
        rows = vectoriser.transform(_theme_matrix(other, idf))
        columns = {label: model.predict_proba(rows)[:, 1] for label, model in models.items()}
        return [{label: float(column[i]) for label, column in columns.items()} for i in range(len(other.texts))]

    return predict


def _logit(probability: float | None) -> float | None:
    return None if probability is None else round(math.log(probability / (1 - probability)), 6)


def train_themes(examples: list[dict], rules_: dict[Label, Rule] = RULES) -> dict:
    """The theme model's weights and rules, as written to ``theme_model.json``."""
    from sklearn.feature_extraction import DictVectorizer

    data = Prepared.of(examples)
    labels = list(rules_)
    idf = inverse_document_frequency(data.texts)
    vectoriser = DictVectorizer()
    matrix = vectoriser.fit_transform(_theme_matrix(data, idf))
    fitted = [_fit_label(matrix, data.gold, label) for label in labels]
    coefficients = [model.coef_[0] for model in fitted]
    weights = {
        name: [round(float(row[j]), 4) for row in coefficients]
        for j, name in enumerate(vectoriser.get_feature_names_out())
        if any(abs(row[j]) >= 1e-4 for row in coefficients)
    }
    return {
        "about": "Logistic regression per label over the cues' hits and TF-IDF terms; see "
        f"victim_voice/themes/theme_model.py. Trained on the {len(examples)} dev comments of labelled/comments.jsonl. "
        "keep: the score under which a label the cues raised is dropped; add: the score from which the model "
        "raises a label the cues did not (null: never).",
        "labels": [f"{theme}:{polarity}" for theme, polarity in labels],
        "keep": [_logit(rules_[label][0]) for label in labels],
        "add": [_logit(rules_[label][1]) for label in labels],
        "bias": [round(float(model.intercept_[0]), 4) for model in fitted],
        "idf": idf,
        "weights": dict(sorted(weights.items())),
    }


def shipped_rules() -> dict[Label, Rule]:
    """The (keep, add) probabilities of the committed theme model, per label it decides."""
    data = json.loads(theme_model.MODEL_FILE.read_text(encoding="utf-8"))
    labels = [tuple(label.split(":")) for label in data["labels"]]
    if "keep" not in data:  # a veto model: one threshold
        probability = 1 / (1 + math.exp(-data["threshold"]))
        return dict.fromkeys(labels, (probability, None))

    def probability(logit: float | None) -> float | None:
        return None if logit is None else round(1 / (1 + math.exp(-logit)), 6)

    return {
        label: (probability(keep), probability(add))
        for label, keep, add in zip(labels, data["keep"], data["add"], strict=True)
    }


def write(path: Path, model: dict) -> None:
    path.write_text(json.dumps(model, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    dev = load(split="dev")
    model = train(dev)
    write(sentiment.MODEL_FILE, model)
    print(f"wrote {sentiment.MODEL_FILE.name}: {len(model['weights'])} weights, classes {', '.join(model['classes'])}")
    themes = train_themes(dev)
    write(theme_model.MODEL_FILE, themes)
    print(f"wrote {theme_model.MODEL_FILE.name}: {len(themes['weights'])} weights, {len(themes['labels'])} labels")
    return 0


if __name__ == "__main__":
    sys.exit(main())
