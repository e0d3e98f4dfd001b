"""Fixtures of the fault tests: the shared server, with faults cleared after each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mockserver.server import MockServer


@pytest.fixture
def server(mock_server: MockServer) -> Iterator[MockServer]:
    """The session's server, reset (no faults); faults are removed again afterwards."""
    mock_server.reset()
    try:
        yield mock_server
    finally:
        mock_server.clear_faults()
    mock_server.check()
