"""The ``victim-voice`` command.

Exit status: 0 every new file loaded (quarantined rows are normal); 1 a file was
rejected; 2 a usage or configuration error; 3 the warehouse is in use by another
process (try again later); 4 loaded, but the run raised an alert (too many rows
quarantined, a quota shortfall or a late supplier; see ``victim_voice/outputs/alerts.py``);
5 a storage fault (disk full, a read-only or unreadable folder); 6 the warehouse file is
damaged (restore a backup); 7 a backup failed its check (nothing restored).

Examples::

    victim-voice ingest --landing data/landing --warehouse data/warehouse.duckdb
    victim-voice demo
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import replace
from datetime import date
from pathlib import Path

from victim_voice.delivery.files import display_name, log_name
from victim_voice.delivery.outcome import DeliveryOutcome, Status
from victim_voice.ingestion.result import IngestionResult
from victim_voice.outputs.formatting import round_half_away, spreadsheet_safe, text_table
from victim_voice.outputs.headline import HEADLINE_METRICS
from victim_voice.settings import ConfigurationError, Settings
from warehouse.backup import BackupInvalid
from warehouse.db import StorageFault, WarehouseBusy, WarehouseDamaged, WarehouseMissing, faults_typed, typed_fault

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_BUSY, EXIT_ALERT = 0, 1, 2, 3, 4
EXIT_STORAGE, EXIT_DAMAGED, EXIT_BACKUP = 5, 6, 7  # the machine; the warehouse file; a backup that fails its check
DEMO_MARKER = ".victim-voice-demo"


class UsageError(Exception):
    """A mistake on the command line; the message says what to do instead."""


# --------------------------------------------------------------------------- output


def describe_ignored(columns: Sequence[str], shown: int = 3) -> str:
    """A short note on unknown columns that were ignored."""
    if not columns:
        return ""
    more = f" and {len(columns) - shown} more" if len(columns) > shown else ""
    return f"ignored unknown column(s): {', '.join(columns[:shown])}{more}"


def summarise_outcomes(outcomes: Sequence[DeliveryOutcome]) -> str:
    """The per-file summary printed after an ingestion."""
    if not outcomes:
        return "No new delivery files: nothing to do."
    headers = ["file", "status", "rows", "loaded", "quarantined", "corrections", "note"]
    rows = [
        [
            display_name(log_name(o.file_name)),  # a misnamed file's name could say anything
            o.status.value,
            o.rows_in_file,
            o.rows_loaded,
            o.rows_quarantined,
            o.rows_corrected,
            display_name(o.note or describe_ignored(o.ignored_columns)),
        ]
        for o in outcomes
    ]
    totals = ["total", "", sum(o.rows_in_file or 0 for o in outcomes)]
    totals += [sum(o.rows_loaded for o in outcomes), sum(o.rows_quarantined for o in outcomes)]
    totals += [sum(o.rows_corrected for o in outcomes), ""]
    return text_table(headers, [*rows, totals])


def format_alerts(result: IngestionResult) -> str:
    """The alerts of a run, after its summary (empty text when there are none)."""
    if not result.alerts:
        return ""
    rows = [[a.kind.value, display_name(a.subject), display_name(a.detail)] for a in result.alerts]
    return "Needs attention:\n" + text_table(["alert", "about", "detail"], rows)


def format_stopped(result: IngestionResult, settings: Settings) -> str:
    """Why a run stopped part-way, what it left and what to do (empty text for a whole run)."""
    if result.stopped is None:
        return ""
    left = ", ".join(display_name(log_name(name)) for name in result.left)
    done = "The files above were processed" if result.files else "No new file was processed"
    left = f"not processed, left for the next run: {left}." if left else "none was left."
    return "\n".join(
        [
            f"Stopped: the warehouse was in use by another process ({result.stopped}) for longer than the wait "
            f"of {settings.wait_seconds:g} s (VICTIM_VOICE_WAIT_SECONDS).",
            f"{done}; {left}",
            "The figures were not refreshed: the marts still show the previous run, and the next run refreshes them.",
            f"What to do: {WHAT_TO_DO_WHEN_BUSY}",
        ]
    )


WHAT_TO_DO_WHEN_BUSY = (
    "run `victim-voice ingest` again once that process has finished. A reader (query, report, contract pack) "
    "or a refresh holds the warehouse for seconds; a longer hold is an open interactive session or a stuck "
    "process (`ps -p PID`). To wait longer, raise VICTIM_VOICE_WAIT_SECONDS."
)


def nothing_loaded(settings: Settings, busy: WarehouseBusy) -> str:
    """The summary of a run that could not start: the warehouse stayed busy for the whole wait."""
    return "\n".join(
        [
            f"Nothing was loaded: the warehouse {settings.warehouse} was in use by another process ({busy.holder}) "
            f"for the whole wait of {settings.wait_seconds:g} s (VICTIM_VOICE_WAIT_SECONDS).",
            f"No delivery file was read: every file in {settings.landing} is left for the next run, and the "
            "figures are as they were.",
            f"What to do: {WHAT_TO_DO_WHEN_BUSY}",
        ]
    )


def exit_status(result: IngestionResult) -> int:
    """3 when the run stopped because the warehouse stayed busy, else 1 when any file was
    rejected (in this run, or in an earlier one that stopped before alerting), else 4 when the
    run raised another alert, else 0."""
    from victim_voice.outputs.alerts import AlertKind  # here: only an ingestion, which has imported it, reads it

    if result.stopped is not None:
        return EXIT_BUSY
    rejected = any(o.status is Status.REJECTED for o in result.files)
    if rejected or any(a.kind is AlertKind.FILE_REJECTED for a in result.alerts):
        return EXIT_REJECTED
    return EXIT_ALERT if result.alerts else EXIT_OK


# --------------------------------------------------------------------------- commands


def run_ingestion_flow(
    settings: Settings, run_date: date | None = None, key_file: Path | None = None
) -> IngestionResult:
    """Run the Prefect flow (imported here so commands that run no flow stay fast); returns
    the new files' outcomes and the run's alerts."""
    from victim_voice.settings import apply_prefect_offline_defaults

    apply_prefect_offline_defaults()
    from flows.monthly_ingestion import monthly_ingestion
    from flows.temporary_server import start_temporary_server

    start_temporary_server()  # without PREFECT_API_URL: a server that ends with this process, even killed
    state = monthly_ingestion(
        landing=str(settings.landing),
        warehouse=str(settings.warehouse),
        run_date=run_date,
        key_file=str(key_file) if key_file else None,
        settle_seconds=settings.settle_seconds,
        return_state=True,
    )
    result = state.result(raise_on_failure=False)
    if isinstance(result, BaseException):  # the flow itself broke: surface its error as usual
        raise result
    return result


def say_waiting(settings: Settings) -> Callable[[str], None]:
    """What a command says (once, on stderr) when it has to wait for the warehouse."""

    def say(holder: str) -> None:
        print(
            f"victim-voice: the warehouse is in use by another process ({holder}); waiting up to "
            f"{settings.wait_seconds:g} s for it (VICTIM_VOICE_WAIT_SECONDS)",
            file=sys.stderr,
        )

    return say


def command_ingest(args: argparse.Namespace, settings: Settings) -> int:
    """Validate and load every new delivery in the landing folder."""
    settings = settings.with_paths(args.landing, args.warehouse)
    from victim_voice.ingestion.run import check_can_start, check_warehouse_writable
    from warehouse.db import writer_session

    check_can_start(settings)
    with ExitStack() as turn:
        try:  # the writing turn, held to the end of the run: no other writer between its files
            turn.enter_context(writer_session(settings.warehouse, settings.wait_seconds, say_waiting(settings)))
            check_warehouse_writable(settings, say_waiting(settings))  # a bad path: say so before starting
        except WarehouseBusy as busy:
            print(nothing_loaded(settings, busy))
            return EXIT_BUSY
        result = run_ingestion_flow(settings)
    if result.files or result.stopped is None:
        print(summarise_outcomes(result.files))
    if result.stopped is not None:
        print("\n" + format_stopped(result, settings))
    if result.alerts:
        print("\n" + format_alerts(result))
    print(f"\nWarehouse: {settings.warehouse}")
    return exit_status(result)


def command_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Serve the scheduled deployments from this process until interrupted."""
    settings = settings.with_paths(args.landing, args.warehouse)
    from victim_voice.ingestion.run import check_can_start, check_warehouse_writable
    from victim_voice.settings import apply_prefect_offline_defaults

    check_can_start(settings)  # the same checks as a run: fail now, not at 07:00 on the 3rd
    check_warehouse_writable(settings)
    apply_prefect_offline_defaults()
    from prefect.settings import get_current_settings

    if not get_current_settings().api.url:  # Prefect's temporary server runs no scheduler
        raise UsageError(
            "serve needs a running Prefect server to schedule runs: start one with "
            "`prefect server start --host 127.0.0.1` and set PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    from flows.serving import serve

    serve(settings, args.out)
    return EXIT_OK


def demo_months_available(today: date) -> int:
    """Whole months of fieldwork from 2023-04 to the month before ``today``.

    >>> demo_months_available(date(2024, 4, 15))
    12
    """
    return (today.year - 2023) * 12 + today.month - 4


def prepare_demo_folder(folder: Path) -> None:
    """An empty demo folder; an existing one is wiped only if a previous demo made it."""
    if folder.exists():
        if not (folder / DEMO_MARKER).exists():
            raise UsageError(f"{folder} exists and was not made by `victim-voice demo`; choose another --dir")
        shutil.rmtree(folder)
    folder.mkdir(parents=True, mode=0o700)
    (folder / DEMO_MARKER).write_text("made by victim-voice demo; safe to delete\n", encoding="utf-8")


# The demo's figures: the headline, a Victims' Code right and a commissioned service.
DEMO_FIGURES = (*HEADLINE_METRICS, "vcop_04", "svc_IDVA_contact")


def demo_summary(warehouse: Path) -> str:
    """Quarantined rows by rule and the latest headline figures, read back from the warehouse."""
    from victim_voice.outputs.headline import latest_rolling_3m
    from warehouse.db import open_reader

    with open_reader(warehouse) as con:
        quarantined = con.execute(
            """
            select check_name, count(*) as failed_checks, count(distinct (delivery_id, row_number)) as rows
            from audit.quarantine group by check_name order by failed_checks desc, check_name
            """
        ).fetchall()
        current = con.execute("select count(*) from marts.responses").fetchall()[0][0]
        figures = latest_rolling_3m(con, DEMO_FIGURES)
        shortfalls = con.execute(
            "select period, quota, target, delivered from marts.quota_compliance where not met order by all"
        ).fetchall()
    headline = [
        [metric, period, denominator, *(None if v is None else round_half_away(100 * v) for v in (rate, low, high))]
        for metric, period, denominator, rate, low, high, _ in figures
    ]
    parts = [
        "Quarantined rows by contract rule:",
        text_table(["check", "failed checks", "rows"], quarantined) if quarantined else "(none)",
        f"\nCurrent responses in marts.responses: {current}",
        "\nLatest rolling 3 months (marts.metric_values, % with 95% interval):",
        text_table(["metric", "period", "answered", "rate %", "low %", "high %"], headline),
        "\nSupplier quota shortfalls (marts.quota_compliance):",
        text_table(["period", "quota", "target", "delivered"], shortfalls) if shortfalls else "(none)",
    ]
    return "\n".join(parts)


def command_as_typed() -> str:
    """How to type this command here: ``victim-voice`` when the PATH finds this very command,
    else its path relative to this folder (``.venv/bin/victim-voice`` after ``make demo``,
    whose environment is not activated).

    >>> command_as_typed()  # doctest: +SKIP
    '.venv/bin/victim-voice'
    """
    on_path = shutil.which("victim-voice")
    script = Path(sys.argv[0]).resolve()
    if script.name != "victim-voice":  # python -m victim_voice.cli, or a test
        script = Path(sys.executable).parent / "victim-voice"
    if on_path and Path(on_path).resolve() == script.resolve():
        return "victim-voice"
    return relative_if_inside(script)


def relative_if_inside(path: Path) -> str:
    """``path`` relative to this folder when it lies inside it, else absolute."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path.resolve())


def next_steps(warehouse: Path, outputs: Path) -> str:
    """Commands to try next, written so that each works when pasted as printed."""
    from warehouse.db import open_reader

    with open_reader(warehouse) as con:
        [(quarter,)] = con.execute(
            "select max(period) from marts.published_metric_values where period_type = 'quarter'"
        ).fetchall()
    command, where = command_as_typed(), f"--warehouse {relative_if_inside(warehouse)}"
    lines = [
        "Try next (each works as printed, from this folder):",
        f"  {command} tables",
        f'  {command} query "select * from marts.crime_type_scorecard" {where}',
    ]
    if quarter:  # a financial quarter's report and board table, once one is complete
        lines += [
            f"  {command} report --period-type quarter --period {quarter} {where} "
            f"--out {relative_if_inside(outputs / 'reports')}",
            f"  {command} table --metrics sat_overall,sat_informed --by crime_group --period-type quarter "
            f"--period {quarter} {where} --out {relative_if_inside(outputs / 'board-table.xlsx')}",
        ]
    return "\n".join([*lines, 'More: the README\'s "Answering common questions".'])


def command_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Generate realistic demo deliveries and run the monthly flow on them."""
    from victim_voice.demo import write_demo_deliveries
    from victim_voice.demo.recorded_crime import write_recorded_crime
    from victim_voice.outputs.monthly import write_monthly_outputs
    from victim_voice.protection.pseudonyms import create_key_file

    available = demo_months_available(date.today())
    if not 1 <= args.months <= available:
        raise UsageError(f"--months must be from 1 to {available}: the survey began in 2023-04")
    folder: Path = args.dir
    prepare_demo_folder(folder)
    settings = Settings(
        landing=folder / "landing",
        warehouse=folder / "warehouse.duckdb",
        key_file=folder / "demo-pseudonym.key",  # a throwaway key for made-up data
    )
    settings.landing.mkdir(mode=0o700)
    create_key_file(settings.key_file)
    # a few more interviews than the quota, as a supplier would, so that quarantined rows
    # alone do not make every month a shortfall
    manifests = write_demo_deliveries(settings.landing, months=args.months, seed=args.seed, rows_per_month=175)
    counts = write_recorded_crime(settings.landing, sorted({m.period for m in manifests}), seed=args.seed)
    print(f"Generated {len(manifests)} demo deliveries and {len(counts)} recorded-crime files in {settings.landing}\n")
    result = run_ingestion_flow(settings, key_file=settings.key_file)
    print(summarise_outcomes(result.files))
    if result.alerts:
        print("\n" + format_alerts(result))
    print()
    print(demo_summary(settings.warehouse))
    print("\nWhat people read:")
    for path in write_monthly_outputs(settings, folder / "outputs"):
        print(f"  {path.resolve()}")
    print(f"\nWarehouse: {settings.warehouse.resolve()}")
    print("\n" + next_steps(settings.warehouse, folder / "outputs"))
    return exit_status(replace(result, alerts=()))  # the demo's alerts are part of the show, not a failure


def command_metrics(args: argparse.Namespace, settings: Settings) -> int:
    """Rebuild the metric tables and views from what is loaded."""
    from warehouse.models import refresh_metrics

    settings = settings.with_paths(warehouse=args.warehouse)
    if not settings.warehouse.exists():
        raise WarehouseMissing(f"no warehouse at {settings.warehouse}: run `victim-voice ingest` first")
    built = refresh_metrics(settings, on_wait=say_waiting(settings))
    print(f"Rebuilt {len(built)} warehouse objects in {settings.warehouse}")
    return EXIT_OK


def command_query(args: argparse.Namespace, settings: Settings) -> int:
    """Run one read-only SQL query and print the result."""
    import duckdb

    from warehouse.db import READER_WAIT_SECONDS, open_reader

    settings = settings.with_paths(warehouse=args.warehouse)
    if args.out is not None and not args.out.parent.is_dir():
        raise UsageError(f"{args.out.parent}: no such folder for --out")
    wait = min(READER_WAIT_SECONDS, settings.wait_seconds)  # a writer holds it for seconds at a time
    with open_reader(settings.warehouse, wait, settings.db_key) as con:
        try:
            result = con.execute(args.sql)
            headers = [column[0] for column in result.description or ()]
            rows = result.fetchall() if result.description is not None else []
        except duckdb.Error as error:
            if typed_fault(error, settings.warehouse) is not None:
                raise  # a damaged block met by the query, a failing disk: exit 6 or 5, not "the query failed"
            raise UsageError(f"the query failed: {error}") from None
        if not headers:
            return EXIT_OK
    if args.out is None:
        print(render_rows(headers, rows, args.format))
        return EXIT_OK
    output_format = "json" if args.format == "json" else "csv"  # a file is for a program or a spreadsheet
    write_query_file(args.out, render_rows(headers, rows, output_format), output_format)
    print(f"Wrote {args.out} ({len(rows)} row{'s' if len(rows) != 1 else ''}, {output_format.upper()})")
    return EXIT_OK


def write_query_file(path: Path, text: str, output_format: str) -> None:
    """A query's result as a file: CSV in UTF-8 with a byte-order mark (so that Excel on Windows
    reads accented text) and Windows line ends; JSON in plain UTF-8. Written whole or not at all."""
    from victim_voice.outputs.output_files import written_whole

    with written_whole(path) as part:
        if output_format == "csv":
            part.write_text(text + "\n", encoding="utf-8-sig", newline="\r\n")
        else:
            part.write_text(text + "\n", encoding="utf-8")


def render_rows(headers: list[str], rows: list[tuple], output_format: str) -> str:
    """Rows as a text table, CSV or JSON records."""
    if output_format == "csv":
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows([[spreadsheet_safe(v) for v in row] for row in rows])
        return buffer.getvalue().rstrip("\n")
    if output_format == "json":
        import json

        return json.dumps([dict(zip(headers, row, strict=True)) for row in rows], default=str, indent=2)
    return text_table(headers, rows) + f"\n({len(rows)} row{'s' if len(rows) != 1 else ''})"


def command_tables(args: argparse.Namespace, settings: Settings) -> int:
    """List the warehouse's public objects with their grain and description, then the label
    tables that name the codes (join them to show names instead of codes)."""
    from warehouse.catalogue import LABEL_TABLES, public_objects

    for obj in public_objects():
        print(f"{obj.name}\n    grain: {obj.grain}\n    {obj.description}\n")
    print("Label tables (join on the code to show names):\n")
    for obj in LABEL_TABLES:
        print(f"{obj.name}\n    grain: {obj.grain}\n    {obj.description}\n")
    return EXIT_OK


def command_purge(args: argparse.Namespace, settings: Settings) -> int:
    """Remove loaded delivery files and quarantine details past their retention (rejected files stay)."""
    from victim_voice.ingestion.retention import BackupMissing, purge

    settings = settings.with_paths(args.landing, args.warehouse)
    if not settings.warehouse.exists():
        raise WarehouseMissing(f"no warehouse at {settings.warehouse}")
    try:
        result = purge(settings, args.older_than, dry_run=args.dry_run, without_backup=args.without_backup)
    except BackupMissing as refusal:
        raise UsageError(str(refusal)) from None
    if result.finished_earlier:
        verb = "Would finish" if args.dry_run else "Finished"
        print(f"{verb} {result.finished_earlier} removal(s) an earlier purge recorded (audit.purged_files).")
    verb = "Would remove" if args.dry_run else "Removed"
    print(
        f"{verb} {result.files_removed} delivery file(s) from {settings.landing} and "
        f"{result.quarantine_rows_removed} quarantine row(s) processed more than {args.older_than} days ago."
    )
    if result.purge_id is not None:
        print(f"Recorded as purge {result.purge_id} in audit.purges (its files in audit.purged_files).")
    return EXIT_OK


def command_reprocess(args: argparse.Namespace, settings: Settings) -> int:
    """Read a loaded delivery again with today's rules; load the rows that pass now (never twice)."""
    from victim_voice.ingestion.reprocessing import ReprocessRefused, reprocess_file

    settings = settings.with_paths(args.landing, args.warehouse)
    try:
        done = reprocess_file(settings, args.file, date.today())
    except ReprocessRefused as refusal:
        raise UsageError(str(refusal)) from None
    if done.outcome is None:
        print(
            f"Nothing to load: none of the {done.rows_read_again} row(s) of {args.file.name} that were not loaded "
            f"(delivery {done.earlier_delivery_id}) passes today's rules; nothing was recorded."
        )
        return EXIT_OK
    print(summarise_outcomes([done.outcome]))
    print(
        f"\nRecorded as delivery {done.delivery_id}, a reprocessing of delivery {done.earlier_delivery_id} "
        f"(audit.deliveries.reprocessing_of); metrics refreshed.\nWarehouse: {settings.warehouse}"
    )
    return EXIT_OK


def check_backup_destination(out: Path, settings: Settings) -> None:
    """A backup never goes beside the pseudonymisation key: whoever holds both can undo the pseudonyms."""
    out, key_folder = out.resolve(), settings.key_file.resolve().parent
    if out == key_folder or key_folder in out.parents:
        raise UsageError(
            f"{out} is the pseudonymisation key's folder ({settings.key_file}); keep backups apart from the key "
            "(the key is backed up separately): choose another --out"
        )


def same_disk(first: Path, second: Path) -> bool:
    try:
        return first.stat().st_dev == second.stat().st_dev
    except OSError:
        return False


def command_backup(args: argparse.Namespace, settings: Settings) -> int:
    """Copy the warehouse into a new, checked backup folder; or check one (--verify)."""
    import time

    from warehouse.backup import backup_warehouse, verify_backup

    settings = settings.with_paths(warehouse=args.warehouse)
    if args.verify:
        manifest = verify_backup(args.verify, settings.db_key)
        rows = manifest["tables"].get("core.response_versions", 0)
        print(
            f"Backup {manifest['backup_id']} in {args.verify} passes its check: checksums match, and the copy opens "
            f"with the manifest's {len(manifest['tables'])} tables and row counts ({rows} response versions; "
            f"made {manifest['created_at'][:19]} from {manifest['warehouse']})."
        )
        return EXIT_OK
    check_backup_destination(args.out, settings)
    started = time.perf_counter()
    made = backup_warehouse(settings.warehouse, args.out, settings.db_key, settings.wait_seconds)
    seconds = time.perf_counter() - started
    print(
        f"Backed up {settings.warehouse} as backup {made.backup_id} into {made.folder} "
        f"({made.size_bytes / 1e6:.1f} MB in {seconds:.1f} s{', encrypted' if settings.db_key else ''}); "
        "checked, and recorded as verified in audit.backups."
    )
    if same_disk(made.folder, settings.warehouse):
        print("It is on the same disk as the warehouse: copy the folder off this machine (see the README).")
    return EXIT_OK


def command_restore(args: argparse.Namespace, settings: Settings) -> int:
    """Check a backup, then put it in place of the warehouse (the current one is kept aside)."""
    from warehouse.backup import restore_warehouse

    settings = settings.with_paths(warehouse=args.warehouse)
    restored = restore_warehouse(args.backup, settings.warehouse, settings.db_key)
    print(
        f"Restored backup {restored.backup_id} into {restored.warehouse}: it opens and its row counts match the "
        "manifest (recorded in audit.restores)."
    )
    if restored.set_aside:
        print(f"The warehouse it replaced is kept at {restored.set_aside}; remove it once you are satisfied.")
    print(
        "Run `victim-voice ingest` to load again the deliveries processed after the backup (purge keeps their files)."
    )
    return EXIT_OK


def command_publish(args: argparse.Namespace, settings: Settings) -> int:
    """Write the disclosure-controlled aggregates for wider sharing."""
    from victim_voice.outputs.publishing import publish

    settings = settings.with_paths(warehouse=args.warehouse)
    for path in publish(settings, args.out):
        print(f"Wrote {path}")
    return EXIT_OK


def command_table(args: argparse.Namespace, settings: Settings) -> int:
    """Write a board table (XLSX or CSV): chosen measures by a breakdown for one period."""
    from victim_voice.outputs.board_tables import TableRequest, describe, parse_metrics, write_board_table

    settings = settings.with_paths(warehouse=args.warehouse)
    if not settings.warehouse.exists():
        raise WarehouseMissing(f"no warehouse at {settings.warehouse}: run `victim-voice ingest` first")
    request = TableRequest(parse_metrics(args.metrics), args.by, args.period_type, args.period)
    print(describe(write_board_table(settings, request, args.out), args.out))
    return EXIT_OK


def command_contract_pack(args: argparse.Namespace, settings: Settings) -> int:
    """Write the review pack (XLSX) of one commissioned contract, or of all of them."""
    from victim_voice.outputs.contract_packs import write_contract_pack
    from victim_voice.outputs.monthly import write_contract_packs

    settings = settings.with_paths(warehouse=args.warehouse)
    paths = (
        write_contract_packs(settings, args.out)
        if args.all
        else [write_contract_pack(settings, args.contract, args.out)]
    )
    for path in paths:
        print(f"Wrote {path}")
    return EXIT_OK


def command_comments_review(args: argparse.Namespace, settings: Settings) -> int:
    """Write a workbook of a contract's comments awaiting a person's decision."""
    from victim_voice.outputs.comment_review import service_counts, write_review_workbook

    settings = settings.with_paths(warehouse=args.warehouse)
    review = write_review_workbook(settings, args.contract, args.out)
    if review.path:
        print(f"Wrote {review.path}: {review.to_review} comment(s) of {review.contract} to review")
    elif review.latest is None:
        print(f"Nothing to review for {review.contract}: no 12 months of figures are published yet.")
    else:
        print(f"Nothing to review for {review.contract}: every comment of the 12 months to {review.latest} is decided.")
    for scope, counts in service_counts(review.services):
        print(f"  {scope}: {counts}")
    return EXIT_OK


def command_comments_approve(args: argparse.Namespace, settings: Settings) -> int:
    """Record the decisions of a review workbook in audit.comment_approvals."""
    from victim_voice.outputs.comment_review import DECISIONS, ReviewWorkbookError, approve_review

    settings = settings.with_paths(warehouse=args.warehouse)
    try:
        approval = approve_review(settings, args.file, args.reviewer)
    except ReviewWorkbookError as error:
        raise UsageError(str(error)) from None
    counts = ", ".join(f"{approval.recorded.get(code, 0)} {label}" for label, code in DECISIONS.items())
    print(f"Recorded {sum(approval.recorded.values())} decision(s): {counts}.")
    print(f"Left undecided: {approval.undecided}; decided before (the first decision stands): "
          f"{approval.already_decided}; refused: {len(approval.refused)}.")  # fmt: skip
    for reason in approval.refused:
        print(f"victim-voice: refused: {reason}", file=sys.stderr)
    return EXIT_REJECTED if approval.refused else EXIT_OK


def command_report(args: argparse.Namespace, settings: Settings) -> int:
    """Write the report (HTML, its charts as PNG and SVG, and an A4 PDF)."""
    from victim_voice.outputs.pdf import print_pdf
    from victim_voice.outputs.report import write_report

    settings = settings.with_paths(warehouse=args.warehouse)
    written = write_report(settings, args.period, args.out, kind=args.period_type)
    for path in written.paths():
        print(f"Wrote {path}")
    pdf = print_pdf(written.page) if args.pdf else None
    if pdf:
        print(f"Wrote {pdf}")
    elif args.pdf:
        print("No PDF: headless Chromium (the PDF engine) is not installed; the HTML prints well from a browser.")
    return EXIT_OK


def command_keygen(args: argparse.Namespace, settings: Settings) -> int:
    """Create the pseudonymisation key file (once; never overwritten)."""
    from victim_voice.protection.pseudonyms import create_key_file

    key_file = args.key_file or settings.key_file
    create_key_file(key_file)
    print(f"Created a new pseudonymisation key in {key_file} (owner-only). Back it up with the warehouse's backups,")
    print("but never in the same place: the key is what keeps the crime-number pseudonyms from being reversed.")
    return EXIT_OK


def command_redact(args: argparse.Namespace, settings: Settings) -> int:
    """Redact a JSON-lines file of comments, so anyone can measure the redactor on their own labelled text."""
    from victim_voice.protection.redaction import find_identifiers, redact

    records = read_comment_lines(args.input, args.output)
    results = []
    for record in records:
        text = record["text"]
        spans = [{"start": s.start, "end": s.end, "type": s.type} for s in find_identifiers(text)]
        results.append({"id": record.get("id"), "redacted": redact(text), "spans": spans})
    write_comment_lines(args.output, results, "Redacted")
    return EXIT_OK


def read_comment_lines(source: str, target: str) -> list[dict]:
    """The records of a JSON-lines file of comments (``-``: standard input), each with a "text"
    string, for a command writing to ``target``; a missing file, an output that would overwrite
    it, or a bad line is a UsageError naming the file (and line)."""
    if source != "-" and not Path(source).is_file():
        raise UsageError(f"{source}: {'not a file' if Path(source).exists() else 'no such file'}")
    if source != "-" and target != "-" and Path(target).resolve() == Path(source).resolve():
        raise UsageError(f"{target}: the output would overwrite the input; choose another file")
    try:
        data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as error:
        raise UsageError(f"{source}: cannot be read ({error.strerror or error})") from None
    records = []
    for number, raw in enumerate(data.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise UsageError(f"{source}, line {number}: not UTF-8 text") from None
        except json.JSONDecodeError:
            raise UsageError(f"{source}, line {number}: not a JSON object") from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise UsageError(f'{source}, line {number}: needs a "text" string (and an "id")')
        records.append(record)
    return records


def write_comment_lines(target: str, results: list[dict], done: str) -> None:
    """``results`` as JSON lines to ``target`` (``-``: standard output), saying how many were ``done``."""
    lines = "".join(json.dumps(result, ensure_ascii=False) + "\n" for result in results)
    if target == "-":
        sys.stdout.write(lines)
        return
    try:
        Path(target).write_text(lines, encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        raise UsageError(f"{target}: cannot be written (is its folder there?)") from None
    print(f"{done} {len(results)} comment(s) into {target}.", file=sys.stderr)


def command_themes_classify(args: argparse.Namespace, settings: Settings) -> int:
    """Code a JSON-lines file of comments into themes and sentiment, so anyone can check the classifier."""
    from victim_voice.themes.classifier import classify_many

    records = read_comment_lines(args.input, args.output)
    codings = classify_many([record["text"] for record in records], workers=args.workers)
    results = [coding.as_record(record.get("id")) for record, coding in zip(records, codings, strict=True)]
    write_comment_lines(args.output, results, "Coded")
    return EXIT_OK


# --------------------------------------------------------------------------- parser


def add_path_options(command: argparse.ArgumentParser, landing: bool = False) -> None:
    """--warehouse (and --landing), which fall back on the environment."""
    if landing:
        command.add_argument("--landing", type=Path, help="folder the supplier drops files into [VICTIM_VOICE_LANDING]")
    command.add_argument("--warehouse", type=Path, help="DuckDB warehouse file [VICTIM_VOICE_WAREHOUSE]")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="victim-voice",
        description="Victim Voice: the OPCC victims' survey pipeline.",
        epilog="Exit status: 0 ok, 1 a file was rejected, 2 usage or configuration error, 3 warehouse busy, "
        "4 loaded with alerts, 5 storage fault (a full, read-only or unreadable disk or folder), 6 damaged "
        "warehouse (restore a backup), 7 a backup failed its check.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ingest = commands.add_parser(
        "ingest",
        help="validate and load every new delivery in the landing folder",
        description="Validate and load every new delivery file (in order of period, then sequence).",
        epilog="Example: victim-voice ingest --landing data/landing --warehouse data/warehouse.duckdb",
    )
    add_path_options(ingest, landing=True)
    ingest.set_defaults(handler=command_ingest)

    serve = commands.add_parser(
        "serve",
        help="run the monthly schedule from this machine (Prefect serve)",
        description="Register the monthly-ingestion (07:00 on the 3rd), monthly-publication (09:00 on the 3rd) "
        "and backfill deployments and run their flows here until stopped with Ctrl+C. Uses the Prefect "
        "server in PREFECT_API_URL (required: Prefect's temporary server runs no scheduler).",
        epilog="Example: victim-voice serve --landing /srv/vv/landing --warehouse /srv/vv/warehouse.duckdb "
        "--out /srv/vv/outputs",
    )
    add_path_options(serve, landing=True)
    serve.add_argument("--out", type=Path, default=Path("outputs"), help="folder for reports and packs")
    serve.set_defaults(handler=command_serve)

    demo = commands.add_parser(
        "demo",
        help="generate demo deliveries and run the monthly flow on them",
        description="Generate realistic made-up deliveries and ingest them into a demo warehouse.",
        epilog="Example: victim-voice demo --dir demo-data --months 12",
    )
    demo.add_argument("--dir", type=Path, default=Path("demo-data"), help="demo folder (wiped and re-made)")
    demo.add_argument("--months", type=int, default=12, help="months of deliveries to generate (default 12)")
    demo.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    demo.set_defaults(handler=command_demo)

    metrics = commands.add_parser(
        "metrics",
        help="rebuild the metric tables and views from what is loaded",
        description="Rebuild marts.metric_values, metric_changes, group_comparisons, quota_compliance and the "
        "reader views.",
        epilog="Example: victim-voice metrics --warehouse data/warehouse.duckdb",
    )
    add_path_options(metrics)
    metrics.set_defaults(handler=command_metrics)

    query = commands.add_parser(
        "query",
        help="run a read-only SQL query against the warehouse",
        description="Run one SQL statement on a read-only connection and print the result.",
        epilog='Example: victim-voice query "select * from marts.quota_compliance where not met" --csv',
    )
    query.add_argument("sql", help="the SQL to run")
    add_path_options(query)
    output = query.add_mutually_exclusive_group()
    output.add_argument("--csv", dest="format", action="store_const", const="csv", help="print CSV")
    output.add_argument("--json", dest="format", action="store_const", const="json", help="print JSON records")
    query.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="write to FILE instead: CSV in UTF-8 with a byte-order mark, which Excel opens with accents intact "
        "(JSON with --json)",
    )
    query.set_defaults(handler=command_query, format="table")

    tables = commands.add_parser(
        "tables",
        help="list the warehouse's public tables and views",
        description="List the public objects of the warehouse with their grain and what they hold, then the "
        "label tables (metrics, rights, services, crime groups) that give the codes' names.",
        epilog="Example: victim-voice tables",
    )
    tables.set_defaults(handler=command_tables)

    purge = commands.add_parser(
        "purge",
        help="remove loaded delivery files and old quarantine details",
        description="Delete landing files loaded (or recorded as duplicates of a loaded file) more than DAYS ago, "
        "and the quarantine details of deliveries processed before then; rejected, misnamed and unprocessed "
        "files are kept. A file goes only when a verified backup holds its delivery (see `backup`), unless "
        "--without-backup. Each purge is recorded in audit.purges and audit.purged_files before anything is removed; "
        "a purge that could not finish is finished by the next.",
        epilog="Example: victim-voice purge --older-than 90 --dry-run",
    )
    purge.add_argument("--older-than", type=int, required=True, metavar="DAYS", help="retention in days")
    add_path_options(purge, landing=True)
    purge.add_argument("--dry-run", action="store_true", help="say what would be removed, remove nothing")
    purge.add_argument(
        "--without-backup",
        action="store_true",
        help="remove files past retention even when no verified backup holds their deliveries",
    )
    purge.set_defaults(handler=command_purge)

    reprocess = commands.add_parser(
        "reprocess",
        help="read a loaded delivery again with today's rules and load the rows that pass now",
        description="For a delivery file already loaded whose rows were quarantined by a rule that no longer "
        "applies (an interview dated after the run that read it), validate the whole file again with today's "
        "rules and load, as a new delivery naming the earlier one (audit.deliveries.reprocessing_of), the rows "
        "that pass now and were never loaded; they supersede as the original file's rows would have. A file never "
        "processed, never loaded or not in the landing folder is refused (exit 2).",
        epilog="Example: victim-voice reprocess VictimVoice_2024-06_01.csv",
    )
    reprocess.add_argument("file", type=Path, metavar="FILE", help="the delivery file (a name in the landing folder)")
    add_path_options(reprocess, landing=True)
    reprocess.set_defaults(handler=command_reprocess)

    backup = commands.add_parser(
        "backup",
        help="copy the warehouse into a checked backup folder (or check one with --verify)",
        description="Wait for no run (exit 3 while one holds the warehouse), copy the warehouse with DuckDB into "
        "a new folder DIR/warehouse-backup-<time>-<id>/ (encrypted when the warehouse is) with manifest.json "
        "(checksums, versions, every table's row count) and manifest.json.sha256, check the copy as a restore "
        "would, and record it in audit.backups. --verify checks an existing backup and changes nothing.",
        epilog="Example: victim-voice backup --out /mnt/backups   (then copy the new folder off this machine)",
    )
    which_backup = backup.add_mutually_exclusive_group(required=True)
    which_backup.add_argument("--out", type=Path, metavar="DIR", help="folder to make the backup in")
    which_backup.add_argument(
        "--verify", type=Path, metavar="DIR", help="a backup folder to check (checksums, manifest, row counts)"
    )
    add_path_options(backup)
    backup.set_defaults(handler=command_backup)

    restore = commands.add_parser(
        "restore",
        help="put a checked backup in place of the warehouse (the current one is kept aside)",
        description="Check the backup first (exit 7 if it fails: nothing changed); refuse while a run holds the "
        "warehouse (exit 3); copy the backup beside the warehouse, keep the current warehouse as "
        "<name>.before-restore-<time>, rename the copy into place, check it opens with the manifest's row counts "
        "and record the restore in audit.restores.",
        epilog="Example: victim-voice restore /mnt/backups/warehouse-backup-20250103-093005-4",
    )
    restore.add_argument("backup", type=Path, metavar="BACKUP_DIR", help="the backup folder")
    add_path_options(restore)
    restore.set_defaults(handler=command_restore)

    publish = commands.add_parser(
        "publish",
        help="write the disclosure-controlled aggregates (DuckDB, Parquet and CSV) for wider sharing",
        description="Write published.duckdb, Parquet files and CSV files holding only disclosure-controlled "
        "aggregates: rolling-window metric cells with withheld cells blanked (in the CSV: [c]), and the metric "
        "labels. The CSV files are for Excel: UTF-8 with a byte-order mark, each code's label beside it.",
        epilog="Example: victim-voice publish --warehouse data/warehouse.duckdb --out published",
    )
    add_path_options(publish)
    publish.add_argument("--out", type=Path, required=True, help="folder to write into")
    publish.set_defaults(handler=command_publish)

    table = commands.add_parser(
        "table",
        help="write a board table (XLSX or CSV): chosen measures by a breakdown for one period",
        description="Write the chosen measures by a breakdown for one period, from the published figures only "
        "(withheld cells [c], low reliability [u]): one row per value of the breakdown, with All victims first, "
        "and for each measure its rate, 95% interval and base. An .xlsx follows the Analysis Function's guidance "
        "on releasing statistics in spreadsheets (cover, contents, notes, the table); a .csv holds the same table "
        "(UTF-8 with a byte-order mark, for Excel).",
        epilog="Example: victim-voice table --metrics sat_overall,sat_informed --by crime_group --period-type quarter "
        "--period 2026-09 --out board/Q2.xlsx",
    )
    table.add_argument(
        "--metrics", required=True, help="measure codes, comma-separated (reference.metrics), e.g. sat_overall"
    )
    table.add_argument("--by", default="all", help="breakdown, e.g. crime_group, area, age_band (default all)")
    table.add_argument(
        "--period-type",
        default="quarter",
        choices=["quarter", "rolling_3m", "rolling_12m", "financial_year", "fy_to_date"],
        help="the window (default quarter)",
    )
    table.add_argument("--period", help="the window's last month, YYYY-MM (default the latest published)")
    table.add_argument("--out", type=Path, required=True, help="FILE.xlsx or FILE.csv to write")
    add_path_options(table)
    table.set_defaults(handler=command_table)

    pack = commands.add_parser(
        "contract-pack",
        help="write a commissioned contract's review pack (XLSX)",
        description="Write an XLSX review pack per commissioned contract: summary, KPIs over 12 months with "
        "intervals, trend, breakdowns where not suppressed, and the comments a person released.",
        epilog="Example: victim-voice contract-pack --contract SARC --out packs   (or --all)",
    )
    which = pack.add_mutually_exclusive_group(required=True)
    which.add_argument("--contract", help="contract code, e.g. HORIZON, SARC, DA_SWINDON")
    which.add_argument("--all", action="store_true", help="every contract in the codebook")
    add_path_options(pack)
    pack.add_argument("--out", type=Path, required=True, help="folder to write into")
    pack.set_defaults(handler=command_contract_pack)

    comments = commands.add_parser(
        "comments",
        help="review the comments that may go into contract packs, and record a person's approval",
        description="A comment leaves the warehouse (in a contract pack) only after a person has released it: "
        "`comments review` writes a workbook of the comments awaiting a decision, `comments approve` records "
        "the decisions made in it.",
        epilog="Example: victim-voice comments review --contract SARC --out review",
    )
    steps = comments.add_subparsers(dest="step", required=True, metavar="STEP")
    review = steps.add_parser(
        "review",
        help="write an XLSX of a contract's comments awaiting a decision",
        description="Write <CODE>_comment_review_<time>.xlsx listing the contract's candidate comments of the "
        "packs' 12 months that no one has decided on: redacted text, the capitalised words and numbers left in "
        "it, a decision to choose and a cell for an edited text. Nothing is written when none await.",
        epilog="Example: victim-voice comments review --contract SARC --out review",
    )
    review.add_argument("--contract", required=True, help="contract code, e.g. HORIZON, SARC, DA_SWINDON")
    review.add_argument("--out", type=Path, required=True, help="folder to write into")
    add_path_options(review)
    review.set_defaults(handler=command_comments_review)
    approve = steps.add_parser(
        "approve",
        help="record the decisions of a review workbook",
        description="Read a review workbook back and record each decision (release, withhold, release as "
        "edited) in audit.comment_approvals with the reviewer's name and the time; an edited text is redacted "
        "again. A workbook with a problem records nothing (exit 2); a row whose comment changed since the "
        "workbook was written is refused and the rest recorded (exit 1).",
        epilog="Example: victim-voice comments approve review/SARC_comment_review_20250103-091500.xlsx "
        '--reviewer "A. Reviewer"',
    )
    approve.add_argument("file", type=Path, help="the review workbook, decisions filled in")
    approve.add_argument("--reviewer", required=True, metavar="NAME", help="the person who made the decisions")
    add_path_options(approve)
    approve.set_defaults(handler=command_comments_approve)

    report = commands.add_parser(
        "report",
        help="write the report (self-contained HTML, A4 PDF, charts as PNG and SVG)",
        description="Write the report for the 3 months ending PERIOD (beside the 12 months), a financial "
        "quarter or a financial year: headline with intervals, what changed and which groups differ "
        "(significant on q-values), trend, crime types, Victims' Code, service journey, contract KPI ratings, "
        "quotas. Tables use 12 months where the data cover them, otherwise 3, and say which. Opens offline; "
        "the PDF is A4 with page numbers; the charts are saved beside it for pasting into papers.",
        epilog="Examples: victim-voice report --period 2026-11 --out reports; "
        "victim-voice report --period-type quarter --period 2026-09 --out reports (Q2 2026-27, Jul-Sep); "
        "victim-voice report --period-type financial_year --period 2026-03 --out reports (2025-26)",
    )
    report.add_argument("--period", required=True, help="the last month of the report, YYYY-MM")
    report.add_argument(
        "--period-type",
        choices=("rolling", "quarter", "financial_year"),
        default="rolling",
        help="rolling 3 months (default); quarter: the financial quarter ending PERIOD (June, September, "
        "December, March); financial_year: April to March, PERIOD is the March",
    )
    report.add_argument("--no-pdf", dest="pdf", action="store_false", help="skip the PDF copy")
    add_path_options(report)
    report.add_argument("--out", type=Path, required=True, help="folder to write into")
    report.set_defaults(handler=command_report)

    keygen = commands.add_parser(
        "keygen",
        help="create the pseudonymisation key file (once)",
        description="Create a random 256-bit key for crime-number pseudonyms, owner-only; never overwrites.",
        epilog="Example: victim-voice keygen   (writes ~/.config/victim-voice/pseudonym.key)",
    )
    keygen.add_argument("--key-file", type=Path, help="where to write it [VICTIM_VOICE_PSEUDONYM_KEY_FILE]")
    keygen.set_defaults(handler=command_keygen)

    redact = commands.add_parser(
        "redact",
        help="redact a JSON-lines file of comments (to measure the redactor on your own text)",
        description='Read lines {"id": ..., "text": ...}; write {"id": ..., "redacted": ..., "spans": '
        '[{"start": ..., "end": ..., "type": ...}]} with spans on the input text. No warehouse needed.',
        epilog="Example: victim-voice redact --in comments.jsonl --out redacted.jsonl   (- for stdin or stdout)",
    )
    redact.add_argument("--in", dest="input", required=True, help="JSON-lines file of comments, or - for stdin")
    redact.add_argument("--out", dest="output", required=True, help="where to write the result, or - for stdout")
    redact.set_defaults(handler=command_redact)

    themes = commands.add_parser(
        "themes",
        help="code comments into the codeframe's themes and a sentiment",
        description="The codeframe's 14 themes, each with a polarity (POS, NEG or MIXED), and each comment's "
        "sentiment (POSITIVE, NEGATIVE, MIXED, NEUTRAL), offline.",
        epilog="Example: victim-voice themes classify --in comments.jsonl --out coded.jsonl",
    )
    themes_steps = themes.add_subparsers(dest="step", required=True, metavar="STEP")
    classify = themes_steps.add_parser(
        "classify",
        help="code a JSON-lines file of comments (to check the classifier on your own labelled comments)",
        description='Read lines {"id": ..., "text": ...}; write {"id": ..., "themes": {"<theme>": "POS" | "NEG" | '
        '"MIXED"}, "sentiment": ...}. No warehouse needed; measure the result against your own labels. A line '
        "that is not a JSON object with a text is an error naming the file and line (exit 2).",
        epilog="Example: victim-voice themes classify --in comments.jsonl --out coded.jsonl   (- for stdin or stdout)",
    )
    classify.add_argument("--in", dest="input", required=True, help="JSON-lines file of comments, or - for stdin")
    classify.add_argument("--out", dest="output", required=True, help="where to write the codes, or - for stdout")
    classify.add_argument(
        "--workers",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="processes coding a large file (5,000 comments or more) at once (default: 2, or 1 on one CPU)",
    )
    classify.set_defaults(handler=command_themes_classify)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: parse, run, map user errors to messages and exit codes."""
    os.umask(0o077)  # everything this process creates is owner-only
    args = build_parser().parse_args(argv)
    try:
        with faults_typed():  # a full disk or a read-only folder met anywhere (an output file): exit 5, one line
            return args.handler(args, Settings.from_env())
    except (UsageError, ConfigurationError, WarehouseMissing) as error:
        print(f"victim-voice: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except WarehouseBusy as error:
        print(f"victim-voice: {error}", file=sys.stderr)
        return EXIT_BUSY
    except StorageFault as error:
        print(f"victim-voice: storage fault: {error}", file=sys.stderr)
        return EXIT_STORAGE
    except WarehouseDamaged as error:
        print(f"victim-voice: {error}", file=sys.stderr)
        return EXIT_DAMAGED
    except BackupInvalid as error:
        print(f"victim-voice: the backup failed its check: {error}", file=sys.stderr)
        return EXIT_BACKUP
    except KeyboardInterrupt:
        print("victim-voice: interrupted; files not finished are left for the next run", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `query ... | head`: the reader has what it wanted
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so that flushing at exit raises nothing more
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
