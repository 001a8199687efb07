"""
# Grading a product page

`photodose.grade_claims` finds the marketing claims in any text (plain or HTML) and grades
each: supported, partly supported, unsupported, misleading, contradicted or not checkable, each
with reasons and sources. The text below is a made-up page in the style of LED-mask marketing.
Pass `device="higherdose-face-mask"` to check dose and depth claims against that device's
computed numbers as well.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import photodose

PAGE = """
<h1>GlowPro LED Mask</h1>
<p>Our FDA approved mask uses clinically proven red light at 633 nm and near-infrared at 830 nm.
The light penetrates 10 mm deep into the skin to stimulate collagen and boost ATP in your
mitochondria. 95% of users saw fewer wrinkles in 4 weeks. Dermatologist recommended,
safe for all skin types, with no side effects. Clinic results at home!</p>
"""

report = photodose.grade_claims(PAGE)
for c in report.claims:
    print(f"{c.grade.value:>16}  {c.text!r}: {c.reasons[0] if c.reasons else ''}")

counts = {k: v for k, v in report.counts.items() if v}
fig, ax = plt.subplots(figsize=(7, 2.8))
ax.barh(list(counts), list(counts.values()), color="#7f8c8d")
ax.set_xlabel("claims")
ax.set_title(f"{report.total_claims} claims found and graded")
ax.invert_yaxis()
fig.tight_layout()
plt.show()
