"""Protobuf <-> dataclass codec (``protos/api.proto``, SDK 0.7.1 ``behavioral.py``): round
trips, field presence, and what the official SDK 0.7.1 makes of our bytes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from behavioralsignals.generated import api_pb2 as sdk
from behavioralsignals.models import StreamingResultResponse
from google.protobuf.json_format import MessageToDict
from hypothesis import given
from hypothesis import strategies as st

import mockserver
from mockserver._generated.behavioral_signals import api_pb2
from mockserver.vendors.behavioral.codec import (
    AudioConfigData,
    AudioStreamData,
    decode_audio_stream,
    decode_stream_result,
    encode_audio_stream,
    encode_stream_result,
)
from mockserver.vendors.behavioral.results import InferenceResult, Prediction, StreamResult

INT32 = st.integers(-(2**31), 2**31 - 1)
INT64 = st.integers(-(2**63), 2**63 - 1)
maybe_text = st.none() | st.text(max_size=8)

predictions = st.builds(
    Prediction, label=st.text(max_size=8), posterior=maybe_text, logit=maybe_text, score=maybe_text
)
inference_results = st.builds(
    InferenceResult,
    id=st.text(max_size=4),
    start_time=st.text(max_size=6),
    end_time=st.text(max_size=6),
    task=st.text(max_size=10),
    prediction=st.lists(predictions, max_size=4).map(tuple),
    final_label=st.text(max_size=8),
    embedding=maybe_text,
    level=st.sampled_from([None, "segment", "utterance"]),
)
stream_results = st.builds(
    StreamResult,
    cid=INT64,
    pid=INT64,
    message_id=INT32,
    result=st.lists(inference_results, max_size=4).map(tuple),
)
levels = st.sampled_from([None, "segment", "utterance"]) | INT32.filter(
    lambda n: n not in (0, 1)
).map(lambda n: f"unknown:{n}")
audio_configs = st.builds(
    AudioConfigData,
    encoding=INT32,
    sample_rate_hertz=INT32,
    level=levels,
    logits=st.none() | st.booleans(),
    feature_embedding=st.none() | st.booleans(),
)
audio_streams = st.builds(
    AudioStreamData,
    cid=INT64,
    x_auth_token=st.text(max_size=12),
    config=st.none() | audio_configs,
    audio_content=st.binary(max_size=16),
)


# --- round trips -------------------------------------------------------------------------


@given(stream_results)
def test_stream_result_round_trip(result: StreamResult) -> None:
    message = encode_stream_result(result)
    assert decode_stream_result(message) == result
    wire = api_pb2.StreamResult.FromString(message.SerializeToString())
    assert decode_stream_result(wire) == result


@given(audio_streams)
def test_audio_stream_round_trip(data: AudioStreamData) -> None:
    message = encode_audio_stream(data)
    assert decode_audio_stream(message) == data
    wire = api_pb2.AudioStream.FromString(message.SerializeToString())
    assert decode_audio_stream(wire) == data


# --- presence ----------------------------------------------------------------------------


def row(**overrides: Any) -> InferenceResult:
    fields: dict[str, Any] = {
        "id": "2",
        "start_time": "0.00",
        "end_time": "2.00",
        "task": "gender",
        "prediction": (Prediction("male", "1.0"), Prediction("female", "0.0")),
        "final_label": "male",
    }
    return InferenceResult(**{**fields, **overrides})


def one_row(item: InferenceResult) -> api_pb2.InferenceResult:
    row: api_pb2.InferenceResult = encode_stream_result(StreamResult(1, 2, 0, (item,))).result[0]
    return row


def test_level_absent_versus_explicit_segment() -> None:
    absent = one_row(row(level=None))
    segment = one_row(row(level="segment"))
    assert not absent.HasField("level")
    assert segment.HasField("level") and segment.level == api_pb2.segment == 0
    assert absent.SerializeToString() != segment.SerializeToString()
    assert one_row(row(level="utterance")).level == api_pb2.utterance


def test_empty_embedding_is_present_and_none_is_absent() -> None:
    assert one_row(row()).HasField("embedding")  # the dataclass default is "" (/docs/definitions)
    assert one_row(row(embedding="")).embedding == ""
    assert not one_row(row(embedding=None)).HasField("embedding")


def test_prediction_optionals_are_set_only_when_not_none() -> None:
    item = row(prediction=(Prediction("", posterior=""), Prediction("", score="0.0873")))
    features, intensity = one_row(item).prediction
    assert features.HasField("posterior") and features.posterior == ""
    assert not features.HasField("score") and not features.HasField("logit")
    assert intensity.HasField("score") and not intensity.HasField("posterior")


def test_request_config_presence() -> None:
    bare = decode_audio_stream(api_pb2.AudioStream(cid=7, audio_content=b"\x01\x02"))
    assert bare == AudioStreamData(cid=7, x_auth_token="", config=None, audio_content=b"\x01\x02")
    empty = decode_audio_stream(api_pb2.AudioStream(config=api_pb2.AudioConfig()))
    assert empty.config == AudioConfigData(0, 0, None, None, None)
    explicit = api_pb2.AudioConfig(level=api_pb2.segment, logits=False, feature_embedding=False)
    decoded = decode_audio_stream(api_pb2.AudioStream(config=explicit)).config
    assert decoded == AudioConfigData(0, 0, "segment", False, False)
    # an all-default config still encodes as present
    assert encode_audio_stream(AudioStreamData(0, "", empty.config, b"")).HasField("config")


def test_unknown_enum_numbers() -> None:
    config = api_pb2.AudioConfig()
    config.level = 7  # type: ignore[assignment]  # proto3 enums are open
    config.encoding = 3  # type: ignore[assignment]
    decoded = decode_audio_stream(api_pb2.AudioStream(config=config)).config
    assert decoded is not None and (decoded.level, decoded.encoding) == ("unknown:7", 3)
    message = api_pb2.StreamResult()
    message.result.add().level = 5
    with pytest.raises(ValueError, match="unknown enum value 5"):
        decode_stream_result(message)
    with pytest.raises(ValueError, match="not a Level"):
        encode_audio_stream(AudioStreamData(0, "", AudioConfigData(0, 0, "all", None, None), b""))


def test_codec_imports_no_grpc() -> None:
    code = (
        "import sys, mockserver.vendors.behavioral.codec\n"
        "print(sorted(m for m in ('grpc', 'asyncio', 'behavioralsignals') if m in sys.modules))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(mockserver.__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stdout.strip() == "[]"


# --- the SDK's view ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def sdk_pb2() -> ModuleType:

    return sdk


def sdk_view(result: StreamResult, sdk_pb2: ModuleType) -> tuple[dict[str, Any], Any]:
    """Exactly what SDK 0.7.1 does with a response (``behavioral.py``: ``MessageToDict``)."""

    wire = encode_stream_result(result).SerializeToString()
    message = sdk_pb2.StreamResult.FromString(wire)
    as_dict = MessageToDict(message, always_print_fields_with_no_presence=True)
    return as_dict, StreamingResultResponse(**as_dict)


GENDER = row(embedding="", level="segment")


@pytest.mark.sdk
def test_sdk_sees_the_documented_renderings(sdk_pb2: ModuleType) -> None:
    """Spec 3.7: the MessageToDict form and the SDK's model_dump form, verbatim."""
    as_dict, response = sdk_view(StreamResult(10000119, 44676, 0, (GENDER,)), sdk_pb2)
    gender = {"id": "2", "startTime": "0.00", "endTime": "2.00", "task": "gender"}
    predictions = [{"label": "male", "posterior": "1.0"}, {"label": "female", "posterior": "0.0"}]
    assert as_dict == {
        "cid": "10000119",
        "pid": "44676",
        "messageId": 0,
        "result": [
            {**gender, "prediction": predictions, "finalLabel": "male", "embedding": "",
             "level": "segment"}
        ],
    }  # fmt: skip
    assert response.model_dump() == {
        "pid": 44676,
        "cid": 10000119,
        "message_id": 0,
        "results": [
            {**gender, "prediction": predictions, "finalLabel": "male", "level": "segment",
             "embedding": "", "st": 0.0, "et": 2.0}
        ],
    }  # fmt: skip


@pytest.mark.sdk
def test_sdk_view_of_presence_scores_and_logits(sdk_pb2: ModuleType) -> None:
    features = row(
        task="features", prediction=(Prediction("", posterior=""),), final_label="", level="segment"
    )
    gender = row(
        prediction=(Prediction("male", "0.9", logit="2.19"), Prediction("female", "0.1", "-2.19")),
        level="utterance",
    )
    intensity = row(task="intensity", prediction=(Prediction("", score="0.0873"),), final_label="")
    unset = row(embedding=None, level=None)
    as_dict, response = sdk_view(
        StreamResult(10000119, 2**40, 41, (features, gender, intensity, unset)), sdk_pb2
    )
    assert (response.cid, response.pid, response.message_id) == (10000119, 2**40, 41)
    assert isinstance(response.cid, int) and isinstance(response.pid, int)
    f, g, i, u = response.results
    assert (f.level, f.embedding, f.prediction[0].label, f.prediction[0].posterior) == (
        "segment", "", "", "",
    )  # fmt: skip
    assert [(p.label, p.posterior) for p in g.prediction] == [("male", "0.9"), ("female", "0.1")]
    assert g.level == "utterance"
    assert (i.prediction[0].score, i.prediction[0].posterior, i.level) == ("0.0873", None, None)
    assert (u.level, u.embedding) == (None, None)  # absent on the wire -> None (proto3 optional)
    # logits reach the dict but the SDK model drops them silently (models.py)
    assert as_dict["result"][1]["prediction"][0]["logit"] == "2.19"
    assert not hasattr(g.prediction[0], "logit")
    assert "logit" not in str(response.model_dump())


@pytest.mark.sdk
@given(stream_results)
def test_decoder_reads_the_sdk_message_class(result: StreamResult) -> None:

    wire = encode_stream_result(result).SerializeToString()
    assert decode_stream_result(sdk.StreamResult.FromString(wire)) == result
