"""The report printed to PDF by headless Chromium, the same browser that renders it in the tests.

Headless and offline: a throwaway profile, no sync, no updates, no background calls.

Example::

    >>> print_pdf(Path("reports/VictimVoice_report_2024-06.html"))  # doctest: +SKIP
    PosixPath('reports/VictimVoice_report_2024-06.pdf')
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
# Headless and offline: no sync, no updates, no background calls (this machine has no network).
BROWSER_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)  # fmt: skip


def find_browser() -> str | None:
    """A headless Chromium on this machine, if any (the PDF engine and the test's browser)."""
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def run_browser(browser: str, page: Path, *arguments: str) -> subprocess.CompletedProcess:
    """Run headless Chromium on a local page, with a throwaway profile."""
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [browser, *BROWSER_FLAGS, f"--user-data-dir={profile}", *arguments, page.resolve().as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


def print_pdf(page: Path) -> Path | None:
    """The page printed to PDF by headless Chromium; None when no browser is installed."""
    browser = find_browser()
    if browser is None:
        return None
    pdf = page.with_suffix(".pdf")
    run_browser(browser, page, "--no-pdf-header-footer", f"--print-to-pdf={pdf}")
    return pdf if pdf.exists() and pdf.stat().st_size > 0 else None
