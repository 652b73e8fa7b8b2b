"""A small SVG canvas for report charts: shapes in data coordinates, text measured, one template.

Charts are laid out here (margins from measured label widths, nice axis ticks, a legend at the
right) and written through ``templates/chart.svg`` with Jinja2's autoescaping, so every name a
user typed reaches the page as text. Each bar carries a ``<title>``: the browser shows its value
on hover. A chart costs a few milliseconds, where a plotting library's figure costs tens.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from planner.spelling import precision_apart
from planner.templating import TEMPLATES

INK, MUTED, GRID, AXIS = "#1d2330", "#5b6475", "#e3e7ee", "#9aa3b2"
FONT = "Helvetica, Arial, 'Liberation Sans', 'Nimbus Sans', sans-serif"
WIDTH = 900  # px of the viewBox; the page scales the SVG to its column
TITLE_PX, LABEL_PX, SMALL_PX = 14.0, 12.0, 11.0
TITLE_LINE_PX = 18.0  # a title too long for one line goes on over lines this far apart
TITLE_X, TITLE_Y, TOP = 4.0, 18.0, 34.0  # the title's first line, and the plotting box's top under it
# In print (report.css) the A4 column, 703 CSS px, shows the viewBox at 0.78 of its size, where
# labels of PRINT_PX print at 8.2 pt: a layout leaves each label room for the larger of its two
# sizes. A chart up to PRINT_HEIGHT tall prints at that scale; a taller one shrinks to the 225 mm
# (850 CSS px) a printed chart may take, its labels with it.
PRINT_PX = 14.0
PRINT_HEIGHT = 1088.0
LEGEND_ROW_PX = 17.0

# Advance widths of printable ASCII in Helvetica (and the metric-compatible Arial and Liberation
# Sans), thousandths of an em, from the font's AFM metrics; measured text sets the margins.
_ASCII_WIDTHS = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,  # space to /
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,  # 0 to ?
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,  # @ to O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,  # P to _
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,  # ` to o
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,  # p to ~
)
_SLACK = 1.1  # a fallback font (DejaVu Sans) runs about a tenth wider than Helvetica


def _char_width(char: str) -> int:
    code = ord(char)
    if 32 <= code < 127:
        return _ASCII_WIDTHS[code - 32]
    if unicodedata.combining(char):
        return 0
    return 1000 if unicodedata.east_asian_width(char) in "WF" else 600


def text_width(text: str, size_px: float, bold: bool = False) -> float:
    """Width of ``text`` in px at ``size_px``, with room for a wider fallback font."""
    em = sum(_char_width(c) for c in str(text)) / 1000
    return em * size_px * _SLACK * (1.18 if bold else 1.0)  # the fallback's bold runs up to 18% wider


def room(text: str, size_px: float, bold: bool = False) -> float:
    """Width in px to leave for ``text`` drawn at ``size_px``: its width on screen or in print
    (:data:`PRINT_PX`), whichever is more."""
    return text_width(text, max(size_px, PRINT_PX), bold)


LABEL_CHARS = 40  # longer names are cut short in labels; hovering shows them whole


def clip(text: str, limit: int = LABEL_CHARS) -> str:
    """``text`` cut to ``limit`` characters, the cut marked with an ellipsis."""
    text = str(text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def wrap(text: str, width: float, size_px: float, bold: bool = False) -> list[str]:
    """``text`` in lines no wider than ``width`` px at ``size_px``: where it has to break, before a part
    in parentheses, else after the last word that fits (a word wider than a line has one to itself)."""
    lines = [""]

    def joined(part: str) -> str:
        return f"{lines[-1]} {part}" if lines[-1] else part

    for phrase in re.split(r" (?=\()", str(text)):
        if text_width(joined(phrase), size_px, bold) <= width:
            lines[-1] = joined(phrase)
            continue
        if lines[-1]:
            lines.append("")  # the phrase starts a line of its own
        for word in phrase.split(" "):
            if text_width(joined(word), size_px, bold) <= width or not lines[-1]:
                lines[-1] = joined(word)
            else:
                lines.append(word)
    return lines


def nice_ticks(top: float, count: int = 5, bottom: float = 0.0) -> np.ndarray:
    """Ticks from ``bottom`` (0) or the first multiple of the step above it to at most ``top``, at a step of 1, 2,
    2.5 or 5 times a power of ten, ``count`` steps or a few fewer."""
    if not top > bottom:
        return np.array([bottom])
    raw = (top - bottom) / count
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.ceil(bottom / step - 1e-9) * step
    return np.arange(first, top + step * 1e-9, step)


def tick_text(value: float, ticks: np.ndarray) -> str:
    """A tick's value with its thousands grouped and as many decimals as the ticks' step needs (187.5 beside 190,
    not 188)."""
    step = float(f"{np.diff(ticks).min():.6g}") if len(ticks) > 1 else 1.0  # a round step, less float noise
    decimals = next((d for d in range(7) if abs(step * 10 ** d - round(step * 10 ** d)) < 1e-6), 6)
    return f"{value + 0.0:,.{decimals}f}"


def thousands(value: float) -> str:
    """Numbers as people write them: 120,000 / 2.5 / 0.25 (thousands grouped, no needless decimals)."""
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:.3g}"


def percent_text(percent: float, decimals: int) -> str:
    """``percent`` (e.g. 68.41) with ``decimals``, never shown as a bound it misses: 99.994 reads
    99.9%, not 100.0%; 0.002 reads <0.1%, not 0.0% (and a share rounding to zero has no sign)."""
    step = 10.0 ** -decimals
    shown = round(percent, decimals) + 0.0
    if shown >= 100 and percent < 100 - 1e-9:
        shown = 100 - step
    elif shown == 0 and percent > 1e-9:
        return f"<{step:.{decimals}f}%"
    return f"{shown:.{decimals}f}%"


def decimals_apart(value: float, bound: float | None, decimals: int) -> int:
    """The decimals (at least ``decimals``, at most 9) that :func:`percent_text` needs for a fraction ``value`` above
    ``bound`` (say, a gap reached above the gap allowed) not to read as equal to it."""
    if bound is None or value <= bound:
        return decimals
    return precision_apart(value, bound, lambda fraction, places: percent_text(100 * fraction, places),
                           range(decimals, 10))


def _label_step(labels: list[str], width: float, size_px: float = LABEL_PX, turned: bool = False) -> int:
    """Of labels at ``size_px`` spread evenly over ``width`` px, every how manyth can be shown without
    two colliding (1: all): level ones side by side, ``turned`` ones (by 45°, a slot's sine apart) one
    over the next, a line being 1.2 em."""
    slot = width / max(len(labels), 1)
    needed = (size_px * 1.2 / 0.71 if turned
              else max((text_width(clip(t), size_px) for t in labels), default=0) / 0.95)
    return max(1, math.ceil(needed / slot - 1e-9))


def _px(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


@dataclass
class Axes:
    """The plotting box in px and the data range it shows."""

    left: float
    top: float
    right: float
    bottom: float
    x_range: tuple[float, float]
    y_range: tuple[float, float]

    def x(self, value) -> np.ndarray:
        """Data x to px."""
        low, high = self.x_range
        return self.left + (np.asarray(value, dtype=float) - low) / (high - low) * (self.right - self.left)

    def y(self, value) -> np.ndarray:
        """Data y to px (up the page)."""
        low, high = self.y_range
        return self.bottom - (np.asarray(value, dtype=float) - low) / (high - low) * (self.bottom - self.top)


@dataclass
class Chart:
    """Shapes in drawing order, plus the legend; :meth:`render` writes the ``<svg>`` element.

    ``name`` prefixes the ids inside the SVG (unique in the page).
    """

    name: str
    title: str
    height: float
    shapes: list[dict] = field(default_factory=list)
    legend: list[dict] = field(default_factory=list)
    legend_columns: int = 1
    axes: Axes | None = None
    hatched: bool = False  # whether the hatch pattern is used, so defined

    # -- layout

    @cached_property
    def title_lines(self) -> list[str]:
        """The title in as many lines as it takes to stay within the chart's width."""
        return wrap(self.title, WIDTH - 2 * TITLE_X, TITLE_PX, bold=True)

    @property
    def top(self) -> float:
        """Top margin in px: the title's lines above the plotting box."""
        return TOP + (len(self.title_lines) - 1) * TITLE_LINE_PX

    def place(self, left: float, right: float, x_range: tuple[float, float], y_range: tuple[float, float],
              bottom: float = 30.0) -> Axes:
        """Fix the plotting box by its margins in px, under the title; the chart grows by the title's
        lines after the first."""
        self.height += self.top - TOP
        self.axes = Axes(left, self.top, WIDTH - right, self.height - bottom, x_range, y_range)
        return self.axes

    @staticmethod
    def label_room(names: list[str]) -> float:
        """Left margin in px for :meth:`row_labels` of these names."""
        return max((room(clip(n), LABEL_PX) for n in names), default=0.0) + 14.0

    def row_labels(self, y, names: list[str]) -> None:
        """Names left of the axes at data heights ``y``, cut short if long (whole on hover)."""
        for name, at in zip(names, self.axes.y(y)):
            self.text(self.axes.left - 6, float(at), clip(name), anchor="end", colour=INK, data=False, tip=name)

    def legend_width(self) -> float:
        """Room the legend needs right of the axes, in px."""
        if not self.legend:
            return 12.0
        label = max(room(e["label"], SMALL_PX) for e in self.legend)
        return (label + 40.0) * self.legend_columns + 10.0

    def add_legend(self, entries: list[dict]) -> None:
        """Legend entries ``{"label", "kind": "box"|"hatch"|"line"|"dash", "colour", "edge"}``, top first."""
        self.legend = entries
        self.hatched |= any(e["kind"] == "hatch" for e in entries)
        self.legend_columns = 1 if len(entries) <= 16 else 2

    # -- shapes (data coordinates through :attr:`axes`)

    def bars(self, centre, length, base, width: float, fill, tips=None, horizontal: bool = False,
             edge: str | None = None, edge_width: float = 0.0, hatch: bool = False) -> None:
        """Bars centred on ``centre`` along the category axis, from ``base`` to ``base + length``.

        ``fill`` is one colour or one per bar; bars of no length are not drawn."""
        centre = np.asarray(centre, dtype=float)
        low = np.broadcast_to(np.asarray(base, dtype=float), centre.shape)
        high = low + np.asarray(length, dtype=float)
        fills = np.broadcast_to(np.asarray(fill, dtype=object), centre.shape)
        tips = [None] * len(centre) if tips is None else tips
        a = self.axes
        if horizontal:
            x0, x1 = a.x(low), a.x(high)
            y0, y1 = a.y(centre + width / 2), a.y(centre - width / 2)
        else:
            x0, x1 = a.x(centre - width / 2), a.x(centre + width / 2)
            y0, y1 = a.y(high), a.y(low)
        shown = np.abs(high - low) > 1e-12
        pattern = f"url(#{self.name}-hatch)" if hatch else None
        self.hatched |= hatch
        for i in np.flatnonzero(shown):
            self.shapes.append({
                "tag": "rect", "x": _px(min(x0[i], x1[i])), "y": _px(min(y0[i], y1[i])),
                "w": _px(abs(x1[i] - x0[i])), "h": _px(abs(y1[i] - y0[i])),
                "fill": pattern or fills[i], "stroke": edge, "stroke_width": _px(edge_width), "tip": tips[i],
            })

    def segments(self, x0, y0, x1, y1, colour: str, width: float = 1.0, dash: str | None = None,
                 data: bool = True, tips=None) -> None:
        """Straight lines, in data coordinates (or px when ``data`` is false)."""
        if data:
            x0, x1, y0, y1 = self.axes.x(x0), self.axes.x(x1), self.axes.y(y0), self.axes.y(y1)
        ends = np.broadcast(x0, y0, x1, y1)
        tips = [None] * ends.size if tips is None else tips
        for (a, b, c, d), tip in zip(ends, tips):
            self.shapes.append({"tag": "line", "x1": _px(a), "y1": _px(b), "x2": _px(c), "y2": _px(d),
                                "stroke": colour, "stroke_width": _px(width), "dash": dash, "tip": tip})

    def polyline(self, x, y, colour: str, width: float, marker_px: float = 0.0, tips=None) -> None:
        """A line through the points, with round markers of radius ``marker_px``."""
        px, py = self.axes.x(x), self.axes.y(y)
        points = " ".join(f"{_px(a)},{_px(b)}" for a, b in zip(px, py))
        self.shapes.append({"tag": "polyline", "points": points, "stroke": colour, "stroke_width": _px(width)})
        if marker_px:
            self.dots(x, y, colour, marker_px, tips)

    def dots(self, x, y, colour: str, radius_px: float, tips=None, ring: bool = False) -> None:
        """Round markers at the points, filled with ``colour``, or a ``ring`` of it (a marker under it shows)."""
        tips = [None] * np.size(x) if tips is None else tips
        for a, b, tip in zip(self.axes.x(x), self.axes.y(y), tips):
            self.shapes.append({"tag": "circle", "cx": _px(a), "cy": _px(b), "r": _px(radius_px),
                                "fill": "none" if ring else colour, "stroke": colour if ring else None, "tip": tip})

    def text(self, x: float, y: float, content: str, size: float = LABEL_PX, colour: str = MUTED,
             anchor: str = "start", bold: bool = False, rotate: float = 0.0, data: bool = True,
             tip: str | None = None, spare: bool = False, halo: bool = False) -> None:
        """One label vertically centred at (x, y); ``tip`` shows on hovering it (a name the label cut
        short); a ``spare`` one is left out in print; a ``halo`` of the page's white keeps it legible over a line."""
        if data:
            x, y = float(self.axes.x(x)), float(self.axes.y(y))
        self.shapes.append({"tag": "text", "x": _px(x), "y": _px(y), "content": str(content), "size": _px(size),
                            "fill": colour, "anchor": anchor, "bold": bold, "spare": spare, "halo": halo,
                            "rotate": _px(rotate) if rotate else None, "tip": tip if tip != content else None})

    # -- axes furniture

    def y_axis(self, ticks: np.ndarray, label: str, format=thousands) -> None:
        """Horizontal grid lines at ``ticks``, their values at the left, ``label`` along the side."""
        a = self.axes
        self.segments(a.x_range[0], ticks, a.x_range[1], ticks, GRID, 0.8)
        for tick in ticks:
            self.text(a.left - 6, float(a.y(tick)), format(tick), anchor="end", data=False)
        if label:
            self.text(14, (a.top + a.bottom) / 2, label, anchor="middle", rotate=-90, data=False)

    def x_axis(self, ticks, labels: list[str], grid: bool = False) -> None:
        """Labels under the axes at ``ticks``, turned when they would collide; where even turned ones
        would, every second (third, ...) only, and in print, at the labels' larger size, maybe fewer
        still; a base line."""
        a = self.axes
        positions = a.x(ticks)
        width = a.right - a.left
        turn = _label_step(labels, width) > 1
        shown = _label_step(labels, width, turned=turn)
        printed = shown * math.ceil(_label_step(labels, width, PRINT_PX, turned=turn) / shown)
        if grid:
            self.segments(ticks, a.y_range[0], ticks, a.y_range[1], GRID, 0.8)
        for i, (x, label) in enumerate(zip(positions, map(clip, labels))):
            if i % shown:
                continue
            spare = i % printed != 0
            if turn:
                self.text(x + 4, a.bottom + 8, label, anchor="end", rotate=-45, data=False, spare=spare)
            else:
                self.text(x, a.bottom + 16, label, anchor="middle", data=False, spare=spare)
        self.segments(a.left, a.bottom, a.right, a.bottom, AXIS, 1.0, data=False)

    @staticmethod
    def room_below_periods(periods: list[str], width: float) -> float:
        """Bottom margin in px for the labels of ``periods`` spread over ``width`` px, turned when they
        would collide."""
        if _label_step(periods, width) == 1:
            return 30.0
        return max(room(clip(t), LABEL_PX) for t in periods) * 0.71 + 22.0

    def place_over_periods(self, left: float, right: float, periods: list[str],
                           y_range: tuple[float, float]) -> Axes:
        """Fix the plotting box with one slot per period along x and label the slots, with room
        below for the labels; the chart grows by that room over the usual 30 px."""
        bottom = self.room_below_periods(periods, WIDTH - left - right)
        self.height += bottom - 30.0
        axes = self.place(left, right, (-0.6, len(periods) - 0.4), y_range, bottom=bottom)
        self.x_axis(np.arange(len(periods)), periods)
        return axes

    # -- output

    def render(self) -> str:
        """The chart as an inline ``<svg>`` element, every text escaped."""
        title = [{"y": _px(TITLE_Y + i * TITLE_LINE_PX), "text": line} for i, line in enumerate(self.title_lines)]
        return _TEMPLATE.render(chart=self, width=WIDTH, font=FONT, legend=self._legend_layout(), ink=INK,
                                title=title, title_x=_px(TITLE_X), title_px=_px(TITLE_PX), small_px=_px(SMALL_PX))

    def _legend_layout(self) -> list[dict]:
        if not self.legend:
            return []
        rows = math.ceil(len(self.legend) / self.legend_columns)
        column_width = (self.legend_width() - 10.0) / self.legend_columns
        placed = []
        for i, entry in enumerate(self.legend):
            column, row = divmod(i, rows)
            x = self.axes.right + 14.0 + column * column_width
            y = self.axes.top + 6.0 + row * LEGEND_ROW_PX
            placed.append({**entry, "x": _px(x), "y": _px(y), "label_x": _px(x + 26), "mid": _px(y + 5.5),
                           "end": _px(x + 20), "centre": _px(x + 10)})
        return placed


_TEMPLATE = TEMPLATES.get_template("chart.svg")
TEMPLATES.globals["chart_print_px"] = _px(PRINT_PX)  # for report.css
