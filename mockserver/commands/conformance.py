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

from mockserver.contract.kits import CONFORMANCE_KITS, CONFORMANCE_TARGETS, TargetOption
from mockserver.registry import VendorSpec

from . import EXIT_USAGE, Command
from .kit import id_list, report_and_exit

__all__ = ["COMMAND"]


def _options() -> dict[str, TargetOption]:
    """Every vendor's target fields, once each."""
    options: dict[str, TargetOption] = {}
    for fields in CONFORMANCE_TARGETS.values():
        for option in fields:
            options.setdefault(option.field, option)
    return options


def _flag(option: TargetOption) -> str:
    return "--" + option.field.replace("_", "-")


def _addresses(vendor: str) -> list[TargetOption]:
    """The vendor's target options that say where the server is (not credentials, not
    switches): a live run needs all of them."""
    return [o for o in CONFORMANCE_TARGETS[vendor] if o.env is None and not o.boolean]


def _add_arguments(parser: argparse.ArgumentParser, vendors: Sequence[VendorSpec]) -> None:
    parser.add_argument("vendor", choices=sorted(CONFORMANCE_KITS), help="the API to check")
    target = parser.add_argument_group("target (default: an in-process emulator)")
    for option in _options().values():
        flag = _flag(option)
        if option.boolean:
            target.add_argument(flag, dest=option.field, action="store_true", help=option.help)
        else:
            target.add_argument(flag, dest=option.field, metavar=option.field.upper(),
                                help=option.help)  # fmt: skip
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


def _target(namespace: argparse.Namespace) -> dict[str, object] | None:
    """The target given on the command line ({} for the emulator); the vendor's credential
    variables fill in what is missing once an address is given (a live run). None when
    options were given but no address."""
    given = {field: getattr(namespace, field) for field in _options()}
    if not any(given[option.field] for option in _addresses(namespace.vendor)):
        return None if any(given.values()) else {}
    target: dict[str, object] = {}
    for option in CONFORMANCE_TARGETS[namespace.vendor]:
        value = given[option.field]
        if not value and option.env:
            value = os.environ.get(option.env) or None
        if option.boolean:
            target[option.field] = bool(value)
        elif value:
            target[option.field] = value
    return target


def _run(namespace: argparse.Namespace, vendors: Sequence[VendorSpec]) -> int:
    from mockserver.contract.conformance import (  # noqa: PLC0415  the kit and Hypothesis
        ConformanceError,
        ConformanceOptions,
        conformance,
    )

    target = _target(namespace)
    if target is None:
        addresses = " and ".join(_flag(o) for o in _addresses(namespace.vendor))
        print(
            f"mockserver: error: target options without an address: give {addresses}, "
            "or no target option to check the emulator",
            file=sys.stderr,
        )
        return EXIT_USAGE
    options = ConformanceOptions(
        vendor=namespace.vendor,
        target=target,
        profile=namespace.profile,
        seed=namespace.seed,
        checks=id_list(namespace.checks),
        reply_timeout_s=namespace.reply_timeout_s,
        report_dir=namespace.report_dir,
        json_file=namespace.json,
        junit_file=namespace.junit,
    )
    return report_and_exit(lambda: conformance(options), (ConformanceError,))


COMMAND = Command(
    name="conformance",
    help="check a server (the emulator, or any other) against the vendor's contract",
    description="Run the contract kit's property-based checks against a server: an "
    "in-process emulator by default, or any server given by its address and credentials "
    "(the real services included; a credential option defaults to the vendor's own "
    "environment variable). Exit status: 0 pass, 1 a check failed, 2 usage or connection "
    "error.",
    add_arguments=_add_arguments,
    run=_run,
)
