"""Exceptions raised to the *developer* (bad configuration, bad scenario, misuse).

Errors a *client* causes never become Python exceptions in the caller: each vendor turns
them into its documented wire error (see ``mockserver/vendors/<vendor>/errors.py``).
"""

from __future__ import annotations

__all__ = ["ConfigError", "ListenError", "MockServerError", "ScenarioError", "ServerFailure"]


class MockServerError(Exception):
    """Root of every exception the package raises on purpose."""


class ConfigError(MockServerError):
    """A setting, flag, environment variable or config file is invalid."""


class ListenError(MockServerError):
    """A listener could not bind its address (the port is taken, or not allowed).

    The server turns it into a :class:`ConfigError` naming the setting's flag.
    """

    def __init__(self, host: str, port: int, reason: str, *, in_use: bool) -> None:
        super().__init__(f"cannot listen on {host}:{port}: {reason}")
        self.host = host
        self.port = port
        self.reason = reason
        self.in_use = in_use  # the address is already in use


class ScenarioError(MockServerError):
    """A scenario or fault definition is invalid (names the file and the field)."""


class ServerFailure(MockServerError):
    """The server hit internal errors while serving; raised by :meth:`MockServer.check`."""

    def __init__(self, failures: list[tuple[str, BaseException]]) -> None:
        lines = [f"{len(failures)} internal error(s) inside the mock server:"]
        for where, exc in failures:
            lines.append(f"  - {where}: {type(exc).__name__}: {exc}")
        super().__init__("\n".join(lines))
        self.failures = failures  # (where, exception) pairs in the order they happened
