"""Files as people save them: streamed bulk reads, re-saved CSVs, odd dates and names.

Each fixture is small and synthetic, derived from the header of a real download in
``../shared/data/real``; expectations come from an independent parse of the bytes written.
"""

from __future__ import annotations

import csv
import io

from mtr_analysis.intake.sources import text, wdi
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
    for (name, code, _n, series, *vals), line in zip(rows[start + 1 :], lines[1:], strict=True):
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
