"""Tests of voice activity detection and voice features."""

from __future__ import annotations

import itertools
import math
import wave

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver.media.audio import AudioClip, decode_audio, pcm16le_to_float
from mockserver.media.resample import StreamResampler
from mockserver.media.voice import (
    DELAY_FRAMES,
    FrameVad,
    SpeechSegment,
    analyse_voice,
    detect_speech,
    speech_runs,
    voice_features,
)
from mockserver.resources import fixture_path

from .builders import SR, silence, speech_like


def white_noise(
    seconds: float, rms: float, rate: int = SR, seed: int = 0
) -> npt.NDArray[np.float32]:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(round(seconds * rate)) * rms).astype(np.float32)


def two_utterances(rate: int = SR) -> npt.NDArray[np.float32]:
    """0.5 s silence, 2 s speech, 1.5 s silence, 1.5 s speech, 0.5 s silence."""
    return np.concatenate(
        [
            silence(0.5, rate),
            speech_like(2.0, rate=rate),
            silence(1.5, rate),
            speech_like(1.5, rate=rate, f0=210.0),
            silence(0.5, rate),
        ]
    )


def _decide(samples: npt.NDArray[np.float32], cuts: list[int]) -> list[bool]:
    vad = FrameVad(SR)
    bounds = [0, *sorted(cuts), len(samples)]
    out: list[bool] = []
    for a, b in itertools.pairwise(bounds):
        out += vad.push(samples[a:b])
    return out + vad.flush()


def _near(segment: SpeechSegment, start: float, end: float, tol: float = 0.1) -> bool:
    return abs(segment.start_s - start) <= tol and abs(segment.end_s - end) <= tol


# --- FrameVad ---------------------------------------------------------------------------


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    length=st.integers(0, 3 * SR),
    cuts=st.lists(st.integers(0, 3 * SR), max_size=15),
    offset=st.integers(0, SR),
)
def test_decisions_do_not_depend_on_chunking(length: int, cuts: list[int], offset: int) -> None:
    samples = np.concatenate([silence(0.3), speech_like(1.0), silence(0.6), speech_like(0.4)])
    samples = np.roll(np.concatenate([samples, samples]), offset)[:length]
    whole = _decide(samples, [])
    assert len(whole) == math.ceil(length / 320)
    assert _decide(samples, [c for c in cuts if c <= length]) == whole


def test_one_sample_chunks_match() -> None:
    samples = np.concatenate([silence(0.2), speech_like(0.5), silence(0.1)])
    vad = FrameVad(SR)
    out: list[bool] = []
    for value in samples:
        out += vad.push(samples[:0])
        out += vad.push(np.array([value], dtype=np.float32))
    assert out + vad.flush() == _decide(samples, [])


def test_decisions_are_emitted_with_a_fixed_delay() -> None:
    vad = FrameVad(SR)
    assert vad.frame_length == 320
    assert vad.delay_frames == DELAY_FRAMES
    assert vad.push(speech_like(0.2)) == []  # 10 frames < delay
    out = vad.push(speech_like(1.0))
    assert len(out) == 60 - DELAY_FRAMES
    assert len(vad.flush()) == DELAY_FRAMES
    assert vad.flush() == []
    with pytest.raises(RuntimeError):
        vad.push(silence(0.1))


@pytest.mark.parametrize(
    "signal",
    [
        silence(2.0),
        white_noise(2.0, 0.001),  # -60 dBFS
        white_noise(2.0, 0.05),  # -26 dBFS: loud, but aperiodic
        np.full(SR, 0.2, dtype=np.float32),  # DC offset
    ],
    ids=["digital-silence", "noise-60dB", "noise-26dB", "dc"],
)
def test_non_speech_is_never_speech(signal: npt.NDArray[np.float32]) -> None:
    assert not any(_decide(signal, [1000]))
    assert detect_speech(AudioClip(signal, SR)) == []


def steady(seconds: float, *partials: tuple[float, float]) -> npt.NDArray[np.float32]:
    """A sum of steady sines, ``(frequency Hz, amplitude)`` each."""
    t = np.arange(round(seconds * SR)) / SR
    return sum((a * np.sin(2 * np.pi * f * t) for f, a in partials), np.zeros(len(t))).astype(
        np.float32
    )


STEADY_TONES = {
    "sine-150": steady(5.0, (150.0, 0.3)),
    "sine-440": steady(5.0, (440.0, 0.3)),
    "sine-1k": steady(5.0, (1000.0, 0.3)),
    "quiet-sine-100": steady(5.0, (100.0, 0.01)),  # -43 dBFS
    "harmonics-150-300": steady(5.0, (150.0, 0.3), (300.0, 0.1)),
    "chord-a-major": steady(5.0, (440.0, 0.1), (554.37, 0.1), (659.26, 0.1)),
    "hum-60": steady(5.0, *((60.0 * k, 0.1 / k) for k in range(1, 8))),
    "hum-50": steady(5.0, *((50.0 * k, 0.1 / k) for k in range(1, 8))),
}


@pytest.mark.parametrize("name", list(STEADY_TONES))
def test_steady_tones_are_not_speech(name: str) -> None:
    signal = STEADY_TONES[name]
    if name != "hum-50":  # its 20 ms period is longer than the pitch range's 16.7 ms
        assert analyse_voice(signal, SR).voiced_fraction > 0.95  # loud and periodic
    padded = np.concatenate([silence(0.5), signal, silence(0.5)])
    assert not any(_decide(padded, [1000, 40000]))
    assert detect_speech(AudioClip(padded, SR)) == []


def test_speech_next_to_or_over_a_steady_tone_is_still_speech() -> None:
    speech = speech_like(2.0)
    hum = STEADY_TONES["hum-60"][: len(speech)] * 0.1  # -30 dB below the hum tone above
    tone = STEADY_TONES["sine-440"][: 2 * SR]
    samples = np.concatenate([tone, silence(0.5), speech + hum, silence(0.5), tone])
    (segment,) = detect_speech(AudioClip(samples, SR))
    assert _near(segment, 2.5, 4.5)
    assert _decide(samples, [12345, 50000]) == _decide(samples, [])


def glide(seconds: float, semitones_per_s: float) -> npt.NDArray[np.float32]:
    """A 150 Hz harmonic tone whose pitch rises steadily at ``semitones_per_s``."""
    t = np.arange(round(seconds * SR)) / SR
    phase = 2 * np.pi * np.cumsum(150.0 * 2 ** (semitones_per_s * t / 12)) / SR
    return (0.3 * np.sin(phase) + 0.1 * np.sin(2 * phase)).astype(np.float32)


def test_pitch_movement_separates_speech_from_a_steady_tone() -> None:
    def speech_s(signal: npt.NDArray[np.float32]) -> float:
        padded = np.concatenate([silence(0.3), signal, silence(0.3)])
        return sum(s.end_s - s.start_s for s in detect_speech(AudioClip(padded, SR)))

    # 2 semitones a second is 0.4 semitone per 200 ms: the slowest the speech fixtures move
    assert speech_s(glide(2.0, 2.0)) > 1.9
    # 0.25 semitone a second is 0.05 per 200 ms, under STEADY_PITCH_ST: a drifting tone
    assert speech_s(glide(2.0, 0.25)) == 0.0


def test_clicks_are_not_speech() -> None:
    signal = silence(2.0)
    signal[8000:8040] = 0.9
    signal[20000:20030] = -0.9
    assert detect_speech(AudioClip(signal, SR)) == []


# --- detect_speech ----------------------------------------------------------------------


def test_two_utterances_give_two_segments() -> None:
    segments = detect_speech(AudioClip(two_utterances(), SR))
    assert len(segments) == 2
    assert _near(segments[0], 0.5, 2.5)
    assert _near(segments[1], 4.0, 5.5)


def test_quiet_speech_is_still_speech() -> None:
    quiet = speech_like(2.0, peak=10 ** (-30 / 20))  # -30 dBFS peak
    segments = detect_speech(AudioClip(np.concatenate([silence(0.5), quiet, silence(0.5)]), SR))
    assert len(segments) == 1
    assert _near(segments[0], 0.5, 2.5)


@pytest.mark.parametrize("rate", [8000, 11025, 44100, 48000])
def test_other_rates_after_resampling(rate: int) -> None:
    resampler = StreamResampler(rate)
    pcm = two_utterances(rate)
    audio = np.concatenate([resampler.push(pcm[i : i + 4000]) for i in range(0, len(pcm), 4000)])
    audio = np.concatenate([audio, resampler.flush()])
    segments = detect_speech(AudioClip(audio, SR))
    assert len(segments) == 2
    assert segments[1].start_s - segments[0].end_s > 1.2


def test_detect_speech_matches_frame_decisions() -> None:
    samples = np.concatenate([two_utterances(), speech_like(0.3), silence(0.25), speech_like(0.5)])
    decisions = _decide(samples, [])
    segments = detect_speech(AudioClip(samples, SR), min_speech_s=0.0, min_silence_s=0.0)
    starts = [i * 0.02 for i in range(len(decisions))]  # as detect_speech computes them
    covered = [any(s.start_s <= t < s.end_s for s in segments) for t in starts]
    assert covered == decisions
    assert len(segments) >= 3


def test_detect_speech_merges_short_gaps_and_drops_short_segments() -> None:
    samples = np.concatenate(
        [silence(0.5), speech_like(1.0), silence(0.4), speech_like(1.0), silence(0.5)]
    )
    clip = AudioClip(samples, SR)
    assert len(detect_speech(clip, min_silence_s=0.3)) == 2
    assert len(detect_speech(clip, min_silence_s=0.6)) == 1
    assert detect_speech(clip, min_speech_s=1.5) == []
    merged = detect_speech(clip, min_silence_s=0.6, min_speech_s=1.5)
    assert len(merged) == 1 and _near(merged[0], 0.5, 2.9)


def test_precomputed_runs_give_the_same_segments_and_stay_unchanged() -> None:
    samples = np.concatenate(
        [silence(0.5), speech_like(1.0), silence(0.4), speech_like(1.0), silence(0.5)]
    )
    clip = AudioClip(samples, SR)
    runs = speech_runs(clip)
    assert len(runs) == 2
    for gap in (0.3, 0.6):
        assert detect_speech(clip, min_silence_s=gap, runs=runs) == detect_speech(
            clip, min_silence_s=gap
        )
    assert runs == speech_runs(clip)  # merging never alters the shared runs


def test_segments_stay_inside_the_clip() -> None:
    samples = np.concatenate([speech_like(1.0), speech_like(0.5)[:7777]])
    segments = detect_speech(AudioClip(samples, SR))
    assert segments and segments[0].start_s == 0.0
    assert segments[-1].end_s == pytest.approx(len(samples) / SR)


# --- analyse_voice ----------------------------------------------------------------------


def test_pitch_separates_low_and_high_voices() -> None:
    low = analyse_voice(speech_like(2.0, f0=100.0), SR)
    high = analyse_voice(speech_like(2.0, f0=230.0), SR)
    assert low.pitch_hz is not None and high.pitch_hz is not None
    assert low.pitch_hz < 140 and high.pitch_hz > 180
    assert abs(low.pitch_hz / 100.0 - 1) < 0.1
    assert abs(high.pitch_hz / 230.0 - 1) < 0.1
    assert high.brightness_hz > low.brightness_hz


def test_loudness_follows_the_scaling() -> None:
    loud = analyse_voice(speech_like(2.0, peak=0.9), SR)
    quiet = analyse_voice(speech_like(2.0, peak=0.9 / 10 ** (25 / 20)), SR)
    assert abs((loud.loudness_dbfs - quiet.loudness_dbfs) - 25.0) < 2.0
    assert -15.0 < loud.loudness_dbfs < -5.0


def test_speaking_rate_counts_syllables() -> None:
    slow = analyse_voice(speech_like(3.0, syllables_per_s=2.5), SR)
    fast = analyse_voice(speech_like(3.0, syllables_per_s=6.0), SR)
    assert 2.0 <= slow.speaking_rate <= 3.2
    assert 5.0 <= fast.speaking_rate <= 7.0


def test_pitch_spread_and_voicing() -> None:
    t = np.arange(SR * 2) / SR
    steady = (0.3 * np.sin(2 * np.pi * 150 * t) + 0.1 * np.sin(2 * np.pi * 300 * t)).astype(
        np.float32
    )
    flat = analyse_voice(steady, SR)
    assert flat.pitch_hz == pytest.approx(150.0, rel=0.02)
    assert flat.pitch_spread_st < 0.2
    assert flat.voiced_fraction > 0.95
    moving = analyse_voice(speech_like(2.0), SR)
    assert moving.pitch_spread_st > 1.0
    half = analyse_voice(np.concatenate([steady[:SR], silence(1.0)]), SR)
    assert half.voiced_fraction == pytest.approx(0.5, abs=0.05)


def test_unvoiced_audio_has_no_pitch() -> None:
    for signal in (silence(1.0), white_noise(1.0, 0.05)):
        features = analyse_voice(signal, SR)
        assert features.pitch_hz is None
        assert features.voiced_fraction == 0.0
        assert features.speaking_rate == 0.0
    assert analyse_voice(silence(1.0), SR).loudness_dbfs <= -100.0
    assert analyse_voice(white_noise(1.0, 0.01), SR).loudness_dbfs == pytest.approx(-40.0, abs=0.5)


def test_analyse_voice_works_at_other_rates() -> None:
    for rate in (8000, 44100):
        features = analyse_voice(speech_like(1.5, rate=rate, f0=120.0), rate)
        assert features.pitch_hz == pytest.approx(120.0, rel=0.1)
    assert analyse_voice(np.zeros(0, dtype=np.float32), SR).pitch_hz is None


# --- fixtures/media -----------------------------------------------------------------------


def _fixture_clip(name: str) -> AudioClip:
    return decode_audio(fixture_path(f"media/{name}").read_bytes())


def _pcm_stream(name: str) -> AudioClip:
    """A WAV fixture streamed as Behavioral Signals would: PCM16 chunks, resampled to 16 kHz."""
    with wave.open(str(fixture_path(f"media/{name}")), "rb") as wav:
        assert wav.getsampwidth() == 2 and wav.getnchannels() == 1
        rate, raw = wav.getframerate(), wav.readframes(wav.getnframes())
    resampler = StreamResampler(rate)
    parts = [resampler.push(pcm16le_to_float(raw[i : i + 8000])) for i in range(0, len(raw), 8000)]
    return AudioClip(np.concatenate([*parts, resampler.flush()]), SR)


@pytest.mark.parametrize("name", ["silence_16k.wav", "noise_16k.wav"])
def test_fixture_non_speech(name: str) -> None:
    clip = _fixture_clip(name)
    assert detect_speech(clip) == []
    vad = FrameVad(SR)
    assert not any(vad.push(clip.samples) + vad.flush())


@pytest.mark.parametrize("name", ["speech_16k.wav", "speech_quiet.wav", "speech_loud.wav"])
def test_fixture_speech_is_covered(name: str) -> None:
    clip = _fixture_clip(name)
    segments = detect_speech(clip)
    assert 1 <= len(segments) <= 4
    covered = sum(s.end_s - s.start_s for s in segments)
    assert covered > 0.5 * clip.duration_s


@pytest.mark.parametrize(
    "name", ["speech_pauses_16k.wav", "speech_pauses_8k.wav", "speech_pauses_44k.wav"]
)
def test_fixture_pauses_split_into_two_groups(name: str) -> None:
    clip = _pcm_stream(name)
    groups = detect_speech(clip, min_silence_s=1.0)
    assert len(groups) == 2
    assert 1.2 <= groups[1].start_s - groups[0].end_s <= 1.8


def test_fixture_pauses_agree_across_rates() -> None:
    reference = detect_speech(_pcm_stream("speech_pauses_16k.wav"), min_silence_s=1.0)
    for name in ("speech_pauses_8k.wav", "speech_pauses_44k.wav"):
        groups = detect_speech(_pcm_stream(name), min_silence_s=1.0)
        for a, b in zip(reference, groups, strict=True):
            assert abs(a.start_s - b.start_s) < 0.15 and abs(a.end_s - b.end_s) < 0.15


def test_fixture_loudness_follows_the_scaling() -> None:
    normal, quiet = _fixture_clip("speech_16k.wav"), _fixture_clip("speech_quiet.wav")
    scaling = 20 * np.log10(np.max(np.abs(normal.samples)) / np.max(np.abs(quiet.samples)))
    assert scaling == pytest.approx(24.0, abs=0.2)  # quiet = normal scaled down
    normal_db = analyse_voice(normal.samples, SR).loudness_dbfs
    quiet_db = analyse_voice(quiet.samples, SR).loudness_dbfs
    assert abs((normal_db - quiet_db) - scaling) < 3.0
    loud_db = analyse_voice(_fixture_clip("speech_loud.wav").samples, SR).loudness_dbfs
    assert loud_db > normal_db + 4.0


def test_fixture_low_and_high_voices() -> None:
    low = analyse_voice(_fixture_clip("speech_low_pitch.wav").samples, SR)
    high = analyse_voice(_fixture_clip("speech_high_pitch.wav").samples, SR)
    assert low.pitch_hz is not None and low.pitch_hz < 140
    assert high.pitch_hz is not None and high.pitch_hz > 180
    speech = analyse_voice(_fixture_clip("speech_16k.wav").samples, SR)
    assert speech.pitch_hz is not None and 0.3 < speech.voiced_fraction <= 1.0
    assert 1.0 < speech.speaking_rate < 9.0


# --- measurements kept for a stream's windows ---------------------------------------------


def test_kept_measurements_describe_a_window_like_analysing_its_audio() -> None:
    samples = two_utterances()
    vad = FrameVad(SR, keep_stats=True)
    for i in range(0, len(samples), 4000):  # 250 ms chunks
        vad.push(samples[i : i + 4000])
    vad.flush()
    frame = vad.frame_length
    a, b = round(0.5 * SR) // frame, round(2.5 * SR) // frame  # the first utterance
    kept = voice_features(vad.stats(a, b), SR)
    direct = analyse_voice(samples[a * frame : b * frame], SR)
    # only the first frame differs (measured with the audio before it instead of zeros)
    assert kept.pitch_hz is not None and direct.pitch_hz is not None
    assert kept.pitch_hz == pytest.approx(direct.pitch_hz, rel=0.01)
    assert kept.loudness_dbfs == pytest.approx(direct.loudness_dbfs, abs=0.5)
    assert kept.voiced_fraction == pytest.approx(direct.voiced_fraction, abs=0.02)
    assert kept.brightness_hz == pytest.approx(direct.brightness_hz, rel=0.05)
    # chunking-invariant like the decisions
    whole = FrameVad(SR, keep_stats=True)
    whole.push(samples)
    whole.flush()
    assert voice_features(whole.stats(a, b), SR) == kept


def test_kept_measurements_can_be_forgotten_and_are_not_kept_by_default() -> None:
    vad = FrameVad(SR, keep_stats=True)
    vad.push(speech_like(1.0))
    n = len(speech_like(1.0)) // vad.frame_length - 1  # the last frame waits for context
    assert len(vad.stats(0, n)) == n
    vad.forget_stats_before(10)
    assert len(vad.stats(10, n)) == n - 10
    for a, b in ((0, 5), (10, n + 5)):
        with pytest.raises(ValueError, match="not kept"):
            vad.stats(a, b)
    plain = FrameVad(SR)
    plain.push(speech_like(1.0))
    with pytest.raises(ValueError, match="not kept"):
        plain.stats(0, 1)
    with pytest.raises(ValueError, match="at least one frame"):
        voice_features(vad.stats(10, 10), SR)
