"""Which comments may leave the warehouse in a contract pack, and for which service (metrics-v2 §5).

A respondent's ``comment_services`` is a **candidate** for a service of a contract when the
respondent consented to sharing (``consent_share_comments = Y``), used the service
(``svc_<S>_status`` CONTACTED or SUPPORTED; REFERRED is not using it), lives in the scope's
area where the contract is area-limited, and the comment is about the service
(:func:`schemas.comment_about.comment_is_about`). Within a pack's 12 months, a service with fewer than
:data:`MIN_COMMENTS` candidates lists none. A candidate is listed only once a person has
released it (``audit.comment_approvals``, written by :mod:`victim_voice.outputs.comment_review`),
and then as released: the stored text (redacted at ingestion) or the reviewer's edit, redacted
again. ``comment_police`` never goes to service packs.

Example::

    >>> with open_reader(Path("warehouse.duckdb")) as con:  # doctest: +SKIP
    ...     [s.service for s in pack_comments(con, "SARC", "2026-11") if not s.too_few]
    ['SARC']
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import duckdb

from schemas.codebook import load_codebook
from schemas.comment_about import USED_STATUSES, services_about
from warehouse.storage import comment_decisions

FIELD = "comment_services"  # the only comment a service's pack may show
MIN_COMMENTS = 5  # a service with fewer candidates in the pack's 12 months lists none
WINDOW_MONTHS = 12
RELEASED = ("RELEASE", "RELEASE_EDITED")


def text_sha256(text: str) -> str:
    """The SHA-256 of a comment's text (UTF-8), in hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def first_month(latest: str, months: int = WINDOW_MONTHS) -> str:
    """The first month of the ``months`` months ending ``latest`` (YYYY-MM).

    >>> first_month("2024-06"), first_month("2024-12")
    ('2023-07', '2024-01')
    """
    index = int(latest[:4]) * 12 + int(latest[5:7]) - months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def pack_window_end(con: duckdb.DuckDBPyConnection) -> str | None:
    """The last month of the packs' 12 months: the latest published rolling 12-month window."""
    return con.execute(
        "select max(period) from marts.published_metric_values where period_type = 'rolling_12m'"
    ).fetchall()[0][0]


@dataclass(frozen=True)
class Candidate:
    """One comment that may go to one service's section of a contract's pack."""

    contract: str
    service: str
    response_id: str  # marts.responses' key
    delivery_id: int  # with row_number, the version in core.response_versions
    row_number: int
    month: str
    text: str  # as stored: redacted at ingestion

    @property
    def review_id(self) -> str:
        """A stable id for the review workbook that does not show the response id: the same for
        every version of the response (the text's hash tells versions apart)."""
        key = f"{self.contract}|{self.service}|{FIELD}|{self.response_id}"
        return "C" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:12].upper()

    @property
    def text_sha256(self) -> str:
        return text_sha256(self.text)


def eligible_comments(con: duckdb.DuckDBPyConnection, code: str, since: str | None = None) -> list[Candidate]:
    """Every candidate of a contract's services, in interview order (from month ``since`` on,
    if given), before the minimum of :data:`MIN_COMMENTS`."""
    book = load_codebook()
    scope = book.contracts[code]["scope"]
    services = list(book.services)
    used = " or ".join(f"list_contains(?, svc_{item['service']}_status)" for item in scope)
    rows = con.execute(
        f"select response_id, source_delivery_id, source_row_number, strftime(interview_date, '%Y-%m'), area,"
        f" {FIELD}, {', '.join(f'svc_{s}_status' for s in services)} from marts.responses"
        f" where consent_share_comments = 'Y' and trim(coalesce({FIELD}, '')) <> '' and ({used})"
        " and strftime(interview_date, '%Y-%m') >= coalesce(?, '') order by interview_date, response_id",
        [*[list(USED_STATUSES)] * len(scope), since],
    ).fetchall()
    found = []
    for response_id, delivery_id, row_number, month, area, text, *statuses in rows:
        about = services_about(text, dict(zip(services, statuses, strict=True)))
        for item in scope:
            if item.get("area") in (None, area) and item["service"] in about:
                found.append(Candidate(code, item["service"], response_id, delivery_id, row_number, month, text))
    return found


@dataclass(frozen=True)
class ServiceComments:
    """One service of a pack (an area-limited one for its area): its candidates of the pack's
    12 months, and what reviewers decided on them."""

    service: str
    area: str | None
    candidates: tuple[Candidate, ...]
    released: tuple[tuple[Candidate, str], ...]  # each with the text released
    withheld: int  # by a reviewer
    awaiting: tuple[Candidate, ...]  # not yet decided

    @property
    def too_few(self) -> bool:
        """Fewer than :data:`MIN_COMMENTS` candidates: none listed, none to review."""
        return len(self.candidates) < MIN_COMMENTS


def pack_comments(con: duckdb.DuckDBPyConnection, code: str, latest: str) -> list[ServiceComments]:
    """Each service in a contract's scope: its candidates of the 12 months ending ``latest``
    and their decisions. A decision holds for the text it was made on: a correction that
    changed the text awaits a new one."""
    decisions = {
        (response_id, service, sha): (decision, released_text)
        for response_id, service, sha, decision, released_text in comment_decisions(con, code, FIELD)
    }
    candidates = [c for c in eligible_comments(con, code, since=first_month(latest)) if c.month <= latest]
    found = []
    for item in load_codebook().contracts[code]["scope"]:
        mine = tuple(c for c in candidates if c.service == item["service"])
        decided = {c: decisions.get((c.response_id, c.service, c.text_sha256)) for c in mine}
        found.append(
            ServiceComments(
                service=item["service"],
                area=item.get("area"),
                candidates=mine,
                released=tuple((c, d[1]) for c, d in decided.items() if d and d[0] in RELEASED),
                withheld=sum(1 for d in decided.values() if d and d[0] == "WITHHOLD"),
                awaiting=tuple(c for c, d in decided.items() if d is None),
            )
        )
    return found
