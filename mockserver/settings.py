"""Declarative settings: one table drives CLI flags, ``MOCKSERVER_*`` variables and TOML keys.

Each :class:`Setting` names a dotted key (``hume.port``). From it follow the flag
(``--hume-port``), the environment variable (``MOCKSERVER_HUME_PORT``) and the TOML location
(``[hume] port = ...``). :func:`resolve_with_sources` applies the precedence
*flags > environment > file > defaults* and validates every value once, with messages that
name where the bad value came from.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from mockserver.errors import ConfigError

__all__ = [
    "Resolved",
    "Setting",
    "SettingKind",
    "build_settings",
    "describe",
    "flatten_mapping",
    "markdown_table",
    "resolve_with_sources",
    "setting",
    "settings_table",
    "unknown_environment",
]

SettingKind = Literal["int", "float", "str", "bool", "list", "choice"]

T = TypeVar("T")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True, slots=True)
class Setting:
    """One configuration value.

    Args:
        key: Dotted name; the part before the first dot is the TOML table for vendor settings.
        kind: Value type. ``list`` values are lists of strings (repeatable flag,
            comma-separated environment variable, TOML array).
        default: Value used when no source sets it.
        help: One line for ``--help`` and the README reference.
        flag: Override of the derived ``--a-b`` flag name (e.g. singular for lists).
        choices: Allowed values for ``choice`` (strings), or for an ``int`` setting.
        minimum: Inclusive lower bound for numbers (or list length for ``list``).
        maximum: Inclusive upper bound for numbers.
        metavar: Placeholder shown in ``--help``.
        item_check: Name of an extra check for list items (``"cid:token"``).
        split: Whether a list's flag and environment values are comma-separated (off for
            values that may contain commas, such as inline YAML).
    """

    key: str
    kind: SettingKind
    default: Any
    help: str
    flag: str | None = None
    choices: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    metavar: str | None = None
    item_check: str | None = None
    split: bool = True

    @property
    def flag_name(self) -> str:
        return self.flag or "--" + self.key.replace(".", "-").replace("_", "-")

    @property
    def env_name(self) -> str:
        return "MOCKSERVER_" + self.key.replace(".", "_").upper()

    @property
    def dest(self) -> str:
        return self.key.replace(".", "__")

    def convert(self, raw: Any, source: str) -> Any:
        """Convert and validate ``raw`` (a string from flags/env, or a TOML/Python value)."""
        where = f"{source} {self._label(source)}"
        value = self._coerce(raw, where)
        self._check_bounds(value, where)
        return value

    def _label(self, source: str) -> str:
        if source == "flag":
            return self.flag_name
        if source == "environment":
            return self.env_name
        return self.key

    def _coerce(self, raw: Any, where: str) -> Any:
        kind = self.kind
        if kind == "bool":
            if isinstance(raw, bool):
                return raw
            if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
                return raw.strip().lower() in _TRUE
            raise ConfigError(f"{where}: expected true or false, got {raw!r}")
        if kind == "int":
            if isinstance(raw, bool):
                raise ConfigError(f"{where}: expected an integer, got {raw!r}")
            value: int | None = None
            if isinstance(raw, int):
                value = raw
            elif isinstance(raw, str):
                try:
                    value = int(raw.strip(), 10)
                except ValueError:
                    value = None
            if value is None:
                raise ConfigError(f"{where}: expected an integer, got {raw!r}")
            if self.choices and value not in self.choices:
                options = ", ".join(map(str, self.choices))
                raise ConfigError(f"{where}: expected one of {options}, got {raw!r}")
            return value
        if kind == "float":
            if isinstance(raw, bool):
                raise ConfigError(f"{where}: expected a number, got {raw!r}")
            try:
                number = float(raw) if isinstance(raw, int | float | str) else math.nan
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                raise ConfigError(f"{where}: expected a finite number, got {raw!r}")
            return number
        if kind == "str":
            if not isinstance(raw, str):
                raise ConfigError(f"{where}: expected a string, got {raw!r}")
            return raw
        if kind == "choice":
            if not isinstance(raw, str) or raw.strip().lower() not in self.choices:
                options = ", ".join(self.choices)
                raise ConfigError(f"{where}: expected one of {options}, got {raw!r}")
            return raw.strip().lower()
        # list
        if isinstance(raw, str):
            parts = raw.split(",") if self.split else [raw]
            items = [part.strip() for part in parts if part.strip()]
        elif isinstance(raw, list | tuple) and all(isinstance(i, str) for i in raw):
            items = list(raw)
        else:
            raise ConfigError(f"{where}: expected a list of strings, got {raw!r}")
        for item in items:
            self._check_item(item, where)
        return tuple(items)

    def _check_item(self, item: str, where: str) -> None:
        if not item:
            raise ConfigError(f"{where}: empty value in list")
        if self.item_check == "cid:token":
            cid, sep, token = item.partition(":")
            if not sep or not cid.strip().isdigit() or not token:
                raise ConfigError(f"{where}: expected CID:TOKEN with a numeric CID, got {item!r}")

    def _check_bounds(self, value: Any, where: str) -> None:
        if self.kind in ("int", "float"):
            if self.minimum is not None and value < self.minimum:
                raise ConfigError(f"{where}: must be >= {self.minimum:g}, got {value!r}")
            if self.maximum is not None and value > self.maximum:
                raise ConfigError(f"{where}: must be <= {self.maximum:g}, got {value!r}")
        if self.kind == "list" and self.minimum is not None and len(value) < self.minimum:
            raise ConfigError(f"{where}: needs at least {self.minimum:g} value(s)")


def flatten_mapping(mapping: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten ``{"hume": {"port": 1}}`` into ``{"hume.port": 1}``."""
    flat: dict[str, Any] = {}
    for key, value in mapping.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten_mapping(value, dotted + "."))
        else:
            flat[dotted] = value
    return flat


@dataclass(frozen=True)
class Resolved:
    """Resolved values by dotted key, and where each came from: ``default``, ``file``,
    ``environment`` (with the variable), ``flag`` (with the flag) or ``argument``."""

    values: dict[str, Any]
    sources: dict[str, str]


def _unknown_keys(label: str, keys: Iterable[str], known: Sequence[str]) -> ConfigError:
    """``unknown setting(s): x (did you mean y?)``, one suggestion per key."""
    described = []
    for key in sorted(keys):
        section, _, name = key.rpartition(".")
        same_section = [k.rpartition(".")[2] for k in known if k.rpartition(".")[0] == section]
        close = difflib.get_close_matches(name, same_section, n=1, cutoff=0.6)
        if not close:
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        described.append(key + hint)
    return ConfigError(f"{label}: unknown setting(s): {', '.join(described)}")


def unknown_environment(
    settings: Sequence[Setting], environ: Mapping[str, str], known: Iterable[str] = ()
) -> list[str]:
    """Warnings for ``MOCKSERVER_*`` variables that look like a mistyped setting: one per
    variable that is not a setting (nor in ``known``) but close to one."""
    names = {s.env_name for s in settings} | set(known)
    warnings = []
    for name in sorted(environ):
        if not name.startswith("MOCKSERVER_") or name in names:
            continue
        close = difflib.get_close_matches(name, sorted(names), n=1, cutoff=0.8)
        if close:
            warnings.append(
                f"environment variable {name} is not a setting and is ignored "
                f"(did you mean {close[0]}?)"
            )
    return warnings


def resolve_with_sources(
    settings: Sequence[Setting],
    *,
    flags: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    file_values: Mapping[str, Any] | None = None,
    file_label: str = "config file",
    python_values: Mapping[str, Any] | None = None,
    default_overrides: Mapping[str, Any] | None = None,
) -> Resolved:
    """Resolve every setting and say where each value came from; precedence python/flags >
    environment > file > defaults.

    Args:
        settings: The settings table.
        flags: Values given on the command line, by dotted key (absent = not given).
        environ: Environment (only ``MOCKSERVER_*`` names of known settings are read).
        file_values: Flattened TOML values by dotted key.
        file_label: How to name the file in error messages.
        python_values: Values passed from Python code, by dotted key (highest precedence).
        default_overrides: Replacement defaults (e.g. port 0 for in-process servers).

    Raises:
        ConfigError: unknown keys in the file or Python values (with a suggestion), or any
            invalid value.
    """
    by_key = {s.key: s for s in settings}
    known = sorted(by_key)
    for label, values in ((file_label, file_values), ("argument", python_values)):
        unknown = set(values or {}) - set(by_key)
        if unknown:
            raise _unknown_keys(label, unknown, known)
    resolved: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for setting in settings:
        key = setting.key
        if python_values and key in python_values:
            resolved[key] = setting.convert(python_values[key], "argument")
            sources[key] = "argument"
        elif flags and key in flags:
            resolved[key] = setting.convert(flags[key], "flag")
            sources[key] = f"flag {setting.flag_name}"
        elif environ and setting.env_name in environ:
            resolved[key] = setting.convert(environ[setting.env_name], "environment")
            sources[key] = f"environment {setting.env_name}"
        elif file_values and key in file_values:
            resolved[key] = setting.convert(file_values[key], file_label)
            sources[key] = file_label
        elif default_overrides and key in default_overrides:
            resolved[key] = default_overrides[key]
            sources[key] = "default"
        else:
            resolved[key] = setting.default
            sources[key] = "default"
    return Resolved(resolved, sources)


def describe(settings: Iterable[Setting]) -> list[tuple[str, str, str, str]]:
    """Rows of (flag, environment variable, default, help) for documentation."""
    rows = []
    for s in settings:
        default = ",".join(s.default) if isinstance(s.default, tuple) else str(s.default)
        if isinstance(s.default, bool):
            default = str(s.default).lower()
        rows.append((s.flag_name, s.env_name, default, s.help))
    return rows


def markdown_table(settings: Iterable[Setting]) -> str:
    """The configuration reference as a Markdown table (kept in README.md by a test)."""
    lines = [
        "| flag | environment variable | default | meaning |",
        "|---|---|---|---|",
    ]
    lines += [f"| `{f}` | `{e}` | `{d}` | {h} |" for f, e, d, h in describe(settings)]
    return "\n".join(lines)


# -- declaring a settings class ------------------------------------------------------------


def setting(
    default: Any,
    help: str,
    *,
    flag: str | None = None,
    choices: tuple[Any, ...] = (),
    minimum: float | None = None,
    maximum: float | None = None,
    metavar: str | None = None,
    item_check: str | None = None,
) -> Any:
    """Declare one field of a settings dataclass: its default and how users set it.

    The field's type gives the kind (``bool``, ``int``, ``float``, ``str``, or a
    ``tuple[str, ...]`` list); a ``str`` with ``choices`` is a choice. The dataclass is the
    one source of defaults: :func:`settings_table` derives the flags, environment
    variables and TOML keys from it.
    """
    meta = {
        "help": help,
        "flag": flag,
        "choices": choices,
        "minimum": minimum,
        "maximum": maximum,
        "metavar": metavar,
        "item_check": item_check,
    }
    return field(default=default, metadata={"setting": meta})


_KINDS: dict[Any, SettingKind] = {
    bool: "bool",
    int: "int",
    float: "float",
    str: "str",
    tuple[str, ...]: "list",
}


def settings_table(cls: type, prefix: str) -> tuple[Setting, ...]:
    """The :class:`Setting` rows of a settings dataclass declared with :func:`setting`,
    with keys ``<prefix>.<field>`` in field order."""
    hints = typing.get_type_hints(cls)
    rows: list[Setting] = []
    for f in dataclasses.fields(cls):
        meta = f.metadata.get("setting")
        if meta is None:
            continue
        kind = _KINDS[hints[f.name]]
        if kind == "str" and meta["choices"]:
            kind = "choice"
        rows.append(
            Setting(
                key=f"{prefix}.{f.name}",
                kind=kind,
                default=f.default,
                help=meta["help"],
                flag=meta["flag"],
                choices=meta["choices"],
                minimum=meta["minimum"],
                maximum=meta["maximum"],
                metavar=meta["metavar"],
                item_check=meta["item_check"],
            )
        )
    return tuple(rows)


def build_settings(cls: type[T], prefix: str, values: Mapping[str, Any]) -> T:
    """An instance of ``cls`` from resolved values keyed ``<prefix>.<field>``."""
    start = prefix + "."
    return cls(**{k[len(start) :]: v for k, v in values.items() if k.startswith(start)})
