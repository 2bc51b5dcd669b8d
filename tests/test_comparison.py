"""Review-to-review comparison (issue 13, item 1): transitions, gaps, matrix, change source,
findings, the chapter, and one pair of the real folder against both reviews' own outputs."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from mtr_analysis.analysis import comparison as cmp
from mtr_analysis.analysis.review import ReviewData, load_review
from mtr_analysis.paths import COMPARISON_FILE
from mtr_analysis.reference.catalogue import load_catalogue
from mtr_analysis.reporting import comparison as chapter_mod
from mtr_analysis.reporting import findings, i18n, style, tables
from mtr_analysis.reporting.outputs import write_review_outputs


def frame(rows: list[tuple]) -> pd.DataFrame:
    """Assessment rows ``(country, indicator, characteristic, status, gap_category)``."""
    return pd.DataFrame(
        rows, columns=["country", "indicator", "characteristic", "status", "gap_category"]
    )


# Hand-worked pairs: mid-term (status, gap) → end-term (status, gap) and what they must give.
CASES = [
    # indicator, mid status, mid gap, end status, end gap, transition, gap change
    ("i1", "stagnation", "stale", "on_track", "sufficient", "improved", "closed"),
    ("i2", "moderate_progress", "sufficient", "moderate_progress", "sufficient", "unchanged", "none"),
    ("i3", "on_track", "sufficient", "regression", "stale", "worsened", "opened"),
    ("i4", "no_data", "no_data", "marginal_progress", "sufficient", "newly_assessable", "closed"),
    ("i5", "target_met", "sufficient", "insufficient_data", "single_point", "no_longer_assessable", "opened"),
    ("i6", "no_data", "no_data", "insufficient_data", "single_point", "unchanged", "none"),
    ("i7", "accelerate_progress", "sufficient", "maintain_progress", "sufficient", "improved", "none"),
    ("i8", "on_track", "sufficient", "target_met", "sufficient", "improved", "none"),
    ("i9", "marginal_progress", "stale", "stagnation", "stale", "worsened", "none"),
]  # fmt: skip


@pytest.fixture
def pair() -> tuple[pd.DataFrame, pd.DataFrame]:
    mid = frame([("VNM", c[0], "A" if c[0] < "i5" else "B", c[1], c[2]) for c in CASES])
    end = frame([("VNM", c[0], "A" if c[0] < "i5" else "B", c[3], c[4]) for c in CASES])
    return mid, end


def test_each_transition_and_gap_change_by_hand(pair):
    mid, end = pair
    out = cmp.compare(mid, end).set_index("indicator")
    for ind, s_mid, g_mid, s_end, g_end, transition, gap in CASES:
        row = out.loc[ind]
        assert (row["status_mid_term"], row["status_end_term"]) == (s_mid, s_end)
        assert (row["gap_mid_term"], row["gap_end_term"]) == (g_mid, g_end)
        assert row["transition"] == transition, ind
        assert row["gap_change"] == gap, ind
    assert list(cmp.compare(mid, end).columns) == cmp.COMPARISON_COLUMNS


def test_pair_missing_from_one_review_had_no_data_there():
    mid = frame([("VNM", "a", "A", "on_track", "sufficient")])
    end = frame([("VNM", "a", "A", "on_track", "sufficient"),
                 ("THA", "b", "C", "stagnation", "sufficient")])  # fmt: skip
    out = cmp.compare(mid, end).set_index(["country", "indicator"])
    row = out.loc[("THA", "b")]
    assert (row["status_mid_term"], row["gap_mid_term"]) == ("no_data", "no_data")
    assert (row["transition"], row["gap_change"], row["characteristic"]) == (
        "newly_assessable", "closed", "C",
    )  # fmt: skip
    assert list(out.index) == [("THA", "b"), ("VNM", "a")]  # sorted by country, indicator


def test_gap_definition_is_the_findings_one():
    assert cmp.DATA_GAPS == frozenset(findings.GAP_KINDS)


def test_transition_matrix_and_counts_per_characteristic(pair):
    out = cmp.compare(*pair)
    a = cmp.transition_matrix(out, "A")  # i1..i4
    assert int(a.to_numpy().sum()) == 4
    assert a.at["stagnation", "on_track"] == 1
    assert a.at["moderate_progress", "moderate_progress"] == 1
    assert a.at["on_track", "regression"] == 1
    assert a.at["no_data", "marginal_progress"] == 1
    b = cmp.transition_matrix(out, "B")  # i5..i9
    assert int(b.to_numpy().sum()) == 5 and b.at["on_track", "target_met"] == 1
    assert cmp.transition_matrix(out).to_numpy().sum() == len(CASES)
    counts = cmp.transition_counts(out).set_index("characteristic")
    assert counts.loc["A"].to_dict() == {
        "improved": 1, "unchanged": 1, "worsened": 1, "newly_assessable": 1,
        "no_longer_assessable": 0, "gaps_closed": 2, "gaps_opened": 1,
    }  # fmt: skip
    assert counts.loc["B"].to_dict() == {
        "improved": 2, "unchanged": 1, "worsened": 1, "newly_assessable": 0,
        "no_longer_assessable": 1, "gaps_closed": 0, "gaps_opened": 1,
    }  # fmt: skip


def test_change_source_separates_revisions_from_new_years():
    # then → mid-term on today's data: revision of old years; mid-term → end-term: new years.
    mid = frame([("VNM", i, "B", s, "sufficient") for i, s in
                 [("none", "on_track"), ("new", "on_track"), ("rev", "stagnation"),
                  ("both", "stagnation")]])  # fmt: skip
    end = mid.assign(status=["on_track", "regression", "stagnation", "on_track"])
    then = mid[["country", "indicator"]].assign(
        status=["on_track", "on_track", "on_track", "regression"]
    )
    out = cmp.compare(mid, end, mid_term_then=then).set_index("indicator")
    assert list(out.columns[-2:]) == cmp.THEN_COLUMNS
    assert out["change_source"].to_dict() == {
        "both": "both", "new": "new_data", "none": "none", "rev": "revision",
    }  # fmt: skip
    assert out.at["both", "status_mid_term_then"] == "regression"
    assert "change_source" not in cmp.compare(mid, end)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (frame([("VNM", "a", "A", "great", "sufficient")]), "mid_term: unknown status 'great'"),
        (frame([("VNM", "a", "A", "on_track", "sufficient")] * 2),
         "mid_term: country × indicator VNM × a appears more than once"),
        (frame([("VNM", "a", "A", "on_track", "sufficient")]).drop(columns="status"), "status"),
    ],
)  # fmt: skip
def test_bad_frames_get_a_clear_message(bad, message):
    good = frame([("VNM", "a", "A", "on_track", "sufficient")])
    with pytest.raises(ValueError, match=message):
        cmp.compare(bad, good)


def test_findings_say_it_in_english_and_vietnamese(pair):
    out = cmp.compare(*pair)
    cat = load_catalogue()
    en = findings.comparison_findings(out, cat, "en", "VNM", years=[2020, 2025])
    kinds = [f.kind for f in en]
    assert kinds == ["comparison_summary", "comparison_detail", "comparison_assessability",
                     "comparison_gaps"]  # fmt: skip
    # i1 (stagnation → on track) and i7 (ESCAP accelerate → maintain) moved from needing
    # acceleration to on track; i3 and i9 worsened.
    assert en[0].text == (
        "Since the mid-term review, 2 indicators moved from needing acceleration to on track; "
        "2 regressed."
    )
    assert en[0].indicators == ["i1", "i3", "i7", "i9"] and en[0].years == [2020, 2025]
    assert en[0].severity == "warning" and en[0].country == "VNM"
    # Assessable in both: i1, i2, i3, i7, i8, i9 → improved i1, i7, i8; unchanged i2.
    assert en[1].text == (
        "Of 6 indicators assessable in both reviews, 3 improved, 1 kept the same status and "
        "2 worsened."
    )
    assert en[2].text == (
        "1 indicator can be assessed now but could not be at the mid-term review; 1 can no "
        "longer be assessed."
    )
    assert en[3].text == "Since the mid-term review, 2 data gaps were closed and 2 opened."
    vi = findings.comparison_findings(out, cat, "vi", "", years=[2020, 2025])
    assert vi[0].text == (
        "Kể từ đánh giá giữa kỳ, 2 cặp nước – chỉ số đã chuyển từ cần đẩy nhanh sang đúng "
        "tiến độ; 2 thụt lùi."
    )
    assert findings.comparison_findings(out, cat, "en", "THA") == []  # no rows, no finding


def test_revision_finding_names_the_revised_indicator():
    mid = frame([("VNM", "b_mmr", "B", "on_track", "sufficient")])
    then = mid.assign(status="stagnation")
    out = cmp.compare(mid, mid, then)
    items = findings.comparison_findings(out, load_catalogue(), "en", "VNM", years=[2020])
    assert items[-1].kind == "comparison_revision"
    assert items[-1].text.startswith(
        "1 mid-term status changed only because values of old years were revised"
    )
    assert items[-1].indicators == ["b_mmr"]


def test_every_transition_has_a_colour_and_words():
    assert set(style.TRANSITION_COLOURS) == set(cmp.TRANSITIONS)
    for lang in i18n.LANGS:
        for t in cmp.TRANSITIONS:
            assert i18n.text(f"transition_{t}", lang)
        for g in cmp.GAP_CHANGES:
            assert i18n.text(f"gap_change_{g}", lang)


def _review(review: str, cutoff: int, assessment: pd.DataFrame) -> ReviewData:
    """A ReviewData holding only what the chapter reads (catalogue, review, window)."""
    return ReviewData(
        observations=pd.DataFrame(), availability=pd.DataFrame(), assessment=assessment,
        catalogue=load_catalogue(), countries=["VNM"], baseline_year=2015,
        cutoff_year=cutoff, demo=False, data_dir=".", review=review,
    )  # fmt: skip


def test_chapter_is_a_note_outside_the_end_term_review():
    data = _review("mid-term", 2020, frame([]))
    chapter = chapter_mod.chapter(data, "VNM", "en")
    assert chapter.findings == [] and chapter.comparison is None
    assert [str(b) for b in chapter.blocks] == [
        '<p class="mtr-note">The comparison with the mid-term review is part of the end-term '
        "reports only.</p>"
    ]
    assert chapter_mod.cited_years(data) == [2020]


def test_chapter_of_an_end_term_country_profile():
    mid = frame([("VNM", "b_mmr", "B", "stagnation", "stale"),
                 ("VNM", "b_gini", "B", "on_track", "sufficient")])  # fmt: skip
    end = mid.assign(status=["on_track", "on_track"], gap_category="sufficient")
    data = _review("end-term", 2025, end)
    out = cmp.compare(mid, end)
    chapter = chapter_mod.chapter(data, "VNM", "vi", comparison=out)
    assert chapter.findings[0].years == [2020, 2025]
    assert "So sánh với đánh giá giữa kỳ" in str(chapter.blocks[0])
    changed = chapter_mod.changes_table(out, data, "VNM", "en")
    assert changed.to_dict("records") == [{
        "indicator": "Maternal mortality ratio (modeled)",
        "status_mid_term": "Stagnation", "status_end_term": "On track",
        "transition": "improved", "gap_change": "gap closed",
    }]  # fmt: skip


@pytest.mark.realdata
def test_real_folder_one_transition_against_both_reviews_outputs(real_store_build, tmp_path):
    """Viet Nam's unemployment rate: regression at mid-term, moderate progress at end-term
    (each read from that review's own assessment.csv, computed by a separate load_review),
    so the comparison must say "improved" (moderate progress ranks above regression)."""
    store, _intake, _code = real_store_build
    read = {}
    for review, cutoff in (("mid-term", 2020), ("end-term", 2025)):
        data = load_review(store, 2015, cutoff, review=review)
        csv = tables.to_csv_bytes(tables.assessment_table(data.assessment, data.catalogue,
                                                          data.countries))  # fmt: skip
        read[review] = pd.read_csv(io.BytesIO(csv)).set_index(["country", "indicator"])
    key = ("VNM", "b_unemployment")
    assert read["mid-term"].at[key, "status"] == "regression"
    assert read["end-term"].at[key, "status"] == "moderate_progress"
    compared = cmp.review_comparison(data)  # derives the mid-term review from `data`
    row = compared.set_index(["country", "indicator"]).loc[key]
    assert (row["status_mid_term"], row["status_end_term"], row["transition"]) == (
        "regression", "moderate_progress", "improved",
    )  # fmt: skip
    # Every pair's mid-term status equals the mid-term review's own output.
    statuses = compared.set_index(["country", "indicator"])["status_mid_term"]
    assert statuses.reindex(read["mid-term"].index).eq(read["mid-term"]["status"]).all()
    # comparison.csv is written with the end-term review tables, the same row in it.
    write_review_outputs(data, tmp_path, "end-term", compared)
    written = pd.read_csv(tmp_path / "end-term" / COMPARISON_FILE)
    # With the mid-term review as of its data date: which changes are revisions.
    assert list(written.columns) == cmp.COMPARISON_COLUMNS + cmp.THEN_COLUMNS
    assert len(written) == len(read["end-term"])
    vnm = written.set_index(["country", "indicator"]).loc[key]
    assert (vnm["status_mid_term"], vnm["transition"]) == ("regression", "improved")


def test_transition_matrix_chart_one_panel_per_characteristic(pair):
    from matplotlib.colors import to_hex

    from mtr_analysis.reporting.figures import transition_matrix_chart

    out = cmp.compare(*pair)
    fig = transition_matrix_chart(out, load_catalogue(), "en")
    axes = fig.get_axes()
    assert [ax.get_title()[:2] for ax in axes] == ["A.", "B."]
    # Characteristic A holds i1..i4, one pair per cell: improved, unchanged, worsened, new.
    cells = {to_hex(p.get_facecolor()) for p in axes[0].patches}
    assert cells == {style.TRANSITION_COLOURS[t] for t in
                     ("improved", "unchanged", "worsened", "newly_assessable")}  # fmt: skip
    assert sorted(t.get_text() for t in axes[0].texts) == ["1", "1", "1", "1"]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["improved", "unchanged", "worsened", "newly assessable",
                      "no longer assessable"]  # fmt: skip


def test_end_term_products_bring_comparison_csv_and_findings(demo_store, tmp_path):
    """``mtr run --review end-term`` products: comparison.csv beside assessment.csv and the
    comparison findings at the end of each findings file, equal to a comparison of the two
    reviews each loaded on its own."""
    from mtr_analysis.reporting.outputs import read_findings_file
    from mtr_analysis.run.execute import ReportTask
    from mtr_analysis.run.products import ReviewInputs, write_products

    def task(name: str, kind: str) -> ReportTask:
        return ReportTask(
            name, kind, name, tmp_path / "nb.ipynb", {}, tmp_path / f"{name}.ipynb",
            tmp_path / f"{name}.html", None, tmp_path / "end-term" / "findings" / f"{name}.json",
            tmp_path / f"{name}.rec", name, "en", "", "",
        )  # fmt: skip

    inputs = ReviewInputs(demo_store, tmp_path, "end-term", 2015, 2025, ["VNM", "LAO"], "en")
    assert write_products([task("VNM", "country"), task("regional", "regional")], inputs) == {}
    mid = load_review(demo_store, 2015, 2020, review="mid-term")
    end = load_review(demo_store, 2015, 2025, review="end-term")
    expected = cmp.compare(mid.assessment, end.assessment)
    written = pd.read_csv(tmp_path / "end-term" / COMPARISON_FILE, keep_default_na=False)
    assert set(written["country"]) == {"VNM", "LAO"}
    mine = expected.loc[expected["country"].isin(["LAO", "VNM"])].reset_index(drop=True)
    assert written["transition"].tolist() == mine["transition"].tolist()
    vnm = read_findings_file(tmp_path / "end-term" / "findings" / "VNM.json")
    texts = [f.text for f in findings.comparison_findings(expected, end.catalogue, "en", "VNM")]
    own = [f for f in vnm if f["kind"].startswith("comparison_")]
    # The run also tells revisions from new data (the mid-term review as of its data date):
    # one more finding, after the four that need no vintage.
    assert texts and [f["text"] for f in own if f["kind"] != "comparison_revision"] == texts
    assert [f["kind"] for f in own][-1] == "comparison_revision"
    assert "revised after the mid-term review" in own[-1]["text"]
    assert all(f["years"] == [2020, 2025] for f in vnm if f["kind"].startswith("comparison_"))


@pytest.mark.notebook
def test_end_term_reports_show_the_chapter(demo_store, tmp_path):
    """The only end-term execution of the real notebooks in the suite (two notebooks, the
    national report left out; a minute or more on shared cores): the chapter is in the country profile and the regional synthesis, before the
    findings, whose list ends with the comparison findings of the findings JSON."""
    from mtr_analysis.reporting.outputs import read_findings_file
    from mtr_analysis.run.runner import run_reports

    summary = run_reports(
        ["VNM"], "end-term", demo_store, tmp_path, jobs=2, progress=False, national_notebook=None
    )
    assert summary.ok, [(r.name, r.error) for r in summary.results]
    folder = tmp_path / "end-term"
    for name, findings_heading in (
        ("VNM", "Preliminary findings and recommendations"),
        ("regional", "Key findings, conclusions and recommendations"),
    ):
        page = (folder / f"{name}.html").read_text(encoding="utf-8")
        chapter = page.index(">Comparison with the mid-term review</h2>")
        assert chapter < page.index(f">{findings_heading}</h2>")
        assert "Status at the mid-term and at the end-term review" not in page  # chart is a PNG
        summary_text = next(
            f["text"]
            for f in read_findings_file(folder / "findings" / f"{name}.json")
            if f["kind"] == "comparison_detail"
        )
        assert page.count(summary_text) == 2  # in the chapter and in the findings chapter
    assert (folder / COMPARISON_FILE).is_file()
