"""Report tables: the markup pandas' Styler wrote for them, byte for byte, at a fraction of
its cost (reporting/html_table.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.io.formats.style import Styler

from mtr_analysis.analysis import review
from mtr_analysis.reporting import html, html_table, tables


@pytest.fixture(scope="module")
def data(demo_store):
    return review.load_review(demo_store, 2015, 2020)


def _styler(table: html_table.Table) -> str:
    """What pandas writes for the same cells and per-cell CSS (the independent reference)."""
    rows, cols = table.data.shape
    css = np.full((rows, cols), "", dtype=object)
    for k, decls in enumerate(table.styles):
        css[divmod(k, cols)] = "; ".join(f"{p}: {v}" for p, v in decls)
    styler = Styler(table.data, uuid=table.name, cell_ids=False).hide(axis="index")
    if table.styles:
        styler = styler.apply(lambda _d: css, axis=None)
    if table.caption is not None:
        styler = styler.set_caption(table.caption)
    return styler.to_html()


def _report_tables(data) -> list[html_table.Table]:
    """The tables a country profile and the regional synthesis show, plus edge cases."""
    out = [
        html.table(tables.status_table(data, "VNM"), "vi", "status"),
        html.table(tables.coverage_table(data, "VNM"), "en", "coverage"),  # bold rows
        html.table(tables.serious_gaps(data, "THA"), "en", "gaps"),
        html.table(tables.data_table(data, "LAO"), "en", "data"),
        html.table(tables.status_counts(data, "characteristic"), "en", "overall"),
        html.table(tables.national_comparison(data, "en"), "en", "national"),
        html.regional_aggregates_table(data, "vi"),  # a caption
        html.table(pd.DataFrame({"status": [], "value": []}), "en", "empty"),
        html.table(pd.DataFrame({"x": [1.5]}), "en", "one"),
    ]
    return [t for t in out if isinstance(t, html_table.Table)]


def test_tables_are_what_styler_wrote(data):
    shown = _report_tables(data)
    assert len(shown) >= 8
    assert any(t.styles and any(t.styles) for t in shown)  # coloured and bold cells compared
    assert any(t.caption for t in shown)
    for table in shown:
        assert table.to_html() == _styler(table), table.name
        assert table._repr_html_() == table.to_html()


def test_cells_with_the_same_style_share_one_rule():
    frame = pd.DataFrame({"a": ["x", "y", "z"], "b": ["1", "2", "3"]})
    bold = "font-weight: bold"
    table = html_table.styled(frame, "t", [[bold, ""], ["", ""], [bold, "color: red"]])
    page = table.to_html()
    assert "#T_t_row0_col0, #T_t_row2_col0 {\n  font-weight: bold;\n}" in page
    assert '<td class="data row1 col0" >y</td>' in page  # unstyled cells carry no id
    assert '<td id="T_t_row2_col1" class="data row2 col1" >3</td>' in page
    assert page == _styler(table)


def test_declarations_split_and_trim():
    assert html_table.declarations(" a: 1 ;b:url(x:y); ") == (("a", "1"), ("b", "url(x:y)"))
    assert html_table.declarations("") == ()
