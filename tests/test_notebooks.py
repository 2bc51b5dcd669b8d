"""Notebooks: signatures, committed without outputs, and executed end to end on demo data."""

from __future__ import annotations

import json
import re

import nbformat
import papermill as pm
import pytest

from mtr_analysis import paths
from mtr_analysis.report import run_reports
from mtr_analysis.review import DEMO_BANNER

NOTEBOOKS = {
    paths.COUNTRY_NOTEBOOK: {
        "country",
        "review",
        "baseline_year",
        "cutoff_year",
        "data_dir",
        "lang",
    },
    paths.REGIONAL_NOTEBOOK: {
        "review",
        "baseline_year",
        "cutoff_year",
        "data_dir",
        "lang",
        "countries",
    },  # fmt: skip
}


@pytest.mark.parametrize("path", list(NOTEBOOKS), ids=lambda p: p.name)
def test_notebook_declares_its_parameters_with_real_defaults(path):
    params = pm.inspect_notebook(str(path))
    assert set(params) == NOTEBOOKS[path]
    assert all(p["default"] not in (None, "None", "") for p in params.values())
    assert all(p["help"] for p in params.values()), "every parameter has a comment"
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1


@pytest.mark.parametrize("path", list(NOTEBOOKS), ids=lambda p: p.name)
def test_notebook_committed_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


@pytest.fixture(scope="module")
def demo_run(demo_store, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    summary = run_reports(["VNM"], "mid-term", demo_store, out, jobs=1, progress=False, demo=True)
    return summary


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", re.sub(r"<(style|script)[^>]*>.*?</\1>", "", html, flags=re.S))


@pytest.mark.notebook
def test_country_and_regional_reports_run_on_demo_data(demo_run):
    assert demo_run.ok, [(r.name, r.error) for r in demo_run.results]
    out = demo_run.out_dir
    assert {p.name for p in out.glob("*.html")} == {"VNM.html", "regional.html", "index.html"}


@pytest.mark.notebook
@pytest.mark.parametrize(
    "name, sections",
    [
        ("VNM", ["Summary", "Data availability", "Progress by characteristic",
                 "The country among ASEAN member states", "Preliminary findings", "Annex",
                 "Viet Nam"]),
        ("regional", ["Overall progress", "Data availability", "Progress by characteristic",
                      "National-level comparison", "Key findings"]),
    ],
)  # fmt: skip
def test_reports_have_sections_banner_figures_and_no_code_or_errors(demo_run, name, sections):
    html = (demo_run.out_dir / f"{name}.html").read_text(encoding="utf-8")
    text = _text(html)
    for section in sections:
        assert section in text, section
    assert DEMO_BANNER in text
    assert html.count("data:image/png;base64,") >= 2  # charts embedded in the page
    assert "load_review(" not in html  # code cells hidden
    assert "Traceback" not in text and "An Exception was encountered" not in text
    assert 'data-mime-type="application/vnd.jupyter.stderr"' not in html


@pytest.mark.notebook
def test_index_links_reports_with_status(demo_run):
    index = demo_run.index_path.read_text(encoding="utf-8")
    rows = re.findall(r"<tr>.*?</tr>", index)
    assert any('href="VNM.html"' in r and '<span class="ok">ok</span>' in r for r in rows)
    assert any('href="regional.html"' in r and '<span class="ok">ok</span>' in r for r in rows)
