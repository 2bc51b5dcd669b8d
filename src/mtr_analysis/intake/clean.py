"""Cleaning: cell text → numbers, vintages, carried-forward repeats and poverty lines.

Handles the quirks seen in real downloads (product spec, section 4.3):

* missing markers (``""``, ``..``, ``N``, ``NaN``, ``-``, ``n.a.``) → no value, not an error;
* censored values in every spelling (``<2.5``, ``>95``, ``<=``, ``>=``, ``≤``, ``≥``, e.g. the
  WHO/UNSD ``>=80``) → kept as the bound, flagged (:data:`CENSORING`);
* spaces and commas as thousands separators (``20 844``, ``1,234.5``);
* the vintage (release date) written in a ``source`` string, including Excel serial dates;
* carried-forward values: the same value repeated over consecutive years → flagged;
* ``SI.POV.DDAY`` (and ``SI.POV.LMIC``/``UMIC``, SDG ``SI_POV_DAY1``) changing meaning
  between vintages: each value is tagged with its poverty line so that two lines are never
  mixed in one series (see :func:`tag_poverty_lines`).

All functions are vectorised and pure: a DataFrame or Series in, a new one out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection

import numpy as np
import pandas as pd

#: Cell contents that mean "no value" (compared after stripping spaces, case-insensitive).
MISSING_MARKERS = frozenset({"", "..", "...", "n", "nan", "-", "–", "—", "n.a.", "na", "n/a", "x"})
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS_SPACE = re.compile(r"^[+-]?\d{1,3}( \d{3})+(\.\d+)?$")
_THOUSANDS_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
#: Space-like characters written as thousands separators (no-break and narrow no-break space).
_SPACES = {"\u00a0": " ", "\u202f": " ", "\u2009": " "}
#: Censoring sign as written → the store's flag (names from
#: :data:`mtr_analysis.intake.schema.FLAGS`). Longest signs first, so ``<=`` is not read
#: as ``<`` followed by ``=80``. "At most" and "less than" share one flag: the value is
#: an upper bound either way; the sign as written stays in the raw cell (rejects, notes).
CENSORING = {
    "<=": "censored_lt", ">=": "censored_gt", "≤": "censored_lt", "≥": "censored_gt",
    "=<": "censored_lt", "=>": "censored_gt", "<": "censored_lt", ">": "censored_gt",
}  # fmt: skip
_CENSOR_SIGN = re.compile("^(" + "|".join(re.escape(k) for k in CENSORING) + r")\s*")


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
        (``"censored_lt"`` for ``<2.5``, ``<=2.5``, ``≤2.5``; ``"censored_gt"`` for ``>95``,
        ``>=95``, ``≥95``; else ``""``: :data:`CENSORING`),
        ``missing`` (bool: an empty cell or missing marker, not an error) and ``reason``
        (why a non-missing cell is not a number, else ``""``).

    Notes
    -----
    Censored values are kept as their bound (``<2.5`` → 2.5, ``>=80`` → 80, flagged). Spaces (also
    no-break spaces) and commas are accepted as thousands separators only in the exact
    3-digit grouping (``1 234 567``, ``1,234.5``); anything else that is not a plain number
    is rejected.
    """
    text = raw.astype("string").fillna("").str.strip()
    for ch, repl in _SPACES.items():
        text = text.str.replace(ch, repl, regex=False)
    missing = text.str.lower().isin(MISSING_MARKERS)
    sign = text.str.extract(_CENSOR_SIGN, expand=False).fillna("")
    censored = sign.ne("")
    flag = sign.map(CENSORING).fillna("").astype("string")
    body = text.mask(censored, text.str.replace(_CENSOR_SIGN, "", regex=True).str.strip())
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


# --------------------------------------------------------------------------------------
# Vintages

#: Day 0 of Excel's 1900 date system as Python sees it (Excel counts 1900-02-29, so
#: serials from 61 on are correct with this origin).
EXCEL_EPOCH = dt.date(1899, 12, 30)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_US_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_SERIAL = re.compile(r"(?:updated|update date|last updated)\D{0,3}?(\d{5})(?:\.0+)?\b", re.I)
_RELEASE = re.compile(r"\b(\d{4})\.Q([1-4])\b")
_YEAR = re.compile(r"\b(19[6-9]\d|20\d\d)\b")


def excel_serial_to_date(serial: float | int | str) -> dt.date | None:
    """Date of an Excel serial day number (1900 system): ``44986`` → 2023-03-01.

    Returns ``None`` for text that is not a plausible serial (outside 1950–2099).
    """
    try:
        days = float(serial)
    except (TypeError, ValueError):
        return None
    if not np.isfinite(days) or not 18264 <= days <= 73050:  # 1950-01-01 … 2099-12-31
        return None
    return EXCEL_EPOCH + dt.timedelta(days=int(days))


def _vintage_one(text: str) -> dt.date | None:
    if m := _ISO_DATE.search(text):
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    if m := _US_DATE.search(text):  # DataBank footer "Last Updated: 07/13/2026" (M/D/Y)
        try:
            return dt.date(int(m[3]), int(m[1]), int(m[2]))
        except ValueError:
            pass
    if (m := _SERIAL.search(text)) and (d := excel_serial_to_date(m[1])):
        return d
    if m := _RELEASE.search(text):  # UN SDG database release "2019.Q2.G.01"
        return dt.date(int(m[1]), 3 * int(m[2]) - 2, 1)
    if m := _YEAR.search(text):
        return dt.date(int(m[1]), 1, 1)
    return None


def vintage_date(source: pd.Series) -> pd.Series:
    """The vintage (release date) written in each ``source`` string, as ``datetime64``.

    Rules, first match wins: an ISO date ``2026-07-13``; a DataBank US date
    ``07/13/2026`` (month first); an Excel serial day number after "updated"
    (``updated 44986`` → 2023-03-01, as in the WDI ``.xls`` download); an SDG database
    release ``2019.Q2`` (→ first day of the quarter); a bare year ``2024`` (→ 1 January).
    ``NaT`` when the string holds none of these.
    """
    text = source.astype("string").fillna("")
    uniq = {s: _vintage_one(s) for s in text.unique()}
    return pd.to_datetime(text.map(uniq), errors="coerce")


# --------------------------------------------------------------------------------------
# Carried-forward repeats

#: Columns identifying one series from one file and vintage.
SERIES_KEY = ["file", "source", "source_series", "country", "indicator", "sex", "age", "location"]
#: Values that are natural bounds: staying there is real (0 deaths, 100 % access).
BOUND_VALUES = (0.0, 100.0)


def flag_carried_forward(obs: pd.DataFrame, exempt: Collection[str] = ()) -> pd.DataFrame:
    """Flag values that repeat the previous year's value of the same series.

    Rule: within one series (:data:`SERIES_KEY`: same file, source/vintage, code, country
    and disaggregation), a value at year *t* is flagged ``carried_forward`` when the same
    series has a value at *t − 1* and both are exactly equal. The first value of a run is
    kept as it is; only the repeats are flagged. Values that already carry a flag
    (censored, modelled) and values at a natural bound (0 or 100) are left alone, and so
    are the indicators in ``exempt`` (catalogue column ``repeats_observed``: a legal index
    scored every year, whose score stays the same while the law does).

    Returns a copy with ``flag`` updated; nothing is removed.
    """
    out = obs.copy()
    if out.empty:
        return out
    keys = [k for k in SERIES_KEY if k in out.columns]
    order = out.sort_values([*keys, "year"], kind="stable")
    grouped = order.groupby(keys, sort=False, dropna=False)
    prev_year = grouped["year"].shift()
    prev_value = grouped["value"].shift()
    repeat = (
        order["year"].sub(prev_year).eq(1)
        & order["value"].eq(prev_value)
        & order["flag"].fillna("").eq("")
        & ~order["value"].isin(BOUND_VALUES)
        & ~order["indicator"].isin(list(exempt))
    )
    out.loc[repeat[repeat].index, "flag"] = "carried_forward"
    return out


# --------------------------------------------------------------------------------------
# Poverty lines (SI.POV.DDAY changed meaning under the same code)

#: Series codes whose meaning follows the World Bank's PPP base → which line family.
POVERTY_SERIES = {
    "SI.POV.DDAY": "international",
    "SI_POV_DAY1": "international",
    "SI.POV.LMIC": "lower-middle-income",
    "SI.POV.UMIC": "upper-middle-income",
}
#: Series whose line follows from the World Bank vintage date when no text names it. The
#: UN SDG database adopts a new line in a release of its own, so ``SI_POV_DAY1`` is only
#: tagged from text (series name, footnote, source) and is "unknown" otherwise.
DATED_POVERTY_SERIES = frozenset({"SI.POV.DDAY", "SI.POV.LMIC", "SI.POV.UMIC"})
#: PPP base year → line (US$ a day) per family.
POVERTY_LINES = {
    2005: {"international": "$1.25", "lower-middle-income": "$2.00"},
    2011: {
        "international": "$1.90",
        "lower-middle-income": "$3.20",
        "upper-middle-income": "$5.50",
    },
    2017: {
        "international": "$2.15",
        "lower-middle-income": "$3.65",
        "upper-middle-income": "$6.85",
    },
    2021: {
        "international": "$3.00",
        "lower-middle-income": "$4.20",
        "upper-middle-income": "$8.30",
    },
}
#: Vintages released on or after each date use that PPP base (World Bank PIP updates of
#: Oct 2015, Sept 2022 and June 2025); earlier vintages use 2005 PPPs.
PPP_SWITCHES = (
    (dt.date(2015, 10, 1), 2011),
    (dt.date(2022, 9, 1), 2017),
    (dt.date(2025, 6, 1), 2021),
)
_PPP_TEXT = re.compile(r"\b(2005|2011|2017|2021)\s*PPP", re.I)
_LINE_TEXT = re.compile(r"\$\s?(\d+(?:\.\d{1,2})?)")
_TAG = re.compile(r"\((\$[\d.]+), (\d{4}) PPP\)$")
UNKNOWN_LINE = "(poverty line unknown)"


def _ppp_from_text(text: str, family: str) -> int | None:
    if m := _PPP_TEXT.search(text):
        return int(m[1])
    for m in _LINE_TEXT.finditer(text):
        amount = f"${float(m[1]):.2f}"
        for year, lines in POVERTY_LINES.items():
            if lines.get(family) == amount:
                return year
    return None


def ppp_base_from_date(date: dt.date | pd.Timestamp | None) -> int | None:
    """PPP base year of World Bank poverty figures released on ``date`` (None if unknown)."""
    if date is None or pd.isna(date):
        return None
    date = pd.Timestamp(date).date()
    base = 2005
    for switch, year in PPP_SWITCHES:
        if date >= switch:
            base = year
    return base


def tag_poverty_lines(obs: pd.DataFrame, series_name: pd.Series | None = None) -> pd.DataFrame:
    """Record the poverty line of every poverty-headcount value in ``source_series``.

    Parameters
    ----------
    obs : pandas.DataFrame
        Observations with ``source_series``, ``source`` and ``note``.
    series_name : pandas.Series, optional
        Aligned with ``obs``: the series' name from the source's metadata (e.g. WDI's
        ``Metadata_Indicator`` "Poverty headcount ratio at $2.15 a day (2017 PPP)").

    Returns
    -------
    pandas.DataFrame
        A copy where each value of a series in :data:`POVERTY_SERIES` has
        ``source_series`` = ``"SI.POV.DDAY ($2.15, 2017 PPP)"`` (or ``"… (poverty line
        unknown)"``) and a sentence in ``note`` saying how the line was determined.

    Notes
    -----
    The line is read, first, from the series name, note or source text (``2017 PPP`` or a
    dollar amount of that family); otherwise, for the World Bank codes
    (:data:`DATED_POVERTY_SERIES`), it follows from the vintage date in ``source``
    (:func:`vintage_date`, :data:`PPP_SWITCHES`): a ``SI.POV.DDAY`` value released
    before June 2025 is at $2.15 (2017 PPP) (or older lines), one released later at
    $3.00 (2021 PPP). A value whose line cannot be told is tagged "unknown" and is never
    selected when a known line exists for the same country. :func:`mtr_analysis.intake.store.select` never selects values of
    an older line for a country once a newer line exists, so lines are never spliced.
    """
    out = obs.copy()
    family = out["source_series"].map(POVERTY_SERIES)
    hit = family.notna()
    if not hit.any():
        return out
    sub = out.loc[hit]
    names = (
        series_name.loc[hit].astype("string").fillna("")
        if series_name is not None
        else pd.Series("", index=sub.index, dtype="string")
    )
    text = names + " " + sub["note"].astype("string").fillna("") + " " + sub["source"].astype(str)
    vintages = vintage_date(sub["source"])
    tags, notes = [], []
    for t, fam, vint, code in zip(text, family[hit], vintages, sub["source_series"]):
        ppp = _ppp_from_text(str(t), fam)
        how = "from the series name or note"
        if ppp is None and code in DATED_POVERTY_SERIES:
            ppp = ppp_base_from_date(vint)
            how = f"from the vintage {pd.Timestamp(vint).date()}" if ppp else ""
        if ppp is None or fam not in POVERTY_LINES[ppp]:
            tags.append(f"{code} {UNKNOWN_LINE}")
            notes.append("poverty line unknown: no PPP base in the name, note or vintage")
        else:
            line = POVERTY_LINES[ppp][fam]
            tags.append(f"{code} ({line}, {ppp} PPP)")
            notes.append(f"poverty line {line} a day ({ppp} PPP), {how}")
    out.loc[hit, "source_series"] = tags
    old = out.loc[hit, "note"].astype("string").fillna("")
    out.loc[hit, "note"] = (old + "; ").where(old.ne(""), "") + pd.Series(notes, index=sub.index)
    return out


def poverty_ppp(source_series: pd.Series) -> pd.Series:
    """PPP base year of tagged poverty series (0 when unknown, NaN when not a poverty series).

    Reads the tag written by :func:`tag_poverty_lines`.
    """
    s = source_series.astype("string").fillna("")
    year = pd.to_numeric(s.str.extract(_TAG.pattern)[1], errors="coerce")
    return year.mask(s.str.endswith(UNKNOWN_LINE), 0.0).astype("float64")
