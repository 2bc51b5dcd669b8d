"""Run the report notebooks with papermill and render them to HTML: the engine of ``mtr run``.

One call to :func:`run_reports` executes the country notebook once per member state and the
regional notebook, renders every executed notebook to self-contained HTML with nbconvert,
and writes an index page and a run manifest::

    <out_dir>/<review>/
        <ISO3>.html, regional.html           reports for SOCA (code hidden)
        <ISO3>.code.html, regional.code.html with code, for consultants (``with_code``)
        findings/<ISO3>.json, regional.json  findings, written by the notebooks
        executed/<ISO3>.ipynb, ...           executed notebooks (kept even when a run fails)
        cache/<ISO3>.json, ...               cache key and result of each report
        index.html                           every report with status, run time, vintage
        manifest.json                        parameters, input checksums, package versions,
                                             git commit and per-notebook timings

Everything is validated before anything runs: review, language, countries, the store, and
every parameter against each notebook's ``parameters`` cell (papermill itself only warns
about unknown names). Notebooks run in parallel worker processes; one failing notebook never
stops the others: its error is recorded, and its partial notebook is kept and rendered so
papermill's error banner is visible.

A report whose inputs have not changed since the last run is reused rather than executed
again (see :mod:`mtr_analysis.run.cache` for what the key covers). A country report's key covers
that country's rows of the store, so new data for one country re-runs that country and the
regional report only; the ASEAN context shown in the other country reports (the range band
and the position among member states) is then the one of their own last execution, as the
data hash in their annex says. Pass ``use_cache=False`` (``mtr run --no-cache``) to execute
everything.

HTML reports are self-contained: the template ``templates/mtr_report`` extends nbconvert's
"lab" template without the blocks that load require.js, MathJax, Mermaid or widgets from a
CDN; images are embedded; a table of contents is built from the headings.
"""

from __future__ import annotations

import ast
import concurrent.futures
import datetime as _dt
import html
import json
import multiprocessing
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from mtr_analysis import paths, provenance
from mtr_analysis.reference import registry
from mtr_analysis.reference.catalogue import load_catalogue
from mtr_analysis.reporting import i18n
from mtr_analysis.run import cache

#: Parameters every country notebook must declare.
COUNTRY_REQUIRED = ("country", "review", "data_dir")
#: Parameters every regional notebook must declare.
REGIONAL_REQUIRED = ("review", "data_dir")
#: Parameters passed only when the notebook declares them.
COUNTRY_OPTIONAL = ("baseline_year", "cutoff_year", "lang", "out_dir")
REGIONAL_OPTIONAL = ("baseline_year", "cutoff_year", "lang", "countries", "out_dir")
#: Parameters that are folders: left out of the cache key (the data they hold is hashed).
PATH_PARAMETERS = ("data_dir", "out_dir")

LANGS = i18n.LANGS
KERNEL_NAME = "python3"
#: Quieten the kernel application's own log (e.g. ipykernel's "running over TCP without
#: encryption" warning, printed once per notebook); notebook output is unaffected.
KERNEL_ARGUMENTS = ("--IPKernelApp.log_level=ERROR",)
EXECUTED_DIR = "executed"
CACHE_DIR = "cache"
FINDINGS_DIR = "findings"
INDEX_FILE = "index.html"
MANIFEST_FILE = "manifest.json"
REGIONAL_NAME = "regional"
CODE_SUFFIX = ".code.html"
TEMPLATES_DIR = paths.PACKAGE_DIR / "templates"
TEMPLATE_NAME = "mtr_report"
#: Marker a report header may contain; the table of contents replaces it.
TOC_MARKER = "<!--mtr:toc-->"

#: Cell tags honoured when rendering (nbconvert's ``TagRemovePreprocessor``).
REMOVE_CELL_TAGS = ("remove", "remove-cell")
REMOVE_OUTPUT_TAGS = ("remove-output",)
REMOVE_INPUT_TAGS = ("remove-input",)
INJECTED_TAG = "injected-parameters"

DEMO_BANNER = {
    "en": "Demo data — synthetic, not official statistics",
    "vi": "Dữ liệu minh họa — số liệu tổng hợp, không phải số liệu thống kê chính thức",
}

Kind = Literal["country", "regional"]
Status = Literal["ok", "failed"]


@dataclass
class ReportResult:
    """Outcome of one report (one executed and rendered notebook).

    Attributes
    ----------
    name : str
        ISO3 code of the country, or ``"regional"``.
    kind : {"country", "regional"}
        Which notebook produced it.
    label : str
        Display name: the ASEAN short name ("Viet Nam") or "Regional synthesis".
    status : {"ok", "failed"}
        ``"failed"`` when execution or rendering raised.
    error : str or None
        First line of the error (``"ValueError: no data for LAO"``), ``None`` when ok.
    seconds : float
        Wall-clock time of execution plus rendering (of the run that produced the report,
        when it was reused from the cache).
    html : pathlib.Path or None
        The rendered report (code hidden); ``None`` when even the partial notebook could
        not be rendered.
    executed : pathlib.Path or None
        The executed notebook (partial when execution failed); ``None`` if none was written.
    html_code : pathlib.Path or None
        The rendered report with code (``with_code`` runs only).
    cached : bool
        True when the report was reused from an earlier run (inputs unchanged).
    execute_seconds, render_seconds : float
        Parts of ``seconds``.
    cache_key : str
        SHA-256 of everything the report depends on.
    vintage : str
        Vintage of the data behind the report (latest release date named by its sources).
    findings : pathlib.Path or None
        The findings JSON written by the notebook, if any.
    """

    name: str
    kind: Kind
    label: str
    status: Status
    error: str | None
    seconds: float
    html: Path | None
    executed: Path | None
    html_code: Path | None = None
    cached: bool = False
    execute_seconds: float = 0.0
    render_seconds: float = 0.0
    cache_key: str = ""
    vintage: str = ""
    findings: Path | None = None

    @property
    def ok(self) -> bool:
        """True when the report executed and rendered without error."""
        return self.status == "ok"


_PATH_FIELDS = ("html", "executed", "html_code", "findings")


@dataclass
class RunSummary:
    """Everything :func:`run_reports` did, in report order (countries, then regional).

    Attributes
    ----------
    review : str
        Review name (``"mid-term"`` or ``"end-term"``).
    out_dir : pathlib.Path
        The review's output folder (``<out_dir>/<review>``).
    results : list of ReportResult
        One per report.
    demo : bool
        Whether the inputs were demo data.
    seconds : float
        Wall-clock time of the whole run.
    finished : str
        Local time the run finished (ISO 8601, seconds).
    """

    review: str
    out_dir: Path
    results: list[ReportResult] = field(default_factory=list)
    demo: bool = False
    seconds: float = 0.0
    finished: str = ""

    @property
    def ok(self) -> bool:
        """True when every report succeeded (``mtr run`` exits non-zero otherwise)."""
        return all(r.ok for r in self.results)

    @property
    def failed(self) -> list[ReportResult]:
        """The reports that failed."""
        return [r for r in self.results if not r.ok]

    @property
    def index_path(self) -> Path:
        """Path of the index page."""
        return self.out_dir / INDEX_FILE

    @property
    def manifest_path(self) -> Path:
        """Path of the run manifest (``manifest.json``)."""
        return self.out_dir / MANIFEST_FILE

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; paths are relative to :attr:`out_dir` so the folder can move."""
        return {
            "review": self.review,
            "demo": self.demo,
            "ok": self.ok,
            "seconds": round(self.seconds, 2),
            "finished": self.finished,
            "index": INDEX_FILE,
            "results": [_result_dict(r, self.out_dir) for r in self.results],
        }


def _result_dict(result: ReportResult, base: Path) -> dict[str, Any]:
    d = asdict(result)
    for key in _PATH_FIELDS:
        d[key] = _relative(d[key], base)
    return d


@dataclass(frozen=True)
class _Task:
    """One notebook to execute and render (picklable, sent to worker processes)."""

    name: str
    kind: Kind
    label: str
    notebook: Path
    parameters: dict[str, Any]
    executed: Path
    html: Path
    html_code: Path | None
    findings: Path | None
    record: Path
    title: str
    lang: str
    key: str
    vintage: str


# --------------------------------------------------------------------------- parameters


def notebook_parameters(path: Path | str) -> dict[str, dict]:
    """The parameters a notebook declares in its ``parameters``-tagged cell.

    Parsed like :func:`papermill.inspect_notebook` (the tests check that both agree), but
    without importing papermill, whose import takes seconds: a warm re-run of ``mtr run``
    then stays fast.

    Parameters
    ----------
    path : path-like
        The notebook (``.ipynb``).

    Returns
    -------
    dict
        Parameter name → ``{"default", "inferred_type_name", "help"}``: ``default`` is the
        source text of the value, ``inferred_type_name`` the annotation (``"None"`` without
        one) and ``help`` the comment at the end of the line. Empty when the notebook has no
        ``parameters`` cell.

    Raises
    ------
    ValueError
        If the notebook does not exist, is not a notebook, or its parameters cell is not
        valid Python.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"notebook not found: {path}")
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = nb["cells"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path} is not a Jupyter notebook: {exc}") from None
    cell = next(
        (
            c
            for c in cells
            if c.get("cell_type") == "code"
            and "parameters" in (c.get("metadata", {}).get("tags") or [])
        ),
        None,
    )
    if cell is None:
        return {}
    source = cell.get("source", "")
    source = "".join(source) if isinstance(source, list) else str(source)
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ValueError(f"{path.name}: parameters cell is not valid Python: {exc}") from None
    lines = source.splitlines()
    found: dict[str, dict] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            name = node.target.id
            type_name = ast.get_source_segment(source, node.annotation) or "None"
            value = node.value
        elif (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            name, type_name, value = node.targets[0].id, "None", node.value
        else:
            continue
        default = ast.get_source_segment(source, value) if value is not None else None
        rest = lines[node.end_lineno - 1][node.end_col_offset :]
        comment = rest.split("#", 1)[1].strip() if "#" in rest else ""
        found[name] = {"default": default, "inferred_type_name": type_name, "help": comment}
    return found


def check_parameters(path: Path | str, params: dict[str, Any]) -> None:
    """Refuse parameters the notebook does not declare (papermill would only warn).

    Parameters
    ----------
    path : path-like
        The notebook.
    params : dict
        Parameter name → value, as they would be passed to papermill.

    Raises
    ------
    ValueError
        Naming the notebook, the unknown parameter names and the allowed names.
    """
    declared = notebook_parameters(path)
    unknown = sorted(set(params) - set(declared))
    if unknown:
        allowed = ", ".join(declared) or "(none: the notebook has no 'parameters' cell)"
        raise ValueError(
            f"notebook {Path(path).name} ({path}) does not declare parameter(s) "
            f"{', '.join(unknown)}; allowed: {allowed}"
        )


def _select_parameters(
    path: Path, values: dict[str, Any], required: tuple[str, ...], optional: tuple[str, ...]
) -> dict[str, Any]:
    """Required parameters plus the optional ones the notebook declares; checked."""
    declared = notebook_parameters(path)
    params = {k: values[k] for k in required}
    params.update({k: values[k] for k in optional if k in declared})
    check_parameters(path, params)
    return params


# --------------------------------------------------------------------------- rendering


def _first_line(text: object) -> str:
    lines = [ln.strip() for ln in str(text).splitlines() if ln.strip()]
    return lines[0] if lines else ""


def _error_line(exc: BaseException) -> str:
    """``"Name: message"`` (first line only); papermill errors report the notebook's error."""
    ename = getattr(exc, "ename", None)
    if ename is not None and hasattr(exc, "evalue"):  # papermill.PapermillExecutionError
        return _first_line(f"{ename}: {exc.evalue}" if exc.evalue else ename)
    message = _first_line(exc)
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


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
        config=c, template_name=TEMPLATE_NAME, extra_template_basedirs=[str(TEMPLATES_DIR)]
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
    html_path.write_text(body, encoding="utf-8")
    return html_path


# --------------------------------------------------------------------------- execution


def _run_one(task: _Task) -> ReportResult:
    """Execute one notebook and render it; never raises for notebook errors."""
    import papermill

    start = time.perf_counter()
    status: Status = "ok"
    error: str | None = None
    stale = [task.executed, task.html, task.record, task.html_code, task.findings]
    for path in stale:
        if path is not None:
            path.unlink(missing_ok=True)
    try:
        papermill.execute_notebook(
            str(task.notebook),
            str(task.executed),
            parameters=task.parameters,
            kernel_name=KERNEL_NAME,
            cwd=str(task.notebook.parent),
            progress_bar=False,
            log_output=False,
            extra_arguments=list(KERNEL_ARGUMENTS),
        )
    except Exception as exc:  # one failing notebook must not stop the others
        status, error = "failed", _error_line(exc)
    executed_at = time.perf_counter()
    html_path: Path | None = None
    code_path: Path | None = None
    if task.executed.is_file():
        try:
            html_path = render_html(task.executed, task.html, task.title, False, task.lang)
            if task.html_code is not None:
                code_path = render_html(task.executed, task.html_code, task.title, True, task.lang)
        except Exception as exc:
            if status == "ok":
                status, error = "failed", f"HTML rendering failed: {_error_line(exc)}"
    elif status == "ok":
        status, error = "failed", "no executed notebook was written"
    if status == "ok" and task.findings is not None and not task.findings.is_file():
        status, error = "failed", f"the notebook wrote no findings file ({task.findings.name})"
    end = time.perf_counter()
    return ReportResult(
        name=task.name,
        kind=task.kind,
        label=task.label,
        status=status,
        error=error,
        seconds=round(end - start, 2),
        html=html_path,
        executed=task.executed if task.executed.is_file() else None,
        html_code=code_path,
        execute_seconds=round(executed_at - start, 2),
        render_seconds=round(end - executed_at, 2),
        cache_key=task.key,
        vintage=task.vintage,
        findings=task.findings if task.findings is not None and task.findings.is_file() else None,
    )


def _crashed(task: _Task, exc: BaseException, seconds: float) -> ReportResult:
    """Result for a task whose worker process died (e.g. killed for lack of memory)."""
    error = _error_line(exc)
    if isinstance(exc, concurrent.futures.process.BrokenProcessPool):
        error = (
            "worker process died (out of memory, or run_reports called from a script "
            "without an `if __name__ == '__main__':` guard)"
        )
    return ReportResult(
        name=task.name,
        kind=task.kind,
        label=task.label,
        status="failed",
        error=error,
        seconds=round(seconds, 2),
        html=task.html if task.html.is_file() else None,
        executed=task.executed if task.executed.is_file() else None,
        cache_key=task.key,
        vintage=task.vintage,
    )


def _execute(tasks: list[_Task], jobs: int, bar: Any) -> dict[str, ReportResult]:
    """Run tasks in-process (``jobs == 1`` or one task) or in a process pool."""
    results: dict[str, ReportResult] = {}

    def done(result: ReportResult) -> None:
        results[result.name] = result
        bar.set_postfix_str(f"{result.name}: {result.status}")
        bar.update(1)

    if not tasks:
        return results
    if jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            done(_run_one(task))
        return results
    # "spawn": fresh workers, no inherited threads or kernel sockets from the caller.
    ctx = multiprocessing.get_context("spawn")
    start = time.perf_counter()
    with concurrent.futures.ProcessPoolExecutor(
        max_workers=min(jobs, len(tasks)), mp_context=ctx
    ) as pool:
        futures = {pool.submit(_run_one, t): t for t in tasks}
        for fut in concurrent.futures.as_completed(futures):
            try:
                done(fut.result())
            except Exception as exc:
                done(_crashed(futures[fut], exc, time.perf_counter() - start))
    return results


# --------------------------------------------------------------------------- cache


#: Tables the regional notebook writes next to its report (a cached run needs them too).
REGIONAL_TABLES = ("assessment.csv", "aggregates.csv", "beneficiaries.csv")


def _outputs_of(task: _Task) -> list[Path]:
    out = [task.executed, task.html]
    out += [p for p in (task.html_code, task.findings) if p is not None]
    if task.kind == "regional" and task.findings is not None:
        out += [task.html.parent / name for name in REGIONAL_TABLES]
    return out


def _cached_result(task: _Task) -> ReportResult | None:
    """The earlier result of ``task`` if its key matches and its outputs still exist."""
    record = cache.read_record(task.record)
    if not record or record.get("key") != task.key:
        return None
    data = record.get("result") or {}
    if data.get("status") != "ok" or not all(p.is_file() for p in _outputs_of(task)):
        return None
    return ReportResult(
        name=task.name,
        kind=task.kind,
        label=task.label,
        status="ok",
        error=None,
        seconds=float(data.get("seconds", 0.0)),
        html=task.html,
        executed=task.executed,
        html_code=task.html_code,
        cached=True,
        execute_seconds=float(data.get("execute_seconds", 0.0)),
        render_seconds=float(data.get("render_seconds", 0.0)),
        cache_key=task.key,
        vintage=task.vintage,
        findings=task.findings,
    )


def _save_record(task: _Task, result: ReportResult, parts: dict[str, Any]) -> None:
    """Store the key and the result next to the outputs (successful reports only)."""
    if not result.ok:
        task.record.unlink(missing_ok=True)
        return
    cache.write_record(
        task.record,
        {"key": task.key, "parts": parts, "result": _result_dict(result, task.record.parent)},
    )


# --------------------------------------------------------------------------- index


_INDEX_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
       margin: 2rem auto; max-width: 64rem; padding: 0 1rem; color: #1f2328; }
h1 { font-size: 1.5rem; margin-bottom: 0.5rem; }
.demo { background: #fff3cd; border: 2px solid #d39e00; color: #5c4400; font-weight: bold;
        font-size: 1.2rem; padding: 0.8rem 1rem; margin: 1rem 0; border-radius: 4px; }
table { border-collapse: collapse; width: 100%; margin-top: 1rem; }
th, td { border-bottom: 1px solid #d0d7de; padding: 0.45rem 0.6rem; text-align: left;
         vertical-align: top; }
th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.ok { color: #1a7f37; font-weight: bold; }
.failed { color: #cf222e; font-weight: bold; }
.cached { color: #57606a; font-size: 0.85em; }
.error { color: #57606a; font-family: ui-monospace, Consolas, monospace; font-size: 0.9em; }
.meta { color: #57606a; }
"""


def _relative(path: Path | str | None, base: Path) -> str | None:
    if path is None:
        return None
    path = Path(path)
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return str(path)


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

    esc = html.escape
    rows = []
    for r in summary.results:
        href = _relative(r.html, summary.out_dir)
        name = (
            f'<a href="{esc(href)}">{esc(r.label)}</a>'
            if href
            else f"{esc(r.label)} <span class='error'>({esc(tr('no_html'))})</span>"
        )
        status = f'<span class="{esc(r.status)}">{esc(tr(r.status))}</span>'
        if r.cached:
            status += f' <span class="cached">({esc(tr("cached"))})</span>'
        if r.error:
            status += f'<div class="error">{esc(r.error)}</div>'
        code_href = _relative(r.html_code, summary.out_dir)
        code = f'<a href="{esc(code_href)}">{esc(Path(code_href).name)}</a>' if code_href else ""
        nb_href = _relative(r.executed, summary.out_dir)
        notebook = f'<a href="{esc(nb_href)}">{esc(Path(nb_href).name)}</a>' if nb_href else ""
        rows.append(
            f"<tr><td>{name}</td><td>{status}</td>"
            f'<td class="num">{r.seconds:.1f}</td><td>{esc(r.vintage or "–")}</td>'
            f"<td>{code}</td><td>{notebook}</td></tr>"
        )
    n_failed = len(summary.failed)
    counts = tr("index_summary", n=len(summary.results), ok=len(summary.results) - n_failed,
                failed=n_failed)  # fmt: skip
    finished = (
        f'<p class="meta">{esc(tr("index_generated", when=summary.finished, seconds=summary.seconds))}</p>'  # noqa: E501
        if summary.finished
        else ""
    )
    banner = (
        f'<div class="demo" role="alert">{esc(DEMO_BANNER[lang])}</div>' if summary.demo else ""
    )
    page = f"""<!DOCTYPE html>
<html lang="{esc(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<style>{_INDEX_CSS}</style>
</head>
<body>
<h1>{esc(title)}</h1>
{banner}
<p>{esc(counts)}</p>
{finished}
<table>
<thead><tr><th>{esc(tr("report"))}</th><th>{esc(tr("status"))}</th>
<th>{esc(tr("seconds"))}</th><th>{esc(tr("vintage"))}</th><th>{esc(tr("with_code"))}</th>
<th>{esc(tr("notebook"))}</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</body>
</html>
"""
    summary.index_path.write_text(page, encoding="utf-8")
    return summary.index_path


def write_manifest(summary: RunSummary, extra: dict[str, Any] | None = None) -> Path:
    """Write ``manifest.json`` (:meth:`RunSummary.to_dict` plus ``extra``); return its path."""
    data = summary.to_dict()
    if extra:
        data.update(extra)
    summary.manifest_path.write_text(
        json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return summary.manifest_path


# --------------------------------------------------------------------------- entry point


def _country_vintages(obs: Any, codes: list[str]) -> dict[str, str]:
    out = {}
    groups = {str(c): g for c, g in obs.groupby(obs["country"].astype(str))}
    for iso3 in codes:
        rows = groups.get(iso3)
        out[iso3] = (
            "" if rows is None else provenance.source_vintage(rows["source"].dropna().unique())
        )
    out[REGIONAL_NAME] = provenance.source_vintage(
        obs.loc[obs["country"].isin(codes), "source"].dropna().unique()
    )
    return out


def run_reports(
    countries: list[str],
    review: str,
    data_dir: Path | str,
    out_dir: Path | str,
    jobs: int = 1,
    lang: str = "en",
    with_code: bool = False,
    country_notebook: Path | str = paths.COUNTRY_NOTEBOOK,
    regional_notebook: Path | str = paths.REGIONAL_NOTEBOOK,
    progress: bool = True,
    demo: bool | None = None,
    use_cache: bool = True,
) -> RunSummary:
    """Execute the country notebook per member state and the regional notebook; render HTML.

    Everything is validated before any notebook runs. Reports whose inputs are unchanged
    since the last run are reused; the others are executed with papermill (in a pool of
    ``jobs`` worker processes, the regional notebook alongside the countries) and rendered
    to HTML; finally ``index.html`` and ``manifest.json`` are written. A failing notebook is
    recorded and the others still run.

    Parameters
    ----------
    countries : list of str
        ISO3 codes of member states (case-insensitive; duplicates dropped).
    review : str
        A review of the catalogue (``"mid-term"``, ``"end-term"``); sets ``baseline_year``
        and ``cutoff_year``.
    data_dir : path-like
        Folder written by ``mtr build``; passed to the notebooks as an absolute path.
    out_dir : path-like
        Output root; reports go to ``<out_dir>/<review>/``; passed to notebooks that declare
        ``out_dir`` (they write ``findings/<name>.json`` there).
    jobs : int
        Number of notebooks run in parallel (1 = one after the other, in this process).
    lang : {"en", "vi"}
        Report language, passed to notebooks that declare ``lang``.
    with_code : bool
        Also write ``<name>.code.html`` with the code (consultant version); the main
        ``<name>.html`` always hides code (for SOCA).
    country_notebook, regional_notebook : path-like
        The notebooks to run (defaults from :mod:`mtr_analysis.paths`).
    progress : bool
        Show a tqdm progress bar on stderr.
    demo : bool, optional
        Inputs are synthetic demo data: the index shows a banner saying so. Default: read
        from the store (any source marked DEMO).
    use_cache : bool
        Reuse reports whose inputs are unchanged (default). ``False`` executes everything.

    Returns
    -------
    RunSummary
        Per-report results; ``summary.ok`` is False if any report failed.

    Raises
    ------
    ValueError
        Unknown review, country or language; ``jobs < 1``; no countries; missing data
        folder, store or notebook; a notebook lacking a required parameter (country
        notebook: ``country``, ``review``, ``data_dir``; regional: ``review``,
        ``data_dir``). Nothing is run or written in these cases.

    Notes
    -----
    With ``jobs > 1`` notebooks run in "spawn" worker processes, so a script calling this
    function must guard its entry point with ``if __name__ == "__main__":``.

    Parameters passed (when the notebook declares them): ``country`` (ISO3, country notebook
    only), ``review``, ``baseline_year``, ``cutoff_year``, ``data_dir``, ``lang``,
    ``out_dir`` and ``countries`` (list of ISO3, regional notebook only).
    """
    from tqdm import tqdm

    from mtr_analysis.intake import store

    started = time.perf_counter()
    # ---- validate everything before running anything
    settings = load_catalogue().review(review)
    if lang not in LANGS:
        raise ValueError(f"unknown lang {lang!r}; allowed: {', '.join(LANGS)}")
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1:
        raise ValueError(f"jobs must be a positive integer, got {jobs!r}")
    if isinstance(countries, str):
        countries = [countries]
    codes: list[str] = []
    for c in countries:
        try:
            iso3 = registry.get(c).iso3
        except KeyError as exc:
            raise ValueError(exc.args[0]) from None
        if iso3 not in codes:
            codes.append(iso3)
    if not codes:
        raise ValueError("no countries given; pass ISO3 codes of member states")
    data_path = Path(data_dir).resolve()
    if not data_path.is_dir():
        raise ValueError(f"data_dir {str(data_dir)!r} is not a folder (run `mtr build` first)")
    country_nb = Path(country_notebook).resolve()
    regional_nb = Path(regional_notebook).resolve()
    review_dir = Path(out_dir).resolve() / review
    out_root = review_dir.parent

    values = {
        "review": review,
        "baseline_year": int(settings["baseline_year"]),
        "cutoff_year": int(settings["cutoff_year"]),
        "data_dir": str(data_path),
        "lang": lang,
        "countries": list(codes),
        "out_dir": str(out_root),
    }
    country_params = _select_parameters(
        country_nb, {**values, "country": codes[0]}, COUNTRY_REQUIRED, COUNTRY_OPTIONAL
    )
    regional_params = _select_parameters(regional_nb, values, REGIONAL_REQUIRED, REGIONAL_OPTIONAL)

    # ---- fingerprints of the inputs (the store is read here, so a bad store fails early)
    try:
        obs = store.read_store(data_path)
    except FileNotFoundError as exc:
        raise ValueError(str(exc)) from None
    if demo is None:
        demo = store.is_demo(obs)
    intake = provenance.read_intake(data_path)
    country_hashes = provenance.country_data_hashes(obs, intake, countries=codes)
    store_files = provenance.store_hashes(data_path)
    vintages = _country_vintages(obs, codes)
    packages = provenance.package_versions()
    code_sha = provenance.code_hash()
    notebook_sha = {
        "country": provenance.file_sha256(country_nb),
        "regional": provenance.file_sha256(regional_nb),
    }

    # ---- plan
    executed_dir = review_dir / EXECUTED_DIR
    label = settings.get("label_vi" if lang == "vi" else "label") or review
    parts_of: dict[str, dict[str, Any]] = {}

    def task(name: str, kind: Kind, notebook: Path, params: dict, shown: str, data: dict) -> _Task:
        title = f"{shown} — {label}"
        writes_findings = "out_dir" in params
        parts = {
            "notebook": notebook_sha[kind],
            "code": code_sha,
            "packages": packages,
            "parameters": {k: v for k, v in params.items() if k not in PATH_PARAMETERS},
            "data": data,
            "render": {"with_code": with_code, "title": title},
        }
        parts_of[name] = parts
        return _Task(
            name=name,
            kind=kind,
            label=shown,
            notebook=notebook,
            parameters=params,
            executed=executed_dir / f"{name}.ipynb",
            html=review_dir / f"{name}.html",
            html_code=review_dir / f"{name}{CODE_SUFFIX}" if with_code else None,
            findings=review_dir / FINDINGS_DIR / f"{name}.json" if writes_findings else None,
            record=review_dir / CACHE_DIR / f"{name}.json",
            title=title,
            lang=lang,
            key=cache.cache_key(parts),
            vintage=vintages.get(name, ""),
        )

    tasks = [
        task(
            iso3,
            "country",
            country_nb,
            {**country_params, "country": iso3},
            registry.display_name(iso3, lang),
            {"country_rows": country_hashes[iso3]},
        )
        for iso3 in codes
    ]
    tasks.append(
        task(
            REGIONAL_NAME,
            "regional",
            regional_nb,
            regional_params,
            i18n.text("regional_title", lang),
            dict(store_files),
        )
    )

    # ---- reuse what has not changed, run the rest
    executed_dir.mkdir(parents=True, exist_ok=True)
    results: dict[str, ReportResult] = {}
    to_run: list[_Task] = []
    for t in tasks:
        hit = _cached_result(t) if use_cache else None
        if hit is not None:
            results[t.name] = hit
        else:
            to_run.append(t)
    with tqdm(
        total=len(tasks),
        initial=len(results),
        desc=f"mtr run {review}",
        unit="report",
        disable=not progress,
    ) as bar:
        fresh = _execute(to_run, jobs, bar)
    results.update(fresh)
    by_name = {t.name: t for t in tasks}
    for name, result in fresh.items():
        _save_record(by_name[name], result, parts_of[name])

    finished = _dt.datetime.now().replace(microsecond=0).isoformat()
    summary = RunSummary(
        review=review,
        out_dir=review_dir,
        results=[results[t.name] for t in tasks],
        demo=bool(demo),
        seconds=time.perf_counter() - started,
        finished=finished,
    )
    title = i18n.text("index_title", lang, blueprint="ASCC Blueprint 2025", review=label)
    write_index(summary, title, lang)
    write_manifest(
        summary,
        {
            "label": label,
            "countries": codes,
            "lang": lang,
            "with_code": with_code,
            "jobs": jobs,
            "use_cache": use_cache,
            "data_dir": str(data_path),
            "notebooks": {
                "country": {"path": str(country_nb), "sha256": notebook_sha["country"]},
                "regional": {"path": str(regional_nb), "sha256": notebook_sha["regional"]},
            },
            "parameters": {"country": country_params, "regional": regional_params},
            "inputs": {
                "store": store_files,
                "country_data": country_hashes,
                "files": [
                    {k: rec.get(k) for k in ("path", "format", "sha256", "accepted", "rejected")}
                    for rec in intake
                ],
            },
            "packages": packages,
            "code_sha256": code_sha,
            "git_commit": provenance.git_commit(),
            "timings": {
                r.name: {
                    "seconds": 0.0 if r.cached else r.seconds,
                    "execute_seconds": 0.0 if r.cached else r.execute_seconds,
                    "render_seconds": 0.0 if r.cached else r.render_seconds,
                    "cached": r.cached,
                    "original_seconds": r.seconds,
                }
                for r in summary.results
            },
        },
    )
    return summary
