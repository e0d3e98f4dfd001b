"""Tests of the Hume face model: items, options and identity (Hume's ``StreamFace``)."""

from __future__ import annotations

import json
import struct
from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np
import pytest

from mockserver.core.rng import SeedSource
from mockserver.media.faces import DetectedFace
from mockserver.media.video import sample_frames
from mockserver.resources import fixture_path
from mockserver.tests.media.builders import fixture_rgb
from mockserver.vendors.hume import face as face_module
from mockserver.vendors.hume.face import FaceFrame, FaceOptions, FaceTracker, predict_faces
from mockserver.vendors.hume.labels import DESCRIPTION_NAMES, EXPRESSION_NAMES, FACS_NAMES

MEDIA = fixture_path("media")
SEEDS = SeedSource(42)


@cache
def _video_frames(name: str, fps_pred: float) -> tuple[FaceFrame, ...]:
    return tuple(
        FaceFrame(frame=f.index, time_s=f.time_s, rgb=f.rgb)
        for f in sample_frames((MEDIA / name).read_bytes(), fps_pred=fps_pred)
    )


def _still(name: str) -> list[FaceFrame]:
    return [FaceFrame(frame=0, time_s=None, rgb=fixture_rgb(name))]


def _run(
    frames: Sequence[FaceFrame],
    tracker: FaceTracker | None = None,
    seeds: SeedSource = SEEDS,
    **options: Any,
) -> list[dict[str, Any]]:
    return predict_faces(
        frames, options=FaceOptions(**options), tracker=tracker or FaceTracker(), seeds=seeds
    )


def _is_float32(value: float) -> bool:
    return float(struct.unpack("f", struct.pack("f", value))[0]) == value


# ------------------------------------------------------------------------------ item shape


def test_default_item_shape() -> None:
    items = _run(_still("face.png"))
    assert len(items) == 1
    (item,) = items
    assert list(item) == ["frame", "time", "bbox", "prob", "face_id", "emotions"]
    assert item["frame"] == 0 and item["time"] is None
    assert item["face_id"] == "unknown"
    assert list(item["bbox"]) == ["x", "y", "w", "h"]
    for value in item["bbox"].values():
        assert isinstance(value, float) and value >= 0 and round(value, 3) == value
    assert isinstance(item["prob"], float) and 0.99 <= item["prob"] < 1.0
    assert [e["name"] for e in item["emotions"]] == list(EXPRESSION_NAMES)
    assert all(0.0 <= e["score"] <= 1.0 and _is_float32(e["score"]) for e in item["emotions"])
    json.dumps(items)


def test_facs_and_descriptions_only_when_enabled() -> None:
    (facs_only,) = _run(_still("face.png"), facs=True)
    assert list(facs_only)[-2:] == ["emotions", "facs"]
    (both,) = _run(_still("face.png"), facs=True, descriptions=True)
    assert list(both)[-3:] == ["emotions", "facs", "descriptions"]
    (descriptions_only,) = _run(_still("face.png"), descriptions=True)
    assert "facs" not in descriptions_only
    assert [e["name"] for e in both["facs"]] == list(FACS_NAMES)
    assert [e["name"] for e in both["descriptions"]] == list(DESCRIPTION_NAMES)
    assert len(both["facs"]) == 36 and len(both["descriptions"]) == 27
    for entry in [*both["facs"], *both["descriptions"]]:
        assert 0.0 <= entry["score"] <= 1.0 and _is_float32(entry["score"])
    assert both["facs"] == facs_only["facs"]
    assert both["descriptions"] == descriptions_only["descriptions"]


def test_no_face_gives_no_items() -> None:
    assert _run(_still("no_face.png")) == []


def test_two_faces_left_to_right_with_ids() -> None:
    items = _run(_still("two_faces.png"), identify_faces=True)
    assert [i["face_id"] for i in items] == ["face_0", "face_1"]
    assert items[0]["bbox"]["x"] < items[1]["bbox"]["x"]
    unknown = _run(_still("two_faces.png"))
    assert [i["face_id"] for i in unknown] == ["unknown", "unknown"]


# ------------------------------------------------------------------------------- filtering


def test_prob_threshold_filters() -> None:
    assert _run(_still("face.png"), prob_threshold=1.0) == []
    assert len(_run(_still("face.png"), prob_threshold=0.0)) == 1


def test_min_face_size_filters() -> None:
    (item,) = _run(_still("face.png"))
    side = min(item["bbox"]["w"], item["bbox"]["h"])
    assert _run(_still("face.png"), min_face_size=side + 1) == []
    assert len(_run(_still("face.png"), min_face_size=side - 1)) == 1


def test_filtering_uses_prob_and_side(monkeypatch: pytest.MonkeyPatch) -> None:
    faces = [
        _fake(x=10, w=80, prob=0.995),
        _fake(x=120, w=80, prob=0.98),  # below the default 0.99
        _fake(x=230, w=50, prob=0.999),  # smaller than the default 60 px
    ]
    monkeypatch.setattr(face_module, "detect_faces", lambda rgb: faces)
    items = _run(_blank_frames(1), identify_faces=True)
    assert [i["bbox"]["x"] for i in items] == [10.0]
    items = _run(_blank_frames(1), prob_threshold=0.5, min_face_size=40.0)
    assert [i["bbox"]["x"] for i in items] == [10.0, 120.0, 230.0]


# -------------------------------------------------------------------------------- identity


def test_video_keeps_one_id_across_frames_and_calls() -> None:
    frames = _video_frames("face_speech.mp4", 3.0)
    tracker = FaceTracker()
    items = _run(frames, tracker, identify_faces=True)
    assert len(items) == len(frames) >= 5
    assert {i["face_id"] for i in items} == {"face_0"}
    assert [i["frame"] for i in items] == [f.frame for f in frames]
    assert [i["time"] for i in items] == [round(f.time_s or 0.0, 3) for f in frames]
    assert items[0]["frame"] == 0 and items[0]["time"] == 0.0
    again = _run(frames, tracker, identify_faces=True)  # a later payload, same connection
    assert {i["face_id"] for i in again} == {"face_0"}


def test_ids_are_assigned_while_identify_faces_is_off() -> None:
    tracker = FaceTracker()
    assert {i["face_id"] for i in _run(_still("face.png"), tracker)} == {"unknown"}
    (item,) = _run(_still("face.png"), tracker, identify_faces=True)
    assert item["face_id"] == "face_0"  # the cache saw the face before identify_faces was on


def _fake(
    x: float,
    y: float = 20.0,
    w: float = 100.0,
    h: float | None = None,
    *,
    prob: float = 0.999,
    smile: float = 0.2,
    eyes_open: float = 0.9,
    brightness: float = 0.5,
    tilt: float = 0.0,
) -> DetectedFace:
    return DetectedFace(x, y, w, w if h is None else h, prob, smile, eyes_open, brightness, tilt)


def test_tracker_follows_small_motion() -> None:
    tracker = FaceTracker()
    assert tracker.assign([_fake(100)]) == ["face_0"]
    for step in range(1, 8):
        assert tracker.assign([_fake(100 + 15 * step, y=20 + 5 * step)]) == ["face_0"]


def test_tracker_gives_new_faces_new_ids() -> None:
    tracker = FaceTracker()
    assert tracker.assign([_fake(0)]) == ["face_0"]
    assert tracker.assign([_fake(5), _fake(400)]) == ["face_0", "face_1"]
    assert tracker.assign([_fake(405), _fake(2)]) == ["face_1", "face_0"]
    assert tracker.assign([_fake(800, y=300)]) == ["face_2"]  # elsewhere: a new person
    assert tracker.assign([_fake(3)]) == ["face_0"]  # back where face_0 was last seen


def test_tracker_never_reuses_ids_and_matches_each_id_once() -> None:
    tracker = FaceTracker()
    assert tracker.assign([_fake(0)]) == ["face_0"]
    assert tracker.assign([_fake(0), _fake(10)]) == ["face_0", "face_1"]
    assert tracker.assign([]) == []
    assert tracker.assign([_fake(1000, w=40)]) == ["face_2"]
    assert tracker.assign([_fake(0, w=300)]) == ["face_3"]  # too big to be face_0


# --------------------------------------------------------------------------------- scoring


def _blank_frames(count: int) -> list[FaceFrame]:
    rgb = np.zeros((480, 640, 3), dtype=np.uint8)
    return [FaceFrame(frame=i, time_s=None, rgb=rgb) for i in range(count)]


def _scores(entries: list[dict[str, Any]]) -> dict[str, float]:
    return {e["name"]: e["score"] for e in entries}


def _scored(monkeypatch: pytest.MonkeyPatch, face: DetectedFace) -> dict[str, Any]:
    monkeypatch.setattr(face_module, "detect_faces", lambda rgb: [face])
    (item,) = _run(_blank_frames(1), facs=True, descriptions=True)
    return {key: _scores(item[key]) for key in ("emotions", "facs", "descriptions")}


def test_smile_raises_positive_expressions(monkeypatch: pytest.MonkeyPatch) -> None:
    smiling = _scored(monkeypatch, _fake(100, smile=0.95))
    neutral = _scored(monkeypatch, _fake(100, smile=0.0))
    top = sorted(smiling["emotions"], key=smiling["emotions"].__getitem__, reverse=True)[:5]
    assert "Joy" in top and "Amusement" in top
    for name in ("Joy", "Amusement"):
        assert smiling["emotions"][name] > neutral["emotions"][name] + 0.2
    assert smiling["emotions"]["Contentment"] > neutral["emotions"]["Contentment"] + 0.1
    assert smiling["emotions"]["Sadness"] <= neutral["emotions"]["Sadness"]
    for name in ("AU6 Cheek Raise", "AU12 Lip Corner Puller"):
        assert smiling["facs"][name] > 0.7
        assert neutral["facs"][name] < 0.2
    for name in ("Smile", "Grin", "Beaming"):
        assert smiling["descriptions"][name] > 0.5 > neutral["descriptions"][name]
    others = set(FACS_NAMES) - {"AU6 Cheek Raise", "AU12 Lip Corner Puller", "AU25 Lips Part"}
    assert max(smiling["facs"][name] for name in others) < 0.5


def test_closed_eyes_raise_tiredness(monkeypatch: pytest.MonkeyPatch) -> None:
    closed = _scored(monkeypatch, _fake(100, eyes_open=0.0))
    open_ = _scored(monkeypatch, _fake(100, eyes_open=0.95))
    assert closed["facs"]["AU43 Eye Closure"] > 0.8
    assert open_["facs"]["AU43 Eye Closure"] < 0.2
    assert closed["descriptions"]["Eyes closed"] > 0.8
    assert open_["descriptions"]["Eyes closed"] < 0.2
    assert closed["emotions"]["Tiredness"] > open_["emotions"]["Tiredness"] + 0.2
    top = sorted(closed["emotions"], key=closed["emotions"].__getitem__, reverse=True)[:3]
    assert "Tiredness" in top


def test_low_facs_and_descriptions_stay_low(monkeypatch: pytest.MonkeyPatch) -> None:
    neutral = _scored(monkeypatch, _fake(100, smile=0.0, eyes_open=0.9))
    assert max(neutral["facs"].values()) < 0.3
    assert max(neutral["descriptions"].values()) < 0.3


# ----------------------------------------------------------------------------- determinism


def test_same_seed_same_output_other_seed_other_scores() -> None:
    first = _run(_still("face.png"), facs=True, descriptions=True)
    again = _run(_still("face.png"), facs=True, descriptions=True)
    assert first == again
    other = _run(_still("face.png"), seeds=SeedSource(7), facs=True, descriptions=True)
    assert [i["bbox"] for i in other] == [i["bbox"] for i in first]
    assert [i["prob"] for i in other] == [i["prob"] for i in first]
    for key in ("emotions", "facs", "descriptions"):
        assert other[0][key] != first[0][key]


def test_output_independent_of_tracker_history() -> None:
    tracker = FaceTracker()
    _run(_video_frames("face_speech.mp4", 3.0), tracker)
    later = _run(_still("face.png"), tracker)
    assert later == _run(_still("face.png"))  # ids off: scores depend on content only
