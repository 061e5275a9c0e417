"""victim-voice publish: only disclosure-controlled aggregates leave the warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

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
    assert sorted(p.name for p in out.iterdir()) == [
        "metric_values.csv",
        "metric_values.parquet",
        "metrics.csv",
        "metrics.parquet",
        "published.duckdb",
        "weighted_metric_values.csv",
        "weighted_metric_values.parquet",
    ]

    with duckdb.connect(str(out / "published.duckdb"), read_only=True) as con:
        assert sorted(t for (t,) in con.sql("select table_name from information_schema.tables").fetchall()) == [
            "metric_values",
            "metrics",
            "weighted_metric_values",
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


def test_the_published_figures_are_also_csv_for_excel(tmp_path: Path, capsys) -> None:
    """UTF-8 with a byte-order mark, labels beside codes, [c] where a figure is withheld."""
    rows = [
        {"interview_date": "2024-03-10", "sat_overall": 6, "age_band": band, "crime_group": group}
        for band, group in [("25-34", "THEFT")] * 40 + [("35-44", "RAPE")] * 15 + [("U18", "THEFT")] * 3
    ]
    warehouse = build_warehouse(tmp_path / "w.duckdb", [[{"interview_date": "2024-01-10"}], rows])
    out = tmp_path / "published"
    assert cli.main(["publish", "--warehouse", str(warehouse), "--out", str(out)]) == 0
    assert (out / "metric_values.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(out / "metric_values.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(frame.columns[:10]) == [
        "metric", "metric_label", "period_type", "period", "period_start", "period_label",
        "breakdown", "breakdown_label", "breakdown_value", "breakdown_value_label",
    ]  # fmt: skip
    with duckdb.connect(str(out / "published.duckdb"), read_only=True) as con:
        assert len(frame) == con.sql("select count(*) from metric_values").fetchall()[0][0]
    cell = frame.query("metric == 'sat_overall' and period_type == 'rolling_3m' and breakdown == 'age_band'")
    shown = cell.set_index("breakdown_value_label")[["metric_label", "breakdown_label", "denominator", "rate"]]
    assert shown.to_dict("index") == {
        "25-34": {"metric_label": "Whole experience", "breakdown_label": "Age", "denominator": "40", "rate": "1.0"},
        "35-44": {"metric_label": "Whole experience", "breakdown_label": "Age", "denominator": "[c]", "rate": "[c]"},
        "Under 18": {"metric_label": "Whole experience", "breakdown_label": "Age", "denominator": "[c]", "rate": "[c]"},
    }
    rape = frame.query("metric == 'sat_overall' and period_type == 'rolling_3m' and breakdown_value == 'RAPE'")
    assert rape["breakdown_value_label"].tolist() == ["Rape"]
    metrics = pd.read_csv(out / "metrics.csv", encoding="utf-8-sig")
    assert "sat_overall" in set(metrics["metric"])


def test_weighted_cells_are_published_blank_where_the_unweighted_cell_is_withheld(tmp_path: Path) -> None:
    from tests.given import build_weighted_warehouse

    rows = [
        {"interview_date": "2024-03-10", "sat_overall": 6 if n % 3 else 2, "age_band": band, "crime_group": group}
        for n, (band, group) in enumerate([("25-34", "THEFT")] * 40 + [("35-44", "RAPE")] * 15 + [("U18", "THEFT")] * 3)
    ]
    counts = {m: {("WILTSHIRE", "THEFT"): 900, ("WILTSHIRE", "RAPE"): 20} for m in ("2024-01", "2024-02", "2024-03")}
    warehouse = build_weighted_warehouse(tmp_path / "w.duckdb", [[{"interview_date": "2024-01-10"}], rows], counts)
    out = tmp_path / "published"
    assert cli.main(["publish", "--warehouse", str(warehouse), "--out", str(out)]) == 0
    with duckdb.connect(str(out / "published.duckdb"), read_only=True) as con:
        shown = con.sql(
            "select breakdown_value, withheld, denominator, weighted_rate is not null, effective_n is not null"
            " from weighted_metric_values where metric = 'sat_overall' and period_type = 'rolling_3m'"
            " and breakdown in ('all', 'age_band') order by 1"
        ).fetchall()
    assert shown == [
        ("25-34", False, 40, True, True),
        ("35-44", True, None, False, False),  # withheld with U18 (secondary): no figure leaves
        ("U18", True, None, False, False),
        ("all", False, 58, True, True),
    ]
    frame = pd.read_csv(out / "weighted_metric_values.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    u18 = frame.query("metric == 'sat_overall' and period_type == 'rolling_3m' and breakdown_value == 'U18'")
    assert u18[["breakdown_value_label", "weighted_rate", "effective_n"]].values.tolist() == [
        ["Under 18", "[c]", "[c]"]
    ]
