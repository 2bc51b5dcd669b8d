"""HTML blocks of a report: headings, banners, headers, key-number cards, findings, tables.

Notebooks show one block per cell: a heading (:func:`section`), key numbers
(:func:`key_numbers_html`), a table (:func:`table` of a frame from
:mod:`mtr_analysis.reporting.tables`), findings (:func:`findings_html`); figures come from
:mod:`mtr_analysis.reporting.figures`.

All text that comes from data files (source names, notes, file names, error messages) goes
through one helper, :func:`safe_text`, wherever this module writes it (tables through
:func:`table`, headings, banners, findings, key numbers, statements): it is HTML-escaped,
stripped of the Unicode controls that reorder text on screen (bidirectional overrides and
isolates, U+202A–U+202E and U+2066–U+2069, and C0 controls), and cut to
:data:`TEXT_LIMIT` characters in table cells and headings (:data:`SENTENCE_LIMIT` in the
report's sentences, which may quote data) with the longer text in a ``title`` tooltip, so a hostile
100,000-character source name neither hides nor reverses what a reader sees nor blows a
report up to megabytes. Words of the report come from
:mod:`mtr_analysis.reporting.i18n`, so ``lang="vi"`` translates headings, labels and table
headers.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mtr_analysis.analysis import beneficiaries
from mtr_analysis.analysis.aggregates import group_name
from mtr_analysis.analysis.review import ReviewData, beneficiary_estimates
from mtr_analysis.analysis.vintages import AsOfSummary
from mtr_analysis.paths import INTAKE_FILE
from mtr_analysis.reference import registry
from mtr_analysis.reference.catalogue import Catalogue
from mtr_analysis.reporting import beneficiary_statements, html_table, i18n
from mtr_analysis.reporting.figures import group_label
from mtr_analysis.reporting.findings import Finding, format_number
from mtr_analysis.reporting.style import STATUS_COLOURS
from mtr_analysis.reporting.tables import aggregates_summary, data_vintage, key_numbers
from mtr_analysis.settings import Settings, default_settings

# The hostile-text treatment lives in the foundation (the intake report uses it too).
from mtr_analysis.text_safety import TEXT_LIMIT, TOOLTIP_LIMIT, clean_text, safe_text  # noqa: F401

_YEAR_COLUMNS = frozenset(
    {"year", "first_year", "baseline_year", "latest_year", "target_year", "agg_year0", "agg_year1"}
)
_PERCENT_COLUMNS = frozenset(
    {
        "cagr",
        "share_sufficient",
        "share_assessable",
        "share",
        "agg_weight_coverage",
        "population_coverage",
    }  # fmt: skip
)
#: Letters, digits, ``-`` and ``_``: safe as an HTML ``id`` and as a file name.
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_DIRECTION_KEYS = {"increase": "higher_better", "decrease": "lower_better"}


#: Characters of a sentence shown (a finding, statement, lead, note or header line): the
#: report's own sentences stay shorter (lists of names are capped by ``max_names``), but
#: they may quote data text such as a source name.
SENTENCE_LIMIT = 1000


class Html(str):
    """A string of (already escaped) HTML that notebooks display as HTML."""

    def _repr_html_(self) -> str:
        return str(self)


def _esc(value: object) -> str:
    """A sentence (a lead, note, banner or header line) as safe HTML, cut at SENTENCE_LIMIT."""
    return safe_text(value, SENTENCE_LIMIT)


def _attr(value: object) -> str:
    """Escaped text for an attribute value (cleaned and cut, without markup)."""
    return html.escape(clean_text(value)[:TEXT_LIMIT], quote=True)


def demo_banner_html(demo: bool, lang: str = "en") -> str:
    """A prominent HTML banner for reports made from demo data ("" otherwise)."""
    i18n.check_lang(lang)
    if not demo:
        return ""
    return f'<div class="mtr-demo" role="alert">⚠ {_esc(i18n.text("demo_banner", lang))}</div>'


def snapshot_vintage(data_dir: Path | str) -> str | None:
    """The vintage of the ``mtr snapshot`` a store was built from (``None``: not a snapshot).

    Read from the ``snapshot`` entry that ``mtr build`` writes into ``intake.json`` when
    every raw folder was a snapshot (:func:`mtr_analysis.intake.snapshot.snapshot_of`).
    """
    path = Path(data_dir) / INTAKE_FILE
    try:
        record = json.loads(path.read_text(encoding="utf-8")).get("snapshot")
    except (OSError, ValueError, AttributeError):
        return None
    return str(record.get("vintage") or "?") if isinstance(record, dict) else None


def data_banner_html(demo: bool, data_dir: Path | str, lang: str = "en") -> str:
    """The demo banner for demo data; else the snapshot banner ("Public international data,
    snapshot of <vintage>; national submissions not included") for a snapshot store."""
    if demo:
        return demo_banner_html(demo, lang)
    return snapshot_banner_html(snapshot_vintage(data_dir), lang)


def snapshot_banner_html(vintage: str | None, lang: str = "en", css: str = "mtr-snapshot") -> str:
    """The snapshot banner for a store built from ``mtr snapshot`` of ``vintage`` ("" for
    ``None``); ``css`` is the class the page's style sheet gives it."""
    if not vintage:
        return ""
    text = i18n.text("snapshot_banner", i18n.check_lang(lang), vintage=vintage)
    return f'<div class="{_esc(css)}" role="note">{_esc(text)}</div>'


def as_of_banner_html(summary: AsOfSummary | None, lang: str = "en") -> str:
    """The "as of <date>: data vintages released by then only" banner of a review loaded
    with ``as_of`` (:mod:`mtr_analysis.analysis.vintages`); "" for today's data."""
    if summary is None:
        return ""
    text = i18n.text("as_of_banner", i18n.check_lang(lang), date=summary.date,
                     newest=summary.newest_vintage or "–", later=summary.rows_later,
                     undated=summary.rows_undated)  # fmt: skip
    return f'<div class="mtr-snapshot mtr-as-of" role="note">{_esc(text)}</div>'


def heading(text: str, anchor: str, level: int = 2) -> Html:
    """An HTML heading with a stable ``id`` (the report's table of contents links to it).

    Parameters
    ----------
    text : str
        Heading text (escaped here).
    anchor : str
        The ``id``; letters, digits, ``-`` and ``_`` only.
    level : int
        1 to 4.
    """
    if level not in (1, 2, 3, 4):
        raise ValueError(f"level must be 1, 2, 3 or 4; got {level!r}")
    if not SAFE_NAME.match(anchor):
        raise ValueError(f"anchor must be letters, digits, '-' or '_'; got {anchor!r}")
    return Html(f'<h{level} id="{anchor}">{safe_text(text)}</h{level}>')


def section(
    key: str,
    lang: str = "en",
    level: int = 2,
    lead: str | None = None,
    settings: Settings | None = None,
    **fields: object,
) -> Html:
    """Heading of a report section in ``lang``, followed by its lead paragraph if it has one.

    Parameters
    ----------
    key : str
        A key of :data:`mtr_analysis.reporting.i18n.TEXT` (``"summary"``, ``"availability"``, ...);
        the lead paragraph is the text ``<key>_lead`` when it exists.
    lang : {"en", "vi"}
    level : int
        Heading level (2 = chapter, 3 = sub-section).
    lead : str, optional
        Key of the lead paragraph instead of ``<key>_lead``; ``""`` for none.
    settings : mtr_analysis.settings.Settings, optional
        The run's method settings (default: ``config/methods.yaml``); texts quote their
        values, e.g. the staleness rule (``{lag}``, ``availability.stale_after`` years).
    **fields
        Values for placeholders of the heading or lead (e.g. ``country="Viet Nam"``).

    Returns
    -------
    Html
    """
    settings = settings or default_settings()
    fields = {"lag": settings.availability.stale_after, **fields}
    out = heading(i18n.text(key, lang, **fields), f"sec-{key.replace('_', '-')}", level)
    lead = f"{key}_lead" if lead is None else lead
    if lead and lead in i18n.TEXT[i18n.check_lang(lang)]:
        out += f"<p>{_esc(i18n.text(lead, lang, **fields))}</p>"
    return Html(out)


def characteristic_heading(catalogue: Catalogue, code: str, lang: str = "en") -> Html:
    """``<h3>`` "A. Engages and Benefits the People" (Vietnamese name with ``lang="vi"``)."""
    chars = catalogue.characteristics
    col = "name_vi" if lang == "vi" and "name_vi" in chars else "name"
    name = str(chars.at[code, col]) if code in chars.index else str(code)
    return heading(f"{code}. {name}", f"char-{code}", 3)


def note(text: str) -> Html:
    """A short italic note (escaped)."""
    return Html(f'<p class="mtr-note">{_esc(text)}</p>')


def country_header(data: ReviewData, country: str, lang: str = "en") -> Html:
    """Title, demo banner and review window line of a country profile."""
    name = registry.display_name(country, lang)
    mine = data.observations.loc[data.observations["country"] == country]
    return _header(i18n.text("country_title", lang, country=name), data, mine, lang)


def regional_header(data: ReviewData, lang: str = "en") -> Html:
    """Title, demo banner, review window line and lead paragraph of the regional synthesis."""
    out = _header(i18n.text("regional_title", lang), data, data.observations, lang)
    return Html(out + f"<p>{_esc(i18n.text('regional_lead', lang, n=len(data.countries)))}</p>")


def _header(title: str, data: ReviewData, obs: pd.DataFrame, lang: str) -> Html:
    subtitle = i18n.text(
        "subtitle",
        lang,
        blueprint=i18n.text("blueprint", lang),
        review=data.review_label(lang),
        baseline=data.baseline_year,
        cutoff=data.cutoff_year,
    )
    vintage = data_vintage(obs)
    if vintage:
        subtitle += f" · {i18n.text('vintage', lang).lower()}: {vintage}"
    return Html(
        heading(title, "title", 1)
        + data_banner_html(data.demo, data.data_dir, lang)
        + as_of_banner_html(data.as_of, lang)
        + f'<p class="mtr-meta">{_esc(subtitle)}</p>'
    )


def key_numbers_html(data: ReviewData, country: str | None = None, lang: str = "en") -> Html:
    """:func:`key_numbers` as a row of cards."""
    frame = key_numbers(data, country)
    cards = "".join(
        f"<div><b>{_esc(v)}</b>{_esc(i18n.text(k, lang))}</div>"
        for k, v in zip(frame["key"], frame["value"], strict=True)
    )
    return Html(f'<div class="mtr-keynumbers">{cards}</div>')


def regional_aggregates_table(data: ReviewData, lang: str = "en") -> Any:
    """:func:`aggregates_summary` as a report table.

    Shows a clearly marked notice instead when :mod:`mtr_analysis.analysis.aggregates` is not
    installed, so the regional report still renders.
    """
    try:
        summary = aggregates_summary(data, lang)
    except ImportError as exc:
        reason = f"{type(exc).__name__}: {exc}".splitlines()[0]
        return Html(
            f'<div class="mtr-pending">{_esc(i18n.text("aggregates_pending", lang, reason=reason))}'
            "</div>"
        )
    # The group the aggregates describe (ASEAN-10, or ASEAN-11 with Timor-Leste) as caption.
    group = i18n.text("aggregates_group", lang, group=group_label(group_name(data.countries), lang))
    return table(summary, lang, "aggregates").set_caption(_esc(group))


def beneficiaries_html(data: ReviewData, country: str | None = None, lang: str = "en") -> Html:
    """Plain statements on people reached (one country, or regional totals when ``None``).

    Each statement is escaped; countries without estimates get a one-line note.
    """
    est = beneficiary_estimates(data)
    den = beneficiaries.load_denominators(data.catalogue)
    if country is not None:
        est = est.loc[est["country"].eq(country)]
    else:
        totals = beneficiaries.regional_totals(est, data.observations, data.countries)
        years = est.groupby("indicator")[["baseline_year", "latest_year"]].agg(
            {"baseline_year": "min", "latest_year": "max"}
        )
        est = totals.join(years, on="indicator").assign(
            low=np.nan, high=np.nan, flags="", country=""
        )
    lines = beneficiary_statements.statements(est, den, lang)
    if not lines:
        return Html(f"<p>{_esc(i18n.text('beneficiaries_none', lang))}</p>")
    items = "".join(f"<li>{safe_text(text, SENTENCE_LIMIT)}</li>" for _, text in lines)
    return Html(f"<ul>{items}</ul>")


def _format(value: object, column: str, lang: str) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    if isinstance(value, bool | np.bool_):
        return i18n.text("yes" if value else "no", lang)
    if column in _YEAR_COLUMNS:
        return str(int(value))
    if column in _PERCENT_COLUMNS and isinstance(value, int | float | np.number):
        return format_number(100 * float(value), lang)
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return format_number(float(value), lang)
    return str(value)


def _formatted(values: pd.Series, column: str, lang: str) -> list[str]:
    """:func:`_format` of each value, each distinct value formatted once."""
    done: dict[tuple[type, object], str] = {}
    out = []
    for v in values:
        key = (type(v), v)  # 1, 1.0 and True are equal keys otherwise
        try:
            text = done[key]
        except KeyError:
            text = done[key] = _format(v, column, lang)
        except TypeError:  # not hashable
            text = _format(v, column, lang)
        out.append(text)
    return out


def table(
    frame: pd.DataFrame, lang: str = "en", name: str = "t", max_rows: int | None = None
) -> html_table.Table:
    """Present a frame built here as a report table: translated, formatted and escaped.

    Column headers are translated (:func:`mtr_analysis.reporting.i18n.column_labels`); ``status``,
    ``gap_category`` and ``direction`` values become labels (status cells coloured as in the
    charts); numbers are formatted for ``lang`` (years without separators, ``cagr`` and
    shares as percentages); every cell is HTML-escaped, so text from data files cannot
    inject markup.

    Parameters
    ----------
    frame : pandas.DataFrame
    lang : {"en", "vi"}
    name : str
        Identifier of the table in the page (letters, digits, ``-``, ``_``).
    max_rows : int, optional
        Show only the first rows.

    Returns
    -------
    mtr_analysis.reporting.html_table.Table
        Displays as an HTML table without the index (the markup of pandas' Styler).
    """
    i18n.check_lang(lang)
    if not SAFE_NAME.match(name):
        raise ValueError(f"name must be letters, digits, '-' or '_'; got {name!r}")
    frame = frame.reset_index(drop=True)
    if max_rows is not None:
        frame = frame.head(max_rows)
    texts: dict[str, list[str]] = {}
    colours: dict[str, pd.Series] = {}
    for col in frame.columns:
        values = frame[col]
        if col == "status":
            codes = values.astype(str)
            texts[col] = list(codes.map(i18n.STATUS_LABELS[lang]).fillna(codes))
            colours[col] = codes.map(STATUS_COLOURS)
        elif col == "gap_category":
            texts[col] = [i18n.gap_label(v, lang) for v in values.astype(str)]
        elif col == "direction":
            texts[col] = [
                i18n.text(_DIRECTION_KEYS[v], lang) if v in _DIRECTION_KEYS else v
                for v in values.astype(str)
            ]
        else:
            texts[col] = _formatted(values, col, lang)
    # Every cell and header becomes safe HTML here (escaped, cleaned, long text cut with a
    # tooltip), so the table must not escape again.
    headers = {c: safe_text(label) for c, label in i18n.column_labels(frame.columns, lang).items()}
    safe: dict[str, str] = {}  # a table repeats its texts (countries, sources, files)
    shown = pd.DataFrame(
        {k: [safe.get(v) or safe.setdefault(v, safe_text(v)) for v in texts[c]]
         for k, c in enumerate(frame.columns)},
        index=frame.index,
    )  # fmt: skip
    shown.columns = [headers[c] for c in frame.columns]  # two columns may share a label
    cells = [[""] * shown.shape[1] for _ in range(len(shown))]
    for col, colour in colours.items():
        j = shown.columns.get_loc(headers[col])
        for i, c in enumerate(colour):
            if isinstance(c, str):
                cells[i][j] = f"background-color: {c}; color: {_ink(c)}"
    if "level" in frame:  # coverage tables: characteristic rows in bold, elements below them
        bold = ~frame["level"].astype(str).str.contains(".", regex=False)
        for i in np.flatnonzero(bold.to_numpy()):
            cells[i] = [
                f"{css}; font-weight: bold" if css else "font-weight: bold" for css in cells[i]
            ]
    return html_table.styled(shown, name, cells)


def _ink(colour: str) -> str:
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else "white"


def findings_html(items: Sequence[Finding], lang: str = "en") -> Html:
    """Findings as an HTML list; text is escaped because it quotes source names from files.

    Priority (❗) and warning (⚠) findings are marked so they stand out in the report.
    """
    if not items:
        return Html(f"<p><em>{_esc(i18n.text('no_findings', lang))}</em></p>")
    marks = {"priority": "❗ ", "warning": "⚠ "}
    lis = "".join(
        f'<li class="{_attr(getattr(f, "severity", "info"))}">'
        f"{marks.get(getattr(f, 'severity', ''), '')}{safe_text(f.text, SENTENCE_LIMIT)}</li>"
        for f in items
    )
    return Html(f'<ul class="mtr-findings">{lis}</ul>')


def top_findings(items: Sequence[Finding], n: int = 5) -> list[Finding]:
    """The findings for the summary: priorities and regressions first, then the others.

    Keeps the order of ``items`` within each group (deterministic).
    """
    rank = {"priority": 0, "warning": 1, "info": 2}
    ordered = sorted(enumerate(items), key=lambda p: (rank.get(p[1].severity, 3), p[0]))
    return [f for _, f in ordered[:n]]
