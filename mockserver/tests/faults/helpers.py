"""Helpers of the end-to-end fault tests."""

from __future__ import annotations

import time
from typing import Any

from mockserver.journal import JournalEntry
from mockserver.server import MockServer

__all__ = ["wait_closed", "wait_entry"]


def wait_entry(server: MockServer, timeout_s: float = 5.0, **filters: Any) -> JournalEntry:
    """The first journal entry matching ``filters`` (the server journals a frame just after
    sending it, so the client may see it first)."""
    deadline = time.monotonic() + timeout_s
    while True:
        entries = server.journal.entries(**filters)
        if entries:
            return entries[0]
        if time.monotonic() > deadline:
            raise AssertionError(f"no journal entry {filters}:\n{server.journal.to_ndjson()}")
        time.sleep(0.005)


def wait_closed(server: MockServer, timeout_s: float = 5.0) -> None:
    """Wait until the server has no live connection left (no leaked call or task)."""
    deadline = time.monotonic() + timeout_s
    while server.connections():
        if time.monotonic() > deadline:
            raise AssertionError(f"connections still open: {server.connections()}")
        time.sleep(0.01)
