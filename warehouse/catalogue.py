"""The warehouse's public objects and what they hold, read from their SQL header comments.

Every SQL file starts with ``-- schema.object: description (grain: ...)``; that header is
the one place an object is described, for `victim-voice tables` and the README test.

Example::

    >>> [o.name for o in public_objects()][:3]
    ['audit.comment_approvals', 'audit.deliveries', 'audit.quarantine']
    >>> [o.name for o in LABEL_TABLES]
    ['reference.metrics', 'reference.rights', 'reference.services', 'reference.crime_groups']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from warehouse.sql_files import SQL_DIR, header_comment, object_name

PUBLIC_FILES = (
    "marts/*.sql",
    "audit/deliveries.sql",
    "audit/quarantine.sql",
    "audit/comment_approvals.sql",
    "audit/refreshes.sql",
)


@dataclass(frozen=True)
class PublicObject:
    name: str
    description: str
    grain: str


def describe(path: Path) -> PublicObject:
    """Name, description and grain of the object a SQL file defines."""
    name = object_name(path)
    text = header_comment(path).removeprefix(f"{name}:").strip()
    grain = re.search(r"\(grain: ([^)]*)\)", text)
    return PublicObject(name, text, grain.group(1) if grain else "")


def public_objects(sql_dir: Path = SQL_DIR) -> list[PublicObject]:
    """The documented public objects: every mart, and four audit tables."""
    paths = sorted({p for pattern in PUBLIC_FILES for p in sql_dir.glob(pattern)})
    return [describe(p) for p in paths]


# The codebook's names for the codes in the marts, so that a query can show names
# (written by warehouse/reference.py from the contract on every refresh).
LABEL_TABLES = (
    PublicObject(
        "reference.metrics", "every metric's label, family, service and right (public: in metric_values)", "metric"
    ),
    PublicObject("reference.rights", "each Victims' Code right's text and principle", "right_code"),
    PublicObject("reference.services", "each support service's name", "service"),
    PublicObject("reference.crime_groups", "each crime group's name, in the codebook's order", "crime_group"),
)
