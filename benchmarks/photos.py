"""Benchmark progress-photo analysis: seconds per photo and peak memory, by photo size.

Usage::

    python benchmarks/photos.py [--sizes 0.26,3,12] [--repeats 3] [--detectors mediapipe,haar]

Each size × face detector runs in a fresh subprocess (so its peak resident memory is its own):
``mediapipe`` (Face Mesh landmarks, the default when installed) and ``haar`` (OpenCV cascades and
average proportions, the fallback). scikit-image's
``astronaut()`` resized to the target megapixels (4:3 crop, Lanczos), saved as a JPEG (quality 92)
and taken through the steps of ``photodose photo add``: decode (checks, EXIF, metadata strip),
analyse (face, regions, ColorChecker search, white balance, metrics, quality gates) and the
lossless PNG copy. Writes ``benchmarks/results/photos.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "photos.json"


def one_size(megapixels: float, repeats: int, detector: str = "mediapipe") -> dict[str, Any]:
    """Time the steps on one photo size with one face detector (runs in the child process)."""
    import io
    import resource

    import numpy as np
    from PIL import Image
    from skimage import data as skdata

    from photodose.photos.analyse import analyse_photo
    from photodose.photos.decode import decode_image, encode_png

    base = Image.fromarray(np.asarray(skdata.astronaut())[64:448, :])  # 512 × 384, 4:3
    w = round((megapixels * 1e6 * 4 / 3) ** 0.5)
    h = round(w * 3 / 4)
    img = base.resize((w, h), Image.Resampling.LANCZOS) if (w, h) != base.size else base
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=92)
    data = buf.getvalue()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    analyse_photo(decode_image(data), detector=detector)  # warm: imports, cascade/model loading
    times: dict[str, list[float]] = {"decode_s": [], "analyse_s": [], "png_copy_s": [], "total_s": []}
    for _ in range(repeats):
        t0 = time.perf_counter()
        dec = decode_image(data)
        t1 = time.perf_counter()
        res = analyse_photo(dec, detector=detector)
        t2 = time.perf_counter()
        encode_png(dec.srgb_u8)
        t3 = time.perf_counter()
        for k, v in zip(times, (t1 - t0, t2 - t1, t3 - t2, t3 - t0), strict=True):
            v_list = times[k]
            v_list.append(v)
    return {
        "detector": res.face.detector,
        "megapixels": round(w * h / 1e6, 2),
        "width": w,
        "height": h,
        "jpeg_bytes": len(data),
        "analysis_size": list(res.analysis_size),
        "quality": res.quality.status,
        "correction": res.correction.method,
        "median": {k: float(np.median(v)) for k, v in times.items()},
        "min": {k: float(np.min(v)) for k, v in times.items()},
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_before_mib": rss_before / 1024,
        "repeats": repeats,
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="0.2,3,12", help="photo sizes in megapixels, comma-separated")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--detectors", default="mediapipe,haar", help="face detectors, comma-separated")
    ap.add_argument("--child", type=float, help=argparse.SUPPRESS)
    ap.add_argument("--detector", default="mediapipe", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child is not None:
        print(json.dumps(one_size(args.child, args.repeats, args.detector)))
        return
    rows = []
    load_start = list(os.getloadavg())
    cases = [(float(s), d) for d in args.detectors.split(",") for s in args.sizes.split(",")]
    for mp, detector in cases:
        child = ["--child", str(mp), "--repeats", str(args.repeats), "--detector", detector]
        proc = subprocess.run(
            [sys.executable, __file__, *child],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "2")},
        )
        row = json.loads(proc.stdout.strip().splitlines()[-1])
        rows.append(row)
        med = row["median"]
        print(
            f"{row['detector']:>18} {row['megapixels']:6.2f} MP: decode {med['decode_s']:.2f} s, "
            f"analyse {med['analyse_s']:.2f} s, "
            f"PNG copy {med['png_copy_s']:.2f} s, total {med['total_s']:.2f} s; "
            f"peak RSS {row['peak_rss_mib']:.0f} MiB"
        )
    out = {
        "benchmark": "photos",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "note": "the machine is shared with other work; medians of the repeats",
        "load_average_1_5_15_min_at_start": load_start,
        "load_average_1_5_15_min_at_end": list(os.getloadavg()),
        "rows": rows,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
