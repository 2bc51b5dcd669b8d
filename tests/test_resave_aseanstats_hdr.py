"""Re-saved ASEANstats and HDR files read like the downloads (issue 11, item 2).

Each variant is written in ``tmp_path`` from the rows of the real file in
``../shared/data/real`` (read with the csv module), the way people re-save them; its records
must equal those of the unchanged rows, and values equal the raw cells.
"""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from mtr_analysis.intake.sources import aseanstats, detect_format, hdr, text

ASEAN = "other/aseanstats/dulich-Data.csv"
HDR = "other/undp_hdr/HDR23-24_Composite_indices_complete_time_series.csv"
KEY = ["country", "country_name", "series", "year", "raw"]


def _rows(path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


def _write(path, rows: list[list[str]], encoding: str = "utf-8", **kw) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator=kw.pop("lineterminator", "\r\n"), **kw).writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


def _records(reader, path) -> pd.DataFrame:
    assert detect_format(path)[0] == reader.FORMAT, path.name
    got = reader.read(path, path.parent)
    if "issue" in got:  # no cell rejected by the reader (index numbers, stray cells)
        assert not got["issue"].fillna("").astype(str).ne("").any(), path.name
    return got[KEY].astype(str).sort_values(KEY).reset_index(drop=True)


def _twice_quoted(cells: list[str]) -> list[str]:
    """Header cells as a second quoting pass leaves them (tripled quotes in the file)."""
    return [f'"{c}"' for c in cells]


@pytest.fixture
def asean(real_dir):
    return _rows(real_dir / ASEAN)


def test_aseanstats_resaved_variants_read_like_the_download(real_dir, asean, tmp_path):
    base = _records(aseanstats, real_dir / ASEAN)
    preamble, header, body = asean[0], asean[1], asean[2:]
    variants = {
        "no_preamble.csv": [header, *body],
        "padded.csv": [["", "", "Year", *[""] * 12], header, *body],  # commas added
        "twice_quoted.csv": [preamble, _twice_quoted(header), *body],
        "index_col.csv": [["", *header]] + [[str(i), *r] for i, r in enumerate(body)],
        "unnamed0.csv": [["Unnamed: 0", *header]] + [[str(i), *r] for i, r in enumerate(body)],
    }
    for name, rows in variants.items():
        _write(tmp_path / name, rows)
        pd.testing.assert_frame_equal(_records(aseanstats, tmp_path / name), base, obj=name)
    # pandas' own re-save (read past the preamble, written with its index), Windows-1252.
    df = pd.read_csv(real_dir / ASEAN, skiprows=1, dtype=str, keep_default_na=False)
    df.to_csv(tmp_path / "pandas.csv", encoding="cp1252")
    pd.testing.assert_frame_equal(_records(aseanstats, tmp_path / "pandas.csv"), base)


def test_aseanstats_numbers_and_renamed_countries(real_dir, asean, tmp_path):
    base = _records(aseanstats, real_dir / ASEAN)
    # Excel drops the space separator ("20 844" → "20844") and a user writes "Vietnam".
    rows = [[c.replace(" ", "") if c.replace(" ", "").isdigit() else c for c in r]
            for r in asean]  # fmt: skip
    rows = [[c.replace("Viet Nam [VN]", "Vietnam [VN]") for c in r] for r in rows]
    _write(tmp_path / "excel.csv", rows)
    got = _records(aseanstats, tmp_path / "excel.csv")
    want = base.assign(raw=base["raw"].str.replace(" ", ""))
    for col in ("country_name", "series"):
        want[col] = want[col].str.replace("Viet Nam [VN]", "Vietnam [VN]", regex=False)
    pd.testing.assert_frame_equal(got, want.sort_values(KEY).reset_index(drop=True))
    # The raw file: Brunei's arrivals from Indonesia in 2016 are "20 844" (line 4).
    assert asean[3][:3] == ["", "Indonesia [ID]", "20 844"]
    one = got[(got["country_name"] == "Brunei Darussalam") & (got["year"] == "2016")
              & (got["series"] == "Origin Country: Indonesia [ID]")]  # fmt: skip
    assert list(one["raw"]) == ["20844"]


def test_aseanstats_unreadable_resave_names_the_reason(asean, tmp_path):
    _write(tmp_path / "pipes.csv", asean, delimiter="|")
    assert detect_format(tmp_path / "pipes.csv")[0] is None
    assert text.diagnose(tmp_path / "pipes.csv").startswith("separator:")


@pytest.fixture
def hdr_rows(real_dir):
    """Header and the member-state rows of the real HDR file (Windows-1252 or UTF-8)."""
    rows = list(csv.reader(io.StringIO(text.decode((real_dir / HDR).read_bytes()), newline="")))
    ams = {"BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM", "TUR"}
    return rows[0], [r for r in rows[1:] if r and r[0] in ams]


def test_hdr_resaved_variants_read_like_the_download(hdr_rows, tmp_path):
    header, body = hdr_rows
    _write(tmp_path / "HDR23-24_base.csv", [header, *body], lineterminator="\n")
    base = _records(hdr, tmp_path / "HDR23-24_base.csv")
    renamed = [[{"Viet Nam": "Vietnam", "Türkiye": "Turkey"}.get(c, c) for c in r] for r in body]
    variants = {
        "index_col.csv": [["", *header]] + [[str(i), *r] for i, r in enumerate(body)],
        "unnamed0.csv": [["Unnamed: 0", *header]] + [[str(i), *r] for i, r in enumerate(body)],
        "twice_quoted.csv": [_twice_quoted(header), *body],
        "trailing.csv": [[*header, "", ""]] + [[*r, "", ""] for r in body],
    }
    for name, rows in variants.items():
        _write(tmp_path / f"HDR23-24_{name}", rows, encoding="cp1252")
        got = _records(hdr, tmp_path / f"HDR23-24_{name}")
        pd.testing.assert_frame_equal(got, base, obj=name)
    _write(tmp_path / "HDR23-24_renamed.csv", [header, *renamed])
    got = _records(hdr, tmp_path / "HDR23-24_renamed.csv")
    assert got.drop(columns="country_name").equals(base.drop(columns="country_name"))
    assert set(got.loc[got["country"] == "VNM", "country_name"]) == {"Vietnam"}
    # A value equals the raw cell: Viet Nam's HDI 2022.
    vnm = next(r for r in body if r[0] == "VNM")
    cell = vnm[header.index("hdi_2022")]
    assert float(cell) == pytest.approx(0.726)
    one = got[(got["country"] == "VNM") & (got["series"] == "hdi") & (got["year"] == "2022")]
    assert list(one["raw"]) == [cell]
    # No index number becomes a value or a rejected cell.
    idx = hdr.read(tmp_path / "HDR23-24_index_col.csv", tmp_path)
    assert len(idx) == len(hdr.read(tmp_path / "HDR23-24_base.csv", tmp_path))
