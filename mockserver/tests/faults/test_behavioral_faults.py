"""Every gRPC and REST fault, as the official Behavioral Signals SDK user sees it.

The SDK (``behavioralsignals==0.7.1``) is pointed at the emulator with
:func:`mockserver.redirect.behavioral_signals_redirect` and used as documented:
``client.behavioral.stream_audio(...)`` for gRPC, ``upload_audio``, ``get_process`` and
``wait_for_result`` for REST. A raw grpcio stub shows what the SDK cannot express (a call
deadline).
"""

from __future__ import annotations

import concurrent.futures
import threading
import time
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
import requests
from behavioralsignals import Client, StreamingOptions
from behavioralsignals.base import BehavioralSignalsError
from behavioralsignals.models import StreamingResultResponse
from behavioralsignals.utils import make_audio_stream

from mockserver._generated.behavioral_signals import api_pb2
from mockserver.redirect import behavioral_signals_redirect
from mockserver.resources import fixture_path
from mockserver.server import MockServer

from .helpers import wait_closed, wait_entry

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.sdk,
    pytest.mark.filterwarnings("ignore:Couldn't find ffmpeg or avconv:RuntimeWarning"),
    pytest.mark.filterwarnings("ignore:'audioop' is deprecated:DeprecationWarning"),
]

SPEECH = "speech_long_16k.wav"  # 6.29 s: three 2-second segments
PROCESS_PATH = r"/processes/\d+$"


@pytest.fixture
def client(server: MockServer) -> Iterator[Client]:
    """An SDK client built inside the redirect (it authenticates: request 1)."""
    with behavioral_signals_redirect(server.behavioral):
        sdk = Client(server.behavioral.cid, server.behavioral.token)
        _ = sdk.behavioral
        try:
            yield sdk
        finally:
            sdk.close()


@pytest.fixture
def fast_polling(monkeypatch: pytest.MonkeyPatch) -> None:
    """``wait_for_result`` polls every second; poll every 50 ms to keep the tests fast."""
    monkeypatch.setattr("behavioralsignals.base.POLL_INTERVAL_SECONDS", 0.05)


def audio(name: str = SPEECH) -> tuple[Iterator[bytes], StreamingOptions]:
    chunks, rate = make_audio_stream(str(fixture_path(f"media/{name}")), chunk_size=0.25)
    return chunks, StreamingOptions(sample_rate=rate, encoding="LINEAR_PCM")


def stream(client: Client, received: list[StreamingResultResponse]) -> None:
    """Stream SPEECH, appending each result as it arrives (so a test sees the partial list
    when the call fails)."""
    chunks, options = audio()
    for result in client.behavioral.stream_audio(audio_stream=chunks, options=options):
        received.append(result)


def failed_stream(client: Client) -> tuple[list[StreamingResultResponse], grpc.RpcError]:
    received: list[StreamingResultResponse] = []
    with pytest.raises(grpc.RpcError) as caught:
        stream(client, received)
    return received, caught.value


def status_entry(server: MockServer) -> Any:
    return wait_entry(server, transport="grpc", direction="out", kind="status")


# -- gRPC: the call ends ---------------------------------------------------------------------


def test_grpc_abort_after_two_results(client: Client, server: MockServer) -> None:
    server.add_faults(
        {
            "vendor": "behavioral",
            "type": "grpc_abort",
            "status": "UNAVAILABLE",
            "details": "The service is restarting",
            "when": {"after_results": 2},
        }
    )
    received, error = failed_stream(client)
    assert [r.message_id for r in received] == [0, 1]
    assert error.code() == grpc.StatusCode.UNAVAILABLE
    assert error.details() == "The service is restarting"
    entry = status_entry(server)
    assert (entry.status, entry.reason, entry.fault) == (
        "UNAVAILABLE",
        "The service is restarting",
        "grpc_abort-1",
    )
    wait_closed(server)


def test_grpc_abort_after_seconds_of_audio(client: Client, server: MockServer) -> None:
    server.add_faults(
        {
            "type": "grpc_abort",
            "status": "RESOURCE_EXHAUSTED",
            "details": "Quota exceeded",
            "when": {"after_audio_s": 4.0},
        }
    )
    received, error = failed_stream(client)
    assert len(received) < 3  # the third segment (4.04-6.04 s) never comes
    assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    sent = server.journal.entries(transport="grpc", direction="in", kind="message")
    seconds = sum(e.data["audio_content"]["bytes"] for e in sent) / 2 / 16_000
    assert 4.0 <= seconds < 4.3  # it fired on the chunk that crossed 4 s


def test_grpc_reset_looks_like_rst_stream(client: Client, server: MockServer) -> None:
    server.add_faults({"type": "grpc_reset", "when": {"message": 2}})
    received, error = failed_stream(client)
    assert len(received) == 1
    assert error.code() == grpc.StatusCode.INTERNAL
    assert error.details() == "Received RST_STREAM with error code 2"
    assert status_entry(server).fault == "grpc_reset-1"


def test_grpc_deadline_style_failure(client: Client, server: MockServer) -> None:
    server.add_faults({"type": "grpc_deadline", "when": {"after_results": 0}})
    received, error = failed_stream(client)
    assert received == []
    assert error.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert error.details() == "Deadline Exceeded"


def test_grpc_hang_until_the_user_gives_up(client: Client, server: MockServer) -> None:
    """The SDK has no deadline: a user waits with their own timeout, then stops the live
    audio source, which makes grpcio cancel the call."""
    server.add_faults({"type": "grpc_hang", "when": {"after_results": 1}})
    give_up = threading.Event()

    def live_audio() -> Iterator[bytes]:
        chunks, _ = audio()
        yield from chunks
        give_up.wait(10)
        raise TimeoutError("no answer from the service")

    received: list[StreamingResultResponse] = []

    def consume() -> None:
        _, options = audio()
        for result in client.behavioral.stream_audio(audio_stream=live_audio(), options=options):
            received.append(result)

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        future = pool.submit(consume)
        with pytest.raises(concurrent.futures.TimeoutError):
            future.result(timeout=0.5)  # the user's timeout
        assert len(received) == 1 and server.connections()  # the call is still open
        give_up.set()
        with pytest.raises(grpc.RpcError) as caught:
            future.result(timeout=5)
    assert caught.value.code() == grpc.StatusCode.UNKNOWN  # grpcio: "Exception iterating..."
    wait_closed(server)  # the server-side task ended with the call
    assert wait_entry(server, transport="grpc", kind="cancel").direction == "in"
    assert wait_entry(server, transport="grpc", kind="fault").fault == "grpc_hang-1"


def test_grpc_hang_ends_at_the_client_deadline_raw_stub(server: MockServer) -> None:
    server.add_faults({"type": "grpc_hang", "when": {"method": "StreamAudio"}})
    endpoint = server.behavioral
    config = api_pb2.AudioConfig(encoding=api_pb2.LINEAR_PCM, sample_rate_hertz=16000)

    def requests_() -> Iterator[api_pb2.AudioStream]:
        yield api_pb2.AudioStream(cid=endpoint.cid, x_auth_token=endpoint.token, config=config)
        for _ in range(3):
            yield api_pb2.AudioStream(
                cid=endpoint.cid, x_auth_token=endpoint.token, audio_content=b"\0" * 32000
            )

    with grpc.insecure_channel(endpoint.grpc_target) as channel:
        call = channel.stream_stream(
            "/behavioral_api.grpc.v1.BehavioralStreamingApi/StreamAudio",
            request_serializer=api_pb2.AudioStream.SerializeToString,
            response_deserializer=api_pb2.StreamResult.FromString,
        )
        started = time.monotonic()
        with pytest.raises(grpc.RpcError) as caught:
            list(call(requests_(), timeout=0.3))
    assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert 0.3 <= time.monotonic() - started < 20.0  # the bound only catches 'never'
    wait_closed(server)
    kinds = [e.kind for e in server.journal.entries(transport="grpc")]
    assert "half_close" in kinds and kinds[-1] == "cancel"  # half-close ignored, then cancel


# -- gRPC: timing ----------------------------------------------------------------------------


def test_grpc_delay_holds_a_result_back(client: Client, server: MockServer) -> None:
    server.add_faults(
        {"type": "delay", "transport": "grpc", "seconds": 0.3, "when": {"message": 2}}
    )
    received: list[StreamingResultResponse] = []
    started = time.monotonic()
    stream(client, received)
    assert time.monotonic() - started >= 0.3
    assert [r.message_id for r in received] == [0, 1, 2]  # late, not lost
    faults = [
        e.fault for e in server.journal.entries(transport="grpc", kind="message", direction="out")
    ]
    assert faults == [None, "delay-1", None]


def test_grpc_slow_consumer_reads_requests_late(client: Client, server: MockServer) -> None:
    server.add_faults({"type": "slow_consumer", "seconds": 0.3, "when": {"message": 3}})
    received: list[StreamingResultResponse] = []
    started = time.monotonic()
    stream(client, received)
    assert time.monotonic() - started >= 0.3
    assert len(received) == 3  # slower, but complete
    messages = server.journal.entries(transport="grpc", direction="in", kind="message")
    assert [m.fault for m in messages[:4]] == [None, None, "slow_consumer-1", None]


# -- REST ------------------------------------------------------------------------------------


def test_http_error_on_polling_twice_then_recovers(
    client: Client, server: MockServer, fast_polling: None
) -> None:
    server.add_faults(
        {
            "vendor": "behavioral",
            "type": "http_error",
            "status": 503,
            "when": {"path": PROCESS_PATH, "method": "GET", "times": 2},
        }
    )
    process = client.behavioral.upload_audio(str(fixture_path("media/speech_16k.wav")))
    for _ in range(2):
        with pytest.raises(BehavioralSignalsError) as caught:
            client.behavioral.get_process(process.pid)
        assert caught.value.status_code == 503
        assert str(caught.value) == "API Error 503: Service unavailable"
    assert client.behavioral.wait_for_result(process.pid, timeout=10).pid == process.pid
    responses = server.journal.entries(transport="http", kind="response")
    assert [r.code for r in responses if r.fault] == [503, 503]


def test_http_error_stops_wait_for_result(client: Client, server: MockServer) -> None:
    server.add_faults(
        {
            "type": "http_error",
            "status": 500,
            "message": "Database down",
            "details": {"retry": True},
            "when": {"path": PROCESS_PATH},
        }
    )
    process = client.behavioral.upload_audio(str(fixture_path("media/speech_16k.wav")))
    with pytest.raises(BehavioralSignalsError) as caught:  # the SDK does not retry 5xx
        client.behavioral.wait_for_result(process.pid, timeout=5)
    assert (caught.value.status_code, str(caught.value)) == (500, "API Error 500: Database down")
    responses = server.journal.entries(transport="http", kind="response")
    # GET /auth twice (client, sub-client), the upload, then the faulted poll
    assert [(r.code, r.fault) for r in responses] == [
        (200, None), (200, None), (200, None), (500, "http_error-1"),
    ]  # fmt: skip
    assert responses[-1].data == {
        "code": 500, "message": "Database down", "details": {"retry": True},
    }  # fmt: skip


def test_http_401_at_authentication(server: MockServer) -> None:
    server.add_faults({"type": "http_error", "status": 401, "when": {"path": "/auth$"}})
    with (
        behavioral_signals_redirect(server.behavioral),
        pytest.raises(BehavioralSignalsError) as caught,
    ):
        Client(server.behavioral.cid, server.behavioral.token)
    assert caught.value.status_code == 401
    assert str(caught.value) == "API Error 401: Authentication failed: Invalid credentials"


def test_slow_polling_times_out_the_request(server: MockServer) -> None:
    server.add_faults(
        {
            "type": "delay",
            "transport": "http",
            "seconds": 0.3,
            "when": {"path": PROCESS_PATH, "method": "GET"},
        }
    )
    with behavioral_signals_redirect(server.behavioral):
        sdk = Client(server.behavioral.cid, server.behavioral.token, timeout=(2, 0.1))
        process = sdk.behavioral.upload_audio(str(fixture_path("media/speech_16k.wav")))
        with pytest.raises(requests.exceptions.ReadTimeout):
            sdk.behavioral.get_process(process.pid)
        sdk.close()
    delayed = [r for r in server.journal.entries(kind="response") if r.fault == "delay-1"]
    assert delayed and delayed[0].meta == {"delay_s": 0.3}


def test_slow_polling_without_a_client_timeout(client: Client, server: MockServer) -> None:
    server.add_faults(
        {"type": "delay", "transport": "http", "seconds": 0.25, "when": {"path": PROCESS_PATH}}
    )
    process = client.behavioral.upload_audio(str(fixture_path("media/speech_16k.wav")))
    started = time.monotonic()
    assert client.behavioral.get_process(process.pid).pid == process.pid
    assert time.monotonic() - started >= 0.25


def test_process_fails_with_insufficient_credits(
    client: Client, server: MockServer, fast_polling: None
) -> None:
    server.add_faults(
        {
            "vendor": "behavioral",
            "type": "process_outcome",
            "status": -2,
            "message": "Insufficient credits",
            "when": {"name": r"bad\.wav"},
        }
    )
    speech = str(fixture_path("media/speech_16k.wav"))
    bad = client.behavioral.upload_audio(speech, name="bad.wav")
    good = client.behavioral.upload_audio(speech, name="good.wav")
    with pytest.raises(RuntimeError, match=f"Process {bad.pid} did not complete: Insufficient"):
        client.behavioral.wait_for_result(bad.pid, timeout=10)
    assert client.behavioral.get_process(bad.pid).status == -2
    assert client.behavioral.wait_for_result(good.pid, timeout=10).results


@pytest.mark.parametrize(("stay", "status"), [("pending", 0), ("processing", 1)])
def test_process_stays_until_wait_for_result_times_out(
    client: Client, server: MockServer, fast_polling: None, stay: str, status: int
) -> None:
    server.add_faults({"type": "process_outcome", "stay": stay})
    process = client.behavioral.upload_audio(str(fixture_path("media/speech_16k.wav")))
    with pytest.raises(TimeoutError, match=f"Process {process.pid} is still running"):
        client.behavioral.wait_for_result(process.pid, timeout=0.8)
    assert client.behavioral.get_process(process.pid).status == status
