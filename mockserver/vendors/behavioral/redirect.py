"""Point the ``behavioralsignals`` SDK, which has no URL setting, at the emulator.

Imports nothing but the standard library until entered, so it works inside an environment
that only has the vendor SDK installed.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import Any

__all__ = ["behavioral_signals_redirect"]


@contextlib.contextmanager
def behavioral_signals_redirect(
    endpoint: Any = None,
    *,
    api_url: str | None = None,
    streaming_api_url: str | None = None,
    use_ssl: bool | None = None,
) -> Iterator[None]:
    """Point the ``behavioralsignals`` SDK (0.1.1 to 0.7.1) at the emulator.

    The SDK has no URL setting: ``Client.__init__`` authenticates against the production
    host at once and sub-clients are rebuilt with default URLs. This replaces the name
    ``Configuration`` that ``behavioralsignals.base`` looks up with one whose defaults are
    the emulator's REST URL and insecure gRPC target (``behavioralsignals`` 0.7.1,
    ``base.py`` and ``configuration.py``).
    Construct clients inside the ``with`` block::

        with behavioral_signals_redirect(server.behavioral):
            client = behavioralsignals.Client(cid, token)

    Args:
        endpoint: An object with ``rest_url`` and ``grpc_target`` (e.g.
            ``MockServer().behavioral``), or None when both URLs are given.
        api_url: REST base URL including ``/v5``, e.g. ``"http://127.0.0.1:8780/v5"``.
        streaming_api_url: gRPC target ``host:port``, e.g. ``"127.0.0.1:50051"``.
        use_ssl: Whether the gRPC target speaks TLS (default: the endpoint's ``grpc_tls``,
            else no). The SDK then trusts gRPC's roots: set
            ``GRPC_DEFAULT_SSL_ROOTS_FILE_PATH`` to the emulator's CA bundle.
    """
    from behavioralsignals import base  # noqa: PLC0415  the SDK, only once entered
    from behavioralsignals.configuration import Configuration  # noqa: PLC0415  (same)

    rest = api_url or (endpoint.rest_url if endpoint is not None else None)
    grpc_target = streaming_api_url or (endpoint.grpc_target if endpoint is not None else None)
    if not rest or not grpc_target:
        raise ValueError("pass an endpoint, or both api_url and streaming_api_url")
    if use_ssl is None:
        use_ssl = bool(getattr(endpoint, "grpc_tls", False))
    module: Any = base
    original = module.Configuration
    module.Configuration = functools.partial(
        Configuration, api_url=rest, streaming_api_url=grpc_target, use_ssl=use_ssl
    )
    try:
        yield
    finally:
        module.Configuration = original
