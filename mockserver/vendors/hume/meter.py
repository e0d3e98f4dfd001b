"""Seconds of audio in one client message, for the ``after_audio_s`` fault trigger.

A publish message's ``data`` is base64 media (read by :mod:`.payload`, as the engine reads
it); its duration is probed from the container, and text, images and invalid payloads
count 0. Probing loads the media stack, so the meter is *costly*: the adapter runs it on a
worker thread, and only while a fault uses ``after_audio_s``.
"""

from __future__ import annotations

import binascii
import json
from typing import Any

from .payload import decode_base64

__all__ = ["HumeMeter"]


class HumeMeter:
    """Accumulates the audio a client sent on one connection."""

    costly = True

    def __init__(self, endpoint: str | None = None) -> None:
        self.seconds = 0.0  # audio received so far

    def add(self, message: Any) -> None:
        """Count the audio of one text frame (binary frames carry none)."""
        self.seconds += _seconds(message)


def _seconds(message: Any) -> float:
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
        raw = decode_base64(data)
    except (binascii.Error, ValueError):
        return 0.0
    from mockserver.media.probe import probe  # noqa: PLC0415  PyAV: loaded on first media

    try:
        info = probe(raw)
    except Exception:
        return 0.0
    if info.kind not in ("audio", "video") or not info.duration_s:
        return 0.0
    return float(info.duration_s)
