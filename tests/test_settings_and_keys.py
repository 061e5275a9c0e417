"""Settings from the environment and `.env`; the pseudonymisation key and its file."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from victim_voice.protection.pseudonyms import load_pseudonym_key, pseudonymise
from victim_voice.settings import ConfigurationError, Settings


def test_environment_wins_over_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("# local\nVICTIM_VOICE_LANDING=/from/file\nVICTIM_VOICE_WAREHOUSE='/file.duckdb'\n")
    settings = Settings.from_env({"VICTIM_VOICE_LANDING": "/from/env"}, env_file=env_file)
    assert (settings.landing, settings.warehouse) == (Path("/from/env"), Path("/file.duckdb"))


def test_command_line_paths_win_over_settings() -> None:
    settings = Settings.from_env({"VICTIM_VOICE_LANDING": "/env"}).with_paths(Path("/cli"), None)
    assert settings.landing == Path("/cli")


def test_the_key_is_never_in_the_repr() -> None:
    assert "secret-value" not in repr(Settings(pseudonym_key="secret-value" * 4))


def test_without_a_key_nothing_starts(tmp_path: Path) -> None:
    settings = Settings(key_file=tmp_path / "keys" / "pseudonym.key")
    with pytest.raises(ConfigurationError, match="no pseudonymisation key: set VICTIM_VOICE_PSEUDONYM_KEY"):
        load_pseudonym_key(settings)
    assert not settings.key_file.exists()  # never created behind the user's back


def test_keygen_creates_an_owner_only_key_once(tmp_path: Path, capsys) -> None:
    from victim_voice.cli import main

    key_file = tmp_path / "keys" / "pseudonym.key"
    assert main(["keygen", "--key-file", str(key_file)]) == 0
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    key = load_pseudonym_key(Settings(key_file=key_file))
    assert len(key) == 64
    assert main(["keygen", "--key-file", str(key_file)]) == 2  # never overwritten
    assert "already exists" in capsys.readouterr().err
    assert load_pseudonym_key(Settings(key_file=key_file)) == key


def test_a_key_file_others_can_read_is_refused(tmp_path: Path) -> None:
    key_file = tmp_path / "pseudonym.key"
    key_file.write_text("k" * 64)
    key_file.chmod(0o644)
    with pytest.raises(ConfigurationError, match="chmod 600"):
        load_pseudonym_key(Settings(key_file=key_file))


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="too short"):
        load_pseudonym_key(Settings(pseudonym_key="short"))


def test_pseudonyms_depend_on_the_key() -> None:
    assert pseudonymise("54123456789", b"a" * 32) != pseudonymise("54123456789", b"b" * 32)
    assert len(pseudonymise("54123456789", b"a" * 32)) == 64


def test_a_database_key_without_the_extension_is_a_clear_error(tmp_path: Path) -> None:
    """Where DuckDB's httpfs extension is not installed (as here, offline), say so; never fall
    back to an unencrypted or insecurely encrypted file."""
    import duckdb

    from warehouse.db import connect

    try:
        duckdb.connect().execute("set autoinstall_known_extensions = false; load httpfs")
        pytest.skip("httpfs is installed here: the encrypted round trip below runs instead")
    except duckdb.Error:
        pass
    with pytest.raises(ConfigurationError, match="httpfs extension is not installed"):
        connect(tmp_path / "w.duckdb", read_only=False, db_key="k" * 32)
    assert not (tmp_path / "w.duckdb").exists()


def test_an_encrypted_warehouse_round_trip(tmp_path: Path) -> None:
    """Runs where httpfs is installed (a deployment machine); skipped offline."""
    import duckdb

    from warehouse.db import open_reader, open_writer

    try:
        duckdb.connect().execute("set autoinstall_known_extensions = false; load httpfs")
    except duckdb.Error:
        pytest.skip("DuckDB's httpfs extension is not installed on this machine (no network to fetch it)")
    path = tmp_path / "w.duckdb"
    with open_writer(path, db_key="k" * 32) as con:
        con.execute(
            "insert into audit.purges (purged_at, older_than_days, files_removed, quarantine_rows_removed)"
            " values (now(), 1, 2, 3)"
        )
    assert b"audit" not in path.read_bytes()  # the catalogue is encrypted too
    with open_reader(path, db_key="k" * 32) as con:
        assert con.sql("select files_removed from audit.purges").fetchall() == [(2,)]
    with pytest.raises(ConfigurationError, match="wrong key"), open_reader(path, db_key="x" * 32):
        pass


def test_an_env_file_with_a_secret_must_be_private(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("VICTIM_VOICE_PSEUDONYM_KEY=" + "k" * 40 + "\n")
    env_file.chmod(0o644)
    with pytest.raises(ConfigurationError, match="chmod 600"):
        Settings.from_env({}, env_file=env_file)
    env_file.chmod(0o600)
    assert Settings.from_env({}, env_file=env_file).pseudonym_key == "k" * 40


def test_settle_seconds_from_the_environment() -> None:
    assert Settings.from_env({}).settle_seconds == 60
    assert Settings.from_env({"VICTIM_VOICE_SETTLE_SECONDS": "0"}).settle_seconds == 0
    with pytest.raises(ConfigurationError, match="must be a number of seconds"):
        Settings.from_env({"VICTIM_VOICE_SETTLE_SECONDS": "soon"})
