"""
# A mask's face map

The irradiance (mW/cm²) a catalogued mask gives on each patch of an average adult face, for each
of its LED channels, from the LED geometry in its device file (positions, count, beam angle,
distance; values nobody publishes are assumptions with ranges). Shown: the central scenario;
the report and `photodose evaluate` carry the low and high scenarios too.

The face is 3840 labelled patches built from anthropometric means (Farkas 1994 via
`data/face/`); the eye region gets its own statistics because the near-infrared there matters
for safety (see the user guide, *Safety first*).
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import matplotlib.tri as mtri
import numpy as np

import photodose
from photodose.device import face_surface, irradiance_map

spec = photodose.load_device("higherdose-face-mask")
face = face_surface()
xy = face.centers_cm
tri = mtri.Triangulation(xy[:, 0], xy[:, 1])

fig, axes = plt.subplots(1, len(spec.channels), figsize=(4.2 * len(spec.channels), 4.6))
for ax, (i, channel) in zip(np.atleast_1d(axes), enumerate(spec.channels), strict=True):
    e_mw_cm2 = irradiance_map(spec, face, i, "central")
    tpc = ax.tripcolor(tri, e_mw_cm2, cmap="inferno", shading="gouraud")
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"{channel.name}, {channel.peak_nm.pick():g} nm")
    fig.colorbar(tpc, ax=ax, shrink=0.8, label="irradiance [mW/cm²]")
    eyes = face.region_mask("periorbital")
    print(
        f"{channel.name}: face mean {np.average(e_mw_cm2, weights=face.areas_cm2):.2f} mW/cm², "
        f"eye region mean {np.average(e_mw_cm2[eyes], weights=face.areas_cm2[eyes]):.2f} mW/cm²"
    )
fig.suptitle(spec.name)
fig.tight_layout()
plt.show()
