"""Tests of the Haar-cascade face detector behind the face model (Hume's face model)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import cache

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from mockserver.media.faces import DetectedFace, detect_faces

from .builders import fixture_rgb


@cache
def _faces(name: str) -> tuple[DetectedFace, ...]:
    return tuple(detect_faces(fixture_rgb(name)))


def _assert_sane(face: DetectedFace, rgb: npt.NDArray[np.uint8]) -> None:
    height, width = rgb.shape[:2]
    assert face.x >= 0 and face.y >= 0
    assert face.x + face.w <= width + 1e-6 and face.y + face.h <= height + 1e-6
    assert 0.0 < face.prob < 1.0
    assert 0.0 <= face.smile <= 1.0 and 0.0 <= face.eyes_open <= 1.0
    assert 0.0 <= face.brightness <= 1.0 and -1.0 <= face.tilt <= 1.0


@pytest.mark.parametrize("name", ["face.png", "face.jpg"])
def test_one_clear_face(name: str) -> None:
    faces = _faces(name)
    assert len(faces) == 1
    (face,) = faces
    _assert_sane(face, fixture_rgb(name))
    assert face.prob >= 0.99  # passes the default prob_threshold (0.99)
    assert min(face.w, face.h) >= 100  # and the default min_face_size of 60


def test_two_faces_sorted_left_to_right() -> None:
    faces = _faces("two_faces.png")
    assert len(faces) == 2
    left, right = faces
    assert left.x + left.w <= right.x  # side by side, no overlap
    for face in faces:
        _assert_sane(face, fixture_rgb("two_faces.png"))
        assert face.prob >= 0.99


def test_no_face_fixture() -> None:
    assert _faces("no_face.png") == ()


def _gradient(height: int, width: int) -> npt.NDArray[np.uint8]:
    ys, xs = np.mgrid[0:height, 0:width]
    return np.stack(
        [xs * 255 // max(1, width - 1), ys * 255 // max(1, height - 1), np.full_like(xs, 90)],
        axis=-1,
    ).astype(np.uint8)


@pytest.mark.parametrize(
    "rgb",
    [
        pytest.param(np.zeros((240, 320, 3), np.uint8), id="black"),
        pytest.param(np.full((240, 320, 3), 255, np.uint8), id="white"),
        pytest.param(_gradient(300, 400), id="gradient"),
        pytest.param(
            np.random.default_rng(7).integers(0, 256, (240, 320, 3), np.uint8), id="noise"
        ),
        pytest.param(np.zeros((10, 10, 3), np.uint8), id="tiny"),
        pytest.param(np.zeros((0, 0, 3), np.uint8), id="empty"),
    ],
)
def test_nothing_to_find(rgb: npt.NDArray[np.uint8]) -> None:
    assert detect_faces(rgb) == []


def test_deterministic_and_grayscale_input() -> None:
    rgb = fixture_rgb("two_faces.png")
    assert detect_faces(rgb) == list(_faces("two_faces.png"))
    gray = np.asarray(cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY), dtype=np.uint8)
    assert detect_faces(gray) == list(_faces("two_faces.png"))


def test_thread_safe() -> None:
    names = ["face.png", "two_faces.png", "no_face.png", "face.jpg"] * 3
    expected = [_faces(name) for name in names]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda name: tuple(detect_faces(fixture_rgb(name))), names))
    assert got == expected


def test_large_image_boxes_in_source_pixels() -> None:
    face = _faces("face.png")[0]
    rgb = fixture_rgb("face.png")
    big = np.full((1800, 1800, 3), 110, dtype=np.uint8)  # downscaled to 1280 px to detect
    big[500 : 500 + rgb.shape[0], 700 : 700 + rgb.shape[1]] = rgb
    faces = detect_faces(big)
    assert len(faces) == 1
    (found,) = faces
    assert found.w == pytest.approx(face.w, rel=0.15)
    assert found.x == pytest.approx(700 + face.x, abs=0.15 * face.w)
    assert found.y == pytest.approx(500 + face.y, abs=0.15 * face.h)


def _face_box(name: str) -> tuple[int, int, int, int]:
    face = _faces(name)[0]
    return round(face.x), round(face.y), round(face.w), round(face.h)


def test_small_faces_are_weaker_detections() -> None:
    face = _faces("face.png")[0]
    scale = 30.0 / face.w
    small = cv2.resize(
        fixture_rgb("face.png"), None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA
    )
    faces = detect_faces(np.ascontiguousarray(small))
    assert len(faces) == 1
    assert faces[0].prob < 0.99 <= face.prob


def test_hiding_the_mouth_removes_the_smile() -> None:
    rgb = fixture_rgb("face.png").copy()
    x, y, w, h = _face_box("face.png")
    skin = rgb[y + int(0.5 * h) : y + int(0.58 * h), x + w // 4 : x + 3 * w // 4].mean(axis=(0, 1))
    rgb[y + int(0.66 * h) : y + int(0.95 * h), x + w // 4 : x + 3 * w // 4] = skin.astype(np.uint8)
    (painted,) = detect_faces(rgb)
    assert painted.smile < _faces("face.png")[0].smile - 0.3


def test_blurring_the_eyes_lowers_eyes_open() -> None:
    rgb = fixture_rgb("face.png").copy()
    x, y, w, h = _face_box("face.png")
    band = np.s_[y + int(0.2 * h) : y + int(0.55 * h), x : x + w]
    rgb[band] = cv2.GaussianBlur(np.ascontiguousarray(rgb[band]), (21, 21), 0)
    (blurred,) = detect_faces(rgb)
    assert blurred.eyes_open < _faces("face.png")[0].eyes_open - 0.2


def test_darker_face_has_lower_brightness() -> None:
    (dark,) = detect_faces((fixture_rgb("face.png") * 0.4).astype(np.uint8))
    assert dark.brightness < 0.6 * _faces("face.png")[0].brightness


def test_rotation_changes_tilt() -> None:
    rgb = fixture_rgb("face.png")
    x, y, w, h = _face_box("face.png")
    tilts = []
    for angle in (12.0, -12.0):
        matrix = cv2.getRotationMatrix2D((x + w / 2, y + h / 2), angle, 1.0)
        rotated = cv2.warpAffine(
            rgb, matrix, (rgb.shape[1], rgb.shape[0]), borderMode=cv2.BORDER_REPLICATE
        )
        (face,) = detect_faces(np.ascontiguousarray(rotated))
        tilts.append(face.tilt)
    # OpenCV's positive angle turns the picture anticlockwise: the eye line rises to the right.
    assert tilts[0] < _faces("face.png")[0].tilt < tilts[1]
