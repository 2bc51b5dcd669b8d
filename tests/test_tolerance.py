"""Files as people save them: streamed bulk reads, re-saved CSVs, odd dates and names.

Each fixture is small and synthetic, derived from the header of a real download in
``../shared/data/real``; expectations come from an independent parse of the bytes written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from mtr_analysis.intake.sources import databank, detect_format, text, wdi
from mtr_analysis.intake.sources.text import TALLY

WDI_HEADER = '"Country Name","Country Code","Indicator Name","Indicator Code","2015","2016","2017",'


def _wdi_bytes() -> bytes:
    """A WDI download (BOM, preamble, CRLF, trailing commas) with multi-byte names and a
    quoted cell holding a line break, so chunk boundaries fall inside characters and rows."""
    lines = [
        '"Data Source","World Development Indicators",', "",
        '"Last Updated Date","2026-07-13",', "",
        WDI_HEADER,
        '"Côte d\'Ivoire","CIV","Life expectancy","SP.DYN.LE00.IN","58.1","","58.9",',
        '"Viet Nam","VNM","Life expectancy\r\n(years)","SP.DYN.LE00.IN","73.4","73.5","",',
        '"Türkiye","TUR","Life expectancy","SP.DYN.LE00.IN","","77.1","77.4",',
        '"East Asia & Pacific","EAS","Life expectancy","SP.DYN.LE00.IN","75","75.2","75.3",',
        '"Timor-Leste","TLS","Life expectancy","SP.DYN.LE00.IN","68.5","","",',
        '"Curaçao","CUW","Life expectancy","SP.DYN.LE00.IN","","","78",',
        '"Thailand","THA","Maternal mortality ratio","SH.STA.MMRT","29","","27",',
    ]  # fmt: skip
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def _plain(data: bytes) -> tuple[set[tuple], dict[str, int]]:
    """Independent parse of the whole text: member records and other economies' cells."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    start = next(i for i, r in enumerate(rows) if r[:1] == ["Country Name"])
    header = rows[start]
    # Line of each row: the header is line 5; the Viet Nam row spans lines 7-8.
    lines = [5 + k for k in range(len(rows) - start)]
    for k in range(len(lines)):
        if k > 2:
            lines[k] += 1
    members, others = set(), {}
    for (_name, code, _n, series, *vals), line in zip(rows[start + 1 :], lines[1:], strict=True):
        cells = [(int(h), v) for h, v in zip(header[4:], vals, strict=False) if h and v]
        if code in {"VNM", "THA", "TLS"}:
            members |= {(code, series, y, v, f"line {line}, column {y}") for y, v in cells}
        else:
            others[code] = len(cells)
    return members, others


def test_streamed_read_equals_plain_read_across_chunk_boundaries(tmp_path, monkeypatch):
    data = _wdi_bytes()
    path = tmp_path / "WDICSV.csv"
    path.write_bytes(data)
    whole = wdi.read(path)
    # Tiny chunks: the encoding scan and the reader's buffer split "ô", "ü", "ç", the CRLF
    # and the quoted line break; every row must come out the same.
    monkeypatch.setattr(text, "_SCAN_BYTES", 3)
    monkeypatch.setattr(text, "_READ_BYTES", 7)
    small = wdi.read(path)
    expected, others = _plain(data)
    for rec in (whole, small):
        got = set(rec[["country", "series", "year", "raw", "locator"]].itertuples(index=False))
        assert got == expected
        tally = rec.attrs[TALLY].set_index("country")["cells"].to_dict()
        assert tally == others == {"CIV": 2, "TUR": 2, "EAS": 3, "CUW": 1}
        assert set(rec.attrs[TALLY]["country_name"]) == {
            "Côte d'Ivoire", "Türkiye", "East Asia & Pacific", "Curaçao"}  # fmt: skip
    assert list(text.iter_csv_rows(path)) == list(text.csv_rows(text.decode(data)))


# ------------------------------------------------------------------- re-saved downloads
SMSS = "wdi/api_indicator/API_SH.STA.SMSS.ZS_DS2_en_csv_v2_33860.csv"
YTE = "wdi/databank_asean_2026/yte-Data.csv"


def _values(records):
    """(country, series, year, raw) of the records: what must survive a re-save."""
    return set(records[["country", "series", "year", "raw"]].itertuples(index=False))


def _wdi_table(real_dir):
    """Header and rows of the real WDI download, parsed independently with the csv module."""
    text = (real_dir / SMSS).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    start = next(i for i, r in enumerate(rows) if r[:1] == ["Country Name"])
    return rows[:start], rows[start], [r for r in rows[start + 1 :] if r]


def _expected_wdi(header, body):
    return {(r[1], r[3], int(h), v) for r in body if r[1] in {"VNM", "THA", "PHL", "MYS", "LAO",
            "KHM", "SGP", "MMR", "IDN", "BRN", "TLS"} for h, v in zip(header, r) if h.isdigit() and v}  # fmt: skip


def _write_csv(path, rows, quoting=csv.QUOTE_MINIMAL):
    buf = io.StringIO()
    csv.writer(buf, quoting=quoting, lineterminator="\r\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def test_wdi_resaved_without_preamble_padded_and_quoted_twice(real_dir, tmp_path):
    preamble, header, body = _wdi_table(real_dir)
    expected = _expected_wdi(header, body)
    width = len(header)
    variants = {
        # Preamble deleted by hand: the header is line 1.
        "no_preamble.csv": [header, *body],
        # Excel re-save: every row padded with commas to the widest row, quotes dropped.
        "padded.csv": [r + [""] * (width - len(r)) for r in [*preamble, header, *body]],
        # Every cell wrapped in literal quotes (a CSV quoted a second time).
        "quoted_twice.csv": [[f'"{c}"' for c in r] for r in [*preamble, header, *body]],
    }
    for name, rows in variants.items():
        path = tmp_path / name
        _write_csv(path, rows)
        assert detect_format(path) == ("wdi_csv", ""), name
        got = wdi.read(path, tmp_path)
        assert _values(got) == expected, name
    assert "updated 2026-07-13" in set(wdi.read(tmp_path / "padded.csv")["source"]).pop()


def test_wdi_last_updated_as_us_date_or_excel_serial(real_dir, tmp_path):
    preamble, header, body = _wdi_table(real_dir)
    serial = (dt.date(2026, 7, 13) - dt.date(1899, 12, 30)).days  # Excel's day count: 46216
    for written in ("7/13/2026", "07/13/2026", str(serial), f"{serial}.0", "2026-07-13 00:00:00"):
        rows = [["Data Source", "World Development Indicators"], ["Last Updated Date", written],
                header, *[r for r in body if r[1] in ("VNM", "THA")]]  # fmt: skip
        path = tmp_path / "dated.csv"
        _write_csv(path, rows)
        sources = set(wdi.read(path)["source"])
        assert sources == {"World Bank World Development Indicators, updated 2026-07-13"}
    assert text.iso_date("1/7/2025") == "2025-01-07"  # month first, as the World Bank writes
    assert text.iso_date("not a date") == "not a date"


def _databank_rows(real_dir):
    raw = (real_dir / YTE).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw)))
    end = next(i for i, r in enumerate(rows) if i and not any(c.strip() for c in r))
    return rows[0], rows[1:end], rows[end:]


def test_databank_split_by_a_user_with_an_index_column(real_dir, tmp_path):
    header, body, footer = _databank_rows(real_dir)
    part = body[10:25]  # a user's slice, written back with pandas' index column
    path = tmp_path / "yte_part.csv"
    _write_csv(path, [["", *header], *[[str(i), *r] for i, r in enumerate(part, 10)]])
    assert detect_format(path) == ("databank_csv", "")
    got = databank.read(path, tmp_path)
    years = {j: int(h[:4]) for j, h in enumerate(header) if h[:4].isdigit()}
    assert _values(got) == {(r[1], r[3], years[j], v) for r in part for j, v in enumerate(r)
                            if j in years and v.strip()}  # fmt: skip
    # The row numbers are labels, not values: nothing is rejected or set aside for them.
    assert got["issue"].eq("").all() and got["skip"].eq("").all()
    # Footer dated as an Excel serial: the same vintage as the original's 07/13/2026.
    serial = (dt.date(2026, 7, 13) - dt.date(1899, 12, 30)).days
    dated = tmp_path / "yte_serial.csv"
    _write_csv(dated, [header, *body, *footer[:3],
                       ["Data from database: World Development Indicators"],
                       [f"Last Updated: {serial}"]])  # fmt: skip
    assert set(databank.read(dated)["source"]) == set(databank.read(real_dir / YTE)["source"])


def test_databank_header_quoted_twice(real_dir, tmp_path):
    header, body, _footer = _databank_rows(real_dir)
    path = tmp_path / "quoted.csv"
    _write_csv(path, [[f'"{c}"' for c in r] for r in [header, *body]])
    assert detect_format(path) == ("databank_csv", "")
    assert _values(databank.read(path)) == _values(databank.read(real_dir / YTE))


# ------------------------------------------------------------------- companion files
def test_databank_metadata_files_are_documentation(real_dir, tmp_path):
    folder = real_dir / "wdi/databank_asean_2026"
    for meta in sorted(folder.glob("*-Metadata.csv")):
        assert detect_format(meta) == ("databank_metadata", ""), meta.name
    # Alone (its data twin absent) the same file is read as data: no value is lost.
    alone = tmp_path / "yte-Metadata.csv"
    alone.write_bytes((folder / "yte-Metadata.csv").read_bytes())
    assert detect_format(alone) == ("databank_csv", "")
    # The metadata table on its own, and a "Definition and Source" table.
    lines = (folder / "yte-Metadata.csv").read_bytes().decode("utf-8-sig").splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.startswith("Code,License Type"))
    table = tmp_path / "yte_metadata_only.csv"
    table.write_text("\n".join(lines[at:]) + "\n", encoding="utf-8")
    assert detect_format(table) == ("databank_metadata", "")
    definitions = tmp_path / "Definition and Source.csv"
    _write_csv(definitions, [["Code", "Indicator Name", "Long definition", "Source"],
                             ["SP.DYN.LE00.IN", "Life expectancy", "Years a newborn…", "UN WPP"]])  # fmt: skip
    assert detect_format(definitions) == ("databank_metadata", "")


def test_definition_and_source_workbook_is_documentation(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Definition and Source"
    book.active.append(["Code", "Indicator Name", "Long definition", "Source"])
    book.save(tmp_path / "export.xlsx")
    assert detect_format(tmp_path / "export.xlsx") == ("databank_metadata", "")
    book.create_sheet("Data").append(["Country Name", "x"])
    book.save(tmp_path / "mixed.xlsx")
    assert detect_format(tmp_path / "mixed.xlsx")[0] != "databank_metadata"


# ------------------------------------------------------------------- specific reasons
def test_unreadable_files_say_why(tmp_path):
    cases = {
        "pipes.csv": (
            "Country Name|Country Code|Indicator Name|Indicator Code|2015\nViet Nam|VNM|x|SP.X|1\n",
            "separator: ",
        ),  # fmt: skip
        "no_years.csv": (
            "Country Name,Country Code,Series Name,Series Code,Notes\nViet Nam,VNM,x,SP.X,a\n",
            "layout: line 1 has known columns",
        ),  # fmt: skip
        "other.csv": ("a,b\n1,2\n", "layout: line 1 (2 columns: 'a', 'b')"),
        "empty.csv": ("\n\n", "empty file"),
    }
    for name, (content, reason) in cases.items():
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        fmt, why = detect_format(path)
        assert fmt is None and why.startswith(reason), (name, why)
    binary = tmp_path / "blob.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    assert detect_format(binary)[1].startswith("encoding: ")


def test_national_workbook_year_headers_turned_into_dates(tmp_path):
    import pandas as pd
    from openpyxl import load_workbook

    from mtr_analysis.intake.sources import national

    values = pd.DataFrame({"indicator": ["b_mmr", "b_mmr"], "year": [2015, 2016],
                           "value": [46.0, 45.1], "source": ["GSO", "GSO"], "note": ["", ""]})  # fmt: skip
    path = national.write_template("Vietnam", tmp_path / "vn.xlsx", values=values)
    book = load_workbook(path)
    sheet = book[national.SHEET]
    header = {
        str(sheet.cell(national.HEADER_ROW, j).value): j for j in range(1, sheet.max_column + 1)
    }
    # Excel shows the number 2015 in a date-formatted cell as 1905-07-07 (day 2015 after
    # 1899-12-30); a user typed 2016 as "1/1/2016".
    sheet.cell(national.HEADER_ROW, header["2015"]).value = dt.datetime(1905, 7, 7)
    sheet.cell(national.HEADER_ROW, header["2016"]).value = "1/1/2016"
    book.save(path)
    rec = national.read(path, tmp_path)
    assert sorted(zip(rec["year"], rec["raw"].astype(float))) == [(2015, 46.0), (2016, 45.1)]


def test_wdi_bulk_companions_are_documentation(tmp_path):
    # First lines of the tables shipped with WDICSV.csv in WDI_CSV.zip.
    heads = {
        "WDICountry.csv": '"Country Code","Short Name","Table Name","Long Name","2-alpha code",'
        '"Currency Unit","Special Notes","Region","Income Group",\n"VNM","Viet Nam","Viet Nam",'
        '"Socialist Republic of Vietnam","VN","Vietnamese dong","","East Asia & Pacific",'
        '"Lower middle income",\n',
        "WDISeries.csv": '"Series Code","Topic","Indicator Name","Short definition",'
        '"Long definition",\n"SP.DYN.LE00.IN","Health","Life expectancy","","Years",\n',
        "WDIcountry-series.csv": '"CountryCode","SeriesCode","DESCRIPTION",\n"VNM","SP.POP.TOTL",'
        '"Data sources: UN WPP",\n',
        "WDIseries-time.csv": '"SeriesCode","Year","DESCRIPTION",\n"SP.POP.TOTL","YR2020","x",\n',
        "WDIfootnote.csv": '"CountryCode","SeriesCode","Year","DESCRIPTION",\n"VNM","SP.POP.TOTL",'
        '"YR2020","Estimate",\n',
    }
    for name, content in heads.items():
        path = tmp_path / name
        path.write_text("\ufeff" + content, encoding="utf-8")
        assert detect_format(path) == ("wdi_metadata", ""), name
