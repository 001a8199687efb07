"""The photon-packet kernel: MCML physics for planar layers, compiled with Numba.

One call of :func:`trace_chunk` follows ``n_photons`` packets, one at a time, with one RNG
stream and adds their weight into chunk-local tallies. Chunks are independent, so the engine runs
them in parallel and sums them in a fixed order. This scalar kernel is what the GPU runs per
thread and what ``simulate(..., cpu_kernel="scalar")`` runs; the CPU default is the SIMD lane
kernel of :mod:`photodose.transport.lanes`, which shares the helpers here (Fresnel, launch, exit
tallies) and the physics.

Physics (Wang, Jacques & Zheng, Comput. Methods Programs Biomed. 47:131–146, 1995, "MCML"):

- step length ``s = -ln(ξ)/μt`` carried across layer boundaries in mean-free-path units;
- at a boundary, Fresnel reflectance for unpolarised light decides reflection or refraction
  (all-or-none, MCML's default) and Snell's law the new direction;
- at an interaction, implicit capture: the packet deposits ``w·μa/μt`` and keeps the rest;
- Henyey–Greenstein scattering (closed-form inversion of the cumulative distribution);
- Russian roulette below weight 1e-4 with survival 1 in 10.

The per-photon functions use only scalars and small arrays so the same code can be compiled
for a GPU with ``numba.cuda.jit`` (one stream per thread, atomics for the tallies).
"""

from __future__ import annotations

import math
import threading
from typing import Any

import numpy as np
from numba import njit
from numba.core.extending import overload
from numpy.typing import NDArray

from photodose.transport.rng import uniform, xoshiro_next

_U32 = np.uint64(32)
_MASK32 = np.uint64(0xFFFFFFFF)
_TWO_M31 = 1.0 / 2147483648.0  # 2**-31

# Fast-math without the no-NaN / no-Inf assumptions: semi-infinite layers use inf distances.
_FM = {"nsz", "arcp", "contract", "afn", "reassoc"}

WEIGHT_THRESHOLD = 1e-4  # MCML's roulette threshold
ROULETTE_CHANCE = 0.1  # survive 1 in 10, weight ×10
_COS_ZERO = 1.0e-12  # |cos| above 1 − this is treated as normal incidence
_COS_90 = 1.0e-6  # |cos| below this is treated as grazing (total reflection)

# Indices of the per-chunk totals vector.
T_SPECULAR = 0
T_DIFFUSE = 1
T_TRANSMIT = 2
T_STEPS = 3
T_BEYOND_GRID = 4
T_ROULETTE = 5  # net weight created by roulette (expected 0): keeps the balance exact
N_TOTALS = 6

# Source kinds.
SOURCE_PENCIL = 0
SOURCE_OBLIQUE = 1
SOURCE_COSINE = 2


@njit(inline="always", fastmath=_FM, error_model="numpy")
def fresnel(n1: float, n2: float, ca1: float) -> tuple[float, float]:
    """Unpolarised Fresnel reflectance and transmitted-angle cosine.

    ``ca1`` = cos of the incident angle (≥ 0). Returns ``(R, ca2)``; R = 1 beyond the critical
    angle. Equation as MCML's ``RFresnel`` (Born & Wolf): R = ½[sin²(θ1−θ2)/sin²(θ1+θ2) +
    tan²(θ1−θ2)/tan²(θ1+θ2)].
    """
    if n1 == n2:
        return 0.0, ca1
    if ca1 > 1.0 - _COS_ZERO:
        r = (n2 - n1) / (n2 + n1)
        return r * r, ca1
    if ca1 < _COS_90:
        return 1.0, 0.0
    sa1 = math.sqrt(1.0 - ca1 * ca1)
    sa2 = n1 * sa1 / n2
    if sa2 >= 1.0:
        return 1.0, 0.0
    ca2 = math.sqrt(1.0 - sa2 * sa2)
    cap = ca1 * ca2 - sa1 * sa2  # cos(θ1+θ2)
    cam = ca1 * ca2 + sa1 * sa2  # cos(θ1−θ2)
    sap = sa1 * ca2 + ca1 * sa2  # sin(θ1+θ2)
    sam = sa1 * ca2 - ca1 * sa2  # sin(θ1−θ2)
    r = 0.5 * sam * sam * (cam * cam + cap * cap) / (sap * sap * cam * cam)
    return r, ca2


@njit(inline="always", fastmath=_FM, error_model="numpy")
def henyey_greenstein_cos(g: float, xi: float) -> float:
    """cos θ sampled from the Henyey–Greenstein phase function (Henyey & Greenstein 1941).

    cos θ = [1 + g² − ((1 − g²)/(1 − g + 2gξ))²] / (2g), or 2ξ − 1 for g = 0.
    """
    if g == 0.0:
        return 2.0 * xi - 1.0
    tmp = (1.0 - g * g) / (1.0 - g + 2.0 * g * xi)
    c = (1.0 + g * g - tmp * tmp) * (0.5 / g)
    return min(1.0, max(-1.0, c))


@njit(inline="always", fastmath=_FM, error_model="numpy")
def spin(
    ux: float,
    uy: float,
    uz: float,
    g: float,
    xi: float,
    s0: np.uint64,
    s1: np.uint64,
    s2: np.uint64,
    s3: np.uint64,
) -> tuple[float, float, float, np.uint64, np.uint64, np.uint64, np.uint64]:
    """New direction after a Henyey–Greenstein scattering (``xi`` picks the polar angle) and a
    uniform azimuth (drawn here), with one division and one square root.

    Same distribution and same formulas as :func:`henyey_greenstein_cos` followed by the
    rotation of MCML's ``Spin`` (manual Eq. 3.24–3.25), rearranged so that the four divisions and
    two square roots of the textbook form become one of each:

    - azimuth from a point (a, b) drawn uniformly in the unit disc (Marsaglia's polar trick):
      cos ψ = (a² − b²)/r², sin ψ = 2ab/r², no ``cos``/``sin`` calls;
    - cos θ = [(1 + g²)·D² − (1 − g²)²] / (2g·D²), D = 1 − g + 2gξ (the HG inversion with the
      fraction cleared);
    - the rotation needs sin θ/(√(1 − uz²)·r²) = √[(1 − cos²θ)/((1 − uz²)·r⁴)], and one reciprocal
      1/(2g·D²·(1 − uz²)·r⁴) serves both that and cos θ.

    Returns the new direction and RNG state. ``tests/test_transport_physics.py`` checks it against
    the textbook form.
    """
    while True:
        # both coordinates from one 64-bit draw (32 bits each: 2e-10 resolution is plenty for
        # an azimuth, and it halves the generator calls of the most frequent event)
        r, s0, s1, s2, s3 = xoshiro_next(s0, s1, s2, s3)
        a = float(np.int64(r >> _U32)) * _TWO_M31 - 1.0
        b = float(np.int64(r & _MASK32)) * _TWO_M31 - 1.0
        r2 = a * a + b * b
        if 0.0 < r2 <= 1.0:
            break
    cos_r2 = a * a - b * b  # r²·cos ψ
    sin_r2 = 2.0 * a * b  # r²·sin ψ
    if g == 0.0:
        cost = 2.0 * xi - 1.0
    else:
        d = 1.0 - g + 2.0 * g * xi
        k = 1.0 - g * g
        cost = min(1.0, max(-1.0, ((1.0 + g * g) * d * d - k * k) / (2.0 * g * d * d)))
    normal = abs(uz) > 1.0 - _COS_ZERO
    sin2_uz = 1.0 - uz * uz  # sin² of the current polar angle
    q = (1.0 - cost * cost) / (r2 * r2 * (1.0 if normal else sin2_uz))
    f = math.sqrt(max(0.0, q))  # sin θ / (√(1 − uz²)·r²), or sin θ / r² at normal incidence
    if normal:
        return f * cos_r2, f * sin_r2, (cost if uz >= 0.0 else -cost), s0, s1, s2, s3
    nux = f * (ux * uz * cos_r2 - uy * sin_r2) + ux * cost
    nuy = f * (uy * uz * cos_r2 + ux * sin_r2) + uy * cost
    nuz = -f * cos_r2 * sin2_uz + uz * cost
    return nux, nuy, nuz, s0, s1, s2, s3


@njit(inline="always", fastmath=_FM)
def launch(
    s0: np.uint64,
    s1: np.uint64,
    s2: np.uint64,
    s3: np.uint64,
    source_kind: int,
    source_param: float,
    n_above: float,
    n_first: float,
) -> tuple[float, float, float, float, np.uint64, np.uint64, np.uint64, np.uint64]:
    """A packet entering the stack at the origin: specular reflectance and refracted direction.

    The direction in the ambient medium comes from the source (normal, oblique at cos θ =
    ``source_param``, or cos^m radiant intensity with m = ``source_param``), then Fresnel and
    Snell at the surface. Returns ``(R_specular, ux, uy, uz)`` and the RNG state; the packet
    enters with weight 1 − R_specular (none when R_specular = 1).
    """
    ca_in = 1.0
    sa_in = 0.0
    cphi = 1.0
    sphi = 0.0
    if source_kind == SOURCE_OBLIQUE:
        ca_in = source_param
        sa_in = math.sqrt(max(0.0, 1.0 - ca_in * ca_in))
    elif source_kind == SOURCE_COSINE:
        # cos^m radiant intensity: p(θ) ∝ cos^m θ sin θ  →  cos θ = ξ^(1/(m+1)).
        xi, s0, s1, s2, s3 = uniform(s0, s1, s2, s3)
        ca_in = xi ** (1.0 / (source_param + 1.0))
        sa_in = math.sqrt(max(0.0, 1.0 - ca_in * ca_in))
        xi, s0, s1, s2, s3 = uniform(s0, s1, s2, s3)
        psi = 2.0 * math.pi * xi
        cphi = math.cos(psi)
        sphi = math.sin(psi)
    r_sp, ca_t = fresnel(n_above, n_first, ca_in)
    sa_t = n_above * sa_in / n_first
    return r_sp, sa_t * cphi, sa_t * sphi, ca_t, s0, s1, s2, s3


_PY_TALLY_LOCK = threading.Lock()


def tally_add(arr: NDArray[np.float64], i: int, v: float) -> None:
    """``arr[i] += v``; compiled code uses the target's overload (plain add on the CPU,
    ``atomic.add`` on a GPU). This Python body runs only under Numba's CUDA simulator, whose
    threads are Python threads, hence the lock."""
    with _PY_TALLY_LOCK:
        arr[i] += v


def tally_add2(arr: NDArray[np.float64], i: int, j: int, v: float) -> None:
    """``arr[i, j] += v`` (see :func:`tally_add`)."""
    with _PY_TALLY_LOCK:
        arr[i, j] += v


@overload(tally_add, target="cpu")
def _tally_add_cpu(arr: Any, i: Any, v: Any) -> Any:
    def impl(arr: Any, i: Any, v: Any) -> None:
        arr[i] += v

    return impl


@overload(tally_add2, target="cpu")
def _tally_add2_cpu(arr: Any, i: Any, j: Any, v: Any) -> Any:
    def impl(arr: Any, i: Any, j: Any, v: Any) -> None:
        arr[i, j] += v

    return impl


def layer_constants(mua: NDArray[np.float64], mus: NDArray[np.float64]) -> NDArray[np.float64]:
    """Per-layer 1/μt, μa/μt and 1/μa (rows), so that a step needs multiplications only.

    1/μt is inf in a transparent layer (the packet then only crosses it); 1/μa is 0 where
    μa = 0 (no absorption, so no fluence estimate from absorption there).
    """
    mut = mua + mus
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_mut = np.where(mut > 0, 1.0 / mut, np.inf)
        absorb = np.where(mut > 0, mua / mut, 0.0)
        inv_mua = np.where(mua > 0, 1.0 / mua, 0.0)
    out: NDArray[np.float64] = np.ascontiguousarray(np.vstack([inv_mut, absorb, inv_mua]))
    return out


@njit(inline="always", fastmath=_FM, error_model="numpy")
def _tally_exit(
    totals: NDArray[np.float64],
    which: int,
    by_radius: NDArray[np.float64],
    by_angle: NDArray[np.float64],
    w: float,
    x: float,
    y: float,
    ca2: float,
    inv_dr: float,
    inv_da: float,
) -> None:
    """Book a packet leaving the stack: total, by exit radius and by exit angle."""
    tally_add(totals, which, w)
    nr = by_radius.shape[0]
    if nr > 0:
        ir = int(math.sqrt(x * x + y * y) * inv_dr)
        if ir < nr:
            tally_add(by_radius, ir, w)
    tally_add(by_angle, min(by_angle.shape[0] - 1, int(math.acos(min(1.0, ca2)) * inv_da)), w)


@njit(fastmath=_FM, nogil=True, inline="always", error_model="numpy")
def trace_photon(
    s0: np.uint64,
    s1: np.uint64,
    s2: np.uint64,
    s3: np.uint64,
    source_kind: int,
    source_param: float,
    n_above: float,
    n_below: float,
    inv_mut_l: NDArray[np.float64],
    absorb_l: NDArray[np.float64],
    inv_mua_l: NDArray[np.float64],
    g: NDArray[np.float64],
    n: NDArray[np.float64],
    z0: NDArray[np.float64],
    z1: NDArray[np.float64],
    inv_dz: float,
    inv_dr: float,
    inv_da: float,
    totals: NDArray[np.float64],
    a_layer: NDArray[np.float64],
    a_z: NDArray[np.float64],
    phi_z: NDArray[np.float64],
    a_rz: NDArray[np.float64],
    rd_r: NDArray[np.float64],
    tt_r: NDArray[np.float64],
    rd_a: NDArray[np.float64],
    tt_a: NDArray[np.float64],
) -> tuple[np.uint64, np.uint64, np.uint64, np.uint64]:
    """Follow one photon packet from launch to its end and add it to the tallies.

    The one per-photon code path of every backend: the CPU chunk loop calls it, and the CUDA
    kernel calls it once per photon on each GPU thread (with atomic tally adds). The three
    per-layer arrays are the rows of :func:`layer_constants`. Returns the advanced RNG state.
    """
    n_layers = g.shape[0]
    nz = a_z.shape[0]
    nr = rd_r.shape[0]
    n_first = n[0]
    r_sp, ux, uy, uz, s0, s1, s2, s3 = launch(s0, s1, s2, s3, source_kind, source_param, n_above, n_first)
    tally_add(totals, T_SPECULAR, r_sp)
    if r_sp >= 1.0:
        return s0, s1, s2, s3
    w = 1.0 - r_sp
    x = 0.0
    y = 0.0
    z = 0.0
    layer = 0
    s_left = 0.0  # remaining step, in mean free paths
    alive = True
    steps = 0

    while alive:
        if s_left == 0.0:
            xi, s0, s1, s2, s3 = uniform(s0, s1, s2, s3)
            s_left = -math.log(xi)
        inv_mut = inv_mut_l[layer]
        s = s_left * inv_mut
        # Does the step reach the boundary ahead? A branch-free select of the boundary and
        # no division by uz (the sign of uz is a coin toss, so branching on it stalls).
        going_down = uz > 0.0
        z_bound = z1[layer] if going_down else z0[layer]
        dist = z_bound - z
        if s * abs(uz) > abs(dist):
            # ---- move to the boundary, then reflect or transmit ----
            db = dist / uz
            x += ux * db
            y += uy * db
            z = z_bound
            s_left -= db / inv_mut
            if s_left < 0.0:
                s_left = 0.0
            n_i = n[layer]
            if going_down:
                n_t = n_below if layer == n_layers - 1 else n[layer + 1]
            else:
                n_t = n_above if layer == 0 else n[layer - 1]
            r, ca2 = fresnel(n_i, n_t, abs(uz))
            if r > 0.0:
                xi, s0, s1, s2, s3 = uniform(s0, s1, s2, s3)
                if xi <= r:
                    uz = -uz
                    continue
            if going_down and layer == n_layers - 1:
                _tally_exit(totals, T_TRANSMIT, tt_r, tt_a, w, x, y, ca2, inv_dr, inv_da)
                alive = False
            elif (not going_down) and layer == 0:
                _tally_exit(totals, T_DIFFUSE, rd_r, rd_a, w, x, y, ca2, inv_dr, inv_da)
                alive = False
            else:
                if n_i != n_t:
                    ratio = n_i / n_t
                    ux *= ratio
                    uy *= ratio
                    uz = ca2 if going_down else -ca2
                layer = layer + 1 if going_down else layer - 1
            continue

        # ---- interaction inside the layer: implicit capture, then scattering ----
        x += ux * s
        y += uy * s
        z += uz * s
        s_left = 0.0
        steps += 1
        dw = w * absorb_l[layer]
        w -= dw
        tally_add(a_layer, layer, dw)
        iz = int(z * inv_dz)
        if iz < nz:
            tally_add(a_z, iz, dw)
            tally_add(phi_z, iz, dw * inv_mua_l[layer])
            if nr > 0:
                ir = int(math.sqrt(x * x + y * y) * inv_dr)
                if ir < nr:
                    tally_add2(a_rz, ir, iz, dw)
        else:
            tally_add(totals, T_BEYOND_GRID, dw)
        xi, s0, s1, s2, s3 = uniform(s0, s1, s2, s3)
        ux, uy, uz, s0, s1, s2, s3 = spin(ux, uy, uz, g[layer], xi, s0, s1, s2, s3)
        # ---- Russian roulette ----
        if w < WEIGHT_THRESHOLD:
            xi, s0, s1, s2, s3 = uniform(s0, s1, s2, s3)
            if xi <= ROULETTE_CHANCE:
                tally_add(totals, T_ROULETTE, w / ROULETTE_CHANCE - w)
                w /= ROULETTE_CHANCE
            else:
                tally_add(totals, T_ROULETTE, -w)
                alive = False
    tally_add(totals, T_STEPS, float(steps))
    return s0, s1, s2, s3


@njit(fastmath=_FM, nogil=True, cache=True, error_model="numpy")
def trace_chunk(
    n_photons: int,
    state: NDArray[np.uint64],
    source_kind: int,
    source_param: float,
    n_above: float,
    n_below: float,
    lc: NDArray[np.float64],
    g: NDArray[np.float64],
    n: NDArray[np.float64],
    z0: NDArray[np.float64],
    z1: NDArray[np.float64],
    dz: float,
    dr: float,
    da: float,
    totals: NDArray[np.float64],
    a_layer: NDArray[np.float64],
    a_z: NDArray[np.float64],
    phi_z: NDArray[np.float64],
    a_rz: NDArray[np.float64],
    rd_r: NDArray[np.float64],
    tt_r: NDArray[np.float64],
    rd_a: NDArray[np.float64],
    tt_a: NDArray[np.float64],
) -> None:
    """Trace ``n_photons`` packets with one RNG stream and add them into (zeroed) tallies.

    ``lc`` is :func:`layer_constants`; ``source_param`` is the incidence angle's cosine for
    an oblique beam, or the exponent m of a cos^m emitter. Grids with 0 bins are skipped.
    """
    inv_dz = 1.0 / dz
    inv_dr = 1.0 / dr if rd_r.shape[0] > 0 else 0.0
    inv_da = 1.0 / da
    inv_mut_l = lc[0]
    absorb_l = lc[1]
    inv_mua_l = lc[2]
    s0 = state[0]
    s1 = state[1]
    s2 = state[2]
    s3 = state[3]
    for _ in range(n_photons):
        s0, s1, s2, s3 = trace_photon(
            s0, s1, s2, s3, source_kind, source_param, n_above, n_below, inv_mut_l, absorb_l, inv_mua_l,
            g, n, z0, z1, inv_dz, inv_dr, inv_da, totals, a_layer, a_z, phi_z, a_rz, rd_r, tt_r, rd_a, tt_a,
        )  # fmt: skip
    state[0] = s0
    state[1] = s1
    state[2] = s2
    state[3] = s3
