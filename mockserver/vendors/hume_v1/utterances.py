"""Utterances and measurements of an audio stream (shared by realtime and upload).

Implements "How measurements are produced" of ``hume-expression-measurement`` 0.1.0
``audio/raw_client.py`` (also https://dev.hume.ai/expression-measurement/reference/audio/measure):

* voice activity comes from :class:`mockserver.media.voice.FrameVad` (20 ms frames,
  decisions final 280 ms later, the same for any split of the audio);
* an utterance starts at the first speech frame and ends at the end of its last speech
  frame once ``gap_ms`` of non-speech followed (or at the end of the audio);
* while it lasts, a measurement with ``trigger`` ``interval`` is taken every
  ``timer_ms`` of audio from its start; "an interval measurement taken as speech stops
  can end shortly after the utterance does";
* when it ends, a ``speech_ended`` measurement is taken "unless the previous measurement
  ended less than one second earlier"; "every utterance gets at least one measurement";
* each measurement covers "the most recent 10 seconds of the utterance, or the whole
  utterance if it is shorter"; times are integer milliseconds from the start of the audio.

Feed it accepted s16le bytes with :meth:`UtteranceTracker.push` and end it with
:meth:`UtteranceTracker.finish`; both return the events in order. The output depends only
on the audio, never on how it was split into frames.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from mockserver.media.audio import pcm16le_to_float
from mockserver.media.voice import FrameVad

__all__ = [
    "FINAL_GAP_MS",
    "FRAME_MS",
    "WINDOW_MS",
    "Measured",
    "Scorer",
    "UtteranceEnded",
    "UtteranceEvent",
    "UtteranceStarted",
    "UtteranceTracker",
]

SAMPLES_PER_MS = 16
FRAME_MS = 20  #: VAD frame
WINDOW_MS = 10_000  #: the longest span of a measurement
FINAL_GAP_MS = 1_000  #: no speech_ended measurement within this of the previous one

#: ``(samples, start_ms, end_ms) -> (expressions, voice_attributes)``
Scorer = Callable[
    [npt.NDArray[np.float32], int, int], tuple[list[dict[str, Any]], list[dict[str, Any]]]
]


@dataclass(frozen=True, slots=True)
class UtteranceStarted:
    utterance_id: int
    audio_start_ms: int

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "utterance.start",
            "utterance_id": self.utterance_id,
            "audio_start_ms": self.audio_start_ms,
        }


@dataclass(frozen=True, slots=True)
class Measured:
    measurement_id: int
    utterance_id: int
    audio_start_ms: int
    audio_end_ms: int
    trigger: str  # "interval" or "speech_ended"
    expressions: list[dict[str, Any]]
    voice_attributes: list[dict[str, Any]]

    def fields(self) -> dict[str, Any]:
        """The fields shared by ``measurement.result`` and an upload's measurement."""
        return {
            "measurement_id": self.measurement_id,
            "utterance_id": self.utterance_id,
            "audio_start_ms": self.audio_start_ms,
            "audio_end_ms": self.audio_end_ms,
            "trigger": self.trigger,
            "expressions": self.expressions,
            "voice_attributes": self.voice_attributes,
        }

    def to_json(self) -> dict[str, Any]:
        return {"type": "measurement.result", **self.fields()}


@dataclass(frozen=True, slots=True)
class UtteranceEnded:
    utterance_id: int
    audio_start_ms: int
    audio_end_ms: int

    def fields(self) -> dict[str, Any]:
        return {
            "utterance_id": self.utterance_id,
            "audio_start_ms": self.audio_start_ms,
            "audio_end_ms": self.audio_end_ms,
        }

    def to_json(self) -> dict[str, Any]:
        return {"type": "utterance.end", **self.fields()}


UtteranceEvent = UtteranceStarted | Measured | UtteranceEnded


@dataclass
class _Open:
    """The utterance in progress."""

    utterance_id: int
    start_ms: int
    speech_end_ms: int  # end of its last speech frame
    next_interval_ms: int  # end of the next interval measurement
    last_measured_ms: int | None = None  # end of its latest measurement


class UtteranceTracker:
    """Streaming utterance detection and measurement timing (module docstring).

    Args:
        timer_ms: ``measurement_timer_ms``.
        gap_ms: Non-speech that ends an utterance.
        scorer: Scores one span of audio.
    """

    def __init__(self, *, timer_ms: int, gap_ms: int, scorer: Scorer) -> None:
        self._timer = timer_ms
        self._gap = gap_ms
        self._scorer = scorer
        self._vad = FrameVad(SAMPLES_PER_MS * 1000)
        self._samples: npt.NDArray[np.float32] = np.zeros(0, dtype=np.float32)  # kept audio
        self._offset = 0  # absolute index of self._samples[0]
        self._total = 0  # samples received
        self._frames = 0  # VAD frames decided
        self._open: _Open | None = None
        self._next_utterance = 0
        self._next_measurement = 0
        self._finished = False

    @property
    def audio_ms(self) -> int:
        """Milliseconds of audio received (whole milliseconds)."""
        return self._total // SAMPLES_PER_MS

    @property
    def utterances(self) -> int:
        """Utterances started so far."""
        return self._next_utterance

    @property
    def measurements(self) -> int:
        """Measurements taken so far."""
        return self._next_measurement

    def push(self, pcm: bytes) -> list[UtteranceEvent]:
        """Add accepted audio (an even number of bytes); return the events it completes."""
        if self._finished:
            raise RuntimeError("push() after finish()")
        samples = pcm16le_to_float(pcm)
        self._samples = np.concatenate((self._samples, samples))
        self._total += len(samples)
        events: list[UtteranceEvent] = []
        for speech in self._vad.push(samples):
            self._frame(speech, events, end_ms=None)
        self._trim()
        return events

    def finish(self) -> list[UtteranceEvent]:
        """End of the audio: decide the last frames and end the open utterance."""
        if self._finished:
            return []
        self._finished = True
        events: list[UtteranceEvent] = []
        end_ms = self.audio_ms
        for speech in self._vad.flush():
            self._frame(speech, events, end_ms=end_ms)
        if self._open is not None:
            self._end(self._open, min(self._open.speech_end_ms, end_ms), events)
        return events

    # -- internals ----------------------------------------------------------------------

    def _frame(self, speech: bool, events: list[UtteranceEvent], end_ms: int | None) -> None:
        start = self._frames * FRAME_MS
        stop = start + FRAME_MS if end_ms is None else min(start + FRAME_MS, end_ms)
        self._frames += 1
        current = self._open
        if speech:
            if current is None:
                current = _Open(self._next_utterance, start, stop, start + self._timer)
                self._next_utterance += 1
                self._open = current
                events.append(UtteranceStarted(current.utterance_id, start))
            current.speech_end_ms = stop
            self._intervals(current, stop, inclusive=True, events=events)
            return
        if current is None:
            return
        closes_at = current.speech_end_ms + self._gap
        if stop >= closes_at:
            self._intervals(current, closes_at, inclusive=False, events=events)
            self._end(current, current.speech_end_ms, events)
        else:
            self._intervals(current, stop, inclusive=True, events=events)

    def _intervals(
        self, current: _Open, until: int, *, inclusive: bool, events: list[UtteranceEvent]
    ) -> None:
        while current.next_interval_ms < until or (inclusive and current.next_interval_ms == until):
            end = current.next_interval_ms
            events.append(self._measure(current, end, "interval"))
            current.next_interval_ms += self._timer

    def _end(self, current: _Open, end_ms: int, events: list[UtteranceEvent]) -> None:
        last = current.last_measured_ms
        if last is None or end_ms - last >= FINAL_GAP_MS:
            events.append(self._measure(current, end_ms, "speech_ended"))
        events.append(UtteranceEnded(current.utterance_id, current.start_ms, end_ms))
        self._open = None

    def _measure(self, current: _Open, end_ms: int, trigger: str) -> Measured:
        start_ms = max(current.start_ms, end_ms - WINDOW_MS)
        lo = start_ms * SAMPLES_PER_MS - self._offset
        hi = end_ms * SAMPLES_PER_MS - self._offset
        expressions, voice = self._scorer(self._samples[max(0, lo) : hi], start_ms, end_ms)
        measured = Measured(
            self._next_measurement,
            current.utterance_id,
            start_ms,
            end_ms,
            trigger,
            expressions,
            voice,
        )
        self._next_measurement += 1
        current.last_measured_ms = end_ms
        return measured

    def _trim(self) -> None:
        """Keep the audio a future measurement can still cover."""
        # A measurement ends at most gap_ms before the decided audio and spans at most
        # WINDOW_MS, so older samples are never read again.
        keep_from_ms = self._frames * FRAME_MS - WINDOW_MS - self._gap - FRAME_MS
        drop = keep_from_ms * SAMPLES_PER_MS - self._offset
        if drop > len(self._samples) // 2 and drop > 0:
            self._samples = self._samples[drop:]
            self._offset += drop
