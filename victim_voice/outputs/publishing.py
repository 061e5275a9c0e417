"""Published aggregates: a separate DuckDB file, Parquet files and CSV files safe for wider sharing.

Only disclosure-controlled aggregates leave: the rolling-window cells of
``marts.published_metric_values`` (suppressed and secondarily suppressed cells blanked), the
weighted cells of ``marts.weighted_metric_values`` (blanked wherever the unweighted cell is
withheld) and the labels of the public metrics. No row-level data, no comments, no monthly cells.

The CSV files are for people with a spreadsheet: UTF-8 with a byte-order mark (Excel on
Windows otherwise garbles accented text), each code beside its label, and a withheld
figure shown as [c] rather than left blank.

Example::

    >>> publish(Settings.from_env(), Path("published"))  # doctest: +SKIP
    [PosixPath('published/published.duckdb'), PosixPath('published/metric_values.parquet'), ...]
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from victim_voice.outputs.formatting import WITHHELD, spreadsheet_safe
from victim_voice.outputs.labels import Labels
from victim_voice.outputs.output_files import written_whole
from victim_voice.settings import Settings
from warehouse.db import open_reader

WEIGHTED_FIGURES = (
    "denominator",
    "weighted_rate",
    "weighted_ci_low",
    "weighted_ci_high",
    "effective_n",
    "design_effect",
)
PUBLISHED_TABLES = {
    "metric_values": "select * from marts.published_metric_values order by all",
    "weighted_metric_values": (
        "select * replace ("
        + ", ".join(f"case when not withheld then {c} end as {c}" for c in WEIGHTED_FIGURES)
        + ") from marts.weighted_metric_values order by all"
    ),
    "metrics": (
        "select metric, family, label, service, right_code, principle from reference.metrics"
        " where public order by metric_order"
    ),
}


WITHHELD_COLUMNS = ("numerator", "denominator", "rate", "ci_low", "ci_high")  # blank in a withheld cell


def publish(settings: Settings, out: Path) -> list[Path]:
    """Write ``published.duckdb``, and one Parquet and one CSV file per table, into ``out``;
    returns the paths."""
    with open_reader(settings.warehouse, db_key=settings.db_key) as source:
        frames = {name: source.sql(sql).df() for name, sql in PUBLISHED_TABLES.items()}
        labels = Labels.read(source)
    out.mkdir(parents=True, exist_ok=True, mode=0o700)  # only once there is something to write
    database = out / "published.duckdb"
    with written_whole(database) as part, duckdb.connect(str(part)) as target:
        for name, frame in frames.items():
            target.register("frame", frame)
            target.execute(f"create table {name} as select * from frame")
            target.unregister("frame")
            write_parquet(target, name, out / f"{name}.parquet")
    write_csv(labelled_metric_values(frames["metric_values"], labels), out / "metric_values.csv")
    weighted = labelled_metric_values(frames["weighted_metric_values"], labels, WEIGHTED_FIGURES)
    write_csv(weighted, out / "weighted_metric_values.csv")
    write_csv(frames["metrics"], out / "metrics.csv")
    return [
        database,
        *(out / f"{name}.parquet" for name in frames),
        *(out / f"{name}.csv" for name in frames),
    ]


def labelled_metric_values(
    frame: pd.DataFrame, labels: Labels, withheld_columns: tuple[str, ...] = WITHHELD_COLUMNS
) -> pd.DataFrame:
    """The published cells with each code's label beside it (metric_label, breakdown_label,
    breakdown_value_label; period_label is there already) and [c] in a withheld cell's figures."""
    labelled = frame.copy()

    def beside(code: str, name: str, values: list[str]) -> None:
        labelled.insert(labelled.columns.get_loc(code) + 1, name, values)

    beside("metric", "metric_label", [labels.metric(m) for m in labelled["metric"]])
    beside("breakdown", "breakdown_label", [Labels.breakdown(b) for b in labelled["breakdown"]])
    pairs = zip(labelled["breakdown"], labelled["breakdown_value"], strict=True)
    beside("breakdown_value", "breakdown_value_label", [labels.value(b, v) for b, v in pairs])
    withheld = labelled["withheld"].astype(bool)
    for column in withheld_columns:
        labelled[column] = labelled[column].astype(object).where(~withheld, WITHHELD)
    return labelled


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """A table as CSV for a spreadsheet: UTF-8 with a byte-order mark, one header row, Windows
    line ends, no cell a spreadsheet would run as a formula; written whole or not at all."""
    with written_whole(path) as part:
        frame.map(spreadsheet_safe).to_csv(part, index=False, encoding="utf-8-sig", lineterminator="\r\n")


def write_parquet(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> None:
    """One table of ``con`` as a Parquet file, written whole or not at all."""
    with written_whole(path) as part:
        con.execute(f"copy {table} to '{part.as_posix()}' (format parquet)")
