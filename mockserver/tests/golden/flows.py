"""Golden transcripts: fixed client flows whose journal must stay byte-identical.

Each flow drives an in-process :class:`~mockserver.server.MockServer` (seed 7) with the
official SDKs or raw clients, sequentially, and returns the server. :func:`transcript`
turns its journal into a canonical text: per connection, in order of first appearance,
the client's entries then the server's, each without the fields that vary from run to
run (times, random handshake keys, ports, multipart boundaries, dates). Comparing it with
the committed file under ``transcripts/`` shows whether a refactoring changed anything a
client could see.

Rebuild the committed files with ``make golden`` (``scripts/make_golden.py``) after an
intended behaviour change, and say in the commit which outputs changed and why.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
import urllib.error
import urllib.request
import wave
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import grpc
from behavioralsignals import Client, StreamingOptions
from behavioralsignals.utils import make_audio_stream
from hume import HumeClient
from hume.expression_measurement.stream import Config, StreamFace, StreamLanguage
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from mockserver._generated.behavioral_signals import api_pb2, api_pb2_grpc
from mockserver.journal import JournalEntry
from mockserver.redirect import behavioral_signals_redirect
from mockserver.resources import fixture_base64, fixture_path
from mockserver.server import MockServer

__all__ = ["FLOWS", "SEED", "TRANSCRIPTS", "run_flow", "transcript"]

SEED = 7
TRANSCRIPTS = Path(__file__).with_name("transcripts")

Flow = Callable[[MockServer], None]

#: Header values that differ between runs (random keys, ports, versions, boundaries).
_VARYING_HEADERS = frozenset(
    {
        "host",
        "user-agent",
        "sec-websocket-key",
        "content-type",
        "content-length",
        "date",
        "accept-encoding",
        "x-fern-sdk-version",
        "x-fern-runtime",
        "x-fern-platform",
    }
)
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")
_PORT = re.compile(r"127\.0\.0\.1:\d+")


# -- canonical form -------------------------------------------------------------------------


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return _PORT.sub("127.0.0.1:PORT", _DATETIME.sub("<datetime>", value))
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key == "headers" and isinstance(item, dict):
                out[key] = {
                    name: ("<varies>" if name.lower() in _VARYING_HEADERS else _scrub(v))
                    for name, v in sorted(item.items(), key=lambda kv: kv[0].lower())
                }
            else:
                out[key] = _scrub(item)
        return out
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    return value


def _canonical(entry: JournalEntry) -> dict[str, Any]:
    data = entry.to_json()
    for name in ("seq", "t", "wall"):
        data.pop(name, None)
    meta = data.get("meta")
    if isinstance(meta, dict):
        meta.pop("delay_s", None)  # measured, not configured
        if not meta:
            data.pop("meta")
    scrubbed: dict[str, Any] = _scrub(data)
    return scrubbed


def transcript(server: MockServer) -> str:
    """The journal as canonical NDJSON: connections in order of first appearance; per
    connection, the client's entries in order, then the server's."""
    entries = server.journal.entries()
    order: dict[str, None] = dict.fromkeys(e.connection for e in entries)
    lines: list[str] = []
    for connection in order:
        own = [e for e in entries if e.connection == connection]
        for direction in ("in", "out"):
            for entry in own:
                if entry.direction == direction:
                    lines.append(json.dumps(_canonical(entry), sort_keys=True, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def _settle(server: MockServer, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while server.connections():
        if time.monotonic() > deadline:
            raise AssertionError(f"connections still open: {server.connections()}")
        time.sleep(0.01)


# -- Hume ----------------------------------------------------------------------------------


def _ws(server: MockServer, **kwargs: Any) -> Any:

    endpoint = server.hume
    return connect(endpoint.url, additional_headers={"X-Hume-Api-Key": endpoint.api_key}, **kwargs)


def _exchange(ws: Any, message: Any) -> Any:
    ws.send(message if isinstance(message, str | bytes) else json.dumps(message))
    return ws.recv(timeout=10)


def hume_sdk_text(server: MockServer) -> None:
    """The official SDK: language with every option, job details, reset, payload ids."""

    endpoint = server.hume
    client = HumeClient(api_key=endpoint.api_key, base_url=endpoint.base_url)
    with client.expression_measurement.stream.connect() as socket:
        config = Config(language=StreamLanguage(granularity="sentence", sentiment={}, toxicity={}))
        socket.send_text("I am thrilled. This is awful, frankly!", config=config)
        socket.send_text("Mary had a little lamb", config=Config(language=StreamLanguage()))
        socket.get_job_details()
        socket.reset()
    _settle(server)


def hume_sdk_media(server: MockServer) -> None:
    """The official SDK with audio, images, video and facemeshes, plus warnings and E0102."""

    endpoint = server.hume
    client = HumeClient(api_key=endpoint.api_key, base_url=endpoint.base_url)
    with client.expression_measurement.stream.connect() as socket:
        socket.send_file(
            str(fixture_path("media/speech_16k.wav")), config=Config(prosody={}, burst={})
        )
        socket.send_file(str(fixture_path("media/burst.wav")), config=Config(burst={}))
        face = Config(face=StreamFace(facs={}, descriptions={}, identify_faces=True))
        socket.send_file(str(fixture_path("media/face.png")), config=face)
        socket.send_file(str(fixture_path("media/two_faces.png")), config=Config(face=StreamFace()))
        socket.send_file(str(fixture_path("media/no_face.png")), config=Config(face=StreamFace()))
        socket.send_file(
            str(fixture_path("media/face_speech.mp4")), config=Config(face=StreamFace(), prosody={})
        )
        socket.send_file(str(fixture_path("media/face.png")), config=Config(prosody={}))  # E0102
        mesh = [[[0.1 * (i % 7), 0.2, 0.3] for i in range(478)]]
        socket.send_facemesh(mesh, config=Config(facemesh={}))
        socket.send_file(str(fixture_path("media/silence_16k.wav")), config=Config(prosody={}))
    _settle(server)


def hume_raw_errors(server: MockServer) -> None:
    """A raw client: the documented errors, a sliding window, and the repeated-error close."""
    audio = fixture_base64("media/speech_16k.wav")
    with _ws(server) as ws:
        _exchange(ws, "not json")
        _exchange(ws, b"\x00\x01binary")
        _exchange(ws, {"models": {"language": {}}, "raw_text": True, "data": "hi", "extra": 1})
        _exchange(ws, {"models": {"language": {}}, "data": "!!!not base64"})
        _exchange(ws, {"payload_id": "p1", "job_details": True})
        _exchange(ws, {"models": {"prosody": {}}, "data": audio, "stream_window_ms": 3000})
        _exchange(ws, {"models": {"prosody": {}}, "data": audio, "payload_id": "w2"})
        _exchange(ws, {"models": {"language": {}}, "raw_text": True, "data": "x" * 10_001})
        _exchange(ws, {"models": {"face": {"fps_pred": 999}}, "data": "x"})
        _exchange(ws, {})
    with _ws(server) as ws:
        for _ in range(10):
            ws.send("{")
        for _ in range(10):
            ws.recv(timeout=10)
        _wait_close(ws)
    _refused(server, {"X-Hume-Api-Key": "wrong"})
    _refused(server, {})
    _settle(server)


def _refused(server: MockServer, headers: dict[str, str]) -> None:
    """A handshake the server must refuse (a wrong or missing key)."""

    try:
        connect(server.hume.url, additional_headers=headers).close()
    except InvalidStatus:
        return
    raise AssertionError("the handshake was accepted")


def _wait_close(ws: Any) -> None:

    try:
        while True:
            ws.recv(timeout=10)
    except ConnectionClosed:
        return


def _text(payload_id: str) -> dict[str, Any]:
    return {
        "models": {"language": {}},
        "raw_text": True,
        "data": f"message {payload_id} is lovely",
        "payload_id": payload_id,
    }


def hume_faults(server: MockServer) -> None:
    """Every WebSocket fault type, one connection each, with a raw client."""

    plans: list[tuple[dict[str, Any], int]] = [
        ({"type": "delay", "seconds": 0.01, "when": {"message": 1}}, 2),
        ({"type": "duplicate", "count": 2, "when": {"message": 2}}, 3),
        ({"type": "reorder", "when": {"message": 1}}, 2),
        ({"type": "discard", "when": {"message": 2}}, 2),
        ({"type": "malformed_json", "when": {"message": 1}}, 1),
        ({"type": "wrong_types", "when": {"message": 1}}, 1),
        (
            {
                "type": "replace",
                "body": {"payload_id": "x", "warning": "w"},
                "when": {"message": 1},
            },
            1,
        ),
        ({"type": "replace", "text": "plain text", "when": {"message": 2}}, 2),
    ]
    for number, (fault, replies) in enumerate(plans, start=1):
        server.clear_faults()
        server.add_faults(
            {**fault, "name": f"g{number}", "when": {**fault["when"], "connection": number}}
        )
        with _ws(server) as ws:
            sent = 3 if fault["type"] == "discard" else replies
            for i in range(sent):
                ws.send(json.dumps(_text(f"c{number}-{i}")))
            for _ in range(replies + (2 if fault["type"] == "duplicate" else 0)):
                ws.recv(timeout=10)
        _settle(server)
    endings: list[dict[str, Any]] = [
        {"type": "close", "code": 4001, "reason": "bye", "when": {"message": 2}},
        {"type": "close", "when": {"after_results": 1}},
        {"type": "drop", "when": {"message": 1}},
        {"type": "inactivity_close", "when": {"idle_s": 0.05}},
        {"type": "close", "code": 1000, "when": {"after_s": 0.05}},
    ]
    for ending in endings:
        number = len(server.journal.connections(vendor="hume")) + 1
        server.clear_faults()
        server.add_faults({**ending, "when": {**ending["when"], "connection": number}})
        with _ws(server) as ws:
            try:
                if "idle_s" in ending["when"] or "after_s" in ending["when"]:
                    _wait_close(ws)
                else:
                    for i in range(3):
                        ws.send(json.dumps(_text(f"e{number}-{i}")))
                        ws.recv(timeout=10)
            except ConnectionClosed:
                pass
        _settle(server)
    server.clear_faults()
    server.add_faults({"type": "handshake_reject", "status": 429, "when": {"times": 1}})
    for extra in (
        {},
        {"type": "handshake_reject", "status": 503, "body": "down", "when": {"times": 1}},
    ):
        if extra:
            server.add_faults(extra)
        with contextlib.suppress(InvalidStatus):
            _ws(server).close()
    server.clear_faults()
    _settle(server)


def hume_scenario(server: MockServer) -> None:
    """The shipped angry-customer and errors scenarios, with the official SDK."""

    server.load_scenario(fixture_path("scenarios/hume-angry-customer.yaml"))
    server.load_scenario(fixture_path("scenarios/hume-errors.yaml"))
    endpoint = server.hume
    client = HumeClient(api_key=endpoint.api_key, base_url=endpoint.base_url)
    with client.expression_measurement.stream.connect() as socket:
        socket.send_text("I want a refund now", config=Config(language=StreamLanguage()))
        socket.send_file(str(fixture_path("media/speech_long_16k.wav")), config=Config(prosody={}))
        socket.send_text("third frame", config=Config(language=StreamLanguage()))
        socket.send_text("fourth frame", config=Config(language=StreamLanguage()))
    _settle(server)


# -- Behavioral Signals ------------------------------------------------------------------------


def _pcm(name: str) -> tuple[bytes, int]:

    with wave.open(str(fixture_path("media/" + name)), "rb") as wav:
        return wav.readframes(wav.getnframes()), wav.getframerate()


def _stream(
    server: MockServer,
    method: str,
    name: str,
    *,
    level: str | None = None,
    chunk_s: float = 0.25,
    metadata: Any = None,
) -> list[Any]:

    endpoint = server.behavioral
    pcm, rate = _pcm(name)
    step = int(rate * chunk_s) * 2

    def requests() -> Iterator[Any]:
        first = api_pb2.AudioStream(cid=endpoint.cid, x_auth_token=endpoint.token)
        first.config.SetInParent()
        first.config.sample_rate_hertz = rate
        if level is not None:
            first.config.level = api_pb2.Level.Value(level)
        yield first
        for start in range(0, len(pcm), step):
            yield api_pb2.AudioStream(
                cid=endpoint.cid,
                x_auth_token=endpoint.token,
                audio_content=pcm[start : start + step],
            )

    with grpc.insecure_channel(endpoint.grpc_target) as channel:
        stub = api_pb2_grpc.BehavioralStreamingApiStub(channel)
        call = getattr(stub, method)
        results: list[Any] = []
        try:
            for result in call(requests()):
                results.append(result)
        except grpc.RpcError as error:
            results.append(error.code().name)
    return results


def behavioral_sdk_stream(server: MockServer) -> None:
    """The official SDK: StreamAudio at every level and a deepfake stream."""

    with behavioral_signals_redirect(server.behavioral):
        client = Client(cid=server.behavioral.cid, api_key=server.behavioral.token)
        for level in ("all", "segment", "utterance"):
            stream, rate = make_audio_stream(
                str(fixture_path("media/speech_pauses_16k.wav")), chunk_size=0.25
            )
            options = StreamingOptions(sample_rate=rate, encoding="LINEAR_PCM", level=level)
            list(client.behavioral.stream_audio(audio_stream=stream, options=options))
        stream, rate = make_audio_stream(str(fixture_path("media/speech_16k.wav")), chunk_size=0.5)
        options = StreamingOptions(sample_rate=rate, encoding="LINEAR_PCM")
        list(client.deepfakes.stream_audio(audio_stream=stream, options=options))
        client.close()
    _settle(server)


def behavioral_raw(server: MockServer) -> None:
    """Raw gRPC streams (44.1 kHz, silence, bad credentials, audio first) and REST calls."""

    _stream(server, "StreamAudio", "speech_pauses_44k.wav", chunk_s=0.1)
    _stream(server, "StreamAudio", "silence_16k.wav")
    _stream(server, "DeepfakeDetection", "speech_16k.wav", level="utterance")
    endpoint = server.behavioral
    with grpc.insecure_channel(endpoint.grpc_target) as channel:
        stub = api_pb2_grpc.BehavioralStreamingApiStub(channel)
        bad = [api_pb2.AudioStream(cid=endpoint.cid, x_auth_token="nope")]
        for messages in (
            bad,
            [
                api_pb2.AudioStream(
                    cid=endpoint.cid, x_auth_token=endpoint.token, audio_content=b"\0\0"
                )
            ],
        ):
            with contextlib.suppress(grpc.RpcError):
                list(stub.StreamAudio(iter(messages)))
    _settle(server)
    pid = _upload(server, "speech_pauses_16k.wav", "behavioral")
    _wait_process(server, pid)
    _rest(server, "GET", f"/clients/{endpoint.cid}/processes/{pid}")
    _rest(server, "GET", f"/clients/{endpoint.cid}/processes/{pid}/results")
    vid = _upload(server, "face_speech.mp4", "detection/video")
    _wait_process(server, vid)
    _rest(server, "GET", f"/detection/clients/{endpoint.cid}/processes/video/{vid}/results")
    _rest(server, "GET", f"/clients/{endpoint.cid}/processes?pageSize=2&sort=desc")
    _rest(server, "GET", f"/clients/{endpoint.cid}/processes/999")
    _rest(server, "GET", f"/clients/{endpoint.cid}/processes", token="wrong")
    _rest(server, "DELETE", f"/clients/{endpoint.cid}/processes")
    _settle(server)


def behavioral_faults(server: MockServer) -> None:
    """gRPC and HTTP faults: aborts, resets, deadlines, delays, REST errors, outcomes."""
    faults: list[dict[str, Any]] = [
        {
            "type": "grpc_abort",
            "status": "UNAVAILABLE",
            "details": "restarting",
            "when": {"after_results": 2},
        },
        {"type": "grpc_reset", "when": {"message": 1}},
        {"type": "grpc_deadline", "when": {"after_audio_s": 1.0}},
        {"type": "delay", "seconds": 0.01, "transport": "grpc", "when": {"message": 2}},
        {"type": "slow_consumer", "seconds": 0.001, "when": {"message": 3}},
    ]
    for number, fault in enumerate(faults, start=1):
        server.clear_faults()
        server.add_faults(
            {**fault, "vendor": "behavioral", "when": {**fault["when"], "connection": number}}
        )
        _stream(server, "StreamAudio", "speech_pauses_16k.wav")
        _settle(server)
    server.clear_faults()
    endpoint = server.behavioral
    server.add_faults(
        [
            {
                "type": "http_error",
                "status": 503,
                "when": {"path": "/processes$", "method": "GET", "times": 1},
            },
            {"type": "process_outcome", "status": -2, "when": {"times": 1}},
            {"type": "process_outcome", "stay": "processing", "when": {"name": "held"}},
        ]
    )
    _rest(server, "GET", f"/clients/{endpoint.cid}/processes")
    failed = _upload(server, "speech_16k.wav", "behavioral")
    _wait_process(server, failed)
    _rest(server, "GET", f"/clients/{endpoint.cid}/processes/{failed}")
    held = _upload(server, "speech_16k.wav", "behavioral", process_name="held")
    _rest(server, "GET", f"/clients/{endpoint.cid}/processes/{held}/results")
    server.clear_faults()
    _settle(server)


def behavioral_scenario(server: MockServer) -> None:
    """The shipped angry-segment scenario over a stream and an upload."""
    server.load_scenario(fixture_path("scenarios/behavioral-angry-segment.yaml"))
    _stream(server, "StreamAudio", "speech_long_16k.wav")
    pid = _upload(server, "speech_long_16k.wav", "behavioral")
    _wait_process(server, pid)
    _rest(server, "GET", f"/clients/{server.behavioral.cid}/processes/{pid}/results")
    _settle(server)


def _rest(
    server: MockServer, method: str, path: str, *, token: str | None = None, **kwargs: Any
) -> Any:
    endpoint = server.behavioral
    request = urllib.request.Request(
        endpoint.rest_url + path,
        method=method,
        headers={"X-Auth-Token": token or endpoint.token, **kwargs.get("headers", {})},
        data=kwargs.get("data"),
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        return json.loads(error.read())


def _upload(
    server: MockServer, name: str, namespace: str, *, process_name: str | None = None
) -> int:
    endpoint = server.behavioral
    boundary = "goldenboundary"
    content = fixture_path("media/" + name).read_bytes()
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\n'.encode()
        + f"{process_name or name}\r\n".encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n",
        f"--{boundary}--\r\n".encode(),
    ]
    if namespace == "detection/video":
        path = f"/detection/clients/{endpoint.cid}/processes/video"
    elif namespace == "detection":
        path = f"/detection/clients/{endpoint.cid}/processes/audio"
    else:
        path = f"/clients/{endpoint.cid}/processes/audio"
    body = _rest(
        server,
        "POST",
        path,
        data=b"".join(parts),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    return int(body["pid"])


def _wait_process(server: MockServer, pid: int, timeout_s: float = 30.0) -> None:
    """Wait until the process finished, without a request (polls would vary in number)."""
    store = server.service("behavioral").processes
    deadline = time.monotonic() + timeout_s
    while True:
        view = store.get(pid, cid=server.behavioral.cid, namespace=None)
        if view is not None and view.status not in (0, 1):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"process {pid} did not finish")
        time.sleep(0.02)


FLOWS: dict[str, Flow] = {
    "hume_sdk_text": hume_sdk_text,
    "hume_sdk_media": hume_sdk_media,
    "hume_raw_errors": hume_raw_errors,
    "hume_faults": hume_faults,
    "hume_scenario": hume_scenario,
    "behavioral_sdk_stream": behavioral_sdk_stream,
    "behavioral_raw": behavioral_raw,
    "behavioral_faults": behavioral_faults,
    "behavioral_scenario": behavioral_scenario,
}


def run_flow(name: str) -> str:
    """Run one flow on a fresh server and return its transcript."""
    # A submitted process stays pending for 1 s, so that the answer to its upload does not
    # depend on how fast its analysis runs (_wait_process then waits without a request).
    settings: dict[str, Any] = {
        "seed": SEED,
        "behavioral": {"process_pending_s": 1.0, "process_running_s": 0.0},
    }
    with MockServer(**settings) as server:
        FLOWS[name](server)
        server.check()
        return transcript(server)
