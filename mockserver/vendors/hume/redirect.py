"""Point the Hume SDKs that hard-code the production WebSocket URL at the emulator.

Use this only for SDK versions that offer no URL setting (0.7.0 to 0.8.5); newer SDKs take
``base_url``, the legacy ``HumeStreamClient`` takes ``_api_ws_base_uri``. Imports nothing
but the standard library until entered, so it works inside an environment that only has
the vendor SDK installed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

__all__ = ["HUME_PRODUCTION_WS", "hume_stream_redirect"]

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
    import websockets  # noqa: PLC0415  the SDK's own websockets, only once entered

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
