"""The Behavioral Signals part of a scenario: results, process rules and expectations.

``behavioral:`` in a scenario file: scripted labels over audio-time ranges (streamed and
batch results) and batch process outcomes (docs/scenarios.md), applied by
:class:`~.script.BehavioralScript`; the expectation kinds count streams and REST requests
in the journal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from mockserver.journal import Journal, JournalEntry
from mockserver.scenario.loader import regex_errors, unknown_name
from mockserver.scenario.part import ExpectationKind, ScenarioPart

from .tasks import CLASSIFIER_LABELS, SPEAKING_RATE_3, SPEAKING_RATE_5

__all__ = [
    "PART",
    "BehavioralResult",
    "ProcessOutcome",
    "ProcessRule",
    "ProcessWhen",
]


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        out[key] = value


@dataclass(frozen=True)
class BehavioralResult:
    """Rows of ``task`` in windows overlapping ``[start, end)`` report ``label``.

    ``end`` None means "to the end of the audio". ``posterior`` (default 0.85) is the
    scripted label's posterior; ``score`` is for ``intensity``. ``level`` and ``api``
    (``"stream"`` or ``"batch"``) restrict where the rule applies.
    """

    section: ClassVar[str] = "results"
    section_order: ClassVar[int] = 0

    task: str
    label: str | None = None
    start: float = 0.0
    end: float | None = None
    posterior: float | None = None
    score: float | None = None
    level: str | None = None
    api: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"task": self.task}
        _put(out, "label", self.label)
        out["from"] = self.start
        _put(out, "to", self.end)
        _put(out, "posterior", self.posterior)
        _put(out, "score", self.score)
        _put(out, "level", self.level)
        _put(out, "api", self.api)
        return out

    @classmethod
    def _from_data(cls, data: Mapping[str, Any]) -> BehavioralResult:
        return cls(
            task=data["task"],
            label=data.get("label"),
            start=data.get("from", 0.0),
            end=data.get("to"),
            posterior=data.get("posterior"),
            score=data.get("score"),
            level=data.get("level"),
            api=data.get("api"),
        )


@dataclass(frozen=True)
class ProcessWhen:
    """Which batch submissions a :class:`ProcessRule` matches (all given must hold)."""

    name: str | None = None  # fnmatch glob on the process name
    namespace: str | None = None  # "behavioral", "detection" or "detection_video"
    index: int | None = None  # the Nth submission matching name and namespace

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        _put(out, "name", self.name)
        _put(out, "namespace", self.namespace)
        _put(out, "index", self.index)
        return out

    @classmethod
    def _from_data(cls, data: Mapping[str, Any]) -> ProcessWhen:
        return cls(name=data.get("name"), namespace=data.get("namespace"), index=data.get("index"))


@dataclass(frozen=True)
class ProcessOutcome:
    """A negative ``status`` fails the process; 0 or 1 keeps it pending or processing."""

    status: int
    message: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status}
        _put(out, "message", self.message)
        return out

    @classmethod
    def _from_data(cls, data: Mapping[str, Any]) -> ProcessOutcome:
        return cls(status=data["status"], message=data.get("message"))


@dataclass(frozen=True)
class ProcessRule:
    """Batch processes matching ``when`` end with ``outcome`` (at most ``times`` times)."""

    section: ClassVar[str] = "processes"
    section_order: ClassVar[int] = 1

    outcome: ProcessOutcome
    when: ProcessWhen = field(default_factory=ProcessWhen)
    times: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        when = self.when.to_dict()
        if when:
            out["when"] = when
        out["outcome"] = self.outcome.to_dict()
        _put(out, "times", self.times)
        return out

    @classmethod
    def _from_data(cls, data: Mapping[str, Any]) -> ProcessRule:
        return cls(
            outcome=ProcessOutcome._from_data(data["outcome"]),
            when=ProcessWhen._from_data(data.get("when") or {}),
            times=data.get("times"),
        )


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
    from .script import ProcessRuleState  # noqa: PLC0415  (counters built only when used)

    return tuple(ProcessRuleState(i) for i in items if isinstance(i, ProcessRule))


def _compile(entries: Sequence[tuple[Sequence[Any], Any]]) -> Any:
    results = [i for items, _ in entries for i in items if isinstance(i, BehavioralResult)]
    processes = [state for _, states in entries for state in states]
    if not results and not processes:
        return None
    from .script import BehavioralScript  # noqa: PLC0415  (only when something is scripted)

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
