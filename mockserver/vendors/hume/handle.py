"""The pytest handle of the Hume emulator (fixture ``mock_hume``; ``hume`` for one release).

The plugin builds one per test from the test's server: URLs, the API key, and official SDK
clients (``hume`` 0.13) pointed at the emulator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockserver.controls import ServerControls
from mockserver.optional import optional_import

if TYPE_CHECKING:
    from hume import AsyncHumeClient, HumeClient

    from .service import HumeEndpoint

__all__ = ["HumeHandle"]


class HumeHandle:
    """Where and how to reach the Hume emulator, plus official SDK clients built for it.

    Args:
        server: A running server with the Hume emulator enabled.
    """

    def __init__(self, server: ServerControls) -> None:
        self.server = server

    @property
    def endpoint(self) -> HumeEndpoint:
        """The emulator's :class:`~mockserver.vendors.hume.service.HumeEndpoint`."""
        endpoint: HumeEndpoint = self.server.service("hume").endpoint
        return endpoint

    @property
    def url(self) -> str:
        """WebSocket URL of ``/v0/stream/models``."""
        return self.endpoint.url

    @property
    def base_url(self) -> str:
        """``base_url`` for the Hume SDK (0.8.6 and later)."""
        return self.endpoint.base_url

    @property
    def stream_url(self) -> str:
        """``HumeClientEnvironment(stream=...)`` value."""
        return self.endpoint.stream_url

    @property
    def ws_base_uri(self) -> str:
        """``_api_ws_base_uri`` for the legacy ``HumeStreamClient``."""
        return self.endpoint.ws_base_uri

    @property
    def api_key(self) -> str:
        """The first accepted API key."""
        return self.endpoint.api_key

    @property
    def api_keys(self) -> tuple[str, ...]:
        """Every accepted API key."""
        return self.endpoint.api_keys

    @property
    def headers(self) -> dict[str, str]:
        """Handshake headers for a raw WebSocket client."""
        return {"X-Hume-Api-Key": self.api_key}

    def client(self, **kwargs: Any) -> HumeClient:
        """A ``hume.HumeClient`` for the emulator (keyword arguments are passed on)."""
        hume = optional_import("hume", extra="sdks", needed_for="HumeHandle.client()")
        options: dict[str, Any] = {"api_key": self.api_key, "base_url": self.base_url}
        client: HumeClient = hume.HumeClient(**{**options, **kwargs})
        return client

    def async_client(self, **kwargs: Any) -> AsyncHumeClient:
        """A ``hume.AsyncHumeClient`` for the emulator (keyword arguments are passed on)."""
        hume = optional_import("hume", extra="sdks", needed_for="HumeHandle.async_client()")
        options: dict[str, Any] = {"api_key": self.api_key, "base_url": self.base_url}
        client: AsyncHumeClient = hume.AsyncHumeClient(**{**options, **kwargs})
        return client

    def __repr__(self) -> str:
        return f"<HumeHandle {self.url}>"

    def close(self) -> None:
        """Nothing to release."""
