import math

import pandas as pd

from mtr_analysis.clean import parse_values


def test_numbers_missing_markers_censored_and_separators():
    raw = pd.Series(["1.5", "", "..", "n.a.", "N", "-", "<2.5", ">95", "1 234 567", "1,234.5",
                     "abc", "-3e2", " 7 ", "1,23", None])  # fmt: skip
    out = parse_values(raw)
    expected = [1.5, None, None, None, None, None, 2.5, 95, 1234567, 1234.5, None, -300, 7, None,
                None]  # fmt: skip
    for got, exp in zip(out["value"], expected):
        assert (math.isnan(got) and exp is None) or got == exp
    assert out["missing"].tolist() == [False, True, True, True, True, True, False, False, False,
                                       False, False, False, False, False, True]  # fmt: skip
    assert out.loc[6, "flag"] == "censored_lt" and out.loc[7, "flag"] == "censored_gt"
    assert out.loc[10, "reason"] == "not a number: abc"
    assert out.loc[13, "reason"] == "not a number: 1,23"  # not a thousands grouping
    assert (out.loc[out["missing"], "reason"] == "").all()
