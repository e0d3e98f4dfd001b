"""Past capacity the server sheds load the way each vendor does, without crashing and with
bounded memory (docs/reliability.md, "Overload"; the refusals are recorded in
docs/fidelity.md).

* Hume v0: HTTP 429 at the handshake past the handshake rate (the gateway's "Spike arrest"
  body), 503 past ``--max-connections`` (the gateway's ServiceUnavailable body).
* Hume v1: 503 at the upgrade; ``server_busy`` (503) on HTTP.
* Behavioral Signals: ``RESOURCE_EXHAUSTED`` past the per-project stream limit and past
  ``--max-connections`` calls; REST 503 ``{code, message, details}`` with ``Retry-After``.
* Large frames past ``--decode-budget-bytes``: WebSocket close 1013, gRPC
  ``RESOURCE_EXHAUSTED``, HTTP 503; the bytes being decoded never exceed the budget.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack

import grpc
import pytest
import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from mockserver._generated.behavioral_signals import api_pb2
from mockserver.core.clock import ManualClock
from mockserver.core.limits import TRY_AGAIN_LATER
from mockserver.server import MockServer
from mockserver.vendors.behavioral.service import SERVICE_NAME

from .clients import behavioral_call, config_message, multipart, raw_grpc_call, rest_request
from .conftest import SOAK

pytestmark = pytest.mark.e2e

CEILING = 3


@pytest.fixture(scope="module")
def small_server() -> Iterator[MockServer]:
    """Three live connections, calls or requests per listener."""
    with MockServer(max_connections=CEILING, hume={"handshake_rate_limit": 0}) as server:
        yield server


def hume_socket(server: MockServer) -> ClientConnection:
    headers = {"X-Hume-Api-Key": server.hume.api_key}
    return connect(server.hume.url, additional_headers=headers)


def refusal(url: str, headers: dict[str, str]) -> tuple[int, str]:
    with pytest.raises(InvalidStatus) as info, connect(url, additional_headers=headers):
        pass
    response = info.value.response
    return response.status_code, response.body.decode() if response.body else ""


# -- Hume v0 ----------------------------------------------------------------------------------


def test_hume_handshakes_past_the_rate_get_429_with_the_gateway_body() -> None:
    """A frozen clock: every handshake falls in the same second, so exactly the limit
    passes."""
    with MockServer(clock=ManualClock(), hume={"handshake_rate_limit": 5}) as server:
        statuses = []
        for _ in range(8):
            try:
                with hume_socket(server):
                    statuses.append(101)
            except InvalidStatus as refused:
                statuses.append(refused.response.status_code)
                body = json.loads(refused.response.body or b"{}")
                assert body["fault"]["detail"]["errorcode"].endswith("SpikeArrestViolation")
        assert statuses == [101] * 5 + [429] * 3
        server.check()


def test_hume_connections_past_the_ceiling_get_503_until_one_closes(
    small_server: MockServer,
) -> None:
    headers = {"X-Hume-Api-Key": small_server.hume.api_key}
    with ExitStack() as held:
        for _ in range(CEILING):
            held.enter_context(hume_socket(small_server))
        status, body = refusal(small_server.hume.url, headers)
        assert status == 503
        assert json.loads(body)["fault"]["detail"]["errorcode"].endswith("ServiceUnavailable")
    _wait_for_none(small_server)  # the held connections' ends are being processed
    with hume_socket(small_server) as ws:
        ws.send('{"job_details": true}')
        assert "job_details" in json.loads(ws.recv(timeout=10))
    small_server.check()


# -- Hume v1 ----------------------------------------------------------------------------------


def test_hume_v1_upgrades_past_the_ceiling_get_503(small_server: MockServer) -> None:
    endpoint = small_server.hume_v1
    headers = {"X-Hume-Api-Key": endpoint.api_key}
    with ExitStack() as held:
        for _ in range(CEILING):
            ws = held.enter_context(connect(endpoint.audio_url, additional_headers=headers))
            assert json.loads(ws.recv(timeout=10))["type"] == "session.created"
        status, body = refusal(endpoint.audio_url, headers)
    assert status == 503
    assert json.loads(body)["code"] == "server_busy"
    small_server.check()


# -- Behavioral Signals gRPC ------------------------------------------------------------------


def test_grpc_calls_past_the_ceiling_get_resource_exhausted(small_server: MockServer) -> None:
    endpoint = small_server.behavioral
    with grpc.insecure_channel(endpoint.grpc_target) as channel:
        call = channel.stream_stream(
            f"/{SERVICE_NAME}/StreamAudio",
            request_serializer=api_pb2.AudioStream.SerializeToString,
            response_deserializer=api_pb2.StreamResult.FromString,
        )
        release = threading.Event()
        held = [call(_config_then_wait(small_server, release), timeout=30) for _ in range(CEILING)]
        _wait_for(small_server, "grpc", CEILING)
        status, details, _ = raw_grpc_call(small_server, [])
        assert status == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert details == "The server is overloaded; try again later."
        for rpc in held:
            rpc.cancel()
        release.set()
    _wait_for_none(small_server)  # the cancelled calls have left
    assert behavioral_call(small_server).received == 0  # served again (no audio, no result)
    small_server.check()


def _config_then_wait(server: MockServer, release: threading.Event) -> Iterator[object]:
    yield config_message(server.behavioral.cid, server.behavioral.token)
    release.wait(30)  # holds the call open (bounded)


def _wait_for_none(server: MockServer) -> None:
    """Until the server has no live connection left (bounded)."""
    deadline = time.monotonic() + 10
    while server.connections():
        assert time.monotonic() < deadline, server.connections()
        time.sleep(0.01)


def _wait_for(server: MockServer, transport: str, count: int) -> None:
    """Until ``count`` live connections of ``transport`` are counted (bounded)."""
    deadline = time.monotonic() + 10
    while sum(1 for c in server.connections() if c.transport == transport) < count:
        assert time.monotonic() < deadline, server.connections()
        time.sleep(0.01)


# -- REST -------------------------------------------------------------------------------------


def test_rest_requests_past_the_ceiling_get_503_with_retry_after(small_server: MockServer) -> None:
    endpoint = small_server.behavioral
    body, content_type = multipart([("file", "a.wav", "audio/wav", b"\0" * 50_000)])
    head = (
        f"POST /v5/clients/{endpoint.cid}/processes/audio HTTP/1.1\r\nHost: x\r\n"
        f"X-Auth-Token: {endpoint.token}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    slow = []
    for _ in range(CEILING):  # requests in progress: their bodies are still arriving
        sock = socket.create_connection(("127.0.0.1", endpoint.rest_port), timeout=10)
        sock.sendall(head + body[:100])
        slow.append(sock)
    _wait_for(small_server, "http", CEILING)
    status, reply = rest_request(small_server, "GET", f"/v5/clients/{endpoint.cid}")
    assert status == 503
    assert reply == {
        "code": 503,
        "message": "The server is overloaded; try again later.",
        "details": {},
    }
    (entry,) = small_server.journal.find(kind="response", code=503)
    assert entry.data["message"] == "The server is overloaded; try again later."
    for sock in slow:
        sock.sendall(body[100:])
        assert sock.recv(12).startswith(b"HTTP/1.1 200")
        sock.close()
    _wait_for_none(small_server)
    assert rest_request(small_server, "GET", f"/v5/clients/{endpoint.cid}")[0] == 200
    small_server.check()


def test_rest_bodies_past_the_decode_budget_get_503_in_the_vendor_shape() -> None:
    with MockServer(decode_budget_bytes=64 * 1024) as server:
        endpoint = server.behavioral
        body, content_type = multipart([("file", "a.wav", "audio/wav", b"\0" * 100_000)])
        status, reply = rest_request(
            server, "POST", f"/v5/clients/{endpoint.cid}/processes/audio", body=body,
            headers={"Content-Type": content_type},
        )  # fmt: skip
        assert (status, reply["code"]) == (503, 503)
        headers = {"Content-Type": content_type, "X-Hume-Api-Key": server.hume_v1.api_key}
        status, reply = rest_request(
            server, "POST", "/v1/expression/audio/file", body=body, headers=headers,
            port=server.hume_v1.port,
        )  # fmt: skip
        assert (status, reply["type"], reply["code"]) == (503, "error", "server_busy")
        small = rest_request(server, "GET", f"/v5/clients/{endpoint.cid}")
        assert small[0] == 200  # what fits is served
        server.check()


# -- a flood of large frames ------------------------------------------------------------------


def large_frame(size: int) -> str:
    data = base64.b64encode(os.urandom(size * 3 // 4)).decode()
    return json.dumps({"models": {"prosody": {}}, "data": data})


async def flood(url: str, key: str, frame: str, connections: int) -> list[str | int]:
    """Each connection sends one large frame; its reply code, or the close code."""

    async def one() -> str | int:
        headers = {"X-Hume-Api-Key": key}
        async with websockets.connect(url, additional_headers=headers, max_size=None) as ws:
            await ws.send(frame)
            try:
                return str(json.loads(await ws.recv())["code"])
            except ConnectionClosed as closed:
                return closed.rcvd.code if closed.rcvd is not None else 1006

    return list(await asyncio.gather(*(one() for _ in range(connections))))


def test_a_flood_of_large_frames_stays_within_the_decode_budget() -> None:
    frame = large_frame(2 * 1024 * 1024)
    budget = len(frame) + 1024  # one frame at a time
    with MockServer(decode_budget_bytes=budget, hume={"handshake_rate_limit": 0}) as server:
        outcomes = asyncio.run(flood(server.hume.url, server.hume.api_key, frame, 6))
        accounting = server.runtime.decode_budget
        assert accounting.peak <= budget  # never more than the budget decoded at once
        assert accounting.in_use == 0
        assert set(outcomes) <= {"E0200", "E0203", TRY_AGAIN_LATER}, outcomes
        assert outcomes.count(TRY_AGAIN_LATER) == accounting.refused
        closes = server.journal.find(kind="close", code=TRY_AGAIN_LATER, direction="out")
        assert len(closes) == accounting.refused
        server.check()


# -- the long form: 16 MB frames against a real `mockserver serve` process ----------------------


def _serve(budget: int) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "serve", "--hume-port", "0", "--no-hume-v1-enabled",
         "--no-behavioral-enabled", "--no-admin-enabled", "--hume-handshake-rate-limit", "0",
         "--hume-repeated-error-limit", "0", "--log-level", "warning",
         "--decode-budget-bytes", str(budget)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    url = ""
    for line in process.stdout:
        url = url or next((w for w in line.split() if w.startswith("ws://")), "")
        if line.startswith("seed "):
            return process, url
    raise AssertionError("mockserver serve did not start")


def _peak_rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM")


@pytest.mark.soak
@pytest.mark.timeout(600)
@pytest.mark.skipif(not SOAK, reason="the long form runs with make soak (MOCKSERVER_SOAK=1)")
def test_soak_a_flood_of_16_mb_frames_keeps_the_peak_memory_down() -> None:
    frame = large_frame(16 * 1024 * 1024 - 64)  # just under the 16 MiB frame limit
    peaks: dict[int, tuple[int, int, list[str | int]]] = {}
    for budget in (0, 32 * 1024 * 1024):
        process, url = _serve(budget)
        try:
            start = _peak_rss_kib(process.pid)
            outcomes = asyncio.run(flood(url, "mock-hume-key", frame, 8))
            peaks[budget] = (start, _peak_rss_kib(process.pid), outcomes)
        finally:
            process.terminate()
            _, errors = process.communicate(timeout=30)
        assert process.returncode == 0 and "internal error" not in errors, errors[-2000:]
    for budget, (start, peak, outcomes) in peaks.items():
        print(f"16 MB flood, 8 connections, budget {budget}: peak RSS {start // 1024} -> "
              f"{peak // 1024} MiB; outcomes {outcomes}")  # fmt: skip
    unlimited, budgeted = peaks[0][1], peaks[32 * 1024 * 1024][1]
    assert budgeted < unlimited
    assert TRY_AGAIN_LATER in peaks[32 * 1024 * 1024][2]
