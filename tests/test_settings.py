"""Tests for mtr_analysis.settings: the shipped method settings and their validation."""

from __future__ import annotations

import json
import re
from fractions import Fraction

import pytest
import yaml
from pydantic import ValidationError

from mtr_analysis import paths
from mtr_analysis.settings import (
    Settings,
    SettingsError,
    default_settings,
    load_settings,
    or_default,
    settings_rows,
)


def shipped_yaml() -> dict:
    return yaml.safe_load(paths.METHODS_FILE.read_text(encoding="utf-8"))


def methods_note() -> str:
    """Text of ``../shared/spec/methods.md`` (searched upwards from the checkout)."""
    for parent in paths.ROOT.parents:
        note = parent / "shared" / "spec" / "methods.md"
        if note.is_file():
            return note.read_text(encoding="utf-8")
    pytest.skip("shared/spec/methods.md not found next to the checkout")


def published_numbers(text: str) -> tuple[float, ...]:
    """Numbers in ``text``, with the typographic minus sign read as '-'."""
    return tuple(float(x) for x in re.findall(r"[−-]?\d+(?:\.\d+)?", text.replace("−", "-")))


# ----------------------------------------------------------------------------- shipped file
def test_shipped_file_loads_and_every_key_is_in_it():
    settings = default_settings()
    assert isinstance(settings, Settings)
    assert load_settings() == settings
    data = shipped_yaml()
    # Every field is required: the YAML holds every key, so it is the only home of a value.
    assert {s: set(v) for s, v in settings.as_dict().items()} == {
        s: set(v) for s, v in data.items()
    }
    for section, values in data.items():
        for key in values:
            incomplete = {s: dict(v) for s, v in data.items()}
            del incomplete[section][key]
            with pytest.raises(ValidationError, match=rf"{section}\.{key}\s+Field required"):
                Settings.model_validate(incomplete)


def test_shipped_unsd_cut_offs_are_the_published_ones():
    # spec/methods.md, section 3.1 "UN SDG Progress Chart / SDG Report progress assessment
    # (UNSD)": "UNSD 5-level scale ... cut-offs 0.95, 0.5, 0.1, −0.1" (progress ratio) and
    # "UNSD 5-level cut-offs believed to be 2 %, 1 %, 0.5 %, −0.5 %" (growth rate).
    note = methods_note()
    section = note[note.index("### 3.1") : note.index("### 3.2")]
    ratio = re.search(r"cut-offs\s+([−\d.,\s-]+?)\.\s", section)
    rate = re.search(r"5-level cut-offs believed to be\s+([−\d.%,\s-]+?)\.\s", section)
    assert ratio and rate, "section 3.1 of methods.md no longer states the cut-offs"
    unsd = default_settings().unsd
    assert unsd.thresholds == published_numbers(ratio.group(1))
    assert unsd.cagr_bands == pytest.approx([x / 100 for x in published_numbers(rate.group(1))])
    # "a latest value within 1 point of a 0 % / 100 % target counts as met"
    near = re.search(r"within\s+(\d+(?:\.\d+)?) point of a 0 % / 100 % target", section)
    assert near and unsd.near_limit_tolerance == float(near.group(1))


def test_fraction_text_parses():
    assert load_settings(overrides={"aggregates": {"min_coverage": "2/3"}}).aggregates == (
        load_settings(overrides={"aggregates": {"min_coverage": 2 / 3}}).aggregates
    )
    share = load_settings(overrides={"escap": {"min_share": " 1 / 2 "}}).escap.min_share
    assert share == float(Fraction(1, 2))
    # The shipped file writes the World Bank rule as a fraction: it is read exactly.
    written = str(shipped_yaml()["aggregates"]["min_coverage"])
    assert default_settings().aggregates.min_coverage == float(Fraction(written))


# ----------------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"unsd": {"cut_offs": [1, 0]}}, "unsd.cut_offs"),  # unknown key
        ({"trends": {"method": "unsd"}}, "trends"),  # unknown section
        ({"unsd": {"thresholds": [0.5, 0.95, 0.1, -0.1]}}, "unsd.thresholds"),  # not decreasing
        ({"unsd": {"cagr_bands": [0.02, 0.01, 0.01, -0.005]}}, "unsd.cagr_bands"),  # tie
        ({"unsd": {"thresholds": [0.95, 0.5, 0.1]}}, "unsd.thresholds"),  # three values
        ({"aggregates": {"min_coverage": 1.5}}, "aggregates.min_coverage"),  # share > 1
        ({"aggregates": {"min_coverage": 0}}, "aggregates.min_coverage"),  # never publishable
        ({"escap": {"min_share": "3/2"}}, "escap.min_share"),  # share > 1 as a fraction
        ({"escap": {"min_share": "half"}}, "escap.min_share"),  # bad type
        ({"availability": {"stale_after": "three"}}, "availability.stale_after"),  # bad type
        ({"availability": {"stale_after": True}}, "availability.stale_after"),  # YAML `yes`
        ({"availability": {"baseline_tolerance": -1}}, "availability.baseline_tolerance"),
        ({"availability": {"stale_after": 2.5}}, "availability.stale_after"),
        ({"ols": {"confidence": 1.5}}, "ols.confidence"),
        ({"escap": {"logit_clip": 0.5}}, "escap.logit_clip"),
        ({"unsd": {"near_limit_tolerance": float("nan")}}, "unsd.near_limit_tolerance"),
        ({"assessment": {"method": "sdsn"}}, "assessment.method"),
    ],
)
def test_validation_errors_name_the_key(overrides, key):
    with pytest.raises(SettingsError, match=re.escape(key)):
        load_settings(overrides=overrides)


def test_errors_name_the_user_file(tmp_path):
    user = tmp_path / "mine.yaml"
    user.write_text("unsd:\n  thresholds: [0.1, 0.5, 0.9, 0.95]\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"mine\.yaml: unsd\.thresholds.*decreasing"):
        load_settings(user)
    with pytest.raises(SettingsError, match="not found"):
        load_settings(tmp_path / "missing.yaml")
    (tmp_path / "list.yaml").write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="top level"):
        load_settings(tmp_path / "list.yaml")


# ----------------------------------------------------------------------------- overlay
def test_user_file_overlays_only_the_keys_it_names(tmp_path):
    user = tmp_path / "review.yaml"
    user.write_text(
        "availability:\n  stale_after: 5\naggregates:\n  min_coverage: 1/2\n", encoding="utf-8"
    )
    loaded = load_settings(user).as_dict()
    expected = default_settings().as_dict()
    expected["availability"]["stale_after"] = 5
    expected["aggregates"]["min_coverage"] = 0.5
    assert loaded == expected
    # Overrides go on top of the file.
    both = load_settings(user, overrides={"availability": {"stale_after": 7}})
    assert both.availability.stale_after == 7 and both.aggregates.min_coverage == 0.5
    assert load_settings("") == default_settings()


def test_settings_are_frozen_and_serialisable():
    settings = default_settings()
    with pytest.raises(ValidationError):
        settings.unsd.near_limit_tolerance = 2.0  # type: ignore[misc]
    assert json.loads(json.dumps(settings.as_dict())) == settings.as_dict()
    rows = settings_rows(settings)
    assert [key for key, _ in rows] == [
        f"{section}.{key}" for section, values in shipped_yaml().items() for key in values
    ]
    assert all(isinstance(value, str) and value for _, value in rows)


def test_or_default():
    assert or_default(None) is default_settings()
    custom = load_settings(overrides={"availability": {"stale_after": 4}})
    assert or_default(custom) is custom
    with pytest.raises(TypeError, match="load_settings"):
        or_default({"availability": {"stale_after": 4}})  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- plausibility
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"units": [{"rule": "x", "pattern": "(", "lower": 0, "upper": None, "symbol": ""}]},
         r"plausibility\.units\.0\.pattern.*not a regular expression"),
        ({"units": [{"rule": "x", "pattern": ".", "lower": 5, "upper": 1, "symbol": ""}]},
         r"plausibility\.units\.0.*lower bound 5 must be below the upper bound 1"),
        ({"units": []}, r"plausibility\.units"),
        ({"bounds": {"b_life_expectancy": [100, 10]}},
         r"plausibility\.bounds.*b_life_expectancy: lower bound 100 must be below"),
        ({"bounds": {"b_life_expectancy": [True, 10]}}, r"plausibility\.bounds"),
        ({"scale_factor": 1}, r"plausibility\.scale_factor"),
        ({"jump_min_points": 2}, r"plausibility\.jump_min_points"),
        ({"max_magnitude": 0}, r"plausibility\.max_magnitude"),
    ],
)  # fmt: skip
def test_plausibility_settings_are_validated(overrides, message):
    with pytest.raises(SettingsError, match=message):
        load_settings(overrides={"plausibility": overrides})


def test_plausibility_rows_are_readable():
    rows = dict(settings_rows(default_settings()))
    assert "share (^%): 0 to 100 %" in rows["plausibility.units"]
    assert "rate of change (per year|growth|change): – to –" in rows["plausibility.units"]
    assert "b_life_expectancy 10 to 100" in rows["plausibility.bounds"]
    assert rows["plausibility.max_magnitude"] == "1e+15"
    # Integers in YAML bounds are read as numbers.
    assert default_settings().plausibility.bounds["e_human_capital_index"] == (0.0, 1.0)
