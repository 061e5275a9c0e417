"""Which services a comment is about (metrics-v2 §5): the rule the contract packs list comments
by and the comment themes are counted by service with.

A respondent used a service when its ``svc_<S>_status`` is CONTACTED or SUPPORTED (REFERRED
is not using it). A comment names a service by its name or one of its aliases
(``contract.yaml`` ``service_aliases``).

Example::

    >>> comment_is_about("My IDVA was brilliant", "IDVA", {"IDVA": "SUPPORTED", "SARC": "CONTACTED"})
    True
    >>> comment_is_about("My advocate was brilliant", "IDVA", {"IDVA": "SUPPORTED", "ISVA": "CONTACTED"})
    False
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

from schemas.codebook import alias_pattern, load_codebook, plain_apostrophes

USED_STATUSES = ("CONTACTED", "SUPPORTED")


@cache
def _service_patterns() -> dict[str, re.Pattern[str]]:
    return {service: alias_pattern(names) for service, names in load_codebook().service_aliases.items()}


def service_mentions(comment: str) -> dict[str, list[tuple[int, int]]]:
    """Where a comment names each service, by name or alias (``contract.yaml`` ``service_aliases``):
    whole words, any case; services it does not name are left out.

    >>> service_mentions("The Bridge SARC was kind")
    {'SARC': [(0, 10), (11, 15)]}
    """
    text = plain_apostrophes(comment)
    found = {s: [m.span() for m in pattern.finditer(text)] for s, pattern in _service_patterns().items()}
    return {service: spans for service, spans in found.items() if spans}


def services_used(statuses: Mapping[str, str | None]) -> set[str]:
    """The services a respondent used: contacted by, or supported by."""
    return {service for service, status in statuses.items() if status in USED_STATUSES}


def comment_is_about(comment: str, service: str, statuses: Mapping[str, str | None]) -> bool:
    """True when a respondent with these service statuses used ``service`` and the comment is
    about it: it names the service (or an alias), or the respondent used no other service and
    the comment names none. A word two services share ("advocate") names neither.

    The last clause ("names none") goes a step past the spec's "or the respondent used no other
    service": a comment that names only another service is about that one, and stays out of
    this service's pack.

    >>> statuses = {"SARC": "SUPPORTED", "ISVA": "REFERRED"}
    >>> comment_is_about("They were kind", "SARC", statuses), comment_is_about("Still no ISVA", "SARC", statuses)
    (True, False)
    >>> comment_is_about("The SARC was kind", "ISVA", statuses)  # referred only: not used
    False
    """
    return service in services_about(comment, statuses)


def services_about(comment: str, statuses: Mapping[str, str | None]) -> list[str]:
    """Every service the comment is about (:func:`comment_is_about`), in the order of
    ``statuses``, with the comment's mentions found once for all of them.

    >>> services_about("The SARC and my ISVA were kind", {"ISVA": "SUPPORTED", "SARC": "CONTACTED", "IDVA": None})
    ['ISVA', 'SARC']
    >>> services_about("They were kind", {"ISVA": "REFERRED", "SARC": "SUPPORTED"})
    ['SARC']
    """
    used = services_used(statuses)
    if not used:
        return []
    named = service_mentions(comment)
    return [s for s in statuses if s in used and (s in named or (used == {s} and not named))]
