"""Exceptions raised by the media layer; vendor sessions map them to their wire errors."""

from __future__ import annotations

__all__ = ["MediaError", "NoAudioError", "UnrecognisedMediaError"]


class MediaError(Exception):
    """Base class: the bytes could not be used as media."""


class UnrecognisedMediaError(MediaError):
    """The bytes are not a file format the decoders understand."""


class NoAudioError(MediaError):
    """Audio was required, but the media has no decodable audio stream."""
