"""Measuring the theme classifier on the labelled set: per theme and polarity precision, recall
and F1, their macro average, and sentiment accuracy.

A theme coded MIXED counts as raised both ways, so each of the 28 (theme, polarity) labels is
scored on its own; macro F1 is their plain average. ``test`` is the held-out part, never used
to write the cues or train the sentiment model.

    .venv/bin/python -m victim_voice.themes.evaluation                 # the held-out table (make themes-eval)
    .venv/bin/python -m victim_voice.themes.evaluation --split dev
    .venv/bin/python -m victim_voice.themes.evaluation --compare       # against the cues alone and a model without them
    .venv/bin/python -m victim_voice.themes.evaluation --file other.jsonl  # every line of another labelled file
    .venv/bin/python -m victim_voice.themes.evaluation --cross-validate  # the theme model's settings, on dev
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from victim_voice.themes import codeframe, rules
from victim_voice.themes.classifier import classify
from victim_voice.themes.training import load

Label = tuple[str, str]


@dataclass
class Measurement:
    """Counts per (theme, polarity) label and of sentiments right, over a set of comments."""

    true_positive: Counter[Label] = field(default_factory=Counter)
    false_positive: Counter[Label] = field(default_factory=Counter)
    false_negative: Counter[Label] = field(default_factory=Counter)
    sentiment_right: int = 0
    comments: int = 0
    # Each comment's (gold, found) labels, for the bootstrap interval.
    pairs: list[tuple[set[Label], set[Label]]] = field(default_factory=list)

    def add(self, gold: set[Label], found: set[Label]) -> None:
        self.pairs.append((gold, found))
        self.true_positive.update(gold & found)
        self.false_positive.update(found - gold)
        self.false_negative.update(gold - found)

    def precision(self, label: Label) -> float:
        found = self.true_positive[label] + self.false_positive[label]
        return self.true_positive[label] / found if found else 0.0

    def recall(self, label: Label) -> float:
        gold = self.true_positive[label] + self.false_negative[label]
        return self.true_positive[label] / gold if gold else 0.0

    def f1(self, label: Label) -> float:
        p, r = self.precision(label), self.recall(label)
        return 2 * p * r / (p + r) if p + r else 0.0

    def support(self, label: Label) -> int:
        return self.true_positive[label] + self.false_negative[label]

    @property
    def macro_f1(self) -> float:
        return sum(self.f1(label) for label in codeframe.LABELS) / len(codeframe.LABELS)

    @property
    def sentiment_accuracy(self) -> float:
        return self.sentiment_right / self.comments if self.comments else 0.0

    def macro_f1_interval(self, resamples: int = 2000, seed: int = 0) -> tuple[float, float]:
        """A 95% percentile bootstrap interval for the macro F1, resampling comments.

        Each label's F1 rests on a few comments in a set of a few hundred, so the macro F1 moves
        by a few points with which comments happen to be in the set; the interval says how far.
        """
        import numpy as np

        index = {label: j for j, label in enumerate(codeframe.LABELS)}
        counts = np.zeros((len(self.pairs), 3, len(index)))
        for i, (gold, found) in enumerate(self.pairs):
            for label in gold & found:
                counts[i, 0, index[label]] = 1
            for label in found - gold:
                counts[i, 1, index[label]] = 1
            for label in gold - found:
                counts[i, 2, index[label]] = 1
        draws = np.random.default_rng(seed).integers(0, len(self.pairs), size=(resamples, len(self.pairs)))
        totals = counts[draws].sum(axis=1)  # resamples x (tp, fp, fn) x labels
        tp, fp, fn = totals[:, 0], totals[:, 1], totals[:, 2]
        f1 = np.divide(2 * tp, 2 * tp + fp + fn, out=np.zeros_like(tp), where=tp > 0)
        low, high = np.percentile(f1.mean(axis=1), [2.5, 97.5])
        return float(low), float(high)


def measure(rows: list[dict], themes: Callable[[str], set[Label]] | None = None) -> Measurement:
    """The classifier measured on labelled rows (``themes``: another way to find labels, for comparison)."""
    measured = Measurement()
    for row in rows:
        coding = classify(row["text"])
        found = themes(row["text"]) if themes else codeframe.raised(coding.themes)
        measured.add(codeframe.raised(row["themes"]), found)
        measured.sentiment_right += coding.sentiment == row["sentiment"]
        measured.comments += 1
    return measured


def labelled_file(path: Path) -> list[dict]:
    """Every line of a labelled JSON-lines file (``text``, ``themes``, ``sentiment``; ``split`` ignored).

    Raises ValueError naming the first line that is not a labelled comment.
    """
    rows = []
    for number, line in enumerate(path.read_bytes().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ValueError(f"line {number}: not a JSON object in UTF-8") from None
        if not (
            isinstance(row, dict)
            and isinstance(row.get("text"), str)
            and isinstance(row.get("themes"), dict)
            and set(row["themes"]) <= set(codeframe.THEMES)
            and set(row["themes"].values()) <= {"POS", "NEG", "MIXED"}
            and row.get("sentiment") in codeframe.SENTIMENTS
        ):
            raise ValueError(f'line {number}: needs a "text", "themes" of the codeframe and a "sentiment"')
        rows.append(row)
    return rows


def table(measured: Measurement) -> str:
    """The measurement as a plain-text table."""
    lines = [f"{'theme':<20} {'polarity':<8} {'support':>7} {'precision':>9} {'recall':>7} {'F1':>5}"]
    for label in codeframe.LABELS:
        lines.append(
            f"{label[0]:<20} {label[1]:<8} {measured.support(label):>7} {measured.precision(label):>9.2f} "
            f"{measured.recall(label):>7.2f} {measured.f1(label):>5.2f}"
        )
    low, high = measured.macro_f1_interval()
    lines.append(f"macro F1 (28 labels): {measured.macro_f1:.3f} (95% bootstrap interval {low:.3f} to {high:.3f})")
    lines.append(f"sentiment accuracy: {measured.sentiment_accuracy:.3f} ({measured.comments} comments)")
    return "\n".join(lines)


def without_cues(train_rows: list[dict]) -> Callable[[str], set[Label]]:
    """The method the shipped model was chosen against: a TF-IDF logistic regression per label over
    words (1-2) and characters (3-4) alone, without the cues' hits, trained on ``train_rows``
    (needs scikit-learn)."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    gold = [codeframe.raised(row["themes"]) for row in train_rows]
    texts = [rules.normalise(row["text"]) for row in train_rows]
    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), sublinear_tf=True, min_df=2)
    matrix = hstack([words.fit_transform(texts), chars.fit_transform(texts)]).tocsr()
    models = {
        label: LogisticRegression(C=30, class_weight="balanced", max_iter=5000).fit(matrix, [label in g for g in gold])
        for label in codeframe.LABELS
    }

    def predict(text: str) -> set[Label]:
        normal = [rules.normalise(text)]
        row = hstack([words.transform(normal), chars.transform(normal)]).tocsr()
        return {label for label, model in models.items() if model.predict_proba(row)[0, 1] >= 0.5}

    return predict


def compare(rows: list[dict], train_rows: list[dict], shipped: Measurement | None = None) -> str:
    """Macro F1 of the shipped model (``shipped``: its measurement, if already made), the cues alone
    and a model without the cues, and sentiment accuracy of VADER alone."""
    from victim_voice.themes.sentiment import _vader

    shipped = shipped or measure(rows)
    lines = [
        f"shipped (a logistic regression per label over the cues' hits, words and characters): "
        f"macro F1 {shipped.macro_f1:.3f}",
        f"cues alone: macro F1 {measure(rows, rules.rule_labels).macro_f1:.3f}",
        f"words and characters without the cues: macro F1 {measure(rows, without_cues(train_rows)).macro_f1:.3f}",
    ]
    vader = _vader()

    def vader_sentiment(text: str) -> str:
        scores = vader.polarity_scores(text)
        if scores["pos"] >= 0.15 and scores["neg"] >= 0.15:
            return "MIXED"
        compound = scores["compound"]
        return "POSITIVE" if compound >= 0.05 else "NEGATIVE" if compound <= -0.05 else "NEUTRAL"

    right = sum(vader_sentiment(row["text"]) == row["sentiment"] for row in rows)
    lines.append(f"sentiment: model {shipped.sentiment_accuracy:.3f}, VADER alone {right / len(rows):.3f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("test", "dev"), default="test", help="which part (default: held out)")
    parser.add_argument(
        "--file",
        type=Path,
        help="instead: every line of this labelled JSON-lines file (same format, any split), e.g. --file coded.jsonl",
    )
    parser.add_argument("--compare", action="store_true", help="also the methods not chosen (needs scikit-learn)")
    parser.add_argument(
        "--cross-validate",
        action="store_true",
        help="instead: 5-fold cross-validation on dev of the theme model's settings (needs scikit-learn)",
    )
    args = parser.parse_args(argv)
    if args.cross_validate:
        from victim_voice.themes import cross_validation

        print(cross_validation.report(load(split="dev")))
        return 0
    if args.file is not None:
        try:
            rows = labelled_file(args.file)
        except (OSError, ValueError) as error:
            parser.error(f"{args.file}: {error}")
        print(f"Themes and sentiment on {args.file} ({len(rows)} comments)\n")
        print(table(measure(rows)))
        return 0
    rows = load(split=args.split)
    print(f"Themes and sentiment on the {args.split} part of the labelled set ({len(rows)} comments)\n")
    shipped = measure(rows)
    print(table(shipped))
    if args.compare:
        print("\nMethods compared (trained on dev):")
        print(compare(rows, load(split="dev"), shipped))
    return 0


if __name__ == "__main__":
    sys.exit(main())
