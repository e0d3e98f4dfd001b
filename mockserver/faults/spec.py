"""Fault definitions as data: parsing and validation into :class:`FaultSpec`.

A definition is a JSON object (``schemas/fault.schema.json``), e.g.
``{"vendor": "hume", "type": "close", "code": 4000, "when": {"message": 3}}``. Validation
runs the schema plus checks a schema cannot express, and reports the first problem as
``fault <index>: <field>: <message>``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mockserver.errors import ScenarioError

from .catalogue import EVALUABLE_TRIGGERS, FAULT_TYPES, TRANSPORTS, VENDOR_TRANSPORTS, FaultType

if TYPE_CHECKING:
    import jsonschema

__all__ = ["SCHEMA_NAME", "FaultDefinitionError", "FaultSpec", "Trigger", "parse_fault"]

SCHEMA_NAME = "fault.schema.json"
_BASE_KEYS = ("name", "vendor", "transport", "type", "when")


class FaultDefinitionError(ScenarioError):
    """An invalid fault definition: ``fault <index>: <field>: <problem>``.

    ``index`` indexes the list being loaded; ``field`` is the path of the offending field
    (``when.x``), or None when the definition as a whole is wrong.
    """

    def __init__(self, index: int, field: str | None, problem: str) -> None:
        super().__init__(f"fault {index}: {field + ': ' if field else ''}{problem}")
        self.index = index
        self.field = field
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Trigger:
    """When a fault fires; every given condition must hold (absent = no condition).

    Attributes:
        connection: Connection/call/request numbers (1-based since reset) it applies to.
        message: Only the N-th outbound message (inbound for ``slow_consumer``).
        after_results: Once N outbound messages of the connection were handled.
        after_audio_s: Once the client sent this many seconds of audio.
        after_s: Once the connection has been open this long.
        idle_s: Once the client has been silent this long (ending faults).
        probability: Chance of firing at each opportunity (seeded, reproducible).
        times: Fire at most this many times in total.
        path: Regular expression searched in the HTTP path.
        method: HTTP method or gRPC method name (case-insensitive).
        name: Regular expression searched in a submitted process's name.
    """

    connection: frozenset[int] | None = None
    message: int | None = None
    after_results: int | None = None
    after_audio_s: float | None = None
    after_s: float | None = None
    idle_s: float | None = None
    probability: float | None = None
    times: int | None = None
    path: re.Pattern[str] | None = None
    method: str | None = None
    name: re.Pattern[str] | None = None
    keys: frozenset[str] = field(default_factory=frozenset)  # the keys that were given


@dataclass(frozen=True, slots=True)
class FaultSpec:
    """One validated fault definition.

    Attributes:
        name: Name recorded in the journal (``JournalEntry.fault``).
        type: Catalogue entry name.
        vendor: Vendor it is limited to, or None.
        transports: Transports it applies on (after vendor/transport/trigger filtering).
        when: Its trigger.
        params: Type parameters, as given.
        definition: The definition as stored (JSON object; ``name`` filled in).
    """

    name: str
    type: str
    vendor: str | None
    transports: frozenset[str]
    when: Trigger
    params: Mapping[str, Any]
    definition: Mapping[str, Any]

    @property
    def kind(self) -> str:
        return FAULT_TYPES[self.type].kind

    def param(self, key: str, default: Any = None) -> Any:
        return self.params.get(key, default)


def parse_fault(raw: Any, index: int, *, position: int) -> FaultSpec:
    """Validate one definition. ``index`` is its position in the caller's list (for
    messages); ``position`` its 1-based position in the plan (default name
    ``<type>-<position>``).

    Raises:
        FaultDefinitionError: ``fault <index>: <field>: <problem>``.
    """

    def fail(where: str, problem: str) -> FaultDefinitionError:
        return FaultDefinitionError(index, where, problem)

    if not isinstance(raw, Mapping):
        raise FaultDefinitionError(index, None, f"must be an object, got {type(raw).__name__}")
    kind_name = raw.get("type")
    if kind_name is None:
        raise fail("type", "is required")
    if not isinstance(kind_name, str) or kind_name not in FAULT_TYPES:
        raise fail("type", f"unknown fault type {kind_name!r} (known: {', '.join(FAULT_TYPES)})")
    ftype = FAULT_TYPES[kind_name]
    for key in raw:
        if key not in _BASE_KEYS and key not in ftype.params:
            allowed = ", ".join(sorted(ftype.params)) or "none"
            raise fail(str(key), f"not a parameter of {kind_name!r} (its parameters: {allowed})")
    when_raw = raw.get("when", {})
    if isinstance(when_raw, Mapping):
        for key in when_raw:
            if key not in ftype.triggers:
                allowed = ", ".join(sorted(ftype.triggers))
                problem = f"not a trigger of {kind_name!r} (its triggers: {allowed})"
                raise fail(f"when.{key}", problem)
    _check_presence(ftype, raw, fail)
    _check_applies(ftype, raw.get("vendor"), raw.get("transport"), fail)
    definition = _check_schema(raw, fail)
    definition.setdefault("name", f"{kind_name}-{position}")
    params = {k: v for k, v in definition.items() if k not in _BASE_KEYS}
    _check_values(params, fail)
    when = _trigger(when_raw, fail)
    transports = _transports(ftype, raw.get("vendor"), raw.get("transport"), when, fail)
    return FaultSpec(
        name=definition["name"],
        type=kind_name,
        vendor=raw.get("vendor"),
        transports=transports,
        when=when,
        params=params,
        definition=definition,
    )


# -- schema -----------------------------------------------------------------------------------


@functools.cache
def _validator() -> jsonschema.protocols.Validator:
    import jsonschema

    from mockserver.resources import load_schema

    schema = load_schema(SCHEMA_NAME)
    cls = jsonschema.validators.validator_for(schema)
    validator: jsonschema.protocols.Validator = cls(schema)
    return validator


def _check_schema(raw: Mapping[str, Any], fail: Any) -> dict[str, Any]:
    """Validate ``raw`` against the fault schema; return it as a plain JSON copy."""
    import jsonschema

    try:
        instance: dict[str, Any] = json.loads(json.dumps(dict(raw), allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise fail("(definition)", f"is not JSON data: {exc}") from None
    error = jsonschema.exceptions.best_match(_validator().iter_errors(instance))
    if error is None:
        return instance
    where = ".".join(str(p) for p in error.absolute_path) or "(definition)"
    message = error.message
    if error.validator in ("oneOf", "anyOf"):
        schema: Any = error.schema
        about = schema.get("description") if isinstance(schema, dict) else None
        if about:
            message = f"{error.instance!r} is not valid here: {about}"
        elif error.context:
            message = "; ".join(sorted({sub.message for sub in error.context}))
    raise fail(where, message)


# -- semantic checks --------------------------------------------------------------------------


def _check_presence(ftype: FaultType, raw: Mapping[str, Any], fail: Any) -> None:
    """Parameters that go together or exclude each other."""
    if ftype.params == {"seconds", "min_seconds", "max_seconds"}:
        has_fixed = "seconds" in raw
        has_range = "min_seconds" in raw or "max_seconds" in raw
        if has_fixed == has_range:
            raise fail("seconds", "give either seconds, or min_seconds and max_seconds")
        if has_range and ("min_seconds" not in raw or "max_seconds" not in raw):
            missing = "max_seconds" if "min_seconds" in raw else "min_seconds"
            raise fail(missing, "is required with a random delay")
    if ftype.name in ("handshake_reject", "http_error") and "status" not in raw:
        raise fail("status", "is required")
    if ftype.name == "replace" and ("body" in raw) == ("text" in raw):
        raise fail("body", "give exactly one of body or text")
    if ftype.name == "process_outcome":
        if ("status" in raw) == ("stay" in raw):
            raise fail("status", "give exactly one of status (a failure) or stay")
        if "message" in raw and "status" not in raw:
            raise fail("message", "only applies with status")


def _check_applies(ftype: FaultType, vendor: Any, transport: Any, fail: Any) -> None:
    """A vendor or transport the type cannot act on (unknown values: the schema says)."""
    served = VENDOR_TRANSPORTS.get(vendor, ()) if isinstance(vendor, str) else ()
    if served and not set(ftype.transports) & set(served):
        raise fail("vendor", f"{ftype.name!r} does not apply to {vendor!r}")
    if transport in TRANSPORTS and transport not in ftype.transports:
        raise fail("transport", f"{ftype.name!r} does not apply to {transport!r}")


def _check_values(params: Mapping[str, Any], fail: Any) -> None:
    if "min_seconds" in params and params["min_seconds"] > params["max_seconds"]:
        raise fail("min_seconds", "must not exceed max_seconds")
    if "reason" in params and len(params["reason"].encode("utf-8")) > 123:
        raise fail("reason", "a close reason is at most 123 UTF-8 bytes")


def _pattern(value: str, where: str, fail: Any) -> re.Pattern[str]:
    try:
        return re.compile(value)
    except re.error as exc:
        raise fail(where, f"invalid regular expression: {exc}") from None


def _trigger(raw: Mapping[str, Any], fail: Any) -> Trigger:
    connection = raw.get("connection")
    numbers: frozenset[int] | None = None
    if connection is not None:
        numbers = frozenset([connection] if isinstance(connection, int) else connection)
    path = raw.get("path")
    name = raw.get("name")
    method = raw.get("method")
    return Trigger(
        connection=numbers,
        message=raw.get("message"),
        after_results=raw.get("after_results"),
        after_audio_s=raw.get("after_audio_s"),
        after_s=raw.get("after_s"),
        idle_s=raw.get("idle_s"),
        probability=raw.get("probability"),
        times=raw.get("times"),
        path=_pattern(path, "when.path", fail) if path is not None else None,
        method=method.upper() if method is not None else None,
        name=_pattern(name, "when.name", fail) if name is not None else None,
        keys=frozenset(raw),
    )


def _transports(
    ftype: FaultType, vendor: str | None, transport: str | None, when: Trigger, fail: Any
) -> frozenset[str]:
    candidates = set(ftype.transports)
    if vendor is not None:
        candidates &= set(VENDOR_TRANSPORTS[vendor])
    if transport is not None:
        if transport not in candidates:
            raise fail("transport", f"{ftype.name!r} on {vendor!r} does not use {transport!r}")
        candidates = {transport}
    usable = {t for t in candidates if when.keys <= EVALUABLE_TRIGGERS[t]}
    if not usable:
        keys = ", ".join(sorted(when.keys))
        raise fail("when", f"no transport can evaluate all of {keys} together")
    return frozenset(usable)
