"""Coding the stored comments into the codeframe's themes, in the refresh's transaction.

Every comment of every loaded response version (``comment_police``, ``comment_services``),
as stored (redacted at ingestion), is coded once by the current classifier
(:mod:`victim_voice.themes.classifier`): its themes with polarity, its sentiment and, for
``comment_services``, the services it is about (metrics-v2 §5, the rule the contract packs
use). The codes go to ``core.comment_codes`` and never any text. :func:`coder_version` names
the classifier and the services' aliases; a change of either re-codes every stored comment at
the next refresh (``warehouse.models.models_version`` includes it, so the refresh is owed).

Example::

    >>> with open_writer(Path("warehouse.duckdb")) as con:  # doctest: +SKIP
    ...     code_stored_comments(con)
    340
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from schemas.codebook import load_codebook
from schemas.comment_about import services_about
from victim_voice.themes import codeframe

ABOUT_FIELD = "comment_services"  # the comment about services: the one a service's figures and pack use
THEMES_DIR = Path(codeframe.__file__).resolve().parent
# the rest of the package decides the codes
NOT_CODING = ("training.py", "evaluation.py", "cross_validation.py", "__init__.py")
WORKERS = 2  # processes for a large re-coding (a month's comments are coded in this process)


@cache
def coder_version() -> str:
    """A hash of the classifier's code and weights (not its training or evaluation) and the
    services' aliases, which decide "about" (16 hex digits). The vaderSentiment lexicon is
    pinned with the package.

    >>> len(coder_version()), coder_version() == coder_version()
    (16, True)
    """
    digest = hashlib.sha256()
    files = sorted(p for p in THEMES_DIR.iterdir() if p.suffix in (".py", ".json", ".npz") and p.name not in NOT_CODING)
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(json.dumps(load_codebook().service_aliases, sort_keys=True).encode())
    return digest.hexdigest()[:16]


def uncoded_comments(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every stored comment (non-blank) not yet coded, with its version's service statuses."""
    services = list(load_codebook().services)
    statuses = ", ".join(f"v.svc_{s}_status" for s in services)
    return con.execute(
        f"""
        select v.delivery_id, v.row_number, f.field, f.text, {statuses}
        from core.response_versions as v
        cross join lateral (
            values ('comment_police', v.comment_police), ('comment_services', v.comment_services)
        ) as f(field, text)
        anti join core.comment_codes as c
            on c.delivery_id = v.delivery_id and c.row_number = v.row_number and c.field = f.field
        where trim(coalesce(f.text, '')) <> ''
        order by v.delivery_id, v.row_number, f.field
        """
    ).df()


def coded_rows(comments: pd.DataFrame, version: str) -> pd.DataFrame:
    """The rows of core.comment_codes for these comments (their text is not carried over)."""
    from victim_voice.themes.classifier import classify_many  # the cues and lexicons only when there is work

    services = list(load_codebook().services)
    codings = classify_many(comments["text"].tolist(), workers=WORKERS)
    status_columns = [f"svc_{s}_status" for s in services]
    about = [
        services_about(text, dict(zip(services, statuses, strict=True))) if field == ABOUT_FIELD else None
        for field, text, *statuses in comments[["field", "text", *status_columns]].itertuples(index=False)
    ]
    rows = pd.DataFrame(
        {
            "delivery_id": comments["delivery_id"].to_numpy(),
            "row_number": comments["row_number"].to_numpy(),
            "field": comments["field"].to_numpy(),
            "coded_by": version,
            "sentiment": [c.sentiment for c in codings],
            "about_services": pd.Series(about, dtype=object),
        }
    )
    for theme in codeframe.THEMES:
        rows[f"theme_{theme}"] = pd.Series([c.themes.get(theme) for c in codings], dtype=object)
    return rows


def code_stored_comments(con: duckdb.DuckDBPyConnection) -> int:
    """Code every stored comment the current classifier has not coded (all of them after a
    change of classifier); returns how many were coded. Runs inside the caller's transaction."""
    version = coder_version()
    con.execute("delete from core.comment_codes where coded_by <> ?", [version])
    comments = uncoded_comments(con)
    if comments.empty:
        return 0
    rows = coded_rows(comments, version)
    con.register("comment_codes_rows", rows)
    try:
        con.execute("insert into core.comment_codes by name select * from comment_codes_rows")
    finally:
        con.unregister("comment_codes_rows")
    return len(rows)
