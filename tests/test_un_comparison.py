"""Issue 10 item 5 acceptance: the tool's ASEAN-11 aggregates against UN South-eastern Asia.

The UN publishes South-eastern Asia (M49 code 035: the ten ASEAN member states and
Timor-Leste) figures in the UNSD country-profile JSON files (release 2019.Q2) under
``../shared/data/real/unsdg/unstats_countryprofiles_2019Q2/``. For every series there that
the tool aggregates, the regional values are read directly from the JSON (``refAreas`` entry
with ``geoAreaCode`` "035", totals only), and compared with

- the tool: :func:`regional_aggregates` with each indicator's own denominator (ASEAN-11);
- "today's" figure: a total-population-weighted mean of the reporting members,
  reimplemented here with plain pandas (weights = SP.POP.TOTL of the value's own year).

The mean absolute difference per series is printed and written to ``un_comparison.csv``
in the pytest tmp dir. Skilled birth attendance is the one series where the tool is further
from the UN than today's figure (one common year, a different member set); the second test
shows, under the UN's own period rule, that its live-birth weights are the closer ones. The store is built once from the real files the comparison needs
(population and birth rates from the WDI per-country files, the JSON series).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from mtr_analysis.analysis.aggregates import GROUP_ASEAN11, regional_aggregates
from mtr_analysis.analysis.beneficiaries import aggregate_weights
from mtr_analysis.intake import store
from mtr_analysis.intake.build import build
from mtr_analysis.reference import registry
from mtr_analysis.reference.catalogue import load_catalogue

PROFILES = Path("unsdg") / "unstats_countryprofiles_2019Q2"
#: UNSD series file → catalogue indicator (config/indicators.csv unsdg_series).
SERIES = {
    "Indicator_3.2.2_Series_SH_DYN_NMRT.json": "b_nmr",
    "Indicator_3.b.1_Series_SH_ACS_DTP3.json": "d_dtp3_coverage",
    "Indicator_3.1.2_Series_SH_STA_BRTC.json": "b_skilled_birth",
    "Indicator_2.1.1_Series_SN_ITK_DEFC.json": "d_undernourishment",
    "Indicator_3.4.1_Series_SH_DTH_NCOM.json": "b_ncd_mortality",
}
WDI_FILES = ["per_country_2020", "api_indicator_more"]


def un_region_values(path: Path) -> dict[int, float]:
    """{year: value} of South-eastern Asia (code 035), both sexes / all ages only."""
    data = json.loads(path.read_text(encoding="utf-8"))
    area = next(a for a in data["refAreas"] if str(a["geoAreaCode"]) == "035")
    out = {}
    for d in area["data"]:
        if d.get("sexCode", "_T") not in ("_T", None) or d.get("locationCode") not in (
            None,
            "ALLAREA",
        ):
            continue
        if d["value_numeric_part"] is not None:
            out[int(d["timePeriod"])] = float(d["value_numeric_part"])
    return out


@pytest.fixture(scope="module")
def real_obs(real_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    raw = tmp_path_factory.mktemp("raw_un")
    (raw / "json").mkdir()
    for name in SERIES:
        (raw / "json" / name).symlink_to(real_dir / PROFILES / name)
    (raw / "wdi").mkdir()
    for f in (real_dir / "wdi" / "per_country_2020").glob("*.csv"):
        (raw / "wdi" / f.name).symlink_to(f)
    cbr = next((real_dir / "wdi" / "api_indicator_more").glob("API_SP.DYN.CBRT.IN_*.csv"))
    (raw / "wdi" / cbr.name).symlink_to(cbr)
    out = tmp_path_factory.mktemp("store_un")
    build([raw], out, include_optional=True)
    return store.for_analysis(store.read_store(out))


def population_weighted(obs: pd.DataFrame, indicator: str, members: list[str]) -> pd.Series:
    """Today's figure, reimplemented: Σ pop·x / Σ pop over reporting members with a
    population in the value's own year, when they hold ≥ 2/3 of the members' population."""
    x = obs.loc[obs["indicator"].eq(indicator) & obs["country"].isin(members)]
    pop = obs.loc[obs["indicator"].eq("x_population") & obs["country"].isin(members)]
    pop = pop.set_index(["country", "year"])["value"]
    x = x.assign(w=pop.reindex(pd.MultiIndex.from_frame(x[["country", "year"]])).to_numpy())
    x = x.dropna(subset=["w"])
    total = pop.groupby(level="year").sum()
    g = x.assign(wx=x["w"] * x["value"]).groupby("year")[["w", "wx"]].sum()
    g = g.loc[g["w"] / total.reindex(g.index) >= 2 / 3]
    return g["wx"] / g["w"]


def test_aggregates_closer_to_un_south_eastern_asia(real_dir, real_obs, tmp_path):
    members = registry.iso3_codes(include_optional=True)
    agg = regional_aggregates(real_obs, load_catalogue(), members)
    assert set(agg["group"]) == {GROUP_ASEAN11}
    weights = aggregate_weights()
    rows = []
    for name, indicator in SERIES.items():
        un = pd.Series(un_region_values(real_dir / PROFILES / name))
        tool = agg.loc[agg["indicator"].eq(indicator)].set_index("year")["weighted_mean"]
        old = population_weighted(real_obs, indicator, members)
        years = un.index.intersection(tool.dropna().index).intersection(old.index)
        if len(years) == 0:
            continue
        rows.append(
            {
                "indicator": indicator,
                "weight": weights[indicator],
                "years": len(years),
                "mad_tool": float((tool[years] - un[years]).abs().mean()),
                "mad_population": float((old[years] - un[years]).abs().mean()),
            }
        )
    table = pd.DataFrame(rows)
    table.to_csv(tmp_path / "un_comparison.csv", index=False)
    print("\n" + table.to_string())
    assert len(table) >= 3
    table = table.set_index("indicator")
    # Own denominators: much closer (b_nmr 0.73 → 0.03 points, DTP3 1.14 → 0.24 on these files).
    for indicator in ("b_nmr", "d_dtp3_coverage"):
        assert table.at[indicator, "mad_tool"] < table.at[indicator, "mad_population"]
    # Population is these indicators' own weight: the same figure as today's.
    for indicator in ("d_undernourishment", "b_ncd_mortality"):
        assert table.at[indicator, "mad_tool"] == pytest.approx(
            table.at[indicator, "mad_population"]
        )
    # Skilled birth attendance: one common year only (2003), and the tool's birth-weighted
    # figure is further from the UN's than today's (1.31 vs 0.44 points on these files). Not
    # a weighting error: see test_skilled_birth_under_the_un_period_rule for the evidence.
    assert table.at["b_skilled_birth", "years"] == 1
    assert table.at["b_skilled_birth", "mad_tool"] > table.at["b_skilled_birth", "mad_population"]


def period_weighted(
    obs: pd.DataFrame, members: list[str], year: int, weight: pd.Series, span: int = 5
) -> float:
    """UNICEF's regional rule, reimplemented: each member's most recent value of skilled
    birth attendance in ``[year - span, year]``, weighted by ``weight`` (member → weight in
    ``year``); members without a value or a weight left out."""
    x = obs.loc[obs["indicator"].eq("b_skilled_birth") & obs["country"].isin(members)]
    x = x.loc[x["year"].between(year - span, year)].sort_values("year")
    latest = x.groupby("country")["value"].last()
    w = weight.reindex(latest.index).dropna()
    return float((latest[w.index] * w).sum() / w.sum())


def test_skilled_birth_under_the_un_period_rule(real_dir, real_obs, tmp_path):
    """Why the annual comparison of skilled birth attendance is not a fair one, with evidence.

    The UN South-eastern Asia figures (2003: 67.9, 2009: 75.1, 2018: 89.0 %) come from the
    UNICEF/WHO joint database, where a regional value is built from each country's **most
    recent survey within a period** (e.g. 2013–2018 for "2018"; surveys ask about births of
    up to five years before the interview; UNICEF's regional estimates use countries covering
    at least 50 % of regional births, https://data.unicef.org/topic/maternal-health/delivery-care/)
    weighted by the **number of births** (UNICEF indicator profile MNCH_SAB, "Population used
    for aggregation: Number of total births", https://data.unicef.org/indicator-profiles/MNCH_SAB/).
    Surveys are sparse, so the tool's annual aggregate (values of the year itself) meets the
    UN years only in 2003, with 6 of 11 members (Cambodia, Lao PDR, Thailand, Viet Nam have no
    2003 value; Timor-Leste has no population in these files): a different member set, not a
    different weight. Applying the UN's own period rule (latest value in the six years up to
    the UN's year) to the same real values, live-birth weights (the tool's choice for
    b_skilled_birth) are closer to the UN than population weights: MAD 1.13 vs 2.16 points
    (2003: 1.63 vs 4.64; 2009: 1.58 vs 0.96; 2018: 0.18 vs 0.88).
    """
    members = registry.iso3_codes(include_optional=True)
    assert aggregate_weights()["b_skilled_birth"] == "live_births"
    un = un_region_values(real_dir / PROFILES / "Indicator_3.1.2_Series_SH_STA_BRTC.json")
    assert un == {2003: 67.9, 2009: 75.1, 2018: 89.0}

    def series(indicator: str) -> pd.DataFrame:
        part = real_obs.loc[real_obs["indicator"].eq(indicator)]
        return part.pivot(index="year", columns="country", values="value")

    pop, cbr = series("x_population"), series("x_crude_birth_rate")
    births = cbr / 1000 * pop  # live births = crude birth rate per 1,000 × population
    rows = []
    for year, value in un.items():
        by_births = period_weighted(real_obs, members, year, births.loc[year])
        by_population = period_weighted(real_obs, members, year, pop.loc[year])
        rows.append({"year": year, "un": value, "births": by_births, "population": by_population})
    table = pd.DataFrame(rows).set_index("year")
    table.to_csv(tmp_path / "skilled_birth_period_rule.csv")
    print("\n" + table.to_string())
    mad_births = (table["births"] - table["un"]).abs().mean()
    mad_population = (table["population"] - table["un"]).abs().mean()
    print(f"MAD live births {mad_births:.2f}, population {mad_population:.2f}")
    assert mad_births < mad_population
    assert mad_births == pytest.approx(1.13, abs=0.01)
    assert mad_population == pytest.approx(2.16, abs=0.01)
