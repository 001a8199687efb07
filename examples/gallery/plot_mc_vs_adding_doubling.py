"""
# Monte Carlo vs adding-doubling

photodose's Monte Carlo engine and Prahl's adding-doubling method (`iadpython`) solve the same
transport equation in a slab by very different means, so agreement checks both. Here: a slab of
optical thickness b = μt·d = 2, anisotropy g = 0.75, index-matched (n = 1), under a normally
incident collimated beam, across albedo a = μs/μt. Error bars are ±2 standard errors of the
Monte Carlo estimate (batch spread); the test suite runs a wider grid (albedo, g, n, thickness)
and requires agreement within 4σ (`tests/test_transport_validation.py`).

References: Prahl SA (1995) The adding-doubling method, in Welch & van Gemert (eds.)
*Optical-Thermal Response of Laser-Irradiated Tissue*; Wang, Jacques & Zheng (1995) MCML.
"""

import iadpython as iad
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import photodose
from photodose.transport import Layer, LayerStack

G, B, D_CM = 0.75, 2.0, 0.1
albedos = np.array([0.1, 0.5, 0.8, 0.9, 0.95, 0.99])
mc_r, mc_r_se, mc_t, mc_t_se, ad_r, ad_t = [], [], [], [], [], []
for a in albedos:
    mut = B / D_CM
    stack = LayerStack([Layer(mut * (1 - a), mut * a, G, 1.0, D_CM)])
    res = photodose.transport.simulate(stack, 20_000, seed=7)
    mc_r.append(res.specular_reflectance + res.diffuse_reflectance)
    mc_r_se.append(res.diffuse_reflectance_se)
    mc_t.append(res.transmittance)
    mc_t_se.append(res.transmittance_se)
    s = iad.Sample(a=a, b=B, g=G, d=D_CM, n=1.0, quad_pts=16)
    ur1, ut1, _, _ = s.rt()
    ad_r.append(float(ur1))
    ad_t.append(float(ut1))
    print(f"a={a:4.2f}  R: MC {mc_r[-1]:.4f} ± {mc_r_se[-1]:.4f}, AD {ur1:.4f} | "
          f"T: MC {mc_t[-1]:.4f} ± {mc_t_se[-1]:.4f}, AD {ut1:.4f}")  # fmt: skip

fig, ax = plt.subplots(figsize=(6.5, 3.8))
ax.errorbar(albedos, mc_r, yerr=2 * np.array(mc_r_se), fmt="o", label="reflectance, Monte Carlo")
ax.plot(albedos, ad_r, "-", label="reflectance, adding-doubling")
ax.errorbar(albedos, mc_t, yerr=2 * np.array(mc_t_se), fmt="s", label="transmittance, Monte Carlo")
ax.plot(albedos, ad_t, "--", label="transmittance, adding-doubling")
ax.set_xlabel("albedo a = μs / (μa + μs)")
ax.set_ylabel("fraction of incident power")
ax.set_title(f"slab b = {B:g}, g = {G:g}, n = 1")
ax.legend(fontsize=8)
ax.grid(alpha=0.3)
fig.tight_layout()
plt.show()
