"""An average adult face surface, cut into small labelled patches.

The surface is parametric, built from published anthropometry (Farkas LG, *Anthropometry of the
Head and Face*, 2nd ed., Raven Press 1994, North American white norms; values and their
confidence in ``data/face/anthropometry.toml``). No scanned mesh is used: the only permissively
licensed canonical face mesh found (mediapipe's ``canonical_face_model.obj``, Apache-2.0) comes
with a ~260 MB dependency.

Construction (lengths in cm; x lateral, y up, z anterior; origin at the nasion on the base
surface):

* Base: at every height ``y`` the horizontal section is the front half of an ellipse with
  half-width ``a(y)`` (interpolated through the forehead, zygomatic, mandibular and chin widths)
  and depth semi-axis ``c(y) = k a(y)`` (``k`` derived from tragion–nasion depth), swept over the
  azimuth ``φ ∈ [-φ_max, φ_max]`` with ``sin φ_max`` = lateral coverage:
  ``x = a sin φ``, ``z = z₀(y) + c (cos φ − 1)``.
* Features added to ``z`` as smooth bumps: nose (ridge from nasion to pronasale, alae), brow
  ridge, eye sockets (with the globe), cheekbones, lips, mentolabial sulcus and chin.
* Patches: the quads of a regular (φ, y) grid; centre = mean of the 4 corners, normal = the
  normalised cross product of the diagonals (outward), area = half its length.
* Regions by the frontal position of the patch centre: nose, periorbital (an ellipse around each
  eye, eyelids to crow's feet), forehead (above the brows), perioral (an ellipse around the
  mouth), chin, jaw (lateral lower face) and cheeks (the rest).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from typing import Any

import numpy as np
from numpy.typing import NDArray

from photodose.device.regions import REGIONS

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class FaceSurface:
    """A face surface as patches.

    Attributes
    ----------
    centers_cm : (P, 3) patch centres, cm (x lateral, y up, z anterior; nasion at the origin).
    normals : (P, 3) outward unit normals.
    areas_cm2 : (P,) patch areas, cm².
    region_index : (P,) index into :attr:`region_names`.
    region_names : the region labels.
    landmarks_cm : named landmark positions (frontal x, y in cm) used to build the surface.
    source : text naming the data the surface was built from.
    """

    centers_cm: FloatArray
    normals: FloatArray
    areas_cm2: FloatArray
    region_index: NDArray[np.int64]
    region_names: tuple[str, ...] = REGIONS
    landmarks_cm: dict[str, tuple[float, float]] = field(default_factory=dict)
    source: str = ""

    @property
    def n_patches(self) -> int:
        return int(self.areas_cm2.shape[0])

    @property
    def total_area_cm2(self) -> float:
        return float(self.areas_cm2.sum())

    def region_mask(self, region: str) -> NDArray[np.bool_]:
        """Boolean mask of the patches in ``region`` (one of :data:`REGIONS`)."""
        if region not in self.region_names:
            raise ValueError(f"unknown face region {region!r}; choose one of {', '.join(self.region_names)}")
        return np.asarray(self.region_index == self.region_names.index(region))

    def regions_mask(self, regions: tuple[str, ...] | list[str]) -> NDArray[np.bool_]:
        m = np.zeros(self.n_patches, dtype=bool)
        for r in regions:
            m |= self.region_mask(r)
        return m

    def region_area_cm2(self, region: str) -> float:
        return float(self.areas_cm2[self.region_mask(region)].sum())

    def region_centroid(self, region: str) -> tuple[FloatArray, FloatArray]:
        """A point on the region near its area-weighted centroid, and the region's mean outward
        normal (unit). Paired regions (not crossing the midline) use one side only."""
        m = self.region_mask(region)
        x = self.centers_cm[:, 0]
        if (self.areas_cm2[m & (np.abs(x) < 0.5)].sum()) < 0.05 * self.areas_cm2[m].sum():
            m = m & (x > 0)  # a paired region (cheeks, eyes, jaw): one side, the subject's left
        w = self.areas_cm2[m]
        c = (self.centers_cm[m] * w[:, None]).sum(axis=0) / w.sum()
        n = (self.normals[m] * w[:, None]).sum(axis=0)
        # the centroid of a curved region lies behind the surface: put it on the nearest patch
        idx = np.flatnonzero(m)[np.argmin(np.linalg.norm(self.centers_cm[m] - c, axis=1))]
        return self.centers_cm[idx].copy(), n / np.linalg.norm(n)


def _load_anthropometry() -> dict[str, Any]:
    path = files("photodose") / "data" / "face" / "anthropometry.toml"
    with path.open("rb") as fh:
        return tomllib.load(fh)


def _gauss(u: FloatArray, s: float) -> FloatArray:
    return np.asarray(np.exp(-0.5 * (u / s) ** 2))


def _surface_z(
    x: FloatArray, y: FloatArray, base_z: FloatArray, L: dict[str, float], S: dict[str, float]
) -> FloatArray:
    """Add facial features (cm) to the base depth ``base_z`` at frontal positions (x, y)."""
    z = base_z.copy()
    ax = np.abs(x)
    y_sn, y_sto, y_gn = L["sn"], L["sto"], L["gn"]
    y_prn = y_sn + 0.8  # pronasale sits ~8 mm above subnasale in the frontal view
    # nose ridge: height and width along y (nasion → pronasale → subnasale)
    ys = np.array([0.8, 0.0, y_prn, y_sn - 0.1, y_sn - 0.6])
    hs = np.array([0.0, S["nose_root"], L["sn_prn"] + 0.3, 0.2, 0.0])
    ws = np.array([0.5, 0.55, L["al_al"] / 2 / 1.9, L["al_al"] / 2 / 1.6, 0.5])
    order = np.argsort(ys)
    h_nose = np.interp(y, ys[order], hs[order], left=0.0, right=0.0)
    w_nose = np.interp(y, ys[order], ws[order])
    z += h_nose * _gauss(x, 1.0) ** (1.0 / w_nose**2)
    # alae
    z += 0.5 * _gauss(ax - L["al_al"] / 2 + 0.35, 0.45) * _gauss(y - (y_sn + 0.4), 0.45)
    # brow ridge
    z += S["brow"] * _gauss(y - 1.2, 0.6) * np.exp(-((x / 4.5) ** 4))
    # eye sockets with the globe under the lids
    ex, ey = L["eye_x"], L["eye_y"]
    z -= S["eye_socket"] * _gauss(ax - ex, 1.5) * _gauss(y - ey, 1.0)
    z += 0.35 * _gauss(ax - ex, 0.8) * _gauss(y - ey, 0.55)
    # cheekbones
    z += S["cheekbone"] * _gauss(ax - 4.0, 1.4) * _gauss(y - (y_sn + 2.6), 1.3)
    # lips, mentolabial sulcus, chin
    z += S["lip"] * _gauss(x, L["ch_ch"] / 2 / 1.5) * _gauss(y - y_sto, 0.8)
    z -= 0.25 * _gauss(x, 1.8) * _gauss(y - (y_sto - 1.7), 0.45)
    z += S["chin"] * _gauss(x, 1.6) * _gauss(y - (y_gn + 1.4), 0.8)
    return z


def _label_regions(x: FloatArray, y: FloatArray, L: dict[str, float]) -> NDArray[np.int64]:
    ax = np.abs(x)
    idx = {r: i for i, r in enumerate(REGIONS)}
    lab = np.full(x.shape, idx["cheeks"], dtype=np.int64)
    y_sn, y_sto = L["sn"], L["sto"]
    jaw = (y < y_sto + 0.3) & (ax >= 2.4)
    lab[jaw] = idx["jaw"]
    chin = (y < y_sto - 1.3) & (ax < 2.4)
    lab[chin] = idx["chin"]
    perioral = (x / 3.6) ** 2 + ((y - (y_sto + 0.3)) / 2.1) ** 2 <= 1.0
    lab[perioral] = idx["perioral"]
    forehead = y > L["eye_y"] + 1.7
    lab[forehead] = idx["forehead"]
    periorbital = ((ax - L["eye_x"]) / 2.6) ** 2 + ((y - L["eye_y"]) / 1.7) ** 2 <= 1.0
    lab[periorbital] = idx["periorbital"]
    w_nose = np.interp(y, [y_sn, y_sn + 0.8, 0.0], [L["al_al"] / 2 + 0.2, L["al_al"] / 2, 0.6])
    nose = (y <= 0.2) & (y >= y_sn) & (ax <= w_nose)
    lab[nose] = idx["nose"]
    return lab


@lru_cache(maxsize=4)
def face_surface(n_phi: int = 64, n_y: int = 60) -> FaceSurface:
    """The average adult face as ``n_phi × n_y`` labelled patches (default 3840).

    Parameters
    ----------
    n_phi, n_y : grid size across (azimuth) and up the face.

    Returns
    -------
    FaceSurface with centres (cm), outward normals, areas (cm²) and region labels. The result is
    cached; treat its arrays as read-only.
    """
    if n_phi < 8 or n_y < 8:
        raise ValueError("face_surface needs n_phi >= 8 and n_y >= 8; use the defaults (64, 60)")
    data = _load_anthropometry()
    D = {k: float(v["value_mm"]) / 10.0 for k, v in data["dimensions"].items()}  # cm
    Sh = {k: float(v["value"]) for k, v in data["shape"].items()}
    L = {
        "tr": D["forehead_height_tr_n"],
        "sn": -D["nose_height_n_sn"],
        "sto": -D["nose_height_n_sn"] - D["upper_lip_height_sn_sto"],
        "gn": -D["face_height_n_gn"],
        "eye_x": D["intercanthal_width_en_en"] / 2 + D["eye_fissure_length_ex_en"] / 2,
        "eye_y": -Sh["eye_centre_below_nasion_mm"] / 10.0,
        "al_al": D["nose_width_al_al"],
        "sn_prn": D["nasal_tip_protrusion_sn_prn"],
        "ch_ch": D["mouth_width_ch_ch"],
    }
    S = {
        "nose_root": Sh["nose_root_height_mm"] / 10,
        "brow": Sh["brow_height_mm"] / 10,
        "eye_socket": Sh["eye_socket_depth_mm"] / 10,
        "cheekbone": Sh["cheekbone_height_mm"] / 10,
        "lip": Sh["lip_height_mm"] / 10,
        "chin": Sh["chin_height_mm"] / 10,
    }
    # half-width a(y) through the landmark widths
    y_w = np.array([L["gn"], L["gn"] + 1.2, L["sto"] - 1.5, L["sn"] + 2.6, 1.5, L["tr"]])
    a_w = np.array(
        [
            1.6,
            2.8,
            D["mandible_width_go_go"] / 2,
            D["face_width_zy_zy"] / 2,
            D["forehead_width_ft_ft"] / 2,
            D["forehead_width_ft_ft"] / 2 * 0.93,
        ]
    )
    k = Sh["depth_ratio"]
    phi_max = float(np.arcsin(Sh["lateral_coverage"]))
    phi = np.linspace(-phi_max, phi_max, n_phi + 1)
    yv = np.linspace(L["gn"], L["tr"], n_y + 1)
    P, Y = np.meshgrid(phi, yv, indexing="xy")  # (n_y+1, n_phi+1)
    a = np.interp(Y, y_w, a_w)
    X = a * np.sin(P)
    recess = Sh["forehead_recession_mm"] / 10 * np.clip((Y - 1.0) / (L["tr"] - 1.0), 0, None) ** 2
    chin_r = Sh["chin_rounding_mm"] / 10 * np.clip((L["gn"] + 1.2 - Y) / 1.2, 0, None) ** 2
    Zb = -recess - chin_r + k * a * (np.cos(P) - 1.0)
    Z = _surface_z(X, Y, Zb, L, S)
    V = np.stack([X, Y, Z], axis=-1)
    p00, p10 = V[:-1, :-1], V[:-1, 1:]
    p01, p11 = V[1:, :-1], V[1:, 1:]
    centers = 0.25 * (p00 + p10 + p01 + p11)
    cr = np.cross(p11 - p00, p01 - p10)  # diagonals: (+φ,+y) x (−φ,+y) points outward
    area = 0.5 * np.linalg.norm(cr, axis=-1)
    normals = cr / np.maximum(2 * area, 1e-300)[..., None]
    centers = centers.reshape(-1, 3)
    normals = normals.reshape(-1, 3)
    area = area.reshape(-1)
    labels = _label_regions(centers[:, 0], centers[:, 1], L)
    for arr in (centers, normals, area, labels):
        arr.setflags(write=False)
    landmarks = {
        "nasion": (0.0, 0.0),
        "trichion": (0.0, L["tr"]),
        "subnasale": (0.0, L["sn"]),
        "stomion": (0.0, L["sto"]),
        "gnathion": (0.0, L["gn"]),
        "eye_right": (-L["eye_x"], L["eye_y"]),
        "eye_left": (L["eye_x"], L["eye_y"]),
        "forehead_centre": (0.0, 0.5 * (L["tr"] + L["eye_y"] + 1.7)),
    }
    return FaceSurface(
        centers_cm=centers,
        normals=normals,
        areas_cm2=area,
        region_index=labels,
        landmarks_cm=landmarks,
        source=(
            "parametric average adult face from Farkas 1994 NAW anthropometric norms "
            "(data/face/anthropometry.toml; dimensions recalled, confidence unverified)"
        ),
    )


def patch_near(face: FaceSurface, x_cm: float, y_cm: float) -> int:
    """Index of the patch whose frontal position (x, y) is nearest to (x_cm, y_cm).

    Picks the most anterior candidate when several patches project close together.
    """
    d2 = (face.centers_cm[:, 0] - x_cm) ** 2 + (face.centers_cm[:, 1] - y_cm) ** 2
    return int(np.argmin(d2 - 1e-3 * face.centers_cm[:, 2]))
