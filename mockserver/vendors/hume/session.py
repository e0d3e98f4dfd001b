"""One connection to ``/v0/stream/models``, as a sans-I/O state machine.

Text frames in; response frames, close requests and deadlines out. The adapter pumps; a
unit test can drive the session from a list with a manual clock. Rules implemented here
(Hume's streaming definition, https://dev.hume.ai/docs/resources/errors,
https://dev.hume.ai/docs/expression-measurement/websocket):

* exactly one response frame per request frame, in order (also for messages that only
  carry ``job_details`` or ``reset_stream``);
* ``payload_id`` echoed on predictions and errors, ``job_details`` added when asked;
* one 32-hex-character ``job_id`` per connection;
* inactivity close (default 60 s) and an optional maximum duration;
* close after N identical errors ("ten identical configuration errors", "in a row");
* internal failures answer I0100 and are reported to the adapter, never leaked.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mockserver.core.clock import Clock
from mockserver.core.events import CloseConnection, InternalFailure, OutboundEvent, SendText
from mockserver.core.rng import SeedSource

from .codec import PublishRequest, decode_publish, encode, error_body, parse_json, request_echo
from .config import HumeSettings
from .errors import CLOSE_CODES, HumeError
from .options import ModelConfig

if TYPE_CHECKING:
    from .engine import ConnectionContext
    from .script import HumeScript

__all__ = ["HumeSession", "SessionState"]

logger = logging.getLogger("mockserver.hume")


class SessionState(enum.Enum):
    OPEN = "open"  # serving requests
    CLOSING = "closing"  # a close was requested; further frames are ignored
    CLOSED = "closed"  # the transport is gone


class HumeSession:
    """The server side of one WebSocket connection.

    Args:
        settings: The Hume emulator settings.
        clock: Monotonic time (inactivity and duration limits).
        seeds: Seeded randomness for predictions.
        job_id: This connection's job id (32 lowercase hex characters).
        connection_id: Name used in logs and the journal.
        script: Returns the active scenarios' Hume script, or None (called per request;
            see ``script.py``).
    """

    def __init__(
        self,
        *,
        settings: HumeSettings,
        clock: Clock,
        seeds: SeedSource,
        job_id: str,
        connection_id: str = "hume",
        script: Callable[[], HumeScript | None] | None = None,
    ) -> None:
        self.settings = settings
        self.job_id = job_id  # one per connection (32 characters: hume-python-sdk live test)
        self.connection_id = connection_id
        self.state = SessionState.OPEN
        self._clock = clock
        self._seeds = seeds
        self._opened_at = clock.now()  # for max_connection_s
        self._last_activity = self._opened_at  # last client frame, for the inactivity close
        self._outbox: list[OutboundEvent] = []  # drained by events_to_send()
        self._last_models: ModelConfig | None = None  # for missing_models = "reuse"
        self._context: ConnectionContext | None = None  # model state, created on first media
        self._error_counts: dict[tuple[str, str], int] = {}  # identical-error counter
        self._requests = 0  # frames answered
        self._script = script  # scenario hook: scripted responses provider
        self._measures: dict[str, Any] = {}  # of the last frame, for take_measures()

    # -- inputs -------------------------------------------------------------------------

    def receive(self, message: str | bytes) -> None:
        """Handle one frame: text (a publish message) or binary."""
        if isinstance(message, str):
            self.receive_text(message)
        else:
            self.receive_binary(message)

    def receive_end(self) -> None:
        """WebSocket has no half-close: nothing to do."""

    def take_measures(self) -> dict[str, Any] | None:
        """What the server measured of the last frame (file type, audio and video
        milliseconds, image size, text length, face count; see
        ``engine.measure_payload``), once, for the journal; None for a frame it did not
        read as media."""
        measures, self._measures = self._measures, {}
        return measures or None

    def receive_text(self, text: str) -> None:
        """Handle one text frame: queue exactly one response."""
        if self.state is not SessionState.OPEN:
            return
        self._last_activity = self._clock.now()
        self._requests += 1
        self._measures = {}
        payload_id: str | None = None
        wants_job = False
        try:
            payload = parse_json(text)
            payload_id, wants_job = request_echo(payload)
            request = decode_publish(payload)
            # -- scenario hook: scripted errors/warnings before the engine, edits after it --
            script = self._script() if self._script is not None else None
            if script is None:
                response = self._process(request)
            else:
                models = self._scripted_models(request)
                data_urls = self.settings.accept_data_urls
                try:
                    early = script.before(
                        request, index=self._requests, models=models, accept_data_urls=data_urls
                    )
                except HumeError:  # a scripted error: the payload is measured, not processed
                    self._measure_only(request)
                    raise
                if early is not None:
                    self._measure_only(request)
                    response = {**early, **self._echo(request)}
                else:
                    response = self._process(request)
                    script.after(
                        request,
                        response,
                        index=self._requests,
                        models=models,
                        accept_data_urls=data_urls,
                    )
        except HumeError as err:
            self._reply_error(err, payload_id, wants_job)
            return
        except Exception as exc:
            logger.exception("%s: internal error while handling a frame", self.connection_id)
            self._outbox.append(InternalFailure(f"hume session {self.connection_id}", exc))
            self._send(error_body(HumeError.make("I0100"), payload_id=payload_id, job_id=None))
            return
        self._error_counts_after_success()
        self._send(response)

    def receive_binary(self, data: bytes) -> None:
        """Binary frames are not part of the protocol: answer E0100 and keep serving."""
        if self.state is not SessionState.OPEN:
            return
        self._last_activity = self._clock.now()
        self._requests += 1
        detail = f"received a binary frame of {len(data)} bytes; send JSON as a text frame"
        self._reply_error(HumeError.make("E0100", detail=detail), None, False)

    def connection_lost(self, code: int | None = None, reason: str | None = None) -> None:
        """The transport is gone (client close, drop, or our own close completed)."""
        self.state = SessionState.CLOSED

    connection_closed = connection_lost

    def shutdown(self) -> None:
        """The server is stopping: the v0 stream has no goodbye message (the adapter closes
        with 1001)."""

    # -- time ---------------------------------------------------------------------------

    def next_deadline(self) -> float | None:
        """When :meth:`tick` must next be called, or None."""
        if self.state is not SessionState.OPEN:
            return None
        deadline = self._last_activity + self.settings.inactivity_timeout_s
        if self.settings.max_connection_s > 0:
            deadline = min(deadline, self._opened_at + self.settings.max_connection_s)
        return deadline

    def tick(self, now: float) -> None:
        """Apply the inactivity and duration limits."""
        if self.state is not SessionState.OPEN:
            return
        limit = self.settings.max_connection_s
        if limit > 0 and now >= self._opened_at + limit:
            self._close("max_duration", seconds=limit)
        elif now >= self._last_activity + self.settings.inactivity_timeout_s:
            self._close("inactivity", seconds=self.settings.inactivity_timeout_s)

    # -- outputs ------------------------------------------------------------------------

    def events_to_send(self) -> list[OutboundEvent]:
        """Drain the queued events, in order."""
        events, self._outbox = self._outbox, []
        return events

    # -- internals ----------------------------------------------------------------------

    def _process(self, request: PublishRequest) -> dict[str, Any]:
        body = self._echo(request)
        if request.data is None:
            if not (request.reset_stream or request.job_details):
                missing = (
                    "data: Field required"
                    if request.models
                    else ("payload: Nothing to process: send data, reset_stream or job_details")
                )
                raise HumeError.make("E0101", detail=missing)
            if request.reset_stream and self._context is not None:
                self._context.window.reset()
            return body
        models = self._models_for(request)
        from . import engine  # noqa: PLC0415  NumPy, PyAV, OpenCV: loaded on first media

        if self._context is None:
            self._context = engine.ConnectionContext()
        if request.reset_stream:
            self._context.window.reset()
        body.update(
            engine.run_models(
                request,
                models,
                self._context,
                settings=self.settings,
                seeds=self._seeds,
                measures=self._measures,
            )
        )
        self._last_models = models
        return body

    def _measure_only(self, request: PublishRequest) -> None:
        """Measure a payload whose reply a scenario scripted before the engine."""
        if request.data is None:
            return
        from . import engine  # noqa: PLC0415  NumPy, PyAV, OpenCV: loaded on first media

        self._measures = engine.measure_payload(
            request, self._own_or_reused_models(request), settings=self.settings
        )

    def _echo(self, request: PublishRequest) -> dict[str, Any]:
        """``payload_id`` and ``job_details`` as every response echoes them."""
        echo: dict[str, Any] = {}
        if request.payload_id is not None:
            echo["payload_id"] = request.payload_id
        if request.job_details:
            echo["job_details"] = {"job_id": self.job_id}
        return echo

    def _own_or_reused_models(self, request: PublishRequest) -> ModelConfig | None:
        """The request's models, else the connection's last ones if ``missing_models=reuse``."""
        if request.models is None and self.settings.missing_models == "reuse":
            return self._last_models
        return request.models

    def _scripted_models(self, request: PublishRequest) -> tuple[str, ...]:
        """Scenario hook: the models a request runs (its own or the reused ones)."""
        models = self._own_or_reused_models(request)
        return models.names() if models is not None else ()

    def _models_for(self, request: PublishRequest) -> ModelConfig:
        models = self._own_or_reused_models(request)
        if models is None:
            raise HumeError.make(
                "E0101",
                detail="models: Field required (no models are configured on this connection)",
            )
        if not models.names():
            raise HumeError.make(
                "E0101",
                detail="models: At least one of burst, face, facemesh, language or "
                "prosody must be configured",
            )
        return models

    def _reply_error(self, err: HumeError, payload_id: str | None, wants_job: bool) -> None:
        self._send(
            error_body(err, payload_id=payload_id, job_id=self.job_id if wants_job else None)
        )
        limit = self.settings.repeated_error_limit
        if not limit:
            return
        signature = (err.code, err.message)
        if self.settings.repeated_error_mode == "consecutive":
            count = self._error_counts.get(signature, 0) + 1
            self._error_counts = {signature: count}
        else:
            count = self._error_counts.get(signature, 0) + 1
            self._error_counts[signature] = count
        if count >= limit:
            self._close("repeated_errors", count=count, message=err.message)

    def _error_counts_after_success(self) -> None:
        if self.settings.repeated_error_mode == "consecutive":
            self._error_counts.clear()

    def _send(self, body: dict[str, Any]) -> None:
        self._outbox.append(SendText(encode(body)))

    def _close(self, kind: str, **fields: Any) -> None:
        code, template = CLOSE_CODES[kind]
        reason = _truncate_reason(template.format(**fields))
        self.state = SessionState.CLOSING
        logger.debug("%s: closing (%s): %s", self.connection_id, code, reason)
        self._outbox.append(CloseConnection(code, reason))


def _truncate_reason(reason: str, limit: int = 123) -> str:
    """Close reasons are limited to 123 UTF-8 bytes (RFC 6455 section 5.5)."""
    encoded = reason.encode("utf-8")
    if len(encoded) <= limit:
        return reason
    return encoded[: limit - 3].decode("utf-8", "ignore") + "..."
