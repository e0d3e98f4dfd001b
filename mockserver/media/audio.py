"""Decode uploaded media to a mono float32 clip; convert raw PCM16 to floats.

Hume payloads carry whole media files (WAV, MP3, MP4/AAC, WebM/Opus, OGG, FLAC: Hume's
recommended file types and the streaming sandbox's WebM), which are decoded in memory with
PyAV (FFmpeg).
Behavioral Signals streams headerless ``pcm_s16le`` (``protos/api.proto`` ``LINEAR_PCM``),
which :func:`pcm16le_to_float` converts without FFmpeg.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import av
import av.logging
import numpy as np
import numpy.typing as npt

from mockserver.media.errors import NoAudioError, UnrecognisedMediaError

__all__ = ["AudioClip", "decode_audio", "pcm16le_to_float"]


@dataclass(frozen=True, slots=True)
class AudioClip:
    """Mono audio: float32 samples in ``[-1, 1]`` at ``sample_rate`` Hz."""

    samples: npt.NDArray[np.float32]
    sample_rate: int

    @property
    def duration_s(self) -> float:
        """Length of the clip in seconds."""
        return len(self.samples) / self.sample_rate


def pcm16le_to_float(raw: bytes) -> npt.NDArray[np.float32]:
    """Convert signed 16-bit little-endian PCM to float32 in ``[-1, 1)`` (value / 32768).

    Raises:
        ValueError: ``len(raw)`` is odd (callers carry a trailing odd byte to the next chunk).
    """
    if len(raw) % 2:
        raise ValueError(f"PCM16 data must have an even number of bytes, got {len(raw)}")
    ints = np.frombuffer(raw, dtype="<i2")
    return (ints.astype(np.float32) / np.float32(32768.0)).astype(np.float32, copy=False)


def _frame_to_mono(frame: av.AudioFrame) -> npt.NDArray[np.float32]:
    """Average the channels of a planar float32 frame (an exact mean downmix)."""
    planes: npt.NDArray[np.float32] = np.asarray(frame.to_ndarray(), dtype=np.float32)
    if planes.ndim == 1:  # fltp: (channels, samples)
        planes = planes.reshape(1, -1)
    mono: npt.NDArray[np.float32] = planes.mean(axis=0, dtype=np.float64).astype(np.float32)
    return mono


def decode_audio(
    raw: bytes, *, sample_rate: int = 16000, max_seconds: float | None = None
) -> AudioClip:
    """Decode the first audio stream of a media file held in memory.

    The stream is resampled to ``sample_rate`` (FFmpeg, planar float, original channel layout)
    and then downmixed by averaging the channels. Samples are clipped to ``[-1, 1]``.

    Args:
        raw: The complete file (any container/codec FFmpeg can demux and decode).
        sample_rate: Output rate in Hz.
        max_seconds: If given, stop decoding as soon as more than this much audio has been
            decoded and return it (so a huge upload is not fully decoded); the caller compares
            :attr:`AudioClip.duration_s` with its own limit (Hume: 5000 ms).

    Raises:
        UnrecognisedMediaError: FFmpeg cannot open or parse the bytes (including headerless PCM,
            which Hume rejects with E0200).
        NoAudioError: The container has no audio stream, or it decodes to zero samples.
    """
    if sample_rate <= 0:
        raise ValueError("sample_rate must be positive")
    limit = None if max_seconds is None else max(0, int(max_seconds * sample_rate))
    pieces: list[npt.NDArray[np.float32]] = []
    total = 0
    failed = False
    # Capture keeps any FFmpeg log lines of this thread away from stderr/logging.
    with av.logging.Capture(local=True):
        try:
            container = av.open(io.BytesIO(raw), mode="r")
        except (av.FFmpegError, ValueError, OSError, EOFError) as exc:
            raise UnrecognisedMediaError("the media could not be decoded") from exc
        try:
            if not container.streams.audio:
                raise NoAudioError("the media has no audio stream")
            stream = container.streams.audio[0]
            resampler: av.AudioResampler | None = None
            try:
                for frame in container.decode(stream):
                    if resampler is None:
                        resampler = av.AudioResampler(
                            format="fltp", layout=frame.layout, rate=sample_rate
                        )
                    for out in resampler.resample(frame):
                        mono = _frame_to_mono(out)
                        pieces.append(mono)
                        total += len(mono)
                    if limit is not None and total > limit:
                        break
                else:
                    if resampler is not None:
                        for out in resampler.resample(None):
                            mono = _frame_to_mono(out)
                            pieces.append(mono)
                            total += len(mono)
            except (av.FFmpegError, ValueError, OSError, EOFError):
                # Corrupt or truncated data: keep what was decoded before the error.
                failed = True
        finally:
            container.close()
    if total == 0:
        if failed:
            raise UnrecognisedMediaError("the media could not be decoded")
        raise NoAudioError("the media contains no audio samples")
    samples = np.clip(np.concatenate(pieces), -1.0, 1.0).astype(np.float32, copy=False)
    return AudioClip(samples=np.ascontiguousarray(samples), sample_rate=sample_rate)
