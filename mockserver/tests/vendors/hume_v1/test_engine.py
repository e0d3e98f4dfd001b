"""Scores respond to the content, are seeded, thresholded, rounded and sorted; faces are
filtered, ordered, measured and tracked as documented."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest
from PIL import Image

from mockserver.core.rng import SeedSource
from mockserver.media.audio import pcm16le_to_float
from mockserver.vendors.hume_v1.codec import FaceSettings
from mockserver.vendors.hume_v1.engine import (
    FaceTracker,
    decode_jpeg,
    expression_threshold,
    measure_image,
    score_audio,
)
from mockserver.vendors.hume_v1.labels import CONFIRMED, V0_CANDIDATES, LabelSet

from .harness import jpeg_fixture, pcm_fixture


def audio_scores(name: str, seed: int = 0, labels: LabelSet = CONFIRMED) -> Any:
    samples = pcm16le_to_float(pcm_fixture(name))
    return score_audio(
        samples, start_ms=0, end_ms=len(samples) // 16, labels=labels, seeds=SeedSource(seed)
    )


def names(scores: list[dict[str, Any]]) -> list[str]:
    return [s["name"] for s in scores]


def test_audio_scores_respond_to_loudness_and_pitch() -> None:
    loud, quiet = audio_scores("speech_loud.wav"), audio_scores("speech_quiet.wav")
    assert "calm" in names(quiet[1]) and "calm" not in names(loud[1])
    assert loud[0] != quiet[0]
    high, low = audio_scores("speech_high_pitch.wav"), audio_scores("speech_low_pitch.wav")
    assert high[0] != low[0]


def test_audio_scores_are_seeded_and_deterministic() -> None:
    assert audio_scores("speech_16k.wav", 1) == audio_scores("speech_16k.wav", 1)
    seeds = {repr(audio_scores("speech_16k.wav", seed)) for seed in range(4)}
    assert len(seeds) > 1


def test_audio_lists_keep_their_cutoffs_and_order() -> None:
    for fixture in ("speech_16k.wav", "speech_loud.wav", "speech_high_pitch.wav"):
        expressions, voice = audio_scores(fixture)
        for score in expressions:
            assert score["probability"] >= expression_threshold(score["name"])
        assert all(s["probability"] >= 0.725 for s in voice)
        for scores in (expressions, voice):
            probabilities = [s["probability"] for s in scores]
            assert probabilities == sorted(probabilities, reverse=True)
    thresholds = [expression_threshold(n) for n in CONFIRMED.audio_expressions]
    assert all(0.30 <= t < 0.55 for t in thresholds) and len(set(thresholds)) > 1


def test_a_user_label_set_is_the_only_source_of_names() -> None:
    custom = LabelSet(("sheer delight", "deep calm"), ("gravelly", "airy"), ("glee",), ("beam",))
    for fixture in ("speech_16k.wav", "speech_quiet.wav", "speech_loud.wav"):
        expressions, voice = audio_scores(fixture, labels=custom)
        assert set(names(expressions)) <= {"sheer delight", "deep calm"}
        assert set(names(voice)) <= {"gravelly", "airy"}
    result = measure_image(
        decode_jpeg(jpeg_fixture("face.jpg")),
        face=FaceSettings(),
        tracker=FaceTracker(),
        labels=custom,
        seeds=SeedSource(0),
        max_measured=2,
    )
    face = result.faces[0]
    assert set(names(face["expressions"])) <= {"glee"}
    assert set(names(face["descriptions"])) <= {"beam"}


def measure(name: str, labels: LabelSet = CONFIRMED, **face: Any) -> Any:
    return measure_image(
        decode_jpeg(jpeg_fixture(name)),
        face=FaceSettings(**face),
        tracker=FaceTracker(),
        labels=labels,
        seeds=SeedSource(0),
        max_measured=2,
    )


def test_a_smiling_face_is_measured_with_smile_and_positive_expressions() -> None:
    result = measure("face.jpg")
    assert result.measured == 1
    (face,) = result.faces
    assert face["face_id"] == 0
    x0, y0, x1, y1 = face["bbox"]
    assert 0 <= x0 < x1 <= 320 and 0 <= y0 < y1 <= 320 and x1 - x0 > 60
    assert face["confidence"] >= 0.9
    assert names(face["descriptions"])[0] == "smile"
    assert names(face["expressions"])[:2] == ["amusement", "joy"]
    for scores in (face["expressions"], face["descriptions"]):
        assert all(s["probability"] > 0.1 for s in scores)
        ordered = sorted(scores, key=lambda s: (-s["probability"], s["name"]))
        assert scores == ordered


def test_no_face_is_an_empty_list_and_filters_hide_faces() -> None:
    assert measure("no_face.png").faces == []
    assert measure("face.jpg", min_size=400).faces == []
    assert measure("face.jpg", threshold=1.0).faces == []


def test_only_the_largest_faces_are_measured_and_they_come_first() -> None:
    both = measure("two_faces.png")
    assert [f["face_id"] for f in both.faces] == [0, 1] and both.measured == 2
    areas = [(f["bbox"][2] - f["bbox"][0]) * (f["bbox"][3] - f["bbox"][1]) for f in both.faces]
    assert areas == sorted(areas, reverse=True)
    one = measure_image(
        decode_jpeg(jpeg_fixture("two_faces.png")),
        face=FaceSettings(),
        tracker=FaceTracker(),
        labels=V0_CANDIDATES,
        seeds=SeedSource(0),
        max_measured=1,
    )
    assert one.measured == 1
    measured, other = one.faces
    assert measured["face_id"] == 0 and measured["expressions"]
    assert other["face_id"] is None and other["expressions"] is None
    assert other["descriptions"] is None and other["confidence"] >= 0.9


def test_face_ids_follow_faces_across_images_and_survive_a_state_round_trip() -> None:
    tracker = FaceTracker()
    image = decode_jpeg(jpeg_fixture("two_faces.png"))
    options: dict[str, Any] = {"face": FaceSettings(), "labels": CONFIRMED, "max_measured": 2}
    first = measure_image(image, tracker=tracker, seeds=SeedSource(0), **options)
    again = measure_image(image, tracker=tracker, seeds=SeedSource(0), **options)
    assert [f["face_id"] for f in again.faces] == [f["face_id"] for f in first.faces]
    # a face that appears elsewhere gets a new id; ids never restart
    moved = np.ascontiguousarray(np.roll(image, 200, axis=1))
    later = measure_image(moved, tracker=tracker, seeds=SeedSource(0), **options)
    assert all(f["face_id"] >= 2 for f in later.faces)
    restored = FaceTracker.from_state(tracker.to_state())
    assert restored.to_state() == tracker.to_state()
    with pytest.raises(ValueError):
        FaceTracker.from_state({"next": 1, "faces": [[5, 0, 0, 1, 1]]})


def test_jpeg_decoding_ignores_exif_orientation() -> None:
    with Image.open(io.BytesIO(jpeg_fixture("two_faces.png"))) as image:
        exif = image.getexif()
        exif[0x0112] = 6  # rotate 90 degrees when displayed
        out = io.BytesIO()
        image.save(out, "JPEG", exif=exif.tobytes())
    assert decode_jpeg(out.getvalue()).shape[:2] == (320, 640)  # stored orientation
    with pytest.raises(ValueError):
        decode_jpeg(jpeg_fixture("face.jpg")[:2000])
