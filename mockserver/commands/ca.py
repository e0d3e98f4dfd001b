"""``mockserver ca``: where the local CA is, and how each runtime trusts it.

The CA is created on first use in the state directory (``--state-dir``, ``MOCKSERVER_STATE_DIR``
or ``state_dir`` in the TOML file; by default the user's cache directory), the same one
``mockserver serve --tls`` uses. The output names the CA file, its fingerprint and the
environment variables each runtime reads: ``SSL_CERT_FILE`` (Python's ``ssl``, OpenSSL,
httpx, curl), ``REQUESTS_CA_BUNDLE`` (requests), ``NODE_EXTRA_CA_CERTS`` (Node.js) and
``GRPC_DEFAULT_SSL_ROOTS_FILE_PATH`` (gRPC's C core: Python, Ruby, C++...). ``--shell``
prints only ``export`` lines, for ``eval "$(mockserver ca --shell)"``.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from collections.abc import Sequence

from mockserver.config import ServerConfig
from mockserver.errors import ConfigError
from mockserver.registry import VendorSpec
from mockserver.tls import ensure_ca, resolve_state_dir, trust_environment

from . import EXIT_USAGE, Command

__all__ = ["COMMAND"]

_READERS = {
    "SSL_CERT_FILE": "Python ssl, OpenSSL, httpx, curl (system roots + CA)",
    "REQUESTS_CA_BUNDLE": "Python requests (system roots + CA)",
    "NODE_EXTRA_CA_CERTS": "Node.js, read at start-up (added to its roots)",
    "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH": "gRPC C core: Python grpcio and others (system roots + CA)",
}


def _add_arguments(parser: argparse.ArgumentParser, vendors: Sequence[VendorSpec]) -> None:
    parser.add_argument(
        "--config",
        metavar="FILE",
        default=os.environ.get("MOCKSERVER_CONFIG"),
        help="TOML configuration file (its state_dir) [env MOCKSERVER_CONFIG]",
    )
    parser.add_argument(
        "--state-dir",
        metavar="DIR",
        dest="state_dir",
        default=argparse.SUPPRESS,
        help="Directory of the local CA (default: the user's cache directory) "
        "[env MOCKSERVER_STATE_DIR]",
    )
    output = parser.add_mutually_exclusive_group()
    output.add_argument(
        "--shell", action="store_true", help="print only 'export NAME=VALUE' lines (for eval)"
    )
    output.add_argument("--json", action="store_true", help="print a JSON object")
    output.add_argument("--path", action="store_true", help="print only the CA file's path")


def _run(namespace: argparse.Namespace, vendors: Sequence[VendorSpec]) -> int:
    flags = {"state_dir": namespace.state_dir} if hasattr(namespace, "state_dir") else {}
    try:
        config = ServerConfig.resolve(
            flags=flags, environ=os.environ, config_file=namespace.config, vendors=vendors
        )
        ca = ensure_ca(resolve_state_dir(config.state_dir))
    except ConfigError as exc:
        print(f"mockserver: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    env = trust_environment(ca)
    if namespace.path:
        print(ca.cert_file)
    elif namespace.shell:
        for name, value in env.items():
            print(f"export {name}={shlex.quote(value)}")
    elif namespace.json:
        document = {
            "ca_file": str(ca.cert_file),
            "bundle_file": str(ca.bundle_file),
            "sha256_fingerprint": ca.fingerprint(),
            "spki_sha256": ca.spki_sha256(),
            "environment": env,
        }
        print(json.dumps(document, indent=2))
    else:
        print(f"CA certificate: {ca.cert_file}")
        print(f"SHA-256 fingerprint: {ca.fingerprint()}")
        print('Trust it with these variables (or: eval "$(mockserver ca --shell)"):')
        lines = {name: f"{name}={shlex.quote(value)}" for name, value in env.items()}
        width = max(map(len, lines.values()))
        for name, line in lines.items():
            print(f"  {line.ljust(width)}  # {_READERS[name]}")
        print(
            "Chromium: --ignore-certificate-errors-spki-list="
            f"{ca.spki_sha256()} (or import the CA into its NSS database)"
        )
    return 0


COMMAND = Command(
    name="ca",
    help="print the local CA's path and the variables that make clients trust it",
    description=(
        "Create the local certificate authority if needed (the one 'serve --tls' uses) and "
        "print its path and the environment variables each runtime needs to trust it."
    ),
    add_arguments=_add_arguments,
    run=_run,
)
