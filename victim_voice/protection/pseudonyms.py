"""Keyed pseudonyms for crime numbers (HMAC-SHA256), and the key that makes them.

The delivered crime number is never stored: only ``HMAC-SHA256(key, number)`` in hex.
The same number gives the same pseudonym across deliveries as long as the key is the
same; without the key a pseudonym cannot be reversed by trying all 10^9 numbers.

Example::

    >>> pseudonymise("54123456789", b"k" * 32)[:12]
    'fcd3cf46793a'
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import pandas as pd

from victim_voice.settings import PREFIX, ConfigurationError, Settings

MIN_KEY_BYTES = 32


def pseudonymise(value: str, key: bytes) -> str:
    """Hex HMAC-SHA256 of one value under ``key``."""
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def pseudonymise_series(values: pd.Series, key: bytes) -> pd.Series:
    """Pseudonyms for a column; missing stays missing."""
    return values.map(lambda v: None if pd.isna(v) else pseudonymise(v, key)).astype("str")


def create_key_file(path: Path) -> None:
    """A new random 256-bit key, readable by its owner only (folder 0700, file 0600).

    Refuses to overwrite an existing key (that would break the link to earlier pseudonyms).
    """
    if path.exists():
        raise ConfigurationError(f"{path} already exists; a key is never overwritten (see the README on rotation)")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32) + "\n")


def load_pseudonym_key(settings: Settings) -> bytes:
    """The key from ``VICTIM_VOICE_PSEUDONYM_KEY``, else the key file; no key is an error.

    Nothing is created here: a run without its key must stop, not quietly start a new key
    whose pseudonyms would never link to the earlier ones.
    """
    if settings.pseudonym_key:
        key = settings.pseudonym_key.encode("utf-8")
        source = f"{PREFIX}PSEUDONYM_KEY"
    else:
        if not settings.key_file.exists():
            raise ConfigurationError(
                f"no pseudonymisation key: set {PREFIX}PSEUDONYM_KEY, or create the key file "
                f"{settings.key_file} once with `victim-voice keygen`"
            )
        if settings.key_file.stat().st_mode & 0o077:
            raise ConfigurationError(
                f"the key file {settings.key_file} is readable by other users; run: chmod 600 {settings.key_file}"
            )
        key = settings.key_file.read_text(encoding="ascii").strip().encode("ascii")
        source = str(settings.key_file)
    if len(key) < MIN_KEY_BYTES:
        raise ConfigurationError(
            f"the pseudonymisation key in {source} is too short (at least {MIN_KEY_BYTES} characters)"
        )
    return key
