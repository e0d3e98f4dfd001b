"""The schemas in ``schemas/`` that are generated from code are fresh (``make schemas``)."""

from __future__ import annotations

import json

import jsonschema
import pytest

from mockserver.resources import schema_path
from mockserver.schemas import generated_schemas, render

GENERATED = generated_schemas()


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_the_committed_schema_is_what_the_code_generates(name: str) -> None:
    committed = schema_path(name).read_text(encoding="utf-8")
    assert committed == render(GENERATED[name]), f"schemas/{name} is stale: run `make schemas`"


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_every_generated_schema_is_valid_2020_12(name: str) -> None:
    jsonschema.Draft202012Validator.check_schema(GENERATED[name])


def test_a_stale_file_is_seen() -> None:
    """The comparison would notice a one-character edit of a committed schema."""
    text = render(GENERATED["fault.schema.json"])
    edited = text.replace('"minimum": 1', '"minimum": 2', 1)
    assert edited != text and json.loads(edited) != GENERATED["fault.schema.json"]
