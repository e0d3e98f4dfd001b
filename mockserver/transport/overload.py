"""How the adapters refuse work past capacity (``--max-connections``,
``--decode-budget-bytes``), in one place so that every transport refuses alike.

* A WebSocket upgrade past ``max_connections``: HTTP 503 with the vendor's body of a refused
  upgrade (its ``VendorFaults.handshake_body``, as a ``handshake_reject`` fault would send).
* A large WebSocket message that does not fit the decode budget: close 1013 "Try Again
  Later" (clients of the Hume v1 SDK reconnect on it).
* A gRPC call past capacity, or a message that does not fit: ``RESOURCE_EXHAUSTED``.
* An HTTP request past capacity, or a body that does not fit: 503 with the surface's error
  body and ``Retry-After: 1``.

These are this project's choices (no vendor documents its overload behaviour); they are
recorded in docs/fidelity.md and docs/reliability.md.
"""

from __future__ import annotations

from mockserver.core.handshake import HandshakeReject
from mockserver.core.limits import OVERLOAD_REASON, TRY_AGAIN_LATER
from mockserver.runtime import Runtime

__all__ = [
    "GRPC_OVERLOAD_STATUS",
    "HTTP_OVERLOAD_STATUS",
    "OVERLOAD_REASON",
    "RETRY_AFTER_S",
    "TRY_AGAIN_LATER",
    "overloaded_upgrade",
]

#: HTTP status of a request or upgrade refused past capacity.
HTTP_OVERLOAD_STATUS = 503
#: gRPC status of a call or message refused past capacity.
GRPC_OVERLOAD_STATUS = "RESOURCE_EXHAUSTED"
#: ``Retry-After`` of an HTTP refusal, in seconds.
RETRY_AFTER_S = 1


def overloaded_upgrade(runtime: Runtime, vendor: str) -> HandshakeReject:
    """The refusal of a WebSocket upgrade past capacity, in the vendor's body."""
    try:
        body = runtime.faults.vendor(vendor).handshake_body(HTTP_OVERLOAD_STATUS)
    except KeyError:  # a vendor outside the fault catalogue: a plain body
        body = '{"message": "' + OVERLOAD_REASON + '"}'
    return HandshakeReject(HTTP_OVERLOAD_STATUS, body)
