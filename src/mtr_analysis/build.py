"""``mtr build``: raw folders → tidy store, with an account of every record.

For each file: detect the format, read raw records, then decide each record's fate:

* **accepted** — a member state, a catalogue series, a number in a valid year;
* **rejected** — in scope but unusable (text in a number cell, year out of range), with
  the reason, written to ``rejects.csv``;
* **out of scope** — regional aggregates, income groups, non-member countries, series not
  in the catalogue.

``accepted + rejected + out_of_scope == records_read`` for every file (a record is one
non-empty value cell). A file that cannot be read is reported and never stops the others.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from mtr_analysis import registry
from mtr_analysis.catalogue import Catalogue, load_catalogue
from mtr_analysis.clean import parse_values
from mtr_analysis.paths import INTAKE_FILE, PROCESSED_DIR, REJECTS_FILE
from mtr_analysis.schema import YEAR_RANGE, empty_observations
from mtr_analysis.sources import detect_format, readers
from mtr_analysis.store import select, write_store


@dataclass
class FileIntake:
    """What happened to one input file."""

    path: str
    format: str | None
    sha256: str
    records_read: int = 0
    accepted: int = 0
    rejected: int = 0
    out_of_scope: int = 0
    error: str = ""
    out_of_scope_reasons: dict[str, int] = field(default_factory=dict)


@dataclass
class BuildResult:
    """Everything ``mtr build`` produced: the store and the per-file account."""

    observations: pd.DataFrame
    rejects: pd.DataFrame
    files: list[FileIntake]
    out_dir: Path

    @property
    def totals(self) -> dict[str, int]:
        keys = ("records_read", "accepted", "rejected", "out_of_scope")
        return {k: sum(getattr(f, k) for f in self.files) for k in keys}


def sha256(path: Path) -> str:
    """SHA-256 of a file's bytes (hex)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def classify_records(
    records: pd.DataFrame, catalogue: Catalogue, include_optional: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """Split raw records into accepted observations, rejects and out-of-scope reasons.

    Returns
    -------
    (observations, rejects, out_of_scope)
        ``observations`` in the schema's columns (without ``selected``); ``rejects`` with
        ``file, locator, value, reason``; ``out_of_scope`` a Series of reasons, one per
        out-of-scope record.
    """
    harm = registry.harmonise(records["country"], include_optional=include_optional)
    iso3 = pd.Series(harm.iso3.to_numpy(), index=records.index)
    series_map = catalogue.series_map()
    indicator = records["series"].map(series_map)
    parsed = parse_values(records["raw"])

    scope = pd.Series("", index=records.index, dtype="string")
    names = records["country_name"].astype(str)
    is_agg = names.map({n: registry.is_aggregate(n) for n in names.unique()}).astype(bool)
    scope = scope.mask(iso3.isna() & is_agg, "regional aggregate or income group")
    scope = scope.mask(iso3.isna() & ~is_agg, "not an ASEAN member state")
    scope = scope.mask(scope.eq("") & indicator.isna(), "series not in the catalogue")
    scope = scope.mask(scope.eq("") & parsed["missing"], "missing-value marker")
    in_scope = scope.eq("")

    reason = parsed["reason"].copy()
    years = pd.to_numeric(records["year"], errors="coerce")
    bad_year = ~years.between(*YEAR_RANGE)
    reason = reason.mask(reason.eq("") & bad_year, f"year outside {YEAR_RANGE[0]}–{YEAR_RANGE[1]}")
    rejected = in_scope & reason.ne("")
    accepted = in_scope & ~rejected

    acc = records.loc[accepted]
    units = pd.concat([catalogue.indicators["unit"], catalogue.auxiliary["unit"]])
    obs = pd.DataFrame(
        {
            "country": iso3[accepted],
            "indicator": indicator[accepted],
            "year": years[accepted].astype("int64"),
            "value": parsed.loc[accepted, "value"],
            "unit": acc["unit"].where(acc["unit"].ne(""), indicator[accepted].map(units)),
            "sex": acc["sex"],
            "age": acc["age"],
            "location": acc["location"],
            "source": acc["source"],
            "source_series": acc["series"],
            "flag": parsed.loc[accepted, "flag"],
            "note": acc["note"],
            "file": acc["file"],
            "locator": acc["locator"],
        }
    )
    rej = pd.DataFrame(
        {
            "file": records.loc[rejected, "file"],
            "locator": records.loc[rejected, "locator"],
            "value": records.loc[rejected, "raw"],
            "reason": reason[rejected],
        }
    )
    return obs, rej, scope[~in_scope]


def raw_files(raw_dirs: list[Path]) -> list[tuple[Path, Path]]:
    """All files under the raw folders as (file, root) pairs, in a stable order."""
    out = []
    for root in raw_dirs:
        root = Path(root)
        if not root.is_dir():
            raise FileNotFoundError(f"raw folder {root} does not exist")
        # Hidden files (".complete", ".DS_Store") are bookkeeping, not inputs.
        out += [
            (p, root)
            for p in sorted(root.rglob("*"))
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
        ]
    return out


def build(
    raw_dirs: list[Path | str],
    out_dir: Path | str = PROCESSED_DIR,
    catalogue: Catalogue | None = None,
    include_optional: bool = False,
    progress: bool = False,
) -> BuildResult:
    """Read every file under ``raw_dirs`` and write the tidy store into ``out_dir``.

    Writes ``observations.parquet``, ``rejects.csv`` and ``intake.json`` (per-file counts;
    accepted + rejected + out_of_scope = records_read).
    """
    from tqdm.auto import tqdm

    cat = catalogue or load_catalogue()
    out_dir = Path(out_dir)
    known = readers()
    files: list[FileIntake] = []
    obs_parts, rej_parts = [empty_observations().drop(columns="selected")], []
    pairs = raw_files([Path(d) for d in raw_dirs])
    for path, root in tqdm(pairs, desc="mtr build", unit="file", disable=not progress):
        rel = str(path.relative_to(root))
        fmt, why = detect_format(path)
        info = FileIntake(path=rel, format=fmt, sha256=sha256(path))
        files.append(info)
        if fmt is None:
            info.error = f"not recognised: {why}"
            continue
        if fmt not in known:
            continue  # documentation or a companion file (e.g. WDI metadata): no observations
        try:
            records = known[fmt](path, root)
            obs, rej, scope = classify_records(records, cat, include_optional)
        except Exception as exc:  # one bad file never stops the others
            info.error = f"{type(exc).__name__}: {exc}"
            continue
        info.records_read = len(records)
        info.accepted, info.rejected, info.out_of_scope = len(obs), len(rej), len(scope)
        info.out_of_scope_reasons = {str(k): int(v) for k, v in scope.value_counts().items()}
        obs_parts.append(obs)
        rej_parts.append(rej)
    observations = select(pd.concat(obs_parts, ignore_index=True))
    rejects = (
        pd.concat(rej_parts, ignore_index=True)
        if rej_parts
        else pd.DataFrame(columns=["file", "locator", "value", "reason"])
    )
    write_store(observations, out_dir)
    rejects.to_csv(out_dir / REJECTS_FILE, index=False)
    result = BuildResult(observations, rejects, files, out_dir)
    intake = {
        "raw_dirs": [str(Path(d)) for d in raw_dirs],
        "totals": result.totals,
        "files": [asdict(f) for f in files],
    }
    (out_dir / INTAKE_FILE).write_text(
        json.dumps(intake, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return result
