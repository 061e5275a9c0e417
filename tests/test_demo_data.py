"""Properties of the synthetic delivery generator (victim_voice.demo).

The rule checker below is a deliberately small, independent reading of the contract's
row rules, so these tests do not depend on the project's validator.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from schemas.codebook import load_codebook
from victim_voice.demo import (
    BAD_ROW_KINDS,
    generate_rows,
    make_messy,
    plant_bad_rows,
    write_delivery,
    write_demo_deliveries,
)

TODAY = date(2025, 1, 15)
BOOK = load_codebook()
SEXUAL = ("RAPE", "OTHER_SEXUAL_OFFENCE")
REFERRED = ("REFERRED", "CONTACTED", "SUPPORTED")


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    """A large clean month, shared by the read-only tests."""
    return generate_rows(3000, "2024-05", np.random.default_rng(11), first_id=1, today=TODAY)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> list:
    """The default demo set (12 months of 170 rows), written once."""
    return write_demo_deliveries(tmp_path_factory.mktemp("landing"), seed=7, today=TODAY)


# --------------------------------------------------------------------------- rule checker


def _parse_date(text: str) -> date | None:
    for layout in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, layout).date()
        except ValueError:
            pass
    return None


def _normalised(record: dict[str, str]) -> dict[str, str]:
    """Trimmed values, codes upper-cased, as the contract says readers must treat them."""
    return {
        spec.name: record[spec.name].strip().upper() if spec.is_code else record[spec.name].strip()
        for spec in BOOK.columns
    }


def _value_violations(spec, value: str, today: date) -> set[str]:
    if not value:
        return {"missing_required"} if spec.required else set()
    if spec.type == "date":
        parsed = _parse_date(value)
        if parsed is None:
            return {"bad_date"}
        return set() if BOOK.earliest_interview_date <= parsed <= today else {"date_out_of_window"}
    if spec.pattern and not re.fullmatch(spec.pattern, value):
        return {"bad_pattern"}
    if spec.allowed and value not in spec.allowed:
        return {"out_of_range" if spec.type == "int" else "not_allowed"}
    if spec.type == "int" and not spec.allowed:
        return set() if value.isdigit() and spec.min_value <= int(value) <= spec.max_value else {"out_of_range"}
    if spec.max_length and len(value) > spec.max_length:
        return {"comment_too_long"}
    return set()


def _consistency_violations(values: dict[str, str]) -> set[str]:
    found: set[str] = set()
    stages = BOOK.journey_stages
    if values["journey_stage"] in stages:
        stage = stages.index(values["journey_stage"])
        if values["sat_court"] and stage < stages.index("COURT"):
            found.add("sat_court_before_court")
        convicted_early = values["case_outcome"] in ("CONVICTED", "NOT_CONVICTED") and stage < stages.index("COURT")
        charged_early = values["case_outcome"] == "CHARGED" and stage < stages.index("CHARGE_DECISION")
        if convicted_early or charged_early:
            found.add("outcome_before_stage")
    for service in BOOK.services:
        names = BOOK.service_columns(service)
        status = values[names["status"]]
        if values[names["days"]] and status not in ("CONTACTED", "SUPPORTED"):
            found.add("days_without_contact")
        if any(values[names[role]] for role in ("sat", "cope", "safer")) and status != "SUPPORTED":
            found.add("answers_without_support")
    return found


def violations(df: pd.DataFrame, today: date = TODAY) -> list[set[str]]:
    """The broken rules of every row (an empty set for a valid row)."""
    seen: set[str] = set()
    result = []
    for record in df.to_dict("records"):
        values = _normalised(record)
        found = set().union(*(_value_violations(spec, values[spec.name], today) for spec in BOOK.columns))
        found |= _consistency_violations(values)
        if values["response_id"] in seen:
            found.add("duplicate_id")
        seen.add(values["response_id"])
        result.append(found)
    return result


def _numeric(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series.where(series.isin([str(i) for i in range(1, 8)])), errors="coerce")


def _spearman(a: pd.Series, b: pd.Series) -> float:
    both = a.notna() & b.notna()
    return float(np.corrcoef(a[both].rank(), b[both].rank())[0, 1])


# --------------------------------------------------------------------------- shape


def test_all_codebook_columns_in_order_as_text(rows: pd.DataFrame) -> None:
    assert list(rows.columns) == list(BOOK.column_names)
    assert len(rows) == 3000
    assert all(isinstance(v, str) for v in rows.to_numpy().ravel())


def test_response_ids_are_sequential_from_first_id(rows: pd.DataFrame) -> None:
    assert rows["response_id"].tolist() == [f"VV{i:08d}" for i in range(1, 3001)]


def test_same_seed_same_rows_other_seed_other_rows() -> None:
    first = generate_rows(170, "2024-03", np.random.default_rng(5), 1, today=TODAY)
    again = generate_rows(170, "2024-03", np.random.default_rng(5), 1, today=TODAY)
    other = generate_rows(170, "2024-03", np.random.default_rng(6), 1, today=TODAY)
    pd.testing.assert_frame_equal(first, again)
    assert not first.equals(other)


def test_clean_rows_break_no_rule_and_use_upper_case_codes(rows: pd.DataFrame) -> None:
    assert [found for found in violations(rows) if found] == []
    for spec in BOOK.columns:
        if spec.is_code:
            assert set(rows[spec.name]) <= {*spec.allowed, ""}, spec.name


def test_interview_dates_in_month_and_never_after_today() -> None:
    january = generate_rows(300, "2025-01", np.random.default_rng(2), 1, today=TODAY)
    dates = pd.to_datetime(january["interview_date"], format="%Y-%m-%d")
    assert dates.min() >= pd.Timestamp("2025-01-01")
    assert dates.max() <= pd.Timestamp(TODAY)
    with pytest.raises(ValueError):
        generate_rows(10, "2025-02", np.random.default_rng(2), 1, today=TODAY)


def test_crime_reference_in_most_rows(rows: pd.DataFrame) -> None:
    share = (rows["crime_reference"] != "").mean()
    assert 0.8 < share < 0.9


# --------------------------------------------------------------------------- quotas


def _short_quotas(df: pd.DataFrame) -> list[str]:
    return [q.name for q in BOOK.column_quotas if df[q.column].isin(q.values).sum() < q.minimum]


def test_quotas_met_unless_a_shortfall_is_asked_for() -> None:
    for seed in range(4):
        month = generate_rows(170, "2024-06", np.random.default_rng(seed), 1, today=TODAY, short_quota=None)
        assert _short_quotas(month) == []
    short = generate_rows(170, "2024-06", np.random.default_rng(9), 1, today=TODAY, short_quota="burglary")
    assert _short_quotas(short) == ["burglary"]


def test_default_misses_one_quota_in_a_minority_of_months() -> None:
    misses = [_short_quotas(generate_rows(170, "2024-06", np.random.default_rng(s), 1, today=TODAY)) for s in range(30)]
    assert all(len(m) <= 1 for m in misses)
    assert 1 <= sum(bool(m) for m in misses) <= 12


# --------------------------------------------------------------------------- correlations


def test_specialist_referrals_follow_the_victim(rows: pd.DataFrame) -> None:
    def share_among(service: str, condition: pd.Series) -> float:
        referred = rows[f"svc_{service}_status"].isin(REFERRED)
        return float((referred & condition).sum() / referred.sum())

    assert share_among("IDVA", rows["domestic_abuse"] == "Y") > 0.95
    assert share_among("REFUGE", rows["domestic_abuse"] == "Y") > 0.95
    assert share_among("ISVA", rows["crime_group"].isin(SEXUAL)) > 0.95
    assert share_among("SARC", rows["crime_group"].isin(SEXUAL)) > 0.95
    assert share_among("CYP", rows["age_band"] == "U18") > 0.9
    others = (rows["domestic_abuse"] == "N") & ~rows["crime_group"].isin(SEXUAL) & (rows["age_band"] != "U18")
    referred_vwcu = rows.loc[others, "svc_VWCU_status"].isin(REFERRED).mean()
    referred_adult = rows.loc[others, "svc_ADULT_status"].isin(REFERRED).mean()
    referred_rj = rows.loc[others, "svc_RJ_status"].isin(REFERRED).mean()
    assert referred_vwcu > referred_adult > referred_rj > 0


def test_domestic_abuse_mostly_violence_or_stalking(rows: pd.DataFrame) -> None:
    domestic = rows[rows["domestic_abuse"] == "Y"]
    violent = domestic["crime_group"].isin(("VIOLENCE_WITH_INJURY", "VIOLENCE_WITHOUT_INJURY", "STALKING_HARASSMENT"))
    assert violent.mean() > 0.6


def test_overall_satisfaction_tracks_being_kept_informed(rows: pd.DataFrame) -> None:
    assert _spearman(_numeric(rows["sat_overall"]), _numeric(rows["sat_informed"])) > 0.5
    assert set(rows["sat_overall"]) >= {"8", "9", ""}


def test_answers_are_consistent_with_the_journey(rows: pd.DataFrame) -> None:
    before_court = rows["journey_stage"].isin(("REPORTED", "INVESTIGATION", "CHARGE_DECISION"))
    assert (rows.loc[before_court, "sat_court"] == "").all()
    assert (rows.loc[~before_court, "sat_court"] != "").any()
    for right in ("vcop_08", "vcop_09", "vcop_11"):
        assert rows.loc[before_court, right].isin(("NA", "")).all()
    for service in BOOK.services:
        names = BOOK.service_columns(service)
        with_days = rows[names["days"]] != ""
        assert rows.loc[with_days, names["status"]].isin(("CONTACTED", "SUPPORTED")).all()
        with_sat = rows[names["sat"]] != ""
        assert rows.loc[with_sat, names["status"]].eq("SUPPORTED").all()


def test_comments_are_common_and_awkward(rows: pd.DataFrame) -> None:
    comments = pd.concat([rows["comment_police"], rows["comment_services"]])
    written = comments[comments != ""]
    assert 0.4 < (rows["comment_police"] != "").mean() < 0.75
    for needle in (",", '"', "\n", "£", "07700", "@example", "54"):
        assert written.str.contains(needle, regex=False).any(), needle
    assert written.str.contains(r"\b(?:SN|BA|SP)\d{1,2} \d[A-Z]{2}\b").any()
    assert written.map(lambda text: any(ord(ch) > 127 and ch != "£" for ch in text)).any()


# --------------------------------------------------------------------------- messy and bad rows


def test_some_services_comments_name_a_service_their_writer_used(
    rows: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Naming services draws on a stream of its own: every other value is as it was without it."""
    from schemas.comment_about import service_mentions
    from victim_voice.demo import rows as demo_rows

    monkeypatch.setattr(demo_rows, "_name_used_services", lambda comments, used, tone, rng: comments)
    plain = generate_rows(3000, "2024-05", np.random.default_rng(11), first_id=1, today=TODAY)
    pd.testing.assert_frame_equal(rows.drop(columns="comment_services"), plain.drop(columns="comment_services"))
    changed = rows[rows["comment_services"] != plain["comment_services"]]
    assert len(changed) > 300
    for row in changed.to_dict("records"):
        used = {s for s in BOOK.services if row[f"svc_{s}_status"] in ("CONTACTED", "SUPPORTED")}
        assert set(service_mentions(row["comment_services"])) & used


def test_messy_rows_stay_valid_and_normalise_back(rows: pd.DataFrame) -> None:
    clean = rows.iloc[:500]
    messy = make_messy(clean, np.random.default_rng(3), share=0.1)
    changed = (messy != clean).any(axis=1)
    assert 30 <= changed.sum() <= 50
    assert [found for found in violations(messy) if found] == []
    for record, original in zip(messy.to_dict("records"), clean.to_dict("records"), strict=True):
        values = _normalised(record)
        values["interview_date"] = _parse_date(values["interview_date"]).isoformat()
        assert values == original


def test_each_planted_row_breaks_exactly_its_rule(rows: pd.DataFrame) -> None:
    clean = rows.iloc[:400]
    bad, manifest = plant_bad_rows(clean, np.random.default_rng(4), today=TODAY)
    assert sorted(entry["kind"] for entry in manifest) == sorted(BAD_ROW_KINDS)
    found = violations(bad)
    planted = {entry["row_number"]: entry for entry in manifest}
    for row_number, broken in enumerate(found, start=1):
        expected = {planted[row_number]["kind"]} if row_number in planted else set()
        assert broken == expected, (row_number, broken)
    for entry in manifest:
        assert bad.iloc[entry["row_number"] - 1]["response_id"] == entry["response_id"]
    assert clean.equals(rows.iloc[:400])  # input left alone


def test_bad_kinds_can_repeat_and_unknown_kinds_are_refused(rows: pd.DataFrame) -> None:
    kinds = ["duplicate_id", "bad_date", "duplicate_id"]
    bad, manifest = plant_bad_rows(rows.iloc[:100], np.random.default_rng(8), kinds, today=TODAY)
    assert sorted(e["kind"] for e in manifest) == sorted(kinds)
    assert sum(bool(v) for v in violations(bad)) == 3
    with pytest.raises(ValueError):
        plant_bad_rows(rows.iloc[:100], np.random.default_rng(8), ["typo"])


# --------------------------------------------------------------------------- writing files


@pytest.mark.parametrize(
    ("encoding", "bom", "line_ending"),
    [("utf-8", False, "\r\n"), ("utf-8", True, "\n"), ("cp1252", False, "\r\n")],
)
def test_csv_round_trips_awkward_comments(
    rows: pd.DataFrame, tmp_path: Path, encoding: str, bom: bool, line_ending: str
) -> None:
    sample = rows.iloc[:300]
    path = write_delivery(
        sample, tmp_path / "VictimVoice_2024-05_01.csv", encoding=encoding, bom=bom, line_ending=line_ending
    )
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == bom
    assert raw.split(b"\n", 1)[0].endswith(b"\r") == (line_ending == "\r\n")
    with path.open(encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline="") as handle:
        read = list(csv.reader(handle))
    assert read[0] == list(BOOK.column_names)
    expected = sample.map(lambda v: v.encode(encoding, errors="replace").decode(encoding))
    assert read[1:] == expected.to_numpy().tolist()
    assert any(("\n" in v and '"' in v) or "," in v for row in read[1:] for v in row[-2:])


def test_xlsx_has_real_dates_numbers_and_text_references(rows: pd.DataFrame, tmp_path: Path) -> None:
    sample = rows.iloc[:40]
    path = write_delivery(sample, tmp_path / "VictimVoice_2024-05_01.xlsx")
    sheet = load_workbook(path).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header == list(BOOK.column_names)
    first = dict(zip(header, (cell for cell in sheet[2]), strict=True))
    assert first["interview_date"].value == datetime.fromisoformat(sample.iloc[0]["interview_date"])
    assert first["interview_date"].is_date
    references = [row[header.index("crime_reference")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert [r or "" for r in references] == sample["crime_reference"].tolist()
    sat = [row[header.index("sat_overall")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert all(v is None or isinstance(v, int) for v in sat) and any(isinstance(v, int) for v in sat)


# --------------------------------------------------------------------------- the demo set


def _csv_text(path: Path) -> str:
    """A delivered CSV's text: UTF-8 (with or without BOM), else Windows-1252."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def _read_ids(path: Path) -> list[str]:
    if path.suffix == ".xlsx":
        return [str(row[0]) for row in load_workbook(path).worksheets[0].iter_rows(min_row=2, values_only=True)]
    return [row[0] for row in list(csv.reader(io.StringIO(_csv_text(path), newline="")))[1:]]


def _as_text(value: object) -> str:
    if value is None:
        return ""
    return value.date().isoformat() if isinstance(value, datetime) else str(value)


def _read_delivery(path: Path) -> pd.DataFrame:
    """A delivery as text, whatever its format."""
    if path.suffix == ".xlsx":
        values = [[_as_text(v) for v in row] for row in load_workbook(path).worksheets[0].iter_rows(values_only=True)]
        return pd.DataFrame(values[1:], columns=values[0], dtype=str)
    return pd.read_csv(io.StringIO(_csv_text(path)), dtype=str, keep_default_na=False)


def test_demo_set_names_formats_and_bad_kinds(demo: list) -> None:
    names = [d.path.name for d in demo]
    assert all(BOOK.file_name_pattern.match(name) for name in names)
    assert len([d for d in demo if d.seq == 1]) == 12 and names[-1].endswith("_02.csv")
    assert any(name.endswith(".xlsx") for name in names)
    csv_bytes = [d.path.read_bytes() for d in demo if d.path.suffix == ".csv"]
    assert any(raw.startswith(b"\xef\xbb\xbf") for raw in csv_bytes)
    assert any(raw.split(b"\n", 1)[0].endswith(b"\r") for raw in csv_bytes)
    assert any(not raw.split(b"\n", 1)[0].endswith(b"\r") for raw in csv_bytes)

    def is_utf8(raw: bytes) -> bool:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True

    assert any(not is_utf8(raw) for raw in csv_bytes)  # the Windows-1252 month
    assert {e["kind"] for d in demo for e in d.bad_rows} == set(BAD_ROW_KINDS)
    assert all(1 <= len(d.bad_rows) <= 4 for d in demo if d.seq == 1)
    assert all(len(_read_ids(d.path)) == d.rows for d in demo)


def test_demo_ids_unique_apart_from_corrections_and_duplicates(demo: list) -> None:
    earlier: list[str] = []
    for delivery in demo[:-1]:
        ids = _read_ids(delivery.path)
        duplicated_rows = {e["row_number"] for e in delivery.bad_rows if e["kind"] == "duplicate_id"}
        earlier += [rid for number, rid in enumerate(ids, start=1) if number not in duplicated_rows]
    assert len(earlier) == len(set(earlier))
    redelivery = demo[-1]
    assert 4 <= len(redelivery.corrected_ids) <= 6
    assert set(redelivery.corrected_ids) <= set(earlier)
    new_ids = set(_read_ids(redelivery.path)) - set(redelivery.corrected_ids)
    assert new_ids and not new_ids & set(earlier)


def test_corrections_change_answers(demo: list) -> None:
    redelivery = _read_delivery(demo[-1].path).set_index("response_id")
    earlier = [_read_delivery(d.path) for d in demo[:-1]]
    before = pd.concat(earlier).drop_duplicates("response_id").set_index("response_id")
    compared = redelivery.index.intersection(before.index)
    assert len(compared) == len(demo[-1].corrected_ids)
    for rid in compared:
        assert not redelivery.loc[rid].equals(before.loc[rid])
    assert [found for found in violations(redelivery.reset_index()) if found] == []


def test_demo_is_deterministic(demo: list, tmp_path: Path) -> None:
    again = write_demo_deliveries(tmp_path, seed=7, today=TODAY)
    assert [d.path.read_bytes() for d in again] == [d.path.read_bytes() for d in demo]
    assert [(d.bad_rows, d.corrected_ids) for d in again] == [(d.bad_rows, d.corrected_ids) for d in demo]
