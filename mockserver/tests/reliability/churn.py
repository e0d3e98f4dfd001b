"""Churn measurement: repeat one whole client exchange (connect, one message, close) and
compare the process before and after.

What is compared: open file descriptors, threads, asyncio tasks on the server's loop, the
server's live connections, ceilings and decode budget, and memory: Python allocations
traced by ``tracemalloc`` (exact, per connection) and the resident set size (coarse). The
server runs with small history caps (journal, runs, processes) so that the warm-up fills
them and whatever grows afterwards is a leak, not history.
"""

from __future__ import annotations

import asyncio
import gc
import os
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from mockserver.server import MockServer

__all__ = ["CAPPED", "ChurnReport", "Sample", "churn", "sample"]

#: History caps small enough for the warm-up to reach them.
CAPPED: dict[str, Any] = {
    "journal_max_entries": 200,
    "hume": {"handshake_rate_limit": 0},
    "hume_v1": {"max_runs": 20},
    "behavioral": {"max_processes": 20, "max_streams_per_project": 0},
}

#: Tolerances: a leak of one object per connection shows over a few hundred connections;
#: these absorb what a healthy process varies by (lazily started worker threads, caches).
MAX_FD_GROWTH = 8
MAX_THREAD_GROWTH = 6
MAX_TASK_GROWTH = 2
#: Python memory the second half may keep: caches settling, plus this much per connection.
TRACED_SLACK_BYTES = 32 * 1024
MAX_TRACED_BYTES_PER_CONNECTION = 128


@dataclass(frozen=True)
class Sample:
    """One look at the process."""

    fds: int
    threads: int
    tasks: int
    traced: int  # bytes allocated by Python and still alive (tracemalloc), 0 if not tracing
    rss: int  # resident set size in bytes
    live: int  # the server's live connections


@dataclass(frozen=True)
class ChurnReport:
    """Before and after ``count`` repetitions."""

    name: str
    count: int
    before: Sample
    middle: Sample  # after the first half: caches that fill once have filled by then
    after: Sample

    @property
    def traced_per_connection(self) -> float:
        """Python memory kept per connection over the second half (a leak's slope; caches
        that fill once have filled during the first half)."""
        return (self.after.traced - self.middle.traced) / (self.count - self.count // 2)

    def problems(self) -> list[str]:
        """What grew beyond the tolerances (empty: bounded)."""
        b, a = self.before, self.after
        out = []
        if a.fds - b.fds > MAX_FD_GROWTH:
            out.append(f"file descriptors {b.fds} -> {a.fds}")
        if a.threads - b.threads > MAX_THREAD_GROWTH:
            out.append(f"threads {b.threads} -> {a.threads}")
        if a.tasks - b.tasks > MAX_TASK_GROWTH:
            out.append(f"asyncio tasks {b.tasks} -> {a.tasks}")
        if a.live:
            out.append(f"{a.live} connections still live")
        half = self.count - self.count // 2
        allowed = TRACED_SLACK_BYTES + MAX_TRACED_BYTES_PER_CONNECTION * half
        if a.traced - self.middle.traced > allowed:
            out.append(
                f"memory +{a.traced - self.middle.traced} B over the last {half} connections "
                f"(traced; allowed {allowed})"
            )
        return out

    def summary(self) -> str:
        b, a = self.before, self.after
        return (
            f"{self.name}: {self.count} connections; fds {b.fds}->{a.fds}, threads "
            f"{b.threads}->{a.threads}, tasks {b.tasks}->{a.tasks}, traced "
            f"{self.traced_per_connection:+.0f} B/connection, RSS "
            f"{(a.rss - b.rss) / 2**20:+.1f} MiB"
        )


def _rss() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


async def _count_tasks() -> int:
    return len(asyncio.all_tasks()) - 1  # minus this one


def sample(server: MockServer) -> Sample:
    """The process now (after a garbage collection)."""
    gc.collect()
    loop = server._loop  # the loop the listeners run on
    assert loop is not None
    tasks = asyncio.run_coroutine_threadsafe(_count_tasks(), loop).result(10)
    traced = tracemalloc.get_traced_memory()[0] if tracemalloc.is_tracing() else 0
    return Sample(
        fds=len(os.listdir("/proc/self/fd")),
        threads=threading.active_count(),
        tasks=tasks,
        traced=traced,
        rss=_rss(),
        live=len(server.connections()),
    )


def settle(server: MockServer, timeout_s: float = 30.0) -> None:
    """Until the server has no live connection (bounded), then a moment for the wire
    libraries' own clean-up callbacks."""
    deadline = time.monotonic() + timeout_s
    while server.connections() and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)


@contextmanager
def _tracing(enabled: bool) -> Iterator[None]:
    if not enabled or tracemalloc.is_tracing():
        yield
        return
    tracemalloc.start()
    try:
        yield
    finally:
        tracemalloc.stop()


def churn(
    server: MockServer,
    name: str,
    exchange: Callable[[MockServer], object],
    count: int,
    *,
    warmup: int = 50,
    trace: bool = True,
) -> ChurnReport:
    """Run ``exchange`` ``warmup`` times, then ``count`` times between two samples.

    Allocations are traced from before the warm-up, so that history replaced during the
    measurement (journal entries, runs) counts as freed."""
    with _tracing(trace):
        for _ in range(warmup):
            exchange(server)
        settle(server)
        before = sample(server)
        for _ in range(count // 2):
            exchange(server)
        settle(server)
        middle = sample(server)
        for _ in range(count - count // 2):
            exchange(server)
        settle(server)
        after = sample(server)
    return ChurnReport(name, count, before, middle, after)
