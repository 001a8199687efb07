"""Weight of evidence: how many trials bear on an indication, how large, and which way.

For one indication, :func:`evidence_weight` counts the efficacy trials in ``studies.toml`` that
can weigh for or against a claim: trials with a control (a ``controlled``, ``sham`` or
``split_face`` design) and trials whose outcome was assessed blind (``double_blind``,
``single_blind``, ``observer_blind``), even without a control arm. A blinded before/after test
in which raters did no better than chance (Boulos et al. 2009) therefore counts *against* a
claim as much as a positive controlled trial counts for it. Open, uncontrolled series (e.g.
Goldberg & Russell 2006) are listed as not counted: they cannot separate an effect from placebo,
regression to the mean or time.

Each counted trial contributes its N and its direction for that indication (``positive``,
``null``, ``negative`` or ``mixed``, from the ``direction`` field of the study). The counts are
a tally, not a meta-analysis: trials differ in design, dose, wavelength and outcome measure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from photodose.evidence.studies import Evidence, Study, exposure_bands, load_evidence

__all__ = ["EvidenceWeight", "TrialWeight", "evidence_weight"]


@dataclass(frozen=True)
class TrialWeight:
    """One trial's contribution to the weight of evidence for an indication."""

    study_id: str
    label: str
    citation: str
    url: str | None
    n: int | None
    direction: str | None
    design: str
    controlled: bool
    blinded: bool
    in_band: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "study_id": self.study_id,
            "label": self.label,
            "citation": self.citation,
            "url": self.url,
            "n": self.n,
            "direction": self.direction,
            "design": self.design,
            "controlled": self.controlled,
            "blinded": self.blinded,
            "in_band": self.in_band,
        }


@dataclass(frozen=True)
class EvidenceWeight:
    """Counted trials for one indication (optionally marking which used a given band)."""

    indication: str
    indication_name: str
    band: str | None
    trials: tuple[TrialWeight, ...]
    not_counted: tuple[str, ...] = field(default_factory=tuple)
    band_name: str | None = None

    @property
    def n_trials(self) -> int:
        return len(self.trials)

    @property
    def total_n(self) -> int:
        """Participants in the counted trials (trials without a reported N add nothing)."""
        return sum(t.n or 0 for t in self.trials)

    @property
    def n_without_size(self) -> int:
        return sum(1 for t in self.trials if t.n is None)

    def count(self, direction: str) -> int:
        return sum(1 for t in self.trials if t.direction == direction)

    @property
    def directions(self) -> dict[str, int]:
        return {d: self.count(d) for d in ("positive", "null", "negative", "mixed")}

    def compact(self) -> str:
        """A short tally for a table cell, e.g. ``9 trials · N 591 · 6+ 2= 1−``.

        ``+`` positive, ``=`` null, ``−`` negative, ``±`` mixed; directions with no trial are left
        out. N counts only trials that report their size (``N 591+?`` when some do not).
        """
        if not self.trials:
            return "no trials"
        n = self.n_trials
        size = f"N {self.total_n}" + ("+?" if self.n_without_size else "")
        marks = {"positive": "+", "null": "=", "negative": "−", "mixed": "±"}
        dirs = " ".join(f"{v}{marks[k]}" for k, v in self.directions.items() if v)
        return f"{n} trial{'s' if n != 1 else ''} · {size}" + (f" · {dirs}" if dirs else "")

    def text(self) -> str:
        """One line, e.g. ``7 trials (N = 541): 5 positive, 1 null, 1 negative``."""
        if not self.trials:
            return f"no controlled or blinded trial of {self.indication_name} in the evidence table"
        n = self.n_trials
        size = f"N = {self.total_n}"
        if self.n_without_size:
            size += f" + {self.n_without_size} of unreported size"
        dirs = ", ".join(f"{v} {k}" for k, v in self.directions.items() if v)
        text = f"{n} controlled or blinded trial{'s' if n != 1 else ''} ({size}): {dirs}"
        if self.band is not None:
            k = sum(1 for t in self.trials if t.in_band)
            text += f"; {k} of them used {self.band_name or self.band} light"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "indication": self.indication,
            "band": self.band,
            "n_trials": self.n_trials,
            "n_trials_in_band": None if self.band is None else sum(1 for t in self.trials if t.in_band),
            "total_n": self.total_n,
            "directions": self.directions,
            "text": self.text(),
            "compact": self.compact(),
            "trials": [t.to_dict() for t in self.trials],
            "not_counted": list(self.not_counted),
            "rule": "trials with a control or a blinded assessment count; open uncontrolled series do not",
        }


def _in_band(study: Study, band: str, ev: Evidence) -> bool:
    return any(b.id == band for ex in study.exposures for b in exposure_bands(ex, ev.bands))


def evidence_weight(
    indication: str, band: str | None = None, *, evidence: Evidence | None = None
) -> EvidenceWeight:
    """Tally the controlled or blinded trials of one indication.

    Parameters
    ----------
    indication : indication id or name (``"photoaging"``, ``"elasticity"``, ``"acne"`` …)
    band : band id (``"red"``, ``"nir"`` …); when given, each trial is marked ``in_band``
    evidence : loaded evidence (default: the packaged data files)

    Returns
    -------
    EvidenceWeight
        The trials (N, direction, design), ``total_n`` and the counts per direction.
    """
    ev = evidence if evidence is not None else load_evidence()
    ind = ev.indication(indication)
    bnd = None if band is None else ev.band(band).id
    trials: list[TrialWeight] = []
    not_counted: list[str] = []
    for s in ev.studies:
        if s.kind != "trial" or ind.id not in s.indications:
            continue
        if not s.counts_as_evidence:
            not_counted.append(s.id)
            continue
        trials.append(
            TrialWeight(
                study_id=s.id,
                label=s.label,
                citation=s.citation(),
                url=s.url,
                n=s.n,
                direction=s.direction_for(ind.id),
                design=s.design_text(),
                controlled=s.is_controlled,
                blinded=s.is_blinded,
                in_band=None if bnd is None else _in_band(s, bnd, ev),
            )
        )
    return EvidenceWeight(
        indication=ind.id,
        indication_name=ind.name,
        band=bnd,
        trials=tuple(trials),
        not_counted=tuple(not_counted),
        band_name=None if band is None else ev.band(band).name,
    )
