"""``mtr run --as-of``: validated first, its own output folder, in the parameters, the cache
key and ``manifest.json`` (issue 13, item 2). Tiny notebooks (a parameters cell and a
print) keep the runs fast; the as-of analysis itself is tested in ``test_vintages.py``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from mtr_analysis import paths
from mtr_analysis.analysis import vintages
from mtr_analysis.cli import main
from mtr_analysis.intake import store as store_mod
from mtr_analysis.intake.clean import vintage_date
from mtr_analysis.run import runner

COMMON = 'review: str = "mid-term"\ndata_dir: str = ""\nlang: str = "en"\n'
AS_OF = 'as_of: str = ""\n'


def _notebook(path: Path, params: str) -> Path:
    cell = new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[cell, new_code_cell("print('as of', as_of)")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}  # fmt: skip
    nbformat.write(nb, str(path))
    return path


def _notebooks(folder: Path, as_of: bool = True) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    extra = AS_OF if as_of else 'other: str = ""\n'
    return {
        "country_notebook": _notebook(folder / "c.ipynb", 'country: str = "VNM"\n' + COMMON + extra),
        "regional_notebook": _notebook(folder / "r.ipynb", COMMON + "countries: list = []\n" + extra),
        "national_notebook": _notebook(folder / "n.ipynb", 'country: str = "VNM"\n' + COMMON + extra),
    }  # fmt: skip


@pytest.fixture()
def store(demo_store: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "store"
    shutil.copytree(demo_store, folder)
    return folder


@pytest.mark.notebook
def test_as_of_run_writes_its_own_folder_and_manifest(store: Path, tmp_path: Path) -> None:
    nbs = _notebooks(tmp_path / "nb")
    out = tmp_path / "out"
    summary = runner.run_reports(["LAO"], "mid-term", store, out, progress=False,
                                 as_of="review", **nbs)  # fmt: skip
    assert summary.ok, [r.error for r in summary.results]
    folder = out / "mid-term_as-of_2020-10-01"  # the mid-term review's data_date
    assert summary.out_dir == folder and not (out / "mid-term").exists()
    manifest = json.loads((folder / paths.MANIFEST_FILE).read_text(encoding="utf-8"))
    assert manifest["parameters"]["country"]["as_of"] == "2020-10-01"
    assert manifest["as_of"]["date"] == "2020-10-01"
    # The counts, independently: rows of the store released on or before the date.
    obs = store_mod.read_store(store)
    released = vintage_date(obs["source"])
    assert manifest["as_of"]["rows_kept"] == int(released.le(pd.Timestamp("2020-10-01")).sum())
    assert manifest["as_of"]["rows_undated"] == int(released.isna().sum())
    executed = (folder / paths.EXECUTED_DIR / "LAO.ipynb").read_text(encoding="utf-8")
    assert "as of 2020-10-01" in executed
    assert (folder / "findings" / "LAO.json").is_file()
    # Today's run goes to the review's own folder; the as-of reports stay as they are.
    today = runner.run_reports(["LAO"], "mid-term", store, out, progress=False, **nbs)
    assert today.ok and (out / "mid-term" / paths.MANIFEST_FILE).is_file()
    manifest = json.loads((out / "mid-term" / paths.MANIFEST_FILE).read_text(encoding="utf-8"))
    assert manifest["as_of"] is None and manifest["parameters"]["country"]["as_of"] == ""
    assert (folder / "LAO.html").is_file()


def test_as_of_refuses_a_bad_date_before_anything_runs(store: Path, tmp_path: Path, capsys):
    out = tmp_path / "out"
    nbs = _notebooks(tmp_path / "nb")
    with pytest.raises(ValueError, match=r"'2020-02-30' is not a date in the form YYYY-MM-DD"):
        runner.run_reports(["LAO"], "mid-term", store, out, progress=False,
                           as_of="2020-02-30", **nbs)  # fmt: skip
    with pytest.raises(ValueError, match=r"review 'end-term' has no data_date"):
        runner.run_reports(["LAO"], "end-term", store, out, progress=False,
                           as_of="review", **nbs)  # fmt: skip
    code = main(["run", "--data", str(store), "--out", str(out), "--countries", "LAO",
                 "--as-of", "1 Oct 2020"])  # fmt: skip
    assert code == 2
    assert "'1 Oct 2020' is not a date in the form YYYY-MM-DD" in capsys.readouterr().err
    assert not out.exists()


def test_as_of_refuses_notebooks_that_cannot_receive_it(store: Path, tmp_path: Path) -> None:
    nbs = _notebooks(tmp_path / "nb", as_of=False)
    with pytest.raises(ValueError, match=r"c.ipynb does not declare the parameter as_of"):
        runner.run_reports(["LAO"], "mid-term", store, tmp_path / "out", progress=False,
                           as_of="2020-10-01", **nbs)  # fmt: skip


def test_store_priority_is_the_one_the_store_was_built_with(store: Path) -> None:
    intake = json.loads((store / paths.INTAKE_FILE).read_text(encoding="utf-8"))
    got = vintages.store_priority(store)
    assert list(got.order) == intake["priority"]["order"]
    intake["priority"]["order"] = ["wdi", "national"]
    (store / paths.INTAKE_FILE).write_text(json.dumps(intake), encoding="utf-8")
    assert vintages.store_priority(store).order == ("wdi", "national")
