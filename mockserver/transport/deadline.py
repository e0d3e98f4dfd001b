"""One timer per connection that interrupts a read once the connection's deadline passes.

``async with asyncio.timeout(...)`` around every read creates a timer handle per frame and
cancels it when the frame arrives; cancelled handles stay in the event loop's heap until
the loop cleans it, so a busy or idle connection carries several of them. A connection's
deadline (the inactivity close, a timed fault) usually moves later with each frame, so
:class:`ReadDeadline` re-arms lazily: its one timer fires at the deadline it was armed
for, and if the deadline has moved later meanwhile it re-arms for the new one instead of
interrupting the read: one timer per connection, re-armed about once per deadline
period, not one created and cancelled per frame.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

__all__ = ["ReadDeadline"]

T = TypeVar("T")


class ReadDeadline:
    """Reads that raise :class:`TimeoutError` once their deadline passes.

    Args:
        loop: The event loop the reads run on.
        now: The clock the deadlines are read on (seconds; the runtime's clock).
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, now: Callable[[], float]) -> None:
        self._loop = loop
        self._now = now
        self._handle: asyncio.TimerHandle | None = None
        self._armed_for = 0.0  # the deadline the handle was armed for
        self._deadline: float | None = None  # the deadline of the read in progress
        self._task: asyncio.Task[object] | None = None  # the task reading, while it reads
        self._expired = False  # the timer cancelled the read

    async def read(self, receive: Callable[[], Awaitable[T]], deadline: float | None) -> T:
        """Await ``receive()``; raise TimeoutError if ``deadline`` (on ``now``) passes first.

        ``None`` means no deadline. Like ``asyncio.timeout``, the read is interrupted by
        cancelling the reading task, so ``receive`` must be safe to cancel (``websockets``'
        ``recv`` is: no message is lost); a cancellation from elsewhere still propagates.
        """
        self._deadline = deadline
        if deadline is not None and (self._handle is None or self._armed_for > deadline):
            self._arm(deadline)
        self._task = asyncio.current_task()
        try:
            return await receive()
        except asyncio.CancelledError:
            task = self._task
            if self._expired and task is not None and task.uncancel() == 0:
                raise TimeoutError from None
            raise
        finally:
            self._task = None
            self._expired = False

    def close(self) -> None:
        """Cancel the timer (the connection ended)."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _arm(self, deadline: float) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._armed_for = deadline
        self._handle = self._loop.call_later(max(0.0, deadline - self._now()), self._fire)

    def _fire(self) -> None:
        self._handle = None
        deadline = self._deadline
        if self._task is None or deadline is None:
            return  # not reading, or no deadline now: the next read arms what it needs
        if deadline > self._now():
            self._arm(deadline)  # the deadline moved later since the timer was armed
            return
        self._expired = True
        self._task.cancel()
