"""Progress you can measure from a person's own photos.

Pure metric functions in the style of pvlib, one concept per module:

- :mod:`~photodose.photos.decode` — bytes → checked, metadata-free linear sRGB (Pillow, bomb guard)
- :mod:`~photodose.photos.landmarks` — MediaPipe Face Mesh landmarks (offline), head yaw, and the
  skin regions as polygons through canonical face-mesh indices
- :mod:`~photodose.photos.regions` — the face to measure and its regions (forehead, cheeks,
  periorbital, chin; the nose excluded): the face mesh, else OpenCV Haar cascades and proportions
- :mod:`~photodose.photos.dates` — the one check of the day a photo was taken (CLI, web, EXIF)
- :mod:`~photodose.photos.colour_correction` — ColorChecker correction (``colour-checker-detection``)
  or a weaker shades-of-grey white balance
- :mod:`~photodose.photos.metrics` — float CIELAB, ITA°, erythema and melanin indices, evenness, texture
- :mod:`~photodose.photos.quality` — blur, exposure, face size, pose and lighting gates
- :mod:`~photodose.photos.trends` — slope with a confidence interval against same-day repeat noise
- :mod:`~photodose.photos.analyse` — the chain for one photo; :mod:`~photodose.photos.store` keeps
  the content-addressed copies and the metrics

The heavy dependencies (Pillow, OpenCV, colour-science, colour-checker-detection, scikit-image)
come with the ``[photos]`` extra, MediaPipe with ``pip install --no-deps mediapipe==0.10.21``
(``make venv``); all are imported inside functions.
"""

from photodose.photos.decode import PhotoError

__all__ = ["PhotoError"]
