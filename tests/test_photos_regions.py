"""Region geometry as properties: for any face size, position and head roll the regions are
disjoint, never touch the nose, follow the eyes, and scale with the face."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from photodose.photos.regions import NOSE_POLYGON_D, REGIONS, FaceGeometry, polygon_mask, region_masks

SHAPE = (900, 900)


def face(d: float, roll_deg: float, cx: float, cy: float) -> FaceGeometry:
    a = np.radians(roll_deg)
    dx, dy = 0.5 * d * np.cos(a), 0.5 * d * np.sin(a)
    box = (int(cx - 1.1 * d), int(cy - 0.8 * d), int(2.2 * d), int(2.2 * d))
    return FaceGeometry(box, (cx - dx, cy - dy), (cx + dx, cy + dy), True, 1)


faces = st.builds(
    face,
    st.floats(30, 200),
    st.floats(-25, 25),
    st.floats(400, 500),
    st.floats(400, 450),
)


@settings(max_examples=40, deadline=None)
@given(faces)
def test_regions_are_disjoint_and_avoid_the_nose(f: FaceGeometry) -> None:
    masks = region_masks(f, SHAPE)
    nose = polygon_mask(SHAPE, f.to_image(np.array(NOSE_POLYGON_D)))
    total = np.zeros(SHAPE, int)
    for name in REGIONS:
        assert masks[name].any(), name
        assert not (masks[name] & nose).any(), name
        total += masks[name]
    assert total.max() == 1


@settings(max_examples=40, deadline=None)
@given(faces)
def test_geometry_follows_the_eyes(f: FaceGeometry) -> None:
    assert abs(f.interocular_px - np.hypot(*np.subtract(f.right_eye, f.left_eye))) < 1e-9
    masks = region_masks(f, SHAPE)
    # in the face frame the forehead is above the eye line and the chin below it, whatever the roll
    a = np.radians(f.roll_deg)
    up = np.array([np.sin(a), -np.cos(a)])  # image direction of "up the face"
    mid = np.array(f.eye_midpoint)
    for name, sign in (("forehead", 1), ("chin", -1)):
        rows, cols = np.nonzero(masks[name])
        centre = np.array([cols.mean(), rows.mean()])
        assert sign * float((centre - mid) @ up) > 0.3 * f.interocular_px, name


def test_area_scales_with_the_square_of_the_face() -> None:
    small = region_masks(face(50, 0, 450, 420), SHAPE)
    big = region_masks(face(150, 0, 450, 420), SHAPE)
    for name in REGIONS:
        ratio = big[name].sum() / small[name].sum()
        assert 8.0 < ratio < 10.0, (name, ratio)  # 3² = 9, within rasterisation
