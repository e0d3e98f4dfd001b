"""Strategies for Hume ``/v0/stream/models`` publish messages, valid and invalid.

Valid messages come from ``schemas/hume/publish.schema.json``; their ``data`` mixes
arbitrary strings with real media from the shipped fixtures and real text, so that both
error paths and model paths are exercised. Invalid messages are valid ones broken in one
documented way, each paired with the error codes a faithful server may answer.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from hypothesis import strategies as st

from mockserver.resources import fixture_base64, load_schema

from .jsonschema import from_schema

__all__ = [
    "InvalidMessage",
    "hume_invalid_messages",
    "hume_media_data",
    "hume_model_requests",
    "hume_publish_messages",
]

#: Small fixtures that are cheap to send (and their file types).
MEDIA_FIXTURES = ("face.jpg", "no_face.png", "speech_16k.wav", "silence_16k.wav", "speech.mp3")


@functools.cache
def hume_media_data() -> st.SearchStrategy[str]:
    """Base64 of a real media fixture."""
    return st.sampled_from(MEDIA_FIXTURES).map(lambda name: fixture_base64(f"media/{name}"))


_TEXTS = st.sampled_from(
    [
        "Mary had a little lamb",
        "I am furious with you!",
        "I am delighted. Thank you so much.",
        "   ",
        "",
    ]
)


def hume_publish_messages() -> st.SearchStrategy[dict[str, Any]]:
    """Messages valid against the publish schema, with realistic and arbitrary data."""
    data = st.one_of(
        st.none(),
        st.text(max_size=30),
        _TEXTS,
        hume_media_data(),
    )
    return from_schema(load_schema("hume/publish.schema.json"), overrides={"data": data})


class InvalidMessage:
    """A text frame that breaks the contract, and the codes a server may answer."""

    def __init__(self, text: str, codes: frozenset[str], why: str) -> None:
        self.text = text
        self.codes = codes
        self.why = why

    def __repr__(self) -> str:
        return f"InvalidMessage({self.why}: {self.text[:80]!r})"


def _not_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return True
    return False


_WRONG_TYPES: dict[str, st.SearchStrategy[Any]] = {
    "data": st.integers() | st.booleans() | st.lists(st.integers(), max_size=2),
    "models": st.integers() | st.text(max_size=5) | st.lists(st.none(), max_size=2),
    "stream_window_ms": st.text(max_size=5) | st.booleans(),
    "reset_stream": st.integers() | st.text(max_size=5),
    "raw_text": st.integers() | st.text(max_size=5),
    "job_details": st.integers() | st.text(max_size=5),
    "payload_id": st.integers()
    | st.booleans()
    | st.dictionaries(st.text(max_size=2), st.none(), max_size=1),
}


def hume_invalid_messages() -> st.SearchStrategy[InvalidMessage]:
    """Frames that are not JSON, not an object, or break the schema in one place."""
    base = from_schema(load_schema("hume/publish.schema.json"), overrides={"data": st.none()})
    e0100 = frozenset({"E0100"})
    e0101 = frozenset({"E0101"})
    not_json = (
        st.text(max_size=40).filter(_not_json).map(lambda t: InvalidMessage(t, e0100, "not JSON"))
    )
    not_object = st.one_of(
        st.lists(st.integers(), max_size=3), st.integers(), st.text(max_size=5), st.none()
    ).map(lambda v: InvalidMessage(json.dumps(v), e0101, "not an object"))
    extra_key = st.tuples(
        base,
        st.text(min_size=1, max_size=12).filter(lambda k: k not in _WRONG_TYPES),
        st.integers() | st.text(max_size=4),
    ).map(lambda t: InvalidMessage(json.dumps({**t[0], t[1]: t[2]}), e0101, "unknown key"))
    wrong_type = st.tuples(base, st.sampled_from(sorted(_WRONG_TYPES))).flatmap(
        lambda t: _WRONG_TYPES[t[1]].map(
            lambda value: InvalidMessage(
                json.dumps({**t[0], t[1]: value}), e0101, f"wrong type for {t[1]}"
            )
        )
    )
    window = st.tuples(
        base,
        st.floats(max_value=499.99, allow_infinity=False, allow_nan=False)
        | st.floats(min_value=10000.01, allow_infinity=False, allow_nan=False),
    ).map(
        lambda t: InvalidMessage(
            json.dumps({**t[0], "stream_window_ms": t[1]}), e0101, "window out of range"
        )
    )
    return st.one_of(not_json, not_object, extra_key, wrong_type, window)


def _face_config() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {},
        optional={
            "identify_faces": st.booleans(),
            "facs": st.just({}),
            "descriptions": st.just({}),
            "fps_pred": st.sampled_from([0.5, 1.0, 3.0, 30.0]),
            "prob_threshold": st.sampled_from([0.0, 0.5, 0.99, 1.0]),
            "min_face_size": st.sampled_from([0, 20, 60, 400]),
        },
    )


def _language_config() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {},
        optional={
            "granularity": st.sampled_from(["word", "sentence", "utterance", "passage"]),
            "sentiment": st.just({}),
            "toxicity": st.just({}),
        },
    )


def _landmarks(faces: int) -> st.SearchStrategy[str]:
    point = st.tuples(*(st.floats(0, 1, allow_nan=False) for _ in range(3)))
    face = st.lists(point, min_size=478, max_size=478)
    return st.lists(face, min_size=faces, max_size=faces).map(json.dumps)


def hume_model_requests() -> st.SearchStrategy[dict[str, Any]]:
    """Well-formed requests: real data paired with the models that accept it."""
    common = st.fixed_dictionaries(
        {},
        optional={
            "payload_id": st.text(max_size=12),
            "job_details": st.booleans(),
            "reset_stream": st.booleans(),
        },
    )
    text = st.tuples(_TEXTS | st.text(max_size=60), _language_config()).map(
        lambda t: {"data": t[0], "raw_text": True, "models": {"language": t[1]}}
    )
    image = st.tuples(st.sampled_from(["face.jpg", "no_face.png"]), _face_config()).map(
        lambda t: {"data": fixture_base64(f"media/{t[0]}"), "models": {"face": t[1]}}
    )
    audio = st.tuples(
        st.sampled_from(["speech_16k.wav", "silence_16k.wav", "speech.mp3"]),
        st.sets(st.sampled_from(["prosody", "burst"]), min_size=1),
        st.none() | st.floats(500, 10000),
    ).map(
        lambda t: {
            "data": fixture_base64(f"media/{t[0]}"),
            "models": {name: {} for name in sorted(t[1])},
            **({"stream_window_ms": t[2]} if t[2] is not None else {}),
        }
    )
    facemesh = (
        st.integers(0, 2)
        .flatmap(_landmarks)
        .map(lambda data: {"data": data, "models": {"facemesh": {}}})
    )
    return st.tuples(common, st.one_of(text, image, audio, facemesh)).map(
        lambda t: {**t[0], **t[1]}
    )
