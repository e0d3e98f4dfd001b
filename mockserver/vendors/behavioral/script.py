"""Scripted Behavioral Signals results and process outcomes, compiled.

:class:`BehavioralScript` is what the stream session and the REST API get from their
injected providers:

* :meth:`BehavioralScript.rewrite_stream` / :meth:`~BehavioralScript.rewrite_batch`: the row
  of a scripted task in a window (stream) or utterance (batch) that overlaps a scripted
  ``[from, to)`` range reports the scripted label. When several ranges of one task overlap
  a window, the one with the largest overlap wins (the first on a tie). A rewritten row
  stays valid: every label of the row is kept, the scripted label gets
  ``posterior`` (default :data:`DEFAULT_POSTERIOR`), the others share the rest in
  proportion to the engine's posteriors, predictions are sorted by posterior descending,
  posteriors (and logits, when the row has them) are formatted as the engine formats them,
  and ``final_label`` is the top label. ids, times, level and embeddings are unchanged.
* :meth:`BehavioralScript.process_outcome`: the first process rule matching a batch
  submission gives its outcome (fail with a status and message, or stay pending (0) or
  processing (1)).

Pure Python; the posterior formatting comes from the engine, which is always loaded by
the time rows exist.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import math
import threading
from collections.abc import Iterable, Sequence

from mockserver.scenario.counter import RuleCounter

from .results import InferenceResult, Prediction
from .scenario import BehavioralResult, ProcessRule
from .tasks import CLASSIFIER_LABELS, SPEAKING_RATE_3, SPEAKING_RATE_5

__all__ = [
    "DEFAULT_MESSAGES",
    "DEFAULT_POSTERIOR",
    "BehavioralScript",
    "ProcessRuleState",
    "rewrite_row",
]

#: Posterior of a scripted label when the scenario gives none.
DEFAULT_POSTERIOR = 0.85
_MIN_WEIGHT = 1e-3  # floor of an engine posterior when sharing out the remainder
_MIN_LOGIT_PROB = 1e-6  # floor of a probability turned into a logit

#: ``statusmsg`` of a scripted outcome without a message (the docs' status table).
DEFAULT_MESSAGES: dict[int, str] = {
    0: "Pending",
    1: "Processing",
    -1: "Server error while processing the audio",
    -2: "Insufficient credits",
    -3: "Server error while processing the audio",
}


def _fmt(value: float) -> str:
    from .engine import format_probability  # noqa: PLC0415  NumPy: loaded once rows exist

    return format_probability(value)


def _label_order(task: str, labels: Sequence[str]) -> tuple[str, ...]:
    """The task's label order (ties sort by it, as in the engine)."""
    for known in (CLASSIFIER_LABELS.get(task), SPEAKING_RATE_3, SPEAKING_RATE_5):
        if known is not None and set(known) == set(labels):
            return known
    return tuple(labels)


def rewrite_row(row: InferenceResult, rule: BehavioralResult) -> InferenceResult:
    """``row`` reporting the scripted label (or intensity score); unchanged if the label
    is not one of the row's labels (e.g. a 5-level speaking rate in 3-label mode)."""
    if rule.task == "intensity":
        if rule.score is None or not row.prediction:
            return row
        first = dataclasses.replace(row.prediction[0], score=_fmt(rule.score))
        return dataclasses.replace(row, prediction=(first, *row.prediction[1:]))
    labels = [p.label for p in row.prediction]
    if rule.label is None or rule.label not in labels:
        return row
    target = rule.posterior if rule.posterior is not None else DEFAULT_POSTERIOR
    weights = {p.label: max(_parse(p.posterior), _MIN_WEIGHT) for p in row.prediction}
    weights.pop(rule.label)
    total = math.fsum(weights.values())
    probs = {label: (1.0 - target) * w / total for label, w in weights.items()}
    probs[rule.label] = target
    order = _label_order(row.task, labels)
    rank = {label: i for i, label in enumerate(order)}
    ranked = sorted(labels, key=lambda lb: (-probs[lb], lb != rule.label, rank.get(lb, 0)))
    with_logits = any(p.logit is not None for p in row.prediction)
    predictions = tuple(
        Prediction(
            label=label,
            posterior=_fmt(probs[label]),
            logit=_fmt(math.log(max(probs[label], _MIN_LOGIT_PROB))) if with_logits else None,
        )
        for label in ranked
    )
    return dataclasses.replace(row, prediction=predictions, final_label=rule.label)


def _parse(text: str | None) -> float:
    try:
        return float(text) if text else 0.0
    except ValueError:
        return 0.0


class ProcessRuleState:
    """A process rule with its counters (submissions seen, firings left); thread-safe."""

    def __init__(self, rule: ProcessRule) -> None:
        self.rule = rule
        self._seen = 0  # submissions matching name and namespace so far
        self._firings = RuleCounter(rule.times)
        self._lock = threading.Lock()  # guards _seen

    def observe(self, *, name: str | None, namespace: str) -> bool:
        """Count a submission; True if it is one this rule is for (name, namespace, index)."""
        when = self.rule.when
        if when.namespace is not None and when.namespace != namespace:
            return False
        if when.name is not None and (name is None or not fnmatch.fnmatchcase(name, when.name)):
            return False
        with self._lock:
            self._seen += 1
            return when.index is None or self._seen == when.index

    def take(self) -> tuple[int, str] | None:
        """Fire once: the outcome, or None once ``times`` is used up."""
        if not self._firings.take():
            return None
        outcome = self.rule.outcome
        message = outcome.message or DEFAULT_MESSAGES.get(outcome.status, "Processing failed")
        return outcome.status, message


class BehavioralScript:
    """The Behavioral Signals results and process rules of the active scenarios.

    Args:
        results: Scripted results, in load order.
        processes: Process rules with their counters, in load order.
    """

    def __init__(
        self,
        results: Sequence[BehavioralResult] = (),
        processes: Sequence[ProcessRuleState] = (),
    ) -> None:
        self._by_task: dict[str, list[BehavioralResult]] = {}
        for rule in results:
            self._by_task.setdefault(rule.task, []).append(rule)
        self._processes = list(processes)

    def rewrite_stream(
        self, rows: Iterable[InferenceResult], *, start_s: float, end_s: float
    ) -> tuple[InferenceResult, ...]:
        """The rows of one streamed window ``[start_s, end_s]`` with scripted tasks applied."""
        return tuple(self._rewrite(row, "stream", start_s, end_s) for row in rows)

    def rewrite_batch(self, rows: Iterable[InferenceResult]) -> list[InferenceResult]:
        """Batch rows (each with its own utterance times) with scripted tasks applied."""
        return [
            self._rewrite(row, "batch", _parse(row.start_time), _parse(row.end_time))
            for row in rows
        ]

    def _rewrite(self, row: InferenceResult, api: str, start: float, end: float) -> InferenceResult:
        rules = self._by_task.get(row.task)
        if not rules:
            return row
        best: BehavioralResult | None = None
        best_overlap = 0.0
        for rule in rules:
            if rule.api is not None and rule.api != api:
                continue
            if rule.level is not None and rule.level != row.level:
                continue
            stop = math.inf if rule.end is None else rule.end
            overlap = min(end, stop) - max(start, rule.start)
            if overlap > best_overlap:
                best, best_overlap = rule, overlap
        return row if best is None else rewrite_row(row, best)

    def process_outcome(self, *, name: str | None, namespace: str) -> tuple[int, str] | None:
        """``(status, statusmsg)`` for a new batch process, or None (no rule matches).

        Every rule whose name and namespace match counts the submission (for ``index``).
        """
        found: tuple[int, str] | None = None
        for state in self._processes:
            if state.observe(name=name, namespace=namespace) and found is None:
                found = state.take()
        return found
