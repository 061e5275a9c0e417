"""Every stored comment is coded into themes in the refresh (core.comment_codes), from the text as
stored (redacted), never storing text; a changed classifier re-codes them all; and the theme
metrics count respondents with a comment, by service (the comments about it) and by overall
satisfaction."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemas.comment_about import comment_is_about
from tests.given import build_warehouse, cells
from victim_voice.themes.classifier import classify
from warehouse import comment_codes
from warehouse.db import open_reader, open_writer
from warehouse.models import refresh_is_behind, refresh_models

KIND_IDVA = "My IDVA was so kind and patient, she really listened"
NO_UPDATES = "I never heard anything after the first call, I had to chase for every update"
ROWS = [
    {"comment_services": KIND_IDVA, "svc_IDVA_status": "SUPPORTED", "sat_overall": 6},
    {"comment_police": NO_UPDATES, "sat_overall": 2},
    {"comment_police": NO_UPDATES, "comment_services": KIND_IDVA, "svc_IDVA_status": "CONTACTED", "sat_overall": 1},
    {"comment_police": "   ", "sat_overall": 7},  # blank: not a comment
    {"sat_overall": 7},
]


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return build_warehouse(tmp_path / "w.duckdb", [ROWS])


def stored_codes(path: Path) -> list[tuple]:
    return cells(
        path,
        "select field, coded_by, sentiment, about_services, theme_respect_empathy, theme_kept_informed"
        " from core.comment_codes order by row_number, field",
    )


def test_every_stored_comment_is_coded_once_by_the_current_classifier(warehouse: Path) -> None:
    version = comment_codes.coder_version()
    assert stored_codes(warehouse) == [
        ("comment_services", version, classify(KIND_IDVA).sentiment, ["IDVA"], "POS", None),
        ("comment_police", version, classify(NO_UPDATES).sentiment, None, None, "NEG"),
        ("comment_police", version, classify(NO_UPDATES).sentiment, None, None, "NEG"),
        ("comment_services", version, classify(KIND_IDVA).sentiment, ["IDVA"], "POS", None),
    ]


def test_the_codes_hold_no_text(warehouse: Path) -> None:
    columns = [
        name
        for (name,) in cells(warehouse, "select column_name from duckdb_columns() where table_name = 'comment_codes'")
    ]
    assert not [c for c in columns if c.startswith("comment") or c == "text"]
    assert not cells(
        warehouse, "select * from core.comment_codes where list_contains([sentiment, field], ?)", [KIND_IDVA]
    )


def test_about_services_is_the_packs_rule(tmp_path: Path) -> None:
    """The services a comment is counted under are those the packs would list it under."""
    rows = [
        {"comment_services": "The SARC was kind", "svc_SARC_status": "SUPPORTED", "svc_ISVA_status": "CONTACTED"},
        {"comment_services": "They were kind", "svc_SARC_status": "SUPPORTED", "svc_ISVA_status": "REFERRED"},
        {
            "comment_services": "Still waiting for the ISVA",
            "svc_SARC_status": "SUPPORTED",
            "svc_ISVA_status": "REFERRED",
        },
        {
            "comment_services": "The SARC and my ISVA were kind",
            "svc_SARC_status": "SUPPORTED",
            "svc_ISVA_status": "SUPPORTED",
        },
    ]
    path = build_warehouse(tmp_path / "w.duckdb", [rows])
    found = cells(path, "select about_services from core.comment_codes order by row_number")
    assert found == [(["SARC"],), (["SARC"],), ([],), (["ISVA", "SARC"],)]
    for row, (about,) in zip(rows, found, strict=True):
        statuses = {s: row.get(f"svc_{s}_status") for s in ("SARC", "ISVA")}
        assert about == [s for s in ("ISVA", "SARC") if comment_is_about(row["comment_services"], s, statuses)]


def test_a_changed_classifier_recodes_every_stored_comment(warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with open_writer(warehouse) as con:
        con.execute("update core.comment_codes set theme_respect_empathy = 'NEG'")  # what an older model said
        assert not refresh_is_behind(con)
        monkeypatch.setattr(comment_codes, "coder_version", lambda: "a-new-model")
        assert refresh_is_behind(con), "a new classifier means the refresh is owed"
        refresh_models(con)
    found = stored_codes(warehouse)
    assert {row[1] for row in found} == {"a-new-model"}
    assert [row[4] for row in found] == ["POS", None, None, "POS"]


def test_a_refresh_codes_only_what_is_new(warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    coded = []
    real = comment_codes.coded_rows
    monkeypatch.setattr(
        comment_codes, "coded_rows", lambda comments, version: coded.append(len(comments)) or real(comments, version)
    )
    with open_writer(warehouse) as con:
        refresh_models(con)
    assert coded == []


def theme_cell(path: Path, metric: str, breakdown: str, value: str) -> tuple:
    return cells(
        path,
        "select numerator, denominator from marts.metric_values where metric = ? and period_type = 'month'"
        " and breakdown = ? and breakdown_value = ?",
        [metric, breakdown, value],
    )[0]


def test_theme_metrics_count_respondents_with_a_comment(warehouse: Path) -> None:
    # three respondents commented (the blank does not count); two raise kept_informed NEG
    assert theme_cell(warehouse, "theme_kept_informed_neg", "all", "all") == (2, 3)
    assert theme_cell(warehouse, "theme_respect_empathy_pos", "all", "all") == (2, 3)
    assert theme_cell(warehouse, "theme_respect_empathy_neg", "all", "all") == (0, 3)


def test_theme_metrics_by_service_and_by_overall_satisfaction(warehouse: Path) -> None:
    # the two comments about the IDVA; the police comment of the third respondent is not about it
    assert theme_cell(warehouse, "theme_respect_empathy_pos", "service", "IDVA") == (2, 2)
    assert theme_cell(warehouse, "theme_kept_informed_neg", "service", "IDVA") == (0, 2)
    # complaints about updates go with dissatisfaction
    assert theme_cell(warehouse, "theme_kept_informed_neg", "overall_satisfaction", "DISSATISFIED") == (2, 2)
    assert theme_cell(warehouse, "theme_kept_informed_neg", "overall_satisfaction", "SATISFIED") == (0, 1)


def test_no_comment_no_theme_cells(tmp_path: Path) -> None:
    path = build_warehouse(tmp_path / "w.duckdb", [[{"sat_overall": 5}]])
    with open_reader(path) as con:
        assert con.sql("select count(*) from marts.metric_values where metric like 'theme_%'").fetchall() == [(0,)]
        assert con.sql("select count(*) from core.comment_codes").fetchall() == [(0,)]
