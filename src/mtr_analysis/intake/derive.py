"""Derived indicators: a catalogue rate computed from component counts and population.

In: the tidy store after selection (:func:`mtr_analysis.intake.store.select`), holding the
components as auxiliary series (``x_*`` ids of ``config/auxiliary_series.csv``). Out: the
same store plus one ``derived`` row per country-year where the indicator has no selected
value of its own but every component has one.

Each rule is a documented formula (:data:`RULES`). A derived row is flagged ``derived``;
its ``source`` names every component's source (producer and vintage), ``source_series``
the formula written with the component series codes, ``file``/``locator`` every
component's file and cell (``;``-separated, in formula order) and ``note`` the formula
with each component's value, so the number can be recomputed by hand from the raw files.
A national or international value of the indicator itself always wins: rules only fill
country-years that have none.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from mtr_analysis.intake.schema import TOTAL, conform
from mtr_analysis.reference.catalogue import Catalogue

DERIVED_FLAG = "derived"


@dataclass(frozen=True)
class Rule:
    """``indicator = sum(numerator) / denominator × scale`` for one country-year.

    Attributes
    ----------
    indicator : str
        Catalogue id that is derived.
    numerator : tuple of str
        Store ids of the counts that are added (all must be present).
    denominator : str
        Store id of the population.
    scale : float
        Multiplier giving the catalogue unit (100,000 for "per 100,000 population").
    reference : str
        Where the formula comes from.
    """

    indicator: str
    numerator: tuple[str, ...]
    denominator: str
    scale: float
    reference: str


#: The rules, one per derivable indicator. Sources: UNDRR, "Technical guidance for
#: monitoring and reporting on progress in achieving the global targets of the Sendai
#: Framework" (2017), indicators A-1 (deaths and missing persons per 100,000 population,
#: A-1 = (A-2 + A-3) / population × 100,000) and B-1 (directly affected people per 100,000).
#: The UN SDG database published the counts (VC_DSR_MORT, VC_DSR_MISS, VC_DSR_AFFCT) in
#: releases before the per-100,000 series (VC_DSR_MTMP, VC_DSR_DAFF).
#: HIV incidence (SH.HIV.INCD.TL.P3) is only in current WDI vintages; the 2020 vintage has
#: the UNAIDS count of new infections (SH.HIV.INCD.TL), all ages, from which the rate per
#: 1,000 follows with the WDI total population (SP.POP.TOTL).
RULES: tuple[Rule, ...] = (
    Rule(
        "d_disaster_deaths",
        ("x_disaster_deaths", "x_disaster_missing"),
        "x_population",
        100_000.0,
        "Sendai Framework indicator A-1 = (A-2 deaths + A-3 missing) / population × 100,000",
    ),
    Rule(
        "d_disaster_affected",
        ("x_disaster_affected",),
        "x_population",
        100_000.0,
        "Sendai Framework indicator B-1 = directly affected people / population × 100,000",
    ),
    Rule(
        "d_hiv_incidence",
        ("x_hiv_new_infections",),
        "x_population",
        1_000.0,
        "SDG 3.3.1 (UNAIDS) = new HIV infections / uninfected population × 1,000; total "
        "population stands in for the uninfected population (no people-living-with-HIV "
        "count in the files), which lowers the rate by the HIV prevalence share (< 1 % "
        "relative in every member state)",
    ),
)


def _totals(obs: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    """Selected all-total values of ``ids``, one row per (country, indicator, year)."""
    keep = obs["selected"].astype(bool) & obs["indicator"].isin(ids)
    for col in ("sex", "age", "location"):
        keep &= obs[col].astype(str).eq(TOTAL)
    return obs.loc[keep].drop_duplicates(["country", "indicator", "year"])


def _derive_rule(obs: pd.DataFrame, rule: Rule, catalogue: Catalogue) -> pd.DataFrame:
    """Rows of one rule for the country-years with every component and no own value."""
    parts = [*rule.numerator, rule.denominator]
    comp = _totals(obs, parts).set_index(["country", "year", "indicator"])
    wide = comp["value"].unstack("indicator").reindex(columns=parts).dropna()
    have = _totals(obs, [rule.indicator]).set_index(["country", "year"]).index
    wide = wide.loc[~wide.index.isin(have) & wide[rule.denominator].gt(0)]
    if wide.empty:
        return pd.DataFrame()
    rows = []
    for (country, year), vals in wide.iterrows():
        c = [comp.loc[(country, year, p)] for p in parts]
        value = sum(vals[p] for p in rule.numerator) / vals[rule.denominator] * rule.scale
        codes = [str(x["source_series"]) or p for x, p in zip(c, parts, strict=True)]
        formula = f"({' + '.join(codes[:-1])}) / {codes[-1]} × {rule.scale:g}"
        shown = ", ".join(f"{code} = {vals[p]:g}" for code, p in zip(codes, parts, strict=True))
        rows.append(
            {
                "country": country,
                "indicator": rule.indicator,
                "year": int(year),
                "value": float(value),
                "unit": str(catalogue.indicators.at[rule.indicator, "unit"]),
                "source": "derived from " + "; ".join(dict.fromkeys(str(x["source"]) for x in c)),
                "source_series": formula,
                "flag": DERIVED_FLAG,
                "note": f"{rule.reference}; {shown}",
                "file": "; ".join(str(x["file"]) for x in c),
                "locator": "; ".join(str(x["locator"]) for x in c),
                "selected": True,
            }
        )
    return pd.DataFrame(rows)


def add_derived(
    obs: pd.DataFrame, catalogue: Catalogue, rules: tuple[Rule, ...] = RULES
) -> pd.DataFrame:
    """The store with derived rows appended (see the module docstring and :data:`RULES`).

    Parameters
    ----------
    obs : pandas.DataFrame
        The store in the schema's columns, with ``selected`` set.
    catalogue : Catalogue
        Gives the unit of each derived indicator; rules whose indicator is not in the
        catalogue are skipped.

    Returns
    -------
    pandas.DataFrame
        ``obs`` unchanged plus the derived rows (``flag = "derived"``, selected), in the
        schema's columns and order.
    """
    new = [
        _derive_rule(obs, r, catalogue) for r in rules if r.indicator in catalogue.indicators.index
    ]
    new = [n for n in new if len(n)]
    if not new:
        return obs
    return pd.concat([obs, conform(pd.concat(new, ignore_index=True))], ignore_index=True)
