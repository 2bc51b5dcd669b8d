"""Progress assessment per country × indicator, after the UNSD SDG Progress Chart method.

:func:`assess` takes the availability table of :func:`mtr_analysis.gaps.availability`
(baseline and latest point of each series), computes the compound annual growth rate
(:func:`cagr`) between them and classifies the series into :data:`STATUS_ORDER`:

- with a numeric target (catalogue ``target_kind`` ``absolute`` or ``interpretive``), the
  share of the required baseline → target change that the extrapolated value reaches at
  the target year;
- without one (including ``relative`` targets, for now), the growth rate in the desirable
  direction against fixed bands.

:func:`summarise_status` counts statuses per group. Everything is vectorised over series.
Source: UNSD Progress Chart technical notes as summarised in ``spec/methods.md`` section 3.1.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral, Real

import numpy as np
import pandas as pd

from mtr_analysis.catalogue import Catalogue
from mtr_analysis.gaps import REGION_LABEL

#: Statuses from best to worst, then the two "cannot assess" statuses.
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

#: Plain-language English labels of :data:`STATUS_ORDER`.
STATUS_LABELS_EN: dict[str, str] = {
    "target_met": "Target met",
    "on_track": "On track",
    "moderate_progress": "Moderate progress",
    "marginal_progress": "Marginal progress",
    "stagnation": "Stagnation",
    "regression": "Regression",
    "insufficient_data": "Insufficient data",
    "no_data": "No data",
}

#: Output columns of :func:`assess`, in order.
ASSESSMENT_COLUMNS: list[str] = [
    "country",
    "indicator",
    "characteristic",
    "element",
    "n_obs",
    "baseline_year",
    "baseline_value",
    "latest_year",
    "latest_value",
    "gap_category",
    "cagr",
    "target_value",
    "target_year",
    "projected_value",
    "progress_ratio",
    "status",
]

#: Catalogue ``target_kind`` values whose ``target_value`` is used as a numeric target.
NUMERIC_TARGET_KINDS = ("absolute", "interpretive")

#: The five trend statuses, best first, matching the four cut-offs of a threshold tuple.
_TREND_STATUSES = ["on_track", "moderate_progress", "marginal_progress", "stagnation"]
_REQUIRED_AVAIL = (
    "country",
    "indicator",
    "n_obs",
    "baseline_year",
    "baseline_value",
    "latest_year",
    "latest_value",
    "gap_category",
)


# --------------------------------------------------------------------------- CAGR
def _as_float_array(x: object) -> np.ndarray:
    if isinstance(x, pd.Series | pd.Index):
        return x.to_numpy(dtype=np.float64, na_value=np.nan)
    if x is None or x is pd.NA:
        return np.array(np.nan)
    if isinstance(x, pd.api.extensions.ExtensionArray):
        return x.to_numpy(dtype=np.float64, na_value=np.nan)
    return np.asarray(x, dtype=np.float64)


def cagr(v_start: object, v_end: object, t_start: object, t_end: object) -> object:
    """Compound annual growth rate between two observations (vectorised).

    Parameters
    ----------
    v_start, v_end : float, array-like or pandas.Series
        Values at the start and end (same unit; must be > 0).
    t_start, t_end : int, float, array-like or pandas.Series
        Years of the two values.

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        Growth per year as a fraction (0.02 = 2 % a year). A Series (with the index of
        the first Series argument) when any argument is a Series, a float when all are
        scalars, an array otherwise. NaN where ``t_end <= t_start``, where either value
        is <= 0, or where any input is missing.

    Notes
    -----
    ``CAGR = (v_end / v_start) ** (1 / (t_end - t_start)) - 1`` (UNSD Progress Chart
    technical note, "actual growth rate"), computed as
    ``expm1((ln v_end - ln v_start) / (t_end - t_start))`` for accuracy near 0.
    """
    series_index = next(
        (a.index for a in (v_start, v_end, t_start, t_end) if isinstance(a, pd.Series)), None
    )
    vs, ve, ts, te = np.broadcast_arrays(
        *(_as_float_array(a) for a in (v_start, v_end, t_start, t_end))
    )
    span = te - ts
    valid = (vs > 0) & (ve > 0) & (span > 0)  # comparisons with NaN are False
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        rate = np.expm1((np.log(ve) - np.log(vs)) / span)
    out = np.where(valid, rate, np.nan)
    if series_index is not None:
        return pd.Series(out, index=series_index, name="cagr")
    if out.ndim == 0:
        return float(out)
    return out


# --------------------------------------------------------------------------- assessment
def _check_cutoffs(name: str, cutoffs: Sequence[float]) -> tuple[float, ...]:
    values = tuple(cutoffs)
    if len(values) != 4 or not all(
        isinstance(v, Real) and not isinstance(v, bool) and np.isfinite(v) for v in values
    ):
        raise ValueError(f"{name} must be four finite numbers, got {cutoffs!r}")
    if not all(a > b for a, b in zip(values, values[1:], strict=False)):
        raise ValueError(f"{name} must be strictly decreasing, got {cutoffs!r}")
    return tuple(float(v) for v in values)


def _indicator_table(catalogue: Catalogue | pd.DataFrame) -> pd.DataFrame:
    table = catalogue.indicators if isinstance(catalogue, Catalogue) else catalogue
    if not isinstance(table, pd.DataFrame):
        raise TypeError("catalogue must be a Catalogue or its indicators DataFrame")
    needed = ["characteristic", "element", "direction", "target_value", "target_year"]
    missing = [c for c in needed + ["target_kind"] if c not in table.columns]
    if missing:
        raise ValueError(f"catalogue indicators lack column(s): {', '.join(missing)}")
    return table


def _classify(score: np.ndarray, cutoffs: tuple[float, ...]) -> np.ndarray:
    """Trend status of ``score`` for decreasing ``cutoffs`` (>= first → on_track, ...)."""
    return np.select([score >= c for c in cutoffs], _TREND_STATUSES, default="regression").astype(
        object
    )


def assess(
    avail: pd.DataFrame,
    catalogue: Catalogue | pd.DataFrame,
    target_year_default: int = 2030,
    thresholds: Sequence[float] = (0.95, 0.5, 0.1, -0.1),
    cagr_bands: Sequence[float] = (0.02, 0.01, 0.005, -0.005),
) -> pd.DataFrame:
    """Assess progress of every country × indicator series (UNSD progress-chart method).

    Parameters
    ----------
    avail : pandas.DataFrame
        Output of :func:`mtr_analysis.gaps.availability`.
    catalogue : Catalogue or pandas.DataFrame
        The catalogue (or its ``indicators`` table indexed by id): ``direction``
        (``"increase"``/``"decrease"`` desirable), ``target_value`` (indicator unit),
        ``target_year``, ``target_kind``, ``characteristic``, ``element``.
    target_year_default : int
        Projection horizon when the catalogue gives no target year (calendar year).
    thresholds : four decreasing floats
        Cut-offs on the progress ratio ``r`` for on_track, moderate_progress,
        marginal_progress and stagnation; below the last → regression.
    cagr_bands : four decreasing floats
        Cut-offs on the directional growth rate ``d`` (fraction per year) with the same
        meaning, for series without a numeric target.

    Returns
    -------
    pandas.DataFrame
        One row per row of ``avail`` (same order), columns :data:`ASSESSMENT_COLUMNS`:
        the identifying and availability columns copied from ``avail`` plus
        ``characteristic``, ``element`` (string); ``cagr`` (float, fraction per year,
        NaN when undefined); ``target_value`` (float, NaN without a numeric target);
        ``target_year`` (Int64: the projection horizon ``T`` — the catalogue target year,
        else ``target_year_default`` — a target year only where ``target_value`` is set);
        ``projected_value`` (float, value expected at ``T``); ``progress_ratio`` (float,
        ``r`` below, NaN without a usable numeric target); ``status`` (string, one of
        :data:`STATUS_ORDER`).

    Raises
    ------
    ValueError
        On a missing column, an indicator not in the catalogue, or bad cut-offs.

    Notes
    -----
    Let ``b, v_b`` be the baseline year and value, ``t, v_t`` the latest year and value,
    ``s = +1`` when an increase is desirable and ``-1`` otherwise, ``V*`` the target.
    Statuses, first match wins:

    1. ``no_data`` when ``n_obs = 0``; ``insufficient_data`` when there is no baseline
       strictly before the latest year (fewer than two distinct years). At least two
       points are needed even when the single value meets the target (UNSD rule).
    2. ``target_met`` when a numeric target exists and ``s·(v_t − V*) >= 0``, whatever the
       trend.
    3. With a numeric target, the growth ``g = CAGR(v_b, v_t, b, t)`` is extrapolated to
       ``T``: ``v̂ = v_t·(1 + g)^(T − t)`` and ``r = (v̂ − v_b) / (V* − v_b)``, the share
       of the required change achieved (UNSD: ``r >= 0.95`` on track, ``0.5 <= r < 0.95``
       moderate, ``0.1 <= r < 0.5`` marginal, ``−0.1 <= r < 0.1`` stagnation,
       ``r < −0.1`` regression). When the baseline already met the target
       (``s·(V* − v_b) <= 0``, including ``V* = v_b``) ``r`` is undefined; since the
       latest value no longer meets it the series moved away from the target:
       ``regression`` when ``s·(v̂ − v_b) < 0``, else ``stagnation``.
    4. Without a numeric target (``relative`` targets included for now), the directional
       growth ``d = s·g`` is banded: ``d >= 2 %`` on track, ``1–2 %`` moderate,
       ``0.5–1 %`` marginal, ``−0.5–0.5 %`` stagnation, ``< −0.5 %`` regression (UNSD
       cut-offs; EUSTAT uses the same 2 % and 0.5 %).

    Non-positive values make the CAGR undefined (``cagr`` is NaN). The projection then
    uses the average annual absolute change ``Δ = (v_t − v_b)/(t − b)`` linearly:
    ``v̂ = v_t + Δ·(T − t)``; and the banded rate is the arc (midpoint) growth rate
    ``Δ / ((|v_b| + |v_t|)/2)`` (0 when both values are 0), which approximates the CAGR
    for small changes of positive values.

    Shares (units beginning "% of") are bounded: their projection is clipped to 0–100.

    When the horizon has passed (``T < t``) the series is judged on its latest value:
    ``v̂ = v_t`` (no back-casting; UNSD: "where the target year has passed, assess up to
    that year").
    """
    if isinstance(target_year_default, bool) or not isinstance(target_year_default, Integral):
        raise TypeError(f"target_year_default must be an integer, got {target_year_default!r}")
    thresholds = _check_cutoffs("thresholds", thresholds)
    cagr_bands = _check_cutoffs("cagr_bands", cagr_bands)
    if not isinstance(avail, pd.DataFrame):
        raise TypeError(f"avail must be a pandas DataFrame, got {type(avail).__name__}")
    missing = [c for c in _REQUIRED_AVAIL if c not in avail.columns]
    if missing:
        raise ValueError(f"avail lacks required column(s): {', '.join(missing)}")
    table = _indicator_table(catalogue)
    ids = avail["indicator"].astype(str)
    unknown = sorted(set(ids) - set(table.index.astype(str)))
    if unknown:
        raise ValueError(f"avail has indicator(s) not in the catalogue: {', '.join(unknown)}")

    def per_indicator(column: str) -> pd.Series:
        return ids.map(table[column])

    sign = np.where(per_indicator("direction").astype(str).eq("increase"), 1.0, -1.0)
    units = per_indicator("unit") if "unit" in table.columns else pd.Series("", index=ids.index)
    bounded = units.astype(str).str.startswith("% of").to_numpy()
    kind = per_indicator("target_kind").astype(str)
    target = pd.to_numeric(per_indicator("target_value"), errors="coerce").to_numpy(np.float64)
    numeric_target = kind.isin(NUMERIC_TARGET_KINDS).to_numpy() & ~np.isnan(target)
    target = np.where(numeric_target, target, np.nan)
    horizon = (
        pd.to_numeric(per_indicator("target_year"), errors="coerce")
        .fillna(target_year_default)
        .to_numpy(np.float64)
    )

    n_obs = avail["n_obs"].to_numpy(dtype=np.float64, na_value=0.0)
    b = _as_float_array(avail["baseline_year"])
    t = _as_float_array(avail["latest_year"])
    v_b = _as_float_array(avail["baseline_value"])
    v_t = _as_float_array(avail["latest_value"])
    has_data = n_obs > 0
    has_trend = has_data & (b < t) & ~np.isnan(v_b) & ~np.isnan(v_t)

    growth = cagr(v_b, v_t, b, t)
    log_scale = ~np.isnan(growth)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        slope = (v_t - v_b) / (t - b)  # average annual absolute change
        mid_level = (np.abs(v_b) + np.abs(v_t)) / 2
        arc_rate = np.where(mid_level > 0, slope / mid_level, 0.0)
        ahead = np.maximum(horizon - t, 0.0)
        projected = np.where(log_scale, v_t * (1 + growth) ** ahead, v_t + slope * ahead)
        projected = np.where(has_trend, projected, np.nan)
        # Shares ("% of …") cannot leave 0–100: extrapolating a CAGR would overshoot.
        projected = np.where(bounded, np.clip(projected, 0.0, 100.0), projected)
        required = sign * (target - v_b)  # > 0 when the baseline falls short of the target
        ratio_defined = numeric_target & has_trend & (required > 0)
        ratio = np.where(ratio_defined, (projected - v_b) / (target - v_b), np.nan)
        directional_rate = sign * np.where(log_scale, growth, arc_rate)
    met = numeric_target & (sign * (v_t - target) >= 0)
    moved_away = np.where(sign * (projected - v_b) < 0, "regression", "stagnation")

    status = np.select(
        [~has_data, ~has_trend, met, ratio_defined, numeric_target],
        [
            "no_data",
            "insufficient_data",
            "target_met",
            _classify(ratio, thresholds),
            moved_away,
        ],
        default=_classify(directional_rate, cagr_bands),
    )

    return pd.DataFrame(
        {
            "country": avail["country"].astype("string"),
            "indicator": avail["indicator"].astype("string"),
            "characteristic": pd.array(per_indicator("characteristic"), dtype="string"),
            "element": pd.array(per_indicator("element"), dtype="string"),
            "n_obs": avail["n_obs"],
            "baseline_year": avail["baseline_year"].astype("Int64"),
            "baseline_value": v_b,
            "latest_year": avail["latest_year"].astype("Int64"),
            "latest_value": v_t,
            "gap_category": avail["gap_category"].astype("string"),
            "cagr": np.where(has_trend, growth, np.nan),
            "target_value": target,
            "target_year": pd.array(horizon.astype(np.int64), dtype="Int64"),
            "projected_value": projected,
            "progress_ratio": ratio,
            "status": pd.array(status, dtype="string"),
        },
        index=avail.index,
    )[ASSESSMENT_COLUMNS]


# --------------------------------------------------------------------------- summaries
def summarise_status(assessment: pd.DataFrame, by: str = "characteristic") -> pd.DataFrame:
    """Count assessment statuses per group.

    Parameters
    ----------
    assessment : pandas.DataFrame
        Output of :func:`assess`.
    by : str
        A column of ``assessment`` (``"characteristic"``, ``"element"``, ``"country"``,
        ``"indicator"``, ...) or ``"region"`` for a single row over all series.

    Returns
    -------
    pandas.DataFrame
        One row per group (sorted), columns ``by``, one int64 count column per status in
        :data:`STATUS_ORDER` (zeros included) and ``n_pairs`` (their sum).

    Raises
    ------
    ValueError
        When ``by`` is not a column (nor ``"region"``) or a status is unknown.
    """
    if not isinstance(assessment, pd.DataFrame) or "status" not in assessment.columns:
        raise ValueError("assessment must be a DataFrame with a 'status' column")
    frame = assessment
    if by == "region" and "region" not in frame.columns:
        frame = frame.assign(region=REGION_LABEL)
    if by not in frame.columns:
        raise ValueError(f"by must be a column of assessment or 'region'; got {by!r}")
    unknown = sorted(set(frame["status"].dropna().astype(str)) - set(STATUS_ORDER))
    if unknown:
        raise ValueError(f"assessment has unknown status value(s): {', '.join(unknown)}")
    status = pd.Categorical(frame["status"].astype(str), categories=STATUS_ORDER)
    counts = pd.crosstab(frame[by].astype("string"), status, dropna=False)
    counts = counts.reindex(columns=STATUS_ORDER, fill_value=0).astype(np.int64)
    counts.columns = list(STATUS_ORDER)
    counts["n_pairs"] = counts.sum(axis=1).astype(np.int64)
    out = counts.rename_axis(by).reset_index()
    out[by] = out[by].astype("string")
    return out.sort_values(by, kind="stable").reset_index(drop=True)
