"""``mockserver conformance VENDOR [target] [options]``: check a server against the contract.

By default the target is an in-process emulator; with the target options, any server, the
real services included (``docs/contract.md`` lists the checks and their sources). Exit
status 0 when every check passes, 1 when one fails, 2 for a usage or connection error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from mockserver.contract.kits import CONFORMANCE_KITS
from mockserver.registry import VendorSpec

from . import EXIT_USAGE, Command

__all__ = ["COMMAND"]

#: Target options: (flag, field, help, environment variable read for a live run).
_TARGET = (
    ("--url", "url", "the WebSocket URL of the stream endpoint", None),
    ("--api-key", "api_key", "its API key (default: $HUME_API_KEY with --url)", "HUME_API_KEY"),
    ("--grpc-target", "grpc_target", "the gRPC target host:port", None),
    ("--rest-url", "rest_url", "the REST base URL, /v5 included", None),
    ("--cid", "cid", "the project id (default: $BEHAVIORALSIGNALS_CID)", "BEHAVIORALSIGNALS_CID"),
    ("--token", "token", "its API token (default: $BEHAVIORALSIGNALS_API_KEY)",
     "BEHAVIORALSIGNALS_API_KEY"),
)  # fmt: skip


def _add_arguments(parser: argparse.ArgumentParser, vendors: Sequence[VendorSpec]) -> None:
    parser.add_argument("vendor", choices=sorted(CONFORMANCE_KITS), help="the API to check")
    target = parser.add_argument_group("target (default: an in-process emulator)")
    for flag, field, text, _ in _TARGET:
        target.add_argument(flag, dest=field, metavar=field.upper(), help=text)
    target.add_argument("--tls", action="store_true", help="gRPC over TLS (the real service)")
    parser.add_argument(
        "--profile", choices=("quick", "default", "deep"), default=None,
        help="examples per property (default: $MOCKSERVER_CONTRACT_PROFILE, else default)",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="seed (default 0)")
    parser.add_argument("--checks", metavar="ID,...", help="run only these checks (comma list)")
    parser.add_argument(
        "--reply-timeout-s", type=float, default=10.0, metavar="T",
        help="how long to wait for one reply (default 10)",
    )  # fmt: skip
    parser.add_argument(
        "--report-dir", type=Path, metavar="DIR",
        help="write each run's transcript (NDJSON and an HTML page) here",
    )  # fmt: skip
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the JSON report here")
    parser.add_argument("--junit", type=Path, metavar="FILE", help="write JUnit XML here")


def _target(namespace: argparse.Namespace) -> dict[str, object]:
    """The target fields given on the command line; the credential variables fill in
    what is missing once an address is given (a live run)."""
    given = {field: getattr(namespace, field) for _, field, _, _ in _TARGET}
    if not any(given[f] for f in ("url", "grpc_target", "rest_url")):
        if any(given.values()) or namespace.tls:
            return {"incomplete": True}
        return {}
    for _, field, _, variable in _TARGET:
        if not given[field] and variable:
            given[field] = os.environ.get(variable) or None
    target: dict[str, object] = {k: v for k, v in given.items() if v}
    target["tls"] = bool(namespace.tls)
    return target


def _run(namespace: argparse.Namespace, vendors: Sequence[VendorSpec]) -> int:
    from mockserver.contract.conformance import (  # noqa: PLC0415  the kit and Hypothesis
        ConformanceError,
        ConformanceOptions,
        conformance,
    )
    from mockserver.contract.report import console_lines, exit_status  # noqa: PLC0415  (same)

    target = _target(namespace)
    if target.get("incomplete"):
        print(
            "mockserver: error: credentials without an address: give --url (hume) or "
            "--grpc-target and --rest-url (behavioral), or no target option for the emulator",
            file=sys.stderr,
        )
        return EXIT_USAGE
    checks = None
    if namespace.checks:
        checks = [c.strip() for c in namespace.checks.split(",") if c.strip()]
    options = ConformanceOptions(
        vendor=namespace.vendor,
        target=target,
        profile=namespace.profile,
        seed=namespace.seed,
        checks=checks,
        reply_timeout_s=namespace.reply_timeout_s,
        report_dir=namespace.report_dir,
        json_file=namespace.json,
        junit_file=namespace.junit,
    )
    try:
        report = conformance(options)
    except ConformanceError as exc:
        print(f"mockserver: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for line in console_lines(report):
        print(line)
    return exit_status(report)


COMMAND = Command(
    name="conformance",
    help="check a server (the emulator, or any other) against the vendor's contract",
    description="Run the contract kit's property-based checks against a server: an "
    "in-process emulator by default, or any server given by its address and credentials "
    "(the real services included: --url with $HUME_API_KEY; --grpc-target, --rest-url and "
    "--tls with $BEHAVIORALSIGNALS_CID and $BEHAVIORALSIGNALS_API_KEY). Exit status: 0 pass, "
    "1 a check failed, 2 usage or connection error.",
    add_arguments=_add_arguments,
    run=_run,
)
