"""Tests of the emulated facemesh model (Hume's streaming definition and reference, SDKs)."""

from __future__ import annotations

import base64
import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.core.rng import SeedSource
from mockserver.vendors.hume.errors import HumeError
from mockserver.vendors.hume.facemesh import (
    LANDMARKS_PER_FACE,
    MAX_FACES,
    parse_facemesh,
    predict_facemesh,
)
from mockserver.vendors.hume.labels import EXPRESSION_NAMES

SEEDS = SeedSource(99)

# Key landmarks of MediaPipe's canonical face model (x right, y up, z toward the camera).
_CANONICAL: dict[int, tuple[float, float, float]] = {
    13: (0.0, -3.994436, 5.219482),  # upper inner lip
    14: (0.0, -4.542400, 5.404754),  # lower inner lip
    33: (-4.445859, 2.663991, 3.173422),  # right eye, outer corner
    263: (4.445859, 2.663991, 3.173422),  # left eye, outer corner
    61: (-2.456206, -4.342621, 4.283884),  # mouth corners
    291: (2.456206, -4.342621, 4.283884),
    159: (-3.177186, 2.964136, 3.876973),  # right eye, upper and lower lid
    145: (-3.177186, 2.294265, 3.775704),
    386: (3.177186, 2.964136, 3.876973),  # left eye, upper and lower lid
    374: (3.177186, 2.294265, 3.775704),
    105: (-3.986562, 5.109487, 4.466315),  # brows
    334: (3.986562, 5.109487, 4.466315),
}

Mesh = list[list[float]]


def build_mesh(
    moves: dict[int, tuple[float, float]] | None = None,
    *,
    scale: float = 0.02,
    centre: tuple[float, float] = (0.5, 0.5),
) -> Mesh:
    """A synthetic 478-point mesh in MediaPipe's normalised image coordinates.

    The measured landmarks sit at their canonical positions (moved by ``moves``, in model
    units, +y up); the others lie on an ellipse around the face.
    """
    model: list[tuple[float, float, float]] = [
        (7.5 * math.cos(2 * math.pi * i / LANDMARKS_PER_FACE),
         9.5 * math.sin(2 * math.pi * i / LANDMARKS_PER_FACE), 0.0)
        for i in range(LANDMARKS_PER_FACE)
    ]  # fmt: skip
    for index, point in _CANONICAL.items():
        dx, dy = (moves or {}).get(index, (0.0, 0.0))
        model[index] = (point[0] + dx, point[1] + dy, point[2])
    cx, cy = centre
    return [[cx + x * scale, cy - y * scale, -z * scale] for x, y, z in model]


def neutral_mesh() -> Mesh:
    return build_mesh()


def smile_mesh() -> Mesh:
    """Mouth corners raised and pulled outwards."""
    return build_mesh({61: (-0.4, 0.6), 291: (0.4, 0.6)})


def frown_mesh() -> Mesh:
    """Mouth corners pulled down."""
    return build_mesh({61: (0.0, -0.5), 291: (0.0, -0.5)})


def surprise_mesh() -> Mesh:
    """Jaw dropped, brows raised, eyes widened."""
    return build_mesh(
        {
            14: (0.0, -2.5),
            105: (0.0, 0.6),
            334: (0.0, 0.6),
            159: (0.0, 0.2),
            386: (0.0, 0.2),
            145: (0.0, -0.1),
            374: (0.0, -0.1),
        }
    )


def predict_one(mesh: Mesh, seeds: SeedSource = SEEDS) -> dict[str, float]:
    (item,) = predict_facemesh(parse_facemesh(json.dumps([mesh])), seeds=seeds)
    return {e["name"]: e["score"] for e in item["emotions"]}


def b64(value: Any) -> str:
    return base64.b64encode(json.dumps(value).encode()).decode()


def error_of(data: str, **kwargs: Any) -> HumeError:
    with pytest.raises(HumeError) as info:
        parse_facemesh(data, **kwargs)
    return info.value


# --- parsing (the SDKs' encodings) --------------------------------------------------------


def test_all_encodings_parse_to_the_same_faces() -> None:
    faces = [neutral_mesh(), smile_mesh()]
    raw = json.dumps(faces)  # Python SDK 0.7+ send_facemesh
    encoded = b64(faces)  # legacy Python SDK and TypeScript SDK
    expected = parse_facemesh(raw)
    assert len(expected) == 2 and all(len(face) == LANDMARKS_PER_FACE for face in expected)
    assert expected[0][33] == tuple(faces[0][33])
    for variant in (
        encoded,
        f"  {raw}\n",
        f"\n{encoded}  ",
        "\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76)),  # MIME line breaks
        " ".join(encoded[i : i + 100] for i in range(0, len(encoded), 100)),
        base64.urlsafe_b64encode(raw.encode()).decode().rstrip("="),
    ):
        assert parse_facemesh(variant) == expected


def test_integer_coordinates_are_floats() -> None:
    mesh = [[i, i + 1, 0] for i in range(LANDMARKS_PER_FACE)]
    (face,) = parse_facemesh(json.dumps([mesh]))
    assert face[5] == (5.0, 6.0, 0.0)
    assert all(isinstance(c, float) for c in face[5])


@pytest.mark.parametrize("data", ["[]", " [] ", "W10=", b64([])])
def test_empty_list_is_valid(data: str) -> None:
    assert parse_facemesh(data) == []
    assert predict_facemesh([], seeds=SEEDS) == []


def test_face_limit() -> None:
    assert len(parse_facemesh(json.dumps([neutral_mesh()] * MAX_FACES))) == 10
    error = error_of(json.dumps([neutral_mesh()] * 11))
    assert error.code == "E0207"
    assert "10" in error.message and "11" in error.message
    assert error_of(b64([neutral_mesh()] * 3), max_faces=2).code == "E0207"


def _face_with(point: Any, index: int = 7) -> str:
    mesh: list[Any] = neutral_mesh()
    mesh[index] = point
    return json.dumps([mesh])


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ("", "empty"),
        ("   \n", "empty"),
        ("not json at all", "neither JSON nor base64"),
        ("[[1, 2", "neither JSON nor base64"),
        (base64.b64encode(b"[[1, 2").decode(), "base64, but the decoded text is not valid JSON"),
        ("abcd", "neither JSON nor base64"),
        (base64.b64encode(bytes(range(256))).decode(), "neither JSON nor base64"),
        ("{}", "must be a JSON list of faces, found an object"),
        (b64({"faces": []}), "must be a JSON list of faces, found an object"),
        ("42", "must be a JSON list of faces, found the number 42"),
        ('"[]"', "found a string"),
        ("[1]", "Face 0: a face must be a list of 478 landmarks, found the number 1"),
        ("[null]", "found null"),
        (json.dumps([[[0, 0, 0]] * 478, [[0, 0, 0]] * 474]), "Face 1: Number of MediaPipe"),
        (_face_with([0.1, 0.2]), "Face 0, landmark 7: Each facemesh landmark should be"),
        (_face_with([0.1, 0.2, 0.3, 0.4]), "found a list of 4 items"),
        (_face_with({"x": 0, "y": 0, "z": 0}), "found an object"),
        (_face_with(0.5), "found the number 0.5"),
        (_face_with([0.1, "0.2", 0.3]), "coordinate y must be a number, found a string"),
        (_face_with([True, 0.2, 0.3]), "coordinate x must be a number, found a boolean"),
        (_face_with([0.1, 0.2, None]), "coordinate z must be a number, found null"),
        (_face_with([0.1, [0.2], 0.3]), "coordinate y must be a number, found a list"),
        (_face_with([float("nan"), 0, 0]), "must be a finite number, found nan"),
        (_face_with([0, float("inf"), 0]), "must be a finite number, found inf"),
        (_face_with([0, 0, 10**400]), "coordinate z must be a finite number"),
        (_face_with([0, 0, 0]).replace("[0, 0, 0]", "[0, 0, 1e400]"), "finite number"),
        ("[" * 100_000, "neither JSON nor base64"),
    ],
)
def test_malformed_payloads(data: str, fragment: str) -> None:
    error = error_of(data)
    assert error.code == "E0208"
    assert error.message.startswith("Invalid facemesh payload: ")
    assert fragment in error.message


def test_landmark_count_error_mirrors_the_legacy_sdk() -> None:
    error = error_of(json.dumps([neutral_mesh()[:474]]))
    assert error.code == "E0208"
    assert "Number of MediaPipe landmarks per face must be exactly 478, found 474." in str(error)
    assert "Face 0" in error.message
    error = error_of(_face_with([1.0, 2.0]))
    assert "Each facemesh landmark should be an (x, y, z) point" in error.message


# --- predictions -------------------------------------------------------------------------


def test_prediction_shape() -> None:
    items = predict_facemesh(parse_facemesh(b64([neutral_mesh(), smile_mesh()])), seeds=SEEDS)
    assert len(items) == 2
    for item in items:
        assert list(item) == ["emotions"]
        assert [e["name"] for e in item["emotions"]] == list(EXPRESSION_NAMES)
        assert all(isinstance(e["score"], float) and 0 <= e["score"] <= 1 for e in item["emotions"])


def test_smile_scores_joy_and_amusement() -> None:
    neutral, smile = predict_one(neutral_mesh()), predict_one(smile_mesh())
    assert smile["Joy"] > neutral["Joy"] + 0.2
    assert smile["Amusement"] > neutral["Amusement"]
    assert max(smile, key=smile.__getitem__) == "Joy"


def test_surprise_scores_surprise() -> None:
    neutral, smile, surprise = (
        predict_one(neutral_mesh()),
        predict_one(smile_mesh()),
        predict_one(surprise_mesh()),
    )
    for name in ("Surprise (positive)", "Surprise (negative)"):
        assert surprise[name] > neutral[name] + 0.1
        assert surprise[name] > smile[name]
    assert surprise["Joy"] < smile["Joy"]


def test_frown_scores_sadness() -> None:
    neutral, frown = predict_one(neutral_mesh()), predict_one(frown_mesh())
    assert frown["Sadness"] > neutral["Sadness"] + 0.1
    assert frown["Joy"] < neutral["Joy"]


def test_geometry_is_normalised_by_face_size_and_position() -> None:
    small = predict_one(build_mesh({61: (-0.4, 0.6), 291: (0.4, 0.6)}, scale=0.01))
    large = predict_one(
        build_mesh({61: (-0.4, 0.6), 291: (0.4, 0.6)}, scale=0.04, centre=(0.3, 0.6))
    )
    for name in EXPRESSION_NAMES:
        assert small[name] == pytest.approx(large[name], abs=0.061)  # at most the noise range


def test_in_plane_rotation_does_not_change_the_reading() -> None:
    mesh = smile_mesh()
    angle = math.radians(25)
    rotated = [
        [
            0.5 + (x - 0.5) * math.cos(angle) - (y - 0.5) * math.sin(angle),
            0.5 + (x - 0.5) * math.sin(angle) + (y - 0.5) * math.cos(angle),
            z,
        ]
        for x, y, z in mesh
    ]
    upright, tilted = predict_one(mesh), predict_one(rotated)
    assert tilted["Joy"] == pytest.approx(upright["Joy"], abs=0.061)


def test_identical_meshes_give_identical_output() -> None:
    data = json.dumps([smile_mesh(), smile_mesh(), surprise_mesh()])
    first = predict_facemesh(parse_facemesh(data), seeds=SeedSource(5))
    again = predict_facemesh(parse_facemesh(b64(json.loads(data))), seeds=SeedSource(5))
    other_seed = predict_facemesh(parse_facemesh(data), seeds=SeedSource(6))
    assert json.dumps(first) == json.dumps(again)
    assert first[0] == first[1]
    assert json.dumps(first) != json.dumps(other_seed)


def test_degenerate_meshes_do_not_crash() -> None:
    for mesh in ([[0.0, 0.0, 0.0]] * LANDMARKS_PER_FACE, [[1e300, -1e300, 0.0]] * 478):
        (item,) = predict_facemesh([[(x, y, z) for x, y, z in mesh]], seeds=SEEDS)
        assert len(item["emotions"]) == 48


_COORD = st.floats(min_value=-2.0, max_value=2.0, allow_nan=False)


@settings(deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(_CANONICAL)), st.tuples(_COORD, _COORD)))
def test_scores_stay_in_range_for_any_geometry(moves: dict[int, tuple[float, float]]) -> None:
    scores = predict_one(build_mesh({i: (dx * 5, dy * 5) for i, (dx, dy) in moves.items()}))
    assert all(0.0 <= s <= 1.0 for s in scores.values())


_JSON = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=3), children)
    ),
    max_leaves=20,
)


@settings(deadline=None)
@given(
    st.one_of(
        st.text(),
        _JSON.map(json.dumps),
        _JSON.map(b64),
        st.binary().map(lambda raw: base64.b64encode(raw).decode()),
    )
)
def test_any_payload_parses_or_raises_a_catalogued_error(data: str) -> None:
    try:
        faces = parse_facemesh(data)
    except HumeError as error:
        assert error.code in {"E0207", "E0208"}
    else:
        assert all(len(face) == LANDMARKS_PER_FACE for face in faces)
