"""A review seen through a reporting framework: the report's groups come from the framework.

Comes in: a :class:`~mtr_analysis.analysis.review.ReviewData` and a
:class:`~mtr_analysis.reference.frameworks.Framework`. Goes out: the same review whose
assessment and availability keep only the framework's indicators, labelled with ``group`` and
``group_name`` (:func:`~mtr_analysis.reference.frameworks.label_groups`), and whose catalogue
has the framework's groups in place of the Blueprint's characteristics. Every reporting
function that groups "by characteristic" (status bars, small multiples, status table order,
coverage, findings) then groups by the framework's groups without knowing about frameworks;
with the ``ascc`` framework the review is unchanged. Also the words a framework adds to a
report: the "Progress by <group>" heading and the framework line.
"""

from __future__ import annotations

from dataclasses import replace
from html import escape

import pandas as pd

from mtr_analysis.analysis.review import ReviewData
from mtr_analysis.reference.catalogue import Catalogue
from mtr_analysis.reference.frameworks import Framework, label_groups
from mtr_analysis.reporting import i18n
from mtr_analysis.reporting.html import Html, heading, note

__all__ = ["framed", "framework_note", "no_data_text", "progress_heading"]


def _catalogue(cat: Catalogue, framework: Framework) -> Catalogue:
    """The catalogue with the framework's groups as its characteristics and each mapped
    indicator's group as its characteristic, the framework's indicators first (its order).

    Indicators outside the framework stay (denominators and weights are looked up in the
    catalogue) with their own characteristic code, which names no group: nothing grouped
    by the framework's groups shows them.
    """
    ids = [i for i in framework.mapping.index if i in cat.indicators.index]
    rest = [i for i in cat.indicators.index if i not in framework.mapping.index]
    indicators = cat.indicators.loc[ids + rest].copy()
    indicators.loc[ids, "characteristic"] = framework.mapping.loc[ids].astype(str).to_numpy()
    groups = framework.groups[["code", "name", "name_vi", "description"]].copy()
    return replace(cat, indicators=indicators, characteristics=groups)


def _frame(frame: pd.DataFrame, framework: Framework, lang: str) -> pd.DataFrame:
    """``frame`` labelled and restricted to the framework; ``characteristic`` := ``group``."""
    out = label_groups(frame, framework, lang)
    if "characteristic" in out.columns:
        out["characteristic"] = out["group"].astype(str)
    return out.reset_index(drop=True)


def framed(data: ReviewData, framework: Framework, lang: str = "en") -> ReviewData:
    """``data`` organised by ``framework``'s groups.

    Parameters
    ----------
    data : ReviewData
        The analysed review (:func:`~mtr_analysis.analysis.review.load_review`).
    framework : Framework
    lang : {"en", "vi"}
        Language of the ``group_name`` column.

    Returns
    -------
    ReviewData
        A copy: ``assessment`` and ``availability`` keep the rows of the framework's
        indicators, with ``group``, ``group_name`` and ``characteristic`` set to the group
        code; ``catalogue.characteristics`` holds the groups (``code``, ``name``,
        ``name_vi``, ``description``) and ``catalogue.indicators`` the framework's
        indicators first, in its order. Observations are unchanged.
    """
    return replace(
        data,
        catalogue=_catalogue(data.catalogue, framework),
        assessment=_frame(data.assessment, framework, lang),
        availability=_frame(data.availability, framework, lang),
    )


def progress_heading(framework: Framework, lang: str = "en") -> Html:
    """``<h2>`` "Progress by characteristic" / "Tiến độ theo lĩnh vực trọng tâm" and the lead
    paragraph of the progress section (anchor ``sec-progress``, as ``html.section``)."""
    text = i18n.text("progress_by_group", lang, group=framework.text("group_label", lang))
    lead = escape(i18n.text("progress_lead", lang))
    return Html(heading(text, "sec-progress", 2) + f"<p>{lead}</p>")


def no_data_text(framework: Framework, lang: str = "en") -> str:
    """ "No data for this focus area." (plain text) for a group without data."""
    return i18n.text("no_group_data", lang, group=framework.text("group_label", lang))


def framework_note(framework: Framework, lang: str = "en") -> Html:
    """A note naming the framework the report is organised by and its groups' count."""
    return note(
        i18n.text(
            "framework_line",
            lang,
            title=framework.text("title", lang),
            n=len(framework.groups),
            group=framework.text("group_label", lang),
        )  # fmt: skip
    )
