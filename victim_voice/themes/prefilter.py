"""A quick test of which cues could match a comment, so that most cue patterns are never run.

Every cue is a regular expression; most can only match text holding one of a few literal
strings ("rang out|on hold|voicemail" needs "rang out", "on hold" or "voicemail").
:func:`required_literals` reads those strings from the pattern's parse, and
:class:`LiteralGate` finds, in one pass of one regular expression (a trie of every cue's
literals), which of them a comment holds. A cue none of whose literals is there cannot match
and is skipped; a cue with no such literals is always run. So the gate changes no result
(a test checks it on the labelled set and on random text), only the time.

>>> sorted(required_literals(r"rang out|on hold|\\bvoicemail"))
['on hold', 'rang out', 'voicemail']
>>> required_literals(r"\\d+ days?"), required_literals(r"\\w+") is None
(frozenset({' day'}), True)
>>> gate = LiteralGate([r"rang out|on hold", r"\\bslow\\b", r"\\d+ days"])
>>> gate.candidates("they rang me back | slow")
[1]
"""

from __future__ import annotations

import re
from collections.abc import Sequence

try:  # the parser behind re; private, so a pattern it cannot read is simply not gated
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover - another Python
    _sre_parse = None

_ZERO_WIDTH = ("AT", "ASSERT", "ASSERT_NOT")
_REPEATS = ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")


def required_literals(pattern: str) -> frozenset[str] | None:
    """Strings of which every match of ``pattern`` holds at least one (None: no such strings found)."""
    if _sre_parse is None:
        return None
    try:
        found = _sequence(_sre_parse.parse(pattern))
    except (re.error, AttributeError, TypeError, ValueError):
        return None
    return frozenset(found) if found and all(found) else None


def _sequence(items) -> set[str] | None:
    """The best set of required strings of a sequence: its longest run of literal characters, or a part's set."""
    candidates: list[set[str]] = []
    run = ""
    for op, argument in items:
        name = str(op)
        if name == "LITERAL":
            run += chr(argument)
            continue
        if name in _ZERO_WIDTH:  # \b or a look-behind: the characters either side stay adjacent
            continue
        if run:
            candidates.append({run})
            run = ""
        part = None
        if name == "SUBPATTERN":
            part = _sequence(argument[-1])
        elif name == "BRANCH":
            branches = [_sequence(branch) for branch in argument[1]]
            part = None if any(b is None for b in branches) else set().union(*branches)
        elif name in _REPEATS and argument[0] >= 1:
            part = _sequence(argument[2])
        if part:
            candidates.append(part)
    if run:
        candidates.append({run})
    if not candidates:
        return None
    return max(candidates, key=lambda strings: (min(map(len, strings)), -len(strings)))


def _trie_pattern(words: Sequence[str]) -> str:
    """One regular expression matching any of ``words``, longest first at each place (a trie)."""
    root: dict = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict) -> str:
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return pattern(root)


class LiteralGate:
    """Which of some patterns could match a text, from the literal strings each needs."""

    def __init__(self, patterns: Sequence[str]) -> None:
        self.needs = [required_literals(p) for p in patterns]
        literals = sorted({s for strings in self.needs if strings for s in strings})
        self.literals = literals
        # at each place the trie gives the longest literal starting there; every literal inside it is
        # there too (found when first needed: most literals never are)
        self.within: dict[str, frozenset[str]] = {}
        self.always = [k for k, strings in enumerate(self.needs) if strings is None]
        self.needed_by: dict[str, list[int]] = {s: [] for s in literals}
        for k, strings in enumerate(self.needs):
            for s in strings or ():
                self.needed_by[s].append(k)
        self.scanner = re.compile(f"(?=({_trie_pattern(literals)}))") if literals else None

    def present(self, text: str) -> set[str]:
        """The literals that occur in ``text``."""
        if self.scanner is None:
            return set()
        present: set[str] = set()
        for longest in set(self.scanner.findall(text)):
            inside = self.within.get(longest)
            if inside is None:
                inside = self.within[longest] = frozenset(t for t in self.literals if t in longest)
            present |= inside
        return present

    def candidates(self, text: str) -> list[int]:
        """The indexes, in order, of the patterns that could match ``text`` (the others cannot)."""
        found = set(self.always)
        for literal in self.present(text):
            found.update(self.needed_by[literal])
        return sorted(found)
