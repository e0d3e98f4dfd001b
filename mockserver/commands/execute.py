"""``mockserver exec [serve flags] -- CMD [ARG...]``: run a command against the emulators.

Starts the emulators in this process (every port defaults to 0, any free port; the serve
flags, ``MOCKSERVER_*`` variables and ``--config`` apply as for ``serve``), runs ``CMD`` as a
child process (:class:`mockserver.child.ChildLauncher`, shared with ``mockserver certify``)
and stops when it ends, exiting with its exit status (128 + N when a signal N ended it).

The child gets each emulator's endpoint as ``MOCKSERVER_*`` variables (also ``{placeholders}``
in ``ARG``: ``{hume_url}``, ``{behavioral_grpc_target}``...), ``MOCKSERVER_ADMIN_URL``, a
start-up hook on ``PYTHONPATH`` that points an unmodified Python client of an official SDK
at the emulators, and with ``--tls`` the variables that make its runtimes trust the local
CA (``mockserver ca``). SIGINT and SIGTERM are passed on to the child; the server stops
once the child has ended.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

from mockserver.config import ServerConfig
from mockserver.errors import ConfigError, MockServerError
from mockserver.registry import VendorSpec
from mockserver.tls import trust_environment

from . import EXIT_FAILURE, EXIT_USAGE, Command
from .options import add_settings, flag_values

__all__ = ["COMMAND", "exit_status"]

#: Variables the child gets besides the vendors' own.
ADMIN_URL_VARIABLE = "MOCKSERVER_ADMIN_URL"


def exit_status(returncode: int) -> int:
    """A child's exit status as a shell reports it: a signal N becomes 128 + N."""
    return 128 - returncode if returncode < 0 else returncode


def extra_environment(server: Any) -> dict[str, str]:
    """The child's variables that are not a vendor's: the admin URL, and the TLS trust
    variables when the listeners serve the local CA's certificate."""
    extra: dict[str, str] = {}
    if server.config.admin_enabled:
        extra[ADMIN_URL_VARIABLE] = server.admin.url
    tls = server.runtime.tls
    if tls is not None and tls.ca is not None:
        extra.update(trust_environment(tls.ca))
    return extra


async def execute(config: ServerConfig, argv: Sequence[str]) -> int:
    """Serve ``config``, run ``argv`` against it, and return its exit status."""
    from mockserver.child import ChildError, ChildLauncher  # noqa: PLC0415  (with the server)
    from mockserver.server import MockServer  # noqa: PLC0415  aiohttp, websockets, grpc: to serve

    try:
        server = MockServer(config)
        await server.astart()
    except OSError as exc:
        print(f"mockserver: error: cannot start listening: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except MockServerError as exc:
        print(f"mockserver: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    try:
        if config.log_level in ("debug", "info"):
            for line in server.describe():
                print(f"mockserver: {line}", file=sys.stderr)
        with ChildLauncher(server) as launcher:
            try:
                process = launcher.start(argv, extra_env=extra_environment(server))
            except ChildError as exc:
                print(f"mockserver: error: {exc}", file=sys.stderr)
                return EXIT_USAGE
            for signum in signals:
                loop.add_signal_handler(signum, _forward, process, signum)
            try:
                returncode = await asyncio.to_thread(process.wait)
            finally:
                for signum in signals:
                    loop.remove_signal_handler(signum)
    finally:
        await server.astop()
    failures = server.runtime.take_failures()
    if failures:
        print(f"mockserver: {len(failures)} internal error(s) were logged.", file=sys.stderr)
    return exit_status(returncode)


def _forward(process: subprocess.Popen[Any], signum: int) -> None:
    """Pass a signal on to the child's process group (it runs in a session of its own)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


def _add_arguments(parser: argparse.ArgumentParser, vendors: Sequence[VendorSpec]) -> None:
    add_settings(parser, vendors)
    parser.add_argument(
        "command",
        nargs=argparse.REMAINDER,
        metavar="-- CMD [ARG ...]",
        help="the command to run, after -- ({placeholders} such as {<vendor>_url} are expanded)",
    )


def _run(namespace: argparse.Namespace, vendors: Sequence[VendorSpec]) -> int:
    argv = list(namespace.command)
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        print(
            "mockserver: error: no command given: put it after --, "
            "e.g. mockserver exec -- python client.py",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        config = ServerConfig.resolve(
            flags=flag_values(namespace, vendors),
            environ=os.environ,
            config_file=namespace.config,
            ephemeral_ports=True,  # the child learns the ports from its environment
            vendors=vendors,
        )
    except ConfigError as exc:
        print(f"mockserver: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    logging.basicConfig(
        level=config.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return asyncio.run(execute(config, argv))


COMMAND = Command(
    name="exec",
    help="run a command against the emulators and exit with its status",
    description=(
        "Start the emulators (any free ports unless set), run CMD with their endpoints in "
        "its environment (MOCKSERVER_<VENDOR>_...) and as {placeholders} in its arguments, "
        "and a start-up hook that points unmodified Python SDK clients at them; stop when "
        "CMD ends and exit with its status."
    ),
    add_arguments=_add_arguments,
    run=_run,
)
