"""Benchmark: availability + progress assessment on a panel the size of the whole WDI.

Run on demand (not part of pytest)::

    .venv/bin/python benchmarks/bench_assessment.py [--sample 2000] [--seed 0]

What it does, all in one run so that other load on the machine affects both sides alike:

1. builds a synthetic panel of 217 economies × 1,500 series × 30 years (1995–2024) with
   realistic sparsity (about half the cells missing, 5 % of series empty, coverage varying by
   series and economy) and a matching synthetic catalogue (shares, indices that go negative,
   positive rates, growth-rate series; half of the series with a numeric target);
2. times the library on the full panel: ``gaps.availability`` + ``trends.assess`` (UNSD
   default) + ``trends.assess(method="ols")`` (trend with confidence interval);
3. times a straightforward per-series loop (pandas ``groupby`` + plain Python for the
   baseline/latest rules and the UNSD classification + ``statsmodels.OLS`` per series) on a
   random sample of country × series pairs and scales it to the full panel;
4. checks that both give the same answers on the sample (statuses, CAGR, projections,
   OLS slope, its confidence interval and projection);
5. prints wall times, the speed-up and peak memory (``tracemalloc`` in a separate run, so
   that tracing does not slow the timed run; plus the process's maximum resident set).

Targets (issue 4): full panel under 10 s on 2 cores, at least 25× faster than the loop.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import sys
import time
import tracemalloc
import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm

from mtr_analysis.analysis import gaps, trends
from mtr_analysis.settings import default_settings

N_ECONOMIES = 217
N_SERIES = 1500
YEARS = np.arange(1995, 2025)
BASELINE, CUTOFF = 2015, 2020
# The loop applies the same method settings as the library (config/methods.yaml).
SETTINGS = default_settings()
TOLERANCE = SETTINGS.availability.baseline_tolerance
UNSD = SETTINGS.unsd
HORIZON = SETTINGS.assessment.target_year_default
TARGET_SECONDS = 10.0
TARGET_SPEEDUP = 25.0

UNITS = {  # unit → (share of series, natural bounds)
    "% of population": (0.35, (0.0, 100.0)),
    "index (-2.5 to 2.5)": (0.10, (-2.5, 2.5)),
    "per 1,000 people": (0.50, (0.0, math.inf)),
    "% per year": (0.05, (-math.inf, math.inf)),
}


# --------------------------------------------------------------------------- synthetic data
def make_catalogue(rng: np.random.Generator, n_series: int) -> pd.DataFrame:
    """Synthetic indicator table with the columns :func:`trends.assess` reads."""
    ids = [f"s_{i:04d}" for i in range(n_series)]
    units = rng.choice(list(UNITS), n_series, p=[v[0] for v in UNITS.values()])
    direction = rng.choice(["increase", "decrease"], n_series)
    has_target = (rng.random(n_series) < 0.5) & (units != "% per year")
    target = np.full(n_series, np.nan)
    for i in np.flatnonzero(has_target):
        if units[i] == "% of population":
            target[i] = 100.0 if direction[i] == "increase" else rng.choice([0.0, 5.0])
        elif units[i] == "index (-2.5 to 2.5)":
            target[i] = 1.0 if direction[i] == "increase" else -1.0
        else:
            target[i] = rng.uniform(5, 50) if direction[i] == "decrease" else rng.uniform(50, 500)
    target_year = np.where(rng.random(n_series) < 0.2, 2025, 2030)
    return pd.DataFrame(
        {
            "characteristic": "X",
            "element": "X.1",
            "unit": units,
            "direction": direction,
            "target_value": target,
            "target_year": pd.array(np.where(has_target, target_year, 0), dtype="Int64"),
            "target_kind": np.where(has_target, "absolute", ""),
        },
        index=pd.Index(ids, name="id"),
    ).assign(target_year=lambda d: d["target_year"].where(has_target, pd.NA))


def make_panel(rng: np.random.Generator, catalogue: pd.DataFrame, n_econ: int) -> pd.DataFrame:
    """Observations sorted like the store (country, indicator, year)."""
    n_series, n_years = len(catalogue), len(YEARS)
    countries = np.array([f"E{i:03d}" for i in range(n_econ)])
    series_cover = rng.beta(2.0, 1.6, n_series)
    series_cover[rng.random(n_series) < 0.05] = 0.0  # empty series
    econ_cover = rng.beta(4.0, 1.5, n_econ)
    cover = np.clip(series_cover[None, :] * econ_cover[:, None] * 1.3, 0, 1)
    present = rng.random((n_econ, n_series, n_years)) < cover[:, :, None]
    ci, si, yi = np.nonzero(present)  # sorted by country, series, year

    units = catalogue["unit"].to_numpy()[si]
    t = (YEARS[yi] - 2010).astype(float)
    level = rng.lognormal(3.0, 1.0, (n_econ, n_series))[ci, si]
    growth = rng.normal(0.0, 0.03, (n_econ, n_series))[ci, si]
    noise = rng.normal(0.0, 0.03, len(ci))
    value = level * np.exp(growth * t + noise)
    share = rng.uniform(2, 98, (n_econ, n_series))[ci, si]
    value = np.where(
        units == "% of population", np.clip(share * np.exp(growth * t + noise), 0, 100), value
    )
    index = rng.uniform(-2.0, 2.0, (n_econ, n_series))[ci, si]
    value = np.where(units == "index (-2.5 to 2.5)", index + 0.02 * growth * t + noise, value)
    value = np.where(units == "% per year", rng.normal(2.0, 2.5, len(ci)), value)
    value = np.where(rng.random(len(ci)) < 0.002, 0.0, value)  # a few exact zeros
    value = np.round(value, 6)
    series = catalogue.index.to_numpy()[si]
    return pd.DataFrame(
        {
            "country": pd.array(countries[ci], dtype="string"),
            "indicator": pd.array(series, dtype="string"),
            "year": YEARS[yi].astype(np.int64),
            "value": value,
            "source": pd.array(np.full(len(ci), "World Bank WDI (synthetic)"), dtype="string"),
            "source_series": pd.array(series, dtype="string"),
        }
    )


# --------------------------------------------------------------------------- library
def run_library(obs: pd.DataFrame, catalogue: pd.DataFrame, countries: list[str]):
    timings = {}
    start = time.perf_counter()
    avail = gaps.availability(
        obs, BASELINE, CUTOFF, countries=countries, indicators=list(catalogue.index)
    )
    timings["availability"] = time.perf_counter() - start
    start = time.perf_counter()
    unsd = trends.assess(avail, catalogue)
    timings["assess unsd"] = time.perf_counter() - start
    start = time.perf_counter()
    ols = trends.assess(avail, catalogue, method="ols", obs=obs)
    timings["assess ols"] = time.perf_counter() - start
    return avail, unsd, ols, timings


# --------------------------------------------------------------------------- the loop
def band(x: float, cuts: tuple[float, ...]) -> str:
    labels = ("on_track", "moderate_progress", "marginal_progress", "stagnation")
    for cut, label in zip(cuts, labels, strict=True):
        if x >= cut:
            return label
    return "regression"


def loop_one(years: np.ndarray, values: np.ndarray, meta: dict) -> dict:
    """One series the straightforward way: Python rules + statsmodels OLS."""
    keep = (years <= CUTOFF) & ~np.isnan(values)
    years, values = years[keep], values[keep]
    order = np.argsort(years)
    years, values = years[order], values[order]
    window = years >= BASELINE - TOLERANCE
    wy, wv = years[window], values[window]
    out = {"status": "no_data", "cagr": np.nan, "projected": np.nan, "slope": np.nan,
           "ci_low": np.nan, "ci_high": np.nan, "ols_projected": np.nan}  # fmt: skip
    if len(wy) == 0:
        return out
    t, v_t = int(wy[-1]), float(wv[-1])
    candidates = list(range(len(wy) - 1)) if len(wy) > 1 else [0]
    k = min(candidates, key=lambda i: (abs(int(wy[i]) - BASELINE), -int(wy[i])))
    b, v_b = int(wy[k]), float(wv[k])
    if not b < t:
        out["status"] = "insufficient_data"
        return out
    s = 1.0 if meta["direction"] == "increase" else -1.0
    low, high = meta["bounds"]
    horizon = meta["horizon"]
    target = meta["target"]
    growth_series = meta["unit"] == "% per year"
    # UNSD: CAGR (linear fallback on non-positive values), projection, ratio or bands.
    ahead = max(horizon - t, 0)
    if v_b > 0 and v_t > 0:
        g = (v_t / v_b) ** (1 / (t - b)) - 1
        projected, rate = v_t * (1 + g) ** ahead, g
    else:
        g = np.nan
        change = (v_t - v_b) / (t - b)
        mid = (abs(v_b) + abs(v_t)) / 2
        projected, rate = v_t + change * ahead, (change / mid if mid > 0 else 0.0)
    projected = min(max(projected, low), high)
    met = False
    if not math.isnan(target):
        met = s * (v_t - target) >= 0
        if meta["unit"].startswith("% of") and target in (0.0, 100.0):
            met = met or abs(v_t - target) <= UNSD.near_limit_tolerance
    if growth_series:
        g, projected = np.nan, np.nan
    if met:
        status = "target_met"
    elif growth_series:
        status = band(s * v_t / 100, UNSD.cagr_bands)
    elif not math.isnan(target) and s * (target - v_b) > 0:
        status = band((projected - v_b) / (target - v_b), UNSD.thresholds)
    elif not math.isnan(target):
        status = "regression" if s * (projected - v_b) < 0 else "stagnation"
    else:
        status = band(s * rate, UNSD.cagr_bands)
    out.update(status=status, cagr=g, projected=projected)
    # OLS trend over the review window (baseline year to latest) with statsmodels.
    fit_years = years[(years >= b) & (years <= t)].astype(float)
    fit_values = values[(years >= b) & (years <= t)]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        fit = sm.OLS(fit_values, sm.add_constant(fit_years, has_constant="add")).fit()
        ci = fit.conf_int(alpha=1 - SETTINGS.ols.confidence)
    out["slope"] = float(fit.params[1])
    if len(fit_years) > 2:
        out["ci_low"], out["ci_high"] = float(ci[1][0]), float(ci[1][1])
    if not growth_series:
        ols_projected = fit.params[0] + fit.params[1] * horizon if horizon > t else v_t
        out["ols_projected"] = min(max(float(ols_projected), low), high)
    return out


def run_loop(obs: pd.DataFrame, catalogue: pd.DataFrame, pairs: list[tuple[str, str]]):
    meta = {
        ind: {
            "direction": row.direction,
            "unit": row.unit,
            "bounds": UNITS[row.unit][1],
            "target": float(row.target_value),
            "horizon": HORIZON if pd.isna(row.target_year) else int(row.target_year),
        }
        for ind, row in catalogue.iterrows()
    }
    start = time.perf_counter()
    groups = obs.groupby(["country", "indicator"], sort=False).indices
    results = {}
    year = obs["year"].to_numpy()
    value = obs["value"].to_numpy()
    for pair in pairs:
        rows = groups.get(pair, np.array([], dtype=np.int64))
        results[pair] = loop_one(year[rows], value[rows], meta[pair[1]])
    return results, time.perf_counter() - start


# --------------------------------------------------------------------------- comparison
def compare(results: dict, unsd: pd.DataFrame, ols: pd.DataFrame) -> int:
    """Number of sampled pairs where the loop and the library disagree."""
    lib_u = unsd.set_index(["country", "indicator"])
    lib_o = ols.set_index(["country", "indicator"])
    bad = 0
    for pair, ref in results.items():
        u, o = lib_u.loc[pair], lib_o.loc[pair]
        checks = [
            u["status"] == ref["status"],
            np.allclose(u["cagr"], ref["cagr"], rtol=1e-9, equal_nan=True),
            np.allclose(u["projected_value"], ref["projected"], rtol=1e-9, equal_nan=True),
        ]
        if o["status"] not in ("no_data", "insufficient_data"):
            checks += [
                np.allclose(o["slope"], ref["slope"], rtol=1e-7, atol=1e-8, equal_nan=True),
                np.allclose(o["slope_ci_low"], ref["ci_low"], rtol=1e-7, atol=1e-8,
                            equal_nan=True),
                np.allclose(o["slope_ci_high"], ref["ci_high"], rtol=1e-7, atol=1e-8,
                            equal_nan=True),
                np.allclose(o["projected_value"], ref["ols_projected"], rtol=1e-7, atol=1e-9,
                            equal_nan=True),
            ]  # fmt: skip
        if not all(checks):
            bad += 1
            if bad <= 5:
                print("  MISMATCH", pair, dict(u[["status", "cagr", "projected_value"]]), ref)
    return bad


# --------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--economies", type=int, default=N_ECONOMIES)
    parser.add_argument("--series", type=int, default=N_SERIES)
    parser.add_argument("--sample", type=int, default=2000, help="pairs timed in the loop")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each side")
    args = parser.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    t0 = time.perf_counter()
    catalogue = make_catalogue(rng, args.series)
    obs = make_panel(rng, catalogue, args.economies)
    countries = sorted(obs["country"].unique().tolist())
    countries += [f"E{i:03d}" for i in range(args.economies) if f"E{i:03d}" not in countries]
    countries = sorted(countries)
    n_pairs = len(countries) * len(catalogue)
    cells = n_pairs * len(YEARS)
    empty_series = len(catalogue) - obs["indicator"].nunique()
    print(f"panel: {args.economies} economies × {args.series} series × {len(YEARS)} years "
          f"= {cells:,} cells; {len(obs):,} observations ({1 - len(obs) / cells:.0%} missing), "
          f"{empty_series} empty series; built in {time.perf_counter() - t0:.1f} s")  # fmt: skip
    print(f"cpus available: {len(os.sched_getaffinity(0))}; python {sys.version.split()[0]}, "
          f"numpy {np.__version__}, pandas {pd.__version__}")  # fmt: skip

    # Random sample of pairs for the loop (empty pairs included).
    sample_idx = rng.choice(n_pairs, size=min(args.sample, n_pairs), replace=False)
    series_ids = list(catalogue.index)
    pairs = [(countries[i // len(series_ids)], series_ids[i % len(series_ids)])
             for i in sorted(sample_idx)]  # fmt: skip
    in_sample = (
        pd.Series(list(zip(obs["country"], obs["indicator"], strict=True)))
        .isin(set(pairs))
        .to_numpy()
    )
    obs_sample = obs.loc[in_sample].reset_index(drop=True)

    # Library (full panel) and loop (sample) interleaved, `repeat` times each: other load
    # on the machine hits both alike; the minimum of each is the least disturbed run.
    lib_runs, loop_runs = [], []
    for _ in range(args.repeat):
        avail, unsd, ols, timings = run_library(obs, catalogue, countries)
        lib_runs.append((sum(timings.values()), timings))
        results, loop_time = run_loop(obs_sample, catalogue, pairs)
        loop_runs.append(loop_time)
    lib_total, timings = min(lib_runs, key=lambda run: run[0])
    loop_time = min(loop_runs)
    loop_full = loop_time * n_pairs / len(pairs)
    print(
        f"library, full panel ({n_pairs:,} series): {lib_total:.2f} s best of {args.repeat} "
        f"(median {np.median([r[0] for r in lib_runs]):.2f} s; "
        + ", ".join(f"{k} {v:.2f} s" for k, v in timings.items())
        + ")"
    )
    print(
        f"per-series loop (groupby + Python rules + statsmodels OLS): {loop_time:.2f} s for "
        f"{len(pairs):,} series, best of {args.repeat} (median {np.median(loop_runs):.2f} s) "
        f"→ {loop_full:.0f} s scaled to {n_pairs:,}"
    )

    mismatches = compare(results, unsd, ols)
    statuses = pd.Series([r["status"] for r in results.values()]).value_counts()
    print(f"same answers on the sample: {len(pairs) - mismatches:,}/{len(pairs):,} series "
          f"(statuses: {', '.join(f'{k} {v}' for k, v in statuses.items())})")  # fmt: skip

    # Peak memory of the library call, traced separately.
    tracemalloc.start()
    run_library(obs, catalogue, countries)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    obs_mb = obs.memory_usage(deep=True).sum() / 2**20
    print(f"peak memory of the library call (tracemalloc): {peak / 2**20:.0f} MiB "
          f"(input panel {obs_mb:.0f} MiB); process max RSS {rss:.0f} MiB")  # fmt: skip

    speedup = loop_full / lib_total
    median_speedup = (
        np.median(loop_runs) * n_pairs / len(pairs) / np.median([r[0] for r in lib_runs])
    )
    ok_time = lib_total < TARGET_SECONDS
    ok_speed = speedup >= TARGET_SPEEDUP
    print(f"speed-up: {speedup:.0f}× best/best, {median_speedup:.0f}× median/median "
          f"(target ≥ {TARGET_SPEEDUP:.0f}×) "
          f"{'PASS' if ok_speed else 'FAIL'}; full panel {lib_total:.2f} s "
          f"(target < {TARGET_SECONDS:.0f} s) {'PASS' if ok_time else 'FAIL'}; "
          f"answers {'PASS' if mismatches == 0 else 'FAIL'}")  # fmt: skip
    return 0 if ok_time and ok_speed and mismatches == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
