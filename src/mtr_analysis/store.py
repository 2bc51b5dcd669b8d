"""The tidy observation store: choose among alternatives, write and read Parquet.

``mtr build`` writes ``observations.parquet`` (schema in :mod:`mtr_analysis.schema`) with
every accepted value; the boolean ``selected`` marks the one value per country × indicator ×
year × disaggregation used for analysis.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mtr_analysis.paths import OBSERVATIONS_FILE, PROCESSED_DIR
from mtr_analysis.schema import KEY, TOTAL, conform, validate_observations

#: Source-kind priority for ``selected`` (lower wins): national submissions first.
DEFAULT_PRIORITY = ("national", "asean", "unsdg", "wdi", "hdr")
DEMO_MARKER = "DEMO"


def source_kind(source: pd.Series) -> pd.Series:
    """Classify ``source`` strings into the kinds of :data:`DEFAULT_PRIORITY`."""
    s = source.str.lower()
    kind = pd.Series("other", index=source.index, dtype="string")
    for pattern, name in [
        ("national", "national"),
        ("asean", "asean"),
        ("sdg", "unsdg"),
        ("world bank|wdi|databank", "wdi"),
        ("hdr|undp", "hdr"),
    ]:
        kind = kind.mask(kind.eq("other") & s.str.contains(pattern, regex=True), name)
    return kind


def select(obs: pd.DataFrame, priority: tuple[str, ...] = DEFAULT_PRIORITY) -> pd.DataFrame:
    """Mark one value per key (:data:`~mtr_analysis.schema.KEY`) as ``selected``.

    The value from the source kind earliest in ``priority`` wins; ties go to the later
    ``source`` string (newer vintages sort later), then to the first row.
    """
    out = obs.copy()
    rank = source_kind(out["source"]).map({k: i for i, k in enumerate(priority)})
    out["_rank"] = rank.fillna(len(priority)).astype(int)
    order = out.sort_values(["_rank", "source"], ascending=[True, False], kind="stable")
    chosen = ~order.duplicated(KEY, keep="first")
    out["selected"] = chosen.reindex(out.index)
    return out.drop(columns="_rank")


def write_store(obs: pd.DataFrame, out_dir: Path | str = PROCESSED_DIR) -> Path:
    """Validate and write ``observations.parquet`` into ``out_dir``; return its path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / OBSERVATIONS_FILE
    ordered = validate_observations(obs).sort_values(KEY + ["source"], kind="stable")
    ordered.reset_index(drop=True).to_parquet(path, index=False)
    return path


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
    """Selected values for totals (sex, age and location all ``"total"``)."""
    mask = obs["selected"] & obs["sex"].eq(TOTAL) & obs["age"].eq(TOTAL) & obs["location"].eq(TOTAL)
    return obs.loc[mask].reset_index(drop=True)


def is_demo(obs: pd.DataFrame) -> bool:
    """True when any value comes from the synthetic demo inputs (their source says DEMO)."""
    return bool(obs["source"].str.contains(DEMO_MARKER, regex=False).any())
