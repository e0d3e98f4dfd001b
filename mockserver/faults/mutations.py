"""Deterministic rewrites of a reply's text (``malformed_json``, ``wrong_types``, ``replace``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = ["malformed", "replaced", "wrong_types"]


def malformed(text: str, params: Mapping[str, Any]) -> str:
    """``params["text"]``, or the first half of the reply (truncated JSON)."""
    given = params.get("text")
    if isinstance(given, str):
        return given
    return text[: max(1, len(text) // 2)]


def replaced(text: str, params: Mapping[str, Any]) -> str:
    """``params["text"]`` as is, or ``params["body"]`` as compact JSON."""
    if "text" in params:
        return str(params["text"])
    return json.dumps(params.get("body"), separators=(",", ":"), ensure_ascii=False)


def wrong_types(text: str, params: Mapping[str, Any]) -> str:
    """Every value of the JSON reply turned into another JSON type (objects and arrays keep
    their shape): a string becomes its length, a number or boolean its JSON text. Not JSON:
    unchanged."""
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return json.dumps(_flip(value), separators=(",", ":"), ensure_ascii=False)


def _flip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _flip(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_flip(v) for v in value]
    if isinstance(value, str):
        return len(value)
    if value is None:
        return {}
    return json.dumps(value)  # bool, int, float -> their JSON text
