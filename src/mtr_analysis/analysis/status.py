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

The ESCAP method (``trends.assess(method="escap")``) uses ESCAP's own classes of the
Anticipated Progress Index (ESCAP, *Asia and the Pacific SDG Progress Report 2025*, Annex 1
"Technical notes – methodology to measure progress"; the UNECA dashboard legend
"MAINTAIN progress to achieve target / ACCELERATE progress / REVERSE trend / Insufficient
data"): ``maintain_progress``, ``accelerate_progress``, ``reverse_trend``, and
``no_target`` for a series ESCAP leaves out because no quantitative target can be set
(its selection criterion (b)). They join the same three groups. :data:`METHOD_STATUSES`
says which codes each method gives, so legends show a method's own labels only.

Robustness codes (:data:`ROBUSTNESS_ORDER`, :mod:`mtr_analysis.analysis.robustness`) say
whether a status group stays the same under every method, baseline year ±1 and an earlier
data vintage.

Examples
--------
>>> STATUS_ORDER[0], STATUS_ORDER[-1]
('target_met', 'no_data')
>>> sorted(NEEDS_ACCELERATION)
['accelerate_progress', 'marginal_progress', 'moderate_progress', 'stagnation']
"""

from __future__ import annotations

#: Statuses from best to worst, then the two "cannot assess" statuses. A list (not a
#: tuple) because callers build column lists from it (``STATUS_ORDER + ["n_pairs"]``).
STATUS_ORDER: list[str] = [
    "target_met",
    "on_track",
    "maintain_progress",
    "moderate_progress",
    "marginal_progress",
    "stagnation",
    "accelerate_progress",
    "regression",
    "reverse_trend",
    "no_target",
    "insufficient_data",
    "no_data",
]

#: *On track*: the target is met or the projection reaches it.
ON_TRACK: frozenset[str] = frozenset({"target_met", "on_track", "maintain_progress"})
#: *Needs acceleration*: progress too slow to reach the target, or none.
NEEDS_ACCELERATION: frozenset[str] = frozenset(
    {"moderate_progress", "marginal_progress", "stagnation", "accelerate_progress"}
)
#: *Regressing*: moving away from the target.
REGRESSING: frozenset[str] = frozenset({"regression", "reverse_trend"})
#: Statuses that judge progress (the three groups above).
ASSESSABLE: frozenset[str] = ON_TRACK | NEEDS_ACCELERATION | REGRESSING
#: Statuses given when progress cannot be judged (too few data points).
NOT_ASSESSABLE: frozenset[str] = frozenset({"no_target", "insufficient_data", "no_data"})

_UNSD_STATUSES = [
    "target_met", "on_track", "moderate_progress", "marginal_progress", "stagnation",
    "regression", "insufficient_data", "no_data",
]  # fmt: skip
#: The statuses each method gives, in :data:`STATUS_ORDER` (legends list these only).
METHOD_STATUSES: dict[str, list[str]] = {
    "unsd": _UNSD_STATUSES,
    "ols": _UNSD_STATUSES,
    "escap": [
        "maintain_progress", "accelerate_progress", "reverse_trend", "no_target",
        "insufficient_data", "no_data",
    ],
}  # fmt: skip

#: Robustness of a status (column ``robustness`` of ``assessment.csv``): the status group
#: (on track / needs acceleration / regressing) is the same under every method and
#: baseline year ±1 and data vintage tried (``robust``); differs between methods
#: (``method_sensitive``); is the same under every method but changes with the baseline
#: year (``baseline_sensitive``) or with an earlier vintage of the data
#: (``vintage_sensitive``); ``not_assessed`` when the chosen method judged no progress.
ROBUSTNESS_ORDER: list[str] = [
    "robust",
    "method_sensitive",
    "baseline_sensitive",
    "vintage_sensitive",
    "not_assessed",
]


def status_group(status: str) -> str:
    """``"on_track"``, ``"needs_acceleration"``, ``"regressing"`` or ``"not_assessable"``.

    >>> status_group("maintain_progress"), status_group("stagnation")
    ('on_track', 'needs_acceleration')
    """
    if status in ON_TRACK:
        return "on_track"
    if status in NEEDS_ACCELERATION:
        return "needs_acceleration"
    if status in REGRESSING:
        return "regressing"
    if status in NOT_ASSESSABLE:
        return "not_assessable"
    raise ValueError(f"unknown status {status!r}; known: {', '.join(STATUS_ORDER)}")


def shown_statuses(methods: set[str], present: set[str]) -> list[str]:
    """Statuses a legend or count table shows, in :data:`STATUS_ORDER`: the method's own
    (:data:`METHOD_STATUSES`) plus any other status present; all of them when the method is
    unknown or several methods are mixed.

    Examples
    --------
    >>> shown_statuses({"escap"}, set())[:2]
    ['maintain_progress', 'accelerate_progress']
    """
    if len(methods) != 1 or next(iter(methods)) not in METHOD_STATUSES:
        return list(STATUS_ORDER)
    own = set(METHOD_STATUSES[next(iter(methods))])
    return [s for s in STATUS_ORDER if s in own or s in present]
