"""Tests of :mod:`mtr_analysis.run` (runner, parameters, rendering, index) on tiny notebooks."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from nbfiles import write_notebook
from nbformat.v4 import new_code_cell, new_markdown_cell

from mtr_analysis import paths
from mtr_analysis.analysis.review import load_review
from mtr_analysis.intake import store
from mtr_analysis.reference.catalogue import load_catalogue
from mtr_analysis.reporting import findings, implementation
from mtr_analysis.run import index, parameters, render, runner
from mtr_analysis.run.results import ReportResult, RunSummary
from mtr_analysis.settings import SettingsError, default_settings, load_settings

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
    return write_notebook(path, cells)


def _country_notebook(path: Path, params: str = COUNTRY_PARAMS) -> Path:
    removed = new_code_cell(f'print("{REMOVED_TEXT}")')
    removed.metadata["tags"] = ["remove"]
    removed_output = new_code_cell(f'print("{REMOVED_OUTPUT}")')
    removed_output.metadata["tags"] = ["remove-output"]
    params_cell = new_code_cell(params)
    params_cell.metadata["tags"] = ["parameters"]
    return _write(
        path,
        [
            new_markdown_cell("# Country profile"),
            params_cell,
            new_markdown_cell("## Results"),
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
    params_cell = new_code_cell(
        'review: str = "mid-term"  # review name\n'
        "baseline_year: int = 2015  # baseline year\n"
        "cutoff_year: int = 2020  # cut-off year\n"
        'data_dir: str = ""  # folder written by mtr build\n'
        'lang: str = "en"  # report language\n'
        "countries: list = []  # ISO3 codes in the run\n"
    )
    params_cell.metadata["tags"] = ["parameters"]
    return _write(
        path,
        [params_cell, new_code_cell('print("REGIONAL-MARKER", ",".join(countries), review)')],
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
def data_dir(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the demo store (the cache tests change one country's rows)."""
    folder = tmp_path_factory.mktemp("processed")
    for f in demo_store.iterdir():
        shutil.copy2(f, folder / f.name)
    return folder


@pytest.fixture(scope="module")
def run(notebooks: dict[str, Path], data_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("out")
    summary = runner.run_reports(
        ["VNM", "lao"],
        "mid-term",
        data_dir,
        out,
        jobs=2,
        country_notebook=notebooks["country"],
        regional_notebook=notebooks["regional"],
        national_notebook=None,
        progress=False,
    )
    return summary, out


# ------------------------------------------------------------------ parameter checks (no kernel)


@pytest.mark.parametrize(
    "name", ["country", "regional", "no_data_dir", "real_country", "real_regional"]
)
def test_notebook_parameters_agree_with_papermill(notebooks, name):
    import papermill

    path = {
        **notebooks,
        "real_country": paths.COUNTRY_NOTEBOOK,
        "real_regional": paths.REGIONAL_NOTEBOOK,
    }[name]
    ours = parameters.notebook_parameters(path)
    theirs = papermill.inspect_notebook(str(path))
    assert list(ours) == list(theirs)
    for key, info in theirs.items():
        assert ours[key]["default"] == info["default"], key
        assert ours[key]["inferred_type_name"] == info["inferred_type_name"], key
        assert ours[key]["help"] == info["help"], key


def test_notebook_parameters_errors(tmp_path):
    with pytest.raises(ValueError, match="notebook not found"):
        parameters.notebook_parameters(tmp_path / "none.ipynb")
    (tmp_path / "bad.ipynb").write_text("not json")
    with pytest.raises(ValueError, match="not a Jupyter notebook"):
        parameters.notebook_parameters(tmp_path / "bad.ipynb")
    cell = new_code_cell("country: str = 'VNM' +")
    cell.metadata["tags"] = ["parameters"]
    with pytest.raises(ValueError, match="not valid Python"):
        parameters.notebook_parameters(_write(tmp_path / "syntax.ipynb", [cell]))
    assert (
        parameters.notebook_parameters(_write(tmp_path / "none2.ipynb", [new_code_cell("x=1")]))
        == {}
    )


def test_notebook_parameters(notebooks):
    params = parameters.notebook_parameters(notebooks["country"])
    assert list(params) == ["country", "review", "baseline_year", "cutoff_year", "data_dir", "lang"]
    assert params["country"]["default"].strip("'\"") == "VNM"
    assert params["country"]["inferred_type_name"] == "str"
    assert params["country"]["help"] == "ISO3 code of the member state"


def test_check_parameters_refuses_unknown_names(notebooks):
    parameters.check_parameters(notebooks["country"], {"country": "THA", "lang": "vi"})
    with pytest.raises(ValueError) as err:
        parameters.check_parameters(notebooks["country"], {"country": "THA", "bogus": 1, "zzz": 2})
    msg = str(err.value)
    assert "country.ipynb" in msg and "bogus" in msg and "zzz" in msg
    assert "allowed: country, review, baseline_year, cutoff_year, data_dir, lang" in msg


def test_missing_required_parameter_refused_before_running(notebooks, data_dir, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(ValueError, match=r"no_data_dir\.ipynb.*data_dir"):
        runner.run_reports(
            ["VNM"],
            "mid-term",
            data_dir,
            out,
            country_notebook=notebooks["no_data_dir"],
            regional_notebook=notebooks["regional"],
            national_notebook=None,
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
        runner.run_reports(
            data_dir=data_dir,
            out_dir=out,
            country_notebook=notebooks["country"],
            regional_notebook=notebooks["regional"],
            national_notebook=None,
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
    page = index.write_index(summary, "T").read_text(encoding="utf-8")
    assert "Demo data — synthetic, not official statistics" in page
    assert '<a href="VNM.html">Viet Nam</a>' in page
    assert "http" not in page and "<script" not in page  # self-contained, no scripts


def test_index_without_demo_has_no_banner(tmp_path):
    page = index.write_index(_summary(tmp_path, demo=False, error=None), "T").read_text()
    assert "Demo data" not in page


def test_index_escapes_text(tmp_path):
    summary = _summary(tmp_path, demo=False, error=f"ValueError: {MALICIOUS}")
    page = index.write_index(summary, "<b>title</b>").read_text(encoding="utf-8")
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
def test_run_writes_findings_and_review_tables_itself(run, data_dir):
    """The tiny notebooks write nothing: findings and tables come from the runner."""
    summary, out = run
    review_dir = out / "mid-term"
    everyone = load_review(data_dir, 2015, 2020)  # a country report sees every member state
    for result in summary.results[:2]:  # even LAO, whose notebook failed
        expected = findings.country_findings(
            everyone.assessment, everyone.availability, everyone.catalogue, result.name,
            obs=everyone.observations, lang="en",
        )  # fmt: skip
        own = everyone.assessment.loc[everyone.assessment["country"] == result.name]
        expected += implementation.report_findings(
            data_dir, own, result.name, "en", everyone.settings
        )  # the plan's activities, where the store has them
        path = review_dir / "findings" / f"{result.name}.json"
        assert path.read_text(encoding="utf-8") == findings.findings_to_json(expected) + "\n"
        assert result.findings == path
    members = load_review(data_dir, 2015, 2020, countries=["VNM", "LAO"])
    regional = findings.regional_findings(
        members.assessment, members.availability, members.catalogue, obs=members.observations
    ) + implementation.report_findings(
        data_dir, members.assessment, "ASEAN", "en", members.settings
    )
    text = (review_dir / "findings" / "regional.json").read_text(encoding="utf-8")
    assert text == findings.findings_to_json(regional) + "\n"
    assessment = pd.read_csv(review_dir / "assessment.csv")
    assert list(assessment["country"].unique()) == ["LAO", "VNM"]  # the run's member states
    for name in ("aggregates.csv", "beneficiaries.csv"):
        assert (review_dir / name).stat().st_size > 0


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
    assert "Demo data — synthetic" in page  # the demo store is detected
    assert "2026-01-01" in page  # data vintage of the demo WDI files

    manifest = json.loads((out / "mid-term" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["ok"] is False and manifest["review"] == "mid-term"
    by_name = {r["name"]: r for r in manifest["results"]}
    assert by_name["LAO"]["status"] == "failed"
    assert by_name["VNM"]["html"] == "VNM.html"
    assert by_name["regional"]["executed"] == "executed/regional.ipynb"
    assert manifest["parameters"]["regional"]["countries"] == ["VNM", "LAO"]
    # Provenance: inputs, software, commit and per-notebook timings.
    assert len(manifest["inputs"]["store"]["observations.parquet"]) == 64
    assert set(manifest["inputs"]["country_data"]) == {"VNM", "LAO"}
    assert any(f["path"].startswith("wdi/") for f in manifest["inputs"]["files"])
    assert manifest["packages"]["papermill"] and manifest["packages"]["python"]
    assert re.fullmatch(r"[0-9a-f]{40}|unknown", manifest["git_commit"])
    assert set(manifest["timings"]) == {"VNM", "LAO", "regional"}
    assert manifest["timings"]["VNM"]["execute_seconds"] > 0


@pytest.mark.notebook
def test_run_parameters_reach_notebook(run, data_dir):
    summary, _ = run
    nb = nbformat.read(str(summary.results[0].executed), as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert 'country = "VNM"' in injected.source
    assert f'data_dir = "{data_dir.resolve()}"' in injected.source
    assert "cutoff_year = 2020" in injected.source


@pytest.mark.notebook
def test_run_html_self_contained_with_toc(run):
    summary, _ = run
    for result in summary.results:
        page = result.html.read_text(encoding="utf-8")
        assert_self_contained(page)
    page = summary.results[0].html.read_text(encoding="utf-8")
    toc = re.search(r'<nav class="mtr-toc".*?</nav>', page, re.S)
    assert toc, "table of contents"
    assert 'href="#Results"' in toc.group(0)  # from the notebook's markdown heading


def assert_self_contained(page: str) -> None:
    """No script, stylesheet or image loaded from the network; no script file at all."""
    for tag, attr in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src")):
        for found in re.findall(rf"<{tag}\b[^>]*\b{attr}\s*=\s*[\"']?([^\"'\s>]+)", page, re.I):
            assert not re.match(r"(https?:)?//", found, re.I), f"<{tag} {attr}={found}>"
    assert not re.search(r"<script\b[^>]*\bsrc=", page, re.I)
    assert not re.search(r"@import\s+url\(\s*[\"']?(https?:)?//", page, re.I)


def test_self_containment_check_can_fail():
    with pytest.raises(AssertionError):
        assert_self_contained('<script src="https://cdn.example/require.js"></script>')
    with pytest.raises(AssertionError):
        assert_self_contained("<link rel=stylesheet href=//cdn.example/x.css>")
    assert_self_contained('<a href="https://example.org">a link is fine</a><img src="data:x">')


@pytest.mark.notebook
def test_run_with_code_and_demo(notebooks, data_dir, tmp_path):
    summary = runner.run_reports(
        ["VNM"],
        "end-term",
        data_dir,
        tmp_path,
        with_code=True,
        demo=True,
        country_notebook=notebooks["country"],
        regional_notebook=notebooks["regional"],
        national_notebook=None,
        progress=False,
    )
    assert summary.ok
    vnm = summary.results[0]
    assert vnm.html_code == tmp_path / "end-term" / "VNM.code.html"
    code_page = vnm.html_code.read_text(encoding="utf-8")
    assert SOURCE_TOKEN in code_page and "hl-ipython3" in code_page  # code shown
    assert f"{MARKER}VNM end-term 2015 2025" in code_page
    assert STDERR_TEXT not in code_page
    assert_self_contained(code_page)
    page = vnm.html.read_text(encoding="utf-8")  # the SOCA version still hides code
    assert SOURCE_TOKEN not in page and f"{MARKER}VNM end-term 2015 2025" in page
    index = summary.index_path.read_text(encoding="utf-8")
    assert "Demo data — synthetic, not official statistics" in index
    assert "End-term review (2025)" in index
    assert '<a href="VNM.code.html">VNM.code.html</a>' in index


# ------------------------------------------------------------------ cache


@pytest.mark.notebook
def test_cache_reuses_unchanged_reports_and_reruns_changed_country(notebooks, data_dir, tmp_path):
    def run():
        return runner.run_reports(
            ["VNM", "THA"],
            "mid-term",
            data_dir,
            tmp_path,
            country_notebook=notebooks["country"],
            regional_notebook=notebooks["regional"],
            national_notebook=None,
            progress=False,
        )

    first = run()
    assert first.ok and not any(r.cached for r in first.results)
    keys = {r.name: r.cache_key for r in first.results}
    records = {p.stem for p in (tmp_path / "mid-term" / "cache").glob("*.json")}
    assert records == {"VNM", "THA", "regional"}
    mtime = first.results[0].html.stat().st_mtime_ns

    second = run()  # nothing changed
    assert [r.cached for r in second.results] == [True, True, True]
    assert {r.name: r.cache_key for r in second.results} == keys
    assert first.results[0].html.stat().st_mtime_ns == mtime  # not rewritten
    index = second.index_path.read_text(encoding="utf-8")
    assert index.count("reused (inputs unchanged)") == 3
    manifest = json.loads(second.manifest_path.read_text(encoding="utf-8"))
    assert manifest["timings"]["VNM"]["cached"] is True

    # The runner's files are outputs of their reports: a missing one is a cache miss.
    review_dir = tmp_path / "mid-term"
    before = {p: p.read_bytes() for p in (review_dir / "findings").glob("*.json")}
    before[review_dir / "assessment.csv"] = (review_dir / "assessment.csv").read_bytes()
    (review_dir / "findings" / "THA.json").unlink()
    (review_dir / "assessment.csv").unlink()
    rewritten = run()
    assert {r.name: r.cached for r in rewritten.results} == {
        "VNM": True,
        "THA": False,
        "regional": False,
    }
    assert {p: p.read_bytes() for p in before} == before  # back, byte for byte

    # New data for Viet Nam only: Viet Nam and the region re-run, Thailand is reused.
    path = data_dir / "observations.parquet"
    original = path.read_bytes()
    try:
        obs = store.read_store(data_dir)
        row = obs.index[obs["country"].eq("VNM")][0]
        obs.loc[row, "value"] = float(obs.loc[row, "value"]) + 1.0
        obs.to_parquet(path, index=False)
        third = run()
    finally:
        path.write_bytes(original)
    assert {r.name: r.cached for r in third.results} == {
        "VNM": False,
        "THA": True,
        "regional": False,
    }
    assert third.results[1].cache_key == keys["THA"]
    assert third.results[0].cache_key != keys["VNM"]

    # A missing output is a cache miss; use_cache=False executes everything.
    third.results[1].html.unlink()
    fourth = runner.run_reports(
        ["THA"],
        "mid-term",
        data_dir,
        tmp_path,
        country_notebook=notebooks["country"],
        regional_notebook=notebooks["regional"],
        national_notebook=None,
        progress=False,
        use_cache=False,
    )
    assert [r.cached for r in fourth.results] == [False, False]
    assert fourth.results[0].html.is_file()


@pytest.mark.notebook
def test_settings_file_changes_the_assessment_and_is_recorded(notebooks, data_dir, tmp_path):
    path = tmp_path / "methods.yaml"
    path.write_text("availability:\n  stale_after: 0\n", encoding="utf-8")
    settings = load_settings(path)
    cutoff = int(load_catalogue().review("mid-term")["cutoff_year"])

    def run(out, settings_file=None):
        return runner.run_reports(
            ["VNM"], "mid-term", data_dir, out, settings_file=settings_file,
            country_notebook=notebooks["country"], regional_notebook=notebooks["regional"], national_notebook=None,
            progress=False,
        )  # fmt: skip

    default, changed = run(tmp_path / "a"), run(tmp_path / "b", path)
    categories = []
    for summary, used in ((default, default_settings()), (changed, settings)):
        assert summary.ok
        table = pd.read_csv(summary.out_dir / "assessment.csv")
        lag = cutoff - table["latest_year"].astype(float)
        expected = np.select(
            [table["n_obs"].eq(0), table["n_obs"].eq(1), lag > used.availability.stale_after],
            ["no_data", "single_point", "stale"],
            default="sufficient",
        )
        assert (table["gap_category"].to_numpy() == expected).all()
        categories.append(table["gap_category"])
        manifest = json.loads(summary.manifest_path.read_text(encoding="utf-8"))
        assert manifest["settings"] == used.as_dict()
    assert (categories[0] != categories[1]).any()
    assert changed.results[0].cache_key != default.results[0].cache_key

    # The cache key holds the settings' content, not the file's path.
    copy = tmp_path / "elsewhere" / "same.yaml"
    copy.parent.mkdir()
    copy.write_bytes(path.read_bytes())
    assert all(r.cached for r in run(tmp_path / "b", copy).results)


def test_invalid_settings_file_refused_before_running(notebooks, data_dir, tmp_path):
    path = tmp_path / "methods.yaml"
    path.write_text("unsd:\n  cagr_bands: [0.01, 0.02, 0.0, -0.1]\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="unsd.cagr_bands"):
        runner.run_reports(
            ["VNM"], "mid-term", data_dir, tmp_path / "out", settings_file=path,
            country_notebook=notebooks["country"], regional_notebook=notebooks["regional"], national_notebook=None,
            progress=False,
        )  # fmt: skip
    assert not (tmp_path / "out").exists()


@pytest.mark.notebook
def test_failed_reports_are_not_cached(run):
    summary, out = run
    cache_dir = out / "mid-term" / "cache"
    assert not (cache_dir / "LAO.json").exists()
    assert (cache_dir / "VNM.json").exists()
    record = json.loads((cache_dir / "VNM.json").read_text(encoding="utf-8"))
    assert record["key"] == summary.results[0].cache_key
    assert record["parts"]["data"]["country_rows"]
    assert "data_dir" not in record["parts"]["parameters"]


def test_store_is_required_before_running(notebooks, tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="run `mtr build` first"):
        runner.run_reports(
            ["VNM"],
            "mid-term",
            tmp_path / "empty",
            tmp_path / "out",
            country_notebook=notebooks["country"],
            regional_notebook=notebooks["regional"],
            national_notebook=None,
            progress=False,
        )
    assert not (tmp_path / "out").exists()


def test_table_of_contents_nests_and_escapes():
    body = (
        '<h2 id="a">A &amp; B<a class="anchor-link" href="#a">¶</a></h2>'
        '<h3 id="b">B</h3><h3 id="c">C</h3><h2 id="d">D</h2><h2>no id</h2>'
    )
    toc = render.table_of_contents(body, "vi")
    assert "Mục lục" in toc
    assert re.sub(r"\s+", "", toc).endswith(
        '<li><ahref="#a">A&amp;B</a><ol><li><ahref="#b">B</a></li><li><ahref="#c">C</a></li>'
        '</ol></li><li><ahref="#d">D</a></li></ol></nav>'
    )
    assert render.table_of_contents("<p>nothing</p>") == ""
