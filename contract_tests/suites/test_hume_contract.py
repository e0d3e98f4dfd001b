"""Server contract of ``/v0/stream/models`` as Hypothesis properties over a real socket.

* Every valid publish message gets exactly one reply that validates against
  ``schemas/hume/response.schema.json``, echoes ``payload_id`` and uses documented codes.
* Every invalid message gets a documented error code, and the connection then still
  serves the next message.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from contract_tests.checks import check_hume_response
from contract_tests.conftest import HumeTarget
from contract_tests.strategies import (
    InvalidMessage,
    hume_invalid_messages,
    hume_model_requests,
    hume_publish_messages,
)

pytestmark = pytest.mark.e2e


class Client:
    """One WebSocket connection that reconnects after the documented repeated-error close.

    Spec 4.3: "The connection will be closed automatically after ten identical configuration
    errors". A close with 1008 (policy violation) is therefore part of the contract; any
    other close fails the test.
    """

    def __init__(self, target: HumeTarget) -> None:
        self.target = target
        self._stack = contextlib.ExitStack()
        self.ws: ClientConnection | None = None
        self.policy_closes = 0  # reconnections after a 1008 close

    def _connection(self) -> ClientConnection:
        if self.ws is None:
            self.ws = self._stack.enter_context(
                connect(
                    self.target.url,
                    additional_headers={"X-Hume-Api-Key": self.target.api_key},
                    max_size=None,
                )
            )
        return self.ws

    def exchange(self, text: str) -> Any:
        """Send one frame and return the parsed reply."""
        for attempt in (1, 2):
            ws = self._connection()
            try:
                ws.send(text)
                return json.loads(ws.recv(timeout=60))
            except ConnectionClosed as closed:
                self.close()
                if attempt == 2 or closed.rcvd is None or closed.rcvd.code != 1008:
                    raise
                self.policy_closes += 1
        raise AssertionError("unreachable")

    def close(self) -> None:
        self._stack.close()
        self._stack = contextlib.ExitStack()
        self.ws = None


@pytest.fixture
def client(hume_target: HumeTarget) -> Iterator[Client]:
    """One connection shared by all examples of a test (the contract is per message)."""
    c = Client(hume_target)
    yield c
    c.close()


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(message=hume_publish_messages() | hume_model_requests())
def test_every_valid_message_gets_one_conforming_reply(
    client: Client, message: dict[str, Any]
) -> None:
    reply = client.exchange(json.dumps(message))
    check_hume_response(message, reply)


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(invalid=hume_invalid_messages())
def test_every_invalid_message_gets_a_documented_error_and_the_connection_survives(
    client: Client, invalid: InvalidMessage
) -> None:
    reply = client.exchange(invalid.text)
    try:
        request = json.loads(invalid.text)
    except ValueError:
        request = None
    check_hume_response(request, reply)
    assert reply.get("code") in invalid.codes, (invalid, reply)
    probe = client.exchange(json.dumps({"job_details": True, "payload_id": "probe"}))
    assert probe["payload_id"] == "probe"
    assert len(probe["job_details"]["job_id"]) == 32
