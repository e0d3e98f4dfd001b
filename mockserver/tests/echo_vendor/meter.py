"""The echo vendor's audio meter: one "second" per text frame (to test ``after_audio_s``)."""

from __future__ import annotations

from typing import Any

__all__ = ["EchoMeter"]


class EchoMeter:
    """Counts one second per text frame."""

    costly = False

    def __init__(self, endpoint: str | None = None) -> None:
        self.seconds = 0.0

    def add(self, message: Any) -> None:
        if isinstance(message, str):
            self.seconds += 1.0
