"""JSON <-> typed messages for ``/v0/stream/models`` (pure functions, no I/O).

Parsing follows the documented error split (https://dev.hume.ai/docs/resources/errors): text
that is not JSON is E0100;
JSON that does not match ``schemas/hume/publish.schema.json`` is E0101, with a
Pydantic-style message naming the field (the real server answers unknown keys with
"Extra inputs are not permitted").
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mockserver.core import wirejson
from mockserver.resources import load_schema

from .errors import HumeError
from .options import FaceOptions, LanguageOptions, ModelConfig

if TYPE_CHECKING:
    import jsonschema

__all__ = [
    "PublishRequest",
    "decode_publish",
    "encode",
    "error_body",
    "parse_json",
    "plainly_valid",
]

_TYPE_NAMES = {
    "object": "a valid dictionary",
    "string": "a valid string",
    "number": "a valid number",
    "integer": "a valid integer",
    "boolean": "a valid boolean",
    "array": "a valid list",
    "null": "None",
}


@dataclass(frozen=True, slots=True)
class PublishRequest:
    """A validated publish message (``StreamModelsEndpointPayload`` of Hume's streaming
    definition). ``None`` means "not given"."""

    data: str | None = None
    models: ModelConfig | None = None
    stream_window_ms: float | None = None
    reset_stream: bool = False
    raw_text: bool = False
    job_details: bool = False
    payload_id: str | None = None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_json(text: str) -> Any:
    """Parse a text frame; raise E0100 unless it is strict JSON (no NaN/Infinity)."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError:  # e.g. "[" x 100,000: deeper than Python's parser goes
        raise HumeError.make("E0100", detail="the JSON is nested too deeply") from None
    except ValueError as exc:
        detail = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        if isinstance(exc, json.JSONDecodeError):
            detail = f"{exc.msg} at line {exc.lineno} column {exc.colno}"
        raise HumeError.make("E0100", detail=detail) from None


def request_echo(payload: Any) -> tuple[str | None, bool]:
    """Best-effort ``(payload_id, job_details)`` of a payload, even an invalid one.

    Errors echo ``payload_id`` and include ``job_details`` when asked (``StreamErrorMessage``),
    so these are read before validation.
    """
    if not isinstance(payload, dict):
        return None, False
    payload_id = payload.get("payload_id")
    return (payload_id if isinstance(payload_id, str) else None), payload.get("job_details") is True


@functools.cache
def _validator() -> jsonschema.protocols.Validator:
    import jsonschema  # noqa: PLC0415  jsonschema: loaded on the first publish message

    schema = load_schema("hume/publish.schema.json")
    cls = jsonschema.validators.validator_for(schema)
    validator: jsonschema.protocols.Validator = cls(schema)
    return validator


def _location(path: Any) -> str:
    parts = [str(p) for p in path]
    return ".".join(parts) if parts else "payload"


def _describe(error: jsonschema.ValidationError) -> list[str]:
    """Turn one schema error into Pydantic-like ``"loc: message"`` lines."""
    loc = _location(error.absolute_path)
    validator = error.validator
    schema: Any = error.schema
    expected: Any = error.validator_value
    if validator == "additionalProperties":
        instance: Any = error.instance
        extras = sorted(set(instance) - set(schema.get("properties", {})))
        prefix = "" if loc == "payload" else loc + "."
        return [f"{prefix}{key}: Extra inputs are not permitted" for key in extras]
    if validator == "type":
        names = [expected] if isinstance(expected, str) else [t for t in expected if t != "null"]
        return [f"{loc}: Input should be {_TYPE_NAMES.get(names[0], names[0])}"]
    if validator == "minimum":
        return [f"{loc}: Input should be greater than or equal to {error.validator_value:g}"]
    if validator == "maximum":
        return [f"{loc}: Input should be less than or equal to {error.validator_value:g}"]
    if validator == "exclusiveMinimum":
        return [f"{loc}: Input should be greater than {error.validator_value:g}"]
    if validator == "enum":
        options = [f"'{v}'" for v in expected if v is not None]
        listed = ", ".join(options[:-1]) + f" or {options[-1]}" if len(options) > 1 else options[0]
        return [f"{loc}: Input should be {listed}"]
    if validator == "anyOf":
        # An object-or-null field: report the errors of the object branch.
        branch = [
            sub
            for sub in error.context or []
            if not (sub.validator == "type" and sub.validator_value == "null")
        ]
        if branch and all(sub.relative_schema_path[0] == 0 for sub in branch):
            return [line for sub in branch for line in _describe(sub)]
        return [f"{loc}: Input should be a valid dictionary"]
    return [f"{loc}: {error.message}"]


def decode_publish(payload: Any) -> PublishRequest:
    """Validate a parsed publish message and return it typed; raise E0101 otherwise.

    Messages that are plainly valid (:func:`plainly_valid`) skip the JSON Schema validator,
    which is the slowest step of a small message; every other message is judged by it.
    """
    if not plainly_valid(payload):
        try:
            errors = sorted(_validator().iter_errors(payload), key=lambda e: list(map(str, e.path)))
        except RecursionError:  # a value nested too deeply for the validator to describe
            raise HumeError.make("E0101", detail="payload: nested too deeply") from None
        if errors:
            lines = [line for err in errors for line in _describe(err)]
            raise HumeError.make("E0101", detail="; ".join(dict.fromkeys(lines)))
    assert isinstance(payload, dict)
    window = payload.get("stream_window_ms")
    return PublishRequest(
        data=payload.get("data"),
        models=_decode_models(payload.get("models")),
        stream_window_ms=float(window) if window is not None else None,
        reset_stream=payload.get("reset_stream") is True,
        raw_text=payload.get("raw_text") is True,
        job_details=payload.get("job_details") is True,
        payload_id=payload.get("payload_id"),
    )


# -- the fast path: plainly valid messages ------------------------------------------------
#
# A hand-written check of ``schemas/hume/publish.schema.json`` that only ever says "valid"
# when the schema would (a property test compares them); anything unusual returns False and
# goes to the schema validator, which also words the errors.


def _str_or_none(value: Any) -> bool:
    return value is None or type(value) is str


def _bool_or_none(value: Any) -> bool:
    return value is None or type(value) is bool


def _object_or_none(value: Any) -> bool:
    return value is None or type(value) is dict


def _number_at_least_0(value: Any) -> bool:
    return value is None or (type(value) in (int, float) and value >= 0)


def _window(value: Any) -> bool:
    return value is None or (type(value) in (int, float) and 500 <= value <= 10000)


_FACE: dict[str, Any] = {
    "facs": _object_or_none,
    "descriptions": _object_or_none,
    "identify_faces": _bool_or_none,
    "fps_pred": _number_at_least_0,
    "prob_threshold": _number_at_least_0,
    "min_face_size": _number_at_least_0,
}
_GRANULARITIES = frozenset({"word", "sentence", "utterance", "passage"})
_LANGUAGE: dict[str, Any] = {
    "sentiment": _object_or_none,
    "toxicity": _object_or_none,
    "granularity": lambda v: v is None or (type(v) is str and v in _GRANULARITIES),
}


def _fields(value: Any, checks: dict[str, Any]) -> bool:
    return type(value) is dict and all(
        (check := checks.get(key)) is not None and check(item) for key, item in value.items()
    )


_MODELS: dict[str, Any] = {
    "burst": _object_or_none,
    "facemesh": _object_or_none,
    "prosody": _object_or_none,
    "face": lambda v: v is None or _fields(v, _FACE),
    "language": lambda v: v is None or _fields(v, _LANGUAGE),
}
_PUBLISH: dict[str, Any] = {
    "data": _str_or_none,
    "models": lambda v: v is None or _fields(v, _MODELS),
    "stream_window_ms": _window,
    "reset_stream": _bool_or_none,
    "raw_text": _bool_or_none,
    "job_details": _bool_or_none,
    "payload_id": _str_or_none,
}


def plainly_valid(payload: Any) -> bool:
    """True only if ``payload`` is a valid publish message (False: ask the schema)."""
    return _fields(payload, _PUBLISH)


def _decode_models(models: dict[str, Any] | None) -> ModelConfig | None:
    if models is None:
        return None
    face = models.get("face")
    language = models.get("language")
    return ModelConfig(
        burst=models.get("burst") is not None,
        face=_decode_face(face) if face is not None else None,
        facemesh=models.get("facemesh") is not None,
        language=_decode_language(language) if language is not None else None,
        prosody=models.get("prosody") is not None,
    )


def _opt(value: Any, default: Any) -> Any:
    return default if value is None else value


def _decode_face(face: dict[str, Any]) -> FaceOptions:
    defaults = FaceOptions()
    return FaceOptions(
        identify_faces=bool(_opt(face.get("identify_faces"), defaults.identify_faces)),
        fps_pred=float(_opt(face.get("fps_pred"), defaults.fps_pred)),
        prob_threshold=float(_opt(face.get("prob_threshold"), defaults.prob_threshold)),
        min_face_size=float(_opt(face.get("min_face_size"), defaults.min_face_size)),
        facs=face.get("facs") is not None,
        descriptions=face.get("descriptions") is not None,
    )


def _decode_language(language: dict[str, Any]) -> LanguageOptions:
    return LanguageOptions(
        granularity=str(_opt(language.get("granularity"), "word")),
        sentiment=language.get("sentiment") is not None,
        toxicity=language.get("toxicity") is not None,
    )


def error_body(error: HumeError, *, payload_id: str | None, job_id: str | None) -> dict[str, Any]:
    """The ``StreamErrorMessage`` for ``error``: always ``error`` and ``code``."""
    body: dict[str, Any] = {"error": error.message, "code": error.code}
    if payload_id is not None:
        body["payload_id"] = payload_id
    if job_id is not None:
        body["job_details"] = {"job_id": job_id}
    return body


def encode(message: dict[str, Any]) -> str:
    """Serialise a response deterministically (insertion order, compact, UTF-8; a
    non-finite number raises ``ValueError``)."""
    return wirejson.dumps(message)
