"""The face regions every device file, irradiance map and report names.

Kept apart from :mod:`photodose.device.face` (numpy, the face mesh) so that reading a device
file needs no numpy: the region names are plain data.
"""

from __future__ import annotations

REGIONS: tuple[str, ...] = (
    "forehead",
    "periorbital",
    "nose",
    "cheeks",
    "perioral",
    "chin",
    "jaw",
)
