"""The explore notebook's library (``reporting/explore.py``) and one headless run of it.

Expected values are computed here straight from ``observations.parquet`` (or the raw
download), never from the module's own earlier output:

- the ASEAN range equals min / median / max of each member state's latest value up to the
  cut-off, and the rank follows the indicator's desirable direction;
- the provenance rows are exactly the store's rows of the series (every source and vintage);
- the status under each method equals the headline status of a review loaded with that
  method;
- on the real store, Viet Nam's maternal mortality for 2015 shows both the 2023 WDI value
  (109) and the 2026 DataBank revision (58), each traced to its line in the raw file;
- papermill runs ``notebooks/explore.ipynb`` with another country, indicator and method,
  and the executed notebook's view shows that series' values.
"""

from __future__ import annotations

import csv
import json

import nbformat
import numpy as np
import pandas as pd
import papermill as pm
import pytest
from nbclient.exceptions import CellTimeoutError

from mtr_analysis import paths
from mtr_analysis.reference import registry
from mtr_analysis.reporting import explore
from mtr_analysis.reporting.findings import format_number

TOTALS = ["sex", "age", "location"]


@pytest.fixture(scope="module")
def demo_review(demo_store):
    return explore.load(demo_store, "mid-term", "unsd")


@pytest.fixture(scope="module")
def raw_rows(demo_store) -> pd.DataFrame:
    """Every stored row, read with pandas alone."""
    return pd.read_parquet(demo_store / paths.OBSERVATIONS_FILE)


def _latest_by_country(raw: pd.DataFrame, indicator: str, cutoff: int) -> pd.Series:
    """ISO3 → value in the latest year ≤ cutoff of the selected total values."""
    rows = raw.loc[
        raw["indicator"].eq(indicator)
        & raw["selected"]
        & raw[TOTALS].eq("total").all(axis=1)
        & raw["year"].le(cutoff)
        & raw["country"].isin(registry.iso3_codes())
        & raw["value"].notna()
    ]
    last = rows.sort_values("year").groupby("country").tail(1)
    return last.set_index("country")["value"].astype(float)


@pytest.mark.parametrize(
    "indicator, country", [("b_mmr", "KHM"), ("a_voice_accountability", "THA")]
)
def test_asean_range_is_min_median_max_of_latest_values(demo_review, raw_rows, indicator, country):
    latest = _latest_by_country(raw_rows, indicator, 2020)
    assert len(latest) >= 5  # a real range, not a degenerate one
    got = explore.asean_range(demo_review, country, indicator).iloc[0]
    assert got["n_countries"] == len(latest)
    assert got["range_min"] == pytest.approx(latest.min())
    assert got["range_median"] == pytest.approx(float(np.median(latest.to_numpy())))
    assert got["range_max"] == pytest.approx(latest.max())
    mine = latest[country]
    assert got["latest_value"] == pytest.approx(mine)
    # Rank 1 = best: lowest first for maternal mortality, highest first for voice.
    decrease = indicator == "b_mmr"
    better = (latest < mine) if decrease else (latest > mine)
    assert got["rank"] == int(better.sum()) + 1
    lo, hi = latest.min(), latest.max()
    score = (mine - lo) / (hi - lo)
    assert got["position_score"] == pytest.approx(1 - score if decrease else score)


def test_asean_range_of_a_country_without_a_value(demo_review, raw_rows):
    assert "THA" not in _latest_by_country(raw_rows, "b_mmr", 2020).index
    got = explore.asean_range(demo_review, "THA", "b_mmr").iloc[0]
    assert got["rank"] == 0 and np.isnan(got["latest_value"]) and np.isnan(got["position_score"])


def test_provenance_rows_are_the_store_rows_of_the_series(demo_review, raw_rows):
    got = explore.provenance(demo_review, "VNM", "b_mmr")
    want = raw_rows.loc[
        raw_rows["country"].eq("VNM")
        & raw_rows["indicator"].eq("b_mmr")
        & raw_rows[TOTALS].eq("total").all(axis=1)
        & raw_rows["year"].le(2020)
    ]
    key = ["year", "value", "source", "file", "locator", "selected"]

    def rows(frame):
        return sorted(map(tuple, frame[key].astype(str).to_numpy().tolist()))

    assert rows(got) == rows(want)
    # The demo holds a national workbook and WDI for Viet Nam: both sources are listed.
    assert {f.split("/")[0] for f in got["file"]} == {"national", "wdi"}
    assert set(got.columns) == set(explore.PROVENANCE_COLUMNS)
    assert got["vintage"].str.fullmatch(r"\d{4}-\d{2}-\d{2}|").all()


def test_series_values_are_the_selected_totals(demo_review, raw_rows):
    got = explore.series_values(demo_review, "LAO", "b_mmr")
    want = raw_rows.loc[
        raw_rows["country"].eq("LAO")
        & raw_rows["indicator"].eq("b_mmr")
        & raw_rows["selected"]
        & raw_rows[TOTALS].eq("total").all(axis=1)
        & raw_rows["year"].le(2020)
    ].sort_values("year")
    assert got["year"].tolist() == want["year"].tolist()
    assert got["value"].tolist() == pytest.approx(want["value"].tolist())


def test_status_under_each_method_is_that_methods_headline_status(demo_store, demo_review):
    """The robustness columns shown per method equal a full review run with that method."""
    shown = explore.method_statuses(demo_review, "VNM", "b_mmr").set_index("variant")
    assert shown.loc["unsd", "chosen"] and not shown.loc["ols", "chosen"]
    for method in ("escap", "ols"):
        other = explore.load(demo_store, "mid-term", method).assessment
        row = other.loc[other["country"].eq("VNM") & other["indicator"].eq("b_mmr")]
        assert shown.loc[method, "status"] == row["status"].iloc[0], method
    assert list(shown.index) == [
        "unsd", "escap", "ols", "baseline_minus1", "baseline_plus1", "vintage", "robustness",
    ]  # fmt: skip


def test_bad_selection_names_the_value_and_the_choices(demo_review, demo_store):
    with pytest.raises(ValueError, match=r"country 'XXX' .*VNM"):
        explore.asean_range(demo_review, "XXX", "b_mmr")
    with pytest.raises(ValueError, match=r"indicator 'nope' .*indicators\.csv"):
        explore.provenance(demo_review, "VNM", "nope")
    with pytest.raises(ValueError, match=r"unknown review 'mid'.*mid-term"):
        explore.load(demo_store, "mid", "unsd")
    with pytest.raises(ValueError, match=r"unknown method 'x'.*unsd"):
        explore.load(demo_store, "mid-term", "x")


class _Recorder(explore.Explorer):
    """An explorer that records the selections drawn and how often each review loads."""

    def __init__(self, data_dir, review):
        self.loads: list[tuple[str, str]] = []
        self.drawn: list[dict] = []

        def loader(_dir, name, method):
            self.loads.append((name, method))
            return review

        super().__init__(data_dir, loader)

    def view(self, **pick):
        self.review(pick["review"], pick["method"])
        self.drawn.append(pick)
        return []


def test_dropdowns_redraw_the_selection_and_load_each_review_once(demo_store, demo_review):
    rec = _Recorder(demo_store, demo_review)
    ui = explore.build_ui(demo_store, "mid-term", "VNM", "b_mmr", "unsd", explorer=rec)
    assert rec.drawn == [dict(review="mid-term", country="VNM", indicator="b_mmr",
                              method="unsd", lang="en")]  # fmt: skip
    ui.dropdowns["country"].value = "THA"
    ui.dropdowns["method"].value = "ols"
    ui.dropdowns["method"].value = "unsd"
    assert [d["country"] for d in rec.drawn] == ["VNM", "THA", "THA", "THA"]
    assert [d["method"] for d in rec.drawn] == ["unsd", "unsd", "ols", "unsd"]
    assert rec.loads == [("mid-term", "unsd"), ("mid-term", "ols")]  # cached per method
    labels = dict((v, k) for k, v in ui.dropdowns["country"].options)
    assert labels["VNM"] == "Viet Nam"
    with pytest.raises(ValueError, match=r"indicator 'nope' is not one of"):
        explore.build_ui(demo_store, "mid-term", "VNM", "nope", "unsd", explorer=rec)


# ------------------------------------------------------------------ real data


@pytest.mark.realdata
def test_real_provenance_shows_the_revision_of_maternal_mortality(real_store_build, real_dir):
    """Viet Nam's MMR 2015: 109 in WDI of 2023-09-19, revised to 58 in the 2026 DataBank."""
    store_dir, _intake, _code = real_store_build
    data = explore.load(store_dir, "end-term", "unsd")
    prov = explore.provenance(data, "VNM", "b_mmr").query("year == 2015")
    by_vintage = prov.set_index("vintage")
    assert by_vintage.loc["2023-09-19", "value"] == 109
    assert by_vintage.loc["2026-07-13", "value"] == 58
    assert prov.loc[prov["selected"], "value"].tolist() == [58]
    for vintage, value in (("2023-09-19", 109), ("2026-07-13", 58)):
        row = by_vintage.loc[vintage]
        line, column = row["locator"].removeprefix("line ").split(", column ")
        with open(real_dir / row["file"], encoding="utf-8-sig", newline="") as f:
            records = list(csv.reader(f))
        header = next(r for r in records if "Country Code" in r or "Country Name" in r)
        cells = records[int(line) - 1] if len(records) >= int(line) else []
        col = next(k for k, h in enumerate(header) if h.strip().startswith(column))
        assert float(cells[col]) == value, (row["file"], line, column)


# ------------------------------------------------------------------ the notebook


def test_notebook_declares_the_selection_parameters():
    params = pm.inspect_notebook(str(paths.EXPLORE_NOTEBOOK))
    assert set(params) == {"data_dir", "review", "country", "indicator", "method", "lang"}
    assert all(p["help"] for p in params.values())
    nb = json.loads(paths.EXPLORE_NOTEBOOK.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


def _view_outputs(executed) -> list[dict]:
    """Outputs captured by the view's ``Output`` widget (saved in the notebook's widget
    state, which is what JupyterLab shows when the executed notebook is opened)."""
    state = executed.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    outs = [m["state"]["outputs"] for m in state.values() if m["model_name"] == "OutputModel"]
    assert len(outs) == 1
    return outs[0]


#: Longest a cell of the explore notebook may run headless (all of it takes about 20 s).
CELL_TIMEOUT = 120


def _execute_headless(out, parameters: dict) -> None:
    """papermill on the explore notebook; a cell that times out is run again once, on a new
    kernel. nbclient sometimes never sees the reply to a cell that creates widgets
    (jupyter/nbclient#312, open): without a timeout the test would wait forever."""
    for attempt in (1, 2):
        try:
            pm.execute_notebook(
                str(paths.EXPLORE_NOTEBOOK), str(out), cwd=str(paths.NOTEBOOKS_DIR),
                parameters=parameters, progress_bar=False, execution_timeout=CELL_TIMEOUT,
            )  # fmt: skip
            return
        except CellTimeoutError:
            if attempt == 2:
                raise


@pytest.mark.notebook
def test_notebook_runs_headless_and_shows_the_selected_series(demo_store, raw_rows, tmp_path):
    """One papermill run (about 20 s: a kernel start and three review analyses)."""
    out = tmp_path / "explore.ipynb"
    _execute_headless(out, {"data_dir": str(demo_store), "country": "KHM",
                            "indicator": "c_air_pollution_mortality", "method": "ols"})  # fmt: skip
    executed = nbformat.read(out, as_version=4)
    cell = executed.cells[-1]
    assert any(
        "application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in cell.outputs
    )
    view = _view_outputs(executed)
    page = "\n".join(o["data"].get("text/html", "") for o in view if "data" in o)
    assert "Cambodia · c_air_pollution_mortality" in page
    assert sum("image/svg+xml" in o.get("data", {}) for o in view) == 1  # the chart
    mine = raw_rows.loc[
        raw_rows["country"].eq("KHM")
        & raw_rows["indicator"].eq("c_air_pollution_mortality")
        & raw_rows["selected"]
        & raw_rows[TOTALS].eq("total").all(axis=1)
        & raw_rows["year"].le(2020)
    ]
    assert len(mine) >= 2
    for value in mine["value"]:
        assert f">{format_number(value, 'en')}</td>" in page, value
    assert "Status under each method" in page and "The ASEAN range" in page
    assert "Traceback" not in page
