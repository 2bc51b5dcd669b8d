"""The canonical tidy observation: one row per value (product spec, section 4.1).

:func:`validate_observations` checks columns, types and allowed values and raises a
:class:`SchemaError` naming the first offending rows and their provenance (``file``,
``locator``), so a bad number can be traced to the cell it came from.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

#: Column → pandas dtype, in canonical order.
COLUMNS: dict[str, str] = {
    "country": "string",  # ISO3 of a member state
    "indicator": "string",  # catalogue id
    "year": "int64",
    "value": "float64",
    "lower": "float64",  # lower bound of the value when the source gives one (UN SDG)
    "upper": "float64",  # upper bound of the value when the source gives one
    "unit": "string",
    "sex": "string",  # "total", "female", "male"
    "age": "string",  # "total" or a band such as "15-24"
    "location": "string",  # "total", "urban", "rural"
    "source": "string",  # producer + vintage, e.g. "World Bank WDI (2026-07-13)"
    "source_series": "string",  # code in the source, e.g. "SH.STA.MMRT"
    "flag": "string",  # see FLAGS
    "note": "string",  # footnote from the source
    "file": "string",  # raw file the value came from (relative to the raw folder)
    "locator": "string",  # row or sheet!cell inside that file
    "selected": "bool",  # the value chosen for analysis among alternatives
}
KEY = ["country", "indicator", "year", "sex", "age", "location"]
TOTAL = "total"
#: Allowed values of ``flag`` ("" = none).
FLAGS = frozenset(
    {"", "estimate", "modelled", "country_data", "censored_lt", "censored_gt",
     "carried_forward", "imputed", "suspect", "derived"}
)  # fmt: skip
YEAR_RANGE = (1960, 2035)


class SchemaError(ValueError):
    """Observations break the schema; the message names rows, files and locators."""


def require_columns(df: pd.DataFrame, columns: Iterable[str], name: str) -> None:
    """Raise naming the argument when ``df`` is not a DataFrame or lacks ``columns``."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{name} lacks required column(s): {', '.join(missing)}")


def empty_observations() -> pd.DataFrame:
    """A zero-row frame with the canonical columns and dtypes."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in COLUMNS.items()})


def conform(df: pd.DataFrame) -> pd.DataFrame:
    """Add missing optional columns with defaults and cast to canonical dtypes and order.

    Disaggregations default to ``"total"``, ``flag``/``note`` to ``""``, ``selected`` to
    True. Required columns (country, indicator, year, value, source, file, locator) are
    not invented.
    """
    out = df.copy()
    for col in ("sex", "age", "location"):
        if col not in out:
            out[col] = TOTAL
    for col in ("flag", "note", "unit", "source_series"):
        if col not in out:
            out[col] = ""
    for col in ("lower", "upper"):
        if col not in out:
            out[col] = float("nan")
    if "selected" not in out:
        out["selected"] = True
    missing = [c for c in COLUMNS if c not in out]
    if missing:
        raise SchemaError(f"observations lack required column(s): {', '.join(missing)}")
    out = out[list(COLUMNS)]
    for col, dtype in COLUMNS.items():
        if dtype == "string":
            out[col] = out[col].astype("string").fillna("")
        else:
            out[col] = out[col].astype(dtype)
    return out.reset_index(drop=True)


def _describe(df: pd.DataFrame, mask: pd.Series, reason: str, limit: int = 5) -> str:
    bad = df.loc[mask]
    where = "; ".join(f"{r.file} {r.locator}" for r in bad.head(limit).itertuples())
    more = f" (and {len(bad) - limit} more)" if len(bad) > limit else ""
    return f"{len(bad)} row(s) {reason}: {where}{more}"


def validate_observations(
    df: pd.DataFrame,
    countries: set[str] | None = None,
    indicators: set[str] | None = None,
) -> pd.DataFrame:
    """Validate a tidy observation frame and return it in canonical form.

    Parameters
    ----------
    df : pandas.DataFrame
        Observations with at least the required columns of :data:`COLUMNS`.
    countries, indicators : set of str, optional
        Allowed ISO3 codes and catalogue ids; unchecked when ``None``.

    Raises
    ------
    SchemaError
        On wrong types, values outside range or vocabulary, or duplicate selected keys.
    """
    out = conform(df)
    problems: list[str] = []
    checks = [
        (out["value"].isna(), "have no value"),
        (~out["year"].between(*YEAR_RANGE), f"have a year outside {YEAR_RANGE[0]}–{YEAR_RANGE[1]}"),
        (~out["flag"].isin(FLAGS), f"have an unknown flag (allowed: {sorted(FLAGS)})"),
        (out["source"].eq(""), "have no source"),
        (out["file"].eq("") | out["locator"].eq(""), "have no provenance (file, locator)"),
    ]
    if countries is not None:
        checks.append(
            (~out["country"].isin(countries), "have a country that is not a member state")
        )
    if indicators is not None:
        checks.append(
            (~out["indicator"].isin(indicators), "have an indicator not in the catalogue")
        )
    checks.append((out["selected"] & out["indicator"].eq(""), "are selected but have no indicator"))
    dup = out.loc[out["selected"]].duplicated(KEY, keep=False).reindex(out.index, fill_value=False)
    checks.append((dup, "select more than one value for the same country/indicator/year"))
    for mask, reason in checks:
        if mask.any():
            problems.append(_describe(out, mask, reason))
    if problems:
        raise SchemaError("invalid observations:\n  " + "\n  ".join(problems))
    return out
