"""Sets of deliveries: a year for ``make demo`` with corrections and re-deliveries
(:func:`write_demo_deliveries`), and large ones for the benchmarks (:func:`write_scale_deliveries`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from schemas.codebook import Codebook, load_codebook
from victim_voice.demo.bad_rows import BAD_ROW_KINDS, plant_bad_rows
from victim_voice.demo.distributions import (
    CONVICTION_RIGHT,
    CORRECTIONS_PER_REDELIVERY,
    COURT_RIGHTS,
    DEMO_FIRST_ID,
    DEMO_MESSY_SHARE,
    MAX_RESPONSE_NUMBER,
    NEW_ROWS_PER_REDELIVERY,
    OUTCOME_BY_STAGE,
    SCALE_BAD_SHARE,
    SCALE_FIRST_ID,
)
from victim_voice.demo.files import write_delivery
from victim_voice.demo.rows import generate_rows, make_messy
from victim_voice.demo.sampling import _periods_before, _share_vector


@dataclass(frozen=True)
class DeliveryManifest:
    """What was written in one delivery file, and what a loader should make of it."""

    path: Path
    period: str
    seq: int
    rows: int
    bad_rows: list[dict[str, object]]
    corrected_ids: list[str]


@dataclass(frozen=True)
class _FileFormat:
    """How one delivery is written."""

    extension: str = "csv"
    encoding: str = "utf-8"
    bom: bool = False
    line_ending: str = "\r\n"

    def write(self, df: pd.DataFrame, path: Path) -> Path:
        """Write ``df`` to ``path`` in this format."""
        if self.extension == "xlsx":
            return write_delivery(df, path)
        return write_delivery(df, path, encoding=self.encoding, bom=self.bom, line_ending=self.line_ending)


def delivery_name(period: str, seq: int, extension: str = "csv") -> str:
    """``VictimVoice_<YYYY-MM>_<NN>.<ext>``."""
    if not 1 <= seq <= 99:
        raise ValueError(f"delivery sequence must be 1..99, got {seq}")
    return f"VictimVoice_{period}_{seq:02d}.{extension}"


def _demo_formats(months: int) -> list[_FileFormat]:
    """Mostly UTF-8 CSV (BOM every third month, LF every other); one XLSX; the last month cp1252."""
    formats = [_FileFormat(bom=i % 3 == 1, line_ending="\n" if i % 2 else "\r\n") for i in range(months)]
    if months > 1:
        formats[-1] = _FileFormat(encoding="cp1252")
    formats[(months - 1) // 2] = _FileFormat(extension="xlsx")
    return formats


def _spread_bad_kinds(months: int, rng: np.random.Generator) -> list[list[str]]:
    """Every kind in some month (round robin, shuffled) plus one or two random extras per month."""
    order = [BAD_ROW_KINDS[i] for i in rng.permutation(len(BAD_ROW_KINDS))]
    plan = [order[index::months] for index in range(months)]
    for kinds in plan:
        spare = [k for k in BAD_ROW_KINDS if k not in kinds]
        extra = int(rng.integers(1, 3))
        kinds.extend(spare[i] for i in rng.choice(len(spare), size=min(extra, len(spare)), replace=False))
    return plan


def _correctable(clean: pd.DataFrame, delivered: pd.DataFrame, bad_rows: Sequence[Mapping]) -> pd.DataFrame:
    """Clean rows that were delivered unchanged (not messy, not bad, id not reused)."""
    unchanged = (clean.to_numpy() == delivered.to_numpy()).all(axis=1)
    bad_ids = {entry["response_id"] for entry in bad_rows}
    return clean[unchanged & ~clean["response_id"].isin(bad_ids).to_numpy()]


def _amend_response(record: dict[str, str], rng: np.random.Generator, book: Codebook) -> dict[str, str]:
    """A supplier's correction of one response: case moved on, satisfaction re-asked, contact made."""
    stages = book.journey_stages
    stage = stages.index(record["journey_stage"])
    court = stages.index("COURT")
    if stage + 1 < len(stages):
        stage += 1
        record["journey_stage"] = stages[stage]
        shares = OUTCOME_BY_STAGE[stages[stage]]
        record["case_outcome"] = str(rng.choice(list(shares), p=_share_vector(list(shares), shares)))
        if stage >= court:
            record["sat_court"] = record["sat_court"] or str(int(rng.integers(1, 8)))
            for right in COURT_RIGHTS:
                record[right] = "Y" if rng.random() < 0.6 else "N"
            if record["case_outcome"] != "CONVICTED":
                record[CONVICTION_RIGHT] = "NA"
    for column in ("sat_informed", "sat_overall"):
        choices = [str(s) for s in range(1, 8) if str(s) != record[column]]
        record[column] = choices[int(rng.integers(len(choices)))]
    for service in book.services:
        names = book.service_columns(service)
        if record[names["status"]] == "REFERRED":
            record[names["status"]] = "CONTACTED"
            record[names["days"]] = str(int(rng.integers(3, 30)))
    return record


def _corrections(history: pd.DataFrame, rng: np.random.Generator, book: Codebook) -> pd.DataFrame:
    """About five earlier responses, re-delivered with changed answers."""
    count = min(len(history), int(rng.integers(*CORRECTIONS_PER_REDELIVERY)))
    chosen = history.iloc[np.sort(rng.choice(len(history), size=count, replace=False))]
    amended = [_amend_response(dict(row), rng, book) for row in chosen.to_dict("records")]
    return pd.DataFrame(amended, columns=history.columns, dtype=object)


def _months_available(today: date, book: Codebook) -> int:
    """Whole months from the earliest interview month up to (not including) today's month."""
    earliest = book.earliest_interview_date
    return (today.year - earliest.year) * 12 + today.month - earliest.month


def _check_months_fit(months: int, today: date, book: Codebook) -> None:
    """Refuse a demo that would need months before the contract's earliest interview date."""
    available = _months_available(today, book)
    if not 1 <= months <= available:
        raise ValueError(f"months must be 1..{available} (from {book.earliest_interview_date:%Y-%m} to last month)")


def write_demo_deliveries(
    landing: Path, *, months: int = 12, rows_per_month: int = 170, seed: int = 7, today: date | None = None
) -> list[DeliveryManifest]:
    """A year (by default) of demo deliveries in ``landing``, with bad rows, messy rows and a re-delivery.

    Months are the ``months`` calendar months ending with the month before ``today``.
    Formats: UTF-8 CSV (some with BOM, CRLF or LF), one XLSX month, the last month's
    ``_01`` in Windows-1252. About 3% of rows are messy-but-valid; each ``_01`` holds a
    few bad rows and every kind in BAD_ROW_KINDS appears at least once. The last month
    also gets a clean ``_02`` re-delivering ~5 earlier responses with changed answers
    (its ``corrected_ids``) plus a few new responses. Deterministic for (seed, today).
    """
    book = load_codebook()
    today = today or date.today()
    _check_months_fit(months, today, book)
    periods = _periods_before(today, months)
    formats = _demo_formats(months)
    kinds_by_month = _spread_bad_kinds(months, np.random.default_rng([seed, 0]))
    landing = Path(landing)
    next_id = DEMO_FIRST_ID
    manifests: list[DeliveryManifest] = []
    history: list[pd.DataFrame] = []
    for index, (period, file_format) in enumerate(zip(periods, formats, strict=True)):
        rng = np.random.default_rng([seed, 1, index])
        clean = generate_rows(rows_per_month, period, rng, next_id, today=today)
        next_id += rows_per_month
        delivered, bad_rows = plant_bad_rows(
            make_messy(clean, rng, DEMO_MESSY_SHARE), rng, kinds_by_month[index], today=today
        )
        path = file_format.write(delivered, landing / delivery_name(period, 1, file_format.extension))
        manifests.append(DeliveryManifest(path, period, 1, len(delivered), bad_rows, []))
        history.append(_correctable(clean, delivered, bad_rows))
    rng = np.random.default_rng([seed, 2])
    corrections = _corrections(pd.concat(history, ignore_index=True), rng, book)
    fresh = generate_rows(NEW_ROWS_PER_REDELIVERY, periods[-1], rng, next_id, today=today, short_quota=None)
    redelivery = pd.concat([corrections, fresh], ignore_index=True)
    path = write_delivery(redelivery, landing / delivery_name(periods[-1], 2))
    manifests.append(DeliveryManifest(path, periods[-1], 2, len(redelivery), [], corrections["response_id"].tolist()))
    return manifests


def write_scale_deliveries(
    landing: Path, *, files: int, rows_per_file: int, seed: int, today: date | None = None
) -> list[Path]:
    """Large UTF-8 CSV deliveries for benchmarks: valid rows, ~3% messy, ~0.2% bad (every kind).

    Files take the months before ``today`` (most recent first, back to the earliest
    allowed month); when there are more files than months, sequence numbers go up.
    Response ids are unique across all files apart from the planted duplicates.
    """
    book = load_codebook()
    today = today or date.today()
    periods = _periods_before(today, max(1, min(files, _months_available(today, book))))[::-1]
    if SCALE_FIRST_ID + files * rows_per_file - 1 > MAX_RESPONSE_NUMBER:
        raise ValueError("too many rows for 8-digit response ids")
    repeats = max(1, round(rows_per_file * SCALE_BAD_SHARE / len(BAD_ROW_KINDS)))
    kinds = list(BAD_ROW_KINDS * repeats)[: max(0, rows_per_file - 2)]
    paths = []
    for index in range(files):
        rng = np.random.default_rng([seed, 3, index])
        period, seq = periods[index % len(periods)], 1 + index // len(periods)
        rows = generate_rows(rows_per_file, period, rng, SCALE_FIRST_ID + index * rows_per_file, today=today)
        delivered, _ = plant_bad_rows(make_messy(rows, rng, DEMO_MESSY_SHARE), rng, kinds, today=today)
        paths.append(write_delivery(delivered, Path(landing) / delivery_name(period, seq)))
    return paths
