"""The official Behavioral Signals SDK (``behavioralsignals==0.7.1``), unchanged, streaming
against the emulator over loopback gRPC (the SDK's code and README, readme.io docs).

Every test drives ``client.behavioral.stream_audio`` / ``client.deepfakes.stream_audio`` as
the docs' streaming example does (seed 000): ``Client(cid, token)``,
``make_audio_stream(path, chunk_size=0.25)`` and
``StreamingOptions(sample_rate=..., encoding="LINEAR_PCM", level=...)``. The only change is
:func:`mockserver.redirect.behavioral_signals_redirect`, entered before the client is built
(the SDK authenticates in its constructors and sub-clients are built lazily with default
URLs, SDK 0.7.1 ``configuration.py``). Task names and label sets are copied from the SDK
README, not imported from the emulator, so a label bug in the emulator fails here.

Assertions use only structural facts and relations between files, so they hold for every
revision of the committed media fixtures (see ``fixtures/media/manifest.json``).
"""

from __future__ import annotations

import math
import re
import wave
from collections.abc import Iterator
from typing import Any, Literal

import grpc
import pytest
from behavioralsignals import Client, StreamingOptions
from behavioralsignals.base import BehavioralSignalsError
from behavioralsignals.models import ResultItem, StreamingResultResponse
from behavioralsignals.utils import make_audio_stream

from mockserver.redirect import behavioral_signals_redirect
from mockserver.resources import fixture_path
from mockserver.server import MockServer
from mockserver.vendors.behavioral.service import BehavioralEndpoint

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.sdk,
    # make_audio_stream imports pydub, which warns when ffmpeg is missing (WAV needs none)
    # and imports the deprecated audioop module
    pytest.mark.filterwarnings("ignore:Couldn't find ffmpeg or avconv:RuntimeWarning"),
    pytest.mark.filterwarnings("ignore:'audioop' is deprecated:DeprecationWarning"),
]

# -- documented tasks and labels (README, /docs/definitions) ---------------------------------

TASK_ORDER: tuple[str, ...] = (
    "features", "gender", "age", "emotion", "positivity", "strength", "speaking_rate",
    "hesitation", "engagement", "intensity",
)  # fmt: skip
LABELS: dict[str, frozenset[str]] = {
    "gender": frozenset({"female", "male"}),
    "age": frozenset({"18 - 22", "23 - 30", "31 - 45", "46 - 65"}),
    "emotion": frozenset({"happy", "angry", "sad", "neutral"}),
    "positivity": frozenset({"positive", "negative", "neutral"}),
    "strength": frozenset({"strong", "weak", "neutral"}),
    "speaking_rate": frozenset({"slow", "normal", "fast"}),  # README 2026 (emulator default)
    "hesitation": frozenset({"yes", "no"}),
    "engagement": frozenset({"engaged", "withdrawn", "neutral"}),
    "deepfake": frozenset({"bonafide", "spoofed"}),
}
TIME = re.compile(r"^\d+\.\d{2}$")  # streaming times: "%.2f" seconds (/docs/definitions)
RATE_FILES = ("speech_pauses_8k.wav", "speech_pauses_16k.wav", "speech_pauses_44k.wav")
TIMELINE_TOLERANCE_S = 0.15


# -- fixtures and helpers -------------------------------------------------------------------


@pytest.fixture
def bs(mock_server: MockServer) -> Iterator[BehavioralEndpoint]:
    """The shared server's Behavioral Signals endpoint, reset; fails on server errors."""
    mock_server.reset()
    yield mock_server.behavioral
    mock_server.check()


@pytest.fixture
def client(bs: BehavioralEndpoint) -> Iterator[Client]:
    """An SDK client built (and used) inside the redirect, as a user would build it."""
    with behavioral_signals_redirect(bs):
        sdk = Client(bs.cid, bs.token)
        # Sub-clients authenticate when first used and take their URLs from the (patched)
        # Configuration at that moment: touch them while the redirect is active.
        _ = sdk.behavioral, sdk.deepfakes
        try:
            yield sdk
        finally:
            sdk.close()


def media_path(name: str) -> str:
    return str(fixture_path(f"media/{name}"))


def wav_duration(name: str) -> float:
    with wave.open(media_path(name), "rb") as w:
        return w.getnframes() / w.getframerate()


def stream(
    client: Client,
    name: str,
    *,
    level: Literal["segment", "utterance", "all"] | None = None,
    deepfake: bool = False,
    chunk_size: float = 0.25,
) -> list[StreamingResultResponse]:
    """Stream a media file the documented way; ``level=None`` leaves the SDK default."""
    audio_stream, sample_rate = make_audio_stream(media_path(name), chunk_size=chunk_size)
    if level is None:
        options = StreamingOptions(sample_rate=sample_rate, encoding="LINEAR_PCM")
    else:
        options = StreamingOptions(sample_rate=sample_rate, encoding="LINEAR_PCM", level=level)
    api = client.deepfakes if deepfake else client.behavioral
    return list(api.stream_audio(audio_stream=audio_stream, options=options))


def window(result: StreamingResultResponse) -> tuple[str, float, float]:
    """(level, start, end) of a message; all its rows share them."""
    rows = result.results or []
    assert rows
    first = rows[0]
    assert {(r.id, r.startTime, r.endTime, r.level) for r in rows} == {
        (first.id, first.startTime, first.endTime, first.level)
    }
    assert first.level is not None and first.startTime is not None and first.endTime is not None
    return first.level, float(first.startTime), float(first.endTime)


def dumped(results: list[StreamingResultResponse]) -> list[dict[str, Any]]:
    """The messages as ``model_dump()`` dicts without the pid."""
    out = []
    for result in results:
        data = result.model_dump()
        data.pop("pid")
        out.append(data)
    return out


def check_classifier(row: ResultItem) -> None:
    preds = row.prediction or []
    assert row.task is not None
    assert {p.label for p in preds} == LABELS[row.task], row.task
    posteriors = [float(p.posterior or "nan") for p in preds]
    assert all(0.0 <= p <= 1.0 for p in posteriors), posteriors
    assert posteriors == sorted(posteriors, reverse=True)
    assert math.fsum(posteriors) == pytest.approx(1.0, abs=1e-3)
    assert row.finalLabel == preds[0].label
    assert all(p.score is None for p in preds)


def check_behavioral_message(result: StreamingResultResponse, level: str) -> None:
    """One StreamAudio message: every task once, in order, with its documented shape."""
    rows = result.results or []
    assert [r.task for r in rows] == list(TASK_ORDER)
    kind, start, end = window(result)
    assert kind == level and start < end
    for row in rows:
        assert TIME.match(row.startTime or "") and TIME.match(row.endTime or "")
        assert row.embedding == ""  # set (empty) on every streamed row (/docs/definitions)
        preds = row.prediction or []
        if row.task == "features":
            assert [(p.label, p.posterior, p.score) for p in preds] == [("", "", None)]
            assert row.finalLabel == ""
        elif row.task == "intensity":
            (pred,) = preds
            assert pred.posterior is None and pred.label in ("", None)
            assert 0.0 < float(pred.score or "nan") < 1.0
            assert row.finalLabel == ""
        else:
            check_classifier(row)


def check_ordering(results: list[StreamingResultResponse], levels: set[str]) -> None:
    """message_id 0, 1, 2...; each utterance after its segments, which lie inside it."""
    assert [r.message_id for r in results] == list(range(len(results)))
    seen: list[tuple[float, float]] = []  # segments since the previous utterance
    last: dict[str, float] = {}
    for result in results:
        kind, start, end = window(result)
        assert kind in levels
        assert start >= last.get(kind, 0.0)  # windows of one level do not overlap
        last[kind] = end
        if kind == "segment":
            seen.append((start, end))
        else:
            if "segment" in levels:
                assert seen, "an utterance before any of its segments"
            assert all(start <= a < b <= end + 1e-9 for a, b in seen)
            seen = []


def row_key(row: ResultItem) -> tuple[Any, ...]:
    """A row as REST and streaming both render it ("" on the wire = null in REST)."""
    return (
        row.id, row.task, row.startTime, row.endTime, row.level, row.finalLabel or None,
        tuple((p.label or None, p.posterior or None, p.score) for p in row.prediction or []),
    )  # fmt: skip


def rows_of(results: list[StreamingResultResponse]) -> list[ResultItem]:
    return [row for result in results for row in result.results or []]


# -- StreamAudio: shape, levels, timelines (readme.io docs) -----------------------------------


@pytest.mark.parametrize("name", RATE_FILES)
def test_stream_audio_rows_and_levels(client: Client, bs: BehavioralEndpoint, name: str) -> None:
    default = stream(client, name)
    by_level = {level: stream(client, name, level=level) for level in ("segment", "utterance")}
    both = stream(client, name, level="all")
    for results in (default, *by_level.values(), both):
        assert results
        assert len({r.pid for r in results}) == 1 and results[0].pid is not None
        assert {r.cid for r in results} == {bs.cid}
    # SDK default level is "segment" (StreamingOptions)
    assert dumped(default) == dumped(by_level["segment"])
    for level, results in by_level.items():
        check_ordering(results, {level})
        for result in results:
            check_behavioral_message(result, level)
    check_ordering(both, {"segment", "utterance"})
    for result in both:
        check_behavioral_message(result, window(result)[0])
    # "all" is exactly the union of the two filtered streams, in stream order
    for level, results in by_level.items():
        subset = [r for r in dumped(both) if r["results"][0]["level"] == level]
        assert [r["results"] for r in subset] == [r["results"] for r in dumped(results)]
    # the files have two utterances, separated by a pause
    assert len(by_level["utterance"]) == 2
    assert len(by_level["segment"]) >= 2


def test_timelines_agree_across_sample_rates(client: Client) -> None:
    timelines = {
        name: [window(r) for r in stream(client, name, level="all")] for name in RATE_FILES
    }
    reference = timelines["speech_pauses_16k.wav"]
    for name, timeline in timelines.items():
        assert [kind for kind, _, _ in timeline] == [kind for kind, _, _ in reference], name
        for (_, a, b), (_, c, d) in zip(timeline, reference, strict=True):
            assert abs(a - c) <= TIMELINE_TOLERANCE_S and abs(b - d) <= TIMELINE_TOLERANCE_S, name


# -- the stream is a REST process (readme.io /docs/real-time-deepfake-detection) --------------


def test_stream_is_a_completed_rest_process(client: Client, bs: BehavioralEndpoint) -> None:
    name = "speech_pauses_16k.wav"
    upload = client.behavioral.upload_audio(media_path(name))
    results = stream(client, name, level="all")
    pid = results[0].pid
    assert pid == upload.pid + 1  # uploads and streams share one pid counter (INFERRED)
    process = client.behavioral.get_process(pid)
    assert process.is_completed and process.statusmsg == "Processing Complete."
    assert (process.pid, process.cid, process.name) == (pid, bs.cid, None)
    assert process.duration == pytest.approx(wav_duration(name), abs=0.01)
    assert pid in [p.pid for p in client.behavioral.list_processes()]
    stored = client.behavioral.get_result(pid)
    assert (stored.pid, stored.cid, stored.code) == (pid, bs.cid, 2)
    assert [row_key(r) for r in stored.results or []] == [row_key(r) for r in rows_of(results)]
    with pytest.raises(BehavioralSignalsError) as info:
        client.deepfakes.get_process(pid)  # a StreamAudio pid is not a detection process
    assert info.value.status_code == 404


def test_deepfake_stream_and_its_detection_process(client: Client) -> None:
    results = stream(client, "speech_pauses_16k.wav", deepfake=True, level="all")
    check_ordering(results, {"segment", "utterance"})
    for result in results:
        (row,) = result.results or []
        assert row.task == "deepfake" and row.embedding == ""
        assert TIME.match(row.startTime or "") and TIME.match(row.endTime or "")
        check_classifier(row)
    pid = results[0].pid
    assert pid is not None
    assert client.deepfakes.get_process(pid).is_completed
    stored = client.deepfakes.get_result(pid)
    assert [row_key(r) for r in stored.results or []] == [row_key(r) for r in rows_of(results)]
    with pytest.raises(BehavioralSignalsError) as info:
        client.behavioral.get_result(pid)
    assert info.value.status_code == 404


# -- predictions follow the audio (emulator engine) -------------------------------------------


def test_loud_speech_is_strong_and_quiet_speech_is_weak(client: Client) -> None:
    loud = stream(client, "speech_loud.wav", level="all")
    quiet = stream(client, "speech_quiet.wav", level="all")

    def task_rows(results: list[StreamingResultResponse], task: str) -> list[ResultItem]:
        return [row for row in rows_of(results) if row.task == task]

    def utterance(results: list[StreamingResultResponse], task: str) -> ResultItem:
        (row,) = [row for row in task_rows(results, task) if row.level == "utterance"]
        return row

    assert utterance(loud, "strength").finalLabel == "strong"
    assert utterance(quiet, "strength").finalLabel == "weak"
    assert {row.finalLabel for row in task_rows(quiet, "strength")} == {"weak"}

    def scores(results: list[StreamingResultResponse]) -> list[float]:
        rows = task_rows(results, "intensity")
        return [float((row.prediction or [])[0].score or "nan") for row in rows]

    assert min(scores(loud)) > max(scores(quiet)) + 0.2


def test_high_voice_is_female_and_low_voice_is_male(client: Client) -> None:
    high = stream(client, "speech_high_pitch.wav", level="all")
    low = stream(client, "speech_low_pitch.wav", level="all")
    assert high and low
    assert {r.finalLabel for r in rows_of(high) if r.task == "gender"} == {"female"}
    assert {r.finalLabel for r in rows_of(low) if r.task == "gender"} == {"male"}


@pytest.mark.parametrize("name", ["silence_16k.wav", "noise_16k.wav"])
def test_non_speech_yields_no_results_and_ends_normally(client: Client, name: str) -> None:
    assert stream(client, name, level="all") == []
    # the stream still is a (completed, empty) process
    (process,) = client.behavioral.list_processes()
    assert process.is_completed
    assert process.duration == pytest.approx(wav_duration(name), abs=0.01)
    assert client.behavioral.get_result(process.pid).results == []


# -- credentials ---------------------------------------------------------------------------------


def test_wrong_token_raises_unauthenticated_rpc_error(
    client: Client, bs: BehavioralEndpoint, mock_server: MockServer
) -> None:
    # The constructors authenticate over REST, so the client is built with the right token.
    # Streaming authenticates in-band on every message, with the sub-client's own config
    # (client.config is not shared with the cached sub-clients): change the key there.
    client.behavioral.config.api_key = "not-the-token"
    with pytest.raises(grpc.RpcError) as info:
        stream(client, "speech_16k.wav")
    assert info.value.code() is grpc.StatusCode.UNAUTHENTICATED
    assert info.value.details() == "Invalid credentials."
    (status,) = mock_server.journal.entries(vendor="behavioral", kind="status")
    assert status.status == "UNAUTHENTICATED"
    assert stream(client, "speech_16k.wav", deepfake=True)  # the other sub-client is unaffected
    client.behavioral.config.api_key = bs.token
    assert client.behavioral.list_processes().total_count == 0  # no process was opened


def test_token_of_another_project_raises_permission_denied() -> None:
    projects = ["1000:mock-bs-token", "2000:second-token"]
    with MockServer(seed=0, hume={"enabled": False}, behavioral={"projects": projects}) as server:
        endpoint = server.behavioral
        with behavioral_signals_redirect(endpoint):
            sdk = Client(2000, "second-token")
            sdk.behavioral.config.cid = "1000"  # stream for project 1000 with 2000's token
            with pytest.raises(grpc.RpcError) as info:
                stream(sdk, "speech_16k.wav")
            sdk.close()
        server.check()
    assert info.value.code() is grpc.StatusCode.PERMISSION_DENIED
    assert "project 1000" in (info.value.details() or "")


# -- determinism and chunking (SDK 0.7.1 forwards chunks as yielded) ---------------------------


def test_same_file_twice_gives_identical_results(client: Client) -> None:
    first = stream(client, "speech_pauses_16k.wav", level="all")
    second = stream(client, "speech_pauses_16k.wav", level="all")
    assert first[0].pid != second[0].pid
    assert dumped(first) == dumped(second)
    for chunk_size in (0.1, 1.0, 250):  # 250 s: the docs' chunk_size=250 sends one chunk
        again = stream(client, "speech_pauses_16k.wav", level="all", chunk_size=chunk_size)
        assert dumped(again) == dumped(first), chunk_size


# -- seed 000: the docs' streaming example, verbatim but for the redirect ----------------------


def test_seed_000_example_verbatim(
    bs: BehavioralEndpoint, mock_server: MockServer, capsys: pytest.CaptureFixture[str]
) -> None:
    placeholders = {
        "cid": str(bs.cid),
        "token": bs.token,
        "file_path": media_path("speech_pauses_16k.wav"),
    }
    with behavioral_signals_redirect(bs):
        # ---- seed 000 (docs "Start a streaming session"), placeholders filled in ----
        from behavioralsignals import Client, StreamingOptions  # noqa: PLC0415  the seed, verbatim
        from behavioralsignals.utils import make_audio_stream  # noqa: PLC0415  the seed, verbatim

        cid = placeholders["cid"]
        token = placeholders["token"]
        file_path = placeholders["file_path"]

        client = Client(cid, token)

        audio_stream, sample_rate = make_audio_stream(file_path, chunk_size=250)
        options = StreamingOptions(sample_rate=sample_rate, encoding="LINEAR_PCM")

        for result in client.behavioral.stream_audio(audio_stream=audio_stream, options=options):
            print(result)
        # ---- end of seed 000 ----
        client.close()
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) >= 2
    for i, line in enumerate(lines):
        assert re.match(rf"^pid=\d+ cid={bs.cid} message_id={i} results=\[ResultItem\(", line)
        assert "task='features'" in line and "level='segment'" in line
    # chunk_size is in seconds (SDK 0.7.1 make_audio_stream): the example sends the whole file
    # in one message.
    # pydub pads the last chunk with silence up to a whole millisecond (SDK quirk).
    sent = mock_server.journal.entries(vendor="behavioral", kind="message", direction="in")
    assert len(sent) == 2 and "config" in sent[0].data
    with wave.open(file_path, "rb") as w:
        padding = sent[1].data["audio_content"]["bytes"] - 2 * w.getnframes()
        assert 0 <= padding < 2 * w.getframerate() / 1000
