"""Wires the v1 sessions and router to one aiohttp port and describes them to users.

The SDK takes two base URLs, ``base`` (HTTP) and ``production`` (WebSocket), which name the
same host in production (``hume-expression-measurement`` 0.1.0 ``environment.py``); the
emulator serves both on one port, so ``ExpressionMeasurementClientEnvironment(
base="http://127.0.0.1:8766", production="ws://127.0.0.1:8766")`` reaches every endpoint.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mockserver.runtime import Runtime
from mockserver.transport import client_authority, scheme
from mockserver.transport.aiohttp_ws import AiohttpWebSocketEndpoint
from mockserver.transport.http import HttpEndpoint

from .config import HumeV1Settings
from .errors import fault_error_body
from .handshake import API_KEY_HEADER, AUDIO_PATH, VIDEO_PATH, HumeV1HandshakeGate
from .labels import LabelSet, resolve_labels
from .rest import AUDIO_FILE_PATH, RestApi
from .runs import RunStore
from .session import AudioSession, VideoSession

if TYPE_CHECKING:
    from aiohttp import web

__all__ = ["HumeV1Endpoint", "HumeV1Service"]


@dataclass(frozen=True)
class HumeV1Endpoint:
    """Where and how to reach the v1 emulator.

    Attributes:
        base_url: ``ExpressionMeasurementClientEnvironment(base=...)`` (HTTP).
        ws_url: ``ExpressionMeasurementClientEnvironment(production=...)`` (WebSocket).
        api_key: The first accepted API key.
        api_keys: Every accepted API key.
        port: The bound port (HTTP and WebSocket).
    """

    base_url: str
    ws_url: str
    api_key: str
    api_keys: tuple[str, ...]
    port: int

    @property
    def audio_url(self) -> str:
        """WebSocket URL of the audio realtime endpoint."""
        return self.ws_url + AUDIO_PATH

    @property
    def video_url(self) -> str:
        """WebSocket URL of the video realtime endpoint."""
        return self.ws_url + VIDEO_PATH

    def describe(self) -> str:
        """The line ``mockserver serve`` prints."""
        keys = ", ".join(self.api_keys)
        return (
            f"hume_v1     base={self.base_url}  production={self.ws_url}  API key: {keys}  "
            f"(header {API_KEY_HEADER})"
        )


def _utc_now() -> _dt.datetime:
    return _dt.datetime.now(_dt.UTC)


class HumeV1Service:
    """The Expression Measurement API v1 emulator on one port."""

    name = "hume_v1"

    def __init__(self, settings: HumeV1Settings, *, host: str, runtime: Runtime) -> None:
        self.settings = settings
        self._runtime = runtime
        self._host = host
        self.labels: LabelSet = resolve_labels(settings.labels, settings.builtin_labels)
        self.runs = RunStore(
            clock=runtime.clock,
            wall=_utc_now,
            seeds=runtime.seeds,
            silence_s=settings.run_silence_s,
            event_cap=settings.run_event_cap,
            max_runs=settings.max_runs,
        )
        self.rest = RestApi(
            settings=settings, labels=self.labels, runs=self.runs, seeds=runtime.seeds,
            wall=_utc_now,
        )  # fmt: skip
        gate = HumeV1HandshakeGate(settings.api_keys, request_id=self.rest.new_request_id)
        self._ws = AiohttpWebSocketEndpoint(
            vendor=self.name,
            gate=gate,
            new_session=self._new_session,
            runtime=runtime,
            secrets=(API_KEY_HEADER,),
            max_size=settings.max_frame_bytes,
            compression=settings.compression,
            fallback=self._not_an_upgrade,
        )
        self._http = HttpEndpoint(
            vendor=self.name,
            host=host,
            port=settings.port,
            handler=self.rest.handle,
            runtime=runtime,
            secrets=(API_KEY_HEADER,),
            max_body=settings.max_upload_bytes,
            extra_routes=[
                ("GET", AUDIO_PATH, self._ws.handle),
                ("GET", VIDEO_PATH, self._ws.handle),
            ],
            error_body=self._adapter_error,
        )

    def _adapter_error(self, status: int, message: str, path: str) -> Any:
        """The transport's own errors in the v1 body shape: an unreadable body is
        ``message_invalid``; an oversized upload is ``audio_too_long`` on the audio endpoint
        and ``image_too_large`` elsewhere."""
        body = fault_error_body(status, message)
        if status == 413 and path == AUDIO_FILE_PATH:
            body["code"] = "audio_too_long"
        elif status == 400:
            body["code"] = "message_invalid"
        body["request_id"] = self.rest.new_request_id()
        return body

    async def _not_an_upgrade(self, request: web.Request) -> web.StreamResponse:
        """A plain GET on a realtime path goes to the router (which answers 400)."""
        return await self._http.handle(request)

    def _new_session(
        self, connection_id: str, number: int, context: Mapping[str, Any]
    ) -> AudioSession | VideoSession:
        kind = AudioSession if context["endpoint"] == "audio" else VideoSession
        return kind(
            settings=self.settings,
            clock=self._runtime.clock,
            seeds=self._runtime.seeds,
            labels=self.labels,
            runs=self.runs,
            user_id=context["user_id"],
            connection_id=connection_id,
        )

    async def start(self) -> None:
        await self._http.start()

    async def stop(self) -> None:
        """Say ``server_shutdown`` to every session, then stop listening."""
        await self._ws.shutdown()
        await self._http.stop()

    def reset(self) -> None:
        """Forget runs and request numbering (open sessions keep their runs' handles)."""
        self.runs.reset()
        self.rest.reset()

    @property
    def endpoint(self) -> HumeV1Endpoint:
        port = self._http.port
        host_port = client_authority(self._host, port)
        secure = self._runtime.tls is not None
        return HumeV1Endpoint(
            base_url=f"{scheme('http', secure)}://{host_port}",
            ws_url=f"{scheme('ws', secure)}://{host_port}",
            api_key=self.settings.api_keys[0],
            api_keys=self.settings.api_keys,
            port=port,
        )

    def describe(self) -> list[str]:
        """Lines printed by ``mockserver serve``."""
        return [self.endpoint.describe()]
