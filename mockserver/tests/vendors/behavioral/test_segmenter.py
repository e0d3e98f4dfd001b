"""Tests of the streaming segmenter (INFERRED cadence model of the readme.io docs)."""

from __future__ import annotations

import functools
import wave

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.resources import fixture_path
from mockserver.vendors.behavioral.segmenter import StreamSegmenter, Window

Run = tuple[list[Window], list[bytes]]


@functools.cache
def wav_pcm(name: str) -> tuple[bytes, int]:
    """(pcm_s16le bytes, sample rate) of a media fixture."""
    with wave.open(str(fixture_path(f"media/{name}"))) as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2
        return w.readframes(w.getnframes()), w.getframerate()


def to_pcm(x: npt.NDArray[np.float64]) -> bytes:
    return (np.clip(x, -1, 1) * 32767).astype("<i2").tobytes()


def tone(seconds: float, rate: int = 16000, f0: float = 150.0, amp: float = 0.3) -> bytes:
    """A harmonic, periodic signal whose pitch moves (5 Hz vibrato, +-3 %): speech for the
    VAD, which rejects steady tones."""
    t = np.arange(round(seconds * rate)) / rate
    phase = 2 * np.pi * f0 * (t - 0.03 / (2 * np.pi * 5.0) * np.cos(2 * np.pi * 5.0 * t))
    return to_pcm(amp * (np.sin(phase) + 0.5 * np.sin(2 * phase)))


def quiet(seconds: float, rate: int = 16000) -> bytes:
    return bytes(2 * round(seconds * rate))


def run(pcm: bytes, rate: int, sizes: list[int] | None = None, **kwargs: float) -> Run:
    """Stream ``pcm`` in chunks of ``sizes`` (then the rest); windows and their audio bytes."""
    seg = StreamSegmenter(rate, **kwargs)
    windows: list[Window] = []
    audio: list[bytes] = []

    def take(out: list[Window]) -> None:
        windows.extend(out)
        audio.extend(seg.samples(w).tobytes() for w in out)

    pos = 0
    for size in sizes or []:
        take(seg.push(pcm[pos : pos + size]))
        pos += size
    take(seg.push(pcm[pos:]))
    take(seg.finish())
    return windows, audio


def spans(windows: list[Window]) -> list[tuple[str, float, float, int]]:
    return [(w.level, round(w.start_s, 2), round(w.end_s, 2), w.utterance) for w in windows]


def check_structure(windows: list[Window], segment_s: float = 2.0, tail_s: float = 1.0) -> None:
    """Time order, each utterance after its segments, segments tiling from its start."""
    by_utt: dict[int, list[Window]] = {}
    for w in windows:
        by_utt.setdefault(w.utterance, []).append(w)
    assert sorted(by_utt) == list(range(len(by_utt)))
    previous_end = -1.0
    for rows in by_utt.values():
        *segments, utt = rows
        assert utt.level == "utterance" and all(s.level == "segment" for s in segments)
        assert utt.start_s >= previous_end
        previous_end = utt.end_s
        expected = utt.start_s
        for k, s in enumerate(segments):
            assert s.start_s == pytest.approx(expected, abs=1e-9)
            length = s.end_s - s.start_s
            if length != pytest.approx(segment_s, abs=1e-9):
                # the tail: the last one, at least tail_s, shorter, ends with the utterance
                assert k == len(segments) - 1
                assert tail_s - 1e-9 <= length < segment_s
                assert s.end_s == pytest.approx(utt.end_s, abs=1e-9)
            expected = s.end_s
        assert utt.end_s - expected < max(tail_s, 1e-9)  # what no segment covers is short


FILES = ["speech_pauses_16k.wav", "speech_pauses_8k.wav", "speech_pauses_44k.wav"]


@pytest.mark.parametrize("name", FILES)
def test_speech_pauses_gives_two_utterances_at_every_rate(name: str) -> None:
    pcm, rate = wav_pcm(name)
    windows, _ = run(pcm, rate, [8000] * 40)
    check_structure(windows)
    utts = [w for w in windows if w.level == "utterance"]
    assert len(utts) == 2
    segments = [w for w in windows if w.level == "segment"]
    assert segments and all(s.end_s - s.start_s == pytest.approx(2.0) for s in segments)
    # the first utterance starts near 0.3 s; the 1.5 s pause separates the two
    assert 0.1 < utts[0].start_s < 0.5 and 3.8 < utts[0].end_s < 4.6
    assert utts[1].start_s - utts[0].end_s > 1.2
    reference, _ = run(*wav_pcm("speech_pauses_16k.wav"))
    assert [(w.level, w.utterance) for w in windows] == [(w.level, w.utterance) for w in reference]
    for mine, ref in zip(windows, reference, strict=True):
        assert abs(mine.start_s - ref.start_s) <= 0.1 + 1e-6
        assert abs(mine.end_s - ref.end_s) <= 0.1 + 1e-6


@pytest.mark.parametrize("name", ["silence_16k.wav", "noise_16k.wav"])
def test_silence_and_noise_give_no_windows(name: str) -> None:
    assert run(*wav_pcm(name))[0] == []


def test_speech_16k_is_one_utterance() -> None:
    windows, audio = run(*wav_pcm("speech_16k.wav"))
    check_structure(windows)
    assert [w.level for w in windows].count("utterance") == 1
    utt = windows[-1]
    assert len(audio[-1]) == 4 * round((utt.end_s - utt.start_s) * 16000)


def test_samples_are_the_16k_audio_of_the_window() -> None:
    pcm, rate = wav_pcm("speech_16k.wav")
    x = np.frombuffer(pcm, "<i2").astype(np.float32) / np.float32(32768.0)
    seg = StreamSegmenter(rate)
    windows = seg.push(pcm)
    windows += seg.finish()
    for w in windows:
        a, b = round(w.start_s * 16000), round(w.end_s * 16000)
        assert np.array_equal(seg.samples(w), x[a:b])


# -- chunking invariance ---------------------------------------------------------------------


@functools.cache
def reference_run(name: str) -> Run:
    pcm, rate = wav_pcm(name)
    return run(pcm, rate)  # one huge chunk


chunk_size = st.one_of(
    st.just(0), st.integers(1, 3), st.integers(1, 4000), st.integers(4000, 120_000)
)


@settings(deadline=None)
@given(name=st.sampled_from(FILES), sizes=st.lists(chunk_size, max_size=25))
def test_any_chunking_gives_identical_windows_and_audio(name: str, sizes: list[int]) -> None:
    pcm, rate = wav_pcm(name)
    assert run(pcm, rate, sizes) == reference_run(name)


def test_one_byte_chunks_match_one_chunk() -> None:
    rate = 8000
    pcm = quiet(0.1, rate) + tone(1.3, rate) + quiet(0.7, rate) + tone(0.4, rate, f0=220.0)
    pieces = [pcm[i : i + 1] for i in range(len(pcm))]
    sizes = [len(p) for p in pieces]
    one_byte = run(pcm, rate, sizes, segment_s=0.5, min_tail_segment_s=0.2)
    assert one_byte == run(pcm, rate, segment_s=0.5, min_tail_segment_s=0.2)
    assert [w.level for w in one_byte[0]].count("utterance") == 2


def test_odd_byte_is_carried_and_empty_pushes_are_ignored() -> None:
    seg = StreamSegmenter(16000)
    assert seg.push(b"") == []
    assert seg.push(b"\x01") == []
    assert seg.received_s == 0.0
    assert seg.push(b"\x00\x02") == []
    assert seg.received_s == pytest.approx(1 / 16000)
    assert seg.finish() == []
    assert seg.finish() == []
    with pytest.raises(RuntimeError):
        seg.push(b"\x00\x00")


def test_received_s_counts_input_rate_seconds() -> None:
    seg = StreamSegmenter(8000)
    seg.push(quiet(1.5, 8000))
    assert seg.received_s == pytest.approx(1.5)


# -- rules -----------------------------------------------------------------------------------


def test_segments_are_emitted_before_the_utterance_ends() -> None:
    seg = StreamSegmenter(16000)
    out = seg.push(quiet(0.5) + tone(2.9))
    assert [w.level for w in out] == ["segment"]  # [u, u + 2) is decided, the utterance is open
    assert out[0].start_s == pytest.approx(0.46)  # tone at 0.5 s, VAD pads 2 frames
    rest = seg.push(quiet(1.0))
    assert [w.level for w in rest] == ["utterance"]  # tail 0.88 s < 1.0 s: dropped
    assert rest[0].end_s == pytest.approx(3.44)


def test_tail_segment_rule() -> None:
    windows, _ = run(quiet(0.5) + tone(3.6) + quiet(1.0), 16000)
    assert spans(windows) == [
        ("segment", 0.46, 2.46, 0),
        ("segment", 2.46, 4.14, 0),
        ("utterance", 0.46, 4.14, 0),
    ]
    windows, _ = run(quiet(0.5) + tone(3.6) + quiet(1.0), 16000, min_tail_segment_s=2.0)
    assert [w.level for w in windows] == ["segment", "utterance"]


def test_short_pauses_stay_in_the_utterance_and_long_ones_split() -> None:
    windows, _ = run(tone(1.0) + quiet(0.4) + tone(1.0) + quiet(1.0) + tone(1.0), 16000)
    utts = [w for w in windows if w.level == "utterance"]
    assert len(utts) == 2
    assert utts[0].end_s - utts[0].start_s > 2.3


def test_half_close_flushes_the_open_utterance() -> None:
    seg = StreamSegmenter(16000)
    out = seg.push(quiet(0.2) + tone(2.5))
    out += seg.finish()
    assert spans(out) == [
        ("segment", 0.16, 2.16, 0),
        ("utterance", 0.16, 2.7, 0),
    ]
    assert len(seg.samples(out[-1])) == round((2.7 - 0.16) * 16000)


def test_max_utterance_cuts_long_speech() -> None:
    windows, _ = run(tone(9.0), 16000, segment_s=2.0, max_utterance_s=4.0)
    utts = [w for w in windows if w.level == "utterance"]
    assert [(round(u.start_s, 2), round(u.end_s, 2)) for u in utts] == [
        (0.0, 4.0),
        (4.0, 8.0),
        (8.0, 9.0),
    ]
    check_structure(windows)


def test_memory_is_bounded_to_the_open_utterance() -> None:
    seg = StreamSegmenter(16000)
    first = seg.push(tone(1.5) + quiet(1.0))
    assert first and seg.samples(first[-1]).size
    for _ in range(20):
        seg.push(tone(1.5) + quiet(1.0))
    seg.push(quiet(0.1))
    with pytest.raises(ValueError, match="no longer buffered"):
        seg.samples(first[-1])
    buffered = seg._audio.end - seg._audio.start
    assert buffered < 0.6 * 16000  # undecided frames (VAD delay) and the last push only


def test_constructor_validation() -> None:
    with pytest.raises(ValueError):
        StreamSegmenter(0)
    with pytest.raises(ValueError):
        StreamSegmenter(16000, segment_s=0)
    with pytest.raises(ValueError):
        StreamSegmenter(16000, max_utterance_s=1.0)
