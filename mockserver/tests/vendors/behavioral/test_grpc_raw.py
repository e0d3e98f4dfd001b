"""A bare gRPC client (our generated stub) against the Behavioral Signals streaming emulator.

Covers what SDK 0.7.1 never sends (``protos/api.proto``): ``logits``, ``feature_embedding``,
malformed request sequences, bad config values, foreign credentials, odd and empty chunks,
huge messages, cancellation, the concurrency and idle limits, realtime pacing, and the
journal. Both methods (``StreamAudio`` and ``DeepfakeDetection``) where relevant.
"""

from __future__ import annotations

import functools
import json
import math
import os
import queue
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import grpc
import pytest
import requests

import mockserver
from mockserver._generated.behavioral_signals import api_pb2, api_pb2_grpc
from mockserver.server import MockServer
from mockserver.vendors.behavioral.codec import decode_stream_result
from mockserver.vendors.behavioral.results import StreamResult

from .harness import pcm_of

pytestmark = pytest.mark.e2e

CID, TOKEN = 1000, "mock-bs-token"
OTHER_CID, OTHER_TOKEN = 2000, "other-token"
PROJECTS = [f"{CID}:{TOKEN}", f"{OTHER_CID}:{OTHER_TOKEN}"]
METHODS = ("StreamAudio", "DeepfakeDetection")
NAMESPACE_PATHS = {"StreamAudio": "clients", "DeepfakeDetection": "detection/clients"}
SPEECH, SPEECH_RATE = pcm_of("speech_16k.wav")  # one sentence, ~3.2 s
PAUSES, PAUSES_RATE = pcm_of("speech_pauses_16k.wav")  # two utterances, ~8.9 s
GRPC_LIMIT = 4 * 1024 * 1024  # gRPC's default receive limit

Stub = api_pb2_grpc.BehavioralStreamingApiStub
StartServer = Callable[..., tuple[MockServer, Stub]]


# -- raw client helpers ------------------------------------------------------------------------


def config_message(
    rate: int = 16000, *, cid: int = CID, token: str = TOKEN, **fields: Any
) -> api_pb2.AudioStream:
    """A first message: credentials and a (present) config; ``fields`` set AudioConfig fields."""
    message = api_pb2.AudioStream(cid=cid, x_auth_token=token)
    message.config.SetInParent()
    message.config.sample_rate_hertz = rate
    for name, value in fields.items():
        setattr(message.config, name, value)  # open enums take any int (encoding=5, level=7)
    return message


def audio_message(data: bytes, *, cid: int = CID, token: str = TOKEN) -> api_pb2.AudioStream:
    return api_pb2.AudioStream(cid=cid, x_auth_token=token, audio_content=data)


def chunked(
    pcm: bytes, sizes: Iterable[int], *, cid: int = CID, token: str = TOKEN
) -> Iterator[api_pb2.AudioStream]:
    """Audio messages cutting ``pcm`` by the (cycled) ``sizes``; 0 gives an empty chunk."""
    pattern = list(sizes)
    position, i = 0, 0
    while position < len(pcm):
        size = pattern[i % len(pattern)]
        yield audio_message(pcm[position : position + size], cid=cid, token=token)
        position += size
        i += 1


def file_stream(
    pcm: bytes = SPEECH,
    rate: int = SPEECH_RATE,
    chunk: int = 8000,
    *,
    cid: int = CID,
    token: str = TOKEN,
    **fields: Any,
) -> list[api_pb2.AudioStream]:
    """A well-formed request sequence: config, then ``chunk``-byte audio messages."""
    first = config_message(rate, cid=cid, token=token, **fields)
    return [first, *chunked(pcm, [chunk], cid=cid, token=token)]


@dataclass
class Outcome:
    results: list[api_pb2.StreamResult]
    code: grpc.StatusCode
    details: str

    def decoded(self) -> list[StreamResult]:
        """Results as dataclasses with the pid zeroed (comparable across streams)."""
        return [replace(decode_stream_result(r), pid=0) for r in self.results]


def call(
    stub: Stub,
    method: str,
    messages: Iterable[api_pb2.AudioStream],
) -> Outcome:
    """Run one call to its end; never raises for a non-OK status."""
    results: list[api_pb2.StreamResult] = []
    try:
        for result in getattr(stub, method)(iter(messages), timeout=60):
            results.append(result)
    except grpc.RpcError as err:
        return Outcome(results, err.code(), err.details() or "")
    return Outcome(results, grpc.StatusCode.OK, "")


class Feed:
    """A request iterator fed from the test thread; ``close()`` half-closes."""

    def __init__(self, *messages: api_pb2.AudioStream) -> None:
        self._queue: queue.Queue[api_pb2.AudioStream | None] = queue.Queue()
        for message in messages:
            self.put(message)

    def put(self, message: api_pb2.AudioStream) -> None:
        self._queue.put(message)

    def close(self) -> None:
        self._queue.put(None)

    def __iter__(self) -> Iterator[api_pb2.AudioStream]:
        while (message := self._queue.get()) is not None:
            yield message


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.01)


def rest_get(server: MockServer, path: str, *, token: str = TOKEN) -> requests.Response:
    return requests.get(
        f"{server.behavioral.rest_url}/{path}", headers={"X-Auth-Token": token}, timeout=10
    )


def process_json(server: MockServer, method: str, pid: int) -> dict[str, Any]:
    response = rest_get(server, f"{NAMESPACE_PATHS[method]}/{CID}/processes/{pid}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def rows(outcome: Outcome) -> list[api_pb2.InferenceResult]:
    return [row for result in outcome.results for row in result.result]


def classifier_rows(outcome: Outcome) -> list[api_pb2.InferenceResult]:
    return [row for row in rows(outcome) if row.task not in ("features", "intensity")]


def journal_of(server: MockServer, index: int = 1) -> list[Any]:
    """Journal entries of the ``index``-th gRPC call since the last reset."""
    return server.journal.entries(vendor="behavioral", connection=f"behavioral-grpc-{index}")


# -- servers ---------------------------------------------------------------------------------


def make_server(**behavioral: Any) -> MockServer:
    settings = {"projects": PROJECTS, **behavioral}
    return MockServer(seed=0, hume={"enabled": False}, behavioral=settings)


@pytest.fixture(scope="module")
def shared() -> Iterator[MockServer]:
    with make_server() as server:
        yield server


@pytest.fixture
def server(shared: MockServer) -> Iterator[MockServer]:
    """The module's server with default settings, reset; fails on server errors."""
    shared.reset()
    yield shared
    shared.check()


@pytest.fixture(scope="module")
def channel(shared: MockServer) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(shared.behavioral.grpc_target) as ch:
        yield ch


@pytest.fixture
def stub(channel: grpc.Channel, server: MockServer) -> Stub:
    return Stub(channel)


@pytest.fixture
def special() -> Iterator[StartServer]:
    """Start a server with other settings (``special(max_streams_per_project=1)``)."""
    opened: list[tuple[MockServer, grpc.Channel]] = []

    def start(**settings: Any) -> tuple[MockServer, Stub]:
        server = make_server(**settings).start()
        ch = grpc.insecure_channel(server.behavioral.grpc_target)
        opened.append((server, ch))
        return server, api_pb2_grpc.BehavioralStreamingApiStub(ch)

    yield start
    for server, ch in opened:
        ch.close()
        server.stop()
        server.check()


# -- logits and feature embeddings (proto comments) ----------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_logits_only_when_requested(stub: Stub, method: str) -> None:
    absent = call(stub, method, file_stream())
    off = call(stub, method, file_stream(logits=False))
    on = call(stub, method, file_stream(logits=True))
    for outcome in (absent, off, on):
        assert outcome.code is grpc.StatusCode.OK and outcome.results
    for outcome in (absent, off):
        assert not any(p.HasField("logit") for row in rows(outcome) for p in row.prediction)
    assert classifier_rows(on)
    for row in classifier_rows(on):
        logits = [float(p.logit) for p in row.prediction if p.HasField("logit")]
        assert len(logits) == len(row.prediction), row.task
        posteriors = [float(p.posterior) for p in row.prediction]
        assert logits == sorted(logits, reverse=True)  # same order as the posteriors
        top = max(logits)
        norm = math.fsum(math.exp(z - top) for z in logits)
        softmax = [math.exp(z - top) / norm for z in logits]
        assert softmax == pytest.approx(posteriors, abs=2e-3), row.task
    for row in rows(on):
        if row.task in ("features", "intensity"):
            assert not any(p.HasField("logit") for p in row.prediction)
    # logits are an addition: everything else is unchanged
    for result in on.results:
        for row in result.result:
            for p in row.prediction:
                p.ClearField("logit")
    assert Outcome(on.results, on.code, "").decoded() == absent.decoded()


@pytest.mark.parametrize("method", METHODS)
def test_feature_embedding_only_when_requested(stub: Stub, method: str) -> None:
    plain = call(stub, method, file_stream())
    rich = call(stub, method, file_stream(feature_embedding=True))
    assert plain.results and len(rich.results) == len(plain.results)
    for row in rows(plain) + rows(rich):
        assert row.HasField("embedding") and row.HasField("level")
    for result in plain.results:
        if method == "StreamAudio":
            features = result.result[0]
            assert features.task == "features" and features.embedding == ""
            (pred,) = features.prediction
            assert pred.HasField("posterior") and (pred.label, pred.posterior) == ("", "")
        else:
            assert [row.task for row in result.result] == ["deepfake"]  # no features row
        assert all(row.embedding == "" for row in result.result)
    for result in rich.results:
        features, *others = result.result
        assert features.task == "features"
        vector = json.loads(features.embedding)
        assert len(vector) == 768 and all(isinstance(x, float) and math.isfinite(x) for x in vector)
        assert others and all(row.embedding == "" for row in others)
    if method == "DeepfakeDetection":
        tasks = {tuple(row.task for row in result.result) for result in rich.results}
        assert tasks == {("features", "deepfake")}


# -- request sequence and config validation (proto comments) -------------------------------------


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    ("messages", "fragment"),
    [
        pytest.param([audio_message(SPEECH[:3200])], "must contain config", id="audio-only"),
        pytest.param([api_pb2.AudioStream(cid=CID, x_auth_token=TOKEN)], "must contain config",
                     id="credentials-only"),
        pytest.param([config_message(), config_message()], "message 2 had one", id="config-twice"),
        pytest.param([config_message(), audio_message(SPEECH[:3200]), config_message()],
                     "message 3 had one", id="late-config"),
        pytest.param([config_message(encoding=5)], "Unsupported encoding 5", id="encoding-5"),
        pytest.param([config_message(0)], "at most 384000 Hz, got 0", id="rate-0"),
        pytest.param([config_message(-16000)], "got -16000", id="rate-negative"),
        pytest.param([config_message(level=2)], "Unsupported level 2", id="level-2"),
        pytest.param([config_message(level=7)], "Unsupported level 7", id="level-7"),
    ],
)  # fmt: skip
def test_invalid_requests_end_with_invalid_argument(
    stub: Stub,
    server: MockServer,
    method: str,
    messages: list[api_pb2.AudioStream],
    fragment: str,
) -> None:
    outcome = call(stub, method, messages)
    assert outcome.code is grpc.StatusCode.INVALID_ARGUMENT
    assert fragment in outcome.details and outcome.results == []
    (status,) = [e for e in journal_of(server) if e.kind == "status"]
    assert (status.status, status.reason) == ("INVALID_ARGUMENT", outcome.details)


@pytest.mark.parametrize("method", METHODS)
def test_audio_in_the_first_message_is_rejected_by_default(
    stub: Stub, server: MockServer, method: str
) -> None:
    first = config_message()
    first.audio_content = SPEECH[:8000]
    outcome = call(stub, method, [first, *chunked(SPEECH[8000:], [8000])])
    assert outcome.code is grpc.StatusCode.INVALID_ARGUMENT
    assert "without audio_content" in outcome.details
    assert server.service("behavioral").processes.pids() == []  # rejected before any process


@pytest.mark.parametrize("method", METHODS)
def test_lenient_server_accepts_audio_first_and_ignores_later_configs(
    stub: Stub, special: StartServer, method: str
) -> None:
    reference = call(stub, method, file_stream())
    _, lenient = special(strict_first_message=False)
    first = config_message()
    first.audio_content = SPEECH[:8000]
    later = config_message(8000, level=1)  # ignored: neither the rate nor the level applies
    later.audio_content = SPEECH[8000:16000]
    outcome = call(lenient, method, [first, later, *chunked(SPEECH[16000:], [8000])])
    assert outcome.code is grpc.StatusCode.OK
    assert outcome.decoded() == reference.decoded()


@pytest.mark.parametrize("method", METHODS)
def test_odd_and_empty_chunks_give_the_same_results(stub: Stub, method: str) -> None:
    even = call(stub, method, file_stream(PAUSES, PAUSES_RATE))
    odd = call(stub, method, [config_message(PAUSES_RATE), *chunked(PAUSES, [1, 3, 7777, 0])])
    assert even.code is odd.code is grpc.StatusCode.OK
    assert len(even.results) >= 5 and odd.decoded() == even.decoded()


def test_empty_chunks_only_is_ok_with_zero_results(stub: Stub, server: MockServer) -> None:
    outcome = call(stub, "StreamAudio", [config_message(), *[audio_message(b"")] * 5])
    assert (outcome.code, outcome.results) == (grpc.StatusCode.OK, [])
    (pid,) = server.service("behavioral").processes.pids()
    process = process_json(server, "StreamAudio", pid)
    assert (process["status"], process["duration"]) == (2, 0.0)
    sizes = [e.data["audio_content"]["bytes"] for e in journal_of(server) if e.kind == "message"]
    assert sizes == [0] * 6


def test_half_close_without_messages_and_config_only(stub: Stub, server: MockServer) -> None:
    assert call(stub, "StreamAudio", []).code is grpc.StatusCode.OK
    assert server.service("behavioral").processes.pids() == []  # nothing configured
    outcome = call(stub, "DeepfakeDetection", [config_message()])
    assert (outcome.code, outcome.results) == (grpc.StatusCode.OK, [])
    (pid,) = server.service("behavioral").processes.pids()
    assert process_json(server, "DeepfakeDetection", pid)["status"] == 2


def test_unknown_method_is_unimplemented(channel: grpc.Channel, server: MockServer) -> None:
    rpc = channel.stream_stream(
        "/behavioral_api.grpc.v1.BehavioralStreamingApi/StreamVideo",
        request_serializer=api_pb2.AudioStream.SerializeToString,
        response_deserializer=api_pb2.StreamResult.FromString,
    )
    with pytest.raises(grpc.RpcError) as info:
        list(rpc(iter([config_message()]), timeout=10))
    assert info.value.code() is grpc.StatusCode.UNIMPLEMENTED


# -- credentials (checked on every message, readme.io bare-gRPC page) -----------------------------


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    ("messages", "code", "fragment"),
    [
        pytest.param([config_message(token="stolen")], "UNAUTHENTICATED", "Invalid credentials.",
                     id="unknown-token"),
        pytest.param([config_message(token="")], "UNAUTHENTICATED", "Invalid credentials.",
                     id="empty-token"),
        pytest.param([config_message(token=OTHER_TOKEN)], "PERMISSION_DENIED",
                     f"not valid for project {CID}", id="other-projects-token"),
        pytest.param([config_message(cid=OTHER_CID)], "PERMISSION_DENIED",
                     f"not valid for project {OTHER_CID}", id="other-cid"),
    ],
)  # fmt: skip
def test_bad_credentials_on_the_first_message(
    stub: Stub,
    server: MockServer,
    *,
    method: str,
    messages: list[api_pb2.AudioStream],
    code: str,
    fragment: str,
) -> None:
    outcome = call(stub, method, messages)
    assert outcome.code is grpc.StatusCode[code] and fragment in outcome.details
    assert server.service("behavioral").processes.pids() == []


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    ("later", "code", "fragment"),
    [
        pytest.param(audio_message(SPEECH, cid=OTHER_CID, token=OTHER_TOKEN), "PERMISSION_DENIED",
                     f"cid changed during the stream ({CID} then {OTHER_CID})", id="cid-changed"),
        pytest.param(audio_message(SPEECH, token="stolen"), "UNAUTHENTICATED",
                     "Invalid credentials.", id="token-changed"),
    ],
)  # fmt: skip
def test_credentials_changed_mid_stream(
    stub: Stub,
    server: MockServer,
    *,
    method: str,
    later: api_pb2.AudioStream,
    code: str,
    fragment: str,
) -> None:
    outcome = call(stub, method, [config_message(), audio_message(SPEECH[:8000]), later])
    assert outcome.code is grpc.StatusCode[code] and fragment in outcome.details
    (pid,) = server.service("behavioral").processes.pids()
    process = process_json(server, method, pid)
    assert process["status"] == -1 and code in process["statusmsg"]


# -- concurrency, cancellation, timeouts (INFERRED limits) ----------------------------------------


def test_concurrent_stream_limit_per_project(special: StartServer) -> None:
    server, stub = special(max_streams_per_project=1)
    slots = server.service("behavioral").slots
    feed = Feed(config_message())
    first = stub.StreamAudio(iter(feed), timeout=60)
    wait_until(lambda: slots.open_streams(CID) == 1)
    for method in METHODS:
        second = call(stub, method, file_stream())
        assert second.code is grpc.StatusCode.RESOURCE_EXHAUSTED
        assert second.details == f"Too many concurrent streams for project {CID} (limit 1)."
    other = call(stub, "StreamAudio", file_stream(cid=OTHER_CID, token=OTHER_TOKEN))
    assert other.code is grpc.StatusCode.OK and other.results  # the limit is per project
    for message in chunked(SPEECH, [8000]):
        feed.put(message)
    feed.close()
    assert len(list(first)) >= 1 and first.code() is grpc.StatusCode.OK
    assert slots.open_streams(CID) == 0
    again = call(stub, "DeepfakeDetection", file_stream())
    assert again.code is grpc.StatusCode.OK and again.results
    # a cancelled stream gives its slot back too
    feed = Feed(config_message())
    cancelled = stub.StreamAudio(iter(feed), timeout=60)
    wait_until(lambda: slots.open_streams(CID) == 1)
    cancelled.cancel()
    feed.close()
    wait_until(lambda: slots.open_streams(CID) == 0 and not server.connections())
    assert call(stub, "StreamAudio", file_stream()).code is grpc.StatusCode.OK


@pytest.mark.parametrize("method", METHODS)
def test_cancelled_call_is_cleaned_up(stub: Stub, server: MockServer, method: str) -> None:
    service = server.service("behavioral")
    feed = Feed(config_message(), audio_message(PAUSES[:100_000]))  # ~3.1 s: one segment
    rpc = getattr(stub, method)(iter(feed), timeout=60)
    first = next(rpc)
    assert first.message_id == 0
    assert [c.info["method"] for c in server.connections()] == [method]
    process = process_json(server, method, first.pid)
    assert (process["status"], process["statusmsg"]) == (1, "Processing")  # while streaming
    rpc.cancel()
    with pytest.raises(grpc.RpcError) as info:
        next(rpc)
    assert info.value.code() is grpc.StatusCode.CANCELLED
    wait_until(lambda: not server.connections())
    wait_until(lambda: service.processes.get(first.pid).status != 1)
    process = process_json(server, method, first.pid)
    assert (process["status"], process["statusmsg"]) != (1, "Processing")
    assert service.slots.open_streams(CID) == 0
    feed.close()


def test_a_cancel_is_cleaned_up_and_never_stores_more_than_was_computed(
    stub: Stub, server: MockServer
) -> None:
    """The call is cleaned up, journaled as a cancel (never as a half-close), and the
    process closes with at most the results of the audio received."""
    feed = Feed(config_message(), audio_message(PAUSES[:100_000]))
    rpc = stub.StreamAudio(iter(feed), timeout=60)
    first = next(rpc)  # the only window complete before the end of the utterance
    rpc.cancel()
    wait_until(lambda: not server.connections())
    wait_until(lambda: server.service("behavioral").processes.get(first.pid).status != 1)
    feed.close()
    stored = rest_get(server, f"clients/{CID}/processes/{first.pid}/results").json()["results"]
    kinds = [(e.direction, e.kind) for e in journal_of(server)]
    assert ("in", "cancel") in kinds and ("in", "half_close") not in kinds
    assert len(first.result) <= len(stored) <= 2 * len(first.result)  # + the flushed utterance
    assert server.service("behavioral").slots.open_streams(CID) == 0


def _call_ends(server: MockServer) -> dict[str, list[str]]:
    """Per call: the kinds of the entries that end its request side or the call."""
    ends: dict[str, list[str]] = {}
    for entry in server.journal.entries(vendor="behavioral", transport="grpc"):
        ends.setdefault(entry.connection, [])
        if entry.kind in ("half_close", "cancel") or (entry.kind == "status"):
            ends[entry.connection].append(entry.kind)
    return ends


REPEATS = 25


def test_a_cancel_is_journaled_as_a_cancel_every_time(stub: Stub, server: MockServer) -> None:
    """grpc.aio ends a cancelled call's request stream like a half-close, and cancels the
    handler only then; the journal must still say cancel (``behavioral.half-close``)."""
    for _ in range(REPEATS):
        feed = Feed(config_message(), audio_message(bytes(3200)))
        rpc = stub.StreamAudio(iter(feed), timeout=60)
        wait_until(lambda: len(server.journal.entries(kind="message", direction="in")) >= 2)
        rpc.cancel()
        feed.close()
        wait_until(lambda: not server.connections())
        server.reset()
        assert list(_call_ends(server).values()) in ([], [["cancel"]])
    feed = Feed(config_message(), audio_message(PAUSES))  # a cancel while results are sent
    rpc = stub.StreamAudio(iter(feed), timeout=60)
    next(rpc)
    rpc.cancel()
    feed.close()
    wait_until(lambda: not server.connections())
    assert list(_call_ends(server).values()) == [["cancel"]]


def test_a_half_close_is_journaled_as_a_half_close_every_time(
    stub: Stub, server: MockServer
) -> None:
    for _ in range(REPEATS):
        feed = Feed(config_message(), audio_message(bytes(3200)))
        rpc = stub.StreamAudio(iter(feed), timeout=60)
        wait_until(lambda: len(server.journal.entries(kind="message", direction="in")) >= 2)
        feed.close()
        assert list(rpc) == []
        wait_until(lambda: not server.connections())
        assert list(_call_ends(server).values()) == [["half_close", "status"]]
        server.reset()


def test_idle_timeout_and_maximum_duration(special: StartServer) -> None:
    server, stub = special(stream_idle_timeout_s=0.3, max_stream_s=1.2)
    for messages in ([], [config_message()], [config_message(), audio_message(PAUSES[:96_000])]):
        feed = Feed(*messages)
        started = time.monotonic()
        outcome = call(stub, "StreamAudio", feed)
        elapsed = time.monotonic() - started
        feed.close()
        assert outcome.code is grpc.StatusCode.DEADLINE_EXCEEDED
        assert outcome.details == "No audio received for 0.3 seconds; the stream was closed."
        assert 0.25 <= elapsed < 20.0  # not early; the upper bound only catches 'never'
        assert (len(outcome.results) >= 1) == (len(messages) == 2)  # results sent stay sent
    # the two configured streams are failed processes
    pids = server.service("behavioral").processes.pids()
    assert [process_json(server, "StreamAudio", pid)["status"] for pid in pids] == [-1, -1]
    # a steady sender is stopped by the duration limit, not the idle limit
    feed = Feed(config_message())
    stop = threading.Event()

    def pump() -> None:
        for message in chunked(PAUSES, [3200]):  # 0.1 s of audio every 0.1 s
            if stop.wait(0.1):
                return
            feed.put(message)

    threading.Thread(target=pump, daemon=True).start()
    started = time.monotonic()
    outcome = call(stub, "DeepfakeDetection", feed)
    elapsed = time.monotonic() - started
    stop.set()
    feed.close()
    assert outcome.code is grpc.StatusCode.DEADLINE_EXCEEDED
    assert outcome.details == "The stream exceeded the maximum duration of 1.2 seconds."
    assert 1.1 <= elapsed < 20.0  # the idle limit (0.3 s) alone would be much earlier
    wait_until(lambda: not server.connections())


# -- message size (the docs' chunk_size=250 sends huge chunks) -------------------------------------


def test_a_4_mib_chunk_is_accepted(stub: Stub, server: MockServer) -> None:
    big = (PAUSES * (GRPC_LIMIT // len(PAUSES) + 1))[: GRPC_LIMIT - 64]
    message = audio_message(big)
    assert message.ByteSize() < GRPC_LIMIT
    outcome = call(stub, "StreamAudio", [config_message(PAUSES_RATE, level=1), message])
    assert outcome.code is grpc.StatusCode.OK
    assert len(outcome.results) >= 2 * (len(big) // len(PAUSES))  # two utterances per copy
    (pid,) = server.service("behavioral").processes.pids()
    duration = process_json(server, "StreamAudio", pid)["duration"]
    assert duration == pytest.approx(len(big) / 2 / PAUSES_RATE, abs=0.01)
    (entry,) = [e for e in journal_of(server) if e.direction == "in" and (e.size or 0) > 1000]
    assert entry.data["audio_content"] == {"bytes": len(big)} and entry.size == message.ByteSize()


@pytest.mark.parametrize("method", METHODS)
def test_a_chunk_over_the_grpc_limit_is_rejected_by_grpc(
    stub: Stub, server: MockServer, method: str
) -> None:
    outcome = call(stub, method, [config_message(), audio_message(bytes(GRPC_LIMIT))])
    assert outcome.code is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "larger than max" in outcome.details
    wait_until(lambda: not server.connections())
    processes = server.service("behavioral").processes
    # The config message opens a process unless gRPC ended the call before it was handled.
    assert len(processes.pids()) <= 1
    for pid in processes.pids():
        wait_until(functools.partial(_finished, processes, pid))
    assert not any((e.size or 0) > GRPC_LIMIT for e in journal_of(server))


# -- realtime pacing (emulator setting) ------------------------------------------------------------


@pytest.mark.slow
def test_realtime_pacing_spreads_results_over_the_audio_time(special: StartServer) -> None:
    _, stub = special(pacing="realtime")
    started = time.monotonic()
    arrivals: list[tuple[float, float]] = []  # (arrival, window end) in seconds
    rpc = stub.StreamAudio(iter(file_stream(PAUSES, PAUSES_RATE)), timeout=60)
    for result in rpc:  # the whole file is sent at once; results follow the audio clock
        arrivals.append((time.monotonic() - started, float(result.result[0].end_time)))
    assert rpc.code() is grpc.StatusCode.OK and len(arrivals) >= 5
    for arrival, end in arrivals:
        assert end - 0.05 <= arrival  # never before the wall clock reaches its audio time
    assert [end for _, end in arrivals] == sorted(end for _, end in arrivals)
    assert arrivals[-1][0] >= 7.0  # the file holds 8.9 s of audio, sent all at once


# -- journal and message numbering ----------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_journal_records_the_call(stub: Stub, server: MockServer, method: str) -> None:
    messages = file_stream(logits=True)
    outcome = call(stub, method, messages)
    assert outcome.code is grpc.StatusCode.OK
    entries = journal_of(server)
    assert {(e.vendor, e.transport) for e in entries} == {("behavioral", "grpc")}
    kinds = [(e.direction, e.kind) for e in entries]
    n_in, n_out = len(messages), len(outcome.results)
    assert kinds[0] == ("in", "call") and kinds[-1] == ("out", "status")
    # half-close after the last request; the flushed results may follow it
    last_in = max(i for i, kind in enumerate(kinds) if kind == ("in", "message"))
    assert kinds.index(("in", "half_close")) == last_in + 1
    assert kinds.count(("in", "message")) == n_in and kinds.count(("out", "message")) == n_out
    assert entries[0].data == {"method": f"/behavioral_api.grpc.v1.BehavioralStreamingApi/{method}"}
    incoming = [e for e in entries if e.kind == "message" and e.direction == "in"]
    assert incoming[0].data == {
        "cid": CID,
        "x_auth_token": "<redacted>",
        "config": {"encoding": 0, "sample_rate_hertz": 16000, "level": None, "logits": True,
                   "feature_embedding": None},
        "audio_content": {"bytes": 0},
    }  # fmt: skip
    for entry, message in zip(incoming, messages, strict=True):
        assert entry.size == message.ByteSize()
        assert entry.data["audio_content"] == {"bytes": len(message.audio_content)}
        assert entry.data["x_auth_token"] == "<redacted>"
    outgoing = [e.data for e in entries if e.kind == "message" and e.direction == "out"]
    assert [d["message_id"] for d in outgoing] == [r.message_id for r in outcome.results]
    assert outgoing[0]["result"][0]["task"] == outcome.results[0].result[0].task
    assert (entries[-1].status, entries[-1].reason) == ("OK", "")
    assert TOKEN not in server.journal.to_ndjson()
    # an error status carries the details
    call(stub, method, [config_message(token="stolen")])
    (status,) = [e for e in journal_of(server, 2) if e.kind == "status"]
    assert (status.direction, status.status, status.reason) == (
        "out", "UNAUTHENTICATED", "Invalid credentials."
    )  # fmt: skip
    assert "stolen" not in server.journal.to_ndjson()


@pytest.mark.parametrize("method", METHODS)
def test_message_ids_count_only_the_levels_sent(stub: Stub, method: str) -> None:
    both = call(stub, method, file_stream(PAUSES, PAUSES_RATE))  # level absent: both
    by_level = {
        name: call(stub, method, file_stream(PAUSES, PAUSES_RATE, level=number))
        for name, number in (("segment", api_pb2.segment), ("utterance", api_pb2.utterance))
    }
    levels = [result.result[0].level for result in both.results]
    assert set(levels) == {api_pb2.segment, api_pb2.utterance}
    for outcome in (both, *by_level.values()):
        assert outcome.code is grpc.StatusCode.OK
        assert [r.message_id for r in outcome.results] == list(range(len(outcome.results)))
        assert len({r.pid for r in outcome.results}) == 1
        assert {r.cid for r in outcome.results} == {CID}
    for name, outcome in by_level.items():
        number = api_pb2.Level.Value(name)
        assert {row.level for row in rows(outcome)} == {number}
        subset = [replace(r, message_id=0) for r in both.decoded() if r.result[0].level == name]
        assert [replace(r, message_id=0) for r in outcome.decoded()] == subset
    assert len(by_level["segment"].results) + len(by_level["utterance"].results) == len(levels)


# -- sample rates ---------------------------------------------------------------------------------


_HUGE_RATE_SCRIPT = textwrap.dedent(
    """
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))  # fail fast, never swap
    import grpc
    from mockserver._generated.behavioral_signals import api_pb2, api_pb2_grpc
    from mockserver.server import MockServer

    with MockServer(seed=0, hume={"enabled": False}) as server:
        ep = server.behavioral
        first = api_pb2.AudioStream(cid=ep.cid, x_auth_token=ep.token)
        first.config.sample_rate_hertz = 2**31 - 1
        audio = api_pb2.AudioStream(cid=ep.cid, x_auth_token=ep.token, audio_content=b"\\1\\2")
        stub = api_pb2_grpc.BehavioralStreamingApiStub(grpc.insecure_channel(ep.grpc_target))
        try:
            n = len(list(stub.StreamAudio(iter([first, audio]), timeout=60)))
            print("OK", n)
        except grpc.RpcError as err:
            print(err.code().name, err.details())
        print("failures", len(server.runtime.take_failures()))
    """
)


def test_the_largest_positive_sample_rate_is_accepted_or_rejected_cleanly() -> None:
    # In a subprocess with a 6 GiB address-space limit, so the failure is quick and the same
    # on every machine (a big machine would otherwise try to allocate and compute it).
    env = {**os.environ, "PYTHONPATH": str(Path(mockserver.__file__).resolve().parents[1])}
    done = subprocess.run(
        [sys.executable, "-c", _HUGE_RATE_SCRIPT],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    status, failures = done.stdout.splitlines()[-2:]
    assert status.startswith("INVALID_ARGUMENT"), status
    assert failures == "failures 0"


def _finished(processes: Any, pid: int) -> bool:
    view = processes.get(pid)
    return view is not None and view.status != 1


def test_a_missing_token_is_journaled_as_missing(stub: Stub, server: MockServer) -> None:
    outcome = call(stub, "StreamAudio", [config_message(), audio_message(bytes(320), token="")])
    assert outcome.code is grpc.StatusCode.UNAUTHENTICATED
    tokens = [e.data["x_auth_token"] for e in journal_of(server) if e.kind == "message"]
    assert tokens == ["<redacted>", "<missing>"]


def test_a_discard_fault_withholds_results_and_the_call_ends_ok(
    stub: Stub, server: MockServer
) -> None:
    server.add_faults({"vendor": "behavioral", "type": "discard"})
    outcome = call(stub, "StreamAudio", file_stream())
    assert (outcome.code, outcome.results) == (grpc.StatusCode.OK, [])
    withheld = [e for e in journal_of(server) if e.kind == "fault"]
    assert withheld and all(e.fault == "discard-1" for e in withheld)
    assert withheld[0].data["discard"]["message_id"] == 0
