"""Point an unmodified ``hume-expression-measurement`` client at the v1 emulator.

This vendor's part of a child process's environment and start-up hook
(:mod:`mockserver.child`). The SDK takes its URLs from
``ExpressionMeasurementClientEnvironment.PRODUCTION`` unless the caller passes another
environment (``hume-expression-measurement`` 0.1.0, ``environment.py`` and
``client.py``); the hook points that default object at the emulator.

Imports nothing but the standard library (this file is copied into a child's start-up
directory), so it works inside an environment that only has the vendor SDK installed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["child_environment", "post_import_hooks"]


def child_environment(endpoint: Any) -> dict[str, str]:
    """The variables a child process gets to reach the v1 emulator at ``endpoint``:
    ``MOCKSERVER_HUME_V1_BASE_URL`` (HTTP), ``MOCKSERVER_HUME_V1_WS_URL`` (WebSocket),
    ``MOCKSERVER_HUME_V1_API_KEY``, and ``HUME_API_KEY`` (the SDK's default key,
    ``client.py``) set to the emulator's key."""
    return {
        "MOCKSERVER_HUME_V1_BASE_URL": endpoint.base_url,
        "MOCKSERVER_HUME_V1_WS_URL": endpoint.ws_url,
        "MOCKSERVER_HUME_V1_API_KEY": endpoint.api_key,
        "HUME_API_KEY": endpoint.api_key,
    }


def post_import_hooks(environ: Mapping[str, str]) -> dict[str, Callable[[Any], None]]:
    """The patch applied once ``hume_expression_measurement.environment`` is imported: its
    ``PRODUCTION`` environment names the emulator. Empty when the variables are absent."""
    base = environ.get("MOCKSERVER_HUME_V1_BASE_URL", "")
    ws = environ.get("MOCKSERVER_HUME_V1_WS_URL", "")
    if not base or not ws:
        return {}

    def patch(module: Any) -> None:
        environment = getattr(module, "ExpressionMeasurementClientEnvironment", None)
        production = getattr(environment, "PRODUCTION", None)
        if production is not None:
            production.base = base
            production.production = ws

    return {"hume_expression_measurement.environment": patch}
