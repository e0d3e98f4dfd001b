"""Public strategies of the contract kit."""

from __future__ import annotations

from .hume import (
    InvalidMessage,
    hume_invalid_messages,
    hume_media_data,
    hume_model_requests,
    hume_publish_messages,
)
from .jsonschema import from_schema

__all__ = [
    "InvalidMessage",
    "from_schema",
    "hume_invalid_messages",
    "hume_media_data",
    "hume_model_requests",
    "hume_publish_messages",
]
