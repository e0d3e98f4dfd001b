"""Point official SDKs at the emulator without editing SDK code.

Use these only for SDK versions that offer no URL setting. Newer SDKs take the URL
directly (Hume 0.8.6+: ``base_url``; legacy ``HumeStreamClient``: ``_api_ws_base_uri``).

This module imports nothing but the standard library until a redirect is entered, so it
also works inside an environment that only has the vendor SDK installed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

__all__ = ["HUME_PRODUCTION_WS", "behavioral_signals_redirect", "hume_stream_redirect"]

HUME_PRODUCTION_WS = "wss://api.hume.ai"


@contextlib.contextmanager
def hume_stream_redirect(ws_base_uri: str) -> Iterator[None]:
    """Send the Hume SDK's hard-coded ``wss://api.hume.ai`` WebSocket URLs to the emulator.

    Hume SDK 0.7.0 to 0.8.5 call ``websockets.connect("wss://api.hume.ai/v0/stream/models",
    ...)`` with no way to change the URL (hume 0.7.13 and 0.8.5
    ``expression_measurement/stream/socket_client.py``). Inside this context manager,
    ``websockets.connect`` rewrites that prefix to ``ws_base_uri`` (for example
    ``"ws://127.0.0.1:8765"``); other URLs pass through unchanged.

    Args:
        ws_base_uri: Scheme, host and port of the emulator, without a path.
    """
    import websockets

    module: Any = websockets  # the SDK's own websockets, whatever its version
    original = module.connect
    base = ws_base_uri.rstrip("/")

    def connect(uri: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(uri, str) and uri.startswith(HUME_PRODUCTION_WS):
            uri = base + uri[len(HUME_PRODUCTION_WS) :]
        return original(uri, *args, **kwargs)

    module.connect = connect
    try:
        yield
    finally:
        module.connect = original


@contextlib.contextmanager
def behavioral_signals_redirect(
    endpoint: Any = None, *, api_url: str | None = None, streaming_api_url: str | None = None
) -> Iterator[None]:
    """Point the ``behavioralsignals`` SDK (0.1.1 to 0.7.1) at the emulator.

    The SDK has no URL setting: ``Client.__init__`` authenticates against the production host at
    once and sub-clients are rebuilt with default URLs (behavioralsignals 0.7.1 ``client.py``,
    ``base.py``). This replaces the name ``Configuration`` that ``behavioralsignals.base`` looks
    up with one whose defaults are the emulator's REST URL and insecure gRPC target.
    Construct clients inside the ``with`` block::

        with behavioral_signals_redirect(server.behavioral):
            client = behavioralsignals.Client(cid, token)

    Args:
        endpoint: An object with ``rest_url`` and ``grpc_target`` (e.g.
            ``MockServer().behavioral``), or None when both URLs are given.
        api_url: REST base URL including ``/v5``, e.g. ``"http://127.0.0.1:8780/v5"``.
        streaming_api_url: gRPC target ``host:port``, e.g. ``"127.0.0.1:50051"``.
    """
    import functools

    from behavioralsignals import base
    from behavioralsignals.configuration import Configuration

    rest = api_url or (endpoint.rest_url if endpoint is not None else None)
    grpc_target = streaming_api_url or (endpoint.grpc_target if endpoint is not None else None)
    if not rest or not grpc_target:
        raise ValueError("pass an endpoint, or both api_url and streaming_api_url")
    module: Any = base
    original = module.Configuration
    module.Configuration = functools.partial(
        Configuration, api_url=rest, streaming_api_url=grpc_target, use_ssl=False
    )
    try:
        yield
    finally:
        module.Configuration = original
