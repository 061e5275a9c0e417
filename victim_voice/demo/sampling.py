"""Small sampling and text helpers shared by the generator's modules."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

import numpy as np

from victim_voice.demo.distributions import BLANK, DONT_KNOW, NOT_APPLICABLE


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
