"""Reference tables written from the codebook, so the SQL models read the contract as data.

``reference.metrics`` (the metric catalogue, public and internal), ``reference.rights``,
``reference.services``, ``reference.crime_groups`` (the codes' names),
``reference.journey_stages``, ``reference.quotas`` (with the codes each quota counts in
``reference.quota_values``), ``reference.contracts`` and ``reference.targets`` (each contract
service's KPI target per metric), plus the macro ``handoff_target_days()``. Rebuilt on every
refresh, like dbt seeds, from the project's own copy of the contract.

Example::

    >>> metric_catalogue(load_codebook())["metric"].head(3).tolist()
    ['sat_contact', 'sat_actions', 'sat_informed']
"""

from __future__ import annotations

import duckdb
import pandas as pd

from schemas.codebook import Codebook, load_codebook, parse_targets
from victim_voice.themes.codeframe import THEME_LABELS

SERVICE_MEASURES = {
    "contact": "Referred and then contacted by the service",
    "timely": "Contacted within {days} days of referral",
    "satisfied": "Satisfied with the service",
    "cope": "Better able to cope and recover",
    "safer": "Feels safer",
}
FUNNEL_STAGES = ("INVESTIGATION", "CHARGE_DECISION", "COURT", "POST_COURT")


def metric_catalogue(book: Codebook) -> pd.DataFrame:
    """Every metric, in the order metrics.md lists them; ``public`` ones form metric_values.

    Comment themes (``theme_<name>_neg``, ``theme_<name>_pos``: the share of respondents with a
    comment who raise the theme that way) follow the metrics of metrics.md. Internal metrics
    feed the reader views: ``svc_<S>_supported`` (the handoff chain),
    ``rights_all`` and ``rights_<principle>`` (pooled Victims' Code compliance).
    """
    rows = [(m, "police_satisfaction", label, None, None, None, True) for m, label in book.police_satisfaction.items()]
    rows += [(code, "victims_code", r["right"], None, code, r["principle"], True) for code, r in book.rights.items()]
    for service, name in book.services.items():
        for measure, label in SERVICE_MEASURES.items():
            text = label.format(days=book.handoff_target_days)
            rows.append((f"svc_{service}_{measure}", "service", f"{name}: {text}", service, None, None, True))
        rows.append((f"svc_{service}_supported", "service_chain", f"{name}: supported", service, None, None, False))
    rows += [
        (f"journey_{s}", "journey", f"Case reached {s.lower().replace('_', ' ')}", None, None, None, True)
        for s in FUNNEL_STAGES
    ]
    rows.append(("rights_all", "victims_code_pooled", "All Victims' Code rights met", None, None, None, False))
    principles = dict.fromkeys(r["principle"] for r in book.rights.values())
    rows += [(f"rights_{p}", "victims_code_pooled", f"Principle: {p}", None, None, p, False) for p in principles]
    for theme, label in THEME_LABELS.items():  # codeframe.yaml: share of comments raising the theme each way
        rows.append((f"theme_{theme}_neg", "themes", f"Comments: {label} (negative)", None, None, None, True))
        rows.append((f"theme_{theme}_pos", "themes", f"Comments: {label} (positive)", None, None, None, True))
    columns = ["metric", "family", "label", "service", "right_code", "principle", "public"]
    frame = pd.DataFrame(rows, columns=columns)
    frame.insert(0, "metric_order", range(1, len(frame) + 1))
    return frame


def target_for(metric: str, service: str, measure: str, *targets: dict[str, float]) -> float | None:
    """The first of ``targets`` (most specific first) that sets ``metric``: its own key, then
    the service-wide ``svc_*_<measure>``; None when none does.

    >>> target_for("svc_IDVA_contact", "IDVA", "contact", {"svc_*_contact": 0.9}, {"svc_IDVA_contact": 0.95})
    0.9
    >>> target_for("svc_IDVA_safer", "IDVA", "safer", {"svc_*_contact": 0.9}) is None
    True
    """
    for found in targets:
        for key in (metric, f"svc_*_{measure}"):
            if key in found:
                return found[key]
    return None


def target_frame(book: Codebook) -> pd.DataFrame:
    """One row per contract, service (scope) and service metric with its target (or none):
    a contract's own ``targets`` win over the contract file's ``targets``."""
    rows = []
    for code, contract in book.contracts.items():
        own = parse_targets(contract.get("targets") or {}, f"contracts.{code}.targets")
        for scope in contract["scope"]:
            service = scope["service"]
            for measure in SERVICE_MEASURES:
                metric = f"svc_{service}_{measure}"
                rows.append(
                    (code, service, scope.get("area"), metric, target_for(metric, service, measure, own, book.targets))
                )
    return pd.DataFrame(rows, columns=["contract", "service", "area", "metric", "target"]).astype({"target": "float64"})


def reference_frames(book: Codebook) -> dict[str, pd.DataFrame]:
    """All reference tables by name."""
    return {
        "metrics": metric_catalogue(book),
        "rights": pd.DataFrame(
            [(code, r["right"], r["principle"]) for code, r in book.rights.items()],
            columns=["right_code", "right_text", "principle"],
        ),
        "services": pd.DataFrame(list(book.services.items()), columns=["service", "service_name"]),
        "crime_groups": pd.DataFrame(
            [(code, name, order) for order, (code, name) in enumerate(book.enums["crime_group"].items(), start=1)],
            columns=["crime_group", "crime_group_name", "crime_group_order"],
        ),
        "journey_stages": pd.DataFrame(
            [(stage, rank) for rank, stage in enumerate(book.journey_stages, start=1)],
            columns=["journey_stage", "stage_rank"],
        ),
        "quotas": pd.DataFrame([(q.name, q.minimum, q.rule) for q in book.quotas], columns=["quota", "target", "rule"]),
        "quota_values": pd.DataFrame(
            [(q.name, q.column, value) for q in book.column_quotas for value in q.values],
            columns=["quota", "column_name", "value"],
        ),
        "contracts": pd.DataFrame(
            [
                (code, c["name"], c.get("value_gbp_m"), scope["service"], scope.get("area"))
                for code, c in book.contracts.items()
                for scope in c["scope"]
            ],
            columns=["contract", "contract_name", "value_gbp_m", "service", "area"],
        ),
        "targets": target_frame(book),
    }


def write_reference_tables(con: duckdb.DuckDBPyConnection, book: Codebook | None = None) -> None:
    """(Re)create the reference schema from the codebook."""
    book = book or load_codebook()
    con.execute("create schema if not exists reference")
    for name, frame in reference_frames(book).items():
        con.register("reference_frame", frame)
        con.execute(f"create or replace table reference.{name} as select * from reference_frame")
        con.unregister("reference_frame")
    con.execute(f"create or replace macro handoff_target_days() as {int(book.handoff_target_days)}")
