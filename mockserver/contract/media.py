"""Media the kit builds itself, with the standard library: silent WAV files of an exact
duration and solid PNG images of an exact size (for the limits checks), and the shipped
media fixtures (``fixtures/media/``) as bytes and base64."""

from __future__ import annotations

import base64
import functools
import io
import struct
import wave
import zlib

from mockserver.resources import fixture_path

__all__ = ["b64", "fixture", "fixture_b64", "png", "wav"]


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


@functools.cache
def fixture(name: str) -> bytes:
    """The bytes of ``fixtures/media/<name>``."""
    return fixture_path(f"media/{name}").read_bytes()


def fixture_b64(name: str) -> str:
    return b64(fixture(name))


def wav(milliseconds: int, rate: int = 16000) -> bytes:
    """A silent mono 16-bit WAV file of exactly ``milliseconds``."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(2 * rate * milliseconds // 1000))
    return buffer.getvalue()


def png(width: int, height: int) -> bytes:
    """A solid grey 8-bit greyscale PNG of ``width`` x ``height`` pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = (b"\x00" + b"\x80" * width) * height
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )
