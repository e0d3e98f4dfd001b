"""Load generators of ``make bench``: the same client code drives the bare servers and the
emulators, so their numbers compare.

Every loop is bounded by a message count and a time budget; every socket is on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

Message = Callable[[int], str | bytes]  # message number -> frame


@dataclass(frozen=True)
class Throughput:
    messages: int
    seconds: float

    @property
    def per_s(self) -> float:
        return self.messages / self.seconds if self.seconds > 0 else 0.0


async def _pipeline(
    ws: ClientConnection,
    make: Message,
    *,
    first: int,
    count: int,
    in_flight: int,
    deadline: float,
) -> int:
    """Send ``count`` messages keeping ``in_flight`` unanswered; the number answered."""
    window = asyncio.Semaphore(in_flight)
    answered = 0
    done = asyncio.Event()

    async def receive() -> None:
        nonlocal answered
        while answered < count:
            await ws.recv()
            answered += 1
            window.release()
        done.set()

    reader = asyncio.create_task(receive())
    try:
        for i in range(count):
            if time.monotonic() > deadline:
                break
            await window.acquire()
            await ws.send(make(first + i))
        remaining = max(0.0, deadline - time.monotonic())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), remaining + 5)
    finally:
        reader.cancel()
    return answered


async def pipelined(
    url: str,
    make: Message,
    *,
    connections: int = 1,
    count: int = 20_000,
    in_flight: int = 16,
    seconds: float = 20.0,
    headers: dict[str, str] | None = None,
    warmup: int = 200,
) -> Throughput:
    """Messages per second over ``connections`` connections, ``in_flight`` pipelined each.

    ``count`` is the total over all connections; each connection first sends ``warmup``
    messages that are not timed.
    """
    sockets = [
        await connect(url, additional_headers=headers or {}, max_size=None, compression=None)
        for _ in range(connections)
    ]
    try:
        deadline = time.monotonic() + seconds
        await asyncio.gather(
            *(
                _pipeline(
                    ws,
                    make,
                    first=10_000_000 * (n + 1),
                    count=warmup,
                    in_flight=in_flight,
                    deadline=deadline,
                )
                for n, ws in enumerate(sockets)
            )
        )
        share = count // connections
        started = time.perf_counter()
        deadline = time.monotonic() + seconds
        answered = await asyncio.gather(
            *(
                _pipeline(
                    ws, make, first=share * n, count=share, in_flight=in_flight, deadline=deadline
                )
                for n, ws in enumerate(sockets)
            )
        )
        return Throughput(sum(answered), time.perf_counter() - started)
    finally:
        for ws in sockets:
            await ws.close()


def percentile(samples: Sequence[float], q: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def summary_ms(samples: Sequence[float]) -> dict[str, Any]:
    return {
        "p50_ms": round(statistics.median(samples) * 1000, 2) if samples else None,
        "p99_ms": round(percentile(samples, 0.99) * 1000, 2) if samples else None,
        "n": len(samples),
    }


_WORDS = (
    "the call went well until the refund was refused and then everyone got quite angry "
    "about how long the wait had been but the agent stayed calm kind and patient while "
    "explaining every step of the process again so that at the end we all felt relieved "
    "happy grateful tired confused surprised bored excited proud ashamed amused hopeful"
)


def distinct_texts(count: int, length: int = 64, seed: int = 1) -> list[str]:
    """``count`` different texts of exactly ``length`` characters made of English words."""
    rng = random.Random(seed)
    words_of = _WORDS.split()
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < count:
        words: list[str] = []
        while len(" ".join(words)) < length:
            words.append(rng.choice(words_of))
        text = " ".join(words)[:length]
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out
