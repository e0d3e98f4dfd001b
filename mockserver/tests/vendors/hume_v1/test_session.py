"""The realtime sessions driven from lists with a manual clock (no sockets)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver.core.events import CloseConnection, SendText
from mockserver.resources import fixture_path
from mockserver.tests.media.builders import silence, speech_like
from mockserver.vendors.hume_v1 import engine
from mockserver.vendors.hume_v1.session import SessionState, TokenBucket

from .harness import Backend, jpeg_fixture, pcm_fixture, pcm_of, upload

AUDIO_FORMAT = {"type": "audio/pcm", "encoding": "s16le", "sample_rate": 16000, "channels": 1}
SPEECH = pcm_fixture("speech_16k.wav")
FACE = jpeg_fixture("face.jpg")
TWO_FACES = jpeg_fixture("two_faces.png")
PNG = fixture_path("media/face.png").read_bytes()  # not a JPEG


def types(messages: list[dict[str, Any]]) -> list[str]:
    return [m["type"] for m in messages]


def errors(messages: list[dict[str, Any]]) -> list[str]:
    return [m["code"] for m in messages if m["type"] == "error"]


# -- audio ----------------------------------------------------------------------------------


def test_audio_session_created_update_and_updated() -> None:
    backend = Backend()
    audio = backend.audio()
    (created,) = audio.messages()
    assert created == {
        "type": "session.created",
        "session_id": audio.session.session_id,
        "audio": AUDIO_FORMAT,
        "measurement_timer_ms": 3000,
    }
    assert audio.text({"type": "session.update", "measurement_timer_ms": 5000}) == [
        {"type": "session.updated", "audio": AUDIO_FORMAT, "measurement_timer_ms": 5000}
    ]
    # omitted fields return to their defaults
    reply = audio.text({"type": "session.update", "audio": {"sample_rate": 16000}})
    assert reply[0]["measurement_timer_ms"] == 3000
    run = backend.runs.get(audio.session.session_id)
    assert run is not None and run["config"]["measurement_timer_ms"] == 3000


def test_speech_then_close_gives_utterances_a_final_measurement_and_closed() -> None:
    audio = Backend().audio()
    audio.stream(SPEECH)
    replies = audio.text({"type": "session.close"})
    assert types(replies)[-1] == "session.closed"
    messages = audio.messages()
    kinds = types(messages)
    assert kinds[:2] == ["session.created", "utterance.start"]
    assert kinds.index("utterance.end") < kinds.index("session.closed")
    closed = messages[-1]
    assert closed["reason"] == "client_request"
    assert closed["received"] == {"audio_duration_ms": len(SPEECH) // 32, "frames": 32}
    assert closed["produced"] == {
        "utterances": kinds.count("utterance.start"),
        "measurements": kinds.count("measurement.result"),
    }
    assert audio.closes() == [CloseConnection(1000, "client_request")]
    assert audio.session.state is SessionState.CLOSING
    assert audio.text({"type": "session.update"}) == []  # nothing after the end


def test_session_close_during_speech_ends_the_utterance() -> None:
    audio = Backend().audio()
    audio.stream(pcm_of(np.concatenate((silence(0.2), speech_like(2.0)))))
    assert "utterance.end" not in types(audio.messages())
    replies = audio.text({"type": "session.close"})
    assert types(replies) == [
        "measurement.result",
        "utterance.end",
        "session.closed",
    ]
    assert replies[0]["trigger"] == "speech_ended"
    assert replies[1]["audio_end_ms"] == 2200


def test_update_after_the_first_frame_ends_the_session_with_config_invalid() -> None:
    backend = Backend()
    audio = backend.audio()
    audio.binary(b"\0" * 3200)
    replies = audio.text({"type": "session.update"})
    assert types(replies) == ["error", "session.closed"]
    assert replies[0]["code"] == "config_invalid" and replies[0]["retryable"] is False
    assert replies[1]["reason"] == "error"
    assert audio.closes() == [CloseConnection(1008, "error")]
    audio.session.connection_lost(1008, "error")
    run = backend.runs.get(audio.session.session_id)
    assert run is not None
    assert (run["status"], run["close_code"], run["close_reason"]) == ("errored", 1008, "error")


def test_an_invalid_update_ends_the_session_before_any_frame() -> None:
    audio = Backend().audio()
    replies = audio.text({"type": "session.update", "measurement_timer_ms": 100})
    assert errors(replies) == ["config_invalid"] and replies[-1]["type"] == "session.closed"
    assert "session.update is not valid: invalid value: integer `100`" in replies[0]["message"]


def test_invalid_frames_are_rejected_and_the_session_continues() -> None:
    backend = Backend()
    audio = backend.audio()
    for frame in (b"", b"\0" * 3, b"\0" * 320_002):
        replies = audio.binary(frame)
        assert errors(replies) == ["invalid_audio_frame"] and replies[0]["retryable"] is True
    # a rejected frame does not lock the configuration
    assert types(audio.text({"type": "session.update"})) == ["session.updated"]
    audio.binary(b"\0" * 320_000)  # exactly 10 s is accepted
    assert audio.session.state is SessionState.OPEN
    page = backend.runs.events(audio.session.session_id, page_size=50, cursor=None)
    assert page is not None
    assert [e["kind"] for e in page["events"]] == ["invalid_audio_frame"] * 3


def test_a_message_over_one_mebibyte_ends_the_session() -> None:
    for payload in (b"\0" * 1_048_578, "x" * 1_048_577):
        backend = Backend()
        audio = backend.audio()
        replies = audio.binary(payload) if isinstance(payload, bytes) else audio.text(payload)
        assert errors(replies) == ["message_too_large"]
        assert replies[-1]["reason"] == "error"
        page = backend.runs.events(audio.session.session_id, page_size=50, cursor=None)
        assert page is not None
        assert page["events"][0]["detail"] == {"limit_bytes": 1_048_576}
    assert errors(Backend().audio().binary(b"\0" * 1_048_576)) == ["invalid_audio_frame"]


def test_audio_faster_than_real_time_is_rate_limited_and_not_counted() -> None:
    backend = Backend(audio_burst_ms=1000)
    audio = backend.audio()
    # 1.5 s of audio at once: the bucket holds 1 s
    limited = [errors(audio.binary(b"\0" * 3200)) for _ in range(15)]
    assert limited[:10] == [[]] * 10 and limited[10:] == [["rate_limited"]] * 5
    audio.clock.advance(0.1)
    assert errors(audio.binary(b"\0" * 3200)) == []  # 100 ms later, one more 100 ms frame
    assert errors(audio.binary(b"\0" * 3200)) == ["rate_limited"]
    closed = audio.text({"type": "session.close"})[-1]
    assert closed["received"] == {"audio_duration_ms": 1100, "frames": 11}
    # real-time pacing is never limited; the limit can be turned off
    paced = Backend(audio_burst_ms=200).audio()
    paced.stream(SPEECH)
    assert "rate_limited" not in errors(paced.messages())
    free = Backend(audio_send_rate=0).audio()
    free.stream(SPEECH, pace_s=0)
    assert "rate_limited" not in errors(free.messages())


def test_message_invalid_keeps_the_session_unless_configured() -> None:
    audio = Backend().audio()
    replies = audio.text("{not json")
    assert errors(replies) == ["message_invalid"] and replies[0]["retryable"] is True
    assert audio.session.state is SessionState.OPEN
    strict = Backend(message_invalid_ends_session=True).audio()
    assert types(strict.text({"type": "ping"})) == ["error", "session.closed"]


def test_idle_timeout_and_shutdown_end_the_session_with_their_reasons() -> None:
    backend = Backend(idle_timeout_s=5)
    audio = backend.audio()
    assert audio.session.next_deadline() == pytest.approx(audio.clock.now() + 5)
    assert audio.advance(4.9) == []
    audio.binary(b"\0" * 320)  # activity moves the deadline
    assert audio.advance(4.9) == []
    closed = audio.advance(0.2)
    assert closed[-1]["reason"] == "idle_timeout"
    assert audio.closes() == [CloseConnection(1000, "idle_timeout")]
    assert audio.session.next_deadline() is None
    audio.session.connection_lost(1000, "idle_timeout")
    run = backend.runs.get(audio.session.session_id)
    assert run is not None and run["status"] == "ended" and run["close_reason"] == "idle_timeout"
    stopping = backend.video()
    stopping.session.shutdown()
    assert stopping.drain()[-1] == CloseConnection(1001, "server_shutdown")
    assert Backend(idle_timeout_s=0).audio().session.next_deadline() is None


def test_lost_connections_and_client_closes_are_recorded_on_the_run() -> None:
    backend = Backend()
    lost, polite, silent = backend.audio(), backend.audio(), backend.audio()
    lost.binary(b"\0" * 3200)
    lost.session.connection_lost()
    polite.session.connection_lost(1000, "bye")
    silent.session.connection_lost(1005, "")
    view = {h: backend.runs.get(h.session.session_id) or {} for h in (lost, polite, silent)}
    assert (view[lost]["status"], view[lost]["close_code"], view[lost]["close_reason"]) == (
        "errored", 1011, "error",
    )  # fmt: skip
    assert view[lost]["metered_seconds"] == 10.0  # took media: billed at least 10 s
    assert view[lost]["bytes_received"] == 3200
    assert (view[polite]["status"], view[polite]["close_reason"]) == ("ended", "bye")
    assert "close_code" not in view[silent] and view[silent]["metered_seconds"] == 0.0


def test_an_audio_measurement_failure_is_internal_error_and_ends_the_session(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("model crashed")

    monkeypatch.setattr(engine, "score_audio", broken)
    audio = Backend().audio()
    audio.stream(SPEECH)
    audio.text({"type": "session.close"})  # the first measurement is due at the end
    assert errors(audio.messages()) == ["internal_error"]
    assert audio.messages()[-1]["reason"] == "error"
    assert len(audio.failures()) == 1 and "model crashed" in str(audio.failures()[0].error)
    assert "Traceback" not in str(audio.messages())


# -- video ----------------------------------------------------------------------------------


def test_video_frames_get_one_reply_each_in_order() -> None:
    backend = Backend()
    video = backend.video()
    assert video.messages()[0]["face"] == {"threshold": 0.9, "min_size": 60}
    replies = []
    for frame in (FACE, TWO_FACES, PNG, b"", FACE):
        video.clock.advance(0.34)  # within 3 frames per second
        replies.append(video.binary(frame))
    assert [len(r) for r in replies] == [1] * 5
    flat = [r[0] for r in replies]
    assert [m.get("frame_id", m.get("code")) for m in flat] == [
        0, 1, "invalid_image_frame", "invalid_image_frame", 2,
    ]  # fmt: skip
    assert [f["face_id"] for f in flat[1]["faces"]] == [0, 1]
    assert flat[4]["faces"][0]["face_id"] == 0  # the same face keeps its id
    closed = video.text({"type": "session.close"})[-1]
    assert closed["received"] == {"frames": 3}
    assert closed["produced"] == {"measurements": 4}  # faces measured, not messages
    video.session.connection_lost(1000, "client_request")
    run = backend.runs.get(video.session.session_id)
    assert run is not None and run["metered_seconds"] == 10.0  # 5 frames = 5/3 s -> minimum


def test_video_update_threshold_and_lock() -> None:
    video = Backend().video()
    reply = video.text({"type": "session.update", "face": {"min_size": 500}})
    assert reply[0]["face"] == {"threshold": 0.9, "min_size": 500}
    assert video.binary(FACE)[0]["faces"] == []  # a frame without faces is a normal result
    assert errors(video.text({"type": "session.update"})) == ["config_invalid"]


def test_video_send_rate_and_message_size() -> None:
    backend = Backend(video_burst_frames=2)
    video = backend.video()
    codes = [errors(video.binary(FACE)) for _ in range(3)]
    assert codes == [[], [], ["rate_limited"]]
    video.clock.advance(1 / 3)
    assert errors(video.binary(FACE)) == []
    big = Backend().video()
    replies = big.binary(b"\xff\xd8\xff" + b"\0" * 2_000_000)
    assert errors(replies) == ["message_too_large"] and replies[-1]["type"] == "session.closed"


def test_five_measurement_failures_in_a_row_end_a_video_session(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = engine.measure_image
    calls = {"n": 0}

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] in (2, 3, 4, 5, 7, 8, 9, 10, 11):
            raise RuntimeError("detector crashed")
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "measure_image", flaky)
    backend = Backend(video_fps=0)
    video = backend.video()
    replies = [video.binary(FACE) for _ in range(11)]
    codes = [r[0].get("code", "result") for r in replies]
    assert codes == ["result"] + ["internal_error"] * 4 + ["result"] + ["internal_error"] * 5
    assert replies[1][0]["retryable"] is False
    assert replies[-1][-1] == {**replies[-1][-1], "type": "session.closed", "reason": "error"}
    page = backend.runs.events(video.session.session_id, page_size=50, cursor=None)
    assert page is not None
    kinds = [(e["kind"], e["detail"]["consecutive"]) for e in page["events"]]
    assert kinds[-1] == ("inference_failed", 5)


@given(sizes=st.lists(st.integers(1, 40).map(lambda n: n * 320), min_size=1, max_size=30))
def test_sessions_and_uploads_measure_the_same_audio_the_same_way(sizes: list[int]) -> None:
    """Any framing of a session gives the upload's utterances and measurements."""
    backend = Backend(audio_send_rate=0)
    audio = backend.audio()
    pcm = pcm_fixture("speech_pauses_16k.wav")
    pos = 0
    for size in [*sizes, len(pcm)]:
        if pos < len(pcm):
            audio.binary(pcm[pos : pos + size])
        pos += size
    audio.text({"type": "session.close"})
    streamed = [
        {k: v for k, v in m.items() if k != "type"}
        for m in audio.messages()
        if m["type"] == "measurement.result"
    ]
    ended = [
        {k: v for k, v in m.items() if k != "type"}
        for m in audio.messages()
        if m["type"] == "utterance.end"
    ]
    response = backend.rest.handle(
        upload("/v1/expression/audio/file", [("a.pcm", pcm, "application/octet-stream")])
    )
    assert response.status == 200
    assert response.body["measurements"] == streamed
    assert response.body["utterances"] == ended


def test_token_bucket() -> None:
    bucket = TokenBucket(3.0, 2.0)
    assert [bucket.take(1, 0.0) for _ in range(3)] == [True, True, False]
    assert bucket.take(1, 1 / 3) and not bucket.take(1, 1 / 3)
    assert bucket.take(1, 100.0) and bucket.take(1, 100.0) and not bucket.take(1, 100.0)
    assert all(TokenBucket(0, 0).take(10**6, 0.0) for _ in range(3))


def test_events_are_text_frames_only() -> None:
    audio = Backend().audio()
    audio.stream(SPEECH)
    audio.text({"type": "session.close"})
    assert {type(e) for e in audio.events} == {SendText, CloseConnection}
