"""Coding a comment: its themes with polarity (the cues) and its overall sentiment (the model).

The method was chosen by measurement on the labelled set (``python -m
victim_voice.themes.evaluation --compare``): the cues beat a TF-IDF logistic regression and
a mix of both on themes, and the sentiment model beats VADER alone.

>>> coding = classify("PC [NAME] was kind, but not once did anyone call me back.")
>>> coding.themes
{'contact_access': 'NEG', 'respect_empathy': 'POS'}
>>> coding.sentiment
'MIXED'
>>> classify("").as_record("c1")
{'id': 'c1', 'themes': {}, 'sentiment': 'NEUTRAL'}
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from victim_voice.themes import codeframe, rules, sentiment

NEUTRAL = "NEUTRAL"


@dataclass(frozen=True)
class Coding:
    """One comment's codes: ``themes`` maps each theme raised to POS, NEG or MIXED."""

    themes: dict[str, str]
    sentiment: str

    def as_record(self, comment_id: object) -> dict[str, object]:
        return {"id": comment_id, "themes": self.themes, "sentiment": self.sentiment}


def classify(text: str) -> Coding:
    """The codes of one (redacted) comment; an empty or blank comment raises nothing and is NEUTRAL."""
    if not text or not text.strip():
        return Coding({}, NEUTRAL)
    hits = rules.comment_hits(text)
    raised = {(hit.theme, hit.polarity) for hit in hits}
    themes = {
        theme: value
        for theme in codeframe.THEMES
        if (value := codeframe.polarity((theme, "POS") in raised, (theme, "NEG") in raised)) is not None
    }
    tone = sentiment.default_model().predict(sentiment.features(text, hits))
    return Coding(themes, tone)


def classify_all(texts: Iterable[str]) -> Iterator[Coding]:
    """The codes of each comment, in order."""
    for text in texts:
        yield classify(text)
