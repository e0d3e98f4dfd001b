"""gRPC adapter (grpc.aio): pumps bidirectional streams between a call and a sans-I/O core.

Like the WebSocket adapter it decides nothing. For each call it drives one
:class:`~mockserver.core.connection.Connection` (the vendor's session and the call's
faults): it feeds decoded request messages (always on a worker thread: a message's cost
depends on its audio duration, not its size), performs the actions the connection hands
out (send a result, wait, end the call with a status, hang), sleeps until its next
deadline, and journals every message. A call a fault ends or leaves hanging is, for the
session, a lost connection.

A client's cancel is told apart from its half-close every time. grpc.aio ends the request
stream of a cancelled call like a half-close (its read merges a failed receive with the end
of the stream) and only then, one callback later, cancels the handler. So when the request
stream ends, the adapter reads once more: after a half-close that read returns the end of
the stream at once; after a cancel the handler is cancelled while it waits (both
completions are queued in order). The call's done callback journals a cancel that arrived
while a response was being written (the handler is then closed, not cancelled).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import grpc
import grpc.aio

from mockserver.core.actions import Abort, Action, Delay, Fail, Finish, Hang, Note, Send
from mockserver.core.connection import Connection, Session
from mockserver.core.limits import Ceiling
from mockserver.errors import ListenError
from mockserver.faults.connection import ConnectionFaults
from mockserver.runtime import ConnectionRecord, Runtime
from mockserver.transport import authority, client_authority, probe_port
from mockserver.transport.grpc_services import StandardServices
from mockserver.transport.overload import GRPC_OVERLOAD_STATUS, OVERLOAD_REASON

__all__ = ["GrpcEndpoint", "GrpcMethod"]

logger = logging.getLogger("mockserver.transport.grpc")


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
    new_session: Callable[[str, str], Session]


class _End:
    """The client half-closed its side of the stream."""


_END = _End()


class _CallEnd:
    """Whether the journal holds the end of one call (its status or the client's cancel)."""

    def __init__(self) -> None:
        self.journaled = False


@dataclass(frozen=True)
class _Slowed:
    """A request read late by a slow-consumer fault (journaled with its name)."""

    request: Any
    fault: str


class GrpcEndpoint:
    """Serve one gRPC service with bidirectional-streaming methods on one port.

    Args:
        vendor: Vendor name used in the journal.
        host: Loopback address to bind.
        port: Port (0 = any free port).
        service: Fully qualified service name, e.g. ``"pkg.Service"``.
        methods: The service's methods.
        runtime: Shared clock, journal, workers and failure log; its ``tls`` (if any)
            makes the port a TLS one.
        max_message_bytes: Largest accepted request (gRPC's default receive limit is 4 MiB).
        descriptors: The protobuf descriptor pool that defines ``service``, for server
            reflection (None: no reflection). The standard health service is always on.
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
        descriptors: Any | None = None,
    ) -> None:
        self.vendor = vendor
        self.host = host
        self.port = port  # replaced by the bound port after start()
        self.service = service
        self._methods = dict(methods)
        self._runtime = runtime
        self._max_message_bytes = max_message_bytes
        self._server: grpc.aio.Server | None = None
        self.standard = StandardServices(service, descriptors)  # reflection and health
        self.ceiling = Ceiling(runtime.limits.max_connections)  # live calls

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
                # a connection whose HTTP/2 preface never completes (slowloris)
                (
                    "grpc.server_handshake_timeout_ms",
                    max(1, round(self._runtime.limits.handshake_timeout_s * 1000)),
                ),
            ]
        )
        server.add_generic_rpc_handlers(
            (grpc.method_handlers_generic_handler(self.service, handlers),)
        )
        self.standard.add_to(server)
        address = authority(self.host, self.port)
        tls = self._runtime.tls
        probe_port(self.host, self.port)  # gRPC's C core would log a line and raise vaguely
        try:
            if tls is None:
                bound = server.add_insecure_port(address)
            else:
                bound = server.add_secure_port(
                    address, grpc.ssl_server_credentials([tls.key_and_chain()])
                )
        except RuntimeError as exc:  # lost a race with another process since the probe
            raise ListenError(self.host, self.port, str(exc), in_use=True) from None
        if bound == 0:
            raise ListenError(self.host, self.port, "gRPC could not bind", in_use=True)
        await server.start()
        self.port = bound
        self._server = server
        await self.standard.serving()

    async def stop(self, grace: float = 1.0) -> None:
        """Stop accepting calls; cancel the ones still running after ``grace`` seconds."""
        if self._server is not None:
            await self.standard.stopping()
            await self._server.stop(grace)
            self._server = None

    @property
    def secure(self) -> bool:
        """Whether the port speaks TLS."""
        return self._runtime.tls is not None

    @property
    def target(self) -> str:
        """``host:port`` for a client channel (a wildcard bind address as loopback)."""
        return client_authority(self.host, self.port)

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
        faults = ConnectionFaults(
            runtime.faults,
            vendor=self.vendor,
            transport="grpc",
            number=number,
            clock=runtime.clock.now,
            method=method.name,
        )
        inbox: asyncio.Queue[Any] = asyncio.Queue()
        core: Connection | None = None
        reader: asyncio.Task[None] | None = None
        loop = asyncio.get_running_loop()
        end = _CallEnd()

        def cancelled(reason: str | None = None) -> None:
            """Journal the client's cancel, unless the call's end is journaled already."""
            if not end.journaled:
                end.journaled = True
                self._journal(call_id, "in", "cancel", reason=reason)

        # The client cancelled while a response was being written (or the server stopped):
        # nothing else journaled the end of the call.
        context.add_done_callback(lambda _: cancelled())
        entered = self.ceiling.try_enter()
        try:
            if not entered:  # past capacity: refused before any session exists
                end.journaled = True
                await self._overloaded(call_id, context)
            core = Connection(method.new_session(call_id, method.name), faults)
            reader = asyncio.create_task(self._read(requests, inbox, core))
            core.start()
            hanging = False  # a fault keeps the call open, answering nothing
            while True:
                while (action := core.next_action()) is not None:
                    if isinstance(action, Finish | Abort):
                        end.journaled = True
                    async for response in self._act(method, call_id, context, action):
                        yield response
                    if isinstance(action, Finish):
                        return
                    hanging = hanging or isinstance(action, Hang)
                deadline = core.next_deadline()
                try:
                    if deadline is None:
                        item = await inbox.get()
                    else:
                        # asyncio.timeout, not wait_for: Python 3.11's wait_for drops a
                        # cancel that arrives as the queue hands over an item, and
                        # grpc.aio cancels this task exactly as the request stream ends.
                        async with asyncio.timeout(max(0.0, deadline - runtime.clock.now())):
                            item = await inbox.get()
                except TimeoutError:
                    core.tick(runtime.clock.now())
                    continue
                if item is _END:
                    if not await self._half_closed(context):
                        end.journaled = True
                        self._journal(call_id, "in", "cancel")
                        return
                    self._journal(call_id, "in", "half_close")
                    if not hanging:
                        await loop.run_in_executor(runtime.executor, core.receive_end)
                    continue
                if isinstance(item, BaseException):
                    # The request stream broke (client gone or undecodable request).
                    logger.debug("%s: request stream failed: %r", call_id, item)
                    end.journaled = True
                    self._journal(call_id, "in", "cancel", reason=repr(item))
                    return
                decoded, size = self._journal_request(method, call_id, item)
                if not hanging:
                    if not runtime.decode_budget.try_acquire(size):
                        end.journaled = True
                        await self._overloaded(call_id, context)
                    try:
                        await loop.run_in_executor(runtime.executor, core.receive, decoded)
                    finally:
                        runtime.decode_budget.release(size)
        except asyncio.CancelledError:
            cancelled()
            raise
        except GeneratorExit:  # grpc.aio stopped taking responses: the client is gone
            cancelled("the client was gone")
            raise
        except grpc.aio.AbortError:
            raise
        except Exception as exc:
            runtime.record_failure(f"{self.vendor} grpc {call_id}", exc)
            end.journaled = True
            self._journal(
                call_id, "out", "status", status="INTERNAL", reason="Internal server error."
            )
            await context.abort(grpc.StatusCode.INTERNAL, "Internal server error.")
        finally:
            if entered:
                self.ceiling.leave()
            if reader is not None:
                reader.cancel()
                with contextlib.suppress(BaseException):
                    await reader
            if core is not None:
                core.lost()
            runtime.close_connection(call_id)

    @staticmethod
    async def _half_closed(context: grpc.aio.ServicerContext[Any, Any]) -> bool:
        """After the request stream ended: True for a half-close, False for a cancel.

        A cancel raises CancelledError here (grpc.aio cancels the handler while this read
        waits) or fails the read; a half-close makes it return the end of the stream.
        """
        try:
            await context.read()
        except asyncio.CancelledError:
            raise
        except Exception:
            return False
        return True

    async def _overloaded(self, call_id: str, context: grpc.aio.ServicerContext[Any, Any]) -> None:
        """End the call with RESOURCE_EXHAUSTED (raises grpc.aio's AbortError)."""
        self._journal(call_id, "out", "status", status=GRPC_OVERLOAD_STATUS, reason=OVERLOAD_REASON)
        await context.abort(grpc.StatusCode[GRPC_OVERLOAD_STATUS], OVERLOAD_REASON)

    async def _act(
        self,
        method: GrpcMethod,
        call_id: str,
        context: grpc.aio.ServicerContext[Any, Any],
        action: Action,
    ) -> AsyncIterator[Any]:
        """Carry out one action, yielding the response to send, if any; ending with a
        status other than OK raises grpc.aio's AbortError."""
        if isinstance(action, Send):
            self._journal(
                call_id, "out", "message", data=method.describe_out(action.payload),
                fault=action.fault,
            )  # fmt: skip
            yield method.encode(action.payload)
        elif isinstance(action, Delay):
            await asyncio.sleep(action.seconds)
        elif isinstance(action, Note):  # a result a fault withheld: nothing on the wire
            self._journal(
                call_id, "out", "fault", data={action.action: action.data}, fault=action.fault
            )
        elif isinstance(action, Finish):
            self._journal(call_id, "out", "status", status=action.status, reason=action.details)
            if action.status != "OK":
                await context.abort(grpc.StatusCode[action.status], action.details)
        elif isinstance(action, Abort):
            self._journal(
                call_id, "out", "status", status=action.status, reason=action.details,
                fault=action.fault,
            )  # fmt: skip
            await context.abort(grpc.StatusCode[action.status], action.details)
        elif isinstance(action, Hang):
            # Answer nothing until grpc.aio cancels this task (client cancel, client
            # deadline, server stop) or the request stream breaks.
            self._journal(call_id, "out", "fault", data={"hang": True}, fault=action.fault)
        elif isinstance(action, Fail):
            self._runtime.record_failure(action.where, action.error)

    def _journal_request(self, method: GrpcMethod, call_id: str, item: Any) -> tuple[Any, int]:
        """Decode and journal one client message (``fault``: read late by a slow consumer);
        the decoded message and its size in bytes."""
        slowed = None
        if isinstance(item, _Slowed):
            item, slowed = item.request, item.fault
        decoded = method.decode(item)
        size = method.size(item)
        self._journal(
            call_id, "in", "message", data=method.describe_in(decoded), size=size, fault=slowed,
        )  # fmt: skip
        return decoded, size

    @staticmethod
    async def _read(
        requests: AsyncIterator[Any], inbox: asyncio.Queue[Any], core: Connection
    ) -> None:
        iterator = aiter(requests)
        try:
            while True:
                slow = core.read_delay()  # a slow consumer: real gRPC back-pressure
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
