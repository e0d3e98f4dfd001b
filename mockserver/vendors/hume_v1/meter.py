"""Seconds of audio in one client frame of a Hume v1 realtime session (``after_audio_s``).

The audio endpoint's binary frames are 16-bit little-endian mono PCM at 16 kHz
(``hume-expression-measurement`` 0.1.0, ``audio/socket_client.py``), so a frame lasts
``len / 32000`` seconds; the video endpoint's frames (JPEG images) and text frames count 0.
Cheap: it runs on the event loop.
"""

from __future__ import annotations

from typing import Any

__all__ = ["RealtimeMeter"]


class RealtimeMeter:
    """Accumulates the audio a client sent on one realtime session."""

    costly = False

    def __init__(self, endpoint: str | None = None) -> None:
        self.seconds = 0.0  # audio received so far
        self._audio = endpoint == "audio"  # only the audio endpoint carries audio

    def add(self, message: Any) -> None:
        """Count the audio of one frame."""
        if self._audio and isinstance(message, bytes):
            self.seconds += len(message) // 2 / 16000
