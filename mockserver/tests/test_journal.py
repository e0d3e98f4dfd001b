"""The journal: recording, filters, redaction, NDJSON."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from mockserver.core.clock import ManualClock
from mockserver.journal import REDACTED, Journal, redact_mapping, redaction_marker


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
