"""Run the report notebooks with papermill and render them to HTML: the engine of ``mtr run``.

One call to :func:`run_reports` executes the country notebook once per member state, the
national implementation notebook once per requested country with a national plan in the
store (``<ISO3>_implementation``, e.g. Viet Nam's Đề án 161), and the regional notebook,
renders every executed notebook to self-contained HTML with nbconvert, and writes an index
page and a run manifest::

    <out_dir>/<review>/
        <ISO3>.html, regional.html           reports for SOCA (code hidden)
        <ISO3>_implementation.html           national implementation report (plans only)
        <ISO3>.code.html, regional.code.html with code, for consultants (``with_code``)
        findings/<ISO3>.json, regional.json  findings (JSON), written by the runner
        assessment.csv, aggregates.csv,      the review tables, written by the runner with
        beneficiaries.csv                    the regional report
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
data hash in their annex says. The implementation files of ``mtr build``
(:data:`mtr_analysis.paths.ACTIVITY_FILES`) are in the keys of the regional report and of the
country and national reports of each country with a national plan. Pass ``use_cache=False`` (``mtr run --no-cache``) to execute
everything.

:func:`run_reports` is five named steps: validate the arguments (``_validate``), take
the fingerprints of the inputs (``_fingerprint``), plan one task per report (``_plan``),
execute what the cache cannot reuse (``_execute``), and record the run (``_record``).
Parameters: :mod:`mtr_analysis.run.parameters`; execution: :mod:`mtr_analysis.run.execute`;
HTML: :mod:`mtr_analysis.run.render`; index page and manifest: :mod:`mtr_analysis.run.index`.
"""

from __future__ import annotations

import datetime as _dt
import os
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mtr_analysis import paths, provenance
from mtr_analysis.reference import registry
from mtr_analysis.reference.catalogue import load_catalogue
from mtr_analysis.reference.frameworks import (
    Framework,
    FrameworkError,
    find_framework,
    load_framework,
)
from mtr_analysis.reporting import i18n
from mtr_analysis.reporting.html import snapshot_vintage
from mtr_analysis.reporting.outputs import findings_path
from mtr_analysis.run import cache
from mtr_analysis.run.execute import ReportTask, execute, stopped
from mtr_analysis.run.index import write_index, write_manifest
from mtr_analysis.run.lock import RunLocked, run_lock
from mtr_analysis.run.parameters import (
    COUNTRY_OPTIONAL,
    COUNTRY_REQUIRED,
    NATIONAL_OPTIONAL,
    NATIONAL_REQUIRED,
    PATH_PARAMETERS,
    REGIONAL_OPTIONAL,
    REGIONAL_REQUIRED,
    select_parameters,
)
from mtr_analysis.run.products import ReviewInputs, national_plans, write_products
from mtr_analysis.run.results import Kind, ReportResult, RunSummary, relative
from mtr_analysis.run.signals import SignalGuard, catch_signals
from mtr_analysis.settings import Settings, load_settings

__all__ = ["RunLocked", "run_reports"]


@dataclass(frozen=True)
class _Request:
    """The validated arguments of one run."""

    codes: list[str]
    review: str
    label: str
    window: tuple[int, int]
    data_dir: Path
    review_dir: Path
    notebooks: dict[Kind, Path]
    parameters: dict[Kind, dict[str, Any]]
    settings: Settings
    lang: str
    with_code: bool
    jobs: int
    use_cache: bool
    #: Requested countries with a national plan in the store → latest report date; their
    #: national implementation reports run when ``notebooks`` has a "national" notebook.
    plans: dict[str, str] = field(default_factory=dict)
    #: The reporting framework (``--framework``): the report's groups; a national one
    #: limits the run to its countries' profiles.
    framework: Framework | None = None
    #: ``YYYY-MM-DD`` of an as-of run (``--as-of``: vintages released by then only), or None.
    as_of: str | None = None
    #: ``"baseline"`` for a review of kind baseline (the baseline reports), else ``""``.
    kind: str = ""
    #: Horizon of a baseline review (``mtr run --horizon`` or the review's).
    horizon_year: int | None = None


@dataclass(frozen=True)
class _Fingerprints:
    """What the reports depend on: store, data per country, code, packages, notebooks."""

    obs: Any
    demo: bool
    intake: list[dict]
    country_hashes: dict[str, str]
    store_files: dict[str, str]
    vintages: dict[str, str]
    packages: dict[str, str]
    code_sha: str
    notebook_sha: dict[Kind, str]
    #: SHA-256 of the implementation files of ``mtr build`` (:data:`paths.ACTIVITY_FILES`).
    activities: dict[str, str] = field(default_factory=dict)
    #: What an as-of run kept and left out (:class:`~mtr_analysis.analysis.vintages.AsOfSummary`).
    as_of: dict[str, Any] = field(default_factory=dict)


def _country_codes(countries: list[str] | str) -> list[str]:
    """ISO3 codes of ``countries``, in order, without duplicates; ValueError if unknown."""
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
    return codes


def _check_out(out_dir: Path, review_dir: Path) -> None:
    """Refuse an output folder that is, or lies below, a file; nothing is created here."""
    for folder in (review_dir, *review_dir.parents):
        if folder.exists() or folder.is_symlink():
            if not folder.is_dir():
                where = "" if folder == review_dir else f" ({folder} is a file)"
                raise ValueError(
                    f"output folder {out_dir} is not a folder{where}; pass a folder to --out"
                )
            return


def _prepare_out(review_dir: Path) -> None:
    """Create the review's output folder; ValueError in one line when it cannot be written."""
    try:
        review_dir.mkdir(parents=True, exist_ok=True)
        probe = review_dir / f".mtr-write-test-{os.getpid()}"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ValueError(f"cannot write to output folder {review_dir}: {reason}") from None


def _national(
    nbs: dict[Kind, Path], data_path: Path, codes: list[str], values: dict[str, Any]
) -> tuple[dict[str, str], dict[str, Any] | None]:
    """(plans of the requested countries, parameters of the national notebook or None).

    The national notebook is needed (and checked) only when a requested country has a
    national plan in the store; otherwise it is dropped from ``nbs`` and nothing is planned.
    """
    found = national_plans(data_path)
    plans = {iso3: found[iso3] for iso3 in codes if iso3 in found}
    if "national" not in nbs or not plans:
        nbs.pop("national", None)
        return plans, None
    first = {**values, "country": next(iter(plans))}
    return plans, select_parameters(nbs["national"], first, NATIONAL_REQUIRED, NATIONAL_OPTIONAL)


def _validate(
    countries: list[str] | str,
    review: str,
    data_dir: Path | str,
    out_dir: Path | str,
    notebooks: dict[Kind, Path | str | None],
    **options: Any,
) -> _Request:
    """Check every argument and each notebook's parameters; nothing is run or written."""
    settings_file = options.pop("settings_file")
    fw = load_framework(options.pop("framework"), data_dir)  # FrameworkError names the file
    countries = _in_scope(fw, countries)
    if fw.national:  # a national plan's framework: only its countries' profiles
        notebooks = {"country": notebooks["country"]}
    as_of = _as_of_date(options.pop("as_of", None), review)
    horizon = options.pop("horizon_year", None)
    # SettingsError names the file and the key; --method wins over the file's method.
    methods = load_settings(settings_file, method=options.pop("method", None))
    settings = load_catalogue().review(review)
    lang, jobs = options["lang"], options["jobs"]
    if lang not in i18n.LANGS:
        raise ValueError(f"unknown lang {lang!r}; allowed: {', '.join(i18n.LANGS)}")
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1:
        raise ValueError(f"jobs must be a positive integer, got {jobs!r}")
    codes = _country_codes(countries)
    data_path = Path(data_dir).resolve()
    if not data_path.is_dir():
        raise ValueError(f"data_dir {str(data_dir)!r} is not a folder (run `mtr build` first)")
    nbs: dict[Kind, Path] = {
        kind: Path(nb).resolve() for kind, nb in notebooks.items() if nb is not None
    }
    folder = paths.AS_OF_FOLDER.format(review=review, date=as_of) if as_of else review
    review_dir = Path(out_dir).resolve() / folder
    _check_out(Path(out_dir), review_dir)
    values = {
        "review": review,
        "baseline_year": int(settings["baseline_year"]),
        "cutoff_year": int(settings["cutoff_year"]),
        "data_dir": str(data_path),
        "lang": lang,
        "countries": list(codes),
        "settings_file": str(Path(settings_file).resolve()) if settings_file else "",
        "method": methods.assessment.method,
        "framework": _framework_parameter(fw, data_path),
        "as_of": as_of or "",  # the notebooks' "" means every vintage
        "horizon_year": int(horizon or settings.get("horizon_year") or 0),
    }
    kind = str(settings.get("kind", ""))
    if kind == "baseline":  # a horizon not after the baseline year fails here, in one line
        from mtr_analysis.analysis.baseline import review_window

        review_window(load_catalogue(), review, horizon)
    parameters: dict[Kind, dict[str, Any]] = {
        "country": select_parameters(
            nbs["country"], {**values, "country": codes[0]}, COUNTRY_REQUIRED, COUNTRY_OPTIONAL
        ),
    }
    if "regional" in nbs:
        parameters["regional"] = select_parameters(
            nbs["regional"], {**values, "country": "ASEAN"}, REGIONAL_REQUIRED, REGIONAL_OPTIONAL
        )
    plans, national = _national(nbs, data_path, codes, values)
    if national is not None:
        parameters["national"] = national
    _require_as_of(parameters, as_of, nbs)
    label = settings.get("label_vi" if lang == "vi" else "label") or review
    if as_of:
        label += " — " + i18n.text("as_of_label", lang, date=as_of)
    window = (values["baseline_year"], values["cutoff_year"])
    return _Request(
        codes, review, label, window, data_path, review_dir, nbs, parameters, methods,
        plans=plans, framework=fw, as_of=as_of, kind=kind,
        horizon_year=values["horizon_year"] or None, **options,
    )  # fmt: skip


def _in_scope(fw: Framework, countries: list[str] | str) -> list[str] | str:
    """``countries`` kept to a national framework's scope; ValueError when none is left."""
    if not fw.national:
        return countries
    asked = _country_codes(countries)
    kept = [c for c in asked if c in fw.countries]
    if not kept:
        raise ValueError(
            f"framework {fw.name!r} is a national plan's, for {', '.join(fw.countries)} only;"
            f" none of the requested countries ({', '.join(asked)}) is in its scope"
        )
    return kept


def _framework_parameter(fw: Framework, data_path: Path) -> str:
    """What the notebooks get: the framework's name when that name finds the same file
    (shipped or in the data folder), else the absolute path of its YAML file."""
    try:
        if find_framework(fw.name, data_path) == fw.path:
            return fw.name
    except FrameworkError:
        pass
    return str(fw.path)


def _as_of_date(as_of: str | None, review: str) -> str | None:
    """``--as-of`` as ``YYYY-MM-DD``; ``"review"`` → the review's ``data_date``; ValueError
    naming the text when it is not a date."""
    from mtr_analysis.analysis import revision_effect, vintages

    if as_of is None or str(as_of).strip() == "":
        return None
    if str(as_of).strip() == "review":
        return revision_effect.review_data_date(review)
    return vintages.parse_date(as_of).isoformat()


def _require_as_of(
    parameters: dict[Kind, dict[str, Any]], as_of: str | None, nbs: dict[Kind, Path]
) -> None:
    """Refuse ``--as-of`` when a notebook does not declare ``as_of``: it would show today's
    data under an "as of" title."""
    if not as_of:
        return
    for kind, params in parameters.items():
        if "as_of" not in params:
            raise ValueError(
                f"notebook {nbs[kind].name} does not declare the parameter as_of, "
                "needed by --as-of; add `as_of: str | None = None` to its parameters cell"
            )


def _national_name(iso3: str) -> str:
    """Name of the national implementation report of ``iso3`` (``VNM_implementation``)."""
    return paths.NATIONAL_IMPLEMENTATION_NAME.format(iso3=iso3)


def _activity_hashes(data_dir: Path) -> dict[str, str]:
    """SHA-256 of each implementation file of ``mtr build`` that exists, by file name."""
    files = (data_dir / name for name in paths.ACTIVITY_FILES)
    return {p.name: provenance.file_sha256(p) for p in files if p.is_file()}


def _country_vintages(obs: Any, codes: list[str], plans: dict[str, str]) -> dict[str, str]:
    """Data vintage of each country's report, of the regional report and of each national
    implementation report (the date of its plan's latest activity report)."""
    out = {}
    groups = {str(c): g for c, g in obs.groupby(obs["country"].astype(str))}
    for iso3 in codes:
        rows = groups.get(iso3)
        out[iso3] = (
            "" if rows is None else provenance.source_vintage(rows["source"].dropna().unique())
        )
    out[paths.REGIONAL_NAME] = provenance.source_vintage(
        obs.loc[obs["country"].isin(codes), "source"].dropna().unique()
    )
    out.update({_national_name(iso3): latest for iso3, latest in plans.items()})
    return out


def _fingerprint(req: _Request, demo: bool | None) -> _Fingerprints:
    """Hash the inputs; the store is read here, so a bad store fails before anything runs."""
    from mtr_analysis.intake import store

    try:
        obs = store.read_store(req.data_dir)
    except FileNotFoundError as exc:
        raise ValueError(str(exc)) from None
    intake = provenance.read_intake(req.data_dir)
    seen, as_of = _as_of_store(req, obs)
    return _Fingerprints(
        obs=obs,
        demo=store.is_demo(obs) if demo is None else bool(demo),
        intake=intake,
        country_hashes=provenance.country_data_hashes(obs, intake, countries=req.codes),
        store_files=provenance.store_hashes(req.data_dir),
        vintages=_country_vintages(seen, req.codes, req.plans),
        packages=provenance.package_versions(),
        code_sha=provenance.code_hash(),
        notebook_sha={kind: provenance.file_sha256(nb) for kind, nb in req.notebooks.items()},
        activities=_activity_hashes(req.data_dir),
        as_of=as_of,
    )


def _as_of_store(req: _Request, obs: Any) -> tuple[Any, dict[str, Any]]:
    """The store the reports see (as of ``req.as_of``, else ``obs``) and the as-of summary."""
    if not req.as_of:
        return obs, {}
    from mtr_analysis.analysis import vintages

    priority = vintages.store_priority(req.data_dir)
    seen, summary = vintages.as_of_with_summary(obs, req.as_of, priority)
    return seen, summary.as_dict()


def _task(
    req: _Request,
    prints: _Fingerprints,
    name: str,
    kind: Kind,
    shown: str,
    data: dict,
    country: str = "",
) -> tuple[ReportTask, dict[str, Any]]:
    """The task of one report and the parts of its cache key (``country``: national only)."""
    params = dict(req.parameters[kind])
    if kind != "regional":
        params["country"] = country or name
    title = f"{shown} — {req.label}"
    parts = {
        "notebook": prints.notebook_sha[kind],
        "code": prints.code_sha,
        "packages": prints.packages,
        "parameters": {k: v for k, v in params.items() if k not in PATH_PARAMETERS},
        "settings": req.settings.as_dict(),
        "framework": _framework_record(req.framework),
        "data": data,
        "render": {"with_code": req.with_code, "title": title},
    }
    folder = req.review_dir
    task = ReportTask(
        name=name,
        kind=kind,
        label=shown,
        notebook=req.notebooks[kind],
        parameters=params,
        executed=folder / paths.EXECUTED_DIR / f"{name}.ipynb",
        html=folder / f"{name}.html",
        html_code=folder / f"{name}{paths.CODE_SUFFIX}" if req.with_code else None,
        findings=findings_path(folder.parent, folder.name, name),
        record=folder / paths.CACHE_DIR / f"{name}.json",
        title=title,
        lang=req.lang,
        key=cache.cache_key(parts),
        vintage=prints.vintages.get(name, ""),
    )
    return task, parts


def _country_data(req: _Request, prints: _Fingerprints, iso3: str) -> dict[str, Any]:
    """The data part of a country's key: its rows, plus the implementation files when it
    has a national plan (its profile's Implementation chapter shows that plan)."""
    data: dict[str, Any] = {"country_rows": prints.country_hashes[iso3]}
    if iso3 in req.plans:
        data["activities"] = prints.activities
    return data


def _plan(req: _Request, prints: _Fingerprints) -> list[tuple[ReportTask, dict[str, Any]]]:
    """One task per country, one per national plan of a requested country (when the
    national notebook is part of the run), then the regional one; each with its key's parts."""
    planned = [
        _task(
            req,
            prints,
            iso3,
            "country",
            registry.display_name(iso3, req.lang),
            _country_data(req, prints, iso3),
        )  # fmt: skip
        for iso3 in req.codes
    ]
    if "national" in req.notebooks:
        for iso3 in req.plans:
            shown = i18n.text("national_implementation_title", req.lang,
                              country=registry.display_name(iso3, req.lang))  # fmt: skip
            data = _country_data(req, prints, iso3)
            planned.append(_task(req, prints, _national_name(iso3), "national", shown, data, iso3))
    if "regional" not in req.notebooks:  # a national framework's run: profiles only
        return planned
    regional = i18n.text("regional_title", req.lang)
    # The regional report's Implementation chapter shows the sectoral bodies' work plans.
    data = {**prints.store_files, "activities": prints.activities}
    planned.append(_task(req, prints, paths.REGIONAL_NAME, "regional", regional, data))
    return planned


def _review_inputs(req: _Request) -> ReviewInputs:
    """What the data products need to analyse the review as the notebooks do."""
    return ReviewInputs(
        data_dir=req.data_dir,
        out_dir=req.review_dir.parent,
        review=req.review,
        baseline_year=req.window[0],
        cutoff_year=req.window[1],
        countries=req.codes,
        lang=req.lang,
        settings=req.settings,
        as_of=req.as_of,
        folder=req.review_dir.name,
        kind=req.kind,
        horizon_year=req.horizon_year,
        framework=req.framework,
    )


def _with_products(
    tasks: list[ReportTask], fresh: dict[str, ReportResult], errors: dict[str, str]
) -> dict[str, ReportResult]:
    """Results with their findings file; a report whose products failed has failed."""
    out = {}
    for task in tasks:
        result = fresh[task.name]
        if task.name in errors and result.ok:
            error = f"findings or review tables not written: {errors[task.name]}"
            result = replace(result, status="failed", error=error)
        out[task.name] = replace(
            result, findings=task.findings if task.findings.is_file() else None
        )
    return out


def _reuse(
    req: _Request, planned: list[tuple[ReportTask, dict[str, Any]]]
) -> tuple[dict[str, ReportResult], list[ReportTask]]:
    """The reports reused from the cache (checksums verified) and the tasks left to run."""
    reused: dict[str, ReportResult] = {}
    to_run: list[ReportTask] = []
    for task, _ in planned:
        hit = cache.cached_result(task) if req.use_cache else None
        if hit is not None:
            reused[task.name] = hit
        else:
            to_run.append(task)
    return reused, to_run


def _cut_short(tasks: list[ReportTask], done: dict[str, ReportResult], signal_name: str):
    """Results of an interrupted run: failures stay failed, every other report is
    interrupted (even one whose notebook finished: its findings were not written)."""
    out = {}
    for task in tasks:
        earlier = done.get(task.name)
        if earlier is not None and earlier.status == "failed":
            out[task.name] = earlier
        else:
            out[task.name] = stopped(task, f"run interrupted by {signal_name}", earlier)
    return out


def _execute(
    req: _Request,
    planned: list[tuple[ReportTask, dict[str, Any]]],
    to_run: list[ReportTask],
    progress: bool,
    guard: SignalGuard,
) -> dict[str, ReportResult]:
    """Run ``to_run``, write its files, record each new success in the cache.

    On SIGINT/SIGTERM the workers are stopped (:func:`~mtr_analysis.run.execute.execute`)
    and the unfinished reports come back as ``"interrupted"``; nothing of them is cached.
    """
    from tqdm import tqdm

    (req.review_dir / paths.EXECUTED_DIR).mkdir(parents=True, exist_ok=True)
    fresh: dict[str, ReportResult] = {}
    with tqdm(
        total=len(planned),
        initial=len(planned) - len(to_run),
        desc=f"mtr run {req.review}",
        unit="report",
        disable=not progress,
    ) as bar:
        errors: dict[str, str] = {}
        # The runner analyses the review once, pickles it for the kernels (seeds) and writes
        # the findings and review tables while the workers run the notebooks.
        with tempfile.TemporaryDirectory(prefix="mtr-seed-") as seed:
            tasks = [replace(t, seed=Path(seed)) for t in to_run]
            pending = Path(seed) / paths.SEED_PENDING_FILE
            pending.touch()  # kernels wait for the seeds until it is gone

            def products() -> None:
                try:
                    errors.update(write_products(tasks, _review_inputs(req), Path(seed)))
                finally:
                    pending.unlink(missing_ok=True)

            try:
                execute(tasks, req.jobs, bar, fresh, meanwhile=products)
                fresh = _with_products(to_run, fresh, errors)
            except KeyboardInterrupt as exc:  # Interrupted (SIGINT/SIGTERM) or a plain Ctrl-C
                guard.note(exc)
                guard.defer()
                fresh = _cut_short(to_run, fresh, guard.name)
    for task, parts in planned:
        if task.name in fresh:
            cache.save_record(task, fresh[task.name], parts)
    return fresh


def _verify(
    planned: list[tuple[ReportTask, dict[str, Any]]], results: dict[str, ReportResult]
) -> dict[str, ReportResult]:
    """A report is ok only while every file it must have exists; else it failed, saying which."""
    out = dict(results)
    for task, _ in planned:
        result = out[task.name]
        if not result.ok:
            continue
        missing = [p for p in cache.outputs_of(task) if not p.is_file()]
        if missing:
            names = ", ".join(str(relative(p, _review_dir(task))) for p in missing)
            out[task.name] = replace(result, status="failed", error=f"output missing: {names}")
    return out


def _review_dir(task: ReportTask) -> Path:
    """The review's output folder of ``task`` (parent of its cache folder)."""
    return task.record.parent.parent


def _timings(results: list[ReportResult]) -> dict[str, dict[str, Any]]:
    """Per-report timings of this run (zero for reused reports, with their original time)."""
    return {
        r.name: {
            "seconds": 0.0 if r.cached else r.seconds,
            "execute_seconds": 0.0 if r.cached else r.execute_seconds,
            "render_seconds": 0.0 if r.cached else r.render_seconds,
            "cached": r.cached,
            "original_seconds": r.seconds,
        }
        for r in results
    }


def _framework_record(fw: Framework | None) -> dict[str, Any]:
    """The framework as named in cache keys and ``manifest.json`` (its file by content)."""
    if fw is None:
        return {}
    return {
        "name": fw.name, "title": fw.title, "path": str(fw.path), "sha256": fw.sha256,
        "countries": list(fw.countries), "groups": list(fw.groups.index),
    }  # fmt: skip


def _manifest_extra(req: _Request, prints: _Fingerprints, summary: RunSummary) -> dict:
    """What ``manifest.json`` holds besides the summary: parameters, inputs, software."""
    return {
        "label": req.label,
        "countries": req.codes,
        "lang": req.lang,
        "with_code": req.with_code,
        "jobs": req.jobs,
        "use_cache": req.use_cache,
        "data_dir": str(req.data_dir),
        "notebooks": {
            kind: {"path": str(nb), "sha256": prints.notebook_sha[kind]}
            for kind, nb in req.notebooks.items()
        },
        "parameters": dict(req.parameters),
        "method": {
            "name": req.settings.assessment.method,
            "edition": req.settings.method_edition(),
            "settings": req.settings.as_dict()[req.settings.assessment.method],
        },
        "settings": req.settings.as_dict(),
        "national_plans": req.plans,
        "framework": _framework_record(req.framework),
        "as_of": prints.as_of or None,
        "inputs": {
            "store": prints.store_files,
            "activities": prints.activities,
            "country_data": prints.country_hashes,
            "files": [
                {k: rec.get(k) for k in ("path", "format", "sha256", "accepted", "rejected")}
                for rec in prints.intake
            ],
        },
        "packages": prints.packages,
        "code_sha256": prints.code_sha,
        "git_commit": provenance.git_commit(),
        "timings": _timings(summary.results),
    }


def _record(
    req: _Request,
    prints: _Fingerprints,
    planned: list[tuple[ReportTask, dict[str, Any]]],
    results: dict[str, ReportResult],
    started: float,
    interrupted: str = "",
    final: bool = True,
) -> RunSummary:
    """Gather the results in report order; write ``index.html`` and ``manifest.json``.

    ``final=False`` writes them before anything runs, with the reports about to run shown
    as not finished: whatever stops the run later (even SIGKILL), the index never claims a
    report that is being rewritten.
    """
    summary = RunSummary(
        review=req.review,
        out_dir=req.review_dir,
        results=[results[task.name] for task, _ in planned],
        demo=prints.demo,
        snapshot=snapshot_vintage(req.data_dir) or "",
        seconds=time.perf_counter() - started,
        finished=_dt.datetime.now().replace(microsecond=0).isoformat() if final else "",
        interrupted=interrupted,
    )
    title = i18n.text("index_title", req.lang, blueprint="ASCC Blueprint 2025", review=req.label)
    write_index(summary, title, req.lang)
    write_manifest(summary, _manifest_extra(req, prints, summary))
    return summary


def _run_locked(
    req: _Request,
    prints: _Fingerprints,
    planned: list[tuple[ReportTask, dict[str, Any]]],
    progress: bool,
    started: float,
) -> RunSummary:
    """Holding the folder's lock: reuse, mark the rest pending, execute, verify, record."""
    with run_lock(req.review_dir), catch_signals() as guard:
        reused, to_run = _reuse(req, planned)
        note = "not finished: the run writing it has not ended"
        pending = {t.name: stopped(t, note, links=False) for t in to_run}
        _record(req, prints, planned, {**reused, **pending}, started, final=False)
        fresh = _execute(req, planned, to_run, progress, guard)
        guard.defer()  # a signal from here on waits for the index and manifest
        results = _verify(planned, {**reused, **fresh})
        return _record(req, prints, planned, results, started, guard.name)


def _baseline_notebooks(
    review: str, nbs: dict[Kind, Path | str | None]
) -> dict[Kind, Path | str | None]:
    """For a review of kind ``baseline``, the baseline notebook
    (:data:`~mtr_analysis.paths.BASELINE_NOTEBOOK`, per member state and for ASEAN, with
    ``baseline.csv``) in place of the default country and regional notebooks, and no
    national report; else ``nbs`` unchanged."""
    catalogue = load_catalogue()
    if catalogue.reviews.get(review, {}).get("kind") != "baseline":
        return nbs
    out = dict(nbs, national=None)
    for kind, default in (
        ("country", paths.COUNTRY_NOTEBOOK),
        ("regional", paths.REGIONAL_NOTEBOOK),
    ):
        if out[kind] is None or Path(out[kind]) == default:
            out[kind] = paths.BASELINE_NOTEBOOK
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
    national_notebook: Path | str | None = paths.NATIONAL_IMPLEMENTATION_NOTEBOOK,
    progress: bool = True,
    demo: bool | None = None,
    use_cache: bool = True,
    settings_file: Path | str | None = None,
    method: str | None = None,
    framework: str | Path = paths.DEFAULT_FRAMEWORK,
    as_of: str | None = None,
    horizon_year: int | None = None,
) -> RunSummary:
    """Run the country notebook per member state, the national one per plan and the regional
    one (the baseline notebook for a baseline review); render HTML.

    Everything is validated first. Unchanged reports (checksums verified) are reused; the
    others run in ``jobs`` spawned workers (guard a script with ``if __name__ ==
    "__main__":``), then ``index.html`` and ``manifest.json``. One failure stops no other;
    SIGINT/SIGTERM leave unfinished reports ``"interrupted"``.

    Parameters
    ----------
    countries, review : list of str, str
        ISO3 codes (case-insensitive); a review of the catalogue (sets the window).
    data_dir : path-like
        Folder written by ``mtr build`` (passed to the notebooks as an absolute path).
    out_dir : path-like
        Output root; reports, findings and review tables go to ``<out_dir>/<review>/``.
    jobs, lang, with_code : int, {"en", "vi"}, bool
        Parallel worker processes; report language; also write ``<name>.code.html``.
    country_notebook, regional_notebook, national_notebook : path-like
        The notebooks (defaults in :mod:`mtr_analysis.paths`); the national one runs as
        ``<ISO3>_implementation`` per country with a national plan (``None``: none).
    progress, demo : bool, bool or None
        Progress bar on stderr; demo inputs (index banner; ``None``: read from the store).
    use_cache : bool
        Reuse reports whose inputs are unchanged; ``False`` executes everything.
    settings_file : path-like, optional
        Method settings (YAML) overriding ``config/methods.yaml``; validated first, passed to
        the notebooks, in every cache key (by content) and in ``manifest.json``.
    method, horizon_year : {"unsd", "escap", "ols"}, int, optional
        Overrides ``assessment.method`` (a notebook parameter, in manifest ``"method"``);
        the horizon of a baseline review (``next-plan``, see ``_baseline_notebooks``).
    framework : str or path-like
        Name or YAML path (:func:`~mtr_analysis.reference.frameworks.find_framework`); a
        national one runs only its countries' profiles. In cache keys and the manifest.
    as_of : str, optional
        ``YYYY-MM-DD`` (or ``"review"``: its ``data_date``): vintages released by then only;
        outputs in ``<out_dir>/<review>_as-of_<date>/``, summary in manifest ``"as_of"``.

    Returns
    -------
    RunSummary
        Per-report results (``summary.ok``: every report succeeded).

    Raises
    ------
    RunLocked
        Another run is writing to the same review folder (pid and start time named).
    ValueError
        Any invalid argument, settings file, framework, folder or notebook parameter
        (message names it); nothing is run or written.
    """
    started = time.perf_counter()
    nbs = _baseline_notebooks(review, {"country": country_notebook,
        "regional": regional_notebook, "national": national_notebook})  # fmt: skip
    req = _validate(countries, review, data_dir, out_dir, nbs, lang=lang, with_code=with_code,
        jobs=jobs, use_cache=use_cache, settings_file=settings_file, method=method,
        framework=framework, as_of=as_of, horizon_year=horizon_year)  # fmt: skip
    prints = _fingerprint(req, demo)
    _prepare_out(req.review_dir)
    return _run_locked(req, prints, _plan(req, prints), progress, started)
