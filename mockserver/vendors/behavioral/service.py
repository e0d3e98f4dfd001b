"""Wires the Behavioral Signals sessions to gRPC and the REST router to HTTP.

One process store (one pid counter) is shared by streams and batch uploads, so every
stream is a process the REST API lists and returns results for (readme.io
/docs/real-time-deepfake-detection: past stream results are retrieved by pid).
"""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from mockserver._generated.behavioral_signals import api_pb2
from mockserver.journal import MISSING, REDACTED
from mockserver.runtime import Runtime
from mockserver.transport.grpc_aio import GrpcEndpoint, GrpcMethod
from mockserver.transport.http import HttpEndpoint

from .codec import (
    AudioStreamData,
    MalformedAudioStream,
    decode_audio_stream,
    encode_stream_result,
    parse_audio_stream,
)
from .config import BehavioralSettings
from .errors import rest_error_body
from .processes import ProcessStore
from .projects import Project, ProjectRegistry
from .rest import AUTH_TOKEN_HEADER, EngineAnalyzer, RestApi
from .results import StreamResult
from .session import StreamSession
from .slots import StreamSlots

__all__ = ["SERVICE_NAME", "BehavioralEndpoint", "BehavioralService"]

SERVICE_NAME = "behavioral_api.grpc.v1.BehavioralStreamingApi"


@dataclass(frozen=True)
class BehavioralEndpoint:
    """Where and how to reach the Behavioral Signals emulator.

    Attributes:
        grpc_target: ``host:port`` for ``Configuration(streaming_api_url=...)``.
        rest_url: REST base including ``/v5`` for ``Configuration(api_url=...)``.
        base_url: REST root (``/status``).
        cid: The first project's id.
        token: The first project's API token.
        projects: Every accepted project.
        grpc_port: Bound gRPC port.
        rest_port: Bound REST port.
        grpc_tls: Whether the gRPC port speaks TLS (``Configuration(use_ssl=...)``).
    """

    grpc_target: str
    rest_url: str
    base_url: str
    cid: int
    token: str
    projects: tuple[Project, ...]
    grpc_port: int
    rest_port: int
    grpc_tls: bool = False


def _describe_request(data: AudioStreamData | MalformedAudioStream) -> dict[str, Any]:
    """Journal view of a request: token redacted (``<missing>`` when unset: proto3 cannot
    tell an empty token from an absent one), audio summarised by size; an undecodable
    request by its size and the decoder's complaint."""
    if isinstance(data, MalformedAudioStream):
        return {"malformed": data.detail, "bytes": data.size}
    token = MISSING if not data.x_auth_token else REDACTED
    out: dict[str, Any] = {"cid": data.cid, "x_auth_token": token}
    if data.config is not None:
        out["config"] = dataclasses.asdict(data.config)
    out["audio_content"] = {"bytes": len(data.audio_content)}
    return out


def _describe_result(result: StreamResult) -> dict[str, Any]:
    return {
        "cid": result.cid,
        "pid": result.pid,
        "message_id": result.message_id,
        "result": [dataclasses.asdict(row) for row in result.result],
    }


def _message_size(message: api_pb2.AudioStream | MalformedAudioStream) -> int:
    return message.size if isinstance(message, MalformedAudioStream) else message.ByteSize()


class BehavioralService:
    """The Behavioral Signals emulator: gRPC streaming plus the REST API."""

    name = "behavioral"

    def __init__(self, settings: BehavioralSettings, *, host: str, runtime: Runtime) -> None:
        self.settings = settings
        self._runtime = runtime
        self._host = host
        self.projects = ProjectRegistry(settings.project_list())
        self.slots = StreamSlots(settings.max_streams_per_project)
        # Batch analyses get their own threads so they never queue behind HTTP handlers.
        self._analysis = ThreadPoolExecutor(max_workers=2, thread_name_prefix="mockserver-analysis")
        self.processes = ProcessStore(
            clock=runtime.clock,
            pending_s=settings.process_pending_s,
            running_s=settings.process_running_s,
            executor=self._analysis,
            on_error=runtime.record_failure,
            max_processes=settings.max_processes,
        )
        self.rest = RestApi(
            projects=self.projects,
            store=self.processes,
            settings=settings,
            seeds=runtime.seeds,
            analyzer=EngineAnalyzer(),
            script=runtime.scenarios.provider("behavioral"),  # scenario hook
        )
        self._http = HttpEndpoint(
            vendor="behavioral",
            host=host,
            port=settings.rest_port,
            handler=self.rest.handle,
            runtime=runtime,
            secrets=(AUTH_TOKEN_HEADER,),
            max_body=settings.max_upload_bytes + (1 << 20),  # room for multipart overhead
            error_body=lambda status, message, path: rest_error_body(status, message),
        )
        methods = {
            name: GrpcMethod(
                name=name,
                deserialize=parse_audio_stream,
                serialize=api_pb2.StreamResult.SerializeToString,
                decode=decode_audio_stream,
                encode=encode_stream_result,
                describe_in=_describe_request,
                describe_out=_describe_result,
                size=_message_size,
                new_session=self._new_session,
            )
            for name in ("StreamAudio", "DeepfakeDetection")
        }
        self._grpc = GrpcEndpoint(
            vendor="behavioral",
            host=host,
            port=settings.grpc_port,
            service=SERVICE_NAME,
            methods=methods,
            runtime=runtime,
            descriptors=api_pb2.DESCRIPTOR.pool,  # server reflection
        )

    def _new_session(self, call_id: str, method: str) -> StreamSession:
        return StreamSession(
            method=method,
            settings=self.settings,
            clock=self._runtime.clock,
            seeds=self._runtime.seeds,
            projects=self.projects,
            slots=self.slots,
            processes=self.processes,
            call_id=call_id,
            script=self._runtime.scenarios.provider("behavioral"),  # scenario hook
        )

    async def start(self) -> None:
        await self._grpc.start()
        try:
            await self._http.start()
        except BaseException:
            await self._grpc.stop()
            raise

    async def stop(self) -> None:
        try:
            await self._http.stop()
            await self._grpc.stop()
        finally:
            self._analysis.shutdown(wait=False, cancel_futures=True)

    def reset(self) -> None:
        """Forget processes (the pid counter restarts; open streams keep their pids)."""
        self.processes.reset()

    @property
    def endpoint(self) -> BehavioralEndpoint:
        projects = tuple(self.settings.project_list())
        rest_port = self._http.port
        return BehavioralEndpoint(
            grpc_target=self._grpc.target,
            rest_url=f"{self._http.base_url}/v5",
            base_url=self._http.base_url,
            cid=projects[0].cid,
            token=projects[0].token,
            projects=projects,
            grpc_port=self._grpc.port,
            rest_port=rest_port,
            grpc_tls=self._grpc.secure,
        )

    def describe(self) -> list[str]:
        """Lines printed by ``mockserver serve``."""
        ep = self.endpoint
        credentials = ", ".join(f"cid {p.cid} token {p.token}" for p in ep.projects)
        security = "TLS" if ep.grpc_tls else "insecure"
        return [
            f"behavioral  grpc {ep.grpc_target} ({security})  rest {ep.rest_url}  {credentials}",
        ]
