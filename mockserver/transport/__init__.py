"""Adapters that pump messages between sockets and the sans-I/O sessions."""

from __future__ import annotations

__all__ = ["authority"]


def authority(host: str, port: int) -> str:
    """``host:port`` for a URL or a gRPC target, with an IPv6 host in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
