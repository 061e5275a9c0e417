"""Our copy of the codeframe (``codeframe.yaml`` v1 of the spec): 14 themes, polarities, sentiments.

A comment raises each theme with a polarity: POS (it went well), NEG (it went badly, was slow
or missing) or MIXED (both in one comment). Its overall tone is one of ``SENTIMENTS``.

>>> len(THEMES), THEMES[0], LABELS[1]
(14, 'kept_informed', ('kept_informed', 'NEG'))
>>> polarity(pos=True, neg=True)
'MIXED'
"""

from __future__ import annotations

VERSION = 1

# theme -> its label in a report (the spec's `label`)
THEME_LABELS: dict[str, str] = {
    "kept_informed": "Kept informed and updated",
    "contact_access": "Getting through and being contacted",
    "timeliness": "Speed and waiting",
    "respect_empathy": "Treated with respect and empathy",
    "believed": "Believed and taken seriously",
    "investigation": "What was done about the crime",
    "outcome_justice": "Outcome and justice",
    "court": "Court and being a witness",
    "safety": "Safety and protection",
    "emotional_support": "Emotional support and coping",
    "practical_help": "Practical help",
    "rights_information": "Told about rights and options",
    "handoffs": "Referrals and being passed between services",
    "children_family": "Children and family",
}
THEMES: tuple[str, ...] = tuple(THEME_LABELS)
POLARITIES = ("POS", "NEG")
# Every (theme, polarity) a comment can raise: MIXED raises both.
LABELS: tuple[tuple[str, str], ...] = tuple((theme, p) for theme in THEMES for p in POLARITIES)
SENTIMENTS = ("POSITIVE", "NEGATIVE", "MIXED", "NEUTRAL")


def polarity(pos: bool, neg: bool) -> str | None:
    """The polarity a theme is coded with, from whether it was raised each way (None: not raised)."""
    if pos and neg:
        return "MIXED"
    return "POS" if pos else "NEG" if neg else None


def raised(themes: dict[str, str]) -> set[tuple[str, str]]:
    """The (theme, polarity) labels of a coding, MIXED as both.

    >>> sorted(raised({"court": "MIXED", "safety": "POS"}))
    [('court', 'NEG'), ('court', 'POS'), ('safety', 'POS')]
    """
    return {(t, p) for t, value in themes.items() for p in POLARITIES if value in (p, "MIXED")}
