"""Adding-doubling reference values (iadpython) for slabs and stacks of slabs.

iadpython (S. Prahl) solves the same radiative-transport problem deterministically. Layers
are combined with its adding routines; the quadrature must be the same for all layers, so all
layers share one refractive index (matched internal boundaries), as the issue asks.
quad_pts 16–28 reproduces van de Hulst to 5 digits (../shared/reference/transport.md §0).
"""

from __future__ import annotations

from collections.abc import Sequence

import iadpython as iad


def ad_rt(
    layers: Sequence[tuple[float, float, float, float]], n: float, quad_pts: int = 24
) -> tuple[float, float]:
    """Total reflectance (with specular) and total transmittance of a stack in air.

    ``layers`` rows are (mua_per_cm, mus_per_cm, g, thickness_cm); every layer has index
    ``n``; air (n = 1) above and below; normal collimated incidence.
    """
    samples = []
    for mua, mus, g, d in layers:
        mut = mua + mus
        s = iad.Sample(a=mus / mut, b=mut * d, g=g, d=d, n=n, quad_pts=quad_pts)
        s.update_quadrature()
        samples.append(s)
    top = samples[0]
    r, t = iad.simple_layer_matrices(top)
    r_up, t_up = r, t  # reflection/transmission for light arriving from below
    for s in samples[1:]:
        r2, t2 = iad.simple_layer_matrices(s)
        r, r_up, t, t_up = iad.add_layers(top, r, r_up, t, t_up, r2, r2, t2, t2)
    if n == 1.0:
        ur1, ut1, _, _ = top.UX1_and_UXU(r, t)
        return float(ur1), float(ut1)
    r01, r10, t01, t10 = iad.start.boundary_layer(top, top=True)
    r23, r32, t23, t32 = iad.start.boundary_layer(top, top=False)
    r02, r20, t02, t20 = iad.add_slide_above(top, r01, r10, t01, t10, r, r_up, t, t_up)
    r03, _, t03, _ = iad.add_slide_below(top, r02, r20, t02, t20, r23, r32, t23, t32)
    ur1, ut1, _, _ = top.UX1_and_UXU(r03, t03)
    return float(ur1), float(ut1)
