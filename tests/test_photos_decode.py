"""Decoding a person's photo: real images decode; corrupt, truncated, huge, non-image and hostile
files are refused with a clear error (and, through the CLI, nothing is stored)."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from skimage import data as skdata

from photodose.photos.decode import (
    PhotoError,
    analysis_image,
    decode_image,
    encode_png,
    linear_to_srgb,
    sniff_format,
    srgb_to_linear,
)


def jpeg_bytes(arr: np.ndarray, **kw: object) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "JPEG", quality=92, **kw)
    return buf.getvalue()


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Model X"
    exif[0x0132] = "2026:11:02 08:30:00"
    gps = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)}
    exif[0x8825] = gps
    return exif


def test_real_photo_decodes_with_pixels_intact() -> None:
    arr = skdata.astronaut()
    png = io.BytesIO()
    Image.fromarray(arr).save(png, "PNG")
    dec = decode_image(png.getvalue())
    assert dec.format == "PNG"
    assert (dec.srgb_u8 == arr).all()  # lossless in, identical pixels out
    assert len(dec.sha256) == 64


def test_metadata_is_stripped_but_date_kept() -> None:
    data = jpeg_bytes(skdata.astronaut(), exif=gps_exif())
    assert b"PhoneMaker" in data
    dec = decode_image(data)
    assert "exif" in dec.stripped
    assert dec.taken_at == "2026-11-02T08:30:00"
    out = encode_png(dec.srgb_u8)
    assert b"PhoneMaker" not in out and b"Exif" not in out and b"eXIf" not in out
    with Image.open(io.BytesIO(out)) as im:
        assert not im.getexif()
        assert "icc_profile" not in im.info and "exif" not in im.info


def test_same_pixels_same_id_whatever_the_metadata() -> None:
    arr = skdata.astronaut()
    a = decode_image(encode_png(arr))
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "PNG", pnginfo=_pnginfo("Comment", "hello"))
    b = decode_image(buf.getvalue())
    assert a.sha256 == b.sha256 and a.file_sha256 != b.file_sha256


def _pnginfo(key: str, value: str) -> object:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text(key, value)
    return info


def test_exif_orientation_is_applied() -> None:
    arr = skdata.astronaut()[:, :300]  # 512 tall, 300 wide
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    dec = decode_image(jpeg_bytes(arr, exif=exif))
    assert dec.srgb_u8.shape[:2] == (300, 512)


@pytest.mark.parametrize(
    ("payload", "needle"),
    [
        (b"", "empty"),
        (b"hello, this is text\n" * 50, "not a JPEG"),
        (b"%PDF-1.7\n" + b"0" * 2000, "not a JPEG"),
        (b"<html><script>alert(1)</script></html>" * 20, "not a JPEG"),
        (b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8, "JPEG"),  # a JPEG header, then garbage
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "PNG"),
    ],
)
def test_non_images_and_corrupt_files_are_refused(payload: bytes, needle: str) -> None:
    with pytest.raises(PhotoError) as e:
        decode_image(payload)
    assert e.value.field == "IMAGE"
    assert needle in e.value.message
    assert e.value.fix or "empty" in e.value.message


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_truncated_files_are_refused(fmt: str) -> None:
    buf = io.BytesIO()
    Image.fromarray(skdata.astronaut()).save(buf, fmt)
    data = buf.getvalue()
    with pytest.raises(PhotoError, match=r"truncated|corrupt"):
        decode_image(data[: len(data) * 2 // 3])


def test_polyglot_with_appended_zip_is_refused() -> None:
    z = io.BytesIO()
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("payload.sh", "rm -rf ~\n")
    data = jpeg_bytes(skdata.astronaut()) + z.getvalue()
    with Image.open(io.BytesIO(data)) as im:  # Pillow alone would happily decode it
        im.load()
    with pytest.raises(PhotoError, match="polyglot"):
        decode_image(data)


def test_decompression_bomb_is_refused_before_decoding() -> None:
    buf = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(buf, "PNG")  # 144 MP of zeros in a few hundred kB
    data = buf.getvalue()
    assert len(data) < 2_000_000
    with pytest.raises(PhotoError, match="megapixels"):
        decode_image(data)
    prev = Image.MAX_IMAGE_PIXELS
    decode_image(encode_png(skdata.astronaut()))
    assert prev == Image.MAX_IMAGE_PIXELS  # the guard is restored


def test_thumbnail_is_refused() -> None:
    with pytest.raises(PhotoError, match="only 40×40") as e:
        decode_image(encode_png(np.zeros((40, 40, 3), np.uint8)))
    assert "thumbnail" in e.value.fix


def test_sniff_by_content_not_name() -> None:
    assert sniff_format(jpeg_bytes(skdata.astronaut())) == "JPEG"
    assert sniff_format(b"GIF89a....") is None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4000), st.integers(0, 3))
def test_any_bytes_give_an_image_or_a_photo_error(blob: bytes, prefix: int) -> None:
    """Fuzz: random bytes behind each accepted magic number never escape as another exception."""
    head = [b"", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF\x10\x00\x00\x00WEBP"][prefix]
    try:
        dec = decode_image(head + blob)
    except PhotoError as e:
        assert e.field == "IMAGE" and e.message
    else:
        assert dec.srgb_u8.ndim == 3


_SMALL_JPEG = jpeg_bytes(skdata.astronaut()[::4, ::4])


@settings(max_examples=60, deadline=None)
@given(st.integers(0, len(_SMALL_JPEG) - 1), st.integers(0, 255), st.integers(0, len(_SMALL_JPEG)))
def test_mutated_jpeg_gives_an_image_or_a_photo_error(pos: int, byte: int, cut: int) -> None:
    data = bytearray(_SMALL_JPEG[:cut] if cut > 3 else _SMALL_JPEG)
    data[min(pos, len(data) - 1)] = byte
    try:
        decode_image(bytes(data))
    except PhotoError as e:
        assert e.field == "IMAGE"


def test_srgb_transfer_function_matches_iec_61966_2_1() -> None:
    # Published sRGB points: code 0.5 → 0.2140 linear; 0.04045 is the junction (→ 0.0031308).
    assert srgb_to_linear(np.array([0.5]))[0] == pytest.approx(0.21404, abs=2e-5)
    assert srgb_to_linear(np.array([0.04045]))[0] == pytest.approx(0.0031308, abs=1e-6)
    x = np.linspace(0, 1, 101)
    assert np.allclose(linear_to_srgb(srgb_to_linear(x)), x, atol=1e-9)


def test_analysis_image_reduces_large_photos() -> None:
    big = np.zeros((3000, 4000, 3), np.uint8)
    small = analysis_image(big, max_side_px=2048)
    assert max(small.shape[:2]) <= 2048 and small.shape[0] == 1500


def test_greyscale_photo_is_refused() -> None:
    grey = np.asarray(skdata.astronaut()).mean(axis=2).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(grey).save(buf, "PNG")
    with pytest.raises(PhotoError, match="greyscale"):
        decode_image(buf.getvalue())


def test_embedded_icc_profile_is_applied_then_dropped() -> None:
    from PIL import ImageCms

    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    arr = np.asarray(skdata.astronaut())
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "PNG", icc_profile=icc)
    dec = decode_image(buf.getvalue())
    assert dec.icc_converted and "icc_profile" in dec.stripped
    assert np.abs(dec.srgb_u8.astype(int) - arr).mean() < 1.0  # sRGB → sRGB: (nearly) unchanged
    assert b"acsp" not in encode_png(dec.srgb_u8)  # no profile in the stored copy
