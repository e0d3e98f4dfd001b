"""The ``mockserver`` subcommands: one module per command, each a :class:`Command`.

A command module defines ``COMMAND``: its name, one line of help, how it adds its
arguments, and how it runs. :mod:`mockserver.cli` builds the parser from :data:`COMMANDS`
and maps errors to exit statuses; adding a command means adding a module and one line here.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from mockserver.registry import VendorSpec

__all__ = ["COMMANDS", "EXIT_FAILURE", "EXIT_USAGE", "Command"]

#: Exit statuses: 0 success, 1 a check or the server failed, 2 a usage or setup error.
EXIT_FAILURE = 1
EXIT_USAGE = 2


@dataclass(frozen=True)
class Command:
    """One subcommand.

    Attributes:
        name: The word after ``mockserver``.
        help: One line for ``mockserver --help``.
        description: The command's own ``--help`` text.
        add_arguments: ``(parser, vendors)``: add the command's arguments.
        run: ``(namespace, vendors) -> exit status``.
    """

    name: str
    help: str
    description: str
    add_arguments: Callable[[argparse.ArgumentParser, Sequence[VendorSpec]], None]
    run: Callable[[argparse.Namespace, Sequence[VendorSpec]], int]


#: ``"module:attribute"`` of every command, in ``--help`` order (imported when the parser
#: is built; each module keeps its heavy imports inside ``run``).
COMMANDS: tuple[str, ...] = (
    "mockserver.commands.serve:COMMAND",
    "mockserver.commands.config:COMMAND",
    "mockserver.commands.journal:COMMAND",
    "mockserver.commands.ca:COMMAND",
    "mockserver.commands.execute:COMMAND",
    "mockserver.commands.certify:COMMAND",
    "mockserver.commands.conformance:COMMAND",
)
