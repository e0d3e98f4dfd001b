"""Utterance detection and measurement timing (``audio/raw_client.py`` "How measurements
are produced"), with Hypothesis properties over any split of the audio into frames."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from hypothesis import given
from hypothesis import strategies as st

from mockserver.core.rng import SeedSource
from mockserver.tests.media.builders import silence, speech_like
from mockserver.vendors.hume_v1.engine import score_audio
from mockserver.vendors.hume_v1.labels import CONFIRMED, V0_CANDIDATES, LabelSet
from mockserver.vendors.hume_v1.utterances import (
    Measured,
    UtteranceEnded,
    UtteranceEvent,
    UtteranceStarted,
    UtteranceTracker,
)

from .harness import pcm_fixture, pcm_of

SEEDS = SeedSource(0)


def tracker(
    timer_ms: int = 3000, gap_ms: int = 500, labels: LabelSet = CONFIRMED
) -> UtteranceTracker:
    def scorer(samples: npt.NDArray[np.float32], start: int, end: int) -> Any:
        return score_audio(samples, start_ms=start, end_ms=end, labels=labels, seeds=SEEDS)

    return UtteranceTracker(timer_ms=timer_ms, gap_ms=gap_ms, scorer=scorer)


def run(pcm: bytes, frames: list[int] | None = None, **options: Any) -> list[UtteranceEvent]:
    """Feed ``pcm`` cut at ``frames`` sizes (bytes, even), then the rest; then finish."""
    t = tracker(**options)
    events: list[UtteranceEvent] = []
    pos = 0
    for size in frames or []:
        events += t.push(pcm[pos : pos + size])
        pos += size
    if pos < len(pcm):
        events += t.push(pcm[pos:])
    return events + t.finish()


def measurements(events: list[UtteranceEvent]) -> list[Measured]:
    return [e for e in events if isinstance(e, Measured)]


# Long, continuous speech: the documented flow (speech from ~100 ms, closed at 26000 ms).
LONG = pcm_of(np.concatenate((silence(0.1), speech_like(25.9, f0=140.0))))


def test_the_documented_message_flow_of_a_long_utterance() -> None:
    events = run(LONG, [3200] * (len(LONG) // 3200))
    starts = [e for e in events if isinstance(e, UtteranceStarted)]
    ends = [e for e in events if isinstance(e, UtteranceEnded)]
    taken = measurements(events)
    assert len(starts) == len(ends) == 1
    start = starts[0].audio_start_ms
    assert 60 <= start <= 140  # speech begins about 100 ms in
    # eight interval measurements every 3000 ms of speech, then speech_ended at 26000 ms
    assert [m.trigger for m in taken] == ["interval"] * 8 + ["speech_ended"]
    assert [m.audio_end_ms for m in taken[:8]] == [start + 3000 * k for k in range(1, 9)]
    assert [m.audio_start_ms for m in taken[:3]] == [start] * 3  # whole utterance while < 10 s
    assert all(m.audio_end_ms - m.audio_start_ms <= 10_000 for m in taken)
    assert (taken[-1].audio_start_ms, taken[-1].audio_end_ms) == (16_000, 26_000)
    assert ends[0].audio_start_ms == start and ends[0].audio_end_ms == 26_000
    assert events[-1] == ends[0]  # final measurement, then utterance.end
    assert [m.measurement_id for m in taken] == list(range(9))


def test_no_speech_no_utterance_and_every_utterance_gets_a_measurement() -> None:
    assert run(pcm_fixture("silence_16k.wav")) == []
    assert run(pcm_fixture("noise_16k.wav")) == []
    events = run(pcm_fixture("speech_pauses_16k.wav"))
    ids = [e.utterance_id for e in events if isinstance(e, UtteranceStarted)]
    assert ids == [0, 1]  # the 1.5 s pause splits it
    for uid in ids:
        assert any(m.utterance_id == uid for m in measurements(events))


def test_the_gap_setting_decides_where_utterances_split() -> None:
    pcm = pcm_of(np.concatenate((speech_like(1.0), silence(0.8), speech_like(1.0))))
    assert len([e for e in run(pcm, gap_ms=500) if isinstance(e, UtteranceStarted)]) == 2
    assert len([e for e in run(pcm, gap_ms=1500) if isinstance(e, UtteranceStarted)]) == 1


def test_speech_ended_is_skipped_within_a_second_of_the_previous_measurement() -> None:
    # speech of ~3.5 s: the 3000 ms interval ends ~500 ms before the speech does
    short = pcm_of(np.concatenate((silence(0.2), speech_like(3.5), silence(1.0))))
    taken = measurements(run(short))
    assert [m.trigger for m in taken] == ["interval"]
    # speech of ~4.5 s: 1.5 s after the interval, so a final measurement follows
    longer = pcm_of(np.concatenate((silence(0.2), speech_like(4.5), silence(1.0))))
    assert [m.trigger for m in measurements(run(longer))] == ["interval", "speech_ended"]


def test_a_timer_of_10000_gives_measurements_that_meet_end_to_end() -> None:
    taken = measurements(run(LONG, timer_ms=10_000))
    intervals = [m for m in taken if m.trigger == "interval"]
    assert len(intervals) == 2
    assert intervals[1].audio_start_ms == intervals[0].audio_end_ms


even_cuts = st.lists(st.integers(0, 40_000).map(lambda n: n * 2), max_size=12)


@given(cuts=even_cuts)
def test_any_split_into_frames_gives_the_same_utterances_and_measurements(cuts: list[int]) -> None:
    pcm = pcm_fixture("speech_pauses_16k.wav")
    assert run(pcm, cuts) == run(pcm)


@given(
    cuts=even_cuts,
    timer=st.integers(3000, 10_000),
    gap=st.integers(1, 60).map(lambda n: n * 20),
    labels=st.sampled_from([CONFIRMED, V0_CANDIDATES]),
)
def test_measurement_times_are_monotonic_within_the_window_and_names_in_the_label_set(
    cuts: list[int], timer: int, gap: int, labels: LabelSet
) -> None:
    pcm = pcm_fixture("speech_pauses_16k.wav")
    events = run(pcm, cuts, timer_ms=timer, gap_ms=gap, labels=labels)
    audio_ms = len(pcm) // 32
    starts = {e.utterance_id: e.audio_start_ms for e in events if isinstance(e, UtteranceStarted)}
    ends = {e.utterance_id: e for e in events if isinstance(e, UtteranceEnded)}
    assert list(starts) == list(range(len(starts))) == list(ends)
    previous_end = -1
    for m in measurements(events):
        assert starts[m.utterance_id] <= m.audio_start_ms < m.audio_end_ms <= audio_ms
        assert m.audio_end_ms - m.audio_start_ms <= 10_000
        assert m.audio_end_ms > previous_end  # monotonic
        previous_end = m.audio_end_ms
        names = [s["name"] for s in m.expressions]
        assert set(names) <= set(labels.audio_expressions)
        assert {s["name"] for s in m.voice_attributes} <= set(labels.voice_attributes)
        for scores in (m.expressions, m.voice_attributes):
            probabilities = [s["probability"] for s in scores]
            assert probabilities == sorted(probabilities, reverse=True)
            assert all(0 <= p <= 1 and round(p, 4) == p for p in probabilities)
        assert all(s["probability"] >= 0.725 for s in m.voice_attributes)
    for uid, end in ends.items():
        assert end.audio_start_ms == starts[uid] < end.audio_end_ms <= audio_ms
