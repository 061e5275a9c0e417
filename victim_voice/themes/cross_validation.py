"""How the theme model is set, chosen and measured by cross-validation on ``dev``.

Every figure here comes from out-of-fold probabilities: each ``dev`` comment scored by the
models trained on the other folds (5 folds, shuffled), so no comment is scored by a model that
saw it. The ``test`` part is never read here. Needs scikit-learn (a dev extra).

    .venv/bin/python -m victim_voice.themes.evaluation --cross-validate

It compares the cues alone with the model at each C of ``C_GRID`` raising a label from
probability 0.5, and with a threshold chosen per label; the per-label choice is also measured
honestly, by nested cross-validation (thresholds chosen on the inner folds only).

>>> folds(7, k=3, seed=0)
[0, 2, 1, 2, 0, 1, 0]
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from victim_voice.themes import codeframe, training
from victim_voice.themes.training import Fitted, Prepared

Label = tuple[str, str]
C_GRID = (10.0, 30.0)
THRESHOLD_GRID = (0.3, 0.4, 0.5, 0.6, 0.7)
SEEDS = (0,)
FOLDS = 5


def folds(n: int, k: int = FOLDS, seed: int = 0) -> list[int]:
    """The fold of each of ``n`` comments: a shuffle dealt round ``k`` folds."""
    order = list(range(n))
    random.Random(seed).shuffle(order)
    fold = [0] * n
    for position, index in enumerate(order):
        fold[index] = position % k
    return fold


def out_of_fold(data: Prepared, seed: int, c: float = training.THEME_C, k: int = FOLDS) -> list[dict[Label, float]]:
    """Each comment's probability per label from the models trained on the other folds."""
    fold = folds(len(data.texts), k, seed)
    found: list[dict[Label, float]] = [{} for _ in data.texts]
    for f in range(k):
        train = [i for i in range(len(fold)) if fold[i] != f]
        held = [i for i in range(len(fold)) if fold[i] == f]
        scored = Fitted.on(data.subset(train), c).probabilities(data.subset(held))
        for i, probabilities in zip(held, scored, strict=True):
            found[i] = probabilities
    return found


def f1(true_positive: int, false_positive: int, false_negative: int) -> float:
    return 2 * true_positive / (2 * true_positive + false_positive + false_negative) if true_positive else 0.0


def label_f1(gold: Sequence[set[Label]], said: Sequence[bool], label: Label) -> float:
    tp = sum(s and label in g for s, g in zip(said, gold, strict=True))
    fp = sum(s and label not in g for s, g in zip(said, gold, strict=True))
    fn = sum(not s and label in g for s, g in zip(said, gold, strict=True))
    return f1(tp, fp, fn)


def macro_f1(gold: Sequence[set[Label]], predictions: Sequence[set[Label]]) -> float:
    """Macro F1 over the 28 labels."""
    labels = codeframe.LABELS
    return sum(label_f1(gold, [label in p for p in predictions], label) for label in labels) / len(labels)


def decide(scored: Sequence[dict[Label, float]], thresholds: dict[Label, float]) -> list[set[Label]]:
    return [{label for label, p in probabilities.items() if p >= thresholds[label]} for probabilities in scored]


def choose_thresholds(gold: Sequence[set[Label]], runs: Sequence[Sequence[dict[Label, float]]]) -> dict[Label, float]:
    """Per label the threshold of best mean F1 over the runs (ties: nearest 0.5)."""
    chosen = {}
    for label in codeframe.LABELS:

        def score(t: float, label: Label = label) -> float:
            return sum(label_f1(gold, [s[label] >= t for s in run], label) for run in runs) / len(runs)

        chosen[label] = max(THRESHOLD_GRID, key=lambda t: (score(t), -abs(t - 0.5)))
    return chosen


def nested_per_label(data: Prepared, seed: int, c: float, k: int = FOLDS) -> float:
    """Macro F1 of per-label thresholds chosen on the inner folds only, scored on the outer fold."""
    fold = folds(len(data.texts), k, seed)
    predictions: list[set[Label]] = [set() for _ in data.texts]
    for f in range(k):
        train = [i for i in range(len(fold)) if fold[i] != f]
        held = [i for i in range(len(fold)) if fold[i] == f]
        inner = data.subset(train)
        thresholds = choose_thresholds(inner.gold, [out_of_fold(inner, seed + 100, c, k)])
        scored = Fitted.on(inner, c).probabilities(data.subset(held))
        for i, found in zip(held, decide(scored, thresholds), strict=True):
            predictions[i] = found
    return macro_f1(data.gold, predictions)


def report(examples: Sequence[dict], nested: bool = True) -> str:
    """Dev cross-validation: the cues alone, the model at each C, and per-label thresholds."""
    data = Prepared.of(examples)
    half = dict.fromkeys(codeframe.LABELS, 0.5)
    lines = [
        f"5-fold cross-validation on dev ({len(data.texts)} comments, {len(SEEDS)} shuffles), macro F1 over 28 labels:",
        f"  cues alone:                          {macro_f1(data.gold, data.raised_by_cues):.3f}",
    ]
    runs_at = {c: [out_of_fold(data, seed, c) for seed in SEEDS] for c in C_GRID}
    for c, runs in runs_at.items():
        mean = sum(macro_f1(data.gold, decide(run, half)) for run in runs) / len(runs)
        lines.append(f"  model, C = {c:g}, from 0.5:{'':<13}{mean:.3f}")
    runs = runs_at[training.THEME_C]
    chosen = choose_thresholds(data.gold, runs)
    mean = sum(macro_f1(data.gold, decide(run, chosen)) for run in runs) / len(runs)
    lines.append(f"  C = {training.THEME_C:g}, thresholds per label:     {mean:.3f} (optimistic)")
    if nested:
        honest = nested_per_label(data, SEEDS[0], training.THEME_C)
        lines.append(f"  the same, nested:                    {honest:.3f} (honest)")
    lines.append("\nthresholds per label chosen on these folds:")
    lines.extend(f"  {theme}:{polarity:<4} {chosen[(theme, polarity)]}" for theme, polarity in codeframe.LABELS)
    return "\n".join(lines)
