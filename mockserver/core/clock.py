"""Injected time sources.

Sessions never read the wall clock themselves: they receive a :class:`Clock`. Production
adapters pass :class:`MonotonicClock`; unit tests pass :class:`ManualClock` and advance it.
"""

from __future__ import annotations

import time
from typing import Protocol

__all__ = ["Clock", "ManualClock", "MonotonicClock", "earliest"]


class Clock(Protocol):
    """A source of monotonic seconds."""

    def now(self) -> float:
        """Return the current time in seconds (monotonic, arbitrary origin)."""
        ...


class MonotonicClock:
    """The process monotonic clock (``time.monotonic``)."""

    def now(self) -> float:
        return time.monotonic()


class ManualClock:
    """A clock that only moves when told to, for deterministic tests."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = start  # current reading, seconds

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> float:
        """Move the clock forward by ``seconds`` (must be >= 0) and return the new time."""
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        self._now += seconds
        return self._now

    def set(self, value: float) -> None:
        """Jump to ``value`` (must not be earlier than the current reading)."""
        if value < self._now:
            raise ValueError("a clock cannot go backwards")
        self._now = value


def earliest(*deadlines: float | None) -> float | None:
    """The earliest of the given deadlines, ignoring ``None``; ``None`` if there is none."""
    present = [d for d in deadlines if d is not None]
    return min(present) if present else None
