"""What the adapters carry out: small immutable instructions, in order.

A :class:`~mockserver.core.connection.Connection` (the session and the connection's
faults together) decides; an adapter performs each action and journals what went on the
wire, with ``fault`` set to the name of the fault that caused it (None for the session's
own traffic). With no fault active, an outbound message is exactly ``Send(message)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "ENDINGS",
    "Abort",
    "Action",
    "Close",
    "Delay",
    "Drop",
    "Fail",
    "Finish",
    "Hang",
    "Note",
    "Reject",
    "Send",
]


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
    """Close the WebSocket with a close frame (the session's own close: ``fault`` None)."""

    code: int
    reason: str
    fault: str | None = None


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
class Finish:
    """End the gRPC call with the session's own final ``status`` (``"OK"`` or an error)."""

    status: str
    details: str = ""


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


@dataclass(frozen=True, slots=True)
class Fail:
    """An unexpected exception inside the session: log it and keep it for the test.

    The client has already been sent the vendor's generic internal error, never the
    traceback.
    """

    where: str
    error: BaseException


Action = Send | Delay | Close | Drop | Abort | Finish | Hang | Note | Fail

#: Actions after which a connection sends nothing more.
ENDINGS = (Close, Drop, Abort, Finish, Hang)
