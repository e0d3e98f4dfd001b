"""The echo vendor's service: one WebSocket port, a key check, sessions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mockserver.core.handshake import HandshakeAccept, HandshakeReject, HandshakeRequest
from mockserver.runtime import Runtime
from mockserver.transport import client_authority, scheme
from mockserver.transport.ws import WebSocketEndpoint

from .config import EchoSettings
from .session import EchoSession

__all__ = ["EchoEndpoint", "EchoService"]


@dataclass(frozen=True)
class EchoEndpoint:
    """Where to reach the echo API."""

    url: str
    key: str
    port: int


class _Gate:
    def __init__(self, keys: tuple[str, ...]) -> None:
        self._keys = keys

    def check(self, request: HandshakeRequest) -> HandshakeAccept | HandshakeReject:
        if request.path != "/echo":
            return HandshakeReject(404, '{"echo_error": "no such path"}')
        if request.header("X-Echo-Key") not in self._keys:
            return HandshakeReject(401, '{"echo_error": "bad key"}')
        return HandshakeAccept()


class EchoService:
    """The echo emulator."""

    name = "echo"

    def __init__(self, settings: EchoSettings, *, host: str, runtime: Runtime) -> None:
        self.settings = settings
        self._runtime = runtime
        self._host = host
        self._ws = WebSocketEndpoint(
            vendor="echo",
            host=host,
            port=settings.port,
            gate=_Gate(settings.keys),
            new_session=self._new_session,
            runtime=runtime,
            secrets=("X-Echo-Key",),
        )

    def _new_session(self, connection_id: str, number: int, context: Mapping[str, Any]) -> Any:
        return EchoSession(
            self.settings, self._runtime.clock, self._runtime.scenarios.provider("echo")
        )

    async def start(self) -> None:
        await self._ws.start()

    async def stop(self) -> None:
        await self._ws.stop()

    def reset(self) -> None:
        """Nothing kept between tests."""

    @property
    def endpoint(self) -> EchoEndpoint:
        return EchoEndpoint(
            url=(
                f"{scheme('ws', self._runtime.tls is not None)}://"
                f"{client_authority(self._host, self._ws.port)}/echo"
            ),
            key=self.settings.keys[0],
            port=self._ws.port,
        )

    def describe(self) -> list[str]:
        return [f"echo        {self.endpoint.url}  key {self.endpoint.key}"]
