"""HTTP adapter: serves a sans-I/O REST router over aiohttp and journals every exchange.

The adapter knows nothing about the vendor API. It parses the request (query string, JSON
body, multipart or URL-encoded form with files), runs the router's ``handler`` on the
runtime's worker threads (so decoding uploads never stalls the event loop), and writes its
:class:`~mockserver.core.http.RestResponse` as JSON. Each request gets a connection id
``<vendor>-http-<n>`` and two journal entries: ``request`` (in) and ``response`` (out).
File bytes are never journaled, only names and sizes.

The adapter's own errors use the surface's error body shape (``error_body``, given by the
vendor or the admin API): 413 (body over ``max_body``), 400 (malformed JSON or multipart),
408 (the body did not arrive within ``body_timeout_s``), 503 with ``Retry-After`` (past
the listener's ``max_connections`` requests in progress, or a body that does not fit the
server's decode budget; :mod:`.overload`) and 500 (the handler raised; also reported to
``runtime.record_failure``). A client that disconnects before its body has arrived is
journaled as a ``disconnect`` (a client abort), never as an error.

A response whose ``body`` is ``bytes`` is sent as is, with the ``Content-Type`` of its
headers (e.g. NDJSON). ``text_types`` lists request content types handed to the router
undecoded: ``RestRequest.json`` is then the body as text (e.g. YAML). ``journal=False``
keeps the endpoint out of the journal and the live connections (the admin API).
``extra_routes`` are aiohttp handlers registered before the router's catch-all, for what a
sans-I/O router cannot do (stream, serve files); they are neither journaled nor faulted.

Faults (``mockserver.faults``) are applied at the points marked ``FAULT HOOK``: an error
answer instead of the handler's, a delay before answering, and the context in which the
handler runs (so that a process it submits fails or stays pending). The response entry
of the journal names the fault.

``routes`` adds handlers for exact paths ahead of the router (e.g. WebSocket upgrades on the
same port); :meth:`HttpEndpoint.handle` is the router's aiohttp handler, for them to fall
back to.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from mockserver.core.http import RestRequest, RestResponse, UploadedFile
from mockserver.core.limits import Ceiling
from mockserver.faults.rest import HttpDecision, decide
from mockserver.journal import redact_mapping
from mockserver.runtime import ConnectionRecord, Runtime
from mockserver.transport import client_authority, listen_error, scheme
from mockserver.transport.overload import HTTP_OVERLOAD_STATUS, OVERLOAD_REASON, RETRY_AFTER_S

__all__ = ["ExtraRoute", "HttpEndpoint"]

#: ``(method, path, handler)``: an aiohttp route served before the router's catch-all.
ExtraRoute = tuple[str, str, Callable[[web.Request], Awaitable[web.StreamResponse]]]

_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")

#: An extra route: ``(method, path, handler)``.


class _BadRequest(Exception):
    """The body could not be parsed; answered with 400 by the adapter."""


@dataclass
class _Incoming:
    """What was read on the event loop; turned into a RestRequest on a worker thread."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    size: int
    raw: bytes = b""
    content_type: str = ""
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str | None, IO[bytes]]] = field(default_factory=dict)
    # every file part and every non-text field part: (name, filename, content type, data)
    parts: list[tuple[str, str | None, str | None, IO[bytes] | bytes]] = field(default_factory=list)


class HttpEndpoint:
    """Serve one vendor's REST router on one port.

    Args:
        vendor: Vendor name used in the journal and connection ids ("behavioral").
        host: Loopback address to bind (validated by the server configuration).
        port: Port (0 = any free port); :attr:`port` holds the bound port after start().
        handler: The sans-I/O router; runs on ``runtime.executor``.
        runtime: Shared clock, journal, workers and failure log; its ``tls`` (if any)
            makes the port a TLS one (``https``).
        secrets: Header, query and form names whose values are redacted in the journal.
        max_body: Largest accepted request body in bytes (larger: 413).
        text_types: Request content types passed as text in ``RestRequest.json``.
        journal: Record requests and responses in the journal and live connections.
        error_body: ``(status, message, path) -> JSON body`` of the adapter's own errors,
            in the surface's error shape.
        extra_routes: aiohttp routes matched before the router (not journaled or faulted by
            this adapter: a WebSocket upgrade, the dashboard's event stream).
    """

    def __init__(
        self,
        *,
        vendor: str,
        host: str,
        port: int,
        handler: Callable[[RestRequest], RestResponse],
        runtime: Runtime,
        secrets: Collection[str] = (),
        max_body: int,
        text_types: Collection[str] = (),
        journal: bool = True,
        error_body: Callable[[int, str, str], Any] = (
            lambda status, message, path: {"message": message}
        ),
        extra_routes: Sequence[ExtraRoute] = (),
    ) -> None:
        self.vendor = vendor
        self.host = host
        self.port = port  # replaced by the bound port after start()
        self._handler = handler
        self._runtime = runtime
        self._secrets = tuple(secrets)
        self._max_body = max_body
        self._text_types = frozenset(text_types)
        self._journal = journal
        self._error_body = error_body
        self._extra_routes = tuple(extra_routes)
        self._runner: web.AppRunner | None = None
        self.ceiling = Ceiling(runtime.limits.max_connections)  # requests in progress

    @property
    def secure(self) -> bool:
        """Whether the port speaks TLS."""
        return self._runtime.tls is not None

    @property
    def base_url(self) -> str:
        """``http://host:port`` (``https`` with TLS; bracketed for IPv6; a wildcard bind
        address as loopback)."""
        return f"{scheme('http', self.secure)}://{client_authority(self.host, self.port)}"

    async def start(self) -> None:
        """Bind and start serving; returns once listening."""
        app = web.Application(client_max_size=self._max_body)
        for method, path, route_handler in self._extra_routes:
            app.router.add_route(method, path, route_handler)
        app.router.add_route("*", "/{tail:.*}", self.handle)
        runner = web.AppRunner(
            app,
            access_log=None,
            handle_signals=False,
            # idle keep-alive connections and incomplete request headers (slowloris)
            keepalive_timeout=self._runtime.limits.keepalive_timeout_s,
            # how long the unread rest of a refused body is drained before closing
            lingering_time=min(10.0, self._runtime.limits.body_timeout_s),
        )
        await runner.setup()
        try:
            tls = self._runtime.tls
            site = web.TCPSite(
                runner,
                self.host,
                self.port,
                ssl_context=None if tls is None else tls.server_context(),
            )
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            raise listen_error(self.host, self.port, exc) from None
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop listening and wait for in-flight requests."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    # -- one request ----------------------------------------------------------------------

    def _error(self, status: int, message: str, path: str) -> RestResponse:
        """One of the adapter's own errors, in the surface's body shape."""
        return RestResponse(status, self._error_body(status, message, path))

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Serve one request through the router (journal, faults, worker thread), within
        the listener's ceiling of requests in progress and the server's decode budget."""
        number = self._runtime.next_number(f"{self.vendor}-http")
        connection_id = f"{self.vendor}-http-{number}"
        if self._journal:
            self._runtime.open_connection(
                ConnectionRecord(
                    connection_id,
                    self.vendor,
                    "http",
                    self._runtime.clock.now(),
                    {
                        "remote": request.remote or "",
                        "method": request.method,
                        "path": request.path,
                    },
                )
            )
        incoming = _Incoming(
            method=request.method,
            path=request.path,
            query={k: request.query[k] for k in request.query},
            headers={k: request.headers[k] for k in request.headers},
            size=request.content_length or 0,
        )
        entered = self.ceiling.try_enter()
        reserved = min(incoming.size, self._max_body)  # larger bodies get 413 unread
        try:
            budget = self._runtime.decode_budget
            if not entered or not budget.try_acquire(reserved):  # past capacity
                error = self._error(HTTP_OVERLOAD_STATUS, OVERLOAD_REASON, request.path)
                retry = {**error.headers, "Retry-After": str(RETRY_AFTER_S)}
                refusal = RestResponse(error.status, error.body, retry)
                return self._refuse(incoming, connection_id, refusal)
            try:
                return await self._respond(request, incoming, connection_id, number)
            finally:
                budget.release(reserved)
        finally:
            if entered:
                self.ceiling.leave()
            if self._journal:
                self._runtime.close_connection(connection_id)

    def _refuse(
        self, incoming: _Incoming, connection_id: str, error: RestResponse
    ) -> web.StreamResponse:
        """Answer an adapter error without reading the body, and close the connection."""
        self._journal_request(incoming, connection_id, {})
        self._journal_response(error, connection_id)
        response = web.Response(
            text=json.dumps(error.body),
            status=error.status,
            headers=error.headers,
            content_type="application/json",
        )
        response.force_close()
        return response

    async def _respond(
        self, request: web.Request, incoming: _Incoming, connection_id: str, number: int
    ) -> web.StreamResponse:
        # FAULT HOOK: what the active faults do to this request (vendor endpoints only)
        faults = decide(self._runtime.faults, self.vendor, number, request.method, request.path)
        timeout = self._runtime.limits.body_timeout_s
        try:
            async with asyncio.timeout(timeout):
                error = await self._read_body(request, incoming, request.path)
        except TimeoutError:  # a slow or stalled body (slowloris): 408, then close
            _close_files(incoming)
            message = f"The request body did not arrive within {timeout:g} seconds"
            return self._refuse(incoming, connection_id, self._error(408, message, request.path))
        except ConnectionError:  # the client left mid-body: a client abort, not our error
            _close_files(incoming)
            self._journal_request(incoming, connection_id, {})
            self._journal_disconnect(connection_id, "during the request body")
            return web.Response(status=400)  # never sent: the connection is gone
        text: str | bytes
        if error is not None:
            _close_files(incoming)
            self._journal_request(incoming, connection_id, {})
            self._journal_response(error, connection_id)
            response, text = error, json.dumps(error.body)
        else:
            loop = asyncio.get_running_loop()
            response, text = await loop.run_in_executor(
                self._runtime.executor, self._serve, incoming, connection_id, faults
            )
        if faults.delays:  # FAULT HOOK: a slow answer
            await asyncio.sleep(faults.delay_s)
        if isinstance(text, bytes):  # raw body; its Content-Type is in the headers
            return web.Response(body=text, status=response.status, headers=response.headers)
        return web.Response(
            text=text,
            status=response.status,
            headers=response.headers,
            content_type="application/json",
        )

    async def _read_body(
        self, request: web.Request, incoming: _Incoming, path: str
    ) -> RestResponse | None:
        """Read the body into ``incoming``; return an error response if it cannot be read."""
        try:
            if request.content_type in _FORM_TYPES and request.body_exists:
                post = await request.post()
                for name, value in post.items():
                    if isinstance(value, web.FileField):
                        incoming.files.setdefault(name, (value.filename, value.file))
                        incoming.parts.append((name, value.filename, value.content_type,
                                               value.file))  # fmt: skip
                    elif isinstance(value, (bytes, bytearray)):
                        incoming.form.setdefault(name, bytes(value).decode("utf-8", "replace"))
                        incoming.parts.append((name, None, None, bytes(value)))
                    else:
                        incoming.form.setdefault(name, str(value))
                incoming.size = max(incoming.size, request.content.total_bytes)
            elif request.body_exists:
                incoming.raw = await request.read()
                incoming.content_type = (
                    request.content_type if "Content-Type" in request.headers else ""
                )
                incoming.size = len(incoming.raw)
        except web.HTTPRequestEntityTooLarge:
            message = f"The request body exceeds the limit of {self._max_body} bytes"
            return self._error(413, message, path)
        except (ValueError, web.HTTPBadRequest, HttpProcessingError) as exc:
            return self._error(400, f"Malformed request body: {exc}", path)
        return None

    def _serve(
        self, incoming: _Incoming, connection_id: str, faults: HttpDecision
    ) -> tuple[RestResponse, str | bytes]:
        """Worker thread: finish parsing, journal, call the handler, journal and serialise
        the answer."""
        try:
            files = {
                name: UploadedFile(filename, _read_all(file), name)
                for name, (filename, file) in incoming.files.items()
            }
            parts = tuple(
                UploadedFile(filename, data if isinstance(data, bytes) else _read_all(data),
                             name, content_type)
                for name, filename, content_type, data in incoming.parts
            )  # fmt: skip
        finally:
            _close_files(incoming)
        sizes = {
            name: {"filename": f.filename, "size": len(f.content)} for name, f in files.items()
        }
        try:
            if incoming.content_type in self._text_types:
                body_json = _decode_text(incoming.raw)
            else:
                body_json = _parse_json(incoming.raw, incoming.content_type)
        except _BadRequest as exc:
            self._journal_request(incoming, connection_id, sizes)
            response = self._error(400, str(exc), incoming.path)
            self._journal_response(response, connection_id)
            return response, json.dumps(response.body)
        self._journal_request(incoming, connection_id, sizes, body_json)
        request = RestRequest(
            method=incoming.method,
            path=incoming.path,
            query=incoming.query,
            headers=incoming.headers,
            json=body_json,
            form=incoming.form,
            files=files,
            parts=parts,
        )
        if faults.reject is not None:  # FAULT HOOK: an error answer; the handler never runs
            response = RestResponse(faults.reject.status, json.loads(faults.reject.body))
            self._journal_response(response, connection_id, faults)
            return response, faults.reject.body
        text: str | bytes
        try:
            with faults.submission():  # FAULT HOOK: processes it submits fail or stay pending
                response = self._handler(request)
            body = response.body
            text = body if isinstance(body, bytes) else json.dumps(body)
        except Exception as exc:
            self._runtime.record_failure(f"{self.vendor} http {connection_id}", exc)
            response = self._error(500, "Internal server error", incoming.path)
            text = json.dumps(response.body)
        self._journal_response(response, connection_id, faults)
        return response, text

    # -- journal --------------------------------------------------------------------------

    def _journal_request(
        self,
        incoming: _Incoming,
        connection_id: str,
        files: Mapping[str, Any],
        body_json: Any = None,
    ) -> None:
        if not self._journal:
            return
        data: dict[str, Any] = {
            "method": incoming.method,
            "path": incoming.path,
            "query": redact_mapping(incoming.query, self._secrets),
            "headers": redact_mapping(incoming.headers, self._secrets),
        }
        if incoming.form:
            data["form"] = redact_mapping(incoming.form, self._secrets)
        if files:
            data["files"] = dict(files)
        if body_json is not None:
            data["json"] = body_json
        self._runtime.journal.record(
            vendor=self.vendor,
            transport="http",
            connection=connection_id,
            direction="in",
            kind="request",
            data=data,
            size=incoming.size,
        )

    def _journal_disconnect(self, connection_id: str, when: str) -> None:
        if self._journal:
            self._runtime.journal.record(
                vendor=self.vendor, transport="http", connection=connection_id,
                direction="in", kind="disconnect", reason=when,
            )  # fmt: skip

    def _journal_response(
        self, response: RestResponse, connection_id: str, faults: HttpDecision | None = None
    ) -> None:
        if not self._journal:
            return
        raw = isinstance(response.body, bytes)
        delay = faults.delay_s if faults is not None else 0.0
        self._runtime.journal.record(
            vendor=self.vendor,
            transport="http",
            connection=connection_id,
            direction="out",
            kind="response",
            code=response.status,
            data=None if raw else response.body,
            size=len(response.body) if raw else None,
            fault=faults.fault if faults is not None else None,
            meta={"delay_s": round(delay, 6)} if delay else None,
        )


def _close_files(incoming: _Incoming) -> None:
    for _, file in incoming.files.values():
        file.close()
    for *_, data in incoming.parts:
        if not isinstance(data, bytes):
            data.close()


def _read_all(file: IO[bytes]) -> bytes:
    file.seek(0)
    return file.read()


def _decode_text(raw: bytes) -> str | None:
    """A body of one of ``text_types`` as text (None when empty)."""
    if not raw:
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _BadRequest("The request body is not valid UTF-8") from None


def _parse_json(raw: bytes, content_type: str) -> Any:
    """Parse a JSON body. With a JSON content type, invalid JSON is a 400; without any
    content type, a body that is not JSON is ignored; other types are never parsed."""
    if not raw:
        return None
    declared = content_type == "application/json" or content_type.endswith("+json")
    if not declared and content_type:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        if declared:
            raise _BadRequest("The request body is not valid JSON") from None
        return None
