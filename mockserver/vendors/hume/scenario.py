"""The Python form of the Hume part of a scenario (``hume:`` in a file): rules and timelines.

Rules and timelines script what a matching request gets instead of the default engine
(docs/scenarios.md); :class:`~.script.HumeScript` applies them inside the session, and
:mod:`.scenario_part` registers them (schema fragment, checks, expectation kinds). Each
class mirrors one object of the data form; ``to_dict()`` gives it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

__all__ = [
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
    ``model_warning``, ``emotions`` (with an optional ``others_at_most`` cap),
    ``empty_predictions``, ``faces`` or ``extra_fields``."""

    error: Reply | None = None
    warning: Reply | None = None
    model_warning: ModelWarning | None = None
    emotions: Mapping[str, float] | None = None
    others_at_most: float | None = None
    empty_predictions: bool = False
    faces: int | None = None
    extra_fields: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.emotions is not None:
            _set(self, "emotions", dict(self.emotions))
        if self.extra_fields is not None:
            _set(self, "extra_fields", dict(self.extra_fields))

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
        if self.empty_predictions:
            out["empty_predictions"] = True
        _put(out, "faces", self.faces)
        if self.extra_fields is not None:
            out["extra_fields"] = dict(self.extra_fields)
        return out

    @classmethod
    def _from_data(cls, data: Mapping[str, Any]) -> HumeRespond:
        error, warning, nested = data.get("error"), data.get("warning"), data.get("model_warning")
        emotions, extra = data.get("emotions"), data.get("extra_fields")
        return cls(
            error=None if error is None else Reply._from_data(error),
            warning=None if warning is None else Reply._from_data(warning),
            model_warning=None if nested is None else ModelWarning._from_data(nested),
            emotions=None if emotions is None else dict(emotions),
            others_at_most=data.get("others_at_most"),
            empty_predictions=bool(data.get("empty_predictions", False)),
            faces=data.get("faces"),
            extra_fields=None if extra is None else dict(extra),
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
