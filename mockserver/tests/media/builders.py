"""Media for tests: synthetic speech and silence, and decoded fixture images."""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt

from mockserver.media.image import decode_image
from mockserver.resources import fixture_path

__all__ = ["SR", "fixture_rgb", "silence", "speech_like"]

SR = 16000


def speech_like(
    seconds: float,
    *,
    rate: int = SR,
    f0: float = 150.0,
    peak: float = 0.3,
    syllables_per_s: float = 4.0,
) -> npt.NDArray[np.float32]:
    """A speech stand-in: harmonics on a moving pitch contour, syllable-rate envelope."""
    t = np.arange(round(seconds * rate)) / rate
    contour = f0 * (1 + 0.12 * np.sin(2 * np.pi * 0.7 * t) + 0.05 * np.sin(2 * np.pi * 2.3 * t))
    phase = 2 * np.pi * np.cumsum(contour) / rate
    voice = sum(np.sin(k * phase) / k for k in range(1, 16) if k * f0 * 1.2 < rate / 2)
    envelope = np.sin(np.pi * syllables_per_s * t) ** 2
    ramp = np.minimum(1.0, np.minimum(t, t[-1] - t) / 0.02)
    x = voice * envelope**0.7 * ramp
    out: npt.NDArray[np.float32] = (x / np.max(np.abs(x)) * peak).astype(np.float32)
    return out


def silence(seconds: float, rate: int = SR) -> npt.NDArray[np.float32]:
    return np.zeros(round(seconds * rate), dtype=np.float32)


@cache
def fixture_rgb(name: str) -> npt.NDArray[np.uint8]:
    """A media fixture image decoded to read-only RGB (``fixture_rgb("face.png")``)."""
    rgb = decode_image(fixture_path(f"media/{name}").read_bytes())
    rgb.setflags(write=False)
    return rgb
