"""Checks every server response must pass, whoever the server is (emulator or vendor)."""

from __future__ import annotations

import functools
from typing import Any

import jsonschema

from mockserver.resources import load_schema
from mockserver.vendors.hume.errors import ERRORS, WARNINGS
from mockserver.vendors.hume.labels import (
    DESCRIPTION_NAMES,
    EXPRESSION_NAMES,
    FACS_NAMES,
    LANGUAGE_EXPRESSION_NAMES,
    SENTIMENT_NAMES,
    TOXICITY_NAMES,
)
from mockserver.vendors.hume.options import MODEL_ORDER

__all__ = ["HUME_MODELS", "check_hume_response"]

HUME_MODELS = MODEL_ORDER
_KNOWN_CODES = set(ERRORS) | {w.code for w in WARNINGS.values()}


@functools.cache
def _response_validator() -> Any:
    schema = load_schema("hume/response.schema.json")
    return jsonschema.validators.validator_for(schema)(schema)


def _names(items: list[dict[str, Any]]) -> tuple[str, ...]:
    return tuple(item["name"] for item in items)


def check_hume_response(request: Any, response: Any) -> None:
    """Assert ``response`` is a contract-conforming reply to ``request``.

    Args:
        request: The JSON value that was sent (any value; may be invalid).
        response: The parsed JSON reply.
    """
    errors = sorted(_response_validator().iter_errors(response), key=str)
    assert not errors, f"response does not match the schema: {errors[0].message} in {response}"
    request_dict = request if isinstance(request, dict) else {}
    payload_id = request_dict.get("payload_id")
    if isinstance(payload_id, str):
        assert response.get("payload_id") == payload_id, "payload_id was not echoed"
    else:
        assert "payload_id" not in response, "payload_id appeared although none was sent"
    if request_dict.get("job_details") is True:
        assert "job_details" in response, "job_details were asked for but not returned"
    code = response.get("code")
    if code is not None:
        assert code in _KNOWN_CODES, f"undocumented code {code}"
    models = request_dict.get("models")
    if isinstance(models, dict):
        for name in HUME_MODELS:
            if name in response:
                assert models.get(name) is not None, f"{name} answered but not requested"
    for name in HUME_MODELS:
        if name in response and "predictions" in response[name]:
            _check_labels(name, response[name]["predictions"])


def _check_labels(model: str, predictions: list[dict[str, Any]]) -> None:
    expected = LANGUAGE_EXPRESSION_NAMES if model == "language" else EXPRESSION_NAMES
    for item in predictions:
        assert _names(item["emotions"]) == expected, f"{model} emotions out of order"
        if "facs" in item:
            assert _names(item["facs"]) == FACS_NAMES
        if "descriptions" in item:
            assert _names(item["descriptions"]) == DESCRIPTION_NAMES
        if "sentiment" in item:
            assert _names(item["sentiment"]) == SENTIMENT_NAMES
        if "toxicity" in item:
            assert _names(item["toxicity"]) == TOXICITY_NAMES
        if "time" in item and isinstance(item["time"], dict):
            assert item["time"]["begin"] <= item["time"]["end"], "time range reversed"
        if "position" in item:
            assert item["position"]["begin"] < item["position"]["end"], "empty text span"
