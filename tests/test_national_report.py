"""The national implementation report in ``mtr run`` (issue 12, item 5): planned once per
requested country with a national plan in the store, executed, rendered, cached, listed in
``index.html`` and ``manifest.json``; none without activity data; its failure stops no other.

Country and regional notebooks are tiny (a parameters cell and a print) so that the runs are
quick; one test renders the real national notebook in Vietnamese.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from mtr_analysis import paths
from mtr_analysis.run import runner
from mtr_analysis.run.products import national_plans
from mtr_analysis.run.results import RunSummary

COMMON = 'review: str = "mid-term"\ndata_dir: str = ""\nlang: str = "en"\n'
NATIONAL_PARAMS = 'country: str = "VNM"\n' + COMMON
EN_TITLE = "Implementation of the national plan, Viet Nam"
VI_TITLE = "Tình hình triển khai kế hoạch quốc gia, Việt Nam"


def _notebook(path: Path, params: str, body: str) -> Path:
    cell = new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[new_markdown_cell("# Test"), cell, new_code_cell(body)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}  # fmt: skip
    nbformat.write(nb, str(path))
    return path


@pytest.fixture(scope="module")
def nbs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Tiny country, regional and national notebooks, and a national one that fails."""
    root = tmp_path_factory.mktemp("notebooks")
    return {
        "country": _notebook(root / "country.ipynb", 'country: str = "VNM"\n' + COMMON,
                             "print('country', country)"),
        "regional": _notebook(root / "regional.ipynb", COMMON + "countries: list = []\n",
                              "print('regional')"),
        "national": _notebook(root / "national.ipynb", NATIONAL_PARAMS,
                              "print('NATIONAL REPORT OF', country)"),
        "failing": _notebook(root / "failing.ipynb", NATIONAL_PARAMS,
                             "raise RuntimeError('no ministry reported for ' + country)"),
    }  # fmt: skip


def _run(nbs: dict[str, Path], store: Path, out: Path, countries: list[str], **kw) -> RunSummary:
    kw.setdefault("national_notebook", nbs["national"])
    return runner.run_reports(
        countries, "mid-term", store, out, jobs=1, progress=False,
        country_notebook=nbs["country"], regional_notebook=nbs["regional"], **kw,
    )  # fmt: skip


def _manifest(summary: RunSummary) -> dict:
    return json.loads(summary.manifest_path.read_text(encoding="utf-8"))


def _vnm_latest_report(store: Path) -> str:
    """Independently from the raw CSV files: the latest reporting date of the activities
    registered in Viet Nam's national register (its ``file`` column names the workbook)."""
    with open(store / paths.PLAN_REGISTER_FILE, encoding="utf-8", newline="") as fh:
        ids = {r["activity_id"] for r in csv.DictReader(fh) if "register_VNM" in r["file"]}
    with open(store / paths.ACTIVITIES_FILE, encoding="utf-8", newline="") as fh:
        return max(r["reporting_date"] for r in csv.DictReader(fh) if r["activity_id"] in ids)


def _vnm_completed(store: Path, element: str, period: int) -> tuple[int, int]:
    """Independently from the raw CSV files: (completed in ``period``, registered) activities
    of Viet Nam's national register under ``element``."""
    with open(store / paths.PLAN_REGISTER_FILE, encoding="utf-8", newline="") as fh:
        ids = {r["activity_id"] for r in csv.DictReader(fh)
               if "register_VNM" in r["file"] and r["element"] == element}  # fmt: skip
    with open(store / paths.ACTIVITIES_FILE, encoding="utf-8", newline="") as fh:
        done = {r["activity_id"] for r in csv.DictReader(fh) if r["activity_id"] in ids
                and r["period"] == str(period) and r["status"] == "completed"}  # fmt: skip
    return len(done), len(ids)


@pytest.fixture()
def store(demo_store: Path, tmp_path: Path) -> Path:
    """A private copy of the demo store (one test edits its activity table)."""
    folder = tmp_path / "store"
    shutil.copytree(demo_store, folder)
    return folder


@pytest.fixture(scope="module")
def bare_store(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store without the implementation files: a store without activity data."""
    folder = tmp_path_factory.mktemp("bare") / "store"
    shutil.copytree(demo_store, folder)
    for name in paths.ACTIVITY_FILES:
        (folder / name).unlink()
    return folder


def test_national_plans_of_the_demo_store_and_of_a_store_without_activities(demo_store, bare_store):
    assert national_plans(demo_store) == {"VNM": _vnm_latest_report(demo_store)}
    assert national_plans(bare_store) == {}


def test_a_damaged_plan_register_stops_the_run_before_anything_runs(nbs, store, tmp_path):
    (store / paths.PLAN_REGISTER_FILE).write_text("activity_id,title\nX-1,a\n", encoding="utf-8")
    with pytest.raises(ValueError) as err:
        _run(nbs, store, tmp_path / "out", ["VNM"])
    message = str(err.value)
    assert message.startswith(f"cannot read the implementation files in {store} (")
    assert "plan_register.csv" in message and "column 'planned_start' missing" in message
    assert not (tmp_path / "out").exists()


def test_national_notebook_without_country_parameter_is_refused(nbs, demo_store, tmp_path):
    bad = _notebook(tmp_path / "bad.ipynb", COMMON, "print(1)")
    with pytest.raises(ValueError, match=r"notebook bad.ipynb .* does not declare parameter"):
        _run(nbs, demo_store, tmp_path / "out", ["VNM"], national_notebook=bad)
    assert not (tmp_path / "out").exists()


@pytest.mark.notebook
def test_vnm_run_renders_lists_and_caches_the_national_report(nbs, store, tmp_path):
    out = tmp_path / "out"
    summary = _run(nbs, store, out, ["VNM", "THA"])
    assert summary.ok, [(r.name, r.error) for r in summary.results]
    assert [(r.name, r.kind) for r in summary.results] == [
        ("VNM", "country"), ("THA", "country"),
        ("VNM_implementation", "national"), ("regional", "regional"),
    ]  # fmt: skip
    nat = summary.results[2]
    review = out / "mid-term"
    assert nat.label == EN_TITLE and nat.html == review / "VNM_implementation.html"
    assert nat.vintage == _vnm_latest_report(store)
    assert "NATIONAL REPORT OF VNM" in nat.html.read_text(encoding="utf-8")
    executed = nbformat.read(str(review / "executed" / "VNM_implementation.ipynb"), 4)
    assert executed.metadata.papermill.parameters["country"] == "VNM"
    found = json.loads((review / "findings" / "VNM_implementation.json").read_text())
    assert [(f["country"], f["kind"]) for f in found] == [
        ("VNM", "implementation_lagging_but_on_track")
    ]
    done, planned = _vnm_completed(store, "C.4", 2025)
    assert found[0]["text"].startswith(f"Only {done} of {planned} activities under C.4 ")
    index = summary.index_path.read_text(encoding="utf-8")
    assert f'<a href="VNM_implementation.html">{EN_TITLE}</a>' in index
    manifest = _manifest(summary)
    listed = {r["name"]: r for r in manifest["results"]}
    assert listed["VNM_implementation"]["html"] == "VNM_implementation.html"
    assert listed["VNM_implementation"]["status"] == "ok"
    assert manifest["national_plans"] == {"VNM": _vnm_latest_report(store)}
    assert manifest["notebooks"]["national"]["path"] == str(nbs["national"])
    assert set(manifest["inputs"]["activities"]) == set(paths.ACTIVITY_FILES)

    again = _run(nbs, store, out, ["VNM", "THA"])
    assert all(r.cached for r in again.results)
    # A changed activity report (here a sectoral body's row) re-runs the reports that show
    # implementation: Viet Nam's (it has a national plan) and the regional one, not Thailand's.
    table = store / paths.ACTIVITIES_FILE
    table.write_text(table.read_text(encoding="utf-8").replace(",ongoing,", ",delayed,", 1),
                     encoding="utf-8")  # fmt: skip
    third = _run(nbs, store, out, ["VNM", "THA"])
    assert third.ok
    assert {r.name: r.cached for r in third.results} == {
        "VNM": False, "THA": True, "VNM_implementation": False, "regional": False,
    }  # fmt: skip


@pytest.mark.notebook
def test_no_national_report_without_a_plan(nbs, bare_store, demo_store, tmp_path):
    missing = tmp_path / "no_such_notebook.ipynb"  # not even needed: nothing to plan
    summary = _run(nbs, bare_store, tmp_path / "bare", ["VNM"], national_notebook=missing)
    assert summary.ok and [r.name for r in summary.results] == ["VNM", "regional"]
    manifest = _manifest(summary)
    assert "national" not in manifest["notebooks"] and manifest["national_plans"] == {}
    assert "implementation" not in summary.index_path.read_text(encoding="utf-8")
    # Thailand has no national plan in the demo store: `--countries THA` plans none.
    tha = _run(nbs, demo_store, tmp_path / "tha", ["THA"], national_notebook=missing)
    assert tha.ok and [r.name for r in tha.results] == ["THA", "regional"]
    assert _manifest(tha)["national_plans"] == {}


@pytest.mark.notebook
def test_a_failing_national_notebook_stops_no_other_report(nbs, demo_store, tmp_path):
    summary = _run(nbs, demo_store, tmp_path / "out", ["VNM"], national_notebook=nbs["failing"])
    by = {r.name: r for r in summary.results}
    assert not summary.ok
    assert by["VNM_implementation"].status == "failed"
    assert by["VNM_implementation"].error == "RuntimeError: no ministry reported for VNM"
    assert by["VNM"].ok and by["regional"].ok
    review = tmp_path / "out" / "mid-term"
    assert not (review / "cache" / "VNM_implementation.json").exists()  # never reused
    statuses = {r["name"]: r["status"] for r in _manifest(summary)["results"]}
    assert statuses == {"VNM": "ok", "VNM_implementation": "failed", "regional": "ok"}


@pytest.mark.notebook
def test_real_national_notebook_renders_in_vietnamese(nbs, demo_store, tmp_path):
    # The one run of the real notebook (~20 s): the report Đề án 161 asks for, in Vietnamese.
    summary = _run(nbs, demo_store, tmp_path / "out", ["VNM"],
                   national_notebook=paths.NATIONAL_IMPLEMENTATION_NOTEBOOK, lang="vi")  # fmt: skip
    by = {r.name: r for r in summary.results}
    assert summary.ok, [(r.name, r.error) for r in summary.results]
    page = by["VNM_implementation"].html.read_text(encoding="utf-8")
    assert f'<h1 id="top">{VI_TITLE}</h1>' in page
    assert "Mức độ hoàn thành theo bộ, ngành" in page  # completion by ministry, from vi.yaml
    index = summary.index_path.read_text(encoding="utf-8")
    assert f'<a href="VNM_implementation.html">{VI_TITLE}</a>' in index
