"""The delivery contract as a pandera DataFrameModel, and row validation with reasons.

Validation works on text. :func:`normalise_text` trims cells, upper-cases codes and
turns blanks into missing values; the ``DataFrameModel`` that :func:`build_delivery_model`
builds from the codebook then checks every rule of the contract lazily, so every failure of
every row is reported; :func:`validate_rows` turns pandera's failure cases into one
quarantine entry per row and failed check, and types the rows that passed.

Check names read like the contract: ``required``, ``allowed_values``, ``pattern``,
``whole_number_in_range``, ``valid_date``, ``date_in_window``, ``max_length``,
``unique_in_file``, ``row_shape`` and the cross-field ``sat_court_needs_court``,
``outcome_needs_court``, ``charged_needs_charge_decision``,
``days_need_contact`` and ``answers_need_support``.

Example::

    >>> result = validate_rows(delivery.frame, run_date=date(2024, 1, 31))  # doctest: +SKIP
    >>> len(result.valid), len(result.quarantine)  # doctest: +SKIP
    (168, 3)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas.codebook import DATE, ENUM, INT, STRING, TEXT, Codebook, ColumnSpec, load_codebook

ISO_DATE = r"^(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})$"
UK_DATE = r"^(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})$"
CHECK_SEPARATOR = "::"  # dataframe-level check names are "<rule>::<column>"


# --------------------------------------------------------------------------- parsing


def parse_dates(values: pd.Series) -> pd.Series:
    """ISO ``YYYY-MM-DD`` or UK day-first ``DD/MM/YYYY`` text to datetime64; NaT if neither.

    >>> parse_dates(pd.Series(["2023-04-03", "03/04/2023", "31/02/2024"])).dt.day.tolist()
    [3.0, 3.0, nan]
    """
    distinct = pd.Series(values.dropna().unique(), dtype="str")  # a month's file holds few distinct dates
    parts = distinct.str.extract(ISO_DATE).astype("float64")
    uk = distinct.str.extract(UK_DATE).astype("float64")
    parts = parts.fillna(uk[["year", "month", "day"]])
    parsed = pd.to_datetime(parts[["year", "month", "day"]], errors="coerce")
    lookup = dict(zip(distinct.tolist(), parsed.tolist(), strict=True))
    return values.map(lookup).astype(parsed.dtype)


def canonical_whole_number(value: str) -> str:
    """A whole number written with leading zeros ("05") in its plain form ("5").

    >>> canonical_whole_number("007"), canonical_whole_number("0"), canonical_whole_number("2.5")
    ('7', '0', '2.5')
    """
    return (value.lstrip("0") or "0") if value.isdigit() else value


def cell_normaliser(spec: ColumnSpec) -> Callable[[str], str | None]:
    """How one column's cells are normalised: blank → None; codes trimmed and upper-cased."""
    if spec.type == TEXT:
        return lambda v: v if v.strip() else None
    if spec.is_code or spec.name == "response_id":
        return lambda v: v.strip().upper() or None
    if spec.type == INT:
        return lambda v: canonical_whole_number(v.strip()) or None
    return lambda v: v.strip() or None


def normalise_text(frame: pd.DataFrame, book: Codebook | None = None) -> pd.DataFrame:
    """Trim cells, upper-case codes and ids, blank → missing. Free text is kept as written.

    Each distinct value of a column is normalised once, in plain Python, and the results are
    spread back by position (coded columns hold a handful of distinct values; several times
    faster than chains of pandas string methods here).
    """
    book = book or load_codebook()
    out = {}
    for spec in book.columns:
        normalise = cell_normaliser(spec)
        codes, distinct = pd.factorize(frame[spec.name].array)  # a missing cell (code -1) stays missing
        out[spec.name] = pd.array([normalise(value) for value in distinct], dtype="str").take(codes, allow_fill=True)
    return pd.DataFrame(out, index=frame.index)


# --------------------------------------------------------------------------- the model


def _column_checks(spec: ColumnSpec, run_date: date, earliest: date) -> dict[str, Callable]:
    """Element rules of one column as pandera column-check functions, by check name."""
    checks: dict[str, Callable] = {}
    if spec.allowed:
        allowed = set(spec.allowed)
        checks["allowed_values"] = lambda cls, s: s.isna() | s.isin(allowed)
    if spec.pattern:
        pattern = spec.pattern
        checks["pattern"] = lambda cls, s: s.isna() | s.str.fullmatch(pattern.strip("^$")).fillna(False)
    if spec.type == INT and not spec.allowed:
        lo, hi = spec.min_value, spec.max_value

        def whole_number_in_range(cls, s: pd.Series) -> pd.Series:
            numbers = pd.to_numeric(s.where(s.str.fullmatch(r"\d+").fillna(False)), errors="coerce")
            return s.isna() | numbers.between(lo, hi)

        checks["whole_number_in_range"] = whole_number_in_range
    if spec.type == DATE:
        checks["valid_date"] = lambda cls, s: s.isna() | parse_dates(s).notna()

        def date_in_window(cls, s: pd.Series) -> pd.Series:
            parsed = parse_dates(s)
            inside = parsed.between(pd.Timestamp(earliest), pd.Timestamp(run_date))
            return s.isna() | parsed.isna() | inside

        checks["date_in_window"] = date_in_window
    if spec.max_length:
        limit = spec.max_length
        checks["max_length"] = lambda cls, s: s.isna() | (s.str.len() <= limit)
    if spec.unique:
        checks["unique_in_file"] = lambda cls, s: s.isna() | ~s.duplicated(keep="first")
    return checks


def _stage_rank(frame: pd.DataFrame, stages: tuple[str, ...]) -> pd.Series:
    """Position of journey_stage in the ordered stages (NaN when blank or unknown)."""
    return frame["journey_stage"].map({s: i for i, s in enumerate(stages)}).astype("float64")


def _cross_field_rules(book: Codebook) -> dict[str, Callable[[pd.DataFrame], pd.Series]]:
    """The contract's contradictions, as ``{"rule::column": frame -> bool Series (True = ok)}``."""
    stages = book.journey_stages
    court, charge = stages.index("COURT"), stages.index("CHARGE_DECISION")
    sat_court = set(book.column("sat_court").allowed)
    statuses = set(book.column(f"svc_{next(iter(book.services))}_status").allowed)

    def before(frame: pd.DataFrame, stage: int) -> pd.Series:
        return _stage_rank(frame, stages) < stage

    rules: dict[str, Callable[[pd.DataFrame], pd.Series]] = {
        "sat_court_needs_court::sat_court": lambda f: ~(f["sat_court"].isin(sat_court) & before(f, court)),
        "outcome_needs_court::case_outcome": lambda f: (
            ~(f["case_outcome"].isin(["CONVICTED", "NOT_CONVICTED"]) & before(f, court))
        ),
        "charged_needs_charge_decision::case_outcome": lambda f: (
            ~(f["case_outcome"].eq("CHARGED").fillna(False) & before(f, charge))
        ),
    }
    for service in book.services:
        cols = book.service_columns(service)

        def status_known(f: pd.DataFrame, status: str = cols["status"]) -> pd.Series:
            return f[status].isna() | f[status].isin(statuses)

        def days_ok(f: pd.DataFrame, c: dict = cols, known: Callable = status_known) -> pd.Series:
            contacted = f[c["status"]].isin(["CONTACTED", "SUPPORTED"])
            return ~(f[c["days"]].notna() & known(f) & ~contacted)

        rules[f"days_need_contact::{cols['days']}"] = days_ok
        for role in ("sat", "cope", "safer"):

            def answer_ok(f: pd.DataFrame, c: dict = cols, r: str = role, known: Callable = status_known) -> pd.Series:
                supported = f[c["status"]].eq("SUPPORTED").fillna(False)
                return ~(f[c[r]].notna() & known(f) & ~supported)

            rules[f"answers_need_support::{cols[role]}"] = answer_ok
    return rules


@cache
def build_delivery_model(run_date: date) -> type[pa.DataFrameModel]:
    """The ``DeliveryRows`` DataFrameModel for a run on ``run_date`` (the date window's end).

    Every codebook column is a nullable-unless-required ``str`` field with its element
    checks; the contradictions are dataframe checks named ``<rule>::<column>``.
    """
    book = load_codebook()
    attrs: dict[str, object] = {"__annotations__": {}}
    for spec in book.columns:
        attrs["__annotations__"][spec.name] = Series[str]
        attrs[spec.name] = pa.Field(nullable=not spec.required)
        for check_name, fn in _column_checks(spec, run_date, book.earliest_interview_date).items():
            attrs[f"_{spec.name}__{check_name}"] = pa.check(spec.name, name=check_name)(fn)
    for name, rule in _cross_field_rules(book).items():
        attrs[f"_{name.replace(CHECK_SEPARATOR, '__')}"] = pa.dataframe_check(name=name, ignore_na=False)(
            lambda cls, df, rule=rule: rule(df)
        )

    class Config:
        strict = False  # the reader has already kept only codebook columns
        coerce = False  # everything is text here; typing happens after validation

    attrs["Config"] = Config
    return type("DeliveryRows", (pa.DataFrameModel,), attrs)


# --------------------------------------------------------------------------- reasons


def _allowed_text(spec: ColumnSpec) -> str:
    return ", ".join(spec.allowed)


def describe_failure(spec: ColumnSpec, check: str, run_date: date, book: Codebook) -> str:
    """A reason a person can act on. It quotes only codebook values, never delivered data."""
    col = spec.name
    reasons = {
        "required": f"{col} is required but blank",
        "allowed_values": f"{col} is not one of the allowed values ({_allowed_text(spec)})",
        "pattern": f"{col} does not match the required pattern {spec.pattern}",
        "whole_number_in_range": f"{col} must be a whole number from {spec.min_value} to {spec.max_value}",
        "valid_date": f"{col} is not a valid date (expected YYYY-MM-DD or DD/MM/YYYY)",
        "date_in_window": (
            f"{col} must be between {book.earliest_interview_date.isoformat()} and the day of the run "
            f"({run_date.isoformat()})"
        ),
        "max_length": f"{col} is longer than {spec.max_length} characters",
        "unique_in_file": f"{col} repeats an earlier row of this file (the first is kept)",
        "sat_court_needs_court": "sat_court is answered but journey_stage is before COURT",
        "outcome_needs_court": "case_outcome is CONVICTED or NOT_CONVICTED but journey_stage is before COURT",
        "charged_needs_charge_decision": "case_outcome is CHARGED but journey_stage is before CHARGE_DECISION",
        "days_need_contact": f"{col} is given but {col.rsplit('_', 1)[0]}_status is not CONTACTED or SUPPORTED",
        "answers_need_support": f"{col} is given but {col.rsplit('_', 1)[0]}_status is not SUPPORTED",
    }
    return reasons[check]


def _with_context(reason: str, check: str, column: str, row: pd.Series, first_row: int | None = None) -> str:
    """Add the codebook values that explain a contradiction (codes, never free text)."""
    if check in {"sat_court_needs_court", "outcome_needs_court", "charged_needs_charge_decision"}:
        return f"{reason} (journey_stage is {row['journey_stage']})"
    if check == "unique_in_file":
        return f"{column} repeats row {first_row} of this file (the first is kept)"
    if check in {"days_need_contact", "answers_need_support"}:
        status = row[f"{column.rsplit('_', 1)[0]}_status"]
        return f"{reason} (status is {'blank' if pd.isna(status) else status})"
    return reason


# --------------------------------------------------------------------------- validation


@dataclass(frozen=True)
class ValidationResult:
    """Rows that passed (typed) and one quarantine entry per failed row and check."""

    valid: pd.DataFrame  # typed codebook columns + row_number
    quarantine: pd.DataFrame  # row_number, response_id, column_name, check_name, reason
    rows_in: int

    @property
    def rows_quarantined(self) -> int:
        return int(self.quarantine["row_number"].nunique()) if len(self.quarantine) else 0


QUARANTINE_COLUMNS = ["row_number", "response_id", "column_name", "check_name", "reason"]


def collect_failures(text: pd.DataFrame, run_date: date, row_shapes: list[str | None] | None = None) -> pd.DataFrame:
    """Every failed check of every row: ``index, column, check`` (no values)."""
    model = build_delivery_model(run_date)
    failures: list[pd.DataFrame] = []
    try:
        model.validate(text, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        cases = cases[cases["index"].notna()].copy()
        cases["check"] = cases["check"].astype("str").replace({"not_nullable": "required"})
        split = cases["check"].str.partition(CHECK_SEPARATOR)
        is_frame_check = split[1] == CHECK_SEPARATOR
        cases["column"] = cases["column"].where(~is_frame_check, split[2])
        cases["check"] = split[0]
        failures.append(cases[["index", "column", "check"]])
    misfits = [(i, shape) for i, shape in zip(text.index, row_shapes or [], strict=False) if shape]
    if misfits:
        failures.append(pd.DataFrame({"index": [i for i, _ in misfits], "column": None, "check": "row_shape"}))
    if not failures:
        return pd.DataFrame(columns=["index", "column", "check"])
    out = pd.concat(failures, ignore_index=True)
    out["index"] = out["index"].astype("int64")
    return out.drop_duplicates().sort_values(["index", "column", "check"], na_position="first")


ROW_SHAPE_REASONS = {
    "long": "the row has more cells than the header (an unquoted comma?); its values cannot be trusted",
    "short": "the row has fewer cells than the header (cut short, or a line break out of place?)",
}


def build_quarantine(
    failures: pd.DataFrame,
    text: pd.DataFrame,
    row_numbers: list[int],
    run_date: date,
    row_shapes: list[str | None] | None = None,
) -> pd.DataFrame:
    """One quarantine row per failed row and check, with an actionable reason."""
    book = load_codebook()
    pattern = book.column("response_id").pattern or ""
    numbers = pd.Series(row_numbers, index=text.index)
    first_rows = numbers.groupby(text["response_id"]).min().to_dict()
    records = []
    for index, column, check in failures.itertuples(index=False):
        row = text.loc[index]
        if check == "row_shape":
            reason = ROW_SHAPE_REASONS[row_shapes[text.index.get_loc(index)]]
        else:
            reason = describe_failure(book.column(column), check, run_date, book)
            reason = _with_context(reason, check, column, row, first_rows.get(row["response_id"]))
        response_id = row["response_id"]
        valid_id = isinstance(response_id, str) and pd.Series([response_id]).str.fullmatch(pattern.strip("^$"))[0]
        records.append((int(numbers[index]), response_id if valid_id else None, column, check, reason))
    return pd.DataFrame.from_records(records, columns=QUARANTINE_COLUMNS)


def type_rows(text: pd.DataFrame, book: Codebook | None = None) -> pd.DataFrame:
    """Validated text rows to typed columns: dates, nullable integers, codes as text."""
    book = book or load_codebook()
    typed = {}
    for spec in book.columns:
        column = text[spec.name]
        if spec.type == DATE:
            typed[spec.name] = parse_dates(column).dt.date
        elif spec.type == INT:
            typed[spec.name] = pd.to_numeric(column, errors="raise").astype("Int64")
        elif spec.type in (ENUM, STRING, TEXT):
            typed[spec.name] = column
    return pd.DataFrame(typed, index=text.index)


def validate_rows(
    frame: pd.DataFrame,
    run_date: date,
    row_numbers: list[int] | None = None,
    row_shapes: list[str | None] | None = None,
) -> ValidationResult:
    """Validate a delivery's text frame against the contract.

    Returns the typed valid rows (with ``row_number``) and the quarantine entries.
    Every input row ends up in exactly one of the two.
    """
    frame = frame.reset_index(drop=True)
    row_numbers = row_numbers or list(range(1, len(frame) + 1))
    text = normalise_text(frame)
    failures = collect_failures(text, run_date, row_shapes)
    bad = failures["index"].unique()
    quarantine = build_quarantine(failures, text, row_numbers, run_date, row_shapes)
    good = text.drop(index=bad)
    valid = type_rows(good)
    valid.insert(0, "row_number", np.asarray(row_numbers, dtype="int64")[good.index.to_numpy()])
    return ValidationResult(valid=valid.reset_index(drop=True), quarantine=quarantine, rows_in=len(frame))
