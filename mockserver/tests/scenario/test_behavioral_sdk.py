"""Scripted Behavioral Signals results and process outcomes seen through the official SDK
(``behavioralsignals==0.7.1``), unchanged, via ``behavioral_signals_redirect`` (issue
"scenarios": angry from 4.0 s to 9.5 s, a spoofed deepfake, a -2 outcome, a process that
stays pending)."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest
from behavioralsignals import Client, StreamingOptions
from behavioralsignals.models import ResultItem, StreamingResultResponse
from behavioralsignals.utils import make_audio_stream

from mockserver.redirect import behavioral_signals_redirect
from mockserver.resources import fixture_path
from mockserver.scenario import BehavioralResult, Scenario
from mockserver.server import MockServer

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.sdk,
    pytest.mark.filterwarnings("ignore:Couldn't find ffmpeg or avconv:RuntimeWarning"),
    pytest.mark.filterwarnings("ignore:'audioop' is deprecated:DeprecationWarning"),
]

SPEECH = str(fixture_path("media/speech_pauses_16k.wav"))  # 8.9 s, speech with pauses
EMOTIONS = {"happy", "angry", "sad", "neutral"}


@pytest.fixture
def client(server: MockServer) -> Iterator[Client]:
    with behavioral_signals_redirect(server.behavioral):
        sdk = Client(server.behavioral.cid, server.behavioral.token)
        _ = sdk.behavioral, sdk.deepfakes
        try:
            yield sdk
        finally:
            sdk.close()


def stream(client: Client, *, deepfake: bool = False) -> list[StreamingResultResponse]:
    audio, rate = make_audio_stream(SPEECH, chunk_size=0.25)
    options = StreamingOptions(sample_rate=rate, encoding="LINEAR_PCM", level="all")
    api = client.deepfakes if deepfake else client.behavioral
    return list(api.stream_audio(audio_stream=audio, options=options))


def rows(results: list[StreamingResultResponse], task: str) -> list[ResultItem]:
    return [row for r in results for row in r.results or [] if row.task == task]


def check_valid(row: ResultItem, labels: set[str]) -> list[float]:
    preds = row.prediction or []
    assert {p.label for p in preds} == labels
    posteriors = [float(p.posterior or "nan") for p in preds]
    assert posteriors == sorted(posteriors, reverse=True)
    assert math.fsum(posteriors) == pytest.approx(1.0, abs=1e-3)
    assert row.finalLabel == preds[0].label
    return posteriors


def overlaps(row: ResultItem, start: float, end: float) -> bool:
    return float(row.startTime or "nan") < end and float(row.endTime or "nan") > start


def test_windows_overlapping_the_range_report_angry(server: MockServer, client: Client) -> None:
    server.load_scenario(fixture_path("scenarios/behavioral-angry-segment.yaml"))  # a file
    results = stream(client)
    emotion = rows(results, "emotion")
    assert {r.level for r in emotion} == {"segment", "utterance"}
    inside = [r for r in emotion if overlaps(r, 4.0, 9.5)]
    outside = [r for r in emotion if not overlaps(r, 4.0, 9.5)]
    assert inside and outside
    for row in inside:
        assert check_valid(row, EMOTIONS)[0] == pytest.approx(0.9)
        assert row.finalLabel == "angry"
    for row in emotion:
        check_valid(row, EMOTIONS)
    assert all(r.finalLabel == "strong" for r in rows(results, "strength") if overlaps(r, 4, 9.5))
    # REST returns the rows the stream sent
    pid = results[0].pid
    assert pid is not None
    batch = client.behavioral.get_result(pid)
    assert [r.finalLabel for r in batch.results or [] if r.task == "emotion"] == [
        r.finalLabel for r in emotion
    ]


def test_a_scripted_spoofed_deepfake_verdict(server: MockServer, client: Client) -> None:
    server.load_scenario(Scenario(behavioral=[BehavioralResult("deepfake", "spoofed")]))
    verdicts = rows(stream(client, deepfake=True), "deepfake")
    assert verdicts
    for row in verdicts:
        assert row.finalLabel == "spoofed"
        assert check_valid(row, {"bonafide", "spoofed"})[0] == pytest.approx(0.85)


def test_batch_results_follow_the_script(server: MockServer, client: Client) -> None:
    server.load_scenario(fixture_path("scenarios/behavioral-angry-segment.yaml"))
    process = client.behavioral.upload_audio(SPEECH)
    result = client.behavioral.wait_for_result(process.pid, timeout=20)
    emotion = [r for r in result.results or [] if r.task == "emotion"]
    assert emotion
    for row in emotion:
        check_valid(row, EMOTIONS)
        if overlaps(row, 4.0, 9.5):
            assert row.finalLabel == "angry"


def test_a_scripted_insufficient_credits_outcome(server: MockServer, client: Client) -> None:
    server.load_scenario(  # YAML text
        "behavioral:\n"
        "  processes:\n"
        "    - when: {name: '*.wav', index: 1}\n"
        "      outcome: {status: -2, message: Insufficient credits}\n"
    )
    process = client.behavioral.upload_audio(SPEECH)
    with pytest.raises(RuntimeError, match=f"Process {process.pid} did not complete: "
                       "Insufficient credits"):  # fmt: skip
        client.behavioral.wait_for_result(process.pid, timeout=10)
    assert client.behavioral.get_process(process.pid).status == -2
    second = client.behavioral.upload_audio(SPEECH)  # index 1 only: the 2nd is processed
    assert client.behavioral.wait_for_result(second.pid, timeout=20).results


def test_a_process_that_stays_pending_times_out(server: MockServer, client: Client) -> None:
    server.load_scenario(  # a mapping
        {"behavioral": {"processes": [{"when": {"name": "stuck.wav"}, "outcome": {"status": 0}}]}}
    )
    process = client.behavioral.upload_audio(SPEECH, name="stuck.wav")
    with pytest.raises(TimeoutError):
        client.behavioral.wait_for_result(process.pid, timeout=2)
    again = client.behavioral.get_process(process.pid)
    assert (again.status, again.statusmsg) == (0, "Pending")
    listed = client.behavioral.list_processes()
    assert [(p.pid, p.status) for p in listed if p.pid == process.pid] == [(process.pid, 0)]
