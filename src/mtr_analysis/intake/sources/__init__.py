"""Readers for raw source files, one module per format, and format detection.

Every reader returns *raw records*: one row per non-empty value cell, as text, with
provenance. Columns (:data:`RECORD_COLUMNS`): ``country`` (code or name as written),
``country_name`` (the name, when the source also gives a code), ``lower``/``upper``
(bounds of the value as written, "" when the source gives none),
``series`` (source code), ``year``, ``raw`` (cell text), ``unit``, ``source`` (producer +
vintage), ``note``, ``sex``/``age``/``location``, ``file`` and ``locator`` (row/cell).
A cell the reader could not use is still a record, so that nothing vanishes uncounted:
``issue`` says why it is rejected (a formula without a cached value, a cell beyond the
header) and ``skip`` why it is out of scope (a column whose header is not a year); both
are ``""`` for ordinary cells. One exception keeps bulk files in memory: a streaming reader
(WDI) counts the cells of rows that are not member states instead of recording each, in
``records.attrs[text.TALLY]``; the build adds them to the file's account.
Cleaning, harmonisation and catalogue mapping happen later, in :mod:`mtr_analysis.intake.build`.

Text and CSV helpers shared by the readers (decoding, first bytes, CSV rows with line
numbers, locators) live in :mod:`.text`: a reader imports this package and that module,
never a sibling reader.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pandas as pd

RECORD_COLUMNS = (
    "country", "country_name", "series", "year", "raw", "unit", "source", "note",
    "sex", "age", "location", "file", "locator", "lower", "upper", "issue", "skip",
)  # fmt: skip


class SourceError(ValueError):
    """A file cannot be read; the message names the file (and sheet/row/cell) and why."""


def records_frame(rows: list[dict]) -> pd.DataFrame:
    """Raw records as a DataFrame with :data:`RECORD_COLUMNS` (defaults filled in)."""
    defaults = {"unit": "", "note": "", "sex": "total", "age": "total", "location": "total",
                "lower": "", "upper": "", "issue": "", "skip": ""}  # fmt: skip
    full = [{**defaults, "country_name": r.get("country"), **r} for r in rows]
    return pd.DataFrame(full, columns=list(RECORD_COLUMNS))


#: Reader modules, in detection order. Each defines ``FORMAT``, ``sniff(path) -> bool`` and
#: ``read(path, root) -> raw records``. Companion formats that carry no observations are
#: declared by ``COMPANION_FORMATS`` in a module, with ``sniff_companion(path) -> str | None``.
READER_MODULES = (
    "wdi", "databank", "unsdg", "hdr", "aseanstats", "national",
    "data360", "who_gho", "ilostat", "wb_api",
)  # fmt: skip
DOCUMENTATION_SUFFIXES = frozenset({".md", ".txt", ".pdf", ".docx", ".html"})


ENCRYPTED = "workbook is password-protected (an encrypted Office file): save it without a password"
#: The stream name (UTF-16-LE) of an encrypted Office document inside its OLE container.
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")


def is_encrypted(path: Path) -> bool:
    """True for a password-protected Office file: an OLE/CFB container (not a zip) holding
    an ``EncryptedPackage`` stream, which is how Excel saves an encrypted ``.xlsx``."""
    from mtr_analysis.intake.sources.text import XLS_MAGIC

    try:
        with open(path, "rb") as fh:
            if fh.read(len(XLS_MAGIC)) != XLS_MAGIC:
                return False
            return _ENCRYPTED_STREAM in fh.read(1 << 22)
    except OSError:
        return False


def _modules() -> list[ModuleType]:
    import importlib

    return [importlib.import_module(f"mtr_analysis.intake.sources.{m}") for m in READER_MODULES]


def detect_format(path: Path) -> tuple[str | None, str]:
    """Detect a file's format from its content (not only its name).

    Returns
    -------
    (format, reason)
        ``format`` is a reader's ``FORMAT``, a companion format (e.g. ``"wdi_metadata"``,
        recognised but carrying no observations), ``"documentation"``, or ``None`` with
        the reason the file was not recognised.
    """
    if path.suffix.lower() in DOCUMENTATION_SUFFIXES:
        return "documentation", ""
    if is_encrypted(path):
        return None, ENCRYPTED
    for module in _modules():
        try:
            if module.sniff(path):
                return module.FORMAT, ""
        except Exception as exc:  # a probe must never stop detection of the other formats
            return None, f"could not inspect content ({type(exc).__name__}: {exc})"
    for module in _modules():
        companion = getattr(module, "sniff_companion", None)
        if companion is not None and (fmt := companion(path)):
            return fmt, ""
    for module in _modules():
        # A reader may recognise a file it cannot read and say what it expected instead.
        near_miss = getattr(module, "near_miss", None)
        if near_miss is not None and (why := near_miss(path)):
            return None, why
    from mtr_analysis.intake.sources.text import diagnose

    # Say what is wrong (encoding, separator, layout), never only "does not match".
    return None, diagnose(path)


def reader_module(fmt: str) -> ModuleType | None:
    """The reader module whose ``FORMAT`` is ``fmt`` (``None`` for companion formats)."""
    return next((m for m in _modules() if getattr(m, "FORMAT", None) == fmt), None)


def readers() -> dict[str, Callable[[Path, Path], pd.DataFrame]]:
    """Format name → reader ``(path, root) -> raw records``."""
    return {m.FORMAT: m.read for m in _modules()}
