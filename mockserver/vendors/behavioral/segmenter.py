"""Streaming segmentation of a Behavioral Signals audio stream (INFERRED model of the docs).

The service "detects voice activity first" and streams results per 2-second segment of speech
and per utterance (readme.io /docs/real-time-deepfake-detection); the emulator's model of
that, on the 16 kHz timeline:

* ``pcm_s16le`` bytes of any chunking (a trailing odd byte waits for the next chunk)
  -> float -> :class:`~mockserver.media.resample.StreamResampler` to 16 kHz ->
  :class:`~mockserver.media.voice.FrameVad` (one decision per 20 ms frame, 460 ms delay).
* An **utterance** starts at its first speech frame and ends once ``utterance_gap_s`` of
  non-speech follows it; its end is the end of its last speech frame (clamped to the audio
  received). An utterance that reaches ``max_utterance_s`` is closed there (a memory bound,
  INFERRED); the next speech frame opens a new one.
* A **segment** window ``[u + k * segment_s, u + (k + 1) * segment_s)`` (``u`` = utterance
  start) is emitted as soon as the utterance's speech is known to reach the window end, i.e.
  as soon as the VAD has decided a speech frame ending at or after it. Segments therefore
  always lie inside their utterance and are exactly ``segment_s`` long.
* When the utterance ends, the rest ``[last segment end, utterance end)`` is emitted as a
  segment if it is at least ``min_tail_segment_s`` long (the late 1.0 s windows the SDK author's
  benchmark in github.com/nikosanto13/behavioralsignals-python mentions), then one **utterance**
  window ``[u, utterance end]``.
* :meth:`StreamSegmenter.finish` (client half-close, as the SDK's file example expects) flushes
  the resampler and the VAD and closes the open utterance the same way. Silence and noise give
  no windows at all.

Every step is a function of absolute sample and frame positions, so any chunking of the same
bytes gives the same windows and the same window audio. Only the audio of the open utterance
(or, between utterances, the not yet decided frames) is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from mockserver.media.resample import StreamResampler
from mockserver.media.voice import FrameVad, VoiceFeatures, voice_features

from .tasks import MODEL_RATE  # the timeline of all windows

__all__ = ["StreamSegmenter", "Window"]

_BLOCK = 1 << 15  # 16 kHz samples produced per step at most (bounds memory at any input rate)
_SHORTEST_SEGMENT = 160  # 10 ms: anything shorter renders start_time == end_time ("%.2f")


@dataclass(frozen=True, slots=True)
class Window:
    """One analysis window: a segment or a whole utterance, in seconds on the 16 kHz timeline."""

    level: Literal["segment", "utterance"]
    start_s: float
    end_s: float
    utterance: int  # 0-based utterance index in the stream


class _Buffer:
    """Growable float32 buffer of the 16 kHz stream from absolute sample ``start`` on."""

    __slots__ = ("_data", "_len", "start")

    def __init__(self) -> None:
        self._data = np.zeros(1 << 16, dtype=np.float32)
        self._len = 0
        self.start = 0

    @property
    def end(self) -> int:
        return self.start + self._len

    def append(self, samples: npt.NDArray[np.float32]) -> None:
        n = len(samples)
        if n == 0:
            return
        if self._len + n > len(self._data):
            grown = np.zeros(max(2 * len(self._data), self._len + n), dtype=np.float32)
            grown[: self._len] = self._data[: self._len]
            self._data = grown
        self._data[self._len : self._len + n] = samples
        self._len += n

    def drop_before(self, position: int) -> None:
        drop = min(max(0, position - self.start), self._len)
        if drop:
            self._data[: self._len - drop] = self._data[drop : self._len]
            self._len -= drop
            self.start += drop

    def copy(self, a: int, b: int) -> npt.NDArray[np.float32]:
        return np.array(self._data[a - self.start : b - self.start], dtype=np.float32)


class StreamSegmenter:
    """Cut a ``pcm_s16le`` mono stream into segment and utterance windows (module docstring).

    Args:
        sample_rate: The stream's rate (``AudioConfig.sample_rate_hertz``), > 0.
        segment_s: Segment length (docs: "every 2 seconds").
        utterance_gap_s: Non-speech that ends an utterance.
        min_tail_segment_s: Shortest trailing segment reported when an utterance ends.
        max_utterance_s: Longest utterance before it is cut (``None``: no limit).
    """

    __slots__ = (
        "_audio",
        "_carry",
        "_closed",
        "_decided",
        "_frame",
        "_gap",
        "_max_utt",
        "_min_tail",
        "_n_in",
        "_next_seg",
        "_rate",
        "_resampler",
        "_segment",
        "_speech_end",
        "_total",
        "_utt_index",
        "_utt_start",
        "_vad",
    )

    def __init__(
        self,
        sample_rate: int,
        *,
        segment_s: float = 2.0,
        utterance_gap_s: float = 0.5,
        min_tail_segment_s: float = 1.0,
        max_utterance_s: float | None = 60.0,
    ) -> None:
        if sample_rate <= 0:
            raise ValueError("sample_rate must be positive")
        if not segment_s > 0 or not utterance_gap_s > 0 or not min_tail_segment_s >= 0:
            raise ValueError("segment_s and utterance_gap_s must be > 0, min_tail_segment_s >= 0")
        if max_utterance_s is not None and not max_utterance_s >= segment_s:
            raise ValueError("max_utterance_s must be at least segment_s")
        self._rate = sample_rate
        self._resampler = StreamResampler(sample_rate, MODEL_RATE)
        self._vad = FrameVad(MODEL_RATE, keep_stats=True)  # measures windows for free
        self._frame = self._vad.frame_length
        self._segment = max(1, round(segment_s * MODEL_RATE))
        self._gap = max(1, round(utterance_gap_s * MODEL_RATE))
        self._min_tail = round(min_tail_segment_s * MODEL_RATE)
        self._max_utt = None if max_utterance_s is None else round(max_utterance_s * MODEL_RATE)
        self._carry = b""  # a trailing odd byte waiting for its partner
        self._n_in = 0  # input samples received
        self._total = 0  # 16 kHz samples produced so far
        self._audio = _Buffer()
        self._decided = 0  # VAD frames decided so far
        self._utt_index = 0
        self._utt_start: int | None = None  # open utterance: first sample
        self._speech_end = 0  # open utterance: end of its last speech frame (sample)
        self._next_seg = 0  # open utterance: start of the next segment (sample)
        self._closed = False

    @property
    def received_s(self) -> float:
        """Seconds of audio received so far, at the input rate (whole samples only)."""
        return self._n_in / self._rate

    def push(self, pcm: bytes) -> list[Window]:
        """Add ``pcm_s16le`` bytes (any length); return the windows that became complete."""
        if self._closed:
            raise RuntimeError("push() after finish()")
        if not pcm:
            return []
        self._trim()
        data = self._carry + bytes(pcm)
        even = len(data) - len(data) % 2
        self._carry = data[even:]
        if even == 0:
            return []
        ints = np.frombuffer(data, dtype="<i2", count=even // 2)
        self._n_in += len(ints)
        out: list[Window] = []
        # The resampler and the VAD are chunking-invariant: feeding a huge chunk in blocks
        # gives the same windows, with bounded working memory.
        step = max(1, _BLOCK * self._rate // MODEL_RATE)  # inputs giving ~_BLOCK outputs
        for i in range(0, len(ints), step):
            floats = ints[i : i + step].astype(np.float32) / np.float32(32768.0)
            out += self._feed(self._resampler.push(floats), final=False)
        return out

    def finish(self) -> list[Window]:
        """End of stream: flush everything and close the open utterance."""
        if self._closed:
            return []
        self._trim()
        self._closed = True
        return self._feed(self._resampler.flush(), final=True)

    def samples(self, window: Window) -> npt.NDArray[np.float32]:
        """The 16 kHz audio of a window returned by the latest :meth:`push`/:meth:`finish`.

        Raises:
            ValueError: the window's audio is no longer (or was never) buffered.
        """
        a = round(window.start_s * MODEL_RATE)
        b = round(window.end_s * MODEL_RATE)
        if a < self._audio.start or b > self._audio.end or b < a:
            raise ValueError("the audio of this window is no longer buffered")
        return self._audio.copy(a, b)

    def features(self, window: Window) -> VoiceFeatures:
        """The acoustic features of a window returned by the latest :meth:`push`/
        :meth:`finish`, from the measurements the VAD made of its frames (the same as
        :func:`~mockserver.media.voice.analyse_voice` of the window's audio, except that the
        first frame is measured with the audio before it, and a last partial frame with the
        audio after it, instead of zeros).

        Raises:
            ValueError: the window's measurements are no longer (or were never) kept.
        """
        a = round(window.start_s * MODEL_RATE) // self._frame
        b = -(-round(window.end_s * MODEL_RATE) // self._frame)
        return voice_features(self._vad.stats(a, max(b, a + 1)), MODEL_RATE)

    # -- internals -------------------------------------------------------------------------

    def _trim(self) -> None:
        """Drop audio no future window needs (windows returned earlier keep theirs till now)."""
        keep = self._utt_start if self._utt_start is not None else self._decided * self._frame
        self._audio.drop_before(keep)
        self._vad.forget_stats_before(keep // self._frame)

    def _feed(self, resampled: npt.NDArray[np.float32], *, final: bool) -> list[Window]:
        self._audio.append(resampled)
        self._total += len(resampled)
        decisions = self._vad.push(resampled) if len(resampled) else []
        if final:
            decisions = decisions + self._vad.flush()
        out: list[Window] = []
        for speech in decisions:
            self._decide(speech, out)
        if final and self._utt_start is not None:
            self._close(out)
        return out

    def _decide(self, speech: bool, out: list[Window]) -> None:
        """Apply one VAD decision (frame ``self._decided``)."""
        frame_end = (self._decided + 1) * self._frame
        self._decided += 1
        if speech:
            if self._utt_start is None:
                self._utt_start = self._next_seg = frame_end - self._frame
            # Only the flushed, zero-padded last frame can reach past the audio received.
            self._speech_end = min(frame_end, self._total)
            while self._speech_end - self._next_seg >= self._segment:
                out.append(self._window("segment", self._next_seg, self._next_seg + self._segment))
                self._next_seg += self._segment
            if self._max_utt is not None and self._speech_end - self._utt_start >= self._max_utt:
                self._close(out)
        elif self._utt_start is not None and frame_end - self._speech_end >= self._gap:
            self._close(out)

    def _close(self, out: list[Window]) -> None:
        """End the open utterance at its last speech frame: tail segment, then utterance."""
        assert self._utt_start is not None
        tail = self._speech_end - self._next_seg
        if tail >= max(self._min_tail, _SHORTEST_SEGMENT):
            out.append(self._window("segment", self._next_seg, self._speech_end))
        out.append(self._window("utterance", self._utt_start, self._speech_end))
        self._utt_index += 1
        self._utt_start = None

    def _window(self, level: Literal["segment", "utterance"], a: int, b: int) -> Window:
        return Window(level, a / MODEL_RATE, b / MODEL_RATE, self._utt_index)
