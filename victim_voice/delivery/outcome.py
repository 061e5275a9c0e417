"""What happened to one delivery file: the typed outcome every later step reads.

Loading produces it; the flow returns it; alerts, the run summary and the CLI read it.
Counts and reasons only, never row values.

Example::

    >>> outcome = DeliveryOutcome("VictimVoice_2024-05_01.csv", Status.LOADED, 170, rows_loaded=168)
    >>> outcome.status is Status.LOADED, outcome.status.value, outcome.status == "LOADED"
    (True, 'LOADED', False)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from victim_voice.delivery.files import log_name


class Status(Enum):
    """A processed file's status; its value is what ``audit.deliveries.status`` stores. Not a
    string: comparing it with one is always False, so no code can compare statuses as text."""

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
    delivery_id: int | None = None  # its row of audit.deliveries; None when not recorded (unreadable now)

    @property
    def note(self) -> str:
        """The reason, with a misnamed file's name (it could say anything) replaced by its label.

        >>> DeliveryOutcome("Jane Smith.csv", Status.REJECTED, None, reason="Jane Smith.csv is misnamed").note
        '(a misnamed file, name hash 60d54a960f) is misnamed'
        """
        return (self.reason or "").replace(self.file_name, log_name(self.file_name))

    @property
    def quarantined_share(self) -> float:
        """Share of the file's rows quarantined (0 when it had none)."""
        return self.rows_quarantined / self.rows_in_file if self.rows_in_file else 0.0
