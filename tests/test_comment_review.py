"""A person's approval of each comment: the review workbook, `comments approve`, and packs
that list only what was released (metrics-v2 §5)."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import TEST_KEY, base_row, write_csv
from tests.given import build_warehouse, decide_in_workbook, deliver_correction, release_every_comment
from victim_voice import cli
from victim_voice.outputs.comment_review import HEADERS, words_to_check, write_review_workbook
from victim_voice.outputs.contract_packs import write_contract_pack
from victim_voice.settings import Settings

COMMENTS = [
    "The SARC were kind, thank you.",
    "The SARC rang back the same day.",
    "Helen at the SARC in Devizes was lovely.",
    "The SARC explained the forensic bit properly.",
    "Waited 3 weeks for the SARC.",
    "The SARC never rushed me.",
]


@pytest.fixture
def warehouse(tmp_path: Path) -> Settings:
    """Six consenting SARC users' comments in December 2024 (and a response in January, so that
    the 12 months to December are published)."""
    rows = [{"interview_date": "2024-01-10"}] + [
        {"interview_date": "2024-12-10", "svc_SARC_status": "SUPPORTED", "comment_services": text} for text in COMMENTS
    ]
    return Settings(warehouse=build_warehouse(tmp_path / "w.duckdb", [rows]), pseudonym_key=TEST_KEY)


def review(settings: Settings, out: Path, capsys: pytest.CaptureFixture) -> Path | None:
    """`comments review --contract SARC`, returning the workbook it wrote (None when none)."""
    before = set(out.glob("*.xlsx")) if out.exists() else set()
    assert cli.main(["comments", "review", "--contract", "SARC", "--out", str(out),
                     "--warehouse", str(settings.warehouse)]) == 0  # fmt: skip
    capsys.readouterr()
    written = set(out.glob("*.xlsx")) - before if out.exists() else set()
    return written.pop() if written else None


def approve(settings: Settings, path: Path, reviewer: str = "A. Reviewer") -> int:
    return cli.main(["comments", "approve", str(path), "--reviewer", reviewer, "--warehouse", str(settings.warehouse)])


def review_rows(path: Path) -> list[tuple]:
    return list(openpyxl.load_workbook(path)["Review"].iter_rows(min_row=2, values_only=True))


def approvals(settings: Settings) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.sql(
            "select decision, reviewer, released_text, released_sha256 is not null, field, contract, service"
            " from audit.comment_approvals order by decision, released_text"
        ).fetchall()


def pack_sheets(settings: Settings, out: Path) -> tuple[list[tuple], list[tuple]]:
    """The pack's "Comments by service" and "Comments (released)" rows."""
    workbook = openpyxl.load_workbook(write_contract_pack(settings, "SARC", out))
    return tuple(
        list(workbook[name].iter_rows(min_row=2, values_only=True))
        for name in ("Comments by service", "Comments (released)")
    )


def test_the_review_workbook_lists_each_comment_for_a_decision(warehouse: Settings, tmp_path: Path, capsys) -> None:
    path = review(warehouse, tmp_path / "review", capsys)
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["Review", "Instructions"]
    sheet = workbook["Review"]
    assert tuple(c.value for c in sheet[1]) == HEADERS
    rows = review_rows(path)
    assert sorted(r[4] for r in rows) == sorted(COMMENTS)
    assert {r[1:4] for r in rows} == {("SARC", "SARC", "2024-12")} and len({r[0] for r in rows}) == 6
    helen = next(i for i, r in enumerate(rows, start=2) if r[4].startswith("Helen"))
    assert sheet[f"F{helen}"].value == "Helen, Devizes" and sheet[f"E{helen}"].fill.fgColor.rgb.endswith("FFE699")
    quiet = next(i for i, r in enumerate(rows, start=2) if r[4] == "The SARC never rushed me.")
    assert sheet[f"F{quiet}"].value is None and sheet[f"E{quiet}"].fill.fill_type is None
    [validation] = sheet.data_validations.dataValidation
    assert validation.formula1 == '"release,withhold,release as edited"' and "G2:G7" in str(validation.sqref)
    assert sheet.column_dimensions["I"].hidden
    # it prints: A4 landscape, one page wide, the header on every page, rows tall enough to read
    assert (sheet.page_setup.orientation, sheet.page_setup.fitToWidth, sheet.print_title_rows) == (
        "landscape",
        1,
        "$1:$1",
    )


def test_rows_are_as_tall_as_their_wrapped_text() -> None:
    from openpyxl import Workbook

    from victim_voice.outputs.formatting import fit_row_heights

    sheet = Workbook().active
    sheet.column_dimensions["A"].width = 20
    sheet.append(["header"])
    sheet.append(["short"])
    sheet.append(["one paragraph\n\nand " + "long words " * 6])
    fit_row_heights(sheet, ["A"])
    assert sheet.row_dimensions[2].height is None and sheet.row_dimensions[3].height == 15 * 6  # 1 + 1 + 4 lines of 22


def test_words_to_check_skip_tokens_services_and_common_sentence_starts() -> None:
    assert words_to_check("[NAME] from The Bridge rang. Honestly, Gareth at Tesco was 10/10.") == [
        "Gareth",
        "Tesco",
        "10/10",
    ]


def test_review_then_approve_then_the_pack_lists_only_released_comments(
    warehouse: Settings, tmp_path: Path, capsys
) -> None:
    path = review(warehouse, tmp_path / "review", capsys)
    rows = {r[4]: i for i, r in enumerate(review_rows(path), start=2)}
    decide_in_workbook(path, {
        rows["The SARC were kind, thank you."]: ("release", None),
        rows["The SARC rang back the same day."]: (" Release ", None),
        rows["Helen at the SARC in Devizes was lovely."]: ("release as edited",
                                                            "PC Sarah Jones at the SARC, 07700 900123, was lovely."),
        rows["Waited 3 weeks for the SARC."]: ("withhold", None),
    })  # fmt: skip
    assert approve(warehouse, path, reviewer="  A.   Reviewer ") == 0
    out = capsys.readouterr().out
    assert "Recorded 4 decision(s): 2 release, 1 withhold, 1 release as edited." in out
    assert "Left undecided: 2; decided before (the first decision stands): 0; refused: 0." in out
    assert approvals(warehouse) == [
        ("RELEASE", "A. Reviewer", "The SARC rang back the same day.", True, "comment_services", "SARC", "SARC"),
        ("RELEASE", "A. Reviewer", "The SARC were kind, thank you.", True, "comment_services", "SARC", "SARC"),
        ("RELEASE_EDITED", "A. Reviewer", "PC [NAME] at the SARC, [PHONE], was lovely.", True, "comment_services",
         "SARC", "SARC"),
        ("WITHHOLD", "A. Reviewer", None, False, "comment_services", "SARC", "SARC"),
    ]  # fmt: skip
    counts, listed = pack_sheets(warehouse, tmp_path / "packs")
    assert [row[:6] for row in counts] == [("Sexual Assault Referral Centre", "All areas", 6, 3, 1, 2)]
    assert sorted(text for _, _, text, _themes in listed) == [
        "PC [NAME] at the SARC, [PHONE], was lovely.",
        "The SARC rang back the same day.",
        "The SARC were kind, thank you.",
    ]
    again = review(warehouse, tmp_path / "review", capsys)
    assert sorted(r[4] for r in review_rows(again)) == ["The SARC explained the forensic bit properly.",
                                                        "The SARC never rushed me."]  # fmt: skip


def test_approving_the_same_workbook_twice_keeps_the_first_decisions(
    warehouse: Settings, tmp_path: Path, capsys
) -> None:
    path = review(warehouse, tmp_path / "review", capsys)
    decide_in_workbook(path, {2: ("withhold", None)})
    assert approve(warehouse, path) == 0
    decide_in_workbook(path, {2: ("release", None)})
    assert approve(warehouse, path, reviewer="B. Other") == 0
    assert "decided before (the first decision stands): 1" in capsys.readouterr().out
    assert [row[:2] for row in approvals(warehouse)] == [("WITHHOLD", "A. Reviewer")]


def test_nothing_to_review_writes_nothing(warehouse: Settings, tmp_path: Path, capsys) -> None:
    assert release_every_comment(warehouse, "SARC", tmp_path / "review") == 6
    before = set((tmp_path / "review").iterdir())
    assert cli.main(["comments", "review", "--contract", "SARC", "--out", str(tmp_path / "review"),
                     "--warehouse", str(warehouse.warehouse)]) == 0  # fmt: skip
    assert "Nothing to review for SARC" in capsys.readouterr().out
    assert set((tmp_path / "review").iterdir()) == before


def test_a_comment_changed_by_a_correction_is_refused_and_reviewed_again(
    warehouse: Settings, tmp_path: Path, capsys
) -> None:
    path = review(warehouse, tmp_path / "review", capsys)
    decide_in_workbook(path, {row: ("release", None) for row in range(2, 8)})
    with duckdb.connect(str(warehouse.warehouse), read_only=True) as con:
        [(corrected,)] = con.sql(
            "select response_id from marts.responses where comment_services like 'Helen%'"
        ).fetchall()
    deliver_correction(warehouse.warehouse, [{
        "response_id": corrected, "interview_date": "2024-12-10", "svc_SARC_status": "SUPPORTED",
        "comment_services": "[NAME] at the SARC in [ADDRESS] was lovely."}])  # fmt: skip
    assert approve(warehouse, path) == 1
    captured = capsys.readouterr()
    assert "Recorded 5 decision(s)" in captured.out
    [refusal] = [line for line in captured.err.splitlines() if "refused" in line]
    row = next(i for i, r in enumerate(review_rows(path), start=2) if r[4].startswith("Helen"))
    assert f"row {row}, column E (comment)" in refusal and "changed since the workbook was written" in refusal
    assert "Helen" not in captured.err and "Devizes" not in captured.err
    recorded = approvals(warehouse)
    assert len(recorded) == 5 and not [row for row in recorded if "Helen" in str(row[2])]
    again = review(warehouse, tmp_path / "review", capsys)
    assert [r[4] for r in review_rows(again)] == ["[NAME] at the SARC in [ADDRESS] was lovely."]


def test_a_correction_that_keeps_the_text_keeps_the_decision(warehouse: Settings, tmp_path: Path, capsys) -> None:
    assert release_every_comment(warehouse, "SARC", tmp_path / "review") == 6
    with duckdb.connect(str(warehouse.warehouse), read_only=True) as con:
        [(response_id, text)] = con.sql(
            "select response_id, comment_services from marts.responses where comment_services like 'Waited%'"
        ).fetchall()
    deliver_correction(warehouse.warehouse, [{"response_id": response_id, "interview_date": "2024-12-10",
                                              "svc_SARC_status": "CONTACTED", "comment_services": text}])  # fmt: skip
    counts, listed = pack_sheets(warehouse, tmp_path / "packs")
    assert counts[0][:6] == ("Sexual Assault Referral Centre", "All areas", 6, 6, 0, 0) and len(listed) == 6


def test_consent_withdrawn_by_a_correction_takes_a_released_comment_out(
    warehouse: Settings, tmp_path: Path, capsys
) -> None:
    assert release_every_comment(warehouse, "SARC", tmp_path / "review") == 6
    with duckdb.connect(str(warehouse.warehouse), read_only=True) as con:
        [(response_id,)] = con.sql(
            "select response_id from marts.responses where comment_services like 'Waited%'"
        ).fetchall()
    deliver_correction(warehouse.warehouse, [{"response_id": response_id, "interview_date": "2024-12-10",
                                              "svc_SARC_status": "SUPPORTED", "consent_share_comments": "N",
                                              "comment_services": "Waited 3 weeks for the SARC."}])  # fmt: skip
    counts, listed = pack_sheets(warehouse, tmp_path / "packs")
    assert counts[0][:4] == (
        "Sexual Assault Referral Centre",
        "All areas",
        5,
        5,
    ) and "Waited 3 weeks for the SARC." not in {r[2] for r in listed}


def test_a_service_with_fewer_than_5_candidates_lists_none_even_when_released(tmp_path: Path, capsys) -> None:
    rows = [{"interview_date": "2024-01-10"}] + [
        {"interview_date": "2024-12-10", "svc_SARC_status": "SUPPORTED", "comment_services": text} for text in COMMENTS
    ]
    settings = Settings(warehouse=build_warehouse(tmp_path / "w.duckdb", [rows]))
    assert release_every_comment(settings, "SARC", tmp_path / "review") == 6
    with duckdb.connect(str(settings.warehouse)) as con:  # consent withdrawn by two corrections, say
        con.execute("update core.response_versions set consent_share_comments = 'N' where row_number in (2, 3)")
    counts, listed = pack_sheets(settings, tmp_path / "packs")
    assert counts == [
        (
            "Sexual Assault Referral Centre",
            "All areas",
            None,
            None,
            None,
            None,
            "[c] fewer than 5 comments in the 12 months: none listed",
        )
    ]
    assert listed == []


@pytest.mark.parametrize(
    ("decisions", "problem"),
    [
        ({2: ("maybe", None)}, "row 2, column G (decision): not one of release, withhold, release as edited"),
        ({3: ("release as edited", None)}, "row 3, column H (edited text): 'release as edited' needs the text"),
        ({4: ("release", "Sarah rang")}, "row 4, column H (edited text): has text but the decision is not"),
    ],
    ids=["unknown decision", "edit without text", "text without edit"],
)
def test_a_workbook_with_a_problem_records_nothing_and_exits_2(
    warehouse: Settings, tmp_path: Path, capsys, decisions: dict, problem: str
) -> None:
    path = review(warehouse, tmp_path / "review", capsys)
    decide_in_workbook(path, {**{row: ("release", None) for row in range(2, 8)}, **decisions})
    assert approve(warehouse, path) == 2
    err = capsys.readouterr().err
    assert err.startswith("victim-voice: error: ") and "nothing was recorded" in err and problem in err
    assert "Traceback" not in err and "maybe" not in err and "Sarah" not in err  # no cell's content echoed
    assert approvals(warehouse) == []


def test_a_changed_hash_or_id_is_a_problem_too(warehouse: Settings, tmp_path: Path, capsys) -> None:
    path = review(warehouse, tmp_path / "review", capsys)
    workbook = openpyxl.load_workbook(path)
    workbook["Review"]["I2"], workbook["Review"]["B3"] = "not a hash", "NOPE"
    workbook.save(path)
    assert approve(warehouse, path) == 2
    err = capsys.readouterr().err
    assert "row 2, column I (text sha256): missing or changed" in err
    assert "row 3, column B (contract): not a contract of the codebook" in err


@pytest.mark.parametrize("problem", ["missing", "not xlsx", "another workbook", "blank reviewer"])
def test_approve_says_what_is_wrong_and_exits_2(warehouse: Settings, tmp_path: Path, problem: str, capsys) -> None:
    path, reviewer = tmp_path / "review.xlsx", "A. Reviewer"
    if problem == "not xlsx":
        path.write_text("hello")
    elif problem == "another workbook":
        openpyxl.Workbook().save(path)
    elif problem == "blank reviewer":
        path, reviewer = review(warehouse, tmp_path / "review", capsys), "   "
    assert approve(warehouse, path, reviewer) == 2
    err = capsys.readouterr().err
    assert err.startswith("victim-voice: error: ") and "Traceback" not in err


def test_the_readme_documents_the_approval_exit_codes() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert "`comments approve`: a row was refused" in readme and "a review workbook with a problem" in readme


# --------------------------------------------------------------------------- no identifier leaves


PHONES = st.builds(
    lambda fmt, digits: fmt.format(*digits),
    st.sampled_from(["07700 9{}{}{}{}{}", "+44 7700 9{}{}{}{}{}", "01793 4{}{}{}{}{}", "(01225) 7{}{} {}{}{}"]),
    st.lists(st.sampled_from("0123456789"), min_size=5, max_size=5),
)
EMAILS = st.builds(
    "{}{}@{}".format,
    st.sampled_from(["sarah.jones", "gevans", "mum.of.three", "d_price", "priya.s"]),
    st.integers(0, 99),
    st.sampled_from(["example.com", "example.co.uk", "mail.example.org"]),
)
POSTCODES = st.builds(
    "{}{} {}{}".format,
    st.sampled_from(["SN", "BA", "SP", "RG", "GL"]),
    st.integers(1, 25),
    st.integers(0, 9),
    st.sampled_from(["AB", "XY", "QT", "ER", "DL", "JP", "HN", "DE"]),
)
IDENTIFIERS = st.one_of(PHONES, EMAILS, POSTCODES)
TEMPLATES = [
    "My IDVA gave me her number {} and always answered.",
    "Please write to me at {}, my IDVA has the details.",
    "The IDVA emailed {} twice, very kind.",
    "Contact me on {} if you need to. The domestic abuse advocate was brilliant.",
]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    planted=st.lists(st.tuples(st.sampled_from(TEMPLATES), IDENTIFIERS), min_size=5, max_size=8),
    edit=IDENTIFIERS,
)
def test_no_pack_lists_a_planted_identifier(planted: list[tuple[str, str]], edit: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        settings_ = Settings(landing=root / "landing", warehouse=root / "w.duckdb", pseudonym_key=TEST_KEY)
        rows = [base_row(response_id="VV00000001", interview_date="2023-07-14", comment_services="")] + [
            base_row(response_id=f"VV{number:08d}", interview_date="2024-06-14",
                     comment_services=template.format(identifier))
            for number, (template, identifier) in enumerate(planted, start=2)
        ]  # fmt: skip
        write_csv(settings_.landing / "VictimVoice_2024-06_01.csv", rows)
        from victim_voice.ingestion.run import ingest_landing

        ingest_landing(settings_, date(2024, 6, 30))
        for code in ("DA_SWINDON", "IDVA_WILTSHIRE"):
            path = write_review_workbook(settings_, code, root / "review").path
            if path:
                count = len(review_rows(path))
                decide_in_workbook(path, {row: ("release", None) for row in range(3, count + 2)}
                                   | {2: ("release as edited", f"Thanks to PC Sarah Jones, ring {edit}")})  # fmt: skip
                assert cli.main(["comments", "approve", str(path), "--reviewer", "A. Reviewer",
                                 "--warehouse", str(settings_.warehouse)]) == 0  # fmt: skip
        listed = []
        for code in ("DA_SWINDON", "IDVA_WILTSHIRE"):
            workbook = openpyxl.load_workbook(write_contract_pack(settings_, code, root / "packs"))
            listed += [row[2] for row in workbook["Comments (released)"].iter_rows(min_row=2, values_only=True)]
        assert len(listed) == len(planted)  # every comment released (one as edited)
        text = "\n".join(listed)
        for identifier in [identifier for _, identifier in planted] + [edit, "Sarah", "Jones"]:
            assert identifier not in text
        assert not any(ch.isdigit() for ch in text)  # no part of a number either
