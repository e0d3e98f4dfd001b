"""A real, deterministic face detector for the Hume face model.

OpenCV's Viola-Jones Haar cascades find frontal faces; the raw detections are grouped the way
``cv2.groupRectangles`` does it, and each group's evidence (hit count and the best stage-sum
"level weight" from ``detectMultiScale3(..., outputRejectLevels=True)``) becomes the
detection probability Hume's ``prob`` field and ``prob_threshold`` option refer to:

    prob = sigmoid(1.2 * max_level_weight + 1.5 * ln(hits) - 3.0)

Clear frontal faces (dozens of hits, weight >= 3.5) land at >= 0.99, the default streaming
``prob_threshold``; small, rotated or partly hidden faces score lower. Inside each
face, normalised to 128x128 px, the eye cascade measures open eyes, the smile cascade a smile,
and the eye line a head roll. Filtering by ``prob_threshold``/``min_face_size`` is the face
engine's job; this module reports everything it found (groups of >= 3 hits, >= 24 px).
"""

from __future__ import annotations

import math
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from collections.abc import Iterator

    import cv2

__all__ = ["DetectedFace", "detect_faces"]

# Detection parameters.
_SCALE_FACTOR = 1.1  # image pyramid step
_MIN_FACE_PX = 24  # smallest face searched for, at detection scale (cascade window 24x24)
_MAX_DETECT_SIDE = 1280  # larger images are downscaled for detection (~0.25 s at 1280 px)
_GROUP_EPS = 0.2  # cv2.groupRectangles' similarity tolerance
_MIN_HITS = 3  # raw hits a group needs to count as a detection (cv2 minNeighbors=2)
_PAIR_BLOCK = 256  # rows per block when comparing all raw hits pairwise

# prob = sigmoid(_W_WEIGHT * max level weight + _W_HITS * ln(hits) + _BIAS)
_W_WEIGHT = 1.2
_W_HITS = 1.5
_BIAS = -3.0
_PROB_MIN, _PROB_MAX = 1e-4, 0.99999

# Feature analysis inside a face, on a crop normalised to _CANON x _CANON pixels.
_CANON = 128
_EYE_ROWS = (0, 80)  # eyes sit in the upper ~60 % of the Haar face box
_MOUTH_ROWS = (72, 128)  # mouth in the lower ~45 %
_EYE_HITS_SCALE = 50.0  # eye evidence = 1 - exp(-hits / scale); open eyes give ~150 hits
_SMILE_HITS_SCALE = 120.0  # smile evidence likewise; a clear smile gives ~250 hits
_MAX_TILT_RAD = math.pi / 6  # eye-line roll mapped to tilt = +-1

_CASCADE_FILES = (
    "haarcascade_frontalface_default.xml",
    "haarcascade_eye.xml",
    "haarcascade_smile.xml",
)


@dataclass(frozen=True, slots=True)
class DetectedFace:
    """One face found in an image, in source-image pixels."""

    x: float  # top-left corner
    y: float
    w: float  # size
    h: float
    prob: float  # detection probability in (0, 1)
    smile: float  # 0..1 evidence of a smile (smile cascade inside the lower face)
    eyes_open: float  # 0..1 (eye cascade in the upper face)
    brightness: float  # 0..1 mean luma of the face box
    tilt: float  # -1..1 head roll from the eye line (+ = clockwise in the image), 0 if unknown


# ------------------------------------------------------------------------------ cascades


class _Cascades(NamedTuple):
    face: cv2.CascadeClassifier
    eye: cv2.CascadeClassifier
    smile: cv2.CascadeClassifier


class _CascadePool:
    """Lazily loaded cascades, one set per concurrently detecting thread.

    A ``cv2.CascadeClassifier`` keeps per-call scratch state and must not run in two threads at
    once. Threads borrow a set under a lock and return it afterwards, so sets are loaded only
    when more threads detect at the same time than sets exist (at most the peak concurrency).
    """

    __slots__ = ("_idle", "_lock")

    def __init__(self) -> None:
        self._lock = threading.Lock()  # guards _idle
        self._idle: list[_Cascades] = []  # loaded sets not in use

    @contextmanager
    def borrow(self) -> Iterator[_Cascades]:
        with self._lock:
            cascades = self._idle.pop() if self._idle else None
        if cascades is None:
            cascades = _load_cascades()
        try:
            yield cascades
        finally:
            with self._lock:
                self._idle.append(cascades)


def _load_cascades() -> _Cascades:
    import cv2  # noqa: PLC0415  OpenCV: loaded on the first face detection
    import cv2.data  # noqa: PLC0415  (the same)

    loaded = []
    for name in _CASCADE_FILES:
        classifier = cv2.CascadeClassifier(cv2.data.haarcascades + name)
        if classifier.empty():
            raise RuntimeError(f"OpenCV cascade {name} could not be loaded")
        loaded.append(classifier)
    return _Cascades(*loaded)


_POOL = _CascadePool()


# ------------------------------------------------------------------------------- grouping


class _Group(NamedTuple):
    x: float
    y: float
    w: float
    h: float
    hits: int
    weight: float  # best level weight (final cascade stage sum) in the group


def _raw_detections(
    classifier: cv2.CascadeClassifier,
    gray: npt.NDArray[np.uint8],
    min_size: tuple[int, int],
    max_size: tuple[int, int] = (0, 0),
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """All raw window hits (N x 4 rects, N weights), in a canonical, thread-independent order."""
    rects, _levels, weights = classifier.detectMultiScale3(
        gray,
        scaleFactor=_SCALE_FACTOR,
        minNeighbors=0,
        flags=0,
        minSize=min_size,
        maxSize=max_size,
        outputRejectLevels=True,
    )
    boxes = np.asarray(rects, dtype=np.float64).reshape(-1, 4)
    scores = np.asarray(weights, dtype=np.float64).reshape(-1)
    order = np.lexsort((scores, boxes[:, 3], boxes[:, 2], boxes[:, 1], boxes[:, 0]))
    return boxes[order], scores[order]


def _group(
    boxes: npt.NDArray[np.float64], weights: npt.NDArray[np.float64], min_hits: int
) -> list[_Group]:
    """Cluster similar rectangles and average them, like ``cv2.groupRectangles``.

    Two rectangles are similar when every edge differs by at most ``eps * mean(min side)``.
    Groups with fewer than ``min_hits`` members are dropped, and so are groups lying inside a
    better-supported group (a face's eye or mouth firing the face cascade).
    """
    n = len(boxes)
    if n == 0:
        return []
    labels = _components(n, _similar_pairs(boxes))

    groups: list[_Group] = []
    for label in np.unique(labels):
        members = labels == label
        hits = int(members.sum())
        if hits < min_hits:
            continue
        mean = boxes[members].mean(axis=0)
        groups.append(
            _Group(
                float(mean[0]),
                float(mean[1]),
                float(mean[2]),
                float(mean[3]),
                hits,
                float(weights[members].max()),
            )
        )
    return [g for g in groups if not any(_inside(g, other) for other in groups if other != g)]


def _similar_pairs(boxes: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.intp], ...]:
    """Index pairs ``(i, j)`` of similar rectangles, computed in row blocks to bound memory."""
    x, y, w, h = boxes.T
    x2, y2 = x + w, y + h
    rows: list[npt.NDArray[np.intp]] = []
    cols: list[npt.NDArray[np.intp]] = []
    for lo in range(0, len(boxes), _PAIR_BLOCK):
        hi = min(len(boxes), lo + _PAIR_BLOCK)
        sl = slice(lo, hi)
        delta = _GROUP_EPS * (np.minimum.outer(w[sl], w) + np.minimum.outer(h[sl], h)) * 0.5
        similar = (
            (np.abs(np.subtract.outer(x[sl], x)) <= delta)
            & (np.abs(np.subtract.outer(y[sl], y)) <= delta)
            & (np.abs(np.subtract.outer(x2[sl], x2)) <= delta)
            & (np.abs(np.subtract.outer(y2[sl], y2)) <= delta)
        )
        i, j = np.nonzero(similar)
        rows.append(i + lo)
        cols.append(j)
    return np.concatenate(rows), np.concatenate(cols)


def _components(n: int, pairs: tuple[npt.NDArray[np.intp], ...]) -> npt.NDArray[np.intp]:
    """Connected-component labels (smallest member index) of ``n`` nodes joined by ``pairs``."""
    rows, cols = pairs
    labels = np.arange(n)
    while True:  # min-label propagation with pointer jumping
        nxt = labels.copy()
        np.minimum.at(nxt, rows, labels[cols])
        nxt = nxt[nxt]
        if np.array_equal(nxt, labels):
            return labels
        labels = nxt


def _inside(inner: _Group, outer: _Group) -> bool:
    """cv2.groupRectangles' rule for dropping a group nested in a stronger one."""
    dx, dy = outer.w * _GROUP_EPS, outer.h * _GROUP_EPS
    nested = (
        inner.x >= outer.x - dx
        and inner.y >= outer.y - dy
        and inner.x + inner.w <= outer.x + outer.w + dx
        and inner.y + inner.h <= outer.y + outer.h + dy
    )
    return nested and (outer.hits > max(3, inner.hits) or inner.hits < 3)


def _probability(group: _Group) -> float:
    """Map a group's evidence to a detection probability (module docstring)."""
    z = _W_WEIGHT * group.weight + _W_HITS * math.log(group.hits) + _BIAS
    prob = 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))
    return min(_PROB_MAX, max(_PROB_MIN, prob))


# ------------------------------------------------------------------------------- features


def _evidence(hits: int, scale: float) -> float:
    return 1.0 - math.exp(-hits / scale)


def _face_features(cascades: _Cascades, crop: npt.NDArray[np.uint8]) -> tuple[float, float, float]:
    """(smile, eyes_open, tilt) measured on a face crop."""
    import cv2  # noqa: PLC0415  OpenCV: loaded on the first face detection

    side = crop.shape[1]
    interpolation = cv2.INTER_AREA if side > _CANON else cv2.INTER_LINEAR
    canon = np.asarray(
        cv2.resize(crop, (_CANON, _CANON), interpolation=interpolation), dtype=np.uint8
    )

    upper = np.ascontiguousarray(canon[_EYE_ROWS[0] : _EYE_ROWS[1]])
    eye_boxes, eye_weights = _raw_detections(cascades.eye, upper, (16, 16), (64, 64))
    eyes = _group(eye_boxes, eye_weights, 2)
    half = _CANON / 2
    left = max((g for g in eyes if g.x + g.w / 2 < half), key=lambda g: g.hits, default=None)
    right = max((g for g in eyes if g.x + g.w / 2 >= half), key=lambda g: g.hits, default=None)
    eyes_open = sum(_evidence(g.hits, _EYE_HITS_SCALE) for g in (left, right) if g) / 2
    tilt = 0.0
    if left is not None and right is not None:
        dx = (right.x + right.w / 2) - (left.x + left.w / 2)
        dy = (right.y + right.h / 2) - (left.y + left.h / 2)
        tilt = max(-1.0, min(1.0, math.atan2(dy, dx) / _MAX_TILT_RAD))

    lower = np.ascontiguousarray(canon[_MOUTH_ROWS[0] : _MOUTH_ROWS[1]])
    mouth_boxes, mouth_weights = _raw_detections(cascades.smile, lower, (36, 18))
    mouths = [
        g
        for g in _group(mouth_boxes, mouth_weights, 2)
        if 0.25 * _CANON <= g.x + g.w / 2 <= 0.75 * _CANON
    ]
    smile = max((_evidence(g.hits, _SMILE_HITS_SCALE) for g in mouths), default=0.0)
    return smile, eyes_open, tilt


# ------------------------------------------------------------------------------ detection


def _to_gray(rgb: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    import cv2  # noqa: PLC0415  OpenCV: loaded on the first face detection

    pixels = np.asarray(rgb)
    if pixels.size == 0:
        return np.zeros((0, 0), dtype=np.uint8)
    if pixels.dtype != np.uint8:
        pixels = np.clip(pixels, 0, 255).astype(np.uint8)
    if pixels.ndim == 2:
        return np.ascontiguousarray(pixels)
    if pixels.ndim != 3 or pixels.shape[2] not in (3, 4):
        raise ValueError(f"expected an H x W x 3 RGB image, got shape {pixels.shape}")
    return np.asarray(
        cv2.cvtColor(np.ascontiguousarray(pixels[:, :, :3]), cv2.COLOR_RGB2GRAY), dtype=np.uint8
    )


def detect_faces(rgb: npt.NDArray[np.uint8]) -> list[DetectedFace]:
    """Find frontal faces in an ``H x W x 3`` RGB image, sorted left to right.

    Deterministic: the same pixels always give the same faces. Safe to call from several
    threads at once.
    """
    import cv2  # noqa: PLC0415  OpenCV: loaded on the first face detection

    gray = _to_gray(rgb)
    height, width = gray.shape
    if min(height, width) < _MIN_FACE_PX:
        return []
    scale = min(1.0, _MAX_DETECT_SIDE / max(height, width))
    small = gray
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        small = np.asarray(cv2.resize(gray, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)

    faces: list[DetectedFace] = []
    with _POOL.borrow() as cascades:
        boxes, weights = _raw_detections(cascades.face, small, (_MIN_FACE_PX, _MIN_FACE_PX))
        for group in _group(boxes, weights, _MIN_HITS):
            x0, y0 = max(0, int(group.x)), max(0, int(group.y))
            x1 = min(small.shape[1], math.ceil(group.x + group.w))
            y1 = min(small.shape[0], math.ceil(group.y + group.h))
            crop = small[y0:y1, x0:x1]
            if crop.size == 0:
                continue
            smile, eyes_open, tilt = _face_features(cascades, crop)
            fx, fy = group.x / scale, group.y / scale
            fw = min(group.w / scale, width - fx)
            fh = min(group.h / scale, height - fy)
            faces.append(
                DetectedFace(
                    x=max(0.0, fx),
                    y=max(0.0, fy),
                    w=fw,
                    h=fh,
                    prob=_probability(group),
                    smile=smile,
                    eyes_open=eyes_open,
                    brightness=float(crop.mean()) / 255.0,
                    tilt=tilt,
                )
            )
    faces.sort(key=lambda f: (f.x, f.y))
    return faces
