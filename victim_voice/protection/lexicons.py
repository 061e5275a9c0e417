"""The word lists the redactor and its name model share: name lists, words that are never or
rarely names, English dictionaries. All from maintained packages (Faker, nicknames,
english-words); nothing is downloaded at run time. Each list is loaded once.
"""

from __future__ import annotations

import csv
import importlib
from functools import cache
from importlib import resources

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
    refuge hospital gp doctor nurse helpline advocacy safeguarding social housing bridge
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
    street road avenue close drive crescent place gardens terrace grove square parade mews walk row peer
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


# Endings of abstract nouns: "Silence from the police" opens with a word, not a name.
ABSTRACT_NOUN_ENDINGS = ("ence", "ance", "tion", "sion", "ment", "ness", "ity", "ism", "ery", "ing", "ship", "dom")


@cache
def nickname_names() -> frozenset[str]:
    """Every given name and short form in the ``nicknames`` package (Old Dominion University's
    list of English names and their nicknames: "katherine" → "kath", "beverly" → "bev")."""
    found = set()
    with resources.files("nicknames").joinpath("names.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            found.update((row["name1"].lower(), row["name2"].lower()))
    return frozenset(found)


@cache
def dictionary_words() -> frozenset[str]:
    """Lower-case words of the GNU Collaborative International Dictionary of English (the
    ``english-words`` package): a word found here is also an ordinary word."""
    from english_words import get_english_words_set

    return frozenset(get_english_words_set(["gcide"], lower=True, alpha=True))
