"""Writing an output file whole or not at all: a report, a pack or the published aggregates
is written beside its place under a hidden ``.part`` name and moved into place in one step,
so a full disk or a read-only folder never leaves a half-written file that looks whole.

Example::

    >>> with written_whole(Path("reports/VictimVoice_report_2024-06.html")) as part:  # doctest: +SKIP
    ...     part.write_text(page, encoding="utf-8")
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb

from warehouse.db import typed_fault


@contextmanager
def written_whole(path: Path) -> Iterator[Path]:
    """Yield the part file to write; it replaces ``path`` when the block succeeds and is removed
    when it fails. An OS or DuckDB fault is raised as its typed fault naming ``path``."""
    part = path.with_name(f".{path.name}.part")
    try:
        yield part
        os.replace(part, path)
    except OSError as error:
        fault = typed_fault(OSError(error.errno, error.strerror, str(path)))
        if fault is None:
            raise
        raise fault from error
    except duckdb.Error as error:
        fault = typed_fault(error, path)
        if fault is None:
            raise
        raise fault from error
    finally:
        with suppress(OSError):
            part.unlink(missing_ok=True)
