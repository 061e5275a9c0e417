"""The SQL statistics against reference implementations (statsmodels, scipy).

``sql/functions/statistics.sql`` (Wilson interval, two-sided normal p-value) is run on an
in-memory DuckDB connection; the two-proportion test is exercised through the real text
of ``sql/marts/metric_changes.sql`` over a minimal ``marts.metric_values`` of random cells.
Every comparison is one query over many cases.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

SQL = Path(__file__).resolve().parents[1] / "sql"
STATISTICS_SQL = SQL / "functions" / "statistics.sql"
METRIC_CHANGES_SQL = SQL / "marts" / "metric_changes.sql"

LATEST = "2024-11"
COMPARISON_PERIODS = {"previous_3m": "2024-08", "year_earlier": "2023-11"}


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory connection with the project's statistical macros defined."""
    connection = duckdb.connect()
    connection.execute(STATISTICS_SQL.read_text(encoding="utf-8"))
    yield connection
    connection.close()


def random_proportions(rng: np.random.Generator, size: int, max_n: int) -> pd.DataFrame:
    """(x, n) cases with n in 1..max_n and x in 0..n, including x = 0 and x = n."""
    n = rng.integers(1, max_n + 1, size)
    x = rng.integers(0, n + 1)
    x[: size // 10] = 0
    x[size // 10 : size // 5] = n[size // 10 : size // 5]
    small = slice(size // 5, size // 5 + 30)  # every tiny denominator is worth a look
    n[small] = np.arange(1, 31)
    x[small] = rng.integers(0, n[small] + 1)
    return pd.DataFrame({"x": x, "n": n})


# --------------------------------------------------------------------------------------
# (a) Wilson score interval
# --------------------------------------------------------------------------------------


def test_wilson_interval_matches_statsmodels(con: duckdb.DuckDBPyConnection) -> None:
    """wilson_low / wilson_high equal statsmodels' 95% Wilson interval to 1e-9 on 2,000 cases."""
    cases = random_proportions(np.random.default_rng(20241231), 2_000, 5_000)
    con.register("wilson_cases", cases)
    got = con.sql("select wilson_low(x, n) as low, wilson_high(x, n) as high from wilson_cases").df()
    con.unregister("wilson_cases")
    low, high = proportion_confint(cases["x"], cases["n"], alpha=0.05, method="wilson")
    np.testing.assert_allclose(got["low"], low, rtol=0, atol=1e-9)
    np.testing.assert_allclose(got["high"], high, rtol=0, atol=1e-9)


def test_wilson_interval_reaches_0_and_1_exactly_at_the_extremes(con: duckdb.DuckDBPyConnection) -> None:
    """With no successes the Wilson lower bound is exactly 0; with all successes the upper bound is exactly 1."""
    got = con.sql(
        "select n, wilson_low(0, n) as low_at_none, wilson_high(n, n) as high_at_all from range(1, 2001) as t(n)"
    ).df()
    wrong_low = got.loc[got["low_at_none"] != 0.0, ["n", "low_at_none"]]
    wrong_high = got.loc[got["high_at_all"] != 1.0, ["n", "high_at_all"]]
    examples_low = wrong_low.head().to_string(float_format=repr)
    examples_high = wrong_high.head().to_string(float_format=repr)
    assert wrong_low.empty and wrong_high.empty, (
        f"wilson_low(0, n) != 0 for {len(wrong_low)} of 2000 n, e.g.\n{examples_low}\n"
        f"wilson_high(n, n) != 1 for {len(wrong_high)} of 2000 n, e.g.\n{examples_high}"
    )


# --------------------------------------------------------------------------------------
# (b) Two-proportion z-test of marts.metric_changes, and normal_two_sided_p
# --------------------------------------------------------------------------------------


def metric_values_for(cases: pd.DataFrame) -> pd.DataFrame:
    """A minimal marts.metric_values: per case, a latest rolling_3m cell and one comparison cell."""
    rows = []
    for case in cases.itertuples():
        metric = f"m{case.Index:05d}"
        for period, x, n in ((LATEST, case.x1, case.n1), (COMPARISON_PERIODS[case.comparison], case.x2, case.n2)):
            rows.append(
                {
                    "metric": metric,
                    "period_type": "rolling_3m",
                    "period": period,
                    "breakdown": "all",
                    "breakdown_value": "all",
                    "numerator": x,
                    "denominator": n,
                    "rate": x / n,
                    "ci_low": None,
                    "ci_high": None,
                    "suppressed": n < 10,
                    "indicative": 10 <= n <= 29,
                }
            )
    return pd.DataFrame(rows).astype(
        {"numerator": "int64", "denominator": "int64", "ci_low": "float64", "ci_high": "float64"}
    )


def two_proportion_cases(rng: np.random.Generator, size: int) -> pd.DataFrame:
    """Random pairs of cells: near-equal and arbitrary rates, all-0/all-1 pools and suppressed cells."""
    n1 = rng.integers(10, 5_001, size)
    n2 = rng.integers(10, 5_001, size)
    base = rng.uniform(0, 1, size)
    shift = np.where(rng.uniform(size=size) < 0.7, rng.normal(0, 0.03, size), rng.uniform(-1, 1, size))
    x1 = rng.binomial(n1, base)
    x2 = rng.binomial(n2, np.clip(base + shift, 0, 1))
    quarter, eighth = size // 4, size // 8
    x1[:eighth], x2[:eighth] = 0, 0  # pooled rate 0
    x1[eighth:quarter], x2[eighth:quarter] = n1[eighth:quarter], n2[eighth:quarter]  # pooled rate 1
    suppressed = slice(quarter, quarter + eighth)
    n1[suppressed] = rng.integers(1, 10, eighth)
    x1[suppressed] = rng.integers(0, n1[suppressed] + 1)
    comparison = np.where(rng.uniform(size=size) < 0.5, "previous_3m", "year_earlier")
    return pd.DataFrame({"x1": x1, "n1": n1, "x2": x2, "n2": n2, "comparison": comparison})


@pytest.fixture(scope="module")
def metric_changes() -> pd.DataFrame:
    """marts.metric_changes built by the project's SQL over 2,000 random pairs of cells, joined to its cases."""
    cases = two_proportion_cases(np.random.default_rng(7), 2_000)
    values = metric_values_for(cases)
    with duckdb.connect() as connection:
        connection.execute(STATISTICS_SQL.read_text(encoding="utf-8"))
        connection.execute("create schema marts")
        connection.register("given_metric_values", values)
        connection.execute("create table marts.metric_values as select * from given_metric_values")
        connection.execute(METRIC_CHANGES_SQL.read_text(encoding="utf-8"))
        changes = connection.sql("select * from marts.metric_changes").df()
    cases = cases.assign(metric=[f"m{i:05d}" for i in cases.index])
    return cases.merge(changes, on=["metric", "comparison"], how="left", validate="one_to_one", indicator=True)


def test_metric_changes_pairs_every_case(metric_changes: pd.DataFrame) -> None:
    """Each latest cell is compared with exactly its own comparison cell."""
    assert (metric_changes["_merge"] == "both").all()
    assert (metric_changes["numerator"] == metric_changes["x1"]).all()
    assert (metric_changes["comparison_numerator"] == metric_changes["x2"]).all()
    assert (metric_changes["comparison_denominator"] == metric_changes["n2"]).all()


def test_p_value_matches_statsmodels_pooled_z_test(metric_changes: pd.DataFrame) -> None:
    """Where both cells are shown and the pooled rate is in (0, 1), p is proportions_ztest's to rel 1e-6."""
    pooled = (metric_changes["x1"] + metric_changes["x2"]) / (metric_changes["n1"] + metric_changes["n2"])
    tested = metric_changes[(metric_changes["n1"] >= 10) & (metric_changes["n2"] >= 10) & (pooled > 0) & (pooled < 1)]
    assert len(tested) > 1_000
    expected = [
        proportions_ztest([case.x1, case.x2], [case.n1, case.n2], alternative="two-sided")[1]
        for case in tested.itertuples()
    ]
    # atol: below the smallest normal double (~2.2e-308) scipy underflows to 0 where the SQL keeps a subnormal.
    np.testing.assert_allclose(tested["p_value"].to_numpy(float), expected, rtol=1e-6, atol=1e-300)
    assert (tested["significant"] == (tested["q_value"] < 0.05)).all()  # metrics-v2 §3: q, never p


def test_q_value_matches_statsmodels_benjamini_hochberg(metric_changes: pd.DataFrame) -> None:
    """Within each family (comparison, period), q is multipletests(method="fdr_bh")'s."""
    tested = metric_changes[metric_changes["p_value"].notna()]
    for _, family in tested.groupby(["comparison", "period"]):
        rejected, q_values, *_ = multipletests(family["p_value"].to_numpy(float), method="fdr_bh")
        np.testing.assert_allclose(family["q_value"].to_numpy(float), q_values, rtol=1e-9)
        assert (family["significant"].to_numpy(bool) == rejected).all()


def test_p_value_is_1_when_both_rates_are_0_or_both_100_percent(metric_changes: pd.DataFrame) -> None:
    """A pooled rate of 0 or 1 (no variance) gives p = 1, not significant."""
    pooled = (metric_changes["x1"] + metric_changes["x2"]) / (metric_changes["n1"] + metric_changes["n2"])
    degenerate = metric_changes[(metric_changes["n1"] >= 10) & (metric_changes["n2"] >= 10) & pooled.isin([0, 1])]
    assert len(degenerate) >= 400
    assert (degenerate["p_value"] == 1.0).all()
    assert not degenerate["significant"].any()


def test_p_value_is_null_when_either_cell_is_suppressed(metric_changes: pd.DataFrame) -> None:
    """A suppressed cell (denominator below 10) on either side means no test: p null, not significant."""
    suppressed = metric_changes[(metric_changes["n1"] < 10) | (metric_changes["n2"] < 10)]
    assert len(suppressed) >= 200
    assert suppressed["p_value"].isna().all()
    assert not suppressed["significant"].any()


def test_normal_two_sided_p_matches_scipy(con: duckdb.DuckDBPyConnection) -> None:
    """normal_two_sided_p(z) equals 2 · P(Z > |z|) to rel 1e-6 for z from -8 to 8."""
    grid = pd.DataFrame({"z": np.linspace(-8, 8, 3_201)})
    con.register("z_grid", grid)
    got = con.sql("select normal_two_sided_p(z) as p from z_grid").df()["p"]
    con.unregister("z_grid")
    np.testing.assert_allclose(got, 2 * norm.sf(np.abs(grid["z"])), rtol=1e-6, atol=0)


# --------------------------------------------------------------------------------------
# (c) Wilson interval property
# --------------------------------------------------------------------------------------

proportions = st.integers(min_value=1, max_value=10**6).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
)


@settings(max_examples=300, deadline=None)
@given(case=proportions)
def test_wilson_interval_lies_in_0_1_and_contains_the_rate(
    con: duckdb.DuckDBPyConnection, case: tuple[int, int]
) -> None:
    """For any 0 ≤ x ≤ n ≤ 10^6 (n ≥ 1): 0 ≤ wilson_low ≤ x/n ≤ wilson_high ≤ 1."""
    x, n = case
    low, high = con.execute("select wilson_low($1, $2), wilson_high($1, $2)", [x, n]).fetchone()
    assert 0.0 <= low <= x / n <= high <= 1.0
