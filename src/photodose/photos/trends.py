"""Trends in photo metrics: slope with a confidence interval, judged against measured repeat noise.

A change is called only when it is beyond what the same person's photos vary by on one day:

- Noise: the pooled within-day standard deviation of repeat photos taken the same day,
  s_w = sqrt(Σ_d Σ_i (x_di − x̄_d)² / Σ_d (n_d − 1)) — the standard error of measurement (SEM).
- Smallest real difference: MDC95 = 1.96 · √2 · SEM (Weir 2005, *J Strength Cond Res* 19:231,
  "Quantifying test-retest reliability using the intraclass correlation coefficient and the SEM"),
  with 1.96 replaced by Student's t₀.₉₇₅ on the noise's degrees of freedom when the SEM comes from
  few repeats (t = 12.7 for one same-day pair, 4.3 for three photos on one day, → 1.96 for many):
  a noise measured from one pair is itself uncertain, and a z-based MDC called chance drifts
  "changed" (seen with landmark regions on grain-only repeats).
- Trend: ordinary least squares of the daily means on the day number, slope per 30 days with a
  95 % confidence interval from Student's t on n_days − 2 degrees of freedom (``scipy.stats``).
- Verdict: ``changed`` (up or down) only when the CI excludes zero AND the fitted change over the
  whole span exceeds MDC95; ``no change beyond noise`` otherwise; ``noise unknown`` without
  same-day repeats; ``too few days`` below three days.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import numpy as np

MIN_DAYS = 3
Z95 = 1.96


@dataclass(frozen=True)
class Trend:
    """The trend of one metric in one region."""

    metric: str
    region: str
    n_photos: int
    n_days: int
    span_days: int
    first: float
    last: float
    slope_per_30d: float
    ci95_low_per_30d: float
    ci95_high_per_30d: float
    fitted_change: float
    noise_sd: float | None
    mdc95: float | None
    verdict: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def same_day_noise(days: Sequence[date], values: Sequence[float]) -> tuple[float | None, int]:
    """Pooled within-day SD of repeat photos (the SEM) and its degrees of freedom; (None, 0) if none."""
    groups: dict[date, list[float]] = defaultdict(list)
    for d, v in zip(days, values, strict=True):
        if np.isfinite(v):
            groups[d].append(float(v))
    ss = 0.0
    dof = 0
    for vals in groups.values():
        if len(vals) > 1:
            arr = np.asarray(vals)
            ss += float(np.sum((arr - arr.mean()) ** 2))
            dof += len(vals) - 1
    if dof == 0:
        return None, 0
    return float(np.sqrt(ss / dof)), dof


def minimal_detectable_change(sem: float, dof: int | None = None) -> float:
    """MDC95 = q·√2·SEM (Weir 2005): q = 1.96 for a known SEM (``dof=None``), else Student's
    t₀.₉₇₅ on the ``dof`` degrees of freedom the SEM was estimated with."""
    q = Z95
    if dof is not None:
        from scipy import stats

        q = float(stats.t.ppf(0.975, max(dof, 1)))
    return float(q * np.sqrt(2.0) * sem)


def metric_trend(
    metric: str, region: str, days: Sequence[date], values: Sequence[float], noise_sd: float | None = None
) -> Trend:
    """Trend of one metric (see the module docstring). ``noise_sd`` overrides the same-day estimate
    (and is then taken as known: MDC95 with 1.96)."""
    from scipy import stats

    pairs = [(d, float(v)) for d, v in zip(days, values, strict=True) if np.isfinite(v)]
    noise_dof: int | None = None
    if noise_sd is None:
        noise_sd, noise_dof = same_day_noise([p[0] for p in pairs], [p[1] for p in pairs])
    by_day: dict[date, list[float]] = defaultdict(list)
    for d, v in pairs:
        by_day[d].append(v)
    order = sorted(by_day)
    nan = float("nan")
    if not order:
        return Trend(metric, region, 0, 0, 0, nan, nan, nan, nan, nan, nan, noise_sd, None, "too few days")
    t = np.array([(d - order[0]).days for d in order], dtype=np.float64)
    y = np.array([np.mean(by_day[d]) for d in order])
    span = int(t[-1])
    mdc = minimal_detectable_change(noise_sd, noise_dof) if noise_sd is not None else None
    if len(order) < MIN_DAYS:
        return Trend(
            metric, region, len(pairs), len(order), span, float(y[0]), float(y[-1]),
            nan, nan, nan, nan, noise_sd, mdc, "too few days",
        )  # fmt: skip
    fit = stats.linregress(t, y)
    tq = float(stats.t.ppf(0.975, len(order) - 2))
    slope = float(fit.slope)
    half = tq * float(fit.stderr)
    change = slope * span
    if mdc is None:
        verdict = "noise unknown"
    elif (slope - half > 0 or slope + half < 0) and abs(change) > mdc:
        verdict = "increased" if slope > 0 else "decreased"
    else:
        verdict = "no change beyond noise"
    return Trend(
        metric, region, len(pairs), len(order), span, float(y[0]), float(y[-1]),
        slope * 30.0, (slope - half) * 30.0, (slope + half) * 30.0, change, noise_sd, mdc, verdict,
    )  # fmt: skip


def trends(
    records: Sequence[tuple[date, dict[str, dict[str, float]]]],
    metrics: Sequence[str],
    regions: Sequence[str],
) -> list[Trend]:
    """Trends for every metric × region from ``(day, {region: {metric: value}})`` records."""
    out = []
    for region in regions:
        for metric in metrics:
            days = [d for d, m in records if region in m and metric in m[region]]
            vals = [m[region][metric] for d, m in records if region in m and metric in m[region]]
            out.append(metric_trend(metric, region, days, vals))
    return out
