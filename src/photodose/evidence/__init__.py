"""Clinical evidence: the studies table, dose windows derived from it, and verdicts.

>>> from photodose.evidence import verdict_for
>>> v = verdict_for("photoaging", "red", (4.0, 5.4, 7.0), irradiance_mw_cm2=10, sessions_per_week=3)
>>> v.verdict
'within_studied_range'

Modules: :mod:`~photodose.evidence.studies` (data models and loader),
:mod:`~photodose.evidence.windows` (dose windows computed from the data, lowest tested dose),
:mod:`~photodose.evidence.weight` (weight of evidence: trials, N, directions),
:mod:`~photodose.evidence.verdict` (verdict arithmetic) and
:mod:`~photodose.evidence.wording` (the sentences).
"""

from photodose.evidence.studies import (
    Band,
    Evidence,
    Exposure,
    Indication,
    Quantity,
    SafetyLimit,
    Study,
    StudyDataError,
    band_for_wavelength,
    load_evidence,
    load_indications,
    load_studies,
)
from photodose.evidence.verdict import (
    VERDICTS,
    EstimateLike,
    EvidenceInputError,
    SimpleEstimate,
    Verdict,
    verdict_for,
    verdicts_for_device,
)
from photodose.evidence.weight import EvidenceWeight, TrialWeight, evidence_weight
from photodose.evidence.windows import (
    DoseWindow,
    Range,
    TestedDose,
    dose_window,
    dose_windows,
    lowest_tested,
    lowest_tested_dose,
    windows_table,
)
from photodose.evidence.wording import VERDICT_LABELS

__all__ = [
    "VERDICTS",
    "VERDICT_LABELS",
    "Band",
    "DoseWindow",
    "EstimateLike",
    "Evidence",
    "EvidenceInputError",
    "EvidenceWeight",
    "Exposure",
    "Indication",
    "Quantity",
    "Range",
    "SafetyLimit",
    "SimpleEstimate",
    "Study",
    "StudyDataError",
    "TestedDose",
    "TrialWeight",
    "Verdict",
    "band_for_wavelength",
    "dose_window",
    "dose_windows",
    "evidence_weight",
    "load_evidence",
    "load_indications",
    "load_studies",
    "lowest_tested",
    "lowest_tested_dose",
    "verdict_for",
    "verdicts_for_device",
    "windows_table",
]
