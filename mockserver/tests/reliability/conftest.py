"""Fixtures of the reliability suite: one shared server, and a check that nothing went wrong
inside it (no recorded internal failure, no ERROR log line from any library)."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import pytest

from mockserver.server import MockServer

#: ``make soak`` sets this: the long forms of the churn tests run, the smoke forms do not.
SOAK = os.environ.get("MOCKSERVER_SOAK") == "1"

#: Settings of the shared server: limits that would get in a fuzzer's way are off.
RELAXED: dict[str, object] = {
    "hume": {"handshake_rate_limit": 0, "repeated_error_limit": 0},
    "hume_v1": {"audio_send_rate": 0, "video_fps": 0},
    "behavioral": {"max_streams_per_project": 0, "process_pending_s": 0, "process_running_s": 0},
}


@pytest.fixture(scope="package")
def shared_server() -> Iterator[MockServer]:
    """One server for the package (reset before each test that uses :func:`server`)."""
    with MockServer(seed=0, **RELAXED) as server:  # type: ignore[arg-type]
        yield server


def error_records(caplog: pytest.LogCaptureFixture) -> list[str]:
    """ERROR (and worse) log lines of any logger (the server's, aiohttp's, websockets'),
    from the test's setup and call and what its teardown has logged so far (in a fixture's
    teardown ``caplog.records`` holds only the teardown's own records)."""
    records = [*caplog.get_records("setup"), *caplog.get_records("call"), *caplog.records]
    return [f"{r.name}: {r.getMessage()}" for r in records if r.levelno >= logging.ERROR]


def assert_clean(server: MockServer, caplog: pytest.LogCaptureFixture) -> None:
    """No internal failure was recorded and nothing was logged at ERROR."""
    __tracebackhide__ = True
    server.check()
    errors = error_records(caplog)
    assert not errors, errors


@pytest.fixture
def server(shared_server: MockServer, caplog: pytest.LogCaptureFixture) -> Iterator[MockServer]:
    """The shared server with a fresh journal; the test fails if the server hit an internal
    error or anything logged an ERROR."""
    shared_server.reset()
    caplog.set_level(logging.WARNING)
    yield shared_server
    assert_clean(shared_server, caplog)
