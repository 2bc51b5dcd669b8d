"""ASEANstats export checked against the raw CSV parsed with the csv module."""

import csv
import io

import pytest

from mtr_analysis.intake.clean import parse_values
from mtr_analysis.intake.sources import SourceError, aseanstats, detect_format
from mtr_analysis.reference import registry

TOURISM = "other/aseanstats/dulich-Data.csv"


@pytest.fixture(scope="module")
def raw_rows(real_dir):
    text = (real_dir / TOURISM).read_bytes().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture(scope="module")
def records(real_dir):
    return aseanstats.read(real_dir / TOURISM, real_dir)


def test_detected_from_content(real_dir, tmp_path):
    renamed = tmp_path / "export.dat"
    renamed.write_bytes((real_dir / TOURISM).read_bytes())
    assert detect_format(renamed) == ("aseanstats", "")
    # The same table without the "Name [XX]" labels is not recognised as ASEANstats.
    text = (real_dir / TOURISM).read_bytes().decode("utf-8-sig")
    stripped = tmp_path / "dulich-Data.csv"
    stripped.write_text(text.replace(" [", " (").replace("]", ")"), encoding="utf-8")
    assert detect_format(stripped)[0] is None


def test_values_carried_labels_and_locators(raw_rows, records):
    header = raw_rows[1]
    assert header[:2] == ["Destination Country", "Origin Country"]
    years = {j: int(h) for j, h in enumerate(header) if h.isdigit()}
    # Rows of destination Cambodia: the first names it, the next ones leave it blank.
    start = next(i for i, r in enumerate(raw_rows) if r[0] == "Cambodia")
    block = [start]
    while raw_rows[block[-1] + 1][0] == "":
        block.append(block[-1] + 1)
    assert len(block) > 5
    got = records[records["country"] == "Cambodia"]
    for i in block:
        row = raw_rows[i]
        origin = got[got["series"] == f"Origin Country: {row[1]}"].set_index("year")
        expected = {y: row[j] for j, y in years.items() if row[j]}
        assert origin["raw"].to_dict() == expected  # "369 335" as written
        for y in expected:
            assert origin.loc[y, "locator"] == f"line {i + 1}, column {y}"
    thai = got[got["series"] == "Origin Country: Thailand [TH]"].set_index("year")
    assert thai.loc[2023, "raw"] == "1 820 460"
    assert parse_values(thai["raw"]).loc[2019, "value"] == 466493.0  # "466 493"
    non_empty = sum(1 for r in raw_rows[2:] for j in years if j < len(r) and r[j].strip())
    assert len(records) == non_empty
    assert set(records["source"]) == {"ASEANstats (ASEAN Secretariat) data portal export"}


def test_destinations_are_member_states(records):
    names = set(records["country"])
    assert "Timor-Leste" in names and "Viet Nam" in names
    iso3 = registry.harmonise(sorted(names), include_optional=True).iso3
    assert iso3.notna().all()
    assert not any("Total" in n for n in names)  # "Total Intra-ASEAN" is an origin, not a row


def test_bracketed_code_in_the_country_column(tmp_path):
    text = (
        '"","Year","",""\n'
        '"Country","Indicator","2019","2020"\n'
        '"Cambodia [KH]","Visitor arrivals","6 610 592","1 306 143"\n'
        '"","Hotel rooms","","45 000"\n'
        '"Viet Nam [VN]","Visitor arrivals","18 008 591",""\n'
    )
    path = tmp_path / "asean.csv"
    path.write_text(text, encoding="utf-8")
    assert detect_format(path)[0] == "aseanstats"
    rec = aseanstats.read(path, tmp_path)
    assert rec["country"].tolist() == ["KH", "KH", "KH", "VN"]
    assert rec["country_name"].tolist()[0] == "Cambodia [KH]"
    assert rec["series"].tolist() == ["Visitor arrivals"] * 2 + ["Hotel rooms", "Visitor arrivals"]
    assert rec["locator"].tolist()[2] == "line 4, column 2020"
    assert registry.to_iso3("KH") == "KHM"


def test_no_header_is_explained(tmp_path):
    bad = tmp_path / "x.csv"
    bad.write_text('"a","b"\n"1","2"\n')
    with pytest.raises(SourceError, match="x.csv: no header row"):
        aseanstats.read(bad)
