"""Every public object's stated grain is a unique key of what it holds (jaffle-shop's habit).

The grain comes from the SQL file's header comment (the one place it is written, which
`victim-voice tables` and the README repeat), checked on a warehouse built from several
months of demo deliveries: bad rows quarantined, corrections, every mart populated, a few
comments decided by a reviewer.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from victim_voice.settings import Settings
from warehouse.catalogue import LABEL_TABLES, PublicObject, public_objects

RUN_DATE = date(2024, 6, 30)


def key_columns(obj: PublicObject) -> list[str]:
    """The grain as column names ("metric, period_type, period" -> three columns)."""
    return [column.strip() for column in obj.grain.split(",")]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from victim_voice.demo import write_demo_deliveries
    from victim_voice.demo.recorded_crime import write_recorded_crime
    from victim_voice.ingestion.run import ingest_landing
    from victim_voice.outputs.comment_candidates import eligible_comments
    from victim_voice.outputs.comment_review import decision_row
    from warehouse.db import open_writer
    from warehouse.storage import record_comment_decisions

    root = tmp_path_factory.mktemp("grain")
    settings = Settings(landing=root / "landing", warehouse=root / "w.duckdb", pseudonym_key="k" * 32)
    settings.landing.mkdir()
    manifests = write_demo_deliveries(settings.landing, months=6, seed=5, today=RUN_DATE)
    write_recorded_crime(settings.landing, sorted({m.period for m in manifests}))  # weighted cells and profile
    ingest_landing(settings, RUN_DATE)
    with open_writer(settings.warehouse) as con:  # a reviewer's decisions: audit.comment_approvals holds rows
        candidates = eligible_comments(con, "HORIZON")[:4]
        decisions = ["RELEASE", "WITHHOLD", "RELEASE_EDITED", "RELEASE"]
        edits = [None, None, "Helpful, thank you.", None]
        record_comment_decisions(
            con, [decision_row(*made, "A. Reviewer") for made in zip(candidates, decisions, edits, strict=True)]
        )
    return settings.warehouse


@pytest.mark.parametrize("obj", public_objects(), ids=lambda o: o.name)
def test_the_stated_grain_names_columns_of_the_object(obj: PublicObject, warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        columns = [row[0] for row in con.execute(f"describe {obj.name}").fetchall()]
    assert set(key_columns(obj)) <= set(columns), f"{obj.name}: grain {obj.grain!r}, columns {columns}"


def key_check(warehouse: Path, obj: PublicObject) -> tuple[int, int, int]:
    """(rows, rows repeating a key, rows with a blank key column) of ``obj`` under its stated grain."""
    columns = key_columns(obj)
    blank = " or ".join(f"{c} is null" for c in columns)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        [found] = con.execute(
            f"select count(*), count(*) - count(distinct ({', '.join(columns)})), count(*) filter (where {blank})"
            f" from {obj.name}"
        ).fetchall()
    return found


@pytest.mark.parametrize("obj", public_objects(), ids=lambda o: o.name)
def test_the_stated_grain_is_a_unique_key(obj: PublicObject, warehouse: Path) -> None:
    rows, repeated, blank = key_check(warehouse, obj)
    assert rows > 0, f"{obj.name} is empty: the check would prove nothing"
    assert repeated == 0, f"{obj.name}: {repeated} rows repeat a key of its stated grain ({obj.grain})"
    assert blank == 0, f"{obj.name}: {blank} rows have a blank column of their key ({obj.grain})"


def test_the_check_catches_a_grain_that_is_not_a_key(warehouse: Path) -> None:
    """The rule itself: metric values are not unique by metric and period alone."""
    rows, repeated, _ = key_check(warehouse, PublicObject("marts.metric_values", "", "metric, period"))
    assert 0 < repeated < rows


def test_the_readme_states_each_grain_as_the_sql_does() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    for obj in public_objects():
        [row] = [line for line in readme.splitlines() if line.startswith(f"| `{obj.name}` |")]
        assert row.split(" | ")[1].startswith(obj.grain), obj.name


@pytest.mark.parametrize("obj", LABEL_TABLES, ids=lambda o: o.name)
def test_each_label_table_is_keyed_by_its_code(obj: PublicObject, warehouse: Path) -> None:
    rows, repeated, blank = key_check(warehouse, obj)
    assert rows > 0 and repeated == 0 and blank == 0, obj.name


def test_the_readme_states_each_label_tables_grain() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    for obj in LABEL_TABLES:
        [row] = [line for line in readme.splitlines() if line.startswith(f"| `{obj.name}` |")]
        assert row.split(" | ")[1].startswith(obj.grain), obj.name
