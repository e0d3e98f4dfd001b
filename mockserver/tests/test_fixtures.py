"""The committed media fixtures match ``fixtures/media/manifest.json``.

The files are rebuilt by ``scripts/make_fixtures.py`` (``make fixtures``); these tests
decode every file independently of that script (PyAV for audio/video, Pillow for images,
OpenCV's Haar cascade for faces) and check the manifest and the properties the rest of
the test suite relies on.
"""

from __future__ import annotations

import json
from typing import Any

import av
import cv2
import numpy as np
import numpy.typing as npt
import pytest
from cv2 import data as cv2_data
from PIL import Image

from mockserver.resources import fixture_path

MEDIA = fixture_path("media")
MANIFEST: dict[str, dict[str, Any]] = json.loads(
    (MEDIA / "manifest.json").read_text(encoding="utf-8")
)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
FIELDS = {
    "kind", "container", "codec", "audio_codec", "sample_rate", "channels", "duration_s",
    "width", "height", "faces", "speech", "description",
}  # fmt: skip

_CASCADE = cv2.CascadeClassifier(cv2_data.haarcascades + "haarcascade_frontalface_default.xml")

Samples = npt.NDArray[np.float64]


def haar_faces(gray: npt.NDArray[np.uint8]) -> int:
    return len(_CASCADE.detectMultiScale(gray, 1.1, 5, minSize=(60, 60)))


def container_name(names: str, name: str) -> str:
    """The demuxer/format alias that matches the file extension (as the manifest records)."""
    aliases = names.lower().split(",")
    ext = name.rsplit(".", 1)[-1].lower().replace("jpg", "jpeg")
    return ext if ext in aliases else aliases[0]


def decode_audio(name: str) -> tuple[Samples, int]:
    """Mono float samples in [-1, 1] and the sample rate of the first audio stream."""
    with av.open(str(MEDIA / name)) as container:
        stream = container.streams.audio[0]
        chunks = []
        for frame in container.decode(stream):
            data = frame.to_ndarray()
            scale = 32768.0 if np.issubdtype(data.dtype, np.integer) else 1.0
            chunks.append(data.astype(np.float64).reshape(-1) / scale)
        return np.concatenate(chunks), stream.codec_context.sample_rate


def dbfs(value: float) -> float:
    return 20 * float(np.log10(max(value, 1e-12)))


def rms_dbfs(samples: Samples) -> float:
    return dbfs(float(np.sqrt(np.mean(samples**2))))


def peak_dbfs(samples: Samples) -> float:
    return dbfs(float(np.max(np.abs(samples))))


def zero_runs(samples: Samples, rate: int) -> list[float]:
    """Lengths in seconds of the runs of exact digital silence."""
    zero = np.concatenate([[False], samples == 0.0, [False]])
    edges = np.flatnonzero(np.diff(zero.astype(np.int8)))
    return [(end - start) / rate for start, end in zip(edges[::2], edges[1::2], strict=True)]


def check_image(name: str, entry: dict[str, Any]) -> None:
    with Image.open(MEDIA / name) as image:
        image.load()
        fmt = (image.format or "").lower()
        assert entry["kind"] == "image"
        assert (entry["container"], entry["codec"]) == (container_name(fmt, name), fmt)
        assert (image.width, image.height) == (entry["width"], entry["height"])
        assert haar_faces(np.asarray(image.convert("L"))) == entry["faces"]
    assert entry["sample_rate"] is entry["channels"] is entry["duration_s"] is None
    assert entry["speech"] is None


def check_av(name: str, entry: dict[str, Any]) -> None:
    with av.open(str(MEDIA / name)) as container:
        audio = container.streams.audio[0] if container.streams.audio else None
        video = container.streams.video[0] if container.streams.video else None
        kind = ("video" if audio else "video_no_audio") if video else "audio"
        assert entry["kind"] == kind
        assert entry["container"] == container_name(container.format.name, name)
        if audio is not None:
            ctx = audio.codec_context
            codec = ctx.codec.canonical_name
            assert entry["audio_codec" if video else "codec"] == codec
            assert (ctx.sample_rate, ctx.channels) == (entry["sample_rate"], entry["channels"])
        else:
            assert entry["sample_rate"] is entry["channels"] is entry["audio_codec"] is None
        if video is None:
            assert audio is not None
            samples = sum(frame.samples for frame in container.decode(audio))
            assert samples / audio.codec_context.sample_rate == pytest.approx(
                entry["duration_s"], abs=0.05
            )
            assert entry["width"] is entry["height"] is entry["faces"] is None
            return
        frames = [f.to_ndarray(format="gray") for f in container.decode(video)]
        assert entry["codec"] == video.codec_context.codec.canonical_name
        assert (video.codec_context.width, video.codec_context.height) == (
            entry["width"],
            entry["height"],
        )
        assert video.average_rate is not None
        assert len(frames) / float(video.average_rate) == pytest.approx(
            entry["duration_s"], abs=0.05
        )
        assert {haar_faces(frame.astype(np.uint8)) for frame in frames} == {entry["faces"]}


# --------------------------------------------------------------------------- manifest


def test_manifest_lists_exactly_the_media_files() -> None:
    files = {p.name for p in MEDIA.iterdir() if p.name not in ("manifest.json", "README.md")}
    assert files == set(MANIFEST)


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_file_matches_its_manifest_entry(name: str) -> None:
    entry = MANIFEST[name]
    assert set(entry) == FIELDS
    assert entry["description"]
    assert (MEDIA / name).is_file()
    if name.endswith(IMAGE_SUFFIXES):
        check_image(name, entry)
    else:
        check_av(name, entry)


def test_total_size_stays_small() -> None:
    sizes = {name: (MEDIA / name).stat().st_size for name in MANIFEST}
    assert sum(sizes.values()) < 3_000_000
    assert max(sizes.values()) < 1_000_000
    # The journal stores payload strings up to 64 Ki characters verbatim; the SDK wire-format
    # tests compare no_face.png's base64 against it.
    assert sizes["no_face.png"] * 4 / 3 < 65_536


# --------------------------------------------------------------------------- audio levels


def test_silence_is_digital_zero() -> None:
    samples, _ = decode_audio("silence_16k.wav")
    assert len(samples) and not samples.any()


def test_speech_files_are_audible() -> None:
    for name, entry in MANIFEST.items():
        if entry["speech"] and name != "speech_quiet.wav":
            assert rms_dbfs(decode_audio(name)[0]) > -40, name


def test_non_speech_audio_is_quiet() -> None:
    assert MANIFEST["silence_16k.wav"]["speech"] is False
    assert MANIFEST["noise_16k.wav"]["speech"] is False
    assert -61 < rms_dbfs(decode_audio("noise_16k.wav")[0]) < -59


def test_levels_differ_as_described() -> None:
    normal = decode_audio("speech_16k.wav")[0]
    loud = decode_audio("speech_loud.wav")[0]
    quiet = decode_audio("speech_quiet.wav")[0]
    assert peak_dbfs(normal) == pytest.approx(-6, abs=0.5)
    assert peak_dbfs(loud) == pytest.approx(-1, abs=0.5)
    assert peak_dbfs(quiet) == pytest.approx(-30, abs=0.5)
    assert rms_dbfs(loud) > rms_dbfs(normal) + 3
    assert rms_dbfs(quiet) < rms_dbfs(normal) - 20


# --------------------------------------------------------------------------- durations and gaps


def test_long_fixtures_exceed_the_5000_ms_limit() -> None:
    assert MANIFEST["speech_long_16k.wav"]["duration_s"] > 5.0
    assert MANIFEST["video_long.mp4"]["duration_s"] > 5.0
    short = [n for n, e in MANIFEST.items() if e["duration_s"] and "long" not in n]
    assert all(MANIFEST[n]["duration_s"] < 5.0 for n in short if "pauses" not in n)


def test_burst_has_short_vocalisations_between_silences() -> None:
    samples, rate = decode_audio("burst.wav")
    gaps = [run for run in zero_runs(samples, rate) if run >= 0.1]
    assert sum(1 for run in gaps if run >= 0.7) >= 2  # 3-4 sounds, >= 0.7 s apart
    assert len(samples) / rate < 5.0


@pytest.mark.parametrize(
    ("name", "rate"),
    [("speech_pauses_16k.wav", 16000), ("speech_pauses_8k.wav", 8000),
     ("speech_pauses_44k.wav", 44100)],
)  # fmt: skip
def test_pauses_files_have_a_long_digital_silence(name: str, rate: int) -> None:
    samples, actual = decode_audio(name)
    assert actual == rate
    longest = max(zero_runs(samples, rate))
    assert 1.5 <= longest < 1.7  # between the two utterances (plus faded trim margins)
    assert not samples[-round(0.45 * rate) :].any()  # then about 0.5 s of silence at the end
    assert MANIFEST[name]["duration_s"] == pytest.approx(
        MANIFEST["speech_pauses_16k.wav"]["duration_s"], abs=0.01
    )
