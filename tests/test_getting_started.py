"""Getting started: the commands `make demo` prints at its end work when pasted as printed
(the environment not activated, from the repository folder), and a missing warehouse says
how to name one."""

from __future__ import annotations

import os
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
