"""Connection rules of /v0/stream/models over real sockets (errors page, websocket guide)."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from typing import Any

import pytest
from websockets.asyncio.client import connect as async_connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from mockserver.core.clock import ManualClock
from mockserver.server import MockServer
from mockserver.tests.conftest import HumeSocket, hume_socket
from mockserver.vendors.hume.service import HumeEndpoint

pytestmark = pytest.mark.e2e


def key(endpoint: HumeEndpoint) -> dict[str, str]:
    return {"X-Hume-Api-Key": endpoint.api_key}


def refused(url: str, headers: dict[str, str]) -> InvalidStatus:
    with pytest.raises(InvalidStatus) as info, connect(url, additional_headers=headers):
        pass
    return info.value


def open_and_close(endpoint: HumeEndpoint) -> None:
    with connect(endpoint.url, additional_headers=key(endpoint)):
        pass


# -- handshake and auth -------------------------------------------------------------------


def test_missing_empty_and_unknown_keys_are_refused_with_401(hume: HumeEndpoint) -> None:
    for headers in ({}, {"X-Hume-Api-Key": ""}, {"X-Hume-Api-Key": "wrong"}):
        response = refused(hume.url, headers).response
        assert response.status_code == 401
        assert response.headers["Content-Type"] == "application/json"
        assert "fault" in json.loads(response.body)


@pytest.mark.parametrize("param", ["apikey", "apiKey", "api_key"])
def test_query_parameter_keys_and_unknown_parameters(hume: HumeEndpoint, param: str) -> None:
    url = f"{hume.url}?fernSdkLanguage=JavaScript&{param}={hume.api_key}"
    with connect(url) as ws:
        ws.send('{"job_details": true}')
        assert "job_details" in json.loads(ws.recv(timeout=10))


def test_other_paths_get_404_and_plain_http_gets_401_or_426(hume: HumeEndpoint) -> None:
    base = hume.url.rsplit("/v0/", 1)[0]
    assert refused(base + "/v0/stream/face", key(hume)).response.status_code == 404
    for headers, status in (({}, 401), (key(hume), 426)):
        request = urllib.request.Request(hume.base_url + "/v0/stream/models", headers=headers)
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(request, timeout=5)
        assert info.value.code == status


def test_refusals_are_journaled_with_redacted_keys(
    mock_server: MockServer, hume: HumeEndpoint
) -> None:
    refused(hume.url, {"X-Hume-Api-Key": "wrong-secret"})
    entries = mock_server.journal.entries(kind="handshake")
    assert [e.direction for e in entries] == ["in", "out"]
    assert entries[0].data["headers"]["X-Hume-Api-Key"] == "<redacted>"
    assert entries[1].code == 401
    assert "wrong-secret" not in mock_server.journal.to_ndjson()


def test_query_keys_are_redacted_too(mock_server: MockServer, hume: HumeEndpoint) -> None:
    with connect(f"{hume.url}?apikey={hume.api_key}"):
        pass
    handshake = mock_server.journal.entries(kind="handshake")[0]
    assert handshake.data["query"] == {"apikey": "<redacted>"}


def test_more_than_50_handshakes_per_second_per_key_get_429() -> None:
    clock = ManualClock(1000.0)  # frozen: every handshake falls in the same second
    with MockServer(clock=clock) as server:
        for _ in range(50):
            open_and_close(server.hume)
        assert refused(server.hume.url, key(server.hume)).response.status_code == 429
        clock.advance(1.0)
        open_and_close(server.hume)


# -- closes ---------------------------------------------------------------------------------


def test_inactivity_closes_with_1000() -> None:
    with MockServer(hume={"inactivity_timeout_s": 0.3}) as server, hume_socket(server.hume) as ws:
        ws.exchange({"job_details": True})
        started = time.monotonic()
        with pytest.raises(ConnectionClosed) as info:
            ws.ws.recv(timeout=10)
        assert time.monotonic() - started >= 0.25
        assert info.value.rcvd is not None and info.value.rcvd.code == 1000
        assert "inactivity" in info.value.rcvd.reason
        assert [c.code for c in server.journal.entries(kind="close", direction="out")] == [1000]


def test_ten_identical_errors_close_with_1008(hume: HumeEndpoint) -> None:
    with hume_socket(hume) as ws:
        for _ in range(10):
            assert ws.exchange("not json")["code"] == "E0100"
        with pytest.raises(ConnectionClosed) as info:
            ws.ws.recv(timeout=10)
        assert info.value.rcvd is not None and info.value.rcvd.code == 1008


def test_oversized_frames_close_with_1009_and_others_keep_working() -> None:
    server = MockServer(hume={"max_frame_bytes": 4096})
    with server, hume_socket(server.hume) as big, hume_socket(server.hume) as other:
        big.ws.send(json.dumps({"data": "x" * 5000}))
        with pytest.raises(ConnectionClosed) as info:
            big.ws.recv(timeout=10)
        assert info.value.rcvd is not None and info.value.rcvd.code == 1009
        assert other.exchange({"job_details": True})["job_details"]


def test_client_close_is_journaled(mock_server: MockServer, hume: HumeEndpoint) -> None:
    with connect(hume.url, additional_headers=key(hume)) as ws:
        ws.close(1000, "video stopped")
    deadline = time.monotonic() + 5
    while not mock_server.journal.entries(kind="close") and time.monotonic() < deadline:
        time.sleep(0.01)
    (close,) = mock_server.journal.entries(kind="close")
    assert (close.direction, close.code, close.reason) == ("in", 1000, "video stopped")


# -- framing and ordering ------------------------------------------------------------------


def test_one_reply_per_frame_in_order_when_pipelined(hume_ws: HumeSocket) -> None:
    messages: list[dict[str, Any]] = [
        {"payload_id": str(i), "data": "hello" if i % 3 else "@@", "raw_text": i % 3 != 0,
         "models": {"language": {}}}
        for i in range(30)
    ]  # fmt: skip
    for message in messages:
        hume_ws.ws.send(json.dumps(message))
    replies = [json.loads(hume_ws.ws.recv(timeout=30)) for _ in messages]
    assert [r["payload_id"] for r in replies] == [m["payload_id"] for m in messages]
    assert [("code" in r) for r in replies] == [i % 3 == 0 for i in range(30)]


def test_binary_frames_get_e0100(hume_ws: HumeSocket) -> None:
    hume_ws.ws.send(b'{"job_details": true}')
    assert json.loads(hume_ws.ws.recv(timeout=10))["code"] == "E0100"


def test_compression_is_off_by_default_and_configurable(hume: HumeEndpoint) -> None:
    with connect(hume.url, additional_headers=key(hume)) as ws:
        assert ws.response is not None
        assert "Sec-WebSocket-Extensions" not in ws.response.headers
    server = MockServer(hume={"compression": True})
    with server, connect(server.hume.url, additional_headers=key(server.hume)) as ws:
        assert ws.response is not None
        assert "permessage-deflate" in ws.response.headers["Sec-WebSocket-Extensions"]


# -- determinism, instances, isolation -------------------------------------------------------


def run_script(server: MockServer) -> list[str]:
    script: list[Any] = [
        {"job_details": True},
        {"data": "I am furious!", "raw_text": True, "models": {"language": {"sentiment": {}}}},
        {"data": "not base64", "models": {"face": {}}},
    ]
    replies = []
    with connect(server.hume.url, additional_headers=key(server.hume)) as ws:
        for message in script:
            ws.send(json.dumps(message))
            replies.append(str(ws.recv(timeout=30)))
    return replies


def test_same_seed_gives_byte_identical_replies_and_another_seed_differs() -> None:
    with MockServer(seed=11) as a, MockServer(seed=11) as b, MockServer(seed=12) as c:
        assert a.hume.port != b.hume.port
        first, second, third = run_script(a), run_script(b), run_script(c)
    assert first == second
    assert first[0] != third[0] and first[1] != third[1]  # job id and scores follow the seed
    assert first[2] == third[2]  # the error text does not


async def test_async_server_on_the_callers_loop() -> None:
    async with MockServer(seed=3) as server:
        async with async_connect(server.hume.url, additional_headers=key(server.hume)) as ws:
            await ws.send('{"job_details": true, "payload_id": "a"}')
            reply = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert reply["payload_id"] == "a"
        assert len(server.journal.entries(vendor="hume", kind="text")) == 2


def test_a_misbehaving_client_does_not_disturb_others(hume: HumeEndpoint) -> None:
    with hume_socket(hume) as bad, hume_socket(hume) as good:
        for _ in range(5):
            bad.ws.send("garbage")
        reply = good.exchange({"data": "fine", "raw_text": True, "models": {"language": {}}})
        assert reply["language"]["predictions"][0]["text"] == "fine"
        assert all(json.loads(bad.ws.recv(timeout=10))["code"] == "E0100" for _ in range(5))


def test_stop_closes_live_connections_with_1001() -> None:
    server = MockServer().start()
    with connect(server.hume.url, additional_headers=key(server.hume)) as ws:
        server.stop()
        with pytest.raises(ConnectionClosed) as info:
            ws.recv(timeout=10)
        assert info.value.rcvd is not None and info.value.rcvd.code == 1001
