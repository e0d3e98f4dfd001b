"""Fuzzing the Hume Expression Measurement API v1 realtime messages, without sockets and
over real ones.

Any text or binary frame gets a documented answer (``hume-expression-measurement`` 0.1.0
``types/error_code.py``; https://dev.hume.ai/expression-measurement/docs/errors): nothing, a
result, or an ``error`` whose code is a client error. Never ``internal_error``, never a close
1011, never an internal failure.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from mockserver.server import MockServer
from mockserver.tests.vendors.hume_v1.harness import Backend
from mockserver.vendors.hume_v1.errors import REALTIME_ERRORS
from mockserver.vendors.hume_v1.handshake import AUDIO_PATH, VIDEO_PATH

from .strategies import deep_json, hume_v1_text_frames, media_bytes

pytestmark = pytest.mark.fuzz

CLIENT_ERRORS = frozenset(REALTIME_ERRORS) - {"internal_error"}
#: Close codes a session may end with (errors.CLOSE_CODES): final, or a session-ending error.
CLIENT_CLOSES = frozenset({1000, 1008})
WIRE = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

frames = st.one_of(hume_v1_text_frames, media_bytes(), st.binary(max_size=64))


def check_messages(messages: list[dict[str, Any]]) -> None:
    """Every server message is typed, and every error a documented client error."""
    __tracebackhide__ = True
    for message in messages:
        assert isinstance(message.get("type"), str), message
        if message["type"] == "error":
            assert message.get("code") in CLIENT_ERRORS, message


def test_check_messages_refuses_internal_errors() -> None:
    for bad in ({"type": "error", "code": "internal_error"}, {"code": "x"}):
        with pytest.raises(AssertionError):
            check_messages([bad])


# -- without sockets --------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ["audio", "video"])
@given(sequence=st.lists(frames, min_size=1, max_size=5))
def test_any_frame_sequence_gets_documented_answers(
    endpoint: str, sequence: list[str | bytes]
) -> None:
    backend = Backend()
    h = backend.audio() if endpoint == "audio" else backend.video()
    for frame in sequence:
        check_messages(h.text(frame) if isinstance(frame, str) else h.binary(frame))
    check_messages(h.text({"type": "session.close"}))
    assert not h.failures(), h.failures()
    assert all(close.code in CLIENT_CLOSES for close in h.closes()), h.closes()


# -- over real sockets ------------------------------------------------------------------------


def exchange(server: MockServer, path: str, sequence: list[str | bytes]) -> tuple[list[Any], int]:
    """Send the frames, then ``session.close``; every message until the close, and its code."""
    endpoint = server.hume_v1
    headers = {"X-Hume-Api-Key": endpoint.api_key}
    messages: list[Any] = []
    with connect(endpoint.ws_url + path, additional_headers=headers, max_size=None) as ws:
        for frame in [*sequence, json.dumps({"type": "session.close"})]:
            try:
                ws.send(frame)
            except ConnectionClosed:
                break
        try:
            while True:
                messages.append(json.loads(ws.recv(timeout=30)))
        except ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd is not None else 1006
    return messages, code


@WIRE
@given(
    path=st.sampled_from([AUDIO_PATH, VIDEO_PATH]),
    sequence=st.lists(frames, min_size=1, max_size=4),
)
def test_no_frame_ends_a_session_with_1011_or_fails_the_server(
    server: MockServer, path: str, sequence: list[str | bytes]
) -> None:
    messages, code = exchange(server, path, sequence)
    check_messages(messages)
    assert messages[0]["type"] == "session.created"
    assert code in CLIENT_CLOSES, (code, messages)
    server.check()


@pytest.mark.parametrize("frame", ["[" * 100_000, "[" * 990, "[" * 500 + "]" * 500])
def test_regression_deeply_nested_json_is_message_invalid_not_1011(
    server: MockServer, frame: str
) -> None:
    """Issue 14, checked for v1 too: deep nesting is ``message_invalid`` (or, as a valid
    array, the wrong shape), and the session goes on."""
    messages, code = exchange(server, AUDIO_PATH, [frame])
    check_messages(messages)
    assert [m["code"] for m in messages if m["type"] == "error"] == ["message_invalid"]
    assert messages[-1] == {**messages[-1], "type": "session.closed", "reason": "client_request"}
    assert code == 1000


@given(frame=deep_json())
def test_deep_json_without_sockets_is_message_invalid(frame: str) -> None:
    h = Backend().audio()
    errors = [m for m in h.text(frame) if m["type"] == "error"]
    limit = h.backend.settings.max_audio_message_bytes  # larger messages end the session
    expected = "message_too_large" if len(frame.encode()) > limit else "message_invalid"
    assert [e["code"] for e in errors] == [expected]
    assert not h.failures()
