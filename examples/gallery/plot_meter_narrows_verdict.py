"""
# A meter reading narrowing a verdict

When a maker publishes no light output, photodose assumes it with a wide range, and the dose
per session spans an order of magnitude or more: the verdict against the trials' dose window is
then *uncertain*. A reading from your own irradiance meter replaces the assumption.

Here: the HigherDOSE mask's red channel modelled alone, then with a reading of 120 W/m²
(= 12 mW/cm²; 1 W/m² = 0.1 mW/cm²) taken 1 cm from the LEDs with a meter photodose knows
nothing about (kept with a ×0.33–×1.5 range). The reading is hypothetical: use your own.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import photodose

kw = {"minutes": 10, "photons": 4_000, "grade_device_claims": False}
runs = {
    "model only": photodose.evaluate("higherdose-face-mask", **kw),
    "with a meter reading": photodose.evaluate("higherdose-face-mask", meter=(120, "W/m2", 1.0), **kw),
}

fig, ax = plt.subplots(figsize=(8, 2.8))
window = None
for y, (label, ev) in enumerate(runs.items()):
    red = ev.doses[0]
    h = red.surface_fluence_j_cm2
    ax.plot([h.low, h.high], [y, y], lw=6, color="#c0392b", alpha=0.6, solid_capstyle="butt")
    ax.plot(h.central, y, "o", color="black")
    v = next(v for v in ev.verdicts if v.indication == "photoaging" and v.band == "red")
    window = v.window
    print(f"{label}: {h} per session -> photoaging (red): {v.verdict}{' (uncertain)' if v.uncertain else ''}")
if window is not None and window.fluence_j_cm2 is not None:
    ax.axvspan(window.fluence_j_cm2.min, window.fluence_j_cm2.max, color="#27ae60", alpha=0.25,
               label="dose per session in the controlled trials (photoaging, red)")  # fmt: skip
    ax.legend(loc="upper left", fontsize=8)
ax.set_yticks(range(len(runs)), list(runs))
ax.set_xscale("log")
ax.set_ylim(-0.6, len(runs) + 0.2)
ax.set_xlabel("red dose at the skin surface per 10-minute session [J/cm²]")
fig.tight_layout()
plt.show()
