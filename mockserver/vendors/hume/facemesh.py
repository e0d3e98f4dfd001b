"""The emulated Hume facemesh model: MediaPipe landmarks in, 48 expression scores out.

Implements the ``facemesh`` model of the streaming API: the payload encodings the SDKs send
(hume 0.4.2 and 0.13.13 ``send_facemesh``, the TypeScript SDK's ``sendFacemesh``), the
10-face limit (the streaming reference's "Limits on data size": "facemesh: 10 faces"), and
the item shape ``{"emotions": [...]}`` (Hume's streaming definition) with the 48 expressions.

Scores respond to the geometry of each face. A few MediaPipe FaceMesh landmarks are
measured in a face-aligned frame: the horizontal axis runs through the outer eye corners
(33 and 263), and the vertical axis points from the eye line to the upper inner lip (13).
Horizontal distances are divided by the inter-ocular distance and vertical ones by the
eye-to-lip distance. This makes the features independent of face size, position, in-plane
rotation and the image aspect ratio that normalised MediaPipe coordinates inherit. The
neutral baselines are the proportions of MediaPipe's ``canonical_face_model.obj``.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mockserver.core.rng import SeedSource
from mockserver.vendors.hume.affect import expression_scores, named_scores
from mockserver.vendors.hume.errors import HumeError
from mockserver.vendors.hume.labels import EXPRESSION_NAMES

__all__ = [
    "LANDMARKS_PER_FACE",
    "MAX_FACES",
    "Landmark",
    "parse_facemesh",
    "predict_facemesh",
]

#: Landmarks per face of MediaPipe FaceMesh with iris refinement (468 + 10).
LANDMARKS_PER_FACE = 478
#: Faces per payload accepted by the streaming endpoint (streaming reference, VERIFIED).
MAX_FACES = 10

#: One ``(x, y, z)`` landmark.
Landmark = tuple[float, float, float]

# MediaPipe FaceMesh indices.
_EYE_OUTER_R, _EYE_OUTER_L = 33, 263
_LIP_UPPER, _LIP_LOWER = 13, 14  # inner lip midpoints
_MOUTH_R, _MOUTH_L = 61, 291  # mouth corners
_LID_UPPER_R, _LID_LOWER_R = 159, 145
_LID_UPPER_L, _LID_LOWER_L = 386, 374
_BROW_R, _BROW_L = 105, 334

# Neutral values, measured on MediaPipe's canonical face model.
_OPEN_0 = 0.0823  # inner-lip gap / eye-to-lip distance
_LIFT_0 = -0.0523  # mouth-corner height above the upper inner lip / eye-to-lip distance
_WIDTH_0 = 0.5525  # mouth width / inter-ocular distance
_EYE_0 = 0.1006  # lid gap / eye-to-lip distance
_BROW_0 = 0.3222  # brow height above the upper lid / eye-to-lip distance

_AXES = "xyz"


def _fail(detail: str) -> HumeError:
    return HumeError.make("E0208", detail=detail)


def _describe(value: object) -> str:
    """Name a JSON value's kind for an error detail."""
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return f"a list of {len(value)} item{'' if len(value) == 1 else 's'}"
    return type(value).__name__


def _loads(text: str) -> tuple[Any, str | None]:
    """Parse JSON; return ``(value, None)`` or ``(None, reason)``."""
    try:
        return json.loads(text), None
    except ValueError as exc:  # json.JSONDecodeError, UnicodeDecodeError
        return None, str(exc)
    except RecursionError:
        return None, "nested too deeply"


def _from_base64(text: str) -> str | None:
    """Decode base64 (standard or URL-safe, padding optional, whitespace ignored).

    Returns the decoded UTF-8 text, or ``None`` if ``text`` is not base64 of text.
    """
    compact = "".join(text.split())
    compact += "=" * (-len(compact) % 4)
    for altchars in (None, b"-_"):
        try:
            raw = base64.b64decode(compact, altchars=altchars, validate=True)
        except (binascii.Error, ValueError):
            continue
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None
    return None


def _decode(data: str) -> Any:
    """Return the JSON value of a raw-JSON or base64-of-JSON facemesh payload."""
    text = data.strip()
    if not text:
        raise _fail("Facemesh data is empty; expected a JSON list of faces.")
    value, json_error = _loads(text)
    if json_error is None and isinstance(value, list):
        return value
    decoded = _from_base64(text)
    if decoded is not None:
        inner, inner_error = _loads(decoded)
        if inner_error is None and (isinstance(inner, list) or json_error is not None):
            return inner
        if json_error is not None:
            raise _fail(
                f"Facemesh data is base64, but the decoded text is not valid JSON ({inner_error})."
            )
    if json_error is None:
        return value
    raise _fail(
        f"Facemesh data is neither JSON nor base64-encoded JSON (JSON error: {json_error})."
    )


def _coordinate(face: int, landmark: int, axis: int, value: object) -> float:
    where = f"Face {face}, landmark {landmark}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(
            f"{where}: coordinate {_AXES[axis]} must be a number, found {_describe(value)}."
        )
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise _fail(f"{where}: coordinate {_AXES[axis]} must be a finite number, found {value}.")
    return number


def parse_facemesh(data: str, *, max_faces: int = MAX_FACES) -> list[list[Landmark]]:
    """Decode and validate a facemesh payload (the SDKs' encodings, module docstring).

    Accepts a raw JSON string (``json.dumps(landmarks)``, Python SDK 0.7+) and base64 of
    that JSON (legacy Python SDK, TypeScript SDK), with surrounding whitespace. The JSON
    must be a list of faces, each a list of exactly 478 ``[x, y, z]`` landmarks of finite
    numbers.

    Args:
        data: The ``data`` field of the payload.
        max_faces: Most faces accepted (the streaming reference: 10).

    Returns:
        One list of 478 ``(x, y, z)`` tuples per face; ``[]`` for an empty list.

    Raises:
        HumeError: ``E0207`` for more than ``max_faces`` faces, ``E0208`` for anything
            malformed, with a detail naming the face and landmark at fault.
    """
    payload = _decode(data)
    if not isinstance(payload, list):
        raise _fail(f"Facemesh data must be a JSON list of faces, found {_describe(payload)}.")
    if len(payload) > max_faces:
        raise HumeError.make("E0207", limit=max_faces, actual=len(payload))
    faces: list[list[Landmark]] = []
    for index, face in enumerate(payload):
        if not isinstance(face, list):
            raise _fail(
                f"Face {index}: a face must be a list of {LANDMARKS_PER_FACE} landmarks, "
                f"found {_describe(face)}."
            )
        if len(face) != LANDMARKS_PER_FACE:
            raise _fail(
                f"Face {index}: Number of MediaPipe landmarks per face must be exactly "
                f"{LANDMARKS_PER_FACE}, found {len(face)}."
            )
        points: list[Landmark] = []
        for number, point in enumerate(face):
            if not isinstance(point, list) or len(point) != 3:
                raise _fail(
                    f"Face {index}, landmark {number}: Each facemesh landmark should be an "
                    f"(x, y, z) point; found {_describe(point)}."
                )
            x, y, z = (_coordinate(index, number, axis, c) for axis, c in enumerate(point))
            points.append((x, y, z))
        faces.append(points)
    return faces


@dataclass(frozen=True, slots=True)
class _Geometry:
    """Size-normalised measurements of one face (neutral face: the ``_*_0`` constants)."""

    mouth_open: float = _OPEN_0
    lift_right: float = _LIFT_0
    lift_left: float = _LIFT_0
    width: float = _WIDTH_0
    eye_open: float = _EYE_0
    brow: float = _BROW_0

    def key(self) -> str:
        """A quantised summary: equal meshes (and near-equal ones) share their noise."""
        values = (
            self.mouth_open, self.lift_right, self.lift_left, self.width, self.eye_open,
            self.brow,
        )  # fmt: skip
        return ",".join(str(round(v * 1000)) for v in values)


def _measure(face: Sequence[Landmark]) -> _Geometry:
    """Measure a face in its own frame; degenerate meshes read as neutral."""
    rx, ry, _ = face[_EYE_OUTER_R]
    lx, ly, _ = face[_EYE_OUTER_L]
    ux, uy = lx - rx, ly - ry
    iod = math.hypot(ux, uy)
    if not iod > 1e-12:
        return _Geometry()
    ux, uy = ux / iod, uy / iod
    ex, ey = (rx + lx) / 2.0, (ry + ly) / 2.0
    dx, dy = face[_LIP_UPPER][0] - ex, face[_LIP_UPPER][1] - ey
    along = dx * ux + dy * uy
    dx, dy = dx - along * ux, dy - along * uy
    span = math.hypot(dx, dy)  # eye line to upper inner lip
    if not span > 1e-12 or not math.isfinite(span / iod):
        return _Geometry()
    dx, dy = dx / span, dy / span

    def across(i: int) -> float:
        return ((face[i][0] - ex) * ux + (face[i][1] - ey) * uy) / iod

    def down(i: int) -> float:
        return ((face[i][0] - ex) * dx + (face[i][1] - ey) * dy) / span

    upper_lip = down(_LIP_UPPER)  # 1.0 by construction
    return _Geometry(
        mouth_open=max(0.0, down(_LIP_LOWER) - upper_lip),
        lift_right=upper_lip - down(_MOUTH_R),
        lift_left=upper_lip - down(_MOUTH_L),
        width=abs(across(_MOUTH_L) - across(_MOUTH_R)),
        eye_open=(
            (down(_LID_LOWER_R) - down(_LID_UPPER_R)) + (down(_LID_LOWER_L) - down(_LID_UPPER_L))
        )
        / 2.0,
        brow=((down(_LID_UPPER_R) - down(_BROW_R)) + (down(_LID_UPPER_L) - down(_BROW_L))) / 2.0,
    )


def _clamp(value: float, low: float = -3.0, high: float = 3.0) -> float:
    return max(low, min(high, value))


@dataclass(frozen=True, slots=True)
class _Affect:
    valence: float
    arousal: float
    intensity: float
    boosts: dict[str, float]


def _affect(g: _Geometry) -> _Affect:
    """Read facial actions off the geometry and place them in valence/arousal space."""
    t = math.tanh
    lift = (g.lift_right + g.lift_left) / 2.0
    smile_z = _clamp((lift - _LIFT_0) / 0.05)
    widen_z = _clamp((g.width - _WIDTH_0) / 0.08)
    smile = t(max(0.0, 0.7 * smile_z + 0.3 * max(0.0, widen_z)))  # lip corner puller
    frown = t(max(0.0, -smile_z))  # lip corner depressor
    jaw = t(_clamp((g.mouth_open - _OPEN_0) / 0.25, 0.0))  # lips part / jaw drop
    brow_z = _clamp((g.brow - _BROW_0) / 0.06)
    raised, lowered = t(max(0.0, brow_z)), t(max(0.0, -brow_z))
    eye_z = _clamp((g.eye_open - _EYE_0) / 0.04)
    wide, narrow = t(max(0.0, eye_z)), t(max(0.0, -eye_z))
    asym = t(_clamp(abs(g.lift_right - g.lift_left) / 0.04, 0.0))
    surprise = t(0.9 * jaw + 0.8 * raised + 0.3 * wide) if jaw + raised > 0.2 else 0.0
    sleepy = narrow * (1.0 - smile)  # closing eyes without a (Duchenne) smile

    valence = 0.75 * smile - 0.55 * frown - 0.35 * lowered - 0.1 * sleepy
    arousal = -0.1 + 0.5 * jaw + 0.3 * raised + 0.25 * wide + 0.15 * smile - 0.5 * sleepy
    activity = smile + frown + jaw + raised + lowered + wide + narrow + asym
    intensity = 0.25 + 0.75 * t(0.6 * activity)
    boosts = {
        "Joy": 0.6 * smile,
        "Amusement": 0.3 * smile + 0.4 * smile * jaw,
        "Contentment": 0.3 * smile * (1.0 - jaw),
        "Satisfaction": 0.15 * smile,
        "Ecstasy": 0.25 * smile * jaw * raised,
        "Excitement": 0.25 * jaw * (smile + raised) / 2.0,
        "Surprise (positive)": 0.5 * surprise * (0.6 + 0.4 * smile),
        "Surprise (negative)": 0.5 * surprise * (0.6 + 0.4 * frown) * (1.0 - 0.5 * smile),
        "Awe": 0.3 * surprise * (1.0 - frown),
        "Realization": 0.2 * raised * (1.0 - jaw),
        "Interest": 0.2 * raised * (1.0 - jaw) + 0.1 * wide,
        "Fear": 0.35 * wide * raised * (1.0 - smile) + 0.2 * frown * wide,
        "Horror": 0.3 * surprise * frown,
        "Sadness": 0.45 * frown,
        "Disappointment": 0.3 * frown * (1.0 - jaw),
        "Distress": 0.25 * frown * raised,
        "Anger": 0.45 * lowered * (0.5 + 0.5 * narrow) * (1.0 - smile),
        "Determination": 0.2 * lowered * (1.0 - jaw),
        "Concentration": 0.35 * lowered * (1.0 - jaw),
        "Confusion": 0.15 * lowered + 0.2 * lowered * asym,
        "Contempt": 0.45 * asym * (1.0 - 0.5 * jaw),
        "Doubt": 0.2 * asym + 0.1 * lowered,
        "Disgust": 0.3 * frown * narrow + 0.15 * lowered * frown,
        "Pain": 0.3 * lowered * narrow * jaw,
        "Tiredness": 0.5 * sleepy + 0.2 * jaw * narrow,
        "Boredom": 0.25 * sleepy * (1.0 - jaw),
        "Calmness": 0.25 * narrow * (1.0 - jaw) * (1.0 - frown),
        "Entrancement": 0.15 * wide * (1.0 - jaw),
        "Awkwardness": 0.2 * smile * asym,
        "Embarrassment": 0.15 * smile * asym * narrow,
    }
    return _Affect(valence, arousal, intensity, {k: v for k, v in boosts.items() if v > 0})


def predict_facemesh(faces: list[list[Landmark]], *, seeds: SeedSource) -> list[dict[str, Any]]:
    """Predict the 48 expressions for each face (a ``facemesh`` item has ``emotions`` only).

    Args:
        faces: Faces as returned by :func:`parse_facemesh`.
        seeds: Source of the noise, keyed by a quantised summary of each face's geometry,
            so identical meshes always give identical scores.

    Returns:
        One ``{"emotions": [{"name", "score"} x 48]}`` per face, in input order.
    """
    items: list[dict[str, Any]] = []
    for face in faces:
        geometry = _measure(face)
        affect = _affect(geometry)
        scores = expression_scores(
            EXPRESSION_NAMES,
            affect.valence,
            affect.arousal,
            intensity=affect.intensity,
            noise=seeds.uniforms(len(EXPRESSION_NAMES), "hume", "facemesh", geometry.key()),
            boosts=affect.boosts,
        )
        items.append({"emotions": named_scores(EXPRESSION_NAMES, scores)})
    return items
