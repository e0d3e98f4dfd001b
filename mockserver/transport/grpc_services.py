"""The standard gRPC services every emulated gRPC server also offers: server reflection and
health checking.

* **Reflection** (``grpc.reflection.v1alpha.ServerReflection``, grpcio-reflection) lists
  the vendor's service, the health service and itself, and describes each from one
  descriptor pool that holds all three files, so ``grpcurl list`` and ``describe`` work
  for every listed name. The vendor's descriptors come from the pool its generated code
  uses (a private one; see ``mockserver/_generated``), never from protobuf's default pool.
* **Health** (``grpc.health.v1.Health``, grpcio-health-checking): ``SERVING`` for the
  overall server (``""``) and for the vendor's service while the listener runs,
  ``NOT_SERVING`` once it stops.
"""

from __future__ import annotations

from typing import Any

import grpc
from google.protobuf import descriptor_pool
from google.protobuf.descriptor import FileDescriptor
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection, reflection_pb2

__all__ = ["HEALTH_SERVICE", "REFLECTION_SERVICE", "StandardServices"]

HEALTH_SERVICE: str = health_pb2.DESCRIPTOR.services_by_name["Health"].full_name
REFLECTION_SERVICE: str = reflection.SERVICE_NAME


def _add_file(pool: descriptor_pool.DescriptorPool, file: FileDescriptor, done: set[str]) -> None:
    """Add ``file`` and, first, every file it imports (each once)."""
    if file.name in done:
        return
    done.add(file.name)
    for dependency in file.dependencies:
        _add_file(pool, dependency, done)
    pool.AddSerializedFile(file.serialized_pb)


def reflection_pool(service: str, source: Any) -> descriptor_pool.DescriptorPool:
    """A pool with the file that defines ``service`` in ``source`` (and its imports), the
    health service's and the reflection service's."""
    pool = descriptor_pool.DescriptorPool()
    done: set[str] = set()
    for file in (
        source.FindFileContainingSymbol(service),
        health_pb2.DESCRIPTOR,
        reflection_pb2.DESCRIPTOR,
    ):
        _add_file(pool, file, done)
    return pool


class StandardServices:
    """Reflection and health for one server serving ``service``.

    Args:
        service: The vendor's fully qualified service name.
        descriptors: The descriptor pool that defines it (None: no reflection).
    """

    def __init__(self, service: str, descriptors: Any | None) -> None:
        self.service = service
        self._descriptors = descriptors
        self._health = health.aio.HealthServicer()

    @property
    def names(self) -> tuple[str, ...]:
        """Every service name the server lists through reflection."""
        if self._descriptors is None:
            return (self.service, HEALTH_SERVICE)
        return (self.service, HEALTH_SERVICE, REFLECTION_SERVICE)

    def add_to(self, server: grpc.aio.Server) -> None:
        """Register the services on ``server`` (before it starts)."""
        health_pb2_grpc.add_HealthServicer_to_server(self._health, server)
        if self._descriptors is not None:
            reflection.enable_server_reflection(
                self.names, server, pool=reflection_pool(self.service, self._descriptors)
            )

    async def serving(self) -> None:
        """Report ``SERVING`` for the server and the vendor's service."""
        for name in ("", self.service):
            await self._health.set(name, health_pb2.HealthCheckResponse.SERVING)

    async def stopping(self) -> None:
        """Report ``NOT_SERVING`` everywhere (watchers hear it before the server stops)."""
        await self._health.enter_graceful_shutdown()
