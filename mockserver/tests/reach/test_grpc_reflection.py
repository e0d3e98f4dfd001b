"""gRPC server reflection and the standard health service on the Behavioral Signals listener.

What ``grpcurl -plaintext 127.0.0.1:50051 list`` and ``describe`` do, with grpcio-reflection's
own client: list the services, then build a request from the reflected descriptors alone
(no generated code) and call the streaming method with it. The health service answers
``SERVING`` while the listener runs and tells watchers ``NOT_SERVING`` when it stops.
"""

from __future__ import annotations

import queue
import threading
import wave
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from google.protobuf import descriptor_pool, message_factory
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)

from mockserver.resources import fixture_path
from mockserver.server import MockServer
from mockserver.transport.grpc_services import HEALTH_SERVICE, REFLECTION_SERVICE
from mockserver.vendors.behavioral.service import SERVICE_NAME

pytestmark = pytest.mark.e2e

ONLY_GRPC: dict[str, Any] = {
    "hume": {"enabled": False},
    "hume_v1": {"enabled": False},
    "admin_enabled": False,
}


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer(**ONLY_GRPC) as running:
        yield running


@pytest.fixture
def channel(server: MockServer) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(server.behavioral.grpc_target) as open_channel:
        yield open_channel


def test_reflection_lists_the_vendor_service_health_and_itself(channel: grpc.Channel) -> None:
    database = ProtoReflectionDescriptorDatabase(channel)
    assert sorted(database.get_services()) == sorted(
        [SERVICE_NAME, HEALTH_SERVICE, REFLECTION_SERVICE]
    )
    pool = descriptor_pool.DescriptorPool(database)
    for name in (SERVICE_NAME, HEALTH_SERVICE, REFLECTION_SERVICE):  # grpcurl describe
        assert pool.FindServiceByName(name).full_name == name
    methods = {m.name for m in pool.FindServiceByName(SERVICE_NAME).methods}
    assert methods == {"StreamAudio", "DeepfakeDetection"}


def test_a_request_built_from_reflected_descriptors_streams(channel: grpc.Channel) -> None:
    pool = descriptor_pool.DescriptorPool(ProtoReflectionDescriptorDatabase(channel))
    method = pool.FindServiceByName(SERVICE_NAME).methods_by_name["StreamAudio"]
    assert method.client_streaming and method.server_streaming
    request: Any = message_factory.GetMessageClass(method.input_type)
    response: Any = message_factory.GetMessageClass(method.output_type)
    with wave.open(str(fixture_path("media/speech_16k.wav")), "rb") as audio:
        rate, pcm = audio.getframerate(), audio.readframes(audio.getnframes())
    first = request(cid=1000, x_auth_token="mock-bs-token")
    first.config.sample_rate_hertz = rate
    chunks = [
        request(cid=1000, x_auth_token="mock-bs-token", audio_content=pcm[i : i + 8000])
        for i in range(0, len(pcm), 8000)
    ]
    call = channel.stream_stream(
        f"/{SERVICE_NAME}/StreamAudio",
        request_serializer=lambda message: message.SerializeToString(),
        response_deserializer=response.FromString,
    )
    results = list(call(iter([first, *chunks]), timeout=60))
    assert results, "speech gives results"
    tasks = {row.task for result in results for row in result.result}
    assert "emotion" in tasks and results[0].cid == 1000


def test_health_answers_serving(server: MockServer, channel: grpc.Channel) -> None:
    stub = health_pb2_grpc.HealthStub(channel)
    for service in ("", SERVICE_NAME):
        reply = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=10)
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
    with pytest.raises(grpc.RpcError) as info:
        stub.Check(health_pb2.HealthCheckRequest(service="no.such.Service"), timeout=10)
    assert info.value.code() == grpc.StatusCode.NOT_FOUND


def test_health_watchers_hear_not_serving_when_the_server_stops() -> None:
    statuses: queue.Queue[int | None] = queue.Queue()
    server = MockServer(**ONLY_GRPC).start()
    try:
        channel = grpc.insecure_channel(server.behavioral.grpc_target)
        watch = health_pb2_grpc.HealthStub(channel).Watch(
            health_pb2.HealthCheckRequest(service=SERVICE_NAME), timeout=30
        )

        def read() -> None:
            try:
                for reply in watch:
                    statuses.put(reply.status)
            except grpc.RpcError:
                pass
            statuses.put(None)

        reader = threading.Thread(target=read)
        reader.start()
        assert statuses.get(timeout=10) == health_pb2.HealthCheckResponse.SERVING
    finally:
        server.stop()
    reader.join(timeout=30)
    channel.close()
    assert statuses.get(timeout=10) == health_pb2.HealthCheckResponse.NOT_SERVING
