"""What a run produced: one :class:`ReportResult` per report, gathered in a :class:`RunSummary`.

Both are plain dataclasses, written into ``manifest.json`` and the cache records with paths
relative to the review's output folder, so the folder can be moved.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from mtr_analysis import paths

Kind = Literal["country", "regional", "national"]
Status = Literal["ok", "failed", "interrupted"]
#: Status of a report a run did not finish (stopped by SIGINT/SIGTERM, or still running).
INTERRUPTED: Status = "interrupted"


@dataclass
class ReportResult:
    """Outcome of one report (one executed and rendered notebook).

    Attributes
    ----------
    name : str
        ISO3 code of the country, ``"regional"``, or ``"<ISO3>_implementation"`` for a
        national implementation report (:data:`mtr_analysis.paths.NATIONAL_IMPLEMENTATION_NAME`).
    kind : {"country", "regional", "national"}
        Which notebook produced it (``"national"``: the national implementation report).
    label : str
        Display name: the ASEAN short name ("Viet Nam"), "Regional synthesis", or the
        national report's title ("Implementation of the national plan, Viet Nam").
    status : {"ok", "failed", "interrupted"}
        ``"failed"`` when execution, rendering or writing its files raised, or a file it
        claims is missing; ``"interrupted"`` when the run was stopped (Ctrl-C, SIGTERM)
        before the report was finished.
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
        The findings JSON the runner wrote for the report (``None`` if it could not).
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
    """Everything :func:`run_reports` did, in report order (countries, national
    implementation reports, then regional).

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
    snapshot : str
        Vintage of the public-data snapshot the store was built from (``""``: not a
        snapshot).
    seconds : float
        Wall-clock time of the whole run.
    finished : str
        Local time the run finished (ISO 8601, seconds).
    interrupted : str
        Name of the signal that stopped the run (``"SIGINT"``, ``"SIGTERM"``); ``""`` when
        it ran to the end.
    """

    review: str
    out_dir: Path
    results: list[ReportResult] = field(default_factory=list)
    demo: bool = False
    snapshot: str = ""
    seconds: float = 0.0
    finished: str = ""
    interrupted: str = ""

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
        return self.out_dir / paths.INDEX_FILE

    @property
    def manifest_path(self) -> Path:
        """Path of the run manifest (``manifest.json``)."""
        return self.out_dir / paths.MANIFEST_FILE

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; paths are relative to :attr:`out_dir` so the folder can move."""
        return {
            "review": self.review,
            "demo": self.demo,
            "snapshot": self.snapshot,
            "ok": self.ok,
            "seconds": round(self.seconds, 2),
            "finished": self.finished,
            "interrupted": self.interrupted,
            "index": paths.INDEX_FILE,
            "results": [result_dict(r, self.out_dir) for r in self.results],
        }


def result_dict(result: ReportResult, base: Path) -> dict[str, Any]:
    """JSON-ready form of ``result``, its paths relative to ``base``."""
    d = asdict(result)
    for key in _PATH_FIELDS:
        d[key] = relative(d[key], base)
    return d


def relative(path: Path | str | None, base: Path) -> str | None:
    """``path`` relative to ``base`` (POSIX form); unchanged when outside it; None stays None."""
    if path is None:
        return None
    path = Path(path)
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return str(path)
