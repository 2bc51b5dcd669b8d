"""Plausibility of values: impossible ones are rejected, suspicious ones flagged.

Every source passes the same rules, in :func:`mtr_analysis.intake.build.triage` (where the
records of every reader meet), with the numbers of the ``plausibility`` section of
``config/methods.yaml`` (:class:`mtr_analysis.settings.PlausibilitySettings`):

* **rejected** (:func:`implausible_reasons`) — a value that cannot be true: not finite or
  of absurd magnitude; outside the range of its catalogue unit (a share outside 0–100 %, a
  negative rate or count, more than 1,000 deaths per 1,000 live births); outside the bounds
  of its indicator (life expectancy 10–100 years, an index outside its published range).
  The reason names the rule and the value: ``"implausible: share above 100 % (150)"``;
* **suspect** (:func:`flag_suspect`) — possible but out of line with the series' own
  history: a value about 100 times larger or smaller than its neighbouring years (a
  percentage typed as 0.45 among values near 45), or a spike far beyond the series'
  typical change per year. Kept with ``flag = "suspect"`` and the rule in ``note``; listed
  in the intake report (:func:`suspect_list`) and marked in the trend charts.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd

from mtr_analysis.reference.catalogue import Catalogue
from mtr_analysis.settings import PlausibilitySettings, Settings, or_default

__all__ = [
    "IMPLAUSIBLE",
    "SUSPECT",
    "bounds",
    "flag_suspect",
    "implausible_reasons",
    "intake_section",
    "rule_counts",
    "suspect_list",
]

#: Start of the reason of every rejected implausible value (``rejects.csv``).
IMPLAUSIBLE = "implausible"
#: Flag of a value kept but suspicious (``observations.parquet``).
SUSPECT = "suspect"
#: Start of the note of a suspect value (the rule follows).
SUSPECT_NOTE = "suspect: "
#: Columns identifying one series for the suspect rules: one file, source, code, country
#: and breakdown (as for carried-forward repeats), so two sources are never mixed.
SERIES_KEY = ["file", "source", "source_series", "country", "indicator", "sex", "age", "location"]


def _num(value: float) -> str:
    """A value as written in a reason: ``150``, ``0.45``, ``-1e+300``."""
    return f"{value:g}"


@lru_cache(maxsize=64)
def _unit_rule(unit: str, rules: tuple) -> tuple[str, float, float, str]:
    """``(rule, lower, upper, symbol)`` of the first unit rule matching ``unit``."""
    for r in rules:
        if re.search(r.pattern, unit, flags=re.IGNORECASE):
            lower = -np.inf if r.lower is None else r.lower
            upper = np.inf if r.upper is None else r.upper
            return r.rule, lower, upper, r.symbol
    return "", -np.inf, np.inf, ""


def bounds(catalogue: Catalogue, settings: Settings | None = None) -> pd.DataFrame:
    """The allowed range of every catalogue id (indicators and auxiliary series).

    Returns
    -------
    pandas.DataFrame
        Index: catalogue id; columns ``rule`` (the rule's name: the unit rule, or the id
        for per-indicator bounds), ``lower``, ``upper`` (±inf when open) and ``symbol``.
    """
    p = or_default(settings).plausibility
    units = pd.concat([catalogue.indicators["unit"], catalogue.auxiliary["unit"]])
    rows = {}
    for ind, unit in units.items():
        rule = _unit_rule(str(unit), p.units)
        if ind in p.bounds:
            lower, upper = p.bounds[ind]
            rule = (
                str(ind),
                -np.inf if lower is None else lower,
                np.inf if upper is None else upper,
                "",
            )
        rows[str(ind)] = rule
    frame = pd.DataFrame.from_dict(
        rows, orient="index", columns=["rule", "lower", "upper", "symbol"]
    )
    return frame.astype({"lower": "float64", "upper": "float64"})


def implausible_reasons(
    indicator: pd.Series,
    value: pd.Series,
    catalogue: Catalogue,
    settings: Settings | None = None,
) -> pd.Series:
    """Why each value is impossible for its indicator (``""`` when it is plausible).

    Parameters
    ----------
    indicator : pandas.Series
        Catalogue id of each value (NaN or ``""`` for values outside the catalogue: only
        finiteness and magnitude are checked for them).
    value : pandas.Series
        The parsed numbers, aligned with ``indicator`` (NaN: not a number, judged elsewhere).
    catalogue : Catalogue
        Gives each id's unit.
    settings : Settings, optional
        Its ``plausibility`` section (default: ``config/methods.yaml``).

    Returns
    -------
    pandas.Series of str
        ``"implausible: <rule> above|below <bound> (<value>)"``, e.g. ``"implausible: share
        above 100 % (150)"``, ``"implausible: b_life_expectancy above 100 (73955)"``;
        ``"implausible: magnitude above 1e+15 (-1e+300)"``; ``"implausible: not a finite
        number (inf)"``.
    """
    p = or_default(settings).plausibility
    value = pd.to_numeric(value, errors="coerce").astype("float64")
    reason = pd.Series("", index=value.index, dtype="string")
    known = bounds(catalogue, settings).reindex(indicator.astype("string").fillna(""))
    known.index = value.index
    text = value.map(_num).astype("string")
    infinite = np.isinf(value)
    reason = reason.mask(infinite, f"{IMPLAUSIBLE}: not a finite number (" + text + ")")
    huge = value.abs().gt(p.max_magnitude) & ~infinite
    reason = reason.mask(
        huge, f"{IMPLAUSIBLE}: magnitude above {_num(p.max_magnitude)} (" + text + ")"
    )
    for side, test in (("upper", value.gt(known["upper"])), ("lower", value.lt(known["lower"]))):
        word = "above" if side == "upper" else "below"
        symbol = known["symbol"].fillna("").map(lambda s: f" {s}" if s else "")
        limit = known[side].map(lambda b: _num(b) if np.isfinite(b) else "")
        message = (
            f"{IMPLAUSIBLE}: " + known["rule"].astype("string") + f" {word} "
            + limit + symbol + " (" + text + ")"
        )  # fmt: skip
        reason = reason.mask(reason.eq("") & test.fillna(False), message)
    return reason.fillna("")


# --------------------------------------------------------------------------------------
# Suspect values


def _neighbours(obs: pd.DataFrame) -> pd.DataFrame:
    """Per value (sorted by series and year): previous/next value and year, series stats."""
    keys = [k for k in SERIES_KEY if k in obs.columns]
    order = obs.sort_values([*keys, "year"], kind="stable")
    g = order.groupby(keys, sort=False, dropna=False)
    out = pd.DataFrame(
        {
            "value": order["value"],
            "year": order["year"].astype("float64"),
            "prev": g["value"].shift(),
            "next": g["value"].shift(-1),
            "prev_year": g["year"].shift().astype("float64"),
            "next_year": g["year"].shift(-1).astype("float64"),
            "median": g["value"].transform("median"),
            "n": g["value"].transform("size"),
        },
        index=order.index,
    )
    out["d_prev"] = (out["value"] - out["prev"]) / (out["year"] - out["prev_year"])
    out["d_next"] = (out["next"] - out["value"]) / (out["next_year"] - out["year"])
    out["typical"] = (
        out["d_prev"].abs().groupby([order[k] for k in keys], dropna=False).transform("median")
    )
    return out


def _near(ratio: pd.Series, factor: float, tolerance: float) -> pd.Series:
    """True where ``ratio`` is within a factor ``tolerance`` of ``factor``."""
    return ratio.between(factor / tolerance, factor * tolerance)


def _scaled(nb: pd.DataFrame, p: PlausibilitySettings) -> pd.Series:
    """Values about ``scale_factor`` times off both neighbours and the series median."""
    ratios = [nb["value"] / nb[c] for c in ("prev", "next", "median")]
    hits = []
    for factor in (p.scale_factor, 1 / p.scale_factor):
        # A missing neighbour (series end) does not count against the rule; the median must.
        near = [_near(r, factor, p.scale_tolerance) | (r.isna() & (c != 2)) for c, r in
                enumerate(ratios)]  # fmt: skip
        hits.append(near[0] & near[1] & near[2] & (nb["prev"].notna() | nb["next"].notna()))
    # Ratios mean nothing across zero (a signed index near 0): positive series only.
    positive = nb[["value", "median"]].gt(0).all(axis=1) & ~nb[["prev", "next"]].le(0).any(axis=1)
    return (hits[0] | hits[1]) & nb["n"].ge(p.scale_min_points) & positive


def _jumped(nb: pd.DataFrame, p: PlausibilitySettings) -> tuple[pd.Series, pd.Series]:
    """Spikes: a change per year beyond ``jump_factor`` × the typical change, out and back.

    Returns the mask and the typical change per year used (with its floor).
    """
    typical = np.maximum(nb["typical"].fillna(0), p.jump_floor * nb["median"].abs())
    limit = p.jump_factor * typical.where(typical > 0, np.nan)
    big_prev = nb["d_prev"].abs().gt(limit)
    big_next = nb["d_next"].abs().gt(limit)
    spike = big_prev & big_next & (np.sign(nb["d_prev"]) == -np.sign(nb["d_next"]))
    end = (big_prev & nb["next"].isna()) | (big_next & nb["prev"].isna())
    return (spike | end) & nb["n"].ge(p.jump_min_points), typical


def _scale_note(nb: pd.DataFrame, p: PlausibilitySettings) -> pd.Series:
    up = nb["value"].abs() > nb["median"].abs()
    factor = up.map({True: _num(p.scale_factor), False: f"1/{_num(p.scale_factor)}"})
    return (
        "looks scaled by " + factor + " (" + nb["value"].map(_num)
        + " in a series with median " + nb["median"].map(_num) + ")"
    )  # fmt: skip


def _jump_note(nb: pd.DataFrame, typical: pd.Series) -> pd.Series:
    step = nb["d_prev"].where(nb["d_prev"].notna(), nb["d_next"]).abs()
    return (
        "jump of " + step.map(_num) + " a year against a typical " + typical.map(_num)
        + " (" + nb["value"].map(_num) + ")"
    )  # fmt: skip


def flag_suspect(obs: pd.DataFrame, settings: Settings | None = None) -> pd.DataFrame:
    """Flag values that are possible but out of line with their series' history.

    Rules (numbers from ``plausibility`` in ``config/methods.yaml``), within one series
    (:data:`SERIES_KEY`), for values with a catalogue indicator:

    * **scaled** — the value is ``scale_factor`` (100) times larger or smaller, within a
      factor ``scale_tolerance``, than both its neighbouring values and the series median
      (at least ``scale_min_points`` values);
    * **jump** — its change per year from the neighbouring values exceeds ``jump_factor``
      times the series' typical change per year (median absolute change, at least
      ``jump_floor`` × the series median), away and back (or at a series end, from its one
      neighbour), in a series of at least ``jump_min_points`` values.

    Returns a copy with ``flag = "suspect"`` and ``note`` starting ``"suspect: <rule>"``
    (an earlier flag is named in the note: ``"(was carried_forward)"``); nothing is removed.
    """
    out = obs.copy()
    todo = out.loc[out["indicator"].astype("string").fillna("").ne("") & out["value"].notna()]
    if todo.empty:
        return out
    p = or_default(settings).plausibility
    nb = _neighbours(todo)
    scaled = _scaled(nb, p)
    jumped, typical = _jumped(nb, p)
    rule = _jump_note(nb, typical).where(jumped, "")
    rule = _scale_note(nb, p).where(scaled, rule)
    hit = rule.ne("")
    if not hit.any():
        return out
    idx = hit[hit].index
    was = out.loc[idx, "flag"].astype("string").fillna("")
    old = out.loc[idx, "note"].astype("string").fillna("")
    note = SUSPECT_NOTE + rule[idx] + (" (was " + was + ")").where(was.ne(""), "")
    out.loc[idx, "note"] = note + ("; " + old).where(old.ne(""), "")
    out.loc[idx, "flag"] = SUSPECT
    return out


# --------------------------------------------------------------------------------------
# Lists for the intake report

SUSPECT_COLUMNS = ["file", "locator", "country", "indicator", "year", "value", "rule"]


def suspect_list(obs: pd.DataFrame) -> pd.DataFrame:
    """The suspect values: ``file, locator, country, indicator, year, value, rule``."""
    sus = obs.loc[obs["flag"].astype("string").fillna("").eq(SUSPECT)]
    rule = sus["note"].astype("string").str.split("; ").str[0].str.removeprefix(SUSPECT_NOTE)
    frame = sus.assign(rule=rule)[SUSPECT_COLUMNS]
    return frame.sort_values(["country", "indicator", "year", "file"], kind="stable").reset_index(
        drop=True
    )


def rule_counts(rejects: pd.DataFrame, obs: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Implausible rejects by rule and suspect values by rule (``{"rejected": …, "suspect": …}``).

    A rule is the reason without the value: ``"share above 100 %"``, ``"jump"``, ``"looks
    scaled by 100"``.
    """
    reason = rejects["reason"].astype("string").fillna("")
    mine = reason.loc[reason.str.startswith(f"{IMPLAUSIBLE}: ")]
    rejected = mine.str.removeprefix(f"{IMPLAUSIBLE}: ").str.replace(
        r"\s*\([^()]*\)$", "", regex=True
    )
    rules = suspect_list(obs)["rule"].str.replace(r"\s*\(.*$", "", regex=True)
    rules = rules.str.replace(r"^jump of .*", "jump", regex=True)
    return {
        "rejected": {str(k): int(v) for k, v in rejected.value_counts().sort_index().items()},
        "suspect": {str(k): int(v) for k, v in rules.value_counts().sort_index().items()},
    }


#: How many suspect values are copied into ``intake.json`` (all are flagged in the store).
SUSPECT_LIMIT = 500


def intake_section(obs: pd.DataFrame, rejects: pd.DataFrame) -> dict:
    """The ``plausibility`` part of ``intake.json``: counts by rule and the suspect values."""
    sus = suspect_list(obs)
    counts = rule_counts(rejects, obs)
    records = sus.head(SUSPECT_LIMIT).astype({"year": "int64", "value": "float64"})
    return {
        "rejected_by_rule": counts["rejected"],
        "suspect_by_rule": counts["suspect"],
        "suspect_count": int(len(sus)),
        "suspect": [
            {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
            for row in records.to_dict(orient="records")
        ],
    }
