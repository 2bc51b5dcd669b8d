"""Plain sentences on who benefited, from the head counts of ``analysis.beneficiaries``.

:func:`statements` turns each estimate of :func:`mtr_analysis.analysis.beneficiaries.estimate`
into one sentence ("About 1.9 million more people used safely managed sanitation in 2020
than in 2015; 1.4 million of the difference because the rate rose."), in English or
Vietnamese. The pieces of the sentences are the ``beneficiaries`` section of the word
catalogues (:mod:`mtr_analysis.reporting.i18n`); the population labels ("people using
safely managed sanitation") are the ``label_en`` / ``label_vi`` columns of the
denominator table (``config/denominators.csv``).
"""

from __future__ import annotations

import pandas as pd

from mtr_analysis.reporting import i18n


def people(n: float, lang: str = "en") -> str:
    """Round a head count for prose: 1.94e6 → "1.9 million", 12,345 → "12 thousand".

    The sign is dropped (sentences say "more" or "fewer"). Vietnamese writes the decimal
    of millions with a comma ("1,9 triệu").

    Examples
    --------
    >>> people(1.94e6), people(-12_345), people(950)
    ('1.9 million', '12 thousand', '950')
    """
    t = i18n.words("beneficiaries", lang)
    a = abs(n)
    if a >= 1e6:
        text = str(t["million"]).format(x=f"{a / 1e6:.1f}")
    elif a >= 1e4:
        text = str(t["thousand"]).format(x=f"{a / 1e3:.0f}")
    else:
        text = f"{a:,.0f}"
    return text.replace(".", ",") if lang == "vi" and a >= 1e6 else text


def _signed(n: float, lang: str) -> str:
    """A head count with its direction in words ("1.2 million more", "950 fewer")."""
    t = i18n.words("beneficiaries", lang)
    return str(t["signed_more" if n >= 0 else "signed_fewer"]).format(x=people(n, lang))


def statements(
    benef: pd.DataFrame, denominators: pd.DataFrame, lang: str = "en"
) -> list[tuple[str, str]]:
    """Plain statements, one per estimate: ``(indicator, sentence)``, in input order.

    Parameters
    ----------
    benef : pandas.DataFrame
        Output of :func:`mtr_analysis.analysis.beneficiaries.estimate`.
    denominators : pandas.DataFrame
        Output of :func:`mtr_analysis.analysis.beneficiaries.load_denominators` (gives the
        population labels ``label_en`` / ``label_vi``, indexed by indicator).
    lang : {"en", "vi"}

    Returns
    -------
    list of (str, str)
        Estimates without denominator data or without a change are left out.

    Notes
    -----
    The sentence states the change in people; then the people spared at baseline rates
    (``averted``, when known and non-zero) or else the part of the change due to the rate;
    then the range (``low``–``high``) when the population was interpolated or the rates
    have published bounds.
    """
    t = i18n.words("beneficiaries", lang)
    label_col = "label_vi" if lang == "vi" else "label_en"
    out = []
    for r in benef.itertuples(index=False):
        if "no_denominator_data" in r.flags or pd.isna(r.change):
            continue
        label = denominators.at[r.indicator, label_col]
        key = "more" if r.change >= 0 else "fewer"
        text = str(t[key]).format(change=people(r.change, lang), label=label, l=r.latest_year,
                                  b=r.baseline_year)  # fmt: skip
        if pd.notna(r.averted) and r.averted != 0:
            tmpl = str(t["averted"] if r.averted > 0 else t["worse"])
            text += tmpl.format(b=r.baseline_year, l=r.latest_year, label=label,
                                averted=people(r.averted, lang))  # fmt: skip
        elif r.change_due_to_rate != 0:
            moved = t["rose"] if r.change_due_to_rate > 0 else t["fell"]
            part = people(r.change_due_to_rate, lang)
            text += str(t["rate_part"]).format(part=part, moved=moved)
        if pd.notna(r.low):
            key = "range_bounds" if "rate_bounds" in r.flags else "range"
            text += str(t[key]).format(low=_signed(r.low, lang), high=_signed(r.high, lang))
        out.append((r.indicator, text + "."))
    return out
