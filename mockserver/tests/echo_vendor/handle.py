"""The echo vendor's pytest handle (fixture ``mock_echo``)."""

from __future__ import annotations

from typing import Any

from mockserver.controls import ServerControls

__all__ = ["EchoHandle"]


class EchoHandle:
    """URL and key of the test's echo emulator, and a connected raw client."""

    def __init__(self, server: ServerControls) -> None:
        self.endpoint = server.service("echo").endpoint

    def connect(self) -> Any:
        """A ``websockets`` sync client connected with the key."""
        from websockets.sync.client import connect  # noqa: PLC0415  only when a test connects

        return connect(self.endpoint.url, additional_headers={"X-Echo-Key": self.endpoint.key})

    def close(self) -> None:
        """Nothing to release."""
