"""The server checks' judgments on replies written for the purpose: each accepts a right
answer and names what is wrong with a wrong one (``contract_tests/test_conformance.py``
makes the checks fail end to end, against the emulator with faults or other settings)."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.contract.behavioral.conformance import (
    Outcome,
    Row,
    _item_problem,
    _judge,
    _process_problem,
)
from mockserver.contract.conformance import CheckFailed, SuiteContext, Transcript
from mockserver.contract.hume.conformance import (
    error_code_problem,
    job_problem,
    label_problems,
    window_problem,
)
from mockserver.contract.tables import tables

HUME = tables("hume")
NAMES = HUME["expressions"]["names"]
LANGUAGE = sorted([*NAMES, *HUME["language_expressions"]["extra"]])


def emotions(names: list[str], score: float = 0.5) -> list[dict[str, Any]]:
    return [{"name": n, "score": score} for n in names]


@pytest.mark.parametrize(
    ("reply", "models", "problem"),
    [
        ({"face": {"predictions": [{"emotions": emotions(NAMES)}]}}, {"face": {}}, None),
        ({"face": {"warning": "No faces", "code": "W0103"}}, {"face": {}}, None),
        ({"language": {"predictions": [{"emotions": emotions(LANGUAGE)}]}}, {"language": {}},
         None),
        ({"face": {"predictions": [{"emotions": emotions(NAMES[::-1])}]}}, {"face": {}},
         "face prediction 0: 48 emotions, not the documented 48 in order"),
        ({"language": {"predictions": [{"emotions": emotions(NAMES)}]}}, {"language": {}},
         "language prediction 0: 48 emotions, not the documented 53 in order"),
        ({"face": {"predictions": [{"emotions": emotions(NAMES, 1.5)}]}}, {"face": {}},
         "a score outside [0, 1]"),
        ({"face": {"predictions": [{"emotions": emotions(NAMES)}]}}, {"prosody": {}},
         "face answered although the request did not configure it"),
        ({"face": {"predictions": [{"emotions": emotions(NAMES), "facs": []}]}}, {"face": {}},
         "facs although not asked for"),
        ({"face": {"predictions": [{"emotions": emotions(NAMES)}]}}, {"face": {"facs": {}}},
         "facs asked for but missing"),
        ({"language": {"predictions": [{"emotions": emotions(LANGUAGE),
                                        "toxicity": emotions(["toxic"])}]}},
         {"language": {"toxicity": {}}}, "toxicity names are not the documented ones"),
        ({"face": {"warning": "x", "code": "E0100"}}, {"face": {}},
         "neither predictions nor a warning code"),
    ],
)  # fmt: skip
def test_labels(reply: dict[str, Any], models: dict[str, Any], problem: str | None) -> None:
    found = label_problems(reply, models)
    if problem is None:
        assert found == []
    else:
        assert any(problem in f for f in found), found


def test_job_details() -> None:
    job = "0123456789abcdef0123456789abcdef"
    assert job_problem({"job_details": {"job_id": job}}, None) is None
    assert job_problem({"job_details": {"job_id": job}}, job) is None
    assert "changed on one connection" in str(job_problem({"job_details": {"job_id": job}},
                                                          "f" * 32))  # fmt: skip
    assert "not 32 hex" in str(job_problem({"job_details": {"job_id": job.upper()}}, None))
    assert "not 32 hex" in str(job_problem({}, None))


def test_window() -> None:
    def reply(begin: float, end: float) -> dict[str, Any]:
        return {"prosody": {"predictions": [{"time": {"begin": begin, "end": end}}]}}

    assert window_problem(reply(10.0, 12.5), 3.0) is None
    assert window_problem(reply(10.0, 13.2), 3.0) == (
        "prosody time 10.0..13.2 is not within a 3 s window"
    )
    assert window_problem(reply(-1.0, 0.5), 3.0) is not None
    assert window_problem(reply(2.0, 1.0), 3.0) is not None


def test_error_codes() -> None:
    assert error_code_problem({"error": "x", "code": "E0100"}, "not_json") is None
    assert error_code_problem({"error": "x", "code": "E0206"}, "text_too_long") is None
    assert error_code_problem({"error": "x", "code": "E0101"}, "not_json") is not None
    assert error_code_problem({"warning": "x", "code": "E0100"}, "not_json") is not None
    assert error_code_problem({"error": "x", "code": "I0100"}, "text_too_long") is not None


# -- Behavioral Signals ----------------------------------------------------------------------


def row(task: str = "emotion", start: str = "0.00", end: str = "2.00", **fields: Any) -> Row:
    labels = fields.pop("labels", ["neutral", "happy", "sad", "angry"])
    values = {"level": "segment", "labels": labels, "posteriors": ["0.7", "0.1", "0.1", "0.1"],
              "scores": [], "final": labels[0], **fields}  # fmt: skip
    return Row(task, start, end, **values)


def judged(messages: list[tuple[int, list[Row]]], *, status: str = "OK", level: str | None = None,
           silent: bool = False) -> str | None:  # fmt: skip
    context = SuiteContext({}, None, 0, 1.0, Transcript("behavioral"))
    try:
        _judge(context, Outcome(messages, status), level, silent)
    except CheckFailed as failure:
        return f"{failure.check}: {failure.message}"
    return None


def test_a_right_stream_passes() -> None:
    later = row(start="2.00", end="4.00")
    utterance = row(start="0.00", end="4.00", level="utterance")
    intensity = row("intensity", labels=[""], posteriors=[], scores=["0.3"], final="")
    assert judged([(0, [row(), intensity]), (1, [later]), (2, [utterance])]) is None


@pytest.mark.parametrize(
    ("messages", "kwargs", "problem"),
    [
        ([(0, [row()])], {"status": "UNAVAILABLE"}, "chunking: a well-formed stream ended"),
        ([(1, [row()])], {}, "message-id: message_id [1]"),
        ([(0, [row()]), (2, [row()])], {}, "message-id"),
        ([(0, [row(start="2.00", end="2.00")])], {}, "times: message 0: emotion 2.00 to 2.00"),
        ([(0, [row(start="2.00", end="4.00")]), (1, [row()])], {}, "times: message 1: segment"),
        ([(0, [row(start="x")])], {}, "times: message 0: times"),
        (
            [(0, [row(level="utterance")])],
            {"level": "segment"},
            "level-filter: a utterance row although level segment was asked",
        ),
        ([(0, [row(labels=["neutral", "happy", "sad", "furious"])])], {}, "labels: message 0"),
        ([(0, [row(final="furious")])], {}, "labels: message 0: emotion final_label 'furious'"),
        ([(0, [row(posteriors=["1.5"])])], {}, "labels: message 0: emotion posterior 1.5"),
        ([(0, [row("asr")])], {}, "labels: message 0: undocumented task 'asr'"),
        ([(0, [row("intensity", scores=["7"])])], {}, "labels: message 0: intensity score 7"),
        ([(0, [row()])], {"silent": True}, "silence: 1 results for audio that is only silence"),
    ],
)
def test_each_stream_check_names_its_breach(
    messages: list[tuple[int, list[Row]]], kwargs: dict[str, Any], problem: str
) -> None:
    found = judged(messages, **kwargs)
    assert found is not None
    assert problem in found


def test_rest_bodies() -> None:
    table = tables("behavioral")["result_item"]
    keys, required, optional = table["keys"], table["prediction_keys"], table["prediction_optional"]
    item = {"id": "0", "startTime": "0.5", "endTime": "2.0", "task": "emotion",
            "prediction": [{"label": "sad", "posterior": "0.9", "dominantInSegments": []}],
            "finalLabel": "sad", "level": "utterance", "embedding": None}  # fmt: skip
    assert _item_problem(item, keys, required, optional) is None
    intensity: dict[str, Any] = {"label": None, "dominantInSegments": [], "score": "0.4"}
    intensity["posterior"] = None
    scored: dict[str, Any] = {**item, "prediction": [intensity]}
    assert _item_problem(scored, keys, required, optional) is None
    assert "result item keys" in str(_item_problem({**item, "extra": 1}, keys, required, optional))
    assert "startTime 3 after endTime" in str(
        _item_problem({**item, "startTime": "3"}, keys, required, optional)
    )
    assert "level 'segmentx'" in str(_item_problem({**item, "level": "segmentx"}, keys, required,
                                                   optional))  # fmt: skip
    assert "documented keys" in str(
        _item_problem({**item, "prediction": [{"label": "x"}]}, keys, required, optional)
    )
    assert _process_problem({"pid": 3, "status": 2}) is None
    assert "an int pid" in str(_process_problem({"pid": "3"}))
    assert "undocumented keys ['x']" in str(_process_problem({"pid": 3, "x": 1}))
