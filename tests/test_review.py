"""Report blocks (:mod:`mtr_analysis.reporting.html`, ``.tables``, ``.annex``, ``.outputs``)."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from mtr_analysis.analysis import gaps, review
from mtr_analysis.reporting import annex, findings, html, i18n, outputs, tables
from mtr_analysis.reporting.findings import Finding
from mtr_analysis.settings import default_settings, load_settings, settings_rows

MALICIOUS = "<script>alert('x')</script>"


@pytest.fixture(scope="module")
def data(demo_store):
    return review.load_review(demo_store, 2015, 2020)


def _html(obj) -> str:
    return obj._repr_html_() if hasattr(obj, "_repr_html_") else obj.to_html()


# --------------------------------------------------------------------------- text blocks
def test_section_heading_and_lead_follow_lang():
    en = html.section("availability", "en")
    vi = html.section("availability", "vi")
    assert en.startswith('<h2 id="sec-availability">Data availability</h2><p>')
    lag = default_settings().availability.stale_after
    assert f"stale (latest value more than {lag} years" in en
    other = load_settings(overrides={"availability": {"stale_after": lag + 4}})
    assert f"more than {lag + 4} years" in html.section("availability", "en", settings=other)
    assert vi.startswith('<h2 id="sec-availability">Tình trạng sẵn có dữ liệu</h2>')
    assert html.section("annex", "vi", level=3) == '<h3 id="sec-annex">Phụ lục</h3>'
    assert "<p>" not in html.section("availability", "en", lead="")
    with pytest.raises(ValueError, match="lang must be one of en, vi"):
        html.section("summary", "fr")


def test_heading_escapes_text_and_checks_anchor():
    assert html.heading(MALICIOUS, "x") == (
        '<h2 id="x">&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;</h2>'
    )
    with pytest.raises(ValueError, match="anchor"):
        html.heading("t", 'x" onclick="y')
    with pytest.raises(ValueError, match="level"):
        html.heading("t", "x", level=7)


def test_country_header_banner_and_vintage(data):
    head = html.country_header(data, "VNM", "vi")
    assert '<h1 id="title">Việt Nam — Báo cáo quốc gia</h1>' in head
    assert i18n.text("demo_banner", "vi") in head
    assert "Đánh giá giữa kỳ (2020)" in head and "2026-01-01" in head
    assert 'class="mtr-meta"' in head  # the table of contents goes after it


def test_data_vintage():
    obs = pd.DataFrame({"source": ["WDI, updated 2025-07-01", "WDI, updated 2026-01-01", "GSO"]})
    assert tables.data_vintage(obs) == "2026-01-01"
    assert tables.data_vintage(pd.DataFrame({"source": ["GSO survey, vintage 2024"]})) == "2024"
    assert tables.data_vintage(pd.DataFrame({"source": pd.Series([], dtype=str)})) == ""


# --------------------------------------------------------------------------- numbers, tables
def test_key_numbers_match_the_assessment(data):
    kn = dict(tables.key_numbers(data, "VNM").to_numpy())
    a = data.assessment.loc[data.assessment["country"] == "VNM", "status"].astype(str)
    assert kn["kn_indicators"] == len(data.catalogue.indicators) == len(a)
    assert kn["kn_on_track"] == a.isin(["on_track", "target_met"]).sum()
    assert kn["kn_regressing"] == (a == "regression").sum()
    assert kn["kn_on_track"] + kn["kn_acceleration"] + kn["kn_regressing"] == kn["kn_assessable"]
    regional = dict(tables.key_numbers(data).to_numpy())
    assert regional["kn_countries"] == 10
    k, n = map(int, regional["kn_escap"].split(" / "))
    assert k == gaps.regional_assessability(data.availability)["assessable"].sum() and n == 68
    cards = html.key_numbers_html(data, "VNM", "vi")
    assert "chỉ số trong danh mục" in cards and "<b>68</b>" in cards


def test_coverage_table_characteristics_then_elements(data):
    cov = tables.coverage_table(data, "VNM")
    levels = list(cov["level"])
    assert levels[:3] == ["A", "A.1", "A.2"] and "E" in levels
    chars = cov.loc[~cov["level"].str.contains(".", regex=False)]
    assert chars["n_pairs"].sum() == len(data.catalogue.indicators)
    els = cov.loc[cov["level"].str.contains(".", regex=False)]
    assert els["n_pairs"].sum() == chars["n_pairs"].sum()


def test_serious_gaps_order(data):
    table = tables.serious_gaps(data, "VNM", limit=50)
    assert (table["gap_category"] != "sufficient").all()
    has_target = table["target_value"].notna().to_numpy()
    # Indicators with a target first (a sorted boolean sequence: True ... False).
    assert list(has_target) == sorted(has_target, reverse=True)
    first = table.loc[has_target, "gap_category"].map({"no_data": 0, "single_point": 1, "stale": 2})
    assert first.is_monotonic_increasing
    assert len(tables.serious_gaps(data, "VNM", limit=3)) == 3
    with pytest.raises(ValueError, match="limit"):
        tables.serious_gaps(data, "VNM", limit=0)


def test_table_translates_formats_and_colours(data):
    styler = html.table(tables.status_table(data, "VNM"), "vi", "status")
    page = _html(styler)
    for header in ("Chỉ số", "Năm gốc", "Giá trị cơ sở", "Tăng trưởng bình quân năm (CAGR, %)",
                   "Tình trạng"):  # fmt: skip
        assert f">{header}</th>" in page
    assert "đúng tiến độ" in page and "on_track" not in page
    assert "background-color: #5ab4ac" in page  # on-track colour, as in the charts
    assert re.search(r">20\d\d</td>", page)  # years without a thousands separator
    assert "#T_status_" in page  # stable ids: the same table renders the same way


def test_table_escapes_text_from_data_files():
    frame = pd.DataFrame({"source": [MALICIOUS], "value": [1234.5], "year": [2015]})
    page = _html(html.table(frame, "en", "x"))
    assert MALICIOUS not in page and "&lt;script&gt;" in page
    assert ">1,234.5</td>" in page and ">2015</td>" in page
    vi = _html(html.table(frame, "vi", "x"))
    assert ">1.234,5</td>" in vi  # Vietnamese number format
    with pytest.raises(ValueError, match="name"):
        html.table(frame, "en", "a b")


def test_national_comparison_and_status_counts(data):
    nat = tables.national_comparison(data, "vi")
    assert list(nat["country"])[-1] == "Việt Nam" and len(nat) == 10
    cols = ["on_track_or_met", "needs_acceleration", "regressing", "not_assessable"]
    assert (nat[cols].sum(axis=1) == len(data.catalogue.indicators)).all()
    counts = tables.status_counts(data, "characteristic")
    assert counts.iloc[-1]["characteristic"] == "Σ"
    statuses = counts.iloc[:-1].drop(columns=["characteristic", "robust"])
    assert statuses.sum().sum() == len(data.assessment)
    # Issue 10: the robust column counts the statuses that are the same under every variant.
    assert counts.iloc[-1]["robust"] == (data.assessment["robustness"] == "robust").sum()


def test_load_review_follows_the_settings(data, demo_store):
    """Gap categories follow ``availability.stale_after``: checked against the values."""
    assert data.settings == default_settings()
    lag = 0  # every series whose latest value is before the cut-off is stale
    changed = review.load_review(
        demo_store,
        2015,
        2020,
        settings=load_settings(overrides={"availability": {"stale_after": lag}}),
    )
    assert changed.settings.availability.stale_after == lag
    for got in (data, changed):
        av = got.availability
        limit = got.settings.availability.stale_after
        expected = np.select(
            [
                av["n_obs"].eq(0),
                av["n_obs"].eq(1),
                (got.cutoff_year - av["latest_year"].astype(float)) > limit,
            ],
            ["no_data", "single_point", "stale"],
            default="sufficient",
        )
        assert (av["gap_category"].astype(str).to_numpy() == expected).all()
        assert (got.assessment["gap_category"].astype(str).to_numpy() == expected).all()
    assert (data.availability["gap_category"] != changed.availability["gap_category"]).any()


def test_parameters_table_shows_the_settings():
    settings = load_settings(overrides={"unsd": {"thresholds": [0.9, 0.5, 0.1, -0.1]}})
    table = annex.parameters_table({"country": "VNM", "countries": ["VNM", "LAO"]}, settings)
    rows = dict(table.to_numpy())
    assert rows["country"] == "VNM" and rows["countries"] == "VNM, LAO"
    assert list(table["parameter"])[2:4] == ["progress method", "method edition"]
    assert rows["progress method"] == "unsd" and rows["method edition"] == settings.unsd.edition
    assert list(table["parameter"])[4:] == [key for key, _ in settings_rows(settings)]
    assert rows["unsd.thresholds"] == "0.9, 0.5, 0.1, -0.1"
    assert rows["availability.stale_after"] == str(settings.availability.stale_after)
    assert len(annex.parameters_table({"x": 1})) == 1  # without settings: parameters only


def test_provenance_and_environment(data, demo_store):
    files = set(tables.data_table(data, "VNM")["file"])
    prov = annex.provenance_table(demo_store, files=files)
    assert set(prov["file"]) == files and prov["sha256"].str.fullmatch("[0-9a-f]{64}").all()
    env = dict(annex.environment_table(demo_store, "VNM", data).to_numpy())
    assert env["VNM data hash"] == data.country_hashes["VNM"]
    assert re.fullmatch(r"[0-9a-f]{40}|unknown", env["git commit"])
    assert env["observations.parquet sha256"] == data.store_sha256


def test_regional_aggregates_summary(data):
    summary = tables.aggregates_summary(data)
    from mtr_analysis.analysis import aggregates

    full = aggregates.regional_aggregates(data.observations, data.catalogue, data.countries)
    row = summary.iloc[0]
    ind = data.catalogue.indicators.index[0]
    assert row["indicator"] == data.catalogue.indicators.at[ind, "name"]
    latest = full.loc[full["indicator"] == ind].sort_values("year").iloc[-1]
    assert row["agg_year1"] == latest["year"] and row["agg_mean1"] == latest["mean"]
    assert row["agg_reporting"] == f"{latest['n_reporting']} / 10"
    assert row["agg_year0"] == 2015  # the baseline year has data in the demo store
    page = _html(html.regional_aggregates_table(data, "vi"))
    assert (
        ">Trung vị, năm gần nhất</th>" in page and ">Tỷ lệ trọng số được bao phủ (%)</th>" in page
    )
    # Issue 10 item 5: the weight actually used per row and the group in the caption.
    weights = dict(zip(summary["indicator"], summary["agg_weight"], strict=True))
    assert weights[data.catalogue.indicators.at["b_mmr", "name"]] == "live births"
    assert weights[data.catalogue.indicators.at["b_youth_neet", "name"]] == "population aged 15–24"
    assert (
        "<caption>Nhóm: ASEAN-10 (10 nước thành viên).</caption>" in page
        and "số trẻ sinh sống" in page
    )


def test_regional_aggregates_placeholder_without_module(data, monkeypatch):
    import sys

    import mtr_analysis.analysis

    monkeypatch.setitem(sys.modules, "mtr_analysis.analysis.aggregates", None)
    monkeypatch.delattr(mtr_analysis.analysis, "aggregates", raising=False)
    page = _html(html.regional_aggregates_table(data, "en"))
    assert 'class="mtr-pending"' in page and "mtr_analysis.analysis.aggregates" in page


# --------------------------------------------------------------------------- hostile text
#: Every bidirectional embedding, override and isolate control (U+202A–U+202E, U+2066–U+2069).
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_safe_text_removes_bidi_controls_and_escapes():
    # "Trojan Source": an override would display "SALES" reversed and hide the markup.
    text = "\u202e<b>SELAS</b>\u202c \u2067ab\u2069\x00\x1b\u2066"
    assert html.safe_text(text) == "&lt;b&gt;SELAS&lt;/b&gt; ab"
    assert html.clean_text("a" + BIDI + "b\tc\nd") == "ab\tc\nd"  # tab, newline kept
    assert html.safe_text("Bộ Y tế & WHO") == "Bộ Y tế &amp; WHO"  # Vietnamese untouched


def test_safe_text_cuts_long_text_with_capped_tooltip():
    long = "\u202e" + "<" + "a" * 99_999
    out = html.safe_text(long)
    shown = "&lt;" + "a" * (html.TEXT_LIMIT - 1) + "…</span>"
    assert out.startswith(
        '<span class="mtr-cut" title="&lt;' + "a" * 1999 + '… (100,000 characters)">'
    )
    assert out.endswith(shown) and len(out) < 2 * html.TOOLTIP_LIMIT + 100
    exact = "b" * html.TEXT_LIMIT  # at the limit: shown whole, no tooltip
    assert html.safe_text(exact) == exact
    medium = "c" * (html.TEXT_LIMIT + 5)  # tooltip holds the whole text when it fits
    assert html.safe_text(medium) == (
        f'<span class="mtr-cut" title="{medium}">{"c" * html.TEXT_LIMIT}…</span>'
    )


def test_table_cuts_and_cleans_every_cell_and_header():
    name = "\u202eevil\u202c " + "x" * 100_000
    frame = pd.DataFrame({"source": [name] * 40, "note": ["\u2066n\u2069"] * 40,
                          "x" * 500: [1] * 40})  # fmt: skip
    page = _html(html.table(frame, "en", "h"))
    assert not set(BIDI) & set(page)
    assert page.count(">evil " + "x" * 295 + "…</span></td>") == 40
    assert ">n</td>" in page
    assert "x" * 2001 not in page and len(page) < 200_000  # 40 × 100 kB would be 4 MB
    assert 'title="' + "x" * 500 + '">' + "x" * 300 + "…</span></th>" in page  # header cut


def test_blocks_clean_data_text(data):
    hostile = "\u202d" + "S" * 5000
    items = [Finding("data_gap", f"Source {hostile}", severity="warning")]
    page = html.findings_html(items, "en")
    assert "\u202d" not in page and "S" * 2001 not in page
    assert '<li class="warning">⚠ <span class="mtr-cut" title="Source SSS' in page
    assert page.endswith("S" * (html.SENTENCE_LIMIT - len("Source ")) + "…</span></li></ul>")
    sentence = "Prioritise data collection for " + "; ".join(["Indicator name"] * 40)
    assert len(sentence) > 600 and sentence in html.findings_html([Finding("p", sentence)])
    assert html.heading("\u2067" + "H" * 400, "h").endswith("H" * 300 + "…</span></h2>")
    assert html.note("\u202bnote") == '<p class="mtr-note">note</p>'
    lead = i18n.text("progress_lead", "vi")  # the report's own longer sentences stay whole
    assert len(lead) > html.TEXT_LIMIT and f"<p>{lead}</p>" in html.section("progress", "vi")


# --------------------------------------------------------------------------- findings
def test_findings_html_escapes_and_marks():
    items = [
        Finding("data_gap", f"Source {MALICIOUS}", severity="warning"),
        Finding("data_priority", "Collect more", severity="priority"),
    ]
    page = html.findings_html(items, "en")
    assert MALICIOUS not in page and "&lt;script&gt;" in page
    assert '<li class="priority">❗ Collect more</li>' in page
    assert html.findings_html([], "vi") == "<p><em>Chưa có phát hiện: không đủ dữ liệu.</em></p>"


def test_top_findings_priorities_first():
    items = [Finding("a", "1"), Finding("b", "2", severity="warning"),
             Finding("c", "3", severity="priority"), Finding("d", "4")]  # fmt: skip
    assert [f.text for f in html.top_findings(items, n=3)] == ["3", "2", "1"]


def test_write_findings_is_deterministic(data, tmp_path):
    def produce():
        items = findings.country_findings(
            data.assessment, data.availability, data.catalogue, "VNM", obs=data.observations
        )
        return outputs.write_findings(items, tmp_path, "mid-term", "vnm").read_bytes()

    first = produce()
    again = review.load_review(data.data_dir, 2015, 2020)  # fresh analysis, same inputs
    items = findings.country_findings(
        again.assessment, again.availability, again.catalogue, "VNM", obs=again.observations
    )
    path = outputs.write_findings(items, tmp_path, "mid-term", "VNM")
    assert path == tmp_path / "mid-term" / "findings" / "VNM.json"
    assert path.read_bytes() == first == produce()
    assert json.loads(first)[0]["country"] == "VNM"


@pytest.mark.parametrize("name", ["../VNM", "XXX", "a/b", ""])
def test_findings_path_stays_in_the_output_folder(tmp_path, name):
    with pytest.raises((ValueError, KeyError)):
        outputs.findings_path(tmp_path, "mid-term", name)


def test_findings_path_rejects_bad_review(tmp_path):
    with pytest.raises(ValueError, match="review"):
        outputs.findings_path(tmp_path, "../x", "VNM")
    assert outputs.findings_path(tmp_path, "end-term", "regional").name == "regional.json"
