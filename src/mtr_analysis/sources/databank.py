"""World Bank DataBank exports (country-first or series-first, footers, appended metadata).

Not implemented yet: :func:`sniff` recognises nothing, so such files are reported as not
recognised by ``mtr build``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

FORMAT = "databank_csv"


def sniff(path: Path) -> bool:
    """True when the file is in this format (decided from its content)."""
    return False


def read(path: Path, root: Path | None = None) -> pd.DataFrame:
    """Read the file into raw records (see :mod:`mtr_analysis.sources`)."""
    raise NotImplementedError(f"{FORMAT} reader not implemented yet")
