"""Every code an output can show has a plain label (issue 15: labels, not codes)."""

from __future__ import annotations

import re

import duckdb
import pytest
from given import build_warehouse

from schemas.codebook import load_codebook
from victim_voice.outputs.labels import BREAKDOWNS, VALUES, Labels

CODE_LIKE = re.compile(r"^[A-Z0-9_]+$|_")


THEMES_OWN = ("service", "overall_satisfaction")  # the comment themes' breakdowns: no column of their own


@pytest.mark.parametrize("breakdown", [b for b in BREAKDOWNS if b not in ("all", "crime_group", *THEMES_OWN)])
def test_every_answer_of_a_breakdown_has_a_label(breakdown):
    labels = Labels()
    for code in load_codebook().column(breakdown).allowed:
        label = labels.value(breakdown, code)
        assert label == VALUES.get(breakdown, {}).get(code) or re.fullmatch(r"\d\d-\d\d", code), (breakdown, code)
        assert not CODE_LIKE.search(label), (breakdown, code, label)


def test_the_comment_themes_breakdowns_have_labels():
    labels = Labels()
    assert [labels.value("overall_satisfaction", v) for v in ("SATISFIED", "NEITHER", "DISSATISFIED")] == [
        "Satisfied",
        "Neither",
        "Dissatisfied",
    ]
    assert Labels(services={"IDVA": "Independent domestic violence advisers"}).value("service", "IDVA") == (
        "Independent domestic violence advisers"
    )


def test_crime_groups_services_and_measures_are_read_from_the_reference_tables(tmp_path):
    path = build_warehouse(tmp_path / "w.duckdb", [[{"crime_group": "BURGLARY_RESIDENTIAL"}]])
    with duckdb.connect(str(path), read_only=True) as con:
        labels = Labels.read(con)
        crime_groups = [c for (c,) in con.execute("select crime_group from reference.crime_groups").fetchall()]
    assert labels.value("crime_group", "BURGLARY_RESIDENTIAL") != "BURGLARY_RESIDENTIAL"
    for code in crime_groups:
        assert not CODE_LIKE.search(labels.value("crime_group", code)), code
    assert labels.metric("svc_IDVA_contact").startswith(labels.service("IDVA"))
    assert labels.service("IDVA") != "IDVA"
    assert labels.metric("no_such_metric") == "No such metric"
