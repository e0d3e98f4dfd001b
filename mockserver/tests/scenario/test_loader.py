"""Scenario format: the schema, every kind of source, error messages naming the file and
the JSON path, and the Python API equal to the data form (issue "scenarios")."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.core.rng import SeedSource
from mockserver.errors import ScenarioError
from mockserver.faults import FaultPlan
from mockserver.registry import fault_catalogue
from mockserver.resources import fixture_path, load_schema
from mockserver.scenario import (
    BehavioralResult,
    Expectation,
    HumeRespond,
    HumeRule,
    HumeWhen,
    ModelWarning,
    ProcessOutcome,
    ProcessRule,
    ProcessWhen,
    Reply,
    Scenario,
    ScenarioBook,
    Segment,
    Timeline,
    load_scenario,
)
from mockserver.scenario.loader import ScenarioFormat, builtin_scenarios, scenario_file
from mockserver.vendors.behavioral.tasks import CLASSIFIER_LABELS, SPEAKING_RATE_3
from mockserver.vendors.hume.labels import EXPRESSION_NAMES, LANGUAGE_EXPRESSION_NAMES

FIXTURES = sorted(fixture_path("scenarios").glob("*.*"))


def test_the_schema_is_valid_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(load_schema("scenario.schema.json"))


def test_there_are_yaml_and_json_example_fixtures() -> None:
    suffixes = [p.suffix for p in FIXTURES]
    assert 4 <= len(FIXTURES) <= 6
    assert ".json" in suffixes and ".yaml" in suffixes


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_every_fixture_loads_and_round_trips(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.name == path.stem
    assert load_scenario(scenario.to_dict()) == scenario
    assert load_scenario(scenario) == scenario


# -- sources ---------------------------------------------------------------------------------

ANGRY = fixture_path("scenarios/behavioral-angry-segment.yaml")


def python_angry_segment() -> Scenario:
    """behavioral-angry-segment.yaml, written with the Python API."""
    return Scenario(
        name="behavioral-angry-segment",
        behavioral=[
            BehavioralResult("emotion", "angry", start=4.0, end=9.5, posterior=0.9),
            BehavioralResult("strength", "strong", start=4.0, end=9.5),
            BehavioralResult("deepfake", "spoofed", posterior=0.97),
            ProcessRule(
                when=ProcessWhen(name="no-credits.wav"),
                outcome=ProcessOutcome(-2, "Insufficient credits"),
            ),
            ProcessRule(when=ProcessWhen(name="stuck.wav"), outcome=ProcessOutcome(0)),
        ],
    )


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(str(ANGRY), id="str path"),
        pytest.param(ANGRY, id="Path"),
        pytest.param(ANGRY.read_text(encoding="utf-8"), id="YAML text"),
        pytest.param(json.dumps(yaml.safe_load(ANGRY.read_text(encoding="utf-8"))), id="JSON text"),
        pytest.param(yaml.safe_load(ANGRY.read_text(encoding="utf-8")), id="dict"),
        pytest.param(python_angry_segment(), id="Scenario"),
    ],
)
def test_every_source_kind_gives_the_same_scenario(source: Any) -> None:
    assert load_scenario(source) == python_angry_segment()


def test_python_api_to_dict_is_the_data_form() -> None:
    data = yaml.safe_load(ANGRY.read_text(encoding="utf-8"))
    assert (
        python_angry_segment().to_dict()["behavioral"]["processes"]
        == (data["behavioral"]["processes"])
    )
    assert load_scenario(python_angry_segment().to_dict()) == python_angry_segment()


def test_items_are_grouped_by_kind_in_data_order() -> None:
    rule = HumeRule(respond=HumeRespond(emotions={"Joy": 0.5}))
    timeline = Timeline((Segment(0, 1, {"Joy": 0.2}),))
    assert Scenario(hume=[timeline, rule]) == Scenario(hume=(rule, timeline))
    assert Scenario(hume=[timeline, rule]).hume == (rule, timeline)


def test_a_json_file_is_read_as_json(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text('{"name": "j", "hume": {"rules": []}}', encoding="utf-8")
    assert load_scenario(path) == Scenario(name="j")


# -- error messages ----------------------------------------------------------------------------


def error_of(source: Any) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(source)
    return str(info.value)


def test_an_unknown_expression_name_names_the_file_and_the_path(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("hume:\n  rules:\n    - respond: {emotions: {Angr: 0.9}}\n", encoding="utf-8")
    assert error_of(path) == (
        f"{path}: hume.rules[0].respond.emotions.Angr: unknown expression name 'Angr' "
        "(did you mean 'Anger'?)"
    )


BAD: list[tuple[str, str]] = [
    ("hume: {rules: [{when: {model: prosody}, respond: {emotions: {Annoyance: 0.5}}}]}",
     "hume.rules[0].respond.emotions.Annoyance: unknown prosody expression name 'Annoyance'"),
    ("hume: {rules: [{when: {modl: prosody}, respond: {emotions: {Anger: 0.5}}}]}",
     "hume.rules[0].when.modl: unknown key (allowed: model, payload_id, payload_index, text)"),
    ("hume: {rules: [{when: {model: prosdy}, respond: {emotions: {Anger: 0.5}}}]}",
     'hume.rules[0].when.model: "prosdy" is not one of "burst", "face", "facemesh", '
     '"language", "prosody"'),
    ("hume: {rules: [{when: {model: language}}]}", "hume.rules[0]: missing required key 'respond'"),
    ("hume: {rules: [{respond: {emotions: {Anger: 1.5}}}]}",
     "hume.rules[0].respond.emotions.Anger: 1.5 is greater than the maximum of 1"),
    ("hume: {rules: [{respond: {error: {code: E0100}, emotions: {Anger: 1}}}]}",
     "hume.rules[0].respond: error and emotions cannot be combined (one per rule)"),
    ("hume: {rules: [{respond: {error: {code: X0100}}}]}",
     "hume.rules[0].respond.error.code: 'X0100' does not match '^[EI][0-9]{4}$'"),
    ("hume: {rules: [{respond: {others_at_most: 0.2}}]}",
     "hume.rules[0].respond: give one of error, warning, model_warning, emotions, "
     "empty_predictions, faces, extra_fields"),
    ("hume: {rules: [{when: {text: '(unclosed'}, respond: {emotions: {Joy: 1}}}]}",
     "hume.rules[0].when.text: not a valid regular expression"),
    ("hume: {rules: [{when: {model: face}, respond: {model_warning: {model: prosody}}}]}",
     "hume.rules[0].respond.model_warning.model: 'prosody' is not among the models of "
     "when.model (face)"),
    ("hume: {timelines: [{segments: [{from: 3, to: 1, emotions: {Joy: 1}}]}]}",
     "hume.timelines[0].segments[0]: from (3) must be less than to (1)"),
    ("behavioral: {results: [{task: emotion, label: angry, from: 9.5, to: 4.0}]}",
     "behavioral.results[0]: from (9.5) must be less than to (4.0)"),
    ("behavioral: {results: [{task: emotion, label: angri}]}",
     "behavioral.results[0].label: unknown emotion label 'angri' (did you mean 'angry'?)"),
    ("behavioral: {results: [{task: mood, label: angry}]}",
     'behavioral.results[0].task: "mood" is not one of'),
    ("behavioral: {results: [{task: hesitation, label: no}]}",
     "behavioral.results[0].label: YAML reads an unquoted no as a boolean; write 'no' in quotes"),
    ("behavioral: {results: [{task: intensity, label: high}]}",
     "behavioral.results[0].label: intensity has no labels; script its score"),
    ("behavioral: {results: [{task: emotion, label: sad, posterior: 0.4}]}",
     "behavioral.results[0].posterior: 0.4 is less than or equal to the minimum of 0.5"),
    ("behavioral: {results: [{task: visual_deepfake, label: spoofed, api: stream}]}",
     "behavioral.results[0].api: visual_deepfake is a batch (video upload) task"),
    ("behavioral: {processes: [{outcome: {status: 0, message: Waiting}}]}",
     "behavioral.processes[0].outcome.message: only a failure (negative status) has a message"),
    ("behavioral: {processes: [{outcome: {status: 2}}]}",
     "behavioral.processes[0].outcome.status: 2 is greater than the maximum of 1"),
    ("expect: [{what: hume.messages, where: {modle: language}, exactly: 1}]",
     "expect[0].where.modle: unknown key (allowed: model, payload_id, text)"),
    ("expect: [{what: hume.messages}]", "expect[0]: give exactly, at_least or at_most"),
    ("expect: [{what: hume.messages, exactly: 1, at_most: 2}]",
     "expect[0].exactly: cannot be combined with at_least or at_most"),
    ("expect: [{what: hume.frames, exactly: 1}]", 'expect[0].what: "hume.frames" is not one of'),
    ("faults: [{type: explode}]", 'faults[0].type: "explode" is not one of'),
    ("nme: x", "nme: unknown key (allowed: behavioral, description, expect, faults, hume, name)"),
    ("- a list", "(top level): a scenario must be a mapping, not array"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "message"), BAD, ids=[m.split(":")[0] for _, m in BAD])
def test_invalid_scenarios_are_explained(text: str, message: str) -> None:
    error = error_of(text)
    assert error.startswith(f"<scenario text>: {message}") or (
        error.startswith("<scenario text>: ") and f"\n  - {message}" in error
    ), error


def test_every_problem_is_listed_not_only_the_first() -> None:
    error = error_of("nme: x\nfaults: [{type: explode}]\nhume: {rules: [{respond: {}}]}")
    lines = error.splitlines()
    assert lines[0] == "<scenario text>: 3 problems:"
    assert sorted(line.split(":")[0] for line in lines[1:]) == [
        "  - faults[0].type",
        "  - hume.rules[0].respond",
        "  - nme",
    ]


def test_source_errors() -> None:
    assert error_of("missing.yaml") == "missing.yaml: no such scenario file"
    assert "not valid YAML" in error_of("a: [unclosed")
    assert error_of(Path("x.txt")) == "x.txt: no such scenario file"
    assert "cannot load a scenario from int" in error_of(42)
    assert error_of({"hume": {"rules": [{"respond": {}}]}}).startswith(
        "<scenario mapping>: hume.rules[0].respond: must not be empty"
    )
    bad = Scenario(name="py", hume=[HumeRule(respond=HumeRespond(emotions={"Rage": 1.0}))])
    assert error_of(bad).startswith("Scenario('py'): hume.rules[0].respond.emotions.Rage")


def test_a_path_that_exists_is_a_file_whatever_its_suffix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "errors.txt"
    path.write_text("name: from-a-txt-file\nhume: {rules: [{respond: {warning: {code: W0105}}}]}\n")
    scenario, name = ScenarioFormat().read(str(path))
    assert (scenario.name, name) == ("from-a-txt-file", str(path))
    monkeypatch.chdir(tmp_path)
    assert ScenarioFormat().read("errors.txt")[0].name == "from-a-txt-file"
    # one-line text that is no file stays text
    assert ScenarioFormat().read("name: inline")[0].name == "inline"


def test_builtin_names_the_packaged_scenarios() -> None:
    names = builtin_scenarios()
    assert "hume-errors" in names and "behavioral-batch-outcomes" in names
    assert scenario_file("builtin:hume-errors") == fixture_path("scenarios/hume-errors.yaml")
    assert ScenarioFormat().read("builtin:hume-errors")[1] == "builtin:hume-errors"
    assert scenario_file("plain/path.yaml") == Path("plain/path.yaml")
    message = error_of("builtin:nope")
    assert message.startswith("builtin:nope: no such built-in scenario (built in: builtin:")
    assert "builtin:hume-errors" in message


# -- activation --------------------------------------------------------------------------------


def test_loading_hands_the_faults_to_the_fault_plan() -> None:
    faults = FaultPlan(SeedSource(0), fault_catalogue())
    book = ScenarioBook()
    scenario = book.load(fixture_path("scenarios/mixed-faults-expectations.yaml"), faults=faults)
    assert [f["type"] for f in faults.describe()] == ["close", "delay"]
    assert book.active() == [scenario]
    assert book.script("hume") is not None and book.script("behavioral") is None
    book.clear()
    assert book.active() == [] and book.script("hume") is None
    assert len(faults.describe()) == 2  # faults stay until the fault plan is cleared


def test_fault_plan_errors_name_the_source_and_the_fault(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text("faults: [{type: delay, min_seconds: 2, max_seconds: 1}]", encoding="utf-8")
    faults = FaultPlan(SeedSource(0), fault_catalogue())
    book = ScenarioBook()
    with pytest.raises(ScenarioError) as info:
        book.load(path, faults=faults)
    assert str(info.value) == f"{path}: faults[0].min_seconds: must not exceed max_seconds"
    assert book.active() == [] and faults.describe() == []


def test_importing_scenarios_is_light_and_sans_io() -> None:

    code = (
        "import json, sys, mockserver.runtime, mockserver.scenario, "
        "mockserver.vendors.hume.scenario, mockserver.vendors.hume.script, "
        "mockserver.vendors.behavioral.scenario_part, mockserver.vendors.hume.scenario_part, "
        "mockserver.scenario.expect\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(json.loads(out.stdout))
    assert not loaded & {"asyncio", "websockets", "grpc", "aiohttp", "numpy", "jsonschema", "yaml"}


def test_an_invalid_scenario_activates_nothing() -> None:
    faults = FaultPlan(SeedSource(0), fault_catalogue())
    book = ScenarioBook()
    with pytest.raises(ScenarioError):
        book.load({"faults": [{"type": "delay"}], "hume": {"rules": [{}]}}, faults=faults)
    assert book.active() == [] and faults.describe() == []


# -- Python API == data form (Hypothesis) ------------------------------------------------------

names48 = st.sampled_from(EXPRESSION_NAMES)
scores = st.floats(0.0, 1.0, allow_nan=False)
seconds = st.floats(0.0, 1000.0, allow_nan=False)
maybe = st.none


def emotions(names: st.SearchStrategy[str] = names48) -> st.SearchStrategy[dict[str, float]]:
    return st.dictionaries(names, scores, min_size=1, max_size=4)


def spans() -> st.SearchStrategy[tuple[float, float]]:
    return st.tuples(seconds, st.floats(0.001, 100.0)).map(lambda t: (t[0], t[0] + t[1]))


replies_e = st.builds(
    Reply, st.from_regex(r"E0[0-9]{3}", fullmatch=True), maybe() | st.text(min_size=1)
)
replies_w = st.builds(
    Reply, st.from_regex(r"W0[0-9]{3}", fullmatch=True), maybe() | st.text(min_size=1)
)
responds = st.one_of(
    st.builds(HumeRespond, error=replies_e),
    st.builds(HumeRespond, warning=replies_w),
    st.builds(HumeRespond, model_warning=st.builds(ModelWarning, st.just("language") | maybe())),
    st.builds(HumeRespond, emotions=emotions(), others_at_most=maybe() | scores),
)
whens = st.builds(
    HumeWhen,
    model=maybe() | st.just("language") | st.just(("language",)),
    payload_index=maybe() | st.integers(1, 50),
    payload_id=maybe() | st.text(),
    text=maybe() | st.sampled_from(["refund", "(?i)hello|hi", r"\bno\b"]),
)
hume_rules = st.builds(HumeRule, respond=responds, when=whens, times=maybe() | st.integers(1, 9))
segments = st.builds(
    lambda span, e, cap: Segment(span[0], span[1], e, cap), spans(), emotions(), maybe() | scores
)
timelines = st.builds(
    Timeline,
    st.lists(segments, min_size=1, max_size=3).map(tuple),
    st.sampled_from(["prosody", "burst", "face"]),
)
classifier = st.sampled_from(
    [(t, lb) for t, labels in CLASSIFIER_LABELS.items() for lb in labels]
    + [("speaking_rate", lb) for lb in SPEAKING_RATE_3]
)
results = st.builds(
    lambda tl, span, post, level, api, open_end: BehavioralResult(
        tl[0],
        tl[1],
        start=span[0],
        end=None if open_end else span[1],
        posterior=post,
        level=level,
        api="batch" if tl[0] == "visual_deepfake" else api,
    ),
    classifier,
    spans(),
    maybe() | st.floats(0.51, 1.0),
    maybe() | st.sampled_from(["segment", "utterance"]),
    maybe() | st.sampled_from(["stream", "batch"]),
    st.booleans(),
) | st.builds(lambda s: BehavioralResult("intensity", score=s, api="stream"), scores)
processes = st.builds(
    ProcessRule,
    outcome=st.builds(ProcessOutcome, st.integers(-9, -1), maybe() | st.text(min_size=1))
    | st.builds(ProcessOutcome, st.integers(0, 1)),
    when=st.builds(
        ProcessWhen,
        maybe() | st.sampled_from(["*.wav", "a"]),
        maybe() | st.sampled_from(["behavioral", "detection", "detection_video"]),
        maybe() | st.integers(1, 5),
    ),
    times=maybe() | st.integers(1, 5),
)
expectations = st.builds(
    lambda name, what, n: Expectation(what, exactly=n, name=name),
    maybe() | st.text(min_size=1),
    st.sampled_from(["hume.handshakes", "behavioral.streams"]),
    st.integers(0, 5),
) | st.builds(
    lambda lo, extra: Expectation(
        "hume.messages", {"model": "language"}, at_least=lo, at_most=lo + extra
    ),
    st.integers(0, 3),
    st.integers(0, 3),
)
FAULTS = [{"type": "delay", "seconds": 0.1}, {"type": "drop", "when": {"connection": 2}}]
scenarios = st.builds(
    Scenario,
    name=maybe() | st.text(min_size=1),
    description=maybe() | st.text(),
    hume=st.lists(hume_rules | timelines, max_size=4),
    behavioral=st.lists(results | processes, max_size=4),
    faults=st.lists(st.sampled_from(FAULTS), max_size=2),
    expect=st.lists(expectations, max_size=3),
)  # fmt: skip


@settings(deadline=None)
@given(scenarios)
def test_python_api_round_trips_through_the_data_form(scenario: Scenario) -> None:
    data = scenario.to_dict()
    assert load_scenario(data) == scenario
    # Escaped non-ASCII: YAML reads a raw U+0085 (NEL) as a line break.
    assert load_scenario(yaml.safe_dump(data)) == scenario
    assert load_scenario(json.dumps(data)) == scenario
    assert load_scenario(data).to_dict() == data


@settings(deadline=None)
@given(st.dictionaries(st.sampled_from(["hume", "behavioral", "expect", "faults", "name", "x"]),
                       st.recursive(st.none() | st.integers() | st.text(max_size=5),
                                    lambda inner: st.lists(inner, max_size=3)
                                    | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                                    max_leaves=10)))  # fmt: skip
def test_the_loader_raises_only_scenario_errors(data: dict[str, Any]) -> None:
    try:
        load_scenario(data)
    except ScenarioError as exc:
        assert str(exc).startswith("<scenario mapping>: ")


def test_language_only_names_are_valid_for_language_rules() -> None:
    extra = sorted(set(LANGUAGE_EXPRESSION_NAMES) - set(EXPRESSION_NAMES))
    rule = HumeRule(HumeRespond(emotions=dict.fromkeys(extra, 0.5)), HumeWhen(model="language"))
    assert load_scenario(Scenario(hume=[rule])).hume == (rule,)


def test_the_examples_in_the_docs_are_valid() -> None:

    text = (Path(__file__).resolve().parents[3] / "docs" / "scenarios.md").read_text("utf-8")
    (yaml_example,) = re.findall(r"```yaml\n(.*?)```", text, re.S)
    assert load_scenario(yaml_example).name == "angry-customer"
    (python_example,) = re.findall(r"```python\n(.*?)```", text, re.S)
    namespace: dict[str, Any] = {}
    exec(python_example.split("with MockServer()")[0], namespace)
    assert load_scenario(namespace["scenario"]) == namespace["scenario"]
