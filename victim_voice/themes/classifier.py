"""Coding a comment: its themes with polarity and its overall sentiment.

The method was chosen by measurement on the dev part of the labelled set (``python -m
victim_voice.themes.evaluation --cross-validate`` and ``--compare``): the cues find what
they can (:mod:`victim_voice.themes.rules`), and a logistic regression per (theme, polarity)
decides each label from the cues' hits and the comment's words and letters
(:mod:`victim_voice.themes.theme_model`); the sentiment model beats VADER alone
(:mod:`victim_voice.themes.sentiment`).

>>> coding = classify("PC [NAME] was kind, but not once did anyone call me back.")
>>> coding.themes
{'contact_access': 'NEG', 'respect_empathy': 'POS'}
>>> coding.sentiment
'MIXED'
>>> classify("").as_record("c1")
{'id': 'c1', 'themes': {}, 'sentiment': 'NEUTRAL'}
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from victim_voice.themes import codeframe, rules, sentiment, theme_model

NEUTRAL = "NEUTRAL"
# Below this many comments a pool costs more than it saves (a worker starts in about 0.3 s,
# the time of some 3,000 comments); chunks are large so that few results cross between processes.
POOL_FROM = 5000
CHUNK = 2000


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
    model = theme_model.default_model()
    raised = model.labels(text, hits) if model else {(hit.theme, hit.polarity) for hit in hits}
    themes = {
        theme: value
        for theme in codeframe.THEMES
        if (value := codeframe.polarity((theme, "POS") in raised, (theme, "NEG") in raised)) is not None
    }
    return Coding(themes, sentiment.sentiment_of(text, hits))


def classify_all(texts: Iterable[str]) -> Iterator[Coding]:
    """The codes of each comment, in order."""
    for text in texts:
        yield classify(text)


def _classify_chunk(texts: Sequence[str]) -> list[Coding]:
    return [classify(text) for text in texts]


def classify_many(texts: Sequence[str], workers: int = 1) -> list[Coding]:
    """The codes of each comment, in order; ``workers`` > 1 codes a large batch in that many processes.

    >>> [c.themes for c in classify_many(["Nobody rang me back.", ""], workers=2)]
    [{'contact_access': 'NEG'}, {}]
    """
    if workers <= 1 or len(texts) < POOL_FROM:
        return [classify(text) for text in texts]
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    chunks = [texts[i : i + CHUNK] for i in range(0, len(texts), CHUNK)]
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        return [coding for chunk in pool.map(_classify_chunk, chunks) for coding in chunk]
