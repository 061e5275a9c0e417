"""Measuring the redactor on a labelled evaluation set: precision and recall per identifier type.

A labelled identifier counts as found when redacted spans cover all of it (of any type:
what matters is that it is gone). A redacted span counts as correct when it overlaps a
labelled identifier. The set lives in tests/fixtures/redaction_eval.jsonl.

    .venv/bin/python -m victim_voice.protection.redaction_eval [path/to/set.jsonl]
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from victim_voice.protection.redaction import TYPES, Span, find_identifiers

EVAL_SET = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "redaction_eval.jsonl"
STRUCTURED = tuple(t for t in TYPES if t != "NAME")


@dataclass(frozen=True)
class Scores:
    """Counts behind precision and recall, per type."""

    labelled: Counter
    found: Counter
    predicted: Counter
    correct: Counter
    misses: list[tuple[str, str, str]]  # (comment id, type, missed text)
    false_alarms: list[tuple[str, str, str]]

    def recall(self, kind: str) -> float:
        return self.found[kind] / self.labelled[kind] if self.labelled[kind] else 1.0

    def precision(self, kind: str | None = None) -> float:
        predicted = self.predicted[kind] if kind else sum(self.predicted.values())
        correct = self.correct[kind] if kind else sum(self.correct.values())
        return correct / predicted if predicted else 1.0


def covered(label: Span, spans: list[Span]) -> bool:
    """Every character of the label lies inside some predicted span."""
    return all(any(s.start <= i < s.end for s in spans) for i in range(label.start, label.end))


def score(examples: list[dict]) -> Scores:
    labelled, found, predicted, correct = Counter(), Counter(), Counter(), Counter()
    misses, false_alarms = [], []
    for example in examples:
        text = example["text"]
        labels = [Span(s["start"], s["end"], s["type"]) for s in example["spans"]]
        spans = find_identifiers(text)
        for label in labels:
            labelled[label.type] += 1
            if covered(label, spans):
                found[label.type] += 1
            else:
                misses.append((example["id"], label.type, text[label.start : label.end]))
        for span in spans:
            predicted[span.type] += 1
            if any(span.start < label.end and label.start < span.end for label in labels):
                correct[span.type] += 1
            else:
                false_alarms.append((example["id"], span.type, text[span.start : span.end]))
    return Scores(labelled, found, predicted, correct, misses, false_alarms)


def load_examples(path: Path = EVAL_SET) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def report(scores: Scores) -> str:
    """A Markdown table of precision and recall per type."""
    lines = ["| type | labelled | recall | redacted | precision |", "|---|---|---|---|---|"]
    for kind in TYPES:
        lines.append(
            f"| {kind} | {scores.labelled[kind]} | {scores.recall(kind):.1%} | {scores.predicted[kind]} "
            f"| {scores.precision(kind):.1%} |"
        )
    total_labelled = sum(scores.labelled.values())
    total_found = sum(scores.found.values())
    lines.append(
        f"| all | {total_labelled} | {total_found / total_labelled:.1%} | {sum(scores.predicted.values())} "
        f"| {scores.precision():.1%} |"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    examples = load_examples(Path(sys.argv[1]) if len(sys.argv) > 1 else EVAL_SET)
    result = score(examples)
    print(f"{len(examples)} comments\n\n{report(result)}\n")
    for title, items in (("missed", result.misses), ("false alarms", result.false_alarms)):
        print(f"{title} ({len(items)}):")
        for item in items[:60]:
            print("  ", item)
