"""Building the warehouse's models from `sql/`: the model runner.

Models (``sql/functions``,
``sql/staging``, ``sql/intermediate``, ``sql/marts``) are rebuilt by
:func:`refresh_models` in one transaction, in dependency order: a model depends on every
``schema.object`` it names that another file defines. One object per file, file name =
object name. A small runner on purpose; if it ever needs tests-as-config, incremental
models or docs, that is the point to move to dbt-duckdb.

Every model reads the loaded responses through one snapshot taken in that transaction
(``staging.stg_current_versions``), and the refresh records what it covered in
``audit.refreshes``: readers see a run's loads only once its refresh has committed, and
:func:`refresh_is_behind` tells a later run that a refresh is owed.

Example::

    >>> refresh_metrics(Settings.from_env())  # doctest: +SKIP
    ['staging.stg_responses', ...]
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import datetime
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb

from schemas import codebook
from victim_voice.settings import Settings
from warehouse import reference
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


def models_version(sql_dir: Path = SQL_DIR) -> str:
    """A hash of what the models are built from besides the loaded rows: the model SQL, the
    contract, the code that turns it into reference tables and the comments' classifier (a new
    release of any means the marts are owed a refresh, and the comments a new coding)."""
    from warehouse.comment_codes import coder_version  # pandas only when a refresh is near

    digest = hashlib.sha256(coder_version().encode())
    sources = [*layer_files(MODEL_LAYERS, sql_dir), codebook.CONTRACT_PATH, Path(codebook.__file__)]
    for path in [*sources, Path(reference.__file__)]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def loaded_state(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """How far the loads have gone: the highest delivery_id and the rows of core.response_versions
    (ingestion only adds deliveries and versions, so either grows with every load)."""
    [(deliveries, versions)] = con.execute(
        "select (select coalesce(max(delivery_id), 0) from audit.deliveries),"
        " (select count(*) from core.response_versions)"
    ).fetchall()
    return deliveries, versions


def record_refresh(con: duckdb.DuckDBPyConnection, version: str) -> None:
    """One row of audit.refreshes: what the marts built in this transaction describe."""
    deliveries, versions = loaded_state(con)
    con.execute(
        "insert into audit.refreshes (refresh_id, refreshed_at, deliveries_up_to, response_versions, models_version)"
        " select coalesce(max(refresh_id), 0) + 1, ?, ?, ?, ? from audit.refreshes",
        [datetime.now().replace(microsecond=0), deliveries, versions, version],
    )


def refresh_is_behind(con: duckdb.DuckDBPyConnection, sql_dir: Path = SQL_DIR) -> bool:
    """The marts do not describe everything loaded, or were built by other models (or never)."""
    last = con.execute(
        "select deliveries_up_to, response_versions, models_version from audit.refreshes"
        " order by refresh_id desc limit 1"
    ).fetchall()
    return last != [(*loaded_state(con), models_version(sql_dir))]


def refresh_models(con: duckdb.DuckDBPyConnection, sql_dir: Path = SQL_DIR) -> list[str]:
    """Code the comments not yet coded by the current classifier, rebuild reference tables and
    every model, all in one transaction, and record it in audit.refreshes; returns the objects
    built."""
    from warehouse.comment_codes import code_stored_comments

    paths = dependency_order(layer_files(MODEL_LAYERS, sql_dir))
    with transaction(con):
        code_stored_comments(con)
        write_reference_tables(con)
        for schema in MODEL_SCHEMAS:
            con.execute(f"create schema if not exists {schema}")
        for path in paths:
            sql = path.read_text(encoding="utf-8")
            drop_if_kind_changed(con, sql)
            con.execute(sql)
        record_refresh(con, models_version(sql_dir))
    return [object_name(p) for p in paths if p.parent.name != "functions"]


def refresh_metrics(
    settings: Settings, only_if_behind: bool = False, on_wait: Callable[[str], None] | None = None
) -> list[str]:
    """Open the warehouse and rebuild the staging, intermediate and mart models (metrics,
    views) from the loaded data; returns the objects built. With ``only_if_behind`` (an
    ingestion run), nothing is rebuilt when the last refresh already covers every load and
    the current models (returns []). Holds the warehouse for the refresh's transaction only,
    after waiting (up to ``settings.wait_seconds``; ``on_wait(holder)`` once) for the writers
    queued before it."""
    with open_writer(settings.warehouse, settings.db_key, settings.wait_seconds, on_wait) as con:
        if only_if_behind and not refresh_is_behind(con):
            return []
        return refresh_models(con)
