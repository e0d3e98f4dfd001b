"""Churn: connect, one message, close, repeated, on every listener. Afterwards no growth in
file descriptors, threads or asyncio tasks, and bounded memory (``churn.py`` says how it is
measured and the tolerances).

``make test`` runs 150 connections per listener; ``make soak`` runs 10,000
(``MOCKSERVER_SOAK=1``) and prints what it measured.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator

import pytest

from mockserver.server import MockServer

from .churn import CAPPED, ChurnReport, churn
from .clients import behavioral_call, hume_exchange, hume_v1_exchange, rest_request
from .conftest import SOAK

pytestmark = pytest.mark.e2e

SMOKE_COUNT = 150
SOAK_COUNT = 10_000


def rest_exchange(server: MockServer) -> object:
    return rest_request(server, "GET", f"/v5/clients/{server.behavioral.cid}")


def hume_v1_upload(server: MockServer) -> object:
    """One Hume v1 HTTP request (the runs list) on a fresh connection."""
    headers = {"X-Hume-Api-Key": server.hume_v1.api_key}
    return rest_request(
        server, "GET", "/v1/expression/run", headers=headers, port=server.hume_v1.port
    )


EXCHANGES: dict[str, Callable[[MockServer], object]] = {
    "hume websocket": hume_exchange,
    "hume_v1 websocket": hume_v1_exchange,
    "hume_v1 http": hume_v1_upload,
    "behavioral grpc": behavioral_call,
    "behavioral rest": rest_exchange,
}


@pytest.fixture(scope="module")
def capped_server() -> Iterator[MockServer]:
    with MockServer(**CAPPED) as server:
        yield server
        server.check()


def assert_bounded(report: ChurnReport, server: MockServer) -> None:
    __tracebackhide__ = True
    print(report.summary())
    assert not report.problems(), report.summary()
    assert server.runtime.decode_budget.in_use == 0
    server.check()


@pytest.mark.parametrize("name", sorted(EXCHANGES))
def test_churn_leaves_nothing_behind(capped_server: MockServer, name: str) -> None:
    report = churn(capped_server, name, EXCHANGES[name], SMOKE_COUNT, warmup=30)
    assert_bounded(report, capped_server)


@pytest.mark.soak
@pytest.mark.timeout(3600)
@pytest.mark.skipif(not SOAK, reason="the long form runs with make soak (MOCKSERVER_SOAK=1)")
@pytest.mark.parametrize("name", sorted(EXCHANGES))
def test_soak_churn_10000_connections(capped_server: MockServer, name: str) -> None:
    report = churn(capped_server, name, EXCHANGES[name], SOAK_COUNT, warmup=200)
    assert_bounded(report, capped_server)


def test_the_churn_check_sees_leaks(capped_server: MockServer) -> None:
    """The check can fail: an exchange that keeps a socket and 2 KB per call is flagged."""
    kept: list[tuple[socket.socket, bytes]] = []

    def leaky(server: MockServer) -> None:
        kept.append((socket.socket(), os.urandom(2048)))

    report = churn(capped_server, "leaky", leaky, 40, warmup=2)
    problems = report.problems()
    for sock, _ in kept:
        sock.close()
    assert any(p.startswith("file descriptors") for p in problems), problems
    assert any(p.startswith("memory") for p in problems), problems
