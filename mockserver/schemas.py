"""The JSON Schemas generated from code, and the files in ``schemas/`` they are written to.

The fault schema comes from the fault types, the scenario schema from the vendors' scenario
parts, and the journal entry's redaction pattern from the vendors' secret names, so that
none of them is described twice. ``scripts/gen_schemas.py`` (``make schemas``) writes them
for the built-in vendors; a test fails when a committed file is stale.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from typing import Any

from .faults.schema import fault_schema
from .journal import EMPTY, MISSING, REDACTED, secret_key_pattern
from .registry import VendorSpec, default_vendors, fault_catalogue
from .resources import schema_path
from .scenario.loader import ScenarioFormat

__all__ = ["generated_schemas", "render"]


def _journal_entry_schema(vendors: Sequence[VendorSpec]) -> dict[str, Any]:
    schema: dict[str, Any] = copy.deepcopy(
        json.loads(schema_path("journal-entry.schema.json").read_text(encoding="utf-8"))
    )
    names = [name for vendor in vendors for name in vendor.secrets]
    redacted = schema["$defs"]["redacted"]
    markers = {"enum": [REDACTED, EMPTY, MISSING]}
    redacted["patternProperties"] = {secret_key_pattern(names): markers}
    return schema


def generated_schemas(vendors: Sequence[VendorSpec] | None = None) -> dict[str, dict[str, Any]]:
    """File name under ``schemas/`` -> its generated content, for ``vendors``."""
    vendors = default_vendors() if vendors is None else vendors
    return {
        "fault.schema.json": fault_schema(fault_catalogue(vendors)),
        "scenario.schema.json": ScenarioFormat(vendors).schema(),
        "journal-entry.schema.json": _journal_entry_schema(vendors),
    }


def render(schema: dict[str, Any]) -> str:
    """The committed text of a schema (stable key order, two-space indent, final newline)."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
