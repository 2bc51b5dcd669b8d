"""Reuse of earlier reports: the cache key and the cache record of each report.

``mtr run`` reuses a report from an earlier run when nothing it depends on has changed. The
dependencies (fingerprints from :mod:`mtr_analysis.provenance`: notebook, template,
parameters, data, code and package versions) are summed up in one key (:func:`cache_key`)
and stored with the report's outputs in a record (:func:`write_record`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any


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
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    tmp.replace(path)
    return path
