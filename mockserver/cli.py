"""Command line: ``mockserver serve`` runs the emulators until Ctrl-C; ``mockserver journal
report FILE.ndjson -o report.html`` turns a journal into an HTML page.

Every setting is a flag (``--hume-port``), a ``MOCKSERVER_*`` environment variable and a
TOML key; precedence is flags > environment > ``--config`` file > defaults.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .config import CORE_SETTINGS, ServerConfig, all_settings
from .errors import ConfigError, MockServerError
from .journal import Journal
from .registry import VendorSpec, default_vendors
from .report import write_report
from .settings import Setting

__all__ = ["build_parser", "main"]

EXIT_USAGE = 2
EXIT_RUNTIME = 1


def _add_setting(group: argparse._ArgumentGroup, setting: Setting) -> None:
    common: dict[str, Any] = {"dest": setting.dest, "default": argparse.SUPPRESS}
    help_text = f"{setting.help} [env {setting.env_name}]"
    if setting.kind == "bool":
        group.add_argument(
            setting.flag_name, action=argparse.BooleanOptionalAction, help=help_text, **common
        )
    elif setting.kind == "list":
        group.add_argument(
            setting.flag_name,
            action="append",
            metavar=setting.metavar or "VALUE",
            help=help_text,
            **common,
        )
    else:
        metavar = setting.metavar or (
            "{" + ",".join(setting.choices) + "}" if setting.choices else setting.kind.upper()
        )
        group.add_argument(setting.flag_name, metavar=metavar, help=help_text, **common)


def _add_config_options(parser: argparse.ArgumentParser, vendors: Sequence[VendorSpec]) -> None:
    parser.add_argument(
        "--config",
        metavar="FILE",
        default=os.environ.get("MOCKSERVER_CONFIG"),
        help="TOML configuration file [env MOCKSERVER_CONFIG]",
    )
    core = parser.add_argument_group("server")
    for setting in CORE_SETTINGS:
        _add_setting(core, setting)
    for vendor in vendors:
        group = parser.add_argument_group(vendor.title)
        for setting in vendor.table:
            _add_setting(group, setting)


def build_parser(vendors: Sequence[VendorSpec] | None = None) -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    vendors = default_vendors() if vendors is None else vendors
    parser = argparse.ArgumentParser(
        prog="mockserver",
        description="Faithful local emulators of streaming emotion-AI APIs.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser(
        "serve", help="run the emulators until Ctrl-C", description="Run the emulators."
    )
    _add_config_options(serve, vendors)
    show = commands.add_parser("config", help="print the resolved configuration as JSON and exit")
    _add_config_options(show, vendors)
    journal = commands.add_parser("journal", help="work with journal files (NDJSON)")
    journal_commands = journal.add_subparsers(
        dest="journal_command", required=True, metavar="ACTION"
    )
    report = journal_commands.add_parser(
        "report",
        help="write a self-contained HTML report of a journal file",
        description="Write one HTML file (data and code inlined, works offline) with the "
        "sessions, timelines, frames and emotion charts of a journal.",
    )
    report.add_argument("file", metavar="FILE.ndjson", help="journal file (NDJSON)")
    report.add_argument(
        "-o", "--output", metavar="REPORT.html", help="output file (default: FILE with .html)"
    )
    report.add_argument("--title", help="page title (default: the journal's file name)")
    return parser


def _journal_report(namespace: argparse.Namespace) -> int:
    """``mockserver journal report``: the journal file as an HTML page."""
    source = Path(namespace.file)
    target = Path(namespace.output) if namespace.output else source.with_suffix(".html")
    try:
        journal = Journal.read_ndjson(source)
    except OSError as exc:
        print(f"mockserver: error: cannot read {source}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except ValueError as exc:
        print(f"mockserver: error: {source}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        write_report(journal, target, title=namespace.title or source.name)
    except OSError as exc:
        print(f"mockserver: error: cannot write {target}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_RUNTIME
    print(f"{target}: {len(journal)} entries")
    return 0


def _flag_values(
    namespace: argparse.Namespace, vendors: Sequence[VendorSpec] | None = None
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for setting in all_settings(vendors):
        if hasattr(namespace, setting.dest):
            raw = getattr(namespace, setting.dest)
            if setting.kind == "list":
                raw = [item for chunk in raw for item in chunk.split(",") if item]
            values[setting.key] = raw
    return values


def resolve_config(
    namespace: argparse.Namespace,
    environ: Mapping[str, str],
    vendors: Sequence[VendorSpec] | None = None,
) -> ServerConfig:
    """Resolve the configuration of a parsed ``serve``/``config`` command line."""
    return ServerConfig.resolve(
        flags=_flag_values(namespace, vendors),
        environ=environ,
        config_file=namespace.config,
        vendors=vendors,
    )


def _config_as_json(config: ServerConfig) -> str:
    """The resolved configuration; the admin token is redacted."""

    def plain(value: Any) -> Any:
        if isinstance(value, type):
            return None
        if hasattr(value, "__dataclass_fields__"):
            return {
                k: plain(getattr(value, k)) for k in value.__dataclass_fields__ if k != "registry"
            }
        if isinstance(value, Mapping):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, tuple | list):
            return [plain(v) for v in value]
        return value

    data = plain(config)
    if data.get("admin_token"):
        data["admin_token"] = "<redacted>"
    return json.dumps(data, indent=2)


async def _serve(config: ServerConfig) -> int:
    from .server import MockServer  # noqa: PLC0415  aiohttp, websockets, grpc: only to serve

    server = MockServer(config)
    try:
        await server.astart()
    except OSError as exc:
        print(f"mockserver: error: cannot start listening: {exc}", file=sys.stderr)
        return EXIT_RUNTIME
    except MockServerError as exc:  # e.g. an invalid --scenario file
        print(f"mockserver: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for line in server.describe():
        print(line)
    print(f"seed {config.seed}. Press Ctrl-C to stop.", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        print("Shutting down...", flush=True)
        await server.astop()
    failures = server.runtime.take_failures()
    if failures:
        print(f"mockserver: {len(failures)} internal error(s) were logged.", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None, vendors: Sequence[VendorSpec] | None = None) -> int:
    """Entry point of the ``mockserver`` command; returns the exit status.

    Args:
        argv: The arguments (default: the process's).
        vendors: The registry entries to serve (default: the built-in vendors).
    """
    parser = build_parser(vendors)
    namespace = parser.parse_args(argv)
    if namespace.command == "journal":
        return _journal_report(namespace)
    try:
        config = resolve_config(namespace, os.environ, vendors)
    except ConfigError as exc:
        parser.exit(EXIT_USAGE, f"mockserver: error: {exc}\n")
    if namespace.command == "config":
        print(_config_as_json(config))
        return 0
    logging.basicConfig(
        level=config.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return asyncio.run(_serve(config))
