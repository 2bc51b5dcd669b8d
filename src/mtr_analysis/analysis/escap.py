"""ESCAP's two progress measures: Anticipated Progress Index classes and Current Status Index.

In: the masks and ratios that :func:`mtr_analysis.analysis.trends.assess` computes per
series (target met, progress ratio ``r``, projection moving away), or an assessment frame.
Out: ESCAP status codes per series (:func:`classify`), the Current Status Index per series
(:func:`current_status`) and averaged per element or characteristic
(:func:`current_status_index`).

Source: ESCAP, *Asia and the Pacific SDG Progress Report 2025*, Annex 1 "Technical notes –
methodology to measure progress" (pp. 55–59, as cited by UNECE's 2026 technical notes),
and the ESCAP Progress Assessment Methodology page (data.unescap.org, "last update
4 March 2026"); ``spec/methods.md`` section 1.3.

- Anticipated Progress Index: the 2030 value predicted by a time-weighted regression
  (in :mod:`~mtr_analysis.analysis.trends`) is compared with the target; ESCAP's gap
  ``(V* − v̂)/(V* − v_2015)`` is ``1 − r``. Classes (ESCAP/UNECA dashboard legend):
  *maintain progress to achieve target* when the target is met or ``r >=
  escap.maintain_ratio`` (1: the prediction reaches the target); *accelerate progress*
  when ``escap.reverse_ratio < r < maintain_ratio`` (moving towards the target, too
  slowly); *reverse trend* when ``r <= reverse_ratio`` (moving away); *insufficient data*
  with fewer than two points; series without a quantitative target are left out by ESCAP
  (selection criterion b) and get ``no_target``. When the 2015 value already met the
  target but the assessed value does not, the series moved away: *reverse trend*.
- Current Status Index: ``CS = s·(v_t − v_2015)/|V* − v_2015|``, the share of the
  2015 → target distance covered by the assessed value, 1 when the target is met
  (the MENARO re-implementation's cap, methods note 1.3 [C]); negative when the series
  regressed. It is read against the expected share ``(t − 2015)/(T − 2015)`` of the years
  elapsed; averaged per element and characteristic.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from mtr_analysis.settings import EscapSettings

__all__ = ["classify", "current_status", "current_status_index"]


def classify(
    has_data: np.ndarray,
    has_trend: np.ndarray,
    prog: dict[str, np.ndarray],
    directed_rate: np.ndarray,
    settings: EscapSettings,
    code: Callable[[str], int],
) -> np.ndarray:
    """ESCAP Anticipated Progress class per series, as status codes.

    Parameters
    ----------
    has_data, has_trend : numpy.ndarray of bool
        Any value; a fitted trend (two points or more).
    prog : dict
        From ``trends._progress``: ``numeric_target``, ``met``, ``ratio`` (``r``),
        ``ratio_defined``, ``moved_away``, ``growth``.
    directed_rate : numpy.ndarray
        Trend growth rate times the desirable direction (used for growth-rate series, whose
        projection is not made).
    settings : EscapSettings
        ``maintain_ratio``, ``reverse_ratio``.
    code : callable
        Status name → code (position in ``STATUS_ORDER``).

    Returns
    -------
    numpy.ndarray of int
    """
    ratio = prog["ratio"]
    with np.errstate(invalid="ignore"):
        by_ratio = np.select(
            [ratio >= settings.maintain_ratio, ratio > settings.reverse_ratio],
            [code("maintain_progress"), code("accelerate_progress")],
            default=code("reverse_trend"),
        )
        # No ratio: the base already met the target but the assessed value does not, or a
        # growth-rate series; the direction of the trend decides.
        away = prog["moved_away"] | (prog["growth"] & ~(directed_rate > 0))
        by_direction = np.where(away, code("reverse_trend"), code("accelerate_progress"))
    return np.select(
        [~has_data, ~prog["numeric_target"], ~has_trend, prog["met"], prog["ratio_defined"]],
        [code("no_data"), code("no_target"), code("insufficient_data"),
         code("maintain_progress"), by_ratio],
        default=by_direction,
    )  # fmt: skip


def current_status(
    prog: dict[str, np.ndarray],
    sign: np.ndarray,
    v_t: np.ndarray,
    v_ref: np.ndarray,
    target: np.ndarray,
    t: np.ndarray,
    ref_year: np.ndarray,
    horizon: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Current Status Index per series and the expected share for the years elapsed.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        ``CS = s·(v_t − v_ref)/|V* − v_ref|`` (1 when the target is met; NaN without a
        numeric target, with a base that already met it but a value that no longer does,
        or without data) and ``E = clip((t − ref_year)/(T − ref_year), 0, 1)`` (NaN where
        ``CS`` is).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        share = sign * (v_t - v_ref) / np.abs(target - v_ref)
        defined = prog["numeric_target"] & (prog["required"] > 0) & ~np.isnan(v_ref)
        cs = np.where(prog["met"], 1.0, np.where(defined, share, np.nan))
        cs = np.where(np.isnan(v_t), np.nan, cs)
        expected = np.clip((t - ref_year) / (horizon - ref_year), 0.0, 1.0)
    return cs, np.where(np.isnan(cs), np.nan, expected)


def current_status_index(assessment: pd.DataFrame, by: str = "characteristic") -> pd.DataFrame:
    """Average Current Status Index per group, read against the expected share.

    Parameters
    ----------
    assessment : pandas.DataFrame
        Output of :func:`mtr_analysis.analysis.trends.assess` (``current_status``,
        ``expected_status`` and the ``by`` column).
    by : str
        ``"characteristic"``, ``"element"``, ``"country"`` or another column.

    Returns
    -------
    pandas.DataFrame
        One row per group with at least one index value (sorted): ``by``, ``csi`` (mean of
        ``current_status``, a share of the distance to the target), ``expected`` (mean of
        ``expected_status``), ``n_series`` (series averaged), ``regressed`` (their number
        with a negative index).

    Raises
    ------
    ValueError
        When a needed column is missing.
    """
    needed = [by, "current_status", "expected_status"]
    missing = [c for c in needed if c not in assessment.columns]
    if missing:
        raise ValueError(f"assessment lacks column(s): {', '.join(missing)}")
    rows = assessment.loc[assessment["current_status"].notna(), needed]
    cs = rows["current_status"].astype(float)
    grouped = rows.assign(regressed=cs.lt(0)).groupby(rows[by].astype(str), sort=True)
    out = pd.DataFrame(
        {
            "csi": grouped["current_status"].mean(),
            "expected": grouped["expected_status"].mean(),
            "n_series": grouped["current_status"].size().astype(np.int64),
            "regressed": grouped["regressed"].sum().astype(np.int64),
        }
    )
    return out.rename_axis(by).reset_index()
