"""Measuring the redactor on labelled text: precision and recall per identifier type, and per comment.

A labelled identifier counts as found when redacted spans cover all of it (of any type:
what matters is that it is gone). A redacted span counts as correct when it overlaps a
labelled identifier. A comment "still shows an identifier" when any of its labelled
identifiers is not wholly covered.

Two sets:

- the generated set, ``tests/fixtures/redaction_eval.jsonl`` (realistic victims' comments
  from the project's generator, planted identifiers): a regression test, and flattering,
  since the generator and the redactor share their name lists;
- real, human-written feedback labelled by hand, read in place from
  ``../shared/data/realtext-dev/`` (never copied into the repository): ``real-<split>.jsonl``
  (names as people wrote them) and ``inserted-<split>.jsonl`` (the same texts with UK
  identifiers added). The name model is trained on ``dev``; ``test`` is the honest figure.

    .venv/bin/python -m victim_voice.protection.redaction_eval                  # generated set
    .venv/bin/python -m victim_voice.protection.redaction_eval FILE.jsonl       # any labelled file
    .venv/bin/python -m victim_voice.protection.redaction_eval --realtext ../shared/data/realtext-dev --split test
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from victim_voice.protection.redaction import TYPES, Span, find_identifiers

EVAL_SET = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "redaction_eval.jsonl"
REALTEXT = Path(__file__).resolve().parents[3] / "shared" / "data" / "realtext-dev"
STRUCTURED = tuple(t for t in TYPES if t != "NAME")


@dataclass(frozen=True)
class Scores:
    """Counts behind precision and recall, per type, and per comment."""

    labelled: Counter
    found: Counter
    predicted: Counter
    correct: Counter
    misses: list[tuple[str, str, str]]  # (comment id, type, missed text)
    false_alarms: list[tuple[str, str, str]]
    comments_with: Counter = field(default_factory=Counter)  # comments holding a type ("any": any type)
    comments_showing: Counter = field(default_factory=Counter)  # ... still showing one afterwards

    def recall(self, kind: str) -> float:
        return self.found[kind] / self.labelled[kind] if self.labelled[kind] else 1.0

    def precision(self, kind: str | None = None) -> float:
        predicted = self.predicted[kind] if kind else sum(self.predicted.values())
        correct = self.correct[kind] if kind else sum(self.correct.values())
        return correct / predicted if predicted else 1.0

    def still_showing(self, kind: str = "any") -> float:
        """Share of the comments holding an identifier (of ``kind``) that still show one."""
        return self.comments_showing[kind] / self.comments_with[kind] if self.comments_with[kind] else 0.0


def covered(label: Span, spans: list[Span]) -> bool:
    """Every character of the label lies inside some predicted span."""
    return all(any(s.start <= i < s.end for s in spans) for i in range(label.start, label.end))


def score(examples: list[dict], finder: Callable[[str], list[Span]] = find_identifiers) -> Scores:
    labelled, found, predicted, correct = Counter(), Counter(), Counter(), Counter()
    comments_with, comments_showing = Counter(), Counter()
    misses, false_alarms = [], []
    for example in examples:
        text = example["text"]
        labels = [Span(s["start"], s["end"], s["type"]) for s in example["spans"]]
        spans = finder(text)
        missed_kinds = set()
        for label in labels:
            labelled[label.type] += 1
            if covered(label, spans):
                found[label.type] += 1
            else:
                missed_kinds.add(label.type)
                misses.append((example["id"], label.type, text[label.start : label.end]))
        for kind in {label.type for label in labels} | ({"any"} if labels else set()):
            comments_with[kind] += 1
            comments_showing[kind] += kind in missed_kinds or (kind == "any" and bool(missed_kinds))
        for span in spans:
            predicted[span.type] += 1
            if any(span.start < label.end and label.start < span.end for label in labels):
                correct[span.type] += 1
            else:
                false_alarms.append((example["id"], span.type, text[span.start : span.end]))
    return Scores(labelled, found, predicted, correct, misses, false_alarms, comments_with, comments_showing)


def load_examples(path: Path = EVAL_SET) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def report(scores: Scores) -> str:
    """A Markdown table of precision and recall per type, with the comments still showing one."""
    lines = [
        "| type | labelled | recall | redacted | precision | comments with | still showing |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind in TYPES:
        if not scores.labelled[kind] and not scores.predicted[kind]:
            continue
        lines.append(
            f"| {kind} | {scores.labelled[kind]} | {scores.recall(kind):.1%} | {scores.predicted[kind]} "
            f"| {scores.precision(kind):.1%} | {scores.comments_with[kind]} | {scores.comments_showing[kind]} |"
        )
    total_labelled = sum(scores.labelled.values())
    total_found = sum(scores.found.values())
    lines.append(
        f"| all | {total_labelled} | {total_found / max(total_labelled, 1):.1%} | {sum(scores.predicted.values())} "
        f"| {scores.precision():.1%} | {scores.comments_with['any']} "
        f"| {scores.comments_showing['any']} ({scores.still_showing():.1%}) |"
    )
    return "\n".join(lines)


def realtext_files(folder: Path, split: str) -> dict[str, Path]:
    """The real-text files of one split: names as written, and with UK identifiers inserted."""
    return {name: folder / f"{name}-{split}.jsonl" for name in ("real", "inserted")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m victim_voice.protection.redaction_eval", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("files", nargs="*", type=Path, help="labelled JSON-lines files (default: the generated set)")
    parser.add_argument("--realtext", type=Path, help="the folder of labelled real text (realtext-dev)")
    parser.add_argument("--split", choices=("dev", "test"), default="test", help="which half of it (default: test)")
    parser.add_argument("--show", type=int, default=0, help="list this many misses and false alarms (personal data!)")
    args = parser.parse_args(argv)
    if args.realtext:
        files = realtext_files(args.realtext, args.split)
    else:
        files = {path.name: path for path in args.files or [EVAL_SET]}
    for name, path in files.items():
        if not path.is_file():
            print(f"error: {path} not found", file=sys.stderr)
            return 2
        examples = load_examples(path)
        result = score(examples)
        print(f"## {name}: {len(examples)} comments\n\n{report(result)}\n")
        for title, items in (("missed", result.misses), ("false alarms", result.false_alarms)):
            for item in items[: args.show]:
                print(f"  {title}: {item}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
