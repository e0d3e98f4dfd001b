"""Every WebSocket fault, as the official Hume SDK (``hume==0.13.13``) user sees it.

Each test loads one fault into the running emulator, drives
``client.expression_measurement.stream.connect()`` (sync ``HumeClient`` or async
``AsyncHumeClient``) exactly as a user would, and checks both what the SDK raised or
returned and what the journal says went on the wire (with the fault's name).
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pydantic
import pytest
from hume import AsyncHumeClient, HumeClient
from hume.core.api_error import ApiError
from hume.expression_measurement.stream import (
    Config,
    StreamErrorMessage,
    StreamLanguage,
    StreamModelPredictions,
    StreamModelsEndpointPayload,
)
from websockets.exceptions import ConnectionClosedError, ConnectionClosedOK, InvalidStatus

from mockserver.resources import fixture_path
from mockserver.server import MockServer

from .helpers import wait_closed, wait_entry

pytestmark = [pytest.mark.e2e, pytest.mark.sdk]

LANGUAGE = Config(language=StreamLanguage())


def sync_client(server: MockServer) -> HumeClient:
    return HumeClient(api_key=server.hume.api_key, base_url=server.hume.base_url)


def async_client(server: MockServer) -> AsyncHumeClient:
    return AsyncHumeClient(api_key=server.hume.api_key, base_url=server.hume.base_url)


def publish(text: str, payload_id: str) -> StreamModelsEndpointPayload:
    return StreamModelsEndpointPayload(
        data=text, models=LANGUAGE, raw_text=True, payload_id=payload_id
    )


# -- delays ----------------------------------------------------------------------------------


def test_delay_holds_each_reply_back(server: MockServer) -> None:
    server.add_faults({"name": "slow", "vendor": "hume", "type": "delay", "seconds": 0.2})
    with sync_client(server).expression_measurement.stream.connect() as socket:
        started = time.monotonic()
        result = socket.send_text("I am delighted!", config=LANGUAGE)
        elapsed = time.monotonic() - started
    assert isinstance(result, StreamModelPredictions) and result.language is not None
    assert elapsed >= 0.2
    assert wait_entry(server, direction="out", kind="text").fault == "slow"


async def test_random_delay_stays_within_its_bounds_async(server: MockServer) -> None:
    server.add_faults({"type": "delay", "min_seconds": 0.1, "max_seconds": 0.2})
    async with async_client(server).expression_measurement.stream.connect() as socket:
        started = time.monotonic()
        for i in range(2):
            await socket.send_text(f"text {i}", config=LANGUAGE)
        elapsed = time.monotonic() - started
    assert 0.2 <= elapsed < 20.0  # never shorter than the delays; the bound catches 'never'


def test_slow_consumer_reads_the_client_late(server: MockServer) -> None:
    server.add_faults({"type": "slow_consumer", "seconds": 0.25, "when": {"message": 2}})
    with sync_client(server).expression_measurement.stream.connect() as socket:
        socket.send_text("first", config=LANGUAGE)
        socket.send_text("second", config=LANGUAGE)
    frames = server.journal.entries(direction="in", kind="text")
    assert [f.fault for f in frames] == [None, "slow_consumer-1"]
    # Measured by the server: it read frame 2 at least 0.25 s after it sent reply 1.
    (reply_1, _) = server.journal.entries(direction="out", kind="text")
    assert frames[1].t - reply_1.t >= 0.25


# -- the connection ends ---------------------------------------------------------------------


def test_close_with_code_and_reason_sync(server: MockServer) -> None:
    server.add_faults(
        {"type": "close", "code": 4000, "reason": "Injected close", "when": {"message": 2}}
    )
    with sync_client(server).expression_measurement.stream.connect() as socket:
        assert isinstance(socket.send_text("one", config=LANGUAGE), StreamModelPredictions)
        with pytest.raises(ConnectionClosedError) as caught:
            socket.send_text("two", config=LANGUAGE)
    assert caught.value.rcvd is not None
    assert (caught.value.rcvd.code, caught.value.rcvd.reason) == (4000, "Injected close")
    close = wait_entry(server, direction="out", kind="close")
    assert (close.code, close.reason, close.fault) == (4000, "Injected close", "close-1")


async def test_close_1011_async(server: MockServer) -> None:
    server.add_faults({"type": "close", "reason": "Internal server error."})
    async with async_client(server).expression_measurement.stream.connect() as socket:
        with pytest.raises(ConnectionClosedError) as caught:
            await socket.send_text("one", config=LANGUAGE)
    assert caught.value.rcvd is not None and caught.value.rcvd.code == 1011


def test_drop_without_close_frame_sync(server: MockServer) -> None:
    server.add_faults(
        {"name": "drop-2nd", "vendor": "hume", "type": "drop", "when": {"message": 2}}
    )
    with sync_client(server).expression_measurement.stream.connect() as socket:
        socket.send_text("one", config=LANGUAGE)
        with pytest.raises(ConnectionClosedError) as caught:
            socket.send_text("two", config=LANGUAGE)
    assert caught.value.rcvd is None  # no close frame: the TCP connection just ended
    assert wait_entry(server, direction="out", kind="disconnect").fault == "drop-2nd"
    assert server.journal.entries(direction="out", kind="close") == []


async def test_drop_async(server: MockServer) -> None:
    server.add_faults({"type": "drop"})
    async with async_client(server).expression_measurement.stream.connect() as socket:
        with pytest.raises(ConnectionClosedError) as caught:
            await socket.send_text("one", config=LANGUAGE)
    assert caught.value.rcvd is None


def test_inactivity_close_after_idle_time_sync(server: MockServer) -> None:
    server.add_faults({"type": "inactivity_close", "when": {"idle_s": 0.2}})
    with sync_client(server).expression_measurement.stream.connect() as socket:
        socket.send_text("one", config=LANGUAGE)
        time.sleep(0.4)
        with pytest.raises(ConnectionClosedOK) as caught:
            socket.send_text("two", config=LANGUAGE)
    assert caught.value.rcvd is not None
    assert caught.value.rcvd.code == 1000
    assert caught.value.rcvd.reason == "Connection closed after 60 seconds of inactivity."
    assert wait_entry(server, direction="out", kind="close").fault == "inactivity_close-1"


async def test_inactivity_close_ends_async_iteration(server: MockServer) -> None:
    server.add_faults({"type": "inactivity_close", "when": {"idle_s": 0.1}})
    async with async_client(server).expression_measurement.stream.connect() as socket:
        received = [message async for message in socket]  # ends cleanly on a 1000 close
    assert received == []


async def test_close_after_seconds_of_audio_async(server: MockServer) -> None:
    server.add_faults({"type": "close", "code": 1008, "when": {"after_audio_s": 5.0}})
    speech = str(fixture_path("media/speech_16k.wav"))  # 3.19 s
    prosody = Config(prosody={})
    async with async_client(server).expression_measurement.stream.connect() as socket:
        first = await socket.send_file(speech, config=prosody)
        with pytest.raises(ConnectionClosedError) as caught:
            await socket.send_file(speech, config=prosody)
    assert isinstance(first, StreamModelPredictions) and first.prosody is not None
    assert caught.value.rcvd is not None and caught.value.rcvd.code == 1008


# -- the handshake ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (401, "Websocket initialized with invalid credentials."),
        (429, "Unexpected error when initializing websocket connection."),
        (500, "Unexpected error when initializing websocket connection."),
    ],
)
async def test_handshake_reject_async(server: MockServer, status: int, body: str) -> None:
    server.add_faults({"vendor": "hume", "type": "handshake_reject", "status": status})
    with pytest.raises(ApiError) as caught:
        async with async_client(server).expression_measurement.stream.connect():
            pytest.fail("the upgrade was accepted")
    assert (caught.value.status_code, caught.value.body) == (status, body)
    refused = wait_entry(server, direction="out", kind="handshake")
    assert (refused.code, refused.fault) == (status, "handshake_reject-1")
    assert "faultstring" in json.loads(refused.data["body"])["fault"]


def test_handshake_reject_sync_only_on_the_first_connection(server: MockServer) -> None:
    server.add_faults({"type": "handshake_reject", "status": 429, "when": {"connection": 1}})
    client = sync_client(server)
    # The 0.13 sync client lets websockets' InvalidStatus through (see docs/hume.md).
    with pytest.raises((InvalidStatus, ApiError)) as caught:  # noqa: SIM117
        with client.expression_measurement.stream.connect():
            pytest.fail("the upgrade was accepted")
    exc = caught.value
    status = (
        exc.response.status_code if isinstance(exc, InvalidStatus) else exc.status_code  # type: ignore[attr-defined]
    )
    assert status == 429
    with client.expression_measurement.stream.connect() as socket:  # connection 2: accepted
        assert isinstance(socket.send_text("ok", config=LANGUAGE), StreamModelPredictions)


# -- the reply is withheld, rewritten, duplicated or reordered -------------------------------


async def test_discard_leaves_the_client_waiting_async(server: MockServer) -> None:
    server.add_faults({"type": "discard", "when": {"message": 1}})
    async with async_client(server).expression_measurement.stream.connect() as socket:
        with pytest.raises(TimeoutError):  # the user's own timeout ends the wait
            await asyncio.wait_for(socket.send_text("lost", config=LANGUAGE, payload_id="1"), 0.3)
        later = await socket.send_text("kept", config=LANGUAGE, payload_id="2")
    assert isinstance(later, StreamModelPredictions) and later.payload_id == "2"
    note = wait_entry(server, direction="out", kind="fault")
    assert note.fault == "discard-1" and note.data["discard"]["payload_id"] == "1"


def test_malformed_json_sync(server: MockServer) -> None:
    server.add_faults({"type": "malformed_json"})
    with sync_client(server).expression_measurement.stream.connect() as socket:  # noqa: SIM117
        with pytest.raises(json.JSONDecodeError):
            socket.send_text("hello", config=LANGUAGE)
    frame = wait_entry(server, direction="out", kind="text")
    assert isinstance(frame.data, str) and frame.fault == "malformed_json-1"  # not JSON


def test_wrong_types_sync(server: MockServer) -> None:
    server.add_faults({"type": "wrong_types"})
    with sync_client(server).expression_measurement.stream.connect() as socket:
        with pytest.raises(pydantic.ValidationError):  # payload_id is now a number
            socket.send_text("hello", config=LANGUAGE, payload_id="p-1")
        # Without a typed top-level field, the SDK's lenient union accepts the reply as an
        # error message with no error (the mistyped models become extra fields).
        silent = socket.send_text("hello", config=LANGUAGE)
    assert isinstance(silent, StreamErrorMessage) and silent.error is None
    frame = wait_entry(server, direction="out", kind="text")
    assert frame.data["payload_id"] == 3 and frame.fault == "wrong_types-1"


async def test_replace_with_an_internal_error_async(server: MockServer) -> None:
    body = {"error": "Internal server error. The failure has been logged.", "code": "I0100"}
    server.add_faults({"type": "replace", "body": body, "when": {"message": 1}})
    async with async_client(server).expression_measurement.stream.connect() as socket:
        result = await socket.send_text("hello", config=LANGUAGE)
    assert isinstance(result, StreamErrorMessage) and result.code == "I0100"


def test_duplicate_makes_the_next_call_return_a_stale_reply_sync(server: MockServer) -> None:
    server.add_faults({"type": "duplicate", "when": {"message": 1}})
    with sync_client(server).expression_measurement.stream.connect() as socket:
        first = socket.send_text("one", config=LANGUAGE, payload_id="1")
        second = socket.send_text("two", config=LANGUAGE, payload_id="2")  # gets the copy
        third = socket.send_text("three", config=LANGUAGE, payload_id="3")  # gets reply 2
    assert [r.payload_id for r in (first, second, third)] == ["1", "1", "2"]
    frames = server.journal.entries(direction="out", kind="text")
    assert [f.fault for f in frames] == [None, "duplicate-1", None, None][: len(frames)]


async def test_reorder_swaps_two_replies_async(server: MockServer) -> None:
    server.add_faults({"type": "reorder", "when": {"message": 1}})
    async with async_client(server).expression_measurement.stream.connect() as socket:
        await socket.send_publish(publish("one", "1"))
        await socket.send_publish(publish("two", "2"))
        replies: list[Any] = [await socket.recv(), await socket.recv()]
    assert [r.payload_id for r in replies] == ["2", "1"]
    frames = server.journal.entries(direction="out", kind="text")
    assert [(f.data["payload_id"], f.fault) for f in frames] == [("2", None), ("1", "reorder-1")]


# -- determinism and reset -------------------------------------------------------------------


def test_probability_firings_repeat_with_the_seed(server: MockServer) -> None:
    def run() -> list[str | None]:
        server.reset()
        server.add_faults({"type": "wrong_types", "when": {"probability": 0.5}})
        with sync_client(server).expression_measurement.stream.connect() as socket:
            for i in range(12):
                socket.send_text(f"text {i}", config=LANGUAGE)
        return [f.fault for f in server.journal.entries(direction="out", kind="text")]

    first = run()
    assert run() == first
    assert 0 < first.count("wrong_types-1") < 12


def test_reset_removes_faults_from_open_connections(server: MockServer) -> None:
    server.add_faults({"type": "malformed_json"})
    with sync_client(server).expression_measurement.stream.connect() as socket:
        server.reset()
        assert isinstance(socket.send_text("ok", config=LANGUAGE), StreamModelPredictions)
    wait_closed(server)
