"""Invalid rows planted on purpose, one per requested kind of contract breach, with a
manifest saying what was planted where (:func:`plant_bad_rows`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from schemas.codebook import Codebook, load_codebook
from victim_voice.demo.comments import POLICE_TEMPLATES, _digits, _render_comment
from victim_voice.demo.distributions import _T, BLANK, COMMENT_MAX_LENGTH

BAD_ROW_KINDS: tuple[str, ...] = (
    "missing_required",
    "not_allowed",
    "bad_pattern",
    "out_of_range",
    "bad_date",
    "date_out_of_window",
    "duplicate_id",
    "sat_court_before_court",
    "outcome_before_stage",
    "days_without_contact",
    "answers_without_support",
    "comment_too_long",
)


MISSING_REQUIRED_COLUMNS = (
    "mode",
    "status",
    "consent_share_comments",
    "area",
    "crime_group",
    "domestic_abuse",
    "hate_crime",
)


NOT_ALLOWED_VALUES = (
    ("mode", "TELEPHONE"),
    ("area", "BATH"),
    ("gender", "F"),
    ("repeat_victim", "MAYBE"),
    ("ethnic_group", "WHITE BRITISH"),
    ("vcop_05", "YES"),
    ("status", "COMPLETED"),
)


BAD_DATES = ("31/02/{year}", "{year}-02-30", "{year}-13-05", "00/05/{year}")


POLICE_ITEMS = ("sat_contact", "sat_actions", "sat_informed", "sat_treatment", "sat_overall")


EARLY_STAGES = ("REPORTED", "INVESTIGATION", "CHARGE_DECISION")


@dataclass
class _Planting:
    """Everything a planting function needs: the frame, the row, the randomness, the contract."""

    frame: pd.DataFrame
    label: object
    rng: np.random.Generator
    book: Codebook
    today: date

    def set(self, column: str, value: str) -> None:
        """Overwrite one value of the row."""
        self.frame.at[self.label, column] = value

    def get(self, column: str) -> str:
        """One value of the row."""
        return self.frame.at[self.label, column]

    def pick(self, options: Sequence[_T]) -> _T:
        """One of ``options``, at random."""
        return options[int(self.rng.integers(len(options)))]

    def clear_service(self, service: str) -> dict[str, str]:
        """Blank one service's answers and return its column names."""
        names = self.book.service_columns(service)
        for name in names.values():
            self.set(name, BLANK)
        return names


def _plant_missing_required(p: _Planting) -> str:
    """Blank one required column (not the id, date, stage or outcome the other rules read)."""
    column = p.pick(MISSING_REQUIRED_COLUMNS)
    p.set(column, BLANK)
    return column


def _plant_not_allowed(p: _Planting) -> str:
    """A code outside its allowed set, e.g. mode TELEPHONE."""
    column, value = p.pick(NOT_ALLOWED_VALUES)
    p.set(column, value)
    return column


def _plant_bad_pattern(p: _Planting) -> str:
    """A response_id missing one V, or a crime_reference with 10 digits or a 44 prefix."""
    variant = int(p.rng.integers(3))
    if variant == 0:
        p.set("response_id", p.get("response_id")[1:])  # "V1000..." : still unique, no longer a pattern match
        return "response_id"
    p.set("crime_reference", "54" + _digits(p.rng, 8) if variant == 1 else "44" + _digits(p.rng, 9))
    return "crime_reference"


def _plant_out_of_range(p: _Planting) -> str:
    """Days to contact of 400 (with status CONTACTED) or a police satisfaction of 10."""
    if p.rng.random() < 0.5:
        names = p.clear_service(p.pick(tuple(p.book.services)))
        p.set(names["status"], "CONTACTED")
        p.set(names["days"], "400")
        return names["days"]
    column = p.pick(POLICE_ITEMS)
    p.set(column, "10")
    return column


def _plant_bad_date(p: _Planting) -> str:
    """An interview date that does not exist, e.g. 31/02/2024."""
    p.set("interview_date", p.pick(BAD_DATES).format(year=p.today.year))
    return "interview_date"


def _plant_date_out_of_window(p: _Planting) -> str:
    """A real ISO date before the earliest interview date or ten years after today."""
    earliest = p.book.earliest_interview_date
    if p.rng.random() < 0.5:
        when = earliest - timedelta(days=int(p.rng.integers(1, 400)))
    else:
        when = date(p.today.year + 10, int(p.rng.integers(1, 13)), int(p.rng.integers(1, 29)))
    p.set("interview_date", when.isoformat())
    return "interview_date"


def _plant_sat_court_before_court(p: _Planting) -> str:
    """A court satisfaction answer on a case not yet at court (outcome ONGOING)."""
    p.set("journey_stage", p.pick(EARLY_STAGES))
    p.set("case_outcome", "ONGOING")
    p.set("sat_court", str(int(p.rng.integers(1, 8))))
    return "sat_court"


def _plant_outcome_before_stage(p: _Planting) -> str:
    """CONVICTED/NOT_CONVICTED before COURT, or CHARGED before CHARGE_DECISION."""
    if p.rng.random() < 0.5:
        p.set("journey_stage", p.pick(EARLY_STAGES))
        p.set("case_outcome", p.pick(("CONVICTED", "NOT_CONVICTED")))
    else:
        p.set("journey_stage", p.pick(EARLY_STAGES[:2]))
        p.set("case_outcome", "CHARGED")
    p.set("sat_court", BLANK)
    return "case_outcome"


def _plant_days_without_contact(p: _Planting) -> str:
    """Days to first contact on a service that was only REFERRED."""
    names = p.clear_service(p.pick(tuple(p.book.services)))
    p.set(names["status"], "REFERRED")
    p.set(names["days"], str(int(p.rng.integers(1, 30))))
    return names["days"]


def _plant_answers_without_support(p: _Planting) -> str:
    """A service satisfaction (1..5) on a service only CONTACTED (with valid days)."""
    names = p.clear_service(p.pick(tuple(p.book.services)))
    p.set(names["status"], "CONTACTED")
    p.set(names["days"], str(int(p.rng.integers(0, 10))))
    p.set(names["sat"], str(int(p.rng.integers(1, 6))))  # the only answer, so one failed check
    return names["sat"]


def long_comment(rng: np.random.Generator, min_length: int = COMMENT_MAX_LENGTH + 1) -> str:
    """A rambling police comment of at least ``min_length`` characters."""
    parts: list[str] = []
    length = 0
    while length < min_length:
        part = _render_comment(POLICE_TEMPLATES["negative"] + POLICE_TEMPLATES["mixed"], rng)
        parts.append(part)
        length += len(part) + 1
    return " ".join(parts)


def _plant_comment_too_long(p: _Planting) -> str:
    """A police comment just over the maximum length."""
    p.set("comment_police", long_comment(p.rng))
    return "comment_police"


PLANTERS: dict[str, Callable[[_Planting], str]] = {
    "missing_required": _plant_missing_required,
    "not_allowed": _plant_not_allowed,
    "bad_pattern": _plant_bad_pattern,
    "out_of_range": _plant_out_of_range,
    "bad_date": _plant_bad_date,
    "date_out_of_window": _plant_date_out_of_window,
    "sat_court_before_court": _plant_sat_court_before_court,
    "outcome_before_stage": _plant_outcome_before_stage,
    "days_without_contact": _plant_days_without_contact,
    "answers_without_support": _plant_answers_without_support,
    "comment_too_long": _plant_comment_too_long,
}


def _duplicate_source(target: int, bad: set[int], rng: np.random.Generator) -> int:
    """An earlier row, not itself bad, whose response_id a duplicate will copy."""
    for _ in range(20):  # bad rows are rare: a few random tries almost always succeed
        source = int(rng.integers(target)) if target else 0
        if target and source not in bad:
            return source
    candidates = [row for row in range(target) if row not in bad]
    if not len(candidates):
        raise ValueError("no earlier valid row to duplicate")
    return int(candidates[rng.integers(len(candidates))])


def plant_bad_rows(
    df: pd.DataFrame, rng: np.random.Generator, kinds: Sequence[str] = BAD_ROW_KINDS, *, today: date | None = None
) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """Make one row invalid per entry of ``kinds`` (repeats allowed); return the frame and a manifest.

    Each planted row breaks exactly one rule of the contract, so a validator should
    quarantine exactly these rows. Manifest entries, ordered by row:
    ``{"row_number": 1-based data row, "response_id": its id after planting,
    "kind": one of BAD_ROW_KINDS, "column": the column planted}``.
    ``today`` (default the real today) places the "after today" dates.
    """
    unknown = set(kinds) - set(BAD_ROW_KINDS)
    if unknown:
        raise ValueError(f"unknown bad-row kinds: {sorted(unknown)}")
    if len(kinds) >= len(df):
        raise ValueError(f"{len(kinds)} bad rows need more than {len(df)} rows")
    book = load_codebook()
    today = today or date.today()
    frame = df.copy()
    # row 1 is never planted, so a duplicate always has an earlier valid row to copy
    targets = np.sort(rng.choice(len(frame) - 1, size=len(kinds), replace=False) + 1)
    duplicates = [k for k in kinds if k == "duplicate_id"]
    others = [kinds[i] for i in rng.permutation(len(kinds)) if kinds[i] != "duplicate_id"]
    # duplicates go on the latest chosen rows, so an earlier valid row is there to copy
    assignment = list(zip(targets, others + duplicates, strict=True))
    bad = {int(t) for t in targets}
    columns: dict[int, str] = {}
    for target, kind in assignment:
        if kind == "duplicate_id":
            source = _duplicate_source(int(target), bad, rng)
            frame.iat[int(target), frame.columns.get_loc("response_id")] = frame.iat[
                source, frame.columns.get_loc("response_id")
            ]
            columns[int(target)] = "response_id"
        else:
            columns[int(target)] = PLANTERS[kind](_Planting(frame, frame.index[target], rng, book, today))
    manifest = [
        {
            "row_number": int(t) + 1,
            "response_id": frame.iat[int(t), frame.columns.get_loc("response_id")],
            "kind": kind,
            "column": columns[int(t)],
        }
        for t, kind in assignment
    ]
    return frame, sorted(manifest, key=lambda entry: entry["row_number"])
