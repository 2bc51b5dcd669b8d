"""Files written whole or not at all: a temporary file beside the target, then :func:`os.replace`.

Used for every output a reader (or a later run) may open while a run is writing: reports,
tables, findings, the index page, the run record. Imports nothing of the package (the
runner's workers write reports without loading pandas).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write_bytes(path: Path | str, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file and :func:`os.replace`.

    Readers (and a later run) see the old file or the complete new one, never a partial
    file, even when the writer is killed. The temporary file is removed on failure.

    Parameters
    ----------
    path : path-like
        The file to write; its folder must exist.
    data : bytes

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; outputs are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: Path | str, text: str) -> Path:
    """:func:`atomic_write_bytes` of ``text`` encoded as UTF-8 (never the locale's encoding)."""
    return atomic_write_bytes(path, text.encode("utf-8"))
