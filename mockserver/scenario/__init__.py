"""Scenarios: scripted responses, faults and expectations, as data or from Python.

A scenario (``docs/scenarios.md``, ``schemas/scenario.schema.json``) scripts what the
emulators answer instead of the default engines, per vendor (each vendor's part: Hume
rules and emotion timelines, Behavioral Signals results over audio-time ranges and batch
process outcomes...). It can also bring faults and expectations that the pytest plugin
checks at teardown. Load one with ``MockServer.load_scenario(source)``,
``mockserver serve --scenario FILE`` or the admin API.

The vendors' item classes (``HumeRule``, ``BehavioralResult``...) live in their vendor
packages and are importable from here too: each vendor's registry entry exports them.
"""

from __future__ import annotations

from typing import Any

from mockserver.registry import export

from .book import ActiveScenario, ScenarioBook
from .loader import ScenarioFormat, load_scenario, scenario_errors
from .model import Expectation, Scenario
from .part import ExpectationKind, ScenarioPart

__all__ = [
    "ActiveScenario",
    "Expectation",
    "ExpectationKind",
    "Scenario",
    "ScenarioBook",
    "ScenarioFormat",
    "ScenarioPart",
    "load_scenario",
    "scenario_errors",
]


def __getattr__(name: str) -> Any:
    """A vendor's scenario class (``HumeRule``...), as its registry entry exports it."""
    return export(__name__, name)
