"""Settings from the environment and `.env`; the pseudonymisation key and its file."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from warehouse.pseudonym import load_pseudonym_key, pseudonymise
from warehouse.settings import ConfigurationError, Settings


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
