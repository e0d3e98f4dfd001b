"""Bare servers: the ceilings the emulators are compared with in ``make bench``.

``python benchmarks/bare.py ws`` runs a ``websockets`` echo server (every text or binary
message is sent back as it came, no compression, the same ``max_size`` as the emulator);
``python benchmarks/bare.py grpc`` runs a ``grpc.aio`` server of the Behavioral Signals
service whose ``StreamAudio`` answers every request with one small ``StreamResult``. Each
binds 127.0.0.1 on a free port, prints ``READY <port>`` and serves until terminated. They do
nothing but answer, so they are the best any Python server on these libraries can do.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator
from typing import Any

HOST = "127.0.0.1"


async def _serve_ws() -> None:
    from websockets.asyncio.server import ServerConnection, serve  # noqa: PLC0415  (one server per process)

    async def echo(connection: ServerConnection) -> None:
        async for message in connection:
            await connection.send(message)

    async with serve(echo, HOST, 0, compression=None, max_size=16 * 1024 * 1024) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        await _ready_then_wait(port)


async def _serve_grpc() -> None:
    import grpc  # noqa: PLC0415  (one server per process)

    from mockserver._generated.behavioral_signals import (  # noqa: PLC0415  (as above)
        api_pb2,
        api_pb2_grpc,
    )

    class Echo(api_pb2_grpc.BehavioralStreamingApiServicer):
        async def StreamAudio(
            self, request_iterator: AsyncIterator[Any], context: Any
        ) -> AsyncIterator[Any]:
            async for _ in request_iterator:
                yield api_pb2.StreamResult(pid=1, cid=1, message_id=1)

    server = grpc.aio.server(options=[("grpc.max_receive_message_length", 16 * 1024 * 1024)])
    api_pb2_grpc.add_BehavioralStreamingApiServicer_to_server(Echo(), server)
    port = server.add_insecure_port(f"{HOST}:0")
    await server.start()
    try:
        await _ready_then_wait(port)
    finally:
        await server.stop(None)


async def _ready_then_wait(port: int) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"READY {port}", flush=True)
    await stop.wait()


def main(argv: list[str]) -> int:
    servers = {"ws": _serve_ws, "grpc": _serve_grpc}
    if len(argv) != 1 or argv[0] not in servers:
        print("usage: bare.py ws|grpc", file=sys.stderr)
        return 2
    asyncio.run(servers[argv[0]]())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
