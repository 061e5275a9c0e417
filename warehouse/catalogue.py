"""The warehouse's public objects and what they hold, read from their SQL header comments.

Every SQL file starts with ``-- schema.object: description (grain: ...)``; that header is
the one place an object is described, for `victim-voice tables` and the README test.

Example::

    >>> [o.name for o in public_objects()][:2]
    ['audit.deliveries', 'audit.quarantine']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parents[1] / "sql"
PUBLIC_FILES = ("marts/*.sql", "audit/deliveries.sql", "audit/quarantine.sql")


@dataclass(frozen=True)
class PublicObject:
    name: str
    description: str
    grain: str


def header_comment(path: Path) -> str:
    """The leading ``--`` comment lines of a SQL file, joined into one paragraph."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("--"):
            break
        lines.append(line.removeprefix("--").strip())
    return " ".join(lines)


def describe(path: Path) -> PublicObject:
    """Name, description and grain of the object a SQL file defines."""
    name = f"{path.parent.name}.{path.stem}"
    text = header_comment(path).removeprefix(f"{name}:").strip()
    grain = re.search(r"\(grain: ([^)]*)\)", text)
    return PublicObject(name, text, grain.group(1) if grain else "")


def public_objects(sql_dir: Path = SQL_DIR) -> list[PublicObject]:
    """The documented public objects: every mart, and the two audit tables."""
    paths = sorted({p for pattern in PUBLIC_FILES for p in sql_dir.glob(pattern)})
    return [describe(p) for p in paths]
