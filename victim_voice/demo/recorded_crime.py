"""The force's monthly recorded-crime counts for the demo: a force of Wiltshire's size.

About 3,400 victims a month (Wiltshire Police records some 45,000 crimes a year), mostly
violence, theft and criminal damage; rape and other sexual offences about 3% of victims
(against about 14% of the survey's quota sample), domestic abuse within the violence groups.
Deterministic for a seed. The last month also gets a ``_02`` correction, as the force sends
when a month's figures are revised.

Example::

    >>> paths = write_recorded_crime(Path("landing"), ["2024-04", "2024-05"])  # doctest: +SKIP
    >>> [p.name for p in paths]  # doctest: +SKIP
    ['RecordedCrime_2024-04_01.csv', 'RecordedCrime_2024-05_01.csv', 'RecordedCrime_2024-05_02.csv']
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

VICTIMS_PER_MONTH = 3_400
# Share of the force's recorded victims by crime group (the Home Office's recorded-crime mix
# for a largely rural force, rounded).
POPULATION_SHARE = {
    "VIOLENCE_WITH_INJURY": 0.10,
    "VIOLENCE_WITHOUT_INJURY": 0.15,
    "STALKING_HARASSMENT": 0.13,
    "RAPE": 0.012,
    "OTHER_SEXUAL_OFFENCE": 0.018,
    "ROBBERY": 0.008,
    "BURGLARY_RESIDENTIAL": 0.04,
    "VEHICLE_CRIME": 0.07,
    "THEFT": 0.21,
    "CRIMINAL_DAMAGE": 0.13,
    "FRAUD": 0.05,
    "OTHER": 0.082,
}
AREA_POPULATION_SHARE = {"WILTSHIRE": 0.60, "SWINDON": 0.40}


def counts_name(month: str, seq: int) -> str:
    """``RecordedCrime_<YYYY-MM>_<NN>.csv``."""
    return f"RecordedCrime_{month}_{seq:02d}.csv"


def monthly_counts(month: str, rng: np.random.Generator) -> list[tuple[str, str, str, int]]:
    """(month, area, crime_group, victims) for every area and crime group: Poisson around
    the force's mix, a little higher in summer."""
    season = 1 + 0.08 * np.cos((int(month[5:]) - 7) / 12 * 2 * np.pi)
    return [
        (month, area, group, int(rng.poisson(VICTIMS_PER_MONTH * season * area_share * share)))
        for area, area_share in AREA_POPULATION_SHARE.items()
        for group, share in POPULATION_SHARE.items()
    ]


def write_counts_file(path: Path, rows: Sequence[tuple[str, str, str, int]]) -> Path:
    """Write the force's CSV: a header, one row per area and crime group (CRLF, UTF-8)."""
    lines = ["month,area,crime_group,victims", *(",".join(map(str, row)) for row in rows)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def write_recorded_crime(landing: Path, months: Sequence[str], seed: int = 7) -> list[Path]:
    """One counts file per month in ``landing``, and a correction (``_02``) of the last month."""
    paths = []
    for index, month in enumerate(months):
        rows = monthly_counts(month, np.random.default_rng([seed, 3, index]))
        paths.append(write_counts_file(landing / counts_name(month, 1), rows))
    if months:
        revised = [(m, a, g, v + (2 if g == "THEFT" else 0)) for m, a, g, v in rows]  # late-recorded thefts
        paths.append(write_counts_file(landing / counts_name(months[-1], 2), revised))
    return paths
