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

import errno
import hashlib
import os
import re
import stat
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from schemas.codebook import COUNTS_FILE_NAME_PATTERN, Codebook, load_codebook

MAX_FILE_BYTES = 1024**3  # a month's delivery is about 100 KB; a 1 GiB file is not a delivery
# Files in the landing folder that are not deliveries yet (still uploading) or not ours.
IN_PROGRESS_SUFFIXES = (".part", ".tmp", ".crdownload")


class UnreadableFile(Exception):
    """A landing file that cannot be read now (a link, too large, locked): not recorded, so it
    is tried again next run. The message says why, never quoting the file's content."""


@dataclass(frozen=True)
class DeliveryName:
    """What a delivery's file name says: fieldwork period and sequence number, or (misnamed)
    why it is not a delivery's name."""

    file_name: str
    period: str | None
    seq: int | None
    problem: str | None = None  # "is misnamed: ..." when period is None

    @property
    def sort_key(self) -> tuple[str, int, str]:
        """Deliveries are taken in order of period, then sequence (misnamed ones last)."""
        return (self.period or "9999-99", self.seq if self.seq is not None else 99, self.file_name)


MISNAMED = "is misnamed: a delivery must be named VictimVoice_<YYYY-MM>_<NN>.csv or .xlsx"
_UNICODE_DIGITS_NAME = re.compile(r"VictimVoice_\d{4}-\d{2}_\d{2}\.(csv|xlsx)")  # to say why, never to accept


def escape_controls(text: str) -> str:
    r"""Text safe to print and to quote in a reason: every character that is not printable (new
    lines, terminal escapes, direction overrides, zero-width marks) written as its escape.

    >>> print(escape_controls("VictimVoice_2024-05_01.csv\n"), escape_controls("a\x1b[2J\u202eb"))
    VictimVoice_2024-05_01.csv\n a\x1b[2J\u202eb
    """
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def month_after(day: date) -> str:
    """The month after ``day``'s, as YYYY-MM: the latest period a delivery on that day may name.

    >>> month_after(date(2024, 12, 3))
    '2025-01'
    """
    return f"{day.year + day.month // 12:04d}-{day.month % 12 + 1:02d}"


def name_problem(file_name: str, book: Codebook, run_date: date) -> str | None:
    r"""Why ``file_name`` is not a delivery's name on ``run_date`` (None when it is one).

    >>> book = load_codebook()
    >>> name_problem("VictimVoice_2099-12_01.csv", book, date(2024, 6, 30))
    'is misnamed: its period 2099-12 is not from 2023-04 to 2024-07 (the month after the run)'
    >>> name_problem("VictimVoice_\uff12\uff10\uff12\uff14-05_01.csv", book, date(2024, 6, 30))  # full-width digits
    'is misnamed: its digits must be ASCII 0-9 (it holds other digits, such as full-width ones)'
    """
    controls = sorted({c for c in file_name if not c.isprintable()})
    if controls:
        shown = "".join(escape_controls(c) for c in controls[:5])
        return f"is misnamed: its name holds control or invisible characters ({shown})"
    match = book.file_name_pattern.fullmatch(file_name)
    if match is None:
        if _UNICODE_DIGITS_NAME.fullmatch(file_name):
            return "is misnamed: its digits must be ASCII 0-9 (it holds other digits, such as full-width ones)"
        return MISNAMED
    period, first, last = match["period"], book.earliest_interview_date.strftime("%Y-%m"), month_after(run_date)
    if not 1 <= int(period[5:]) <= 12:
        return f"is misnamed: its period {period} has no such month"
    if not first <= period <= last:
        return f"is misnamed: its period {period} is not from {first} to {last} (the month after the run)"
    return None


def parse_delivery_name(file_name: str, book: Codebook | None = None, run_date: date | None = None) -> DeliveryName:
    r"""Period and sequence from ``VictimVoice_<YYYY-MM>_<NN>.<csv|xlsx>``: ASCII digits, no
    control characters, a real month from the survey's first (2023-04) to the month after
    ``run_date`` (default today). Otherwise misnamed: no period (it never sorts as one) and
    the problem.

    >>> parse_delivery_name("VictimVoice_2023-06_02.csv")
    DeliveryName(file_name='VictimVoice_2023-06_02.csv', period='2023-06', seq=2, problem=None)
    >>> parse_delivery_name("VictimVoice_2023-06_02.csv\n").problem
    'is misnamed: its name holds control or invisible characters (\\n)'
    """
    book = book or load_codebook()
    problem = name_problem(file_name, book, run_date or date.today())
    if problem is not None:
        return DeliveryName(file_name, None, None, problem)
    match = book.file_name_pattern.fullmatch(file_name)
    return DeliveryName(file_name, match["period"], int(match["seq"]))


def display_name(file_name: str) -> str:
    r"""A file name (or any text) safe to print: control characters (terminal escapes, new
    lines) shown escaped.

    >>> print(display_name("VictimVoice_2024-05_01.csv\x1b[2J"))
    VictimVoice_2024-05_01.csv\x1b[2J
    """
    return escape_controls(file_name)


_LABEL = re.compile(r"\(a misnamed file, name hash [0-9a-f]{10}\)")


def log_name(file_name: str) -> str:
    """A file name for logs and the warehouse: a name of a delivery's shape (ASCII, nothing
    but the pattern, whatever its period) as it is; any other name (it could say anything, a
    victim's name included) replaced by a neutral label, itself kept as it is.

    >>> log_name("VictimVoice_2099-12_01.csv"), log_name("Jane Smith.csv")
    ('VictimVoice_2099-12_01.csv', '(a misnamed file, name hash 60d54a960f)')
    """
    if _LABEL.fullmatch(file_name) or any(p.fullmatch(file_name) for p in well_named_patterns()):
        return file_name
    digest = hashlib.sha256(file_name.encode("utf-8", "replace")).hexdigest()[:10]
    return f"(a misnamed file, name hash {digest})"


def well_named_patterns() -> tuple[re.Pattern[str], ...]:
    """The names a landing file may have: the supplier's delivery, the force's counts file."""
    return load_codebook().file_name_pattern, COUNTS_FILE_NAME_PATTERN


def looks_like_delivery(file_name: str) -> bool:
    """A name someone meant for a delivery: ``VictimVoice…`` or ending ``.csv``/``.xlsx`` (any case).

    >>> looks_like_delivery("VictimVoice_2024-05_01.csv"), looks_like_delivery("archive")
    (True, False)
    """
    folded = file_name.strip().casefold()
    return folded.startswith("victimvoice") or folded.endswith((".csv", ".xlsx"))


def find_candidate_files(landing: Path, settle_seconds: float = 0, run_date: date | None = None) -> list[Path]:
    """Entries waiting in the landing folder, in delivery order (periods as on ``run_date``).

    Hidden files and files still being uploaded are left alone: those named ``.part``,
    ``.tmp`` or ``.crdownload``, and those changed in the last ``settle_seconds`` (an upload
    that does not use a temporary name is still growing). Every other file is a candidate,
    so a misnamed one is rejected, not ignored; so is every symbolic link, and a folder, pipe,
    socket or device named like a delivery (each is recorded once, never opened). Other
    folders (an ``archive`` kept beside the deliveries) are not deliveries.
    """
    settled_before = time.time() - settle_seconds
    found = []
    with os.scandir(landing) as entries:
        for entry in entries:
            if entry.name.startswith(".") or entry.name.endswith(IN_PROGRESS_SUFFIXES):
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except FileNotFoundError:  # gone since it was listed
                continue
            kind = stat.S_IFMT(info.st_mode)
            candidate = kind in (stat.S_IFREG, stat.S_IFLNK) or looks_like_delivery(entry.name)
            if candidate and info.st_mtime <= settled_before:
                found.append(landing / entry.name)
    return sorted(found, key=lambda p: parse_delivery_name(p.name, run_date=run_date).sort_key)


def sha256_of(data: bytes) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(data).hexdigest()


def too_large(size: int) -> str | None:
    """Why a file of ``size`` bytes cannot be a delivery (None when it can): the one size cap.

    >>> too_large(100_000) is None, too_large(2 * 1024**3)
    (True, 'is larger than 1,073,741,824 bytes; a delivery is far smaller')
    """
    return f"is larger than {MAX_FILE_BYTES:,} bytes; a delivery is far smaller" if size > MAX_FILE_BYTES else None


KINDS = {
    stat.S_IFLNK: "a symbolic link",
    stat.S_IFDIR: "a folder",
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
}


class NotAFile(Exception):
    """A landing entry that is not a regular file (a folder, a pipe, a socket, a device, a
    symbolic link): never opened or followed, and recorded once by its kind. The message is the
    rejection's reason."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind

    def __str__(self) -> str:
        return f"the file is {self.kind}, not a regular file: it was not opened; a delivery must be a regular file"

    @property
    def fingerprint(self) -> str:
        """What stands for the SHA-256 of its bytes (it has none): the SHA-256 of its kind, so
        the same entry is recorded once and a real file under its name later is new."""
        return sha256_of(f"not a regular file: {self.kind}".encode())


def landing_file_bytes(path: Path) -> bytes:
    """A landing file's bytes, or :class:`NotAFile` or :class:`UnreadableFile`. The size is
    checked before anything is read into memory. A symbolic link is never followed (it could
    point anywhere on the machine), and a pipe never opened for long: the file is opened
    without following links and without waiting, and read only when it is a regular file."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        if error.errno == errno.ELOOP:  # O_NOFOLLOW met a symbolic link
            raise NotAFile(KINDS[stat.S_IFLNK]) from None
        if error.errno in (errno.ENXIO, errno.EISDIR):  # a socket; a folder on some systems
            raise NotAFile(_kind_of(path)) from None
        raise _unreadable(error) from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise NotAFile(KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file"))
        if reason := too_large(info.st_size):
            raise UnreadableFile(f"the file {reason}")
        os.set_blocking(descriptor, True)
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            return handle.read()
    except OSError as error:
        raise _unreadable(error) from None
    finally:
        os.close(descriptor)


def _kind_of(path: Path) -> str:
    try:
        return KINDS.get(stat.S_IFMT(path.lstat().st_mode), "not a regular file")
    except OSError:
        return "not a regular file"


def _unreadable(error: OSError) -> UnreadableFile:
    return UnreadableFile(
        f"the file cannot be read ({error.strerror or type(error).__name__}); it will be tried again next run"
    )
