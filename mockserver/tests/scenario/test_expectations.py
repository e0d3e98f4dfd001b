"""Scripted expectations, met and unmet, with the exact failure messages the pytest plugin
shows (issue "scenarios": "exactly one message with models.language", "no more than N
handshakes")."""

from __future__ import annotations

import json

import grpc
import pytest
from websockets.exceptions import ConnectionClosedError
from websockets.sync.client import connect

from mockserver._generated.behavioral_signals import api_pb2, api_pb2_grpc
from mockserver.journal import Journal
from mockserver.resources import fixture_path
from mockserver.scenario import Expectation, Scenario
from mockserver.server import MockServer
from mockserver.tests.conftest import hume_socket
from mockserver.vendors.hume.scenario_part import PART as HUME_PART

EXPECT_ONE_LANGUAGE = """
name: one-language-request
expect:
  - name: exactly one language message
    what: hume.messages
    where: {model: language}
    exactly: 1
  - what: hume.handshakes
    at_most: 1
  - what: hume.responses
    where: {type: error}
    exactly: 0
"""


def language(text: str) -> dict[str, object]:
    return {"models": {"language": {}}, "raw_text": True, "data": text}


def test_expectations_met(server: MockServer) -> None:
    server.load_scenario(EXPECT_ONE_LANGUAGE)
    with hume_socket(server.hume) as ws:
        assert "language" in ws.exchange(language("hello"))
        ws.exchange({"job_details": True})  # no models: not a language message
    assert server.unmet_expectations() == []


def test_expectations_unmet_explain_what_and_how_many(server: MockServer) -> None:
    server.load_scenario(EXPECT_ONE_LANGUAGE)
    for _ in range(2):
        with hume_socket(server.hume) as ws:
            ws.exchange(language("hello"))
            ws.exchange("not json")
    assert server.unmet_expectations() == [
        "scenario 'one-language-request', expect[0] (exactly one language message): "
        "expected exactly 1 hume.messages where model='language', got 2",
        "scenario 'one-language-request', expect[1]: expected at most 1 hume.handshakes, got 2",
        "scenario 'one-language-request', expect[2]: expected exactly 0 hume.responses "
        "where type='error', got 2",
    ]
    server.clear_scenarios()
    assert server.unmet_expectations() == []


def test_refused_handshakes_count_unless_accepted_is_asked(server: MockServer) -> None:
    server.load_scenario(
        Scenario(
            name="auth",
            expect=[
                Expectation("hume.handshakes", {"accepted": False}, exactly=1),
                Expectation("hume.handshakes", {"accepted": True}, exactly=1),
                Expectation("hume.handshakes", at_least=3),
            ],
        )
    )
    with hume_socket(server.hume):
        pass
    with pytest.raises(Exception, match="401"):
        connect(server.hume.url, additional_headers={"X-Hume-Api-Key": "wrong"})
    assert server.unmet_expectations() == [
        "scenario 'auth', expect[2]: expected at least 3 hume.handshakes, got 2"
    ]


def test_message_text_and_payload_id_filters(server: MockServer) -> None:
    server.load_scenario(
        {
            "expect": [
                {"what": "hume.messages", "where": {"text": "(?i)^hello"}, "exactly": 2},
                {"what": "hume.responses", "where": {"payload_id": "p"}, "exactly": 1},
            ]
        }
    )
    with hume_socket(server.hume) as ws:
        ws.exchange(language("Hello there"))
        ws.exchange(language("well, hello") | {"payload_id": "p"})
        ws.exchange(
            {"models": {"language": {}}, "data": "aGVsbG8gYWdhaW4="}
        )  # base64 "hello again"
    assert server.unmet_expectations() == []


def test_behavioral_streams_and_requests(server: MockServer) -> None:
    server.load_scenario(
        {
            "name": "bs",
            "expect": [
                {"what": "behavioral.streams", "where": {"method": "StreamAudio"}, "exactly": 1},
                {"what": "behavioral.streams", "where": {"method": "DeepfakeDetection"},
                 "exactly": 0},
                {"what": "behavioral.requests", "where": {"method": "GET", "path": "^/v5/auth$"},
                 "at_least": 1},
            ],
        }
    )  # fmt: skip
    bs = server.behavioral
    with grpc.insecure_channel(bs.grpc_target) as channel:
        stub = api_pb2_grpc.BehavioralStreamingApiStub(channel)
        config = api_pb2.AudioConfig(encoding=api_pb2.LINEAR_PCM, sample_rate_hertz=16000)
        request = api_pb2.AudioStream(cid=bs.cid, x_auth_token=bs.token, config=config)
        assert list(stub.StreamAudio(iter([request]))) == []
    assert server.unmet_expectations() == [
        "scenario 'bs', expect[2]: expected at least 1 behavioral.requests where method='GET', "
        "path='^/v5/auth$', got 0"
    ]


def test_counting_an_empty_journal() -> None:
    journal = Journal(lambda: 0.0)
    journal.record(vendor="hume", transport="websocket", connection="c", direction="in",
                   kind="text", data=json.loads('{"models": {"face": {}}}'))  # fmt: skip
    assert count(Expectation("hume.messages", {"model": "face"}, exactly=1), journal) == 1
    assert count(Expectation("hume.messages", {"model": "language"}, exactly=1), journal) == 0


def count(expectation: Expectation, journal: Journal) -> int:
    kind = HUME_PART.expectations[expectation.what]
    return len(kind.count(journal, expectation.where, None))


def test_a_scenario_mixing_a_rule_faults_and_expectations(server: MockServer) -> None:

    server.load_scenario(fixture_path("scenarios/mixed-faults-expectations.yaml"))
    assert [f["type"] for f in server.runtime.faults.describe()] == ["close", "delay"]
    greeting = language("Hello again")
    with hume_socket(server.hume) as ws:  # the fault closes the 1st connection after a reply
        assert ws.exchange(greeting)["language"]["predictions"]
        with pytest.raises(ConnectionClosedError) as info:
            ws.ws.recv(timeout=10)
        assert info.value.rcvd is not None and info.value.rcvd.code == 1011
    with hume_socket(server.hume) as ws:  # the client under test reconnects once
        reply = ws.exchange(greeting)
    joy = {e["name"]: e["score"] for e in reply["language"]["predictions"][0]["emotions"]}["Joy"]
    assert joy == pytest.approx(0.9)
    assert server.unmet_expectations() == []
