"""The CPU photon kernel, event-based: a pool of packets advanced together in SIMD lanes.

Same physics as :func:`photodose.transport.kernel.trace_photon` (MCML: Wang, Jacques & Zheng,
Comput. Methods Programs Biomed. 47:131–146, 1995): step −ln ξ / μt carried across boundaries in
mean free paths, implicit capture ``w·μa/μt``, Henyey–Greenstein scattering, Fresnel reflection
(all-or-none) and Snell refraction at every interface, Russian roulette below 1e-4 (1 in 10).
The scalar kernel follows one packet to its end, a chain of dependent operations and
unpredictable branches; this one keeps :data:`LANES` packets in flight per chunk, stored field
by field (structure of arrays), and advances them in stages:

1. :func:`advance`, a counted loop over all lanes with selects and no branches or calls, which
   LLVM vectorises (AVX-512: 8 packets per instruction): the step length (an inlined
   :func:`~photodose.transport.rng.neg_log` for the libm call), the boundary test, the move and
   the deposit of the packets that interact, and their new direction (one division and one square
   root for Henyey–Greenstein and the rotation together; the azimuth's cosine and sine from
   polynomials). A packet whose step reaches a boundary is only marked.
2. The deposits, scatter-added in a separate loop into chunk-local tallies with an overflow bin
   (no branch), merged at the end.
3. The events, a scalar loop over the few marked lanes: move to the boundary, Fresnel, reflect,
   refract (the per-layer constants are gathered into the lane only when its packet changes
   layer), leave the stack (exit tallies), roulette; a finished lane takes the next packet.

Each lane draws from its own sub-stream of the chunk's xoshiro256** stream
(:func:`~photodose.transport.rng.lane_states`), so a seed and the chunking fix the numbers, as
before; they differ from the scalar kernel's (other random histories, same distribution:
``tests/test_transport_lanes.py``). Speed and the attempts behind this design:
``docs/performance.md``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from numpy.typing import NDArray

from photodose.transport.kernel import (
    _COS_ZERO,
    _FM,
    N_TOTALS,
    ROULETTE_CHANCE,
    T_BEYOND_GRID,
    T_DIFFUSE,
    T_ROULETTE,
    T_SPECULAR,
    T_STEPS,
    T_TRANSMIT,
    WEIGHT_THRESHOLD,
    _tally_exit,
    fresnel,
    launch,
)
from photodose.transport.rng import _TWO_M53, _U11, lane_states, neg_log, uniform, xoshiro_next

#: Packets in flight per chunk. A compile-time constant: the field offsets ``k·LANES`` are then
#: constants and LLVM proves the fields disjoint without run-time checks. 32–64 measured best
#: (docs/performance.md): the pool stays in L1.
LANES = 64

# Fields of the packet pool, one row of LANES each.
X, Y, Z, UX, UY, UZ, W, SL = 0, 1, 2, 3, 4, 5, 6, 7  # position, direction, weight, step left (mfp)
MUT, INV_MUT, ABSORB, INV_MUA, G, Z_TOP, Z_BOTTOM = 8, 9, 10, 11, 12, 13, 14  # the layer's constants
LAYER, ALIVE, HIT, ROULETTE, DW, IZ, IR = 15, 16, 17, 18, 19, 20, 21  # state and stage outputs
N_FIELDS = 22

# Taylor coefficients of sin and cos to x^17 and x^16: on |x| ≤ π/4 the first omitted terms are
# below 1e-17.
_S3, _S5, _S7, _S9 = -1.0 / 6, 1.0 / 120, -1.0 / 5040, 1.0 / 362880
_S11, _S13, _S15, _S17 = -1.0 / 39916800, 1.0 / 6227020800, -1.0 / 1307674368000, 1.0 / 355687428096000
_C2, _C4, _C6, _C8 = -0.5, 1.0 / 24, -1.0 / 720, 1.0 / 40320
_C10, _C12, _C14, _C16 = -1.0 / 3628800, 1.0 / 479001600, -1.0 / 87178291200, 1.0 / 20922789888000


@njit(inline="always", fastmath=_FM, error_model="numpy")
def cos_sin_turn(t: float) -> tuple[float, float]:
    """cos and sin of 2πt for t in [−½, ½], without branches: Taylor series of the quarter angle
    (|πt/2| ≤ π/4), then the double-angle formulas twice. Error ≲ 1e-15."""
    a = t * (0.5 * math.pi)
    a2 = a * a
    s = a * (
        1.0
        + a2
        * (_S3 + a2 * (_S5 + a2 * (_S7 + a2 * (_S9 + a2 * (_S11 + a2 * (_S13 + a2 * (_S15 + a2 * _S17)))))))
    )
    c = 1.0 + a2 * (
        _C2 + a2 * (_C4 + a2 * (_C6 + a2 * (_C8 + a2 * (_C10 + a2 * (_C12 + a2 * (_C14 + a2 * _C16))))))
    )
    s, c = 2.0 * s * c, (c - s) * (c + s)
    s, c = 2.0 * s * c, (c - s) * (c + s)
    return c, s


@njit(inline="always")
def _pick(cond: bool, a: float, b: float) -> float:
    """``a if cond else b`` on values already computed (compiles to a select)."""
    return a if cond else b


@njit(fastmath=_FM, nogil=True, error_model="numpy")
def advance(
    p: NDArray[np.float64],
    rs: NDArray[np.uint64],
    n_active: int,
    inv_dz: float,
    nz: int,
    inv_dr: float,
    nr: int,
) -> int:
    """One stage for lanes 0 … n_active − 1, branch-free (vectorised): step, boundary test, move,
    deposit, scatter. A lane whose step reaches a boundary is marked (HIT) and left in place, its
    whole step kept in SL; a lane that interacted and fell below the roulette threshold is marked
    (ROULETTE). DW, IZ and IR are its deposit and the bins (IZ = nz, IR = nr: off the grid).
    Returns the number of interactions."""
    n_int = 0
    for i in range(n_active):
        s0 = rs[i]
        s1 = rs[LANES + i]
        s2 = rs[2 * LANES + i]
        s3 = rs[3 * LANES + i]
        r1, s0, s1, s2, s3 = xoshiro_next(s0, s1, s2, s3)
        r2, s0, s1, s2, s3 = xoshiro_next(s0, s1, s2, s3)
        r3, s0, s1, s2, s3 = xoshiro_next(s0, s1, s2, s3)
        rs[i] = s0
        rs[LANES + i] = s1
        rs[2 * LANES + i] = s2
        rs[3 * LANES + i] = s3
        xi_step = (float(r1 >> _U11) + 1.0) * _TWO_M53  # (0, 1]
        xi_hg = (float(r2 >> _U11) + 1.0) * _TWO_M53
        turn = float(r3 >> _U11) * _TWO_M53 - 0.5  # azimuth in turns, [−½, ½)

        alive = p[ALIVE * LANES + i] != 0.0
        sl0 = p[SL * LANES + i]
        fresh = neg_log(xi_step)
        sl = _pick(sl0 == 0.0, fresh, sl0)
        x = p[X * LANES + i]
        y = p[Y * LANES + i]
        z = p[Z * LANES + i]
        ux = p[UX * LANES + i]
        uy = p[UY * LANES + i]
        uz = p[UZ * LANES + i]
        w = p[W * LANES + i]
        s = sl * p[INV_MUT * LANES + i]
        z_bottom = p[Z_BOTTOM * LANES + i]
        z_top = p[Z_TOP * LANES + i]
        z_bound = _pick(uz > 0.0, z_bottom, z_top)
        hit = alive and s * abs(uz) > abs(z_bound - z)
        interact = alive and not hit
        n_int += 1 if interact else 0
        step = _pick(interact, s, 0.0)
        x += ux * step
        y += uy * step
        z += uz * step
        dw = _pick(interact, w * p[ABSORB * LANES + i], 0.0)
        w -= dw

        # Henyey–Greenstein: cos θ = num/den, num = (1 + g²)D² − (1 − g²)², den = 2gD², D = 1 − g
        # + 2gξ (the textbook inversion with its fraction cleared); the rotation (MCML manual
        # Eq. 3.24–3.25) needs sin θ/√(1 − uz²) = √[(1 − cos²θ)/(1 − uz²)]. One reciprocal
        # 1/(den·(1 − uz²)) serves both.
        g = p[G * LANES + i]
        d = 1.0 - g + 2.0 * g * xi_hg
        k = 1.0 - g * g
        num = _pick(g == 0.0, 2.0 * xi_hg - 1.0, (1.0 + g * g) * d * d - k * k)
        den = _pick(g == 0.0, 1.0, 2.0 * g * d * d)
        normal = abs(uz) > 1.0 - _COS_ZERO
        sin2 = _pick(normal, 1.0, 1.0 - uz * uz)
        inv = 1.0 / (den * sin2)
        cost = num * (inv * sin2)
        cost = _pick(cost < -1.0, -1.0, cost)
        cost = _pick(cost > 1.0, 1.0, cost)
        q = (1.0 - cost * cost) * (inv * den)
        f = math.sqrt(_pick(q > 0.0, q, 0.0))  # sin θ / √(1 − uz²); sin θ at normal incidence
        cosp, sinp = cos_sin_turn(turn)
        nux = _pick(normal, f * cosp, f * (ux * uz * cosp - uy * sinp) + ux * cost)
        nuy = _pick(normal, f * sinp, f * (uy * uz * cosp + ux * sinp) + uy * cost)
        nuz = _pick(normal, _pick(uz >= 0.0, cost, -cost), -f * cosp * sin2 + uz * cost)

        p[X * LANES + i] = x
        p[Y * LANES + i] = y
        p[Z * LANES + i] = z
        p[UX * LANES + i] = _pick(interact, nux, ux)
        p[UY * LANES + i] = _pick(interact, nuy, uy)
        p[UZ * LANES + i] = _pick(interact, nuz, uz)
        p[W * LANES + i] = w
        p[SL * LANES + i] = _pick(hit, sl, 0.0)
        p[DW * LANES + i] = dw
        p[HIT * LANES + i] = 1.0 if hit else 0.0
        p[ROULETTE * LANES + i] = 1.0 if (interact and w < WEIGHT_THRESHOLD) else 0.0
        fz = z * inv_dz
        fr = math.sqrt(x * x + y * y) * inv_dr
        p[IZ * LANES + i] = _pick(fz < nz, fz, float(nz))  # NaN-safe: NaN goes off the grid
        p[IR * LANES + i] = _pick(fr < nr, fr, float(nr))
    return n_int


@njit(inline="always", fastmath=_FM, error_model="numpy")
def _enter_layer(
    p: NDArray[np.float64],
    i: int,
    layer: int,
    mut_l: NDArray[np.float64],
    lc: NDArray[np.float64],
    g_l: NDArray[np.float64],
    z0: NDArray[np.float64],
    z1: NDArray[np.float64],
) -> None:
    """Gather the constants of ``layer`` into lane ``i`` (only when its packet changes layer)."""
    p[LAYER * LANES + i] = layer
    p[MUT * LANES + i] = mut_l[layer]
    p[INV_MUT * LANES + i] = lc[0, layer]
    p[ABSORB * LANES + i] = lc[1, layer]
    p[INV_MUA * LANES + i] = lc[2, layer]
    p[G * LANES + i] = g_l[layer]
    p[Z_TOP * LANES + i] = z0[layer]
    p[Z_BOTTOM * LANES + i] = z1[layer]


@njit(inline="always", fastmath=_FM, error_model="numpy")
def _park(p: NDArray[np.float64], i: int) -> None:
    """An empty lane: weight 0, not alive, at rest (never marked, deposits 0)."""
    p[ALIVE * LANES + i] = 0.0
    p[W * LANES + i] = 0.0
    p[UX * LANES + i] = 0.0
    p[UY * LANES + i] = 0.0
    p[UZ * LANES + i] = 0.0
    p[SL * LANES + i] = 1.0


@njit(fastmath=_FM, nogil=True, cache=True, error_model="numpy")
def trace_chunk_lanes(
    n_photons: int,
    state: NDArray[np.uint64],
    source_kind: int,
    source_param: float,
    n_above: float,
    n_below: float,
    lc: NDArray[np.float64],
    g_l: NDArray[np.float64],
    n_l: NDArray[np.float64],
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
    """Trace ``n_photons`` packets from one RNG stream into (zeroed) tallies; the arguments and
    tallies of :func:`photodose.transport.kernel.trace_chunk`, which this replaces on the CPU
    (``state`` is only read: the lanes' sub-streams start from it)."""
    n_layers = g_l.shape[0]
    nz = a_z.shape[0]
    nr = rd_r.shape[0]
    inv_dz = 1.0 / dz
    inv_dr = 1.0 / dr if nr > 0 else 0.0
    inv_da = 1.0 / da
    mut_l = np.empty(n_layers)
    for il in range(n_layers):
        mut_l[il] = 1.0 / lc[0, il] if lc[0, il] < np.inf else 0.0
    n_first = n_l[0]
    rs = lane_states(state, LANES).reshape(-1)
    p = np.zeros(N_FIELDS * LANES)
    # chunk-local tallies, each with an overflow bin (index nz or nr) so that deposits need no test
    loc_layer = np.zeros(n_layers)
    loc_z = np.zeros(nz + 1)
    loc_phi = np.zeros(nz + 1)
    loc_rz = np.zeros((nr + 1) * (nz + 1))
    steps = 0
    launched = 0
    in_flight = 0
    n_active = LANES  # lanes 0 … n_active − 1 are advanced
    for i in range(LANES):
        _enter_layer(p, i, 0, mut_l, lc, g_l, z0, z1)
        _park(p, i)
    while True:
        # ---- fill empty lanes with new packets (at the start, and after each stage) ----
        if launched < n_photons and in_flight < LANES:
            for i in range(LANES):
                while p[ALIVE * LANES + i] == 0.0 and launched < n_photons:
                    s0, s1, s2, s3 = rs[i], rs[LANES + i], rs[2 * LANES + i], rs[3 * LANES + i]
                    r_sp, ux, uy, uz, s0, s1, s2, s3 = launch(
                        s0, s1, s2, s3, source_kind, source_param, n_above, n_first
                    )
                    rs[i], rs[LANES + i], rs[2 * LANES + i], rs[3 * LANES + i] = s0, s1, s2, s3
                    launched += 1
                    totals[T_SPECULAR] += r_sp
                    if r_sp >= 1.0:
                        continue
                    _enter_layer(p, i, 0, mut_l, lc, g_l, z0, z1)
                    p[X * LANES + i] = 0.0
                    p[Y * LANES + i] = 0.0
                    p[Z * LANES + i] = 0.0
                    p[UX * LANES + i] = ux
                    p[UY * LANES + i] = uy
                    p[UZ * LANES + i] = uz
                    p[W * LANES + i] = 1.0 - r_sp
                    p[SL * LANES + i] = 0.0
                    p[ALIVE * LANES + i] = 1.0
                    in_flight += 1
        if in_flight == 0:
            break
        if launched == n_photons and in_flight < n_active:
            # the tail: no packet left to launch, so pack the packets in flight into the first
            # lanes (with their streams) and advance only those, instead of every lane until the
            # longest history ends (with chunks of 100 packets that was most of the work)
            j = 0
            for i in range(n_active):
                if p[ALIVE * LANES + i] != 0.0:
                    if i != j:
                        for f in range(N_FIELDS):
                            p[f * LANES + j] = p[f * LANES + i]
                        for f in range(4):
                            rs[f * LANES + j] = rs[f * LANES + i]
                    j += 1
            n_active = j
        steps += advance(p, rs, n_active, inv_dz, nz, inv_dr, nr)
        # ---- deposits: scatter-add, no branch (dw = 0 where nothing was deposited) ----
        for i in range(n_active):
            dw = p[DW * LANES + i]
            iz = int(p[IZ * LANES + i])
            ir = int(p[IR * LANES + i])
            loc_layer[int(p[LAYER * LANES + i])] += dw
            loc_z[iz] += dw
            loc_phi[iz] += dw * p[INV_MUA * LANES + i]
            loc_rz[ir * (nz + 1) + iz] += dw
        # ---- events: roulette, boundaries, exits ----
        for i in range(n_active):
            if p[HIT * LANES + i] == 0.0 and p[ROULETTE * LANES + i] == 0.0:
                continue
            w = p[W * LANES + i]
            s0, s1, s2, s3 = rs[i], rs[LANES + i], rs[2 * LANES + i], rs[3 * LANES + i]
            ends = False
            if p[ROULETTE * LANES + i] != 0.0:
                xi, s0, s1, s2, s3 = uniform(s0, s1, s2, s3)
                if xi <= ROULETTE_CHANCE:
                    totals[T_ROULETTE] += w / ROULETTE_CHANCE - w
                    p[W * LANES + i] = w / ROULETTE_CHANCE
                else:
                    totals[T_ROULETTE] -= w
                    ends = True
            else:
                layer = int(p[LAYER * LANES + i])
                uz = p[UZ * LANES + i]
                going_down = uz > 0.0
                z_bound = p[Z_BOTTOM * LANES + i] if going_down else p[Z_TOP * LANES + i]
                db = (z_bound - p[Z * LANES + i]) / uz
                x = p[X * LANES + i] + p[UX * LANES + i] * db
                y = p[Y * LANES + i] + p[UY * LANES + i] * db
                p[X * LANES + i] = x
                p[Y * LANES + i] = y
                p[Z * LANES + i] = z_bound
                p[SL * LANES + i] = max(0.0, p[SL * LANES + i] - db * p[MUT * LANES + i])
                n_i = n_l[layer]
                if going_down:
                    n_t = n_below if layer == n_layers - 1 else n_l[layer + 1]
                else:
                    n_t = n_above if layer == 0 else n_l[layer - 1]
                r_f, ca2 = fresnel(n_i, n_t, abs(uz))
                reflected = False
                if r_f > 0.0:
                    xi, s0, s1, s2, s3 = uniform(s0, s1, s2, s3)
                    reflected = xi <= r_f
                if reflected:
                    p[UZ * LANES + i] = -uz
                elif going_down and layer == n_layers - 1:
                    _tally_exit(totals, T_TRANSMIT, tt_r, tt_a, w, x, y, ca2, inv_dr, inv_da)
                    ends = True
                elif (not going_down) and layer == 0:
                    _tally_exit(totals, T_DIFFUSE, rd_r, rd_a, w, x, y, ca2, inv_dr, inv_da)
                    ends = True
                else:
                    if n_i != n_t:
                        ratio = n_i / n_t
                        p[UX * LANES + i] *= ratio
                        p[UY * LANES + i] *= ratio
                        p[UZ * LANES + i] = ca2 if going_down else -ca2
                    _enter_layer(p, i, layer + 1 if going_down else layer - 1, mut_l, lc, g_l, z0, z1)
            rs[i], rs[LANES + i], rs[2 * LANES + i], rs[3 * LANES + i] = s0, s1, s2, s3
            if ends:
                _park(p, i)
                in_flight -= 1
    for il in range(n_layers):
        a_layer[il] += loc_layer[il]
    for iz in range(nz):
        a_z[iz] += loc_z[iz]
        phi_z[iz] += loc_phi[iz]
    for ir in range(nr):
        for iz in range(nz):
            a_rz[ir, iz] += loc_rz[ir * (nz + 1) + iz]
    totals[T_BEYOND_GRID] += loc_z[nz]
    totals[T_STEPS] += float(steps)


__all__ = ["LANES", "N_TOTALS", "advance", "cos_sin_turn", "trace_chunk_lanes"]
