"""Behavioral Signals API v5 emulator: gRPC streaming plus the REST batch API.

Sources: the Behavioral Signals API documentation (https://behavioralsignals.readme.io) and
the ``behavioralsignals`` Python SDK 0.7.1 (its ``api.proto``, ``Configuration`` and REST
models). :data:`VENDOR` is this emulator's registry entry.
"""

from __future__ import annotations

from mockserver.registry import VendorSpec

from .config import BehavioralSettings
from .faults import FAULTS

__all__ = ["VENDOR"]

_SCENARIO = "mockserver.vendors.behavioral.scenario"

VENDOR = VendorSpec(
    name="behavioral",
    title="Behavioral Signals streaming (gRPC) and REST",
    settings=BehavioralSettings,
    service="mockserver.vendors.behavioral.service:BehavioralService",
    faults=FAULTS,
    secrets=("X-Auth-Token", "x_auth_token"),
    scenario=f"{_SCENARIO}:PART",
    handle="mockserver.vendors.behavioral.handle:BehavioralHandle",
    fixture_aliases=("behavioral",),
    exports={
        "mockserver.scenario": {
            name: f"{_SCENARIO}:{name}"
            for name in ("BehavioralResult", "ProcessOutcome", "ProcessRule", "ProcessWhen")
        },
        "mockserver.redirect": {
            "behavioral_signals_redirect": (
                "mockserver.vendors.behavioral.redirect:behavioral_signals_redirect"
            ),
        },
    },
)
