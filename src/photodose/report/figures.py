"""Figures of the evaluation report, as inline SVG (the HTML report must work offline).

Each figure is drawn with matplotlib's object API (a :class:`matplotlib.figure.Figure`, no
pyplot, the Agg/SVG canvases) and cached on disk under a hash of the numbers it plots
(:mod:`photodose.report.figure_cache`): a warm report of the same device and person draws
nothing and imports no matplotlib. ``use_cache=False`` always draws.
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

from photodose.report.figure_cache import cached_png, cached_svg
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


def depth_dose_svg(ev: Evaluation, *, use_cache: bool = True) -> str:
    """Fluence per session vs depth for each channel, with the skin layers shaded."""
    first = ev.depth[0]
    parts = (
        list(first.layer_names),
        [float(b) for b in first.boundaries_cm],
        [
            (
                np.asarray(prof.depth_cm),
                np.asarray(prof.fluence_per_irradiance),
                dose.surface_fluence_j_cm2.low,
                dose.surface_fluence_j_cm2.central,
                dose.surface_fluence_j_cm2.high,
                dose.channel,
                dose.wavelength_nm,
            )
            for prof, dose in zip(ev.depth, ev.doses, strict=True)
        ],
    )
    return cached_svg("depth_dose", parts, lambda: _depth_dose_svg(ev), use_cache=use_cache)


def _depth_dose_svg(ev: Evaluation) -> str:
    from matplotlib.patches import Patch

    fig, ax = new_figure((7.5, 4.2))
    first = ev.depth[0]
    bounds = list(first.boundaries_cm)
    shades = ["#f6e3c6", "#e9c39b", "#d9a877", "#f3d5d8", "#e6a4a9", "#d47f88", "#fbf0c9", "#e8e8e8"]
    layer_handles = []
    row_ends: list[float] = []
    for i, name in enumerate(first.layer_names):
        top = bounds[i] * 10
        bottom = (bounds[i + 1] * 10) if i + 1 < len(bounds) else 6.0
        if top >= 6.0:
            continue
        colour = shades[i % len(shades)]
        ax.axvspan(top, min(bottom, 6.0), color=colour, alpha=0.7, lw=0)
        # number every layer along the top; thin neighbours go up a row so none overlap
        centre = (top + min(bottom, 6.0)) / 2 / 6.0  # axis fraction
        row = next((k for k, end in enumerate(row_ends) if end < centre - 0.008), len(row_ends))
        if row == len(row_ends):
            row_ends.append(0.0)
        row_ends[row] = centre + 0.008
        ax.text(
            centre,
            1.01 + 0.045 * row,
            str(i + 1),
            transform=ax.transAxes,
            ha="center",
            va="bottom",
            fontsize=7,
        )
        depth_txt = f"{top:.2g}–{bottom:.2g} mm" if i + 1 < len(bounds) else f"below {top:.2g} mm"
        layer_handles.append(
            Patch(color=colour, alpha=0.7, label=f"{i + 1} {name.replace('_', ' ')} ({depth_txt})")
        )
    for prof, dose in zip(ev.depth, ev.doses, strict=True):
        z = prof.depth_cm * 10
        sel = (z <= 6.0) & (np.arange(z.size) % 3 == 0)  # every third 5 µm bin is plenty to draw
        h = dose.surface_fluence_j_cm2
        col = colour_for(dose.wavelength_nm)
        ax.fill_between(
            z[sel],
            prof.fluence_per_irradiance[sel] * h.low,
            prof.fluence_per_irradiance[sel] * h.high,
            color=col,
            alpha=0.15,
            lw=0,
        )
        ax.plot(
            z[sel],
            prof.fluence_per_irradiance[sel] * h.central,
            color=col,
            lw=1.8,
            label=f"{dose.channel} {dose.wavelength_nm:g} nm (central; band = low–high)",
        )
    ax.set_yscale("log")
    plain_log_ticks(ax.yaxis)
    ax.set_xlim(0, 6.0)
    ax.set_xlabel("depth below the skin surface (mm)")
    ax.set_ylabel("fluence per session (J/cm²)")
    ax.grid(True, which="both", alpha=0.3)
    lines_legend = ax.legend(fontsize=8, loc="lower left")
    ax.add_artist(lines_legend)
    ax.legend(
        handles=layer_handles,
        title="skin layers (numbered along the top)",
        title_fontsize=8,
        fontsize=7.5,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.16),
        ncol=2,
        frameon=False,
    )
    ax.set_title(
        "Computed dose at depth (Monte Carlo × device irradiance × session time)",
        fontsize=10,
        pad=10 + 9 * len(row_ends),
    )
    return to_svg(fig)


def _window_rows(ev: Evaluation) -> list[Any]:
    return [v for v in ev.verdicts if v.window is not None and v.window.fluence_j_cm2 is not None]


def dose_windows_svg(ev: Evaluation, *, use_cache: bool = True) -> str:
    """Per-session surface fluence of each channel against the studied windows by indication."""
    parts = []
    for v in _window_rows(ev):
        r = v.window.fluence_j_cm2
        parts.append(
            (
                r.lower_edge,
                r.upper_edge,
                r.max,
                [(val.low, val.high) for val in r.values],
                tuple(v.fluence_j_cm2),
                list(v.wavelengths_nm),
                v.indication_name,
                v.band_name,
            )
        )
    return cached_svg("dose_windows", tuple(parts), lambda: _dose_windows_svg(ev), use_cache=use_cache)


def _dose_windows_svg(ev: Evaluation) -> str:
    rows = _window_rows(ev)
    labels = []
    fig_h = 1.2 + 0.55 * max(1, len(rows))
    fig, ax = new_figure((7.5, fig_h))
    for i, v in enumerate(rows):
        w = v.window
        assert w is not None and w.fluence_j_cm2 is not None
        r = w.fluence_j_cm2
        # bounds stay bounds: a dose known only as "≤ v" is no lower edge; an open lower edge
        # is drawn hatched from a tenth of the upper edge (issue 9)
        hi = r.upper_edge if r.upper_edge is not None else r.max
        lo = r.lower_edge if r.lower_edge is not None else hi / 10
        span_hi = hi if hi > lo else lo * 1.15
        ax.barh(
            i,
            span_hi - lo,
            left=lo,
            height=0.5,
            color="#9bbf85",
            alpha=0.8,
            hatch="//" if r.lower_edge is None else None,
            label="studied window (controlled trials)" if i == 0 else None,
        )
        for val in w.fluence_j_cm2.values:
            ax.plot([val.low, val.high], [i, i], "k|", ms=12)
        f_lo, f_c, f_hi = v.fluence_j_cm2
        col = colour_for(v.wavelengths_nm[0]) if v.wavelengths_nm else "#333333"
        ax.errorbar(
            f_c,
            i,
            xerr=[[f_c - f_lo], [f_hi - f_c]],
            fmt="o",
            color=col,
            capsize=4,
            label="this device, per session (low–central–high)" if i == 0 else None,
        )
        labels.append(f"{v.indication_name}\n{v.band_name}")
    if not rows:
        ax.text(
            0.5,
            0.5,
            "No controlled trial reported a dose for this device's bands",
            ha="center",
            va="center",
            transform=ax.transAxes,
        )
    ax.set_yticks(range(len(rows)), labels, fontsize=8)
    ax.set_xscale("log")
    plain_log_ticks(ax.xaxis)
    xmax = max(
        [1.0]
        + [v.fluence_j_cm2[2] for v in rows]
        + [v.window.fluence_j_cm2.max for v in rows if v.window and v.window.fluence_j_cm2]
    )
    ax.set_xlim(0.1, 10 ** math.ceil(math.log10(xmax * 1.5)))
    ax.set_xlabel("surface fluence per session (J/cm²); ticks: the individual trials")
    ax.grid(True, axis="x", which="both", alpha=0.3)
    if rows:
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.35), ncol=2, frameon=False)
    ax.set_title("Device dose against the doses of controlled trials", fontsize=10)
    return to_svg(fig)
