"""Alerts: rejected files, too many rows quarantined, quota shortfalls and a late supplier."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from tests.conftest import RUN_DATE, full_month, write_csv
from victim_voice.delivery.files import log_name
from victim_voice.ingestion.run import ingest_landing
from victim_voice.outputs.alerts import (
    AlertKind,
    alert_message,
    alerts_markdown,
    earlier_unalerted,
    find_alerts,
    mark_alerted,
)
from victim_voice.settings import ConfigurationError, Settings
from warehouse.db import open_writer


def run(settings: Settings, run_date: date = RUN_DATE) -> list[tuple[str, str]]:
    outcomes = ingest_landing(settings, run_date)
    return [(a.kind, a.subject) for a in find_alerts(outcomes, settings, run_date)]


def test_a_month_that_meets_every_quota_on_time_raises_nothing(settings: Settings) -> None:
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", full_month("2024-05"))
    assert run(settings) == []


def test_a_rejected_file_is_an_alert_under_its_label(settings: Settings) -> None:
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", full_month("2024-05"))
    (settings.landing / "Jane Smith notes.csv").write_text("x")
    alerts = run(settings)
    assert alerts[0][0] == AlertKind.FILE_REJECTED and "Jane" not in alerts[0][1]
    assert len(alerts) == 1


def test_quarantine_share_over_the_threshold_only(settings: Settings) -> None:
    rows = full_month("2024-05", rows=180)
    for row in rows[170:179]:  # 9 of 180 bad = 5.0%: not above 5%
        row["mode"] = ""
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", rows)
    assert run(settings) == []
    rows = full_month("2024-06", rows=180)
    for row in rows[170:]:  # 10 of 180 = 5.6%
        row["mode"] = ""
    write_csv(settings.landing / "VictimVoice_2024-06_01.csv", rows)
    assert run(settings, date(2024, 7, 1)) == [(AlertKind.QUARANTINE_SHARE, "VictimVoice_2024-06_01.csv")]


def test_the_share_is_configurable(settings: Settings, monkeypatch) -> None:
    monkeypatch.setenv("VICTIM_VOICE_QUARANTINE_ALERT_SHARE", "1%")
    settings = replace(settings, quarantine_alert_share=Settings.from_env().quarantine_alert_share)
    rows = full_month("2024-05", rows=172)
    rows[-1]["mode"] = rows[-2]["mode"] = ""  # 2 of 172 = 1.2%
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", rows)
    assert run(settings) == [(AlertKind.QUARANTINE_SHARE, "VictimVoice_2024-05_01.csv")]


def test_quota_shortfalls_of_the_months_loaded_in_this_run(settings: Settings) -> None:
    rows = full_month("2024-05")
    for row in rows[40:55]:
        row["crime_group"] = "THEFT"  # no sexual offences
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", rows)
    assert run(settings) == [(AlertKind.QUOTA_SHORTFALL, "2024-05")]
    # a later run loading June alerts on June only, not May again
    write_csv(settings.landing / "VictimVoice_2024-06_01.csv", full_month("2024-06"))
    assert run(settings, date(2024, 7, 1)) == []


def test_a_top_up_that_meets_the_quota_clears_it(settings: Settings) -> None:
    rows = full_month("2024-05")
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", rows[:150])
    assert (AlertKind.QUOTA_SHORTFALL, "2024-05") in run(settings)
    write_csv(settings.landing / "VictimVoice_2024-05_02.csv", rows[150:])
    assert run(settings) == []


@pytest.mark.parametrize(
    ("run_date", "late"),
    [(date(2024, 6, 30), None), (date(2024, 7, 2), None), (date(2024, 7, 3), "2024-06"), (date(2024, 8, 1), "2024-06")],
)
def test_the_supplier_is_late_from_the_due_day(settings: Settings, run_date: date, late: str | None) -> None:
    """May is in; June is due by the end of 2 July; on 1 August June is still the latest month due."""
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", full_month("2024-05"))
    run(settings)
    assert run(settings, run_date) == ([(AlertKind.SUPPLIER_LATE, late)] if late else [])


def test_a_rejected_delivery_does_not_count_as_arrived(settings: Settings) -> None:
    (settings.landing / "VictimVoice_2024-05_01.csv").write_text("not,a,delivery\n1,2,3\n")
    assert run(settings, date(2024, 6, 5)) == [
        (AlertKind.FILE_REJECTED, "VictimVoice_2024-05_01.csv"),
        (AlertKind.SUPPLIER_LATE, "2024-05"),
    ]


def test_settings_are_checked(monkeypatch) -> None:
    monkeypatch.setenv("VICTIM_VOICE_DELIVERY_DUE_DAY", "5")
    assert Settings.from_env().delivery_due_day == 5
    monkeypatch.setenv("VICTIM_VOICE_DELIVERY_DUE_DAY", " 4 ")
    assert Settings.from_env().delivery_due_day == 4
    for name, bad in [
        ("VICTIM_VOICE_DELIVERY_DUE_DAY", "31"),
        ("VICTIM_VOICE_DELIVERY_DUE_DAY", "²"),
        ("VICTIM_VOICE_QUARANTINE_ALERT_SHARE", "5"),
    ]:
        monkeypatch.setenv(name, bad)
        with pytest.raises(ConfigurationError, match=name):
            Settings.from_env()
        monkeypatch.delenv(name)


def test_the_alert_texts_hold_aggregates_only(settings: Settings) -> None:
    rows = full_month("2024-05")[:20]
    rows[0].update(mode="", comment_police="Call Sarah Jones on 07700 900123")
    rows[1].update(mode="")
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", rows)
    outcomes = ingest_landing(settings, RUN_DATE)
    alerts = find_alerts(outcomes, settings, RUN_DATE)
    text = alerts_markdown(alerts) + alert_message(alerts)
    assert "QUARANTINE_SHARE" in text and "total: 18 delivered, quota 170" in text
    assert "Sarah" not in text and "07700" not in text and "54123456789" not in text


def test_deliveries_a_stopped_run_never_alerted_are_alerted_by_the_next(settings: Settings) -> None:
    """The first run records a rejection and a loaded file and stops before alerting (as a
    crash or a full disk would); the next run, with nothing new, alerts both, once."""
    (settings.landing / "Jane Smith notes.csv").write_text("x")
    rows = full_month("2024-05")
    for row in rows[:20]:
        row["mode"] = ""
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", rows)
    ingest_landing(settings, RUN_DATE)  # ... and the run stops here

    new = ingest_landing(settings, RUN_DATE)
    earlier = earlier_unalerted(settings, new)
    alerts = find_alerts(new, settings, RUN_DATE, earlier)
    assert new == []
    assert [(a.kind, a.subject) for a in alerts[:2]] == [
        (AlertKind.QUARANTINE_SHARE, "VictimVoice_2024-05_01.csv"),
        (AlertKind.FILE_REJECTED, log_name("Jane Smith notes.csv")),
    ]
    assert {(a.kind, a.subject) for a in alerts[2:]} == {(AlertKind.QUOTA_SHORTFALL, "2024-05")}
    assert all(a.detail.endswith("(recorded by an earlier run that stopped before alerting)") for a in alerts[:2])
    assert "Jane" not in " ".join(a.subject + a.detail for a in alerts)
    mark_alerted(settings, earlier)
    assert earlier_unalerted(settings, []) == []  # alerted once


def test_this_runs_own_deliveries_are_not_alerted_twice(settings: Settings) -> None:
    (settings.landing / "notes.txt").write_text("x")
    new = ingest_landing(settings, RUN_DATE)
    assert [o.delivery_id for o in new] == [1]
    assert earlier_unalerted(settings, new) == []
    mark_alerted(settings, new)
    with open_writer(settings.warehouse) as con:
        assert con.sql("select count(*) from audit.deliveries where alerted_at is null").fetchall() == [(0,)]


def test_a_warehouse_from_before_alerted_at_counts_its_deliveries_as_alerted(settings: Settings) -> None:
    (settings.landing / "notes.txt").write_text("x")
    ingest_landing(settings, RUN_DATE)
    with open_writer(settings.warehouse) as con:
        con.execute("alter table audit.deliveries drop column alerted_at")  # as an earlier version made it
    with open_writer(settings.warehouse) as con:  # opening for writing adds the column, filled for old rows
        assert con.sql("select alerted_at = processed_at from audit.deliveries").fetchall() == [(True,)]
    assert earlier_unalerted(settings, []) == []
