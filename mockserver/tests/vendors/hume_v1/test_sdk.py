"""The official ``hume-expression-measurement`` 0.1.0 SDK against the emulator, unchanged,
through ``ExpressionMeasurementClientEnvironment(base=..., production=...)`` (the
``mock_hume_v1`` fixture of the pytest plugin builds the clients)."""

from __future__ import annotations

import asyncio
import contextlib
import io
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from hume_expression_measurement import (
    AudioFileConfig,
    AudioMeasurementResult,
    AudioSessionClosed,
    AudioSessionCreated,
    AudioSessionUpdate,
    AudioSessionUpdated,
    BadRequestError,
    ContentTooLargeError,
    Error,
    FaceConfigUpdate,
    ForbiddenError,
    InternalServerError,
    MethodNotAllowedError,
    NotFoundError,
    ServiceUnavailableError,
    SessionClose,
    UnauthorizedError,
    UnsupportedMediaTypeError,
    UtteranceEnd,
    UtteranceStart,
    VideoFileConfig,
    VideoFileConfigFace,
    VideoMeasurementResult,
    VideoSessionClosed,
    VideoSessionCreated,
    VideoSessionUpdate,
    VideoSessionUpdated,
)
from hume_expression_measurement.core.api_error import ApiError
from hume_expression_measurement.reconnect import _policy, reconnecting
from hume_expression_measurement.video_helpers import VideoFrame, stream_video
from websockets.exceptions import ConnectionClosed, ConnectionClosedError

from mockserver.resources import fixture_path
from mockserver.server import MockServer
from mockserver.vendors.hume_v1 import engine
from mockserver.vendors.hume_v1.handle import HumeV1Handle

from .harness import jpeg_fixture, pcm_fixture

pytestmark = [pytest.mark.e2e, pytest.mark.sdk]

SPEECH = pcm_fixture("speech_pauses_16k.wav")
WAV = fixture_path("media/speech_pauses_16k.wav").read_bytes()
FACE = jpeg_fixture("face.jpg")
TWO_FACES = jpeg_fixture("two_faces.png")
PNG = fixture_path("media/face.png").read_bytes()
CLOSE = SessionClose(type="session.close")


def frames(pcm: bytes, size: int = 3200) -> Iterator[bytes]:
    for start in range(0, len(pcm), size):
        yield pcm[start : start + size]


@pytest.fixture
def fast_reconnect(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK waits 1 to 5 s before reconnecting; the tests wait 50 to 100 ms."""
    monkeypatch.setattr(_policy, "_FIRST_DELAY_RANGE", (0.05, 0.1))


def wait_for_run_end(mock_hume_v1: HumeV1Handle, run_id: str) -> Any:
    """A run can take a moment to end after the connection closes (bounded wait)."""
    client = mock_hume_v1.client()
    for _ in range(200):
        run = client.runs.get(run_id)
        if run.status != "live":
            return run
        time.sleep(0.02)
    raise AssertionError(f"run {run_id} still live")


# -- audio ----------------------------------------------------------------------------------


def test_sync_audio_socket_streams_utterances_and_matches_the_upload(
    mock_hume_v1: HumeV1Handle,
) -> None:
    client = mock_hume_v1.client()
    with client.audio.connect() as socket:
        created = socket.recv()
        assert isinstance(created, AudioSessionCreated)
        assert created.measurement_timer_ms == 3000 and created.audio.sample_rate == 16000
        socket.send_audio_session_update(
            AudioSessionUpdate(type="session.update", measurement_timer_ms=4000)
        )
        updated = socket.recv()
        assert isinstance(updated, AudioSessionUpdated) and updated.measurement_timer_ms == 4000
        for frame in frames(SPEECH):
            socket.send_audio_frame(frame)
        socket.send_audio_session_close(CLOSE)
        messages = list(socket)
    kinds = [type(m) for m in messages]
    assert kinds[0] is UtteranceStart and kinds[-1] is AudioSessionClosed
    assert kinds.count(UtteranceStart) == kinds.count(UtteranceEnd) == 2
    closed = messages[-1]
    assert isinstance(closed, AudioSessionClosed) and closed.reason == "client_request"
    assert closed.session_id == created.session_id
    assert closed.received.audio_duration_ms == len(SPEECH) // 32
    streamed = [m for m in messages if isinstance(m, AudioMeasurementResult)]
    assert closed.produced.measurements == len(streamed) > 0
    upload = client.audio.measure(
        file=("speech.wav", WAV, "audio/wav"), config=AudioFileConfig(measurement_timer_ms=4000)
    )
    assert [m.dict() for m in upload.measurements] == [
        {k: v for k, v in m.dict().items() if k != "type"} for m in streamed
    ]
    assert upload.received.audio_duration_ms == len(SPEECH) // 32
    run = wait_for_run_end(mock_hume_v1, created.session_id)
    assert (run.mode, run.close_code, run.close_reason) == ("realtime", 1000, "client_request")


async def test_async_audio_socket(mock_hume_v1: HumeV1Handle) -> None:
    client = mock_hume_v1.async_client()
    async with client.audio.connect() as socket:
        assert isinstance(await socket.recv(), AudioSessionCreated)
        for frame in frames(SPEECH, 6400):
            await socket.send_audio_frame(frame)
        await socket.send_audio_session_close(CLOSE)
        messages = [m async for m in socket]
    assert isinstance(messages[-1], AudioSessionClosed)
    assert any(isinstance(m, AudioMeasurementResult) and m.expressions for m in messages)
    upload = await client.audio.measure(
        file=("speech.pcm", io.BytesIO(SPEECH), "application/octet-stream")
    )
    assert len(upload.measurements) == messages[-1].produced.measurements
    await asyncio.sleep(0)


def test_sync_reconnecting_after_a_server_close_resends_the_last_update(
    mock_hume_v1: HumeV1Handle, mockserver: MockServer, fast_reconnect: None
) -> None:
    restart = {"vendor": "hume_v1", "type": "close", "code": 1012, "reason": "restart"}
    mockserver.add_faults({**restart, "when": {"connection": 1, "after_results": 2}})
    with reconnecting(mock_hume_v1.client().audio) as socket:
        socket.send_audio_session_update(
            AudioSessionUpdate(type="session.update", measurement_timer_ms=6000)
        )
        seen: list[Any] = []
        for message in socket:
            seen.append(message)
            if len([m for m in seen if isinstance(m, AudioSessionUpdated)]) == 2:
                break
        socket.send_audio_session_close(CLOSE)
        seen.extend(socket)
    created = [m for m in seen if isinstance(m, AudioSessionCreated)]
    updated = [m for m in seen if isinstance(m, AudioSessionUpdated)]
    assert len(created) == 2 and created[0].session_id != created[1].session_id
    assert [u.measurement_timer_ms for u in updated] == [6000, 6000]  # re-sent on reconnect
    assert isinstance(seen[-1], AudioSessionClosed) and seen[-1].reason == "client_request"


async def test_async_reconnecting_after_an_audio_internal_error(
    mock_hume_v1: HumeV1Handle, monkeypatch: pytest.MonkeyPatch, fast_reconnect: None
) -> None:
    calls = {"n": 0}
    real = engine.score_audio

    def fails_once(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("model crashed")
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "score_audio", fails_once)
    async with reconnecting(mock_hume_v1.async_client().audio) as socket:
        seen: list[Any] = []
        async for message in socket:
            seen.append(message)
            if isinstance(message, AudioSessionCreated):
                sessions = sum(isinstance(m, AudioSessionCreated) for m in seen)
                with contextlib.suppress(ConnectionClosed):  # the first session ends mid-way
                    for frame in frames(SPEECH, 32000):
                        await socket.send_audio_frame(frame)
                    if sessions == 2:
                        await socket.send_audio_session_close(CLOSE)
            if isinstance(message, AudioSessionClosed) and message.reason == "client_request":
                break
    errors = [m for m in seen if isinstance(m, Error)]
    assert [(e.code, e.retryable) for e in errors] == [("internal_error", False)]
    closes = [m.reason for m in seen if isinstance(m, AudioSessionClosed)]
    assert closes == ["error", "client_request"]
    assert len([m for m in seen if isinstance(m, AudioSessionCreated)]) == 2
    mock_hume_v1.server.runtime.take_failures()  # the injected crash was reported, as it should


# -- video ----------------------------------------------------------------------------------


def test_sync_video_socket_replies_once_per_frame(mock_hume_v1: HumeV1Handle) -> None:
    with mock_hume_v1.client().video.connect() as socket:
        created = socket.recv()
        assert isinstance(created, VideoSessionCreated) and created.face.threshold == 0.9
        socket.send_video_session_update(
            VideoSessionUpdate(type="session.update", face=FaceConfigUpdate(min_size=40))
        )
        updated = socket.recv()
        assert isinstance(updated, VideoSessionUpdated) and updated.face.min_size == 40
        replies = []
        for image in (FACE, TWO_FACES, PNG):
            socket.send_image_frame(image)
            replies.append(socket.recv())
        socket.send_video_session_close(CLOSE)
        rest = list(socket)
    first, second, third = replies
    assert isinstance(first, VideoMeasurementResult) and first.frame_id == 0
    assert first.faces[0].face_id == 0 and first.faces[0].expressions
    assert isinstance(second, VideoMeasurementResult) and len(second.faces) == 2
    assert isinstance(third, Error) and third.code == "invalid_image_frame" and third.retryable
    (closed,) = rest
    assert isinstance(closed, VideoSessionClosed)
    assert (closed.received.frames, closed.produced.measurements) == (2, 3)


async def test_stream_video_paces_and_pairs_replies(mock_hume_v1: HumeV1Handle) -> None:
    images = [FACE, TWO_FACES, PNG, FACE]

    async def source() -> AsyncIterator[VideoFrame]:
        for index, data in enumerate(images):
            yield VideoFrame(data=data, timestamp_ms=index * 333.0)

    async with mock_hume_v1.async_client().video.connect() as socket:
        stream = stream_video(socket, source())
        replies = [reply async for reply in stream]
    assert [r.timestamp_ms for r in replies] == [0.0, 333.0, 666.0, 999.0]
    outcomes = [r.error.code if r.error else len(r.result.faces) if r.result else 0
                for r in replies]  # fmt: skip
    assert outcomes == [1, 2, "invalid_image_frame", 1]
    assert stream.closed is not None and stream.closed.reason == "client_request"
    assert stream.closed.received.frames == 3


# -- uploads and runs -----------------------------------------------------------------------


def test_video_measure_with_face_state(mock_hume_v1: HumeV1Handle) -> None:
    client = mock_hume_v1.client()
    response = client.video.measure(
        file=[("a.jpg", TWO_FACES, "image/jpeg"), ("b.jpg", FACE, "image/jpeg")],
        config=VideoFileConfig(face=VideoFileConfigFace(return_face_state=True)),
    )
    assert [m.frame_id for m in response.measurements] == [0, 1]
    assert [f.face_id for f in response.measurements[1].faces] == [0]
    assert response.face_state
    again = client.video.measure(
        file=[("c.jpg", TWO_FACES, "image/jpeg")],
        config=VideoFileConfig(face_state=response.face_state),
    )
    assert [f.face_id for f in again.measurements[0].faces] == [0, 1]


async def test_async_video_measure(mock_hume_v1: HumeV1Handle) -> None:
    response = await mock_hume_v1.async_client().video.measure(file=[("a.jpg", FACE, "image/jpeg")])
    assert response.received.frames == 1 and response.measurements[0].faces


def test_runs_list_get_and_events(mock_hume_v1: HumeV1Handle) -> None:
    client = mock_hume_v1.client()
    with client.audio.connect() as socket:
        created = socket.recv()
        assert isinstance(created, AudioSessionCreated)
        for bad in (b"\0" * 3, b""):
            socket.send_audio_frame(bad)
            assert isinstance(socket.recv(), Error)
        socket.send_audio_session_close(CLOSE)
        list(socket)
    client.video.measure(file=[("a.jpg", FACE, "image/jpeg")])
    page = client.runs.list(page_size=1)
    assert page.runs[0].endpoint == "video" and page.next_cursor
    rest = client.runs.list(page_size=10, cursor=page.next_cursor)
    assert [r.run_id for r in rest.runs] == [created.session_id] and rest.next_cursor is None
    audio_only = client.runs.list(endpoint="audio", mode="realtime")
    assert [r.run_id for r in audio_only.runs] == [created.session_id]
    run = wait_for_run_end(mock_hume_v1, created.session_id)
    assert run.config.measurement_timer_ms == 3000 and run.config.schema_ == "v4"
    events = client.runs.list_events(created.session_id, page_size=1)
    assert [e.kind for e in events.events] == ["invalid_audio_frame"] and events.next_cursor
    more = client.runs.list_events(created.session_id, cursor=events.next_cursor)
    assert [e.seq for e in more.events] == [2] and not more.at_cap and not more.gaps


# -- errors as the SDK surfaces them --------------------------------------------------------


def test_a_bad_key_is_refused_with_401(mock_hume_v1: HumeV1Handle) -> None:
    bad = mock_hume_v1.client(api_key="wrong-key")
    with pytest.raises(ApiError) as info, bad.audio.connect():
        pass
    assert info.value.status_code == 401
    assert info.value.body == "Websocket initialized with invalid credentials."
    with pytest.raises(UnauthorizedError) as http:
        bad.runs.list()
    assert http.value.body.message and http.value.body.request_id


async def test_a_bad_key_is_refused_with_401_async(mock_hume_v1: HumeV1Handle) -> None:
    with pytest.raises(ApiError) as info:
        async with mock_hume_v1.async_client(api_key="wrong-key").video.connect():
            pass
    assert info.value.status_code == 401


def test_every_realtime_error_code_reaches_the_sdk_as_an_error_model(
    mock_hume_v1: HumeV1Handle, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = mock_hume_v1.client()
    seen: dict[str, Error] = {}

    def collect(socket: Any) -> int | None:
        """Read to the end; the close code if the iteration raised (a session-ending error
        closes with 1008, which websockets reports as ConnectionClosedError)."""
        try:
            for message in socket:
                if isinstance(message, Error):
                    seen[message.code] = message
        except ConnectionClosedError as closed:
            return closed.rcvd.code if closed.rcvd else None
        return None

    with client.audio.connect() as socket:
        socket.recv()
        socket.send_audio_frame(b"\0" * 3)  # invalid_audio_frame
        socket._send({"type": "ping"})  # message_invalid: the SDK never sends one itself
        for _ in range(12):
            socket.send_audio_frame(b"\0" * 320_000)  # 10 s each: rate_limited after the burst
        socket.send_audio_session_update(AudioSessionUpdate(type="session.update"))
        assert collect(socket) == 1008  # config_invalid ends the session
    with client.audio.connect() as socket:
        socket.recv()
        socket.send_audio_frame(b"\0" * 1_048_578)  # message_too_large
        assert collect(socket) == 1008
    monkeypatch.setattr(engine, "measure_image", _crash)
    with client.video.connect() as video:
        video.recv()
        video.send_image_frame(PNG)  # invalid_image_frame
        video.send_image_frame(FACE)  # internal_error
        video.send_video_session_close(CLOSE)
        assert collect(video) is None  # the session survives one failure and closes normally
    mock_hume_v1.server.runtime.take_failures()
    assert set(seen) == {
        "invalid_audio_frame", "message_invalid", "rate_limited", "config_invalid",
        "message_too_large", "invalid_image_frame", "internal_error",
    }  # fmt: skip
    assert {code for code, e in seen.items() if e.retryable} == {
        "invalid_audio_frame", "message_invalid", "rate_limited", "invalid_image_frame",
    }  # fmt: skip


def _crash(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("detector crashed")


def test_every_http_error_type_the_sdk_decodes(
    mock_hume_v1: HumeV1Handle, mockserver: MockServer
) -> None:
    client = mock_hume_v1.client(max_retries=0)
    cases: list[tuple[Any, type[Exception], str]] = [
        (lambda: client.audio.measure(file=("a.mp3", fixture_path("media/speech.mp3").read_bytes(),
                                             "audio/mpeg")),
         UnsupportedMediaTypeError, "unsupported_media_type"),
        (lambda: client.audio.measure(file=("a.pcm", b"\0" * 5, "application/octet-stream")),
         BadRequestError, "audio_decode_failed"),
        (lambda: client.video.measure(file=[("a.jpg", b"\xff\xd8\xff" + b"\0" * 2_000_001,
                                             "image/jpeg")]),
         ContentTooLargeError, "image_too_large"),
        (lambda: client.runs.get("00000000-0000-7000-8000-000000000000"),
         NotFoundError, "not_found"),
        (lambda: client.runs.list(page_size=500), BadRequestError, "invalid_request"),
    ]  # fmt: skip
    for call, kind, code in cases:
        with pytest.raises(kind) as info:
            call()
        assert isinstance(info.value, ApiError)
        assert info.value.body.code == code and len(info.value.body.request_id) == 32
    # statuses the emulator never chooses by itself come from http_error faults (the SDK
    # decodes 403 on uploads only)
    upload = lambda: client.video.measure(file=[("a.jpg", FACE, "image/jpeg")])  # noqa: E731
    for status, kind, call in ((403, ForbiddenError, upload),
                               (405, MethodNotAllowedError, client.runs.list),
                               (500, InternalServerError, upload),
                               (503, ServiceUnavailableError, client.runs.list)):  # fmt: skip
        mockserver.clear_faults()
        mockserver.add_faults({"vendor": "hume_v1", "type": "http_error", "status": status})
        with pytest.raises(kind) as info:
            call()
        assert info.value.status_code == status and info.value.body.type == "error"


def test_an_idle_session_ends_with_idle_timeout() -> None:
    with MockServer(hume_v1={"idle_timeout_s": 0.3}) as server:
        handle = HumeV1Handle(server)
        with handle.client().audio.connect() as socket:
            socket.recv()
            (closed,) = list(socket)
        assert isinstance(closed, AudioSessionClosed) and closed.reason == "idle_timeout"
        server.check()
