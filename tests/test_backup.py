"""victim-voice backup and restore: a checked copy, refused when tampered with, restored whole."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.conftest import RUN_DATE, base_row, write_csv
from victim_voice import cli
from victim_voice.ingestion.run import ingest_landing
from victim_voice.settings import Settings
from warehouse.db import open_writer


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A warehouse with two deliveries (one row quarantined, one correction) and its metrics,
    and a backup of it, made once; each test gets its own copy of both."""
    root = tmp_path_factory.mktemp("backup")
    settings = Settings(landing=root / "landing", warehouse=root / "warehouse.duckdb", pseudonym_key="k" * 32)
    write_csv(
        settings.landing / "VictimVoice_2024-04_01.csv",
        [base_row(interview_date="2024-04-10"), base_row(response_id="VV00000002", mode="")],
    )
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", [base_row(sat_overall="2")])
    ingest_landing(settings, RUN_DATE)
    return settings.warehouse, backup(settings, root / "backups")


@pytest.fixture
def loaded(built: tuple[Path, Path], settings: Settings) -> Settings:
    """This test's copy of the warehouse (at ``settings.warehouse``) and of its backup (``backups/``)."""
    warehouse, folder = built
    settings.warehouse.parent.mkdir(parents=True)
    shutil.copy(warehouse, settings.warehouse)
    shutil.copytree(folder, settings.warehouse.parent.parent / "backups" / folder.name)
    return settings


def backup(settings: Settings, out: Path) -> Path:
    assert cli.main(["backup", "--out", str(out), "--warehouse", str(settings.warehouse)]) == 0
    [folder] = out.iterdir()
    return folder


def backup_of(settings: Settings) -> Path:
    [folder] = (settings.warehouse.parent.parent / "backups").iterdir()
    return folder


def restore_args(folder: Path, warehouse: Path) -> list[str]:
    return ["restore", str(folder), "--warehouse", str(warehouse)]


def objects(con: duckdb.DuckDBPyConnection, database: str) -> list[tuple[str, str]]:
    return con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = $1"
        " union all select schema_name, view_name from duckdb_views() where database_name = $1 and not internal"
        " order by all",
        [database],
    ).fetchall()


def differences(original: Path, restored: Path) -> dict[str, tuple[int, int]]:
    """Rows of every table and view found in only one of the two warehouses (EXCEPT ALL both
    ways), by object; the definitions (columns, constraints, macros) compared too."""
    con = duckdb.connect()
    con.execute("set threads = 1")  # the same sums in the same order: views compare exactly
    con.execute(f"attach '{original}' as a (read_only)")
    con.execute(f"attach '{restored}' as b (read_only)")
    assert objects(con, "a") == objects(con, "b")
    for catalogue, columns in (
        ("duckdb_columns()", "schema_name, table_name, column_name, data_type, column_default, is_nullable"),
        ("duckdb_constraints()", "schema_name, table_name, constraint_type, constraint_text"),
        ("duckdb_functions()", "schema_name, function_name, macro_definition"),
    ):
        query = f"select {columns} from {catalogue} where database_name = ? order by all"
        assert con.execute(query, ["a"]).fetchall() == con.execute(query, ["b"]).fetchall(), catalogue
    found = {}
    for schema, name in objects(con, "a"):
        only = [
            con.execute(
                f"select count(*) from (from {x}.{schema}.{name} except all from {y}.{schema}.{name})"
            ).fetchall()[0][0]
            for x, y in (("a", "b"), ("b", "a"))
        ]
        if only != [0, 0]:
            found[f"{schema}.{name}"] = tuple(only)
    return found


def test_a_backup_restored_into_a_fresh_path_holds_every_row_of_every_table_and_view(
    loaded: Settings, tmp_path: Path, capsys
) -> None:
    folder = backup_of(loaded)
    assert sorted(p.name for p in folder.iterdir()) == ["manifest.json", "manifest.json.sha256", "warehouse.duckdb"]
    fresh = tmp_path / "elsewhere" / "warehouse.duckdb"

    assert cli.main(restore_args(folder, fresh)) == 0
    assert "Restored backup 1" in capsys.readouterr().out
    # the restore records itself in the restored warehouse, and the time it verified the backup
    assert differences(loaded.warehouse, fresh) == {"audit.restores": (0, 1), "audit.backups": (1, 1)}
    with open_writer(fresh) as con, open_writer(loaded.warehouse) as original:
        query = "select * exclude (verified_at) from audit.backups"
        assert con.sql(query).fetchall() == original.sql(query).fetchall()
        assert con.sql("select backup_id, set_aside from audit.restores").fetchall() == [(1, None)]
        assert con.sql("select count(*) from marts.responses").fetchall() == [(1,)]


def test_the_backup_the_manifest_and_the_record_agree(settings: Settings, tmp_path: Path, capsys) -> None:
    write_csv(settings.landing / "VictimVoice_2024-05_01.csv", [base_row(), base_row(response_id="VV00000002")])
    ingest_landing(settings, RUN_DATE)
    folder = backup(settings, tmp_path / "backups")
    assert "checked, and recorded as verified in audit.backups" in capsys.readouterr().out
    loaded = settings
    manifest = json.loads((folder / "manifest.json").read_text())
    copy = folder / "warehouse.duckdb"
    assert manifest["files"] == [
        {
            "name": "warehouse.duckdb",
            "size": copy.stat().st_size,
            "sha256": hashlib.sha256(copy.read_bytes()).hexdigest(),
        }
    ]
    assert manifest["tables"]["core.response_versions"] == 2 and manifest["tables"]["audit.backups"] == 1
    assert "marts.responses" in manifest["views"] and manifest["encrypted"] is False
    assert manifest["warehouse"] == str(loaded.warehouse.resolve()) and manifest["deliveries_up_to"] == 1
    checksum = hashlib.sha256((folder / "manifest.json").read_bytes()).hexdigest()
    assert (folder / "manifest.json.sha256").read_text() == f"{checksum}  manifest.json\n"  # sha256sum -c reads it
    with open_writer(loaded.warehouse) as con:
        assert con.sql(
            "select backup_id, path, verified, sha256, manifest_sha256, note from audit.backups"
        ).fetchall() == [(1, str(folder.resolve()), True, manifest["files"][0]["sha256"], checksum, None)]
    copy_con = duckdb.connect(str(copy), read_only=True)
    own = copy_con.sql("select backup_id, created_at, verified, sha256 from audit.backups").fetchall()
    copy_con.close()
    assert [(i, t.isoformat(), v, s) for i, t, v, s in own] == [(1, manifest["created_at"], False, None)]


def rewrite_manifest(folder: Path, change, with_checksum: bool) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    change(manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest))
    if with_checksum:
        checksum = hashlib.sha256((folder / "manifest.json").read_bytes()).hexdigest()
        (folder / "manifest.json.sha256").write_text(f"{checksum}  manifest.json\n")


def flip_one_byte(folder: Path) -> None:
    copy = folder / "warehouse.duckdb"
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0x01
    copy.write_bytes(bytes(data))


def fewer_rows(manifest: dict) -> None:
    manifest["tables"]["core.response_versions"] -= 1


def earlier(manifest: dict) -> None:
    manifest["created_at"] = "2024-01-01T00:00:00"


TAMPERING = {
    "one byte of the copy changed": (flip_one_byte, "does not match its checksum in manifest.json"),
    "the copy missing": (lambda f: (f / "warehouse.duckdb").unlink(), "warehouse.duckdb is missing"),
    "the manifest missing": (lambda f: (f / "manifest.json").unlink(), "has no manifest.json"),
    "the manifest's checksum missing": (lambda f: (f / "manifest.json.sha256").unlink(), "has no manifest.json.sha256"),
    "a row count edited": (lambda f: rewrite_manifest(f, fewer_rows, False), "it was edited or damaged"),
    "a row count edited, checksum too": (
        lambda f: rewrite_manifest(f, fewer_rows, True),
        "core.response_versions: 2 rows, the manifest says 1",
    ),
    "the date edited, checksum too": (
        lambda f: rewrite_manifest(f, earlier, True),
        "the copy's own audit.backups row does not match",
    ),
}


@pytest.mark.parametrize("tampering", TAMPERING, ids=list(TAMPERING))
def test_a_tampered_backup_is_refused_with_exit_7_and_nothing_changes(
    loaded: Settings, tmp_path: Path, tampering: str, capsys
) -> None:
    folder = backup_of(loaded)
    tamper, message = TAMPERING[tampering]
    tamper(folder)
    before = loaded.warehouse.read_bytes()
    beside = sorted(p.name for p in loaded.warehouse.parent.iterdir())
    capsys.readouterr()

    assert cli.main(["backup", "--verify", str(folder)]) == 7
    assert message in capsys.readouterr().err
    assert cli.main(restore_args(folder, loaded.warehouse)) == 7
    err = capsys.readouterr().err
    assert err.startswith("victim-voice: the backup failed its check: ") and message in err
    assert err.rstrip().endswith("nothing was restored")
    assert loaded.warehouse.read_bytes() == before
    assert sorted(p.name for p in loaded.warehouse.parent.iterdir()) == beside  # nothing set aside or left behind


def hold_warehouse(path: Path) -> subprocess.Popen:
    """Another process holding the warehouse, as a running ingestion does."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c=duckdb.connect({str(path)!r}); print('ok', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "ok"
    return holder


def test_restore_and_backup_wait_for_a_running_ingestion_exit_3(
    loaded: Settings, tmp_path: Path, capsys, monkeypatch
) -> None:
    """A backup waits its turn like any writer (VICTIM_VOICE_WAIT_SECONDS), then gives up with exit 3."""
    monkeypatch.setenv("VICTIM_VOICE_WAIT_SECONDS", "0.5")
    folder = backup_of(loaded)
    before = loaded.warehouse.read_bytes()
    holder = hold_warehouse(loaded.warehouse)
    try:
        assert cli.main(restore_args(folder, loaded.warehouse)) == 3
        assert "in use by another process" in capsys.readouterr().err
        assert cli.main(["backup", "--out", str(tmp_path / "more"), "--warehouse", str(loaded.warehouse)]) == 3
    finally:
        holder.kill()
        holder.wait()
    assert loaded.warehouse.read_bytes() == before
    assert not (tmp_path / "more").exists() or not any((tmp_path / "more").iterdir())


def test_a_restore_keeps_the_replaced_warehouse_aside_even_a_damaged_one(
    loaded: Settings, tmp_path: Path, capsys
) -> None:
    folder = backup_of(loaded)
    loaded.warehouse.write_bytes(b"not a warehouse any more")
    assert cli.main(restore_args(folder, loaded.warehouse)) == 0
    [aside] = loaded.warehouse.parent.glob("warehouse.duckdb.before-restore-*")
    assert aside.read_bytes() == b"not a warehouse any more"
    assert f"kept at {aside}" in capsys.readouterr().out
    with open_writer(loaded.warehouse) as con:
        assert con.sql("select count(*) from core.response_versions").fetchall() == [(2,)]
        assert con.sql("select set_aside from audit.restores").fetchall() == [(str(aside),)]


def test_a_backup_never_goes_beside_the_pseudonymisation_key(
    loaded: Settings, tmp_path: Path, monkeypatch, capsys
) -> None:
    key_folder = tmp_path / "keys"
    key_folder.mkdir()
    (key_folder / "pseudonym.key").write_text("k" * 64)
    monkeypatch.setenv("VICTIM_VOICE_PSEUDONYM_KEY_FILE", str(key_folder / "pseudonym.key"))
    args = ["backup", "--out", str(key_folder), "--warehouse", str(loaded.warehouse)]
    assert cli.main(args) == 2
    assert "keep backups apart from the key" in capsys.readouterr().err
    assert sorted(p.name for p in key_folder.iterdir()) == ["pseudonym.key"]


def test_an_encrypted_warehouse_is_backed_up_encrypted(tmp_path: Path, monkeypatch) -> None:
    """Runs where httpfs is installed (a deployment machine); skipped offline."""
    try:
        duckdb.connect().execute("set autoinstall_known_extensions = false; load httpfs")
    except duckdb.Error:
        pytest.skip("DuckDB's httpfs extension is not installed on this machine (no network to fetch it)")
    monkeypatch.setenv("VICTIM_VOICE_DB_KEY", "k" * 32)
    warehouse = tmp_path / "encrypted.duckdb"
    with open_writer(warehouse, db_key="k" * 32) as con:
        con.execute(
            "insert into audit.purges (purged_at, older_than_days, files_removed, quarantine_rows_removed)"
            " values (now(), 1, 2, 3)"
        )
    assert cli.main(["backup", "--out", str(tmp_path / "b"), "--warehouse", str(warehouse)]) == 0
    [folder] = (tmp_path / "b").iterdir()
    with pytest.raises(duckdb.Error):  # no plain copy
        duckdb.connect(str(folder / "warehouse.duckdb"), read_only=True)
    assert json.loads((folder / "manifest.json").read_text())["encrypted"] is True
    restored = tmp_path / "restored.duckdb"
    assert cli.main(restore_args(folder, restored)) == 0
    with pytest.raises(duckdb.Error):
        duckdb.connect(str(restored), read_only=True)
    monkeypatch.delenv("VICTIM_VOICE_DB_KEY")
    assert cli.main(["backup", "--verify", str(folder)]) == 2  # encrypted: the key is needed to check it
