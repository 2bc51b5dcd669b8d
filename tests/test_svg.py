"""SVG drawing primitives (reporting/svg.py): ticks, labels, escaping, well-formed output."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest

from mtr_analysis.reporting import svg


@pytest.mark.parametrize(
    ("lo", "hi"),
    [(0, 1), (12.3, 87.9), (0.001, 0.004), (1e6, 4.5e6), (-3, 3), (5, 5), (-0.37, 0.02)],
)
def test_nice_ticks_cover_the_range_with_round_steps(lo, hi):
    ticks = svg.nice_ticks(lo, hi, max_ticks=5)
    assert ticks[0] <= lo and ticks[-1] >= hi
    assert 2 <= len(ticks) <= 5 + 2
    steps = {round(b - a, 12) for a, b in zip(ticks, ticks[1:])}
    assert len(steps) == 1
    (step,) = steps
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert round(mantissa, 9) in (1, 2, 2.5, 5)


def test_nice_ticks_refuse_infinite_ranges():
    with pytest.raises(ValueError, match="finite"):
        svg.nice_ticks(0, math.inf)


def test_tick_labels_use_the_steps_decimals_and_shorten_millions():
    assert [svg.tick_label(v, 0.25) for v in (0, 0.25, 1.5)] == ["0", "0.25", "1.50"]
    assert svg.tick_label(20.0, 20) == "20"
    assert svg.tick_label(2_500_000, 500_000) == "2.5M"
    assert svg.tick_label(3e9, 1e9) == "3B"
    assert svg.tick_label(12_000, 2_000) == "12\u2009000"


def test_text_is_escaped_and_the_document_parses():
    c = svg.Canvas(200, 100, title='a "title" <b>')
    c.text(10, 20, '<script>alert("x")</script> & more\nsecond line', tip="<tip>")
    c.rect(0, 0, 10, 10, "#fff", cls='x" onload="evil()')
    doc = c.render().data
    assert "<script>" not in doc and 'onload="evil()"' not in doc
    root = ET.fromstring(doc)
    ns = "{http://www.w3.org/2000/svg}"
    text = root.find(f"{ns}text")
    assert text.text == '<script>alert("x")</script> & more'
    assert [t.text for t in text.findall(f"{ns}tspan")] == ["second line"]
    assert text.find(f"{ns}title").text == "<tip>"
    assert root.get("viewBox") == "0 0 200 100"


def test_linear_maps_the_domain_onto_the_pixels():
    y = svg.linear((0, 100), (300, 100))  # values up, pixels down
    assert (y(0), y(50), y(100)) == (300, 200, 100)
