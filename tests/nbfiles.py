"""Write small test notebooks with a Python 3 kernelspec (the runner and pool tests)."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_notebook


def write_notebook(path: Path, cells: list) -> Path:
    """Write ``cells`` as a notebook at ``path`` for the ``python3`` kernel; return ``path``."""
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, str(path))
    return path
