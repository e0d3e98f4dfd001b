"""Typed faults: the base class every fault type derives from, and what vendors contribute.

A fault type is one frozen dataclass (``types.py``, or a vendor's ``faults.py``): its
class variables say what it is (``type`` name, ``kind``, the transports it acts on, the
``when`` keys it accepts), its fields are its parameters (each declared with
:func:`param`, which carries the JSON Schema fragment and the documentation of the
parameter), and its methods are what it does. ``schemas/fault.schema.json`` is generated
from these classes (:mod:`.schema`); nothing describes a fault a second time.

Vendors contribute a :class:`VendorFaults` through their registry entry: which transports
they serve, how to measure the audio a client sent, the default bodies of refused
handshakes and HTTP errors, the default inactivity close reason, and fault types of their
own.
"""

from __future__ import annotations

import dataclasses
import http
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Protocol

__all__ = [
    "COMMON_TRIGGERS",
    "EVALUABLE_TRIGGERS",
    "HTTP_TRIGGERS",
    "STREAM_TRIGGERS",
    "TRANSPORTS",
    "Catalogue",
    "Fault",
    "Kind",
    "Meter",
    "NullMeter",
    "VendorFaults",
    "param",
    "status_phrase",
]

TRANSPORTS: tuple[str, ...] = ("websocket", "grpc", "http")

#: How a fault acts:
#: handshake  refuses a WebSocket upgrade;
#: request    answers or slows one HTTP request;
#: submission decides how a job created by an HTTP request ends;
#: read       slows the server's reading of client messages;
#: message    alters, delays or withholds one outbound message;
#: ending     ends the connection or call (or makes it hang).
Kind = Literal["handshake", "request", "submission", "read", "message", "ending"]

COMMON_TRIGGERS = frozenset({"connection", "probability", "times"})
STREAM_TRIGGERS = frozenset({"message", "after_results", "after_audio_s", "after_s"})
HTTP_TRIGGERS = frozenset({"path", "method"})

#: Trigger keys each transport can evaluate. A fault applies on a transport only if the
#: transport can evaluate every key of its ``when``.
EVALUABLE_TRIGGERS: dict[str, frozenset[str]] = {
    "websocket": COMMON_TRIGGERS | STREAM_TRIGGERS | {"idle_s"},
    "grpc": COMMON_TRIGGERS | STREAM_TRIGGERS | {"idle_s", "method"},
    "http": COMMON_TRIGGERS | HTTP_TRIGGERS | {"name"},
}


def param(default: Any = None, *, schema: Mapping[str, Any], doc: str) -> Any:
    """Declare one parameter of a fault type: its default, JSON Schema and documentation.

    ``doc`` is one line for ``schemas/fault.schema.json`` (the generator prefixes it with
    the types that share the parameter).
    """
    return field(default=default, metadata={"schema": dict(schema), "doc": doc})


@dataclass(frozen=True)
class Fault:
    """Base of every fault type; an instance holds one definition's parameters.

    Class variables (set by each subclass):
        type: The ``type`` value of a definition.
        kind: How it acts (:data:`Kind`).
        transports: Where it can act.
        triggers: The ``when`` keys it accepts.
        schema_extra: JSON Schema keywords added to the type's branch of the generated
            schema (``oneOf``, ``required``, ``dependentRequired``...).
    """

    type: ClassVar[str]
    kind: ClassVar[Kind]
    transports: ClassVar[tuple[str, ...]]
    triggers: ClassVar[frozenset[str]]
    schema_extra: ClassVar[Mapping[str, Any]] = {}

    @classmethod
    def summary(cls) -> str:
        """The first paragraph of the class docstring, on one line (the catalogue's
        description)."""
        paragraph = (cls.__doc__ or "").strip().split("\n\n")[0]
        return " ".join(line.strip() for line in paragraph.splitlines())

    @classmethod
    def param_fields(cls) -> dict[str, dataclasses.Field[Any]]:
        """The type's parameters by name, in declaration order."""
        return {f.name: f for f in dataclasses.fields(cls)}

    @classmethod
    def check_given(cls, raw: Mapping[str, Any]) -> tuple[str, str] | None:
        """A problem with which parameters were given together, as ``(field, problem)``;
        runs before the schema check so that the message names the fix."""
        return None

    def check_values(self) -> tuple[str, str] | None:
        """A problem with the values (beyond the schema) as ``(field, problem)``."""
        return None


class Meter(Protocol):
    """Measures the audio a client sent on one connection (``after_audio_s``)."""

    @property
    def seconds(self) -> float:
        """Seconds of audio received so far."""
        ...

    @property
    def costly(self) -> bool:
        """True if :meth:`add` decodes media (the adapter then runs it on a worker)."""
        ...

    def add(self, message: Any) -> None:
        """Count the audio of one client message."""
        ...


class NullMeter:
    """The meter of a vendor that carries no audio: always 0 seconds."""

    seconds = 0.0
    costly = False

    def __init__(self, endpoint: str | None = None) -> None:
        """``endpoint``: which of the vendor's streams (unused)."""

    def add(self, message: Any) -> None:
        """Nothing to count."""


def status_phrase(status: int) -> str:
    """``Service Unavailable`` for 503; ``HTTP 599`` for a status with no phrase."""
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"


def _plain_handshake_body(status: int) -> str:
    return '{"message": "' + status_phrase(status) + '"}'


def _plain_http_error_body(
    status: int, message: str | None, details: Mapping[str, Any] | None
) -> Any:
    return {"code": status, "message": message or status_phrase(status), "details": details or {}}


@dataclass(frozen=True)
class VendorFaults:
    """What one vendor contributes to fault injection (its registry entry holds one).

    Attributes:
        transports: The transports the vendor serves (``websocket``, ``grpc``, ``http``).
        meter: A new audio meter for one connection, given the connection's endpoint (the
            name of the vendor's stream it is on, or None).
        handshake_body: The body of an upgrade refused with a status (JSON text).
        http_error_body: The JSON body of an HTTP error answer (``http_error``).
        inactivity_reason: The close reason of ``inactivity_close`` without ``reason``.
        types: Fault types only this vendor has (e.g. a batch job's outcome).
    """

    transports: tuple[str, ...]
    meter: Callable[[str | None], Meter] = NullMeter
    handshake_body: Callable[[int], str] = _plain_handshake_body
    http_error_body: Callable[[int, str | None, Mapping[str, Any] | None], Any] = (
        _plain_http_error_body
    )
    inactivity_reason: str = "Connection closed after a period of inactivity."
    types: tuple[type[Fault], ...] = ()


@dataclass(frozen=True)
class Catalogue:
    """Every fault type a server knows and every vendor it serves (built once)."""

    types: Mapping[str, type[Fault]]
    vendors: Mapping[str, VendorFaults]

    @classmethod
    def build(
        cls, generic: tuple[type[Fault], ...], vendors: Mapping[str, VendorFaults]
    ) -> Catalogue:
        """The generic types followed by each vendor's own, in registry order."""
        types: dict[str, type[Fault]] = {}
        for fault_type in (*generic, *(t for v in vendors.values() for t in v.types)):
            if fault_type.type in types and types[fault_type.type] is not fault_type:
                raise ValueError(f"two fault types are named {fault_type.type!r}")
            types[fault_type.type] = fault_type
        return cls(types=types, vendors=dict(vendors))

    def vendor_transports(self, vendor: str) -> tuple[str, ...]:
        """The transports ``vendor`` serves (empty for an unknown vendor)."""
        entry = self.vendors.get(vendor)
        return entry.transports if entry is not None else ()

    def vendors_for(self, fault_type: type[Fault]) -> tuple[str, ...]:
        """The vendors a fault type can act on, in registry order."""
        return tuple(
            name
            for name, entry in self.vendors.items()
            if set(entry.transports) & set(fault_type.transports)
            and (fault_type in entry.types or fault_type not in self._vendor_types())
        )

    def _vendor_types(self) -> set[type[Fault]]:
        return {t for entry in self.vendors.values() for t in entry.types}
