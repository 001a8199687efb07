"""
# A depth profile from an MCML .mci file

photodose reads MCML input files (Wang, Jacques & Zheng 1995), so a published case runs as it
is. `examples/mcml_3layer.mci` is the three-layer case of the MCML manual; here it runs with
fewer photons than the file asks for (a quick look) on its own depth grid, and the absorbed
power per unit depth A(z) and the fluence Φ(z) are plotted with the layer boundaries. The same
from the command line: `photodose transport examples/mcml_3layer.mci --photons 20000
--fluence-csv phi.csv`.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import photodose
from photodose.stackfile import read_stack_file

# the gallery runs each script in its own folder, without __file__
here = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
spec = read_stack_file(here.parent / "mcml_3layer.mci")
print(f"file asks for {spec.photons} photons; running 20 000")
res = photodose.transport.simulate(spec.stack, 20_000, seed=1, depth_grid=spec.depth_grid)
print(f"specular {res.specular_reflectance:.4f}, diffuse reflectance {res.diffuse_reflectance:.4f} "
      f"± {res.diffuse_reflectance_se:.4f}, transmittance {res.transmittance:.4f}")  # fmt: skip
print("absorbed per layer:", ", ".join(f"{a:.4f}" for a in res.absorbed_by_layer))

z = res.depth_grid.centers_cm if res.depth_grid is not None else None
fig, ax = plt.subplots(figsize=(6.5, 3.8))
ax.plot(z, res.fluence_per_irradiance, label="Φ(z) per unit irradiance")
ax.plot(z, res.absorption_per_cm, label="A(z) [1/cm]")
for b in spec.stack.boundaries_cm[1:-1]:
    ax.axvline(b, color="grey", ls=":")
ax.set_xlabel("depth z [cm]")
ax.set_yscale("log")
ax.legend()
ax.grid(alpha=0.3)
fig.tight_layout()
plt.show()
