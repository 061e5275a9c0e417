"""Synthetic supplier deliveries for Victim Voice: realistic, valid, and deliberately flawed.

Everything here is made up. Column names, codes and quotas come from the project's copy
of the contract (:func:`schemas.codebook.load_codebook`); the distributions and
correlations are plausible inventions, tuned so that the monthly supplier quotas are
usually met and the analyses downstream have something to find.

Building blocks:

- :func:`generate_rows` - ``n`` valid responses for one fieldwork month, as text,
- :func:`make_messy` - messy-but-valid variants (case, spaces, day-first dates),
- :func:`plant_bad_rows` - one invalid row per requested kind, with a manifest,
- :func:`write_delivery` - CSV (UTF-8, UTF-8 with BOM, Windows-1252) or XLSX,
- :func:`write_demo_deliveries` - a year of deliveries for ``make demo``,
- :func:`write_scale_deliveries` - large CSV deliveries for benchmarks.

Example::

    >>> from datetime import date
    >>> from pathlib import Path
    >>> import numpy as np
    >>> from victim_voice.demo_data import generate_rows, plant_bad_rows, write_delivery
    >>> rows = generate_rows(170, "2024-05", np.random.default_rng(1), first_id=1)
    >>> rows.loc[0, "response_id"]
    'VV00000001'
    >>> bad, manifest = plant_bad_rows(rows, np.random.default_rng(2), kinds=("duplicate_id",))
    >>> manifest[0]["kind"]
    'duplicate_id'
    >>> path = write_delivery(bad, Path("/tmp/VictimVoice_2024-05_01.csv"))  # doctest: +SKIP

    >>> from victim_voice.demo_data import write_demo_deliveries
    >>> deliveries = write_demo_deliveries(Path("landing"), today=date(2025, 1, 15))  # doctest: +SKIP
    >>> [d.path.name for d in deliveries][:2]  # doctest: +SKIP
    ['VictimVoice_2024-01_01.csv', 'VictimVoice_2024-02_01.csv']
"""

from __future__ import annotations

import codecs
import csv
import math
import re
import string
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd
from openpyxl import Workbook

from schemas.codebook import DATE, INT, Codebook, load_codebook

_T = TypeVar("_T")
BLANK = ""
RANDOM_SHORTFALL = "random"
SHORTFALL_CHANCE = 1 / 6
MAX_RESPONSE_NUMBER = 99_999_999
DEMO_FIRST_ID = 10_000_001
SCALE_FIRST_ID = 50_000_001
DEMO_MESSY_SHARE = 0.03
SCALE_BAD_SHARE = 0.002
CORRECTIONS_PER_REDELIVERY = (4, 7)  # rng.integers bounds: 4..6 corrected responses
NEW_ROWS_PER_REDELIVERY = 3
COMMENT_POOL_LIMIT = 1500
COMMENT_MAX_LENGTH = 4000
XLSX_TIMESTAMP = datetime(2023, 4, 1)  # fixed, so XLSX deliveries are reproducible

BAD_ROW_KINDS: tuple[str, ...] = (
    "missing_required",
    "not_allowed",
    "bad_pattern",
    "out_of_range",
    "bad_date",
    "date_out_of_window",
    "duplicate_id",
    "sat_court_before_court",
    "outcome_before_stage",
    "days_without_contact",
    "answers_without_support",
    "comment_too_long",
)

# ---------------------------------------------------------------------------------------
# Distributions (codes are checked against the codebook when used)
# ---------------------------------------------------------------------------------------

SEXUAL_GROUPS = ("RAPE", "OTHER_SEXUAL_OFFENCE")
VIOLENCE_GROUPS = ("VIOLENCE_WITH_INJURY", "VIOLENCE_WITHOUT_INJURY", "STALKING_HARASSMENT")
VOLUME_GROUPS = ("BURGLARY_RESIDENTIAL", "VEHICLE_CRIME", "THEFT", "CRIMINAL_DAMAGE", "FRAUD")

CRIME_GROUP_SHARE = {
    "VIOLENCE_WITH_INJURY": 0.14,
    "VIOLENCE_WITHOUT_INJURY": 0.14,
    "STALKING_HARASSMENT": 0.10,
    "RAPE": 0.05,
    "OTHER_SEXUAL_OFFENCE": 0.06,
    "ROBBERY": 0.03,
    "BURGLARY_RESIDENTIAL": 0.08,
    "VEHICLE_CRIME": 0.08,
    "THEFT": 0.12,
    "CRIMINAL_DAMAGE": 0.08,
    "FRAUD": 0.07,
    "OTHER": 0.05,
}

# Chance that a flag column is Y, by crime group (groups not listed: the "*" entry).
FLAG_SHARE_BY_GROUP: dict[str, dict[str, float]] = {
    "domestic_abuse": {
        "VIOLENCE_WITH_INJURY": 0.40,
        "VIOLENCE_WITHOUT_INJURY": 0.35,
        "STALKING_HARASSMENT": 0.45,
        "RAPE": 0.35,
        "OTHER_SEXUAL_OFFENCE": 0.15,
        "CRIMINAL_DAMAGE": 0.12,
        "*": 0.02,
    },
    "hate_crime": {
        "VIOLENCE_WITH_INJURY": 0.06,
        "VIOLENCE_WITHOUT_INJURY": 0.07,
        "STALKING_HARASSMENT": 0.06,
        "CRIMINAL_DAMAGE": 0.06,
        "ROBBERY": 0.03,
        "OTHER": 0.05,
        "*": 0.005,
    },
}

AREA_SHARE = {"WILTSHIRE": 0.55, "SWINDON": 0.45}
MODE_SHARE = {"PHONE": 0.55, "ONLINE": 0.38, "PAPER": 0.07}
STATUS_SHARE = {"COMPLETE": 0.92, "PARTIAL": 0.08}
CONSENT_SHARE = {"Y": 0.7, "N": 0.3}
CRIME_REFERENCE_SHARE = 0.85

STAGE_SHARE = {
    "default": {"REPORTED": 0.22, "INVESTIGATION": 0.36, "CHARGE_DECISION": 0.12, "COURT": 0.10, "POST_COURT": 0.20},
    "volume": {"REPORTED": 0.45, "INVESTIGATION": 0.40, "CHARGE_DECISION": 0.06, "COURT": 0.04, "POST_COURT": 0.05},
    "sexual": {"REPORTED": 0.15, "INVESTIGATION": 0.50, "CHARGE_DECISION": 0.15, "COURT": 0.08, "POST_COURT": 0.12},
}

OUTCOME_BY_STAGE = {
    "REPORTED": {"ONGOING": 0.60, "NFA": 0.25, "WITHDRAWN": 0.05, "UNKNOWN": 0.10},
    "INVESTIGATION": {"ONGOING": 0.55, "NFA": 0.25, "OUT_OF_COURT": 0.06, "WITHDRAWN": 0.07, "UNKNOWN": 0.07},
    "CHARGE_DECISION": {
        "CHARGED": 0.45,
        "NFA": 0.20,
        "OUT_OF_COURT": 0.12,
        "ONGOING": 0.15,
        "WITHDRAWN": 0.04,
        "UNKNOWN": 0.04,
    },
    "COURT": {
        "CHARGED": 0.55,
        "CONVICTED": 0.20,
        "NOT_CONVICTED": 0.08,
        "ONGOING": 0.10,
        "WITHDRAWN": 0.04,
        "UNKNOWN": 0.03,
    },
    "POST_COURT": {"CONVICTED": 0.65, "NOT_CONVICTED": 0.25, "WITHDRAWN": 0.04, "UNKNOWN": 0.06},
}
OUTCOME_EXPERIENCE_EFFECT = {"CONVICTED": 0.35, "CHARGED": 0.2, "NFA": -0.45, "WITHDRAWN": -0.2, "NOT_CONVICTED": -0.2}

AGE_SHARE = {
    "default": {
        "U18": 0.06,
        "18-24": 0.13,
        "25-34": 0.20,
        "35-44": 0.19,
        "45-54": 0.16,
        "55-64": 0.12,
        "65+": 0.11,
        "PNS": 0.03,
    },
    "sexual": {
        "U18": 0.18,
        "18-24": 0.25,
        "25-34": 0.22,
        "35-44": 0.15,
        "45-54": 0.10,
        "55-64": 0.05,
        "65+": 0.02,
        "PNS": 0.03,
    },
    "fraud": {
        "U18": 0.01,
        "18-24": 0.06,
        "25-34": 0.12,
        "35-44": 0.15,
        "45-54": 0.18,
        "55-64": 0.20,
        "65+": 0.25,
        "PNS": 0.03,
    },
}
GENDER_SHARE = {
    "default": {"FEMALE": 0.50, "MALE": 0.46, "OTHER": 0.01, "PNS": 0.03},
    "sexual": {"FEMALE": 0.85, "MALE": 0.12, "OTHER": 0.01, "PNS": 0.02},
    "domestic": {"FEMALE": 0.80, "MALE": 0.17, "OTHER": 0.01, "PNS": 0.02},
}
ETHNIC_SHARE = {
    "default": {"WHITE": 0.87, "MIXED": 0.025, "ASIAN": 0.04, "BLACK": 0.02, "OTHER": 0.015, "PNS": 0.03},
    "hate": {"WHITE": 0.35, "MIXED": 0.10, "ASIAN": 0.30, "BLACK": 0.17, "OTHER": 0.05, "PNS": 0.03},
}
DISABILITY_SHARE = {"Y": 0.20, "N": 0.76, "PNS": 0.04}
REPEAT_SHARE = {
    "default": {"Y": 0.22, "N": 0.68, "DK": 0.06},
    "domestic": {"Y": 0.60, "N": 0.33, "DK": 0.05},
}
DEMOGRAPHIC_BLANK_SHARE = 0.025
REPEAT_BLANK_SHARE = 0.04

# Police satisfaction: each item is an ordinal cut of a latent score built from the
# victim's overall "experience" (loading), plus an item-specific shift.
SAT7_CUTS = np.array([-1.65, -1.15, -0.75, -0.4, 0.2, 0.95])
SAT5_CUTS = np.array([-1.9, -1.5, -0.95, -0.05])
POLICE_ITEM_LOADING = {
    "sat_contact": (0.6, 0.1),
    "sat_actions": (0.75, -0.1),
    "sat_treatment": (0.7, 0.4),
    "sat_court": (0.6, 0.0),
}
DONT_KNOW, NOT_APPLICABLE = 8, 9
SAT_DONT_KNOW_SHARE, SAT_NOT_APPLICABLE_SHARE, SAT_BLANK_SHARE = 0.03, 0.015, 0.02

# Victims' Code rights: logit of "Y" (vs "N") at average experience, and share "NA".
RIGHT_BASE_LOGIT = {
    "vcop_01": 2.2,
    "vcop_02": 1.8,
    "vcop_03": 1.2,
    "vcop_04": 0.3,
    "vcop_05": -0.6,
    "vcop_06": 0.4,
    "vcop_07": -0.2,
    "vcop_08": 0.8,
    "vcop_09": 0.7,
    "vcop_10": -0.5,
    "vcop_11": 0.3,
    "vcop_12": -1.0,
}
RIGHT_NA_SHARE = {"vcop_01": 0.02, "vcop_05": 0.10, "vcop_07": 0.05, "vcop_10": 0.35, "vcop_12": 0.15}
COURT_RIGHTS = ("vcop_08", "vcop_09", "vcop_11")
CONVICTION_RIGHT = "vcop_11"
REFERRAL_RIGHT = "vcop_04"
RIGHT_DK_SHARE, RIGHT_BLANK_SHARE = 0.04, 0.02

# Services: chance a service is relevant to a victim, then the funnel of statuses.
SERVICE_FUNNEL = {
    "VWCU": {"NOT_OFFERED": 0.15, "DECLINED": 0.12, "REFERRED": 0.13, "CONTACTED": 0.25, "SUPPORTED": 0.35},
    "RJ": {"NOT_OFFERED": 0.30, "DECLINED": 0.30, "REFERRED": 0.15, "CONTACTED": 0.10, "SUPPORTED": 0.15},
    "CYP": {"NOT_OFFERED": 0.10, "DECLINED": 0.12, "REFERRED": 0.13, "CONTACTED": 0.20, "SUPPORTED": 0.45},
    "ADULT": {"NOT_OFFERED": 0.12, "DECLINED": 0.15, "REFERRED": 0.15, "CONTACTED": 0.20, "SUPPORTED": 0.38},
    "IDVA": {"NOT_OFFERED": 0.08, "DECLINED": 0.15, "REFERRED": 0.12, "CONTACTED": 0.20, "SUPPORTED": 0.45},
    "ISVA": {"NOT_OFFERED": 0.07, "DECLINED": 0.12, "REFERRED": 0.10, "CONTACTED": 0.16, "SUPPORTED": 0.55},
    "SARC": {"NOT_OFFERED": 0.10, "DECLINED": 0.15, "REFERRED": 0.05, "CONTACTED": 0.10, "SUPPORTED": 0.60},
    "REFUGE": {"NOT_OFFERED": 0.20, "DECLINED": 0.30, "REFERRED": 0.15, "CONTACTED": 0.10, "SUPPORTED": 0.25},
}
CONTACT_STATUSES = ("CONTACTED", "SUPPORTED")
REFERRAL_STATUSES = ("REFERRED", "CONTACTED", "SUPPORTED")
DAYS_BLANK_SHARE, DAYS_TAIL_SHARE, DAYS_TAIL_MAX = 0.04, 0.08, 60
SVC_SAT_DONT_KNOW_SHARE, SVC_SAT_NOT_APPLICABLE_SHARE, SVC_SAT_BLANK_SHARE = 0.03, 0.01, 0.02

COMMENT_POLICE_SHARE = 0.62
COMMENT_SERVICES_SHARE = {"referred": 0.70, "other": 0.20}
COMMENT_JOINED_SHARE = 0.3

# ---------------------------------------------------------------------------------------
# Comment templates and the values planted in them
# ---------------------------------------------------------------------------------------

POLICE_TEMPLATES: dict[str, tuple[str, ...]] = {
    "positive": (
        "{officer} was brilliant, kept me updated every week and even rang me back on a Sunday.",
        "Really happy with how quickly they came out {time}. The officer was kind, calm and explained everything.",
        'I was told "we take this seriously" and they actually did. {high_score} for the response in {place}.',
        "Thank you to {officer}. If anyone needs to check, my number is {phone}.",
        "They came to {address} within the hour, took photos, and got my bike back (worth {money}).",
        "Honestly couldn't fault them.\nThe call handler was patient and the follow-up was good.",
        "{officer} gave me her email {email} so I could send the CCTV. Great service, thank you.",
        "Kept informed at every stage, which is all I wanted. The letter about the court date came on time.",
        'Felt listened to for the first time. The officer in {place} said "you\'ve done nothing wrong", '
        "which meant a lot.",
        "Quick, professional, respectful. Crime number {crime_no} was given straight away.",
        "I’m grateful to {officer} – she didn’t rush me and made sure I had the victim leaflet.",
        "Good response. They checked on me after {person} was arrested, and helped me change the locks at "
        "{address}, {postcode}.",
        "They came out on {when} and stayed with me till my daughter arrived.\nCan't thank them enough.",
    ),
    "negative": (
        'Nobody kept me informed. I rang 101 {count} times and was told "someone will call you back", nobody did.',
        "I gave my details twice ({phone}, {email}) and still no-one got in touch.\nVery disappointed.",
        'The officer was dismissive, said it was "a civil matter" and left. {low_score}, would not recommend.',
        "It took {count} weeks to get a crime number ({crime_no}). I lost {money} and heard nothing since {when}.",
        "{person} keeps coming to the house at {address} and the police don't seem to care.",
        "I wasn't told the case was dropped until I phoned. Found out from a letter that said NFA, no explanation.",
        "They turned up {time} the next day, by then {person} had gone. I live in {place}, not the middle of nowhere!",
        "Please stop sending letters to my old address. My new postcode is {postcode} and I've told you twice.",
        "I had to chase {officer} for updates, it felt like I was the one investigating.",
        "My NI number is {ni}, I gave it for the compensation form and never heard back.",
        "Had to repeat my story to {count} different officers. Exhausting.\n\nStill waiting.",
        "The “victim care” letter had my date of birth wrong – it’s {dob} – and the wrong crime number.",
        "Officer said she'd call me on {phone} on {when} and never did.",
    ),
    "mixed": (
        "The first officer was great, the investigation not so much. Kept informed at the start, "
        "then nothing after {when}.",
        "Response {time} was fast, but updates stopped once it went to CPS.",
        "Mixed. {officer} was lovely, but the station in {place} never answered the phone.",
        "OK I suppose. Would give it {mid_score}. Things improved after I complained.",
        "They did what they could, I know they're stretched. Just tell people what's happening, even if "
        'it\'s "no news".',
        "Fine overall, although I was asked for my date of birth ({dob}) about five times.",
        "Good at the scene, poor afterwards,\nnobody told me {person} had been released.",
    ),
}

SERVICE_TEMPLATES: dict[str, tuple[str, ...]] = {
    "positive": (
        "{worker} was amazing, I don't know how I'd have coped without her.",
        "The IDVA helped me with a safety plan, a new phone and a non-molestation order. I feel safer now.",
        "Horizon called within two days, explained the court process and arranged a pre-trial visit in {place}.",
        "{worker} rang every week, even just to check in. You can give my number to other victims: {phone}.",
        "The counselling through the adult service, 8 sessions, was exactly what I needed.",
        "Brilliant support at the SARC. Kind, never rushed, and they explained the forensic bit properly.",
        "Thank you {worker}!! Helped me fill in the compensation form (got {money}).",
        "Everyone at the refuge was welcoming. My kids felt safe, for the first time in ages.",
        "Café meet-ups with the young people’s worker helped my son a lot, he's 15 and didn't want to talk to police.",
    ),
    "negative": (
        "I was referred but nobody contacted me for {count} weeks. By then I'd given up.",
        "Got a text from the support service, rang back on {phone}, got voicemail, never heard again.",
        "Told I'd get an ISVA, still waiting. It's been since {when}.",
        "The worker kept getting my name wrong and emailed the wrong person ({email}).",
        'Felt like a tick-box exercise, "have you got our leaflet?", "yes", "great, bye".',
        "Please don't send anything to {address}, {postcode}. {person} still has a key.",
    ),
    "mixed": (
        "Support was good when it came, but the wait was too long ({count} weeks).",
        "Helpful, but I'd have liked someone to come to court with me on {when}.",
        "{worker} was nice but the service only works 9-5, which is no good when you work shifts.",
        "Good advice, but I had to ring them, they never rang me.\nStill, better than nothing.",
    ),
}


def _digits(rng: np.random.Generator, count: int) -> str:
    """A string of ``count`` random decimal digits."""
    return "".join(str(d) for d in rng.integers(0, 10, size=count))


PHONE_FORMATS: tuple[Callable[[np.random.Generator], str], ...] = (
    lambda rng: f"07700 900{_digits(rng, 3)}",
    lambda rng: f"+44 7700 900{_digits(rng, 3)}",
    lambda rng: f"01793 {_digits(rng, 6)}",
    lambda rng: f"07700900{_digits(rng, 3)}",
    lambda rng: f"(01225) {_digits(rng, 3)} {_digits(rng, 3)}",
)

COMMENT_FILLERS: dict[str, tuple[str, ...] | Callable[[np.random.Generator], str]] = {
    # planted personal data
    "officer": (
        "PC Sarah Jones",
        "DC Mark Thompson",
        "Sergeant Lisa Patel",
        "PCSO Tom Hughes",
        "DS Ahmed Khan",
        "PC Jo Williams",
        "Inspector Claire O’Connor",
        "PC Gareth Davies",
        "DC Zoë Clarke",
        "PC Łukasz Nowak",
    ),
    "person": (
        "my neighbour Gareth Evans",
        "my ex-partner Daniel Price",
        "my ex, Ryan Cole,",
        "Mrs Angela Brown",
        "my stepdad Steve Harris",
        "René Dubois from work",
        "the man at number 14, Paul Grant,",
    ),
    "worker": (
        "Priya from the advocacy service",
        "Helen at Horizon",
        "my ISVA Rachel Green",
        "Jo the IDVA",
        "Kate (the outreach worker)",
        "Amira from the young people's service",
    ),
    "phone": lambda rng: PHONE_FORMATS[int(rng.integers(len(PHONE_FORMATS)))](rng),
    "email": (
        "sarah.jones@example.com",
        "gevans78@example.co.uk",
        "priya.s@example.org",
        "mum.of.three@example.net",
        "d.price@example.com",
    ),
    "postcode": ("SN1 2AB", "BA14 8XY", "SP1 3QT", "SN15 1ER", "SN25 4DL", "SN10 2JP", "BA12 9HN", "SN2 1DE"),
    "ni": ("QQ 12 34 56 C", "AB123456C", "JK 55 01 83 D", "NX234567A"),
    "crime_no": lambda rng: "54" + _digits(rng, 9),
    "address": (
        "12 Station Road",
        "4 Church Lane, Devizes",
        "Flat 3, 27 High Street",
        "88 Kingshill Road",
        "1 The Paddocks, Calne",
        "45a Victoria Road",
    ),
    "dob": ("14/03/1985", "2 November 1990", "1979-05-01", "09.07.2001"),
    # hard negatives: look like personal data, are not
    "money": ("£250", "£1,200", "£40", "£3,500", "£75.50"),
    "high_score": ("10/10", "9/10", "9 out of 10", "5/5"),
    "mid_score": ("5 out of 10", "6/10", "3/5", "5/10"),
    "low_score": ("0/10", "1/10", "2 out of 10", "1/5"),
    "time": ("at 3pm", "around 11.30pm", "at 07:45", "after midnight", "at half ten"),
    "when": ("14 March", "03/02/2024", "Tuesday 9 April", "the 5th of January", "Boxing Day", "12/11/2023"),
    "place": (
        "Swindon",
        "Salisbury",
        "Chippenham",
        "Trowbridge",
        "Devizes",
        "Marlborough",
        "Melksham",
        "Warminster",
        "Calne",
        "Royal Wootton Bassett",
    ),
    "count": ("3", "four", "6", "10", "two", "5"),
}

_FORMATTER = string.Formatter()


# ---------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------


def _text_of(codes: np.ndarray, values: Sequence[str]) -> np.ndarray:
    """Map integer codes to text; code -1 means blank."""
    return np.asarray([*values, BLANK], dtype=object)[codes]


def _share_vector(values: Sequence[str], shares: Mapping[str, float]) -> np.ndarray:
    """Probabilities over ``values`` (codebook order) from a mapping of code -> share."""
    unknown = set(shares) - set(values)
    if unknown:
        raise ValueError(f"codes not in the codebook: {sorted(unknown)}")
    vector = np.array([shares.get(v, 0.0) for v in values], dtype=float)
    return vector / vector.sum()


def _sample(rng: np.random.Generator, values: Sequence[str], shares: Mapping[str, float], size: int) -> np.ndarray:
    """Integer codes (indexes into ``values``) drawn with the given shares."""
    return rng.choice(len(values), size=size, p=_share_vector(values, shares))


def _sample_by_key(rng: np.random.Generator, keys: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Draw one code per row from the probability row ``table[key]`` (vectorised)."""
    cumulative = np.cumsum(table, axis=1)
    cumulative[:, -1] = 1.0
    draws = rng.random(len(keys))
    return (draws[:, None] >= cumulative[keys]).sum(axis=1)


def _profile_table(
    values: Sequence[str], profiles: Mapping[str, Mapping[str, float]], order: Sequence[str]
) -> np.ndarray:
    """Stack share vectors of named profiles into a table, rows in ``order``."""
    return np.vstack([_share_vector(values, profiles[name]) for name in order])


def _blank_share(codes: np.ndarray, rng: np.random.Generator, share: float) -> np.ndarray:
    """Set a random share of codes to -1 (blank)."""
    codes = codes.copy()
    codes[rng.random(len(codes)) < share] = -1
    return codes


def _ordinal(latent: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """Cut a latent score into ordered categories 1..len(cuts)+1."""
    return np.searchsorted(cuts, latent) + 1


def _add_item_nonresponse(
    scores: np.ndarray, rng: np.random.Generator, dont_know: float, not_applicable: float, blank: float
) -> np.ndarray:
    """Replace some answers by 8 (don't know), 9 (not applicable) or 0 (blank)."""
    scores = scores.copy()
    draw = rng.random(len(scores))
    scores[draw < dont_know + not_applicable + blank] = 0
    scores[draw < dont_know + not_applicable] = NOT_APPLICABLE
    scores[draw < dont_know] = DONT_KNOW
    return scores


def _score_text(scores: np.ndarray) -> np.ndarray:
    """Scores 1..9 as text, 0 as blank."""
    return np.asarray([BLANK, *(str(i) for i in range(1, 10))], dtype=object)[scores]


def _number_text(numbers: np.ndarray) -> np.ndarray:
    """Whole numbers 0..365 as text, -1 as blank."""
    return np.asarray([*(str(i) for i in range(366)), BLANK], dtype=object)[numbers]


def _month_bounds(month: str) -> tuple[date, date]:
    """First and last day of a ``YYYY-MM`` month."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", month)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"month must be YYYY-MM, got {month!r}")
    first = date(int(match.group(1)), int(match.group(2)), 1)
    return first, _add_months(first, 1) - timedelta(days=1)


def _add_months(first_of_month: date, months: int) -> date:
    """The first day of the month ``months`` after (or before) ``first_of_month``."""
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _periods_before(today: date, months: int) -> list[str]:
    """The ``months`` calendar months ending with the month before ``today``, oldest first."""
    this_month = today.replace(day=1)
    return [_add_months(this_month, -k).strftime("%Y-%m") for k in range(months, 0, -1)]


def _render(template: str, rng: np.random.Generator) -> str:
    """Fill a comment template's placeholders with random values."""
    names = {name for _, name, _, _ in _FORMATTER.parse(template) if name}
    values = {}
    for name in sorted(names):
        filler = COMMENT_FILLERS[name]
        values[name] = filler(rng) if callable(filler) else filler[int(rng.integers(len(filler)))]
    return template.format(**values)


def _render_comment(templates: Sequence[str], rng: np.random.Generator) -> str:
    """One comment: one template, or two joined by a space or a blank line."""
    first = _render(templates[int(rng.integers(len(templates)))], rng)
    if rng.random() >= COMMENT_JOINED_SHARE:
        return first
    second = _render(templates[int(rng.integers(len(templates)))], rng)
    return first + (" " if rng.random() < 0.5 else "\n\n") + second


def _comments_for(mask: np.ndarray, templates: Sequence[str], rng: np.random.Generator) -> np.ndarray:
    """Comments for the rows in ``mask``, drawn from a pool rendered once per call."""
    wanted = int(mask.sum())
    pool = np.asarray([_render_comment(templates, rng) for _ in range(min(wanted, COMMENT_POOL_LIMIT))], dtype=object)
    return pool[rng.integers(len(pool), size=wanted)] if wanted else pool


# ---------------------------------------------------------------------------------------
# Quotas
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quota:
    """A monthly minimum: rows with ``column`` in ``values``, at least ``minimum`` of ``total``."""

    name: str
    column: str
    values: tuple[str, ...]
    minimum: int
    total: int

    def target(self, rows: int) -> int:
        """The minimum scaled to a delivery of ``rows`` responses (rounded down)."""
        return math.floor(self.minimum * rows / self.total)


_QUOTA_RULE = re.compile(r"^\s*(?P<column>\w+)\s*(?:=\s*(?P<value>[\w-]+)|in\s*\((?P<values>[^)]*)\))\s*$")


def quotas(book: Codebook | None = None) -> tuple[Quota, ...]:
    """The supplier's monthly quotas, parsed from the codebook's ``rule`` strings."""
    book = book or load_codebook()
    total = int(book.quotas["total"])  # type: ignore[arg-type]
    parsed = []
    for name, spec in book.quotas.items():
        if not isinstance(spec, dict):
            continue
        match = _QUOTA_RULE.match(str(spec["rule"]))
        if not match:
            raise ValueError(f"quota {name}: cannot parse rule {spec['rule']!r}")
        raw_values = match.group("value") or match.group("values")
        values = tuple(v.strip() for v in raw_values.split(","))
        parsed.append(Quota(name, match.group("column"), values, int(spec["min"]), total))
    return tuple(parsed)


def _choose_shortfall(rng: np.random.Generator, quota_list: Sequence[Quota], short_quota: str | None) -> str | None:
    """Which quota (if any) this month falls short on."""
    names = [q.name for q in quota_list]
    if short_quota == RANDOM_SHORTFALL:
        unlucky = rng.random() < SHORTFALL_CHANCE
        pick = names[int(rng.integers(len(names)))]
        return pick if unlucky else None
    if short_quota is not None and short_quota not in names:
        raise ValueError(f"unknown quota {short_quota!r}; expected one of {names}")
    return short_quota


def _shortfall_count(target: int, rng: np.random.Generator) -> int:
    """A count a little below ``target``."""
    return max(0, target - int(rng.integers(1, max(2, target // 5) + 1)))


def _enforce_group_quotas(
    groups: np.ndarray,
    rng: np.random.Generator,
    group_codes: Sequence[str],
    group_quotas: Sequence[Quota],
    short: str | None,
) -> np.ndarray:
    """Move rows between crime groups so each crime-group quota is met (or, if short, missed)."""
    groups = groups.copy()
    index = {code: i for i, code in enumerate(group_codes)}
    in_any_quota = [index[v] for q in group_quotas for v in q.values]
    filler_codes = [i for i in range(len(group_codes)) if i not in in_any_quota]
    filler_p = _share_vector(
        [group_codes[i] for i in filler_codes],
        {group_codes[i]: CRIME_GROUP_SHARE[group_codes[i]] for i in filler_codes},
    )
    for quota in group_quotas:
        quota_codes = [index[v] for v in quota.values]
        members = np.flatnonzero(np.isin(groups, quota_codes))
        target = quota.target(len(groups))
        if quota.name == short:
            wanted = _shortfall_count(target, rng)
            if len(members) > wanted:
                moved = rng.choice(members, size=len(members) - wanted, replace=False)
                groups[moved] = np.asarray(filler_codes)[rng.choice(len(filler_codes), size=len(moved), p=filler_p)]
        elif len(members) < target:
            fillers = np.flatnonzero(~np.isin(groups, in_any_quota))
            moved = rng.choice(fillers, size=min(target - len(members), len(fillers)), replace=False)
            quota_p = _share_vector(quota.values, {v: CRIME_GROUP_SHARE[v] for v in quota.values})
            groups[moved] = np.asarray(quota_codes)[rng.choice(len(quota_codes), size=len(moved), p=quota_p)]
    return groups


def _enforce_flag_quota(
    flag: np.ndarray, weights: np.ndarray, rng: np.random.Generator, target: int, short: bool
) -> np.ndarray:
    """Switch a Y/N flag on (weighted by plausibility) or off so its count meets (or misses) ``target``."""
    flag = flag.copy()
    count = int(flag.sum())
    if short:
        wanted = _shortfall_count(target, rng)
        if count > wanted:
            flag[rng.choice(np.flatnonzero(flag), size=count - wanted, replace=False)] = False
    elif count < target:
        candidates = np.flatnonzero(~flag & (weights > 0))
        size = min(target - count, len(candidates))
        chosen = rng.choice(candidates, size=size, replace=False, p=weights[candidates] / weights[candidates].sum())
        flag[chosen] = True
    return flag


# ---------------------------------------------------------------------------------------
# Column groups of generate_rows
# ---------------------------------------------------------------------------------------


def _response_columns(
    n: int, month: str, rng: np.random.Generator, first_id: int, today: date, book: Codebook
) -> dict[str, np.ndarray]:
    """response_id, interview_date, mode, status, consent_share_comments."""
    first_day, last_day = _month_bounds(month)
    last_day = min(last_day, today)
    if first_day < book.earliest_interview_date or last_day < first_day:
        raise ValueError(f"month {month} is outside {book.earliest_interview_date} .. {today}")
    if first_id < 0 or first_id + n - 1 > MAX_RESPONSE_NUMBER:
        raise ValueError("response ids must fit in 8 digits")
    day_text = np.asarray(
        [(first_day + timedelta(days=d)).isoformat() for d in range((last_day - first_day).days + 1)], dtype=object
    )
    return {
        "response_id": np.asarray([f"VV{i:08d}" for i in range(first_id, first_id + n)], dtype=object),
        "interview_date": day_text[rng.integers(len(day_text), size=n)],
        "mode": _text_of(_sample(rng, book.column("mode").allowed, MODE_SHARE, n), book.column("mode").allowed),
        "status": _text_of(_sample(rng, book.column("status").allowed, STATUS_SHARE, n), book.column("status").allowed),
        "consent_share_comments": _text_of(_sample(rng, ("Y", "N"), CONSENT_SHARE, n), ("Y", "N")),
    }


def _crime_groups(n: int, rng: np.random.Generator, book: Codebook, short: str | None) -> np.ndarray:
    """Crime group codes meeting the crime-group quotas (bar a deliberate shortfall)."""
    group_codes = book.column("crime_group").allowed
    groups = _sample(rng, group_codes, CRIME_GROUP_SHARE, n)
    group_quotas = [q for q in quotas(book) if q.column == "crime_group"]
    return _enforce_group_quotas(groups, rng, group_codes, group_quotas, short)


def _flag(
    rng: np.random.Generator,
    groups: np.ndarray,
    group_codes: Sequence[str],
    column: str,
    book: Codebook,
    short: str | None,
) -> np.ndarray:
    """A Y/N flag drawn by crime group, then adjusted to its quota if it has one."""
    shares = FLAG_SHARE_BY_GROUP[column]
    weights = np.array([shares.get(code, shares["*"]) for code in group_codes])[groups]
    flag = rng.random(len(groups)) < weights
    for quota in quotas(book):
        if quota.column == column and quota.values == ("Y",):
            flag = _enforce_flag_quota(flag, weights, rng, quota.target(len(groups)), quota.name == short)
    return flag


def _crime_columns(n: int, rng: np.random.Generator, book: Codebook, short: str | None) -> dict[str, np.ndarray]:
    """crime_reference, area, crime_group, domestic_abuse, hate_crime, repeat_victim."""
    group_codes = book.column("crime_group").allowed
    groups = _crime_groups(n, rng, book, short)
    domestic = _flag(rng, groups, group_codes, "domestic_abuse", book, short)
    hate = _flag(rng, groups, group_codes, "hate_crime", book, short)
    has_reference = rng.random(n) < CRIME_REFERENCE_SHARE
    references = rng.integers(0, 10**9, size=n)
    repeat_values = book.column("repeat_victim").allowed
    repeat = _sample_by_key(
        rng, domestic.astype(int), _profile_table(repeat_values, REPEAT_SHARE, ("default", "domestic"))
    )
    return {
        "crime_reference": np.asarray(
            [f"54{r:09d}" if has else BLANK for r, has in zip(references, has_reference, strict=True)], dtype=object
        ),
        "area": _text_of(_sample(rng, book.column("area").allowed, AREA_SHARE, n), book.column("area").allowed),
        "crime_group": _text_of(groups, group_codes),
        "domestic_abuse": np.where(domestic, "Y", "N").astype(object),
        "hate_crime": np.where(hate, "Y", "N").astype(object),
        "repeat_victim": _text_of(_blank_share(repeat, rng, REPEAT_BLANK_SHARE), repeat_values),
    }


def _victim_columns(rng: np.random.Generator, crime: Mapping[str, np.ndarray], book: Codebook) -> dict[str, np.ndarray]:
    """age_band, gender, ethnic_group, disability, related to the crime."""
    n = len(crime["crime_group"])
    sexual = np.isin(crime["crime_group"], SEXUAL_GROUPS)
    domestic = crime["domestic_abuse"] == "Y"
    age_key = np.where(sexual, 1, np.where(crime["crime_group"] == "FRAUD", 2, 0))
    gender_key = np.where(sexual, 1, np.where(domestic, 2, 0))
    columns = {}
    for column, keys, profiles, order in (
        ("age_band", age_key, AGE_SHARE, ("default", "sexual", "fraud")),
        ("gender", gender_key, GENDER_SHARE, ("default", "sexual", "domestic")),
        ("ethnic_group", (crime["hate_crime"] == "Y").astype(int), ETHNIC_SHARE, ("default", "hate")),
        ("disability", np.zeros(n, dtype=int), {"default": DISABILITY_SHARE}, ("default",)),
    ):
        values = book.column(column).allowed
        codes = _sample_by_key(rng, keys, _profile_table(values, profiles, order))
        columns[column] = _text_of(_blank_share(codes, rng, DEMOGRAPHIC_BLANK_SHARE), values)
    return columns


def _journey_columns(
    rng: np.random.Generator, crime: Mapping[str, np.ndarray], book: Codebook
) -> dict[str, np.ndarray]:
    """journey_stage (by crime type) and a case_outcome consistent with it."""
    stages = book.journey_stages
    outcomes = book.column("case_outcome").allowed
    key = np.where(
        np.isin(crime["crime_group"], SEXUAL_GROUPS), 2, np.where(np.isin(crime["crime_group"], VOLUME_GROUPS), 1, 0)
    )
    stage = _sample_by_key(rng, key, _profile_table(stages, STAGE_SHARE, ("default", "volume", "sexual")))
    outcome = _sample_by_key(rng, stage, _profile_table(outcomes, OUTCOME_BY_STAGE, stages))
    return {"journey_stage": _text_of(stage, stages), "case_outcome": _text_of(outcome, outcomes)}


def _experience(rng: np.random.Generator, outcome: np.ndarray) -> np.ndarray:
    """A latent 'experience of the police' score, better when the case went well."""
    effect = np.zeros(len(outcome))
    for code, shift in OUTCOME_EXPERIENCE_EFFECT.items():
        effect[outcome == code] = shift
    return rng.standard_normal(len(outcome)) + effect


def _police_columns(
    rng: np.random.Generator, experience: np.ndarray, stage_index: np.ndarray, court_index: int
) -> dict[str, np.ndarray]:
    """sat_* on 1..7 (+8/9/blank); overall tied to being kept informed; court only at court."""
    n = len(experience)
    informed = 0.8 * experience + 0.6 * rng.standard_normal(n) - 0.25
    overall = 0.7 * informed + 0.25 * experience + 0.45 * rng.standard_normal(n)
    latent = {"sat_informed": informed, "sat_overall": overall}
    for column, (loading, shift) in POLICE_ITEM_LOADING.items():
        latent[column] = loading * experience + math.sqrt(1 - loading**2) * rng.standard_normal(n) + shift
    columns = {}
    for column in ("sat_contact", "sat_actions", "sat_informed", "sat_treatment", "sat_overall", "sat_court"):
        scores = _add_item_nonresponse(
            _ordinal(latent[column], SAT7_CUTS), rng, SAT_DONT_KNOW_SHARE, SAT_NOT_APPLICABLE_SHARE, SAT_BLANK_SHARE
        )
        if column == "sat_court":
            scores[stage_index < court_index] = 0
        columns[column] = _score_text(scores)
    return columns


def _rights_columns(
    rng: np.random.Generator,
    experience: np.ndarray,
    stage_index: np.ndarray,
    court_index: int,
    convicted: np.ndarray,
    referred: np.ndarray,
    book: Codebook,
) -> dict[str, np.ndarray]:
    """vcop_01..12: Y/N driven by experience, NA where the right does not apply, some DK/blank."""
    n = len(experience)
    columns = {}
    for right in book.rights:
        logit = RIGHT_BASE_LOGIT.get(right, 0.0) + 0.9 * experience
        if right == REFERRAL_RIGHT:
            logit = logit + np.where(referred, 1.2, -1.0)
        draw = rng.random(n)
        answer = np.where(rng.random(n) < 1 / (1 + np.exp(-logit)), "Y", "N").astype(object)
        answer[draw < RIGHT_NA_SHARE.get(right, 0.0) + RIGHT_DK_SHARE + RIGHT_BLANK_SHARE] = BLANK
        answer[draw < RIGHT_NA_SHARE.get(right, 0.0) + RIGHT_DK_SHARE] = "DK"
        answer[draw < RIGHT_NA_SHARE.get(right, 0.0)] = "NA"
        if right in COURT_RIGHTS:
            answer[stage_index < court_index] = "NA"
        if right == CONVICTION_RIGHT:
            answer[(stage_index >= court_index) & ~convicted & (answer != BLANK)] = "NA"
        columns[right] = answer
    return columns


def _service_relevance(crime: Mapping[str, np.ndarray], age: np.ndarray, stage: np.ndarray) -> dict[str, np.ndarray]:
    """Chance, per row, that each service had anything to do with the victim."""
    domestic = crime["domestic_abuse"] == "Y"
    sexual = np.isin(crime["crime_group"], SEXUAL_GROUPS)
    child = age == "U18"
    specialist = domestic | sexual | child
    return {
        "VWCU": np.where(specialist, 0.3, 0.85),
        "RJ": np.where(stage == "POST_COURT", 0.12, 0.04),
        "CYP": np.where(child, 0.9, 0.0),
        "ADULT": np.where(child, 0.0, np.where(specialist, 0.1, 0.25)),
        "IDVA": np.where(domestic, 0.85, 0.0),
        "ISVA": np.where(sexual, 0.85, 0.0),
        "SARC": np.where(crime["crime_group"] == "RAPE", 0.7, np.where(sexual, 0.3, 0.0)),
        "REFUGE": np.where(domestic, 0.2, 0.0),
    }


def _service_block(
    rng: np.random.Generator,
    relevant: np.ndarray,
    funnel: Mapping[str, float],
    experience: np.ndarray,
    statuses: Sequence[str],
) -> dict[str, np.ndarray]:
    """status/days/sat/cope/safer of one service, blank where it was not relevant."""
    n = len(relevant)
    status = np.where(relevant, _sample(rng, statuses, funnel, n), -1)
    contacted = np.isin(status, [statuses.index(s) for s in CONTACT_STATUSES])
    supported = status == statuses.index("SUPPORTED")
    days = np.rint(np.exp(rng.normal(1.0, 0.9, n))).astype(int)
    tail = rng.random(n) < DAYS_TAIL_SHARE
    days[tail] = rng.integers(11, DAYS_TAIL_MAX + 1, size=int(tail.sum()))
    days = np.clip(days, 0, DAYS_TAIL_MAX)
    days[~contacted | (rng.random(n) < DAYS_BLANK_SHARE)] = -1
    sat = _ordinal(0.5 * experience + 0.87 * rng.standard_normal(n), SAT5_CUTS)
    sat = _add_item_nonresponse(sat, rng, SVC_SAT_DONT_KNOW_SHARE, SVC_SAT_NOT_APPLICABLE_SHARE, SVC_SAT_BLANK_SHARE)
    sat[~supported] = 0
    satisfied = (sat >= 4) & (sat <= 5)
    return {
        "status": _text_of(status, statuses),
        "days": _number_text(days),
        "sat": _score_text(sat),
        "cope": _outcome_answers(rng, supported, np.where(satisfied, 0.85, 0.35)),
        "safer": _outcome_answers(rng, supported, np.where(satisfied, 0.75, 0.30)),
    }


def _outcome_answers(rng: np.random.Generator, asked: np.ndarray, p_yes: np.ndarray) -> np.ndarray:
    """Y/N/DK (3% blank) where asked, with chance ``p_yes`` of Y; blank elsewhere."""
    n = len(asked)
    draw = rng.random(n)
    answer = np.where(draw < p_yes, "Y", np.where(draw < p_yes + (1 - p_yes) * 2 / 3, "N", "DK")).astype(object)
    answer[~asked | (rng.random(n) < 0.03)] = BLANK
    return answer


def _services_columns(
    rng: np.random.Generator,
    crime: Mapping[str, np.ndarray],
    victim: Mapping[str, np.ndarray],
    journey: Mapping[str, np.ndarray],
    experience: np.ndarray,
    book: Codebook,
) -> dict[str, np.ndarray]:
    """All svc_S_* columns, with referrals following crime type, domestic abuse and age."""
    statuses = book.column(f"svc_{next(iter(book.services))}_status").allowed
    relevance = _service_relevance(crime, victim["age_band"], journey["journey_stage"])
    columns = {}
    for service in book.services:
        relevant = rng.random(len(experience)) < relevance.get(service, np.zeros(len(experience)))
        block = _service_block(rng, relevant, SERVICE_FUNNEL[service], experience, statuses)
        for role, name in book.service_columns(service).items():
            columns[name] = block[role]
    return columns


def _tone(scores: np.ndarray) -> np.ndarray:
    """positive / negative / mixed from a satisfaction column's text."""
    satisfied = np.isin(scores, ("5", "6", "7"))
    dissatisfied = np.isin(scores, ("1", "2", "3"))
    return np.where(satisfied, "positive", np.where(dissatisfied, "negative", "mixed"))


def _comment_column(
    rng: np.random.Generator, present: np.ndarray, tone: np.ndarray, templates: Mapping[str, Sequence[str]]
) -> np.ndarray:
    """Free-text comments where ``present``, in the tone of each row."""
    comments = np.full(len(present), BLANK, dtype=object)
    for name, pool in templates.items():
        mask = present & (tone == name)
        comments[mask] = _comments_for(mask, pool, rng)
    return comments


def _comment_columns(
    rng: np.random.Generator, columns: Mapping[str, np.ndarray], book: Codebook
) -> dict[str, np.ndarray]:
    """comment_police and comment_services, their tone following the satisfaction answers."""
    n = len(columns["response_id"])
    status_columns = [book.service_columns(s)["status"] for s in book.services]
    referred = np.any([np.isin(columns[c], REFERRAL_STATUSES) for c in status_columns], axis=0)
    best_service_sat = np.max(
        [
            np.where(
                np.isin(columns[book.service_columns(s)["sat"]], ("4", "5")),
                2,
                np.where(np.isin(columns[book.service_columns(s)["sat"]], ("1", "2", "3")), 1, 0),
            )
            for s in book.services
        ],
        axis=0,
    )
    service_tone = np.where(best_service_sat == 2, "positive", np.where(best_service_sat == 1, "negative", "mixed"))
    services_share = np.where(referred, COMMENT_SERVICES_SHARE["referred"], COMMENT_SERVICES_SHARE["other"])
    return {
        "comment_police": _comment_column(
            rng, rng.random(n) < COMMENT_POLICE_SHARE, _tone(columns["sat_overall"]), POLICE_TEMPLATES
        ),
        "comment_services": _comment_column(rng, rng.random(n) < services_share, service_tone, SERVICE_TEMPLATES),
    }


def _partial_sections(book: Codebook) -> list[list[str]]:
    """Optional columns in interview order, by section, as a partial interview drops them."""
    names = book.column_names
    return [
        [c for c in names if c.startswith("sat_")],
        list(book.rights),
        [c for c in names if c.startswith("svc_")],
        ["age_band", "gender", "ethnic_group", "disability"],
        ["comment_police", "comment_services"],
    ]


def _blank_after_drop_out(columns: dict[str, np.ndarray], rng: np.random.Generator, book: Codebook) -> None:
    """Partial interviews stop at a random section: blank every section from there on."""
    partial = columns["status"] == "PARTIAL"
    sections = _partial_sections(book)
    stop = rng.integers(0, len(sections), size=len(partial))
    for position, section in enumerate(sections):
        dropped = partial & (stop <= position)
        for column in section:
            columns[column][dropped] = BLANK


# ---------------------------------------------------------------------------------------
# Public API: rows
# ---------------------------------------------------------------------------------------


def generate_rows(
    n: int,
    month: str,
    rng: np.random.Generator,
    first_id: int,
    *,
    today: date | None = None,
    short_quota: str | None = RANDOM_SHORTFALL,
) -> pd.DataFrame:
    """``n`` valid responses for fieldwork ``month`` (``YYYY-MM``), as a clean supplier delivers them.

    Every value is a Python ``str`` ("" for blank); columns are the codebook's, in its order.
    ``response_id`` runs ``VV<first_id:08d>`` upwards; interview dates fall in the month and
    never after ``today`` (default: the real today). Quotas (scaled to ``n``) are met unless
    ``short_quota`` names one to miss; the default ``"random"`` misses one in about one
    month in six, ``None`` never misses.
    """
    book = load_codebook()
    today = today or date.today()
    short = _choose_shortfall(rng, quotas(book), short_quota)
    columns = _response_columns(n, month, rng, first_id, today, book)
    crime = _crime_columns(n, rng, book, short)
    victim = _victim_columns(rng, crime, book)
    journey = _journey_columns(rng, crime, book)
    experience = _experience(rng, journey["case_outcome"])
    stage_index = _stage_codes(journey["journey_stage"], book)
    court_index = book.journey_stages.index("COURT")
    columns.update(crime, **victim, **journey)
    columns.update(_police_columns(rng, experience, stage_index, court_index))
    columns.update(_services_columns(rng, crime, victim, journey, experience, book))
    status_columns = [columns[book.service_columns(s)["status"]] for s in book.services]
    referred = np.any([np.isin(c, REFERRAL_STATUSES) for c in status_columns], axis=0)
    convicted = journey["case_outcome"] == "CONVICTED"
    columns.update(_rights_columns(rng, experience, stage_index, court_index, convicted, referred, book))
    columns.update(_comment_columns(rng, columns, book))
    _blank_after_drop_out(columns, rng, book)
    return pd.DataFrame({name: columns[name] for name in book.column_names}, dtype=object)


def _stage_codes(stage_text: np.ndarray, book: Codebook) -> np.ndarray:
    """Position of each journey stage in the codebook's ordered list."""
    lookup = {stage: i for i, stage in enumerate(book.journey_stages)}
    return np.asarray([lookup[s] for s in stage_text], dtype=int)


def _restyle_code(value: str, style: int) -> str:
    """A messy-but-valid spelling of a code: lower, Mixed, or padded with spaces."""
    if not value or style == 0:
        return value
    if style == 1:
        return value.lower()
    if style == 2:
        return value.capitalize()
    return f"  {value} " if len(value) % 2 else f" {value}"


def _day_first(value: str) -> str:
    """An ISO date as UK day-first ``DD/MM/YYYY`` (other text unchanged)."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        year, month, day = value.split("-")
        return f"{day}/{month}/{year}"
    return value


def make_messy(df: pd.DataFrame, rng: np.random.Generator, share: float = 0.05) -> pd.DataFrame:
    """Messy-but-valid variants on ``share`` of the rows (a new frame; ``df`` is untouched).

    On each chosen row every code column is independently kept, lower-cased ("na", "dk"),
    capitalised ("Complete") or padded with spaces, and interview_date becomes DD/MM/YYYY
    with a chance of 60%. Identifiers, numbers and comments are left alone.
    """
    book = load_codebook()
    messy = df.copy()
    rows = np.sort(rng.choice(len(df), size=round(len(df) * share), replace=False))
    if not len(rows):
        return messy
    labels = messy.index[rows]
    for spec in book.columns:
        if spec.is_code and spec.name in messy.columns:
            styles = rng.integers(0, 4, size=len(rows))
            values = messy.loc[labels, spec.name].to_numpy()
            messy.loc[labels, spec.name] = [_restyle_code(v, s) for v, s in zip(values, styles, strict=True)]
    if "interview_date" in messy.columns:
        dated = labels[rng.random(len(rows)) < 0.6]
        messy.loc[dated, "interview_date"] = [_day_first(v) for v in messy.loc[dated, "interview_date"]]
    return messy


# ---------------------------------------------------------------------------------------
# Public API: bad rows
# ---------------------------------------------------------------------------------------

MISSING_REQUIRED_COLUMNS = (
    "mode",
    "status",
    "consent_share_comments",
    "area",
    "crime_group",
    "domestic_abuse",
    "hate_crime",
)
NOT_ALLOWED_VALUES = (
    ("mode", "TELEPHONE"),
    ("area", "BATH"),
    ("gender", "F"),
    ("repeat_victim", "MAYBE"),
    ("ethnic_group", "WHITE BRITISH"),
    ("vcop_05", "YES"),
    ("status", "COMPLETED"),
)
BAD_DATES = ("31/02/{year}", "{year}-02-30", "{year}-13-05", "00/05/{year}")
POLICE_ITEMS = ("sat_contact", "sat_actions", "sat_informed", "sat_treatment", "sat_overall")
EARLY_STAGES = ("REPORTED", "INVESTIGATION", "CHARGE_DECISION")


@dataclass
class _Planting:
    """Everything a planting function needs: the frame, the row, the randomness, the contract."""

    frame: pd.DataFrame
    label: object
    rng: np.random.Generator
    book: Codebook
    today: date

    def set(self, column: str, value: str) -> None:
        """Overwrite one value of the row."""
        self.frame.at[self.label, column] = value

    def get(self, column: str) -> str:
        """One value of the row."""
        return self.frame.at[self.label, column]

    def pick(self, options: Sequence[_T]) -> _T:
        """One of ``options``, at random."""
        return options[int(self.rng.integers(len(options)))]

    def clear_service(self, service: str) -> dict[str, str]:
        """Blank one service's answers and return its column names."""
        names = self.book.service_columns(service)
        for name in names.values():
            self.set(name, BLANK)
        return names


def _plant_missing_required(p: _Planting) -> str:
    """Blank one required column (not the id, date, stage or outcome the other rules read)."""
    column = p.pick(MISSING_REQUIRED_COLUMNS)
    p.set(column, BLANK)
    return column


def _plant_not_allowed(p: _Planting) -> str:
    """A code outside its allowed set, e.g. mode TELEPHONE."""
    column, value = p.pick(NOT_ALLOWED_VALUES)
    p.set(column, value)
    return column


def _plant_bad_pattern(p: _Planting) -> str:
    """A response_id missing one V, or a crime_reference with 10 digits or a 44 prefix."""
    variant = int(p.rng.integers(3))
    if variant == 0:
        p.set("response_id", p.get("response_id")[1:])  # "V1000..." : still unique, no longer a pattern match
        return "response_id"
    p.set("crime_reference", "54" + _digits(p.rng, 8) if variant == 1 else "44" + _digits(p.rng, 9))
    return "crime_reference"


def _plant_out_of_range(p: _Planting) -> str:
    """Days to contact of 400 (with status CONTACTED) or a police satisfaction of 10."""
    if p.rng.random() < 0.5:
        names = p.clear_service(p.pick(tuple(p.book.services)))
        p.set(names["status"], "CONTACTED")
        p.set(names["days"], "400")
        return names["days"]
    column = p.pick(POLICE_ITEMS)
    p.set(column, "10")
    return column


def _plant_bad_date(p: _Planting) -> str:
    """An interview date that does not exist, e.g. 31/02/2024."""
    p.set("interview_date", p.pick(BAD_DATES).format(year=p.today.year))
    return "interview_date"


def _plant_date_out_of_window(p: _Planting) -> str:
    """A real ISO date before the earliest interview date or ten years after today."""
    earliest = p.book.earliest_interview_date
    if p.rng.random() < 0.5:
        when = earliest - timedelta(days=int(p.rng.integers(1, 400)))
    else:
        when = date(p.today.year + 10, int(p.rng.integers(1, 13)), int(p.rng.integers(1, 29)))
    p.set("interview_date", when.isoformat())
    return "interview_date"


def _plant_sat_court_before_court(p: _Planting) -> str:
    """A court satisfaction answer on a case not yet at court (outcome ONGOING)."""
    p.set("journey_stage", p.pick(EARLY_STAGES))
    p.set("case_outcome", "ONGOING")
    p.set("sat_court", str(int(p.rng.integers(1, 8))))
    return "sat_court"


def _plant_outcome_before_stage(p: _Planting) -> str:
    """CONVICTED/NOT_CONVICTED before COURT, or CHARGED before CHARGE_DECISION."""
    if p.rng.random() < 0.5:
        p.set("journey_stage", p.pick(EARLY_STAGES))
        p.set("case_outcome", p.pick(("CONVICTED", "NOT_CONVICTED")))
    else:
        p.set("journey_stage", p.pick(EARLY_STAGES[:2]))
        p.set("case_outcome", "CHARGED")
    p.set("sat_court", BLANK)
    return "case_outcome"


def _plant_days_without_contact(p: _Planting) -> str:
    """Days to first contact on a service that was only REFERRED."""
    names = p.clear_service(p.pick(tuple(p.book.services)))
    p.set(names["status"], "REFERRED")
    p.set(names["days"], str(int(p.rng.integers(1, 30))))
    return names["days"]


def _plant_answers_without_support(p: _Planting) -> str:
    """A service satisfaction (1..5) on a service only CONTACTED (with valid days)."""
    names = p.clear_service(p.pick(tuple(p.book.services)))
    p.set(names["status"], "CONTACTED")
    p.set(names["days"], str(int(p.rng.integers(0, 10))))
    p.set(names["sat"], str(int(p.rng.integers(1, 6))))  # the only answer, so one failed check
    return names["sat"]


def long_comment(rng: np.random.Generator, min_length: int = COMMENT_MAX_LENGTH + 1) -> str:
    """A rambling police comment of at least ``min_length`` characters."""
    parts: list[str] = []
    length = 0
    while length < min_length:
        part = _render_comment(POLICE_TEMPLATES["negative"] + POLICE_TEMPLATES["mixed"], rng)
        parts.append(part)
        length += len(part) + 1
    return " ".join(parts)


def _plant_comment_too_long(p: _Planting) -> str:
    """A police comment just over the maximum length."""
    p.set("comment_police", long_comment(p.rng))
    return "comment_police"


PLANTERS: dict[str, Callable[[_Planting], str]] = {
    "missing_required": _plant_missing_required,
    "not_allowed": _plant_not_allowed,
    "bad_pattern": _plant_bad_pattern,
    "out_of_range": _plant_out_of_range,
    "bad_date": _plant_bad_date,
    "date_out_of_window": _plant_date_out_of_window,
    "sat_court_before_court": _plant_sat_court_before_court,
    "outcome_before_stage": _plant_outcome_before_stage,
    "days_without_contact": _plant_days_without_contact,
    "answers_without_support": _plant_answers_without_support,
    "comment_too_long": _plant_comment_too_long,
}


def _duplicate_source(target: int, bad: set[int], rng: np.random.Generator) -> int:
    """An earlier row, not itself bad, whose response_id a duplicate will copy."""
    for _ in range(20):  # bad rows are rare: a few random tries almost always succeed
        source = int(rng.integers(target)) if target else 0
        if target and source not in bad:
            return source
    candidates = [row for row in range(target) if row not in bad]
    if not len(candidates):
        raise ValueError("no earlier valid row to duplicate")
    return int(candidates[rng.integers(len(candidates))])


def plant_bad_rows(
    df: pd.DataFrame, rng: np.random.Generator, kinds: Sequence[str] = BAD_ROW_KINDS, *, today: date | None = None
) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """Make one row invalid per entry of ``kinds`` (repeats allowed); return the frame and a manifest.

    Each planted row breaks exactly one rule of the contract, so a validator should
    quarantine exactly these rows. Manifest entries, ordered by row:
    ``{"row_number": 1-based data row, "response_id": its id after planting,
    "kind": one of BAD_ROW_KINDS, "column": the column planted}``.
    ``today`` (default the real today) places the "after today" dates.
    """
    unknown = set(kinds) - set(BAD_ROW_KINDS)
    if unknown:
        raise ValueError(f"unknown bad-row kinds: {sorted(unknown)}")
    if len(kinds) >= len(df):
        raise ValueError(f"{len(kinds)} bad rows need more than {len(df)} rows")
    book = load_codebook()
    today = today or date.today()
    frame = df.copy()
    # row 1 is never planted, so a duplicate always has an earlier valid row to copy
    targets = np.sort(rng.choice(len(frame) - 1, size=len(kinds), replace=False) + 1)
    duplicates = [k for k in kinds if k == "duplicate_id"]
    others = [kinds[i] for i in rng.permutation(len(kinds)) if kinds[i] != "duplicate_id"]
    # duplicates go on the latest chosen rows, so an earlier valid row is there to copy
    assignment = list(zip(targets, others + duplicates, strict=True))
    bad = {int(t) for t in targets}
    columns: dict[int, str] = {}
    for target, kind in assignment:
        if kind == "duplicate_id":
            source = _duplicate_source(int(target), bad, rng)
            frame.iat[int(target), frame.columns.get_loc("response_id")] = frame.iat[
                source, frame.columns.get_loc("response_id")
            ]
            columns[int(target)] = "response_id"
        else:
            columns[int(target)] = PLANTERS[kind](_Planting(frame, frame.index[target], rng, book, today))
    manifest = [
        {
            "row_number": int(t) + 1,
            "response_id": frame.iat[int(t), frame.columns.get_loc("response_id")],
            "kind": kind,
            "column": columns[int(t)],
        }
        for t, kind in assignment
    ]
    return frame, sorted(manifest, key=lambda entry: entry["row_number"])


# ---------------------------------------------------------------------------------------
# Public API: writing files
# ---------------------------------------------------------------------------------------


def write_delivery(
    df: pd.DataFrame, path: Path, *, encoding: str = "utf-8", bom: bool = False, line_ending: str = "\r\n"
) -> Path:
    """Write a delivery: CSV (RFC 4180 quoting) or, for a ``.xlsx`` path, an Excel workbook.

    CSV: ``encoding`` utf-8 (``bom`` adds a byte-order mark) or cp1252 (characters it
    cannot encode become "?"); ``line_ending`` "\\r\\n" or "\\n" ends records (newlines
    inside comments stay as they are, inside quotes). XLSX: see :func:`_write_xlsx`.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".xlsx":
        _write_xlsx(df, path)
        return path
    codec = codecs.lookup(encoding).name
    if bom and codec != "utf-8":
        raise ValueError("a byte-order mark is only written for UTF-8")
    file_encoding = "utf-8-sig" if bom else codec
    errors = "strict" if codec.startswith("utf") else "replace"
    with path.open("w", encoding=file_encoding, errors=errors, newline="") as handle:
        writer = csv.writer(handle, lineterminator=line_ending, quoting=csv.QUOTE_MINIMAL)
        writer.writerow(list(df.columns))
        writer.writerows(df.itertuples(index=False, name=None))
    return path


def _excel_value(column_type: str | None, value: str) -> object:
    """A cell value: real dates for ISO interview dates, numbers for whole-number answers."""
    if value == BLANK:
        return None
    if column_type == DATE and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    if column_type == INT and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return value


def _write_xlsx(df: pd.DataFrame, path: Path) -> None:
    """First sheet, header in row 1; dates and numbers typed, everything else stored as text."""
    types = {spec.name: spec.type for spec in load_codebook().columns}
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Responses"
    sheet.append(list(df.columns))
    column_types = [types.get(name) for name in df.columns]
    for row_number, row in enumerate(df.itertuples(index=False, name=None), start=2):
        for column_number, (column_type, value) in enumerate(zip(column_types, row, strict=True), start=1):
            cell = sheet.cell(row=row_number, column=column_number, value=_excel_value(column_type, value))
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, even if it starts with "="
                cell.number_format = "@"
    buffer = BytesIO()
    workbook.properties.created = XLSX_TIMESTAMP
    workbook.save(buffer)
    path.write_bytes(_reproducible_xlsx(buffer.getvalue()))


def _reproducible_xlsx(content: bytes) -> bytes:
    """The same workbook with fixed time stamps, so equal data gives byte-identical files."""
    stamp = XLSX_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    output = BytesIO()
    with zipfile.ZipFile(BytesIO(content)) as source, zipfile.ZipFile(output, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp, data)
            entry = zipfile.ZipInfo(info.filename, date_time=XLSX_TIMESTAMP.timetuple()[:6])
            target.writestr(entry, data, compress_type=zipfile.ZIP_DEFLATED)
    return output.getvalue()


# ---------------------------------------------------------------------------------------
# Public API: sets of deliveries
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryManifest:
    """What was written in one delivery file, and what a loader should make of it."""

    path: Path
    period: str
    seq: int
    rows: int
    bad_rows: list[dict[str, object]]
    corrected_ids: list[str]


@dataclass(frozen=True)
class _FileFormat:
    """How one delivery is written."""

    extension: str = "csv"
    encoding: str = "utf-8"
    bom: bool = False
    line_ending: str = "\r\n"

    def write(self, df: pd.DataFrame, path: Path) -> Path:
        """Write ``df`` to ``path`` in this format."""
        if self.extension == "xlsx":
            return write_delivery(df, path)
        return write_delivery(df, path, encoding=self.encoding, bom=self.bom, line_ending=self.line_ending)


def delivery_name(period: str, seq: int, extension: str = "csv") -> str:
    """``VictimVoice_<YYYY-MM>_<NN>.<ext>``."""
    if not 1 <= seq <= 99:
        raise ValueError(f"delivery sequence must be 1..99, got {seq}")
    return f"VictimVoice_{period}_{seq:02d}.{extension}"


def _demo_formats(months: int) -> list[_FileFormat]:
    """Mostly UTF-8 CSV (BOM every third month, LF every other); one XLSX; the last month cp1252."""
    formats = [_FileFormat(bom=i % 3 == 1, line_ending="\n" if i % 2 else "\r\n") for i in range(months)]
    if months > 1:
        formats[-1] = _FileFormat(encoding="cp1252")
    formats[(months - 1) // 2] = _FileFormat(extension="xlsx")
    return formats


def _spread_bad_kinds(months: int, rng: np.random.Generator) -> list[list[str]]:
    """Every kind in some month (round robin, shuffled) plus one or two random extras per month."""
    order = [BAD_ROW_KINDS[i] for i in rng.permutation(len(BAD_ROW_KINDS))]
    plan = [order[index::months] for index in range(months)]
    for kinds in plan:
        spare = [k for k in BAD_ROW_KINDS if k not in kinds]
        extra = int(rng.integers(1, 3))
        kinds.extend(spare[i] for i in rng.choice(len(spare), size=min(extra, len(spare)), replace=False))
    return plan


def _correctable(clean: pd.DataFrame, delivered: pd.DataFrame, bad_rows: Sequence[Mapping]) -> pd.DataFrame:
    """Clean rows that were delivered unchanged (not messy, not bad, id not reused)."""
    unchanged = (clean.to_numpy() == delivered.to_numpy()).all(axis=1)
    bad_ids = {entry["response_id"] for entry in bad_rows}
    return clean[unchanged & ~clean["response_id"].isin(bad_ids).to_numpy()]


def _amend_response(record: dict[str, str], rng: np.random.Generator, book: Codebook) -> dict[str, str]:
    """A supplier's correction of one response: case moved on, satisfaction re-asked, contact made."""
    stages = book.journey_stages
    stage = stages.index(record["journey_stage"])
    court = stages.index("COURT")
    if stage + 1 < len(stages):
        stage += 1
        record["journey_stage"] = stages[stage]
        shares = OUTCOME_BY_STAGE[stages[stage]]
        record["case_outcome"] = str(rng.choice(list(shares), p=_share_vector(list(shares), shares)))
        if stage >= court:
            record["sat_court"] = record["sat_court"] or str(int(rng.integers(1, 8)))
            for right in COURT_RIGHTS:
                record[right] = "Y" if rng.random() < 0.6 else "N"
            if record["case_outcome"] != "CONVICTED":
                record[CONVICTION_RIGHT] = "NA"
    for column in ("sat_informed", "sat_overall"):
        choices = [str(s) for s in range(1, 8) if str(s) != record[column]]
        record[column] = choices[int(rng.integers(len(choices)))]
    for service in book.services:
        names = book.service_columns(service)
        if record[names["status"]] == "REFERRED":
            record[names["status"]] = "CONTACTED"
            record[names["days"]] = str(int(rng.integers(3, 30)))
    return record


def _corrections(history: pd.DataFrame, rng: np.random.Generator, book: Codebook) -> pd.DataFrame:
    """About five earlier responses, re-delivered with changed answers."""
    count = min(len(history), int(rng.integers(*CORRECTIONS_PER_REDELIVERY)))
    chosen = history.iloc[np.sort(rng.choice(len(history), size=count, replace=False))]
    amended = [_amend_response(dict(row), rng, book) for row in chosen.to_dict("records")]
    return pd.DataFrame(amended, columns=history.columns, dtype=object)


def _months_available(today: date, book: Codebook) -> int:
    """Whole months from the earliest interview month up to (not including) today's month."""
    earliest = book.earliest_interview_date
    return (today.year - earliest.year) * 12 + today.month - earliest.month


def _check_months_fit(months: int, today: date, book: Codebook) -> None:
    """Refuse a demo that would need months before the contract's earliest interview date."""
    available = _months_available(today, book)
    if not 1 <= months <= available:
        raise ValueError(f"months must be 1..{available} (from {book.earliest_interview_date:%Y-%m} to last month)")


def write_demo_deliveries(
    landing: Path, *, months: int = 12, rows_per_month: int = 170, seed: int = 7, today: date | None = None
) -> list[DeliveryManifest]:
    """A year (by default) of demo deliveries in ``landing``, with bad rows, messy rows and a re-delivery.

    Months are the ``months`` calendar months ending with the month before ``today``.
    Formats: UTF-8 CSV (some with BOM, CRLF or LF), one XLSX month, the last month's
    ``_01`` in Windows-1252. About 3% of rows are messy-but-valid; each ``_01`` holds a
    few bad rows and every kind in BAD_ROW_KINDS appears at least once. The last month
    also gets a clean ``_02`` re-delivering ~5 earlier responses with changed answers
    (its ``corrected_ids``) plus a few new responses. Deterministic for (seed, today).
    """
    book = load_codebook()
    today = today or date.today()
    _check_months_fit(months, today, book)
    periods = _periods_before(today, months)
    formats = _demo_formats(months)
    kinds_by_month = _spread_bad_kinds(months, np.random.default_rng([seed, 0]))
    landing = Path(landing)
    next_id = DEMO_FIRST_ID
    manifests: list[DeliveryManifest] = []
    history: list[pd.DataFrame] = []
    for index, (period, file_format) in enumerate(zip(periods, formats, strict=True)):
        rng = np.random.default_rng([seed, 1, index])
        clean = generate_rows(rows_per_month, period, rng, next_id, today=today)
        next_id += rows_per_month
        delivered, bad_rows = plant_bad_rows(
            make_messy(clean, rng, DEMO_MESSY_SHARE), rng, kinds_by_month[index], today=today
        )
        path = file_format.write(delivered, landing / delivery_name(period, 1, file_format.extension))
        manifests.append(DeliveryManifest(path, period, 1, len(delivered), bad_rows, []))
        history.append(_correctable(clean, delivered, bad_rows))
    rng = np.random.default_rng([seed, 2])
    corrections = _corrections(pd.concat(history, ignore_index=True), rng, book)
    fresh = generate_rows(NEW_ROWS_PER_REDELIVERY, periods[-1], rng, next_id, today=today, short_quota=None)
    redelivery = pd.concat([corrections, fresh], ignore_index=True)
    path = write_delivery(redelivery, landing / delivery_name(periods[-1], 2))
    manifests.append(DeliveryManifest(path, periods[-1], 2, len(redelivery), [], corrections["response_id"].tolist()))
    return manifests


def write_scale_deliveries(
    landing: Path, *, files: int, rows_per_file: int, seed: int, today: date | None = None
) -> list[Path]:
    """Large UTF-8 CSV deliveries for benchmarks: valid rows, ~3% messy, ~0.2% bad (every kind).

    Files take the months before ``today`` (most recent first, back to the earliest
    allowed month); when there are more files than months, sequence numbers go up.
    Response ids are unique across all files apart from the planted duplicates.
    """
    book = load_codebook()
    today = today or date.today()
    periods = _periods_before(today, max(1, min(files, _months_available(today, book))))[::-1]
    if SCALE_FIRST_ID + files * rows_per_file - 1 > MAX_RESPONSE_NUMBER:
        raise ValueError("too many rows for 8-digit response ids")
    repeats = max(1, round(rows_per_file * SCALE_BAD_SHARE / len(BAD_ROW_KINDS)))
    kinds = list(BAD_ROW_KINDS * repeats)[: max(0, rows_per_file - 2)]
    paths = []
    for index in range(files):
        rng = np.random.default_rng([seed, 3, index])
        period, seq = periods[index % len(periods)], 1 + index // len(periods)
        rows = generate_rows(rows_per_file, period, rng, SCALE_FIRST_ID + index * rows_per_file, today=today)
        delivered, _ = plant_bad_rows(make_messy(rows, rng, DEMO_MESSY_SHARE), rng, kinds, today=today)
        paths.append(write_delivery(delivered, Path(landing) / delivery_name(period, seq)))
    return paths
