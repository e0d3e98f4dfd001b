"""Minimal raw clients of every listener, for churn, disconnect and overload tests.

Each client does one whole exchange on its own fresh connection and closes it: the unit
the churn tests repeat. They use the wire libraries directly (websockets, grpc,
http.client), never a vendor SDK, so that what crosses the wire is exactly what the test
counts.
"""

from __future__ import annotations

import http.client
import json
import socket
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import grpc
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from mockserver._generated.behavioral_signals import api_pb2
from mockserver.server import MockServer
from mockserver.vendors.behavioral.service import SERVICE_NAME

__all__ = [
    "Counts",
    "behavioral_call",
    "hume_exchange",
    "hume_v1_exchange",
    "multipart",
    "raw_grpc_call",
    "rest_request",
]

TIMEOUT_S = 10.0


@dataclass
class Counts:
    """What a client saw cross the wire: messages it sent and received, by kind."""

    sent: int = 0
    received: int = 0
    kinds: list[str] = field(default_factory=list)  # what the client received, in order


def hume_exchange(server: MockServer, message: str = '{"job_details": true}') -> Counts:
    """One Hume v0 connection: one publish message, its reply, a close (1000)."""
    endpoint = server.hume
    counts = Counts()
    with connect(
        endpoint.url, additional_headers={"X-Hume-Api-Key": endpoint.api_key}, open_timeout=10
    ) as ws:
        ws.send(message)
        counts.sent += 1
        reply = json.loads(ws.recv(timeout=TIMEOUT_S))
        counts.received += 1
        counts.kinds.append("error" if "error" in reply else "reply")
    return counts


def hume_v1_exchange(server: MockServer) -> Counts:
    """One Hume v1 audio session: ``session.created``, one ``session.close``, then
    ``session.closed`` and the server's close."""
    endpoint = server.hume_v1
    counts = Counts()
    headers = {"X-Hume-Api-Key": endpoint.api_key}
    with connect(endpoint.audio_url, additional_headers=headers, open_timeout=10) as ws:
        counts.kinds.append(json.loads(ws.recv(timeout=TIMEOUT_S))["type"])
        counts.received += 1
        ws.send(json.dumps({"type": "session.close"}))
        counts.sent += 1
        try:
            while True:
                counts.kinds.append(json.loads(ws.recv(timeout=TIMEOUT_S))["type"])
                counts.received += 1
        except ConnectionClosed:
            pass
    return counts


def config_message(cid: int, token: str) -> api_pb2.AudioStream:
    message = api_pb2.AudioStream(cid=cid, x_auth_token=token)
    message.config.sample_rate_hertz = 16000
    return message


def behavioral_call(server: MockServer, chunks: Iterable[bytes] = ()) -> Counts:
    """One Behavioral Signals ``StreamAudio`` call on a fresh channel: the config message,
    ``chunks`` of audio, a half-close; every result until the status."""
    endpoint = server.behavioral
    counts = Counts()
    requests = [config_message(endpoint.cid, endpoint.token)]
    requests += [
        api_pb2.AudioStream(cid=endpoint.cid, x_auth_token=endpoint.token, audio_content=chunk)
        for chunk in chunks
    ]
    with grpc.insecure_channel(endpoint.grpc_target) as channel:
        call = channel.stream_stream(
            f"/{SERVICE_NAME}/StreamAudio",
            request_serializer=api_pb2.AudioStream.SerializeToString,
            response_deserializer=api_pb2.StreamResult.FromString,
        )

        def sent() -> Iterator[api_pb2.AudioStream]:
            for request in requests:
                counts.sent += 1
                yield request

        for _ in call(sent(), timeout=TIMEOUT_S):
            counts.received += 1
            counts.kinds.append("result")
    return counts


def raw_grpc_call(
    server: MockServer, messages: Iterable[bytes], method: str = "StreamAudio"
) -> tuple[grpc.StatusCode, str, int]:
    """Send raw request bytes (valid protobuf or not) over a real call; return the final
    status, its details and how many responses arrived."""
    with grpc.insecure_channel(server.behavioral.grpc_target) as channel:
        call = channel.stream_stream(f"/{SERVICE_NAME}/{method}")  # bytes in, bytes out
        received = 0
        try:
            for _ in call(iter(list(messages)), timeout=TIMEOUT_S):
                received += 1
        except grpc.RpcError as error:
            return error.code(), error.details() or "", received
        return grpc.StatusCode.OK, "", received


def rest_request(
    server: MockServer,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    port: int | None = None,
) -> tuple[int, Any]:
    """One HTTP request on a fresh connection (Behavioral REST by default); the status and
    the parsed JSON body (or the raw bytes when it is not JSON)."""
    endpoint = server.behavioral
    all_headers = {"X-Auth-Token": endpoint.token, **(headers or {})}
    connection = http.client.HTTPConnection(
        "127.0.0.1", port or endpoint.rest_port, timeout=TIMEOUT_S
    )
    try:
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        raw = response.read()
    finally:
        connection.close()
    try:
        return response.status, json.loads(raw)
    except ValueError:
        return response.status, raw


def multipart(
    parts: Iterable[tuple[str, str | None, str | None, bytes]], boundary: str | None = None
) -> tuple[bytes, str]:
    """A multipart/form-data body from ``(name, filename, content_type, data)`` parts, and
    its Content-Type."""
    boundary = boundary or uuid.uuid4().hex
    out = bytearray()
    for name, filename, content_type, data in parts:
        out += f"--{boundary}\r\n".encode()
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        out += f"Content-Disposition: {disposition}\r\n".encode()
        if content_type is not None:
            out += f"Content-Type: {content_type}\r\n".encode()
        out += b"\r\n" + data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def raw_socket(port: int) -> socket.socket:
    """A plain TCP connection to a loopback listener."""
    return socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_S)
