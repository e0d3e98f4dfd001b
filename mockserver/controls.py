"""What the control surfaces (the admin API, the dashboard) read and control of a server.

``MockServer`` provides it; the surfaces depend on this protocol, never on the server
module, so the server can build them without an import cycle.
"""

from __future__ import annotations

from typing import Any, Protocol

from .config import ServerConfig
from .journal import Journal
from .runtime import ConnectionRecord, Runtime

__all__ = ["ServerControls"]


class ServerControls(Protocol):
    """What the admin API reads and controls (``MockServer`` provides it)."""

    @property
    def config(self) -> ServerConfig: ...
    @property
    def runtime(self) -> Runtime: ...
    @property
    def journal(self) -> Journal: ...

    @property
    def ready(self) -> bool: ...

    def service(self, name: str) -> Any: ...
    def connections(self) -> list[ConnectionRecord]: ...
    def reset(self) -> None: ...
    def load_scenario(self, source: Any) -> Any: ...
    def clear_scenarios(self) -> None: ...
    def add_faults(self, specs: Any) -> list[Any]: ...
    def clear_faults(self) -> None: ...
