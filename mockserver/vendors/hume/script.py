"""Scripted Hume responses: the rules and timelines of the active scenarios, compiled.

:class:`HumeScript` is what ``HumeSession`` gets from its injected provider (before the
engine for errors and top-level warnings, after it for scores, nested warnings and
timelines):

* :meth:`HumeScript.before` runs once the request is valid and before the engine. The
  first matching rule that scripts an ``error`` raises it as a
  :class:`~mockserver.vendors.hume.errors.HumeError` (so it counts towards the repeated
  error limit like any error); one that scripts a top-level ``warning`` returns the
  ``StreamWarningMessage`` body (the top-level shape of Hume's definition). Either way the
  payload is not processed.
* :meth:`HumeScript.after` edits the engine's response: timelines first, then every
  matching ``emotions`` / ``model_warning`` rule in order (a later rule overwrites an
  earlier one). Scores are set in place, so names, order and the other scores stay
  those of a real response; a prediction's ``time`` is never changed.

Pure Python (no I/O, no heavy imports); the Hume scenario part builds it when a scenario
scripts Hume, the session only calls the object it is given. A payload's text is read by
:func:`.payload.payload_text`, as the engine reads it.
"""

from __future__ import annotations

import copy
import re
import struct
from collections.abc import Mapping, Sequence
from typing import Any

from mockserver.scenario.counter import RuleCounter

from .codec import PublishRequest
from .errors import ERRORS, WARNINGS, HumeError
from .options import MODEL_ORDER
from .payload import payload_text
from .scenario import HumeRule, Segment, Timeline

__all__ = ["HumeScript"]


def _float32(value: float) -> float:
    """The value as the float32 the real models emit, printed as a Python float."""
    result: float = struct.unpack("<f", struct.pack("<f", float(value)))[0]
    return result


class _Request:
    """What rules look at: the request, its index and models, and its text (lazily)."""

    def __init__(
        self,
        request: PublishRequest,
        index: int,
        models: Sequence[str],
        accept_data_urls: bool,
    ) -> None:
        self.request = request
        self.index = index
        self.models = tuple(models)
        self._accept_data_urls = accept_data_urls
        self._text: str | None = None
        self._text_known = False

    @property
    def text(self) -> str | None:
        if not self._text_known:
            request = self.request
            self._text = payload_text(
                request.data, raw_text=request.raw_text, accept_data_urls=self._accept_data_urls
            )
            self._text_known = True
        return self._text


class _CompiledRule:
    def __init__(self, rule: HumeRule, counter: RuleCounter) -> None:
        when = rule.when
        self.rule = rule
        self.models = when.models
        self.payload_index = when.payload_index
        self.payload_id = when.payload_id
        self.text = re.compile(when.text) if when.text is not None else None
        self.counter = counter
        respond = rule.respond
        self.early = respond.error is not None or respond.warning is not None
        self.scores = {n: _float32(s) for n, s in (respond.emotions or {}).items()}
        self.cap = respond.others_at_most

    def matches(self, request: _Request) -> bool:
        if self.payload_index is not None and request.index != self.payload_index:
            return False
        if self.payload_id is not None and request.request.payload_id != self.payload_id:
            return False
        if self.models and not any(m in request.models for m in self.models):
            return False
        if self.text is not None:
            text = request.text
            if text is None or self.text.search(text) is None:
                return False
        return True

    def targets(self, body: Mapping[str, Any]) -> list[str]:
        return [m for m in MODEL_ORDER if m in body and (not self.models or m in self.models)]

    def apply(self, body: dict[str, Any]) -> None:
        respond = self.rule.respond
        if respond.empty_predictions:
            for model in self.targets(body):
                body[model] = {"predictions": []}
            return
        if respond.faces is not None:
            if "face" in self.targets(body):
                _multiply_faces(body["face"], respond.faces)
            return
        if respond.extra_fields is not None:
            for model in self.targets(body):
                if isinstance(body[model], dict):
                    body[model].update(respond.extra_fields)
            body.update({k: v for k, v in respond.extra_fields.items() if k not in body})
            return
        nested = respond.model_warning
        if nested is not None:
            models = [nested.model] if nested.model is not None else self.targets(body)
            for model in models:
                if model in body:
                    entry = WARNINGS[model]
                    body[model] = {
                        "warning": nested.message or entry.template,
                        "code": nested.code or entry.code,
                    }
            return
        for model in self.targets(body):
            _set_scores(body[model], self.scores, self.cap)


def _multiply_faces(result: Any, count: int) -> None:
    """Make a face result report ``count`` faces: copies of its first prediction side by
    side (a warning, no face found, is left alone). Identified faces get distinct ids."""
    if not isinstance(result, dict) or not result.get("predictions"):
        return
    first = result["predictions"][0]
    faces = []
    for index in range(count):
        face = copy.deepcopy(first)
        box = face.get("bbox")
        if isinstance(box, dict):
            box["x"] = float(box.get("x", 0.0)) + index * (float(box.get("w", 0.0)) + 1.0)
        if face.get("face_id", "unknown") != "unknown":
            face["face_id"] = f"face_{index}"
        faces.append(face)
    result["predictions"] = faces


def _set_scores(result: Any, scores: Mapping[str, float], cap: float | None) -> None:
    """Set named scores in every prediction of a model result (a warning is left alone)."""
    if not isinstance(result, dict):
        return
    for prediction in result.get("predictions", ()):
        for item in prediction.get("emotions", ()):
            name = item["name"]
            if name in scores:
                item["score"] = scores[name]
            elif cap is not None and item["score"] > cap:
                item["score"] = _float32(cap)


class _CompiledTimeline:
    def __init__(self, timeline: Timeline) -> None:
        self.model = timeline.model
        self.segments = [
            (s, {n: _float32(v) for n, v in s.emotions.items()}) for s in timeline.segments
        ]

    def segment_for(self, time: Any) -> tuple[Segment, dict[str, float]] | None:
        """The segment with the largest overlap with an interval, or holding a point."""
        if isinstance(time, dict):
            begin, end = float(time["begin"]), float(time["end"])
        elif isinstance(time, int | float):
            begin = end = float(time)
        else:
            return None  # an image has no time
        if begin == end:
            for segment, scores in self.segments:
                if segment.start <= begin < segment.end:
                    return segment, scores
            return None
        best: tuple[Segment, dict[str, float]] | None = None
        best_overlap = 0.0
        for segment, scores in self.segments:
            overlap = min(end, segment.end) - max(begin, segment.start)
            if overlap > best_overlap:
                best, best_overlap = (segment, scores), overlap
        return best

    def apply(self, body: dict[str, Any]) -> None:
        result = body.get(self.model)
        if not isinstance(result, dict):
            return
        for prediction in result.get("predictions", ()):
            found = self.segment_for(prediction.get("time"))
            if found is not None:
                segment, scores = found
                _set_scores({"predictions": [prediction]}, scores, segment.others_at_most)


class HumeScript:
    """The Hume rules and timelines of the active scenarios, in load order.

    Args:
        rules: ``(rule, counter)`` pairs; counters are shared with the scenario that owns
            the rule, so ``times`` holds across reloads of the combined script.
        timelines: Timelines, applied before the rules.
    """

    def __init__(
        self,
        rules: Sequence[tuple[HumeRule, RuleCounter]] = (),
        timelines: Sequence[Timeline] = (),
    ) -> None:
        compiled = [_CompiledRule(rule, counter) for rule, counter in rules]
        self._early = [r for r in compiled if r.early]
        self._late = [r for r in compiled if not r.early]
        self._timelines = [_CompiledTimeline(t) for t in timelines]

    def before(
        self,
        request: PublishRequest,
        *,
        index: int,
        models: Sequence[str],
        accept_data_urls: bool = False,
    ) -> dict[str, Any] | None:
        """Scripted error (raised) or top-level warning body for a valid request, or None.

        Args:
            request: The decoded request.
            index: Its 1-based position among the frames of the connection.
            models: The models it runs (its own, or those the connection reuses).
            accept_data_urls: The server strips data URLs (how ``data`` is read as text).

        Raises:
            HumeError: a rule scripts an error for this request.
        """
        if not self._early:
            return None
        view = _Request(request, index, models, accept_data_urls)
        for rule in self._early:
            if not rule.matches(view) or not rule.counter.take():
                continue
            respond = rule.rule.respond
            if respond.error is not None:
                code = respond.error.code
                message = respond.error.message or _default_error(code)
                raise HumeError(code, message)
            assert respond.warning is not None
            code = respond.warning.code
            return {"warning": respond.warning.message or _default_warning(code), "code": code}
        return None

    def after(
        self,
        request: PublishRequest,
        body: dict[str, Any],
        *,
        index: int,
        models: Sequence[str],
        accept_data_urls: bool = False,
    ) -> None:
        """Apply timelines, then scores and nested warnings, to the engine's response."""
        if not any(m in body for m in MODEL_ORDER):
            return
        for timeline in self._timelines:
            timeline.apply(body)
        if not self._late:
            return
        view = _Request(request, index, models, accept_data_urls)
        for rule in self._late:
            if rule.matches(view) and rule.counter.take():
                rule.apply(body)


def _default_error(code: str) -> str:
    entry = ERRORS.get(code)
    return entry.description if entry is not None else f"Scripted error {code}."


def _default_warning(code: str) -> str:
    for entry in WARNINGS.values():
        if entry.code == code:
            return entry.template
    return f"Scripted warning {code}."
