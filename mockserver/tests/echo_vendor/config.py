"""Settings of the echo vendor (``--echo-*``, ``MOCKSERVER_ECHO_*``, ``[echo]``)."""

from __future__ import annotations

from dataclasses import dataclass

from mockserver.settings import setting

__all__ = ["EchoSettings"]


@dataclass(frozen=True, slots=True)
class EchoSettings:
    """Resolved echo settings (the one source of their defaults)."""

    enabled: bool = setting(True, "Serve the echo API.")
    port: int = setting(8799, "WebSocket port (0 = any free port).", minimum=0, maximum=65535)
    keys: tuple[str, ...] = setting(
        ("echo-key",), "Accepted X-Echo-Key (repeat the flag for several).", flag="--echo-key"
    )
    idle_s: float = setting(60.0, "Close a connection after this many idle seconds.", minimum=0.01)
    shout: bool = setting(False, "Echo in upper case.")
