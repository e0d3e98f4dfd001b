"""Read, validate and build scenarios (issue "scenarios"; ``docs/scenarios.md``).

A source is a path (``str`` or ``Path`` ending in ``.yaml``, ``.yml`` or ``.json``), YAML or
JSON text, a mapping, or a :class:`~mockserver.scenario.model.Scenario`. Every source goes
through the same two checks, and every problem raises
:class:`~mockserver.errors.ScenarioError` as ``"<source>: <json.path>: <problem>"``:

1. structure and ranges: ``schemas/scenario.schema.json`` (its ``faults`` items reference
   ``schemas/fault.schema.json``, resolved through a ``referencing.Registry``);
2. meaning: expression names from ``vendors/hume/labels.py``, tasks and labels from
   ``vendors/behavioral/tasks.py``, ``from < to``, regular expressions, which keys combine.

PyYAML and jsonschema are imported on first use.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mockserver.errors import ScenarioError
from mockserver.resources import load_schema

from .model import Scenario

if TYPE_CHECKING:
    import jsonschema

__all__ = [
    "SCHEMA_NAME",
    "json_type_name",
    "load_scenario",
    "read_scenario",
    "scenario_errors",
]

SCHEMA_NAME = "scenario.schema.json"
FAULT_SCHEMA_NAME = "fault.schema.json"
_SUFFIXES = (".yaml", ".yml", ".json")


def load_scenario(source: Any, *, label: str | None = None) -> Scenario:
    """Parse and validate ``source``; return the :class:`Scenario` it describes.

    Args:
        source: A path, YAML/JSON text, a mapping or a ``Scenario``.
        label: How to name the source in error messages (default: the path, or a
            description of the source).

    Raises:
        ScenarioError: the source cannot be read or is invalid.
    """
    return read_scenario(source, label=label)[0]


def read_scenario(source: Any, *, label: str | None = None) -> tuple[Scenario, str]:
    """Like :func:`load_scenario`, also returning how the source is named in messages."""
    data, name = _read(source)
    name = label or name
    problems = scenario_errors(data)
    if problems:
        raise ScenarioError(f"{name}: {problems[0]}")
    return Scenario._from_data(data), name


def scenario_errors(data: Any) -> list[str]:
    """Every problem of a data form as ``"<json.path>: <problem>"`` (empty if valid)."""
    validator = _validator()
    errors = sorted(validator.iter_errors(data), key=_error_order)
    if errors:
        return [_describe(_deepest(e)) for e in errors]
    return list(_semantic_errors(data))


# -- reading -------------------------------------------------------------------------------


def _read(source: Any) -> tuple[Any, str]:
    """``(data, label)`` of a source."""
    if isinstance(source, Scenario):
        return source.to_dict(), f"Scenario({source.name!r})" if source.name else "Scenario"
    if isinstance(source, Mapping):
        return _plain(source), "<scenario mapping>"
    if isinstance(source, Path):
        return _read_file(source), str(source)
    if isinstance(source, str):
        stripped = source.strip()
        if "\n" not in stripped and stripped.lower().endswith(_SUFFIXES):
            return _read_file(Path(stripped)), stripped
        return _parse_text(source, "<scenario text>"), "<scenario text>"
    raise ScenarioError(
        f"cannot load a scenario from {type(source).__name__}: pass a path, YAML or JSON "
        "text, a mapping or a mockserver.scenario.Scenario"
    )


def _read_file(path: Path) -> Any:
    if path.suffix.lower() not in _SUFFIXES:
        raise ScenarioError(f"{path}: a scenario file must end in .yaml, .yml or .json")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such scenario file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read the file: {exc}") from None
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except ValueError as exc:
            raise ScenarioError(f"{path}: not valid JSON: {exc}") from None
    return _parse_text(text, str(path))


def _parse_text(text: str, label: str) -> Any:
    import yaml

    if text.lstrip().startswith(("{", "[")):
        try:
            return json.loads(text)
        except ValueError:
            pass  # YAML flow style: let YAML read it
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{label}: not valid YAML: {exc}") from None


def _plain(value: Any) -> Any:
    """Mappings and sequences as dicts and lists (for the validator and to_dict)."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


# -- schema --------------------------------------------------------------------------------


@functools.cache
def _validator() -> jsonschema.protocols.Validator:
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    schema = load_schema(SCHEMA_NAME)
    base = schema["$id"].rsplit("/", 1)[0]
    fault_schema = _fault_schema()
    resources = [(f"{base}/{FAULT_SCHEMA_NAME}", fault_schema)]
    if isinstance(fault_schema, dict) and isinstance(fault_schema.get("$id"), str):
        resources.append((fault_schema["$id"], fault_schema))
    registry: Registry[Any] = Registry().with_resources(
        (uri, Resource.from_contents(contents, default_specification=DRAFT202012))
        for uri, contents in resources
    )
    cls = jsonschema.validators.validator_for(schema)
    validator: jsonschema.protocols.Validator = cls(schema, registry=registry)
    return validator


def _fault_schema() -> Any:
    """``schemas/fault.schema.json`` (its own loader, FaultPlan.load, checks it again)."""
    return load_schema(FAULT_SCHEMA_NAME)


def _error_order(error: jsonschema.ValidationError) -> tuple[Any, ...]:
    return tuple((isinstance(p, str), str(p)) for p in error.absolute_path)


def _deepest(error: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """For anyOf/oneOf, the most specific sub-error (jsonschema's best_match)."""
    from jsonschema.exceptions import best_match

    if error.context:
        best: jsonschema.ValidationError | None = best_match(error.context)
        if best is not None:
            return best
    return error


def _path(parts: Sequence[Any]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _at(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _describe(error: jsonschema.ValidationError) -> str:
    """One schema error as ``"path: problem"``, worded for a person writing YAML."""
    path = _path(list(error.absolute_path))
    where = path or "(top level)"
    schema: Any = error.schema
    instance: Any = error.instance
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        allowed = sorted(schema.get("properties", {}))
        extras = sorted(set(instance) - set(allowed), key=str)
        hint = f" (allowed: {', '.join(allowed)})" if allowed else ""
        return f"{_at(path, str(extras[0]))}: unknown key{hint}"
    if error.validator == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        return f"{where}: missing required key {missing[0]!r}" if missing else error.message
    if (
        error.validator == "type"
        and isinstance(instance, bool)
        and "string" in str(error.validator_value)
    ):
        word = "yes" if instance else "no"
        return f"{where}: YAML reads an unquoted {word} as a boolean; write '{word}' in quotes"
    if error.validator == "type" and not path:
        return f"{where}: a scenario must be a mapping, not {json_type_name(instance)}"
    if error.validator in ("minProperties", "minItems") and not instance:
        return f"{where}: must not be empty"
    if error.validator == "enum":
        expected: Any = error.validator_value
        options = ", ".join(json.dumps(v) for v in expected)
        return f"{where}: {json.dumps(instance)} is not one of {options}"
    return f"{where}: {error.message}"


def json_type_name(value: Any) -> str:
    """The JSON type of a parsed value (``object``, ``array``, ``null``...), for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, int | float):
        return "number"
    return "string" if isinstance(value, str) else type(value).__name__


# -- meaning -------------------------------------------------------------------------------


def _unknown(kind: str, name: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f"unknown {kind} {name!r}" + (f" (did you mean {close[0]!r}?)" if close else "")


def _regex(path: str, pattern: str) -> Iterator[str]:
    try:
        re.compile(pattern)
    except re.error as exc:
        yield f"{path}: not a valid regular expression: {exc}"


def _semantic_errors(data: dict[str, Any]) -> Iterator[str]:
    hume = data.get("hume") or {}
    for i, rule in enumerate(hume.get("rules", ())):
        yield from _check_hume_rule(f"hume.rules[{i}]", rule)
    for i, timeline in enumerate(hume.get("timelines", ())):
        yield from _check_timeline(f"hume.timelines[{i}]", timeline)
    behavioral = data.get("behavioral") or {}
    for i, result in enumerate(behavioral.get("results", ())):
        yield from _check_result(f"behavioral.results[{i}]", result)
    for i, rule in enumerate(behavioral.get("processes", ())):
        outcome = rule["outcome"]
        if outcome["status"] >= 0 and "message" in outcome:
            yield (
                f"behavioral.processes[{i}].outcome.message: only a failure (negative status) "
                "has a message; a held process reports 'Pending' or 'Processing'"
            )
    for i, expectation in enumerate(data.get("expect", ())):
        yield from _check_expectation(f"expect[{i}]", expectation)


def _expression_names(model: str) -> tuple[str, ...]:
    from mockserver.vendors.hume.labels import EXPRESSION_NAMES, LANGUAGE_EXPRESSION_NAMES

    return LANGUAGE_EXPRESSION_NAMES if model == "language" else EXPRESSION_NAMES


def _check_emotions(path: str, emotions: Mapping[str, Any], models: Sequence[str]) -> Iterator[str]:
    """Names must belong to every targeted model (any model: the 53 language names)."""
    for name in emotions:
        for model in models or ("language",):
            known = _expression_names(model)
            if name not in known:
                kind = "expression name" if not models else f"{model} expression name"
                yield f"{path}.{name}: {_unknown(kind, name, known)}"
                break


def _check_hume_rule(path: str, rule: dict[str, Any]) -> Iterator[str]:
    when = rule.get("when") or {}
    model = when.get("model")
    models: tuple[str, ...] = (
        () if model is None else (model,) if isinstance(model, str) else (tuple(model))
    )
    if "text" in when:
        yield from _regex(f"{path}.when.text", when["text"])
    respond = rule["respond"]
    kinds = [k for k in ("error", "warning", "model_warning", "emotions") if k in respond]
    if not kinds:
        yield f"{path}.respond: give one of error, warning, model_warning or emotions"
        return
    if len(kinds) > 1:
        yield f"{path}.respond: {kinds[0]} and {kinds[1]} cannot be combined (one per rule)"
        return
    if "others_at_most" in respond and "emotions" not in respond:
        yield f"{path}.respond.others_at_most: only applies together with emotions"
    if "emotions" in respond:
        yield from _check_emotions(f"{path}.respond.emotions", respond["emotions"], models)
    nested = respond.get("model_warning")
    if nested is not None and "model" in nested and models and nested["model"] not in models:
        yield (
            f"{path}.respond.model_warning.model: {nested['model']!r} is not among the "
            f"models of when.model ({', '.join(models)})"
        )


def _check_timeline(path: str, timeline: dict[str, Any]) -> Iterator[str]:
    model = timeline.get("model", "prosody")
    for j, segment in enumerate(timeline["segments"]):
        where = f"{path}.segments[{j}]"
        if not segment["from"] < segment["to"]:
            yield f"{where}: from ({segment['from']}) must be less than to ({segment['to']})"
        yield from _check_emotions(f"{where}.emotions", segment["emotions"], (model,))


def _check_result(path: str, result: dict[str, Any]) -> Iterator[str]:
    from mockserver.vendors.behavioral.tasks import (
        CLASSIFIER_LABELS,
        SPEAKING_RATE_3,
        SPEAKING_RATE_5,
    )

    task = result["task"]
    start, end = result.get("from", 0.0), result.get("to")
    if end is not None and not start < end:
        yield f"{path}: from ({start}) must be less than to ({end})"
    if task == "intensity":
        for key in ("label", "posterior"):
            if key in result:
                yield f"{path}.{key}: intensity has no labels; script its score"
        if "score" not in result:
            yield f"{path}: missing required key 'score' (intensity reports a score)"
        return
    if "score" in result:
        yield f"{path}.score: only intensity has a score; script label and posterior"
    if "label" not in result:
        yield f"{path}: missing required key 'label'"
        return
    if task == "speaking_rate":
        known: tuple[str, ...] = tuple(dict.fromkeys((*SPEAKING_RATE_3, *SPEAKING_RATE_5)))
    else:
        known = CLASSIFIER_LABELS[task]
    if result["label"] not in known:
        yield f"{path}.label: {_unknown(f'{task} label', result['label'], known)}"
    if task == "visual_deepfake" and result.get("api") == "stream":
        yield f"{path}.api: visual_deepfake is a batch (video upload) task"


def _check_expectation(path: str, expectation: dict[str, Any]) -> Iterator[str]:
    exactly = expectation.get("exactly")
    low, high = expectation.get("at_least"), expectation.get("at_most")
    if exactly is None and low is None and high is None:
        yield f"{path}: give exactly, at_least or at_most"
    elif exactly is not None and (low is not None or high is not None):
        yield f"{path}.exactly: cannot be combined with at_least or at_most"
    elif low is not None and high is not None and low > high:
        yield f"{path}: at_least ({low}) is greater than at_most ({high})"
    where = expectation.get("where") or {}
    for key in ("text", "path"):
        if isinstance(where.get(key), str):
            yield from _regex(f"{path}.where.{key}", where[key])
