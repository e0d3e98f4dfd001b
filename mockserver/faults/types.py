"""The generic fault types: one class each, with its parameters and what it does.

``docs/faults.md`` describes how each one looks to the SDKs; ``schemas/fault.schema.json``
is generated from these classes. Vendors add their own types through their registry entry
(:class:`~mockserver.faults.model.VendorFaults`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from mockserver.core.actions import Abort, Action, Close, Drop, Hang, Reject

from .model import (
    COMMON_TRIGGERS,
    HTTP_TRIGGERS,
    STREAM_TRIGGERS,
    Fault,
    Kind,
    VendorFaults,
    param,
)

__all__ = [
    "GENERIC_TYPES",
    "CloseFault",
    "DelayFault",
    "DiscardFault",
    "DropFault",
    "DuplicateFault",
    "EndingFault",
    "GrpcAbortFault",
    "GrpcDeadlineFault",
    "GrpcHangFault",
    "GrpcResetFault",
    "HandshakeRejectFault",
    "HttpErrorFault",
    "InactivityCloseFault",
    "MalformedJsonFault",
    "ReorderFault",
    "ReplaceFault",
    "RewriteFault",
    "SlowConsumerFault",
    "SubmissionFault",
    "TimedFault",
    "WrongTypesFault",
    "rst_stream_status",
]

_STREAM = COMMON_TRIGGERS | STREAM_TRIGGERS
_ENDING_WS = _STREAM | {"idle_s"}
_ENDING_GRPC = _STREAM | {"idle_s", "method"}
_WS = ("websocket",)
_GRPC = ("grpc",)

_SECONDS = {"type": "number", "minimum": 0, "maximum": 3600}
_ONE_DELAY: Mapping[str, Any] = {
    "oneOf": [
        {
            "required": ["seconds"],
            "not": {"anyOf": [{"required": ["min_seconds"]}, {"required": ["max_seconds"]}]},
        },
        {"required": ["min_seconds", "max_seconds"], "not": {"required": ["seconds"]}},
    ]
}
CLOSE_CODE_SCHEMA: Mapping[str, Any] = {
    "type": "integer",
    "anyOf": [
        {"enum": [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014]},
        {"minimum": 3000, "maximum": 4999},
    ],
    "description": "A close code a server may send (RFC 6455 section 7.4).",
}
GRPC_STATUS_SCHEMA: Mapping[str, Any] = {
    "enum": [
        "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
        "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
        "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
        "UNAUTHENTICATED",
    ],
    "description": "A gRPC status code name other than OK.",
}  # fmt: skip
HTTP_ERROR_STATUS_SCHEMA: Mapping[str, Any] = {"type": "integer", "minimum": 400, "maximum": 599}


# -- timing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimedFault(Fault):
    """Base of the faults that wait: a fixed delay, or a seeded uniform one."""

    seconds: float | None = param(schema=_SECONDS, doc="fixed delay in seconds.")
    min_seconds: float | None = param(schema=_SECONDS, doc="random delay, lower bound (seeded).")
    max_seconds: float | None = param(schema=_SECONDS, doc="random delay, upper bound (seeded).")

    schema_extra: ClassVar[Mapping[str, Any]] = _ONE_DELAY

    @classmethod
    def check_given(cls, raw: Mapping[str, Any]) -> tuple[str, str] | None:
        has_fixed = "seconds" in raw
        has_range = "min_seconds" in raw or "max_seconds" in raw
        if has_fixed == has_range:
            return "seconds", "give either seconds, or min_seconds and max_seconds"
        if has_range and ("min_seconds" not in raw or "max_seconds" not in raw):
            missing = "max_seconds" if "min_seconds" in raw else "min_seconds"
            return missing, "is required with a random delay"
        return None

    def check_values(self) -> tuple[str, str] | None:
        low, high = self.min_seconds, self.max_seconds
        if low is not None and high is not None and low > high:
            return "min_seconds", "must not exceed max_seconds"
        return None

    def delay_s(self, uniform: float) -> float:
        """The delay, given a seeded uniform number in [0, 1) (used by random delays)."""
        if self.seconds is not None:
            return float(self.seconds)
        low, high = float(self.min_seconds or 0.0), float(self.max_seconds or 0.0)
        return low + (high - low) * uniform


@dataclass(frozen=True)
class DelayFault(TimedFault):
    """Hold an outbound message (WebSocket reply, gRPC result, HTTP response) back."""

    type: ClassVar[str] = "delay"
    kind: ClassVar[Kind] = "message"
    transports: ClassVar[tuple[str, ...]] = ("websocket", "grpc", "http")
    triggers: ClassVar[frozenset[str]] = _STREAM | {"method", "path"}


@dataclass(frozen=True)
class SlowConsumerFault(TimedFault):
    """Wait before reading each client message (back-pressure on the client)."""

    type: ClassVar[str] = "slow_consumer"
    kind: ClassVar[Kind] = "read"
    transports: ClassVar[tuple[str, ...]] = ("websocket", "grpc")
    triggers: ClassVar[frozenset[str]] = _STREAM | {"method"}


# -- handshake and HTTP ------------------------------------------------------------------------


def _require_status(raw: Mapping[str, Any]) -> tuple[str, str] | None:
    return None if "status" in raw else ("status", "is required")


@dataclass(frozen=True)
class HandshakeRejectFault(Fault):
    """Refuse the WebSocket upgrade with an HTTP status (401, 429, 500...)."""

    type: ClassVar[str] = "handshake_reject"
    kind: ClassVar[Kind] = "handshake"
    transports: ClassVar[tuple[str, ...]] = _WS
    triggers: ClassVar[frozenset[str]] = COMMON_TRIGGERS
    schema_extra: ClassVar[Mapping[str, Any]] = {"required": ["status"]}

    status: int = param(
        0, schema=HTTP_ERROR_STATUS_SCHEMA, doc="HTTP status of the refused upgrade."
    )
    body: str | dict[str, Any] | None = param(
        schema={"type": ["string", "object"]},
        doc="response body (a string, or an object sent as JSON; default: the vendor's).",
    )

    @classmethod
    def check_given(cls, raw: Mapping[str, Any]) -> tuple[str, str] | None:
        return _require_status(raw)

    def reject(self, name: str, vendor: VendorFaults) -> Reject:
        """The response that refuses the upgrade."""
        if self.body is None:
            return Reject(self.status, vendor.handshake_body(self.status), "application/json", name)
        if isinstance(self.body, str):
            return Reject(self.status, self.body, _content_type(self.body), name)
        return Reject(self.status, json.dumps(self.body), "application/json", name)


@dataclass(frozen=True)
class HttpErrorFault(Fault):
    """Answer an HTTP status with the API's error body instead of the real response."""

    type: ClassVar[str] = "http_error"
    kind: ClassVar[Kind] = "request"
    transports: ClassVar[tuple[str, ...]] = ("http",)
    triggers: ClassVar[frozenset[str]] = COMMON_TRIGGERS | HTTP_TRIGGERS
    schema_extra: ClassVar[Mapping[str, Any]] = {"required": ["status"]}

    status: int = param(0, schema=HTTP_ERROR_STATUS_SCHEMA, doc="HTTP status of the answer.")
    message: str | None = param(schema={"type": "string"}, doc="the error body's message.")
    details: dict[str, Any] | None = param(
        schema={"type": "object"}, doc="the error body's details (object)."
    )

    @classmethod
    def check_given(cls, raw: Mapping[str, Any]) -> tuple[str, str] | None:
        return _require_status(raw)

    def reject(self, name: str, vendor: VendorFaults) -> Reject:
        """The error answer, in the vendor's error body shape."""
        body = vendor.http_error_body(self.status, self.message, self.details)
        return Reject(self.status, json.dumps(body), "application/json", name)


# -- outbound messages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DiscardFault(Fault):
    """Never send the reply or result (the connection or call stays open)."""

    type: ClassVar[str] = "discard"
    kind: ClassVar[Kind] = "message"
    transports: ClassVar[tuple[str, ...]] = ("websocket", "grpc")
    triggers: ClassVar[frozenset[str]] = _STREAM


@dataclass(frozen=True)
class RewriteFault(Fault):
    """Base of the faults that send other text instead of the reply."""

    kind: ClassVar[Kind] = "message"
    transports: ClassVar[tuple[str, ...]] = _WS
    triggers: ClassVar[frozenset[str]] = _STREAM

    def rewrite(self, text: str) -> str:
        """The text sent instead of ``text``."""
        raise NotImplementedError


@dataclass(frozen=True)
class MalformedJsonFault(RewriteFault):
    """Send text that is not JSON instead of the reply (by default, its first half)."""

    type: ClassVar[str] = "malformed_json"

    text: str | None = param(
        schema={"type": "string"}, doc="raw text frame sent instead of the reply."
    )

    def rewrite(self, text: str) -> str:
        if self.text is not None:
            return self.text
        return text[: max(1, len(text) // 2)]


@dataclass(frozen=True)
class WrongTypesFault(RewriteFault):
    """Send the reply with every value of the wrong JSON type."""

    type: ClassVar[str] = "wrong_types"

    def rewrite(self, text: str) -> str:
        """Every value turned into another JSON type (objects and arrays keep their shape):
        a string becomes its length, a number or boolean its JSON text, null an object.
        Not JSON: unchanged."""
        try:
            value = json.loads(text)
        except ValueError:
            return text
        return json.dumps(_flip(value), separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class ReplaceFault(RewriteFault):
    """Send a given JSON body or text instead of the reply."""

    type: ClassVar[str] = "replace"
    schema_extra: ClassVar[Mapping[str, Any]] = {
        "oneOf": [{"required": ["body"]}, {"required": ["text"]}]
    }

    body: Any = param(schema={}, doc="JSON value sent instead of the reply.")
    text: str | None = param(
        schema={"type": "string"}, doc="raw text frame sent instead of the reply."
    )

    @classmethod
    def check_given(cls, raw: Mapping[str, Any]) -> tuple[str, str] | None:
        if ("body" in raw) == ("text" in raw):
            return "body", "give exactly one of body or text"
        return None

    def rewrite(self, text: str) -> str:
        if self.text is not None:
            return self.text
        return json.dumps(self.body, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class DuplicateFault(Fault):
    """Send the reply, then the same frame again (count times)."""

    type: ClassVar[str] = "duplicate"
    kind: ClassVar[Kind] = "message"
    transports: ClassVar[tuple[str, ...]] = _WS
    triggers: ClassVar[frozenset[str]] = _STREAM

    count: int = param(
        1, schema={"type": "integer", "minimum": 1, "maximum": 100}, doc="extra copies (default 1)."
    )


@dataclass(frozen=True)
class ReorderFault(Fault):
    """Hold the reply and send it just after the next one."""

    type: ClassVar[str] = "reorder"
    kind: ClassVar[Kind] = "message"
    transports: ClassVar[tuple[str, ...]] = _WS
    triggers: ClassVar[frozenset[str]] = _STREAM


# -- endings -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EndingFault(Fault):
    """Base of the faults that end a connection or call (or leave it hanging)."""

    kind: ClassVar[Kind] = "ending"

    def action(self, name: str, vendor: VendorFaults) -> Action:
        """What the adapter does instead of continuing."""
        raise NotImplementedError


_REASON = param(
    schema={"type": "string", "maxLength": 123},
    doc="close reason (at most 123 UTF-8 bytes).",
)


def _check_reason(reason: str | None) -> tuple[str, str] | None:
    if reason is not None and len(reason.encode("utf-8")) > 123:
        return "reason", "a close reason is at most 123 UTF-8 bytes"
    return None


@dataclass(frozen=True)
class CloseFault(EndingFault):
    """Close the WebSocket with a close frame (code, reason) instead of a reply."""

    type: ClassVar[str] = "close"
    transports: ClassVar[tuple[str, ...]] = _WS
    triggers: ClassVar[frozenset[str]] = _ENDING_WS

    code: int = param(1011, schema=CLOSE_CODE_SCHEMA, doc="WebSocket close code (default 1011).")
    reason: str | None = _REASON

    def check_values(self) -> tuple[str, str] | None:
        return _check_reason(self.reason)

    def action(self, name: str, vendor: VendorFaults) -> Action:
        return Close(int(self.code), str(self.reason or ""), name)


@dataclass(frozen=True)
class DropFault(EndingFault):
    """Drop the TCP connection without a close frame instead of a reply."""

    type: ClassVar[str] = "drop"
    transports: ClassVar[tuple[str, ...]] = _WS
    triggers: ClassVar[frozenset[str]] = _ENDING_WS

    def action(self, name: str, vendor: VendorFaults) -> Action:
        return Drop(name)


@dataclass(frozen=True)
class InactivityCloseFault(EndingFault):
    """Close 1000 with the inactivity reason, as when the idle timeout expires."""

    type: ClassVar[str] = "inactivity_close"
    transports: ClassVar[tuple[str, ...]] = _WS
    triggers: ClassVar[frozenset[str]] = _ENDING_WS

    reason: str | None = _REASON

    def check_values(self) -> tuple[str, str] | None:
        return _check_reason(self.reason)

    def action(self, name: str, vendor: VendorFaults) -> Action:
        reason = self.reason if self.reason is not None else vendor.inactivity_reason
        return Close(1000, reason, name)


@dataclass(frozen=True)
class GrpcAbortFault(EndingFault):
    """End the call with a gRPC status and details."""

    type: ClassVar[str] = "grpc_abort"
    transports: ClassVar[tuple[str, ...]] = _GRPC
    triggers: ClassVar[frozenset[str]] = _ENDING_GRPC

    status: str = param(
        "UNAVAILABLE", schema=GRPC_STATUS_SCHEMA, doc="gRPC status name (default UNAVAILABLE)."
    )
    details: str = param("", schema={"type": "string"}, doc="status details (default '').")

    def action(self, name: str, vendor: VendorFaults) -> Action:
        return Abort(str(self.status), str(self.details), name)


@dataclass(frozen=True)
class GrpcResetFault(EndingFault):
    """End the call as a client sees an HTTP/2 RST_STREAM (INTERNAL, 'Received RST_STREAM
    with error code 2')."""

    type: ClassVar[str] = "grpc_reset"
    transports: ClassVar[tuple[str, ...]] = _GRPC
    triggers: ClassVar[frozenset[str]] = _ENDING_GRPC

    http2_error: int = param(
        2,
        schema={"type": "integer", "minimum": 0, "maximum": 4294967295},
        doc="HTTP/2 error code of the emulated RST_STREAM (default 2, INTERNAL_ERROR).",
    )

    def action(self, name: str, vendor: VendorFaults) -> Action:
        status, details = rst_stream_status(int(self.http2_error))
        return Abort(status, details, name)


@dataclass(frozen=True)
class GrpcDeadlineFault(EndingFault):
    """End the call with DEADLINE_EXCEEDED 'Deadline Exceeded'."""

    type: ClassVar[str] = "grpc_deadline"
    transports: ClassVar[tuple[str, ...]] = _GRPC
    triggers: ClassVar[frozenset[str]] = _ENDING_GRPC

    def action(self, name: str, vendor: VendorFaults) -> Action:
        return Abort("DEADLINE_EXCEEDED", "Deadline Exceeded", name)


@dataclass(frozen=True)
class GrpcHangFault(EndingFault):
    """Send nothing more; keep the call open until the client cancels or its deadline
    expires."""

    type: ClassVar[str] = "grpc_hang"
    transports: ClassVar[tuple[str, ...]] = _GRPC
    triggers: ClassVar[frozenset[str]] = _ENDING_GRPC

    def action(self, name: str, vendor: VendorFaults) -> Action:
        return Hang(name)


@dataclass(frozen=True)
class SubmissionFault(Fault):
    """Base of the faults that decide how a job an HTTP request submits ends."""

    kind: ClassVar[Kind] = "submission"
    transports: ClassVar[tuple[str, ...]] = ("http",)
    triggers: ClassVar[frozenset[str]] = COMMON_TRIGGERS | HTTP_TRIGGERS | {"name"}

    def apply(self, subject: Any) -> None:
        """Act on the job (``subject`` is whatever the vendor's store passed)."""
        raise NotImplementedError


#: The generic fault types, in catalogue order (vendors' own types follow them).
GENERIC_TYPES: tuple[type[Fault], ...] = (
    DelayFault,
    SlowConsumerFault,
    HandshakeRejectFault,
    CloseFault,
    DropFault,
    InactivityCloseFault,
    DiscardFault,
    MalformedJsonFault,
    WrongTypesFault,
    ReplaceFault,
    DuplicateFault,
    ReorderFault,
    GrpcAbortFault,
    GrpcResetFault,
    GrpcDeadlineFault,
    GrpcHangFault,
    HttpErrorFault,
)


# -- helpers ------------------------------------------------------------------------------------


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


def _flip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _flip(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_flip(v) for v in value]
    if isinstance(value, str):
        return len(value)
    if value is None:
        return {}
    return json.dumps(value)  # bool, int, float -> their JSON text


def _content_type(body: str) -> str:
    try:
        json.loads(body)
    except ValueError:
        return "text/plain; charset=utf-8"
    return "application/json"
