"""The admin API's dashboard: the page at ``/ui`` and its event stream at ``/events``.

The admin router (:class:`~mockserver.admin.AdminApi`) is sans-I/O, one request in and
one response out, so it cannot stream. :class:`Dashboard` holds the aiohttp handlers that
:class:`~mockserver.admin.AdminService` registers on its HTTP endpoint before the router
(``HttpEndpoint(extra_routes=...)``):

* ``GET /ui`` (and ``/ui/``): the page; ``GET /ui/{asset}``: its script and style sheet.
  They hold no data and are served without the admin token; every piece of data comes
  from token-guarded endpoints.
* ``GET /events``: ``text/event-stream`` (Server-Sent Events), guarded by the admin token
  in the ``Authorization`` header like every other endpoint. The page reads it with
  ``fetch``, which can send that header (``EventSource`` cannot). Events, each with one
  JSON document as ``data``:

  - ``hello``: ``{"version", "seed", "token_required", "journal_entries"}``, first;
  - ``entries``: an array of journal entries (as ``GET /journal``), ``id`` = highest seq;
    first everything after ``since_seq`` (default 0: the whole journal), then new entries
    as they are recorded;
  - ``sessions``: the live connections (as ``GET /sessions``), whenever the set changes;
  - ``reset``: ``{}``, the journal was reset: forget every entry; the whole (new) journal
    follows;
  - a comment line every ``keepalive_s`` seconds.

New entries reach the stream through :class:`~mockserver.ui.hub.JournalHub`, a journal
listener that hands them to the event loop thread-safely, into a bounded buffer per
stream; a stream that falls behind catches up from the journal, and encoding runs on the
runtime's worker threads so a large journal never stalls the emulators on the same loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from aiohttp import web

from mockserver.controls import ServerControls
from mockserver.ui import ASSETS, read_asset
from mockserver.ui.hub import JournalHub, Subscriber, sse_comment, sse_event
from mockserver.version import __version__

if TYPE_CHECKING:
    from mockserver.journal import JournalEntry
    from mockserver.transport.http import ExtraRoute

__all__ = ["CONTENT_SECURITY_POLICY", "ROUTES", "Dashboard"]

#: The paths served by :class:`Dashboard` with their methods (documented in the OpenAPI
#: document next to the router's).
ROUTES: dict[str, tuple[str, ...]] = {
    "/events": ("GET",),
    "/ui": ("GET",),
    "/ui/{asset}": ("GET",),
}

#: The page may load only its own files and talk only to the server that served it.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_CHALLENGE = 'Bearer realm="mockserver-admin"'
_STATIC_HEADERS = {
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_EVENTS_PARAMS = ("since_seq",)


def _error(status: int, message: str, headers: Mapping[str, str] | None = None) -> web.Response:
    """An error in the admin API's shape: ``{"error": {"code", "message"}}``."""
    return web.json_response(
        {"error": {"code": status, "message": message}}, status=status, headers=headers
    )


class Dashboard:
    """The dashboard handlers of one admin API.

    Args:
        server: The server whose journal and connections are shown.
        token: The admin token (None: none required).
        tick_s: How often an idle stream checks for a reset, the live sessions and a
            client that went away.
        keepalive_s: Seconds between comment lines on an idle stream.
        max_pending: Entries a stream may have waiting (beyond: it catches up from the
            journal).
        batch: Entries per ``entries`` event.
    """

    def __init__(
        self,
        server: ServerControls,
        *,
        token: str | None,
        tick_s: float = 0.5,
        keepalive_s: float = 15.0,
        max_pending: int = 5000,
        batch: int = 250,
    ) -> None:
        self._server = server
        self._token = token or None  # an empty token means none
        self._tick_s = tick_s
        self._keepalive_s = keepalive_s
        self._batch = batch
        self._hub = JournalHub(server.journal, max_pending=max_pending)
        self._assets: dict[str, bytes] = {}  # file name -> content, read on first use
        self._streams: set[asyncio.Event] = set()  # one per open stream, set when it ends
        self._tasks: set[asyncio.Task[Any]] = set()  # the tasks serving open streams
        self._closing = False

    @property
    def routes(self) -> list[ExtraRoute]:
        """The aiohttp routes to register before the admin router."""
        return [
            ("GET", "/ui", self._index),
            ("GET", "/ui/", self._index),
            ("GET", "/ui/{asset}", self._asset),
            ("GET", "/events", self._events),
        ]

    @property
    def streams(self) -> int:
        """How many event streams are open."""
        return len(self._streams)

    async def close(self, timeout: float = 2.0) -> None:
        """End every event stream (before the HTTP endpoint stops)."""
        self._closing = True
        self._hub.wake_all()
        waiting = [asyncio.ensure_future(ended.wait()) for ended in self._streams]
        if waiting:
            _, late = await asyncio.wait(waiting, timeout=timeout)
            for future in late:
                future.cancel()
            if late:  # stuck writing to a client that does not read
                for task in list(self._tasks):
                    task.cancel()

    # -- static files ---------------------------------------------------------------------

    async def _index(self, request: web.Request) -> web.StreamResponse:
        return self._file(request, "index.html")

    async def _asset(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["asset"]
        if name not in ASSETS:
            files = ", ".join(sorted(ASSETS))
            return _error(404, f"No dashboard file {name!r} (files: {files})")
        return self._file(request, name)

    def _file(self, request: web.Request, name: str) -> web.Response:
        if request.query:
            unknown = sorted(request.query)[0]
            return _error(400, f"Unknown query parameter {unknown!r} on GET {request.path}")
        body = self._assets.get(name)
        if body is None:
            body = self._assets[name] = read_asset(name).encode("utf-8")
        headers = {"Content-Type": ASSETS[name], **_STATIC_HEADERS}
        if name == "index.html":
            headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return web.Response(body=body, headers=headers)

    # -- the event stream -----------------------------------------------------------------

    def _refusal(self, request: web.Request) -> web.Response | None:
        """The admin API's token rule (see :mod:`mockserver.admin`)."""
        if self._token is None:
            return None
        header = request.headers.get("Authorization")
        if not header:
            return _error(
                401,
                "This admin API requires the header 'Authorization: Bearer <token>'",
                {"WWW-Authenticate": _CHALLENGE},
            )
        scheme, _, credentials = header.strip().partition(" ")
        given = credentials.strip().encode("utf-8", "surrogatepass")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given, self._token.encode()):
            return _error(
                401,
                "Invalid admin token: expected 'Authorization: Bearer <token>' with the token "
                "the admin API was started with",
                {"WWW-Authenticate": f'{_CHALLENGE}, error="invalid_token"'},
            )
        return None

    async def _events(self, request: web.Request) -> web.StreamResponse:
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        unknown = sorted(set(request.query) - set(_EVENTS_PARAMS))
        if unknown:
            return _error(
                400,
                f"Unknown query parameter {unknown[0]!r} on GET /events (accepted: since_seq)",
            )
        since = _since(request.query.get("since_seq"))
        if since is None:
            return _error(400, "since_seq must be an integer, at least 0")
        if self._closing:
            return _error(503, "The server is stopping")
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream; charset=utf-8",
                "Cache-Control": "no-cache",
                "X-Accel-Buffering": "no",
                "X-Content-Type-Options": "nosniff",
            }
        )
        await response.prepare(request)
        loop = asyncio.get_running_loop()
        woken = asyncio.Event()

        def wake() -> None:  # any thread
            with contextlib.suppress(RuntimeError):  # a closed loop: the server is gone
                loop.call_soon_threadsafe(woken.set)

        ended = asyncio.Event()
        task = asyncio.current_task()
        self._streams.add(ended)
        if task is not None:
            self._tasks.add(task)
        subscriber = self._hub.subscribe(wake)
        try:
            await self._stream(request, response, woken, subscriber, since)
        except ConnectionError:  # the client went away: not an error
            pass
        finally:
            self._hub.unsubscribe(subscriber)
            self._streams.discard(ended)
            if task is not None:
                self._tasks.discard(task)
            ended.set()
        return response

    async def _stream(
        self,
        request: web.Request,
        response: web.StreamResponse,
        woken: asyncio.Event,
        subscriber: Subscriber,
        since: int,
    ) -> None:
        journal = self._server.journal
        hello = {
            "version": __version__,
            "seed": self._server.config.seed,
            "token_required": self._token is not None,
            "journal_entries": len(journal),
        }
        await response.write(sse_event("hello", hello))
        floor = await self._catch_up(response, since, reset_if_behind=since > 0)
        shown: tuple[str, ...] | None = None
        loop = asyncio.get_running_loop()
        quiet_since = loop.time()
        while not self._closing:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(woken.wait(), self._tick_s)
            woken.clear()
            if self._closing or request.transport is None or request.transport.is_closing():
                return
            self._hub.note_length(len(journal))
            drained = self._hub.drain(subscriber)
            wrote = False
            if drained.reset:
                await response.write(sse_event("reset", {}))
                floor = await self._catch_up(response, 0)
                wrote = True
            elif drained.overflowed:  # resend a little early: the page ignores duplicates
                floor = await self._catch_up(response, max(0, floor - 256))
                wrote = True
            else:
                fresh = [entry for entry in drained.entries if entry.seq > floor]
                if fresh:
                    await self._send_entries(response, fresh)
                    wrote = True
            sessions = self._sessions()
            key = tuple(session["id"] for session in sessions)
            if key != shown:
                await response.write(sse_event("sessions", sessions))
                shown, wrote = key, True
            now = loop.time()
            if wrote:
                quiet_since = now
            elif now - quiet_since >= self._keepalive_s:
                await response.write(sse_comment("keep-alive"))
                quiet_since = now

    async def _catch_up(
        self, response: web.StreamResponse, since: int, *, reset_if_behind: bool = False
    ) -> int:
        """Send the journal's entries after ``since``; return the highest seq sent (the floor
        below which buffered entries are duplicates)."""
        snapshot = self._server.journal.entries()
        last = snapshot[-1].seq if snapshot else 0
        if reset_if_behind and last < since:  # reset since the page last saw it
            await response.write(sse_event("reset", {}))
            since = 0
        await self._send_entries(response, [entry for entry in snapshot if entry.seq > since])
        return max(last, since)

    async def _send_entries(
        self, response: web.StreamResponse, entries: Sequence[JournalEntry]
    ) -> None:
        loop = asyncio.get_running_loop()
        executor = self._server.runtime.executor
        for start in range(0, len(entries), self._batch):
            chunk = entries[start : start + self._batch]
            data = await loop.run_in_executor(executor, _encode_entries, chunk)
            await response.write(data)

    def _sessions(self) -> list[dict[str, Any]]:
        """The live connections, as ``GET /sessions`` lists them."""
        now = self._server.runtime.clock.now()
        return [
            {
                "id": record.id,
                "vendor": record.vendor,
                "transport": record.transport,
                "age_s": round(max(0.0, now - record.opened_at), 3),
                "info": json.loads(json.dumps(record.info, default=str)),
            }
            for record in self._server.connections()
        ]


def _encode_entries(chunk: Sequence[JournalEntry]) -> bytes:
    """Worker thread: one ``entries`` event."""
    return sse_event("entries", [entry.to_json() for entry in chunk], event_id=chunk[-1].seq)


def _since(text: str | None) -> int | None:
    """``since_seq`` (absent: 0); None if it is not an integer of at least 0."""
    if text is None:
        return 0
    try:
        value = int(text)
    except ValueError:
        return None
    return value if value >= 0 else None
