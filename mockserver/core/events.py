"""Events a session emits for its adapter to carry out (the sans-I/O "outbox").

A session never writes to a socket. It appends these events, and the adapter drains them
with ``events_to_send()`` and performs them in order (websockets' ``data_to_send`` idea).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "CloseConnection",
    "EndCall",
    "InternalFailure",
    "OutboundEvent",
    "SendMessage",
    "SendText",
]


@dataclass(frozen=True, slots=True)
class SendText:
    """Send one text frame (WebSocket)."""

    text: str


@dataclass(frozen=True, slots=True)
class SendMessage:
    """Send one structured message (e.g. a protobuf message on a gRPC stream)."""

    message: Any


@dataclass(frozen=True, slots=True)
class CloseConnection:
    """Close a WebSocket connection with ``code`` and ``reason`` (RFC 6455 section 7.4)."""

    code: int
    reason: str


@dataclass(frozen=True, slots=True)
class EndCall:
    """Finish a gRPC call with a status name (e.g. ``"OK"``, ``"UNAUTHENTICATED"``)."""

    status: str
    details: str = ""


@dataclass(frozen=True, slots=True)
class InternalFailure:
    """An unexpected exception inside the session: log it and surface it to the test.

    The client has already been sent the vendor's generic internal error, never the
    traceback.
    """

    where: str
    error: BaseException


OutboundEvent = SendText | SendMessage | CloseConnection | EndCall | InternalFailure
