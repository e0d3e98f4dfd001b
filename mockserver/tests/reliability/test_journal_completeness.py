"""Under concurrent load the journal has exactly one entry per frame that crossed the wire,
counted on both sides: the clients count what they sent and received, the journal what the
server saw, and the two agree for every listener and direction."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from websockets.sync.client import connect

from mockserver.server import MockServer

from .churn import settle
from .clients import Counts, behavioral_call, hume_exchange, hume_v1_exchange, rest_request
from .conftest import SOAK

pytestmark = pytest.mark.e2e

THREADS = 8
ROUNDS = 200 if SOAK else 12  # per thread and listener


def hume_three_messages(server: MockServer) -> Counts:
    """One Hume connection with three request/response pairs."""
    counts = Counts()
    headers = {"X-Hume-Api-Key": server.hume.api_key}
    with connect(server.hume.url, additional_headers=headers) as ws:
        for index in range(3):
            ws.send(json.dumps({"job_details": True, "payload_id": str(index)}))
            counts.sent += 1
            json.loads(ws.recv(timeout=30))
            counts.received += 1
    return counts


def load(server: MockServer, work: Callable[[MockServer], Counts]) -> Counts:
    """``THREADS`` clients at once, ``ROUNDS`` exchanges each; the summed client counts."""

    def client() -> Counts:
        total = Counts()
        for _ in range(ROUNDS):
            seen = work(server)
            total.sent += seen.sent
            total.received += seen.received
        return total

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(lambda _: client(), range(THREADS)))
    return Counts(sum(r.sent for r in results), sum(r.received for r in results))


def journal_counts(server: MockServer, vendor: str, transport: str, kinds: set[str]) -> Counts:
    entries = [
        e for e in server.journal.entries(vendor=vendor, transport=transport) if e.kind in kinds
    ]
    return Counts(
        sent=sum(1 for e in entries if e.direction == "in"),
        received=sum(1 for e in entries if e.direction == "out"),
    )


def test_every_frame_is_journaled_exactly_once_under_concurrent_load(
    server: MockServer,
) -> None:
    connections = THREADS * ROUNDS
    hume = load(server, hume_three_messages)
    hume_v1 = load(server, hume_v1_exchange)
    grpc_calls = load(server, lambda s: behavioral_call(s, [b"\0\1" * 16_000] * 3))
    rest = load(server, lambda s: Counts(1, 1) if rest_request(
        s, "GET", f"/v5/clients/{s.behavioral.cid}")[0] == 200 else Counts())  # fmt: skip
    server.journal.wait_for(kind="close", vendor="hume", direction="in", count=connections)
    settle(server)  # every connection's last entries are written before it counts as ended

    assert journal_counts(server, "hume", "websocket", {"text", "binary"}) == hume
    assert journal_counts(server, "hume_v1", "websocket", {"text", "binary"}) == hume_v1
    assert journal_counts(server, "behavioral", "grpc", {"message"}) == grpc_calls
    assert journal_counts(server, "behavioral", "http", {"request", "response"}) == rest
    for vendor, transport in (("hume", "websocket"), ("hume_v1", "websocket")):
        handshakes = journal_counts(server, vendor, transport, {"handshake"})
        assert handshakes == Counts(connections, connections)
    calls = journal_counts(server, "behavioral", "grpc", {"call", "half_close", "status"})
    assert calls == Counts(2 * connections, connections)
    assert hume.sent == 3 * connections and grpc_calls.sent == 4 * connections
    assert len({e.seq for e in server.journal.entries()}) == len(server.journal)


def test_the_count_comparison_can_fail(server: MockServer) -> None:
    """One more frame than the client counted is seen."""
    counted = hume_exchange(server)
    with connect(server.hume.url, additional_headers={"X-Hume-Api-Key": server.hume.api_key}):
        pass
    hume_exchange(server)
    assert journal_counts(server, "hume", "websocket", {"text"}) != Counts(
        counted.sent, counted.received
    )
