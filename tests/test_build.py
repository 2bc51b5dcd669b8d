import json

import pandas as pd

from mtr_analysis import paths
from mtr_analysis.build import build
from mtr_analysis.registry import iso3_codes
from mtr_analysis.schema import KEY


def test_every_record_accounted_for_on_real_wdi(real_dir, tmp_path):
    result = build([real_dir / "wdi" / "api_indicator"], tmp_path)
    intake = json.loads((tmp_path / paths.INTAKE_FILE).read_text())
    for f in intake["files"]:
        assert f["accepted"] + f["rejected"] + f["out_of_scope"] == f["records_read"], f["path"]
    assert intake["totals"]["records_read"] == sum(f["records_read"] for f in intake["files"])
    obs = pd.read_parquet(tmp_path / paths.OBSERVATIONS_FILE)
    assert set(obs["country"]) <= set(iso3_codes())
    assert len(obs) == result.totals["accepted"]


def test_store_values_equal_raw_file(real_dir, tmp_path):
    build([real_dir / "wdi" / "api_indicator"], tmp_path)
    obs = pd.read_parquet(tmp_path / paths.OBSERVATIONS_FILE)
    mmr = obs[(obs["indicator"] == "b_mmr") & (obs["country"] == "LAO")]
    raw = (real_dir / "wdi/api_indicator/API_SH.STA.MMRT_DS2_en_csv_v2_5872348.csv").read_text(
        encoding="utf-8-sig"
    )
    lines = raw.splitlines()
    header = next(line for line in lines if line.startswith('"Country Name"')).split('","')
    lao_idx, lao = next((i, line) for i, line in enumerate(lines, 1) if '"LAO"' in line)
    cells = lao.split('","')
    expected = {int(h.strip('",')): float(c.strip('",')) for h, c in zip(header[4:], cells[4:])
                if c.strip('",')}  # fmt: skip
    got = dict(zip(mmr["year"], mmr["value"]))
    assert got == expected
    assert set(mmr["locator"].str.extract(r"line (\d+)")[0].astype(int)) == {lao_idx}


def test_aggregates_are_out_of_scope_not_countries(real_dir, tmp_path):
    result = build([real_dir / "wdi" / "api_indicator"], tmp_path)
    reasons = {}
    for f in result.files:
        for k, v in f.out_of_scope_reasons.items():
            reasons[k] = reasons.get(k, 0) + v
    assert reasons["regional aggregate or income group"] > 0
    assert "EAS" not in set(result.observations["country"])


def test_unreadable_file_never_stops_the_others(real_dir, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    src = real_dir / "wdi/api_indicator/API_SH.STA.MMRT_DS2_en_csv_v2_5872348.csv"
    (raw / "good.csv").write_bytes(src.read_bytes())
    # A WDI header followed by a truncated data line: the reader must refuse it with a reason.
    lines = src.read_bytes().split(b"\n")
    (raw / "bad.csv").write_bytes(b"\n".join(lines[:5] + [b'"Viet Nam","VNM"']))
    (raw / "export.dat").write_text("hello", encoding="utf-8")
    (raw / "README.md").write_text("# notes", encoding="utf-8")
    (raw / ".complete").write_text("", encoding="utf-8")
    result = build([raw], tmp_path / "out")
    by_path = {f.path: f for f in result.files}
    assert by_path["good.csv"].accepted > 0
    assert "bad.csv, line 6" in by_path["bad.csv"].error
    assert by_path["export.dat"].error.startswith("not recognised")
    assert by_path["README.md"].format == "documentation" and not by_path["README.md"].error
    assert ".complete" not in by_path  # hidden bookkeeping files are not inputs


def test_demo_build_selects_one_value_per_key_with_national_first(demo_store):
    obs = pd.read_parquet(demo_store / paths.OBSERVATIONS_FILE)
    sel = obs[obs["selected"]]
    assert not sel.duplicated(KEY).any()
    both = obs[obs["country"].eq("VNM")].groupby(KEY)["source"].nunique()
    key = both[both > 1].index[0]
    chosen = sel.set_index(KEY).loc[key, "source"]
    assert chosen.startswith("DEMO national submission VNM")
    rejects = pd.read_csv(demo_store / paths.REJECTS_FILE)
    assert rejects["reason"].tolist() == ["not a number: about 5"]
    assert rejects["locator"].tolist() == ["Data!E7"]
