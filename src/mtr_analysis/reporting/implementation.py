"""The "Implementation" chapter: completion chart, compliance and results-chain tables.

Comes in: the processed folder of ``mtr build`` (plan register and consolidated activity
rows, :func:`mtr_analysis.intake.activities.load_outputs`), the review's assessment frame
and the language. Goes out: display blocks for the notebooks (headings and leads, an SVG
chart of activity statuses by element, report tables), implementation findings
(:class:`~mtr_analysis.reporting.findings.Finding`, citing the period, the linked
indicators and the activity reports) — every word from the word catalogues.
``scope`` selects the plan: ``"ASEAN"`` for the sectoral bodies' work plans, an ISO3 code
for a national plan (its ministries and provinces).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from mtr_analysis.analysis import implementation as im
from mtr_analysis.intake.activities import load_outputs
from mtr_analysis.paths import ACTIVITIES_FILE
from mtr_analysis.reference.units import ReportingUnits, load_units
from mtr_analysis.reporting import html, i18n
from mtr_analysis.reporting.figures import stacked_bars
from mtr_analysis.reporting.findings import Finding
from mtr_analysis.reporting.style import ACTIVITY_STATUS_COLOURS
from mtr_analysis.reporting.svg import SVG
from mtr_analysis.settings import Settings

#: What implementation findings cite as their source.
SOURCE = f"activity reports of the reporting units ({ACTIVITIES_FILE})"


def scoped_progress(
    data_dir: Path | str, scope: str, units: ReportingUnits | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(register, rows, progress) of one plan (``scope``), empty frames when none."""
    units = units or load_units()
    reg, rows = load_outputs(data_dir)
    if reg.empty:
        return reg, rows, pd.DataFrame()
    reg = reg.loc[reg["responsible_unit"].map(units.units["scope"]) == scope]
    rows = rows.loc[rows["activity_id"].isin(reg.index)]
    return reg, rows, im.progress(reg, rows, units)


def status_figure(prog: pd.DataFrame, lang: str = "en", period: int | None = None) -> SVG:
    """Horizontal stacked bars: share of activities per status, per element (one period)."""
    words = i18n.words("figures", lang)
    period = int(prog["period"].max()) if period is None else period
    comp = im.completion(prog.loc[prog["period"] == period], "element").sort_values("element")
    shares = pd.DataFrame(
        {code: 100 * comp[f"share_{code}"].to_numpy(dtype=float) for code in im.STATUSES},
        index=comp["element"].astype(str),
    )
    return stacked_bars(
        shares, list(shares.index), [i18n.text(f"activity_{c}", lang) for c in im.STATUSES],
        [ACTIVITY_STATUS_COLOURS[c] for c in im.STATUSES],
        str(words["activity_status_bar"]).format(period=period), str(words["activity_share"]),
    )  # fmt: skip


def completion_table(
    prog: pd.DataFrame, by: str, lang: str = "en", period: int | None = None,
    units: ReportingUnits | None = None,
) -> pd.DataFrame:  # fmt: skip
    """Completion by ``by`` for one period, shares as percentages, units by name."""
    units = units or load_units()
    period = int(prog["period"].max()) if period is None else period
    comp = im.completion(prog.loc[prog["period"] == period], by)
    out = pd.DataFrame({by: comp[by]})
    if by in ("unit", "responsible_unit"):
        out[by] = comp[by].map(lambda c: f"{units.name(c, lang)} ({c})")
    out["activities"] = comp["activities"]
    out["completed_pct"] = (100 * comp["share_completed"]).round(1)
    out["on_time_pct"] = (100 * comp["share_on_time"]).round(1)
    out["late"] = comp["n_late"]
    out["mean_percent"] = comp["mean_percent"].round(1)
    out["budget_weighted_percent"] = comp["budget_weighted_percent"].round(1)
    return out.rename(columns={"unit": "reporting_unit"})


def _by_kind(prog: pd.DataFrame, kinds: tuple[str, ...], units: ReportingUnits) -> pd.DataFrame:
    """Rows whose (rolled-up) reporting unit is of one of ``kinds`` (ministry, province…)."""
    return prog.loc[prog["unit"].map(units.units["kind"]).isin(kinds)]


def compliance_table(
    reg: pd.DataFrame,
    rows: pd.DataFrame,
    lang: str = "en",
    units: ReportingUnits | None = None,
    comp: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Compliance per period and unit (units by name), missing reports first; ``comp`` is
    :func:`~mtr_analysis.analysis.implementation.compliance` of ``reg``, ``rows`` when
    already computed."""
    units = units or load_units()
    comp = im.compliance(reg, rows, units=units) if comp is None else comp
    comp = comp.sort_values(["reported", "period", "unit"], kind="stable")
    comp["unit"] = comp["unit"].map(lambda c: f"{units.name(c, lang)} ({c})")
    return comp.rename(columns={"unit": "reporting_unit"}).reset_index(drop=True)


def chain_table(chain: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The results chain for a report: completion next to outcome statuses."""
    out = pd.DataFrame({"element": chain["element"], "activities": chain["activities"]})
    out["completed_pct"] = (100 * chain["share_completed"]).round(1)
    out["mean_percent"] = chain["mean_percent"].round(1)
    out["outcome_indicators"] = chain["indicators"].str.replace(";", ", ")
    for col in ("assessable", "on_track", "regressing"):
        out[col] = chain[col]
    out["divergence"] = chain["divergence"].map(
        lambda k: i18n.capitalised(i18n.text("yes", lang)) if k else ""
    )
    return out


def findings(
    chain: pd.DataFrame, comp: pd.DataFrame, lang: str = "en", units: ReportingUnits | None = None
) -> list[Finding]:
    """Divergences of the results chain and missing reports, as findings with citations."""
    units = units or load_units()
    words = i18n.words("findings", lang)
    out = []
    for f in im.chain_findings(chain):
        text = str(words[f"impl_{f['kind']}"]).format(**f)
        out.append(Finding("implementation_" + f["kind"], text, f["indicators"], [f["period"]],
                           [SOURCE], "warning"))  # fmt: skip
    for period, g in comp.groupby("period"):
        missing = g.loc[~g["reported"], "unit"]
        if len(missing):
            names = ", ".join(f"{units.name(u, lang)} ({u})" for u in missing)
            text = str(words["impl_missing_reports"]).format(
                n=len(missing), expected=len(g), period=period, units=names
            )
            out.append(Finding("implementation_missing_reports", text, [], [int(period)],
                               [SOURCE], "priority"))  # fmt: skip
    return out


def report_findings(
    data_dir: Path | str,
    assessment: pd.DataFrame,
    scope: str,
    lang: str = "en",
    settings: Settings | None = None,
) -> list[Finding]:
    """The implementation findings of one plan, as the chapter shows them and the runner
    adds them to the report's findings JSON (empty without activity reports).

    National findings carry the country's ISO3 in ``country``; regional ones ``""``.
    """
    units = load_units()
    reg, rows, prog = scoped_progress(data_dir, scope, units)
    if prog.empty:
        return []
    chain = im.results_chain(prog, assessment, int(prog["period"].max()), settings)
    return _scoped(findings(chain, im.compliance(reg, rows, units=units), lang, units), scope)


def _scoped(items: list[Finding], scope: str) -> list[Finding]:
    """National findings carry the country's ISO3 in ``country``; regional ones ``""``."""
    country = "" if scope == "ASEAN" else scope
    for f in items:
        f.country = country
    return items


def chapter(
    data_dir: Path | str,
    assessment: pd.DataFrame,
    scope: str,
    lang: str = "en",
    settings: Settings | None = None,
    by: tuple[str, ...] = ("unit",),
    plan: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame] | None = None,
) -> list[Any]:
    """The display blocks of the "Implementation" chapter of one plan.

    ``assessment`` gives the outcome statuses (filter it to the countries the report is
    about); ``by`` lists the completion tables after the chart (``unit``, ``element``…);
    ``plan`` is :func:`scoped_progress` of ``scope`` when already loaded. Without activity
    reports for ``scope`` the chapter is its heading and one sentence. Its findings are
    :func:`report_findings`, from the chain and compliance the chapter's tables show.
    """
    units = load_units()
    reg, rows, prog = plan if plan is not None else scoped_progress(data_dir, scope, units)
    if prog.empty:
        return [html.heading(i18n.text("implementation", lang), "sec-implementation"),
                html.note(i18n.text("implementation_none", lang))]  # fmt: skip
    period = int(prog["period"].max())
    blocks: list[Any] = [html.section("implementation", lang, period=period)]
    blocks.append(status_figure(prog, lang, period))
    for key in by:
        blocks.append(
            html.table(completion_table(prog, key, lang, period, units), lang, f"impl_{key}")
        )
    rolled = rows.loc[rows["rolled_up"].astype(bool), "reporting_unit"].nunique()
    if rolled:
        blocks.append(html.note(i18n.text("implementation_rollup", lang, n=rolled)))
    comp = im.compliance(reg, rows, units=units)
    blocks.append(html.section("implementation_compliance", lang, level=3))
    blocks.append(
        html.table(compliance_table(reg, rows, lang, units, comp), lang, "impl_compliance")
    )
    chain = im.results_chain(prog, assessment, period, settings)
    blocks.append(html.section("implementation_chain", lang, level=3))
    blocks.append(html.table(chain_table(chain, lang), lang, "impl_chain"))
    blocks.append(html.findings_html(_scoped(findings(chain, comp, lang, units), scope), lang))
    return blocks


#: Completion tables of the national implementation report: heading key → unit kinds.
NATIONAL_TABLES = {
    "implementation_by_ministry": ("ministry",),
    "implementation_by_province": ("province", "city"),
}


def national_blocks(
    data_dir: Path | str,
    assessment: pd.DataFrame,
    country: str,
    lang: str = "en",
    settings: Settings | None = None,
) -> list[Any]:
    """The national implementation report of one country's plan (e.g. Viet Nam's Đề án
    161): title, demo banner when the activity files are demo files, the chapter, and
    completion by ministry and by province (34 provincial-level units, old reports rolled up).
    """
    from mtr_analysis.reference import registry

    units = load_units()
    plan = scoped_progress(data_dir, country, units)
    rows, prog = plan[1], plan[2]
    name = registry.display_name(country, lang)
    title = html.heading(i18n.text("national_implementation_title", lang, country=name), "top", 1)
    demo = bool(rows["file"].astype(str).str.contains("DEMO").any()) if len(rows) else False
    blocks: list[Any] = [title, html.Html(html.demo_banner_html(demo, lang))]
    blocks += chapter(data_dir, assessment, country, lang, settings, by=(), plan=plan)
    if prog.empty:
        return blocks
    period = int(prog["period"].max())
    for key, kinds in NATIONAL_TABLES.items():
        part = _by_kind(prog, kinds, units)
        blocks.append(html.heading(i18n.text(key, lang), f"sec-{key.replace('_', '-')}", 3))
        blocks.append(html.table(completion_table(part, "unit", lang, period, units), lang, key))
    return blocks
