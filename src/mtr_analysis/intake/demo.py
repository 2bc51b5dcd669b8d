"""``mtr demo``: deterministic synthetic inputs in real source formats.

The demo data let ``make report`` run offline on a fresh machine through the real intake
path. They are **synthetic, not official statistics**: every file says so (the WDI
preamble's ``Data Source``, the national workbook's status cell), the ``source`` of every
value contains ``DEMO``, and every report made from them shows a banner.

Gaps are realistic on purpose: missing baselines, single points, survey-sparse series,
stale series, countries with no data, a text entry in a number cell, and a change of
source inside the review window (the national submission for Viet Nam replaces WDI from
2016), which the gap analysis reports as a series break. Regenerating gives identical bytes.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from mtr_analysis.intake.sources import national, wdi
from mtr_analysis.paths import (
    COMPLETE_MARKER,
    DEMO_DIR,
    DEMO_NATIONAL_PATTERN,
    DEMO_README,
    DEMO_WDI_PATTERN,
    NATIONAL_SUBDIR,
    WDI_SUBDIR,
)
from mtr_analysis.reference import registry
from mtr_analysis.reference.catalogue import Catalogue, load_catalogue
from mtr_analysis.settings import default_settings

DEMO_LABEL = "DEMO: synthetic data, not official statistics"
WDI_META = {
    "Data Source": f"World Development Indicators ({DEMO_LABEL})",
    "Last Updated Date": "2026-01-01",
}
YEARS = tuple(range(1960, 2026))
#: Non-members and aggregates written alongside the member states, as in real downloads.
OTHER_ROWS = (
    ("China", "CHN"),
    ("India", "IND"),
    ("Japan", "JPN"),
    ("Korea, Rep.", "KOR"),
    ("East Asia & Pacific", "EAS"),
    ("Upper middle income", "UMC"),
    ("World", "WLD"),
)
NATIONAL_COUNTRY = "VNM"
NATIONAL_YEARS = range(2016, 2021)


def _rng(*keys: str) -> np.random.Generator:
    """A generator seeded from the keys (crc32 is stable across runs, unlike ``hash``)."""
    return np.random.default_rng(zlib.crc32("|".join(keys).encode("utf-8")))


def _level_and_kind(unit: str) -> tuple[float, float, str]:
    u = unit.lower()
    if "-2.5 to 2.5" in u:
        return -1.0, 1.2, "additive"
    if "(0-1)" in u:
        return 0.4, 0.75, "bounded1"
    if "per year" in u:
        return -1.0, 5.0, "noise"
    if "years" in u:
        return 62.0, 80.0, "additive"
    if "100,000" in u:
        return 20.0, 350.0, "ratio"
    if "1,000" in u:
        return 2.0, 70.0, "ratio"
    if "%" in u or "0-100" in u or "1-100" in u:
        return 5.0, 90.0, "bounded100"
    return 1.0, 50.0, "ratio"


def synthetic_series(
    iso3: str, indicator: str, unit: str, direction: str, full: bool = False
) -> dict[int, float]:
    """A synthetic annual series (year → value) with a country-specific gap pattern.

    With ``full=True`` every year 2000–2024 is returned (no gaps): the values a series
    ordered below this one is derived from (:func:`demo_series`).

    Notes
    -----
    Level drawn from a unit-dependent range; relative annual change ``r`` drawn in the
    desirable direction (15 % of series go the wrong way); multiplicative noise of 1 %.
    Gap patterns: annual to a recent year (55 %), survey-sparse every 3–5 years (12 %),
    missing baseline (starts 2018, 8 %), single point (6 %), stale (ends 2013, 7 %), no
    data (12 %).
    """
    rng = _rng(iso3, indicator)
    lo, hi, kind = _level_and_kind(unit)
    level = rng.uniform(lo, hi)
    sign = 1.0 if direction == "increase" else -1.0
    if rng.random() < 0.15:
        sign = -sign
    rate = sign * rng.uniform(0.004, 0.045)
    t = np.arange(2000, 2025)
    if kind == "additive":
        span = hi - lo
        values = level + sign * rng.uniform(0.002, 0.02) * span * (t - 2000)
    elif kind == "noise":
        values = level + rng.normal(0, 1.0, len(t))
    else:
        values = level * (1 + rate) ** (t - 2000)
    values = values * (1 + rng.normal(0, 0.01, len(t)))
    if kind == "bounded100":
        values = np.clip(values, 0.2, 99.8)
    if kind == "bounded1":
        values = np.clip(values, 0.05, 0.99)
    if full:
        return {int(y): float(round(v, 6)) for y, v in zip(t, values)}

    draw = rng.random()
    if draw < 0.55:
        last = int(rng.integers(2019, 2025))
        keep = t <= last
    elif draw < 0.67:
        step = int(rng.integers(3, 6))
        start = int(rng.integers(2000, 2005))
        keep = ((t - start) % step == 0) & (t >= start) & (t <= 2023)
    elif draw < 0.75:
        keep = (t >= 2018) & (t <= 2023)
    elif draw < 0.81:
        keep = t == int(rng.integers(2012, 2023))
    elif draw < 0.88:
        keep = t <= 2013
    else:
        keep = np.zeros(len(t), dtype=bool)
    return {int(y): float(round(v, 6)) for y, v, k in zip(t, values, keep) if k}


#: Range of the ratio lower / upper of an ordered pair (NMR / IMR is about 0.5-0.7 in ASEAN).
#: Its top, times the national offset's range (1.06 / 0.94), stays below 1.
ORDER_SHARE = (0.5, 0.8)


def _upper_of(indicator: str, catalogue: Catalogue) -> str | None:
    """The indicator that ``indicator`` is never above (``plausibility.ordering``), if any."""
    ordering = default_settings().plausibility.ordering
    return next(
        (u for lo, u in ordering if lo == indicator and u in catalogue.indicators.index), None
    )


def ordered_ids(catalogue: Catalogue) -> set[str]:
    """Catalogue ids on either side of an ordering of ``plausibility.ordering``."""
    pairs = default_settings().plausibility.ordering
    return {i for pair in pairs for i in pair if i in catalogue.indicators.index}


def demo_series(
    iso3: str, indicator: str, catalogue: Catalogue, full: bool = False
) -> dict[int, float]:
    """:func:`synthetic_series` respecting the orderings of ``plausibility.ordering``.

    An indicator ordered below another (neonatal below infant mortality, infant below
    under-five) keeps its own gap pattern, but its values are the upper series' (itself
    ordered, without gaps) times a country-specific share in :data:`ORDER_SHARE` with 0.5 %
    noise: ``lower_y = upper_y × share × (1 + ε)``, so ``lower_y < upper_y`` every year.
    """
    ind = catalogue.indicators.loc[indicator]
    own = synthetic_series(iso3, indicator, str(ind["unit"]), str(ind["direction"]), full)
    upper = _upper_of(indicator, catalogue)
    if upper is None:
        return own
    cap = demo_series(iso3, upper, catalogue, full=True)
    rng = _rng(iso3, indicator, "below", upper)
    share = rng.uniform(*ORDER_SHARE)
    # Noise drawn for every year, so that a year's value is the same with and without gaps.
    noise = dict(zip(range(2000, 2025), np.clip(rng.normal(0, 0.005, 25), -0.01, 0.01)))
    return {y: float(round(cap[y] * share * (1 + noise[y]), 6)) for y in own}


def _fmt(v: float | None) -> str:
    return "" if v is None else repr(v)


#: Rough 2015 populations (millions) so that weights look like ASEAN's; growth is synthetic.
POPULATION_2015_M = {
    "BRN": 0.42, "KHM": 15.5, "IDN": 258.0, "LAO": 6.7, "MYS": 30.3, "MMR": 52.7,
    "PHL": 102.0, "SGP": 5.5, "THA": 68.7, "VNM": 92.7, "TLS": 1.2, "CHN": 1380.0,
    "IND": 1310.0, "JPN": 127.0, "KOR": 51.0, "EAS": 2300.0, "UMC": 2600.0, "WLD": 7400.0,
}  # fmt: skip


def population_series(iso3: str) -> dict[int, float]:
    """Synthetic total population (persons), complete 1990–2024: 2015 level × growth."""
    rng = _rng(iso3, "population")
    growth = rng.uniform(0.004, 0.02)
    base = POPULATION_2015_M[iso3] * 1e6
    return {y: float(round(base * (1 + growth) ** (y - 2015))) for y in range(1990, 2025)}


#: Auxiliary series other than population: (2015 level range, annual change range).
_AUX_SHAPES = {
    "x_share_0014": ((15.0, 32.0), (-0.4, -0.1)),
    "x_share_65up": ((4.0, 14.0), (0.1, 0.35)),
    "x_share_urban": ((25.0, 75.0), (0.2, 0.8)),
    "x_lfpr_total": ((55.0, 78.0), (-0.2, 0.2)),
    "x_crude_birth_rate": ((8.0, 24.0), (-0.4, -0.1)),
    # Five-year age groups 15–19 and 20–24, % of the female / male population.
    "x_share_1519_fe": ((6.5, 10.5), (-0.1, 0.0)),
    "x_share_2024_fe": ((6.5, 10.5), (-0.1, 0.0)),
    "x_share_1519_ma": ((6.5, 10.5), (-0.1, 0.0)),
    "x_share_2024_ma": ((6.5, 10.5), (-0.1, 0.0)),
}


def auxiliary_series(iso3: str, aux_id: str) -> dict[int, float]:
    """Synthetic auxiliary series (persons or %), 1990–2024, for weights and head counts.

    Viet Nam's crude birth rate lacks 2014–2016, so head counts there need an
    interpolated denominator (and say so).
    """
    pop = population_series(iso3)
    rng = _rng(iso3, aux_id)
    if aux_id == "x_population":
        return pop
    if aux_id == "x_population_female":
        share = rng.uniform(0.49, 0.51)
        return {y: float(round(v * share)) for y, v in pop.items()}
    if aux_id == "x_population_1524":
        share = rng.uniform(0.15, 0.19)
        return {y: float(round(v * share)) for y, v in pop.items()}
    (lo, hi), (dlo, dhi) = _AUX_SHAPES[aux_id]
    level, step = rng.uniform(lo, hi), rng.uniform(dlo, dhi)
    if aux_id == "x_share_urban" and iso3 == "SGP":
        level, step = 100.0, 0.0
    # A linear trend run back to 1990 must stay a possible share (plausibility rejects < 0).
    out = {y: float(round(min(max(level + step * (y - 2015), 0.5), 100.0), 4)) for y in pop}
    if aux_id == "x_crude_birth_rate" and iso3 == NATIONAL_COUNTRY:
        out = {y: v for y, v in out.items() if not 2014 <= y <= 2016}
    return out


def write_auxiliary_files(out_dir: Path, catalogue: Catalogue) -> list[Path]:
    """WDI-format files of the auxiliary series (population and its structure)."""
    written = []
    members = registry.member_states(include_optional=True)
    for aux_id, aux in catalogue.auxiliary.iterrows():
        if not str(aux["wdi_code"]).strip() or str(aux["use"]).startswith("component of"):
            # A component of a derived indicator (disaster counts, new HIV infections): the
            # demo has the indicator itself, so there is nothing to derive.
            continue
        rows = []
        for name, iso3 in [(s.name, s.iso3) for s in members] + list(OTHER_ROWS):
            series = auxiliary_series(iso3, str(aux_id))
            rows.append([name, iso3] + [_fmt(series.get(y)) for y in YEARS])
        table = pd.DataFrame(rows, columns=["name", "code", *YEARS])
        path = out_dir / DEMO_WDI_PATTERN.format(code=aux["wdi_code"])
        wdi.write(path, str(aux["wdi_code"]), str(aux["name"]), table, WDI_META)
        written.append(path)
    return written


def write_wdi_files(out_dir: Path, catalogue: Catalogue) -> list[Path]:
    """One WDI-format CSV per catalogue indicator that has a WDI code."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    members = registry.member_states(include_optional=True)
    for ind_id, ind in catalogue.indicators.iterrows():
        code = str(ind["wdi_code"])
        if not code:
            continue
        rows = []
        for name, iso3 in [(s.name, s.iso3) for s in members] + list(OTHER_ROWS):
            series = demo_series(iso3, str(ind_id), catalogue)
            rows.append([name, iso3] + [_fmt(series.get(y)) for y in YEARS])
        table = pd.DataFrame(rows, columns=["name", "code", *YEARS])
        path = out_dir / DEMO_WDI_PATTERN.format(code=code)
        wdi.write(path, code, f"{ind['name']} ({ind['unit']})", table, WDI_META)
        written.append(path)
    written += write_auxiliary_files(out_dir, catalogue)
    return written


def national_values(catalogue: Catalogue, iso3: str = NATIONAL_COUNTRY) -> pd.DataFrame:
    """Synthetic national-submission values: about a third of the indicators, 2016–2020.

    National figures follow the international series but differ from it by a few percent
    (national definitions), so the switch of source in 2016 is a visible series break.
    Indicators without an international series get a series of their own.
    """
    rows = []
    # Ordered indicators carry the same year's value (no gaps), so that their national
    # figures keep the order: lower / upper <= 0.8 × 1.06 / 0.94 < 1.
    ordered = ordered_ids(catalogue)
    for ind_id, ind in catalogue.indicators.iterrows():
        rng = _rng(iso3, "national", str(ind_id))
        if rng.random() >= 0.35:
            continue
        unit, direction = str(ind["unit"]), str(ind["direction"])
        full = ind_id in ordered
        base = demo_series(iso3, str(ind_id), catalogue, full) if ind["wdi_code"] else {}
        if not base:
            base = synthetic_series(iso3, f"{ind_id}/national", unit, direction)
        if not base:
            continue
        offset = 1 + rng.uniform(-0.06, 0.06)
        for year in NATIONAL_YEARS:
            nearest = min(base, key=lambda y: (abs(y - year), -y))
            # Carry the nearest international value, scaled, as national teams often do.
            v = base[nearest] * offset
            if "%" in unit:
                v = min(v, 100.0)
            rows.append(
                {
                    "indicator": ind_id,
                    "year": year,
                    "value": round(v, 4),
                    "source": "General Statistics Office (DEMO)",
                    "note": "synthetic value for demonstration",
                }
            )
    return pd.DataFrame(rows, columns=["indicator", "year", "value", "source", "note"])


def write_demo(out_dir: Path | str = DEMO_DIR, catalogue: Catalogue | None = None) -> list[Path]:
    """Write all demo inputs under ``out_dir`` (``wdi/``, ``national/``) and a README.

    Returns the list of files written. Running it twice gives byte-identical files.
    """
    from openpyxl import load_workbook

    from mtr_analysis.intake.demo_activities import write_activity_demo

    cat = catalogue or load_catalogue()
    out_dir = Path(out_dir)
    files = write_wdi_files(out_dir / WDI_SUBDIR, cat)
    xlsx = out_dir / NATIONAL_SUBDIR / DEMO_NATIONAL_PATTERN.format(iso3=NATIONAL_COUNTRY)
    national.write_template(
        NATIONAL_COUNTRY, xlsx, cat, values=national_values(cat), status=DEMO_LABEL
    )
    # One text entry in a number cell, as national submissions often contain.
    wb = load_workbook(xlsx)
    ws = wb[national.SHEET]
    ws.cell(row=national.HEADER_ROW + 1, column=national.FIRST_YEAR_COLUMN).value = "about 5"
    national.save_reproducible(wb, xlsx)
    files.append(xlsx)
    files += write_activity_demo(out_dir, cat)  # plan registers and activity reports
    readme = out_dir / DEMO_README
    readme.write_text(
        "# Demo inputs — synthetic data, not official statistics\n\n"
        "Generated by `mtr demo` (mtr_analysis.intake.demo). The files imitate real source formats\n"
        "(World Bank WDI per-indicator CSV, the national data-collection workbook) so that\n"
        "the real intake path runs, but every number is made up. Reports built from them\n"
        "carry a demo banner. Regenerate with `mtr demo`.\n",
        encoding="utf-8",
    )
    files.append(readme)
    (out_dir / COMPLETE_MARKER).write_text("demo inputs complete\n", encoding="utf-8")
    return files
