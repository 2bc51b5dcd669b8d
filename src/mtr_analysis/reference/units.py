"""Reporting units of implementation tracking and the activity status vocabulary.

Comes in: ``config/reporting_units.yaml`` (the 15 ASCC sectoral bodies, Viet Nam's
ministries, the five activity statuses) and ``config/vn_provinces_2025.csv`` (Viet Nam's 63
provinces before 1 July 2025 and the 34 provincial-level units they form, Resolution
202/2025/QH15). Goes out: :class:`ReportingUnits`, one table of every unit with its kind,
scope and successor (the unit it rolls up to), and the status labels a workbook may use.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from mtr_analysis import yaml_io
from mtr_analysis.paths import REPORTING_UNITS_FILE

UNIT_COLUMNS = ["code", "name", "name_vi", "kind", "scope", "successor"]
#: Prefix of the codes of Viet Nam's 63 provinces before 1 July 2025 (+ GSO code).
OLD_PROVINCE_PREFIX = "VN63-"


class UnitsError(ValueError):
    """The reporting-units configuration is invalid; the message names file and entry."""


@dataclass(frozen=True)
class ReportingUnits:
    """Every reporting unit and the status vocabulary.

    Attributes
    ----------
    units : pandas.DataFrame
        :data:`UNIT_COLUMNS`, indexed by ``code``. ``kind`` is ``sectoral_body``,
        ``ministry``, ``province``, ``city`` (the 34 units from 1 July 2025) or
        ``old_province`` (the 63 before); ``scope`` is ``ASEAN`` or an ISO3 code;
        ``successor`` is the unit's own code, or for an old province the new unit it is
        part of.
    statuses : tuple of str
        Status codes in their order (not started → cancelled).
    status_labels : dict
        Lower-case label (English or Vietnamese) or code → status code.
    """

    units: pd.DataFrame
    statuses: tuple[str, ...]
    status_labels: dict[str, str]

    def roll_up(self, codes: pd.Series) -> pd.Series:
        """Each code's successor (old provinces → new units; others and unknown unchanged)."""
        return codes.map(self.units["successor"]).fillna(codes)

    def reports_for(self, reporter: str, owners: pd.Series) -> pd.Series:
        """Whether ``reporter`` may report the activities of ``owners`` (responsible units).

        A unit reports its own activities; a new provincial unit also those registered
        under the old provinces it absorbed; an old province also those registered under
        the new unit it became part of (never those of a sibling old province).
        """
        successor = str(self.units["successor"].get(reporter, reporter))
        return owners.eq(reporter) | owners.eq(successor) | self.roll_up(owners).eq(reporter)

    def successor(self, code: str) -> str:
        """The unit ``code`` rolls up to (itself unless an old province; unknown: itself)."""
        return str(self.units["successor"].get(code, code))

    def may_report(self, reporter: str, owner: str) -> bool:
        """Scalar form of :meth:`reports_for` (one activity's responsible unit)."""
        return owner in (reporter, self.successor(reporter)) or self.successor(owner) == reporter

    def canonical(self, code: object) -> str:
        """The unit code as configured when ``code`` matches one ignoring case and outer
        spaces (``" somhd"`` → ``"SOMHD"``); otherwise the stripped text unchanged."""
        text = str(code or "").strip()
        if text in self.units.index:
            return text
        match = [c for c in self.units.index if c.upper() == text.upper()]
        return match[0] if match else text

    def is_known(self, code: str) -> bool:
        """True when ``code`` is a reporting unit."""
        return code in self.units.index

    def status_code(self, label: object) -> str | None:
        """The status code of a cell's text, or ``None`` when it is not a status."""
        if label is None:
            return None
        return self.status_labels.get(str(label).strip().lower())

    def name(self, code: str, lang: str = "en") -> str:
        """Display name of a unit (Vietnamese name with ``lang="vi"`` where known)."""
        if code not in self.units.index:
            return code
        row = self.units.loc[code]
        return str(row["name_vi"] or row["name"]) if lang == "vi" else str(row["name"])


def _provinces(path: Path) -> pd.DataFrame:
    """Old and new provincial units from the merger file (comment lines start with '#')."""
    df = pd.read_csv(path, dtype=str, comment="#", keep_default_na=False, encoding="utf-8")
    missing = {"old_code", "old_name", "new_code", "new_name", "new_kind"} - set(df.columns)
    if missing:
        raise UnitsError(f"{path.name}: missing column(s) {', '.join(sorted(missing))}")
    old = pd.DataFrame(
        {
            "code": OLD_PROVINCE_PREFIX + df["old_code"],
            "name": df["old_name"] + " (before 1 July 2025)",
            "name_vi": df["old_name"] + " (trước 1/7/2025)",
            "kind": "old_province",
            "scope": "VNM",
            "successor": df["new_code"],
        }
    )
    new = df.drop_duplicates("new_code")
    new = pd.DataFrame(
        {
            "code": new["new_code"],
            "name": new["new_name"],
            "name_vi": new["new_name"],
            "kind": new["new_kind"],
            "scope": "VNM",
            "successor": new["new_code"],
        }
    )
    return pd.concat([old, new], ignore_index=True)


@lru_cache(maxsize=4)
def _load_cached(path: Path) -> ReportingUnits:
    cfg = yaml_io.load(path.read_text(encoding="utf-8"))
    rows = [
        {"name_vi": "", **b, "kind": "sectoral_body", "scope": "ASEAN"}
        for b in cfg["sectoral_bodies"]
    ]
    parts = [pd.DataFrame(rows)]
    for iso3, nat in cfg.get("national", {}).items():
        ministries = [
            {"name_vi": "", **m, "kind": "ministry", "scope": iso3} for m in nat["ministries"]
        ]
        parts.append(pd.DataFrame(ministries))
        if nat.get("provinces_file"):
            parts.append(_provinces(path.with_name(nat["provinces_file"])))
    units = pd.concat(parts, ignore_index=True)
    units["successor"] = units["successor"].fillna(units["code"])
    dup = units.loc[units["code"].duplicated(), "code"]
    if len(dup):
        raise UnitsError(f"{path.name}: unit code(s) defined twice: {', '.join(dup)}")
    labels: dict[str, str] = {}
    for s in cfg["statuses"]:
        for label in [s["code"], s["code"].replace("_", " "), *s["labels"]]:
            labels[str(label).strip().lower()] = s["code"]
    statuses = tuple(s["code"] for s in cfg["statuses"])
    return ReportingUnits(units[UNIT_COLUMNS].set_index("code", drop=False), statuses, labels)


def load_units(path: Path | str = REPORTING_UNITS_FILE) -> ReportingUnits:
    """Load the reporting units and status vocabulary (cached per file).

    Raises
    ------
    UnitsError
        When a unit code is defined twice or the province file lacks a column.
    """
    return _load_cached(Path(path).resolve())
