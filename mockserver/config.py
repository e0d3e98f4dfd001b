"""Server configuration: core settings plus each vendor's, resolved once from all sources.

Precedence: command-line flags > ``MOCKSERVER_*`` environment variables > TOML file >
defaults. Python callers pass values directly (highest precedence).
"""

from __future__ import annotations

import ipaddress
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .core.limits import Limits
from .errors import ConfigError
from .registry import VendorSpec, default_vendors
from .settings import Setting, flatten_mapping, resolve_with_sources

__all__ = ["CORE_SETTINGS", "ServerConfig", "all_settings", "load_toml"]

#: TLS, the state directory and readiness (flags, environment variables and TOML keys like
#: every setting); kept in one block so that the table below stays easy to merge.
_REACH_SETTINGS: tuple[Setting, ...] = (
    Setting(
        "tls", "bool", False,
        "Serve every listener over TLS (wss, https, grpcs) with a certificate for "
        "localhost, 127.0.0.1, ::1 and the vendors' hostnames (see mockserver ca).",
    ),
    Setting(
        "tls_hostnames", "list", (),
        "Another name for the TLS certificate (repeat the flag for several).",
        flag="--tls-hostname", metavar="NAME",
    ),
    Setting(
        "tls_cert", "str", "",
        "PEM certificate chain to serve instead of one issued by the local CA "
        "(with --tls-key).",
        metavar="FILE",
    ),
    Setting("tls_key", "str", "", "PEM private key of --tls-cert.", metavar="FILE"),
    Setting(
        "state_dir", "str", "",
        "Directory of the local CA and issued certificates (empty = the user's cache "
        "directory, ~/.cache/affect-mockserver on Linux).",
        metavar="DIR",
    ),
    Setting(
        "ready_file", "str", "",
        "Write every bound URL, port and credential to this JSON file once all listeners "
        "accept (written, then renamed).",
        metavar="PATH",
    ),
)  # fmt: skip

CORE_SETTINGS: tuple[Setting, ...] = (
    Setting("host", "str", "127.0.0.1", "Address every listener binds (loopback).", metavar="ADDR"),
    Setting("seed", "int", 0, "Seed of every generated id and prediction.", metavar="N"),
    Setting(
        "log_level", "choice", "info", "Logging level.",
        choices=("debug", "info", "warning", "error"),
    ),
    Setting(
        "journal_max_entries", "int", 100_000,
        "Journal capacity; the oldest entries are dropped beyond it (0 = unlimited).", minimum=0,
    ),
    # -- reliability limits (docs/reliability.md) --
    Setting(
        "journal_max_bytes", "int", 256 * 1024 * 1024,
        "Journal size cap in bytes (approximate NDJSON size); the oldest entries are dropped "
        "beyond it (0 = unlimited).", minimum=0,
    ),
    Setting(
        "handshake_timeout_s", "float", 10.0,
        "Close a connection whose WebSocket handshake or gRPC connection preface is not "
        "complete after this many seconds.", minimum=0.001,
    ),
    Setting(
        "keepalive_timeout_s", "float", 75.0,
        "Close an HTTP connection with no request in progress (idle keep-alive, or request "
        "headers still incomplete) after this many seconds.", minimum=0.001,
    ),
    Setting(
        "body_timeout_s", "float", 60.0,
        "Answer HTTP 408 and close when a request body has not fully arrived this many "
        "seconds after its headers.", minimum=0.001,
    ),
    Setting(
        "max_connections", "int", 5000,
        "Live WebSocket connections, gRPC calls or HTTP requests per listener; more are "
        "refused (HTTP 503, gRPC RESOURCE_EXHAUSTED) (0 = no limit).", minimum=0,
    ),
    Setting(
        "decode_budget_bytes", "int", 256 * 1024 * 1024,
        "Bytes of large client messages decoded at once, server-wide; a message beyond it is "
        "refused (WebSocket close 1013, gRPC RESOURCE_EXHAUSTED, HTTP 503) (0 = no limit).",
        minimum=0,
    ),
    Setting("workers", "int", 4, "Worker threads for media decoding and detection.", minimum=1),
    Setting(
        "allow_non_loopback", "bool", False,
        "Allow binding a non-loopback address (the emulator has no real security).",
    ),
    Setting(
        "scenarios", "list", (),
        "Scenario file to load at start, or builtin:NAME for one shipped with the package "
        "(repeat the flag for several).",
        flag="--scenario", metavar="FILE",
    ),
    Setting(
        "scenario_texts", "list", (),
        "Scenario given inline as YAML or JSON text, loaded at start (repeat for several).",
        flag="--scenario-text", metavar="YAML", split=False,
    ),
    Setting("admin_enabled", "bool", True, "Serve the admin API on loopback."),
    Setting(
        "admin_port", "int", 8790, "Admin API port (0 = any free port).",
        minimum=0, maximum=65535, metavar="PORT",
    ),
    Setting(
        "admin_token", "str", "",
        "Bearer token the admin API requires except on GET /health and /ui (empty = none).",
        metavar="TOKEN",
    ),
    *_REACH_SETTINGS,
)  # fmt: skip


def all_settings(vendors: Sequence[VendorSpec] | None = None) -> tuple[Setting, ...]:
    """Core settings followed by every vendor's, in registry order."""
    out = list(CORE_SETTINGS)
    for vendor in default_vendors() if vendors is None else vendors:
        out.extend(vendor.table)
    return tuple(out)


def load_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML config file into dotted keys; raise ConfigError with a clear message."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read config file {file}: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {file} is not valid TOML: {exc}") from None
    return flatten_mapping(data)


@dataclass(frozen=True)
class ServerConfig:
    """Everything a :class:`~mockserver.server.MockServer` needs to start."""

    host: str = "127.0.0.1"
    seed: int = 0
    log_level: str = "info"
    journal_max_entries: int = 100_000
    journal_max_bytes: int = 256 * 1024 * 1024
    handshake_timeout_s: float = 10.0
    keepalive_timeout_s: float = 75.0
    body_timeout_s: float = 60.0
    max_connections: int = 5000
    decode_budget_bytes: int = 256 * 1024 * 1024
    workers: int = 4
    allow_non_loopback: bool = False
    scenarios: tuple[str, ...] = ()  # scenario files (or builtin:NAME) loaded at start
    scenario_texts: tuple[str, ...] = ()  # inline scenarios loaded at start
    admin_enabled: bool = True
    admin_port: int = 8790
    admin_token: str = ""
    tls: bool = False  # serve every listener over TLS
    tls_hostnames: tuple[str, ...] = ()  # extra names on the issued certificate
    tls_cert: str = ""  # the user's certificate chain (PEM), instead of the local CA's
    tls_key: str = ""  # its private key
    state_dir: str = ""  # local CA and certificates ("" = the user's cache directory)
    ready_file: str = ""  # readiness JSON written once every listener accepts
    vendors: Mapping[str, Any] = field(default_factory=dict)  # vendor name -> settings object
    registry: tuple[VendorSpec, ...] = ()  # the vendors these settings are for
    sources: Mapping[str, str] = field(default_factory=dict)  # dotted key -> where it came from

    def vendor(self, name: str) -> Any:
        """The settings object of vendor ``name``."""
        return self.vendors[name]

    def __getattr__(self, name: str) -> Any:
        """``config.<vendor>``: the settings object of a vendor (``config.hume.port``)."""
        vendors = self.__dict__.get("vendors", {})
        if name in vendors:
            return vendors[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @classmethod
    def resolve(
        cls,
        *,
        flags: Mapping[str, Any] | None = None,
        environ: Mapping[str, str] | None = None,
        config_file: str | Path | None = None,
        python_values: Mapping[str, Any] | None = None,
        ephemeral_ports: bool = False,
        vendors: Sequence[VendorSpec] | None = None,
    ) -> ServerConfig:
        """Resolve all settings from every source (see module docstring).

        Args:
            flags: Command-line values by dotted key.
            environ: Process environment (``MOCKSERVER_*`` names are read).
            config_file: TOML file path.
            python_values: Values from Python code, nested (``{"hume": {"port": 0}}``) or
                dotted (``{"hume.port": 0}``).
            ephemeral_ports: Default every port to 0 (in-process servers for tests).
            vendors: The registry entries to configure (default: the built-in vendors).
        """
        registry = default_vendors() if vendors is None else tuple(vendors)
        settings = all_settings(registry)
        file_values = load_toml(config_file) if config_file else None
        file_label = f"config file {config_file}"
        overrides = (
            {s.key: 0 for s in settings if s.key.endswith("port")} if ephemeral_ports else None
        )
        resolved = resolve_with_sources(
            settings,
            flags=flags,
            environ=environ,
            file_values=file_values,
            file_label=file_label,
            python_values=flatten_mapping(python_values) if python_values else None,
            default_overrides=overrides,
        )
        values = resolved.values
        config = cls(
            host=values["host"],
            seed=values["seed"],
            log_level=values["log_level"],
            journal_max_entries=values["journal_max_entries"],
            journal_max_bytes=values["journal_max_bytes"],
            handshake_timeout_s=values["handshake_timeout_s"],
            keepalive_timeout_s=values["keepalive_timeout_s"],
            body_timeout_s=values["body_timeout_s"],
            max_connections=values["max_connections"],
            decode_budget_bytes=values["decode_budget_bytes"],
            workers=values["workers"],
            allow_non_loopback=values["allow_non_loopback"],
            scenarios=values["scenarios"],
            scenario_texts=values["scenario_texts"],
            admin_enabled=values["admin_enabled"],
            admin_port=values["admin_port"],
            admin_token=values["admin_token"],
            **{setting.key: values[setting.key] for setting in _REACH_SETTINGS},
            vendors={v.name: v.build_settings(values) for v in registry},
            registry=registry,
            sources=resolved.sources,
        )
        config.check()
        return config

    def limits(self) -> Limits:
        """The timeouts and ceilings every listener applies."""
        return Limits(
            handshake_timeout_s=self.handshake_timeout_s,
            keepalive_timeout_s=self.keepalive_timeout_s,
            body_timeout_s=self.body_timeout_s,
            max_connections=self.max_connections,
            decode_budget_bytes=self.decode_budget_bytes,
        )

    def port_flags(self) -> dict[int, str]:
        """Every fixed port (not 0) with the flag that sets it."""
        flags: dict[int, str] = {}
        if self.admin_enabled and self.admin_port:
            flags[self.admin_port] = "--admin-port"
        for vendor in self.registry:
            for name, port in vendor.ports(self.vendors[vendor.name]).items():
                if port:
                    flags.setdefault(port, name)
        return flags

    def check(self) -> None:
        """Cross-field checks: loopback host (or an admin token), distinct fixed ports."""
        if not self.allow_non_loopback and not _is_loopback(self.host):
            raise ConfigError(
                f"host {self.host!r} is not a loopback address; the emulator accepts any "
                "client without real security. Use 127.0.0.1 or ::1, or set "
                "--allow-non-loopback if you really mean it."
            )
        _check_exposed_admin(self)
        seen: dict[int, str] = {}
        if self.admin_enabled and self.admin_port:
            seen[self.admin_port] = "--admin-port"
        for vendor in self.registry:
            for name, port in vendor.ports(self.vendors[vendor.name]).items():
                if port and port in seen:
                    raise ConfigError(f"{name} and {seen[port]} both use port {port}")
                if port:
                    seen[port] = name


def _check_exposed_admin(config: ServerConfig) -> None:
    """An admin API reachable from other machines must require a token: it can reset the
    server, read the journal and inject faults."""
    if config.admin_enabled and not config.admin_token and not _is_loopback(config.host):
        raise ConfigError(
            f"host {config.host!r} exposes the admin API beyond this machine, so it needs a "
            "token: set --admin-token TOKEN (or MOCKSERVER_ADMIN_TOKEN), or turn the admin "
            "API off with --no-admin-enabled"
        )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
