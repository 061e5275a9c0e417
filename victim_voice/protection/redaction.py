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
from functools import cache, lru_cache

import pandas as pd

TOKEN = "[{}]"
TYPES = ("EMAIL", "CRIME_REF", "NI_NUMBER", "PHONE", "POSTCODE", "DOB", "ADDRESS", "NAME")

# Faker locales whose person names we use: the people of Wiltshire and Swindon and those they
# write about come from many backgrounds.
NAME_LOCALES = (
    "en_GB", "en_US", "en_IE", "en_IN", "en_NZ", "hi_IN", "bn_BD", "ne_NP", "pl_PL", "lt_LT", "lv_LV",
    "ro_RO", "bg_BG", "sk_SK", "cs_CZ", "hu_HU", "uk_UA", "pt_PT", "es_ES", "it_IT", "fr_FR", "de_DE",
    "nl_NL", "el_GR", "tr_TR", "fa_IR", "ar_AA", "yo_NG", "tw_GH", "zu_ZA", "zh_CN", "ga_IE", "ka_GE",
    "en_PK", "en_NG", "en_KE", "ig_NG", "ha_NG", "ar_SA", "ar_PS", "gu_IN", "ta_IN", "si_LK", "sw", "vi_VN",
)  # fmt: skip

# Capitalised words that are never a person's name here: function words, months and days,
# places, services and organisations, faiths and nationalities.
NOT_NAMES = frozenset(
    """
    a an and are as at be but by can do for from had has have he her here his how i if in is it its just me
    my no not of on or our she so that the their them then there they this to too up us was we were what
    when where which who why with would yes you your all any some one two three also after before
    january february september october november december
    monday tuesday wednesday thursday friday saturday sunday christmas easter
    god jesus allah christian muslim hindu sikh jewish catholic english british polish indian asian
    african caribbean irish scottish welsh european
    police court crown victim victims support service services horizon witness council station officer
    detective sergeant constable inspector team magistrates magistrate judge cps sarc idva isva splitz nhs
    refuge hospital gp doctor nurse helpline advocacy safeguarding social housing
    swindon wiltshire salisbury chippenham trowbridge devizes marlborough bath bristol london melksham
    warminster calne corsham westbury amesbury tidworth malmesbury wootton bassett highworth purton
    cricklade reading oxford cardiff england wales britain uk great western
    tesco asda lidl aldi sainsbury sainsburys boots facebook instagram snapchat whatsapp tiktok google
    ok okay thanks thank sorry please dear hi hello mr mrs ms miss dr pc dc ds di sgt made
    nobody someone somebody everyone everybody anyone anybody staff officers people help advice nothing
    something everything really very so much many said told came rang called kept never always did didn't
    asked took gave went got also still only even back again today yesterday tomorrow tonight morning evening
    night week weeks month months year years time hour hours being been not no don't can't won't couldn't
    wouldn't it's i'm i've i'd they'd about after before because though although until while
    jan feb mar apr jun jul aug sep sept oct nov dec citizens advice childline samaritans mind aid café cafe
    laptop phone car bus train taxi eve valentine valentine's greggs orbital co-op primark
    sent spent met says handed explained arrived deserves rang phoned texted emailed visited stayed helped
    kept turned smashed breached wanted needed tried promised det fearfree done online abuse saw rape crisis
    disabled deaf blind autistic gay lesbian bisexual trans pregnant muslims christians jews pakistani fair cid
    street road avenue close drive crescent place gardens terrace grove square parade mews walk row
    """.split()
)
# Words that are names but far more often ordinary words: a name only when a cue says so or
# when capitalised in the middle of a sentence ("I rang Will", not "Will they ring?").
AMBIGUOUS = frozenset(
    """
    will may mark bill frank grace hope rose joy faith dawn summer autumn winter spring guy art pat sue rob
    march april june july august black white
    chase hunter page victor miles max sky river brook dale glen cliff major king prince duke earl lord
    royal star angel precious happy lucky wood young long little bell gray grey brown green rich best cross
    lane church park field stone hill hall day price amber ruby jade holly ivy daisy crystal sterling mercy
    patience honor honour harmony justice liberty trinity destiny unique memory story poppy sunny don
    norm ward wade buck bud chip chuck colt gene jean van lee bobby nick
    """.split()
)

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


@cache
def common_english_words() -> frozenset[str]:
    """About a thousand common English words (Faker's English word list), never names when
    written in lower case."""
    from faker.providers.lorem.en_US import Provider

    return frozenset(word.lower() for word in Provider.word_list)


ENGLISH_LOCALES = ("en_GB", "en_US", "en_IE", "en_IN", "en_NZ")


@cache
def english_first_names() -> frozenset[str]:
    """First names of the English-speaking locales: the only ones trusted in lower case."""
    return frozenset(_person_names(ENGLISH_LOCALES, "first_name"))


def _person_names(locales: tuple[str, ...], prefix: str) -> set[str]:
    """Lower-cased single-word names from every ``<prefix>*`` list of Faker's person providers."""
    found: set[str] = set()
    for locale in locales:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attribute in dir(provider):
            names = getattr(provider, attribute)
            if attribute.startswith(prefix) and isinstance(names, (tuple, list, dict, set, frozenset)):
                found.update(n.lower() for n in names if isinstance(n, str) and " " not in n)
    return found


@cache
def name_gazetteers() -> tuple[frozenset[str], frozenset[str]]:
    """Lower-cased first names and last names from Faker's person providers (loaded once)."""
    return frozenset(_person_names(NAME_LOCALES, "first_name")), frozenset(_person_names(NAME_LOCALES, "last_name"))


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
PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("EMAIL", re.compile(r"(?<![\w.+'-])[\w.+'-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}", re.UNICODE)),
    ("CRIME_REF", re.compile(r"(?<!\d)54(?:[ \-/]?\d){9}(?!\d)")),
    (
        "CRIME_REF",  # incident log numbers: "log 123 of 14/06/2024", "incident no. 0423"
        re.compile(
            r"\b(?:log|incident|ref|reference|urn|occurrence)\s*(?:(?:num+b?e?r|no\.?|num|#)\s*(?:was|is|[:.])?\s*"
            r"(?P<id>\d{2,8}(?:\s+of\s+\d{1,2}[/.]\d{1,2}[/.]\d{2,4})?)|(?:was|is|[:.])?\s*"
            r"(?P<log>\d{2,6}\s+of\s+\d{1,2}[/.]\d{1,2}[/.]\d{2,4}))(?![\d/\-])",
            re.IGNORECASE,
        ),
    ),
    ("NI_NUMBER", re.compile(r"\b[A-CEGHJ-PR-TW-Z]{2}[\s-]?\d{2}[\s-]?\d{2}[\s-]?\d{2}[\s-]?[A-D]\b", re.IGNORECASE)),
    ("PHONE", re.compile(r"(?<![\w+])(?:(?:\+\s?|00\s?)44\s?(?:\(0\)\s?)?|\(?0)\d[\d\s().\-]{7,15}\d(?!\d)")),
    ("POSTCODE", re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\s*\d[A-Z]{2}\b", re.IGNORECASE)),
    ("POSTCODE", re.compile(r"\b[A-Z]{1,2}\s\d[A-Z\d]?\s+\d[A-Z]{2}\b")),  # "SN 1 2AB", in capitals only
    (
        "EMAIL",  # written to dodge spam filters: "jane.doe(at)gmail.com"
        re.compile(
            r"(?<![\w.+'-])[\w.+'-]{1,64}\s?(?:\(at\)|\[at\])\s?[\w-]{1,63}(?:\s?(?:\.|\(dot\)|\[dot\])\s?[\w-]{1,63}){1,8}",
            re.IGNORECASE,
        ),
    ),
    (
        "DOB",
        re.compile(
            rf"\b(?:born|dob|d\.o\.b\.?|date of birth)(?:\s*(?:is|was|on|:|-|–|\()){{0,4}}\s*(?P<id>{_DATE})",
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
ADDRESS_NOT_A_STREET = re.compile(
    r"\b(?:crown|magistrates'?|county|family|youth|hearings?|years?|months?|weeks?|days?|hours?|minutes?|times?"
    r"|out|of|in|on|at|the|a|an|to|my|your|his|her|our"
    r"|their|by|for|and|or|with|from|bus|buses|train|k|number)\b",
    re.IGNORECASE,
)


_DIGIT = re.compile(r"\d")
# What a text must hold for a structured pattern to match: every pattern but the emails needs
# a digit, and those listed here (by position in PATTERNS) one of these lower-case fragments
# too. A cheap test that skips most patterns on most comments, with the same result.
_PATTERN_NEEDS: dict[int, tuple[str, ...]] = {
    0: ("@",),
    1: ("54",),
    2: ("log", "incident", "ref", "urn", "occurrence"),
    7: ("(at)", "[at]"),
    8: ("born", "dob", "d.o.b", "date of birth"),
}


def _patterns_to_run(text: str) -> list[tuple[str, re.Pattern[str]]]:
    if not CASE_FOLD_SURPRISES.isdisjoint(text):
        return PATTERNS
    has_digit = _DIGIT.search(text) is not None
    lowered = text.lower()
    return [
        (kind, pattern)
        for position, (kind, pattern) in enumerate(PATTERNS)
        if (kind == "EMAIL" or has_digit) and any(f in lowered for f in _PATTERN_NEEDS.get(position, ("",)))
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
    return spans


def longest_phone_prefix(candidate: str) -> int:
    """Length of the longest prefix that is a UK phone number, cut at a separator (0 if none):
    "07700 900123 4" is a number followed by a stray digit.

    >>> longest_phone_prefix("07700 900123 4"), longest_phone_prefix("0800 12")
    (12, 0)
    """
    cuts = {len(candidate), *(m.start() for m in re.finditer(r"[\s\-)]+\d", candidate))}
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
ABSTRACT_NOUN_ENDINGS = ("ence", "ance", "tion", "sion", "ment", "ness", "ity", "ism", "ery", "ing", "ship", "dom")
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


def find_names(text: str) -> list[Span]:
    """Names in a text; a comment written in capitals is read with ordinary capitalisation."""
    readable = ordinary_case(text)
    return _cued_names(readable) + _gazetteer_names(readable)


def ordinary_case(text: str) -> str:
    """A mostly upper-case text with each word as "Capitalised" (same length, same offsets),
    so that "PC SARAH JONES WAS RUDE" is read as "Pc Sarah Jones Was Rude"; other text as is."""
    letters = [c for c in text if c.isalpha()]
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
    return merge_spans(find_structured(text) + find_names(text))


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
        touching = any(
            (s.start > 0 and not _inert(text[s.start - 1])) or (s.end < len(text) and not _inert(text[s.end]))
            for s in spans
        )
        text = replace_spans(text, spans)
        if not touching:
            break
    return text


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
