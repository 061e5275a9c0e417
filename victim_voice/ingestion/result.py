"""What one ingestion run did: the typed result the flow returns and the CLI reads.

Kept apart from the run itself so that reading a result imports nothing heavy.

Example::

    >>> IngestionResult(files=()).alerts
    ()
"""

from __future__ import annotations

from dataclasses import dataclass

from victim_voice.delivery.outcome import DeliveryOutcome


@dataclass(frozen=True)
class IngestionResult:
    """What one run did: the new files' outcomes and the alerts raised about them (the
    monthly-ingestion flow's data, read by the CLI). A run that stopped because another
    process held the warehouse for longer than the wait says so in ``stopped`` (the holder),
    with the files it left for the next run in ``left``; its loads are not yet in the marts."""

    files: tuple[DeliveryOutcome, ...]
    alerts: tuple = ()  # victim_voice.outputs.alerts.Alert, found after the run
    stopped: str | None = None  # the process that held the warehouse (a stopped run only)
    left: tuple[str, ...] = ()  # file names not processed, left for the next run
