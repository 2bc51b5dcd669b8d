"""A small two-characteristic catalogue (B, C) for tests that build indicators by hand."""

from __future__ import annotations

import pandas as pd

from mtr_analysis.reference.catalogue import Catalogue


def catalogue_bc(indicators: pd.DataFrame) -> Catalogue:
    """Catalogue with characteristics B and C, elements B.1, B.2, C.1, C.2 and ``indicators``.

    ``indicators`` has an ``id`` column; it becomes the index (kept as a column too).
    """
    chars = pd.DataFrame(
        {
            "code": ["B", "C"],
            "name": ["Inclusive", "Sustainable"],
            "name_vi": ["Cộng đồng hòa nhập", "Cộng đồng bền vững"],
        }
    ).set_index("code", drop=False)
    els = pd.DataFrame(
        {
            "code": ["B.1", "B.2", "C.1", "C.2"],
            "characteristic": ["B", "B", "C", "C"],
            "title": ["Reducing Barriers", "Equitable Access for All", "Biodiversity", "Cities"],
        }
    ).set_index("code", drop=False)
    reviews = {"mid-term": {"cutoff_year": 2020, "baseline_year": 2015}}
    return Catalogue(indicators.set_index("id", drop=False), chars, els, reviews)
