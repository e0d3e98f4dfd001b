"""Emulator of the Hume Expression Measurement API v1 (``api.cloud.hume.ai``).

Realtime audio and video over WebSocket (``/v1/expression/{audio,video}/realtime``), file
uploads and run records over HTTP, on one port, as the official
``hume-expression-measurement`` SDK expects (``ExpressionMeasurementClientEnvironment(base=
..., production=...)`` naming the same host and port). See ``docs/hume-v1.md``.

Modules: ``config`` (settings), ``errors`` (error catalogue and close codes), ``codec``
(messages and configurations), ``handshake`` (who may connect), ``formats`` (media checks),
``labels`` (label sets), ``utterances`` (utterance and measurement timing), ``engine``
(scores), ``runs`` (run records), ``session`` (realtime sessions), ``rest`` (HTTP router),
``service`` (wiring), ``meter`` (audio seconds for faults), ``handle`` (pytest),
``redirect`` (a child process's environment and start-up hook).

:data:`VENDOR` is this emulator's registry entry.
"""

from __future__ import annotations

import json

from mockserver.faults.model import VendorFaults
from mockserver.registry import VendorSpec

from .config import HumeV1Settings
from .errors import fault_error_body
from .handshake import API_KEY_HEADER
from .meter import RealtimeMeter

__all__ = ["VENDOR"]


def _refused_upgrade_body(status: int) -> str:
    """The body of an upgrade a ``handshake_reject`` fault refuses: the v1 error body."""
    return json.dumps(fault_error_body(status))


VENDOR = VendorSpec(
    name="hume_v1",
    title="Hume Expression Measurement API v1 (realtime, uploads, runs)",
    settings=HumeV1Settings,
    service="mockserver.vendors.hume_v1.service:HumeV1Service",
    faults=VendorFaults(
        transports=("websocket", "http"),
        meter=RealtimeMeter,
        handshake_body=_refused_upgrade_body,
        http_error_body=lambda status, message, details: fault_error_body(status, message),
        inactivity_reason="idle_timeout",
    ),
    secrets=(API_KEY_HEADER,),
    handle="mockserver.vendors.hume_v1.handle:HumeV1Handle",
    # ``ExpressionMeasurementClientEnvironment.PRODUCTION`` (SDK 0.1.0 ``environment.py``).
    hostnames=("api.cloud.hume.ai",),
    child_environment="mockserver.vendors.hume_v1.redirect:child_environment",
    child_hook="mockserver.vendors.hume_v1.redirect",
)
