"""Drive a HumeSession from a list of messages with a manual clock (no sockets)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from mockserver.core.clock import ManualClock
from mockserver.core.events import CloseConnection, InternalFailure, OutboundEvent, SendText
from mockserver.core.rng import SeedSource
from mockserver.vendors.hume.config import HumeSettings
from mockserver.vendors.hume.session import HumeSession

JOB_ID = "0123456789abcdef0123456789abcdef"


class SessionHarness:
    """A session plus helpers to send JSON and read the replies."""

    def __init__(self, seed: int = 0, **settings: Any) -> None:
        self.clock = ManualClock(100.0)
        self.session = HumeSession(
            settings=replace(HumeSettings(), **settings),
            clock=self.clock,
            seeds=SeedSource(seed),
            job_id=JOB_ID,
            connection_id="test",
        )
        self.events: list[OutboundEvent] = []

    def send_raw(self, text: str) -> list[OutboundEvent]:
        self.session.receive_text(text)
        events = self.session.events_to_send()
        self.events.extend(events)
        return events

    def send(self, message: Any) -> dict[str, Any]:
        """Send one JSON message and return the single JSON reply."""
        events = self.send_raw(json.dumps(message))
        replies = [e for e in events if isinstance(e, SendText)]
        assert len(replies) == 1, events
        result: dict[str, Any] = json.loads(replies[0].text)
        return result

    def closes(self) -> list[CloseConnection]:
        return [e for e in self.events if isinstance(e, CloseConnection)]

    def failures(self) -> list[InternalFailure]:
        return [e for e in self.events if isinstance(e, InternalFailure)]

    def advance(self, seconds: float) -> list[OutboundEvent]:
        self.clock.advance(seconds)
        self.session.tick(self.clock.now())
        events = self.session.events_to_send()
        self.events.extend(events)
        return events
