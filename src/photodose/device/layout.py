"""Where a device's LEDs sit relative to the face.

* Mask (``shell`` form): LEDs on a shell offset from the face by the standoff along the local
  (smoothed) outward normal, pointing back along it. They are spread over the covered regions by
  weighted farthest-point sampling on the patch centres (even spacing on the curved surface;
  a region's density weight scales the spacing there). With eye cut-outs no LED sits over the eye
  openings, so the periorbital skin is lit by the rim LEDs only. Explicit frontal positions
  ``[x, y]`` (cm, nasion at the origin) may replace the sampling.
* Handheld / panel (``planar`` form): LEDs on a hexagonal grid filling a rectangle or disc.
  A handheld is held at the standoff over one region (along the region's mean normal); a panel
  faces the face from the front, the standoff measured from the nose tip.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from photodose.device.face import FaceSurface, patch_near

FloatArray = NDArray[np.float64]

EYE_OPENING_SEMI_AXES_CM = (1.5, 0.85)  # assumption: mask eye holes ~3.0 × 1.7 cm


@dataclass(frozen=True, eq=False)
class LedArray:
    """LED positions (cm) and unit emission directions, plus the reference point used to
    calibrate against a claimed irradiance or a meter reading (a point on the emitting surface
    and the direction it faces)."""

    positions_cm: FloatArray
    directions: FloatArray
    reference_point_cm: FloatArray
    reference_direction: FloatArray
    treated: NDArray[np.bool_]
    description: str = ""

    @property
    def n(self) -> int:
        return int(self.positions_cm.shape[0])


def _unit(v: FloatArray) -> FloatArray:
    return np.asarray(v / np.linalg.norm(v, axis=-1, keepdims=True))


def in_eye_opening(face: FaceSurface, xy_cm: FloatArray) -> NDArray[np.bool_]:
    """Whether frontal positions (x, y) fall inside the assumed mask eye openings."""
    ax, ay = EYE_OPENING_SEMI_AXES_CM
    ex, ey = face.landmarks_cm["eye_left"]
    x, y = xy_cm[:, 0], xy_cm[:, 1]
    return np.asarray(((np.abs(x) - ex) / ax) ** 2 + ((y - ey) / ay) ** 2 <= 1.0)


def eye_opening_mask(face: FaceSurface) -> NDArray[np.bool_]:
    """Patches inside the assumed mask eye openings."""
    return in_eye_opening(face, face.centers_cm[:, :2])


@lru_cache(maxsize=8)
def _all_smoothed_normals(face: FaceSurface, radius_cm: float) -> FloatArray:
    out = np.empty_like(face.normals)
    for s in range(0, face.n_patches, 512):
        idx = np.arange(s, min(s + 512, face.n_patches))
        out[idx] = smoothed_normals(face, idx, radius_cm)
    out.setflags(write=False)
    return out


def smoothed_normals(face: FaceSurface, idx: NDArray[np.int64], radius_cm: float) -> FloatArray:
    """Area-weighted mean outward normal of the patches within ``radius_cm`` of each patch."""
    c = face.centers_cm
    cc = np.einsum("pk,pk->p", c, c)
    d2 = cc[idx][:, None] + cc[None, :] - 2.0 * (c[idx] @ c.T)
    w = (d2 <= radius_cm**2) * face.areas_cm2[None, :]
    return _unit(w @ face.normals)


def farthest_point_sample(points: FloatArray, n: int, weights: FloatArray, start: int) -> NDArray[np.int64]:
    """Indices of ``n`` points chosen by weighted farthest-point sampling.

    Each step picks the point maximising ``sqrt(w) · (distance to the nearest chosen point)``,
    so the local spacing scales as ``1/sqrt(w)`` and the density as ``w``. Points with ``w = 0``
    are never chosen. Deterministic.
    """
    m = points.shape[0]
    ok = weights > 0
    if n > int(ok.sum()):
        raise ValueError(f"cannot place {n} LEDs on {int(ok.sum())} candidate positions")
    sw = np.where(ok, weights, 0.0)
    mind = np.full(m, np.inf)
    chosen = np.empty(n, dtype=np.int64)
    cur = start if ok[start] else int(np.argmax(sw))
    pp = np.einsum("pk,pk->p", points, points)
    score = np.empty(m)
    for i in range(n):
        chosen[i] = cur
        d2 = pp + pp[cur] - 2.0 * (points @ points[cur])
        np.minimum(mind, d2, out=mind)
        np.multiply(mind, sw, out=score)  # squared distance × w: same ordering as sqrt form
        cur = int(np.argmax(score))
    return chosen


@lru_cache(maxsize=256)
def shell_layout(
    face: FaceSurface,
    n: int,
    standoff_cm: float,
    regions_covered: tuple[str, ...],
    region_density: tuple[tuple[str, float], ...] = (),
    eye_cutouts: bool = True,
    explicit_xy_cm: tuple[tuple[float, float], ...] | None = None,
    normal_smoothing_cm: float = 1.5,
) -> LedArray:
    """LEDs on a shell ``standoff_cm`` off the face (see module doc). Cached."""
    if n < 1:
        raise ValueError("a mask needs at least one LED")
    covered = face.regions_mask(list(regions_covered))
    if explicit_xy_cm is not None:
        idx = np.array([patch_near(face, x, y) for x, y in explicit_xy_cm], dtype=np.int64)
    else:
        dens = dict(region_density)
        w = np.zeros(face.n_patches)
        for r in regions_covered:
            w[face.region_mask(r)] = dens.get(r, 1.0)
        if eye_cutouts:
            # no LED in the shell's eye holes: test where the LED would sit, not its patch
            shell = face.centers_cm + standoff_cm * _all_smoothed_normals(face, normal_smoothing_cm)
            w[eye_opening_mask(face) | in_eye_opening(face, shell[:, :2])] = 0.0
        fx, fy = face.landmarks_cm["forehead_centre"]
        idx = farthest_point_sample(face.centers_cm, n, w, patch_near(face, fx, fy))
    ns = smoothed_normals(face, idx, normal_smoothing_cm)
    pos = face.centers_cm[idx] + standoff_cm * ns
    dirs = -ns
    fx, fy = face.landmarks_cm["forehead_centre"]
    ref = patch_near(face, fx, fy)
    ref_n = smoothed_normals(face, np.array([ref]), normal_smoothing_cm)[0]
    arr = LedArray(
        positions_cm=pos,
        directions=dirs,
        reference_point_cm=face.centers_cm[ref] + standoff_cm * ref_n,
        reference_direction=-ref_n,
        treated=covered,
        description=(
            f"{n} LEDs on a shell {standoff_cm:g} cm off the face over "
            f"{', '.join(regions_covered)}" + (" (eye openings free)" if eye_cutouts else "")
        ),
    )
    return arr


def hex_grid(n: int, width_cm: float, height_cm: float, shape: str = "rectangle") -> FloatArray:
    """``n`` points (u, v) filling a ``width × height`` rectangle or the inscribed ellipse/disc
    on a hexagonal grid centred on the origin (spacing found by bisection; surplus points are
    dropped from the outside in). Cached; the result is read-only."""
    return _hex_grid(int(n), float(width_cm), float(height_cm), str(shape))


@lru_cache(maxsize=256)
def _hex_grid(n: int, width_cm: float, height_cm: float, shape: str) -> FloatArray:
    if n < 1:
        raise ValueError("need at least one LED")
    if width_cm <= 0 or height_cm <= 0:
        raise ValueError("the emitting area needs a positive width and height")
    if n == 1:
        out = np.zeros((1, 2))
        out.setflags(write=False)
        return out

    def grid(h: float) -> FloatArray:
        dv = h * np.sqrt(3.0) / 2.0
        nv = int(np.ceil(height_cm / 2 / dv)) + 1
        nu = int(np.ceil(width_cm / 2 / h)) + 2
        j = np.arange(-nv, nv + 1)
        i = np.arange(-nu, nu + 1)
        J, Iu = np.meshgrid(j, i, indexing="ij")
        U = (Iu + 0.5 * (J % 2)) * h
        V = J * dv
        p = np.column_stack([U.ravel(), V.ravel()])
        if shape == "disc":
            keep = (p[:, 0] / (width_cm / 2)) ** 2 + (p[:, 1] / (height_cm / 2)) ** 2 <= 1 + 1e-9
        else:
            keep = (np.abs(p[:, 0]) <= width_cm / 2 + 1e-9) & (np.abs(p[:, 1]) <= height_cm / 2 + 1e-9)
        return np.asarray(p[keep])

    h0 = float(np.sqrt(width_cm * height_cm / n))  # spacing of n points on the area
    lo, hi = 0.2 * h0, 2.0 * max(width_cm, height_cm)
    while grid(lo).shape[0] < n:
        lo *= 0.5
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        if grid(mid).shape[0] >= n:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-6 * lo:
            break
    p = grid(lo)
    if p.shape[0] > n:  # drop the outermost surplus
        r = (p[:, 0] / width_cm) ** 2 + (p[:, 1] / height_cm) ** 2
        p = p[np.argsort(r, kind="stable")[:n]]
    p = p - p.mean(axis=0)
    p.setflags(write=False)
    return np.asarray(p)


def planar_array(
    n: int,
    width_cm: float,
    height_cm: float,
    center_cm: FloatArray,
    direction: FloatArray,
    up: FloatArray,
    shape: str = "rectangle",
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Positions, directions and in-plane axes (u, v) of a flat LED array."""
    d = _unit(np.asarray(direction, dtype=float))
    v = np.asarray(up, dtype=float) - np.dot(up, d) * d
    v = _unit(v)
    u = np.cross(v, d)
    uv = hex_grid(n, width_cm, height_cm, shape)
    pos = center_cm[None, :] + uv[:, :1] * u[None, :] + uv[:, 1:] * v[None, :]
    dirs = np.repeat(d[None, :], n, axis=0)
    return pos, dirs, np.stack([u, v])


@lru_cache(maxsize=256)
def handheld_layout(
    face: FaceSurface,
    n: int,
    standoff_cm: float,
    width_cm: float,
    height_cm: float,
    shape: str,
    region: str,
) -> LedArray:
    """A flat array held ``standoff_cm`` over the centre of ``region``, facing it. Cached.

    The treated area is the patches under the aperture footprint that face the array.
    """
    c, _ = face.region_centroid(region)
    # the local surface under the aperture sets the array's axis…
    r_ap = 0.5 * max(width_cm, height_cm)
    near = np.linalg.norm(face.centers_cm - c[None, :], axis=1) <= r_ap
    nrm = (face.normals[near] * face.areas_cm2[near, None]).sum(axis=0)
    nrm = nrm / np.linalg.norm(nrm)
    # …and the most protruding skin under it (nose, lips) the clearance: the standoff is the
    # smallest LED-to-skin distance, as when the applicator rests on the skin
    rel0 = face.centers_cm - c[None, :]
    lateral = np.linalg.norm(rel0 - np.outer(rel0 @ nrm, nrm), axis=1)
    under = (lateral <= r_ap) & (face.normals @ nrm > 0.0) & (np.abs(rel0 @ nrm) < 3.0)
    lift = max(0.0, float((rel0[under] @ nrm).max())) if under.any() else 0.0
    center = c + (standoff_cm + lift) * nrm
    pos, dirs, (u, v) = planar_array(n, width_cm, height_cm, center, -nrm, np.array([0.0, 1.0, 0.0]), shape)
    rel = face.centers_cm - c[None, :]
    pu, pv = rel @ u, rel @ v
    if shape == "disc":
        inside = (pu / (width_cm / 2)) ** 2 + (pv / (height_cm / 2)) ** 2 <= 1.0
    else:
        inside = (np.abs(pu) <= width_cm / 2) & (np.abs(pv) <= height_cm / 2)
    facing = face.normals @ nrm > 0.3
    near = np.abs(rel @ nrm) < 3.0
    treated = inside & facing & near
    if not treated.any():
        treated[int(np.argmin(np.linalg.norm(rel, axis=1)))] = True
    return LedArray(
        positions_cm=pos,
        directions=dirs,
        reference_point_cm=center,
        reference_direction=-nrm,
        treated=treated,
        description=(
            f"{n} LEDs on a {width_cm:g}×{height_cm:g} cm {shape} held {standoff_cm:g} cm over the {region}"
        ),
    )


@lru_cache(maxsize=256)
def panel_layout(
    face: FaceSurface,
    n: int,
    standoff_cm: float,
    width_cm: float,
    height_cm: float,
    shape: str,
    regions_covered: tuple[str, ...],
) -> LedArray:
    """A flat panel facing the face from the front, ``standoff_cm`` from the nose tip. Cached."""
    c = face.centers_cm
    y_mid = 0.5 * (c[:, 1].min() + c[:, 1].max())
    center = np.array([0.0, y_mid, c[:, 2].max() + standoff_cm])
    pos, dirs, _ = planar_array(
        n,
        width_cm,
        height_cm,
        center,
        np.array([0.0, 0.0, -1.0]),
        np.array([0.0, 1.0, 0.0]),
        shape,
    )
    return LedArray(
        positions_cm=pos,
        directions=dirs,
        reference_point_cm=center,
        reference_direction=np.array([0.0, 0.0, -1.0]),
        treated=face.regions_mask(list(regions_covered)),
        description=(
            f"{n} LEDs on a {width_cm:g}×{height_cm:g} cm flat {shape} {standoff_cm:g} cm in "
            "front of the nose tip"
        ),
    )
