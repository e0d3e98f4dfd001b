"""Settings of the Hume emulator (flags ``--hume-*``, ``MOCKSERVER_HUME_*``, ``[hume]``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mockserver.settings import Setting

__all__ = ["SETTINGS", "HumeSettings"]

SETTINGS: tuple[Setting, ...] = (
    Setting("hume.enabled", "bool", True, "Serve the Hume streaming emulator."),
    Setting(
        "hume.port", "int", 8765, "WebSocket port (0 = any free port).", minimum=0, maximum=65535,
    ),
    Setting(
        "hume.api_keys", "list", ("mock-hume-key",),
        "Accepted API key (repeat the flag for several; env/file: comma list / array).",
        flag="--hume-api-key", metavar="KEY", minimum=1,
    ),
    Setting(
        "hume.inactivity_timeout_s", "float", 60.0,
        "Close a connection after this many seconds without a client message.", minimum=0.001,
    ),
    Setting(
        "hume.max_connection_s", "float", 0.0,
        "Close every connection after this many seconds (0 = no limit).", minimum=0,
    ),
    Setting(
        "hume.max_frame_bytes", "int", 16 * 1024 * 1024,
        "Largest accepted WebSocket message; larger ones close with 1009.", minimum=1024,
    ),
    Setting(
        "hume.handshake_rate_limit", "int", 50,
        "Handshakes per second per API key before HTTP 429 (0 = no limit).", minimum=0,
    ),
    Setting(
        "hume.repeated_error_limit", "int", 10,
        "Close the connection after this many identical errors (0 = never).", minimum=0,
    ),
    Setting(
        "hume.repeated_error_mode", "choice", "consecutive",
        "Count identical errors in a row (consecutive) or over the connection (total).",
        choices=("consecutive", "total"),
    ),
    Setting(
        "hume.missing_models", "choice", "reuse",
        "A payload without models reuses the connection's last models (reuse) or fails with "
        "E0101 (error).",
        choices=("reuse", "error"),
    ),
    Setting(
        "hume.time_reference", "choice", "stream",
        "Audio prediction times count from the start of the stream (stream) or of the "
        "processed window (window).",
        choices=("stream", "window"),
    ),
    Setting(
        "hume.accept_data_urls", "bool", False,
        "Strip a leading 'data:<mime>;base64,' from data instead of answering E0201.",
    ),
    Setting(
        "hume.compression", "bool", False,
        "Negotiate permessage-deflate (off by default: it triples memory per connection).",
    ),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class HumeSettings:
    """Resolved Hume settings; see :data:`SETTINGS` for meanings and defaults."""

    enabled: bool = True
    port: int = 8765
    api_keys: tuple[str, ...] = ("mock-hume-key",)
    inactivity_timeout_s: float = 60.0
    max_connection_s: float = 0.0
    max_frame_bytes: int = 16 * 1024 * 1024
    handshake_rate_limit: int = 50
    repeated_error_limit: int = 10
    repeated_error_mode: str = "consecutive"
    missing_models: str = "reuse"
    time_reference: str = "stream"
    accept_data_urls: bool = False
    compression: bool = False

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> HumeSettings:
        """Build from resolved values keyed ``hume.<name>``."""
        prefix = "hume."
        return cls(**{k[len(prefix) :]: v for k, v in values.items() if k.startswith(prefix)})
