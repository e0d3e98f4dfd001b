"""Rebuild the committed media fixtures in ``fixtures/media/``.

The fixtures are small but *real* media files (synthetic speech, a real human
face) used by the mock server's tests and by the contract test kit.  They are
committed to the repository so that CI never needs the tools used to make
them; this script is how they are (re)built.

Usage (normally through ``make fixtures``)::

    python3 -m venv .venv-fixtures
    .venv-fixtures/bin/pip install av numpy Pillow scikit-image
    .venv-fixtures/bin/python scripts/make_fixtures.py [--out fixtures/media]

Requirements:

* ``espeak-ng`` on ``PATH`` (Debian/Ubuntu: ``apt-get install espeak-ng``);
* the Python packages ``av`` (PyAV, bundles FFmpeg with libx264, libmp3lame,
  libopus and the native AAC encoder), ``numpy``, ``Pillow`` and
  ``scikit-image`` (its bundled ``astronaut`` photo is the face source and its
  bundled LBP frontal-face cascade counts the faces for the manifest).

Nothing is downloaded.  The output is deterministic for a given espeak-ng and
FFmpeg build: fixed voices/rates/pitches, a fixed noise seed, single-threaded
x264 and ``+bitexact`` muxing (no encoder strings, random UIDs or timestamps).

Besides the media files the script writes ``manifest.json`` (every value
measured by decoding the written files) and ``README.md``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import wave
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO_ROOT / "fixtures" / "media"


def _require_dependencies() -> None:
    """Exit with a clear message when a build dependency is missing."""
    problems: list[str] = []
    if shutil.which("espeak-ng") is None:
        problems.append("espeak-ng is not on PATH (Debian/Ubuntu: `apt-get install espeak-ng`).")
    for module, package in (
        ("av", "av"),
        ("numpy", "numpy"),
        ("PIL", "Pillow"),
        ("skimage", "scikit-image"),
    ):
        try:
            __import__(module)
        except ImportError:
            problems.append(
                f"Python package {package!r} is missing (pip install {package}); "
                "use the fixtures venv: `make fixtures`."
            )
    if problems:
        sys.stderr.write("make_fixtures.py: cannot build the media fixtures:\n")
        for problem in problems:
            sys.stderr.write(f"  - {problem}\n")
        raise SystemExit(2)


_require_dependencies()

import av  # noqa: E402
import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402
import skimage.data  # noqa: E402
import skimage.feature  # noqa: E402
from PIL import Image, ImageOps  # noqa: E402

FloatArray = npt.NDArray[np.float64]
Int16Array = npt.NDArray[np.int16]

# --------------------------------------------------------------------------- constants

ESPEAK_RATE = 22050  # espeak-ng always synthesises at 22.05 kHz
SENTENCE = "Hello, I am really happy to see you again today."
LONG_TEXT = SENTENCE + " It has been a long time, and I missed our talks."
PAUSE_UTTERANCES = (
    "I called the office this morning. Nobody answered the phone at all.",
    "So I will try again later this afternoon.",
)
BURST_WORDS = ("Ha!", "Oh!", "Wow!")
TRIM_THRESHOLD = 300 / 32768
NOISE_SEED = 20240521

FACE_SIZE = 320  # face.png / face.jpg are FACE_SIZE x FACE_SIZE
FACE_CENTER = (224.0, 113.0)  # centre of the face in skimage's 512x512 astronaut image
#: Spacesuit, mission patch, badge and helmet: far from the face, and chosen so that the
#: LBP and Haar cascades *and* the mock's own detector find nothing there (nor when
#: the box is shifted by 16-32 px), at 128 colours under 48 KiB (the journal keeps
#: payloads up to 64 Ki base64 characters verbatim, which the SDK wire tests compare).
NO_FACE_BOX = (96, 256, 416, 496)
VIDEO_FPS = 12
LONG_VIDEO_FPS = 5


@dataclass(frozen=True)
class Voice:
    """Fixed espeak-ng settings (voice+variant, words per minute, pitch, amplitude)."""

    name: str = "en-us"
    speed: int = 150
    pitch: int = 50
    amplitude: int = 100


NEUTRAL = Voice()
LOUD = Voice(amplitude=200)
LOW = Voice(name="en-us+m3", pitch=15)
HIGH = Voice(name="en-us+f3", pitch=85)
LONG = Voice(speed=160)
PAUSES = Voice(speed=155)
BURST = Voice(speed=120, pitch=70)


# --------------------------------------------------------------------------- audio helpers


def synthesize(text: str, voice: Voice) -> FloatArray:
    """Speak ``text`` with espeak-ng; return mono float samples in [-1, 1] at 22050 Hz."""
    with tempfile.TemporaryDirectory() as tmp:
        wav_path = Path(tmp) / "speech.wav"
        cmd = [
            "espeak-ng",
            "-v", voice.name,
            "-s", str(voice.speed),
            "-p", str(voice.pitch),
            "-a", str(voice.amplitude),
            "-w", str(wav_path),
            text,
        ]  # fmt: skip
        subprocess.run(cmd, check=True, capture_output=True)
        with wave.open(str(wav_path), "rb") as wav:
            if wav.getframerate() != ESPEAK_RATE or wav.getnchannels() != 1:
                raise RuntimeError(f"unexpected espeak-ng output format: {wav.getparams()}")
            pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    return pcm.astype(np.float64) / 32768.0


def trim(samples: FloatArray, rate: int, margin_s: float) -> FloatArray:
    """Cut espeak-ng's leading/trailing silence, keeping ``margin_s`` of signal each side.

    "Silence" is below 300/32768 (about -41 dBFS) of espeak's raw output; the outer
    10 ms are faded so that clips can be butted against digital silence without a click.
    """
    loud = np.flatnonzero(np.abs(samples) > TRIM_THRESHOLD)
    if len(loud) == 0:
        raise RuntimeError("espeak-ng produced silence")
    margin = round(margin_s * rate)
    out = samples[max(0, loud[0] - margin) : loud[-1] + 1 + margin].copy()
    fade = min(int(0.01 * rate), len(out) // 2)
    ramp = np.linspace(0.0, 1.0, fade, endpoint=False)
    out[:fade] *= ramp
    out[len(out) - fade :] *= ramp[::-1]
    return out


def silence(seconds: float, rate: int) -> FloatArray:
    return np.zeros(round(seconds * rate), dtype=np.float64)


def pad_to(samples: FloatArray, rate: int, seconds: float) -> FloatArray:
    """Append digital silence so the clip lasts exactly ``seconds``."""
    missing = round(seconds * rate) - len(samples)
    if missing < 0:
        raise RuntimeError(f"clip is {len(samples) / rate:.3f} s, longer than {seconds} s")
    return np.concatenate([samples, np.zeros(missing)])


def resample(samples: FloatArray, src_rate: int, dst_rate: int) -> FloatArray:
    """Band-limited resampling with FFmpeg's swresample (through PyAV)."""
    if src_rate == dst_rate:
        return samples.copy()
    frame = av.AudioFrame.from_ndarray(
        samples.astype(np.float32).reshape(1, -1), format="flt", layout="mono"
    )
    frame.sample_rate = src_rate
    resampler = av.AudioResampler(format="flt", layout="mono", rate=dst_rate)
    chunks = [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
    chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    out = np.concatenate(chunks).astype(np.float64)
    expected = round(len(samples) * dst_rate / src_rate)
    return pad_to(out[:expected], dst_rate, expected / dst_rate)


def normalize_peak(samples: FloatArray, peak_dbfs: float) -> FloatArray:
    return samples * (10 ** (peak_dbfs / 20) / float(np.max(np.abs(samples))))


def to_int16(samples: FloatArray) -> Int16Array:
    return np.clip(np.round(samples * 32768.0), -32768, 32767).astype(np.int16)


def speech_clip(text: str, voice: Voice, rate: int, peak_dbfs: float = -6.0) -> FloatArray:
    """Synthesise, trim (0.1 s margins), resample to ``rate`` and normalise the peak."""
    spoken = trim(synthesize(text, voice), ESPEAK_RATE, 0.1)
    return normalize_peak(resample(spoken, ESPEAK_RATE, rate), peak_dbfs)


# --------------------------------------------------------------------------- audio writers


def write_wav(path: Path, samples: FloatArray, rate: int) -> None:
    """Write mono PCM s16le WAV with no extra chunks (byte-for-byte deterministic)."""
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(to_int16(samples).astype("<i2").tobytes())


def _open_output(path: Path, fmt: str, extra: dict[str, str] | None = None) -> Any:
    options = {"fflags": "+bitexact", **(extra or {})}
    return av.open(str(path), mode="w", format=fmt, container_options=options)


def _audio_frames(samples: FloatArray, rate: int, chunk: int = 1024) -> Iterable[Any]:
    data = samples.astype(np.float32)
    for start in range(0, len(data), chunk):
        frame = av.AudioFrame.from_ndarray(
            data[start : start + chunk].reshape(1, -1), format="flt", layout="mono"
        )
        frame.sample_rate = rate
        frame.pts = start
        frame.time_base = Fraction(1, rate)
        yield frame


def _add_audio_stream(container: Any, codec: str, rate: int, bit_rate: int) -> Any:
    stream = container.add_stream(codec, rate=rate, layout="mono")
    stream.bit_rate = bit_rate
    stream.codec_context.options = {"flags": "+bitexact"}
    return stream


def _encode_audio(stream: Any, samples: FloatArray, rate: int) -> list[Any]:
    packets = [p for frame in _audio_frames(samples, rate) for p in stream.encode(frame)]
    return packets + list(stream.encode(None))


def write_compressed_audio(
    path: Path,
    samples: FloatArray,
    *,
    rate: int,
    fmt: str,
    codec: str,
    bit_rate: int,
    container_options: dict[str, str] | None = None,
) -> None:
    """Encode mono ``samples`` (already at ``rate``) into an audio-only container."""
    with _open_output(path, fmt, container_options) as container:
        stream = _add_audio_stream(container, codec, rate, bit_rate)
        container.mux(_encode_audio(stream, samples, rate))


# --------------------------------------------------------------------------- images and video


def astronaut() -> Image.Image:
    """NASA portrait of Eileen Collins (public domain), bundled with scikit-image."""
    return Image.fromarray(skimage.data.astronaut())


def crop(
    image: Image.Image, center: tuple[float, float], width: float, size: tuple[int, int]
) -> Image.Image:
    """Crop a ``size``-proportioned box of ``width`` source pixels around ``center``.

    The box is shifted (never shrunk) to stay inside the image.
    """
    height = width * size[1] / size[0]
    x0 = min(max(center[0] - width / 2, 0.0), image.width - width)
    y0 = min(max(center[1] - height / 2, 0.0), image.height - height)
    return image.resize(size, Image.Resampling.LANCZOS, box=(x0, y0, x0 + width, y0 + height))


def face_image() -> Image.Image:
    """320x320 head-and-shoulders crop; the face is about 135 px wide."""
    return crop(astronaut(), (FACE_CENTER[0], FACE_CENTER[1] + 2), 230, (FACE_SIZE, FACE_SIZE))


def two_faces_image() -> Image.Image:
    """The face crop beside a mirrored, wider (so smaller-faced) crop: 640x320."""
    left = face_image()
    right = ImageOps.mirror(crop(astronaut(), (224, 140), 280, (FACE_SIZE, FACE_SIZE)))
    out = Image.new("RGB", (2 * FACE_SIZE, FACE_SIZE))
    out.paste(left, (0, 0))
    out.paste(right, (FACE_SIZE, 0))
    return out


def no_face_image() -> Image.Image:
    """320x240 native-resolution crop of the spacesuit, patch, badge and helmet."""
    return astronaut().crop(NO_FACE_BOX)


def moving_face_frames(
    count: int, size: tuple[int, int], base_width: float, center_y: float
) -> list[Image.Image]:
    """Frames of a slow zoom-and-pan over the face, so consecutive frames differ."""
    source = astronaut()
    frames = []
    for i in range(count):
        phase = 2 * np.pi * i / count
        width = base_width * (1.0 + 0.08 * np.sin(phase))
        center = (FACE_CENTER[0] + 8.0 * np.sin(phase / 2), center_y + 4.0 * np.cos(phase))
        frames.append(crop(source, center, width, size))
    return frames


def _video_frames(images: Sequence[Image.Image], fps: int) -> Iterable[Any]:
    for index, image in enumerate(images):
        frame = av.VideoFrame.from_ndarray(np.asarray(image.convert("RGB")), format="rgb24")
        frame.pts = index
        frame.time_base = Fraction(1, fps)
        yield frame


def write_mp4(
    path: Path,
    images: Sequence[Image.Image],
    fps: int,
    audio: FloatArray | None = None,
    audio_rate: int = 48000,
) -> None:
    """H.264 (yuv420p, single-threaded x264) + optional mono AAC in MP4."""
    width, height = images[0].size
    with _open_output(path, "mp4") as container:
        video = container.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.codec_context.options = {
            "crf": "26",
            "preset": "medium",
            "threads": "1",
            "x264-params": "mbtree=0",
        }
        packets = [p for f in _video_frames(images, fps) for p in video.encode(f)]
        packets += list(video.encode(None))
        if audio is not None:
            sound = _add_audio_stream(container, "aac", audio_rate, 64000)
            packets += _encode_audio(sound, audio, audio_rate)
        packets.sort(key=lambda p: (float(p.dts * p.time_base), p.stream.index))
        container.mux(packets)


# --------------------------------------------------------------------------- measurement


@dataclass
class Decoded:
    """What decoding a media file tells us."""

    container: str
    codec: str
    audio_codec: str | None = None
    sample_rate: int | None = None
    channels: int | None = None
    samples: FloatArray | None = None
    duration_s: float | None = None
    width: int | None = None
    height: int | None = None
    frames: list[npt.NDArray[np.uint8]] | None = None  # grayscale


def container_name(demuxer_names: str, path: Path) -> str:
    """FFmpeg/Pillow format name, picking the alias that matches the file extension."""
    aliases = demuxer_names.lower().split(",")
    ext = path.suffix.lower().lstrip(".")
    ext = "jpeg" if ext == "jpg" else ext
    return ext if ext in aliases else aliases[0]


def _mono(frame: Any) -> FloatArray:
    """One decoded audio frame as mono float samples in [-1, 1]."""
    data = frame.to_ndarray()
    scale = float(np.iinfo(data.dtype).max) + 1 if np.issubdtype(data.dtype, np.integer) else 1.0
    values = data.astype(np.float64) / scale
    if frame.format.is_packed:
        values = values.reshape(-1, len(frame.layout.channels)).T
    return np.asarray(values.mean(axis=0), dtype=np.float64)


def decode_av(path: Path) -> Decoded:
    """Decode every audio sample and video frame of ``path`` with PyAV."""
    with av.open(str(path)) as container:
        audio = container.streams.audio[0] if container.streams.audio else None
        video = container.streams.video[0] if container.streams.video else None
        chunks: list[FloatArray] = []
        frames: list[npt.NDArray[np.uint8]] = []
        for frame in container.decode(*(s for s in (audio, video) if s is not None)):
            if isinstance(frame, av.AudioFrame):
                chunks.append(_mono(frame))
            elif isinstance(frame, av.VideoFrame):
                frames.append(np.asarray(frame.to_ndarray(format="gray"), dtype=np.uint8))
        result = Decoded(container=container_name(container.format.name, path), codec="")
        if audio is not None:
            rate = audio.codec_context.sample_rate
            result.audio_codec = audio.codec_context.codec.canonical_name
            result.sample_rate, result.channels = rate, audio.codec_context.channels
            result.samples = np.concatenate(chunks)
            result.duration_s = len(result.samples) / rate
        if video is not None:
            result.codec = video.codec_context.codec.canonical_name
            result.width, result.height = video.codec_context.width, video.codec_context.height
            result.frames = frames
            result.duration_s = len(frames) / float(video.average_rate or VIDEO_FPS)
        else:
            result.codec, result.audio_codec = result.audio_codec or "", None
    return result


def decode_image(path: Path) -> Decoded:
    with Image.open(path) as image:
        image.load()
        fmt = (image.format or "").lower()
        gray = np.asarray(image.convert("L"))
        return Decoded(
            container=container_name(fmt, path),
            codec=fmt,
            width=image.width,
            height=image.height,
            frames=[gray],
        )


_CASCADE: Any = None


def _overlap(a: dict[str, int], b: dict[str, int]) -> float:
    """Intersection area over the smaller box's area (skimage detections are r/c/w/h dicts)."""
    dx = min(a["c"] + a["width"], b["c"] + b["width"]) - max(a["c"], b["c"])
    dy = min(a["r"] + a["height"], b["r"] + b["height"]) - max(a["r"], b["r"])
    if dx <= 0 or dy <= 0:
        return 0.0
    smaller = min(a["width"] * a["height"], b["width"] * b["height"])
    return dx * dy / smaller


def count_faces(gray: npt.NDArray[np.uint8]) -> int:
    """Frontal faces >= 60 px found by scikit-image's bundled LBP cascade.

    skimage's detector can report one face twice at neighbouring scales, so
    detections that overlap by at least 30 % of the smaller box are merged.
    """
    global _CASCADE  # noqa: PLW0603 - lazily built, module-level cache
    if _CASCADE is None:
        _CASCADE = skimage.feature.Cascade(skimage.data.lbp_frontal_face_cascade_filename())
    found = _CASCADE.detect_multi_scale(
        img=gray,
        scale_factor=1.1,
        step_ratio=1,
        min_size=(60, 60),
        max_size=gray.shape,
        min_neighbor_number=4,
    )
    groups: list[list[dict[str, int]]] = []
    for box in found:
        touching = [g for g in groups if any(_overlap(box, other) >= 0.3 for other in g)]
        merged = [box] + [b for g in touching for b in g]
        groups = [g for g in groups if g not in touching] + [merged]
    return len(groups)


def faces_in(frames: Sequence[npt.NDArray[np.uint8]]) -> int:
    """Face count of an image, or of every frame of a video (all frames must agree)."""
    counts = {count_faces(frame) for frame in frames}
    if len(counts) != 1:
        raise RuntimeError(f"face count differs between video frames: {sorted(counts)}")
    return counts.pop()


def has_speech(samples: FloatArray, rate: int) -> bool:
    """Level-independent voice check: >= 0.2 s of non-silent, spectrally *un*flat frames.

    Voiced speech has a peaky (harmonic) spectrum; white noise has spectral
    flatness around 0.56 and digital silence has no active frames at all.
    """
    size = 512
    count = len(samples) // size
    if count == 0:
        return False
    frames = samples[: count * size].reshape(count, size)
    rms_db = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-20)
    active = frames[rms_db > -70.0]
    if len(active) * size / rate < 0.2:
        return False
    power = np.abs(np.fft.rfft(active * np.hanning(size), axis=1)) ** 2 + 1e-20
    flatness = np.exp(np.mean(np.log(power), axis=1)) / np.mean(power, axis=1)
    unflat = np.count_nonzero(flatness < 0.1)
    return bool(unflat * size / rate >= 0.2)


def describe(path: Path, description: str) -> dict[str, Any]:
    """Build one manifest entry from the decoded file."""
    is_image = path.suffix.lower() in {".png", ".jpg", ".jpeg"}
    decoded = decode_image(path) if is_image else decode_av(path)
    if is_image:
        kind = "image"
    elif decoded.frames is None:
        kind = "audio"
    else:
        kind = "video" if decoded.samples is not None else "video_no_audio"
    speech = None
    if decoded.samples is not None and decoded.sample_rate is not None:
        speech = has_speech(decoded.samples, decoded.sample_rate)
    entry: dict[str, Any] = {
        "kind": kind,
        "container": decoded.container,
        "codec": decoded.codec,
        "audio_codec": decoded.audio_codec,
        "sample_rate": decoded.sample_rate,
        "channels": decoded.channels,
        "duration_s": None if decoded.duration_s is None else round(decoded.duration_s, 3),
        "width": decoded.width,
        "height": decoded.height,
        "faces": None if decoded.frames is None else faces_in(decoded.frames),
        "speech": speech,
        "description": description,
    }
    return entry


# --------------------------------------------------------------------------- fixture builders


def build_speech(out: Path) -> None:
    write_wav(out / "speech_16k.wav", speech_clip(SENTENCE, NEUTRAL, 16000), 16000)
    write_wav(out / "speech_loud.wav", speech_clip(SENTENCE, LOUD, 16000, -1.0), 16000)
    write_wav(out / "speech_quiet.wav", speech_clip(SENTENCE, NEUTRAL, 16000, -30.0), 16000)
    write_wav(out / "speech_low_pitch.wav", speech_clip(SENTENCE, LOW, 16000), 16000)
    write_wav(out / "speech_high_pitch.wav", speech_clip(SENTENCE, HIGH, 16000), 16000)
    write_wav(out / "speech_long_16k.wav", speech_clip(LONG_TEXT, LONG, 16000), 16000)
    # The mp3 keeps ID3 out (no tag at all); the Xing/LAME header gives gapless decoding.
    write_compressed_audio(
        out / "speech.mp3",
        speech_clip(SENTENCE, NEUTRAL, 22050),
        rate=22050,
        fmt="mp3",
        codec="libmp3lame",
        bit_rate=64000,
        container_options={"id3v2_version": "0"},
    )
    # Browsers' MediaRecorder produces Opus at 48 kHz in WebM.
    write_compressed_audio(
        out / "speech.webm",
        speech_clip(SENTENCE, NEUTRAL, 48000),
        rate=48000,
        fmt="webm",
        codec="libopus",
        bit_rate=32000,
    )


def build_burst(out: Path, rate: int = 16000) -> None:
    parts: list[FloatArray] = [silence(0.3, ESPEAK_RATE)]
    for index, word in enumerate(BURST_WORDS):
        if index:
            parts.append(silence(0.8, ESPEAK_RATE))
        parts.append(trim(synthesize(word, BURST), ESPEAK_RATE, 0.02))
    parts.append(silence(0.3, ESPEAK_RATE))
    burst = normalize_peak(resample(np.concatenate(parts), ESPEAK_RATE, rate), -6.0)
    burst[np.abs(burst) < 0.5 / 32768] = 0.0  # keep the gaps digitally silent after resampling
    write_wav(out / "burst.wav", burst, rate)


def pauses_clip(rate: int) -> FloatArray:
    """Utterance, 1.5 s of digital silence, utterance, 0.5 s of digital silence."""
    first, second = (trim(synthesize(t, PAUSES), ESPEAK_RATE, 0.05) for t in PAUSE_UTTERANCES)
    peak = max(float(np.max(np.abs(first))), float(np.max(np.abs(second))))
    scale = 10 ** (-6.0 / 20) / peak
    return np.concatenate(
        [
            silence(0.3, rate),
            resample(first * scale, ESPEAK_RATE, rate),
            silence(1.5, rate),
            resample(second * scale, ESPEAK_RATE, rate),
            silence(0.5, rate),
        ]
    )


def build_pauses(out: Path) -> None:
    for name, rate in (("16k", 16000), ("8k", 8000), ("44k", 44100)):
        write_wav(out / f"speech_pauses_{name}.wav", pauses_clip(rate), rate)


def build_synthetic(out: Path, rate: int = 16000) -> None:
    write_wav(out / "silence_16k.wav", silence(2.0, rate), rate)
    noise = np.random.default_rng(NOISE_SEED).standard_normal(round(2.0 * rate))
    noise *= 10 ** (-60.0 / 20) / float(np.sqrt(np.mean(noise**2)))
    write_wav(out / "noise_16k.wav", noise, rate)


def save_png(image: Image.Image, path: Path, colours: int = 256) -> None:
    """Save as an 8-bit palette PNG (median cut, no dithering): less than half the size
    of truecolour and visually the same at this size; no text chunks or timestamps."""
    palette = image.quantize(colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    palette.save(path, optimize=True)


def build_images(out: Path) -> None:
    face = face_image()
    save_png(face, out / "face.png")
    face.save(out / "face.jpg", quality=90, optimize=True)
    save_png(two_faces_image(), out / "two_faces.png")
    save_png(no_face_image(), out / "no_face.png", colours=128)


def build_videos(out: Path) -> None:
    audio_rate = 48000
    speech = speech_clip(SENTENCE, NEUTRAL, audio_rate)
    count = round(len(speech) / audio_rate * VIDEO_FPS)  # 38 frames: 3.167 s
    # Audio exactly as long as the video (cuts a few ms of the trailing trim margin).
    speech = pad_to(speech[: count * audio_rate // VIDEO_FPS], audio_rate, count / VIDEO_FPS)
    talking = moving_face_frames(count, (320, 240), 300, 125)
    write_mp4(out / "face_speech.mp4", talking, VIDEO_FPS, speech, audio_rate)
    silent = moving_face_frames(2 * VIDEO_FPS, (320, 240), 290, 125)
    write_mp4(out / "face_silent.mp4", silent, VIDEO_FPS)
    long = moving_face_frames(6 * LONG_VIDEO_FPS, (160, 120), 190, 118)
    write_mp4(out / "video_long.mp4", long, LONG_VIDEO_FPS)


# --------------------------------------------------------------------------- catalogue

#: file name -> what it is (manifest ``description``); order is the manifest/README order.
CATALOGUE: dict[str, str] = {
    "speech_16k.wav": "Reference English sentence, 16 kHz mono PCM, peak -6 dBFS.",
    "speech.mp3": "Same sentence as MP3 (22.05 kHz mono, 64 kbit/s, no ID3 tag).",
    "speech_loud.wav": "Same sentence, espeak amplitude 200, peak -1 dBFS.",
    "speech_quiet.wav": "Same sentence scaled to peak -30 dBFS.",
    "speech_low_pitch.wav": "Same sentence, low male-like voice (en-us+m3, pitch 15).",
    "speech_high_pitch.wav": "Same sentence, high female-like voice (en-us+f3, pitch 85).",
    "speech_long_16k.wav": "About 6.4 s of speech: longer than the 5000 ms streaming limit.",
    "burst.wav": "Three short vocalisations (Ha!/Oh!/Wow!) with 0.8 s digital-silence gaps.",
    "silence_16k.wav": "2 s of digital silence (all-zero samples).",
    "noise_16k.wav": "2 s of white noise at -60 dBFS RMS (seeded), no speech.",
    "speech.webm": "Sentence as Opus 48 kHz in WebM, audio only (like a MediaRecorder blob).",
    "speech_pauses_16k.wav": "Two sentences, 1.5 s digital silence, one sentence, 0.5 s silence.",
    "speech_pauses_8k.wav": "Same as speech_pauses_16k.wav at 8 kHz.",
    "speech_pauses_44k.wav": "Same as speech_pauses_16k.wav at 44.1 kHz.",
    "face.png": "320x320 crop centred on a frontal face (face about 135 px wide), 8-bit PNG.",
    "face.jpg": "The same crop as a truecolour JPEG (quality 90).",
    "two_faces.png": "640x320: the face crop beside a mirrored, smaller-faced crop.",
    "no_face.png": "320x240 crop of the spacesuit, patch, badge and helmet: no face.",
    "face_speech.mp4": "3.2 s, 320x240, 12 fps H.264 + AAC: moving face, the sentence as audio.",
    "face_silent.mp4": "2 s, 320x240, 12 fps H.264 of the moving face, no audio stream.",
    "video_long.mp4": "6 s, 160x120, 5 fps H.264 of the face, no audio: over the 5000 ms limit.",
}

#: file name -> what the tests use it for (README only).
USES: dict[str, str] = {
    "speech_16k.wav": "prosody, SDK `send_file`",
    "speech.mp3": "MP3 decoding",
    "speech_loud.wav": "predictions respond to loudness",
    "speech_quiet.wav": "predictions respond to loudness",
    "speech_low_pitch.wav": "pitch-driven predictions",
    "speech_high_pitch.wav": "pitch-driven predictions",
    "speech_long_16k.wav": "E0203 (audio over the streaming limit)",
    "burst.wav": "vocal-burst model",
    "silence_16k.wav": '"No speech detected." / no results',
    "noise_16k.wav": "noise is not speech",
    "speech.webm": "browser MediaRecorder blobs",
    "speech_pauses_16k.wav": "Behavioral Signals streaming and batch (segmenter)",
    "speech_pauses_8k.wav": "Behavioral Signals at 8 kHz (resampling)",
    "speech_pauses_44k.wav": "Behavioral Signals at 44.1 kHz (resampling)",
    "face.png": "face model",
    "face.jpg": "face model, JPEG decoding",
    "two_faces.png": "`identify_faces`, several faces",
    "no_face.png": '"No faces could be detected in the streamed media."',
    "face_speech.mp4": "video with audio (face + audio models)",
    "face_silent.mp4": "`video_no_audio`, E0102 for audio models",
    "video_long.mp4": "E0204 (video over the streaming limit)",
}


BUILDERS: tuple[Callable[[Path], None], ...] = (
    build_speech,
    build_burst,
    build_pauses,
    build_synthetic,
    build_images,
    build_videos,
)


def write_manifest(out: Path) -> dict[str, dict[str, Any]]:
    manifest = {name: describe(out / name, text) for name, text in CATALOGUE.items()}
    text = json.dumps(manifest, indent=2, sort_keys=False) + "\n"
    (out / "manifest.json").write_text(text, encoding="utf-8")
    return manifest


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def write_readme(out: Path, manifest: dict[str, dict[str, Any]]) -> None:
    rows = [
        "| File | What it is | Used for | Kind | Codec | Rate / size | Duration (s) | Faces "
        "| Speech |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, entry in manifest.items():
        codec = entry["codec"] + (f" + {entry['audio_codec']}" if entry["audio_codec"] else "")
        shape = (
            f"{entry['width']}x{entry['height']}"
            if entry["width"] is not None
            else f"{entry['sample_rate']} Hz"
        )
        rows.append(
            f"| `{name}` | {entry['description']} | {USES[name]} | {entry['kind']} | {codec} "
            f"| {shape} | {_cell(entry['duration_s'])} | {_cell(entry['faces'])} "
            f"| {_cell(entry['speech'])} |"
        )
    text = README_TEMPLATE.format(table="\n".join(rows))
    (out / "README.md").write_text(text, encoding="utf-8")


README_TEMPLATE = """\
# Media fixtures

Small, real media samples used by the mock server's tests and the contract test
kit. They are committed so that tests and CI never need the tools that made
them. **Generated by `scripts/make_fixtures.py`; do not edit by hand.**
`manifest.json` describes every file with values measured by decoding it
(`faces` is counted by scikit-image's LBP frontal-face cascade, overlapping hits
merged, on the image or on every frame of a video; `speech` is a level-independent
voiced-frame check). `mockserver/tests/test_fixtures.py` re-checks the manifest
against the files, counting faces with OpenCV's Haar cascade.

{table}

## Rebuilding

```sh
apt-get install espeak-ng   # Debian/Ubuntu; the only system dependency
make fixtures
```

`make fixtures` creates a throwaway virtualenv `.venv-fixtures` with
`av numpy Pillow scikit-image` and runs `scripts/make_fixtures.py`, which
rewrites every file here, `manifest.json` and this README. The output is
deterministic for a given espeak-ng and FFmpeg (PyAV) build.

## Licence and provenance

* **Face images and videos** are crops of the `astronaut` sample image shipped
  with scikit-image: NASA's portrait of astronaut Eileen Collins, a work of the
  US federal government in the **public domain**. Nothing is downloaded.
* **Speech** is synthesised with [espeak-ng](https://github.com/espeak-ng/espeak-ng).
  espeak-ng is a GPL-3.0 program; like a compiler's output, the audio it
  produces is not covered by the GPL. The sentences were written for this
  project.
* **Noise and silence** are generated numerically (fixed seed).

The generated files are offered under the repository's licence (Apache-2.0);
the NASA photograph itself remains in the public domain.
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for builder in BUILDERS:
        builder(out)
    manifest = write_manifest(out)
    write_readme(out, manifest)
    total = sum((out / name).stat().st_size for name in manifest)
    for name, entry in manifest.items():
        size = (out / name).stat().st_size
        print(f"{name:24} {size:>8} B  {entry['kind']:14} {entry['duration_s']}")
    print(f"{len(manifest)} fixtures, {total} bytes in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
