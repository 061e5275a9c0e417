"""Alerts: what a monthly run found that needs a person (aggregates only, never row values).

Four kinds, checked after every ingestion run:

- ``FILE_REJECTED``: a delivery file was rejected whole (the supplier must re-send it);
- ``QUARANTINE_SHARE``: a loaded file had more than the allowed share of its rows
  quarantined (``VICTIM_VOICE_QUARANTINE_ALERT_SHARE``, default 0.05);
- ``QUOTA_SHORTFALL``: a month delivered in this run is below a supplier quota;
- ``SUPPLIER_LATE``: no delivery has loaded for the latest month that is due. A month's
  delivery is due by the end of day ``VICTIM_VOICE_DELIVERY_DUE_DAY`` (default 2) of the
  next month, so the run at 07:00 on the 3rd checks the previous month.

The flow turns a non-empty list into a Failed run with an alert artifact; the CLI prints
it and exits 4 (see ``victim_voice/cli.py``). Alerts are raised once per delivery, and at
least once: ``audit.deliveries.alerted_at`` is set when a run has raised a delivery's alerts,
so a run that stopped after recording deliveries but before alerting (a crash, a full disk)
leaves them to the next run, which alerts them (:func:`earlier_unalerted`, :func:`mark_alerted`).

Example::

    >>> previous_month(date(2025, 1, 3))
    '2024-12'
    >>> due_month(date(2025, 1, 2), due_day=2), due_month(date(2025, 1, 3), due_day=2)
    ('2024-11', '2024-12')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from victim_voice.delivery.files import log_name
from victim_voice.delivery.outcome import DeliveryOutcome, Status
from victim_voice.outputs.formatting import markdown_table, percent
from victim_voice.settings import Settings
from warehouse import storage
from warehouse.db import open_reader, open_writer, transaction


class AlertKind(Enum):
    """What an alert is about; its value is the word people see."""

    FILE_REJECTED = "FILE_REJECTED"
    QUARANTINE_SHARE = "QUARANTINE_SHARE"
    QUOTA_SHORTFALL = "QUOTA_SHORTFALL"
    SUPPLIER_LATE = "SUPPLIER_LATE"


@dataclass(frozen=True)
class Alert:
    """One finding: its kind, what it is about (a file label or a month) and a plain sentence."""

    kind: AlertKind
    subject: str
    detail: str


def previous_month(today: date) -> str:
    """The fieldwork month whose delivery is due this month, as YYYY-MM."""
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def due_month(today: date, due_day: int) -> str:
    """The latest fieldwork month whose delivery should have arrived by ``today``."""
    if today.day > due_day:
        return previous_month(today)
    return previous_month(today.replace(day=1) - timedelta(days=1))


LATE = " (recorded by an earlier run that stopped before alerting)"


def file_alerts(outcomes: Sequence[DeliveryOutcome], max_share: float, note: str = "") -> list[Alert]:
    """Rejected files and loaded files whose quarantined share exceeds ``max_share`` (each
    detail followed by ``note``)."""
    alerts = []
    for o in outcomes:
        name = log_name(o.file_name)
        if o.status is Status.REJECTED:
            alerts.append(Alert(AlertKind.FILE_REJECTED, name, f"rejected whole: {o.note}{note}"))
        elif o.status is Status.LOADED and o.quarantined_share > max_share:
            alerts.append(
                Alert(
                    AlertKind.QUARANTINE_SHARE,
                    name,
                    f"{o.rows_quarantined} of {o.rows_in_file} rows quarantined ({percent(o.quarantined_share)},"
                    f" alert above {100 * max_share:g}%){note}",
                )
            )
    return alerts


def warehouse_alerts(outcomes: Sequence[DeliveryOutcome], settings: Settings, run_date: date) -> list[Alert]:
    """Quota shortfalls of the months loaded in this run, and a late supplier."""
    loaded = [o.file_name for o in outcomes if o.status is Status.LOADED]
    due = due_month(run_date, settings.delivery_due_day)
    with open_reader(settings.warehouse, db_key=settings.db_key) as con:
        shortfalls = con.execute(
            """
            select q.period, q.quota, q.target, q.delivered
            from marts.quota_compliance as q
            where not q.met and q.period in (
                select period from audit.deliveries
                where status = ? and list_contains(?, file_name) and kind = 'SURVEY'
            )
            order by q.period, q.quota
            """,
            [Status.LOADED.value, loaded],
        ).fetchall()
        arrived = con.execute(
            "select count(*) from audit.deliveries where status = ? and period = ? and kind = 'SURVEY'",
            [Status.LOADED.value, due],
        ).fetchall()[0][0]
    alerts = [
        Alert(AlertKind.QUOTA_SHORTFALL, period, f"{quota}: {delivered} delivered, quota {target}")
        for period, quota, target, delivered in shortfalls
    ]
    if not arrived:
        alerts.append(
            Alert(
                AlertKind.SUPPLIER_LATE,
                due,
                f"no delivery for {due} has loaded by {run_date.isoformat()}"
                f" (due by the end of day {settings.delivery_due_day} of the next month)",
            )
        )
    return alerts


def find_alerts(
    outcomes: Sequence[DeliveryOutcome],
    settings: Settings,
    run_date: date,
    earlier: Sequence[DeliveryOutcome] = (),
) -> list[Alert]:
    """Every alert of one run, from its new files' outcomes, those ``earlier`` runs recorded
    but never alerted, and the refreshed warehouse."""
    share = settings.quarantine_alert_share
    by_file = file_alerts(earlier, share, note=LATE) + file_alerts(outcomes, share)
    return by_file + warehouse_alerts([*earlier, *outcomes], settings, run_date)


def earlier_unalerted(settings: Settings, new: Sequence[DeliveryOutcome]) -> list[DeliveryOutcome]:
    """The deliveries recorded by earlier runs whose alerts were never raised (the run stopped
    first), as outcomes; this run's ``new`` ones left out."""
    ours = {o.delivery_id for o in new}
    with open_reader(settings.warehouse, db_key=settings.db_key) as con:
        rows = storage.unalerted_deliveries(con)
    return [
        DeliveryOutcome(file_name, Status(status), rows_in, loaded, quarantined, reason=reason, delivery_id=delivery_id)
        for delivery_id, file_name, status, rows_in, loaded, quarantined, reason, _ in rows
        if delivery_id not in ours
    ]


def mark_alerted(settings: Settings, outcomes: Sequence[DeliveryOutcome]) -> None:
    """Record that the alerts of these deliveries (those recorded) have been raised: call it
    once they are out, never before."""
    recorded = [o.delivery_id for o in outcomes if o.delivery_id is not None]
    if recorded:
        with open_writer(settings.warehouse, settings.db_key, settings.wait_seconds) as con, transaction(con):
            storage.mark_alerted(con, recorded)


def alert_message(alerts: list[Alert]) -> str:
    """One line for a run state or a notification title.

    >>> alert_message([Alert(AlertKind.SUPPLIER_LATE, "2024-12", "no delivery")])
    '1 alert: SUPPLIER_LATE 2024-12'
    """
    kinds = "; ".join(f"{a.kind.value} {a.subject}" for a in alerts[:5])
    more = f"; and {len(alerts) - 5} more" if len(alerts) > 5 else ""
    return f"{len(alerts)} alert{'s' if len(alerts) != 1 else ''}: {kinds}{more}"


def alerts_markdown(alerts: list[Alert]) -> str:
    """The alert artifact: a table of kind, subject and detail, with what to do next."""
    return "\n\n".join(
        [
            "# Monthly ingestion: needs attention",
            markdown_table(["alert", "about", "detail"], [[a.kind.value, a.subject, a.detail] for a in alerts]),
            "FILE_REJECTED: ask the supplier to re-send the file (see `victim-voice query` on audit.deliveries)."
            " QUARANTINE_SHARE: review audit.quarantine for the file and raise it with the supplier."
            " QUOTA_SHORTFALL and SUPPLIER_LATE: supplier contract findings for the contract manager.",
        ]
    )
