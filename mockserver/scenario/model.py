"""The Python form of a scenario: frozen dataclasses equal to the data form.

Every class mirrors one object of ``schemas/scenario.schema.json`` (``docs/scenarios.md``);
``Scenario.to_dict()`` gives the data form and :func:`~mockserver.scenario.load_scenario`
(or :meth:`Scenario.from_dict`) turns a data form back into an equal ``Scenario``. Python
names differ from data keys only where the key is a keyword: ``from``/``to`` are
``start``/``end``.

Construction does not validate; loading does (``MockServer.load_scenario`` validates a
``Scenario`` exactly as it validates a file).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "BehavioralResult",
    "Expectation",
    "HumeRespond",
    "HumeRule",
    "HumeWhen",
    "ModelWarning",
    "ProcessOutcome",
    "ProcessRule",
    "ProcessWhen",
    "Reply",
    "Scenario",
    "Segment",
    "Timeline",
]


def _set(obj: object, name: str, value: Any) -> None:
    object.__setattr__(obj, name, value)  # normalise a field of a frozen dataclass


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        out[key] = value


# -- Hume ----------------------------------------------------------------------------------


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


# -- Behavioral Signals --------------------------------------------------------------------


@dataclass(frozen=True)
class BehavioralResult:
    """Rows of ``task`` in windows overlapping ``[start, end)`` report ``label``.

    ``end`` None means "to the end of the audio". ``posterior`` (default 0.85) is the
    scripted label's posterior; ``score`` is for ``intensity``. ``level`` and ``api``
    (``"stream"`` or ``"batch"``) restrict where the rule applies.
    """

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


# -- expectations --------------------------------------------------------------------------


@dataclass(frozen=True)
class Expectation:
    """A count of journal events to check at teardown (``MockServer.unmet_expectations``).

    ``what`` is one of ``hume.handshakes``, ``hume.messages``, ``hume.responses``,
    ``behavioral.streams``, ``behavioral.requests``; ``where`` filters them; give
    ``exactly`` or ``at_least``/``at_most``.
    """

    what: str
    where: Mapping[str, Any] = field(default_factory=dict)
    exactly: int | None = None
    at_least: int | None = None
    at_most: int | None = None
    name: str | None = None

    def __post_init__(self) -> None:
        _set(self, "where", dict(self.where))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        _put(out, "name", self.name)
        out["what"] = self.what
        if self.where:
            out["where"] = dict(self.where)
        _put(out, "exactly", self.exactly)
        _put(out, "at_least", self.at_least)
        _put(out, "at_most", self.at_most)
        return out

    @classmethod
    def _from_data(cls, data: Mapping[str, Any]) -> Expectation:
        return cls(
            what=data["what"],
            where=dict(data.get("where") or {}),
            exactly=data.get("exactly"),
            at_least=data.get("at_least"),
            at_most=data.get("at_most"),
            name=data.get("name"),
        )


# -- the scenario --------------------------------------------------------------------------

HumeItem = HumeRule | Timeline
BehavioralItem = BehavioralResult | ProcessRule


@dataclass(frozen=True)
class Scenario:
    """A whole scenario (data form: ``schemas/scenario.schema.json``).

    ``hume`` takes :class:`HumeRule` and :class:`Timeline` items, ``behavioral`` takes
    :class:`BehavioralResult` and :class:`ProcessRule` items, in any order; they are kept
    grouped by kind (rules first), which is the order of the data form. ``faults`` are
    fault definitions as mappings (``schemas/fault.schema.json``).
    """

    name: str | None = None
    description: str | None = None
    hume: tuple[HumeItem, ...] = ()
    behavioral: tuple[BehavioralItem, ...] = ()
    faults: tuple[Mapping[str, Any], ...] = ()
    expect: tuple[Expectation, ...] = ()

    def __post_init__(self) -> None:
        hume = tuple(self.hume)
        _set(self, "hume", _grouped(hume, HumeRule))
        behavioral = tuple(self.behavioral)
        _set(self, "behavioral", _grouped(behavioral, BehavioralResult))
        _set(self, "faults", tuple(dict(f) for f in self.faults))
        _set(self, "expect", tuple(self.expect))

    @property
    def hume_rules(self) -> tuple[HumeRule, ...]:
        return tuple(i for i in self.hume if isinstance(i, HumeRule))

    @property
    def hume_timelines(self) -> tuple[Timeline, ...]:
        return tuple(i for i in self.hume if isinstance(i, Timeline))

    @property
    def behavioral_results(self) -> tuple[BehavioralResult, ...]:
        return tuple(i for i in self.behavioral if isinstance(i, BehavioralResult))

    @property
    def behavioral_processes(self) -> tuple[ProcessRule, ...]:
        return tuple(i for i in self.behavioral if isinstance(i, ProcessRule))

    def to_dict(self) -> dict[str, Any]:
        """The data form (what a YAML or JSON scenario file holds)."""
        out: dict[str, Any] = {}
        _put(out, "name", self.name)
        _put(out, "description", self.description)
        hume: dict[str, Any] = {}
        if self.hume_rules:
            hume["rules"] = [r.to_dict() for r in self.hume_rules]
        if self.hume_timelines:
            hume["timelines"] = [t.to_dict() for t in self.hume_timelines]
        if hume:
            out["hume"] = hume
        behavioral: dict[str, Any] = {}
        if self.behavioral_results:
            behavioral["results"] = [r.to_dict() for r in self.behavioral_results]
        if self.behavioral_processes:
            behavioral["processes"] = [p.to_dict() for p in self.behavioral_processes]
        if behavioral:
            out["behavioral"] = behavioral
        if self.faults:
            out["faults"] = [dict(f) for f in self.faults]
        if self.expect:
            out["expect"] = [e.to_dict() for e in self.expect]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "<scenario>") -> Scenario:
        """Validate a data form and build the scenario.

        Raises:
            ScenarioError: the data is invalid (names ``source`` and the JSON path).
        """
        from .loader import load_scenario

        return load_scenario(data, label=source)

    @classmethod
    def _from_data(cls, data: Mapping[str, Any]) -> Scenario:
        """Build from an already validated data form."""
        hume = data.get("hume") or {}
        behavioral = data.get("behavioral") or {}
        return cls(
            name=data.get("name"),
            description=data.get("description"),
            hume=(
                *(HumeRule._from_data(r) for r in hume.get("rules", ())),
                *(Timeline._from_data(t) for t in hume.get("timelines", ())),
            ),
            behavioral=(
                *(BehavioralResult._from_data(r) for r in behavioral.get("results", ())),
                *(ProcessRule._from_data(p) for p in behavioral.get("processes", ())),
            ),
            faults=tuple(dict(f) for f in data.get("faults", ())),
            expect=tuple(Expectation._from_data(e) for e in data.get("expect", ())),
        )


def _grouped(items: Iterable[Any], first: type) -> tuple[Any, ...]:
    """Items of type ``first`` before the others, each group in its given order."""
    ordered = list(items)
    return (
        *(i for i in ordered if isinstance(i, first)),
        *(i for i in ordered if not isinstance(i, first)),
    )
