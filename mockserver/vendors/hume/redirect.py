"""Point the Hume SDKs that hard-code the production WebSocket URL at the emulator.

:func:`hume_stream_redirect` is for SDK versions that offer no URL setting (0.7.0 to
0.8.5); newer SDKs take ``base_url``, the legacy ``HumeStreamClient`` takes
``_api_ws_base_uri``. :func:`child_environment` and :func:`post_import_hooks` are this
vendor's part of a child process's environment and start-up hook (:mod:`mockserver.child`):
the hook rewrites the production stream URL in every ``websockets`` connect function, so
an unmodified client of any supported SDK version (including a 0.13 client built without
``base_url``) reaches the emulator.

Imports nothing but the standard library (this file is also copied into a child's start-up
directory), so it works inside an environment that only has the vendor SDK installed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

__all__ = [
    "HUME_PRODUCTION_WS",
    "child_environment",
    "hume_stream_redirect",
    "post_import_hooks",
]

HUME_PRODUCTION_WS = "wss://api.hume.ai"
#: Path prefix of the streaming API on the production host (the only one emulated).
_STREAM_PREFIX = HUME_PRODUCTION_WS + "/v0/stream"
#: Modules defining a ``connect`` the SDKs call: hume 0.13.13 ``raw_client.py`` (sync:
#: ``websockets.sync.client``; async: ``websockets.legacy.client``, else ``websockets``),
#: hume 0.7-0.12 and the legacy ``HumeStreamClient`` (``websockets.connect``).
_CONNECT_MODULES = (
    "websockets",
    "websockets.client",
    "websockets.legacy.client",
    "websockets.sync.client",
    "websockets.asyncio.client",
)


def child_environment(endpoint: Any) -> dict[str, str]:
    """The variables a child process gets to reach the emulator at ``endpoint``.

    ``MOCKSERVER_HUME_URL`` (the stream URL), ``MOCKSERVER_HUME_BASE_URL`` (the SDK's
    ``base_url``), ``MOCKSERVER_HUME_API_KEY``, and ``HUME_API_KEY``, the variable Hume's
    examples read the key from (github.com/HumeAI/hume-api-examples), set to the emulator's
    key so that an unmodified example authenticates.
    """
    return {
        "MOCKSERVER_HUME_URL": endpoint.url,
        "MOCKSERVER_HUME_BASE_URL": endpoint.base_url,
        "MOCKSERVER_HUME_API_KEY": endpoint.api_key,
        "HUME_API_KEY": endpoint.api_key,
    }


def _rewriter(base: str) -> Callable[[Any], Any]:
    """``uri`` with the production stream prefix replaced by the emulator's base."""

    def rewrite(uri: Any) -> Any:
        if isinstance(uri, str) and uri.startswith(_STREAM_PREFIX):
            return base + uri[len(HUME_PRODUCTION_WS) :]
        return uri

    return rewrite


def _patch_connect(rewrite: Callable[[Any], Any]) -> Callable[[Any], None]:
    def patch(module: Any) -> None:
        original = module.__dict__.get("connect")
        if original is None or getattr(original, "_mockserver_redirect", False):
            return  # lazily imported by this version, or already patched

        def connect(uri: Any, *args: Any, **kwargs: Any) -> Any:
            return original(rewrite(uri), *args, **kwargs)

        connect._mockserver_redirect = True  # type: ignore[attr-defined]
        module.connect = connect

    return patch


def post_import_hooks(environ: Mapping[str, str]) -> dict[str, Callable[[Any], None]]:
    """Patches a child's start-up hook applies once each module is imported: every
    ``websockets`` connect function sends ``wss://api.hume.ai/v0/stream...`` to the
    emulator named by ``MOCKSERVER_HUME_BASE_URL`` (other URLs pass unchanged). Empty when
    the variable is absent."""
    base_url = environ.get("MOCKSERVER_HUME_BASE_URL", "")
    if not base_url:
        return {}
    base = "ws" + base_url.rstrip("/")[len("http") :] if base_url.startswith("http") else base_url
    patch = _patch_connect(_rewriter(base.rstrip("/")))
    return dict.fromkeys(_CONNECT_MODULES, patch)


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
