"""The scenarios active on one server.

The runtime owns one :class:`ScenarioBook`. Loading validates a source, activates its
faults and its items; each vendor's combined script is rebuilt on every load and clear,
so sessions read it with one call (``None`` when no scenario scripts that vendor: the
no-scenario path costs nothing). A scenario loaded while connections are open applies to
their next request.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from mockserver.errors import ScenarioError
from mockserver.faults.spec import FaultDefinitionError
from mockserver.journal import Journal

from .expect import unmet_message
from .loader import ScenarioFormat
from .model import Scenario

logger = logging.getLogger("mockserver.control")

__all__ = ["ActiveScenario", "ScenarioBook"]


class FaultLoader(Protocol):
    """Where a scenario's faults go (the server's ``FaultPlan``)."""

    def load(self, specs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class ActiveScenario:
    """A loaded scenario, its label in messages and each vendor part's state."""

    scenario: Scenario
    label: str  # e.g. "scenario 'angry-customer'"
    states: Mapping[str, Any]  # vendor key -> the part's state for this scenario's items


class ScenarioBook:
    """Active scenarios; thread-safe. Cleared by ``MockServer.reset()``.

    Args:
        format: The scenario format of the server's vendors (default: the built-in ones).
        settings: Each vendor's settings (handed to its expectation counters).
    """

    def __init__(
        self, format: ScenarioFormat | None = None, settings: Mapping[str, Any] | None = None
    ) -> None:
        self.format = format if format is not None else ScenarioFormat()
        self._settings = dict(settings or {})
        self._lock = threading.Lock()
        self._scenarios: list[ActiveScenario] = []  # loaded scenarios, in load order
        self._scripts: dict[str, Any] = {}  # vendor key -> combined script (absent: none)

    def load(self, source: Any, *, faults: FaultLoader) -> Scenario:
        """Validate ``source``, activate its faults and its items; return the scenario.

        Args:
            source: A path, YAML/JSON text, a mapping or a ``Scenario``.
            faults: The server's fault plan; it receives the scenario's ``faults``
                (before the items are activated).

        Raises:
            ScenarioError: the scenario (or one of its faults) is invalid; nothing is
                activated then.
        """
        scenario, source_label = self.format.read(source)
        label = f"scenario {scenario.name!r}" if scenario.name else f"scenario {source_label}"
        if scenario.faults:
            try:
                faults.load([dict(f) for f in scenario.faults])
            except FaultDefinitionError as exc:  # named by its place in the scenario
                where = f"faults[{exc.index}]" + (f".{exc.field}" if exc.field else "")
                raise ScenarioError(f"{source_label}: {where}: {exc.problem}") from exc
        states = {
            key: part.activate(scenario.parts.get(key, ()))
            for key, part in self.format.parts.items()
        }
        active = ActiveScenario(scenario=scenario, label=label, states=states)
        with self._lock:
            self._scenarios.append(active)
            self._rebuild()
        named = source_label.startswith("<") or source_label in label
        origin = "" if named else f" from {source_label}"
        logger.info(
            "%s loaded%s (%d faults, %d expectations)",
            label, origin, len(scenario.faults), len(scenario.expect),
        )  # fmt: skip
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

    def script(self, key: str) -> Any:
        """Vendor ``key``'s combined script, or None when no active scenario scripts it."""
        return self._scripts.get(key)

    def provider(self, key: str) -> Callable[[], Any]:
        """A callable a session calls per request for vendor ``key``'s script."""

        def current() -> Any:
            return self._scripts.get(key)  # replaced (never mutated) on load and clear

        return current

    def unmet_expectations(self, journal: Journal) -> list[str]:
        """One message per expectation of an active scenario that ``journal`` does not meet."""
        with self._lock:
            scenarios = list(self._scenarios)
        kinds = {
            what: (kind, self._settings.get(part.key))
            for part in self.format.parts.values()
            for what, kind in part.expectations.items()
        }
        problems: list[str] = []
        for active in scenarios:
            for i, expectation in enumerate(active.scenario.expect):
                kind, settings = kinds[expectation.what]
                message = unmet_message(
                    expectation, kind, journal, settings, where=f"{active.label}, expect[{i}]"
                )
                if message is not None:
                    problems.append(message)
        return problems

    def _rebuild(self) -> None:
        """Recompile the combined scripts (caller holds the lock)."""
        scripts: dict[str, Any] = {}
        for key, part in self.format.parts.items():
            entries = [
                (a.scenario.parts.get(key, ()), a.states[key])
                for a in self._scenarios
                if a.scenario.parts.get(key)
            ]
            script = part.compile(entries) if entries else None
            if script is not None:
                scripts[key] = script
        self._scripts = scripts
