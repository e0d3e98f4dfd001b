"""What the server logs: one line per connection, call or request at its end; control-plane
changes; fault firings; and never a credential, even at DEBUG."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator

import grpc
import pytest
import requests
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from mockserver._generated.behavioral_signals import api_pb2, api_pb2_grpc
from mockserver.journal import REDACTED
from mockserver.server import MockServer
from mockserver.tests.vendors.behavioral.harness import pcm_of
from mockserver.transport.liblog import LibraryLogger, redact_target

pytestmark = pytest.mark.e2e

CID, TOKEN = 1000, "log-test-token"
HUME_KEY = "log-test-hume-key"


@pytest.fixture(scope="module")
def shared() -> Iterator[MockServer]:
    server = MockServer(
        seed=0, hume={"api_keys": [HUME_KEY]}, behavioral={"projects": [f"{CID}:{TOKEN}"]}
    )
    with server:
        yield server


@pytest.fixture
def server(shared: MockServer, caplog: pytest.LogCaptureFixture) -> Iterator[MockServer]:
    shared.reset()
    caplog.clear()
    yield shared
    shared.check()


def messages(caplog: pytest.LogCaptureFixture, logger: str, level: int = logging.INFO) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == logger and r.levelno == level]


def hume_exchange(server: MockServer, *, query: str = "") -> None:
    url = server.service("hume").endpoint.url + query
    with connect(url, additional_headers={"X-Hume-Api-Key": HUME_KEY}) as ws:
        ws.send(json.dumps({"models": {"language": {}}, "raw_text": True, "data": "hello"}))
        ws.recv()


def wait_for_line(caplog: pytest.LogCaptureFixture, logger: str, prefix: str) -> str:
    """The connection summary is logged once the server has seen the close: wait for it."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        lines = [m for m in messages(caplog, logger) if m.startswith(prefix)]
        if lines:
            return lines[0]
        time.sleep(0.01)
    raise AssertionError(f"no {prefix!r} line in {messages(caplog, logger)}")


def test_a_websocket_connection_ends_in_one_line(
    server: MockServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "mockserver")
    hume_exchange(server)
    line = wait_for_line(caplog, "mockserver.hume", "hume-ws-1 ")
    assert line.startswith("hume-ws-1 (websocket from 127.0.0.1): 1 in, 1 out, ")
    assert line.endswith("; client closed 1000")
    # the library's own generic lines are gone at INFO
    assert not [
        r
        for r in caplog.records
        if r.levelno >= logging.INFO and "connection open" in r.getMessage()
    ]


def test_a_refused_handshake_is_logged(
    server: MockServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "mockserver")
    with pytest.raises(InvalidStatus):
        connect(server.service("hume").endpoint.url, additional_headers={"X-Hume-Api-Key": "wrong"})
    assert messages(caplog, "mockserver.hume") == ["hume-ws-1 (websocket): refused with HTTP 401"]


def test_a_grpc_call_ends_in_one_line(server: MockServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "mockserver")
    pcm, rate = pcm_of("speech_16k.wav")
    first = api_pb2.AudioStream(cid=CID, x_auth_token=TOKEN)
    first.config.sample_rate_hertz = rate
    chunks = [pcm[i : i + 32000] for i in range(0, len(pcm), 32000)]
    requests_ = [first] + [
        api_pb2.AudioStream(cid=CID, x_auth_token=TOKEN, audio_content=c) for c in chunks
    ]
    target = server.service("behavioral").endpoint.grpc_target
    with grpc.insecure_channel(target) as channel:
        replies = list(
            api_pb2_grpc.BehavioralStreamingApiStub(channel).StreamAudio(iter(requests_))
        )
    line = wait_for_line(caplog, "mockserver.behavioral", "behavioral-grpc-1 ")
    head = "behavioral-grpc-1 (grpc StreamAudio from 127.0.0.1): "
    head += f"{len(requests_)} in, {len(replies)} out, "
    assert line.startswith(head), line
    assert line.endswith("; status OK")


def test_a_rest_request_is_one_line(server: MockServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "mockserver")
    endpoint = server.service("behavioral").endpoint
    response = requests.get(
        f"{endpoint.rest_url}/clients/{CID}/processes", headers={"X-Auth-Token": TOKEN}, timeout=10
    )
    assert response.status_code == 200
    line = wait_for_line(caplog, "mockserver.behavioral", "behavioral-http-1 ")
    assert line.startswith(
        f"behavioral-http-1 (http GET /v5/clients/{CID}/processes from 127.0.0.1): 1 in, 1 out, "
    )
    assert line.endswith("; HTTP 200")


def test_control_plane_changes_and_fault_firings_are_logged(
    server: MockServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "mockserver")
    server.add_faults({"type": "delay", "seconds": 0.001, "vendor": "hume", "when": {"times": 1}})
    server.load_scenario("builtin:hume-errors")
    hume_exchange(server)
    line = wait_for_line(caplog, "mockserver.hume", "hume-ws-1 ")
    assert line.endswith("; faults: delay-1")
    assert messages(caplog, "mockserver.faults") == [
        "fault 'delay-1' (delay) fired: connection 1, before_send 1 (time 1 of 1)"
    ]
    server.clear_scenarios()
    server.clear_faults()
    server.reset()
    assert messages(caplog, "mockserver.control") == [
        "fault added: "
        '{"name": "delay-1", "seconds": 0.001, "type": "delay", "vendor": "hume", '
        '"when": {"times": 1}}',
        "scenario 'hume-errors' loaded from builtin:hume-errors (0 faults, 0 expectations)",
        "scenarios cleared (1 were active)",
        "faults cleared (1 were active)",
        "reset: journal, faults, scenarios and counters cleared",
    ]


def test_debug_logs_never_carry_a_credential(
    server: MockServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, "mockserver")
    hume_exchange(server, query="?apiKey=" + HUME_KEY)
    wait_for_line(caplog, "mockserver.hume", "hume-ws-1 ")
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "connection open" in text  # the library's lines are there, demoted to DEBUG
    assert "< X-Hume-Api-Key: " + REDACTED in text
    assert "apiKey=" + REDACTED in text
    assert HUME_KEY not in text


def test_the_library_logger_redacts_only_secrets(caplog: pytest.LogCaptureFixture) -> None:
    base = logging.getLogger("mockserver.test.liblog")
    wrapped = LibraryLogger(base, ["X-Hume-Api-Key", "api_key"])
    caplog.set_level(logging.DEBUG, base.name)
    wrapped.debug("< %s: %s", "x-hume-api-key", "s3cret")
    wrapped.debug("> %s: %s", "Content-Type", "application/json")
    wrapped.debug("< %s %s %s", "GET", "/p?api-key=s3cret&model=face", "HTTP/1.1")
    wrapped.info("connection open")
    wrapped.error("boom %s", "s3cret-not-a-header")
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.DEBUG, f"< x-hume-api-key: {REDACTED}"),
        (logging.DEBUG, "> Content-Type: application/json"),
        (logging.DEBUG, f"< GET /p?api-key={REDACTED}&model=face HTTP/1.1"),
        (logging.DEBUG, "connection open"),
        (logging.ERROR, "boom s3cret-not-a-header"),
    ]
    caplog.clear()
    caplog.set_level(logging.INFO, base.name)
    assert not wrapped.isEnabledFor(logging.INFO) and wrapped.isEnabledFor(logging.WARNING)
    wrapped.info("connection closed")
    assert caplog.records == []
    assert redact_target("/plain", ["api_key"]) == "/plain"
