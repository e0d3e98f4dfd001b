"""Tests of media probing: detected file types and E0200 rejections (Hume's file types, E0200)."""

from __future__ import annotations

import io
import random
import struct
import warnings
import zlib
from pathlib import Path

import av
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from mockserver.media.errors import MediaError, UnrecognisedMediaError
from mockserver.media.probe import MediaInfo, probe
from mockserver.resources import fixture_path

MEDIA = fixture_path("media")
MP4 = "mov,mp4,m4a,3gp,3g2,mj2"


def _media(name: str) -> bytes:
    return (MEDIA / name).read_bytes()


def _png_header_only(width: int, height: int) -> bytes:
    """A structurally valid PNG of any size with a tiny (never decoded) IDAT."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00"))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("name", "kind", "container", "has_audio", "has_video"),
    [
        ("face.png", "image", "png", False, False),
        ("face.jpg", "image", "jpeg", False, False),
        ("two_faces.png", "image", "png", False, False),
        ("no_face.png", "image", "png", False, False),
        ("speech_16k.wav", "audio", "wav", True, False),
        ("silence_16k.wav", "audio", "wav", True, False),
        ("speech.mp3", "audio", "mp3", True, False),
        ("speech.webm", "audio", "matroska,webm", True, False),
        ("face_speech.mp4", "video", MP4, True, True),
        ("face_silent.mp4", "video_no_audio", MP4, False, True),
        ("video_long.mp4", "video_no_audio", MP4, False, True),
    ],
)
def test_fixture_kinds(
    name: str, kind: str, container: str, has_audio: bool, has_video: bool
) -> None:
    info = probe(_media(name))
    assert (info.kind, info.container, info.has_audio, info.has_video) == (
        kind,
        container,
        has_audio,
        has_video,
    )
    if kind == "image":
        assert info.duration_s is None
        assert (info.width, info.height) == Image.open(MEDIA / name).size
    elif kind == "audio":
        assert info.width is None and info.height is None
    else:
        assert info.width and info.height and info.width > 0 and info.height > 0


@pytest.mark.parametrize(
    ("name", "low", "high"),
    [
        ("speech_16k.wav", 0.5, 5.0),
        ("speech.mp3", 0.5, 5.0),
        ("face_speech.mp4", 2.9, 3.4),
        ("face_silent.mp4", 1.5, 2.6),
        ("video_long.mp4", 5.5, 7.0),
    ],
)
def test_fixture_durations(name: str, low: float, high: float) -> None:
    duration = probe(_media(name)).duration_s
    assert duration is not None and low <= duration <= high


def test_webm_duration_is_known_or_none() -> None:
    duration = probe(_media("speech.webm")).duration_s
    assert duration is None or 0.0 < duration < 5.5


def test_oversized_png_probes_with_its_size_and_no_warning() -> None:
    buf = io.BytesIO()
    Image.new("L", (3001, 3001)).save(buf, "PNG")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        info = probe(buf.getvalue())
    assert info == MediaInfo("image", "png", None, 3001, 3001, False, False)


def test_decompression_bomb_sized_png_still_probes() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        info = probe(_png_header_only(20_001, 20_001))
    assert (info.kind, info.width, info.height) == ("image", 20_001, 20_001)


@pytest.mark.parametrize(
    ("fmt", "container"),
    [("GIF", "gif"), ("BMP", "bmp"), ("WEBP", "webp"), ("TIFF", "tiff"), ("JPEG", "jpeg")],
)
def test_pillow_image_formats(fmt: str, container: str) -> None:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 100, 50)).save(buf, fmt)
    info = probe(buf.getvalue())
    assert (info.kind, info.container, info.width, info.height) == ("image", container, 40, 30)


def test_ffmpeg_single_picture_formats_are_images_not_video() -> None:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30)).save(buf, "PPM")
    info = probe(buf.getvalue())
    assert info.kind == "image" and info.container.endswith("_pipe")
    assert (info.width, info.height, info.has_video) == (40, 30, False)


def _headerless_pcm() -> bytes:
    t = np.arange(32_000) / 16_000
    return (np.sin(2 * np.pi * 220 * t) * 12_000).astype("<i2").tobytes()


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"Mary had a little lamb.\n" * 40, id="text"),
        pytest.param(b'{"data": [1, 2, 3], "models": {"face": {}}}' * 10, id="json"),
        pytest.param(_headerless_pcm(), id="headerless-pcm"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, id="png-signature-only"),
        *[
            pytest.param(random.Random(seed).randbytes(size), id=f"random-{seed}-{size}")
            for seed, size in [(1, 16), (2, 500), (3, 4096), (4, 65_536), (5, 200_000)]
        ],
    ],
)
def test_rejects_non_media(raw: bytes) -> None:
    with pytest.raises(UnrecognisedMediaError):
        probe(raw)


@pytest.mark.parametrize(
    ("name", "keep"),
    [
        ("face_speech.mp4", 0.3),
        ("face_silent.mp4", 0.6),
        ("face.png", 0.5),
        ("face.jpg", 0.5),
        ("face.jpg", 0.0001),
    ],
)
def test_rejects_truncated_fixtures(name: str, keep: float) -> None:
    raw = _media(name)
    cut = raw[: max(2, int(len(raw) * keep))]
    with pytest.raises(UnrecognisedMediaError):
        probe(cut)


def test_rejects_header_only_wav() -> None:
    raw = _media("speech_16k.wav")
    with pytest.raises(UnrecognisedMediaError):
        probe(raw[: raw.index(b"data") + 8])


def test_truncated_pcm_wav_is_shorter_audio() -> None:
    raw = _media("speech_16k.wav")
    assert probe(raw[: len(raw) // 2]).kind == "audio"


def _faststart_mp4(path: Path) -> bytes:
    """A 2 s, 25 fps MP4 with its index (moov) first, so a cut file still opens."""
    with av.open(str(path), "w", format="mp4", options={"movflags": "faststart"}) as out:
        stream = out.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        rng = np.random.default_rng(0)
        for _ in range(50):
            pixels = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)
            out.mux(stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")))
        out.mux(stream.encode(None))
    return path.read_bytes()


@pytest.mark.parametrize("missing", [1, 100, 20_000])
def test_rejects_mp4_cut_after_its_index(tmp_path: Path, missing: int) -> None:
    raw = _faststart_mp4(tmp_path / "faststart.mp4")
    assert probe(raw).kind == "video_no_audio"
    with pytest.raises(UnrecognisedMediaError, match="truncated"):
        probe(raw[:-missing])


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_never_crash(raw: bytes) -> None:
    try:
        info = probe(raw)
    except MediaError:
        return
    assert info.kind in ("audio", "video", "video_no_audio", "image")
