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

import importlib
import re
from dataclasses import dataclass
from functools import cache

import pandas as pd

TOKEN = "[{}]"
TYPES = ("EMAIL", "CRIME_REF", "NI_NUMBER", "PHONE", "POSTCODE", "DOB", "ADDRESS", "NAME")

# Faker locales whose person names we use: the people of Wiltshire and Swindon and those they
# write about come from many backgrounds.
NAME_LOCALES = (
    "en_GB", "en_US", "en_IE", "en_IN", "en_NZ", "hi_IN", "bn_BD", "ne_NP", "pl_PL", "lt_LT", "lv_LV",
    "ro_RO", "bg_BG", "sk_SK", "cs_CZ", "hu_HU", "uk_UA", "pt_PT", "es_ES", "it_IT", "fr_FR", "de_DE",
    "nl_NL", "el_GR", "tr_TR", "fa_IR", "ar_AA", "yo_NG", "tw_GH", "zu_ZA", "zh_CN", "ga_IE", "ka_GE",
)  # fmt: skip

# Capitalised words that are never a person's name here: function words, months and days,
# places, services and organisations, faiths and nationalities.
NOT_NAMES = frozenset(
    """
    a an and are as at be but by can do for from had has have he her here his how i if in is it its just me
    my no not of on or our she so that the their them then there they this to too up us was we were what
    when where which who why with would yes you your all any some one two three also after before
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday christmas easter
    god jesus allah christian muslim hindu sikh jewish catholic english british polish indian asian
    black white african caribbean irish scottish welsh european
    police court crown victim victims support service services horizon witness council station officer
    detective sergeant constable inspector team magistrates magistrate judge cps sarc idva isva splitz nhs
    refuge hospital gp doctor nurse helpline advocacy safeguarding social housing
    swindon wiltshire salisbury chippenham trowbridge devizes marlborough bath bristol london melksham
    warminster calne corsham westbury amesbury tidworth malmesbury wootton bassett highworth purton
    cricklade reading oxford cardiff england wales britain uk great western
    tesco asda lidl aldi sainsbury sainsburys boots
    ok okay thanks thank sorry please dear hi hello mr mrs ms miss dr pc dc ds di sgt
    """.split()
)
# Words that are names but far more often ordinary words: a name only when a cue says so or
# when capitalised in the middle of a sentence ("I rang Will", not "Will they ring?").
AMBIGUOUS = frozenset(
    """
    will may mark bill frank grace hope rose joy faith dawn summer autumn winter spring guy art pat sue rob
    chase hunter page victor miles max sky river brook dale glen cliff major king prince duke earl lord
    royal star angel precious happy lucky wood young long little bell gray grey brown green rich best cross
    lane church park field stone hill hall day price amber ruby jade holly ivy daisy crystal sterling mercy
    patience honor honour harmony justice liberty trinity destiny unique memory story poppy sunny don
    norm ward wade buck bud chip chuck colt gene jean van lee
    """.split()
)

# Words that may stand for a person's role just before their name.
TITLES = (
    r"PC|P\.C\.|DC|D\.C\.|DS|D\.S\.|DI|D\.I\.|DCI|PCSO|Sgt|Sergeant|Constable|Inspector|Detective(?: Constable"
    r"| Sergeant| Inspector)?|Officer|Mr|Mrs|Ms|Miss|Mx|Dr|Doctor|Nurse|Judge|Magistrate"
)
RELATIONS = (
    r"ex|ex-partner|ex partner|former partner|partner|husband|wife|boyfriend|girlfriend|fiance|fiancé|fiancee"
    r"|son|daughter|brother|sister|mum|mom|mother|dad|father|step-?dad|step-?mum|stepfather|stepmother"
    r"|neighbour|neighbor|neighbours|friend|best friend|mate|uncle|aunt|auntie|aunty|nan|nana|gran|granny"
    r"|grandad|grandma|grandmother|grandfather|cousin|nephew|niece|landlord|landlady|boss|manager|colleague"
    r"|flatmate|housemate|advocate|caseworker|case worker|worker|support worker|key worker|officer|idva|isva"
    r"|counsellor|counselor|therapist|social worker|solicitor|barrister|child|kid|baby|carer|attacker"
    r"|abuser|perpetrator|stalker|offender"
)
NAME_WORD = r"[A-Za-zÀ-ÖØ-öø-ÿĀ-žŁłŚśŻżŹźĆćŃń][A-Za-zÀ-ÖØ-öø-ÿĀ-žŁłŚśŻżŹźĆćŃń'’-]*"
CAPITALISED = r"[A-ZÀ-ÖØ-ÞĀ-ŽŁŚŻŹĆŃ][A-Za-zÀ-ÖØ-öø-ÿĀ-žŁłŚśŻżŹźĆćŃń'’-]*"


@dataclass(frozen=True, order=True)
class Span:
    """One identifier found in a text: ``text[start:end]`` is of ``type``."""

    start: int
    end: int
    type: str


@cache
def name_gazetteers() -> tuple[frozenset[str], frozenset[str]]:
    """Lower-cased first names and last names from Faker's person providers (loaded once)."""
    first: set[str] = set()
    last: set[str] = set()
    for locale in NAME_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attribute, bucket in (
            ("first_names", first),
            ("first_names_male", first),
            ("first_names_female", first),
            ("last_names", last),
        ):
            names = getattr(provider, attribute, ())
            bucket.update(n.lower() for n in (names.keys() if isinstance(names, dict) else names) if " " not in n)
    return frozenset(first), frozenset(last)


def _key(word: str) -> str:
    return word.lower().replace("’", "'")


def is_first_name(word: str, allow_ambiguous: bool = False) -> bool:
    """A known first name that is not an ordinary word here (ambiguous ones only if allowed)."""
    key = _key(word)
    if key in NOT_NAMES or (key in AMBIGUOUS and not allow_ambiguous):
        return False
    return key in name_gazetteers()[0]


def is_last_name(word: str) -> bool:
    key = _key(word)
    return key in name_gazetteers()[1] and key not in NOT_NAMES and key not in AMBIGUOUS


def could_be_cued_name(word: str) -> bool:
    """After a cue ("my friend …", "called …"): a capitalised word that is not a known
    non-name, or a lower-case word that is an unambiguous first name."""
    if _key(word) in NOT_NAMES:
        return False
    return word[0].isupper() or is_first_name(word)


# --------------------------------------------------------------------------- structured identifiers

_DATE = (
    r"\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{2,4}"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,?\s+\d{2,4}"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{2,4}"
)
PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("EMAIL", re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)),
    ("CRIME_REF", re.compile(r"(?<!\d)54(?:[ \-]?\d){9}(?!\d)")),
    (
        "CRIME_REF",  # incident log numbers: "log 123 of 14/06/2024", "incident no. 0423"
        re.compile(
            r"\b(?:log|incident|ref|reference|urn|occurrence)\s*(?:number|no\.?|num|#)?\s*[:.]?\s*"
            r"(?P<id>\d{2,6}(?:\s+of\s+\d{1,2}[/.]\d{1,2}[/.]\d{2,4})?)(?![\d/\-])",
            re.IGNORECASE,
        ),
    ),
    ("NI_NUMBER", re.compile(r"\b[A-CEGHJ-PR-TW-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b", re.IGNORECASE)),
    ("PHONE", re.compile(r"(?<![\w+])(?:\+\s?44\s?(?:\(0\)\s?)?|\(?0)\d[\d\s()\-]{7,15}\d(?!\d)")),
    ("POSTCODE", re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\s*\d[A-Z]{2}\b", re.IGNORECASE)),
    (
        "DOB",
        re.compile(
            rf"\b(?:born|dob|d\.o\.b\.?|date of birth)(?:\s*(?:is|was|on|:|-|–)\s*)*\s*(?P<id>{_DATE})",
            re.IGNORECASE,
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
PHONE_DIGITS = (10, 11)
ADDRESS_NOT_A_STREET = re.compile(r"\b(?:years?|months?|weeks?|days?|hours?|minutes?|times?|out|of)\b", re.I)


def find_structured(text: str) -> list[Span]:
    """Spans of every structured identifier."""
    spans = []
    for kind, pattern in PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span("id" if "id" in pattern.groupindex else 0)
            found = text[start:end]
            if kind == "PHONE" and not is_uk_phone(found):
                continue
            if kind == "ADDRESS" and ADDRESS_NOT_A_STREET.search(found):
                continue
            spans.append(Span(start, end, kind))
    return spans


def is_uk_phone(candidate: str) -> bool:
    """10 or 11 digits once +44 is read as 0 (so "101", dates and money never qualify)."""
    digits = re.sub(r"\D", "", candidate)
    if candidate.lstrip().startswith("+"):
        digits = "0" + digits.removeprefix("44").removeprefix("0")
    return len(digits) in PHONE_DIGITS and digits.startswith("0")


# --------------------------------------------------------------------------- names

_TITLE_NAME = re.compile(rf"\b(?:{TITLES})\.?\s+(?P<name>{CAPITALISED}(?:\s+{CAPITALISED})?)")
_RELATION_NAME = re.compile(
    rf"\b(?:my|her|his|our|their|the|your|a)\s+(?:{RELATIONS})\s*,?\s+(?:(?:was\s+)?(?:called|named)\s+)?"
    rf"(?P<name>{NAME_WORD}(?:\s+{CAPITALISED})?)",
    re.IGNORECASE,
)
_CALLED_NAME = re.compile(
    rf"\b(?:called|named|name is|name was|names are|spoke to|speak to|spoke with|spoken to|talked to|talk to|"
    rf"asked for|ask for|thanks to|thank you to|thank|thanks|dealt with by|seen by|visited by|met)\s+"
    rf"(?P<name>{NAME_WORD}(?:\s+{CAPITALISED})?)",
    re.IGNORECASE,
)
_NAME_FROM = re.compile(  # a lookahead, so that "lovely Priya from the" is tried at every word
    rf"(?<![\w'’])(?=(?P<name>{NAME_WORD}(?:\s+{CAPITALISED})?)\s+(?:from|at|of|with)\s+(?:the\s+|my\s+)?"
    rf"(?:advocacy|victim|horizon|police|service|idva|isva|sarc|support|refuge|council|cps|witness|court|team"
    rf"|station|cid|safeguarding|charity|splitz|housing|hospital|helpline|children))",
    re.IGNORECASE,
)


def _name_extent(candidate: str, first_name_only: bool) -> tuple[int, int] | None:
    """Offsets of the name at the start of a cued candidate: its first word, plus a
    following capitalised word that is a known name (a surname)."""
    words = [(m.start(), m.end()) for m in re.finditer(NAME_WORD, candidate)]
    if not words:
        return None
    word = candidate[words[0][0] : words[0][1]]
    plausible = is_first_name(word, allow_ambiguous=word[0].isupper()) if first_name_only else could_be_cued_name(word)
    if not plausible:
        return None
    start, end = words[0]
    if len(words) > 1:
        following = candidate[words[1][0] : words[1][1]]
        if following[0].isupper() and (is_last_name(following) or is_first_name(following)):
            end = words[1][1]
    return start, end


def _cued_names(text: str) -> list[Span]:
    """Names introduced by a title, a relationship, a verb of naming, or "… from the service"."""
    spans = []
    for pattern, first_name_only in ((_TITLE_NAME, False), (_RELATION_NAME, False), (_CALLED_NAME, False),
                                     (_NAME_FROM, True)):  # fmt: skip
        for match in pattern.finditer(text):
            extent = _name_extent(match.group("name"), first_name_only)
            if extent is not None:
                base = match.start("name")
                spans.append(Span(base + extent[0], base + extent[1], "NAME"))
    return spans


def _sentence_start(text: str, position: int) -> bool:
    """True when only spaces and quotes separate ``position`` from a sentence's start."""
    before = text[:position].rstrip(" \t\"'“‘(")
    return not before or before[-1] in ".!?\n:;"


def _gazetteer_names(text: str) -> list[Span]:
    """Capitalised known first names (with a following surname, if any); at a sentence's
    start, ambiguous ones ("Will", "Grace") are left alone."""
    spans = []
    for match in re.finditer(rf"(?<![\w'’]){CAPITALISED}", text):
        word = match.group()
        if not is_first_name(word, allow_ambiguous=not _sentence_start(text, match.start())):
            continue
        end = match.end()
        following = re.match(rf"\s+({CAPITALISED})", text[end:])
        if following and (is_last_name(following.group(1)) or is_first_name(following.group(1))):
            end += following.end()
        spans.append(Span(match.start(), end, "NAME"))
    return spans


def find_names(text: str) -> list[Span]:
    return _cued_names(text) + _gazetteer_names(text)


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
    return merge_spans(find_structured(text) + find_names(text))


def redact_series(values: pd.Series) -> pd.Series:
    """Every comment of a column redacted; missing stays missing."""
    return values.map(lambda v: None if pd.isna(v) else redact(v)).astype("str")


def redact(text: str) -> str:
    """The text with every identifier replaced by its typed token (idempotent)."""
    pieces = []
    position = 0
    for span in find_identifiers(text):
        pieces += [text[position : span.start], TOKEN.format(span.type)]
        position = span.end
    pieces.append(text[position:])
    return "".join(pieces)
