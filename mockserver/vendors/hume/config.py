"""Settings of the Hume emulator (flags ``--hume-*``, ``MOCKSERVER_HUME_*``, ``[hume]``).

:class:`HumeSettings` is the one source of the defaults: the settings table (flags,
environment variables, TOML keys) is derived from its fields.
"""

from __future__ import annotations

from dataclasses import dataclass

from mockserver.settings import Setting, setting, settings_table

__all__ = ["SETTINGS", "HumeSettings"]


@dataclass(frozen=True, slots=True)
class HumeSettings:
    """Resolved Hume settings."""

    enabled: bool = setting(True, "Serve the Hume streaming emulator.")
    port: int = setting(8765, "WebSocket port (0 = any free port).", minimum=0, maximum=65535)
    api_keys: tuple[str, ...] = setting(
        ("mock-hume-key",),
        "Accepted API key (repeat the flag for several; env/file: comma list / array).",
        flag="--hume-api-key",
        metavar="KEY",
        minimum=1,
    )
    inactivity_timeout_s: float = setting(
        60.0,
        "Close a connection after this many seconds without a client message.",
        minimum=0.001,
    )
    max_connection_s: float = setting(
        0.0, "Close every connection after this many seconds (0 = no limit).", minimum=0
    )
    max_frame_bytes: int = setting(
        16 * 1024 * 1024,
        "Largest accepted WebSocket message; larger ones close with 1009.",
        minimum=1024,
    )
    handshake_rate_limit: int = setting(
        50, "Handshakes per second per API key before HTTP 429 (0 = no limit).", minimum=0
    )
    repeated_error_limit: int = setting(
        10, "Close the connection after this many identical errors (0 = never).", minimum=0
    )
    repeated_error_mode: str = setting(
        "consecutive",
        "Count identical errors in a row (consecutive) or over the connection (total).",
        choices=("consecutive", "total"),
    )
    missing_models: str = setting(
        "reuse",
        "A payload without models reuses the connection's last models (reuse) or fails with "
        "E0101 (error).",
        choices=("reuse", "error"),
    )
    time_reference: str = setting(
        "stream",
        "Audio prediction times count from the start of the stream (stream) or of the "
        "processed window (window).",
        choices=("stream", "window"),
    )
    accept_data_urls: bool = setting(
        False, "Strip a leading 'data:<mime>;base64,' from data instead of answering E0201."
    )
    compression: bool = setting(
        False, "Negotiate permessage-deflate (off by default: it triples memory per connection)."
    )


SETTINGS: tuple[Setting, ...] = settings_table(HumeSettings, "hume")
