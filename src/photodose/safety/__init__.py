"""Safety screening: may this person use this device, and with what precautions.

A model: cited data files (``data/safety/*.toml``: photosensitising medicines by class with
generic and brand names, conditions, procedures, device risks) and pure rules
(:func:`screen`). Not medical advice; every outcome says so.
"""

from photodose.safety.data import LEVELS, Level, SafetyData, SafetyDataError, load_safety
from photodose.safety.limits import in_flicker_hazard_band, ir_eye_limit_iec62471_mw_cm2
from photodose.safety.match import match_text, split_entries, squash
from photodose.safety.screen import (
    NOT_MEDICAL_ADVICE,
    OUTCOME_TEXT,
    Answers,
    AnswersError,
    DeviceFacts,
    Finding,
    Screening,
    answers_from_dict,
    screen,
    worst,
)

__all__ = [
    "LEVELS",
    "NOT_MEDICAL_ADVICE",
    "OUTCOME_TEXT",
    "Answers",
    "AnswersError",
    "DeviceFacts",
    "Finding",
    "Level",
    "SafetyData",
    "SafetyDataError",
    "Screening",
    "answers_from_dict",
    "in_flicker_hazard_band",
    "ir_eye_limit_iec62471_mw_cm2",
    "load_safety",
    "match_text",
    "screen",
    "split_entries",
    "squash",
    "worst",
]
