"""Drive a Behavioral Signals StreamSession from a list, with a manual clock (no sockets)."""

from __future__ import annotations

import wave
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from mockserver.core.clock import ManualClock
from mockserver.core.events import EndCall, OutboundEvent, SendMessage
from mockserver.core.rng import SeedSource
from mockserver.resources import fixture_path
from mockserver.vendors.behavioral.codec import AudioConfigData, AudioStreamData
from mockserver.vendors.behavioral.config import BehavioralSettings
from mockserver.vendors.behavioral.projects import Project, ProjectRegistry
from mockserver.vendors.behavioral.results import InferenceResult, StreamResult
from mockserver.vendors.behavioral.session import StreamSession
from mockserver.vendors.behavioral.slots import StreamSlots

CID, TOKEN = 1000, "tok"


@dataclass
class FakeProcesses:
    """Records what the session tells the process store."""

    opened: list[tuple[int, str]] = field(default_factory=list)
    closed: dict[int, tuple[list[InferenceResult], float]] = field(default_factory=dict)
    outcomes: dict[int, tuple[int, str]] = field(default_factory=dict)

    def open_stream(self, *, cid: int, namespace: Literal["behavioral", "detection"]) -> int:
        self.opened.append((cid, namespace))
        return 40 + len(self.opened)

    def close_stream(self, pid: int, *, results: list[InferenceResult], duration_s: float) -> None:
        assert pid not in self.closed, "closed twice"
        self.closed[pid] = (results, duration_s)

    def set_outcome(self, pid: int, status: int, message: str) -> None:
        self.outcomes[pid] = (status, message)


def pcm_of(name: str) -> tuple[bytes, int]:
    with wave.open(str(fixture_path(f"media/{name}")), "rb") as w:
        return w.readframes(w.getnframes()), w.getframerate()


def config(rate: int = 16000, **fields: Any) -> AudioConfigData:
    base = AudioConfigData(encoding=0, sample_rate_hertz=rate, level=None, logits=None,
                           feature_embedding=None)  # fmt: skip
    return replace(base, **fields)


def message(audio: bytes = b"", cfg: AudioConfigData | None = None, *, cid: int = CID,
            token: str = TOKEN) -> AudioStreamData:  # fmt: skip
    return AudioStreamData(cid=cid, x_auth_token=token, config=cfg, audio_content=audio)


class StreamHarness:
    def __init__(self, method: str = "StreamAudio", *, slots: StreamSlots | None = None,
                 **settings: Any) -> None:  # fmt: skip
        self.clock = ManualClock(10.0)
        self.processes = FakeProcesses()
        self.session = StreamSession(
            method=method,
            settings=replace(BehavioralSettings(), **settings),
            clock=self.clock,
            seeds=SeedSource(0),
            projects=ProjectRegistry([Project(CID, TOKEN), Project(2000, "other")]),
            slots=slots or StreamSlots(10),
            processes=self.processes,
            call_id="test",
        )
        self.events: list[OutboundEvent] = []

    def send(self, *messages: AudioStreamData) -> list[OutboundEvent]:
        new: list[OutboundEvent] = []
        for m in messages:
            self.session.receive(m)
            new += self.session.events_to_send()
        self.events += new
        return new

    def end(self) -> list[OutboundEvent]:
        self.session.receive_end()
        new = self.session.events_to_send()
        self.events += new
        return new

    def advance(self, seconds: float) -> list[OutboundEvent]:
        self.clock.advance(seconds)
        self.session.tick(self.clock.now())
        new = self.session.events_to_send()
        self.events += new
        return new

    def results(self) -> list[StreamResult]:
        return [e.message for e in self.events if isinstance(e, SendMessage)]

    def status(self) -> EndCall | None:
        ends = [e for e in self.events if isinstance(e, EndCall)]
        assert len(ends) <= 1
        return ends[0] if ends else None

    def stream_file(
        self, name: str, *, chunk: int = 8000, cfg: AudioConfigData | None = None
    ) -> None:
        pcm, rate = pcm_of(name)
        self.send(message(cfg=cfg or config(rate)))
        self.send(*(message(pcm[i : i + chunk]) for i in range(0, len(pcm), chunk)))


def levels(results: list[StreamResult]) -> list[str | None]:
    return [r.result[0].level for r in results]


def samples_seconds(results: list[StreamResult]) -> list[tuple[float, float]]:
    return [(float(r.result[0].start_time), float(r.result[0].end_time)) for r in results]


__all__ = ["CID", "TOKEN", "FakeProcesses", "StreamHarness", "config", "levels", "message",
           "np", "pcm_of", "samples_seconds"]  # fmt: skip
