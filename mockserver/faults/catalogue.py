"""The fault catalogue: every fault type, where it applies, its parameters and triggers.

This table and ``schemas/fault.schema.json`` describe the same thing; a unit test keeps
them in step. See ``docs/faults.md`` for what each fault looks like to the SDKs.
"""

from __future__ import annotations

import http
import json
from dataclasses import dataclass
from typing import Any, Literal

from mockserver.vendors.behavioral.errors import REST_ERRORS, RestError

__all__ = [
    "COMMON_TRIGGERS",
    "EVALUABLE_TRIGGERS",
    "FAULT_TYPES",
    "STREAM_TRIGGERS",
    "TRANSPORTS",
    "VENDOR_TRANSPORTS",
    "FaultType",
    "Kind",
    "default_handshake_body",
    "default_inactivity_reason",
    "default_process_message",
    "http_error_body",
    "rest_error_body",
    "rst_stream_status",
]

TRANSPORTS: tuple[str, ...] = ("websocket", "grpc", "http")

#: Which transports each vendor serves (used to validate ``vendor``).
VENDOR_TRANSPORTS: dict[str, tuple[str, ...]] = {
    "hume": ("websocket",),
    "hume_v1": ("websocket", "http"),
    "behavioral": ("grpc", "http"),
}

#: How a fault acts:
#: handshake  refuses a WebSocket upgrade;
#: request    answers or slows one HTTP request;
#: submission decides how a batch process created by an HTTP request ends;
#: read       slows the server's reading of client messages;
#: message    alters, delays or withholds one outbound message;
#: ending     ends the connection or call (or makes it hang).
Kind = Literal["handshake", "request", "submission", "read", "message", "ending"]

COMMON_TRIGGERS = frozenset({"connection", "probability", "times"})
STREAM_TRIGGERS = frozenset({"message", "after_results", "after_audio_s", "after_s"})
HTTP_TRIGGERS = frozenset({"path", "method"})

#: Trigger keys each transport can evaluate. A fault applies on a transport only if the
#: transport can evaluate every key of its ``when``.
EVALUABLE_TRIGGERS: dict[str, frozenset[str]] = {
    "websocket": COMMON_TRIGGERS | STREAM_TRIGGERS | {"idle_s"},
    "grpc": COMMON_TRIGGERS | STREAM_TRIGGERS | {"idle_s", "method"},
    "http": COMMON_TRIGGERS | HTTP_TRIGGERS | {"name"},
}


@dataclass(frozen=True, slots=True)
class FaultType:
    """One entry of the catalogue."""

    name: str
    kind: Kind
    transports: tuple[str, ...]  # where it can act
    params: frozenset[str]  # accepted parameters besides name/vendor/transport/type/when
    triggers: frozenset[str]  # accepted ``when`` keys
    summary: str


_DELAY = frozenset({"seconds", "min_seconds", "max_seconds"})
_STREAM = COMMON_TRIGGERS | STREAM_TRIGGERS
_ENDING_WS = _STREAM | {"idle_s"}
_ENDING_GRPC = _STREAM | {"idle_s", "method"}


def _entries(*types: FaultType) -> dict[str, FaultType]:
    return {t.name: t for t in types}


FAULT_TYPES: dict[str, FaultType] = _entries(
    FaultType(
        "delay", "message", ("websocket", "grpc", "http"), _DELAY,
        _STREAM | {"method", "path"},
        "Hold an outbound message (WebSocket reply, gRPC result, HTTP response) back.",
    ),
    FaultType(
        "slow_consumer", "read", ("websocket", "grpc"), _DELAY, _STREAM | {"method"},
        "Wait before reading each client message (back-pressure on the client).",
    ),
    FaultType(
        "handshake_reject", "handshake", ("websocket",), frozenset({"status", "body"}),
        COMMON_TRIGGERS, "Refuse the WebSocket upgrade with an HTTP status (401, 429, 500...).",
    ),
    FaultType(
        "close", "ending", ("websocket",), frozenset({"code", "reason"}), _ENDING_WS,
        "Close the WebSocket with a close frame (code, reason) instead of a reply.",
    ),
    FaultType(
        "drop", "ending", ("websocket",), frozenset(), _ENDING_WS,
        "Drop the TCP connection without a close frame instead of a reply.",
    ),
    FaultType(
        "inactivity_close", "ending", ("websocket",), frozenset({"reason"}), _ENDING_WS,
        "Close 1000 with the inactivity reason, as when the idle timeout expires.",
    ),
    FaultType(
        "discard", "message", ("websocket",), frozenset(), _STREAM,
        "Never send the reply (the connection stays open).",
    ),
    FaultType(
        "malformed_json", "message", ("websocket",), frozenset({"text"}), _STREAM,
        "Send text that is not JSON instead of the reply (by default, its first half).",
    ),
    FaultType(
        "wrong_types", "message", ("websocket",), frozenset(), _STREAM,
        "Send the reply with every value of the wrong JSON type.",
    ),
    FaultType(
        "replace", "message", ("websocket",), frozenset({"body", "text"}), _STREAM,
        "Send a given JSON body or text instead of the reply.",
    ),
    FaultType(
        "duplicate", "message", ("websocket",), frozenset({"count"}), _STREAM,
        "Send the reply, then the same frame again (count times).",
    ),
    FaultType(
        "reorder", "message", ("websocket",), frozenset(), _STREAM,
        "Hold the reply and send it just after the next one.",
    ),
    FaultType(
        "grpc_abort", "ending", ("grpc",), frozenset({"status", "details"}), _ENDING_GRPC,
        "End the call with a gRPC status and details.",
    ),
    FaultType(
        "grpc_reset", "ending", ("grpc",), frozenset({"http2_error"}), _ENDING_GRPC,
        "End the call as a client sees an HTTP/2 RST_STREAM (INTERNAL, 'Received "
        "RST_STREAM with error code 2').",
    ),
    FaultType(
        "grpc_deadline", "ending", ("grpc",), frozenset(), _ENDING_GRPC,
        "End the call with DEADLINE_EXCEEDED 'Deadline Exceeded'.",
    ),
    FaultType(
        "grpc_hang", "ending", ("grpc",), frozenset(), _ENDING_GRPC,
        "Send nothing more; keep the call open until the client cancels or its deadline "
        "expires.",
    ),
    FaultType(
        "http_error", "request", ("http",), frozenset({"status", "message", "details"}),
        COMMON_TRIGGERS | HTTP_TRIGGERS,
        "Answer an HTTP status with the API's error body instead of the real response.",
    ),
    FaultType(
        "process_outcome", "submission", ("http",), frozenset({"status", "message", "stay"}),
        COMMON_TRIGGERS | HTTP_TRIGGERS | {"name"},
        "Make a submitted batch process fail (status, message) or stay pending/processing.",
    ),
)  # fmt: skip


# -- default texts ---------------------------------------------------------------------------


_HANDSHAKE_BODIES: dict[int, tuple[str, str]] = {
    401: ("Invalid ApiKey", "oauth.v2.InvalidApiKey"),
    403: ("Access denied", "accesscontrol.IPDeniedAccess"),
    429: (
        "Spike arrest violation. Allowed rate : 50 per second",
        "policies.ratelimit.SpikeArrestViolation",
    ),
    500: ("Internal Server Error", "messaging.runtime.InternalServerError"),
    502: ("Bad Gateway", "messaging.adaptors.http.flow.BadGateway"),
    503: (
        "The Service is temporarily unavailable",
        "messaging.adaptors.http.flow.ServiceUnavailable",
    ),
    504: ("Gateway Timeout", "messaging.adaptors.http.flow.GatewayTimeout"),
}


def default_handshake_body(status: int, vendor: str | None = None) -> str:
    """The gateway body of an upgrade refused with ``status`` (Hume v1: its error body)."""
    if vendor == "hume_v1":
        from mockserver.vendors.hume_v1.errors import fault_error_body

        return json.dumps(fault_error_body(status))
    from mockserver.vendors.hume.handshake import gateway_fault

    message, code = _HANDSHAKE_BODIES.get(
        status, (_phrase(status), "messaging.adaptors.http.flow.Error")
    )
    return gateway_fault(message, code)


def default_inactivity_reason() -> str:
    """The emulator's inactivity close reason for the documented 60 s timeout."""
    from mockserver.vendors.hume.errors import CLOSE_CODES

    return CLOSE_CODES["inactivity"][1].format(seconds=60)


_REST_MESSAGES: dict[int, str] = {
    401: REST_ERRORS["unauthorized"][1],
    403: "Forbidden",
    429: "Too many requests",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Gateway timeout",
}


def http_error_body(
    vendor: str, status: int, message: str | None = None, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The REST error body of ``vendor`` for an ``http_error`` fault."""
    if vendor == "hume_v1":
        from mockserver.vendors.hume_v1.errors import fault_error_body

        return fault_error_body(status, message)
    return rest_error_body(status, message, details)


def rest_error_body(
    status: int, message: str | None = None, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The Behavioral Signals REST error body ``{code, message, details}``."""
    if message is None:
        message = _REST_MESSAGES.get(status, _phrase(status))
    return RestError(status, message, dict(details or {})).body()


_PROCESS_MESSAGES: dict[int, str] = {
    -1: "Processing failed",
    -2: "Insufficient credits",
    -3: "Server error while processing the audio",
}


def default_process_message(status: int) -> str:
    """The statusmsg of a process failed with ``status`` (docs' status table)."""
    return _PROCESS_MESSAGES.get(status, "Processing failed")


#: grpc-core's mapping of an HTTP/2 RST_STREAM error code to the status a client reports
#: (``grpc_http2_error_to_grpc_status``); 8 (CANCEL) is CANCELLED before the deadline.
_RST_STATUS: dict[int, str] = {
    7: "UNAVAILABLE",  # REFUSED_STREAM
    8: "CANCELLED",  # CANCEL
    11: "RESOURCE_EXHAUSTED",  # ENHANCE_YOUR_CALM
    12: "PERMISSION_DENIED",  # INADEQUATE_SECURITY
}


def rst_stream_status(http2_error: int) -> tuple[str, str]:
    """(status, details) a grpcio client reports for a RST_STREAM with ``http2_error``."""
    status = _RST_STATUS.get(http2_error, "INTERNAL")
    return status, f"Received RST_STREAM with error code {http2_error}"


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"
