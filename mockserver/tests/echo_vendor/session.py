"""One echo connection, as a sans-I/O session (driven by the shared Connection core)."""

from __future__ import annotations

import json
from collections.abc import Callable

from mockserver.core.clock import Clock
from mockserver.core.events import CloseConnection, OutboundEvent, SendText

from .config import EchoSettings
from .scenario_part import EchoScript

__all__ = ["EchoSession"]


class EchoSession:
    """Echo every text frame; ``bye`` closes; idle connections close."""

    def __init__(
        self,
        settings: EchoSettings,
        clock: Clock,
        script: Callable[[], EchoScript | None],
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._script = script
        self._outbox: list[OutboundEvent] = []
        self._last = clock.now()
        self._count = 0
        self._open = True

    def receive(self, message: str | bytes) -> None:
        if not self._open:
            return
        self._last = self._clock.now()
        text = message if isinstance(message, str) else message.decode("utf-8", "replace")
        if text == "bye":
            self._close("bye")
            return
        self._count += 1
        script = self._script()
        scripted = script.reply(text) if script is not None else None
        echoed = text.upper() if self._settings.shout else text
        reply = scripted if scripted is not None else echoed
        self._outbox.append(SendText(json.dumps({"echo": reply, "n": self._count})))

    def receive_end(self) -> None:
        """No half-close on WebSocket."""

    def connection_lost(self, code: int | None = None, reason: str | None = None) -> None:
        self._open = False

    def shutdown(self) -> None:
        """No goodbye message."""

    def next_deadline(self) -> float | None:
        return self._last + self._settings.idle_s if self._open else None

    def tick(self, now: float) -> None:
        if self._open and now >= self._last + self._settings.idle_s:
            self._close("idle")

    def events_to_send(self) -> list[OutboundEvent]:
        events, self._outbox = self._outbox, []
        return events

    def _close(self, reason: str) -> None:
        self._open = False
        self._outbox.append(CloseConnection(1000, reason))
