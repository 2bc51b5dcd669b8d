"""Rule-based findings: counts, rankings, priorities, Vietnamese text and JSON output."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from toy import catalogue_bc  # noqa: E402

from mtr_analysis.reference.catalogue import Catalogue
from mtr_analysis.reporting.findings import (
    Finding,
    country_findings,
    findings_from_json,
    findings_to_frame,
    findings_to_json,
    format_number,
    regional_findings,
)

NAN = math.nan


def make_catalogue() -> Catalogue:
    rows = [
        # id, name, unit, direction, characteristic, element, target_value, target_year, kind
        ("b_gini", "Gini index (income or consumption)", "index (0-100)", "decrease", "B", "B.1", NAN, None, ""),
        ("b_mmr", "Maternal mortality ratio (modeled)", "deaths per 100,000 live births", "decrease", "B", "B.2", 70.0, 2030, "absolute"),
        ("b_water", "People using safely managed drinking water services", "% of population", "increase", "B", "B.2", 100.0, 2030, "absolute"),
        ("b_school", "Primary completion rate", "% of relevant age group", "increase", "B", "B.2", NAN, None, ""),
        ("b_nmr", "Neonatal mortality rate", "deaths per 1,000 live births", "decrease", "B", "B.2", 12.0, 2030, "absolute"),
        ("b_stunt", "Prevalence of stunting, children under 5", "% of children under 5", "decrease", "B", "B.2", NAN, 2025, "relative"),
        ("c_forest", "Forest area", "% of land area", "increase", "C", "C.1", NAN, None, ""),
        ("c_pm25", "PM2.5 mean annual exposure", "micrograms per cubic metre", "decrease", "C", "C.2", 5.0, None, "absolute"),
        ("c_slum", "Population living in slums", "% of urban population", "decrease", "C", "C.2", NAN, None, ""),
    ]  # fmt: skip
    cols = ["id", "name", "unit", "direction", "characteristic", "element", "target_value",
            "target_year", "target_kind"]  # fmt: skip
    ind = pd.DataFrame(rows, columns=cols)
    ind["target_year"] = ind["target_year"].astype("Int64")
    return catalogue_bc(ind)


def _row(country, ind, status, cagr=NAN, b=(NAN, NAN), latest=(NAN, NAN), target=NAN):
    return {
        "country": country,
        "indicator": ind,
        "characteristic": ind[0].upper(),
        "status": status,
        "cagr": cagr,
        "baseline_year": b[0],
        "baseline_value": b[1],
        "latest_year": latest[0],
        "latest_value": latest[1],
        "target_value": target,
    }


@pytest.fixture
def catalogue() -> Catalogue:
    return make_catalogue()


@pytest.fixture
def assessment() -> pd.DataFrame:
    rows = [
        # Inclusive: 4 assessable = 2 on track (met + on track), 1 moderate, 1 regression.
        _row("VNM", "b_mmr", "on_track", -0.06, (2015, 121.0), (2020, 95.2), 70.0),
        _row("VNM", "b_water", "target_met", 0.01, (2015, 99.0), (2020, 100.0), 100.0),
        _row("VNM", "b_school", "moderate_progress", 0.03, (2015, 80.0), (2020, 92.7)),
        _row("VNM", "b_gini", "regression", 0.02, (2014, 35.0), (2018, 37.9)),
        _row("VNM", "b_nmr", "no_data", target=12.0),
        _row("VNM", "b_stunt", "insufficient_data", b=(2017, 20.0), latest=(2017, 20.0)),
        # Sustainable: 2 assessable, both need acceleration.
        _row("VNM", "c_forest", "stagnation", -0.001, (2015, 45.0), (2020, 44.8)),
        _row("VNM", "c_pm25", "marginal_progress", -0.01, (2015, 30.0), (2020, 28.5), 5.0),
        _row("VNM", "c_slum", "no_data"),
        # Another country that must not leak into Viet Nam's findings.
        _row("THA", "b_mmr", "regression", 0.05, (2015, 20.0), (2020, 25.5), 70.0),
        _row("THA", "b_gini", "on_track", -0.03, (2015, 40.0), (2020, 34.3)),
    ]
    return pd.DataFrame(rows)


@pytest.fixture
def avail() -> pd.DataFrame:
    cats = {
        "b_gini": "sufficient", "b_mmr": "sufficient", "b_water": "sufficient",
        "b_school": "sufficient", "b_nmr": "no_data", "b_stunt": "single_point",
        "c_forest": "stale", "c_pm25": "sufficient", "c_slum": "no_data",
    }  # fmt: skip
    n_obs = {"no_data": 0, "single_point": 1, "stale": 3, "sufficient": 6}
    rows = [
        {
            "country": "VNM",
            "indicator": i,
            "n_obs": n_obs[g],
            "latest_year": pd.NA if g == "no_data" else 2020,
            "gap_category": g,
            "has_break": i == "b_water",
        }
        for i, g in cats.items()
    ]
    rows += [
        {"country": "THA", "indicator": i, "n_obs": 0, "latest_year": pd.NA,
         "gap_category": "no_data", "has_break": False}
        for i in cats
    ]  # fmt: skip
    return pd.DataFrame(rows)


@pytest.fixture
def obs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "country": ["VNM", "VNM", "VNM", "THA"],
            "indicator": ["b_mmr", "b_mmr", "b_gini", "b_mmr"],
            "year": [2015, 2020, 2018, 2020],
            "value": [121.0, 95.2, 37.9, 25.5],
            "source": ["UN SDG Global Database", "World Bank WDI", "National survey", "Other"],
        }
    )


def by_kind(findings: list[Finding], kind: str) -> list[Finding]:
    return [f for f in findings if f.kind == kind]


# --------------------------------------------------------------------------- country
def test_summary_sentence_counts(assessment, avail, catalogue):
    found = country_findings(assessment, avail, catalogue, "VNM")
    summaries = by_kind(found, "progress_summary")
    assert [s.text for s in summaries] == [
        "Of 4 assessable indicators in Inclusive, 2 are on track or have met their target, "
        "1 needs acceleration and 1 is regressing.",
        "Of 2 assessable indicators in Sustainable, 0 are on track or have met their target, "
        "2 need acceleration and 0 are regressing.",
    ]
    assert summaries[0].indicators == ["b_gini", "b_mmr", "b_school", "b_water"]
    assert summaries[0].severity == "warning"  # one indicator regresses
    assert summaries[1].severity == "info"
    assert all(f.country == "VNM" for f in found)


def test_largest_improvement_uses_desirable_direction(assessment, avail, catalogue, obs):
    found = country_findings(assessment, avail, catalogue, "VNM", obs=obs, top_n=3)
    improvements = by_kind(found, "largest_improvement")
    # Directional CAGR by hand: b_mmr −1 × −0.06 = +0.06 > b_school +0.03 > b_water +0.01
    # = c_pm25 +0.01 (tie broken by id); the falling maternal mortality ratio ranks first.
    assert [f.indicators for f in improvements] == [["b_mmr"], ["b_school"], ["b_water"]]
    assert improvements[0].text == (
        "Maternal mortality ratio fell from 121.0 in 2015 to 95.2 in 2020 "
        "(deaths per 100,000 live births; source: World Bank WDI)."
    )
    assert improvements[0].years == [2015, 2020]
    assert improvements[0].sources == ["World Bank WDI"]  # source of the latest value


def test_largest_regressions_worst_first(assessment, avail, catalogue, obs):
    found = country_findings(assessment, avail, catalogue, "VNM", obs=obs)
    regressions = by_kind(found, "largest_regression")
    # b_gini: −1 × 0.02 = −0.02 (rising inequality); c_forest: +1 × −0.001.
    assert [f.indicators for f in regressions] == [["b_gini"], ["c_forest"]]
    assert regressions[0].text.startswith("Gini index rose from 35.0 in 2014 to 37.9 in 2018")
    assert "source: National survey" in regressions[0].text
    assert "source:" not in regressions[1].text  # no observation for c_forest
    assert all(f.severity == "warning" for f in regressions)


def test_top_n_limits_movers(assessment, avail, catalogue):
    found = country_findings(assessment, avail, catalogue, "VNM", top_n=1)
    assert len(by_kind(found, "largest_improvement")) == 1
    assert len(by_kind(found, "largest_regression")) == 1
    assert by_kind(found, "largest_improvement")[0].indicators == ["b_mmr"]


def test_priority_names_targets_without_data(assessment, avail, catalogue):
    found = country_findings(assessment, avail, catalogue, "VNM")
    (priority,) = by_kind(found, "data_priority")
    # b_nmr has a target and no data; b_stunt a relative target and one point; c_slum has
    # no target, so it is not a priority.
    assert priority.indicators == ["b_nmr", "b_stunt"]
    assert priority.severity == "priority"
    assert priority.text == (
        "Prioritise data collection for Neonatal mortality rate and Prevalence of stunting, "
        "children under 5, which have targets but cannot be assessed."
    )
    assert "slums" not in priority.text


def test_priority_lists_no_data_before_insufficient_data(assessment, avail, catalogue):
    swapped = assessment.copy()
    vnm = swapped["country"] == "VNM"
    swapped.loc[vnm & (swapped["indicator"] == "b_nmr"), "status"] = "insufficient_data"
    swapped.loc[vnm & (swapped["indicator"] == "b_stunt"), "status"] = "no_data"
    (priority,) = by_kind(country_findings(swapped, avail, catalogue, "VNM"), "data_priority")
    assert priority.indicators == ["b_stunt", "b_nmr"]


def test_priority_singular(assessment, avail, catalogue):
    one = assessment.loc[assessment["indicator"] != "b_stunt"]
    (priority,) = by_kind(country_findings(one, avail, catalogue, "VNM"), "data_priority")
    assert priority.text == (
        "Prioritise data collection for Neonatal mortality rate, which has a target but "
        "cannot be assessed."
    )


def test_data_gap_counts_and_breaks(assessment, avail, catalogue):
    found = country_findings(assessment, avail, catalogue, "VNM")
    (gap,) = by_kind(found, "data_gap")
    assert gap.text == (
        "Data gaps in Viet Nam: of 9 indicators, 2 have no data, 1 has a single data point "
        "and 1 has no recent data."
    )
    assert gap.indicators == ["b_nmr", "b_stunt", "c_forest", "c_slum"]
    (brk,) = by_kind(found, "series_break")
    assert brk.indicators == ["b_water"]


def test_target_met(assessment, avail, catalogue):
    (met,) = by_kind(country_findings(assessment, avail, catalogue, "VNM"), "target_met")
    assert met.text == (
        "Viet Nam has already met the target for People using safely managed drinking "
        "water services."
    )
    assert met.years == [2020]


def test_order_of_kinds(assessment, avail, catalogue):
    kinds = [f.kind for f in country_findings(assessment, avail, catalogue, "VNM")]
    first = {k: kinds.index(k) for k in dict.fromkeys(kinds)}
    assert list(first) == [
        "progress_summary", "target_met", "largest_improvement", "largest_regression",
        "data_gap", "series_break", "data_priority",
    ]  # fmt: skip


def test_same_inputs_same_findings_regardless_of_row_order(assessment, avail, catalogue, obs):
    a = country_findings(assessment, avail, catalogue, "VNM", obs=obs)
    shuffled = assessment.sample(frac=1, random_state=3)
    b = country_findings(shuffled, avail.sample(frac=1, random_state=4), catalogue, "VNM", obs=obs)
    assert a == b


def test_vietnamese(assessment, avail, catalogue, obs):
    found = country_findings(assessment, avail, catalogue, "VNM", obs=obs, lang="vi")
    text = "\n".join(f.text for f in found)
    for term in ("đúng tiến độ", "cần đẩy nhanh", "thụt lùi", "khoảng trống dữ liệu", "chỉ số"):
        assert term in text.lower(), term
    assert "Cộng đồng hòa nhập" in by_kind(found, "progress_summary")[0].text
    assert "Việt Nam" in by_kind(found, "data_gap")[0].text
    improvement = by_kind(found, "largest_improvement")[0].text
    assert "giảm từ 121,0 năm 2015 xuống 95,2 năm 2020" in improvement
    assert "nguồn: World Bank WDI" in improvement
    # Same evidence whatever the language.
    english = country_findings(assessment, avail, catalogue, "VNM", obs=obs)
    assert [(f.kind, f.indicators) for f in found] == [(f.kind, f.indicators) for f in english]


def test_bad_arguments(assessment, avail, catalogue):
    with pytest.raises(ValueError, match="lang must be one of en, vi"):
        country_findings(assessment, avail, catalogue, "VNM", lang="fr")
    with pytest.raises(ValueError, match="assessment lacks required column.*cagr"):
        country_findings(assessment.drop(columns="cagr"), avail, catalogue, "VNM")
    with pytest.raises(ValueError, match="severity"):
        Finding("x", "y", severity="urgent")


def test_format_number():
    assert format_number(121.0) == "121.0"
    assert format_number(1234.56) == "1,234.6"
    assert format_number(1234.56, "vi") == "1.234,6"
    assert format_number(5.432) == "5.43"
    assert format_number(0.6234) == "0.623"
    assert format_number(0) == "0"


# --------------------------------------------------------------------------- regional
@pytest.fixture
def regional():
    countries = ["BRN", "KHM", "LAO", "VNM"]
    # b_mmr: ≥ 2 points in 3 of 4 countries (assessable); b_nmr: in exactly 2 of 4 (not:
    # the rule needs more than half); c_forest: in 1 of 4.
    n_obs = {
        "b_mmr": [5, 4, 1, 6],
        "b_nmr": [3, 0, 0, 2],
        "c_forest": [0, 0, 0, 3],
    }
    cat = {0: "no_data", 1: "single_point"}
    rows = [
        {
            "country": c,
            "indicator": i,
            "n_obs": n,
            "gap_category": cat.get(n, "sufficient"),
        }
        for i, ns in n_obs.items()
        for c, n in zip(countries, ns, strict=True)
    ]
    avail = pd.DataFrame(rows)
    assessment = pd.DataFrame(
        [
            _row("BRN", "b_mmr", "on_track", -0.04, (2015, 30.0), (2020, 24.0), 70.0),
            _row("KHM", "b_mmr", "regression", 0.02, (2015, 160.0), (2020, 176.0), 70.0),
            _row("LAO", "b_mmr", "insufficient_data", target=70.0),
            _row("VNM", "b_mmr", "on_track", -0.05, (2016, 60.0), (2020, 48.0), 70.0),
            _row("BRN", "b_nmr", "moderate_progress", -0.01, (2015, 5.0), (2019, 4.8), 12.0),
            _row("VNM", "b_nmr", "regression", 0.01, (2015, 10.0), (2020, 10.5), 12.0),
            _row("VNM", "c_forest", "stagnation", 0.0, (2015, 45.0), (2020, 45.0)),
        ]
    )
    return assessment, avail


def test_regional_summary_shares(regional, catalogue):
    assessment, avail = regional
    found = regional_findings(assessment, avail, catalogue)
    summaries = by_kind(found, "progress_summary")
    # Inclusive: 5 assessable pairs: 2 on track (40%), 1 moderate (20%), 2 regression (40%).
    assert summaries[0].text == (
        "Across member states, of 5 assessable country–indicator pairs in Inclusive, 40% are "
        "on track or have met their target, 20% need acceleration and 40% are regressing."
    )
    assert summaries[1].text.startswith(
        "Across member states, of 1 assessable country–indicator pair in Sustainable, 0% "
    )
    assert all(f.country == "" for f in found)


def test_regional_escap_rule(regional, catalogue):
    assessment, avail = regional
    found = regional_findings(assessment, avail, catalogue)
    (rule,) = by_kind(found, "regional_assessability")
    assert rule.indicators == ["b_mmr"]
    assert "1 of 3 indicators (33%) can be assessed for the region" in rule.text
    (priority,) = by_kind(found, "data_priority")
    # b_nmr has a target but only half of the countries have two points; c_forest has none.
    assert priority.indicators == ["b_nmr"]
    assert "Neonatal mortality rate" in priority.text


def test_regional_most_gaps_and_movers(regional, catalogue):
    assessment, avail = regional
    found = regional_findings(assessment, avail, catalogue, top_n=2)
    (gaps,) = by_kind(found, "data_gap")
    # Gaps (no_data or single_point): KHM 2, LAO 3, BRN 1, VNM 0.
    assert gaps.text == (
        "Data gaps are largest in Lao PDR (3 of 3 indicators) and Cambodia (2 of 3 indicators)."
    )
    (improvement,) = by_kind(found, "regional_improvement")
    # b_mmr directional CAGRs +0.04, −0.02, +0.05 → median +0.04; b_nmr: +0.01, −0.01 → 0.
    assert improvement.indicators == ["b_mmr"]
    assert improvement.text == (
        "Maternal mortality ratio improved in 2 of 3 member states with data (2015–2020)."
    )
    assert by_kind(found, "regional_regression") == []


def test_regional_vietnamese(regional, catalogue):
    assessment, avail = regional
    text = "\n".join(f.text for f in regional_findings(assessment, avail, catalogue, lang="vi"))
    for term in ("đúng tiến độ", "cần đẩy nhanh", "thụt lùi", "Khoảng trống dữ liệu", "Lào"):
        assert term in text, term


# --------------------------------------------------------------------------- output
def test_json_deterministic_and_round_trips(assessment, avail, catalogue, obs):
    found = country_findings(assessment, avail, catalogue, "VNM", obs=obs, lang="vi")
    first = findings_to_json(found)
    again = findings_to_json(
        country_findings(assessment, avail, catalogue, "VNM", obs=obs, lang="vi")
    )
    assert first == again
    assert "thụt lùi" in first  # ensure_ascii=False keeps the Vietnamese text readable
    data = json.loads(first)
    assert list(data[0]) == sorted(data[0])
    assert data == [f.to_dict() for f in found]
    assert findings_from_json(first) == found


def test_findings_to_frame(assessment, avail, catalogue, obs):
    found = country_findings(assessment, avail, catalogue, "VNM", obs=obs)
    frame = findings_to_frame(found)
    assert len(frame) == len(found)
    assert list(frame.columns) == ["country", "kind", "severity", "text", "indicators", "years",
                                   "sources"]  # fmt: skip
    row = frame.loc[frame["kind"] == "largest_improvement"].iloc[0]
    assert row["years"] == "2015; 2020"


def test_cited_source_prefers_the_selected_value_then_the_first_source_in_order():
    """The source a finding cites for (country, indicator, year): a selected row before
    unselected ones, then sorted order, a missing source last; duplicate row labels (a store
    concatenated from parts) do not matter."""
    from mtr_analysis.reporting.findings import _source_lookup

    obs = pd.DataFrame(
        {
            "country": ["VNM"] * 5 + ["THA"] * 2,
            "indicator": ["x"] * 5 + ["x", "x"],
            "year": [2020, 2020, 2020, 2021, 2021, 2020, 2020],
            "source": ["b", "a", "c", None, "z", "m", "k"],
            "selected": [True, False, True, True, True, False, False],
        },
        index=[0, 0, 1, 1, 2, 2, 3],
    )
    assert _source_lookup(obs) == {
        ("VNM", "x", 2020): "b",  # "a" sorts first but was not selected
        ("VNM", "x", 2021): "z",  # a missing source comes last
        ("THA", "x", 2020): "k",
    }
    assert _source_lookup(obs, "THA") == {("THA", "x", 2020): "k"}
