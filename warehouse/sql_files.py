"""Where the warehouse's SQL lives: ``sql/<layer>/<object>.sql``, one object per file.

Storage layers (``audit``, ``core``) hold what ingestion writes and are created whenever
the warehouse is opened for writing; model layers (``functions``, ``staging``,
``intermediate``, ``marts``) are rebuilt by :func:`warehouse.models.refresh_models`. Every
file starts with a ``-- schema.object: description (grain: ...)`` comment.

Example::

    >>> object_name(SQL_DIR / "marts" / "metric_values.sql")
    'marts.metric_values'
    >>> [p.name for p in layer_files(("core",))]
    ['comment_codes.sql', 'recorded_victims.sql', 'response_versions.sql']
"""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path

import duckdb

SQL_DIR = Path(__file__).resolve().parents[1] / "sql"
STORAGE_LAYERS = ("audit", "core")
MODEL_LAYERS = ("functions", "staging", "intermediate", "marts")


def layer_files(layers: tuple[str, ...], sql_dir: Path = SQL_DIR) -> list[Path]:
    """The .sql files of some layers, layer by layer, in name order."""
    return [path for layer in layers for path in sorted((sql_dir / layer).glob("*.sql"))]


def object_name(path: Path) -> str:
    """``sql/marts/metric_values.sql`` defines ``marts.metric_values``."""
    return f"{path.parent.name}.{path.stem}"


def header_comment(path: Path) -> str:
    """The leading ``--`` comment lines of a SQL file, joined into one paragraph."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("--"):
            break
        lines.append(line.removeprefix("--").strip())
    return " ".join(lines)


def create_storage(con: duckdb.DuckDBPyConnection, sql_dir: Path = SQL_DIR) -> None:
    """Create the tables ingestion writes, where missing, and add the columns a warehouse made
    by an earlier version lacks (idempotent)."""
    for path in layer_files(STORAGE_LAYERS, sql_dir):
        con.execute(path.read_text(encoding="utf-8"))
    for table, column, kind, existing_rows in ADDED_COLUMNS:
        add_column(con, table, column, kind, existing_rows)


# Columns added to storage tables since warehouses were first made: (table, column, type, the
# value of the rows already there). Rows recorded before alerted_at were alerted by their run.
ADDED_COLUMNS = (("audit.deliveries", "alerted_at", "timestamp", "processed_at"),)


def add_column(con: duckdb.DuckDBPyConnection, table: str, column: str, kind: str, existing_rows: str) -> None:
    """Add ``column`` to ``table`` when it lacks it, filling the rows already there, all or nothing."""
    schema, name = table.split(".")
    [(present,)] = con.execute(
        "select count(*) from duckdb_columns() where schema_name = ? and table_name = ? and column_name = ?",
        [schema, name, column],
    ).fetchall()
    if present:
        return
    con.execute("begin transaction")
    try:
        con.execute(f"alter table {table} add column {column} {kind}")
        con.execute(f"update {table} set {column} = {existing_rows}")
        con.execute("commit")
    except BaseException:
        with suppress(duckdb.Error):
            con.execute("rollback")
        raise
