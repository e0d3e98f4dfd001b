"""The set of active faults of one server, and the decisions every step asks it for.

:class:`FaultPlan` holds the loaded faults (thread-safe) and decides firing (seeded
probability, ``times``) and delays. The per-connection logic is in
:mod:`.connection` (:class:`~.connection.ConnectionFaults`), the per-request logic in
:mod:`.rest`; both take the plan, the plan knows neither.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mockserver.core.actions import Delay, Reject
from mockserver.core.rng import SeedSource

from .model import Catalogue, VendorFaults
from .spec import FaultParser, FaultSpec
from .types import HandshakeRejectFault, TimedFault

__all__ = ["ActiveFault", "FaultPlan"]

logger = logging.getLogger("mockserver.faults")


@dataclass(eq=False)
class ActiveFault:
    """A loaded fault: its definition, its position in the plan and how often it fired."""

    spec: FaultSpec
    index: int  # 0-based position since the last clear (keys its seeded randomness)
    fired: int = 0  # guarded by the plan's lock


class FaultPlan:
    """Active faults; thread-safe. Cleared by ``MockServer.reset()``.

    Faults added while connections are open apply to their next steps.

    Args:
        seeds: Seeded randomness (random delays, probabilistic triggers).
        catalogue: The fault types and vendors of the server.
    """

    def __init__(self, seeds: SeedSource, catalogue: Catalogue) -> None:
        self._seeds = seeds
        self.catalogue = catalogue
        self.parser = FaultParser(catalogue)
        self._lock = threading.Lock()  # guards _faults (replaced, never mutated) and fired
        self._faults: tuple[ActiveFault, ...] = ()  # in load order
        self._next_index = 0  # index of the next loaded fault

    def vendor(self, name: str) -> VendorFaults:
        """What vendor ``name`` contributes (texts, meter)."""
        return self.catalogue.vendors[name]

    # -- management -------------------------------------------------------------------------

    def load(self, specs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Validate and activate fault definitions; return them as stored.

        All or nothing: if one definition is invalid, none is added.

        Raises:
            FaultDefinitionError: ``fault <i>: <field>: <problem>`` (``i`` indexes ``specs``).
        """
        items = list(specs)
        while True:  # validate outside the lock (adapters keep firing meanwhile)
            start = self._next_index
            parsed = [
                self.parser.parse(raw, i, position=start + i + 1) for i, raw in enumerate(items)
            ]
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
        if not faults or transport not in self.catalogue.vendor_transports(vendor):
            return ()  # e.g. the admin API: never
        return tuple(
            f for f in faults if transport in f.spec.transports and vendor in f.spec.vendors
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
            fired = fault.fired
        if logger.isEnabledFor(logging.INFO):
            limit = f" of {times}" if times is not None else ""
            logger.info(
                "fault %r (%s) fired: connection %d, %s %d (time %d%s)",
                fault.spec.name, fault.spec.type, number, point, index, fired, limit,
            )  # fmt: skip
        return True

    def delay(self, fault: ActiveFault, number: int, point: str, index: int) -> Delay:
        """The delay of a timed fault (random ones are seeded)."""
        timed = fault.spec.fault
        assert isinstance(timed, TimedFault)
        uniform = 0.0
        if timed.seconds is None:
            uniform = self._seeds.uniform("fault-delay", fault.index, number, point, index)
        return Delay(timed.delay_s(uniform), fault.spec.name)

    def handshake(self, vendor: str, number: int) -> Reject | None:
        """A ``handshake_reject`` firing for WebSocket connection ``number``, or None."""
        for fault in self.applicable(vendor, "websocket"):
            typed = fault.spec.fault
            if not isinstance(typed, HandshakeRejectFault):
                continue
            if fault.spec.when.connection is not None and number not in fault.spec.when.connection:
                continue
            if self.fire(fault, number, "handshake", 1):
                return typed.reject(fault.spec.name, self.vendor(vendor))
        return None


def _copy(definition: Mapping[str, Any]) -> dict[str, Any]:
    copied: dict[str, Any] = json.loads(json.dumps(definition))
    return copied
