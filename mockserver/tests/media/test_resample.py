"""Tests of the chunking-invariant streaming resampler (docs: "Resampled to 16kHz for models")."""

from __future__ import annotations

import itertools
import tracemalloc

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver.media.resample import StreamResampler

RATES = [1, 7, 8000, 11025, 16000, 22050, 44100, 48000, 48001, 96000]


def _run(
    from_rate: int, samples: npt.NDArray[np.float32], cuts: list[int], to_rate: int = 16000
) -> npt.NDArray[np.float32]:
    resampler = StreamResampler(from_rate, to_rate)
    bounds = [0, *sorted(cuts), len(samples)]
    parts = [resampler.push(samples[a:b]) for a, b in itertools.pairwise(bounds)]
    parts.append(resampler.flush())
    return np.concatenate(parts)


def _tone(freq: float, rate: int, seconds: float, amp: float = 0.5) -> npt.NDArray[np.float32]:
    t = np.arange(round(rate * seconds)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def _rms_db(x: npt.NDArray[np.float32]) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(np.square(x, dtype=np.float64))) + 1e-20))


@st.composite
def _streams(draw: st.DrawFn) -> tuple[int, int, npt.NDArray[np.float32], list[int]]:
    from_rate = draw(st.sampled_from(RATES) | st.integers(1, 100_000))
    to_rate = draw(st.sampled_from([16000, 16000, 8000, 44100]))
    # Bound the output size (upsampling from 1 Hz multiplies it by 16000).
    max_len = max(1, min(3000, 40_000 * from_rate // to_rate))
    n = draw(st.integers(0, max_len))
    seed = draw(st.integers(0, 2**32 - 1))
    samples = np.random.default_rng(seed).uniform(-1, 1, n).astype(np.float32)
    cuts = draw(st.lists(st.integers(0, n), max_size=12))
    return from_rate, to_rate, samples, cuts


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_streams())
def test_output_is_identical_for_any_chunking(
    stream: tuple[int, int, npt.NDArray[np.float32], list[int]],
) -> None:
    from_rate, to_rate, samples, cuts = stream
    whole = _run(from_rate, samples, [], to_rate)
    chunked = _run(from_rate, samples, cuts, to_rate)
    assert whole.dtype == np.float32
    assert len(whole) == len(samples) * to_rate // from_rate
    assert np.array_equal(whole, chunked)


def test_one_sample_and_empty_chunks_match_one_push() -> None:
    samples = np.random.default_rng(5).uniform(-1, 1, 1500).astype(np.float32)
    for rate in (8000, 11025, 44100):
        resampler = StreamResampler(rate)
        parts = []
        for value in samples:
            parts.append(resampler.push(np.zeros(0, dtype=np.float32)))
            parts.append(resampler.push(np.array([value], dtype=np.float32)))
        parts.append(resampler.flush())
        assert np.array_equal(np.concatenate(parts), _run(rate, samples, []))


@pytest.mark.parametrize(("n", "rate"), [(0, 44100), (1, 44100), (1, 8000), (3, 1), (441, 44100)])
def test_length_rule(n: int, rate: int) -> None:
    out = _run(rate, np.zeros(n, dtype=np.float32), [])
    assert len(out) == n * 16000 // rate


def test_equal_rates_are_an_exact_pass_through() -> None:
    samples = np.random.default_rng(1).uniform(-1, 1, 1000).astype(np.float32)
    assert np.array_equal(_run(16000, samples, [3, 500, 501]), samples)


def test_output_is_emitted_with_bounded_latency() -> None:
    resampler = StreamResampler(44100)
    out = resampler.push(np.zeros(44100, dtype=np.float32))
    missing = 16000 - len(out)
    assert 0 < missing <= resampler.latency_samples * 16000 // 44100 + 1
    assert len(resampler.flush()) == missing


def test_440_hz_tone_keeps_its_frequency_and_level() -> None:
    out = _run(44100, _tone(440.0, 44100, 2.0), [4000, 8000])
    body = out[1000:-1000].astype(np.float64)
    spectrum = np.abs(np.fft.rfft(body * np.hanning(len(body))))
    peak = np.fft.rfftfreq(len(body), 1 / 16000)[int(np.argmax(spectrum))]
    assert abs(peak - 440.0) < 1.0
    assert abs(_rms_db(out[1000:-1000]) - _rms_db(_tone(440.0, 44100, 2.0))) < 0.05


@pytest.mark.parametrize("freq", [9000.0, 12000.0, 20000.0])
def test_content_above_the_new_nyquist_is_removed(freq: float) -> None:
    out = _run(44100, _tone(freq, 44100, 1.0), [])
    assert _rms_db(out[500:-500]) < -60.0


def test_upsampling_keeps_a_tone_and_dc() -> None:
    out = _run(8000, _tone(1000.0, 8000, 1.0), [17])
    assert abs(_rms_db(out[500:-500]) - _rms_db(_tone(1000.0, 8000, 1.0))) < 0.05
    dc = _run(11025, np.full(11025, 0.5, dtype=np.float32), [])
    assert np.allclose(dc[500:-500], 0.5, atol=1e-5)


def test_misuse_is_rejected() -> None:
    with pytest.raises(ValueError):
        StreamResampler(0)
    with pytest.raises(ValueError):
        StreamResampler(16000, -1)
    resampler = StreamResampler(8000)
    resampler.flush()
    assert len(resampler.flush()) == 0
    with pytest.raises(RuntimeError):
        resampler.push(np.zeros(10, dtype=np.float32))


def test_a_huge_push_has_bounded_memory_and_the_same_output() -> None:

    signal = (np.random.default_rng(1).standard_normal(8000 * 120) * 0.1).astype(np.float32)
    tracemalloc.start()
    try:
        one = StreamResampler(8000)
        whole = np.concatenate([one.push(signal), one.flush()])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 150 * 1024 * 1024  # unblocked products would need several GB
    chunked = StreamResampler(8000)
    parts = [chunked.push(signal[i : i + 4001]) for i in range(0, len(signal), 4001)]
    assert np.array_equal(np.concatenate([*parts, chunked.flush()]), whole)
