"""Runs: a record of every realtime session and measured upload, with its event log.

Fields and rules from ``hume-expression-measurement`` 0.1.0 ``types/run.py``,
``types/run_summary.py``, ``types/run_event*.py`` and
https://dev.hume.ai/expression-measurement/docs/runs,
https://dev.hume.ai/expression-measurement/reference/runs/list,
https://dev.hume.ai/expression-measurement/reference/runs/get,
https://dev.hume.ai/expression-measurement/reference/runs/list-events:

* a run's id is the session's ``session_id`` or the upload's ``run_id`` (a UUID);
* ``status`` is ``live``, ``ended`` or ``errored``; a live run not heard from for
  ``silence_s`` (five minutes) reads ``errored``, with ``ended_at`` the last time it was
  heard from, and reads ``live`` again once heard from;
* ``metered_seconds``: audio taken in, or a third of a second per video frame or image
  taken in; "a run that took in any media is billed at least 10 seconds, applied when the
  run ends"; ``bytes_received`` is null until the run ends; ``bytes_recorded`` is null
  (the emulator stores no media);
* lists are newest first; ``started_before`` is exclusive, ``started_after`` inclusive;
  ``page_size`` 1-200, default 50; ``next_cursor`` is absent on the last page;
* events: only realtime sessions log them, numbered from 1; each kind is logged at most
  ``event_cap`` times per run, after which ``at_cap`` is true and ``capped_kinds`` names it.

Thread-safe: sessions and upload handlers run on different threads.
"""

from __future__ import annotations

import base64
import datetime as _dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mockserver.core.clock import Clock
from mockserver.core.rng import SeedSource

__all__ = [
    "EVENT_KINDS",
    "MIN_BILLED_S",
    "RunFilters",
    "RunHandle",
    "RunStore",
    "format_time",
    "parse_cursor",
]

EVENT_KINDS = (
    "invalid_audio_frame",
    "invalid_image_frame",
    "rate_limited",
    "inference_failed",
    "message_too_large",
    "video_recording_abandoned",
)
MIN_BILLED_S = 10.0


def format_time(moment: _dt.datetime) -> str:
    """RFC 3339 in UTC with milliseconds and ``Z``."""
    utc = moment.astimezone(_dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _cursor(kind: str, position: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{position}".encode()).decode().rstrip("=")


def parse_cursor(kind: str, cursor: str) -> int:
    """The position a cursor made by this store stands for.

    Raises:
        ValueError: not one of our cursors.
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
    except (ValueError, UnicodeError):
        raise ValueError("not a cursor") from None
    prefix, _, number = text.partition(":")
    if prefix != kind or not number.isdigit():
        raise ValueError("not a cursor")
    return int(number)


@dataclass
class _Run:
    number: int  # creation order (cursor position)
    run_id: str
    user_id: str
    endpoint: str  # "audio" or "video"
    mode: str  # "realtime" or "file"
    started_at: _dt.datetime
    config: dict[str, Any]
    last_heard: float  # runtime clock
    last_heard_at: _dt.datetime
    status: str = "live"
    ended_at: _dt.datetime | None = None
    close_code: int | None = None
    close_reason: str | None = None
    bytes_received: int = 0
    metered_s: float = 0.0
    took_media: bool = False
    events: list[dict[str, Any]] = field(default_factory=list)
    event_counts: dict[str, int] = field(default_factory=dict)
    capped: list[str] = field(default_factory=list)
    next_seq: int = 1


@dataclass(frozen=True, slots=True)
class RunFilters:
    """Filters of ``GET /v1/expression/run`` (None = no condition)."""

    user_id: str | None = None
    status: str | None = None
    mode: str | None = None
    endpoint: str | None = None
    started_before: _dt.datetime | None = None
    started_after: _dt.datetime | None = None


class RunHandle:
    """What a session or an upload records about its own run."""

    __slots__ = ("_run", "_store", "run_id")

    def __init__(self, store: RunStore, run: _Run) -> None:
        self._store = store
        self._run = run
        self.run_id = run.run_id

    def heard(self) -> None:
        """The client sent something (a live run stays live)."""
        with self._store.lock:
            self._run.last_heard = self._store.clock.now()
            self._run.last_heard_at = self._store.wall()

    def configure(self, config: Mapping[str, Any]) -> None:
        """The configuration in effect changed (``session.updated``)."""
        with self._store.lock:
            self._run.config = dict(config)

    def took(self, *, seconds: float, size: int) -> None:
        """Media was taken in: ``seconds`` billable, ``size`` bytes."""
        with self._store.lock:
            self._run.metered_s += seconds
            self._run.bytes_received += size
            self._run.took_media = True

    def event(self, kind: str, detail: Mapping[str, Any] | None = None) -> None:
        """Log an event (capped per kind)."""
        store = self._store
        with store.lock:
            run = self._run
            count = run.event_counts.get(kind, 0)
            if store.event_cap and count >= store.event_cap:
                if kind not in run.capped:
                    run.capped.append(kind)
                return
            run.event_counts[kind] = count + 1
            entry: dict[str, Any] = {"seq": run.next_seq, "at": format_time(store.wall()),
                                     "kind": kind}  # fmt: skip
            if detail:
                entry["detail"] = dict(detail)
            run.events.append(entry)
            run.next_seq += 1

    def end(
        self,
        *,
        errored: bool,
        close_code: int | None = None,
        close_reason: str | None = None,
        billable: bool = True,
    ) -> None:
        """The run is over (``billable=False``: a failed upload, reported as 0 seconds)."""
        with self._store.lock:
            run = self._run
            if run.status != "live":
                return
            run.status = "errored" if errored else "ended"
            run.ended_at = self._store.wall()
            run.close_code = close_code
            run.close_reason = close_reason
            if not billable:
                run.metered_s = 0.0
            elif run.took_media:
                run.metered_s = max(run.metered_s, MIN_BILLED_S)


class RunStore:
    """Every run of one server, newest last; cleared by ``MockServer.reset()``.

    Args:
        clock: Monotonic time (silence of live runs).
        wall: Current UTC time (``started_at``, ``ended_at``, event times).
        seeds: Run ids.
        silence_s: A live run not heard from this long reads ``errored``.
        event_cap: Events of one kind kept per run (0 = no cap).
        max_runs: Runs kept; the oldest are forgotten beyond it.
    """

    def __init__(
        self,
        *,
        clock: Clock,
        wall: Callable[[], _dt.datetime],
        seeds: SeedSource,
        silence_s: float = 300.0,
        event_cap: int = 100,
        max_runs: int = 10000,
    ) -> None:
        self.clock = clock
        self.wall = wall
        self.event_cap = event_cap
        self.lock = threading.Lock()  # guards everything below and every _Run
        self._seeds = seeds
        self._silence_s = silence_s
        self._max_runs = max_runs
        self._runs: OrderedDict[str, _Run] = OrderedDict()  # by id, oldest first
        self._created = 0  # runs created since the last reset

    def reset(self) -> None:
        """Forget every run (ids start again)."""
        with self.lock:
            self._runs.clear()
            self._created = 0

    def start(
        self, *, user_id: str, endpoint: str, mode: str, config: Mapping[str, Any]
    ) -> RunHandle:
        """Create a live run with a new id."""
        with self.lock:
            self._created += 1
            number = self._created
            raw = bytearray(self._seeds.digest("hume_v1", "run", number, size=16))
            raw[6] = (raw[6] & 0x0F) | 0x70  # version 7, as the documented example
            raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
            hexed = raw.hex()
            run_id = "-".join((hexed[:8], hexed[8:12], hexed[12:16], hexed[16:20], hexed[20:]))
            now = self.wall()
            run = _Run(number, run_id, user_id, endpoint, mode, now, dict(config),
                       self.clock.now(), now)  # fmt: skip
            self._runs[run_id] = run
            while len(self._runs) > self._max_runs:
                self._runs.popitem(last=False)
        return RunHandle(self, run)

    # -- views --------------------------------------------------------------------------

    def _status(self, run: _Run) -> tuple[str, _dt.datetime | None]:
        if run.status == "live" and self.clock.now() - run.last_heard >= self._silence_s:
            return "errored", run.last_heard_at
        return run.status, run.ended_at

    def _summary(self, run: _Run) -> dict[str, Any]:
        status, ended_at = self._status(run)
        body: dict[str, Any] = {
            "run_id": run.run_id,
            "user_id": run.user_id,
            "status": status,
            "endpoint": run.endpoint,
            "mode": run.mode,
            "started_at": format_time(run.started_at),
            "ended_at": format_time(ended_at) if ended_at is not None else None,
            "bytes_received": run.bytes_received if run.status != "live" else None,
            "bytes_recorded": None,
            "metered_seconds": round(run.metered_s, 3),
        }
        return body

    def get(self, run_id: str) -> dict[str, Any] | None:
        """The full ``Run``, or None."""
        with self.lock:
            run = self._runs.get(run_id)
            if run is None:
                return None
            body = self._summary(run)
            if run.mode == "realtime" and run.status != "live":
                if run.close_code is not None:
                    body["close_code"] = run.close_code
                if run.close_reason is not None:
                    body["close_reason"] = run.close_reason
            body["config"] = {"schema": "v4", **run.config}
            return body

    def page(
        self, filters: RunFilters, *, page_size: int, cursor: int | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of summaries, newest first, and the next page's cursor (None on the
        last page)."""
        with self.lock:
            out: list[dict[str, Any]] = []
            last = 0  # creation number of the last run on the page
            for run in reversed(self._runs.values()):
                if cursor is not None and run.number >= cursor:
                    continue
                summary = self._summary(run)
                if not self._matches(run, summary, filters):
                    continue
                if len(out) == page_size:
                    return out, _cursor("runs", last)
                out.append(summary)
                last = run.number
            return out, None

    @staticmethod
    def _matches(run: _Run, summary: Mapping[str, Any], f: RunFilters) -> bool:
        return (
            (f.user_id is None or run.user_id == f.user_id)
            and (f.status is None or summary["status"] == f.status)
            and (f.mode is None or run.mode == f.mode)
            and (f.endpoint is None or run.endpoint == f.endpoint)
            and (f.started_before is None or run.started_at < f.started_before)
            and (f.started_after is None or run.started_at >= f.started_after)
        )

    def events(self, run_id: str, *, page_size: int, cursor: int | None) -> dict[str, Any] | None:
        """One page of a run's events (``RunEventsPage``), or None for an unknown run."""
        with self.lock:
            run = self._runs.get(run_id)
            if run is None:
                return None
            after = cursor or 0
            pending = [e for e in run.events if e["seq"] > after]
            page = pending[:page_size]
            body: dict[str, Any] = {
                "events": [dict(e) for e in page],
                "at_cap": bool(run.capped),
                "capped_kinds": list(run.capped),
                "gaps": False,
            }
            if len(pending) > page_size:
                body["next_cursor"] = _cursor("events", page[-1]["seq"])
            return body
