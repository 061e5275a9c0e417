"""What happened to one delivery file: the typed outcome every later step reads.

Loading produces it; the flow returns it; alerts, the run summary and the CLI read it.
Counts and reasons only, never row values.

Example::

    >>> outcome = DeliveryOutcome("VictimVoice_2024-05_01.csv", Status.LOADED, 170, rows_loaded=168)
    >>> outcome.status == Status.LOADED, outcome.status.value
    (True, 'LOADED')
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    """A processed file's status, as stored in ``audit.deliveries.status``."""

    LOADED = "LOADED"  # valid rows loaded (bad rows quarantined)
    REJECTED = "REJECTED"  # unusable as a whole: nothing loaded
    DUPLICATE = "DUPLICATE"  # byte-identical to a file already loaded: nothing loaded


@dataclass(frozen=True)
class DeliveryOutcome:
    """What happened to one file: counts and reasons only, never row values."""

    file_name: str
    status: Status
    rows_in_file: int | None
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_corrected: int = 0
    reason: str | None = None
    ignored_columns: tuple[str, ...] = ()

    @property
    def quarantined_share(self) -> float:
        """Share of the file's rows quarantined (0 when it had none)."""
        return self.rows_quarantined / self.rows_in_file if self.rows_in_file else 0.0
