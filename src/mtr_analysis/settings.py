"""Method settings: every threshold and rule parameter of the analysis, as data.

The defaults live in ``config/methods.yaml`` (the only place they are written down);
:func:`load_settings` validates that file with pydantic, optionally overlaid with a user's
file that changes some keys (``mtr run --settings FILE``, the notebooks' ``settings_file``
parameter). Analysis functions take a :class:`Settings` (or read :func:`default_settings`);
the runner writes :meth:`Settings.as_dict` into ``manifest.json`` and every report shows
:func:`settings_rows` in its annex "Parameters".

Sources of the default values: ``spec/methods.md`` (UNSD SDG Progress Chart technical
notes; ESCAP Progress Assessment Methodology; the 2/3 population-coverage publication rule
used by UN agencies for regional aggregates).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)

from mtr_analysis import yaml_io
from mtr_analysis.paths import METHODS_FILE

__all__ = [
    "Settings",
    "SettingsError",
    "default_settings",
    "load_settings",
    "or_default",
    "settings_rows",
]


class SettingsError(ValueError):
    """A settings file that cannot be used; the message names the file and the key."""


def _fraction(value: Any) -> Any:
    """Accept ``"2/3"`` as well as ``0.6666…`` for shares written in YAML."""
    if isinstance(value, str) and "/" in value:
        try:
            return float(Fraction(value.replace(" ", "")))
        except (ValueError, ZeroDivisionError):
            return value
    return value


# Strict numbers: a YAML ``yes`` or ``"3"`` is an error rather than a silent 1 or 3.
Year = Annotated[StrictInt, Field(ge=1950, le=2100)]
Years = Annotated[StrictInt, Field(ge=0, le=50)]
Share = Annotated[StrictFloat, BeforeValidator(_fraction), Field(ge=0, le=1)]
Cutoffs = tuple[StrictFloat, StrictFloat, StrictFloat, StrictFloat]


def _int_as_float(value: Any) -> Any:
    """Accept a YAML integer (``100``) where a number is expected, but never a ``yes``."""
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


#: A number written as an integer or a float in YAML (bounds such as ``0`` or ``2.5``).
Number = Annotated[StrictFloat, BeforeValidator(_int_as_float)]


class _Section(BaseModel):
    # Every field is required: config/methods.yaml is the only place a value is written.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class AssessmentSettings(_Section):
    """Which progress method and horizon (years are calendar years)."""

    method: Literal["unsd", "escap", "ols"]
    target_year_default: Year


class UnsdSettings(_Section):
    """UNSD SDG Progress Chart cut-offs (progress ratio; growth rate, fraction per year)."""

    thresholds: Cutoffs
    cagr_bands: Cutoffs
    near_limit_tolerance: Annotated[StrictFloat, Field(ge=0)]
    edition: Annotated[str, Field(min_length=1)]

    @field_validator("thresholds", "cagr_bands")
    @classmethod
    def _decreasing(cls, values: tuple[float, ...]) -> tuple[float, ...]:
        if any(a <= b for a, b in zip(values, values[1:])):
            raise ValueError(f"must be strictly decreasing, got {list(values)}")
        return values


class EscapSettings(_Section):
    """ESCAP anticipated progress: data window, logit clipping, regional selection rule."""

    start_year: Year
    logit_clip: Annotated[StrictFloat, Field(gt=0, lt=0.5)]
    min_share: Share
    min_points: Annotated[StrictInt, Field(ge=1, le=50)]
    base_year: Year
    maintain_ratio: Number
    reverse_ratio: Number
    edition: Annotated[str, Field(min_length=1)]

    @model_validator(mode="after")
    def _classes(self) -> EscapSettings:
        if not self.reverse_ratio < self.maintain_ratio:
            raise ValueError(
                f"reverse_ratio ({self.reverse_ratio:g}) must be below maintain_ratio "
                f"({self.maintain_ratio:g})"
            )
        return self


class OlsSettings(_Section):
    """Ordinary least-squares trend: confidence level of the slope's interval."""

    confidence: Annotated[StrictFloat, Field(gt=0, lt=1)]
    edition: Annotated[str, Field(min_length=1)]


class AvailabilitySettings(_Section):
    """Data-gap rules (years)."""

    baseline_tolerance: Years
    stale_after: Years


class AggregateSettings(_Section):
    """Regional aggregates: publication rules (weight share, reporting members), weight years."""

    min_coverage: Annotated[Share, Field(gt=0)]
    weight_year_tolerance: Years
    min_reporting: Annotated[StrictInt, Field(ge=1, le=50)]


class BeneficiarySettings(_Section):
    """Head counts: how far a denominator may be carried (years)."""

    nearest_limit: Years


class UnitRule(_Section):
    """One plausibility rule by unit: the catalogue units it matches and their range."""

    rule: Annotated[str, Field(min_length=1)]
    pattern: Annotated[str, Field(min_length=1)]
    lower: Number | None
    upper: Number | None
    symbol: str

    @field_validator("pattern")
    @classmethod
    def _regex(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression ({exc}): {value!r}") from None
        return value

    @model_validator(mode="after")
    def _range(self) -> UnitRule:
        _check_range(self.lower, self.upper)
        return self


def _check_range(lower: float | None, upper: float | None) -> None:
    if lower is not None and upper is not None and lower >= upper:
        raise ValueError(f"lower bound {lower:g} must be below the upper bound {upper:g}")


Bounds = tuple[Number | None, Number | None]


class PlausibilitySettings(_Section):
    """Which values are impossible (rejected) and which are suspicious (kept, flagged)."""

    max_magnitude: Annotated[Number, Field(gt=0)]
    units: Annotated[tuple[UnitRule, ...], Field(min_length=1)]
    bounds: dict[str, Bounds]
    scale_factor: Annotated[Number, Field(gt=1)]
    scale_tolerance: Annotated[Number, Field(gt=1)]
    scale_min_points: Annotated[StrictInt, Field(ge=2, le=100)]
    jump_factor: Annotated[Number, Field(gt=0)]
    jump_floor: Annotated[Number, Field(ge=0)]
    jump_min_points: Annotated[StrictInt, Field(ge=3, le=100)]
    ordering: tuple[tuple[str, str], ...]

    @field_validator("bounds")
    @classmethod
    def _ranges(cls, value: dict[str, Bounds]) -> dict[str, Bounds]:
        for key, (lower, upper) in value.items():
            try:
                _check_range(lower, upper)
            except ValueError as exc:
                raise ValueError(f"{key}: {exc}") from None
        return value


class CoverageSettings(_Section):
    """Catalogue-coverage targets shown by the intake report and ``mtr build``."""

    target_with_values: Annotated[StrictInt, Field(ge=0, le=1000)]
    target_assessable: Annotated[StrictInt, Field(ge=0, le=1000)]


class ImplementationSettings(_Section):
    """Implementation tracking: results-chain divergence rules (shares of activities and
    of assessable linked outcome indicators)."""

    high_completion: Share
    low_completion: Share
    regressing_share: Share
    on_track_share: Share
    min_indicators: Annotated[StrictInt, Field(ge=1, le=50)]


class BaselineSettings(_Section):
    """The next plan's baseline: the "near" window and the recent-pace rule (years), the
    pace-ratio cut-offs (observed / required pace)."""

    near_years: Years
    trend_years: Annotated[StrictInt, Field(ge=1, le=50)]
    min_points: Annotated[StrictInt, Field(ge=2, le=50)]
    on_pace_ratio: Number
    reverse_ratio: Number

    @model_validator(mode="after")
    def _classes(self) -> BaselineSettings:
        if not self.reverse_ratio < self.on_pace_ratio:
            raise ValueError(
                f"reverse_ratio ({self.reverse_ratio:g}) must be below on_pace_ratio "
                f"({self.on_pace_ratio:g})"
            )
        return self


class ArchiveSettings(_Section):
    """Zip downloads: the largest member extracted, in MB (10**6 bytes) uncompressed."""

    max_member_mb: Annotated[StrictInt, Field(ge=1, le=100_000)]


class Settings(_Section):
    """All method settings of one run (see ``config/methods.yaml`` for each key's meaning)."""

    assessment: AssessmentSettings
    unsd: UnsdSettings
    escap: EscapSettings
    ols: OlsSettings
    availability: AvailabilitySettings
    aggregates: AggregateSettings
    beneficiaries: BeneficiarySettings
    plausibility: PlausibilitySettings
    coverage: CoverageSettings
    implementation: ImplementationSettings
    baseline: BaselineSettings
    archives: ArchiveSettings

    def method_edition(self, method: str | None = None) -> str:
        """Edition of ``method`` (default ``assessment.method``): ``unsd/escap/ols.edition``."""
        name = method or self.assessment.method
        return str(getattr(self, name).edition)

    def as_dict(self) -> dict[str, dict[str, Any]]:
        """Plain nested dict (lists for tuples), as written into ``manifest.json``."""
        return self.model_dump(mode="json")


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml_io.load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SettingsError(f"{path}: settings file not found") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: not a readable YAML file ({exc})") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SettingsError(f"{path}: expected sections such as 'unsd:' at the top level")
    return data


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), Mapping):
            merged[key] = _merge(base[key], value)
        else:
            merged[key] = value
    return merged


def _validate(data: Mapping[str, Any], source: str) -> Settings:
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top level)'}: {err['msg']}"
            for err in exc.errors()
        )
        raise SettingsError(f"{source}: {problems}") from None


@lru_cache(maxsize=1)
def default_settings() -> Settings:
    """The settings of ``config/methods.yaml`` (validated once per process)."""
    return _validate(_read_yaml(METHODS_FILE), str(METHODS_FILE))


def or_default(settings: Settings | None) -> Settings:
    """``settings``, or :func:`default_settings` when None (the analysis functions' rule).

    Raises
    ------
    TypeError
        When ``settings`` is neither None nor a :class:`Settings` (e.g. a plain dict: use
        :func:`load_settings` with ``overrides=`` to build one).
    """
    if settings is None:
        return default_settings()
    if not isinstance(settings, Settings):
        raise TypeError(
            f"settings must be a mtr_analysis.settings.Settings or None, got "
            f"{type(settings).__name__}: build one with load_settings(overrides=...)"
        )
    return settings


def load_settings(
    path: Path | str | None = None,
    overrides: Mapping[str, Any] | None = None,
    method: str | None = None,
) -> Settings:
    """Defaults overlaid with a user's settings file and then with ``overrides``.

    Parameters
    ----------
    path : path-like, optional
        A YAML file with any subset of the sections and keys of ``config/methods.yaml``.
        ``None`` or ``""`` means the defaults.
    overrides : mapping, optional
        Nested ``{section: {key: value}}`` applied last (for tests and notebooks).
    method : {"unsd", "escap", "ols"}, optional
        The progress method (``assessment.method``), applied after everything else
        (``mtr run --method``, the notebooks' ``method`` parameter); ``None`` or ``""``
        keeps the file's.

    Raises
    ------
    SettingsError
        The file is missing or unreadable, or a key is unknown or out of range (the message
        names the file and the dotted key).
    """
    data = _read_yaml(METHODS_FILE)
    sources = [str(METHODS_FILE)]
    if path:
        data = _merge(data, _read_yaml(Path(path)))
        sources = [str(path)]  # the shipped file is checked by the test suite
    if overrides:
        data = _merge(data, overrides)
        sources.append("overrides")
    if method:
        data = _merge(data, {"assessment": {"method": method}})
        sources.append(f"method {method!r}")
    return _validate(data, " + ".join(sources))


def _shown(value: Any) -> str:
    """A setting's value as plain text: numbers ``%g``, lists comma-separated, ``None`` "–"."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):  # cut-offs "0.95, 0.5"; unit rules one after another
        sep = "; " if value and isinstance(value[0], dict) else ", "
        return sep.join(_shown(v) for v in value)
    if isinstance(value, dict) and "rule" in value:  # a plausibility unit rule
        unit = f" {value['symbol']}" if value.get("symbol") else ""
        return (
            f"{value['rule']} ({value['pattern']}): "
            f"{_shown(value['lower'])} to {_shown(value['upper'])}{unit}"
        )
    if isinstance(value, dict):
        return "; ".join(f"{k} {_shown(v[0])} to {_shown(v[1])}" for k, v in value.items())
    return str(value)


def settings_rows(settings: Settings) -> list[tuple[str, str]]:
    """``(dotted key, value)`` pairs in file order, for a report's annex "Parameters"."""
    rows = []
    for section, values in settings.as_dict().items():
        for key, value in values.items():
            rows.append((f"{section}.{key}", _shown(value)))
    return rows
