"""Hume ``burst`` model: one prediction per vocal burst (laugh, sigh, "Oh!") in a payload.

Implements the ``burst`` item of Hume's streaming definition (``time`` + 48 ``emotions``; no
``descriptions`` in streaming, unlike batch), the W0101 case, "No vocal bursts could be
detected in the streamed media." (signalled by ``None``), and the stream timestamps.

Detection: a vocal burst is a short voiced event, ``MIN_BURST_S`` to ``MAX_BURST_S`` long
(0.15-1.2 s, including the VAD's 40 ms padding on each side), isolated from other sound by at
least ``ISOLATION_S`` (0.4 s) of silence on both sides. It is found with
:func:`~mockserver.media.voice.detect_speech` merging gaps shorter than ``ISOLATION_S`` and
keeping the segments of burst length, so continuous speech is not a burst. The start and end
of the clip count as silence (a tightly trimmed "Ha!" is a burst).

Scores: :func:`~mockserver.vendors.hume.prosody.voice_affect` (loudness, pitch spread and
rate -> arousal; brightness and contour -> valence; loudness -> intensity) with arousal raised
by 0.2 (bursts are by nature more activated than running speech) and burst-type boosts
(<= 0.15): a loud, short, voiced burst -> Amusement; a lively pitch contour -> Surprise
(positive or negative, by valence); a breathy (partly unvoiced) one -> Relief / Tiredness.
Noise comes from ``seeds.uniforms(48, "hume", "burst", <quantised features>, begin_ms,
end_ms)`` with positions relative to the clip.
"""

from __future__ import annotations

from typing import Any

from mockserver.core.rng import SeedSource
from mockserver.media.audio import AudioClip
from mockserver.media.voice import SpeechRuns, VoiceFeatures, detect_speech
from mockserver.vendors.hume.prosody import segment_item

__all__ = ["ISOLATION_S", "MAX_BURST_S", "MIN_BURST_S", "predict_bursts"]

MIN_BURST_S = 0.15  #: shortest burst
MAX_BURST_S = 1.2  #: longest burst; longer voiced stretches are speech
ISOLATION_S = 0.4  #: silence required before and after a burst


def _clip(value: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return max(lo, min(hi, value))


def _burst_boosts(features: VoiceFeatures, duration_s: float, valence: float) -> dict[str, float]:
    loud = _clip((features.loudness_dbfs + 35.0) / 20.0)
    short = _clip((0.8 - duration_s) / 0.5)
    lively = _clip(features.pitch_spread_st / 4.0)
    breathy = _clip(1.0 - features.voiced_fraction)
    surprise = "Surprise (positive)" if valence >= 0.0 else "Surprise (negative)"
    return {
        "Amusement": 0.15 * loud * short * features.voiced_fraction,
        surprise: 0.12 * lively,
        "Relief": 0.12 * breathy,
        "Tiredness": 0.06 * breathy * (1.0 - loud),
    }


def predict_bursts(
    clip: AudioClip, *, time_offset_s: float, seeds: SeedSource, runs: SpeechRuns | None = None
) -> list[dict[str, Any]] | None:
    """Vocal-burst predictions for a decoded payload, or ``None`` if there is no burst.

    ``runs``: the clip's :func:`~mockserver.media.voice.speech_runs`, if already computed.
    """
    segments = detect_speech(clip, min_speech_s=MIN_BURST_S, min_silence_s=ISOLATION_S, runs=runs)
    items = [
        item
        for segment in segments
        if MIN_BURST_S <= segment.end_s - segment.start_s <= MAX_BURST_S
        and (
            item := segment_item(
                clip,
                segment,
                time_offset_s=time_offset_s,
                seeds=seeds,
                model="burst",
                boosts=_burst_boosts,
                arousal_shift=0.2,
            )
        )
        is not None
    ]
    return items or None
