"""The oracle's tables: ``schemas/<vendor>/contract-tables.json``, written from each
vendor's public documentation with its sources (never from the emulator's catalogues),
and the vendors' JSON Schemas under ``schemas/``."""

from __future__ import annotations

import functools
from typing import Any

from mockserver.resources import load_schema

__all__ = ["schema_validator", "tables"]


def tables(vendor: str) -> Any:
    """The parsed ``schemas/<vendor>/contract-tables.json``."""
    return load_schema(f"{vendor}/contract-tables.json")


@functools.cache
def schema_validator(name: str) -> Any:
    """A Draft 2020-12 validator of ``schemas/<name>``."""
    from jsonschema import Draft202012Validator  # noqa: PLC0415  jsonschema: on first use

    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)
