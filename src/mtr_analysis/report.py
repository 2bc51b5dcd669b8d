"""Run the report notebooks with papermill and render them to HTML: the engine of ``mtr run``.

One call to :func:`run_reports` executes the country notebook once per member state and then
the regional notebook, renders every executed notebook to HTML with nbconvert (code hidden
unless ``with_code``), and writes an index page and a run manifest::

    <out_dir>/<review>/
        <ISO3>.html, regional.html     rendered reports
        executed/<ISO3>.ipynb, ...     executed notebooks (kept even when a run fails)
        index.html                     every report with its status and run time
        run.json                       the same information, machine-readable

Parameters are checked against each notebook's ``parameters`` cell before anything runs
(papermill itself only warns about unknown names). One failing notebook never stops the
others: its error is recorded, its partial notebook kept and rendered so papermill's error
banner is visible.
"""

from __future__ import annotations

import concurrent.futures
import html
import json
import multiprocessing
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from mtr_analysis import paths, registry
from mtr_analysis.catalogue import load_catalogue

#: Parameters every country notebook must declare.
COUNTRY_REQUIRED = ("country", "review", "data_dir")
#: Parameters every regional notebook must declare.
REGIONAL_REQUIRED = ("review", "data_dir")
#: Parameters passed only when the notebook declares them.
COUNTRY_OPTIONAL = ("baseline_year", "cutoff_year", "lang")
REGIONAL_OPTIONAL = ("baseline_year", "cutoff_year", "lang", "countries")

LANGS = ("en", "vi")
KERNEL_NAME = "python3"
#: Quieten the kernel application's own log (e.g. ipykernel's "running over TCP without
#: encryption" warning, printed once per notebook); notebook output is unaffected.
KERNEL_ARGUMENTS = ("--IPKernelApp.log_level=ERROR",)
EXECUTED_DIR = "executed"
INDEX_FILE = "index.html"
MANIFEST_FILE = "run.json"
REGIONAL_NAME = "regional"

#: Cell tags honoured when rendering (nbconvert's ``TagRemovePreprocessor``).
REMOVE_CELL_TAGS = ("remove", "remove-cell")
REMOVE_OUTPUT_TAGS = ("remove-output",)
REMOVE_INPUT_TAGS = ("remove-input",)
INJECTED_TAG = "injected-parameters"

DEMO_BANNER = {
    "en": "Demo data — synthetic, not official statistics",
    "vi": "Dữ liệu minh họa — số liệu tổng hợp, không phải số liệu thống kê chính thức",
}
_UI = {
    "en": {
        "regional": "Regional synthesis",
        "report": "Report",
        "status": "Status",
        "seconds": "Run time (s)",
        "notebook": "Executed notebook",
        "no_html": "no HTML",
        "summary": "{n} reports: {ok} ok, {failed} failed.",
        "title": "ASCC Blueprint 2025 — {label} — reports",
    },
    "vi": {
        "regional": "Báo cáo tổng hợp khu vực",
        "report": "Báo cáo",
        "status": "Trạng thái",
        "seconds": "Thời gian chạy (giây)",
        "notebook": "Notebook đã chạy",
        "no_html": "không có HTML",
        "summary": "{n} báo cáo: {ok} thành công, {failed} lỗi.",
        "title": "ASCC Blueprint 2025 — {label} — báo cáo",
    },
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
        Wall-clock time of execution plus rendering.
    html : pathlib.Path or None
        The rendered report; ``None`` when even the partial notebook could not be rendered.
    executed : pathlib.Path or None
        The executed notebook (partial when execution failed); ``None`` if none was written.
    """

    name: str
    kind: Kind
    label: str
    status: Status
    error: str | None
    seconds: float
    html: Path | None
    executed: Path | None

    @property
    def ok(self) -> bool:
        """True when the report executed and rendered without error."""
        return self.status == "ok"


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
    """

    review: str
    out_dir: Path
    results: list[ReportResult] = field(default_factory=list)
    demo: bool = False

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
        """Path of the run manifest (``run.json``)."""
        return self.out_dir / MANIFEST_FILE

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; paths are relative to :attr:`out_dir` so the folder can move."""
        results = []
        for r in self.results:
            d = asdict(r)
            for key in ("html", "executed"):
                d[key] = _relative(d[key], self.out_dir)
            results.append(d)
        return {
            "review": self.review,
            "demo": self.demo,
            "ok": self.ok,
            "index": INDEX_FILE,
            "results": results,
        }


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
    with_code: bool
    title: str


# --------------------------------------------------------------------------- parameters


def notebook_parameters(path: Path | str) -> dict[str, dict]:
    """The parameters a notebook declares in its ``parameters``-tagged cell.

    Parameters
    ----------
    path : path-like
        The notebook (``.ipynb``).

    Returns
    -------
    dict
        Parameter name → ``{"default", "inferred_type_name", "help"}`` as parsed by
        :func:`papermill.inspect_notebook` (``default`` is the source text of the literal).
        Empty when the notebook has no ``parameters`` cell.

    Raises
    ------
    ValueError
        If the notebook does not exist.
    """
    import papermill

    path = Path(path)
    if not path.is_file():
        raise ValueError(f"notebook not found: {path}")
    found = papermill.inspect_notebook(str(path))
    return {
        name: {
            "default": info.get("default"),
            "inferred_type_name": info.get("inferred_type_name"),
            "help": info.get("help", ""),
        }
        for name, info in found.items()
    }


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
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        return _first_line(f"{exc.ename}: {exc.evalue}" if exc.evalue else exc.ename)
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


def _html_exporter(with_code: bool) -> Any:
    """An ``HTMLExporter`` (lab template) hiding code and honouring removal tags."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    c = Config()
    c.HTMLExporter.embed_images = True
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
    # The default TagRemovePreprocessor stays disabled; we register our configured one.
    exporter = HTMLExporter(config=c, template_name="lab")
    exporter.register_preprocessor(TagRemovePreprocessor(config=c), enabled=True)
    return exporter


def render_html(executed: Path | str, html_path: Path | str, title: str, with_code: bool) -> Path:
    """Render an executed notebook to a standalone HTML report.

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

    Returns
    -------
    pathlib.Path
        ``html_path``.
    """
    import nbformat

    nb = _strip_stderr(nbformat.read(str(executed), as_version=4))
    body, _ = _html_exporter(with_code).from_notebook_node(
        nb, resources={"metadata": {"name": title}}
    )
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
    for stale in (task.executed, task.html):
        stale.unlink(missing_ok=True)
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
    html_path: Path | None = None
    if task.executed.is_file():
        try:
            html_path = render_html(task.executed, task.html, task.title, task.with_code)
        except Exception as exc:
            if status == "ok":
                status, error = "failed", f"HTML rendering failed: {_error_line(exc)}"
    elif status == "ok":
        status, error = "failed", "no executed notebook was written"
    return ReportResult(
        name=task.name,
        kind=task.kind,
        label=task.label,
        status=status,
        error=error,
        seconds=round(time.perf_counter() - start, 2),
        html=html_path,
        executed=task.executed if task.executed.is_file() else None,
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
    )


def _execute(tasks: list[_Task], jobs: int, bar: Any) -> list[ReportResult]:
    """Run tasks sequentially (``jobs == 1``) or in a process pool; keep task order."""
    results: dict[str, ReportResult] = {}

    def done(result: ReportResult) -> None:
        results[result.name] = result
        bar.set_postfix_str(f"{result.name}: {result.status}")
        bar.update(1)

    if jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            done(_run_one(task))
    else:
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
    return [results[t.name] for t in tasks]


# --------------------------------------------------------------------------- index


_INDEX_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
       margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #1f2328; }
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
.error { color: #57606a; font-family: ui-monospace, Consolas, monospace; font-size: 0.9em; }
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
    """Write ``index.html``: one row per report with link, status and run time.

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
    ui = _UI.get(lang, _UI["en"])
    esc = html.escape
    rows = []
    for r in summary.results:
        href = _relative(r.html, summary.out_dir)
        name = (
            f'<a href="{esc(href)}">{esc(r.label)}</a>'
            if href
            else f"{esc(r.label)} <span class='error'>({esc(ui['no_html'])})</span>"
        )
        status = f'<span class="{esc(r.status)}">{esc(r.status)}</span>'
        if r.error:
            status += f'<div class="error">{esc(r.error)}</div>'
        nb_href = _relative(r.executed, summary.out_dir)
        notebook = f'<a href="{esc(nb_href)}">{esc(Path(nb_href).name)}</a>' if nb_href else ""
        rows.append(
            f"<tr><td>{name}</td><td>{status}</td>"
            f'<td class="num">{r.seconds:.1f}</td><td>{notebook}</td></tr>'
        )
    n_failed = len(summary.failed)
    counts = ui["summary"].format(
        n=len(summary.results), ok=len(summary.results) - n_failed, failed=n_failed
    )
    banner = (
        f'<div class="demo" role="alert">{esc(DEMO_BANNER.get(lang, DEMO_BANNER["en"]))}</div>'
        if summary.demo
        else ""
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
<table>
<thead><tr><th>{esc(ui["report"])}</th><th>{esc(ui["status"])}</th>
<th>{esc(ui["seconds"])}</th><th>{esc(ui["notebook"])}</th></tr></thead>
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
    """Write ``run.json`` (:meth:`RunSummary.to_dict` plus ``extra``); return its path."""
    data = summary.to_dict()
    if extra:
        data.update(extra)
    summary.manifest_path.write_text(
        json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return summary.manifest_path


# --------------------------------------------------------------------------- entry point


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
    demo: bool = False,
) -> RunSummary:
    """Execute the country notebook per member state and the regional notebook; render HTML.

    Everything is validated before any notebook runs. Then each country notebook is executed
    with papermill (in a process pool when ``jobs > 1``), then the regional notebook; each
    executed notebook is rendered to HTML; finally ``index.html`` and ``run.json`` are
    written. A failing notebook is recorded and the others still run.

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
        Output root; reports go to ``<out_dir>/<review>/``.
    jobs : int
        Number of notebooks run in parallel (1 = sequential).
    lang : {"en", "vi"}
        Report language, passed to notebooks that declare ``lang``.
    with_code : bool
        Keep code in the HTML (consultant version); hidden by default (for SOCA).
    country_notebook, regional_notebook : path-like
        The notebooks to run (defaults from :mod:`mtr_analysis.paths`).
    progress : bool
        Show a tqdm progress bar on stderr.
    demo : bool
        Inputs are synthetic demo data: the index shows a banner saying so.

    Returns
    -------
    RunSummary
        Per-report results; ``summary.ok`` is False if any report failed.

    Raises
    ------
    ValueError
        Unknown review, country or language; ``jobs < 1``; no countries; missing data
        folder or notebook; a notebook lacking a required parameter (country notebook:
        ``country``, ``review``, ``data_dir``; regional: ``review``, ``data_dir``).
        Nothing is run or written in these cases.

    Notes
    -----
    With ``jobs > 1`` notebooks run in "spawn" worker processes, so a script calling this
    function must guard its entry point with ``if __name__ == "__main__":``.

    Parameters passed (when the notebook declares them): ``country`` (ISO3, country notebook
    only), ``review``, ``baseline_year``, ``cutoff_year``, ``data_dir``, ``lang`` and
    ``countries`` (list of ISO3, regional notebook only).
    """
    from tqdm import tqdm

    # ---- validate everything before running anything
    settings = load_catalogue().review(review)
    if lang not in LANGS:
        raise ValueError(f"unknown lang {lang!r}; allowed: {', '.join(LANGS)}")
    if not isinstance(jobs, int) or jobs < 1:
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

    values = {
        "review": review,
        "baseline_year": int(settings["baseline_year"]),
        "cutoff_year": int(settings["cutoff_year"]),
        "data_dir": str(data_path),
        "lang": lang,
        "countries": list(codes),
    }
    country_params = _select_parameters(
        country_nb, {**values, "country": codes[0]}, COUNTRY_REQUIRED, COUNTRY_OPTIONAL
    )
    regional_params = _select_parameters(regional_nb, values, REGIONAL_REQUIRED, REGIONAL_OPTIONAL)

    # ---- plan
    review_dir = Path(out_dir).resolve() / review
    executed_dir = review_dir / EXECUTED_DIR
    ui = _UI[lang]
    label = settings.get("label_vi" if lang == "vi" else "label") or review
    country_tasks = [
        _Task(
            name=iso3,
            kind="country",
            label=registry.display_name(iso3, lang),
            notebook=country_nb,
            parameters={**country_params, "country": iso3},
            executed=executed_dir / f"{iso3}.ipynb",
            html=review_dir / f"{iso3}.html",
            with_code=with_code,
            title=f"{registry.display_name(iso3, lang)} — {label}",
        )
        for iso3 in codes
    ]
    regional_task = _Task(
        name=REGIONAL_NAME,
        kind="regional",
        label=ui["regional"],
        notebook=regional_nb,
        parameters=regional_params,
        executed=executed_dir / f"{REGIONAL_NAME}.ipynb",
        html=review_dir / f"{REGIONAL_NAME}.html",
        with_code=with_code,
        title=f"{ui['regional']} — {label}",
    )

    # ---- run
    executed_dir.mkdir(parents=True, exist_ok=True)
    with tqdm(
        total=len(country_tasks) + 1, desc=f"mtr run {review}", unit="report", disable=not progress
    ) as bar:
        results = _execute(country_tasks, jobs, bar)
        results += _execute([regional_task], 1, bar)

    summary = RunSummary(review=review, out_dir=review_dir, results=results, demo=demo)
    write_index(summary, ui["title"].format(label=label), lang)
    write_manifest(
        summary,
        {
            "label": label,
            "countries": codes,
            "lang": lang,
            "with_code": with_code,
            "jobs": jobs,
            "data_dir": str(data_path),
            "notebooks": {"country": str(country_nb), "regional": str(regional_nb)},
            "parameters": {"country": country_params, "regional": regional_params},
        },
    )
    return summary
