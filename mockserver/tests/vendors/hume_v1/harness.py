"""Drive the v1 sessions and router from lists, with a manual clock (no sockets)."""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import replace
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image

from mockserver.core.clock import ManualClock
from mockserver.core.events import CloseConnection, InternalFailure, OutboundEvent, SendText
from mockserver.core.http import RestRequest, UploadedFile
from mockserver.core.rng import SeedSource
from mockserver.resources import fixture_path
from mockserver.vendors.hume_v1.config import HumeV1Settings
from mockserver.vendors.hume_v1.formats import upload_pcm
from mockserver.vendors.hume_v1.labels import CONFIRMED, LabelSet
from mockserver.vendors.hume_v1.rest import RestApi
from mockserver.vendors.hume_v1.runs import RunStore
from mockserver.vendors.hume_v1.session import AudioSession, VideoSession

KEY = "mock-hume-key"
START = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)


class Wall:
    """A wall clock that follows a :class:`ManualClock`."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.origin = clock.now()

    def __call__(self) -> dt.datetime:
        return START + dt.timedelta(seconds=self.clock.now() - self.origin)


class Backend:
    """A run store, a router and session factories sharing one clock and seed."""

    def __init__(self, seed: int = 0, labels: LabelSet = CONFIRMED, **settings: Any) -> None:
        self.clock = ManualClock(1000.0)
        self.wall = Wall(self.clock)
        self.seeds = SeedSource(seed)
        self.settings = replace(HumeV1Settings(), **settings)
        self.labels = labels
        self.runs = RunStore(
            clock=self.clock,
            wall=self.wall,
            seeds=self.seeds,
            silence_s=self.settings.run_silence_s,
            event_cap=self.settings.run_event_cap,
            max_runs=self.settings.max_runs,
        )
        self.rest = RestApi(
            settings=self.settings,
            labels=labels,
            runs=self.runs,
            seeds=self.seeds,
            wall=self.wall,
        )

    def audio(self) -> SessionHarness:
        return SessionHarness(self, AudioSession)

    def video(self) -> SessionHarness:
        return SessionHarness(self, VideoSession)


class SessionHarness:
    """A session plus helpers that feed it and collect what it sends."""

    def __init__(self, backend: Backend, kind: type[AudioSession] | type[VideoSession]) -> None:
        self.backend = backend
        self.clock = backend.clock
        self.session = kind(
            settings=backend.settings,
            clock=backend.clock,
            seeds=backend.seeds,
            labels=backend.labels,
            runs=backend.runs,
            user_id="user-1",
            connection_id="test",
        )
        self.events: list[OutboundEvent] = []
        self.drain()

    def drain(self) -> list[OutboundEvent]:
        events = self.session.events_to_send()
        self.events.extend(events)
        return events

    def text(self, message: Any) -> list[dict[str, Any]]:
        """Send a text frame (a dict is sent as JSON); return the JSON replies."""
        self.session.receive_text(message if isinstance(message, str) else json.dumps(message))
        return replies(self.drain())

    def binary(self, data: bytes) -> list[dict[str, Any]]:
        self.session.receive_binary(data)
        return replies(self.drain())

    def advance(self, seconds: float) -> list[dict[str, Any]]:
        self.clock.advance(seconds)
        self.session.tick(self.clock.now())
        return replies(self.drain())

    def messages(self) -> list[dict[str, Any]]:
        return replies(self.events)

    def closes(self) -> list[CloseConnection]:
        return [e for e in self.events if isinstance(e, CloseConnection)]

    def failures(self) -> list[InternalFailure]:
        return [e for e in self.events if isinstance(e, InternalFailure)]

    def stream(self, pcm: bytes, frame: int = 3200, pace_s: float | None = None) -> None:
        """Send ``pcm`` in frames, advancing the clock by each frame's duration (or
        ``pace_s``) before it."""
        for start in range(0, len(pcm), frame):
            chunk = pcm[start : start + frame]
            self.clock.advance(len(chunk) / 32000 if pace_s is None else pace_s)
            self.session.receive_binary(chunk)
            self.drain()


def replies(events: list[OutboundEvent]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for event in events:
        if isinstance(event, SendText):
            out.append(json.loads(event.text))
    return out


@cache
def pcm_fixture(name: str) -> bytes:
    """The s16le samples of a 16 kHz mono WAV fixture."""
    pcm, _ = upload_pcm(fixture_path(f"media/{name}").read_bytes())
    return pcm


def pcm_of(samples: npt.NDArray[np.floating]) -> bytes:
    """float samples in [-1, 1] -> s16le bytes."""
    ints = np.clip(np.round(np.asarray(samples, dtype=np.float64) * 32767), -32768, 32767)
    return ints.astype("<i2").tobytes()


@cache
def jpeg_fixture(name: str, quality: int = 90) -> bytes:
    """A fixture image as JPEG bytes (``face.jpg`` as is; PNGs converted)."""
    raw = fixture_path(f"media/{name}").read_bytes()
    if name.endswith(".jpg"):
        return raw

    out = io.BytesIO()
    with Image.open(io.BytesIO(raw)) as image:
        image.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


def upload(
    path: str,
    files: list[tuple[str, bytes, str | None]] | None = None,
    *,
    config: str | None = None,
    key: str | None = KEY,
    method: str = "POST",
    query: dict[str, str] | None = None,
    multipart: bool = True,
) -> RestRequest:
    """A RestRequest as the HTTP adapter builds it from the SDK's multipart upload."""
    headers = {"X-Hume-Api-Key": key} if key is not None else {}
    if multipart:
        headers["Content-Type"] = "multipart/form-data; boundary=x"
    parts: list[UploadedFile] = []
    form: dict[str, str] = {}
    if config is not None:
        form["config"] = config
        parts.append(UploadedFile(None, config.encode(), "config", "application/json"))
    for filename, data, content_type in files or []:
        parts.append(UploadedFile(filename, data, "file", content_type))
    return RestRequest(
        method=method,
        path=path,
        query=query or {},
        headers=headers,
        form=form,
        files={p.name: p for p in reversed(parts)},
        parts=tuple(parts),
    )


def get(path: str, query: dict[str, str] | None = None, key: str | None = KEY) -> RestRequest:
    return upload(path, None, key=key, method="GET", query=query, multipart=False)
