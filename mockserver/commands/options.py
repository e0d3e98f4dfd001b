"""Settings as command-line options, shared by ``serve``, ``config`` and commands that start
a server: one flag per setting (``--hume-port``), resolved with the environment
(``MOCKSERVER_*``) and a TOML file; precedence flags > environment > file > defaults.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from mockserver.config import CORE_SETTINGS, ServerConfig, all_settings
from mockserver.registry import VendorSpec
from mockserver.settings import Setting, unknown_environment

__all__ = ["add_settings", "flag_values", "resolve_config"]


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
            "{" + ",".join(map(str, setting.choices)) + "}"
            if setting.choices
            else setting.kind.upper()
        )
        group.add_argument(setting.flag_name, metavar=metavar, help=help_text, **common)


def add_settings(parser: argparse.ArgumentParser, vendors: Sequence[VendorSpec]) -> None:
    """``--config FILE`` and one option per core and vendor setting."""
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


def flag_values(namespace: argparse.Namespace, vendors: Sequence[VendorSpec]) -> dict[str, Any]:
    """The settings given as flags, by dotted key (list flags split on commas too)."""
    values: dict[str, Any] = {}
    for setting in all_settings(vendors):
        if hasattr(namespace, setting.dest):
            raw = getattr(namespace, setting.dest)
            if setting.kind == "list" and setting.split:
                raw = [item for chunk in raw for item in chunk.split(",") if item]
            values[setting.key] = raw
    return values


def resolve_config(
    namespace: argparse.Namespace, environ: Mapping[str, str], vendors: Sequence[VendorSpec]
) -> ServerConfig:
    """The configuration of a parsed command line (flags, environment, ``--config``).

    A ``MOCKSERVER_*`` variable that looks like a mistyped setting gets a warning on stderr.

    Raises:
        ConfigError: a value is invalid or a key unknown.
    """
    for warning in unknown_environment(all_settings(vendors), environ, ("MOCKSERVER_CONFIG",)):
        print(f"mockserver: warning: {warning}", file=sys.stderr)
    return ServerConfig.resolve(
        flags=flag_values(namespace, vendors),
        environ=environ,
        config_file=namespace.config,
        vendors=vendors,
    )
