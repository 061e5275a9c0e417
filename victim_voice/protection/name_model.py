"""A statistical second opinion on people's names: logistic regression over word features.

The rules in :mod:`victim_voice.protection.redaction` know cues ("PC …", "my IDVA …") and
name lists; real text also names people with no cue and with names no list holds (short
forms, names that are also words, a name at a sentence's start). This model scores every
word by what it looks like (capitalised, sentence-initial, followed by "'s"), what the name
lists and an English dictionary say of it, and the common words around it, and marks the
words whose score passes a threshold.

The weights are a small JSON file (``name_model.json``) trained by
:mod:`victim_voice.protection.name_model_training` (``make name-model``) with scikit-learn
on hand-labelled real feedback text and the project's generated comments. Scoring is plain
Python: nothing is downloaded, nothing is trained at run time. No feature is a person's
name: neighbouring words become features only when they are common English words.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from victim_voice.protection import lexicons

MODEL_FILE = Path(__file__).with_name("name_model.json")
_TOKEN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿĀ-žŁłŚśŻżŹźĆćŃń][A-Za-zÀ-ÖØ-öø-ÿĀ-žŁłŚśŻżŹźĆćŃń'’-]{0,30}|\d+|[^\sA-Za-z\d]")


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    text: str

    @property
    def word(self) -> bool:
        return self.text[0].isalpha()


def tokenise(text: str) -> list[Token]:
    """Words (with inner apostrophes and hyphens), numbers and single punctuation marks."""
    return [Token(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]


@lru_cache(maxsize=1 << 16)
def _key(word: str) -> str:
    key = word.lower().replace("’", "'")
    return key[:-2] if key.endswith("'s") else key.rstrip("'")


@cache
def _lexicons() -> dict[str, frozenset[str]]:
    first, last = lexicons.name_gazetteers()
    return {
        "first": first,
        "english_first": lexicons.english_first_names(),
        "nick": lexicons.nickname_names(),
        "last": last,
        "common": lexicons.common_english_words(),
        "dictionary": lexicons.dictionary_words(),
        "not_name": lexicons.NOT_NAMES,
        "ambiguous": lexicons.AMBIGUOUS,
    }


# Capitalised words that make the word before them part of a place or an organisation's name
# ("Lincoln Park", "Pearl Street", "Madison Cafe").
PLACE_NOUNS = frozenset(
    """
    park street st road rd avenue ave lane close drive way place square plaza gardens terrace green hill court
    college university school academy hospital centre center clinic surgery station airport church chapel
    cathedral abbey cafe café coffee restaurant bar pub inn hotel diner bistro bakery market mall shop store
    theatre theater museum gallery arena stadium hall house cottage farm lodge manor barn mill bridge river
    lake canal valley mount forest wood woods common estate ward unit team trust council police services
    county state city medical med memorial capitol grill kitchen deli tavern brewery pizza donuts co company
    ltd inc plc centre's
    """.split()
)
# Capitalised words that make the word after them part of a place's name ("Lake George",
# "Saint Rose", "New York", "Fort Bragg").
PLACE_PREFIXES = frozenset(
    "lake mount mt st saint fort new north south east west upper lower great little port".split()
)


# The rules' abstract-noun endings but "-ing" (the model may judge "Sterling", "Manning").
ABSTRACT_NOUN_ENDINGS = tuple(e for e in lexicons.ABSTRACT_NOUN_ENDINGS if e != "ing")


def _sentence_start(tokens: list[Token], index: int) -> bool:
    if index == 0:
        return True
    previous = tokens[index - 1].text
    return previous in {".", "!", "?", ":", ";", "\n", '"', "“", "(", ">"}


def _context_word(token: Token | None, lists: dict[str, frozenset[str]]) -> str:
    """A neighbour as a feature: common English words by themselves, anything else by shape."""
    if token is None:
        return "<none>"
    if not token.word:
        return token.text if token.text in ".,!?;:()&-/'\"" else "<punct>"
    key = _key(token.text)
    if token.text.islower() and (key in lists["common"] or key in lists["not_name"] or key in lists["dictionary"]):
        return key
    if token.text[0].isupper():
        return "<PlaceNoun>" if key in PLACE_NOUNS else "<Cap>"
    return "<word>"


@lru_cache(maxsize=1 << 16)
def _lexical(word: str) -> tuple[str, ...]:
    """Which lists hold a word (cached: the lists never change while running)."""
    lists = _lexicons()
    key = _key(word)
    found = [name for name in ("first", "english_first", "nick", "last", "common", "dictionary") if key in lists[name]]
    if key in lists["not_name"]:
        found.append("not_name")
    if key in lists["ambiguous"]:
        found.append("ambiguous")
    return tuple(found)


def _is_acronym_plural(word: str) -> bool:
    """ "ISVAs", "GPs": an abbreviation in the plural, never a name."""
    return len(word) > 2 and word.endswith("s") and word[:-1].isupper()


def _judged(tokens: list[Token], index: int, rule_marked: set[int], lists: dict[str, frozenset[str]]) -> bool:
    """Whether the model judges a token. Not: punctuation and numbers; words in lower case or
    in capitals (the rules' part); abbreviations in the plural; a dictionary word that no name
    list knows opening a sentence ("Towels were clean") or made of dictionary words joined by
    hyphens ("Check-in"), unless a rule marked it."""
    token = tokens[index]
    word = token.text
    if not token.word or not word[0].isupper() or (len(word) > 1 and word.isupper()) or _is_acronym_plural(word):
        return False
    if index in rule_marked:
        return True
    key = _key(word)
    known_name = key in lists["first"] or key in lists["nick"] or key in lists["last"]
    opens = _sentence_start(tokens, index)
    if opens and key in lists["dictionary"] and key.endswith(ABSTRACT_NOUN_ENDINGS):
        return False  # "Silence from the police": a name list holds it, but not as a sentence's subject here
    if "-" in key and all(part in lists["dictionary"] for part in key.split("-") if part):
        return False
    return not (opens and key in lists["dictionary"] and not known_name)


def marked_tokens(tokens: list[Token], rule_spans: list[tuple[int, int]]) -> set[int]:
    """Indexes of the tokens lying inside a span the rules redacted as a name."""
    return {i for i, t in enumerate(tokens) if any(s <= t.start and t.end <= e for s, e in rule_spans)}


def features(tokens: list[Token], rule_marked: set[int]) -> list[dict[str, float]]:
    """One feature dict per token (tokens the model does not judge get an empty dict: never a
    name). ``rule_marked`` holds the indexes of tokens the rules redacted as a name."""
    lists = _lexicons()
    lowered_elsewhere = {_key(t.text) for t in tokens if t.word and t.text.islower()}
    capitalised_inside = {
        _key(t.text) for i, t in enumerate(tokens) if t.word and t.text[0].isupper() and not _sentence_start(tokens, i)
    }
    rows: list[dict[str, float]] = []
    for i, token in enumerate(tokens):
        word = token.text
        if not _judged(tokens, i, rule_marked, lists):
            rows.append({})
            continue
        previous = tokens[i - 1] if i else None
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        after_next = tokens[i + 2] if i + 2 < len(tokens) else None
        shape = "cap"  # only capitalised words are judged; the feature names keep the shape
        start = _sentence_start(tokens, i)
        lexical = _lexical(word)
        key = _key(word)
        row: dict[str, float] = {"bias": 1.0, f"shape={shape}": 1.0, f"start={start}": 1.0}
        for name in lexical:
            row[f"lex={name}"] = 1.0
            row[f"lex={name}|{shape}"] = 1.0
            row[f"lex={name}|start={start}"] = 1.0
        if not lexical:
            row[f"unknown|{shape}"] = 1.0
            row[f"unknown|{shape}|start={start}"] = 1.0
        if ("first" in lexical or "nick" in lexical) and "dictionary" not in lexical:
            row[f"name_not_word|{shape}"] = 1.0
        row[f"len={min(len(word), 9)}"] = 1.0
        if len(key) >= 4:
            row[f"suffix={key[-2:]}"] = 1.0
            row[f"suffix={key[-3:]}"] = 1.0
        if key in PLACE_NOUNS:
            row["place_noun"] = 1.0
        if "-" in word:
            row["hyphenated"] = 1.0
        if any(c.isupper() for c in word[1:]) and not word.isupper():
            row["inner_capital"] = 1.0
        if following is not None and following.word and following.text.islower():
            for suffix in ("ed", "s", "ly", "ing"):
                if following.text.endswith(suffix):
                    row[f"next_ends_{suffix}"] = 1.0
                    break
        before, after = _context_word(previous, lists), _context_word(following, lists)
        row[f"prev={before}"] = 1.0
        row[f"next={after}"] = 1.0
        row[f"prev={before}|{shape}"] = 1.0
        if (
            previous is not None
            and previous.word
            and previous.text[0].isupper()
            and _key(previous.text) in PLACE_PREFIXES
        ):
            row["after_place_prefix"] = 1.0
        row[f"next={after}|{shape}"] = 1.0
        if following is not None and following.text in {"'", "’"} and after_next and after_next.text == "s":
            row["possessive"] = 1.0
        if word.lower().endswith(("'s", "’s")):
            row["possessive"] = 1.0
        if key in lowered_elsewhere:
            row["also_lower_here"] = 1.0
        if key in capitalised_inside:
            row["capitalised_mid_sentence_here"] = 1.0
        for side, neighbour in (("prev", previous), ("next", following)):
            if neighbour is not None and neighbour.word and neighbour.text[0].isupper():
                neighbour_lexical = _lexical(neighbour.text)
                row[f"{side}_cap"] = 1.0
                for name in ("first", "last", "nick"):
                    if name in neighbour_lexical:
                        row[f"{side}_cap_{name}"] = 1.0
        for side, step in (("prev", -2), ("next", 2)):
            joiner = tokens[i + step // 2] if 0 <= i + step // 2 < len(tokens) else None
            other = tokens[i + step] if 0 <= i + step < len(tokens) else None
            if joiner is not None and joiner.text.lower() in {"and", "&", "or"} and other is not None and other.word:
                other_lexical = _lexical(other.text)
                if other.text[0].isupper():
                    row[f"coordinated_{side}_cap"] = 1.0
                    if {"first", "nick"} & set(other_lexical):
                        row[f"coordinated_{side}_name"] = 1.0
        if i in rule_marked:
            row["rule"] = 1.0
            row[f"rule|{shape}"] = 1.0
        rows.append(row)
    return rows


@dataclass(frozen=True)
class NameModel:
    weights: dict[str, float]
    threshold: float

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> NameModel:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(weights=data["weights"], threshold=data["threshold"])

    def probability(self, row: dict[str, float]) -> float:
        if not row:
            return 0.0
        score = sum(self.weights.get(name, 0.0) * value for name, value in row.items())
        return 1.0 / (1.0 + math.exp(-max(min(score, 30.0), -30.0)))


@cache
def default_model() -> NameModel:
    return NameModel.load()


def token_probabilities(
    text: str, rule_spans: list[tuple[int, int]], model: NameModel | None = None
) -> list[tuple[Token, float]]:
    """Every token with the model's probability that it is (part of) a name (0 for tokens the
    model does not judge: punctuation, numbers, words in lower case or capitals)."""
    model = model or default_model()
    tokens = tokenise(text)
    rows = features(tokens, marked_tokens(tokens, rule_spans))
    return [(token, model.probability(row)) for token, row in zip(tokens, rows, strict=True)]


def name_token_spans(
    text: str, rule_spans: list[tuple[int, int]], model: NameModel | None = None
) -> list[tuple[int, int]]:
    """Character spans of the words the model takes for names, adjacent ones joined.

    A word taken for a name anywhere in the text is taken for one wherever else it is
    written with a capital ("Clyde was kind ... I feel Clyde has ...").
    """
    model = model or default_model()
    scored = token_probabilities(text, rule_spans, model)
    chosen = {i for i, (_, p) in enumerate(scored) if p >= model.threshold}
    named = {_key(scored[i][0].text) for i in chosen}
    chosen |= {i for i, (t, p) in enumerate(scored) if p > 0 and _key(t.text) in named}
    spans: list[tuple[int, int]] = []
    for i in sorted(chosen):
        token = scored[i][0]
        end = token.end - 2 if token.text.endswith(("'s", "’s")) else token.end
        if spans and text[spans[-1][1] : token.start].strip() == "":
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((token.start, end))
    return spans
