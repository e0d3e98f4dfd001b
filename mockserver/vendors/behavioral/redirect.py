"""Point the ``behavioralsignals`` SDK, which has no URL setting, at the emulator.

:func:`behavioral_signals_redirect` does it inside a ``with`` block;
:func:`child_environment` and :func:`post_import_hooks` are this vendor's part of a child
process's environment and start-up hook (:mod:`mockserver.child`), so that an unmodified
SDK client reaches the emulator.

Imports nothing but the standard library (this file is also copied into a child's start-up
directory), so it works inside an environment that only has the vendor SDK installed.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Mapping
from typing import Any

__all__ = ["behavioral_signals_redirect", "child_environment", "post_import_hooks"]


def child_environment(endpoint: Any) -> dict[str, str]:
    """The variables a child process gets to reach the emulator at ``endpoint``.

    ``MOCKSERVER_BEHAVIORAL_GRPC_TARGET`` (insecure ``host:port``),
    ``MOCKSERVER_BEHAVIORAL_REST_URL`` (including ``/v5``), ``MOCKSERVER_BEHAVIORAL_CID``,
    ``MOCKSERVER_BEHAVIORAL_TOKEN``, and the SDK's own credential variables
    ``BEHAVIORALSIGNALS_CID`` and ``BEHAVIORALSIGNALS_API_KEY`` (``behavioralsignals``
    0.6+, ``configuration.py``) set to the emulator's project. With ``--tls``, also
    ``MOCKSERVER_BEHAVIORAL_GRPC_TLS=1``: the gRPC target speaks TLS.
    """
    variables = {
        "MOCKSERVER_BEHAVIORAL_GRPC_TARGET": endpoint.grpc_target,
        "MOCKSERVER_BEHAVIORAL_REST_URL": endpoint.rest_url,
        "MOCKSERVER_BEHAVIORAL_CID": str(endpoint.cid),
        "MOCKSERVER_BEHAVIORAL_TOKEN": endpoint.token,
        "BEHAVIORALSIGNALS_CID": str(endpoint.cid),
        "BEHAVIORALSIGNALS_API_KEY": endpoint.token,
    }
    if getattr(endpoint, "grpc_tls", False):
        variables["MOCKSERVER_BEHAVIORAL_GRPC_TLS"] = "1"
    return variables


def post_import_hooks(environ: Mapping[str, str]) -> dict[str, Callable[[Any], None]]:
    """The patch a child's start-up hook applies once ``behavioralsignals.base`` is
    imported: the ``Configuration`` it builds clients with defaults to the emulator's REST
    URL and gRPC target (insecure, or TLS with ``MOCKSERVER_BEHAVIORAL_GRPC_TLS=1``), as
    :func:`behavioral_signals_redirect` does. Empty when the variables are absent."""
    rest = environ.get("MOCKSERVER_BEHAVIORAL_REST_URL", "")
    target = environ.get("MOCKSERVER_BEHAVIORAL_GRPC_TARGET", "")
    use_ssl = environ.get("MOCKSERVER_BEHAVIORAL_GRPC_TLS", "") == "1"
    if not rest or not target:
        return {}

    def patch(module: Any) -> None:
        original = module.__dict__.get("Configuration")
        if original is None or isinstance(original, functools.partial):
            return
        module.Configuration = functools.partial(
            original, api_url=rest, streaming_api_url=target, use_ssl=use_ssl
        )

    return {"behavioralsignals.base": patch}


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
    # imported here: the module itself stays standard-library only (a child start-up hook)
    from mockserver.optional import optional_import  # noqa: PLC0415

    needed_for = "behavioral_signals_redirect()"
    base = optional_import("behavioralsignals.base", extra="sdks", needed_for=needed_for)
    configuration = optional_import(
        "behavioralsignals.configuration", extra="sdks", needed_for=needed_for
    )
    Configuration = configuration.Configuration

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
