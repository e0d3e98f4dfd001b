"""Rebuild the committed media fixtures in ``fixtures/media/``.

Usage (from the repository root): ``make fixtures``, which creates ``.venv-fixtures`` with
``av numpy Pillow scikit-image opencv-python-headless`` and runs this script. Speech is
synthesised with Debian's ``espeak-ng`` (``apt-get install espeak-ng``); the face comes from
scikit-image's bundled ``astronaut()`` photograph (NASA, public domain). Nothing is
downloaded. Outputs are small and, for the same tool versions, identical between runs.

Every value in ``manifest.json`` is measured from the written files, not copied from the
constants below.
"""

from __future__ import annotations

import fractions
import functools
import io
import json
import math
import shutil
import subprocess
import sys
import tempfile
import wave
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

try:
    import av
    import cv2
    import numpy as np
    from PIL import Image
    from skimage import data as skdata
except ImportError as exc:  # pragma: no cover - environment guard
    sys.exit(
        f"make_fixtures: missing Python package ({exc.name}); run `make fixtures`, which installs "
        "av numpy Pillow scikit-image opencv-python-headless into .venv-fixtures"
    )

OUT = Path(__file__).resolve().parents[1] / "fixtures" / "media"
ESPEAK_RATE = 22050

SENTENCE = "Hello, I am really happy to see you again today."
LONG_TEXT = (
    "This recording is deliberately longer than five seconds, so that the streaming "
    "endpoint has to refuse it and tell the client how long it really was."
)
UTTERANCE_1 = "I called the office this morning. Nobody answered the phone at all."
UTTERANCE_2 = "So I will try again later this afternoon."
BURSTS = ("Ha!", "Oh!", "Wow!")


# -- audio helpers ------------------------------------------------------------------------


def espeak(text: str, *, voice: str = "en-us", speed: int = 150, pitch: int = 50,
           amplitude: int = 100) -> np.ndarray:  # fmt: skip
    """Synthesise ``text`` with espeak-ng; return int16 mono samples at 22050 Hz."""
    if shutil.which("espeak-ng") is None:
        sys.exit("make_fixtures: espeak-ng not found; install it with `apt-get install espeak-ng`")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "speech.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-a", str(amplitude),
             "-w", str(path), text],
            check=True, capture_output=True,
        )  # fmt: skip
        with wave.open(str(path), "rb") as w:
            assert w.getframerate() == ESPEAK_RATE and w.getnchannels() == 1
            return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).copy()


def trim(samples: np.ndarray, rate: int, margin_s: float = 0.1) -> np.ndarray:
    """Cut leading and trailing silence, keeping ``margin_s`` on each side."""
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > 300)
    if len(loud) == 0:
        return samples
    margin = int(margin_s * rate)
    return samples[max(0, loud[0] - margin) : loud[-1] + margin]


def scale_to_peak(samples: np.ndarray, peak_dbfs: float) -> np.ndarray:
    peak = float(np.max(np.abs(samples.astype(np.float64)))) or 1.0
    target = 32767 * 10 ** (peak_dbfs / 20)
    return np.clip(np.round(samples * (target / peak)), -32768, 32767).astype(np.int16)


def silence(rate: int, seconds: float) -> np.ndarray:
    return np.zeros(round(rate * seconds), dtype=np.int16)


def resample(samples: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """Resample int16 mono with FFmpeg's resampler (via PyAV)."""
    if from_rate == to_rate:
        return samples
    resampler = av.AudioResampler(format="s16", layout="mono", rate=to_rate)
    frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = from_rate
    frame.pts = 0
    frame.time_base = fractions.Fraction(1, from_rate)
    out = [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
    out += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    return np.concatenate(out).astype(np.int16)


def write_wav(name: str, samples: np.ndarray, rate: int) -> None:
    with wave.open(str(OUT / name), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.astype("<i2").tobytes())


def encode_audio(name: str, samples: np.ndarray, rate: int, *, container: str, codec: str,
                 bit_rate: int) -> None:  # fmt: skip
    """Encode int16 mono samples to an audio-only file with PyAV."""
    with av.open(str(OUT / name), "w", format=container) as out:
        stream = out.add_stream(codec, rate=rate)
        stream.layout = "mono"
        stream.bit_rate = bit_rate
        _mux_audio(out, stream, samples, rate)


def _mux_audio(out: Any, stream: Any, samples: np.ndarray, rate: int) -> None:
    step = 1024
    for pos in range(0, len(samples), step):
        frame = av.AudioFrame.from_ndarray(
            samples[pos : pos + step].reshape(1, -1), format="s16", layout="mono"
        )
        frame.sample_rate = rate
        frame.pts = pos
        frame.time_base = fractions.Fraction(1, rate)
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode(None):
        out.mux(packet)


# -- images and video -----------------------------------------------------------------------


def astronaut() -> np.ndarray:
    return np.asarray(skdata.astronaut(), dtype=np.uint8)


def face_crop() -> np.ndarray:
    """A 320x320 crop centred on the astronaut's face (face about 150 px wide)."""
    return cv2.resize(astronaut()[0:240, 104:344], (320, 320), interpolation=cv2.INTER_CUBIC)


def save_image(name: str, rgb: np.ndarray, **options: Any) -> None:
    Image.fromarray(np.ascontiguousarray(rgb)).save(OUT / name, **options)


def panning_face_frames(count: int) -> Iterator[np.ndarray]:
    """Frames of the face drifting a little left and right (so frames differ)."""
    big = cv2.resize(astronaut()[0:300, 74:374], (400, 400), interpolation=cv2.INTER_CUBIC)
    for i in range(count):
        dx = round(40 + 20 * math.sin(2 * math.pi * i / max(count, 1)))
        yield np.ascontiguousarray(big[30:350, dx : dx + 320])


def write_video(name: str, frames: Callable[[int], Iterator[np.ndarray]], *, seconds: float,
                fps: int, size: int, audio: np.ndarray | None = None,
                audio_rate: int = 44100) -> None:  # fmt: skip
    count = round(seconds * fps)
    with av.open(str(OUT / name), "w", format="mp4") as out:
        video = out.add_stream("libx264", rate=fps)
        video.width = video.height = size
        video.pix_fmt = "yuv420p"
        video.options = {"crf": "30", "preset": "veryslow", "threads": "1"}
        audio_stream = None
        if audio is not None:
            audio_stream = out.add_stream("aac", rate=audio_rate)
            audio_stream.layout = "mono"
            audio_stream.bit_rate = 48000
        for rgb in frames(count):
            frame = av.VideoFrame.from_ndarray(cv2.resize(rgb, (size, size)), format="rgb24")
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode(None):
            out.mux(packet)
        if audio_stream is not None and audio is not None:
            _mux_audio(out, audio_stream, audio, audio_rate)


# -- measuring ------------------------------------------------------------------------------


@functools.cache
def _cascade() -> Any:
    return cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")


def count_faces(rgb: np.ndarray) -> int:
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    return len(_cascade().detectMultiScale(gray, 1.1, 5, minSize=(60, 60)))


def measure(name: str, description: str, speech: bool | None) -> dict[str, Any]:
    path = OUT / name
    raw = path.read_bytes()
    entry: dict[str, Any] = {
        "kind": None, "container": None, "codec": None, "sample_rate": None, "channels": None,
        "duration_s": None, "width": None, "height": None, "faces": None, "speech": speech,
        "description": description,
    }  # fmt: skip
    if path.suffix in (".png", ".jpg"):
        with Image.open(io.BytesIO(raw)) as image:
            entry.update(kind="image", container=image.format.lower(), codec=image.format.lower(),
                         width=image.width, height=image.height)  # fmt: skip
            entry["faces"] = count_faces(np.asarray(image.convert("RGB")))
        return entry
    with av.open(io.BytesIO(raw)) as container:
        entry["container"] = container.format.name
        audio = container.streams.audio[0] if container.streams.audio else None
        video = container.streams.video[0] if container.streams.video else None
        if audio is not None:
            ctx = audio.codec_context
            entry.update(codec=ctx.name, sample_rate=ctx.sample_rate, channels=ctx.channels)
        if video is not None:
            entry.update(codec=video.codec_context.name, width=video.codec_context.width,
                         height=video.codec_context.height)  # fmt: skip
        entry["kind"] = ("video" if audio else "video_no_audio") if video else "audio"
        duration = 0.0
        if audio is not None and video is None:
            samples = sum(f.samples for f in container.decode(audio=0))
            duration = samples / audio.codec_context.sample_rate
        elif video is not None:
            frames = list(container.decode(video=0))
            duration = float(frames[-1].time or 0.0) + 1 / float(video.average_rate or 1)
            entry["faces"] = max(count_faces(f.to_ndarray(format="rgb24")) for f in frames)
        entry["duration_s"] = round(duration, 3)
    return entry


# -- the fixtures ---------------------------------------------------------------------------


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {}

    def done(name: str, description: str, speech: bool | None = None) -> None:
        manifest[name] = measure(name, description, speech)
        print(f"{name:24} {(OUT / name).stat().st_size:>8} bytes")

    sentence = trim(espeak(SENTENCE), ESPEAK_RATE)
    normal_16k = scale_to_peak(resample(sentence, ESPEAK_RATE, 16000), -6.0)
    write_wav("speech_16k.wav", normal_16k, 16000)
    done("speech_16k.wav", "One English sentence, normal level (peak -6 dBFS).", True)

    encode_audio("speech.mp3", scale_to_peak(sentence, -6.0), ESPEAK_RATE, container="mp3",
                 codec="libmp3lame", bit_rate=64000)  # fmt: skip
    done("speech.mp3", "The same sentence as MP3.", True)

    loud = trim(espeak(SENTENCE, amplitude=200, speed=165, pitch=60), ESPEAK_RATE)
    write_wav("speech_loud.wav", scale_to_peak(resample(loud, ESPEAK_RATE, 16000), -1.0), 16000)
    done("speech_loud.wav", "The sentence spoken louder and faster (peak -1 dBFS).", True)

    write_wav("speech_quiet.wav", scale_to_peak(normal_16k, -30.0), 16000)
    done("speech_quiet.wav", "speech_16k.wav scaled down to peak -30 dBFS.", True)

    low = trim(espeak(SENTENCE, voice="en-us+m3", pitch=15), ESPEAK_RATE)
    write_wav("speech_low_pitch.wav", scale_to_peak(resample(low, ESPEAK_RATE, 16000), -6.0), 16000)
    done("speech_low_pitch.wav", "The sentence in a low male-like voice.", True)

    high = trim(espeak(SENTENCE, voice="en-us+f3", pitch=85), ESPEAK_RATE)
    write_wav(
        "speech_high_pitch.wav", scale_to_peak(resample(high, ESPEAK_RATE, 16000), -6.0), 16000
    )
    done("speech_high_pitch.wav", "The sentence in a high female-like voice.", True)

    long = trim(espeak(LONG_TEXT, speed=140), ESPEAK_RATE)
    write_wav("speech_long_16k.wav", scale_to_peak(resample(long, ESPEAK_RATE, 16000), -6.0), 16000)
    done("speech_long_16k.wav", "Speech longer than the 5000 ms streaming limit.", True)

    parts = [silence(ESPEAK_RATE, 0.3)]
    for word in BURSTS:
        parts += [
            trim(espeak(word, speed=120, pitch=70), ESPEAK_RATE, 0.02),
            silence(ESPEAK_RATE, 0.8),
        ]
    bursts = resample(np.concatenate(parts), ESPEAK_RATE, 16000)
    write_wav("burst.wav", scale_to_peak(bursts, -3.0), 16000)
    done("burst.wav", "Short isolated vocalisations separated by silence.", True)

    write_wav("silence_16k.wav", silence(16000, 2.0), 16000)
    done("silence_16k.wav", "Two seconds of digital silence.", False)

    noise = np.random.default_rng(20261121).normal(0.0, 32767 * 10 ** (-60 / 20), 32000)
    write_wav("noise_16k.wav", np.round(noise).astype(np.int16), 16000)
    done("noise_16k.wav", "Two seconds of white noise at about -60 dBFS RMS.", False)

    encode_audio("speech.webm", resample(scale_to_peak(sentence, -6.0), ESPEAK_RATE, 48000),
                 48000, container="webm", codec="libopus", bit_rate=32000)  # fmt: skip
    done("speech.webm", "The sentence as Opus in WebM (like a browser MediaRecorder blob).", True)

    face = face_crop()
    save_image("face.png", face, optimize=True)
    done("face.png", "One frontal face (astronaut photograph), 320x320.")
    save_image("face.jpg", face, quality=88)
    done("face.jpg", "The same face as JPEG.")
    save_image("two_faces.png", np.concatenate([face, face[:, ::-1]], axis=1), optimize=True)
    done("two_faces.png", "Two faces side by side (the face and its mirror image).")
    yy, xx = np.mgrid[0:240, 0:320]
    gradient = np.stack([xx * 255 // 319, yy * 255 // 239, np.full_like(xx, 128)], -1)
    save_image("no_face.png", gradient.astype(np.uint8), optimize=True)
    done("no_face.png", "A colour gradient with no face.")

    video_audio = scale_to_peak(resample(sentence, ESPEAK_RATE, 44100), -6.0)
    seconds = round(len(video_audio) / 44100, 1)
    write_video("face_speech.mp4", panning_face_frames, seconds=seconds, fps=12, size=320,
                audio=video_audio)  # fmt: skip
    done("face_speech.mp4", "The face moving slightly, with the sentence as AAC audio.", True)
    write_video("face_silent.mp4", panning_face_frames, seconds=2.0, fps=10, size=320)
    done("face_silent.mp4", "Two seconds of the face, no audio stream.")
    write_video("video_long.mp4", panning_face_frames, seconds=6.0, fps=5, size=160)
    done("video_long.mp4", "Six seconds of small video, longer than the 5000 ms limit.")

    first = trim(espeak(UTTERANCE_1, speed=155), ESPEAK_RATE, 0.05)
    second = trim(espeak(UTTERANCE_2, speed=155), ESPEAK_RATE, 0.05)
    pauses = scale_to_peak(np.concatenate([
        silence(ESPEAK_RATE, 0.3), first, silence(ESPEAK_RATE, 1.5), second,
        silence(ESPEAK_RATE, 0.5),
    ]), -6.0)  # fmt: skip
    for rate, name in ((16000, "speech_pauses_16k.wav"), (8000, "speech_pauses_8k.wav"),
                       (44100, "speech_pauses_44k.wav")):  # fmt: skip
        write_wav(name, resample(pauses, ESPEAK_RATE, rate), rate)
        done(name, f"Two utterances separated by 1.5 s of silence, {rate} Hz.", True)

    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {len(manifest)} fixtures and manifest.json to {OUT}")


if __name__ == "__main__":
    main()
