"""Every documented error and warning code over a real socket, and every limit at and just
over its bound (the errors page, the streaming reference's limits)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from mockserver.errors import ServerFailure
from mockserver.server import MockServer
from mockserver.tests.conftest import HumeSocket, hume_socket
from mockserver.vendors.hume import engine

from .media_builders import b64, fixture_b64, mesh, png, speech_wav, video_mp4

pytestmark = pytest.mark.e2e


def error(socket: HumeSocket, message: dict[str, Any]) -> dict[str, Any]:
    reply = socket.exchange({**message, "payload_id": "pid", "job_details": True})
    assert set(reply) == {"error", "code", "payload_id", "job_details"}, reply
    assert reply["payload_id"] == "pid"
    assert len(reply["job_details"]["job_id"]) == 32
    answer: dict[str, Any] = reply
    return answer


def test_e0100_not_json(hume_ws: HumeSocket) -> None:
    reply = hume_ws.exchange("{not json")
    assert reply["code"] == "E0100"
    assert "payload_id" not in reply


def test_e0101_unknown_key_names_the_field(hume_ws: HumeSocket) -> None:
    reply = error(hume_ws, {"type": "session_settings"})
    assert reply["code"] == "E0101"
    assert reply["error"] == "Invalid request payload: type: Extra inputs are not permitted"


@pytest.mark.parametrize(
    ("model", "data", "file_type"),
    [
        ("prosody", fixture_b64("face.png"), "image"),
        ("burst", fixture_b64("face.jpg"), "image"),
        ("prosody", fixture_b64("face_silent.mp4"), "video_no_audio"),
        ("face", fixture_b64("speech_16k.wav"), "audio"),
        ("facemesh", fixture_b64("face.png"), "image"),
        ("language", fixture_b64("speech.mp3"), "audio"),
        ("language", fixture_b64("face_speech.mp4"), "video"),
        ("face", b64(b"plain text file\n"), "text"),
    ],
)
def test_e0102_model_not_supported_for_file_type(
    hume_ws: HumeSocket, model: str, data: str, file_type: str
) -> None:
    reply = error(hume_ws, {"data": data, "models": {model: {}}})
    assert reply["code"] == "E0102"
    assert reply["error"] == (
        f"Streaming payload configured with model type '{model}', which is not supported "
        f"for the detected file type '{file_type}'."
    )


def test_e0102_raw_text_with_an_audio_model(hume_ws: HumeSocket) -> None:
    reply = error(hume_ws, {"data": "hello", "raw_text": True, "models": {"prosody": {}}})
    assert reply["code"] == "E0102" and "'text'" in reply["error"]


@pytest.mark.parametrize(
    "raw",
    [
        bytes(range(256)) * 4,  # random-looking binary
        b"\x00\x01" * 8000,  # headerless PCM
        b"RIFF\x00\x00\x00\x00WAVEfmt ",  # truncated header
    ],
)
def test_e0200_unrecognised_media(hume_ws: HumeSocket, raw: bytes) -> None:
    reply = error(hume_ws, {"data": b64(raw), "models": {"prosody": {}}})
    assert reply["code"] == "E0200"
    assert reply["error"].startswith("Failed to parse data as a valid media file")


def test_e0200_empty_data(hume_ws: HumeSocket) -> None:
    assert error(hume_ws, {"data": "", "models": {"face": {}}})["code"] == "E0200"


@pytest.mark.parametrize("data", ["not base64!", "@@@@", "abc", "data:image/png;base64,AAAA"])
def test_e0201_not_base64(hume_ws: HumeSocket, data: str) -> None:
    reply = error(hume_ws, {"data": data, "models": {"face": {}}})
    assert reply["code"] == "E0201"
    assert "raw_text" in reply["error"]


def test_data_url_prefix_is_accepted_when_configured() -> None:
    with MockServer(hume={"accept_data_urls": True}) as server, hume_socket(server.hume) as ws:
        data = "data:image/png;base64," + fixture_b64("face.png")
        reply = ws.exchange({"data": data, "models": {"face": {}}})
        assert len(reply["face"]["predictions"]) == 1


def test_e0202_audio_stream_without_samples(hume_ws: HumeSocket) -> None:
    data = b64(video_mp4(1.0, audio_stream=True))
    reply = error(hume_ws, {"data": data, "models": {"prosody": {}}})
    assert reply["code"] == "E0202"


def test_e0203_audio_at_and_over_5000_ms(hume_ws: HumeSocket) -> None:
    ok = hume_ws.exchange({"data": b64(speech_wav(5.0)), "models": {"prosody": {}}})
    assert "prosody" in ok
    reply = error(hume_ws, {"data": b64(speech_wav(5.01)), "models": {"prosody": {}}})
    assert reply["code"] == "E0203"
    assert reply["error"] == (
        "Audio file is too long. The limit is 5000 milliseconds; received 5010 milliseconds."
    )
    assert (
        error(hume_ws, {"data": fixture_b64("speech_long_16k.wav"), "models": {"burst": {}}})[
            "code"
        ]
        == "E0203"
    )


def test_e0204_video_at_and_over_5000_ms(hume_ws: HumeSocket) -> None:
    ok = hume_ws.exchange({"data": b64(video_mp4(5.0)), "models": {"face": {}}})
    assert "face" in ok
    reply = error(hume_ws, {"data": b64(video_mp4(5.25)), "models": {"face": {}}})
    assert reply["code"] == "E0204"
    assert "limit is 5000 milliseconds; received 5250 milliseconds" in reply["error"]
    assert (
        error(hume_ws, {"data": fixture_b64("video_long.mp4"), "models": {"face": {}}})["code"]
        == "E0204"
    )


@pytest.mark.parametrize(
    ("size", "ok"), [((3000, 3000), True), ((3001, 10), False), ((10, 3001), False)]
)
def test_e0205_image_at_and_over_3000_px(
    hume_ws: HumeSocket, size: tuple[int, int], ok: bool
) -> None:
    message = {"data": b64(png(*size)), "models": {"face": {}}}
    if ok:
        assert hume_ws.exchange(message)["face"]["code"] == "W0103"
        return
    reply = error(hume_ws, message)
    assert reply["code"] == "E0205"
    assert f"received {size[0]} x {size[1]} pixels" in reply["error"]


def test_e0206_text_at_and_over_10000_characters(hume_ws: HumeSocket) -> None:
    text = ("word " * 2000)[:10_000]
    ok = hume_ws.exchange(
        {"data": text, "raw_text": True, "models": {"language": {"granularity": "passage"}}}
    )
    assert len(ok["language"]["predictions"]) == 1
    reply = error(hume_ws, {"data": text + "x", "raw_text": True, "models": {"language": {}}})
    assert reply["code"] == "E0206"
    assert reply["error"] == (
        "Text is too long. The limit is 10000 characters; received 10001 characters."
    )


def test_e0207_facemesh_at_and_over_10_faces(hume_ws: HumeSocket) -> None:
    ok = hume_ws.exchange({"data": mesh(10), "models": {"facemesh": {}}})
    assert len(ok["facemesh"]["predictions"]) == 10
    reply = error(hume_ws, {"data": mesh(11), "models": {"facemesh": {}}})
    assert reply["code"] == "E0207"
    assert "limit is 10 faces; received 11 faces" in reply["error"]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (mesh(1, points=474), "exactly 478, found 474"),
        ("[[[0.1, 0.2]]]", "478"),
        ('[{"x": 1}]', "list"),
        ("[[1, 2, 3]]", "face"),
    ],
)
def test_e0208_malformed_facemesh(hume_ws: HumeSocket, data: str, fragment: str) -> None:
    reply = error(hume_ws, {"data": data, "models": {"facemesh": {}}})
    assert reply["code"] == "E0208"
    assert fragment in reply["error"]


def test_facemesh_base64_and_raw_text_encodings(hume_ws: HumeSocket) -> None:
    raw = mesh(1)
    encoded = base64.b64encode(raw.encode()).decode()
    results = [
        hume_ws.exchange({"data": raw, "models": {"facemesh": {}}}),
        hume_ws.exchange({"data": encoded, "models": {"facemesh": {}}}),
        hume_ws.exchange({"data": encoded, "raw_text": True, "models": {"facemesh": {}}}),
    ]
    assert results[0] == results[1] == results[2]
    assert len(results[0]["facemesh"]["predictions"][0]["emotions"]) == 48


def test_i0100_internal_error_is_generic_and_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(engine, "run_models", broken)
    with MockServer() as server:
        with hume_socket(server.hume) as ws:
            reply = ws.exchange({"data": "hi", "raw_text": True, "models": {"language": {}}})
            assert reply == {
                "error": "Internal server error. The failure has been logged.",
                "code": "I0100",
            }
            assert ws.exchange({"job_details": True})["job_details"]  # still serving
        with pytest.raises(ServerFailure, match="secret internal detail"):
            server.check()


@pytest.mark.parametrize(
    ("model", "data", "code", "text"),
    [
        (
            "burst",
            fixture_b64("speech_16k.wav"),
            "W0101",
            "No vocal bursts could be detected in the streamed media.",
        ),
        ("facemesh", "[]", "W0102", "No facemeshes could be detected in the streamed media."),
        (
            "face",
            fixture_b64("no_face.png"),
            "W0103",
            "No faces could be detected in the streamed media.",
        ),
        ("prosody", fixture_b64("silence_16k.wav"), "W0105", "No speech detected."),
        ("prosody", fixture_b64("noise_16k.wav"), "W0105", "No speech detected."),
    ],
)
def test_nested_model_warnings(
    hume_ws: HumeSocket, model: str, data: str, code: str, text: str
) -> None:
    reply = hume_ws.exchange({"data": data, "models": {model: {}}, "payload_id": "w"})
    assert reply == {"payload_id": "w", model: {"warning": text, "code": code}}


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "...!?"])
def test_language_warning_for_text_without_words(hume_ws: HumeSocket, text: str) -> None:
    reply = hume_ws.exchange({"data": text, "raw_text": True, "models": {"language": {}}})
    assert reply == {
        "language": {"warning": "No text could be detected in the streamed media.", "code": "W0104"}
    }


def test_one_model_warns_while_another_predicts(hume_ws: HumeSocket) -> None:
    reply = hume_ws.exchange(
        {"data": fixture_b64("face_speech.mp4"), "models": {"burst": {}, "face": {}, "prosody": {}}}
    )
    assert reply["burst"] == {
        "warning": "No vocal bursts could be detected in the streamed media.",
        "code": "W0101",
    }
    assert reply["face"]["predictions"] and reply["prosody"]["predictions"]
