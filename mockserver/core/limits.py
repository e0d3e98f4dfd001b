"""Server-wide protection limits: timeouts against slow clients, ceilings against overload.

Sans-I/O: plain values and thread-safe counters. The transport adapters apply them
(:mod:`mockserver.transport`); the :class:`~mockserver.runtime.Runtime` holds one
:class:`Limits`, one :class:`ByteBudget` for the whole server, and the adapters keep a
:class:`Ceiling` per listener.

What a refusal looks like on the wire is the adapters' business (docs/reliability.md):
an HTTP 503 with the surface's error body and ``Retry-After``, a refused WebSocket upgrade
(503, the vendor's body), a WebSocket close 1013 "Try Again Later" (RFC 6455 section 7.4.1
via the IANA registry), or gRPC ``RESOURCE_EXHAUSTED``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

__all__ = ["OVERLOAD_REASON", "TRY_AGAIN_LATER", "ByteBudget", "Ceiling", "Limits"]

#: WebSocket close code "Try Again Later" (IANA WebSocket Close Code Number Registry).
TRY_AGAIN_LATER = 1013
#: The reason given with every overload refusal.
OVERLOAD_REASON = "The server is overloaded; try again later."


@dataclass(frozen=True, slots=True)
class Limits:
    """Timeouts and ceilings every listener applies (core settings, see ``config.py``).

    Attributes:
        handshake_timeout_s: A WebSocket opening handshake (or a gRPC connection preface)
            not complete after this long is closed.
        keepalive_timeout_s: An HTTP connection with no request in progress (idle
            keep-alive, or request headers still incomplete) is closed after this long.
        body_timeout_s: An HTTP request body not fully arrived this long after its headers
            is answered 408 and its connection closed.
        max_connections: Live WebSocket connections, gRPC calls or HTTP requests in
            progress per listener; beyond it new ones are refused (0 = no limit).
        decode_budget_bytes: Bytes of large client messages being decoded at once,
            server-wide; a message that does not fit is refused (0 = no limit).
    """

    handshake_timeout_s: float = 10.0
    keepalive_timeout_s: float = 75.0
    body_timeout_s: float = 60.0
    max_connections: int = 5000
    decode_budget_bytes: int = 256 * 1024 * 1024


class ByteBudget:
    """A thread-safe count of bytes in use against a capacity (0 = unlimited).

    :meth:`try_acquire` never waits: a caller that does not fit is refused at once, so
    that overload costs the server nothing but the refusal.
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity  # bytes; 0 = unlimited
        self._in_use = 0  # bytes currently acquired
        self.peak = 0  # most bytes ever acquired at once
        self.refused = 0  # acquisitions refused so far
        self._lock = threading.Lock()  # guards _in_use, peak and refused

    @property
    def in_use(self) -> int:
        """Bytes currently acquired."""
        with self._lock:
            return self._in_use

    def try_acquire(self, amount: int) -> bool:
        """Take ``amount`` bytes if they fit (always, when unlimited); False otherwise."""
        with self._lock:
            if self.capacity and self._in_use + amount > self.capacity:
                self.refused += 1
                return False
            self._in_use += amount
            self.peak = max(self.peak, self._in_use)
            return True

    def release(self, amount: int) -> None:
        """Give back bytes taken with :meth:`try_acquire`."""
        with self._lock:
            self._in_use = max(0, self._in_use - amount)


class Ceiling:
    """A thread-safe count of live things (connections, calls, requests) against a
    maximum (0 = unlimited)."""

    def __init__(self, maximum: int) -> None:
        self.maximum = maximum  # 0 = unlimited
        self._live = 0  # entered and not yet left
        self.refused = 0  # entries refused so far
        self._lock = threading.Lock()  # guards _live and refused

    @property
    def live(self) -> int:
        """How many have entered and not left."""
        with self._lock:
            return self._live

    def try_enter(self) -> bool:
        """Count one more if below the maximum; False (and nothing counted) otherwise."""
        with self._lock:
            if self.maximum and self._live >= self.maximum:
                self.refused += 1
                return False
            self._live += 1
            return True

    def leave(self) -> None:
        """One fewer (after a successful :meth:`try_enter`)."""
        with self._lock:
            self._live = max(0, self._live - 1)
