"""The canonical observation: conform and validate, with provenance in every message."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtr_analysis.intake.schema import COLUMNS, SchemaError, conform, validate_observations


def _frame(n=2, **over):
    df = pd.DataFrame(
        {"country": ["VNM"] * n, "indicator": ["b_mmr"] * n, "year": list(range(2015, 2015 + n)),
         "value": [1.0] * n, "source": ["s"] * n, "file": ["f.csv"] * n,
         "locator": [f"line {i}" for i in range(n)]}
    )  # fmt: skip
    for k, v in over.items():
        df[k] = v
    return df


def test_conform_fills_defaults_and_orders_columns():
    out = conform(_frame())
    assert list(out.columns) == list(COLUMNS)
    assert out["sex"].tolist() == ["total", "total"] and out["flag"].tolist() == ["", ""]
    assert out["selected"].all() and str(out["year"].dtype) == "int64"


def test_conform_refuses_to_invent_provenance():
    with pytest.raises(SchemaError, match="lack required column.*locator"):
        conform(_frame().drop(columns="locator"))


@pytest.mark.parametrize(
    "over, message",
    [
        ({"value": [1.0, float("nan")]}, "1 row(s) have no value: f.csv line 1"),
        ({"year": [2015, 1900]}, "have a year outside 1960–2035: f.csv line 1"),
        ({"flag": ["", "guess"]}, "have an unknown flag"),
        ({"source": ["s", ""]}, "have no source"),
        ({"locator": ["line 0", ""]}, "have no provenance"),
        ({"year": [2015, 2015]}, "select more than one value for the same country"),
        ({"indicator": ["b_mmr", ""], "selected": [True, True]}, "selected but have no indicator"),
    ],
)
def test_validate_names_the_offending_rows(over, message):
    with pytest.raises(SchemaError) as exc:
        validate_observations(_frame(**over))
    assert message in str(exc.value)


def test_unselected_duplicates_and_vocabularies():
    ok = validate_observations(_frame(year=[2015, 2015], selected=[True, False]))
    assert ok["selected"].tolist() == [True, False]
    with pytest.raises(SchemaError, match="country that is not a member state"):
        validate_observations(_frame(country=["VNM", "FRA"]), countries={"VNM"})
    with pytest.raises(SchemaError, match="indicator not in the catalogue"):
        validate_observations(_frame(), indicators={"b_imr"})


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1960, 2035), st.floats(-1e9, 1e9)), min_size=0,
                max_size=8, unique_by=lambda t: t[0]))  # fmt: skip
def test_conform_is_idempotent_and_validation_keeps_values(points):
    df = _frame(n=len(points)) if points else _frame(n=0)
    if points:
        df["year"] = [p[0] for p in points]
        df["value"] = [p[1] for p in points]
    once = validate_observations(df)
    assert conform(once).equals(once)
    assert once["value"].tolist() == [p[1] for p in points]
