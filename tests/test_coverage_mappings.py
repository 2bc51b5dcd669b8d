"""Catalogue mappings added for coverage (issue 11, item 4), each checked on a real file."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from mtr_analysis.intake.build import build
from mtr_analysis.intake.clean import flag_carried_forward
from mtr_analysis.intake.schema import conform

VNM_2020 = "API_VNM_DS2_en_csv_v2_1227742.csv"


def _wdi_row(path: Path, code: str) -> dict[int, float]:
    """One series of a WDI download read with the csv module: year → value (blanks left out)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header = next(r for r in rows if r[:2] == ["Country Name", "Country Code"])
    row = next(r for r in rows if len(r) > 3 and r[3] == code)
    return {int(h): float(v) for h, v in zip(header[4:], row[4:], strict=False) if v.strip()}


def test_repeats_of_an_exempt_indicator_are_not_carried_forward():
    rows = [
        {"country": "VNM", "indicator": ind, "year": y, "value": v, "source": "WB",
         "source_series": code, "file": "f.csv", "locator": f"row {y}", "selected": True}
        for ind, code in (("b_wbl_index", "SG.LAW.INDX"), ("b_u5mr", "SH.DYN.MORT"))
        for y, v in ((2016, 78.8), (2017, 78.8), (2018, 78.8))
    ]  # fmt: skip
    out = flag_carried_forward(conform(pd.DataFrame(rows)), exempt={"b_wbl_index"})
    flags = out.groupby("indicator")["flag"].apply(list).to_dict()
    assert flags["b_wbl_index"] == ["", "", ""]  # a legal score re-assessed every year
    assert flags["b_u5mr"] == ["", "carried_forward", "carried_forward"]


@pytest.mark.realdata
def test_real_vnm_2020_download_wbl_index_repeats_are_observations(real_dir, tmp_path):
    """Viet Nam's real WDI 2020 per-country download, built alone.

    * b_wbl_index (SG.LAW.INDX, ``repeats_observed = yes``): every yearly score is an
      observation, so 2015–2019 are five values in the end-term window, equal to the raw
      cells, none flagged carried forward.
    """
    raw = real_dir / "wdi" / "per_country_2020" / VNM_2020
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / VNM_2020).write_bytes(raw.read_bytes())
    build([tmp_path / "raw"], tmp_path / "store")
    obs = pd.read_parquet(tmp_path / "store" / "observations.parquet")
    wbl = obs.loc[obs["indicator"].eq("b_wbl_index") & obs["selected"]].set_index("year")
    cells = _wdi_row(raw, "SG.LAW.INDX")
    assert cells[2016] == cells[2019] == 78.8  # the raw file: no change 2016–2019
    for year in range(2015, 2020):
        assert wbl.at[year, "value"] == cells[year]
        assert wbl.at[year, "flag"] == ""
