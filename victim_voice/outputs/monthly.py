"""Every output of a month, written in one place: the report (HTML, PDF and charts), a review pack
per commissioned contract, and the published aggregates.

The sequence is written once, in :func:`write_monthly_outputs`: the demo calls it with the
writers themselves, the monthly-publication flow with its tasks (:class:`OutputSteps`).

Example::

    >>> write_monthly_outputs(Settings.from_env(), Path("outputs"))  # doctest: +SKIP
    [PosixPath('outputs/reports/VictimVoice_report_2024-06.html'), ...]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from schemas.codebook import load_codebook
from victim_voice.outputs.contract_packs import write_contract_pack
from victim_voice.outputs.headline import published_periods
from victim_voice.outputs.pdf import print_pdf
from victim_voice.outputs.publishing import publish
from victim_voice.outputs.report import write_report
from victim_voice.settings import Settings
from warehouse.db import open_reader

REPORTS, CONTRACT_PACKS, PUBLISHED = "reports", "contract-packs", "published"  # folders under the outputs folder


def latest_period(settings: Settings) -> str | None:
    """The latest month that ends a published rolling 3-month window (None before any)."""
    with open_reader(settings.warehouse, db_key=settings.db_key) as con:
        periods = published_periods(con)
    return periods[-1] if periods else None


def write_report_files(settings: Settings, period: str, out: Path) -> list[Path]:
    """The report for ``period`` as HTML, its charts (PNG and SVG), and as PDF where headless
    Chromium is installed."""
    written = write_report(settings, period, out)
    pdf = print_pdf(written.page)
    return [*written.paths(), *([pdf] if pdf else [])]


def write_contract_packs(settings: Settings, out: Path) -> list[Path]:
    """A review pack for every contract in the codebook."""
    return [write_contract_pack(settings, code, out) for code in load_codebook().contracts]


@dataclass(frozen=True)
class OutputSteps:
    """How the three writers are called: directly (the default), or as Prefect tasks."""

    report: Callable[[Settings, str, Path], list[Path]] = write_report_files
    packs: Callable[[Settings, Path], list[Path]] = write_contract_packs
    aggregates: Callable[[Settings, Path], list[Path]] = publish


def write_monthly_outputs(
    settings: Settings, out: Path, period: str | None = None, steps: OutputSteps = OutputSteps()
) -> list[Path]:
    """The report for ``period`` (default: the latest published), every contract pack and the
    published aggregates, under ``out``; returns the paths written."""
    period = period or latest_period(settings)
    written = steps.report(settings, period, out / REPORTS) if period else []
    written += steps.packs(settings, out / CONTRACT_PACKS)
    return written + steps.aggregates(settings, out / PUBLISHED)
