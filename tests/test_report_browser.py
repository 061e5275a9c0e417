"""The report in a real browser: headless Chromium renders it, prints it to PDF, and a
screenshot is kept in test-artifacts/. Skips only where no Chromium is installed
(.ci/run installs Debian's chromium)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.given import build_warehouse
from victim_voice.outputs.pdf import find_browser, print_pdf, run_browser
from victim_voice.outputs.report import write_report
from victim_voice.settings import Settings

ARTIFACTS = Path(__file__).parents[1] / "test-artifacts"
pytestmark = pytest.mark.skipif(find_browser() is None, reason="no headless Chromium on this machine")


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("browser")
    rows = [
        {"interview_date": f"2024-0{m}-10", "sat_overall": 6 if i % 3 else 2, "sat_informed": 5, "vcop_03": "Y"}
        for m in range(1, 7)
        for i in range(30)
    ]
    settings = Settings(warehouse=build_warehouse(root / "w.duckdb", [rows]))
    return write_report(settings, "2024-06", root / "out")


def test_the_report_renders_in_chromium(page: Path) -> None:
    dom = run_browser(find_browser(), page, "--dump-dom")
    assert dom.returncode == 0
    assert "<h1>Victim Voice: the victims' survey, 3 months to 2024-06</h1>" in dom.stdout
    assert 'role="img"' in dom.stdout  # the chart survived parsing as SVG


def test_a_screenshot_is_kept_as_a_test_artifact(page: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "report.png"
    screenshot.unlink(missing_ok=True)
    run_browser(find_browser(), page, "--window-size=1100,1800", f"--screenshot={screenshot}")
    data = screenshot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 20_000  # a rendered page, not a blank one


def test_the_report_prints_to_pdf(page: Path) -> None:
    pdf = print_pdf(page)
    assert pdf is not None and pdf.read_bytes().startswith(b"%PDF")
