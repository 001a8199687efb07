"""Who gets what: a device's dermal dose per session across skin types and face sites.

From a sweep's rows (:func:`photodose.sweep.run_sweep`), each device channel's dermal fluence per
session for every Fitzpatrick type and face site, with the same arithmetic as
:func:`photodose.dose.channel_dose`:

    H_dermis = E · t · φ̄_dermis,   E · t = surface fluence [J/cm²] (E in mW/cm², t in s, / 1000)

E is the channel's mean irradiance over the face (:func:`photodose.device.evaluate_irradiance`,
low / central / high), t the device's own session length (``session_minutes``), φ̄_dermis the
mean Φ/E0 over the dermis of the cell's skin. Low pairs the low irradiance with the smallest
φ̄ of the three composition samples (central, low, high), high the other ends, as
:func:`photodose.dose.channel_dose` does; rows without both bounds give the central value only.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class DermalDose:
    """Dermal fluence per session of one device channel in one skin (J/cm²)."""

    device: str
    channel: str
    fitzpatrick: str
    site: str
    session_minutes: float
    irradiance_mw_cm2: float  # central
    low_j_cm2: float | None
    central_j_cm2: float
    high_j_cm2: float | None


def _irradiance(device: str) -> tuple[float, dict[str, tuple[float, float, float]]]:
    from photodose.device import evaluate_irradiance, face_surface, load_device

    spec = load_device(device)
    irr = evaluate_irradiance(spec, face_surface(), None)
    return float(spec.session_minutes), {
        ci.channel: (ci.mean.low, ci.mean.central, ci.mean.high) for ci in irr
    }


def who_gets_what(
    rows: list[dict[str, Any]],
    minutes: float | None = None,
    irradiance: Mapping[str, tuple[float, dict[str, tuple[float, float, float]]]] | None = None,
) -> list[DermalDose]:
    """Dermal dose per session for every (device, channel, type, site) in the sweep rows.

    ``minutes`` overrides each device's session length. Rows of bare wavelengths (no device)
    and failed cells are skipped. ``irradiance`` gives, per device, its session minutes and each
    channel's (low, central, high) mean irradiance in mW/cm² (e.g. from the shipped catalogue
    table); devices missing from it are modelled here (:func:`photodose.device.evaluate_irradiance`).
    """
    cells: dict[tuple[str, str, str, str], dict[str, float]] = defaultdict(dict)
    for r in rows:
        if not r.get("device") or r.get("error") or r.get("dermis_mean_fluence_ratio") is None:
            continue
        cells[(r["device"], r["channel"], r["fitzpatrick"], r["site"])][r["composition"]] = float(
            r["dermis_mean_fluence_ratio"]
        )
    devices = {k[0] for k in cells}
    given = irradiance or {}
    irr = {d: given[d] if d in given else _irradiance(d) for d in sorted(devices)}
    out = []
    for (dev, ch, fitz, site), ratios in cells.items():
        if "central" not in ratios:
            continue
        t_min, channels = irr[dev]
        t = float(minutes) if minutes is not None else t_min
        e_lo, e_c, e_hi = channels[ch]
        h_per_mw = t * 60.0 / 1000.0  # J/cm² per mW/cm²
        both = "low" in ratios and "high" in ratios
        out.append(
            DermalDose(
                device=dev,
                channel=ch,
                fitzpatrick=fitz,
                site=site,
                session_minutes=t,
                irradiance_mw_cm2=e_c,
                low_j_cm2=e_lo * h_per_mw * min(ratios.values()) if both else None,
                central_j_cm2=e_c * h_per_mw * ratios["central"],
                high_j_cm2=e_hi * h_per_mw * max(ratios.values()) if both else None,
            )
        )
    return out


def spread(doses: list[DermalDose]) -> list[dict[str, Any]]:
    """Per device channel: the central dermal dose's min, median and max over the skins swept,
    and the widest low–high range (who gets the least, who the most)."""
    groups: dict[tuple[str, str], list[DermalDose]] = defaultdict(list)
    for d in doses:
        groups[(d.device, d.channel)].append(d)
    out = []
    for (dev, ch), ds in groups.items():
        c = [d.central_j_cm2 for d in ds]
        lows = [d.low_j_cm2 for d in ds if d.low_j_cm2 is not None]
        highs = [d.high_j_cm2 for d in ds if d.high_j_cm2 is not None]
        least = min(ds, key=lambda d: d.central_j_cm2)
        most = max(ds, key=lambda d: d.central_j_cm2)
        out.append(
            {
                "device": dev,
                "channel": ch,
                "skins": len(ds),
                "session_minutes": ds[0].session_minutes,
                "dermis_j_cm2_min": min(c),
                "dermis_j_cm2_median": statistics.median(c),
                "dermis_j_cm2_max": max(c),
                "dermis_j_cm2_lowest_low": min(lows) if lows else None,
                "dermis_j_cm2_highest_high": max(highs) if highs else None,
                "least": f"{least.fitzpatrick} {least.site}",
                "most": f"{most.fitzpatrick} {most.site}",
            }
        )
    return out


def plot_who_gets_what(doses: list[DermalDose], path: str | Path | None = None) -> Figure:
    """One panel per device channel: the central dermal dose per session of every skin swept
    (a dot each, labelled type and site) with its low–high range as a bar; log dose axis.
    Saved to ``path`` (PNG, SVG, PDF by suffix) when given."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    if not doses:
        raise ValueError("no device cells to plot: sweep at least one --device")
    groups: dict[tuple[str, str], list[DermalDose]] = defaultdict(list)
    for d in doses:
        groups[(d.device, d.channel)].append(d)
    keys = list(groups)
    fig, ax = plt.subplots(figsize=(8.0, 0.9 + 0.55 * len(keys)))
    for i, key in enumerate(keys):
        ds = sorted(groups[key], key=lambda d: d.central_j_cm2)
        step = min(0.6 / max(len(ds), 1), 0.12)
        ys = [i + (j - (len(ds) - 1) / 2) * step for j in range(len(ds))]
        for y, d in zip(ys, ds, strict=True):
            if d.low_j_cm2 is not None and d.high_j_cm2 is not None:
                ax.plot([d.low_j_cm2, d.high_j_cm2], [y, y], color="#bbbbbb", lw=1, zorder=1)
            ax.plot([d.central_j_cm2], [y], "o", color="#b03030", ms=4, zorder=2)
        lo, hi = ds[0], ds[-1]  # least and most, labelled beside their own dots
        ax.annotate(f"least: {lo.fitzpatrick} {lo.site}", (lo.central_j_cm2, ys[0]), xytext=(-6, 0),
                    textcoords="offset points", fontsize=7, ha="right", va="center")  # fmt: skip
        ax.annotate(f"most: {hi.fitzpatrick} {hi.site}", (hi.central_j_cm2, ys[-1]), xytext=(6, 0),
                    textcoords="offset points", fontsize=7, ha="left", va="center")  # fmt: skip
    ax.set_yticks(range(len(keys)), [f"{dev}\n{ch}" for dev, ch in keys], fontsize=7)
    ax.set_xscale("log")
    ax.set_xlabel(
        "dermal fluence per session, J/cm² (dot: central; bar: irradiance × skin-composition range)"
    )
    ax.set_title("Who gets what: dermal dose across the skins swept (computed, Monte Carlo)", fontsize=9)
    ax.grid(axis="x", which="both", alpha=0.3)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=150)
    return fig
