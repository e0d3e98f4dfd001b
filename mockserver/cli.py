"""Command line: ``mockserver <command> [options]``.

The commands live in :mod:`mockserver.commands` (``serve`` runs the emulators until Ctrl-C,
``config`` prints the resolved configuration, ``journal report`` turns a journal into an
HTML page...). Every setting is a flag (``--hume-port``), a ``MOCKSERVER_*`` environment
variable and a TOML key; precedence is flags > environment > ``--config`` file > defaults.
Exit statuses: 0 success, 1 a failure, 2 a usage or setup error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from .commands import COMMANDS, EXIT_USAGE, Command
from .registry import VendorSpec, default_vendors, load_attribute
from .version import __version__

__all__ = ["build_parser", "command_parser", "main"]


def _commands() -> list[Command]:
    return [load_attribute(path) for path in COMMANDS]


def build_parser(vendors: Sequence[VendorSpec] | None = None) -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    vendors = default_vendors() if vendors is None else vendors
    parser = argparse.ArgumentParser(
        prog="mockserver",
        description="Faithful local emulators of streaming emotion-AI APIs.",
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in _commands():
        sub = subparsers.add_parser(
            command.name,
            help=command.help,
            description=command.description,
            allow_abbrev=False,
        )
        command.add_arguments(sub, vendors)
        sub.set_defaults(run=command.run)
    return parser


def command_parser(
    name: str, vendors: Sequence[VendorSpec] | None = None
) -> argparse.ArgumentParser:
    """The parser of one subcommand (for its ``--help`` and documentation)."""
    for action in build_parser(vendors)._actions:
        if isinstance(action, argparse._SubParsersAction):
            parser: argparse.ArgumentParser = action.choices[name]
            return parser
    raise KeyError(name)


def main(argv: Sequence[str] | None = None, vendors: Sequence[VendorSpec] | None = None) -> int:
    """Entry point of the ``mockserver`` command; returns the exit status.

    Args:
        argv: The arguments (default: the process's).
        vendors: The registry entries to serve (default: the built-in vendors).
    """
    vendors = default_vendors() if vendors is None else vendors
    args = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(vendors)
    misplaced = _options_before_the_command(args, [c.name for c in _commands()])
    if misplaced is not None:
        print(misplaced, file=sys.stderr)
        return EXIT_USAGE
    namespace = parser.parse_args(args)
    try:
        status: int = namespace.run(namespace, vendors)
        sys.stdout.flush()
    except BrokenPipeError:  # `mockserver config | head`: the reader left; that is fine
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    return status


def _options_before_the_command(args: list[str], commands: list[str]) -> str | None:
    """A helpful message for ``mockserver --seed 3 serve`` (options go after the command)."""
    if not args or not args[0].startswith("-") or args[0] in ("-h", "--help", "--version"):
        return None
    for index, arg in enumerate(args):
        if arg in commands:
            fixed = " ".join(["mockserver", arg, *args[:index], *args[index + 1 :]])
            return (
                f"mockserver: error: options go after the command: {fixed}\n"
                f"(mockserver {arg} --help lists them)"
            )
    return None
