"""Realtime sessions of the Expression Measurement API v1, as sans-I/O state machines.

One session per WebSocket connection to ``/v1/expression/audio/realtime`` or
``/v1/expression/video/realtime``: text and binary frames in; ``SendText``,
``CloseConnection`` and ``InternalFailure`` events and deadlines out. Rules
(``hume-expression-measurement`` 0.1.0 ``audio/raw_client.py`` and ``video/raw_client.py``
connect docstrings, README "Errors" and "Configuration";
https://dev.hume.ai/expression-measurement/docs/sessions):

* ``session.created`` (session id = run id, default configuration) as soon as the
  connection opens;
* ``session.update`` replaces the configuration (omitted fields reset to defaults) and is
  answered by ``session.updated``; after the first accepted frame, or when it is not valid,
  it ends the session with ``config_invalid``;
* a message over the size limit ends the session with ``message_too_large``;
* ``session.close`` is answered by the results still due, then ``session.closed`` (reason
  ``client_request``) and a close; a session-ending error sends ``session.closed`` with
  reason ``error`` and closes with 1008; the idle timeout sends reason ``idle_timeout``;
  a server shutdown sends ``server_shutdown`` (close codes: :data:`.errors.CLOSE_CODES`);
* unreadable text is ``message_invalid`` and the session continues (INFERRED; setting
  ``message_invalid_ends_session``).

Audio frames: invalid ones get ``invalid_audio_frame``, frames over the send rate get
``rate_limited``; accepted audio is joined and measured (:mod:`.utterances`). Video frames:
exactly one reply each, in order: ``measurement.result`` (``frame_id`` counts results) or an
``invalid_image_frame`` / ``rate_limited`` / ``internal_error`` error; five measurement
failures in a row end the session. Each session records its run (:mod:`.runs`).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mockserver.core.clock import Clock
from mockserver.core.events import CloseConnection, InternalFailure, OutboundEvent, SendText
from mockserver.core.rng import SeedSource

from .codec import (
    AudioSessionConfig,
    ClientMessage,
    ConfigProblem,
    VideoSessionConfig,
    encode,
    parse_audio_update,
    parse_client_message,
    parse_video_update,
)
from .config import HumeV1Settings
from .errors import CLOSE_CODES, RealtimeFailure, error_message
from .formats import BYTES_PER_MS, audio_frame_problem, image_problem
from .labels import LabelSet
from .runs import RunStore

if TYPE_CHECKING:
    from .engine import FaceTracker
    from .utterances import UtteranceTracker

__all__ = [
    "VIDEO_FAILURE_LIMIT",
    "AudioSession",
    "SessionState",
    "TokenBucket",
    "VideoSession",
]

logger = logging.getLogger("mockserver.hume_v1")

#: "Five failures in a row end the session" (video ``internal_error``).
VIDEO_FAILURE_LIMIT = 5
_SECONDS_PER_IMAGE = 1.0 / 3.0  # billing: a third of a second per frame


class SessionState(enum.Enum):
    OPEN = "open"  # serving
    CLOSING = "closing"  # session.closed sent and a close requested; input is ignored
    CLOSED = "closed"  # the transport is gone


class TokenBucket:
    """A send-rate allowance: ``rate`` units per second, at most ``capacity`` saved up,
    full at the first frame. ``rate`` 0 means no limit."""

    __slots__ = ("_at", "_tokens", "capacity", "rate")

    def __init__(self, rate: float, capacity: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self._tokens = capacity  # allowance left
        self._at: float | None = None  # clock reading of the last refill

    def take(self, amount: float, now: float) -> bool:
        """Spend ``amount`` if the allowance holds it; False (nothing spent) otherwise."""
        if self.rate <= 0:
            return True
        if self._at is not None:
            self._tokens = min(self.capacity, self._tokens + (now - self._at) * self.rate)
        self._at = now
        if amount > self._tokens + 1e-9:
            return False
        self._tokens -= amount
        return True


class _RealtimeSession:
    """What both realtime endpoints share: configuration, control messages, endings."""

    endpoint = ""  # "audio" or "video"

    def __init__(
        self,
        *,
        settings: HumeV1Settings,
        clock: Clock,
        seeds: SeedSource,
        labels: LabelSet,
        runs: RunStore,
        user_id: str,
        connection_id: str,
    ) -> None:
        self.settings = settings
        self.labels = labels
        self.connection_id = connection_id
        self.state = SessionState.OPEN
        self._clock = clock
        self._seeds = seeds
        self._outbox: list[OutboundEvent] = []  # drained by events_to_send()
        self._last_activity = clock.now()  # last client message (idle timeout)
        self._locked = False  # a frame was accepted: session.update is refused
        self._ended_by: str | None = None  # session.closed reason, once sent
        self._init_endpoint()
        self._run = runs.start(
            user_id=user_id, endpoint=self.endpoint, mode="realtime", config=self._config()
        )
        self.session_id = self._run.run_id  # also the run id
        self._send({"type": "session.created", "session_id": self.session_id, **self._config()})

    # -- what subclasses provide --------------------------------------------------------

    def _init_endpoint(self) -> None:
        """Initialise the endpoint's own state (before the first message is built)."""
        raise NotImplementedError

    @property
    def _max_message(self) -> int:
        raise NotImplementedError

    def _config(self) -> dict[str, Any]:
        raise NotImplementedError

    def _update(self, message: ClientMessage) -> None:
        raise NotImplementedError

    def _totals(self) -> dict[str, Any]:
        raise NotImplementedError

    def _closing_results(self) -> None:
        """Results still due when the client asks to close (audio: the open utterance)."""

    # -- inputs -------------------------------------------------------------------------

    def receive(self, message: str | bytes) -> None:
        """One frame: text (a JSON message) or binary (audio samples or an image)."""
        if isinstance(message, str):
            self.receive_text(message)
        else:
            self.receive_binary(message)

    def receive_end(self) -> None:
        """WebSocket has no half-close: nothing to do."""

    def receive_text(self, text: str) -> None:
        """A text frame: ``session.update``, ``session.close``, or an error."""
        if self.state is not SessionState.OPEN:
            return
        self._activity()
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > self._max_message:
            self._too_large(size)
            return
        try:
            message = parse_client_message(text)
        except RealtimeFailure as failure:
            self._error(failure.code, failure.message)
            if self.settings.message_invalid_ends_session:
                self._end("error")
            return
        if message.type == "session.close":
            self._safely(self._closing_results)
            if self.state is SessionState.OPEN:
                self._end("client_request")
            return
        if self._locked:
            self._fatal(
                "config_invalid",
                "session.update was sent after the first frame; the configuration locks "
                "once the first frame is accepted",
            )
            return
        try:
            self._update(message)
        except ConfigProblem as problem:
            self._fatal("config_invalid", f"session.update is not valid: {problem.message}")
            return
        self._run.configure(self._config())
        self._send({"type": "session.updated", **self._config()})

    def receive_binary(self, data: bytes) -> None:
        raise NotImplementedError

    def connection_lost(self, code: int | None = None, reason: str | None = None) -> None:
        """The transport is gone. ``code``/``reason``: the close frame that ended it (sent
        or received; 1005 = the client's frame had no code), None if the connection was
        lost without one. Records how the run ended."""
        if self.state is SessionState.CLOSED:
            return
        self.state = SessionState.CLOSED
        if code is None:
            self._run.end(errored=True, close_code=1011, close_reason="error")
        elif code == 1005:
            self._run.end(errored=self._ended_by == "error")
        else:
            errored = self._ended_by == "error" or code in (1009, 1011)  # too big, failure
            self._run.end(errored=errored, close_code=code, close_reason=reason or None)

    def shutdown(self) -> None:
        """The server is stopping: ``session.closed`` with reason ``server_shutdown``."""
        if self.state is SessionState.OPEN:
            self._end("server_shutdown")

    # -- time ---------------------------------------------------------------------------

    def next_deadline(self) -> float | None:
        """When :meth:`tick` must next be called (the idle timeout), or None."""
        if self.state is not SessionState.OPEN or self.settings.idle_timeout_s <= 0:
            return None
        return self._last_activity + self.settings.idle_timeout_s

    def tick(self, now: float) -> None:
        """End an idle session."""
        deadline = self.next_deadline()
        if deadline is not None and now >= deadline:
            self._end("idle_timeout")

    # -- outputs ------------------------------------------------------------------------

    def events_to_send(self) -> list[OutboundEvent]:
        """Drain the queued events, in order."""
        events, self._outbox = self._outbox, []
        return events

    # -- helpers ------------------------------------------------------------------------

    def _activity(self) -> None:
        self._last_activity = self._clock.now()
        self._run.heard()

    def _send(self, message: dict[str, Any]) -> None:
        self._outbox.append(SendText(encode(message)))

    def _error(self, code: str, message: str, *, retryable: bool | None = None) -> None:
        self._send(error_message(code, message, retryable=retryable))

    def _fatal(self, code: str, message: str) -> None:
        """A session-ending error: the error, ``session.closed`` (error) and a close."""
        self._error(code, message)
        self._end("error")

    def _too_large(self, size: int) -> None:
        limit = self._max_message
        self._run.event("message_too_large", {"limit_bytes": limit})
        self._fatal(
            "message_too_large",
            f"the message is {size} bytes; the limit is {limit} bytes",
        )

    def _end(self, reason: str) -> None:
        self._ended_by = reason
        self._send(
            {
                "type": "session.closed",
                "session_id": self.session_id,
                "reason": reason,
                **self._totals(),
            }
        )
        self.state = SessionState.CLOSING
        logger.debug("%s: session ended (%s)", self.connection_id, reason)
        self._outbox.append(CloseConnection(CLOSE_CODES[reason], reason))

    def _internal(self, where: str, exc: Exception) -> None:
        logger.exception("%s: internal error in %s", self.connection_id, where)
        self._outbox.append(InternalFailure(f"hume_v1 {where} {self.connection_id}", exc))

    def _safely(self, action: Callable[[], None]) -> None:
        """Run a measurement step; an unexpected exception is an audio internal_error."""
        try:
            action()
        except Exception as exc:
            self._internal("measurement", exc)
            self._fatal("internal_error", "the measurement failed; open a new connection")


class AudioSession(_RealtimeSession):
    """``/v1/expression/audio/realtime``: PCM frames in, utterances and measurements out."""

    endpoint = "audio"

    def _init_endpoint(self) -> None:
        settings = self.settings
        self._audio = AudioSessionConfig()  # the configuration in effect
        self._tracker: UtteranceTracker | None = None  # created at the first accepted frame
        self._frames = 0  # accepted frames
        self._bytes = 0  # accepted audio bytes
        # send rate in milliseconds of audio per second
        self._bucket = TokenBucket(settings.audio_send_rate * 1000.0, settings.audio_burst_ms)

    @property
    def _max_message(self) -> int:
        return self.settings.max_audio_message_bytes

    def _config(self) -> dict[str, Any]:
        return self._audio.to_json()

    def _update(self, message: ClientMessage) -> None:
        self._audio = parse_audio_update(message)

    def _totals(self) -> dict[str, Any]:
        tracker = self._tracker
        return {
            "received": {"audio_duration_ms": self._bytes // BYTES_PER_MS, "frames": self._frames},
            "produced": {
                "utterances": tracker.utterances if tracker else 0,
                "measurements": tracker.measurements if tracker else 0,
            },
        }

    def receive_binary(self, data: bytes) -> None:
        """One audio frame: rejected, rate-limited, or joined to the stream and measured."""
        if self.state is not SessionState.OPEN:
            return
        self._activity()
        if len(data) > self._max_message:
            self._too_large(len(data))
            return
        problem = audio_frame_problem(data)
        if problem is not None:
            self._run.event("invalid_audio_frame", {"detail": problem})
            self._error("invalid_audio_frame", problem)
            return
        if not self._bucket.take(len(data) / BYTES_PER_MS, self._clock.now()):
            self._run.event("rate_limited")
            self._error(
                "rate_limited",
                "audio arrived faster than 1 second per second; this frame was not "
                "measured: wait briefly and send it again",
            )
            return
        self._locked = True
        self._frames += 1
        self._bytes += len(data)
        self._run.took(seconds=len(data) / (BYTES_PER_MS * 1000), size=len(data))
        self._safely(lambda: self._measure(data))

    def _measure(self, data: bytes) -> None:
        if self._tracker is None:
            self._tracker = self._new_tracker()
        for event in self._tracker.push(data):
            self._send(event.to_json())

    def _closing_results(self) -> None:
        if self._tracker is not None:
            for event in self._tracker.finish():
                self._send(event.to_json())

    def _new_tracker(self) -> UtteranceTracker:
        from . import engine  # noqa: PLC0415  NumPy, the media stack: with the first audio
        from .utterances import UtteranceTracker  # noqa: PLC0415  NumPy (as above)

        labels, seeds = self.labels, self._seeds

        def scorer(samples: Any, start_ms: int, end_ms: int) -> Any:
            return engine.score_audio(
                samples, start_ms=start_ms, end_ms=end_ms, labels=labels, seeds=seeds
            )

        return UtteranceTracker(
            timer_ms=self._audio.measurement_timer_ms,
            gap_ms=self.settings.utterance_gap_ms,
            scorer=scorer,
        )


class VideoSession(_RealtimeSession):
    """``/v1/expression/video/realtime``: one JPEG per frame, one reply per frame."""

    endpoint = "video"

    def _init_endpoint(self) -> None:
        settings = self.settings
        self._video = VideoSessionConfig()  # the configuration in effect
        self._tracker: FaceTracker | None = None  # face ids of this session
        self._received = 0  # frames accepted for measurement
        self._results = 0  # measurement.result messages (the next frame_id)
        self._faces_measured = 0  # produced.measurements counts faces
        self._failures = 0  # consecutive internal errors
        self._bucket = TokenBucket(settings.video_fps, settings.video_burst_frames)

    @property
    def _max_message(self) -> int:
        return self.settings.max_video_message_bytes

    def _config(self) -> dict[str, Any]:
        return self._video.to_json()

    def _update(self, message: ClientMessage) -> None:
        self._video = parse_video_update(message)

    def _totals(self) -> dict[str, Any]:
        return {
            "received": {"frames": self._received},
            "produced": {"measurements": self._faces_measured},
        }

    def receive_binary(self, data: bytes) -> None:
        """One frame: exactly one reply (a result or a frame error), unless it ends the
        session."""
        if self.state is not SessionState.OPEN:
            return
        self._activity()
        if len(data) > self._max_message:
            self._too_large(len(data))
            return
        if not self._bucket.take(1.0, self._clock.now()):
            self._run.event("rate_limited")
            self._error(
                "rate_limited",
                "frames arrived faster than 3 per second; this frame was not measured",
            )
            return
        self._run.took(seconds=_SECONDS_PER_IMAGE, size=len(data))
        problem = image_problem(data, max_pixels=self.settings.max_image_pixels)
        if problem is not None:
            self._reject_frame(problem.message)
            return
        from . import engine  # noqa: PLC0415  NumPy, Pillow, OpenCV: with the first frame

        try:
            rgb = engine.decode_jpeg(data)
        except ValueError as exc:
            self._reject_frame(str(exc))
            return
        self._locked = True
        self._received += 1
        if self._tracker is None:
            self._tracker = engine.FaceTracker()
        try:
            result = engine.measure_image(
                rgb,
                face=self._video.face,
                tracker=self._tracker,
                labels=self.labels,
                seeds=self._seeds,
                max_measured=self.settings.max_faces_measured,
            )
        except Exception as exc:
            self._measurement_failed(exc)
            return
        self._failures = 0
        self._faces_measured += result.measured
        self._send({"type": "measurement.result", "frame_id": self._results, "faces": result.faces})
        self._results += 1

    def _reject_frame(self, detail: str) -> None:
        self._run.event("invalid_image_frame", {"detail": detail})
        self._error("invalid_image_frame", detail)

    def _measurement_failed(self, exc: Exception) -> None:
        self._internal("face measurement", exc)
        self._failures += 1
        retryable = False  # the emulator's failures are not temporary
        self._run.event("inference_failed", {"retryable": retryable, "consecutive": self._failures})
        self._error(
            "internal_error",
            "the measurement of this frame failed",
            retryable=retryable,
        )
        if self._failures >= VIDEO_FAILURE_LIMIT:
            self._end("error")
