"""The journal: every frame that crossed the wire, in both directions, with timestamps.

Adapters record what *actually* went on the wire (after faults), so a test can assert on
it. Secrets (API keys, tokens) are redacted before they are stored. Entries export to
NDJSON, one JSON object per line, validated by ``schemas/journal-entry.schema.json``, and
import back with :meth:`Journal.from_ndjson`.

Directions are seen from the server: ``"in"`` is what the *client sent*, ``"out"`` what the
client received. :meth:`Journal.assert_sent` and :meth:`Journal.assert_received` use the
client's point of view, as a test reads. Patterns (``match=``) are matched against an
entry's ``data``:

* a dict matches a dict that has every listed key with a matching value (other keys are
  ignored), recursively;
* a list matches a list of the same length element by element; a trailing ``...`` allows
  more elements;
* a compiled regular expression matches a string it ``fullmatch``-es;
* a type (``str``, ``float``...) matches its instances;
* a callable inside a pattern is a predicate on the value; a callable *as the whole
  pattern* is a predicate on the :class:`JournalEntry`;
* anything else matches an equal value.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import functools
import hashlib
import json
import re
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, TypedDict, Unpack

from .resources import load_schema

__all__ = [
    "EMPTY",
    "MISSING",
    "REDACTED",
    "SECRET_KEYS",
    "Direction",
    "EntryFilters",
    "Journal",
    "JournalEntry",
    "Match",
    "matches",
    "redact_mapping",
    "redaction_marker",
    "secret_key_pattern",
    "validate_entry",
]

Direction = Literal["in", "out"]
#: What a secret's value is journaled as: a credential that was sent, an empty one (an
#: empty header, ``apikey=``), or none (a null field, a protobuf field left unset), so
#: that a check can tell a missing credential from a real one without seeing it.
REDACTED = "<redacted>"
EMPTY = "<empty>"
MISSING = "<missing>"

#: Names of mapping keys whose values are always redacted, at any depth of an entry's
#: ``data`` and ``meta`` (compared case-insensitively, with ``_`` read as ``-``): generic
#: credential names. Each vendor adds its own (headers, query parameters, message fields)
#: through its registry entry. Adapters redact their own secrets too; this is the safety
#: net. The journal-entry schema checks the same (:func:`secret_key_pattern`).
SECRET_KEYS: frozenset[str] = frozenset(
    {"apikey", "api-key", "access-token", "authorization", "proxy-authorization"}
)

#: What ``match=`` accepts: a pattern for ``data`` (see the module docstring), a predicate
#: on the whole entry, or None for "any entry".
Match = Any

_ENTRY_SCHEMA = "journal-entry.schema.json"
_DIFF_CONTEXT_LINES = 3
_MAX_DIFF_LINES = 40
_MAX_SHOWN = 3


class EntryFilters(TypedDict, total=False):
    """Exact-value filters on an entry's top-level fields (all optional)."""

    vendor: str
    transport: str
    connection: str
    direction: Direction
    kind: str
    code: int
    status: str
    fault: str


_FIELDS = (
    "seq", "t", "wall", "vendor", "transport", "connection", "direction", "kind", "data",
    "size", "code", "reason", "status", "fault", "meta",
)  # fmt: skip


class JournalEntry:
    """One recorded event. ``direction`` is seen from the server: "in" = sent by the client.

    Immutable. ``data`` and ``wall`` of entries recorded by a running server are computed on
    first access (a text frame is parsed and redacted only when someone reads it), so that
    journaling costs little on the wire's hot path.

    Attributes:
        seq: 1-based position in the journal, never reused until reset.
        t: Seconds since the server started (monotonic clock).
        wall: ISO-8601 UTC wall-clock time.
        vendor: "hume", "behavioral", ...
        transport: "websocket", "grpc" or "http".
        connection: Connection / call / request id, e.g. "hume-ws-3".
        direction: "in" or "out".
        kind: "handshake", "text", "binary", "close", "message", "status", "request", ...
        data: JSON-compatible payload (parsed JSON for JSON frames).
        size: Bytes on the wire, when meaningful.
        code: WebSocket close code or HTTP status.
        reason: Close reason or gRPC status details.
        status: gRPC status name, e.g. "UNAUTHENTICATED".
        fault: Name of the fault that produced or altered this entry.
        meta: Extra adapter facts.
    """

    __slots__ = (
        "_data", "_pending", "_wall", "code", "connection", "direction", "fault", "kind",
        "meta", "reason", "seq", "size", "status", "t", "transport", "vendor",
    )  # fmt: skip

    _data: Any
    _pending: Callable[[], Any] | None
    _wall: str | float
    seq: int
    t: float
    vendor: str
    transport: str
    connection: str
    direction: Direction
    kind: str
    size: int | None
    code: int | None
    reason: str | None
    status: str | None
    fault: str | None
    meta: Mapping[str, Any]

    def __init__(
        self,
        *,
        seq: int,
        t: float,
        wall: str | float,
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
        pending: Callable[[], Any] | None = None,
    ) -> None:
        """``wall`` is an ISO-8601 string or POSIX seconds (formatted when read);
        ``pending`` computes ``data`` on first access (then ``data`` must be None)."""
        init = object.__setattr__
        init(self, "seq", seq)
        init(self, "t", t)
        init(self, "_wall", wall)
        init(self, "vendor", vendor)
        init(self, "transport", transport)
        init(self, "connection", connection)
        init(self, "direction", direction)
        init(self, "kind", kind)
        init(self, "_data", data)
        init(self, "_pending", pending)
        init(self, "size", size)
        init(self, "code", code)
        init(self, "reason", reason)
        init(self, "status", status)
        init(self, "fault", fault)
        init(self, "meta", meta if meta is not None else {})

    @property
    def data(self) -> Any:
        pending = self._pending
        if pending is not None:  # two threads may both compute it: same value
            object.__setattr__(self, "_data", pending())
            object.__setattr__(self, "_pending", None)
        return self._data

    @property
    def wall(self) -> str:
        wall = self._wall
        if isinstance(wall, str):
            return wall
        text = _iso_utc(wall)
        object.__setattr__(self, "_wall", text)
        return text

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"JournalEntry is immutable (cannot set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"JournalEntry is immutable (cannot delete {name!r})")

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in _FIELDS)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, JournalEntry):
            return NotImplemented
        return self._values() == other._values()

    __hash__ = None  # type: ignore[assignment]  # data is usually a dict

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in _FIELDS)
        return f"JournalEntry({shown})"

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

    def to_ndjson_line(self) -> str:
        """:meth:`to_json` as one compact NDJSON line, newline included."""
        return json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":")) + "\n"

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> JournalEntry:
        """Rebuild an entry from :meth:`to_json` output (one NDJSON line, parsed)."""
        return cls(
            seq=int(obj["seq"]),
            t=float(obj["t"]),
            wall=str(obj["wall"]),
            vendor=str(obj["vendor"]),
            transport=str(obj["transport"]),
            connection=str(obj["connection"]),
            direction="in" if obj["direction"] == "in" else "out",
            kind=str(obj["kind"]),
            data=obj.get("data"),
            size=obj.get("size"),
            code=obj.get("code"),
            reason=obj.get("reason"),
            status=obj.get("status"),
            fault=obj.get("fault"),
            meta=dict(obj.get("meta") or {}),
        )

    def summary(self) -> str:
        """One line: ``#3 hume-ws-1 in text (code 1000)``."""
        extra = [
            f"{name} {value}"
            for name in ("code", "status", "fault")
            if (value := getattr(self, name)) is not None
        ]
        tail = f" ({', '.join(extra)})" if extra else ""
        return f"#{self.seq} {self.connection} {self.direction} {self.kind}{tail}"


def redaction_marker(value: Any) -> str:
    """The marker a secret's ``value`` is journaled as: :data:`MISSING` for None,
    :data:`EMPTY` for an empty (or blank) string, :data:`REDACTED` otherwise."""
    if value is None:
        return MISSING
    if isinstance(value, str) and not value.strip():
        return EMPTY
    return REDACTED


def redact_mapping(values: Mapping[str, Any], secret_names: Iterable[str]) -> dict[str, Any]:
    """Copy ``values`` with every key in ``secret_names`` (case-insensitive) replaced by
    its :func:`redaction_marker`."""
    secrets = {name.lower() for name in secret_names}
    return {k: (redaction_marker(v) if k.lower() in secrets else v) for k, v in values.items()}


def _secret_form(name: str) -> str:
    return name.lower().replace("_", "-")


def secret_key_pattern(names: Iterable[str]) -> str:
    """A case-insensitive regular expression (no inline flags, for JSON Schema) that
    matches every spelling of the secret ``names`` (``_`` or ``-``) and nothing else."""

    def letters(text: str) -> str:
        return "".join(
            f"[{c.upper()}{c.lower()}]" if c.isalpha() else "[-_]" if c in "-_" else re.escape(c)
            for c in text
        )

    forms = sorted({_secret_form(n) for n in names} | SECRET_KEYS)
    return "^(?:" + "|".join(letters(form) for form in forms) + ")$"


#: Payloads nested deeper than this are stored as a summary (a client may send any depth).
MAX_DEPTH = 64
#: Approximate NDJSON bytes of an entry's envelope (seq, t, wall, vendor, connection...).
_ENVELOPE_BYTES = 160


def _frame_data(text: str, limit: int, secrets: frozenset[str]) -> Any:
    """The ``data`` of a text frame: its JSON, or the text itself, shrunk and redacted."""
    try:
        return _shrink(json.loads(text), limit, secrets)[0]
    except (ValueError, RecursionError):  # not JSON, or nested beyond what Python parses
        return _shrink(text, limit, secrets)[0]


def _shrink(value: Any, limit: int, secrets: frozenset[str], depth: int = 0) -> tuple[Any, int]:
    """Summarise strings longer than ``limit`` characters and values nested deeper than
    :data:`MAX_DEPTH`, and redact the ``secrets``. Returns the stored value and its
    approximate NDJSON size in bytes (for the journal's byte cap)."""
    if isinstance(value, str):
        if len(value) <= limit:
            return value, len(value) + 2
        digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        summary = f"<{len(value)} chars, sha256 {digest}...>"
        return summary, len(summary) + 2
    if isinstance(value, dict | list) and depth >= MAX_DEPTH:
        summary = f"<nested deeper than {MAX_DEPTH} levels>"
        return summary, len(summary) + 2
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        size = 2
        for k, v in value.items():
            if isinstance(k, str) and _secret_form(k) in secrets:
                out[k] = marker = _marker(v)
                item = len(str(marker)) + 2
            else:
                out[k], item = _shrink(v, limit, secrets, depth + 1)
            size += item + len(str(k)) + 4
        return out, size
    if isinstance(value, list):
        items = []
        size = 2
        for v in value:
            shrunk, item = _shrink(v, limit, secrets, depth + 1)
            items.append(shrunk)
            size += item + 1
        return items, size
    return value, 8


def _marker(value: Any) -> Any:
    """A secret's journaled value (a marker stays as it is)."""
    if value in (REDACTED, EMPTY, MISSING):
        return value
    return redaction_marker(value)


# -- matching -----------------------------------------------------------------------------


def matches(pattern: Any, value: Any) -> bool:
    """Whether ``value`` matches ``pattern`` (rules in the module docstring)."""
    if isinstance(pattern, re.Pattern):
        return isinstance(value, str) and pattern.fullmatch(value) is not None
    if isinstance(pattern, type):
        return isinstance(value, pattern)
    if callable(pattern):
        return bool(pattern(value))
    if isinstance(pattern, Mapping):
        return isinstance(value, Mapping) and all(
            key in value and matches(sub, value[key]) for key, sub in pattern.items()
        )
    if isinstance(pattern, list | tuple):
        if not isinstance(value, list | tuple):
            return False
        items, open_ended = _list_pattern(pattern)
        if len(value) < len(items) or (not open_ended and len(value) != len(items)):
            return False
        return all(matches(sub, item) for sub, item in zip(items, value, strict=False))
    if isinstance(pattern, bool) or isinstance(value, bool):
        return type(pattern) is type(value) and pattern == value
    return bool(pattern == value)


def _list_pattern(pattern: Sequence[Any]) -> tuple[Sequence[Any], bool]:
    if pattern and pattern[-1] is Ellipsis:
        return pattern[:-1], True
    return pattern, False


def _is_entry_predicate(match: Match) -> bool:
    """A callable given as the whole pattern tests the entry, not its data."""
    return callable(match) and not isinstance(match, re.Pattern | type)


def _entry_matches(match: Match, entry: JournalEntry) -> bool:
    if match is None:
        return True
    if _is_entry_predicate(match):
        return bool(match(entry))
    return matches(match, entry.data)


def _filter_entries(
    entries: Iterable[JournalEntry], filters: Mapping[str, Any]
) -> list[JournalEntry]:
    items = list(filters.items())
    return [e for e in entries if all(getattr(e, name) == want for name, want in items)]


def _select(
    entries: Iterable[JournalEntry], match: Match, filters: Mapping[str, Any]
) -> list[JournalEntry]:
    """Entries passing every filter whose data (or which, for a predicate) ``match``es."""
    return [e for e in _filter_entries(entries, filters) if _entry_matches(match, e)]


def _renderable(pattern: Any) -> Any:
    """A JSON-serialisable picture of a pattern (predicates and regexes as strings)."""
    if isinstance(pattern, re.Pattern):
        return f"<regex {pattern.pattern!r}>"
    if isinstance(pattern, type):
        return f"<any {pattern.__name__}>"
    if callable(pattern):
        return f"<predicate {getattr(pattern, '__name__', type(pattern).__name__)}>"
    if pattern is Ellipsis:
        return "..."
    if isinstance(pattern, Mapping):
        return {str(k): _renderable(v) for k, v in pattern.items()}
    if isinstance(pattern, list | tuple):
        return [_renderable(v) for v in pattern]
    return pattern


def _project(pattern: Any, value: Any) -> Any:
    """The part of ``value`` that ``pattern`` talks about (for a focused diff)."""
    if isinstance(pattern, Mapping) and isinstance(value, Mapping):
        return {k: _project(sub, value[k]) for k, sub in pattern.items() if k in value}
    if isinstance(pattern, list | tuple) and isinstance(value, list | tuple):
        items, open_ended = _list_pattern(pattern)
        head = [_project(sub, item) for sub, item in zip(items, value, strict=False)]
        extra = len(value) - len(items)
        if extra > 0:  # summarised: the diff is about the items the pattern names
            head.append("..." if open_ended else f"<{extra} more item{'s' * (extra > 1)}>")
        return head
    if callable(pattern) or isinstance(pattern, re.Pattern):
        return pattern if matches(pattern, value) else value
    return value


def _pretty(value: Any) -> str:
    return json.dumps(_renderable(value), indent=2, ensure_ascii=False, default=repr)


def _clip(lines: list[str], limit: int = _MAX_DIFF_LINES) -> list[str]:
    if len(lines) <= limit:
        return lines
    return [*lines[:limit], f"... ({len(lines) - limit} more lines)"]


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def _closest(pattern: Any, candidates: Sequence[JournalEntry]) -> list[str]:
    """Describe the entries most similar to ``pattern``, each with a diff."""
    expected = _pretty(pattern)
    scored: list[tuple[float, JournalEntry, str]] = []
    for entry in candidates:
        actual = _pretty(_project(pattern, entry.data))
        ratio = difflib.SequenceMatcher(None, expected, actual, autojunk=False).ratio()
        scored.append((ratio, entry, actual))
    scored.sort(key=lambda item: (-item[0], -item[1].seq))
    out: list[str] = []
    for ratio, entry, actual in scored[:_MAX_SHOWN]:
        diff = difflib.unified_diff(
            expected.splitlines(),
            actual.splitlines(),
            "expected",
            f"actual {entry.summary()}",
            n=_DIFF_CONTEXT_LINES,
            lineterm="",
        )
        out.append(f"  {entry.summary()} [{entry.vendor}], similarity {ratio:.2f}:")
        out.append(_indent("\n".join(_clip(list(diff)))))
    return out


def _recent(candidates: Sequence[JournalEntry]) -> list[str]:
    out: list[str] = []
    for entry in candidates[-_MAX_SHOWN:]:
        out.append(f"  {entry.summary()} [{entry.vendor}]:")
        out.append(_indent("\n".join(_clip(_pretty(entry.data).splitlines(), 15))))
    return out


def _inventory(entries: Sequence[JournalEntry]) -> str:
    counts = Counter((e.vendor, e.direction, e.kind) for e in entries)
    return ", ".join(f"{v} {d} {k} x{n}" for (v, d, k), n in counts.items()) or "empty"


def _describe_expectation(
    match: Match, count: int | None, filters: Mapping[str, Any], who: str | None
) -> str:
    how_many = (
        "at least 1 entry"
        if count is None
        else f"exactly {count} entr" + ("y" if count == 1 else "ies")
    )
    subject = f"{how_many} {who}" if who else how_many
    conditions = ", ".join(f"{k}={v!r}" for k, v in filters.items())
    head = f"expected {subject}" + (f" with {conditions}" if conditions else "")
    if match is None:
        return head
    if _is_entry_predicate(match):
        return f"{head} accepted by {_renderable(match)}"
    return f"{head} whose data matches:\n{_indent(_pretty(match))}"


_WHO = {
    "in": 'sent by the client (direction "in")',
    "out": 'received by the client (direction "out")',
}


def _utc_now() -> str:
    return _iso_utc(time.time())


def _iso_utc(seconds: float) -> str:
    """POSIX seconds as ISO-8601 UTC with microseconds and a Z suffix."""
    moment = _dt.datetime.fromtimestamp(seconds, _dt.UTC)
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


class Journal:
    """Append-only, thread-safe record of wire traffic for one server.

    Args:
        clock: Returns monotonic seconds; ``t`` is measured from the first reading.
        wall_clock: Returns ISO-8601 UTC strings (injectable for tests; default: the
            system clock).
        max_entries: Oldest entries are dropped beyond this many (0 = unlimited).
        max_bytes: Oldest entries are dropped while the entries' approximate NDJSON size
            exceeds this (0 = unlimited); the newest entry is always kept.
        max_string_chars: Longer strings inside payloads are stored as a summary.
        secrets: Key names redacted at any depth besides :data:`SECRET_KEYS` (the
            vendors' credential names).
    """

    def __init__(
        self,
        clock: Callable[[], float],
        *,
        wall_clock: Callable[[], str] | None = None,
        max_entries: int = 100_000,
        max_bytes: int = 0,
        max_string_chars: int = 65_536,
        secrets: Iterable[str] = (),
    ) -> None:
        self._secrets = SECRET_KEYS | {_secret_form(name) for name in secrets}
        self._clock = clock  # monotonic seconds
        # ISO-8601 UTC strings (injected), or None: POSIX seconds, formatted when read
        self._wall: Callable[[], str | float] = wall_clock or time.time
        self._origin = clock()  # t = 0
        self._lock = threading.Lock()  # guards _entries and _seq
        self._appended = threading.Condition(self._lock)  # notified after each append
        self._entries: deque[JournalEntry] = deque()
        self._sizes: deque[int] = deque()  # approximate NDJSON bytes of each entry
        self._bytes = 0  # sum of _sizes
        self._max_entries = max_entries  # 0 = unlimited
        self._max_bytes = max_bytes  # 0 = unlimited
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
        frame_text: str | None = None,
    ) -> JournalEntry:
        """Append one entry and return it.

        ``frame_text`` is a text frame as it crossed the wire: its ``data`` is the parsed
        JSON (or the text, if it is not JSON), computed and redacted when first read, so
        that recording a frame costs no parsing (give ``data`` or ``frame_text``, not both).
        Its size for the byte cap is the text's length (a summary when longer than
        ``max_string_chars``).
        """
        pending: Callable[[], Any] | None = None
        limit, secrets = self._max_string_chars, self._secrets
        nbytes = 0
        if frame_text is not None:
            pending = functools.partial(_frame_data, frame_text, limit, secrets)
            nbytes = min(len(frame_text), limit) + 2
        elif data is not None:
            data, nbytes = _shrink(data, limit, secrets)
        stored_meta: dict[str, Any] = {}
        if meta:
            stored_meta, meta_bytes = _shrink(dict(meta), limit, secrets)
            nbytes += meta_bytes
        nbytes += _ENVELOPE_BYTES + len(connection) + len(reason or "")
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
                meta=stored_meta,
                pending=pending,
            )
            self._append(entry, nbytes)
            self._appended.notify_all()
            listeners = list(self._listeners)
        for listener in listeners:
            listener(entry)
        return entry

    def elapsed(self) -> float:
        """The ``t`` an entry recorded now would have (seconds since t = 0)."""
        with self._lock:
            return self._clock() - self._origin

    def _append(self, entry: JournalEntry, size: int) -> None:
        """Append under the lock, then drop the oldest entries beyond either cap."""
        self._entries.append(entry)
        self._sizes.append(size)
        self._bytes += size
        entries, sizes = self._entries, self._sizes
        while (self._max_entries and len(entries) > self._max_entries) or (
            self._max_bytes and self._bytes > self._max_bytes and len(entries) > 1
        ):
            entries.popleft()
            self._bytes -= sizes.popleft()

    @property
    def approx_bytes(self) -> int:
        """Approximate NDJSON size of the entries kept (what ``max_bytes`` caps)."""
        with self._lock:
            return self._bytes

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
        given = {
            "vendor": vendor,
            "transport": transport,
            "connection": connection,
            "direction": direction,
            "kind": kind,
        }
        with self._lock:
            snapshot = list(self._entries)
        return _filter_entries(snapshot, {k: v for k, v in given.items() if v is not None})

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
            self._sizes.clear()
            self._bytes = 0
            self._seq = 0
            self._origin = self._clock()

    def to_ndjson(self) -> str:
        """Serialise all entries as NDJSON (one compact JSON object per line)."""
        return "".join(e.to_ndjson_line() for e in self.entries())

    def write_ndjson(self, path: str | Path) -> Path:
        """Write :meth:`to_ndjson` to ``path`` and return the path."""
        target = Path(path)
        target.write_text(self.to_ndjson(), encoding="utf-8")
        return target

    # -- queries and assertions -----------------------------------------------------------

    def find(self, match: Match = None, **filters: Unpack[EntryFilters]) -> list[JournalEntry]:
        """Entries passing every filter whose data matches ``match``, oldest first.

        Args:
            match: A pattern for ``data``, a predicate on the entry, or None (any entry).
            **filters: Exact values of top-level fields: ``vendor``, ``transport``,
                ``connection``, ``direction``, ``kind``, ``code``, ``status``, ``fault``.
        """
        return _select(self.entries(), match, filters)

    def count(self, match: Match = None, **filters: Unpack[EntryFilters]) -> int:
        """How many entries :meth:`find` returns."""
        return len(self.find(match, **filters))

    def assert_sent(
        self, match: Match = None, *, count: int | None = 1, **filters: Unpack[EntryFilters]
    ) -> list[JournalEntry]:
        """Assert the *client sent* ``count`` matching entries (direction ``"in"``).

        Args:
            match: See :meth:`find`.
            count: Exact number expected; None means at least one; 0 means none.
            **filters: See :meth:`find`.

        Returns:
            The matching entries.

        Raises:
            AssertionError: With the closest entries and a diff against each.
        """
        __tracebackhide__ = True
        return self._assert(match, count, {**filters, "direction": "in"})

    def assert_received(
        self, match: Match = None, *, count: int | None = 1, **filters: Unpack[EntryFilters]
    ) -> list[JournalEntry]:
        """Assert the *client received* ``count`` matching entries (direction ``"out"``).

        Arguments, result and errors as :meth:`assert_sent`.
        """
        __tracebackhide__ = True
        return self._assert(match, count, {**filters, "direction": "out"})

    def assert_entry(
        self, match: Match = None, *, count: int | None = 1, **filters: Unpack[EntryFilters]
    ) -> list[JournalEntry]:
        """Assert ``count`` matching entries in any direction (unless ``direction=`` is given).

        Arguments, result and errors as :meth:`assert_sent`.
        """
        __tracebackhide__ = True
        return self._assert(match, count, filters)

    def _assert(self, match: Match, count: int | None, filters: EntryFilters) -> list[JournalEntry]:
        __tracebackhide__ = True
        snapshot = self.entries()
        found = _select(snapshot, match, filters)
        if (count is None and found) or len(found) == count:
            return found
        raise AssertionError(self._explain(match, count, filters, snapshot, found))

    def _explain(
        self,
        match: Match,
        count: int | None,
        filters: EntryFilters,
        snapshot: Sequence[JournalEntry],
        found: Sequence[JournalEntry],
    ) -> str:
        direction = filters.get("direction")
        who = _WHO.get(direction) if direction else None
        others = {k: v for k, v in filters.items() if k != "direction" or not who}
        lines = [_describe_expectation(match, count, others, who)]
        candidates = _filter_entries(snapshot, filters)
        lines.append(
            f"found {len(found)}; {len(candidates)} of {len(snapshot)} entries pass the filters"
        )
        lines.append(f"journal: {_inventory(snapshot)}")
        if found:
            lines.append("matching entries:")
            lines.extend(f"  {e.summary()} [{e.vendor}]" for e in found[:10])
            if len(found) > 10:
                lines.append(f"  ... and {len(found) - 10} more")
            return "\n".join(lines)
        pool, note = candidates, "closest entries"
        if not pool:
            pool, note = list(snapshot), "closest entries, ignoring the filters"
        if not pool:
            return "\n".join(lines)
        if match is None or _is_entry_predicate(match):
            lines.append("most recent candidates:" if pool is candidates else f"{note}:")
            lines.extend(_recent(pool))
        else:
            lines.append(f"{note} (- expected, + actual):")
            lines.extend(_closest(match, pool))
        return "\n".join(lines)

    def wait_for(
        self,
        match: Match = None,
        *,
        count: int = 1,
        timeout: float = 5.0,
        **filters: Unpack[EntryFilters],
    ) -> list[JournalEntry]:
        """Block until at least ``count`` entries match, and return them.

        For assertions on traffic that happens asynchronously (a background client, a
        server-side timeout). In ``async`` tests use :meth:`wait_for_async`.

        Raises:
            AssertionError: After ``timeout`` seconds, with the same diagnostics as
                :meth:`assert_entry`.
        """
        __tracebackhide__ = True
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                seen = self._seq
            found = self.find(match, **filters)
            if len(found) >= count:
                return found
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise self._timeout(match, count, timeout, filters)
            with self._lock:
                if self._seq == seen:  # nothing new since the search: sleep until an append
                    self._appended.wait(min(remaining, 0.25))

    async def wait_for_async(
        self,
        match: Match = None,
        *,
        count: int = 1,
        timeout: float = 5.0,
        poll_s: float = 0.01,
        **filters: Unpack[EntryFilters],
    ) -> list[JournalEntry]:
        """:meth:`wait_for` for ``async`` tests: polls without blocking the event loop."""
        __tracebackhide__ = True
        import asyncio  # noqa: PLC0415  asyncio: only async tests need it

        deadline = time.monotonic() + timeout
        while True:
            found = self.find(match, **filters)
            if len(found) >= count:
                return found
            if time.monotonic() >= deadline:
                raise self._timeout(match, count, timeout, filters)
            await asyncio.sleep(poll_s)

    def _timeout(
        self, match: Match, count: int, timeout: float, filters: EntryFilters
    ) -> AssertionError:
        snapshot = self.entries()
        found = _select(snapshot, match, filters)
        body = self._explain(match, None if count == 1 else count, filters, snapshot, found)
        return AssertionError(f"timed out after {timeout:g} s: {body}")

    # -- NDJSON import --------------------------------------------------------------------

    @classmethod
    def from_ndjson(cls, text: str, *, validate: bool = True) -> Journal:
        """Rebuild a journal from :meth:`to_ndjson` output (for replay or inspection).

        Args:
            text: NDJSON, one entry per line (blank lines are skipped).
            validate: Check every line against ``schemas/journal-entry.schema.json``.

        Raises:
            ValueError: A line is not JSON or not a valid entry (names the line).
        """
        journal = cls(lambda: 0.0, max_entries=0)
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"line {number}: not JSON: {exc}") from None
            if validate:
                try:
                    validate_entry(obj)
                except ValueError as exc:
                    raise ValueError(f"line {number}: {exc}") from None
            elif not isinstance(obj, dict):
                raise ValueError(f"line {number}: not a JSON object")
            try:
                entry = JournalEntry.from_json(obj)
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"line {number}: not a journal entry: {exc!r}") from None
            journal._append(entry, len(line))
            journal._seq = max(journal._seq, entry.seq)
        return journal

    @classmethod
    def read_ndjson(cls, path: str | Path, *, validate: bool = True) -> Journal:
        """:meth:`from_ndjson` on the contents of a file."""
        return cls.from_ndjson(Path(path).read_text(encoding="utf-8"), validate=validate)


def validate_entry(obj: Any) -> None:
    """Check one parsed NDJSON line against ``schemas/journal-entry.schema.json``.

    Raises:
        ValueError: Naming the first failing field.
    """
    validator = _entry_validator()
    error = next(iter(sorted(validator.iter_errors(obj), key=lambda e: list(e.path))), None)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(entry)"
        raise ValueError(f"invalid journal entry at {where}: {error.message}")


@functools.cache
def _entry_validator() -> Any:
    from jsonschema import Draft202012Validator  # noqa: PLC0415  jsonschema: on first import

    schema = load_schema(_ENTRY_SCHEMA)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)
