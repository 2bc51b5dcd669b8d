"""The store memo and the runner's seeds (analysis/memo.py), and results kept with a review."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mtr_analysis import paths
from mtr_analysis.analysis import beneficiaries, memo
from mtr_analysis.analysis.review import beneficiary_estimates, load_review
from mtr_analysis.reference import frameworks, registry
from mtr_analysis.reporting import grouping


@pytest.fixture
def memo_on():
    memo.remember(True)
    yield
    memo.remember(False)


def _counted(calls: list, canonical=None):
    def analyse(data_dir, window: int = 5, countries=None, as_of=None):
        calls.append((window, countries, as_of))
        return {"window": window, "rows": [1, 2, 3]}

    return memo.remembered(analyse, canonical=canonical)


def _store(tmp_path: Path, content: bytes = b"v1") -> Path:
    (tmp_path / paths.OBSERVATIONS_FILE).write_bytes(content)
    return tmp_path


def test_memo_computes_once_per_store_and_arguments_and_hands_out_copies(tmp_path, memo_on):
    calls: list = []
    analyse = _counted(calls)
    store = _store(tmp_path)
    first = analyse(store, 5)
    first["rows"].append(99)  # a notebook changing its copy
    again = analyse(str(store), window=5)
    assert calls == [(5, None, None)] and again == {"window": 5, "rows": [1, 2, 3]}
    analyse(store, 6)
    _store(tmp_path, b"v2")  # the store rebuilt: analysed again
    analyse(store, 5)
    assert [c[0] for c in calls] == [5, 6, 5]


def test_memo_is_off_by_default(tmp_path):
    calls: list = []
    analyse = _counted(calls)
    store = _store(tmp_path)
    analyse(store)
    analyse(store)
    assert len(calls) == 2


def test_empty_string_for_a_none_default_and_canonical_arguments_share_a_key(tmp_path, memo_on):
    calls: list = []
    full = ["A", "B"]
    analyse = _counted(calls, canonical=lambda a: {**a, "countries": None}
                       if a["countries"] == full else a)  # fmt: skip
    store = _store(tmp_path)
    analyse(store, as_of="")
    analyse(store, as_of=None, countries=list(full))
    assert len(calls) == 1
    analyse(store, countries=["A"])
    assert len(calls) == 2


@pytest.fixture
def seeding(tmp_path, memo_on):
    """(calls, counted analysis, store folder, empty seed folder)."""
    calls: list = []
    (tmp_path / "store").mkdir()
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    return calls, _counted(calls), _store(tmp_path / "store"), seeds


def test_a_seed_written_by_the_runner_is_loaded_instead_of_computed(seeding):
    calls, analyse, store, seeds = seeding
    seeded = {"window": 5, "rows": ["from the runner"]}
    path = memo.write_seed(seeds, analyse, seeded, store, 5, as_of="")
    assert path.name.endswith(paths.REVIEW_SEED_SUFFIX) and path.parent == seeds
    assert not list(seeds.glob(f"*{paths.PARTIAL_SUFFIX}"))
    memo.seed_from(seeds)
    assert analyse(str(store), window=5) == seeded and calls == []
    assert analyse(store, window=7) == {"window": 7, "rows": [1, 2, 3]}  # no seed: computed
    assert calls == [(7, None, None)]
    memo.remember(False)  # forgets the seed folder too
    memo.remember(True)
    analyse(store, 5)
    assert calls[-1] == (5, None, None)


def test_load_review_seed_matches_the_regional_notebooks_spelling(demo_store, tmp_path, memo_on):
    """The runner seeds ``countries=None``; the regional notebook lists the 10 states."""
    data = load_review(demo_store, 2015, 2020)
    memo.remember(False)
    memo.remember(True)
    memo.write_seed(tmp_path, load_review, data, demo_store, 2015, 2020, countries=None)
    memo.seed_from(tmp_path)
    listed = load_review(str(demo_store), 2015, 2020, countries=registry.iso3_codes(), as_of="")
    pd.testing.assert_frame_equal(listed.assessment, data.assessment)


def test_beneficiary_estimates_kept_with_the_review_and_equal_to_a_fresh_estimate(
    demo_store, monkeypatch
):
    data = load_review(demo_store, 2015, 2020)
    real_estimate = beneficiaries.estimate
    calls = []

    def counting(*args, **kwargs):
        calls.append(1)
        return real_estimate(*args, **kwargs)

    monkeypatch.setattr(beneficiaries, "estimate", counting)
    for name, lang in (("ascc", "en"), (None, "en"), ("de-an-161", "vi")):
        view = data if name is None else grouping.framed(
            data, frameworks.load_framework(name, demo_store), lang
        )  # fmt: skip
        got = beneficiary_estimates(view)
        fresh = real_estimate(view.assessment, view.observations, view.catalogue,
                              settings=view.settings)  # fmt: skip
        pd.testing.assert_frame_equal(got, fresh)
    # The Blueprint's framework regroups the same rows (one estimate); Đề án 161 keeps a
    # subset of the indicators (a second one).
    assert len(calls) == 2
    got = beneficiary_estimates(data)
    got.loc[:, "change"] = 0.0  # a caller changing its copy does not change the kept one
    assert not beneficiary_estimates(data)["change"].eq(0.0).all()
    assert len(calls) == 2


def _load_call(notebook: Path) -> tuple[str, str]:
    """The notebook's parameters cell and its ``data = load_review(...)`` statement."""
    import ast

    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)
    params = next(c.source for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    for cell in nb.cells:
        if cell.cell_type != "code" or "load_review(" not in cell.source:
            continue
        for node in ast.parse(cell.source).body:
            if isinstance(node, ast.Assign) and "load_review(" in ast.unparse(node.value):
                return params, ast.get_source_segment(cell.source, node)
    raise AssertionError(f"{notebook.name}: no load_review call")


@pytest.mark.notebook
def test_runner_kernels_load_the_runners_seed_for_the_notebooks_own_calls(demo_store, tmp_path):
    """The real notebooks' parameters and load_review calls, run by ``mtr run``'s kernels,
    find the review the runner analysed (no second analysis of the store)."""
    from nbfiles import write_notebook
    from nbformat.v4 import new_code_cell

    from mtr_analysis.run import runner

    probe = (
        "from mtr_analysis.analysis import memo\n"
        "from mtr_analysis.analysis.review import load_review\n"
        "from mtr_analysis.settings import load_settings\n"
        "{call}\n"
        "assert memo.last_source() in ('seed', 'memo'), memo.last_source()\n"
        "assert len(data.derived) == 1  # the beneficiary estimates came with it\n"
    )
    books = {}
    for kind, real in (("country", paths.COUNTRY_NOTEBOOK), ("regional", paths.REGIONAL_NOTEBOOK)):
        params, call = _load_call(real)
        cell = new_code_cell(params)
        cell.metadata["tags"] = ["parameters"]
        books[kind] = write_notebook(
            tmp_path / real.name, [cell, new_code_cell(probe.format(call=call))]
        )
    summary = runner.run_reports(
        ["VNM", "THA"], "mid-term", demo_store, tmp_path / "out", jobs=1,
        country_notebook=books["country"], regional_notebook=books["regional"],
        national_notebook=None, progress=False,
    )  # fmt: skip
    assert {r.name: (r.status, r.error) for r in summary.results} == {
        "VNM": ("ok", None), "THA": ("ok", None), "regional": ("ok", None),
    }  # fmt: skip


def test_a_kernel_waits_for_a_seed_while_the_runner_marks_it_pending(seeding):
    import threading
    import time

    calls, analyse, store, seeds = seeding
    (seeds / paths.SEED_PENDING_FILE).touch()
    seeded = {"window": 5, "rows": ["late seed"]}

    def runner() -> None:
        time.sleep(0.3)  # the kernel asks before the seed exists
        memo.write_seed(seeds, analyse, seeded, store, 5)
        (seeds / paths.SEED_PENDING_FILE).unlink()

    thread = threading.Thread(target=runner)
    thread.start()
    memo.seed_from(seeds)
    assert analyse(store, 5) == seeded and calls == []
    thread.join()
    # Without the mark nothing is awaited: a call with other arguments is computed at once.
    assert analyse(store, 6)["rows"] == [1, 2, 3] and calls == [(6, None, None)]
