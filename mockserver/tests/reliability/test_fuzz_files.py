"""Fuzzing scenario files (``mockserver/scenario/loader.py``) and fault definitions
(``mockserver/faults/spec.py``).

Any text, file or mapping either loads or raises :class:`~mockserver.errors.ScenarioError`
(a fault definition: its subclass ``FaultDefinitionError``) with a message naming the
problem; never another exception. What loads, loads into a running server too.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver.errors import ScenarioError
from mockserver.resources import load_schema
from mockserver.runtime import Runtime
from mockserver.scenario.loader import load_scenario
from mockserver.server import MockServer

from .shaped import shaped
from .strategies import json_values

pytestmark = pytest.mark.fuzz

SCENARIO_SCHEMA = load_schema("scenario.schema.json")
FAULT_SCHEMA = load_schema("fault.schema.json")

scenario_documents = shaped(SCENARIO_SCHEMA)
fault_documents = shaped(FAULT_SCHEMA)


def loads_or_refuses(source: Any) -> Any:
    """Load a scenario; a ScenarioError (with a message) is a refusal, anything else fails."""
    try:
        return load_scenario(source)
    except ScenarioError as error:
        assert str(error), "an error without a message"
        return None


def test_only_scenario_errors_count_as_refusals(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check can fail: a loader that raised anything else would fail the test."""

    def broken(source: Any) -> Any:
        raise KeyError(source)

    monkeypatch.setattr(f"{__name__}.load_scenario", broken)
    with pytest.raises(KeyError):
        loads_or_refuses({})


@given(scenario_documents)
def test_scenario_mappings_load_or_are_refused(document: Any) -> None:
    scenario = loads_or_refuses(document)
    if scenario is not None:  # what loads round-trips through its data form
        assert load_scenario(scenario.to_dict()) == scenario


@given(
    st.one_of(
        scenario_documents.map(lambda d: yaml.safe_dump(d, allow_unicode=True)),
        scenario_documents.map(json.dumps),
        st.text(max_size=300),
    )
)
def test_scenario_texts_load_or_are_refused(text: str) -> None:
    loads_or_refuses(text)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    content=st.one_of(
        scenario_documents.map(lambda d: json.dumps(d).encode()),
        st.binary(max_size=300),
        st.text(max_size=300).map(lambda t: t.encode("utf-8")),
    ),
    suffix=st.sampled_from([".yaml", ".yml", ".json"]),
)
def test_scenario_files_load_or_are_refused(tmp_path: Path, content: bytes, suffix: str) -> None:
    path = tmp_path / f"scenario{suffix}"
    path.write_bytes(content)
    loads_or_refuses(path)
    loads_or_refuses(str(path))


@given(st.lists(fault_documents | json_values, min_size=1, max_size=3))
def test_fault_definitions_load_or_are_refused(definitions: list[Any]) -> None:
    plan = Runtime(seed=0).faults
    try:
        plan.load(definitions)
    except ScenarioError as error:
        assert str(error).startswith("fault "), error


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=scenario_documents)
def test_what_loads_also_loads_into_a_running_server(server: MockServer, document: Any) -> None:
    if loads_or_refuses(document) is None:
        return
    server.reset()
    with contextlib.suppress(ScenarioError):  # a server may refuse more than the loader
        server.load_scenario(document)
    server.check()


def test_regression_one_line_yaml_ending_in_json_is_text_not_a_path() -> None:
    """Found by the fuzzer (Hypothesis, in the loader's own round-trip test): the YAML
    ``description: .JSON`` was taken for the name of a missing file."""
    assert load_scenario("description: notes.json").description == "notes.json"
    with pytest.raises(ScenarioError, match="no such scenario file"):
        load_scenario("missing-scenario.yaml")
