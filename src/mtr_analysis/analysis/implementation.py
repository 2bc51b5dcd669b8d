"""Implementation of the plan: completion, timeliness, reporting compliance, results chain.

Comes in: the plan register and the consolidated activity rows written by ``mtr build``
(:func:`mtr_analysis.intake.activities.load_outputs`), the reporting units, and for the
results chain the assessment frame (:func:`mtr_analysis.analysis.trends.assess`).
Goes out: tidy DataFrames — one row per activity × period with its timeliness
(:func:`progress`), counts and shares per status by element, characteristic, responsible
body or reporting unit (:func:`completion`), units that did not report
(:func:`compliance`), change between periods (:func:`period_change`), and the results
chain per element with rule-based divergence findings (:func:`results_chain`,
:func:`chain_findings`). Pure functions: no files are read or written here.

Timeliness at the end of a reporting period (31 December of its year): ``completed``;
``late`` when the status is *delayed*, or the activity is not completed although its
planned end has passed; ``on_schedule`` for an activity not started or ongoing whose
planned end has not passed; ``cancelled``. *On time* = completed + on schedule.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mtr_analysis.analysis.status import ASSESSABLE, ON_TRACK, REGRESSING
from mtr_analysis.reference.units import ReportingUnits, load_units
from mtr_analysis.settings import Settings, or_default

STATUSES = ("not_started", "ongoing", "completed", "delayed", "cancelled")
TIMELINESS = ("completed", "on_schedule", "late", "cancelled")
GROUPINGS = ("element", "characteristic", "responsible_unit", "unit")
REGISTER_FIELDS = ["element", "characteristic", "responsible_unit", "planned_start",
                   "planned_end", "budget", "indicator_ids", "title"]  # fmt: skip


def progress(
    register: pd.DataFrame, rows: pd.DataFrame, units: ReportingUnits | None = None
) -> pd.DataFrame:
    """One row per reported activity × period, with the register's fields, the plan's
    ``scope`` (``ASEAN`` for the sectoral bodies' work plans, else the country's ISO3) and
    ``timeliness``.

    Parameters
    ----------
    register : pandas.DataFrame
        Plan register indexed by ``activity_id``.
    rows : pandas.DataFrame
        Consolidated activity rows (``activity_id``, ``period``, ``unit``, ``status``,
        ``percent_complete`` …).
    """
    units = units or load_units()
    out = rows.join(register[REGISTER_FIELDS], on="activity_id")
    out["scope"] = out["responsible_unit"].map(units.units["scope"])
    period_end = pd.to_datetime(out["period"].astype(int).astype(str) + "-12-31")
    passed = out["planned_end"] < period_end
    status = out["status"]
    out["timeliness"] = np.select(
        [status.eq("cancelled"), status.eq("completed"), status.eq("delayed") | passed],
        ["cancelled", "completed", "late"],
        default="on_schedule",
    )
    return out


def _weighted(prog: pd.DataFrame, groups: dict[Any, np.ndarray]) -> list[float]:
    """Budget-weighted mean percent complete per group: Σ(pct × budget) / Σ budget over
    the rows with both (budget > 0); NaN when no row of the group has one.

    ``groups`` maps each group to the positions of its rows (``GroupBy.indices``); sums
    run over the rows in their order, as ``Series.sum`` would."""
    pct = prog["percent_complete"].to_numpy(dtype=float)
    budget = prog["budget"].to_numpy(dtype=float)
    ok = ~np.isnan(pct) & ~np.isnan(budget) & (budget > 0)
    out = []
    for rows in groups.values():
        rows = rows[ok[rows]]
        out.append(
            float((pct[rows] * budget[rows]).sum() / budget[rows].sum())
            if len(rows)
            else float("nan")
        )
    return out


def completion(prog: pd.DataFrame, by: str = "element") -> pd.DataFrame:
    """Counts and shares per status and timeliness, by ``by`` × period.

    Columns: ``by``, ``period``, ``activities``, one count per status and per timeliness
    category (``n_<code>``), shares (``share_<code>`` = count / activities),
    ``share_on_time`` (completed + on schedule), ``mean_percent`` (unweighted, rows with a
    percentage) and ``budget_weighted_percent`` (``_weighted``: percent complete weighted by budget).
    """
    if by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}; allowed: {', '.join(GROUPINGS)}")
    keys = [by, "period"]
    if prog.empty:
        return pd.DataFrame(columns=[*keys, "activities"])
    g = prog.groupby(keys, sort=True)
    out = g.size().rename("activities").to_frame()
    # One grouped sum of indicator columns (a Python count per group and code cost most
    # of a report's implementation chapter).
    flags = {f"n_{c}": prog["status"].eq(c) for c in STATUSES} | {
        f"n_{c}": prog["timeliness"].eq(c) for c in ("on_schedule", "late")
    }
    counts = pd.DataFrame(flags).fillna(False).astype(bool).groupby([prog[k] for k in keys])
    out = out.join(counts.sum().astype("int64"))
    for code in (*STATUSES, "on_schedule", "late"):
        out[f"share_{code}"] = out[f"n_{code}"] / out["activities"]
    out["share_on_time"] = (out["n_completed"] + out["n_on_schedule"]) / out["activities"]
    out["mean_percent"] = g["percent_complete"].mean()
    indices = g.indices
    weighted = dict(zip(indices, _weighted(prog, indices), strict=True))
    out["budget_weighted_percent"] = [weighted[key] for key in out.index]
    return out.reset_index()


def expected_units(
    register: pd.DataFrame, period: int, units: ReportingUnits | None = None
) -> pd.Series:
    """Activities expected in a report for ``period`` (planned start year ≤ period ≤
    planned end year), counted per responsible unit rolled up to the new units."""
    units = units or load_units()
    active = register.loc[
        (register["planned_start"].dt.year <= period) & (register["planned_end"].dt.year >= period)
    ]
    return units.roll_up(active["responsible_unit"]).value_counts().sort_index()


def compliance(
    register: pd.DataFrame,
    rows: pd.DataFrame,
    periods: list[int] | None = None,
    units: ReportingUnits | None = None,
) -> pd.DataFrame:
    """Which units reported for which period: a data gap of its own.

    One row per period × unit expected to report (:func:`expected_units`): ``period``,
    ``unit``, ``activities_expected``, ``activities_reported`` (its expected activities
    with an accepted row), ``reported`` (any accepted row of the unit in the period) and
    ``reported_by`` (the unit codes as written, e.g. old province codes, ``;``-joined).
    ``periods`` defaults to the periods found in ``rows``, per plan scope (a national plan
    is not expected to report for a period only the regional plan reported for).
    """
    units = units or load_units()
    scope = register["responsible_unit"].map(units.units["scope"])
    if periods is None and scope.nunique() > 1:
        parts = [
            compliance(register.loc[scope == sc], rows.loc[rows["activity_id"].isin(
                register.index[scope == sc])], None, units)
            for sc in sorted(scope.dropna().unique())
        ]  # fmt: skip
        return pd.concat(parts, ignore_index=True).sort_values(
            ["period", "unit"], ignore_index=True
        )
    periods = sorted(set(rows["period"].astype(int))) if periods is None else periods
    out = []
    for period in periods:
        exp = expected_units(register, period, units)
        got = rows.loc[rows["period"].astype(int) == period]
        active = register.loc[
            (register["planned_start"].dt.year <= period)
            & (register["planned_end"].dt.year >= period)
        ]
        owner = units.roll_up(active["responsible_unit"])
        for unit, n in exp.items():
            mine = got.loc[got["unit"] == unit]
            out.append({
                "period": period, "unit": unit, "activities_expected": int(n),
                "activities_reported": int(mine["activity_id"].isin(owner.index[owner == unit]).sum()),
                "reported": bool(len(mine)),
                "reported_by": ";".join(sorted(set(mine["reporting_unit"]))),
            })  # fmt: skip
    cols = [
        "period",
        "unit",
        "activities_expected",
        "activities_reported",
        "reported",
        "reported_by",
    ]
    return pd.DataFrame(out, columns=cols)


def period_change(prog: pd.DataFrame, by: str = "element") -> pd.DataFrame:
    """Completion by ``by`` in each period next to the previous period's.

    Columns: ``by``, ``period``, ``share_completed``, ``mean_percent`` and their changes
    from the group's previous reported period (``change_share_completed`` in share
    points, ``change_mean_percent`` in percentage points; NaN for the first period).
    """
    comp = completion(prog, by)
    if comp.empty:
        return comp
    comp = comp.sort_values([by, "period"])[[by, "period", "share_completed", "mean_percent"]]
    g = comp.groupby(by)
    comp["change_share_completed"] = g["share_completed"].diff()
    comp["change_mean_percent"] = g["mean_percent"].diff()
    return comp.reset_index(drop=True)


def results_chain(
    prog: pd.DataFrame,
    assessment: pd.DataFrame,
    period: int | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Implementation next to outcomes, per element, with the divergence rule.

    For each element with activities reported in ``period`` (default: the latest):
    ``activities``, ``share_completed``, ``mean_percent``; the indicators linked to its
    activities in the register (``indicators``), and over the assessment rows of those
    indicators (every country × indicator given): ``assessable``, ``on_track``,
    ``regressing``. ``divergence`` is ``completed_but_regressing`` when share_completed ≥
    ``implementation.high_completion`` and regressing / assessable ≥ ``regressing_share``;
    ``lagging_but_on_track`` when share_completed ≤ ``low_completion`` and on_track /
    assessable ≥ ``on_track_share``; both need assessable ≥ ``min_indicators``; else "".
    """
    cfg = or_default(settings).implementation
    cols = ["element", "period", "activities", "share_completed", "mean_percent",
            "indicators", "assessable", "on_track", "regressing", "divergence"]  # fmt: skip
    if prog.empty:
        return pd.DataFrame(columns=cols)
    period = int(prog["period"].max()) if period is None else period
    now = prog.loc[prog["period"].astype(int) == period]
    out = []
    for element, g in now.groupby("element", sort=True):
        linked = sorted({i for s in g["indicator_ids"].fillna("") for i in str(s).split(";") if i})
        st = assessment.loc[assessment["indicator"].isin(linked), "status"]
        assessable = int(st.isin(ASSESSABLE).sum())
        on_track, regressing = int(st.isin(ON_TRACK).sum()), int(st.isin(REGRESSING).sum())
        done = float(g["status"].eq("completed").mean())
        kind = ""
        if assessable >= cfg.min_indicators:
            if done >= cfg.high_completion and regressing / assessable >= cfg.regressing_share:
                kind = "completed_but_regressing"
            elif done <= cfg.low_completion and on_track / assessable >= cfg.on_track_share:
                kind = "lagging_but_on_track"
        out.append({
            "element": element, "period": period, "activities": len(g),
            "share_completed": done, "mean_percent": float(g["percent_complete"].mean()),
            "indicators": ";".join(linked), "assessable": assessable,
            "on_track": on_track, "regressing": regressing, "divergence": kind,
        })  # fmt: skip
    return pd.DataFrame(out, columns=cols)


def chain_findings(chain: pd.DataFrame) -> list[dict]:
    """The divergences of :func:`results_chain` as facts for sentences and findings JSON.

    Each dict: ``kind`` (the divergence), ``element``, ``period``, ``completed`` (count),
    ``activities``, ``regressing``, ``on_track``, ``assessable``, ``indicators`` (list).
    """
    out = []
    for r in chain.loc[chain["divergence"].ne("")].itertuples(index=False):
        out.append({
            "kind": r.divergence, "element": r.element, "period": int(r.period),
            "completed": int(round(r.share_completed * r.activities)),
            "activities": int(r.activities), "regressing": int(r.regressing),
            "on_track": int(r.on_track), "assessable": int(r.assessable),
            "indicators": [i for i in r.indicators.split(";") if i],
        })  # fmt: skip
    return out
