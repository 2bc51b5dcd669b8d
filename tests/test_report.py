"""Tests of :mod:`mtr_analysis.report` on tiny notebooks built here with nbformat."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from mtr_analysis import report
from mtr_analysis.report import ReportResult, RunSummary

# Text that only appears in cell *sources*: it must vanish from the code-hidden HTML.
SOURCE_TOKEN = "source_only_token_q7x"
MARKER = "REPORT-MARKER-"
STDERR_TEXT = "STDERR-WARNING-TEXT"
REMOVED_TEXT = "REMOVED-CELL-TEXT"
REMOVED_OUTPUT = "REMOVED-OUTPUT-TEXT"
MALICIOUS = "<script>alert('x')</script>"

COUNTRY_PARAMS = """\
country: str = "VNM"  # ISO3 code of the member state
review: str = "mid-term"  # review name
baseline_year: int = 2015  # baseline year
cutoff_year: int = 2020  # cut-off year
data_dir: str = ""  # folder written by mtr build
lang: str = "en"  # report language
"""


def _write(path: Path, cells: list) -> Path:
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, str(path))
    return path


def _country_notebook(path: Path, params: str = COUNTRY_PARAMS) -> Path:
    removed = new_code_cell(f'print("{REMOVED_TEXT}")')
    removed.metadata["tags"] = ["remove"]
    removed_output = new_code_cell(f'print("{REMOVED_OUTPUT}")')
    removed_output.metadata["tags"] = ["remove-output"]
    parameters = new_code_cell(params)
    parameters.metadata["tags"] = ["parameters"]
    return _write(
        path,
        [
            new_markdown_cell("# Country profile"),
            parameters,
            new_code_cell(
                f"{SOURCE_TOKEN} = {MARKER!r} + country\n"
                f"print({SOURCE_TOKEN}, review, baseline_year, cutoff_year)"
            ),
            # Split literal: the joined text appears only in the output, never in the source.
            new_code_cell('import sys\nprint("STDERR-" + "WARNING-TEXT", file=sys.stderr)'),
            removed,
            removed_output,
            new_code_cell(
                'if country == "LAO":\n'
                f'    raise ValueError("no data for LAO {MALICIOUS}\\nsecond line")'
            ),
            new_code_cell('print("after the failing cell")'),
        ],
    )


def _regional_notebook(path: Path) -> Path:
    parameters = new_code_cell(
        'review: str = "mid-term"  # review name\n'
        "baseline_year: int = 2015  # baseline year\n"
        "cutoff_year: int = 2020  # cut-off year\n"
        'data_dir: str = ""  # folder written by mtr build\n'
        'lang: str = "en"  # report language\n'
        "countries: list = []  # ISO3 codes in the run\n"
    )
    parameters.metadata["tags"] = ["parameters"]
    return _write(
        path,
        [parameters, new_code_cell('print("REGIONAL-MARKER", ",".join(countries), review)')],
    )


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("notebooks")
    return {
        "country": _country_notebook(folder / "country.ipynb"),
        "regional": _regional_notebook(folder / "regional.ipynb"),
        "no_data_dir": _country_notebook(
            folder / "no_data_dir.ipynb",
            "\n".join(ln for ln in COUNTRY_PARAMS.splitlines() if not ln.startswith("data_dir")),
        ),
    }


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("processed")


@pytest.fixture(scope="module")
def run(notebooks: dict[str, Path], data_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("out")
    summary = report.run_reports(
        ["VNM", "lao"],
        "mid-term",
        data_dir,
        out,
        jobs=2,
        country_notebook=notebooks["country"],
        regional_notebook=notebooks["regional"],
        progress=False,
    )
    return summary, out


# ------------------------------------------------------------------ parameter checks (no kernel)


def test_notebook_parameters(notebooks):
    params = report.notebook_parameters(notebooks["country"])
    assert list(params) == ["country", "review", "baseline_year", "cutoff_year", "data_dir", "lang"]
    assert params["country"]["default"].strip("'\"") == "VNM"
    assert params["country"]["inferred_type_name"] == "str"
    assert params["country"]["help"] == "ISO3 code of the member state"


def test_check_parameters_refuses_unknown_names(notebooks):
    report.check_parameters(notebooks["country"], {"country": "THA", "lang": "vi"})
    with pytest.raises(ValueError) as err:
        report.check_parameters(notebooks["country"], {"country": "THA", "bogus": 1, "zzz": 2})
    msg = str(err.value)
    assert "country.ipynb" in msg and "bogus" in msg and "zzz" in msg
    assert "allowed: country, review, baseline_year, cutoff_year, data_dir, lang" in msg


def test_missing_required_parameter_refused_before_running(notebooks, data_dir, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(ValueError, match=r"no_data_dir\.ipynb.*data_dir"):
        report.run_reports(
            ["VNM"],
            "mid-term",
            data_dir,
            out,
            country_notebook=notebooks["no_data_dir"],
            regional_notebook=notebooks["regional"],
            progress=False,
        )
    assert not out.exists()


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"countries": ["VNM", "XXX"]}, "unknown member state 'XXX'"),
        ({"review": "final"}, "unknown review 'final'"),
        ({"lang": "fr"}, "unknown lang 'fr'"),
        ({"jobs": 0}, "jobs must be a positive integer"),
    ],
)
def test_bad_arguments_refused_before_running(notebooks, data_dir, tmp_path, kwargs, pattern):
    out = tmp_path / "out"
    args = {"countries": ["VNM"], "review": "mid-term", **kwargs}
    with pytest.raises(ValueError, match=pattern):
        report.run_reports(
            data_dir=data_dir,
            out_dir=out,
            country_notebook=notebooks["country"],
            regional_notebook=notebooks["regional"],
            progress=False,
            **args,
        )
    assert not out.exists()


# ------------------------------------------------------------------ index page (no kernel)


def _summary(tmp_path: Path, demo: bool, error: str | None) -> RunSummary:
    (tmp_path / "mid-term").mkdir()
    res = ReportResult(
        name="VNM",
        kind="country",
        label="Viet Nam",
        status="failed" if error else "ok",
        error=error,
        seconds=1.234,
        html=tmp_path / "mid-term" / "VNM.html",
        executed=None,
    )
    return RunSummary("mid-term", tmp_path / "mid-term", [res], demo=demo)


def test_index_demo_banner(tmp_path):
    summary = _summary(tmp_path, demo=True, error=None)
    page = report.write_index(summary, "T").read_text(encoding="utf-8")
    assert "Demo data — synthetic, not official statistics" in page
    assert '<a href="VNM.html">Viet Nam</a>' in page
    assert "http" not in page and "<script" not in page  # self-contained, no scripts


def test_index_without_demo_has_no_banner(tmp_path):
    page = report.write_index(_summary(tmp_path, demo=False, error=None), "T").read_text()
    assert "Demo data" not in page


def test_index_escapes_text(tmp_path):
    summary = _summary(tmp_path, demo=False, error=f"ValueError: {MALICIOUS}")
    page = report.write_index(summary, "<b>title</b>").read_text(encoding="utf-8")
    assert "<script" not in page and "<b>title" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


# ------------------------------------------------------------------ full runs (kernels)


@pytest.mark.notebook
def test_run_layout_and_summary(run):
    summary, out = run
    review_dir = out / "mid-term"
    assert summary.out_dir == review_dir
    assert [r.name for r in summary.results] == ["VNM", "LAO", "regional"]
    assert [r.kind for r in summary.results] == ["country", "country", "regional"]
    for name in ("VNM", "LAO", "regional"):
        assert (review_dir / f"{name}.html").is_file()
        assert (review_dir / "executed" / f"{name}.ipynb").is_file()
    assert summary.index_path == review_dir / "index.html"
    assert summary.ok is False
    assert [r.name for r in summary.failed] == ["LAO"]
    assert all(r.seconds > 0 for r in summary.results)


@pytest.mark.notebook
def test_run_country_ok_code_hidden(run):
    summary, out = run
    vnm = summary.results[0]
    assert vnm.status == "ok" and vnm.error is None and vnm.label == "Viet Nam"
    page = vnm.html.read_text(encoding="utf-8")
    assert f"{MARKER}VNM mid-term 2015 2020" in page
    assert "<title>Viet Nam — Mid-term review (2020)</title>" in page
    assert SOURCE_TOKEN not in page  # code hidden
    assert "hl-ipython3" not in page  # no highlighted code block at all (parameters too)
    assert STDERR_TEXT not in page  # warnings stripped
    assert REMOVED_TEXT not in page  # 'remove' cell gone
    assert REMOVED_OUTPUT not in page  # 'remove-output' output gone
    assert "after the failing cell" in page
    # ... while the executed notebook keeps everything.
    executed = vnm.executed.read_text(encoding="utf-8")
    assert all(text in executed for text in (STDERR_TEXT, REMOVED_TEXT, REMOVED_OUTPUT))


@pytest.mark.notebook
def test_run_failure_recorded_and_rendered(run):
    summary, out = run
    lao = summary.results[1]
    assert lao.status == "failed"
    assert lao.error == f"ValueError: no data for LAO {MALICIOUS}"
    page = lao.html.read_text(encoding="utf-8")
    assert "An Exception was encountered" in page  # papermill's banner is visible
    assert f"{MARKER}LAO" in page  # partial notebook kept
    assert "after the failing cell" not in page
    executed = nbformat.read(str(lao.executed), as_version=4)
    assert any(
        o.get("output_type") == "error" for c in executed.cells for o in c.get("outputs", [])
    )


@pytest.mark.notebook
def test_run_regional_after_failure(run):
    summary, _ = run
    regional = summary.results[2]
    assert regional.status == "ok" and regional.label == "Regional synthesis"
    assert "REGIONAL-MARKER VNM,LAO mid-term" in regional.html.read_text(encoding="utf-8")


@pytest.mark.notebook
def test_run_index_and_manifest(run):
    summary, out = run
    page = summary.index_path.read_text(encoding="utf-8")
    assert "<title>ASCC Blueprint 2025 — Mid-term review (2020) — reports</title>" in page
    for href, label in (("VNM.html", "Viet Nam"), ("LAO.html", "Lao PDR")):
        assert f'<a href="{href}">{label}</a>' in page
    assert '<a href="regional.html">Regional synthesis</a>' in page
    assert "failed" in page and "ValueError: no data for LAO" in page
    assert "<script" not in page  # the error text is escaped
    assert "&lt;script&gt;" in page
    assert "Demo data" not in page

    manifest = json.loads((out / "mid-term" / "run.json").read_text(encoding="utf-8"))
    assert manifest["ok"] is False and manifest["review"] == "mid-term"
    by_name = {r["name"]: r for r in manifest["results"]}
    assert by_name["LAO"]["status"] == "failed"
    assert by_name["VNM"]["html"] == "VNM.html"
    assert by_name["regional"]["executed"] == "executed/regional.ipynb"
    assert manifest["parameters"]["regional"]["countries"] == ["VNM", "LAO"]


@pytest.mark.notebook
def test_run_parameters_reach_notebook(run, data_dir):
    summary, _ = run
    nb = nbformat.read(str(summary.results[0].executed), as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert 'country = "VNM"' in injected.source
    assert f'data_dir = "{data_dir.resolve()}"' in injected.source
    assert "cutoff_year = 2020" in injected.source


@pytest.mark.notebook
def test_run_with_code_and_demo(notebooks, data_dir, tmp_path):
    summary = report.run_reports(
        ["VNM"],
        "end-term",
        data_dir,
        tmp_path,
        with_code=True,
        demo=True,
        country_notebook=notebooks["country"],
        regional_notebook=notebooks["regional"],
        progress=False,
    )
    assert summary.ok
    page = (tmp_path / "end-term" / "VNM.html").read_text(encoding="utf-8")
    assert SOURCE_TOKEN in page and "hl-ipython3" in page  # code shown
    assert f"{MARKER}VNM end-term 2015 2025" in page
    assert STDERR_TEXT not in page
    index = summary.index_path.read_text(encoding="utf-8")
    assert "Demo data — synthetic, not official statistics" in index
    assert "End-term review (2025)" in index
