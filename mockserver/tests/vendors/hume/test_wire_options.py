"""Every model option over a real socket, and the sliding-window semantics."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from mockserver.server import MockServer
from mockserver.tests.conftest import HumeSocket, hume_socket
from mockserver.vendors.hume.labels import (
    DESCRIPTION_NAMES,
    EXPRESSION_NAMES,
    FACS_NAMES,
    LANGUAGE_EXPRESSION_NAMES,
    SENTIMENT_NAMES,
    TOXICITY_NAMES,
)
from mockserver.vendors.hume.service import HumeEndpoint

from .media_builders import b64, fixture_b64, speech_samples, wav_bytes

pytestmark = pytest.mark.e2e


def names(items: list[dict[str, Any]]) -> tuple[str, ...]:
    return tuple(item["name"] for item in items)


def face(socket: HumeSocket, fixture: str, **options: Any) -> list[dict[str, Any]]:
    reply = socket.exchange({"data": fixture_b64(fixture), "models": {"face": options}})
    predictions: list[dict[str, Any]] = reply["face"].get("predictions", [])
    return predictions


# -- face -------------------------------------------------------------------------------


def test_face_defaults_unknown_id_and_no_facs_or_descriptions(hume_ws: HumeSocket) -> None:
    (item,) = face(hume_ws, "face.png")
    assert list(item) == ["frame", "time", "bbox", "prob", "face_id", "emotions"]
    assert item["frame"] == 0 and item["time"] is None
    assert item["face_id"] == "unknown"
    assert item["prob"] >= 0.99
    assert names(item["emotions"]) == EXPRESSION_NAMES
    box = item["bbox"]
    assert 60 <= box["w"] <= 320 and box["x"] + box["w"] <= 320 and box["y"] + box["h"] <= 320


def test_facs_and_descriptions_only_when_configured(hume_ws: HumeSocket) -> None:
    (item,) = face(hume_ws, "face.jpg", facs={}, descriptions={})
    assert names(item["facs"]) == FACS_NAMES
    assert names(item["descriptions"]) == DESCRIPTION_NAMES
    (only_facs,) = face(hume_ws, "face.jpg", facs={}, descriptions=None)
    assert "facs" in only_facs and "descriptions" not in only_facs


def test_identify_faces_ids_stable_across_payloads_and_reset_stream(
    hume: HumeEndpoint, hume_ws: HumeSocket
) -> None:
    first = face(hume_ws, "two_faces.png", identify_faces=True)
    assert [f["face_id"] for f in first] == ["face_0", "face_1"]
    hume_ws.exchange({"reset_stream": True})
    again = hume_ws.exchange(
        {"data": fixture_b64("two_faces.png"), "models": {"face": {"identify_faces": True}},
         "reset_stream": True}
    )  # fmt: skip
    assert [f["face_id"] for f in again["face"]["predictions"]] == ["face_0", "face_1"]
    # A new connection starts its own identity cache.
    with hume_socket(hume) as other:
        assert [f["face_id"] for f in face(other, "face.png", identify_faces=True)] == ["face_0"]


def test_video_faces_have_frames_times_and_one_tracked_id(hume_ws: HumeSocket) -> None:
    items = face(hume_ws, "face_speech.mp4", identify_faces=True)
    assert {f["face_id"] for f in items} == {"face_0"}
    frames = [f["frame"] for f in items]
    times = [f["time"] for f in items]
    assert frames == sorted(frames) and times == sorted(times)
    assert all(t is not None and 0 <= t < 3.3 for t in times)


def test_fps_pred_controls_how_many_frames_are_reported(hume_ws: HumeSocket) -> None:
    one = face(hume_ws, "face_speech.mp4", fps_pred=1)
    three = face(hume_ws, "face_speech.mp4", fps_pred=3)
    every = face(hume_ws, "face_speech.mp4", fps_pred=100)
    assert len(one) == 4 and len(three) == 10  # 3.17 s of video at 12 fps
    assert len(every) == 38
    assert [f["frame"] for f in one] == [0, 12, 24, 36]
    # 0 processes every frame (batch Face.fps_pred: "Set to 0 to process every frame")
    assert face(hume_ws, "face_speech.mp4", fps_pred=0) == every


def test_prob_threshold_and_min_face_size_filter_faces(hume_ws: HumeSocket) -> None:
    assert face(hume_ws, "face.png", prob_threshold=0.0)
    strict = hume_ws.exchange(
        {"data": fixture_b64("face.png"), "models": {"face": {"prob_threshold": 1.0}}}
    )
    assert strict["face"] == {
        "warning": "No faces could be detected in the streamed media.",
        "code": "W0103",
    }
    assert face(hume_ws, "face.png", min_face_size=100)
    big = hume_ws.exchange(
        {"data": fixture_b64("face.png"), "models": {"face": {"min_face_size": 200}}}
    )
    assert big["face"]["code"] == "W0103"


def test_the_streaming_reference_s_face_values_are_applied_as_documented(
    hume_ws: HumeSocket,
) -> None:
    """The reference gives ``prob_threshold`` and ``min_face_size`` "default: 3": accepted;
    no probability reaches 3, so every face is omitted, and 3 px keeps every face."""
    reply = hume_ws.exchange(
        {"data": fixture_b64("two_faces.png"), "models": {"face": {"prob_threshold": 3}}}
    )
    assert reply["face"]["code"] == "W0103"
    assert len(face(hume_ws, "two_faces.png", min_face_size=3)) == 2
    assert len(face(hume_ws, "two_faces.png", prob_threshold=0.99, min_face_size=60)) == 2


# -- language ---------------------------------------------------------------------------


def language(socket: HumeSocket, text: str, **options: Any) -> list[dict[str, Any]]:
    reply = socket.exchange({"data": text, "raw_text": True, "models": {"language": options}})
    predictions: list[dict[str, Any]] = reply["language"]["predictions"]
    return predictions


TEXT = "I love this. It is wonderful!\nBut the ending made me so sad."
WORDS = TEXT.replace(".", "").replace("!", "").split()


@pytest.mark.parametrize(
    ("granularity", "texts"),
    [
        (None, WORDS),
        ("word", WORDS),
        ("sentence", ["I love this.", "It is wonderful!", "But the ending made me so sad."]),
        ("utterance", ["I love this. It is wonderful!", "But the ending made me so sad."]),
        ("passage", [TEXT]),
    ],
)  # fmt: skip
def test_granularity(hume_ws: HumeSocket, granularity: str | None, texts: list[str]) -> None:
    options = {} if granularity is None else {"granularity": granularity}
    items = language(hume_ws, TEXT, **options)
    assert [i["text"] for i in items] == texts
    for item in items:
        begin, end = item["position"]["begin"], item["position"]["end"]
        assert TEXT[begin:end] == item["text"]
        assert names(item["emotions"]) == LANGUAGE_EXPRESSION_NAMES
        assert "sentiment" not in item and "toxicity" not in item


def test_sentiment_and_toxicity_only_when_configured(hume_ws: HumeSocket) -> None:
    (item,) = language(
        hume_ws, "You are a stupid idiot", granularity="passage", sentiment={}, toxicity={}
    )
    assert names(item["sentiment"]) == SENTIMENT_NAMES
    assert abs(sum(s["score"] for s in item["sentiment"]) - 1) < 1e-5
    assert names(item["toxicity"]) == TOXICITY_NAMES
    assert dict((t["name"], t["score"]) for t in item["toxicity"])["toxic"] > 0.5
    (plain,) = language(hume_ws, "Have a nice day", granularity="passage", toxicity={})
    assert "sentiment" not in plain
    assert max(t["score"] for t in plain["toxicity"]) < 0.1


def test_language_responds_to_content(hume_ws: HumeSocket) -> None:
    def score(text: str, emotion: str) -> float:
        (item,) = language(hume_ws, text, granularity="passage")
        return float(dict((e["name"], e["score"]) for e in item["emotions"])[emotion])

    assert score("I am furious", "Anger") > score("I am delighted", "Anger")
    assert score("I am delighted", "Joy") > score("I am furious", "Joy")


# -- audio models and the sliding window --------------------------------------------------


def prosody_times(reply: dict[str, Any]) -> list[tuple[float, float]]:
    return [(p["time"]["begin"], p["time"]["end"]) for p in reply["prosody"]["predictions"]]


def chunks() -> tuple[bytes, bytes]:
    samples = speech_samples()
    return wav_bytes(samples[:16000]), wav_bytes(samples[16000:32000])


def test_window_prepends_context_and_times_follow_the_stream(hume_ws: HumeSocket) -> None:
    first, second = chunks()
    one = hume_ws.exchange({"data": b64(first), "models": {"prosody": {}}})
    assert all(0.0 <= b < e <= 1.0 for b, e in prosody_times(one))
    # Window 2000 ms: the second second is analysed together with the first.
    two = hume_ws.exchange(
        {"data": b64(second), "models": {"prosody": {}}, "stream_window_ms": 2000}
    )
    times = prosody_times(two)
    assert times[0][0] < 0.5 and times[-1][1] <= 2.0
    # Window 500 ms (the minimum): the payload is never truncated; no context is added.
    three = hume_ws.exchange(
        {"data": b64(second), "models": {"prosody": {}}, "stream_window_ms": 500}
    )
    assert all(2.0 <= b < e <= 3.0 for b, e in prosody_times(three))
    # Window 1500 ms: the last 500 ms of history are prepended.
    four = hume_ws.exchange(
        {"data": b64(second), "models": {"prosody": {}}, "stream_window_ms": 1500}
    )
    assert all(2.5 <= b < e <= 4.0 for b, e in prosody_times(four))
    assert prosody_times(four)[0][0] < 3.0


def steady_tone_wav(seconds: float) -> bytes:
    """A 150 Hz + 300 Hz tone at -13 dBFS: loud and periodic, but not speech."""
    t = np.arange(round(seconds * 16000)) / 16000
    return wav_bytes(6000 * np.sin(2 * np.pi * 150 * t) + 3000 * np.sin(2 * np.pi * 300 * t))


def test_a_silent_payload_is_answered_for_the_speech_in_its_window(hume_ws: HumeSocket) -> None:
    """Window rule: the models see the window (history + payload), so a silent payload after
    speech still gets predictions, for the speech before it; "No speech detected." only when
    the whole window has none (after ``reset_stream``, or a 500 ms window)."""
    speech = speech_samples()[: 2 * 16000]
    hume_ws.exchange({"data": b64(wav_bytes(speech)), "models": {"prosody": {}}})
    silent = b64(wav_bytes(np.zeros(16000)))
    after = hume_ws.exchange({"data": silent, "models": {"prosody": {}}})
    times = prosody_times(after)
    assert times and all(e <= 2.0 + 0.05 for _, e in times)  # the earlier speech, at 0-2 s
    narrow = hume_ws.exchange({"data": silent, "models": {"prosody": {}}, "stream_window_ms": 500})
    assert narrow["prosody"] == {"warning": "No speech detected.", "code": "W0105"}
    reset = hume_ws.exchange({"data": silent, "models": {"prosody": {}}, "reset_stream": True})
    assert reset["prosody"]["code"] == "W0105"


def test_a_steady_tone_is_not_speech_in_the_payload_or_the_window(hume_ws: HumeSocket) -> None:
    tone = hume_ws.exchange({"data": b64(steady_tone_wav(5.0)), "models": {"prosody": {}}})
    assert tone["prosody"] == {"warning": "No speech detected.", "code": "W0105"}
    silent = b64(wav_bytes(np.zeros(16000)))
    after = hume_ws.exchange({"data": silent, "models": {"prosody": {}, "burst": {}}})
    assert after["prosody"]["code"] == "W0105" and after["burst"]["code"] == "W0101"


def test_default_window_is_5000_ms(hume_ws: HumeSocket) -> None:
    first, second = chunks()
    for _ in range(3):
        hume_ws.exchange({"data": b64(first), "models": {"prosody": {}}})
    reply = hume_ws.exchange({"data": b64(second), "models": {"prosody": {}}})
    times = prosody_times(reply)
    assert times[0][0] < 0.5 + 0.2  # 4 s of history fits: analysis starts at stream time 0
    assert times[-1][1] <= 4.0


def test_reset_stream_clears_context_and_restarts_times(hume_ws: HumeSocket) -> None:
    first, second = chunks()
    hume_ws.exchange({"data": b64(first), "models": {"prosody": {}}})
    reply = hume_ws.exchange(
        {
            "data": b64(second),
            "models": {"prosody": {}},
            "stream_window_ms": 2000,
            "reset_stream": True,
        }
    )
    assert all(0.0 <= b < e <= 1.0 for b, e in prosody_times(reply))
    assert hume_ws.exchange({"reset_stream": True}) == {}
    again = hume_ws.exchange({"data": b64(first), "models": {"prosody": {}}})
    assert prosody_times(again) == prosody_times(
        hume_ws.exchange({"data": b64(first), "models": {"prosody": {}}, "reset_stream": True})
    )


def test_window_time_reference_is_configurable() -> None:
    first, second = chunks()
    with MockServer(hume={"time_reference": "window"}) as server, hume_socket(server.hume) as ws:
        ws.exchange({"data": b64(first), "models": {"prosody": {}}})
        reply = ws.exchange(
            {"data": b64(second), "models": {"prosody": {}}, "stream_window_ms": 500}
        )
        assert all(0.0 <= b < e <= 1.0 for b, e in prosody_times(reply))


def test_window_does_not_apply_to_video_audio(hume_ws: HumeSocket) -> None:
    first, _ = chunks()
    hume_ws.exchange({"data": b64(first), "models": {"prosody": {}}})
    reply = hume_ws.exchange({"data": fixture_b64("face_speech.mp4"), "models": {"prosody": {}}})
    assert prosody_times(reply)[0][0] < 0.5  # relative to the video, not the stream


def test_loud_and_quiet_speech_differ(hume_ws: HumeSocket) -> None:
    def scores(name: str) -> dict[str, float]:
        reply = hume_ws.exchange(
            {"data": fixture_b64(name), "models": {"prosody": {}}, "reset_stream": True}
        )
        return {e["name"]: e["score"] for e in reply["prosody"]["predictions"][0]["emotions"]}

    loud, quiet = scores("speech_loud.wav"), scores("speech_quiet.wav")
    assert loud["Excitement"] > quiet["Excitement"] and quiet["Calmness"] > loud["Calmness"]


def test_burst_predictions_on_isolated_vocalisations(hume_ws: HumeSocket) -> None:
    reply = hume_ws.exchange({"data": fixture_b64("burst.wav"), "models": {"burst": {}}})
    items = reply["burst"]["predictions"]
    assert len(items) == 3
    assert all(names(i["emotions"]) == EXPRESSION_NAMES for i in items)
    begins = [i["time"]["begin"] for i in items]
    assert begins == sorted(begins) and np.all(np.diff(begins) > 0.5)


@pytest.mark.parametrize("name", ["speech.mp3", "speech.webm", "face_speech.mp4"])
def test_audio_models_accept_every_documented_container(hume_ws: HumeSocket, name: str) -> None:
    reply = hume_ws.exchange(
        {"data": fixture_b64(name), "models": {"prosody": {}}, "reset_stream": True}
    )
    (item,) = reply["prosody"]["predictions"]
    assert 2.5 < item["time"]["end"] - item["time"]["begin"] < 3.3


def test_missing_models_reuse_the_last_configuration_or_fail_when_configured() -> None:
    with MockServer() as server, hume_socket(server.hume) as ws:
        first = ws.exchange(
            {"data": "happy", "raw_text": True, "models": {"language": {"granularity": "passage"}}}
        )
        second = ws.exchange({"data": "happy", "raw_text": True})
        assert first == second
    with MockServer(hume={"missing_models": "error"}) as server, hume_socket(server.hume) as ws:
        ws.exchange({"data": "happy", "raw_text": True, "models": {"language": {}}})
        assert ws.exchange({"data": "happy", "raw_text": True})["code"] == "E0101"
