"""Which comments may go into a contract pack (metrics-v2 §5): about a service the respondent
used, consented, in the area and the 12 months, and at least 5 of them."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from schemas.codebook import load_codebook, parse_service_aliases
from schemas.comment_about import comment_is_about, service_mentions
from tests.given import build_warehouse
from victim_voice.demo.comments import SERVICE_PHRASES
from victim_voice.outputs.comment_candidates import MIN_COMMENTS, pack_comments
from warehouse.db import open_reader

SARC_AND_ISVA = {"SARC": "SUPPORTED", "ISVA": "CONTACTED", "IDVA": "REFERRED"}


@pytest.mark.parametrize(
    ("comment", "service"),
    [
        ("The SARC were kind and never rushed me.", "SARC"),
        ("everyone at the bridge was lovely", "SARC"),
        ("Sexual Assault Referral Centre staff explained it all", "SARC"),
        ("My ISVA's number was always on", "ISVA"),
        ("the sexual violence\nadvocate came to court", "ISVA"),
    ],
    ids=["name", "alias in lower case", "alias capitalised", "possessive", "alias across a line break"],
)
def test_a_comment_naming_the_service_or_an_alias_is_about_it(comment: str, service: str) -> None:
    assert comment_is_about(comment, service, SARC_AND_ISVA)
    other = ({"SARC", "ISVA"} - {service}).pop()
    assert not comment_is_about(comment, other, SARC_AND_ISVA)  # used it too, but not named


def test_a_curly_apostrophe_reads_as_a_straight_one() -> None:
    statuses = {"CYP": "SUPPORTED", "VWCU": "SUPPORTED"}
    assert comment_is_about("The young people’s service helped my son", "CYP", statuses)


def test_a_word_two_services_share_names_neither() -> None:
    statuses = {"IDVA": "SUPPORTED", "ISVA": "SUPPORTED"}
    assert service_mentions("My advocate was brilliant") == {}
    assert not comment_is_about("My advocate was brilliant", "IDVA", statuses)
    assert not comment_is_about("My advocate was brilliant", "ISVA", statuses)
    assert comment_is_about("My advocate was brilliant", "IDVA", {"IDVA": "SUPPORTED"})  # no other service used


def test_with_no_other_service_used_a_comment_naming_none_is_about_the_one_used() -> None:
    assert comment_is_about("They were kind and rang every week.", "SARC", {"SARC": "CONTACTED", "RJ": "DECLINED"})
    assert not comment_is_about("They were kind and rang every week.", "SARC", SARC_AND_ISVA)


def test_a_comment_naming_only_a_service_not_used_is_not_about_the_one_used() -> None:
    assert not comment_is_about("Still waiting for an ISVA.", "SARC", {"SARC": "SUPPORTED", "ISVA": "REFERRED"})


def test_referred_only_is_not_using_the_service() -> None:
    assert not comment_is_about("The SARC never rang.", "SARC", {"SARC": "REFERRED"})


@pytest.mark.parametrize("comment", ["The refugee centre", "sarcastic staff", "the bridges were closed", "RJs"])
def test_only_whole_words_name_a_service(comment: str) -> None:
    assert service_mentions(comment) == {}


def test_an_alias_under_two_services_is_refused() -> None:
    raw = {s: list(a) for s, a in load_codebook().service_aliases.items()}
    raw["ISVA"].append("advocate")
    raw["IDVA"].append("advocate")
    with pytest.raises(ValueError, match=r"also names I[DS]VA \('advocate'\)"):
        parse_service_aliases(raw, list(raw))


@pytest.mark.parametrize("service", sorted(SERVICE_PHRASES))
def test_every_demo_phrase_names_its_service_and_no_other(service: str) -> None:
    assert [set(service_mentions(p)) for p in SERVICE_PHRASES[service]] == [{service}] * len(SERVICE_PHRASES[service])


# --------------------------------------------------------------------------- in a warehouse


def sarc_comment(number: int, **overrides: str) -> dict[str, str]:
    """A consenting SARC user's comment naming the SARC, interviewed in December 2024."""
    return {
        "interview_date": "2024-12-10",
        "svc_SARC_status": "SUPPORTED",
        "comment_services": f"The SARC helped, visit {number}.",
        **overrides,
    }


def warehouse_with(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    """January 2024 (so that the 12 months to December 2024 are published), then ``rows``."""
    return build_warehouse(tmp_path / "w.duckdb", [[{"interview_date": "2024-01-10"}, *rows]])


def sarc_candidates(warehouse: Path, code: str = "SARC") -> list:
    with open_reader(warehouse) as con:
        return pack_comments(con, code, "2024-12")


def test_fewer_than_5_candidates_list_none(tmp_path: Path) -> None:
    [four] = sarc_candidates(warehouse_with(tmp_path / "4", [sarc_comment(n) for n in range(MIN_COMMENTS - 1)]))
    [five] = sarc_candidates(warehouse_with(tmp_path / "5", [sarc_comment(n) for n in range(MIN_COMMENTS)]))
    assert (len(four.candidates), four.too_few) == (4, True)
    assert (len(five.candidates), five.too_few) == (5, False)
    assert len(five.awaiting) == 5 and five.released == ()


def test_only_consenting_users_of_the_service_within_the_12_months_are_candidates(tmp_path: Path) -> None:
    rows = [sarc_comment(n) for n in range(5)] + [
        sarc_comment(10, consent_share_comments="N"),
        sarc_comment(11, svc_SARC_status="REFERRED"),
        sarc_comment(12, svc_SARC_status="DECLINED"),
        sarc_comment(13, comment_services=None),
        sarc_comment(14, comment_services="   "),
        sarc_comment(15, interview_date="2023-12-10"),  # before the 12 months to 2024-12
        sarc_comment(16, svc_ISVA_status="SUPPORTED", comment_services="The ISVA was great."),
    ]
    [sarc] = sarc_candidates(warehouse_with(tmp_path, rows))
    assert sorted(c.text for c in sarc.candidates) == [f"The SARC helped, visit {n}." for n in range(5)]


def test_an_area_limited_contract_takes_its_area_only(tmp_path: Path) -> None:
    rows = [
        {"interview_date": "2024-12-10", "area": area, "svc_IDVA_status": "CONTACTED",
         "comment_services": f"My IDVA in {area.title()} was great."}
        for area in ["SWINDON"] * 5 + ["WILTSHIRE"] * 6
    ]  # fmt: skip
    warehouse = warehouse_with(tmp_path, rows)
    [swindon, _refuge] = sarc_candidates(warehouse, "DA_SWINDON")
    [wiltshire] = sarc_candidates(warehouse, "IDVA_WILTSHIRE")
    assert (swindon.area, len(swindon.candidates), {c.text for c in swindon.candidates}) == (
        "SWINDON", 5, {"My IDVA in Swindon was great."})  # fmt: skip
    assert (wiltshire.area, len(wiltshire.candidates)) == ("WILTSHIRE", 6)


def test_a_warehouse_made_before_approvals_were_recorded_lists_every_candidate_as_awaiting(tmp_path: Path) -> None:
    warehouse = warehouse_with(tmp_path, [sarc_comment(n) for n in range(5)])
    with duckdb.connect(str(warehouse)) as con:
        con.execute("drop table audit.comment_approvals")
    [sarc] = sarc_candidates(warehouse)  # read-only: the table is not created
    assert len(sarc.awaiting) == 5 and sarc.released == ()
