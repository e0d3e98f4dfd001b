"""What a client of the Behavioral Signals streaming API must do, checked from the journal
of each certification run (``schemas/behavioral/contract-tables.json`` names the sources).

Each gRPC call's journal holds its messages as decoded (``cid``, the token as
``<redacted>`` or ``<missing>``, ``config`` or none, ``audio_content`` by size), then how
the client ended its side: ``half_close`` or ``cancel``, told apart every time.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from mockserver.contract.model import Finding, Obligation, RunView
from mockserver.contract.tables import tables
from mockserver.journal import REDACTED, JournalEntry

__all__ = ["OBLIGATIONS"]

VENDOR = "behavioral"


def _tables() -> Any:
    return tables(VENDOR)


def _calls(view: RunView) -> Iterator[tuple[str, list[JournalEntry]]]:
    for call in view.connections("grpc"):
        yield call, view.connection(call)


def _messages(entries: list[JournalEntry]) -> list[JournalEntry]:
    return [e for e in entries if e.direction == "in" and e.kind == "message"]


def _audio_bytes(entry: JournalEntry) -> int:
    audio = entry.data.get("audio_content") if isinstance(entry.data, Mapping) else None
    size = audio.get("bytes", 0) if isinstance(audio, Mapping) else 0
    return int(size)


def _config(entry: JournalEntry) -> Mapping[str, Any] | None:
    config = entry.data.get("config") if isinstance(entry.data, Mapping) else None
    return config if isinstance(config, Mapping) else None


def _config_first(view: RunView) -> Iterator[Finding]:
    for call, entries in _calls(view):
        messages = _messages(entries)
        if not messages:
            continue
        first = messages[0]
        if _config(first) is None:
            yield Finding(f"{call}: the first message (#{first.seq}) has no config", first.seq)
        if _audio_bytes(first):
            yield Finding(
                f"{call}: the first message (#{first.seq}) carries {_audio_bytes(first)} bytes "
                "of audio",
                first.seq,
            )


def _config_once(view: RunView) -> Iterator[Finding]:
    for call, entries in _calls(view):
        for entry in _messages(entries)[1:]:
            if _config(entry) is not None:
                yield Finding(f"{call}: message #{entry.seq} carries config again", entry.seq)
                break


def _credentials(view: RunView) -> Iterator[Finding]:
    for call, entries in _calls(view):
        for entry in _messages(entries):
            data = entry.data if isinstance(entry.data, Mapping) else {}
            missing = []
            if not data.get("cid"):
                missing.append("cid")
            if data.get("x_auth_token") != REDACTED:
                missing.append("x_auth_token")
            if missing:
                yield Finding(
                    f"{call}: message #{entry.seq} has no {' and no '.join(missing)}", entry.seq
                )
                break


def _encoding(view: RunView) -> Iterator[Finding]:
    linear_pcm = _tables()["encoding"]["linear_pcm"]
    for call, entries in _calls(view):
        for entry in _messages(entries):
            config = _config(entry)
            if config is None:
                continue
            if config.get("encoding") != linear_pcm:
                yield Finding(
                    f"{call}: message #{entry.seq} asks for encoding {config.get('encoding')} "
                    f"(only LINEAR_PCM = {linear_pcm})",
                    entry.seq,
                )
            rate = config.get("sample_rate_hertz")
            if not isinstance(rate, int) or rate <= 0:
                yield Finding(
                    f"{call}: message #{entry.seq} has sample_rate_hertz {rate}", entry.seq
                )
            break


def _chunk_duration(view: RunView) -> Iterator[Finding]:
    chunks = _tables()["chunks"]
    width = _tables()["encoding"]["bytes_per_sample"]
    for call, entries in _calls(view):
        messages = _messages(entries)
        rate = next((c.get("sample_rate_hertz") for m in messages if (c := _config(m))), None)
        if not isinstance(rate, int) or rate <= 0:
            continue
        audio = [m for m in messages if _audio_bytes(m)]
        for entry in audio[:-1]:  # the last chunk of a stream may be shorter
            ms = _audio_bytes(entry) / width / rate * 1000
            if not chunks["min_ms"] <= ms <= chunks["max_ms"]:
                yield Finding(
                    f"{call}: message #{entry.seq} holds {ms:.0f} ms of audio (the vendor "
                    f"recommends {chunks['min_ms']} to {chunks['max_ms']} ms)",
                    entry.seq,
                )
                break


def _half_close(view: RunView) -> Iterator[Finding]:
    if view.end_t is None:
        return  # the kit killed the client: its calls were cancelled by the kill
    for call, entries in _calls(view):
        ended = False  # the server ended the call (a final status) before the client
        for entry in entries:
            if entry.direction == "out" and entry.kind == "status":
                ended = True
            if entry.direction == "in" and entry.kind == "cancel" and not ended:
                yield Finding(
                    f"{call}: the client cancelled the call (#{entry.seq}) instead of "
                    "half-closing its requests and reading to the final status",
                    entry.seq,
                )
                break


_PROTO = "protos/api.proto (github.com/BehavioralSignalTechnologies/behavioralsignals-python)"
_BARE = "https://behavioralsignals.readme.io/docs/streaming-using-a-bare-grpc-client"

#: The journal-checked obligations, in the order of ``docs/contract.md``.
OBLIGATIONS: tuple[Obligation, ...] = (
    Obligation(
        "behavioral.config-first",
        "the first message carries config and no audio_content",
        _PROTO,
        "The first AudioStream message must contain a streaming_config message. The first "
        "AudioStream message must not contain audio data.",
        "Each call's first message: config present, audio_content empty.",
        check=_config_first,
    ),
    Obligation(
        "behavioral.config-once",
        "no config after the first message",
        _BARE,
        "Subsequent messages: Audio chunks only (no config!)",
        "Each call's later messages: no config.",
        check=_config_once,
    ),
    Obligation(
        "behavioral.credentials",
        "cid and x_auth_token on every message",
        _BARE,
        "Required in every message ... cid - Your project ID (integer); x_auth_token - Your "
        "API key (string)",
        "Every message: cid not 0, x_auth_token journaled as <redacted> (not <missing>).",
        check=_credentials,
    ),
    Obligation(
        "behavioral.encoding",
        "LINEAR_PCM and a positive sample rate",
        _PROTO,
        "enum AudioEncoding { LINEAR_PCM = 0; } Uncompressed 16-bit signed little-endian "
        "samples (Linear PCM - pcm_s16le).",
        "The config: encoding 0 (LINEAR_PCM), sample_rate_hertz > 0.",
        check=_encoding,
    ),
    Obligation(
        "behavioral.chunk-duration",
        "audio chunks of 100 to 500 ms, as the vendor recommends",
        _BARE,
        "Chunk size: Variable, we recommend setting it between 100ms - 500ms",
        "Each audio message but a call's last: bytes / 2 / sample_rate_hertz between 0.1 and "
        "0.5 s (the first chunk outside the range is reported). A warning.",
        severity="warning",
        check=_chunk_duration,
    ),
    Obligation(
        "behavioral.half-close",
        "the client ends its request stream and reads to the final status, not cancelling",
        "behavioralsignals-python examples/streaming/streaming_api_file.py",
        "The file example pushes the whole file, then iterates `for resp in responses:` until "
        "the server ends the call (the server flushes its last results after the half-close).",
        "Each call: no cancel entry before the server's final status (a half_close, then "
        "the status). Runs the kit killed are not judged.",
        check=_half_close,
    ),
)
