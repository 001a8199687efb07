"""The "who gets what" figure: each device's dermal dose per session across skin types and sites.

Drawn server-side as inline SVG (matplotlib's object API, like the report's other figures; cached) from a
:class:`photodose.services.who_table.WhoGetsWhat`, which the shipped depth table fills without
Monte Carlo. One row per device channel; a dot per skin (colour: Fitzpatrick type, light to
dark; marker: face site) at the central dermal dose, a grey bar from the lowest low to the
highest high (irradiance scenarios × skin-composition range); log dose axis.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from photodose.services.who_table import FITZPATRICK_ORDER, WhoGetsWhat
from photodose.sweep.who import DermalDose

# light to dark, one per Fitzpatrick type (colour-blind-safe sequential browns)
TYPE_COLOURS = dict(
    zip(FITZPATRICK_ORDER, ("#f2d4b7", "#e0b08a", "#c68c5f", "#a0673e", "#6e4226", "#3b2214"), strict=True)
)
SITE_MARKERS = ("o", "s", "^", "D", "v", "P")


def who_gets_what_svg(
    who: WhoGetsWhat,
    highlight: Sequence[str] = (),
    names: dict[str, str] | None = None,
    *,
    use_cache: bool = True,
) -> str:
    """Inline SVG of the table's dermal doses per session; ``highlight``: device ids drawn in
    bold (the device evaluated, or those compared); ``names``: device id → label. Empty string
    when the table holds no device. Cached on disk under a hash of the doses, the highlighted
    devices and the labels (:mod:`photodose.report.figure_cache`)."""
    from photodose.report.figure_cache import cached_svg

    if not who.doses:
        return ""
    used = {d.device for d in who.doses}
    parts = (list(who.doses), list(highlight), {k: v for k, v in (names or {}).items() if k in used})
    return cached_svg("who_gets_what", parts, lambda: _draw(who, highlight, names), use_cache=use_cache)


def _draw(who: WhoGetsWhat, highlight: Sequence[str], names: dict[str, str] | None) -> str:
    from matplotlib.lines import Line2D

    from photodose.report.figures import new_figure, plain_log_ticks, to_svg

    groups: dict[tuple[str, str], list[DermalDose]] = defaultdict(list)
    for d in who.doses:
        groups[(d.device, d.channel)].append(d)
    # highlighted devices first, then by median central dose (largest on top)
    keys = sorted(
        groups,
        key=lambda k: (
            k[0] not in highlight,
            -sorted(x.central_j_cm2 for x in groups[k])[len(groups[k]) // 2],
        ),
    )
    sites = sorted({d.site for d in who.doses})
    marker = {s: SITE_MARKERS[i % len(SITE_MARKERS)] for i, s in enumerate(sites)}
    n = len(keys)
    fig, ax = new_figure((7.5, 1.3 + 0.26 * n))
    bars: list[tuple[float, float, float]] = []  # (y, lowest low, highest high)
    dots: dict[tuple[str, str], tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    for row, key in enumerate(keys):
        y = n - 1 - row
        ds = groups[key]
        if key[0] in highlight:
            ax.axhspan(y - 0.5, y + 0.5, color="#fff2cc", lw=0, zorder=0)
        lows = [d.low_j_cm2 for d in ds if d.low_j_cm2 is not None]
        highs = [d.high_j_cm2 for d in ds if d.high_j_cm2 is not None]
        if lows and highs:
            bars.append((y, min(lows), max(highs)))
        for d in ds:
            xs, ys = dots[(d.fitzpatrick, d.site)]
            xs.append(d.central_j_cm2)
            ys.append(y)
    if bars:  # one collection for all bars and one per (type, site) for the dots: a light SVG
        ax.hlines(
            [b[0] for b in bars],
            [b[1] for b in bars],
            [b[2] for b in bars],
            color="#bbbbbb",
            lw=1.2,
            zorder=1,
        )
    for (fitz, site), (xs, ys) in dots.items():
        ax.scatter(
            xs, ys, s=30, marker=marker[site], c=TYPE_COLOURS.get(fitz, "#888888"),
            edgecolors="#333333", linewidths=0.5, zorder=2,
        )  # fmt: skip
    labels = [f"{(names or {}).get(dev, dev)}, {ch}" for dev, ch in keys]
    ax.set_yticks(range(n), labels[::-1], fontsize=7)
    for tick, (dev, _) in zip(ax.get_yticklabels(), reversed(keys), strict=True):
        if dev in highlight:
            tick.set_fontweight("bold")
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xscale("log")
    plain_log_ticks(ax.xaxis)
    ax.set_xlabel("dermal fluence per session at the device's own timer, J/cm² (log scale)", fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    ax.grid(axis="x", which="both", alpha=0.25)
    types = [t for t in FITZPATRICK_ORDER if any(d.fitzpatrick == t for d in who.doses)]
    handles = [
        Line2D(
            [],
            [],
            marker="o",
            ls="",
            ms=5.5,
            mec="#333333",
            mew=0.5,
            color=TYPE_COLOURS[t],
            label=f"type {t}",
        )
        for t in types
    ]
    if len(sites) > 1:
        handles += [Line2D([], [], marker=marker[s], ls="", ms=5.5, color="#999999", label=s) for s in sites]
    handles.append(Line2D([], [], color="#bbbbbb", lw=1.2, label="low–high"))
    ax.legend(
        handles=handles, fontsize=7, ncol=min(len(handles), 4), loc="lower center",
        bbox_to_anchor=(0.5, 1.0), frameon=False,
    )  # fmt: skip
    fig.tight_layout()
    return to_svg(fig)  # labels as SVG text, not glyph paths
