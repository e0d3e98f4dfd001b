"""ReadDeadline: a read ends with TimeoutError once its deadline passes, one timer per
connection re-armed lazily, cancellations from elsewhere still propagate."""

from __future__ import annotations

import asyncio

import pytest

from mockserver.transport.deadline import ReadDeadline


def _reader(loop: asyncio.AbstractEventLoop) -> tuple[ReadDeadline, asyncio.Queue[str]]:
    return ReadDeadline(loop, loop.time), asyncio.Queue()


async def test_a_read_before_its_deadline_returns_the_message() -> None:
    loop = asyncio.get_running_loop()
    reads, inbox = _reader(loop)
    inbox.put_nowait("hello")
    assert await reads.read(inbox.get, loop.time() + 10) == "hello"
    assert await reads.read(lambda: asyncio.sleep(0, "no deadline"), None) == "no deadline"
    reads.close()


async def test_a_read_past_its_deadline_times_out_and_loses_no_message() -> None:
    loop = asyncio.get_running_loop()
    reads, inbox = _reader(loop)
    with pytest.raises(TimeoutError):
        await reads.read(inbox.get, loop.time() + 0.01)
    inbox.put_nowait("late")  # the queue is still usable: the cancelled get took nothing
    assert await reads.read(inbox.get, loop.time() + 10) == "late"
    reads.close()


async def test_a_deadline_moved_later_rearms_instead_of_interrupting() -> None:
    loop = asyncio.get_running_loop()
    reads, inbox = _reader(loop)
    inbox.put_nowait("first")
    assert await reads.read(inbox.get, loop.time() + 0.02) == "first"
    armed = reads._handle
    assert armed is not None  # the first deadline's timer is still armed
    loop.call_later(0.08, inbox.put_nowait, "second")  # after the first deadline
    assert await reads.read(inbox.get, loop.time() + 30) == "second"
    assert reads._handle is not None and reads._handle is not armed  # re-armed once
    assert reads._armed_for > loop.time() + 20
    reads.close()
    assert reads._handle is None


async def test_a_deadline_moved_earlier_rearms_earlier() -> None:
    loop = asyncio.get_running_loop()
    reads, inbox = _reader(loop)
    inbox.put_nowait("first")
    await reads.read(inbox.get, loop.time() + 30)
    read = asyncio.create_task(reads.read(inbox.get, loop.time() + 0.01))
    done, _ = await asyncio.wait([read], timeout=5)  # a bound, not a speed check
    assert read in done, "the earlier deadline was not armed"
    assert isinstance(read.exception(), TimeoutError)
    reads.close()


async def test_a_cancel_from_elsewhere_is_not_a_timeout() -> None:
    loop = asyncio.get_running_loop()
    reads, inbox = _reader(loop)
    task = asyncio.create_task(reads.read(inbox.get, loop.time() + 30))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    reads.close()


async def test_a_cancel_that_races_the_deadline_still_propagates() -> None:
    loop = asyncio.get_running_loop()
    reads, inbox = _reader(loop)
    task = asyncio.create_task(reads.read(inbox.get, loop.time()))  # due at once
    await asyncio.sleep(0)  # the read starts and arms its timer
    reads._fire()  # the timer fires (the deadline has passed) and cancels the read...
    task.cancel()  # ...and something else cancels the task in the same loop turn
    with pytest.raises(asyncio.CancelledError):
        await task
    reads.close()
