"""State shared by every listener of one :class:`~mockserver.server.MockServer`.

No module-level mutable state exists anywhere in the package: many servers can run in one
process, each with its own runtime.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from .core.clock import Clock, MonotonicClock
from .core.limits import ByteBudget, Limits
from .core.rng import SeedSource
from .faults import FaultPlan
from .journal import Journal, JournalEntry
from .registry import VendorSpec, default_vendors, fault_catalogue
from .scenario import ScenarioBook, ScenarioFormat
from .tls import ServerTls

__all__ = ["ConnectionRecord", "Runtime"]

logger = logging.getLogger("mockserver")


def _vendor_logger(vendor: str) -> logging.Logger:
    return logging.getLogger(f"mockserver.{vendor}")


@dataclass
class ConnectionRecord:
    """A live connection or call, as listed by the admin API and the pytest plugin.

    The counts, outcome and faults are kept from the journal while the connection is open
    and make up the one line logged when it ends.
    """

    id: str
    vendor: str
    transport: str
    opened_at: float  # runtime clock
    info: dict[str, Any] = field(default_factory=dict)
    messages_in: int = 0
    messages_out: int = 0
    outcome: str = ""  # how it ended, once known: "server closed 1000", "status OK"...
    faults: list[str] = field(default_factory=list)

    def summary(self, now: float) -> str:
        """``hume-ws-1 (websocket from 127.0.0.1): 3 in, 3 out, 0.120 s; client closed 1000``."""
        where = self.transport
        if self.info.get("method") and self.info.get("path"):
            where += f" {self.info['method']} {self.info['path']}"
        elif self.info.get("method"):
            where += f" {self.info['method']}"
        if self.info.get("remote"):
            where += f" from {self.info['remote']}"
        line = (
            f"{self.id} ({where}): {self.messages_in} in, {self.messages_out} out, "
            f"{max(0.0, now - self.opened_at):.3f} s; {self.outcome or 'ended'}"
        )
        return line + (f"; faults: {', '.join(self.faults)}" if self.faults else "")


#: Journal kinds that are one message on the wire.
_MESSAGE_KINDS = frozenset({"text", "binary", "message", "request", "response"})


def _outcome(entry: JournalEntry) -> str | None:
    """How an entry ends a connection, in words; None if it does not."""
    kind, code = entry.kind, entry.code
    if kind == "close":
        who = "server" if entry.direction == "out" else "client"
        reason = f" {entry.reason!r}" if entry.reason else ""
        return f"{who} closed {code}{reason}"
    if kind == "disconnect":
        if entry.reason:  # when it happened: "during the handshake", "during the request body"
            return f"client disconnected {entry.reason}"
        return "client disconnected without a close frame"
    if kind == "cancel":
        return "client cancelled"
    if kind == "status":
        return f"status {entry.status}" + (f" {entry.reason!r}" if entry.reason else "")
    if kind == "response":
        return f"HTTP {code}"
    if kind == "handshake" and entry.direction == "out" and code is not None and code != 101:
        return f"refused with HTTP {code}"
    return None


class Runtime:
    """Clock, seed, journal, faults, scenarios, worker threads and failure log of one server.

    Args:
        seed: Seed of every generated value.
        clock: Monotonic clock (injectable for tests).
        journal_max_entries: Journal capacity (0 = unlimited).
        journal_max_bytes: Journal size cap, approximate NDJSON bytes (0 = unlimited).
        limits: Timeouts and ceilings the listeners apply (docs/reliability.md).
        workers: Threads for CPU-heavy media work (decoding, face detection).
        vendors: The registry entries served (default: the built-in vendors): their
            fault contributions, scenario parts and secrets.
        settings: Each vendor's settings object, by name (for its scenario part).
        tls: The certificate every listener serves (None: plain TCP).
    """

    def __init__(
        self,
        *,
        seed: int,
        clock: Clock | None = None,
        journal_max_entries: int = 100_000,
        journal_max_bytes: int = 256 * 1024 * 1024,
        limits: Limits | None = None,
        workers: int = 4,
        vendors: Sequence[VendorSpec] | None = None,
        settings: Mapping[str, Any] | None = None,
        tls: ServerTls | None = None,
    ) -> None:
        registry = default_vendors() if vendors is None else tuple(vendors)
        self.vendors = registry
        self.tls = tls  # what every listener serves (None: plain TCP)
        self.clock: Clock = clock or MonotonicClock()
        self.seeds = SeedSource(seed)
        secrets = [name for vendor in registry for name in vendor.secrets]
        self.journal = Journal(
            self.clock.now,
            max_entries=journal_max_entries,
            max_bytes=journal_max_bytes,
            secrets=secrets,
        )
        self.limits = limits or Limits()  # timeouts and ceilings of every listener
        # bytes of large client messages being decoded, server-wide
        self.decode_budget = ByteBudget(self.limits.decode_budget_bytes)
        self.faults = FaultPlan(
            self.seeds, fault_catalogue(registry)
        )  # active faults (connections ask it)
        # active scenarios (sessions consult them)
        self.scenarios = ScenarioBook(ScenarioFormat(registry), settings)
        self._workers = workers
        self._executor: ThreadPoolExecutor | None = None  # created on first use
        self._lock = threading.Lock()  # guards the fields below
        self._counters: dict[str, Iterator[int]] = {}  # per-prefix connection numbers
        self._failures: list[tuple[str, BaseException]] = []  # unexpected server errors
        self._connections: dict[str, ConnectionRecord] = {}  # live connections
        self.journal.add_listener(self._tally)

    @property
    def executor(self) -> ThreadPoolExecutor:
        """Worker threads for media-heavy session work."""
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    max_workers=self._workers, thread_name_prefix="mockserver-worker"
                )
            return self._executor

    def next_number(self, prefix: str) -> int:
        """1, 2, 3... per prefix (e.g. "hume-ws"); restarts at :meth:`reset`."""
        with self._lock:
            counter = self._counters.setdefault(prefix, itertools.count(1))
            return next(counter)

    def record_failure(self, where: str, error: BaseException) -> None:
        """Log an internal error and keep it for :meth:`take_failures`."""
        logger.error("internal error in %s: %s: %s", where, type(error).__name__, error)
        with self._lock:
            self._failures.append((where, error))

    def take_failures(self) -> list[tuple[str, BaseException]]:
        """Return and forget the recorded internal errors."""
        with self._lock:
            failures, self._failures = self._failures, []
        return failures

    def open_connection(self, record: ConnectionRecord) -> None:
        """Count ``record`` as live until :meth:`close_connection`."""
        with self._lock:
            self._connections[record.id] = record

    def close_connection(self, connection_id: str) -> None:
        """Forget a connection and log its one-line summary (INFO, ``mockserver.<vendor>``)."""
        with self._lock:
            record = self._connections.pop(connection_id, None)
        if record is not None:
            _vendor_logger(record.vendor).info("%s", record.summary(self.clock.now()))

    def _tally(self, entry: JournalEntry) -> None:
        """Journal listener: count messages, note the outcome and faults of live connections."""
        outcome = _outcome(entry)
        with self._lock:
            record = self._connections.get(entry.connection)
            if record is not None:
                if entry.kind in _MESSAGE_KINDS:
                    if entry.direction == "in":
                        record.messages_in += 1
                    else:
                        record.messages_out += 1
                if outcome is not None:
                    record.outcome = outcome
                if entry.fault is not None and entry.fault not in record.faults:
                    record.faults.append(entry.fault)
                return
        if outcome is not None and outcome.startswith("refused"):  # never opened
            fault = f"; faults: {entry.fault}" if entry.fault else ""
            _vendor_logger(entry.vendor).info(
                "%s (%s): %s%s", entry.connection, entry.transport, outcome, fault
            )

    def connections(self) -> list[ConnectionRecord]:
        """Live connections, oldest first."""
        with self._lock:
            return list(self._connections.values())

    def reset(self) -> None:
        """Clear journal, counters, failures, faults and scenarios (live connections are
        left alone)."""
        with self._lock:
            self._counters.clear()
            self._failures.clear()
        self.journal.clear()
        self.faults.clear()
        self.scenarios.clear()

    def shutdown(self) -> None:
        """Stop the worker threads."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
