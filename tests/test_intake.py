"""intake.html: self-contained, escaped, and consistent with intake.json."""

from __future__ import annotations

import json
import re

from mtr_analysis import paths
from mtr_analysis.intake import intake_report
from mtr_analysis.intake.build import build

EVIL = '<script>alert("x")</script>'


def _sample_intake():
    return {
        "raw_dirs": ["data/raw"],
        "totals": {"files": 2, "records_read": 5, "accepted": 3, "rejected": 1,
                   "out_of_scope": 1, "selected": 3},
        "files": [
            {"path": f"a{EVIL}.csv", "format": "wdi_csv", "records_read": 5, "accepted": 3,
             "rejected": 1, "out_of_scope": 1, "error": "",
             "out_of_scope_reasons": {"series not in the catalogue": 1}},
            {"path": "b.csv", "format": "wdi_csv", "records_read": 4, "accepted": 1,
             "rejected": 0, "out_of_scope": 0, "error": f"SourceError: {EVIL}"},
        ],
        "unrecognised": [{"path": "x.dat", "reason": "not recognised: <b>?</b>"}],
        "unmapped_series": [{"series": EVIL, "records": 1, "values_kept": 1, "countries": 1,
                             "sources": "s", "files": "a.csv"}],
        "rejected_by_reason": {"not a number": 1},
        "conflicts": {"count": 0, "tolerance": 0.05, "file": "conflicts.csv", "largest": []},
        "revisions": {"count": 0, "tolerance": 0.05, "file": "revisions.csv", "largest": []},
        "priority": {"order": ["national", "wdi"], "kinds": []},
    }  # fmt: skip


def test_every_text_from_files_is_escaped():
    page = intake_report.render_html(_sample_intake())
    assert "<script" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<b>?</b>" not in page


def test_page_is_self_contained():
    page = intake_report.render_html(_sample_intake())
    assert "<style>" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "<link" not in page and "@import" not in page and "url(" not in page


def test_unbalanced_file_is_marked():
    page = intake_report.render_html(_sample_intake())
    assert page.count('class="ok">✓') == 1 and page.count('class="bad">✗') == 1


def test_built_report_matches_intake_json(demo_raw, tmp_path):
    build([demo_raw], tmp_path)
    data = json.loads((tmp_path / paths.INTAKE_FILE).read_text(encoding="utf-8"))
    page = (tmp_path / paths.INTAKE_HTML).read_text(encoding="utf-8")
    assert page == intake_report.render_html(data)
    for f in data["files"]:
        assert f["path"] in page or intake_report._e(f["path"]) in page
    assert f"<b>{data['totals']['records_read']:,}</b>records read" in page
    assert "not a number: about 5" not in page  # cell contents are in rejects.csv, not here
    assert "not a number" in page


def test_plausibility_sections_list_rules_and_suspect_values():
    intake = _sample_intake()
    intake["plausibility"] = {
        "rejected_by_rule": {"share above 100 %": 2},
        "suspect_by_rule": {"looks scaled by 1/100": 1},
        "suspect_count": 1,
        "suspect": [{"file": f"w{EVIL}.csv", "locator": "line 6, column 2013", "country": "VNM",
                     "indicator": "b_water_safely_managed", "year": 2013, "value": 0.47,
                     "rule": "looks scaled by 1/100 (0.47 in a series with median 48.5)"}],
    }  # fmt: skip
    page = intake_report.render_html(intake)
    assert "<script" not in page
    section = page[page.index("Implausible values rejected, by rule") :]
    assert '<td>share above 100 %</td><td class="n">2</td>' in section
    assert "Suspect values (kept, flagged)" in section
    row = re.search(r"<tr><td>w&lt;script&gt;.*?</tr>", section).group(0)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    assert cells[1:] == ["line 6, column 2013", "VNM", "b_water_safely_managed", "2013", "0.47",
                         "looks scaled by 1/100 (0.47 in a series with median 48.5)"]  # fmt: skip
    # A report of an older intake.json (no plausibility part) still renders.
    assert "none" in intake_report.render_html(_sample_intake())


LE_HEADER = "Country Name,Country Code,Series Name,Series Code,2015 [YR2015]"
LE = '"Life expectancy at birth, total (years)",SP.DYN.LE00.IN'
FOOTER = "\n\nData from database: World Development Indicators\nLast Updated: 07/13/2026\n"


def _section(page: str, heading: str) -> str:
    """The HTML from ``heading`` to the next ``<h2>``."""
    start = page.index(heading)
    end = page.find("<h2>", start + 1)
    return page[start : end if end > 0 else None]


def test_built_report_shows_conflicts_normalised_keys_and_notes(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    long_series = "X" * 400
    rows = [
        f"Viet Nam,V\u200bNM,{LE},73.1",  # a zero-width space inside the code
        f"Thailand,THA,{LE},76.0",
        f"Thailand,THA,{LE},77.5",  # the same key again in one file: a conflict
        f"Thailand,THA,Odd series,{long_series},5",
    ]
    # A file name with a right-to-left override, which would display reversed.
    (raw / "db\u202etxt.csv").write_text(
        LE_HEADER + "\n" + "\n".join(rows) + FOOTER, encoding="utf-8"
    )
    semi = f"{LE_HEADER}\nLao PDR,LAO,{LE},68,1\n".replace(",", ";").replace("68;1", "68,1")
    (raw / "semi.csv").write_text(semi + FOOTER, encoding="utf-8")
    build([raw], tmp_path / "out")
    page = (tmp_path / "out" / paths.INTAKE_HTML).read_text(encoding="utf-8")
    assert "\u202e" not in page and "dbtxt.csv" in page

    conflicts = _section(page, "<h2>Conflicts: the same key with different values</h2>")
    assert "<th>kind</th><th>rule that chose</th>" in conflicts
    assert (
        "<td>within one file</td><td>same file: first cell kept (line 3, column 2015 over "
        "line 4, column 2015)</td>" in conflicts
    )
    assert "source disagreements" not in page and "<b>1</b>conflicts" in page

    keys = _section(page, "<h2>Keys with invisible characters (normalised)</h2>")
    assert (
        "<tr><td>dbtxt.csv</td><td>country</td><td>V&lt;U+200B&gt;NM</td><td>VNM</td>"
        '<td class="n">1</td></tr>' in keys
    )
    notes = _section(page, "<h2>Files read with notes</h2>")
    assert (
        "<tr><td>semi.csv</td><td>separator &#x27;;&#x27; detected (decimal commas read as "
        "points)</td></tr>" in notes
    )
    # A 400-character series name is cut to 300 with the whole text in a tooltip.
    assert f'title="{long_series}">{"X" * 300}…</span>' in page
    assert f">{long_series}<" not in page


def test_reading_sections_only_when_non_empty():
    page = intake_report.render_html(_sample_intake())
    assert "Keys with invisible characters" not in page
    assert "Files read with notes" not in page
    intake = {**_sample_intake(), "read_with_notes": [{"path": "u.csv", "notes": ["a", "b"]}]}
    notes = _section(intake_report.render_html(intake), "<h2>Files read with notes</h2>")
    assert notes.count("<td>u.csv</td>") == 2


def test_invisible_characters_are_made_visible():
    assert intake_report.visible("V\\u200bNM") == "V<U+200B>NM"
    assert intake_report.visible("\\ufeffViet\\xa0Nam") == "<U+FEFF>Viet<U+00A0>Nam"
    assert intake_report.visible("C\u00f4te d'Ivoire") == "C\u00f4te d'Ivoire"
