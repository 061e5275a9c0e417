"""Cross-check marts.metric_values against an independent pandas reading of metrics.md.

The expected figures are computed here from ``marts.responses`` alone (and, for the comment
themes, the stored codes of ``core.comment_codes``), following the spec's "Which responses
count", "Rates" and "Cells" sections and codeframe.yaml in plain pandas: one small function
per metric family gives a long frame of (response_id, metric, success) holding exactly the
responses in that metric's denominator; the cells are then counted per period, window and
breakdown. Nothing of the project's SQL is reused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from schemas.codebook import load_codebook
from victim_voice.demo import write_demo_deliveries
from victim_voice.ingestion.run import ingest_landing
from victim_voice.settings import Settings

RUN_DATE = date(2024, 12, 31)

POLICE_SATISFACTION = ("sat_contact", "sat_actions", "sat_informed", "sat_treatment", "sat_overall", "sat_court")
VICTIMS_CODE = tuple(f"vcop_{i:02d}" for i in range(1, 13))
JOURNEY_METRIC_STAGES = ("INVESTIGATION", "CHARGE_DECISION", "COURT", "POST_COURT")
BREAKDOWNS = (
    "crime_group",
    "domestic_abuse",
    "hate_crime",
    "area",
    "journey_stage",
    "repeat_victim",
    "age_band",
    "gender",
    "ethnic_group",
    "disability",
)
THEMES = (
    "kept_informed",
    "contact_access",
    "timeliness",
    "respect_empathy",
    "believed",
    "investigation",
    "outcome_justice",
    "court",
    "safety",
    "emotional_support",
    "practical_help",
    "rights_information",
    "handoffs",
    "children_family",
)
THEME_BREAKDOWNS = ("crime_group", "area")  # besides all, service and overall_satisfaction (codeframe.yaml)
RAISED = {"neg": ("NEG", "MIXED"), "pos": ("POS", "MIXED")}  # MIXED raises a theme both ways
SATISFACTION = {**dict.fromkeys(range(1, 4), "DISSATISFIED"), 4: "NEITHER", **dict.fromkeys(range(5, 8), "SATISFIED")}
PERIOD_TYPES = ("month", "rolling_3m", "rolling_12m", "quarter", "financial_year", "fy_to_date")
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
KEY = ["metric", "period_type", "period", "breakdown", "breakdown_value"]


# --------------------------------------------------------------------------------------
# The metrics of metrics.md, "Rates"
# --------------------------------------------------------------------------------------


def expected_metric_names(themes: bool = False) -> list[str]:
    """The 62 public metrics, in the order metrics.md lists them (then, with ``themes``, the
    28 comment-theme metrics: codeframe.yaml's 14 themes, each negative and positive)."""
    services = list(load_codebook().services)
    service_metrics = [
        f"svc_{s}_{kind}" for s in services for kind in ("contact", "timely", "satisfied", "cope", "safer")
    ]
    journey_metrics = [f"journey_{stage}" for stage in JOURNEY_METRIC_STAGES]
    theme_metrics = [f"theme_{t}_{p}" for t in THEMES for p in RAISED] if themes else []
    return [*POLICE_SATISFACTION, *VICTIMS_CODE, *service_metrics, *journey_metrics, *theme_metrics]


def observations(responses: pd.DataFrame, metric: str, denominator: pd.Series, numerator: pd.Series) -> pd.DataFrame:
    """One row per response in the metric's denominator, with whether it is in the numerator."""
    counted = denominator.fillna(False).astype(bool)
    success = numerator.fillna(False).astype(bool)
    return pd.DataFrame(
        {"response_id": responses.loc[counted, "response_id"], "metric": metric, "success": success[counted]}
    )


def police_satisfaction(responses: pd.DataFrame) -> list[pd.DataFrame]:
    """sat_*: answers 1..7 count (8, 9 and blank do not); 5..7 are satisfied."""
    return [
        observations(responses, col, responses[col].isin(range(1, 8)), responses[col].isin(range(5, 8)))
        for col in POLICE_SATISFACTION
    ]


def victims_code(responses: pd.DataFrame) -> list[pd.DataFrame]:
    """vcop_01..vcop_12: Y or N count (DK, NA and blank do not); Y succeeds."""
    return [
        observations(responses, col, responses[col].isin(["Y", "N"]), responses[col].eq("Y")) for col in VICTIMS_CODE
    ]


def support_services(responses: pd.DataFrame) -> list[pd.DataFrame]:
    """svc_<S>_contact, _timely, _satisfied, _cope and _safer for every codebook service."""
    book = load_codebook()
    frames = []
    for service in book.services:
        status = responses[f"svc_{service}_status"]
        days = responses[f"svc_{service}_days"]
        sat = responses[f"svc_{service}_sat"]
        contacted = status.isin(["CONTACTED", "SUPPORTED"])
        frames.append(
            observations(
                responses, f"svc_{service}_contact", status.isin(["REFERRED", "CONTACTED", "SUPPORTED"]), contacted
            )
        )
        frames.append(
            observations(
                responses, f"svc_{service}_timely", contacted & days.notna(), days.le(book.handoff_target_days)
            )
        )
        frames.append(observations(responses, f"svc_{service}_satisfied", sat.isin(range(1, 6)), sat.isin([4, 5])))
        for outcome in ("cope", "safer"):
            answer = responses[f"svc_{service}_{outcome}"]
            frames.append(observations(responses, f"svc_{service}_{outcome}", answer.isin(["Y", "N"]), answer.eq("Y")))
    return frames


def service_journey(responses: pd.DataFrame) -> list[pd.DataFrame]:
    """journey_<STAGE>: every response counts; it succeeds at or beyond STAGE (codebook order)."""
    order = {stage: position for position, stage in enumerate(load_codebook().journey_stages)}
    reached = responses["journey_stage"].map(order)
    everyone = pd.Series(True, index=responses.index)
    return [
        observations(responses, f"journey_{stage}", everyone, reached.ge(order[stage]))
        for stage in JOURNEY_METRIC_STAGES
    ]


def all_observations(responses: pd.DataFrame) -> pd.DataFrame:
    """The long (response_id, metric, success) frame of every metric of metrics.md."""
    families = (police_satisfaction, victims_code, support_services, service_journey)
    return pd.concat([frame for family in families for frame in family(responses)], ignore_index=True)


def current_codes(responses: pd.DataFrame, codes: pd.DataFrame) -> pd.DataFrame:
    """The stored codes of the current versions' comments, with their response_id."""
    versions = responses[["response_id", "source_delivery_id", "source_row_number"]]
    return versions.merge(
        codes, left_on=["source_delivery_id", "source_row_number"], right_on=["delivery_id", "row_number"]
    )


def theme_observations(coded: pd.DataFrame, unit: str = "response_id") -> pd.DataFrame:
    """theme_<name>_<neg|pos> over groups of comments (``unit``): every group counts; it
    succeeds when any of its comments raises the theme that way."""
    frames = []
    for theme in THEMES:
        for polarity, values in RAISED.items():
            success = coded[f"theme_{theme}"].isin(values).groupby(coded[unit]).any()
            frames.append(
                pd.DataFrame(
                    {unit: success.index, "metric": f"theme_{theme}_{polarity}", "success": success.to_numpy()}
                )
            )
    return pd.concat(frames, ignore_index=True)


def comment_themes(responses: pd.DataFrame, codes: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The theme metrics: per respondent with a comment (either field), under the ordinary
    breakdowns; and their own breakdowns' rows (response_id, metric, success, breakdown,
    breakdown_value): ``service`` per service the comment_services is about (that comment's
    themes), ``overall_satisfaction`` (1-3, 4, 5-7; the themes of all the respondent's comments)."""
    coded = current_codes(responses, codes)
    per_response = theme_observations(coded)
    satisfaction = responses.set_index("response_id")["sat_overall"].map(SATISFACTION)
    by_satisfaction = per_response.assign(
        breakdown="overall_satisfaction", breakdown_value=lambda f: f["response_id"].map(satisfaction)
    )
    about = coded[coded["field"].eq("comment_services")].explode("about_services").dropna(subset=["about_services"])
    about = about.assign(unit=about["response_id"] + "|" + about["about_services"])
    by_service = theme_observations(about, unit="unit")
    by_service[["response_id", "breakdown_value"]] = by_service["unit"].str.split("|", expand=True)
    extra = pd.concat(
        [
            by_satisfaction.dropna(subset=["breakdown_value"]),
            by_service.drop(columns="unit").assign(breakdown="service"),
        ],
        ignore_index=True,
    )
    return per_response, extra


# --------------------------------------------------------------------------------------
# The cells of metrics.md, "Cells"
# --------------------------------------------------------------------------------------


def month_number(interview_date: pd.Series) -> pd.Series:
    """Calendar month as a running number (year * 12 + month - 1), so windows are arithmetic."""
    return interview_date.dt.year * 12 + interview_date.dt.month - 1


def month_label(number: int) -> str:
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def window_length(period_type: str, end: int) -> int | None:
    """Months in the window of `period_type` ending with month number `end` (metrics-v2 §1:
    financial year April to March); None where that period type has no window ending there."""
    calendar_month = end % 12 + 1
    months_into_financial_year = (calendar_month - 4) % 12 + 1  # April 1 .. March 12
    return {
        "month": 1,
        "rolling_3m": 3,
        "rolling_12m": 12,
        "quarter": 3 if months_into_financial_year % 3 == 0 else None,
        "financial_year": 12 if months_into_financial_year == 12 else None,
        "fy_to_date": months_into_financial_year if months_into_financial_year in (3, 6, 9) else None,
    }[period_type]


def window_label(period_type: str, start: int, end: int) -> str:
    """The spec's label: "Jul 2026", "Aug–Oct 2026", "Nov 2025–Oct 2026", "Q2 2026-27 (Jul–Sep 2026)",
    "2025-26", "2026-27 to date (Apr–Sep 2026)"."""
    name = lambda number: MONTH_NAMES[number % 12]  # noqa: E731
    same_year = start // 12 == end // 12
    months = f"{name(start)}{'' if same_year else f' {start // 12}'}–{name(end)} {end // 12}"
    first_year = (end - 3) // 12  # the calendar year the financial year starts in
    financial_year = f"{first_year}-{(first_year + 1) % 100:02d}"
    quarter = ((end - 3) % 12) // 3 + 1
    return {
        "month": f"{name(end)} {end // 12}",
        "quarter": f"Q{quarter} {financial_year} ({months})",
        "financial_year": financial_year,
        "fy_to_date": f"{financial_year} to date ({months})",
    }.get(period_type, months)


def expected_metric_values(responses: pd.DataFrame, codes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every cell (metric × period × breakdown) with numerator, denominator, rate and flags
    (with the comment themes when ``codes`` are given)."""
    people = responses[["response_id", *BREAKDOWNS]].assign(month=month_number(responses["interview_date"]))
    observed, extra = all_observations(responses), None
    if codes is not None:
        per_response, extra = comment_themes(responses, codes)
        observed = pd.concat([observed, per_response], ignore_index=True)
    obs = observed.merge(people, on="response_id", validate="many_to_one")

    by_breakdown = [obs.assign(breakdown="all", breakdown_value="all")]
    for column in BREAKDOWNS:
        present = obs[obs[column].notna()]  # a blank leaves the response out of this breakdown only
        if column not in THEME_BREAKDOWNS:  # themes: by crime group and their own breakdowns only
            present = present[~present["metric"].str.startswith("theme_")]
        by_breakdown.append(present.assign(breakdown=column, breakdown_value=present[column]))
    if extra is not None:
        by_breakdown.append(extra.merge(people[["response_id", "month"]], on="response_id", validate="many_to_one"))
    long = pd.concat(by_breakdown, ignore_index=True)[["metric", "breakdown", "breakdown_value", "month", "success"]]
    monthly = (
        long.groupby(["metric", "breakdown", "breakdown_value", "month"], as_index=False)
        .agg(numerator=("success", "sum"), denominator=("success", "size"))
        .astype({"numerator": "int64", "denominator": "int64"})
    )

    first, last = int(people["month"].min()), int(people["month"].max())
    cells = []
    for period_type in PERIOD_TYPES:
        # The windows of this type: (start, end) lying wholly within [first, last].
        spans = [
            (end - length + 1, end)
            for end in range(first, last + 1)
            if (length := window_length(period_type, end)) is not None and end - length + 1 >= first
        ]
        members = pd.DataFrame(
            [(start, end, m) for start, end in spans for m in range(start, end + 1)],
            columns=["start", "period", "month"],
        )
        spread = monthly.merge(members, on="month")
        windows = spread.groupby(["metric", "breakdown", "breakdown_value", "start", "period"], as_index=False)[
            ["numerator", "denominator"]
        ].sum()
        windows = windows[windows["denominator"] >= 1]
        labels = [window_label(period_type, s, e) for s, e in zip(windows["start"], windows["period"], strict=True)]
        cells.append(
            windows.assign(
                period_type=period_type,
                period=windows["period"].map(month_label),
                period_start=windows["start"].map(month_label),
                period_label=labels,
            )
        )

    expected = pd.concat(cells, ignore_index=True)
    expected["rate"] = expected["numerator"] / expected["denominator"]
    expected["suppressed"] = expected["denominator"] < 10
    expected["indicative"] = expected["denominator"].between(10, 29)
    return expected[
        [*KEY, "period_start", "period_label", "numerator", "denominator", "rate", "suppressed", "indicative"]
    ]


# --------------------------------------------------------------------------------------
# Warehouses built from generated deliveries
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Warehouse:
    responses: pd.DataFrame
    metric_values: pd.DataFrame
    codes: pd.DataFrame
    deleted_months: tuple[str, ...] = ()


def build_warehouse(folder: Path, *, months: int, rows_per_month: int, keep: set[str] | None = None) -> Warehouse:
    """Generate demo deliveries, optionally delete whole months' files, ingest, read the marts."""
    settings = Settings(landing=folder / "landing", warehouse=folder / "w.duckdb", pseudonym_key="k" * 32)
    settings.landing.mkdir(parents=True)
    manifests = write_demo_deliveries(
        settings.landing, months=months, rows_per_month=rows_per_month, seed=5, today=RUN_DATE
    )
    deleted = set()
    if keep is not None:
        for manifest in manifests:
            if manifest.period not in keep:
                manifest.path.unlink()
                deleted.add(manifest.period)
    ingest_landing(settings, RUN_DATE)
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        responses = con.sql("select * from marts.responses").df()
        metric_values = con.sql("select * from marts.metric_values").df()
        codes = con.sql("select * from core.comment_codes").df()
    return Warehouse(responses, metric_values, codes, tuple(sorted(deleted)))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """Fifteen months of demo deliveries (with bad rows and a correcting re-delivery), ingested."""
    return build_warehouse(tmp_path_factory.mktemp("demo"), months=15, rows_per_month=170)


@pytest.fixture(scope="module")
def demo_expected(demo: Warehouse) -> pd.DataFrame:
    """The spec's cells for the demo warehouse, computed once."""
    return expected_metric_values(demo.responses, demo.codes)


@pytest.fixture(scope="module")
def gappy(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """Thirteen small months (2023-11..2024-11) of which only three months' files are delivered."""
    keep = {"2023-11", "2024-06", "2024-11"}
    return build_warehouse(tmp_path_factory.mktemp("gappy"), months=13, rows_per_month=30, keep=keep)


def compare_cells(actual: pd.DataFrame, expected: pd.DataFrame) -> pd.DataFrame:
    """Outer join on the cell key, with `_merge` telling which side holds each cell."""
    return actual.merge(expected, on=KEY, how="outer", suffixes=("_sql", "_spec"), indicator=True)


def assert_same_cells(actual: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Fail, listing examples, unless both frames hold exactly the same cell keys."""
    joined = compare_cells(actual, expected)
    only_sql = joined.loc[joined["_merge"] == "left_only", KEY]
    only_spec = joined.loc[joined["_merge"] == "right_only", KEY]
    if not (only_sql.empty and only_spec.empty):
        pytest.fail(
            f"{len(only_sql)} cells only in marts.metric_values, e.g.\n{only_sql.head(10).to_string()}\n\n"
            f"{len(only_spec)} cells only in the spec, e.g.\n{only_spec.head(10).to_string()}"
        )


def assert_same_figures(actual: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Fail, listing examples, unless every common cell has the same counts, flags and rate."""
    joined = compare_cells(actual, expected)
    joined = joined[joined["_merge"] == "both"]
    assert not joined.empty
    problems = []
    for column in ("period_start", "period_label", "numerator", "denominator", "suppressed", "indicative"):
        differs = joined[f"{column}_sql"].to_numpy() != joined[f"{column}_spec"].to_numpy()
        if differs.any():
            sample = joined.loc[differs, [*KEY, f"{column}_sql", f"{column}_spec"]].head(10)
            problems.append(f"{column}: {int(differs.sum())} cells differ, e.g.\n{sample.to_string()}")
    rate_sql, rate_spec = joined["rate_sql"].to_numpy(float), joined["rate_spec"].to_numpy(float)
    rate_differs = ~np.isclose(rate_sql, rate_spec, rtol=0, atol=1e-12)
    if rate_differs.any():
        sample = joined.loc[rate_differs, [*KEY, "rate_sql", "rate_spec"]].head(10)
        problems.append(f"rate: {int(rate_differs.sum())} cells differ, e.g.\n{sample.to_string()}")
    if problems:
        pytest.fail("\n\n".join(problems))


# --------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------


def test_every_cell_of_the_spec_is_in_metric_values_and_no_other(demo: Warehouse, demo_expected: pd.DataFrame) -> None:
    """The (metric, period_type, period, breakdown, breakdown_value) keys match the spec exactly."""
    assert not demo.metric_values.duplicated(KEY).any(), "metric_values has duplicate cells"
    assert_same_cells(demo.metric_values, demo_expected)


def test_every_cell_has_the_spec_figures(demo: Warehouse, demo_expected: pd.DataFrame) -> None:
    """Numerator, denominator and flags are identical, and the rate equal to 1e-12, in every cell."""
    assert_same_figures(demo.metric_values, demo_expected)


def test_metric_values_holds_exactly_the_62_public_metrics_and_the_28_themes(demo: Warehouse) -> None:
    """The metric list is the spec's: 6 police satisfaction, 12 rights, 8 services × 5, 4 journey
    stages; then the codeframe's 14 themes, each negative and positive."""
    assert len(expected_metric_names()) == len(set(expected_metric_names())) == 62
    names = expected_metric_names(themes=True)
    assert len(names) == len(set(names)) == 62 + 28
    assert set(demo.metric_values["metric"]) == set(names)


def test_confidence_intervals_are_wilson_95(demo: Warehouse) -> None:
    """ci_low and ci_high are the 95% Wilson score interval of numerator / denominator."""
    values = demo.metric_values
    low, high = proportion_confint(values["numerator"], values["denominator"], alpha=0.05, method="wilson")
    np.testing.assert_allclose(values["ci_low"], low, rtol=0, atol=1e-9)
    np.testing.assert_allclose(values["ci_high"], high, rtol=0, atol=1e-9)


def test_windows_span_calendar_months_across_gaps_in_the_data(gappy: Warehouse) -> None:
    """With whole months missing, windows still cover calendar months and empty months have no cells."""
    months_with_data = set(gappy.responses["interview_date"].dt.strftime("%Y-%m"))
    empty_months = sorted(set(gappy.deleted_months) - months_with_data)
    assert len(empty_months) >= 3, "the generated data should leave several months without any response"

    month_cells = gappy.metric_values[gappy.metric_values["period_type"] == "month"]
    assert not set(month_cells["period"]) & set(empty_months)
    assert set(month_cells["period"]) == months_with_data
    # The data span 2023-11..2024-11 (13 months), so two rolling_12m windows exist despite the gaps.
    rolling_12m = gappy.metric_values[gappy.metric_values["period_type"] == "rolling_12m"]
    assert set(rolling_12m["period"]) == {"2024-10", "2024-11"}
    # A rolling_3m window exists wherever any of its three calendar months has data, gap or not.
    data_numbers = {int(n) for n in month_number(gappy.responses["interview_date"])}
    ends = range(min(data_numbers) + 2, max(data_numbers) + 1)
    rolling_3m = gappy.metric_values[gappy.metric_values["period_type"] == "rolling_3m"]
    assert set(rolling_3m["period"]) == {month_label(e) for e in ends if {e - 2, e - 1, e} & data_numbers}
    assert set(rolling_3m["period"]) & set(empty_months), "some window should end in a month without data"

    expected = expected_metric_values(gappy.responses, gappy.codes)
    assert_same_cells(gappy.metric_values, expected)
    assert_same_figures(gappy.metric_values, expected)
