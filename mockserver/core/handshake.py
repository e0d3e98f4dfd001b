"""Sans-I/O view of a WebSocket opening handshake and the gate's verdict."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["HandshakeAccept", "HandshakeReject", "HandshakeRequest"]


@dataclass(frozen=True, slots=True)
class HandshakeRequest:
    """The HTTP upgrade request as the gate sees it."""

    target: str  # request target, path plus query, e.g. "/v0/stream/models?apikey=k"
    headers: Sequence[tuple[str, str]]  # in wire order, names as sent

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.target).query, keep_blank_values=True)

    def header(self, name: str) -> str | None:
        """First value of header ``name`` (case-insensitive), or None."""
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None


@dataclass(frozen=True, slots=True)
class HandshakeAccept:
    """Open the WebSocket. ``context`` is handed to the session factory (e.g. the API key)."""

    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class HandshakeReject:
    """Refuse the upgrade with an HTTP response."""

    status: int
    body: str
    content_type: str = "application/json"
