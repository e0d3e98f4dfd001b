"""The Python form of the Behavioral Signals part of a scenario (``behavioral:`` in a file).

Scripted labels over audio-time ranges (streamed and batch results) and batch process
outcomes (docs/scenarios.md); :class:`~.script.BehavioralScript` applies them, and
:mod:`.scenario_part` registers them (schema fragment, checks, expectation kinds). Each
class mirrors one object of the data form; ``to_dict()`` gives it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

__all__ = [
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
