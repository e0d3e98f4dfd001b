"""JSON <-> typed messages and configurations of the Expression Measurement API v1.

Client text messages are ``session.update`` and ``session.close``
(``hume-expression-measurement`` 0.1.0 ``types/audio_session_update.py``,
``types/video_session_update.py``, ``types/session_close.py``); uploads carry a JSON
``config`` part (``types/audio_file_config.py``, ``types/video_file_config.py``). Omitted
fields, and fields sent as ``null`` (the SDK sends ``None`` as ``null``), take their
defaults: "Omitted fields are reset to their defaults."

Configuration errors read like the documented example, a serde message with a position:
"the config part is not valid: unknown field `timer_ms`, expected `measurement_timer_ms` at
line 1 column 11" (https://dev.hume.ai/expression-measurement/docs/errors).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mockserver.core import wirejson

from .errors import RealtimeFailure

__all__ = [
    "AUDIO_FORMAT",
    "AudioFileConfig",
    "AudioSessionConfig",
    "ClientMessage",
    "ConfigProblem",
    "FaceSettings",
    "VideoFileConfig",
    "VideoSessionConfig",
    "encode",
    "parse_audio_file_config",
    "parse_audio_update",
    "parse_client_message",
    "parse_video_file_config",
    "parse_video_update",
]

#: The only audio format (``types/audio_config_update.py``: "Only one format is supported").
AUDIO_FORMAT: dict[str, Any] = {
    "type": "audio/pcm",
    "encoding": "s16le",
    "sample_rate": 16000,
    "channels": 1,
}
TIMER_DEFAULT_MS = 3000
TIMER_RANGE_MS = (3000, 10000)
FACE_THRESHOLD_DEFAULT = 0.9
FACE_MIN_SIZE_DEFAULT = 60


class ConfigProblem(Exception):
    """A configuration that cannot be used; ``message`` is the serde-style text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class AudioSessionConfig:
    """The configuration of an audio session (``AudioSessionCreated`` fields)."""

    measurement_timer_ms: int = TIMER_DEFAULT_MS

    def to_json(self) -> dict[str, Any]:
        return {"audio": dict(AUDIO_FORMAT), "measurement_timer_ms": self.measurement_timer_ms}


@dataclass(frozen=True, slots=True)
class FaceSettings:
    """``face.threshold`` and ``face.min_size``."""

    threshold: float = FACE_THRESHOLD_DEFAULT
    min_size: int = FACE_MIN_SIZE_DEFAULT

    def to_json(self) -> dict[str, Any]:
        return {"threshold": round(self.threshold, 4), "min_size": self.min_size}


@dataclass(frozen=True, slots=True)
class VideoSessionConfig:
    """The configuration of a video session (``VideoSessionCreated`` fields)."""

    face: FaceSettings = FaceSettings()

    def to_json(self) -> dict[str, Any]:
        return {"image": {"type": "image/jpeg"}, "face": self.face.to_json()}


@dataclass(frozen=True, slots=True)
class AudioFileConfig:
    """The ``config`` part of an audio upload."""

    measurement_timer_ms: int = TIMER_DEFAULT_MS


@dataclass(frozen=True, slots=True)
class VideoFileConfig:
    """The ``config`` part of a video upload."""

    face: FaceSettings = FaceSettings()
    return_face_state: bool = False
    face_state: str | None = None


@dataclass(frozen=True, slots=True)
class ClientMessage:
    """A client text message: its ``type``, the parsed object and the raw text."""

    type: str
    body: Mapping[str, Any]
    text: str


def encode(message: Mapping[str, Any]) -> str:
    """Serialise a server message (insertion order, compact, UTF-8)."""
    return wirejson.dumps(message)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _load(text: str) -> Any:
    """Strict JSON or a serde-style syntax message."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise ConfigProblem(f"{exc.msg.lower()} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:  # e.g. "[" x 100,000: deeper than Python's parser goes
        raise ConfigProblem("recursion limit exceeded: the JSON is nested too deeply") from None
    except ValueError as exc:
        raise ConfigProblem(str(exc)) from None


def parse_client_message(text: str) -> ClientMessage:
    """Read a realtime text message; anything unreadable is ``message_invalid``."""
    try:
        body = _load(text)
    except ConfigProblem as problem:
        raise RealtimeFailure("message_invalid", f"the message is not JSON: {problem}") from None
    if not isinstance(body, dict):
        raise RealtimeFailure("message_invalid", "the message must be a JSON object")
    kind = body.get("type")
    if not isinstance(kind, str):
        raise RealtimeFailure("message_invalid", "the message has no string field `type`")
    if kind not in ("session.update", "session.close"):
        raise RealtimeFailure(
            "message_invalid",
            f"unknown message type `{kind}`, expected `session.update` or `session.close`",
        )
    return ClientMessage(kind, body, text)


# -- typed fields with serde-like messages -------------------------------------------------

Path = tuple[str, ...]


def _describe(value: Any) -> str:
    """serde's ``Unexpected`` wording for a JSON value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean `{str(value).lower()}`"
    if isinstance(value, int):
        return f"integer `{value}`"
    if isinstance(value, float):
        return f"floating point `{value!r}`"
    if isinstance(value, str):
        return f"string {json.dumps(value, ensure_ascii=False)}"
    if isinstance(value, list):
        return "sequence"
    return "map"


class _Reader:
    """Checks one parsed JSON document and words problems with the text's positions."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._spots: dict[Path, tuple[int, int]] | None = None  # path -> (key end, value end)

    def _at(self, path: Path, *, key: bool) -> str:
        if self._spots is None:
            self._spots = _locate(self.text)
        spot = self._spots.get(path)
        if spot is None:
            return ""
        offset = spot[0] if key else spot[1]
        line = self.text.count("\n", 0, offset) + 1
        column = offset - (self.text.rfind("\n", 0, offset) + 1)
        return f" at line {line} column {column}"

    def fail(self, path: Path, message: str, *, key: bool = False) -> ConfigProblem:
        return ConfigProblem(message + self._at(path, key=key))

    def struct(
        self, value: Any, path: Path, name: str, fields: tuple[str, ...]
    ) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, f"invalid type: {_describe(value)}, expected struct {name}")
        for field in value:
            if field not in fields:
                expected = (
                    f"`{fields[0]}`"
                    if len(fields) == 1
                    else "one of " + ", ".join(f"`{f}`" for f in fields)
                )
                raise self.fail(
                    (*path, field), f"unknown field `{field}`, expected {expected}", key=True
                )
        return value

    def integer(self, value: Any, path: Path, low: int, high: int, what: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(path, f"invalid type: {_describe(value)}, expected u32")
        if not low <= value <= high:
            raise self.fail(path, f"invalid value: integer `{value}`, expected {what}")
        return value

    def number(self, value: Any, path: Path, low: float, high: float, what: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(path, f"invalid type: {_describe(value)}, expected f64")
        number = float(value)
        if not (math.isfinite(number) and low <= number <= high):
            raise self.fail(path, f"invalid value: {_describe(value)}, expected {what}")
        return number

    def boolean(self, value: Any, path: Path) -> bool:
        if not isinstance(value, bool):
            raise self.fail(path, f"invalid type: {_describe(value)}, expected a boolean")
        return value

    def string(self, value: Any, path: Path) -> str:
        if not isinstance(value, str):
            raise self.fail(path, f"invalid type: {_describe(value)}, expected a string")
        return value

    def variant(self, value: Any, path: Path, allowed: str) -> None:
        if not isinstance(value, str):
            raise self.fail(path, f"invalid type: {_describe(value)}, expected a string")
        if value != allowed:
            raise self.fail(path, f"unknown variant `{value}`, expected `{allowed}`")


def _timer(reader: _Reader, body: Mapping[str, Any]) -> int:
    value = body.get("measurement_timer_ms")
    if value is None:
        return TIMER_DEFAULT_MS
    low, high = TIMER_RANGE_MS
    return reader.integer(
        value, ("measurement_timer_ms",), low, high, f"milliseconds from {low} to {high}"
    )


def _face(reader: _Reader, value: Any, extra: tuple[str, ...] = ()) -> tuple[FaceSettings, bool]:
    if value is None:
        return FaceSettings(), False
    face = reader.struct(value, ("face",), "FaceConfig", ("threshold", "min_size", *extra))
    threshold = FACE_THRESHOLD_DEFAULT
    if face.get("threshold") is not None:
        threshold = reader.number(
            face["threshold"], ("face", "threshold"), 0.0, 1.0, "a number from 0 to 1"
        )
    min_size = FACE_MIN_SIZE_DEFAULT
    if face.get("min_size") is not None:
        min_size = reader.integer(
            face["min_size"], ("face", "min_size"), 1, 2**31 - 1, "at least 1 pixel"
        )
    state = False
    if extra and face.get("return_face_state") is not None:
        state = reader.boolean(face["return_face_state"], ("face", "return_face_state"))
    return FaceSettings(threshold, min_size), state


def parse_audio_update(message: ClientMessage) -> AudioSessionConfig:
    """The configuration an audio ``session.update`` asks for (omitted fields: defaults).

    Raises:
        ConfigProblem: an unknown field, a wrong type or an unsupported value.
    """
    reader = _Reader(message.text)
    body = reader.struct(
        message.body, (), "AudioSessionUpdate", ("type", "audio", "measurement_timer_ms")
    )
    audio = body.get("audio")
    if audio is not None:
        fields = reader.struct(
            audio, ("audio",), "AudioConfigUpdate", ("type", "encoding", "sample_rate", "channels")
        )
        for name in ("type", "encoding"):
            if fields.get(name) is not None:
                reader.variant(fields[name], ("audio", name), AUDIO_FORMAT[name])
        for name in ("sample_rate", "channels"):
            if fields.get(name) is not None:
                wanted = AUDIO_FORMAT[name]
                reader.integer(fields[name], ("audio", name), wanted, wanted, f"{wanted} only")
    return AudioSessionConfig(_timer(reader, body))


def parse_video_update(message: ClientMessage) -> VideoSessionConfig:
    """The configuration a video ``session.update`` asks for (omitted fields: defaults).

    Raises:
        ConfigProblem: an unknown field, a wrong type or an unsupported value.
    """
    reader = _Reader(message.text)
    body = reader.struct(message.body, (), "VideoSessionUpdate", ("type", "image", "face"))
    image = body.get("image")
    if image is not None:
        fields = reader.struct(image, ("image",), "ImageConfigUpdate", ("type",))
        if fields.get("type") is not None:
            reader.variant(fields["type"], ("image", "type"), "image/jpeg")
    face, _ = _face(reader, body.get("face"))
    return VideoSessionConfig(face)


def _config_object(text: str | None) -> tuple[_Reader, Mapping[str, Any]] | None:
    if text is None or not text.strip():
        return None
    reader = _Reader(text)
    return reader, _load(text)


def parse_audio_file_config(text: str | None) -> AudioFileConfig:
    """The ``config`` part of an audio upload (None or empty: defaults).

    Raises:
        ConfigProblem: not JSON, an unknown field or a bad value.
    """
    loaded = _config_object(text)
    if loaded is None:
        return AudioFileConfig()
    reader, raw = loaded
    body = reader.struct(raw, (), "AudioFileConfig", ("measurement_timer_ms",))
    return AudioFileConfig(_timer(reader, body))


def parse_video_file_config(text: str | None) -> VideoFileConfig:
    """The ``config`` part of a video upload (None or empty: defaults).

    Raises:
        ConfigProblem: not JSON, an unknown field or a bad value.
    """
    loaded = _config_object(text)
    if loaded is None:
        return VideoFileConfig()
    reader, raw = loaded
    body = reader.struct(raw, (), "VideoFileConfig", ("face", "face_state"))
    face, return_state = _face(reader, body.get("face"), ("return_face_state",))
    state = body.get("face_state")
    if state is not None:
        state = reader.string(state, ("face_state",))
    return VideoFileConfig(face, return_state, state)


# -- positions in the JSON text ------------------------------------------------------------

_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_WHITESPACE = re.compile(r"[ \t\n\r]*")


def _locate(text: str) -> dict[Path, tuple[int, int]]:
    """For every object member of a valid JSON text: the offset just after its key and
    just after its value (serde reports problems there). Arrays are not descended."""
    spots: dict[Path, tuple[int, int]] = {}

    def skip(pos: int) -> int:
        match = _WHITESPACE.match(text, pos)
        return match.end() if match else pos

    def value(pos: int, path: Path) -> int:
        pos = skip(pos)
        char = text[pos]
        if char == "{":
            pos = skip(pos + 1)
            if text[pos] == "}":
                return pos + 1
            while True:
                _key, pos = json.decoder.scanstring(text, skip(pos) + 1)  # type: ignore[attr-defined]
                key_end = pos
                pos = skip(pos) + 1  # the colon
                pos = value(pos, (*path, _key))
                spots[(*path, _key)] = (key_end, pos)
                pos = skip(pos)
                if text[pos] == "}":
                    return pos + 1
                pos += 1  # the comma
        if char == "[":
            depth = 0
            while True:  # skip the array, minding strings
                char = text[pos]
                if char == '"':
                    _, pos = json.decoder.scanstring(text, pos + 1)  # type: ignore[attr-defined]
                    continue
                if char in "[{":
                    depth += 1
                elif char in "]}":
                    depth -= 1
                    if depth == 0:
                        return pos + 1
                pos += 1
        if char == '"':
            _, end = json.decoder.scanstring(text, pos + 1)  # type: ignore[attr-defined]
            return int(end)
        for literal in ("true", "false", "null"):
            if text.startswith(literal, pos):
                return pos + len(literal)
        match = _NUMBER.match(text, pos)
        return match.end() if match else pos + 1

    try:
        value(0, ())
    except (IndexError, ValueError):
        return {}
    return spots
