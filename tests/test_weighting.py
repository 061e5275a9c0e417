"""marts.weighted_metric_values (metrics-v2 §2): post-stratified rates, Kish effective sizes,
design effects and Wilson intervals, against an established survey library (samplics: its
post-stratified weights and weighted proportions) and statsmodels (Wilson interval, weighted
mean), on generated data; and the rules on windows, strata and disclosure as given rows."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chisquare
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

from tests.given import build_weighted_warehouse, cells

with warnings.catch_warnings():
    warnings.simplefilter("ignore", FutureWarning)  # samplics says it is archived (its sums are unchanged)
    from samplics import PopParam, SampleWeight, TaylorEstimator

MONTHS = ["2024-01", "2024-02", "2024-03"]
AREAS = ["WILTSHIRE", "SWINDON"]
GROUPS = ["THEFT", "RAPE", "VIOLENCE_WITH_INJURY", "CRIMINAL_DAMAGE"]
COLUMNS = "weighted_rate, weighted_ci_low, weighted_ci_high, effective_n, design_effect, denominator"


def generated(seed: int = 3) -> tuple[pd.DataFrame, dict[str, dict]]:
    """About 600 responses over three months, over-sampling RAPE, with satisfaction depending
    on the crime group; and counts in which RAPE is rare."""
    rng = np.random.default_rng(seed)
    n = 600
    frame = pd.DataFrame(
        {
            "month": rng.choice(MONTHS, n),
            "area": rng.choice(AREAS, n, p=[0.6, 0.4]),
            "crime_group": rng.choice(GROUPS, n, p=[0.3, 0.3, 0.25, 0.15]),
            "gender": rng.choice(["FEMALE", "MALE", "OTHER"], n, p=[0.5, 0.49, 0.01]),  # OTHER: a suppressed cell
        }
    )
    satisfied = rng.random(n) < frame["crime_group"].map({"THEFT": 0.7, "RAPE": 0.35}).fillna(0.55)
    answered = rng.random(n) < 0.9
    frame["sat_overall"] = np.where(answered, np.where(satisfied, 6, 2), np.nan)
    counts = {
        m: {(a, g): 8 if g == "RAPE" else int(rng.integers(50, 400)) for a in AREAS for g in GROUPS} for m in MONTHS
    }
    return frame, counts


def rows_for(frame: pd.DataFrame) -> list[list[dict]]:
    deliveries = []
    for month in MONTHS:
        part = frame[frame["month"] == month]
        deliveries.append(
            [
                {"interview_date": f"{month}-15", "area": r.area, "crime_group": r.crime_group, "gender": r.gender}
                | ({"sat_overall": int(r.sat_overall)} if not np.isnan(r.sat_overall) else {})
                for r in part.itertuples()
            ]
        )
    return deliveries


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame, dict]:
    frame, counts = generated()
    path = build_weighted_warehouse(tmp_path_factory.mktemp("w") / "w.duckdb", rows_for(frame), counts)
    return path, frame, counts


def library_figures(frame: pd.DataFrame, counts: dict, mask: pd.Series) -> tuple[float, float, float, float]:
    """(p_w, n_eff, ci_low, ci_high) of sat_overall over the responses in ``mask``: weights by
    samplics' post-stratification of the whole window's sample to the window's counts, the
    weighted proportion by samplics and statsmodels, Kish's n_eff, Wilson by statsmodels."""
    stratum = (frame["area"] + "/" + frame["crime_group"]).to_numpy()
    pairs = [(f"{a}/{g}", v) for month in counts.values() for (a, g), v in month.items()]
    control = pd.DataFrame(pairs, columns=["stratum", "victims"]).groupby("stratum")["victims"].sum()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        weights = SampleWeight().poststratify(np.ones(len(frame)), control=control.to_dict(), domain=stratum)
    keep = (mask & frame["sat_overall"].notna()).to_numpy()
    y, w = (frame["sat_overall"].to_numpy()[keep] >= 5).astype(int), weights[keep]
    estimator = TaylorEstimator(PopParam.prop)
    estimator.estimate(y=y, samp_weight=w, remove_nan=True)
    p_w = estimator.point_est[1]
    assert p_w == pytest.approx(DescrStatsW(y, weights=w).mean, abs=1e-12)  # two libraries agree
    n_eff = w.sum() ** 2 / (w**2).sum()
    low, high = proportion_confint(p_w * n_eff, n_eff, alpha=0.05, method="wilson")
    return p_w, n_eff, low, high


@pytest.mark.parametrize(("breakdown", "value"), [("all", "all"), ("gender", "FEMALE"), ("area", "SWINDON")])
def test_weighted_figures_agree_with_samplics_and_statsmodels(reference, breakdown: str, value: str) -> None:
    path, frame, counts = reference
    [(rate, low, high, n_eff, deff, denominator)] = cells(
        path,
        f"select {COLUMNS} from marts.weighted_metric_values where metric = 'sat_overall'"
        " and period_type = 'rolling_3m' and period = '2024-03' and breakdown = ? and breakdown_value = ?",
        [breakdown, value],
    )
    mask = pd.Series(True, index=frame.index) if breakdown == "all" else frame[breakdown] == value
    p_w, expected_n_eff, expected_low, expected_high = library_figures(frame, counts, mask)
    assert denominator == (mask & frame["sat_overall"].notna()).sum()
    assert rate == pytest.approx(p_w, abs=1e-9)
    assert n_eff == pytest.approx(expected_n_eff, rel=1e-9)
    assert (low, high) == pytest.approx((expected_low, expected_high), abs=1e-9)
    assert deff == pytest.approx(denominator / expected_n_eff, rel=1e-9)
    assert deff > 1.2  # RAPE is over-sampled 3 to 40 times: the weights vary, the design costs


def test_weighting_moves_the_all_victims_rate_towards_the_population(reference) -> None:
    path, _, _ = reference
    [(unweighted, weighted)] = cells(
        path,
        "select u.rate, w.weighted_rate from marts.weighted_metric_values as w"
        " join marts.metric_values as u using (metric, period_type, period, breakdown, breakdown_value)"
        " where metric = 'sat_overall' and period_type = 'rolling_3m' and period = '2024-03' and breakdown = 'all'",
    )
    assert weighted > unweighted + 0.03  # fewer of the less satisfied RAPE victims in the population


def test_only_windows_whose_every_month_has_counts_are_weighted(tmp_path: Path) -> None:
    rows = [[{"interview_date": f"{m}-10", "sat_overall": 6}] * 12 for m in MONTHS]
    counts = {m: {("WILTSHIRE", "THEFT"): 100} for m in MONTHS[1:]}  # January lacks counts
    path = build_weighted_warehouse(tmp_path / "w.duckdb", rows, counts)
    windows = cells(path, "select distinct period_type, period from marts.weighted_metric_values order by 1, 2")
    assert windows == []  # every window but a month reaches back to January
    assert cells(path, "select count(*) from marts.metric_values where period_type = 'rolling_3m'") != [(0,)]


def test_strata_without_responses_or_population(tmp_path: Path) -> None:
    rows = [
        [{"interview_date": f"{m}-10", "sat_overall": 6}] * 10  # WILTSHIRE THEFT, satisfied
        + [{"interview_date": f"{m}-10", "crime_group": "RAPE", "sat_overall": 1}] * 10  # no RAPE in the counts
        for m in MONTHS
    ]
    population = {("WILTSHIRE", "THEFT"): 300, ("SWINDON", "ROBBERY"): 100}  # nobody sampled for ROBBERY
    path = build_weighted_warehouse(tmp_path / "w.duckdb", rows, {m: population for m in MONTHS})
    [(rate, weighted, n_eff, uncovered)] = cells(
        path,
        "select u.rate, w.weighted_rate, w.effective_n, w.uncovered_share from marts.weighted_metric_values as w"
        " join marts.metric_values as u using (metric, period_type, period, breakdown, breakdown_value)"
        " where metric = 'sat_overall' and period_type = 'rolling_3m' and breakdown = 'all'",
    )
    assert (rate, weighted) == (0.5, 1.0)  # RAPE's responses weigh 0
    assert n_eff == pytest.approx(30)  # the 30 THEFT responses, equally weighted
    assert uncovered == pytest.approx(0.25)  # ROBBERY's 300 of 1,200 victims
    rape = cells(path, "select count(*) from marts.weighted_metric_values where breakdown_value = 'RAPE'")
    assert rape == [(0,)]  # weights summing to 0: no row


def test_disclosure_flags_follow_the_unweighted_cell(reference) -> None:
    path, _, _ = reference
    mismatched = cells(
        path,
        "select count(*) from marts.weighted_metric_values as w"
        " join intermediate.int_published_cells as p on p.scope = 'all' and p.metric = w.metric"
        " and p.period_type = w.period_type and p.period = w.period and p.breakdown = w.breakdown"
        " and p.breakdown_value = w.breakdown_value"
        " where w.suppressed <> p.suppressed or w.indicative <> p.indicative or w.withheld <> p.withheld",
    )
    assert mismatched == [(0,)]
    [(withheld, suppressed)] = cells(
        path,
        "select count(*) filter (where withheld), count(*) filter (where suppressed) from marts.weighted_metric_values",
    )
    assert withheld >= suppressed > 0  # the test data has small cells: the rule is exercised
    assert cells(path, "select count(*) from marts.weighted_metric_values where period_type = 'month'") == [(0,)]


def test_the_sample_profile_test_agrees_with_scipy(reference) -> None:
    path, frame, _ = reference
    profile = pd.DataFrame(
        cells(
            path,
            "select area, crime_group, responses, sample_share, population, population_share, chi_square,"
            " degrees_of_freedom, p_value from marts.sample_profile"
            " where period_type = 'quarter' and period = '2024-03' order by area, crime_group",
        ),
        columns=[
            "area",
            "crime_group",
            "responses",
            "sample_share",
            "population",
            "population_share",
            "chi",
            "df",
            "p",
        ],
    )
    observed = frame.groupby(["area", "crime_group"]).size()
    assert profile.set_index(["area", "crime_group"])["responses"].to_dict() == observed.to_dict()
    assert profile["sample_share"].sum() == pytest.approx(1) and profile["population_share"].sum() == pytest.approx(1)
    expected = profile["population_share"] * profile["responses"].sum()
    reference_test = chisquare(profile["responses"], expected)
    assert profile["chi"].iloc[0] == pytest.approx(reference_test.statistic, rel=1e-9)
    assert profile["df"].iloc[0] == len(profile) - 1
    assert profile["p"].iloc[0] == pytest.approx(reference_test.pvalue, abs=1e-9)
    assert reference_test.pvalue < 0.001  # RAPE's quota shows


def test_the_chi_square_tail_agrees_with_scipy_where_it_is_not_tiny(tmp_path: Path) -> None:
    rows = [
        [{"interview_date": f"{m}-10", "area": a, "crime_group": g} for a in AREAS for g in GROUPS for _ in range(k)]
        for m, k in zip(MONTHS, (5, 6, 5), strict=True)
    ]
    population = {(a, g): 160 if g == "THEFT" else 100 for a in AREAS for g in GROUPS}
    path = build_weighted_warehouse(tmp_path / "w.duckdb", rows, {m: population for m in MONTHS})
    [(chi, df, p)] = cells(
        path,
        "select distinct chi_square, degrees_of_freedom, p_value from marts.sample_profile"
        " where period_type = 'quarter'",
    )
    shares = np.array([population[(a, g)] for a in AREAS for g in sorted(GROUPS)], dtype=float)
    reference_test = chisquare(np.full(8, 16), shares / shares.sum() * 128)
    assert (chi, df) == (pytest.approx(reference_test.statistic), 7)
    assert p == pytest.approx(reference_test.pvalue, abs=1e-6)
    assert 0.1 < p < 0.9  # a p well inside (0, 1): the tail's series is exercised, not its limits
