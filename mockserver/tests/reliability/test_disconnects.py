"""A client that disconnects at any point is journaled as a client abort, never counted as
an internal error (``MockServer.check()`` passes and nothing logs at ERROR).

Points covered, per listener: in the middle of the opening handshake (before and after the
request is complete), in the middle of a frame, between frames of a stream, in the middle
of an HTTP request body (an upload), and a gRPC cancel or dropped channel mid-stream. A
client that leaves before its request line and headers are complete is not journaled: no
request crossed the wire.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator

import grpc
import pytest

from mockserver._generated.behavioral_signals import api_pb2
from mockserver.journal import JournalEntry
from mockserver.server import MockServer
from mockserver.vendors.behavioral.service import SERVICE_NAME

from .clients import config_message, multipart, raw_socket

pytestmark = pytest.mark.e2e


def reset_close(sock: socket.socket) -> None:
    """Close with a TCP reset (no FIN, no WebSocket close frame): the rudest client."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def settle(server: MockServer, timeout_s: float = 10.0) -> None:
    """Wait until the server has no live connection left (bounded)."""
    deadline = time.monotonic() + timeout_s
    while server.connections():
        assert time.monotonic() < deadline, server.connections()
        time.sleep(0.01)


def last_entry(server: MockServer, vendor: str) -> JournalEntry:
    entries = server.journal.entries(vendor=vendor)
    assert entries, "nothing journaled"
    return entries[-1]


def upgrade_request(path: str, port: int, headers: dict[str, str]) -> bytes:
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def open_raw_websocket(port: int, path: str, headers: dict[str, str]) -> socket.socket:
    """A WebSocket opened by hand (so that the test can then send half a frame)."""
    sock = raw_socket(port)
    sock.sendall(upgrade_request(path, port, headers))
    response = b""
    while b"\r\n\r\n" not in response:
        chunk = sock.recv(4096)
        assert chunk, response
        response += chunk
    assert response.startswith(b"HTTP/1.1 101"), response
    return sock


def half_a_frame() -> bytes:
    """The header of a masked 1000-byte text frame and 10 bytes of it."""
    return b"\x81\xfe" + struct.pack("!H", 1000) + b"\x01\x02\x03\x04" + b"x" * 10


# -- WebSocket listeners ----------------------------------------------------------------------


Target = Callable[[MockServer], tuple[str, int, str, dict[str, str]]]


def hume_target(server: MockServer) -> tuple[str, int, str, dict[str, str]]:
    endpoint = server.hume
    return "hume", endpoint.port, "/v0/stream/models", {"X-Hume-Api-Key": endpoint.api_key}


def hume_v1_target(server: MockServer) -> tuple[str, int, str, dict[str, str]]:
    endpoint = server.hume_v1
    path = endpoint.audio_url.removeprefix(endpoint.ws_url)
    return "hume_v1", endpoint.port, path, {"X-Hume-Api-Key": endpoint.api_key}


TARGETS = pytest.mark.parametrize("target", [hume_target, hume_v1_target], ids=["v0", "v1"])


@TARGETS
def test_a_half_sent_upgrade_request_is_not_an_error(server: MockServer, target: Target) -> None:
    vendor, port, path, headers = target(server)
    sock = raw_socket(port)
    sock.sendall(upgrade_request(path, port, headers)[:30])  # the request line, cut
    reset_close(sock)
    time.sleep(0.1)
    settle(server)
    assert server.journal.entries(vendor=vendor) == []  # no request crossed the wire


@TARGETS
def test_leaving_right_after_the_upgrade_request_is_a_client_abort(
    server: MockServer, target: Target
) -> None:
    """Gone before the 101 was read: journaled ``disconnect`` (``during the handshake`` when
    the server noticed before opening the connection)."""
    vendor, port, path, headers = target(server)
    sock = raw_socket(port)
    sock.sendall(upgrade_request(path, port, headers))
    reset_close(sock)
    server.journal.wait_for(vendor=vendor, kind="disconnect", timeout=10)
    settle(server)
    entries = server.journal.entries(vendor=vendor)
    assert (entries[0].direction, entries[0].kind) == ("in", "handshake")
    assert (entries[-1].direction, entries[-1].kind) == ("in", "disconnect"), entries


def test_an_upgrade_cut_off_while_its_101_is_written_is_a_quiet_client_abort(
    server: MockServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race the test above only sometimes hits, made certain: aiohttp's
    ``WebSocketResponse.prepare`` has taken the payload writer when the write of the 101
    fails (the client is gone). The handler must not hand that half-prepared response back
    to aiohttp (whose ``write_eof`` then raises and is logged as an unhandled exception)."""
    from aiohttp import web  # noqa: PLC0415  the Hume v1 listener's library, for this race

    async def failing_prepare(self: web.WebSocketResponse, request: web.BaseRequest) -> object:
        if getattr(self, "_failed_once", False):  # as aiohttp: prepared already, no error
            return self._payload_writer
        self._failed_once = True  # type: ignore[attr-defined]
        self._payload_writer = request._payload_writer
        raise ConnectionResetError("Cannot write to closing transport")

    vendor, port, path, headers = hume_v1_target(server)
    with monkeypatch.context() as patch:
        patch.setattr(web.WebSocketResponse, "prepare", failing_prepare)
        sock = raw_socket(port)
        sock.sendall(upgrade_request(path, port, headers))
        server.journal.wait_for(vendor=vendor, kind="disconnect", timeout=10)
        # Here the socket is still open, so what the handler returned instead reaches it
        # (a real client that left never reads it).
        response = b""
        while b"\r\n\r\n" not in response and (chunk := sock.recv(4096)):
            response += chunk
        sock.close()
    assert response.startswith(b"HTTP/1.1 400 "), response
    settle(server)
    entry = last_entry(server, vendor)
    assert (entry.direction, entry.kind, entry.reason) == (
        "in",
        "disconnect",
        "during the handshake",
    )


@TARGETS
def test_leaving_in_the_middle_of_a_frame_is_a_client_abort(
    server: MockServer, target: Target
) -> None:
    vendor, port, path, headers = target(server)
    sock = open_raw_websocket(port, path, headers)
    sock.sendall(half_a_frame())
    reset_close(sock)
    server.journal.wait_for(vendor=vendor, kind="disconnect", direction="in", timeout=10)
    settle(server)
    assert server.journal.count(vendor=vendor, kind="text", direction="in") == 0


def test_leaving_between_frames_of_a_stream_is_a_client_abort(server: MockServer) -> None:
    vendor, port, path, headers = hume_target(server)
    sock = open_raw_websocket(port, path, headers)
    frame = json.dumps({"job_details": True}).encode()
    mask = b"\x00\x00\x00\x00"
    sock.sendall(b"\x81" + bytes([0x80 | len(frame)]) + mask + frame)
    assert sock.recv(4096)  # the reply
    reset_close(sock)
    server.journal.wait_for(vendor=vendor, kind="disconnect", timeout=10)
    settle(server)
    kinds = [(e.direction, e.kind) for e in server.journal.entries(vendor=vendor)]
    assert kinds[-3:] == [("in", "text"), ("out", "text"), ("in", "disconnect")]


def test_leaving_mid_session_on_v1_is_a_client_abort(server: MockServer) -> None:
    _, port, path, headers = hume_v1_target(server)
    sock = open_raw_websocket(port, path, headers)
    audio = b"\0" * 3200
    sock.sendall(b"\x82\xfe" + struct.pack("!H", len(audio)) + b"\0\0\0\0" + audio)
    server.journal.wait_for(vendor="hume_v1", kind="binary", direction="in", timeout=10)
    reset_close(sock)
    server.journal.wait_for(vendor="hume_v1", kind="disconnect", direction="in", timeout=10)
    settle(server)


# -- HTTP -------------------------------------------------------------------------------------


def upload_request(server: MockServer, *, total: int) -> tuple[bytes, bytes]:
    """Headers of a Behavioral Signals upload announcing ``total`` bytes of body, and the
    start of that body."""
    endpoint = server.behavioral
    body, content_type = multipart([("file", "a.wav", "audio/wav", b"\0" * total)])
    head = (
        f"POST /v5/clients/{endpoint.cid}/processes/audio HTTP/1.1\r\n"
        f"Host: 127.0.0.1\r\nX-Auth-Token: {endpoint.token}\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    return head, body[: len(body) // 3]


def test_regression_leaving_mid_upload_is_a_client_abort_not_an_internal_error(
    server: MockServer,
) -> None:
    """Issue 14: a REST client that disconnected in the middle of an upload was logged as an
    internal error (aiohttp's "Error handling request" traceback), and nothing journaled."""
    head, start = upload_request(server, total=200_000)
    sock = raw_socket(server.behavioral.rest_port)
    sock.sendall(head + start)
    time.sleep(0.1)  # the server is reading the body
    reset_close(sock)
    server.journal.wait_for(vendor="behavioral", kind="disconnect", timeout=10)
    settle(server)
    request, disconnect = server.journal.entries(vendor="behavioral")[-2:]
    assert (request.direction, request.kind) == ("in", "request")
    assert request.data["path"].endswith("/processes/audio")
    assert (disconnect.kind, disconnect.reason) == ("disconnect", "during the request body")


def test_leaving_mid_upload_on_hume_v1_is_a_client_abort(server: MockServer) -> None:
    endpoint = server.hume_v1
    body, content_type = multipart([("file", "a.pcm", None, b"\0" * 100_000)])
    head = (
        f"POST /v1/expression/audio/file HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"X-Hume-Api-Key: {endpoint.api_key}\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    sock = raw_socket(endpoint.port)
    sock.sendall(head + body[:1000])
    time.sleep(0.1)
    reset_close(sock)
    server.journal.wait_for(vendor="hume_v1", kind="disconnect", timeout=10)
    settle(server)
    assert last_entry(server, "hume_v1").reason == "during the request body"


def test_leaving_in_the_middle_of_request_headers_is_not_journaled(server: MockServer) -> None:
    head, _ = upload_request(server, total=10)
    sock = raw_socket(server.behavioral.rest_port)
    sock.sendall(head[:40])
    reset_close(sock)
    time.sleep(0.1)
    settle(server)
    assert server.journal.entries(vendor="behavioral") == []


def test_leaving_before_the_response_is_not_an_error(server: MockServer) -> None:
    head, start = upload_request(server, total=10)
    rest = multipart([("file", "a.wav", "audio/wav", b"\0" * 10)])[0][len(start) :]
    sock = raw_socket(server.behavioral.rest_port)
    sock.sendall(head + start)
    sock.sendall(rest)  # the whole request, then gone before the answer is read
    reset_close(sock)
    server.journal.wait_for(vendor="behavioral", kind="response", timeout=10)
    settle(server)


# -- gRPC -------------------------------------------------------------------------------------


def stream_then(server: MockServer, leave: Callable[[grpc.Channel, object], None]) -> None:
    endpoint = server.behavioral
    channel = grpc.insecure_channel(endpoint.grpc_target)
    call = channel.stream_stream(
        f"/{SERVICE_NAME}/StreamAudio",
        request_serializer=api_pb2.AudioStream.SerializeToString,
        response_deserializer=api_pb2.StreamResult.FromString,
    )
    audio = api_pb2.AudioStream(
        cid=endpoint.cid, x_auth_token=endpoint.token, audio_content=b"\0\1" * 4000
    )

    gone = threading.Event()

    def requests() -> Iterator[api_pb2.AudioStream]:
        yield config_message(endpoint.cid, endpoint.token)
        for _ in range(3):
            yield audio
        gone.wait(30)  # never half-closes: the client leaves first

    responses = call(requests(), timeout=60)
    deadline = time.monotonic() + 10
    while server.journal.count(vendor="behavioral", kind="message", direction="in") < 4:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    leave(channel, responses)
    gone.set()
    server.journal.wait_for(vendor="behavioral", kind="cancel", timeout=10)
    settle(server)
    assert last_entry(server, "behavioral").kind == "cancel"


def test_a_grpc_cancel_mid_stream_is_a_client_abort(server: MockServer) -> None:
    stream_then(server, lambda channel, responses: responses.cancel())  # type: ignore[attr-defined]


def test_a_closed_channel_mid_stream_is_a_client_abort(server: MockServer) -> None:
    stream_then(server, lambda channel, responses: channel.close())
