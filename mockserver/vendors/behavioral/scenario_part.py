"""The Behavioral Signals part of the scenario format: its schema fragment, checks, compiler and
expectation kinds (the registry entry's ``scenario``). The item classes are in
:mod:`.scenario`, the compiled script in :mod:`.script`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from mockserver.journal import Journal, JournalEntry
from mockserver.scenario.loader import regex_errors, unknown_name
from mockserver.scenario.part import ExpectationKind, ScenarioPart

from .scenario import BehavioralResult, ProcessRule
from .script import BehavioralScript, ProcessRuleState
from .tasks import CLASSIFIER_LABELS, SPEAKING_RATE_3, SPEAKING_RATE_5

__all__ = ["PART"]

# -- schema ---------------------------------------------------------------------------------

_DEFS: dict[str, Any] = {
    "Behavioral": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "results": {"type": "array", "items": {"$ref": "#/$defs/BehavioralResult"}},
            "processes": {"type": "array", "items": {"$ref": "#/$defs/ProcessRule"}},
        },
    },
    "BehavioralResult": {
        "type": "object",
        "description": "Rows of 'task' in windows overlapping [from, to) report "
        "'label' (or, for intensity, 'score').",
        "required": ["task"],
        "additionalProperties": False,
        "properties": {
            "task": {
                "enum": [
                    "gender",
                    "age",
                    "emotion",
                    "positivity",
                    "strength",
                    "speaking_rate",
                    "hesitation",
                    "engagement",
                    "deepfake",
                    "visual_deepfake",
                    "intensity",
                ]
            },
            "label": {"type": "string", "minLength": 1},
            "posterior": {"type": "number", "exclusiveMinimum": 0.5, "maximum": 1},
            "score": {"$ref": "#/$defs/Score"},
            "from": {"$ref": "#/$defs/Seconds"},
            "to": {"$ref": "#/$defs/Seconds"},
            "level": {"enum": ["segment", "utterance"]},
            "api": {"enum": ["stream", "batch"]},
        },
    },
    "ProcessRule": {
        "type": "object",
        "required": ["outcome"],
        "additionalProperties": False,
        "properties": {
            "when": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "name": {
                        "type": "string",
                        "minLength": 1,
                        "description": "Glob (fnmatch) on the process name.",
                    },
                    "namespace": {"enum": ["behavioral", "detection", "detection_video"]},
                    "index": {
                        "type": "integer",
                        "minimum": 1,
                        "description": "The Nth submission matching name and namespace.",
                    },
                },
            },
            "outcome": {
                "type": "object",
                "required": ["status"],
                "additionalProperties": False,
                "properties": {
                    "status": {
                        "type": "integer",
                        "maximum": 1,
                        "description": "0 or 1: stay pending/processing; negative: fail.",
                    },
                    "message": {"type": "string", "minLength": 1},
                },
            },
            "times": {"type": "integer", "minimum": 1},
        },
    },
}


# -- meaning --------------------------------------------------------------------------------


def _check_result(path: str, result: Mapping[str, Any]) -> Iterator[str]:
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
        yield f"{path}.label: {unknown_name(f'{task} label', result['label'], known)}"
    if task == "visual_deepfake" and result.get("api") == "stream":
        yield f"{path}.api: visual_deepfake is a batch (video upload) task"


def _check(data: Mapping[str, Any]) -> Iterator[str]:
    for i, result in enumerate(data.get("results", ())):
        yield from _check_result(f"behavioral.results[{i}]", result)
    for i, rule in enumerate(data.get("processes", ())):
        outcome = rule["outcome"]
        if outcome["status"] >= 0 and "message" in outcome:
            yield (
                f"behavioral.processes[{i}].outcome.message: only a failure (negative status) "
                "has a message; a held process reports 'Pending' or 'Processing'"
            )


# -- activation and compilation --------------------------------------------------------------


def _activate(items: Sequence[Any]) -> tuple[Any, ...]:
    """One state (submissions seen, firings left) per process rule of a loaded scenario."""
    return tuple(ProcessRuleState(i) for i in items if isinstance(i, ProcessRule))


def _compile(entries: Sequence[tuple[Sequence[Any], Any]]) -> Any:
    results = [i for items, _ in entries for i in items if isinstance(i, BehavioralResult)]
    processes = [state for _, states in entries for state in states]
    if not results and not processes:
        return None
    return BehavioralScript(results, processes)


# -- expectations ----------------------------------------------------------------------------


def _data(entry: JournalEntry) -> dict[str, Any]:
    return entry.data if isinstance(entry.data, dict) else {}


def _streams(journal: Journal, where: Mapping[str, Any], settings: Any) -> list[JournalEntry]:
    entries = journal.entries(vendor="behavioral", transport="grpc", kind="call", direction="in")
    if "method" in where:
        suffix = "/" + where["method"]
        entries = [e for e in entries if str(_data(e).get("method", "")).endswith(suffix)]
    return entries


def _requests(journal: Journal, where: Mapping[str, Any], settings: Any) -> list[JournalEntry]:
    pattern = re.compile(where["path"]) if "path" in where else None
    return [
        e
        for e in journal.entries(
            vendor="behavioral", transport="http", kind="request", direction="in"
        )
        if ("method" not in where or str(_data(e).get("method", "")).upper() == where["method"])
        and (pattern is None or pattern.search(str(_data(e).get("path", ""))) is not None)
    ]


def _check_path(path: str, where: Mapping[str, Any]) -> Iterator[str]:
    if isinstance(where.get("path"), str):
        yield from regex_errors(f"{path}.path", where["path"])


PART = ScenarioPart(
    key="behavioral",
    sections={"results": BehavioralResult, "processes": ProcessRule},
    root={"$ref": "#/$defs/Behavioral"},
    defs=_DEFS,
    check=_check,
    activate=_activate,
    compile=_compile,
    expectations={
        "behavioral.streams": ExpectationKind(
            where={"method": {"enum": ["StreamAudio", "DeepfakeDetection"]}}, count=_streams
        ),
        "behavioral.requests": ExpectationKind(
            where={
                "method": {"enum": ["GET", "POST", "PUT", "PATCH", "DELETE"]},
                "path": {"type": "string", "minLength": 1},
            },
            count=_requests,
            check=_check_path,
        ),
    },
)
