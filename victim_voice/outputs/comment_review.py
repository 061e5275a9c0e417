"""A person's approval of each comment before it leaves the warehouse (metrics-v2 §5).

:func:`write_review_workbook` writes an XLSX listing a contract's candidate comments not yet
decided (:mod:`victim_voice.outputs.comment_candidates`): the redacted text, the words left
for the reviewer's eye (:func:`words_to_check`), a decision to choose and a cell for an edited
text. :func:`approve_review` reads it back, checks every row, and records the decisions in
``audit.comment_approvals`` (an edit is redacted again before it is stored). A row whose
comment changed since the workbook was written (a correction) is refused, never recorded.

Example::

    >>> review = write_review_workbook(Settings.from_env(), "SARC", Path("review"))  # doctest: +SKIP
    >>> review.path  # doctest: +SKIP
    PosixPath('review/SARC_comment_review_20250103-091500.xlsx')
    >>> approve_review(Settings.from_env(), review.path, "A. Reviewer")  # doctest: +SKIP
    Approval(recorded={'RELEASE': 20, 'WITHHOLD': 3, 'RELEASE_EDITED': 1}, undecided=0, already_decided=0, refused=())
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import openpyxl
from openpyxl import Workbook
from openpyxl.styles import Alignment, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from schemas.codebook import load_codebook
from schemas.comment_about import service_mentions
from victim_voice.outputs.comment_candidates import (
    FIELD,
    MIN_COMMENTS,
    Candidate,
    ServiceComments,
    eligible_comments,
    pack_comments,
    pack_window_end,
    text_sha256,
)
from victim_voice.outputs.contract_packs import write_rows
from victim_voice.outputs.formatting import FORMULA_STARTS, fit_row_heights, print_across_one_page
from victim_voice.outputs.output_files import written_whole
from victim_voice.protection.redaction import redact
from victim_voice.settings import ConfigurationError, Settings
from warehouse.db import WarehouseMissing, open_reader, open_writer, transaction
from warehouse.storage import comment_decisions, record_comment_decisions

REVIEW_SHEET, INSTRUCTIONS_SHEET = "Review", "Instructions"
HEADERS = (
    "id",
    "contract",
    "service",
    "month",
    "comment (redacted)",
    "check these words",
    "decision",
    "edited text",
    "text sha256",
)
COLUMN = {header: get_column_letter(index) for index, header in enumerate(HEADERS, start=1)}  # "decision": "G"
TEXT, CHECK, DECISION, EDITED = (
    COLUMN[h] for h in ("comment (redacted)", "check these words", "decision", "edited text")
)
DECISIONS = {"release": "RELEASE", "withhold": "WITHHOLD", "release as edited": "RELEASE_EDITED"}
CHECK_FILL = PatternFill("solid", fgColor="FFE699")

_TOKEN = re.compile(r"\[[A-Z_]+\]")
_WORD = re.compile(r"(?<![\w'’])[\w'’]+(?:[-,./:][\w'’]+)*")  # "meet-ups", "1,200" and "03/02/2024" are one
# Words that start sentences in comments and say nothing about anyone, besides Faker's English words.
SENTENCE_STARTERS = frozenset(
    """
    a an the i i'm i've i'd i'll my me we we're our us you your they they're their them he she he's she's it
    it's its his her this that that's there there's these those what when where why how who which if so but
    and or because after before since until while although though as at by for from in on of to with without
    no not yes never nobody nothing everyone everything someone something anyone all some any very really
    just still even also only then now once again thanks thank please sorry ok okay honestly overall
    good great brilliant lovely fine helpful quick fast slow poor bad mixed kind amazing excellent
    got felt told said rang called waited helped kept gave took came went was were had have has did didn't
    don't can't couldn't wouldn't won't wasn't isn't hasn't haven't could would should will can may might
    support help advice everybody somebody nobody's being been having getting
    """.split()
)


@cache
def _common_words() -> frozenset[str]:
    from faker.providers.lorem.en_US import Provider

    return SENTENCE_STARTERS | {word.lower() for word in Provider.word_list}


def _at_sentence_start(text: str, position: int) -> bool:
    """Only spaces, quotes and brackets between ``position`` and the start of a sentence."""
    before = text[:position].rstrip(" \t\"'“‘(")
    return not before or before[-1] in ".!?\n:;"


def words_to_check(text: str) -> list[str]:
    """Capitalised words and numbers left in a redacted comment, for the reviewer's eye, once
    each in order: all but the tokens ([NAME], …), "I", the services' names and aliases, and
    common words starting a sentence.

    >>> words_to_check("Thanks [NAME] at Horizon. She rang Dave on the 3rd, Flat 2. I'm fine, got £1,200.")
    ['Dave', '3rd', 'Flat', '2', '1,200']
    """
    plain = _TOKEN.sub(lambda m: " " * len(m.group()), text)
    services = [span for spans in service_mentions(plain).values() for span in spans]
    found = []
    for match in _WORD.finditer(plain):
        word, start = match.group(), match.start()
        if any(a <= start < b for a, b in services) or not (word[0].isupper() or any(c.isdigit() for c in word)):
            continue
        key = word.lower().replace("’", "'")
        if key == "i" or key.startswith("i'") or (_at_sentence_start(plain, start) and key in _common_words()):
            continue
        found.append(word)
    return list(dict.fromkeys(found))


# --------------------------------------------------------------------------- the workbook


@dataclass(frozen=True)
class ReviewWorkbook:
    """What ``comments review`` wrote: the file (None when there was nothing to review), and
    the contract's services with their counts."""

    path: Path | None
    contract: str
    latest: str | None
    services: tuple[ServiceComments, ...]

    @property
    def to_review(self) -> int:
        return sum(len(s.awaiting) for s in self.services if not s.too_few)


def review_rows(services: list[ServiceComments] | tuple[ServiceComments, ...]) -> list[list[object]]:
    """One row per comment awaiting a decision, in the order of :data:`HEADERS` (decision and
    edited text blank); services with too few candidates are left out (never listed)."""
    return [
        [c.review_id, c.contract, c.service, c.month, c.text, ", ".join(words_to_check(c.text)), None, None,
         c.text_sha256]
        for s in services if not s.too_few for c in s.awaiting
    ]  # fmt: skip


def instructions(code: str, latest: str, services: tuple[ServiceComments, ...]) -> list[list[object]]:
    """The Instructions sheet: what to do, and each service's counts."""
    rows = [
        ["Contract", code],
        ["Comments from", f"the 12 months ending {latest}"],
        ["Written", datetime.now().strftime("%Y-%m-%d %H:%M")],
        ["What this is", "Comments about the contract's services from respondents who consented to sharing, "
                         "already redacted (names, numbers, addresses shown as [NAME], [PHONE], ...). None leaves "
                         "the warehouse until you release it."],
        ["1. Read", "Read each comment on the Review sheet. Rows highlighted have capitalised words or numbers "
                    "left in them (column F): check each could not identify anyone (a name, a street, a school, "
                    "a workplace, an age, a date)."],
        ["2. Decide", "In column G choose: release (as it is), withhold (never shown), or release as edited "
                      "(write the text to release in column H; it is redacted again before it is stored)."],
        ["3. Leave", "Leave column G blank to decide later; do not change columns A-F or the hidden column I."],
        ["4. Record", "Save the file and run: victim-voice comments approve FILE --reviewer \"Your Name\""],
        ["Rule", f"A service with fewer than {MIN_COMMENTS} comments in the 12 months lists none (not reviewed)."],
    ]  # fmt: skip
    return rows + [list(line) for line in service_counts(services)]


def service_counts(services: tuple[ServiceComments, ...]) -> list[tuple[str, str]]:
    """Each service (with its area, if limited) and what there is to review of it."""
    lines = []
    for s in services:
        scope = s.service + (f" ({s.area.title()})" if s.area else "")
        if s.too_few:
            lines.append((scope, f"fewer than {MIN_COMMENTS} comments: none listed, nothing to review"))
        else:
            lines.append((scope, f"{len(s.awaiting)} to review; {len(s.released)} released, {s.withheld} withheld"))
    return lines


def _format_review_sheet(sheet, rows: list[list[object]]) -> None:
    """Wrapped text, highlighted rows that have words to check, the decision list, the hash hidden."""
    sheet.column_dimensions[TEXT].width = 70
    sheet.column_dimensions[EDITED].width = 45
    sheet.column_dimensions[CHECK].width = 30
    sheet.column_dimensions[DECISION].width = 20
    sheet.column_dimensions[COLUMN["text sha256"]].hidden = True
    for index, row in enumerate(rows, start=2):
        for cell in sheet[index]:
            cell.alignment = Alignment(wrap_text=cell.column_letter in (TEXT, CHECK, EDITED), vertical="top")
        if row[HEADERS.index("check these words")]:
            sheet[f"{TEXT}{index}"].fill = sheet[f"{CHECK}{index}"].fill = CHECK_FILL
    choices = DataValidation(
        type="list",
        formula1='"' + ",".join(DECISIONS) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Decision",
        error="Choose release, withhold or release as edited (or leave blank).",
    )
    sheet.add_data_validation(choices)
    choices.add(f"{DECISION}2:{DECISION}{max(len(rows), 1) + 1}")
    fit_row_heights(sheet, [TEXT, CHECK, EDITED])
    print_across_one_page(sheet)


def write_review_workbook(settings: Settings, code: str, out: Path) -> ReviewWorkbook:
    """Write ``<CODE>_comment_review_<time>.xlsx`` into ``out`` listing the contract's comments
    awaiting a decision; nothing is written when there are none."""
    contracts = load_codebook().contracts
    if code not in contracts:
        raise ConfigurationError(f"unknown contract {code}; the contracts are {', '.join(contracts)}")
    with open_reader(settings.warehouse, db_key=settings.db_key) as con:
        latest = pack_window_end(con)
        services = tuple(pack_comments(con, code, latest)) if latest else ()
    result = ReviewWorkbook(None, code, latest, services)
    rows = review_rows(services)
    if not rows:
        return result
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = REVIEW_SHEET
    write_rows(sheet, list(HEADERS), rows, set())
    _format_review_sheet(sheet, rows)
    guide = workbook.create_sheet(INSTRUCTIONS_SHEET)
    write_rows(guide, ["item", "what to do"], instructions(code, latest, services), set())
    guide.column_dimensions["B"].width = 100
    for (cell,) in guide.iter_rows(min_row=2, min_col=2, max_col=2):
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    fit_row_heights(guide, ["B"])
    print_across_one_page(guide)
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = new_file_name(out, f"{code}_comment_review_{datetime.now():%Y%m%d-%H%M%S}", ".xlsx")
    with written_whole(path) as part:
        workbook.save(part)
    return ReviewWorkbook(path, code, latest, services)


def new_file_name(folder: Path, stem: str, suffix: str) -> Path:
    """``folder/stem.suffix``, or ``stem-2``, ``stem-3`` … when taken: a workbook someone may be
    filling in is never overwritten."""
    path, number = folder / f"{stem}{suffix}", 1
    while path.exists():
        number += 1
        path = folder / f"{stem}-{number}{suffix}"
    return path


# --------------------------------------------------------------------------- reading it back


class ReviewWorkbookError(ValueError):
    """A review workbook that cannot be recorded: each problem names its row and column."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.problems = problems
        listed = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{path.name}: {len(problems)} problem(s), nothing was recorded:\n{listed}")


@dataclass(frozen=True)
class ReviewedRow:
    """One decided row of a review workbook."""

    row: int  # as the spreadsheet numbers it
    review_id: str
    contract: str
    text_sha256: str
    decision: str  # RELEASE, WITHHOLD or RELEASE_EDITED
    edited_text: str | None


def _cell_text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _without_safety_apostrophe(text: str) -> str:
    """An edit copied from the comment cell keeps the apostrophe that made it inert: drop it
    (the pack adds it back where needed)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def check_row(number: int, values: tuple, contracts: dict) -> tuple[ReviewedRow | None, list[str]]:
    """A row read back: its decision (None when left blank) and its problems, each naming the
    row and column (never a cell's content, which could hold anything)."""
    cells = dict(zip(HEADERS, (*values, *[None] * len(HEADERS)), strict=False))
    where = {h: f"row {number}, column {COLUMN[h]} ({h})" for h in HEADERS}
    decision = " ".join(_cell_text(cells["decision"]).lower().split())
    edited = _without_safety_apostrophe(_cell_text(cells["edited text"]))
    problems = []
    if not _cell_text(cells["id"]):
        problems.append(f"{where['id']}: blank; do not change columns A-F")
    if _cell_text(cells["contract"]) not in contracts:
        problems.append(f"{where['contract']}: not a contract of the codebook; do not change columns A-F")
    if not re.fullmatch(r"[0-9a-f]{64}", _cell_text(cells["text sha256"])):
        problems.append(f"{where['text sha256']}: missing or changed; do not change the hidden column")
    if decision and decision not in DECISIONS:
        problems.append(f"{where['decision']}: not one of {', '.join(DECISIONS)}")
    elif decision == "release as edited" and not edited:
        problems.append(f"{where['edited text']}: 'release as edited' needs the text to release here")
    elif edited and decision != "release as edited":
        problems.append(f"{where['edited text']}: has text but the decision is not 'release as edited'")
    if problems or not decision:
        return None, problems
    row = ReviewedRow(number, _cell_text(cells["id"]), _cell_text(cells["contract"]),
                      _cell_text(cells["text sha256"]), DECISIONS[decision], edited or None)  # fmt: skip
    return row, []


def read_review_workbook(path: Path) -> tuple[list[ReviewedRow], int]:
    """The decided rows of a review workbook and how many were left blank; raises
    :class:`ReviewWorkbookError` listing every problem when any row has one."""
    try:
        workbook = openpyxl.load_workbook(path)
    except FileNotFoundError:
        raise ConfigurationError(f"no such file: {path}") from None
    except (OSError, zipfile.BadZipFile, InvalidFileException, KeyError, ValueError):
        raise ConfigurationError(f"cannot read {path} as an XLSX workbook") from None
    if REVIEW_SHEET not in workbook.sheetnames:
        raise ConfigurationError(f"{path} has no {REVIEW_SHEET} sheet: write one with `victim-voice comments review`")
    rows = workbook[REVIEW_SHEET].iter_rows(values_only=True)
    if tuple(_cell_text(v) for v in next(rows, ())[: len(HEADERS)]) != HEADERS:
        raise ConfigurationError(
            f"{path}: the {REVIEW_SHEET} sheet's headers are not those `victim-voice comments review` writes"
        )
    contracts = load_codebook().contracts
    decided, problems, blank = [], [], 0
    for number, values in enumerate(rows, start=2):
        if all(_cell_text(v) == "" for v in values):
            continue
        row, found = check_row(number, values, contracts)
        problems += found
        if row:
            decided.append(row)
        elif not found:
            blank += 1
    if problems:
        raise ReviewWorkbookError(path, problems)
    return decided, blank


# --------------------------------------------------------------------------- recording


@dataclass(frozen=True)
class Approval:
    """What ``comments approve`` did: decisions recorded (by decision), rows left blank, rows
    decided before (the first decision stands), and rows refused, each with its reason."""

    recorded: dict[str, int]
    undecided: int
    already_decided: int
    refused: tuple[str, ...]


def decision_row(candidate: Candidate, decision: str, edited_text: str | None, reviewer: str) -> dict[str, object]:
    """The audit.comment_approvals row of one decision (an edit redacted again)."""
    released = {"RELEASE": candidate.text, "WITHHOLD": None, "RELEASE_EDITED": redact(edited_text or "")}
    text = released[decision]
    return {
        "response_id": candidate.response_id,
        "delivery_id": candidate.delivery_id,
        "row_number": candidate.row_number,
        "field": FIELD,
        "contract": candidate.contract,
        "service": candidate.service,
        "reviewed_sha256": candidate.text_sha256,
        "decision": decision,
        "reviewer": reviewer,
        "released_sha256": None if text is None else text_sha256(text),
        "released_text": text,
    }


def refusal(row: ReviewedRow, candidate: Candidate | None) -> str | None:
    """Why a decided row cannot be recorded (None when it can)."""
    if candidate is None:
        return (f"row {row.row}, column {COLUMN['id']} (id): {row.review_id} is not (or no longer) a candidate of "
                f"{row.contract}: a correction withdrew consent or changed the services; not recorded")  # fmt: skip
    if candidate.text_sha256 != row.text_sha256:
        return (f"row {row.row}, column {TEXT} (comment): {row.review_id} has changed since the workbook was written "
                "(a correction was delivered); not recorded: review it again in a new workbook")  # fmt: skip
    return None


def approve_review(settings: Settings, path: Path, reviewer: str) -> Approval:
    """Record the decisions of a review workbook by ``reviewer``, all in one transaction."""
    reviewer = " ".join(reviewer.split())
    if not reviewer:
        raise ConfigurationError("--reviewer needs the name of the person who reviewed the comments")
    decided, undecided = read_review_workbook(path)
    if not settings.warehouse.exists():
        raise WarehouseMissing(f"no warehouse at {settings.warehouse}")
    recorded, already, refused, rows = Counter(), 0, [], []
    with open_writer(settings.warehouse, settings.db_key, settings.wait_seconds) as con, transaction(con):
        for code in sorted({row.contract for row in decided}):
            candidates = {c.review_id: c for c in eligible_comments(con, code)}
            done = {(r, s, sha) for r, s, sha, *_ in comment_decisions(con, code, FIELD)}
            for row in (r for r in decided if r.contract == code):
                candidate = candidates.get(row.review_id)
                if reason := refusal(row, candidate):
                    refused.append(reason)
                elif (candidate.response_id, candidate.service, candidate.text_sha256) in done:
                    already += 1
                else:
                    done.add((candidate.response_id, candidate.service, candidate.text_sha256))
                    rows.append(decision_row(candidate, row.decision, row.edited_text, reviewer))
                    recorded[row.decision] += 1
        record_comment_decisions(con, rows)
    return Approval(dict(recorded), undecided, already, tuple(refused))
