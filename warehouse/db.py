"""Opening the DuckDB warehouse: one writer at a time, many brief read-only readers, and
the one way to write several statements all or nothing (:func:`transaction`).

A writer that finds the warehouse held waits, up to the ``wait_seconds`` it is given
(``VICTIM_VOICE_WAIT_SECONDS`` for the commands), retrying with backoff; writers take turns
in order of arrival (:mod:`warehouse.turns`), and :func:`writer_session` keeps the turn
across several opens (an ingestion run's files and its refresh).

Faults are named here, once (:func:`typed_fault`): an OS or DuckDB error that means a full
disk, a read-only or unreadable folder or a failing disk becomes :class:`StorageFault`; one
that means a truncated, corrupted or foreign warehouse file becomes :class:`WarehouseDamaged`.
Opening, the block and closing raise them, so every command can say so in one line.

Example::

    >>> with open_writer(Path("data/warehouse.duckdb"), wait_seconds=300) as con, transaction(con):  # doctest: +SKIP
    ...     con.execute("delete from audit.quarantine where delivery_id = 3")
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

import duckdb

from victim_voice.settings import ConfigurationError
from warehouse.sql_files import create_storage
from warehouse.turns import Deadline, HeldTooLong, writer_session_turn

OFFLINE_SETTINGS = (
    "set autoinstall_known_extensions = false",
    "set autoload_known_extensions = false",
)


class WarehouseBusy(Exception):
    """Another process holds the warehouse (an ingestion is running); ``holder`` names it
    (program and PID) when known."""

    def __init__(self, message: str, holder: str = "another process") -> None:
        super().__init__(message)
        self.holder = holder


class WarehouseMissing(Exception):
    """The warehouse file does not exist yet."""


class StorageFault(Exception):
    """The machine, not the data: a disk is full, a folder is read-only or unreadable, a file
    cannot be written. The message names the path and what to do; nothing was lost."""


class WarehouseDamaged(Exception):
    """The warehouse file is damaged (truncated, corrupted) or not a DuckDB file: restore the
    latest verified backup (``victim-voice restore``)."""


def first_line(error: BaseException) -> str:
    """The first line of an error message (DuckDB appends hints on further lines)."""
    text = getattr(error, "strerror", None) or str(error)
    return text.splitlines()[0] if text else type(error).__name__


# What each storage error means and what to do about it; DuckDB reports the same causes as
# the operating system's words inside its own messages.
STORAGE_CAUSES: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("the disk is full", "free space on that disk (or move the folder to a larger one), then run again"),
    errno.EDQUOT: ("the disk quota is used up", "free space or raise the quota, then run again"),
    errno.EFBIG: ("the file is too large for its file system", "move the folder to a file system that allows it"),
    errno.EROFS: ("the file system is read-only", "remount it read-write or choose a writable folder, then run again"),
    errno.EACCES: ("the user running victim-voice may not use it", "give that user access to it, then run again"),
    errno.EPERM: ("the user running victim-voice may not use it", "give that user access to it, then run again"),
    errno.EIO: ("an input/output error (the disk may be failing)", "check the disk (dmesg, SMART), then run again"),
}
_STORAGE_WORDS = {
    "no space left on device": errno.ENOSPC,
    "disk quota exceeded": errno.EDQUOT,
    "file too large": errno.EFBIG,
    "read-only file system": errno.EROFS,
    "permission denied": errno.EACCES,
    "operation not permitted": errno.EPERM,
    "input/output error": errno.EIO,
}
_DAMAGE_WORDS = (
    "not a valid duckdb database file",
    "corrupt database file",
    "could not read enough bytes",
    "checksum",
    "failed to deserialize",
    "serialization error",
)
# A bad query, a value that does not convert, a broken constraint, a confined reader's refusal.
NOT_FAULTS = (duckdb.ProgrammingError, duckdb.DataError, duckdb.IntegrityError, duckdb.PermissionException)
_QUOTED_PATH = re.compile(r'file "([^"]+)"')
MAX_DETAIL_CHARACTERS = 160


def typed_fault(error: BaseException, path: Path | None = None) -> StorageFault | WarehouseDamaged | None:
    """The typed fault an OS or DuckDB error stands for, or None when it is neither (a bug, a
    bad query): the one place that reads their messages. The message is one line naming the
    cause, the path (the error's own where it names one, else ``path``) and what to do.

    >>> print(typed_fault(OSError(errno.ENOSPC, "No space left on device", "/srv/vv/warehouse.duckdb.wal")))
    /srv/vv/warehouse.duckdb.wal: the disk is full (No space left on device); free space on that disk ...
    >>> print(typed_fault(duckdb.IOException('IO Error: Corrupt database file: computed checksum 1 does not match')))
    the warehouse file is damaged or is not a warehouse (Corrupt database file: computed checksum 1 does not match):
    check that it is the warehouse (--warehouse, VICTIM_VOICE_WAREHOUSE), then move it aside and restore the latest
    verified backup. Nothing was changed
    >>> typed_fault(duckdb.CatalogException("Table with name nope does not exist!")) is None
    True
    """
    if isinstance(error, (StorageFault, WarehouseDamaged)):
        return error
    if isinstance(error, NOT_FAULTS):  # their messages quote the query and its values, never the disk
        return None
    if isinstance(error, OSError):
        code = error.errno
        where = error.filename or path
    elif isinstance(error, duckdb.Error):
        text = str(error).lower()
        code = next((number for words, number in _STORAGE_WORDS.items() if words in text), None)
        quoted = _QUOTED_PATH.search(str(error))
        where = quoted.group(1) if quoted else path
        if code is None and any(words in text for words in _DAMAGE_WORDS):
            detail = _short_detail(error)
            return WarehouseDamaged(
                f"the warehouse {where or 'file'} is damaged or is not a warehouse ({detail}): check that it is the "
                "warehouse (--warehouse, VICTIM_VOICE_WAREHOUSE), then move it aside and restore the latest verified "
                "backup. Nothing was changed"
            )
    else:
        return None
    if code not in STORAGE_CAUSES:
        return None
    cause, what_to_do = STORAGE_CAUSES[code]
    detail = os.strerror(code)
    return StorageFault(f"{where or 'a file it was writing'}: {cause} ({detail}); {what_to_do}. Nothing was lost")


def _short_detail(error: BaseException) -> str:
    """DuckDB's first line without its "IO Error: " kind, shortened for one line."""
    text = re.sub(r"^[A-Za-z ]*Error: ", "", first_line(error))
    return text if len(text) <= MAX_DETAIL_CHARACTERS else text[: MAX_DETAIL_CHARACTERS - 1] + "…"


@contextmanager
def faults_typed(path: Path | None = None) -> Iterator[None]:
    """Raise an OS or DuckDB error of the block as its :func:`typed_fault` (others unchanged).

    >>> with faults_typed(Path("/srv/vv/out")):  # doctest: +ELLIPSIS
    ...     raise OSError(errno.EROFS, "Read-only file system")
    Traceback (most recent call last):
    warehouse.db.StorageFault: /srv/vv/out: the file system is read-only (Read-only file system); ...
    """
    try:
        yield
    except (OSError, duckdb.Error) as error:
        fault = typed_fault(error, path)
        if fault is None or fault is error:
            raise
        raise fault from error


def _is_lock_error(error: duckdb.Error) -> bool:
    return "lock" in str(error).lower()


def lock_holder(error: duckdb.Error) -> str:
    """Who holds DuckDB's lock, from its message: the program's name and PID, never its path.

    >>> lock_holder(duckdb.IOException('Could not set lock on file "w.duckdb": Conflicting lock is held in '
    ...                                '/usr/bin/python3.11 (PID 4242). See also https://duckdb.org'))
    'python3.11, PID 4242'
    """
    found = re.search(r"held in (.*?) \(PID (\d+)\)", str(error))
    return f"{Path(found.group(1)).name}, PID {found.group(2)}" if found else "unknown"


def connect_waiting(
    path: Path,
    read_only: bool,
    db_key: str | None,
    deadline: Deadline,
    on_wait: Callable[[str], None] | None = None,
) -> duckdb.DuckDBPyConnection:
    """:func:`connect`, retried with backoff while another process holds DuckDB's lock
    (``on_wait(holder)`` is called once if it waits); raises HeldTooLong (naming the holder)
    when ``deadline`` passes first."""
    waited = False
    while True:
        try:
            return connect(path, read_only=read_only, db_key=db_key)
        except duckdb.IOException as error:
            if not _is_lock_error(error):
                raise
            if not waited and on_wait is not None and deadline.seconds:
                on_wait(lock_holder(error))
            waited = True
            if not deadline.sleep():
                raise HeldTooLong(lock_holder(error)) from None


def _secure_new_file(path: Path) -> list[Path]:
    """Create the warehouse's folder owner-only (the file itself is chmod-ed after opening);
    returns the folders created, outermost first."""
    missing = [folder for folder in (path.parent, *path.parent.parents) if not folder.exists()][::-1]
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    return missing


def _remove_new_warehouse(path: Path, folders: list[Path]) -> None:
    """Undo the creation of a warehouse that could not be set up (a full disk leaves a stub
    DuckDB cannot open again): its file, its write-ahead log and the folders made for it."""
    for leftover in (path, path.with_name(path.name + ".wal")):
        with suppress(OSError):
            leftover.unlink(missing_ok=True)
    for folder in reversed(folders):
        try:
            folder.rmdir()
        except OSError:
            break


def _sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def connect(path: Path, read_only: bool, db_key: str | None) -> duckdb.DuckDBPyConnection:
    """A connection to the warehouse file; encrypted with ``db_key`` when one is given.

    DuckDB writes encrypted files only with its httpfs extension loaded (its own crypto is
    read-only). The extension is never downloaded here: install it once on the deployment
    machine (README, "Security"). The insecure ``force_mbedtls_unsafe`` is never used.
    """
    if not db_key:
        con = duckdb.connect(str(path), read_only=read_only)
        try:
            check_whole(con, path)
            for statement in OFFLINE_SETTINGS:
                con.execute(statement)
            if read_only:
                confine_reader(con)
        except BaseException:
            con.close()
            raise
        return con
    con = duckdb.connect()
    try:
        for statement in OFFLINE_SETTINGS:
            con.execute(statement)
        try:
            con.execute("load httpfs")
        except duckdb.Error:
            raise ConfigurationError(
                "VICTIM_VOICE_DB_KEY is set but DuckDB's httpfs extension is not installed on this machine, and "
                "DuckDB cannot write encrypted files without it; install it once (README, Security) or unset the key"
            ) from None
        options = f"encryption_key {_sql_literal(db_key)}" + (", read_only" if read_only else "")
        try:
            con.execute(f"attach {_sql_literal(str(path))} as warehouse ({options})")
        except duckdb.Error as error:  # never echo the statement: it holds the key
            if _is_lock_error(error):
                raise duckdb.IOException("Could not set lock on file") from None
            raise ConfigurationError(
                f"cannot open the encrypted warehouse {path} ({type(error).__name__}): wrong key, or not encrypted?"
            ) from None
        con.execute("use warehouse")
        if read_only:
            confine_reader(con)
    except BaseException:
        con.close()
        raise
    return con


HEADER_BYTES = 3 * 4096  # DuckDB's file header and its two database headers, before the first block


def check_whole(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Raise :class:`WarehouseDamaged` when the file is too short to hold the blocks its header
    says are in use: a truncated copy or restore otherwise opens, and fails only when a query
    reaches a missing block (or, worse, after an ingestion has written to it). Measured: the
    file is the headers plus its blocks, trailing free blocks cut off. Not checked for an
    encrypted file, whose blocks the extension lays out."""
    [(block_size, used)] = con.execute(
        "select block_size, used_blocks from pragma_database_size() where database_name = current_database()"
    ).fetchall()
    needed, size = HEADER_BYTES + block_size * used, path.stat().st_size
    if size < needed:
        raise WarehouseDamaged(
            f"the warehouse {path} is damaged (truncated: {size:,} bytes, its blocks in use need {needed:,}): "
            "move it aside and restore the latest verified backup. Nothing was changed"
        )


def confine_reader(con: duckdb.DuckDBPyConnection) -> None:
    """A reader sees the warehouse only: no files (the landing folder, the key), no COPY TO,
    and no way to turn that back on within the connection."""
    con.execute("set enable_external_access = false")
    con.execute("set lock_configuration = true")


def _close_quietly(con: duckdb.DuckDBPyConnection) -> None:
    """Close after an error: a failure to close must not hide the error that is in flight."""
    with suppress(duckdb.Error):
        con.close()


@contextmanager
def _closing(con: duckdb.DuckDBPyConnection, path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield ``con`` and close it; an OS or DuckDB error of the block or of closing (a last
    checkpoint that cannot write) is raised as its typed fault, naming ``path``."""
    try:
        with faults_typed(path):
            yield con
    except BaseException:
        _close_quietly(con)
        raise
    with faults_typed(path):
        con.close()


def _open_fault(error: BaseException, path: Path, busy: str) -> Exception:
    """What a failure to open the warehouse is: busy, a storage fault, damage, or a
    configuration problem (in that order)."""
    if isinstance(error, duckdb.IOException) and _is_lock_error(error):
        return WarehouseBusy(busy)
    fault = typed_fault(error, path)
    if fault is not None:
        return fault
    return ConfigurationError(f"cannot open the warehouse {path}: {first_line(error)}")


def _busy(path: Path, holder: str, deadline: Deadline) -> WarehouseBusy:
    waited = f" for longer than the wait of {deadline.seconds:g} s" if deadline.seconds else ""
    message = f"the warehouse {path} is in use by another process ({holder}){waited}; try again later"
    return WarehouseBusy(message, holder)


@contextmanager
def writer_session(
    path: Path, wait_seconds: float = 0.0, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the warehouse's writing turn for the block (an ingestion run: every file and the
    refresh), waiting at most ``wait_seconds`` for the writers before this one; ``on_wait(holder)``
    is called once if it waits. Raises WarehouseBusy when the wait runs out. Readers are not
    kept out: each :func:`open_writer` inside holds DuckDB only while it is open."""
    deadline = Deadline(wait_seconds)
    try:
        with _turn(path, deadline, on_wait):
            yield
    except HeldTooLong as error:
        raise _busy(path, error.holder, deadline) from None


@contextmanager
def _turn(path: Path, deadline: Deadline, on_wait: Callable[[str], None] | None) -> Iterator[None]:
    """The writing turn; a full or read-only folder met while taking it (its lock files) is a
    typed fault naming the warehouse (errors of the block itself pass unchanged)."""
    with ExitStack() as stack:
        with faults_typed(path):
            stack.enter_context(writer_session_turn(path, deadline, on_wait))
        yield


@contextmanager
def open_writer(
    path: Path,
    db_key: str | None = None,
    wait_seconds: float = 0.0,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """The single read-write connection, storage tables created. Waits at most
    ``wait_seconds`` (retrying with backoff; ``on_wait(holder)`` once) while another process
    holds the warehouse, then raises WarehouseBusy; raises :class:`StorageFault` or
    :class:`WarehouseDamaged` (from opening, the block or closing)."""
    os.umask(0o077)  # the warehouse, its write-ahead log and any folder made here: owner-only
    deadline = Deadline(wait_seconds)
    try:
        with _turn(path, deadline, on_wait), _connected_writer(path, db_key, deadline, on_wait) as con:
            yield con
    except HeldTooLong as error:
        raise _busy(path, error.holder, deadline) from None


@contextmanager
def _connected_writer(
    path: Path, db_key: str | None, deadline: Deadline, on_wait: Callable[[str], None] | None
) -> Iterator[duckdb.DuckDBPyConnection]:
    is_new = not path.exists()
    busy = f"the warehouse {path} is in use by another process; try again later"
    folders: list[Path] = []
    try:
        if is_new:
            folders = _secure_new_file(path)
        con = connect_waiting(path, read_only=False, db_key=db_key, deadline=deadline, on_wait=on_wait)
    except (OSError, duckdb.Error) as error:
        fault = _open_fault(error, path, busy)
        if is_new and not isinstance(fault, WarehouseBusy):  # busy: another process has just created it
            _remove_new_warehouse(path, folders)
        raise fault from None
    try:
        with faults_typed(path):
            if is_new:
                path.chmod(0o600)
            create_storage(con)
    except BaseException:
        _close_quietly(con)
        if is_new:
            _remove_new_warehouse(path, folders)
        raise
    with _closing(con, path):
        yield con


READER_WAIT_SECONDS = 30  # a writer holds the file for one file's load or one refresh: seconds


@contextmanager
def open_reader(
    path: Path, wait_seconds: float = READER_WAIT_SECONDS, db_key: str | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection, retried with backoff for at most ``wait_seconds`` while a
    writer holds the file. Hold it briefly (open, read, close): a writer waits meanwhile. A
    damaged file or a storage fault (opening or in the block) is raised as its typed fault."""
    if not path.exists():
        raise WarehouseMissing(
            f"no warehouse at {path}: run `victim-voice ingest` (or `make demo`) first, or name one with"
            " --warehouse PATH or VICTIM_VOICE_WAREHOUSE (make demo's is demo-data/warehouse.duckdb)"
        )
    busy = f"the warehouse {path} is being written by an ingestion run; try again when it finishes"
    try:
        con = connect_waiting(path, read_only=True, db_key=db_key, deadline=Deadline(wait_seconds))
    except HeldTooLong as error:
        raise WarehouseBusy(
            f"the warehouse {path} is being written by an ingestion run ({error.holder}); "
            f"waited {wait_seconds:g} s: try again when it finishes",
            error.holder,
        ) from None
    except (OSError, duckdb.Error) as error:
        raise _open_fault(error, path, busy) from None
    with _closing(con, path):
        yield con


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Run the block in one transaction: committed when it ends, rolled back if it raises
    (Ctrl+C included), so either everything it wrote is visible or nothing is. When the
    commit fails, or DuckDB has already ended the transaction, the error raised is the one
    that stopped it, never the rollback's own ("no transaction is active").

    >>> con = duckdb.connect()
    >>> _ = con.execute("create table t (x int)")
    >>> try:
    ...     with transaction(con):
    ...         _ = con.execute("insert into t values (1)")
    ...         raise ValueError("stop")
    ... except ValueError:
    ...     pass
    >>> con.execute("select count(*) from t").fetchall()
    [(0,)]
    """
    con.execute("begin transaction")
    try:
        yield con
        con.execute("commit")
    except BaseException:
        _roll_back_quietly(con)
        raise


def _roll_back_quietly(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back what is left of a failed transaction; a failing rollback (the transaction
    already ended, the database invalidated) is not the error to report."""
    with suppress(duckdb.Error):
        con.execute("rollback")
