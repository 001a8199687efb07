"""Number and label formatting shared by the terminal summary and the HTML report."""

from __future__ import annotations

import math
import re

from photodose.device import Estimate

# A window is the range of doses controlled trials tested, not a minimum effective dose: the
# labels say where a dose lies against the tested doses and nothing more.
VERDICT_LABELS = {
    "within_studied_range": "within the doses tested in controlled trials",
    "below_studied_range": "below the doses tested in controlled trials",
    "above_studied_range": "above the doses tested in controlled trials",
    "wavelength_not_studied": "wavelength not tested in controlled trials",
    "no_controlled_evidence": "no controlled trial with a usable dose",
}

# Short forms for narrow places (an 80-column terminal, a table cell on a phone).
VERDICT_SHORT = {
    "within_studied_range": "within tested doses",
    "below_studied_range": "below tested doses",
    "above_studied_range": "above tested doses",
    "wavelength_not_studied": "wavelength not tested",
    "no_controlled_evidence": "no usable trial dose",
}

TIMER_LABELS = {
    "yes": "yes",
    "no": "no",
    "depends": "depends on the true output",
    "unknown": "timer not known",
}


def fmt(x: float | None) -> str:
    """Three significant figures; '—' for a missing value."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    if x == 0:
        return "0"
    mag = math.floor(math.log10(abs(x)))
    digits = max(0, 2 - mag)
    return f"{x:,.{digits}f}"


def rng(e: Estimate) -> str:
    if e.low == e.high:
        return fmt(e.central)
    return f"{fmt(e.central)} ({fmt(e.low)}–{fmt(e.high)})"


def triple(v: tuple[float, float, float] | None) -> str:
    """(low, central, high) as 'central (low–high)', one number when they agree, '—' for None."""
    if v is None:
        return "—"
    lo, c, hi = v
    return fmt(c) if lo == hi else f"{fmt(c)} ({fmt(lo)}–{fmt(hi)})"


def minutes_range(t: tuple[float, float, float] | dict[str, float | None]) -> str:
    """Minutes as 'central (fewest–most)'; an infinite or missing end shows as '∞'."""
    vals = [t.get(k) for k in ("low", "central", "high")] if isinstance(t, dict) else list(t)
    lo, c, hi = (v if v is not None and math.isfinite(v) else math.inf for v in vals)

    def one(x: float) -> str:
        return "∞" if math.isinf(x) else fmt(x)

    return one(c) if lo == hi else f"{one(c)} ({one(lo)}–{one(hi)})"


_ID_PATTERNS = (
    (re.compile(r"doi:\s*(10\.\d{4,9}/[^\s,;]+)", re.I), "https://doi.org/{}"),
    (re.compile(r"\bPMID:?\s*(\d{5,9})\b"), "https://pubmed.ncbi.nlm.nih.gov/{}/"),
    (re.compile(r"\b(PMC\d{5,9})\b"), "https://www.ncbi.nlm.nih.gov/pmc/articles/{}/"),
)


def citation_links(citation: str) -> list[tuple[str, str, str]]:
    """(start, end) spans of the DOI, PMID and PMC ids in a citation, as (text, url, kind)."""
    out = []
    for pattern, url in _ID_PATTERNS:
        for m in pattern.finditer(citation):
            out.append((m.group(0), url.format(m.group(1)), pattern.pattern))
    return out


def mm(cm: float | None) -> str:
    """A penetration depth in mm; ``None`` (the fluence never falls that far on the depth grid)
    reads "> 20", the grid's depth, rather than a dash that looks like a missing value."""
    if cm is None:
        from photodose.depth import DEPTH_BINS, DEPTH_STEP_CM

        return f"> {DEPTH_BINS * DEPTH_STEP_CM * 10:g}"
    return fmt(cm * 10)
