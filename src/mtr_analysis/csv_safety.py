"""CSV files that are safe to open in a spreadsheet (no formula injection).

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, and
a leading tab or carriage return can hide one (``=cmd|' /C calc'!A0`` in a rejected cell
would run a program when ``rejects.csv`` is opened in Excel). As OWASP recommends ("CSV
Injection"), every such **text** cell is prefixed with a single quote ``'`` so that it is
shown as text. Numbers are left alone: a numeric column's ``-3.2`` is written as a
number, and a text cell that is exactly a plain number (``-5``, ``-1.5e3``: a raw value
as read from a file) cannot run anything and is kept as it is, so that it still reads as
a number. The fullwidth forms of the four characters are treated the same way (some
spreadsheets read ``＝`` as ``=``), and a carriage return inside a cell is written as a line
feed (which is quoted; a lone carriage return is not, and would start a new row).

Every CSV the product writes goes through :func:`neutralise` (``rejects.csv``,
``conflicts.csv``, ``revisions.csv``, ``assessment.csv``, ``aggregates.csv``,
``beneficiaries.csv``): :func:`write_csv` for the intake files, and
:func:`mtr_analysis.reporting.tables.to_csv_bytes` for the review tables.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

__all__ = ["DANGEROUS_START", "neutralise", "safe_cell", "write_csv"]

#: First characters that make a spreadsheet read a cell as a formula (OWASP), and the
#: fullwidth equals, plus, minus and at signs.
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
#: A plain negative number, which a spreadsheet reads as a number, never as a formula.
_NEGATIVE_NUMBER = re.compile(r"-(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value: object) -> object:
    """``value`` with a leading ``'`` when it is text a spreadsheet would run as a formula.

    Non-text values (numbers, missing values) are returned unchanged, and so is text that
    is a plain negative number (``"-3.2"``). A carriage return inside the text becomes a
    line feed: CSV writers quote a cell with a line feed but not one with a lone carriage
    return, which a spreadsheet reads as the end of the row, so that the rest of the cell
    (``"a\r=1"``) would start a new row as a formula.
    """
    if not isinstance(value, str):
        return value
    if value.startswith(DANGEROUS_START) and not _NEGATIVE_NUMBER.fullmatch(value):
        value = "'" + value
    return value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells are safe in a spreadsheet (:func:`safe_cell`).

    Only text columns (``object`` and ``string`` dtypes) are touched; numeric, boolean and
    date columns keep their dtype and values.
    """
    out = frame.copy()
    for column in out.columns:
        col = out[column]
        if pd.api.types.is_object_dtype(col) or pd.api.types.is_string_dtype(col):
            out[column] = col.map(safe_cell, na_action="ignore").astype(col.dtype)
    return out


def write_csv(frame: pd.DataFrame, path: Path | str) -> Path:
    """Write ``frame`` to ``path`` as UTF-8 CSV without the index, text cells neutralised."""
    path = Path(path)
    neutralise(frame).to_csv(path, index=False, encoding="utf-8")
    return path
