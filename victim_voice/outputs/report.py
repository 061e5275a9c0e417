"""The monthly report: one self-contained HTML page (no scripts, fonts or images from outside).

Figures come from what may leave the warehouse: rolling 3- and 12-month windows
(``marts.published_metric_values`` and the reader views, which blank suppressed cells).
Single months are not shown: beside their rolling windows they could be worked out by
subtraction. Suppressed cells show "[c]", indicative ones "[u]", no comment is
quoted. Charts are inline SVG with a text alternative; the palette is colour-blind safe
(Okabe-Ito).

Example::

    >>> write_report(Settings.from_env(), "2024-06", Path("reports"))  # doctest: +SKIP
    PosixPath('reports/VictimVoice_report_2024-06.html')
"""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

import duckdb

from victim_voice.outputs.formatting import count, percent
from victim_voice.outputs.headline import HEADLINE, HEADLINE_METRICS, published_periods
from victim_voice.outputs.output_files import written_whole
from victim_voice.settings import ConfigurationError, Settings
from warehouse.db import open_reader

BLUE = "#0072B2"  # Okabe-Ito blue: distinguishable with colour-blindness
STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Arial,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#1a1a1a;line-height:1.45}
table{border-collapse:collapse;margin:0.5rem 0 1.5rem;width:100%}
caption{text-align:left;font-weight:600;padding:0.3rem 0}
th,td{border-bottom:1px solid #ccc;padding:0.3rem 0.5rem;text-align:left}td.n{text-align:right}
.sig{font-weight:700;color:#b35806}.note{font-size:0.9rem;color:#444}
"""


def table(caption: str, headers: list[str], rows: list[list[str]]) -> str:
    """An accessible HTML table (caption, header cells with scope); cells are already text."""
    head = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td class="n">{html.escape(c)}</td>' if i else f"<td>{html.escape(c)}</td>"
                         for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )  # fmt: skip
    return (
        f"<table><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def trend_svg(title: str, points: list[tuple[str, float | None, float | None, float | None]]) -> str:
    """A line of rates with its 95% interval band, as inline SVG with a text alternative."""
    shown = [(p, r, lo, hi) for p, r, lo, hi in points if r is not None]
    if len(shown) < 2:
        return f"<p>{html.escape(title)}: not enough published periods for a trend yet.</p>"
    width, height, pad = 640, 220, 36
    step = (width - 2 * pad) / (len(shown) - 1)

    def x(i: int) -> float:
        return pad + i * step

    def y(v: float) -> float:
        return height - pad - v * (height - 2 * pad)

    band = " ".join(f"{x(i):.1f},{y(hi):.1f}" for i, (_, _, _, hi) in enumerate(shown))
    band += " " + " ".join(f"{x(i):.1f},{y(lo):.1f}" for i, (_, _, lo, _) in reversed(list(enumerate(shown))))
    line = " ".join(f"{x(i):.1f},{y(r):.1f}" for i, (_, r, _, _) in enumerate(shown))
    summary = (
        f"{title}: from {percent(shown[0][1])} in the 3 months to {shown[0][0]} "
        f"to {percent(shown[-1][1])} in the 3 months to {shown[-1][0]}."
    )
    labels = "".join(
        f'<text x="{x(i):.1f}" y="{height - 10}" font-size="10" text-anchor="middle">{p}</text>'
        for i, (p, _, _, _) in enumerate(shown)
        if i in (0, len(shown) - 1) or i % 3 == 0
    )
    return (
        f'<figure><svg role="img" aria-label="{html.escape(summary)}" viewBox="0 0 {width} {height}" '
        f'width="100%" xmlns="http://www.w3.org/2000/svg"><title>{html.escape(summary)}</title>'
        f'<line x1="{pad}" y1="{y(0)}" x2="{width - pad}" y2="{y(0)}" stroke="#999"/>'
        f'<line x1="{pad}" y1="{y(1)}" x2="{width - pad}" y2="{y(1)}" stroke="#ddd"/>'
        f'<text x="4" y="{y(1) + 4}" font-size="10">100%</text><text x="4" y="{y(0) + 4}" font-size="10">0%</text>'
        f'<polygon points="{band}" fill="{BLUE}" fill-opacity="0.18"/>'
        f'<polyline points="{line}" fill="none" stroke="{BLUE}" stroke-width="2.5"/>{labels}</svg>'
        f"<figcaption>{html.escape(summary)} Shaded: 95% interval.</figcaption></figure>"
    )


def rate_with_interval(found: list[tuple]) -> str:
    """A (rate, low, high, withheld, indicative) row as "62.0% (57.5% to 66.2%)"; [c] if withheld."""
    rate, low, high, withheld, indicative = found[0] if found else (None, None, None, False, False)
    interval = "" if withheld or rate is None else f" ({percent(low)} to {percent(high)})"
    return percent(rate, withheld, indicative) + interval


def headline_rows(con: duckdb.DuckDBPyConnection, period: str) -> list[list[str]]:
    rows = []
    for metric, label in HEADLINE:
        cells = {}
        for period_type in ("rolling_3m", "rolling_12m"):
            found = con.execute(
                "select rate, ci_low, ci_high, withheld, indicative from marts.published_metric_values"
                " where metric = ? and period_type = ? and period = ? and breakdown = 'all'",
                [metric, period_type, period],
            ).fetchall()
            cells[period_type] = rate_with_interval(found)
        change = con.execute(
            "select difference, significant from marts.metric_changes where metric = ? and breakdown = 'all'"
            " and comparison = 'previous_3m' and period = ?",
            [metric, period],
        ).fetchall()
        moved = "–"
        if change and change[0][0] is not None:
            moved = f"{100 * change[0][0]:+.1f} points" + (" (significant)" if change[0][1] else "")
        rows.append([label, cells["rolling_3m"], moved, cells["rolling_12m"]])
    rights = {
        period_type: con.execute(
            "select rate, ci_low, ci_high, suppressed, indicative from marts.victims_code_by_principle"
            " where principle = 'all' and period_type = ? and period = ?",
            [period_type, period],
        ).fetchall()
        for period_type in ("rolling_3m", "rolling_12m")
    }

    label = "Victims' Code rights met (all rights)"
    rows.append([label, rate_with_interval(rights["rolling_3m"]), "–", rate_with_interval(rights["rolling_12m"])])
    return rows


def what_changed(con: duckdb.DuckDBPyConnection, period: str) -> str:
    """Plain English from the significant changes only (all respondents)."""
    found = con.execute(
        "select m.label, c.comparison, c.rate, c.comparison_rate from marts.metric_changes as c"
        " inner join reference.metrics as m using (metric)"
        " where c.significant and c.breakdown = 'all' and c.period = ? order by abs(c.difference) desc limit 5",
        [period],
    ).fetchall()
    if not found:
        return (
            "No change against the previous 3 months or the same 3 months a year earlier was statistically significant."
        )
    sentences = [
        f"{label} {'rose' if rate > before else 'fell'} from {percent(before)} to {percent(rate)} "
        f"(against {'the previous 3 months' if comparison == 'previous_3m' else 'the same 3 months a year earlier'})."
        for label, comparison, rate, before in found
    ]
    return "Significant changes: " + " ".join(sentences)


def write_report(settings: Settings, period: str, out: Path) -> Path:
    """Write ``VictimVoice_report_<period>.html`` for the 3 and 12 months ending ``period``."""
    with open_reader(settings.warehouse, db_key=settings.db_key) as con:
        periods = published_periods(con)
        if period not in periods:
            raise ConfigurationError(f"no published rolling 3-month figures end in {period}; available: "
                                     f"{', '.join(periods[-6:]) or 'none yet'}")  # fmt: skip
        data = {name: con.execute(sql, [period] * sql.count("?")).fetchall() for name, sql in REPORT_QUERIES.items()}
        data["headline"] = headline_rows(con, period)
        data["changed"] = what_changed(con, period)
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = out / f"VictimVoice_report_{period}.html"
    with written_whole(path) as part:
        part.write_text(render(period, data), encoding="utf-8")
    return path


REPORT_QUERIES = {
    "responses": "select denominator, withheld from marts.published_metric_values"
    " where metric = 'journey_INVESTIGATION' and period_type = 'rolling_3m' and period = ? and breakdown = 'all'",
    "trend": "select period, rate, ci_low, ci_high from marts.published_metric_values"
    f" where metric = '{HEADLINE_METRICS[0]}'"
    " and period_type = 'rolling_3m' and breakdown = 'all' and period <= ? order by period",
    "scorecard": "select crime_type, responses, satisfied_overall, kept_informed, treated_fairly, rights_met"
    " from marts.crime_type_scorecard where period_type = 'rolling_12m' and period = ? order by crime_type",
    "rights": "select right_text, principle, rate, suppressed, indicative from marts.victims_code_by_right"
    " where period_type = 'rolling_12m' and period = ? order by right_code",
    "funnel": "select crime_group, responses, reached_investigation, reached_charge_decision, reached_court,"
    " reached_post_court from marts.journey_funnel_by_crime_group where period_type = 'rolling_12m' and period = ?"
    " order by crime_group",
    "chain": "select service_name, referred, contacted, contacted_within_target, supported, satisfied,"
    " better_able_to_cope from marts.service_handoff_chain where period_type = 'rolling_12m' and period = ?"
    " order by service",
    "quotas": "select period, quota, target, delivered, met from marts.quota_compliance where period <= ?"
    " order by period desc, quota limit 18",
}


def render(period: str, data: dict) -> str:
    """The page, from the figures gathered for it."""
    [(responses, withheld)] = data["responses"] or [(None, True)]
    sections = [
        f"<h1>Victim Voice: the victims' survey, 3 months to {html.escape(period)}</h1>",
        f'<p class="note">Office of the Police and Crime Commissioner for Wiltshire and Swindon. Generated '
        f"{date.today().isoformat()}. Responses in these 3 months: {count(None if withheld else responses)}.</p>",
        "<h2>Headline</h2>",
        table(
            "Headline measures with 95% intervals, and the change against the previous 3 months",
            ["Measure", "3 months", "Change", "12 months"],
            data["headline"],
        ),
        f"<p>{html.escape(data['changed'])}</p>",
        "<h2>Trend</h2>",
        trend_svg(f"{HEADLINE[0][1]}, rolling 3 months", data["trend"]),
        "<h2>Crime types</h2>",
        table(
            "Crime-type scorecard, 12 months (domestic abuse and sexual offences always shown)",
            ["Crime type", "Responses", "Satisfied overall", "Kept informed", "Treated fairly", "Rights met"],
            [[t, count(n), *(percent(r, r is None) for r in rates)] for t, n, *rates in data["scorecard"]],
        ),
        "<h2>Victims' Code compliance</h2>",
        table(
            "Share of victims who were given each right (Y among Y or N), 12 months",
            ["Right", "Principle", "Given"],
            [[r, p, percent(rate, sup, ind)] for r, p, rate, sup, ind in data["rights"]],
        ),
        "<h2>The service journey</h2>",
        table(
            "How far cases got, by crime group, 12 months (share of responses)",
            ["Crime group", "Responses", "Investigation", "Charge decision", "Court", "After court"],
            [[g, count(n), *(percent(r, r is None) for r in rates)] for g, n, *rates in data["funnel"]],
        ),
        table(
            "From police to commissioned services: the handoff chain, 12 months (responses)",
            ["Service", "Referred", "Contacted", "Within 5 days", "Supported", "Satisfied", "Better able to cope"],
            [[name, *(count(v) for v in values)] for name, *values in data["chain"]],
        ),
        "<h2>Supplier delivery against quotas</h2>",
        table(
            "Interviews delivered against the supplier's monthly quotas (latest months)",
            ["Month", "Quota", "Target", "Delivered", "Met"],
            [[p, q, str(t), str(d), "yes" if met else "NO"] for p, q, t, d, met in data["quotas"]],
        ),
        '<p class="note">[c]: fewer than 10 answers, or withheld so that a small figure cannot be worked out from '
        "the others. [u]: 10 to 29 answers, low reliability. [x]: not available. "
        "Rolling windows only: a single month beside its window "
        "could be worked out by subtraction. No comments are quoted in this report.</p>",
    ]
    body = "\n".join(sections)
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Victim Voice report {html.escape(period)}</title><style>{STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )
