"""Building the warehouse's models from `sql/`: the model runner.

Models (``sql/functions``,
``sql/staging``, ``sql/intermediate``, ``sql/marts``) are rebuilt by
:func:`refresh_models` in one transaction, in dependency order: a model depends on every
``schema.object`` it names that another file defines. One object per file, file name =
object name. A small runner on purpose; if it ever needs tests-as-config, incremental
models or docs, that is the point to move to dbt-duckdb.

Example::

    >>> refresh_metrics(Settings.from_env())  # doctest: +SKIP
    ['staging.stg_responses', ...]
"""

from __future__ import annotations

import re
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb

from victim_voice.settings import Settings
from warehouse.db import open_writer, transaction
from warehouse.reference import write_reference_tables
from warehouse.sql_files import MODEL_LAYERS, SQL_DIR, layer_files, object_name

MODEL_SCHEMAS = ("staging", "intermediate", "marts")
_REFERENCE = re.compile(r"\b(staging|intermediate|marts)\.(\w+)\b")


def dependency_order(paths: list[Path]) -> list[Path]:
    """Model files ordered so that every object is built after those it reads.

    Functions (macros) come first; then a topological order of the references.
    """
    by_name = {object_name(p): p for p in paths if p.parent.name != "functions"}
    graph = {
        name: {ref for ref in (".".join(m) for m in _REFERENCE.findall(strip_comments(path))) if ref in by_name}
        - {name}
        for name, path in by_name.items()
    }
    ordered = [by_name[name] for name in TopologicalSorter(graph).static_order()]
    return [p for p in paths if p.parent.name == "functions"] + ordered


def strip_comments(path: Path) -> str:
    """SQL text without ``--`` comments (header comments may name other objects)."""
    return re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))


_CREATES = re.compile(r"^create or replace (table|view) (\w+)\.(\w+)", re.IGNORECASE | re.MULTILINE)


def drop_if_kind_changed(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Drop the object a model creates when a warehouse built by an earlier version holds it
    as the other kind (a table that is now a view, or the reverse): ``create or replace``
    cannot change an object's kind."""
    for kind, schema, name in _CREATES.findall(sql):
        found = con.execute(
            "select 'table' from duckdb_tables() where schema_name = ? and table_name = ? and not temporary "
            "union all select 'view' from duckdb_views() where schema_name = ? and view_name = ? and not temporary",
            [schema, name, schema, name],
        ).fetchall()
        for (existing,) in found:
            if existing != kind.lower():
                con.execute(f'drop {existing} "{schema}"."{name}"')


def refresh_models(con: duckdb.DuckDBPyConnection, sql_dir: Path = SQL_DIR) -> list[str]:
    """Rebuild reference tables and every model in one transaction; returns the objects built."""
    paths = dependency_order(layer_files(MODEL_LAYERS, sql_dir))
    with transaction(con):
        write_reference_tables(con)
        for schema in MODEL_SCHEMAS:
            con.execute(f"create schema if not exists {schema}")
        for path in paths:
            sql = path.read_text(encoding="utf-8")
            drop_if_kind_changed(con, sql)
            con.execute(sql)
    return [object_name(p) for p in paths if p.parent.name != "functions"]


def refresh_metrics(settings: Settings) -> list[str]:
    """Open the warehouse and rebuild the staging, intermediate and mart models (metrics,
    views) from the loaded data; returns the objects built."""
    with open_writer(settings.warehouse, settings.db_key) as con:
        return refresh_models(con)
