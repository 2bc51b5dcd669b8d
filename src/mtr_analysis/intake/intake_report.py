"""The intake report: ``intake.html``, a readable summary of what ``mtr build`` did.

:func:`render_html` turns the content of ``intake.json`` into one self-contained page
(inline CSS, no scripts, no external resources). Every piece of text that comes from a
data file or a path goes through :func:`mtr_analysis.text_safety.safe_text` (the same
treatment as the reports): escaped, so a file name or a series name can never inject
markup into the page, stripped of the controls that reverse or hide text, and cut to
:data:`~mtr_analysis.text_safety.TEXT_LIMIT` characters with the longer text in a tooltip.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from mtr_analysis.intake.schema import TOTAL
from mtr_analysis.paths import OUT_OF_SCOPE_FILE, REJECTS_FILE
from mtr_analysis.reference import registry
from mtr_analysis.reference.catalogue import Catalogue
from mtr_analysis.settings import Settings, or_default
from mtr_analysis.text_safety import safe_text

#: Flags of values that are not observations of their year (a value repeated from an
#: earlier year), so they do not count towards coverage.
NOT_OBSERVED = frozenset({"carried_forward"})

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:24px;
color:#1d2733;max-width:1200px}
h1{font-size:1.5em;margin-bottom:4px}h2{font-size:1.15em;margin-top:28px;
border-bottom:1px solid #d0d7de;padding-bottom:4px}
table{border-collapse:collapse;font-size:.86em;margin:8px 0}
th,td{border:1px solid #d0d7de;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#eef3f8}td.n{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#1a7f37}.bad{color:#b42318;font-weight:600}.muted{color:#57606a}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:10px 0}
.card{border:1px solid #d0d7de;border-radius:6px;padding:8px 12px;min-width:120px}
.card b{display:block;font-size:1.35em}
code{background:#f3f5f7;padding:0 3px;border-radius:3px}
"""


def _e(value: object) -> str:
    """Any value as safe HTML element text (:func:`~mtr_analysis.text_safety.safe_text`)."""
    return safe_text("" if value is None else value)


def visible(text: object) -> str:
    """``text`` with every invisible or non-printing character written as ``<U+XXXX>``.

    ``normalised_keys`` in ``intake.json`` holds a key as written with Python escapes
    (``V\\u200bNM``); this shows it as ``V<U+200B>NM``, so a reader sees where the
    zero-width space was.
    """
    raw = str(text).encode("ascii", "backslashreplace").decode("unicode_escape")
    return "".join(c if c.isprintable() else f"<U+{ord(c):04X}>" for c in raw)


def _num(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e6 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return _e(value)


def table(rows: Iterable[dict], columns: Sequence[tuple[str, str]], empty: str = "none") -> str:
    """An HTML table of ``rows`` (dicts) with ``columns`` as (key, heading) pairs.

    Numbers are right-aligned; every cell is escaped.
    """
    rows = list(rows)
    if not rows:
        return f'<p class="muted">{_e(empty)}</p>'
    head = "".join(f"<th>{_e(h)}</th>" for _, h in columns)
    body = []
    for r in rows:
        cells = []
        for key, _ in columns:
            v = r.get(key)
            numeric = isinstance(v, int | float) and not isinstance(v, bool)
            cells.append(f'<td class="n">{_num(v)}</td>' if numeric else f"<td>{_e(v)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _cards(totals: dict) -> str:
    items = [
        ("files", "files"),
        ("records_read", "records read"),
        ("accepted", "accepted"),
        ("rejected", "rejected"),
        ("out_of_scope", "out of scope"),
        ("selected", "selected for analysis"),
        ("conflicts", "conflicts"),
        ("revisions", "revisions"),
        ("unmapped_series", "unmapped series"),
        ("carried_forward", "carried-forward values"),
    ]
    return (
        '<div class="cards">'
        + "".join(
            f"<div class='card'><b>{_num(totals.get(k, 0))}</b>{_e(label)}</div>"
            for k, label in items
        )
        + "</div>"
    )


def _balance(f: dict) -> str:
    ok = f.get("accepted", 0) + f.get("rejected", 0) + f.get("out_of_scope", 0) == f.get(
        "records_read", 0
    )
    return '<span class="ok">✓</span>' if ok else '<span class="bad">✗</span>'


def _files_table(files: list[dict]) -> str:
    head = (
        "<tr><th>file</th><th>format</th><th>records read</th><th>accepted</th>"
        "<th>rejected</th><th>out of scope</th><th>adds up</th><th>why out of scope</th>"
        "<th>problem</th></tr>"
    )
    rows = []
    for f in files:
        reasons = "; ".join(f"{k}: {v:,}" for k, v in (f.get("out_of_scope_reasons") or {}).items())
        err = f.get("error") or ""
        rows.append(
            "<tr>"
            f"<td>{_e(f.get('path'))}</td><td>{_e(f.get('format') or '—')}</td>"
            + "".join(
                f'<td class="n">{_num(f.get(k, 0))}</td>'
                for k in ("records_read", "accepted", "rejected", "out_of_scope")
            )
            + f"<td>{_balance(f)}</td><td>{_e(reasons)}</td>"
            + (f'<td class="bad">{_e(err)}</td>' if err else "<td></td>")
            + "</tr>"
        )
    return f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"


#: Table columns (key in ``intake.json``, heading) of each list in the report.
UNMAPPED_COLUMNS = (
    ("series", "series"),
    ("records", "records"),
    ("values_kept", "values kept"),
    ("countries", "member states"),
    ("sources", "sources"),
    ("files", "files"),
)
POVERTY_COLUMNS = (
    ("source_series", "series (line)"),
    ("source", "source"),
    ("values", "values"),
    ("selected", "selected"),
    ("countries", "countries"),
)
CONFLICT_COLUMNS = (
    ("country", "country"),
    ("indicator", "indicator"),
    ("year", "year"),
    ("sex", "sex"),
    ("age", "age"),
    ("location", "location"),
    ("selected_value", "selected"),
    ("selected_source", "selected source"),
    ("other_value", "other"),
    ("other_source", "other source"),
    ("rel_diff", "rel. diff."),
    ("conflict", "kind"),
    ("rule", "rule that chose"),
)
NORMALISED_COLUMNS = (
    ("path", "file"),
    ("column", "column"),
    ("found", "found"),
    ("read_as", "read as"),
    ("records", "records"),
)
SUSPECT_COLUMNS = (
    ("file", "file"),
    ("locator", "cell or row"),
    ("country", "country"),
    ("indicator", "indicator"),
    ("year", "year"),
    ("value", "value"),
    ("rule", "rule"),
)
REVISION_COLUMNS = (
    ("country", "country"),
    ("indicator", "indicator"),
    ("year", "year"),
    ("source_series", "series"),
    ("new_vintage", "new vintage"),
    ("new_value", "new"),
    ("old_vintage", "old vintage"),
    ("old_value", "old"),
    ("rel_change", "rel. change"),
)


def _summary(intake: dict, title: str) -> list[str]:
    """Title, raw folders, the totals as cards and what accepted/rejected/out of scope mean."""
    outputs = intake.get("outputs", {})
    return [
        f"<h1>{_e(title)}</h1>",
        "<p class='muted'>Raw folders: "
        + ", ".join(f"<code>{_e(d)}</code>" for d in intake.get("raw_dirs", []))
        + "</p>",
        _cards(intake.get("totals", {})),
        "<p>Every record (one non-empty value cell) is <b>accepted</b>, <b>rejected</b> with a "
        "reason (<code>" + _e(outputs.get("rejects", REJECTS_FILE)) + "</code>) or "
        "<b>out of scope</b> (aggregates, non-member countries, missing-value markers, "
        "series not in the catalogue).</p>",
    ]


def _file_sections(intake: dict) -> list[str]:
    """Per-file account, files not recognised and files that could not be read."""
    return [
        "<h2>Files</h2>",
        _files_table(intake.get("files", [])),
        "<h2>Files not recognised</h2>",
        table(intake.get("unrecognised", []), [("path", "file"), ("reason", "reason")]),
        "<h2>Files that could not be read</h2>",
        table(
            intake.get("unreadable", []),
            [("path", "file"), ("format", "format"), ("reason", "reason")],
        ),
    ]


def _value_sections(intake: dict) -> list[str]:
    """Rejected values by reason, unmapped series, selected values by source, poverty lines."""
    outputs = intake.get("outputs", {})
    rejected = intake.get("rejected_by_reason", {}).items()
    selected = intake.get("selected_by_source", {}).items()
    return [
        "<h2>Rejected values by reason</h2>",
        table(
            [{"reason": k, "count": v} for k, v in rejected],
            [("reason", "reason"), ("count", "values")],
        ),
        "<h2>Series not in the catalogue</h2>",
        "<p>Kept in <code>"
        + _e(outputs.get("out_of_scope", OUT_OF_SCOPE_FILE))
        + "</code> but never analysed. Map a series in the catalogue to use it.</p>",
        table(intake.get("unmapped_series", []), UNMAPPED_COLUMNS),
        "<h2>Selected values by source</h2>",
        table(
            [{"kind": k, "n": v} for k, v in selected],
            [("kind", "source kind"), ("n", "values selected")],
        ),
        "<h2>Poverty lines</h2>",
        "<p>The World Bank's international poverty line changed under the same code "
        "(<code>SI.POV.DDAY</code>: $1.90 (2011 PPP) → $2.15 (2017 PPP) → $3.00 (2021 PPP), "
        "June 2025). Each value is tagged with its line; a country's series uses only its "
        "newest line, older lines are kept but not selected.</p>",
        table(intake.get("poverty_lines", []), POVERTY_COLUMNS),
    ]


def _listed(part: dict, extra: str = "") -> str:
    """ "N listed in <file>; the largest M below." for conflicts and revisions."""
    return (
        f"<p>{_num(part.get('count', 0))} listed in <code>{_e(part.get('file', ''))}</code>"
        f"; the largest {_num(len(part.get('largest', [])))} below.{extra}</p>"
    )


def _comparison_sections(intake: dict) -> list[str]:
    """Conflicts (between sources, resubmissions, within one file) with their kind and rule,
    and revisions between vintages (largest first)."""
    conf = intake.get("conflicts", {})
    rev = intake.get("revisions", {})
    return [
        "<h2>Conflicts: the same key with different values</h2>",
        "<p>Between sources when the relative difference exceeds "
        f"{_num(conf.get('tolerance', 0))}; between resubmissions and within one file "
        "whatever the difference. <i>Rule</i> says what chose the selected value.</p>",
        _listed(conf),
        table(conf.get("largest", []), CONFLICT_COLUMNS),
        f"<h2>Revisions between vintages (relative change &gt; "
        f"{_num(rev.get('tolerance', 0))})</h2>",
        _listed(rev, " The newest vintage is selected."),
        table(rev.get("largest", []), REVISION_COLUMNS),
    ]


def _plausibility_sections(part: dict) -> list[str]:
    """Implausible values rejected by rule, and the suspect values kept with their rule."""
    rejected = (part.get("rejected_by_rule") or {}).items()
    suspect = (part.get("suspect_by_rule") or {}).items()
    # Years as text: a year is a label, not a number to group with thousands separators.
    listed = [{**r, "year": str(r.get("year", ""))} for r in part.get("suspect", [])]
    count = part.get("suspect_count", len(listed))
    more = f" The first {_num(len(listed))} are listed." if count > len(listed) else ""
    return [
        "<h2>Implausible values rejected, by rule</h2>",
        "<p>Values impossible for their unit or indicator (rules in the <code>plausibility"
        "</code> section of the method settings), from every source; each is in <code>"
        + _e(REJECTS_FILE)
        + "</code> with its rule.</p>",
        table(
            [{"rule": k, "count": v} for k, v in rejected],
            [("rule", "rule"), ("count", "values")],
        ),
        "<h2>Suspect values (kept, flagged)</h2>",
        f"<p>{_num(count)} values are possible but out of line with their series' own "
        "history: kept with flag <code>suspect</code>, marked in the trend charts. Check "
        f"them against the source.{more}</p>",
        table(
            [{"rule": k, "count": v} for k, v in suspect],
            [("rule", "rule"), ("count", "values")],
        ),
        table(listed, SUSPECT_COLUMNS),
    ]


def _reading_sections(intake: dict) -> list[str]:
    """Keys changed by invisible characters and files read with notes; each section only
    when it has rows."""
    keys = [{**k, "found": visible(k.get("found", ""))} for k in intake.get("normalised_keys", [])]
    notes = [
        {"path": f.get("path"), "note": n}
        for f in intake.get("read_with_notes", [])
        for n in f.get("notes", [])
    ]
    parts = []
    if keys:
        parts += [
            "<h2>Keys with invisible characters (normalised)</h2>",
            "<p>Country and series codes or names written with invisible characters "
            "(shown as <code>&lt;U+XXXX&gt;</code>) were read without them.</p>",
            table(keys, NORMALISED_COLUMNS),
        ]
    if notes:
        parts += [
            "<h2>Files read with notes</h2>",
            "<p>Read anyway; check that the notes are what the file meant.</p>",
            table(notes, [("path", "file"), ("note", "note")]),
        ]
    return parts


def _priority_section(prio: dict) -> list[str]:
    """The source priority used: order and how ``source`` text is classified."""
    return [
        "<h2>Source priority</h2>",
        "<p>Order (first wins): "
        + " → ".join(f"<code>{_e(k)}</code>" for k in prio.get("order", []))
        + "; within a source the newest vintage wins.</p>",
        table(prio.get("kinds", []), [("kind", "kind"), ("pattern", "source text pattern")]),
    ]


def _counted(obs: pd.DataFrame, countries: list[str]) -> pd.DataFrame:
    """Selected, all-total values of member states that are observations of their year."""
    keep = obs["selected"].astype(bool) & obs["country"].isin(countries)
    for col in ("sex", "age", "location"):
        keep &= obs[col].astype(str).eq(TOTAL)
    keep &= ~obs["flag"].astype(str).isin(NOT_OBSERVED)
    return obs.loc[keep, ["country", "indicator", "year", "source", "source_series"]]


def _two_or_more(vals: pd.DataFrame, window: tuple[int, int], min_points: int) -> pd.Series:
    """Per indicator: member states with at least ``min_points`` distinct years in window."""
    inside = vals.loc[vals["year"].between(*window)]
    years = inside.groupby(["indicator", "country"])["year"].nunique()
    return years.ge(min_points).groupby(level="indicator").sum()


def catalogue_coverage(
    obs: pd.DataFrame, catalogue: Catalogue, settings: Settings | None = None
) -> dict:
    """Catalogue coverage of the store: per indicator and in total, against the targets.

    Parameters
    ----------
    obs : pandas.DataFrame
        The store (``observations.parquet``: country, indicator, year, sex, age, location,
        flag, source, source_series, selected).
    catalogue : Catalogue
        Indicators (rows of the table, in catalogue order) and review windows
        (``baseline_year`` to ``cutoff_year`` of each review).
    settings : Settings, optional
        ``escap.min_points``/``escap.min_share`` (the regional rule) and
        ``coverage.target_*``.

    Returns
    -------
    dict
        ``windows`` (review → [first, last] year), ``member_states`` (n), ``indicators``
        (one dict per catalogue indicator: ``id``, ``name``, ``countries`` with any value,
        ``<review>`` = member states with ``min_points`` or more distinct years in that
        window, ``<review>_assessable`` = that count / n > ``min_share``, ``sources`` and
        ``series`` used), ``totals`` (``with_values``, ``assessable`` = end-term
        assessable) and ``targets`` with ``met`` per target.

    Notes
    -----
    Only selected values count, all-total (no sex/age/location breakdown), of the member
    states (not Timor-Leste), not carried forward from an earlier year.
    """
    s = or_default(settings)
    countries = registry.iso3_codes()
    vals = _counted(obs, countries)
    # A baseline review (next-plan) has a one-year window: "two values in it" means nothing.
    windows = {
        name: (int(r["baseline_year"]), int(r["cutoff_year"]))
        for name, r in catalogue.reviews.items()
        if r.get("kind") != "baseline"
    }
    any_value = vals.groupby("indicator")["country"].nunique()
    counts = {w: _two_or_more(vals, win, s.escap.min_points) for w, win in windows.items()}
    by_ind = vals.groupby("indicator")
    rows = []
    for ind in catalogue.indicators.index:
        row = {"id": ind, "name": catalogue.name(ind), "countries": int(any_value.get(ind, 0))}
        for w in windows:
            n = int(counts[w].get(ind, 0))
            row[w] = n
            row[f"{w}_assessable"] = n / len(countries) > s.escap.min_share
        got = by_ind.get_group(ind) if ind in any_value.index else vals.iloc[:0]
        row["sources"] = "; ".join(sorted(set(got["source"])))
        row["series"] = ", ".join(sorted(set(got["source_series"])))
        rows.append(row)
    end = "end-term" if "end-term" in windows else next(iter(windows), "")
    totals = {
        "indicators": len(rows),
        "with_values": sum(r["countries"] > 0 for r in rows),
        "assessable": sum(bool(r.get(f"{end}_assessable")) for r in rows),
    }
    targets = {
        "with_values": {"target": s.coverage.target_with_values},
        "assessable": {"target": s.coverage.target_assessable, "window": end},
    }
    for key, t in targets.items():
        t["met"] = totals[key] >= t["target"]
    return {
        "windows": {w: list(v) for w, v in windows.items()},
        "member_states": len(countries),
        "min_points": s.escap.min_points,
        "min_share": s.escap.min_share,
        "indicators": rows,
        "totals": totals,
        "targets": targets,
    }


def coverage_lines(cov: dict) -> list[str]:
    """The two coverage totals against their targets, one line each (``mtr build``)."""
    if not cov:
        return []
    t, g = cov["totals"], cov["targets"]
    wv, asb = g["with_values"], g["assessable"]
    return [
        f"catalogue coverage: {t['with_values']} of {t['indicators']} indicators with a value "
        f"for some member state (target {wv['target']}: {'met' if wv['met'] else 'NOT met'})",
        f"catalogue coverage: {t['assessable']} of {t['indicators']} indicators assessable for "
        f"the region in the {asb['window']} window (target {asb['target']}: "
        f"{'met' if asb['met'] else 'NOT met'})",
    ]


def _coverage_section(cov: dict) -> list[str]:
    """The catalogue-coverage table (only when ``intake.json`` has one)."""
    if not cov:
        return []
    # By end year, not dict order: intake.json is written with sorted keys.
    windows = sorted(cov["windows"], key=lambda w: cov["windows"][w][::-1])
    cols = [("id", "indicator"), ("name", "name"), ("countries", "member states with a value")]
    for w in windows:
        first, last = cov["windows"][w]
        cols.append((w, f"with {cov['min_points']}+ values {first}–{last} ({w})"))
    cols += [("sources", "sources"), ("series", "series")]
    lines = "".join(f"<li>{_e(line)}</li>" for line in coverage_lines(cov))
    return [
        "<h2>Catalogue coverage</h2>",
        f"<ul>{lines}</ul>",
        f"<p class='muted'>Of {cov['member_states']} member states; an indicator is assessable "
        f"for the region when more than {round(100 * cov['min_share'])}% of them have "
        f"{cov['min_points']} or more values in the window. Selected, all-total values only; "
        "values carried forward from an earlier year do not count.</p>",
        table(cov["indicators"], cols),
    ]


def render_html(intake: dict, title: str = "mtr build — intake report") -> str:
    """Render the content of ``intake.json`` as a self-contained HTML page.

    Sections: totals; per-file account (with a check that accepted + rejected + out of
    scope = records read); files not recognised or not readable; keys normalised from
    invisible characters and files read with notes (only when there are any); rejected values by
    reason; unmapped series; selected values by source; poverty lines; implausible values
    by rule and suspect values (file, country, indicator, year, value, rule); conflicts
    (with their kind and the rule that chose); revisions between vintages; the priority used.
    """
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>",
        *_summary(intake, title),
        *_coverage_section(intake.get("coverage", {})),
        *_file_sections(intake),
        *_reading_sections(intake),
        *_value_sections(intake),
        *_plausibility_sections(intake.get("plausibility", {})),
        *_comparison_sections(intake),
        *_priority_section(intake.get("priority", {})),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"
