"""Training the name model (``make name-model``): scikit-learn's logistic regression on labelled text.

Reads the ``dev`` half of hand-labelled real feedback (``real-dev.jsonl`` in the folder given,
by default ``../shared/data/realtext-dev`` beside the checkout; its ``test`` half is never
read here) and the project's generated comments (``tests/fixtures/redaction_eval.jsonl``,
weighted down so that real text leads), and writes the weights to ``name_model.json``.
Deterministic: the same data gives the same file. Needs the dev extras (scikit-learn).

    .venv/bin/python -m victim_voice.protection.name_model_training [FOLDER]

Settings chosen by 5-fold cross-validation on ``real-dev`` (recall and precision of names,
with a held-out generated set checked too): C = 1, threshold 0.3, generated weight 0.1.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from victim_voice.protection import name_model
from victim_voice.protection.redaction import rule_names

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FOLDER = ROOT.parent / "shared" / "data" / "realtext-dev"
GENERATED = ROOT / "tests" / "fixtures" / "redaction_eval.jsonl"
C, THRESHOLD, GENERATED_WEIGHT = 1.0, 0.3, 0.1


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def token_rows(example: dict) -> tuple[list[dict[str, float]], list[int]]:
    """Feature rows and labels (1: the word is part of a labelled name) of one text's candidate words."""
    text = example["text"]
    tokens = name_model.tokenise(text)
    rules = [(s.start, s.end) for s in rule_names(text)]
    names = [(s["start"], s["end"]) for s in example["spans"] if s["type"] == "NAME"]
    rows, labels = [], []
    for token, row in zip(tokens, name_model.features(tokens, name_model.marked_tokens(tokens, rules)), strict=True):
        if row:  # a possessive "'s" may lie just outside the labelled name
            rows.append(row)
            labels.append(int(any(s <= token.start and token.end <= e + 2 for s, e in names)))
    return rows, labels


def train(real: list[dict], generated: list[dict]) -> dict:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    rows, labels, weights = [], [], []
    for examples, weight in ((real, 1.0), (generated, GENERATED_WEIGHT)):
        for example in examples:
            found, marks = token_rows(example)
            rows += found
            labels += marks
            weights += [weight] * len(found)
    vectoriser = DictVectorizer()
    matrix = vectoriser.fit_transform(rows)
    model = LogisticRegression(C=C, max_iter=5000).fit(matrix, labels, sample_weight=weights)
    coefficients = dict(zip(vectoriser.get_feature_names_out(), model.coef_[0], strict=True))
    coefficients["bias"] = coefficients.get("bias", 0.0) + float(model.intercept_[0])
    return {
        "about": "Logistic regression over word features; see victim_voice/protection/name_model.py. "
        f"Trained on {len(real)} real texts and {len(generated)} generated comments (weight {GENERATED_WEIGHT}).",
        "threshold": THRESHOLD,
        "weights": {name: round(float(value), 4) for name, value in sorted(coefficients.items()) if abs(value) >= 1e-4},
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    folder = Path(argv[0]) if argv else DEFAULT_FOLDER
    real_dev = folder / "real-dev.jsonl"
    if not real_dev.is_file():
        print(f"error: {real_dev} not found: the labelled real text is needed to train the name model", file=sys.stderr)
        return 2
    model = train(load(real_dev), load(GENERATED))
    name_model.MODEL_FILE.write_text(json.dumps(model, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {name_model.MODEL_FILE.relative_to(ROOT)}: {len(model['weights'])} weights")
    return 0


if __name__ == "__main__":
    sys.exit(main())
