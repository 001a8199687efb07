"""Clinical evidence: the studies table, dose windows derived from it, and verdicts.

>>> from photodose.evidence import verdict_for
>>> v = verdict_for("photoaging", "red", (4.0, 5.4, 7.0), irradiance_mw_cm2=10, sessions_per_week=3)
>>> v.verdict
'within_studied_range'

Modules: :mod:`~photodose.evidence.studies` (data models and loader),
:mod:`~photodose.evidence.windows` (dose windows computed from the data),
:mod:`~photodose.evidence.verdict` (verdicts and ranking).
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
    rank_among,
    verdict_for,
    verdicts_for_device,
)
from photodose.evidence.windows import DoseWindow, Range, dose_window, dose_windows, windows_table

__all__ = [
    "VERDICTS",
    "Band",
    "DoseWindow",
    "EstimateLike",
    "Evidence",
    "EvidenceInputError",
    "Exposure",
    "Indication",
    "Quantity",
    "Range",
    "SafetyLimit",
    "SimpleEstimate",
    "Study",
    "StudyDataError",
    "Verdict",
    "band_for_wavelength",
    "dose_window",
    "dose_windows",
    "load_evidence",
    "load_indications",
    "load_studies",
    "rank_among",
    "verdict_for",
    "verdicts_for_device",
    "windows_table",
]
