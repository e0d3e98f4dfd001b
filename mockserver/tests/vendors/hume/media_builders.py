"""Build small media on the fly for limit tests (exact durations and sizes)."""

from __future__ import annotations

import base64
import fractions
import io
import json
import wave

import av
import numpy as np
from PIL import Image

from mockserver.resources import fixture_base64, fixture_path


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def fixture_b64(name: str) -> str:
    return fixture_base64(f"media/{name}")


def speech_samples() -> np.ndarray:
    with wave.open(str(fixture_path("media/speech_16k.wav")), "rb") as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").copy()


def wav_bytes(samples: np.ndarray, rate: int = 16000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.astype("<i2").tobytes())
    return buffer.getvalue()


def speech_wav(seconds: float) -> bytes:
    """Speech from the fixture, looped or cut to exactly ``seconds`` at 16 kHz."""
    base = speech_samples()
    count = round(seconds * 16000)
    reps = -(-count // len(base))
    return wav_bytes(np.tile(base, reps)[:count])


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (90, 120, 150)).save(buffer, format="PNG")
    return buffer.getvalue()


def video_mp4(seconds: float, *, fps: int = 4, size: int = 32, audio_stream: bool = False) -> bytes:
    """A tiny H.264 video of exactly ``seconds`` (MP4).

    With ``audio_stream`` the container is Matroska, which keeps a declared audio track
    that has no packets (an MP4 muxer drops it): a video whose audio cannot be decoded.
    """
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="matroska" if audio_stream else "mp4") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width = stream.height = size
        stream.pix_fmt = "yuv420p"
        if audio_stream:
            audio = out.add_stream("aac", rate=16000)
            audio.layout = "mono"
        for i in range(round(seconds * fps)):
            frame = av.VideoFrame.from_ndarray(
                np.full((size, size, 3), (i * 10) % 255, dtype=np.uint8), format="rgb24"
            )
            frame.pts = i
            frame.time_base = fractions.Fraction(1, fps)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buffer.getvalue()


def mesh(faces: int, *, points: int = 478) -> str:
    """A facemesh payload: ``faces`` faces of ``points`` landmarks (raw JSON)."""
    rng = np.random.default_rng(faces * 1000 + points)
    return json.dumps([rng.random((points, 3)).round(4).tolist() for _ in range(faces)])
