"""What we knew then: the store as it stood on a past date (``mtr run --as-of``).

In: every stored row (``observations.parquet``, all vintages), a date, and the store's
source priority. Out: the same rows restricted to the vintages released on or before the
date, with ``selected`` chosen again among them by the store's own rule
(:func:`mtr_analysis.intake.store.select`) and derived indicators derived again from the
components known by then (:func:`mtr_analysis.intake.derive.add_derived`); and a summary
(:class:`AsOfSummary`) of what was kept and left out, shown in the annex and the manifest.

Rules (issue 13, item 2):

1. A row's release date is the vintage written in its ``source``
   (:func:`mtr_analysis.intake.clean.vintage_date`, the date the store ranks vintages by):
   an ISO or DataBank date, an Excel serial "updated" date, an SDG release ``2019.Q2``
   (→ first day of the quarter) or a bare year (→ 1 January of that year, so a
   ``HDR 2023/24`` release counts as known from 2023-01-01).
2. Rows released on or before the date are kept; rows released after it are left out.
3. **Undated rows** (a download without a "Last Updated" line, a national workbook without
   a reporting date) are left out: nothing shows they existed on the date, and keeping
   them would let today's numbers leak into "what we knew then". They are counted per
   source in :attr:`AsOfSummary.undated_sources`, and the annex says how many.
4. **Derived rows** (flag ``derived``) are never kept as stored: they are computed again
   from the as-of components, so a derived value exists only when every component was
   released by the date.
5. Among the rows kept, one value per key is selected by the store's own priority and
   vintage rule (the same function ``mtr build`` uses, never a copy of its rules).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from mtr_analysis.intake import store
from mtr_analysis.intake.clean import vintage_date
from mtr_analysis.intake.derive import DERIVED_FLAG, add_derived
from mtr_analysis.paths import INTAKE_FILE
from mtr_analysis.reference.catalogue import Catalogue, load_catalogue


@dataclass(frozen=True)
class AsOfSummary:
    """What :func:`as_of` kept and left out (shown in the annex and ``manifest.json``).

    Attributes
    ----------
    date : str
        The as-of date, ``YYYY-MM-DD``.
    rows_total : int
        Stored rows (derived rows excluded: they are recomputed).
    rows_kept : int
        Rows released on or before ``date``.
    rows_later : int
        Rows of vintages released after ``date`` (left out).
    rows_undated : int
        Rows whose ``source`` gives no release date (left out, rule 3).
    derived_dropped, derived_rederived : int
        Stored derived rows dropped, and derived rows computed again from as-of components.
    newest_vintage : str
        Newest release date among the rows kept (``""`` when none).
    undated_sources : dict
        ``source`` text → rows left out because undated.
    """

    date: str
    rows_total: int
    rows_kept: int
    rows_later: int
    rows_undated: int
    derived_dropped: int
    derived_rederived: int
    newest_vintage: str
    undated_sources: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        """Plain form for ``manifest.json``."""
        return {
            "date": self.date,
            "rule": "data vintages released on or before the date only; undated rows left "
            "out; derived indicators derived again from the components known then",
            "rows_total": self.rows_total,
            "rows_kept": self.rows_kept,
            "rows_later": self.rows_later,
            "rows_undated": self.rows_undated,
            "derived_dropped": self.derived_dropped,
            "derived_rederived": self.derived_rederived,
            "newest_vintage": self.newest_vintage,
            "undated_sources": dict(self.undated_sources),
        }


def parse_date(date: str | dt.date) -> dt.date:
    """The as-of date from ``YYYY-MM-DD`` text or a date.

    Raises
    ------
    ValueError
        Naming the text and the expected form, when it is not a calendar date.
    """
    if isinstance(date, dt.datetime):
        return date.date()
    if isinstance(date, dt.date):
        return date
    try:
        return dt.date.fromisoformat(str(date).strip())
    except ValueError:
        raise ValueError(
            f"as-of date {date!r} is not a date in the form YYYY-MM-DD (e.g. 2020-10-01)"
        ) from None


def store_priority(data_dir: Path | str) -> store.Priority:
    """The source priority the store in ``data_dir`` was built with (``intake.json``).

    ``mtr build --priority`` may have changed the shipped order; an as-of store must choose
    among its vintages by the same rule. Falls back to ``config/source_priority.yaml`` when
    ``intake.json`` is missing or holds no priority.
    """
    path = Path(data_dir) / INTAKE_FILE
    if not path.is_file():
        return store.default_priority()
    raw = json.loads(path.read_text(encoding="utf-8")).get("priority")
    if not isinstance(raw, dict) or "order" not in raw:
        return store.default_priority()
    base = store.default_priority()
    kinds = tuple((str(k["kind"]), str(k["pattern"])) for k in raw.get("kinds", []))
    return store.load_priority(
        store.Priority(
            order=tuple(str(k) for k in raw["order"]),
            kinds=kinds or base.kinds,
            tolerance=float(raw.get("tolerance", base.tolerance)),
            revision_tolerance=float(raw.get("revision_tolerance", base.revision_tolerance)),
        )
    )


def _split(obs_all: pd.DataFrame, day: dt.date) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(kept, released later, undated) masks over the non-derived rows of ``obs_all``."""
    released = vintage_date(obs_all["source"])
    derived = obs_all["flag"].astype(str).eq(DERIVED_FLAG)
    undated = released.isna() & ~derived
    kept = released.le(pd.Timestamp(day)) & ~derived
    later = released.gt(pd.Timestamp(day)) & ~derived
    return kept, later, undated


def as_of_with_summary(
    obs_all: pd.DataFrame,
    date: str | dt.date,
    priority: store.Priority | None = None,
    catalogue: Catalogue | None = None,
) -> tuple[pd.DataFrame, AsOfSummary]:
    """:func:`as_of` and its :class:`AsOfSummary` (see the module docstring for the rules)."""
    day = parse_date(date)
    kept, later, undated = _split(obs_all, day)
    derived = obs_all["flag"].astype(str).eq(DERIVED_FLAG)
    rows = obs_all.loc[kept].drop(columns="selected")
    chosen = store.select(rows, priority or store.default_priority())
    out = add_derived(chosen, catalogue or load_catalogue()).reset_index(drop=True)
    newest = vintage_date(chosen["source"]).max()
    counts = obs_all.loc[undated, "source"].astype(str).value_counts()
    summary = AsOfSummary(
        date=day.isoformat(),
        rows_total=int((~derived).sum()),
        rows_kept=int(kept.sum()),
        rows_later=int(later.sum()),
        rows_undated=int(undated.sum()),
        derived_dropped=int(derived.sum()),
        derived_rederived=int(out["flag"].astype(str).eq(DERIVED_FLAG).sum()),
        newest_vintage="" if pd.isna(newest) else pd.Timestamp(newest).strftime("%Y-%m-%d"),
        undated_sources={str(k): int(v) for k, v in counts.items()},
    )
    return out, summary


def as_of(
    obs_all: pd.DataFrame,
    date: str | dt.date,
    priority: store.Priority | None = None,
    catalogue: Catalogue | None = None,
) -> pd.DataFrame:
    """The store as it stood on ``date``: only the vintages released by then.

    Parameters
    ----------
    obs_all : pandas.DataFrame
        Every stored row (:func:`mtr_analysis.intake.store.read_store`), all vintages.
    date : str or datetime.date
        ``YYYY-MM-DD``; vintages released on that day count as known.
    priority : Priority, optional
        The store's source priority (:func:`store_priority` of its folder); default
        ``config/source_priority.yaml``.
    catalogue : Catalogue, optional
        For the units of derived indicators; default the shipped catalogue.

    Returns
    -------
    pandas.DataFrame
        The store's columns; rows released on or before ``date`` (undated and stored
        derived rows left out), ``selected`` chosen again by
        :func:`mtr_analysis.intake.store.select`, derived rows computed again. Pass it to
        :func:`mtr_analysis.intake.store.for_analysis` as the store itself.

    Raises
    ------
    ValueError
        When ``date`` is not a ``YYYY-MM-DD`` date.
    """
    return as_of_with_summary(obs_all, date, priority, catalogue)[0]
