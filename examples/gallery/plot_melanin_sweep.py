"""
# A sweep over skin types

Skin types are steps on a continuum of epidermal melanin. This sweeps the melanosome volume
fraction of the living epidermis from 1 % to 45 % (a forehead, otherwise the central skin
model) and shows the fraction of the incident light absorbed in the dermis — where the
fibroblasts that make collagen live — for red (633 nm) and near-infrared (850 nm) light. The
markers show the central value photodose assumes for each Fitzpatrick type (an assumption with a
range, `data/optics/fitzpatrick_melanin.csv`).
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import photodose
from photodose.skin import fitzpatrick_melanin

PHOTONS = 3_000
fractions = np.array([0.01, 0.03, 0.06, 0.1, 0.15, 0.22, 0.3, 0.45])

fig, ax = plt.subplots(figsize=(6.5, 3.8))
for wavelength_nm, colour in ((633, "#c0392b"), (850, "#7d3c98")):
    dermis = []
    for f in fractions:
        skin = photodose.SkinProfile(site="forehead", melanosome_fraction=float(f))
        dermis.append(
            photodose.depth_profile(wavelength_nm, skin=skin, photons=PHOTONS).dermis_absorbed_fraction
        )
    ax.plot(fractions * 100, dermis, "-o", color=colour, label=f"{wavelength_nm} nm")
    print(f"{wavelength_nm} nm: dermis absorbs {dermis[0]:.1%} (1 % melanosomes) to {dermis[-1]:.1%} (45 %)")
for fitz, value in fitzpatrick_melanin().items():
    ax.axvline(value.value * 100, color="grey", lw=0.5)
    ax.text(value.value * 100, 0.02, f" {fitz}", fontsize=8, transform=ax.get_xaxis_transform())
ax.set_xscale("log")
ax.set_xlabel("melanosome volume fraction of the living epidermis [%]")
ax.set_title("grey lines: the central value of each Fitzpatrick type", fontsize=9)
ax.set_ylabel("fraction absorbed in the dermis")
ax.legend()
ax.grid(alpha=0.3)
fig.tight_layout()
plt.show()
