"""The redactor on real, human-written feedback labelled by hand (``../shared/data/realtext-dev``).

The files are read in place and never copied into the repository; without the folder these
tests skip. The name model was trained on the ``dev`` half only: the ``test`` half gives the
honest figures, and the floors below hold the measured figures (README, "Comments") so that
a change that makes redaction worse on real text fails here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from victim_voice.protection import name_model
from victim_voice.protection.redaction_eval import REALTEXT, STRUCTURED, load_examples, realtext_files, score

pytestmark = pytest.mark.skipif(not REALTEXT.is_dir(), reason=f"no labelled real text at {REALTEXT}")


def test_names_in_real_text_held_out() -> None:
    scores = score(load_examples(realtext_files(REALTEXT, "test")["real"]))
    assert scores.recall("NAME") >= 0.945
    assert scores.precision("NAME") >= 0.85
    assert scores.still_showing("NAME") <= 0.075  # comments naming someone that still show a name


def test_uk_identifiers_inserted_in_real_text_held_out() -> None:
    scores = score(load_examples(realtext_files(REALTEXT, "test")["inserted"]))
    for kind in STRUCTURED:
        assert scores.recall(kind) == 1.0, (kind, [m[1] for m in scores.misses if m[1] == kind])
        assert scores.precision(kind) == 1.0, kind
    assert scores.still_showing() == 0.0


def test_the_redact_command_gives_the_spans_the_evaluation_scores(tmp_path: Path) -> None:
    """`victim-voice redact` on a labelled file: its spans, scored, give the evaluation's figures."""
    source = realtext_files(REALTEXT, "test")["inserted"]
    examples = load_examples(source)
    out = tmp_path / "redacted.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "victim_voice.cli", "redact", "--in", str(source), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert set(results) == {e["id"] for e in examples}
    from victim_voice.protection.redaction import Span

    by_command = score(examples, finder=lambda text: [Span(**s) for s in results[_id_of(examples, text)]["spans"]])
    assert by_command.found == score(examples).found
    assert all("[" in results[e["id"]]["redacted"] for e in examples)  # every text here holds an identifier


def _id_of(examples: list[dict], text: str) -> str:
    return next(e["id"] for e in examples if e["text"] == text)


def test_the_committed_name_model_is_what_training_gives() -> None:
    """`make name-model` reproduces name_model.json from the repository and the dev half."""
    pytest.importorskip("sklearn")
    from victim_voice.protection import name_model_training as training

    retrained = training.train(training.load(REALTEXT / "real-dev.jsonl"), training.load(training.GENERATED))
    committed = json.loads(name_model.MODEL_FILE.read_text(encoding="utf-8"))
    assert retrained["threshold"] == committed["threshold"]
    assert retrained["weights"].keys() == committed["weights"].keys()
    assert all(abs(retrained["weights"][k] - v) < 1e-3 for k, v in committed["weights"].items())
