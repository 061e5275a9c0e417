"""Opening the DuckDB warehouse: one writer at a time, many brief read-only readers, and
the one way to write several statements all or nothing (:func:`transaction`).

A writer that finds the warehouse held waits, up to the ``wait_seconds`` it is given
(``VICTIM_VOICE_WAIT_SECONDS`` for the commands), retrying with backoff; writers take turns
in order of arrival (:mod:`warehouse.turns`), and :func:`writer_session` keeps the turn
across several opens (an ingestion run's files and its refresh).

Example::

    >>> with open_writer(Path("data/warehouse.duckdb"), wait_seconds=300) as con, transaction(con):  # doctest: +SKIP
    ...     con.execute("delete from audit.quarantine where delivery_id = 3")
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


def _secure_new_file(path: Path) -> None:
    """Create the warehouse's folder owner-only; the file itself is chmod-ed after opening."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)


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
        for statement in OFFLINE_SETTINGS:
            con.execute(statement)
        if read_only:
            confine_reader(con)
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


def confine_reader(con: duckdb.DuckDBPyConnection) -> None:
    """A reader sees the warehouse only: no files (the landing folder, the key), no COPY TO,
    and no way to turn that back on within the connection."""
    con.execute("set enable_external_access = false")
    con.execute("set lock_configuration = true")


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
        with writer_session_turn(path, deadline, on_wait):
            yield
    except HeldTooLong as error:
        raise _busy(path, error.holder, deadline) from None


@contextmanager
def open_writer(
    path: Path,
    db_key: str | None = None,
    wait_seconds: float = 0.0,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """The single read-write connection, storage tables created. Waits at most
    ``wait_seconds`` (retrying with backoff; ``on_wait(holder)`` once) while another process
    holds the warehouse, then raises WarehouseBusy."""
    os.umask(0o077)  # the warehouse, its write-ahead log and any folder made here: owner-only
    deadline = Deadline(wait_seconds)
    try:
        with writer_session_turn(path, deadline, on_wait), _connected_writer(path, db_key, deadline, on_wait) as con:
            yield con
    except HeldTooLong as error:
        raise _busy(path, error.holder, deadline) from None


@contextmanager
def _connected_writer(
    path: Path, db_key: str | None, deadline: Deadline, on_wait: Callable[[str], None] | None
) -> Iterator[duckdb.DuckDBPyConnection]:
    is_new = not path.exists()
    try:
        if is_new:
            _secure_new_file(path)
        con = connect_waiting(path, read_only=False, db_key=db_key, deadline=deadline, on_wait=on_wait)
    except (OSError, duckdb.Error) as error:
        raise ConfigurationError(f"cannot open the warehouse {path}: {first_line(error)}") from None
    try:
        if is_new:
            path.chmod(0o600)
        create_storage(con)
        yield con
    finally:
        con.close()


READER_WAIT_SECONDS = 30  # a writer holds the file for one file's load or one refresh: seconds


@contextmanager
def open_reader(
    path: Path, wait_seconds: float = READER_WAIT_SECONDS, db_key: str | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection, retried with backoff for at most ``wait_seconds`` while a
    writer holds the file. Hold it briefly (open, read, close): a writer waits meanwhile."""
    if not path.exists():
        raise WarehouseMissing(f"no warehouse at {path}: run `victim-voice ingest` (or `make demo`) first")
    try:
        con = connect_waiting(path, read_only=True, db_key=db_key, deadline=Deadline(wait_seconds))
    except HeldTooLong as error:
        raise WarehouseBusy(
            f"the warehouse {path} is being written by an ingestion run ({error.holder}); "
            f"waited {wait_seconds:g} s: try again when it finishes",
            error.holder,
        ) from None
    try:
        yield con
    finally:
        con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Run the block in one transaction: committed when it ends, rolled back if it raises
    (Ctrl+C included), so either everything it wrote is visible or nothing is.

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
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")
