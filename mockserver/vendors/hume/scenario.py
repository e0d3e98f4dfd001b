"""The Hume part of a scenario: rules, timelines and expectations (``hume:`` in a file).

Rules and timelines script what a matching request gets instead of the default engine
(docs/scenarios.md); :class:`~.script.HumeScript` applies them inside the session. The
expectation kinds count handshakes, client messages and responses in the journal. Every
payload's text is read by :func:`.payload.payload_text`, as the engine reads it, so a rule
(``when.text``) and an expectation (``where.text``) agree on every payload.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from mockserver.journal import Journal, JournalEntry
from mockserver.scenario.counter import RuleCounter
from mockserver.scenario.loader import regex_errors, unknown_name
from mockserver.scenario.part import ExpectationKind, ScenarioPart

from .labels import EXPRESSION_NAMES, LANGUAGE_EXPRESSION_NAMES
from .payload import payload_text

__all__ = [
    "PART",
    "HumeRespond",
    "HumeRule",
    "HumeWhen",
    "ModelWarning",
    "Reply",
    "Segment",
    "Timeline",
]


def _set(obj: object, name: str, value: Any) -> None:
    object.__setattr__(obj, name, value)  # normalise a field of a frozen dataclass


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        out[key] = value


@dataclass(frozen=True)
class HumeWhen:
    """Conditions on a Hume request; all given ones must hold (data: ``when``).

    Attributes:
        model: A model name or a tuple of them: the request's models include one.
        payload_index: The Nth frame on the connection (1-based).
        payload_id: The exact ``payload_id``.
        text: A regular expression searched in the text of a text payload.
    """

    model: str | tuple[str, ...] | None = None
    payload_index: int | None = None
    payload_id: str | None = None
    text: str | None = None

    def __post_init__(self) -> None:
        if self.model is not None and not isinstance(self.model, str):
            _set(self, "model", tuple(self.model))

    @property
    def models(self) -> tuple[str, ...]:
        """``model`` as a tuple (empty: any model)."""
        if self.model is None:
            return ()
        return (self.model,) if isinstance(self.model, str) else self.model

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.model is not None:
            out["model"] = self.model if isinstance(self.model, str) else list(self.model)
        _put(out, "payload_index", self.payload_index)
        _put(out, "payload_id", self.payload_id)
        _put(out, "text", self.text)
        return out

    @classmethod
    def _from_data(cls, data: Mapping[str, Any]) -> HumeWhen:
        model = data.get("model")
        return cls(
            model=model if model is None or isinstance(model, str) else tuple(model),
            payload_index=data.get("payload_index"),
            payload_id=data.get("payload_id"),
            text=data.get("text"),
        )


@dataclass(frozen=True)
class Reply:
    """A scripted error or top-level warning: ``code`` and an optional ``message``."""

    code: str
    message: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code}
        _put(out, "message", self.message)
        return out

    @classmethod
    def _from_data(cls, data: Mapping[str, Any]) -> Reply:
        return cls(code=data["code"], message=data.get("message"))


@dataclass(frozen=True)
class ModelWarning:
    """A scripted nested warning, ``{"<model>": {"warning": ..., "code": ...}}``.

    ``model`` defaults to every matched model; ``code`` and ``message`` to the model's
    catalogue warning (W0101-W0105).
    """

    model: str | None = None
    code: str | None = None
    message: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        _put(out, "model", self.model)
        _put(out, "code", self.code)
        _put(out, "message", self.message)
        return out

    @classmethod
    def _from_data(cls, data: Mapping[str, Any]) -> ModelWarning:
        return cls(model=data.get("model"), code=data.get("code"), message=data.get("message"))


@dataclass(frozen=True)
class HumeRespond:
    """What a matching request gets: exactly one of ``error``, ``warning``,
    ``model_warning`` or ``emotions`` (with an optional ``others_at_most`` cap)."""

    error: Reply | None = None
    warning: Reply | None = None
    model_warning: ModelWarning | None = None
    emotions: Mapping[str, float] | None = None
    others_at_most: float | None = None

    def __post_init__(self) -> None:
        if self.emotions is not None:
            _set(self, "emotions", dict(self.emotions))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.error is not None:
            out["error"] = self.error.to_dict()
        if self.warning is not None:
            out["warning"] = self.warning.to_dict()
        if self.model_warning is not None:
            out["model_warning"] = self.model_warning.to_dict()
        if self.emotions is not None:
            out["emotions"] = dict(self.emotions)
        _put(out, "others_at_most", self.others_at_most)
        return out

    @classmethod
    def _from_data(cls, data: Mapping[str, Any]) -> HumeRespond:
        error, warning, nested = data.get("error"), data.get("warning"), data.get("model_warning")
        emotions = data.get("emotions")
        return cls(
            error=None if error is None else Reply._from_data(error),
            warning=None if warning is None else Reply._from_data(warning),
            model_warning=None if nested is None else ModelWarning._from_data(nested),
            emotions=None if emotions is None else dict(emotions),
            others_at_most=data.get("others_at_most"),
        )


@dataclass(frozen=True)
class HumeRule:
    """A Hume rule: requests matching ``when`` get ``respond`` (at most ``times`` times)."""

    section: ClassVar[str] = "rules"
    section_order: ClassVar[int] = 0

    respond: HumeRespond
    when: HumeWhen = field(default_factory=HumeWhen)
    times: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        when = self.when.to_dict()
        if when:
            out["when"] = when
        out["respond"] = self.respond.to_dict()
        _put(out, "times", self.times)
        return out

    @classmethod
    def _from_data(cls, data: Mapping[str, Any]) -> HumeRule:
        return cls(
            respond=HumeRespond._from_data(data["respond"]),
            when=HumeWhen._from_data(data.get("when") or {}),
            times=data.get("times"),
        )


@dataclass(frozen=True)
class Segment:
    """One span of a :class:`Timeline`: ``emotions`` from ``start`` to ``end`` seconds."""

    start: float
    end: float
    emotions: Mapping[str, float]
    others_at_most: float | None = None

    def __post_init__(self) -> None:
        _set(self, "emotions", dict(self.emotions))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"from": self.start, "to": self.end, "emotions": dict(self.emotions)}
        _put(out, "others_at_most", self.others_at_most)
        return out

    @classmethod
    def _from_data(cls, data: Mapping[str, Any]) -> Segment:
        return cls(
            start=data["from"],
            end=data["to"],
            emotions=dict(data["emotions"]),
            others_at_most=data.get("others_at_most"),
        )


@dataclass(frozen=True)
class Timeline:
    """Emotion scores over stream (audio) time for ``prosody``, ``burst`` or ``face``."""

    section: ClassVar[str] = "timelines"
    section_order: ClassVar[int] = 1

    segments: tuple[Segment, ...]
    model: str = "prosody"

    def __post_init__(self) -> None:
        _set(self, "segments", tuple(self.segments))

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "segments": [s.to_dict() for s in self.segments]}

    @classmethod
    def _from_data(cls, data: Mapping[str, Any]) -> Timeline:
        return cls(
            segments=tuple(Segment._from_data(s) for s in data["segments"]),
            model=data.get("model", "prosody"),
        )


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
        "(optionally with others_at_most).",
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
    from .script import HumeScript  # noqa: PLC0415  (codec, catalogue: only when scripted)

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
