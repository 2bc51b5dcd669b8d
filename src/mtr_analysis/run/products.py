"""The data products of a run: findings JSON per report and the review tables (CSV).

The notebooks only display; the runner writes these files itself, from the same library
calls the notebooks make: :func:`mtr_analysis.analysis.review.load_review` (once per run
and list of member states), then
:func:`~mtr_analysis.reporting.findings.country_findings` or
:func:`~mtr_analysis.reporting.findings.regional_findings` per report in the run's
language. A country notebook analyses all member states (its report places the country
among them); the regional notebook analyses the member states of the run. The regional
report also brings ``assessment.csv``, ``aggregates.csv`` and ``beneficiaries.csv``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mtr_analysis.reference import registry
from mtr_analysis.run.execute import ReportTask, error_line


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
    """

    data_dir: Path
    out_dir: Path
    review: str
    baseline_year: int
    cutoff_year: int
    countries: list[str]
    lang: str
    settings: Any = None


class _Reviews:
    """The analysed review per list of member states, loaded at most once each."""

    def __init__(self, inputs: ReviewInputs) -> None:
        self.inputs = inputs
        self._loaded: dict[tuple[str, ...] | None, Any] = {}

    def get(self, countries: Sequence[str] | None) -> Any:
        """``load_review`` for ``countries`` (``None``: every member state, the default)."""
        from mtr_analysis.analysis.review import load_review

        key = None if countries is None else tuple(countries)
        if key is not None and list(key) == registry.iso3_codes():
            key = None  # the default list: same analysis as the country reports'
        if key not in self._loaded:
            i = self.inputs
            try:
                self._loaded[key] = load_review(
                    i.data_dir, i.baseline_year, i.cutoff_year,
                    countries=list(key) if key else None, review=i.review, settings=i.settings,
                )  # fmt: skip
            except Exception as exc:  # every report of this list fails with the same error
                self._loaded[key] = exc
        found = self._loaded[key]
        if isinstance(found, Exception):
            raise found
        return found


def _write_one(task: ReportTask, reviews: _Reviews) -> None:
    """Write the findings of one report (and the review tables with the regional one)."""
    from mtr_analysis.reporting import findings, implementation, outputs

    i = reviews.inputs
    if task.kind == "country":
        data = reviews.get(None)
        items = findings.country_findings(
            data.assessment, data.availability, data.catalogue, task.name,
            obs=data.observations, lang=i.lang,
        )  # fmt: skip
        own = data.assessment.loc[data.assessment["country"] == task.name]
        items += implementation.report_findings(
            data.data_dir, own, task.name, i.lang, data.settings
        )
    else:
        data = reviews.get(i.countries)
        items = findings.regional_findings(
            data.assessment,
            data.availability,
            data.catalogue,
            lang=i.lang,
            obs=data.observations,
            settings=data.settings,
        )
        outputs.write_review_outputs(data, i.out_dir, i.review)
        items += implementation.report_findings(
            data.data_dir, data.assessment, "ASEAN", i.lang, data.settings
        )
    outputs.write_findings(items, i.out_dir, i.review, task.name)


def write_products(tasks: Sequence[ReportTask], inputs: ReviewInputs) -> dict[str, str]:
    """Write the findings of ``tasks`` and, with the regional task, the review tables.

    Parameters
    ----------
    tasks : sequence of ReportTask
        The reports executed in this run (reused reports keep their files).
    inputs : ReviewInputs

    Returns
    -------
    dict of str to str
        Report name → error line, for the reports whose files could not be written (their
        stale findings file is removed). Empty when every file was written.
    """
    reviews = _Reviews(inputs)
    errors: dict[str, str] = {}
    for task in tasks:
        try:
            _write_one(task, reviews)
        except Exception as exc:  # one report's failure must not stop the others
            errors[task.name] = error_line(exc)
            with contextlib.suppress(OSError):  # e.g. a folder in the file's place
                task.findings.unlink(missing_ok=True)
    return errors
