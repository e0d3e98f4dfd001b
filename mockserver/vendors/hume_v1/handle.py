"""The pytest handle of the Hume v1 emulator (fixture ``mock_hume_v1``; ``hume_v1`` for one
release): URLs, the API key, and clients of the official ``hume-expression-measurement``
SDK (0.1.0) pointed at the emulator.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING, Any

from mockserver.controls import ServerControls
from mockserver.optional import optional_import

if TYPE_CHECKING:
    from hume_expression_measurement import (
        AsyncExpressionMeasurementClient,
        ExpressionMeasurementClient,
        ExpressionMeasurementClientEnvironment,
    )

    from .service import HumeV1Endpoint

__all__ = ["HumeV1Handle"]


class HumeV1Handle:
    """Where and how to reach the Hume Expression Measurement API v1 emulator, plus clients
    of the official ``hume-expression-measurement`` SDK built for it.

    Args:
        server: A running server with the v1 emulator enabled.
    """

    def __init__(self, server: ServerControls) -> None:
        self.server = server

    @property
    def endpoint(self) -> HumeV1Endpoint:
        """The emulator's :class:`~mockserver.vendors.hume_v1.service.HumeV1Endpoint`."""
        endpoint: HumeV1Endpoint = self.server.service("hume_v1").endpoint
        return endpoint

    @property
    def base_url(self) -> str:
        """``ExpressionMeasurementClientEnvironment(base=...)``: the HTTP base URL."""
        return self.endpoint.base_url

    @property
    def ws_url(self) -> str:
        """``ExpressionMeasurementClientEnvironment(production=...)``: the WebSocket base."""
        return self.endpoint.ws_url

    @property
    def api_key(self) -> str:
        """The first accepted API key."""
        return self.endpoint.api_key

    @property
    def headers(self) -> dict[str, str]:
        """Handshake and request headers for a raw client."""
        return {"X-Hume-Api-Key": self.api_key}

    def environment(self) -> ExpressionMeasurementClientEnvironment:
        """The SDK environment naming the emulator (both bases on one port)."""
        sdk = _sdk("HumeV1Handle.environment()")
        environment: ExpressionMeasurementClientEnvironment = (
            sdk.ExpressionMeasurementClientEnvironment(base=self.base_url, production=self.ws_url)
        )
        return environment

    def client(self, **kwargs: Any) -> ExpressionMeasurementClient:
        """An ``ExpressionMeasurementClient`` for the emulator (keyword arguments are passed
        on)."""
        sdk = _sdk("HumeV1Handle.client()")
        options: dict[str, Any] = {"api_key": self.api_key, "environment": self.environment()}
        client: ExpressionMeasurementClient = sdk.ExpressionMeasurementClient(
            **{**options, **kwargs}
        )
        return client

    def async_client(self, **kwargs: Any) -> AsyncExpressionMeasurementClient:
        """An ``AsyncExpressionMeasurementClient`` for the emulator."""
        sdk = _sdk("HumeV1Handle.async_client()")
        options: dict[str, Any] = {"api_key": self.api_key, "environment": self.environment()}
        client: AsyncExpressionMeasurementClient = sdk.AsyncExpressionMeasurementClient(
            **{**options, **kwargs}
        )
        return client

    def __repr__(self) -> str:
        return f"<HumeV1Handle base={self.base_url} production={self.ws_url}>"

    def close(self) -> None:
        """Nothing to release."""


def _sdk(needed_for: str) -> ModuleType:
    """The official ``hume-expression-measurement`` SDK (extra ``sdks``)."""
    return optional_import("hume_expression_measurement", extra="sdks", needed_for=needed_for)
