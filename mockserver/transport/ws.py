"""WebSocket adapter: pumps frames between a ``websockets`` connection and a sans-I/O core.

The adapter decides nothing. It asks the handshake faults and the vendor's gate whether
to upgrade, then drives one :class:`~mockserver.core.connection.Connection` (the vendor's
session and the connection's faults) per connection: read a frame, feed it, perform the
actions the connection hands out (send, wait, close, drop), sleep until its next
deadline, and journal every frame with the name of the fault that shaped it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Collection, Mapping
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from mockserver.core.actions import Action, Close, Delay, Drop, Fail, Note, Send
from mockserver.core.connection import Connection, Session
from mockserver.core.handshake import HandshakeAccept, HandshakeReject, HandshakeRequest
from mockserver.core.limits import Ceiling
from mockserver.faults.connection import ConnectionFaults
from mockserver.journal import redact_mapping, redaction_marker
from mockserver.runtime import ConnectionRecord, Runtime
from mockserver.transport import listen_error
from mockserver.transport.coalesce import CoalescingTransport
from mockserver.transport.deadline import ReadDeadline
from mockserver.transport.liblog import LibraryLogger
from mockserver.transport.overload import OVERLOAD_REASON, TRY_AGAIN_LATER, overloaded_upgrade

__all__ = ["HandshakeGate", "WebSocketEndpoint"]

logger = logging.getLogger("mockserver.transport.ws")

#: Frames larger than this are handled on a worker thread (media decoding).
INLINE_FRAME_LIMIT = 16 * 1024


def _utf8_size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


class HandshakeGate(Protocol):
    def check(self, request: HandshakeRequest) -> HandshakeAccept | HandshakeReject: ...


SessionFactory = Callable[[str, int, Mapping[str, Any]], Session]


class WebSocketEndpoint:
    """Serve one vendor's WebSocket endpoint on one port.

    Args:
        vendor: Vendor name used in the journal ("hume").
        host: Loopback address to bind.
        port: Port (0 = any free port).
        gate: Decides each upgrade request.
        new_session: ``(connection_id, number, accept_context) -> session``.
        runtime: Shared clock, journal, workers and failure log; its ``tls`` (if any)
            makes the port a TLS one (``wss``).
        secrets: Header and query-parameter names to redact in the journal.
        max_size: Largest accepted message in bytes (larger: close 1009).
        compression: Negotiate permessage-deflate.
    """

    def __init__(
        self,
        *,
        vendor: str,
        host: str,
        port: int,
        gate: HandshakeGate,
        new_session: SessionFactory,
        runtime: Runtime,
        secrets: Collection[str] = (),
        max_size: int = 16 * 1024 * 1024,
        compression: bool = False,
    ) -> None:
        self.vendor = vendor
        self.host = host
        self.port = port  # replaced by the bound port after start()
        self._gate = gate
        self._new_session = new_session
        self._runtime = runtime
        self._secrets = tuple(secrets)
        self._max_size = max_size
        self._compression = compression
        self._server: Server | None = None
        # upgrades accepted whose handler has not started yet (popped by _handle, or by
        # _handshake_lost when the client left before the connection opened)
        self._accepted: dict[ServerConnection, tuple[str, int, Mapping[str, Any]]] = {}
        self.ceiling = Ceiling(runtime.limits.max_connections)  # live connections

    async def start(self) -> None:
        """Bind and start serving; returns once listening."""
        try:
            self._server = await serve(
                self._handle,
                self.host,
                self.port,
                process_request=self._process_request,
                max_size=self._max_size,
                compression="deflate" if self._compression else None,
                server_header=None,
                logger=LibraryLogger(logger, self._secrets),
                ssl=None if self._runtime.tls is None else self._runtime.tls.server_context(),
                open_timeout=self._runtime.limits.handshake_timeout_s,
            )
        except OSError as exc:
            raise listen_error(self.host, self.port, exc) from None
        sockname = next(iter(self._server.sockets)).getsockname()
        self.port = int(sockname[1])

    async def stop(self) -> None:
        """Close every connection (1001 going away) and stop listening."""
        if self._server is not None:
            self._server.close(close_connections=True)
            await self._server.wait_closed()
            self._server = None

    # -- handshake ----------------------------------------------------------------------

    def _redacted_target(self, target: str) -> tuple[str, dict[str, str]]:
        parts = urlsplit(target)
        query = parse_qsl(parts.query, keep_blank_values=True)
        secrets = {s.lower() for s in self._secrets}
        safe = [(k, redaction_marker(v) if k.lower() in secrets else v) for k, v in query]
        return parts.path, dict(safe) if safe else {}

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        number = self._runtime.next_number(f"{self.vendor}-ws")
        connection_id = f"{self.vendor}-ws-{number}"
        path, query = self._redacted_target(request.path)
        headers = redact_mapping(dict(request.headers.raw_items()), self._secrets)
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
                    HandshakeRequest(request.path, list(request.headers.raw_items()))
                )
        except Exception as exc:
            self._runtime.record_failure(f"{self.vendor} handshake gate", exc)
            verdict = HandshakeReject(500, '{"message": "Internal server error"}')
        if isinstance(verdict, HandshakeAccept) and not self.ceiling.try_enter():
            verdict = overloaded_upgrade(self._runtime, self.vendor)  # past capacity
        if isinstance(verdict, HandshakeReject):
            response = connection.respond(verdict.status, verdict.body)
            response.headers = Headers(
                [(k, v) for k, v in response.headers.raw_items() if k.lower() != "content-type"]
            )
            response.headers["Content-Type"] = verdict.content_type
            self._journal(
                connection_id,
                "out",
                "handshake",
                code=verdict.status,
                data={"body": verdict.body},
                fault=fault.fault if fault is not None else None,
            )
            return response
        self._accepted[connection] = (connection_id, number, verdict.context)
        connection.connection_lost_waiter.add_done_callback(
            lambda _: self._handshake_lost(connection)
        )
        return None

    def _handshake_lost(self, connection: ServerConnection) -> None:
        """The TCP connection ended; if that was before the connection opened (the client
        left during the handshake), journal the abort and forget the upgrade."""
        accepted = self._accepted.pop(connection, None)
        if accepted is not None:
            self.ceiling.leave()
            self._journal(accepted[0], "in", "disconnect", reason="during the handshake")

    # -- connection ---------------------------------------------------------------------

    async def _handle(self, connection: ServerConnection) -> None:
        connection_id, number, context = self._accepted.pop(connection)
        self._journal(connection_id, "out", "handshake", code=101)
        self._runtime.open_connection(
            ConnectionRecord(
                connection_id, self.vendor, "websocket", self._runtime.clock.now(),
                {"remote": str(connection.remote_address[0]) if connection.remote_address else ""},
            )
        )  # fmt: skip
        core: Connection | None = None
        try:
            faults = ConnectionFaults(
                self._runtime.faults,
                vendor=self.vendor,
                transport="websocket",
                number=number,
                clock=self._runtime.clock.now,
            )
            core = Connection(self._new_session(connection_id, number, context), faults)
            # replies to pipelined requests leave in one write per loop turn
            connection.transport = CoalescingTransport(
                connection.transport, asyncio.get_running_loop()
            )
            await self._pump(connection, core, connection_id)
        except Exception as exc:
            self._runtime.record_failure(f"{self.vendor} websocket {connection_id}", exc)
            with contextlib.suppress(Exception):
                await connection.close(1011, "Internal server error.")
        finally:
            self.ceiling.leave()
            if core is not None:
                core.lost()
            self._runtime.close_connection(connection_id)

    async def _pump(
        self, connection: ServerConnection, core: Connection, connection_id: str
    ) -> None:
        """Read, feed, perform, sleep: until an action or the client ends the connection."""
        reads = ReadDeadline(asyncio.get_running_loop(), self._runtime.clock.now)
        try:
            await self._pump_frames(connection, core, connection_id, reads)
        finally:
            reads.close()

    async def _pump_frames(
        self,
        connection: ServerConnection,
        core: Connection,
        connection_id: str,
        reads: ReadDeadline,
    ) -> None:
        clock = self._runtime.clock
        loop = asyncio.get_running_loop()
        core.start()
        slow: Delay | None = None
        next_read = True
        while True:
            if await self._perform(connection, core, connection_id):
                return
            if next_read:
                next_read = False
                slow = core.read_delay()
                if slow is not None:
                    await asyncio.sleep(slow.seconds)
            try:
                # one lazily re-armed timer per connection, not a timeout per frame
                message = await reads.read(connection.recv, core.next_deadline())
            except TimeoutError:
                core.tick(clock.now())
                continue
            except ConnectionClosed as closed:
                self._journal_peer_close(closed, connection_id)
                return
            next_read = True
            # Media decoding (large frames, audio metering) runs on a worker thread so that
            # it never stalls other connections, within the server's decode budget. The frame
            # is journaled once the session has read it, with what it measured
            # (``meta.measures``); its replies, if any, are sent (and journaled) after that.
            costly = core.inbound_is_costly or len(message) > INLINE_FRAME_LIMIT
            budget = self._runtime.decode_budget
            if costly and not budget.try_acquire(len(message)):
                self._journal_frame("in", message, connection_id, slow.fault if slow else None)
                await self._act(connection, Close(TRY_AGAIN_LATER, OVERLOAD_REASON), connection_id)
                return
            try:
                if costly:
                    await loop.run_in_executor(self._runtime.executor, core.receive, message)
                else:
                    core.receive(message)
            finally:
                if costly:
                    budget.release(len(message))
                measures = core.take_measures()
                self._journal_frame(
                    "in", message, connection_id, slow.fault if slow else None,
                    meta={"measures": measures} if measures else None,
                )  # fmt: skip

    async def _perform(
        self, connection: ServerConnection, core: Connection, connection_id: str
    ) -> bool:
        """Carry out the connection's actions in order; True once the connection is closed."""
        while (action := core.next_action()) is not None:
            if await self._act(connection, action, connection_id):
                return True
        return False

    async def _act(self, connection: ServerConnection, action: Action, connection_id: str) -> bool:
        """Carry out one action; True once the connection is closed."""
        if isinstance(action, Send):
            try:
                await connection.send(action.payload)
            except ConnectionClosed as closed:
                self._journal_peer_close(closed, connection_id)
                return True
            self._journal_frame("out", action.payload, connection_id, action.fault)
        elif isinstance(action, Delay):
            await asyncio.sleep(action.seconds)
        elif isinstance(action, Note):
            self._journal(
                connection_id, "out", "fault", data={action.action: action.data},
                fault=action.fault,
            )  # fmt: skip
        elif isinstance(action, Close):
            self._journal(
                connection_id, "out", "close", code=action.code, reason=action.reason,
                fault=action.fault,
            )  # fmt: skip
            await connection.close(action.code, action.reason)
            return True
        elif isinstance(action, Drop):
            self._journal(connection_id, "out", "disconnect", fault=action.fault)
            connection.transport.abort()  # no close frame: the TCP connection just ends
            return True
        elif isinstance(action, Fail):
            self._runtime.record_failure(action.where, action.error)
        return False

    def _journal(self, connection_id: str, direction: Any, kind: str, **fields: Any) -> None:
        self._runtime.journal.record(
            vendor=self.vendor, transport="websocket", connection=connection_id,
            direction=direction, kind=kind, **fields,
        )  # fmt: skip

    def _journal_frame(
        self,
        direction: Any,
        message: str | bytes,
        connection_id: str,
        fault: str | None = None,
        meta: dict[str, Any] | None = None,
    ) -> None:
        if isinstance(message, str):  # parsed by the journal when read
            size = len(message) if message.isascii() else _utf8_size(message)
            self._journal(
                connection_id, direction, "text", frame_text=message, size=size, fault=fault,
                meta=meta,
            )  # fmt: skip
        else:
            self._journal(
                connection_id, direction, "binary", data=message.hex()[:256],
                size=len(message), fault=fault, meta=meta,
            )  # fmt: skip

    def _journal_peer_close(self, closed: ConnectionClosed, connection_id: str) -> None:
        received = closed.rcvd
        self._journal(
            connection_id,
            "in",
            "close" if received is not None else "disconnect",
            code=received.code if received is not None else None,
            reason=received.reason if received is not None else None,
        )
