"""Where a device stands among others: within its own kind, and aware of uncertainty ranges.

Two devices are ordered only when their modelled ranges do not overlap: device B is *above* A
when ``B.low > A.high``, *below* when ``B.high < A.low``, otherwise the two are
*indistinguishable* (the assumptions behind either could put it on either side). Devices are
compared only with devices of the same group (masks with masks, handhelds with handhelds, clinic
panels with clinic panels): a wand lit over 3 cm² is not a mask lit over the face.

:func:`rank_among` is the older central-value ranking (moved here from ``photodose.evidence``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

KIND_GROUPS: dict[str, str] = {
    "mask": "mask",
    "handheld": "handheld",
    "panel": "panel",
    "in_office": "panel",
}
GROUP_LABELS: dict[str, str] = {
    "mask": "masks",
    "handheld": "handheld devices",
    "panel": "panels (clinic and home)",
}

GROUP_SINGULAR: dict[str, str] = {"mask": "mask", "handheld": "handheld device", "panel": "panel"}


class RankingInputError(ValueError):
    """A value that cannot be ranked (not a finite number, low > high, …)."""


@dataclass(frozen=True)
class RankItem:
    """One device's value as low / central / high (e.g. irradiance, mW/cm²) and its kind."""

    name: str
    kind: str
    low: float
    central: float
    high: float

    def __post_init__(self) -> None:
        for v in (self.low, self.central, self.high):
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                raise RankingInputError(f"{self.name}: value {v!r} is not a finite number")
        if not self.low <= self.central <= self.high:
            raise RankingInputError(
                f"{self.name}: needs low <= central <= high, got {self.low}, {self.central}, {self.high}"
            )

    @property
    def group(self) -> str:
        return KIND_GROUPS.get(self.kind, self.kind)


def relation(subject: RankItem, other: RankItem) -> str:
    """``"above"`` when ``other`` is certainly above ``subject`` (other.low > subject.high),
    ``"below"`` when certainly below, else ``"indistinguishable"`` (ranges overlap)."""
    if other.low > subject.high:
        return "above"
    if other.high < subject.low:
        return "below"
    return "indistinguishable"


def rank_by_range(subject: RankItem, others: Sequence[RankItem], unit: str = "mW/cm²") -> dict[str, Any]:
    """Overlap-aware ranking of ``subject`` among ``others`` of the same kind group.

    Returns
    -------
    dict with ``group`` (kind group of the subject), ``n_compared``, ``above`` / ``below`` /
    ``indistinguishable`` (names of same-group devices certainly above, certainly below, or
    overlapping), ``not_compared`` (other groups, by name), ``ordering`` (same group and the
    subject, by central value, each with low / central / high and ``relation``) and ``summary``
    (one sentence).
    """
    same = [o for o in others if o.group == subject.group and o.name != subject.name]
    rest = [o for o in others if o.group != subject.group]
    rel = {o.name: relation(subject, o) for o in same}
    ordering: list[dict[str, Any]] = [
        {
            "name": o.name,
            "kind": o.kind,
            "low": o.low,
            "central": o.central,
            "high": o.high,
            "relation": rel[o.name],
            "is_subject": False,
        }
        for o in same
    ]
    ordering.append(
        {
            "name": subject.name,
            "kind": subject.kind,
            "low": subject.low,
            "central": subject.central,
            "high": subject.high,
            "relation": "subject",
            "is_subject": True,
        }
    )
    ordering.sort(key=lambda d: (float(d["central"]), not d["is_subject"], str(d["name"])))
    above = sorted(n for n, r in rel.items() if r == "above")
    below = sorted(n for n, r in rel.items() if r == "below")
    indist = sorted(n for n, r in rel.items() if r == "indistinguishable")
    label = GROUP_LABELS.get(subject.group, subject.group)
    if len(same) == 1:
        label = GROUP_SINGULAR.get(subject.group, label)
    parts = []
    if not same:
        parts.append(f"No other catalogued {label} to compare with")
    else:
        if indist:
            parts.append(f"indistinguishable from {', '.join(indist)} (the modelled ranges overlap)")
        if below:
            parts.append(f"certainly above {', '.join(below)}")
        if above:
            parts.append(f"certainly below {', '.join(above)}")
    summary = (
        f"Compared with {len(same)} other catalogued {label} ({subject.low:.3g}–{subject.high:.3g} {unit} "
        f"for this device): " + "; ".join(parts) + "."
        if same
        else parts[0] + "."
    )
    return {
        "group": subject.group,
        "n_compared": len(same),
        "above": above,
        "below": below,
        "indistinguishable": indist,
        "not_compared": sorted(o.name for o in rest),
        "ordering": ordering,
        "summary": summary,
    }


def rank_among(
    value: float,
    others: Mapping[str, tuple[str, float | None]],
    *,
    name: str = "this device",
) -> dict[str, object]:
    """Where a device's central value stands among others (mid-rank percentile).

    Parameters
    ----------
    value : the device's value (irradiance mW/cm² or fluence J/cm²).
    others : ``{device name: (kind, value)}``; a ``None`` value is listed as missing.
    name : label of the device in the ordering.

    Returns
    -------
    dict: ``value``; ``overall`` and ``by_kind[kind]``, each ``{"n", "n_below", "n_equal",
    "n_above", "percentile"}`` with percentile = 100·(n_below + ½·n_equal)/n (None when n = 0);
    ``ordering`` (ascending, the device included); ``missing``.
    Central values only: prefer :func:`rank_by_range`, which respects the uncertainty.
    """
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise RankingInputError(f"value: {value!r} is not a finite number")
    known: list[tuple[str, str, float]] = []
    missing: list[str] = []
    for nm, item in others.items():
        if not isinstance(item, tuple | list) or len(item) != 2:
            raise RankingInputError(f"others[{nm!r}]: give (kind, value)")
        kind, v = item
        if v is None:
            missing.append(nm)
            continue
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise RankingInputError(f"others[{nm!r}]: value {v!r} is not a finite number")
        known.append((nm, str(kind), float(v)))

    def stats(vals: list[float]) -> dict[str, object]:
        n = len(vals)
        below = sum(1 for v in vals if v < value)
        equal = sum(1 for v in vals if v == value)
        return {
            "n": n,
            "n_below": below,
            "n_equal": equal,
            "n_above": n - below - equal,
            "percentile": None if n == 0 else 100.0 * (below + 0.5 * equal) / n,
        }

    kinds = list(dict.fromkeys(k for _, k, _ in known))
    ordering: list[dict[str, object]] = [
        {"name": nm, "kind": k, "value": v, "is_subject": False} for nm, k, v in known
    ]
    ordering.append({"name": name, "kind": "subject", "value": float(value), "is_subject": True})
    ordering.sort(key=lambda d: (float(d["value"]), not d["is_subject"], str(d["name"])))  # type: ignore[arg-type]
    return {
        "value": float(value),
        "overall": stats([v for _, _, v in known]),
        "by_kind": {k: stats([v for _, kk, v in known if kk == k]) for k in kinds},
        "ordering": ordering,
        "missing": missing,
    }
