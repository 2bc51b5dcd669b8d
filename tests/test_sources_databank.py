"""World Bank DataBank exports checked against the raw files parsed with the csv module."""

import csv
import io
import re

import pytest

from mtr_analysis.intake.sources import SourceError, databank, detect_format

DB = "wdi/databank_asean_2026/"


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def _data_block(path):
    """Header and data rows (with 1-based line numbers) up to the first blank row."""
    lines = _decode(path.read_bytes()).split("\n")
    header = next(csv.reader([lines[0]]))
    rows = []
    for n, line in enumerate(lines[1:], start=2):
        cells = next(csv.reader([line]), [])
        if not any(c.strip() for c in cells):
            break
        rows.append((n, cells))
    return header, rows, lines


def _year(h):
    m = re.fullmatch(r"(\d{4}) \[YR\d{4}\]", h)
    return int(m.group(1)) if m else None


def _keyed(records):
    return {(r.country, r.series, r.year): r.raw for r in records.itertuples()}


def test_detected_from_content_not_name(real_dir, tmp_path):
    renamed = tmp_path / "export.dat"
    renamed.write_bytes((real_dir / DB / "yte-Data.csv").read_bytes())
    assert detect_format(renamed) == ("databank_csv", "")
    looks_alike = tmp_path / "yte-Data.csv"
    looks_alike.write_text(
        "Country Name,Country Code,Series Name,Series Code,Notes\nViet Nam,VNM,x,SP.X,a\n",
        encoding="utf-8",
    )
    assert detect_format(looks_alike)[0] is None
    # The WDI per-indicator CSV is not a DataBank export (Indicator, not Series columns).
    wdi_csv = next((real_dir / "wdi/api_indicator").glob("API_SH.STA.MMRT_*.csv"))
    assert not databank.sniff(wdi_csv)


def test_values_and_locators_equal_the_raw_rows(real_dir):
    path = real_dir / DB / "yte-Data.csv"
    records = databank.read(path, real_dir)
    header, rows, _ = _data_block(path)
    assert header[:4] == ["Country Name", "Country Code", "Series Name", "Series Code"]
    line, vnm = next((n, r) for n, r in rows if r[1] == "VNM" and r[3] == "SP.DYN.LE00.IN")
    got = records[(records["country"] == "VNM") & (records["series"] == "SP.DYN.LE00.IN")]
    got = got.set_index("year")
    expected = {_year(h): c for h, c in zip(header, vnm) if _year(h) and c}
    assert len(expected) == 11 and ".." in expected.values()  # 2025 is missing: a record
    assert got["raw"].to_dict() == expected
    assert set(got["locator"]) == {f"line {line}, column {y}" for y in expected}
    assert set(got["country_name"]) == {"Viet Nam"}
    assert str(path.relative_to(real_dir)) == got["file"].iloc[0]
    non_empty = sum(1 for _, r in rows for h, c in zip(header, r) if _year(h) and c.strip())
    assert len(records) == non_empty


def test_footer_gives_the_vintage_and_no_records(real_dir):
    path = real_dir / DB / "yte-Data.csv"
    records = databank.read(path, real_dir)
    _, rows, lines = _data_block(path)
    updated = next(line for line in lines if line.startswith("Last Updated:"))
    month, day, year = re.search(r"(\d\d)/(\d\d)/(\d{4})", updated).groups()
    assert set(records["source"]) == {
        f"World Bank World Development Indicators, updated {year}-{month}-{day} (DataBank export)"
    }
    last_data_line = rows[-1][0]
    lines_used = records["locator"].str.extract(r"line (\d+)")[0].astype(int)
    assert lines_used.max() == last_data_line
    assert not records["country"].str.contains("Data from database|Last Updated").any()


@pytest.mark.parametrize("topic", ["yte", "giaoduc", "moitruong", "congnghe"])
def test_metadata_csv_holds_the_same_data_and_its_table_gives_no_records(real_dir, topic):
    meta_path = real_dir / DB / f"{topic}-Metadata.csv"
    data = databank.read(real_dir / DB / f"{topic}-Data.csv", real_dir)
    meta = databank.read(meta_path, real_dir)
    _, rows, lines = _data_block(meta_path)
    table_at = next(i for i, line in enumerate(lines, 1) if line.startswith("Code,License Type"))
    used = meta["locator"].str.extract(r"line (\d+)")[0].astype(int)
    assert used.max() == rows[-1][0] < table_at
    assert len(meta) == len(data)
    meta_values, data_values = _keyed(meta), _keyed(data)
    assert meta_values.keys() == data_values.keys()
    if topic == "congnghe":
        # Same download, but the -Data file has the ICT series rounded to 10 significant
        # digits (re-saved): the texts differ, the numbers agree to rounding.
        differ = {k for k, v in meta_values.items() if data_values[k] != v}
        assert {k[1] for k in differ} == {
            "IT.NET.SECR.P6", "IT.CEL.SETS.P2", "IT.NET.BBND.P2", "IT.NET.USER.ZS"
        }  # fmt: skip
        for k in differ:
            assert float(meta_values[k]) == pytest.approx(float(data_values[k]), rel=1e-6)
    else:
        assert meta_values == data_values


def test_windows_1252_metadata_file(real_dir):
    raw = (real_dir / DB / "giaoduc-Metadata.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    records = databank.read(real_dir / DB / "giaoduc-Metadata.csv", real_dir)
    assert "Lao PDR" in set(records["country_name"])
    assert set(records["source"]) == {
        "World Bank World Development Indicators, updated 2026-07-13 (DataBank export)"
    }


def test_series_first_column_order(real_dir, tmp_path):
    src = real_dir / DB / "vieclam-Data.csv"
    text = _decode(src.read_bytes())
    rows = list(csv.reader(io.StringIO(text)))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for r in rows:
        # Series Name, Series Code, Country Name, Country Code, years…; footers stay as is.
        w.writerow([r[2], r[3], r[0], r[1], *r[4:]] if len(r) > 4 and any(r[1:4]) else r)
    reordered = tmp_path / "series_first.csv"
    reordered.write_text(buf.getvalue(), encoding="utf-8")
    assert next(csv.reader([buf.getvalue().split("\n")[0]]))[:2] == ["Series Name", "Series Code"]
    assert detect_format(reordered)[0] == "databank_csv"
    got = databank.read(reordered, tmp_path)
    original = databank.read(src, real_dir)
    assert _keyed(got) == _keyed(original)
    assert (got["locator"].to_numpy() == original["locator"].to_numpy()).all()
    assert set(got["source"]) == set(original["source"])


def test_truncated_row_is_explained(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "Country Name,Country Code,Series Name,Series Code,2015 [YR2015]\n"
        "Viet Nam,VNM,x,SP.X,1\nLao PDR,LAO\n",
        encoding="utf-8",
    )
    with pytest.raises(SourceError, match=r"bad.csv, line 3: 2 cells"):
        databank.read(bad)
