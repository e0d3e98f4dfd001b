"""Hume ``face`` model: one prediction per detected face per processed frame.

Implements the ``face`` item of Hume's streaming definition (``frame``, ``time``,
``bbox``, ``prob``, ``face_id``, 48 ``emotions``, optional 36 ``facs`` and 27
``descriptions``), and the ``StreamFace`` options with their documented meaning
(``identify_faces``, ``prob_threshold``, ``min_face_size``; ``fps_pred`` is applied by
:func:`~mockserver.media.video.sample_frames`). An empty result means W0103,
"No faces could be detected in the streamed media."; the caller emits the nested warning.

Faces come from a real detector (:func:`~mockserver.media.faces.detect_faces`), and the scores
respond to what it measured (documented mapping, :func:`face_affect`):

* smile s (0..1), eye closure c = clip((0.55 - eyes_open) / 0.55, 0, 1), |tilt| r;
* valence = -0.15 + 1.0 s - 0.2 c; arousal = 0.45 s - 0.8 c + 0.15 (brightness - 0.5);
  intensity = 0.3 + 0.6 max(s, c) + 0.1 r;
* boosts: smile -> Joy / Amusement / Contentment / Satisfaction; closed eyes -> Tiredness /
  Boredom / Calmness; head roll -> Confusion / Interest / Doubt; a neutral face ->
  Concentration / Calmness / Contemplation;
* FACS: smile -> AU6 Cheek Raise, AU12 Lip Corner Puller (high), AU25 Lips Part, AU7 Lids
  Tight; closed eyes -> AU43 Eye Closure; descriptions: smile -> Smile, Grin, Beaming, Laugh;
  closed eyes -> Eyes closed; neutral -> a little Frown/Pout. Everything else stays low
  (0.01-0.09 of seeded noise). FACS and description scores are in [0, 1], float32-rounded.

Noise comes from ``seeds.uniforms(n, "hume", "face", <part>, *signature)`` where the signature
quantises the face (bbox relative to the image in 1 % steps, smile/eyes/brightness in 0.05
steps, tilt in 0.1 steps): the same image always scores the same, another seed differently.

Identity (``StreamFace``: one cache per connection that survives ``reset_stream``): a
:class:`FaceTracker` matches each face to the last box of every known id by IoU or by centre
distance relative to box size; an unmatched face gets the next ``face_<n>`` id (the
format INFERRED from batch output), and ids are never reused. Ids are assigned even while
``identify_faces`` is false, when the output says ``"unknown"``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from mockserver.core.rng import SeedSource
from mockserver.media.faces import DetectedFace, detect_faces
from mockserver.vendors.hume.affect import as_float32, expression_scores, named_scores
from mockserver.vendors.hume.labels import DESCRIPTION_NAMES, EXPRESSION_NAMES, FACS_NAMES
from mockserver.vendors.hume.options import FaceOptions

__all__ = [
    "UNKNOWN_FACE_ID",
    "FaceFrame",
    "FaceOptions",
    "FaceTracker",
    "face_affect",
    "predict_faces",
]

UNKNOWN_FACE_ID = "unknown"  #: face_id while identify_faces is false (``StreamFace``)

# Tracker matching (relative to the boxes' mean side length).
_MIN_IOU = 0.3
_MAX_CENTRE_DISTANCE = 0.6
_MAX_SIZE_RATIO = 2.0
_MAX_TRACKED = 256  # most recently seen identities kept for matching


def _clip(value: float, lo: float = -1.0, hi: float = 1.0) -> float:
    return max(lo, min(hi, value))


@dataclass(frozen=True, slots=True)
class FaceFrame:
    """One picture for the face model: an image (frame 0, no time) or a sampled video frame."""

    frame: int  # frame number (0 for a single image)
    time_s: float | None  # seconds into the video; None for a single image (``number | null``)
    rgb: npt.NDArray[np.uint8]  # H x W x 3


# ------------------------------------------------------------------------------- identity


class FaceTracker:
    """Per-connection face identity cache: survives reset_stream (``StreamFace`` note)."""

    __slots__ = ("_last_box", "_next_id", "_tick")

    def __init__(self) -> None:
        self._next_id = 0  # number of the next new identity; ids are never reused
        self._tick = 0  # assign() calls so far, to age identities out of _last_box
        self._last_box: dict[int, tuple[float, float, float, float, int]] = {}  # id -> box, tick

    def assign(self, faces: Sequence[DetectedFace]) -> list[str]:
        """Return ``"face_<n>"`` for each face of one frame, stable across frames and payloads.

        Matching is greedy on the best (IoU, then centre distance) pairs, each identity at most
        once per frame; identities are matched against the box where they were last seen.
        """
        self._tick += 1
        candidates: list[tuple[float, int, int]] = []  # (cost, face index, id)
        for index, face in enumerate(faces):
            box = (face.x, face.y, face.w, face.h)
            for identity, (*last, _seen) in self._last_box.items():
                cost = _match_cost(box, (last[0], last[1], last[2], last[3]))
                if cost is not None:
                    candidates.append((cost, index, identity))
        candidates.sort()
        assigned: dict[int, int] = {}
        taken: set[int] = set()
        for _cost, index, identity in candidates:
            if index not in assigned and identity not in taken:
                assigned[index] = identity
                taken.add(identity)
        ids: list[str] = []
        for index, face in enumerate(faces):
            known = assigned.get(index)
            if known is None:
                known = self._next_id
                self._next_id += 1
            self._last_box[known] = (face.x, face.y, face.w, face.h, self._tick)
            ids.append(f"face_{known}")
        if len(self._last_box) > _MAX_TRACKED:
            stale = sorted(self._last_box, key=lambda i: (self._last_box[i][4], i))
            for identity in stale[: len(self._last_box) - _MAX_TRACKED]:
                del self._last_box[identity]
        return ids


def _match_cost(
    box: tuple[float, float, float, float], last: tuple[float, float, float, float]
) -> float | None:
    """Lower is better; None when the boxes cannot be the same face."""
    x, y, w, h = box
    lx, ly, lw, lh = last
    size, last_size = math.sqrt(w * h), math.sqrt(lw * lh)
    if min(size, last_size) <= 0 or max(size, last_size) / min(size, last_size) > _MAX_SIZE_RATIO:
        return None
    ix = max(0.0, min(x + w, lx + lw) - max(x, lx))
    iy = max(0.0, min(y + h, ly + lh) - max(y, ly))
    inter = ix * iy
    iou = inter / (w * h + lw * lh - inter)
    distance = math.hypot((x + w / 2) - (lx + lw / 2), (y + h / 2) - (ly + lh / 2))
    relative = distance / ((size + last_size) / 2)
    if iou < _MIN_IOU and relative > _MAX_CENTRE_DISTANCE:
        return None
    return (1.0 - iou) + relative


# -------------------------------------------------------------------------------- scoring


def face_affect(face: DetectedFace) -> tuple[float, float, float]:
    """Map detector measurements to ``(valence, arousal, intensity)`` (module docstring)."""
    smile, closure, _neutral = _cues(face)
    roll = abs(_clip(face.tilt))
    valence = _clip(-0.15 + 1.0 * smile - 0.2 * closure)
    arousal = _clip(0.45 * smile - 0.8 * closure + 0.15 * (face.brightness - 0.5))
    intensity = _clip(0.3 + 0.6 * max(smile, closure) + 0.1 * roll, 0.0, 1.0)
    return valence, arousal, intensity


def _cues(face: DetectedFace) -> tuple[float, float, float]:
    """``(smile, closure, neutral)`` in [0, 1]: neutral is neither smiling nor eyes closed."""
    smile = _clip(face.smile, 0.0, 1.0)
    closure = _clip((0.55 - face.eyes_open) / 0.55, 0.0, 1.0)
    return smile, closure, (1.0 - smile) * (1.0 - closure)


def _emotion_boosts(face: DetectedFace) -> dict[str, float]:
    smile, closure, neutral = _cues(face)
    roll = abs(_clip(face.tilt))
    return {
        "Joy": 0.35 * smile,
        "Amusement": 0.30 * smile,
        "Contentment": 0.30 * smile,
        "Satisfaction": 0.12 * smile,
        "Tiredness": 0.50 * closure,
        "Boredom": 0.15 * closure + 0.06 * neutral,
        "Calmness": 0.20 * closure + 0.10 * neutral,
        "Concentration": 0.15 * neutral,
        "Contemplation": 0.08 * neutral,
        "Confusion": 0.15 * roll,
        "Interest": 0.10 * roll,
        "Doubt": 0.08 * roll,
    }


def _facs_levels(face: DetectedFace) -> dict[str, float]:
    smile, closure, neutral = _cues(face)
    return {
        "AU6 Cheek Raise": 0.08 + 0.75 * smile,
        "AU12 Lip Corner Puller": 0.08 + 0.82 * smile,
        "AU25 Lips Part": 0.06 + 0.35 * smile,
        "AU7 Lids Tight": 0.05 + 0.25 * smile + 0.25 * closure,
        "AU43 Eye Closure": 0.03 + 0.90 * closure,
        "AU5 Upper Lid Raise": 0.04 + 0.12 * neutral * (1.0 - closure),
        "AU4 Brow Lowerer": 0.04 + 0.10 * neutral,
        "AU15 Lip Corner Depressor": 0.03 + 0.08 * neutral,
        "AU17 Chin Raiser": 0.03 + 0.08 * neutral,
    }


def _description_levels(face: DetectedFace) -> dict[str, float]:
    smile, closure, neutral = _cues(face)
    return {
        "Smile": 0.05 + 0.85 * smile,
        "Grin": 0.03 + 0.65 * smile,
        "Beaming": 0.03 + 0.60 * smile,
        "Laugh": 0.02 + 0.25 * smile,
        "Squint": 0.03 + 0.15 * smile + 0.15 * closure,
        "Eyes closed": 0.02 + 0.90 * closure,
        "Frown": 0.03 + 0.10 * neutral,
        "Pout": 0.02 + 0.06 * neutral,
    }


def _unit_scores(
    names: Sequence[str], levels: dict[str, float], noise: Sequence[float]
) -> list[float]:
    """Score each name: its level (or a low floor) plus up to 0.08 of noise, in [0, 1]."""
    return [
        as_float32(_clip(levels.get(name, 0.01) + 0.08 * jitter, 0.0, 1.0))
        for name, jitter in zip(names, noise, strict=True)
    ]


def _signature(face: DetectedFace, width: int, height: int) -> tuple[int, ...]:
    """Quantised face content used as the noise key (content-keyed randomness)."""
    return (
        round(face.x / width * 100.0),
        round(face.y / height * 100.0),
        round(face.w / width * 100.0),
        round(face.h / height * 100.0),
        round(face.smile * 20.0),
        round(face.eyes_open * 20.0),
        round(face.brightness * 20.0),
        round(face.tilt * 10.0),
    )


def _prediction(
    frame: FaceFrame,
    face: DetectedFace,
    face_id: str,
    *,
    options: FaceOptions,
    seeds: SeedSource,
) -> dict[str, Any]:
    """One face item in the wire key order of the definition."""
    height, width = frame.rgb.shape[:2]
    signature = _signature(face, width, height)
    valence, arousal, intensity = face_affect(face)
    emotions = expression_scores(
        EXPRESSION_NAMES,
        valence,
        arousal,
        intensity=intensity,
        noise=seeds.uniforms(len(EXPRESSION_NAMES), "hume", "face", "emotions", *signature),
        boosts=_emotion_boosts(face),
    )
    item: dict[str, Any] = {
        "frame": frame.frame,
        "time": None if frame.time_s is None else round(frame.time_s, 3),
        "bbox": {
            "x": round(max(0.0, face.x), 3),
            "y": round(max(0.0, face.y), 3),
            "w": round(max(0.0, face.w), 3),
            "h": round(max(0.0, face.h), 3),
        },
        "prob": as_float32(face.prob),
        "face_id": face_id if options.identify_faces else UNKNOWN_FACE_ID,
        "emotions": named_scores(EXPRESSION_NAMES, emotions),
    }
    if options.facs:
        noise = seeds.uniforms(len(FACS_NAMES), "hume", "face", "facs", *signature)
        item["facs"] = named_scores(FACS_NAMES, _unit_scores(FACS_NAMES, _facs_levels(face), noise))
    if options.descriptions:
        noise = seeds.uniforms(len(DESCRIPTION_NAMES), "hume", "face", "descriptions", *signature)
        levels = _description_levels(face)
        item["descriptions"] = named_scores(
            DESCRIPTION_NAMES, _unit_scores(DESCRIPTION_NAMES, levels, noise)
        )
    return item


def predict_faces(
    frames: Sequence[FaceFrame],
    *,
    options: FaceOptions,
    tracker: FaceTracker,
    seeds: SeedSource,
) -> list[dict[str, Any]]:
    """Face predictions for the frames of one payload, in frame order then left to right.

    Faces with ``prob < prob_threshold`` or a bbox side below ``min_face_size`` are dropped
    (``StreamFace``). Returns ``[]`` when no face survives (the caller answers W0103).
    """
    items: list[dict[str, Any]] = []
    for frame in frames:
        kept = [
            face
            for face in detect_faces(frame.rgb)
            if face.prob >= options.prob_threshold and min(face.w, face.h) >= options.min_face_size
        ]
        ids = tracker.assign(kept)
        items.extend(
            _prediction(frame, face, face_id, options=options, seeds=seeds)
            for face, face_id in zip(kept, ids, strict=True)
        )
    return items
