"""``mockserver serve``: run the emulators until Ctrl-C (or SIGTERM)."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
from collections.abc import Sequence

from mockserver.config import ServerConfig
from mockserver.errors import ConfigError, MockServerError
from mockserver.registry import VendorSpec

from . import EXIT_FAILURE, EXIT_USAGE, Command
from .options import add_settings, resolve_config

__all__ = ["COMMAND"]


async def serve(config: ServerConfig, *, print_json: bool = False) -> int:
    """Start every enabled emulator, print where they listen, and serve until a signal.

    With ``print_json``, stdout gets one line, the readiness JSON
    (``schemas/ready.schema.json``), and the human banner goes to stderr.
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    for signum in signals:  # before binding: a script may signal as soon as it sees the ports
        loop.add_signal_handler(signum, stop.set)
    try:
        return await _serve(config, stop, print_json=print_json)
    finally:
        for signum in signals:
            loop.remove_signal_handler(signum)


async def _serve(config: ServerConfig, stop: asyncio.Event, *, print_json: bool) -> int:
    from mockserver.server import MockServer  # noqa: PLC0415  aiohttp, websockets, grpc: to serve

    try:
        server = MockServer(config)  # may raise ConfigError (e.g. unusable --tls-cert)
        await server.astart()
    except OSError as exc:
        print(f"mockserver: error: cannot start listening: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except MockServerError as exc:  # e.g. an invalid --scenario file
        print(f"mockserver: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    banner = sys.stderr if print_json else sys.stdout
    if print_json:
        print(json.dumps(server.readiness()), flush=True)
    for line in server.describe():
        print(line, file=banner)
    print(f"seed {config.seed}. Press Ctrl-C to stop.", file=banner, flush=True)
    try:
        await stop.wait()
    finally:
        print("Shutting down...", file=banner, flush=True)
        await server.astop()
    failures = server.runtime.take_failures()
    if failures:
        print(f"mockserver: {len(failures)} internal error(s) were logged.", file=sys.stderr)
    return 0


def _run(namespace: argparse.Namespace, vendors: Sequence[VendorSpec]) -> int:
    try:
        config = resolve_config(namespace, os.environ, vendors)
    except ConfigError as exc:
        print(f"mockserver: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    logging.basicConfig(
        level=config.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return asyncio.run(serve(config, print_json=namespace.print_json))


def _add_arguments(parser: argparse.ArgumentParser, vendors: Sequence[VendorSpec]) -> None:
    add_settings(parser, vendors)
    parser.add_argument(
        "--print-json",
        action="store_true",
        help="print one line of JSON with every bound URL, port and credential on stdout once "
        "all listeners accept (the banner goes to stderr)",
    )


COMMAND = Command(
    name="serve",
    help="run the emulators until Ctrl-C",
    description="Run the emulators.",
    add_arguments=_add_arguments,
    run=_run,
)
