"""The headline: which measures lead every output, and the periods an output can cover.

Example::

    >>> HEADLINE_METRICS
    ('sat_overall', 'sat_informed', 'sat_treatment')
    >>> with open_reader(Path("warehouse.duckdb")) as con:  # doctest: +SKIP
    ...     published_periods(con)[-1]
    '2026-11'
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

HEADLINE = (
    ("sat_overall", "Satisfied with the whole experience"),
    ("sat_informed", "Satisfied with being kept informed"),
    ("sat_treatment", "Satisfied with fair and respectful treatment"),
)
HEADLINE_METRICS = tuple(metric for metric, _ in HEADLINE)


def published_periods(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Months that end a published rolling 3-month window (the months a report can cover), in order."""
    sql = "select distinct period from marts.published_metric_values where period_type = 'rolling_3m' order by 1"
    return [period for (period,) in con.sql(sql).fetchall()]


def latest_rolling_3m(con: duckdb.DuckDBPyConnection, metrics: Sequence[str] = HEADLINE_METRICS) -> list[tuple]:
    """``metrics`` for all respondents in the latest rolling 3 months, in metric order, inside
    the warehouse (the team's own view): (metric, period, denominator, rate, ci_low, ci_high,
    suppressed)."""
    return con.execute(
        "select metric, period, denominator, rate, ci_low, ci_high, suppressed from marts.metric_values"
        " where period_type = 'rolling_3m' and breakdown = 'all' and list_contains(?, metric)"
        " and period = (select max(period) from marts.metric_values where period_type = 'rolling_3m')"
        " order by metric",
        [list(metrics)],
    ).fetchall()
