"""Voice activity detection and acoustic features (vendor-neutral).

Behavioral Signals "detects voice activity first" and sends nothing for silence or non-speech
(https://behavioralsignals.readme.io/docs/real-time-deepfake-detection); Hume's audio models
answer the W0105 / W0101 warnings ("No speech detected.", "No vocal bursts could be
detected in the streamed media."). Both emulators use
:class:`FrameVad` / :func:`detect_speech` for that, and :func:`analyse_voice` to measure what
their expression scores are derived from.

Frames: ``FRAME_S`` = 20 ms, frame ``i`` covers samples ``[i * F, (i + 1) * F)`` with
``F = round(FRAME_S * sample_rate)``, at fixed positions from the start of the stream.

Raw per-frame decision (absolute thresholds, never relative to the chunk or the clip, so that
chunking cannot change a decision and quiet speech is still speech): the frame is voiced when

* its RMS level is at least ``LEVEL_DBFS`` (-50 dBFS; ``20 * log10(rms)``, full-scale square
  wave = 0 dBFS), and
* the normalised autocorrelation of the 40 ms window ending at the frame's end (the frame and
  the previous one; zeros before the stream) has a local peak of at least ``PERIODICITY``
  (0.5) at a lag between 2.5 ms and 16.7 ms (60 to 400 Hz). Steady noise, digital silence
  and clicks have no such peak;
* the frame is not part of a **steady tone**: ``STEADY_FRAMES`` (10 frames = 200 ms)
  consecutive frames that are all voiced by the two tests above, whose pitch estimates span
  at most ``STEADY_PITCH_ST`` (0.1 semitone) and whose levels span at most
  ``STEADY_LEVEL_DB`` (3 dB). A pure sine, a sum of steady sines or mains hum is periodic
  and loud, but its pitch does not move at all; the pitch of speech, even of a held vowel,
  moves by more (at least 0.4 semitone over any 200 ms of the speech fixtures). Tones
  shorter than 200 ms are not recognised.

Smoothing, each step a fixed-size window operation on the raw decisions (so the result is
the same for any chunking; frames before the stream start and after its end count as
unvoiced):

1. bridge gaps of at most ``BRIDGE_FRAMES`` (10 frames = 200 ms) between voiced frames
   (unvoiced consonants, short pauses inside words);
2. drop runs shorter than ``MIN_RUN_FRAMES`` (3 frames = 60 ms; clicks, blips);
3. pad each run by ``PAD_FRAMES`` (2 frames = 40 ms) on both sides (onsets, fricative tails).

A frame's decision therefore depends on the raw decisions of the 14 frames before and after
it, and a raw decision on the measurements of the 9 frames before and after it (the steady
tone test): :class:`FrameVad` emits it ``DELAY_FRAMES`` (23 frames = 460 ms) after the
frame is complete, and :meth:`FrameVad.flush` emits the rest at end of stream.

:func:`analyse_voice` measures pitch and voicing without the steady-tone test: it describes
audio, it does not decide what is speech.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from mockserver.media.audio import AudioClip

__all__ = [
    "BRIDGE_FRAMES",
    "DELAY_FRAMES",
    "FRAME_S",
    "LEVEL_DBFS",
    "MIN_RUN_FRAMES",
    "PAD_FRAMES",
    "PERIODICITY",
    "STEADY_FRAMES",
    "STEADY_LEVEL_DB",
    "STEADY_PITCH_ST",
    "FrameStats",
    "FrameVad",
    "SpeechRuns",
    "SpeechSegment",
    "VoiceFeatures",
    "analyse_voice",
    "detect_speech",
    "speech_runs",
    "voice_features",
]

FRAME_S = 0.02  #: frame hop and length in seconds
WINDOW_FRAMES = 2  # analysis window, in frames, ending at the frame's end
LEVEL_DBFS = -50.0  #: minimum frame RMS level of a voiced frame
PERIODICITY = 0.5  #: minimum normalised-autocorrelation peak of a voiced frame
F0_MIN_HZ = 60.0
F0_MAX_HZ = 400.0
BRIDGE_FRAMES = 10  #: longest gap (frames) filled between voiced frames
MIN_RUN_FRAMES = 3  #: shortest run (frames) kept after bridging
PAD_FRAMES = 2  #: frames added before and after each run
STEADY_FRAMES = 10  #: length (frames) of the window a steady tone is recognised in
STEADY_PITCH_ST = 0.1  #: largest pitch span (semitones) of a steady tone's window
STEADY_LEVEL_DB = 3.0  #: largest level span (dB) of a steady tone's window
_SMOOTH_FRAMES = BRIDGE_FRAMES + MIN_RUN_FRAMES - 1 + PAD_FRAMES  # smoothing context (frames)
_STEADY_CONTEXT = STEADY_FRAMES - 1  # frames a raw decision looks back and ahead
DELAY_FRAMES = _SMOOTH_FRAMES + _STEADY_CONTEXT  #: decision delay (frames)
_FLOOR_DBFS = -120.0
_OCTAVE_TOLERANCE = 0.85  # prefer the shortest lag whose peak is this close to the best
_SYLLABLE_PROMINENCE_DB = 4.0

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def _frame_length(sample_rate: int) -> int:
    if sample_rate <= 0:
        raise ValueError("sample_rate must be positive")
    return max(1, round(FRAME_S * sample_rate))


@dataclass(frozen=True, slots=True)
class FrameStats:
    """Per-frame measurements (one entry per frame), what :func:`voice_features` summarises.

    :class:`FrameVad` (``keep_stats=True``) keeps those of the frames it analysed, so that a
    stream's windows are described without analysing their audio again.
    """

    level_db: FloatArray  # RMS level of the frame, dBFS
    periodicity: FloatArray  # best normalised autocorrelation peak in the F0 range, 0 if none
    f0_hz: FloatArray  # F0 from the chosen autocorrelation peak, NaN if none
    centroid_hz: FloatArray  # spectral centroid of the analysis window (magnitude-weighted)

    def __len__(self) -> int:
        return len(self.level_db)

    def slice(self, a: int, b: int) -> FrameStats:
        """Frames ``a .. b - 1`` (copies)."""
        return FrameStats(
            self.level_db[a:b].copy(), self.periodicity[a:b].copy(),
            self.f0_hz[a:b].copy(), self.centroid_hz[a:b].copy(),
        )  # fmt: skip

    @staticmethod
    def join(parts: list[FrameStats]) -> FrameStats:
        """The frames of ``parts``, in order."""
        return FrameStats(
            np.concatenate([p.level_db for p in parts]),
            np.concatenate([p.periodicity for p in parts]),
            np.concatenate([p.f0_hz for p in parts]),
            np.concatenate([p.centroid_hz for p in parts]),
        )

    @property
    def voiced(self) -> BoolArray:
        """Loud and periodic frames (before the steady-tone test and smoothing)."""
        return np.asarray((self.level_db >= LEVEL_DBFS) & (self.periodicity >= PERIODICITY))


def _steady(voiced: BoolArray, f0_hz: FloatArray, level_db: FloatArray) -> BoolArray:
    """Frames inside a steady tone, for ``voiced[_STEADY_CONTEXT : len - _STEADY_CONTEXT]``.

    The arrays hold per-frame measurements with ``_STEADY_CONTEXT`` frames of context on each
    side; a frame is steady when some window of ``STEADY_FRAMES`` frames that contains it is
    all voiced with a pitch span <= ``STEADY_PITCH_ST`` and a level span <=
    ``STEADY_LEVEL_DB`` (module docstring).
    """
    n, w = len(voiced), STEADY_FRAMES
    inner = n - 2 * _STEADY_CONTEXT
    if inner <= 0:
        return np.zeros(0, dtype=np.bool_)
    semitones = 12.0 * np.log2(np.where(voiced & (f0_hz > 0.0), f0_hz, 1.0))
    windows = n - w + 1  # window k covers frames k .. k + w - 1
    all_voiced = np.ones(windows, dtype=np.bool_)
    st_hi = np.full(windows, -np.inf)
    st_lo = np.full(windows, np.inf)
    db_hi = np.full(windows, -np.inf)
    db_lo = np.full(windows, np.inf)
    for d in range(w):
        all_voiced &= voiced[d : d + windows]
        st_hi = np.maximum(st_hi, semitones[d : d + windows])
        st_lo = np.minimum(st_lo, semitones[d : d + windows])
        db_hi = np.maximum(db_hi, level_db[d : d + windows])
        db_lo = np.minimum(db_lo, level_db[d : d + windows])
    tone = all_voiced & (st_hi - st_lo <= STEADY_PITCH_ST) & (db_hi - db_lo <= STEADY_LEVEL_DB)
    # Inner frame j (absolute j + _STEADY_CONTEXT) lies in windows j .. j + w - 1.
    out = np.zeros(inner, dtype=np.bool_)
    for d in range(w):
        out |= tone[d : d + inner]
    return out


def _analyse_frames(windows: FloatArray, frame: int, sample_rate: int) -> FrameStats:
    """Measure frames from their analysis windows, shape ``(n, WINDOW_FRAMES * frame)``.

    Each row is processed on its own (row-wise FFTs and elementwise maths), so a frame's
    result does not depend on which other frames share the batch.
    """
    n, width = windows.shape
    if n == 0:
        empty = np.zeros(0, dtype=np.float64)
        return FrameStats(empty, empty, empty, empty)
    own = windows[:, width - frame :]
    power = np.mean(own * own, axis=1)
    level_db = 10.0 * np.log10(np.maximum(power, 10.0 ** (_FLOOR_DBFS / 10.0)))

    x = windows - windows.mean(axis=1, keepdims=True)
    nfft = 2 * width
    spec = np.fft.rfft(x, n=nfft, axis=1)
    ac = np.fft.irfft(spec.real**2 + spec.imag**2, n=nfft, axis=1)[:, :width]
    sq = np.cumsum(x * x, axis=1)
    total = sq[:, -1:]
    lag_min = max(1, math.floor(sample_rate / F0_MAX_HZ))
    lag_max = min(width - 2, math.ceil(sample_rate / F0_MIN_HZ))
    periodicity = np.zeros(n, dtype=np.float64)
    f0 = np.full(n, np.nan, dtype=np.float64)
    if lag_max - lag_min >= 2:
        lags = np.arange(lag_min - 1, lag_max + 2)
        head = sq[:, width - 1 - lags]  # energy of x[0 : width - lag]
        tail = total - np.where(lags > 0, sq[:, np.maximum(lags - 1, 0)], 0.0)  # x[lag:]
        denom = np.sqrt(np.maximum(head * tail, 0.0))
        r = np.where(denom > 1e-20, ac[:, lags] / np.where(denom > 1e-20, denom, 1.0), 0.0)
        mid = r[:, 1:-1]
        peak = (mid >= r[:, :-2]) & (mid > r[:, 2:]) & (mid > 0.0)
        masked = np.where(peak, mid, -np.inf)
        best = masked.max(axis=1)
        has = np.isfinite(best)
        periodicity = np.where(has, best, 0.0)
        # Shortest lag whose peak is nearly as good as the best one (avoids octave drops).
        good = peak & (mid >= _OCTAVE_TOLERANCE * np.where(has, best, np.inf)[:, None])
        pick = np.argmax(good, axis=1)
        rows = np.arange(n)
        y0 = r[rows, pick]
        y1 = r[rows, pick + 1]
        y2 = r[rows, pick + 2]
        curv = y0 - 2.0 * y1 + y2
        shift = np.where(curv < 0.0, 0.5 * (y0 - y2) / np.where(curv < 0.0, curv, -1.0), 0.0)
        lag = lags[pick + 1] + np.clip(shift, -0.5, 0.5)
        f0 = np.where(has, sample_rate / lag, np.nan)

    hann = np.hanning(width)
    mag = np.abs(np.fft.rfft(windows * hann, axis=1))
    freqs = np.fft.rfftfreq(width, 1.0 / sample_rate)
    msum = mag.sum(axis=1)
    centroid = np.where(msum > 0.0, (mag @ freqs) / np.where(msum > 0.0, msum, 1.0), 0.0)
    return FrameStats(level_db, periodicity, f0, centroid)


def _windows(samples: FloatArray, frame: int, n_frames: int) -> FloatArray:
    """Analysis windows of ``n_frames`` frames from ``samples`` (which starts with context)."""
    width = WINDOW_FRAMES * frame
    view = np.lib.stride_tricks.sliding_window_view(samples, width)[::frame][:n_frames]
    return np.asarray(view, dtype=np.float64)


def _smooth(raw: BoolArray) -> BoolArray:
    """Smoothed decisions for ``raw[_SMOOTH_FRAMES : len(raw) - _SMOOTH_FRAMES]``.

    ``raw`` holds the raw decisions with ``_SMOOTH_FRAMES`` frames of context on each side.
    """
    g, m, p = BRIDGE_FRAMES, MIN_RUN_FRAMES, PAD_FRAMES
    n = len(raw)
    if n <= 2 * _SMOOTH_FRAMES:
        return np.zeros(0, dtype=np.bool_)
    # 1. Bridge: voiced on both sides within a gap of at most g frames. Output covers [g, n-g).
    core = raw[g : n - g]
    left = np.full(len(core), g + 1, dtype=np.int64)
    right = np.full(len(core), g + 1, dtype=np.int64)
    for d in range(g, 0, -1):  # smallest distance wins (assigned last)
        left = np.where(raw[g - d : n - g - d], d, left)
        right = np.where(raw[g + d : n - g + d], d, right)
    bridged = core | (left + right - 1 <= g)
    # 2. Keep runs of at least m frames. Output covers [g+m-1, n-g-m+1).
    nb = len(bridged)
    full = np.ones(nb - m + 1, dtype=np.bool_)
    for d in range(m):
        full &= bridged[d : nb - m + 1 + d]
    kept = np.zeros(nb - 2 * (m - 1), dtype=np.bool_)
    for d in range(m):
        kept |= full[d : d + len(kept)]
    kept &= bridged[m - 1 : nb - m + 1]
    # 3. Pad by p frames. Output covers [_SMOOTH_FRAMES, n - _SMOOTH_FRAMES).
    nk = len(kept)
    out = np.zeros(nk - 2 * p, dtype=np.bool_)
    for d in range(2 * p + 1):
        out |= kept[d : d + len(out)]
    return out


class FrameVad:
    """Streaming, chunking-invariant voice activity detector (module docstring: design).

    :meth:`push` returns one decision per frame, in frame order, each ``DELAY_FRAMES``
    frames after the frame completed; :meth:`flush` returns the remaining decisions
    (the last, partial frame zero-padded), for ``ceil(n_samples / frame_length)`` in total.
    """

    __slots__ = (
        "_closed", "_emitted", "_frame", "_kept", "_kept_start", "_measured", "_pending",
        "_rate", "_raw", "_raw_start",
    )  # fmt: skip

    def __init__(self, sample_rate: int = 16000, *, keep_stats: bool = False) -> None:
        """``keep_stats``: keep every analysed frame's :class:`FrameStats` (see
        :meth:`stats`; drop them with :meth:`forget_stats_before`)."""
        self._rate = sample_rate
        self._kept: FrameStats | None = _no_stats() if keep_stats else None
        self._kept_start = 0  # absolute frame index of _kept's first frame
        self._frame = _frame_length(sample_rate)
        context = (WINDOW_FRAMES - 1) * self._frame
        self._pending = np.zeros(context, dtype=np.float64)  # context + unframed samples
        # (voiced, f0, level) of the frames still without a raw decision, preceded by the
        # _STEADY_CONTEXT frames before them; unvoiced frames stand for the time before the
        # stream.
        self._measured = _unvoiced(_STEADY_CONTEXT)
        # Raw decisions from absolute frame _raw_start on; _SMOOTH_FRAMES unvoiced frames
        # stand for the time before the stream.
        self._raw = np.zeros(_SMOOTH_FRAMES, dtype=np.bool_)
        self._raw_start = -_SMOOTH_FRAMES
        self._emitted = 0  # frames decided so far
        self._closed = False

    @property
    def frame_length(self) -> int:
        """Samples per frame."""
        return self._frame

    @property
    def frame_s(self) -> float:
        """Frame duration in seconds (``frame_length / sample_rate``)."""
        return self._frame / self._rate

    @property
    def delay_frames(self) -> int:
        """Frames between a frame's completion and its decision."""
        return DELAY_FRAMES

    def _analyse(self, n_frames: int) -> None:
        if n_frames <= 0:
            return
        windows = _windows(self._pending, self._frame, n_frames)
        stats = _analyse_frames(windows, self._frame, self._rate)
        if self._kept is not None:
            self._kept = FrameStats.join([self._kept, stats])
        self._pending = self._pending[n_frames * self._frame :]
        self._measure((stats.voiced, stats.f0_hz, stats.level_db))

    def _measure(self, new: _Measured) -> None:
        """Append measurements; give raw decisions to the frames that now have their context."""
        voiced, f0, level = (np.concatenate(pair) for pair in zip(self._measured, new, strict=True))
        ready = len(voiced) - 2 * _STEADY_CONTEXT
        if ready > 0:
            inner = voiced[_STEADY_CONTEXT : _STEADY_CONTEXT + ready]
            raw = inner & ~_steady(voiced, f0, level)
            self._raw = np.concatenate((self._raw, raw))
            voiced, f0, level = voiced[ready:], f0[ready:], level[ready:]
        self._measured = (np.asarray(voiced, dtype=np.bool_), f0, level)

    def _decide(self, end: int) -> list[bool]:
        """Decide frames ``_emitted .. end - 1`` (needs raw up to ``end + _SMOOTH_FRAMES``)."""
        if end <= self._emitted:
            return []
        lo = self._emitted - _SMOOTH_FRAMES - self._raw_start
        hi = end + _SMOOTH_FRAMES - self._raw_start
        decisions = _smooth(self._raw[lo:hi])
        self._emitted = end
        # Keep only the context the next decision needs.
        drop = self._emitted - _SMOOTH_FRAMES - self._raw_start
        if drop > 0:
            self._raw = self._raw[drop:]
            self._raw_start += drop
        return [bool(v) for v in decisions]

    def stats(self, a: int, b: int) -> FrameStats:
        """The kept measurements of absolute frames ``a .. b - 1`` (all analysed and kept).

        Raises:
            ValueError: not kept (``keep_stats`` off, forgotten, or not analysed yet).
        """
        kept = self._kept
        lo, hi = a - self._kept_start, b - self._kept_start
        if kept is None or lo < 0 or hi > len(kept) or hi < lo:
            raise ValueError(f"the measurements of frames {a}..{b - 1} are not kept")
        return kept.slice(lo, hi)

    def forget_stats_before(self, frame: int) -> None:
        """Drop the kept measurements of frames before absolute frame ``frame``."""
        kept = self._kept
        drop = min(max(0, frame - self._kept_start), len(kept)) if kept is not None else 0
        if kept is not None and drop:
            self._kept = kept.slice(drop, len(kept))
            self._kept_start += drop

    def push(self, samples: npt.NDArray[np.floating] | npt.ArrayLike) -> list[bool]:
        """Add samples; return the decisions that became final (True = speech)."""
        if self._closed:
            raise RuntimeError("push() after flush()")
        data = np.asarray(samples, dtype=np.float64).reshape(-1)
        if len(data):
            self._pending = np.concatenate((self._pending, data))
        context = (WINDOW_FRAMES - 1) * self._frame
        self._analyse((len(self._pending) - context) // self._frame)
        raw_end = self._raw_start + len(self._raw)
        return self._decide(raw_end - _SMOOTH_FRAMES)

    def flush(self) -> list[bool]:
        """End the stream and return the remaining decisions."""
        if self._closed:
            return []
        self._closed = True
        context = (WINDOW_FRAMES - 1) * self._frame
        if len(self._pending) > context:
            short = self._frame - (len(self._pending) - context)
            self._pending = np.concatenate((self._pending, np.zeros(short)))
            self._analyse(1)
        self._measure(_unvoiced(_STEADY_CONTEXT))  # the time after the stream
        analysed = self._raw_start + len(self._raw)
        self._raw = np.concatenate((self._raw, np.zeros(_SMOOTH_FRAMES, dtype=np.bool_)))
        return self._decide(analysed)


_Measured = tuple[BoolArray, FloatArray, FloatArray]  # per frame: voiced, f0 (Hz), level (dBFS)


def _no_stats() -> FrameStats:
    empty = np.zeros(0, dtype=np.float64)
    return FrameStats(empty, empty, empty, empty)


def _unvoiced(n: int) -> _Measured:
    """Measurements of ``n`` frames of silence (outside the stream)."""
    return (
        np.zeros(n, dtype=np.bool_),
        np.full(n, np.nan, dtype=np.float64),
        np.full(n, _FLOOR_DBFS, dtype=np.float64),
    )


@dataclass(frozen=True, slots=True)
class SpeechSegment:
    """A stretch of detected speech, in seconds from the start of the clip."""

    start_s: float
    end_s: float


SpeechRuns = tuple[tuple[float, float], ...]


def speech_runs(clip: AudioClip) -> SpeechRuns:
    """``(start_s, end_s)`` of every run of speech frames, from the decisions :class:`FrameVad`
    streams (end clamped to the clip's duration); :func:`detect_speech` merges them."""
    vad = FrameVad(clip.sample_rate)
    decisions = vad.push(clip.samples) + vad.flush()
    step = vad.frame_s
    duration = clip.duration_s
    runs: list[tuple[float, float]] = []
    start: int | None = None
    for i, speech in enumerate([*decisions, False]):
        if speech and start is None:
            start = i
        elif not speech and start is not None:
            runs.append((start * step, min(i * step, duration)))
            start = None
    return tuple(runs)


def detect_speech(
    clip: AudioClip,
    *,
    min_speech_s: float = 0.1,
    min_silence_s: float = 0.3,
    runs: SpeechRuns | None = None,
) -> list[SpeechSegment]:
    """Speech segments of a clip, from the same decisions :class:`FrameVad` streams.

    The :func:`speech_runs` of the clip (pass ``runs`` when already computed: the VAD is
    the costly part) separated by less than ``min_silence_s`` are merged; then segments
    shorter than ``min_speech_s`` are dropped.
    """
    merged: list[list[float]] = []
    for start, end in speech_runs(clip) if runs is None else runs:
        if merged and start - merged[-1][1] < min_silence_s:
            merged[-1][1] = end
        else:
            merged.append([start, end])
    return [SpeechSegment(a, b) for a, b in merged if b - a >= min_speech_s and b > a]


@dataclass(frozen=True, slots=True)
class VoiceFeatures:
    """Acoustic summary of a stretch of audio (see :func:`analyse_voice`)."""

    loudness_dbfs: float  # RMS level of the voiced frames (all frames if none), dBFS
    pitch_hz: float | None  # median F0 of the voiced frames; None if no frame is voiced
    pitch_spread_st: float  # robust std of F0 in semitones: IQR / 1.349
    speaking_rate: float  # syllable-like level peaks per second of (smoothed) speech
    voiced_fraction: float  # voiced frames / all frames
    brightness_hz: float  # median spectral centroid of the voiced frames (all if none)


def _syllable_peaks(level_db: FloatArray, voiced: BoolArray) -> int:
    """Count level peaks at least ``_SYLLABLE_PROMINENCE_DB`` above the dips around them."""
    if len(level_db) < 3:
        return int(voiced.any())
    power = 10.0 ** (level_db / 10.0)
    smooth = np.convolve(np.pad(power, 1, mode="edge"), np.ones(3) / 3.0, mode="valid")
    env = 10.0 * np.log10(np.maximum(smooth, 10.0 ** (_FLOOR_DBFS / 10.0)))
    count = 0
    rising = False  # hysteresis: looking for a peak (True) or for a dip (False)
    low, high, high_voiced = math.inf, -math.inf, False
    for value, is_voiced in zip(env.tolist(), voiced.tolist(), strict=True):
        if rising:
            if value > high:
                high, high_voiced = value, is_voiced
            if high - value >= _SYLLABLE_PROMINENCE_DB:
                count += int(high_voiced and high >= LEVEL_DBFS)
                rising, low = False, value
        else:
            low = min(low, value)
            if value - low >= _SYLLABLE_PROMINENCE_DB:
                rising, high, high_voiced = True, value, is_voiced
    if rising:  # a prominent rise that the audio ended on
        count += int(high_voiced and high >= LEVEL_DBFS)
    return count


def analyse_voice(
    samples: npt.NDArray[np.floating] | npt.ArrayLike, sample_rate: int
) -> VoiceFeatures:
    """Measure loudness, pitch, pitch spread, speaking rate, voicing and brightness.

    Uses the :class:`FrameVad` frames and raw voicing decisions (module docstring); the
    first frame's analysis window starts with zeros, the last frame is zero-padded.
    """
    data = np.asarray(samples, dtype=np.float64).reshape(-1)
    frame = _frame_length(sample_rate)
    n_frames = max(1, -(-len(data) // frame))
    context = (WINDOW_FRAMES - 1) * frame
    padded = np.concatenate((np.zeros(context), data, np.zeros(n_frames * frame - len(data))))
    stats = _analyse_frames(_windows(padded, frame, n_frames), frame, sample_rate)
    return voice_features(stats, sample_rate)


def voice_features(stats: FrameStats, sample_rate: int) -> VoiceFeatures:
    """Summarise frame measurements (of at least one frame) as :class:`VoiceFeatures`."""
    frame = _frame_length(sample_rate)
    n_frames = len(stats)
    if n_frames == 0:
        raise ValueError("voice_features needs at least one frame")
    voiced = stats.voiced
    chosen = voiced if voiced.any() else np.ones(n_frames, dtype=np.bool_)
    loudness = 10.0 * np.log10(max(float(np.mean(10.0 ** (stats.level_db[chosen] / 10.0))), 1e-12))
    pitch: float | None = None
    spread = 0.0
    if voiced.any():
        f0 = stats.f0_hz[voiced]
        pitch = float(np.median(f0))
        semis = 12.0 * np.log2(f0 / pitch)
        q75, q25 = np.percentile(semis, [75.0, 25.0])
        spread = float((q75 - q25) / 1.349)
    raw = np.concatenate(
        (np.zeros(_SMOOTH_FRAMES, np.bool_), voiced, np.zeros(_SMOOTH_FRAMES, np.bool_))
    )
    active_s = float(np.count_nonzero(_smooth(raw))) * frame / sample_rate
    peaks = _syllable_peaks(stats.level_db, voiced)
    rate = peaks / active_s if active_s > 0.0 else 0.0
    return VoiceFeatures(
        loudness_dbfs=max(_FLOOR_DBFS, float(loudness)),
        pitch_hz=pitch,
        pitch_spread_st=spread,
        speaking_rate=float(rate),
        voiced_fraction=float(np.count_nonzero(voiced)) / n_frames,
        brightness_hz=float(np.median(stats.centroid_hz[chosen])),
    )
