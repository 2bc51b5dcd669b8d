"""The baseline report of the next plan: header, baseline table, gap list, pace chart, findings.

Comes in: a :class:`mtr_analysis.analysis.baseline.BaselineData` (the baseline table of
every member state), a country (ISO3, or ``"ASEAN"`` for the regional report) and the
language. Goes out: display blocks for ``notebooks/baseline_report.ipynb`` (HTML headings,
leads and findings, report tables, the pace chart as PNG) and :func:`findings`, the
findings as plain sentences (:func:`finding_items` for the run's JSON) and ``baseline.csv``
(:func:`write_baseline_csv`) — every word from the word catalogues (``baseline_*`` keys).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from mtr_analysis.analysis.baseline import BaselineData
from mtr_analysis.atomic_io import atomic_write_bytes
from mtr_analysis.paths import BASELINE_FILE
from mtr_analysis.reference import registry
from mtr_analysis.reporting import html, i18n
from mtr_analysis.reporting.figures import pace_chart, render, short_name
from mtr_analysis.reporting.findings import Finding
from mtr_analysis.reporting.tables import to_csv_bytes
from mtr_analysis.text_safety import safe_text

#: The ``country`` value of the regional baseline report.
REGIONAL = "ASEAN"


def _rows(data: BaselineData, country: str) -> pd.DataFrame:
    """The baseline table of ``country`` (all member states for :data:`REGIONAL`)."""
    if country == REGIONAL:
        return data.table
    if country not in data.countries:
        raise ValueError(
            f"country {country!r} is not among the baseline's member states "
            f"({', '.join(data.countries)}) nor {REGIONAL!r}"
        )
    return data.table.loc[data.table["country"].eq(country)]


def _fields(data: BaselineData) -> dict[str, Any]:
    """Placeholders shared by the baseline words."""
    first = data.baseline_year - data.settings.baseline.near_years
    return {
        "baseline": data.baseline_year,
        "first": first,
        "horizon": data.horizon_year,
        "years": data.settings.baseline.trend_years,
    }


def _country(country: str, lang: str) -> str:
    return REGIONAL if country == REGIONAL else registry.display_name(country, lang)


def header(data: BaselineData, country: str, lang: str = "en") -> html.Html:
    """Title and subtitle of the report."""
    if country == REGIONAL:
        title = i18n.text("baseline_regional_title", lang)
    else:
        title = i18n.text("baseline_title", lang, country=_country(country, lang))
    sub = i18n.text("baseline_subtitle", lang, review=data.review_label(lang), **_fields(data))
    return html.Html(f"{html.heading(title, 'title', 1)}<p>{safe_text(sub)}</p>")


def values_table(data: BaselineData, country: str, lang: str = "en") -> Any:
    """Baseline value, year, source, target and pace per indicator (per member state for
    the regional report) as a report table; indicators without any value are left out
    (they are in the gap list)."""
    rows = _rows(data, country)
    rows = rows.loc[rows["latest_year"].notna()]
    cat = data.catalogue
    out = pd.DataFrame(
        {
            "country": rows["country"].map(lambda c: registry.display_name(str(c), lang)),
            "indicator": rows["indicator"].map(lambda i: i18n.indicator_name(cat, i, lang)),
            "unit": rows["indicator"].map(lambda i: i18n.indicator_unit(cat, i, lang)),
            "baseline_year": rows["baseline_year"],
            "baseline_value": rows["baseline_value"],
            "source": rows["source"],
            "target_value": rows["target_value"],
            "direction": rows["direction"],
            "required_change": rows["required_change"],
            "observed_change": rows["observed_change"],
            "pace_ratio": rows["pace_ratio"],
            "pace": rows["pace"].map(lambda p: i18n.text(f"baseline_pace_{p}", lang)),
        }
    )
    if country != REGIONAL:
        out = out.drop(columns="country")
    return html.table(out, lang, name="baseline_values")


def gap_rows(data: BaselineData, country: str, lang: str = "en") -> pd.DataFrame:
    """The data gaps to close: indicator (member state), gap in words, latest year."""
    rows = _rows(data, country)
    rows = rows.loc[rows["gap"].ne("")]
    fields = _fields(data)
    out = pd.DataFrame(
        {
            "country": rows["country"].map(lambda c: registry.display_name(str(c), lang)),
            "indicator": rows["indicator"].map(
                lambda i: i18n.indicator_name(data.catalogue, i, lang)
            ),
            "gap": rows["gap"].map(lambda g: i18n.text(f"baseline_gap_{g}", lang, **fields)),
            "latest_year": rows["latest_year"],
        }
    )
    return out if country == REGIONAL else out.drop(columns="country")


def findings(data: BaselineData, country: str, lang: str = "en") -> list[str]:
    """The report's findings as sentences: values found, pace, gaps, slowest indicators."""
    rows = _rows(data, country)
    fields = _fields(data)
    pace = rows["pace"].value_counts()
    gap = rows["gap"].value_counts()
    with_target = int(sum(pace.get(k, 0) for k in
                          ("already_met", "on_pace", "must_accelerate", "must_reverse")))  # fmt: skip
    out = [
        i18n.text(
            "baseline_finding_values",
            lang,
            n=int(rows["baseline_value"].notna().sum()),
            total=len(rows),
            **fields,
        ),  # fmt: skip
        i18n.text(
            "baseline_finding_pace",
            lang,
            n=with_target,
            met=int(pace.get("already_met", 0)),
            on_pace=int(pace.get("on_pace", 0)),
            accelerate=int(pace.get("must_accelerate", 0)),
            reverse=int(pace.get("must_reverse", 0)),
            **fields,
        ),  # fmt: skip
        i18n.text(
            "baseline_finding_gaps",
            lang,
            n=int(rows["gap"].ne("").sum()),
            no_data=int(gap.get("no_data", 0)),
            stale=int(gap.get("stale", 0)),
            few=int(gap.get("too_few_points", 0)),
            **fields,
        ),  # fmt: skip
    ]
    behind = rows.loc[rows["pace"].isin(["must_reverse", "must_accelerate"])]
    behind = behind.sort_values("pace_ratio", kind="stable").head(3)
    if len(behind):
        names = "; ".join(
            short_name(data.catalogue, str(r.indicator), lang=lang)
            + ("" if country != REGIONAL else f" ({registry.display_name(str(r.country), lang)})")
            for r in behind.itertuples()
        )
        out.append(i18n.text("baseline_finding_slowest", lang, names=names))
    return out


def findings_html(data: BaselineData, country: str, lang: str = "en") -> html.Html:
    """The findings as a bulleted list under their heading."""
    items = "".join(f"<li>{safe_text(s)}</li>" for s in findings(data, country, lang))
    return html.Html(html.heading(i18n.text("baseline_findings", lang), "findings") +
                     f"<ul>{items}</ul>")  # fmt: skip


def report_blocks(data: BaselineData, country: str, lang: str = "en") -> list[Any]:
    """Every block of the baseline report, in order, for the notebook to display."""
    fields = _fields(data)
    blocks: list[Any] = [header(data, country, lang), findings_html(data, country, lang)]
    blocks.append(html.section("baseline_values", lang, settings=data.settings, **fields))
    blocks.append(values_table(data, country, lang))
    if country != REGIONAL:
        blocks.append(html.section("baseline_pace", lang, settings=data.settings, **fields))
        title = i18n.text("baseline_pace_chart", lang, country=_country(country, lang), **fields)
        blocks.append(render(pace_chart(_rows(data, country), data.catalogue, title, lang)))
    blocks.append(html.section("baseline_gaps", lang, settings=data.settings, **fields))
    gaps = gap_rows(data, country, lang)
    if gaps.empty:
        blocks.append(html.note(i18n.text("baseline_no_gaps", lang)))
    else:
        blocks.append(html.table(gaps, lang, name="baseline_gaps"))
    return blocks


def finding_items(data: BaselineData, country: str, lang: str = "en") -> list[Finding]:
    """:func:`findings` as :class:`~mtr_analysis.reporting.findings.Finding` (kind
    ``baseline``) for the run's findings JSON; the gap sentence is a ``priority``."""
    rows = _rows(data, country)
    years = sorted({int(y) for y in rows["baseline_year"].dropna()})
    sources = sorted({str(s) for s in rows["source"].dropna()})
    iso3 = "" if country == REGIONAL else country
    out = []
    for k, sentence in enumerate(findings(data, country, lang)):
        out.append(Finding("baseline", sentence, years=years, sources=sources,
                           severity="priority" if k == 2 else "info", country=iso3))  # fmt: skip
    return out


def write_baseline_csv(data: BaselineData, folder: Path) -> Path:
    """Write the baseline table as ``<folder>/baseline.csv`` (atomically, deterministic)."""
    return atomic_write_bytes(Path(folder) / BASELINE_FILE, to_csv_bytes(data.table))
