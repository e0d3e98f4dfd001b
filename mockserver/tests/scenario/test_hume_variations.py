"""The Hume scenario's answers that the contract allows and clients must tolerate: empty
prediction lists, many faces, fields the API does not document (``docs/scenarios.md``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mockserver.errors import ScenarioError
from mockserver.resources import fixture_base64
from mockserver.server import MockServer
from mockserver.tests.conftest import hume_socket

pytestmark = pytest.mark.e2e

TEXT = {"models": {"language": {}}, "raw_text": True, "data": "Hello there", "payload_id": "p"}
FACE = {"models": {"face": {"identify_faces": True}}, "data": fixture_base64("media/face.png")}


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer(seed=2) as running:
        yield running


def reply_to(server: MockServer, respond: dict[str, Any], message: dict[str, Any]) -> Any:
    server.reset()
    server.load_scenario({"hume": {"rules": [{"respond": respond}]}})
    with hume_socket(server.hume) as socket:
        return socket.exchange(message)


def test_empty_predictions(server: MockServer) -> None:
    assert reply_to(server, {"empty_predictions": True}, TEXT) == {
        "payload_id": "p",
        "language": {"predictions": []},
    }


def test_many_faces(server: MockServer) -> None:
    faces = reply_to(server, {"faces": 4}, FACE)["face"]["predictions"]
    assert len(faces) == 4
    assert [f["face_id"] for f in faces] == ["face_0", "face_1", "face_2", "face_3"]
    xs = [f["bbox"]["x"] for f in faces]
    assert xs == sorted(xs) and len(set(xs)) == 4
    assert len({tuple(e["name"] for e in f["emotions"]) for f in faces}) == 1


def test_extra_fields(server: MockServer) -> None:
    reply = reply_to(server, {"extra_fields": {"x_new": {"a": 1}}}, TEXT)
    assert reply["x_new"] == {"a": 1} and reply["language"]["x_new"] == {"a": 1}
    assert reply["payload_id"] == "p" and reply["language"]["predictions"]


@pytest.mark.parametrize(
    ("respond", "message"),
    [
        ({"faces": 3, "emotions": {"Joy": 0.5}}, "emotions and faces cannot be combined"),
        ({"extra_fields": {"payload_id": "x"}}, "payload_id are fields of the API"),
        ({"faces": 1}, "1 is less than the minimum of 2"),
        ({"empty_predictions": False}, "True was expected"),
    ],
)
def test_invalid_variations_are_named(
    server: MockServer, respond: dict[str, Any], message: str
) -> None:
    with pytest.raises(ScenarioError, match=message):
        server.load_scenario({"hume": {"rules": [{"respond": respond}]}})


def test_faces_only_for_the_face_model(server: MockServer) -> None:
    rule = {"respond": {"faces": 2}, "when": {"model": "language"}}
    with pytest.raises(ScenarioError, match="only the face model reports faces"):
        server.load_scenario({"hume": {"rules": [rule]}})
