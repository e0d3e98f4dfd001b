"""Tests of image decoding and fps_pred frame sampling (Hume's face model)."""

from __future__ import annotations

import io
import itertools
import math

import av
import numpy as np
import pytest
from PIL import Image

from mockserver.media.errors import UnrecognisedMediaError
from mockserver.media.image import decode_image
from mockserver.media.probe import probe
from mockserver.media.video import VideoFrame, sample_frames
from mockserver.resources import fixture_path

MEDIA = fixture_path("media")


def _media(name: str) -> bytes:
    return (MEDIA / name).read_bytes()


def _encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **params)
    return buf.getvalue()


# ----------------------------------------------------------------------------------- images


@pytest.mark.parametrize("name", ["face.png", "face.jpg", "two_faces.png", "no_face.png"])
def test_decode_fixture_images(name: str) -> None:
    raw = _media(name)
    rgb = decode_image(raw)
    info = probe(raw)
    assert rgb.shape == (info.height, info.width, 3)
    assert rgb.dtype == np.uint8 and rgb.flags["C_CONTIGUOUS"]


def test_exif_orientation_is_applied() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    raw = _encode(Image.new("RGB", (60, 20), (255, 0, 0)), "JPEG", exif=exif)
    assert decode_image(raw).shape == (60, 20, 3)


def test_alpha_is_composited_onto_white() -> None:
    image = Image.new("RGBA", (4, 2), (0, 0, 0, 0))
    image.putpixel((1, 0), (0, 0, 0, 255))
    image.putpixel((2, 0), (0, 0, 0, 128))
    rgb = decode_image(_encode(image, "PNG"))
    assert rgb[0, 0].tolist() == [255, 255, 255]
    assert rgb[0, 1].tolist() == [0, 0, 0]
    assert 120 <= rgb[0, 2, 0] <= 135


def test_palette_transparency_is_composited_onto_white() -> None:
    image = Image.new("P", (3, 3), 0)
    image.putpalette([10, 20, 30, 200, 0, 0] + [0, 0, 0] * 254)
    image.putpixel((1, 1), 1)
    rgb = decode_image(_encode(image, "PNG", transparency=0))
    assert rgb[0, 0].tolist() == [255, 255, 255]
    assert rgb[1, 1].tolist() == [200, 0, 0]


def test_sixteen_bit_gray_is_scaled_to_eight_bits() -> None:
    image = Image.new("I;16", (2, 1), 65535)
    image.putpixel((1, 0), 32768)
    rgb = decode_image(_encode(image, "PNG"))
    assert rgb[0, 0].tolist() == [255, 255, 255]
    assert 126 <= rgb[0, 1, 0] <= 129


def test_grayscale_and_cmyk_become_rgb() -> None:
    assert decode_image(_encode(Image.new("L", (5, 4), 77), "PNG"))[0, 0].tolist() == [77] * 3
    cmyk = decode_image(_encode(Image.new("CMYK", (5, 4), (0, 0, 0, 0)), "JPEG"))
    assert cmyk.shape == (4, 5, 3) and cmyk.min() > 240


def test_ffmpeg_only_picture_formats_decode() -> None:
    raw = _encode(Image.new("RGB", (7, 5), (10, 20, 30)), "PPM")
    assert probe(raw).kind == "image"
    rgb = decode_image(raw)
    assert rgb.shape == (5, 7, 3) and rgb[0, 0].tolist() == [10, 20, 30]


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"not an image at all" * 10, id="text"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, id="png-signature-only"),
        pytest.param(b"", id="empty"),
    ],
)
def test_decode_image_rejects_garbage(raw: bytes) -> None:
    with pytest.raises(UnrecognisedMediaError):
        decode_image(raw)


def test_decode_image_rejects_truncated_jpeg() -> None:
    raw = _media("face.jpg")
    with pytest.raises(UnrecognisedMediaError):
        decode_image(raw[: len(raw) // 2])


# ----------------------------------------------------------------------------------- video


@pytest.fixture(scope="module")
def video_25fps_2s(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A 64x64, 25 fps, 2 s (50 frames) H.264 MP4 whose frame i has brightness 4 * i."""
    path = tmp_path_factory.mktemp("video") / "counter.mp4"
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for i in range(50):
            pixels = np.full((64, 64, 3), 4 * i, dtype=np.uint8)
            out.mux(stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")))
        out.mux(stream.encode(None))
    return path.read_bytes()


@pytest.mark.parametrize(
    ("fps_pred", "expected"),
    [(0.4, 1), (0.5, 1), (1.0, 2), (2.0, 4), (3.0, 6), (10.0, 20), (25.0, 50), (30.0, 50)],
)
def test_sample_counts(video_25fps_2s: bytes, fps_pred: float, expected: int) -> None:
    frames = sample_frames(video_25fps_2s, fps_pred=fps_pred)
    assert len(frames) == expected
    assert frames[0].index == 0 and frames[0].time_s == 0.0
    buckets = [math.floor(f.time_s * fps_pred + 1e-6) for f in frames]
    assert buckets == sorted(set(buckets))  # one kept frame per 1/fps_pred bucket


def test_sample_indices_times_and_pixels(video_25fps_2s: bytes) -> None:
    frames = sample_frames(video_25fps_2s, fps_pred=3.0)
    assert [f.index for f in frames] == [0, 9, 17, 25, 34, 42]
    for frame in frames:
        assert frame.time_s == pytest.approx(frame.index / 25, abs=1e-6)
        assert frame.rgb.shape == (64, 64, 3) and frame.rgb.dtype == np.uint8
        assert abs(float(frame.rgb.mean()) - 4 * frame.index) < 6  # it is really that frame


@pytest.mark.parametrize("fps_pred", [25.0, 1000.0, math.inf])
def test_sample_all_frames_when_faster_than_video(video_25fps_2s: bytes, fps_pred: float) -> None:
    frames = sample_frames(video_25fps_2s, fps_pred=fps_pred)
    assert [f.index for f in frames] == list(range(50))


def test_max_frames_caps_output(video_25fps_2s: bytes) -> None:
    assert len(sample_frames(video_25fps_2s, fps_pred=25.0, max_frames=7)) == 7


@pytest.mark.parametrize("fps_pred", [0.0, -1.0, math.nan])
def test_invalid_fps_pred(video_25fps_2s: bytes, fps_pred: float) -> None:
    with pytest.raises(ValueError, match="fps_pred"):
        sample_frames(video_25fps_2s, fps_pred=fps_pred)


@pytest.mark.parametrize(
    ("name", "fps_pred", "low", "high"),
    [
        ("face_speech.mp4", 3.0, 9, 10),
        ("face_speech.mp4", 1.0, 3, 4),
        ("face_silent.mp4", 3.0, 5, 7),
        ("video_long.mp4", 3.0, 17, 19),
        ("video_long.mp4", 0.5, 3, 3),
    ],
)
def test_sample_fixture_videos(name: str, fps_pred: float, low: int, high: int) -> None:
    frames = sample_frames(_media(name), fps_pred=fps_pred)
    assert low <= len(frames) <= high
    assert all(isinstance(f, VideoFrame) for f in frames)
    assert [f.index for f in frames] == sorted({f.index for f in frames})
    assert all(b.time_s > a.time_s for a, b in itertools.pairwise(frames))


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"garbage" * 100, id="garbage"),
        pytest.param(b"", id="empty"),
    ],
)
def test_sample_rejects_non_video(raw: bytes) -> None:
    with pytest.raises(UnrecognisedMediaError):
        sample_frames(raw, fps_pred=3.0)


def test_sample_rejects_audio_only() -> None:
    with pytest.raises(UnrecognisedMediaError, match="no video"):
        sample_frames(_media("speech_16k.wav"), fps_pred=3.0)
