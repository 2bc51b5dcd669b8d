"""Tests for mtr_analysis.reporting.tables: columns, order and byte-for-byte determinism."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from mtr_analysis.analysis import review
from mtr_analysis.analysis.aggregates import AGGREGATE_COLUMNS
from mtr_analysis.analysis.status import ROBUSTNESS_ORDER
from mtr_analysis.analysis.trends import ASSESSMENT_COLUMNS
from mtr_analysis.reporting import tables

ISSUE_COLUMNS = [
    "country", "indicator", "characteristic", "element", "n_obs", "baseline_year",
    "baseline_value", "latest_year", "latest_value", "gap_category", "cagr", "target_value",
    "target_year", "projected_value", "progress_ratio", "status",
]  # fmt: skip


@pytest.fixture(scope="module")
def demo_review(demo_store):
    return review.load_review(demo_store, baseline_year=2015, cutoff_year=2020)


def write(data, out_dir):
    return tables.write_review_tables(
        data.observations, data.availability, data.assessment, data.catalogue,
        data.countries, out_dir,
    )  # fmt: skip


def test_assessment_csv_columns_rows_and_order(demo_review, tmp_path):
    paths = write(demo_review, tmp_path / "mid-term")
    assert set(paths) == {"assessment", "aggregates"}
    assert paths["assessment"] == tmp_path / "mid-term" / "assessment.csv"
    text = paths["assessment"].read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ISSUE_COLUMNS + tables.ASSESSMENT_CSV_EXTRA
    assert ISSUE_COLUMNS == ASSESSMENT_COLUMNS
    # Issue 10: the method, its edition and the robustness of every status are named.
    assert {r[rows[0].index("method")] for r in rows[1:]} == {"unsd"}
    assert {r[rows[0].index("method_edition")] for r in rows[1:]} == {
        demo_review.settings.unsd.edition
    }
    assert {r[rows[0].index("robustness")] for r in rows[1:]} <= set(ROBUSTNESS_ORDER)
    body = rows[1:]
    catalogue_order = list(demo_review.catalogue.indicators.index)
    countries = sorted(demo_review.countries)
    # One row per country × indicator: countries sorted, then catalogue order.
    assert [(r[0], r[1]) for r in body] == [(c, i) for c in countries for i in catalogue_order]


def test_aggregates_csv_columns(demo_review, tmp_path):
    paths = write(demo_review, tmp_path)
    frame = pd.read_csv(paths["aggregates"])
    assert list(frame.columns) == AGGREGATE_COLUMNS
    assert len(frame) > 0
    assert frame["weight_coverage"].between(0, 1).all()


def test_two_runs_give_identical_bytes(demo_review, demo_store, tmp_path):
    first = write(demo_review, tmp_path / "a")
    again = review.load_review(demo_store, baseline_year=2015, cutoff_year=2020)
    second = write(again, tmp_path / "b")
    for name in ("assessment", "aggregates"):
        assert first[name].read_bytes() == second[name].read_bytes(), name


def test_bytes_do_not_depend_on_input_row_order(demo_review, tmp_path):
    first = write(demo_review, tmp_path / "a")
    shuffled = demo_review.assessment.sample(frac=1.0, random_state=1)
    obs = demo_review.observations.sample(frac=1.0, random_state=2)
    second = tables.write_review_tables(
        obs, demo_review.availability, shuffled, demo_review.catalogue,
        list(reversed(demo_review.countries)), tmp_path / "b",
    )  # fmt: skip
    for name in ("assessment", "aggregates"):
        assert first[name].read_bytes() == second[name].read_bytes(), name


def test_csv_format_details(demo_review, tmp_path):
    data = write(demo_review, tmp_path)["assessment"].read_bytes()
    assert b"\r" not in data
    assert not data.startswith(b"\xef\xbb\xbf")  # no BOM
    assert data.endswith(b"\n")
    frame = pd.DataFrame({"k": list("abcd"), "x": [-0.0, 1 / 3, float("nan"), 1234567.0]})
    assert tables.to_csv_bytes(frame) == b"k,x\na,0\nb,0.333333\nc,\nd,1.23457e+06\n"


def test_mismatched_assessment_and_availability_are_refused(demo_review, tmp_path):
    with pytest.raises(ValueError, match="different country × indicator pairs"):
        tables.write_review_tables(
            demo_review.observations, demo_review.availability.iloc[1:],
            demo_review.assessment, demo_review.catalogue, demo_review.countries, tmp_path,
        )  # fmt: skip


def test_assessment_table_keeps_only_the_issue_columns(demo_review):
    from mtr_analysis.analysis import trends

    wide = trends.assess(
        demo_review.availability, demo_review.catalogue, method="ols",
        obs=demo_review.observations,
    )  # fmt: skip
    table = tables.assessment_table(wide, demo_review.catalogue, demo_review.countries)
    assert list(table.columns) == ISSUE_COLUMNS + tables.ASSESSMENT_CSV_EXTRA
    assert len(table) == len(demo_review.countries) * len(demo_review.catalogue.indicators)
