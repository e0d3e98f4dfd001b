"""One connection as a sans-I/O object: the vendor's session and the connection's faults.

:class:`Connection` merges what the session decides (replies, its own close or final
status, internal failures, deadlines) with what the active faults decide (delays,
rewrites, early endings) into **one ordered stream of actions** (:mod:`.actions`). An
adapter only pumps::

    connection.start()
    while (action := connection.next_action()) is not None: perform(action)
    ... read a message (after connection.read_delay()), connection.receive(message)
    ... or, when connection.next_deadline() passes, connection.tick(now)

The ordering rules live here, once, for every transport:

* faults due when the connection opens come first (``after_results: 0``);
* a client message meets the faults first: an ending fault it triggers
  (``after_audio_s``) takes effect and the session never sees the message;
* each message the session produces goes through the faults (delay, rewrite, discard,
  hold, duplicate, or an ending fault in its place), one at a time, so a delay's wait
  happens before the next message is judged;
* the session's own close or final status may be replaced by an ending fault;
* on a timer, the session ticks first (its events wait), then timed faults act;
* after an ending action (close, drop, abort, final status, hang) nothing more comes out,
  and further client messages are ignored.

Actions are pulled one at a time with :meth:`Connection.next_action`: the pump performs
each (sleeping for a :class:`~.actions.Delay`) before asking for the next. Unit tests
drive it from a list with a :class:`~.clock.ManualClock` and no socket.
"""

from __future__ import annotations

from typing import Any, Protocol

from .actions import ENDINGS, Action, Close, Delay, Fail, Finish, Send
from .clock import earliest
from .events import CloseConnection, EndCall, InternalFailure, OutboundEvent, SendMessage, SendText

__all__ = ["NO_FAULTS", "Connection", "FaultHooks", "Session"]


class Session(Protocol):
    """A vendor session as the connection drives it (``vendors/<vendor>/session.py``)."""

    def receive(self, message: Any) -> None:
        """One client message (a text or binary frame, or a decoded request message)."""

    def receive_end(self) -> None:
        """The client ended its side of the stream (a gRPC half-close)."""

    def connection_lost(self, code: int | None = None, reason: str | None = None) -> None:
        """The transport is gone (closed, dropped or cancelled): release what is held.
        ``code`` and ``reason`` are the close frame's that ended a WebSocket, if any."""

    def shutdown(self) -> None:
        """The server is stopping: queue a goodbye if the protocol has one (the adapter
        then performs it and closes)."""

    def next_deadline(self) -> float | None:
        """When :meth:`tick` must next be called, or None."""

    def tick(self, now: float) -> None:
        """Apply the session's timers."""

    def events_to_send(self) -> list[OutboundEvent]:
        """Drain the queued outbound events, in order."""


class FaultHooks(Protocol):
    """The fault decisions of one connection (``mockserver.faults.ConnectionFaults``)."""

    @property
    def ended(self) -> bool:
        """An ending fault fired."""

    @property
    def measures_audio(self) -> bool:
        """:meth:`inbound` decodes media (run :meth:`Connection.receive` on a worker)."""

    def start(self) -> list[Action]: ...
    def read_delay(self) -> Delay | None: ...
    def inbound(self, message: Any) -> list[Action]: ...
    def outbound(self, payload: Any) -> list[Action]: ...
    def end(self) -> list[Action]: ...
    def next_deadline(self) -> float | None: ...
    def tick(self, now: float) -> list[Action]: ...


class _NoFaults:
    """The fault hooks of a connection no fault can act on."""

    ended = False
    measures_audio = False

    def start(self) -> list[Action]:
        return []

    def read_delay(self) -> Delay | None:
        return None

    def inbound(self, message: Any) -> list[Action]:
        return []

    def outbound(self, payload: Any) -> list[Action]:
        return [Send(payload)]

    def end(self) -> list[Action]:
        return []

    def next_deadline(self) -> float | None:
        return None

    def tick(self, now: float) -> list[Action]:
        return []


NO_FAULTS: FaultHooks = _NoFaults()


class Connection:
    """The session and the faults of one WebSocket connection or gRPC call.

    Args:
        session: The vendor's session for this connection.
        faults: The connection's fault decisions (:data:`NO_FAULTS` for none).
    """

    def __init__(self, session: Session, faults: FaultHooks = NO_FAULTS) -> None:
        self.session = session
        self.faults = faults
        # FIFOs of a few items at most: lists, which cost less memory per idle connection
        # than deques (an empty deque allocates a 64-slot block)
        self._queue: list[Action] = []  # decided, not yet handed out
        self._events: list[OutboundEvent] = []  # the session's, not yet judged
        self.ended = False  # an ending action was handed out

    # -- inputs -----------------------------------------------------------------------------

    def start(self) -> None:
        """The connection is open: faults due at once."""
        self._queue.extend(self.faults.start())

    def read_delay(self) -> Delay | None:
        """How long to wait before reading the next client message (slow consumer)."""
        return self.faults.read_delay()

    @property
    def inbound_is_costly(self) -> bool:
        """Judging a client message decodes media: run :meth:`receive` on a worker."""
        return self.faults.measures_audio

    def receive(self, message: Any) -> None:
        """One client message: the faults judge it, then (unless one ended the connection)
        the session handles it."""
        if self.ended or self._ending_queued():
            return
        actions = self.faults.inbound(message)
        if actions:
            self._queue.extend(actions)  # the connection ends before the session sees it
            return
        self.session.receive(message)

    def take_measures(self) -> dict[str, Any] | None:
        """What the session measured of the last client message, for its journal entry
        (a session may define ``take_measures()``; e.g. a Hume payload's audio duration),
        or None."""
        take = getattr(self.session, "take_measures", None)
        measures: dict[str, Any] | None = take() if callable(take) else None
        return measures

    def receive_end(self) -> None:
        """The client half-closed its side (gRPC)."""
        if not self.ended and not self._ending_queued():
            self.session.receive_end()

    def next_deadline(self) -> float | None:
        """When :meth:`tick` must next be called, or None."""
        if self.ended:
            return None
        return earliest(self.session.next_deadline(), self.faults.next_deadline())

    def tick(self, now: float) -> None:
        """Time passed: the session's timers, then the timed faults."""
        if self.ended:
            return
        self.session.tick(now)
        self._queue.extend(self.faults.tick(now))

    def lost(self, code: int | None = None, reason: str | None = None) -> None:
        """The transport is gone: the session releases what it holds (``code`` and
        ``reason``: the close frame that ended a WebSocket, if any)."""
        self.session.connection_lost(code, reason)

    def shutdown(self) -> None:
        """The server is stopping: the session may queue a goodbye (if not ended)."""
        if not self.ended:
            self.session.shutdown()

    # -- output -----------------------------------------------------------------------------

    def next_action(self) -> Action | None:
        """The next thing to do, or None until new input arrives (or for ever, once
        ended)."""
        while not self._queue:
            if self.ended:
                return None
            if not self._events:
                self._events.extend(self.session.events_to_send())
                if not self._events:
                    return None
            self._judge(self._events.pop(0))
        action = self._queue.pop(0)
        if isinstance(action, ENDINGS):
            self.ended = True
            self._queue.clear()
            self._events.clear()
        return action

    def _judge(self, event: OutboundEvent) -> None:
        """Turn one session event into actions, through the faults."""
        if isinstance(event, SendText):
            self._queue.extend(self.faults.outbound(event.text))
        elif isinstance(event, SendMessage):
            self._queue.extend(self.faults.outbound(event.message))
        elif isinstance(event, CloseConnection):
            replaced = self.faults.end()  # an ending fault may take the close's place
            self._queue.extend(replaced or [Close(event.code, event.reason)])
        elif isinstance(event, EndCall):
            replaced = self.faults.end()  # ... or the final status's place
            self._queue.extend(replaced or [Finish(event.status, event.details)])
        elif isinstance(event, InternalFailure):
            self._queue.append(Fail(event.where, event.error))

    def _ending_queued(self) -> bool:
        return any(isinstance(action, ENDINGS) for action in self._queue)
