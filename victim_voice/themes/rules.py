"""Coding a comment by the cues of :mod:`victim_voice.themes.cues`, clause by clause.

A comment is cut into clauses (at sentence ends, semicolons and "but", "though",
"however"...), since one comment often praises one thing and complains of another. In each
clause every cue that matches raises its theme: with the cue's polarity, turned NEG by a
negation just before it ("nobody kept me updated"), or, for a cue without one, with the
clause's tone (its positive words against its negative ones).

>>> sorted(rule_labels("Not once did anyone call me back."))
[('contact_access', 'NEG')]
>>> sorted(rule_labels("The officer was kind but nothing was done."))
[('investigation', 'NEG'), ('respect_empathy', 'POS')]
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache

from victim_voice.themes.cues import CUES, NEGATIVE_WORDS, NEGATORS, POSITIVE_WORDS
from victim_voice.themes.prefilter import LiteralGate

# "didnt" -> "didn't" (and the like), so that cues need be written once.
_CONTRACTIONS = re.compile(
    r"\b(did|does|do|was|were|is|are|has|have|had|could|would|should|wo|ca|must)nt\b|\b(i)m\b|\b(i|you|we|they)ve\b"
)
_CLAUSE_BREAK = re.compile(
    r"[.!?;\n]+|\s[-–—]\s|\b(?:but|though|although|however|whereas|shame|except|apart from|then again|meanwhile)\b"
)
_NEGATION_BEFORE = re.compile(rf"\b(?:{NEGATORS})\b(?:\s+\S+){{0,3}}\s*$")
_NEGATION_START = re.compile(rf"(?:{NEGATORS})\b")
# A negation that turns a complaint into praise: "never made me feel stupid", "no longer scared".
_FLIPS_NEG = re.compile(r"\b(?:never|didn't|did not|no longer|not once|wasn't|weren't)\b(?:\s+\S+){0,2}\s*$")
_POSITIVE = re.compile(rf"\b(?:{POSITIVE_WORDS})\b")
_NEGATIVE = re.compile(rf"\b(?:{NEGATIVE_WORDS})\b")
_NEGATED_POSITIVE = re.compile(rf"\b(?:{NEGATORS})\s+(?:\S+\s+)?(?:{POSITIVE_WORDS})\b")


def normalise(text: str) -> str:
    """Lower case, straight apostrophes, contractions written without one restored.

    >>> normalise("Didnt ring. I’m upset")
    "didn't ring. i'm upset"
    """
    text = text.lower().replace("’", "'").replace("‘", "'")

    def restore(match: re.Match[str]) -> str:
        if match.group(1):
            return match.group(1) + "n't"
        if match.group(2):
            return "i'm"
        return match.group(3) + "'ve"

    return _CONTRACTIONS.sub(restore, text)


def clauses(text: str) -> list[str]:
    """The clauses of a normalised comment (empty ones dropped).

    >>> clauses("kind officer, but nothing done. never again")
    ['kind officer,', 'nothing done', 'never again']
    """
    return [part.strip() for part in _CLAUSE_BREAK.split(text) if part.strip()]


def tone(clause: str) -> int:
    """Positive words less negative words ("not good" counts negative once)."""
    positive = len(_POSITIVE.findall(clause))
    negative = len(_NEGATIVE.findall(clause))
    negated_positive = len(_NEGATED_POSITIVE.findall(clause))
    return positive - 2 * negated_positive - negative


@dataclass(frozen=True)
class Hit:
    """A cue that matched: the theme, the polarity it gave, and how (cue, negated or tone)."""

    theme: str
    polarity: str
    how: str


@cache
def _compiled() -> tuple[tuple[str, str | None, re.Pattern[str]], ...]:
    return tuple((theme, polarity, re.compile(pattern)) for theme, polarity, pattern in CUES)


@cache
def _gate() -> LiteralGate:
    return LiteralGate([pattern for _, _, pattern in CUES])


def comment_hits(text: str) -> list[Hit]:
    """Every cue that matches a comment, with its polarity, clause by clause.

    Each cue is run once over the whole comment, its clauses set apart by " | " (quicker than
    clause by clause), and only if the comment holds a literal string the cue needs
    (:mod:`victim_voice.themes.prefilter`); a match is blanked for the same theme's cues after it.
    """
    marked = " | ".join(clauses(normalise(text)))
    bounds = [m.start() for m in re.finditer(r" \| ", marked)]
    hits: list[Hit] = []
    raised_in: set[tuple[str, int]] = set()
    tones: dict[int, int] = {}
    masked: dict[str, str] = {}
    compiled = _compiled()
    for k in _gate().candidates(marked):
        theme, polarity, pattern = compiled[k]
        current = masked.get(theme, marked)
        for match in pattern.finditer(current):
            index = bisect_right(bounds, match.start())
            clause_start = bounds[index - 1] + 3 if index else 0
            before = current[clause_start : match.start()]
            negated = _NEGATION_BEFORE.search(before) is not None and not _NEGATION_START.match(match.group())
            if polarity == "NEG" and negated and _FLIPS_NEG.search(before):
                hits.append(Hit(theme, "POS", "negated"))  # "never made me feel stupid", "no longer scared"
            elif polarity != "NEG" and negated:
                hits.append(Hit(theme, "NEG", "negated"))
            elif polarity is not None:
                hits.append(Hit(theme, polarity, "cue"))
            elif (theme, index) not in raised_in:  # a topic word adds nothing to a theme a cue raised here
                if index not in tones:
                    end = bounds[index] if index < len(bounds) else len(marked)
                    tones[index] = tone(marked[clause_start:end])
                if tones[index]:
                    hits.append(Hit(theme, "POS" if tones[index] > 0 else "NEG", "tone"))
            if polarity is not None or negated:
                raised_in.add((theme, index))
            current = current[: match.start()] + " " * (match.end() - match.start()) + current[match.end() :]
        masked[theme] = current
    return hits


def rule_labels(text: str) -> set[tuple[str, str]]:
    """The (theme, polarity) labels the cues alone give a comment."""
    return {(hit.theme, hit.polarity) for hit in comment_hits(text)}
