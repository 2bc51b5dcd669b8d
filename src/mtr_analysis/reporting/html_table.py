"""An HTML table of already-safe cells, with per-cell CSS: the markup of pandas' ``Styler``.

:func:`mtr_analysis.reporting.html.table` translates, formats and escapes a frame; this
module only lays the cells out. The markup is what ``pandas.io.formats.style.Styler`` writes
for such a table (``uuid=name, cell_ids=False``, index hidden, no escaping): one ``<style>``
block whose rules address the styled cells by id (``#T_<name>_row<i>_col<j>``, cells with
the same declarations sharing one rule), then the table with ``col_heading`` and ``data``
classes. The reports looked like this before, and ``tests/test_html_table.py`` checks the
two byte for byte; Styler builds the same string through a Jinja template and per-cell
dictionaries, about 0.1 CPU-second per table and a second per country profile.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import pandas as pd

#: One CSS declaration of a cell: (property, value), e.g. ("font-weight", "bold").
Declaration = tuple[str, str]


def declarations(css: str) -> tuple[Declaration, ...]:
    """``"a: 1; b: 2"`` → ``(("a", "1"), ("b", "2"))`` (empty parts ignored)."""
    pairs = (part.split(":", 1) for part in css.split(";") if part.strip())
    return tuple((prop.strip(), value.strip()) for prop, value in pairs)


@dataclass(frozen=True)
class Table:
    """A table ready to show: ``data`` holds safe HTML strings (never escaped again).

    Parameters
    ----------
    data : pandas.DataFrame
        The shown cells and headers, as HTML; the index is not shown.
    name : str
        Identifier of the table in the page (``T_<name>``).
    styles : tuple of tuple of Declaration
        Per cell (row-major, ``len(data) × len(data.columns)``): its CSS declarations, in
        the order they were given (empty: no ``id`` and no rule).
    caption : str, optional
        Safe HTML shown above the table.
    """

    data: pd.DataFrame
    name: str
    styles: tuple[tuple[Declaration, ...], ...] = ()
    caption: str | None = None

    def set_caption(self, caption: str) -> Table:
        """The same table with ``caption`` (safe HTML), as ``Styler.set_caption``."""
        return replace(self, caption=caption)

    def to_html(self) -> str:
        """The ``<style>`` block and the table."""
        return _style_block(self) + _table(self)

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        rows, cols = self.data.shape
        return f"<table {self.name}: {rows} rows × {cols} columns>"


def styled(data: pd.DataFrame, name: str, cells: Sequence[Sequence[str]] | None = None) -> Table:
    """A :class:`Table` of ``data`` with ``cells[i][j]`` the CSS of cell (i, j) ("" none)."""
    styles = () if cells is None else tuple(declarations(c) if c else () for r in cells for c in r)
    return Table(data, name, styles)


def _cell_id(name: str, i: int, j: int) -> str:
    return f"T_{name}_row{i}_col{j}"


def _style_block(table: Table) -> str:
    """Rules grouping the cells with identical declarations, in order of first use."""
    width = table.data.shape[1]
    rules: dict[tuple[Declaration, ...], list[str]] = {}
    for k, decls in enumerate(table.styles):
        if decls:
            rules.setdefault(decls, []).append("#" + _cell_id(table.name, *divmod(k, width)))
    lines = ['<style type="text/css">']
    for decls, selectors in rules.items():
        lines.append(", ".join(selectors) + " {")
        lines.extend(f"  {prop}: {value};" for prop, value in decls)
        lines.append("}")
    return "\n".join(lines) + "\n</style>\n"


def _table(table: Table) -> str:
    """``<table id="T_<name>">`` with its caption, header row and body rows."""
    name, data = table.name, table.data
    out = [f'<table id="T_{name}">\n']
    if table.caption is not None:
        out.append(f"  <caption>{table.caption}</caption>\n")
    out.append("  <thead>\n    <tr>\n")
    out.extend(
        f'      <th class="col_heading level0 col{j}" >{label}</th>\n'
        for j, label in enumerate(data.columns)
    )
    out.append("    </tr>\n  </thead>\n  <tbody>\n")
    styles = table.styles
    width = data.shape[1]
    for i, row in enumerate(data.itertuples(index=False, name=None)):
        out.append("    <tr>\n")
        for j, cell in enumerate(row):
            styled_cell = bool(styles) and bool(styles[i * width + j])
            ident = f'id="{_cell_id(name, i, j)}" ' if styled_cell else ""
            out.append(f'      <td {ident}class="data row{i} col{j}" >{cell}</td>\n')
        out.append("    </tr>\n")
    out.append("  </tbody>\n</table>\n")
    return "".join(out)
