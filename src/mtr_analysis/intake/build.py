"""``mtr build``: raw folders → tidy store, with an account of every record.

For each file: detect the format from its content, read raw records, then decide each
record's fate (:func:`triage`):

* **accepted** — a member state, a catalogue series, a number in a valid year;
* **rejected** — in scope but unusable (text in a number cell, year out of range, and for
  national workbooks the checks of :func:`mtr_analysis.intake.sources.national.check`), with the
  reason, written to ``rejects.csv``;
* **out of scope** — regional aggregates and income groups (by name, and by the WDI
  ``Metadata_Country`` files: an economy without a region is an aggregate), non-member
  countries, missing-value markers, and series not in the catalogue (their values are kept
  in ``out_of_scope.parquet``, counted and listed).

``accepted + rejected + out_of_scope == records_read`` for every file (a record is one
non-empty value cell). A file that cannot be read is reported and never stops the others.

After reading, accepted values are cleaned (carried-forward repeats flagged, poverty lines
tagged: :mod:`mtr_analysis.intake.clean`), one value per key is selected by source priority and
vintage (:func:`mtr_analysis.intake.store.select`), and disagreements between sources and
revisions between vintages are listed.

Outputs in ``OUT``: ``observations.parquet``, ``out_of_scope.parquet``, ``rejects.csv``,
``conflicts.csv``, ``revisions.csv``, ``intake.json`` and ``intake.html``.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from mtr_analysis.intake.clean import flag_carried_forward, parse_values, tag_poverty_lines
from mtr_analysis.intake.schema import YEAR_RANGE, empty_observations
from mtr_analysis.intake.sources import READER_MODULES, detect_format, readers
from mtr_analysis.intake.sources.text import read_csv_rows
from mtr_analysis.intake.store import (
    Priority,
    conflicts,
    load_priority,
    revisions,
    select,
    source_kind,
    write_out_of_scope,
    write_store,
)
from mtr_analysis.paths import (
    CONFLICTS_FILE,
    INTAKE_FILE,
    INTAKE_HTML,
    OBSERVATIONS_FILE,
    OUT_OF_SCOPE_FILE,
    PROCESSED_DIR,
    PROVENANCE_SUFFIX,
    REJECTS_FILE,
    REVISIONS_FILE,
    WDI_INDICATOR_METADATA_PREFIX,
)
from mtr_analysis.provenance import file_sha256
from mtr_analysis.reference import registry
from mtr_analysis.reference.catalogue import Catalogue, load_catalogue

REJECT_COLUMNS = ["file", "locator", "value", "reason"]
#: How many conflicts / revisions are copied into intake.json (all are in the CSV files).
LIST_LIMIT = 200

AGGREGATE = "regional aggregate or income group"
NOT_MEMBER = "not an ASEAN member state"
UNMAPPED = "series not in the catalogue"
MISSING = "missing-value marker"


@dataclass
class FileIntake:
    """What happened to one input file."""

    path: str
    format: str | None
    sha256: str
    raw_dir: str = ""
    records_read: int = 0
    accepted: int = 0
    rejected: int = 0
    out_of_scope: int = 0
    error: str = ""
    out_of_scope_reasons: dict[str, int] = field(default_factory=dict)
    rejected_reasons: dict[str, int] = field(default_factory=dict)


@dataclass
class Triage:
    """The fate of each raw record of one file.

    Attributes
    ----------
    observations : pandas.DataFrame
        Accepted values in the schema's columns (without ``selected``).
    rejects : pandas.DataFrame
        ``file, locator, value, reason``.
    out_of_scope : pandas.Series
        One reason per out-of-scope record (indexed like the records).
    unmapped : pandas.DataFrame
        Numeric values of member states for series not in the catalogue, in the schema's
        columns (``indicator`` empty): kept in ``out_of_scope.parquet``.
    unmapped_records : pandas.DataFrame
        ``series, source, country, file`` of every member-state record of such a series
        (for the list of unmapped series).
    """

    observations: pd.DataFrame
    rejects: pd.DataFrame
    out_of_scope: pd.Series
    unmapped: pd.DataFrame
    unmapped_records: pd.DataFrame


@dataclass
class BuildResult:
    """Everything ``mtr build`` produced: the store, the per-file account and the lists."""

    observations: pd.DataFrame
    rejects: pd.DataFrame
    files: list[FileIntake]
    out_dir: Path
    out_of_scope: pd.DataFrame = field(default_factory=pd.DataFrame)
    conflicts: pd.DataFrame = field(default_factory=pd.DataFrame)
    revisions: pd.DataFrame = field(default_factory=pd.DataFrame)
    unmapped_series: pd.DataFrame = field(default_factory=pd.DataFrame)
    intake: dict = field(default_factory=dict)

    @property
    def totals(self) -> dict[str, int]:
        keys = ("records_read", "accepted", "rejected", "out_of_scope")
        return {k: sum(getattr(f, k) for f in self.files) for k in keys}


def _map_unique(values: pd.Series, func) -> pd.Series:
    """Apply a scalar function once per distinct value (vectorised lookups on big frames)."""
    uniq = values.drop_duplicates()
    return values.map(dict(zip(uniq, (func(v) for v in uniq))))


_SERIES_MAPS: dict[int, tuple[Catalogue, dict[str, str]]] = {}


def _series_map(catalogue: Catalogue) -> dict[str, str]:
    """``catalogue.series_map()``, computed once per catalogue object."""
    hit = _SERIES_MAPS.get(id(catalogue))
    if hit is None or hit[0] is not catalogue:
        hit = (catalogue, catalogue.series_map())
        _SERIES_MAPS[id(catalogue)] = hit
    return hit[1]


def triage(
    records: pd.DataFrame,
    catalogue: Catalogue,
    include_optional: bool = False,
    aggregate_codes: frozenset[str] | set[str] = frozenset(),
    checks: pd.Series | None = None,
    series_names: dict[str, str] | None = None,
    economy_codes: frozenset[str] | set[str] = frozenset(),
) -> Triage:
    """Decide the fate of each raw record and clean the accepted values.

    Parameters
    ----------
    records : pandas.DataFrame
        Raw records (:data:`mtr_analysis.intake.sources.RECORD_COLUMNS`).
    catalogue : Catalogue
        Maps source series codes to indicator ids.
    include_optional : bool
        Keep optional members (Timor-Leste).
    aggregate_codes : set of str
        Codes of economies known to be aggregates (WDI ``Metadata_Country``: no region).
    checks : pandas.Series, optional
        Format-specific reasons per record (``""`` = fine), e.g. from
        :func:`mtr_analysis.intake.sources.national.check`; a non-empty reason rejects a
        member-state record that is not a missing-value marker.
    series_names : dict, optional
        Series code → name from the source's metadata (used to tell poverty lines apart).
    economy_codes : set of str
        Codes known to be economies (WDI ``Metadata_Country``: with a region): never
        aggregates, whatever their name looks like ("South Africa", "United States").

    Notes
    -----
    Out-of-scope reasons, first that applies: aggregate (by name or code), not a member
    state, series not in the catalogue, missing-value marker. Rejected: in scope and a
    check reason, text that is not a number, or a year outside the schema's range.
    Accepted values get ``flag = carried_forward`` on repeats
    (:func:`~mtr_analysis.intake.clean.flag_carried_forward`) and poverty-line tags
    (:func:`~mtr_analysis.intake.clean.tag_poverty_lines`).
    """
    records = records.reset_index(drop=True)
    iso3 = _map_unique(
        records["country"], lambda v: registry.to_iso3(v, include_optional=include_optional)
    )
    series = records["series"].astype("string").fillna("").str.strip()
    indicator = series.map(_series_map(catalogue))
    parsed = parse_values(records["raw"])
    names = records["country_name"].where(records["country_name"].notna(), records["country"])
    codes = records["country"].astype(str).str.strip()
    is_agg = _map_unique(names.astype(str), registry.is_aggregate).astype(bool)
    is_agg = (is_agg & ~codes.isin(economy_codes)) | codes.isin(aggregate_codes)

    check = (
        pd.Series("", index=records.index, dtype="string")
        if checks is None
        else checks.reset_index(drop=True).astype("string").fillna("")
    )
    checked = iso3.notna() & check.ne("") & ~parsed["missing"]
    scope = pd.Series("", index=records.index, dtype="string")
    scope = scope.mask(iso3.isna() & is_agg, AGGREGATE)
    scope = scope.mask(iso3.isna() & ~is_agg, NOT_MEMBER)
    scope = scope.mask(scope.eq("") & indicator.isna() & ~checked, UNMAPPED)
    scope = scope.mask(scope.eq("") & parsed["missing"], MISSING)
    in_scope = scope.eq("")

    years = pd.to_numeric(records["year"], errors="coerce")
    reason = check.where(checked, "")
    reason = reason.mask(reason.eq(""), parsed["reason"])
    bad_year = ~years.between(*YEAR_RANGE)
    reason = reason.mask(reason.eq("") & bad_year, f"year outside {YEAR_RANGE[0]}–{YEAR_RANGE[1]}")
    rejected = in_scope & reason.ne("")
    accepted = in_scope & ~rejected

    units = pd.concat([catalogue.indicators["unit"], catalogue.auxiliary["unit"]])
    names_map = series_names or {}

    def observations(mask: pd.Series, ind: pd.Series) -> tuple[pd.DataFrame, pd.Series]:
        rec = records.loc[mask]
        unit = rec["unit"].astype("string").fillna("")
        frame = pd.DataFrame(
            {
                "country": iso3[mask],
                "indicator": ind[mask],
                "year": years[mask].astype("int64"),
                "value": parsed.loc[mask, "value"],
                "lower": parse_values(rec["lower"])["value"],
                "upper": parse_values(rec["upper"])["value"],
                "unit": unit.where(unit.ne(""), ind[mask].map(units)),
                "sex": rec["sex"],
                "age": rec["age"],
                "location": rec["location"],
                "source": rec["source"],
                "source_series": series[mask],
                "flag": parsed.loc[mask, "flag"],
                "note": rec["note"],
                "file": rec["file"],
                "locator": rec["locator"],
            }
        )
        for col in ("sex", "age", "location"):
            frame[col] = frame[col].astype("string").fillna("total").replace("", "total")
        for col in ("unit", "note", "source", "flag"):
            frame[col] = frame[col].astype("string").fillna("")
        return frame, series[mask].map(names_map)

    obs, obs_names = observations(accepted, indicator)
    obs = flag_carried_forward(tag_poverty_lines(obs, obs_names))

    unmapped_rows = scope.eq(UNMAPPED)
    keep = unmapped_rows & parsed["value"].notna() & years.between(*YEAR_RANGE)
    unm, unm_names = observations(keep, pd.Series("", index=records.index, dtype="string"))
    unm = flag_carried_forward(tag_poverty_lines(unm, unm_names))
    unmapped_records = pd.DataFrame(
        {
            "series": series[unmapped_rows],
            "source": records.loc[unmapped_rows, "source"],
            "country": iso3[unmapped_rows],
            "file": records.loc[unmapped_rows, "file"],
            "kept": keep[unmapped_rows],
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
    return Triage(obs, rej, scope[~in_scope], unm, unmapped_records)


def classify_records(
    records: pd.DataFrame, catalogue: Catalogue, include_optional: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """Split raw records into accepted observations, rejects and out-of-scope reasons.

    Shorthand for :func:`triage` without format checks; returns ``(observations,
    rejects, out_of_scope)``.
    """
    t = triage(records, catalogue, include_optional)
    return t.observations, t.rejects, t.out_of_scope


# --------------------------------------------------------------------------------------
# Companion files


def metadata_regions(path: Path) -> tuple[frozenset[str], frozenset[str]]:
    """(aggregate codes, economy codes) of a WDI ``Metadata_Country`` file.

    Rule: a row with an empty ``Region`` is an aggregate (region, income group, "World");
    a row with a region is an economy. Uses
    :func:`mtr_analysis.intake.sources.wdi.aggregate_codes` too when the WDI reader provides it.
    Both sets are empty for any other file.
    """
    from mtr_analysis.intake.sources import wdi

    rows = read_csv_rows(path)
    if not rows or [c.strip() for c in rows[0][:2]] != ["Country Code", "Region"]:
        return frozenset(), frozenset()
    body = [r for r in rows[1:] if len(r) > 1 and r[0].strip()]
    aggregates = {r[0].strip() for r in body if not r[1].strip()}
    economies = {r[0].strip() for r in body if r[1].strip()}
    reader = getattr(wdi, "aggregate_codes", None)
    if reader is not None:
        aggregates |= {str(c) for c in reader(path)}
    return frozenset(aggregates), frozenset(economies - aggregates)


def companion_series_names(path: Path) -> dict[str, str]:
    """Series code → name from the WDI ``Metadata_Indicator_<data file>`` beside ``path``."""
    meta = path.with_name(f"{WDI_INDICATOR_METADATA_PREFIX}{path.name}")
    if not meta.is_file():
        return {}
    rows = read_csv_rows(meta)
    if not rows or rows[0][:2] != ["INDICATOR_CODE", "INDICATOR_NAME"]:
        return {}
    return {r[0]: r[1] for r in rows[1:] if len(r) > 1 and r[0]}


def detect(path: Path) -> tuple[str | None, str]:
    """The file's format: a provenance sidecar of ``mtr fetch``, else content detection."""
    if path.name.endswith(PROVENANCE_SUFFIX):
        return "provenance", ""
    return detect_format(path)


def read_file(
    path: Path,
    root: Path,
    fmt: str,
    catalogue: Catalogue,
    include_optional: bool = False,
    aggregate_codes: frozenset[str] | set[str] = frozenset(),
    economy_codes: frozenset[str] | set[str] = frozenset(),
) -> tuple[pd.DataFrame, Triage]:
    """Read one data file and triage its records (used by ``mtr build`` and ``mtr validate``).

    Raises whatever the reader raises (:class:`~mtr_analysis.intake.sources.SourceError` with
    the file, sheet and cell) when the file cannot be read.
    """
    import importlib

    records = with_retrieval_date(readers()[fmt](path, root), path)
    modules = (importlib.import_module(f"mtr_analysis.intake.sources.{m}") for m in READER_MODULES)
    module = next((m for m in modules if getattr(m, "FORMAT", None) == fmt), None)
    check_fn = getattr(module, "check", None)
    checks = check_fn(records, catalogue) if check_fn is not None and len(records) else None
    names = companion_series_names(path)
    t = triage(records, catalogue, include_optional, aggregate_codes, checks, names, economy_codes)
    return records, t


def with_retrieval_date(records: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Add the retrieval date of ``mtr fetch`` to ``source`` strings that carry no date.

    When ``<file>.provenance.json`` exists beside ``path`` (written by ``mtr fetch``), a
    ``source`` without a vintage (:func:`mtr_analysis.intake.clean.vintage_date` is empty) gets
    ``", retrieved YYYY-MM-DD"``: a download reflects the release in force on that day,
    so newer downloads of the same source replace older ones.
    """
    from mtr_analysis.intake.clean import vintage_date

    side = path.with_name(path.name + PROVENANCE_SUFFIX)
    if not side.is_file() or records.empty:
        return records
    try:
        retrieved = str(json.loads(side.read_text(encoding="utf-8")).get("retrieved_at", ""))
    except (ValueError, OSError):
        return records
    if not re.match(r"\d{4}-\d{2}-\d{2}", retrieved):
        return records
    out = records.copy()
    undated = vintage_date(out["source"]).isna()
    out.loc[undated, "source"] = (
        out.loc[undated, "source"].astype(str) + f", retrieved {retrieved[:10]}"
    )
    return out


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


def _reason_class(reasons: pd.Series) -> pd.Series:
    """Reason text without the cell's own content: "not a number: abc" → "not a number"."""
    text = reasons.astype("string").str.split(":").str[0]
    text = text.str.replace(r"'[^']*'", "'…'", regex=True)
    return text.str.replace(r"-?\d[\d.,]*", "#", regex=True).str.strip()


def summarise_unmapped(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """One row per series not in the catalogue: records, values kept, countries, sources."""
    cols = ["series", "records", "values_kept", "countries", "sources", "files"]
    if not parts:
        return pd.DataFrame(columns=cols)
    df = pd.concat(parts, ignore_index=True)
    if df.empty:
        return pd.DataFrame(columns=cols)
    g = df.groupby("series", sort=True)
    out = pd.DataFrame(
        {
            "records": g.size(),
            "values_kept": g["kept"].sum().astype(int),
            "countries": g["country"].nunique(),
            "sources": g["source"].agg(lambda s: " | ".join(sorted(set(map(str, s)))[:3])),
            "files": g["file"].agg(lambda s: " | ".join(sorted(set(map(str, s))))),
        }
    ).reset_index()
    return out.sort_values(["records", "series"], ascending=[False, True]).reset_index(drop=True)[
        cols
    ]


def _records(df: pd.DataFrame, limit: int | None = None) -> list[dict]:
    part = df if limit is None else df.head(limit)
    return json.loads(part.to_json(orient="records", force_ascii=False, double_precision=15))


def build(
    raw_dirs: list[Path | str],
    out_dir: Path | str = PROCESSED_DIR,
    catalogue: Catalogue | None = None,
    include_optional: bool = False,
    progress: bool = False,
    priority: Priority | str | Path | None = None,
) -> BuildResult:
    """Read every file under ``raw_dirs`` and write the tidy store into ``out_dir``.

    Parameters
    ----------
    raw_dirs : list of paths
        Folders to walk (hidden files are skipped).
    out_dir : path
        Output folder.
    priority : Priority, str or path, optional
        Source priority (:func:`mtr_analysis.intake.store.load_priority`): a YAML file, a
        comma-separated list of kinds, or ``None`` for ``config/source_priority.yaml``.

    Returns
    -------
    BuildResult
        Also written to ``out_dir``: ``observations.parquet``, ``out_of_scope.parquet``,
        ``rejects.csv``, ``conflicts.csv``, ``revisions.csv``, ``intake.json`` (per file:
        accepted + rejected + out_of_scope = records_read) and ``intake.html``.
    """
    from tqdm.auto import tqdm

    from mtr_analysis.intake import intake_report

    cat = catalogue or load_catalogue()
    prio = load_priority(priority)
    out_dir = Path(out_dir)
    known = readers()
    pairs = raw_files([Path(d) for d in raw_dirs])
    detected = [(path, root, *detect(path)) for path, root in pairs]
    agg_codes: set[str] = set()
    economy_codes: set[str] = set()
    for path, _root, fmt, _why in detected:
        if fmt == "wdi_metadata":
            try:
                aggregates, economies = metadata_regions(path)
            except Exception:  # noqa: S112 - a broken companion file only loses a hint
                continue
            agg_codes |= aggregates
            economy_codes |= economies

    files: list[FileIntake] = []
    obs_parts = [empty_observations().drop(columns="selected")]
    rej_parts = [pd.DataFrame(columns=REJECT_COLUMNS)]
    unm_parts: list[pd.DataFrame] = []
    unm_rec_parts: list[pd.DataFrame] = []
    for path, root, fmt, why in tqdm(detected, desc="mtr build", unit="file", disable=not progress):
        rel = str(path.relative_to(root))
        info = FileIntake(path=rel, format=fmt, sha256=file_sha256(path), raw_dir=str(root))
        files.append(info)
        if fmt is None:
            info.error = f"not recognised: {why}"
            continue
        if fmt not in known:
            continue  # documentation or a companion file (e.g. WDI metadata): no observations
        try:
            records, t = read_file(path, root, fmt, cat, include_optional, agg_codes, economy_codes)
        except Exception as exc:  # one bad file never stops the others
            info.error = f"{type(exc).__name__}: {exc}"
            continue
        info.records_read = len(records)
        info.accepted, info.rejected = len(t.observations), len(t.rejects)
        info.out_of_scope = len(t.out_of_scope)
        info.out_of_scope_reasons = {
            str(k): int(v) for k, v in t.out_of_scope.value_counts().sort_index().items()
        }
        info.rejected_reasons = {
            str(k): int(v)
            for k, v in _reason_class(t.rejects["reason"]).value_counts().sort_index().items()
        }
        obs_parts.append(t.observations)
        rej_parts.append(t.rejects)
        unm_parts.append(t.unmapped)
        unm_rec_parts.append(t.unmapped_records)

    observations = select(pd.concat(obs_parts, ignore_index=True), prio)
    rejects = pd.concat(rej_parts, ignore_index=True)[REJECT_COLUMNS]
    unmapped = (
        pd.concat(unm_parts, ignore_index=True)
        if unm_parts
        else empty_observations().drop(columns="selected")
    )
    found_conflicts = conflicts(observations, prio)
    found_revisions = revisions(observations, prio)
    unmapped_series = summarise_unmapped(unm_rec_parts)

    write_store(observations, out_dir)
    write_out_of_scope(unmapped, out_dir)
    rejects.to_csv(out_dir / REJECTS_FILE, index=False)
    found_conflicts.to_csv(out_dir / CONFLICTS_FILE, index=False)
    found_revisions.to_csv(out_dir / REVISIONS_FILE, index=False)
    result = BuildResult(
        observations=observations,
        rejects=rejects,
        files=files,
        out_dir=out_dir,
        out_of_scope=unmapped,
        conflicts=found_conflicts,
        revisions=found_revisions,
        unmapped_series=unmapped_series,
    )
    result.intake = intake_dict(result, raw_dirs, prio)
    (out_dir / INTAKE_FILE).write_text(
        json.dumps(result.intake, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    (out_dir / INTAKE_HTML).write_text(intake_report.render_html(result.intake), encoding="utf-8")
    return result


def intake_dict(result: BuildResult, raw_dirs: list[Path | str], priority: Priority) -> dict:
    """The content of ``intake.json`` (no timestamps: same inputs give the same file)."""
    obs = result.observations
    sel = obs.loc[obs["selected"]]
    poverty = obs.loc[obs["source_series"].str.contains(r"PPP\)|poverty line unknown", regex=True)]
    poverty_lines = (
        poverty.groupby(["source_series", "source"])
        .agg(
            values=("value", "size"), selected=("selected", "sum"), countries=("country", "nunique")
        )
        .reset_index()
    )
    totals = {
        **result.totals,
        "files": len(result.files),
        "selected": int(len(sel)),
        "carried_forward": int(obs["flag"].eq("carried_forward").sum()),
        "conflicts": int(len(result.conflicts)),
        "revisions": int(len(result.revisions)),
        "unmapped_series": int(len(result.unmapped_series)),
        "out_of_scope_values_kept": int(len(result.out_of_scope)),
    }
    return {
        "raw_dirs": [str(Path(d)) for d in raw_dirs],
        "outputs": {
            "observations": OBSERVATIONS_FILE,
            "out_of_scope": OUT_OF_SCOPE_FILE,
            "rejects": REJECTS_FILE,
            "conflicts": CONFLICTS_FILE,
            "revisions": REVISIONS_FILE,
            "report": INTAKE_HTML,
        },
        "priority": priority.as_dict(),
        "totals": totals,
        "files": [asdict(f) for f in result.files],
        "unrecognised": [
            {"path": f.path, "raw_dir": f.raw_dir, "reason": f.error}
            for f in result.files
            if f.format is None
        ],
        "unreadable": [
            {"path": f.path, "raw_dir": f.raw_dir, "format": f.format, "reason": f.error}
            for f in result.files
            if f.format is not None and f.error
        ],
        "unmapped_series": _records(result.unmapped_series),
        "selected_by_source": {
            str(k): int(v)
            for k, v in source_kind(sel["source"], priority).value_counts().sort_index().items()
        },
        "rejected_by_reason": {
            str(k): int(v)
            for k, v in _reason_class(result.rejects["reason"]).value_counts().sort_index().items()
        },
        "poverty_lines": _records(poverty_lines),
        "conflicts": {
            "count": int(len(result.conflicts)),
            "tolerance": priority.tolerance,
            "file": CONFLICTS_FILE,
            "largest": _records(result.conflicts, LIST_LIMIT),
        },
        "revisions": {
            "count": int(len(result.revisions)),
            "tolerance": priority.revision_tolerance,
            "file": REVISIONS_FILE,
            "largest": _records(result.revisions, LIST_LIMIT),
        },
    }
