"""``mockserver config``: print the resolved configuration and exit."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from mockserver.config import ServerConfig
from mockserver.errors import ConfigError
from mockserver.registry import VendorSpec

from . import EXIT_USAGE, Command
from .options import add_settings, resolve_config

__all__ = ["COMMAND", "config_as_json"]


def config_as_json(config: ServerConfig) -> str:
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


def _run(namespace: argparse.Namespace, vendors: Sequence[VendorSpec]) -> int:
    try:
        config = resolve_config(namespace, os.environ, vendors)
    except ConfigError as exc:
        print(f"mockserver: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(config_as_json(config))
    return 0


COMMAND = Command(
    name="config",
    help="print the resolved configuration as JSON and exit",
    description="Print the configuration the flags, environment and --config file resolve to.",
    add_arguments=add_settings,
    run=_run,
)
