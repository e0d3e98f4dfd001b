"""WebSocket adapter on aiohttp: pumps frames between a connection and a sans-I/O core.

The aiohttp counterpart of :mod:`mockserver.transport.ws`, for a vendor that serves HTTP
and WebSocket on one port (the ``websockets`` server cannot read request bodies). It is a
route handler: :class:`AiohttpWebSocketEndpoint.handle` is mounted on the vendor's
:class:`~mockserver.transport.http.HttpEndpoint` for the WebSocket paths, and hands any
request that is not an upgrade to the HTTP router (``fallback``).

Like ``ws.py`` it decides nothing: it asks the handshake faults and the vendor's gate
whether to upgrade, then drives one :class:`~mockserver.core.connection.Connection` per
connection (read a frame, feed it, perform the actions, sleep until the next deadline)
and journals every frame in and out (binary frames by size and SHA-256, never their
content). It tells the session how the connection ended (the close frame's code and
reason, or none when it was lost) and, when the server stops, lets it say goodbye first
(:meth:`~mockserver.core.connection.Connection.shutdown`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

from aiohttp import WebSocketError, WSMsgType, web

from mockserver.core.actions import Action, Close, Delay, Drop, Fail, Note, Send
from mockserver.core.connection import Connection, Session
from mockserver.core.handshake import HandshakeAccept, HandshakeReject, HandshakeRequest
from mockserver.core.limits import Ceiling
from mockserver.faults.connection import ConnectionFaults
from mockserver.journal import redact_mapping, redaction_marker
from mockserver.runtime import ConnectionRecord, Runtime
from mockserver.transport.overload import OVERLOAD_REASON, TRY_AGAIN_LATER, overloaded_upgrade

__all__ = ["AiohttpWebSocketEndpoint", "HandshakeGate"]

logger = logging.getLogger("mockserver.transport.aiohttp_ws")

#: Frames larger than this are handled on a worker thread (media decoding).
INLINE_FRAME_LIMIT = 16 * 1024
#: A close frame without a status code (RFC 6455 section 7.1.5).
NO_STATUS = 1005


class HandshakeGate(Protocol):
    def check(self, request: HandshakeRequest) -> HandshakeAccept | HandshakeReject: ...


SessionFactory = Callable[[str, int, Mapping[str, Any]], Session]
Fallback = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(eq=False)
class _Connection:
    """One live connection and what the pump knows about it."""

    request: web.Request
    ws: web.WebSocketResponse
    connection_id: str
    core: Connection | None = None
    read: asyncio.Future[Any] | None = None  # the pending ws.receive(), kept across waits
    stopping: asyncio.Event = field(default_factory=asyncio.Event)  # the server is stopping
    shutdown_sent: bool = False  # session.shutdown() was called
    ended: tuple[int, str] | None = None  # the close frame that ended it (None: lost)


class AiohttpWebSocketEndpoint:
    """Serve one vendor's WebSocket paths as aiohttp route handlers.

    Args:
        vendor: Vendor name used in the journal and connection ids ("hume_v1").
        gate: Decides each upgrade request.
        new_session: ``(connection_id, number, accept_context) -> session``.
        runtime: Shared clock, journal, workers and failure log.
        secrets: Header and query-parameter names to redact in the journal.
        max_size: Largest accepted message in bytes (larger: close 1009).
        compression: Negotiate permessage-deflate.
        fallback: Handler for requests on the same paths that are not upgrades.
        close_timeout: Seconds to wait for the client's close frame.
    """

    def __init__(
        self,
        *,
        vendor: str,
        gate: HandshakeGate,
        new_session: SessionFactory,
        runtime: Runtime,
        secrets: Collection[str] = (),
        max_size: int = 16 * 1024 * 1024,
        compression: bool = False,
        fallback: Fallback | None = None,
        close_timeout: float = 10.0,
    ) -> None:
        self.vendor = vendor
        self._gate = gate
        self._new_session = new_session
        self._runtime = runtime
        self._secrets = tuple(secrets)
        self._max_size = max_size
        self._compression = compression
        self._fallback = fallback
        self._close_timeout = close_timeout
        self._live: dict[_Connection, asyncio.Task[Any]] = {}  # connection -> handler task
        self.ceiling = Ceiling(runtime.limits.max_connections)  # live connections

    # -- handshake ----------------------------------------------------------------------

    def _redacted_target(self, target: str) -> tuple[str, dict[str, str]]:
        parts = urlsplit(target)
        query = parse_qsl(parts.query, keep_blank_values=True)
        secrets = {s.lower() for s in self._secrets}
        safe = [(k, redaction_marker(v) if k.lower() in secrets else v) for k, v in query]
        return parts.path, dict(safe)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """The route handler: upgrade (or refuse), then pump until the connection ends."""
        ws = web.WebSocketResponse(
            max_msg_size=self._max_size,
            compress=self._compression,
            timeout=self._close_timeout,
        )
        if not ws.can_prepare(request).ok:
            if self._fallback is not None:
                return await self._fallback(request)
            return web.Response(status=426, text="Upgrade Required")
        number = self._runtime.next_number(f"{self.vendor}-ws")
        connection_id = f"{self.vendor}-ws-{number}"
        path, query = self._redacted_target(request.path_qs)
        headers = redact_mapping({k: v for k, v in request.headers.items()}, self._secrets)
        self._journal(
            connection_id,
            "in",
            "handshake",
            data={"path": path, "query": query, "headers": headers},
        )
        fault = self._runtime.faults.handshake(self.vendor, number)  # faults refuse first
        try:
            if fault is not None:
                verdict: HandshakeAccept | HandshakeReject = HandshakeReject(
                    fault.status, fault.body, fault.content_type
                )
            else:
                verdict = self._gate.check(
                    HandshakeRequest(request.path_qs, list(request.headers.items()))
                )
        except Exception as exc:
            self._runtime.record_failure(f"{self.vendor} handshake gate", exc)
            verdict = HandshakeReject(500, '{"message": "Internal server error"}')
        entered = isinstance(verdict, HandshakeAccept) and self.ceiling.try_enter()
        if isinstance(verdict, HandshakeAccept) and not entered:
            verdict = overloaded_upgrade(self._runtime, self.vendor)  # past capacity
        if isinstance(verdict, HandshakeReject):
            self._journal(
                connection_id, "out", "handshake", code=verdict.status,
                data={"body": verdict.body}, fault=fault.fault if fault is not None else None,
            )  # fmt: skip
            return web.Response(
                status=verdict.status,
                body=verdict.body.encode("utf-8"),
                headers={"Content-Type": verdict.content_type},
            )
        try:
            try:
                await ws.prepare(request)
            except ConnectionError:  # the client left during the handshake
                self._journal(connection_id, "in", "disconnect", reason="during the handshake")
                # Not ``ws``: aiohttp would finish it with write_eof, which raises on a
                # half-prepared WebSocketResponse ("Call .prepare() first", logged as an
                # unhandled exception). A plain response fails quietly on the closed
                # transport, and aiohttp takes it as the client's disconnect.
                return web.Response(status=400, text="the client left during the handshake")
            self._journal(connection_id, "out", "handshake", code=101)
            return await self._serve(request, ws, connection_id, number, verdict.context)
        finally:
            self.ceiling.leave()

    # -- connection ---------------------------------------------------------------------

    async def _serve(
        self,
        request: web.Request,
        ws: web.WebSocketResponse,
        connection_id: str,
        number: int,
        context: Mapping[str, Any],
    ) -> web.WebSocketResponse:
        runtime = self._runtime
        runtime.open_connection(
            ConnectionRecord(
                connection_id, self.vendor, "websocket", runtime.clock.now(),
                {"remote": request.remote or "", "path": request.path},
            )
        )  # fmt: skip
        conn = _Connection(request, ws, connection_id)
        task = asyncio.current_task()
        if task is not None:
            self._live[conn] = task
        try:
            faults = ConnectionFaults(
                runtime.faults,
                vendor=self.vendor,
                transport="websocket",
                number=number,
                clock=runtime.clock.now,
                endpoint=context.get("endpoint"),
            )
            conn.core = Connection(self._new_session(connection_id, number, context), faults)
            await self._pump(conn, conn.core)
        except Exception as exc:
            runtime.record_failure(f"{self.vendor} websocket {connection_id}", exc)
            with contextlib.suppress(Exception):
                await self._close(conn, 1011, "Internal server error.")
        finally:
            self._live.pop(conn, None)
            self._cancel_read(conn)
            if conn.core is not None:
                code, reason = conn.ended if conn.ended is not None else (None, None)
                conn.core.lost(code, reason)
            runtime.close_connection(connection_id)
        return ws

    async def _pump(self, conn: _Connection, core: Connection) -> None:
        """Read, feed, perform, sleep: until an action or the client ends the connection."""
        clock = self._runtime.clock
        loop = asyncio.get_running_loop()
        core.start()
        stop = asyncio.ensure_future(conn.stopping.wait())
        try:
            slow: Delay | None = None
            next_read = True
            while True:
                if await self._perform(conn, core):
                    return
                if conn.stopping.is_set() and not conn.shutdown_sent:
                    conn.shutdown_sent = True
                    core.shutdown()  # the session may say goodbye first
                    continue
                if next_read:
                    next_read = False
                    slow = core.read_delay()
                    if slow is not None:
                        await asyncio.sleep(slow.seconds)
                deadline = core.next_deadline()
                if conn.read is None:
                    conn.read = asyncio.ensure_future(conn.ws.receive())
                timeout = None if deadline is None else max(0.0, deadline - clock.now())
                waiting = {conn.read} if conn.shutdown_sent else {conn.read, stop}
                done, _ = await asyncio.wait(
                    waiting, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
                )
                if conn.read not in done:
                    if stop in done and not conn.shutdown_sent:
                        continue
                    core.tick(clock.now())
                    continue
                message = conn.read.result()
                conn.read = None
                if message.type is WSMsgType.TEXT or message.type is WSMsgType.BINARY:
                    next_read = True
                    data: str | bytes = message.data
                    self._journal_frame(
                        "in", data, conn.connection_id, slow.fault if slow else None
                    )
                    # Media (large frames, audio metering) is handled on a worker thread,
                    # within the server's decode budget.
                    if core.inbound_is_costly or len(data) > INLINE_FRAME_LIMIT:
                        budget = self._runtime.decode_budget
                        if not budget.try_acquire(len(data)):
                            overloaded = Close(TRY_AGAIN_LATER, OVERLOAD_REASON)
                            await self._act(conn, overloaded)
                            return
                        try:
                            await loop.run_in_executor(self._runtime.executor, core.receive, data)
                        finally:
                            budget.release(len(data))
                    else:
                        core.receive(data)
                elif message.type is WSMsgType.CLOSE:
                    code = int(message.data) or NO_STATUS
                    conn.ended = (code, str(message.extra or ""))
                    self._journal(conn.connection_id, "in", "close", code=code,
                                  reason=str(message.extra or ""))  # fmt: skip
                    return
                else:  # CLOSING, CLOSED or ERROR: the connection is gone
                    self._peer_gone(conn, message)
                    return
        finally:
            stop.cancel()

    def _peer_gone(self, conn: _Connection, message: Any) -> None:
        """The connection ended without a close frame from the client, or aiohttp refused
        a frame and closed it itself (e.g. 1009 for a message over ``max_size``)."""
        if message.type is WSMsgType.ERROR and isinstance(message.data, WebSocketError):
            code = int(message.data.code)
            conn.ended = (code, "")
            self._journal(conn.connection_id, "out", "close", code=code, reason="")
        else:
            self._journal(conn.connection_id, "in", "disconnect")

    async def _perform(self, conn: _Connection, core: Connection) -> bool:
        """Carry out the connection's actions in order; True once the connection is closed."""
        while (action := core.next_action()) is not None:
            if await self._act(conn, action):
                return True
        return False

    async def _act(self, conn: _Connection, action: Action) -> bool:
        """Carry out one action; True once the connection is closed."""
        if isinstance(action, Send):
            try:
                if isinstance(action.payload, bytes):
                    await conn.ws.send_bytes(action.payload)
                else:
                    await conn.ws.send_str(action.payload)
            except ConnectionResetError:  # the client went away: not an internal error
                self._journal(conn.connection_id, "in", "disconnect")
                return True
            self._journal_frame("out", action.payload, conn.connection_id, action.fault)
        elif isinstance(action, Delay):
            await asyncio.sleep(action.seconds)
        elif isinstance(action, Note):
            self._journal(conn.connection_id, "out", "fault",
                          data={action.action: action.data}, fault=action.fault)  # fmt: skip
        elif isinstance(action, Close):
            self._journal(conn.connection_id, "out", "close", code=action.code,
                          reason=action.reason, fault=action.fault)  # fmt: skip
            await self._close(conn, action.code, action.reason)
            return True
        elif isinstance(action, Drop):
            self._journal(conn.connection_id, "out", "disconnect", fault=action.fault)
            self._cancel_read(conn)
            transport = conn.request.transport
            if transport is not None:
                transport.abort()  # no close frame: the TCP connection just ends
            return True
        elif isinstance(action, Fail):
            self._runtime.record_failure(action.where, action.error)
        return False

    async def _close(self, conn: _Connection, code: int, reason: str) -> None:
        """Send a close frame and wait (bounded) for the client's."""
        self._cancel_read(conn)
        conn.ended = (code, reason)
        await conn.ws.close(code=code, message=reason.encode("utf-8"))

    @staticmethod
    def _cancel_read(conn: _Connection) -> None:
        if conn.read is not None and not conn.read.done():
            conn.read.cancel()
        conn.read = None

    # -- shutdown -----------------------------------------------------------------------

    async def shutdown(self, timeout: float = 5.0) -> None:
        """Ask every session to end (it may send a last message), then wait for the
        connections to close; those still open after ``timeout`` are cancelled."""
        live = dict(self._live)
        for conn in live:
            conn.stopping.set()
        if not live:
            return
        _done, pending = await asyncio.wait(list(live.values()), timeout=timeout)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=timeout)

    # -- journal ------------------------------------------------------------------------

    def _journal(self, connection_id: str, direction: Any, kind: str, **fields: Any) -> None:
        self._runtime.journal.record(
            vendor=self.vendor, transport="websocket", connection=connection_id,
            direction=direction, kind=kind, **fields,
        )  # fmt: skip

    def _journal_frame(
        self, direction: Any, message: str | bytes, connection_id: str, fault: str | None = None
    ) -> None:
        """Text frames as parsed JSON (or the text); binary frames as size and SHA-256."""
        if isinstance(message, str):  # parsed by the journal when read
            size = len(message.encode("utf-8", "surrogatepass"))
            self._journal(
                connection_id, direction, "text", frame_text=message, size=size, fault=fault
            )
        else:
            data = {"sha256": hashlib.sha256(message).hexdigest()}
            self._journal(
                connection_id, direction, "binary", data=data, size=len(message), fault=fault
            )
