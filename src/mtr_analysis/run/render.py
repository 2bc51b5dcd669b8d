"""Executed notebook → self-contained HTML report, with a table of contents.

The template ``templates/mtr_report`` extends nbconvert's "lab" template without the blocks
that load require.js, MathJax, Mermaid or widgets from a CDN; images are embedded; code is
hidden with nbconvert's own switches (``exclude_input``, ``TagRemovePreprocessor``) unless
the consultant version is asked for; a table of contents is built from the headings.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from mtr_analysis import paths
from mtr_analysis.atomic_io import atomic_write_text
from mtr_analysis.reporting import i18n

#: Marker a report header may contain; the table of contents replaces it.
TOC_MARKER = "<!--mtr:toc-->"

#: Cell tags honoured when rendering (nbconvert's ``TagRemovePreprocessor``).
REMOVE_CELL_TAGS = ("remove", "remove-cell")
REMOVE_OUTPUT_TAGS = ("remove-output",)
REMOVE_INPUT_TAGS = ("remove-input",)
INJECTED_TAG = "injected-parameters"


def _strip_stderr(nb: Any) -> Any:
    """Drop ``stderr`` stream outputs (warnings) so they do not look like errors in HTML."""
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            cell.outputs = [
                o
                for o in cell.get("outputs", [])
                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
            ]
    return nb


_EXPORTERS: dict[tuple[bool, str], Any] = {}


def _html_exporter(with_code: bool, lang: str = "en") -> Any:
    """An ``HTMLExporter`` on the self-contained template, hiding code unless ``with_code``.

    Exporters are kept per process (building one loads and compiles the templates).
    """
    key = (with_code, lang)
    if key in _EXPORTERS:
        return _EXPORTERS[key]
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    c = Config()
    c.HTMLExporter.embed_images = True
    c.HTMLExporter.language_code = lang
    # Validate the notebook once, after the last preprocessor, not after each of them
    # (the executed notebook was validated when papermill wrote it).
    c.HTMLExporter.optimistic_validation = True
    if not with_code:
        c.HTMLExporter.exclude_input = True
        c.HTMLExporter.exclude_input_prompt = True
        c.HTMLExporter.exclude_output_prompt = True
    c.TagRemovePreprocessor.remove_cell_tags = set(REMOVE_CELL_TAGS)
    c.TagRemovePreprocessor.remove_all_outputs_tags = set(REMOVE_OUTPUT_TAGS)
    input_tags = set(REMOVE_INPUT_TAGS)
    if not with_code:
        input_tags.add(INJECTED_TAG)
    c.TagRemovePreprocessor.remove_input_tags = input_tags
    exporter = _exporter_class()(
        config=c,
        template_name=paths.REPORT_TEMPLATE,
        extra_template_basedirs=[str(paths.TEMPLATES_DIR)],
    )
    # The default TagRemovePreprocessor stays disabled; we register our configured one.
    exporter.register_preprocessor(TagRemovePreprocessor(config=c), enabled=True)
    _EXPORTERS[key] = exporter
    return exporter


_IMG_NO_ALT = re.compile(r"<img\b(?![^>]*\balt=)", re.I)
_FOCUSABLE = re.compile(
    r'(<div\b[^>]*\bclass="[^"]*\b(?:jp-Cell-inputWrapper|jp-OutputArea-output)\b[^"]*")', re.I
)


def _exporter_class() -> type:
    """``HTMLExporter`` without its BeautifulSoup pass over the whole page.

    nbconvert's ``HTMLExporter.from_notebook_node`` re-parses the rendered page with
    BeautifulSoup only to add ``alt`` text to images and ``tabindex`` to cells; for a
    report with a long data table that pass takes about three quarters of the rendering
    time. This subclass registers the same filters, renders with the template, and makes
    the same two additions with regular expressions. (nbconvert is pinned in
    ``requirements.lock``; the tests render real reports.)
    """
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportHTMLExporter(HTMLExporter):
        def from_notebook_node(self, nb: Any, resources: dict | None = None, **kw: Any):
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight = self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
            )
            resources = self._init_resources(resources)
            data_type = WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            )
            self.register_filter("highlight_code", highlight)
            self.register_filter("filter_data_type", data_type)
            body, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            body = _IMG_NO_ALT.sub('<img alt="" ', body)  # charts are described by headings
            return _FOCUSABLE.sub(r'\1 tabindex="0"', body), resources

    return ReportHTMLExporter


_HEADING = re.compile(r"<h([23])\b[^>]*?\bid=\"([^\"]+)\"[^>]*>(.*?)</h\1>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")


def table_of_contents(body: str, lang: str = "en") -> str:
    """A ``<nav>`` listing the page's ``<h2>``/``<h3>`` headings that have an ``id``.

    Parameters
    ----------
    body : str
        Rendered HTML.
    lang : {"en", "vi"}
        Language of the "Contents" title.

    Returns
    -------
    str
        Nested ordered lists of links (``""`` when the page has no such heading). Heading
        text is taken from the already-escaped HTML with tags removed.
    """
    items = []
    for level, anchor, inner in _HEADING.findall(body):
        text = _TAG.sub("", inner).replace("¶", "").strip()
        if text:
            items.append((int(level), anchor, text))
    if not items:
        return ""
    out = [
        '<nav class="mtr-toc" aria-label="toc">',
        f"<h2>{html.escape(i18n.text('contents', lang))}</h2>",
        "<ol>",
    ]
    # A level-3 list is nested inside the <li> of the level-2 heading before it.
    in_item = in_sub = False
    for level, anchor, text in items:
        link = f'<a href="#{html.escape(anchor, quote=True)}">{text}</a>'
        if level == 3 and in_item:
            if not in_sub:
                out.append("<ol>")
                in_sub = True
            out.append(f"<li>{link}</li>")
            continue
        if in_sub:
            out.append("</ol>")
            in_sub = False
        if in_item:
            out.append("</li>")
        out.append(f"<li>{link}")
        in_item = True
    if in_sub:
        out.append("</ol>")
    if in_item:
        out.append("</li>")
    out.append("</ol></nav>")
    return "\n".join(out)


def _insert_toc(body: str, toc: str) -> str:
    """Put the table of contents after the report header (or at the top of the page)."""
    if not toc:
        return body
    meta = re.search(r'<p class="mtr-meta">.*?</p>', body, re.S)
    if meta:
        return body[: meta.end()] + toc + body[meta.end() :]
    main = body.find("<main>")
    if main >= 0:
        at = main + len("<main>")
        return body[:at] + toc + body[at:]
    return toc + body


def render_html(
    executed: Path | str,
    html_path: Path | str,
    title: str,
    with_code: bool,
    lang: str = "en",
) -> Path:
    """Render an executed notebook to a self-contained HTML report.

    Parameters
    ----------
    executed : path-like
        The executed notebook.
    html_path : path-like
        Where to write the HTML.
    title : str
        Page title (the notebook's ``metadata.title`` wins if set).
    with_code : bool
        Keep code cells' inputs and prompts (consultant version); hidden otherwise.
    lang : {"en", "vi"}
        Page language (``<html lang>``, table-of-contents title).

    Returns
    -------
    pathlib.Path
        ``html_path``.
    """
    import nbformat

    nb = _strip_stderr(nbformat.read(str(executed), as_version=4))
    body, _ = _html_exporter(with_code, lang).from_notebook_node(
        nb, resources={"metadata": {"name": title}}
    )
    body = _insert_toc(body, table_of_contents(body, lang))
    html_path = Path(html_path)
    atomic_write_text(html_path, body)  # a run stopped while writing leaves no half page
    return html_path
