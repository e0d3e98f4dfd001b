"""The Hume part of the scenario format: its schema fragment, checks, compiler and
expectation kinds (the registry entry's ``scenario``). The item classes are in
:mod:`.scenario`, the compiled script in :mod:`.script`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from mockserver.journal import Journal, JournalEntry
from mockserver.scenario.counter import RuleCounter
from mockserver.scenario.loader import regex_errors, unknown_name
from mockserver.scenario.part import ExpectationKind, ScenarioPart

from .labels import EXPRESSION_NAMES, LANGUAGE_EXPRESSION_NAMES
from .options import MODEL_ORDER
from .payload import payload_text
from .scenario import HumeRule, Timeline
from .script import HumeScript

__all__ = ["PART"]

# -- schema ---------------------------------------------------------------------------------

_DEFS: dict[str, Any] = {
    "HumeModel": {"enum": ["burst", "face", "facemesh", "language", "prosody"]},
    "Emotions": {
        "type": "object",
        "description": "Expression name -> score. Names: "
        "mockserver/vendors/hume/labels.py (48 expressions; language adds "
        "5).",
        "minProperties": 1,
        "additionalProperties": {"$ref": "#/$defs/Score"},
    },
    "Hume": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "rules": {"type": "array", "items": {"$ref": "#/$defs/HumeRule"}},
            "timelines": {"type": "array", "items": {"$ref": "#/$defs/HumeTimeline"}},
        },
    },
    "HumeRule": {
        "type": "object",
        "required": ["respond"],
        "additionalProperties": False,
        "properties": {
            "when": {"$ref": "#/$defs/HumeWhen"},
            "respond": {"$ref": "#/$defs/HumeRespond"},
            "times": {
                "type": "integer",
                "minimum": 1,
                "description": "Fire at most this many times (server-wide).",
            },
        },
    },
    "HumeWhen": {
        "type": "object",
        "description": "Every given condition must hold; an empty or absent 'when' "
        "matches every valid request.",
        "additionalProperties": False,
        "properties": {
            "model": {
                "description": "The request's models (or the "
                "connection's reused ones) include this "
                "model (or one of these).",
                "anyOf": [
                    {"$ref": "#/$defs/HumeModel"},
                    {
                        "type": "array",
                        "minItems": 1,
                        "uniqueItems": True,
                        "items": {"$ref": "#/$defs/HumeModel"},
                    },
                ],
            },
            "payload_index": {
                "type": "integer",
                "minimum": 1,
                "description": "The Nth frame received on the connection (1-based).",
            },
            "payload_id": {"type": "string", "description": "Exact payload_id."},
            "text": {
                "type": "string",
                "minLength": 1,
                "description": "Python regular expression searched in the text of a text payload.",
            },
        },
    },
    "HumeRespond": {
        "type": "object",
        "description": "Exactly one of: error, warning, model_warning, emotions "
        "(optionally with others_at_most), empty_predictions, faces, extra_fields.",
        "minProperties": 1,
        "additionalProperties": False,
        "properties": {
            "error": {
                "type": "object",
                "required": ["code"],
                "additionalProperties": False,
                "properties": {
                    "code": {"type": "string", "pattern": "^[EI][0-9]{4}$"},
                    "message": {"type": "string", "minLength": 1},
                },
            },
            "warning": {
                "type": "object",
                "required": ["code"],
                "additionalProperties": False,
                "properties": {
                    "code": {"type": "string", "pattern": "^W[0-9]{4}$"},
                    "message": {"type": "string", "minLength": 1},
                },
            },
            "model_warning": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "model": {"$ref": "#/$defs/HumeModel"},
                    "code": {"type": "string", "pattern": "^W[0-9]{4}$"},
                    "message": {"type": "string", "minLength": 1},
                },
            },
            "emotions": {"$ref": "#/$defs/Emotions"},
            "others_at_most": {"$ref": "#/$defs/Score"},
            "empty_predictions": {
                "const": True,
                "description": "The matched models answer an empty prediction list.",
            },
            "faces": {
                "type": "integer",
                "minimum": 2,
                "maximum": 50,
                "description": "The face model reports this many faces (copies of the first "
                "one found, side by side).",
            },
            "extra_fields": {
                "type": "object",
                "minProperties": 1,
                "description": "Fields the API does not document, added to the reply and to "
                "each matched model's result (a client must ignore them).",
            },
        },
    },
    "HumeTimeline": {
        "type": "object",
        "required": ["segments"],
        "additionalProperties": False,
        "properties": {
            "model": {"enum": ["prosody", "burst", "face"], "default": "prosody"},
            "segments": {
                "type": "array",
                "minItems": 1,
                "items": {"$ref": "#/$defs/TimelineSegment"},
            },
        },
    },
    "TimelineSegment": {
        "type": "object",
        "required": ["from", "to", "emotions"],
        "additionalProperties": False,
        "properties": {
            "from": {"$ref": "#/$defs/Seconds"},
            "to": {"$ref": "#/$defs/Seconds"},
            "emotions": {"$ref": "#/$defs/Emotions"},
            "others_at_most": {"$ref": "#/$defs/Score"},
        },
    },
}


# -- meaning --------------------------------------------------------------------------------


def _expression_names(model: str) -> tuple[str, ...]:
    return LANGUAGE_EXPRESSION_NAMES if model == "language" else EXPRESSION_NAMES


def _check_emotions(path: str, emotions: Mapping[str, Any], models: Sequence[str]) -> Iterator[str]:
    """Names must belong to every targeted model (any model: the 53 language names)."""
    for name in emotions:
        for model in models or ("language",):
            known = _expression_names(model)
            if name not in known:
                kind = "expression name" if not models else f"{model} expression name"
                yield f"{path}.{name}: {unknown_name(kind, name, known)}"
                break


def _check_rule(path: str, rule: Mapping[str, Any]) -> Iterator[str]:
    when = rule.get("when") or {}
    model = when.get("model")
    models: tuple[str, ...] = (
        () if model is None else (model,) if isinstance(model, str) else (tuple(model))
    )
    if "text" in when:
        yield from regex_errors(f"{path}.when.text", when["text"])
    respond = rule["respond"]
    kinds = [k for k in RESPOND_KINDS if k in respond]
    if not kinds:
        yield f"{path}.respond: give one of {', '.join(RESPOND_KINDS)}"
        return
    if len(kinds) > 1:
        yield f"{path}.respond: {kinds[0]} and {kinds[1]} cannot be combined (one per rule)"
        return
    if "others_at_most" in respond and "emotions" not in respond:
        yield f"{path}.respond.others_at_most: only applies together with emotions"
    if "emotions" in respond:
        yield from _check_emotions(f"{path}.respond.emotions", respond["emotions"], models)
    if "faces" in respond and models and "face" not in models:
        yield f"{path}.respond.faces: only the face model reports faces (when.model is not face)"
    taken = sorted(set(respond.get("extra_fields") or {}) & RESPONSE_KEYS)
    if taken:
        yield (
            f"{path}.respond.extra_fields: {', '.join(taken)} are fields of the API, not extra ones"
        )
    nested = respond.get("model_warning")
    if nested is not None and "model" in nested and models and nested["model"] not in models:
        yield (
            f"{path}.respond.model_warning.model: {nested['model']!r} is not among the "
            f"models of when.model ({', '.join(models)})"
        )


#: The kinds of ``respond``, one per rule (``others_at_most`` goes with ``emotions``).
RESPOND_KINDS = (
    "error", "warning", "model_warning", "emotions", "empty_predictions", "faces", "extra_fields",
)  # fmt: skip
#: Keys of a documented reply (Hume's streaming definition: ``SubscribeEvent``).
RESPONSE_KEYS = frozenset(
    {"payload_id", "job_details", "error", "code", "warning", "predictions", *MODEL_ORDER}
)


def _check_timeline(path: str, timeline: Mapping[str, Any]) -> Iterator[str]:
    model = timeline.get("model", "prosody")
    for j, segment in enumerate(timeline["segments"]):
        where = f"{path}.segments[{j}]"
        if not segment["from"] < segment["to"]:
            yield f"{where}: from ({segment['from']}) must be less than to ({segment['to']})"
        yield from _check_emotions(f"{where}.emotions", segment["emotions"], (model,))


def _check(data: Mapping[str, Any]) -> Iterator[str]:
    for i, rule in enumerate(data.get("rules", ())):
        yield from _check_rule(f"hume.rules[{i}]", rule)
    for i, timeline in enumerate(data.get("timelines", ())):
        yield from _check_timeline(f"hume.timelines[{i}]", timeline)


# -- activation and compilation --------------------------------------------------------------


def _activate(items: Sequence[Any]) -> tuple[RuleCounter, ...]:
    """One firing counter per rule of a loaded scenario (``times`` is server-wide)."""
    return tuple(RuleCounter(i.times) for i in items if isinstance(i, HumeRule))


def _compile(entries: Sequence[tuple[Sequence[Any], Any]]) -> Any:
    rules = [
        (rule, counter)
        for items, counters in entries
        for rule, counter in zip(
            [i for i in items if isinstance(i, HumeRule)], counters, strict=True
        )
    ]
    timelines = [i for items, _ in entries for i in items if isinstance(i, Timeline)]
    if not rules and not timelines:
        return None
    return HumeScript(rules, timelines)


# -- expectations ----------------------------------------------------------------------------


def _data(entry: JournalEntry) -> dict[str, Any]:
    return entry.data if isinstance(entry.data, dict) else {}


def _handshakes(journal: Journal, where: Mapping[str, Any], settings: Any) -> list[JournalEntry]:
    entries = journal.entries(vendor="hume", kind="handshake", direction="in")
    if "accepted" in where:
        accepted = {
            e.connection
            for e in journal.entries(vendor="hume", kind="handshake", direction="out")
            if e.code == 101
        }
        entries = [e for e in entries if (e.connection in accepted) == where["accepted"]]
    return entries


def _messages(journal: Journal, where: Mapping[str, Any], settings: Any) -> list[JournalEntry]:
    entries = [
        e for e in journal.entries(vendor="hume", direction="in") if e.kind in ("text", "binary")
    ]
    pattern = re.compile(where["text"]) if "text" in where else None
    data_urls = bool(getattr(settings, "accept_data_urls", False))

    def keep(entry: JournalEntry) -> bool:
        data = _data(entry)
        models = data.get("models")
        if "model" in where and not (isinstance(models, dict) and where["model"] in models):
            return False
        if "payload_id" in where and data.get("payload_id") != where["payload_id"]:
            return False
        if pattern is not None:
            text = payload_text(
                data.get("data"), raw_text=data.get("raw_text") is True, accept_data_urls=data_urls
            )
            if text is None or pattern.search(text) is None:
                return False
        return True

    return [e for e in entries if keep(e)]


def _responses(journal: Journal, where: Mapping[str, Any], settings: Any) -> list[JournalEntry]:
    def kind(data: Mapping[str, Any]) -> str:
        return "error" if "error" in data else "warning" if "warning" in data else "predictions"

    return [
        e
        for e in journal.entries(vendor="hume", direction="out", kind="text")
        if ("type" not in where or kind(_data(e)) == where["type"])
        and ("code" not in where or _data(e).get("code") == where["code"])
        and ("payload_id" not in where or _data(e).get("payload_id") == where["payload_id"])
    ]


def _check_text(path: str, where: Mapping[str, Any]) -> Iterator[str]:
    if isinstance(where.get("text"), str):
        yield from regex_errors(f"{path}.text", where["text"])


PART = ScenarioPart(
    key="hume",
    sections={"rules": HumeRule, "timelines": Timeline},
    root={"$ref": "#/$defs/Hume"},
    defs=_DEFS,
    check=_check,
    activate=_activate,
    compile=_compile,
    expectations={
        "hume.handshakes": ExpectationKind(
            where={"accepted": {"type": "boolean"}}, count=_handshakes
        ),
        "hume.messages": ExpectationKind(
            where={
                "model": {"$ref": "#/$defs/HumeModel"},
                "payload_id": {"type": "string"},
                "text": {"type": "string", "minLength": 1},
            },
            count=_messages,
            check=_check_text,
        ),
        "hume.responses": ExpectationKind(
            where={
                "type": {"enum": ["predictions", "error", "warning"]},
                "code": {"type": "string", "pattern": "^[EIW][0-9]{4}$"},
                "payload_id": {"type": "string"},
            },
            count=_responses,
        ),
    },
)
