"""Adapters that pump messages between sockets and the sans-I/O sessions."""

from __future__ import annotations

__all__ = ["authority", "client_authority", "scheme"]

#: Bind addresses that mean "every interface", and the loopback address a local client uses.
_WILDCARDS = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1", "[::]": "::1"}


def authority(host: str, port: int) -> str:
    """``host:port`` for a URL or a gRPC target, with an IPv6 host in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def client_authority(host: str, port: int) -> str:
    """The :func:`authority` a client connects to: a wildcard bind address (``0.0.0.0``,
    ``::``) becomes the loopback address (clients on other machines use this machine's
    address instead)."""
    return authority(_WILDCARDS.get(host, host), port)


def scheme(plain: str, secure: bool) -> str:
    """``ws``/``http`` or, on a TLS listener, ``wss``/``https``."""
    return plain + "s" if secure else plain
