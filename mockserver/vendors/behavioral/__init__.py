"""Behavioral Signals API v5 emulator: gRPC streaming plus the REST batch API.

Public sources, named short in this package's docstrings (full list: docs/fidelity.md):

* the SDK, ``behavioralsignals`` 0.7.1 on PyPI (``base.py``, ``client.py``, ``models.py``,
  ``utils.py``, ``generated/api_pb2.py``) and its README;
* ``protos/api.proto`` of github.com/BehavioralSignalTechnologies/behavioralsignals-python
  (copied to ``protos/behavioral_signals/api.proto``) and that repository's examples;
* the docs at https://behavioralsignals.readme.io (``/docs/definitions``,
  ``/docs/real-time-deepfake-detection``, ``/docs/streaming-using-a-bare-grpc-client``,
  ``/docs/check-the-processing-progress``, ``/docs/retrieve-results``, ...);
* real v5 batch results published in github.com/michael-abdo/xenodex_fulfillment
  (``apis/behavior_signals/results/``), "the real results" below.

:data:`VENDOR` is this emulator's registry entry.
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
    scenario=f"{_SCENARIO}_part:PART",
    handle="mockserver.vendors.behavioral.handle:BehavioralHandle",
    fixture_aliases=("behavioral", "mockserver_behavioral"),
    # ``Configuration`` defaults (SDK 0.7.1 ``configuration.py``): REST and gRPC hosts.
    hostnames=("api.behavioralsignals.com", "streaming.behavioralsignals.com"),
    documents={"openapi.json": "behavioral/openapi.json"},  # the REST subset
    child_environment="mockserver.vendors.behavioral.redirect:child_environment",
    child_hook="mockserver.vendors.behavioral.redirect",
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
