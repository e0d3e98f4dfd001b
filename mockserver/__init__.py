"""affect-mockserver: faithful local emulators of streaming emotion-AI APIs.

Start the emulators in-process::

    from mockserver import MockServer

    with MockServer(seed=1) as server:
        print(server.hume.url)

The heavy parts (media decoders, the transports) load on first use, so importing this
package is cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .version import __version__

__all__ = [
    "ConfigError",
    "Journal",
    "JournalEntry",
    "MockServer",
    "MockServerError",
    "ServerConfig",
    "ServerFailure",
    "__version__",
]

if TYPE_CHECKING:
    from .config import ServerConfig
    from .errors import ConfigError, MockServerError, ServerFailure
    from .journal import Journal, JournalEntry
    from .server import MockServer

_LAZY = {
    "ConfigError": ".errors",
    "MockServerError": ".errors",
    "ServerFailure": ".errors",
    "Journal": ".journal",
    "JournalEntry": ".journal",
    "MockServer": ".server",
    "ServerConfig": ".config",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mockserver' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value
