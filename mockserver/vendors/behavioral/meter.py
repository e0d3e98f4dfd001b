"""Seconds of audio in one ``AudioStream`` message, for the ``after_audio_s`` fault trigger.

Messages carry s16le mono PCM at the rate of the first message's config (Behavioral Signals
streaming API: ``AudioConfig.sample_rate_hertz``, encoding ``LINEAR_PCM``), so a chunk lasts
``len(audio_content) / 2 / sample_rate_hertz`` seconds. Cheap: it runs on the event loop.
"""

from __future__ import annotations

from typing import Any

__all__ = ["StreamMeter"]


class StreamMeter:
    """Accumulates the audio a client sent on one call."""

    costly = False

    def __init__(self, endpoint: str | None = None) -> None:
        self.seconds = 0.0  # audio received so far
        self._rate = 0  # sample rate from the config message

    def add(self, message: Any) -> None:
        """Count the audio of one decoded request message."""
        config = getattr(message, "config", None)
        if config is not None and self._rate <= 0:
            self._rate = int(getattr(config, "sample_rate_hertz", 0) or 0)
        audio = getattr(message, "audio_content", b"") or b""
        if self._rate > 0:
            self.seconds += len(audio) // 2 / self._rate
