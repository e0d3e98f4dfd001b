"""The Behavioral Signals stream session without sockets (proto comments, readme.io docs)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from mockserver.core.events import EndCall, SendMessage
from mockserver.vendors.behavioral.session import StreamState
from mockserver.vendors.behavioral.slots import StreamSlots
from mockserver.vendors.behavioral.tasks import STREAM_BEHAVIORAL_TASKS

from .harness import CID, StreamHarness, config, levels, message, pcm_of, samples_seconds


def test_speech_with_a_pause_gives_segments_then_utterances_and_ok() -> None:
    h = StreamHarness()
    h.stream_file("speech_pauses_16k.wav")
    h.end()
    results = h.results()
    assert [r.message_id for r in results] == list(range(len(results)))
    assert levels(results) == ["segment", "segment", "utterance", "segment", "utterance"]
    assert all(r.cid == CID and r.pid == 41 for r in results)
    for result in results:
        assert [row.task for row in result.result] == list(STREAM_BEHAVIORAL_TASKS)
        assert len({(row.id, row.start_time, row.end_time) for row in result.result}) == 1
    segment = results[0].result[0]
    assert float(segment.end_time) - float(segment.start_time) == pytest.approx(2.0)
    assert h.status() == EndCall("OK", "")
    assert h.session.state is StreamState.FINISHED
    (stored, duration) = h.processes.closed[41]
    assert len(stored) == sum(len(r.result) for r in results)
    assert duration == pytest.approx(8.89, abs=0.01)


@pytest.mark.parametrize(
    ("level", "expected"), [("segment", ["segment"] * 3), ("utterance", ["utterance"] * 2)]
)
def test_level_filter(level: str, expected: list[str]) -> None:
    h = StreamHarness()
    h.stream_file("speech_pauses_16k.wav", cfg=config(level=level))
    h.end()
    assert levels(h.results()) == expected
    assert [r.message_id for r in h.results()] == list(range(len(expected)))


def test_silence_gives_no_results_and_ok() -> None:
    h = StreamHarness()
    h.stream_file("silence_16k.wav")
    h.end()
    assert h.results() == [] and h.status() == EndCall("OK", "")


def test_a_steady_tone_gives_no_results_and_ok() -> None:
    """A hum or test tone is not speech: "the API won't stream back any results" for it."""
    t = np.arange(5 * 8000) / 8000
    hum = sum(3000 / k * np.sin(2 * np.pi * 60 * k * t) for k in range(1, 8))
    pcm = np.asarray(hum).astype("<i2").tobytes()
    h = StreamHarness()
    h.send(message(cfg=config(8000)))
    h.send(*(message(pcm[i : i + 4000]) for i in range(0, len(pcm), 4000)))
    h.end()
    assert h.results() == [] and h.status() == EndCall("OK", "")


def test_config_only_then_half_close_is_ok_with_zero_results() -> None:
    h = StreamHarness()
    h.send(message(cfg=config()))
    h.end()
    assert h.results() == [] and h.status() == EndCall("OK", "")


def test_half_close_before_anything_is_ok() -> None:
    h = StreamHarness()
    h.end()
    assert h.status() == EndCall("OK", "")
    assert h.processes.opened == []


def test_odd_and_empty_chunks_give_the_same_results() -> None:
    pcm, _ = pcm_of("speech_16k.wav")
    reference = StreamHarness()
    reference.stream_file("speech_16k.wav")
    reference.end()
    odd = StreamHarness()
    odd.send(message(cfg=config()))
    sizes = itertools.cycle([1, 0, 3, 7777, 0, 1])
    position = 0
    while position < len(pcm):
        size = next(sizes)
        odd.send(message(pcm[position : position + size]))
        position += size
    odd.end()
    assert odd.results() == reference.results()


@pytest.mark.parametrize("rate_file", ["speech_pauses_8k.wav", "speech_pauses_44k.wav"])
def test_other_sample_rates_land_on_the_same_timeline(rate_file: str) -> None:
    reference = StreamHarness()
    reference.stream_file("speech_pauses_16k.wav")
    reference.end()
    other = StreamHarness()
    other.stream_file(rate_file)
    other.end()
    assert levels(other.results()) == levels(reference.results())
    for (a, b), (c, d) in zip(
        samples_seconds(other.results()), samples_seconds(reference.results()), strict=True
    ):
        assert abs(a - c) <= 0.11 and abs(b - d) <= 0.11


# -- validation and auth -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("messages", "status", "fragment"),
    [
        ([message(b"\x00\x00")], "INVALID_ARGUMENT", "must contain config"),
        ([message(b"\x00\x00", config())], "INVALID_ARGUMENT", "without audio_content"),
        ([message(cfg=config()), message(b"", config())], "INVALID_ARGUMENT", "message 2 had one"),
        ([message(cfg=config(encoding=3))], "INVALID_ARGUMENT", "Unsupported encoding 3"),
        ([message(cfg=config(rate=0))], "INVALID_ARGUMENT", "at most 384000 Hz, got 0"),
        ([message(cfg=config(rate=-8000))], "INVALID_ARGUMENT", "got -8000"),
        ([message(cfg=config(level="unknown:7"))], "INVALID_ARGUMENT", "Unsupported level 7"),
        ([message(cfg=config(), token="nope")], "UNAUTHENTICATED", "Invalid credentials."),
        ([message(cfg=config(), token="")], "UNAUTHENTICATED", "Invalid credentials."),
        ([message(cfg=config(), cid=2000)], "PERMISSION_DENIED", "project 2000"),
        ([message(cfg=config()), message(b"\x00\x00", token="nope")], "UNAUTHENTICATED", ""),
        ([message(cfg=config()), message(b"\x00\x00", cid=2000, token="other")],
         "PERMISSION_DENIED", "cid changed"),
    ],
)  # fmt: skip
def test_errors_end_the_call_with_a_status(messages: list, status: str, fragment: str) -> None:  # type: ignore[type-arg]
    h = StreamHarness()
    h.send(*messages)
    end = h.status()
    assert end is not None and end.status == status and fragment in end.details
    assert h.session.next_deadline() is None


def test_lenient_mode_accepts_audio_first_and_ignores_later_configs() -> None:
    pcm, _ = pcm_of("speech_16k.wav")
    h = StreamHarness(strict_first_message=False)
    h.send(message(pcm[:16000], config()), message(pcm[16000:], config(rate=8000)))
    h.end()
    assert h.status() == EndCall("OK", "") and h.results()


def test_an_error_after_results_marks_the_process_failed() -> None:
    h = StreamHarness()
    h.stream_file("speech_16k.wav")
    h.send(message(b"\x00\x00", token="stolen"))
    assert h.status() is not None and h.status().status == "UNAUTHENTICATED"  # type: ignore[union-attr]
    assert h.processes.outcomes[41][0] == -1


def test_concurrent_stream_limit_per_project_and_release() -> None:
    slots = StreamSlots(1)
    first, second = StreamHarness(slots=slots), StreamHarness(slots=slots)
    first.send(message(cfg=config()))
    second.send(message(cfg=config()))
    end = second.status()
    assert end is not None and end.status == "RESOURCE_EXHAUSTED" and "limit 1" in end.details
    first.end()
    third = StreamHarness(slots=slots)
    third.send(message(cfg=config()))
    assert third.status() is None


def test_cancel_releases_the_slot_and_keeps_delivered_results() -> None:
    slots = StreamSlots(1)
    h = StreamHarness(slots=slots)
    h.stream_file("speech_pauses_16k.wav")
    delivered = len(h.results())
    h.session.cancel()
    assert slots.open_streams(CID) == 0
    assert len(h.processes.closed[41][0]) == delivered * len(STREAM_BEHAVIORAL_TASKS)
    assert h.session.events_to_send() == []


# -- time ----------------------------------------------------------------------------------


def test_idle_timeout_ends_with_deadline_exceeded() -> None:
    h = StreamHarness(stream_idle_timeout_s=5)
    h.send(message(cfg=config()))
    assert h.advance(4.9) == []
    (end,) = h.advance(0.1)
    assert isinstance(end, EndCall) and end.status == "DEADLINE_EXCEEDED"
    assert "No audio received for 5 seconds" in end.details


def test_max_duration_ends_even_when_active() -> None:
    h = StreamHarness(max_stream_s=3, stream_idle_timeout_s=0)
    h.send(message(cfg=config()))
    for _ in range(2):
        h.advance(1.0)
        h.send(message(b"\x00\x00" * 100))
    (end,) = h.advance(1.0)
    assert isinstance(end, EndCall) and "maximum duration of 3 seconds" in end.details


def test_realtime_pacing_releases_each_result_at_its_audio_time() -> None:
    h = StreamHarness(pacing="realtime")
    h.stream_file("speech_pauses_16k.wav")
    h.end()
    assert h.results() == [] and h.status() is None
    deadline = h.session.next_deadline()
    assert deadline is not None and deadline == pytest.approx(10.0 + 2.26, abs=0.05)
    h.advance(2.3)
    assert len(h.results()) == 1
    h.advance(10.0)
    assert levels(h.results()) == ["segment", "segment", "utterance", "segment", "utterance"]
    assert h.status() == EndCall("OK", "")


def test_deepfake_detection_emits_verdicts() -> None:
    h = StreamHarness("DeepfakeDetection")
    h.stream_file("speech_16k.wav")
    h.end()
    assert h.processes.opened == [(CID, "detection")]
    for result in h.results():
        (row,) = result.result
        assert row.task == "deepfake" and {p.label for p in row.prediction} == {
            "bonafide",
            "spoofed",
        }


def test_logits_and_feature_embedding_only_when_asked() -> None:
    plain = StreamHarness()
    plain.stream_file("speech_16k.wav")
    rich = StreamHarness()
    rich.stream_file("speech_16k.wav", cfg=config(logits=True, feature_embedding=True))
    first_plain, first_rich = plain.results()[0].result, rich.results()[0].result
    assert all(p.logit is None for row in first_plain for p in row.prediction)
    assert first_plain[0].task == "features" and first_plain[0].embedding == ""
    assert first_rich[0].embedding and len(first_rich[0].embedding.split(",")) == 768
    emotion = next(row for row in first_rich if row.task == "emotion")
    assert all(p.logit is not None for p in emotion.prediction)


def test_results_are_sent_as_messages_in_order() -> None:
    h = StreamHarness()
    h.stream_file("speech_16k.wav")
    h.end()
    kinds = [type(e).__name__ for e in h.events]
    assert kinds[-1] == "EndCall" and set(kinds[:-1]) == {"SendMessage"}
    assert all(isinstance(e, SendMessage) for e in h.events[:-1])
