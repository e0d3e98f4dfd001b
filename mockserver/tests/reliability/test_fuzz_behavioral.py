"""Fuzzing the Behavioral Signals ``AudioStream`` decoder and stream session, without
sockets and over real gRPC calls (raw request bytes, valid protobuf or not).

Every request sequence ends with a status the emulator documents (OK, INVALID_ARGUMENT,
UNAUTHENTICATED, PERMISSION_DENIED, RESOURCE_EXHAUSTED; ``protos/api.proto`` and
docs/behavioral-signals.md), never INTERNAL or UNKNOWN, and never an internal failure.
"""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver._generated.behavioral_signals import api_pb2
from mockserver.core.events import EndCall, InternalFailure
from mockserver.server import MockServer
from mockserver.tests.vendors.behavioral.harness import CID, TOKEN, StreamHarness
from mockserver.vendors.behavioral.codec import (
    MalformedAudioStream,
    decode_audio_stream,
    parse_audio_stream,
)

from .clients import raw_grpc_call
from .strategies import media_bytes, odd_text

pytestmark = pytest.mark.fuzz

#: Statuses a client may get (errors.GRPC_ERRORS, minus "internal").
CLIENT_STATUSES = frozenset(
    {"OK", "INVALID_ARGUMENT", "UNAUTHENTICATED", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED"}
)
WIRE = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

int32 = st.integers(min_value=-(2**31), max_value=2**31 - 1)


@st.composite
def audio_streams(draw: st.DrawFn, *, cid: int = CID, token: str = TOKEN) -> bytes:
    """A serialized ``AudioStream``: real credentials or not, any config values, any audio."""
    message = api_pb2.AudioStream(
        cid=draw(st.sampled_from([cid, 0, -1, 2000]) | int32),
        x_auth_token=draw(st.sampled_from([token, "", "other"]) | odd_text),
        audio_content=draw(media_bytes() | st.binary(max_size=33)),
    )
    if draw(st.booleans()):
        config = message.config
        config.SetInParent()
        config.encoding = draw(st.sampled_from([0, 1]) | int32)  # type: ignore[assignment]
        config.sample_rate_hertz = draw(st.sampled_from([16000, 8000, 0, 384_001]) | int32)
        if draw(st.booleans()):
            config.level = draw(st.sampled_from([0, 1]) | int32)  # type: ignore[assignment]
        if draw(st.booleans()):
            config.logits = draw(st.booleans())
        if draw(st.booleans()):
            config.feature_embedding = draw(st.booleans())
    raw: bytes = message.SerializeToString()
    return raw


#: Request bytes: a valid message with hostile values, random bytes, or a valid message cut
#: or with bytes flipped.
request_bytes = st.one_of(
    audio_streams(),
    st.binary(max_size=64),
    st.tuples(audio_streams(), st.integers(0, 64), st.binary(min_size=1, max_size=4)).map(
        lambda t: t[0][: t[1]] + t[2]
    ),
)


def session_status(messages: list[bytes], end: bool = True) -> tuple[str, list[Any]]:
    """Feed decoded messages to a session (then a half-close); the final status and any
    internal failures."""
    h = StreamHarness(max_streams_per_project=0)
    for raw in messages:
        h.session.receive(decode_audio_stream(parse_audio_stream(raw)))
        h.events += h.session.events_to_send()
    if end:
        h.end()
    failures = [e for e in h.events if isinstance(e, InternalFailure)]
    ends = [e for e in h.events if isinstance(e, EndCall)]
    return (ends[0].status if ends else "OK"), failures


def test_the_status_check_can_fail() -> None:
    """A config with an unsupported encoding ends INVALID_ARGUMENT: a status the check
    distinguishes from OK (and INTERNAL is not in the client set)."""
    bad = api_pb2.AudioStream(cid=CID, x_auth_token=TOKEN)
    bad.config.encoding = 5  # type: ignore[assignment]
    assert session_status([bad.SerializeToString()])[0] == "INVALID_ARGUMENT"
    assert "INTERNAL" not in CLIENT_STATUSES


# -- without sockets --------------------------------------------------------------------------


@given(st.binary(max_size=200))
def test_the_deserializer_never_raises(raw: bytes) -> None:
    parsed = parse_audio_stream(raw)
    decoded = decode_audio_stream(parsed)
    assert isinstance(decoded, MalformedAudioStream) == isinstance(parsed, MalformedAudioStream)


@given(st.lists(request_bytes, min_size=1, max_size=5), st.booleans())
def test_any_request_sequence_ends_with_a_client_status(messages: list[bytes], end: bool) -> None:
    status, failures = session_status(messages, end)
    assert not failures, failures
    assert status in CLIENT_STATUSES


# -- over real gRPC calls ---------------------------------------------------------------------


@WIRE
@given(
    method=st.sampled_from(["StreamAudio", "DeepfakeDetection"]),
    messages=st.lists(request_bytes, max_size=4),
)
def test_raw_request_bytes_over_grpc_never_end_internal(
    server: MockServer, method: str, messages: list[bytes]
) -> None:
    status, details, _ = raw_grpc_call(server, messages, method)
    assert status.name in CLIENT_STATUSES, (status, details)
    server.check()


def test_regression_undecodable_protobuf_is_invalid_argument_not_a_silent_ok(
    server: MockServer,
) -> None:
    """Found by hand for issue 14: bytes that are not an AudioStream broke the request
    stream; the call ended OK with no result, journaled as a client cancel."""
    status, details, received = raw_grpc_call(server, [b"\xff\xff\xff\xff"])
    assert (status, received) == (grpc.StatusCode.INVALID_ARGUMENT, 0)
    assert details.startswith("The request message is not a valid AudioStream")
    journal = server.journal
    (message,) = journal.entries(vendor="behavioral", kind="message", direction="in")
    assert message.data["bytes"] == 4 and "malformed" in message.data
    assert journal.count(kind="cancel") == 0
    assert journal.count(kind="status", status="INVALID_ARGUMENT") == 1


def test_the_malformed_status_is_a_setting() -> None:
    with MockServer(behavioral={"malformed_message_status": "internal"}) as server:
        status, _, _ = raw_grpc_call(server, [b"\x0a\xff"])
        assert status == grpc.StatusCode.INTERNAL
        server.check()  # a chosen status, not an internal failure
