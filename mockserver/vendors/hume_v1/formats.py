"""What the v1 endpoints accept as media, checked before anything is decoded.

* Audio upload (``hume-expression-measurement`` 0.1.0 ``audio/raw_client.py`` ``measure``
  docstring, https://dev.hume.ai/expression-measurement/reference/audio/measure): a WAV file
  of 16-bit PCM, 16 kHz, mono, or headerless samples. MP3, FLAC, Ogg, MP4/M4A and RIFF files
  other than WAV are ``unsupported_media_type``; a WAV in another format, with the extensible
  header, truncated or malformed is ``audio_decode_failed``; anything else is read as
  headerless samples, and an empty or odd-length body is ``audio_decode_failed``. The
  server does not convert audio.
* Realtime audio frames: empty, odd length, or more than 10 s (320,000 bytes) is
  ``invalid_audio_frame``.
* Images (upload parts and realtime frames): JPEG only; more than 8,294,400 pixels is
  refused; the size is read from the header, before decoding
  (``video/raw_client.py`` docstrings).

Pure functions, no media library: the JPEG size comes from its frame header.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

__all__ = [
    "BYTES_PER_MS",
    "MAX_FRAME_BYTES",
    "SAMPLE_RATE",
    "AudioFormatError",
    "ImageProblem",
    "audio_frame_problem",
    "image_problem",
    "is_jpeg",
    "jpeg_size",
    "upload_pcm",
]

SAMPLE_RATE = 16000
BYTES_PER_MS = 32  # 16 kHz x 2 bytes
MAX_FRAME_BYTES = 10_000 * BYTES_PER_MS  # 10 s of audio per realtime frame

_WAVE_FORMAT_PCM = 1
_WAVE_FORMAT_EXTENSIBLE = 0xFFFE


class AudioFormatError(Exception):
    """An upload the audio endpoint refuses: ``code`` is the HTTP error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code  # "unsupported_media_type" or "audio_decode_failed"
        self.message = message


def _compressed_format(data: bytes) -> str | None:
    """The name of a compressed audio/video container the endpoint rejects, if any."""
    if data.startswith(b"ID3") or _mp3_frame_header(data):
        return "MP3"
    if data.startswith(b"fLaC"):
        return "FLAC"
    if data.startswith(b"OggS"):
        return "Ogg"
    if data[4:8] == b"ftyp":
        return "MP4/M4A"
    return None


def _mp3_frame_header(data: bytes) -> bool:
    """An MPEG audio layer III frame header at the start (sync, version, layer, bitrate and
    rate fields all valid), so that headerless PCM starting with 0xFF bytes is not taken for
    MP3."""
    if len(data) < 4 or data[0] != 0xFF or data[1] & 0xE0 != 0xE0:
        return False
    version, layer = (data[1] >> 3) & 3, (data[1] >> 1) & 3
    bitrate, rate = data[2] >> 4, (data[2] >> 2) & 3
    return version != 1 and layer == 1 and bitrate not in (0, 15) and rate != 3


def upload_pcm(data: bytes) -> tuple[bytes, str]:
    """The s16le samples of an audio upload, and what it was (``"wav"`` or ``"pcm"``).

    Raises:
        AudioFormatError: the body is in a format the endpoint refuses.
    """
    if data.startswith(b"RIFF"):
        if data[8:12] != b"WAVE":
            raise AudioFormatError(
                "unsupported_media_type", "a RIFF file that is not WAV: send WAV or raw PCM"
            )
        return _wav_samples(data), "wav"
    compressed = _compressed_format(data)
    if compressed is not None:
        raise AudioFormatError(
            "unsupported_media_type",
            f"{compressed} audio is not supported: convert it to 16-bit PCM at 16 kHz, mono",
        )
    if not data:
        raise AudioFormatError("audio_decode_failed", "the audio is empty")
    if len(data) % 2:
        raise AudioFormatError(
            "audio_decode_failed",
            f"headerless audio must hold whole 16-bit samples; got {len(data)} bytes",
        )
    return data, "pcm"


def _wav_samples(data: bytes) -> bytes:
    """The data chunk of a WAV file, if it is 16-bit PCM at 16 kHz, mono."""
    pos, fmt, samples = 12, None, None
    while pos + 8 <= len(data):
        chunk, size = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        body = data[pos + 8 : pos + 8 + size]
        if chunk == b"fmt ":
            fmt = body
        elif chunk == b"data":
            if len(body) < size:
                raise AudioFormatError("audio_decode_failed", "the WAV data chunk is truncated")
            samples = body
            break
        pos += 8 + size + (size & 1)
    if fmt is None or len(fmt) < 16:
        raise AudioFormatError("audio_decode_failed", "the WAV file has no valid fmt chunk")
    tag, channels, rate, _rate_bytes, _align, bits = struct.unpack("<HHIIHH", fmt[:16])
    if tag == _WAVE_FORMAT_EXTENSIBLE:
        raise AudioFormatError(
            "audio_decode_failed",
            "WAV files with the extensible header are not supported: write a plain PCM header",
        )
    if (tag, channels, rate, bits) != (_WAVE_FORMAT_PCM, 1, SAMPLE_RATE, 16):
        kind = "PCM" if tag == _WAVE_FORMAT_PCM else f"format {tag}"
        raise AudioFormatError(
            "audio_decode_failed",
            f"the WAV file is {bits}-bit {kind}, {rate} Hz, {channels} channel(s); "
            "the server does not convert audio: send 16-bit PCM, 16 kHz, mono",
        )
    if samples is None:
        raise AudioFormatError("audio_decode_failed", "the WAV file has no data chunk")
    if not samples or len(samples) % 2:
        raise AudioFormatError("audio_decode_failed", "the WAV data chunk holds no whole samples")
    return samples


def audio_frame_problem(data: bytes) -> str | None:
    """Why a realtime audio frame is ``invalid_audio_frame``, or None if it is usable."""
    if not data:
        return "the audio frame is empty"
    if len(data) % 2:
        return f"the audio frame has an odd number of bytes ({len(data)}): send whole samples"
    if len(data) > MAX_FRAME_BYTES:
        return (
            f"the audio frame holds {len(data) // BYTES_PER_MS} ms of audio; "
            f"the limit is 10000 ms ({MAX_FRAME_BYTES} bytes)"
        )
    return None


def is_jpeg(data: bytes) -> bool:
    """JPEG files start with the SOI marker followed by another marker."""
    return len(data) >= 3 and data[0] == 0xFF and data[1] == 0xD8 and data[2] == 0xFF


#: Start-of-frame markers (baseline, progressive, lossless...; not DHT, JPG or DAC).
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_STANDALONE_MARKERS = frozenset({0x01, *range(0xD0, 0xD8)})  # TEM, RST0-7: no length


def jpeg_size(data: bytes) -> tuple[int, int] | None:
    """``(width, height)`` from the JPEG's start-of-frame segment (read without decoding,
    so a huge image costs nothing), or None if the header is malformed."""
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in _STANDALONE_MARKERS:
            pos += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image, or scan data before any frame header
            return None
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if marker in _SOF_MARKERS:
            if length < 7 or pos + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return (width, height) if width and height else None
        if length < 2:
            return None
        pos += 2 + length
    return None


@dataclass(frozen=True, slots=True)
class ImageProblem:
    """Why an image cannot be measured: ``kind`` is empty, not_jpeg, too_large or
    undecodable."""

    kind: str
    message: str


def image_problem(data: bytes, *, max_pixels: int) -> ImageProblem | None:
    """Check an image before decoding it (empty, not a JPEG, too many pixels)."""
    if not data:
        return ImageProblem("empty", "the frame is empty")
    if not is_jpeg(data):
        return ImageProblem("not_jpeg", "the image is not a JPEG")
    size = jpeg_size(data)
    if size is None:
        return ImageProblem("undecodable", "the JPEG header cannot be read")
    width, height = size
    if width * height > max_pixels:
        return ImageProblem(
            "too_large",
            f"the image is {width}x{height} ({width * height} pixels); "
            f"the limit is {max_pixels} pixels",
        )
    return None
