"""Fuzzing the Hume v0 publish codec and session, without sockets and over real ones.

Every frame a client can send gets exactly one reply: a prediction, or an error with a
documented code (https://dev.hume.ai/docs/resources/errors). Never ``I0100``, never a close
1011, never an internal failure recorded for ``MockServer.check()``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.sync.client import connect

from mockserver.core.events import SendText
from mockserver.server import MockServer
from mockserver.tests.vendors.hume.harness import SessionHarness
from mockserver.vendors.hume.errors import ERRORS

from .strategies import hume_publish, hume_text_frames

pytestmark = pytest.mark.fuzz

#: What a client may be answered: every documented error except the internal one.
CLIENT_ERRORS = frozenset(ERRORS) - {"I0100"}
WIRE = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def check_reply(text: str) -> dict[str, Any]:
    """One reply frame: a JSON object, and if an error, a documented client error."""
    reply = json.loads(text)
    assert isinstance(reply, dict), reply
    if "error" in reply:
        assert reply.get("code") in CLIENT_ERRORS, reply
    return reply


def test_check_reply_refuses_the_internal_error() -> None:
    """The check can fail: I0100 and unknown codes are not client errors."""
    bodies: list[Any] = [{"error": "x", "code": "I0100"}, {"error": "x", "code": "E9999"}, []]
    for body in bodies:
        with pytest.raises(AssertionError):
            check_reply(json.dumps(body))


# -- without sockets --------------------------------------------------------------------------


@given(hume_text_frames)
def test_any_text_frame_gets_one_documented_reply(frame: str) -> None:
    h = SessionHarness(repeated_error_limit=0)
    events = h.send_raw(frame)
    assert not h.failures(), h.failures()
    replies = [e for e in events if isinstance(e, SendText)]
    assert len(replies) == 1 and len(events) == 1, events
    check_reply(replies[0].text)


@given(st.lists(hume_publish().map(json.dumps) | st.binary(max_size=64), max_size=6))
def test_any_sequence_gets_one_reply_per_frame_and_the_session_keeps_serving(
    frames: list[str | bytes],
) -> None:
    h = SessionHarness(repeated_error_limit=0)
    for frame in frames:
        h.session.receive(frame)
        events = h.session.events_to_send()
        assert len(events) == 1 and isinstance(events[0], SendText), events
        check_reply(events[0].text)
    assert h.send({"job_details": True})["job_details"]["job_id"]
    assert not h.failures()


# -- over real sockets ------------------------------------------------------------------------


@WIRE
@given(frame=hume_text_frames)
def test_no_text_frame_closes_the_connection_or_fails_the_server(
    server: MockServer, frame: str
) -> None:
    headers = {"X-Hume-Api-Key": server.hume.api_key}
    with connect(server.hume.url, additional_headers=headers, max_size=None) as ws:
        ws.send(frame)
        check_reply(str(ws.recv(timeout=30)))
        ws.send('{"job_details": true}')  # still serving
        assert "job_details" in check_reply(str(ws.recv(timeout=30)))
    server.check()


@WIRE
@given(frame=st.binary(max_size=2048))
def test_binary_frames_are_e0100_on_the_wire(server: MockServer, frame: bytes) -> None:
    headers = {"X-Hume-Api-Key": server.hume.api_key}
    with connect(server.hume.url, additional_headers=headers) as ws:
        ws.send(frame)
        assert check_reply(str(ws.recv(timeout=30)))["code"] == "E0100"
    server.check()


# -- regressions: crashes found, kept as named tests ------------------------------------------


@pytest.mark.parametrize("depth", [100_000, 990])
def test_regression_deeply_nested_array_is_e0100_not_close_1011(
    server: MockServer, depth: int
) -> None:
    """Issue 14: ``[`` x 100,000 closed the connection with 1011 and logged an internal
    error (the journal's parse of the frame hit the recursion limit)."""
    headers = {"X-Hume-Api-Key": server.hume.api_key}
    with connect(server.hume.url, additional_headers=headers) as ws:
        ws.send("[" * depth)
        assert check_reply(str(ws.recv(timeout=30)))["code"] == "E0100"
        ws.send('{"job_details": true}')
        assert "job_details" in check_reply(str(ws.recv(timeout=30)))
    (frame, _) = server.journal.entries(vendor="hume", kind="text", direction="in")
    assert frame.data == "[" * depth or str(frame.data).startswith(f"<{depth} chars")


def test_regression_valid_but_deep_json_is_answered_and_journaled(server: MockServer) -> None:
    """Found by the fuzzer: a valid array 500 levels deep parsed, and then the journal's
    redaction recursed past the limit (1011 and an internal error)."""
    headers = {"X-Hume-Api-Key": server.hume.api_key}
    with connect(server.hume.url, additional_headers=headers) as ws:
        ws.send("[" * 500 + "]" * 500)
        assert check_reply(str(ws.recv(timeout=30)))["code"] in ("E0100", "E0101")
    (frame,) = server.journal.entries(vendor="hume", kind="text", direction="in")
    depth, value = 0, frame.data
    while isinstance(value, list) and value:
        depth, value = depth + 1, value[0]
    assert depth == 64 and value == "<nested deeper than 64 levels>"
