"""Readers for raw source files, one module per format, and format detection.

Every reader returns *raw records*: one row per non-empty value cell, as text, with
provenance. Columns (:data:`RECORD_COLUMNS`): ``country`` (code or name as written),
``country_name`` (the name, when the source also gives a code),
``series`` (source code), ``year``, ``raw`` (cell text), ``unit``, ``source`` (producer +
vintage), ``note``, ``sex``/``age``/``location``, ``file`` and ``locator`` (row/cell).
Cleaning, harmonisation and catalogue mapping happen later, in :mod:`mtr_analysis.build`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

RECORD_COLUMNS = (
    "country", "country_name", "series", "year", "raw", "unit", "source", "note",
    "sex", "age", "location", "file", "locator",
)  # fmt: skip


class SourceError(ValueError):
    """A file cannot be read; the message names the file (and sheet/row/cell) and why."""


def records_frame(rows: list[dict]) -> pd.DataFrame:
    """Raw records as a DataFrame with :data:`RECORD_COLUMNS` (defaults filled in)."""
    defaults = {"unit": "", "note": "", "sex": "total", "age": "total", "location": "total"}
    full = [{**defaults, "country_name": r.get("country"), **r} for r in rows]
    return pd.DataFrame(full, columns=list(RECORD_COLUMNS))


def detect_format(path: Path) -> tuple[str | None, str]:
    """Detect a file's format from its content.

    Returns
    -------
    (format, reason)
        ``format`` is one of :data:`READERS` keys, ``"wdi_metadata"`` (recognised,
        carries no observations) or ``None`` with the reason it was not recognised.
    """
    from mtr_analysis.sources import national, wdi

    if path.name.startswith(".") or path.suffix.lower() in {".md", ".txt", ".json_meta"}:
        return None, "documentation or hidden file"
    for fmt, probe in ((wdi.FORMAT, wdi.sniff), (national.FORMAT, national.sniff)):
        try:
            if probe(path):
                return fmt, ""
        except Exception as exc:  # a probe must never stop detection of other formats
            return None, f"could not inspect content ({type(exc).__name__}: {exc})"
    if wdi.sniff_metadata(path):
        return "wdi_metadata", ""
    return None, "content does not match any known source format"


def readers() -> dict[str, Callable[[Path, Path], pd.DataFrame]]:
    """Format name → reader ``(path, root) -> raw records``."""
    from mtr_analysis.sources import national, wdi

    return {wdi.FORMAT: wdi.read, national.FORMAT: national.read}
