"""Getting started: the commands `make demo` prints at its end work when pasted as printed
(the environment not activated, from the repository folder), and a missing warehouse says
how to name one."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.given import build_warehouse
from victim_voice import cli

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def in_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    """As after `make demo`: in the repository, .venv/bin not on the PATH."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("PATH", os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if ".venv" not in p))


def test_the_command_is_printed_as_its_path_when_the_environment_is_not_activated(in_repository, monkeypatch):
    monkeypatch.setattr(sys, "argv", [str(ROOT / ".venv" / "bin" / "victim-voice")])
    assert cli.command_as_typed() == str(Path(".venv", "bin", "victim-voice"))


def test_the_command_is_printed_bare_when_the_path_finds_it(tmp_path: Path, monkeypatch):
    script = tmp_path / "victim-voice"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(sys, "argv", [str(script)])
    assert cli.command_as_typed() == "victim-voice"


@pytest.mark.slow
def test_every_printed_next_step_runs_as_printed(in_repository, tmp_path: Path) -> None:
    rows = [{"interview_date": f"2024-{m:02d}-10", "sat_overall": 6, "sat_informed": 5} for m in range(4, 10)]
    warehouse = build_warehouse(tmp_path / "w.duckdb", [rows * 20])
    printed = cli.next_steps(warehouse, tmp_path / "outputs")
    commands = [line.strip() for line in printed.splitlines() if line.startswith("  ")]
    assert len(commands) >= 2
    for command in commands:
        done = subprocess.run(shlex.split(command), cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (command, done.stderr[-800:])
        assert "Traceback" not in done.stderr


def test_a_missing_warehouse_says_how_to_name_one(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.main(["query", "select 1"]) == 2
    err = capsys.readouterr().err
    assert "--warehouse PATH or VICTIM_VOICE_WAREHOUSE" in err and "demo-data/warehouse.duckdb" in err


def readme_answers() -> list[list[str]]:
    """The commands of the README's "Answering common questions", as arguments."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Answering common questions", 1)[1].split("\n## ", 1)[0]
    return [shlex.split(found) for found in re.findall(r"`\.venv/bin/victim-voice\s([^`]+)`", section)]


@pytest.mark.slow
def test_the_readme_answers_every_common_question_with_a_command_that_runs(tmp_path: Path, capsys) -> None:
    months = [
        f"{year}-{month:02d}" for year, month in [(2025, m) for m in range(4, 13)] + [(2026, m) for m in range(1, 10)]
    ]
    rows = [
        {"interview_date": f"{month}-10", "sat_overall": 6 - n % 3, "sat_informed": 5, "vcop_03": "Y",
         "domestic_abuse": "Y" if n % 4 == 0 else "N", "crime_group": ("THEFT", "RAPE", "ROBBERY")[n % 3],
         **({"svc_IDVA_status": "SUPPORTED", "comment_services": "My IDVA kept me updated"} if n % 5 == 0 else {})}
        for month in months for n in range(40)
    ]  # fmt: skip
    warehouse = build_warehouse(tmp_path / "w.duckdb", [rows])
    commands = readme_answers()
    assert len(commands) >= 6
    for number, arguments in enumerate(commands):
        arguments = [str(warehouse) if a == "demo-data/warehouse.duckdb" else a for a in arguments]
        out = arguments.index("--out") + 1
        arguments[out] = str(tmp_path / f"{number}" / arguments[out])
        assert cli.main(arguments) == 0, (arguments, capsys.readouterr().err)
        assert Path(arguments[out]).exists()
