"""Valid responses for one fieldwork month (:func:`generate_rows`), meeting the supplier's
quotas bar a deliberate shortfall, and messy-but-valid variants (:func:`make_messy`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

import numpy as np
import pandas as pd

from schemas.codebook import Codebook, Quota, load_codebook
from victim_voice.demo.comments import (
    NAMED_SERVICE_TEMPLATES,
    POLICE_TEMPLATES,
    SERVICE_TEMPLATES,
    _comments_for,
    named_service_templates,
)
from victim_voice.demo.distributions import (
    AGE_SHARE,
    AREA_SHARE,
    BLANK,
    COMMENT_NAMES_SERVICE_SHARE,
    COMMENT_POLICE_SHARE,
    COMMENT_SERVICES_SHARE,
    CONSENT_SHARE,
    CONTACT_STATUSES,
    CONVICTION_RIGHT,
    COURT_RIGHTS,
    CRIME_GROUP_SHARE,
    CRIME_REFERENCE_SHARE,
    DAYS_BLANK_SHARE,
    DAYS_TAIL_MAX,
    DAYS_TAIL_SHARE,
    DEMOGRAPHIC_BLANK_SHARE,
    DISABILITY_SHARE,
    ETHNIC_SHARE,
    FLAG_SHARE_BY_GROUP,
    GENDER_SHARE,
    MAX_RESPONSE_NUMBER,
    MODE_SHARE,
    OUTCOME_BY_STAGE,
    OUTCOME_EXPERIENCE_EFFECT,
    POLICE_ITEM_LOADING,
    RANDOM_SHORTFALL,
    REFERRAL_RIGHT,
    REFERRAL_STATUSES,
    REPEAT_BLANK_SHARE,
    REPEAT_SHARE,
    RIGHT_BASE_LOGIT,
    RIGHT_BLANK_SHARE,
    RIGHT_DK_SHARE,
    RIGHT_NA_SHARE,
    SAT5_CUTS,
    SAT7_CUTS,
    SAT_BLANK_SHARE,
    SAT_DONT_KNOW_SHARE,
    SAT_NOT_APPLICABLE_SHARE,
    SERVICE_FUNNEL,
    SEXUAL_GROUPS,
    SHORTFALL_CHANCE,
    STAGE_SHARE,
    STATUS_SHARE,
    SVC_SAT_BLANK_SHARE,
    SVC_SAT_DONT_KNOW_SHARE,
    SVC_SAT_NOT_APPLICABLE_SHARE,
    VOLUME_GROUPS,
)
from victim_voice.demo.sampling import (
    _add_item_nonresponse,
    _blank_share,
    _month_bounds,
    _number_text,
    _ordinal,
    _profile_table,
    _sample,
    _sample_by_key,
    _score_text,
    _share_vector,
    _text_of,
)


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
    group_quotas = [q for q in book.column_quotas if q.column == "crime_group"]
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
    for quota in book.column_quotas:
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
    police = _comment_column(rng, rng.random(n) < COMMENT_POLICE_SHARE, _tone(columns["sat_overall"]), POLICE_TEMPLATES)
    services = _comment_column(rng, rng.random(n) < services_share, service_tone, SERVICE_TEMPLATES)
    # a stream of its own, so every other column comes out as it did before comments named services
    used = {s: np.isin(columns[book.service_columns(s)["status"]], CONTACT_STATUSES) for s in book.services}
    return {
        "comment_police": police,
        "comment_services": _name_used_services(services, used, service_tone, rng.spawn(1)[0]),
    }


def _name_used_services(
    comments: np.ndarray, used: Mapping[str, np.ndarray], tone: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Some services comments (COMMENT_NAMES_SERVICE_SHARE) of respondents a service contacted or
    supported, rewritten to name one of those services, picked at random, by name or alias."""
    services = list(used)
    used_matrix = np.column_stack([used[s] for s in services])
    chosen = (comments != BLANK) & used_matrix.any(axis=1) & (rng.random(len(comments)) < COMMENT_NAMES_SERVICE_SHARE)
    picked = np.argmax(np.where(used_matrix, rng.random(used_matrix.shape), -1.0), axis=1)
    named = comments.copy()
    for index, service in enumerate(services):
        for name in NAMED_SERVICE_TEMPLATES:
            mask = chosen & (picked == index) & (tone == name)
            named[mask] = _comments_for(mask, named_service_templates(service, name), rng)
    return named


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
    short = _choose_shortfall(rng, book.column_quotas, short_quota)
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
