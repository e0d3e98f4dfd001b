"""What the journal keeps of each Hume payload and handshake, so that a client's
obligations can be judged from it (the contract kit's ``hume.audio-duration`` and
``hume.credentials``): the server's own measures, and missing or empty keys as such."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from mockserver.journal import JournalEntry
from mockserver.server import MockServer
from mockserver.tests.conftest import hume_socket

from .media_builders import b64, fixture_b64, mesh, png, speech_wav, video_mp4

pytestmark = pytest.mark.e2e


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer(seed=1) as running:
        yield running


def measures_of(server: MockServer) -> list[dict[str, Any] | None]:
    entries = server.journal.entries(vendor="hume", kind="text", direction="in")
    return [dict(entry.meta).get("measures") for entry in entries]


def test_every_payload_is_journaled_with_what_the_server_measured(server: MockServer) -> None:
    with hume_socket(server.hume) as socket:
        replies = [
            socket.exchange(message)
            for message in (
                {"models": {"language": {}}, "raw_text": True, "data": "Hello there"},
                {"models": {"prosody": {}}, "data": b64(speech_wav(2.0))},
                {"models": {"prosody": {}}, "data": b64(speech_wav(6.0))},  # E0203
                {"models": {"face": {}}, "data": b64(png(3001, 10))},  # E0205
                {"models": {"face": {}}, "data": fixture_b64("two_faces.png")},
                {"models": {"face": {}}, "data": b64(video_mp4(6.0))},  # E0204
                {"models": {"prosody": {}}, "data": fixture_b64("face.png")},  # E0102
                {"models": {"facemesh": {}}, "data": mesh(2)},
                {"models": {"language": {}}, "data": "not base64!"},  # E0201: unmeasured
                {"job_details": True},
            )
        ]
    assert [r.get("code") for r in replies] == [
        None, None, "E0203", "E0205", None, "E0204", "E0102", None, "E0201", None,
    ]  # fmt: skip
    assert measures_of(server) == [
        {"file_type": "text", "text_chars": 11},
        {"file_type": "audio", "audio_ms": 2000},
        {"file_type": "audio", "audio_ms": 6000},
        {"file_type": "image", "width": 3001, "height": 10},
        {"file_type": "image", "width": 640, "height": 320, "faces": 2},
        {"file_type": "video_no_audio", "video_ms": 6000, "width": 32, "height": 32},
        {"file_type": "image", "width": 320, "height": 320},
        {"file_type": "facemesh", "facemesh_faces": 2},
        None,
        None,
    ]


def test_a_scripted_reply_still_measures_the_payload(server: MockServer) -> None:
    warning = {"respond": {"warning": {"code": "W0105"}}, "when": {"payload_index": 1}}
    error = {"respond": {"error": {"code": "I0100"}}}
    server.load_scenario({"hume": {"rules": [warning, error]}})
    with hume_socket(server.hume) as socket:
        socket.exchange({"models": {"prosody": {}}, "data": b64(speech_wav(7.0))})
        socket.exchange({"models": {"prosody": {}}, "data": b64(speech_wav(1.0))})
    assert measures_of(server) == [
        {"file_type": "audio", "audio_ms": 7000},
        {"file_type": "audio", "audio_ms": 1000},
    ]


def handshake(server: MockServer) -> JournalEntry:
    (entry,) = server.journal.entries(vendor="hume", kind="handshake", direction="in")
    server.journal.clear()
    return entry


def test_a_missing_or_empty_key_is_journaled_as_such(server: MockServer) -> None:
    hume = server.hume
    cases = [  # url, headers, journaled header value, journaled query
        (hume.url, {}, None, {}),
        (hume.url, {"X-Hume-Api-Key": ""}, "<empty>", {}),
        (hume.url + "?apikey=", {}, None, {"apikey": "<empty>"}),
        (hume.url + "?apikey=wrong", {}, None, {"apikey": "<redacted>"}),
    ]
    for url, headers, header, query in cases:
        with pytest.raises(InvalidStatus):
            connect(url, additional_headers=headers)
        entry = handshake(server)
        assert entry.data["headers"].get("X-Hume-Api-Key") == header
        assert entry.data["query"] == query
    with hume_socket(hume):
        pass
    assert handshake(server).data["headers"]["X-Hume-Api-Key"] == "<redacted>"
