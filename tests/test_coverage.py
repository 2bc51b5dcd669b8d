"""Catalogue coverage of the intake report (issue 11, item 4)."""

from __future__ import annotations

import pandas as pd
import pytest

from mtr_analysis import paths
from mtr_analysis.intake import intake_report
from mtr_analysis.intake.schema import conform
from mtr_analysis.reference import registry
from mtr_analysis.reference.catalogue import load_catalogue
from mtr_analysis.settings import default_settings


def _obs(rows) -> pd.DataFrame:
    cols = ["country", "indicator", "year", "value", "sex", "flag", "source", "source_series",
            "selected"]  # fmt: skip
    df = pd.DataFrame(rows, columns=cols)
    return conform(df.assign(file="f.csv", locator="row 1", age="total", location="total"))


@pytest.fixture
def small_store(tmp_path):
    """A store written to Parquet and read back, as ``mtr build`` leaves it."""
    W, U = "World Bank WDI (2026-07-13)", "UN SDG (2024)"
    rows = []
    # b_u5mr: 6 member states with two years in 2015–2025 → assessable (6/10 > 0.5).
    for c in ("BRN", "KHM", "IDN", "LAO", "MYS", "MMR"):
        rows += [(c, "b_u5mr", 2016, 20.0, "total", "", W, "SH.DYN.MORT", True),
                 (c, "b_u5mr", 2019, 18.0, "total", "", W, "SH.DYN.MORT", True)]  # fmt: skip
    # b_nmr: 5 member states with two years → not assessable (exactly half is not enough);
    # PHL has one year only; a second source's value not selected does not count twice.
    for c in ("BRN", "KHM", "IDN", "LAO", "MYS"):
        rows += [(c, "b_nmr", 2015, 9.0, "total", "", U, "SH_DYN_NMRT", True),
                 (c, "b_nmr", 2018, 8.0, "total", "", U, "SH_DYN_NMRT", True)]  # fmt: skip
    rows += [("PHL", "b_nmr", 2017, 12.0, "total", "", U, "SH_DYN_NMRT", True),
             ("PHL", "b_nmr", 2017, 12.1, "total", "", W, "SH.DYN.NMRT", False)]  # fmt: skip
    # b_imr in THA: one real value and one carried forward (not an observation of 2020);
    # a female-only value and a Timor-Leste value do not count.
    rows += [("THA", "b_imr", 2019, 7.0, "total", "", W, "SP.DYN.IMRT.IN", True),
             ("THA", "b_imr", 2020, 7.0, "total", "carried_forward", W, "SP.DYN.IMRT.IN", True),
             ("VNM", "b_imr", 2019, 15.0, "female", "", W, "SP.DYN.IMRT.IN", True),
             ("TLS", "b_imr", 2019, 40.0, "total", "", W, "SP.DYN.IMRT.IN", True)]  # fmt: skip
    # c_forest_area: 10 states, two years each, but before the window (2010, 2012):
    # a value for every state, assessable in neither window.
    for c in ("BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM"):
        rows += [(c, "c_forest_area", 2010, 50.0, "total", "", W, "AG.LND.FRST.ZS", True),
                 (c, "c_forest_area", 2012, 50.0, "total", "", W, "AG.LND.FRST.ZS", True)]  # fmt: skip
    path = tmp_path / "observations.parquet"
    _obs(rows).to_parquet(path)
    return pd.read_parquet(path)


def _independent(store: pd.DataFrame, ind: str, first: int, last: int) -> tuple[int, int]:
    """Count straight from the store with plain Python: (any value, 2+ years in window)."""
    ams = {"BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM"}
    years: dict[str, set[int]] = {}
    for r in store.itertuples():
        ok = r.selected and r.country in ams and r.sex == "total" and r.flag != "carried_forward"
        if ok and r.indicator == ind:
            years.setdefault(r.country, set()).add(r.year)
    two = sum(1 for ys in years.values() if len({y for y in ys if first <= y <= last}) >= 2)
    return len(years), two


def test_coverage_table_equals_an_independent_count(small_store):
    cov = intake_report.catalogue_coverage(small_store, load_catalogue())
    assert cov["windows"] == {"mid-term": [2015, 2020], "end-term": [2015, 2025]}
    rows = {r["id"]: r for r in cov["indicators"]}
    assert len(rows) == 68
    for ind in ("b_u5mr", "b_nmr", "b_imr", "c_forest_area", "b_gini"):
        for review, (first, last) in cov["windows"].items():
            assert (rows[ind]["countries"], rows[ind][review]) == _independent(
                small_store, ind, first, last
            )
    # The hand-worked values behind the independent count:
    assert (rows["b_u5mr"]["countries"], rows["b_u5mr"]["end-term"]) == (6, 6)
    assert (rows["b_nmr"]["countries"], rows["b_nmr"]["end-term"]) == (6, 5)
    assert (rows["b_imr"]["countries"], rows["b_imr"]["end-term"]) == (1, 0)
    assert (rows["c_forest_area"]["countries"], rows["c_forest_area"]["end-term"]) == (10, 0)
    assert rows["b_u5mr"]["end-term_assessable"] and not rows["b_nmr"]["end-term_assessable"]
    assert rows["b_nmr"]["sources"] == "UN SDG (2024)"  # the unselected WDI value is not used
    assert rows["b_nmr"]["series"] == "SH_DYN_NMRT"
    assert cov["totals"] == {"indicators": 68, "with_values": 4, "assessable": 1}
    assert cov["targets"]["with_values"] == {"target": 60, "met": False}
    assert cov["targets"]["assessable"] == {"target": 50, "window": "end-term", "met": False}


def test_coverage_lines_and_html_state_totals_and_targets(small_store):
    cov = intake_report.catalogue_coverage(small_store, load_catalogue())
    lines = intake_report.coverage_lines(cov)
    assert lines == [
        "catalogue coverage: 4 of 68 indicators with a value for some member state "
        "(target 60: NOT met)",
        "catalogue coverage: 1 of 68 indicators assessable for the region in the end-term "
        "window (target 50: NOT met)",
    ]
    page = intake_report.render_html({"coverage": cov})
    assert "<h2>Catalogue coverage</h2>" in page
    assert "with 2+ values 2015–2025 (end-term)" in page
    assert '<td>b_u5mr</td><td>Under-five mortality rate</td><td class="n">6</td>' in page
    # Without a coverage part (an older intake.json) the section is left out.
    assert "Catalogue coverage" not in intake_report.render_html({})


@pytest.mark.realdata
def test_real_folder_coverage_is_counted_from_the_store_and_printed(real_store_build, capsys):
    """The issue's coverage measure on ../shared/data/real, recounted from the store.

    Every number of the coverage table equals an independent count on
    ``observations.parquet`` (selected, all-total member-state values, not carried
    forward; assessable = 2+ distinct years in the window for more than half of the
    member states), and the targets are reported as met exactly when the totals reach
    them. The totals are printed; on the folder of 2026-11-30 they are 58 with a value
    (target 60) and 41 assessable (target 50): the ten indicators without a value have
    no series of that definition anywhere in the folder, and most non-assessable ones stop
    in 2019 (the WDI per-country files are the 2020 vintage).
    """
    out, intake, _code = real_store_build
    cov = intake["coverage"]
    with capsys.disabled():
        print("\n" + "\n".join(intake_report.coverage_lines(cov)))
    obs = pd.read_parquet(out / paths.OBSERVATIONS_FILE)
    members = set(registry.iso3_codes())
    keep = obs["selected"].astype(bool) & obs["country"].isin(members)
    keep &= obs[["sex", "age", "location"]].eq("total").all(axis=1)
    keep &= obs["flag"].astype(str).ne("carried_forward")
    vals = obs.loc[keep, ["indicator", "country", "year"]].drop_duplicates()
    first, last = cov["windows"]["end-term"]
    window = vals[(vals["year"] >= first) & (vals["year"] <= last)]
    years = window.groupby(["indicator", "country"])["year"].nunique()
    rule = default_settings().escap  # the regional rule the issue names
    two_plus = years[years >= rule.min_points].groupby(level="indicator").size()
    any_value = vals.groupby("indicator")["country"].nunique()
    for row in cov["indicators"]:
        assert row["countries"] == any_value.get(row["id"], 0), row["id"]
        assert row["end-term"] == two_plus.get(row["id"], 0), row["id"]
        assert row["end-term_assessable"] == (
            two_plus.get(row["id"], 0) / len(members) > rule.min_share
        )
    n_values = int((any_value.reindex([r["id"] for r in cov["indicators"]]) > 0).sum())
    n_assessable = sum(r["end-term_assessable"] for r in cov["indicators"])
    t, g = cov["totals"], cov["targets"]
    assert (t["with_values"], t["assessable"]) == (n_values, n_assessable)
    assert g["with_values"]["met"] == (n_values >= g["with_values"]["target"])
    assert g["assessable"]["met"] == (n_assessable >= g["assessable"]["target"])
