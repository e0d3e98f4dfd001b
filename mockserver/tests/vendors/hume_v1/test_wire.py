"""The v1 endpoints over real sockets with a raw ``websockets`` client and plain HTTP: what
the SDK never sends, the handshake, the journal, shutdown and faults."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from mockserver.journal import Journal
from mockserver.server import MockServer
from mockserver.vendors.hume_v1.handle import HumeV1Handle
from mockserver.vendors.hume_v1.labels import V0_CANDIDATES

from .harness import jpeg_fixture, pcm_fixture

pytestmark = pytest.mark.e2e

SPEECH = pcm_fixture("speech_16k.wav")
FACE = jpeg_fixture("face.jpg")


@contextlib.contextmanager
def open_audio(mock_hume_v1: HumeV1Handle) -> Iterator[ClientConnection]:
    """An audio session whose ``session.created`` has been read."""
    with connect(mock_hume_v1.endpoint.audio_url, additional_headers=mock_hume_v1.headers) as ws:
        created = json.loads(ws.recv(timeout=10))
        assert created["type"] == "session.created"
        yield ws


def receive_all(ws: ClientConnection) -> tuple[list[dict[str, Any]], int | None]:
    """Every message until the server closes, and the close code."""
    messages: list[dict[str, Any]] = []
    try:
        while True:
            messages.append(json.loads(ws.recv(timeout=10)))
    except ConnectionClosed as closed:
        return messages, closed.rcvd.code if closed.rcvd else None


def codes(messages: list[dict[str, Any]]) -> list[str]:
    return [m["code"] for m in messages if m["type"] == "error"]


# -- what the SDK never sends ---------------------------------------------------------------


def test_session_update_after_audio_ends_the_session_with_config_invalid(
    mock_hume_v1: HumeV1Handle,
) -> None:
    with open_audio(mock_hume_v1) as ws:
        ws.send(SPEECH[:3200])
        ws.send(json.dumps({"type": "session.update", "measurement_timer_ms": 5000}))
        messages, code = receive_all(ws)
    assert codes(messages) == ["config_invalid"]
    assert messages[-1]["type"] == "session.closed" and messages[-1]["reason"] == "error"
    assert code == 1008


def test_odd_length_and_over_10_second_frames_are_rejected_and_the_session_continues(
    mock_hume_v1: HumeV1Handle,
) -> None:
    with open_audio(mock_hume_v1) as ws:
        ws.send(SPEECH[:3201])
        odd = json.loads(ws.recv(timeout=10))
        ws.send(b"\0" * 320_002)
        long = json.loads(ws.recv(timeout=10))
        ws.send(SPEECH)
        ws.send(json.dumps({"type": "session.close"}))
        messages, code = receive_all(ws)
    assert (odd["code"], odd["retryable"]) == ("invalid_audio_frame", True)
    assert "odd number of bytes" in odd["message"]
    assert long["code"] == "invalid_audio_frame" and "10000 ms" in long["message"]
    assert messages[-1]["reason"] == "client_request" and code == 1000
    assert messages[-1]["received"] == {"audio_duration_ms": len(SPEECH) // 32, "frames": 1}


@pytest.mark.parametrize("payload", [b"\0" * (1 << 20) + b"\0\0", "x" * ((1 << 20) + 1)])
def test_a_message_over_one_mebibyte_ends_the_session(
    mock_hume_v1: HumeV1Handle, payload: bytes | str
) -> None:
    with open_audio(mock_hume_v1) as ws:
        ws.send(payload)
        messages, code = receive_all(ws)
    assert codes(messages) == ["message_too_large"] and code == 1008
    assert messages[-1]["type"] == "session.closed"


def test_audio_sent_faster_than_real_time_is_rate_limited(mock_hume_v1: HumeV1Handle) -> None:
    with open_audio(mock_hume_v1) as ws:
        for _ in range(12):  # 12 s of audio at once; the allowance is 10 s
            ws.send(b"\0" * 32_000)
        ws.send(json.dumps({"type": "session.close"}))
        messages, _ = receive_all(ws)
    limited = [m for m in messages if m["type"] == "error"]
    assert codes(limited) == ["rate_limited", "rate_limited"] and limited[0]["retryable"]
    assert messages[-1]["received"]["frames"] == 10


def test_unreadable_text_is_message_invalid(mock_hume_v1: HumeV1Handle) -> None:
    with open_audio(mock_hume_v1) as ws:
        ws.send("{nope")
        reply = json.loads(ws.recv(timeout=10))
        ws.send(json.dumps({"type": "session.close"}))
        messages, _ = receive_all(ws)
    assert reply["code"] == "message_invalid"
    assert messages[-1]["reason"] == "client_request"


# -- handshake and plain HTTP ---------------------------------------------------------------


def refused(url: str, headers: dict[str, str]) -> Any:
    with pytest.raises(InvalidStatus) as info, connect(url, additional_headers=headers):
        pass
    return info.value.response


def test_handshake_refusals(mock_hume_v1: HumeV1Handle) -> None:
    missing = refused(mock_hume_v1.endpoint.audio_url, {})
    assert missing.status_code == 401 and set(json.loads(missing.body)) == {"message"}
    wrong = refused(mock_hume_v1.endpoint.video_url, {"X-Hume-Api-Key": "wrong"})
    assert wrong.status_code == 401 and set(json.loads(wrong.body)) == {"message", "request_id"}
    elsewhere = refused(mock_hume_v1.ws_url + "/v1/expression/face/realtime", mock_hume_v1.headers)
    assert elsewhere.status_code == 404


def http(method: str, url: str, headers: dict[str, str]) -> tuple[int, Any]:
    request = urllib.request.Request(url, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_plain_requests_on_the_realtime_paths(mock_hume_v1: HumeV1Handle) -> None:
    url = mock_hume_v1.base_url + "/v1/expression/audio/realtime"
    assert http("GET", url, mock_hume_v1.headers)[0] == 400
    assert http("POST", url, mock_hume_v1.headers)[0] == 405
    assert http("GET", url, {})[0] == 401


def test_compression_is_not_negotiated_by_default(mock_hume_v1: HumeV1Handle) -> None:
    with connect(mock_hume_v1.endpoint.audio_url, additional_headers=mock_hume_v1.headers) as ws:
        assert ws.response is not None
        assert "Sec-WebSocket-Extensions" not in ws.response.headers


# -- journal --------------------------------------------------------------------------------


def test_frames_are_journaled_with_binary_by_size_and_hash_and_keys_redacted(
    mock_hume_v1: HumeV1Handle, mockserver_journal: Journal
) -> None:
    frame = SPEECH[:3200]
    with open_audio(mock_hume_v1) as ws:
        ws.send(frame)
        ws.send(json.dumps({"type": "session.close"}))
        receive_all(ws)
    mockserver_journal.wait_for(vendor="hume_v1", kind="close", direction="out")
    (binary,) = mockserver_journal.entries(vendor="hume_v1", kind="binary")
    assert binary.data == {"sha256": hashlib.sha256(frame).hexdigest()} and binary.size == 3200
    handshake = mockserver_journal.entries(vendor="hume_v1", kind="handshake", direction="in")[0]
    assert handshake.data["headers"]["X-Hume-Api-Key"] == "<redacted>"
    assert handshake.transport == "websocket"
    out = [e.data["type"] for e in mockserver_journal.entries(vendor="hume_v1", kind="text",
                                                               direction="out")]  # fmt: skip
    assert out == ["session.created", "session.closed"]
    http("GET", mock_hume_v1.base_url + "/v1/expression/run", mock_hume_v1.headers)
    request = mockserver_journal.entries(vendor="hume_v1", kind="request")[-1]
    assert request.transport == "http" and request.data["headers"]["X-Hume-Api-Key"] == "<redacted>"
    assert mock_hume_v1.api_key not in mockserver_journal.to_ndjson()


# -- shutdown and faults --------------------------------------------------------------------


async def test_stopping_the_server_says_server_shutdown_and_closes_1001() -> None:

    server = MockServer()
    await server.astart()
    endpoint = server.hume_v1
    headers = {"X-Hume-Api-Key": endpoint.api_key}
    async with websockets.connect(endpoint.video_url, additional_headers=headers) as ws:
        json.loads(await ws.recv())
        stopping = asyncio.ensure_future(server.astop())
        closed = json.loads(await asyncio.wait_for(ws.recv(), 10))
        with pytest.raises(ConnectionClosed) as info:
            await asyncio.wait_for(ws.recv(), 10)
        await stopping
    assert closed["reason"] == "server_shutdown" and closed["type"] == "session.closed"
    assert info.value.rcvd is not None and info.value.rcvd.code == 1001


def test_a_dropped_connection_errors_the_run(
    mock_hume_v1: HumeV1Handle, mockserver: MockServer, mockserver_journal: Journal
) -> None:
    mockserver.add_faults({"vendor": "hume_v1", "type": "drop", "when": {"after_results": 1}})
    with open_audio(mock_hume_v1) as ws, pytest.raises(ConnectionClosed) as info:
        ws.recv(timeout=10)
    assert info.value.rcvd is None
    mockserver_journal.wait_for(vendor="hume_v1", kind="disconnect", fault="drop-1")
    client = mock_hume_v1.client()
    run = client.runs.list(mode="realtime").runs[0]
    for _ in range(200):
        run = client.runs.get(run.run_id)
        if run.status != "live":
            break
        time.sleep(0.02)  # the run ends once the server has noticed the drop
    assert (run.status, run.close_code, run.close_reason) == ("errored", 1011, "error")


def test_after_audio_s_counts_audio_frames_only(
    mock_hume_v1: HumeV1Handle, mockserver: MockServer
) -> None:
    mockserver.add_faults(
        {"vendor": "hume_v1", "type": "close", "code": 4000, "when": {"after_audio_s": 0.5}}
    )
    with connect(mock_hume_v1.endpoint.video_url, additional_headers=mock_hume_v1.headers) as video:
        video.recv(timeout=10)
        video.send(FACE)  # 22 KB of JPEG is not audio
        assert json.loads(video.recv(timeout=10))["type"] == "measurement.result"
    with open_audio(mock_hume_v1) as ws:
        ws.send(SPEECH[:8000])  # 0.25 s
        ws.send(SPEECH[8000:16000])  # 0.5 s in all: the fault fires
        _, code = receive_all(ws)
    assert code == 4000


def test_http_faults_and_handshake_rejections_use_the_v1_bodies(
    mock_hume_v1: HumeV1Handle, mockserver: MockServer
) -> None:
    mockserver.add_faults(
        [
            {"vendor": "hume_v1", "type": "http_error", "status": 503, "when": {"times": 1}},
            {"vendor": "hume_v1", "type": "handshake_reject", "status": 429, "when": {"times": 1}},
        ]
    )
    status, body = http("GET", mock_hume_v1.base_url + "/v1/expression/run", mock_hume_v1.headers)
    assert status == 503 and (body["type"], body["code"]) == ("error", "server_busy")
    response = refused(mock_hume_v1.endpoint.audio_url, mock_hume_v1.headers)
    assert response.status_code == 429 and json.loads(response.body)["type"] == "error"
    assert http("GET", mock_hume_v1.base_url + "/v1/expression/run", mock_hume_v1.headers)[0] == 200


def test_a_label_file_and_the_builtin_choice_decide_the_names_in_results(tmp_path: Path) -> None:
    path = tmp_path / "labels.json"
    path.write_text(
        json.dumps({"video_expressions": ["glee", "joy"], "video_descriptions": ["smile"]}),
        encoding="utf-8",
    )
    for settings, expressions, descriptions in (
        ({"labels": str(path)}, {"glee", "joy"}, {"smile"}),
        ({"builtin_labels": "v0_candidates"}, set(V0_CANDIDATES.video_expressions),
         set(V0_CANDIDATES.video_descriptions)),
    ):  # fmt: skip
        with MockServer(hume_v1=settings) as server:
            client = HumeV1Handle(server).client()
            (face,) = (
                client.video.measure(file=[("a.jpg", FACE, "image/jpeg")]).measurements[0].faces
            )
            server.check()
        assert face.expressions and face.descriptions
        assert {s.name for s in face.expressions} <= expressions
        assert {s.name for s in face.descriptions} <= descriptions
        names = {s.name for s in face.expressions}
    assert "pride" in names  # a v0 candidate, not confirmed


def test_the_transports_own_refusals_use_the_v1_error_body() -> None:

    with MockServer(hume_v1={"max_upload_bytes": 50_000}) as server:
        endpoint = server.hume_v1
        headers = {"X-Hume-Api-Key": endpoint.api_key}
        files = {"file": ("a.pcm", b"\0" * 60_000, "application/octet-stream")}
        big = httpx.post(endpoint.base_url + "/v1/expression/audio/file", headers=headers,
                         files=files)  # fmt: skip
        broken = httpx.post(
            endpoint.base_url + "/v1/expression/audio/file",
            headers={**headers, "Content-Type": "multipart/form-data; boundary=zz"},
            content=b"--zz\r\nnot a header\r\n",
        )
        server.check()
    assert big.status_code == 413 and big.json()["code"] == "audio_too_long"
    assert broken.status_code == 400 and broken.json()["code"] == "message_invalid"
    for body in (big.json(), broken.json()):
        assert body["type"] == "error" and int(body["request_id"], 16) > 0


def test_a_message_over_the_transport_limit_closes_1009_without_session_closed() -> None:
    with MockServer(hume_v1={"max_frame_bytes": 4096}) as server:
        handle = HumeV1Handle(server)
        with open_audio(handle) as ws:
            ws.send(b"\0" * 8192)
            messages, code = receive_all(ws)
        assert messages == [] and code == 1009
        client = handle.client()
        run_id = client.runs.list().runs[0].run_id
        for _ in range(200):
            run = client.runs.get(run_id)
            if run.status != "live":
                break
            time.sleep(0.02)  # the run ends once the server has closed the connection
        assert (run.status, run.close_code) == ("errored", 1009)
        server.check()
