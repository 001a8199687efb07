"""Figures of the evaluation report, as inline SVG (the HTML report must work offline).

The dose at depth and the dose against the trials, which change with the person and the
session length, are written directly as SVG (:mod:`photodose.report.svg_chart`, milliseconds).
The face map (a shaded triangulation, drawn as PNG) and the who-gets-what figure, which depend
only on the device, are drawn with matplotlib's object API (a :class:`matplotlib.figure.Figure`,
no pyplot) and cached on disk under a hash of what they plot
(:mod:`photodose.report.figure_cache`; ``use_cache=False`` always draws): a warm report draws
nothing with matplotlib and does not import it.
"""

from __future__ import annotations

import base64
import io
import math
import sys
from functools import lru_cache, partial
from html import escape
from typing import TYPE_CHECKING, Any

import numpy as np

from photodose.report.figure_cache import cached_png
from photodose.services.evaluate import Evaluation

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CHANNEL_COLOURS = {"red": "#c0392b", "nir": "#5b2c83", "amber": "#d68910", "blue": "#1f618d"}


def colour_for(wavelength_nm: float) -> str:
    if wavelength_nm < 480:
        return CHANNEL_COLOURS["blue"]
    if wavelength_nm < 610:
        return CHANNEL_COLOURS["amber"]
    if wavelength_nm < 700:
        return CHANNEL_COLOURS["red"]
    return CHANNEL_COLOURS["nir"]


def new_figure(figsize: tuple[float, float]) -> tuple[Figure, Any]:
    """A figure with one axes, without pyplot (no GUI backend, no global figure registry)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    return fig, fig.subplots()


def _close(fig: Figure) -> None:
    """Release a figure made through pyplot (others are garbage-collected)."""
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close(fig)


def to_svg(fig: Figure) -> str:
    """The figure as an SVG document for inline use (no XML prolog; text as SVG text)."""
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # labels as SVG text, not glyph paths
        fig.savefig(buf, format="svg", bbox_inches="tight")
    _close(fig)
    text = buf.getvalue()
    return text[text.index("<svg") :]  # drop the XML prolog for inline use


def to_png(fig: Figure) -> bytes:
    """The figure as PNG bytes (110 dpi)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    _close(fig)
    return buf.getvalue()


def png_img(png: bytes, alt: str) -> str:
    """An inline <img> with a base64 PNG (dense scatter plots are far smaller and faster as PNG
    than as SVG)."""
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{escape(alt)}" src="data:image/png;base64,{data}">'


def plain_log_ticks(axis: Any) -> None:
    """Label a log axis with plain numbers (0.1, 1, 10; minor ticks labelled by the same rule
    as matplotlib's default) instead of 10ⁿ in mathtext, whose parser costs ~0.1 s a figure."""
    from matplotlib.ticker import LogFormatter

    class PlainLogFormatter(LogFormatter):
        def _num_to_string(self, x: float, vmin: float, vmax: float) -> str:
            return f"{x:g}"

    axis.set_major_formatter(PlainLogFormatter())
    axis.set_minor_formatter(PlainLogFormatter(labelOnlyBase=False))


# regions named on the face map (the eye region is flagged: light near the eyes)
MAP_REGIONS: tuple[str, ...] = ("forehead", "periorbital", "cheeks", "chin")


@lru_cache(maxsize=1)
def _face_dims_cm() -> dict[str, float]:
    """Feature sizes for the face drawing (Farkas 1994 norms, from data/face/anthropometry.toml,
    the file the face model is built from); read-only."""
    from photodose.device.face import _load_anthropometry

    dims = _load_anthropometry()["dimensions"]
    return {
        key: float(dims[name]["value_mm"]) / 10
        for key, name in (
            ("eye_fissure", "eye_fissure_length_ex_en"),
            ("nose_width", "nose_width_al_al"),
            ("mouth_width", "mouth_width_ch_ch"),
        )
    }


def face_outline_cm(centers_cm: np.ndarray) -> np.ndarray:
    """Closed frontal outline (x, y in cm) of the patch centres: each row's extreme x."""
    x, y = centers_cm[:, 0], centers_cm[:, 1]
    rows = np.unique(np.round(y, 2))
    left = []
    right = []
    for r in rows[::-1]:
        sel = np.abs(np.round(y, 2) - r) < 1e-9
        left.append((x[sel].min(), r))
        right.append((x[sel].max(), r))
    pts = np.array(left + right[::-1] + [left[0]])
    return pts


def _triangulation(centers_cm: np.ndarray) -> Any:
    """Delaunay triangles over the frontal positions, without the long ones that bridge gaps."""
    from matplotlib.tri import Triangulation

    tri = Triangulation(centers_cm[:, 0], centers_cm[:, 1])
    xy = centers_cm[:, :2]
    t = tri.triangles
    edges = np.stack(
        [
            np.linalg.norm(xy[t[:, 0]] - xy[t[:, 1]], axis=1),
            np.linalg.norm(xy[t[:, 1]] - xy[t[:, 2]], axis=1),
            np.linalg.norm(xy[t[:, 2]] - xy[t[:, 0]], axis=1),
        ],
        axis=1,
    ).max(axis=1)
    tri.set_mask(edges > 4.0 * np.median(edges))
    return tri


def _draw_features(ax: Any, ev: Evaluation, outline: np.ndarray) -> None:
    """Face outline, eyes, nose and mouth over the map (frontal view, cm)."""
    from matplotlib.patches import Ellipse

    lm = ev.face.landmarks_cm
    dims = _face_dims_cm()
    ink = {"color": "white", "lw": 1.4, "alpha": 0.9}
    ax.plot(outline[:, 0], outline[:, 1], color="#222222", lw=1.6)
    for side in ("eye_left", "eye_right"):
        ex, ey = lm.get(side, (3.15 if side == "eye_left" else -3.15, -0.8))
        ax.add_patch(Ellipse((ex, ey), dims["eye_fissure"], 1.1, fill=False, ec="white", lw=1.4, alpha=0.9))
        ax.add_patch(Ellipse((ex, ey), 0.9, 0.9, fc="white", ec="none", alpha=0.85))
    n_y = lm.get("nasion", (0.0, 0.0))[1]
    sn_y = lm.get("subnasale", (0.0, -5.2))[1]
    hw = dims["nose_width"] / 2
    ax.plot([-0.45, -0.55, -hw, -0.6, 0.0], [n_y - 0.6, sn_y + 1.6, sn_y + 0.35, sn_y, sn_y], **ink)
    ax.plot([0.45, 0.55, hw, 0.6, 0.0], [n_y - 0.6, sn_y + 1.6, sn_y + 0.35, sn_y, sn_y], **ink)
    st_y = lm.get("stomion", (0.0, -7.35))[1]
    mw = dims["mouth_width"] / 2
    xs = np.linspace(-mw, mw, 30)
    ax.plot(xs, st_y + 0.45 * (1 - (xs / mw) ** 2) ** 0.5, **ink)
    ax.plot(xs, st_y - 0.65 * (1 - (xs / mw) ** 2) ** 0.5, **ink)
    ax.plot(xs, st_y + 0.0 * xs, color="white", lw=0.8, alpha=0.8)


def _face_map_parts(ev: Evaluation, emap: Any, ch: Any, dose: Any) -> tuple[Any, ...]:
    """Everything one channel's face map draws (its cache key)."""
    face = ev.face
    regions = []
    for region in MAP_REGIONS:
        stats = ch.regions.get(region)
        shown = bool(stats) and region in face.region_names
        regions.append(
            (region, stats["mean"] if stats else None, shown, face.region_mask(region) if shown else None)
        )
    return (
        np.asarray(face.centers_cm),
        {k: tuple(v) for k, v in face.landmarks_cm.items()},
        _face_dims_cm(),
        np.asarray(emap, dtype=float),
        regions,
        ch.channel,
        dose.wavelength_nm,
    )


def face_map_html(ev: Evaluation, *, use_cache: bool = True) -> str:
    """Irradiance over the face per channel (central scenario), front view on a face drawing,
    with the mean of the named regions written on it (the eye region flagged). One image per
    channel, so that a phone shows them one under the other at a readable size."""
    imgs = []
    geometry: list[Any] = []  # triangulation and outline: drawn only on a cache miss, then kept
    for emap, ch, dose in zip(ev.central_maps, ev.irradiance, ev.doses, strict=True):
        png = cached_png(
            "face_map",
            _face_map_parts(ev, emap, ch, dose),
            partial(_face_map_png, ev, emap, ch, dose, geometry),
            use_cache=use_cache,
        )
        alt = f"computed irradiance of the {ch.channel} channel on an average face, with region means"
        imgs.append(png_img(png, alt))
    return '<div class="faces">' + "".join(imgs) + "</div>"


def _face_map_png(ev: Evaluation, emap: Any, ch: Any, dose: Any, geometry: list[Any]) -> bytes:
    xy = ev.face.centers_cm
    if not geometry:
        geometry.extend((_triangulation(xy), face_outline_cm(xy)))
    tri, outline = geometry
    fig, ax = new_figure((3.9, 4.9))
    vals = np.asarray(emap, dtype=float)
    tpc = ax.tripcolor(tri, vals, cmap="inferno", shading="gouraud", vmin=0.0, vmax=float(vals.max()) or 1.0)
    _draw_features(ax, ev, outline)
    for region in MAP_REGIONS:
        stats = ch.regions.get(region)
        if not stats or region not in ev.face.region_names:
            continue
        m = ev.face.region_mask(region)
        if region in ("cheeks", "periorbital"):
            m = m & (xy[:, 0] > 0)  # a paired region: label the subject's left side
        if not m.any():
            continue
        cx, cy = float(np.median(xy[m, 0])), float(np.median(xy[m, 1]))
        if region == "periorbital":
            cx, cy = cx + 0.6, cy + 1.2
        label = f"{region}\n{stats['mean']:.2g}"
        if region == "periorbital":
            label = f"eyes ⚠\n{stats['mean']:.2g}"
        ax.text(
            cx,
            cy,
            label,
            ha="center",
            va="center",
            fontsize=8,
            color="#111111",
            bbox={
                "boxstyle": "round,pad=0.2",
                "fc": "white",
                "ec": "#b03a2e" if region == "periorbital" else "none",
                "alpha": 0.85,
            },
        )
    ax.set_aspect("equal")
    pad = 0.4
    ax.set_xlim(outline[:, 0].min() - pad, outline[:, 0].max() + pad)
    ax.set_ylim(outline[:, 1].min() - pad, outline[:, 1].max() + pad)
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    ax.set_title(
        f"Computed irradiance, {ch.channel} {dose.wavelength_nm:g} nm (mW/cm²)\n"
        "average adult face, central scenario; labels: region means",
        fontsize=8.5,
    )
    cb = fig.colorbar(tpc, ax=ax, shrink=0.7)
    cb.ax.tick_params(labelsize=7)
    return to_png(fig)


LAYER_SHADES = ("#f6e3c6", "#e9c39b", "#d9a877", "#f3d5d8", "#e6a4a9", "#d47f88", "#fbf0c9", "#e8e8e8")
DEPTH_MAX_MM = 6.0


def depth_dose_svg(ev: Evaluation) -> str:
    """Fluence per session vs depth (log scale), the skin layers shaded and numbered along the
    top, written directly as SVG (:mod:`photodose.report.svg_chart`: milliseconds, so not cached)."""
    from photodose.report.svg_chart import Canvas, Plot, Scale, legend_rows, log_limits, text_width

    first = ev.depth[0]
    bounds = [float(b) * 10 for b in first.boundaries_cm]  # mm
    layers = []  # (number, name, top, bottom drawn, colour, depth text)
    for i, name in enumerate(first.layer_names):
        top = bounds[i]
        bottom = bounds[i + 1] if i + 1 < len(bounds) else DEPTH_MAX_MM
        if top >= DEPTH_MAX_MM:
            continue
        depth_txt = f"{top:.2g}–{bottom:.2g} mm" if i + 1 < len(bounds) else f"below {top:.2g} mm"
        layers.append(
            (i + 1, name.replace("_", " "), top, min(bottom, DEPTH_MAX_MM), LAYER_SHADES[i % 8], depth_txt)
        )
    curves = []
    for prof, dose in zip(ev.depth, ev.doses, strict=True):
        z = np.asarray(prof.depth_cm) * 10
        sel = (z <= DEPTH_MAX_MM) & (np.arange(z.size) % 3 == 0)  # every third 5 µm bin is plenty
        phi = np.asarray(prof.fluence_per_irradiance)[sel]
        h = dose.surface_fluence_j_cm2
        label = f"{dose.channel} {dose.wavelength_nm:g} nm (central; band = low–high)"
        curves.append(
            (z[sel], phi * h.low, phi * h.central, phi * h.high, colour_for(dose.wavelength_nm), label)
        )
    # numbers of the layers along the top; thin neighbours go up a row so none overlap
    row_ends: list[float] = []
    rows_of = []
    for _, _, top, bottom, _, _ in layers:
        centre = (top + bottom) / 2 / DEPTH_MAX_MM
        row = next((k for k, end in enumerate(row_ends) if end < centre - 0.008), len(row_ends))
        if row == len(row_ends):
            row_ends.append(0.0)
        row_ends[row] = centre + 0.008
        rows_of.append(row)
    width, left, right = 540.0, 62.0, 14.0
    title_h, number_h = 22.0, 9.0 * len(row_ends) + 4
    plot_top = title_h + number_h
    plot_h = 215.0
    legend_top = plot_top + plot_h + 48
    n_legend_rows = math.ceil(len(layers) / 2)
    height = legend_top + 14 + n_legend_rows * 7.5 * 1.55 + 6
    c = Canvas(width, height, name="depth")
    lo, hi = log_limits(v for zc, low, cen, high, _, _ in curves for v in (*low, *high))
    p = Plot(
        c, Scale(0.0, DEPTH_MAX_MM, left, width - right), Scale(lo, hi, plot_top + plot_h, plot_top, log=True)
    )
    clip = f'clip-path="url(#{p.clip_id()})"'
    for (num, _, top, bottom, colour, _), row in zip(layers, rows_of, strict=True):
        x0, x1 = p.x(top), p.x(bottom)
        c.rect(x0, plot_top, x1 - x0, plot_h, colour, 0.7)
        c.text((x0 + x1) / 2, plot_top - 3 - 9.0 * row, str(num), 7, anchor="middle")
    p.grid(x=True, y=True)
    c.add(f"<g {clip}>")
    for z, low, _, high, colour, _ in curves:
        band = [(p.x(a), p.y(b)) for a, b in zip(z, low, strict=True)]
        band += [(p.x(a), p.y(b)) for a, b in zip(z[::-1], high[::-1], strict=True)]
        c.polygon(band, colour, 0.15)
    for z, _, cen, _, colour, _ in curves:
        c.polyline([(p.x(a), p.y(b)) for a, b in zip(z, cen, strict=True)], colour, 1.8)
    c.add("</g>")
    p.frame("depth below the skin surface (mm)", "fluence per session (J/cm²)")
    # the curves' legend, inside the lower left corner
    size = 8.0
    lw = max(text_width(cv[5], size, em=0.52) for cv in curves) + 36
    lh = len(curves) * size * 1.6 + 6
    lx, ly = left + 6, plot_top + plot_h - 6 - lh
    c.rect(lx, ly, lw, lh, "#fff", 0.8, stroke="#cccccc", stroke_width="0.8", rx="2")
    for k, (_, _, _, _, colour, label) in enumerate(curves):
        y = ly + 3 + size * 1.6 * (k + 0.5)
        c.line(lx + 5, y, lx + 25, y, colour, 1.8)
        c.text(lx + 30, y, label, size, baseline="central")
    # the layers' legend below the axes
    c.text(
        width / 2 + (left - right) / 2, legend_top, "skin layers (numbered along the top)", 8, anchor="middle"
    )
    keys = {str(lay[0]): partial(_layer_key, c, lay[4]) for lay in layers}
    legend_rows(
        c,
        [(str(lay[0]), f"{lay[0]} {lay[1]} ({lay[5]})") for lay in layers],
        width / 2 + (left - right) / 2,
        legend_top + 5,
        2,
        7.5,
        keys,
    )
    c.text(
        width / 2,
        14,
        "Computed dose at depth (Monte Carlo × device irradiance × session time)",
        10,
        anchor="middle",
    )
    return c.svg("computed dose at depth per session, per channel, with the skin layers")


def _window_rows(ev: Evaluation) -> list[Any]:
    return [v for v in ev.verdicts if v.window is not None and v.window.fluence_j_cm2 is not None]


def _layer_key(c: Any, colour: str, x: float, y: float, w: float) -> None:
    c.rect(x, y - 3.5, w, 7, colour, 0.7)


def dose_windows_svg(ev: Evaluation) -> str:
    """Per-session surface fluence of each channel (low–central–high) against the studied dose
    windows of the controlled trials, one row per indication and band, log dose axis; written
    directly as SVG (:mod:`photodose.report.svg_chart`: milliseconds, so not cached)."""
    from photodose.report.svg_chart import Canvas, Plot, Scale, text_width

    rows = _window_rows(ev)
    labels = [(v.indication_name, v.band_name) for v in rows]
    size = 8.0
    label_w = max([text_width(s, size) for pair in labels for s in pair] + [40.0])
    width, right = 540.0, 14.0
    left = label_w + 16
    row_h = 40.0
    plot_top = 24.0
    plot_h = row_h * max(1, len(rows))
    height = plot_top + plot_h + 40 + (26 if rows else 0)
    c = Canvas(width, height, name="windows")
    xmax = max(
        [1.0]
        + [v.fluence_j_cm2[2] for v in rows]
        + [v.window.fluence_j_cm2.max for v in rows if v.window and v.window.fluence_j_cm2]
    )
    n = max(1, len(rows))
    p = Plot(
        c,
        Scale(0.1, 10 ** math.ceil(math.log10(xmax * 1.5)), left, width - right, log=True),
        Scale(-0.6, n - 0.4, plot_top + plot_h, plot_top),
    )
    p.grid(x=True, y=False)
    c.add(f'<g clip-path="url(#{p.clip_id()})">')
    for i, v in enumerate(rows):
        w = v.window
        r = w.fluence_j_cm2
        # bounds stay bounds: a dose known only as "≤ v" is no lower edge; an open lower edge
        # is drawn hatched from a tenth of the upper edge (issue 9)
        hi = r.upper_edge if r.upper_edge is not None else r.max
        lo = r.lower_edge if r.lower_edge is not None else hi / 10
        span_hi = hi if hi > lo else lo * 1.15
        y0, y1 = p.y(i + 0.25), p.y(i - 0.25)
        c.rect(p.x(lo), y0, p.x(span_hi) - p.x(lo), y1 - y0, "#9bbf85", 0.8)
        if r.lower_edge is None:
            c.rect(p.x(lo), y0, p.x(span_hi) - p.x(lo), y1 - y0, f"url(#{c.hatch('#333333')})")
        for val in r.values:
            for x in (val.low, val.high):
                c.line(p.x(x), p.y(i) - 6, p.x(x), p.y(i) + 6, "#000", 1.2)
        f_lo, f_c, f_hi = v.fluence_j_cm2
        col = colour_for(v.wavelengths_nm[0]) if v.wavelengths_nm else "#333333"
        yc = p.y(i)
        c.line(p.x(f_lo), yc, p.x(f_hi), yc, col, 1.5)
        for x in (f_lo, f_hi):
            c.line(p.x(x), yc - 4, p.x(x), yc + 4, col, 1.5)
        c.circle(p.x(f_c), yc, 3.2, col)
    c.add("</g>")
    for i, (name, band) in enumerate(labels):
        yc = p.y(i)
        c.line(left - 3.5, yc, left, yc, "#000", 0.8)
        c.text(left - 6, yc - size * 0.6, name, size, anchor="end", baseline="central")
        c.text(left - 6, yc + size * 0.6, band, size, anchor="end", baseline="central")
    if not rows:
        c.text(
            (left + width - right) / 2,
            plot_top + plot_h / 2,
            "No controlled trial reported a dose for this device's bands",
            10,
            anchor="middle",
            baseline="central",
        )
    p.frame("surface fluence per session (J/cm²); ticks: the individual trials", None)
    if rows:
        ly = plot_top + plot_h + 50
        entries = ["studied window (controlled trials)", "this device, per session (low–central–high)"]
        total = sum(text_width(e, 8) + 30 for e in entries) + 20
        x = (left + width - right) / 2 - total / 2
        c.rect(x, ly - 3.5, 20, 7, "#9bbf85", 0.8)
        c.text(x + 25, ly, entries[0], 8, baseline="central")
        x += text_width(entries[0], 8, em=0.52) + 40
        col = colour_for(rows[0].wavelengths_nm[0]) if rows[0].wavelengths_nm else "#333333"
        c.line(x, ly, x + 20, ly, col, 1.5)
        c.circle(x + 10, ly, 3.2, col)
        c.text(x + 25, ly, entries[1], 8, baseline="central")
    c.text(width / 2, 14, "Device dose against the doses of controlled trials", 10, anchor="middle")
    return c.svg("device dose per session against the doses of controlled trials")
