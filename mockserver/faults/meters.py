"""Seconds of audio in one client message, per vendor (for the ``after_audio_s`` trigger).

* Behavioral Signals: ``AudioStream`` messages carry s16le mono PCM at the rate of the
  first message's config: ``len(audio_content) / 2 / sample_rate_hertz``.
* Hume: a publish message's ``data`` is base64 media; its duration is probed from the
  container (text and images count 0). Probing loads the media stack, so it only runs while
  a Hume fault uses ``after_audio_s``.
* Hume v1: binary frames of the audio endpoint are s16le mono PCM at 16 kHz:
  ``len / 32000`` seconds; the video endpoint's frames (JPEG) count 0.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

__all__ = ["AudioMeter"]


class AudioMeter:
    """Accumulates the audio a client sent on one connection."""

    __slots__ = ("_rate", "endpoint", "seconds", "vendor")

    def __init__(self, vendor: str, endpoint: str | None = None) -> None:
        self.vendor = vendor
        self.endpoint = endpoint  # Hume v1: "audio" or "video"
        self.seconds = 0.0  # audio received so far
        self._rate = 0  # Behavioral Signals: sample rate from the config message

    @property
    def costly(self) -> bool:
        """True if measuring decodes media (run it on a worker thread)."""
        return self.vendor == "hume"

    def add(self, message: Any) -> None:
        """Count the audio of one client message."""
        if self.vendor == "hume":
            self.seconds += _hume_seconds(message)
        elif self.vendor == "behavioral":
            config = getattr(message, "config", None)
            if config is not None and self._rate <= 0:
                self._rate = int(getattr(config, "sample_rate_hertz", 0) or 0)
            audio = getattr(message, "audio_content", b"") or b""
            if self._rate > 0:
                self.seconds += len(audio) // 2 / self._rate
        elif self.vendor == "hume_v1" and self.endpoint == "audio" and isinstance(message, bytes):
            self.seconds += len(message) // 2 / 16000


def _hume_seconds(message: Any) -> float:
    if not isinstance(message, str):
        return 0.0
    try:
        payload = json.loads(message)
    except ValueError:
        return 0.0
    if not isinstance(payload, dict) or payload.get("raw_text") is True:
        return 0.0
    data = payload.get("data")
    if not isinstance(data, str) or not data:
        return 0.0
    try:
        raw = base64.b64decode(data, validate=False)
    except (binascii.Error, ValueError):
        return 0.0
    try:
        from mockserver.media.probe import probe

        info = probe(raw)
    except Exception:
        return 0.0
    if info.kind not in ("audio", "video") or not info.duration_s:
        return 0.0
    return float(info.duration_s)
