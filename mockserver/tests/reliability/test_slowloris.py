"""Slow clients (slowloris) are closed after the documented timeouts, and other clients are
served meanwhile.

``--handshake-timeout-s`` (WebSocket opening handshake on the ``websockets`` listener, gRPC
connection preface), ``--keepalive-timeout-s`` (HTTP connections with no request in progress:
idle keep-alive, or request headers still incomplete; this includes the Hume v1 WebSocket
upgrade, an HTTP request on aiohttp) and ``--body-timeout-s`` (a request body that does not
arrive: 408). The server here uses half a second for each; the assertions only bound
"never" (a generous socket timeout), never how fast.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from mockserver.server import MockServer

from .clients import behavioral_call, hume_exchange, hume_v1_exchange, rest_request

pytestmark = pytest.mark.e2e

TIMEOUT_S = 0.5
NEVER_S = 20.0  # a connection still open after this long counts as never closed


@pytest.fixture(scope="module")
def slow_server() -> Iterator[MockServer]:
    with MockServer(
        handshake_timeout_s=TIMEOUT_S,
        keepalive_timeout_s=TIMEOUT_S,
        body_timeout_s=TIMEOUT_S,
        hume={"handshake_rate_limit": 0},
    ) as server:
        yield server
        server.check()


def connected(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=NEVER_S)
    return sock


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (EOF or reset)."""
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    except TimeoutError:
        pytest.fail(f"the server kept a slow connection open for {NEVER_S:g} s")
    finally:
        sock.close()
    return received


def serve_everyone(server: MockServer) -> None:
    """One whole exchange on every listener (they must not be blocked by the slow ones)."""
    assert hume_exchange(server).received == 1
    assert hume_v1_exchange(server).kinds[-1] == "session.closed"
    behavioral_call(server)
    assert rest_request(server, "GET", f"/v5/clients/{server.behavioral.cid}")[0] == 200


def test_a_half_sent_websocket_handshake_is_closed(slow_server: MockServer) -> None:
    sock = connected(slow_server.hume.port)
    sock.sendall(b"GET /v0/stream/models HTTP/1.1\r\nHost: x\r\nUpgrade: webs")
    serve_everyone(slow_server)
    assert read_until_closed(sock) == b""


def test_a_half_sent_upgrade_on_the_http_listener_is_closed(slow_server: MockServer) -> None:
    sock = connected(slow_server.hume_v1.port)
    sock.sendall(b"GET /v1/expression/audio/realtime HTTP/1.1\r\nHost: x\r\n")
    serve_everyone(slow_server)
    assert read_until_closed(sock) == b""


@pytest.mark.parametrize("listener", ["behavioral_rest", "hume_v1", "admin"])
def test_an_idle_http_connection_is_closed(slow_server: MockServer, listener: str) -> None:
    port = {
        "behavioral_rest": slow_server.behavioral.rest_port,
        "hume_v1": slow_server.hume_v1.port,
        "admin": slow_server.admin.port,
    }[listener]
    silent = connected(port)  # never sends a byte
    kept_alive = connected(port)  # one request, then silence on a keep-alive connection
    kept_alive.sendall(b"GET /status HTTP/1.1\r\nHost: x\r\n\r\n")
    serve_everyone(slow_server)
    assert read_until_closed(silent) == b""
    assert read_until_closed(kept_alive).startswith(b"HTTP/1.1 ")


def test_half_sent_request_headers_are_closed(slow_server: MockServer) -> None:
    sock = connected(slow_server.behavioral.rest_port)
    sock.sendall(b"POST /v5/clients/1000/processes/audio HTTP/1.1\r\nHost: x\r\nContent-")
    serve_everyone(slow_server)
    assert read_until_closed(sock) == b""


def test_a_stalled_body_is_answered_408_in_the_vendor_shape(slow_server: MockServer) -> None:
    endpoint = slow_server.behavioral
    sock = connected(endpoint.rest_port)
    sock.sendall(
        f"POST /v5/clients/{endpoint.cid}/processes/audio HTTP/1.1\r\nHost: x\r\n"
        f"X-Auth-Token: {endpoint.token}\r\nContent-Type: multipart/form-data; boundary=b\r\n"
        "Content-Length: 100000\r\n\r\n--b\r\n".encode()
    )
    serve_everyone(slow_server)
    response = read_until_closed(sock)
    head, _, body = response.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408"), response
    assert b'"code": 408' in body and b"did not arrive within 0.5 seconds" in body
    (entry,) = slow_server.journal.find(kind="response", code=408)
    assert entry.data["message"].startswith("The request body did not arrive")


def test_a_half_sent_grpc_connection_preface_is_closed(slow_server: MockServer) -> None:
    sock = connected(slow_server.behavioral.grpc_port)
    sock.sendall(b"PRI * HTTP/2.0\r\n")  # the preface is 24 bytes; then SETTINGS
    serve_everyone(slow_server)
    received = read_until_closed(sock)  # nothing, or HTTP/2 frames ending with a GOAWAY
    assert received == b"" or received.endswith(b"handshake timeout"), received


def test_with_the_default_timeouts_a_slow_client_stays_connected() -> None:
    """The check can fail: with the defaults (10 s, 75 s), a connection silent for longer
    than this test's wait is still open."""
    with MockServer() as server:
        sock = connected(server.behavioral.rest_port)
        sock.settimeout(2 * TIMEOUT_S)
        with pytest.raises(TimeoutError):
            sock.recv(1)
        sock.close()
