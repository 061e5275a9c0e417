"""Published aggregates: a separate DuckDB file and Parquet files safe for wider sharing.

Only disclosure-controlled aggregates leave: the rolling-window cells of
``marts.published_metric_values`` (suppressed and secondarily suppressed cells blanked) and
the labels of the public metrics. No row-level data, no comments, no monthly cells.

Example::

    >>> publish(Settings.from_env(), Path("published"))  # doctest: +SKIP
    [PosixPath('published/published.duckdb'), PosixPath('published/metric_values.parquet'), ...]
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from victim_voice.outputs.output_files import written_whole
from victim_voice.settings import Settings
from warehouse.db import open_reader

PUBLISHED_TABLES = {
    "metric_values": "select * from marts.published_metric_values order by all",
    "metrics": (
        "select metric, family, label, service, right_code, principle from reference.metrics"
        " where public order by metric_order"
    ),
}


def publish(settings: Settings, out: Path) -> list[Path]:
    """Write ``published.duckdb`` and one Parquet file per table into ``out``; returns the paths."""
    with open_reader(settings.warehouse, db_key=settings.db_key) as source:
        frames = {name: source.sql(sql).df() for name, sql in PUBLISHED_TABLES.items()}
    out.mkdir(parents=True, exist_ok=True, mode=0o700)  # only once there is something to write
    database = out / "published.duckdb"
    with written_whole(database) as part, duckdb.connect(str(part)) as target:
        for name, frame in frames.items():
            target.register("frame", frame)
            target.execute(f"create table {name} as select * from frame")
            target.unregister("frame")
            write_parquet(target, name, out / f"{name}.parquet")
    return [database, *(out / f"{name}.parquet" for name in frames)]


def write_parquet(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> None:
    """One table of ``con`` as a Parquet file, written whole or not at all."""
    with written_whole(path) as part:
        con.execute(f"copy {table} to '{part.as_posix()}' (format parquet)")
