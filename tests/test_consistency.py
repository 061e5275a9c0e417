"""Readers never see half a run: the marts change only when a run's loads and its refresh
have both committed, and a run killed in between is caught up by the next one.

The crash is real: a child process runs the ingestion and SIGKILLs itself where the
reviewer's kill -9 landed (after a file's commit, before the refresh; in the middle of the
refresh), leaving DuckDB no chance to close anything.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import RUN_DATE, full_month, write_csv
from victim_voice.ingestion.run import ingest_landing
from victim_voice.settings import Settings
from warehouse.db import open_reader

# What four public objects say about the same responses: how many there are and in which months.
AGREEMENT = {
    "marts.responses": "select strftime(interview_date, '%Y-%m'), count(*) from marts.responses group by 1",
    "marts.metric_values": "select period, denominator from marts.metric_values where metric = "
    "'journey_INVESTIGATION' and period_type = 'month' and breakdown = 'all'",
    "marts.quota_compliance": "select period, delivered from marts.quota_compliance where quota = 'total'",
    "marts.crime_type_scorecard": "select period, responses from marts.crime_type_scorecard"
    " where crime_type = 'ALL' and period_type = 'month'",
}


def what_readers_see(warehouse: Path) -> dict[str, list[tuple]]:
    """Responses per month, as each public object tells it."""
    with open_reader(warehouse) as con:
        return {name: sorted(con.execute(sql).fetchall()) for name, sql in AGREEMENT.items()}


def agreed(seen: dict[str, list[tuple]]) -> list[tuple]:
    """The one answer every object gives (fails when two disagree)."""
    answers = list(seen.values())
    assert all(answer == answers[0] for answer in answers), seen
    return answers[0]


def run_killed(settings: Settings, kill_at: str) -> subprocess.CompletedProcess:
    """Run the ingestion in a child process that SIGKILLs itself at ``kill_at``: "refresh" (the
    loads committed, the refresh not started) or "mid-refresh" (models half rebuilt)."""
    kill = "lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)"
    patch = {
        "refresh": f"run.refresh_metrics = {kill}",
        "mid-refresh": f"models.record_refresh = {kill}",  # every model rebuilt, nothing committed
    }[kill_at]
    script = f"""
import os, signal, sys
from datetime import date
from pathlib import Path
sys.path[:0] = {sys.path!r}
from victim_voice.ingestion import run
from victim_voice.settings import Settings
from warehouse import models
{patch}
run.ingest_landing(Settings.from_env().with_paths(Path({str(settings.landing)!r}), Path({str(settings.warehouse)!r})),
                   date(2024, 6, 30))
"""
    return subprocess.run([sys.executable, "-c", script], capture_output=True, check=False)


@pytest.mark.parametrize("kill_at", ["refresh", "mid-refresh"])
def test_a_run_killed_before_its_refresh_commits_changes_nothing_readers_see(settings: Settings, kill_at: str) -> None:
    write_csv(settings.landing / "VictimVoice_2024-04_01.csv", full_month("2024-04"))
    ingest_landing(settings, RUN_DATE)
    before = agreed(what_readers_see(settings.warehouse))
    assert before == [("2024-04", 170)]

    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", full_month("2024-05", rows=171))
    killed = run_killed(settings, kill_at)
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()

    with open_reader(settings.warehouse) as con:  # the load itself committed ...
        loaded = con.execute("select file_name, status from audit.deliveries order by delivery_id").fetchall()
        refreshes = con.execute("select count(*) from audit.refreshes").fetchall()
    assert loaded == [("VictimVoice_2024-04_01.csv", "LOADED"), ("VictimVoice_2024-05_01.csv", "LOADED")]
    assert refreshes == [(1,)]
    assert agreed(what_readers_see(settings.warehouse)) == before  # ... and readers still see the last refresh

    assert ingest_landing(settings, RUN_DATE) == []  # no new file, but the refresh was owed
    assert agreed(what_readers_see(settings.warehouse)) == [("2024-04", 170), ("2024-05", 171)]


def test_a_run_with_nothing_new_leaves_an_up_to_date_refresh_alone(settings: Settings) -> None:
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", full_month("2024-05"))
    ingest_landing(settings, RUN_DATE)
    ingest_landing(settings, RUN_DATE)
    with open_reader(settings.warehouse) as con:
        refreshes = con.execute("select refresh_id, deliveries_up_to, response_versions from audit.refreshes")
        assert refreshes.fetchall() == [(1, 1, 170)]


def test_new_models_are_a_refresh_owed(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """A release that changes the SQL or the contract rebuilds the marts on the next run."""
    from warehouse import models

    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", full_month("2024-05"))
    ingest_landing(settings, RUN_DATE)
    monkeypatch.setattr(models, "models_version", lambda sql_dir=None: "a-new-release")
    ingest_landing(settings, RUN_DATE)
    with open_reader(settings.warehouse) as con:
        versions = con.execute("select models_version from audit.refreshes order by refresh_id").fetchall()
    assert len(versions) == 2 and versions[-1] == ("a-new-release",)


def test_marts_read_only_what_the_refresh_built() -> None:
    """Every model reads the loaded responses through the refresh's snapshot: only
    staging.stg_current_versions chooses among core.response_versions, and a model that names
    storage (core, audit) joins that snapshot's keys. The force's counts have their own snapshot,
    staging.stg_recorded_victims, a table built in the same transaction."""
    from warehouse.models import strip_comments
    from warehouse.sql_files import MODEL_LAYERS, layer_files, object_name

    readers_of_storage = {
        object_name(p): p for p in layer_files(MODEL_LAYERS) if re.search(r"\b(core|audit)\.", strip_comments(p))
    }
    assert sorted(readers_of_storage) == [
        "staging.stg_comment_codes",
        "staging.stg_current_versions",
        "staging.stg_recorded_victims",
        "staging.stg_responses",
    ]
    assert "create or replace table" in readers_of_storage["staging.stg_recorded_victims"].read_text()
    for reader in ("staging.stg_responses", "staging.stg_comment_codes"):
        assert "from staging.stg_current_versions" in strip_comments(readers_of_storage[reader])
    assert "create or replace table" in readers_of_storage["staging.stg_current_versions"].read_text()
