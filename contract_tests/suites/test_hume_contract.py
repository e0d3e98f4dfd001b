"""Server contract of ``/v0/stream/models`` as Hypothesis properties over a real socket.

* Every valid publish message gets exactly one reply that validates against
  ``schemas/hume/response.schema.json``, echoes ``payload_id`` and uses documented codes.
* Every invalid message gets a documented error code, and the connection then still
  serves the next message.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from websockets.sync.client import ClientConnection, connect

from contract_tests.checks import check_hume_response
from contract_tests.conftest import HumeTarget
from contract_tests.strategies import (
    InvalidMessage,
    hume_invalid_messages,
    hume_publish_messages,
)

pytestmark = pytest.mark.e2e


class Client:
    """One WebSocket connection that reconnects when the server closes it."""

    def __init__(self, target: HumeTarget) -> None:
        self.target = target
        self.ws: ClientConnection | None = None

    def exchange(self, text: str) -> Any:
        if self.ws is None:
            self.ws = connect(
                self.target.url,
                additional_headers={"X-Hume-Api-Key": self.target.api_key},
                max_size=None,
            )
        self.ws.send(text)
        return json.loads(self.ws.recv(timeout=60))

    def close(self) -> None:
        if self.ws is not None:
            self.ws.close()


@pytest.fixture
def client(hume_target: HumeTarget) -> Iterator[Client]:
    c = Client(hume_target)
    yield c
    c.close()


@settings(max_examples=80)
@given(message=hume_publish_messages())
def test_every_valid_message_gets_one_conforming_reply(client: Client, message: dict[str, Any]) -> None:
    reply = client.exchange(json.dumps(message))
    check_hume_response(message, reply)


@settings(max_examples=80)
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
