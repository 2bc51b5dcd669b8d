"""World Bank API v2 reader: the real saved answer, checked record by record."""

from __future__ import annotations

import json

import pytest

from mtr_analysis.intake.sources import detect_format, wb_api

WB = "api/worldbank_v2/SP.POP.TOTL.json"


def test_real_answer_values_vintage_nulls_and_locators(real_dir):
    assert detect_format(real_dir / WB) == ("wb_api_v2", "")
    info, rows = json.loads((real_dir / WB).read_text(encoding="utf-8"))
    rec = wb_api.read(real_dir / WB, real_dir).set_index("locator")
    assert len(rec) == sum(r["value"] is not None for r in rows)  # nulls are no values
    for n, r in enumerate(rows, start=1):
        if r["value"] is None or r["countryiso3code"] not in ("BRN", "KHM", "IDN"):
            continue
        got = rec.loc[f"page 1, record {n}"]
        assert int(got["raw"]) == r["value"] and got["year"] == int(r["date"])
        assert got["country"] == r["countryiso3code"] and got["series"] == "SP.POP.TOTL"
        assert got["source"] == f"World Bank Indicators API v2, lastupdated {info['lastupdated']}"
        assert got["note"] == "page 1 of 2 only"  # the saved file holds half the answer


def _save(tmp_path, doc):
    path = tmp_path / "a.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_several_pages_quarterly_dates_and_errors(tmp_path):
    rec1 = {
        "indicator": {"id": "X.Y"},
        "country": {"id": "VN", "value": "Viet Nam"},
        "countryiso3code": "VNM",
        "date": "2020",
        "value": 1.5,
        "obs_status": "",
    }
    rec2 = {**rec1, "date": "2020Q1", "value": 2}
    rec3 = {**rec1, "countryiso3code": "", "country": {"id": "LAO", "value": "Lao PDR"},
            "date": "2019", "value": 3, "obs_status": "E"}  # fmt: skip
    head = {"page": 1, "pages": 2, "lastupdated": "2025-07-01"}
    doc = [[head, [rec1, rec2]], [{**head, "page": 2}, [rec3]]]
    rec = wb_api.read(_save(tmp_path, doc), tmp_path)
    assert rec["raw"].tolist() == ["1.5", "2", "3"]
    assert rec["country"].tolist() == ["VNM", "VNM", "LAO"]
    assert rec["skip"].tolist() == ["", "period '2020Q1' is not a year", ""]
    assert rec["locator"].tolist() == ["page 1, record 1", "page 1, record 2", "page 2, record 1"]
    assert rec["note"].tolist() == ["", "", "E"]  # both pages present: nothing missing
    err = [{"message": [{"id": "120", "key": "Invalid value", "value": "bad indicator"}]}]
    path = _save(tmp_path, err)
    assert not wb_api.sniff(path)
    with pytest.raises(wb_api.ApiError, match="a.json: World Bank API error: 120 Invalid value"):
        wb_api.read(path, tmp_path)
    with pytest.raises(wb_api.SourceError, match="not a \\[page information, records\\] list"):
        wb_api.page_parts({"x": 1}, "u")
