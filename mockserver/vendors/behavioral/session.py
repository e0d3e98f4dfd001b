"""One ``StreamAudio`` or ``DeepfakeDetection`` call, as a sans-I/O state machine.

Request messages in; ``StreamResult`` messages, the final status and deadlines out. Rules
(``protos/api.proto`` comments, readme.io /docs/streaming-using-a-bare-grpc-client; status
codes are INFERRED, none is published):

* the first message must carry ``config`` (INVALID_ARGUMENT otherwise) and, in strict mode,
  no audio; later messages must not carry ``config`` (strict) and carry audio;
* ``cid`` and ``x_auth_token`` are checked on every message (UNAUTHENTICATED for an unknown
  token, PERMISSION_DENIED for another project's token or a changed cid);
* audio is s16le PCM at any positive rate, placed on a 16 kHz timeline; odd bytes wait for
  the next chunk; empty chunks are ignored;
* each window the segmenter closes becomes one ``StreamResult`` (one ``InferenceResult`` per
  task) if the ``level`` filter admits it; ``message_id`` counts 0, 1, 2...;
* on half-close the pending segment and utterance are flushed, then status OK;
* results go out as soon as computed, or (``pacing = realtime``) when the wall clock
  reaches their audio end time since the stream started;
* every stream is a process (one ``pid``) that the REST API lists and returns results for.
"""

from __future__ import annotations

import enum
import logging
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, Protocol

from mockserver.core.clock import Clock
from mockserver.core.events import EndCall, InternalFailure, OutboundEvent, SendMessage
from mockserver.core.rng import SeedSource

from .codec import AudioConfigData, AudioStreamData, MalformedAudioStream
from .config import BehavioralSettings
from .errors import GrpcError
from .projects import ProjectRegistry
from .results import InferenceResult, StreamResult
from .slots import StreamSlots

if TYPE_CHECKING:
    from .script import BehavioralScript
    from .segmenter import StreamSegmenter, Window

__all__ = ["MAX_SAMPLE_RATE", "METHOD_NAMESPACES", "ProcessSink", "StreamSession", "StreamState"]

#: Highest accepted ``sample_rate_hertz`` (no real audio exceeds 384 kHz; INFERRED bound).
MAX_SAMPLE_RATE = 384_000

logger = logging.getLogger("mockserver.behavioral")

#: Which REST namespace a stream's process belongs to (INFERRED from the SDK's namespaces).
METHOD_NAMESPACES: dict[str, Literal["behavioral", "detection"]] = {
    "StreamAudio": "behavioral",
    "DeepfakeDetection": "detection",
}


class ProcessSink(Protocol):
    """The part of the process store a stream uses."""

    def open_stream(self, *, cid: int, namespace: Literal["behavioral", "detection"]) -> int: ...
    def close_stream(
        self, pid: int, *, results: list[InferenceResult], duration_s: float
    ) -> None: ...
    def set_outcome(self, pid: int, status: int, message: str) -> None: ...


class StreamState(enum.Enum):
    WAITING_CONFIG = "waiting_config"  # nothing received yet
    STREAMING = "streaming"  # config accepted, audio flowing
    DRAINING = "draining"  # half-closed; realtime results still due
    FINISHED = "finished"  # status sent (or call cancelled)


class StreamSession:
    """The server side of one streaming call.

    Args:
        method: ``"StreamAudio"`` or ``"DeepfakeDetection"``.
        settings: The emulator's Behavioral Signals settings.
        clock: Monotonic time (idle limit, duration limit, realtime pacing).
        seeds: Seeded randomness of the predictions.
        projects: Accepted credentials.
        slots: Concurrent-stream limit per project.
        processes: Where the stream registers its process and results.
        call_id: Name used in logs.
        script: Returns the active scenarios' Behavioral Signals script, or None (called
            per window; see ``script.py``).
    """

    def __init__(
        self,
        *,
        method: str,
        settings: BehavioralSettings,
        clock: Clock,
        seeds: SeedSource,
        projects: ProjectRegistry,
        slots: StreamSlots,
        processes: ProcessSink,
        call_id: str = "behavioral",
        script: Callable[[], BehavioralScript | None] | None = None,
    ) -> None:
        self.method = method
        self.settings = settings
        self.call_id = call_id
        self.state = StreamState.WAITING_CONFIG
        self._clock = clock
        self._seeds = seeds
        self._projects = projects
        self._slots = slots
        self._processes = processes
        self._started_at = clock.now()  # call start: duration limit, realtime pacing
        self._last_message = self._started_at  # idle limit
        self._outbox: list[OutboundEvent] = []
        self._pending: deque[tuple[float, StreamResult]] = deque()  # (due time, result)
        self._cid: int | None = None  # the project, from the first message
        self._pid: int | None = None  # the stream's process
        self._config: AudioConfigData | None = None
        self._segmenter: StreamSegmenter | None = None
        self._messages = 0  # request messages received
        self._next_message_id = 0  # message_id of the next StreamResult
        self._delivered: list[InferenceResult] = []  # every result sent, for REST
        self._holds_slot = False  # a concurrency slot is held for self._cid
        self._process_closed = False  # close_stream was called
        self._script = script  # scenario hook: scripted results provider

    @property
    def pid(self) -> int | None:
        return self._pid

    # -- inputs -----------------------------------------------------------------------------

    def receive(self, message: AudioStreamData | MalformedAudioStream) -> None:
        """Handle one ``AudioStream`` request message (or bytes that are not one)."""
        if self.state not in (StreamState.WAITING_CONFIG, StreamState.STREAMING):
            return
        self._last_message = self._clock.now()
        self._messages += 1
        if isinstance(message, MalformedAudioStream):  # INFERRED status (docs/fidelity.md)
            err = GrpcError.make("malformed_message", detail=message.detail)
            self._finish(self.settings.malformed_message_status.upper(), err.details)
            return
        try:
            self._authorize(message)
            if self.state is StreamState.WAITING_CONFIG:
                self._start(message)
            elif message.config is not None and self.settings.strict_first_message:
                raise GrpcError.make("late_config", index=self._messages)
            if message.audio_content and self.state is StreamState.STREAMING:
                self._windows(self._segmenter_for().push(message.audio_content))
        except GrpcError as err:
            self._finish(err.status, err.details)
        except Exception as exc:
            self._internal(exc)

    def receive_end(self) -> None:
        """The client half-closed: flush the last segment and utterance, then finish OK."""
        if self.state is StreamState.WAITING_CONFIG:
            self._finish("OK", "")  # nothing was configured: zero results
            return
        if self.state is not StreamState.STREAMING:
            return
        try:
            if self._segmenter is not None:
                self._windows(self._segmenter.finish())
        except Exception as exc:
            self._internal(exc)
            return
        self.state = StreamState.DRAINING
        self._release(self._clock.now())

    def connection_lost(self, code: int | None = None, reason: str | None = None) -> None:
        """The call ended (cancelled, dropped, or ended by a fault): clean up silently."""
        if self.state is StreamState.FINISHED:
            return
        self._close_process(error=None)
        self.state = StreamState.FINISHED

    cancel = connection_lost

    def shutdown(self) -> None:
        """The server is stopping: gRPC cancels the call (no goodbye message)."""

    # -- time -----------------------------------------------------------------------------

    def next_deadline(self) -> float | None:
        """When :meth:`tick` must next be called, or None."""
        if self.state is StreamState.FINISHED:
            return None
        deadlines: list[float] = []
        if self._pending:
            deadlines.append(self._pending[0][0])
        if self.state is not StreamState.DRAINING:
            if self.settings.stream_idle_timeout_s > 0:
                deadlines.append(self._last_message + self.settings.stream_idle_timeout_s)
            if self.settings.max_stream_s > 0:
                deadlines.append(self._started_at + self.settings.max_stream_s)
        return min(deadlines) if deadlines else None

    def tick(self, now: float) -> None:
        """Release due results and apply the idle and duration limits."""
        if self.state is StreamState.FINISHED:
            return
        self._release(now)
        if self.state in (StreamState.FINISHED, StreamState.DRAINING):
            return
        limit = self.settings.max_stream_s
        idle = self.settings.stream_idle_timeout_s
        if limit > 0 and now >= self._started_at + limit:
            err = GrpcError.make("max_duration", seconds=limit)
            self._finish(err.status, err.details)
        elif idle > 0 and now >= self._last_message + idle:
            err = GrpcError.make("idle", seconds=idle)
            self._finish(err.status, err.details)

    def events_to_send(self) -> list[OutboundEvent]:
        events, self._outbox = self._outbox, []
        return events

    # -- internals ------------------------------------------------------------------------

    def _authorize(self, message: AudioStreamData) -> None:
        verdict = self._projects.check(message.cid, message.x_auth_token)
        if verdict == "unknown_token":
            raise GrpcError.make("unauthenticated")
        if verdict == "wrong_project":
            raise GrpcError.make("permission_denied", cid=message.cid)
        if self._cid is not None and message.cid != self._cid:
            raise GrpcError.make("cid_changed", first=self._cid, now=message.cid)

    def _start(self, message: AudioStreamData) -> None:
        config = message.config
        if config is None:
            raise GrpcError.make("missing_config")
        if message.audio_content and self.settings.strict_first_message:
            raise GrpcError.make("audio_in_first_message")
        if config.encoding != 0:
            raise GrpcError.make("bad_encoding", value=config.encoding)
        if not 0 < config.sample_rate_hertz <= MAX_SAMPLE_RATE:
            raise GrpcError.make(
                "bad_sample_rate", value=config.sample_rate_hertz, limit=MAX_SAMPLE_RATE
            )
        if config.level is not None and config.level not in ("segment", "utterance"):
            raise GrpcError.make("bad_level", value=config.level.removeprefix("unknown:"))
        if not self._slots.acquire(message.cid):
            raise GrpcError.make("too_many_streams", cid=message.cid, limit=self._slots.limit)
        self._holds_slot = True
        self._cid = message.cid
        self._config = config
        self._pid = self._processes.open_stream(
            cid=message.cid, namespace=METHOD_NAMESPACES[self.method]
        )
        self.state = StreamState.STREAMING

    def _segmenter_for(self) -> StreamSegmenter:
        if self._segmenter is None:
            from .segmenter import StreamSegmenter  # noqa: PLC0415  NumPy: on first audio

            assert self._config is not None
            self._segmenter = StreamSegmenter(
                self._config.sample_rate_hertz,
                segment_s=self.settings.segment_s,
                utterance_gap_s=self.settings.utterance_gap_s,
                min_tail_segment_s=self.settings.min_tail_segment_s,
            )
        return self._segmenter

    def _windows(self, windows: list[Window]) -> None:
        """Turn closed windows into results (level filter, message ids, pacing)."""
        from .engine import window_results  # noqa: PLC0415  NumPy: loaded on first audio

        assert self._config is not None and self._cid is not None and self._pid is not None
        segmenter = self._segmenter
        assert segmenter is not None
        wanted = self._config.level
        for window in windows:
            if wanted is not None and window.level != wanted:
                continue
            result_id = (
                str(round(window.end_s)) if window.level == "segment" else str(window.utterance)
            )
            rows = window_results(
                segmenter.samples(window),
                tasks="behavioral" if self.method == "StreamAudio" else "deepfake",
                level=window.level,
                result_id=result_id,
                start_s=window.start_s,
                end_s=window.end_s,
                logits=bool(self._config.logits),
                feature_embedding=bool(self._config.feature_embedding),
                speaking_rate_labels=int(self.settings.speaking_rate_labels),
                seeds=self._seeds,
                features=segmenter.features(window),
            )
            script = self._script() if self._script is not None else None  # scenario hook
            if script is not None:
                rows = script.rewrite_stream(rows, start_s=window.start_s, end_s=window.end_s)
            result = StreamResult(
                cid=self._cid, pid=self._pid, message_id=self._next_message_id, result=rows
            )
            self._next_message_id += 1
            due = (
                self._started_at + window.end_s
                if self.settings.pacing == "realtime"
                else self._clock.now()
            )
            self._pending.append((due, result))
        self._release(self._clock.now())

    def _release(self, now: float) -> None:
        while self._pending and self._pending[0][0] <= now:
            _, result = self._pending.popleft()
            self._delivered.extend(result.result)
            self._outbox.append(SendMessage(result))
        if self.state is StreamState.DRAINING and not self._pending:
            self._finish("OK", "")

    def _finish(self, status: str, details: str) -> None:
        if status != "OK":
            logger.debug("%s: ending with %s: %s", self.call_id, status, details)
        self._pending.clear()
        self._close_process(error=None if status == "OK" else f"{status}: {details}")
        self._outbox.append(EndCall(status, details))
        self.state = StreamState.FINISHED

    def _internal(self, exc: Exception) -> None:
        logger.exception("%s: internal error", self.call_id)
        self._outbox.append(InternalFailure(f"behavioral stream {self.call_id}", exc))
        self._finish("INTERNAL", "Internal server error.")

    def _close_process(self, *, error: str | None) -> None:
        if self._holds_slot and self._cid is not None:
            self._slots.release(self._cid)
            self._holds_slot = False
        if self._pid is None or self._process_closed:
            return
        self._process_closed = True
        received = self._segmenter.received_s if self._segmenter is not None else 0.0
        if error is not None:  # first: an open stream is never forgotten (max_processes)
            self._processes.set_outcome(self._pid, -1, f"Stream ended with {error}")
        self._processes.close_stream(self._pid, results=list(self._delivered), duration_s=received)
