"""Reuse of earlier reports: the cache key and the cache record of each report.

``mtr run`` reuses a report from an earlier run when nothing it depends on has changed. The
dependencies (fingerprints from :mod:`mtr_analysis.provenance`: notebook, template,
parameters, data, code and package versions) are summed up in one key (:func:`cache_key`)
and stored with the report's outputs in a record (:func:`write_record`), together with the
SHA-256 of every file the report produced (:func:`outputs_of`: HTML, executed notebook,
findings JSON and, for the regional report, the review tables), taken when they were
written. A report is reused (:func:`cached_result`) only when its key matches and every one
of those files is still there with the same checksum: a truncated ``THA.html`` or an
emptied ``assessment.csv`` makes the report run again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mtr_analysis import paths, provenance
from mtr_analysis.atomic_io import atomic_write_text
from mtr_analysis.run.execute import ReportTask
from mtr_analysis.run.results import ReportResult, relative, result_dict


def cache_key(parts: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of ``parts`` (keys sorted)."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_record(path: Path | str) -> dict | None:
    """A cache record written by :func:`write_record`; ``None`` if missing or unreadable."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_record(path: Path | str, record: Mapping[str, Any]) -> Path:
    """Write a cache record (JSON) next to a report's outputs; return its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write_text(
        path, json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )


# --------------------------------------------------------------------------- one report


#: Tables written with the regional report (a reused regional report needs them too).
REGIONAL_TABLES = (paths.ASSESSMENT_FILE, paths.AGGREGATES_FILE, paths.BENEFICIARIES_FILE)


def outputs_of(task: ReportTask) -> list[Path]:
    """Every file a report must still have to be reused: the cache checks each one."""
    out = [task.executed, task.html, task.findings]
    if task.html_code is not None:
        out.append(task.html_code)
    if task.kind == "regional" and Path(task.notebook) == paths.BASELINE_NOTEBOOK:
        out.append(task.html.parent / paths.BASELINE_FILE)  # a baseline review's table
    elif task.kind == "regional":
        out += [task.html.parent / name for name in REGIONAL_TABLES]
    return out


def checksums(task: ReportTask) -> dict[str, str] | None:
    """SHA-256 of each of :func:`outputs_of` ``task``, by path relative to its folder.

    ``None`` when one of them is missing or unreadable: the report cannot be reused.
    """
    folder = task.record.parent.parent
    out = {}
    for path in outputs_of(task):
        try:
            out[str(relative(path, folder))] = provenance.file_sha256(path)
        except OSError:  # missing, a folder, unreadable
            return None
    return out


def cached_result(task: ReportTask) -> ReportResult | None:
    """The earlier result of ``task`` if its key matches and its outputs are unchanged.

    Every output must have the checksum recorded when it was written; a record without
    checksums (older runs) is not reused.
    """
    record = read_record(task.record)
    if not record or record.get("key") != task.key:
        return None
    data = record.get("result") or {}
    recorded = record.get("outputs")
    if data.get("status") != "ok" or not recorded or checksums(task) != recorded:
        return None
    return task.result(
        status="ok",
        error=None,
        seconds=float(data.get("seconds", 0.0)),
        html=task.html,
        executed=task.executed,
        html_code=task.html_code,
        cached=True,
        execute_seconds=float(data.get("execute_seconds", 0.0)),
        render_seconds=float(data.get("render_seconds", 0.0)),
        findings=task.findings,
    )


def save_record(task: ReportTask, result: ReportResult, parts: dict[str, Any]) -> bool:
    """Store the key, the result and the outputs' checksums (successful reports only).

    Any earlier record is removed first, so that a report that failed, or whose outputs
    cannot all be read, is never reused. A record that cannot be written only costs a
    re-run next time.

    Returns
    -------
    bool
        True when a record was written.
    """
    try:
        task.record.unlink(missing_ok=True)
        sums = checksums(task) if result.ok else None
        if sums is None:
            return False
        write_record(
            task.record,
            {
                "key": task.key,
                "parts": parts,
                "result": result_dict(result, task.record.parent),
                "outputs": sums,
            },
        )
    except OSError:  # e.g. a folder where the record should be
        return False
    return True
