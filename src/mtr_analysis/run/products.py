"""The data products of a run: findings JSON per report and the review tables (CSV).

The notebooks only display; the runner writes these files itself, from the same library
calls the notebooks make: :func:`mtr_analysis.analysis.review.load_review` (once per run
and list of member states), then
:func:`~mtr_analysis.reporting.findings.country_findings` or
:func:`~mtr_analysis.reporting.findings.regional_findings` per report in the run's
language. A country notebook analyses all member states (its report places the country
among them); the regional notebook analyses the member states of the run. The regional
report also brings ``assessment.csv``, ``aggregates.csv`` and ``beneficiaries.csv`` (and,
for the end-term review, ``comparison.csv``); country and regional findings of the end-term
review end with the comparison with the mid-term review
(:func:`~mtr_analysis.analysis.comparison.review_comparison`, computed once per run). A
national implementation report brings the implementation findings of its country's plan
(:func:`~mtr_analysis.reporting.implementation.report_findings`); :func:`national_plans`
says which countries have a national plan in the store.

The review is analysed here once per run and also handed to the notebooks
(:func:`write_products` with ``seed_dir``): before any product is written, each review the
run's notebooks load is pickled as a seed (:func:`mtr_analysis.analysis.memo.write_seed`),
with the beneficiary estimates computed, and the warm kernels load it instead of analysing
the store again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mtr_analysis import paths
from mtr_analysis.reference import registry
from mtr_analysis.run.execute import ReportTask, error_line

#: Scope of the sectoral bodies' regional work plans (every other scope is a country's plan).
_REGIONAL_SCOPE = "ASEAN"


def national_plans(data_dir: Path) -> dict[str, str]:
    """The countries with a national plan in the store, and the date of their latest report.

    A country has a national plan when the plan register written by ``mtr build``
    (:data:`~mtr_analysis.paths.PLAN_REGISTER_FILE`) holds activities of its ministries or
    provinces (reporting units whose ``scope`` is its ISO3 code, ``config/reporting_units.yaml``);
    the sectoral bodies' work plans (scope ``ASEAN``) are no national plan.

    Parameters
    ----------
    data_dir : pathlib.Path
        The store folder.

    Returns
    -------
    dict of str to str
        ISO3 → latest reporting date (``YYYY-MM-DD``) of the plan's consolidated activity
        reports, ``""`` when none was accepted. Empty without a plan register (a store built
        without implementation inputs, such as the real-data snapshot).

    Raises
    ------
    ValueError
        When the register or the activity table cannot be read (file names and reason).
    """
    from mtr_analysis.intake.activities import load_outputs
    from mtr_analysis.reference.units import load_units

    try:
        reg, rows = load_outputs(data_dir)
        if reg.empty:
            return {}
        scope = reg["responsible_unit"].map(load_units().units["scope"])
        dates = rows.set_index("activity_id")["reporting_date"] if len(rows) else None
    except (ValueError, KeyError, OSError) as exc:  # damaged files: one line, no traceback
        reason = f"column {exc.args[0]!r} missing" if isinstance(exc, KeyError) else error_line(exc)
        raise ValueError(
            f"cannot read the implementation files in {data_dir} ({paths.PLAN_REGISTER_FILE}, "
            f"{paths.ACTIVITIES_FILE}): {reason}; "
            "run `mtr build` again"
        ) from None
    out: dict[str, str] = {}
    for iso3 in sorted(str(s) for s in scope.dropna().unique() if s != _REGIONAL_SCOPE):
        ids = reg.index[scope == iso3]
        found = [] if dates is None else dates[dates.index.isin(ids)].dropna().astype(str)
        out[iso3] = max(found, default="")
    return out


@dataclass(frozen=True)
class ReviewInputs:
    """Everything :func:`write_products` needs to analyse the review as the notebooks do.

    Attributes
    ----------
    data_dir : pathlib.Path
        The store folder.
    out_dir : pathlib.Path
        Output root: files go to ``<out_dir>/<review>/``.
    review : str
    baseline_year, cutoff_year : int
        The review window (calendar years).
    countries : list of str
        ISO3 codes of the member states of the run (the regional report's).
    lang : {"en", "vi"}
        Language of the findings' text.
    settings : mtr_analysis.settings.Settings, optional
        Method settings of the run (default: ``config/methods.yaml``).
    as_of : str, optional
        ``YYYY-MM-DD`` of an as-of run (vintages released by then only); ``None``: today.
    folder : str
        Output folder name under ``out_dir`` when it is not ``review`` (as-of runs).
    framework : mtr_analysis.reference.frameworks.Framework, optional
        The run's reporting framework: the findings are those of the review organised by
        it (:func:`mtr_analysis.reporting.grouping.framed`), as the reports show them.
    """

    data_dir: Path
    out_dir: Path
    review: str
    baseline_year: int
    cutoff_year: int
    countries: list[str]
    lang: str
    settings: Any = None
    as_of: str | None = None
    folder: str = ""
    #: ``"baseline"`` for a review of kind baseline (``next-plan``): baseline findings and
    #: ``baseline.csv`` (:mod:`mtr_analysis.reporting.baseline`) instead of the review's.
    kind: str = ""
    horizon_year: int | None = None
    framework: Any = None

    @property
    def out_name(self) -> str:
        """The folder the files go to under ``out_dir``: ``folder`` or ``review``."""
        return self.folder or self.review


def _key(countries: Sequence[str] | None) -> tuple[str, ...] | None:
    """``None`` for every member state (the default list spelt out included), else the codes."""
    if countries is None or list(countries) == registry.iso3_codes():
        return None  # the default list: same analysis as the country reports'
    return tuple(countries)


class _Reviews:
    """The analysed review per list of member states, loaded at most once each."""

    def __init__(self, inputs: ReviewInputs) -> None:
        self.inputs = inputs
        self._loaded: dict[tuple[Any, ...] | None, Any] = {}

    def get(self, countries: Sequence[str] | None) -> Any:
        """``load_review`` for ``countries`` (``None``: every member state, the default)."""
        from mtr_analysis.analysis.review import load_review

        key = _key(countries)
        if key not in self._loaded:
            try:
                self._loaded[key] = load_review(*self.call(key))
            except Exception as exc:  # every report of this list fails with the same error
                self._loaded[key] = exc
        found = self._loaded[key]
        if isinstance(found, Exception):
            raise found
        return found

    def call(self, key: tuple[Any, ...] | None) -> tuple[Any, ...]:
        """The positional arguments of ``load_review`` for ``key`` (as the notebooks call it)."""
        i = self.inputs
        countries = list(key) if key else None
        return (i.data_dir, i.baseline_year, i.cutoff_year, countries, i.review, i.settings,
                i.as_of)  # fmt: skip

    def seed(self, tasks: Sequence[ReportTask], folder: Path) -> None:
        """Pickle the reviews ``tasks`` load into ``folder`` for the notebooks' kernels.

        A review that cannot be analysed is not seeded (its reports fail on their own,
        with the same error as their products). Removes the folder's "pending" mark at
        the end, so that kernels waiting for a seed go on.
        """
        try:
            self._seed(tasks, folder)
        finally:  # kernels stop waiting for seeds, whatever happened
            (folder / paths.SEED_PENDING_FILE).unlink(missing_ok=True)

    def _seed(self, tasks: Sequence[ReportTask], folder: Path) -> None:
        from mtr_analysis.analysis import memo
        from mtr_analysis.analysis.review import beneficiary_estimates, load_review

        if self.inputs.kind == "baseline":
            return
        wanted = {None if t.kind != "regional" else _key(self.inputs.countries) for t in tasks}
        for key in wanted:
            try:
                data = self.get(None if key is None else list(key))
                beneficiary_estimates(data)  # kept in data.derived, pickled with it
            except Exception:
                continue
            memo.write_seed(folder, load_review, data, *self.call(key))

    def shown(self, countries: Sequence[str] | None) -> Any:
        """:meth:`get` organised by the run's framework, as the notebooks show the review
        (:func:`~mtr_analysis.reporting.grouping.framed`; unchanged without a framework)."""
        data = self.get(countries)
        if self.inputs.framework is None:
            return data
        key = ("shown", _key(countries))
        if key not in self._loaded:
            from mtr_analysis.reporting.grouping import framed

            self._loaded[key] = framed(data, self.inputs.framework, self.inputs.lang)
        return self._loaded[key]

    def shown_comparison(self, countries: Sequence[str] | None) -> Any:
        """The comparison the reports' chapter makes: of :meth:`shown` (computed once).

        The packaged Blueprint framework groups indicators by their own characteristics, so
        its comparison is :meth:`comparison`'s (not computed twice: it re-analyses the
        earlier review)."""
        from mtr_analysis.analysis.comparison import review_comparison

        fw = self.inputs.framework
        if fw is None or fw.path == paths.FRAMEWORKS_DIR / f"{paths.DEFAULT_FRAMEWORK}.yaml":
            return self.comparison(countries)
        key = ("shown_comparison", _key(countries))
        if key not in self._loaded:
            self._loaded[key] = review_comparison(self.shown(countries))
        return self._loaded[key]

    def comparison(self, countries: Sequence[str] | None) -> Any:
        """:func:`~mtr_analysis.analysis.comparison.review_comparison` of :meth:`get`
        ``countries`` (``None`` when the review has no earlier review), computed once."""
        from mtr_analysis.analysis.comparison import review_comparison

        data = self.get(countries)
        key = ("comparison", id(data))  # one per analysed review
        if key not in self._loaded:
            self._loaded[key] = review_comparison(data)
        return self._loaded[key]


def _write_one(task: ReportTask, reviews: _Reviews) -> None:
    """Write the findings of one report (and the review tables with the regional one)."""
    from mtr_analysis.reporting import comparison, findings, implementation, outputs

    i = reviews.inputs
    if i.kind == "baseline":
        _write_baseline(task, reviews)
        return
    if task.kind == "country":
        data = reviews.shown(None)  # organised by the framework, as the report shows it
        items = findings.country_findings(
            data.assessment, data.availability, data.catalogue, task.name,
            obs=data.observations, lang=i.lang,
        )  # fmt: skip
        own = data.assessment.loc[data.assessment["country"] == task.name]
        items += implementation.report_findings(
            data.data_dir, own, task.name, i.lang, data.settings
        )
        items += comparison.findings_of(data, reviews.shown_comparison(None), i.lang, task.name)
    elif task.kind == "national":
        data = reviews.get(None)  # the national notebook analyses every member state
        country = task.parameters["country"]
        own = data.assessment.loc[data.assessment["country"] == country]
        items = implementation.report_findings(data.data_dir, own, country, i.lang, data.settings)
    else:
        shown = reviews.shown(i.countries)
        items = findings.regional_findings(
            shown.assessment,
            shown.availability,
            shown.catalogue,
            lang=i.lang,
            obs=shown.observations,
            settings=shown.settings,
        )
        outputs.write_review_outputs(
            reviews.get(i.countries), i.out_dir, i.out_name, reviews.comparison(i.countries)
        )
        items += implementation.report_findings(
            shown.data_dir, shown.assessment, "ASEAN", i.lang, shown.settings
        )
        items += comparison.findings_of(shown, reviews.shown_comparison(i.countries), i.lang, None)
    outputs.write_findings(items, i.out_dir, i.out_name, task.name)


def _write_baseline(task: ReportTask, reviews: _Reviews) -> None:
    """Findings of one baseline report; ``baseline.csv`` with the regional one."""
    from mtr_analysis.analysis.baseline import load_baseline
    from mtr_analysis.reporting import baseline, outputs

    i = reviews.inputs
    if "baseline" not in reviews._loaded:
        reviews._loaded["baseline"] = load_baseline(
            i.data_dir, i.review, i.horizon_year, i.countries, settings=i.settings
        )
    data = reviews._loaded["baseline"]
    country = str(task.parameters.get("country", baseline.REGIONAL))
    if task.kind == "regional":
        baseline.write_baseline_csv(
            data, outputs.findings_path(i.out_dir, i.out_name, task.name).parent.parent
        )
    items = baseline.finding_items(data, country, i.lang)
    outputs.write_findings(items, i.out_dir, i.out_name, task.name)


def write_products(
    tasks: Sequence[ReportTask], inputs: ReviewInputs, seed_dir: Path | None = None
) -> dict[str, str]:
    """Write the findings of ``tasks`` and, with the regional task, the review tables.

    Parameters
    ----------
    tasks : sequence of ReportTask
        The reports executed in this run (reused reports keep their files).
    inputs : ReviewInputs
    seed_dir : pathlib.Path, optional
        First pickle the reviews the notebooks of ``tasks`` load here (see the module
        docstring), so that kernels started meanwhile find them.

    Returns
    -------
    dict of str to str
        Report name → error line, for the reports whose files could not be written (their
        stale findings file is removed). Empty when every file was written.
    """
    reviews = _Reviews(inputs)
    if seed_dir is not None:
        reviews.seed(tasks, seed_dir)
    errors: dict[str, str] = {}
    for task in tasks:
        try:
            _write_one(task, reviews)
        except Exception as exc:  # one report's failure must not stop the others
            errors[task.name] = error_line(exc)
            with contextlib.suppress(OSError):  # e.g. a folder in the file's place
                task.findings.unlink(missing_ok=True)
    return errors
