"""The journal's byte cap (``--journal-max-bytes``) and its depth limit."""

from __future__ import annotations

from mockserver.journal import MAX_DEPTH, Journal
from mockserver.server import MockServer


def record(journal: Journal, data: object, connection: str = "c-1") -> None:
    journal.record(
        vendor="v", transport="websocket", connection=connection, direction="in",
        kind="text", data=data,
    )  # fmt: skip


def test_the_oldest_entries_go_when_the_bytes_exceed_the_cap() -> None:
    journal = Journal(lambda: 0.0, max_entries=0, max_bytes=5_000)
    for index in range(100):
        record(journal, {"text": "x" * 400, "index": index})
    kept = [entry.data["index"] for entry in journal.entries()]
    assert kept == list(range(100 - len(kept), 100))  # the newest, in order
    assert 5 <= len(kept) <= 10
    assert journal.approx_bytes <= 5_000
    assert [e.seq for e in journal.entries()][-1] == 100  # numbering is not reused


def test_the_size_follows_the_serialised_size() -> None:
    journal = Journal(lambda: 0.0, max_entries=0)
    record(journal, {"text": "x" * 10_000})
    (entry,) = journal.entries()
    assert 0.8 < journal.approx_bytes / len(entry.to_ndjson_line()) < 1.5


def test_the_newest_entry_is_kept_even_alone_over_the_cap() -> None:
    journal = Journal(lambda: 0.0, max_entries=0, max_bytes=100)
    record(journal, "a" * 1000)
    record(journal, "b" * 1000)
    assert [e.data[0] for e in journal.entries()] == ["b"]


def test_both_caps_apply_and_zero_means_unlimited() -> None:
    capped = Journal(lambda: 0.0, max_entries=3, max_bytes=10**9)
    unlimited = Journal(lambda: 0.0, max_entries=0, max_bytes=0)
    for index in range(50):
        record(capped, index)
        record(unlimited, index)
    assert len(capped) == 3 and len(unlimited) == 50
    capped.clear()
    assert capped.approx_bytes == 0


def test_payloads_nested_deeper_than_the_limit_are_summarised() -> None:
    journal = Journal(lambda: 0.0, max_entries=0)
    deep: list[object] = []
    for _ in range(10_000):
        deep = [deep]
    record(journal, deep)
    value = journal.entries()[0].data
    for _ in range(MAX_DEPTH):
        value = value[0]
    assert value == f"<nested deeper than {MAX_DEPTH} levels>"
    assert journal.to_ndjson()  # exports without recursing


def test_the_server_setting_reaches_the_journal() -> None:
    server = MockServer(journal_max_bytes=12_345)
    assert server.config.journal_max_bytes == 12_345
    assert server.runtime.journal._max_bytes == 12_345
