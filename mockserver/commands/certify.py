"""``mockserver certify VENDOR [options] -- CMD [ARG...]``: certify a client.

Runs ``CMD`` once per run against a fresh emulator (free ports, the endpoint in its
environment and in ``{placeholders}``), under the default engine first, then under valid
variations and faults chosen by Hypothesis, and judges the vendor's obligations from the
journal (``docs/contract.md``, ``docs/howto-certify.md``). Exit status 0 when nothing
fails, 1 when an obligation fails, 2 for a usage or harness error.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from mockserver.contract.kits import CERTIFY_KITS
from mockserver.registry import VendorSpec

from . import Command
from .kit import id_list, report_and_exit

__all__ = ["COMMAND"]

_PROFILES = ("quick", "default", "deep")


def _add_options(parser: argparse.ArgumentParser, *, default: object = None) -> None:
    """The options, on the command's parser and on the one that reads what follows the
    vendor (``default=argparse.SUPPRESS`` there, so that only given values override)."""

    def given(value: object) -> object:
        return default if default is argparse.SUPPRESS else value

    parser.add_argument(
        "--profile", choices=_PROFILES, default=given("default"),
        help="how many runs (quick 8, default 20, deep 60; plus shrinking runs)",
    )  # fmt: skip
    parser.add_argument(
        "--runs", type=int, metavar="N", default=given(None),
        help="runs in all, the baseline included (overrides --profile)",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=given(0), metavar="S", help="seed (default 0)")
    parser.add_argument(
        "--timeout-s", type=float, default=given(30.0), metavar="T",
        help="how long the client may run after a fault (and in the baseline); default 30",
    )  # fmt: skip
    parser.add_argument(
        "--expect-recovery", action="store_true", default=given(False),
        help="the client must exit 0 after each fault (by retrying)",
    )  # fmt: skip
    parser.add_argument(
        "--strict", action="store_true", default=given(False), help="warnings fail too"
    )
    parser.add_argument(
        "--obligations", metavar="ID,...", default=given(None),
        help="judge only these obligations (comma list)",
    )  # fmt: skip
    parser.add_argument(
        "--replay", type=Path, metavar="FILE", default=given(None),
        help="replay one run from its file (run-N.yaml)",
    )  # fmt: skip
    parser.add_argument(
        "--report-dir", type=Path, metavar="DIR", default=given(None),
        help="write journals, HTML pages and replay files here",
    )  # fmt: skip
    parser.add_argument(
        "--json", type=Path, metavar="FILE", default=given(None), help="write the JSON report here"
    )
    parser.add_argument(
        "--junit", type=Path, metavar="FILE", default=given(None), help="write JUnit XML here"
    )


def _add_arguments(parser: argparse.ArgumentParser, vendors: Sequence[VendorSpec]) -> None:
    _add_options(parser)
    parser.add_argument(
        "arguments", nargs=argparse.REMAINDER,
        metavar=f"{{{','.join(sorted(CERTIFY_KITS))}}} [options] -- CMD [ARG...]",
        help="the API the client uses, options, then the client's command after --; "
        "{<vendor>_url}-style placeholders in it are expanded",
    )  # fmt: skip


def _split(namespace: argparse.Namespace) -> list[str]:
    """Read the vendor and the options that follow it; return the command after ``--``."""
    arguments = list(namespace.arguments)
    if "--" in arguments:
        index = arguments.index("--")
        head, command = arguments[:index], arguments[index + 1 :]
    else:
        head, command = arguments[:1], arguments[1:]
    inner = argparse.ArgumentParser(prog="mockserver certify", allow_abbrev=False)
    inner.add_argument("vendor", choices=sorted(CERTIFY_KITS), help="the API the client uses")
    _add_options(inner, default=argparse.SUPPRESS)
    inner.parse_args(head, namespace=namespace)
    return command


def _run(namespace: argparse.Namespace, vendors: Sequence[VendorSpec]) -> int:
    from mockserver.contract.certification import (  # noqa: PLC0415  the server and Hypothesis
        CertifyError,
        CertifyOptions,
        certify,
    )

    command = _split(namespace)
    options = CertifyOptions(
        vendor=namespace.vendor,
        command=command,
        runs=namespace.runs,
        profile=namespace.profile,
        seed=namespace.seed,
        timeout_s=namespace.timeout_s,
        expect_recovery=namespace.expect_recovery,
        strict=namespace.strict,
        obligations=id_list(namespace.obligations),
        replay=namespace.replay,
        report_dir=namespace.report_dir,
        json_file=namespace.json,
        junit_file=namespace.junit,
    )
    return report_and_exit(lambda: certify(options), (CertifyError, OSError))


COMMAND = Command(
    name="certify",
    help="certify a client: run it under valid variations and faults, judge its obligations",
    description="Run CMD (after --) once per run against a fresh emulator, with the endpoint "
    "in its environment (MOCKSERVER_<VENDOR>_... variables) and in {placeholders}; an "
    "official Python SDK is redirected by a start-up hook. Run 1 is the "
    "baseline; later runs are valid variations and faults chosen by Hypothesis. Exit status: "
    "0 pass, 1 an obligation failed, 2 usage or harness error.",
    add_arguments=_add_arguments,
    run=_run,
)
