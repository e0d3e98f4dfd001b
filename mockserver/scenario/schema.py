"""The JSON Schema of a scenario, assembled from the vendors' parts.

``schemas/scenario.schema.json`` is this function's output for the built-in vendors
(``scripts/gen_schemas.py`` writes it; a test checks it is fresh). Each item of a
scenario's ``faults`` refers to ``fault.schema.json``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from .part import ScenarioPart

__all__ = ["SCENARIO_SCHEMA_ID", "scenario_schema"]

SCENARIO_SCHEMA_ID = "https://github.com/affect-mockserver/schemas/scenario.schema.json"

#: Definitions every vendor part may reference.
SHARED_DEFS: dict[str, Any] = {
    "Seconds": {"type": "number", "minimum": 0},
    "Score": {"type": "number", "minimum": 0, "maximum": 1},
}


def scenario_schema(parts: Mapping[str, ScenarioPart]) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario for these vendor parts."""
    defs: dict[str, Any] = copy.deepcopy(SHARED_DEFS)
    properties: dict[str, Any] = {
        "name": {
            "type": "string",
            "minLength": 1,
            "description": "Shown in expectation failures and by the admin API.",
        },
        "description": {"type": "string"},
    }
    kinds: dict[str, Mapping[str, Any]] = {}
    for key, part in parts.items():
        properties[key] = copy.deepcopy(dict(part.root))
        for name, schema in part.defs.items():
            if name in defs:
                raise ValueError(f"scenario schema definition {name!r} is defined twice")
            defs[name] = copy.deepcopy(schema)
        for what, kind in part.expectations.items():
            kinds[what] = kind.where
    properties["faults"] = {
        "type": "array",
        "description": "Fault definitions, activated with the scenario (fault.schema.json).",
        "items": {"$ref": "fault.schema.json"},
    }
    properties["expect"] = {"type": "array", "items": {"$ref": "#/$defs/Expectation"}}
    defs["Expectation"] = {
        "type": "object",
        "required": ["what"],
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string", "minLength": 1},
            "what": {"enum": list(kinds)},
            "where": {"type": "object"},
            "exactly": {"type": "integer", "minimum": 0},
            "at_least": {"type": "integer", "minimum": 0},
            "at_most": {"type": "integer", "minimum": 0},
        },
        "allOf": [
            {
                "if": {"properties": {"what": {"const": what}}},
                "then": {
                    "properties": {
                        "where": {
                            "additionalProperties": False,
                            "properties": copy.deepcopy(dict(where)),
                        }
                    }
                },
            }
            for what, where in kinds.items()
        ],
    }
    vendors = ", ".join(parts)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCENARIO_SCHEMA_ID,
        "title": "Scenario",
        "description": f"A scenario: scripted responses per emulator ({vendors}), faults and "
        "expectations (docs/scenarios.md). Structure and ranges are checked here; the loader "
        "also checks names against the vendors' label sets, from < to, regular expressions "
        "and which keys may be combined. Generated from the vendors' scenario parts "
        "(scripts/gen_schemas.py).",
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
        "$defs": defs,
    }
