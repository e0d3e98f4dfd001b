"""mockserver.redirect points hard-coded production URLs at the emulator."""

from __future__ import annotations

import json

import websockets

from mockserver.redirect import hume_stream_redirect
from mockserver.server import MockServer


async def test_hume_stream_redirect_rewrites_only_the_production_prefix() -> None:
    original = websockets.connect
    async with MockServer() as server:
        headers = {"X-Hume-Api-Key": server.hume.api_key}
        with hume_stream_redirect(server.hume.ws_base_uri):
            assert websockets.connect is not original
            async with websockets.connect(
                "wss://api.hume.ai/v0/stream/models", additional_headers=headers
            ) as ws:
                await ws.send('{"job_details": true}')
                assert "job_details" in json.loads(await ws.recv())
            async with websockets.connect(server.hume.url, additional_headers=headers) as ws:
                await ws.send('{"reset_stream": true}')
                assert json.loads(await ws.recv()) == {}
    assert websockets.connect is original
