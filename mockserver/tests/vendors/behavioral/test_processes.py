"""The Behavioral Signals process store (SDK 0.7.1 list/ProcessItem, docs status table, streams)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any

import pytest
from behavioralsignals.models import ProcessItem
from hypothesis import given
from hypothesis import strategies as st

from mockserver.core.clock import ManualClock
from mockserver.vendors.behavioral.processes import (
    Outcome,
    ProcessStore,
    format_datetime,
)
from mockserver.vendors.behavioral.results import InferenceResult, Prediction
from mockserver.vendors.behavioral.session import ProcessSink

T0 = dt.datetime(2026, 11, 21, 10, 0, 0, 123456, tzinfo=dt.UTC)


class WallClock:
    """A settable wall clock."""

    def __init__(self, start: dt.datetime = T0) -> None:
        self.value = start

    def __call__(self) -> dt.datetime:
        return self.value


def row(task: str = "emotion", label: str = "happy") -> InferenceResult:
    return InferenceResult(
        id="0",
        start_time="0.00",
        end_time="1.00",
        task=task,
        prediction=(Prediction(label, "0.9"),),
        final_label=label,
        level="utterance",
    )


class CountingJob:
    def __init__(self, outcome: Outcome | None = None) -> None:
        self.calls = 0
        self.outcome = outcome or Outcome.completed([row()], duration=4.25)

    def __call__(self) -> Outcome:
        self.calls += 1
        return self.outcome


def make_store(
    clock: ManualClock | None = None,
    *,
    wall: Callable[[], dt.datetime] | None = None,
    executor: Executor | None = None,
    on_error: Callable[[str, BaseException], None] | None = None,
) -> ProcessStore:
    return ProcessStore(
        clock=clock or ManualClock(),
        pending_s=1.0,
        running_s=2.0,
        wall_clock=wall or WallClock(),
        executor=executor,
        on_error=on_error,
    )


def submit(store: ProcessStore, job: Any = None, *, cid: int = 1000, ns: Any = "behavioral") -> int:
    view = store.submit(cid=cid, namespace=ns, name="a.wav", meta=None, job=job or CountingJob())
    return view.pid


class SyncExecutor(Executor):
    """Runs submitted work at once (eager mode, deterministically)."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_result(fn(*args, **kwargs))
        return future


class HeldExecutor(Executor):
    """Keeps submitted work until released (an analysis that is still running)."""

    def __init__(self) -> None:
        self.work: list[tuple[Future[Any], Callable[[], Any]]] = []

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        self.work.append((future, lambda: fn(*args, **kwargs)))
        return future

    def release(self) -> None:
        for future, call in self.work:
            future.set_result(call())
        self.work.clear()


# -- status timeline (readme.io /docs/check-the-processing-progress) ------------------------


def test_status_timeline_pending_processing_complete() -> None:
    clock = ManualClock()
    job = CountingJob()
    store = make_store(clock)
    first = store.submit(cid=1000, namespace="behavioral", name="a.wav", meta='{"k": 1}', job=job)
    assert (first.pid, first.status, first.statusmsg, first.duration) == (1, 0, "Pending", 0.0)
    clock.advance(0.999)
    assert store.get(1).status == 0  # type: ignore[union-attr]
    clock.advance(0.001)
    view = store.get(1)
    assert view is not None and (view.status, view.statusmsg) == (1, "Processing")
    clock.advance(1.999)
    assert store.get(1).status == 1  # type: ignore[union-attr]
    assert job.calls == 0  # lazy: nothing analysed before completion
    clock.advance(0.001)
    view = store.get(1)
    assert view is not None
    assert (view.status, view.statusmsg, view.duration) == (2, "Processing Complete.", 4.25)
    assert view.results == (row(),)
    assert view.meta == '{"k": 1}' and view.name == "a.wav"
    store.get(1)
    assert job.calls == 1  # once, on the first read at completion


def test_zero_durations_complete_on_first_read() -> None:
    store = ProcessStore(clock=ManualClock(), pending_s=0, running_s=0)
    view = store.submit(cid=1, namespace="detection", name=None, meta=None, job=CountingJob())
    assert view.status == 2


def test_negative_durations_are_rejected() -> None:
    with pytest.raises(ValueError):
        ProcessStore(clock=ManualClock(), pending_s=-1, running_s=0)


def test_eager_mode_runs_job_at_submission() -> None:
    clock = ManualClock()
    job = CountingJob()
    store = make_store(clock, executor=SyncExecutor())
    pid = submit(store, job)
    assert job.calls == 1
    assert store.get(pid).status == 0  # type: ignore[union-attr]
    clock.advance(3)
    assert store.get(pid).status == 2  # type: ignore[union-attr]
    assert job.calls == 1


def test_eager_mode_stays_processing_until_the_job_finishes() -> None:
    clock = ManualClock()
    executor = HeldExecutor()
    job = CountingJob()
    store = make_store(clock, executor=executor)
    pid = submit(store, job)
    clock.advance(10)
    view = store.get(pid)
    assert view is not None and view.status == 1 and job.calls == 0
    executor.release()
    assert store.get(pid).status == 2  # type: ignore[union-attr]
    assert job.calls == 1


def test_eager_job_cancelled_falls_back_to_lazy() -> None:
    clock = ManualClock()
    executor = HeldExecutor()
    job = CountingJob()
    store = make_store(clock, executor=executor)
    pid = submit(store, job)
    executor.work[0][0].cancel()
    clock.advance(3)
    assert store.get(pid).status == 2  # type: ignore[union-attr]
    assert job.calls == 1


def test_concurrent_read_while_lazy_job_runs_sees_processing() -> None:
    clock = ManualClock()
    started, finish = threading.Event(), threading.Event()

    def slow() -> Outcome:
        started.set()
        finish.wait(10)
        return Outcome.completed([], duration=1.0)

    store = make_store(clock)
    pid = submit(store, slow)
    clock.advance(3)
    seen: list[int] = []
    reader = threading.Thread(target=lambda: seen.append(store.get(pid).status))  # type: ignore[union-attr]
    reader.start()
    assert started.wait(10)
    assert store.get(pid).status == 1  # type: ignore[union-attr]
    finish.set()
    reader.join(10)
    assert seen == [2]
    assert store.get(pid).status == 2  # type: ignore[union-attr]


def test_job_exception_is_status_minus_3_and_reported() -> None:
    clock = ManualClock()
    errors: list[tuple[str, BaseException]] = []

    def broken() -> Outcome:
        raise RuntimeError("boom")

    store = make_store(clock, on_error=lambda where, exc: errors.append((where, exc)))
    pid = submit(store, broken)
    clock.advance(3)
    view = store.get(pid)
    assert view is not None
    assert (view.status, view.statusmsg) == (-3, "Server error while processing the audio")
    assert [(w, str(e)) for w, e in errors] == [("behavioral process 1", "boom")]


def test_job_failure_outcome_keeps_multiline_message_and_duration() -> None:
    clock = ManualClock()
    message = "Could not decode the audio file: bad data\nffmpeg: line 2\nffmpeg: line 3"
    store = make_store(clock)
    pid = submit(store, CountingJob(Outcome.failed(-1, message, duration=1.5)))
    clock.advance(3)
    view = store.get(pid)
    assert view is not None
    assert (view.status, view.statusmsg, view.duration, view.results) == (-1, message, 1.5, ())


# -- failure injection ---------------------------------------------------------------------


@pytest.mark.parametrize("status", [-1, -2, -3, 5])
def test_fail_next_applies_to_next_submission_only(status: int) -> None:
    clock = ManualClock()
    store = make_store(clock)
    store.fail_next(status, "Insufficient credits\nbalance: 0")
    job = CountingJob()
    failing = submit(store, job)
    fine = submit(store)
    assert store.get(failing).status == 0  # type: ignore[union-attr]
    clock.advance(1)
    assert store.get(failing).status == 1  # type: ignore[union-attr]
    clock.advance(2)
    view = store.get(failing)
    assert view is not None
    assert (view.status, view.statusmsg) == (status, "Insufficient credits\nbalance: 0")
    assert view.results == ()
    assert job.calls == 0  # an injected failure skips the analysis
    assert store.get(fine).status == 2  # type: ignore[union-attr]


def test_fail_next_does_not_affect_streams() -> None:
    store = make_store()
    store.fail_next(-1, "x")
    pid = store.open_stream(cid=1000, namespace="behavioral")
    store.close_stream(pid, results=[], duration_s=1.0)
    assert store.get(pid).status == 2  # type: ignore[union-attr]
    assert store.get(submit(store)).status == 0  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        store.fail_next(2, "completed is not a failure")


def test_set_outcome_overrides_a_completed_process() -> None:
    clock = ManualClock()
    store = make_store(clock)
    pid = submit(store)
    clock.advance(3)
    assert store.get(pid).status == 2  # type: ignore[union-attr]
    store.set_outcome(pid, -2, "Insufficient credits")
    view = store.get(pid)
    assert view is not None and (view.status, view.statusmsg) == (-2, "Insufficient credits")
    assert view.results == () and view.duration == 4.25


def test_set_outcome_on_pending_waits_for_timeline_and_skips_job() -> None:
    clock = ManualClock()
    job = CountingJob()
    store = make_store(clock)
    pid = submit(store, job)
    store.set_outcome(pid, -1, "reason")
    assert store.get(pid).status == 0  # type: ignore[union-attr]
    clock.advance(3)
    assert store.get(pid).status == -1  # type: ignore[union-attr]
    assert job.calls == 0


def test_set_outcome_errors() -> None:
    store = make_store()
    with pytest.raises(KeyError):
        store.set_outcome(99, -1, "x")
    pid = submit(store)
    for status in (0, 1, 2):
        with pytest.raises(ValueError):
            store.set_outcome(pid, status, "x")


def test_set_outcome_on_open_stream_shows_after_close() -> None:
    store = make_store()
    pid = store.open_stream(cid=1000, namespace="detection")
    store.set_outcome(pid, -3, "stream aborted")
    assert store.get(pid).status == 1  # type: ignore[union-attr]
    store.close_stream(pid, results=[row()], duration_s=2.0)
    view = store.get(pid)
    assert view is not None and (view.status, view.statusmsg) == (-3, "stream aborted")


# -- pids, namespaces, streams -----------------------------------------------------------------


def test_one_pid_counter_for_all_namespaces_and_streams_reset_restarts() -> None:
    store = make_store()
    assert submit(store, ns="behavioral") == 1
    assert store.open_stream(cid=1000, namespace="detection") == 2
    assert submit(store, ns="detection_video") == 3
    assert submit(store, ns="detection") == 4
    assert store.pids() == [1, 2, 3, 4]
    store.fail_next(-1, "x")
    store.reset()
    assert store.pids() == []
    pid = submit(store)
    assert pid == 1
    assert store.get(1).status == 0  # type: ignore[union-attr]


def test_get_checks_cid_and_namespace() -> None:
    store = make_store()
    pid = submit(store, cid=1000, ns="detection")
    assert store.get(pid) is not None
    assert store.get(pid, cid=1000, namespace="detection") is not None
    assert store.get(pid, cid=2000) is None
    assert store.get(pid, namespace="behavioral") is None
    assert store.get(pid, namespace="detection_video") is None
    assert store.get(999) is None


def test_unknown_namespace_is_rejected() -> None:
    store = make_store()
    with pytest.raises(ValueError):
        submit(store, ns="video")
    with pytest.raises(ValueError):
        store.open_stream(cid=1, namespace="detection_video")  # type: ignore[arg-type]


def test_stream_open_and_close() -> None:
    clock = ManualClock()
    wall = WallClock()
    store = make_store(clock, wall=wall)
    pid = store.open_stream(cid=1000, namespace="behavioral")
    clock.advance(100)
    view = store.get(pid, cid=1000, namespace="behavioral")
    assert view is not None and view.is_stream
    assert (view.status, view.statusmsg, view.name, view.meta, view.duration) == (
        1,
        "Processing",
        None,
        None,
        0.0,
    )
    assert view.created == T0
    store.close_stream(pid, results=[row("emotion"), row("gender", "male")], duration_s=12.5)
    view = store.get(pid)
    assert view is not None
    assert (view.status, view.statusmsg, view.duration) == (2, "Processing Complete.", 12.5)
    assert [r.task for r in view.results] == ["emotion", "gender"]
    with pytest.raises(ValueError, match="already closed"):
        store.close_stream(pid, results=[], duration_s=0)
    with pytest.raises(ValueError, match="not a stream"):
        store.close_stream(submit(store), results=[], duration_s=0)
    store.close_stream(999, results=[], duration_s=0)  # unknown (reset meanwhile): ignored


# -- ProcessItem JSON (SDK 0.7.1 models.py) ------------------------------------------------


def test_process_item_json_shape_parses_with_the_sdk_model() -> None:
    store = make_store()
    view = store.submit(
        cid=1000, namespace="behavioral", name="n", meta='{"a": 1}', job=CountingJob()
    )
    body = view.to_json()
    assert body == {
        "pid": 1,
        "cid": 1000,
        "name": "n",
        "status": 0,
        "statusmsg": "Pending",
        "duration": 0.0,
        "datetime": "2026-11-21T10:00:00.123456Z",
        "meta": '{"a": 1}',
    }
    item = ProcessItem(**body)
    assert item.datetime == T0 and item.cid == 1000 and item.is_pending


def test_format_datetime_naive_and_other_zones() -> None:
    assert format_datetime(dt.datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05.000000Z"
    plus2 = dt.timezone(dt.timedelta(hours=2))
    assert format_datetime(dt.datetime(2026, 1, 2, 3, 0, tzinfo=plus2)) == (
        "2026-01-02T01:00:00.000000Z"
    )


# -- listing (SDK 0.7.1 list_processes) ------------------------------------------------------


def dated_store() -> tuple[ProcessStore, list[int]]:
    """Processes created on 2026-03-01 23:59:59.999999, 03-02 00:00, 03-02 12:00, 03-03 00:00."""
    wall = WallClock()
    store = make_store(wall=wall)
    moments = [
        dt.datetime(2026, 3, 1, 23, 59, 59, 999999, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 2, 0, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 3, 0, 0, tzinfo=dt.UTC),
    ]
    pids = []
    for moment in moments:
        wall.value = moment
        pids.append(submit(store))
    return store, pids


def listed(store: ProcessStore, **kwargs: Any) -> list[int]:
    kwargs.setdefault("cid", 1000)
    kwargs.setdefault("namespace", "behavioral")
    return [v.pid for v in store.list_processes(**kwargs)]


def test_list_date_boundaries_start_inclusive_end_exclusive() -> None:
    store, _ = dated_store()
    assert listed(store) == [1, 2, 3, 4]
    assert listed(store, start_date=dt.date(2026, 3, 2)) == [2, 3, 4]
    assert listed(store, end_date=dt.date(2026, 3, 2)) == [1]
    assert listed(store, end_date=dt.date(2026, 3, 3)) == [1, 2, 3]
    assert listed(store, start_date=dt.date(2026, 3, 2), end_date=dt.date(2026, 3, 3)) == [2, 3]
    assert listed(store, start_date=dt.date(2026, 3, 2), end_date=dt.date(2026, 3, 2)) == []
    assert listed(store, start_date=dt.date(2026, 3, 4)) == []


def test_list_dates_use_utc_days() -> None:
    wall = WallClock(dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=3))))
    store = make_store(wall=wall)
    submit(store)  # 2026-03-01 22:00 UTC
    assert listed(store, end_date=dt.date(2026, 3, 2)) == [1]


def test_list_sort_and_pages() -> None:
    store = make_store()
    for _ in range(5):
        submit(store)
    assert listed(store, sort="desc") == [5, 4, 3, 2, 1]
    assert listed(store, page_size=2) == [1, 2]
    assert listed(store, page=1, page_size=2) == [3, 4]
    assert listed(store, page=2, page_size=2) == [5]
    assert listed(store, page=3, page_size=2) == []
    assert listed(store, page=0, page_size=2, sort="desc") == [5, 4]
    with pytest.raises(ValueError):
        listed(store, page=-1)
    with pytest.raises(ValueError):
        listed(store, page_size=0)


def test_list_filters_cid_and_namespace() -> None:
    store = make_store()
    submit(store, cid=1000, ns="behavioral")
    submit(store, cid=2000, ns="behavioral")
    submit(store, cid=1000, ns="detection")
    submit(store, cid=1000, ns="detection_video")
    store.open_stream(cid=1000, namespace="behavioral")
    assert listed(store) == [1, 5]
    assert listed(store, cid=2000) == [2]
    assert listed(store, namespace="detection") == [3]
    assert listed(store, namespace="detection_video") == [4]


def test_list_only_analyses_the_page() -> None:
    clock = ManualClock()
    store = make_store(clock)
    jobs = [CountingJob() for _ in range(4)]
    for job in jobs:
        submit(store, job)
    clock.advance(3)
    assert [
        v.status for v in store.list_processes(cid=1000, namespace="behavioral", page_size=2)
    ] == [2, 2]
    assert [j.calls for j in jobs] == [1, 1, 0, 0]


@given(
    count=st.integers(0, 30),
    page_size=st.integers(1, 8),
    sort=st.sampled_from(["asc", "desc"]),
)
def test_pages_partition_the_sorted_list(count: int, page_size: int, sort: Any) -> None:
    store = make_store()
    for _ in range(count):
        submit(store)
    pages: list[int] = []
    page = 0
    while chunk := listed(store, page=page, page_size=page_size, sort=sort):
        assert len(chunk) <= page_size
        pages.extend(chunk)
        page += 1
    expected = list(range(1, count + 1))
    assert pages == (expected if sort == "asc" else expected[::-1])


def test_stream_open_across_reset_keeps_its_pid_reserved() -> None:
    store = make_store()
    store.open_stream(cid=1000, namespace="behavioral")  # 1, closed before reset
    store.close_stream(1, results=[], duration_s=1.0)
    old = store.open_stream(cid=1000, namespace="behavioral")  # 2, open across reset
    store.reset()
    assert store.pids() == [] and store.get(old) is None
    assert [submit(store), store.open_stream(cid=1000, namespace="detection"), submit(store)] == [
        1,
        3,
        4,
    ]
    store.close_stream(old, results=[row()], duration_s=1.0)  # the old session ends
    store.set_outcome(old, -1, "Stream ended with CANCELLED")
    assert store.get(old) is None
    assert store.get(3).status == 1  # type: ignore[union-attr]
    store.reset()  # a closed stale stream frees its pid
    assert [submit(store), submit(store)] == [1, 2]


def test_store_is_the_process_sink_of_stream_sessions() -> None:

    sink: ProcessSink = make_store()  # checked by mypy; the calls below by pytest
    pid = sink.open_stream(cid=1000, namespace="behavioral")
    sink.close_stream(pid, results=[row()], duration_s=1.0)
    sink.set_outcome(pid, -1, "Stream ended with CANCELLED")
