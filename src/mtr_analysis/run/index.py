"""The two files that describe a whole run: ``index.html`` and ``manifest.json``.

The index page lists every report with its status, run time and data vintage; it is
self-contained (the style sheet ``templates/mtr_index/index.css`` is inlined, no scripts or
external resources) and every text on it is escaped. The manifest is
:meth:`~mtr_analysis.run.results.RunSummary.to_dict` plus what the runner adds (parameters,
settings, input checksums, versions, timings). Both are written atomically (a temporary
file, then :func:`os.replace`): a reader never sees half a page, and a run stopped while
writing leaves the previous complete file.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mtr_analysis import paths
from mtr_analysis.atomic_io import atomic_write_text
from mtr_analysis.reporting import i18n
from mtr_analysis.reporting.html import safe_text, snapshot_banner_html
from mtr_analysis.run.results import INTERRUPTED, ReportResult, RunSummary, relative

_esc = html.escape


def _link(path: Path | None, base: Path) -> str:
    """A link to ``path`` named by its file name ("" without a path)."""
    href = relative(path, base)
    return f'<a href="{_esc(href)}">{_esc(Path(href).name)}</a>' if href else ""


def _index_row(r: ReportResult, base: Path, tr: Callable[..., str]) -> str:
    """One ``<tr>``: report link, status (reused, error), seconds, vintage, code, notebook."""
    href = relative(r.html, base)
    name = (
        f'<a href="{_esc(href)}">{safe_text(r.label)}</a>'
        if href
        else f"{safe_text(r.label)} <span class='error'>({_esc(tr('no_html'))})</span>"
    )
    status = f'<span class="{_esc(r.status)}">{_esc(tr(r.status))}</span>'
    if r.cached:
        status += f' <span class="cached">({_esc(tr("cached"))})</span>'
    if r.error:
        status += f'<div class="error">{safe_text(r.error)}</div>'
    return (
        f"<tr><td>{name}</td><td>{status}</td>"
        f'<td class="num">{r.seconds:.1f}</td><td>{safe_text(r.vintage or "–")}</td>'
        f"<td>{_link(r.html_code, base)}</td><td>{_link(r.executed, base)}</td></tr>"
    )


def _index_lead(summary: RunSummary, lang: str, tr: Callable[..., str]) -> str:
    """Demo banner (demo inputs) or snapshot banner (public-data snapshot), report counts and the time the run finished.

    A run that was stopped says by which signal; a run still going (or killed without a
    chance to write) says its unfinished reports are not finished.
    """
    n_stopped = sum(r.status == INTERRUPTED for r in summary.results)
    n_failed = len(summary.failed) - n_stopped
    counts = tr("index_summary", n=len(summary.results), ok=len(summary.results) - n_failed
                - n_stopped, failed=n_failed)  # fmt: skip
    if summary.interrupted:
        counts += " " + tr("index_interrupted", signal=summary.interrupted, n=n_stopped)
    elif n_stopped:
        counts += " " + tr("index_running", n=n_stopped)
    when = tr("index_generated", when=summary.finished, seconds=summary.seconds)
    finished = f'<p class="meta">{_esc(when)}</p>' if summary.finished else ""
    banner = (
        f'<div class="demo" role="alert">{_esc(i18n.text("demo_banner", lang))}</div>'
        if summary.demo
        else snapshot_banner_html(summary.snapshot, lang, css="snapshot")
    )
    return f"{banner}\n<p>{_esc(counts)}</p>\n{finished}"


def write_index(summary: RunSummary, title: str, lang: str = "en") -> Path:
    """Write ``index.html``: one row per report with link, status, run time and vintage.

    Self-contained (inline CSS, no scripts or external resources); all text is escaped.

    Parameters
    ----------
    summary : RunSummary
        The run to list; the page is written to ``summary.index_path``.
    title : str
        Page title and heading.
    lang : {"en", "vi"}
        Language of the column headings and banner.

    Returns
    -------
    pathlib.Path
        Path of the written page.
    """
    i18n.check_lang(lang)

    def tr(key: str, **kw: object) -> str:
        return i18n.text(key, lang, **kw)

    rows = "\n".join(_index_row(r, summary.out_dir, tr) for r in summary.results)
    css = paths.INDEX_CSS.read_text(encoding="utf-8")
    page = f"""<!DOCTYPE html>
<html lang="{_esc(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_esc(title)}</title>
<style>
{css}</style>
</head>
<body>
<h1>{_esc(title)}</h1>
{_index_lead(summary, lang, tr)}
<table>
<thead><tr><th>{_esc(tr("report"))}</th><th>{_esc(tr("status"))}</th>
<th>{_esc(tr("seconds"))}</th><th>{_esc(tr("vintage"))}</th><th>{_esc(tr("with_code"))}</th>
<th>{_esc(tr("notebook"))}</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
</body>
</html>
"""
    return atomic_write_text(summary.index_path, page)


def write_manifest(summary: RunSummary, extra: dict[str, Any] | None = None) -> Path:
    """Write ``manifest.json`` (:meth:`RunSummary.to_dict` plus ``extra``); return its path."""
    data = summary.to_dict()
    if extra:
        data.update(extra)
    return atomic_write_text(
        summary.manifest_path, json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    )
