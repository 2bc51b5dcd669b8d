"""Cleaning of raw cell text into numbers, with a flag and a reason for what is not a number.

Handles the missing markers, censored values and thousands separators seen in real
downloads (product spec, section 4.3).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

#: Cell contents that mean "no value" (compared after stripping spaces, case-insensitive).
MISSING_MARKERS = frozenset({"", "..", "...", "n", "nan", "-", "–", "—", "n.a.", "na", "n/a", "x"})
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS_SPACE = re.compile(r"^[+-]?\d{1,3}( \d{3})+(\.\d+)?$")
_THOUSANDS_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def is_missing(raw: pd.Series) -> pd.Series:
    """True where the raw text is empty or a missing-value marker (``..``, ``n.a.``, …)."""
    text = raw.astype("string").fillna("").str.strip().str.lower()
    return text.isin(MISSING_MARKERS)


def parse_values(raw: pd.Series) -> pd.DataFrame:
    """Parse raw cell text into numbers.

    Parameters
    ----------
    raw : pandas.Series
        Cell contents as text (numbers already parsed by a reader may also be passed).

    Returns
    -------
    pandas.DataFrame
        Aligned with ``raw``: ``value`` (float, NaN where not a number), ``flag``
        (``"censored_lt"`` for ``<2.5``, ``"censored_gt"`` for ``>95``, else ``""``),
        ``missing`` (bool: an empty cell or missing marker, not an error) and ``reason``
        (why a non-missing cell is not a number, else ``""``).

    Notes
    -----
    Censored values are kept as their bound (``<2.5`` → 2.5, flagged). Spaces and commas
    are accepted as thousands separators only in the exact 3-digit grouping
    (``1 234 567``, ``1,234.5``); anything else that is not a plain number is rejected.
    """
    text = raw.astype("string").fillna("").str.strip().str.replace("\u00a0", " ", regex=False)
    missing = text.str.lower().isin(MISSING_MARKERS)
    flag = pd.Series("", index=raw.index, dtype="string")
    lt = text.str.startswith("<")
    gt = text.str.startswith(">")
    flag = flag.mask(lt, "censored_lt").mask(gt, "censored_gt")
    body = text.mask(lt | gt, text.str[1:].str.strip())
    grouped = body.str.match(_THOUSANDS_SPACE.pattern) | body.str.match(_THOUSANDS_COMMA.pattern)
    body = body.mask(grouped, body.str.replace(r"[ ,]", "", regex=True))
    numeric = body.str.match(_NUMBER.pattern) & ~missing
    value = pd.to_numeric(body.where(numeric), errors="coerce").astype("float64")
    value = value.where(np.isfinite(value))
    reason = pd.Series("", index=raw.index, dtype="string")
    reason = reason.mask(~missing & value.isna(), "not a number: " + text)
    return pd.DataFrame(
        {"value": value, "flag": flag.where(numeric, ""), "missing": missing, "reason": reason}
    )
