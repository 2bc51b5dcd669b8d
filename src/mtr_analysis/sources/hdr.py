"""UNDP Human Development Report composite-indices time series (wide ``<var>_<year>``).

Not implemented yet: :func:`sniff` recognises nothing, so such files are reported as not
recognised by ``mtr build``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

FORMAT = "undp_hdr"


def sniff(path: Path) -> bool:
    """True when the file is in this format (decided from its content)."""
    return False


def read(path: Path, root: Path | None = None) -> pd.DataFrame:
    """Read the file into raw records (see :mod:`mtr_analysis.sources`)."""
    raise NotImplementedError(f"{FORMAT} reader not implemented yet")
