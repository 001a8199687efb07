"""
# Comparing two masks

Two catalogued masks for the same person (Fitzpatrick III, forehead, 10-minute sessions): the
face-mean irradiance of each channel and the dose it gives in the dermis per session, each with
its low–central–high range. A wide bar means the maker does not publish the number and
photodose had to assume it; a narrow one rests on a published or measured value.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import photodose

cmp = photodose.compare(["higherdose-face-mask", "omnilux-contour-face"], minutes=10, photons=2_000)

fig, (ax_e, ax_h) = plt.subplots(1, 2, figsize=(9, 3.8))
labels, irr, dermis = [], [], []
for ev in cmp.evaluations:
    for dose in ev.doses:
        labels.append(f"{ev.device.name}\n{dose.channel} {dose.wavelength_nm:g} nm")
        irr.append(dose.irradiance_mw_cm2)
        dermis.append(dose.dermis_fluence_j_cm2)
        print(
            f"{ev.device.name}, {dose.channel}: {dose.irradiance_mw_cm2}; dermis {dose.dermis_fluence_j_cm2}"
        )
y = np.arange(len(labels))
for ax, ests, xlabel in (
    (ax_e, irr, "irradiance [mW/cm²]"),
    (ax_h, dermis, "dermis fluence per session [J/cm²]"),
):
    c = np.array([e.central for e in ests])
    lo = c - np.array([e.low for e in ests])
    hi = np.array([e.high for e in ests]) - c
    ax.barh(y, c, xerr=[lo, hi], color="#c0392b", alpha=0.8, capsize=4)
    ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", alpha=0.3)
ax_e.set_yticks(y, labels, fontsize=8)
ax_h.set_yticks(y, [""] * len(y))
fig.tight_layout()
plt.show()
