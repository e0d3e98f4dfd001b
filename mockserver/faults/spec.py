"""Fault definitions as data: parsing and validation into :class:`FaultSpec`.

A definition is a JSON object, e.g. ``{"vendor": "hume", "type": "close", "code": 4000,
"when": {"message": 3}}``, validated against the schema generated from the fault types
(:mod:`.schema`) plus checks a schema cannot express. The first problem is reported as
``fault <index>: <field>: <message>``.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mockserver.errors import ScenarioError

from .model import EVALUABLE_TRIGGERS, TRANSPORTS, Catalogue, Fault, Kind
from .schema import fault_schema

if TYPE_CHECKING:
    import jsonschema

__all__ = ["FaultDefinitionError", "FaultParser", "FaultSpec", "Trigger"]

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
        name: Regular expression searched in a submitted job's name.
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
        fault: The typed fault (its class is the type, its fields the parameters).
        vendor: Vendor it was limited to, or None.
        vendors: The vendors it acts on (``vendor``, or every vendor the type suits).
        transports: Transports it applies on (after vendor/transport/trigger filtering).
        when: Its trigger.
        definition: The definition as stored (JSON object; ``name`` filled in).
    """

    name: str
    fault: Fault
    vendor: str | None
    vendors: frozenset[str]
    transports: frozenset[str]
    when: Trigger
    definition: Mapping[str, Any]

    @property
    def type(self) -> str:
        return self.fault.type

    @property
    def kind(self) -> Kind:
        return self.fault.kind


class FaultParser:
    """Validates definitions against one catalogue (the JSON Schema is built on first use).

    Args:
        catalogue: The fault types and vendors of a server.
    """

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self._validator: jsonschema.protocols.Validator | None = None

    def schema(self) -> dict[str, Any]:
        """The JSON Schema of one definition for this catalogue."""
        return fault_schema(self.catalogue)

    def parse(self, raw: Any, index: int, *, position: int) -> FaultSpec:
        """Validate one definition. ``index`` is its position in the caller's list (for
        messages); ``position`` its 1-based position in the plan (default name
        ``<type>-<position>``).

        Raises:
            FaultDefinitionError: ``fault <index>: <field>: <problem>``.
        """

        def fail(where: str, problem: str) -> FaultDefinitionError:
            return FaultDefinitionError(index, where, problem)

        types = self.catalogue.types
        if not isinstance(raw, Mapping):
            raise FaultDefinitionError(index, None, f"must be an object, got {type(raw).__name__}")
        kind_name = raw.get("type")
        if kind_name is None:
            raise fail("type", "is required")
        if not isinstance(kind_name, str) or kind_name not in types:
            raise fail("type", f"unknown fault type {kind_name!r} (known: {', '.join(types)})")
        fault_type = types[kind_name]
        params = fault_type.param_fields()
        for key in raw:
            if key not in _BASE_KEYS and key not in params:
                allowed = ", ".join(sorted(params)) or "none"
                raise fail(
                    str(key), f"not a parameter of {kind_name!r} (its parameters: {allowed})"
                )
        when_raw = raw.get("when", {})
        if isinstance(when_raw, Mapping):
            for key in when_raw:
                if key not in fault_type.triggers:
                    allowed = ", ".join(sorted(fault_type.triggers))
                    raise fail(
                        f"when.{key}", f"not a trigger of {kind_name!r} (its triggers: {allowed})"
                    )
        given_problem = fault_type.check_given(raw)
        if given_problem is not None:
            raise fail(*given_problem)
        self._check_applies(fault_type, raw.get("vendor"), raw.get("transport"), fail)
        definition = self._check_schema(raw, fail)
        definition.setdefault("name", f"{kind_name}-{position}")
        fault = fault_type(**{k: v for k, v in definition.items() if k not in _BASE_KEYS})
        value_problem = fault.check_values()
        if value_problem is not None:
            raise fail(*value_problem)
        when = _trigger(when_raw, fail)
        vendor = raw.get("vendor")
        vendors = frozenset(
            [vendor] if vendor is not None else self.catalogue.vendors_for(fault_type)
        )
        transports = self._transports(fault_type, vendor, raw.get("transport"), when, fail)
        return FaultSpec(
            name=definition["name"],
            fault=fault,
            vendor=vendor,
            vendors=vendors,
            transports=transports,
            when=when,
            definition=definition,
        )

    # -- checks -----------------------------------------------------------------------------

    def _check_applies(
        self, fault_type: type[Fault], vendor: Any, transport: Any, fail: Any
    ) -> None:
        """A vendor or transport the type cannot act on (unknown values: the schema says)."""
        known = isinstance(vendor, str) and vendor in self.catalogue.vendors
        if known and vendor not in self.catalogue.vendors_for(fault_type):
            raise fail("vendor", f"{fault_type.type!r} does not apply to {vendor!r}")
        if transport in TRANSPORTS and transport not in fault_type.transports:
            raise fail("transport", f"{fault_type.type!r} does not apply to {transport!r}")

    def _validator_for(self) -> jsonschema.protocols.Validator:
        if self._validator is None:
            import jsonschema  # noqa: PLC0415  jsonschema: loaded when faults are first defined

            schema = self.schema()
            cls = jsonschema.validators.validator_for(schema)
            self._validator = cls(schema)
        return self._validator

    def _check_schema(self, raw: Mapping[str, Any], fail: Any) -> dict[str, Any]:
        """Validate ``raw`` against the fault schema; return it as a plain JSON copy."""
        from jsonschema.exceptions import best_match  # noqa: PLC0415  jsonschema, as above

        try:
            instance: dict[str, Any] = json.loads(json.dumps(dict(raw), allow_nan=False))
        except (TypeError, ValueError) as exc:
            raise fail("(definition)", f"is not JSON data: {exc}") from None
        error = best_match(self._validator_for().iter_errors(instance))
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

    def _transports(
        self,
        fault_type: type[Fault],
        vendor: str | None,
        transport: str | None,
        when: Trigger,
        fail: Any,
    ) -> frozenset[str]:
        candidates = set(fault_type.transports)
        if vendor is not None:
            candidates &= set(self.catalogue.vendor_transports(vendor))
        if transport is not None:
            if transport not in candidates:
                raise fail(
                    "transport", f"{fault_type.type!r} on {vendor!r} does not use {transport!r}"
                )
            candidates = {transport}
        usable = {t for t in candidates if when.keys <= EVALUABLE_TRIGGERS[t]}
        if not usable:
            keys = ", ".join(sorted(when.keys))
            raise fail("when", f"no transport can evaluate all of {keys} together")
        return frozenset(usable)


def fault_params(fault: Fault) -> dict[str, Any]:
    """A fault's parameters as given in its definition (None values left out)."""
    return {
        f.name: getattr(fault, f.name)
        for f in dataclasses.fields(fault)
        if getattr(fault, f.name) is not None
    }


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
