"""Adapters that pump messages between sockets and the sans-I/O sessions."""

from __future__ import annotations

import errno
import socket

from mockserver.errors import ListenError

__all__ = ["authority", "client_authority", "listen_error", "probe_port", "scheme"]

#: Bind addresses that mean "every interface", and the loopback address a local client uses.
_WILDCARDS = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1", "[::]": "::1"}


def authority(host: str, port: int) -> str:
    """``host:port`` for a URL or a gRPC target, with an IPv6 host in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def listen_error(host: str, port: int, exc: OSError) -> ListenError:
    """A bind failure as the error the server turns into a message naming the flag."""
    in_use = exc.errno == errno.EADDRINUSE
    return ListenError(host, port, exc.strerror or str(exc), in_use=in_use)


def probe_port(host: str, port: int) -> None:
    """Fail with :class:`ListenError` if ``host:port`` cannot be bound now (a library that
    reports bind failures badly, such as gRPC's C core, is asked only after this)."""
    if port == 0:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as exc:
            raise listen_error(host, port, exc) from None


def client_authority(host: str, port: int) -> str:
    """The :func:`authority` a client connects to: a wildcard bind address (``0.0.0.0``,
    ``::``) becomes the loopback address (clients on other machines use this machine's
    address instead)."""
    return authority(_WILDCARDS.get(host, host), port)


def scheme(plain: str, secure: bool) -> str:
    """``ws``/``http`` or, on a TLS listener, ``wss``/``https``."""
    return plain + "s" if secure else plain
