"""WebSocket adapter: pumps frames between a ``websockets`` connection and a sans-I/O session.

The adapter decides nothing about the vendor protocol. It asks the vendor's handshake gate
whether to upgrade, creates one session per connection, feeds it frames, performs the
events it queues (send, close), sleeps until its next deadline, and journals every frame.

Faults (``mockserver.faults``) are applied at the points marked ``FAULT HOOK``: the plan
decides, this adapter performs its actions and journals them with the fault's name.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Collection, Mapping
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from mockserver.core.clock import earliest
from mockserver.core.events import CloseConnection, InternalFailure, OutboundEvent, SendText
from mockserver.core.handshake import HandshakeAccept, HandshakeReject, HandshakeRequest
from mockserver.faults import Action, Close, Delay, Drop, Note, Send
from mockserver.faults.connection import ConnectionFaults
from mockserver.journal import REDACTED, redact_mapping
from mockserver.runtime import ConnectionRecord, Runtime

__all__ = ["HandshakeGate", "WebSocketEndpoint", "WebSocketSession"]

logger = logging.getLogger("mockserver.transport.ws")

#: Frames larger than this are handled on a worker thread (media decoding).
INLINE_FRAME_LIMIT = 16 * 1024


class HandshakeGate(Protocol):
    def check(self, request: HandshakeRequest) -> HandshakeAccept | HandshakeReject: ...


class WebSocketSession(Protocol):
    def receive_text(self, text: str) -> None: ...
    def receive_binary(self, data: bytes) -> None: ...
    def connection_closed(self) -> None: ...
    def next_deadline(self) -> float | None: ...
    def tick(self, now: float) -> None: ...
    def events_to_send(self) -> list[OutboundEvent]: ...


SessionFactory = Callable[[str, int, Mapping[str, Any]], WebSocketSession]


class WebSocketEndpoint:
    """Serve one vendor's WebSocket endpoint on one port.

    Args:
        vendor: Vendor name used in the journal ("hume").
        host: Loopback address to bind.
        port: Port (0 = any free port).
        gate: Decides each upgrade request.
        new_session: ``(connection_id, number, accept_context) -> session``.
        runtime: Shared clock, journal, workers and failure log.
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
        self._accepted: dict[ServerConnection, tuple[str, int, Mapping[str, Any]]] = {}

    async def start(self) -> None:
        """Bind and start serving; returns once listening."""
        self._server = await serve(
            self._handle,
            self.host,
            self.port,
            process_request=self._process_request,
            max_size=self._max_size,
            compression="deflate" if self._compression else None,
            server_header=None,
            logger=logger,
        )
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
        safe = [(k, REDACTED if k.lower() in secrets else v) for k, v in query]
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
        fault = self._runtime.faults.handshake(self.vendor, number)  # FAULT HOOK: upgrade
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
        return None

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
        session: WebSocketSession | None = None
        faults = self._runtime.faults.connection(
            self.vendor, "websocket", number, clock=self._runtime.clock.now
        )
        try:
            session = self._new_session(connection_id, number, context)
            await self._pump(connection, session, connection_id, faults)
        except Exception as exc:
            self._runtime.record_failure(f"{self.vendor} websocket {connection_id}", exc)
            with contextlib.suppress(Exception):
                await connection.close(1011, "Internal server error.")
        finally:
            if session is not None:
                session.connection_closed()
            self._runtime.close_connection(connection_id)

    async def _pump(
        self,
        connection: ServerConnection,
        session: WebSocketSession,
        connection_id: str,
        faults: ConnectionFaults,
    ) -> None:
        clock = self._runtime.clock
        loop = asyncio.get_running_loop()
        if await self._apply(connection, faults.start(), connection_id):  # FAULT HOOK: open
            return
        slow, next_read = None, True
        while True:
            if await self._perform(connection, session.events_to_send(), connection_id, faults):
                return
            if next_read:
                next_read = False
                slow = faults.read_delay()  # FAULT HOOK: slow consumer
                if slow is not None:
                    await asyncio.sleep(slow.seconds)
            deadline = earliest(session.next_deadline(), faults.next_deadline())
            try:
                if deadline is None:
                    message = await connection.recv()
                else:
                    timeout = max(0.0, deadline - clock.now())
                    message = await asyncio.wait_for(connection.recv(), timeout)
            except TimeoutError:
                session.tick(clock.now())
                if await self._apply(connection, faults.tick(clock.now()), connection_id):
                    return  # FAULT HOOK: timed triggers (after_s, idle_s)
                continue
            except ConnectionClosed as closed:
                self._journal_peer_close(closed, connection_id)
                return
            next_read = True
            self._journal_frame("in", message, connection_id, slow.fault if slow else None)
            # FAULT HOOK: triggers on what the client sent (after_audio_s)
            if faults.measures_audio:
                actions = await loop.run_in_executor(
                    self._runtime.executor, faults.inbound, message
                )
            else:
                actions = faults.inbound(message)
            if await self._apply(connection, actions, connection_id):
                return
            if isinstance(message, str):
                handler: Callable[[Any], None] = session.receive_text
            else:
                handler = session.receive_binary
            if len(message) > INLINE_FRAME_LIMIT:
                await loop.run_in_executor(self._runtime.executor, handler, message)
            else:
                handler(message)

    async def _perform(
        self,
        connection: ServerConnection,
        events: list[OutboundEvent],
        connection_id: str,
        faults: ConnectionFaults,
    ) -> bool:
        """Carry out queued events; return True once the connection is closed."""
        for event in events:
            if isinstance(event, SendText):
                # FAULT HOOK: each reply; [Send(text)] when no fault acts on it
                if await self._apply(connection, faults.outbound(event.text), connection_id):
                    return True
            elif isinstance(event, CloseConnection):
                # FAULT HOOK: an ending fault may replace the session's own close
                if await self._apply(connection, faults.end(), connection_id):
                    return True
                self._journal(connection_id, "out", "close", code=event.code, reason=event.reason)
                await connection.close(event.code, event.reason)
                return True
            elif isinstance(event, InternalFailure):
                self._runtime.record_failure(event.where, event.error)
        return False

    async def _apply(
        self, connection: ServerConnection, actions: list[Action], connection_id: str
    ) -> bool:
        """Carry out fault-plan actions (``Send`` is a plain send); True once closed."""
        for action in actions:
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
                    connection_id,
                    "out",
                    "fault",
                    data={action.action: action.data},
                    fault=action.fault,
                )
            elif isinstance(action, Close):
                self._journal(
                    connection_id,
                    "out",
                    "close",
                    code=action.code,
                    reason=action.reason,
                    fault=action.fault,
                )
                await connection.close(action.code, action.reason)
                return True
            elif isinstance(action, Drop):
                self._journal(connection_id, "out", "disconnect", fault=action.fault)
                connection.transport.abort()  # no close frame: the TCP connection just ends
                return True
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
    ) -> None:
        if isinstance(message, str):
            try:
                data: Any = json.loads(message)
            except ValueError:
                data = message
            kind, size = "text", len(message.encode("utf-8", "surrogatepass"))
        else:
            data, kind, size = message.hex()[:256], "binary", len(message)
        self._journal(connection_id, direction, kind, data=data, size=size, fault=fault)

    def _journal_peer_close(self, closed: ConnectionClosed, connection_id: str) -> None:
        received = closed.rcvd
        self._journal(
            connection_id,
            "in",
            "close" if received is not None else "disconnect",
            code=received.code if received is not None else None,
            reason=received.reason if received is not None else None,
        )
