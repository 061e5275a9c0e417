"""Redacting personal data from victims' free-text comments, offline and rule-based.

Structured identifiers (emails, UK phone numbers, postcodes, National Insurance numbers,
crime and incident references, street addresses, dates of birth) are found by patterns;
people's names by cues ("PC …", "my ex …", "… from the advocacy service", "called …") and
by first- and last-name gazetteers from the Faker package (maintained, installed from the
package registry, nothing downloaded at run time). Each is replaced by a typed token such
as ``[NAME]``; redacting redacted text changes nothing.

Example::

    >>> redact("PC Sarah Jones rang me on 07700 900123 about 12 Station Road, SN1 2AB.")
    'PC [NAME] rang me on [PHONE] about [ADDRESS], [POSTCODE].'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import pandas as pd

from victim_voice.protection.lexicons import (
    ABSTRACT_NOUN_ENDINGS,
    AMBIGUOUS,
    NOT_NAMES,
    common_english_words,
    dictionary_words,
    english_first_names,
    name_gazetteers,
    nickname_names,
)
from victim_voice.protection.name_model import name_token_spans

TOKEN = "[{}]"
TYPES = ("EMAIL", "CRIME_REF", "NI_NUMBER", "PHONE", "POSTCODE", "DOB", "ADDRESS", "NAME")

# Words that may stand for a person's role just before their name.
TITLES = r"PC|P\.C\.|DC|D\.C\.|DS|D\.S\.|DI|D\.I\.|DCI|PS|PCSO|Sgt|Mr|Mrs|Ms|Miss|Mx|Dr|Cllr"
WORD_TITLES = (  # in lower case these are also ordinary words: "the officer explained"
    r"Sergeant|Constable|Inspector|Detective(?: Constable| Sergeant| Inspector)?|Officer|Doctor|Nurse|Judge"
    r"|Magistrate"
)
ROLES = (
    r"ex|ex-partner|ex partner|former partner|partner|husband|wife|boyfriend|girlfriend|fiance|fiancé|fiancee"
    r"|son|daughter|brother|sister|mum|mom|mother|dad|father|step-?dad|step-?mum|stepfather|stepmother"
    r"|neighbour|neighbor|neighbours|friend|best friend|mate|uncle|aunt|auntie|aunty|nan|nana|gran|granny"
    r"|grandad|grandma|grandmother|grandfather|cousin|nephew|niece|landlord|landlady|boss|manager|colleague"
    r"|flatmate|housemate|advocate|caseworker|case worker|worker|support worker|key worker|officer|idva|isva"
    r"|counsellor|counselor|therapist|social worker|solicitor|barrister|child|kid|baby|carer|attacker"
    r"|abuser|perpetrator|stalker|offender|handler|call handler|usher|volunteer|locksmith|detective|nurse"
    r"|doctor|lady|man|woman|guy|bloke|prosecutor|judge|csi|defendant|receptionist|interpreter|investigator"
    r"|teacher|lead|coordinator|co-ordinator|navigator|practitioner|mentor|liaison officer"
)
_ROLE = re.compile(ROLES, re.IGNORECASE)
# Words of at most 31 letters: a bound that keeps every pattern linear on "a-a-a-a-…" input.
NAME_WORD = r"[A-Za-zÀ-ÖØ-öø-ÿĀ-žŁłŚśŻżŹźĆćŃń][A-Za-zÀ-ÖØ-öø-ÿĀ-žŁłŚśŻżŹźĆćŃń'’-]{0,30}"
CAPITALISED = r"[A-ZÀ-ÖØ-ÞĀ-ŽŁŚŻŹĆŃ][A-Za-zÀ-ÖØ-öø-ÿĀ-žŁłŚśŻżŹźĆćŃń'’-]{0,30}"


# Characters that IGNORECASE matches to an ASCII letter although lower() does not give one
# ("ſ" matches "s"): a text holding one is run through every pattern, triggers unused.
CASE_FOLD_SURPRISES = frozenset("\u0130\u0131\u017f\u212a")


@dataclass(frozen=True, order=True)
class Span:
    """One identifier found in a text: ``text[start:end]`` is of ``type``."""

    start: int
    end: int
    type: str


@lru_cache(maxsize=1 << 16)
def _key(word: str) -> str:
    """Lower case, straight apostrophe, no possessive: "Catriona’s" → "catriona"."""
    key = word.lower().replace("’", "'")
    return key[:-2] if key.endswith("'s") else key


@lru_cache(maxsize=1 << 16)
def is_first_name(word: str, allow_ambiguous: bool = False) -> bool:
    """A known first name that is not an ordinary word here (ambiguous ones only if allowed).

    Shouted words (all capitals) and lower-case common English words are not names.
    """
    key = _key(word)
    if key in NOT_NAMES or (key in AMBIGUOUS and not allow_ambiguous) or (len(word) > 1 and word.isupper()):
        return False
    if word.islower():
        return len(word) >= 3 and key not in common_english_words() and key in english_first_names()
    return key in name_gazetteers()[0]


@lru_cache(maxsize=1 << 16)
def is_last_name(word: str, allow_ambiguous: bool = False) -> bool:
    """A known last name; ambiguous ones ("Hill", "Green") only where allowed (after a first name)."""
    key = _key(word)
    if key in NOT_NAMES or (key in AMBIGUOUS and not allow_ambiguous) or (len(word) > 1 and word.isupper()):
        return False
    if word.islower() and (len(word) < 3 or key in common_english_words()):
        return False
    return key in name_gazetteers()[1]


def could_be_cued_name(word: str) -> bool:
    """After a cue ("my friend …", "called …"): a capitalised word that is not a known
    non-name, or a lower-case word that is an unambiguous first name."""
    if _key(word) in NOT_NAMES or (len(word) > 1 and word.isupper()):
        return False
    return word[0].isupper() or is_first_name(word)


# --------------------------------------------------------------------------- structured identifiers

_DATE = (
    r"\d{4}-\d{1,2}-\d{1,2}"
    r"|\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{2,4}"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,?\s+\d{2,4}"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{2,4}"
)
# What a text must hold for a structured pattern to match: every pattern but the emails needs
# a digit, and those registered by ``_needing`` one of its lower-case fragments too. A cheap
# test that skips most patterns on most comments, with the same result.
_PATTERN_NEEDS: dict[re.Pattern[str], tuple[str, ...]] = {}


def _needing(*fragments: str):
    def register(pattern: re.Pattern[str]) -> re.Pattern[str]:
        _PATTERN_NEEDS[pattern] = fragments
        return pattern

    return register


PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("EMAIL", _needing("@")(re.compile(r"(?<![\w.+'-])[\w.+'-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}", re.UNICODE))),
    ("CRIME_REF", _needing("54")(re.compile(r"(?<!\d)54(?:[ \-/]?\d){9}(?!\d)"))),
    ("CRIME_REF", _needing("54/")(re.compile(r"(?<![\d/])54/\d{4,7}/\d{2}(?![\d/])"))),  # "54/12345/24": number/year
    (
        "CRIME_REF",  # incident log numbers: "log 123 of 14/06/2024", "incident no. 0423"
        _needing("log", "incident", "ref", "urn", "occurrence")(
            re.compile(
                r"\b(?:log|incident|ref|reference|urn|occurrence)\s*(?:(?:num+b?e?r|no\.?|num|#)\s*(?:was|is|[:.])?\s*"
                r"(?P<id>\d{2,8}(?:\s+of\s+\d{1,2}[/.]\d{1,2}[/.]\d{2,4})?)|(?:was|is|[:.])?\s*"
                r"(?P<log>\d{2,6}\s+of\s+\d{1,2}[/.]\d{1,2}[/.]\d{2,4}))(?![\d/\-])",
                re.IGNORECASE,
            )
        ),
    ),
    ("NI_NUMBER", re.compile(r"\b[A-CEGHJ-PR-TW-Z]{2}[\s-]?\d{2}[\s-]?\d{2}[\s-]?\d{2}[\s-]?[A-D]\b", re.IGNORECASE)),
    ("PHONE", re.compile(r"(?<![\w+])(?:(?:\+\s?|00\s?)44\s?(?:\(0\)\s?)?|\(?0)\d[\d\s().\-]{7,15}\d(?!\d)")),
    ("POSTCODE", re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\s*\d[A-Z]{2}\b", re.IGNORECASE)),
    ("POSTCODE", re.compile(r"\b[A-Z]{1,2}\s\d[A-Z\d]?\s+\d[A-Z]{2}\b")),  # "SN 1 2AB", in capitals only
    (
        "EMAIL",  # written to dodge spam filters: "jane.doe(at)gmail.com"
        _needing("(at)", "[at]")(
            re.compile(
                r"(?<![\w.+'-])[\w.+'-]{1,64}\s?(?:\(at\)|\[at\])\s?[\w-]{1,63}(?:\s?(?:\.|\(dot\)|\[dot\])\s?[\w-]{1,63}){1,8}",
                re.IGNORECASE,
            )
        ),
    ),
    (
        "DOB",
        _needing("born", "dob", "d.o.b", "date of birth")(
            re.compile(
                rf"\b(?:born|dob|d\.o\.b\.?|date of birth)(?:\s*(?:is|was|on|:|-|–|\()){{0,4}}\s*(?P<id>{_DATE})",
                re.IGNORECASE,
            )
        ),
    ),
    (
        "ADDRESS",
        re.compile(
            r"(?:\bflat\s+\d+[a-z]?,?\s+)?\b\d{1,4}[a-z]?,?\s+(?:[A-Za-z][a-z'’]+\s+){1,3}"
            r"(?:road|rd|street|st|lane|ln|avenue|ave|close|drive|dr|way|crescent|cres|place|pl|court|ct|gardens|gdns"
            r"|terrace|grove|hill|park|row|walk|mews|square|sq|green|rise|view|parade|vale|meadows?|croft|fields?"
            r"|end|gate|chase|mead|paddock|orchard|wharf|yard)\b\.?",
            re.IGNORECASE,
        ),
    ),
]
PATTERNS_BY_KIND = {kind: pattern for kind, pattern in reversed(PATTERNS)}  # the first of each kind
PHONE_DIGITS = (10, 11)
ADDRESS_NOT_A_STREET = re.compile(
    r"\b(?:crown|magistrates'?|county|family|youth|hearings?|years?|months?|weeks?|days?|hours?|minutes?|times?"
    r"|mins?|miles?|mi|km|kms|metres?|meters?|yards?|feet|ft|steps?|hrs?|blocks?|seconds?|secs?"
    r"|out|of|in|on|at|the|a|an|to|my|your|his|her|our"
    r"|their|by|for|and|or|with|from|bus|buses|train|k|number)\b",
    re.IGNORECASE,
)


_DIGIT = re.compile(r"\d")


def _patterns_to_run(text: str) -> list[tuple[str, re.Pattern[str]]]:
    if not CASE_FOLD_SURPRISES.isdisjoint(text):
        return PATTERNS
    has_digit = _DIGIT.search(text) is not None
    lowered = text.lower()
    return [
        (kind, pattern)
        for kind, pattern in PATTERNS
        if (kind == "EMAIL" or has_digit) and any(f in lowered for f in _PATTERN_NEEDS.get(pattern, ("",)))
    ]


def find_structured(text: str, every_pattern: bool = False) -> list[Span]:
    """Spans of every structured identifier.

    A pattern is run only on a text holding what it needs (a digit, "@", "born" …): the
    result is the same as running every pattern (``every_pattern``), at a fraction of the cost.
    """
    spans = []
    for kind, pattern in PATTERNS if every_pattern else _patterns_to_run(text):
        position = 0
        while match := pattern.search(text, position):
            group = next((g for g in ("id", "log") if g in pattern.groupindex and match.group(g)), 0)
            start, end = match.span(group)
            position = match.end()
            if kind == "PHONE":  # "07700 900123 07700 900456": keep the number, rescan the rest
                end = start + longest_phone_prefix(text[start:end])
                position = end if end > start else match.start() + 1
                if end == start:
                    continue
            if kind == "ADDRESS" and ADDRESS_NOT_A_STREET.search(text[start:end]):
                continue
            spans.append(Span(start, end, kind))
    return spans + birth_dates(text) + described_addresses(text)


# A full date this many years ago or more is taken for a date of birth even without "born"
# or "DOB" ("For the ID check: 3rd April 1990"): the crimes victims write about are recent.
# The price is a historic crime's date redacted as [DOB], which loses little.
BIRTH_YEARS_AGO = 10
_FULL_DATE = re.compile(rf"(?<![\d/.\-])(?:{_DATE})(?![/.\-]?\d)", re.IGNORECASE)


def birth_dates(text: str, today: date | None = None) -> list[Span]:
    """Full dates at least ``BIRTH_YEARS_AGO`` years before ``today`` (two-digit years read as
    the latest year not after this one: "16/10/74" is 1974, "12/05/24" is 2024)."""
    if not _DIGIT.search(text):
        return []
    this_year = (today or date.today()).year
    spans = []
    for match in _FULL_DATE.finditer(text):
        numbers = re.findall(r"\d+", match.group())
        year_text = numbers[0] if len(numbers[0]) == 4 else numbers[-1]
        year = int(year_text)
        if len(year_text) == 2:
            year += 2000 if 2000 + year <= this_year else 1900
        if len(year_text) in (2, 4) and year <= this_year - BIRTH_YEARS_AGO:
            spans.append(Span(match.start(), match.end(), "DOB"))
    return spans


# Towns of Wiltshire and Swindon and their neighbours: where an address stops (the town is
# not an identifier; a postcode is one of its own).
TOWNS = (
    "Swindon|Salisbury|Chippenham|Trowbridge|Devizes|Marlborough|Melksham|Warminster|Calne|Corsham|Westbury"
    "|Amesbury|Tidworth|Malmesbury|Royal Wootton Bassett|Wootton Bassett|Highworth|Purton|Cricklade"
    "|Bradford[- ]on[- ]Avon|Pewsey|Ludgershall|Wilton|Mere|Tisbury|Downton|Market Lavington|Lyneham|Wroughton"
    "|Stratton|Bath|Bristol|Frome|Andover|Newbury|Cirencester|Wiltshire|Somerset|Gloucestershire|Hampshire"
)
_TOWN = re.compile(rf"(?:{TOWNS})\b", re.IGNORECASE)
# Words that make a capitalised phrase an address: street words and the words of house names.
ADDRESS_WORDS = (
    "road|rd|street|st|lane|ln|avenue|ave|close|drive|dr|way|crescent|cres|place|pl|court|ct|gardens|gdns|terrace"
    "|grove|hill|park|row|walk|mews|square|sq|green|rise|view|parade|vale|meadows?|croft|fields?|end|gate|chase"
    "|mead|paddocks?|orchard|wharf|yard|cottages?|house|farm|barn|lodge|forge|bakery|manor|mill|rectory|vicarage"
    "|bungalow|villa|granary|stables|oast|coach house|old school|chapel"
)
_ADDRESS_WORD = re.compile(rf"\b(?:{ADDRESS_WORDS})\b", re.IGNORECASE)
_STREET_AFTER = re.compile(rf"\s+(?:{ADDRESS_WORDS})\b", re.IGNORECASE)
_ADDRESS_CUE = re.compile(
    r"\b(?:(?:i|we|they|he|she|mum|dad)\s+(?:now\s+|still\s+)?(?:live|lived|living|moved)\s+(?:at|on|to)"
    r"|(?:living|lives)\s+(?:at|on)|just off|round the corner (?:from|of)"
    r"|(?:post|send|sent|posted|deliver|forward|return|write)\s+(?:[\w'’]+\s+){0,4}?(?:back\s+)?to"
    r"|(?:home\s+)?address\s*(?:is|was|:)|(?:our|my|their|his|her)\s+(?:own\s+)?(?:house|home|flat)\s+is(?:\s+at)?"
    r"|moved\s+(?:in\s+)?to)\s+",
    re.IGNORECASE,
)
_ADDRESS_PHRASE = re.compile(
    r"(?:(?:flat|apartment|unit)\s+\d{1,4}[a-z]?,?\s+)?(?:\d{1,4}[a-z]?,?\s+)?"
    r"[A-Z][\w'’-]{0,30}(?:,?\s+(?:[A-Z][\w'’-]{0,30}|\d{1,4}[a-z]?)){0,7}",
)
# A house name followed by its street, with no cue: "Rose Cottage, Cricklade Road".
_HOUSE_AND_STREET = re.compile(
    r"\b(?:The\s+)?(?:[A-Z][a-z'’]+\s+){0,2}(?:Cottage|House|Farm|Barn|Lodge|Forge|Bakery|View|Manor|Mill|Rectory"
    r"|Bungalow|Stables|Granary),\s+(?:The\s+)?(?:[A-Z][a-z'’]+\s+){0,2}"
    r"(?:Road|Street|Lane|Avenue|Close|Drive|Way|Crescent|Place|Gardens|Terrace|Grove|Hill|Paddocks|Green|Rise)\b"
)
_NUMBER_THE = re.compile(r"\b\d{1,4}[a-z]?,?\s+The\s+[A-Z][a-z'’]+(?:\s+[A-Z][a-z'’]+)?")


def described_addresses(text: str) -> list[Span]:
    """Addresses the street pattern cannot see: after a cue ("I live on Manor Gardens", "post
    it to Ivy House, Devizes Road"), a house name and its street, "53 The Paddocks". The
    address stops before a town, a postcode or a word in lower case."""
    spans = []
    for cue in _ADDRESS_CUE.finditer(text):
        phrase = _ADDRESS_PHRASE.match(text, cue.end())
        if phrase is None:
            continue
        end = phrase.end()
        for stop in (_TOWN, PATTERNS_BY_KIND["POSTCODE"]):
            for found in stop.finditer(text, phrase.start(), end + 10):  # a postcode may end past the phrase
                if found.start() >= end:
                    break
                if stop is _TOWN and _STREET_AFTER.match(text, found.end()):
                    continue  # "Devizes Road", "Bath Road": a street named after a town
                end = found.start()
                break
        candidate = text[phrase.start() : end].rstrip(" ,")
        if candidate and _ADDRESS_WORD.search(candidate):
            spans.append(Span(phrase.start(), phrase.start() + len(candidate), "ADDRESS"))
    for pattern in (_HOUSE_AND_STREET, _NUMBER_THE):
        spans += [Span(m.start(), m.end(), "ADDRESS") for m in pattern.finditer(text)]
    return spans


def longest_phone_prefix(candidate: str) -> int:
    """Length of the longest prefix that is a UK phone number, cut at a separator (0 if none):
    "07700 900123 4" is a number followed by a stray digit; so is "01793 000000 .0", cut at any
    run of the separators a number may hold (spaces, brackets, dots, dashes).

    >>> longest_phone_prefix("07700 900123 4"), longest_phone_prefix("0800 12"), longest_phone_prefix("01793 000000 .0")
    (12, 0, 12)
    """
    cuts = {len(candidate), *(m.start() for m in re.finditer(r"[\s().\-]+\d", candidate))}
    for cut in sorted(cuts, reverse=True):
        if is_uk_phone(candidate[:cut]):
            return len(candidate[:cut].rstrip(" -"))
    return 0


def is_uk_phone(candidate: str) -> bool:
    """10 or 11 digits once +44 is read as 0 (so "101", dates and money never qualify)."""
    digits = re.sub(r"\D", "", candidate)
    if candidate.lstrip().startswith(("+", "00")):
        digits = "0" + digits.removeprefix("00").removeprefix("44").removeprefix("0")
    return len(digits) in PHONE_DIGITS and digits.startswith("0")


# --------------------------------------------------------------------------- names

_TWO_WORDS = rf"{NAME_WORD}(?:\s+{NAME_WORD})?"
ORGANISATIONS = (
    r"advocacy|victim|horizon|police|service|idva|isva|sarc|support|refuge|council|cps|witness|court|team"
    r"|station|cid|safeguarding|charity|splitz|housing|hospital|helpline|children|fearfree|asb|csi|front desk"
    r"|camhs|school|gwh|nhs|citizens|fire|ambulance|probation|university|college|hate crime|control room|bank"
    r"|council's|fraud team|asb team|rape crisis"
)
# How sure a cue makes us that a name follows: CERTAIN (a title, "my name is", "called", an
# appositive "the call handler, …,") takes any word that is not a common English word;
# LIKELY (a role, "… from the SARC") takes a capitalised word or a known name; POSSIBLE (a
# verb such as "rang me", "I'm") takes a capitalised word that is no common word.
POSSIBLE, LIKELY, CERTAIN, KNOWN = 0, 1, 2, 3  # KNOWN: only a known first name, in any case
_ROLE_WORDS = (
    rf"(?:(?:witness care|victim care|da|domestic abuse|support|case|police|liaison|family|new|old|lovely|kind"
    rf"|specialist|crisis|key)\s+)?(?:{ROLES})"
)


@dataclass(frozen=True)
class Trigger:
    """What a text must hold before a cue's pattern is worth running: one of ``words`` as a
    whole word, or one of ``fragments`` anywhere (lower case). A cheap, necessary condition:
    a text without it cannot match, so skipping the pattern changes nothing."""

    words: frozenset[str] = frozenset()
    fragments: tuple[str, ...] = ()

    def __or__(self, other: Trigger) -> Trigger:
        return Trigger(self.words | other.words, self.fragments + other.fragments)

    def fires(self, words: set[str], lowered: str) -> bool:
        return not self.words.isdisjoint(words) or any(f in lowered for f in self.fragments)


@dataclass(frozen=True)
class Cue:
    """A pattern that introduces a name, how sure it makes us, and its trigger."""

    pattern: re.Pattern[str]
    certainty: int
    trigger: Trigger


_LETTERS = re.compile(r"[^\W\d_]+")


def _words(alternation: str) -> Trigger:
    """The first word of each alternative of a pattern's alternation ("P\\.C\\.|Sgt" → p, sgt),
    with and without an optional hyphen ("step-?dad" → step, stepdad)."""
    firsts = set()
    for alternative in alternation.lower().split("|"):
        for variant in {alternative.replace("-?", "-"), alternative.replace("-?", "")}:
            if found := _LETTERS.search(variant):
                firsts.add(found.group())
    return Trigger(words=frozenset(firsts))


def _trigger(words: str) -> Trigger:
    return Trigger(words=frozenset(words.split()))


_ROLE_TRIGGER = _words(ROLES)
_ORGANISATION_TRIGGER = Trigger(fragments=tuple(sorted({_LETTERS.search(o).group() for o in ORGANISATIONS.split("|")})))
NAME_CUES: tuple[Cue, ...] = (
    Cue(re.compile(rf"\b(?:{TITLES})\.?\s+(?P<name>{_TWO_WORDS})", re.IGNORECASE), CERTAIN, _words(TITLES)),
    Cue(re.compile(rf"\b(?:{WORD_TITLES})\.?\s+(?P<name>{_TWO_WORDS})", re.IGNORECASE), LIKELY, _words(WORD_TITLES)),
    Cue(  # "the social worker, pauline white," "the call handler, chipo,"
        re.compile(rf"\b(?:my|her|his|our|their|the|your|a)\s+{_ROLE_WORDS}\s*,\s+(?P<name>{_TWO_WORDS})", re.I),
        CERTAIN,
        _ROLE_TRIGGER,
    ),
    Cue(
        re.compile(
            rf"\b(?:my|her|his|our|their|the|your|a)\s+{_ROLE_WORDS}\s+(?:(?:was\s+|is\s+)?(?:called|named|calleed)\s+)?"
            rf"(?P<name>{_TWO_WORDS})",
            re.IGNORECASE,
        ),
        LIKELY,
        _ROLE_TRIGGER,
    ),
    Cue(
        re.compile(
            rf"\b(?:called|calleed|named|name is|name was|nae was|name's|names are|name:|details:|my name is|"
            rf"dealt with by|handed to|passed (?:me |us )?(?:on )?to|transferred to|allocated to|assigned to"
            rf"|and then to)"
            rf"\s+(?P<name>{_TWO_WORDS})",
            re.IGNORECASE,
        ),
        CERTAIN,
        _trigger("called calleed named name nae names details dealt handed passed transferred allocated assigned then"),
    ),
    Cue(
        re.compile(
            rf"\b(?:thanks to|thank you to|thx to|thanx to|thank|seen by|visited by|referred to|especially|"
            rf"regards,?|thanks,|thank you,|cheers,|signed,?)\s+(?P<name>{_TWO_WORDS})",
            re.IGNORECASE,
        ),
        LIKELY,
        _trigger("thanks thank thx thanx seen visited referred especially regards cheers signed"),
    ),
    Cue(
        re.compile(
            rf"\b(?:i'?m|i’m|i am|spoke to|speak to|spoke with|spoken to|talked to|talk to|asked for|ask for|met|saw"
            rf"|against|told them|told me)\s+(?P<name>{_TWO_WORDS})",
            re.IGNORECASE,
        ),
        POSSIBLE,
        _trigger("im m am spoke speak spoken talked talk asked ask met saw against told"),
    ),
    Cue(  # "joy in the witness service": a known first name right before the service, whatever its case
        re.compile(
            rf"(?<![\w'’-])(?P<name>{NAME_WORD})\s+(?:from|froom|frm|at|in|on)\s+(?:the\s+|my\s+)?(?:{ORGANISATIONS})",
            re.IGNORECASE,
        ),
        KNOWN,
        _ORGANISATION_TRIGGER,
    ),
    Cue(  # "my idva ailsa", "my son sanjay": a possessive role, then the name
        re.compile(rf"\b(?:my|our|his|her)\s+{_ROLE_WORDS}\s+(?P<name>{_TWO_WORDS})", re.IGNORECASE),
        CERTAIN,
        _ROLE_TRIGGER,
    ),
    Cue(  # "Priya from the advocacy service", a lookahead so that every word is tried
        _NAME_BEFORE_SERVICE := re.compile(
            rf"(?<![\w'’-])(?=(?P<name>{_TWO_WORDS})\s+(?:from|froom|frm|at|in|on)\s+(?:the\s+|my\s+)?"
            rf"(?:{ORGANISATIONS}))",
            re.IGNORECASE,
        ),
        LIKELY,
        _ORGANISATION_TRIGGER,
    ),
    Cue(  # "Jade, my ISVA, rang"; "Dawn the IDVA came"
        re.compile(rf"(?<![\w'’-])(?P<name>{NAME_WORD}),?\s+(?:my|our|the|his|her)\s+{_ROLE_WORDS}\b", re.I),
        LIKELY,
        _ROLE_TRIGGER,
    ),
    Cue(  # "jing rang me", "Segun is only 9"
        re.compile(
            rf"(?<![\w'’-])(?=(?P<name>{_TWO_WORDS})\s+(?:rang|called|phoned|texted|emailed|visited|came|stayed|sat"
            rf"|helped|explained|kept|is only|was only|turned up|smashed|breached|had done|had a)\b)",
            re.IGNORECASE,
        ),
        LIKELY,
        _trigger("rang called phoned texted emailed visited came stayed sat helped explained kept only turned")
        | _trigger("smashed breached had"),
    ),
    Cue(  # a signature at the very end: "— sunita", "Alfie Paterson - thank you"
        re.compile(rf"(?:[—–~-]\s*(?P<name>{_TWO_WORDS})[\W_]*$|^\s*(?P<signed>{_TWO_WORDS})\s+[—–-]\s+thank)", re.I),
        CERTAIN,
        Trigger(fragments=tuple("—–~-")),
    ),
)


@lru_cache(maxsize=1 << 16)
def could_follow_cue(word: str, certainty: int) -> bool:
    """Whether a word just after a cue of the given certainty can be a name."""
    key = _key(word)
    if len(word) < 2 or key in NOT_NAMES or word.isupper() or _ROLE.fullmatch(key):
        return False
    if certainty == KNOWN:
        return (key in name_gazetteers()[0] and key not in common_english_words()) or key in AMBIGUOUS
    common = key in common_english_words()
    if key in AMBIGUOUS:  # "Rose in the rose garden": only a capitalised one, unless the cue is certain
        return certainty == CERTAIN or (certainty == LIKELY and word[0].isupper())
    if word[0].isupper():  # after a mere "I'm" or "rang", only a known first name
        return key in name_gazetteers()[0] if certainty == POSSIBLE else (not common or key in name_gazetteers()[0])
    if certainty == CERTAIN:  # an unknown lower-case word: not common, and not shaped like a verb
        known = key in name_gazetteers()[0] or key in name_gazetteers()[1]
        return not common and (known or not key.endswith(("s", "ed", "ing", "ly")))
    known = key in name_gazetteers()[0] or key in name_gazetteers()[1]
    return not common and (known if certainty == LIKELY else key in english_first_names())


def _name_extent(candidate: str, certainty: int) -> tuple[int, int] | None:
    """Offsets of the name at the start of a cued candidate: its first word, plus a
    following word that looks like a surname."""
    words = [(m.start(), m.end()) for m in re.finditer(NAME_WORD, candidate)]
    if not words or not could_follow_cue(candidate[words[0][0] : words[0][1]], certainty):
        return None
    start, end = words[0]
    if len(words) > 1:
        following = candidate[words[1][0] : words[1][1]]
        surname = is_last_name(following, allow_ambiguous=True) or is_first_name(following)
        if surname or (certainty >= LIKELY and could_follow_cue(following, min(certainty, CERTAIN))):
            end = words[1][1]
    return start, end


def _cued_names(text: str, every_cue: bool = False) -> list[Span]:
    """Names introduced by a title, a role, a verb of naming, a service ("… from the SARC").

    A cue's pattern runs only when its trigger fires (the result is the same as running
    every cue, ``every_cue``, at about half the cost).
    """
    lowered = text.lower()
    words = set(_LETTERS.findall(lowered))
    every_cue = every_cue or not CASE_FOLD_SURPRISES.isdisjoint(text)
    spans = []
    for cue in NAME_CUES:
        if not (every_cue or cue.trigger.fires(words, lowered)):
            continue
        pattern, certainty = cue.pattern, cue.certainty
        for match in pattern.finditer(text):
            group = "signed" if "signed" in pattern.groupindex and match.group("signed") else "name"
            extent = _name_extent(match.group(group), certainty)
            if extent is None:
                continue
            base = match.start(group)
            first_word = text[base + extent[0] : base + extent[1]].split()[0]
            if (
                pattern is _NAME_BEFORE_SERVICE
                and _sentence_start(text, base)
                and not is_first_name(first_word, True)
                and _key(first_word).endswith(ABSTRACT_NOUN_ENDINGS)
            ):
                continue  # "Silence from the police", "Communication from the CPS"
            spans.append(Span(base + extent[0], base + extent[1], "NAME"))
    return spans


def _sentence_start(text: str, position: int) -> bool:
    """True when only spaces and quotes separate ``position`` from a sentence's start."""
    index = position - 1
    while index >= 0 and text[index] in " \t\"'“‘(":
        index -= 1
    return index < 0 or text[index] in ".!?\n:;"


_WORD = re.compile(rf"(?<![\w'’-]){NAME_WORD}")
_FOLLOWING_WORD = re.compile(rf"\s+({NAME_WORD})")
_INITIAL_AND_SURNAME = re.compile(rf"\b[A-Z]\.?\s+(?P<surname>{CAPITALISED})")


def _gazetteer_names(text: str) -> list[Span]:
    """Known first names, capitalised or not (with a following surname, if any); at a
    sentence's start, ambiguous ones ("Will", "Grace") are left alone. Also an initial or an
    unknown capitalised word followed by a known surname ("S. Sandhu", "Xiaoming Wong")."""
    spans = []
    english = english_first_names()
    for match in _WORD.finditer(text):
        word = match.group()
        if word.islower() and _key(word) not in english:
            continue  # most words: lower case and no English first name, so never a name here
        start, end = match.span()
        following = _FOLLOWING_WORD.match(text, end)
        next_word = following.group(1) if following else ""
        surname_follows = bool(next_word) and (
            is_last_name(next_word, allow_ambiguous=next_word[0].isupper()) or is_first_name(next_word)
        )
        ambiguous_ok = word[0].isupper() and bool(next_word) and next_word[0].isupper() and is_last_name(next_word)
        at_start = _sentence_start(text, start)
        if at_start and _key(word) not in english_first_names() and not surname_follows:
            continue  # "Saw the doctor": a first name in some language, an English word here
        if is_first_name(word, allow_ambiguous=ambiguous_ok):
            spans.append(Span(start, following.end() if surname_follows else end, "NAME"))
        elif (
            bool(next_word)
            and is_last_name(next_word)
            and next_word[0].isupper()
            and word[0].isupper()
            and _key(word) not in NOT_NAMES
            and _key(word) not in AMBIGUOUS
            and _key(word) not in common_english_words()
            and not word.isupper()
        ):
            spans.append(Span(start, following.end(), "NAME"))
    for match in _INITIAL_AND_SURNAME.finditer(text):
        if is_last_name(match.group("surname")):
            spans.append(Span(match.start(), match.end(), "NAME"))
    return spans


def rule_names(text: str, structured: list[Span] | tuple[Span, ...] = ()) -> list[Span]:
    """Names the rules find (cues and name lists); a comment written in capitals is read with
    ordinary capitalisation."""
    readable = ordinary_case(text, structured)
    return _cued_names(readable) + _gazetteer_names(readable)


def find_names(text: str, structured: list[Span] | tuple[Span, ...] = ()) -> list[Span]:
    """Names the rules find, and capitalised words the name model takes for names (names with
    no cue and in no list: short forms, names that are also words, a name opening a sentence)."""
    rules = rule_names(text, structured)
    model = name_token_spans(text, [(s.start, s.end) for s in rules])
    return [s for s in rules + [Span(start, end, "NAME") for start, end in model] if not _names_a_place(text, s)]


# After a name, these words make it the name of a place ("Avon Ward", "Kennet Unit", "Jenner
# Surgery"); as a name's last word, those that are also surnames do so only after a word
# that is no English first name ("Avon Ward" is a ward, "Sarah Ward" a person).
_INSTITUTION_AFTER = re.compile(
    r"[ \t]+(?:Hospital|Centre|Center|Surgery|School|College|University|Station|Street|Road|Avenue|Unit|Ward"
    r"|Clinic|Practice|House|Court|Building|Wing|Suite)\b"
)
_PLACE_SURNAMES = frozenset("ward park lane hill church hall court field green wood".split())


_AFTER_ARTICLE = re.compile(r"\b(?:the|a|an)[ \t]+$", re.IGNORECASE)


def _names_a_place(text: str, span: Span) -> bool:
    """Whether a span taken for a name is a place's or a thing's: "Avon Ward", "Jenner Surgery",
    "The Brilliant support" (an ordinary word after an article)."""
    words = text[span.start : span.end].split()
    first_key = _key(words[0])
    if _AFTER_ARTICLE.search(text[: span.start]) and first_key in dictionary_words():
        return True
    if (  # "Brilliant support at the SARC": a sentence opening with a word no name list knows
        _sentence_start(text, span.start)
        and len(first_key) > 2
        and first_key in dictionary_words()
        and first_key not in name_gazetteers()[0]
        and first_key not in name_gazetteers()[1]
        and first_key not in nickname_names()
    ):
        return True
    if _INSTITUTION_AFTER.match(text, span.end):
        return True
    if _key(words[-1]) not in _PLACE_SURNAMES or _AFTER_TITLE.search(text[: span.start]):
        return False
    if len(words) == 1:  # "Avon Ward" with only "Ward" taken: look at the word before
        before = re.search(rf"({CAPITALISED})[ \t]+$", text[: span.start])
        if before is None:
            return False
        words = [before.group(1), *words]
    first = _key(words[0])
    return (
        len(words) > 1
        and first not in english_first_names()
        and first not in nickname_names()
        and first not in NOT_NAMES
        and first not in common_english_words()
        and not _TITLE_WORD.fullmatch(words[0].rstrip("."))
    )


_TITLE_WORD = re.compile(rf"(?:{TITLES}|{WORD_TITLES})", re.IGNORECASE)
_AFTER_TITLE = re.compile(rf"\b(?:{TITLES}|{WORD_TITLES})\.?[ \t]+$", re.IGNORECASE)


_TOKENS = re.compile(r"\[(?:" + "|".join(TYPES) + r")\]")


def ordinary_case(text: str, structured: list[Span] | tuple[Span, ...] = ()) -> str:
    """A mostly upper-case text with each word as "Capitalised" (same length, same offsets),
    so that "PC SARAH JONES WAS RUDE" is read as "Pc Sarah Jones Was Rude"; other text as is.
    Structured identifiers found in it and the tokens of earlier redaction ("[EMAIL]") do not
    count, so that redacting again changes nothing."""
    spans = merge_spans(list(structured))
    bounds = [0, *(edge for span in spans for edge in (span.start, span.end)), len(text)]
    outside = "".join(text[bounds[k] : bounds[k + 1]] for k in range(0, len(bounds), 2))
    letters = [c for c in _TOKENS.sub("", outside) if c.isalpha()]
    if not letters or sum(c.isupper() for c in letters) < 0.7 * len(letters):
        return text
    recased = re.sub(r"[^\W\d_]+", lambda m: m.group()[0] + m.group()[1:].lower(), text)
    return recased if len(recased) == len(text) else text


# --------------------------------------------------------------------------- redaction


def merge_spans(spans: list[Span]) -> list[Span]:
    """Overlapping spans merged; the merged span takes the type that comes first in TYPES."""
    merged: list[Span] = []
    for span in sorted(spans):
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            kind = min(last.type, span.type, key=TYPES.index)
            merged[-1] = Span(last.start, max(last.end, span.end), kind)
        else:
            merged.append(span)
    return merged


def find_identifiers(text: str) -> list[Span]:
    """Every identifier in a text, merged, in order."""
    structured = find_structured(text)
    return merge_spans(structured + find_names(text, structured))


def redact_series(values: pd.Series) -> pd.Series:
    """Every comment of a column redacted; missing stays missing. Each distinct text is
    redacted once ("No", "Nothing to add" and re-delivered rows repeat)."""
    present = values.dropna()
    redacted = {text: redact(text) for text in present.unique()}
    return values.map(redacted).astype("str")


def redact(text: str) -> str:
    """The text with every identifier replaced by its typed token (idempotent).

    Replacing can create a new word boundary ("07700900123SN12AB" → "[PHONE]SN12AB"), so
    when a replaced span touched anything but white space or closing punctuation, redaction
    repeats until nothing changes: redacting the result changes nothing.
    """
    for _ in range(5):
        spans = find_identifiers(text)
        if not spans:
            break
        touching = any((s.start > 0 and not _inert(text[s.start - 1])) or not _inert_after(text, s.end) for s in spans)
        text = replace_spans(text, spans)
        if not touching:
            break
    return text


def _inert_after(text: str, end: int) -> bool:
    """Whether what follows a replaced span cannot start a new match: the end, or an inert
    character that ends the word ("[PHONE]." but not "[EMAIL].@0.0", where the dot begins one)."""
    if end >= len(text):
        return True
    following = text[end + 1] if end + 1 < len(text) else " "
    return _inert(text[end]) and (following.isspace() or _inert(following))


def _inert(character: str) -> bool:
    """Characters beside a token that cannot start or end a new match."""
    return character.isspace() or character in '.,;:!?"”’)]'


def replace_spans(text: str, spans: list[Span]) -> str:
    """Each span replaced by its typed token."""
    pieces = []
    position = 0
    for span in spans:
        pieces += [text[position : span.start], TOKEN.format(span.type)]
        position = span.end
    pieces.append(text[position:])
    return "".join(pieces)


def redact_once(text: str) -> str:
    """One pass: every identifier found replaced by its typed token."""
    return replace_spans(text, find_identifiers(text))
