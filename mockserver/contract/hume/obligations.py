"""What a client of Hume's streaming API (``wss://api.hume.ai/v0/stream/models``) must do,
checked from the journal of each certification run.

The limits, key names and model/file-type table come from
``schemas/hume/contract-tables.json`` (Hume's public documentation, sources named there),
the message schema from ``schemas/hume/publish.schema.json``; the payload measures
(duration, size, text length, file type) are the server's own, kept in each frame's
journal entry (``meta.measures``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from typing import Any

from mockserver.contract.model import Finding, Obligation, RunView
from mockserver.contract.tables import schema_validator, tables
from mockserver.journal import EMPTY, MISSING, REDACTED, JournalEntry

__all__ = ["BACKOFF_S", "OBLIGATIONS"]

VENDOR = "hume"
#: The back-off rule's minimum wait after a failed attempt (this kit's rule: Hume documents
#: the 50-per-second limit, not a back-off; see ``docs/contract.md``).
BACKOFF_S = 0.1
#: Server-side ends of a connection that count as a failed attempt.
_FAILED_STATUSES = (429,)


def _tables() -> Any:
    return tables(VENDOR)


def _client_frames(view: RunView) -> Iterator[JournalEntry]:
    for entry in view.entries:
        frame = entry.kind in ("text", "binary")
        if frame and entry.transport == "websocket" and entry.direction == "in":
            yield entry


def _json_frames(view: RunView) -> Iterator[JournalEntry]:
    for entry in _client_frames(view):
        if entry.kind == "text" and isinstance(entry.data, dict):
            yield entry


def _measures(entry: JournalEntry) -> Mapping[str, Any]:
    measures = entry.meta.get("measures")
    return measures if isinstance(measures, Mapping) else {}


def _where(entry: JournalEntry) -> str:
    return f"frame #{entry.seq} on {entry.connection}"


# -- message format -----------------------------------------------------------------------------


def _json_text(view: RunView) -> Iterator[Finding]:
    for entry in _client_frames(view):
        if entry.kind == "binary":
            yield Finding(f"{_where(entry)} is a binary frame of {entry.size} bytes", entry.seq)
        elif not isinstance(entry.data, dict):
            kind = "a JSON " + type(entry.data).__name__ if entry.data is not None else "null"
            text = entry.data if isinstance(entry.data, str) else None
            what = "not JSON" if text is not None else kind
            yield Finding(f"{_where(entry)} is {what}, not one JSON object", entry.seq)


def _publish_schema(view: RunView) -> Iterator[Finding]:
    validator = schema_validator("hume/publish.schema.json")
    for entry in _json_frames(view):
        error = next(iter(sorted(validator.iter_errors(entry.data), key=str)), None)
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "(message)"
            yield Finding(f"{_where(entry)}: {where}: {error.message}", entry.seq)


def _configured(models: Any) -> list[str] | None:
    if not isinstance(models, Mapping):
        return None
    return sorted(name for name, value in models.items() if value is not None)


def _model_file_type(view: RunView) -> Iterator[Finding]:
    compatible = _tables()["compatible"]["models"]
    last: dict[str, list[str]] = {}  # the models a connection configured last
    for entry in _json_frames(view):
        models = _configured(entry.data.get("models"))
        if models is None:
            models = last.get(entry.connection)  # a message without models reuses them
        else:
            last[entry.connection] = models
        file_type = _measures(entry).get("file_type")
        if file_type is None or not models:
            continue
        wrong = [m for m in models if m in compatible and file_type not in compatible[m]]
        if wrong:
            yield Finding(
                f"{_where(entry)}: model {', '.join(wrong)} configured for "
                f"{'an' if file_type[0] in 'aeiou' else 'a'} {file_type} payload"
                f" (they take {'; '.join(f'{m}: ' + ', '.join(compatible[m]) for m in wrong)})",
                entry.seq,
            )


def _limit(key: str, limit_key: str, what: str, unit: str) -> Any:
    def check(view: RunView) -> Iterator[Finding]:
        limits = _tables()["limits"]
        limit = limits[limit_key] + (limits["tolerance_ms"] if unit == "ms" else 0)
        for entry in _json_frames(view):
            value = _measures(entry).get(key)
            if isinstance(value, int | float) and value > limit:
                yield Finding(
                    f"{_where(entry)}: {value} {unit} of {what} in one payload "
                    f"(limit {limits[limit_key]} {unit})",
                    entry.seq,
                )

    return check


def _image_size(view: RunView) -> Iterator[Finding]:
    limit = _tables()["limits"]["image_px"]
    for entry in _json_frames(view):
        measures = _measures(entry)
        width, height = measures.get("width"), measures.get("height")
        if measures.get("file_type") != "image" or width is None or height is None:
            continue
        if width > limit or height > limit:
            yield Finding(
                f"{_where(entry)}: an image of {width} x {height} pixels (limit {limit} x {limit})",
                entry.seq,
            )


# -- handshakes ------------------------------------------------------------------------------


def _handshakes(view: RunView) -> list[JournalEntry]:
    return [e for e in view.of(transport="websocket", direction="in", kind="handshake")]


def _key_marker(entry: JournalEntry) -> str:
    """How the handshake carried the key: REDACTED (sent), EMPTY, or MISSING."""
    names = _tables()["api_key"]
    data = entry.data if isinstance(entry.data, Mapping) else {}
    headers = {str(k).lower(): v for k, v in (data.get("headers") or {}).items()}
    query = data.get("query") or {}
    found = [headers.get(names["header"].lower())]
    found += [query.get(name) for name in names["query"]]
    present = [value for value in found if value is not None]
    if REDACTED in present:
        return REDACTED
    if present:
        return EMPTY
    return MISSING


def _credentials(view: RunView) -> Iterator[Finding]:
    for entry in _handshakes(view):
        marker = _key_marker(entry)
        if marker == MISSING:
            yield Finding(
                f"handshake #{entry.seq} ({entry.connection}) sent no API key "
                "(header X-Hume-Api-Key or query apikey)",
                entry.seq,
            )
        elif marker == EMPTY:
            yield Finding(
                f"handshake #{entry.seq} ({entry.connection}) sent an empty API key", entry.seq
            )


def _failed_end(view: RunView, connection: str) -> tuple[float, str] | None:
    """When and how a connection attempt failed (refused with 429 or 5xx, closed by the
    server with a code other than 1000, or dropped), or None."""
    for entry in view.connection(connection):
        if entry.direction != "out":
            continue
        code = entry.code
        if (
            entry.kind == "handshake"
            and code is not None
            and (code in _FAILED_STATUSES or code >= 500)
        ):
            return entry.t, f"was refused with HTTP {code}"
        if entry.kind == "close" and entry.code not in (None, 1000):
            return entry.t, f"was closed by the server with {entry.code}"
        if entry.kind == "disconnect":
            return entry.t, "was dropped by the server"
    return None


def _handshake_rate(view: RunView) -> Iterator[Finding]:
    per_second = _tables()["handshake_rate"]["per_second"]
    handshakes = _handshakes(view)
    times = [e.t for e in handshakes]
    start = 0
    for index, t in enumerate(times):  # at most per_second handshakes in any 1 s window
        while times[start] <= t - 1.0:
            start += 1
        if index - start + 1 > per_second:
            entry = handshakes[index]
            yield Finding(
                f"handshake #{entry.seq}: {index - start + 1} handshakes within one second "
                f"(limit {per_second})",
                entry.seq,
            )
            break
    for previous, following in itertools.pairwise(handshakes):
        failed = _failed_end(view, previous.connection)
        if failed is None:
            continue
        end_t, how = failed
        wait = following.t - end_t
        if 0 <= wait < BACKOFF_S:
            yield Finding(
                f"handshake #{following.seq} came {wait * 1000:.0f} ms after "
                f"{previous.connection} {how}: wait at least {BACKOFF_S * 1000:.0f} ms "
                "before reconnecting",
                following.seq,
            )


_DEFINITION = (
    "Hume's streaming API definition: github.com/HumeAI/hume-python-sdk "
    ".mock/definition/expression-measurement/stream/stream.yml"
)
_ERRORS = "https://dev.hume.ai/docs/resources/errors"
_REFERENCE = "https://streaming.hume.ai/doc/streaming-api/operation/operation-publish-models"
_GUIDE = "https://dev.hume.ai/docs/expression-measurement/websocket"

#: The journal-checked obligations, in the order of ``docs/contract.md``.
OBLIGATIONS: tuple[Obligation, ...] = (
    Obligation(
        "hume.json-text",
        "every client frame is a text frame holding one JSON object",
        _ERRORS,
        "E0100: The WebSocket request could not be parsed as valid JSON. The Hume API "
        "requires JSON serializable payloads.",
        "Each client frame's journal entry: kind text, data a parsed JSON object.",
        check=_json_text,
    ),
    Obligation(
        "hume.publish-schema",
        "every frame validates against the publish schema (types, no unknown keys)",
        _DEFINITION,
        "StreamModelsEndpointPayload: data, models, stream_window_ms (min 500, max 10000), "
        "reset_stream, raw_text, job_details, payload_id; E0101 'Extra inputs are not "
        "permitted'.",
        "schemas/hume/publish.schema.json validates each JSON frame.",
        check=_publish_schema,
    ),
    Obligation(
        "hume.model-file-type",
        "the configured models suit the payload's file type",
        _ERRORS,
        "E0102: The requested model was incompatible with the file format received.",
        "The frame's models (or the connection's last ones) against the server's measured "
        "file type (meta.measures.file_type), by the compatible table.",
        check=_model_file_type,
    ),
    Obligation(
        "hume.audio-duration",
        "at most 5000 ms of audio per payload",
        _REFERENCE,
        "E0203: Your audio file was too long. The limit is 5000 milliseconds.",
        "meta.measures.audio_ms of each frame, 1 ms tolerance.",
        check=_limit("audio_ms", "audio_ms", "audio", "ms"),
    ),
    Obligation(
        "hume.video-duration",
        "at most 5000 ms of video per payload",
        _GUIDE,
        "E0204: Your video file was too long. (The websocket guide: video 5000 ms.)",
        "meta.measures.video_ms of each frame, 1 ms tolerance.",
        check=_limit("video_ms", "video_ms", "video", "ms"),
    ),
    Obligation(
        "hume.image-size",
        "images of at most 3000 x 3000 pixels",
        _REFERENCE,
        "E0205: Your image file was too large. The limit is 3,000 x 3,000 pixels.",
        "meta.measures.width and height of each image frame.",
        check=_image_size,
    ),
    Obligation(
        "hume.text-length",
        "at most 10,000 characters of text per payload",
        _REFERENCE,
        "Text: 10,000 characters (the reference's limits on data size).",
        "meta.measures.text_chars of each text frame.",
        check=_limit("text_chars", "text_chars", "text", "characters"),
    ),
    Obligation(
        "hume.credentials",
        "the API key is sent on every handshake",
        "https://dev.hume.ai/docs/introduction/api-key",
        "Set the X-Hume-Api-Key header ... If your WebSockets client does not support "
        "headers, set the apiKey query parameter.",
        "Each upgrade request's journal entry: header X-Hume-Api-Key or query apikey, apiKey "
        "or api_key present and not empty (journaled as <redacted>, not <empty>).",
        check=_credentials,
    ),
    Obligation(
        "hume.handshake-rate",
        "at most 50 handshakes per second, and reconnections back off after a failure",
        _GUIDE,
        "API limits: WebSocket handshakes ... 50 requests per second.",
        "No more than 50 upgrade requests in any one-second window; and after an attempt "
        "that failed (upgrade refused with 429 or 5xx, connection closed by the server with "
        "a code other than 1000, or dropped) the next upgrade comes at least 100 ms later. A "
        "reconnection right after a normal close (1000, e.g. the inactivity close) is allowed.",
        check=_handshake_rate,
    ),
)
