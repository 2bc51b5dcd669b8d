"""Rule-based, plain-language findings generated from the numbers (product spec, section 5).

Every :class:`Finding` is one sentence that cites the indicators, years and sources it rests
on, in English or Vietnamese (``lang="vi"``, terms of the product spec, section 8).
:func:`country_findings` covers one member state, :func:`regional_findings` the region.
The rules are deterministic: the same inputs give the same list in the same order, and
:func:`findings_to_json` writes it byte for byte the same.

Inputs are the outputs of the analysis stages:

- ``assessment`` (``trends.assess``): one row per country × indicator with ``status``,
  ``cagr``, ``baseline_year``/``baseline_value``, ``latest_year``/``latest_value`` and
  ``target_value``;
- ``avail`` (``gaps.availability``): one row per country × indicator with ``n_obs``,
  ``gap_category`` and ``has_break``;
- ``obs`` (``store.for_analysis``), optional: gives the source of each latest value.

Status groups used in the sentences (UNSD / ESCAP wording) are those of
:mod:`mtr_analysis.analysis.status`: *on track* = ``target_met`` + ``on_track``; *needs
acceleration* = ``moderate_progress`` + ``marginal_progress`` + ``stagnation``; *regressing*
= ``regression``. ``insufficient_data`` and ``no_data`` are not assessable. The sentence
templates are the ``findings`` section of the word catalogues
(:mod:`mtr_analysis.reporting.i18n`); one function builds each kind of finding and
:func:`country_findings` / :func:`regional_findings` put them in order.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mtr_analysis.analysis.gaps import regional_assessability
from mtr_analysis.analysis.status import (
    ASSESSABLE,
    NEEDS_ACCELERATION,
    NOT_ASSESSABLE,
    ON_TRACK,
    REGRESSING,
)
from mtr_analysis.intake.schema import require_columns
from mtr_analysis.reference import registry
from mtr_analysis.reference.catalogue import Catalogue
from mtr_analysis.reporting import i18n
from mtr_analysis.settings import Settings

SEVERITIES = ("info", "warning", "priority")

#: ``gap_category`` values of ``gaps.availability`` that count as a data gap.
GAP_KINDS = ("no_data", "single_point", "stale")

_ASSESSMENT_COLUMNS = (
    "country", "indicator", "status", "cagr", "baseline_year", "baseline_value",
    "latest_year", "latest_value", "target_value",
)  # fmt: skip
_AVAIL_COLUMNS = ("country", "indicator", "n_obs", "gap_category")
#: The assessment columns a country's findings read (required or optional).
_COUNTRY_COLUMNS = (
    *_ASSESSMENT_COLUMNS, "characteristic", "method", "status_unsd", "status_escap",
    "status_ols", "latest_source", "source",
)  # fmt: skip
_TRAILING_PAREN = re.compile(r"\s*\([^()]*\)\s*$")


@dataclass
class Finding:
    """One plain-language finding and the evidence it cites.

    Attributes
    ----------
    kind : str
        ``progress_summary``, ``target_met``, ``largest_improvement``,
        ``largest_regression``, ``data_gap``, ``series_break``, ``data_priority``,
        ``robust_on_track``, ``fragile_on_track``,
        ``regional_assessability``, ``regional_improvement``, ``regional_regression``.
    text : str
        The sentence, in the requested language.
    indicators : list of str
        Catalogue ids the sentence is about.
    years : list of int
        Years cited (baseline and latest, or the span covered).
    sources : list of str
        Sources of the values cited (empty when unknown).
    severity : {"info", "warning", "priority"}
        ``priority`` marks a recommended action.
    country : str
        ISO3 of the member state, ``""`` for a regional finding.
    """

    kind: str
    text: str
    indicators: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    severity: str = "info"
    country: str = ""

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(
                f"severity must be one of {', '.join(SEVERITIES)}; got {self.severity!r}"
            )
        self.indicators = [str(i) for i in self.indicators]
        self.years = sorted({int(y) for y in self.years})
        self.sources = sorted({str(s) for s in self.sources if str(s)})

    def to_dict(self) -> dict:
        """Plain JSON-ready dict (lists of str/int only)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Finding:
        """Inverse of :meth:`to_dict`."""
        return cls(**data)


# --------------------------------------------------------------------------- helpers
def _check_lang(lang: str) -> dict[str, i18n.Words]:
    """Sentence templates in ``lang`` (``ValueError`` naming the allowed languages)."""
    return i18n.words("findings", lang)


def _plural(t: dict, key: str, n: int, **kw: object) -> str:
    one, many = t[key]
    return (one if n == 1 else many).format(n=n, **kw)


def _join(items: Sequence[str], t: dict, max_names: int | None = None) -> str:
    items = list(items)
    if max_names is not None and len(items) > max_names:
        rest = len(items) - max_names
        items = items[:max_names] + [_plural(t, "more", rest)]
    if len(items) <= 1:
        return "".join(items)
    # Names such as "Life expectancy at birth, total" hold commas: separate with semicolons.
    if len(items) > 2 and any("," in item for item in items):
        return "; ".join(items[:-1]) + ";" + t["and"] + items[-1]
    return ", ".join(items[:-1]) + t["and"] + items[-1]


def _missing(value: object) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def format_number(value: float, lang: str = "en") -> str:
    """Format a value for prose: 1 decimal from 10, 2 decimals from 1, else 3 significant.

    Vietnamese uses a decimal comma and a dot as thousands separator (``1.234,5``).
    """
    v = float(value)
    a = abs(v)
    if a >= 10:
        s = f"{v:,.1f}"
    elif a >= 1:
        s = f"{v:.2f}"
    elif a == 0:
        s = "0"
    else:
        s = f"{v:.3g}"
    if lang == "vi":
        s = s.translate(str.maketrans({",": ".", ".": ","}))
    return s


def _pct(share: float) -> str:
    return f"{round(100 * share)}%"


def prose_name(catalogue: Catalogue, indicator: str, lang: str = "en") -> str:
    """Indicator name for sentences in ``lang``: the name without a trailing parenthesis."""
    if indicator not in catalogue.indicators.index:
        return str(indicator)
    name = i18n.indicator_name(catalogue, indicator, lang)
    short = _TRAILING_PAREN.sub("", name)
    return short or name


def _country_name(iso3: str, lang: str) -> str:
    try:
        return registry.display_name(iso3, lang)
    except KeyError:
        return str(iso3)


def _char_name(catalogue: Catalogue, code: str, lang: str) -> str:
    chars = catalogue.characteristics
    col = "name_vi" if lang == "vi" and "name_vi" in chars else "name"
    if code in chars.index:
        return str(chars.at[code, col])
    return str(code)


def _characteristic(frame: pd.DataFrame, catalogue: Catalogue) -> pd.Series:
    """Characteristic per row: the frame's column where set, else the catalogue's."""
    from_cat = frame["indicator"].astype(str).map(catalogue.indicators["characteristic"])
    if "characteristic" in frame:
        given = frame["characteristic"].astype("string").fillna("")
        return given.where(given.ne(""), from_cat).fillna("").astype(str)
    return from_cat.fillna("").astype(str)


def _directional_cagr(frame: pd.DataFrame, catalogue: Catalogue) -> pd.Series:
    """``cagr × (+1 if an increase is desirable else −1)``: positive = improvement."""
    direction = frame["indicator"].astype(str).map(catalogue.indicators["direction"])
    sign = direction.map({"increase": 1.0, "decrease": -1.0})
    return pd.to_numeric(frame["cagr"], errors="coerce").astype(float) * sign.astype(float)


def _has_target(frame: pd.DataFrame, catalogue: Catalogue) -> pd.Series:
    """True where the row or the catalogue gives a target (value or kind)."""
    ids = frame["indicator"].astype(str)
    table = catalogue.indicators
    cat_value = ids.map(table["target_value"]).notna()
    kind = ids.map(table["target_kind"]) if "target_kind" in table else None
    cat_kind = kind.fillna("").astype(str).ne("") if kind is not None else False
    return frame["target_value"].notna() | cat_value | cat_kind


def _source_lookup(obs: pd.DataFrame | None, country: str | None = None) -> dict:
    """``(country, indicator, year) → source``: of the rows with that key, a selected one
    before the others, then the first source in sorted order (missing sources last)."""
    if obs is None or len(obs) == 0:
        return {}
    require_columns(obs, ("country", "indicator", "year", "source"), "obs")
    mine = slice(None) if country is None else (obs["country"] == country).to_numpy(bool)
    selected = (
        obs["selected"].astype(bool).to_numpy()[mine]
        if "selected" in obs
        else np.ones(len(obs), bool)[mine]
    )
    columns = [obs[c].to_numpy(dtype=object)[mine] for c in ("country", "indicator", "year")]
    best: dict[tuple, tuple[tuple, object]] = {}
    # One pass over plain values (a sort and a de-duplication of the frame cost more).
    for c, i, y, sel, src in zip(*columns, selected, obs["source"].to_numpy(object)[mine],
                                 strict=True):  # fmt: skip
        missing = _missing(src)
        rank = (not sel, missing, "" if missing else str(src))
        if (c, i, y) not in best or rank < best[(c, i, y)][0]:
            best[(c, i, y)] = (rank, src)
    return {(str(c), str(i), int(y)): str(src) for (c, i, y), (_, src) in best.items()}


def _assessment_source(row: Mapping[str, Any], lookup: dict) -> str:
    if not _missing(row["latest_year"]):
        key = (str(row["country"]), str(row["indicator"]), int(row["latest_year"]))
        if key in lookup:
            return lookup[key]
    for col in ("latest_source", "source"):
        if col in row and not _missing(row[col]) and str(row[col]):
            return str(row[col])
    return ""


def _unit(catalogue: Catalogue, indicator: str, lang: str) -> str:
    if indicator not in catalogue.indicators.index:
        return ""
    return i18n.indicator_unit(catalogue, indicator, lang)


def _movement_sentence(
    row: Mapping[str, Any], catalogue: Catalogue, source: str, t: dict, lang: str
):
    v0, v1 = float(row["baseline_value"]), float(row["latest_value"])
    key = "rose" if v1 > v0 else "fell" if v1 < v0 else "flat"
    ind = str(row["indicator"])
    text = t[key].format(
        name=prose_name(catalogue, ind, lang),
        v0=format_number(v0, lang),
        v1=format_number(v1, lang),
        y0=int(row["baseline_year"]),
        y1=int(row["latest_year"]),
    )
    unit = _unit(catalogue, ind, lang)
    if source:
        return text + t["cite"].format(unit=unit, source=source)
    return text + t["cite_nosource"].format(unit=unit)


# --------------------------------------------------------------------------- country
def _years_of(rows: pd.DataFrame) -> list[int]:
    """Baseline and latest years of the rows (the years a sentence cites by default)."""
    return [int(y) for c in ("baseline_year", "latest_year") for y in rows[c] if not _missing(y)]


def _country_finding(
    kind: str,
    text: str,
    rows: pd.DataFrame,
    country: str,
    severity: str = "info",
    *,
    years: list[int] | None = None,
    indicators: list[str] | None = None,
    sources: list[str] | None = None,
) -> Finding:
    """A finding about ``rows`` of one country; evidence defaults to what the rows hold."""
    if sources is None:
        sources = list(rows["_source"]) if "_source" in rows else []
    return Finding(
        kind=kind,
        text=text,
        indicators=list(rows["indicator"].astype(str)) if indicators is None else indicators,
        years=_years_of(rows) if years is None else years,
        sources=sources,
        severity=severity,
        country=country,
    )


def _country_rows(
    assessment: pd.DataFrame,
    avail: pd.DataFrame,
    catalogue: Catalogue,
    country: str,
    obs: pd.DataFrame | None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The country's assessment rows (with characteristic, directional CAGR and source)
    and availability rows, both sorted by indicator."""
    # Only the columns read below: every selection copies each column, and an assessment
    # has about forty (most of this function's time went to copying unused ones).
    used = [c for c in _COUNTRY_COLUMNS if c in assessment.columns]
    a = assessment.loc[assessment["country"].astype(str) == country, used].copy()
    a = a.sort_values("indicator", kind="stable").reset_index(drop=True)
    av = avail.loc[avail["country"].astype(str) == country]
    av = av.sort_values("indicator", kind="stable").reset_index(drop=True)
    lookup = _source_lookup(obs, country)
    a["_char"] = _characteristic(a, catalogue)
    a["_dcagr"] = _directional_cagr(a, catalogue)
    a["_source"] = [_assessment_source(r, lookup) for r in a.to_dict("records")]
    return a, av


@dataclass(frozen=True)
class _Evidence:
    """Per assessment row, what a finding cites: indicator, baseline and latest year, source."""

    indicators: list[str]
    baseline_years: list[Any]
    latest_years: list[Any]
    sources: list[Any]

    @classmethod
    def of(cls, a: pd.DataFrame) -> _Evidence:
        return cls(list(a["indicator"].astype(str)), list(a["baseline_year"]),
                   list(a["latest_year"]), list(a["_source"]))  # fmt: skip

    def finding(
        self, kind: str, text: str, rows: Sequence[int], country: str, severity: str = "info"
    ) -> Finding:
        """:func:`_country_finding` of the rows at positions ``rows``, without selecting them
        from the frame (its defaults: all baseline years, then all latest years)."""
        years = [int(y) for col in (self.baseline_years, self.latest_years)
                 for y in (col[r] for r in rows) if not _missing(y)]  # fmt: skip
        return Finding(kind=kind, text=text, indicators=[self.indicators[r] for r in rows],
                       years=years, sources=[self.sources[r] for r in rows],
                       severity=severity, country=country)  # fmt: skip


def _progress_summaries(
    a: pd.DataFrame, catalogue: Catalogue, t: dict, lang: str, country: str
) -> list[Finding]:
    """``progress_summary``: status counts per characteristic of one country."""
    evidence = _Evidence.of(a)
    char = list(a["_char"])
    status = list(a["status"].astype(str))
    out = []
    for code in sorted({c for c in char if c}):
        rows = [r for r, c in enumerate(char) if c == code]
        assessable = [r for r in rows if status[r] in ASSESSABLE]
        n = len(assessable)
        name = _char_name(catalogue, code, lang)
        if n == 0:
            text = _plural(t, "summary_none", len(rows), char=name)
            out.append(evidence.finding("progress_summary", text, rows, country, "warning"))
            continue
        s = [status[r] for r in assessable]
        text = t["summary"].format(
            n=n,
            indicators=t["indicators"][0 if n == 1 else 1],
            char=name,
            on=_plural(t, "on", sum(x in ON_TRACK for x in s)),
            acc=_plural(t, "acc", sum(x in NEEDS_ACCELERATION for x in s)),
            reg=_plural(t, "reg", sum(x in REGRESSING for x in s)),
        )
        severity = "warning" if any(x in REGRESSING for x in s) else "info"
        out.append(evidence.finding("progress_summary", text, assessable, country, severity))
    return out


def _targets_met(
    a: pd.DataFrame, catalogue: Catalogue, t: dict, lang: str, country: str, max_names: int
) -> list[Finding]:
    """``target_met``: the indicators whose target is already reached."""
    met = a.loc[a["status"].astype(str) == "target_met"]
    if not len(met):
        return []
    names = [prose_name(catalogue, i, lang) for i in met["indicator"].astype(str)]
    text = _plural(
        t,
        "target_met",
        len(met),
        country=_country_name(country, lang),
        names=_join(names, t, max_names),
    )
    years = [int(y) for y in met["latest_year"].dropna()]
    return [_country_finding("target_met", text, met, country, years=years)]


#: The status columns of :func:`mtr_analysis.analysis.robustness.robustness` per method.
_METHOD_COLUMNS = {"unsd": "status_unsd", "escap": "status_escap", "ols": "status_ols"}


def _robust_on_track(
    a: pd.DataFrame, catalogue: Catalogue, t: dict, country: str, max_names: int
) -> list[Finding]:
    """``robust_on_track``: indicators on track under all three methods; and
    ``fragile_on_track``: on track under the report's method only (treat with caution).
    Needs the robustness columns of the assessment; none without them."""
    if not set(_METHOD_COLUMNS.values()) <= set(a.columns) or "method" not in a.columns:
        return []
    on = pd.DataFrame({m: a[c].astype(str).isin(ON_TRACK) for m, c in _METHOD_COLUMNS.items()})
    chosen = str(a["method"].iloc[0]) if len(a) else "unsd"
    others = [m for m in _METHOD_COLUMNS if m != chosen]
    groups = [
        ("robust_on_track", on.all(axis=1), "info"),
        ("fragile_on_track", on[chosen] & ~on[others].any(axis=1), "warning"),
    ]
    out = []
    for kind, mask, severity in groups:
        rows = a.loc[mask.to_numpy()]
        if not len(rows):
            continue
        names = _join([prose_name(catalogue, i) for i in rows["indicator"].astype(str)], t,
                      max_names)  # fmt: skip
        text = t[kind].format(names=names, method=chosen.upper())
        out.append(_country_finding(kind, text, rows, country, severity))
    return out


def _largest_movements(
    a: pd.DataFrame, catalogue: Catalogue, t: dict, lang: str, country: str, top_n: int
) -> list[Finding]:
    """``largest_improvement`` and ``largest_regression`` by directional CAGR."""
    movable = a.loc[
        a["_dcagr"].map(math.isfinite)
        & a["baseline_value"].notna()
        & a["latest_value"].notna()
        & a["baseline_year"].notna()
        & a["latest_year"].notna()
    ]
    up = movable.loc[movable["_dcagr"] > 0].sort_values(
        ["_dcagr", "indicator"], ascending=[False, True], kind="stable"
    )
    down = movable.loc[movable["_dcagr"] < 0].sort_values(
        ["_dcagr", "indicator"], ascending=[True, True], kind="stable"
    )
    evidence = _Evidence.of(a)
    out = []
    for kind, chosen, severity in (
        ("largest_improvement", up, "info"),
        ("largest_regression", down, "warning"),
    ):
        top = chosen.head(top_n)
        # One finding per row; the row labels are positions in ``a`` (index reset).
        for pos, row in zip(top.index, top.to_dict("records"), strict=True):
            text = _movement_sentence(row, catalogue, row["_source"], t, lang)
            out.append(evidence.finding(kind, text, [pos], country, severity))
    return out


def _data_gaps(av: pd.DataFrame, t: dict, lang: str, country: str) -> list[Finding]:
    """``data_gap``: counts of indicators without data, with one point or stale."""
    gap = av["gap_category"].astype(str)
    counts = {k: int(gap.eq(k).sum()) for k in GAP_KINDS}
    gap_rows = av.loc[gap.isin(GAP_KINDS)]
    total = len(av)
    name = _country_name(country, lang)
    if not len(gap_rows):
        text = t["gap_none"].format(country=name, total=total)
        return [_country_finding("data_gap", text, av, country, years=[], sources=[])]
    text = t["gap"].format(
        country=name,
        total=total,
        indicators=t["indicators"][0 if total == 1 else 1],
        no_data=_plural(t, "gap_no_data", counts["no_data"]),
        single=_plural(t, "gap_single", counts["single_point"]),
        stale=_plural(t, "gap_stale", counts["stale"]),
    )
    years = [int(y) for y in gap_rows.get("latest_year", pd.Series()).dropna()]
    finding = _country_finding(
        "data_gap", text, gap_rows, country, "warning", years=years, sources=[]
    )
    return [finding]


def _series_breaks(
    av: pd.DataFrame, catalogue: Catalogue, t: dict, country: str, max_names: int, lang: str
) -> list[Finding]:
    """``series_break``: indicators whose series changes source or definition."""
    if "has_break" not in av:
        return []
    broken = av.loc[av["has_break"].fillna(False).astype(bool)]
    if not len(broken):
        return []
    names = [prose_name(catalogue, i, lang) for i in broken["indicator"].astype(str)]
    text = _plural(t, "breaks", len(broken), names=_join(names, t, max_names))
    years = [
        int(y)
        for col in ("first_year", "latest_year")
        if col in broken
        for y in broken[col].dropna()
    ]
    return [_country_finding("series_break", text, broken, country, years=years, sources=[])]


def _data_priorities(
    a: pd.DataFrame, catalogue: Catalogue, t: dict, country: str, max_names: int, lang: str
) -> list[Finding]:
    """``data_priority``: indicators with a target that cannot be assessed (no data first)."""
    blocked = a.loc[a["status"].astype(str).isin(NOT_ASSESSABLE) & _has_target(a, catalogue)]
    if not len(blocked):
        return []
    blocked = blocked.assign(_nodata=blocked["status"].astype(str).ne("no_data"))
    blocked = blocked.sort_values(["_nodata", "indicator"], kind="stable")
    names = [prose_name(catalogue, i, lang) for i in blocked["indicator"].astype(str)]
    text = _plural(t, "priority", len(blocked), names=_join(names, t, max_names))
    return [_country_finding("data_priority", text, blocked, country, "priority")]


def _check_top_n(top_n: object) -> None:
    if not isinstance(top_n, int) or top_n < 0:
        raise ValueError(f"top_n must be a non-negative integer; got {top_n!r}")


def country_findings(
    assessment: pd.DataFrame,
    avail: pd.DataFrame,
    catalogue: Catalogue,
    country: str,
    obs: pd.DataFrame | None = None,
    lang: str = "en",
    top_n: int = 3,
    max_names: int = 10,
) -> list[Finding]:
    """Plain-language findings for one member state.

    Parameters
    ----------
    assessment : pandas.DataFrame
        Output of ``trends.assess`` (may hold several countries; ``country`` is selected).
    avail : pandas.DataFrame
        Output of ``gaps.availability`` (may hold several countries).
    catalogue : Catalogue
        Gives names, units, desirable directions, characteristics and targets.
    country : str
        ISO3 code of the member state.
    obs : pandas.DataFrame, optional
        Tidy observations; the source of each latest value is cited when given.
    lang : {"en", "vi"}
        Language of the sentences.
    top_n : int
        How many largest improvements and regressions to report (each).
    max_names : int
        Longest list of indicator names written out in one sentence; the rest are counted.

    Returns
    -------
    list of Finding
        In this order: one ``progress_summary`` per characteristic (A–E), ``target_met``,
        ``robust_on_track``, ``fragile_on_track``, ``largest_improvement`` (best first), ``largest_regression`` (worst first),
        ``data_gap``, ``series_break``, ``data_priority``. Kinds without evidence are left
        out.

    Notes
    -----
    Directional CAGR ``g_d = D · CAGR`` with ``D = +1`` when an increase is desirable and
    ``−1`` when a decrease is; improvements are the ``top_n`` largest ``g_d > 0``,
    regressions the ``top_n`` smallest ``g_d < 0`` (ties broken by indicator id).
    """
    t = _check_lang(lang)
    require_columns(assessment, _ASSESSMENT_COLUMNS, "assessment")
    require_columns(avail, _AVAIL_COLUMNS, "avail")
    _check_top_n(top_n)
    country = str(country)
    a, av = _country_rows(assessment, avail, catalogue, country, obs)
    out = _progress_summaries(a, catalogue, t, lang, country)
    out += _targets_met(a, catalogue, t, lang, country, max_names)
    out += _robust_on_track(a, catalogue, t, country, max_names)
    out += _largest_movements(a, catalogue, t, lang, country, top_n)
    av_cat = av.loc[av["indicator"].astype(str).isin(catalogue.indicators.index)]
    if len(av_cat):
        out += _data_gaps(av_cat, t, lang, country)
        out += _series_breaks(av_cat, catalogue, t, country, max_names, lang)
    out += _data_priorities(a, catalogue, t, country, max_names, lang)
    return out


# --------------------------------------------------------------------------- regional
def _regional_rows(
    assessment: pd.DataFrame,
    avail: pd.DataFrame,
    catalogue: Catalogue,
    obs: pd.DataFrame | None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All assessment rows (with characteristic, directional CAGR and source) and the
    availability rows of catalogue indicators, sorted."""
    a = assessment.sort_values(["indicator", "country"], kind="stable").reset_index(drop=True)
    a = a.assign(_char=_characteristic(a, catalogue), _dcagr=_directional_cagr(a, catalogue))
    lookup = _source_lookup(obs)
    a["_source"] = [_assessment_source(r, lookup) for r in a.to_dict("records")]
    av = avail.loc[avail["indicator"].astype(str).isin(catalogue.indicators.index)]
    av = av.sort_values(["country", "indicator"], kind="stable").reset_index(drop=True)
    return a, av


def _regional_summaries(a: pd.DataFrame, catalogue: Catalogue, t: dict, lang: str) -> list[Finding]:
    """``progress_summary``: shares of country × indicator pairs per status group, per
    characteristic."""
    out = []
    for code in sorted(c for c in a["_char"].unique() if c):
        rows = a.loc[a["_char"] == code]
        assessable = rows.loc[rows["status"].astype(str).isin(ASSESSABLE)]
        char = _char_name(catalogue, code, lang)
        n = len(assessable)
        if n == 0:
            text = t["r_summary_none"].format(char=char)
            severity = "warning"
        else:
            sa = assessable["status"].astype(str)
            text = t["r_summary"].format(
                n=n,
                pairs=t["pairs"][0 if n == 1 else 1],
                char=char,
                on=_pct(sa.isin(ON_TRACK).sum() / n),
                acc=_pct(sa.isin(NEEDS_ACCELERATION).sum() / n),
                reg=_pct(sa.isin(REGRESSING).sum() / n),
            )
            severity = "warning" if sa.isin(REGRESSING).any() else "info"
        indicators = sorted(set(assessable["indicator"].astype(str)))
        sources = list(assessable["_source"])
        out.append(
            Finding("progress_summary", text, indicators, _years_of(assessable), sources, severity)
        )
    return out


def _regional_robustness(a: pd.DataFrame, t: dict) -> list[Finding]:
    """``regional_robustness``: share of the judged statuses that are robust, and how many
    pairs are on track under all three methods."""
    if "robustness" not in a.columns:
        return []
    code = a["robustness"].astype(str)
    judged = a.loc[code.ne("not_assessed") & code.ne("") & code.ne("<NA>")]
    if not len(judged):
        return []
    robust = judged["robustness"].astype(str).eq("robust")
    all_three = pd.Series(True, index=judged.index)
    for column in _METHOD_COLUMNS.values():
        if column in judged.columns:
            all_three &= judged[column].astype(str).isin(ON_TRACK)
    text = t["r_robust"].format(
        n=len(judged), k=int(robust.sum()), pct=_pct(robust.mean()), on=int(all_three.sum())
    )
    severity = "info" if robust.mean() >= 0.5 else "warning"
    return [Finding("regional_robustness", text, sorted(set(judged["indicator"].astype(str))),
                    _years_of(judged), severity=severity)]  # fmt: skip


def _regional_assessability(
    a: pd.DataFrame,
    av: pd.DataFrame,
    catalogue: Catalogue,
    t: dict,
    max_names: int,
    settings: Settings | None,
    lang: str,
) -> list[Finding]:
    """``regional_assessability`` (ESCAP rule) and ``data_priority`` for the indicators
    with a target that the rule leaves unassessable."""
    escap = regional_assessability(av, settings=settings).set_index("indicator").sort_index()
    k, n = int(escap["assessable"].sum()), len(escap)
    text = t["r_escap"].format(k=k, n=n, pct=_pct(k / n))
    severity = "info" if k > n / 2 else "warning"
    out = [
        Finding(
            "regional_assessability",
            text,
            list(escap.index[escap["assessable"]]),
            severity=severity,
        )
    ]
    blocked_ids = escap.index[~escap["assessable"]]
    frame = pd.DataFrame({"indicator": blocked_ids, "target_value": float("nan")})
    if "target_value" in a:
        tv = a.dropna(subset=["target_value"]).drop_duplicates("indicator")
        frame["target_value"] = frame["indicator"].map(
            tv.set_index(tv["indicator"].astype(str))["target_value"]
        )
    blocked = frame.loc[_has_target(frame, catalogue)].sort_values("indicator")
    if len(blocked):
        names = [prose_name(catalogue, i, lang) for i in blocked["indicator"]]
        text = _plural(t, "r_priority", len(blocked), names=_join(names, t, max_names))
        out.append(Finding("data_priority", text, list(blocked["indicator"]), severity="priority"))
    return out


def _regional_gaps(av: pd.DataFrame, t: dict, lang: str, top_n: int) -> list[Finding]:
    """``data_gap``: the ``top_n`` member states with the most data gaps."""
    gap = av["gap_category"].astype(str).isin(GAP_KINDS)
    per = pd.DataFrame(
        {
            "gaps": gap.groupby(av["country"].astype(str)).sum(),
            "n": av.groupby(av["country"].astype(str)).size(),
        }
    )
    per = per.loc[per["gaps"] > 0].reset_index(names="country")
    per = per.sort_values(["gaps", "country"], ascending=[False, True], kind="stable")
    top = per.head(top_n)
    if not len(top):
        return []
    items = [
        t["r_gap_item"].format(country=_country_name(c, lang), k=int(g), n=int(m))
        for c, g, m in zip(top["country"], top["gaps"], top["n"], strict=True)
    ]
    gap_ids = av.loc[gap & av["country"].astype(str).isin(top["country"]), "indicator"]
    text = t["r_gaps"].format(items=_join(items, t))
    return [Finding("data_gap", text, sorted(set(gap_ids.astype(str))), severity="warning")]


def _movement_stats(moved: pd.DataFrame) -> pd.DataFrame:
    """Per indicator with two or more CAGRs: median directional CAGR, count, ups, downs."""
    grouped = moved.groupby(moved["indicator"].astype(str))
    stats = pd.DataFrame(
        {
            "median": grouped["_dcagr"].median(),
            "n": grouped.size(),
            "up": grouped["_dcagr"].apply(lambda s: int((s > 0).sum())),
            "down": grouped["_dcagr"].apply(lambda s: int((s < 0).sum())),
        }
    )
    return stats.loc[stats["n"] >= 2].reset_index(names="indicator")


def _regional_movements(
    a: pd.DataFrame, catalogue: Catalogue, t: dict, top_n: int, lang: str
) -> list[Finding]:
    """``regional_improvement`` and ``regional_regression`` by median directional CAGR."""
    moved = a.loc[a["_dcagr"].map(math.isfinite)]
    if not len(moved):
        return []
    stats = _movement_stats(moved)
    best = stats.loc[stats["median"] > 0].sort_values(
        ["median", "indicator"], ascending=[False, True], kind="stable"
    )
    worst = stats.loc[stats["median"] < 0].sort_values(
        ["median", "indicator"], ascending=[True, True], kind="stable"
    )
    out = []
    for kind, chosen, key, count, severity in (
        ("regional_improvement", best, "r_improve", "up", "info"),
        ("regional_regression", worst, "r_regress", "down", "warning"),
    ):
        for _, row in chosen.head(top_n).iterrows():
            rows = moved.loc[moved["indicator"].astype(str) == row["indicator"]]
            yrs = _years_of(rows)
            text = t[key].format(
                name=prose_name(catalogue, row["indicator"], lang),
                k=int(row[count]),
                n=int(row["n"]),
                y0=min(yrs) if yrs else "",
                y1=max(yrs) if yrs else "",
            )
            span = [min(yrs), max(yrs)] if yrs else []
            sources = list(rows["_source"])
            out.append(Finding(kind, text, [row["indicator"]], span, sources, severity))
    return out


def regional_findings(
    assessment: pd.DataFrame,
    avail: pd.DataFrame,
    catalogue: Catalogue,
    lang: str = "en",
    top_n: int = 3,
    obs: pd.DataFrame | None = None,
    max_names: int = 10,
    settings: Settings | None = None,
) -> list[Finding]:
    """Plain-language findings for the region (all member states in the inputs).

    Parameters
    ----------
    assessment, avail : pandas.DataFrame
        Outputs of ``trends.assess`` and ``gaps.availability`` for all member states.
    catalogue : Catalogue
    lang : {"en", "vi"}
    top_n : int
        How many countries with the most gaps, and indicators with the largest regional
        improvements and regressions, to report.
    obs : pandas.DataFrame, optional
        Tidy observations; cites the sources of the latest values when given.
    max_names : int
        Longest list of indicator names written out in one sentence.
    settings : mtr_analysis.settings.Settings, optional
        Method settings (default: ``config/methods.yaml``); the ESCAP regional rule reads
        ``escap.min_share`` and ``escap.min_points``.

    Returns
    -------
    list of Finding
        ``progress_summary`` per characteristic (country ``""``), ``regional_robustness``
        (how many judged statuses are the same under every method, baseline year ±1 and
        vintage; needs the ``robustness`` column), ``regional_assessability``,
        ``data_priority`` (targets not assessable regionally), ``data_gap`` (countries with
        most gaps), ``regional_improvement``, ``regional_regression``.

    Notes
    -----
    ESCAP rule: an indicator is assessable for the region when more than ``escap.min_share``
    of the member states in ``avail`` have at least ``escap.min_points`` values.
    Regional movement of an indicator: the median directional CAGR over the member states
    with a CAGR (at least two); the sentence counts the states that improved
    (``D · CAGR > 0``) or moved the wrong way.
    """
    t = _check_lang(lang)
    require_columns(assessment, _ASSESSMENT_COLUMNS, "assessment")
    require_columns(avail, _AVAIL_COLUMNS, "avail")
    _check_top_n(top_n)
    a, av = _regional_rows(assessment, avail, catalogue, obs)
    out = _regional_summaries(a, catalogue, t, lang)
    out += _regional_robustness(a, t)
    if len(av):
        out += _regional_assessability(a, av, catalogue, t, max_names, settings, lang)
        out += _regional_gaps(av, t, lang, top_n)
    out += _regional_movements(a, catalogue, t, top_n, lang)
    return out


# --------------------------------------------------------------------------- output
def findings_to_json(findings: Iterable[Finding]) -> str:
    """Deterministic JSON (sorted keys, UTF-8 text kept, indent 2) of a list of findings."""
    return json.dumps([f.to_dict() for f in findings], sort_keys=True, ensure_ascii=False, indent=2)


def findings_from_json(text: str) -> list[Finding]:
    """Read back the output of :func:`findings_to_json`."""
    return [Finding.from_dict(d) for d in json.loads(text)]


def findings_to_frame(findings: Iterable[Finding]) -> pd.DataFrame:
    """One row per finding; list fields joined with ``"; "`` (for CSV and tables)."""
    rows = []
    for f in findings:
        d = f.to_dict()
        for col in ("indicators", "years", "sources"):
            d[col] = "; ".join(str(v) for v in d[col])
        rows.append(d)
    cols = ["country", "kind", "severity", "text", "indicators", "years", "sources"]
    return pd.DataFrame(rows, columns=cols)


# --------------------------------------------------------------------------- comparison
def _count_noun(t: dict, country: str, n: int) -> str:
    """ "indicator(s)" for one member state, "country–indicator pair(s)" for the region."""
    return t["indicators" if country else "pairs"][0 if n == 1 else 1]


def comparison_findings(
    comparison: pd.DataFrame,
    catalogue: Catalogue,
    lang: str = "en",
    country: str = "",
    years: Sequence[int] = (),
    max_names: int = 10,
) -> list[Finding]:
    """What changed since the mid-term review, in plain language (issue 13, item 1).

    Parameters
    ----------
    comparison : pandas.DataFrame
        :func:`mtr_analysis.analysis.comparison.compare` (every member state, or one).
    catalogue : Catalogue
        Gives the indicator names of the revision finding.
    lang : {"en", "vi"}
    country : str
        ISO3 code: the findings of that member state (counts of indicators); ``""``: the
        region (counts of country × indicator pairs).
    years : sequence of int
        The years the findings cite: the cut-offs of the two reviews.
    max_names : int
        Longest list of names written out in one sentence.

    Returns
    -------
    list of Finding
        ``comparison_summary`` ("Since the mid-term review, 7 indicators moved from needing
        acceleration to on track; 3 regressed": *regressed* counts the pairs whose status
        is worse, :data:`~mtr_analysis.analysis.comparison.TRANSITIONS`),
        ``comparison_detail`` (improved / unchanged / worsened among pairs assessable in
        both reviews), ``comparison_assessability`` (newly and no longer assessable),
        ``comparison_gaps`` (data gaps closed and opened), and with a ``change_source``
        column ``comparison_revision`` (status changed by revisions of old years only).
        Sentences whose counts are all zero are left out.
    """
    t = _check_lang(lang)
    require_columns(comparison, ("country", "indicator", "transition", "gap_change"), "comparison")
    rows = comparison
    if country:
        rows = comparison.loc[comparison["country"].astype(str) == str(country)]
    moved = rows["transition"].astype(str)
    mid = rows["status_mid_term"].astype(str)
    end = rows["status_end_term"].astype(str)
    up = rows.loc[mid.isin(NEEDS_ACCELERATION) & end.isin(ON_TRACK)]
    worse = rows.loc[moved.eq("worsened")]
    both = rows.loc[mid.isin(ASSESSABLE) & end.isin(ASSESSABLE)]

    def finding(kind: str, text: str, cited: pd.DataFrame, severity: str = "info") -> Finding:
        ids = sorted(set(cited["indicator"].astype(str)))
        return Finding(kind, text, ids, list(years), [], severity, str(country))

    out = []
    if len(up) or len(worse):
        text = t["cmp_summary"].format(
            up=len(up), items_up=_count_noun(t, country, len(up)), worse=len(worse)
        )
        out.append(finding("comparison_summary", text, pd.concat([up, worse]),
                           "warning" if len(worse) else "info"))  # fmt: skip
    if len(both):
        counts = both["transition"].astype(str).value_counts()
        text = t["cmp_detail"].format(
            n=len(both), items=_count_noun(t, country, len(both)),
            better=int(counts.get("improved", 0)), same=int(counts.get("unchanged", 0)),
            worse=int(counts.get("worsened", 0)),
        )  # fmt: skip
        out.append(finding("comparison_detail", text, both))
    out += _comparison_more(rows, catalogue, t, lang, country, max_names, finding)
    return out


def _comparison_more(
    rows: pd.DataFrame,
    catalogue: Catalogue,
    t: dict,
    lang: str,
    country: str,
    max_names: int,
    finding: Callable[..., Finding],
) -> list[Finding]:
    """The assessability, data-gap and revision findings of :func:`comparison_findings`."""
    out = []
    moved = rows["transition"].astype(str)
    new = rows.loc[moved.eq("newly_assessable")]
    lost = rows.loc[moved.eq("no_longer_assessable")]
    if len(new) or len(lost):
        text = t["cmp_assessable"].format(
            new=len(new), items_new=_count_noun(t, country, len(new)), lost=len(lost)
        )
        out.append(finding("comparison_assessability", text, pd.concat([new, lost])))
    gap = rows["gap_change"].astype(str)
    closed, opened = rows.loc[gap.eq("closed")], rows.loc[gap.eq("opened")]
    if len(closed) or len(opened):
        text = _plural(t, "cmp_gaps", len(closed), opened=len(opened))
        out.append(finding("comparison_gaps", text, pd.concat([closed, opened])))
    if "change_source" in rows:
        revised = rows.loc[rows["change_source"].astype(str).eq("revision")]
        if len(revised):
            names = [
                prose_name(catalogue, i, lang) + ("" if country else f" ({c})")
                for c, i in zip(revised["country"], revised["indicator"], strict=True)
            ]
            text = _plural(t, "cmp_revision", len(revised), names=_join(names, t, max_names))
            out.append(finding("comparison_revision", text, revised, "warning"))
    return out
