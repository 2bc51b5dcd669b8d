"""The next plan's baseline: value at or near the baseline year, gaps, and the pace needed.

Comes in: the tidy observations (``country``, ``indicator``, ``year``, ``value``,
``source``), the catalogue, the member states, a baseline year (2025) and a horizon year
(2030) from a review of kind ``baseline`` (``config/ascc_framework.yaml``, ``next-plan``),
and the ``baseline`` section of the method settings. Goes out: :func:`baseline_table`, one
row per country × catalogue indicator with the columns :data:`BASELINE_COLUMNS`
(``baseline.csv`` of a run, the baseline reports' tables and pace chart).

Rules (thresholds in ``config/methods.yaml``, section ``baseline``)
------------------------------------------------------------------
Notation: ``B`` the review's baseline year, ``H`` the horizon, ``s = +1`` when an increase is
desirable, ``−1`` otherwise, ``V*`` the target.

- **Baseline value**: the latest value observed in ``[B − near_years, B]`` (2023–2025),
  with its year ``b`` and source. Values after ``B`` are not used (they were not known at the
  plan's start). A series whose latest value is older is a ``stale`` gap, a series without
  any value a ``no_data`` gap.
- **Observed recent pace** (UNSD SDG Progress Chart technical note: the growth rate between
  two observed points): from the earliest value ``(a, v_a)`` with ``a >= b − trend_years``
  to the baseline value ``(b, v_b)``: ``CAGR_obs = (v_b / v_a)^(1/(b − a)) − 1`` and the
  average annual change ``Δ_obs = (v_b − v_a)/(b − a)``. Fewer than ``min_points`` distinct
  years in that span is a ``too_few_points`` gap (no trend).
- **Target**: resolved exactly as the progress assessment does
  (:func:`mtr_analysis.analysis.trends.assess`): absolute and interpretive targets from the
  catalogue, relative targets ``V* = target_factor × value(target_base_year)``; directional
  targets give a direction only (no number).
- **Required pace** from the baseline value to the target at the horizon (ESCAP, *Asia and
  the Pacific SDG Progress Report*, technical notes: the "required rate" to reach the target
  value by the target year): ``Δ_req = (V* − v_b)/(H − b)`` per year and
  ``CAGR_req = (V* / v_b)^(1/(H − b)) − 1``. The span starts at the year of the value,
  not at ``B``: a 2024 value has six years of change left to 2030.
- **Pace ratio** ``ρ = CAGR_obs / CAGR_req`` when both CAGRs are defined (positive values;
  not for series that are themselves growth rates), else ``Δ_obs / Δ_req``
  (``pace_basis`` says which); ``ρ = 1`` means the recent pace is exactly the pace needed.
- **Pace label**, first match wins: ``insufficient_data`` without a baseline value;
  ``already_met`` when ``s·(v_b − V*) >= 0`` (or, for a 0 % / 100 % target of a share,
  ``|v_b − V*| <= unsd.near_limit_tolerance``, UNSD's rule); ``no_target`` without a
  numeric target; ``insufficient_data`` without an observed pace; ``on_pace`` when
  ``ρ >= on_pace_ratio``; ``must_reverse`` when ``ρ < reverse_ratio`` (the series moves
  away from the target); ``must_accelerate`` otherwise (ESCAP's maintain / accelerate /
  reverse classes, applied to the pace).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mtr_analysis.analysis import trends
from mtr_analysis.intake import store
from mtr_analysis.reference import registry
from mtr_analysis.reference.catalogue import Catalogue, load_catalogue
from mtr_analysis.settings import Settings, or_default

__all__ = [
    "BASELINE_COLUMNS",
    "GAPS",
    "PACE_LABELS",
    "BaselineData",
    "baseline_table",
    "load_baseline",
    "review_window",
]

#: Pace labels, in the order reports list them.
PACE_LABELS: tuple[str, ...] = (
    "already_met",
    "on_pace",
    "must_accelerate",
    "must_reverse",
    "no_target",
    "insufficient_data",
)
#: Data gaps to close before the successor plan's first review ("" when none).
GAPS: tuple[str, ...] = ("no_data", "stale", "too_few_points")

#: Output columns of :func:`baseline_table`, in order (the columns of ``baseline.csv``).
BASELINE_COLUMNS: list[str] = [
    "country",
    "indicator",
    "characteristic",
    "element",
    "direction",
    "target_kind",
    "baseline_year",
    "baseline_value",
    "source",
    "latest_year",
    "n_recent",
    "gap",
    "target_value",
    "horizon_year",
    "required_change",
    "required_cagr",
    "observed_start_year",
    "observed_change",
    "observed_cagr",
    "pace_basis",
    "pace_ratio",
    "pace",
]


def review_window(
    catalogue: Catalogue, review: str, horizon_year: int | None = None
) -> tuple[int, int]:
    """``(baseline_year, horizon_year)`` of a review of kind ``baseline``.

    Raises
    ------
    ValueError
        Unknown review, a review of another kind, or a horizon not after the baseline year.
    """
    conf = catalogue.review(review)
    if conf.get("kind") != "baseline":
        raise ValueError(
            f"review {review!r} is not of kind 'baseline' (config/ascc_framework.yaml); "
            f"baseline reviews: {', '.join(baseline_reviews(catalogue)) or 'none'}"
        )
    base = int(conf["baseline_year"])
    horizon = int(conf["horizon_year"] if horizon_year is None else horizon_year)
    if horizon <= base:
        raise ValueError(f"horizon year {horizon} must be after the baseline year {base}")
    return base, horizon


def baseline_reviews(catalogue: Catalogue) -> list[str]:
    """Names of the catalogue's reviews of kind ``baseline``."""
    return [name for name, conf in catalogue.reviews.items() if conf.get("kind") == "baseline"]


def _series(obs: pd.DataFrame, grid: pd.DataFrame, base: int, settings: Settings) -> pd.DataFrame:
    """Latest value, baseline value and the start of the recent-pace span per series."""
    rule = settings.baseline
    keep = obs["year"].le(base) & obs["value"].notna()
    pts = obs.loc[keep, ["country", "indicator", "year", "value", "source"]].copy()
    pts["year"] = pts["year"].astype(int)
    pts = pts.sort_values(["country", "indicator", "year"], kind="stable")
    last = pts.groupby(["country", "indicator"], sort=False).tail(1)
    last = last.rename(columns={"year": "latest_year", "value": "latest_value"})
    out = grid.merge(last, on=["country", "indicator"], how="left")
    near = out["latest_year"].ge(base - rule.near_years)
    out["baseline_year"] = out["latest_year"].where(near)
    out["baseline_value"] = out["latest_value"].where(near)
    out["source"] = out["source"].where(near)
    # Recent span: points from b − trend_years to b (b = the baseline value's year).
    span = pts.merge(out[["country", "indicator", "baseline_year"]], on=["country", "indicator"])
    span = span.loc[
        span["year"].ge(span["baseline_year"] - rule.trend_years)
        & span["year"].le(span["baseline_year"])
    ].sort_values(["country", "indicator", "year"], kind="stable")
    first = span.groupby(["country", "indicator"], sort=False).agg(
        observed_start_year=("year", "min"), n_recent=("year", "nunique")
    )
    start_value = span.groupby(["country", "indicator"], sort=False)["value"].first()
    first["start_value"] = start_value
    out = out.merge(first.reset_index(), on=["country", "indicator"], how="left")
    out["n_recent"] = out["n_recent"].fillna(0).astype(int)
    out["gap"] = np.select(
        [out["latest_year"].isna(), ~near, out["n_recent"].lt(rule.min_points)],
        list(GAPS),
        default="",
    )
    return out


def _targets(
    out: pd.DataFrame, obs: pd.DataFrame, catalogue: Catalogue, settings: Settings
) -> np.ndarray:
    """Numeric target per row, resolved by :func:`trends.assess` (relative targets from
    the value in their base year)."""
    avail = pd.DataFrame(
        {
            "country": out["country"],
            "indicator": out["indicator"],
            "n_obs": out["n_recent"].where(out["baseline_value"].notna(), 0),
            "baseline_year": out["observed_start_year"],
            "baseline_value": out["start_value"],
            "latest_year": out["baseline_year"],
            "latest_value": out["baseline_value"],
            "gap_category": out["gap"],
        }
    )
    known = obs.merge(out[["country", "indicator"]], on=["country", "indicator"])
    assessed = trends.assess(avail, catalogue, "unsd", known, settings=settings)
    return assessed["target_value"].to_numpy(dtype=np.float64, na_value=np.nan)


def _pace(out: pd.DataFrame, ind: pd.DataFrame, horizon: int, settings: Settings) -> None:
    """Required and observed pace, pace ratio and label (module docstring), in place."""
    rule = settings.baseline
    v_b = out["baseline_value"].to_numpy(float)
    b = out["baseline_year"].to_numpy(float)
    a = out["observed_start_year"].to_numpy(float)
    v_a = out["start_value"].to_numpy(float)
    target = out["target_value"].to_numpy(float)
    sign = np.where(out["direction"].eq("increase"), 1.0, -1.0)
    units = out["indicator"].map(ind["unit"]).fillna("").astype(str)
    growth = units.map(trends.is_growth_rate).to_numpy(bool)
    share = units.map(trends.is_bounded_percentage).to_numpy(bool)
    has_trend = out["n_recent"].ge(rule.min_points).to_numpy() & (b > a)
    with np.errstate(divide="ignore", invalid="ignore"):
        req_change = (target - v_b) / (horizon - b)
        req_cagr = np.where(growth, np.nan, trends.cagr(v_b, target, b, float(horizon)))
        obs_change = np.where(has_trend, (v_b - v_a) / (b - a), np.nan)
        obs_cagr = np.where(has_trend & ~growth, trends.cagr(v_a, v_b, a, b), np.nan)
        by_cagr = np.isfinite(req_cagr) & np.isfinite(obs_cagr) & (req_cagr != 0)
        ratio = np.where(by_cagr, obs_cagr / req_cagr, obs_change / req_change)
        ratio = np.where(np.isfinite(ratio), ratio, np.nan)
        at_limit = share & ((target == 0.0) | (target == 100.0))
        near = at_limit & (np.abs(v_b - target) <= settings.unsd.near_limit_tolerance)
        met = ~np.isnan(target) & ((sign * (v_b - target) >= 0) | near)
    label = np.select(
        [np.isnan(v_b), met, np.isnan(target), np.isnan(ratio),
         ratio >= rule.on_pace_ratio, ratio < rule.reverse_ratio],
        ["insufficient_data", "already_met", "no_target", "insufficient_data", "on_pace",
         "must_reverse"],
        default="must_accelerate",
    )  # fmt: skip
    with_target = ~np.isnan(target) & ~np.isnan(v_b) & ~met
    out["required_change"] = np.where(with_target, req_change, np.nan)
    out["required_cagr"] = np.where(with_target, req_cagr, np.nan)
    out["observed_change"] = obs_change
    out["observed_cagr"] = obs_cagr
    out["pace_basis"] = np.where(np.isnan(ratio) | ~with_target, "",
                                 np.where(by_cagr, "cagr", "change"))  # fmt: skip
    out["pace_ratio"] = np.where(with_target, ratio, np.nan) + 0.0  # no "-0" when flat
    out["pace"] = label


def baseline_table(
    obs: pd.DataFrame,
    catalogue: Catalogue,
    countries: list[str],
    baseline_year: int,
    horizon_year: int,
    *,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Baseline value, gap and pace per country × catalogue indicator.

    Parameters
    ----------
    obs : pandas.DataFrame
        Tidy observations used for analysis (:func:`mtr_analysis.intake.store.for_analysis`):
        ``country``, ``indicator``, ``year``, ``value`` (indicator unit), ``source``; one
        row per country × indicator × year.
    catalogue : Catalogue
    countries : list of str
        ISO3 codes (the grid's rows, with every catalogue indicator).
    baseline_year, horizon_year : int
        The plan's baseline year ``B`` and horizon ``H`` (``H > B``).
    settings : Settings, optional
        Method settings: ``baseline`` (near window, recent-pace span and points, pace-ratio
        cut-offs), ``unsd.near_limit_tolerance``, ``availability.baseline_tolerance`` (base
        value of relative targets).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`BASELINE_COLUMNS` (rules in the module docstring): years ``Int64``;
        values, targets and ``required_change``/``observed_change`` in the indicator's unit
        (per year for the changes); ``required_cagr``/``observed_cagr`` fractions per year;
        ``pace_ratio`` dimensionless; ``gap`` one of :data:`GAPS` or ``""``; ``pace`` one of
        :data:`PACE_LABELS`; ``horizon_year`` the horizon ``H``.

    Raises
    ------
    ValueError
        When ``horizon_year <= baseline_year`` or ``obs`` lacks a column.
    """
    settings = or_default(settings)
    if int(horizon_year) <= int(baseline_year):
        raise ValueError(f"horizon year {horizon_year} must be after baseline year {baseline_year}")
    missing = {"country", "indicator", "year", "value", "source"} - set(obs.columns)
    if missing:
        raise ValueError(f"observations lack column(s): {', '.join(sorted(missing))}")
    ind = catalogue.indicators
    grid = pd.MultiIndex.from_product(
        [list(countries), list(ind.index)], names=["country", "indicator"]
    ).to_frame(index=False)
    obs = obs.loc[obs["country"].isin(countries) & obs["indicator"].isin(ind.index)]
    obs = obs.loc[obs["year"].le(baseline_year)].reset_index(drop=True)
    out = _series(obs, grid, int(baseline_year), settings)
    out["characteristic"] = out["indicator"].map(ind["characteristic"])
    out["element"] = out["indicator"].map(ind["element"])
    out["direction"] = out["indicator"].map(ind["direction"])
    out["target_kind"] = out["indicator"].map(ind["target_kind"])
    out["target_value"] = _targets(out, obs, catalogue, settings)
    out["horizon_year"] = int(horizon_year)
    _pace(out, ind, int(horizon_year), settings)
    for col in ("baseline_year", "latest_year", "observed_start_year", "horizon_year"):
        out[col] = pd.array(out[col].to_numpy(float), dtype="Float64").astype("Int64")
    for col in ("country", "indicator", "characteristic", "element", "direction",
                "target_kind", "source", "gap", "pace_basis", "pace"):  # fmt: skip
        out[col] = out[col].astype("string")
    return out[BASELINE_COLUMNS]


@dataclass(frozen=True)
class BaselineData:
    """The baseline of one review: its table and what it was computed from."""

    table: pd.DataFrame
    observations: pd.DataFrame
    catalogue: Catalogue
    countries: list[str]
    review: str
    baseline_year: int
    horizon_year: int
    settings: Settings

    def review_label(self, lang: str = "en") -> str:
        """Display name of the review ("Baseline of the next plan (2025–2030)")."""
        conf = self.catalogue.reviews.get(self.review, {})
        return str(conf.get("label_vi" if lang == "vi" else "label") or self.review)


def load_baseline(
    data_dir: Path | str,
    review: str = "next-plan",
    horizon_year: int | None = None,
    countries: list[str] | None = None,
    settings: Settings | None = None,
) -> BaselineData:
    """Read the store in ``data_dir`` and compute :func:`baseline_table` for a review of
    kind ``baseline`` (``horizon_year`` overrides the review's; default member states: the
    10 of the Blueprint)."""
    settings = or_default(settings)
    cat = load_catalogue()
    base, horizon = review_window(cat, review, horizon_year)
    countries = list(countries or registry.iso3_codes())
    obs = store.for_analysis(store.read_store(data_dir))
    obs = obs.loc[obs["country"].isin(countries)].reset_index(drop=True)
    table = baseline_table(obs, cat, countries, base, horizon, settings=settings)
    return BaselineData(table, obs, cat, countries, review, base, horizon, settings)
