"""Transport-independent result types of the Behavioral Signals API (``protos/api.proto``).

The batch JSON follows the real results and the SDK's ``ResultResponse``.

The streaming codec turns these into protobuf messages; the REST API renders them as the
batch JSON (camelCase keys, explicit nulls, ``dominantInSegments: []``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["InferenceResult", "Level", "Prediction", "StreamResult", "format_time"]

Level = Literal["segment", "utterance"]


def format_time(seconds: float) -> str:
    """Streaming times: seconds with two decimals (docs example ``"0.00"``, ``"2.00"``)."""
    return f"{seconds:.2f}"


@dataclass(frozen=True, slots=True)
class Prediction:
    """One label of a task. ``None`` fields are absent (proto3 ``optional``)."""

    label: str
    posterior: str | None = None
    logit: str | None = None
    score: str | None = None

    def to_rest(self) -> dict[str, Any]:
        """Batch JSON: ``{label, posterior, dominantInSegments}`` (+ ``score`` when set)."""
        out: dict[str, Any] = {
            "label": self.label if self.label != "" else None,
            "posterior": self.posterior if self.posterior not in ("", None) else None,
            "dominantInSegments": [],
        }
        if self.score is not None:
            out["score"] = self.score
        return out


@dataclass(frozen=True, slots=True)
class InferenceResult:
    """One task's result for one window (segment or utterance)."""

    id: str
    start_time: str
    end_time: str
    task: str
    prediction: tuple[Prediction, ...]
    final_label: str
    embedding: str | None = ""  # streaming always sets it, "" unless requested
    level: Level | None = None

    def to_rest(self) -> dict[str, Any]:
        """Batch JSON item: exactly ``id, startTime, endTime, task, prediction, finalLabel,
        level, embedding`` (the real results), empty strings rendered as null."""
        return {
            "id": self.id,
            "startTime": self.start_time,
            "endTime": self.end_time,
            "task": self.task,
            "prediction": [p.to_rest() for p in self.prediction],
            "finalLabel": self.final_label if self.final_label != "" else None,
            "level": self.level,
            "embedding": self.embedding if self.embedding else None,
        }


@dataclass(frozen=True, slots=True)
class StreamResult:
    """One message on a streaming call: the results of one window, one per task."""

    cid: int
    pid: int
    message_id: int
    result: tuple[InferenceResult, ...]
