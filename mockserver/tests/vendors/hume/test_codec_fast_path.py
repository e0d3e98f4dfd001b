"""The fast path of publish validation never accepts what the schema refuses."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver.resources import load_schema
from mockserver.vendors.hume.codec import plainly_valid

SCHEMA = load_schema("hume/publish.schema.json")
VALIDATOR = jsonschema.validators.validator_for(SCHEMA)(SCHEMA)

# Values of every JSON type, with the edge cases of the schema's ranges and enums.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1, 20_000),
    st.floats(allow_nan=False),
    st.sampled_from([0, 0.0, -0.0, 499.99, 500, 10000, 10000.5, 1e300]),
    st.text(max_size=5),
    st.sampled_from(["word", "sentence", "utterance", "passage", "Word", "paragraph"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
FACE_KEYS = ["facs", "descriptions", "identify_faces", "fps_pred", "prob_threshold",
             "min_face_size", "box"]  # fmt: skip
LANGUAGE_KEYS = ["sentiment", "toxicity", "granularity", "mode"]
MODEL_KEYS = ["burst", "facemesh", "prosody", "face", "language", "ner"]
TOP_KEYS = ["data", "models", "stream_window_ms", "reset_stream", "raw_text", "job_details",
            "payload_id", "extra"]  # fmt: skip


def objects(keys: list[str], **valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Valid objects (any subset of the keys, valid values), the same with one key set to
    anything (a wrong type, a value out of range, an unknown key), or not an object."""
    good = st.fixed_dictionaries({}, optional=valid)
    one_changed = st.tuples(good, st.sampled_from(keys), leaves).map(lambda t: {**t[0], t[1]: t[2]})
    return st.one_of(good, one_changed, leaves)


leaves: st.SearchStrategy[Any] = st.one_of(scalars, st.just({}), st.just([]), st.just({"any": 1}))
objects_or_null: st.SearchStrategy[Any] = st.one_of(st.none(), st.just({}), st.just({"any": 1}))
booleans_or_null = st.one_of(st.none(), st.booleans())
numbers = st.one_of(st.none(), st.integers(0, 100), st.floats(0, 100))
face = objects(
    FACE_KEYS, facs=objects_or_null, descriptions=objects_or_null,
    identify_faces=booleans_or_null, fps_pred=numbers, prob_threshold=numbers,
    min_face_size=numbers,
)  # fmt: skip
language = objects(
    LANGUAGE_KEYS, sentiment=objects_or_null, toxicity=objects_or_null,
    granularity=st.sampled_from(["word", "sentence", "utterance", "passage", None]),
)  # fmt: skip
models = objects(
    MODEL_KEYS, burst=objects_or_null, facemesh=objects_or_null, prosody=objects_or_null,
    face=face, language=language,
)  # fmt: skip
# each level also on its own, so that deep values are tried as often as shallow ones
payloads = st.one_of(
    objects(TOP_KEYS, data=st.one_of(st.none(), st.text(max_size=3)), models=models,
            stream_window_ms=st.one_of(st.none(), st.floats(500, 10000)),
            reset_stream=booleans_or_null, raw_text=booleans_or_null,
            job_details=booleans_or_null, payload_id=st.one_of(st.none(), st.text(max_size=3))),
    models.map(lambda m: {"data": "x", "models": m}),
    face.map(lambda f: {"models": {"face": f}}),
    language.map(lambda lang: {"models": {"language": lang}}),
    values,
)  # fmt: skip


@given(payloads)
def test_plainly_valid_implies_valid(payload: Any) -> None:
    if plainly_valid(payload):
        assert VALIDATOR.is_valid(payload), payload


TRICKY = [None, True, False, 0, -1, -0.5, 0.5, 499, 500, 10000, 10001, 1e300, "", "word",
          "Word", "x", [], [1], {}, {"a": 1}]  # fmt: skip


@pytest.mark.parametrize(
    ("place", "keys"),
    [((), TOP_KEYS), (("models",), MODEL_KEYS), (("models", "face"), FACE_KEYS),
     (("models", "language"), LANGUAGE_KEYS)],
)  # fmt: skip
def test_every_key_with_every_kind_of_value(place: tuple[str, ...], keys: list[str]) -> None:
    """Exhaustive over one key at a time: the fast path agrees with the schema wherever it
    says valid (and says valid for every valid single-key object)."""
    for key in keys:
        for value in TRICKY:
            payload: Any = {key: value}
            for outer in reversed(place):
                payload = {outer: payload}
            schema_says = VALIDATOR.is_valid(payload)
            assert plainly_valid(payload) == schema_says, (payload, schema_says)


def test_the_common_messages_take_the_fast_path() -> None:
    common: list[Any] = [
        {"job_details": True},
        {"data": "aGVsbG8=", "models": {"prosody": {}}, "payload_id": "p1"},
        {"data": "hi", "raw_text": True, "models": {"language": {"granularity": "passage"}}},
        {"data": "x", "models": {"face": {"fps_pred": 3, "prob_threshold": 0.99,
                                          "identify_faces": False, "facs": {}}},
         "stream_window_ms": 5000, "reset_stream": None},
        {"data": "x", "models": {"burst": {}, "language": {"sentiment": {}, "toxicity": None}}},
    ]  # fmt: skip
    for payload in common:
        assert plainly_valid(payload) and VALIDATOR.is_valid(payload), payload


def test_what_the_fast_path_leaves_to_the_schema() -> None:
    # each is refused by the fast path (and by the schema, which words the error)
    refused: list[Any] = [
        {"job_details": 1},  # an integer is no boolean
        {"stream_window_ms": True},  # a boolean is no number
        {"stream_window_ms": 499},
        {"models": {"language": {"granularity": "paragraph"}}},
        {"models": {"face": {"fps_pred": -1}}},
        {"models": {"ner": {}}},
        {"extra": 1},
        ["not", "an", "object"],
    ]
    for payload in refused:
        assert not plainly_valid(payload)
        assert not VALIDATOR.is_valid(payload), payload
