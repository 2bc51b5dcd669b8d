"""Report words in English and Vietnamese (:mod:`mtr_analysis.reporting.i18n`)."""

from __future__ import annotations

import string

import pytest

from mtr_analysis.analysis.status import (
    ASSESSABLE,
    NEEDS_ACCELERATION,
    NOT_ASSESSABLE,
    ON_TRACK,
    REGRESSING,
    STATUS_ORDER,
)
from mtr_analysis.reporting import i18n, style
from mtr_analysis.reporting.i18n import STATUS_LABELS


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@pytest.mark.parametrize("section", i18n.SECTIONS)
def test_both_languages_have_the_same_keys_and_placeholders(section):
    en, vi = i18n.words(section, "en"), i18n.words(section, "vi")
    assert en and set(en) == set(vi)
    for key, words in en.items():
        assert type(words) is type(vi[key]), key
        forms = zip((words,), (vi[key],)) if isinstance(words, str) else zip(words, vi[key])
        for en_form, vi_form in forms:
            assert _fields(en_form) == _fields(vi_form), key
            assert vi_form.strip() and en_form.strip(), key


def test_one_catalogue_file_per_language():
    assert sorted(p.stem for p in i18n.WORDS_DIR.glob("*.yaml")) == sorted(i18n.LANGS)
    for lang in i18n.LANGS:
        head = (i18n.WORDS_DIR / f"{lang}.yaml").read_text(encoding="utf-8").splitlines()[0]
        assert head.startswith("# "), "translator notes come first"


def test_plural_forms_follow_the_count():
    en, vi = i18n.words("findings", "en"), i18n.words("findings", "vi")
    one, other = en["more"]
    assert one.format(n=1) == "1 more indicator" and other.format(n=2) == "2 more indicators"
    # Vietnamese has no plural: one text serves both counts.
    assert vi["more"][0] == vi["more"][1]
    # Keys YAML 1.1 would read as booleans stay words.
    assert i18n.text("yes", "vi") == "có" and "on" in en


def _write_catalogues(folder, en: str, vi: str) -> None:
    sections = "".join(f"{s}: {{a: 'x'}}\n" for s in i18n.SECTIONS if s != "text")
    (folder / "en.yaml").write_text(f"text:\n{en}\n{sections}", encoding="utf-8")
    (folder / "vi.yaml").write_text(f"text:\n{vi}\n{sections}", encoding="utf-8")


@pytest.mark.parametrize(
    ("en", "vi", "message"),
    [
        ('  a: "{n} items"', '  a: "{k} mục"', r"text\.a: placeholders"),
        ('  a: "x"\n  b: "y"', '  a: "x"', r"keys differ.*missing: \['b'\]"),
        ('  a: "x"\n  yes: "y"', '  a: "x"\n  yes: "có"', "put the keys .* in quotes"),
        ('  a: {one: "x"}', '  a: "x"', "expected a text in double quotes or the forms"),
    ],
)
def test_catalogue_errors_name_file_and_key(tmp_path, en, vi, message):
    _write_catalogues(tmp_path, en, vi)
    with pytest.raises(i18n.WordsError, match=message):
        i18n.load_words(tmp_path)


def test_a_catalogue_without_a_section_is_refused(tmp_path):
    (tmp_path / "en.yaml").write_text("text: {a: 'x'}\n", encoding="utf-8")
    with pytest.raises(i18n.WordsError, match="sections must be text, status"):
        i18n.load_words(tmp_path, ["en"])


def test_vietnamese_differs_from_english():
    same = [k for k, v in i18n.TEXT["en"].items() if i18n.TEXT["vi"][k] == v]
    assert set(same) <= {"python", "store_sha"}


def test_glossary_terms_of_the_review():
    """Terms of the product spec, section 8."""
    vi = i18n.TEXT["vi"]
    assert "Kế hoạch Tổng thể Cộng đồng Văn hóa – Xã hội ASEAN 2025" == vi["blueprint"]
    assert vi["availability"] == "Tình trạng sẵn có dữ liệu"
    assert "khuyến nghị" in vi["findings"] and "Phát hiện" in vi["findings"]
    assert "kết luận" in vi["key_findings"]
    assert vi["regional_title"] == "Báo cáo tổng hợp khu vực"
    assert "Báo cáo quốc gia" in vi["country_title"]
    assert i18n.COLUMNS["vi"]["indicator"] == "Chỉ số"
    assert i18n.COLUMNS["vi"]["characteristic"] == "Đặc điểm"
    assert i18n.COLUMNS["vi"]["element"] == "Thành tố"
    assert i18n.COLUMNS["vi"]["baseline_value"] == "Giá trị cơ sở"
    assert i18n.COLUMNS["vi"]["target_value"] == "Mục tiêu"
    assert STATUS_LABELS["vi"]["on_track"] == "đúng tiến độ"
    assert STATUS_LABELS["vi"]["regression"] == "thụt lùi"
    assert i18n.COLUMNS["vi"]["needs_acceleration"] == "Cần đẩy nhanh"
    assert "khoảng trống dữ liệu" in vi["kn_gaps"]


def test_text_and_labels():
    assert i18n.text("country_title", "vi", country="Lào") == "Lào — Báo cáo quốc gia"
    assert i18n.column_labels(["status", "zzz"], "vi") == {"status": "Tình trạng", "zzz": "zzz"}
    assert i18n.gap_label("stale", "en") == "stale (no recent value)"
    with pytest.raises(KeyError, match="no report text 'nope'"):
        i18n.text("nope")
    with pytest.raises(ValueError, match="lang must be one of en, vi"):
        i18n.text("summary", "fr")


def test_every_status_has_a_colour_and_a_label_in_every_language():
    for lang in i18n.LANGS:
        assert set(STATUS_LABELS[lang]) == set(STATUS_ORDER), lang
        assert all(STATUS_LABELS[lang][s].strip() for s in STATUS_ORDER), lang
        assert len(set(STATUS_LABELS[lang].values())) == len(STATUS_ORDER), lang
        # Status-count columns are headed by the capitalised label.
        assert i18n.column_labels(["on_track"], lang)["on_track"][0].isupper()
    assert set(style.STATUS_COLOURS) == set(STATUS_ORDER)


def test_status_groups_partition_the_statuses():
    groups = (ON_TRACK, NEEDS_ACCELERATION, REGRESSING, NOT_ASSESSABLE)
    assert sum(len(g) for g in groups) == len(STATUS_ORDER)
    assert frozenset().union(*groups) == set(STATUS_ORDER)
    assert ASSESSABLE == ON_TRACK | NEEDS_ACCELERATION | REGRESSING
    # Best first: every on-track status ranks above every regressing or unassessable one.
    rank = STATUS_ORDER.index
    assert max(map(rank, ON_TRACK)) < min(map(rank, NEEDS_ACCELERATION))
    assert max(map(rank, NEEDS_ACCELERATION)) < min(map(rank, REGRESSING))
    assert max(map(rank, REGRESSING)) < min(map(rank, NOT_ASSESSABLE))


# --- indicator names by language (issue 11, item 7) ---------------------------------------


def _vi_catalogue():
    """The plotting tests' toy catalogue with Vietnamese names typed from the glossary."""
    from test_plots import make_catalogue

    cat = make_catalogue()
    vi = {
        "b_mmr": ("Tỷ số tử vong mẹ (ước tính mô hình)", "ca tử vong trên 100.000 trẻ đẻ sống"),
        "c_forest": ("Diện tích rừng", "% diện tích đất"),
    }
    cat.indicators["name_vi"] = cat.indicators["id"].map(lambda i: vi.get(i, ("", ""))[0])
    cat.indicators["unit_vi"] = cat.indicators["id"].map(lambda i: vi.get(i, ("", ""))[1])
    return cat


def test_indicator_name_and_unit_follow_the_language():
    from mtr_analysis.reference.catalogue import load_catalogue

    cat = load_catalogue()
    assert i18n.indicator_name(cat, "b_imr", "vi") == "Tỷ suất tử vong trẻ em dưới 1 tuổi"
    assert i18n.indicator_name(cat, "b_imr", "en") == "Infant mortality rate"
    assert i18n.indicator_unit(cat, "d_tb_incidence", "vi") == "trên 100.000 dân"
    assert i18n.indicator_name(cat, "zz_unknown", "vi") == "zz_unknown"
    with pytest.raises(ValueError, match="fr"):
        i18n.indicator_name(cat, "b_imr", "fr")


def test_vietnamese_figure_titles_and_units_use_name_vi():
    from test_plots import _cls, _panel, _text_of, assessment, obs

    from mtr_analysis.reporting import figures

    cat = _vi_catalogue()
    chart = figures.trend_grid(obs.__wrapped__(), assessment.__wrapped__(), cat, "VNM", lang="vi")

    def unit(panel) -> str:
        return _text_of(_cls(panel, "unit")[0])

    assert unit(_panel(chart, "Tỷ số tử vong mẹ")) == "ca tử vong trên 100.000 trẻ đẻ sống"
    assert unit(_panel(chart, "Diện tích rừng")) == "% diện tích đất"
    # English is unchanged.
    chart_en = figures.trend_grid(obs.__wrapped__(), assessment.__wrapped__(), cat, "VNM")
    assert unit(_panel(chart_en, "Maternal mortality ratio")).startswith("deaths")


def test_vietnamese_findings_name_indicators_in_vietnamese():
    from mtr_analysis.reporting import findings

    cat = _vi_catalogue()
    # The trailing parenthesis is dropped in sentences, in both languages.
    assert findings.prose_name(cat, "b_mmr", "vi") == "Tỷ số tử vong mẹ"
    assert findings.prose_name(cat, "b_mmr", "en") == "Maternal mortality ratio"
