"""Tests of the Hume prosody and burst engines (Hume's streaming definition)."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from mockserver.core.rng import SeedSource
from mockserver.media.audio import AudioClip, decode_audio
from mockserver.resources import fixture_path
from mockserver.tests.media.builders import SR, silence, speech_like
from mockserver.vendors.hume.burst import predict_bursts
from mockserver.vendors.hume.labels import EXPRESSION_NAMES
from mockserver.vendors.hume.prosody import predict_prosody

SEEDS = SeedSource(7)
HIGH_AROUSAL = ("Excitement", "Anger", "Determination")
LOW_AROUSAL = ("Calmness", "Tiredness", "Boredom")


def clip_of(*parts: npt.NDArray[np.float32]) -> AudioClip:
    return AudioClip(np.concatenate(parts), SR)


def bursts_clip() -> AudioClip:
    """Three short vocalisations ("Ha!", "Oh!", "Mm") separated by silence."""
    return clip_of(
        silence(0.3),
        speech_like(0.3, f0=220.0, peak=0.5, syllables_per_s=1 / 0.3),
        silence(0.7),
        speech_like(0.45, f0=180.0, peak=0.6, syllables_per_s=1 / 0.45),
        silence(0.8),
        speech_like(0.25, f0=300.0, peak=0.4, syllables_per_s=1 / 0.25),
        silence(0.5),
    )


def scores(item: dict[str, Any]) -> dict[str, float]:
    return {e["name"]: e["score"] for e in item["emotions"]}


def check_items(items: list[dict[str, Any]], clip: AudioClip, offset: float) -> None:
    """Wire shape of prosody/burst items and their time ranges."""
    previous = -math.inf
    for item in items:
        assert set(item) == {"time", "emotions"}
        begin, end = item["time"]["begin"], item["time"]["end"]
        assert set(item["time"]) == {"begin", "end"}
        assert isinstance(begin, float) and isinstance(end, float)
        assert round(begin, 3) == begin and round(end, 3) == end
        assert offset <= begin < end <= offset + clip.duration_s + 1e-9
        assert begin >= previous
        previous = end
        assert [e["name"] for e in item["emotions"]] == list(EXPRESSION_NAMES)
        assert all(isinstance(e["score"], float) and 0 <= e["score"] <= 1 for e in item["emotions"])


# --- prosody ------------------------------------------------------------------------------


def test_prosody_item_shape_and_times() -> None:
    clip = clip_of(silence(0.5), speech_like(2.0), silence(0.5))
    items = predict_prosody(clip, time_offset_s=0.0, seeds=SEEDS)
    assert items is not None and len(items) == 1
    check_items(items, clip, 0.0)
    assert items[0]["time"]["begin"] == pytest.approx(0.5, abs=0.1)
    assert items[0]["time"]["end"] == pytest.approx(2.5, abs=0.1)


def test_sentences_are_split_by_long_pauses_only() -> None:
    two = clip_of(silence(0.3), speech_like(1.5), silence(1.5), speech_like(1.5), silence(0.3))
    one = clip_of(silence(0.3), speech_like(1.5), silence(0.3), speech_like(1.5), silence(0.3))
    two_items = predict_prosody(two, time_offset_s=0.0, seeds=SEEDS)
    one_items = predict_prosody(one, time_offset_s=0.0, seeds=SEEDS)
    assert two_items is not None and len(two_items) == 2
    assert one_items is not None and len(one_items) == 1
    check_items(two_items, two, 0.0)


def test_speech_touching_the_clip_edges_stays_inside_it() -> None:
    clip = clip_of(speech_like(1.2)[:-333])
    items = predict_prosody(clip, time_offset_s=2.0, seeds=SEEDS)
    assert items is not None
    check_items(items, clip, 2.0)
    assert items[0]["time"]["begin"] == 2.0


@pytest.mark.parametrize(
    "samples",
    [
        silence(2.0),
        (np.random.default_rng(0).standard_normal(SR) * 0.001).astype(np.float32),
        (np.random.default_rng(1).standard_normal(SR) * 0.05).astype(np.float32),
    ],
    ids=["silence", "noise-60dB", "noise-26dB"],
)
def test_no_speech_gives_none(samples: npt.NDArray[np.float32]) -> None:
    clip = AudioClip(samples, SR)
    assert predict_prosody(clip, time_offset_s=0.0, seeds=SEEDS) is None
    assert predict_bursts(clip, time_offset_s=0.0, seeds=SEEDS) is None


def test_loud_speech_is_more_aroused_than_quiet_speech() -> None:
    loud = predict_prosody(
        clip_of(silence(0.3), speech_like(2.0, peak=0.9), silence(0.3)),
        time_offset_s=0.0,
        seeds=SEEDS,
    )
    quiet = predict_prosody(
        clip_of(silence(0.3), speech_like(2.0, peak=0.03), silence(0.3)),
        time_offset_s=0.0,
        seeds=SEEDS,
    )
    assert loud is not None and quiet is not None
    a, b = scores(loud[0]), scores(quiet[0])
    assert a != b
    for name in HIGH_AROUSAL:
        assert a[name] > b[name], name
    for name in LOW_AROUSAL:
        assert b[name] > a[name], name


def test_prosody_is_deterministic_per_seed() -> None:
    clip = clip_of(silence(0.3), speech_like(2.0), silence(0.3))
    first = predict_prosody(clip, time_offset_s=1.5, seeds=SeedSource(3))
    again = predict_prosody(clip, time_offset_s=1.5, seeds=SeedSource(3))
    other = predict_prosody(clip, time_offset_s=1.5, seeds=SeedSource(4))
    assert json.dumps(first) == json.dumps(again)
    assert first is not None and other is not None
    assert first[0]["time"] == other[0]["time"]
    assert scores(first[0]) != scores(other[0])


def test_time_offset_shifts_times_only() -> None:
    clip = clip_of(silence(0.4), speech_like(1.0), silence(1.0), speech_like(1.0), silence(0.2))
    base = predict_prosody(clip, time_offset_s=0.0, seeds=SEEDS)
    shifted = predict_prosody(clip, time_offset_s=12.25, seeds=SEEDS)
    assert base is not None and shifted is not None and len(base) == len(shifted) == 2
    check_items(shifted, clip, 12.25)
    for a, b in zip(base, shifted, strict=True):
        assert b["time"]["begin"] == pytest.approx(a["time"]["begin"] + 12.25, abs=1e-9)
        assert b["time"]["end"] == pytest.approx(a["time"]["end"] + 12.25, abs=1e-9)
        assert a["emotions"] == b["emotions"]


# --- burst --------------------------------------------------------------------------------


def test_isolated_vocalisations_are_bursts() -> None:
    clip = bursts_clip()
    items = predict_bursts(clip, time_offset_s=3.0, seeds=SEEDS)
    assert items is not None and len(items) == 3
    check_items(items, clip, 3.0)
    expected = [(0.3, 0.6), (1.3, 1.75), (2.55, 2.8)]
    for item, (start, end) in zip(items, expected, strict=True):
        assert item["time"]["begin"] == pytest.approx(3.0 + start, abs=0.1)
        assert item["time"]["end"] == pytest.approx(3.0 + end, abs=0.1)


def test_continuous_speech_is_not_a_burst() -> None:
    clip = clip_of(silence(0.5), speech_like(2.5), silence(0.5))
    assert predict_bursts(clip, time_offset_s=0.0, seeds=SEEDS) is None


def test_vocalisations_close_to_speech_are_not_bursts() -> None:
    clip = clip_of(silence(0.5), speech_like(0.3), silence(0.2), speech_like(1.5), silence(0.5))
    assert predict_bursts(clip, time_offset_s=0.0, seeds=SEEDS) is None


def test_bursts_are_deterministic_and_seeded() -> None:
    clip = bursts_clip()
    first = predict_bursts(clip, time_offset_s=0.0, seeds=SeedSource(1))
    again = predict_bursts(clip, time_offset_s=0.0, seeds=SeedSource(1))
    other = predict_bursts(clip, time_offset_s=0.0, seeds=SeedSource(2))
    assert json.dumps(first) == json.dumps(again)
    assert json.dumps(first) != json.dumps(other)


def test_burst_and_prosody_scores_differ() -> None:
    clip = bursts_clip()
    bursts = predict_bursts(clip, time_offset_s=0.0, seeds=SEEDS)
    prosody = predict_prosody(clip, time_offset_s=0.0, seeds=SEEDS)
    assert bursts is not None and prosody is not None
    assert scores(bursts[0]) != scores(prosody[0])


# --- fixtures/media -----------------------------------------------------------------------


def _fixture_clip(name: str) -> AudioClip:
    return decode_audio(fixture_path(f"media/{name}").read_bytes())


def test_fixture_bursts() -> None:
    clip = _fixture_clip("burst.wav")
    items = predict_bursts(clip, time_offset_s=0.0, seeds=SEEDS)
    assert items is not None and 3 <= len(items) <= 4
    check_items(items, clip, 0.0)


@pytest.mark.parametrize("name", ["speech_16k.wav", "speech.mp3", "speech.webm", "face_speech.mp4"])
def test_fixture_speech_has_prosody(name: str) -> None:
    clip = _fixture_clip(name)
    items = predict_prosody(clip, time_offset_s=0.0, seeds=SEEDS)
    assert items is not None and 1 <= len(items) <= 3
    check_items(items, clip, 0.0)


@pytest.mark.parametrize("name", ["silence_16k.wav", "noise_16k.wav"])
def test_fixture_no_speech(name: str) -> None:
    clip = _fixture_clip(name)
    assert predict_prosody(clip, time_offset_s=0.0, seeds=SEEDS) is None
    assert predict_bursts(clip, time_offset_s=0.0, seeds=SEEDS) is None


def test_fixture_loud_and_quiet_speech() -> None:
    loud = predict_prosody(_fixture_clip("speech_loud.wav"), time_offset_s=0.0, seeds=SEEDS)
    quiet = predict_prosody(_fixture_clip("speech_quiet.wav"), time_offset_s=0.0, seeds=SEEDS)
    assert loud is not None and quiet is not None
    a, b = scores(loud[0]), scores(quiet[0])
    for name in HIGH_AROUSAL:
        assert a[name] > b[name], name
    for name in LOW_AROUSAL:
        assert b[name] > a[name], name
