"""The ``victim-voice`` command.

Exit status: 0 every new file loaded (quarantined rows are normal); 1 a file was
rejected; 2 a usage or configuration error; 3 the warehouse is in use by another
process (try again later).

Examples::

    victim-voice ingest --landing data/landing --warehouse data/warehouse.duckdb
    victim-voice demo
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from warehouse.db import WarehouseBusy, WarehouseMissing
from warehouse.settings import ConfigurationError, Settings

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_BUSY = 0, 1, 2, 3
DEMO_MARKER = ".victim-voice-demo"


class UsageError(Exception):
    """A mistake on the command line; the message says what to do instead."""


# --------------------------------------------------------------------------- output


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table.

    >>> print(format_table(["a", "b"], [[1, "x"]]))
    a  b
    -  -
    1  x
    """
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)


def describe_ignored(columns: Sequence[str], shown: int = 3) -> str:
    """A short note on unknown columns that were ignored."""
    if not columns:
        return ""
    more = f" and {len(columns) - shown} more" if len(columns) > shown else ""
    return f"ignored unknown column(s): {', '.join(columns[:shown])}{more}"


def summarise_outcomes(outcomes: list[dict]) -> str:
    """The per-file summary printed after an ingestion."""
    if not outcomes:
        return "No new delivery files: nothing to do."
    headers = ["file", "status", "rows", "loaded", "quarantined", "corrections", "note"]
    rows = [
        [
            o["file_name"],
            o["status"],
            o["rows_in_file"],
            o["rows_loaded"],
            o["rows_quarantined"],
            o["rows_corrected"],
            o["reason"] or describe_ignored(o["ignored_columns"]),
        ]
        for o in outcomes
    ]
    totals = ["total", "", sum(o["rows_in_file"] or 0 for o in outcomes)]
    totals += [sum(o[k] for o in outcomes) for k in ("rows_loaded", "rows_quarantined", "rows_corrected")] + [""]
    return format_table(headers, [*rows, totals])


def exit_status(outcomes: list[dict]) -> int:
    """1 when any file was rejected, else 0."""
    return EXIT_REJECTED if any(o["status"] == "REJECTED" for o in outcomes) else EXIT_OK


# --------------------------------------------------------------------------- commands


def run_ingestion_flow(settings: Settings, run_date: date | None = None) -> list[dict]:
    """Run the Prefect flow (imported here so commands that run no flow stay fast)."""
    from warehouse.settings import apply_prefect_offline_defaults

    apply_prefect_offline_defaults()
    from flows.monthly_ingestion import monthly_ingestion

    return monthly_ingestion(landing=str(settings.landing), warehouse=str(settings.warehouse), run_date=run_date)


def command_ingest(args: argparse.Namespace, settings: Settings) -> int:
    """Validate and load every new delivery in the landing folder."""
    settings = settings.with_paths(args.landing, args.warehouse)
    from warehouse.ingestion import check_landing
    from warehouse.pseudonym import load_pseudonym_key

    check_landing(settings.landing)
    load_pseudonym_key(settings)
    outcomes = run_ingestion_flow(settings)
    print(summarise_outcomes(outcomes))
    print(f"\nWarehouse: {settings.warehouse}")
    return exit_status(outcomes)


def prepare_demo_folder(folder: Path) -> None:
    """An empty demo folder; an existing one is wiped only if a previous demo made it."""
    if folder.exists():
        if not (folder / DEMO_MARKER).exists():
            raise UsageError(f"{folder} exists and was not made by `victim-voice demo`; choose another --dir")
        shutil.rmtree(folder)
    folder.mkdir(parents=True, mode=0o700)
    (folder / DEMO_MARKER).write_text("made by victim-voice demo; safe to delete\n", encoding="utf-8")


def quarantine_summary(warehouse: Path) -> str:
    """Quarantined rows by rule, read back from the warehouse."""
    from warehouse.db import open_reader

    with open_reader(warehouse) as con:
        rows = con.execute(
            """
            select check_name, count(*) as failed_checks, count(distinct (delivery_id, row_number)) as rows
            from audit.quarantine group by check_name order by failed_checks desc, check_name
            """
        ).fetchall()
        current = con.execute("select count(*) from marts.responses").fetchall()[0][0]
    table = format_table(["check", "failed checks", "rows"], rows) if rows else "(no quarantined rows)"
    return f"Quarantined rows by contract rule:\n{table}\n\nCurrent responses in marts.responses: {current}"


def command_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Generate realistic demo deliveries and run the monthly flow on them."""
    from victim_voice.demo_data import write_demo_deliveries

    folder: Path = args.dir
    prepare_demo_folder(folder)
    settings = Settings(
        landing=folder / "landing",
        warehouse=folder / "warehouse.duckdb",
        key_file=folder / "demo-pseudonym.key",  # a throwaway key for made-up data
    )
    settings.landing.mkdir(mode=0o700)
    manifests = write_demo_deliveries(settings.landing, months=args.months, seed=args.seed)
    print(f"Generated {len(manifests)} demo deliveries in {settings.landing}\n")
    outcomes = run_ingestion_flow(settings)
    print(summarise_outcomes(outcomes))
    print()
    print(quarantine_summary(settings.warehouse))
    print(f"\nWarehouse: {settings.warehouse.resolve()}")
    print("Query it with DuckDB, e.g.: select crime_group, count(*) from marts.responses group by all")
    return exit_status(outcomes)


# --------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="victim-voice",
        description="Victim Voice: the OPCC victims' survey pipeline.",
        epilog="Exit status: 0 ok, 1 a file was rejected, 2 usage or configuration error, 3 warehouse busy.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ingest = commands.add_parser(
        "ingest",
        help="validate and load every new delivery in the landing folder",
        description="Validate and load every new delivery file (in order of period, then sequence).",
        epilog="Example: victim-voice ingest --landing data/landing --warehouse data/warehouse.duckdb",
    )
    ingest.add_argument("--landing", type=Path, help="folder the supplier drops files into [VICTIM_VOICE_LANDING]")
    ingest.add_argument("--warehouse", type=Path, help="DuckDB warehouse file [VICTIM_VOICE_WAREHOUSE]")
    ingest.set_defaults(handler=command_ingest)

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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: parse, run, map user errors to messages and exit codes."""
    os.umask(0o077)  # everything this process creates is owner-only
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args, Settings.from_env())
    except (UsageError, ConfigurationError, WarehouseMissing) as error:
        print(f"victim-voice: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except WarehouseBusy as error:
        print(f"victim-voice: {error}", file=sys.stderr)
        return EXIT_BUSY
    except KeyboardInterrupt:
        print("victim-voice: interrupted; files not finished are left for the next run", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
