"""The JSON text of outgoing frames: the standard library's compact form, fast."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver.core import wirejson

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)  # fmt: skip


def standard(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


@given(json_values)
def test_same_value_as_the_standard_library(value: Any) -> None:
    text = wirejson.dumps(value)
    assert json.loads(text) == json.loads(standard(value))
    if "e-" not in standard(value):  # the only spelling difference: 1e-07 vs 1e-7
        assert text == standard(value)


def test_a_reply_of_scores_is_byte_identical_to_the_standard_library() -> None:
    reply = {"language": {"predictions": [{"text": "héllo", "position": {"begin": 0, "end": 5},
             "emotions": [{"name": "Joy", "score": 0.06518138945102692}] * 53}]}}  # fmt: skip
    assert wirejson.dumps(reply) == standard(reply)


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_refused(number: float) -> None:
    with pytest.raises(ValueError, match="non-finite"):
        wirejson.dumps({"a": [1, {"b": number}], "c": None})
    assert wirejson.dumps({"c": None}) == '{"c":null}'  # a real null is fine


def test_what_orjson_refuses_is_written_by_the_standard_library() -> None:
    assert wirejson.dumps({"text": "a\ud800b"}) == '{"text":"a\\ud800b"}'
    assert wirejson.dumps({"n": 2**70}) == '{"n":1180591620717411303424}'
    assert wirejson.dumps({1: "int key"}) == '{"1":"int key"}'
    with pytest.raises(TypeError):
        wirejson.dumps({"x": object()})
