"""Marketing claims, graded.

Read a product page, find its claims (efficacy, mechanism, wavelength/depth, regulatory,
endorsement, numeric efficacy, safety, comparison) and grade each one (supported, partly
supported, unsupported, misleading, contradicted, not checkable) with reasons and sources.
The patterns, thresholds, outcome wording and sources are data:
``photodose/data/claims/rules.toml``.

>>> from photodose.claims import assess_text
>>> report = assess_text("Our LED mask is FDA approved.")
>>> report.claims[0].grade.value
'misleading'
"""

from photodose.claims.context import (
    BandFluence,
    ClaimContext,
    ClaimContextError,
    PenetrationDepth,
    RegulatoryRecord,
    StatedValueCheck,
    StudiedWindow,
    TrialEvidence,
    ValueRange,
    context_from_mapping,
)
from photodose.claims.extract import (
    BinaryInputError,
    Claim,
    ClaimsInputError,
    DecodedText,
    InputTooLargeError,
    Sentence,
    decode_input,
    extract_claims,
    split_sentences,
)
from photodose.claims.grade import (
    SEVERITY,
    Citation,
    ClaimsReport,
    Grade,
    GradedClaim,
    assess_text,
    grade_claim,
    grade_claims,
    summary_grade,
)
from photodose.claims.rules import CATEGORIES, GRADES, Rules, RulesError, load_rules

__all__ = [
    "CATEGORIES",
    "GRADES",
    "SEVERITY",
    "BandFluence",
    "BinaryInputError",
    "Citation",
    "Claim",
    "ClaimContext",
    "ClaimContextError",
    "ClaimsInputError",
    "ClaimsReport",
    "DecodedText",
    "Grade",
    "GradedClaim",
    "InputTooLargeError",
    "PenetrationDepth",
    "RegulatoryRecord",
    "Rules",
    "RulesError",
    "Sentence",
    "StatedValueCheck",
    "StudiedWindow",
    "TrialEvidence",
    "ValueRange",
    "assess_text",
    "context_from_mapping",
    "decode_input",
    "extract_claims",
    "grade_claim",
    "grade_claims",
    "load_rules",
    "split_sentences",
    "summary_grade",
]
