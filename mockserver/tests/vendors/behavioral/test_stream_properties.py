"""Properties of Behavioral Signals streams, by Hypothesis (proto comments, readme.io docs).

* Any chunking of the same audio (odd sizes, empty chunks, one huge chunk) gives the same
  results, status and stored process rows.
* ``message_id`` counts 0, 1, 2... per stream; every message is one window whose rows share
  ``id``, times and level; ``start_time < end_time``; windows of one level never overlap;
  levels respect the filter; an utterance follows the segments it contains; the filtered
  streams are projections of the unfiltered one.

Most examples drive the sans-I/O :class:`StreamSession` through ``harness.py`` (fast, no
sockets); a few go through real gRPC and must decode to exactly what the session produced.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import grpc
import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from mockserver._generated.behavioral_signals import api_pb2, api_pb2_grpc
from mockserver.core.events import EndCall
from mockserver.server import MockServer
from mockserver.vendors.behavioral.codec import decode_stream_result
from mockserver.vendors.behavioral.results import InferenceResult, StreamResult
from mockserver.vendors.behavioral.tasks import STREAM_BEHAVIORAL_TASKS

from .harness import CID, StreamHarness, config, message, pcm_of

PAUSES, PAUSES_RATE = pcm_of("speech_pauses_8k.wav")  # two utterances at 8 kHz
# The same two utterances at 8 and 44.1 kHz: both resampling paths (integer, fractional ratio).
RATE_FILES = ("speech_pauses_8k.wav", "speech_pauses_44k.wav")
SPEECH, SPEECH_RATE = pcm_of("speech_16k.wav")  # one sentence at 16 kHz
LEVELS = (None, "segment", "utterance")  # None: the field is absent (both levels)
METHODS = ("StreamAudio", "DeepfakeDetection")
PID = 41  # the harness's first pid
OK = EndCall("OK", "")

# Chunk sizes in bytes: tiny (odd sizes, empty chunks) or large; the rest goes in one chunk.
chunk_sizes = st.lists(st.one_of(st.integers(0, 7), st.integers(0, 60_000)), max_size=25)


def cut(pcm: bytes, sizes: list[int]) -> list[bytes]:
    """``pcm`` cut by ``sizes``, then the remainder (if any) as the last chunk."""
    chunks, position = [], 0
    for size in sizes:
        chunks.append(pcm[position : position + size])
        position += size
    if position < len(pcm):
        chunks.append(pcm[position:])
    return chunks


def run(
    pcm: bytes,
    rate: int,
    chunks: list[bytes] | None = None,
    *,
    level: str | None = None,
    method: str = "StreamAudio",
    **session_settings: Any,
) -> StreamHarness:
    """One complete stream through the sans-I/O session: config, audio, half-close."""
    h = StreamHarness(method, **session_settings)
    h.send(message(cfg=config(rate, level=level)))
    h.send(*(message(chunk) for chunk in (chunks if chunks is not None else cut(pcm, [8000]))))
    h.end()
    return h


Reference = tuple[tuple[StreamResult, ...], tuple[InferenceResult, ...]]


@functools.cache
def fixture_pcm(name: str) -> tuple[bytes, int]:
    return pcm_of(name)


@functools.cache
def reference(level: str | None, method: str, name: str = "speech_pauses_8k.wav") -> Reference:
    """Results and stored rows of ``name`` in 8000-byte chunks."""
    h = run(*fixture_pcm(name), level=level, method=method)
    assert h.status() == OK
    stored, _ = h.processes.closed[PID]
    return tuple(h.results()), tuple(stored)


def window(result: StreamResult) -> tuple[str, float, float]:
    first = result.result[0]
    assert first.level is not None
    return first.level, float(first.start_time), float(first.end_time)


def check_stream(
    results: list[StreamResult],
    *,
    level: str | None,
    method: str,
    segment_s: float = 2.0,
    min_tail_s: float = 1.0,
) -> None:
    """Every per-stream invariant of the module docstring."""
    assert [r.message_id for r in results] == list(range(len(results)))
    assert {(r.cid, r.pid) for r in results} <= {(CID, PID)}
    tasks = list(STREAM_BEHAVIORAL_TASKS) if method == "StreamAudio" else ["deepfake"]
    allowed = {level} if level is not None else {"segment", "utterance"}
    last_end: dict[str, float] = {}
    pending: list[tuple[float, float]] = []  # segments since the last utterance
    for result in results:
        assert [row.task for row in result.result] == tasks
        first = result.result[0]
        assert all(
            (row.id, row.start_time, row.end_time, row.level, row.embedding)
            == (first.id, first.start_time, first.end_time, first.level, "")
            for row in result.result
        )
        kind, start, end = window(result)
        assert kind in allowed
        assert start < end, (first.start_time, first.end_time)
        assert start >= last_end.get(kind, 0.0)  # one level's windows never overlap
        last_end[kind] = end
        if kind == "segment":
            # full segments are segment_s long; a trailing one is at least min_tail_s
            assert end - start <= segment_s + 0.011
            assert end - start >= min(segment_s, min_tail_s) - 0.011
            assert abs(int(first.id) - end) <= 0.51  # the id is the rounded end second
            pending.append((start, end))
        else:
            if level is None:
                check_utterance(start, end, pending, segment_s=segment_s, min_tail_s=min_tail_s)
            pending = []
    if level is None and results:
        assert window(results[-1])[0] == "utterance"  # the stream ends with its utterance


def check_utterance(
    start: float,
    end: float,
    segments: list[tuple[float, float]],
    *,
    segment_s: float,
    min_tail_s: float,
) -> None:
    """The segments sent since the previous utterance tile this one from its start; what is
    left uncovered is a tail too short to report. Times have two decimals: 0.011 slack."""
    shortest = min(segment_s, min_tail_s) + 0.011
    if not segments:
        assert end - start < shortest, "an utterance long enough for a segment has none"
        return
    assert abs(segments[0][0] - start) <= 0.011
    for (_, b), (c, _) in itertools.pairwise(segments):
        assert abs(b - c) <= 0.011
    assert -0.011 <= end - segments[-1][1] < shortest


def projection(results: list[StreamResult], level: str) -> list[StreamResult]:
    kept = [r for r in results if r.result[0].level == level]
    return [replace(r, message_id=i) for i, r in enumerate(kept)]


# -- sans-I/O properties --------------------------------------------------------------------------


@settings(deadline=None)
@given(
    name=st.sampled_from(RATE_FILES),
    sizes=chunk_sizes,
    level=st.sampled_from(LEVELS),
    method=st.sampled_from(METHODS),
)
def test_any_chunking_gives_identical_results(
    name: str, sizes: list[int], level: str | None, method: str
) -> None:
    audio, rate = fixture_pcm(name)
    chunks = cut(audio, sizes)
    assert b"".join(chunks) == audio
    h = run(audio, rate, chunks, level=level, method=method)
    expected, stored = reference(level, method, name)
    assert h.status() == OK
    assert tuple(h.results()) == expected
    assert tuple(h.processes.closed[PID][0]) == stored
    assert h.processes.closed[PID][1] == pytest.approx(len(audio) / 2 / rate)


def test_reference_streams_have_both_levels() -> None:
    """The fixture the chunking property uses is not trivial."""
    for method in METHODS:
        for name in RATE_FILES:
            both, _ = reference(None, method, name)
            check_stream(list(both), level=None, method=method)
            assert [window(r)[0] for r in both].count("utterance") == 2
            for level in ("segment", "utterance"):
                filtered, _ = reference(level, method, name)
                assert list(filtered) == projection(list(both), level)


@st.composite
def spliced_audio(draw: st.DrawFn) -> bytes:
    """Slices of a real sentence separated by silences of random length (16 kHz pcm)."""
    n = len(SPEECH) // 2
    samples = np.frombuffer(SPEECH, dtype="<i2")
    parts: list[np.ndarray] = []
    for _ in range(draw(st.integers(1, 3))):
        gap = draw(st.integers(0, 20_000))  # up to 1.25 s of silence
        start = draw(st.integers(0, n - 8000))
        length = draw(st.integers(8000, min(40_000, n - start)))  # 0.5 s to 2.5 s of speech
        parts += [np.zeros(gap, dtype="<i2"), samples[start : start + length]]
    parts.append(np.zeros(draw(st.integers(0, 12_000)), dtype="<i2"))
    return np.concatenate(parts).astype("<i2").tobytes()


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    audio=spliced_audio(),
    sizes=chunk_sizes,
    level=st.sampled_from(LEVELS),
    method=st.sampled_from(METHODS),
    segment_s=st.floats(0.5, 3.0),
    gap_s=st.floats(0.1, 1.0),
    # >= 0.02 s here; the segmenter itself never emits a segment shorter than 10 ms
    min_tail_s=st.floats(0.02, 2.0),
)
def test_windows_numbering_and_level_filter(
    *,
    audio: bytes,
    sizes: list[int],
    level: str | None,
    method: str,
    segment_s: float,
    gap_s: float,
    min_tail_s: float,
) -> None:
    tuning: dict[str, Any] = {
        "segment_s": segment_s,
        "utterance_gap_s": gap_s,
        "min_tail_segment_s": min_tail_s,
    }
    h = run(audio, SPEECH_RATE, cut(audio, sizes), level=level, method=method, **tuning)
    assert h.status() == OK
    results = h.results()
    event(f"{len(results)} messages" if len(results) < 4 else "4+ messages")
    check_stream(results, level=level, method=method, segment_s=segment_s, min_tail_s=min_tail_s)
    stored, duration = h.processes.closed[PID]
    assert stored == [row for r in results for row in r.result]  # REST keeps what was sent
    assert duration == pytest.approx(len(audio) // 2 / SPEECH_RATE)
    if level is not None:  # the filter only drops messages (and renumbers the rest)
        unfiltered = run(audio, SPEECH_RATE, level=None, method=method, **tuning).results()
        assert results == projection(unfiltered, level)


def test_a_tail_segment_is_never_empty_when_min_tail_is_zero() -> None:
    tuning: dict[str, Any] = {"segment_s": 0.5, "min_tail_segment_s": 0.0}
    first = run(SPEECH, SPEECH_RATE, **tuning).results()[0].result[0]
    # end the stream 3 samples after the second segment boundary, mid-speech
    samples = round((float(first.start_time) + 1.0) * SPEECH_RATE) + 3
    h = run(SPEECH[: 2 * samples], SPEECH_RATE, **tuning)
    assert h.status() == OK
    for result in h.results():
        row = result.result[0]
        assert float(row.start_time) < float(row.end_time), (row.start_time, row.end_time)


# -- the same properties over real gRPC ---------------------------------------------------------


@pytest.fixture(scope="module")
def grpc_stub() -> Iterator[api_pb2_grpc.BehavioralStreamingApiStub]:
    with MockServer(seed=0, hume={"enabled": False}) as server:
        ep = server.behavioral
        assert ep.cid == CID
        with grpc.insecure_channel(ep.grpc_target) as channel:
            yield api_pb2_grpc.BehavioralStreamingApiStub(channel)
        server.check()


def grpc_stream(
    stub: api_pb2_grpc.BehavioralStreamingApiStub,
    chunks: list[bytes],
    *,
    level: str | None,
    method: str,
) -> list[StreamResult]:
    """One call with our generated stub; results decoded, the pid set to the harness's."""
    first = api_pb2.AudioStream(cid=CID, x_auth_token="mock-bs-token")
    first.config.SetInParent()
    first.config.sample_rate_hertz = PAUSES_RATE
    if level is not None:
        first.config.level = api_pb2.Level.Value(level)
    audio = [
        api_pb2.AudioStream(cid=CID, x_auth_token="mock-bs-token", audio_content=chunk)
        for chunk in chunks
    ]
    call = getattr(stub, method)(iter([first, *audio]), timeout=60)
    responses = list(call)
    assert call.code() is grpc.StatusCode.OK
    assert len({r.pid for r in responses}) <= 1  # one process per stream
    return [replace(decode_stream_result(r), pid=PID) for r in responses]


@pytest.mark.e2e
@settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    sizes=chunk_sizes,
    level=st.sampled_from(LEVELS),
    method=st.sampled_from(METHODS),
)
def test_grpc_chunking_matches_the_session(
    grpc_stub: api_pb2_grpc.BehavioralStreamingApiStub,
    sizes: list[int],
    level: str | None,
    method: str,
) -> None:
    results = grpc_stream(grpc_stub, cut(PAUSES, sizes), level=level, method=method)
    expected, _ = reference(level, method)
    assert results == list(expected)  # identical to the sans-I/O session, pid aside
    check_stream(results, level=level, method=method)
