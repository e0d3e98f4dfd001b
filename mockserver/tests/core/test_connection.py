"""The sans-I/O Connection: session events and fault decisions in one ordered stream.

Driven from lists with a ManualClock and no socket. Each fault type that acts on a
connection is exercised at each hook where it can act: when the connection opens, before a
client message is read, when a client message arrives, instead of or around each outbound
message, instead of the session's own end, and on a timer.
"""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.core.actions import (
    Abort,
    Action,
    Close,
    Delay,
    Drop,
    Fail,
    Finish,
    Hang,
    Note,
    Send,
)
from mockserver.core.clock import ManualClock
from mockserver.core.connection import NO_FAULTS, Connection
from mockserver.core.events import (
    CloseConnection,
    EndCall,
    InternalFailure,
    OutboundEvent,
    SendMessage,
    SendText,
)
from mockserver.core.rng import SeedSource
from mockserver.faults import ConnectionFaults, FaultPlan
from mockserver.registry import fault_catalogue


class Session:
    """A scripted session: each message gets a reply; ``close``/``end`` end it; a deadline
    closes it (WebSocket) or ends the call (gRPC)."""

    def __init__(self, grpc: bool = False, deadline: float | None = None) -> None:
        self.grpc = grpc
        self.deadline = deadline
        self.seen: list[Any] = []
        self.ended_by_client = False
        self.lost: tuple[int | None, str | None] | None = None
        self.shutdowns = 0
        self.outbox: list[OutboundEvent] = []

    def receive(self, message: Any) -> None:
        self.seen.append(message)
        if message == "close":
            self.outbox.append(CloseConnection(1000, "done"))
        elif message == "boom":
            self.outbox.append(InternalFailure("session", ValueError("boom")))
        elif self.grpc:
            self.outbox.append(SendMessage(f"result {message}"))
        else:
            self.outbox.append(SendText(f'{{"reply": "{message}"}}'))

    def receive_end(self) -> None:
        self.ended_by_client = True
        self.outbox.append(EndCall("OK"))

    def connection_lost(self, code: int | None = None, reason: str | None = None) -> None:
        self.lost = (code, reason)

    def shutdown(self) -> None:
        self.shutdowns += 1

    def next_deadline(self) -> float | None:
        return self.deadline

    def tick(self, now: float) -> None:
        if self.deadline is not None and now >= self.deadline:
            self.deadline = None
            if self.grpc:
                self.outbox.append(EndCall("DEADLINE_EXCEEDED", "idle"))
            else:
                self.outbox.append(CloseConnection(1000, "inactivity"))

    def events_to_send(self) -> list[OutboundEvent]:
        events, self.outbox = self.outbox, []
        return events


def connection(
    *faults: dict[str, Any],
    grpc: bool = False,
    clock: ManualClock | None = None,
    deadline: float | None = None,
) -> tuple[Connection, Session, ManualClock]:
    clock = clock or ManualClock()
    plan = FaultPlan(SeedSource(0), fault_catalogue())
    plan.load(list(faults))
    session = Session(grpc=grpc, deadline=deadline)
    hooks = ConnectionFaults(
        plan,
        vendor="behavioral" if grpc else "hume",
        transport="grpc" if grpc else "websocket",
        number=1,
        clock=clock.now,
        method="StreamAudio" if grpc else None,
    )
    return Connection(session, hooks), session, clock


def drain(conn: Connection) -> list[Action]:
    out: list[Action] = []
    while (action := conn.next_action()) is not None:
        out.append(action)
    return out


def reply(message: str) -> str:
    return f'{{"reply": "{message}"}}'


# -- without faults ----------------------------------------------------------------------------


def test_without_faults_replies_pass_through_in_order() -> None:
    session = Session()
    conn = Connection(session, NO_FAULTS)
    conn.start()
    assert drain(conn) == []
    conn.receive("a")
    conn.receive("b")
    assert drain(conn) == [Send(reply("a")), Send(reply("b"))]
    conn.receive("close")
    assert drain(conn) == [Close(1000, "done")] and conn.ended
    conn.receive("late")
    assert session.seen == ["a", "b", "close"] and drain(conn) == []


def test_the_sessions_final_status_and_failures_become_actions() -> None:
    conn, session, _ = connection(grpc=True)
    conn.receive("boom")
    (fail,) = drain(conn)
    assert isinstance(fail, Fail) and fail.where == "session"
    conn.receive_end()
    assert drain(conn) == [Finish("OK", "")] and session.ended_by_client


def test_lost_and_shutdown_reach_the_session() -> None:
    conn, session, _ = connection()
    conn.shutdown()
    conn.lost(1001, "going away")
    assert session.shutdowns == 1 and session.lost == (1001, "going away")
    conn.receive("close")
    drain(conn)
    conn.shutdown()  # ended: no goodbye any more
    assert session.shutdowns == 1


# -- ending faults at every hook ---------------------------------------------------------------

WS_ENDINGS: list[tuple[dict[str, Any], Action]] = [
    ({"type": "close", "code": 4001, "reason": "bye"}, Close(4001, "bye", "close-1")),
    ({"type": "drop"}, Drop("drop-1")),
    ({"type": "inactivity_close"}, Close(1000, "Connection closed after 60 seconds of "
                                              "inactivity.", "inactivity_close-1")),
]  # fmt: skip
GRPC_ENDINGS: list[tuple[dict[str, Any], Action]] = [
    ({"type": "grpc_abort", "status": "INTERNAL", "details": "x"}, Abort("INTERNAL", "x",
                                                                           "grpc_abort-1")),
    ({"type": "grpc_reset", "http2_error": 7}, Abort("UNAVAILABLE",
                                                     "Received RST_STREAM with error code 7",
                                                     "grpc_reset-1")),
    ({"type": "grpc_deadline"}, Abort("DEADLINE_EXCEEDED", "Deadline Exceeded", "grpc_deadline-1")),
    ({"type": "grpc_hang"}, Hang("grpc_hang-1")),
]  # fmt: skip
ENDINGS = [(f, a, False) for f, a in WS_ENDINGS] + [(f, a, True) for f, a in GRPC_ENDINGS]


def ids(case: tuple[dict[str, Any], Action, bool]) -> str:
    return str(case[0]["type"])


@pytest.mark.parametrize("case", ENDINGS, ids=ids)
def test_an_ending_fault_at_open(case: tuple[dict[str, Any], Action, bool]) -> None:
    fault, action, grpc = case
    conn, session, _ = connection({**fault, "when": {"after_results": 0}}, grpc=grpc)
    conn.start()
    assert drain(conn) == [action] and conn.ended
    conn.receive("a")
    assert session.seen == [] and drain(conn) == []


@pytest.mark.parametrize("case", ENDINGS, ids=ids)
def test_an_ending_fault_instead_of_the_nth_message(
    case: tuple[dict[str, Any], Action, bool],
) -> None:
    fault, action, grpc = case
    conn, session, _ = connection({**fault, "when": {"message": 2}}, grpc=grpc)
    conn.receive("a")
    conn.receive("b")
    first = drain(conn)
    assert len(first) == 2 and isinstance(first[0], Send) and first[1] == action
    assert session.seen == ["a", "b"] and conn.ended


@pytest.mark.parametrize("case", ENDINGS, ids=ids)
def test_an_ending_fault_right_after_n_results(case: tuple[dict[str, Any], Action, bool]) -> None:
    fault, action, grpc = case
    conn, _, _ = connection({**fault, "when": {"after_results": 1}}, grpc=grpc)
    conn.receive("a")
    conn.receive("b")
    actions = drain(conn)
    assert [type(a) for a in actions] == [Send, type(action)] and actions[1] == action


@pytest.mark.parametrize("case", ENDINGS, ids=ids)
def test_an_ending_fault_on_a_client_message_keeps_it_from_the_session(
    case: tuple[dict[str, Any], Action, bool],
) -> None:
    fault, action, grpc = case
    conn, session, _ = connection({**fault, "when": {"after_audio_s": 0}}, grpc=grpc)
    conn.receive("a")
    assert drain(conn) == [action] and session.seen == []


@pytest.mark.parametrize("case", ENDINGS, ids=ids)
@pytest.mark.parametrize("trigger", ["after_s", "idle_s"])
def test_an_ending_fault_on_a_timer_comes_before_the_sessions_own_events(
    case: tuple[dict[str, Any], Action, bool], trigger: str
) -> None:
    fault, action, grpc = case
    conn, _session, clock = connection({**fault, "when": {trigger: 2.0}}, grpc=grpc, deadline=2.0)
    assert conn.next_deadline() == 2.0
    clock.advance(1.0)
    conn.tick(clock.now())
    assert drain(conn) == []
    clock.advance(1.0)
    conn.tick(clock.now())  # the session's own timer fires too: the fault comes first
    assert drain(conn) == [action] and conn.ended and conn.next_deadline() is None


@pytest.mark.parametrize("case", ENDINGS, ids=ids)
def test_an_untriggered_ending_fault_replaces_the_sessions_own_end(
    case: tuple[dict[str, Any], Action, bool],
) -> None:
    fault, action, grpc = case
    conn, _session, _ = connection(fault, grpc=grpc)
    if grpc:
        conn.receive_end()
    else:
        conn.receive("close")
    assert drain(conn) == [action]


# -- message faults ----------------------------------------------------------------------------


def test_delay_comes_before_its_message_and_the_next_is_judged_after() -> None:
    conn, _, clock = connection(
        {"type": "delay", "seconds": 1.5, "when": {"message": 1}},
        {"type": "close", "code": 4000, "when": {"after_s": 1.0, "message": 2}},
    )
    conn.receive("a")
    conn.receive("b")
    assert conn.next_action() == Delay(1.5, "delay-1")
    clock.advance(1.5)  # the pump sleeps, then asks again: message 2 is judged at t=1.5
    assert conn.next_action() == Send(reply("a"), "delay-1")
    assert conn.next_action() == Close(4000, "", "close-2")


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ({"type": "discard"}, [Note("discard", {"reply": "a"}, "discard-1")]),
        ({"type": "malformed_json"}, [Send(reply("a")[:7], "malformed_json-1")]),
        ({"type": "wrong_types"}, [Send('{"reply":1}', "wrong_types-1")]),
        ({"type": "replace", "text": "x"}, [Send("x", "replace-1")]),
        ({"type": "duplicate", "count": 2},
         [Send(reply("a")), Send(reply("a"), "duplicate-1"), Send(reply("a"), "duplicate-1")]),
        ({"type": "reorder"}, [Note("hold", {"reply": "a"}, "reorder-1")]),
    ],
    ids=lambda v: v["type"] if isinstance(v, dict) else "",
)  # fmt: skip
def test_message_faults_act_on_the_nth_outbound_message(
    fault: dict[str, Any], expected: list[Action]
) -> None:
    conn, _, _ = connection({**fault, "when": {"message": 1}})
    conn.receive("a")
    assert drain(conn) == expected
    conn.receive("b")
    second = drain(conn)
    if fault["type"] == "reorder":  # the held reply goes out just after the next one
        assert second == [Send(reply("b")), Send(reply("a"), "reorder-1")]
    else:
        assert second == [Send(reply("b"))]


def test_grpc_results_get_delays_too() -> None:
    conn, _, _ = connection({"type": "delay", "seconds": 0.5}, grpc=True)
    conn.receive("a")
    assert drain(conn) == [Delay(0.5, "delay-1"), Send("result a", "delay-1")]


@pytest.mark.parametrize("grpc", [False, True])
def test_slow_consumer_delays_reading_the_nth_client_message(grpc: bool) -> None:
    conn, _, _ = connection(
        {"type": "slow_consumer", "seconds": 0.2, "when": {"message": 2}}, grpc=grpc
    )
    assert conn.read_delay() is None
    assert conn.read_delay() == Delay(0.2, "slow_consumer-1")
    assert conn.read_delay() is None


def test_the_audio_meter_decides_whether_judging_a_message_is_costly() -> None:
    conn, _, _ = connection({"type": "close", "when": {"after_audio_s": 1}})
    assert conn.inbound_is_costly  # Hume probes media: the pump uses a worker thread
    grpc_conn, _, _ = connection({"type": "grpc_abort", "when": {"after_audio_s": 1}}, grpc=True)
    assert not grpc_conn.inbound_is_costly
