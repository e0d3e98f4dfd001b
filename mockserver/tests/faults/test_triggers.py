"""Triggers, composition and determinism, driven without any socket (sans-I/O)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver.core.clock import ManualClock
from mockserver.core.rng import SeedSource
from mockserver.faults import Abort, Action, Close, Delay, Drop, FaultPlan, Hang, Note, Send
from mockserver.faults.connection import ConnectionFaults
from mockserver.faults.rest import HttpDecision, decide
from mockserver.faults.types import WrongTypesFault
from mockserver.registry import fault_catalogue
from mockserver.resources import fixture_base64
from mockserver.vendors.behavioral.processes import Job, Outcome, ProcessStore


def http_request(plan: FaultPlan, vendor: str, number: int, method: str, path: str) -> HttpDecision:
    return decide(plan, vendor, number, method, path)


def make_plan(*faults: dict[str, Any], seed: int = 0) -> FaultPlan:
    plan = FaultPlan(SeedSource(seed), fault_catalogue())
    plan.load(list(faults))
    return plan


def ws(plan: FaultPlan, number: int = 1, clock: ManualClock | None = None) -> ConnectionFaults:
    clock = clock or ManualClock()
    return ConnectionFaults(
        plan, vendor="hume", transport="websocket", number=number, clock=clock.now
    )


def grpc(
    plan: FaultPlan, number: int = 1, clock: ManualClock | None = None, method: str = "StreamAudio"
) -> ConnectionFaults:
    clock = clock or ManualClock()
    return ConnectionFaults(
        plan, vendor="behavioral", transport="grpc", number=number, clock=clock.now, method=method
    )


def sent(actions: list[Action]) -> list[Any]:
    return [a.payload for a in actions if isinstance(a, Send)]


@dataclass
class Chunk:
    """What the Behavioral Signals meter reads from a decoded ``AudioStream``."""

    audio_content: bytes = b""
    config: Any = None


@dataclass
class Config:
    sample_rate_hertz: int


# -- no fault ------------------------------------------------------------------------------


def test_without_faults_every_step_is_a_plain_pass_through() -> None:
    conn = ws(make_plan())
    assert conn.start() == []
    assert conn.read_delay() is None
    assert conn.inbound("{}") == []
    assert conn.outbound("reply") == [Send("reply")]
    assert conn.next_deadline() is None and conn.tick(1e9) == []


def test_faults_of_another_vendor_or_transport_do_not_apply() -> None:
    plan = make_plan({"type": "grpc_abort"}, {"type": "http_error", "status": 500})
    assert ws(plan).outbound("a") == [Send("a")]
    assert grpc(plan).outbound("r") == [Abort("UNAVAILABLE", "", "grpc_abort-1")]
    assert plan.applicable("admin", "http") == ()  # other endpoints (admin API): never


# -- message, connection, after_results, method --------------------------------------------


def test_message_and_connection_pick_one_reply_of_one_connection() -> None:
    plan = make_plan({"name": "drop-3rd", "type": "drop", "when": {"connection": 2, "message": 3}})
    first = ws(plan, number=1)
    assert [first.outbound(str(i)) for i in range(4)] == [[Send(str(i))] for i in range(4)]
    second = ws(plan, number=2)
    assert second.outbound("1") == [Send("1")]
    assert second.outbound("2") == [Send("2")]
    assert second.outbound("3") == [Drop("drop-3rd")]
    assert plan.firings() == {"drop-3rd": 1}


def test_connection_accepts_a_list() -> None:
    plan = make_plan({"type": "close", "code": 4001, "when": {"connection": [1, 3]}})
    results = [ws(plan, number=n).outbound("x") for n in (1, 2, 3)]
    assert results == [[Close(4001, "", "close-1")], [Send("x")], [Close(4001, "", "close-1")]]


def test_an_ending_fault_without_trigger_replaces_the_first_reply() -> None:
    conn = ws(make_plan({"type": "close"}))
    assert conn.start() == [] and conn.inbound("{}") == []
    assert conn.outbound("x") == [Close(1011, "", "close-1")]
    assert conn.ended and conn.outbound("y") == [Send("y")]  # after the end: nothing more


def test_after_results_ends_right_after_the_nth_message() -> None:
    conn = grpc(make_plan({"type": "grpc_abort", "status": "INTERNAL", "details": "boom",
                           "when": {"after_results": 2}}))  # fmt: skip
    assert conn.start() == []
    assert conn.outbound("r1") == [Send("r1")]
    assert conn.outbound("r2") == [Send("r2"), Abort("INTERNAL", "boom", "grpc_abort-1")]


def test_an_ending_fault_without_trigger_can_replace_the_sessions_own_end() -> None:
    plan = make_plan({"type": "grpc_hang"}, {"type": "drop", "when": {"message": 1}})
    call = grpc(plan)
    assert call.end() == [Hang("grpc_hang-1")]  # a call that produced no result
    conn = ws(plan)
    assert conn.end() == []  # message-anchored faults never replace the session's close


def test_after_results_zero_ends_at_open() -> None:
    conn = grpc(make_plan({"type": "grpc_deadline", "when": {"after_results": 0}}))
    assert conn.start() == [Abort("DEADLINE_EXCEEDED", "Deadline Exceeded", "grpc_deadline-1")]


def test_grpc_method_filter() -> None:
    plan = make_plan({"type": "grpc_hang", "when": {"method": "deepfakedetection"}})
    assert grpc(plan, method="StreamAudio").outbound("r") == [Send("r")]
    assert grpc(plan, method="DeepfakeDetection").outbound("r") == [Hang("grpc_hang-1")]


@pytest.mark.parametrize(
    ("http2_error", "status"),
    [(2, "INTERNAL"), (7, "UNAVAILABLE"), (8, "CANCELLED"), (11, "RESOURCE_EXHAUSTED"),
     (0, "INTERNAL")],
)  # fmt: skip
def test_grpc_reset_reports_what_grpc_core_maps_the_rst_stream_code_to(
    http2_error: int, status: str
) -> None:
    conn = grpc(make_plan({"type": "grpc_reset", "http2_error": http2_error}))
    details = f"Received RST_STREAM with error code {http2_error}"
    assert conn.outbound("r") == [Abort(status, details, "grpc_reset-1")]


# -- audio and time ------------------------------------------------------------------------


def test_after_audio_s_counts_pcm_at_the_configured_rate() -> None:
    conn = grpc(make_plan({"type": "grpc_abort", "when": {"after_audio_s": 1.0}}))
    assert conn.inbound(Chunk(config=Config(8000))) == []
    assert conn.inbound(Chunk(b"\0" * 8000)) == []  # 0.5 s
    assert conn.audio_s == pytest.approx(0.5)
    assert conn.inbound(Chunk(b"\0" * 7998)) == []  # 0.999875 s
    assert conn.inbound(Chunk(b"\0" * 3)) == [Abort("UNAVAILABLE", "", "grpc_abort-1")]


def test_hume_audio_is_probed_only_while_a_fault_needs_it() -> None:
    wav = fixture_base64("media/speech_16k.wav")
    frame = json.dumps({"models": {"prosody": {}}, "data": wav})
    plan = make_plan({"type": "close", "when": {"after_audio_s": 5.0}})
    conn = ws(plan)
    assert conn.measures_audio
    assert conn.inbound(json.dumps({"data": "hello", "raw_text": True})) == []
    assert conn.inbound(frame) == []  # 3.19 s
    assert conn.audio_s == pytest.approx(3.19, abs=0.01)
    assert conn.inbound(frame) == [Close(1011, "", "close-1")]
    idle = ws(make_plan({"type": "close"}))
    assert not idle.measures_audio
    idle.inbound(frame)
    assert idle.audio_s == 0.0


def test_after_s_fires_when_the_time_comes() -> None:
    clock = ManualClock(100.0)
    conn = ws(make_plan({"type": "inactivity_close", "when": {"after_s": 2.0}}), clock=clock)
    assert conn.next_deadline() == 102.0
    assert conn.outbound("a") == [Send("a")]  # not yet
    clock.advance(1.0)
    assert conn.tick(clock.now()) == []
    clock.advance(1.0)
    (close,) = conn.tick(clock.now())
    assert close == Close(1000, "Connection closed after 60 seconds of inactivity.",
                          "inactivity_close-1")  # fmt: skip
    assert conn.next_deadline() is None


def test_idle_s_restarts_with_every_client_message() -> None:
    clock = ManualClock()
    conn = ws(make_plan({"type": "drop", "when": {"idle_s": 1.0}}), clock=clock)
    assert conn.next_deadline() == 1.0
    clock.advance(0.9)
    conn.inbound("{}")
    assert conn.next_deadline() == pytest.approx(1.9)
    clock.advance(0.5)
    assert conn.tick(clock.now()) == []
    clock.advance(0.6)
    assert conn.tick(clock.now()) == [Drop("drop-1")]


def test_a_timed_trigger_is_evaluated_once_per_idle_period() -> None:
    clock = ManualClock()
    plan = make_plan({"type": "drop", "when": {"idle_s": 1.0, "probability": 0.0}})
    conn = ws(plan, clock=clock)
    clock.advance(1.0)
    assert conn.tick(clock.now()) == []
    assert conn.next_deadline() is None  # no busy loop on a due deadline
    conn.inbound("{}")
    assert conn.next_deadline() == 2.0


# -- message faults and composition --------------------------------------------------------


def test_delay_fixed_and_random_are_seeded() -> None:
    fixed = ws(make_plan({"type": "delay", "seconds": 0.2}))
    assert fixed.outbound("a") == [Delay(0.2, "delay-1"), Send("a", "delay-1")]

    def delays(seed: int, number: int) -> list[float]:
        plan = make_plan({"type": "delay", "min_seconds": 0.1, "max_seconds": 0.5}, seed=seed)
        conn = ws(plan, number=number)
        return [a.seconds for i in range(20) for a in conn.outbound(str(i)) if isinstance(a, Delay)]

    first = delays(0, 1)
    assert all(0.1 <= d <= 0.5 for d in first) and len(set(first)) == 20
    assert delays(0, 1) == first  # same seed, same delays
    assert delays(1, 1) != first and delays(0, 2) != first


def test_discard_leaves_a_note_and_keeps_counting_messages() -> None:
    conn = ws(make_plan({"type": "discard", "when": {"message": 1}}))
    assert conn.outbound('{"a":1}') == [Note("discard", {"a": 1}, "discard-1")]
    assert conn.outbound("b") == [Send("b")]


def test_rewrites_compose_in_load_order_and_name_every_fault() -> None:
    plan = make_plan(
        {"type": "replace", "body": {"payload_id": "p"}},
        {"type": "wrong_types"},
        {"type": "duplicate", "count": 2},
    )
    text = '{"payload_id":1}'
    assert ws(plan).outbound("x") == [
        Send(text, "replace-1+wrong_types-2"),
        Send(text, "duplicate-3"),
        Send(text, "duplicate-3"),
    ]


def test_malformed_json_truncates_or_sends_the_given_text() -> None:
    reply = json.dumps({"language": {"predictions": []}})
    (half,) = sent(ws(make_plan({"type": "malformed_json"})).outbound(reply))
    assert reply.startswith(half) and len(half) == len(reply) // 2
    with pytest.raises(ValueError):
        json.loads(half)
    (given_text,) = sent(ws(make_plan({"type": "malformed_json", "text": "{oops"})).outbound(reply))
    assert given_text == "{oops"


def wrong_types(text: str) -> str:
    return WrongTypesFault().rewrite(text)


def test_wrong_types_flips_every_scalar_and_keeps_the_shape() -> None:
    reply = {"payload_id": "p-1", "job_details": {"job_id": "ab"}, "ok": True, "n": None,
             "language": {"predictions": [{"text": "Joy", "score": 0.5, "begin": 3}]}}  # fmt: skip
    assert json.loads(wrong_types(json.dumps(reply))) == {
        "payload_id": 3, "job_details": {"job_id": 2}, "ok": "true", "n": {},
        "language": {"predictions": [{"text": 3, "score": "0.5", "begin": "3"}]},
    }  # fmt: skip
    assert wrong_types("not json") == "not json"


def test_reorder_holds_a_reply_until_the_next_one_is_sent() -> None:
    conn = ws(make_plan({"type": "reorder", "when": {"message": 1}}))
    assert conn.outbound('"r1"') == [Note("hold", "r1", "reorder-1")]
    assert conn.outbound('"r2"') == [Send('"r2"'), Send('"r1"', "reorder-1")]
    assert conn.outbound('"r3"') == [Send('"r3"')]


def test_delay_then_ending_fault_delays_the_end() -> None:
    plan = make_plan({"type": "delay", "seconds": 0.1}, {"type": "drop", "when": {"message": 2}})
    conn = ws(plan)
    assert conn.outbound("a") == [Delay(0.1, "delay-1"), Send("a", "delay-1")]
    assert conn.outbound("b") == [Delay(0.1, "delay-1"), Drop("drop-2")]


def test_slow_consumer_counts_client_messages() -> None:
    conn = grpc(make_plan({"type": "slow_consumer", "seconds": 0.3, "when": {"message": 2}}))
    assert conn.read_delay() is None
    assert conn.read_delay() == Delay(0.3, "slow_consumer-1")
    assert conn.read_delay() is None


# -- times, probability, live changes ------------------------------------------------------


def test_times_caps_firings_across_connections() -> None:
    plan = make_plan({"type": "close", "when": {"times": 2}})
    results = [ws(plan, number=n).outbound("x") for n in (1, 2, 3)]
    assert [type(r[0]).__name__ for r in results] == ["Close", "Close", "Send"]
    assert plan.firings() == {"close-1": 2}


def probability_pattern(seed: int, probability: float, connections: int = 3) -> list[list[bool]]:
    plan = make_plan({"type": "discard", "when": {"probability": probability}}, seed=seed)
    out = []
    for number in range(1, connections + 1):
        conn = ws(plan, number=number)
        out.append([isinstance(conn.outbound(str(i))[0], Note) for i in range(200)])
    return out


def test_probability_is_reproducible_and_keyed_by_connection_and_message() -> None:
    pattern = probability_pattern(7, 0.3)
    assert probability_pattern(7, 0.3) == pattern
    assert probability_pattern(8, 0.3) != pattern
    assert pattern[0] != pattern[1]
    for row in pattern:
        assert 0.2 < sum(row) / len(row) < 0.4


@given(st.integers(min_value=0, max_value=2**32), st.floats(min_value=0.0, max_value=1.0))
def test_probability_extremes_and_monotonicity(seed: int, probability: float) -> None:
    low = probability_pattern(seed, probability, connections=1)[0][:50]
    high = probability_pattern(seed, min(1.0, probability + 0.25), connections=1)[0][:50]
    assert all(h or not lo for lo, h in zip(low, high, strict=True))  # same draws, higher bar
    if probability == 0.0:
        assert not any(low)


def test_faults_added_or_cleared_mid_connection_apply_to_the_next_step() -> None:
    plan = make_plan()
    conn = ws(plan)
    assert conn.outbound("a") == [Send("a")]
    plan.load([{"type": "delay", "seconds": 0.5}])
    assert conn.outbound("b") == [Delay(0.5, "delay-1"), Send("b", "delay-1")]
    plan.clear()
    assert conn.outbound("c") == [Send("c")]


# -- HTTP ------------------------------------------------------------------------------------


def test_http_error_matches_method_path_and_times() -> None:
    plan = make_plan(
        {"type": "http_error", "status": 503, "when": {"path": r"/processes/\d+$",
                                                       "method": "get", "times": 2}},
        {"type": "delay", "seconds": 0.2, "when": {"path": "/auth"}},
    )  # fmt: skip
    path = "/v5/clients/1000/processes/7"
    assert http_request(plan, "behavioral", 1, "POST", path).reject is None
    first = http_request(plan, "behavioral", 2, "GET", path)
    assert first.reject is not None and first.reject.status == 503
    assert json.loads(first.reject.body) == {
        "code": 503, "message": "Service unavailable", "details": {},
    }  # fmt: skip
    assert first.fault == "http_error-1" and first.delay_s == 0
    assert http_request(plan, "behavioral", 3, "GET", path).reject is not None
    assert http_request(plan, "behavioral", 4, "GET", path).reject is None  # times: 2
    slow = http_request(plan, "behavioral", 5, "GET", "/v5/auth")
    assert slow.delay_s == 0.2 and slow.fault == "delay-2" and slow.reject is None
    assert http_request(plan, "hume", 6, "GET", "/v5/auth").delay_s == 0  # no hume HTTP


def test_process_outcome_acts_through_the_store_hook() -> None:
    clock = ManualClock()
    store = ProcessStore(clock=clock, pending_s=0.2, running_s=0.5)
    plan = make_plan(
        {"type": "process_outcome", "status": -2, "when": {"name": r"^bad\.wav$"}},
        {"type": "process_outcome", "stay": "processing", "when": {"name": "slow"}},
    )

    def never() -> Outcome:
        raise AssertionError("a faulted process is never analysed")

    def submit(name: str, job: Job = never) -> int:
        decision = http_request(plan, "behavioral", 1, "POST", "/v5/clients/1/processes/audio")
        with decision.submission():
            view = store.submit(cid=1, namespace="behavioral", name=name, meta=None, job=job)
        return view.pid

    bad, slow = submit("bad.wav"), submit("slow.wav")
    other = submit("not-bad.wav.txt", lambda: Outcome.completed([], duration=1.0))
    held = submit("held.wav", lambda: Outcome.completed([], duration=1.0))
    store.hold(held, 0)
    clock.advance(10.0)
    status = {pid: (v.status, v.statusmsg) for pid in (bad, slow, other, held)
              if (v := store.get(pid)) is not None}  # fmt: skip
    assert status == {
        bad: (-2, "Insufficient credits"),
        slow: (1, "Processing"),
        other: (2, "Processing Complete."),
        held: (0, "Pending"),
    }
    assert plan.firings() == {"process_outcome-1": 1, "process_outcome-2": 1}
