"""Shared text and CSV helpers for the readers: decoding, first bytes, CSV rows, locators.

Readers import these helpers from here and never from one another, so each reader can be
read, changed or removed on its own (the import contract allows a reader to import this
module and :mod:`mtr_analysis.intake.sources` only).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

#: First bytes of an OLE2 compound file (BIFF ``.xls`` workbooks).
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: How many bytes the sniffers read from the start of a text file.
HEAD_BYTES = 20000


def decode(data: bytes) -> str:
    """Decode bytes as UTF-8 (with or without BOM), falling back to Windows-1252.

    Bytes that Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) fall back to
    Latin-1, so decoding never fails.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


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
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary"
    return "text"


def head_text(path: Path, size: int = HEAD_BYTES) -> str:
    """The first ``size`` bytes of a text file, decoded with :func:`decode`."""
    with open(path, "rb") as fh:
        data = fh.read(size)
    return decode(data)


def csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """CSV rows with the 1-based line on which each row starts.

    Line numbers stay right when quoted cells contain line breaks.
    """
    reader = csv.reader(io.StringIO(text))
    previous = 0
    for cells in reader:
        yield previous + 1, cells
        previous = reader.line_num


def first_csv_row(path: Path, size: int = HEAD_BYTES) -> list[str]:
    """Cells of the first CSV row of a text file; ``[]`` for binary or empty files."""
    if file_kind(path) != "text":
        return []
    lines = head_text(path, size).splitlines()
    return next(csv_rows(lines[0]), (1, []))[1] if lines else []


def first_line_cells(path: Path, n: int = 12) -> list[list[str]]:
    """Cells of each of the first ``n`` lines of a text file, each line parsed as CSV."""
    return [next(csv.reader([line]), []) for line in head_text(path).splitlines()[:n]]


def read_csv_rows(path: Path) -> list[list[str]]:
    """Every CSV row of a whole text file (decoded with :func:`decode`)."""
    return [cells for _, cells in csv_rows(decode(path.read_bytes()))]


def rel_path(path: Path, root: Path | None) -> str:
    """``path`` relative to ``root`` (as in ``file``), or its name when there is no root."""
    return str(path.relative_to(root)) if root else path.name


def excel_number_text(value: float) -> str:
    """Text of a numeric Excel cell: the integer text for whole numbers, else ``repr``."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)
