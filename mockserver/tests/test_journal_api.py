"""The journal's query and assertion helpers, NDJSON import, schema and redaction."""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from behavioralsignals import Client, StreamingOptions
from behavioralsignals.utils import make_audio_stream
from jsonschema import Draft202012Validator
from websockets.sync.client import connect

from mockserver.core.clock import ManualClock
from mockserver.journal import (
    REDACTED,
    SECRET_KEYS,
    Journal,
    JournalEntry,
    matches,
    validate_entry,
)
from mockserver.redirect import behavioral_signals_redirect
from mockserver.registry import default_vendors
from mockserver.resources import fixture_path, load_schema
from mockserver.server import MockServer

WALL = "2026-01-01T00:00:00.000000Z"


def new_journal() -> Journal:
    secrets = [name for vendor in default_vendors() for name in vendor.secrets]
    return Journal(ManualClock(10.0).now, wall_clock=lambda: WALL, secrets=secrets)


def hume_exchange(j: Journal, text: str, connection: str = "hume-ws-1") -> None:
    """A handshake, one publish and its answer, as the WebSocket adapter records them."""
    common: dict[str, Any] = {"vendor": "hume", "transport": "websocket", "connection": connection}
    j.record(**common, direction="in", kind="handshake", data={"path": "/v0/stream/models"})
    j.record(**common, direction="out", kind="handshake", code=101)
    j.record(
        **common,
        direction="in",
        kind="text",
        data={"models": {"language": {}}, "raw_text": True, "data": text},
    )
    j.record(
        **common,
        direction="out",
        kind="text",
        data={"language": {"predictions": [{"text": w} for w in text.split()]}},
    )


# -- matching rules -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ({"a": 1}, {"a": 1, "b": 2}, True),  # dict: subset
        ({"a": {"b": 1}}, {"a": {"b": 1, "c": 0}}, True),  # recursively
        ({"a": 1}, {"b": 1}, False),  # missing key
        ({}, {"anything": 1}, True),
        ({}, "text", False),  # a dict pattern needs a dict
        ([1, 2], [1, 2], True),  # list: by position, same length
        ([1, 2], [1, 2, 3], False),
        ([1, ...], [1, 2, 3], True),  # trailing ... allows more
        ([{"t": "x"}, ...], [{"t": "x", "u": 1}], True),
        ([1, 2, ...], [1], False),
        (re.compile(r"Ma\w+"), "Mary", True),  # regex: fullmatch
        (re.compile(r"Ma"), "Mary", False),
        (lambda v: v > 3, 5, True),  # predicate on the value
        ({"n": float, "s": str}, {"n": 0.0, "s": ""}, True),  # types match instances
        ({"n": float}, {"n": "0.5"}, False),
        ({"n": lambda v: v > 3}, {"n": 2}, False),
        (1, True, False),  # booleans are not numbers
        (True, True, True),
        (1, 1.0, True),
        (None, None, True),
    ],
)
def test_match_rules(pattern: Any, value: Any, expected: bool) -> None:
    assert matches(pattern, value) is expected


def test_find_and_count_filter_by_vendor_connection_direction_kind() -> None:
    j = new_journal()
    hume_exchange(j, "Mary had a lamb", "hume-ws-1")
    hume_exchange(j, "Sad day", "hume-ws-2")
    j.record(
        vendor="behavioral", transport="grpc", connection="behavioral-grpc-1",
        direction="out", kind="status", status="OK",
    )  # fmt: skip
    assert j.count(vendor="hume", kind="text") == 4
    assert [e.seq for e in j.find(connection="hume-ws-2", direction="in")] == [5, 7]
    assert j.count({"data": "Sad day"}) == 1
    assert j.count({"language": {"predictions": [{"text": "Sad"}, ...]}}) == 1
    assert j.count(status="OK") == 1 and j.count(code=101) == 2
    assert j.find(lambda e: e.kind == "status")[0].vendor == "behavioral"
    assert j.count() == len(j) == 9


def test_assert_sent_and_received_use_the_clients_point_of_view() -> None:
    j = new_journal()
    hume_exchange(j, "Mary had a lamb")
    (sent,) = j.assert_sent({"data": "Mary had a lamb"}, vendor="hume")
    assert sent.direction == "in"
    (got,) = j.assert_received({"language": {}}, kind="text")
    assert got.direction == "out"
    with pytest.raises(AssertionError):  # the client did not *send* predictions
        j.assert_sent({"language": {"predictions": [...]}}, kind="text")
    j.assert_sent({"data": "nothing like this"}, count=0)
    assert len(j.assert_entry(kind="handshake", count=2)) == 2
    assert len(j.assert_entry(count=None)) == 4


def test_no_match_shows_the_closest_entries_with_a_diff() -> None:
    j = new_journal()
    hume_exchange(j, "Mary had a little lamb", "hume-ws-1")
    hume_exchange(j, "Totally unrelated words here", "hume-ws-2")
    with pytest.raises(AssertionError) as info:
        j.assert_sent({"models": {"language": {}}, "data": "Mary had a big lamb"}, kind="text")
    message = str(info.value)
    assert message.startswith(
        "expected exactly 1 entry sent by the client (direction \"in\") with kind='text'"
    )
    assert "found 0; 2 of 8 entries pass the filters" in message
    assert "hume in text x2" in message  # inventory of the journal
    # the most similar entry comes first, with a unified diff of the keys the pattern names
    first = message.index("#3 hume-ws-1 in text")
    assert first < message.index("#7 hume-ws-2 in text")
    assert '-  "data": "Mary had a big lamb"' in message
    assert '+  "data": "Mary had a little lamb"' in message
    assert "raw_text" not in message  # keys the pattern does not name are left out


def test_count_mismatch_lists_the_matching_entries() -> None:
    j = new_journal()
    hume_exchange(j, "a", "hume-ws-1")
    hume_exchange(j, "b", "hume-ws-2")
    with pytest.raises(AssertionError) as info:
        j.assert_sent(kind="handshake")
    message = str(info.value)
    assert "found 2" in message
    assert "#1 hume-ws-1 in handshake" in message and "#5 hume-ws-2 in handshake" in message


def test_predicates_and_empty_filters_still_explain() -> None:
    j = new_journal()
    hume_exchange(j, "hello")
    with pytest.raises(AssertionError, match="accepted by <predicate is_binary>") as info:

        def is_binary(entry: JournalEntry) -> bool:
            return entry.kind == "binary"

        j.assert_sent(is_binary)
    assert "most recent candidates" in str(info.value)
    with pytest.raises(AssertionError, match="ignoring the filters") as info:
        j.assert_received({"x": 1}, vendor="behavioral")
    assert "closest entries, ignoring the filters" in str(info.value)
    with pytest.raises(AssertionError, match="journal: empty"):
        new_journal().assert_sent({"x": 1})


def test_wait_for_returns_when_the_entry_arrives() -> None:
    j = new_journal()

    def later() -> None:
        time.sleep(0.05)
        hume_exchange(j, "late")

    threading.Thread(target=later).start()
    (entry,) = j.wait_for({"data": "late"}, timeout=5)
    assert entry.seq == 3
    with pytest.raises(AssertionError, match=r"^timed out after 0.05 s: expected at least 1"):
        j.wait_for({"data": "never"}, timeout=0.05)


async def test_wait_for_async_does_not_block_the_loop() -> None:
    j = new_journal()

    async def later() -> None:
        await asyncio.sleep(0.02)
        hume_exchange(j, "late")

    task = asyncio.create_task(later())
    entries = await j.wait_for_async(kind="handshake", count=2, timeout=5)
    await task
    assert [e.seq for e in entries] == [1, 2]
    with pytest.raises(AssertionError, match="timed out"):
        await j.wait_for_async(kind="close", timeout=0.02)


# -- NDJSON -------------------------------------------------------------------------------


def test_ndjson_round_trip(tmp_path: Path) -> None:
    j = new_journal()
    hume_exchange(j, "Mary")
    j.record(
        vendor="hume", transport="websocket", connection="hume-ws-1", direction="out",
        kind="close", code=1000, reason="bye", fault="drop", meta={"note": 1},
    )  # fmt: skip
    path = j.write_ndjson(tmp_path / "j.ndjson")
    back = Journal.read_ndjson(path)
    assert back.entries() == j.entries()
    assert back.to_ndjson() == j.to_ndjson()
    assert back.record(**_minimal()).seq == 6  # numbering continues


def _minimal() -> dict[str, Any]:
    return {
        "vendor": "hume", "transport": "websocket", "connection": "c",
        "direction": "in", "kind": "text",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "line 2: not JSON"),
        ('{"seq": 1}', "line 2: invalid journal entry at (entry): 't' is a required property"),
        (
            json.dumps({**_minimal(), "seq": 2, "t": 0, "wall": WALL, "direction": "up"}),
            "line 2: invalid journal entry at direction",
        ),
        (
            json.dumps(
                {**_minimal(), "seq": 2, "t": 0, "wall": WALL, "data": {"apikey": "secret"}}
            ),
            "line 2: invalid journal entry at data/apikey: 'secret' is not one of "
            "['<redacted>', '<empty>', '<missing>']",
        ),
    ],
)
def test_import_reports_the_bad_line(line: str, message: str) -> None:
    j = new_journal()
    j.record(**_minimal())
    with pytest.raises(ValueError, match=re.escape(message)):
        Journal.from_ndjson(j.to_ndjson() + line + "\n")


# -- schema and redaction -----------------------------------------------------------------


def test_schema_is_valid_2020_12() -> None:
    schema = load_schema("journal-entry.schema.json")
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_secret_key_names_agree_with_the_schema() -> None:
    (pattern,) = load_schema("journal-entry.schema.json")["$defs"]["redacted"]["patternProperties"]
    variants = {
        v
        for name in SECRET_KEYS
        for v in (name, name.upper(), name.title(), name.replace("-", "_"))
    }
    assert all(re.search(pattern, name) for name in variants), variants
    for name in ("X-Hume-Api-Key", "apiKey", "X-Auth-Token", "x_auth_token", "Authorization"):
        assert re.search(pattern, name), name
    for name in ("key", "token", "cid", "X-Auth-Client", "api_keys", "monkey"):
        assert not re.search(pattern, name), name


def test_secrets_are_redacted_at_any_depth() -> None:
    j = new_journal()
    j.record(
        **_minimal(),
        data={"headers": {"Authorization": "Bearer s3cret"}, "items": [{"API_KEY": "s3cret"}]},
        meta={"x_auth_token": "s3cret"},
    )
    text = j.to_ndjson()
    assert "s3cret" not in text
    (entry,) = j.entries()
    assert entry.data["headers"]["Authorization"] == REDACTED
    assert entry.meta["x_auth_token"] == REDACTED
    validate_entry(json.loads(text))


@pytest.mark.e2e
@pytest.mark.sdk
@pytest.mark.filterwarnings("ignore:Couldn't find ffmpeg or avconv:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:'audioop' is deprecated:DeprecationWarning")
def test_real_sessions_export_valid_entries_without_credentials() -> None:
    """Hume (header and query key) plus Behavioral Signals (gRPC stream and REST)."""

    speech = str(fixture_path("media/speech_16k.wav"))
    with MockServer(seed=3) as server:
        hume = server.hume
        publish = {"models": {"language": {}}, "raw_text": True, "data": "I am delighted"}
        with connect(f"{hume.url}?apikey={hume.api_key}") as ws:
            ws.send(json.dumps(publish))
            ws.recv(timeout=30)
        with connect(hume.url, additional_headers={"X-Hume-Api-Key": hume.api_key}) as ws:
            ws.send(json.dumps(publish))
            ws.recv(timeout=30)
        bs = server.behavioral
        with behavioral_signals_redirect(bs):
            client = Client(bs.cid, bs.token)
            try:
                audio, rate = make_audio_stream(speech, chunk_size=0.5)
                options = StreamingOptions(sample_rate=rate, encoding="LINEAR_PCM")
                assert list(client.behavioral.stream_audio(audio_stream=audio, options=options))
                client.behavioral.upload_audio(speech)
            finally:
                client.close()
        journal = server.journal
        journal.wait_for(vendor="behavioral", transport="grpc", kind="status", timeout=10)
        text = journal.to_ndjson()
        server.check()

    seen = {(e["vendor"], e["transport"], e["kind"]) for e in map(json.loads, text.splitlines())}
    for required in [
        ("hume", "websocket", "handshake"),
        ("hume", "websocket", "text"),
        ("behavioral", "grpc", "message"),
        ("behavioral", "http", "request"),
        ("behavioral", "http", "response"),
    ]:
        assert required in seen, (required, seen)
    for line in text.splitlines():
        validate_entry(json.loads(line))
    for secret in (hume.api_key, bs.token):
        assert secret not in text
    back = Journal.from_ndjson(text)
    back.assert_sent({"query": {"apikey": REDACTED}}, kind="handshake", vendor="hume")
    back.assert_sent({"headers": {"X-Hume-Api-Key": REDACTED}}, kind="handshake")
    back.assert_sent({"x_auth_token": REDACTED}, vendor="behavioral", transport="grpc", count=None)
    back.assert_sent({"headers": {"X-Auth-Token": REDACTED}}, transport="http", count=None)
