"""The progress-status vocabulary: the status codes, their order and their groups.

One home for the statuses that :func:`mtr_analysis.analysis.trends.assess` assigns and
that findings, tables and figures count, group, colour and label. Colours live in
:mod:`mtr_analysis.reporting.style` and the words in both languages in the word
catalogues of :mod:`mtr_analysis.reporting.i18n`; both are checked against
:data:`STATUS_ORDER` by the tests.

The codes follow the categories of the UN Statistics Division's SDG Progress Chart
(technical notes 2022–2024, ``spec/methods.md`` section 3.1): with a target, *target met*,
*on track* (substantial progress), *moderate progress*, *marginal progress*, *stagnation*
and *regression* (deterioration); the chart's "insufficient data" is split into
``insufficient_data`` (fewer than two data points in the window) and ``no_data``.
The three groups used in sentences and summary tables follow the chart's colour bands and
ESCAP's wording: *on track* (green), *needs acceleration* (yellow to orange) and
*regressing* (red).

Examples
--------
>>> STATUS_ORDER[0], STATUS_ORDER[-1]
('target_met', 'no_data')
>>> sorted(NEEDS_ACCELERATION)
['marginal_progress', 'moderate_progress', 'stagnation']
"""

from __future__ import annotations

#: Statuses from best to worst, then the two "cannot assess" statuses. A list (not a
#: tuple) because callers build column lists from it (``STATUS_ORDER + ["n_pairs"]``).
STATUS_ORDER: list[str] = [
    "target_met",
    "on_track",
    "moderate_progress",
    "marginal_progress",
    "stagnation",
    "regression",
    "insufficient_data",
    "no_data",
]

#: *On track*: the target is met or the projection reaches it.
ON_TRACK: frozenset[str] = frozenset({"target_met", "on_track"})
#: *Needs acceleration*: progress too slow to reach the target, or none.
NEEDS_ACCELERATION: frozenset[str] = frozenset(
    {"moderate_progress", "marginal_progress", "stagnation"}
)
#: *Regressing*: moving away from the target.
REGRESSING: frozenset[str] = frozenset({"regression"})
#: Statuses that judge progress (the three groups above).
ASSESSABLE: frozenset[str] = ON_TRACK | NEEDS_ACCELERATION | REGRESSING
#: Statuses given when progress cannot be judged (too few data points).
NOT_ASSESSABLE: frozenset[str] = frozenset({"insufficient_data", "no_data"})
