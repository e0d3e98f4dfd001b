"""The set of active faults of one server, and the decisions the adapters ask it for."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mockserver.core.rng import SeedSource

from .actions import Delay, Reject
from .catalogue import VENDOR_TRANSPORTS, default_handshake_body
from .spec import FaultSpec, parse_fault

if TYPE_CHECKING:
    from .connection import ConnectionFaults
    from .rest import HttpDecision

__all__ = ["ActiveFault", "FaultPlan"]


@dataclass(eq=False)
class ActiveFault:
    """A loaded fault: its definition, its position in the plan and how often it fired."""

    spec: FaultSpec
    index: int  # 0-based position since the last clear (keys its seeded randomness)
    fired: int = 0  # guarded by the plan's lock


class FaultPlan:
    """Active faults; thread-safe. Cleared by ``MockServer.reset()``.

    Adapters ask it, at each step of a connection, what to do: :meth:`handshake`,
    :meth:`connection` (WebSocket and gRPC) and :meth:`http_request`. Faults added while
    connections are open apply to their next steps.

    Args:
        seeds: Seeded randomness (random delays, probabilistic triggers).
    """

    def __init__(self, seeds: SeedSource) -> None:
        self._seeds = seeds
        self._lock = threading.Lock()  # guards _faults (replaced, never mutated) and fired
        self._faults: tuple[ActiveFault, ...] = ()  # in load order
        self._next_index = 0  # index of the next loaded fault

    # -- management -------------------------------------------------------------------------

    def load(self, specs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Validate and activate fault definitions; return them as stored.

        All or nothing: if one definition is invalid, none is added.

        Raises:
            ScenarioError: ``fault <i>: <field>: <problem>`` (``i`` indexes ``specs``).
        """
        items = list(specs)
        while True:  # validate outside the lock (adapters keep firing meanwhile)
            start = self._next_index
            parsed = [parse_fault(raw, i, position=start + i + 1) for i, raw in enumerate(items)]
            with self._lock:
                if self._next_index != start:
                    continue  # another load or a clear came first: number them again
                added = tuple(ActiveFault(spec, start + i) for i, spec in enumerate(parsed))
                self._faults = self._faults + added
                self._next_index = start + len(added)
            return [_copy(fault.spec.definition) for fault in added]

    def clear(self) -> None:
        """Remove every fault (fault indexes restart at 0)."""
        with self._lock:
            self._faults = ()
            self._next_index = 0

    def describe(self) -> list[dict[str, Any]]:
        """The active faults as JSON objects (valid definitions, ``name`` filled in)."""
        return [_copy(fault.spec.definition) for fault in self._faults]

    def firings(self) -> dict[str, int]:
        """How many times each active fault fired, by name."""
        with self._lock:
            out: dict[str, int] = {}
            for fault in self._faults:
                out[fault.spec.name] = out.get(fault.spec.name, 0) + fault.fired
            return out

    def __bool__(self) -> bool:
        return bool(self._faults)

    # -- decisions --------------------------------------------------------------------------

    def applicable(self, vendor: str, transport: str) -> tuple[ActiveFault, ...]:
        """Active faults that can act on ``transport`` of ``vendor``, in load order."""
        faults = self._faults
        if not faults or transport not in VENDOR_TRANSPORTS.get(vendor, ()):
            return ()  # e.g. the admin API: never
        return tuple(
            f for f in faults if transport in f.spec.transports and f.spec.vendor in (None, vendor)
        )

    def fire(self, fault: ActiveFault, number: int, point: str, index: int) -> bool:
        """Decide whether ``fault``, whose conditions hold, fires now: its probability
        (seeded by fault index, connection number, point and message index) and ``times``.
        Counts the firing."""
        probability = fault.spec.when.probability
        if probability is not None and not (
            self._seeds.uniform("fault", fault.index, number, point, index) < probability
        ):
            return False
        with self._lock:
            if not any(f is fault for f in self._faults):  # cleared meanwhile
                return False
            times = fault.spec.when.times
            if times is not None and fault.fired >= times:
                return False
            fault.fired += 1
        return True

    def delay(self, fault: ActiveFault, number: int, point: str, index: int) -> Delay:
        """The delay of a ``delay``/``slow_consumer`` fault (random ones are seeded)."""
        params = fault.spec.params
        if "seconds" in params:
            seconds = float(params["seconds"])
        else:
            low, high = float(params["min_seconds"]), float(params["max_seconds"])
            u = self._seeds.uniform("fault-delay", fault.index, number, point, index)
            seconds = low + (high - low) * u
        return Delay(seconds, fault.spec.name)

    def handshake(self, vendor: str, number: int) -> Reject | None:
        """A ``handshake_reject`` firing for WebSocket connection ``number``, or None."""
        for fault in self.applicable(vendor, "websocket"):
            spec = fault.spec
            if spec.type != "handshake_reject":
                continue
            if spec.when.connection is not None and number not in spec.when.connection:
                continue
            if self.fire(fault, number, "handshake", 1):
                status = int(spec.params["status"])
                body = spec.params.get("body")
                if body is None:
                    default = default_handshake_body(status, vendor)
                    return Reject(status, default, "application/json", spec.name)
                if isinstance(body, str):
                    return Reject(status, body, _content_type(body), spec.name)
                return Reject(status, json.dumps(body), "application/json", spec.name)
        return None

    def connection(
        self,
        vendor: str,
        transport: str,
        number: int,
        *,
        clock: Callable[[], float],
        method: str | None = None,
        endpoint: str | None = None,
    ) -> ConnectionFaults:
        """The fault state of one WebSocket connection or gRPC call (``endpoint``: which
        of the vendor's streams it is, when that decides how its audio is counted)."""
        from .connection import ConnectionFaults

        return ConnectionFaults(
            self, vendor=vendor, transport=transport, number=number, clock=clock, method=method,
            endpoint=endpoint,
        )  # fmt: skip

    def http_request(self, vendor: str, number: int, method: str, path: str) -> HttpDecision:
        """What the faults do to HTTP request ``number`` (answer, delay, submission)."""
        from .rest import NO_FAULT, decide

        if not self._faults:
            return NO_FAULT
        return decide(self, vendor, number, method, path)


def _copy(definition: Mapping[str, Any]) -> dict[str, Any]:
    copied: dict[str, Any] = json.loads(json.dumps(definition))
    return copied


def _content_type(body: str) -> str:
    try:
        json.loads(body)
    except ValueError:
        return "text/plain; charset=utf-8"
    return "application/json"
