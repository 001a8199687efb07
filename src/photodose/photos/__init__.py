"""Progress you can measure from a person's own photos.

Pure metric functions in the style of pvlib, one concept per module:

- :mod:`~photodose.photos.decode` — bytes → checked, metadata-free linear sRGB (Pillow, bomb guard)
- :mod:`~photodose.photos.regions` — face, eyes and the skin regions (forehead, cheeks,
  periorbital, chin; the nose excluded) — OpenCV Haar cascades
- :mod:`~photodose.photos.colour_correction` — ColorChecker correction (``colour-checker-detection``)
  or a weaker shades-of-grey white balance
- :mod:`~photodose.photos.metrics` — float CIELAB, ITA°, erythema and melanin indices, evenness, texture
- :mod:`~photodose.photos.quality` — blur, exposure, face size, pose and lighting gates
- :mod:`~photodose.photos.trends` — slope with a confidence interval against same-day repeat noise
- :mod:`~photodose.photos.analyse` — the chain for one photo; :mod:`~photodose.photos.store` keeps
  the content-addressed copies and the metrics

The heavy dependencies (Pillow, OpenCV, colour-science, colour-checker-detection, scikit-image)
come with the ``[photos]`` extra and are imported inside functions.
"""

from photodose.photos.decode import PhotoError

__all__ = ["PhotoError"]
