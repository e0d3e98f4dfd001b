"""The journal: recording, filters, redaction, NDJSON."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import pytest

from mockserver.core.clock import ManualClock
from mockserver.journal import REDACTED, Journal, JournalEntry, redact_mapping, redaction_marker


def journal(**kwargs: object) -> tuple[Journal, ManualClock]:
    clock = ManualClock(50.0)
    return Journal(clock.now, wall_clock=lambda: "2026-01-01T00:00:00.000000Z", **kwargs), clock  # type: ignore[arg-type]


def record(j: Journal, **kwargs: object) -> None:
    defaults: dict[str, object] = {
        "vendor": "hume", "transport": "websocket", "connection": "c1",
        "direction": "in", "kind": "text",
    }  # fmt: skip
    defaults.update(kwargs)
    j.record(**defaults)  # type: ignore[arg-type]


def test_sequence_time_and_filters() -> None:
    j, clock = journal()
    record(j, data={"a": 1})
    clock.advance(1.5)
    record(j, direction="out", connection="c2")
    record(j, kind="close", code=1000, reason="bye")
    assert [e.seq for e in j] == [1, 2, 3]
    assert j.entries()[1].t == 1.5
    assert [e.seq for e in j.entries(direction="out")] == [2]
    assert [e.seq for e in j.entries(connection="c1", kind="close")] == [3]
    assert j.connections() == ["c1", "c2"]
    assert len(j) == 3


def test_ndjson_round_trip_and_omits_nulls(tmp_path: Path) -> None:
    j, _ = journal()
    record(j, data={"x": [1, 2]}, size=10)
    record(j, kind="close", code=1008, reason="r")
    lines = j.write_ndjson(tmp_path / "j.ndjson").read_text().splitlines()
    first, second = (json.loads(line) for line in lines)
    assert first["data"] == {"x": [1, 2]} and first["size"] == 10 and "code" not in first
    assert second["code"] == 1008 and "data" not in second


def test_long_strings_are_summarised() -> None:
    j, _ = journal(max_string_chars=10)
    record(j, data={"data": "x" * 11, "ok": "short"})
    (entry,) = j.entries()
    assert entry.data["ok"] == "short"
    assert entry.data["data"].startswith("<11 chars, sha256 ")


def test_capacity_drops_oldest_and_clear_restarts() -> None:
    j, _ = journal(max_entries=2)
    for _ in range(3):
        record(j)
    assert [e.seq for e in j] == [2, 3]
    j.clear()
    record(j)
    assert [e.seq for e in j] == [1]


def test_redaction_is_case_insensitive() -> None:
    out = redact_mapping({"X-Hume-Api-Key": "k", "Host": "h"}, ["x-hume-api-key"])
    assert out == {"X-Hume-Api-Key": REDACTED, "Host": "h"}


def test_concurrent_recording_keeps_unique_sequence_numbers() -> None:
    j, _ = journal()

    def record_many() -> None:
        for _ in range(200):
            record(j)

    threads = [threading.Thread(target=record_many) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(e.seq for e in j) == list(range(1, 801))


def test_listeners_see_every_entry() -> None:
    j, _ = journal()
    seen: list[int] = []
    j.add_listener(lambda e: seen.append(e.seq))
    record(j)
    record(j)
    assert seen == [1, 2]


def test_a_text_frame_is_parsed_and_redacted_only_when_read() -> None:
    j = Journal(ManualClock(0.0).now, secrets=["X-Hume-Api-Key"], max_string_chars=10)
    frame = '{"payload_id": "p1", "x_hume_api_key": "k", "data": "' + "z" * 20 + '"}'
    entry = j.record(vendor="hume", transport="websocket", connection="c1", direction="in",
                     kind="text", frame_text=frame, size=len(frame))  # fmt: skip
    assert entry._pending is not None  # nothing parsed yet
    assert entry.data["payload_id"] == "p1"
    assert entry.data["x_hume_api_key"] == REDACTED
    assert entry.data["data"].startswith("<20 chars, sha256 ")
    assert entry._pending is None  # parsed once, then kept
    not_json = j.record(vendor="hume", transport="websocket", connection="c1",
                        direction="in", kind="text", frame_text="hello [")  # fmt: skip
    assert not_json.data == "hello ["
    deep = j.record(vendor="hume", transport="websocket", connection="c1",
                    direction="in", kind="text", frame_text="[" * 100_000)  # fmt: skip
    assert deep.data.startswith("<100000 chars, sha256 ")
    # a lazily parsed entry equals an eagerly built one and exports the same
    eager = j.record(vendor="hume", transport="websocket", connection="c1", direction="in",
                     kind="text", data=json.loads(frame), size=len(frame))  # fmt: skip
    assert entry.data == eager.data and entry.to_json()["data"] == eager.to_json()["data"]


def test_entries_are_immutable_and_the_wall_clock_is_formatted_when_read() -> None:
    j = Journal(ManualClock(0.0).now)  # the system wall clock, read as POSIX seconds
    entry = j.record(vendor="hume", transport="websocket", connection="c1", direction="in",
                     kind="close", code=1000)  # fmt: skip
    assert isinstance(entry._wall, float)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", entry.wall)
    for name, value in (("code", 1), ("data", {}), ("wall", "")):
        with pytest.raises(AttributeError, match="immutable"):
            setattr(entry, name, value)
    copy = JournalEntry.from_json(entry.to_json())
    assert copy == entry and copy != j.record(
        vendor="hume", transport="websocket", connection="c1", direction="in", kind="close"
    )
    assert "code=1000" in repr(entry)


def test_a_secret_is_journaled_as_sent_empty_or_missing() -> None:
    journal = Journal(lambda: 0.0, secrets=["X-Key"])
    entry = journal.record(
        vendor="v", transport="http", connection="c", direction="in", kind="request",
        data={"x_key": "s3cret", "headers": {"X-KEY": ""}, "apikey": None, "kept": "<missing>"},
    )  # fmt: skip
    assert entry.data == {
        "x_key": "<redacted>",
        "headers": {"X-KEY": "<empty>"},
        "apikey": "<missing>",
        "kept": "<missing>",
    }
    assert redact_mapping({"X-Key": " ", "other": ""}, ["x-key"]) == {
        "X-Key": "<empty>",
        "other": "",
    }
    assert [redaction_marker(v) for v in (None, "", "k", "<redacted>")] == [
        "<missing>", "<empty>", "<redacted>", "<redacted>",
    ]  # fmt: skip
