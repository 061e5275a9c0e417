"""Plain-English labels for what outputs show: measures, breakdowns and their values, services,
rights, periods. Every output names things with these, never with codes (issue 15).

The measure, crime group, service and right labels come from the warehouse's reference tables
(the project's own contract, written at every refresh); the breakdowns' names and the coded
answers of the profile questions are here.

Example::

    >>> with open_reader(Path("warehouse.duckdb")) as con:  # doctest: +SKIP
    ...     labels = Labels.read(con)
    >>> labels.metric("svc_IDVA_contact")  # doctest: +SKIP
    'IDVA: Referred and then contacted by the service'
    >>> Labels().value("domestic_abuse", "Y"), Labels().breakdown("crime_group")
    ('Domestic abuse', 'Crime group')
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

BREAKDOWNS = {
    "all": "All victims",
    "crime_group": "Crime group",
    "domestic_abuse": "Domestic abuse",
    "hate_crime": "Hate crime",
    "area": "Area",
    "journey_stage": "Furthest stage reached",
    "repeat_victim": "Repeat victim",
    "age_band": "Age",
    "gender": "Gender",
    "ethnic_group": "Ethnic group",
    "disability": "Disability",
    "service": "Comments about the service",
    "overall_satisfaction": "Overall satisfaction with the police",
}

# The coded answers of the breakdown columns, as a reader would say them.
VALUES = {
    "all": {"all": "All victims"},
    "domestic_abuse": {"Y": "Domestic abuse", "N": "Not domestic abuse"},
    "hate_crime": {"Y": "Hate crime", "N": "Not hate crime"},
    "repeat_victim": {"Y": "Repeat victim", "N": "Not a repeat victim", "DK": "Don't know"},
    "disability": {"Y": "Disabled", "N": "Not disabled", "PNS": "Prefer not to say"},
    "area": {"WILTSHIRE": "Wiltshire", "SWINDON": "Swindon"},
    "overall_satisfaction": {"SATISFIED": "Satisfied", "NEITHER": "Neither", "DISSATISFIED": "Dissatisfied"},
    "journey_stage": {
        "REPORTED": "Reported",
        "INVESTIGATION": "Investigation",
        "CHARGE_DECISION": "Charge decision",
        "COURT": "Court",
        "POST_COURT": "After court",
    },
    "age_band": {"U18": "Under 18", "65+": "65 and over", "PNS": "Prefer not to say"},
    "gender": {"MALE": "Male", "FEMALE": "Female", "OTHER": "Other", "PNS": "Prefer not to say"},
    "ethnic_group": {
        "WHITE": "White",
        "MIXED": "Mixed or multiple",
        "ASIAN": "Asian or Asian British",
        "BLACK": "Black, Black British, Caribbean or African",
        "OTHER": "Other ethnic group",
        "PNS": "Prefer not to say",
    },
}


@dataclass(frozen=True)
class Labels:
    """Labels by code; a code without a label shows as itself, made readable."""

    metrics: dict[str, str] = field(default_factory=dict)
    crime_groups: dict[str, str] = field(default_factory=dict)
    services: dict[str, str] = field(default_factory=dict)
    rights: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection) -> Labels:
        """The labels in the warehouse's reference tables (written at every refresh)."""

        def pairs(sql: str) -> dict[str, str]:
            return dict(con.execute(sql).fetchall())

        return cls(
            metrics=pairs("select metric, label from reference.metrics"),
            crime_groups=pairs("select crime_group, crime_group_name from reference.crime_groups"),
            services=pairs("select service, service_name from reference.services"),
            rights=pairs("select right_code, right_text from reference.rights"),
        )

    def metric(self, code: str) -> str:
        return self.metrics.get(code) or readable(code)

    def service(self, code: str) -> str:
        return self.services.get(code) or code

    def right(self, code: str) -> str:
        return self.rights.get(code) or readable(code)

    @staticmethod
    def breakdown(code: str) -> str:
        return BREAKDOWNS.get(code) or readable(code)

    def value(self, breakdown: str, code: str) -> str:
        """A breakdown's value: "Rape", "Domestic abuse", "Under 18"; an age band as itself."""
        if breakdown == "crime_group":
            return self.crime_groups.get(code) or readable(code)
        if breakdown == "service":
            return self.service(code)
        return VALUES.get(breakdown, {}).get(code) or readable(code)


def readable(code: str) -> str:
    """A code made readable when no label is known.

    >>> readable("BURGLARY_RESIDENTIAL"), readable("25-34")
    ('Burglary residential', '25-34')
    """
    text = code.replace("_", " ").strip()
    return text[:1].upper() + text[1:].lower() if text.isupper() or "_" in code else text
