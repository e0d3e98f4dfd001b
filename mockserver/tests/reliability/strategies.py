"""Hypothesis strategies of hostile input: arbitrary and near-valid JSON, deep nesting,
mutated vendor messages, protobuf-ish bytes and multipart bodies.

Near-valid inputs matter most: a fuzzer that only sends garbage tests the first ``if`` of
a parser. These start from the shape of a real message (the vendor's field names, the
types it expects) and put wrong values, extra keys, extreme numbers and odd text in it.
"""

from __future__ import annotations

import base64
import functools
import json
from typing import Any

from hypothesis import strategies as st

from mockserver.resources import fixture_path

__all__ = [
    "deep_json",
    "hume_publish",
    "hume_text_frames",
    "hume_v1_text_frames",
    "json_values",
    "media_bytes",
    "odd_text",
]

#: Text with what breaks naive code: NUL and control characters, an RTL override, emoji,
#: a very long word, format strings, number-like words.
odd_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "\x00", "%s%n{0}", "\u202e", "😀" * 8, "NaN", "-0", "1e999"]),
    st.integers(min_value=2_000, max_value=2_600).map(lambda n: "word " * n),  # ~10,000 chars
)

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    odd_text,
)

#: Any JSON value, a few levels deep.
json_values: st.SearchStrategy[Any] = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(odd_text, inner, max_size=4),
    max_leaves=12,
)


@st.composite
def deep_json(draw: st.DrawFn) -> str:
    """Brackets or objects nested up to 100,000 levels, closed or not."""
    depth = draw(st.sampled_from([10, 500, 990, 1_000, 5_000, 100_000]))
    opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}"), ('{"data":[', "]}")]))
    closed = draw(st.booleans())
    return opener * depth + ("1" + closer * depth if closed else "")


@functools.cache
def _media_samples() -> list[bytes]:
    names = ["speech_16k.wav", "face.jpg"]
    return [fixture_path(f"media/{name}").read_bytes()[:6000] for name in names]


@st.composite
def media_bytes(draw: st.DrawFn) -> bytes:
    """Random bytes, or the head of a real WAV/JPEG with bytes flipped or cut."""
    if draw(st.booleans()):
        return draw(st.binary(max_size=600))
    sample = bytearray(draw(st.sampled_from(_media_samples())))
    cut = draw(st.integers(min_value=0, max_value=len(sample)))
    for index in draw(st.lists(st.integers(0, max(0, cut - 1)), max_size=8)):
        if cut:
            sample[index] ^= 0xFF
    return bytes(sample[:cut])


_MODEL_NAMES = ["burst", "face", "facemesh", "language", "prosody"]
_MODEL_OPTIONS = [
    "identify_faces", "fps_pred", "prob_threshold", "min_face_size", "facs", "descriptions",
    "granularity", "sentiment", "toxicity", "save_faces",
]  # fmt: skip


@st.composite
def hume_publish(draw: st.DrawFn) -> dict[str, Any]:
    """A ``/v0/stream/models`` publish message: the documented keys with any values."""
    message: dict[str, Any] = {}
    if draw(st.booleans()):
        models: dict[str, Any] = {}
        for name in draw(st.lists(st.sampled_from(_MODEL_NAMES), max_size=3, unique=True)):
            options = draw(
                st.dictionaries(
                    st.sampled_from(_MODEL_OPTIONS),
                    json_values | st.sampled_from(["word"]),
                    max_size=2,
                )
            )
            models[name] = draw(st.sampled_from([options, {}, None])) if options else {}
        message["models"] = draw(st.one_of(st.just(models), json_values))
    data = draw(
        st.one_of(
            st.none(),
            odd_text,
            media_bytes().map(lambda raw: base64.b64encode(raw).decode()),
            json_values,
        )
    )
    if data is not None:
        message["data"] = data
    for key in ("raw_text", "reset_stream", "job_details"):
        if draw(st.booleans()):
            message[key] = draw(st.one_of(st.booleans(), json_values))
    if draw(st.booleans()):
        message["payload_id"] = draw(st.one_of(odd_text, json_values))
    if draw(st.booleans()):
        message["stream_window_ms"] = draw(st.one_of(st.integers(-10, 10**9), json_values))
    if draw(st.booleans()):
        message[draw(odd_text)] = draw(json_values)
    return message


#: Any text frame a client could send to Hume v0: garbage, JSON, mutated publish messages,
#: deep nesting.
hume_text_frames = st.one_of(
    st.text(max_size=200),
    json_values.map(json.dumps),
    hume_publish().map(json.dumps),
    deep_json(),
)

_V1_TYPES = ["session.update", "session.close", "session.created", "", None, 7]


@st.composite
def _v1_message(draw: st.DrawFn) -> dict[str, Any]:
    message: dict[str, Any] = {}
    kind = draw(st.sampled_from(_V1_TYPES))
    if kind is not None:
        message["type"] = kind
    keys = ["measurement_timer_ms", "face", "threshold", "min_size", "audio", "image", "x"]
    for key in draw(st.lists(st.sampled_from(keys), max_size=3, unique=True)):
        message[key] = draw(
            st.one_of(
                json_values,
                st.integers(-(2**40), 2**40),
                st.dictionaries(st.sampled_from(["threshold", "min_size", "x"]), json_values),
            )
        )
    return message


#: Any text frame a client could send to a Hume v1 realtime endpoint.
hume_v1_text_frames = st.one_of(
    st.text(max_size=200),
    json_values.map(json.dumps),
    _v1_message().map(json.dumps),
    deep_json(),
)
