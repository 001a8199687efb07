"""Validation of the skin model against measured skin (docs/validation.md).

- :mod:`~photodose.validation.skin_reflectance` — the model as a reflectometer; NIST data.
- :mod:`~photodose.validation.forearm` — the model at the inner forearm, where NIST measured.
- :mod:`~photodose.validation.skin_colour` — L*a*b*, ITA° (colour-science), colour fits.
- :mod:`~photodose.validation.population_reflectance` — reflectance at 685 nm of 16 populations
  (Jablonski & Chaplin 2000), a second in vivo data set.
- :mod:`~photodose.validation.facial_reflectance` — forehead and cheek spectra of 4603 faces
  (International Skin Spectra Archive), the model read as a contact spectrophotometer.
- :mod:`~photodose.validation.instrument` — what a finite-aperture skin spectrophotometer reads.
- :mod:`~photodose.validation.skin_transmission` — light measured through a slab of skin.
- :mod:`~photodose.validation.checks` — every check with its measured band; :func:`summary_line`.

Importing this package is cheap (no numba, no colour-science until used).
"""

from __future__ import annotations

from photodose.validation.checks import Check, run_checks, summary_line
from photodose.validation.facial_reflectance import facial_checks, issa2025
from photodose.validation.population_reflectance import jablonski2000, population_checks
from photodose.validation.skin_colour import (
    ColourFit,
    ColourInputError,
    SkinColour,
    colour_of_spectrum,
    fit_skin_colour,
    ita_category,
    ita_deg,
    lab_from_reflectance,
    skin_colour,
)
from photodose.validation.skin_reflectance import cooksey2017, reflectance_spectrum
from photodose.validation.skin_transmission import slab_transmission, transmission_checks

__all__ = [
    "Check",
    "ColourFit",
    "ColourInputError",
    "SkinColour",
    "colour_of_spectrum",
    "cooksey2017",
    "facial_checks",
    "fit_skin_colour",
    "issa2025",
    "ita_category",
    "ita_deg",
    "jablonski2000",
    "lab_from_reflectance",
    "population_checks",
    "reflectance_spectrum",
    "run_checks",
    "skin_colour",
    "slab_transmission",
    "summary_line",
    "transmission_checks",
]
