"""Wires the Hume session to the WebSocket transport and describes it to users."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mockserver.runtime import Runtime
from mockserver.transport import client_authority, scheme
from mockserver.transport.ws import WebSocketEndpoint

from .config import HumeSettings
from .handshake import API_KEY_HEADER, API_KEY_QUERY_NAMES, STREAM_PATH, HumeHandshakeGate
from .session import HumeSession

__all__ = ["HumeEndpoint", "HumeService"]


@dataclass(frozen=True)
class HumeEndpoint:
    """Where and how to reach the Hume emulator (what a test or SDK needs).

    Attributes:
        url: Full WebSocket URL of the streaming endpoint.
        base_url: HTTP base URL for ``HumeClient(base_url=...)`` (SDK 0.8.6+).
        stream_url: ``environment.stream`` value for ``HumeClientEnvironment`` (SDK 0.13).
        ws_base_uri: ``_api_ws_base_uri`` for the legacy ``HumeStreamClient``.
        api_key: The first accepted API key.
        api_keys: Every accepted API key.
        port: Bound TCP port.
    """

    url: str
    base_url: str
    stream_url: str
    ws_base_uri: str
    api_key: str
    api_keys: tuple[str, ...]
    port: int


class HumeService:
    """The Hume streaming emulator on one WebSocket port."""

    name = "hume"

    def __init__(self, settings: HumeSettings, *, host: str, runtime: Runtime) -> None:
        self.settings = settings
        self._runtime = runtime
        self._host = host
        self._gate = HumeHandshakeGate(
            settings.api_keys, rate_limit=settings.handshake_rate_limit, clock=runtime.clock.now
        )
        self._endpoint = WebSocketEndpoint(
            vendor="hume",
            host=host,
            port=settings.port,
            gate=self._gate,
            new_session=self._new_session,
            runtime=runtime,
            secrets=(API_KEY_HEADER, *API_KEY_QUERY_NAMES),
            max_size=settings.max_frame_bytes,
            compression=settings.compression,
        )

    def _new_session(
        self, connection_id: str, number: int, context: Mapping[str, Any]
    ) -> HumeSession:
        return HumeSession(
            settings=self.settings,
            clock=self._runtime.clock,
            seeds=self._runtime.seeds,
            job_id=self._runtime.seeds.hex_id(16, "hume", "job", number),
            connection_id=connection_id,
            script=self._runtime.scenarios.provider("hume"),  # scenario hook
        )

    async def start(self) -> None:
        await self._endpoint.start()

    async def stop(self) -> None:
        await self._endpoint.stop()

    def reset(self) -> None:
        """Forget rate-limit history (connections keep their own state until they close)."""
        self._gate.reset()

    @property
    def endpoint(self) -> HumeEndpoint:
        port = self._endpoint.port
        host_port = client_authority(self._host, port)
        secure = self._runtime.tls is not None
        ws, http = scheme("ws", secure), scheme("http", secure)
        return HumeEndpoint(
            url=f"{ws}://{host_port}{STREAM_PATH}",
            base_url=f"{http}://{host_port}",
            stream_url=f"{ws}://{host_port}/v0/stream",
            ws_base_uri=f"{ws}://{host_port}",
            api_key=self.settings.api_keys[0],
            api_keys=self.settings.api_keys,
            port=port,
        )

    def describe(self) -> list[str]:
        """Lines printed by ``mockserver serve``."""
        ep = self.endpoint
        keys = ", ".join(ep.api_keys)
        return [
            f"hume        {ep.url}  (SDK base_url={ep.base_url})  "
            f"API key: {keys}  (header {API_KEY_HEADER} or ?apikey=)"
        ]
