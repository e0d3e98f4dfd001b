"""The journal: every frame that crossed the wire, in both directions, with timestamps.

Adapters record what *actually* went on the wire (after faults), so a test can assert on
it. Secrets (API keys, tokens) are redacted before they are stored. Entries export to
NDJSON, one JSON object per line, validated by ``schemas/journal-entry.schema.json``.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "REDACTED",
    "Direction",
    "Journal",
    "JournalEntry",
    "redact_mapping",
]

Direction = Literal["in", "out"]
REDACTED = "<redacted>"


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One recorded event. ``direction`` is seen from the server: "in" = sent by the client."""

    seq: int  # 1-based position in the journal, never reused until reset
    t: float  # seconds since the server started (monotonic clock)
    wall: str  # ISO-8601 UTC wall-clock time
    vendor: str  # "hume", "behavioral", ...
    transport: str  # "websocket", "grpc" or "http"
    connection: str  # connection / call / request id, e.g. "hume-ws-3"
    direction: Direction
    kind: str  # "handshake", "text", "binary", "close", "message", "status", "request", ...
    data: Any = None  # JSON-compatible payload (parsed JSON for JSON frames)
    size: int | None = None  # bytes on the wire, when meaningful
    code: int | None = None  # WebSocket close code or HTTP status
    reason: str | None = None  # close reason or gRPC status details
    status: str | None = None  # gRPC status name, e.g. "UNAUTHENTICATED"
    fault: str | None = None  # name of the fault that produced or altered this entry
    meta: Mapping[str, Any] = field(default_factory=dict)  # extra adapter facts

    def to_json(self) -> dict[str, Any]:
        """Return the NDJSON object for this entry (``None`` fields omitted)."""
        out: dict[str, Any] = {
            "seq": self.seq,
            "t": round(self.t, 6),
            "wall": self.wall,
            "vendor": self.vendor,
            "transport": self.transport,
            "connection": self.connection,
            "direction": self.direction,
            "kind": self.kind,
        }
        for name in ("data", "size", "code", "reason", "status", "fault"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.meta:
            out["meta"] = dict(self.meta)
        return out


def redact_mapping(values: Mapping[str, Any], secret_names: Iterable[str]) -> dict[str, Any]:
    """Copy ``values`` with every key in ``secret_names`` (case-insensitive) redacted."""
    secrets = {name.lower() for name in secret_names}
    return {k: (REDACTED if k.lower() in secrets else v) for k, v in values.items()}


def _shrink(value: Any, limit: int) -> Any:
    """Replace strings longer than ``limit`` characters by a short summary."""
    if isinstance(value, str):
        if len(value) <= limit:
            return value
        digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        return f"<{len(value)} chars, sha256 {digest}...>"
    if isinstance(value, dict):
        return {k: _shrink(v, limit) for k, v in value.items()}
    if isinstance(value, list):
        return [_shrink(v, limit) for v in value]
    return value


def _utc_now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


class Journal:
    """Append-only, thread-safe record of wire traffic for one server.

    Args:
        clock: Returns monotonic seconds; ``t`` is measured from the first reading.
        wall_clock: Returns ISO-8601 UTC strings (injectable for tests).
        max_entries: Oldest entries are dropped beyond this many (0 = unlimited).
        max_string_chars: Longer strings inside payloads are stored as a summary.
    """

    def __init__(
        self,
        clock: Callable[[], float],
        *,
        wall_clock: Callable[[], str] = _utc_now,
        max_entries: int = 100_000,
        max_string_chars: int = 65_536,
    ) -> None:
        self._clock = clock  # monotonic seconds
        self._wall = wall_clock  # ISO-8601 UTC
        self._origin = clock()  # t = 0
        self._lock = threading.Lock()  # guards _entries and _seq
        self._entries: deque[JournalEntry] = deque(maxlen=max_entries or None)
        self._seq = 0  # last sequence number handed out
        self._max_string_chars = max_string_chars
        self._listeners: list[Callable[[JournalEntry], None]] = []  # called after each append

    def record(
        self,
        *,
        vendor: str,
        transport: str,
        connection: str,
        direction: Direction,
        kind: str,
        data: Any = None,
        size: int | None = None,
        code: int | None = None,
        reason: str | None = None,
        status: str | None = None,
        fault: str | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> JournalEntry:
        """Append one entry and return it."""
        data = _shrink(data, self._max_string_chars)
        with self._lock:
            self._seq += 1
            entry = JournalEntry(
                seq=self._seq,
                t=self._clock() - self._origin,
                wall=self._wall(),
                vendor=vendor,
                transport=transport,
                connection=connection,
                direction=direction,
                kind=kind,
                data=data,
                size=size,
                code=code,
                reason=reason,
                status=status,
                fault=fault,
                meta=dict(meta or {}),
            )
            self._entries.append(entry)
            listeners = list(self._listeners)
        for listener in listeners:
            listener(entry)
        return entry

    def add_listener(self, listener: Callable[[JournalEntry], None]) -> None:
        """Call ``listener`` with every new entry (from the recording thread)."""
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[JournalEntry], None]) -> None:
        """Stop calling ``listener``."""
        with self._lock:
            self._listeners.remove(listener)

    def entries(
        self,
        *,
        vendor: str | None = None,
        transport: str | None = None,
        connection: str | None = None,
        direction: Direction | None = None,
        kind: str | None = None,
    ) -> list[JournalEntry]:
        """Return entries matching every given filter, oldest first."""
        with self._lock:
            snapshot = list(self._entries)
        return [
            e
            for e in snapshot
            if (vendor is None or e.vendor == vendor)
            and (transport is None or e.transport == transport)
            and (connection is None or e.connection == connection)
            and (direction is None or e.direction == direction)
            and (kind is None or e.kind == kind)
        ]

    def __iter__(self) -> Iterator[JournalEntry]:
        return iter(self.entries())

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def connections(self, vendor: str | None = None) -> list[str]:
        """Connection ids in order of first appearance."""
        seen: dict[str, None] = {}
        for entry in self.entries(vendor=vendor):
            seen.setdefault(entry.connection, None)
        return list(seen)

    def clear(self) -> None:
        """Forget every entry; sequence numbers restart at 1."""
        with self._lock:
            self._entries.clear()
            self._seq = 0
            self._origin = self._clock()

    def to_ndjson(self) -> str:
        """Serialise all entries as NDJSON (one compact JSON object per line)."""
        lines = [
            json.dumps(e.to_json(), ensure_ascii=False, separators=(",", ":"))
            for e in self.entries()
        ]
        return "".join(line + "\n" for line in lines)

    def write_ndjson(self, path: str | Path) -> Path:
        """Write :meth:`to_ndjson` to ``path`` and return the path."""
        target = Path(path)
        target.write_text(self.to_ndjson(), encoding="utf-8")
        return target
