"""The server behaviours a Behavioral Signals certification chooses from: answers the
contract allows (``valid``) and failures a client must survive (``fault``), built on the
emulator's settings, scenario format and fault types as data. Faults fire once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st

from mockserver.contract.model import Contribution, ItemKind

__all__ = ["FAULTS", "VALID"]

_AFTER = st.integers(0, 3)  # results before the fault


def _no_results(p: Mapping[str, Any]) -> Contribution:
    fault = {"type": "discard", "vendor": "behavioral", "transport": "grpc"}
    return Contribution(faults=[fault])


def _utterance_only(p: Mapping[str, Any]) -> Contribution:
    return Contribution(settings={"segment_s": 30.0, "min_tail_segment_s": 30.0})


def _slow(transport: str) -> Any:
    def build(p: Mapping[str, Any]) -> Contribution:
        fault = {
            "type": "delay", "vendor": "behavioral", "transport": transport,
            "seconds": p["seconds"],
        }  # fmt: skip
        return Contribution(faults=[fault])

    return build


def _pending(p: Mapping[str, Any]) -> Contribution:
    return Contribution(
        settings={"process_pending_s": p["pending_s"], "process_running_s": p["running_s"]}
    )


def _realtime(p: Mapping[str, Any]) -> Contribution:
    return Contribution(settings={"pacing": "realtime"})


VALID: tuple[ItemKind, ...] = (
    ItemKind(
        "no-results",
        "valid",
        "no result is sent (silence, or nothing the level asks for): the stream ends OK "
        "after zero results",
        {},
        {},
        _no_results,
    ),
    ItemKind(
        "utterance-only",
        "valid",
        "only utterance-level results (30 s segments)",
        {},
        {},
        _utterance_only,
    ),
    ItemKind(
        "slow-results",
        "valid",
        "every streamed result comes late (0.05 to 0.3 s)",
        {"seconds": st.sampled_from([0.05, 0.1, 0.3])},
        {"seconds": 0.05},
        _slow("grpc"),
    ),
    ItemKind(
        "slow-rest",
        "valid",
        "every REST response comes late (0.05 to 0.3 s)",
        {"seconds": st.sampled_from([0.05, 0.1, 0.3])},
        {"seconds": 0.05},
        _slow("http"),
    ),
    ItemKind(
        "rest-pending",
        "valid",
        "batch processes stay pending, then processing, a while (0.5 to 2 s each), then complete",
        {"pending_s": st.sampled_from([0.5, 1.0, 2.0]), "running_s": st.sampled_from([0.5, 2.0])},
        {"pending_s": 0.5, "running_s": 0.5},
        _pending,
    ),
    ItemKind(
        "realtime-results",
        "valid",
        "streamed results come when the wall clock reaches their audio time",
        {},
        {},
        _realtime,
    ),
)


def _abort(status: str, details: str) -> Any:
    def build(p: Mapping[str, Any]) -> Contribution:
        fault = {
            "type": "grpc_abort", "vendor": "behavioral", "status": status, "details": details,
            "when": {"connection": 1, "after_results": p["after_results"]},
        }  # fmt: skip
        return Contribution(faults=[fault])

    return build


def _deadline(p: Mapping[str, Any]) -> Contribution:
    fault = {
        "type": "grpc_deadline", "vendor": "behavioral",
        "when": {"connection": 1, "after_results": p["after_results"]},
    }  # fmt: skip
    return Contribution(faults=[fault])


def _rest_error(p: Mapping[str, Any]) -> Contribution:
    fault = {
        "type": "http_error", "vendor": "behavioral", "status": p["status"],
        "when": {"connection": p["request"]},
    }  # fmt: skip
    return Contribution(faults=[fault])


FAULTS: tuple[ItemKind, ...] = (
    ItemKind(
        "grpc-unavailable",
        "fault",
        "the first stream ends with UNAVAILABLE after N results",
        {"after_results": _AFTER},
        {"after_results": 0},
        _abort("UNAVAILABLE", "The service is temporarily unavailable."),
    ),
    ItemKind(
        "grpc-internal",
        "fault",
        "the first stream ends with INTERNAL after N results",
        {"after_results": _AFTER},
        {"after_results": 0},
        _abort("INTERNAL", "Internal server error."),
    ),
    ItemKind(
        "grpc-deadline",
        "fault",
        "the first stream ends with DEADLINE_EXCEEDED after N results",
        {"after_results": _AFTER},
        {"after_results": 0},
        _deadline,
    ),
    ItemKind(
        "rest-5xx",
        "fault",
        "the N-th REST request answers 500, 502 or 503",
        {"status": st.sampled_from([503, 500, 502]), "request": st.integers(1, 4)},
        {"status": 503, "request": 1},
        _rest_error,
    ),
)
