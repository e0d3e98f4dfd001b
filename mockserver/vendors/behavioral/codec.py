"""Protobuf <-> dataclass conversion for the streaming API (``protos/api.proto``).

Pure functions over the generated ``api_pb2`` messages (our private descriptor pool, see
``mockserver._generated``); no gRPC here. Presence matters on the wire: the SDK only shows
a proto3 ``optional`` field when the server set it (behavioralsignals 0.7.1 turns messages
into dicts with ``MessageToDict``), so the encoder sets every
optional field whose dataclass value is not ``None``, including ``embedding=""`` and
``level=segment`` (enum value 0), and the decoders map "absent" to ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast, overload

from mockserver._generated.behavioral_signals import api_pb2

from .results import InferenceResult, Level, Prediction, StreamResult

__all__ = [
    "AudioConfigData",
    "AudioStreamData",
    "MalformedAudioStream",
    "decode_audio_stream",
    "decode_stream_result",
    "encode_audio_stream",
    "encode_stream_result",
    "parse_audio_stream",
]

_LEVEL_NAMES: dict[int, Level] = {api_pb2.segment: "segment", api_pb2.utterance: "utterance"}
_LEVEL_NUMBERS: dict[str, int] = {name: number for number, name in _LEVEL_NAMES.items()}
_UNKNOWN = "unknown:"


@dataclass(frozen=True, slots=True)
class AudioConfigData:
    """A decoded ``AudioConfig`` (``protos/api.proto``). ``None`` = the optional field is absent."""

    encoding: int  # raw enum value: proto3 enums are open; 0 = LINEAR_PCM
    sample_rate_hertz: int
    level: str | None  # "segment" | "utterance" | f"unknown:{n}"; None = both levels
    logits: bool | None
    feature_embedding: bool | None


@dataclass(frozen=True, slots=True)
class AudioStreamData:
    """A decoded ``AudioStream`` request message (``protos/api.proto``)."""

    cid: int
    x_auth_token: str
    config: AudioConfigData | None  # None when the message has no ``config``
    audio_content: bytes


@dataclass(frozen=True, slots=True)
class MalformedAudioStream:
    """Request bytes that are not an ``AudioStream`` (protobuf's parser refused them)."""

    size: int  # bytes received
    detail: str  # the parser's complaint


def parse_audio_stream(raw: bytes) -> api_pb2.AudioStream | MalformedAudioStream:
    """The gRPC request deserializer: wire bytes to a message, never raising, so that
    undecodable bytes reach the session (which answers with a status) instead of breaking
    the request stream."""
    try:
        message: api_pb2.AudioStream = api_pb2.AudioStream.FromString(raw)
    except Exception as exc:  # protobuf's DecodeError, or any other parser failure
        return MalformedAudioStream(len(raw), str(exc) or type(exc).__name__)
    return message


def _level_name(number: int) -> str:
    return _LEVEL_NAMES.get(number, f"{_UNKNOWN}{number}")


def _level_number(name: str) -> int:
    if name in _LEVEL_NUMBERS:
        return _LEVEL_NUMBERS[name]
    if name.startswith(_UNKNOWN):
        return int(name.removeprefix(_UNKNOWN))
    raise ValueError(f"not a Level: {name!r} (expected segment, utterance or unknown:<n>)")


@overload
def decode_audio_stream(message: api_pb2.AudioStream) -> AudioStreamData: ...
@overload
def decode_audio_stream(message: MalformedAudioStream) -> MalformedAudioStream: ...
@overload
def decode_audio_stream(
    message: api_pb2.AudioStream | MalformedAudioStream,
) -> AudioStreamData | MalformedAudioStream: ...
def decode_audio_stream(
    message: api_pb2.AudioStream | MalformedAudioStream,
) -> AudioStreamData | MalformedAudioStream:
    """Decode a request message, keeping presence of ``config`` and its optional fields
    (undecodable bytes pass through as they are)."""
    if isinstance(message, MalformedAudioStream):
        return message
    config = None
    if message.HasField("config"):
        c = message.config
        config = AudioConfigData(
            encoding=int(c.encoding),
            sample_rate_hertz=c.sample_rate_hertz,
            level=_level_name(c.level) if c.HasField("level") else None,
            logits=c.logits if c.HasField("logits") else None,
            feature_embedding=c.feature_embedding if c.HasField("feature_embedding") else None,
        )
    return AudioStreamData(
        cid=message.cid,
        x_auth_token=message.x_auth_token,
        config=config,
        audio_content=bytes(message.audio_content),
    )


def encode_audio_stream(data: AudioStreamData) -> api_pb2.AudioStream:
    """Inverse of :func:`decode_audio_stream` (for raw clients and tests)."""
    message = api_pb2.AudioStream(
        cid=data.cid, x_auth_token=data.x_auth_token, audio_content=data.audio_content
    )
    if data.config is not None:
        c = data.config
        config = message.config
        config.SetInParent()  # present even when every field has its default value
        config.encoding = cast(api_pb2.AudioEncoding, c.encoding)  # open enum: any int32
        config.sample_rate_hertz = c.sample_rate_hertz
        if c.level is not None:
            config.level = cast(api_pb2.Level, _level_number(c.level))
        if c.logits is not None:
            config.logits = c.logits
        if c.feature_embedding is not None:
            config.feature_embedding = c.feature_embedding
    return message


def encode_stream_result(result: StreamResult) -> api_pb2.StreamResult:
    """Encode one response message; optional fields are set exactly when not ``None``."""
    message = api_pb2.StreamResult(cid=result.cid, pid=result.pid, message_id=result.message_id)
    for item in result.result:
        row = message.result.add(
            id=item.id,
            start_time=item.start_time,
            end_time=item.end_time,
            task=item.task,
            final_label=item.final_label,
        )
        for p in item.prediction:
            prediction = row.prediction.add(label=p.label)
            if p.posterior is not None:
                prediction.posterior = p.posterior
            if p.logit is not None:
                prediction.logit = p.logit
            if p.score is not None:
                prediction.score = p.score
        if item.embedding is not None:
            row.embedding = (
                item.embedding
            )  # "" too: present on the wire (readme.io /docs/definitions)
        if item.level is not None:
            row.level = cast(api_pb2.Level, _LEVEL_NUMBERS[item.level])
    return message


def decode_stream_result(message: api_pb2.StreamResult) -> StreamResult:
    """Inverse of :func:`encode_stream_result`. Also accepts the SDK's ``StreamResult``
    class (same descriptor shape). An unknown ``level`` number raises ``ValueError``."""
    results = []
    for row in message.result:
        level: Level | None = None
        if row.HasField("level"):
            if row.level not in _LEVEL_NAMES:
                raise ValueError(f"InferenceResult.level has unknown enum value {row.level}")
            level = _LEVEL_NAMES[row.level]
        results.append(
            InferenceResult(
                id=row.id,
                start_time=row.start_time,
                end_time=row.end_time,
                task=row.task,
                prediction=tuple(
                    Prediction(
                        label=p.label,
                        posterior=p.posterior if p.HasField("posterior") else None,
                        logit=p.logit if p.HasField("logit") else None,
                        score=p.score if p.HasField("score") else None,
                    )
                    for p in row.prediction
                ),
                final_label=row.final_label,
                embedding=row.embedding if row.HasField("embedding") else None,
                level=level,
            )
        )
    return StreamResult(
        cid=message.cid, pid=message.pid, message_id=message.message_id, result=tuple(results)
    )
