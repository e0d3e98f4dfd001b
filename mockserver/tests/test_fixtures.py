"""The committed media fixtures match their manifest (rebuilt by scripts/make_fixtures.py)."""

from __future__ import annotations

import io
import json
from typing import Any

import av
import cv2
import numpy as np
import pytest
from PIL import Image

from mockserver.resources import fixture_path

MEDIA = fixture_path("media")
MANIFEST: dict[str, dict[str, Any]] = json.loads((MEDIA / "manifest.json").read_text())
_CASCADE = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")


def faces_in(rgb: np.ndarray) -> int:
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    return len(_CASCADE.detectMultiScale(gray, 1.1, 5, minSize=(60, 60)))


def pcm(name: str) -> np.ndarray:
    with av.open(str(MEDIA / name)) as container:
        frames = [f.to_ndarray().astype(np.float64).reshape(-1) for f in container.decode(audio=0)]
    return np.concatenate(frames) / (32768.0 if frames and np.abs(frames[0]).max() > 2 else 1.0)


def rms_db(samples: np.ndarray) -> float:
    return 20 * float(np.log10(np.sqrt(np.mean(samples**2)) + 1e-12))


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_fixture_matches_manifest(name: str) -> None:
    entry = MANIFEST[name]
    raw = (MEDIA / name).read_bytes()
    if entry["kind"] == "image":
        with Image.open(io.BytesIO(raw)) as image:
            assert (image.width, image.height) == (entry["width"], entry["height"])
            assert faces_in(np.asarray(image.convert("RGB"))) == entry["faces"]
        return
    with av.open(io.BytesIO(raw)) as container:
        audio = container.streams.audio
        video = container.streams.video
        assert bool(video) == (entry["kind"] != "audio")
        assert bool(audio) == (entry["kind"] in ("audio", "video"))
        if audio and not video:
            ctx = audio[0].codec_context
            assert (ctx.sample_rate, ctx.channels) == (entry["sample_rate"], entry["channels"])
            samples = sum(f.samples for f in container.decode(audio=0))
            assert samples / ctx.sample_rate == pytest.approx(entry["duration_s"], abs=0.05)
        if video:
            frames = list(container.decode(video=0))
            assert max(faces_in(f.to_ndarray(format="rgb24")) for f in frames) == entry["faces"]


def test_every_fixture_file_is_in_the_manifest() -> None:
    files = {p.name for p in MEDIA.iterdir() if p.suffix not in (".json", ".md")}
    assert files == set(MANIFEST)


def test_silence_is_all_zeros_and_speech_is_audible() -> None:
    assert not pcm("silence_16k.wav").any()
    for name, entry in MANIFEST.items():
        if entry["kind"] == "audio" and entry["speech"] and name != "speech_quiet.wav":
            assert rms_db(pcm(name)) > -40, name


def test_levels_differ_as_described() -> None:
    normal = rms_db(pcm("speech_16k.wav"))
    assert rms_db(pcm("speech_loud.wav")) > normal + 2
    assert rms_db(pcm("speech_quiet.wav")) < normal - 20
    assert -64 < rms_db(pcm("noise_16k.wav")) < -56


def test_long_fixtures_exceed_the_streaming_limits() -> None:
    assert MANIFEST["speech_long_16k.wav"]["duration_s"] > 5.0
    assert MANIFEST["video_long.mp4"]["duration_s"] > 5.0
    assert MANIFEST["speech_16k.wav"]["duration_s"] < 5.0
