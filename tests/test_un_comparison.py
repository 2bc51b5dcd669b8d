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
in the pytest tmp dir. The store is built once from the real files the comparison needs
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
    # Known exception, reported rather than hidden: skilled birth attendance has one common
    # year and UNICEF's regional figure imputes survey years; the birth-weighted figure
    # is 1.31 points off, the population-weighted 0.44. Not yet better: see the issue report.
    assert table.at["b_skilled_birth", "years"] == 1
