"""The goals a person can set, and the evidence indication each one is judged by.

One map for every layer: the plan (:data:`photodose.plan.GOALS`: minutes and weeks to reach the
trials' doses for the goal's indication), the journal (which goals may be rated, and which
indication's dose window a journal's cumulative dose is set against) and the faces' goal
choices. The indications are ids of ``data/evidence/studies.toml`` (a test checks each exists).
A leaf module (no imports from the package), so any layer may use it.
"""

from __future__ import annotations

#: goal (what the person wants) → evidence indication (what the trials measured)
GOAL_INDICATION: dict[str, str] = {
    "wrinkles": "photoaging",
    "acne": "acne",
    "redness": "inflammation",
    "tone": "texture_tone",
}

#: the goals, in the order the faces offer them
GOALS: tuple[str, ...] = tuple(GOAL_INDICATION)
