"""The dashboard over real HTTP: its files at /ui and its event stream at /events."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from websockets.asyncio.client import connect

from mockserver.core.http import RestRequest, RestResponse
from mockserver.server import MockServer
from mockserver.transport.http import HttpEndpoint
from mockserver.ui import ASSETS
from mockserver.ui.dashboard import CONTENT_SECURITY_POLICY, ROUTES, Dashboard

TOKEN = "dash-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
WAIT_S = 10.0  # generous bound on waiting for an event (never a timing assertion)


class EventReader:
    """Reads one Server-Sent Events response, event by event (comments skipped); keeps
    every entry of every ``entries`` event in ``entries``."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self.response = response
        self.entries: list[dict[str, Any]] = []

    async def next(self) -> tuple[str, Any]:
        while True:
            block = await asyncio.wait_for(self.response.content.readuntil(b"\n\n"), WAIT_S)
            if not block:
                raise EOFError("the stream ended")
            fields: dict[str, str] = {}
            for line in block.decode().strip("\n").split("\n"):
                if line.startswith(":"):
                    continue
                name, _, value = line.partition(": ")
                fields[name] = value
            if fields:
                data = json.loads(fields["data"])
                if fields["event"] == "entries":
                    self.entries.extend(data)
                return fields["event"], data

    async def until(self, event: str) -> Any:
        """Skip to the next event of this type and return its data."""
        while True:
            name, data = await self.next()
            if name == event:
                return data

    async def entries_until(self, done: Any) -> list[dict[str, Any]]:
        """Read until ``done(entries)`` holds for the entries received since the last call;
        return those entries."""
        start = len(self.entries)
        while not done(self.entries[start:]):
            await self.until("entries")
        return self.entries[start:]


@pytest.fixture
async def server() -> AsyncIterator[MockServer]:
    async with MockServer(seed=2, admin_token=TOKEN, hume={"handshake_rate_limit": 0}) as server:
        yield server


async def hume_exchange(server: MockServer, text: str) -> None:
    """One request and reply on a new connection, journaled up to its close."""
    closes = server.journal.count(kind="close")
    headers = {"X-Hume-Api-Key": server.hume.api_key}
    async with connect(server.hume.url, additional_headers=headers) as ws:
        await ws.send(json.dumps({"models": {"language": {}}, "raw_text": True, "data": text}))
        await ws.recv()
    await server.journal.wait_for_async(kind="close", count=closes + 1, timeout=WAIT_S)


async def test_the_page_and_its_files_need_no_token_and_forbid_other_origins(
    server: MockServer,
) -> None:
    base = server.admin.url
    async with aiohttp.ClientSession() as http:
        for path in ("/ui", "/ui/", "/ui/index.html"):
            async with http.get(base + path) as response:
                assert response.status == 200, path
                assert response.headers["Content-Type"] == "text/html; charset=utf-8"
                assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
                page = await response.text()
                assert '<script src="/ui/app.js" defer>' in page
        for name in ("app.js", "app.css"):
            async with http.get(f"{base}/ui/{name}") as response:
                assert response.status == 200
                assert response.headers["Content-Type"] == ASSETS[name]
                assert response.headers["X-Content-Type-Options"] == "nosniff"
        async with http.get(base + "/ui/secrets.txt") as response:
            body = await response.json()
            assert response.status == 404
            assert body["error"]["message"].startswith("No dashboard file 'secrets.txt'")
        async with http.get(base + "/ui?x=1") as response:
            assert response.status == 400
        async with http.get(base + "/sessions") as response:
            assert response.status == 401  # the router's endpoints still need the token
    assert "default-src 'none'" in CONTENT_SECURITY_POLICY
    assert "connect-src 'self'" in CONTENT_SECURITY_POLICY


async def test_every_dashboard_route_is_served_by_the_dashboard(server: MockServer) -> None:
    examples = {"/events": "/events", "/ui": "/ui", "/ui/{asset}": "/ui/app.css"}
    assert set(examples) == set(ROUTES)
    async with aiohttp.ClientSession() as http:
        for path, methods in ROUTES.items():
            assert methods == ("GET",)
            async with http.get(server.admin.url + examples[path], headers=AUTH) as response:
                # the admin router answers 404 for paths it does not know: these are not its
                assert response.status == 200, path


async def test_the_event_stream_needs_the_token_in_the_authorization_header(
    server: MockServer,
) -> None:
    url = server.admin.url + "/events"
    async with aiohttp.ClientSession() as http:
        async with http.get(url) as response:
            assert response.status == 401
            assert response.headers["WWW-Authenticate"] == 'Bearer realm="mockserver-admin"'
            assert (await response.json())["error"]["code"] == 401
        async with http.get(url, headers={"Authorization": "Bearer nope"}) as response:
            assert response.status == 401
            assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
        async with http.get(url + f"?token={TOKEN}") as response:
            assert response.status == 401  # never in the URL
        async with http.get(url + "?token=x", headers=AUTH) as response:
            assert response.status == 400
            assert "Unknown query parameter 'token'" in (await response.json())["error"]["message"]
        async with http.get(url + "?since_seq=-1", headers=AUTH) as response:
            assert response.status == 400
        async with http.get(url, headers=AUTH) as response:
            assert response.status == 200
            assert response.headers["Content-Type"] == "text/event-stream; charset=utf-8"
            name, hello = await EventReader(response).next()
            assert name == "hello"
            assert hello == {
                "version": hello["version"],
                "seed": 2,
                "token_required": True,
                "journal_entries": 0,
            }


async def test_the_stream_sends_the_journal_then_live_entries_sessions_and_resets(
    server: MockServer,
) -> None:
    await hume_exchange(server, "before")
    async with (
        aiohttp.ClientSession() as http,
        http.get(server.admin.url + "/events", headers=AUTH) as response,
    ):
        events = EventReader(response)
        assert (await events.until("hello"))["journal_entries"] == len(server.journal)
        before = await events.entries_until(lambda got: len(got) >= len(server.journal))
        assert before == [entry.to_json() for entry in server.journal.entries()]
        assert await events.until("sessions") == []

        headers = {"X-Hume-Api-Key": server.hume.api_key}
        async with connect(server.hume.url, additional_headers=headers) as ws:
            sessions = await events.until("sessions")
            assert [(s["id"], s["vendor"], s["info"]["remote"]) for s in sessions] == [
                ("hume-ws-2", "hume", "127.0.0.1")
            ]
            await ws.send(json.dumps({"models": {"language": {}}, "raw_text": True, "data": "hi"}))
            await ws.recv()
            await events.entries_until(
                lambda got: any(e["kind"] == "text" and e["direction"] == "out" for e in got)
            )
        live = events.entries[len(before) :]
        assert {e["connection"] for e in live} == {"hume-ws-2"}
        assert [e["seq"] for e in live] == sorted(e["seq"] for e in live)
        assert live[0]["seq"] == before[-1]["seq"] + 1  # nothing lost, nothing repeated
        assert await events.until("sessions") == []

        server.reset()
        await hume_exchange(server, "after")
        assert await events.until("reset") == {}
        after = await events.entries_until(lambda got: any(e["kind"] == "close" for e in got))
        assert after[0]["seq"] == 1 and {e["connection"] for e in after} == {"hume-ws-1"}
    server.check()


async def test_since_seq_resumes_and_a_reset_journal_starts_over(server: MockServer) -> None:
    await hume_exchange(server, "one")
    total = len(server.journal)
    async with aiohttp.ClientSession() as http:
        url = server.admin.url + "/events?since_seq=3"
        async with http.get(url, headers=AUTH) as response:
            events = EventReader(response)
            resumed = await events.entries_until(lambda got: len(got) >= total - 3)
            assert [e["seq"] for e in resumed] == list(range(4, total + 1))
        url = server.admin.url + f"/events?since_seq={total + 50}"  # the page saw a longer one
        async with http.get(url, headers=AUTH) as response:
            events = EventReader(response)
            assert (await events.next())[0] == "hello"
            assert (await events.next())[0] == "reset"
            again = await events.entries_until(lambda got: len(got) >= total)
            assert [e["seq"] for e in again] == list(range(1, total + 1))


@pytest.fixture
async def own_dashboard() -> AsyncIterator[tuple[MockServer, Dashboard, str]]:
    """A dashboard with a tiny buffer, on an HttpEndpoint of its own (the extra_routes hook
    in front of a router that answers 404 to everything else)."""

    def router(request: RestRequest) -> RestResponse:
        return RestResponse(404, {"error": {"code": 404, "message": f"router: {request.path}"}})

    async with MockServer(admin_enabled=False, behavioral={"enabled": False}) as server:
        dashboard = Dashboard(server, token=None, max_pending=2, batch=3, tick_s=0.05)
        endpoint = HttpEndpoint(
            vendor="dash",
            host="127.0.0.1",
            port=0,
            handler=router,
            runtime=server.runtime,
            max_body=1024,
            journal=False,
            extra_routes=dashboard.routes,
        )
        await endpoint.start()
        try:
            yield server, dashboard, endpoint.base_url
        finally:
            await dashboard.close()
            await endpoint.stop()


async def test_extra_routes_come_before_the_router(
    own_dashboard: tuple[MockServer, Dashboard, str],
) -> None:
    _, _, base = own_dashboard
    async with aiohttp.ClientSession() as http:
        async with http.get(base + "/ui/app.js") as response:
            assert response.status == 200
        async with http.get(base + "/elsewhere") as response:
            assert (await response.json())["error"]["message"] == "router: /elsewhere"
        async with http.post(base + "/ui") as response:
            assert response.status == 404  # another method falls through to the router


async def test_a_stream_that_falls_behind_catches_up_from_the_journal(
    own_dashboard: tuple[MockServer, Dashboard, str],
) -> None:
    server, _, base = own_dashboard
    async with aiohttp.ClientSession() as http, http.get(base + "/events") as response:
        events = EventReader(response)
        await events.until("sessions")  # caught up with the (empty) journal
        for _ in range(40):  # on the loop, so the stream cannot drain: it overflows
            server.journal.record(
                vendor="hume", transport="websocket", connection="c", direction="in", kind="x"
            )
        got = await events.entries_until(lambda got: len({e["seq"] for e in got}) >= 40)
        assert {e["seq"] for e in got} == set(range(1, 41))  # duplicates allowed, no gaps


async def test_a_client_that_goes_away_is_unsubscribed(
    own_dashboard: tuple[MockServer, Dashboard, str],
) -> None:
    server, dashboard, base = own_dashboard
    own = list(server.journal._listeners)  # the runtime's connection tally
    async with aiohttp.ClientSession() as http:
        async with http.get(base + "/events") as response:
            await EventReader(response).until("sessions")
            assert dashboard.streams == 1 and len(server.journal._listeners) == len(own) + 1
        # the connection is closed; the stream notices at its next tick
        for _ in range(400):
            if dashboard.streams == 0:
                break
            await asyncio.sleep(0.025)
    assert dashboard.streams == 0
    assert server.journal._listeners == own


async def test_stopping_the_admin_api_ends_open_streams(server: MockServer) -> None:
    admin = server.service("admin")
    async with (
        aiohttp.ClientSession() as http,
        http.get(server.admin.url + "/events", headers=AUTH) as response,
    ):
        events = EventReader(response)
        await events.until("sessions")
        assert admin.dashboard.streams == 1
        await asyncio.wait_for(admin.stop(), WAIT_S)
        with pytest.raises((EOFError, aiohttp.ClientPayloadError, asyncio.IncompleteReadError)):
            await events.next()
    assert admin.dashboard.streams == 0
