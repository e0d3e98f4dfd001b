"""What the adapters carry out for the fault plan: small immutable instructions.

The plan decides (sans-I/O); an adapter performs the actions in order and journals what
went on the wire with ``fault`` set to the name of the fault that caused it. With no fault
active, an outbound message is exactly ``[Send(message)]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Abort", "Action", "Close", "Delay", "Drop", "Hang", "Note", "Reject", "Send"]


@dataclass(frozen=True, slots=True)
class Send:
    """Send ``payload`` (a text frame or a session message); ``fault`` altered or added it."""

    payload: Any
    fault: str | None = None


@dataclass(frozen=True, slots=True)
class Delay:
    """Sleep ``seconds`` before the next action."""

    seconds: float
    fault: str


@dataclass(frozen=True, slots=True)
class Close:
    """Close the WebSocket with a close frame."""

    code: int
    reason: str
    fault: str


@dataclass(frozen=True, slots=True)
class Drop:
    """Drop the TCP connection without a close frame."""

    fault: str


@dataclass(frozen=True, slots=True)
class Abort:
    """End the gRPC call with ``status`` (a ``grpc.StatusCode`` name) and ``details``."""

    status: str
    details: str
    fault: str


@dataclass(frozen=True, slots=True)
class Hang:
    """Send nothing more and keep the call open until the client gives up."""

    fault: str


@dataclass(frozen=True, slots=True)
class Note:
    """A fault acted without wire traffic (a reply discarded or held back): journal it."""

    action: str  # "discard" or "hold"
    data: Any
    fault: str


@dataclass(frozen=True, slots=True)
class Reject:
    """Refuse a WebSocket upgrade or answer an HTTP request with this response instead."""

    status: int
    body: str
    content_type: str
    fault: str


Action = Send | Delay | Close | Drop | Abort | Hang | Note
