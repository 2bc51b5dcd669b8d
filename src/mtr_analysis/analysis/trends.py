"""Progress assessment per country × indicator: UNSD progress chart, ESCAP, OLS trend.

:func:`assess` classifies every series of the availability table of
:func:`mtr_analysis.analysis.gaps.availability` into :data:`STATUS_ORDER` with one of
:data:`METHODS`:

- ``"unsd"`` (the shipped ``assessment.method``), the UN Statistics Division's SDG Progress Chart: compound annual
  growth rate (:func:`cagr`) between the baseline and the latest point, extrapolated to
  the target year;
- ``"escap"``, ESCAP's anticipated progress: a time-weighted linear regression on all data
  since ``escap.start_year`` on a scale fitted to the unit (:func:`preferred_scale`: logit
  for bounded shares and indices, log for positive rates and counts, linear only where a
  value can be negative), extrapolated to the target year and judged in ESCAP's own
  classes (:mod:`mtr_analysis.analysis.escap`);
- ``"ols"``, an ordinary least-squares trend on the review window with the confidence
  interval of its slope (the closed form of ``statsmodels.OLS``, vectorised).

With a numeric target (catalogue ``target_kind`` ``absolute`` or ``interpretive``, or a
``relative`` target made numeric by the catalogue's ``target_factor`` and
``target_base_year``: ``V* = factor × value in the base year``, as UNSD makes "halve by
2030" numeric from the baseline value) the status comes from the share of the required
baseline → target change that the projected value reaches; without one (``directional``
targets that give no number, such as "substantially reduce") from the trend's growth rate in the
desirable direction against fixed bands (UNSD's rule for targets without a numeric value). :func:`summarise_status` counts statuses per
group. Everything is vectorised over series. The cut-offs, bands and other method parameters
come from the method settings (:class:`mtr_analysis.settings.Settings`,
``config/methods.yaml``).

Sources: ``spec/methods.md`` section 3.1 (UN Statistics Division, *SDG Progress Chart 2022
Technical Note*, *Progress Chart Technical Note 2023* and *Technical Note for Progress
Assessment 2024*, as reproduced by EUSTAT: ``unsd.edition``) and section 1.3 (ESCAP,
*Asia and the Pacific SDG Progress Report 2025*, Annex 1 "Technical notes – methodology to
measure progress", and the Progress Assessment Methodology page of data.unescap.org;
ESCAP SD/WP/04 weighted extrapolation: ``escap.edition``).

Output of :func:`assess`
------------------------
- ``country``, ``indicator``, ``n_obs``, ``baseline_year``, ``baseline_value``,
  ``latest_year``, ``latest_value``, ``gap_category``: copied from ``avail``;
  ``characteristic``, ``element`` from the catalogue;
- ``cagr`` (float, fraction per year): observed CAGR from the baseline to the latest point,
  whatever the method (NaN when undefined and for growth-rate series);
- ``target_value`` (float, indicator unit; NaN without a numeric target); ``target_year``
  (Int64): the projection horizon ``T`` (catalogue target year, else
  ``assessment.target_year_default``);
- ``projected_value`` (float, indicator unit): value expected at ``T`` by the method,
  clipped to the unit's :func:`natural_bounds`; the latest value when ``T`` has passed; NaN
  for growth-rate series;
- ``progress_ratio`` (float): ``r`` below; NaN without a usable numeric target;
- ``status`` (string): one of :data:`STATUS_ORDER`;
- ``method`` (string), ``method_edition`` (the edition of the method's source followed);
``assessed_year``, ``assessed_value``: the point judged (the value in the target year when
it has passed, else the latest); ``reference_year``, ``reference_value``: where progress is
measured from (the baseline; ESCAP: 2015, estimated from the trend when not observed);
``current_status``, ``expected_status``: ESCAP's Current Status Index and the share of the
years elapsed; ``n_fit`` (int64): observations behind the trend; ``fit_scale``
  (``"log"``, ``"linear"``, ``"logit"``; ``""`` without trend); ``slope`` (per year on
  ``fit_scale``: ``ln(1 + g)`` for ``"log"``, indicator unit for ``"linear"``, logit units
  for ``"logit"``); ``slope_ci_low``, ``slope_ci_high`` (regression methods, NaN with fewer
  than 3 points); ``trend_rate`` (fraction per year, the rate the no-target bands judge,
  before the direction sign); ``projected_ci_low``, ``projected_ci_high`` (confidence
  interval of the fitted mean at ``T``, regression methods).

Statuses
--------
Notation: ``b, v_b`` baseline year and value and ``t, v_t`` latest year and value (from
``avail``); ``s = +1`` when an increase is desirable, ``−1`` otherwise; ``V*`` the target;
``T`` the horizon; ``v̂`` the projected value. First match wins (UNSD's five levels, for
``unsd`` and ``ols``; ``escap`` uses ESCAP's own classes, see below):

1. ``no_data`` when ``n_obs = 0`` (nothing in the review window); ``insufficient_data`` when
   the method has no trend: fewer than two distinct years (UNSD: no baseline strictly before
   the latest year). Two points are needed even when a single value meets the target (UNSD
   rule).
2. ``target_met`` when a numeric target exists and ``s·(v_t − V*) >= 0``, whatever the
   trend; for shares with a 0 % or 100 % target also when
   ``|v_t − V*| <= unsd.near_limit_tolerance`` (UNSD: a value within a point of the limit
   counts as met).
3. Growth-rate series (unit ``"% per year"``, e.g. SDG 10.1.1): a CAGR of a growth rate is
   meaningless, and UNSD leaves them to expert judgement. Here the level is judged against 0
   instead: ``d = s · v_t / 100`` is banded like a growth rate (``unsd.cagr_bands``).
4. With a numeric target: ``r = (v̂ − v_b) / (V* − v_b)``, the share of the required change
   achieved by ``T``, banded by ``unsd.thresholds``: ``r`` at or above the first cut-off is
   on track, then moderate, marginal progress and stagnation; below the last, regression
   (UNSD's five levels; ESCAP reports the gap ``1 − r``). When the baseline already met the
   target (``s·(V* − v_b) <= 0``) ``r`` is undefined; since the latest value no longer meets
   it the series moved away: ``regression`` when ``s·(v̂ − v_b) < 0``, else ``stagnation``.
5. Without a numeric target (``directional`` targets, or none): ``d = s·g`` with ``g``
   the ``trend_rate``, banded by ``unsd.cagr_bands`` with the same five levels (UNSD
   cut-offs; EUSTAT uses the same top and bottom bands).

Rules 1–5 are those of ``unsd`` and ``ols``. ``escap`` replaces rules 4–5 by ESCAP's
classes (:func:`mtr_analysis.analysis.escap.classify`): ``r`` is measured from ESCAP's
2015 value, ``maintain_progress`` when met or ``r >= escap.maintain_ratio``,
``accelerate_progress`` above ``escap.reverse_ratio``, else ``reverse_trend``;
``no_target`` for a series without a numeric target (ESCAP's selection criterion b).
Every method also gives the Current Status Index (``current_status``,
``expected_status``; :func:`mtr_analysis.analysis.escap.current_status`).

Projections
-----------
When the target year has passed (``b < T < t``) the series is judged at ``T``: ``t`` and
``v_t`` above become ``T`` and the value in ``T`` (observed, else interpolated linearly
between the observations around it; without ``obs``, on the CAGR path from the baseline to
the latest point), and ``v̂`` is that value ("where the target year has passed, assess up
to that year"; columns ``assessed_year``, ``assessed_value``). Regressions then fit the
points up to ``T`` only.

Rules for special values (documented with their sources): non-positive values make a CAGR
undefined (UNSD's ratio of values needs ``v > 0``), so the UNSD method falls back to the
average absolute change below; growth-rate series (unit ``% per year``) are judged by level
(rule 3; UNSD leaves them to expert judgement, technical note 2024); bounded shares are
clipped to 0–100 and counted as met within ``unsd.near_limit_tolerance`` of a 0 % or 100 %
target (UNSD/EUSTAT rule); ESCAP fits shares and bounded indices on the logit scale (ESCAP
SD/WP/04), positive rates on the log scale, and a series holding a 0 linearly (clipped).

- ``unsd`` (methods note 3.1): ``g = CAGR(v_b, v_t, b, t)``, ``v̂ = v_t·(1 + g)^(T − t)``.
  Non-positive values make the CAGR undefined; the projection then uses the average annual
  absolute change ``Δ = (v_t − v_b)/(t − b)``, ``v̂ = v_t + Δ·(T − t)``, and the banded rate
  is the arc rate ``Δ / ((|v_b| + |v_t|)/2)``.
- ``escap`` (methods note 1.3, ESCAP Anticipated Progress Index, SD/WP/04): all observations
  ``(t_i, y_i)`` from ``escap.start_year`` to ``t``, weighted ``w_i = (T − t_min)/(T − t_i)``
  so that recent points weigh most (``T`` replaced by ``t + 1`` when the horizon has
  passed); weighted least squares ``β = Σw(t−t̄)(y−ȳ) / Σw(t−t̄)²``, ``t̄, ȳ`` weighted means;
  ``v̂ = ȳ + β(T − t̄)``. Values bounded on both sides (``low >= 0``) are fitted on the logit
  scale ``y = ln(Y/(1 − Y))``, ``Y = (value − low)/(high − low)`` clipped to
  ``[escap.logit_clip, 1 − escap.logit_clip]``, back-transformed
  ``v̂ = low + (high − low)/(1 + e^(−ŷ))``, so projections stay in range; positive rates
  and counts on ``y = ln(value)``, ``v̂ = e^ŷ`` (never below 0); signed values linearly.
  ESCAP's base is the value in ``escap.base_year`` (2015), observed, else ``v̂`` of the
  fitted line in that year. The weight
  formula and the logit step are those of the public re-implementation of the ESCAP method
  quoted in the methods note ([C]: read in code, not in ESCAP's own text); ESCAP's gap
  ``(V* − v̂)/(V* − v_b)`` is ``1 − r``. Check both against the ESCAP technical note before
  quoting results as ESCAP's.
- ``ols``: the same with ``w_i = 1`` on the years ``b`` … ``t`` (``fit_start`` to change),
  on the indicator's own scale; identical to ``statsmodels.OLS(y, add_constant(year))``.
  Slope interval ``β ± t_{(1+c)/2, n−2} · se`` with ``c = ols.confidence``,
  ``se = sqrt(s² / Σw(t−t̄)²)``, ``s² = Σw(y − ŷ)² / (n − 2)``; interval of the mean at
  ``T``: ``ŷ(T) ± t · s·sqrt(1/Σw + (T − t̄)²/Σw(t−t̄)²)`` (also given for ``escap``, equal
  to ``statsmodels.WLS`` with the ESCAP weights).

For the regression methods the banded ``trend_rate`` is the growth of the fitted line
between its first and last fitted years (CAGR of the fitted values, arc rate where one is
<= 0), the counterpart of UNSD's CAGR between observed points.

Projections are clipped to the unit's natural range (:func:`natural_bounds`): 0–100 for
shares (a CAGR would overshoot), the written range for scores and indices, >= 0 for counts
and rates.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from numbers import Integral
from typing import NamedTuple

import numpy as np
import pandas as pd

from mtr_analysis.analysis import escap
from mtr_analysis.analysis.gaps import REGION_LABEL, axis_codes
from mtr_analysis.analysis.status import STATUS_ORDER
from mtr_analysis.reference.catalogue import Catalogue
from mtr_analysis.settings import Settings, or_default

#: Assessment methods of :func:`assess`.
METHODS: tuple[str, ...] = ("unsd", "escap", "ols")

#: Output columns of :func:`assess` shared by all methods, in order (the columns of
#: ``assessment.csv``).
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

#: Columns :func:`assess` adds after :data:`ASSESSMENT_COLUMNS`, in order.
ASSESSMENT_EXTRA_COLUMNS: list[str] = [
    "method",
    "n_fit",
    "fit_scale",
    "slope",
    "slope_ci_low",
    "slope_ci_high",
    "trend_rate",
    "projected_ci_low",
    "projected_ci_high",
    "method_edition",
    "assessed_year",
    "assessed_value",
    "reference_year",
    "reference_value",
    "current_status",
    "expected_status",
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
_FIT_SCALES = ("", "log", "linear", "logit")  # codes 0–3 of the fit_scale column
_RANGE = re.compile(r"\(\s*(-?\d+(?:\.\d+)?)\s*(?:-|–|to)\s*(-?\d+(?:\.\d+)?)\s*\)")
_GROWTH_UNITS = ("% per year", "% a year", "annual %", "% per annum")


# --------------------------------------------------------------------------- CAGR


def _t_two_sided(theta: float, df: int) -> float:
    """P(|T| <= sqrt(df)·tan(theta)) for Student's t with integer ``df`` >= 1.

    The finite series of Abramowitz & Stegun (1964), 26.7.3 (odd ``df``) and 26.7.4 (even
    ``df``), exact up to rounding: no scipy import (about a second) in the runner or a
    kernel.
    """
    s, c2 = math.sin(theta), math.cos(theta) ** 2
    if df % 2 == 0:
        term, total = 1.0, 1.0
        for k in range(2, df, 2):  # (1·3···(k−1)) / (2·4···k) · cos^k θ
            term *= c2 * (k - 1) / k
            total += term
        return s * total
    if df == 1:
        return 2.0 * theta / math.pi
    term = total = math.cos(theta)
    for k in range(3, df, 2):  # (2·4···(k−1)) / (1·3···k) · cos^k θ
        term *= c2 * (k - 1) / k
        total += term
    return 2.0 / math.pi * (theta + s * total)


def _t_quantile(q: float, df: float) -> float:
    """Student-t quantile ``t_{q, df}`` for ``0.5 < q < 1``.

    Integer ``df``: the angle ``θ`` with :func:`_t_two_sided` ``= 2q − 1`` is found by
    bisection on ``[0, π/2]`` (monotone; 100 halvings reach machine precision), then
    ``t = √df · tan θ``. Other ``df``: ``scipy.stats.t.ppf``.
    """
    if not float(df).is_integer() or not 0.5 < q < 1.0:
        from scipy import stats

        return float(stats.t.ppf(q, df))
    goal, lo, hi = 2.0 * q - 1.0, 0.0, math.pi / 2
    for _ in range(100):
        mid = (lo + hi) / 2
        if _t_two_sided(mid, int(df)) < goal:
            lo = mid
        else:
            hi = mid
    return math.sqrt(df) * math.tan((lo + hi) / 2)


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


# --------------------------------------------------------------------------- units
def is_bounded_percentage(unit: str) -> bool:
    """True for shares of a whole, whose unit starts with ``"% of"`` (0–100 by nature)."""
    return str(unit).strip().lower().startswith("% of")


def is_growth_rate(unit: str) -> bool:
    """True for series that are themselves growth rates (unit ``"% per year"`` and kin)."""
    return str(unit).strip().lower().startswith(_GROWTH_UNITS)


def natural_bounds(unit: str) -> tuple[float, float]:
    """Range a value of this unit can take, used to clip projections.

    Parameters
    ----------
    unit : str
        The catalogue unit, e.g. ``"% of population"``, ``"index (-2.5 to 2.5)"``.

    Returns
    -------
    (float, float)
        ``(0, 100)`` for shares (``"% of …"``); the range written in the unit for
        ``"(a-b)"`` / ``"(a to b)"``; ``(-inf, inf)`` for growth rates; otherwise
        ``(0, inf)``: counts, ratios, rates per population, years, money and ``"% gross"``
        enrolment ratios are never negative but may exceed 100.
    """
    text = str(unit).strip().lower()
    if is_bounded_percentage(text):
        return 0.0, 100.0
    if is_growth_rate(text):
        return -np.inf, np.inf
    match = _RANGE.search(text)
    if match:
        low, high = float(match.group(1)), float(match.group(2))
        if low < high:
            return low, high
    return 0.0, np.inf


def preferred_scale(low: object, high: object) -> np.ndarray:
    """ESCAP fit scale from a unit's natural range (codes of the ``fit_scale`` column).

    Parameters
    ----------
    low, high : float or array-like
        :func:`natural_bounds` of the unit.

    Returns
    -------
    numpy.ndarray of int
        ``3`` (logit) for a range bounded on both sides that cannot go below 0 (shares
        0–100 %, indices 0–100 or 0–1), ``1`` (log) for a range bounded below by 0 only
        (rates, ratios, counts, years), ``2`` (linear) where a value can be negative
        (growth rates, WGI estimates −2.5 to 2.5).

    Notes
    -----
    ESCAP fits bounded shares on the logit scale (ESCAP SD/WP/04, weighted extrapolation;
    ``spec/methods.md`` 1.3) so that projections stay inside the range; the same logic on
    the log scale keeps positive rates and counts above zero (a falling mortality rate
    then declines by a constant share a year instead of reaching zero). A linear fit is
    kept only where the indicator itself can be negative.
    """
    lo, hi = np.broadcast_arrays(_as_float_array(low), _as_float_array(high))
    bounded = np.isfinite(lo) & np.isfinite(hi) & (lo >= 0)
    positive = (lo >= 0) & ~np.isfinite(hi)
    return np.select([bounded, positive], [3, 1], default=2).astype(np.int64)


# --------------------------------------------------------------------------- points
class SeriesPoints(NamedTuple):
    """Observations of the series of ``avail``, sorted by row then year."""

    row: np.ndarray  # position in avail
    year: np.ndarray
    value: np.ndarray


def series_points(avail: pd.DataFrame, obs: pd.DataFrame) -> SeriesPoints:
    """The observations of ``obs`` that belong to a series of ``avail`` (sorted)."""
    row = _obs_rows(avail, obs)
    year = obs["year"].to_numpy(dtype=np.float64, na_value=np.nan)
    value = obs["value"].to_numpy(dtype=np.float64, na_value=np.nan)
    keep = (row >= 0) & ~np.isnan(year) & ~np.isnan(value)
    order = np.lexsort((year[keep], row[keep]))
    return SeriesPoints(row[keep][order], year[keep][order], value[keep][order])


def values_at(
    points: SeriesPoints, years: np.ndarray, tolerance: float = 0.0, interpolate: bool = True
) -> np.ndarray:
    """Value of every series in a given year (vectorised over series).

    Parameters
    ----------
    points : SeriesPoints
        From :func:`series_points`.
    years : numpy.ndarray
        One query year per row of ``avail`` (NaN: no query).
    tolerance : float
        Without an observation in the year (nor two to interpolate between), the nearest
        observation at most this many years away is used.
    interpolate : bool
        Interpolate linearly between the observations just before and just after the year.

    Returns
    -------
    numpy.ndarray
        The observed value in that year; else ``v0 + (v1 − v0)(q − t0)/(t1 − t0)`` between
        the nearest observations ``(t0, v0) < q < (t1, v1)`` (UNSD: "assess up to the
        target year" with the value of that year); else the nearest value within
        ``tolerance``; else NaN.
    """
    n = len(years)
    out = np.full(n, np.nan)
    if len(points.row) == 0 or n == 0:
        return out
    span = 10000.0  # years are < 10000: row·span + year orders by row, then year
    keys = points.row * span + points.year
    rows = np.arange(n)
    q = np.where(np.isnan(years), -1.0, years)
    query = rows * span + q
    hi = np.searchsorted(keys, query, side="left")  # first point >= q
    lo = np.searchsorted(keys, query, side="right") - 1  # last point <= q
    has_hi = (hi < len(keys)) & (points.row[np.minimum(hi, len(keys) - 1)] == rows)
    has_lo = (lo >= 0) & (points.row[np.maximum(lo, 0)] == rows)
    hi_c, lo_c = np.minimum(hi, len(keys) - 1), np.maximum(lo, 0)
    t0, v0 = points.year[lo_c], points.value[lo_c]
    t1, v1 = points.year[hi_c], points.value[hi_c]
    with np.errstate(divide="ignore", invalid="ignore"):
        between = np.where(t1 > t0, v0 + (v1 - v0) * (q - t0) / (t1 - t0), v0)
    exact = has_lo & (t0 == q)
    d0 = np.where(has_lo, q - t0, np.inf)
    d1 = np.where(has_hi, t1 - q, np.inf)
    nearest = np.where(d0 <= d1, v0, v1)
    near_ok = np.minimum(d0, d1) <= tolerance
    out = np.select(
        [exact, has_lo & has_hi & interpolate, near_ok], [v0, between, nearest], default=np.nan
    )
    return np.where(np.isnan(years), np.nan, out)


# --------------------------------------------------------------------------- checks
def _indicator_table(catalogue: Catalogue | pd.DataFrame) -> pd.DataFrame:
    table = catalogue.indicators if isinstance(catalogue, Catalogue) else catalogue
    if not isinstance(table, pd.DataFrame):
        raise TypeError("catalogue must be a Catalogue or its indicators DataFrame")
    needed = ["characteristic", "element", "direction", "target_value", "target_year"]
    missing = [c for c in needed + ["target_kind"] if c not in table.columns]
    if missing:
        raise ValueError(f"catalogue indicators lack column(s): {', '.join(missing)}")
    return table


def _strings(values: Sequence[str], codes: np.ndarray) -> pd.arrays.StringArray:
    """String array ``values[codes]``, built by a take on the few distinct values (fast)."""
    return pd.array(list(values), dtype="string").take(np.asarray(codes, dtype=np.int64))


def _code(status: str) -> int:
    return STATUS_ORDER.index(status)


def _classify(score: np.ndarray, cutoffs: tuple[float, ...]) -> np.ndarray:
    """Trend status code (position in :data:`STATUS_ORDER`) of ``score`` for decreasing
    ``cutoffs``: >= first → on_track, ..., below the last (or NaN) → regression."""
    codes = [_code(s) for s in _TREND_STATUSES]
    return np.select([score >= c for c in cutoffs], codes, default=_code("regression"))


def _arc_or_compound_rate(y0: np.ndarray, y1: np.ndarray, span: np.ndarray) -> np.ndarray:
    """CAGR from ``y0`` to ``y1`` over ``span`` years; arc rate where a value is <= 0.

    Arc (midpoint) rate: ``((y1 − y0) / span) / ((|y0| + |y1|) / 2)``, 0 when both are 0.
    """
    growth = cagr(y0, y1, 0.0, span)
    with np.errstate(divide="ignore", invalid="ignore"):
        mid = (np.abs(y0) + np.abs(y1)) / 2
        arc = np.where(mid > 0, (y1 - y0) / span / mid, 0.0)
    arc = np.where(span > 0, arc, np.nan)
    return np.where(np.isnan(growth), arc, growth)


# --------------------------------------------------------------------------- trends
def _trend_unsd(
    v_b: np.ndarray, v_t: np.ndarray, b: np.ndarray, t: np.ndarray, has_trend: np.ndarray,
    horizon: np.ndarray,
) -> dict[str, np.ndarray]:  # fmt: skip
    """Two-point trend: CAGR on the log scale, average absolute change where values <= 0."""
    growth = cagr(v_b, v_t, b, t)
    log_scale = ~np.isnan(growth)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        span = t - b
        change = (v_t - v_b) / span  # average annual absolute change
        ahead = np.maximum(horizon - t, 0.0)
        projected = np.where(log_scale, v_t * (1 + growth) ** ahead, v_t + change * ahead)
        slope = np.where(log_scale, np.log1p(growth), change)
    rate = _arc_or_compound_rate(v_b, v_t, span)
    nan = np.full(len(v_b), np.nan)
    return {
        "has_trend": has_trend,
        "projected": np.where(has_trend, projected, np.nan),
        "n_fit": np.where(has_trend, 2, 0),
        "fit_scale": np.where(has_trend, np.where(log_scale, 1, 2), 0),
        "slope": np.where(has_trend, slope, np.nan),
        "slope_ci_low": nan,
        "slope_ci_high": nan,
        "trend_rate": np.where(has_trend, rate, np.nan),
        "projected_ci_low": nan,
        "projected_ci_high": nan,
    }


def _obs_rows(avail: pd.DataFrame, obs: pd.DataFrame) -> np.ndarray:
    """Position in ``avail`` of each observation's country × indicator (-1 when absent)."""
    for column in ("country", "indicator", "year", "value"):
        if column not in obs.columns:
            raise ValueError(f"obs lacks required column: {column}")
    c_codes, c_axis = pd.factorize(avail["country"].astype("string"))
    i_codes, i_axis = pd.factorize(avail["indicator"].astype("string"))
    lookup = np.full((len(c_axis), len(i_axis)), -1, dtype=np.int64)
    lookup[c_codes, i_codes] = np.arange(len(avail))
    if (lookup >= 0).sum() != len(avail):
        raise ValueError("avail holds a country × indicator pair more than once")
    oc = axis_codes(obs["country"], [str(c) for c in c_axis])
    oi = axis_codes(obs["indicator"], [str(i) for i in i_axis])
    found = (oc >= 0) & (oi >= 0)
    return np.where(found, lookup[np.maximum(oc, 0), np.maximum(oi, 0)], -1)


def _trend_regression(
    avail: pd.DataFrame,
    obs: pd.DataFrame,
    method: str,
    scale_pref: np.ndarray,
    ind: _Indicators,
    judged: _Observed,
    fit_start: int | None,
    settings: Settings,
) -> dict[str, np.ndarray]:
    """Weighted least-squares line per series from grouped sums (module docstring,
    "Projections"): points → fit scale → weights → line → projection. Points after the
    assessed year ``judged.t`` (the target year when it has passed) are left out."""
    n = len(avail)
    last = judged.t
    r, t, v = _fit_points(avail, obs, method, fit_start, settings, last)
    scale = _fit_scales(scale_pref, r, v, n)
    y = _to_scale(v, scale[r], ind.low[r], ind.high[r], settings.escap.logit_clip)
    n_fit = np.bincount(r, minlength=n)
    t_first = np.full(n, np.inf)  # first and last fitted year per series
    np.minimum.at(t_first, r, t)
    t_last = np.full(n, -np.inf)
    np.maximum.at(t_last, r, t)
    # Weights. ESCAP: w_i = (T − t_min) / (T − t_i), T the prediction year (kept beyond the
    # last observation: T_w = max(T, t_max + 1)); OLS: w_i = 1.
    if method == "escap":
        t_w = np.maximum(ind.horizon, last + 1.0)
        w = (t_w[r] - t_first[r]) / (t_w[r] - t)
    else:
        w = np.ones(len(t))
    fit = _weighted_line(r, t, y, w, n_fit, settings.ols.confidence)
    proj = _project(
        fit, _Back(scale, ind.low, ind.high), ind.horizon, last, judged.v_t, t_first, t_last,
        float(settings.escap.base_year),
    )  # fmt: skip
    has_trend = judged.has_data & fit["fitted_ok"]
    return {
        "has_trend": has_trend,
        "projected": np.where(has_trend, proj["projected"], np.nan),
        "n_fit": n_fit,
        "fit_scale": np.where(has_trend, scale, 0),
        "slope": np.where(has_trend, fit["slope"], np.nan),
        "slope_ci_low": np.where(has_trend, fit["slope_low"], np.nan),
        "slope_ci_high": np.where(has_trend, fit["slope_high"], np.nan),
        "trend_rate": np.where(has_trend, proj["rate"], np.nan),
        "projected_ci_low": np.where(has_trend, proj["low"], np.nan),
        "projected_ci_high": np.where(has_trend, proj["high"], np.nan),
        "base_fit": np.where(has_trend, proj["base"], np.nan),
    }


def _fit_points(
    avail: pd.DataFrame,
    obs: pd.DataFrame,
    method: str,
    fit_start: int | None,
    settings: Settings,
    last: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(row, year, value)`` of the observations a regression fits: those of a series of
    ``avail`` from its first fitted year (``fit_start``, else ``escap.start_year`` for
    ESCAP, else the series' baseline year) to its assessed year ``last``."""
    n = len(avail)
    row = _obs_rows(avail, obs)
    year = obs["year"].to_numpy(dtype=np.float64, na_value=np.nan)
    value = obs["value"].to_numpy(dtype=np.float64, na_value=np.nan)
    if fit_start is not None:
        first = np.full(n, float(fit_start))
    elif method == "escap":
        first = np.full(n, float(settings.escap.start_year))
    else:
        first = _as_float_array(avail["baseline_year"])
    r0 = np.maximum(row, 0)
    keep = (row >= 0) & ~np.isnan(value) & (year >= first[r0]) & (year <= last[r0])
    return row[keep], year[keep], value[keep]


def _fit_scales(scale_pref: np.ndarray, r: np.ndarray, v: np.ndarray, n: int) -> np.ndarray:
    """Fit scale per series: the unit's (:func:`preferred_scale`), except that a series
    holding a value <= 0 is fitted linearly instead of on the log scale (the log of 0 is
    undefined; such a series is then clipped at 0 like any projection)."""
    v_min = np.full(n, np.inf)
    np.minimum.at(v_min, r, v)
    return np.where((scale_pref == 1) & (v_min <= 0), 2, scale_pref).astype(np.int64)


def _to_scale(
    v: np.ndarray, scale: np.ndarray, low: np.ndarray, high: np.ndarray, clip: float
) -> np.ndarray:
    """Values on the fit scale: logit of the position in the range ``(v − low)/(high − low)``
    clipped to ``[clip, 1 − clip]`` (code 3), ``ln v`` (code 1) or ``v`` (code 2)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.clip((v - low) / (high - low), clip, 1.0 - clip)
        return np.select(
            [scale == 3, scale == 1], [np.log(share / (1.0 - share)), np.log(v)], default=v
        )


class _Back(NamedTuple):
    """Back-transformation from the fit scale to the indicator unit, per series."""

    scale: np.ndarray
    low: np.ndarray
    high: np.ndarray

    def __call__(self, z: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):
            logit = self.low + (self.high - self.low) / (1.0 + np.exp(-z))
            return np.select([self.scale == 3, self.scale == 1], [logit, np.exp(z)], default=z)


def _weighted_line(
    r: np.ndarray, t: np.ndarray, y: np.ndarray, w: np.ndarray, n_fit: np.ndarray, confidence: float
) -> dict[str, np.ndarray]:
    """Per-series weighted least squares from two-pass grouped sums (centred on the
    weighted mean year for accuracy): means, ``Σw(t − t̄)²``, slope and its interval,
    residual variance ``s²`` and the t quantile."""
    n = len(n_fit)
    sw = np.bincount(r, weights=w, minlength=n)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        t_bar = np.bincount(r, weights=w * t, minlength=n) / sw
        y_bar = np.bincount(r, weights=w * y, minlength=n) / sw
        dt = t - t_bar[r]
        dy = y - y_bar[r]
        sxx = np.bincount(r, weights=w * dt * dt, minlength=n)
        sxy = np.bincount(r, weights=w * dt * dy, minlength=n)
        fitted_ok = (n_fit >= 2) & (sxx > 0)
        slope = np.where(fitted_ok, sxy / sxx, np.nan)
        resid = dy - slope[r] * dt
        rss = np.bincount(r, weights=w * resid * resid, minlength=n)
        df = n_fit - 2
        scale = np.where(df > 0, rss / np.maximum(df, 1), np.nan)  # s², residual variance
        se_slope = np.sqrt(scale / sxx)
        quantile = _t_quantiles(df, confidence)
        slope_low = slope - quantile * se_slope
        slope_high = slope + quantile * se_slope
    return {
        "sw": sw, "t_bar": t_bar, "y_bar": y_bar, "sxx": sxx, "fitted_ok": fitted_ok,
        "slope": slope, "scale": scale, "quantile": quantile, "slope_low": slope_low,
        "slope_high": slope_high,
    }  # fmt: skip


def _project(
    fit: dict[str, np.ndarray],
    back: _Back,
    horizon: np.ndarray,
    last: np.ndarray,
    latest: np.ndarray,
    t_first: np.ndarray,
    t_last: np.ndarray,
    base_year: float,
) -> dict[str, np.ndarray]:
    """Fitted line at the horizon (back-transformed from the fit scale) with the interval
    of the mean, or the assessed value when the horizon has passed; the trend rate of the
    fitted line between its first and last fitted years; the fitted value in
    ``base_year`` (ESCAP's 2015 value when 2015 itself is not observed)."""
    y_bar, t_bar, slope = fit["y_bar"], fit["t_bar"], fit["slope"]
    quantile = fit["quantile"]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):

        def line(x: np.ndarray | float) -> np.ndarray:
            return y_bar + slope * (x - t_bar)

        ahead = horizon > last
        f_t = line(horizon)
        se_mean = np.sqrt(fit["scale"] * (1.0 / fit["sw"] + (horizon - t_bar) ** 2 / fit["sxx"]))
        return {
            "projected": np.where(ahead, back(f_t), latest),
            "low": np.where(ahead, back(f_t - quantile * se_mean), np.nan),
            "high": np.where(ahead, back(f_t + quantile * se_mean), np.nan),
            "rate": _arc_or_compound_rate(
                back(line(t_first)), back(line(t_last)), t_last - t_first
            ),
            "base": back(line(base_year)),
        }


def _t_quantiles(df: np.ndarray, confidence: float) -> np.ndarray:
    """Student-t quantile ``t_{(1+confidence)/2, df}`` per element (NaN where df < 1)."""
    out = np.full(len(df), np.nan)
    for d in np.unique(df[df >= 1]):
        out[df == d] = _t_quantile(0.5 + confidence / 2.0, d)
    return out


# --------------------------------------------------------------------------- assessment
class _Indicators(NamedTuple):
    """Catalogue attributes broadcast to the rows of ``avail`` (one array each)."""

    sign: np.ndarray  # +1 when an increase is desirable, −1 otherwise
    share: np.ndarray  # bounded percentage ("% of …")
    growth: np.ndarray  # the series is itself a growth rate
    low: np.ndarray  # natural bounds of the unit
    high: np.ndarray
    horizon: np.ndarray  # target year, else the settings' default (float)
    target: np.ndarray  # numeric target (NaN without one)
    numeric_target: np.ndarray
    factor: np.ndarray  # relative target: target = factor × value in base_year (NaN: none)
    base_year: np.ndarray
    scale: np.ndarray  # preferred fit scale code of the unit (1 log, 2 linear, 3 logit)
    characteristic: pd.arrays.StringArray
    element: pd.arrays.StringArray


class _Observed(NamedTuple):
    """Baseline and latest points of ``avail`` as float arrays."""

    b: np.ndarray
    t: np.ndarray
    v_b: np.ndarray
    v_t: np.ndarray
    has_data: np.ndarray  # n_obs > 0
    two_points: np.ndarray  # a baseline strictly before the latest point


def assess(
    avail: pd.DataFrame,
    catalogue: Catalogue | pd.DataFrame,
    method: str | None = None,
    obs: pd.DataFrame | None = None,
    *,
    fit_start: int | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Assess progress of every country × indicator series.

    Parameters
    ----------
    avail : pandas.DataFrame
        Output of :func:`mtr_analysis.analysis.gaps.availability` (one row per country ×
        indicator).
    catalogue : Catalogue or pandas.DataFrame
        The catalogue (or its ``indicators`` table indexed by id): ``direction``
        (``"increase"``/``"decrease"`` desirable), ``target_value`` (indicator unit),
        ``target_year``, ``target_kind``, ``characteristic``, ``element`` and optionally
        ``unit`` (shares, growth rates and natural ranges are recognised from it).
    method : {"unsd", "escap", "ols"}, optional
        UNSD progress chart (two points, CAGR), ESCAP anticipated progress (time-weighted
        regression since ``escap.start_year``) or least-squares trend on the review window
        with confidence intervals. Default: the settings' ``assessment.method``.
    obs : pandas.DataFrame, optional
        Required by ``"escap"`` and ``"ols"``: the observations ``avail`` was computed
        from (``country``, ``indicator``, ``year``, ``value``; one row per country ×
        indicator × year). Years after each series' ``latest_year`` are ignored.
    fit_start : int, optional
        First year used by the regression methods. Default: ``escap.start_year`` for
        ``"escap"``; for ``"ols"`` each series' ``baseline_year`` (the review window).
    settings : Settings, optional
        Method settings (default :func:`mtr_analysis.settings.default_settings`):
        ``assessment`` (method, default target year), ``unsd`` (cut-offs on the progress
        ratio and on the growth rate, near-limit tolerance), ``escap`` (start year, logit
        clipping) and ``ols`` (confidence level).

    Returns
    -------
    pandas.DataFrame
        One row per row of ``avail`` (same order and index), columns
        :data:`ASSESSMENT_COLUMNS` then :data:`ASSESSMENT_EXTRA_COLUMNS`, described with
        the status rules and the projections in the module docstring.

    Raises
    ------
    TypeError
        On arguments of the wrong type.
    ValueError
        On an unknown method, a missing ``obs`` or column, an indicator not in the
        catalogue or a duplicated country × indicator in ``avail``.
    """
    settings = or_default(settings)
    method = _check_assess_args(avail, obs, method, fit_start, settings)
    ind = _indicator_rows(avail, catalogue, settings.assessment.target_year_default)
    seen = _observed(avail)
    points = None if obs is None else series_points(avail, obs)
    judged = _judged_point(seen, ind.horizon, points)
    if method == "unsd":
        trend = _trend_unsd(seen.v_b, judged.v_t, seen.b, judged.t, judged.two_points, ind.horizon)
    else:
        scale = ind.scale if method == "escap" else np.full(len(avail), 2, dtype=np.int64)
        trend = _trend_regression(avail, obs, method, scale, ind, judged, fit_start, settings)
    ref = _reference(method, seen, trend, points, settings)
    target = _targets(ind, seen, ref, points, settings)
    return _judge(avail, method, ind, judged, ref, target, trend, settings)


def _judged_point(seen: _Observed, horizon: np.ndarray, points: SeriesPoints | None) -> _Observed:
    """The point a series is judged on: its latest, or, when the target year ``T`` lies
    between the baseline and the latest year, the value in ``T`` (observed, else
    interpolated linearly between the observations around it; without ``obs``, on the
    CAGR path between baseline and latest). UNSD: "where the target year has passed,
    assess up to that year"."""
    past = seen.two_points & (horizon < seen.t) & (horizon > seen.b)
    if points is not None:
        v_q = values_at(points, np.where(past, horizon, np.nan))
    else:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            g = cagr(seen.v_b, seen.v_t, seen.b, seen.t)
            frac = (horizon - seen.b) / (seen.t - seen.b)
            linear = seen.v_b + (seen.v_t - seen.v_b) * frac
            v_q = np.where(np.isnan(g), linear, seen.v_b * (1 + g) ** (horizon - seen.b))
    use = past & ~np.isnan(v_q)
    return seen._replace(t=np.where(use, horizon, seen.t), v_t=np.where(use, v_q, seen.v_t))


def _reference(
    method: str,
    seen: _Observed,
    trend: dict[str, np.ndarray],
    points: SeriesPoints | None,
    settings: Settings,
) -> tuple[np.ndarray, np.ndarray]:
    """``(year, value)`` progress is measured from. UNSD and OLS: the review's baseline.
    ESCAP: ``escap.base_year`` (2015), observed, else read from the series' fitted trend
    (ESCAP: "missing base year values are estimated from the series")."""
    if method != "escap":
        return seen.b, seen.v_b
    year = np.full(len(seen.b), float(settings.escap.base_year))
    observed = (
        np.full(len(year), np.nan)
        if points is None
        else values_at(points, np.where(seen.has_data, year, np.nan), interpolate=False)
    )
    return year, np.where(np.isnan(observed), trend["base_fit"], observed)


def _targets(
    ind: _Indicators,
    seen: _Observed,
    ref: tuple[np.ndarray, np.ndarray],
    points: SeriesPoints | None,
    settings: Settings,
) -> np.ndarray:
    """Numeric target per series (NaN without one). Absolute and interpretive targets from
    the catalogue; relative targets ``V* = target_factor × v(target_base_year)``, the
    value in the base year observed or interpolated, else the nearest within
    ``availability.baseline_tolerance`` years (UNSD Progress Chart: a relative target is
    made numeric from the baseline value, e.g. "halve" → 0.5 × the 2015 value); for ESCAP
    also the trend's estimate when the base year is ESCAP's base year."""
    relative = ~np.isnan(ind.factor)
    tolerance = float(settings.availability.baseline_tolerance)
    query = np.where(relative & seen.has_data, ind.base_year, np.nan)
    if points is not None:
        base_value = values_at(points, query, tolerance)
    else:
        near = np.abs(seen.b - query) <= tolerance
        base_value = np.where(near, seen.v_b, np.nan)
    ref_year, ref_value = ref
    base_value = np.where(np.isnan(base_value) & (query == ref_year), ref_value, base_value)
    return np.where(ind.numeric_target, ind.target, ind.factor * base_value)


def _check_assess_args(
    avail: pd.DataFrame,
    obs: pd.DataFrame | None,
    method: str | None,
    fit_start: int | None,
    settings: Settings,
) -> str:
    """Validate the arguments of :func:`assess`; return the method to use."""
    if method is None:
        method = settings.assessment.method
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    if fit_start is not None and (
        isinstance(fit_start, bool) or not isinstance(fit_start, Integral)
    ):
        raise TypeError(f"fit_start must be an integer year or None, got {fit_start!r}")
    if not isinstance(avail, pd.DataFrame):
        raise TypeError(f"avail must be a pandas DataFrame, got {type(avail).__name__}")
    missing = [c for c in _REQUIRED_AVAIL if c not in avail.columns]
    if missing:
        raise ValueError(f"avail lacks required column(s): {', '.join(missing)}")
    if method != "unsd":
        if obs is None:
            raise ValueError(f"method {method!r} needs the observations: pass obs=")
        if not isinstance(obs, pd.DataFrame):
            raise TypeError(f"obs must be a pandas DataFrame, got {type(obs).__name__}")
    return method


def _indicator_rows(
    avail: pd.DataFrame, catalogue: Catalogue | pd.DataFrame, target_year_default: int
) -> _Indicators:
    """Per-indicator attributes, computed once per indicator and broadcast to the rows."""
    table = _indicator_table(catalogue)
    id_codes, id_values = pd.factorize(avail["indicator"], use_na_sentinel=False)
    id_values = [str(v) for v in id_values]
    unknown = sorted(set(id_values) - set(table.index.astype(str)))
    if unknown:
        raise ValueError(f"avail has indicator(s) not in the catalogue: {', '.join(unknown)}")
    table = table.copy()
    table.index = table.index.astype(str)
    units = table["unit"].astype(str) if "unit" in table.columns else pd.Series("", table.index)
    bounds = units.map(natural_bounds)
    attrs = pd.DataFrame(
        {
            "sign": np.where(table["direction"].astype(str).eq("increase"), 1.0, -1.0),
            "share": units.map(is_bounded_percentage).astype(bool),
            "growth": units.map(is_growth_rate).astype(bool),
            "low": bounds.map(lambda x: x[0]).astype(float),
            "high": bounds.map(lambda x: x[1]).astype(float),
            "kind_ok": table["target_kind"].astype(str).isin(NUMERIC_TARGET_KINDS),
            "target": pd.to_numeric(table["target_value"], errors="coerce").astype(float),
            "horizon": pd.to_numeric(table["target_year"], errors="coerce")
            .astype(float)
            .fillna(float(target_year_default)),
            "factor": _column(table, "target_factor"),
            "base_year": _column(table, "target_base_year"),
        },
        index=table.index,
    )
    pos_unique = attrs.index.get_indexer(id_values)
    row = {c: attrs[c].to_numpy()[pos_unique[id_codes]] for c in attrs.columns}
    numeric_target = row["kind_ok"] & ~np.isnan(row["target"])
    relative = ~numeric_target & ~np.isnan(row["factor"]) & ~np.isnan(row["base_year"])
    return _Indicators(
        row["sign"], row["share"], row["growth"], row["low"], row["high"], row["horizon"],
        np.where(numeric_target, row["target"], np.nan), numeric_target,
        np.where(relative, row["factor"], np.nan), np.where(relative, row["base_year"], np.nan),
        preferred_scale(row["low"], row["high"]),
        _strings(table["characteristic"].astype(str).to_numpy()[pos_unique], id_codes),
        _strings(table["element"].astype(str).to_numpy()[pos_unique], id_codes),
    )  # fmt: skip


def _column(table: pd.DataFrame, name: str) -> pd.Series:
    """An optional numeric catalogue column as floats (all NaN when the column is absent)."""
    if name not in table.columns:
        return pd.Series(np.nan, index=table.index)
    return pd.to_numeric(table[name], errors="coerce").astype(float)


def _observed(avail: pd.DataFrame) -> _Observed:
    """Baseline and latest years and values of ``avail`` as floats (NaN when missing)."""
    n_obs = avail["n_obs"].to_numpy(dtype=np.float64, na_value=0.0)
    b = _as_float_array(avail["baseline_year"])
    t = _as_float_array(avail["latest_year"])
    v_b = _as_float_array(avail["baseline_value"])
    v_t = _as_float_array(avail["latest_value"])
    has_data = n_obs > 0
    two_points = has_data & (b < t) & ~np.isnan(v_b) & ~np.isnan(v_t)
    return _Observed(b, t, v_b, v_t, has_data, two_points)


def _judge(
    avail: pd.DataFrame,
    method: str,
    ind: _Indicators,
    judged: _Observed,
    ref: tuple[np.ndarray, np.ndarray],
    target: np.ndarray,
    trend: dict[str, np.ndarray],
    settings: Settings,
) -> pd.DataFrame:
    """Clip the projections to the unit's range, classify, and build the output frame."""
    has_trend = trend["has_trend"]
    with np.errstate(invalid="ignore"):
        projected = np.clip(trend["projected"], ind.low, ind.high)
        projected_low = np.clip(trend["projected_ci_low"], ind.low, ind.high)
        projected_high = np.clip(trend["projected_ci_high"], ind.low, ind.high)
    rate = np.where(ind.growth & has_trend, judged.v_t / 100.0, trend["trend_rate"])
    projected = np.where(ind.growth, np.nan, projected)
    ref_year, ref_value = ref
    prog = _progress(
        ~np.isnan(target), target, ind, has_trend, ref_value, judged.v_t, projected,
        settings.unsd.near_limit_tolerance,
    )  # fmt: skip
    if method == "escap":
        status = escap.classify(
            judged.has_data, has_trend, prog, ind.sign * rate, settings.escap, _code
        )
    else:
        status = _status(judged.has_data, has_trend, prog, ind, rate, settings)
    current, expected = escap.current_status(
        prog, ind.sign, judged.v_t, ref_value, target, judged.t, ref_year, ind.horizon
    )
    frame = _frame(avail, method, ind, judged, target, projected, prog["ratio"], status, trend)
    frame["trend_rate"] = np.where(has_trend, rate, np.nan)
    frame["projected_ci_low"] = np.where(ind.growth, np.nan, projected_low)
    frame["projected_ci_high"] = np.where(ind.growth, np.nan, projected_high)
    n = len(avail)
    frame["method_edition"] = _strings([settings.method_edition(method)], np.zeros(n, np.int64))
    frame["assessed_year"] = pd.array(
        np.where(judged.has_data, judged.t, np.nan), dtype="Float64"
    ).astype("Int64")
    frame["assessed_value"] = np.where(judged.has_data, judged.v_t, np.nan)
    frame["reference_year"] = pd.array(
        np.where(judged.has_data, ref_year, np.nan), dtype="Float64"
    ).astype("Int64")
    frame["reference_value"] = np.where(judged.has_data, ref_value, np.nan)
    frame["current_status"] = current
    frame["expected_status"] = expected
    return frame[ASSESSMENT_COLUMNS + ASSESSMENT_EXTRA_COLUMNS]


def _frame(
    avail: pd.DataFrame,
    method: str,
    ind: _Indicators,
    judged: _Observed,
    target: np.ndarray,
    projected: np.ndarray,
    ratio: np.ndarray,
    status: np.ndarray,
    trend: dict[str, np.ndarray],
) -> pd.DataFrame:
    """The output columns copied from ``avail``, the catalogue and the trend."""
    seen = _observed(avail)
    observed_cagr = cagr(seen.v_b, judged.v_t, seen.b, judged.t)
    return pd.DataFrame(
        {
            "country": avail["country"].astype("string"),
            "indicator": avail["indicator"].astype("string"),
            "characteristic": ind.characteristic,
            "element": ind.element,
            "n_obs": avail["n_obs"],
            "baseline_year": avail["baseline_year"].astype("Int64"),
            "baseline_value": seen.v_b,
            "latest_year": avail["latest_year"].astype("Int64"),
            "latest_value": seen.v_t,
            "gap_category": avail["gap_category"].astype("string"),
            "cagr": np.where(judged.two_points & ~ind.growth, observed_cagr, np.nan),
            "target_value": target,
            "target_year": pd.array(ind.horizon.astype(np.int64), dtype="Int64"),
            "projected_value": projected,
            "progress_ratio": ratio,
            "status": _strings(STATUS_ORDER, status),
            "method": _strings([method], np.zeros(len(avail), dtype=np.int64)),
            "n_fit": np.asarray(trend["n_fit"], dtype=np.int64),
            "fit_scale": _strings(_FIT_SCALES, trend["fit_scale"]),
            "slope": trend["slope"],
            "slope_ci_low": trend["slope_ci_low"],
            "slope_ci_high": trend["slope_ci_high"],
        },
        index=avail.index,
    )


def _progress(
    numeric_target: np.ndarray,
    target: np.ndarray,
    ind: _Indicators,
    has_trend: np.ndarray,
    v_ref: np.ndarray,
    v_t: np.ndarray,
    projected: np.ndarray,
    near_limit_tolerance: float,
) -> dict[str, np.ndarray]:
    """Target met, progress ratio and related masks shared by every method (rules 2 and
    4 of the module docstring); ``v_ref`` is the method's reference (base) value."""
    sign = ind.sign
    with np.errstate(divide="ignore", invalid="ignore"):
        at_limit = ind.share & ((target == 0.0) | (target == 100.0))
        near = at_limit & (np.abs(v_t - target) <= near_limit_tolerance)
        met = numeric_target & ((sign * (v_t - target) >= 0) | near)
        required = sign * (target - v_ref)  # > 0 when the base falls short of the target
        ratio_defined = numeric_target & has_trend & ~ind.growth & (required > 0)
        ratio = np.where(ratio_defined, (projected - v_ref) / (target - v_ref), np.nan)
        moved_away = sign * (projected - v_ref) < 0
    return {
        "numeric_target": numeric_target, "met": met, "ratio": ratio,
        "ratio_defined": ratio_defined, "moved_away": moved_away, "growth": ind.growth,
        "required": required,
    }  # fmt: skip


def _status(
    has_data: np.ndarray,
    has_trend: np.ndarray,
    prog: dict[str, np.ndarray],
    ind: _Indicators,
    rate: np.ndarray,
    settings: Settings,
) -> np.ndarray:
    """UNSD five-level status code (position in :data:`STATUS_ORDER`) per series (rules
    1–5 of the module docstring); also used by the OLS method."""
    unsd = settings.unsd
    with np.errstate(invalid="ignore"):
        moved_away = np.where(prog["moved_away"], _code("regression"), _code("stagnation"))
        banded = _classify(ind.sign * rate, unsd.cagr_bands)
        by_ratio = _classify(prog["ratio"], unsd.thresholds)
    return np.select(
        [~has_data, ~has_trend, prog["met"], ind.growth, prog["ratio_defined"],
         prog["numeric_target"]],
        [_code("no_data"), _code("insufficient_data"), _code("target_met"), banded, by_ratio,
         moved_away],
        default=banded,
    )  # fmt: skip


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
