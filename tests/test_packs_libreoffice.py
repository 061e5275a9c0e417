"""Every contract pack as LibreOffice prints it: headless LibreOffice converts each pack of a
realistic warehouse (the demo's deliveries, comments released) to PDF; the pages are counted,
their text read for labels and raw codes, and their images kept in test-artifacts/packs/.
Skips only where LibreOffice or poppler (pdftotext, pdftoppm) is not installed (.ci/run
installs Debian's libreoffice-calc-nogui and poppler-utils)."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from schemas.codebook import load_codebook
from tests.given import release_every_comment
from victim_voice.outputs.comment_review import write_review_workbook
from victim_voice.outputs.contract_packs import write_contract_pack
from victim_voice.settings import Settings

ARTIFACTS = Path(__file__).parents[1] / "test-artifacts" / "packs"
TOOLS = ("soffice", "pdftotext", "pdftoppm", "pdfinfo")
CODES = re.compile(r"\bsvc_\w+|\brolling_\w+|\b[A-Z]{3,}_[A-Z_]+\b|\b(?:NOT_RATED|[a-z]+_[a-z_]+)\b")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        any(shutil.which(tool) is None for tool in TOOLS), reason="LibreOffice or poppler-utils is not installed"
    ),
]


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each contract's pack as a PDF, by contract code."""
    from victim_voice.demo import write_demo_deliveries
    from victim_voice.ingestion.run import ingest_landing

    root = tmp_path_factory.mktemp("libreoffice")
    settings = Settings(landing=root / "landing", warehouse=root / "w.duckdb", pseudonym_key="k" * 32)
    settings.landing.mkdir()
    write_demo_deliveries(settings.landing, months=14, seed=3, today=date(2024, 12, 31))
    ingest_landing(settings, date(2024, 12, 31))
    for code in ("DA_SWINDON", "SARC"):  # released comments, some over several lines
        if write_review_workbook(settings, code, root / "review").path:
            release_every_comment(settings, code, root / "review")
    packs = [write_contract_pack(settings, code, root / "packs") for code in load_codebook().contracts]
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{root / 'profile'}", "--headless", "--convert-to", "pdf",
         "--outdir", str(root / "pdf"), *map(str, packs)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return {path.stem.removesuffix("_contract_pack"): root / "pdf" / f"{path.stem}.pdf" for path in packs}


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


def test_every_pack_prints_on_a_few_pages_in_words_and_its_images_are_kept(printed: dict[str, Path]) -> None:
    """One test, so that the packs are built and converted once (a module fixture is per worker)."""
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    for code, pdf in printed.items():
        pages, text = page_count(pdf), pdf_text(pdf)
        assert 8 <= pages <= 16, (code, pages)  # a page or more per sheet; it used to be 26 and 66
        assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
        contract = load_codebook().contracts[code]
        assert contract["name"] in text and "As set in the contract" in text, code
        assert "Referred and then contacted by the service" in text and "What the rating means" in text, code
        assert "12 months to " in text and "95% interval" in text, code
        value = contract.get("value_gbp_m")
        assert value is None or f"£{value:.3f}m" in text, code  # the OPCC value, not 0
        assert {m.group(0) for m in CODES.finditer(text)} - {code} == set(), code
        subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(ARTIFACTS / code)], check=True, timeout=120)
        images = sorted(ARTIFACTS.glob(f"{code}-*.png"))
        assert len(images) == pages and all(image.stat().st_size > 3_000 for image in images), code
