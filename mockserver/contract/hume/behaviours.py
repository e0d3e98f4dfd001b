"""The server behaviours a Hume certification chooses from: answers the contract allows
(``valid``) and failures a client must survive (``fault``).

Each builds on the emulator's scenario format (``docs/scenarios.md``) and fault types
(``docs/faults.md``), used as data. Faults fire once (the first connection, or ``times:
1``) so that a client that retries can recover.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st

from mockserver.contract.model import Contribution, ItemKind

__all__ = ["FAULTS", "VALID"]

_PAYLOAD = st.integers(1, 4)  # which payload of the connection (1-based)
_AFTER = st.integers(0, 3)  # replies before a fault ends the connection


def _rule(respond: Mapping[str, Any], payload: int | None = None, **extra: Any) -> Contribution:
    rule: dict[str, Any] = {"respond": dict(respond), **extra}
    if payload is not None:
        rule["when"] = {"payload_index": payload}
    return Contribution(scenario={"rules": [rule]})


def _model_warning(p: Mapping[str, Any]) -> Contribution:
    return _rule({"model_warning": {}}, p["payload"])


def _top_level_warning(p: Mapping[str, Any]) -> Contribution:
    return _rule({"warning": {"code": p["code"]}}, p["payload"])


def _empty(p: Mapping[str, Any]) -> Contribution:
    return _rule({"empty_predictions": True}, p["payload"])


def _faces(p: Mapping[str, Any]) -> Contribution:
    return _rule({"faces": p["count"]})


def _extreme(p: Mapping[str, Any]) -> Contribution:
    return _rule({"emotions": {"Joy": 1.0}, "others_at_most": 0.0}, p["payload"])


def _extra_fields(p: Mapping[str, Any]) -> Contribution:
    return _rule({"extra_fields": {"x_mockserver_extra": {"note": "not in the API", "n": 1}}})


def _slow(p: Mapping[str, Any]) -> Contribution:
    return Contribution(faults=[{"type": "delay", "vendor": "hume", "seconds": p["seconds"]}])


def _window_times(p: Mapping[str, Any]) -> Contribution:
    return Contribution(settings={"time_reference": "window"})


VALID: tuple[ItemKind, ...] = (
    ItemKind(
        "model-warning",
        "valid",
        "a model answers its nested warning ({warning, code}) instead of predictions",
        {"payload": _PAYLOAD},
        {"payload": 1},
        _model_warning,
    ),
    ItemKind(
        "top-level-warning",
        "valid",
        "the reply is a top-level StreamWarningMessage ({warning, code})",
        {"payload": _PAYLOAD, "code": st.sampled_from(["W0101", "W0102", "W0103"])},
        {"payload": 1, "code": "W0101"},
        _top_level_warning,
    ),
    ItemKind(
        "empty-predictions",
        "valid",
        "the models answer empty prediction lists",
        {"payload": _PAYLOAD},
        {"payload": 1},
        _empty,
    ),
    ItemKind(
        "many-faces",
        "valid",
        "the face model reports many faces",
        {"count": st.integers(2, 12)},
        {"count": 2},
        _faces,
    ),
    ItemKind(
        "extreme-scores",
        "valid",
        "scores at exactly 0 and 1",
        {"payload": _PAYLOAD},
        {"payload": 1},
        _extreme,
    ),
    ItemKind(
        "extra-fields",
        "valid",
        "replies carry fields the API does not document",
        {},
        {},
        _extra_fields,
    ),
    ItemKind(
        "slow-replies",
        "valid",
        "every reply comes late (0.05 to 0.5 s, within any client timeout)",
        {"seconds": st.sampled_from([0.05, 0.2, 0.5])},
        {"seconds": 0.05},
        _slow,
    ),
    ItemKind(
        "window-times",
        "valid",
        "audio prediction times relative to the processed window instead of the stream",
        {},
        {},
        _window_times,
    ),
)


def _close(code: int, reason: str) -> Any:
    def build(p: Mapping[str, Any]) -> Contribution:
        when = {"connection": 1, "after_results": p["after_results"]}
        fault = {"type": "close", "vendor": "hume", "code": code, "reason": reason, "when": when}
        return Contribution(faults=[fault])

    return build


def _inactivity(p: Mapping[str, Any]) -> Contribution:
    when = {"connection": 1, "after_results": p["after_results"]}
    return Contribution(faults=[{"type": "inactivity_close", "vendor": "hume", "when": when}])


def _refuse(status: int) -> Any:
    def build(p: Mapping[str, Any]) -> Contribution:
        fault = {
            "type": "handshake_reject", "vendor": "hume", "status": status,
            "when": {"connection": 1},
        }  # fmt: skip
        return Contribution(faults=[fault])

    return build


def _internal_error(p: Mapping[str, Any]) -> Contribution:
    return _rule({"error": {"code": "I0100"}}, p["payload"], times=1)


FAULTS: tuple[ItemKind, ...] = (
    ItemKind(
        "close-1011",
        "fault",
        "the first connection is closed with 1011 after N replies",
        {"after_results": _AFTER},
        {"after_results": 0},
        _close(1011, "Internal server error."),
    ),
    ItemKind(
        "close-1000",
        "fault",
        "the first connection is closed normally (1000) after N replies",
        {"after_results": _AFTER},
        {"after_results": 0},
        _close(1000, ""),
    ),
    ItemKind(
        "inactivity-close",
        "fault",
        "the first connection gets the inactivity close after N replies",
        {"after_results": _AFTER},
        {"after_results": 0},
        _inactivity,
    ),
    ItemKind("handshake-429", "fault", "the first upgrade is refused with HTTP 429", {}, {},
             _refuse(429)),
    ItemKind("handshake-500", "fault", "the first upgrade is refused with HTTP 500", {}, {},
             _refuse(500)),
    ItemKind(
        "internal-error",
        "fault",
        "a valid message gets I0100 (an outage or a bug in a Hume service), once",
        {"payload": st.integers(1, 3)},
        {"payload": 1},
        _internal_error,
    ),
)  # fmt: skip
