"""Figures of the evaluation report, as inline SVG (the HTML report must work offline)."""

from __future__ import annotations

import base64
import io
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from photodose.services.evaluate import Evaluation

CHANNEL_COLOURS = {"red": "#c0392b", "nir": "#5b2c83", "amber": "#d68910", "blue": "#1f618d"}


def colour_for(wavelength_nm: float) -> str:
    if wavelength_nm < 480:
        return CHANNEL_COLOURS["blue"]
    if wavelength_nm < 610:
        return CHANNEL_COLOURS["amber"]
    if wavelength_nm < 700:
        return CHANNEL_COLOURS["red"]
    return CHANNEL_COLOURS["nir"]


def to_svg(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg") :]  # drop the XML prolog for inline use


def to_png_img(fig: Figure, alt: str) -> str:
    """An inline <img> with the figure as a base64 PNG (dense scatter plots are far smaller
    and faster as PNG than as SVG)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="{alt}" src="data:image/png;base64,{data}">'


def face_map_html(ev: Evaluation) -> str:
    """Irradiance over the face per channel (central scenario), front view."""
    n = len(ev.central_maps)
    fig, axes = plt.subplots(1, n, figsize=(3.6 * n, 4.2), squeeze=False)
    xy = ev.face.centers_cm
    order = np.argsort(xy[:, 2])  # draw back to front
    for ax, emap, ch, dose in zip(axes[0], ev.central_maps, ev.irradiance, ev.doses, strict=True):
        sc = ax.scatter(
            xy[order, 0], xy[order, 1], c=emap[order], s=9, cmap="inferno", marker="s", linewidths=0
        )
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        for side in ("top", "right", "bottom", "left"):
            ax.spines[side].set_visible(False)
        ax.set_title(f"{ch.channel} {dose.wavelength_nm:g} nm\nmW/cm² (central scenario)", fontsize=9)
        cb = fig.colorbar(sc, ax=ax, shrink=0.75)
        cb.ax.tick_params(labelsize=7)
    fig.suptitle("Computed irradiance on an average adult face", fontsize=10)
    return to_png_img(fig, "computed irradiance on an average adult face, per channel")


def depth_dose_svg(ev: Evaluation) -> str:
    """Fluence per session vs depth for each channel, with the skin layers shaded."""
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    first = ev.depth[0]
    bounds = list(first.boundaries_cm)
    shades = ["#e9c39b", "#e9c39b", "#f3d5d8", "#e6a4a9", "#f3d5d8", "#e6a4a9", "#fbf0c9"]
    for i, name in enumerate(first.layer_names):
        top = bounds[i] * 10
        bottom = (bounds[i + 1] * 10) if i + 1 < len(bounds) else 6.0
        ax.axvspan(top, min(bottom, 6.0), color=shades[i % len(shades)], alpha=0.6, lw=0)
        if bottom - top > 0.25:
            ax.text(
                (top + min(bottom, 6.0)) / 2,
                1.02,
                name,
                transform=ax.get_xaxis_transform(),
                ha="center",
                va="bottom",
                fontsize=7,
                rotation=0,
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
    ax.set_xlim(0, 6.0)
    ax.set_xlabel("depth below the skin surface (mm)")
    ax.set_ylabel("fluence per session (J/cm²)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    ax.set_title(
        "Computed dose at depth (Monte Carlo × device irradiance × session time)",
        fontsize=10,
        pad=16,
    )
    return to_svg(fig)


def dose_windows_svg(ev: Evaluation) -> str:
    """Per-session surface fluence of each channel against the studied windows by indication."""
    rows = [v for v in ev.verdicts if v.window is not None and v.window.fluence_j_cm2 is not None]
    labels = []
    fig_h = 1.2 + 0.55 * max(1, len(rows))
    fig, ax = plt.subplots(figsize=(7.5, fig_h))
    for i, v in enumerate(rows):
        w = v.window
        assert w is not None and w.fluence_j_cm2 is not None
        lo, hi = w.fluence_j_cm2.min, w.fluence_j_cm2.max
        span_hi = hi if hi > lo else lo * 1.15
        ax.barh(
            i,
            span_hi - lo,
            left=lo,
            height=0.5,
            color="#9bbf85",
            alpha=0.8,
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
