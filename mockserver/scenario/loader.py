"""Read, validate and build scenarios (issue "scenarios"; ``docs/scenarios.md``).

A source is a path (``str`` or ``Path`` ending in ``.yaml``, ``.yml`` or ``.json``), YAML or
JSON text, a mapping, or a :class:`~mockserver.scenario.model.Scenario`. Every source goes
through the same two checks, and every problem raises
:class:`~mockserver.errors.ScenarioError` as ``"<source>: <json.path>: <problem>"``:

1. structure and ranges: the scenario schema generated from the vendors' parts
   (``schemas/scenario.schema.json`` for the built-in vendors); its ``faults`` items use the
   fault schema of the same vendors;
2. meaning: each vendor part's own checks (label names, ``from < to``, regular
   expressions, which keys combine) and the expectations' counts.

The vendors are the built-in ones unless ``vendors=`` names others. PyYAML and jsonschema
are imported on first use.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mockserver.errors import ScenarioError
from mockserver.faults.schema import FAULT_SCHEMA_ID, fault_schema
from mockserver.registry import VendorSpec, default_vendors, fault_catalogue
from mockserver.resources import fixture_path

from .model import Expectation, Scenario
from .part import ScenarioPart
from .schema import scenario_schema

if TYPE_CHECKING:
    import jsonschema

__all__ = [
    "BUILTIN_PREFIX",
    "ScenarioFormat",
    "builtin_scenarios",
    "json_type_name",
    "load_scenario",
    "read_scenario",
    "regex_errors",
    "scenario_errors",
    "scenario_file",
    "unknown_name",
]

_SUFFIXES = (".yaml", ".yml", ".json")


class ScenarioFormat:
    """The scenario format of a set of vendors: their parts, schema and validator.

    Args:
        vendors: Registry entries (default: the built-in vendors).
    """

    def __init__(self, vendors: Sequence[VendorSpec] | None = None) -> None:
        vendors = default_vendors() if vendors is None else tuple(vendors)
        self.parts: dict[str, ScenarioPart] = {}
        for vendor in vendors:
            part = vendor.load_scenario()
            if part is not None:
                self.parts[part.key] = part
        self.catalogue = fault_catalogue(vendors)
        self._validator: jsonschema.protocols.Validator | None = None

    def schema(self) -> dict[str, Any]:
        """The JSON Schema of a scenario (references the fault schema by ``$id``)."""
        return scenario_schema(self.parts)

    def validator(self) -> jsonschema.protocols.Validator:
        """A validator of the schema, with the fault schema resolvable (built once)."""
        if self._validator is None:
            self._validator = _build_validator(self.schema(), fault_schema(self.catalogue))
        return self._validator

    def errors(self, data: Any) -> list[str]:
        """Every problem of a data form as ``"<json.path>: <problem>"`` (empty if valid)."""
        errors = sorted(self.validator().iter_errors(data), key=_error_order)
        if errors:
            return [_describe(_deepest(e)) for e in errors]
        return list(self._semantic_errors(data))

    def read(self, source: Any, *, label: str | None = None) -> tuple[Scenario, str]:
        """Parse and validate ``source``: the scenario and how the source is named.

        Raises:
            ScenarioError: every problem found, one per line after the first.
        """
        data, name = _read(source)
        name = label or name
        problems = self.errors(data)
        if len(problems) == 1:
            raise ScenarioError(f"{name}: {problems[0]}")
        if problems:
            listed = "\n".join(f"  - {problem}" for problem in problems)
            raise ScenarioError(f"{name}: {len(problems)} problems:\n{listed}")
        return self.build(data), name

    def build(self, data: Mapping[str, Any]) -> Scenario:
        """A :class:`Scenario` from an already validated data form."""
        return Scenario(
            name=data.get("name"),
            description=data.get("description"),
            faults=tuple(dict(f) for f in data.get("faults", ())),
            expect=tuple(Expectation._from_data(e) for e in data.get("expect", ())),
            **{key: part.from_data(data[key]) for key, part in self.parts.items() if data.get(key)},
        )

    def _semantic_errors(self, data: Mapping[str, Any]) -> Iterator[str]:
        for key, part in self.parts.items():
            if data.get(key):
                yield from part.check(data[key])
        kinds = {
            what: kind for part in self.parts.values() for what, kind in part.expectations.items()
        }
        for i, expectation in enumerate(data.get("expect", ())):
            yield from _check_expectation(f"expect[{i}]", expectation)
            kind = kinds.get(expectation["what"])
            if kind is not None and kind.check is not None:
                yield from kind.check(f"expect[{i}].where", expectation.get("where") or {})


def load_scenario(
    source: Any, *, label: str | None = None, vendors: Sequence[VendorSpec] | None = None
) -> Scenario:
    """Parse and validate ``source``; return the :class:`Scenario` it describes.

    Args:
        source: A path, YAML/JSON text, a mapping or a ``Scenario``.
        label: How to name the source in error messages (default: the path, or a
            description of the source).
        vendors: The vendors whose parts the scenario may use (default: built-in).

    Raises:
        ScenarioError: the source cannot be read or is invalid.
    """
    return ScenarioFormat(vendors).read(source, label=label)[0]


def read_scenario(source: Any, *, label: str | None = None) -> tuple[Scenario, str]:
    """Like :func:`load_scenario`, also returning how the source is named in messages."""
    return ScenarioFormat().read(source, label=label)


def scenario_errors(data: Any) -> list[str]:
    """Every problem of a data form (built-in vendors) as ``"<json.path>: <problem>"``."""
    return ScenarioFormat().errors(data)


# -- reading -------------------------------------------------------------------------------


BUILTIN_PREFIX = "builtin:"


def builtin_scenarios() -> list[str]:
    """The names of the scenarios shipped with the package (``builtin:<name>``)."""
    folder = fixture_path("scenarios")
    return sorted(p.stem for p in folder.iterdir() if p.suffix.lower() in _SUFFIXES)


def scenario_file(reference: str | Path) -> Path:
    """The file a ``--scenario`` value names: a path, or ``builtin:<name>`` for a scenario
    shipped with the package (``fixtures/scenarios/<name>.yaml``).

    Raises:
        ScenarioError: an unknown built-in name (the message lists them).
    """
    text = str(reference)
    if not text.startswith(BUILTIN_PREFIX):
        return Path(text)
    name = text[len(BUILTIN_PREFIX) :]
    for suffix in _SUFFIXES:
        candidate = fixture_path("scenarios") / f"{name}{suffix}"
        if candidate.is_file():
            return candidate
    known = ", ".join(BUILTIN_PREFIX + n for n in builtin_scenarios())
    raise ScenarioError(f"{text}: no such built-in scenario (built in: {known})")


def _read(source: Any) -> tuple[Any, str]:
    """``(data, label)`` of a source: a file that exists (or ``builtin:<name>``) is read;
    other text is YAML or JSON itself."""
    if isinstance(source, Scenario):
        return source.to_dict(), f"Scenario({source.name!r})" if source.name else "Scenario"
    if isinstance(source, Mapping):
        return _plain(source), "<scenario mapping>"
    if isinstance(source, Path):
        return _read_file(source), str(source)
    if isinstance(source, str):
        stripped = source.strip()
        if "\n" not in stripped:
            if stripped.startswith(BUILTIN_PREFIX):
                return _read_file(scenario_file(stripped)), stripped
            if _is_file(stripped) or _looks_like_path(stripped):
                return _read_file(Path(stripped)), stripped
        return _parse_text(source, "<scenario text>"), "<scenario text>"
    raise ScenarioError(
        f"cannot load a scenario from {type(source).__name__}: pass a path, YAML or JSON "
        "text, a mapping or a mockserver.scenario.Scenario"
    )


def _looks_like_path(text: str) -> bool:
    """A one-line text naming a scenario file that does not exist (so that the error says
    "no such file"), not one-line YAML such as ``description: notes.json``."""
    return text.lower().endswith(_SUFFIXES) and ": " not in text and not text.startswith("{")


def _is_file(text: str) -> bool:
    try:
        return Path(text).is_file()
    except OSError:  # a long one-line text is no path
        return False


def _read_file(path: Path) -> Any:
    """A scenario file: JSON for ``.json``, else YAML (which reads JSON too)."""
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
    import yaml  # noqa: PLC0415  PyYAML: loaded when a scenario is first read

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


def _build_validator(schema: dict[str, Any], faults: dict[str, Any]) -> Any:
    """A validator of ``schema`` whose ``fault.schema.json`` references resolve to
    ``faults`` (the plan checks each fault again when it loads it)."""
    import jsonschema  # noqa: PLC0415  jsonschema: loaded when a scenario is first read
    from referencing import Registry, Resource  # noqa: PLC0415  (part of jsonschema)
    from referencing.jsonschema import DRAFT202012  # noqa: PLC0415  (part of jsonschema)

    base = schema["$id"].rsplit("/", 1)[0]
    resources = [(f"{base}/fault.schema.json", faults), (FAULT_SCHEMA_ID, faults)]
    registry: Registry[Any] = Registry().with_resources(
        (uri, Resource.from_contents(contents, default_specification=DRAFT202012))
        for uri, contents in resources
    )
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, registry=registry)


def _error_order(error: jsonschema.ValidationError) -> tuple[Any, ...]:
    return tuple((isinstance(p, str), str(p)) for p in error.absolute_path)


def _deepest(error: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """For anyOf/oneOf, the most specific sub-error (jsonschema's best_match)."""
    from jsonschema.exceptions import best_match  # noqa: PLC0415  jsonschema, as above

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


def unknown_name(kind: str, name: str, known: Sequence[str]) -> str:
    """``unknown <kind> 'x' (did you mean 'y'?)`` for a name not in ``known``."""
    close = difflib.get_close_matches(name, known, n=1)
    return f"unknown {kind} {name!r}" + (f" (did you mean {close[0]!r}?)" if close else "")


def regex_errors(path: str, pattern: str) -> Iterator[str]:
    """The problem of a regular expression that does not compile, if any."""
    try:
        re.compile(pattern)
    except re.error as exc:
        yield f"{path}: not a valid regular expression: {exc}"


def _check_expectation(path: str, expectation: Mapping[str, Any]) -> Iterator[str]:
    exactly = expectation.get("exactly")
    low, high = expectation.get("at_least"), expectation.get("at_most")
    if exactly is None and low is None and high is None:
        yield f"{path}: give exactly, at_least or at_most"
    elif exactly is not None and (low is not None or high is not None):
        yield f"{path}.exactly: cannot be combined with at_least or at_most"
    elif low is not None and high is not None and low > high:
        yield f"{path}: at_least ({low}) is greater than at_most ({high})"
