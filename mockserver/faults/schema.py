"""The JSON Schema of a fault definition, generated from the fault types.

``schemas/fault.schema.json`` is this function's output for the served vendors
(``scripts/gen_schemas.py`` writes it, a test checks it is fresh). A server validates
definitions against the schema of its own catalogue, so a vendor added through the
registry, with its own fault types, needs no hand-written schema.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from .model import TRANSPORTS, Catalogue, Fault

__all__ = ["FAULT_SCHEMA_ID", "fault_schema"]

FAULT_SCHEMA_ID = "https://github.com/affect-mockserver/schemas/fault.schema.json"

_BASE = ["name", "vendor", "transport", "type", "when"]

_WHEN: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "description": "Trigger: every given condition must hold; absent keys are no condition. "
    "Which keys a type accepts is listed in docs/faults.md.",
    "properties": {
        "connection": {
            "description": "N-th connection (WebSocket), call (gRPC) or request (HTTP) since "
            "reset, 1-based; a list for several. Absent: all.",
            "oneOf": [
                {"type": "integer", "minimum": 1},
                {
                    "type": "array",
                    "items": {"type": "integer", "minimum": 1},
                    "minItems": 1,
                    "uniqueItems": True,
                },
            ],
        },
        "message": {
            "type": "integer",
            "minimum": 1,
            "description": "Only the N-th outbound message (reply/result) of the connection; "
            "for slow_consumer the N-th client message.",
        },
        "after_results": {
            "type": "integer",
            "minimum": 0,
            "description": "Once N outbound messages (replies/results) of the connection "
            "have been handled.",
        },
        "after_audio_s": {
            "type": "number",
            "minimum": 0,
            "description": "Once the client has sent at least this many seconds of audio on "
            "the connection.",
        },
        "after_s": {
            "type": "number",
            "minimum": 0,
            "description": "Once the connection has been open this many seconds.",
        },
        "idle_s": {
            "type": "number",
            "exclusiveMinimum": 0,
            "description": "Once the client has sent nothing for this many seconds (ending "
            "faults).",
        },
        "probability": {
            "type": "number",
            "minimum": 0,
            "maximum": 1,
            "description": "Chance of firing at each opportunity, derived from the server seed "
            "(same seed, same firings).",
        },
        "times": {
            "type": "integer",
            "minimum": 1,
            "description": "Fire at most this many times in total (since the fault was added).",
        },
        "path": {
            "type": "string",
            "format": "regex",
            "description": "HTTP: regular expression searched in the request path.",
        },
        "method": {
            "type": "string",
            "minLength": 1,
            "description": "HTTP method (GET, POST) or gRPC method name; case-insensitive.",
        },
        "name": {
            "type": "string",
            "format": "regex",
            "description": "Submission faults: regular expression searched in the submitted "
            "job's name.",
        },
    },
}


def _one_of(values: list[str]) -> dict[str, Any]:
    return {"const": values[0]} if len(values) == 1 else {"enum": values}


def _param_schemas(fault_type: type[Fault]) -> dict[str, dict[str, Any]]:
    return {
        name: copy.deepcopy(dict(f.metadata["schema"]))
        for name, f in fault_type.param_fields().items()
    }


def _json_types(schema: Mapping[str, Any]) -> list[str] | None:
    """The JSON types a parameter schema admits (None: any)."""
    given = schema.get("type")
    if given is not None:
        return [given] if isinstance(given, str) else list(given)
    values = schema.get("enum", [schema["const"]] if "const" in schema else None)
    if values is None:
        return None
    names = {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}
    return list(dict.fromkeys(names.get(type(v).__name__, "null") for v in values))


def _shared_property(uses: list[tuple[type[Fault], str, Mapping[str, Any]]]) -> dict[str, Any]:
    """The top-level property of a parameter: its schema when every type that has it gives
    the same one, else the union of their JSON types; and each type's documentation."""
    schemas = [dict(schema) for _, _, schema in uses]
    if all(schema == schemas[0] for schema in schemas):
        prop = copy.deepcopy(schemas[0])
        prop.pop("description", None)
    else:
        prop = {}
        found: list[str] = []
        for schema in schemas:
            types = _json_types(schema)
            if types is None:
                found = []
                break
            found.extend(t for t in types if t not in found)
        if found:
            prop["type"] = found[0] if len(found) == 1 else found
    docs: dict[str, list[str]] = {}
    for fault_type, doc, _ in uses:
        docs.setdefault(doc.rstrip("."), []).append(fault_type.type)
    prop["description"] = (
        "; ".join(f"{', '.join(names)}: {doc}" for doc, names in docs.items()) + "."
    )
    return prop


def _shared_identically(uses: list[tuple[type[Fault], str, Mapping[str, Any]]]) -> bool:
    return all(dict(schema) == dict(uses[0][2]) for _, _, schema in uses)


def fault_schema(catalogue: Catalogue) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one fault definition for ``catalogue``."""
    uses: dict[str, list[tuple[type[Fault], str, Mapping[str, Any]]]] = {}
    for fault_type in catalogue.types.values():
        for name, f in fault_type.param_fields().items():
            uses.setdefault(name, []).append((fault_type, f.metadata["doc"], f.metadata["schema"]))
    properties: dict[str, Any] = {
        "name": {
            "type": "string",
            "minLength": 1,
            "maxLength": 200,
            "description": "Name recorded in the journal (JournalEntry.fault) when the fault "
            "changes the traffic. Default: '<type>-<index>'.",
        },
        "vendor": {
            "enum": list(catalogue.vendors),
            "description": "Limit the fault to one emulator. Default: every vendor the type "
            "applies to.",
        },
        "transport": {
            "enum": list(TRANSPORTS),
            "description": "Limit the fault to one transport (useful for 'delay', which "
            "applies to all three).",
        },
        "type": {"enum": list(catalogue.types), "description": "The fault (see docs/faults.md)."},
        "when": {"$ref": "#/$defs/when"},
    }
    for name, used in uses.items():
        properties[name] = _shared_property(used)
    branches: list[dict[str, Any]] = []
    for fault_type in catalogue.types.values():
        then: dict[str, Any] = {
            "propertyNames": {"enum": [*_BASE, *sorted(fault_type.param_fields())]},
            "properties": {
                "when": {"propertyNames": {"enum": sorted(fault_type.triggers)}},
            },
        }
        if set(fault_type.transports) != set(TRANSPORTS):
            then["properties"]["transport"] = _one_of(list(fault_type.transports))
        vendors = list(catalogue.vendors_for(fault_type))
        if vendors != list(catalogue.vendors):
            then["properties"]["vendor"] = _one_of(vendors)
        for name, schema in _param_schemas(fault_type).items():
            if schema and not _shared_identically(uses[name]):
                then["properties"][name] = schema
        then.update(copy.deepcopy(dict(fault_type.schema_extra)))
        branches.append(
            {
                "if": {"properties": {"type": {"const": fault_type.type}}, "required": ["type"]},
                "then": then,
            }
        )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": FAULT_SCHEMA_ID,
        "title": "Fault",
        "description": "One fault definition of affect-mockserver: a small, composable "
        "failure applied at the transport boundary (WebSocket, gRPC or HTTP), configured as "
        "data. 'type' selects the fault (docs/faults.md lists them), 'when' says when it fires "
        "(every given condition must hold), the other keys are the type's parameters. "
        "Generated from the fault types (scripts/gen_schemas.py); self-contained: scenario "
        "files reference it for each item of their 'faults' list.",
        "type": "object",
        "required": ["type"],
        "additionalProperties": False,
        "properties": properties,
        "allOf": branches,
        "$defs": {"when": copy.deepcopy(_WHEN)},
    }
