"""Unit tests of the Hume session without sockets (streaming definition, errors page, ws guide)."""

from __future__ import annotations

import json

import pytest

from mockserver.core.events import CloseConnection, SendText
from mockserver.vendors.hume.errors import ERRORS

from .harness import JOB_ID, SessionHarness


def test_job_details_only_message_gets_job_id() -> None:
    h = SessionHarness()
    assert h.send({"job_details": True}) == {"job_details": {"job_id": JOB_ID}}


def test_reset_stream_only_message_gets_empty_object() -> None:
    h = SessionHarness()
    assert h.send({"reset_stream": True}) == {}


def test_payload_id_is_echoed_on_control_messages() -> None:
    h = SessionHarness()
    reply = h.send({"reset_stream": True, "job_details": True, "payload_id": "p-1"})
    assert reply == {"payload_id": "p-1", "job_details": {"job_id": JOB_ID}}


def test_not_json_is_e0100_and_connection_keeps_serving() -> None:
    h = SessionHarness()
    events = h.send_raw("this is not json")
    reply = json.loads(events[0].text)  # type: ignore[union-attr]
    assert reply["code"] == "E0100"
    assert "could not be parsed as valid JSON" in reply["error"]
    assert h.send({"job_details": True})["job_details"]["job_id"] == JOB_ID


@pytest.mark.parametrize("text", ['{"data": NaN}', '{"a": Infinity}', "[1,", ""])
def test_non_standard_or_truncated_json_is_e0100(text: str) -> None:
    h = SessionHarness()
    reply = json.loads(h.send_raw(text)[0].text)  # type: ignore[union-attr]
    assert reply["code"] == "E0100"


def test_binary_frame_is_e0100() -> None:
    h = SessionHarness()
    h.session.receive_binary(b"\x00\x01")
    (event,) = h.session.events_to_send()
    assert isinstance(event, SendText)
    assert json.loads(event.text)["code"] == "E0100"


@pytest.mark.parametrize(
    ("message", "fragment"),
    [
        ({"rawText": True, "payload_id": "x"}, "rawText: Extra inputs are not permitted"),
        ({"models": {"face": {"save_faces": True}}}, "models.face.save_faces: Extra inputs"),
        ({"models": {"video": {}}}, "models.video: Extra inputs are not permitted"),
        ({"stream_window_ms": 499.9}, "greater than or equal to 500"),
        ({"stream_window_ms": 10000.1}, "less than or equal to 10000"),
        ({"stream_window_ms": "5000"}, "stream_window_ms: Input should be a valid number"),
        ({"raw_text": "true"}, "raw_text: Input should be a valid boolean"),
        ({"payload_id": 5}, "payload_id: Input should be a valid string"),
        ({"data": 5}, "data: Input should be a valid string"),
        ({"models": []}, "models: Input should be a valid dictionary"),
        ({"models": {"language": {"granularity": "page"}}}, "'word', 'sentence', 'utterance'"),
        (
            {"models": {"face": {"fps_pred": -1}}},
            "fps_pred: Input should be greater than or equal to 0",
        ),
        ({"models": {"face": {"prob_threshold": -0.5}}}, "greater than or equal to 0"),
        ({"models": {"face": {"min_face_size": -1}}}, "greater than or equal to 0"),
        ({"models": {"face": {"identify_faces": "yes"}}}, "a valid boolean"),
        ([1, 2], "payload: Input should be a valid dictionary"),
        ({}, "Nothing to process"),
        ({"models": {"language": {}}}, "data: Field required"),
        ({"data": "hi", "raw_text": True}, "models: Field required"),
        ({"data": "hi", "raw_text": True, "models": {}}, "At least one of"),
    ],
)
def test_structural_errors_are_e0101_naming_the_field(message: object, fragment: str) -> None:
    h = SessionHarness()
    reply = h.send(message)
    assert reply["code"] == "E0101", reply
    assert fragment in reply["error"]


def test_error_echoes_payload_id_and_job_details_when_asked() -> None:
    h = SessionHarness()
    reply = h.send({"payload_id": "abc", "job_details": True, "bogus": 1})
    assert reply["code"] == "E0101"
    assert reply["payload_id"] == "abc"
    assert reply["job_details"] == {"job_id": JOB_ID}


@pytest.mark.parametrize(
    "face",
    [
        {"fps_pred": 3, "prob_threshold": 3, "min_face_size": 3},  # the streaming reference
        {"fps_pred": 3, "prob_threshold": 0.99, "min_face_size": 60},  # the batch examples
        {"fps_pred": 0},  # batch: "Set to 0 to process every frame"
        {"prob_threshold": 0, "min_face_size": 0},
    ],
)
def test_documented_face_option_values_are_accepted(face: dict[str, float]) -> None:
    h = SessionHarness()
    reply = h.send({"models": {"face": face}, "data": "hi", "raw_text": True})
    assert reply.get("code") != "E0101", reply  # E0102: face cannot run on text


def test_valid_window_bounds_are_accepted() -> None:
    h = SessionHarness()
    for value in (500, 10000, 5000.5):
        assert h.send({"stream_window_ms": value, "reset_stream": True}) == {}


def test_null_optional_fields_mean_not_given() -> None:
    h = SessionHarness()
    reply = h.send({"reset_stream": True, "payload_id": None, "data": None, "models": None})
    assert reply == {}


def test_every_error_code_in_catalogue_has_documented_description() -> None:
    for code, entry in ERRORS.items():
        assert entry.code == code
        assert entry.description and entry.template


# -- repeated errors (errors page: "closed automatically after ten identical configuration errors")


def test_ten_consecutive_identical_errors_close_with_1008() -> None:
    h = SessionHarness()
    for _ in range(9):
        h.send_raw("nope")
    assert h.closes() == []
    events = h.send_raw("nope")
    assert isinstance(events[0], SendText) and json.loads(events[0].text)["code"] == "E0100"
    assert isinstance(events[1], CloseConnection)
    assert events[1].code == 1008
    assert "Too many identical errors (10)" in events[1].reason
    assert len(events[1].reason.encode()) <= 123
    # Nothing more is answered once closing.
    assert h.send_raw('{"job_details": true}') == []


def test_a_success_or_a_different_error_resets_the_consecutive_count() -> None:
    h = SessionHarness()
    for _ in range(9):
        h.send_raw("nope")
    h.send({"job_details": True})
    for _ in range(9):
        h.send_raw("nope")
    h.send({"bogus": 1})
    for _ in range(9):
        h.send_raw("nope")
    assert h.closes() == []


def test_total_mode_counts_identical_errors_over_the_connection() -> None:
    h = SessionHarness(repeated_error_mode="total", repeated_error_limit=3)
    h.send_raw("nope")
    h.send({"job_details": True})
    h.send_raw("nope")
    h.send({"bogus": 1})
    assert h.closes() == []
    h.send_raw("nope")
    assert [c.code for c in h.closes()] == [1008]


def test_repeated_error_limit_zero_never_closes() -> None:
    h = SessionHarness(repeated_error_limit=0)
    for _ in range(30):
        h.send_raw("nope")
    assert h.closes() == []


# -- inactivity and duration (websocket guide: one minute of inactivity)


def test_inactivity_closes_after_timeout_and_messages_reset_the_timer() -> None:
    h = SessionHarness()
    assert h.session.next_deadline() == pytest.approx(160.0)
    assert h.advance(59.9) == []
    h.send({"job_details": True})
    assert h.session.next_deadline() == pytest.approx(219.9)
    assert h.advance(59.0) == []
    (close,) = h.advance(1.0)
    assert isinstance(close, CloseConnection)
    assert close.code == 1000
    assert "60 seconds of inactivity" in close.reason
    assert h.session.next_deadline() is None


def test_inactivity_timeout_is_configurable() -> None:
    h = SessionHarness(inactivity_timeout_s=0.5)
    (close,) = h.advance(0.5)
    assert isinstance(close, CloseConnection)


def test_max_connection_duration_closes_even_when_active() -> None:
    h = SessionHarness(max_connection_s=5)
    for _ in range(4):
        h.advance(1.0)
        h.send({"job_details": True})
    (close,) = h.advance(1.0)
    assert isinstance(close, CloseConnection)
    assert "maximum duration of 5 seconds" in close.reason


def test_closed_session_ignores_input_and_has_no_deadline() -> None:
    h = SessionHarness()
    h.session.connection_closed()
    assert h.send_raw('{"job_details": true}') == []
    assert h.session.next_deadline() is None


def test_internal_error_answers_i0100_and_reports_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    h = SessionHarness()

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(h.session, "_process", explode)
    reply = h.send({"payload_id": "z", "job_details": True})
    assert reply == {
        "error": "Internal server error. The failure has been logged.",
        "code": "I0100",
        "payload_id": "z",
    }
    assert "boom" not in json.dumps(reply)
    (failure,) = h.failures()
    assert isinstance(failure.error, RuntimeError)
