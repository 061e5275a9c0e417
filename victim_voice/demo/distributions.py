"""How the made-up victims are distributed: shares, loadings and the generator's knobs.

Plausible inventions, tuned so that the monthly supplier quotas are usually met and the
analyses downstream have something to find. Codes are checked against the codebook when used.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

import numpy as np

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


# Of the services comments by respondents a service contacted or supported, the share that
# name one of those services (by name or alias), as comments about a service often do.
COMMENT_NAMES_SERVICE_SHARE = 0.45


COMMENT_JOINED_SHARE = 0.3
