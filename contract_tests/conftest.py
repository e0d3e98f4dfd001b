"""Target selection for the contract suites.

By default the suites run against an in-process emulator. Point them at another server
(for example the real vendor) with environment variables:

* ``MOCKSERVER_CONTRACT_HUME_URL`` (e.g. ``wss://api.hume.ai/v0/stream/models``) and
  ``MOCKSERVER_CONTRACT_HUME_API_KEY``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from mockserver.server import MockServer


@dataclass(frozen=True)
class HumeTarget:
    url: str
    api_key: str
    emulated: bool


@pytest.fixture(scope="session")
def hume_target() -> Iterator[HumeTarget]:
    url = os.environ.get("MOCKSERVER_CONTRACT_HUME_URL")
    if url:
        yield HumeTarget(url, os.environ.get("MOCKSERVER_CONTRACT_HUME_API_KEY", ""), False)
        return
    with MockServer(seed=0, hume={"handshake_rate_limit": 0}) as server:
        yield HumeTarget(server.hume.url, server.hume.api_key, True)
        server.check()
