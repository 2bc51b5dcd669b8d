"""The "Comparison with the mid-term review" chapter of the end-term reports (issue 13).

Comes in: the end-term review (:class:`~mtr_analysis.analysis.review.ReviewData`), the
member state of a country profile (``None`` for the regional synthesis) and the language;
optionally the comparison frame already computed and the mid-term review as it could have
been computed then. Goes out: a :class:`Chapter` holding the display blocks (heading and
lead, findings, the transition counts by characteristic, the transition-matrix chart, and
the indicators whose status changed (country) or the counts per member state (region)) and
the comparison findings the notebook adds to the report's findings. Every word comes from
the word catalogues; the numbers from :mod:`mtr_analysis.analysis.comparison`. A review
that has no earlier review to compare with gets one note instead of the chapter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from mtr_analysis.analysis import comparison as cmp
from mtr_analysis.analysis.review import ReviewData
from mtr_analysis.reporting import figures, html, i18n
from mtr_analysis.reporting.findings import Finding, comparison_findings


@dataclass
class Chapter:
    """What the notebook displays and the findings the chapter adds.

    Attributes
    ----------
    blocks : list
        Display objects (HTML blocks, PNG images, styled tables), in order.
    findings : list of Finding
        The comparison findings (:func:`~mtr_analysis.reporting.findings.comparison_findings`).
    comparison : pandas.DataFrame or None
        :func:`mtr_analysis.analysis.comparison.compare`, ``None`` when skipped.
    """

    blocks: list[Any] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    comparison: pd.DataFrame | None = None


def cited_years(data: ReviewData) -> list[int]:
    """The cut-off years of the compared reviews (what the comparison findings cite)."""
    earlier = cmp.COMPARED_WITH.get(data.review)
    if earlier is None:
        return [data.cutoff_year]
    return [int(data.catalogue.review(earlier)["cutoff_year"]), data.cutoff_year]


def findings_of(
    data: ReviewData, comparison: pd.DataFrame | None, lang: str, country: str | None
) -> list[Finding]:
    """The comparison findings of one report (none when ``comparison`` is ``None``)."""
    if comparison is None:
        return []
    return comparison_findings(comparison, data.catalogue, lang, country or "", cited_years(data))


def counts_table(comparison: pd.DataFrame, by: str, lang: str = "en") -> pd.DataFrame:
    """:func:`~mtr_analysis.analysis.comparison.transition_counts` with a total row and
    display names (characteristic code and name, or member state name)."""
    table = cmp.transition_counts(comparison, by)
    total = table.drop(columns=by).sum().to_frame().T.assign(**{by: i18n.text("total", lang)})
    if by == "country":
        from mtr_analysis.reference import registry

        table[by] = [registry.display_name(c, lang) for c in table[by]]
    return pd.concat([table, total[table.columns]], ignore_index=True)


def changes_table(
    comparison: pd.DataFrame, data: ReviewData, country: str, lang: str = "en"
) -> pd.DataFrame:
    """The indicators of ``country`` whose status changed, in catalogue order, with
    translated statuses, transition and data-gap change."""
    rows = comparison.loc[
        (comparison["country"] == country)
        & (comparison["status_mid_term"] != comparison["status_end_term"])
    ]
    order = {ind: k for k, ind in enumerate(data.catalogue.indicators.index)}
    rows = rows.sort_values("indicator", key=lambda s: s.map(order), kind="stable")
    label = lambda s: i18n.capitalised(i18n.status_label(s, lang))  # noqa: E731
    return pd.DataFrame(
        {
            "indicator": [i18n.indicator_name(data.catalogue, i, lang) for i in rows["indicator"]],
            "status_mid_term": rows["status_mid_term"].map(label).to_list(),
            "status_end_term": rows["status_end_term"].map(label).to_list(),
            "transition": [i18n.text(f"transition_{t}", lang) for t in rows["transition"]],
            "gap_change": [i18n.text(f"gap_change_{g}", lang) for g in rows["gap_change"]],
        }
    )


def chapter(
    data: ReviewData,
    country: str | None = None,
    lang: str = "en",
    comparison: pd.DataFrame | None = None,
    mid_term_then: pd.DataFrame | None = None,
) -> Chapter:
    """The chapter's blocks and findings for one report.

    Parameters
    ----------
    data : ReviewData
        The review of the report (the chapter is shown for the end-term review only).
    country : str, optional
        ISO3 of the country profile; ``None`` for the regional synthesis.
    lang : {"en", "vi"}
    comparison : pandas.DataFrame, optional
        :func:`~mtr_analysis.analysis.comparison.review_comparison` of ``data`` when
        already computed (computed here otherwise).
    mid_term_then : pandas.DataFrame, optional
        The mid-term assessment from the vintages of the mid-term date (passed on).

    Returns
    -------
    Chapter
    """
    if comparison is None:
        comparison = cmp.review_comparison(data, mid_term_then)
    if comparison is None:
        return Chapter([html.note(i18n.text("comparison_skipped", lang))])
    items = findings_of(data, comparison, lang, country)
    blocks: list[Any] = [html.section("comparison", lang), html.findings_html(items, lang)]
    blocks.append(
        html.table(counts_table(_rows(comparison, country), "characteristic", lang), lang, "cmp")
    )
    blocks.append(
        figures.render(figures.transition_matrix_chart(comparison, data.catalogue, lang, country))
    )
    if country is None:
        blocks.append(html.table(counts_table(comparison, "country", lang), lang, "cmp_countries"))
    else:
        changed = changes_table(comparison, data, country, lang)
        blocks.append(html.section("comparison_changes", lang, level=3))
        blocks.append(
            html.table(changed, lang, "cmp_changes")
            if len(changed)
            else html.note(i18n.text("comparison_none", lang))
        )
    return Chapter(blocks, items, comparison)


def _rows(comparison: pd.DataFrame, country: str | None) -> pd.DataFrame:
    """The rows of ``country`` (every row for the region)."""
    return comparison if country is None else comparison.loc[comparison["country"] == country]
