"""The tidy observation store: choose among sources and vintages, list disagreements, Parquet I/O.

``mtr build`` writes ``observations.parquet`` (schema in :mod:`mtr_analysis.intake.schema`) with
every accepted value; the boolean ``selected`` marks the one value per country × indicator ×
year × disaggregation used for analysis, chosen by a configurable source priority
(``config/source_priority.yaml``: national submission first by default) and, within one
source, by the newest vintage. Values of series that are not in the catalogue go to
``out_of_scope.parquet`` beside it: kept, but never analysed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from mtr_analysis import yaml_io
from mtr_analysis.intake.clean import poverty_ppp, vintage_date
from mtr_analysis.intake.schema import COLUMNS, KEY, TOTAL, conform, validate_observations
from mtr_analysis.paths import OBSERVATIONS_FILE, OUT_OF_SCOPE_FILE, PRIORITY_FILE, PROCESSED_DIR

DEMO_MARKER = "DEMO"
OTHER = "other"


@dataclass(frozen=True)
class Priority:
    """How ``selected`` is chosen and when values disagree.

    The shipped values are in ``config/source_priority.yaml`` (:func:`default_priority`);
    change one with :func:`dataclasses.replace`, e.g.
    ``replace(default_priority(), tolerance=0.01)``.

    Attributes
    ----------
    order : tuple of str
        Source kinds, preferred first.
    kinds : tuple of (kind, pattern)
        Classification of ``source`` text: the first regex that matches gives the kind.
    tolerance : float
        Relative difference ``|a − b| / max(|a|, |b|)`` above which two sources disagree.
    revision_tolerance : float
        The same threshold for revisions between vintages of one source.
    """

    order: tuple[str, ...]
    kinds: tuple[tuple[str, str], ...]
    tolerance: float
    revision_tolerance: float

    def as_dict(self) -> dict:
        """Plain form for ``intake.json``."""
        return {
            "order": list(self.order),
            "kinds": [{"kind": k, "pattern": p} for k, p in self.kinds],
            "tolerance": self.tolerance,
            "revision_tolerance": self.revision_tolerance,
        }


def _check_priority(p: Priority, where: str) -> Priority:
    known = {k for k, _ in p.kinds} | {OTHER}
    bad = [k for k in p.order if k not in known]
    if bad:
        raise ValueError(
            f"{where}: unknown source kind(s) {', '.join(map(repr, bad))}; "
            f"known: {', '.join(sorted(known))}"
        )
    if len(set(p.order)) != len(p.order):
        raise ValueError(f"{where}: a source kind is listed twice in {list(p.order)}")
    for name, tol in (("tolerance", p.tolerance), ("revision_tolerance", p.revision_tolerance)):
        if not (isinstance(tol, int | float) and 0 <= tol < 1):
            raise ValueError(f"{where}: {name} must be a number in [0, 1), got {tol!r}")
    for kind, pattern in p.kinds:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"{where}: pattern of kind {kind!r} is invalid: {exc}") from None
    return p


#: Keys of a priority file; the shipped file must give all, a user's file ``priority`` only.
PRIORITY_KEYS = ("priority", "kinds", "tolerance", "revision_tolerance")


def _parse_kinds(kinds: object, where: str) -> tuple[tuple[str, str], ...]:
    try:
        return tuple((str(k["kind"]), str(k["pattern"])) for k in kinds)  # type: ignore[union-attr]
    except (TypeError, KeyError):
        raise ValueError(f"{where}: 'kinds' must be a list of {{kind, pattern}}") from None


def _read_yaml(path: Path) -> dict:
    try:
        raw = yaml_io.load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict) or "priority" not in raw:
        raise ValueError(f"{path}: needs a 'priority' list of source kinds")
    return raw


def _from_raw(raw: dict, where: str, base: Priority | None) -> Priority:
    """A validated :class:`Priority` from a file's keys; keys it leaves out come from ``base``."""

    def pick(key: str) -> object:
        return raw[key] if key in raw else getattr(base, key)

    if not isinstance(raw["priority"], list):
        raise ValueError(f"{where}: 'priority' must be a list of source kinds")

    p = Priority(
        order=tuple(str(k) for k in raw["priority"]),
        kinds=_parse_kinds(raw["kinds"], where) if "kinds" in raw else pick("kinds"),
        tolerance=pick("tolerance"),
        revision_tolerance=pick("revision_tolerance"),
    )
    return _check_priority(p, where)


@lru_cache(maxsize=1)
def default_priority() -> Priority:
    """The shipped source priority: ``config/source_priority.yaml``, validated.

    That file is the only place the default order, kinds and tolerances are written down;
    it must give every key of :data:`PRIORITY_KEYS`.

    Raises
    ------
    ValueError
        Naming the file and the missing or bad entry.
    """
    raw = _read_yaml(PRIORITY_FILE)
    missing = [k for k in PRIORITY_KEYS if k not in raw]
    if missing:
        raise ValueError(f"{PRIORITY_FILE}: missing {', '.join(map(repr, missing))}")
    return _from_raw(raw, str(PRIORITY_FILE), None)


def read_priority_file(path: Path | str, base: Priority | None = None) -> Priority:
    """Read a priority YAML file (format of ``config/source_priority.yaml``).

    Parameters
    ----------
    path : path
        The YAML file; only ``priority`` is required.
    base : Priority, optional
        Values for the keys the file leaves out (``kinds``, ``tolerance``,
        ``revision_tolerance``); :func:`default_priority` when ``None``.

    Raises
    ------
    ValueError
        Naming the file and the bad entry.
    """
    path = Path(path)
    raw = _read_yaml(path)
    return _from_raw(raw, str(path), base or default_priority())


def load_priority(spec: str | Path | Priority | None = None) -> Priority:
    """The source priority from a YAML file, a comma-separated list, or the default file.

    Parameters
    ----------
    spec : str, path or Priority, optional
        ``None`` → ``config/source_priority.yaml``; an existing file → that file;
        ``"national,wdi,unsdg"`` → the default settings with this order.
    """
    if isinstance(spec, Priority):
        return _check_priority(spec, "priority")
    if spec is None:
        return default_priority()
    path = Path(spec)
    if path.suffix.lower() in (".yaml", ".yml") or path.is_file():
        if not path.is_file():
            raise FileNotFoundError(f"priority file {path} not found")
        return read_priority_file(path)
    order = tuple(k.strip().lower() for k in str(spec).split(",") if k.strip())
    return _check_priority(replace(default_priority(), order=order), "--priority")


def source_kind(source: pd.Series, priority: Priority | None = None) -> pd.Series:
    """Classify ``source`` strings into kinds (``national``, ``wdi``, … or ``other``)."""
    p = priority or default_priority()
    s = source.astype("string").fillna("")
    uniq = pd.Series(s.unique(), dtype="string")
    kind = pd.Series(OTHER, index=uniq.index, dtype="string")
    for name, pattern in p.kinds:
        hit = uniq.str.contains(pattern, case=False, regex=True)
        kind = kind.mask(kind.eq(OTHER) & hit, name)
    return s.map(dict(zip(uniq, kind))).astype("string")


def _ranked(obs: pd.DataFrame, priority: Priority) -> pd.DataFrame:
    """Helper columns for choosing: ``_kind``, ``_rank``, ``_vintage``, ``_eligible``."""
    out = obs.copy()
    out["_kind"] = source_kind(out["source"], priority)
    out["_rank"] = out["_kind"].map({k: i for i, k in enumerate(priority.order)})
    out["_rank"] = out["_rank"].fillna(len(priority.order)).astype(int)
    out["_vintage"] = vintage_date(out["source"])
    ppp = poverty_ppp(out["source_series"])
    newest = ppp.groupby([out["country"], out["indicator"]]).transform("max")
    out["_eligible"] = ~(ppp.notna() & ppp.lt(newest))
    return out


_ORDER = ["_eligible", "_rank", "_vintage", "source", "file", "locator"]
_ASC = [False, True, False, False, False, True]


def select(obs: pd.DataFrame, priority: Priority | tuple[str, ...] | None = None) -> pd.DataFrame:
    """Mark one value per key (:data:`~mtr_analysis.intake.schema.KEY`) as ``selected``.

    Rules, in order:

    1. A poverty-headcount value tagged with an older poverty line than the newest line
       present for the same country and indicator is never selected (see
       :func:`mtr_analysis.intake.clean.tag_poverty_lines`): a series never splices two lines.
    2. The source kind earliest in the priority order wins (national submission first by
       default; kinds are read from ``source``, see :func:`source_kind`).
    3. Within a kind, the newest vintage (release date in ``source``) wins; values
       without a date come last.
    4. Remaining ties go to the later ``source`` string, then the later file name, then
       the first locator.

    Every value is kept; the others get ``selected = False``.
    """
    if priority is None:
        priority = default_priority()
    elif isinstance(priority, tuple):
        priority = replace(default_priority(), order=priority)
    ranked = _ranked(obs, priority)
    order = ranked.sort_values(_ORDER, ascending=_ASC, kind="stable", na_position="last")
    chosen = ~order.duplicated(KEY, keep="first") & order["_eligible"]
    out = obs.copy()
    out["selected"] = chosen.reindex(out.index).astype(bool)
    return out


def relative_difference(a: pd.Series, b: pd.Series) -> pd.Series:
    """``|a − b| / max(|a|, |b|)`` (0 when both are 0): symmetric, between 0 and 1 for
    values of one sign, up to 2 when the signs differ."""
    den = np.maximum(a.abs(), b.abs())
    diff = (a - b).abs()
    return (diff / den.where(den > 0)).fillna(0.0)


_SIDE = ["source", "source_series", "value", "file", "locator"]
#: Helper columns kept on both sides of a pair to say which rule chose the selected value.
_WHY = ["_rank", "_vintage"]
BETWEEN_SOURCES = "between sources"
#: Relative difference above which two values of one source differ (floating-point noise).
SAME_SOURCE_LIMIT = 1e-9
RESUBMISSION = "between resubmissions"
SAME_FILE = "within one file"


def _day(value: object) -> str:
    return "undated" if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def _rule(row: pd.Series) -> str:
    """Which rule of :func:`select` chose the selected value over the other, in words."""
    if row["selected__rank"] != row["other__rank"]:
        return f"source priority: {row['selected_kind']} before {row['other_kind']}"
    sv, ov = row["selected__vintage"], row["other__vintage"]
    if not (pd.isna(sv) and pd.isna(ov)) and (pd.isna(sv) or pd.isna(ov) or sv != ov):
        return f"latest reporting date: {_day(sv)} over {_day(ov)}"
    if row["selected_source"] != row["other_source"]:
        return "same date: source text sorts later (version)"
    if row["selected_file"] != row["other_file"]:
        return f"same date and source: later file name {row['selected_file']!r}"
    return f"same file: first cell kept ({row['selected_locator']} over {row['other_locator']})"


def _side(rows: pd.DataFrame, prefix: str) -> pd.DataFrame:
    """``KEY`` and the prefixed kind, provenance and rule columns of one side of a pair."""
    names = {"_kind": f"{prefix}_kind", **{c: f"{prefix}_{c}" for c in [*_SIDE, *_WHY]}}
    return rows[[*KEY, *names]].rename(columns=names)


def _pairs(selected: pd.DataFrame, others: pd.DataFrame, same_kind: bool) -> pd.DataFrame:
    """Each selected row beside each other row of the same key (and kind, if asked)."""
    left, right = _side(selected, "selected"), _side(others, "other")
    if not same_kind:
        return left.merge(right, on=KEY, how="inner")
    return left.merge(
        right, left_on=[*KEY, "selected_kind"], right_on=[*KEY, "other_kind"], how="inner"
    )


def conflicts(obs: pd.DataFrame, priority: Priority | None = None) -> pd.DataFrame:
    """Disagreements on one key: between sources, between resubmissions, inside one file.

    * **between sources**: the selected value vs the best value of each other source kind
      (newest vintage);
    * **between resubmissions**: the selected value vs every other value of the same kind
      and the same (or no) vintage from another file: two national workbooks of one
      country, two copies of one download (values of an older vintage are revisions,
      listed by :func:`revisions` instead);
    * **within one file**: the same key twice in one file with different values.

    Pairs between sources whose :func:`relative_difference` exceeds ``priority.tolerance``,
    and pairs from one source whose values differ at all, are listed with
    the rule of :func:`select` that chose the selected value (``rule``): source priority,
    then the latest reporting date (vintage), then the source text (version), then the
    later file name, then the first cell.

    Returns
    -------
    pandas.DataFrame
        ``KEY`` columns, ``selected_kind/_source/_series/_value/_file/_locator``,
        ``other_kind/…``, ``rel_diff``, ``conflict``, ``rule``; sorted by ``rel_diff``
        descending.
    """
    p = priority or default_priority()
    cols = [*KEY, "selected_kind"] + [f"selected_{c}" for c in _SIDE]
    cols += ["other_kind"] + [f"other_{c}" for c in _SIDE] + ["rel_diff", "conflict", "rule"]
    ranked = _ranked(obs, p)
    ranked = ranked.loc[ranked["_eligible"]]
    order = ranked.sort_values(_ORDER, ascending=_ASC, kind="stable", na_position="last")
    first = ~order.duplicated([*KEY, "_kind"], keep="first")
    best = order.loc[first]
    sel = best.loc[best["selected"]]
    across = _pairs(sel, best.loc[~best["selected"]], same_kind=False)
    across = across.loc[across["selected_kind"].ne(across["other_kind"])]
    across["conflict"] = BETWEEN_SOURCES
    within = _pairs(sel, order.loc[~first], same_kind=True)
    dated = within["selected__vintage"].notna() & within["other__vintage"].notna()
    within = within.loc[~(dated & within["selected__vintage"].ne(within["other__vintage"]))]
    within["conflict"] = np.where(
        within["selected_file"].eq(within["other_file"]), SAME_FILE, RESUBMISSION
    )
    pairs = pd.concat([across, within], ignore_index=True)
    pairs["rel_diff"] = relative_difference(pairs["selected_value"], pairs["other_value"])
    # Between sources, definitions differ a little: only a difference beyond the tolerance
    # is a conflict. One source giving one key two values is a conflict whatever the size.
    limit = np.where(pairs["conflict"].eq(BETWEEN_SOURCES), p.tolerance, SAME_SOURCE_LIMIT)
    pairs = pairs.loc[pairs["rel_diff"] > limit]
    pairs["rule"] = pairs.apply(_rule, axis=1) if len(pairs) else pd.Series(dtype="string")
    out = pairs[cols]
    return out.sort_values(["rel_diff", *KEY], ascending=[False] + [True] * len(KEY)).reset_index(
        drop=True
    )


def revisions(obs: pd.DataFrame, priority: Priority | None = None) -> pd.DataFrame:
    """Revisions between vintages of the same source and series.

    For each key, source kind and ``source_series`` (so a change of poverty line is a
    change of definition, not a revision), the newest vintage's value is compared with the
    value of every older vintage; pairs whose :func:`relative_difference` exceeds
    ``priority.revision_tolerance`` are listed.

    Returns
    -------
    pandas.DataFrame
        ``KEY``, ``kind``, ``source_series``, ``new_vintage``, ``new_value``,
        ``new_source``, ``new_file``, ``new_locator``, the same for ``old_``, and
        ``rel_change`` = (new − old) / max(|new|, |old|), signed; sorted by its size.
    """
    p = priority or default_priority()
    side = ["_vintage", "value", "source", "file", "locator"]
    names = ["vintage", "value", "source", "file", "locator"]
    cols = [*KEY, "kind", "source_series"]
    cols += [f"new_{c}" for c in names] + [f"old_{c}" for c in names] + ["rel_change"]
    ranked = _ranked(obs, p)
    ranked = ranked.loc[ranked["_vintage"].notna()]
    group = [*KEY, "_kind", "source_series"]
    newest = ranked.groupby(group, dropna=False)["_vintage"].transform("max")
    new = ranked.loc[ranked["_vintage"].eq(newest)].drop_duplicates(group)
    old = ranked.loc[ranked["_vintage"].lt(newest)]
    pairs = new[[*group, *side]].merge(
        old[[*group, *side]], on=group, how="inner", suffixes=("_new", "_old")
    )
    out = pd.DataFrame({k: pairs[k] for k in KEY})
    out["kind"] = pairs["_kind"]
    out["source_series"] = pairs["source_series"]
    for s, n in zip(side, names):
        out[f"new_{n}"] = pairs[f"{s}_new"]
        out[f"old_{n}"] = pairs[f"{s}_old"]
    for c in ("new_vintage", "old_vintage"):
        out[c] = out[c].dt.strftime("%Y-%m-%d")
    rel = relative_difference(out["new_value"], out["old_value"])
    out["rel_change"] = rel * np.sign(out["new_value"] - out["old_value"])
    out = out.loc[rel > p.revision_tolerance, cols]
    size = out["rel_change"].abs()
    return out.iloc[np.lexsort((out["year"], -size.to_numpy()))].reset_index(drop=True)


def write_store(obs: pd.DataFrame, out_dir: Path | str = PROCESSED_DIR) -> Path:
    """Validate and write ``observations.parquet`` into ``out_dir``; return its path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / OBSERVATIONS_FILE
    ordered = validate_observations(obs).sort_values(KEY + ["source", "file", "locator"])
    ordered.reset_index(drop=True).to_parquet(path, index=False)
    return path


def write_out_of_scope(values: pd.DataFrame, out_dir: Path | str = PROCESSED_DIR) -> Path:
    """Write ``out_of_scope.parquet``: values of series not in the catalogue.

    Same columns as the store, with ``indicator`` = ``""`` and ``selected`` = False, so the
    values are kept with their provenance but never reach an analysis.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / OUT_OF_SCOPE_FILE
    frame = conform(values.assign(indicator="", selected=False))
    frame = frame.sort_values(["source_series", "country", "year", "file", "locator"])
    frame.reset_index(drop=True).to_parquet(path, index=False)
    return path


def read_out_of_scope(data_dir: Path | str = PROCESSED_DIR) -> pd.DataFrame:
    """Values of series not in the catalogue (empty frame when the file does not exist)."""
    path = Path(data_dir) / OUT_OF_SCOPE_FILE
    if not path.exists():
        return conform(pd.DataFrame({c: pd.Series(dtype=t) for c, t in COLUMNS.items()}))
    return conform(pd.read_parquet(path))


def read_store(data_dir: Path | str = PROCESSED_DIR) -> pd.DataFrame:
    """Read ``observations.parquet`` from a folder written by ``mtr build``.

    Raises
    ------
    FileNotFoundError
        With a hint to run ``mtr build`` when the store does not exist.
    """
    path = Path(data_dir) / OBSERVATIONS_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: run `mtr build` first (or `make report`)")
    return conform(pd.read_parquet(path))


def for_analysis(obs: pd.DataFrame) -> pd.DataFrame:
    """Selected values for totals (sex, age and location all ``"total"``) of catalogue
    indicators (rows without an ``indicator`` id are never analysed)."""
    mask = obs["selected"] & obs["sex"].eq(TOTAL) & obs["age"].eq(TOTAL) & obs["location"].eq(TOTAL)
    mask &= obs["indicator"].fillna("").ne("")
    return obs.loc[mask].reset_index(drop=True)


def is_demo(obs: pd.DataFrame) -> bool:
    """True when any value comes from the synthetic demo inputs (their source says DEMO)."""
    return bool(obs["source"].str.contains(DEMO_MARKER, regex=False).any())
