"""Training the sentiment model (``make themes-model``): scikit-learn's logistic regression.

Reads the ``dev`` part of the labelled set (``labelled/comments.jsonl``; the ``test`` part is
never read here), and writes the weights to ``sentiment_model.json``. Deterministic: the same
data and cues give the same file. Needs the dev extras (scikit-learn). The themes need no
training: they are the cues of :mod:`victim_voice.themes.cues`.

    .venv/bin/python -m victim_voice.themes.training

C = 3 was chosen by 5-fold cross-validation on ``dev`` (accuracy 0.86 against 0.82 for the
cues' polarities with the clauses' tone and 0.45 for VADER alone).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from victim_voice.themes import rules, sentiment

LABELLED = Path(__file__).with_name("labelled") / "comments.jsonl"
C = 3.0


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


def main(argv: list[str] | None = None) -> int:
    model = train(load(split="dev"))
    sentiment.MODEL_FILE.write_text(json.dumps(model, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {sentiment.MODEL_FILE.name}: {len(model['weights'])} weights, classes {', '.join(model['classes'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
