"""A fresh shared server per test; scenarios and faults never outlive the test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mockserver.server import MockServer


@pytest.fixture
def server(mock_server: MockServer) -> Iterator[MockServer]:
    mock_server.reset()
    try:
        yield mock_server
        mock_server.check()
    finally:
        mock_server.reset()
