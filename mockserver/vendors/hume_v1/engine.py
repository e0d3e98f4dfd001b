"""Scores of the v1 measurements, computed from the content and seeded.

Audio (``expressions`` and ``voice_attributes`` of one window of speech): the window's
loudness, pitch, pitch spread, speaking rate, voicing and brightness are measured with
:func:`mockserver.media.voice.analyse_voice` and mapped to a point in valence/arousal
space with the v0 prosody mapping (:func:`mockserver.vendors.hume.prosody.voice_affect`):

* an expression's probability is ``0.02 + 0.82 near (0.25 + 0.75 intensity) + boost +
  0.12 (noise - 0.5)``, where ``near`` is a Gaussian of the distance to the expression's
  circumplex point; it is listed when it reaches the expression's own threshold, 0.30 to
  0.55 (the docs: "each against a threshold set for that expression"), derived from the
  name so it does not change with the seed; ``neutral`` is high for quiet, flat, level
  speech;
* a voice attribute's probability is a level read from one feature (``fast`` from the
  speaking rate, ``monotone`` from a small pitch spread, ``calm`` from low arousal,
  ``clear`` from voicing and brightness, ``husky`` from a low, dull voice, ``background
  music`` stays low), plus 0.10 (noise - 0.5); listed at 0.725 or above
  (``types/audio_measurement_result.py``). An attribute of a user label file reads one
  feature axis chosen from its name.

Video (per measured face): smile, eye opening, head roll and brightness from
:func:`mockserver.media.faces.detect_faces` map to valence/arousal with the v0 face
mapping (:func:`mockserver.vendors.hume.face.face_affect`); expressions and descriptions
are listed above 0.1 (``types/face.py``). Descriptions follow the cues: ``smile``, ``grin``
and ``beaming`` the smile, ``eyes closed`` and ``squint`` closed eyes, ``wide-eyed`` wide
open eyes, ``jaw drop`` a wide-eyed face without a smile.

Noise comes from ``seeds.uniforms(n, "hume_v1", <array>, <quantised features>, <span>)``,
so the same content scores the same at every position of a stream and in an upload, and
another seed scores differently. Probabilities are rounded to four decimals
(https://dev.hume.ai/expression-measurement/docs/scores); each array is sorted by
descending probability, ties by the unrounded score (audio) and then by name.
"""

from __future__ import annotations

import hashlib
import io
import math
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from mockserver.core.rng import SeedSource
from mockserver.media.faces import DetectedFace, detect_faces
from mockserver.media.voice import VoiceFeatures, analyse_voice
from mockserver.vendors.hume.affect import AFFECT_COORDINATES
from mockserver.vendors.hume.face import face_affect
from mockserver.vendors.hume.prosody import feature_key, voice_affect

from .codec import FaceSettings
from .labels import LabelSet

__all__ = [
    "FACE_SCORE_CUTOFF",
    "MAX_LISTED_FACES",
    "TRACKED_FACES",
    "VOICE_ATTRIBUTE_CUTOFF",
    "FaceTracker",
    "ImageResult",
    "decode_jpeg",
    "measure_image",
    "score_audio",
]

VOICE_ATTRIBUTE_CUTOFF = 0.725  #: voice_attributes listed at or above
FACE_SCORE_CUTOFF = 0.1  #: video expressions and descriptions listed above
MAX_LISTED_FACES = 32  #: faces listed per image
TRACKED_FACES = 32  #: faces the tracker remembers ("The server remembers up to 32 faces")
SAMPLE_RATE = 16000

_SIGMA2 = 2 * 0.42**2

#: Circumplex points of names beyond the v0 set (the rest come from the v0 table).
_EXTRA_COORDINATES: Mapping[str, tuple[float, float]] = {
    "abhorrence": (-0.8, 0.5),
    "chuckling": (0.6, 0.6),
    "dumbfoundedness": (-0.1, 0.55),
    "eagerness": (0.5, 0.6),
    "feeling uplifted": (0.7, 0.3),
    "feeling upset": (-0.6, 0.45),
    "pleasure": (0.75, 0.15),
    "pondering": (0.05, -0.35),
}
_COORDINATES: Mapping[str, tuple[float, float]] = {
    **{name.lower(): point for name, point in AFFECT_COORDINATES.items()},
    **_EXTRA_COORDINATES,
}


def _name_hash(name: str, salt: str) -> float:
    """A seed-independent value in [0, 1) for a label (thresholds, unknown coordinates)."""
    digest = hashlib.blake2b(f"{salt}:{name}".encode(), digest_size=8).digest()
    return (int.from_bytes(digest, "big") >> 11) / float(1 << 53)


def _coordinates(name: str) -> tuple[float, float]:
    known = _COORDINATES.get(name)
    if known is not None:
        return known
    return (
        -0.9 + 1.8 * _name_hash(name, "valence"),
        -0.9 + 1.8 * _name_hash(name, "arousal"),
    )


def _clip(value: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return max(lo, min(hi, value))


def _near(name: str, valence: float, arousal: float) -> float:
    v, a = _coordinates(name)
    return math.exp(-((valence - v) ** 2 + (arousal - a) ** 2) / _SIGMA2)


def expression_threshold(name: str) -> float:
    """The probability at which an audio expression is listed (0.30 to 0.55)."""
    return 0.30 + 0.25 * _name_hash(name, "threshold")


def _sorted_scores(scored: Sequence[tuple[str, float, float]]) -> list[dict[str, Any]]:
    """``(name, probability, raw)`` -> wire objects, by probability, raw score, name."""
    ordered = sorted(scored, key=lambda item: (-item[1], -item[2], item[0]))
    return [{"name": name, "probability": probability} for name, probability, _ in ordered]


# -- audio ----------------------------------------------------------------------------------


def _voice_levels(features: VoiceFeatures, arousal: float) -> dict[str, float]:
    """Calibrated intensity of each known voice attribute (module docstring)."""
    rate = features.speaking_rate
    spread = features.pitch_spread_st
    pitch = features.pitch_hz or 0.0
    return {
        "fast": 0.25 + 0.7 * _clip((rate - 3.0) / 2.5),
        "monotone": 0.2 + 0.75 * _clip((2.5 - spread) / 2.0),
        "calm": 0.3 + 0.65 * _clip(-arousal * 1.6 + 0.2),
        "clear": 0.3 + 0.65 * _clip((features.voiced_fraction - 0.25) / 0.45)
        * _clip((features.brightness_hz - 400.0) / 800.0),
        "husky": 0.15 + 0.7 * _clip((1000.0 - features.brightness_hz) / 600.0)
        * _clip((160.0 - pitch) / 80.0),
        "background music": 0.05,
    }  # fmt: skip


def _axis_level(name: str, features: VoiceFeatures, arousal: float) -> float:
    """A user-supplied voice attribute: one feature axis chosen from its name."""
    axes = (
        _clip((features.loudness_dbfs + 45.0) / 30.0),
        _clip(((features.pitch_hz or 0.0) - 90.0) / 200.0),
        _clip(features.pitch_spread_st / 5.0),
        _clip(features.speaking_rate / 7.0),
        _clip(features.voiced_fraction),
        _clip((arousal + 1.0) / 2.0),
    )
    pick = _name_hash(name, "axis")
    axis = axes[int(pick * len(axes)) % len(axes)]
    if _name_hash(name, "direction") < 0.5:
        axis = 1.0 - axis
    return 0.15 + 0.8 * axis


def score_audio(
    samples: npt.NDArray[np.floating],
    *,
    start_ms: int,
    end_ms: int,
    labels: LabelSet,
    seeds: SeedSource,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(expressions, voice_attributes)`` of one measured window of speech."""
    features = analyse_voice(samples, SAMPLE_RATE)
    valence, arousal, intensity = voice_affect(features)
    key = (*feature_key(features), start_ms, end_ms)
    names = labels.audio_expressions
    noise = seeds.uniforms(len(names), "hume_v1", "audio", "expressions", *key)
    flat = _clip((2.5 - features.pitch_spread_st) / 2.5)
    scored: list[tuple[str, float, float]] = []
    for name, jitter in zip(names, noise, strict=True):
        if name == "neutral":
            level = 0.1 + 0.75 * (1.0 - intensity * 0.6) * (1.0 - abs(arousal)) * (0.4 + 0.6 * flat)
        else:
            level = 0.02 + 0.82 * _near(name, valence, arousal) * (0.25 + 0.75 * intensity)
        raw = _clip(level + 0.12 * (jitter - 0.5))
        probability = round(raw, 4)
        if probability >= expression_threshold(name):
            scored.append((name, probability, raw))
    attributes = labels.voice_attributes
    noise = seeds.uniforms(len(attributes), "hume_v1", "audio", "voice_attributes", *key)
    known = _voice_levels(features, arousal)
    voice: list[tuple[str, float, float]] = []
    for name, jitter in zip(attributes, noise, strict=True):
        level = known[name] if name in known else _axis_level(name, features, arousal)
        raw = _clip(level + 0.10 * (jitter - 0.5))
        probability = round(raw, 4)
        if probability >= VOICE_ATTRIBUTE_CUTOFF:
            voice.append((name, probability, raw))
    return _sorted_scores(scored), _sorted_scores(voice)


# -- video ----------------------------------------------------------------------------------


def decode_jpeg(data: bytes) -> npt.NDArray[np.uint8]:
    """Decode a JPEG to ``H x W x 3`` RGB without applying EXIF orientation ("EXIF
    orientation is not applied", ``types/bounding_box.py``).

    Raises:
        ValueError: the bytes cannot be decoded.
    """
    from PIL import Image  # noqa: PLC0415  Pillow: loaded on the first image

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            return np.array(image.convert("RGB"), dtype=np.uint8)
    except Exception as exc:  # Pillow raises OSError, SyntaxError, ValueError...
        raise ValueError(f"the JPEG cannot be decoded: {exc}") from None


def _cues(face: DetectedFace) -> tuple[float, float, float, float]:
    """``(smile, closure, wide, roll)`` in [0, 1]."""
    smile = _clip(face.smile)
    closure = _clip((0.55 - face.eyes_open) / 0.55)
    wide = _clip((face.eyes_open - 0.75) / 0.25)
    return smile, closure, wide, abs(max(-1.0, min(1.0, face.tilt)))


def _expression_boosts(face: DetectedFace) -> dict[str, float]:
    smile, closure, wide, roll = _cues(face)
    neutral = (1.0 - smile) * (1.0 - closure)
    return {
        "joy": 0.45 * smile,
        "amusement": 0.40 * smile,
        "contentment": 0.25 * smile,
        "satisfaction": 0.15 * smile,
        "tiredness": 0.50 * closure,
        "boredom": 0.15 * closure + 0.05 * neutral,
        "calmness": 0.20 * closure + 0.10 * neutral,
        "concentration": 0.30 * neutral,
        "contemplation": 0.20 * neutral,
        "interest": 0.12 * neutral + 0.10 * roll,
        "confusion": 0.15 * roll,
        "doubt": 0.08 * roll,
        "realization": 0.10 * wide,
        "surprise (positive)": 0.15 * wide * smile,
        "surprise (negative)": 0.15 * wide * (1.0 - smile),
    }


def _description_levels(face: DetectedFace) -> dict[str, float]:
    smile, closure, wide, _roll = _cues(face)
    neutral = (1.0 - smile) * (1.0 - closure)
    return {
        "smile": 0.05 + 0.85 * smile,
        "grin": 0.03 + 0.65 * smile,
        "beaming": 0.03 + 0.55 * smile,
        "laugh": 0.02 + 0.25 * smile,
        "eyes closed": 0.02 + 0.90 * closure,
        "squint": 0.03 + 0.15 * smile + 0.20 * closure,
        "wide-eyed": 0.03 + 0.55 * wide,
        "jaw drop": 0.02 + 0.35 * wide * (1.0 - smile),
        "frown": 0.03 + 0.10 * neutral,
        "pout": 0.02 + 0.06 * neutral,
    }


def _signature(face: DetectedFace, width: int, height: int) -> tuple[int, ...]:
    """Quantised face content: the noise key (the same face scores the same)."""
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


def _face_scores(
    face: DetectedFace, width: int, height: int, labels: LabelSet, seeds: SeedSource
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    signature = _signature(face, width, height)
    valence, arousal, intensity = face_affect(face)
    boosts = _expression_boosts(face)
    names = labels.video_expressions
    noise = seeds.uniforms(len(names), "hume_v1", "face", "expressions", *signature)
    expressions = []
    for name, jitter in zip(names, noise, strict=True):
        level = 0.01 + 0.55 * _near(name, valence, arousal) ** 3 * (0.2 + 0.8 * intensity)
        raw = _clip(level + boosts.get(name, 0.0) + 0.08 * (jitter - 0.5))
        probability = round(raw, 4)
        if probability > FACE_SCORE_CUTOFF:
            expressions.append((name, probability, 0.0))
    levels = _description_levels(face)
    names = labels.video_descriptions
    noise = seeds.uniforms(len(names), "hume_v1", "face", "descriptions", *signature)
    descriptions = []
    for name, jitter in zip(names, noise, strict=True):
        raw = _clip(levels.get(name, 0.02) + 0.08 * (jitter - 0.5))
        probability = round(raw, 4)
        if probability > FACE_SCORE_CUTOFF:
            descriptions.append((name, probability, 0.0))
    return _sorted_scores(expressions), _sorted_scores(descriptions)


class FaceTracker:
    """``face_id`` of measured faces: from 0, in the order faces are first measured
    (largest first within an image); a face keeps its id while it is seen near where it
    was last seen, and gets it back if it returns there; the last :data:`TRACKED_FACES`
    ids are remembered (``types/face.py``)."""

    __slots__ = ("_known", "_next_id")

    def __init__(self) -> None:
        self._next_id = 0  # id of the next new face
        self._known: OrderedDict[int, tuple[float, float, float, float]] = OrderedDict()

    def assign(self, boxes: Sequence[tuple[float, float, float, float]]) -> list[int]:
        """Ids for the measured faces of one image, given as ``(x, y, w, h)``, largest
        first."""
        candidates = sorted(
            (cost, index, face_id)
            for index, box in enumerate(boxes)
            for face_id, last in self._known.items()
            if (cost := _match_cost(box, last)) is not None
        )
        assigned: dict[int, int] = {}
        taken: set[int] = set()
        for _cost, index, face_id in candidates:
            if index not in assigned and face_id not in taken:
                assigned[index] = face_id
                taken.add(face_id)
        ids: list[int] = []
        for index, box in enumerate(boxes):
            known = assigned.get(index)
            if known is None:
                known = self._next_id
                self._next_id += 1
            self._known[known] = box
            self._known.move_to_end(known)
            ids.append(known)
        while len(self._known) > TRACKED_FACES:
            self._known.popitem(last=False)
        return ids

    def to_state(self) -> dict[str, Any]:
        """JSON-compatible state (for an upload's ``face_state``)."""
        return {
            "next": self._next_id,
            "faces": [[face_id, *map(_round2, box)] for face_id, box in self._known.items()],
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> FaceTracker:
        """Rebuild from :meth:`to_state` output.

        Raises:
            ValueError: the state is malformed.
        """
        tracker = cls()
        try:
            tracker._next_id = int(state["next"])
            for face_id, x, y, w, h in state["faces"][-TRACKED_FACES:]:
                tracker._known[int(face_id)] = (float(x), float(y), float(w), float(h))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"malformed face state: {exc}") from None
        if tracker._next_id < 0 or any(i >= tracker._next_id or i < 0 for i in tracker._known):
            raise ValueError("malformed face state: ids out of range")
        return tracker


def _round2(value: float) -> float:
    return round(value, 2)


def _match_cost(
    box: tuple[float, float, float, float], last: tuple[float, float, float, float]
) -> float | None:
    """Lower is better; None when the boxes cannot be the same face."""
    x, y, w, h = box
    lx, ly, lw, lh = last
    size, last_size = math.sqrt(w * h), math.sqrt(lw * lh)
    if min(size, last_size) <= 0 or max(size, last_size) / min(size, last_size) > 2.0:
        return None
    ix = max(0.0, min(x + w, lx + lw) - max(x, lx))
    iy = max(0.0, min(y + h, ly + lh) - max(y, ly))
    inter = ix * iy
    iou = inter / (w * h + lw * lh - inter)
    distance = math.hypot((x + w / 2) - (lx + lw / 2), (y + h / 2) - (ly + lh / 2))
    relative = distance / ((size + last_size) / 2)
    if iou < 0.3 and relative > 0.6:
        return None
    return (1.0 - iou) + relative


@dataclass(frozen=True, slots=True)
class ImageResult:
    """The ``faces`` of one image and how many were measured."""

    faces: list[dict[str, Any]]
    measured: int


def measure_image(
    rgb: npt.NDArray[np.uint8],
    *,
    face: FaceSettings,
    tracker: FaceTracker,
    labels: LabelSet,
    seeds: SeedSource,
    max_measured: int,
) -> ImageResult:
    """Detect, filter, order and measure the faces of one image.

    Faces below ``face.threshold`` or with a shorter side under ``face.min_size`` are not
    listed; the ``max_measured`` largest are measured and listed first, largest first; the
    others follow by descending confidence with ``face_id``, ``expressions`` and
    ``descriptions`` null; at most 32 are listed (``video/raw_client.py`` docstrings).
    """
    height, width = rgb.shape[:2]
    kept = [
        f for f in detect_faces(rgb) if f.prob >= face.threshold and min(f.w, f.h) >= face.min_size
    ]
    by_size = sorted(kept, key=lambda f: (-(f.w * f.h), f.x, f.y))
    measured = by_size[:max_measured]
    others = sorted(by_size[max_measured:], key=lambda f: (-f.prob, f.x, f.y))
    ids = tracker.assign([(f.x, f.y, f.w, f.h) for f in measured])
    faces: list[dict[str, Any]] = []
    for detected, face_id in zip(measured, ids, strict=True):
        expressions, descriptions = _face_scores(detected, width, height, labels, seeds)
        faces.append(_face_json(detected, face_id, expressions, descriptions))
    for detected in others:
        faces.append(_face_json(detected, None, None, None))
    return ImageResult(faces[:MAX_LISTED_FACES], len(measured))


def _face_json(
    face: DetectedFace,
    face_id: int | None,
    expressions: list[dict[str, Any]] | None,
    descriptions: list[dict[str, Any]] | None,
) -> dict[str, Any]:
    """A ``Face``: bbox ``[x0, y0, x1, y1]`` in pixels, confidence to four decimals."""
    return {
        "face_id": face_id,
        "bbox": [
            round(face.x, 2),
            round(face.y, 2),
            round(face.x + face.w, 2),
            round(face.y + face.h, 2),
        ],
        "confidence": round(face.prob, 4),
        "expressions": expressions,
        "descriptions": descriptions,
    }
