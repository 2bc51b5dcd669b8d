"""Charts written as SVG text: the drawing primitives of the report's figures.

Drawing a trend grid of 60 small panels through matplotlib cost a country profile about six
CPU-seconds (ticks, text layout and rasterising, measured in ``benchmarks/README.md``);
writing the same marks as SVG elements costs milliseconds, the text stays sharp at any zoom
and searchable, and the output is the same bytes on every run. A :class:`Canvas` collects
elements in pixel coordinates (origin top left, y down) and :meth:`Canvas.render` returns an
:class:`SVG`: JupyterLab shows it inline (tooltips on hover), nbconvert's HTML embeds it as
an image (``data:image/svg+xml``). Every text is XML-escaped here, so
data (indicator names, units) can never inject markup.

Sizes are CSS pixels (1/96 inch); coordinates are written with one decimal.
"""

from __future__ import annotations

import functools
import html
import math
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

#: Font stack of every chart text (matplotlib's default font first, as in earlier reports).
FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
#: Average advance of a character, as a share of the font size (DejaVu Sans ≈ 0.6): used to
#: estimate text widths for layout, never for clipping.
CHAR_WIDTH = 0.6


class SVG:
    """A drawn chart: shows in notebooks and, as an embedded image, in the HTML reports.

    Attributes
    ----------
    data : str
        The ``<svg>`` element.
    """

    def __init__(self, data: str) -> None:
        self.data = data

    def _repr_svg_(self) -> str:
        return self.data

    def __repr__(self) -> str:
        return f"<SVG image, {len(self.data)} characters>"


def _num(v: float) -> str:
    """A coordinate with one decimal, without a trailing ``.0``."""
    text = f"{v:.1f}"
    return text[:-2] if text.endswith(".0") else text


@functools.cache
def _attr_name(key: str) -> str:
    """``cls`` → ``class``; ``stroke_width`` → ``stroke-width``; ``data_row`` → ``data-row``."""
    return "class" if key == "cls" else key.rstrip("_").replace("_", "-")


def _attrs(**kw: object) -> str:
    """``key="value"`` pairs; ``None`` values left out, ``_`` in names written as ``-``."""
    parts = []
    for key, value in kw.items():
        if value is None:
            continue
        if isinstance(value, float):  # a number: nothing to escape
            parts.append(f'{_attr_name(key)}="{_num(value)}"')
        else:
            parts.append(f'{_attr_name(key)}="{html.escape(str(value), quote=True)}"')
    return " ".join(parts)


def text_width(text: str, size: float) -> float:
    """Estimated width in pixels of ``text`` at font size ``size`` (px)."""
    return len(text) * size * CHAR_WIDTH


class Canvas:
    """Collects SVG elements; :meth:`render` closes the document.

    Parameters
    ----------
    width, height : float
        Size in pixels.
    title : str, optional
        Accessible title of the whole chart (``<title>``).
    """

    def __init__(self, width: float, height: float, title: str | None = None) -> None:
        self.width, self.height = float(width), float(height)
        self.parts: list[str] = []
        if title:
            self.parts.append(f"<title>{html.escape(title)}</title>")

    def _add(self, tag: str, tip: str | None = None, **kw: object) -> None:
        attrs = _attrs(**kw)
        if tip:
            self.parts.append(f"<{tag} {attrs}><title>{html.escape(tip)}</title></{tag}>")
        else:
            self.parts.append(f"<{tag} {attrs}/>")

    def rect(self, x: float, y: float, w: float, h: float, fill: str, **kw: object) -> None:
        """Rectangle; keywords: ``stroke``, ``stroke_width``, ``opacity``, ``rx``, ``cls``, ``tip``."""
        self._add(
            "rect",
            kw.pop("tip", None),
            x=float(x),
            y=float(y),
            width=float(w),
            height=float(h),
            fill=fill,
            **kw,
        )

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str, **kw: object) -> None:
        """Straight line; keywords: ``stroke_width``, ``stroke_dasharray``, ``cls``, ``tip``."""
        self._add(
            "line",
            kw.pop("tip", None),
            x1=float(x1),
            y1=float(y1),
            x2=float(x2),
            y2=float(y2),
            stroke=stroke,
            **kw,
        )

    def polyline(self, points: Iterable[tuple[float, float]], stroke: str, **kw: object) -> None:
        """Connected line through ``points``; same keywords as :meth:`line`."""
        pts = " ".join(f"{_num(x)},{_num(y)}" for x, y in points)
        self._add("polyline", kw.pop("tip", None), points=pts, fill="none", stroke=stroke, **kw)

    def polygon(self, points: Iterable[tuple[float, float]], fill: str, **kw: object) -> None:
        """Filled area; keywords: ``opacity``, ``stroke``, ``cls``, ``tip``."""
        pts = " ".join(f"{_num(x)},{_num(y)}" for x, y in points)
        self._add("polygon", kw.pop("tip", None), points=pts, fill=fill, **kw)

    def circle(self, x: float, y: float, r: float, fill: str, **kw: object) -> None:
        """Circle; keywords: ``stroke``, ``stroke_width``, ``cls``, ``tip``."""
        self._add(
            "circle", kw.pop("tip", None), cx=float(x), cy=float(y), r=float(r), fill=fill, **kw
        )

    def diamond(self, x: float, y: float, r: float, fill: str, **kw: object) -> None:
        """Diamond of half-diagonal ``r`` centred on (x, y)."""
        self.polygon([(x, y - r), (x + r, y), (x, y + r), (x - r, y)], fill, **kw)

    def cross(self, x: float, y: float, r: float, fill: str, **kw: object) -> None:
        """Filled X of half-size ``r`` (a flagged value), outlined by ``stroke``."""
        t = r / 3
        pts = [
            (x - r + t, y - r),
            (x, y - t),
            (x + r - t, y - r),
            (x + r, y - r + t),
            (x + t, y),
            (x + r, y + r - t),
            (x + r - t, y + r),
            (x, y + t),
            (x - r + t, y + r),
            (x - r, y + r - t),
            (x - t, y),
            (x - r, y - r + t),
        ]
        self.polygon(pts, fill, **kw)

    def text(self, x: float, y: float, text: str, size: float = 11, **kw: object) -> None:
        """Text at (x, y) (baseline); keywords: ``anchor`` (start/middle/end), ``fill``,
        ``weight``, ``rotate`` (degrees about (x, y)), ``cls``, ``tip``.

        Several lines (``\\n``) are written as ``<tspan>`` rows 1.2 × ``size`` apart.
        """
        tip, rotate = kw.pop("tip", None), kw.pop("rotate", None)
        anchor, weight = kw.pop("anchor", None), kw.pop("weight", None)
        attrs = _attrs(
            x=float(x),
            y=float(y),
            font_size=float(size),
            text_anchor=anchor,
            font_weight=weight,
            transform=f"rotate({_num(rotate)} {_num(x)} {_num(y)})" if rotate else None,
            **kw,
        )
        lines = str(text).split("\n")
        body = html.escape(lines[0])
        for line in lines[1:]:
            body += f'<tspan x="{_num(x)}" dy="{_num(size * 1.2)}">{html.escape(line)}</tspan>'
        if tip:
            body += f"<title>{html.escape(tip)}</title>"
        self.parts.append(f"<text {attrs}>{body}</text>")

    @contextmanager
    def group(self, **kw: object) -> Iterator[None]:
        """``<g>`` around what is drawn inside the ``with`` block (``cls``, ``data_*``…)."""
        self.parts.append(f"<g {_attrs(**kw)}>" if kw else "<g>")
        yield
        self.parts.append("</g>")

    def render(self) -> SVG:
        """The finished chart (white background, :data:`FONT`, scales to the page width)."""
        w, h = _num(self.width), _num(self.height)
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
            f'viewBox="0 0 {w} {h}" font-family="{FONT}" '
            'style="max-width:100%;height:auto;background:#fff">'
        )
        return SVG(
            head + f'<rect width="{w}" height="{h}" fill="#fff"/>' + "".join(self.parts) + "</svg>"
        )


def nice_ticks(lo: float, hi: float, max_ticks: int = 5) -> list[float]:
    """Round tick values covering ``[lo, hi]``: steps of 1, 2, 2.5 or 5 × 10^k, at most
    about ``max_ticks`` + 1 ticks (a constant range is widened by 1 % of its value, or by 1)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError(f"tick range must be finite; got {lo!r}, {hi!r}")
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        pad = abs(lo) * 0.01 or 1.0
        lo, hi = lo - pad, hi + pad
    raw = (hi - lo) / max(max_ticks, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(lo / step + 1e-9) * step
    count = math.ceil((hi - first) / step - 1e-9)
    return [round(first + i * step, 12) for i in range(count + 1)]


def tick_label(value: float, step: float) -> str:
    """A tick's text: no more decimals than the step needs, thousands with a thin space;
    millions and billions shortened (``2.5M``, ``1.2B``)."""
    size = abs(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M")):
        if size >= limit and abs(step) >= limit / 10:
            return tick_label(value / limit, step / limit) + suffix
    decimals = next(
        (d for d in range(7) if abs(step * 10**d - round(step * 10**d)) < 1e-6 * 10**d), 6
    )
    text = f"{value:,.{decimals}f}".replace(",", "\u2009")
    return "0" if text.strip("-0.\u2009") == "" else text


def linear(domain: Sequence[float], extent: Sequence[float]):
    """Map values from ``domain`` (d0, d1) onto pixels ``extent`` (p0, p1) linearly."""
    d0, d1 = float(domain[0]), float(domain[1])
    p0, p1 = float(extent[0]), float(extent[1])
    ratio = (p1 - p0) / (d1 - d0) if d1 != d0 else 0.0
    return lambda v: p0 + (float(v) - d0) * ratio
