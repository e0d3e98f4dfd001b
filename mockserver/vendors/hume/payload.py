"""What a publish message's ``data`` holds: the one place that decodes a Hume payload.

The engine, the scenario rules (``when.text``), the expectations (``where.text``) and the
fault meter (``after_audio_s``) all read ``data`` through these functions, so they agree on
every payload: ``raw_text: true`` sends the text itself; otherwise ``data`` is base64
(whitespace ignored, a ``data:<mime>;base64,`` prefix stripped only when the server
accepts data URLs) of a file, and a file that decodes as UTF-8 without control characters
is a text file (Hume's streaming reference: the ``language`` model takes text files; the
``raw_text`` flag: "Whether the data is raw text, not base64-encoded").

Pure functions, no heavy import: probing media is left to the caller.
"""

from __future__ import annotations

import base64
import binascii
import re

__all__ = ["decode_base64", "file_text", "looks_like_facemesh", "payload_text"]

_DATA_URL = re.compile(r"^data:[^,]{0,200};base64,")
_WHITESPACE = re.compile(r"\s+")


def decode_base64(data: str, *, accept_data_urls: bool = False) -> bytes:
    """The bytes of a base64 ``data`` (whitespace ignored).

    Raises:
        binascii.Error: ``data`` is not valid base64 (the engine answers E0201).
    """
    if accept_data_urls:
        data = _DATA_URL.sub("", data, count=1)
    return base64.b64decode(_WHITESPACE.sub("", data), validate=True)


def file_text(raw: bytes) -> str | None:
    """The bytes as text when they are a plain UTF-8 text file (the ``txt`` file type)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if any(ord(ch) < 32 and ch not in "\t\n\r\f" for ch in text):
        return None
    return text


def payload_text(data: object, *, raw_text: bool, accept_data_urls: bool = False) -> str | None:
    """The text a payload carries for the ``language`` model, or None (media, invalid)."""
    if not isinstance(data, str):
        return None
    if raw_text:
        return data
    try:
        raw = decode_base64(data, accept_data_urls=accept_data_urls)
    except (binascii.Error, ValueError):
        return None
    return file_text(raw) if raw else None


def looks_like_facemesh(data: str) -> bool:
    """Whether ``data`` is a facemesh (a JSON array, raw or base64; streaming reference:
    "facemesh ... a list of 478 landmarks")."""
    stripped = data.lstrip()
    if stripped.startswith("["):
        return True
    try:
        head = base64.b64decode(_WHITESPACE.sub("", stripped)[:64] + "==", validate=False)
    except (binascii.Error, ValueError):
        return False
    return head.lstrip().startswith(b"[")
