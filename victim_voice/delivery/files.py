"""Finding and naming delivery files in the landing folder, and reading their bytes.

A delivery is named ``VictimVoice_<YYYY-MM>_<NN>.csv`` or ``.xlsx``; anything else is
misnamed (rejected, never ignored). A file's name could say anything, a victim's name
included, so logs use :func:`log_name` and terminals :func:`display_name`.

Example::

    >>> parse_delivery_name("VictimVoice_2023-06_02.csv").period
    '2023-06'
    >>> [p.name for p in find_candidate_files(Path("landing"))]  # doctest: +SKIP
    ['VictimVoice_2023-06_01.csv', 'VictimVoice_2023-07_01.xlsx']
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

from schemas.codebook import Codebook, load_codebook

MAX_FILE_BYTES = 1024**3  # a month's delivery is about 100 KB; a 1 GiB file is not a delivery
# Files in the landing folder that are not deliveries yet (still uploading) or not ours.
IN_PROGRESS_SUFFIXES = (".part", ".tmp", ".crdownload")


class UnreadableFile(Exception):
    """A landing file that cannot be read now (a link, too large, locked): not recorded, so it
    is tried again next run. The message says why, never quoting the file's content."""


@dataclass(frozen=True)
class DeliveryName:
    """What a delivery's file name says: fieldwork period and sequence number."""

    file_name: str
    period: str | None
    seq: int | None

    @property
    def sort_key(self) -> tuple[str, int, str]:
        """Deliveries are taken in order of period, then sequence (misnamed ones last)."""
        return (self.period or "9999-99", self.seq if self.seq is not None else 99, self.file_name)


def parse_delivery_name(file_name: str, book: Codebook | None = None) -> DeliveryName:
    """Period and sequence from ``VictimVoice_<YYYY-MM>_<NN>.<csv|xlsx>``; None when misnamed.

    >>> parse_delivery_name("VictimVoice_2023-06_02.csv")
    DeliveryName(file_name='VictimVoice_2023-06_02.csv', period='2023-06', seq=2)
    """
    book = book or load_codebook()
    match = book.file_name_pattern.match(file_name)
    if not match or not 1 <= int(match["period"][5:]) <= 12:
        return DeliveryName(file_name, None, None)
    return DeliveryName(file_name, match["period"], int(match["seq"]))


def display_name(file_name: str) -> str:
    """A file name safe to print: control characters (terminal escapes, new lines) shown as ?.

    >>> display_name("VictimVoice_2024-05_01.csv\x1b[2J")
    'VictimVoice_2024-05_01.csv?[2J'
    """
    return "".join(c if c.isprintable() else "?" for c in file_name)


def log_name(file_name: str) -> str:
    """A file name for logs: a well-named delivery as it is; any other name (it could say
    anything, a victim's name included) replaced by a neutral label."""
    if parse_delivery_name(file_name).period is not None:
        return file_name
    digest = hashlib.sha256(file_name.encode("utf-8", "replace")).hexdigest()[:10]
    return f"(a misnamed file, name hash {digest})"


def find_candidate_files(landing: Path, settle_seconds: float = 0) -> list[Path]:
    """Files waiting in the landing folder, in delivery order.

    Hidden files and files still being uploaded are left alone: those named ``.part``,
    ``.tmp`` or ``.crdownload``, and those changed in the last ``settle_seconds`` (an upload
    that does not use a temporary name is still growing). Every other file is a candidate,
    so a misnamed one is rejected, not ignored.
    """
    settled_before = time.time() - settle_seconds
    files = [
        p
        for p in landing.iterdir()
        if p.is_file()
        and not p.name.startswith(".")
        and not p.name.endswith(IN_PROGRESS_SUFFIXES)
        and p.lstat().st_mtime <= settled_before
    ]
    return sorted(files, key=lambda p: parse_delivery_name(p.name).sort_key)


def sha256_of(data: bytes) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(data).hexdigest()


def too_large(size: int) -> str | None:
    """Why a file of ``size`` bytes cannot be a delivery (None when it can): the one size cap.

    >>> too_large(100_000) is None, too_large(2 * 1024**3)
    (True, 'is larger than 1,073,741,824 bytes; a delivery is far smaller')
    """
    return f"is larger than {MAX_FILE_BYTES:,} bytes; a delivery is far smaller" if size > MAX_FILE_BYTES else None


def landing_file_bytes(path: Path) -> bytes:
    """A landing file's bytes, or :class:`UnreadableFile`; the size is checked before anything
    is read into memory. A symbolic link is never followed (it could point anywhere on the
    machine)."""
    if path.is_symlink():
        raise UnreadableFile("the file is a symbolic link; deliveries must be files")
    try:
        if reason := too_large(path.stat().st_size):
            raise UnreadableFile(f"the file {reason}")
        return path.read_bytes()
    except OSError as error:
        raise UnreadableFile(
            f"the file cannot be read ({error.strerror or type(error).__name__}); it will be tried again next run"
        ) from None
