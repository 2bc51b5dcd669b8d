"""Shared text and CSV helpers for the readers: decoding, first bytes, CSV rows, locators.

Readers import these helpers from here and never from one another, so each reader can be
read, changed or removed on its own (the import contract allows a reader to import this
module and :mod:`mtr_analysis.intake.sources` only).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

#: First bytes of an OLE2 compound file (BIFF ``.xls`` workbooks).
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: How many bytes the sniffers read from the start of a text file.
HEAD_BYTES = 20000
#: Why a formula cell without a value is rejected (openpyxl reads the value Excel cached
#: when it last saved; a workbook written by a script has none).
FORMULA_NO_CACHE = "formula without a cached value (open and save in Excel)"


def utf16_codec(data: bytes) -> str | None:
    """``"utf-16"`` (with BOM), ``"utf-16-le"``/``"utf-16-be"`` (without), else ``None``.

    Without a BOM, UTF-16 text of mostly ASCII has a zero byte in every other position:
    Excel's "Unicode text" and some Windows tools write it that way.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def encoding_of(data: bytes) -> str:
    """The encoding :func:`decode` uses for ``data`` (for the intake report's notes)."""
    if codec := utf16_codec(data):
        return codec
    try:
        data.decode("utf-8-sig")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def decode(data: bytes) -> str:
    """Decode bytes: UTF-16 (BOM or zero-byte pattern), else UTF-8 (with or without BOM),
    falling back to Windows-1252.

    Bytes that Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) fall back to
    Latin-1, so decoding never fails.
    """
    codec = encoding_of(data)
    if codec.startswith("utf-16"):
        # A truncated last byte must not lose the file: replace it.
        return data.decode(codec, errors="replace").lstrip("\ufeff")
    return data.decode("utf-8-sig" if codec == "utf-8" else codec)


def file_kind(path: Path) -> str:
    """``"zip"`` (xlsx), ``"ole"`` (xls), ``"pdf"``, ``"binary"`` or ``"text"``, from the first bytes."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(XLS_MAGIC):
        return "ole"
    if head.startswith(b"%PDF"):
        return "pdf"
    if b"\x00" in head and utf16_codec(head) is None:
        return "binary"
    return "text"


def head_text(path: Path, size: int = HEAD_BYTES) -> str:
    """The first ``size`` bytes of a text file, decoded with :func:`decode`."""
    with open(path, "rb") as fh:
        data = fh.read(size)
    return decode(data)


def separator(text: str) -> str:
    """``";"`` when the first non-empty line has more semicolons than commas outside
    quotes (a CSV saved by a European-locale Excel), ``"\t"`` for tab-separated text,
    else ``","``."""
    line = next((ln for ln in text.splitlines() if ln.strip()), "")
    bare = re.sub(r'"[^"]*"', "", line)
    counts = {sep: bare.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] > counts[","] else ","


#: A number written with a decimal comma: ``73,955`` or ``1.234,5`` (only read as such in
#: ``;``-separated files, where the comma cannot be a thousands separator of the export).
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?(?:\d{1,3}(?:\.\d{3})+|\d+),\d+\s*$")


def _decimal_point(cell: str) -> str:
    if _DECIMAL_COMMA.match(cell):
        return cell.replace(".", "").replace(",", ".")
    return cell


def csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """CSV rows with the 1-based line on which each row starts.

    Line numbers stay right when quoted cells contain line breaks. CR-only line endings
    (old Mac Excel) are read as line breaks; the separator is detected
    (:func:`separator`), and in a ``;``-separated file a decimal comma becomes a point.
    """
    sep = separator(text)
    # newline=None: "\r", "\r\n" and "\n" all end a line.
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=sep)
    previous = 0
    for cells in reader:
        yield previous + 1, [_decimal_point(c) for c in cells] if sep == ";" else cells
        previous = reader.line_num


#: How many bytes :func:`stream_encoding` decodes at a time while checking a whole file.
_SCAN_BYTES = 1 << 22
#: Read-buffer size of :func:`iter_csv_rows` (bytes read from disk at a time).
_READ_BYTES = 1 << 20
#: Name of the ``DataFrame.attrs`` entry in which a streaming reader tallies out-of-scope
#: cells instead of making one record each (see :func:`tally_frame`).
TALLY = "out_of_scope_tally"


def _decodes_as(path: Path, codec: str) -> bool:
    """True when the whole file decodes with ``codec`` (checked in chunks, never all at once)."""
    decoder = codecs.getincrementaldecoder(codec)()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(_SCAN_BYTES):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def stream_encoding(path: Path) -> str:
    """The codec with which :func:`decode` would read the whole file, found without loading
    it: UTF-16 from the first bytes, else UTF-8 (BOM stripped) if every byte decodes, else
    Windows-1252, else Latin-1 (same order as :func:`encoding_of`)."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if codec := utf16_codec(head):
        return codec
    if _decodes_as(path, "utf-8"):
        return "utf-8-sig"
    return "cp1252" if _decodes_as(path, "cp1252") else "latin-1"


def iter_csv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """:func:`csv_rows` of a whole text file, streamed: the same rows and line numbers
    without holding the file's text in memory (for bulk downloads of hundreds of MB)."""
    codec = stream_encoding(path)
    sep = separator(head_text(path))
    errors = "replace" if codec.startswith("utf-16") else "strict"
    # newline=None: "\r", "\r\n" and "\n" all end a line, as in csv_rows.
    with open(path, encoding=codec, errors=errors, newline=None, buffering=_READ_BYTES) as fh:
        first = fh.read(1)
        if first != "\ufeff":  # a BOM that the codec did not strip (UTF-16 without BOM)
            fh.seek(0)
        reader = csv.reader(fh, delimiter=sep)
        previous = 0
        for cells in reader:
            yield previous + 1, [_decimal_point(c) for c in cells] if sep == ";" else cells
            previous = reader.line_num


def tally_frame(counts: dict[tuple[str, str, str], int]) -> pd.DataFrame:
    """Out-of-scope cells counted by a reader instead of one record each.

    ``counts`` maps ``(country, country_name, skip)`` to a number of non-empty cells;
    ``skip`` is the reader's own reason (a column that is not a year) or ``""`` (the build
    decides: aggregate or not a member state). Returned as ``country, country_name, skip,
    cells``; a reader stores it in ``records.attrs[TALLY]``.
    """
    rows = [(c, n, s, k) for (c, n, s), k in counts.items()]
    return pd.DataFrame(rows, columns=["country", "country_name", "skip", "cells"])


def first_csv_row(path: Path, size: int = HEAD_BYTES) -> list[str]:
    """Cells of the first CSV row of a text file; ``[]`` for binary or empty files."""
    if file_kind(path) != "text":
        return []
    lines = head_text(path, size).splitlines()
    return next(csv_rows(lines[0]), (1, []))[1] if lines else []


def first_line_cells(path: Path, n: int = 12) -> list[list[str]]:
    """Cells of each of the first ``n`` lines of a text file, each line parsed as CSV."""
    text = head_text(path)
    sep = separator(text)
    return [next(csv.reader([line], delimiter=sep), []) for line in text.splitlines()[:n]]


def text_notes(path: Path) -> list[str]:
    """What was unusual about a text file that was read anyway: encoding, separator, line
    endings (for the intake report). ``[]`` for binary files and plain UTF-8 CSV.

    Streamed (:func:`stream_encoding`): a bulk download is never loaded whole for its notes.
    """
    if file_kind(path) != "text":
        return []
    notes = []
    codec = stream_encoding(path)
    if codec.startswith("utf-16"):
        bom = "with BOM" if codec == "utf-16" else "without BOM"
        notes.append(f"encoding UTF-16 ({bom}) detected, read as UTF-16")
    elif codec != "utf-8-sig":
        notes.append(f"not UTF-8: read as {codec}")
    sep = separator(head_text(path))
    if sep == ";":
        notes.append("separator ';' detected (decimal commas read as points)")
    elif sep == "\t":
        notes.append("tab-separated")
    if _cr_only(path, codec):
        notes.append("CR-only line endings, read as line breaks")
    return notes


def _cr_only(path: Path, codec: str) -> bool:
    """True when the text has carriage returns and no line feed (old Mac Excel)."""
    if codec.startswith("utf-16"):  # a 0x0A byte may be half of another character
        text = decode(path.read_bytes())
        return "\r" in text and "\n" not in text
    has_cr = False
    with open(path, "rb") as fh:
        while chunk := fh.read(_SCAN_BYTES):
            if b"\n" in chunk:
                return False
            has_cr = has_cr or b"\r" in chunk
    return has_cr


def read_csv_rows(path: Path) -> list[list[str]]:
    """Every CSV row of a whole text file (decoded with :func:`decode`)."""
    return [cells for _, cells in csv_rows(decode(path.read_bytes()))]


def extra_columns(header: list[str], used: set[int]) -> dict[int, str]:
    """Column index → header text of every column of ``header`` not in ``used`` (the
    identifier and year columns a reader reads)."""
    return {j: h.strip() for j, h in enumerate(header) if j not in used}


def unread_cells(
    cells: list[str], line: int, header: list[str], extra: dict[int, str], base: dict
) -> list[dict]:
    """Records for the non-empty cells of a CSV data row that are not year values, each
    with the reason it is not read, so that no cell vanishes uncounted.

    Out of scope (``skip``) under a header that is not a year; rejected (``issue``) under
    an empty header or beyond the header (a ragged row). ``base`` holds the row's fields
    (country, series, source, file); ``extra`` comes from :func:`extra_columns`.
    """
    out = []
    for j, raw in enumerate(cells):
        if not raw.strip() or (j < len(header) and j not in extra):
            continue
        rec = {**base, "year": None, "raw": raw, "locator": f"line {line}, column {j + 1}"}
        if j >= len(header):
            rec["issue"] = (
                f"cell beyond the header (line {line} has {len(cells)} cells, "
                f"the header {len(header)})"
            )
        elif extra[j]:
            rec["skip"] = f"column {extra[j]!r} is not a year"
        else:
            rec["issue"] = f"value under an empty header (line {line}, column {j + 1})"
        out.append(rec)
    return out


def rel_path(path: Path, root: Path | None) -> str:
    """``path`` relative to ``root`` (as in ``file``), or its name when there is no root."""
    return str(path.relative_to(root)) if root else path.name


def excel_number_text(value: float) -> str:
    """Text of a numeric Excel cell: the integer text for whole numbers, else ``repr``."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


# --------------------------------------------------------------------------------------
# Tolerance: how people re-save downloads (issue 11, item 2)

#: Excel's day zero (1900 date system, with its 1900 leap-year bug folded in).
EXCEL_EPOCH = dt.date(1899, 12, 30)
#: Excel serial days that can be a download date (1982-01-01 … 2064-10-20).
_SERIAL_DATES = (30000, 60000)
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%d-%b-%Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y",
                 "%Y/%m/%d", "%d.%m.%Y")  # fmt: skip


def iso_date(value: object) -> str:
    """A date as written in a download or a re-saved copy, as ``YYYY-MM-DD``.

    Accepts ``2025-07-01`` (also with a time), US ``7/1/2025`` and ``07/01/2025`` (the
    World Bank writes month first), ``01-Jul-2025``, ``July 1, 2025``, ``01.07.2025``, a
    ``datetime``/``date``, and an Excel serial number (``45839`` or ``45839.0``, days since
    1899-12-30, as Excel writes a date cell re-saved to CSV as a number). Anything else is
    returned stripped and unchanged, so the source string still shows what was written.
    """
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    if (
        re.fullmatch(r"\d{5}(?:\.\d+)?", text)
        and _SERIAL_DATES[0] <= float(text) < _SERIAL_DATES[1]
    ):
        return (EXCEL_EPOCH + dt.timedelta(days=int(float(text)))).isoformat()
    head = re.sub(r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?: ?[AP]M)?$", "", text)
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(head, fmt).date().isoformat()
        except ValueError:
            continue
    return text


def unquote(cell: str) -> str:
    """A cell without the literal quotes a second quoting pass left around it.

    A CSV quoted twice (a header cell saved with tripled quotes, read by the csv module as
    ``"Country Name"`` with its quotes) gives cells wrapped in quotes with doubled inner
    quotes; this removes one level. Other cells are only stripped of spaces and a stray
    byte-order mark.
    """
    text = cell.strip().lstrip("\ufeff").strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].replace('""', '"').strip()
    return text


#: Header texts of the index column that ``pandas.DataFrame.to_csv`` (and R's
#: ``write.csv``) add in front of a table when a user splits or filters a download.
INDEX_HEADERS = frozenset({"", "unnamed: 0", "index", "x"})


def index_column(header: list[str], known: list[str]) -> int:
    """1 when ``header`` is ``known`` preceded by one unnamed index column, else 0.

    ``known`` are the first header cells the format expects (after :func:`unquote`).
    """
    cells = [unquote(c) for c in header]
    if cells[: len(known)] == known:
        return 0
    if cells[0].lower() in INDEX_HEADERS and cells[1 : len(known) + 1] == known:
        return 1
    return 0


#: Header words of the formats read here, to tell "a known layout, changed" from "unknown".
_KNOWN_HEADER_WORDS = frozenset({
    "country name", "country code", "indicator name", "indicator code", "series name",
    "series code", "seriescode", "geoareacode", "geoareaname", "timeperiod", "value",
    "country", "iso3", "indicator", "year",
})  # fmt: skip
_OTHER_SEPARATORS = ("|", "^", "~", ":")


def _diagnose_text(path: Path) -> str:
    """Why a text file matched no reader: encoding, separator or layout."""
    data = path.read_bytes()[:HEAD_BYTES]
    if not data.strip():
        return "empty file: no text to read"
    text = decode(data)
    if not encoding_of(data).startswith(("utf-8", "utf-16")):
        control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t")
        if control > 0.01 * len(text):
            return (f"encoding: not UTF-8, UTF-16 or Windows-1252 text ({control} control "
                    "characters in the first bytes); save it as CSV UTF-8")  # fmt: skip
    lines = [ln for ln in text.splitlines() if ln.strip()]
    first = next(csv.reader([lines[0]], delimiter=separator(text)), [])
    if len(first) <= 1:
        other = max(_OTHER_SEPARATORS, key=lines[0].count)
        if lines[0].count(other) >= 2:
            return (f"separator: the first line is one column with ',', ';' or tab; it looks "
                    f"separated by {other!r} (save as CSV with commas)")  # fmt: skip
    known = [unquote(c) for c in first if unquote(c).lower() in _KNOWN_HEADER_WORDS]
    shown = ", ".join(repr(unquote(c)) for c in first[:6]) + (", …" if len(first) > 6 else "")
    if known:
        years = sum(1 for c in first if re.match(r"^\s*\W*(?:YR)?\d{4}\b", c))
        what = "no year columns" if not years else "identifier columns missing or renamed"
        return (f"layout: line 1 has known columns ({', '.join(known)}) but {what}; "
                f"found {len(first)} columns: {shown}")  # fmt: skip
    return (f"layout: line 1 ({len(first)} columns: {shown}) is not the header of a known "
            "download (e.g. WDI 'Country Name, Country Code, Indicator Name, Indicator Code, "
            "1960, …' or DataBank 'Country Name, Country Code, Series Name, Series Code, "
            "2015 [YR2015], …')")  # fmt: skip


def diagnose(path: Path) -> str:
    """The specific reason a file matches no reader, for the intake report and ``mtr
    validate``: what kind of file it is and what is wrong with its encoding, separator or
    layout (never a generic "does not match")."""
    try:
        kind = file_kind(path)
        if kind == "text":
            return _diagnose_text(path)
    except OSError as exc:
        return f"cannot be opened ({exc.strerror or exc})"
    return {
        "zip": "layout: a zip container (.xlsx workbook or archive) with no sheet or member "
        "in a known layout",
        "ole": "layout: an Excel 97-2003 (.xls/OLE) file with no sheet in a known layout (or "
        "not a readable workbook)",
        "pdf": "a PDF document: tables in a PDF cannot be read; download the CSV or Excel file",
        "binary": "encoding: binary content (not text, not a workbook)",
    }[kind]
