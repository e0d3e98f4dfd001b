"""The event loop the emulators run on: uvloop when it is installed, asyncio's otherwise.

``mockserver serve`` and ``mockserver exec``, and the background thread of
:meth:`MockServer.start <mockserver.server.MockServer.start>` (the pytest plugin's), create
their loop here from the ``event_loop`` setting:

* ``auto`` (the default): uvloop if it can be imported (``pip install
  'affect-mockserver[fast]'``), else the standard library's loop;
* ``uvloop``: uvloop, or a clear error naming the extra that installs it;
* ``asyncio``: the standard library's loop.

``make bench`` measured uvloop at about 8 % less server CPU per Hume message
(docs/performance.md). A server started with ``await MockServer().astart()`` runs on the
caller's loop, whatever it is.
"""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from mockserver.optional import optional_import

__all__ = ["EVENT_LOOPS", "loop_factory", "loop_name", "run"]

T = TypeVar("T")

#: The values of the ``event_loop`` setting.
EVENT_LOOPS = ("auto", "uvloop", "asyncio")


def _uvloop_installed() -> bool:
    return importlib.util.find_spec("uvloop") is not None


def loop_name(choice: str) -> str:
    """The loop ``choice`` resolves to: ``"uvloop"`` or ``"asyncio"``."""
    if choice not in EVENT_LOOPS:
        raise ValueError(f"event_loop must be one of {', '.join(EVENT_LOOPS)}, not {choice!r}")
    if choice == "auto":
        return "uvloop" if _uvloop_installed() else "asyncio"
    return choice


def loop_factory(choice: str) -> Callable[[], asyncio.AbstractEventLoop]:
    """A function that creates a new event loop of the kind ``choice`` resolves to.

    Raises:
        ModuleNotFoundError: ``choice`` is ``"uvloop"`` and uvloop is not installed (the
            message names the extra to install).
    """
    if loop_name(choice) == "uvloop":
        uvloop = optional_import("uvloop", extra="fast", needed_for="event_loop = 'uvloop'")
        new_loop: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
        return new_loop
    return asyncio.new_event_loop


def run(coro: Coroutine[Any, Any, T], choice: str) -> T:
    """``asyncio.run(coro)`` on a new loop of the kind ``choice`` resolves to."""
    with asyncio.Runner(loop_factory=loop_factory(choice)) as runner:
        return runner.run(coro)
