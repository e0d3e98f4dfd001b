"""Frames sent in one event-loop turn leave in one socket write, in order."""

from __future__ import annotations

import asyncio
from typing import Any

from mockserver.transport.coalesce import CoalescingTransport


class Recorder(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, Any]] = []
        self.closing = False

    def write(self, data: Any) -> None:
        self.calls.append(("write", bytes(data)))

    def write_eof(self) -> None:
        self.calls.append(("eof", None))

    def can_write_eof(self) -> bool:
        return True

    def close(self) -> None:
        self.calls.append(("close", None))
        self.closing = True

    def abort(self) -> None:
        self.calls.append(("abort", None))
        self.closing = True

    def is_closing(self) -> bool:
        return self.closing

    def get_write_buffer_size(self) -> int:
        return 5

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 1)}.get(name, default)


async def test_one_write_per_loop_turn_in_order() -> None:
    inner = Recorder()
    transport = CoalescingTransport(inner, asyncio.get_running_loop())
    transport.write(b"a")
    transport.write(b"")
    transport.writelines([b"b", bytearray(b"c")])
    assert inner.calls == [] and transport.get_write_buffer_size() == 5 + 3
    await asyncio.sleep(0)
    assert inner.calls == [("write", b"abc")]
    transport.write(b"d")
    await asyncio.sleep(0)
    assert inner.calls[-1] == ("write", b"d")
    assert transport.get_extra_info("peername") == ("127.0.0.1", 1)


async def test_closing_writes_what_is_pending_first_and_abort_drops_it() -> None:
    inner = Recorder()
    transport = CoalescingTransport(inner, asyncio.get_running_loop())
    transport.write(b"bye")
    transport.write_eof()
    transport.write(b"x")
    transport.close()
    assert inner.calls == [("write", b"bye"), ("eof", None), ("write", b"x"), ("close", None)]
    await asyncio.sleep(0)  # the scheduled flush finds nothing left
    assert len(inner.calls) == 4

    inner = Recorder()
    transport = CoalescingTransport(inner, asyncio.get_running_loop())
    transport.write(b"lost")
    transport.abort()
    await asyncio.sleep(0)
    assert inner.calls == [("abort", None)]
