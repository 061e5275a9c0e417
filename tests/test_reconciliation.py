"""Every delivered row is accounted for: loaded or quarantined, exactly as planted."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import RUN_DATE
from tests.test_loading import table_snapshot
from victim_voice.demo import DeliveryManifest, write_demo_deliveries
from victim_voice.ingestion.run import ingest_landing
from victim_voice.settings import Settings
from warehouse.db import open_writer

# Which contract check catches each kind of bad row the generator plants.
CHECKS_FOR_KIND = {
    "missing_required": {"required"},
    "not_allowed": {"allowed_values"},
    "bad_pattern": {"pattern"},
    "out_of_range": {"whole_number_in_range", "allowed_values"},
    "bad_date": {"valid_date"},
    "date_out_of_window": {"date_in_window"},
    "duplicate_id": {"unique_in_file"},
    "sat_court_before_court": {"sat_court_needs_court"},
    "outcome_before_stage": {"outcome_needs_court", "charged_needs_charge_decision"},
    "days_without_contact": {"days_need_contact"},
    "answers_without_support": {"answers_need_support"},
    "comment_too_long": {"max_length"},
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, list[DeliveryManifest], list]:
    root = tmp_path_factory.mktemp("reconciliation")
    settings = Settings(landing=root / "landing", warehouse=root / "warehouse.duckdb", pseudonym_key="k" * 32)
    settings.landing.mkdir()
    manifests = write_demo_deliveries(settings.landing, months=6, seed=11, today=RUN_DATE)
    outcomes = ingest_landing(settings, RUN_DATE)
    return settings, manifests, outcomes


def test_the_demo_covers_every_kind_of_bad_row(demo) -> None:
    _, manifests, _ = demo
    assert {bad["kind"] for m in manifests for bad in m.bad_rows} == set(CHECKS_FOR_KIND)


def test_rows_in_equal_loaded_plus_quarantined_for_every_file(demo) -> None:
    settings, manifests, outcomes = demo
    assert [o.file_name for o in outcomes] == [m.path.name for m in manifests]
    with open_writer(settings.warehouse) as con:
        files = con.sql(
            "select file_name, status, rows_in_file, rows_loaded, rows_quarantined from audit.deliveries"
        ).fetchall()
        loaded = dict(con.sql("select delivery_id, count(*) from core.response_versions group by all").fetchall())
    for (file_name, status, rows_in, rows_loaded, rows_quarantined), manifest in zip(files, manifests, strict=True):
        assert (file_name, status) == (manifest.path.name, "LOADED")
        assert rows_in == manifest.rows == rows_loaded + rows_quarantined
        assert rows_quarantined == len(manifest.bad_rows)
    assert sum(loaded.values()) == sum(m.rows - len(m.bad_rows) for m in manifests)


def test_exactly_the_planted_rows_are_quarantined_by_the_right_rule(demo) -> None:
    settings, manifests, _ = demo
    with open_writer(settings.warehouse) as con:
        found = con.sql("select file_name, row_number, check_name from audit.quarantine").fetchall()
    by_row: dict[tuple[str, int], set[str]] = {}
    for file_name, row_number, check in found:
        by_row.setdefault((file_name, row_number), set()).add(check)
    planted = {(m.path.name, bad["row_number"]): bad["kind"] for m in manifests for bad in m.bad_rows}
    assert set(by_row) == set(planted)
    for row, kind in planted.items():
        assert by_row[row] <= CHECKS_FOR_KIND[kind], (row, kind, by_row[row])


def test_corrections_are_current_and_one_row_per_response(demo) -> None:
    settings, manifests, outcomes = demo
    corrected = [i for m in manifests for i in m.corrected_ids]
    assert corrected and sum(o.rows_corrected for o in outcomes) == len(corrected)
    redelivery = next(m.path.name for m in manifests if m.corrected_ids)
    with open_writer(settings.warehouse) as con:
        sources = dict(con.sql("select response_id, source_file from marts.responses").fetchall())
        distinct = con.sql("select count(distinct response_id) from core.response_versions").fetchall()[0][0]
    assert len(sources) == distinct
    assert {sources[i] for i in corrected} == {redelivery}


def test_a_rerun_changes_nothing(demo) -> None:
    settings, _, _ = demo
    before = table_snapshot(settings.warehouse)
    assert ingest_landing(settings, RUN_DATE) == []
    assert table_snapshot(settings.warehouse) == before


def test_demo_files_are_reproducible(tmp_path: Path, demo) -> None:
    _, manifests, _ = demo
    again = write_demo_deliveries(tmp_path, months=6, seed=11, today=RUN_DATE)
    assert [m.path.read_bytes() for m in again] == [m.path.read_bytes() for m in manifests]
