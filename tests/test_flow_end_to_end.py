"""The real Prefect flow, end to end, on a local temporary Prefect server (one per session)."""

from __future__ import annotations

import http.server
import json
import logging
import pickle
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
import yaml

from tests.conftest import RUN_DATE, base_row, full_month, write_csv
from victim_voice.delivery.outcome import Status
from victim_voice.outputs.alerts import AlertKind
from victim_voice.settings import Settings, apply_prefect_offline_defaults
from warehouse.db import open_reader

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """One Prefect test server for the session, heartbeats off (about 10 s to start)."""
    apply_prefect_offline_defaults()
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with (
        prefect_test_harness(server_startup_timeout=120),
        temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
    ):
        yield


class Collect(logging.Handler):
    """Every record Prefect's loggers emit (they do not propagate to the root logger)."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.messages: list[str] = []
        self.tracebacks: list[str] = []  # records that would print one

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
        if record.exc_info:
            self.tracebacks.append(record.getMessage())


@pytest.fixture
def prefect_log() -> Iterator[Collect]:
    from prefect.logging.configuration import setup_logging

    setup_logging()  # configure first: Prefect's dictConfig would drop a handler added before it
    handler = Collect()
    loggers = [logging.getLogger(name) for name in ("prefect.flow_runs", "prefect.task_runs")]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler
    for logger in loggers:
        logger.removeHandler(handler)


def test_cli_runs_the_real_flow(prefect_server, settings: Settings, capsys, prefect_log: Collect) -> None:
    from victim_voice.cli import main

    write_csv(
        settings.landing / "VictimVoice_2024-05_01.csv",
        [base_row(comment_police="Call PC Sarah Jones on 07700 900123"), base_row(response_id="VV00000002", mode="")],
    )
    write_csv(
        settings.landing / "VictimVoice_2024-06_01.csv",
        [base_row(response_id="VV00000003", interview_date="2024-06-02")],
    )
    code = main(["ingest", "--landing", str(settings.landing), "--warehouse", str(settings.warehouse)])
    out = capsys.readouterr().out

    assert code == 4  # loaded, with alerts: 1 of 2 rows quarantined, quotas short, this year's months late
    assert "QUARANTINE_SHARE" in out and "SUPPLIER_LATE" in out
    assert ["total", "3", "2", "1", "0"] in [line.split() for line in out.splitlines()]
    logged = "\n".join(prefect_log.messages)
    assert "VictimVoice_2024-05_01.csv: LOADED, 2 rows in file, 1 loaded (0 corrections), 1 quarantined" in logged
    for personal in ("Sarah", "07700", "54123456789"):
        assert personal not in logged and personal not in out


def test_the_flow_returns_typed_counts(prefect_server, settings: Settings) -> None:
    from flows.monthly_ingestion import monthly_ingestion
    from victim_voice.ingestion.result import IngestionResult

    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", full_month("2024-05"))
    paths = {"landing": str(settings.landing), "warehouse": str(settings.warehouse), "run_date": RUN_DATE}
    state = monthly_ingestion(**paths, return_state=True)
    assert state.is_completed()
    result = state.result()
    assert [(o.file_name, o.status, o.rows_loaded) for o in result.files] == [
        ("VictimVoice_2024-05_01.csv", Status.LOADED, 170)
    ]
    assert result.alerts == ()
    assert pickle.loads(pickle.dumps(result)) == result  # plain values: safe wherever Prefect keeps it
    assert monthly_ingestion(**paths) == IngestionResult(files=())
    with open_reader(settings.warehouse) as con:  # the flow refreshed the metrics
        assert con.sql("select count(*) from marts.metric_values where metric = 'sat_overall'").fetchall()[0][0] > 9


def test_prefect_yaml_schedules_the_same_flow() -> None:
    from pathlib import Path

    spec = yaml.safe_load((Path(__file__).parents[1] / "prefect.yaml").read_text(encoding="utf-8"))
    [deployment] = [d for d in spec["deployments"] if d["name"] == "monthly-ingestion"]
    assert deployment["entrypoint"] == "flows/monthly_ingestion.py:monthly_ingestion"
    assert deployment["schedules"] == [{"cron": "0 7 3 * *", "timezone": "Europe/London"}]
    module, _, name = deployment["entrypoint"].partition(":")
    assert f"def {name}(" in (Path(__file__).parents[1] / module).read_text(encoding="utf-8")


PLANTED = {
    "name": "Sarah Jones",
    "first name": "Gareth",
    "phone": "07700 900123",
    "phone digits": "07700900123",
    "email": "sarah.jones@example.com",
    "postcode": "SN1 2AB",
    "ni number": "AB 12 34 56 C",
    "address": "12 Station Road",
    "date of birth": "12/03/1985",
    "crime number in text": "54230012345",
    "crime number": "54123456789",
    "bad crime number": "5412345678X",
}


def warehouse_text(warehouse) -> str:
    """Every text value of every table and view in the warehouse, as one string."""
    with open_reader(warehouse) as con:
        objects = con.sql(
            "select table_schema, table_name from information_schema.tables where table_catalog = current_database()"
        ).fetchall()
        parts = []
        for schema, table in objects:
            text_columns = [
                name
                for name, kind in con.execute(
                    "select column_name, data_type from information_schema.columns"
                    " where table_schema = ? and table_name = ?",
                    [schema, table],
                ).fetchall()
                if kind == "VARCHAR"
            ]
            for column in text_columns:
                values = con.sql(f'select distinct "{column}" from "{schema}"."{table}"').fetchall()
                parts += [str(v[0]) for v in values]
    return "\n".join(parts)


def test_planted_identifiers_reach_no_log_no_prefect_record_and_no_warehouse_column(
    prefect_server, settings: Settings, prefect_log: Collect, capsys
) -> None:
    from prefect.settings import PREFECT_API_DATABASE_CONNECTION_URL

    from victim_voice.cli import main

    comment = (
        f"PC {PLANTED['name']} and my neighbour {PLANTED['first name']} helped. Call {PLANTED['phone']} or "
        f"{PLANTED['email']}; I live at {PLANTED['address']}, {PLANTED['postcode']}. NI {PLANTED['ni number']}, "
        f"born {PLANTED['date of birth']}, crime ref {PLANTED['crime number in text']}."
    )
    rows = [
        base_row(comment_police=comment, comment_services=comment, crime_reference=PLANTED["crime number"]),
        base_row(response_id="VV00000002", mode=f"{PLANTED['name']} {PLANTED['phone digits']}"),  # quarantined
        base_row(response_id="VV00000003", crime_reference=PLANTED["bad crime number"]),  # quarantined
    ]
    row_with_header = {**rows[0], PLANTED["name"]: "x"}
    write_csv(
        settings.landing / "VictimVoice_2024-05_01.csv",
        [row_with_header, *({**r, PLANTED["name"]: ""} for r in rows[1:])],
    )
    write_csv(settings.landing / f"{PLANTED['name']} complaint {PLANTED['phone digits']}.csv", rows)  # misnamed

    assert main(["ingest", "--landing", str(settings.landing), "--warehouse", str(settings.warehouse)]) == 1
    capsys.readouterr()

    logs = "\n".join(prefect_log.messages)
    database = Path(PREFECT_API_DATABASE_CONNECTION_URL.value().split("///", 1)[1])
    prefect_records = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
    stored = warehouse_text(settings.warehouse)
    assert "VictimVoice_2024-05_01.csv: LOADED" in logs and "[NAME]" in stored  # the scan sees real content
    import sqlite3

    with sqlite3.connect(database) as prefect_db:  # the run summary artifact exists, and was scanned above
        summaries = prefect_db.execute("select data from artifact where key = 'monthly-ingestion-summary'").fetchall()
    assert summaries and "VictimVoice_2024-05_01.csv" in summaries[-1][0]
    for kind, value in PLANTED.items():
        assert value not in logs, f"{kind} in the Prefect logs"
        assert value.encode() not in prefect_records, f"{kind} in Prefect's database"
        assert value not in stored, f"{kind} in the warehouse"


def test_publication_and_backfill_flows(prefect_server, tmp_path: Path) -> None:
    from flows.publication import backfill, monthly_publication
    from tests.given import build_warehouse

    rows = [{"interview_date": f"2024-0{m}-10", "sat_overall": 6} for m in range(1, 6) for _ in range(12)]
    warehouse = str(build_warehouse(tmp_path / "w.duckdb", [rows]))
    written = monthly_publication(warehouse=warehouse, out=str(tmp_path / "out"))
    names = sorted(Path(p).name for p in written)
    assert "VictimVoice_report_2024-05.html" in names and "SARC_contract_pack.xlsx" in names
    assert "published.duckdb" in names
    reports = backfill(first="2024-03", last="2024-04", warehouse=warehouse, out=str(tmp_path / "backfill"))
    assert sorted(Path(p).name for p in reports if p.endswith(".html")) == [
        "VictimVoice_report_2024-03.html",
        "VictimVoice_report_2024-04.html",
    ]


def test_every_deployment_in_prefect_yaml_points_at_a_flow() -> None:
    import importlib

    spec = yaml.safe_load((Path(__file__).parents[1] / "prefect.yaml").read_text(encoding="utf-8"))
    for deployment in spec["deployments"]:
        module, _, name = deployment["entrypoint"].partition(":")
        flow_function = getattr(importlib.import_module(module.removesuffix(".py").replace("/", ".")), name)
        assert hasattr(flow_function, "deploy"), deployment["name"]  # a Prefect flow
        assert set(deployment.get("parameters", {})) <= set(flow_function.parameters.properties)


def test_only_a_locked_file_is_retried() -> None:
    from prefect.states import Failed

    from flows.monthly_ingestion import retry_on_transient_fault
    from victim_voice.settings import ConfigurationError
    from warehouse.db import WarehouseBusy

    assert retry_on_transient_fault(None, None, Failed(data=WarehouseBusy("busy"))) is False  # it waited already
    assert retry_on_transient_fault(None, None, Failed(data=PermissionError(13, "locked"))) is True
    assert retry_on_transient_fault(None, None, Failed(data=ConfigurationError("no key"))) is False
    assert retry_on_transient_fault(None, None, Failed(data=ValueError("a bug"))) is False


def test_a_batch_is_prepared_by_worker_processes_inside_the_flow(
    prefect_server, settings: Settings, monkeypatch, prefect_log: Collect
) -> None:
    """A backfill's files are prepared by workers; the flow's tasks load what they prepared."""
    from flows.monthly_ingestion import monthly_ingestion
    from victim_voice.ingestion import parallel

    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setenv("VICTIM_VOICE_WORKERS", "2")
    prepared_by_workers = []
    take = parallel.PreparedAhead.take

    def counting_take(self, path):
        prepared = take(self, path)
        prepared_by_workers.append(prepared is not None)
        return prepared

    monkeypatch.setattr(parallel.PreparedAhead, "take", counting_take)
    may = full_month("2024-05")
    may[0] = {**may[0], "comment_police": "Call PC Sarah Jones on 07700 900123"}
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", may)
    write_csv(settings.landing / "VictimVoice_2024-06_01.csv", full_month("2024-06"))
    state = monthly_ingestion(
        landing=str(settings.landing), warehouse=str(settings.warehouse), run_date=RUN_DATE, return_state=True
    )
    files = state.result(raise_on_failure=False).files
    assert [(o.status, o.rows_loaded) for o in files] == [(Status.LOADED, 170), (Status.LOADED, 170)]
    assert prepared_by_workers == [True, True]
    with open_reader(settings.warehouse) as con:
        comment = con.sql("select comment_police from marts.responses where response_id = 'VV24050000'").fetchall()
    assert comment == [("Call PC [NAME] on [PHONE]",)]
    assert "Sarah" not in "\n".join(prefect_log.messages)


def busy_on_call(number: int, function, calls: list):
    """``function``, except that its call ``number`` finds the warehouse busy past the wait
    (``calls`` counts them)."""
    from warehouse.db import WarehouseBusy

    def busy_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == number:
            raise WarehouseBusy("the warehouse is in use by another process", "python3.11, PID 4242")
        return function(*args, **kwargs)

    return busy_once


def test_a_warehouse_busy_past_the_wait_stops_the_run_saying_what_it_did(
    prefect_server, settings: Settings, monkeypatch
) -> None:
    """The second file's opening waited in vain: no retry (the wait was the retry), the first
    file stays loaded, the second is left for the next run, and the run ends Failed."""
    import flows.monthly_ingestion as module

    attempts = []
    monkeypatch.setattr(module, "ingest_one", busy_on_call(2, module.ingest_one, attempts))
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", [base_row()])
    write_csv(settings.landing / "VictimVoice_2024-06_01.csv", [base_row(response_id="VV00000002")])
    state = module.monthly_ingestion(
        landing=str(settings.landing), warehouse=str(settings.warehouse), return_state=True
    )
    result = state.result(raise_on_failure=False)
    assert state.is_failed() and "stopped, warehouse busy" in state.message
    assert len(attempts) == 2
    assert [o.file_name for o in result.files] == ["VictimVoice_2024-05_01.csv"]
    assert (result.stopped, result.left) == ("python3.11, PID 4242", ("VictimVoice_2024-06_01.csv",))


def test_a_warehouse_busy_past_the_wait_before_a_batch_starts_nothing(
    prefect_server, settings: Settings, monkeypatch
) -> None:
    """The batch's pre-check waited in vain: no worker starts, nothing is read, every file is
    left for the next run."""
    import flows.monthly_ingestion as module
    from victim_voice.ingestion import parallel

    monkeypatch.setenv("VICTIM_VOICE_WORKERS", "2")
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "open_writer", busy_on_call(1, parallel.open_writer, []))
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", [base_row()])
    write_csv(settings.landing / "VictimVoice_2024-06_01.csv", [base_row(response_id="VV00000002")])
    state = module.monthly_ingestion(
        landing=str(settings.landing), warehouse=str(settings.warehouse), return_state=True
    )
    result = state.result(raise_on_failure=False)
    assert state.is_failed() and result.files == ()
    assert result.left == ("VictimVoice_2024-05_01.csv", "VictimVoice_2024-06_01.csv")


def test_the_demo_loads_what_it_just_wrote(prefect_server, tmp_path: Path, monkeypatch, capsys) -> None:
    """The demo writes its files and ingests them at once: the upload wait must not apply."""
    from victim_voice.cli import main

    monkeypatch.delenv("VICTIM_VOICE_SETTLE_SECONDS")  # the default, 60 s
    assert main(["demo", "--dir", str(tmp_path / "demo"), "--months", "3"]) == 0
    out = capsys.readouterr().out
    total = next(line.split() for line in out.splitlines() if line.startswith("total"))
    assert int(total[2]) > 300  # loaded rows
    assert "VictimVoice_report_" in out and "_contract_pack.xlsx" in out


class Webhook(http.server.BaseHTTPRequestHandler):
    """A local stand-in for a Teams or e-mail webhook: keeps what it is sent."""

    received: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Webhook.received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def test_alerts_fail_the_run_with_an_artifact_and_a_notification(
    prefect_server, settings: Settings, monkeypatch
) -> None:
    from prefect.blocks.notifications import CustomWebhookNotificationBlock
    from prefect.client.orchestration import get_client

    from flows.monthly_ingestion import monthly_ingestion

    server = http.server.HTTPServer(("127.0.0.1", 0), Webhook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    CustomWebhookNotificationBlock(
        name="opcc-alerts",
        url=f"http://127.0.0.1:{server.server_port}/hook",
        json_data={"title": "{{subject}}", "text": "{{body}}"},
    ).save("opcc-alerts", overwrite=True)
    monkeypatch.setenv("VICTIM_VOICE_ALERT_BLOCK", "custom-webhook/opcc-alerts")
    rows = full_month("2024-05")
    rows[-1].update(mode="", comment_police="Call Sarah Jones on 07700 900123")
    for row in rows[-10:-1]:
        row["mode"] = ""
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", rows)
    (settings.landing / "VictimVoice_2024-05_02.csv").write_text("not,a,delivery\n")
    try:
        state = monthly_ingestion(
            landing=str(settings.landing), warehouse=str(settings.warehouse), run_date=RUN_DATE, return_state=True
        )
    finally:
        server.shutdown()

    assert state.is_failed()
    assert state.message == (
        "3 alerts: QUARANTINE_SHARE VictimVoice_2024-05_01.csv; FILE_REJECTED VictimVoice_2024-05_02.csv;"
        " QUOTA_SHORTFALL 2024-05"
    )
    result = state.result(raise_on_failure=False)
    assert [a.kind for a in result.alerts] == [
        AlertKind.QUARANTINE_SHARE,
        AlertKind.FILE_REJECTED,
        AlertKind.QUOTA_SHORTFALL,
    ]
    assert result.files[0].rows_loaded == 160  # the good rows are loaded all the same
    with get_client(sync_client=True) as client:
        artifact = client.read_latest_artifacts()
        markdown = next(a.data for a in artifact if a.key == "monthly-ingestion-alerts")
    assert "QUARANTINE_SHARE | VictimVoice_2024-05_01.csv | 10 of 170 rows quarantined" in markdown
    [sent] = Webhook.received
    assert sent["title"].startswith("Victim Voice monthly ingestion: 3 alerts")
    assert "QUOTA_SHORTFALL 2024-05: total: 160 delivered, quota 170" in sent["text"]
    for personal in ("Sarah", "07700", "54123456789"):
        assert personal not in markdown + json.dumps(sent)


def test_victim_voice_serve_uses_the_schedules_of_prefect_yaml() -> None:
    from flows.serving import SCHEDULES, TIMEZONE

    declared = yaml.safe_load((Path(__file__).parents[1] / "prefect.yaml").read_text(encoding="utf-8"))
    scheduled = {d["name"]: d["schedules"] for d in declared["deployments"] if d.get("schedules")}
    assert {name: [(s["cron"], s["timezone"]) for s in crons] for name, crons in scheduled.items()} == {
        name: [(cron, TIMEZONE)] for name, cron in SCHEDULES.items()
    }


def test_a_storage_fault_in_a_task_is_one_line_and_exit_5(
    prefect_server, settings: Settings, monkeypatch, capsys, prefect_log: Collect
) -> None:
    """A full disk while a task loads a file: the task fails, the flow ends Failed with the
    fault's line and the fault as its data, the CLI prints it (exit 5); no traceback, neither
    from the CLI nor in Prefect's log."""
    import duckdb
    from prefect.logging.handlers import PrefectConsoleHandler

    from victim_voice.cli import main
    from warehouse import storage

    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", full_month("2024-05"))

    def disk_full(*args: object) -> None:
        raise duckdb.IOException(f'IO Error: Could not write file "{settings.warehouse}.wal": No space left on device')

    monkeypatch.setattr(storage, "insert_response_versions", disk_full)
    # Prefect's console handler is bound to a stream an earlier test's capture closed; its
    # records are read through prefect_log instead.
    monkeypatch.setattr(PrefectConsoleHandler, "emit", lambda self, record: None)
    code = main(["ingest", "--landing", str(settings.landing), "--warehouse", str(settings.warehouse)])
    err = capsys.readouterr().err
    assert code == 5 and prefect_log.tracebacks == []
    assert err == (
        f"victim-voice: storage fault: {settings.warehouse}.wal: the disk is full (No space left on device); "
        "free space on that disk (or move the folder to a larger one), then run again. Nothing was lost\n"
    )
    assert any("the disk is full" in message for message in prefect_log.messages)  # the run's log says it too
    with open_reader(settings.warehouse) as con:
        assert con.sql("select count(*) from audit.deliveries").fetchall() == [(0,)]


def test_what_a_stopped_run_recorded_is_alerted_by_the_next_run_until_sent(
    prefect_server, settings: Settings, monkeypatch
) -> None:
    """A run recorded a rejection and stopped before alerting; the next run alerts it, and keeps
    alerting it while the notification cannot be sent; once out, never again."""
    from flows.monthly_ingestion import monthly_ingestion
    from victim_voice.ingestion.run import ingest_landing

    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", full_month("2024-05"))
    (settings.landing / "notes.txt").write_text("not a delivery")
    ingest_landing(settings, RUN_DATE)  # ... and the run stops here, before its alerts
    paths = {"landing": str(settings.landing), "warehouse": str(settings.warehouse), "run_date": RUN_DATE}

    monkeypatch.setenv("VICTIM_VOICE_ALERT_BLOCK", "custom-webhook/no-such-block")  # sending fails
    for _ in range(2):
        state = monthly_ingestion(**paths, return_state=True)
        assert state.is_failed() and state.message.startswith("1 alert: FILE_REJECTED (a misnamed file, name hash ")
        [alert] = state.result(raise_on_failure=False).alerts
        assert alert.detail.endswith("(recorded by an earlier run that stopped before alerting)")
    monkeypatch.delenv("VICTIM_VOICE_ALERT_BLOCK")  # no block: the Failed run and its artifact are the alert
    assert monthly_ingestion(**paths, return_state=True).is_failed()
    assert monthly_ingestion(**paths, return_state=True).is_completed()  # alerted once out
