"""The SQL layer: one object per file with its grain, dependency order, atomic refresh, docs."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.given import build_warehouse, cells
from warehouse.catalogue import public_objects
from warehouse.db import open_writer
from warehouse.models import dependency_order, refresh_models, strip_comments
from warehouse.sql_files import MODEL_LAYERS, SQL_DIR, STORAGE_LAYERS, layer_files, object_name

ROOT = Path(__file__).parents[1]
OBJECT_FILES = [p for p in layer_files(STORAGE_LAYERS + MODEL_LAYERS) if p.parent.name != "functions"]


@pytest.mark.parametrize("path", OBJECT_FILES, ids=[object_name(p) for p in OBJECT_FILES])
def test_each_file_defines_the_object_it_is_named_after_and_states_its_grain(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.startswith(f"-- {object_name(path)}: ")
    assert "(grain: " in text.split("\ncreate", 1)[0]
    created = re.findall(r"create (?:or replace )?(?:table|view) (?:if not exists )?(\w+\.\w+)", text)
    assert created == [object_name(path)]


def test_models_come_after_everything_they_read() -> None:
    ordered = dependency_order(layer_files(MODEL_LAYERS))
    built: set[str] = set()
    for path in ordered:
        refs = {".".join(m) for m in re.findall(r"\b(staging|intermediate|marts)\.(\w+)\b", strip_comments(path))}
        assert refs - {object_name(path)} <= built, (path.name, refs - built)
        built.add(object_name(path))


def test_refresh_is_repeatable(tmp_path: Path) -> None:
    warehouse = build_warehouse(tmp_path / "w.duckdb", [[{"sat_overall": 6}] * 12])
    before = cells(warehouse, "select * from marts.metric_values order by all")
    with open_writer(warehouse) as con:
        refresh_models(con)
    assert cells(warehouse, "select * from marts.metric_values order by all") == before


@pytest.mark.parametrize(("was", "now"), [("view", "table"), ("table", "view")])
def test_a_model_that_changed_kind_since_the_warehouse_was_built_is_rebuilt(tmp_path: Path, was: str, now: str) -> None:
    """A warehouse built when a model was a table refreshes once the model is a view (and the
    reverse): ``create or replace`` alone cannot change an object's kind."""
    warehouse = build_warehouse(tmp_path / "w.duckdb", [[{"sat_overall": 6}] * 12])
    before = cells(warehouse, "select * from marts.metric_values order by all")
    changed = tmp_path / "sql"
    shutil.copytree(SQL_DIR, changed)
    model = changed / "marts" / "zz_changed.sql"
    model.write_text(f"create or replace {was} marts.zz_changed as select 1 as one")
    with open_writer(warehouse) as con:
        refresh_models(con, sql_dir=changed)
    model.write_text(f"create or replace {now} marts.zz_changed as select 2 as one")
    with open_writer(warehouse) as con:
        refresh_models(con, sql_dir=changed)
        kinds = con.execute(
            "select 'table' from duckdb_tables() where table_name = 'zz_changed' "
            "union all select 'view' from duckdb_views() where view_name = 'zz_changed'"
        ).fetchall()
    assert kinds == [(now,)]
    assert cells(warehouse, "select one from marts.zz_changed") == [(2,)]
    assert cells(warehouse, "select * from marts.metric_values order by all") == before


def test_a_failing_refresh_leaves_the_previous_models_in_place(tmp_path: Path) -> None:
    warehouse = build_warehouse(tmp_path / "w.duckdb", [[{"sat_overall": 6}] * 12])
    before = cells(warehouse, "select * from marts.metric_values order by all")
    broken = tmp_path / "sql"
    shutil.copytree(SQL_DIR, broken)
    (broken / "marts" / "zz_broken.sql").write_text(
        "create or replace table marts.zz_broken as select nope from nowhere"
    )
    with open_writer(warehouse) as con, pytest.raises(Exception, match="nowhere"):
        refresh_models(con, sql_dir=broken)
    assert cells(warehouse, "select * from marts.metric_values order by all") == before


def test_readme_documents_every_public_object() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for obj in public_objects():
        assert f"`{obj.name}`" in readme, obj.name


def test_metric_values_columns_are_exactly_the_documented_ones(tmp_path: Path) -> None:
    warehouse = build_warehouse(tmp_path / "w.duckdb", [[{}]])
    columns = cells(
        warehouse,
        "select column_name, data_type from information_schema.columns"
        " where table_schema = 'marts' and table_name = 'metric_values' order by ordinal_position",
    )
    assert columns == [
        ("metric", "VARCHAR"),
        ("period_type", "VARCHAR"),
        ("period", "VARCHAR"),
        ("period_start", "VARCHAR"),  # metrics-v2 §1
        ("period_label", "VARCHAR"),
        ("breakdown", "VARCHAR"),
        ("breakdown_value", "VARCHAR"),
        ("numerator", "BIGINT"),
        ("denominator", "BIGINT"),
        ("rate", "DOUBLE"),
        ("ci_low", "DOUBLE"),
        ("ci_high", "DOUBLE"),
        ("suppressed", "BOOLEAN"),
        ("indicative", "BOOLEAN"),
    ]
