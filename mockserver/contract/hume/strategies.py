"""Hypothesis strategies for Hume ``/v0/stream/models`` publish messages.

Well-formed requests pair real media (the shipped fixtures) with the models that accept
them (the ``compatible`` table of ``schemas/hume/contract-tables.json``); invalid frames
break the contract in one documented way each, tagged with their class of error (the
``errors.classes`` table: the codes a faithful server answers).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from mockserver.contract.media import b64, fixture_b64, png, wav
from mockserver.contract.strategies import from_schema
from mockserver.resources import load_schema

__all__ = [
    "AUDIO",
    "IMAGES",
    "TEXTS",
    "VIDEOS",
    "InvalidFrame",
    "face_config",
    "invalid_frames",
    "language_config",
    "publish_messages",
]

#: Media fixtures by file type.
AUDIO = ("speech_16k.wav", "silence_16k.wav", "speech.mp3")
IMAGES = ("face.jpg", "no_face.png", "two_faces.png")
VIDEOS = ("face_speech.mp4", "face_silent.mp4")
TEXTS = (
    "Mary had a little lamb",
    "I am furious with you!",
    "I am delighted. Thank you so much.",
    "What a strange day it has been",
)


def language_config() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {},
        optional={
            "granularity": st.sampled_from(["word", "sentence", "utterance", "passage"]),
            "sentiment": st.just({}),
            "toxicity": st.just({}),
        },
    )


def face_config() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {},
        optional={
            "identify_faces": st.booleans(),
            "facs": st.just({}),
            "descriptions": st.just({}),
            "prob_threshold": st.sampled_from([0.5, 0.99]),
        },
    )


def publish_messages() -> st.SearchStrategy[Any]:
    """Messages valid against ``schemas/hume/publish.schema.json`` (any data)."""
    data = st.one_of(st.none(), st.text(max_size=30), st.sampled_from(TEXTS))
    return from_schema(load_schema("hume/publish.schema.json"), overrides={"data": data})


@dataclass(frozen=True)
class InvalidFrame:
    """A text frame that breaks the contract, and its class in the errors table."""

    text: str
    error_class: str
    why: str

    def __repr__(self) -> str:
        return f"InvalidFrame({self.error_class}: {self.why}: {self.text[:60]!r})"


_WRONG_TYPES: dict[str, st.SearchStrategy[Any]] = {
    "models": st.integers() | st.text(max_size=5),
    "stream_window_ms": st.text(max_size=5) | st.booleans(),
    "reset_stream": st.integers() | st.text(max_size=5),
    "raw_text": st.integers() | st.text(max_size=5),
    "job_details": st.integers() | st.text(max_size=5),
    "payload_id": st.integers() | st.booleans(),
}


def _not_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return True
    return False


def invalid_frames() -> st.SearchStrategy[InvalidFrame]:
    """One frame per documented class of invalid input."""
    text = {"models": {"language": {}}, "raw_text": True}
    not_json = st.text(min_size=1, max_size=30).filter(_not_json)
    unknown_key = st.sampled_from(["rawText", "payloadId", "type", "session_settings"])
    wrong_type = st.sampled_from(sorted(_WRONG_TYPES)).flatmap(
        lambda key: _WRONG_TYPES[key].map(lambda value: (key, value))
    )
    window = st.sampled_from([100, 499.5, 10000.5, 60000])
    return st.one_of(
        not_json.map(lambda t: InvalidFrame(t, "not_json", "not JSON")),
        unknown_key.map(
            lambda k: InvalidFrame(json.dumps({**text, "data": "hi", k: 1}), "bad_structure",
                                   f"unknown key {k}")
        ),
        wrong_type.map(
            lambda kv: InvalidFrame(json.dumps({"data": "hi", kv[0]: kv[1]}), "bad_structure",
                                    f"wrong type for {kv[0]}")
        ),
        window.map(
            lambda w: InvalidFrame(
                json.dumps({"models": {"prosody": {}}, "data": b64(wav(500)),
                            "stream_window_ms": w}),
                "bad_structure", f"stream_window_ms {w}",
            )
        ),
        st.sampled_from(IMAGES).map(
            lambda name: InvalidFrame(
                json.dumps({"models": {"prosody": {}}, "data": fixture_b64(name)}),
                "model_file_type", f"prosody on the image {name}",
            )
        ),
        st.sampled_from(["not base64!", "@@@@", "a"]).map(
            lambda d: InvalidFrame(json.dumps({"models": {"face": {}}, "data": d}),
                                   "not_base64", "data is not base64")
        ),
        st.binary(min_size=8, max_size=32).filter(lambda raw: raw[:1] not in (b"{", b"[")).map(
            lambda raw: InvalidFrame(
                json.dumps({"models": {"face": {}}, "data": b64(b"\x00\x01\x02" + raw)}),
                "unknown_media", "random bytes",
            )
        ),
        st.just(
            InvalidFrame(json.dumps({"models": {"prosody": {}}, "data": b64(wav(5200))}),
                         "audio_too_long", "5200 ms of audio")
        ),
        st.just(
            InvalidFrame(json.dumps({"models": {"face": {}}, "data": b64(png(3001, 4))}),
                         "image_too_large", "an image 3001 pixels wide")
        ),
        st.just(
            InvalidFrame(
                json.dumps({"models": {"language": {"granularity": "passage"}}, "raw_text": True,
                            "data": "a" * 10_001}),
                "text_too_long", "10,001 characters",
            )
        ),
    )  # fmt: skip
