"""A figure of the journal: sessions per plan week against the target, and cumulative dose
per channel over time (matplotlib, Agg backend; written to a PNG/SVG/PDF file)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any


def plot_journal(summary: dict[str, Any], path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4), constrained_layout=True)
    weeks = summary["adherence"]["weeks"]
    if weeks:
        xs = [w["week"] for w in weeks]
        ax1.bar(xs, [w["sessions"] for w in weeks], color="#b33", label="sessions logged")
        ax1.step(xs, [w["target"] for w in weeks], where="mid", color="k", label="plan target")
        ax1.set_xlabel("plan week")
        ax1.legend()
    else:
        ax1.text(
            0.5, 0.5, "no plan: run photodose plan --save", ha="center", va="center", transform=ax1.transAxes
        )
    ax1.set_ylabel("sessions")
    ax1.set_title("Adherence")
    series: dict[str, tuple[list[datetime], list[float]]] = {}
    for s in summary["sessions"]:
        t = datetime.fromisoformat(s["started_at"])
        for d in s["doses"]:
            xs2, ys = series.setdefault(f"{d['channel']} ({d['wavelength_nm']:g} nm)", ([], []))
            xs2.append(t)
            ys.append((ys[-1] if ys else 0.0) + d["fluence_j_cm2"]["central"])
    for name, (xs2, ys) in series.items():
        ax2.step(xs2, ys, where="post", label=name)
    ax2.set_ylabel("cumulative surface dose (J/cm², central)")
    ax2.set_title("Cumulative dose per channel")
    if series:
        ax2.legend()
    fig.autofmt_xdate()
    fig.savefig(path)
    plt.close(fig)
    return path
