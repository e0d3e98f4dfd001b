"""Hypothesis strategies generated from JSON Schema (the subset our schemas use).

Supported: local ``$ref``, ``type`` (single or list), ``enum``, ``const``, ``properties``,
``required``, ``additionalProperties: false``, numeric bounds, string lengths, ``pattern``,
``items``/``minItems``/``maxItems``, ``anyOf``/``oneOf``. Optional properties are included
or left out at random. Every generated value is checked against the schema, so an
unsupported keyword makes generation fail loudly instead of producing invalid examples.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jsonschema
from hypothesis import strategies as st

__all__ = ["from_schema"]

_JSON_SCALARS = st.none() | st.booleans() | st.integers(-(2**31), 2**31) | st.text(max_size=8)
_SUPPORTED = {
    "$schema", "$id", "$ref", "$defs", "title", "description", "default", "type", "enum",
    "const", "properties", "required", "additionalProperties", "minimum", "maximum",
    "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "pattern", "items",
    "minItems", "maxItems", "anyOf", "oneOf", "not", "examples",
}  # fmt: skip


def from_schema(
    schema: Mapping[str, Any],
    *,
    overrides: Mapping[str, st.SearchStrategy[Any]] | None = None,
) -> st.SearchStrategy[Any]:
    """Return a strategy of instances valid against ``schema``.

    Args:
        schema: A JSON Schema (draft 2020-12) document.
        overrides: Strategies to use instead of the schema at given property paths
            (dotted, e.g. ``"data"`` or ``"models.face"``). Their values must still validate.
    """
    validator = jsonschema.validators.validator_for(schema)(schema)
    builder = _Builder(schema, dict(overrides or {}))
    return builder.build(schema, "").filter(validator.is_valid)


class _Builder:
    def __init__(self, root: Mapping[str, Any], overrides: dict[str, st.SearchStrategy[Any]]):
        self.root = root
        self.overrides = overrides

    def resolve(self, node: Mapping[str, Any]) -> Mapping[str, Any]:
        while "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith("#/"):
                raise ValueError(f"only local $ref is supported: {ref}")
            target: Any = self.root
            for part in ref[2:].split("/"):
                target = target[part]
            node = target
        return node

    def build(self, node: Mapping[str, Any], path: str) -> st.SearchStrategy[Any]:
        if path in self.overrides:
            return self.overrides[path]
        node = self.resolve(node)
        unknown = set(node) - _SUPPORTED
        if unknown:
            raise ValueError(f"unsupported schema keywords at {path or 'root'}: {sorted(unknown)}")
        if "const" in node:
            return st.just(node["const"])
        if "enum" in node:
            return st.sampled_from(node["enum"])
        for combinator in ("anyOf", "oneOf"):
            if combinator in node:
                return st.one_of([self.build(sub, path) for sub in node[combinator]])
        types = node.get("type")
        if types is None:
            return _JSON_SCALARS if "properties" not in node else self._object(node, path)
        if isinstance(types, str):
            types = [types]
        return st.one_of([self._typed(t, node, path) for t in types])

    def _typed(self, kind: str, node: Mapping[str, Any], path: str) -> st.SearchStrategy[Any]:
        if kind == "null":
            return st.none()
        if kind == "boolean":
            return st.booleans()
        if kind == "string":
            if "pattern" in node:
                return st.from_regex(node["pattern"], fullmatch=True)
            return st.text(min_size=node.get("minLength", 0), max_size=node.get("maxLength", 40))
        if kind in ("number", "integer"):
            return self._number(kind, node)
        if kind == "array":
            items = self.build(node.get("items", {}), path + "[]")
            return st.lists(
                items, min_size=node.get("minItems", 0), max_size=node.get("maxItems", 5)
            )
        if kind == "object":
            return self._object(node, path)
        raise ValueError(f"unsupported type {kind!r} at {path or 'root'}")

    @staticmethod
    def _number(kind: str, node: Mapping[str, Any]) -> st.SearchStrategy[Any]:
        low = node.get("minimum")
        high = node.get("maximum")
        if kind == "integer":
            return st.integers(min_value=low, max_value=high)
        exclusive_low = node.get("exclusiveMinimum")
        if exclusive_low is not None:
            low = exclusive_low
        floats = st.floats(
            min_value=low,
            max_value=high,
            exclude_min=exclusive_low is not None,
            allow_nan=False,
            allow_infinity=False,
        )
        integers = st.integers(
            min_value=None if low is None else int(low) + (1 if exclusive_low is not None else 0),
            max_value=None if high is None else int(high),
        )
        return floats | integers

    def _object(self, node: Mapping[str, Any], path: str) -> st.SearchStrategy[Any]:
        properties: Mapping[str, Any] = node.get("properties", {})
        required = set(node.get("required", ()))
        prefix = f"{path}." if path else ""
        fields = {name: self.build(sub, prefix + name) for name, sub in properties.items()}
        required_part = st.fixed_dictionaries({k: v for k, v in fields.items() if k in required})
        optional_part = st.fixed_dictionaries(
            {}, optional={k: v for k, v in fields.items() if k not in required}
        )
        extra: st.SearchStrategy[dict[str, Any]] = st.just({})
        if node.get("additionalProperties", True) is not False and not properties:
            extra = st.dictionaries(st.text(max_size=8), _JSON_SCALARS, max_size=3)
        return st.tuples(required_part, optional_part, extra).map(
            lambda parts: {**parts[2], **parts[0], **parts[1]}
        )
