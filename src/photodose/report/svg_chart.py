"""A small SVG chart writer for the report's line and bar figures (no matplotlib).

Drawing the dose-at-depth and dose-against-trials figures with matplotlib cost ~0.6 s (its
import and two figures) every time a person or a session length changed; written directly as
SVG they take milliseconds. Sizes are in points (1/72 in, as matplotlib's SVG), so font sizes
match the report's other figures. Only what those figures need: linear and log scales with
ticks, grid, rectangles, polylines, filled bands, text and legends.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape

FONT = "DejaVu Sans, Bitstream Vera Sans, Arial, Helvetica, sans-serif"
GRID = "#b0b0b0"


def text_width(text: str, size: float, em: float = 0.58) -> float:
    """Estimated width (pt) of ``text`` at font ``size``: ``em`` × size per character (a sans
    font's mean advance is ~0.5–0.6 em; the default errs on the wide side, for margins)."""
    return em * size * len(text)


def fmt_num(v: float) -> str:
    """A coordinate with two decimals, no trailing zeros."""
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


@dataclass(frozen=True)
class Scale:
    """Data interval [lo, hi] onto the pixel interval [a, b] (``log``: base-10 logarithmic)."""

    lo: float
    hi: float
    a: float
    b: float
    log: bool = False

    def __call__(self, v: float) -> float:
        if self.log:
            t = (math.log10(max(v, 1e-300)) - math.log10(self.lo)) / (
                math.log10(self.hi) - math.log10(self.lo)
            )
        else:
            t = (v - self.lo) / (self.hi - self.lo)
        return self.a + t * (self.b - self.a)

    def ticks(self) -> list[tuple[float, str, bool]]:
        """(value, label, major) for each tick in the interval. A log scale ticks every 1–9 × 10ⁿ
        and labels, as plain numbers, the decades; with fewer than two decades in view also
        2 and 5 × 10ⁿ (all multiples under 0.4 decade, as matplotlib's minor thresholds), and
        round linear steps when that still names fewer than two values."""
        if not self.log:
            return self._linear_ticks()
        out: list[tuple[float, str, bool]] = []
        k0, k1 = math.floor(math.log10(self.lo)), math.ceil(math.log10(self.hi))
        numdec = math.log10(self.hi / self.lo)
        decades = [10.0**k for k in range(k0, k1 + 1) if self.lo <= 10.0**k <= self.hi * (1 + 1e-12)]
        labelled_minors: tuple[int, ...] = ()
        if len(decades) < 2:
            labelled_minors = (2, 5) if numdec > 0.4 else (2, 3, 4, 5, 6, 7, 8, 9)
        for k in range(k0, k1 + 1):
            for m in range(1, 10):
                v = m * 10.0**k
                if self.lo * (1 - 1e-12) <= v <= self.hi * (1 + 1e-12):
                    major = m == 1
                    out.append((v, f"{v:g}" if major or m in labelled_minors else "", major))
        if sum(1 for _, label, _ in out if label) < 2:  # under a decade: round numbers inside it
            return self._linear_ticks()
        return out

    def _linear_ticks(self) -> list[tuple[float, str, bool]]:
        """Round ticks (steps of 1, 2, 2.5 or 5 × 10ⁿ, about six of them) inside the interval."""
        span = self.hi - self.lo
        raw = span / 6
        mag = 10 ** math.floor(math.log10(raw))
        step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw * (1 - 1e-9))
        first = math.ceil(self.lo / step - 1e-9) * step
        n = math.floor((self.hi - first) / step + 1e-9) + 1
        return [(first + i * step, f"{first + i * step:g}", True) for i in range(n)]


def log_limits(values: Iterable[float], margin: float = 0.05) -> tuple[float, float]:
    """(lo, hi) around the positive ``values``, widened by ``margin`` of the span in log space
    (matplotlib's default autoscaling of a log axis)."""
    pos = [v for v in values if v > 0 and math.isfinite(v)]
    if not pos:
        return 0.1, 10.0
    lo, hi = math.log10(min(pos)), math.log10(max(pos))
    if hi - lo < 1e-9:
        lo, hi = lo - 0.5, hi + 0.5
    pad = (hi - lo) * margin
    return 10 ** (lo - pad), 10 ** (hi + pad)


def _attrs(attrs: Mapping[str, str]) -> str:
    """Extra SVG attributes from keyword arguments (``stroke_width`` → ``stroke-width``)."""
    return "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())


@dataclass
class Canvas:
    """SVG elements on a ``width`` × ``height`` pt page."""

    width: float
    height: float
    name: str = "chart"
    parts: list[str] = field(default_factory=list)
    defs: list[str] = field(default_factory=list)

    def uid(self, what: str) -> str:
        """An id unique to this figure's content (several figures share one HTML page)."""
        digest = hashlib.sha1("".join(self.parts).encode()).hexdigest()[:8]
        return f"pd-{self.name}-{what}-{digest}"

    def add(self, element: str) -> None:
        self.parts.append(element)

    def rect(
        self, x: float, y: float, w: float, h: float, fill: str, opacity: float = 1.0, **attrs: str
    ) -> None:
        extra = _attrs(attrs)
        op = f' fill-opacity="{opacity:g}"' if opacity != 1.0 else ""
        self.add(
            f'<rect x="{fmt_num(x)}" y="{fmt_num(y)}" width="{fmt_num(max(w, 0.0))}" '
            f'height="{fmt_num(max(h, 0.0))}" fill="{fill}"{op}{extra}/>'
        )

    def line(
        self, x1: float, y1: float, x2: float, y2: float, stroke: str, width: float = 1.0, **attrs: str
    ) -> None:
        extra = _attrs(attrs)
        self.add(
            f'<line x1="{fmt_num(x1)}" y1="{fmt_num(y1)}" x2="{fmt_num(x2)}" y2="{fmt_num(y2)}" '
            f'stroke="{stroke}" stroke-width="{width:g}"{extra}/>'
        )

    def polyline(self, pts: Sequence[tuple[float, float]], stroke: str, width: float, **attrs: str) -> None:
        extra = _attrs(attrs)
        d = " ".join(f"{fmt_num(x)},{fmt_num(y)}" for x, y in pts)
        self.add(
            f'<polyline points="{d}" fill="none" stroke="{stroke}" stroke-width="{width:g}" '
            f'stroke-linejoin="round"{extra}/>'
        )

    def polygon(self, pts: Sequence[tuple[float, float]], fill: str, opacity: float, **attrs: str) -> None:
        extra = _attrs(attrs)
        d = " ".join(f"{fmt_num(x)},{fmt_num(y)}" for x, y in pts)
        self.add(f'<polygon points="{d}" fill="{fill}" fill-opacity="{opacity:g}" stroke="none"{extra}/>')

    def circle(self, x: float, y: float, r: float, fill: str) -> None:
        self.add(f'<circle cx="{fmt_num(x)}" cy="{fmt_num(y)}" r="{r:g}" fill="{fill}"/>')

    def text(
        self,
        x: float,
        y: float,
        s: str,
        size: float,
        anchor: str = "start",
        baseline: str = "auto",
        weight: str = "normal",
        fill: str = "#000",
        rotate: float | None = None,
    ) -> None:
        attrs = f' text-anchor="{anchor}"' if anchor != "start" else ""
        if baseline != "auto":
            attrs += f' dominant-baseline="{baseline}"'
        if weight != "normal":
            attrs += f' font-weight="{weight}"'
        if fill != "#000":
            attrs += f' fill="{fill}"'
        if rotate is not None:
            attrs += f' transform="rotate({rotate:g} {fmt_num(x)} {fmt_num(y)})"'
        self.add(f'<text x="{fmt_num(x)}" y="{fmt_num(y)}" font-size="{size:g}"{attrs}>{escape(s)}</text>')

    def hatch(self, colour: str = "#000") -> str:
        """The id of a "//" hatch pattern (defined once per figure)."""
        pid = f"pd-{self.name}-hatch"
        if not any(pid in d for d in self.defs):
            self.defs.append(
                f'<pattern id="{pid}" patternUnits="userSpaceOnUse" width="6" height="6">'
                f'<path d="M-1,1 L1,-1 M0,6 L6,0 M5,7 L7,5" stroke="{colour}" stroke-width="0.8"/></pattern>'
            )
        return pid

    def svg(self, title: str) -> str:
        defs = f"<defs>{''.join(self.defs)}</defs>" if self.defs else ""
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{fmt_num(self.width)}pt" '
            f'height="{fmt_num(self.height)}pt" viewBox="0 0 {fmt_num(self.width)} {fmt_num(self.height)}" '
            f'font-family="{FONT}" role="img"><title>{escape(title)}</title>{defs}'
            + "".join(self.parts)
            + "</svg>"
        )


@dataclass
class Plot:
    """A plotting area of ``canvas`` (its pixel box) with an x and a y scale."""

    canvas: Canvas
    x: Scale
    y: Scale

    @property
    def box(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) in pt."""
        return self.x.a, self.y.b, self.x.b, self.y.a

    def clip_id(self) -> str:
        """A clip path to the plotting area (defined once)."""
        cid = f"pd-{self.canvas.name}-clip"
        if not any(cid in d for d in self.canvas.defs):
            left, top, right, bottom = self.box
            self.canvas.defs.append(
                f'<clipPath id="{cid}"><rect x="{fmt_num(left)}" y="{fmt_num(top)}" '
                f'width="{fmt_num(right - left)}" height="{fmt_num(bottom - top)}"/></clipPath>'
            )
        return cid

    def grid(self, x: bool, y: bool, minor: bool = True) -> None:
        left, top, right, bottom = self.box
        c = self.canvas
        if x:
            for v, _, major in self.x.ticks():
                if major or minor:
                    px = self.x(v)
                    c.line(px, top, px, bottom, GRID, 0.8 if major else 0.6, stroke_opacity="0.3")
        if y:
            for v, _, major in self.y.ticks():
                if major or minor:
                    py = self.y(v)
                    c.line(left, py, right, py, GRID, 0.8 if major else 0.6, stroke_opacity="0.3")

    def frame(
        self, xlabel: str, ylabel: str | None, tick_size: float = 10.0, label_size: float = 10.0
    ) -> None:
        """Axes box, ticks and their labels, axis labels."""
        left, top, right, bottom = self.box
        c = self.canvas
        for v, label, major in self.x.ticks():
            px = self.x(v)
            c.line(px, bottom, px, bottom + (3.5 if major else 2.0), "#000", 0.8 if major else 0.6)
            if label:
                c.text(
                    px,
                    bottom + 5 + tick_size,
                    label,
                    tick_size if major else tick_size * 0.8,
                    anchor="middle",
                )
        if ylabel is not None:
            widest = 0.0
            for v, label, major in self.y.ticks():
                py = self.y(v)
                c.line(left - (3.5 if major else 2.0), py, left, py, "#000", 0.8 if major else 0.6)
                if label:
                    size = tick_size if major else tick_size * 0.8
                    c.text(left - 5.5, py, label, size, anchor="end", baseline="central")
                    widest = max(widest, text_width(label, size))
            c.text(left - 12 - widest, (top + bottom) / 2, ylabel, label_size, anchor="middle", rotate=-90)
        c.rect(left, top, right - left, bottom - top, "none", stroke="#000", stroke_width="0.8")
        c.text((left + right) / 2, bottom + 12 + tick_size + label_size, xlabel, label_size, anchor="middle")


def legend_rows(
    canvas: Canvas,
    entries: Sequence[tuple[str, str]],
    x_centre: float,
    y_top: float,
    columns: int,
    size: float,
    draw_key: Mapping[str, Callable[[float, float, float], None]] | None = None,
) -> float:
    """Legend entries ``(key kind, label)`` in ``columns`` columns (filled column by column)
    centred on ``x_centre``, starting at ``y_top``; ``draw_key[kind](x, y, width)`` draws an
    entry's key. Returns the bottom."""
    if not entries:
        return y_top
    key_w, gap = 20.0, 10.0
    rows = math.ceil(len(entries) / columns)
    col_w = max(text_width(label, size) for _, label in entries) + key_w + 6
    total = columns * col_w + (columns - 1) * gap
    x0 = x_centre - total / 2
    line_h = size * 1.55
    for i, (kind, label) in enumerate(entries):
        col, row = divmod(i, rows)
        x = x0 + col * (col_w + gap)
        y = y_top + row * line_h + line_h / 2
        draw = (draw_key or {}).get(kind)
        if draw is not None:
            draw(x, y, key_w)
        canvas.text(x + key_w + 5, y, label, size, baseline="central")
    return y_top + rows * line_h
