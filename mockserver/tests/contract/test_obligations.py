"""Every journal-checked obligation of the contract kit, on journals written for the
purpose: a run that keeps it and one that breaks it (the end-to-end tests in
``contract_tests/`` break them with real clients)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from mockserver.contract.behavioral import CERTIFY as BEHAVIORAL
from mockserver.contract.hume import CERTIFY as HUME
from mockserver.contract.model import CertifyKit, RunView
from mockserver.journal import Journal

Build = Callable[["Recorder"], None]


class Recorder:
    """Writes a journal as the emulator's adapters would, with a controllable clock."""

    def __init__(self, vendor: str) -> None:
        self.now = 0.0
        self.vendor = vendor
        self.journal = Journal(lambda: self.now, max_entries=0)

    def add(self, connection: str, direction: str, kind: str, **fields: Any) -> None:
        transport = "websocket" if "-ws-" in connection else "grpc"
        self.journal.record(
            vendor=self.vendor, transport=transport, connection=connection,
            direction="in" if direction == "in" else "out", kind=kind, **fields,
        )  # fmt: skip

    # Hume
    def handshake(
        self, connection: str, key: str | None = "<redacted>", code: int = 101, **q: str
    ) -> None:
        headers = {} if key is None else {"X-Hume-Api-Key": key}
        data = {"path": "/v0/stream/models", "query": q, "headers": headers}
        self.add(connection, "in", "handshake", data=data)
        self.add(connection, "out", "handshake", code=code)

    def frame(self, connection: str, data: Any, **measures: Any) -> None:
        meta = {"measures": measures} if measures else None
        kind = "binary" if isinstance(data, bytes) else "text"
        value = data.hex() if isinstance(data, bytes) else data
        self.add(connection, "in", kind, data=value, size=10, meta=meta)

    # Behavioral
    def message(
        self,
        call: str,
        *,
        config: dict[str, Any] | None = None,
        audio: int = 0,
        cid: int = 1,
        token: str | None = "<redacted>",
    ) -> None:
        data: dict[str, Any] = {"cid": cid, "x_auth_token": token or ""}
        if config is not None:
            data["config"] = {"encoding": 0, "sample_rate_hertz": 16000, **config}
        data["audio_content"] = {"bytes": audio}
        self.add(call, "in", "message", data=data)

    def findings(self, kit: CertifyKit, name: str, *, killed: bool = False) -> list[str]:
        obligation = kit.obligation(name)
        assert obligation.check is not None
        view = RunView(kit.vendor, self.journal.entries(), None if killed else self.now)
        return [f.message for f in obligation.check(view)]


TEXT = {"models": {"language": {}}, "raw_text": True, "data": "hi"}


def hume_cases() -> list[Any]:
    def good(r: Recorder) -> None:
        r.handshake("hume-ws-1")
        r.frame("hume-ws-1", TEXT, file_type="text", text_chars=2)
        r.frame("hume-ws-1", {"models": {"prosody": {}}, "data": "x"}, file_type="audio",
                audio_ms=5000)  # fmt: skip
        r.frame("hume-ws-1", {"data": "x"}, file_type="audio", audio_ms=4000)  # reuses prosody

    return [
        ("json-text", good, lambda r: r.frame("hume-ws-1", b"\x00\x01"), "binary frame"),
        ("json-text", good, lambda r: r.frame("hume-ws-1", "{not json"), "not JSON"),
        ("json-text", good, lambda r: r.frame("hume-ws-1", [1, 2]), "a JSON list"),
        ("publish-schema", good, lambda r: r.frame("hume-ws-1", {"rawText": True}),
         "Additional properties are not allowed ('rawText'"),
        ("publish-schema", good, lambda r: r.frame("hume-ws-1", {"stream_window_ms": 20}),
         "stream_window_ms: 20 is less than the minimum of 500"),
        ("model-file-type", good,
         lambda r: r.frame("hume-ws-1", {"models": {"prosody": {}}}, file_type="image"),
         "model prosody configured for an image payload"),
        ("model-file-type", good,
         lambda r: (r.frame("hume-ws-2", {"models": {"face": {}}, "data": "x"}, file_type="image"),
                    r.frame("hume-ws-2", {"data": "x"}, file_type="text")),
         "model face configured for a text payload"),
        ("audio-duration", good,
         lambda r: r.frame("hume-ws-1", TEXT, file_type="audio", audio_ms=5002),
         "5002 ms of audio in one payload (limit 5000 ms)"),
        ("video-duration", good,
         lambda r: r.frame("hume-ws-1", TEXT, file_type="video", video_ms=6000),
         "6000 ms of video"),
        ("image-size", good,
         lambda r: r.frame("hume-ws-1", TEXT, file_type="image", width=3001, height=10),
         "an image of 3001 x 10 pixels (limit 3000 x 3000)"),
        ("text-length", good,
         lambda r: r.frame("hume-ws-1", TEXT, file_type="text", text_chars=10_001),
         "10001 characters of text"),
        ("credentials", good, lambda r: r.handshake("hume-ws-2", key=None, code=401),
         "sent no API key"),
        ("credentials", good, lambda r: r.handshake("hume-ws-2", key="<empty>", code=401),
         "sent an empty API key"),
        ("credentials", good, lambda r: r.handshake("hume-ws-2", key=None, apikey="<empty>"),
         "sent an empty API key"),
    ]  # fmt: skip


@pytest.mark.parametrize(("name", "good", "bad", "message"), hume_cases())
def test_hume_obligation(name: str, good: Build, bad: Build, message: str) -> None:
    recorder = Recorder("hume")
    good(recorder)
    recorder.handshake("hume-ws-9", key=None, apikey="<redacted>")  # the query is a key too
    assert recorder.findings(HUME, name) == []
    bad(recorder)
    (found, *_) = recorder.findings(HUME, name)
    assert message in found


def test_hume_handshake_rate_counts_a_window_of_one_second() -> None:
    recorder = Recorder("hume")
    for n in range(50):
        recorder.now = n * 0.02  # 50 handshakes in 0.98 s
        recorder.handshake(f"hume-ws-{n}")
    assert recorder.findings(HUME, "handshake-rate") == []
    recorder.now = 0.99
    recorder.handshake("hume-ws-51")
    assert recorder.findings(HUME, "handshake-rate") == [
        f"handshake #{recorder.journal.entries()[-2].seq}: 51 handshakes within one second "
        "(limit 50)"
    ]


@pytest.mark.parametrize(
    ("ending", "how"),
    [
        (lambda r: r.handshake("hume-ws-1", code=429), "was refused with HTTP 429"),
        (lambda r: r.handshake("hume-ws-1", code=503), "was refused with HTTP 503"),
        (lambda r: (r.handshake("hume-ws-1"), r.add("hume-ws-1", "out", "close", code=1011)),
         "was closed by the server with 1011"),
        (lambda r: (r.handshake("hume-ws-1"), r.add("hume-ws-1", "out", "disconnect")),
         "was dropped by the server"),
    ],
)  # fmt: skip
def test_hume_reconnections_back_off_after_a_failure(ending: Build, how: str) -> None:
    recorder = Recorder("hume")
    ending(recorder)
    recorder.now = 0.1  # 100 ms later: enough
    recorder.handshake("hume-ws-2")
    assert recorder.findings(HUME, "handshake-rate") == []
    ending_again = Recorder("hume")
    ending(ending_again)
    ending_again.now = 0.05
    ending_again.handshake("hume-ws-2")
    (found,) = ending_again.findings(HUME, "handshake-rate")
    assert "came 50 ms after hume-ws-1 " + how in found


def test_hume_a_normal_close_may_be_followed_at_once() -> None:
    recorder = Recorder("hume")
    recorder.handshake("hume-ws-1")
    recorder.add("hume-ws-1", "out", "close", code=1000)  # the inactivity close
    recorder.now = 0.001
    recorder.handshake("hume-ws-2")
    assert recorder.findings(HUME, "handshake-rate") == []


CONFIG = {"level": None}


def behavioral_good(r: Recorder) -> None:
    r.add("behavioral-grpc-1", "in", "call", data={"method": "/x/StreamAudio"})
    r.message("behavioral-grpc-1", config=CONFIG)
    r.message("behavioral-grpc-1", audio=8000)  # 250 ms at 16 kHz
    r.message("behavioral-grpc-1", audio=1000)  # the last chunk may be short
    r.add("behavioral-grpc-1", "in", "half_close")
    r.add("behavioral-grpc-1", "out", "status", status="OK")


def behavioral_cases() -> list[Any]:
    call = "behavioral-grpc-2"
    return [
        ("config-first", lambda r: r.message(call, audio=100), "the first message (#"),
        ("config-first", lambda r: r.message(call, config=CONFIG, audio=100),
         "carries 100 bytes of audio"),
        ("config-once", lambda r: (r.message(call, config=CONFIG), r.message(call, config=CONFIG)),
         "carries config again"),
        ("credentials", lambda r: r.message(call, config=CONFIG, token="<missing>"),
         "has no x_auth_token"),
        ("credentials", lambda r: (r.message(call, config=CONFIG), r.message(call, cid=0)),
         "has no cid"),
        ("encoding", lambda r: r.message(call, config={"encoding": 3}),
         "asks for encoding 3 (only LINEAR_PCM = 0)"),
        ("encoding", lambda r: r.message(call, config={"sample_rate_hertz": 0}),
         "has sample_rate_hertz 0"),
        ("chunk-duration", lambda r: (r.message(call, config=CONFIG), r.message(call, audio=64000),
                                      r.message(call, audio=8000)),
         "holds 2000 ms of audio (the vendor recommends 100 to 500 ms)"),
        ("chunk-duration", lambda r: (r.message(call, config=CONFIG), r.message(call, audio=320),
                                      r.message(call, audio=8000)),
         "holds 10 ms of audio"),
        ("half-close", lambda r: (r.message(call, config=CONFIG), r.add(call, "in", "cancel")),
         "the client cancelled the call"),
        ("half-close", lambda r: (r.message(call, config=CONFIG), r.add(call, "in", "half_close"),
                                  r.add(call, "in", "cancel")),
         "the client cancelled the call"),
    ]  # fmt: skip


@pytest.mark.parametrize(("name", "bad", "message"), behavioral_cases())
def test_behavioral_obligation(name: str, bad: Build, message: str) -> None:
    recorder = Recorder("behavioral")
    behavioral_good(recorder)
    assert recorder.findings(BEHAVIORAL, name) == []
    bad(recorder)
    (found, *_) = recorder.findings(BEHAVIORAL, name)
    assert message in found


def test_behavioral_a_cancel_after_the_servers_status_or_a_kill_is_not_judged() -> None:
    recorder = Recorder("behavioral")
    recorder.message("behavioral-grpc-1", config=CONFIG)
    recorder.add("behavioral-grpc-1", "out", "status", status="UNAVAILABLE")  # a fault ended it
    recorder.add("behavioral-grpc-1", "in", "cancel")
    assert recorder.findings(BEHAVIORAL, "half-close") == []
    recorder.message("behavioral-grpc-2", config=CONFIG)
    recorder.add("behavioral-grpc-2", "in", "cancel")
    assert recorder.findings(BEHAVIORAL, "half-close", killed=True) == []
    assert recorder.findings(BEHAVIORAL, "half-close")


def test_chunk_duration_is_a_warning_and_every_other_one_an_error() -> None:
    severities = {o.id: o.severity for kit in (HUME, BEHAVIORAL) for o in kit.obligations}
    assert {k for k, v in severities.items() if v == "warning"} == {"behavioral.chunk-duration"}
