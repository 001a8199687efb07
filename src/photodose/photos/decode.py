"""Safe decoding of a person's photo: checked bytes → metadata-free sRGB pixels → linear RGB.

A photo comes from outside and is treated as hostile until proven otherwise:

- size of the file (:data:`MAX_FILE_BYTES`) and of the image (:data:`MAX_PIXELS`, checked from the
  header before any pixel is decoded, with Pillow's ``Image.MAX_IMAGE_PIXELS`` decompression-bomb
  guard raised as an error as a second line);
- the type is read from the content (magic bytes), never from the file name; only JPEG, PNG and
  WebP are accepted;
- the container is walked to its end marker (JPEG EOI, PNG IEND, the RIFF length of WebP) and
  anything appended after it (a ZIP, a script — a polyglot) is refused;
- truncated or corrupt data is refused (``ImageFile.LOAD_TRUNCATED_IMAGES`` stays False);
- the EXIF orientation is applied, an embedded ICC profile converted to sRGB, and then every bit of
  metadata (EXIF with GPS location, XMP, IPTC, comments, the profile) is dropped: only pixels survive.

Linearisation is the sRGB transfer function (IEC 61966-2-1:1999) as implemented by
``colour-science`` (:func:`colour.cctf_decoding`).
"""

from __future__ import annotations

import hashlib
import io
import struct
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from photodose.errors import FieldError

#: Largest file accepted (bytes). A 48-megapixel phone JPEG is 10–25 MB.
MAX_FILE_BYTES = 60 * 1024 * 1024
#: Largest image accepted (pixels, width × height): a 48 MP phone sensor with margin.
MAX_PIXELS = 60_000_000
#: Smallest side accepted (pixels): below this no face region has enough pixels to measure.
MIN_SIDE_PX = 64
#: Longest side of the image the metrics are computed on (pixels); larger photos are reduced.
ANALYSIS_MAX_SIDE_PX = 2048
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")


class PhotoError(FieldError, ValueError):
    """A photo that cannot be used; ``field`` names what is wrong and ``fix`` what to do."""

    def __init__(self, field: str, message: str, fix: str = "export the photo again as JPEG or PNG") -> None:
        super().__init__(field, message, fix)


@dataclass(frozen=True)
class DecodedImage:
    """A decoded photo: full-resolution sRGB pixels (uint8) without metadata, and its identity.

    ``sha256`` is the hash of the pixels (size, then RGB bytes), so the same picture gives the same
    id whatever container or metadata it came in.
    """

    srgb_u8: NDArray[np.uint8]
    format: str
    sha256: str
    file_sha256: str
    stripped: tuple[str, ...] = field(default_factory=tuple)
    icc_converted: bool = False
    taken_at: str | None = None  # EXIF DateTimeOriginal as ISO text, read before the EXIF is dropped

    @property
    def width(self) -> int:
        return int(self.srgb_u8.shape[1])

    @property
    def height(self) -> int:
        return int(self.srgb_u8.shape[0])


def sniff_format(data: bytes) -> str | None:
    """The image format from the first bytes (magic numbers), or None."""
    if data[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _jpeg_end(data: bytes) -> int:
    """Offset just past the JPEG's EOI marker, walking segments and entropy-coded scans."""
    n = len(data)
    pos = 2
    while pos < n:
        if data[pos] != 0xFF:
            raise PhotoError(
                "IMAGE",
                "the JPEG structure is corrupt (no marker where one must be)",
                "export the photo again",
            )
        while pos < n and data[pos] == 0xFF:  # fill bytes
            pos += 1
        if pos >= n:
            break
        marker = data[pos]
        pos += 1
        if marker == 0xD9:  # EOI
            return int(pos)
        if marker in (0x01, *range(0xD0, 0xD8)):  # TEM, RSTn: no length
            continue
        if pos + 2 > n:
            break
        (length,) = struct.unpack(">H", data[pos : pos + 2])
        pos += length
        if marker == 0xDA:  # SOS: entropy-coded data up to the next non-RST marker
            while True:
                pos = data.find(b"\xff", pos, n - 1)
                if pos < 0:
                    pos = n
                    break  # the scan runs to the end of the file: truncated
                nxt = data[pos + 1]
                if nxt not in (0x00, 0xFF) and not 0xD0 <= nxt <= 0xD7:
                    break
                pos += 1
            if pos >= n:
                break
    raise PhotoError(
        "IMAGE", "the JPEG file is truncated (it ends before its end-of-image marker)", "export it again"
    )


def _png_end(data: bytes) -> int:
    """Offset just past the PNG's IEND chunk."""
    pos = 8
    n = len(data)
    while pos + 8 <= n:
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        ctype = data[pos + 4 : pos + 8]
        pos += 12 + length
        if ctype == b"IEND":
            if pos > n:
                break
            return int(pos)
    raise PhotoError("IMAGE", "the PNG file is truncated (no IEND chunk)", "export it again")


def _webp_end(data: bytes) -> int:
    size = int(struct.unpack("<I", data[4:8])[0])
    end = 8 + size + (size & 1)
    if end > len(data):
        raise PhotoError("IMAGE", "the WebP file is truncated", "export it again")
    return end


def container_end(data: bytes, fmt: str) -> int:
    """Offset where the image container of format ``fmt`` ends (bytes after it are not the image)."""
    return {"JPEG": _jpeg_end, "PNG": _png_end, "WEBP": _webp_end}[fmt](data)


def read_photo_file(path: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the photo at ``path`` after checks on the path itself (exists, regular file, size)."""
    try:
        exists = path.exists()
    except OSError as e:  # e.g. a name too long for the file system
        raise PhotoError(
            "IMAGE", f"the path cannot be used ({e.strerror or e})", "give a shorter path"
        ) from e
    if not exists:
        raise PhotoError(
            "IMAGE", f"{path.name!r} does not exist", "give the path of a JPEG, PNG or WebP photo"
        )
    if not path.is_file():
        raise PhotoError("IMAGE", f"{path.name!r} is not a regular file", "give the path of a photo file")
    size = path.stat().st_size
    if size == 0:
        raise PhotoError("IMAGE", f"{path.name!r} is empty", "give a photo file")
    if size > max_bytes:
        raise PhotoError(
            "IMAGE",
            f"{path.name!r} is {size / 2**20:.0f} MB; at most {max_bytes / 2**20:.0f} MB is accepted",
            "export the photo as a JPEG of at most 48 megapixels",
        )
    try:
        with path.open("rb") as fh:
            return fh.read(max_bytes + 1)
    except OSError as e:
        raise PhotoError(
            "IMAGE", f"{path.name!r} cannot be read ({e.strerror or e})", "check the file's permissions"
        ) from e


def decode_image(data: bytes, *, max_pixels: int = MAX_PIXELS) -> DecodedImage:
    """Check and decode photo bytes to metadata-free sRGB pixels (see the module docstring).

    Raises :class:`PhotoError` (field ``IMAGE``) naming the problem and the fix.
    """
    from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

    if len(data) == 0:
        raise PhotoError("IMAGE", "the file is empty", "give a photo file")
    if len(data) > MAX_FILE_BYTES:
        raise PhotoError(
            "IMAGE", "the file is too large", "export the photo as a JPEG of at most 48 megapixels"
        )
    fmt = sniff_format(data)
    if fmt is None:
        raise PhotoError(
            "IMAGE",
            "this is not a JPEG, PNG or WebP image (judged by its content, not its name)",
            "export the photo as JPEG or PNG (HEIC: convert it first)",
        )
    end = container_end(data, fmt)
    trailing = data[end:]
    if trailing.strip(b"\x00\xff\r\n"):
        raise PhotoError(
            "IMAGE",
            f"{len(trailing)} bytes follow the end of the {fmt} image (another file is appended: a polyglot)",
            "export the photo again from the camera or gallery app",
        )
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    previous_limit = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            try:
                with Image.open(io.BytesIO(data), formats=list(ACCEPTED_FORMATS)) as probe:
                    probe.verify()
                img: Any = Image.open(io.BytesIO(data), formats=list(ACCEPTED_FORMATS))
                w, h = img.size
                if w * h > max_pixels:
                    raise PhotoError(
                        "IMAGE",
                        f"the image is {w}×{h} = {w * h / 1e6:.0f} megapixels; at most "
                        f"{max_pixels / 1e6:.0f} MP is accepted (a decompression bomb or a scan)",
                        "resize it to at most 48 megapixels",
                    )
                if min(w, h) < MIN_SIDE_PX:
                    raise PhotoError(
                        "IMAGE",
                        f"the image is only {w}×{h} pixels",
                        "use the camera's full-resolution photo, not a thumbnail",
                    )
                img.load()
            except PhotoError:
                raise
            except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
                raise PhotoError(
                    "IMAGE",
                    f"the image declares more than {max_pixels / 1e6:.0f} megapixels: too large to decode "
                    "safely (a decompression bomb or a scan)",
                    "resize it to at most 48 megapixels",
                ) from e
            except (UnidentifiedImageError, SyntaxError, OSError, ValueError, EOFError, struct.error) as e:
                raise PhotoError(
                    "IMAGE",
                    f"the {fmt} data is corrupt or truncated ({type(e).__name__}: {str(e)[:120]})",
                    "export the photo again from the camera or gallery app",
                ) from e
    finally:
        Image.MAX_IMAGE_PIXELS = previous_limit

    taken_at = _exif_datetime(img)
    stripped = sorted(
        k for k in img.info if k not in ("dpi", "jfif", "jfif_version", "jfif_unit", "jfif_density")
    )
    if img.getexif():
        stripped.append("exif")
    icc = img.info.get("icc_profile")
    img = ImageOps.exif_transpose(img)
    if img.mode in ("1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F"):
        raise PhotoError(
            "IMAGE",
            f"the photo is greyscale (mode {img.mode}): redness and tone need colour",
            "use the colour photo from the camera",
        )
    if img.mode not in ("RGB", "RGBA", "P", "PA", "CMYK", "YCbCr"):
        raise PhotoError(
            "IMAGE", f"unsupported pixel mode {img.mode!r}", "export the photo as 8-bit RGB JPEG or PNG"
        )
    if img.mode == "CMYK" and not icc:
        raise PhotoError("IMAGE", "a CMYK image without a colour profile", "export it as RGB")
    icc_converted = False
    if icc and img.mode in ("RGB", "RGBA", "CMYK"):
        if img.mode == "RGBA":
            img = img.convert("RGB")
        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            dst = ImageCms.createProfile("sRGB")
            img = ImageCms.profileToProfile(img, src, dst, outputMode="RGB")
            icc_converted = True
        except (ImageCms.PyCMSError, OSError, ValueError) as e:
            raise PhotoError(
                "IMAGE", f"the embedded colour profile cannot be read ({e})", "export the photo as sRGB"
            ) from e
    rgb = np.array(img.convert("RGB"), dtype=np.uint8)  # a fresh array: no metadata can follow
    h, w = rgb.shape[:2]
    pix = hashlib.sha256(f"{w}x{h}:".encode() + rgb.tobytes()).hexdigest()
    return DecodedImage(
        srgb_u8=rgb,
        format=fmt,
        sha256=pix,
        file_sha256=hashlib.sha256(data).hexdigest(),
        stripped=tuple(dict.fromkeys(stripped)),
        icc_converted=icc_converted,
        taken_at=taken_at,
    )


def _exif_datetime(img: Any) -> str | None:
    """EXIF DateTimeOriginal (else DateTime) as ISO 8601 text, or None; nothing else is kept."""
    from datetime import datetime

    try:
        exif = img.getexif()
        raw = exif.get_ifd(0x8769).get(36867) or exif.get(306)
        if not raw:
            return None
        return datetime.strptime(str(raw).strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S").isoformat()
    except (ValueError, TypeError, KeyError, OSError):
        return None


def encode_png(srgb_u8: NDArray[np.uint8]) -> bytes:
    """Lossless PNG of the pixels and nothing else (no text chunks, no profile, no EXIF)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(srgb_u8, mode="RGB").save(buf, format="PNG", optimize=False, compress_level=3)
    return buf.getvalue()


def srgb_to_linear(srgb: NDArray[Any]) -> NDArray[np.float64]:
    """Linear RGB (0–1) from sRGB-encoded values (uint8 0–255 or float 0–1).

    Equation (IEC 61966-2-1): V ≤ 0.04045 → V/12.92, else ((V + 0.055)/1.055)^2.4.
    """
    import colour

    v = np.asarray(srgb)
    if v.dtype == np.uint8:  # 256 possible values: decode them once and look up (same numbers, faster)
        lut = np.asarray(colour.cctf_decoding(np.arange(256) / 255.0, function="sRGB"), dtype=np.float64)
        return np.asarray(lut[v], dtype=np.float64)
    return np.asarray(colour.cctf_decoding(v.astype(np.float64), function="sRGB"), dtype=np.float64)


def linear_to_srgb(linear: NDArray[Any]) -> NDArray[np.float64]:
    """sRGB-encoded values (0–1) from linear RGB (the inverse of :func:`srgb_to_linear`)."""
    import colour

    x = np.clip(np.asarray(linear, dtype=np.float64), 0.0, 1.0)
    return np.asarray(colour.cctf_encoding(x, function="sRGB"), dtype=np.float64)


def analysis_image(srgb_u8: NDArray[np.uint8], max_side_px: int = ANALYSIS_MAX_SIDE_PX) -> NDArray[np.uint8]:
    """The pixels the metrics use: reduced by an integer box factor so the longest side ≤ ``max_side_px``.

    The box average is taken on encoded values (Pillow ``Image.reduce``); on skin, whose values vary
    little within a box, the bias in mean linear value is well under 1 %.
    """
    from PIL import Image

    h, w = srgb_u8.shape[:2]
    factor = int(np.ceil(max(h, w) / max_side_px))
    if factor <= 1:
        return srgb_u8
    return np.array(Image.fromarray(srgb_u8, mode="RGB").reduce(factor), dtype=np.uint8)
