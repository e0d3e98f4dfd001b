"""Rule matching and application, sans-I/O: Hume sessions with an injected script, the
Behavioral Signals row rewrite, stream sessions and process rules (issue "scenarios")."""

from __future__ import annotations

import base64
import dataclasses
import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.core.clock import ManualClock
from mockserver.core.events import SendText
from mockserver.core.rng import SeedSource
from mockserver.resources import fixture_path
from mockserver.scenario import (
    BehavioralResult,
    HumeRespond,
    HumeRule,
    HumeWhen,
    ModelWarning,
    ProcessOutcome,
    ProcessRule,
    ProcessWhen,
    Reply,
    Scenario,
    ScenarioBook,
    Segment,
    Timeline,
    load_scenario,
)
from mockserver.tests.vendors.behavioral.harness import StreamHarness
from mockserver.vendors.behavioral.results import InferenceResult, Prediction
from mockserver.vendors.behavioral.script import BehavioralScript, ProcessRuleState, rewrite_row
from mockserver.vendors.behavioral.tasks import CLASSIFIER_LABELS, SPEAKING_RATE_5
from mockserver.vendors.hume.config import HumeSettings
from mockserver.vendors.hume.labels import EXPRESSION_NAMES, LANGUAGE_EXPRESSION_NAMES
from mockserver.vendors.hume.script import HumeScript
from mockserver.vendors.hume.session import HumeSession


class NoFaults:
    def load(self, specs: Any) -> list[Any]:
        return list(specs)


def book_with(*items: Any, **fields: Any) -> ScenarioBook:
    book = ScenarioBook()
    hume = [i for i in items if isinstance(i, HumeRule | Timeline)]
    behavioral = [i for i in items if not isinstance(i, HumeRule | Timeline)]
    book.load(Scenario(hume=hume, behavioral=behavioral, **fields), faults=NoFaults())
    return book


class Hume:
    """A HumeSession whose script comes from a ScenarioBook (as the service wires it)."""

    def __init__(self, book: ScenarioBook | None = None, **settings: Any) -> None:
        self.book = book or ScenarioBook()
        self.session = HumeSession(
            settings=HumeSettings(**settings),
            clock=ManualClock(0.0),
            seeds=SeedSource(0),
            job_id="0" * 32,
            script=self.book.provider("hume"),
        )

    def send(self, message: dict[str, Any]) -> dict[str, Any]:
        self.session.receive_text(json.dumps(message))
        (event,) = [e for e in self.session.events_to_send() if isinstance(e, SendText)]
        reply: dict[str, Any] = json.loads(event.text)
        return reply


def text(data: str, **extra: Any) -> dict[str, Any]:
    return {"models": {"language": {}}, "raw_text": True, "data": data, **extra}


def scores(reply: dict[str, Any], model: str = "language") -> dict[str, float]:
    emotions = reply[model]["predictions"][0]["emotions"]
    return {e["name"]: e["score"] for e in emotions}


# -- Hume ------------------------------------------------------------------------------------


def test_without_a_scenario_the_response_is_unchanged() -> None:
    plain, empty = Hume(), Hume(ScenarioBook())
    message = text("I am furious about this!")
    assert plain.send(message) == empty.send(message)


def test_a_text_pattern_sets_scores_and_keeps_the_label_set() -> None:
    rule = HumeRule(
        HumeRespond(emotions={"Anger": 0.92, "Sarcasm": 0.5}),
        HumeWhen(model="language", text="(?i)refund"),
    )
    hume = Hume(book_with(rule))
    scripted = hume.send(
        text("I want a REFUND") | {"models": {"language": {"granularity": "word"}}}
    )
    assert len(scripted["language"]["predictions"]) == 4  # every word's prediction
    for prediction in scripted["language"]["predictions"]:
        assert prediction["emotions"][4] == {"name": "Anger", "score": pytest.approx(0.92)}
    got = scores(scripted)
    assert list(got) == list(LANGUAGE_EXPRESSION_NAMES)
    assert got["Anger"] == pytest.approx(0.92) and got["Sarcasm"] == pytest.approx(0.5)
    assert all(0 <= s <= 1 for s in got.values())
    assert scores(hume.send(text("Thanks a lot")))["Anger"] < 0.9  # no match: the engine's


def test_others_at_most_caps_every_other_score() -> None:
    rule = HumeRule(HumeRespond(emotions={"Anger": 0.9}, others_at_most=0.2))
    got = scores(Hume(book_with(rule)).send(text("What a wonderful, joyful day!")))
    assert got["Anger"] == pytest.approx(0.9)
    assert max(s for n, s in got.items() if n != "Anger") <= 0.2 + 1e-7


def test_payload_text_matches_base64_text_too() -> None:
    rule = HumeRule(HumeRespond(emotions={"Joy": 1.0}), HumeWhen(text="hello"))
    data = base64.b64encode(b"well hello there").decode()
    reply = Hume(book_with(rule)).send({"models": {"language": {}}, "data": data})
    assert scores(reply)["Joy"] == 1.0


def test_error_on_the_third_payload_counts_every_frame() -> None:
    rule = HumeRule(HumeRespond(error=Reply("E0203")), HumeWhen(payload_index=3))
    hume = Hume(book_with(rule))
    assert "language" in hume.send(text("one"))
    hume.session.receive_text("not json")  # frame 2: a real E0100
    assert hume.session.events_to_send()
    third = hume.send(text("three", payload_id="p3", job_details=True))
    assert third == {
        "error": "Your audio file was too long. The limit is 5000 milliseconds.",
        "code": "E0203",
        "payload_id": "p3",
        "job_details": {"job_id": "0" * 32},
    }
    assert "language" in hume.send(text("four"))


def test_scripted_errors_count_towards_the_repeated_error_limit() -> None:
    rule = HumeRule(HumeRespond(error=Reply("E0101", "Invalid request payload: scripted")))
    hume = Hume(book_with(rule), repeated_error_limit=2)
    hume.send(text("a"))
    hume.session.receive_text(json.dumps(text("b")))
    events = hume.session.events_to_send()
    assert [type(e).__name__ for e in events] == ["SendText", "CloseConnection"]


def test_top_level_and_nested_warnings() -> None:
    book = book_with(
        HumeRule(HumeRespond(warning=Reply("W0105")), HumeWhen(payload_id="w")),
        HumeRule(HumeRespond(model_warning=ModelWarning()), HumeWhen(payload_id="n")),
    )
    hume = Hume(book)
    assert hume.send(text("hi", payload_id="w")) == {
        "warning": "No speech detected.",
        "code": "W0105",
        "payload_id": "w",
    }
    assert hume.send(text("hi", payload_id="n")) == {
        "payload_id": "n",
        "language": {
            "warning": "No text could be detected in the streamed media.",
            "code": "W0104",
        },
    }


def test_model_condition_uses_the_reused_models() -> None:
    rule = HumeRule(HumeRespond(emotions={"Awe": 0.77}), HumeWhen(model="language"))
    hume = Hume(book_with(rule))
    hume.send(text("first"))
    reply = hume.send({"raw_text": True, "data": "second, without models"})
    assert scores(reply)["Awe"] == pytest.approx(0.77)


def test_times_limits_how_often_a_rule_fires() -> None:
    rule = HumeRule(HumeRespond(error=Reply("E0100")), times=1)
    hume = Hume(book_with(rule))
    assert hume.send(text("a"))["code"] == "E0100"
    assert "language" in hume.send(text("b"))


def test_rules_apply_in_order_later_scores_win() -> None:
    book = book_with(
        HumeRule(HumeRespond(emotions={"Joy": 0.1, "Awe": 0.2})),
        HumeRule(HumeRespond(emotions={"Joy": 0.6})),
    )
    got = scores(Hume(book).send(text("hi")))
    assert got["Joy"] == pytest.approx(0.6) and got["Awe"] == pytest.approx(0.2)


def test_a_scenario_loaded_mid_connection_applies_to_the_next_request() -> None:
    book = ScenarioBook()
    hume = Hume(book)
    before = scores(hume.send(text("same text")))
    book.load(Scenario(hume=[HumeRule(HumeRespond(emotions={"Pain": 0.99}))]), faults=NoFaults())
    assert scores(hume.send(text("same text")))["Pain"] == pytest.approx(0.99)
    book.clear()
    assert scores(hume.send(text("same text"))) == before


def test_timeline_picks_the_segment_with_the_largest_overlap() -> None:
    timeline = Timeline(
        (Segment(0.0, 1.0, {"Calmness": 0.9}), Segment(1.0, 10.0, {"Anger": 0.8})),
    )
    script = HumeScript(timelines=[timeline])
    body: dict[str, Any] = {
        "prosody": {
            "predictions": [
                {"time": {"begin": t0, "end": t1},
                 "emotions": [{"name": n, "score": 0.5} for n in EXPRESSION_NAMES]}
                for t0, t1 in ((0.1, 0.9), (0.8, 1.5), (20.0, 21.0))
            ]
        }
    }  # fmt: skip
    script.after(None, body, index=1, models=("prosody",))  # type: ignore[arg-type]
    first, second, third = (
        {e["name"]: e["score"] for e in p["emotions"]} for p in body["prosody"]["predictions"]
    )
    assert first["Calmness"] == pytest.approx(0.9) and first["Anger"] == 0.5
    assert second["Anger"] == pytest.approx(0.8) and second["Calmness"] == 0.5
    assert set(third.values()) == {0.5}
    assert body["prosody"]["predictions"][0]["time"] == {"begin": 0.1, "end": 0.9}


def test_face_timelines_use_the_frame_time() -> None:
    script = HumeScript(timelines=[Timeline((Segment(1.0, 2.0, {"Joy": 0.9}),), model="face")])
    body: dict[str, Any] = {"face": {"predictions": [
        {"time": t, "emotions": [{"name": "Joy", "score": 0.1}]} for t in (0.5, 1.5, None)
    ]}}  # fmt: skip
    script.after(None, body, index=1, models=("face",))  # type: ignore[arg-type]
    assert [p["emotions"][0]["score"] for p in body["face"]["predictions"]] == [
        0.1, pytest.approx(0.9), 0.1,
    ]  # fmt: skip


# -- Behavioral Signals: the row rewrite -----------------------------------------------------


def row(task: str, posteriors: dict[str, float], *, logits: bool = False) -> InferenceResult:
    ordered = sorted(posteriors.items(), key=lambda kv: -kv[1])
    preds = tuple(
        Prediction(label, f"{p:.4f}", logit=f"{math.log(p):.4f}" if logits else None)
        for label, p in ordered
    )
    return InferenceResult("2", "0.00", "2.00", task, preds, ordered[0][0], "", "segment")


def assert_valid(result: InferenceResult, labels: tuple[str, ...]) -> list[float]:
    assert {p.label for p in result.prediction} == set(labels)
    posteriors = [float(p.posterior or "nan") for p in result.prediction]
    assert posteriors == sorted(posteriors, reverse=True)
    assert math.fsum(posteriors) == pytest.approx(1.0, abs=1e-3)
    assert result.final_label == result.prediction[0].label
    return posteriors


tasks = st.sampled_from(sorted(CLASSIFIER_LABELS))


@settings(deadline=None)
@given(st.data())
def test_rewritten_rows_stay_valid(data: st.DataObject) -> None:
    task = data.draw(tasks)
    labels = CLASSIFIER_LABELS[task]
    raw = data.draw(st.lists(st.floats(0.0, 1.0), min_size=len(labels), max_size=len(labels)))
    total = sum(raw) or 1.0
    original = row(task, {lb: max(v / total, 1e-4) for lb, v in zip(labels, raw, strict=True)},
                   logits=data.draw(st.booleans()))  # fmt: skip
    label = data.draw(st.sampled_from(labels))
    posterior = data.draw(st.none() | st.floats(0.5, 1.0, exclude_min=True))
    out = rewrite_row(original, BehavioralResult(task, label, posterior=posterior))
    assert_valid(out, labels)
    assert out.final_label == label
    assert float(out.prediction[0].posterior or "") == pytest.approx(posterior or 0.85, abs=1e-4)
    assert (out.id, out.start_time, out.end_time, out.level, out.embedding) == (
        original.id, original.start_time, original.end_time, original.level, original.embedding,
    )  # fmt: skip
    if original.prediction[0].logit is not None:
        probs = [math.exp(float(p.logit or "")) for p in out.prediction]
        assert math.fsum(probs) == pytest.approx(1.0, abs=1e-3)


def test_a_label_missing_from_the_row_leaves_it_alone() -> None:
    original = row("speaking_rate", {"slow": 0.2, "normal": 0.5, "fast": 0.3})
    assert "very fast" in SPEAKING_RATE_5
    assert rewrite_row(original, BehavioralResult("speaking_rate", "very fast")) == original


def test_the_largest_overlap_wins_and_filters_apply() -> None:
    script = BehavioralScript(
        [
            BehavioralResult("emotion", "angry", start=4.0, end=9.5),
            BehavioralResult("emotion", "sad", start=9.5),
            BehavioralResult("emotion", "happy", api="batch"),
            BehavioralResult("emotion", "neutral", level="utterance"),
        ]
    )
    base = row("emotion", {"happy": 0.4, "angry": 0.1, "sad": 0.2, "neutral": 0.3})

    def label(start: float, end: float) -> str:
        (out,) = script.rewrite_stream([base], start_s=start, end_s=end)
        return out.final_label

    assert label(0.0, 2.0) == "happy"  # untouched (the batch-only rule does not apply)
    assert label(2.0, 4.0) == "happy"  # touching is not overlapping
    assert label(3.9, 5.9) == "angry"
    assert label(8.0, 10.0) == "angry"  # 1.5 s of angry, 0.5 s of sad
    assert label(9.0, 11.0) == "sad"
    (batch,) = script.rewrite_batch([base])  # "0.00"-"2.00": only the batch rule
    assert batch.final_label == "happy" and batch.prediction[0].posterior == "0.85"


def test_intensity_scores() -> None:
    original = InferenceResult(
        "2", "0.00", "2.00", "intensity", (Prediction("", score="0.31"),), "", "", "segment"
    )
    (out,) = BehavioralScript([BehavioralResult("intensity", score=0.9)]).rewrite_stream(
        [original], start_s=0.0, end_s=2.0
    )
    assert out.prediction == (Prediction("", score="0.9"),) and out.final_label == ""
    # batch results have an intensity row too (behavioralsignals 0.7.1 README), so a batch
    # rule loads and applies to it
    scenario = load_scenario("behavioral: {results: [{task: intensity, score: 0.2, api: batch}]}")
    (rule,) = scenario.behavioral
    utterance = dataclasses.replace(original, start_time="0.5", end_time="3.0", level="utterance")
    (out,) = BehavioralScript([rule]).rewrite_batch([utterance])
    assert out.prediction == (Prediction("", score="0.2"),)


def test_stream_session_windows_overlapping_the_range_report_the_label() -> None:
    book = book_with(BehavioralResult("emotion", "angry", start=4.0, end=9.5, posterior=0.9))
    harness = StreamHarness()
    harness.session._script = book.provider("behavioral")  # as BehavioralService injects it
    harness.stream_file("speech_pauses_16k.wav")
    harness.end()
    results = harness.results()
    assert results
    for result in results:
        rows = {r.task: r for r in result.result}
        start, end = float(rows["emotion"].start_time), float(rows["emotion"].end_time)
        if start < 9.5 and end > 4.0:
            assert rows["emotion"].final_label == "angry"
            assert rows["emotion"].prediction[0].posterior == "0.9"
        assert_valid(rows["emotion"], CLASSIFIER_LABELS["emotion"])
    # the stream's process keeps the rows as sent (REST returns the same)
    ((delivered, _),) = harness.processes.closed.values()
    assert delivered == [r for result in results for r in result.result]


# -- process rules ---------------------------------------------------------------------------


def outcome(script: BehavioralScript, name: str | None, ns: str = "behavioral") -> Any:
    return script.process_outcome(name=name, namespace=ns)


def test_process_rules_match_name_namespace_index_and_times() -> None:
    rules = [
        ProcessRule(ProcessOutcome(-2, "Insufficient credits"), ProcessWhen(name="*.mp3")),
        ProcessRule(ProcessOutcome(-1), ProcessWhen(namespace="detection", index=2)),
        ProcessRule(ProcessOutcome(0), times=1),
    ]
    script = BehavioralScript(processes=[ProcessRuleState(r) for r in rules])
    assert outcome(script, "a.mp3") == (-2, "Insufficient credits")
    assert outcome(script, "b.wav", "detection") == (0, "Pending")  # 1st detection: index 1
    assert outcome(script, "c.wav", "detection") == (-1, "Server error while processing the audio")
    assert outcome(script, "d.wav") is None  # the catch-all fired its one time
    assert outcome(script, None) is None


def test_fixture_files_scripts_compile() -> None:
    book = ScenarioBook()
    for path in sorted(fixture_path("scenarios").glob("*.*")):
        book.load(path, faults=NoFaults())
    assert book.script("hume") is not None and book.script("behavioral") is not None
