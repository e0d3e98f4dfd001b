"""The scenarios active on one server (issue "scenarios").

The runtime owns one :class:`ScenarioBook`. Loading validates a source, activates its
faults and compiles its rules; the combined scripts are rebuilt on every load and clear,
so sessions read them with one attribute access (``None`` when no scenario scripts that
vendor: the no-scenario path costs nothing). A scenario loaded while connections are open
applies to their next request.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mockserver.errors import ScenarioError

from .model import Scenario

if TYPE_CHECKING:
    from mockserver.journal import Journal

    from .behavioral import BehavioralScript, ProcessRuleState
    from .counter import RuleCounter
    from .hume import HumeScript

__all__ = ["ActiveScenario", "ScenarioBook"]


@dataclass(frozen=True)
class ActiveScenario:
    """A loaded scenario, its label in messages and its rule counters."""

    scenario: Scenario
    label: str  # e.g. "scenario 'angry-customer'"
    hume_counters: tuple[RuleCounter, ...]  # one per Hume rule
    process_states: tuple[ProcessRuleState, ...]  # one per process rule


class ScenarioBook:
    """Active scenarios; thread-safe. Cleared by ``MockServer.reset()``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._scenarios: list[ActiveScenario] = []  # loaded scenarios, in load order
        self._hume: HumeScript | None = None  # combined Hume script (None: nothing scripted)
        self._behavioral: BehavioralScript | None = None  # combined Behavioral Signals script

    def load(self, source: Any, *, faults: Any) -> Scenario:
        """Validate ``source``, activate its faults and its rules; return the scenario.

        Args:
            source: A path, YAML/JSON text, a mapping or a ``Scenario``.
            faults: The server's fault plan; ``faults.load(list_of_dicts)`` receives the
                scenario's ``faults`` list (before the rules are activated).

        Raises:
            ScenarioError: the scenario (or one of its faults) is invalid; nothing is
                activated then.
        """
        from mockserver.faults.spec import FaultDefinitionError

        from .behavioral import ProcessRuleState
        from .counter import RuleCounter
        from .loader import read_scenario

        scenario, source_label = read_scenario(source)
        label = f"scenario {scenario.name!r}" if scenario.name else f"scenario {source_label}"
        if scenario.faults:
            try:
                faults.load([dict(f) for f in scenario.faults])
            except FaultDefinitionError as exc:  # named by its place in the scenario
                where = f"faults[{exc.index}]" + (f".{exc.field}" if exc.field else "")
                raise ScenarioError(f"{source_label}: {where}: {exc.problem}") from exc
        active = ActiveScenario(
            scenario=scenario,
            label=label,
            hume_counters=tuple(RuleCounter(r.times) for r in scenario.hume_rules),
            process_states=tuple(ProcessRuleState(p) for p in scenario.behavioral_processes),
        )
        with self._lock:
            self._scenarios.append(active)
            self._rebuild()
        return scenario

    def clear(self) -> None:
        """Deactivate every scenario."""
        with self._lock:
            self._scenarios.clear()
            self._rebuild()

    def active(self) -> list[Scenario]:
        """The active scenarios, in load order."""
        with self._lock:
            return [a.scenario for a in self._scenarios]

    def hume_script(self) -> HumeScript | None:
        """The combined Hume rules and timelines, or None when none is active."""
        return self._hume

    def behavioral_script(self) -> BehavioralScript | None:
        """The combined Behavioral Signals results and process rules, or None."""
        return self._behavioral

    def unmet_expectations(self, journal: Journal) -> list[str]:
        """One message per expectation of an active scenario that ``journal`` does not meet."""
        from .expect import unmet_message

        with self._lock:
            scenarios = list(self._scenarios)
        problems: list[str] = []
        for active in scenarios:
            for i, expectation in enumerate(active.scenario.expect):
                message = unmet_message(expectation, journal, where=f"{active.label}, expect[{i}]")
                if message is not None:
                    problems.append(message)
        return problems

    def _rebuild(self) -> None:
        """Recompile the combined scripts (caller holds the lock)."""
        self._hume = _hume_script(self._scenarios)
        self._behavioral = _behavioral_script(self._scenarios)


def _hume_script(scenarios: Sequence[ActiveScenario]) -> HumeScript | None:
    rules = [
        (rule, counter)
        for active in scenarios
        for rule, counter in zip(active.scenario.hume_rules, active.hume_counters, strict=True)
    ]
    timelines = [t for active in scenarios for t in active.scenario.hume_timelines]
    if not rules and not timelines:
        return None
    from .hume import HumeScript

    return HumeScript(rules, timelines)


def _behavioral_script(scenarios: Sequence[ActiveScenario]) -> BehavioralScript | None:
    results = [r for active in scenarios for r in active.scenario.behavioral_results]
    processes = [p for active in scenarios for p in active.process_states]
    if not results and not processes:
        return None
    from .behavioral import BehavioralScript

    return BehavioralScript(results, processes)
