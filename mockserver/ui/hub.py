"""Fan-out of new journal entries to the dashboard's event streams, and their wire format.

:class:`JournalHub` listens to a :class:`~mockserver.journal.Journal` (only while at least
one stream is subscribed, so a server nobody watches pays nothing). The listener runs on
whichever thread recorded the entry: it appends to each subscriber's bounded buffer under
a lock and calls the subscriber's ``wake`` callback once per batch (the dashboard passes
``loop.call_soon_threadsafe(event.set)``). The stream drains its buffer on its own loop.

A subscriber more than ``max_pending`` entries behind loses its buffer and is told so
(``overflowed``): it catches up from the journal itself, which is the source of truth. A
journal reset is noticed when sequence numbers start again (an entry with ``seq`` 1, or
far below the highest seen) or when the journal shrinks (:meth:`JournalHub.note_length`),
and reported to every subscriber as ``reset``.

No I/O and no asyncio here: unit tests drive it from a list of entries.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mockserver.journal import Journal, JournalEntry

__all__ = ["REORDER_WINDOW", "Drained", "JournalHub", "Subscriber", "sse_comment", "sse_event"]

#: Entries recorded concurrently on several threads reach listeners slightly out of order;
#: a sequence number this far below the highest one seen means the journal was reset.
REORDER_WINDOW = 256


@dataclass(eq=False)
class Subscriber:
    """One stream's buffer (fields guarded by the hub's lock)."""

    wake: Callable[[], None]  # asks the stream to drain (thread-safe)
    pending: list[JournalEntry] = field(default_factory=list)  # not yet drained, record order
    overflowed: bool = False  # pending was dropped: catch up from the journal
    reset: bool = False  # the journal was reset since the last drain
    signalled: bool = False  # wake() was called and the stream has not drained since


@dataclass(frozen=True, slots=True)
class Drained:
    """What a stream has to send: entries in ``seq`` order, or a reason to resynchronise."""

    entries: list[JournalEntry]
    overflowed: bool
    reset: bool


class JournalHub:
    """Hands journal entries over to subscribed streams.

    Args:
        journal: The journal to follow.
        max_pending: Entries a subscriber may have waiting before its buffer is dropped.
    """

    def __init__(self, journal: Journal, *, max_pending: int = 5000) -> None:
        self._journal = journal
        self._max_pending = max_pending
        self._lock = threading.Lock()  # guards every field below and the subscribers' fields
        self._subscribers: list[Subscriber] = []  # in subscription order
        self._last_seq = 0  # highest seq seen while subscribed (0: none yet)
        self._length = 0  # journal length at the last note_length()

    @property
    def subscribers(self) -> int:
        """How many streams are subscribed."""
        with self._lock:
            return len(self._subscribers)

    def subscribe(self, wake: Callable[[], None]) -> Subscriber:
        """Start buffering new entries for a stream; the first subscriber starts listening."""
        subscriber = Subscriber(wake)
        with self._lock:
            first = not self._subscribers
            self._subscribers.append(subscriber)
            if first:
                self._last_seq = 0
                self._length = len(self._journal)
        if first:
            self._journal.add_listener(self._on_entry)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        """Forget a stream (idempotent); the last one stops listening."""
        with self._lock:
            if subscriber not in self._subscribers:
                return
            self._subscribers.remove(subscriber)
            last = not self._subscribers
            subscriber.pending.clear()
        if last:
            self._journal.remove_listener(self._on_entry)

    def drain(self, subscriber: Subscriber) -> Drained:
        """Take what the stream has to send (and re-arm its wake-up)."""
        with self._lock:
            entries, subscriber.pending = subscriber.pending, []
            drained = Drained(
                sorted(entries, key=lambda e: e.seq), subscriber.overflowed, subscriber.reset
            )
            subscriber.overflowed = subscriber.reset = subscriber.signalled = False
        return drained

    def note_length(self, length: int) -> None:
        """Report the journal's current length: if it shrank, the journal was reset."""
        with self._lock:
            if length < self._length:
                self._mark_reset()
            self._length = length
            to_wake = self._to_wake()
        _call_all(to_wake)

    def wake_all(self) -> None:
        """Wake every stream (for example to let it notice that the server is stopping)."""
        with self._lock:
            wakes = [s.wake for s in self._subscribers]
        _call_all(wakes)

    # -- the journal listener (any thread) ----------------------------------------------------

    def _on_entry(self, entry: JournalEntry) -> None:
        with self._lock:
            if self._last_seq and (entry.seq == 1 or entry.seq + REORDER_WINDOW < self._last_seq):
                self._mark_reset()
                self._last_seq = entry.seq
            else:
                self._last_seq = max(self._last_seq, entry.seq)
            for subscriber in self._subscribers:
                if subscriber.reset or subscriber.overflowed:
                    continue  # it resynchronises from the journal anyway
                if len(subscriber.pending) >= self._max_pending:
                    subscriber.pending.clear()
                    subscriber.overflowed = True
                else:
                    subscriber.pending.append(entry)
            to_wake = self._to_wake()
        _call_all(to_wake)

    def _mark_reset(self) -> None:
        """Lock held: every subscriber resynchronises from the (reset) journal."""
        self._length = 0
        for subscriber in self._subscribers:
            subscriber.pending.clear()
            subscriber.overflowed = False
            subscriber.reset = True

    def _to_wake(self) -> list[Callable[[], None]]:
        """Lock held: the wake-ups owed to subscribers with news, each once per drain."""
        wakes = []
        for subscriber in self._subscribers:
            news = subscriber.pending or subscriber.overflowed or subscriber.reset
            if news and not subscriber.signalled:
                subscriber.signalled = True
                wakes.append(subscriber.wake)
        return wakes


def _call_all(wakes: list[Callable[[], None]]) -> None:
    for wake in wakes:
        wake()


def sse_event(event: str, data: Any, *, event_id: int | None = None) -> bytes:
    """One Server-Sent Events message whose ``data`` is a compact JSON document.

    See the HTML Living Standard, "Server-sent events", section 9.2.6 "Interpreting an
    event stream" (https://html.spec.whatwg.org/multipage/server-sent-events.html).
    Compact JSON never contains a raw line break, so ``data`` is always one line.
    """
    lines = [f"event: {event}"]
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines.append("data: " + json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    return ("\n".join(lines) + "\n\n").encode("utf-8")


def sse_comment(text: str) -> bytes:
    """A comment line (ignored by clients; keeps idle connections alive)."""
    return f": {text}\n\n".encode()
