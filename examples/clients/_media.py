"""Where the example clients find their media: the repository's ``fixtures/media``."""

from __future__ import annotations

from pathlib import Path

MEDIA = Path(__file__).resolve().parents[2] / "fixtures" / "media"


def media(name: str) -> str:
    """Path of a media fixture, e.g. ``media("speech_16k.wav")``."""
    return str(MEDIA / name)
