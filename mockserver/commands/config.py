"""``mockserver config``: print the resolved configuration as a TOML file, and exit.

The output is a valid ``--config`` file (core settings at the top, one table per vendor),
each value followed by a comment saying where it came from: ``default``, the config file,
``environment MOCKSERVER_...`` or ``flag --...``. ``--format json`` prints the same as
JSON: ``{"settings": {...nested like the TOML...}, "sources": {"dotted.key": "..."}}``.
The admin token is redacted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from mockserver.config import CORE_SETTINGS, ServerConfig
from mockserver.errors import ConfigError
from mockserver.registry import VendorSpec
from mockserver.settings import Setting

from . import EXIT_USAGE, Command
from .options import add_settings, resolve_config

__all__ = ["COMMAND", "config_settings", "config_toml"]

_SECRET_KEYS = frozenset({"admin_token"})


def _value(config: ServerConfig, setting: Setting) -> Any:
    section, _, name = setting.key.rpartition(".")
    holder = config.vendor(section) if section else config
    value = getattr(holder, name)
    if setting.key in _SECRET_KEYS and value:
        return "<redacted>"
    return list(value) if isinstance(value, tuple) else value


def _tables(config: ServerConfig) -> list[tuple[str, tuple[Setting, ...]]]:
    return [("", CORE_SETTINGS), *((v.name, v.table) for v in config.registry)]


def config_settings(config: ServerConfig) -> dict[str, Any]:
    """The resolved settings, nested as the TOML file holds them."""
    out: dict[str, Any] = {}
    for table, settings in _tables(config):
        target = out.setdefault(table, {}) if table else out
        for setting in settings:
            target[setting.key.rpartition(".")[2]] = _value(config, setting)
    return out


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)  # a TOML basic string


def config_toml(config: ServerConfig) -> str:
    """The resolved configuration as a TOML file, each value commented with its source."""
    lines = ["# mockserver configuration, as resolved (valid as a --config file)."]
    for table, settings in _tables(config):
        lines.append("")
        if table:
            lines.append(f"[{table}]")
        for setting in settings:
            name = setting.key.rpartition(".")[2]
            source = config.sources.get(setting.key, "default")
            lines.append(f"{name} = {_toml_value(_value(config, setting))}  # {source}")
    return "\n".join(lines) + "\n"


def _add_arguments(parser: argparse.ArgumentParser, vendors: Sequence[VendorSpec]) -> None:
    parser.add_argument(
        "--format",
        choices=("toml", "json"),
        default="toml",
        help="output format (default: toml, usable as a --config file)",
    )
    add_settings(parser, vendors)


def _run(namespace: argparse.Namespace, vendors: Sequence[VendorSpec]) -> int:
    try:
        config = resolve_config(namespace, os.environ, vendors)
    except ConfigError as exc:
        print(f"mockserver: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if namespace.format == "json":
        sources = {k: v for k, v in config.sources.items()}
        print(json.dumps({"settings": config_settings(config), "sources": sources}, indent=2))
    else:
        sys.stdout.write(config_toml(config))
    return 0


COMMAND = Command(
    name="config",
    help="print the resolved configuration (a TOML file) and exit",
    description="Print the configuration the flags, environment and --config file resolve to, "
    "as a TOML file (or JSON), with the source of each value.",
    add_arguments=_add_arguments,
    run=_run,
)
