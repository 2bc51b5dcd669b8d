"""Activity reports from many units → one consolidated table, every row accounted for.

Comes in: plan registers (:mod:`mtr_analysis.intake.plan_register`) and filled reporting
workbooks (:mod:`mtr_analysis.intake.activity_template`) found among the raw files.
Goes out: :class:`ActivityIntake` — the consolidated progress rows (one per activity ×
period), rejected rows with file, cell and reason, the list of replaced reports, the
province roll-up applied, and per file ``records_read = accepted + rejected +
out_of_scope``; :func:`write_outputs` writes them to the processed folder
(``plan_register.csv``, ``activities.csv``, ``activity_rejects.csv``,
``activity_replacements.csv``, ``activity_intake.json``).

Rules. A report row is *rejected* when its unit (B2), period (B3) or reporting date (B4) is
missing or unknown, its activity id is empty, unknown or another unit's (after the
province roll-up on both sides), its status is not one of the five, its percent complete
is not a number from 0 to 100, an output is not a non-negative number, or the activity is
repeated in the file. A row with nothing filled in is *out of scope* ("no progress
entered"). Accepted rows of an earlier report of the same unit and period are *replaced*
by the report with the latest reporting date (ties: the later file name), and the
replacement is listed. Reports of old provinces (``VN63-…``) count for the new unit they
rolled up into (Resolution 202/2025/QH15); when two of them report the same activity for
the same period, the later report is kept and the other listed as replaced.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from mtr_analysis.csv_safety import write_csv
from mtr_analysis.intake import activity_template as tpl
from mtr_analysis.intake.plan_register import (
    PlanRegister,
    RegisterError,
    combine,
    is_register,
    read_register,
)
from mtr_analysis.paths import (
    ACTIVITIES_FILE,
    ACTIVITY_INTAKE_FILE,
    ACTIVITY_REJECTS_FILE,
    ACTIVITY_REPLACEMENTS_FILE,
    PLAN_REGISTER_FILE,
)
from mtr_analysis.reference.catalogue import Catalogue, load_catalogue
from mtr_analysis.reference.units import ReportingUnits, load_units

REGISTER_FORMAT = "plan_register"
#: The formats of implementation tracking (``mtr build`` hands these files to this module).
FORMATS = (REGISTER_FORMAT, tpl.FORMAT)
REJECT_COLUMNS = ["file", "locator", "value", "reason"]
ROW_COLUMNS = [
    "activity_id", "period", "reporting_unit", "unit", "rolled_up", "status",
    "percent_complete", *tpl.OUTPUTS, "evidence", "notes", "reporting_date", "file", "locator",
]  # fmt: skip
REPLACEMENT_COLUMNS = [
    "reporting_unit", "unit", "period", "activity_id", "replaced_file", "replaced_date",
    "kept_file", "kept_date", "rows", "reason",
]  # fmt: skip
NO_PROGRESS = "no progress entered"


@dataclass
class ActivityFile:
    """What happened to one register or report file."""

    path: str
    format: str
    unit: str = ""
    period: int | None = None
    reporting_date: str = ""
    records_read: int = 0
    accepted: int = 0
    rejected: int = 0
    out_of_scope: int = 0
    replaced: int = 0
    error: str = ""


@dataclass
class ActivityIntake:
    """The consolidated activity reports (see the module docstring for the rules)."""

    register: PlanRegister
    rows: pd.DataFrame
    rejects: pd.DataFrame
    replacements: pd.DataFrame
    roll_up: pd.DataFrame
    files: list[ActivityFile] = field(default_factory=list)

    def summary(self) -> dict:
        """Counts and lists for ``activity_intake.json`` (no timestamps)."""
        keys = ("records_read", "accepted", "rejected", "out_of_scope", "replaced")
        return {
            "totals": {
                **{k: sum(getattr(f, k) for f in self.files) for k in keys},
                "activities_in_register": len(self.register.activities),
                "rows_consolidated": len(self.rows),
            },
            "files": [asdict(f) for f in self.files],
            "replacements": _records(self.replacements),
            "roll_up": _records(self.roll_up),
        }


def _records(df: pd.DataFrame) -> list[dict]:
    return json.loads(df.to_json(orient="records", force_ascii=False, date_format="iso"))


def detect(path: Path) -> str | None:
    """``"plan_register"``, ``"activity_report"`` or ``None`` (not an implementation file)."""
    if tpl.sniff(path):
        return tpl.FORMAT
    if is_register(path):
        return REGISTER_FORMAT
    return None


def _as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and float(value).is_integer():
        return int(value)
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None


def _number(value: object) -> float | None:
    """A cell as a number (``None`` for text that is not one)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip().replace(",", ""))
    except ValueError:
        return None


def _file_reason(
    raw: tpl.RawReport, units: ReportingUnits
) -> tuple[str, str, int | None, dt.date | None]:
    """(reason every row is rejected, or "", unit, period, reporting date) of a report."""
    unit = units.canonical(raw.unit)
    period, date = _as_int(raw.period), _as_date(raw.reporting_date)
    if not unit:
        return f"no reporting unit in cell {tpl.UNIT_CELL}", unit, period, date
    if not units.is_known(unit):
        return f"unknown reporting unit {unit!r} in cell {tpl.UNIT_CELL}", unit, period, date
    if period is None or not 2000 <= period <= 2100:
        return f"period {raw.period!r} in cell {tpl.PERIOD_CELL} is not a year", unit, period, date
    if date is None:
        found = "" if raw.reporting_date is None else f" ({raw.reporting_date!r})"
        return (
            f"no reporting date in cell {tpl.DATE_CELL}{found}: a date YYYY-MM-DD is needed to "
            "order resubmissions",
            unit, period, date,
        )  # fmt: skip
    return "", unit, period, date


def _filled(row: dict) -> bool:
    return any(row.get(c) is not None and str(row.get(c)).strip() for c in tpl.FILLED)


def _row_reason(row: dict, unit: str, reg: pd.DataFrame, units: ReportingUnits) -> str:
    """Why one filled row is rejected ("" when it is accepted); each reason names its cell."""
    r = row["_row"]
    aid = str(row.get("activity_id") or "").strip()
    if not aid:
        return f"no activity id in cell {tpl.cell('activity_id', r)}"
    if aid not in reg.index:
        return f"unknown activity id {aid!r} in cell {tpl.cell('activity_id', r)} (not in the plan register)"
    owner = str(reg.at[aid, "responsible_unit"])
    if not units.may_report(unit, owner):
        return (
            f"activity {aid!r} (cell {tpl.cell('activity_id', r)}) belongs to {owner}, "
            f"not to the reporting unit {unit}"
        )
    status = row.get("status")
    if status is None or not str(status).strip():
        return f"no status in cell {tpl.cell('status', r)}"
    if units.status_code(status) is None:
        allowed = ", ".join(tpl.STATUS_LABELS)
        return (
            f"unknown status {str(status)!r} in cell {tpl.cell('status', r)} (allowed: {allowed})"
        )
    pct = row.get("percent_complete")
    if pct is not None and str(pct).strip():
        value = _number(pct)
        if value is None:
            return f"percent complete {pct!r} in cell {tpl.cell('percent_complete', r)} is not a number"
        if not 0 <= value <= 100:
            return f"percent complete {value:g} in cell {tpl.cell('percent_complete', r)} outside 0–100"
    for col in tpl.OUTPUTS:
        v = row.get(col)
        if v is not None and str(v).strip():
            n = _number(v)
            if n is None or n < 0:
                return f"{col} {v!r} in cell {tpl.cell(col, r)} is not a non-negative number"
    return ""


def _accepted_row(row: dict, raw: tpl.RawReport, meta: dict, units: ReportingUnits) -> dict:
    """One accepted row in :data:`ROW_COLUMNS` (percent implied by status when empty)."""
    status = units.status_code(row["status"])
    pct = _number(row.get("percent_complete")) if row.get("percent_complete") is not None else None
    if pct is None:
        pct = {"completed": 100.0, "not_started": 0.0}.get(str(status), float("nan"))
    outputs = {
        c: _number(row.get(c)) if row.get(c) is not None else float("nan") for c in tpl.OUTPUTS
    }
    return {
        "activity_id": str(row["activity_id"]).strip(),
        **meta,
        "status": status,
        "percent_complete": pct,
        **{k: float("nan") if v is None else v for k, v in outputs.items()},
        "evidence": str(row.get("evidence") or ""),
        "notes": str(row.get("notes") or ""),
        "file": raw.file,
        "locator": f"{tpl.SHEET}!A{row['_row']}",
    }


def triage_report(
    raw: tpl.RawReport, reg: pd.DataFrame, units: ReportingUnits
) -> tuple[ActivityFile, list[dict], list[dict]]:
    """Accepted rows and rejects of one report, and its account (before replacements)."""
    info = ActivityFile(path=raw.file, format=tpl.FORMAT)
    if raw.problems:
        info.error = "; ".join(raw.problems) + " (regenerate the workbook with `mtr template`)"
        return info, [], []
    file_reason, unit, period, date = _file_reason(raw, units)
    info.unit, info.period = unit, period
    info.reporting_date = date.isoformat() if date else ""
    info.records_read = len(raw.rows)
    successor = units.successor(unit)
    meta = {"period": period, "reporting_unit": unit, "unit": successor,
            "rolled_up": successor != unit, "reporting_date": info.reporting_date}  # fmt: skip
    accepted, rejects, first_row = [], [], {}
    for row in raw.rows:
        loc = f"{tpl.SHEET}!A{row['_row']}"
        value = str(row.get("activity_id") or "")
        if not _filled(row):
            info.out_of_scope += 1
            continue
        reason = file_reason or _row_reason(row, unit, reg, units)
        aid = value.strip()
        if not reason and aid in first_row:
            reason = f"activity {aid!r} repeated in cell {tpl.cell('activity_id', row['_row'])} (first in row {first_row[aid]})"
        if reason:
            rejects.append({"file": raw.file, "locator": loc, "value": value, "reason": reason})
            continue
        first_row[aid] = row["_row"]
        accepted.append(_accepted_row(row, raw, meta, units))
    info.accepted, info.rejected = len(accepted), len(rejects)
    return info, accepted, rejects


def _replace(rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep the latest report per unit × period, then per activity × period.

    Returns the kept rows and the list of replacements (:data:`REPLACEMENT_COLUMNS`).
    """
    if rows.empty:
        return rows, pd.DataFrame(columns=REPLACEMENT_COLUMNS)
    order = rows.sort_values(["reporting_date", "file", "locator"])
    latest = order.groupby(["reporting_unit", "period"])["file"].transform("last")
    dropped, kept = order.loc[order["file"] != latest], order.loc[order["file"] == latest]
    listed = []
    if len(dropped):
        by_file = kept.drop_duplicates(["reporting_unit", "period"]).set_index(
            ["reporting_unit", "period"]
        )
        for (ru, per, f), g in dropped.groupby(["reporting_unit", "period", "file"], sort=True):
            k = by_file.loc[(ru, per)]
            listed.append({"reporting_unit": ru, "unit": g["unit"].iat[0], "period": per,
                           "activity_id": "", "replaced_file": f,
                           "replaced_date": g["reporting_date"].iat[0], "kept_file": k["file"],
                           "kept_date": k["reporting_date"], "rows": len(g),
                           "reason": "later report of the same unit and period"})  # fmt: skip
    # Two old provinces of one new unit may report the same activity: keep the later one.
    last = kept.groupby(["activity_id", "period"])["file"].transform("last")
    dup = kept.loc[kept["file"] != last]
    winner = kept.loc[kept["file"] == last].set_index(["activity_id", "period"])
    for r in dup.itertuples(index=False):
        w = winner.loc[(r.activity_id, r.period)]
        listed.append({"reporting_unit": r.reporting_unit, "unit": r.unit, "period": r.period,
                       "activity_id": r.activity_id, "replaced_file": r.file,
                       "replaced_date": r.reporting_date, "kept_file": w["file"],
                       "kept_date": w["reporting_date"], "rows": 1,
                       "reason": f"same activity reported later by {w['reporting_unit']}"})  # fmt: skip
    kept = kept.loc[kept["file"] == last]
    out = kept.sort_values(["period", "unit", "activity_id"]).reset_index(drop=True)
    return out, pd.DataFrame(listed, columns=REPLACEMENT_COLUMNS)


def _roll_up_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Reports of old provinces counted for their new unit: one line per old unit × period."""
    cols = ["reporting_unit", "unit", "period", "rows"]
    old = rows.loc[rows["rolled_up"].astype(bool)] if len(rows) else rows
    if old.empty:
        return pd.DataFrame(columns=cols)
    g = old.groupby(["reporting_unit", "unit", "period"]).size().rename("rows").reset_index()
    return g[cols]


def _registers(pairs: list[tuple[Path, Path]], cat: Catalogue, units: ReportingUnits):
    """(combined register, file accounts) of the register files among ``pairs``."""
    found, infos = [], []
    for path, root in pairs:
        info = ActivityFile(path=str(path.relative_to(root)), format=REGISTER_FORMAT)
        try:
            reg = read_register(path, cat, units, root)
        except (RegisterError, OSError, ValueError) as exc:
            info.error = str(exc)
        else:
            found.append(reg)
            info.records_read = info.accepted = len(reg.activities)
        infos.append(info)
    try:
        return combine(found), infos
    except RegisterError as exc:
        for info in infos:
            info.error = info.error or str(exc)
        return combine([]), infos


def consolidate(
    pairs: list[tuple[Path, Path]],
    catalogue: Catalogue | None = None,
    units: ReportingUnits | None = None,
) -> ActivityIntake:
    """Read every register and report among ``pairs`` (file, raw root) and consolidate.

    Files that are neither are ignored. See the module docstring for the rules.
    """
    cat, units = catalogue or load_catalogue(), units or load_units()
    kinds = [(p, r, detect(p)) for p, r in pairs]
    register, files = _registers([(p, r) for p, r, k in kinds if k == REGISTER_FORMAT], cat, units)
    reg = register.activities
    accepted, rejects, by_file = [], [], {}
    for path, root, kind in kinds:
        if kind != tpl.FORMAT:
            continue
        info, ok, bad = triage_report(tpl.read(path, root), reg, units)
        files.append(info)
        by_file[info.path] = info
        accepted += ok
        rejects += bad
    rows, replacements = _replace(pd.DataFrame(accepted, columns=ROW_COLUMNS))
    for r in replacements.itertuples(index=False):
        by_file[r.replaced_file].replaced += int(r.rows)
    return ActivityIntake(
        register=register,
        rows=rows,
        rejects=pd.DataFrame(rejects, columns=REJECT_COLUMNS),
        replacements=replacements,
        roll_up=_roll_up_table(rows),
        files=files,
    )


#: What :func:`write_outputs` writes, by role (listed in ``intake.json``'s ``outputs``).
OUTPUTS = {
    "plan_register": PLAN_REGISTER_FILE,
    "activities": ACTIVITIES_FILE,
    "activity_rejects": ACTIVITY_REJECTS_FILE,
    "activity_replacements": ACTIVITY_REPLACEMENTS_FILE,
    "activity_intake": ACTIVITY_INTAKE_FILE,
}


def write_outputs(result: ActivityIntake, out_dir: Path | str) -> list[Path]:
    """The register, consolidated rows, rejects, replacements and the account, as files."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    reg = result.register.activities.copy()
    for c in ("planned_start", "planned_end"):
        reg[c] = reg[c].dt.strftime("%Y-%m-%d")
    written = []
    for df, name in (
        (reg.reset_index(drop=True), PLAN_REGISTER_FILE),
        (result.rows, ACTIVITIES_FILE),
        (result.rejects, ACTIVITY_REJECTS_FILE),
        (result.replacements, ACTIVITY_REPLACEMENTS_FILE),
    ):
        write_csv(df, out_dir / name)
        written.append(out_dir / name)
    path = out_dir / ACTIVITY_INTAKE_FILE
    text = json.dumps(result.summary(), indent=2, sort_keys=True, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")
    return [*written, path]


def load_outputs(folder: Path | str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(register, consolidated rows) as written by :func:`write_outputs`, typed.

    Missing files give empty frames (a build without implementation inputs).
    """
    folder = Path(folder)
    reg_path, rows_path = folder / PLAN_REGISTER_FILE, folder / ACTIVITIES_FILE
    if not reg_path.is_file() or not rows_path.is_file():
        return pd.DataFrame(), pd.DataFrame(columns=ROW_COLUMNS)
    reg = pd.read_csv(
        reg_path, dtype={"activity_id": str, "indicator_ids": str}, keep_default_na=False
    )
    for c in ("planned_start", "planned_end"):
        reg[c] = pd.to_datetime(reg[c])
    reg["budget"] = pd.to_numeric(reg["budget"], errors="coerce")
    rows = pd.read_csv(rows_path, dtype={"activity_id": str, "evidence": str, "notes": str})
    return reg.set_index("activity_id", drop=False), rows


def validate_path(path: Path) -> tuple[list[str], bool]:
    """``mtr validate`` for a plan register or an activity report: (lines to print, ok).

    A report is checked against the plan registers found in its own folder and the folder
    above (where ``mtr demo`` and usual submissions keep them).
    """
    path = Path(path)
    if detect(path) == REGISTER_FORMAT:
        try:
            reg = read_register(path, root=path.parent)
        except RegisterError as exc:
            return [str(exc)], False
        return [f"{path.name} (plan register): {len(reg.activities)} activities, no problems"], True
    folders = [path.parent, path.parent.parent]
    registers = [p for d in folders for p in sorted(d.iterdir()) if p.is_file() and is_register(p)]
    if not registers:
        return [f"{path.name}: no plan register in {path.parent} or its parent folder; "
                "activity ids cannot be checked"], False  # fmt: skip
    result = consolidate([(p, p.parent) for p in [*registers, path]])
    info = next(f for f in result.files if f.format == tpl.FORMAT)
    lines = [f.error for f in result.files if f.error]
    lines += [f"{r.file}, {r.locator}: {r.reason}" for r in result.rejects.itertuples()]
    lines.append(
        f"{path.name} (activity report, {info.unit} {info.period}): {info.records_read} rows, "
        f"{info.accepted} valid, {info.rejected} problem(s), {info.out_of_scope} not filled in"
    )
    return lines, not (info.rejected or info.error)
