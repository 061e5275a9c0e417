"""What the report says changed and which groups differ: q-values only, with both bases, and
"no comparison could be tested" when nothing was. Given rows of the marts → the sentences."""

from __future__ import annotations

import duckdb
import pytest

from victim_voice.outputs.labels import Labels
from victim_voice.outputs.report_figures import ReportWindows, Window
from victim_voice.outputs.report_findings import groups_that_differ, standing_comparisons, what_changed

NOW = Window("rolling_3m", "2024-06", "2024-04", "Apr–Jun 2024")
BEFORE = Window("rolling_3m", "2024-03", "2024-01", "Jan–Mar 2024")
YEAR = Window("rolling_12m", "2024-06", "2023-07", "Jul 2023–Jun 2024")


def cell(window: Window, metric: str, breakdown: str, value: str, numerator: int | None, denominator: int | None,
         withheld: bool = False) -> tuple:  # fmt: skip
    rate = None if withheld else numerator / denominator
    figures = (None, None) if withheld else (numerator, denominator)
    return (metric, window.period_type, window.period, window.start, window.label, breakdown, value, *figures,
            rate, rate, rate, withheld, False)  # fmt: skip


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema marts; create schema reference")
    con.execute(
        "create table reference.metrics as select * from (values ('sat_overall', 'Whole experience'),"
        " ('sat_informed', 'Kept informed of progress')) as m(metric, label)"
    )
    con.execute(
        "create table reference.crime_groups as select * from (values ('RAPE', 'Rape'),"
        " ('THEFT', 'Other theft'), ('ROBBERY', 'Robbery')) as g(crime_group, crime_group_name)"
    )
    con.execute("create table reference.services (service varchar, service_name varchar)")
    con.execute("create table reference.rights (right_code varchar, right_text varchar)")
    con.execute(
        "create table marts.published_metric_values (metric varchar, period_type varchar, period varchar,"
        " period_start varchar, period_label varchar, breakdown varchar, breakdown_value varchar,"
        " numerator bigint, denominator bigint, rate double, ci_low double, ci_high double,"
        " withheld boolean, indicative boolean)"
    )
    con.executemany("insert into marts.published_metric_values values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
        cell(NOW, "sat_overall", "all", "all", 96, 130), cell(BEFORE, "sat_overall", "all", "all", 72, 120),
        cell(NOW, "sat_informed", "all", "all", 70, 130), cell(BEFORE, "sat_informed", "all", "all", 66, 120),
        cell(YEAR, "sat_overall", "domestic_abuse", "Y", 40, 100),
        cell(YEAR, "sat_overall", "domestic_abuse", "N", 300, 400),
        cell(YEAR, "sat_overall", "crime_group", "RAPE", 20, 50),
        cell(YEAR, "sat_overall", "crime_group", "THEFT", 200, 300),
        cell(YEAR, "sat_overall", "crime_group", "ROBBERY", None, None, withheld=True),
    ])  # fmt: skip
    con.execute(
        "create table marts.metric_changes (metric varchar, breakdown varchar, breakdown_value varchar,"
        " comparison varchar, period varchar, comparison_period varchar, p_value double, q_value double,"
        " significant boolean)"
    )
    con.execute(
        "create table marts.group_comparisons (metric varchar, period_type varchar, period varchar,"
        " breakdown varchar, breakdown_value varchar, p_value double, q_value double, significant boolean)"
    )
    return con


def changes(con: duckdb.DuckDBPyConnection, *rows: tuple) -> str:
    con.executemany("insert into marts.metric_changes values (?, 'all', 'all', 'previous_3m', ?, '2024-03', ?, ?, ?)",
                    list(rows))  # fmt: skip
    found = what_changed(con, Labels.read(con), ReportWindows("rolling", NOW, YEAR))
    return " ".join([found.summary, *(f.sentence() for f in found.listed)])


def test_a_p_value_below_005_is_not_a_change_when_q_is_not(con: duckdb.DuckDBPyConnection) -> None:
    said = changes(con, ("sat_overall", "2024-06", 0.03, 0.06, False), ("sat_informed", "2024-06", 0.6, 0.6, False))
    assert said == ("2 changes were tested for Apr–Jun 2024 (every measure, for all victims and for each group, "
                    "against the previous 3 months): none was significant once the number of tests is allowed for "
                    "(Benjamini–Hochberg q below 0.05).")  # fmt: skip


def test_a_significant_change_is_said_with_both_bases(con: duckdb.DuckDBPyConnection) -> None:
    said = changes(con, ("sat_overall", "2024-06", 0.004, 0.008, True), ("sat_informed", "2024-06", 0.6, 0.6, False))
    assert "2 changes were tested for Apr–Jun 2024" in said and "1 were significant" in said
    assert ("Whole experience (all victims): rose from 60.0% (base 120) in Jan–Mar 2024 to 73.8% (base 130) in "
            "Apr–Jun 2024, against the previous 3 months; q = 0.008.") in said  # fmt: skip
    assert "Kept informed" not in said


def test_nothing_tested_is_not_called_no_change(con: duckdb.DuckDBPyConnection) -> None:
    said = changes(con, ("sat_overall", "2024-09", 0.01, 0.01, True))  # tested for a later window only
    assert said == ("No comparison could be tested for Apr–Jun 2024: changes are tested for the latest 3 months "
                    "only (to Sep 2024).")  # fmt: skip
    assert "significant" not in said


def compared(con: duckdb.DuckDBPyConnection, section, *rows: tuple) -> str:
    """What ``section`` says of sat_overall's group comparisons ``rows`` (breakdown, value, p, q, significant)."""
    for row in rows:
        sql = "insert into marts.group_comparisons values ('sat_overall', 'rolling_12m', '2024-06', ?, ?, ?, ?, ?)"
        con.execute(sql, list(row))
    found = section(con, Labels.read(con), YEAR)
    return " ".join([found.summary, *(f.sentence() for f in found.listed)])


def differ(con: duckdb.DuckDBPyConnection, *rows: tuple) -> str:
    return compared(con, groups_that_differ, *rows)


def test_groups_differ_on_q_with_both_bases_and_never_beside_a_withheld_cell(con: duckdb.DuckDBPyConnection) -> None:
    said = differ(con, ("domestic_abuse", "Y", 0.0001, 0.0004, True), ("domestic_abuse", "N", 0.0001, 0.0004, True),
                  ("crime_group", "RAPE", 0.001, 0.003, True), ("crime_group", "THEFT", 0.02, 0.07, False))  # fmt: skip
    assert "4 comparisons of a group against the rest of its breakdown were tested for Jul 2023–Jun 2024" in said
    assert "3 differ significantly" in said and "1 involve a withheld figure and are not shown" in said
    assert (
        "Whole experience, Domestic abuse: 40.0% (base 100) against 75.0% (base 400) for Not domestic abuse; q < 0.001."
        in said
    )
    assert "Rape" not in said  # its rest would include the withheld Robbery cell
    assert "Other theft" not in said  # p below 0.05, q not


def test_no_group_comparison_tested_is_said_so(con: duckdb.DuckDBPyConnection) -> None:
    assert differ(con).startswith("No comparison could be tested for Jul 2023–Jun 2024")


def standing(con: duckdb.DuckDBPyConnection, *rows: tuple) -> str:
    return compared(con, standing_comparisons, *rows)


def test_domestic_abuse_is_compared_with_other_victims_even_when_it_does_not_differ(con) -> None:
    said = standing(con, ("domestic_abuse", "Y", 0.0495, 0.44, False))
    assert ("Whole experience, Domestic abuse: 40.0% (base 100) against 75.0% (base 400) for other victims: "
            "no significant difference; q = 0.440.") in said  # fmt: skip
    assert "differs;" not in said
    # the other headline measures and hate crime were not tested: counted, not claimed
    assert "(5 of 6 could not be tested or would show a withheld figure)" in said


def test_a_significant_standing_comparison_says_it_differs(con) -> None:
    said = standing(con, ("domestic_abuse", "Y", 0.0001, 0.0004, True))
    assert "for other victims: differs; q < 0.001." in said
