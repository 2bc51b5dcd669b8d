"""Data text made safe to show in HTML: hidden controls removed, escaped, long text cut.

The one home of the hostile-text treatment shared by the reports
(:mod:`mtr_analysis.reporting.html`, the run index) and the intake report
(:mod:`mtr_analysis.intake.intake_report`), which sits below reporting in the stage order
and so cannot import it from there. It imports nothing from the package.

Text from data files (source names, notes, file names, error messages) may hold
bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) or C0 controls that
reverse or hide what a reader sees (the "Trojan Source" trick), or run to 100,000
characters: :func:`clean_text` removes the controls and :func:`safe_text` escapes the text
and cuts it to a limit, with the longer text in a ``title`` tooltip.
"""

from __future__ import annotations

import html
import re

#: Characters of a data text shown in a table cell or heading; a longer text ends in "…".
TEXT_LIMIT = 300
#: Characters of a truncated text kept in its tooltip (the text is repeated per table row,
#: so the tooltip is capped too; the store and the CSV outputs keep the whole text).
TOOLTIP_LIMIT = 2000
#: Bidirectional embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069) and the
#: C0 controls other than tab and newline: they can make a text display reversed or hidden,
#: and no data text of this project needs them.
_UNSAFE_CHARS = re.compile("[\u202a-\u202e\u2066-\u2069\x00-\x08\x0b-\x1f\x7f]")


def clean_text(value: object) -> str:
    """``value`` as text without the controls that reorder or hide text (not escaped).

    Removes bidirectional embeddings, overrides and isolates (U+202A–U+202E,
    U+2066–U+2069) and C0 control characters other than tab and newline.
    """
    return _UNSAFE_CHARS.sub("", str(value))


def safe_text(value: object, limit: int = TEXT_LIMIT) -> str:
    """Data text as HTML: cleaned (:func:`clean_text`), escaped, and cut to ``limit``.

    The one helper for every text from data that a report or the intake report shows.

    Parameters
    ----------
    value : object
        The text (``str(value)`` is used).
    limit : int
        Characters shown; a longer text is cut to ``limit`` characters followed by "…" and
        wrapped in ``<span title="...">`` holding the first :data:`TOOLTIP_LIMIT`
        characters (with the full length when even that is cut).

    Returns
    -------
    str
        Escaped HTML, safe inside an element (not inside an attribute).
    """
    text = clean_text(value)
    if len(text) <= limit:
        return html.escape(text, quote=True)
    tip = text[:TOOLTIP_LIMIT]
    if len(text) > TOOLTIP_LIMIT:
        tip += f"… ({len(text):,} characters)"
    shown = html.escape(text[:limit].rstrip(), quote=True)
    return f'<span class="mtr-cut" title="{html.escape(tip, quote=True)}">{shown}…</span>'
