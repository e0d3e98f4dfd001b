"""Scripted Hume responses seen through the official SDK (``hume==0.13.13``), unchanged
(issue "scenarios": a pattern's scripted Anger score, the 3rd payload's scripted error, a
timeline over ``send_publish`` audio payloads)."""

from __future__ import annotations

import base64
import io
import wave

import pytest
from hume import AsyncHumeClient, HumeClient
from hume.expression_measurement.stream import (
    Config,
    StreamErrorMessage,
    StreamLanguage,
    StreamModelPredictions,
    StreamModelsEndpointPayload,
    StreamWarningMessage,
)

from mockserver.resources import fixture_path
from mockserver.scenario import Scenario, Segment, Timeline
from mockserver.server import MockServer
from mockserver.vendors.hume.labels import EXPRESSION_NAMES, LANGUAGE_EXPRESSION_NAMES

pytestmark = [pytest.mark.e2e, pytest.mark.sdk]

LANGUAGE = Config(language=StreamLanguage())
PROSODY = Config(prosody={})


def client(server: MockServer) -> HumeClient:
    return HumeClient(api_key=server.hume.api_key, base_url=server.hume.base_url)


def speech_chunk(start_s: float, seconds: float) -> str:
    """``seconds`` of fixtures/media/speech_16k.wav from ``start_s``, as base64 WAV."""
    with wave.open(str(fixture_path("media/speech_16k.wav")), "rb") as source:
        rate = source.getframerate()
        source.setpos(round(start_s * rate))
        frames = source.readframes(round(seconds * rate))
        params = source.getparams()
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setparams(params)
        out.writeframes(frames)
    return base64.b64encode(buffer.getvalue()).decode()


def scores(result: object, model: str = "language") -> list[dict[str, float]]:
    assert isinstance(result, StreamModelPredictions), result
    predictions = getattr(result, model).predictions
    assert predictions
    return [{e.name: e.score for e in p.emotions} for p in predictions]


def test_text_matching_a_pattern_gets_the_scripted_anger(server: MockServer) -> None:
    server.load_scenario(fixture_path("scenarios/hume-angry-customer.yaml"))  # from a file
    with client(server).expression_measurement.stream.connect() as socket:
        angry = socket.send_text("This is unacceptable, I want a refund.", config=LANGUAGE)
        calm = socket.send_text("Thank you, that was helpful.", config=LANGUAGE)
    for prediction in scores(angry):
        assert list(prediction) == list(LANGUAGE_EXPRESSION_NAMES)
        assert prediction["Anger"] == pytest.approx(0.92)
        assert prediction["Annoyance"] == pytest.approx(0.81)
        assert max(s for n, s in prediction.items() if n not in ("Anger", "Annoyance",
                   "Disappointment")) <= 0.3 + 1e-7  # fmt: skip
    assert all(p["Anger"] < 0.9 for p in scores(calm))


def test_the_third_payload_gets_the_scripted_error(server: MockServer) -> None:
    server.load_scenario(fixture_path("scenarios/hume-errors.yaml").read_text())  # YAML text
    with client(server).expression_measurement.stream.connect() as socket:
        replies = [socket.send_text(f"message {i}", config=LANGUAGE) for i in range(1, 5)]
    assert [type(r).__name__ for r in replies] == [
        "StreamModelPredictions", "StreamModelPredictions", "StreamErrorMessage",
        "StreamModelPredictions",
    ]  # fmt: skip
    error = replies[2]
    assert isinstance(error, StreamErrorMessage)
    assert error.code == "E0203"
    assert error.error == (
        "Audio file is too long. The limit is 5000 milliseconds; received 7250 milliseconds."
    )


def test_a_payload_id_gets_a_top_level_warning(server: MockServer) -> None:
    server.load_scenario(fixture_path("scenarios/hume-errors.yaml"))
    with client(server).expression_measurement.stream.connect() as socket:
        socket.send_publish(
            StreamModelsEndpointPayload(
                data=speech_chunk(0, 1), models=PROSODY, payload_id="call-7"
            )
        )
        warning = socket.recv()
    assert isinstance(warning, StreamWarningMessage)
    assert (warning.code, warning.warning, warning.payload_id) == (
        "W0105", "No speech detected.", "call-7",
    )  # fmt: skip


def test_a_timeline_follows_stream_time_across_publish_payloads(server: MockServer) -> None:
    timeline = Timeline(
        (Segment(0.0, 2.0, {"Calmness": 0.8}), Segment(2.0, 60.0, {"Anger": 0.9}, 0.3)),
    )
    server.load_scenario(Scenario(name="calm-then-angry", hume=[timeline]))  # Python API
    replies = []
    with client(server).expression_measurement.stream.connect() as socket:
        for start in (0.0, 1.0, 2.0):
            socket.send_publish(
                StreamModelsEndpointPayload(
                    data=speech_chunk(start, 1.0), models=PROSODY, stream_window_ms=1000
                )
            )
            replies.append(socket.recv())
    for reply in replies:
        assert isinstance(reply, StreamModelPredictions) and reply.prosody
        for prediction in reply.prosody.predictions or []:
            got = {e.name: e.score for e in prediction.emotions or []}
            assert list(got) == list(EXPRESSION_NAMES)
            time = prediction.time
            assert time is not None and time.begin is not None and time.end is not None
            if time.end <= 2.0:
                assert got["Calmness"] == pytest.approx(0.8)
            elif time.begin >= 2.0:
                assert got["Anger"] == pytest.approx(0.9)
                assert max(s or 0.0 for n, s in got.items() if n != "Anger") <= 0.3 + 1e-7
    last = replies[-1]
    assert isinstance(last, StreamModelPredictions) and last.prosody and last.prosody.predictions
    first_time = last.prosody.predictions[0].time
    assert first_time is not None and first_time.begin is not None and first_time.begin >= 2.0


async def test_a_scenario_loaded_while_connected_applies_to_the_next_request(
    server: MockServer,
) -> None:
    sdk = AsyncHumeClient(api_key=server.hume.api_key, base_url=server.hume.base_url)
    async with sdk.expression_measurement.stream.connect() as socket:
        before = await socket.send_text("same words", config=LANGUAGE)
        server.load_scenario({"hume": {"rules": [{"respond": {"emotions": {"Triumph": 0.99}}}]}})
        during = await socket.send_text("same words", config=LANGUAGE)
        server.reset()  # reset clears scenarios
        after = await socket.send_text("same words", config=LANGUAGE)
    assert all(p["Triumph"] == pytest.approx(0.99) for p in scores(during))
    assert scores(after) == scores(before) != scores(during)
