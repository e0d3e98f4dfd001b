"""Scenarios: scripted responses, faults and expectations, as data or from Python.

A scenario (``docs/scenarios.md``, ``schemas/scenario.schema.json``) scripts what the
emulators answer instead of the default engines: Hume rules and emotion timelines,
Behavioral Signals results over audio-time ranges and batch process outcomes. It can also
bring faults and expectations that the pytest plugin checks at teardown. Load one with
``MockServer.load_scenario(source)``, ``mockserver serve --scenario FILE`` or the admin API.
"""

from __future__ import annotations

from .book import ActiveScenario, ScenarioBook
from .loader import load_scenario, scenario_errors
from .model import (
    BehavioralResult,
    Expectation,
    HumeRespond,
    HumeRule,
    HumeWhen,
    ModelWarning,
    ProcessOutcome,
    ProcessRule,
    ProcessWhen,
    Reply,
    Scenario,
    Segment,
    Timeline,
)

__all__ = [
    "ActiveScenario",
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
    "ScenarioBook",
    "Segment",
    "Timeline",
    "load_scenario",
    "scenario_errors",
]
