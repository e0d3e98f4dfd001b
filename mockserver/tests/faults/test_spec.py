"""Fault definitions: the schema, the catalogue and the validation messages agree."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from mockserver.core.rng import SeedSource
from mockserver.errors import ScenarioError
from mockserver.faults import FaultPlan
from mockserver.faults.model import EVALUABLE_TRIGGERS
from mockserver.registry import fault_catalogue
from mockserver.resources import load_schema, schema_path

FAULT_TYPES = fault_catalogue().types

DOC = Path(__file__).resolve().parents[3] / "docs" / "faults.md"

#: The definitions given as examples in the issue and in docs/faults.md.
EXAMPLES: list[dict[str, Any]] = [
    {"name": "drop-3rd", "vendor": "hume", "type": "drop", "when": {"connection": 1, "message": 3}},
    {"vendor": "hume", "type": "delay", "seconds": 0.2},
    {"type": "delay", "min_seconds": 0.1, "max_seconds": 0.5, "when": {"probability": 0.3}},
    {"vendor": "behavioral", "type": "grpc_abort", "status": "UNAVAILABLE", "details": "down",
     "when": {"after_results": 2}},
    {"vendor": "behavioral", "type": "grpc_abort", "when": {"after_audio_s": 4.0}},
    {"vendor": "behavioral", "type": "http_error", "status": 503,
     "when": {"path": r"/processes/\d+$", "method": "GET", "times": 2}},
    {"vendor": "behavioral", "type": "process_outcome", "status": -2,
     "message": "Insufficient credits", "when": {"name": "bad.wav"}},
    {"vendor": "behavioral", "type": "process_outcome", "stay": "pending"},
    {"vendor": "hume", "type": "handshake_reject", "status": 429},
    {"type": "slow_consumer", "seconds": 0.1, "when": {"connection": [1, 2]}},
    {"type": "close", "code": 4000, "reason": "bye", "when": {"message": 2}},
    {"type": "inactivity_close", "when": {"idle_s": 0.5}},
    {"type": "discard", "when": {"message": 1}},
    {"type": "malformed_json"},
    {"type": "wrong_types", "when": {"after_results": 1}},
    {"type": "replace", "body": {"error": "x", "code": "E0300"}},
    {"type": "replace", "text": "not json"},
    {"type": "duplicate", "count": 2},
    {"type": "reorder", "when": {"message": 1}},
    {"type": "grpc_reset", "http2_error": 7, "when": {"method": "StreamAudio"}},
    {"type": "grpc_deadline", "when": {"after_s": 1.5}},
    {"type": "grpc_hang", "when": {"after_results": 1}},
    {"type": "delay", "transport": "http", "seconds": 0.1, "when": {"path": "/processes"}},
]  # fmt: skip


def test_the_catalogue_documents_every_type_parameter_and_trigger() -> None:
    text = DOC.read_text("utf-8")
    for name, ftype in FAULT_TYPES.items():
        assert f"| `{name}` |" in text, name
        for key in sorted(set(ftype.param_fields()) | ftype.triggers):
            assert f"`{key}`" in text, (name, key)


def doc_blocks(language: str) -> list[str]:
    text = DOC.read_text("utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)


def test_the_yaml_example_is_valid() -> None:
    (block,) = doc_blocks("yaml")
    faults = yaml.safe_load(block)["faults"]
    assert [d["name"] for d in plan().load(faults)] == [
        "flaky-greeting", "delay-2", "process_outcome-3",
    ]  # fmt: skip


def test_the_python_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    (block,) = doc_blocks("python")
    exec(compile(block, str(DOC), "exec"), {})
    assert capsys.readouterr().out.strip() == "[]"  # no traffic, so no faulted entry


def plan() -> FaultPlan:
    return FaultPlan(SeedSource(0), fault_catalogue())


def schema_errors(definition: Any) -> list[str]:
    schema = load_schema("fault.schema.json")
    validator = jsonschema.Draft202012Validator(schema)
    return [e.message for e in validator.iter_errors(definition)]


def test_schema_is_a_valid_2020_12_schema_with_its_id() -> None:
    schema = json.loads(schema_path("fault.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "https://github.com/affect-mockserver/schemas/fault.schema.json"
    refs = [v for v in _walk(schema) if isinstance(v, str) and v.startswith("#/")]
    assert refs and all(r.startswith("#/$defs/") for r in refs)  # self-contained


def _walk(node: Any) -> Any:
    if isinstance(node, dict):
        for value in node.values():
            yield value
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_schema_matches_the_catalogue() -> None:
    schema = load_schema("fault.schema.json")
    assert schema["properties"]["type"]["enum"] == list(FAULT_TYPES)
    clauses = {c["if"]["properties"]["type"]["const"]: c["then"] for c in schema["allOf"]}
    assert set(clauses) == set(FAULT_TYPES)
    base = {"name", "vendor", "transport", "type", "when"}
    for name, ftype in FAULT_TYPES.items():
        then = clauses[name]
        assert set(then["propertyNames"]["enum"]) == base | set(ftype.param_fields()), name
        assert set(then["properties"]["when"]["propertyNames"]["enum"]) == ftype.triggers, name
        assert ftype.triggers <= set().union(*(EVALUABLE_TRIGGERS[t] for t in ftype.transports))
    assert set(schema["$defs"]["when"]["properties"]) == set().union(
        *(t.triggers for t in FAULT_TYPES.values())
    )


@pytest.mark.parametrize("definition", EXAMPLES, ids=lambda d: str(d["type"]))
def test_examples_are_valid_for_the_schema_and_the_plan(definition: dict[str, Any]) -> None:
    assert schema_errors(definition) == []
    (stored,) = plan().load([definition])
    assert {k: v for k, v in stored.items() if k != "name"} == {
        k: v for k, v in definition.items() if k != "name"
    }


def test_load_names_faults_by_type_and_position_and_describe_round_trips() -> None:
    faults = plan()
    stored = faults.load([{"type": "drop"}, {"name": "mine", "type": "delay", "seconds": 1}])
    assert [d["name"] for d in stored] == ["drop-1", "mine"]
    assert faults.load([{"type": "reorder"}])[0]["name"] == "reorder-3"
    described = faults.describe()
    assert described == [*stored, {"type": "reorder", "name": "reorder-3"}]
    again = plan()
    assert again.load(described) == described  # describe() output is loadable as is
    faults.clear()
    assert faults.describe() == [] and not faults
    assert faults.load([{"type": "drop"}])[0]["name"] == "drop-1"  # positions restart


# (definition, field named in the message, words of the message)
INVALID: list[tuple[Any, str, str]] = [
    ("drop", "", "must be an object"),
    ({}, "type", "is required"),
    ({"type": "explode"}, "type", "unknown fault type 'explode'"),
    ({"type": "delay"}, "seconds", "give either seconds, or min_seconds and max_seconds"),
    ({"type": "delay", "seconds": 1, "min_seconds": 0}, "seconds", "give either"),
    ({"type": "delay", "min_seconds": 0.1}, "max_seconds", "is required"),
    ({"type": "delay", "min_seconds": 2, "max_seconds": 1}, "min_seconds", "must not exceed"),
    ({"type": "delay", "seconds": -1}, "seconds", "less than the minimum of 0"),
    ({"type": "delay", "seconds": "1"}, "seconds", "is not of type 'number'"),
    ({"type": "close", "status": 500}, "status", "not a parameter of 'close'"),
    ({"type": "close", "code": 1005}, "code", "not valid here"),
    ({"type": "close", "reason": "é" * 62}, "reason", "at most 123 UTF-8 bytes"),
    ({"type": "close", "when": {"path": "/x"}}, "when.path", "not a trigger of 'close'"),
    ({"type": "drop", "when": {"message": 0}}, "when.message", "less than the minimum of 1"),
    ({"type": "drop", "when": {"probability": 1.5}}, "when.probability", "maximum of 1"),
    ({"type": "drop", "when": {"connection": [0]}}, "when.connection.0", "minimum of 1"),
    ({"type": "drop", "when": {"times": 0}}, "when.times", "minimum of 1"),
    ({"type": "drop", "when": {"idle_s": 0}}, "when.idle_s", "less than or equal to"),
    ({"type": "drop", "when": "always"}, "when", "is not of type 'object'"),
    ({"type": "drop", "vendor": "behavioral"}, "vendor", "'drop' does not apply to 'behavioral'"),
    ({"type": "drop", "vendor": "acme"}, "vendor", "is not one of"),
    ({"type": "delay", "seconds": 1, "vendor": "hume", "transport": "http"}, "transport",
     "does not use 'http'"),
    ({"type": "grpc_abort", "transport": "websocket"}, "transport", "does not apply"),
    ({"type": "grpc_abort", "status": "OKAY"}, "status", "is not one of"),
    ({"type": "grpc_abort", "status": "OK"}, "status", "is not one of"),
    ({"type": "grpc_abort", "details": {"a": 1}}, "details", "is not of type 'string'"),
    ({"type": "handshake_reject"}, "status", "is required"),
    ({"type": "handshake_reject", "status": 200}, "status", "less than the minimum of 400"),
    ({"type": "http_error", "status": 503, "when": {"path": "("}}, "when.path",
     "invalid regular expression"),
    ({"type": "http_error", "status": 503, "details": "x"}, "details", "not of type 'object'"),
    ({"type": "process_outcome"}, "status", "exactly one of status"),
    ({"type": "process_outcome", "status": -1, "stay": "pending"}, "status", "exactly one"),
    ({"type": "process_outcome", "status": 2}, "status", "maximum of -1"),
    ({"type": "process_outcome", "stay": "done"}, "stay", "is not one of"),
    ({"type": "process_outcome", "stay": "pending", "message": "x"}, "message", "only applies"),
    ({"type": "replace"}, "body", "exactly one of body or text"),
    ({"type": "duplicate", "count": 0}, "count", "minimum of 1"),
    ({"type": "delay", "seconds": 1, "when": {"path": "/x", "message": 2}}, "when",
     "no transport can evaluate all of message, path"),
    ({"type": "delay", "seconds": float("nan")}, "(definition)", "not JSON data"),
    ({"type": "drop", "name": ""}, "name", "should be non-empty"),
]  # fmt: skip


@pytest.mark.parametrize(("definition", "field", "words"), INVALID)
def test_invalid_definitions_name_the_index_and_the_field(
    definition: Any, field: str, words: str
) -> None:
    faults = plan()
    good = {"type": "drop"}
    with pytest.raises(ScenarioError) as caught:
        faults.load([good, definition])
    message = str(caught.value)
    prefix = f"fault 1: {field}: " if field else "fault 1: "
    assert message.startswith(prefix), message
    assert words in message, message
    assert faults.describe() == []  # all or nothing


#: Rules only the plan checks: not data (NaN, not an object), regular expression syntax,
#: and cross-field rules the schema's descriptions state.
PLAN_ONLY = (
    "must be an object", "not JSON data", "invalid regular expression", "must not exceed",
    "UTF-8 bytes", "does not use", "no transport can evaluate",
)  # fmt: skip


@pytest.mark.parametrize(("definition", "field", "words"), INVALID)
def test_the_schema_rejects_what_the_plan_rejects(definition: Any, field: str, words: str) -> None:
    if any(rule in words for rule in PLAN_ONLY):
        assert not isinstance(definition, dict) or not schema_errors(definition)
    else:
        assert schema_errors(definition), definition
