"""gRPC adapter (grpc.aio): pumps bidirectional streams between a call and a sans-I/O session.

Like the WebSocket adapter it decides nothing about the vendor protocol. For each call it
creates a session, feeds it decoded request messages (on a worker thread when a message is
large), performs the events it queues (send a message, end the call with a status), sleeps
until its next deadline, tells it when the client half-closes or cancels, and journals
every message and status.

Faults (``mockserver.faults``) are applied at the points marked ``FAULT HOOK``: the plan
decides, this adapter performs its actions and journals them with the fault's name. A
call a fault ends or leaves hanging is, for the session, a cancelled call.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import grpc
import grpc.aio

from mockserver.core.clock import earliest
from mockserver.core.events import EndCall, InternalFailure, OutboundEvent, SendMessage
from mockserver.faults import Abort, Action, Delay, Hang, Send
from mockserver.faults.connection import ConnectionFaults
from mockserver.runtime import ConnectionRecord, Runtime
from mockserver.transport import authority

__all__ = ["GrpcEndpoint", "GrpcMethod", "StreamSession"]

logger = logging.getLogger("mockserver.transport.grpc")


class StreamSession(Protocol):
    def receive(self, message: Any) -> None: ...
    def receive_end(self) -> None: ...
    def cancel(self) -> None: ...
    def next_deadline(self) -> float | None: ...
    def tick(self, now: float) -> None: ...
    def events_to_send(self) -> list[OutboundEvent]: ...


@dataclass(frozen=True)
class GrpcMethod:
    """One bidirectional-streaming method and how to convert its messages.

    Args:
        name: Method name, e.g. ``"StreamAudio"``.
        deserialize: Wire bytes -> request protobuf.
        serialize: Response protobuf -> wire bytes.
        decode: Request protobuf -> the session's message type.
        encode: The session's outbound message -> response protobuf.
        describe_in: Session message -> journal data (secrets redacted, audio summarised).
        describe_out: Session outbound message -> journal data.
        size: Request protobuf -> its size in bytes.
        new_session: ``(call_id, method_name) -> session``.
    """

    name: str
    deserialize: Callable[[bytes], Any]
    serialize: Callable[[Any], bytes]
    decode: Callable[[Any], Any]
    encode: Callable[[Any], Any]
    describe_in: Callable[[Any], Any]
    describe_out: Callable[[Any], Any]
    size: Callable[[Any], int]
    new_session: Callable[[str, str], StreamSession]


class _End:
    """The client half-closed its side of the stream."""


_END = _End()


@dataclass(frozen=True)
class _Slowed:
    """A request read late by a slow-consumer fault (journaled with its name)."""

    request: Any
    fault: str


class _RequestsBroke(Exception):
    """The request stream failed while a fault held the call (the client is gone)."""


class GrpcEndpoint:
    """Serve one gRPC service with bidirectional-streaming methods on one port.

    Args:
        vendor: Vendor name used in the journal.
        host: Loopback address to bind.
        port: Port (0 = any free port).
        service: Fully qualified service name, e.g. ``"pkg.Service"``.
        methods: The service's methods.
        runtime: Shared clock, journal, workers and failure log.
        max_message_bytes: Largest accepted request (gRPC's default receive limit is 4 MiB).
    """

    def __init__(
        self,
        *,
        vendor: str,
        host: str,
        port: int,
        service: str,
        methods: Mapping[str, GrpcMethod],
        runtime: Runtime,
        max_message_bytes: int = 4 * 1024 * 1024,
    ) -> None:
        self.vendor = vendor
        self.host = host
        self.port = port  # replaced by the bound port after start()
        self.service = service
        self._methods = dict(methods)
        self._runtime = runtime
        self._max_message_bytes = max_message_bytes
        self._server: grpc.aio.Server | None = None

    async def start(self) -> None:
        """Bind and start serving; returns once listening."""
        handlers = {
            name: grpc.stream_stream_rpc_method_handler(
                self._handler(method),
                request_deserializer=method.deserialize,
                response_serializer=method.serialize,
            )
            for name, method in self._methods.items()
        }
        server = grpc.aio.server(
            options=[
                ("grpc.max_receive_message_length", self._max_message_bytes),
                ("grpc.so_reuseport", 0),
                # Bursts of new streams beyond 1000 are otherwise cancelled (perf-notes).
                ("grpc.server.max_pending_requests", 3000),
                ("grpc.server.max_pending_requests_hard_limit", 3000),
            ]
        )
        server.add_generic_rpc_handlers(
            (grpc.method_handlers_generic_handler(self.service, handlers),)
        )
        bound = server.add_insecure_port(self.target)
        if bound == 0:
            raise OSError(f"cannot bind gRPC port {self.host}:{self.port}")
        await server.start()
        self.port = bound
        self._server = server

    async def stop(self, grace: float = 1.0) -> None:
        """Stop accepting calls; cancel the ones still running after ``grace`` seconds."""
        if self._server is not None:
            await self._server.stop(grace)
            self._server = None

    @property
    def target(self) -> str:
        return authority(self.host, self.port)

    # -- calls ----------------------------------------------------------------------------

    def _handler(
        self, method: GrpcMethod
    ) -> Callable[[AsyncIterator[Any], grpc.aio.ServicerContext[Any, Any]], AsyncIterator[Any]]:
        async def handle(
            requests: AsyncIterator[Any], context: grpc.aio.ServicerContext[Any, Any]
        ) -> AsyncIterator[Any]:
            async for response in self._serve_call(method, requests, context):
                yield response

        return handle

    def _journal(self, call_id: str, direction: Any, kind: str, **fields: Any) -> None:
        self._runtime.journal.record(
            vendor=self.vendor, transport="grpc", connection=call_id, direction=direction,
            kind=kind, **fields,
        )  # fmt: skip

    async def _serve_call(
        self,
        method: GrpcMethod,
        requests: AsyncIterator[Any],
        context: grpc.aio.ServicerContext[Any, Any],
    ) -> AsyncIterator[Any]:
        runtime = self._runtime
        number = runtime.next_number(self.vendor + "-grpc")
        call_id = f"{self.vendor}-grpc-{number}"
        self._journal(call_id, "in", "call", data={"method": f"/{self.service}/{method.name}"})
        runtime.open_connection(
            ConnectionRecord(
                call_id,
                self.vendor,
                "grpc",
                runtime.clock.now(),
                {"method": method.name, "remote": _peer_host(context)},
            )
        )
        faults = runtime.faults.connection(
            self.vendor, "grpc", number, clock=runtime.clock.now, method=method.name
        )
        inbox: asyncio.Queue[Any] = asyncio.Queue()
        reader = asyncio.create_task(self._read(requests, inbox, faults))
        loop = asyncio.get_running_loop()
        session: StreamSession | None = None
        finished = False
        fault_actions = faults.start()  # FAULT HOOK: faults due when the call opens
        try:
            session = method.new_session(call_id, method.name)
            while True:
                # FAULT HOOK: faults triggered by the client or the clock (end or hang)
                async for response in self._apply(method, call_id, context, fault_actions, inbox):
                    yield response
                fault_actions = []
                for event in session.events_to_send():
                    if isinstance(event, SendMessage):
                        # FAULT HOOK: each result; [Send(message)] when no fault acts on it
                        actions = faults.outbound(event.message)
                        async for response in self._apply(method, call_id, context, actions, inbox):
                            yield response
                    elif isinstance(event, EndCall):
                        finished = True
                        # FAULT HOOK: an ending fault may replace the final status
                        async for response in self._apply(
                            method, call_id, context, faults.end(), inbox
                        ):
                            yield response
                        await self._end(context, call_id, event)
                        return
                    elif isinstance(event, InternalFailure):
                        runtime.record_failure(event.where, event.error)
                deadline = earliest(session.next_deadline(), faults.next_deadline())
                try:
                    if deadline is None:
                        item = await inbox.get()
                    else:
                        timeout = max(0.0, deadline - runtime.clock.now())
                        item = await asyncio.wait_for(inbox.get(), timeout)
                except TimeoutError:
                    session.tick(runtime.clock.now())
                    fault_actions = faults.tick(runtime.clock.now())  # FAULT HOOK: timers
                    continue
                if item is _END:
                    # A client cancel can end the request stream like a half-close; when
                    # grpc.aio already knows, it cancels this task at the next await.
                    await asyncio.sleep(0)
                    if context.cancelled():
                        raise asyncio.CancelledError
                    self._journal(call_id, "in", "half_close")
                    await loop.run_in_executor(runtime.executor, session.receive_end)
                    continue
                if isinstance(item, BaseException):
                    # The request stream broke (client gone or undecodable request).
                    logger.debug("%s: request stream failed: %r", call_id, item)
                    self._journal(call_id, "in", "cancel", reason=repr(item))
                    return
                decoded = self._journal_request(method, call_id, item)
                fault_actions = faults.inbound(decoded)  # FAULT HOOK: e.g. after_audio_s
                if fault_actions:
                    continue  # the call ends (or hangs) before the session sees the message
                # Always on a worker: the cost of a message depends on its audio duration,
                # not its size (a low sample rate expands a small chunk enormously).
                await loop.run_in_executor(runtime.executor, session.receive, decoded)
        except asyncio.CancelledError:
            self._journal(call_id, "in", "cancel")
            raise
        except _RequestsBroke as broke:
            self._journal(call_id, "in", "cancel", reason=repr(broke.args[0]))
        except grpc.aio.AbortError:
            raise
        except Exception as exc:
            runtime.record_failure(f"{self.vendor} grpc {call_id}", exc)
            self._journal(
                call_id, "out", "status", status="INTERNAL", reason="Internal server error."
            )
            finished = True
            await context.abort(grpc.StatusCode.INTERNAL, "Internal server error.")
        finally:
            reader.cancel()
            with contextlib.suppress(BaseException):
                await reader
            if session is not None and not finished:
                session.cancel()
            runtime.close_connection(call_id)

    async def _end(
        self, context: grpc.aio.ServicerContext[Any, Any], call_id: str, event: EndCall
    ) -> None:
        self._journal(call_id, "out", "status", status=event.status, reason=event.details)
        if event.status != "OK":
            await context.abort(grpc.StatusCode[event.status], event.details)

    async def _apply(
        self,
        method: GrpcMethod,
        call_id: str,
        context: grpc.aio.ServicerContext[Any, Any],
        actions: list[Action],
        inbox: asyncio.Queue[Any],
    ) -> AsyncIterator[Any]:
        """Carry out fault-plan actions, yielding the responses to send (``Send`` is a
        plain send); an ``Abort`` raises grpc.aio's AbortError."""
        for action in actions:
            if isinstance(action, Send):
                self._journal(
                    call_id, "out", "message", data=method.describe_out(action.payload),
                    fault=action.fault,
                )  # fmt: skip
                yield method.encode(action.payload)
            elif isinstance(action, Delay):
                await asyncio.sleep(action.seconds)
            elif isinstance(action, Abort):
                self._journal(
                    call_id, "out", "status", status=action.status, reason=action.details,
                    fault=action.fault,
                )  # fmt: skip
                await context.abort(grpc.StatusCode[action.status], action.details)
            elif isinstance(action, Hang):
                await self._hang(method, call_id, inbox, action.fault)

    async def _hang(
        self, method: GrpcMethod, call_id: str, inbox: asyncio.Queue[Any], fault: str
    ) -> None:
        """Answer nothing, ignore half-close, until grpc.aio cancels this task (client
        cancel, client deadline, server stop) or the request stream breaks."""
        self._journal(call_id, "out", "fault", data={"hang": True}, fault=fault)
        while True:
            item = await inbox.get()
            if isinstance(item, BaseException):
                raise _RequestsBroke(item)
            if item is _END:
                self._journal(call_id, "in", "half_close")
                continue
            self._journal_request(method, call_id, item)

    def _journal_request(self, method: GrpcMethod, call_id: str, item: Any) -> Any:
        """Decode and journal one client message (``fault``: read late by a slow consumer)."""
        slowed = None
        if isinstance(item, _Slowed):
            item, slowed = item.request, item.fault
        decoded = method.decode(item)
        self._journal(
            call_id, "in", "message", data=method.describe_in(decoded), size=method.size(item),
            fault=slowed,
        )  # fmt: skip
        return decoded

    @staticmethod
    async def _read(
        requests: AsyncIterator[Any], inbox: asyncio.Queue[Any], faults: ConnectionFaults
    ) -> None:
        iterator = aiter(requests)
        try:
            while True:
                slow = faults.read_delay()  # FAULT HOOK: slow consumer (real back-pressure)
                if slow is not None:
                    await asyncio.sleep(slow.seconds)
                try:
                    request = await anext(iterator)
                except StopAsyncIteration:
                    break
                await inbox.put(request if slow is None else _Slowed(request, slow.fault))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            await inbox.put(exc)
            return
        await inbox.put(_END)


def _peer_host(context: grpc.aio.ServicerContext[Any, Any]) -> str:
    """The client's address from ``context.peer()`` (``ipv4:127.0.0.1:5000`` -> ``127.0.0.1``,
    ``ipv6:[::1]:5000`` -> ``::1``); empty if unknown."""
    try:
        peer = context.peer() or ""
    except Exception:  # the call is already gone
        return ""
    address = peer.partition(":")[2]
    host = address.rpartition(":")[0] or address
    return host.strip("[]")
