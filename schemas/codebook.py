"""The supplier contract as typed Python objects, read from the project's own copy.

`schemas/contract.yaml` is this project's copy of the supplier's codebook (v1). The
shorthand keys of the YAML (``vcop_01..vcop_12``, ``svc_{S}_status``) are expanded
here into one :class:`ColumnSpec` per delivered column, in contract order.

Example::

    >>> from schemas.codebook import load_codebook
    >>> book = load_codebook()
    >>> book.column("mode").allowed
    ('ONLINE', 'PHONE', 'PAPER')
    >>> len(book.services)
    8
    >>> book.service_aliases["SARC"][:2]
    ('SARC', 'sexual assault referral centre')
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from itertools import permutations
from pathlib import Path

import yaml

CONTRACT_PATH = Path(__file__).with_name("contract.yaml")

# Column types the contract uses.
STRING, DATE, ENUM, INT, TEXT = "string", "date", "enum", "int", "text"


# The force's recorded-crime counts files (recorded-crime.md): ASCII digits only, the whole
# name (re.ASCII, fullmatch), as the supplier's pattern. Here, not beside the counts' pandera
# model, so that finding files never imports pandas or pandera (every command finds files).
COUNTS_FILE_NAME_PATTERN = re.compile(r"RecordedCrime_(?P<period>[0-9]{4}-[0-9]{2})_(?P<seq>[0-9]{2})\.csv", re.ASCII)


@dataclass(frozen=True)
class ColumnSpec:
    """One delivered column and what is valid in it."""

    name: str
    type: str
    required: bool = False
    allowed: tuple[str, ...] = ()  # codes for enums, accepted answers for scaled ints
    pattern: str | None = None
    min_value: int | None = None
    max_value: int | None = None
    max_length: int | None = None
    unique: bool = False
    personal_data: bool = False

    @property
    def is_code(self) -> bool:
        """True for columns whose values are codes (upper-cased on reading)."""
        return self.type == ENUM


@dataclass(frozen=True)
class Quota:
    """A monthly minimum of the supplier contract: at least ``minimum`` responses a month with
    ``column`` in ``values`` (the ``total`` quota has no column: every response counts)."""

    name: str
    minimum: int
    total: int  # the monthly total the minimums are set against
    column: str | None = None
    values: tuple[str, ...] = ()
    rule: str | None = None  # as the contract words it

    def target(self, rows: int) -> int:
        """The minimum scaled to a delivery of ``rows`` responses (rounded down)."""
        return math.floor(self.minimum * rows / self.total)


_QUOTA_RULE = re.compile(r"^\s*(?P<column>\w+)\s*(?:=\s*(?P<value>[\w-]+)|in\s*\((?P<values>[^)]*)\))\s*$")


def parse_quotas(raw: dict) -> tuple[Quota, ...]:
    """The contract's quotas from its ``quotas`` mapping: ``total: 170`` and entries such as
    ``violence: {min: 40, rule: 'crime_group in (A, B)'}``.

    >>> [(q.name, q.column, q.values) for q in parse_quotas({"total": 170, "da": {"min": 30, "rule": "da = Y"}})]
    [('total', None, ()), ('da', 'da', ('Y',))]
    """
    total = int(raw["total"])
    quotas = []
    for name, spec in raw.items():
        if not isinstance(spec, dict):
            quotas.append(Quota(name, int(spec), total))
            continue
        match = _QUOTA_RULE.match(str(spec["rule"]))
        if not match:
            raise ValueError(f"quota {name}: cannot parse rule {spec['rule']!r}")
        values = tuple(dict.fromkeys(v.strip() for v in (match["value"] or match["values"]).split(",")))  # once each
        quotas.append(Quota(name, int(spec["min"]), total, match["column"], values, str(spec["rule"])))
    return tuple(quotas)


@dataclass(frozen=True)
class Codebook:
    """The whole contract: columns, scales, services (and how victims name them), rights,
    contracts and quotas."""

    version: int
    file_name_pattern: re.Pattern[str]
    earliest_interview_date: date
    columns: tuple[ColumnSpec, ...]
    journey_stages: tuple[str, ...]
    services: dict[str, str]
    service_aliases: dict[str, tuple[str, ...]]  # how victims name each service in comments
    rights: dict[str, dict[str, str]]
    police_satisfaction: dict[str, str]
    scales: dict[str, object]
    enums: dict[str, object]
    contracts: dict[str, dict]
    quotas: tuple[Quota, ...]
    handoff_target_days: int
    targets: dict[str, float] = field(default_factory=dict)  # KPI targets by metric key (svc_*_contact)
    _by_name: dict[str, ColumnSpec] = field(default_factory=dict, repr=False)

    def column(self, name: str) -> ColumnSpec:
        """The spec of one column, by its code."""
        return self._by_name[name]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def column_quotas(self) -> tuple[Quota, ...]:
        """The quotas on a column's values (all but the monthly total)."""
        return tuple(q for q in self.quotas if q.column is not None)

    def service_columns(self, service: str) -> dict[str, str]:
        """The five column names of one service, by role (status, days, sat, cope, safer)."""
        return {role: f"svc_{service}_{role}" for role in ("status", "days", "sat", "cope", "safer")}


def _expand_names(key: str, services: list[str]) -> list[str]:
    """Expand ``vcop_01..vcop_12`` and ``svc_{S}_status`` shorthand into column names."""
    if ".." in key:
        first, last = key.split("..")
        stem = first.rstrip("0123456789")
        width = len(first) - len(stem)
        lo, hi = int(first[len(stem) :]), int(last[len(stem) :])
        return [f"{stem}{i:0{width}d}" for i in range(lo, hi + 1)]
    if "{S}" in key:
        return [key.replace("{S}", s) for s in services]
    return [key]


def _codes(values: object) -> tuple[str, ...]:
    """Codes of an enum or scale entry: a list, a mapping (its keys) or a scale's valid+missing."""
    if isinstance(values, dict) and "valid" in values:
        return tuple(str(v) for v in [*values["valid"], *values.get("missing", {})])
    if isinstance(values, dict):
        return tuple(str(k) for k in values)
    return tuple(str(v) for v in values)  # type: ignore[union-attr]


def alias_pattern(aliases: tuple[str, ...]) -> re.Pattern[str]:
    """Any of ``aliases`` as whole words, case-insensitively, spaces matching any white space
    (apostrophes straight: see :func:`plain_apostrophes`).

    >>> pattern = alias_pattern(("DA advocate", "RJ"))
    >>> [bool(pattern.search(text)) for text in ("my da  advocate's number", "RJs", "the RJ team")]
    [True, False, True]
    """
    words = sorted((r"\s+".join(map(re.escape, a.split())) for a in aliases), key=len, reverse=True)
    return re.compile(rf"(?<!\w)(?:{'|'.join(words)})(?!\w)", re.IGNORECASE)


def plain_apostrophes(text: str) -> str:
    """Curly apostrophes as straight ones, so "children’s service" reads as "children's service"."""
    return text.replace("’", "'").replace("‘", "'")


def parse_service_aliases(raw: dict, services: list[str]) -> dict[str, tuple[str, ...]]:
    """Every service's aliases (apostrophes straight); refused when a service has none, or when
    an alias of one service also names another: a word two services share names neither, so it
    is never an alias.

    >>> parse_service_aliases({"IDVA": ["IDVA", "advocate"], "ISVA": ["ISVA", "sexual violence advocate"]},
    ...                       ["IDVA", "ISVA"])
    Traceback (most recent call last):
    ValueError: service_aliases: 'sexual violence advocate' (ISVA) also names IDVA ('advocate'): ...
    """
    if sorted(raw) != sorted(services):
        raise ValueError(f"service_aliases must list exactly the services {', '.join(services)}")
    aliases = {s: tuple(plain_apostrophes(str(a)) for a in raw[s] or ()) for s in services}
    if empty := [s for s, names in aliases.items() if not names]:
        raise ValueError(f"service_aliases: {', '.join(empty)} has no aliases")
    for service, other in permutations(services, 2):
        pattern = alias_pattern(aliases[other])
        for name in aliases[service]:
            if match := pattern.search(name):
                raise ValueError(
                    f"service_aliases: {name!r} ({service}) also names {other} ({match.group()!r}): "
                    "a word shared by two services names neither; remove it"
                )
    return aliases


def _column_spec(name: str, raw: dict, scales: dict, enums: dict) -> ColumnSpec:
    allowed: tuple[str, ...] = ()
    if "enum" in raw:
        allowed = _codes(enums[raw["enum"]])
    elif "scale" in raw:
        allowed = _codes(scales[raw["scale"]])
    return ColumnSpec(
        name=name,
        type=raw["type"],
        required=bool(raw.get("required", False)),
        allowed=allowed,
        pattern=raw.get("pattern"),
        min_value=raw.get("min"),
        max_value=raw.get("max"),
        max_length=raw.get("max_length"),
        unique=bool(raw.get("unique", False)),
        personal_data=bool(raw.get("personal_data", False)),
    )


def parse_codebook(raw: dict) -> Codebook:
    """Build a :class:`Codebook` from the parsed YAML mapping."""
    services = list(raw["services"])
    columns = [
        _column_spec(name, spec, raw["scales"], raw["enums"])
        for key, spec in raw["columns"].items()
        for name in _expand_names(key, services)
    ]
    book = Codebook(
        version=int(raw["version"]),
        file_name_pattern=re.compile(raw["file_name_pattern"], re.ASCII),  # ASCII digits only
        earliest_interview_date=date.fromisoformat(str(raw["earliest_interview_date"])),
        columns=tuple(columns),
        journey_stages=tuple(raw["enums"]["journey_stage"]),
        services=dict(raw["services"]),
        service_aliases=parse_service_aliases(raw["service_aliases"], services),
        rights=dict(raw["rights"]),
        police_satisfaction=dict(raw["police_satisfaction"]),
        scales=dict(raw["scales"]),
        enums=dict(raw["enums"]),
        contracts=dict(raw["contracts"]),
        quotas=parse_quotas(raw["quotas"]),
        handoff_target_days=int(raw["handoff_target_days"]),
        targets=parse_targets(raw.get("targets") or {}, "targets"),
    )
    for code, contract in book.contracts.items():
        parse_targets(contract.get("targets") or {}, f"contracts.{code}.targets")
    book._by_name.update({c.name: c for c in columns})
    return book


_TARGET_KEY = re.compile(r"^svc_(\*|[A-Z]+)_(contact|timely|satisfied|cope|safer)$")


def parse_targets(raw: dict, where: str) -> dict[str, float]:
    """KPI targets: a service metric (``*`` for every service) and a rate from 0 to 1.

    >>> parse_targets({"svc_*_contact": 0.9, "svc_IDVA_cope": 0.7}, "targets")
    {'svc_*_contact': 0.9, 'svc_IDVA_cope': 0.7}
    >>> parse_targets({"sat_overall": 0.8}, "targets")
    Traceback (most recent call last):
    ValueError: targets: 'sat_overall' is not a service metric such as svc_*_contact or svc_IDVA_timely
    """
    targets = {}
    for key, rate in raw.items():
        if not _TARGET_KEY.match(str(key)):
            raise ValueError(f"{where}: {key!r} is not a service metric such as svc_*_contact or svc_IDVA_timely")
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
            raise ValueError(f"{where}: {key} must be a rate from 0 to 1, not {rate!r}")
        targets[str(key)] = float(rate)
    return targets


@cache
def load_codebook(path: Path = CONTRACT_PATH) -> Codebook:
    """Read and expand the project's copy of the contract (cached)."""
    with path.open(encoding="utf-8") as handle:
        return parse_codebook(yaml.safe_load(handle))
