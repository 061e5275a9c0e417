"""The force's recorded-crime counts file as a pandera DataFrameModel, and its row validation.

One row per (area, crime_group) of one month: ``month`` (``YYYY-MM``, the file name's month),
``area`` and ``crime_group`` (codebook codes) and ``victims`` (a whole number ≥ 0). Like the
supplier's deliveries, validation works on text and names each check after the rule it
enforces: ``required``, ``same_month_as_file``, ``allowed_values``, ``whole_number`` and
``unique_in_file`` (a repeated area and crime group).

Example::

    >>> frame = pd.DataFrame({"month": ["2024-05"], "area": ["SWINDON"], "crime_group": ["THEFT"],
    ...                       "victims": ["12"]})
    >>> result = validate_counts(frame, "2024-05")
    >>> result.valid[["area", "crime_group", "victims"]].values.tolist(), len(result.quarantine)
    ([['SWINDON', 'THEFT', 12]], 0)
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas.codebook import COUNTS_FILE_NAME_PATTERN, load_codebook

COLUMNS = ("month", "area", "crime_group", "victims")
FILE_NAME_PATTERN = COUNTS_FILE_NAME_PATTERN
QUARANTINE_COLUMNS = ["row_number", "response_id", "column_name", "check_name", "reason"]
MAX_VICTIMS = 1_000_000  # a month's victims in one area and crime group; more is a typing slip


def build_counts_model(month: str) -> type[pa.DataFrameModel]:
    """The ``RecordedCrimeRows`` model for a file of ``month``: every column required text."""
    book = load_codebook()
    areas, groups = set(book.enums["area"]), set(book.enums["crime_group"])

    class RecordedCrimeRows(pa.DataFrameModel):
        month: Series[str] = pa.Field(nullable=False)
        area: Series[str] = pa.Field(nullable=False)
        crime_group: Series[str] = pa.Field(nullable=False)
        victims: Series[str] = pa.Field(nullable=False)

        @pa.check("month", name="same_month_as_file")
        def _month_same_as_file(cls, s: pd.Series) -> pd.Series:
            return s.isna() | (s == month)

        @pa.check("area", name="allowed_values")
        def _area_allowed(cls, s: pd.Series) -> pd.Series:
            return s.isna() | s.isin(areas)

        @pa.check("crime_group", name="allowed_values")
        def _crime_group_allowed(cls, s: pd.Series) -> pd.Series:
            return s.isna() | s.isin(groups)

        @pa.check("victims", name="whole_number")
        def _victims_whole(cls, s: pd.Series) -> pd.Series:
            numbers = pd.to_numeric(s.where(s.str.fullmatch(r"[0-9]{1,7}").fillna(False)), errors="coerce")
            return s.isna() | numbers.between(0, MAX_VICTIMS)

        @pa.dataframe_check(name="unique_in_file")
        def _one_row_per_stratum(cls, df: pd.DataFrame) -> pd.Series:
            key = df[["area", "crime_group"]]
            return key.isna().any(axis=1) | ~key.duplicated(keep="first")

        class Config:
            strict = False
            coerce = False

    return RecordedCrimeRows


def describe_count_failure(column: str, check: str, month: str) -> str:
    """A reason a person can act on; it quotes only the contract, never the delivered values."""
    book = load_codebook()
    reasons = {
        "required": f"{column} is required but blank",
        "same_month_as_file": f"month must be {month}, the month in the file's name",
        "allowed_values": f"{column} is not one of the allowed values ({', '.join(book.enums.get(column, []))})",
        "whole_number": f"victims must be a whole number from 0 to {MAX_VICTIMS:,}",
        "unique_in_file": "area and crime_group repeat an earlier row of this file (the first is kept)",
    }
    return reasons[check]


@dataclass(frozen=True)
class CountsValidation:
    """Typed valid rows (row_number, month, area, crime_group, victims) and one quarantine
    entry per failed row and check (as audit.quarantine, less file and delivery)."""

    valid: pd.DataFrame
    quarantine: pd.DataFrame
    rows_in: int

    @property
    def rows_quarantined(self) -> int:
        return int(self.quarantine["row_number"].nunique()) if len(self.quarantine) else 0


def normalise_counts_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells trimmed, codes upper-cased, blanks missing."""
    text = frame.apply(lambda s: s.str.strip()).replace("", pd.NA).astype("object")
    for column in ("area", "crime_group"):
        text[column] = text[column].str.upper()
    return text.where(text.notna(), None)


def count_failures(text: pd.DataFrame, month: str) -> pd.DataFrame:
    """Every failed check of every row: ``index, column, check``."""
    try:
        build_counts_model(month).validate(text, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        cases = cases[cases["index"].notna()].copy()
        cases["check"] = cases["check"].astype("str").replace({"not_nullable": "required"})
        frame_level = cases["check"] == "unique_in_file"
        cases["column"] = cases["column"].where(~frame_level, "crime_group")
        out = cases[["index", "column", "check"]].drop_duplicates()
        out["index"] = out["index"].astype("int64")
        return out.sort_values(["index", "column", "check"])
    return pd.DataFrame({"index": pd.Series(dtype="int64"), "column": [], "check": []})


def validate_counts(frame: pd.DataFrame, month: str, row_numbers: list[int] | None = None) -> CountsValidation:
    """Validate a counts file's text frame (the four columns, all ``str``) for ``month``:
    every input row ends valid or quarantined."""
    frame = frame.reset_index(drop=True)
    numbers = pd.Series(row_numbers or range(1, len(frame) + 1), index=frame.index, dtype="int64")
    text = normalise_counts_text(frame[list(COLUMNS)])
    failures = count_failures(text, month)
    quarantine = pd.DataFrame(
        [
            (int(numbers[i]), None, column, check, describe_count_failure(column, check, month))
            for i, column, check in failures.itertuples(index=False)
        ],
        columns=QUARANTINE_COLUMNS,
    )
    good = text.drop(index=failures["index"].unique())
    valid = good.assign(victims=pd.to_numeric(good["victims"]).astype("int64"), row_number=numbers[good.index])
    valid = valid[["row_number", *COLUMNS]].reset_index(drop=True)
    return CountsValidation(valid=valid, quarantine=quarantine, rows_in=len(frame))
