"""Irradiance on a face from a device's LEDs.

Each LED is a point source with radiant power ``P`` (mW) and a rotationally symmetric cos^m
emission profile, normalised so that the radiant intensity integrates to ``P`` over the forward
hemisphere:

    I(θ) = P · (m + 1) / (2π) · cos^m θ                                   [mW/sr]

(m = 1 is Lambertian). With a viewing angle (full angle at half intensity, 2θ½) the exponent is
``m = −ln 2 / ln cos θ½`` (Moreno & Sun 2008, Opt. Express 16:1808, "Modeling the radiation
pattern of LEDs", eq. 2). The irradiance on a surface patch at distance ``d`` whose normal makes
angle ``θ_inc`` with the direction to the LED is the far-field (photometric inverse-square) law

    E = Σ_LED  I(θ_emit) · cos θ_inc / d²                                  [mW/cm²],

with no occlusion (the nose does not shadow the cheek), no reflection between skin and device,
and no near-field correction for the LED's finite size.

Uncertain inputs come as low / central / high scenarios. The ``low`` scenario takes each input
at the end that lowers the irradiance (fewer, weaker LEDs, larger standoff, wider beam); ``high``
the opposite: the range bounds the model's answer, it is not a confidence interval.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from photodose.device.estimate import Estimate, weakest_confidence
from photodose.device.face import FaceSurface, face_surface
from photodose.device.layout import (
    LedArray,
    handheld_layout,
    hex_grid,
    panel_layout,
    shell_layout,
)
from photodose.device.regions import REGIONS
from photodose.device.spec import SCENARIOS, Channel, DeviceSpec, DeviceSpecError

FloatArray = NDArray[np.float64]

_OPPOSITE = {"low": "high", "central": "central", "high": "low"}


# --------------------------------------------------------------------------------------------
# physics


def cos_exponent_from_viewing_angle(viewing_angle_deg: float) -> float:
    """Exponent ``m`` of a cos^m profile with the given viewing angle (2θ½, degrees).

    ``m = −ln 2 / ln cos(θ½)``; 120° gives m = 1 (Lambertian).
    """
    half = np.radians(0.5 * float(viewing_angle_deg))
    if not 0.0 < half < np.pi / 2:
        raise ValueError("viewing angle must be between 0 and 180 degrees")
    return float(-np.log(2.0) / np.log(np.cos(half)))


def normalized_intensity(cos_theta: FloatArray | float, m: float) -> FloatArray:
    """Radiant intensity per unit power, ``(m+1)/(2π) cos^m θ`` (1/sr), zero behind the LED."""
    c = np.asarray(cos_theta, dtype=float)
    return np.asarray(np.where(c > 0, (m + 1.0) / (2.0 * np.pi) * np.power(np.clip(c, 0.0, None), m), 0.0))


def irradiance_from_leds(
    points_cm: FloatArray,
    normals: FloatArray,
    led_positions_cm: FloatArray,
    led_directions: FloatArray,
    power_mw: float | FloatArray,
    m: float,
) -> FloatArray:
    """Irradiance (mW/cm²) on surface points from cos^m point sources.

    Parameters
    ----------
    points_cm : (P, 3) receiver points, cm.
    normals : (P, 3) receiver unit normals (pointing toward the side that receives light).
    led_positions_cm : (N, 3) LED positions, cm.
    led_directions : (N, 3) LED unit axes.
    power_mw : radiant power per LED, mW (scalar or (N,)).
    m : cos^m exponent (≥ 0).

    Returns
    -------
    (P,) irradiance in mW/cm²: ``Σ_LED P (m+1)/(2π) cos^m θ_e cos θ_i / d²`` over the LEDs
    in front of the point (cos θ_e > 0) that face its lit side (cos θ_i > 0).
    """
    pts = np.ascontiguousarray(points_cm, dtype=np.float64)
    nrm = np.ascontiguousarray(normals, dtype=np.float64)
    L = np.ascontiguousarray(led_positions_cm, dtype=np.float64)
    D = np.ascontiguousarray(led_directions, dtype=np.float64)
    if pts.ndim != 2 or pts.shape[1] != 3 or nrm.shape != pts.shape:
        raise ValueError("points_cm and normals must both be (P, 3) arrays")
    if L.ndim != 2 or L.shape[1] != 3 or D.shape != L.shape:
        raise ValueError("led_positions_cm and led_directions must both be (N, 3) arrays")
    if not m >= 0:
        raise ValueError(f"cos^m exponent must be >= 0 (got {m})")
    pw = np.ascontiguousarray(np.broadcast_to(np.asarray(power_mw, dtype=np.float64), (L.shape[0],)))
    from photodose.device.irradiance_kernel import irradiance_kernel  # Numba: loaded on first use

    out = np.zeros(pts.shape[0])
    irradiance_kernel(pts, nrm, L, D, pw, float(m), out)
    return out


def irradiance_from_leds_numpy(
    points_cm: FloatArray,
    normals: FloatArray,
    led_positions_cm: FloatArray,
    led_directions: FloatArray,
    power_mw: float | FloatArray,
    m: float,
    chunk: int = 256,
) -> FloatArray:
    """Reference NumPy implementation of :func:`irradiance_from_leds` (same arguments).

    Parameters
    ----------
    points_cm : (P, 3) receiver points, cm.
    normals : (P, 3) receiver unit normals (pointing toward the side that receives light).
    led_positions_cm : (N, 3) LED positions, cm.
    led_directions : (N, 3) LED unit axes.
    power_mw : radiant power per LED, mW (scalar or (N,)).
    m : cos^m exponent.

    Returns
    -------
    (P,) irradiance in mW/cm²: ``Σ P (m+1)/(2π) cos^m θ_e cos θ_i / d²``.
    """
    pts = np.asarray(points_cm, dtype=float)
    nrm = np.asarray(normals, dtype=float)
    L = np.asarray(led_positions_cm, dtype=float)
    D = np.asarray(led_directions, dtype=float)
    pw = np.broadcast_to(np.asarray(power_mw, dtype=float), (L.shape[0],))
    E = np.zeros(pts.shape[0])
    k = (m + 1.0) / (2.0 * np.pi)
    pp = np.einsum("pk,pk->p", pts, pts)
    pn = np.einsum("pk,pk->p", pts, nrm)
    for s in range(0, L.shape[0], chunk):
        Lc, Dc = L[s : s + chunk], D[s : s + chunk]
        # d = p − l (LED → point), expanded into matrix products
        r2 = pp[:, None] + np.einsum("nk,nk->n", Lc, Lc)[None, :] - 2.0 * (pts @ Lc.T)
        np.maximum(r2, 1e-12, out=r2)
        de = pts @ Dc.T - np.einsum("nk,nk->n", Lc, Dc)[None, :]  # d · LED axis = r cos θ_e
        dn = nrm @ Lc.T - pn[:, None]  # −d · n = r cos θ_i
        # the differences above need float64 (cancellation); the rest is fine in float32
        de32 = np.maximum(de, 0.0).astype(np.float32)
        dn32 = np.maximum(dn, 0.0).astype(np.float32)
        r2_32 = r2.astype(np.float32)
        if abs(m - 1.0) < 1e-12:  # Lambertian: cos θ_e cos θ_i / d² = de dn / r⁴
            val = de32 * dn32 / (r2_32 * r2_32)
        else:
            r = np.sqrt(r2_32)
            val = np.power(de32 / r, np.float32(m)) * dn32 / (r2_32 * r)
            val[de32 <= 0] = 0.0  # 0**0 = 1 would light the back hemisphere when m = 0
        E += k * (val.astype(np.float64) @ pw[s : s + chunk])
    return E


def _area_mean(face: FaceSurface, E: FloatArray, mask: NDArray[np.bool_]) -> float:
    w = face.areas_cm2[mask]
    return float((E[mask] * w).sum() / w.sum())


def _stats(E: FloatArray, w: FloatArray) -> dict[str, float]:
    mean = float((E * w).sum() / w.sum())
    sd = float(np.sqrt(((E - mean) ** 2 * w).sum() / w.sum()))
    mx, mn = float(E.max()), float(E.min())
    return {
        "mean": mean,
        "min": mn,
        "max": mx,
        "uniformity_min_over_max": mn / mx if mx > 0 else float("nan"),
        "cv": sd / mean if mean > 0 else float("nan"),
        "area_cm2": float(w.sum()),
    }


def region_stats(
    face: FaceSurface, E: FloatArray, mask: NDArray[np.bool_] | None = None
) -> dict[str, dict[str, float]]:
    """Per-region irradiance statistics (area-weighted).

    Returns ``{region: {mean, min, max, uniformity_min_over_max, cv, area_cm2}}`` for each
    region with patches (restricted to ``mask`` when given). ``cv`` is the area-weighted
    standard deviation over the mean; units follow ``E`` (mW/cm²).
    """
    E = np.asarray(E, dtype=float)
    if E.shape != (face.n_patches,):
        raise ValueError(f"E must have one value per patch ({face.n_patches}), got {E.shape}")
    out: dict[str, dict[str, float]] = {}
    for r in face.region_names:
        m = face.region_mask(r)
        if mask is not None:
            m = m & mask
        if m.any():
            out[r] = _stats(E[m], face.areas_cm2[m])
    return out


def summary_stats(
    face: FaceSurface, E: FloatArray, mask: NDArray[np.bool_] | None = None
) -> dict[str, float]:
    """The same statistics over all patches (or the ``mask``) together."""
    m = np.ones(face.n_patches, bool) if mask is None else mask
    return _stats(np.asarray(E)[m], face.areas_cm2[m])


# --------------------------------------------------------------------------------------------
# device → LEDs


def _check_scenario(scenario: str) -> None:
    if scenario not in SCENARIOS:
        raise ValueError(f"scenario must be one of {', '.join(SCENARIOS)} (got {scenario!r})")


def beam_exponent(device: DeviceSpec, scenario: str = "central") -> float:
    """cos^m exponent for a scenario (a wider beam in the low scenario)."""
    b = device.beam
    if b.cos_exponent_m is not None:
        return b.cos_exponent_m.pick(scenario)
    assert b.viewing_angle_deg is not None
    return cos_exponent_from_viewing_angle(b.viewing_angle_deg.pick(_OPPOSITE[scenario]))


def _resolve_channel(device: DeviceSpec, channel: int | str) -> tuple[int, Channel]:
    ch = device.channel(channel)
    return device.channels.index(ch), ch


def default_region(device: DeviceSpec) -> str:
    """Region a handheld is modelled on when none is named (its first treatment region)."""
    tr = device.geometry.treatment_regions
    return tr[0] if tr else "forehead"


def led_array(
    device: DeviceSpec,
    channel: int | str = 0,
    scenario: str = "central",
    face: FaceSurface | None = None,
    region: str | None = None,
) -> LedArray:
    """The LED positions of one channel in one scenario."""
    _check_scenario(scenario)
    face = face or face_surface()
    _, ch = _resolve_channel(device, channel)
    g = device.geometry
    n = max(1, round(ch.led_count.pick(scenario)))
    standoff = g.standoff_cm.pick(_OPPOSITE[scenario])
    if device.form == "shell":
        explicit: tuple[tuple[float, float], ...] | None = None
        if g.led_positions_cm is not None:
            explicit = tuple((float(x), float(y)) for x, y in g.led_positions_cm)
            n = len(explicit)
        return shell_layout(
            face,
            n,
            standoff,
            tuple(g.regions_covered),
            tuple(sorted(g.region_density.items())),
            g.eye_cutouts,
            explicit,
        )
    assert g.aperture_width_cm is not None and g.aperture_height_cm is not None
    w, h = g.aperture_width_cm.pick(), g.aperture_height_cm.pick()
    if device.kind == "handheld":
        reg = region or default_region(device)
        if reg not in REGIONS:
            raise DeviceSpecError(f"unknown face region {reg!r}; choose one of {REGIONS}")
        return handheld_layout(face, n, standoff, w, h, g.aperture_shape, reg)
    return panel_layout(face, n, standoff, w, h, g.aperture_shape, tuple(g.regions_covered))


DETECTOR_DIAMETER_CM = 1.0
"""Receiver used where a stated irradiance or a meter reading applies: a flat disc 1 cm across
(assumption: the order of a photodiode power-sensor aperture, e.g. 9.5 mm for Thorlabs S120C),
averaged over 19 points, so a sparse array is not judged at a single hot or cold spot."""


def _detector_points(center: FloatArray, facing: FloatArray, diameter_cm: float) -> FloatArray:
    d = facing / np.linalg.norm(facing)
    a = np.array([1.0, 0.0, 0.0]) if abs(d[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    u = np.cross(d, a)
    u /= np.linalg.norm(u)
    v = np.cross(d, u)
    uv = hex_grid(19, diameter_cm, diameter_cm, "disc")
    return np.asarray(center[None, :] + uv[:, :1] * u[None, :] + uv[:, 1:] * v[None, :])


def irradiance_at_reference(
    arr: LedArray,
    distance_cm: float,
    power_mw: float,
    m: float,
    detector_diameter_cm: float = DETECTOR_DIAMETER_CM,
) -> float:
    """Irradiance (mW/cm²) on a flat detector ``distance_cm`` in front of the array's reference
    point, facing the LEDs (where a stated irradiance or a meter reading applies), averaged over
    the detector disc."""
    c = arr.reference_point_cm + distance_cm * arr.reference_direction
    pts = _detector_points(c, arr.reference_direction, detector_diameter_cm)
    nrm = np.repeat(-arr.reference_direction[None, :], pts.shape[0], axis=0)
    E = irradiance_from_leds(pts, nrm, arr.positions_cm, arr.directions, power_mw, m)
    return float(E.mean())


@lru_cache(maxsize=128)
def _unit_map(face: FaceSurface, arr: LedArray, m: float) -> FloatArray:
    """Irradiance on every patch for 1 mW per LED (cached per face, layout and exponent)."""
    E = irradiance_from_leds(face.centers_cm, face.normals, arr.positions_cm, arr.directions, 1.0, m)
    E.setflags(write=False)
    return E


def led_power_mw(
    device: DeviceSpec,
    channel: int | str = 0,
    scenario: str = "central",
    face: FaceSurface | None = None,
    region: str | None = None,
) -> float:
    """Radiant power per LED (mW) of a channel in a scenario.

    From the per-LED power, the total optical power / LED count, or calibrated so that the
    model reproduces a claimed irradiance at its stated distance (in front of the array's
    reference point: the forehead centre for a mask, the aperture centre otherwise).
    """
    _check_scenario(scenario)
    _, ch = _resolve_channel(device, channel)
    if ch.radiant_power_mw_per_led is not None:
        return ch.radiant_power_mw_per_led.pick(scenario)
    arr = led_array(device, channel, scenario, face, region)
    if ch.total_optical_power_mw is not None:
        return ch.total_optical_power_mw.pick(scenario) / arr.n
    claim = ch.claimed_irradiance
    assert claim is not None
    target = claim.irradiance_mw_cm2.pick(scenario)
    if claim.share is not None:
        target *= claim.share.pick(scenario)
    m = beam_exponent(device, scenario)
    kind: str = claim.kind
    if kind == "unknown":
        kind = {"low": "peak", "central": "reference_point", "high": "face_average"}[scenario]
    if kind in ("peak", "face_average") and claim.distance_cm is None:
        face = face or face_surface()
        u = unit_peak_valley(device, channel, scenario, face, region)
        e1 = u.peak_mw_cm2 if kind == "peak" else u.face_mean_mw_cm2
        if e1 <= 0:
            raise DeviceSpecError(
                f"{device.id}: channel {ch.name!r}: the claimed irradiance cannot be reproduced "
                "by the modelled LED array (no light reaches the face)"
            )
        return target / e1
    if claim.distance_cm is not None:
        d = claim.distance_cm.pick(scenario)
    else:  # stated at the skin: the reference point on the face at this scenario's standoff
        d = device.geometry.standoff_cm.pick(_OPPOSITE[scenario])
    e1 = irradiance_at_reference(arr, d, 1.0, m)
    if e1 <= 0:
        raise DeviceSpecError(
            f"{device.id}: channel {ch.name!r}: the claimed irradiance cannot be reproduced by "
            "the modelled LED array (no light reaches the reference point)"
        )
    return target / e1


def irradiance_map(
    device: DeviceSpec,
    face: FaceSurface | None = None,
    channel_index: int | str = 0,
    scenario: str = "central",
    region: str | None = None,
) -> FloatArray:
    """Irradiance (mW/cm²) on every face patch from one channel, in one scenario.

    ``region`` places a handheld device (default: its first treatment region); masks and panels
    ignore it.
    """
    face = face or face_surface()
    arr = led_array(device, channel_index, scenario, face, region)
    p = led_power_mw(device, channel_index, scenario, face, region)
    m = beam_exponent(device, scenario)
    return np.asarray(p * _unit_map(face, arr, m))


def treated_mask(
    device: DeviceSpec, face: FaceSurface | None = None, region: str | None = None
) -> NDArray[np.bool_]:
    """Patches counted as treated: the covered regions of a mask/panel, the footprint of a
    handheld."""
    return led_array(device, 0, "central", face, region).treated


def _provenance(device: DeviceSpec, ch: Channel) -> tuple[str, str]:
    parts = []
    confs = [device.geometry.standoff_cm.confidence, ch.led_count.confidence]
    parts.append(f"LEDs: {ch.led_count.describe()}")
    if ch.radiant_power_mw_per_led is not None:
        parts.append(f"power per LED: {ch.radiant_power_mw_per_led.describe('mW')}")
        parts.append(f"power source: {ch.radiant_power_mw_per_led.source}")
        confs.append(ch.radiant_power_mw_per_led.confidence)
    elif ch.total_optical_power_mw is not None:
        parts.append(f"total optical power: {ch.total_optical_power_mw.describe('mW')}")
        parts.append(f"power source: {ch.total_optical_power_mw.source}")
        confs.append(ch.total_optical_power_mw.confidence)
    else:
        c = ch.claimed_irradiance
        assert c is not None
        where = c.distance_cm.describe("cm") if c.distance_cm is not None else "the skin in use"
        parts.append(
            f"LED power calibrated to the stated {c.irradiance_mw_cm2.describe('mW/cm²')} at "
            f"{where} ({c.irradiance_mw_cm2.source})"
        )
        if c.share is not None:
            parts.append(f"share of that stated irradiance for this channel: {c.share.describe()}")
            confs.append(c.share.confidence)
        confs.append(c.irradiance_mw_cm2.confidence)
        if c.distance_cm is not None:
            confs.append(c.distance_cm.confidence)
    parts.append(f"standoff: {device.geometry.standoff_cm.describe('cm')}")
    b = device.beam
    if b.viewing_angle_deg is not None:
        parts.append(f"viewing angle: {b.viewing_angle_deg.describe('°')}")
        confs.append(b.viewing_angle_deg.confidence)
    elif b.cos_exponent_m is not None:
        parts.append(f"cos^m exponent: {b.cos_exponent_m.describe()}")
        confs.append(b.cos_exponent_m.confidence)
    parts.append(
        "model: photodose.device.irradiance (cos^m point sources, inverse square, incidence "
        "cosine, no occlusion) on the Farkas-based average face"
    )
    return "; ".join(parts), weakest_confidence(*confs)


def mean_irradiance(
    device: DeviceSpec,
    channel_index: int | str = 0,
    face: FaceSurface | None = None,
    region: str | None = None,
) -> Estimate:
    """Mean irradiance (mW/cm², area-weighted) over the treated face for one channel.

    Low / central / high come from the bounding scenarios (see module doc).
    """
    face = face or face_surface()
    _, ch = _resolve_channel(device, channel_index)
    treated = treated_mask(device, face, region)
    vals = {}
    for sc in SCENARIOS:
        E = irradiance_map(device, face, channel_index, sc, region)
        vals[sc] = _area_mean(face, E, treated)
    prov, conf = _provenance(device, ch)
    return Estimate.from_scenarios(
        vals["low"],
        vals["central"],
        vals["high"],
        "mW/cm2",
        f"{device.name}, {ch.name} {ch.peak_nm.pick():g} nm: {prov}",
        conf,
        {
            "device": device.id,
            "channel": ch.name,
            "treated_area_cm2": float(face.areas_cm2[treated].sum()),
        },
    )


@dataclass(frozen=True)
class ChannelIrradiance:
    """Irradiance of one channel over the face.

    ``mean`` is the treated-area mean as an Estimate; ``regions`` holds per-region statistics
    for the central scenario, and ``region_means`` each region's mean as an Estimate.
    """

    channel: str
    peak_nm: float
    mean: Estimate
    regions: dict[str, dict[str, float]]
    region_means: dict[str, Estimate]
    led_power_mw: dict[str, float]
    n_leds: dict[str, int]
    layout: str
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "peak_nm": self.peak_nm,
            "mean_irradiance_mw_cm2": self.mean.to_dict(),
            "regions_central": self.regions,
            "region_means_mw_cm2": {k: v.to_dict() for k, v in self.region_means.items()},
            "led_power_mw": self.led_power_mw,
            "n_leds": self.n_leds,
            "layout": self.layout,
            **({"peak_valley_mw_cm2": self.extra["peak_valley"]} if "peak_valley" in self.extra else {}),
        }


def evaluate_irradiance(
    device: DeviceSpec, face: FaceSurface | None = None, region: str | None = None
) -> list[ChannelIrradiance]:
    """Every channel's irradiance over the face: treated-area mean (Estimate) and per-region
    statistics. ``region`` places a handheld device."""
    face = face or face_surface()
    out = []
    treated = treated_mask(device, face, region)
    w = face.areas_cm2
    for i, ch in enumerate(device.channels):
        maps = {sc: irradiance_map(device, face, i, sc, region) for sc in SCENARIOS}

        prov, conf = _provenance(device, ch)
        label = f"{device.name}, {ch.name} {ch.peak_nm.pick():g} nm"
        mean = Estimate.from_scenarios(
            _area_mean(face, maps["low"], treated),
            _area_mean(face, maps["central"], treated),
            _area_mean(face, maps["high"], treated),
            unit="mW/cm2",
            provenance=f"{label}: {prov}",
            confidence=conf,
            details={
                "device": device.id,
                "channel": ch.name,
                "treated_area_cm2": float(w[treated].sum()),
            },
        )
        regs = region_stats(face, maps["central"], treated)
        region_means = {}
        for r in regs:
            m = face.region_mask(r) & treated
            region_means[r] = Estimate.from_scenarios(
                _area_mean(face, maps["low"], m),
                _area_mean(face, maps["central"], m),
                _area_mean(face, maps["high"], m),
                unit="mW/cm2",
                provenance=f"{label}, {r}: {prov}",
                confidence=conf,
            )
        arrs = {sc: led_array(device, i, sc, face, region) for sc in SCENARIOS}
        out.append(
            ChannelIrradiance(
                channel=ch.name,
                peak_nm=ch.peak_nm.pick(),
                mean=mean,
                regions=regs,
                region_means=region_means,
                led_power_mw={sc: led_power_mw(device, i, sc, face, region) for sc in SCENARIOS},
                n_leds={sc: arrs[sc].n for sc in SCENARIOS},
                layout=arrs["central"].description,
                extra={
                    "peak_valley": {
                        sc: peak_valley(device, i, sc, face, region).to_dict() for sc in SCENARIOS
                    }
                },
            )
        )
    return out


def irradiance_at_distance(
    device: DeviceSpec,
    channel_index: int | str,
    distance_cm: float,
    scenario: str = "central",
    face: FaceSurface | None = None,
) -> float:
    """Modelled irradiance (mW/cm²) on a flat receiver ``distance_cm`` in front of the device's
    reference point (mask: the forehead centre of the LED shell; handheld/panel: the aperture
    centre), facing the LEDs: where a meter would be held."""
    if distance_cm <= 0:
        raise ValueError("distance_cm must be > 0 (a meter cannot sit inside the LED)")
    face = face or face_surface()
    arr = led_array(device, channel_index, scenario, face)
    p = led_power_mw(device, channel_index, scenario, face)
    return irradiance_at_reference(arr, distance_cm, p, beam_exponent(device, scenario))


# --------------------------------------------------------------------------------------------
# peak over an LED and minimum between LEDs (the quantities a stated figure may really be)


@dataclass(frozen=True)
class PeakValley:
    """Irradiance (mW/cm²) at the skin directly under the LEDs and between them, one channel,
    one scenario.

    peak_mw_cm2 : the highest value at the foot of an LED (the skin point on its axis);
    over_led_median_mw_cm2 : the median over the LEDs' feet (a meter held over a typical LED);
    between_led_min_mw_cm2 : the lowest value among the skin points inside the array (closer to
    an LED foot than 0.6 × the LED spacing: the centres of the gaps, not the uncovered edges);
    face_mean_mw_cm2 : the treated-area mean, for comparison; spacing_cm : median distance
    between neighbouring LED feet.
    """

    peak_mw_cm2: float
    over_led_median_mw_cm2: float
    between_led_min_mw_cm2: float
    face_mean_mw_cm2: float
    spacing_cm: float
    led_power_mw: float

    def to_dict(self) -> dict[str, float]:
        return {
            "peak_mw_cm2": self.peak_mw_cm2,
            "over_led_median_mw_cm2": self.over_led_median_mw_cm2,
            "between_led_min_mw_cm2": self.between_led_min_mw_cm2,
            "face_mean_mw_cm2": self.face_mean_mw_cm2,
            "spacing_cm": self.spacing_cm,
            "led_power_mw": self.led_power_mw,
        }


def _led_feet(face: FaceSurface, arr: LedArray) -> NDArray[np.int64]:
    """For each LED, the treated patch on its axis (its foot): step from the LED along its axis
    by the distance to the nearest treated patch, then take the treated patch nearest to that
    point (nearest-neighbour queries on a k-d tree)."""
    from scipy.spatial import cKDTree

    cand = np.flatnonzero(arr.treated) if arr.treated.any() else np.arange(face.n_patches)
    tree = cKDTree(face.centers_cm[cand])
    r0, _ = tree.query(arr.positions_cm)
    probe = arr.positions_cm + np.asarray(r0)[:, None] * arr.directions
    _, idx = tree.query(probe)
    return np.asarray(cand[np.asarray(idx)], dtype=np.int64)


def unit_peak_valley(
    device: DeviceSpec,
    channel: int | str = 0,
    scenario: str = "central",
    face: FaceSurface | None = None,
    region: str | None = None,
) -> PeakValley:
    """Peak over an LED and minimum between LEDs for **1 mW per LED** (mW/cm² per mW).

    Computed with the same kernel as the face map (:func:`irradiance_from_leds`) at each LED's
    foot (the peak is sampled exactly there, not on the face grid) and on the face patches
    inside the array (see :class:`PeakValley`). Cached per device, channel, scenario and region.
    """
    face = face or face_surface()
    arr = led_array(device, channel, scenario, face, region)
    # the layouts are cached objects: channels sharing a layout share the result
    return _unit_peak_valley(face, arr, beam_exponent(device, scenario))


@lru_cache(maxsize=256)
def _unit_peak_valley(face: FaceSurface, arr: LedArray, m: float) -> PeakValley:
    feet = _led_feet(face, arr)
    # exact foot points: the projection of the patch centre onto the LED axis's closest approach
    E_feet = irradiance_from_leds(
        face.centers_cm[feet], face.normals[feet], arr.positions_cm, arr.directions, 1.0, m
    )
    # an LED directly above the skin: evaluate on its axis at the skin depth too (the patch
    # centre can be up to half a patch off-axis)
    along = np.einsum("nk,nk->n", face.centers_cm[feet] - arr.positions_cm, arr.directions)
    on_axis = arr.positions_cm + along[:, None] * arr.directions
    E_axis = irradiance_from_leds(on_axis, face.normals[feet], arr.positions_cm, arr.directions, 1.0, m)
    E_over = np.maximum(E_feet, E_axis)
    U = _unit_map(face, arr, m)
    fc = face.centers_cm[np.unique(feet)]
    treated = arr.treated
    valley = float(U[treated].min())
    spacing = float("nan")
    if fc.shape[0] >= 2:
        from scipy.spatial import cKDTree

        tree = cKDTree(fc)
        nearest, _ = tree.query(fc, k=2)  # column 0 is the foot itself
        spacing = float(np.median(nearest[:, 1]))
        dd, _ = tree.query(face.centers_cm[treated])
        inside = dd <= 0.6 * spacing
        if inside.any():
            valley = float(U[treated][inside].min())
    return PeakValley(
        # where several LEDs' beams overlap (the sides of the nose) the face can be brighter
        # than under any one LED: the peak is the larger of the two
        peak_mw_cm2=float(max(E_over.max(), U[treated].max() if treated.any() else 0.0)),
        over_led_median_mw_cm2=float(np.median(E_over)),
        between_led_min_mw_cm2=valley,
        face_mean_mw_cm2=_area_mean(face, np.asarray(U), treated),
        spacing_cm=spacing,
        led_power_mw=1.0,
    )


def peak_valley(
    device: DeviceSpec,
    channel: int | str = 0,
    scenario: str = "central",
    face: FaceSurface | None = None,
    region: str | None = None,
    led_power_mw_override: float | None = None,
) -> PeakValley:
    """Peak over an LED, between-LED minimum and face mean at the skin (mW/cm²) for one channel
    in one scenario, at the modelled LED power (or ``led_power_mw_override``, mW per LED).
    Cached per device, channel, scenario and region on the default face."""
    face = face or face_surface()
    key = None
    if led_power_mw_override is None and face is face_surface():
        # keyed by channel index, so a channel named here and numbered elsewhere is computed once
        key = (device.model_dump_json(), _resolve_channel(device, channel)[0], scenario, region)
        hit = _PV_CACHE.get(key)
        if hit is not None:
            return hit
    u = unit_peak_valley(device, channel, scenario, face, region)
    p = (
        led_power_mw(device, channel, scenario, face, region)
        if led_power_mw_override is None
        else float(led_power_mw_override)
    )
    pv = PeakValley(
        u.peak_mw_cm2 * p,
        u.over_led_median_mw_cm2 * p,
        u.between_led_min_mw_cm2 * p,
        u.face_mean_mw_cm2 * p,
        u.spacing_cm,
        p,
    )
    if key is not None:
        if len(_PV_CACHE) > 512:
            _PV_CACHE.clear()
        _PV_CACHE[key] = pv
    return pv


_PV_CACHE: dict[tuple[str, int | str, str, str | None], PeakValley] = {}


def peak_valley_entries(device: DeviceSpec) -> dict[tuple[int | str, str, str | None], PeakValley]:
    """The cached :func:`peak_valley` results of ``device`` (for a service to keep between runs)."""
    dev = device.model_dump_json()
    return {k[1:]: v for k, v in _PV_CACHE.items() if k[0] == dev}


def seed_peak_valley(
    device: DeviceSpec, entries: dict[tuple[int | str, str, str | None], PeakValley]
) -> None:
    """Put :func:`peak_valley` results computed earlier for ``device`` back in the cache."""
    dev = device.model_dump_json()
    for k, v in entries.items():
        _PV_CACHE[(dev, *k)] = v


def light_utilisation(
    device: DeviceSpec,
    channel: int | str = 0,
    scenario: str = "central",
    face: FaceSurface | None = None,
    region: str | None = None,
) -> float:
    """Fraction of the LEDs' emitted power that lands on the treated skin (0–1), from the model:

        η = Σ_treated E₁ · A_patch / (N · 1 mW)

    with E₁ the irradiance map for 1 mW per LED. A face-average irradiance E over a treated
    area A therefore needs ``E · A / η`` mW of light from the LEDs.
    """
    face = face or face_surface()
    arr = led_array(device, channel, scenario, face, region)
    U = _unit_map(face, arr, beam_exponent(device, scenario))
    t = arr.treated
    return float(min(1.0, (U[t] * face.areas_cm2[t]).sum() / arr.n))
