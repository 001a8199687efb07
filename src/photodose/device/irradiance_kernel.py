"""The compiled loop of :func:`photodose.device.irradiance.irradiance_from_leds` (Numba).

Kept apart from the irradiance model so that importing the model (its dataclasses, statistics
and a warm run served from the irradiance cache) does not import Numba; the model imports this
module on the first irradiance it computes. Irradiance on each receiver point ``i``:

    E_i = (m+1)/(2π) Σ_j P_j cos^m θ_e,ij cos θ_i,ij / d_ij²

over the LEDs ``j`` in front of the point that face its lit side (see the model's docstring).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@njit(parallel=True, cache=True, fastmath=False, nogil=True)
def irradiance_kernel(
    pts: FloatArray,
    nrm: FloatArray,
    L: FloatArray,
    D: FloatArray,
    pw: FloatArray,
    m: float,
    out: FloatArray,
) -> None:  # pragma: no cover - compiled
    k = (m + 1.0) / (2.0 * np.pi)
    lamb = abs(m - 1.0) < 1e-12
    for i in prange(pts.shape[0]):
        px, py, pz = pts[i, 0], pts[i, 1], pts[i, 2]
        nx, ny, nz = nrm[i, 0], nrm[i, 1], nrm[i, 2]
        acc = 0.0
        for j in range(L.shape[0]):
            dx = px - L[j, 0]
            dy = py - L[j, 1]
            dz = pz - L[j, 2]
            de = dx * D[j, 0] + dy * D[j, 1] + dz * D[j, 2]  # r cos θ_e
            if de <= 0.0:
                continue
            dn = -(dx * nx + dy * ny + dz * nz)  # r cos θ_i
            if dn <= 0.0:
                continue
            r2 = dx * dx + dy * dy + dz * dz
            if r2 < 1e-12:
                r2 = 1e-12
            if lamb:
                val = de * dn / (r2 * r2)
            else:
                r = np.sqrt(r2)
                val = (de / r) ** m * dn / (r2 * r)
            acc += pw[j] * val
        out[i] = k * acc
