"""victim-voice publish: only disclosure-controlled aggregates leave the warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb

from tests.given import build_warehouse
from victim_voice import cli


def test_publish_writes_only_controlled_aggregates(tmp_path: Path, capsys) -> None:
    rows = [{"interview_date": "2024-01-10"}] + [
        {"interview_date": "2024-03-10", "sat_overall": 6, "age_band": band}
        for band in ["25-34"] * 40 + ["35-44"] * 15 + ["18-24"] * 3
    ]
    warehouse = build_warehouse(tmp_path / "w.duckdb", [rows])
    out = tmp_path / "published"
    assert cli.main(["publish", "--warehouse", str(warehouse), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["metric_values.parquet", "metrics.parquet", "published.duckdb"]

    with duckdb.connect(str(out / "published.duckdb"), read_only=True) as con:
        assert sorted(t for (t,) in con.sql("select table_name from information_schema.tables").fetchall()) == [
            "metric_values",
            "metrics",
        ]
        columns = {c for (c,) in con.sql("select column_name from information_schema.columns").fetchall()}
        assert not columns & {"response_id", "comment_police", "crime_reference_pseudonym"}
        published = con.sql("select distinct period_type from metric_values order by 1").fetchall()
        assert published == [("quarter",), ("rolling_3m",)]  # no single months
        withheld = con.sql(
            "select count(*) from metric_values where withheld and (numerator is not null or rate is not null)"
        ).fetchall()
        assert withheld == [(0,)]
        assert con.sql(
            "select breakdown_value, denominator from metric_values"
            " where metric = 'sat_overall' and breakdown = 'age_band' and period_type = 'rolling_3m' order by 1"
        ).fetchall() == [("18-24", None), ("25-34", 40), ("35-44", None)]
        parquet = con.sql(f"select count(*) from '{out / 'metric_values.parquet'}'").fetchall()
        assert parquet == con.sql("select count(*) from metric_values").fetchall()
