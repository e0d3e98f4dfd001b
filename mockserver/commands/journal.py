"""``mockserver journal report FILE.ndjson``: a journal file as one offline HTML page."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from mockserver.journal import Journal
from mockserver.registry import VendorSpec
from mockserver.report import write_report

from . import EXIT_FAILURE, EXIT_USAGE, Command

__all__ = ["COMMAND"]


def _add_arguments(parser: argparse.ArgumentParser, vendors: Sequence[VendorSpec]) -> None:
    actions = parser.add_subparsers(dest="journal_command", required=True, metavar="ACTION")
    report = actions.add_parser(
        "report",
        help="write a self-contained HTML report of a journal file",
        description="Write one HTML file (data and code inlined, works offline) with the "
        "sessions, timelines, frames and emotion charts of a journal.",
        allow_abbrev=False,
    )
    report.add_argument("file", metavar="FILE.ndjson", help="journal file (NDJSON)")
    report.add_argument(
        "-o", "--output", metavar="REPORT.html", help="output file (default: FILE with .html)"
    )
    report.add_argument("--title", help="page title (default: the journal's file name)")


def _run(namespace: argparse.Namespace, vendors: Sequence[VendorSpec]) -> int:
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
        return EXIT_FAILURE
    print(f"{target}: {len(journal)} entries")
    return 0


COMMAND = Command(
    name="journal",
    help="work with journal files (NDJSON)",
    description="Work with journal files (NDJSON exports of the journal).",
    add_arguments=_add_arguments,
    run=_run,
)
