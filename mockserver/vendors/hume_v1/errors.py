"""Error catalogue of the Hume Expression Measurement API v1: realtime and HTTP.

Realtime ``error`` messages are ``{"type": "error", "code", "message", "retryable"}``
(``hume-expression-measurement`` 0.1.0 ``types/error.py``, ``types/error_code.py``); the
codes, whether they end a session and whether they consume a video frame come from
https://dev.hume.ai/expression-measurement/docs/errors and the connect docstrings of
``audio/raw_client.py`` and ``video/raw_client.py``. HTTP errors are ``ErrorBody``
``{"type": "error", "code", "message", "request_id"}`` (``types/error_body.py``,
``types/request_error_code.py``); a 401 is ``{"message", "request_id"?}`` only
(https://dev.hume.ai/expression-measurement/docs/authentication). ``message`` wording "may
change without notice", so ours is our own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "CLOSE_CODES",
    "HTTP_STATUS_CODES",
    "REALTIME_ERRORS",
    "REQUEST_ERRORS",
    "RealtimeError",
    "RealtimeFailure",
    "RequestError",
    "RequestFailure",
    "auth_error_body",
    "error_body",
    "error_message",
    "fault_error_body",
]


@dataclass(frozen=True, slots=True)
class RealtimeError:
    """One realtime error code.

    Attributes:
        code: The wire code.
        meaning: What the docs say it means.
        ends_session: ``session.closed`` (reason ``error``) and a close follow.
        retryable: The ``retryable`` flag sent with it.
        consumes_frame: On the video endpoint, it answers a frame (pair replies by position).
        verified: The code and meaning appear in a public source.
    """

    code: str
    meaning: str
    ends_session: bool
    retryable: bool
    consumes_frame: bool
    verified: bool


REALTIME_ERRORS: dict[str, RealtimeError] = {
    e.code: e
    for e in (
        RealtimeError(
            "invalid_audio_frame",
            "An audio frame was empty, had an odd number of bytes or held more than 10 s.",
            False, True, False, True,
        ),
        RealtimeError(
            "invalid_image_frame",
            "A video frame was empty, not a JPEG or over the pixel limit.",
            False, True, True, True,
        ),
        RealtimeError(
            "rate_limited",
            "A frame arrived faster than the send rate and was not measured.",
            False, True, True, True,
        ),
        RealtimeError(
            "message_invalid",
            "A text message could not be read (not JSON, or an unknown type).",
            False, True, False, False,
        ),
        RealtimeError(
            "config_invalid",
            "A session.update was not valid, or came after the first frame.",
            True, False, False, True,
        ),
        RealtimeError(
            "message_too_large",
            "A message exceeded the size limit (1 MiB audio, 2 MB video).",
            True, False, False, True,
        ),
        RealtimeError(
            "internal_error",
            "A measurement failed (audio: the session ends; video: that frame, five in a "
            "row end the session).",
            True, False, True, True,
        ),
    )
}  # fmt: skip

#: Close code per ``session.closed`` reason (INFERRED from the SDK's reconnect policy,
#: ``reconnect/_policy.py``: 1008 follows a session-ending error; 1000 is final; a server
#: that shuts down says ``server_shutdown``). The close reason text is the same word.
CLOSE_CODES: dict[str, int] = {
    "client_request": 1000,
    "idle_timeout": 1000,
    "server_shutdown": 1001,
    "error": 1008,
}


@dataclass(frozen=True, slots=True)
class RequestError:
    """One HTTP error code: its status and whether the status is documented."""

    code: str
    status: int
    meaning: str
    verified: bool


REQUEST_ERRORS: dict[str, RequestError] = {
    e.code: e
    for e in (
        RequestError("message_invalid", 400, "The multipart body could not be read.", True),
        RequestError("config_invalid", 400, "The config part is not valid.", True),
        RequestError("audio_decode_failed", 400, "The audio could not be decoded.", False),
        RequestError("image_decode_failed", 400, "An image could not be decoded.", False),
        RequestError("invalid_request", 400, "A query parameter is not valid.", False),
        RequestError("forbidden", 403, "The key may not use this API.", False),
        RequestError("not_found", 404, "No such run or path.", False),
        RequestError("method_not_allowed", 405, "The path does not take this method.", False),
        RequestError("audio_too_long", 413, "The audio request is over 25 MB.", False),
        RequestError("image_too_large", 413, "An image is over 2 MB or the pixel limit.", False),
        RequestError("unsupported_media_type", 415, "Not WAV/PCM audio, or not a JPEG.", False),
        RequestError("internal_error", 500, "The server failed.", False),
        RequestError("server_busy", 503, "The server is overloaded.", False),
    )
}

#: The code a fault's HTTP status answers with (http_error faults, adapter errors).
HTTP_STATUS_CODES: dict[int, str] = {
    400: "invalid_request",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "image_too_large",
    415: "unsupported_media_type",
    500: "internal_error",
    503: "server_busy",
}


class RealtimeFailure(Exception):
    """A documented realtime error to send as an ``error`` message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code  # REALTIME_ERRORS key
        self.message = message  # the wire "message"

    @property
    def entry(self) -> RealtimeError:
        return REALTIME_ERRORS[self.code]


class RequestFailure(Exception):
    """A documented HTTP error: answered with its status and an ``ErrorBody``."""

    def __init__(self, code: str, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code  # REQUEST_ERRORS key
        self.message = message
        self.headers = dict(headers or {})  # e.g. Allow for 405

    @property
    def status(self) -> int:
        return REQUEST_ERRORS[self.code].status


def error_message(code: str, message: str, *, retryable: bool | None = None) -> dict[str, Any]:
    """The realtime ``error`` message (``retryable`` defaults to the catalogue's)."""
    flag = REALTIME_ERRORS[code].retryable if retryable is None else retryable
    return {"type": "error", "code": code, "message": message, "retryable": flag}


def error_body(code: str, message: str, request_id: str) -> dict[str, Any]:
    """The HTTP ``ErrorBody``."""
    return {"type": "error", "code": code, "message": message, "request_id": request_id}


def auth_error_body(message: str, request_id: str | None) -> dict[str, Any]:
    """The 401 body: ``message``, plus ``request_id`` when an API key was rejected."""
    body: dict[str, Any] = {"message": message}
    if request_id is not None:
        body["request_id"] = request_id
    return body


def fault_error_body(status: int, message: str | None = None) -> dict[str, Any]:
    """The body of an HTTP status given by a fault or the transport (no request id known)."""
    if status == 401:
        return auth_error_body(message or "Invalid API key.", "0" * 32)
    code = HTTP_STATUS_CODES.get(status, "internal_error" if status >= 500 else "invalid_request")
    text = message or REQUEST_ERRORS[code].meaning
    return error_body(code, text, "0" * 32)
