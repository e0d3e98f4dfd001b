"""The dashboard's journal fan-out (sans-I/O) and its Server-Sent Events framing."""

from __future__ import annotations

import json
import threading

from mockserver.core.clock import ManualClock
from mockserver.journal import Journal
from mockserver.ui.hub import REORDER_WINDOW, JournalHub, sse_comment, sse_event


class Wakes:
    """A wake-up callback that counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> None:
        self.calls += 1


def new_journal() -> Journal:
    return Journal(ManualClock(10.0).now, wall_clock=lambda: "2026-01-01T00:00:00Z")


def record(journal: Journal, count: int = 1, **fields: object) -> None:
    for _ in range(count):
        journal.record(
            vendor="hume",
            transport="websocket",
            connection=str(fields.get("connection", "hume-ws-1")),
            direction="in",
            kind="text",
        )


def test_entries_reach_every_subscriber_in_order_and_wake_each_once_per_drain() -> None:
    journal = new_journal()
    hub = JournalHub(journal)
    first, second = Wakes(), Wakes()
    a, b = hub.subscribe(first), hub.subscribe(second)
    record(journal, 3)
    assert (first.calls, second.calls) == (1, 1)  # one wake-up for the whole batch
    drained = hub.drain(a)
    assert [e.seq for e in drained.entries] == [1, 2, 3]
    assert not drained.reset and not drained.overflowed
    assert hub.drain(a).entries == []  # drained once
    record(journal)
    assert first.calls == 2  # re-armed by the drain
    assert second.calls == 1  # b has not drained yet: no second wake-up
    assert [e.seq for e in hub.drain(b).entries] == [1, 2, 3, 4]


def test_the_listener_exists_only_while_someone_is_subscribed() -> None:
    journal = new_journal()
    hub = JournalHub(journal)
    record(journal)  # nobody listens: nothing is buffered anywhere
    assert journal._listeners == []
    wakes = Wakes()
    subscriber = hub.subscribe(wakes)
    other = hub.subscribe(Wakes())
    assert len(journal._listeners) == 1 and hub.subscribers == 2
    hub.unsubscribe(subscriber)
    hub.unsubscribe(subscriber)  # idempotent
    assert len(journal._listeners) == 1
    hub.unsubscribe(other)
    assert journal._listeners == [] and hub.subscribers == 0
    record(journal)
    assert wakes.calls == 0 and subscriber.pending == []


def test_a_subscriber_that_falls_behind_loses_its_buffer_and_is_told() -> None:
    journal = new_journal()
    hub = JournalHub(journal, max_pending=5)
    slow, fast = hub.subscribe(Wakes()), hub.subscribe(Wakes())
    record(journal, 4)
    assert [e.seq for e in hub.drain(fast).entries] == [1, 2, 3, 4]
    record(journal, 4)  # slow now has 8 > 5 waiting
    drained = hub.drain(slow)
    assert drained.overflowed and drained.entries == []
    assert [e.seq for e in hub.drain(fast).entries] == [5, 6, 7, 8]
    record(journal)
    assert [e.seq for e in hub.drain(slow).entries] == [9]  # buffering again after the drain


def test_a_reset_is_noticed_when_sequence_numbers_restart() -> None:
    journal = new_journal()
    hub = JournalHub(journal)
    subscriber = hub.subscribe(Wakes())
    record(journal, 3)
    journal.clear()
    record(journal)  # seq 1 again
    drained = hub.drain(subscriber)
    assert drained.reset and drained.entries == []  # resynchronise from the journal
    record(journal)
    drained = hub.drain(subscriber)
    assert not drained.reset and [e.seq for e in drained.entries] == [2]


def test_out_of_order_delivery_is_not_a_reset_but_a_big_jump_back_is() -> None:
    journal = new_journal()
    hub = JournalHub(journal)
    subscriber = hub.subscribe(Wakes())
    entries = [
        journal.record(
            vendor="hume", transport="websocket", connection="c", direction="in", kind="text"
        )
        for _ in range(REORDER_WINDOW + 10)
    ]
    hub.drain(subscriber)
    listener = journal._listeners[0]
    listener(entries[-3])  # a late delivery from another recording thread
    drained = hub.drain(subscriber)
    assert not drained.reset and drained.entries == [entries[-3]]
    listener(entries[1])  # seq 2, far below the highest seen: the journal restarted
    assert hub.drain(subscriber).reset


def test_a_reset_without_new_entries_is_noticed_by_the_journal_shrinking() -> None:
    journal = new_journal()
    hub = JournalHub(journal)
    wakes = Wakes()
    subscriber = hub.subscribe(wakes)
    record(journal, 3)
    hub.drain(subscriber)
    hub.note_length(len(journal))
    assert not hub.drain(subscriber).reset
    journal.clear()
    hub.note_length(len(journal))
    assert wakes.calls == 2 and hub.drain(subscriber).reset
    hub.note_length(len(journal))
    assert not hub.drain(subscriber).reset  # reported once


def test_entries_recorded_on_many_threads_all_arrive() -> None:
    journal = new_journal()
    hub = JournalHub(journal, max_pending=10_000)
    subscriber = hub.subscribe(Wakes())
    threads = [threading.Thread(target=record, args=(journal, 200)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    drained = hub.drain(subscriber)
    assert [e.seq for e in drained.entries] == list(range(1, 801))
    assert not drained.reset


def test_wake_all_wakes_every_subscriber() -> None:
    hub = JournalHub(new_journal())
    wakes = [Wakes(), Wakes()]
    for wake in wakes:
        hub.subscribe(wake)
    hub.wake_all()
    assert [w.calls for w in wakes] == [1, 1]


def parse_sse(raw: bytes) -> list[dict[str, str]]:
    """Split an event stream the way the HTML standard's interpretation does."""
    events: list[dict[str, str]] = []
    for block in raw.decode().split("\n\n"):
        fields: dict[str, str] = {}
        for line in block.split("\n"):
            if not line or line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            fields[name] = fields.get(name, "") + value.removeprefix(" ")
        if fields:
            events.append(fields)
    return events


def test_sse_events_carry_one_line_of_json() -> None:
    data = {"text": "line one\nline two\r\n", "emoji": "\u2028 \U0001f600", "n": [1, 2]}
    raw = sse_event("entries", data, event_id=7) + sse_comment("keep-alive") + sse_event("x", {})
    assert raw.count(b"\n\n") == 3
    (first, second) = parse_sse(raw)
    assert first == {"event": "entries", "id": "7", "data": first["data"]}
    assert json.loads(first["data"]) == data
    assert second == {"event": "x", "data": "{}"}
    assert b"\nid:" not in sse_event("x", {})  # no id unless given
