"""Fault decisions for one WebSocket connection or gRPC call (sans-I/O).

The adapter calls, in this order of a connection's life:

* :meth:`ConnectionFaults.start` once, after the connection opened;
* :meth:`ConnectionFaults.read_delay` before reading each client message (slow consumer);
* :meth:`ConnectionFaults.inbound` after each client message (audio metering);
* :meth:`ConnectionFaults.outbound` for each message the session produced;
* :meth:`ConnectionFaults.end` before the session's own end (close frame, final status);
* :meth:`ConnectionFaults.next_deadline` / :meth:`ConnectionFaults.tick` for timed
  triggers (``after_s``, ``idle_s``).

Each returns :mod:`~mockserver.core.actions` to perform in order. The
:class:`~mockserver.core.connection.Connection` calls these (it is the only caller) and
merges them with the session's events. Points where an
*ending* fault (close, drop, gRPC abort, hang...) is evaluated follow from its trigger:
``message`` -> instead of that message; ``after_results`` -> at start, around every message
and before the session's end; ``after_audio_s`` -> after client messages; ``after_s`` /
``idle_s`` -> when the time comes; none of these -> instead of the next message or of the
session's end, whichever comes first.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Callable, Iterator
from typing import Any

from mockserver.core.actions import Action, Delay, Note, Send

from .model import Fault
from .plan import ActiveFault, FaultPlan
from .types import (
    DelayFault,
    DiscardFault,
    DuplicateFault,
    EndingFault,
    ReorderFault,
    RewriteFault,
    SlowConsumerFault,
)

__all__ = ["ConnectionFaults"]

# Points of a connection's life where faults are evaluated (also keys of their randomness).
START, READ, INBOUND, BEFORE_SEND, AFTER_SEND, END, TIMER = (
    "start", "read", "inbound", "before_send", "after_send", "end", "timer",
)  # fmt: skip


@functools.cache
def _ending_points(keys: frozenset[str]) -> frozenset[str]:
    if "message" in keys:
        return frozenset({BEFORE_SEND})
    points: set[str] = set()
    if "after_results" in keys:
        points |= {START, BEFORE_SEND, AFTER_SEND, END}
    if "after_audio_s" in keys:
        points.add(INBOUND)
    if "after_s" in keys or "idle_s" in keys:
        points.add(TIMER)
    return frozenset(points or {BEFORE_SEND, END})


class ConnectionFaults:
    """Per-connection counters and held messages; asks the plan which faults fire.

    Args:
        plan: The server's fault plan.
        vendor: Vendor of the connection.
        transport: "websocket" or "grpc".
        number: The connection's number (``hume-ws-N``, ``behavioral-grpc-N``).
        clock: Monotonic seconds (the runtime clock).
        method: gRPC method name, if any.
        endpoint: Which of the vendor's streams the connection is (a name the vendor's
            session factory chose, e.g. "audio" or "video"), handed to its audio meter.
    """

    def __init__(
        self,
        plan: FaultPlan,
        *,
        vendor: str,
        transport: str,
        number: int,
        clock: Callable[[], float],
        method: str | None = None,
        endpoint: str | None = None,
    ) -> None:
        self._plan = plan
        self.vendor = vendor
        self.transport = transport
        self.number = number
        self.method = method
        self._clock = clock
        self._opened = clock()
        self._last_inbound = self._opened  # for idle_s
        self._reads = 0  # client messages the adapter started reading
        self._inbound = 0  # client messages received
        self._outbound = 0  # session messages seen by outbound()
        self._handled = 0  # session messages fully handled (sent, discarded or held)
        self._meter = plan.vendor(vendor).meter(endpoint)
        self._held: list[tuple[str, str]] = []  # (text, fault) held back by reorder
        self._timers_done: set[tuple[ActiveFault, int]] = set()  # evaluated timed triggers
        self.ended = False  # an ending fault fired

    # -- queries ----------------------------------------------------------------------------

    def _faults(self) -> tuple[ActiveFault, ...]:
        return self._plan.applicable(self.vendor, self.transport)

    @property
    def audio_s(self) -> float:
        """Seconds of audio the client has sent (as far as measured)."""
        return self._meter.seconds

    @property
    def measures_audio(self) -> bool:
        """True if :meth:`inbound` will decode media (run it on a worker thread)."""
        return self._meter.costly and self._needs_meter()

    def _needs_meter(self) -> bool:
        if not self._meter.costly:
            return True  # cheap: always count, so faults added later see all the audio
        return any("after_audio_s" in f.spec.when.keys for f in self._faults())

    def _holds(self, fault: ActiveFault, point: str, index: int, now: float) -> bool:
        """Whether every condition of ``fault`` (but probability and times) holds."""
        w = fault.spec.when
        if w.connection is not None and self.number not in w.connection:
            return False
        if w.method is not None and (self.method is None or self.method.upper() != w.method):
            return False
        if w.message is not None:
            anchor = READ if isinstance(fault.spec.fault, SlowConsumerFault) else BEFORE_SEND
            if point != anchor or index != w.message:
                return False
        if w.after_results is not None and self._handled < w.after_results:
            return False
        if w.after_audio_s is not None and self._meter.seconds < w.after_audio_s:
            return False
        if w.after_s is not None and now - self._opened < w.after_s:
            return False
        return not (w.idle_s is not None and now - self._last_inbound < w.idle_s)

    # -- points -----------------------------------------------------------------------------

    def start(self) -> list[Action]:
        """Faults that end the connection as soon as it opens (``after_results: 0``)."""
        return self._ending(START, 0, self._clock(), self._faults())

    def read_delay(self) -> Delay | None:
        """How long to wait before reading the next client message (slow consumer)."""
        self._reads += 1
        faults = self._faults()
        if not faults:
            return None
        now = self._clock()
        total, names = 0.0, []
        for fault in faults:
            if not isinstance(fault.spec.fault, SlowConsumerFault) or not self._holds(
                fault, READ, self._reads, now
            ):
                continue
            if self._plan.fire(fault, self.number, READ, self._reads):
                total += self._plan.delay(fault, self.number, READ, self._reads).seconds
                names.append(fault.spec.name)
        return Delay(total, "+".join(names)) if names else None

    def inbound(self, message: Any) -> list[Action]:
        """A client message arrived (before the session sees it)."""
        self._inbound += 1
        now = self._clock()
        self._last_inbound = now
        if self._needs_meter():
            self._meter.add(message)
        faults = self._faults()
        if self.ended or not faults:
            return []
        return self._ending(INBOUND, self._inbound, now, faults)

    def outbound(self, payload: Any) -> list[Action]:
        """The session produced ``payload`` (a reply text or a result message)."""
        self._outbound += 1
        number = self._outbound
        faults = self._faults()
        if (not faults and not self._held) or self.ended:
            self._handled = number
            return [Send(payload)]
        now = self._clock()
        actions: list[Action] = []
        for fault in faults:
            if (
                isinstance(fault.spec.fault, DelayFault)
                and self._holds(fault, BEFORE_SEND, number, now)
                and self._plan.fire(fault, self.number, BEFORE_SEND, number)
            ):
                actions.append(self._plan.delay(fault, self.number, BEFORE_SEND, number))
        ending = self._ending(BEFORE_SEND, number, now, faults)
        if ending:
            return actions + ending
        delayed = [a.fault for a in actions if isinstance(a, Delay)]
        actions.extend(self._alter(faults, payload, number, now, delayed))
        self._handled = number
        actions.extend(self._ending(AFTER_SEND, number, now, faults))
        return actions

    def _alter(
        self,
        faults: tuple[ActiveFault, ...],
        payload: Any,
        number: int,
        now: float,
        delayed: list[str],
    ) -> list[Action]:
        """Message faults other than delay: discard, rewrite, hold, duplicate. The message
        itself is journaled with the names of the faults that delayed or rewrote it."""
        candidates = [
            f
            for f in faults
            if f.spec.kind == "message"
            and not isinstance(f.spec.fault, DelayFault)
            and self._holds(f, BEFORE_SEND, number, now)
        ]

        def fires(fault_type: type[Fault]) -> Iterator[ActiveFault]:  # lazily: firing counts
            fire = self._plan.fire
            return (
                f
                for f in candidates
                if isinstance(f.spec.fault, fault_type)
                and fire(f, self.number, BEFORE_SEND, number)
            )

        discarded = next(fires(DiscardFault), None)
        if discarded is not None:
            return [Note("discard", _describe(payload), discarded.spec.name)]
        text, altered = payload, list(delayed)
        for fault in candidates:
            rewriter = fault.spec.fault
            if isinstance(rewriter, RewriteFault) and self._plan.fire(
                fault, self.number, BEFORE_SEND, number
            ):
                text = rewriter.rewrite(text)
                altered.append(fault.spec.name)
        name = "+".join(altered) or None
        held = next(fires(ReorderFault), None)
        if held is not None:
            self._held.append((text, "+".join([*altered, held.spec.name])))
            return [Note("hold", _describe(text), held.spec.name)]
        actions: list[Action] = [Send(text, name)]
        for fault in fires(DuplicateFault):
            duplicate = fault.spec.fault
            assert isinstance(duplicate, DuplicateFault)
            actions.extend(Send(text, fault.spec.name) for _ in range(duplicate.count))
        actions.extend(Send(held_text, held_name) for held_text, held_name in self._held)
        self._held.clear()
        return actions

    def end(self) -> list[Action]:
        """The session is about to end the connection itself (its close frame or final
        status): an ending fault may take its place."""
        faults = self._faults()
        if self.ended or not faults:
            return []
        return self._ending(END, self._handled + 1, self._clock(), faults)

    # -- timed triggers ---------------------------------------------------------------------

    def _timer_marker(self, fault: ActiveFault) -> tuple[ActiveFault, int]:
        return fault, (self._inbound if fault.spec.when.idle_s is not None else -1)

    def _timed(self) -> list[tuple[ActiveFault, float]]:
        """Ending faults with a pending timed trigger, and when it is due."""
        out = []
        for fault in self._faults():
            w = fault.spec.when
            if fault.spec.kind != "ending" or (w.after_s is None and w.idle_s is None):
                continue
            if w.connection is not None and self.number not in w.connection:
                continue
            if self._timer_marker(fault) in self._timers_done:
                continue
            dues = [self._opened + w.after_s] if w.after_s is not None else []
            if w.idle_s is not None:
                dues.append(self._last_inbound + w.idle_s)
            out.append((fault, max(dues)))
        return out

    def next_deadline(self) -> float | None:
        """When :meth:`tick` must next be called, or None."""
        if self.ended:
            return None
        dues = [due for _, due in self._timed()]
        return min(dues) if dues else None

    def tick(self, now: float) -> list[Action]:
        """Evaluate the timed triggers that are due."""
        if self.ended:
            return []
        for fault, due in self._timed():
            if due > now:
                continue
            self._timers_done.add(self._timer_marker(fault))
            if self._holds(fault, TIMER, self._inbound, now) and self._plan.fire(
                fault, self.number, TIMER, self._inbound
            ):
                self.ended = True
                return [self._end_action(fault)]
        return []

    # -- ending -----------------------------------------------------------------------------

    def _ending(
        self, point: str, index: int, now: float, faults: tuple[ActiveFault, ...]
    ) -> list[Action]:
        if self.ended:
            return []
        for fault in faults:
            if fault.spec.kind != "ending" or point not in _ending_points(fault.spec.when.keys):
                continue
            if self._holds(fault, point, index, now) and self._plan.fire(
                fault, self.number, point, index
            ):
                self.ended = True
                return [self._end_action(fault)]
        return []

    def _end_action(self, fault: ActiveFault) -> Action:
        ending = fault.spec.fault
        assert isinstance(ending, EndingFault)
        return ending.action(fault.spec.name, self._plan.vendor(self.vendor))


def _describe(payload: Any) -> Any:
    """Journal view of a withheld message: parsed JSON when it is JSON text, the fields of
    a session's message (a dataclass, e.g. a gRPC result)."""
    if isinstance(payload, str):
        try:
            return json.loads(payload)
        except ValueError:
            return payload
    if dataclasses.is_dataclass(payload) and not isinstance(payload, type):
        return dataclasses.asdict(payload)
    return repr(payload)
