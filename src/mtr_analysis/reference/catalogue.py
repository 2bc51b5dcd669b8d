"""The indicator catalogue and the Blueprint structure, loaded from data and validated.

``config/ascc_framework.yaml`` holds the 5 characteristics, their elements (with a
confirmation status) and the review calendar; ``config/indicators.csv`` holds one row per
indicator with its unit, desirable direction, SDG code, source series codes and target.
Indicator ids are stable: outputs and other tools refer to indicators by them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from mtr_analysis import yaml_io
from mtr_analysis.paths import AUXILIARY_FILE, FRAMEWORK_FILE, INDICATORS_FILE

DIRECTIONS = ("increase", "decrease")
#: ``absolute``/``interpretive``: a number in ``target_value``; ``relative``: a number made
#: from the baseline (``target_factor`` × value in ``target_base_year``, both required);
#: ``directional``: a direction without a number ("substantially reduce", "increase"), which
#: the UNSD Progress Chart judges by the growth-rate bands, not against a target value.
TARGET_KINDS = ("", "absolute", "relative", "interpretive", "directional")
REQUIRED_COLUMNS = (
    "id", "name", "unit", "direction", "characteristic", "element", "sdg", "wdi_code",
    "unsdg_series", "target_value", "target_year", "target_kind", "target_source",
    "verified_code", "gho_code", "ilostat_code", "data360_code", "former_series", "name_vi",
    "unit_vi",
)  # fmt: skip
#: Columns holding source series codes (``;``-separated), each mapped to its indicator by
#: :meth:`Catalogue.series_map`. Optional ones (``hdr_variable``) may be absent from a table.
CODE_COLUMNS = (
    "wdi_code", "unsdg_series", "hdr_variable", "gho_code", "ilostat_code", "data360_code",
    "former_series",
)  # fmt: skip
#: Languages with an indicator name column: ``name`` (English), ``name_vi`` (Vietnamese).
NAME_LANGS = ("en", "vi")
_ID_RE = re.compile(r"^[a-e]_[a-z0-9_]+$")


class CatalogueError(ValueError):
    """A catalogue entry is invalid; the message names the file, row, id and field."""


@dataclass(frozen=True)
class Catalogue:
    """Indicators plus the Blueprint structure they hang from.

    Attributes
    ----------
    indicators : pandas.DataFrame
        One row per indicator, indexed by ``id``; ``target_value`` float (NaN if none),
        ``target_year`` nullable Int64, ``sdg`` a ``;``-separated string.
    characteristics : pandas.DataFrame
        ``code``, ``name``, ``name_vi``, indexed by ``code`` (A–E).
    elements : pandas.DataFrame
        ``code``, ``characteristic``, ``title``, ``status``, indexed by ``code``.
    reviews : dict
        Review name → ``{"cutoff_year", "baseline_year", "label", "label_vi"}``.
    auxiliary : pandas.DataFrame
        Series that are not review indicators but are needed to compute them (population
        for weights and head counts), indexed by an ``x_`` id; same code columns.
    """

    indicators: pd.DataFrame
    characteristics: pd.DataFrame
    elements: pd.DataFrame
    reviews: dict
    auxiliary: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            columns=["id", "name", "unit", "wdi_code", "unsdg_series"]
        )  # fmt: skip
    )

    def series_map(self) -> dict[str, str]:
        """Source series code → indicator id, for every source the catalogue knows.

        Keys are the codes as written by the source (``SH.STA.MMRT`` for WDI,
        ``SH_STA_MORT`` for the UN SDG database, ``le`` for the UNDP HDR variable,
        ``MDG_0000000026`` for WHO GHO, ``SDG_0831_SEX_ECO_RT`` for ILOSTAT,
        ``WB_WDI_SH_STA_MMRT`` for Data360, earlier codes of the same series in
        ``former_series``; see :data:`CODE_COLUMNS`) and the catalogue ids themselves (used
        by the national workbook). Auxiliary series (``x_population``) are included. A code
        column missing from a table or empty contributes nothing. The catalogue is
        validated so that no code names two indicators (:func:`check_codes`).
        """
        out: dict[str, str] = {}
        for ind_id, row in pd.concat([self.indicators, self.auxiliary]).iterrows():
            out[str(ind_id)] = str(ind_id)
            for _col, code in _row_codes(row):
                out[code] = str(ind_id)
        return out

    def name(self, indicator: str, lang: str = "en") -> str:
        """Display name of an indicator in ``lang`` (``en``/``vi``); unknown ids unchanged.

        Vietnamese uses ``name_vi`` (validated non-empty for indicators); auxiliary series
        without one fall back to the English name.
        """
        return self._text(indicator, "name", lang)

    def unit(self, indicator: str, lang: str = "en") -> str:
        """Unit of an indicator in ``lang`` (``unit`` / ``unit_vi``); ``""`` if unknown."""
        return self._text(indicator, "unit", lang, default="")

    def _text(self, indicator: str, column: str, lang: str, default: str | None = None) -> str:
        if lang not in NAME_LANGS:
            raise ValueError(f"unknown language {lang!r}; allowed: {', '.join(NAME_LANGS)}")
        for table in (self.indicators, self.auxiliary):
            if indicator in table.index:
                # Cell look-ups, not ``table.loc[indicator]``: building the row as a Series
                # cost about 1 ms, twice for every trend panel (issue 15).
                local = f"{column}_{lang}"
                localised = table.at[indicator, local] if lang != "en" and local in table else None
                if localised is not None and not pd.isna(localised) and str(localised).strip():
                    return str(localised)
                return str(table.at[indicator, column]) if column in table else ""
        return str(indicator) if default is None else default

    @property
    def known_ids(self) -> set[str]:
        """Ids that may appear in the store: indicators and auxiliary series."""
        return set(self.indicators.index) | set(self.auxiliary.index)

    def review(self, name: str) -> dict:
        """Settings of a review (``mid-term`` or ``end-term``); ``ValueError`` otherwise."""
        if name not in self.reviews:
            raise ValueError(f"unknown review {name!r}; allowed: {', '.join(self.reviews)}")
        return self.reviews[name]


def _row_codes(row: pd.Series) -> list[tuple[str, str]]:
    """(column, code) for every non-empty code of one catalogue row, in column order."""
    out: list[tuple[str, str]] = []
    for col in CODE_COLUMNS:
        value = row.get(col)
        if value is None or pd.isna(value):
            continue
        out += [(col, code.strip()) for code in str(value).split(";") if code.strip()]
    return out


def check_codes(tables: list[tuple[pd.DataFrame, Path]]) -> None:
    """Raise :class:`CatalogueError` when one source code names two different series.

    ``tables`` are (frame with an ``id`` column, file) pairs, e.g. the indicators and the
    auxiliary series; rows are numbered as in the file (header = row 1). The message names
    the file, row, id and field of the second use and where the code was first used.
    """
    first: dict[str, tuple[str, str, str, int]] = {}
    for frame, path in tables:
        for pos, (_, row) in enumerate(frame.iterrows(), start=2):
            ind_id = str(row["id"])
            for col, code in _row_codes(row):
                seen = first.setdefault(code, (ind_id, col, path.name, pos))
                if seen[0] != ind_id:
                    raise _fail(
                        path, pos, ind_id, col,
                        f"code {code!r} already maps to {seen[0]!r} "
                        f"({seen[2]}, row {seen[3]}, field {seen[1]!r}); a code may name "
                        "one series only",
                    )  # fmt: skip


def _fail(path: Path, row: int, ind_id: str, field: str, reason: str) -> CatalogueError:
    return CatalogueError(f"{path.name}, row {row} (id {ind_id!r}), field {field!r}: {reason}")


def validate_indicators(df: pd.DataFrame, elements: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Check every indicator row; raise :class:`CatalogueError` on the first bad entry.

    Rows are numbered as in the file (header = row 1).
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise CatalogueError(f"{path.name}: missing column(s) {', '.join(missing)}")
    seen: set[str] = set()
    for pos, row in enumerate(df.itertuples(index=False), start=2):
        ind_id = str(row.id)
        if not _ID_RE.match(ind_id):
            raise _fail(path, pos, ind_id, "id", "must be snake_case starting with a_ … e_")
        if ind_id in seen:
            raise _fail(path, pos, ind_id, "id", "duplicate id")
        seen.add(ind_id)
        if ind_id[0].upper() != row.characteristic:
            raise _fail(path, pos, ind_id, "characteristic", "id prefix and characteristic differ")
        if row.direction not in DIRECTIONS:
            raise _fail(
                path, pos, ind_id, "direction", f"{row.direction!r} not in {', '.join(DIRECTIONS)}"
            )
        if row.element not in elements.index:
            raise _fail(path, pos, ind_id, "element", f"{row.element!r} is not a known element")
        if elements.loc[row.element, "characteristic"] != row.characteristic:
            raise _fail(path, pos, ind_id, "element", "element belongs to another characteristic")
        if row.target_kind not in TARGET_KINDS:
            raise _fail(path, pos, ind_id, "target_kind", f"{row.target_kind!r} not allowed")
        tv = str(row.target_value).strip()
        if tv:
            try:
                float(tv)
            except ValueError:
                raise _fail(path, pos, ind_id, "target_value", f"{tv!r} is not a number") from None
            if row.target_kind not in ("absolute", "interpretive"):
                raise _fail(path, pos, ind_id, "target_kind", "a numeric target needs a kind")
        elif row.target_kind in ("absolute", "interpretive"):
            raise _fail(path, pos, ind_id, "target_value", "kind set but no value")
        ty = str(row.target_year).strip()
        if ty and not (ty.isdigit() and 2015 <= int(ty) <= 2050):
            raise _fail(path, pos, ind_id, "target_year", f"{ty!r} is not a year in 2015–2050")
        for col in ("name", "unit", "name_vi", "unit_vi"):
            if not str(getattr(row, col)).strip():
                raise _fail(path, pos, ind_id, col, "empty")
        _check_relative_target(row, path, pos, ind_id)
    out = df.copy()
    out["target_value"] = pd.to_numeric(out["target_value"].replace("", None), errors="raise")
    out["target_year"] = pd.to_numeric(out["target_year"].replace("", None)).astype("Int64")
    out["verified_code"] = out["verified_code"].eq("yes")
    for col in RELATIVE_TARGET_COLUMNS:  # optional columns: absent means no relative target
        if col not in out.columns:
            out[col] = ""
    out["target_factor"] = pd.to_numeric(out["target_factor"].replace("", None)).astype(float)
    out["target_base_year"] = pd.to_numeric(out["target_base_year"].replace("", None)).astype(
        "Int64"
    )
    return out.set_index("id", drop=False)


#: Optional columns that make a relative target numeric (UNSD Progress Chart: the target
#: value is the baseline value times ``target_factor``, the baseline taken in
#: ``target_base_year``), e.g. "halve vs 2015" → ``0.5``, ``2015``.
RELATIVE_TARGET_COLUMNS = ("target_factor", "target_base_year")


def _check_relative_target(row: object, path: Path, pos: int, ind_id: str) -> None:
    """``target_factor`` (a number > 0) and ``target_base_year`` (1990–2050) come together,
    only with ``target_kind`` ``relative``, and a relative target always has them."""
    factor = str(getattr(row, "target_factor", "") or "").strip()
    base = str(getattr(row, "target_base_year", "") or "").strip()
    if not factor and not base:
        if row.target_kind == "relative":  # type: ignore[attr-defined]
            raise _fail(path, pos, ind_id, "target_factor", "a relative target needs a factor "
                        "and base year (use 'directional' for a direction without a number)")  # fmt: skip
        return
    if row.target_kind != "relative":  # type: ignore[attr-defined]
        raise _fail(path, pos, ind_id, "target_factor", "only a relative target has a factor")
    if not factor or not base:
        raise _fail(path, pos, ind_id, "target_factor/target_base_year", "give both or neither")
    try:
        value = float(factor)
    except ValueError:
        raise _fail(path, pos, ind_id, "target_factor", f"{factor!r} is not a number") from None
    if not value > 0:
        raise _fail(path, pos, ind_id, "target_factor", f"{factor!r} must be > 0")
    if not (base.isdigit() and 1990 <= int(base) <= 2050):
        raise _fail(path, pos, ind_id, "target_base_year", f"{base!r} is not a year in 1990–2050")


@lru_cache(maxsize=4)
def _load_cached(indicators_path: Path, framework_path: Path, auxiliary_path: Path) -> Catalogue:
    fw = yaml_io.load(framework_path.read_text(encoding="utf-8"))
    characteristics = pd.DataFrame(fw["characteristics"]).set_index("code", drop=False)
    elements = pd.DataFrame(fw["elements"]).set_index("code", drop=False)
    bad = elements.loc[~elements["characteristic"].isin(characteristics.index), "code"]
    if len(bad):
        raise CatalogueError(
            f"{framework_path.name}: element(s) {list(bad)} have no characteristic"
        )
    raw = pd.read_csv(indicators_path, dtype=str, keep_default_na=False, encoding="utf-8")
    indicators = validate_indicators(raw, elements, indicators_path)
    auxiliary = pd.read_csv(auxiliary_path, dtype=str, keep_default_na=False, encoding="utf-8")
    bad = auxiliary.loc[~auxiliary["id"].str.match(r"^x_[a-z0-9_]+$"), "id"]
    if len(bad):
        raise CatalogueError(f"{auxiliary_path.name}: ids must start with x_: {list(bad)}")
    check_codes([(indicators, indicators_path), (auxiliary, auxiliary_path)])
    auxiliary = auxiliary.set_index("id", drop=False)
    return Catalogue(indicators, characteristics, elements, fw.get("reviews", {}), auxiliary)


def load_catalogue(
    indicators_path: Path | str = INDICATORS_FILE,
    framework_path: Path | str = FRAMEWORK_FILE,
    auxiliary_path: Path | str = AUXILIARY_FILE,
) -> Catalogue:
    """Load and validate the catalogue (cached per set of files).

    Raises
    ------
    CatalogueError
        Naming the file, row, indicator id and field of the first invalid entry.
    """
    return _load_cached(
        Path(indicators_path).resolve(),
        Path(framework_path).resolve(),
        Path(auxiliary_path).resolve(),
    )
