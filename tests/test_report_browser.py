"""The report in a real browser: headless Chromium renders it and prints it to an A4 PDF with
page numbers; a screenshot and an image of every printed page are kept in test-artifacts/.
Skips only where no Chromium (or, for the PDF checks, no poppler-utils) is installed
(.ci/run installs Debian's chromium)."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from victim_voice.outputs.pdf import find_browser, print_pdf, run_browser
from victim_voice.outputs.report import write_report
from victim_voice.settings import Settings

ARTIFACTS = Path(__file__).parents[1] / "test-artifacts"
pytestmark = [pytest.mark.skipif(find_browser() is None, reason="no headless Chromium on this machine"),
              pytest.mark.slow]  # fmt: skip


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report for Nov 2024 on fifteen demo months, as a commissioning officer would get it."""
    from victim_voice.demo import write_demo_deliveries
    from victim_voice.ingestion.run import ingest_landing

    root = tmp_path_factory.mktemp("browser")
    settings = Settings(landing=root / "landing", warehouse=root / "w.duckdb", pseudonym_key="k" * 32)
    settings.landing.mkdir()
    write_demo_deliveries(settings.landing, months=15, seed=3, today=date(2024, 12, 31))
    ingest_landing(settings, date(2024, 12, 31))
    return write_report(settings, "2024-11", root / "out").page


@pytest.fixture(scope="module")
def pdf(page: Path) -> Path:
    printed = print_pdf(page)
    assert printed is not None and printed.read_bytes().startswith(b"%PDF")
    return printed


def poppler(tool: str, *arguments: str) -> str:
    if shutil.which(tool) is None:
        pytest.skip(f"no {tool} (poppler-utils) on this machine")
    return subprocess.run([tool, *arguments], capture_output=True, text=True, check=True, timeout=60).stdout


def test_the_report_renders_in_chromium(page: Path) -> None:
    dom = run_browser(find_browser(), page, "--dump-dom")
    assert dom.returncode == 0
    assert "<h1>Victim Voice: the victims' survey, the 3 months Sep–Nov 2024</h1>" in dom.stdout
    for heading in ("What changed", "Groups that differ", "Contract KPI ratings", "Notes"):
        assert f"<h2>{heading}</h2>" in dom.stdout
    assert dom.stdout.count('role="img"') == 2  # both charts survived parsing as SVG


def test_a_screenshot_is_kept_as_a_test_artifact(page: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "report.png"
    screenshot.unlink(missing_ok=True)
    run_browser(find_browser(), page, "--window-size=1100,1800", f"--screenshot={screenshot}")
    data = screenshot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 20_000  # a rendered page, not a blank one


def test_the_pdf_is_a4_with_page_numbers(pdf: Path) -> None:
    info = poppler("pdfinfo", str(pdf))
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert abs(width - 595) < 1 and abs(height - 842) < 1  # A4, not US Letter (612 x 792)
    text = poppler("pdftotext", "-layout", str(pdf), "-")
    assert 3 <= pages <= 15
    assert [f"Page {n} of {pages}" in text for n in range(1, pages + 1)] == [True] * pages
    assert "Victim Voice report: the 3 months Sep–Nov 2024" in text  # the running head


def test_every_printed_page_is_kept_as_an_image(pdf: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob("report-page-*.png"):
        old.unlink()
    poppler("pdftoppm", "-png", "-r", "60", str(pdf), str(ARTIFACTS / "report-page"))
    images = sorted(ARTIFACTS.glob("report-page-*.png"))
    pages = int(re.search(r"Pages:\s+(\d+)", poppler("pdfinfo", str(pdf))).group(1))
    assert len(images) == pages
    assert all(image.stat().st_size > 5_000 for image in images)  # printed, not blank
