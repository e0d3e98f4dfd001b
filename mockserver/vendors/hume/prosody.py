"""Hume ``prosody`` model: one prediction per stretch of speech in an audio payload.

Implements the ``prosody`` item of Hume's streaming definition (``time`` + 48 ``emotions``),
the W0105 case, "No speech detected." (signalled by ``None``), and the stream timestamps
(seconds on the session clock: ``time_offset_s`` + position in the clip).

Segmentation: :func:`~mockserver.media.voice.detect_speech` with gaps shorter than
``MERGE_GAP_S`` merged, so a sentence is one item.

Scores (:func:`voice_affect`, documented mapping, all terms clipped to [-1, 1]):

* arousal = 0.6 * (loudness + 26 dBFS) / 12 dB + 0.2 * (speaking rate - 4 /s) / 3
  + 0.2 * (pitch spread - 2 st) / 2;
* valence = 0.5 * (brightness - 1200 Hz) / 1200 Hz + 0.5 * (pitch spread - 2 st) / 3
  (bright, melodic voices read as positive; dull, monotone ones as negative);
* intensity = (loudness + 50 dBFS) / 35 dB, clipped to [0, 1];
* small boosts (<= 0.12): lively contour -> Interest / Surprise (positive); quiet, slow and
  flat -> Tiredness / Boredom / Calmness; loud and fast -> Determination / Excitement.

Noise comes from ``seeds.uniforms(48, "hume", "prosody", <quantised features>, begin_ms,
end_ms)`` with positions relative to the clip, so the same audio scores the same at any
``time_offset_s``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from mockserver.core.rng import SeedSource
from mockserver.media.audio import AudioClip
from mockserver.media.voice import (
    SpeechRuns,
    SpeechSegment,
    VoiceFeatures,
    analyse_voice,
    detect_speech,
)
from mockserver.vendors.hume.affect import expression_scores, named_scores
from mockserver.vendors.hume.labels import EXPRESSION_NAMES

__all__ = [
    "MERGE_GAP_S",
    "BoostRule",
    "feature_key",
    "predict_prosody",
    "prediction_item",
    "segment_item",
    "time_range",
    "voice_affect",
]

MERGE_GAP_S = 0.5  #: pauses shorter than this stay inside one prosody item
MIN_SPEECH_S = 0.1  #: shortest prosody item


def _clip(value: float, lo: float = -1.0, hi: float = 1.0) -> float:
    return max(lo, min(hi, value))


def voice_affect(features: VoiceFeatures) -> tuple[float, float, float]:
    """Map voice features to ``(valence, arousal, intensity)`` (module docstring)."""
    loud = _clip((features.loudness_dbfs + 26.0) / 12.0)
    rate = _clip((features.speaking_rate - 4.0) / 3.0)
    spread_a = _clip((features.pitch_spread_st - 2.0) / 2.0)
    arousal = _clip(0.6 * loud + 0.2 * rate + 0.2 * spread_a)
    bright = _clip((features.brightness_hz - 1200.0) / 1200.0)
    spread_v = _clip((features.pitch_spread_st - 2.0) / 3.0)
    valence = _clip(0.5 * bright + 0.5 * spread_v)
    intensity = _clip((features.loudness_dbfs + 50.0) / 35.0, 0.0, 1.0)
    return valence, arousal, intensity


def _prosody_boosts(features: VoiceFeatures) -> dict[str, float]:
    lively = _clip((features.pitch_spread_st - 3.0) / 3.0, 0.0, 1.0)
    quiet = _clip((-30.0 - features.loudness_dbfs) / 10.0, 0.0, 1.0)
    slow = _clip((4.0 - features.speaking_rate) / 3.0, 0.0, 1.0)
    flat = _clip((2.5 - features.pitch_spread_st) / 2.5, 0.0, 1.0)
    loud = _clip((features.loudness_dbfs + 20.0) / 10.0, 0.0, 1.0)
    fast = _clip((features.speaking_rate - 3.0) / 3.0, 0.0, 1.0)
    low_energy = quiet * (0.5 + 0.25 * slow + 0.25 * flat)
    return {
        "Interest": 0.10 * lively,
        "Surprise (positive)": 0.06 * lively,
        "Tiredness": 0.12 * low_energy,
        "Boredom": 0.08 * low_energy,
        "Calmness": 0.08 * quiet,
        "Determination": 0.10 * loud * (0.5 + 0.5 * fast),
        "Excitement": 0.08 * loud * (0.5 + 0.5 * fast),
    }


def feature_key(features: VoiceFeatures) -> tuple[int, ...]:
    """Quantised features, used as part of the noise key (content-keyed randomness)."""
    return (
        round(features.loudness_dbfs * 10.0),
        round(features.pitch_hz or 0.0),
        round(features.pitch_spread_st * 100.0),
        round(features.speaking_rate * 100.0),
        round(features.voiced_fraction * 1000.0),
        round(features.brightness_hz),
    )


def time_range(
    clip: AudioClip, segment: SpeechSegment, time_offset_s: float
) -> tuple[float, float]:
    """``(begin, end)`` on the session clock, rounded to ms, kept inside the clip."""
    upper = math.floor((time_offset_s + clip.duration_s) * 1000.0) / 1000.0
    begin = round(time_offset_s + segment.start_s, 3)
    end = min(round(time_offset_s + segment.end_s, 3), upper)
    return begin, end


def prediction_item(
    begin: float,
    end: float,
    valence: float,
    arousal: float,
    *,
    intensity: float,
    noise: list[float],
    boosts: dict[str, float],
) -> dict[str, Any]:
    """One ``{"time": {begin, end}, "emotions": [...48...]}`` item."""
    scores = expression_scores(
        EXPRESSION_NAMES, valence, arousal, intensity=intensity, noise=noise, boosts=boosts
    )
    return {
        "time": {"begin": begin, "end": end},
        "emotions": named_scores(EXPRESSION_NAMES, scores),
    }


#: Extra evidence for a segment: ``(features, duration_s, valence) -> boosts``.
BoostRule = Callable[[VoiceFeatures, float, float], dict[str, float]]


def segment_item(
    clip: AudioClip,
    segment: SpeechSegment,
    *,
    time_offset_s: float,
    seeds: SeedSource,
    model: str,
    boosts: BoostRule,
    arousal_shift: float = 0.0,
) -> dict[str, Any] | None:
    """Score one detected segment of ``clip`` for ``model``; None if it is empty after rounding."""
    begin, end = time_range(clip, segment, time_offset_s)
    if end <= begin:
        return None
    rate = clip.sample_rate
    audio = clip.samples[round(segment.start_s * rate) : round(segment.end_s * rate)]
    features = analyse_voice(audio, rate)
    valence, arousal, intensity = voice_affect(features)
    arousal = min(1.0, arousal + arousal_shift)
    noise = seeds.uniforms(
        len(EXPRESSION_NAMES),
        "hume",
        model,
        *feature_key(features),
        round(segment.start_s * 1000.0),
        round(segment.end_s * 1000.0),
    )
    return prediction_item(
        begin,
        end,
        valence,
        arousal,
        intensity=intensity,
        noise=noise,
        boosts=boosts(features, segment.end_s - segment.start_s, valence),
    )


def predict_prosody(
    clip: AudioClip, *, time_offset_s: float, seeds: SeedSource, runs: SpeechRuns | None = None
) -> list[dict[str, Any]] | None:
    """Prosody predictions for a decoded payload, or ``None`` if it contains no speech.

    ``runs``: the clip's :func:`~mockserver.media.voice.speech_runs`, if already computed.
    """
    segments = detect_speech(clip, min_speech_s=MIN_SPEECH_S, min_silence_s=MERGE_GAP_S, runs=runs)
    items = [
        item
        for segment in segments
        if (
            item := segment_item(
                clip,
                segment,
                time_offset_s=time_offset_s,
                seeds=seeds,
                model="prosody",
                boosts=lambda features, _duration, _valence: _prosody_boosts(features),
            )
        )
        is not None
    ]
    return items or None
