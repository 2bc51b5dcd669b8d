"""Colours and sizes of the report figures and tables: one place for the house style.

Colours are fixed per category so the same status looks the same in every chart and
table of every report. The on-track greens lean to teal and the regression red is dark,
so the two ends of the status scale stay apart for red–green colour-blind readers (every
chart also carries a legend). The keys are the codes of
:data:`mtr_analysis.analysis.status.STATUS_ORDER`,
:data:`mtr_analysis.analysis.gaps.GAP_CATEGORIES` and
:data:`mtr_analysis.reporting.figures.PRESENCE`; the tests check that every code has a
colour.
"""

from __future__ import annotations

#: One fixed colour per progress status (charts and status cells of tables).
STATUS_COLOURS: dict[str, str] = {
    "target_met": "#01665e",  # dark teal green
    "on_track": "#5ab4ac",  # light teal green
    "maintain_progress": "#1b9e77",  # ESCAP green (UNECE 2025 colour rules)
    "moderate_progress": "#f6d55c",  # yellow
    "marginal_progress": "#ef8a3c",  # orange
    "stagnation": "#bf9b7a",  # grey-orange
    "accelerate_progress": "#fdc827",  # ESCAP yellow bars: accelerate
    "regression": "#b2182b",  # dark red
    "reverse_trend": "#d7301f",  # ESCAP red bars: reverse trend
    "no_target": "#d9d9d9",  # grey: left out by ESCAP (no quantitative target)
    "insufficient_data": "#bdbdbd",  # light grey
    "no_data": "#f0f0f0",  # very light grey
}
#: One fixed colour per data-gap category (``gaps.availability``).
GAP_COLOURS: dict[str, str] = {
    "sufficient": "#2166ac",
    "stale": "#92c5de",
    "single_point": "#f4a582",
    "no_data": "#e6e6e6",
}
#: Cells of the availability heatmap: who reported the value, an estimate, or missing.
PRESENCE_COLOURS: dict[str, str] = {
    "national": "#1b7837",  # green: national submission
    "international": "#2b5d8c",  # blue: international database (WDI, UN SDG, HDR, ASEANstats)
    "estimate": "#9ecae1",  # light blue: estimate, modelled, imputed or carried forward
    "missing": "#f2f2f2",
}

#: The member state's own series, its latest value and its projection (trend grid).
SERIES_COLOUR = "#1f4e79"
#: Ring around the baseline value (trend grid).
BASELINE_COLOUR = "#e08214"
#: The highlighted member state among the others (position chart).
HIGHLIGHT_COLOUR = "#d95f02"
#: Other member states (position chart), the ASEAN range band, outlines of near-white
#: bars and legend keys.
MUTED_COLOUR = "#9e9e9e"
#: Opacity of the ASEAN range band behind a series.
BAND_ALPHA = 0.25
#: Horizontal grid lines (trend panels).
GRID_COLOUR = "#e0e0e0"
#: Row guides (position chart).
RULE_COLOUR = "#e6e6e6"

#: Resolution of the PNG images embedded in reports, in dots per inch.
REPORT_DPI = 90
#: Longest indicator label on an axis, in characters (cut with an ellipsis).
MAX_LABEL = 45

#: Activity statuses of implementation tracking (issue 12): done in green, under way in
#: blue, behind in orange, not started in grey, dropped in dark grey.
ACTIVITY_STATUS_COLOURS = {
    "not_started": "#bdbdbd",
    "ongoing": "#6baed6",
    "completed": "#31a354",
    "delayed": "#fd8d3c",
    "cancelled": "#636363",
}

#: Pace labels of the next plan's baseline (issue 13, item 4): the required pace in grey,
#: the observed pace green when on pace, orange when it must accelerate, red when it must
#: reverse (the UNSD status colours' order), blue otherwise.
PACE_COLOURS = {
    "required": "#999999",
    "on_pace": "#1a9850",
    "must_accelerate": "#fdae61",
    "must_reverse": "#d73027",
    "other": "#4575b4",
}

#: Transitions between the mid-term and the end-term status (issue 13,
#: :data:`mtr_analysis.analysis.comparison.TRANSITIONS`): better in teal, worse in red (the
#: ends of the status scale), no change in grey, assessable only now in light blue, no longer
#: assessable in light orange.
TRANSITION_COLOURS: dict[str, str] = {
    "improved": "#5ab4ac",
    "unchanged": "#d9d9d9",
    "worsened": "#d7301f",
    "newly_assessable": "#92c5de",
    "no_longer_assessable": "#f4a582",
}
