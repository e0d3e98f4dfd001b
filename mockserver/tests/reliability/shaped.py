"""Near-valid instances of a JSON Schema, for fuzzing loaders.

Unlike ``contract_tests.strategies.from_schema`` (valid instances only), this follows the
schema's shape (its property names, enums, constants, types) and puts a wrong or extreme
value in about one place in eight, so that generated documents get past the first checks and
reach the deeper ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st

from .strategies import json_values, odd_text

__all__ = ["shaped"]

_NUMBERS = st.one_of(
    st.integers(-(2**63), 2**63),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0, -1, 1e308, -1e-308, 0.5]),
)


def shaped(schema: Mapping[str, Any], *, max_depth: int = 6) -> st.SearchStrategy[Any]:
    """Documents shaped like ``schema`` (local ``$ref`` resolved), often slightly wrong."""
    return _faithful(schema, schema, max_depth)


def _resolve(root: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    seen = 0
    while "$ref" in node and str(node["$ref"]).startswith("#/") and seen < 20:
        target: Any = root
        for part in str(node["$ref"])[2:].split("/"):
            target = target[part]
        node, seen = target, seen + 1
    return node


def _shaped(root: Mapping[str, Any], node: Mapping[str, Any], depth: int) -> st.SearchStrategy[Any]:
    node = _resolve(root, node)
    if depth <= 0 or "$ref" in node:  # too deep, or an external reference
        return json_values
    faithful = _faithful(root, node, depth)
    return st.one_of(*[faithful] * 7, json_values)  # one value in eight is wrong


def _faithful(
    root: Mapping[str, Any], node: Mapping[str, Any], depth: int
) -> st.SearchStrategy[Any]:
    branches = node.get("oneOf") or node.get("anyOf")
    if branches:
        return st.one_of([_shaped(root, branch, depth - 1) for branch in branches])
    if "const" in node:
        return st.just(node["const"])
    if "enum" in node:
        return st.sampled_from(list(node["enum"]))
    kind = node.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if kind else []
    if "properties" in node or "object" in kinds:
        return _object(root, node, depth)
    if "array" in kinds or "items" in node:
        items = node.get("items")
        inner = _shaped(root, items, depth - 1) if isinstance(items, Mapping) else json_values
        return st.lists(inner, max_size=4)
    if "string" in kinds:
        return odd_text
    if "number" in kinds or "integer" in kinds:
        return _NUMBERS
    if "boolean" in kinds:
        return st.booleans()
    if "null" in kinds:
        return st.none()
    return json_values


def _object(root: Mapping[str, Any], node: Mapping[str, Any], depth: int) -> st.SearchStrategy[Any]:
    properties: Mapping[str, Any] = node.get("properties") or {}
    required = list(node.get("required") or [])

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        names = list(properties)
        chosen = draw(st.lists(st.sampled_from(names), unique=True, max_size=6)) if names else []
        if draw(st.integers(0, 9)):  # usually keep the required ones
            chosen = list(dict.fromkeys([*required, *chosen]))
        out: dict[str, Any] = {}
        for name in chosen:
            out[name] = draw(_shaped(root, properties[name], depth - 1))
        if draw(st.integers(0, 9)) == 0:  # now and then, a key the schema does not know
            out[draw(odd_text)] = draw(json_values)
        return out

    return build()
