"""The process store of the Behavioral Signals emulator: sans-I/O.

Every batch upload and every stream is a *process* with a pid. Processes live in three
namespaces that share one pid counter (1, 2, 3... per server; :meth:`ProcessStore.reset`
restarts it):

* ``"behavioral"``: ``clients/{cid}/processes`` (uploads and ``StreamAudio`` streams);
* ``"detection"``: ``detection/clients/{cid}/processes`` (uploads and ``DeepfakeDetection``);
* ``"detection_video"``: ``detection/clients/{cid}/processes/video``.

Status (readme.io /docs/check-the-processing-progress) is computed from the injected clock
whenever a process is read: 0
"Pending" for ``pending_s``, then 1 "Processing" for ``running_s``, then the outcome of the
analysis: 2 "Processing Complete." or a failure (-1, -2 "Insufficient credits", -3, or
any other injected code). Streams are 1 while open and 2 once closed.

**Analysis scheduling.** A submitted process carries a *job* (decode + analyse) that
returns an :class:`Outcome`.

* Eager (an ``executor`` is given, as in the served emulator): the job is submitted to the
  executor when the process is created. The process reports 1 "Processing" until both
  ``pending_s + running_s`` have elapsed *and* the job has finished, so a long analysis
  simply keeps the process running; no request ever waits for it.
* Lazy (no executor, the unit-test mode): the job runs on the first read at or after the
  completion time, on the reading thread (the HTTP adapter runs handlers on worker
  threads, never on the event loop). A concurrent read while it runs sees 1 "Processing".

A job that raises turns the process into status -3 (the docs' "Server error while
processing the audio") and is reported through ``on_error`` (the runtime's failure log).

**Fault injection.** :meth:`ProcessStore.submit` reports each new process to
:func:`mockserver.faults.rest.on_submission` with ``(store, view)``; inside a faulted HTTP
request, a ``process_outcome`` fault (:mod:`.faults`) then fails it
(:meth:`ProcessStore.set_outcome`) or keeps it pending or processing for ever
(:meth:`ProcessStore.hold`). Outside one, nothing happens.
"""

from __future__ import annotations

import datetime as _dt
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import Any, Literal

from mockserver.core.clock import Clock
from mockserver.faults.rest import on_submission

from .results import InferenceResult

__all__ = [
    "COMPLETED",
    "COMPLETE_MESSAGE",
    "FAILED",
    "INSUFFICIENT_CREDITS",
    "NAMESPACES",
    "PENDING",
    "PROCESSING",
    "SERVER_ERROR",
    "Job",
    "Namespace",
    "Outcome",
    "ProcessStore",
    "ProcessView",
    "StreamNamespace",
    "SubmitHook",
    "format_datetime",
]

Namespace = Literal["behavioral", "detection", "detection_video"]
StreamNamespace = Literal["behavioral", "detection"]
NAMESPACES: tuple[Namespace, ...] = ("behavioral", "detection", "detection_video")

PENDING, PROCESSING, COMPLETED = 0, 1, 2
FAILED, INSUFFICIENT_CREDITS, SERVER_ERROR = -1, -2, -3

PENDING_MESSAGE = "Pending"  # docs, VERIFIED
PROCESSING_MESSAGE = "Processing"  # INFERRED (the real text is unknown)
COMPLETE_MESSAGE = "Processing Complete."  # docs, VERIFIED (with the full stop)
SERVER_ERROR_MESSAGE = "Server error while processing the audio"  # docs status table


def format_datetime(moment: _dt.datetime) -> str:
    """ISO-8601 UTC with microseconds and ``Z``: ``2026-11-21T10:00:00.123456Z``.

    A naive datetime is taken to be UTC. The SDK's pydantic ``datetime`` parses this form.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_dt.UTC)
    text = moment.astimezone(_dt.UTC).isoformat(timespec="microseconds")
    return text.replace("+00:00", "Z")


def _utc_now() -> _dt.datetime:
    return _dt.datetime.now(_dt.UTC)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a finished process reports: ``status`` 2 with results, or a failure.

    ``video_results`` is set only for ``detection_video`` processes (``results`` then holds
    the audio-track results).
    """

    status: int
    statusmsg: str
    duration: float = 0.0
    results: tuple[InferenceResult, ...] = ()
    video_results: tuple[InferenceResult, ...] | None = None

    @classmethod
    def completed(
        cls,
        results: Sequence[InferenceResult],
        *,
        duration: float,
        video_results: Sequence[InferenceResult] | None = None,
    ) -> Outcome:
        return cls(
            COMPLETED,
            COMPLETE_MESSAGE,
            duration,
            tuple(results),
            None if video_results is None else tuple(video_results),
        )

    @classmethod
    def failed(cls, status: int, message: str, *, duration: float = 0.0) -> Outcome:
        _check_failure_status(status)
        return cls(status, message, duration)


#: The analysis of one submitted process; called once, on a worker or a reading thread.
Job = Callable[[], Outcome]

#: Called by :meth:`ProcessStore.submit` with the store and the new process's first view,
#: before its analysis is scheduled (scenario rules).
SubmitHook = Callable[["ProcessStore", "ProcessView"], None]


def _check_failure_status(status: int) -> None:
    if status in (PENDING, PROCESSING, COMPLETED):
        raise ValueError(f"a failure status must not be 0, 1 or 2 (got {status})")


@dataclass(frozen=True, slots=True)
class ProcessView:
    """A snapshot of one process at one moment (SDK 0.7.1 ``ProcessItem`` plus its results)."""

    pid: int
    cid: int
    namespace: Namespace
    name: str | None
    status: int
    statusmsg: str
    duration: float
    created: _dt.datetime
    meta: str | None
    is_stream: bool
    results: tuple[InferenceResult, ...] = ()
    video_results: tuple[InferenceResult, ...] | None = None

    def to_json(self) -> dict[str, Any]:
        """The ProcessItem JSON: ``pid, cid, name, status, statusmsg, duration, datetime, meta``."""
        return {
            "pid": self.pid,
            "cid": self.cid,
            "name": self.name,
            "status": self.status,
            "statusmsg": self.statusmsg,
            "duration": self.duration,
            "datetime": format_datetime(self.created),
            "meta": self.meta,
        }


class _Process:
    """Mutable record of one process; fields are guarded by the store's lock."""

    __slots__ = (
        "cid",
        "closed",
        "created",
        "created_at",
        "future",
        "held",
        "is_stream",
        "job",
        "meta",
        "name",
        "namespace",
        "outcome",
        "override",
        "pid",
        "running",
    )

    def __init__(
        self,
        *,
        pid: int,
        cid: int,
        namespace: Namespace,
        name: str | None,
        meta: str | None,
        created: _dt.datetime,
        created_at: float,
        is_stream: bool,
        job: Job | None,
    ) -> None:
        self.pid = pid
        self.cid = cid
        self.namespace: Namespace = namespace
        self.name = name
        self.meta = meta
        self.created = created  # wall clock, shown as "datetime"
        self.created_at = created_at  # monotonic clock, drives the status timeline
        self.is_stream = is_stream
        self.closed = False  # streams only
        self.job = job  # dropped once run (frees the upload bytes)
        self.future: Future[None] | None = None  # eager mode
        self.outcome: Outcome | None = None  # the analysis result, once known
        self.override: tuple[int, str] | None = None  # injected failure (wins over outcome)
        self.held: int | None = None  # PENDING or PROCESSING for ever (hold())
        self.running = threading.Lock()  # held while the job runs


class ProcessStore:
    """Thread-safe registry of batch and stream processes (a stream is a process too: readme.io
    /docs/real-time-deepfake-detection).

    Args:
        clock: Monotonic clock driving the status timeline.
        pending_s: Seconds a submitted process stays 0 "Pending".
        running_s: Seconds it then stays 1 "Processing" (at least).
        wall_clock: Returns the creation time shown as ``datetime`` (aware UTC).
        executor: Run jobs eagerly on this executor; None runs them lazily on read.
        on_error: Called with ``(where, exception)`` when a job raises.
        max_processes: Processes kept (0 = all); beyond it the oldest are forgotten,
            except open streams.
    """

    def __init__(
        self,
        *,
        clock: Clock,
        pending_s: float,
        running_s: float,
        wall_clock: Callable[[], _dt.datetime] = _utc_now,
        executor: Executor | None = None,
        on_error: Callable[[str, BaseException], None] | None = None,
        max_processes: int = 0,
    ) -> None:
        if pending_s < 0 or running_s < 0:
            raise ValueError("pending_s and running_s must be >= 0")
        self._clock = clock
        self._pending_s = pending_s
        self._running_s = running_s
        self._wall_clock = wall_clock
        self._executor = executor
        self._on_error = on_error
        self._max_processes = max_processes  # 0 = keep all
        self._lock = threading.Lock()  # guards every field below and every _Process
        self._processes: dict[int, _Process] = {}
        self._last_pid = 0
        self._fail_next: tuple[int, str] | None = None
        self._stale: dict[int, _Process] = {}  # streams open at reset(): pid reserved

    # -- creation -------------------------------------------------------------------------

    def submit(
        self,
        *,
        cid: int,
        namespace: Namespace,
        name: str | None,
        meta: str | None,
        job: Job,
        on_created: SubmitHook | None = None,
    ) -> ProcessView:
        """Create a batch process (status 0) and schedule ``job``; return its first view.

        A failure armed by :meth:`fail_next` is applied to it (the job is then never run),
        then the request's submission faults, then ``on_created`` (the scenario rules); a
        fault or rule that fails or holds the process keeps its job from being scheduled.
        """
        if namespace not in NAMESPACES:
            raise ValueError(f"unknown namespace {namespace!r}")
        with self._lock:
            proc = self._new(cid=cid, namespace=namespace, name=name, meta=meta, job=job)
            if self._fail_next is not None:
                proc.override, self._fail_next = self._fail_next, None
                proc.job = None
        on_submission(proc.name, (self, self._view(proc)))  # FAULT HOOK: process_outcome
        if on_created is not None:
            on_created(self, self._view(proc))
        if proc.job is not None and self._executor is not None:
            future = self._executor.submit(self._run_eagerly, proc)  # outside the lock
            with self._lock:
                proc.future = future
        return self._view(proc)

    def open_stream(self, *, cid: int, namespace: StreamNamespace) -> int:
        """Register a stream (status 1, no name, created now) and return its pid."""
        if namespace not in ("behavioral", "detection"):
            raise ValueError(f"streams live in 'behavioral' or 'detection', not {namespace!r}")
        with self._lock:
            return self._new(cid=cid, namespace=namespace, name=None, meta=None, job=None).pid

    def close_stream(
        self, pid: int, *, results: Sequence[InferenceResult], duration_s: float
    ) -> None:
        """Mark a stream completed (status 2) and keep ``results`` for ``GET .../results``.

        An unknown pid is ignored. A stream open across :meth:`reset` keeps its pid reserved
        (new processes skip it) and can still be closed, invisibly to REST.

        Raises:
            ValueError: ``pid`` is not a stream, or the stream is already closed.
        """
        with self._lock:
            proc = self._processes.get(pid) or self._stale.get(pid)
            if proc is None:
                return
            if not proc.is_stream:
                raise ValueError(f"process {pid} is not a stream")
            if proc.closed:
                raise ValueError(f"stream {pid} is already closed")
            proc.closed = True
            proc.outcome = Outcome.completed(results, duration=float(duration_s))

    def _new(
        self,
        *,
        cid: int,
        namespace: Namespace,
        name: str | None,
        meta: str | None,
        job: Job | None,
    ) -> _Process:
        """Allocate the next pid (caller holds the lock)."""
        self._last_pid += 1
        while self._last_pid in self._stale:  # held by a stream open across reset()
            self._last_pid += 1
        proc = _Process(
            pid=self._last_pid,
            cid=cid,
            namespace=namespace,
            name=name,
            meta=meta,
            created=self._wall_clock(),
            created_at=self._clock.now(),
            is_stream=job is None,
            job=job,
        )
        self._processes[proc.pid] = proc
        if self._max_processes and len(self._processes) > self._max_processes:
            self._forget_oldest()
        return proc

    def _forget_oldest(self) -> None:
        """Drop the oldest process that is not an open stream (caller holds the lock)."""
        for pid, proc in self._processes.items():
            if not (proc.is_stream and not proc.closed):
                del self._processes[pid]
                return

    # -- failure injection ------------------------------------------------------------------

    def fail_next(self, status: int, message: str) -> None:
        """Make the next :meth:`submit`-ted process end with ``status``/``message``.

        It still goes through 0 and 1 first. ``message`` may span several lines (SDK 0.7.1
        ``mcp_server.py``).
        Streams are not affected.
        """
        _check_failure_status(status)
        with self._lock:
            self._fail_next = (status, message)

    def set_outcome(self, pid: int, status: int, message: str) -> None:
        """Make process ``pid`` end (or, if already finished, now report) a failure.

        A pending or processing process still finishes its timeline first; an open stream
        reports the failure once closed.

        Raises:
            KeyError: No such process.
            ValueError: ``status`` is 0, 1 or 2.
        """
        _check_failure_status(status)
        with self._lock:
            proc = self._processes.get(pid) or self._stale[pid]
            proc.override = (status, message)
            proc.job = None  # never analyse it (an eager job already running is ignored)

    def hold(self, pid: int, status: int = PENDING) -> None:
        """Keep batch process ``pid`` in ``status`` for ever (until :meth:`reset`).

        ``PENDING``: it stays 0 "Pending"; ``PROCESSING``: it goes through its pending time,
        then stays 1 "Processing". Its analysis never runs.

        Raises:
            KeyError: No such process.
            ValueError: ``status`` is not 0 or 1, or ``pid`` is a stream.
        """
        if status not in (PENDING, PROCESSING):
            raise ValueError(f"a held process stays 0 or 1 (got {status})")
        with self._lock:
            proc = self._processes[pid]
            if proc.is_stream:
                raise ValueError(f"process {pid} is a stream")
            proc.held = status
            proc.job = None

    # -- reading ----------------------------------------------------------------------------

    def get(
        self, pid: int, *, cid: int | None = None, namespace: Namespace | None = None
    ) -> ProcessView | None:
        """The process now, or None if it does not exist (or has another cid/namespace)."""
        with self._lock:
            proc = self._processes.get(pid)
        if proc is None:
            return None
        if (cid is not None and proc.cid != cid) or (
            namespace is not None and proc.namespace != namespace
        ):
            return None
        return self._view(proc)

    def list_processes(
        self,
        *,
        cid: int,
        namespace: Namespace,
        page: int = 0,
        page_size: int = 1000,
        sort: Literal["asc", "desc"] = "asc",
        start_date: _dt.date | None = None,
        end_date: _dt.date | None = None,
    ) -> list[ProcessView]:
        """One page of ``cid``'s processes in ``namespace`` (SDK 0.7.1 ``list_processes``).

        Sorted by pid (``asc``/``desc``); ``start_date`` keeps processes created on or after
        that UTC date, ``end_date`` those created *before* it (exclusive, SDK 0.7 docstring).
        """
        if page < 0 or page_size < 1:
            raise ValueError("page must be >= 0 and page_size >= 1")
        with self._lock:
            matching = [
                p
                for p in self._processes.values()
                if p.cid == cid
                and p.namespace == namespace
                and (start_date is None or _utc_date(p.created) >= start_date)
                and (end_date is None or _utc_date(p.created) < end_date)
            ]
        matching.sort(key=lambda p: p.pid, reverse=sort == "desc")
        chunk = matching[page * page_size : (page + 1) * page_size]
        return [self._view(p) for p in chunk]

    def pids(self) -> list[int]:
        """Every pid in the store, ascending."""
        with self._lock:
            return sorted(self._processes)

    def reset(self) -> None:
        """Forget every process and armed failure; pids restart at 1.

        Streams still open keep their pids (new processes skip them) so that their sessions
        can close them without touching a new process; they are no longer listed.
        """
        with self._lock:
            self._stale = {
                pid: p
                for pid, p in (*self._stale.items(), *self._processes.items())
                if p.is_stream and not p.closed
            }
            self._processes.clear()
            self._last_pid = 0
            self._fail_next = None

    # -- status computation ---------------------------------------------------------------

    def _view(self, proc: _Process) -> ProcessView:
        status, message, outcome = self._state(proc)
        with self._lock:
            return ProcessView(
                pid=proc.pid,
                cid=proc.cid,
                namespace=proc.namespace,
                name=proc.name,
                status=status,
                statusmsg=message,
                duration=outcome.duration if outcome is not None else 0.0,
                created=proc.created,
                meta=proc.meta,
                is_stream=proc.is_stream,
                results=outcome.results if outcome is not None and status == COMPLETED else (),
                video_results=(
                    outcome.video_results if outcome is not None and status == COMPLETED else None
                ),
            )

    def _state(self, proc: _Process) -> tuple[int, str, Outcome | None]:
        if proc.is_stream:
            with self._lock:
                if not proc.closed:
                    return PROCESSING, PROCESSING_MESSAGE, None
        else:
            elapsed = self._clock.now() - proc.created_at
            with self._lock:
                held = proc.held
            if elapsed < self._pending_s or held == PENDING:
                return PENDING, PENDING_MESSAGE, None
            if elapsed < self._pending_s + self._running_s or held == PROCESSING:
                return PROCESSING, PROCESSING_MESSAGE, None
        with self._lock:
            override, outcome = proc.override, proc.outcome
        if override is not None:  # an injected failure wins and skips the analysis
            duration = outcome.duration if outcome is not None else 0.0
            return override[0], override[1], Outcome(override[0], override[1], duration)
        if outcome is None:
            outcome = self._resolve(proc)
            if outcome is None:
                return PROCESSING, PROCESSING_MESSAGE, None
        return outcome.status, outcome.statusmsg, outcome

    def _resolve(self, proc: _Process) -> Outcome | None:
        """The outcome of a due batch process, running its job lazily; None while it runs."""
        with self._lock:
            if proc.outcome is not None:
                return proc.outcome
            future = proc.future
        if future is not None and not future.done():
            return None
        if not proc.running.acquire(blocking=False):
            return None  # another thread is running the job right now
        try:
            self._run_locked(proc)
        finally:
            proc.running.release()
        with self._lock:
            return proc.outcome

    def _run_eagerly(self, proc: _Process) -> None:
        with proc.running:
            self._run_locked(proc)

    def _run_locked(self, proc: _Process) -> None:
        """Run the job (caller holds ``proc.running``) and store its outcome."""
        with self._lock:
            job = proc.job
            if proc.outcome is not None or job is None:
                return
        try:
            outcome = job()
        except Exception as exc:
            if self._on_error is not None:
                self._on_error(f"behavioral process {proc.pid}", exc)
            outcome = Outcome(SERVER_ERROR, SERVER_ERROR_MESSAGE)
        with self._lock:
            proc.outcome = outcome
            proc.job = None


def _utc_date(moment: _dt.datetime) -> _dt.date:
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(_dt.UTC).date()
