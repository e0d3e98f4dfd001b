"""What ``mockserver certify`` and ``mockserver conformance`` share: the ids of a comma
list option, and running a kit to its console report and exit status."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from . import EXIT_USAGE

if TYPE_CHECKING:
    from mockserver.contract.report import Report

__all__ = ["id_list", "report_and_exit"]


def id_list(text: str | None) -> list[str] | None:
    """The ids of an ``--obligations`` or ``--checks`` value; ``None`` (all) when not given."""
    if not text:
        return None
    return [part.strip() for part in text.split(",") if part.strip()]


def report_and_exit(run: Callable[[], Report], errors: tuple[type[Exception], ...]) -> int:
    """Run a kit, print its console report and return its exit status; ``errors`` (usage
    and harness problems) are one line on stderr and exit status 2."""
    from mockserver.contract.report import console_lines, exit_status  # noqa: PLC0415  with the kit

    try:
        report = run()
    except errors as exc:
        print(f"mockserver: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for line in console_lines(report):
        print(line)
    return exit_status(report)
