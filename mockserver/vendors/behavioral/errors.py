"""Error catalogue of the Behavioral Signals emulator: gRPC statuses and REST error bodies.

No public source documents the streaming status codes or details; these are the conventional
gRPC statuses for each condition (our choice). REST errors use the body the SDK parses,
``{"code": int, "message": str, "details": {...}}`` (behavioralsignals 0.7.1 ``APIError``),
with the HTTP status in ``code`` as well.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mockserver.faults.model import status_phrase

__all__ = [
    "GRPC_ERRORS",
    "REST_ERRORS",
    "GrpcError",
    "GrpcErrorEntry",
    "RestError",
    "rest_error_body",
]


@dataclass(frozen=True, slots=True)
class GrpcErrorEntry:
    status: str  # grpc.StatusCode name
    template: str  # details(); ``{name}`` fields filled by GrpcError.make


GRPC_ERRORS: dict[str, GrpcErrorEntry] = {
    "malformed_message": GrpcErrorEntry(
        "INVALID_ARGUMENT", "The request message is not a valid AudioStream: {detail}"
    ),
    "missing_config": GrpcErrorEntry(
        "INVALID_ARGUMENT", "The first AudioStream message must contain config."
    ),
    "audio_in_first_message": GrpcErrorEntry(
        "INVALID_ARGUMENT",
        "The first AudioStream message must contain only the config, without audio_content.",
    ),
    "late_config": GrpcErrorEntry(
        "INVALID_ARGUMENT",
        "Only the first AudioStream message may contain config (message {index} had one).",
    ),
    "bad_encoding": GrpcErrorEntry(
        "INVALID_ARGUMENT", "Unsupported encoding {value}: only LINEAR_PCM (0) is supported."
    ),
    "bad_sample_rate": GrpcErrorEntry(
        "INVALID_ARGUMENT",
        "sample_rate_hertz must be a positive number of at most {limit} Hz, got {value}.",
    ),
    "bad_level": GrpcErrorEntry(
        "INVALID_ARGUMENT", "Unsupported level {value}: use segment (0) or utterance (1)."
    ),
    "unauthenticated": GrpcErrorEntry("UNAUTHENTICATED", "Invalid credentials."),
    "permission_denied": GrpcErrorEntry(
        "PERMISSION_DENIED", "The API token is not valid for project {cid}."
    ),
    "cid_changed": GrpcErrorEntry(
        "PERMISSION_DENIED", "The cid changed during the stream ({first} then {now})."
    ),
    "too_many_streams": GrpcErrorEntry(
        "RESOURCE_EXHAUSTED",
        "Too many concurrent streams for project {cid} (limit {limit}).",
    ),
    "idle": GrpcErrorEntry(
        "DEADLINE_EXCEEDED", "No audio received for {seconds:g} seconds; the stream was closed."
    ),
    "max_duration": GrpcErrorEntry(
        "DEADLINE_EXCEEDED", "The stream exceeded the maximum duration of {seconds:g} seconds."
    ),
    "internal": GrpcErrorEntry("INTERNAL", "Internal server error."),
}


class GrpcError(Exception):
    """End the call with a non-OK status."""

    def __init__(self, status: str, details: str) -> None:
        super().__init__(f"{status}: {details}")
        self.status = status
        self.details = details

    @classmethod
    def make(cls, key: str, **fields: Any) -> GrpcError:
        entry = GRPC_ERRORS[key]
        return cls(entry.status, entry.template.format(**fields))


#: REST errors: key -> (HTTP status, message template).
REST_ERRORS: dict[str, tuple[int, str]] = {
    "unauthorized": (401, "Authentication failed: Invalid credentials"),
    "forbidden": (403, "The API token is not valid for project {cid}"),
    "process_not_found": (404, "Process {pid} not found"),
    "route_not_found": (404, "No endpoint {method} {path}"),
    "method_not_allowed": (405, "Method {method} is not allowed on {path}"),
    "bad_request": (400, "{detail}"),
    "not_completed": (400, "Process {pid} is not completed (status {status}: {statusmsg})"),
    "payload_too_large": (413, "The upload exceeds the limit of {limit} bytes"),
    "internal": (500, "Internal server error"),
}


@dataclass
class RestError(Exception):
    """An error response ``{code, message, details}`` with HTTP status ``status``."""

    status: int
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def make(cls, key: str, details: dict[str, Any] | None = None, **fields: Any) -> RestError:
        status, template = REST_ERRORS[key]
        return cls(status, template.format(**fields), details or {})

    def body(self) -> dict[str, Any]:
        return {"code": self.status, "message": self.message, "details": self.details}


#: Default messages of HTTP errors the emulator's faults and adapter answer with.
_REST_MESSAGES: dict[int, str] = {
    401: REST_ERRORS["unauthorized"][1],
    403: "Forbidden",
    429: "Too many requests",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Gateway timeout",
}


def rest_error_body(
    status: int, message: str | None = None, details: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The REST error body ``{code, message, details}`` (``message`` defaults per status)."""
    if message is None:
        message = _REST_MESSAGES.get(status) or status_phrase(status)
    return RestError(status, message, dict(details or {})).body()
