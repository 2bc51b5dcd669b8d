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
A zip download (not an Office file) is opened and each member is detected, read and
accounted as its own file named ``archive.zip!member.csv`` (:func:`expand_archives`).

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
import tempfile
import zipfile
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from mtr_analysis.csv_safety import write_csv
from mtr_analysis.intake import plausibility
from mtr_analysis.intake.clean import flag_carried_forward, parse_values, tag_poverty_lines
from mtr_analysis.intake.derive import add_derived
from mtr_analysis.intake.schema import YEAR_RANGE, empty_observations
from mtr_analysis.intake.sources import detect_format, reader_module, readers
from mtr_analysis.intake.sources.text import TALLY, read_csv_rows, text_notes
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
    ARCHIVE_MEMBER_SEP,
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
from mtr_analysis.settings import Settings, or_default

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
    #: What was unusual but read anyway (UTF-16, ";" separator, CR line endings).
    notes: list[str] = field(default_factory=list)
    #: Country and series keys whose invisible characters were removed (found → read as).
    normalised_keys: list[dict[str, str]] = field(default_factory=list)


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
    normalised : pandas.DataFrame
        ``column, found, read_as, records``: keys whose invisible characters or odd
        spaces were removed (``found`` written with escapes, e.g. ``VNM\\u200b``).
    """

    observations: pd.DataFrame
    rejects: pd.DataFrame
    out_of_scope: pd.Series
    unmapped: pd.DataFrame
    unmapped_records: pd.DataFrame
    normalised: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Out-of-scope cells a streaming reader counted without a record each (reason → cells).
    tallied: pd.Series = field(default_factory=lambda: pd.Series(dtype="int64"))


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


@dataclass
class _Cells:
    """Per-record columns that every triage step reads (indexed like ``records``)."""

    records: pd.DataFrame
    iso3: pd.Series
    series: pd.Series
    indicator: pd.Series
    parsed: pd.DataFrame
    years: pd.Series


def _cells(records: pd.DataFrame, catalogue: Catalogue, include_optional: bool) -> _Cells:
    """Harmonise country, series, value and year of each record once."""
    records = records.reset_index(drop=True)
    iso3 = _map_unique(
        records["country"], lambda v: registry.to_iso3(v, include_optional=include_optional)
    )
    series = _map_unique(records["series"].astype("string").fillna(""), registry.clean_text)
    return _Cells(
        records=records,
        iso3=iso3,
        series=series,
        indicator=series.map(_series_map(catalogue)),
        parsed=parse_values(records["raw"]),
        years=pd.to_numeric(records["year"], errors="coerce"),
    )


def _is_aggregate(
    records: pd.DataFrame, aggregate_codes: Collection[str], economy_codes: Collection[str]
) -> pd.Series:
    """Aggregates by name, unless the code is a known economy; always by a known code."""
    names = records["country_name"].where(records["country_name"].notna(), records["country"])
    codes = records["country"].astype(str).str.strip()
    is_agg = _map_unique(names.astype(str), registry.is_aggregate).astype(bool)
    return (is_agg & ~codes.isin(economy_codes)) | codes.isin(aggregate_codes)


def _column(records: pd.DataFrame, name: str) -> pd.Series:
    """A text column of the records, ``""`` where missing (and when the column is absent)."""
    if name not in records:
        return pd.Series("", index=records.index, dtype="string")
    return records[name].astype("string").fillna("")


def _check_reasons(checks: pd.Series | None, records: pd.DataFrame) -> pd.Series:
    """The reader's ``issue`` per record, else the format's own check reason, else ``""``."""
    issue = _column(records, "issue")
    if checks is None:
        return issue
    return issue.mask(issue.eq(""), checks.reset_index(drop=True).astype("string").fillna(""))


def normalised_keys(records: pd.DataFrame) -> pd.DataFrame:
    """Country and series keys that :func:`mtr_analysis.reference.registry.clean_text`
    changed (beyond ordinary spaces at the ends): ``column, found, read_as, records``.

    ``found`` is written with escapes (``VNM\\u200b``) so the invisible character shows.
    """
    parts = []
    for col in ("country", "series"):
        text = _column(records, col)
        cleaned = _map_unique(text, registry.clean_text)
        changed = cleaned.ne(text.str.strip())
        counts = text[changed].value_counts(sort=False)
        for found, n in counts.items():
            parts.append(
                {
                    "column": col,
                    "found": found.encode("unicode_escape").decode("ascii"),
                    "read_as": registry.clean_text(found),
                    "records": int(n),
                }
            )
    return pd.DataFrame(parts, columns=["column", "found", "read_as", "records"])


def _scope(c: _Cells, is_agg: pd.Series, checked: pd.Series) -> pd.Series:
    """Out-of-scope reason per record (first that applies), ``""`` when in scope.

    The reader's own ``skip`` reason comes first (a column that is not a year). A record
    with a format check reason stays in scope so that it is rejected with it.
    """
    scope = _column(c.records, "skip")
    scope = scope.mask(scope.eq("") & c.iso3.isna() & is_agg, AGGREGATE)
    scope = scope.mask(scope.eq("") & c.iso3.isna() & ~is_agg, NOT_MEMBER)
    scope = scope.mask(scope.eq("") & c.indicator.isna() & ~checked, UNMAPPED)
    return scope.mask(scope.eq("") & c.parsed["missing"], MISSING)


def _reject_reasons(c: _Cells, check: pd.Series, checked: pd.Series) -> pd.Series:
    """Why each record would be rejected: check reason, then not a number, then the year."""
    reason = check.where(checked, "")
    reason = reason.mask(reason.eq(""), c.parsed["reason"])
    bad_year = ~c.years.between(*YEAR_RANGE)
    return reason.mask(reason.eq("") & bad_year, f"year outside {YEAR_RANGE[0]}–{YEAR_RANGE[1]}")


def _observation_frame(
    c: _Cells, mask: pd.Series, indicator: pd.Series, units: pd.Series
) -> pd.DataFrame:
    """The masked records in the store's columns (without ``selected``).

    The unit written in the file wins; the catalogue's unit fills the gaps.
    """
    rec = c.records.loc[mask]
    unit = rec["unit"].astype("string").fillna("")
    frame = pd.DataFrame(
        {
            "country": c.iso3[mask],
            "indicator": indicator[mask],
            "year": c.years[mask].astype("int64"),
            "value": c.parsed.loc[mask, "value"],
            "lower": parse_values(rec["lower"])["value"],
            "upper": parse_values(rec["upper"])["value"],
            "unit": unit.where(unit.ne(""), indicator[mask].map(units)),
            "sex": rec["sex"],
            "age": rec["age"],
            "location": rec["location"],
            "source": rec["source"],
            "source_series": c.series[mask],
            "flag": c.parsed.loc[mask, "flag"],
            "note": rec["note"],
            "file": rec["file"],
            "locator": rec["locator"],
        }
    )
    for col in ("sex", "age", "location"):
        frame[col] = frame[col].astype("string").fillna("total").replace("", "total")
    for col in ("unit", "note", "source", "flag"):
        frame[col] = frame[col].astype("string").fillna("")
    return frame


def _repeats_observed(catalogue: Catalogue) -> frozenset[str]:
    """Indicators whose repeated yearly values are observations (``repeats_observed = yes``)."""
    col = catalogue.indicators.get("repeats_observed")
    if col is None:
        return frozenset()
    return frozenset(col.index[col.astype(str).str.strip().str.lower().eq("yes")])


def _cleaned(
    c: _Cells,
    mask: pd.Series,
    indicator: pd.Series,
    units: pd.Series,
    names: dict[str, str],
    repeats_observed: frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """:func:`_observation_frame` with poverty lines tagged and carried-forward repeats flagged
    (except for the indicators in ``repeats_observed``)."""
    frame = _observation_frame(c, mask, indicator, units)
    frame = tag_poverty_lines(frame, c.series[mask].map(names))
    frame = flag_carried_forward(frame, exempt=repeats_observed)
    return plausibility.flag_suspect(frame)


def _unmapped_records(c: _Cells, unmapped: pd.Series, kept: pd.Series) -> pd.DataFrame:
    """``series, source, country, file, kept`` of each member-state record of an unmapped series."""
    return pd.DataFrame(
        {
            "series": c.series[unmapped],
            "source": c.records.loc[unmapped, "source"],
            "country": c.iso3[unmapped],
            "file": c.records.loc[unmapped, "file"],
            "kept": kept[unmapped],
        }
    )


def _rejects(c: _Cells, rejected: pd.Series, reason: pd.Series) -> pd.DataFrame:
    """``file, locator, value, reason`` of the rejected records."""
    return pd.DataFrame(
        {
            "file": c.records.loc[rejected, "file"],
            "locator": c.records.loc[rejected, "locator"],
            "value": c.records.loc[rejected, "raw"],
            "reason": reason[rejected],
        }
    )


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
    tally = records.attrs.get(TALLY)
    if records.attrs:
        # pandas deep-copies ``attrs`` into the result of every operation on the frame and
        # its columns: a reader's tally (a frame of its own) was copied tens of thousands of
        # times per build. It is taken out once, here.
        records = records.copy(deep=False)
        records.attrs = {}
    tallied = _tallied(tally, aggregate_codes, economy_codes)
    c = _cells(records, catalogue, include_optional)
    is_agg = _is_aggregate(c.records, aggregate_codes, economy_codes)
    check = _check_reasons(checks, c.records)
    # A reader's own issue (a cell beyond the header, a formula without a value) rejects the
    # cell even when it holds a missing-value marker; a format check does not judge markers.
    reader_issue = _column(c.records, "issue").ne("")
    checked = c.iso3.notna() & check.ne("") & (~c.parsed["missing"] | reader_issue)
    scope = _scope(c, is_agg, checked)
    in_scope = scope.eq("")
    reason = _reject_reasons(c, check, checked)
    implausible = plausibility.implausible_reasons(c.indicator, c.parsed["value"], catalogue)
    reason = reason.mask(reason.eq(""), implausible)
    rejected = in_scope & reason.ne("")
    accepted = in_scope & ~rejected

    units = pd.concat([catalogue.indicators["unit"], catalogue.auxiliary["unit"]])
    names = series_names or {}
    obs = _cleaned(c, accepted, c.indicator, units, names, _repeats_observed(catalogue))
    unmapped = scope.eq(UNMAPPED)
    kept = unmapped & c.parsed["value"].notna() & c.years.between(*YEAR_RANGE)
    no_indicator = pd.Series("", index=c.records.index, dtype="string")
    unm = _cleaned(c, kept, no_indicator, units, names)
    return Triage(
        obs,
        _rejects(c, rejected, reason),
        scope[~in_scope],
        unm,
        _unmapped_records(c, unmapped, kept),
        normalised_keys(c.records),
        tallied,
    )


def _tallied(
    tally: pd.DataFrame | None, aggregate_codes: Collection[str], economy_codes: Collection[str]
) -> pd.Series:
    """Reason → cells for the rows a streaming reader counted instead of recording (its
    ``records.attrs[TALLY]``): its own ``skip`` reason, else aggregate or not a member,
    decided as :func:`_scope` decides for a record."""
    if tally is None or tally.empty:
        return pd.Series(dtype="int64")
    is_agg = _is_aggregate(tally, aggregate_codes, economy_codes)
    reason = tally["skip"].where(
        tally["skip"].ne(""), is_agg.map({True: AGGREGATE, False: NOT_MEMBER})
    )
    return tally["cells"].groupby(reason).sum().astype("int64")


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
    """Series code → name from the WDI ``Metadata_Indicator_<data file>`` beside ``path``
    (for a zip member ``a.zip!data.csv``: the member ``a.zip!Metadata_Indicator_data.csv``)."""
    archive, sep, member = path.name.rpartition(ARCHIVE_MEMBER_SEP)
    meta = path.with_name(f"{archive}{sep}{WDI_INDICATOR_METADATA_PREFIX}{member}")
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
    if (fmt := _implementation_format(path)) is not None:
        return fmt, ""
    return detect_format(path)


def _implementation_format(path: Path) -> str | None:
    """Plan registers and activity reports (issue 12), recognised from their content."""
    from mtr_analysis.intake import activities

    return activities.detect(path)


def _build_activities(
    detected: list[tuple[Path, Path, str | None, str]], files: list[FileIntake], result: BuildResult
) -> dict | None:
    """Consolidate plan registers and activity reports into ``result.out_dir`` (issue 12).

    Fills their per-file counts into ``files`` and their rejected rows into
    ``result.rejects`` (so totals, ``rejects.csv`` and the exit code include them);
    ``None`` when the raw folders hold none.
    """
    from mtr_analysis.intake import activities

    pairs = [(p, r) for p, r, fmt, _ in detected if fmt in activities.FORMATS]
    if not pairs:
        return None
    found = activities.consolidate(pairs)
    activities.write_outputs(found, result.out_dir)
    result.rejects = pd.concat([result.rejects, found.rejects], ignore_index=True)
    by_path = {f.path: f for f in found.files}
    for info in files:
        if (a := by_path.get(info.path)) is not None:
            info.records_read, info.accepted = a.records_read, a.accepted
            info.rejected, info.out_of_scope, info.error = a.rejected, a.out_of_scope, a.error
    return found.summary()["totals"]


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
    records = with_retrieval_date(readers()[fmt](path, root), path)
    check_fn = getattr(reader_module(fmt), "check", None)
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


def is_archive(path: Path) -> bool:
    """True for a zip file that is not an Office document (xlsx, docx hold
    ``[Content_Types].xml``): a download such as the World Bank's ``API_…_csv_v2_….zip``."""
    try:
        if not zipfile.is_zipfile(path):
            return False
        with zipfile.ZipFile(path) as zf:
            return "[Content_Types].xml" not in zf.namelist()
    except (OSError, zipfile.BadZipFile):
        return False


def _member_ok(name: str) -> bool:
    """A member to read: a file, inside the archive (no ``..`` or absolute path), and not
    bookkeeping (hidden files, macOS ``__MACOSX`` folders)."""
    parts = Path(name).parts
    return (
        not name.endswith("/")
        and not Path(name).is_absolute()
        and ".." not in parts
        and not any(p.startswith(".") or p == "__MACOSX" for p in parts)
    )


#: Format given to a zip member that was not extracted (:func:`expand_archives`).
ARCHIVE_MEMBER_REJECTED = "archive member not extracted"
_CHUNK = 1 << 20


def member_limit_bytes(settings: Settings | None = None) -> int:
    """The largest zip member extracted, in bytes (``archives.max_member_mb`` × 10⁶)."""
    return or_default(settings).archives.max_member_mb * 1_000_000


def extract_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, limit: int) -> str:
    """Write one member to ``target``, stopping at ``limit`` bytes; "" or why not extracted.

    The declared size is checked first, then the bytes actually inflated (a crafted zip can
    declare a small size and inflate to gigabytes), so memory and disk stay bounded.
    """
    mb = f"{limit / 1_000_000:g} MB"
    why = f"not extracted: larger than the limit of {mb} per archive member "
    why += "(archives.max_member_mb in config/methods.yaml)"
    if info.file_size > limit:
        target.write_bytes(b"")  # a placeholder, so that the member is accounted for
        return f"{why}; it declares {info.file_size:,} bytes uncompressed"
    written = 0
    with zf.open(info) as src, target.open("wb") as dst:
        while chunk := src.read(_CHUNK):
            written += len(chunk)
            if written > limit:
                break
            dst.write(chunk)
    if written > limit:
        target.write_bytes(b"")  # the partial member is not kept
        return f"{why}; it inflates beyond {mb} although it declares {info.file_size:,} bytes"
    return ""


def expand_archives(
    pairs: list[tuple[Path, Path]],
    work_dir: Path,
    problems: dict[Path, str] | None = None,
    limit: int | None = None,
) -> list[tuple[Path, Path, Path]]:
    """Replace each zip download by its members: ``(file, read root, raw folder)``.

    A member ``m.csv`` of ``<raw>/wdi/a.zip`` is extracted to
    ``work_dir/<k>/wdi/a.zip!m.csv`` (``k`` numbers the raw folders), so that every reader
    names it ``wdi/a.zip!m.csv`` (:data:`~mtr_analysis.paths.ARCHIVE_MEMBER_SEP`) and finds
    its companions (``a.zip!Metadata_Indicator_m.csv``) beside it. Other files are kept as
    ``(file, root, root)``. A zip that cannot be opened is kept as it is, so that it is
    reported as not recognised. A member over ``limit`` bytes (default
    :func:`member_limit_bytes`) is left as an empty file and its reason put in
    ``problems`` (keyed by that file), so that the build accounts for it as unreadable.
    """
    limit = member_limit_bytes() if limit is None else limit
    problems = {} if problems is None else problems
    roots = {root: k for k, root in enumerate(dict.fromkeys(r for _, r in pairs))}
    out: list[tuple[Path, Path, Path]] = []
    for path, root in pairs:
        if not is_archive(path):
            out.append((path, root, root))
            continue
        base = work_dir / str(roots[root])
        rel = path.relative_to(root)
        try:
            with zipfile.ZipFile(path) as zf:
                for info in zf.infolist():
                    if not _member_ok(info.filename):
                        continue
                    target = base / rel.parent / f"{rel.name}{ARCHIVE_MEMBER_SEP}{info.filename}"
                    target.parent.mkdir(parents=True, exist_ok=True)
                    if why := extract_member(zf, info, target, limit):
                        problems[target] = why
                    out.append((target, base, root))
        except (OSError, RuntimeError, zipfile.BadZipFile):  # encrypted or damaged
            out.append((path, root, root))
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


def _metadata_hints(
    detected: list[tuple[Path, Path, str | None, str]],
) -> tuple[set[str], set[str]]:
    """(aggregate codes, economy codes) from every WDI ``Metadata_Country`` file found."""
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
    return agg_codes, economy_codes


def _count_reasons(labels: pd.Series, tallied: pd.Series | None = None) -> dict[str, int]:
    """Label (a reason or a source kind) → count, sorted by label (for ``intake.json``);
    ``tallied`` (label → count) is added."""
    counts = labels.value_counts()
    if tallied is not None and len(tallied):
        counts = counts.add(tallied, fill_value=0)
    return {str(k): int(v) for k, v in counts.sort_index().items()}


def _intake_file(
    path: Path,
    root: Path,
    detected: tuple[str | None, str],
    catalogue: Catalogue,
    include_optional: bool = False,
    hints: tuple[Collection[str], Collection[str]] = ((), ()),
    raw_dir: Path | None = None,
) -> tuple[FileIntake, Triage | None]:
    """Read and triage one file of ``mtr build``; a file that fails is recorded, not raised.

    ``detected`` is ``(format, why not recognised)`` from :func:`detect`; ``hints`` are the
    aggregate and economy codes of :func:`metadata_regions`; ``raw_dir`` the raw folder
    when ``root`` is where a zip's members were extracted (:func:`expand_archives`). The
    triage is ``None`` for files without observations (documentation, companions) and for
    files that fail.
    """
    fmt, why = detected
    rel = str(path.relative_to(root))
    info = FileIntake(path=rel, format=fmt, sha256=file_sha256(path), raw_dir=str(raw_dir or root))
    if fmt != "documentation":
        info.notes = text_notes(path)
    if fmt is None:
        info.error = f"not recognised: {why}"
        return info, None
    if fmt == ARCHIVE_MEMBER_REJECTED:  # too large to extract (expand_archives)
        info.error = why
        return info, None
    if fmt not in readers():
        return info, None  # documentation or a companion file (e.g. WDI metadata)
    try:
        records, t = read_file(path, root, fmt, catalogue, include_optional, *hints)
    except Exception as exc:  # one bad file never stops the others
        info.error = f"{type(exc).__name__}: {exc}"
        return info, None
    tallied = int(t.tallied.sum())
    info.records_read = len(records) + tallied
    info.accepted, info.rejected = len(t.observations), len(t.rejects)
    info.out_of_scope = len(t.out_of_scope) + tallied
    info.out_of_scope_reasons = _count_reasons(t.out_of_scope, t.tallied)
    info.rejected_reasons = _count_reasons(_reason_class(t.rejects["reason"]))
    info.normalised_keys = _records(t.normalised)
    return info, t


def _assemble(
    files: list[FileIntake], triages: list[Triage], out_dir: Path, prio: Priority
) -> BuildResult:
    """The store (one value selected per key), rejects, out-of-scope values and the lists."""
    no_obs = empty_observations().drop(columns="selected")
    observations = select(
        pd.concat([no_obs, *(t.observations for t in triages)], ignore_index=True), prio
    )
    rej_parts = [pd.DataFrame(columns=REJECT_COLUMNS), *(t.rejects for t in triages)]
    unm_parts = [t.unmapped for t in triages]
    unmapped = pd.concat(unm_parts, ignore_index=True) if unm_parts else no_obs
    return BuildResult(
        observations=observations,
        rejects=pd.concat(rej_parts, ignore_index=True)[REJECT_COLUMNS],
        files=files,
        out_dir=out_dir,
        out_of_scope=unmapped,
        conflicts=conflicts(observations, prio),
        revisions=revisions(observations, prio),
        unmapped_series=summarise_unmapped([t.unmapped_records for t in triages]),
    )


def _write_tables(result: BuildResult) -> None:
    """The store, out-of-scope values, rejects, conflicts and revisions into ``out_dir``."""
    out_dir = result.out_dir
    write_store(result.observations, out_dir)
    write_out_of_scope(result.out_of_scope, out_dir)
    write_csv(result.rejects, out_dir / REJECTS_FILE)
    write_csv(result.conflicts, out_dir / CONFLICTS_FILE)
    write_csv(result.revisions, out_dir / REVISIONS_FILE)


def _write_intake(result: BuildResult) -> None:
    """``intake.json`` and the intake report made from it."""
    from mtr_analysis.intake import intake_report

    (result.out_dir / INTAKE_FILE).write_text(
        json.dumps(result.intake, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    page = intake_report.render_html(result.intake)
    (result.out_dir / INTAKE_HTML).write_text(page, encoding="utf-8")


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

    cat = catalogue or load_catalogue()
    prio = load_priority(priority)
    pairs = raw_files([Path(d) for d in raw_dirs])
    files: list[FileIntake] = []
    triages: list[Triage] = []
    with tempfile.TemporaryDirectory(prefix="mtr-archives-") as work:
        problems: dict[Path, str] = {}
        walk = expand_archives(pairs, Path(work), problems)
        detected = [
            (path, root, *((ARCHIVE_MEMBER_REJECTED, problems[path]) if path in problems
                           else detect(path)))
            for path, root, _ in walk
        ]  # fmt: skip
        hints = _metadata_hints(detected)
        bar = tqdm(detected, desc="mtr build", unit="file", disable=not progress)
        for (path, root, fmt, why), (_, _, raw_dir) in zip(bar, walk, strict=True):
            info, t = _intake_file(path, root, (fmt, why), cat, include_optional, hints, raw_dir)
            files.append(info)
            if t is not None:
                triages.append(t)
    result = _assemble(files, triages, Path(out_dir), prio)
    result.observations = add_derived(result.observations, cat)  # only where none selected
    implementation = _build_activities(detected, files, result)
    _write_tables(result)
    result.intake = intake_dict(result, raw_dirs, prio)
    result.intake["coverage"] = _coverage(result.observations, cat)
    if implementation is not None:
        from mtr_analysis.intake.activities import OUTPUTS

        result.intake["activities"] = implementation
        result.intake["outputs"].update(OUTPUTS)
    _write_intake(result)
    return result


def _coverage(observations: pd.DataFrame, catalogue: Catalogue) -> dict:
    """The catalogue-coverage table of ``intake.json`` (:mod:`.intake_report`)."""
    from mtr_analysis.intake import intake_report

    return intake_report.catalogue_coverage(observations, catalogue)


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
        # rows computed from components (intake/derive.py): in the store, not read from a file
        "derived": int(obs["flag"].eq("derived").sum()),
        "conflicts": int(len(result.conflicts)),
        "revisions": int(len(result.revisions)),
        "unmapped_series": int(len(result.unmapped_series)),
        "out_of_scope_values_kept": int(len(result.out_of_scope)),
    }
    from mtr_analysis.intake.snapshot import snapshot_of

    return {
        "raw_dirs": [str(Path(d)) for d in raw_dirs],
        # {"vintage": …} when every raw folder is a ``mtr snapshot`` (reports show its banner).
        "snapshot": snapshot_of(raw_dirs),
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
        "normalised_keys": [{"path": f.path, **k} for f in result.files for k in f.normalised_keys],
        "read_with_notes": [{"path": f.path, "notes": f.notes} for f in result.files if f.notes],
        "selected_by_source": _count_reasons(source_kind(sel["source"], priority)),
        "rejected_by_reason": _count_reasons(_reason_class(result.rejects["reason"])),
        "poverty_lines": _records(poverty_lines),
        "plausibility": plausibility.intake_section(obs, result.rejects),
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
