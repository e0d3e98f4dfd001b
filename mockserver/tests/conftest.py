"""Shared fixtures: one in-process server per test session, reset before each test."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

from mockserver.resources import fixture_path
from mockserver.server import MockServer
from mockserver.vendors.hume.service import HumeEndpoint

#: The ``pytest.ini`` of every inner ``pytester`` run (plugin tests, howto examples).
PYTESTER_INI = """
[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
addopts = --strict-markers -p no:cacheprovider
filterwarnings =
    ignore::DeprecationWarning
    ignore:Couldn't find ffmpeg or avconv:RuntimeWarning
"""


@pytest.fixture(scope="session")
def mock_server() -> Iterator[MockServer]:
    """A server shared by the whole session (handshake rate limit off for speed)."""
    with MockServer(seed=0, hume={"handshake_rate_limit": 0}) as server:
        yield server


@pytest.fixture
def hume(mock_server: MockServer) -> Iterator[HumeEndpoint]:
    """The shared Hume endpoint, with a fresh journal; fails the test on server errors."""
    mock_server.reset()
    yield mock_server.hume
    mock_server.check()


@pytest.fixture
def media() -> Callable[[str], bytes]:
    """Read a media fixture by file name."""
    return lambda name: fixture_path(f"media/{name}").read_bytes()


class HumeSocket:
    """A raw WebSocket client that sends JSON and returns the parsed reply."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    def exchange(self, message: Any) -> Any:
        self.ws.send(message if isinstance(message, str) else json.dumps(message))
        return json.loads(self.ws.recv(timeout=30))


@contextmanager
def hume_socket(endpoint: HumeEndpoint, **kwargs: Any) -> Iterator[HumeSocket]:
    headers = {"X-Hume-Api-Key": endpoint.api_key}
    with connect(endpoint.url, additional_headers=headers, max_size=None, **kwargs) as ws:
        yield HumeSocket(ws)


@pytest.fixture
def hume_ws(hume: HumeEndpoint) -> Iterator[HumeSocket]:
    """A raw client connected to the shared Hume endpoint."""
    with hume_socket(hume) as socket:
        yield socket
